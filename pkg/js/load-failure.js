// When the wasm cannot be loaded: ONE clear console error, every call settled
// (event Promises resolve false, token getters' callbacks get the error), the
// queue bounded, and nothing thrown into the host page. Also shared by both
// builds: how the queue of calls made before the wasm is ready is read and
// bounded.
//
// The usual cause is a Content-Security-Policy: compiling WebAssembly needs
// 'wasm-unsafe-eval' in script-src, and fetching the .wasm needs its origin in
// connect-src. The browser reports which directive refused what in a
// `securitypolicyviolation` event; those are recorded from the moment this
// file runs, so that the message can name the missing directive.

const PREFIX = "search-insights-wasm: ";
const AFTER = " Nothing is sent: event Promises resolve false.";
const violations = [];

/** Whether `method` names a method that sends events (the 13 of search-insights). */
export function isEventMethod(method) {
  return /^(sendEvents|(clicked|converted|viewed)Filters|(clicked|converted|addedToCart|purchased)ObjectIDs(AfterSearch)?|viewedObjectIDs)$/.test(
    method
  );
}

/** How many calls wait in `aa.queue` at most until the wasm is ready. */
export const QUEUE_LIMIT = 1000;
export const QUEUE_FULL =
  PREFIX + "aa.queue is full (1000 calls): the oldest queued event calls are dropped (their Promises resolve false).";

function warn(text) {
  try {
    console.warn(text);
  } catch (e) {
    // A page whose console throws gets no message, and no exception either.
  }
}

/** `[method, ...args]` of a queue entry (an array or `arguments`), or null. */
export function asCall(entry) {
  try {
    if (entry && typeof entry === "object" && entry.length > 0) return Array.prototype.slice.call(entry);
  } catch (e) {
    // A Proxy that throws is no call.
  }
  return null;
}

/** `[method, ...args]` of `queue[i]`, or null (with a warning) when it is none. */
export function callAt(queue, i) {
  const entry = queue[i];
  const call = asCall(entry);
  if (!call) {
    warn(PREFIX + "aa.queue[" + i + "] is " + (entry === null ? "null" : typeof entry) + ", not a call [method, ...args]: skipped.");
  }
  return call;
}

let warnedFull = false;

/**
 * Leaves at most `limit` entries in `queue`, dropping the oldest event calls
 * first (never an `init`, `setUserToken` or other call that later events
 * depend on): `drop(entry)` is told of each. False when that was not enough.
 * Warns once per page.
 */
export function makeRoom(queue, limit, drop) {
  let excess = queue.length - limit;
  if (excess <= 0) return true;
  if (!warnedFull) warn(QUEUE_FULL);
  warnedFull = true;
  let kept = 0;
  for (let i = 0; i < queue.length; i++) {
    const entry = queue[i];
    const call = asCall(entry);
    if (excess > 0 && (!call || isEventMethod(call[0]))) {
      excess--;
      drop(entry);
    } else {
      queue[kept++] = entry;
    }
  }
  queue.length = kept;
  return excess <= 0;
}

/**
 * Settles a call that will never run (`error` says why): an event method
 * gives a Promise resolved false, `getUserToken`'s and
 * `getAuthenticatedUserToken`'s node-style callbacks get `error`, and
 * `getVersion`'s the version; other callbacks are never called.
 */
export function settleFailed(call, error) {
  const method = call && call[0];
  const version = method === "getVersion";
  const callback = version ? call[1] : method === "getUserToken" || method === "getAuthenticatedUserToken" ? call[2] : null;
  if (typeof callback === "function") {
    try {
      callback(version ? __SEARCH_INSIGHTS_VERSION__ : error);
    } catch (thrown) {
      try {
        console.error(thrown);
      } catch (e) {
        // Nothing more to do.
      }
    }
  }
  return isEventMethod(method) ? Promise.resolve(false) : undefined;
}

try {
  if (typeof document === "object" && document && typeof document.addEventListener === "function") {
    document.addEventListener("securitypolicyviolation", function (event) {
      try {
        violations.push({
          directive: String(event.effectiveDirective || event.violatedDirective || ""),
          blocked: String(event.blockedURI || ""),
        });
      } catch (e) {
        // A violation we cannot read names nothing.
      }
    });
  }
} catch (e) {
  // Without the event, the message is built from the error alone.
}

function describe(error) {
  try {
    return String((error && error.message) || error);
  } catch (e) {
    return "unknown error";
  }
}

/** The message for a load that failed with `error`, fetching `wasmUrl`. */
export function loadFailureMessage(error, wasmUrl) {
  const text = describe(error);
  const url = String(wasmUrl);
  const wasmEval = violations.find((v) => v.blocked === "wasm-eval" || v.blocked === "eval");
  if (wasmEval || /wasm-unsafe-eval|unsafe-eval|Content.Security.Policy/i.test(text)) {
    const directive = (wasmEval && wasmEval.directive) || "script-src";
    return (
      PREFIX +
      "this page's Content-Security-Policy blocks WebAssembly: " +
      directive +
      " lacks 'wasm-unsafe-eval'. Add 'wasm-unsafe-eval' to script-src (and the Insights host, " +
      "https://insights.algolia.io or your region's, to connect-src)." +
      AFTER
    );
  }
  const fetchBlocked = violations.find((v) => v.directive === "connect-src" && v.blocked && url.indexOf(v.blocked) === 0);
  if (fetchBlocked) {
    return (
      PREFIX +
      "this page's Content-Security-Policy blocks loading " +
      url +
      ": connect-src lacks its origin. Add it to connect-src (with the Insights host)." +
      AFTER
    );
  }
  return PREFIX + "could not load " + url + " (" + text + ")." + AFTER;
}

let report = null;

/**
 * Reports a failed load once per page, after the browser had a chance to
 * deliver its violation events (they arrive in a task of their own). The
 * Promise resolves with the message once it is printed.
 */
export function reportLoadFailure(error, wasmUrl) {
  if (!report) {
    report = new Promise(function (resolve) {
      const print = function () {
        let message = PREFIX + "could not load " + wasmUrl + "." + AFTER;
        try {
          message = loadFailureMessage(error, wasmUrl);
          console.error(message);
        } catch (e) {
          // A page whose console throws gets no message, and no exception either.
        }
        resolve(message);
      };
      try {
        setTimeout(print, 0);
      } catch (e) {
        print();
      }
    });
  }
  return report;
}

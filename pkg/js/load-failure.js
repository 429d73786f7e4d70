// When the wasm cannot be loaded: ONE clear console error, the calls made so
// far left queued, and nothing thrown into the host page.
//
// The usual cause is a Content-Security-Policy: compiling WebAssembly needs
// 'wasm-unsafe-eval' in script-src, and fetching the .wasm needs its origin in
// connect-src. The browser reports which directive refused what in a
// `securitypolicyviolation` event; those are recorded from the moment this
// file runs, so that the message can name the missing directive.

const PREFIX = "search-insights-wasm: ";
const violations = [];

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
      "https://insights.algolia.io or your region's, to connect-src). Calls made so far stay queued in aa.queue."
    );
  }
  const fetchBlocked = violations.find((v) => v.directive === "connect-src" && v.blocked && url.indexOf(v.blocked) === 0);
  if (fetchBlocked) {
    return (
      PREFIX +
      "this page's Content-Security-Policy blocks loading " +
      url +
      ": connect-src lacks its origin. Add it to connect-src (with the Insights host). " +
      "Calls made so far stay queued in aa.queue."
    );
  }
  return PREFIX + "could not load " + url + " (" + text + "). Calls made so far stay queued in aa.queue.";
}

let reported = false;

/**
 * Reports a failed load once per page, after the browser had a chance to
 * deliver its violation events (they arrive in a task of their own).
 */
export function reportLoadFailure(error, wasmUrl) {
  if (reported) return;
  reported = true;
  const report = function () {
    try {
      console.error(loadFailureMessage(error, wasmUrl));
    } catch (e) {
      // A page whose console throws gets no message, and no exception either.
    }
  };
  try {
    setTimeout(report, 0);
  } catch (e) {
    report();
  }
}

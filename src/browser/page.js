// The page services the wasm core needs: requests, timers, Web Locks, page
// events, cookies and localStorage, each read when called (a page's wrapper
// of them is honoured) and none ever throwing into the wasm. They also run in
// Node.js (no window: no page events, storage or Web Locks; Node's fetch and
// crypto), and every request can go through a caller's `requestFn` instead.

// POSTs `body` as text/plain (a CORS-simple request: no preflight) and calls
// `done(status, text)` exactly once, always from a later task or microtask
// (never while the caller is still running). Status 0 means no answer:
// `text` then says why when it is known — what `fetch` (or a page's wrapper
// of it) threw or rejected with, or that nothing came within `timeoutMs`.
//
// With a caller's `requester` (search-insights' `requestFn(url, data)`, data
// the parsed `{events}`), its answer decides: `true` is a 200, a number is
// taken as the HTTP status, `false` or anything else is no answer (retried
// like a network error), and a rejection or exception is a network error.
export function post(requester, url, body, keepalive, timeoutMs, done) {
  let called = false;
  let timer;
  const finish = (status, text) => {
    if (!called) {
      called = true;
      clearTimeout(timer);
      done(status, text);
    }
  };
  // "Error: blocked by extension", "TypeError: Failed to fetch": what was
  // thrown, as one line, without letting a hostile value throw again.
  const fail = (error) => finish(0, describe(error));
  try {
    if (requester) {
      timer = setTimeout(() => finish(0, "requestFn gave no answer within " + timeoutMs + " ms"), timeoutMs);
      Promise.resolve(requester(url, JSON.parse(body))).then(
        (answer) =>
          typeof answer === "number"
            ? finish(answer, "")
            : answer === true
              ? finish(200, "")
              : finish(0, "requestFn resolved " + describe(answer)),
        fail
      );
      return;
    }
    if (typeof fetch !== "function") throw "fetch is not available";
    const init = { method: "POST", body, keepalive, mode: "cors", credentials: "omit" };
    if (typeof AbortController === "function") {
      const controller = new AbortController();
      init.signal = controller.signal;
      // fetch rejects with this reason (older browsers: an AbortError).
      timer = setTimeout(() => controller.abort("no answer within " + timeoutMs + " ms"), timeoutMs);
    }
    fetch(url, init).then(
      (response) => response.text().then((text) => finish(response.status, text), () => finish(response.status, "")),
      fail
    );
  } catch (e) {
    Promise.resolve().then(() => fail(e));
  }
}

// `String(value)` that never throws (a hostile value is left unsaid).
function describe(value) {
  try {
    return String(value);
  } catch (e) {
    return "";
  }
}

// Whether fetch honours `keepalive` (Firefox before 133 ignores it, and its
// requests die with the page): the page then leaves with sendBeacon.
// A caller's requester is used in every case.
export function keepaliveSupported(requester) {
  if (requester) return true;
  try {
    return typeof fetch === "function" && typeof Request !== "undefined" && "keepalive" in Request.prototype;
  } catch (e) {
    return false;
  }
}

// navigator.sendBeacon; false when unavailable or refused. A caller's
// requester is handed the events instead (its answer is not awaited: the
// page is going away).
export function beacon(requester, url, body) {
  try {
    if (requester) {
      Promise.resolve(requester(url, JSON.parse(body))).catch(() => {});
      return true;
    }
    return typeof navigator !== "undefined" && !!navigator.sendBeacon && navigator.sendBeacon(url, body);
  } catch (e) {
    return false;
  }
}

// Calls `fn` once after `ms` milliseconds (never throws: an exception must not
// unwind through the wasm).
export function later(ms, fn) {
  try {
    setTimeout(fn, ms);
  } catch (e) {
    // Without timers the next call or the page being hidden flushes instead.
  }
}

// Fills `bytes` from crypto.getRandomValues (the page's, or Node's global
// crypto); false when there is none.
export function randomValues(bytes) {
  try {
    globalThis.crypto.getRandomValues(bytes);
    return true;
  } catch (e) {
    return false;
  }
}

// Whether this is a page (not Node.js or a worker): only a page has
// localStorage, Web Locks shared with other tabs and page events to watch.
const inPage = typeof window === "object" && window !== null && typeof document === "object";

// The page's window (the global object, where it is a Window: not in Node.js
// or a worker), its HTMLDocument and its localStorage, or undefined.
function pageWindow() {
  try {
    return typeof Window === "function" && globalThis instanceof Window ? globalThis : undefined;
  } catch (e) {
    return undefined;
  }
}
function pageDocument() {
  try {
    const doc = pageWindow()?.document;
    return typeof HTMLDocument === "function" && doc instanceof HTMLDocument ? doc : undefined;
  } catch (e) {
    return undefined;
  }
}
function storage() {
  try {
    return pageWindow()?.localStorage || undefined;
  } catch (e) {
    return undefined; // a SecurityError: storage is blocked
  }
}

// localStorage.getItem: the text, or undefined (none, or storage unusable).
export function getItem(key) {
  try {
    const value = storage()?.getItem(key);
    return value === null || value === undefined ? undefined : String(value);
  } catch (e) {
    return undefined;
  }
}

// localStorage.setItem: whether it was written (false when full or blocked).
export function setItem(key, value) {
  try {
    const s = storage();
    if (!s) return false;
    s.setItem(key, value);
    return true;
  } catch (e) {
    return false;
  }
}

export function removeItem(key) {
  try {
    storage()?.removeItem(key);
  } catch (e) {
    // Nothing to remove from an unusable storage.
  }
}

// document.cookie ("" without a document, or when it throws).
export function readCookies() {
  try {
    const cookies = pageDocument()?.cookie;
    return typeof cookies === "string" ? cookies : "";
  } catch (e) {
    return "";
  }
}

export function writeCookie(cookie) {
  try {
    const doc = pageDocument();
    if (doc) doc.cookie = cookie;
  } catch (e) {
    // A page that refuses cookies keeps the token in memory.
  }
}

// navigator.cookieEnabled, false when unknown.
export function cookiesEnabled() {
  try {
    return !!pageWindow()?.navigator.cookieEnabled;
  } catch (e) {
    return false;
  }
}

// Whether the page was loaded over https.
export function securePage() {
  try {
    return pageWindow()?.location.protocol === "https:";
  } catch (e) {
    return false;
  }
}

// A new Promise with its resolve and reject functions: [promise, resolve, reject].
export function deferred() {
  let resolve, reject;
  const promise = new Promise((yes, no) => {
    resolve = yes;
    reject = no;
  });
  return [promise, resolve, reject];
}

// Asks the Web Locks API for the lock `name`, to hold for the page's life,
// and calls `granted()` once it is. Returns false, calling nothing, when the
// page has no Web Locks API. (A request that fails later is never granted:
// where that happens, localStorage is not usable either.)
export function lock(name, granted) {
  try {
    const locks = inPage && typeof navigator !== "undefined" && navigator.locks;
    if (!locks || typeof locks.request !== "function") return false;
    locks
      .request(name, () => {
        granted();
        return new Promise(() => {});
      })
      .catch(() => {});
    return true;
  } catch (e) {
    return false;
  }
}

// JSON.parse as it was when the library loaded (a page may replace it
// later): the parsed value, or undefined for text that is not JSON.
const jsonParse = JSON.parse;
export function parseJson(text) {
  try {
    return jsonParse(text);
  } catch (e) {
    return undefined;
  }
}

// The names of the keys in localStorage that start with `prefix`, one a line.
export function storageKeys(prefix) {
  const keys = [];
  try {
    if (!inPage) return "";
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i);
      if (key !== null && key.startsWith(prefix)) keys.push(key);
    }
  } catch (e) {
    // An unreadable storage has no keys.
  }
  return keys.join("\n");
}

// Calls `onHide` when the page is being hidden or unloaded, and `onStorage`
// when another document changes `key` in localStorage.
export function watchPage(onHide, onStorage) {
  try {
    if (!inPage || typeof addEventListener !== "function") return;
    addEventListener("pagehide", () => onHide());
    if (typeof document !== "undefined") {
      document.addEventListener("visibilitychange", () => {
        if (document.visibilityState === "hidden") onHide();
      });
    }
    addEventListener("storage", (e) => onStorage(e && typeof e.key === "string" ? e.key : ""));
  } catch (e) {
    // A page without these events still works; it only loses the unload flush.
  }
}

// console.error (error) or console.warn, with an optional detail value. Never
// throws: a page may have replaced the console with functions that do, and
// an exception must not unwind through the wasm.
export function report(error, message, detail) {
  try {
    const log = error ? console.error : console.warn;
    if (detail === undefined) log.call(console, message);
    else log.call(console, message, detail);
  } catch (e) {
    // Nowhere left to report to.
  }
}

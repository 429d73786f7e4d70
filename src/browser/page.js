// The few page services the wasm core needs that involve callbacks or
// Promises; everything else it reaches through web-sys.

// POSTs `body` as text/plain (a CORS-simple request: no preflight) and calls
// `done(status, text)` exactly once, always from a later task or microtask
// (never while the caller is still running). Status 0 means no answer:
// `text` then says why when it is known — what `fetch` (or a page's wrapper
// of it) threw or rejected with, or that nothing came within `timeoutMs`.
export function post(url, body, keepalive, timeoutMs, done) {
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
  const fail = (error) => {
    let text = "";
    try {
      text = String(error);
    } catch (e) {
      // Left unsaid.
    }
    finish(0, text);
  };
  try {
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

// Whether fetch honours `keepalive` (Firefox before 133 ignores it, and its
// requests die with the page): the page then leaves with sendBeacon.
export function keepaliveSupported() {
  try {
    return typeof fetch === "function" && typeof Request !== "undefined" && "keepalive" in Request.prototype;
  } catch (e) {
    return false;
  }
}

// navigator.sendBeacon; false when unavailable or refused.
export function beacon(url, body) {
  try {
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

// Asks the Web Locks API for the lock `name`, to hold for the page's life,
// and calls `granted()` once it is. Returns false, calling nothing, when the
// page has no Web Locks API. (A request that fails later is never granted:
// where that happens, localStorage is not usable either.)
export function lock(name, granted) {
  try {
    const locks = typeof navigator !== "undefined" && navigator.locks;
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

// The names of the keys in localStorage that start with `prefix`, one a line.
export function storageKeys(prefix) {
  const keys = [];
  try {
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
    if (typeof addEventListener !== "function") return;
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

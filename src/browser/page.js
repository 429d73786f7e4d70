// The few page services the wasm core needs that involve callbacks or
// Promises; everything else it reaches through web-sys.

// POSTs `body` as text/plain (a CORS-simple request: no preflight) and calls
// `done(status, text)` exactly once, always from a later task or microtask
// (never while the caller is still running); status 0 means no answer:
// network error, refused, or nothing within `timeoutMs`.
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
  const fail = () => Promise.resolve().then(() => finish(0, ""));
  try {
    if (typeof fetch !== "function") return fail();
    const init = { method: "POST", body, keepalive, mode: "cors", credentials: "omit" };
    if (typeof AbortController === "function") {
      const controller = new AbortController();
      init.signal = controller.signal;
      timer = setTimeout(() => controller.abort(), timeoutMs);
    }
    fetch(url, init).then(
      (response) => response.text().then((text) => finish(response.status, text), () => finish(response.status, "")),
      () => finish(0, "")
    );
  } catch (e) {
    fail();
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

// Calls `fn` once after `ms` milliseconds.
export function later(ms, fn) {
  setTimeout(fn, ms);
}

// Calls `onHide` when the page is being hidden or unloaded, and `onStorage`
// when another document changes `key` in localStorage.
export function watchPage(onHide, onStorage) {
  if (typeof addEventListener !== "function") return;
  addEventListener("pagehide", () => onHide());
  if (typeof document !== "undefined") {
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden") onHide();
    });
  }
  addEventListener("storage", (e) => onStorage(e.key == null ? "" : e.key));
}

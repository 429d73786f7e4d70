// The few page services the wasm core needs that involve callbacks or
// Promises; everything else it reaches through web-sys.

// POSTs `body` as text/plain (a CORS-simple request: no preflight) and calls
// `done(status, text)` exactly once; status 0 means no answer.
export function post(url, body, keepalive, timeoutMs, done) {
  let called = false;
  const finish = (status, text) => {
    if (!called) {
      called = true;
      done(status, text);
    }
  };
  try {
    const init = { method: "POST", body, keepalive, mode: "cors", credentials: "omit" };
    if (typeof AbortSignal !== "undefined" && AbortSignal.timeout) {
      init.signal = AbortSignal.timeout(timeoutMs);
    }
    fetch(url, init).then(
      (response) => response.text().then((text) => finish(response.status, text), () => finish(response.status, "")),
      () => finish(0, "")
    );
  } catch (e) {
    finish(0, "");
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

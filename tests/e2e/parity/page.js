// Page side of the side-by-side check: runs one scenario's `aa()` calls in the
// page, exactly as a site would, and records what a site could observe —
// return values, thrown errors, callback arguments — plus, through
// pass-through hooks on fetch and sendBeacon, which requests went out.
// The library itself is never touched.
//
// window.__PARITY__ = {steps, mode, lib, app, fixedTimestamp} is set before this
// script runs. A step is [method, ...args]; "$LOADED" waits for the library:
// for the snippet, until its script has run (its `load` event) and, for this
// library, until the wasm took over `aa`; "$DELIVERED" waits until a request
// went out since the last one and none is in flight. Nothing here gives up
// after a time: `log.waiting` says what the page is waiting for, and the run
// (run.mjs) fails with it when its generous safety net runs out. These
// strings inside arguments are replaced:
//   "$APP" the application ID of this run   "$HOST" the page's origin
//   "$CB"  a callback recording its arguments   "$UNDEFINED" undefined
//   "$TIMESTAMP" a fixed timestamp shared by both runs
(function () {
  "use strict";
  var config = window.__PARITY__;
  var log = (window.__parityLog = { steps: [], callbacks: [], sent: [], inFlight: 0, loaded: null, done: false, error: null, waiting: null });

  // The snippet's script element: its `load` (or `error`) event says the
  // library's script has run. Capture, since these events do not bubble.
  var script = null;
  var isLibraryScript = function (el) {
    return el && el.tagName === "SCRIPT" && /search-insights\.min\.js$/.test(el.src || "");
  };
  ["load", "error"].forEach(function (type) {
    document.addEventListener(type, function (e) { if (isLibraryScript(e.target)) script = type; }, true);
  });

  function describe(value, depth) {
    depth = depth || 0;
    if (value === undefined) return "$undefined";
    if (typeof value === "function") return "$function";
    if (value && typeof value.then === "function") return "$promise";
    if (value === null || typeof value !== "object" || depth > 6) return value;
    if (Array.isArray(value)) return value.map(function (v) { return describe(v, depth + 1); });
    var out = {};
    Object.keys(value).forEach(function (k) { out[k] = describe(value[k], depth + 1); });
    return out;
  }

  // Pass-through hooks: record each request to the Insights API, unchanged,
  // in the order it was sent, with its body (the order of events on the wire).
  var isEvents = function (url) { return String(url).indexOf("/1/events") !== -1; };
  var bodyText = function (data) { return typeof data === "string" ? data : data == null ? null : "$non-string body"; };
  if (navigator.sendBeacon) {
    var beacon = navigator.sendBeacon.bind(navigator);
    navigator.sendBeacon = function (url, data) {
      var queued = beacon(url, data);
      if (isEvents(url)) log.sent.push({ via: "beacon", url: String(url), queued: queued, body: bodyText(data) });
      return queued;
    };
  }
  var originalFetch = window.fetch;
  window.fetch = function (input, init) {
    var url = typeof input === "string" ? input : input && input.url;
    var promise = originalFetch.apply(this, arguments);
    if (isEvents(url)) {
      log.sent.push({ via: "fetch", url: String(url), body: bodyText(init && init.body) });
      log.inFlight++;
      var settled = function () { log.inFlight--; };
      promise.then(settled, settled);
    }
    return promise;
  };
  var xhrOpen = XMLHttpRequest.prototype.open;
  var xhrSend = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.open = function (method, url) {
    this.__parityUrl = String(url);
    return xhrOpen.apply(this, arguments);
  };
  XMLHttpRequest.prototype.send = function (data) {
    if (isEvents(this.__parityUrl)) {
      log.sent.push({ via: "xhr", url: this.__parityUrl, body: bodyText(data) });
      log.inFlight++;
      this.addEventListener("loadend", function () { log.inFlight--; });
    }
    return xhrSend.apply(this, arguments);
  };

  function substitute(value, step) {
    if (value === "$APP") return config.app;
    if (value === "$HOST") return location.origin;
    if (value === "$UNDEFINED") return undefined;
    if (value === "$TIMESTAMP") return config.fixedTimestamp;
    if (value === "$CB") {
      return function () {
        log.callbacks.push({ step: step, args: describe(Array.prototype.slice.call(arguments)) });
      };
    }
    if (Array.isArray(value)) return value.map(function (v) { return substitute(v, step); });
    if (value && typeof value === "object") {
      var out = {};
      Object.keys(value).forEach(function (k) { out[k] = substitute(value[k], step); });
      return out;
    }
    return value;
  }

  function runStep(i) {
    var step = config.steps[i];
    var args = substitute(step, i);
    var record = { step: i, method: step[0], returned: "$undefined", threw: null };
    log.steps.push(record);
    try {
      var result = window.aa.apply(null, args);
      if (result && typeof result.then === "function") {
        record.returned = { promise: "$pending" };
        return result.then(
          function (v) { record.returned = { promise: describe(v) }; },
          function (e) { record.returned = { rejected: String(e && e.message) }; }
        );
      }
      record.returned = describe(result);
    } catch (e) {
      record.threw = String(e && e.message);
    }
    return null;
  }

  function tookOver() {
    var aa = window.aa;
    return !!(aa && aa.queue && aa.queue.push !== Array.prototype.push);
  }

  // Resolves once `check()` holds; never gives up (see `log.waiting`).
  function waitUntil(what, check) {
    log.waiting = what;
    return new Promise(function (resolve) {
      (function poll() {
        if (check()) {
          log.waiting = null;
          resolve();
        } else setTimeout(poll, 20);
      })();
    });
  }

  // The moment the library takes over `aa`: both libraries replay the
  // snippet's queue and then assign `aa.queue.push`. An accessor on the
  // queue (set up before the library's script runs, and behaving as the
  // plain property would) sees that assignment; the run goes on in a
  // microtask right after it, before any timer of the library can fire, so
  // what this library batches with the replayed calls never depends on speed.
  var takeOver = null;
  function watchTakeOver() {
    if (config.mode === "module" || tookOver()) return;
    var aa = window.aa;
    var queue = (aa.queue = aa.queue || []);
    var push = queue.push;
    var resolve;
    takeOver = new Promise(function (r) { resolve = r; });
    Object.defineProperty(queue, "push", {
      configurable: true,
      enumerable: false,
      get: function () { return push; },
      set: function (value) {
        push = value;
        if (value !== Array.prototype.push) resolve();
      },
    });
  }

  // Whether the library took over `aa`. The module pages start the run once
  // it answers. search-insights' script takes over while it runs, or never
  // (when it throws): its load event says which. This library's script
  // starts instantiating the wasm and takes over once that is done.
  function waitForLibrary() {
    if (config.mode === "module" || tookOver()) return Promise.resolve(true);
    if (config.lib === "wasm") {
      log.waiting = "this library to take over `aa` (wasm instantiated)";
      return takeOver.then(function () {
        log.waiting = null;
        return true;
      });
    }
    return waitUntil("the library's script to run (its load event)", function () { return script !== null; }).then(function () {
      if (script === "error") throw new Error("the library's script failed to load");
      return tookOver();
    });
  }

  // Runs the steps before the first "$LOADED" at once (the snippet queues
  // them), then the rest in order once the library has taken over `aa`.
  window.__runParity = function () {
    var pending = [];
    var delivered = 0;
    var i = 0;
    for (; i < config.steps.length && config.steps[i] !== "$LOADED"; i++) {
      var p = runStep(i);
      if (p) pending.push(p);
    }
    watchTakeOver();
    var next = function () {
      for (; i < config.steps.length; i++) {
        var step = config.steps[i];
        if (step === "$LOADED") {
          i++;
          return waitForLibrary().then(function (ok) {
            log.loaded = ok;
            return next();
          });
        }
        if (step === "$DELIVERED") {
          i++;
          return waitUntil("step " + (i - 1) + " ($DELIVERED): a request sent since the last one, none in flight", function () {
            return log.sent.length > delivered && log.inFlight === 0;
          }).then(function () {
            delivered = log.sent.length;
            return next();
          });
        }
        var q = runStep(i);
        if (q) pending.push(q);
      }
      return Promise.all(pending);
    };
    return next().then(
      function () {
        // Harness, not scenario: this library batches for up to 50 ms; send
        // now (flush sends synchronously), so the run waits only for answers.
        if (config.lib === "wasm" && log.loaded !== false) window.aa("flush");
        log.done = true;
      },
      function (e) { log.error = String(e); log.done = true; }
    );
  };
})();

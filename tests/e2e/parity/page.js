// Page side of the side-by-side check: runs one scenario's `aa()` calls in the
// page, exactly as a site would, and records what a site could observe —
// return values, thrown errors, callback arguments — plus, through
// pass-through hooks on fetch and sendBeacon, which requests went out.
// The library itself is never touched.
//
// window.__PARITY__ = {steps, mode, lib, app, fixedTimestamp} is set before this
// script runs. A step is [method, ...args]; "$LOADED" waits for the library
// (at most 5 s); "$DELIVERED" waits until a request went out since the last
// one and none is in flight; these strings inside arguments are replaced:
//   "$APP" the application ID of this run   "$HOST" the page's origin
//   "$CB"  a callback recording its arguments   "$UNDEFINED" undefined
//   "$TIMESTAMP" a fixed timestamp shared by both runs
(function () {
  "use strict";
  var config = window.__PARITY__;
  var log = (window.__parityLog = { steps: [], callbacks: [], sent: [], inFlight: 0, loaded: null, done: false, error: null });

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

  // Pass-through hooks: record each request to the Insights API, unchanged.
  var isEvents = function (url) { return String(url).indexOf("/1/events") !== -1; };
  if (navigator.sendBeacon) {
    var beacon = navigator.sendBeacon.bind(navigator);
    navigator.sendBeacon = function (url, data) {
      var queued = beacon(url, data);
      if (isEvents(url)) log.sent.push({ via: "beacon", url: String(url), queued: queued });
      return queued;
    };
  }
  var originalFetch = window.fetch;
  window.fetch = function (input, init) {
    var url = typeof input === "string" ? input : input && input.url;
    var promise = originalFetch.apply(this, arguments);
    if (isEvents(url)) {
      log.sent.push({ via: "fetch", url: String(url) });
      log.inFlight++;
      var settled = function () { log.inFlight--; };
      promise.then(settled, settled);
    }
    return promise;
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

  function loaded() {
    var aa = window.aa;
    if (config.mode === "module") return true;
    return !!(aa && aa.queue && aa.queue.push !== Array.prototype.push);
  }

  function waitUntil(check, timeoutMs) {
    var end = Date.now() + timeoutMs;
    return new Promise(function (resolve) {
      (function poll() {
        if (check()) resolve(true);
        else if (Date.now() > end) resolve(false);
        else setTimeout(poll, 20);
      })();
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
    var next = function () {
      for (; i < config.steps.length; i++) {
        var step = config.steps[i];
        if (step === "$LOADED") {
          i++;
          return waitUntil(loaded, 5000).then(function (ok) {
            log.loaded = ok;
            return next();
          });
        }
        if (step === "$DELIVERED") {
          i++;
          return waitUntil(function () {
            return log.sent.length > delivered && log.inFlight === 0;
          }, 10000).then(function () {
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
        // now so the run can tell when everything has reached the endpoint.
        if (config.lib === "wasm" && log.loaded !== false) window.aa("flush");
        log.done = true;
      },
      function (e) { log.error = String(e); log.done = true; }
    );
  };
})();

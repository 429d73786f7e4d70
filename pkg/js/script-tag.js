// The classic script loaded by the search-insights snippet
// (pkg/search-insights.min.js). It finds the page's `aa` function through
// window.AlgoliaAnalyticsObject, keeps that very function object (InstantSearch
// holds a reference to it), replays its queue in order once the wasm is ready,
// and then makes `aa.queue.push` dispatch directly, as search-insights does.
//
// The wasm is embedded (gzipped, unpacked by DecompressionStream as it is
// compiled), so the page makes one request; a browser without
// DecompressionStream (Safari before 16.4, Firefox before 113) fetches
// search_insights_wasm_bg.wasm from next to this script instead.
//
// Nothing here throws into the host page: when the wasm cannot be loaded
// (a Content-Security-Policy without 'wasm-unsafe-eval', a missing file),
// one console error says why, `aa.queue` is cut to 1000 calls (oldest event
// calls dropped first) and grows no more, and the callbacks of token getters
// get the error. Until then `aa.queue` is the snippet's own array with its
// own `push` (pages and integrations take a replaced `push` to mean "loaded").
import init, { Insights } from "../../target/bindgen/search_insights_wasm.js";
import { QUEUE_LIMIT, asCall, callAt, makeRoom, reportLoadFailure, settleFailed } from "./load-failure.js";
// The wasm, gzipped, in this very file: one request instead of two.
import { embeddedWasm } from "./wasm-gzip.js";

(function () {
  if (typeof window !== "object") return;
  let wasmUrl = "search_insights_wasm_bg.wasm";
  // What was loaded, for the load-failure message: the file fetched, or this script.
  let where = wasmUrl;
  try {
    const script = document.currentScript;
    let name = window.AlgoliaAnalyticsObject;
    if (!name) name = window.AlgoliaAnalyticsObject = "aa";
    let aa = window[name];
    if (typeof aa !== "function") {
      aa = window[name] = function () {
        return (aa.queue = aa.queue || []).push(arguments);
      };
    }
    if (aa.queue && aa.queue.__insightsWasm) return; // this script ran already
    aa.version = __SEARCH_INSIGHTS_VERSION__;
    const queue = (aa.queue = aa.queue || []);
    const scriptUrl = (script && script.src) || document.baseURI || location.href;
    wasmUrl = new URL(wasmUrl, scriptUrl);
    Object.defineProperty(queue, "__insightsWasm", { value: true });
    const mark = function (name) {
      try {
        if (typeof performance === "object" && performance.mark) performance.mark(name);
      } catch (e) {
        // Marks are for measuring only.
      }
    };
    const failed = function (error) {
      reportLoadFailure(error, where).then(function (message) {
        const failure = new Error(message);
        const settle = function (entry) {
          settleFailed(asCall(entry), failure);
        };
        makeRoom(queue, QUEUE_LIMIT, settle);
        queue.forEach(settle);
        queue.push = function () {
          for (let i = 0; i < arguments.length; i++) settle(arguments[i]);
          return queue.length;
        };
      });
    };
    mark("insights-wasm:instantiate-start");
    // The embedded wasm, unpacked as it is compiled; without
    // DecompressionStream, the download of the .wasm next to the script
    // starts at once (and, with the right MIME type, compiling with it).
    let wasm;
    try {
      wasm = embeddedWasm();
      where = "the wasm embedded in " + scriptUrl;
    } catch (e) {
      where = wasmUrl;
      wasm = typeof fetch === "function" ? fetch(wasmUrl) : wasmUrl;
    }
    init({ module_or_path: wasm }).then(
      function () {
        mark("insights-wasm:instantiate-end");
        let client;
        try {
          client = new Insights();
        } catch (error) {
          failed(error);
          return;
        }
        const run = function (args) {
          return client.call(args[0], Array.prototype.slice.call(args, 1));
        };
        // Calls made by callbacks during the replay are pushed onto the queue
        // and replayed too, in order.
        for (let i = 0; i < queue.length; i++) {
          const call = callAt(queue, i);
          if (!call) continue;
          try {
            run(call);
          } catch (error) {
            try {
              console.error(error);
            } catch (e) {
              // The page's console threw: nothing more to do.
            }
          }
        }
        queue.push = run;
      },
      failed
    );
  } catch (error) {
    reportLoadFailure(error, where);
  }
})();

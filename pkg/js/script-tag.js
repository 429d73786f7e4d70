// The classic script loaded by the search-insights snippet
// (pkg/search-insights.min.js). It finds the page's `aa` function through
// window.AlgoliaAnalyticsObject, keeps that very function object (InstantSearch
// holds a reference to it), replays its queue in order once the wasm is ready,
// and then makes `aa.queue.push` dispatch directly, as search-insights does.
//
// Nothing here throws into the host page: when the wasm cannot be loaded
// (a Content-Security-Policy without 'wasm-unsafe-eval', a missing file),
// one console error says why and the calls stay queued in `aa.queue`.
import init, { Insights } from "../../target/bindgen/search_insights_wasm.js";
import { reportLoadFailure } from "./load-failure.js";

(function () {
  if (typeof window !== "object") return;
  let wasmUrl = "search_insights_wasm_bg.wasm";
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
    wasmUrl = new URL(wasmUrl, (script && script.src) || document.baseURI || location.href);
    Object.defineProperty(queue, "__insightsWasm", { value: true });
    const mark = function (name) {
      try {
        if (typeof performance === "object" && performance.mark) performance.mark(name);
      } catch (e) {
        // Marks are for measuring only.
      }
    };
    mark("insights-wasm:instantiate-start");
    // Start downloading (and, with the right MIME type, compiling) the wasm
    // at once; init() awaits the response.
    const wasm = typeof fetch === "function" ? fetch(wasmUrl) : wasmUrl;
    init({ module_or_path: wasm }).then(
      function () {
        mark("insights-wasm:instantiate-end");
        let client;
        try {
          client = new Insights();
        } catch (error) {
          reportLoadFailure(error, wasmUrl);
          return;
        }
        const run = function (args) {
          return client.call(args[0], Array.prototype.slice.call(args, 1));
        };
        // Calls made by callbacks during the replay are pushed onto the queue
        // and replayed too, in order.
        for (let i = 0; i < queue.length; i++) {
          try {
            run(queue[i]);
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
      function (error) {
        reportLoadFailure(error, wasmUrl);
      }
    );
  } catch (error) {
    reportLoadFailure(error, wasmUrl);
  }
})();

// The npm entry point (pkg/index.mjs). The default export is a ready-to-call
// `aa`: calls made before the wasm is instantiated are queued (event methods
// return a Promise right away, callbacks fire once ready) and run in order
// once it is.
import init, { Insights } from "../../target/bindgen/search_insights_wasm.js";
import { reportLoadFailure } from "./load-failure.js";

const EVENT_METHODS = new Set([
  "sendEvents",
  "clickedObjectIDsAfterSearch",
  "clickedObjectIDs",
  "clickedFilters",
  "convertedObjectIDsAfterSearch",
  "convertedObjectIDs",
  "convertedFilters",
  "addedToCartObjectIDsAfterSearch",
  "addedToCartObjectIDs",
  "purchasedObjectIDsAfterSearch",
  "purchasedObjectIDs",
  "viewedObjectIDs",
  "viewedFilters",
]);

// Written as `new URL("./file", import.meta.url)` so that bundlers (Vite,
// webpack 5, Parcel, esbuild with a loader) emit the .wasm as an asset and
// rewrite this URL to it.
const wasmUrl = new URL("./search_insights_wasm_bg.wasm", import.meta.url);
let loading;
function load() {
  if (!loading) loading = init({ module_or_path: wasmUrl });
  return loading;
}

/**
 * A new, independent `aa` function with its own tokens, settings and outbox.
 *
 * Until the wasm is ready, `aa.queue` holds the calls made so far as
 * `[method, ...args]`, like the search-insights snippet's queue, so that
 * integrations reading it (InstantSearch looks for a queued `setUserToken` or
 * `init`) see them. Once ready the queue is replayed in order and removed.
 */
export function createInsightsClient() {
  let client = null;
  const promises = new Map(); // queued entry → {resolve, reject}
  const aa = function (method, ...args) {
    if (client) return client.call(method, args);
    const entry = [method, ...args];
    aa.queue.push(entry);
    if (!EVENT_METHODS.has(method)) return undefined;
    return new Promise((resolve, reject) => promises.set(entry, { resolve, reject }));
  };
  aa.version = __SEARCH_INSIGHTS_VERSION__;
  aa.queue = [];
  load().then(
    () => {
      const ready = new Insights();
      const queue = aa.queue;
      // Calls made by callbacks during the replay join the queue and run in
      // order, after the calls queued before them.
      for (let i = 0; i < queue.length; i++) {
        const [method, ...args] = queue[i];
        const promise = promises.get(queue[i]);
        promises.delete(queue[i]);
        try {
          const result = ready.call(method, args);
          if (promise) promise.resolve(result);
        } catch (error) {
          // An event method's error goes to its Promise, as `await aa(...)`
          // would have thrown it; other methods have no one to tell.
          if (promise) promise.reject(error);
          else console.error(error);
        }
      }
      client = ready;
      delete aa.queue;
    },
    (error) => reportLoadFailure(error, wasmUrl)
  );
  return aa;
}

const aa = createInsightsClient();

// Like search-insights' browser build: make this instance findable by
// integrations (InstantSearch, Autocomplete) through
// window.AlgoliaAnalyticsObject, unless the page already has one.
if (typeof window === "object" && !window.AlgoliaAnalyticsObject) {
  let pointer;
  do {
    pointer = "aa_" + Math.random().toString(36).slice(2);
  } while (window[pointer] !== undefined);
  window.AlgoliaAnalyticsObject = pointer;
  window[pointer] = aa;
}

export default aa;

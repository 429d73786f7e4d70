// The npm entry point (pkg/index.mjs). The default export is a ready-to-call
// `aa`: calls made before the wasm is instantiated are queued (event methods
// return a Promise right away) and run in order once it is.
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

const wasmUrl = new URL("./search_insights_wasm_bg.wasm", import.meta.url);
let loading;
function load() {
  if (!loading) loading = init({ module_or_path: wasmUrl });
  return loading;
}

/** A new, independent `aa` function with its own tokens, settings and outbox. */
export function createInsightsClient() {
  let client = null;
  const waiting = [];
  const aa = function (method, ...args) {
    if (client) return client.call(method, args);
    if (!EVENT_METHODS.has(method)) {
      waiting.push([method, args, null]);
      return undefined;
    }
    return new Promise((resolve) => waiting.push([method, args, resolve]));
  };
  aa.version = __SEARCH_INSIGHTS_VERSION__;
  load().then(
    () => {
      client = new Insights();
      for (const [method, args, resolve] of waiting.splice(0)) {
        let result;
        try {
          result = client.call(method, args);
        } catch (error) {
          console.error(error);
          result = false;
        }
        if (resolve) resolve(result);
      }
    },
    (error) => reportLoadFailure(error, wasmUrl)
  );
  return aa;
}

const aa = createInsightsClient();

// Like search-insights' browser build: make this instance findable by
// integrations (InstantSearch) through window.AlgoliaAnalyticsObject.
if (typeof window === "object" && !window.AlgoliaAnalyticsObject) {
  let pointer;
  do {
    pointer = "aa_" + Math.random().toString(36).slice(2);
  } while (window[pointer] !== undefined);
  window.AlgoliaAnalyticsObject = pointer;
  window[pointer] = aa;
}

export default aa;

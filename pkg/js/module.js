// The npm entry point (pkg/index.mjs). The default export is a ready-to-call
// `aa`: calls made before the wasm is instantiated are queued (event methods
// return a Promise right away, callbacks fire once ready) and run in order
// once it is.
import init, { Insights } from "../../target/bindgen/search_insights_wasm.js";
import {
  isEventMethod,
  QUEUE_FULL,
  QUEUE_LIMIT,
  callAt,
  asCall,
  makeRoom,
  reportLoadFailure,
  settleFailed,
} from "./load-failure.js";

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
 * It holds at most 1000 calls: past that, the oldest queued event call is
 * dropped (its Promise resolves false). When the wasm cannot be loaded every
 * call settles (see `settleFailed`) and the queue stops growing.
 */
export function createInsightsClient() {
  let client = null;
  let failure = null; // the Error saying why the wasm could not be loaded
  let replaying = false;
  const promises = new Map(); // queued entry → {resolve, reject}
  // An entry that will never run.
  const drop = (entry, error) => {
    const promise = promises.get(entry);
    promises.delete(entry);
    if (promise) promise.resolve(false);
    settleFailed(asCall(entry), error);
  };
  const aa = function (method, ...args) {
    if (client) return client.call(method, args);
    const entry = [method, ...args];
    if (failure) return settleFailed(entry, failure);
    const queue = aa.queue;
    // (During the replay, calls made by callbacks join the queue unbounded:
    // dropping entries would move the ones not yet replayed.)
    if (!replaying && !makeRoom(queue, QUEUE_LIMIT - 1, drop)) return settleFailed(entry, new Error(QUEUE_FULL));
    queue.push(entry);
    if (!isEventMethod(method)) return undefined;
    return new Promise((resolve, reject) => promises.set(entry, { resolve, reject }));
  };
  aa.version = __SEARCH_INSIGHTS_VERSION__;
  aa.queue = [];
  const fail = (error) =>
    reportLoadFailure(error, wasmUrl).then((message) => {
      failure = new Error(message);
      // The queue keeps its calls for whoever reads it, and grows no more.
      aa.queue.forEach((entry) => drop(entry, failure));
    });
  load().then(() => {
    let ready;
    try {
      ready = new Insights();
    } catch (error) {
      return fail(error);
    }
    const queue = aa.queue;
    // Calls made by callbacks during the replay join the queue and run in
    // order, after the calls queued before them.
    replaying = true;
    for (let i = 0; i < queue.length; i++) {
      const promise = promises.get(queue[i]);
      promises.delete(queue[i]);
      // Anything the page pushed itself that is no call is skipped.
      const call = callAt(queue, i);
      if (!call) continue;
      try {
        const result = ready.call(call[0], call.slice(1));
        if (promise) promise.resolve(result);
      } catch (error) {
        // An event method's error goes to its Promise, as `await aa(...)`
        // would have thrown it; other methods have no one to tell.
        if (promise) promise.reject(error);
        else console.error(error);
      }
    }
    replaying = false;
    client = ready;
    delete aa.queue;
  }, fail);
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

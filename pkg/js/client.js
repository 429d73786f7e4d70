// `createInsightsClient(requestFn)`, shared by every npm build. A client is
// an `aa` function: once the wasm is instantiated it calls it directly; until
// then (the browser build instantiates asynchronously) calls are queued in
// `aa.queue`, event methods return a Promise right away, callbacks fire once
// ready, and the queue is replayed in order.
import { Insights } from "../../target/bindgen/search_insights_wasm.js";
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

// Requesters made by getRequesterForBrowser/getRequesterForNode: a client
// given one of them uses the built-in transport, which sees every HTTP status
// (for retries) and sends with keepalive or sendBeacon when the page leaves.
const builtInRequesters = new WeakSet();
export function markBuiltIn(requester) {
  builtInRequesters.add(requester);
  return requester;
}

/**
 * The `createInsightsClient` of a build. `start()` returns null once the wasm
 * is instantiated, or a Promise that settles when it is (rejected when it
 * cannot be); `where` names what was loaded, for the load-failure message.
 */
export function clientFactory(start, where) {
  /**
   * A new, independent `aa` function with its own tokens, settings and outbox.
   * `requestFn(url, data)`, search-insights' transport contract, carries its
   * requests when given.
   *
   * Until the wasm is ready, `aa.queue` holds the calls made so far as
   * `[method, ...args]`, like the search-insights snippet's queue, so that
   * integrations reading it (InstantSearch looks for a queued `setUserToken`
   * or `init`) see them. Once ready the queue is replayed in order and
   * removed. It holds at most 1000 calls: past that, the oldest queued event
   * call is dropped (its Promise resolves false). When the wasm cannot be
   * loaded every call settles (see `settleFailed`) and the queue stops growing.
   */
  function newClient(requestFn) {
    const requester = typeof requestFn === "function" && !builtInRequesters.has(requestFn) ? requestFn : undefined;
    const make = () => {
      const made = new Insights();
      if (requester) made.useRequester(requester);
      return made;
    };
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
    const fail = (error) =>
      reportLoadFailure(error, where).then((message) => {
        failure = new Error(message);
        // The queue keeps its calls for whoever reads it, and grows no more.
        (aa.queue || []).forEach((entry) => drop(entry, failure));
      });
    const ready = () => {
      let made;
      try {
        made = make();
      } catch (error) {
        return fail(error);
      }
      const queue = aa.queue || [];
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
          const result = made.call(call[0], call.slice(1));
          if (promise) promise.resolve(result);
        } catch (error) {
          // An event method's error goes to its Promise, as `await aa(...)`
          // would have thrown it; other methods have no one to tell.
          if (promise) promise.reject(error);
          else console.error(error);
        }
      }
      replaying = false;
      client = made;
      delete aa.queue;
    };
    let loading = null;
    try {
      loading = start();
    } catch (error) {
      loading = Promise.reject(error);
    }
    aa.queue = [];
    if (loading) loading.then(ready, fail);
    else ready();
    return aa;
  }
  /** `newClient`, made findable as search-insights' createInsightsClient does it. */
  function createInsightsClient(requestFn) {
    const aa = newClient(requestFn);
    // The first client made is findable by integrations (InstantSearch,
    // Autocomplete) through window.AlgoliaAnalyticsObject, unless the page
    // already has one.
    if (typeof window === "object" && window && !window.AlgoliaAnalyticsObject) {
      let pointer;
      do {
        pointer = "aa_" + Math.random().toString(36).slice(2);
      } while (window[pointer] !== undefined);
      window.AlgoliaAnalyticsObject = pointer;
      window[pointer] = aa;
    }
    return aa;
  }
  return { newClient, createInsightsClient };
}

// The rest of search-insights' npm surface, so that code written against it
// links and runs: its requesters, the AlgoliaAnalytics class, LocalStorage,
// getFunctionalInterface and processQueue. Each does what search-insights'
// does, on top of this library's clients.
import { markBuiltIn } from "./client.js";

const NO_CLIENT = "Could not find a supported HTTP request client in this environment.";

// What `aa()` answers to, for AlgoliaAnalytics instances (tests/e2e/node.test.mjs
// checks that the wasm accepts each of them).
export const METHODS = [
  "init",
  "getVersion",
  "addAlgoliaAgent",
  "setUserToken",
  "getUserToken",
  "onUserTokenChange",
  "setAuthenticatedUserToken",
  "getAuthenticatedUserToken",
  "onAuthenticatedUserTokenChange",
  "setAnonymousUserToken",
  "saveTokenAsCookie",
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
  "flush",
  "reset",
  "onDelivery",
];

// POSTs `data` as JSON (text/plain: no CORS preflight) with fetch; true on a 200.
function postJson(url, data) {
  return fetch(url, { method: "POST", body: JSON.stringify(data), credentials: "omit", keepalive: true }).then(
    (response) => response.status === 200
  );
}

/**
 * search-insights' browser requester: `sendBeacon`, else `fetch`. Given to
 * `createInsightsClient`, it selects this library's own transport.
 */
export function getRequesterForBrowser() {
  const hasBeacon = typeof navigator === "object" && navigator && typeof navigator.sendBeacon === "function";
  if (!hasBeacon && typeof fetch !== "function") throw new Error(NO_CLIENT);
  return markBuiltIn(function requestWithBeaconOrFetch(url, data) {
    if (hasBeacon) {
      try {
        if (navigator.sendBeacon(url, JSON.stringify(data))) return Promise.resolve(true);
      } catch (e) {
        // Refused: fetch instead.
      }
    }
    return postJson(url, data);
  });
}

/**
 * search-insights' Node requester: Node's `fetch` (Node 18 and later). Given
 * to `createInsightsClient`, it selects this library's own transport.
 */
export function getRequesterForNode() {
  if (typeof fetch !== "function") throw new Error(NO_CLIENT);
  return markBuiltIn(function requestWithFetch(url, data) {
    return postJson(url, data);
  });
}

/** The class behind `aa`: `new AlgoliaAnalytics({ requestFn })`, one method per `aa()` method. */
export function makeAlgoliaAnalytics(newClient) {
  return class AlgoliaAnalytics {
    constructor({ requestFn } = {}) {
      const aa = newClient(requestFn);
      for (const name of METHODS) this[name] = (...args) => aa(name, ...args);
      this.version = aa.version;
    }
  };
}

/** `aa(name, ...args)` calling `instance[name](...args)`, as search-insights' getFunctionalInterface. */
export function getFunctionalInterface(instance) {
  return function (functionName, ...functionArguments) {
    if (functionName && instance && typeof instance[functionName] === "function") {
      return instance[functionName](...functionArguments);
    }
    console.warn("The method `" + functionName + "` doesn't exist.");
    return undefined;
  };
}

/**
 * search-insights' processQueue, with `this` an AlgoliaAnalytics instance:
 * runs the calls queued in `globalObject[globalObject.AlgoliaAnalyticsObject].queue`
 * and makes later `queue.push(arguments)` run at once.
 */
export function processQueue(globalObject) {
  const pointer = globalObject && globalObject.AlgoliaAnalyticsObject;
  if (!pointer) return;
  const run = getFunctionalInterface(this);
  const snippet = globalObject[pointer];
  const queue = (snippet.queue = snippet.queue || []);
  const dispatch = (args) => {
    const [functionName, ...functionArguments] = Array.prototype.slice.call(args);
    return run(functionName, ...functionArguments);
  };
  queue.forEach(dispatch);
  queue.push = (args) => {
    dispatch(args);
  };
}

let found = null;
function findLocalStorage() {
  try {
    const key = "__test_localStorage__";
    globalThis.localStorage.setItem(key, key);
    globalThis.localStorage.removeItem(key);
    return globalThis.localStorage;
  } catch (e) {
    return undefined;
  }
}

/** search-insights' LocalStorage: JSON values in localStorage, never throwing on a full or missing store. */
export class LocalStorage {
  // Looked for on first use: importing the package touches no storage.
  static get store() {
    if (found === null) found = { store: findLocalStorage() };
    return found.store;
  }
  static get(key) {
    const store = LocalStorage.store;
    const value = store && store.getItem(key);
    if (!value) return null;
    try {
      return JSON.parse(value);
    } catch (e) {
      return null;
    }
  }
  static set(key, value) {
    try {
      if (LocalStorage.store) LocalStorage.store.setItem(key, JSON.stringify(value));
    } catch (e) {
      console.error("Unable to set " + key + " in localStorage, storage may be full.");
    }
  }
  static remove(key) {
    if (LocalStorage.store) LocalStorage.store.removeItem(key);
  }
}

/** The CommonJS shape of an entry's exports: `aa`, with the named exports as its properties. */
export function asCommonJS(named) {
  const aa = named.default;
  for (const key of Object.keys(named)) if (key !== "default") aa[key] = named[key];
  return aa;
}

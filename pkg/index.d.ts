// Types of search-insights-wasm. index.d.mts (`import`) and index.d.cts
// (`require`) are built on this file; resolvers that read only the top-level
// "types" of package.json use it directly.
//
// search-insights' own names have search-insights 2.17.3's shapes (its
// lib/types.ts and lib/*.ts), so that code, InstantSearch and Autocomplete
// written against `search-insights` type-check against this package, and
// `InsightsClient` is assignable both ways with search-insights'. This
// package's additions (`flush`, `reset`, `onDelivery`, the `flushDelay`,
// `maxRetries`, `maxEventAge` init options) come on top: `aa` and what
// `createInsightsClient` returns are an `InsightsWasmClient`.

// ---------------------------------------------------------------------------
// Events and parameters (search-insights' shapes)

export type InsightsRegion = "de" | "us";
export type InsightsEventType = "click" | "conversion" | "view";
export type InsightsEventConversionSubType = "addToCart" | "purchase";
export type UserToken = string | number;

export interface InitParams {
  apiKey?: string;
  appId?: string;
  userHasOptedOut?: boolean;
  /** Make up an `anonymous-…` token when an event is sent without one. Default true. */
  anonymousUserToken?: boolean;
  /** Keep the anonymous token in the `_ALGOLIA` cookie (browsers). Default false. */
  useCookie?: boolean;
  /** Cookie lifetime in milliseconds (an integer). Default 6 × 30 days. */
  cookieDuration?: number;
  region?: InsightsRegion;
  userToken?: string;
  authenticatedUserToken?: string;
  /** Change only the options given. */
  partial?: boolean;
  /** A custom endpoint origin, e.g. `https://insights.example.com`. */
  host?: string;
  /** search-insights-wasm: how long events wait to be sent together, in ms (0–60000). Default 50. */
  flushDelay?: number;
  /** search-insights-wasm: retries after a network error, 5xx or 429 (0–20). Default 5. */
  maxRetries?: number;
  /** search-insights-wasm: events older than this (ms) are dropped. Default 4 days. */
  maxEventAge?: number;
}

export type InsightsEventObjectData = {
  queryID?: string;
  price?: number | string;
  discount?: number | string;
  quantity?: number;
};

export type InsightsEvent = {
  eventType: InsightsEventType;
  eventSubtype?: InsightsEventConversionSubType;
  eventName: string;
  userToken?: number | string;
  authenticatedUserToken?: number | string;
  timestamp?: number;
  index: string;
  queryID?: string;
  objectIDs?: string[];
  positions?: number[];
  objectData?: InsightsEventObjectData[];
  objectIDsWithInferredQueryID?: string[];
  filters?: string[];
  value?: number | string;
  currency?: string;
};

/** The optional last argument of event methods. */
export type InsightsAdditionalEventParams = {
  /** `X-Algolia-Application-Id` / `X-Algolia-API-Key` override the init credentials for this call. */
  headers?: Record<string, string>;
  /** Conversions without a `queryID` get the one remembered for each object. */
  inferQueryID?: boolean;
};

export type WithAdditionalParams<TEventType> = InsightsAdditionalEventParams | TEventType;

export interface InsightsSearchClickEvent {
  eventName: string;
  userToken?: string;
  authenticatedUserToken?: string;
  timestamp?: number;
  index: string;
  queryID: string;
  objectIDs: string[];
  positions: number[];
}

export interface InsightsClickObjectIDsEvent {
  eventName: string;
  userToken?: string;
  authenticatedUserToken?: string;
  timestamp?: number;
  index: string;
  objectIDs: string[];
}

export interface InsightsClickFiltersEvent {
  eventName: string;
  userToken?: string;
  authenticatedUserToken?: string;
  timestamp?: number;
  index: string;
  filters: string[];
}

export interface InsightsSearchConversionEvent {
  eventName: string;
  userToken?: string;
  authenticatedUserToken?: string;
  timestamp?: number;
  index: string;
  queryID: string;
  objectIDs: string[];
  objectData?: InsightsEventObjectData[];
  value?: number | string;
  currency?: string;
}

export type InsightsSearchPurchaseEvent = Omit<InsightsSearchConversionEvent, "queryID"> & {
  /** @deprecated Use objectData.queryID instead. */
  queryID?: string;
};

export interface InsightsSearchConversionObjectIDsEvent {
  eventName: string;
  userToken?: string;
  authenticatedUserToken?: string;
  timestamp?: number;
  index: string;
  objectIDs: string[];
  objectData?: InsightsEventObjectData[];
  value?: number | string;
  currency?: string;
}

export interface InsightsSearchConversionFiltersEvent {
  eventName: string;
  userToken?: string;
  authenticatedUserToken?: string;
  timestamp?: number;
  index: string;
  filters: string[];
}

export interface InsightsSearchViewObjectIDsEvent {
  eventName: string;
  userToken?: string;
  authenticatedUserToken?: string;
  timestamp?: number;
  index: string;
  objectIDs: string[];
}

export interface InsightsSearchViewFiltersEvent {
  eventName: string;
  userToken?: string;
  authenticatedUserToken?: string;
  timestamp?: number;
  index: string;
  filters: string[];
}

// ---------------------------------------------------------------------------
// The `aa(method, ...args)` function (search-insights' shapes)

/**
 * `[parameters, return type]` of each `aa()` method, as search-insights has it. Event methods
 * return a Promise: `true` once the Insights API answered 2xx, `false` when the events were not
 * delivered (also when the `.wasm` could not be loaded, or the call was dropped from a full
 * `aa.queue`: the Promise never rejects for that).
 */
export type InsightsMethodMap = {
  init: [[options?: InitParams], void];
  getVersion: [[callback?: (version: string) => void], string];
  addAlgoliaAgent: [[algoliaAgent: string], void];
  setUserToken: [[userToken: number | string], number | string];
  getUserToken: [
    [options?: any, callback?: (err: any, userToken?: number | string) => void],
    number | string | undefined,
  ];
  onUserTokenChange: [[callback?: (userToken?: number | string) => void, options?: { immediate: boolean }], void];
  setAuthenticatedUserToken: [[authenticatedUserToken: number | string | undefined], number | string | undefined];
  getAuthenticatedUserToken: [
    [options?: any, callback?: (err: any, authenticatedUserToken?: number | string) => void],
    number | string | undefined,
  ];
  onAuthenticatedUserTokenChange: [
    [callback?: (authenticatedUserToken?: number | string) => void, options?: { immediate: boolean }],
    void,
  ];
  clickedObjectIDsAfterSearch: [Array<WithAdditionalParams<InsightsSearchClickEvent>>, Promise<boolean>];
  clickedObjectIDs: [Array<WithAdditionalParams<InsightsClickObjectIDsEvent>>, Promise<boolean>];
  clickedFilters: [Array<WithAdditionalParams<InsightsClickFiltersEvent>>, Promise<boolean>];
  convertedObjectIDsAfterSearch: [Array<WithAdditionalParams<InsightsSearchConversionEvent>>, Promise<boolean>];
  convertedObjectIDs: [Array<WithAdditionalParams<InsightsSearchConversionObjectIDsEvent>>, Promise<boolean>];
  convertedFilters: [Array<WithAdditionalParams<InsightsSearchConversionFiltersEvent>>, Promise<boolean>];
  viewedObjectIDs: [Array<WithAdditionalParams<InsightsSearchViewObjectIDsEvent>>, Promise<boolean>];
  viewedFilters: [Array<WithAdditionalParams<InsightsSearchViewFiltersEvent>>, Promise<boolean>];
  purchasedObjectIDs: [Array<WithAdditionalParams<InsightsSearchConversionObjectIDsEvent>>, Promise<boolean>];
  purchasedObjectIDsAfterSearch: [Array<WithAdditionalParams<InsightsSearchPurchaseEvent>>, Promise<boolean>];
  addedToCartObjectIDs: [Array<WithAdditionalParams<InsightsSearchConversionObjectIDsEvent>>, Promise<boolean>];
  addedToCartObjectIDsAfterSearch: [Array<WithAdditionalParams<InsightsSearchConversionEvent>>, Promise<boolean>];
  sendEvents: [[eventData: InsightsEvent[], additionalParams?: InsightsAdditionalEventParams], Promise<boolean>];
};

type MethodType<MethodName extends keyof InsightsMethodMap> = (
  method: MethodName,
  ...args: InsightsMethodMap[MethodName][0]
) => InsightsMethodMap[MethodName][1];

export type Init = MethodType<"init">;
export type GetVersion = MethodType<"getVersion">;
export type AddAlgoliaAgent = MethodType<"addAlgoliaAgent">;
export type SetUserToken = MethodType<"setUserToken">;
export type GetUserToken = MethodType<"getUserToken">;
export type OnUserTokenChange = MethodType<"onUserTokenChange">;
export type ClickedObjectIDsAfterSearch = MethodType<"clickedObjectIDsAfterSearch">;
export type ClickedObjectIDs = MethodType<"clickedObjectIDs">;
export type ClickedFilters = MethodType<"clickedFilters">;
export type ConvertedObjectIDsAfterSearch = MethodType<"convertedObjectIDsAfterSearch">;
export type ConvertedObjectIDs = MethodType<"convertedObjectIDs">;
export type ConvertedFilters = MethodType<"convertedFilters">;
export type ViewedObjectIDs = MethodType<"viewedObjectIDs">;
export type ViewedFilters = MethodType<"viewedFilters">;
export type SendEvents = MethodType<"sendEvents">;

/**
 * search-insights' client type: `aa(method, ...args)` for every method of `InsightsMethodMap`.
 * Assignable both ways with search-insights' own `InsightsClient`, so it is what InstantSearch and
 * Autocomplete take. This package's `aa` and `createInsightsClient()` are `InsightsWasmClient`s,
 * which are `InsightsClient`s with more methods.
 */
export type InsightsClient = (<MethodName extends keyof InsightsMethodMap>(
  method: MethodName,
  ...args: InsightsMethodMap[MethodName][0]
) => InsightsMethodMap[MethodName][1]) & {
  version?: string;
};

// ---------------------------------------------------------------------------
// This package's additions

/** What `onDelivery` reports for every request that ended. */
export interface DeliveryReport {
  /** HTTP status, or `null` when no answer came (network error, timeout). */
  status: number | null;
  message: string;
  /** Events in the request. */
  events: number;
  delivered: boolean;
  willRetry: boolean;
}

export type NodeCallback<T> = (err: any, value: T) => void;

/** `InsightsMethodMap` and the methods search-insights-wasm adds. */
export type InsightsWasmMethodMap = InsightsMethodMap & {
  /** Make a new anonymous token (kept in the `_ALGOLIA` cookie unless `inMemory` or `useCookie` is off). */
  setAnonymousUserToken: [[inMemory?: boolean], void];
  /** Write the current anonymous token to the `_ALGOLIA` cookie. */
  saveTokenAsCookie: [[], void];
  /** search-insights-wasm: send queued events now. */
  flush: [[], void];
  /** search-insights-wasm: log out — forget the tokens, the cookie, queued events and remembered query IDs. */
  reset: [[], void];
  /** search-insights-wasm: called with a report of every request that ended. */
  onDelivery: [[callback?: (report: DeliveryReport) => void], void];
};

/** The method names `aa()` accepts. */
export type InsightsMethod = keyof InsightsWasmMethodMap;

/**
 * `aa` itself and what `createInsightsClient` returns: an `InsightsClient` (search-insights'
 * methods) that also takes this package's methods. Event methods return a Promise: `true` once the
 * Insights API answered 2xx, `false` when the events were not delivered — also when the `.wasm`
 * could not be loaded (one `console.error` says why) or when the call was dropped from a full
 * `aa.queue`. After a failed load, `getUserToken`/`getAuthenticatedUserToken` callbacks get the load
 * error as their `err`.
 */
export type InsightsWasmClient = InsightsClient &
  (<MethodName extends keyof InsightsWasmMethodMap>(
    method: MethodName,
    ...args: InsightsWasmMethodMap[MethodName][0]
  ) => InsightsWasmMethodMap[MethodName][1]) & {
    /** The search-insights version whose behaviour this library reproduces (integrations check it). */
    version: string;
    /**
     * Browser build: calls made before the wasm was ready, as `[method, ...args]` like the
     * snippet's queue (InstantSearch reads it); removed once they have run. At most 1000: past that
     * the oldest event calls are dropped (their Promises resolve false). Node: never there (the
     * wasm is ready at import).
     */
    queue?: any[];
  };

/**
 * search-insights' transport: `requestFn(url, data)` with `url` the Insights endpoint (credentials
 * and agent in its query string) and `data` the `{ events }` body; resolves `true` when delivered.
 */
export type RequestFnType = (url: string, data: Record<string, unknown>) => Promise<boolean>;

/**
 * What `createInsightsClient` and `new AlgoliaAnalytics` take: any search-insights `RequestFnType`,
 * or one typed with the `{ events }` body. Resolve `true` when delivered; `false` when not (retried
 * like a network error, up to `maxRetries`); reject on a network error (retried). search-insights-wasm
 * also takes a number, as the HTTP status of the answer.
 */
export type InsightsWasmRequestFn = (
  url: string,
  data: { events: InsightsEvent[] } & Record<string, unknown>
) => Promise<boolean | number>;

// ---------------------------------------------------------------------------
// Runtime exports

type Method<MethodName extends keyof InsightsWasmMethodMap> = (
  ...args: InsightsWasmMethodMap[MethodName][0]
) => InsightsWasmMethodMap[MethodName][1];

/** The class behind a client: one instance method per `aa()` method (search-insights' AlgoliaAnalytics). */
export declare class AlgoliaAnalytics {
  /** `requestFn` carries its requests, as with `createInsightsClient(requestFn)`. */
  constructor(options?: { requestFn?: InsightsWasmRequestFn });
  version: string;
  init: Method<"init">;
  getVersion: Method<"getVersion">;
  addAlgoliaAgent: Method<"addAlgoliaAgent">;
  saveTokenAsCookie: Method<"saveTokenAsCookie">;
  setUserToken: Method<"setUserToken">;
  setAnonymousUserToken: Method<"setAnonymousUserToken">;
  getUserToken: Method<"getUserToken">;
  onUserTokenChange: Method<"onUserTokenChange">;
  setAuthenticatedUserToken: Method<"setAuthenticatedUserToken">;
  getAuthenticatedUserToken: Method<"getAuthenticatedUserToken">;
  onAuthenticatedUserTokenChange: Method<"onAuthenticatedUserTokenChange">;
  sendEvents: Method<"sendEvents">;
  clickedObjectIDsAfterSearch: Method<"clickedObjectIDsAfterSearch">;
  clickedObjectIDs: Method<"clickedObjectIDs">;
  clickedFilters: Method<"clickedFilters">;
  convertedObjectIDsAfterSearch: Method<"convertedObjectIDsAfterSearch">;
  purchasedObjectIDsAfterSearch: Method<"purchasedObjectIDsAfterSearch">;
  addedToCartObjectIDsAfterSearch: Method<"addedToCartObjectIDsAfterSearch">;
  convertedObjectIDs: Method<"convertedObjectIDs">;
  addedToCartObjectIDs: Method<"addedToCartObjectIDs">;
  purchasedObjectIDs: Method<"purchasedObjectIDs">;
  convertedFilters: Method<"convertedFilters">;
  viewedObjectIDs: Method<"viewedObjectIDs">;
  viewedFilters: Method<"viewedFilters">;
  /** search-insights-wasm: send queued events now. */
  flush: Method<"flush">;
  /** search-insights-wasm: log out — forget the tokens, the cookie, queued events and remembered query IDs. */
  reset: Method<"reset">;
  /** search-insights-wasm: called with a report of every request that ended. */
  onDelivery: Method<"onDelivery">;
}

/** JSON values in `localStorage`, never throwing on a full or missing store (search-insights' LocalStorage). */
export declare class LocalStorage {
  /** The page's `localStorage`, or undefined where there is none (looked for on first use). */
  static readonly store:
    | { getItem(key: string): string | null; setItem(key: string, value: string): void; removeItem(key: string): void }
    | undefined;
  /** The parsed value, or null when the key is missing or its value is not JSON. */
  static get<T>(key: string): T | null;
  /** Stores `JSON.stringify(value)`; a full storage logs an error instead of throwing. */
  static set(key: string, value: any): void;
  static remove(key: string): void;
}

/**
 * A new, independent client: its own tokens, settings and event queue. With a `requestFn`, every
 * request goes through it and the library itself sends nothing; `getRequesterForBrowser()` or
 * `getRequesterForNode()` select the built-in transport (the default). In a browser the first client
 * made is registered as `window[window.AlgoliaAnalyticsObject]` unless the page has one.
 */
export declare function createInsightsClient(requestFn?: InsightsWasmRequestFn): InsightsWasmClient;

/** search-insights' browser requester (sendBeacon, else fetch). Throws where neither exists. */
export declare function getRequesterForBrowser(): RequestFnType;

/** search-insights' Node requester (Node's fetch). Throws where there is no fetch. */
export declare function getRequesterForNode(): RequestFnType;

/** `aa(name, ...args)` calling `instance[name](...args)`, as search-insights' getFunctionalInterface. */
export declare function getFunctionalInterface(
  instance: AlgoliaAnalytics
): InsightsClient &
  (<MethodName extends keyof InsightsWasmMethodMap>(
    method: MethodName,
    ...args: InsightsWasmMethodMap[MethodName][0]
  ) => InsightsWasmMethodMap[MethodName][1]);

/**
 * search-insights' processQueue, called with `this` an AlgoliaAnalytics instance: runs the calls
 * queued in `globalObject[globalObject.AlgoliaAnalyticsObject].queue`, and the later ones at once.
 */
export declare function processQueue(this: AlgoliaAnalytics, globalObject: any): void;

declare global {
  interface Window {
    /** The name of the global `aa` function (the snippet sets it; the default client otherwise). */
    AlgoliaAnalyticsObject?: string;
  }
}

/**
 * The default client. Browser build: ready to call at once, calls made before the wasm is
 * instantiated wait in `aa.queue`; registered as `window[window.AlgoliaAnalyticsObject]` unless
 * the page has one. Node: the wasm is instantiated at import, so getters answer at once.
 */
declare const aa: InsightsWasmClient;
export default aa;

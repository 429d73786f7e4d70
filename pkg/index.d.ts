// Types of search-insights-wasm: the search-insights v2 `aa(method, ...args)`
// API (modelled on search-insights' lib/types.ts and lib/*.ts), plus this
// library's own additions (`flush`, `reset`, `onDelivery`, and the
// `flushDelay`, `maxRetries`, `maxEventAge` init options).

export type InsightsRegion = "de" | "us";
export type InsightsEventType = "click" | "conversion" | "view";
export type InsightsEventConversionSubType = "addToCart" | "purchase";
export type UserToken = string | number;

export interface InitParams {
  appId?: string;
  apiKey?: string;
  userHasOptedOut?: boolean;
  /** Make up an in-memory `anonymous-…` token when an event is sent without one. Default true. */
  anonymousUserToken?: boolean;
  /** Keep the anonymous token in the `_ALGOLIA` cookie. Default false. */
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

export interface InsightsEventObjectData {
  queryID?: string;
  price?: number | string;
  discount?: number | string;
  quantity?: number;
}

export interface InsightsEvent {
  eventType: InsightsEventType;
  eventSubtype?: InsightsEventConversionSubType;
  eventName: string;
  userToken?: UserToken;
  authenticatedUserToken?: UserToken;
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
}

/** The optional last argument of event methods. */
export interface InsightsAdditionalEventParams {
  /** `X-Algolia-Application-Id` / `X-Algolia-API-Key` override the init credentials for this call. */
  headers?: Record<string, string>;
  /** Conversions without a `queryID` get the one remembered for each object. */
  inferQueryID?: boolean;
}

export type WithAdditionalParams<TEvent> = TEvent | InsightsAdditionalEventParams;

interface BaseEvent {
  eventName: string;
  userToken?: string;
  authenticatedUserToken?: string;
  timestamp?: number;
  index: string;
}

export interface InsightsSearchClickEvent extends BaseEvent {
  queryID: string;
  objectIDs: string[];
  positions: number[];
}

export interface InsightsClickObjectIDsEvent extends BaseEvent {
  objectIDs: string[];
}

export interface InsightsClickFiltersEvent extends BaseEvent {
  filters: string[];
}

export interface InsightsSearchConversionEvent extends BaseEvent {
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

export interface InsightsSearchConversionObjectIDsEvent extends BaseEvent {
  objectIDs: string[];
  objectData?: InsightsEventObjectData[];
  value?: number | string;
  currency?: string;
}

export interface InsightsSearchConversionFiltersEvent extends BaseEvent {
  filters: string[];
}

export interface InsightsSearchViewObjectIDsEvent extends BaseEvent {
  objectIDs: string[];
}

export interface InsightsSearchViewFiltersEvent extends BaseEvent {
  filters: string[];
}

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

/**
 * `aa(method, ...args)`. Event methods return a Promise: `true` once the Insights API answered 2xx,
 * `false` when the events were not delivered — also when the `.wasm` could not be loaded (the
 * Promise never rejects for that; one `console.error` says why) or when the call was dropped from
 * a full `aa.queue`. After a failed load, `getUserToken`/`getAuthenticatedUserToken` callbacks get
 * the load error as their `err`.
 */
export interface InsightsClient {
  (method: "init", options?: InitParams): void;
  (method: "getVersion", callback?: (version: string) => void): string;
  (method: "addAlgoliaAgent", algoliaAgent: string): void;

  (method: "setUserToken", userToken: UserToken): UserToken;
  (method: "getUserToken", options?: any, callback?: NodeCallback<UserToken | undefined>): UserToken | undefined;
  (method: "onUserTokenChange", callback?: (userToken?: UserToken) => void, options?: { immediate: boolean }): void;
  (method: "setAuthenticatedUserToken", authenticatedUserToken: UserToken | undefined): UserToken | undefined;
  (
    method: "getAuthenticatedUserToken",
    options?: any,
    callback?: NodeCallback<UserToken | undefined>
  ): UserToken | undefined;
  (
    method: "onAuthenticatedUserTokenChange",
    callback?: (authenticatedUserToken?: UserToken) => void,
    options?: { immediate: boolean }
  ): void;
  (method: "setAnonymousUserToken", inMemory?: boolean): void;
  (method: "saveTokenAsCookie"): void;

  (
    method: "clickedObjectIDsAfterSearch",
    ...params: Array<WithAdditionalParams<InsightsSearchClickEvent>>
  ): Promise<boolean>;
  (method: "clickedObjectIDs", ...params: Array<WithAdditionalParams<InsightsClickObjectIDsEvent>>): Promise<boolean>;
  (method: "clickedFilters", ...params: Array<WithAdditionalParams<InsightsClickFiltersEvent>>): Promise<boolean>;
  (
    method: "convertedObjectIDsAfterSearch",
    ...params: Array<WithAdditionalParams<InsightsSearchConversionEvent>>
  ): Promise<boolean>;
  (
    method: "convertedObjectIDs",
    ...params: Array<WithAdditionalParams<InsightsSearchConversionObjectIDsEvent>>
  ): Promise<boolean>;
  (
    method: "convertedFilters",
    ...params: Array<WithAdditionalParams<InsightsSearchConversionFiltersEvent>>
  ): Promise<boolean>;
  (
    method: "addedToCartObjectIDsAfterSearch",
    ...params: Array<WithAdditionalParams<InsightsSearchConversionEvent>>
  ): Promise<boolean>;
  (
    method: "addedToCartObjectIDs",
    ...params: Array<WithAdditionalParams<InsightsSearchConversionObjectIDsEvent>>
  ): Promise<boolean>;
  (
    method: "purchasedObjectIDsAfterSearch",
    ...params: Array<WithAdditionalParams<InsightsSearchPurchaseEvent>>
  ): Promise<boolean>;
  (
    method: "purchasedObjectIDs",
    ...params: Array<WithAdditionalParams<InsightsSearchConversionObjectIDsEvent>>
  ): Promise<boolean>;
  (
    method: "viewedObjectIDs",
    ...params: Array<WithAdditionalParams<InsightsSearchViewObjectIDsEvent>>
  ): Promise<boolean>;
  (method: "viewedFilters", ...params: Array<WithAdditionalParams<InsightsSearchViewFiltersEvent>>): Promise<boolean>;
  (method: "sendEvents", events: InsightsEvent[], additionalParams?: InsightsAdditionalEventParams): Promise<boolean>;

  /** search-insights-wasm: send queued events now. */
  (method: "flush"): void;
  /** search-insights-wasm: log out — forget the tokens, the cookie, queued events and remembered query IDs. */
  (method: "reset"): void;
  /** search-insights-wasm: called with a report of every request that ended. */
  (method: "onDelivery", callback?: (report: DeliveryReport) => void): void;

  /** The search-insights version whose behaviour this library reproduces (integrations check it). */
  version: string;
  /**
   * Calls made before the wasm was ready, as `[method, ...args]` like the snippet's queue (InstantSearch
   * reads it); removed once they have run. At most 1000: past that the oldest event calls are dropped
   * (their Promises resolve false). Entries that are no call are skipped with a warning. When the wasm
   * cannot be loaded it keeps the calls made so far and takes no more.
   */
  queue?: any[];
}

/** The method names `aa()` accepts. */
export type InsightsMethod =
  | "init"
  | "getVersion"
  | "addAlgoliaAgent"
  | "setUserToken"
  | "getUserToken"
  | "onUserTokenChange"
  | "setAuthenticatedUserToken"
  | "getAuthenticatedUserToken"
  | "onAuthenticatedUserTokenChange"
  | "setAnonymousUserToken"
  | "saveTokenAsCookie"
  | "clickedObjectIDsAfterSearch"
  | "clickedObjectIDs"
  | "clickedFilters"
  | "convertedObjectIDsAfterSearch"
  | "convertedObjectIDs"
  | "convertedFilters"
  | "addedToCartObjectIDsAfterSearch"
  | "addedToCartObjectIDs"
  | "purchasedObjectIDsAfterSearch"
  | "purchasedObjectIDs"
  | "viewedObjectIDs"
  | "viewedFilters"
  | "sendEvents"
  | "flush"
  | "reset"
  | "onDelivery";

/** A new, independent client: its own tokens, settings and event queue. */
export function createInsightsClient(): InsightsClient;

/** The default client; also registered as `window[window.AlgoliaAnalyticsObject]` unless the page has one. */
declare const aa: InsightsClient;
export default aa;

// Types of search-insights-wasm for `require` (CommonJS): as with search-insights'
// index-node.cjs, `require("search-insights-wasm")` is `aa` itself, with the
// named exports as its properties (and no `default`). The types are index.d.ts's,
// under the same names (`import type { InsightsEvent } from "search-insights-wasm"`
// or `aa.InsightsEvent`).
import type * as types from "./index.js";

/** The default client, with the named exports as its properties. */
declare const aa: types.InsightsWasmClient & {
  createInsightsClient: typeof types.createInsightsClient;
  getRequesterForBrowser: typeof types.getRequesterForBrowser;
  getRequesterForNode: typeof types.getRequesterForNode;
  AlgoliaAnalytics: typeof types.AlgoliaAnalytics;
  LocalStorage: typeof types.LocalStorage;
  getFunctionalInterface: typeof types.getFunctionalInterface;
  processQueue: typeof types.processQueue;
};

declare namespace aa {
  export type AlgoliaAnalytics = types.AlgoliaAnalytics;
  export type LocalStorage = types.LocalStorage;

  export type InsightsRegion = types.InsightsRegion;
  export type InsightsEventType = types.InsightsEventType;
  export type InsightsEventConversionSubType = types.InsightsEventConversionSubType;
  export type UserToken = types.UserToken;
  export type InitParams = types.InitParams;
  export type InsightsEventObjectData = types.InsightsEventObjectData;
  export type InsightsEvent = types.InsightsEvent;
  export type InsightsAdditionalEventParams = types.InsightsAdditionalEventParams;
  export type WithAdditionalParams<TEventType> = types.WithAdditionalParams<TEventType>;
  export type InsightsSearchClickEvent = types.InsightsSearchClickEvent;
  export type InsightsClickObjectIDsEvent = types.InsightsClickObjectIDsEvent;
  export type InsightsClickFiltersEvent = types.InsightsClickFiltersEvent;
  export type InsightsSearchConversionEvent = types.InsightsSearchConversionEvent;
  export type InsightsSearchPurchaseEvent = types.InsightsSearchPurchaseEvent;
  export type InsightsSearchConversionObjectIDsEvent = types.InsightsSearchConversionObjectIDsEvent;
  export type InsightsSearchConversionFiltersEvent = types.InsightsSearchConversionFiltersEvent;
  export type InsightsSearchViewObjectIDsEvent = types.InsightsSearchViewObjectIDsEvent;
  export type InsightsSearchViewFiltersEvent = types.InsightsSearchViewFiltersEvent;

  export type InsightsMethodMap = types.InsightsMethodMap;
  export type Init = types.Init;
  export type GetVersion = types.GetVersion;
  export type AddAlgoliaAgent = types.AddAlgoliaAgent;
  export type SetUserToken = types.SetUserToken;
  export type GetUserToken = types.GetUserToken;
  export type OnUserTokenChange = types.OnUserTokenChange;
  export type ClickedObjectIDsAfterSearch = types.ClickedObjectIDsAfterSearch;
  export type ClickedObjectIDs = types.ClickedObjectIDs;
  export type ClickedFilters = types.ClickedFilters;
  export type ConvertedObjectIDsAfterSearch = types.ConvertedObjectIDsAfterSearch;
  export type ConvertedObjectIDs = types.ConvertedObjectIDs;
  export type ConvertedFilters = types.ConvertedFilters;
  export type ViewedObjectIDs = types.ViewedObjectIDs;
  export type ViewedFilters = types.ViewedFilters;
  export type SendEvents = types.SendEvents;
  export type InsightsClient = types.InsightsClient;
  export type RequestFnType = types.RequestFnType;

  export type DeliveryReport = types.DeliveryReport;
  export type NodeCallback<T> = types.NodeCallback<T>;
  export type InsightsWasmMethodMap = types.InsightsWasmMethodMap;
  export type InsightsMethod = types.InsightsMethod;
  export type InsightsWasmClient = types.InsightsWasmClient;
  export type InsightsWasmRequestFn = types.InsightsWasmRequestFn;
}

export = aa;

// Code typed against search-insights 2.17.3's API, importing from
// "search-insights" only. tests/e2e/types.test.mjs type-checks it twice
// (skipLibCheck off, strict): with "search-insights" mapped to the real
// search-insights (it must compile: this file is search-insights-typed code),
// and mapped to search-insights-wasm (it must compile too: the drop-in). The
// InstantSearch.js and Autocomplete declarations it pulls in import from
// "search-insights" themselves, so they are checked against the same package.
import aa, {
  AlgoliaAnalytics,
  LocalStorage,
  createInsightsClient,
  getFunctionalInterface,
  getRequesterForNode,
  processQueue,
  type AddAlgoliaAgent,
  type ClickedFilters,
  type ClickedObjectIDs,
  type ClickedObjectIDsAfterSearch,
  type ConvertedFilters,
  type ConvertedObjectIDs,
  type ConvertedObjectIDsAfterSearch,
  type GetUserToken,
  type GetVersion,
  type Init,
  type InsightsAdditionalEventParams,
  type InsightsClient,
  type InsightsEvent,
  type InsightsEventConversionSubType,
  type InsightsEventObjectData,
  type InsightsEventType,
  type InsightsMethodMap,
  type OnUserTokenChange,
  type SendEvents,
  type SetUserToken,
  type ViewedFilters,
  type ViewedObjectIDs,
} from "search-insights";
import instantsearch from "instantsearch.js";
import { liteClient } from "algoliasearch/lite";
import { createAlgoliaInsightsPlugin } from "@algolia/autocomplete-plugin-algolia-insights";

// --- the default client
aa("init", { appId: "APP", apiKey: "KEY", useCookie: true, region: "de", partial: true, host: "https://x.example" });
const version: string = aa("getVersion", (v) => console.log(v.toUpperCase()));
aa("addAlgoliaAgent", "my-backend (1.0)");
const token: string | number = aa("setUserToken", "user-1");
const current: string | number | undefined = aa("getUserToken", null, (err, userToken) => console.log(err, userToken));
aa("onUserTokenChange", (userToken) => console.log(userToken), { immediate: true });
aa("setAuthenticatedUserToken", undefined);
aa("getAuthenticatedUserToken", {}, (_err, authenticated) => console.log(authenticated));
aa("onAuthenticatedUserTokenChange", (authenticated) => console.log(authenticated));
const sent: Promise<boolean> = aa(
  "clickedObjectIDsAfterSearch",
  { index: "products", eventName: "Clicked", queryID: "q", objectIDs: ["1"], positions: [1], userToken: "u" },
  { headers: { "X-Algolia-Application-Id": "APP", "X-Algolia-API-Key": "KEY" } }
);
aa("clickedFilters", { index: "products", eventName: "Filtered", filters: ["brand:Apple"] });
aa("convertedObjectIDsAfterSearch", { index: "products", eventName: "Converted", queryID: "q", objectIDs: ["1"] });
aa("addedToCartObjectIDsAfterSearch", {
  index: "products",
  eventName: "Added",
  queryID: "q",
  objectIDs: ["1"],
  objectData: [{ price: 1, quantity: 2, discount: "0.5" }],
  value: 2,
  currency: "EUR",
});
aa("purchasedObjectIDsAfterSearch", { index: "products", eventName: "Bought", objectIDs: ["1"], objectData: [{ queryID: "q" }] });
aa("convertedObjectIDs", { index: "products", eventName: "Converted", objectIDs: ["1"] }, { inferQueryID: true });
aa("addedToCartObjectIDs", { index: "products", eventName: "Added", objectIDs: ["1"] });
aa("purchasedObjectIDs", { index: "products", eventName: "Bought", objectIDs: ["1"], value: "9.5" });
aa("convertedFilters", { index: "products", eventName: "Converted", filters: ["a:b"] });
aa("viewedObjectIDs", { index: "products", eventName: "Viewed", objectIDs: ["1", "2"] }, { index: "p2", eventName: "V", objectIDs: ["3"] });
aa("viewedFilters", { index: "products", eventName: "Viewed", filters: ["brand:Apple"] });
const batch: InsightsEvent[] = [
  { eventType: "conversion", eventSubtype: "purchase", eventName: "Bought", index: "products", objectIDs: ["1"], userToken: 42 },
];
aa("sendEvents", batch, { headers: {} });
const maybeVersion: string | undefined = aa.version;

// --- the names search-insights exports
const eventType: InsightsEventType = "view";
const subtype: InsightsEventConversionSubType = "addToCart";
const objectData: InsightsEventObjectData = { queryID: "q", price: "1.5", discount: 0, quantity: 1 };
const additional: InsightsAdditionalEventParams = { headers: { "X-Algolia-API-Key": "K" }, inferQueryID: false };
// They are object type aliases (not interfaces), so they fit an index signature.
const asRecord: Record<string, unknown> = batch[0];
const objectDataRecord: Record<string, unknown> = objectData;

// Every method has its own function type, which `aa` is.
const init: Init = aa;
const getVersion: GetVersion = aa;
const addAlgoliaAgent: AddAlgoliaAgent = aa;
const setUserToken: SetUserToken = aa;
const getUserToken: GetUserToken = aa;
const onUserTokenChange: OnUserTokenChange = aa;
const clickedObjectIDsAfterSearch: ClickedObjectIDsAfterSearch = aa;
const clickedObjectIDs: ClickedObjectIDs = aa;
const clickedFilters: ClickedFilters = aa;
const convertedObjectIDsAfterSearch: ConvertedObjectIDsAfterSearch = aa;
const convertedObjectIDs: ConvertedObjectIDs = aa;
const convertedFilters: ConvertedFilters = aa;
const viewedObjectIDs: ViewedObjectIDs = aa;
const viewedFilters: ViewedFilters = aa;
const sendEvents: SendEvents = aa;
init("init", { appId: "APP" });
const delegatedInit: Init = (method, options) => aa(method, options);
const delegatedSend: SendEvents = (method, events, params) => aa(method, events, params);

// The method map has exactly these keys (a missing or an extra one is an error here).
const methods: Record<keyof InsightsMethodMap, true> = {
  init: true,
  getVersion: true,
  addAlgoliaAgent: true,
  setUserToken: true,
  getUserToken: true,
  onUserTokenChange: true,
  setAuthenticatedUserToken: true,
  getAuthenticatedUserToken: true,
  onAuthenticatedUserTokenChange: true,
  clickedObjectIDsAfterSearch: true,
  clickedObjectIDs: true,
  clickedFilters: true,
  convertedObjectIDsAfterSearch: true,
  convertedObjectIDs: true,
  convertedFilters: true,
  viewedObjectIDs: true,
  viewedFilters: true,
  purchasedObjectIDs: true,
  purchasedObjectIDsAfterSearch: true,
  addedToCartObjectIDs: true,
  addedToCartObjectIDsAfterSearch: true,
  sendEvents: true,
};
const firstClickArgument: InsightsMethodMap["clickedObjectIDs"][0][0] = { index: "i", eventName: "e", objectIDs: ["1"] };
const initReturns: InsightsMethodMap["init"][1] = undefined;

// --- a generic wrapper, and method-name unions
function track<M extends keyof InsightsMethodMap>(method: M, ...args: InsightsMethodMap[M][0]): InsightsMethodMap[M][1] {
  return aa(method, ...args);
}
track("viewedObjectIDs", { index: "products", eventName: "Viewed", objectIDs: ["1"] });
const trackedToken: string | number = track("setUserToken", "user-2");
function trackWith<M extends keyof InsightsMethodMap>(client: InsightsClient, method: M, ...args: InsightsMethodMap[M][0]) {
  return client(method, ...args);
}
trackWith(aa, "clickedFilters", { index: "products", eventName: "Filtered", filters: ["a:b"] });

declare const objectMethod: "clickedObjectIDs" | "viewedObjectIDs";
const unionResult: Promise<boolean> = aa(objectMethod, { index: "products", eventName: "Seen", objectIDs: ["1"] });
track(objectMethod, { index: "products", eventName: "Seen", objectIDs: ["1"] });

// InstantSearch's own queue item type, built from the map.
type QueueItem = { [M in keyof InsightsMethodMap]: [method: M, ...args: InsightsMethodMap[M][0]] }[keyof InsightsMethodMap];
const queued: QueueItem[] = [["setUserToken", "u"], ["init", { appId: "A", apiKey: "K" }]];
for (const [method, ...args] of queued) console.log(method, args);

// --- test doubles
const calls: unknown[][] = [];
const looseDouble: InsightsClient = (method: string, ...args: unknown[]): any => {
  calls.push([method, ...args]);
};
function typedDouble<M extends keyof InsightsMethodMap>(method: M, ...args: InsightsMethodMap[M][0]): InsightsMethodMap[M][1] {
  calls.push([method, ...args]);
  return undefined as InsightsMethodMap[M][1];
}
const typedDoubleClient: InsightsClient = Object.assign(typedDouble, { version: "2.17.3" });
const clients: InsightsClient[] = [aa, looseDouble, typedDoubleClient, createInsightsClient(getRequesterForNode())];

// --- a custom transport, and the class behind `aa`
const requester = getRequesterForNode();
const custom = createInsightsClient(async (url, data) => {
  const body = JSON.stringify(data);
  const events = data.events as InsightsEvent[];
  console.log(url.length, body.length, events.length);
  return true;
});
const recordingRequester: Parameters<typeof createInsightsClient>[0] = (url, data) => Promise.resolve(url.length + Object.keys(data).length > 0);
createInsightsClient(recordingRequester);
custom("init", { appId: "APP", apiKey: "KEY" });

const instance = new AlgoliaAnalytics({ requestFn: requester });
instance.init({ appId: "APP", apiKey: "KEY" });
instance.setUserToken("backend-user");
const instanceToken: string | number | undefined = instance.getUserToken();
const instanceVersion: string = instance.version;
const instanceSent: Promise<boolean> = instance.clickedObjectIDs({ index: "products", eventName: "Clicked", objectIDs: ["1"] });
instance.sendEvents([{ eventType: "view", eventName: "Viewed", index: "products", objectIDs: ["1"] }]);
const functional: InsightsClient = getFunctionalInterface(instance);
functional("viewedFilters", { index: "products", eventName: "Viewed", filters: ["a:b"] });
processQueue.call(instance, globalThis);

LocalStorage.set("key", { a: 1 });
const stored: { a: number } | null = LocalStorage.get<{ a: number }>("key");
LocalStorage.remove("key");

// --- the integrations, which take a search-insights client
const searchClient = liteClient("APP", "KEY");
instantsearch({ indexName: "products", searchClient, insights: { insightsClient: aa, insightsInitParams: { useCookie: true } } });
instantsearch({ indexName: "products", searchClient, insights: { insightsClient: custom } });
instantsearch({ indexName: "products", searchClient, insights: { insightsClient: looseDouble } });
createAlgoliaInsightsPlugin({ insightsClient: aa });
createAlgoliaInsightsPlugin({ insightsClient: typedDoubleClient });

console.log(
  version,
  token,
  current,
  sent,
  maybeVersion,
  eventType,
  subtype,
  additional,
  asRecord,
  objectDataRecord,
  [getVersion, addAlgoliaAgent, setUserToken, getUserToken, onUserTokenChange],
  [clickedObjectIDsAfterSearch, clickedObjectIDs, clickedFilters, convertedObjectIDsAfterSearch, convertedObjectIDs],
  [convertedFilters, viewedObjectIDs, viewedFilters, sendEvents, delegatedInit, delegatedSend],
  methods,
  firstClickArgument,
  initReturns,
  trackedToken,
  unionResult,
  clients,
  instanceToken,
  instanceVersion,
  instanceSent,
  stored
);

// Compiled with `tsc --noEmit` by tests/e2e/npm-consumer.test.mjs and
// tests/e2e/types.test.mjs: typical calls must type-check, and wrong ones must
// not (the @ts-expect-error lines fail the check if the types stop rejecting
// them). search-insights-typed code is in search-insights-api.ts; this file
// is about what this package adds.
import aa, {
  AlgoliaAnalytics,
  LocalStorage,
  createInsightsClient,
  getFunctionalInterface,
  getRequesterForBrowser,
  getRequesterForNode,
  processQueue,
  type DeliveryReport,
  type InitParams,
  type InsightsClient,
  type InsightsEvent,
  type InsightsMethod,
  type InsightsMethodMap,
  type InsightsWasmClient,
  type InsightsWasmMethodMap,
  type InsightsWasmRequestFn,
  type RequestFnType,
  type UserToken,
} from "search-insights-wasm";

aa("init", { appId: "APP", apiKey: "KEY", useCookie: true, region: "de", partial: true });
aa("init", { appId: "APP", apiKey: "KEY", flushDelay: 100, maxRetries: 2, maxEventAge: 60_000 });
const options: InitParams = { appId: "APP", flushDelay: 0 };
aa("init", options);
const token: UserToken = aa("setUserToken", "user-1");
aa("getUserToken", null, (_err, userToken) => console.log(userToken));
aa("onUserTokenChange", (userToken) => console.log(userToken), { immediate: true });
aa("setAuthenticatedUserToken", undefined);
aa("setAnonymousUserToken", true);
aa("saveTokenAsCookie");
const version: string = aa("getVersion");
const versionProperty: string = aa.version;
const queue: any[] | undefined = aa.queue;

const click: Promise<boolean> = aa(
  "clickedObjectIDsAfterSearch",
  { index: "products", eventName: "Clicked", queryID: "q", objectIDs: ["1"], positions: [1] },
  { headers: { "X-Algolia-Application-Id": "APP", "X-Algolia-API-Key": "KEY" } }
);
aa("purchasedObjectIDsAfterSearch", {
  index: "products",
  eventName: "Bought",
  objectIDs: ["1"],
  objectData: [{ queryID: "q", price: 9.5, quantity: 2 }],
  value: 19,
  currency: "EUR",
});
aa("convertedObjectIDs", { index: "products", eventName: "Converted", objectIDs: ["1"] }, { inferQueryID: true });
aa("viewedFilters", { index: "products", eventName: "Viewed", filters: ["brand:Apple"] });
aa("sendEvents", [{ eventType: "click", eventName: "Clicked", index: "products", objectIDs: ["1"] }]);
aa("onDelivery", (report: DeliveryReport) => console.log(report.status, report.delivered, report.willRetry));
aa("onDelivery", (report) => console.log(report.message.length, report.events));
aa("flush");
aa("reset");

const second: InsightsWasmClient = createInsightsClient();
second("init", { appId: "APP", apiKey: "KEY" });
second("flush");
const plain: InsightsClient = createInsightsClient();
plain("init", { appId: "APP", apiKey: "KEY", flushDelay: 10 });
console.log(token, version, versionProperty, queue, click, second.version, plain.version);

// --- generic wrappers and method-name unions, over search-insights' methods and over all of aa's
function track<M extends keyof InsightsMethodMap>(method: M, ...args: InsightsMethodMap[M][0]) {
  return aa(method, ...args);
}
function call<M extends InsightsMethod>(method: M, ...args: InsightsWasmMethodMap[M][0]): InsightsWasmMethodMap[M][1] {
  return aa(method, ...args);
}
const tracked: Promise<boolean> = track("clickedObjectIDs", { index: "products", eventName: "Clicked", objectIDs: ["1"] });
call("flush");
call("onDelivery", (report) => console.log(report.status));
const calledToken: UserToken = call("setUserToken", "u");
declare const objectMethod: "clickedObjectIDs" | "viewedObjectIDs";
const union: Promise<boolean> = aa(objectMethod, { index: "products", eventName: "Seen", objectIDs: ["1"] });
declare const sendNow: "flush" | "reset";
aa(sendNow);
console.log(tracked, calledToken, union);

// --- test doubles
const calls: unknown[][] = [];
const double: InsightsClient = (...args: unknown[]): any => void calls.push(args);
const wasmDouble: InsightsWasmClient = Object.assign((...args: unknown[]): any => void calls.push(args), { version: "2.17.3" });
const clients: InsightsClient[] = [aa, second, double, wasmDouble];

// --- requestFn: search-insights' RequestFnType, or typed with the { events } body; may resolve a status
const searchInsightsRequester: RequestFnType = async (url, data) => url.length > 0 && "events" in data;
const statusRequester: InsightsWasmRequestFn = async (_url, data) => (data.events.length > 0 ? 200 : 400);
createInsightsClient(searchInsightsRequester);
createInsightsClient(statusRequester);
createInsightsClient(getRequesterForNode());
createInsightsClient(getRequesterForBrowser());
createInsightsClient(async (url, data) => {
  const events: InsightsEvent[] = data.events;
  console.log(url, events.map((event) => event.eventName), data.other);
  return true;
});
createInsightsClient((_url, _data: { events: InsightsEvent[] }) => Promise.reject(new Error("offline")));

// --- the class and the helpers
const instance = new AlgoliaAnalytics({ requestFn: statusRequester });
new AlgoliaAnalytics();
instance.init({ appId: "APP", apiKey: "KEY", maxRetries: 0 });
instance.onDelivery((report) => console.log(report.delivered));
instance.flush();
instance.reset();
const functional = getFunctionalInterface(instance);
functional("flush");
functional("clickedObjectIDs", { index: "products", eventName: "Clicked", objectIDs: ["1"] });
processQueue.call(instance, globalThis);
LocalStorage.set("k", [1, 2]);
const list: number[] | null = LocalStorage.get<number[]>("k");
LocalStorage.remove("k");
const store = LocalStorage.store;
console.log(clients, list, store?.getItem("k"));

// --- mistakes
// @ts-expect-error: region must be "us" or "de"
aa("init", { region: "eu" });
// @ts-expect-error: flushDelay is a number
aa("init", { flushDelay: "100" });
// @ts-expect-error: clickedObjectIDsAfterSearch needs queryID and positions
aa("clickedObjectIDsAfterSearch", { index: "products", eventName: "Clicked", objectIDs: ["1"] });
// @ts-expect-error: objectIDs are strings
aa("viewedObjectIDs", { index: "products", eventName: "Viewed", objectIDs: [1] });
// @ts-expect-error: every event needs an eventName
aa("clickedObjectIDs", { index: "products", objectIDs: ["1"] });
// @ts-expect-error: unknown method
aa("clickedObjectIds", { index: "products", eventName: "Clicked", objectIDs: ["1"] });
// @ts-expect-error: event methods return a Promise, not a boolean
const notBoolean: boolean = aa("viewedObjectIDs", { index: "products", eventName: "Viewed", objectIDs: ["1"] });
// @ts-expect-error: flush takes no argument
aa("flush", true);
// @ts-expect-error: the onDelivery report has no `ok`
aa("onDelivery", (report) => report.ok);
// @ts-expect-error: sendEvents takes an array of events
aa("sendEvents", { eventType: "click", eventName: "Clicked", index: "products", objectIDs: ["1"] });
// @ts-expect-error: eventType is click, conversion or view
aa("sendEvents", [{ eventType: "purchase", eventName: "Bought", index: "products" }]);
// @ts-expect-error: the union's payload must fit both methods
aa(objectMethod, { index: "products", eventName: "Seen", filters: ["a:b"] });
// @ts-expect-error: a wrapper over search-insights' methods has no flush
track("flush");
// @ts-expect-error: a wrapper's arguments follow its method
track("setUserToken", { index: "products" });
// @ts-expect-error: InsightsClient (search-insights' methods) has no reset
plain("reset");
// @ts-expect-error: a requestFn resolves a boolean or a status, not a string
createInsightsClient(async () => "ok");
// @ts-expect-error: a requestFn returns a Promise
createInsightsClient(() => true);
// @ts-expect-error: getRequesterForNode takes no argument
getRequesterForNode("http");
// @ts-expect-error: AlgoliaAnalytics takes { requestFn }, not a function
new AlgoliaAnalytics(statusRequester);
// @ts-expect-error: LocalStorage.set needs a value
LocalStorage.set("k");
// @ts-expect-error: a test double must be a function
const notClient: InsightsClient = { version: "2.17.3" };
console.log(notBoolean, notClient);

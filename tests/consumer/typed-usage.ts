// Compiled with `tsc --noEmit` by tests/e2e/npm-consumer.test.mjs: typical
// calls must type-check, and wrong ones must not (the @ts-expect-error lines
// fail the check if the types stop rejecting them).
import aa, { createInsightsClient, type InsightsClient, type DeliveryReport } from "search-insights-wasm";

aa("init", { appId: "APP", apiKey: "KEY", useCookie: true, region: "de", partial: true });
const token: string | number = aa("setUserToken", "user-1");
aa("getUserToken", null, (_err, userToken) => console.log(userToken));
aa("onUserTokenChange", (userToken) => console.log(userToken), { immediate: true });
aa("setAuthenticatedUserToken", undefined);
const version: string = aa("getVersion");

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
aa("onDelivery", (report: DeliveryReport) => console.log(report.status, report.delivered));
aa("flush");

const second: InsightsClient = createInsightsClient();
second("init", { appId: "APP", apiKey: "KEY" });
console.log(token, version, click, second.version);

// @ts-expect-error: region must be "us" or "de"
aa("init", { region: "eu" });
// @ts-expect-error: clickedObjectIDsAfterSearch needs queryID and positions
aa("clickedObjectIDsAfterSearch", { index: "products", eventName: "Clicked", objectIDs: ["1"] });
// @ts-expect-error: objectIDs are strings
aa("viewedObjectIDs", { index: "products", eventName: "Viewed", objectIDs: [1] });
// @ts-expect-error: unknown method
aa("clickedObjectIds", { index: "products", eventName: "Clicked", objectIDs: ["1"] });
// @ts-expect-error: event methods return a Promise, not a boolean
const notBoolean: boolean = aa("viewedObjectIDs", { index: "products", eventName: "Viewed", objectIDs: ["1"] });
console.log(notBoolean);

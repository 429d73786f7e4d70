// Uses the package as an app would: the default `aa` straight after import
// (before its wasm is ready), and a second, independent client.
import aa, { createInsightsClient } from "search-insights-wasm";

const params = new URLSearchParams(location.search);
const appId = params.get("app") || "consumer-app";
const host = location.origin;

const report = (window.consumer = { errors: [] });

// Default client: everything here runs before the wasm is instantiated.
report.queuedBeforeReady = Array.isArray(aa.queue);
aa("init", { appId, apiKey: "consumer-key", host });
aa("setUserToken", "default-user");
aa("getUserToken", null, (err, token) => {
  report.defaultTokenFromCallback = token;
});
report.defaultClick = aa("clickedObjectIDs", {
  index: "products",
  eventName: "Consumer click",
  objectIDs: ["1"],
}).then(
  (ok) => (report.defaultClickResult = ok),
  (error) => report.errors.push(String(error))
);

// A mistake made before the wasm is ready reaches the caller as a rejection,
// as `await aa(...)` would have thrown it once ready.
report.badClick = aa("clickedObjectIDs", {
  index: "products",
  eventName: "Consumer click",
  objectIDs: [42],
}).then(
  (ok) => (report.badClickResult = ok),
  (error) => (report.badClickError = error instanceof Error ? error.message : String(error))
);

// A second client with its own token, settings and queue.
const second = createInsightsClient();
second("init", { appId, apiKey: "consumer-key", host });
second("setUserToken", "second-user");
report.secondView = second("viewedObjectIDs", {
  index: "products",
  eventName: "Consumer view",
  objectIDs: ["2", "3"],
}).then(
  (ok) => (report.secondViewResult = ok),
  (error) => report.errors.push(String(error))
);

report.registered = window[window.AlgoliaAnalyticsObject] === aa;
report.version = aa.version;

Promise.all([report.defaultClick, report.secondView, report.badClick]).then(() => {
  report.defaultToken = aa("getUserToken");
  report.secondToken = second("getUserToken");
  report.done = true;
  document.getElementById("log").textContent = JSON.stringify(report, null, 2);
});

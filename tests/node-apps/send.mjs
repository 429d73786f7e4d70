// Node ESM: the default client sends one click to INSIGHTS_HOST, and the
// script prints what it saw as one JSON line. Nothing else keeps it running:
// it must exit by itself once the event is delivered.
import aa, * as insights from "search-insights-wasm";

const { INSIGHTS_HOST: host, INSIGHTS_APP_ID: appId, INSIGHTS_API_KEY: apiKey } = process.env;
aa("init", { appId, apiKey, host });
const result = await aa("clickedObjectIDs", {
  index: "products",
  eventName: "Node ESM click",
  objectIDs: ["esm-1", "esm-2"],
  userToken: "user-1",
});
const named = {};
for (const name of Object.keys(insights).sort()) named[name] = typeof insights[name];
console.log(
  JSON.stringify({
    result,
    resolved: import.meta.resolve("search-insights-wasm"),
    defaultIsAa: insights.default === aa,
    named,
  })
);

// Node CommonJS: `require` gives `aa` itself with search-insights' named
// exports as its properties; the default client sends one click to
// INSIGHTS_HOST, and the script prints what it saw as one JSON line.
const aa = require("search-insights-wasm");

const { INSIGHTS_HOST: host, INSIGHTS_APP_ID: appId, INSIGHTS_API_KEY: apiKey } = process.env;
const names = ["createInsightsClient", "getRequesterForNode", "getRequesterForBrowser", "AlgoliaAnalytics", "LocalStorage", "getFunctionalInterface", "processQueue"];
const named = {};
for (const name of names) named[name] = typeof aa[name];
aa("init", { appId, apiKey, host });
aa("clickedObjectIDs", { index: "products", eventName: "Node CJS click", objectIDs: ["cjs-1"], userToken: "user-1" }).then(
  (result) => {
    console.log(
      JSON.stringify({
        result,
        type: typeof aa,
        resolved: require.resolve("search-insights-wasm"),
        sameModule: require("search-insights-wasm") === aa,
        named,
      })
    );
  },
  (error) => {
    console.error("the event Promise rejected:", error);
    process.exitCode = 1;
  }
);

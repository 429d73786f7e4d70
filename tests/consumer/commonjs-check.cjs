// @ts-check
// Plain CommonJS JavaScript, type-checked (checkJs) and run by
// tests/e2e/types.test.mjs: `const aa = require(...)` gets the package's types.
const aa = require("search-insights-wasm");
const { createInsightsClient, AlgoliaAnalytics } = require("search-insights-wasm");

aa("init", { appId: "APP", apiKey: "KEY" });
/** @type {import("search-insights-wasm").InsightsClient} */
const client = createInsightsClient(async () => true);
const instance = new AlgoliaAnalytics({ requestFn: async () => true });
instance.setUserToken("js-user");
// Mistakes (never called: only type-checked).
function mistakes() {
  // @ts-expect-error: objectIDs are strings
  aa("viewedObjectIDs", { index: "i", eventName: "e", objectIDs: [1] });
  // @ts-expect-error: CommonJS `require` gives `aa` itself, which has no `default`
  aa.default("init", {});
}

console.log(JSON.stringify({ mistakes: typeof mistakes, version: aa("getVersion"), client: typeof client, token: instance.getUserToken() }));

// An ES module TypeScript file (module: node16/nodenext), type-checked and run
// by tests/e2e/types.test.mjs: the default export is `aa`, the rest are named.
import aa, * as insights from "search-insights-wasm";
import { createInsightsClient, type InsightsWasmClient } from "search-insights-wasm";

aa("init", { appId: "APP", apiKey: "KEY", maxEventAge: 1000 });
const client: InsightsWasmClient = createInsightsClient(async () => 200);
client("flush");
// Mistakes (never called: only type-checked).
export function mistakes() {
  // @ts-expect-error: in ES modules the named exports are not properties of `aa`
  aa.createInsightsClient();
  // @ts-expect-error: reset takes no argument
  client("reset", 1);
}

console.log(
  JSON.stringify({
    version: aa("getVersion"),
    sameDefault: insights.default === aa,
    named: typeof insights.createInsightsClient,
    classes: [typeof insights.AlgoliaAnalytics, typeof insights.LocalStorage],
    propertyOnDefault: "createInsightsClient" in aa,
  })
);

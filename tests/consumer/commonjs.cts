// A CommonJS TypeScript file (module: node16/nodenext), type-checked and run
// by tests/e2e/types.test.mjs: `require("search-insights-wasm")` is `aa`
// itself with the named exports as its properties, as with search-insights.
import aa = require("search-insights-wasm");
import { createInsightsClient, type InsightsClient, type InsightsEvent } from "search-insights-wasm";
// esModuleInterop: the default import of a CommonJS module is its module.exports, `aa`.
import defaultImport from "search-insights-wasm";

aa("init", { appId: "APP", apiKey: "KEY", flushDelay: 10 });
const version: string = aa("getVersion");
const token: string | number = aa("setUserToken", "backend-user");
const client: aa.InsightsWasmClient = aa.createInsightsClient(async (_url, data) => data.events.length > 0);
const named: InsightsClient = createInsightsClient(aa.getRequesterForNode());
const events: InsightsEvent[] = [];
const instance: aa.AlgoliaAnalytics = new aa.AlgoliaAnalytics({ requestFn: async () => true });
const functional: aa.InsightsClient = aa.getFunctionalInterface(instance);
aa.processQueue.call(instance, globalThis);
aa.LocalStorage.remove("k");
const browserRequester: aa.RequestFnType = aa.getRequesterForBrowser();

// Mistakes (never called: only type-checked).
export function mistakes() {
  // @ts-expect-error: CommonJS `require` gives `aa` itself, which has no `default`
  aa.default("init", {});
  // @ts-expect-error: an unknown method
  aa("clickedObjectIds", { index: "i", eventName: "e", objectIDs: ["1"] });
  // @ts-expect-error: the package's types are under its name
  const missing: aa.NoSuchType = 1;
}

console.log(
  JSON.stringify({
    callable: typeof aa,
    defaultImport: defaultImport === aa,
    version,
    token,
    getUserToken: aa("getUserToken"),
    exports: [
      aa.createInsightsClient,
      aa.getRequesterForBrowser,
      aa.getRequesterForNode,
      aa.AlgoliaAnalytics,
      aa.LocalStorage,
      aa.getFunctionalInterface,
      aa.processQueue,
    ].map((value) => typeof value),
    default: "default" in aa,
    clients: [client, named, functional].map((value) => typeof value),
    instanceFlush: typeof instance.flush,
    events: events.length,
    browserRequester: typeof browserRequester,
  })
);

// search-insights-wasm's types against the real search-insights 2.17.3's
// ("search-insights-original", mapped by tests/e2e/types.test.mjs to the
// workspace's node_modules/search-insights). Compiled with tsc, strict,
// skipLibCheck off: each line is a claim that fails the check when untrue.
import type * as Original from "search-insights-original";
import type * as Wasm from "search-insights-wasm";
import originalAa, { createInsightsClient as originalCreateInsightsClient, getRequesterForNode as originalRequester } from "search-insights-original";
import aa, { createInsightsClient, getRequesterForBrowser, getRequesterForNode } from "search-insights-wasm";

// Exact equality of two types (not just assignability both ways).
type Equals<X, Y> = (<T>() => T extends X ? 1 : 2) extends <T>() => T extends Y ? 1 : 2 ? true : false;
type Both<X, Y> = [X] extends [Y] ? ([Y] extends [X] ? true : false) : false;
function claim<T extends true>(): T | undefined {
  return undefined;
}

// --- InsightsClient, both ways
declare const original: Original.InsightsClient;
declare const wasm: Wasm.InsightsClient;
declare const wasmClient: Wasm.InsightsWasmClient;
const fromOriginal: Wasm.InsightsClient = original;
const fromWasm: Original.InsightsClient = wasm;
const fromWasmClient: Original.InsightsClient = wasmClient;
const fromDefault: Original.InsightsClient = aa;
const fromCreated: Original.InsightsClient = createInsightsClient();
const originalDefault: Wasm.InsightsClient = originalAa;
claim<Both<Original.InsightsClient, Wasm.InsightsClient>>();
claim<Both<Original.InsightsMethodMap, Wasm.InsightsMethodMap>>();
claim<Equals<keyof Original.InsightsMethodMap, keyof Wasm.InsightsMethodMap>>();

// Each method's entry, both ways; all but `init` identical (this package's
// InitParams has three more optional options: flushDelay, maxRetries, maxEventAge).
type Same<K extends keyof Original.InsightsMethodMap> = Equals<Original.InsightsMethodMap[K], Wasm.InsightsMethodMap[K]>;
type AllButInit = Exclude<keyof Original.InsightsMethodMap, "init">;
claim<{ [K in AllButInit]: Same<K> }[AllButInit]>();
claim<Both<Original.InsightsMethodMap["init"], Wasm.InsightsMethodMap["init"]>>();
type OriginalInitParams = NonNullable<Original.InsightsMethodMap["init"][0][0]>;
claim<Equals<OriginalInitParams, Omit<Wasm.InitParams, "flushDelay" | "maxRetries" | "maxEventAge">>>();

// The method types and the event types search-insights exports: identical.
claim<Equals<Original.GetVersion, Wasm.GetVersion>>();
claim<Equals<Original.AddAlgoliaAgent, Wasm.AddAlgoliaAgent>>();
claim<Equals<Original.SetUserToken, Wasm.SetUserToken>>();
claim<Equals<Original.GetUserToken, Wasm.GetUserToken>>();
claim<Equals<Original.OnUserTokenChange, Wasm.OnUserTokenChange>>();
claim<Equals<Original.ClickedObjectIDsAfterSearch, Wasm.ClickedObjectIDsAfterSearch>>();
claim<Equals<Original.ClickedObjectIDs, Wasm.ClickedObjectIDs>>();
claim<Equals<Original.ClickedFilters, Wasm.ClickedFilters>>();
claim<Equals<Original.ConvertedObjectIDsAfterSearch, Wasm.ConvertedObjectIDsAfterSearch>>();
claim<Equals<Original.ConvertedObjectIDs, Wasm.ConvertedObjectIDs>>();
claim<Equals<Original.ConvertedFilters, Wasm.ConvertedFilters>>();
claim<Equals<Original.ViewedObjectIDs, Wasm.ViewedObjectIDs>>();
claim<Equals<Original.ViewedFilters, Wasm.ViewedFilters>>();
claim<Equals<Original.SendEvents, Wasm.SendEvents>>();
claim<Both<Original.Init, Wasm.Init>>();
claim<Equals<Original.InsightsEvent, Wasm.InsightsEvent>>();
claim<Equals<Original.InsightsEventType, Wasm.InsightsEventType>>();
claim<Equals<Original.InsightsEventConversionSubType, Wasm.InsightsEventConversionSubType>>();
claim<Equals<Original.InsightsEventObjectData, Wasm.InsightsEventObjectData>>();
claim<Equals<Original.InsightsAdditionalEventParams, Wasm.InsightsAdditionalEventParams>>();
claim<Equals<Parameters<typeof originalCreateInsightsClient>[0], Wasm.RequestFnType>>();
claim<Equals<ReturnType<typeof originalRequester>, ReturnType<typeof getRequesterForNode>>>();
claim<Equals<ReturnType<typeof originalRequester>, ReturnType<typeof getRequesterForBrowser>>>();

// The runtime functions fit where search-insights' are expected, and take its requesters.
const create: typeof originalCreateInsightsClient = createInsightsClient;
const requester: Original.InsightsClient = createInsightsClient(originalRequester());
const ownRequester: Original.InsightsClient = originalCreateInsightsClient(getRequesterForNode());

// --- the additions are on top, not in InsightsClient
claim<Equals<Wasm.InsightsWasmMethodMap["flush"], [[], void]>>();
claim<Equals<Exclude<Wasm.InsightsMethod, keyof Original.InsightsMethodMap>, "setAnonymousUserToken" | "saveTokenAsCookie" | "flush" | "reset" | "onDelivery">>();
// @ts-expect-error: search-insights' client has no flush, so neither has InsightsClient
wasm("flush");
// @ts-expect-error: the other way round, search-insights' client is no InsightsWasmClient
const notWasmClient: Wasm.InsightsWasmClient = original;

console.log(fromOriginal, fromWasm, fromWasmClient, fromDefault, fromCreated, originalDefault, create, requester, ownRequester, notWasmClient);

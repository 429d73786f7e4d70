// Types of search-insights-wasm for `import` (ES modules): index.d.ts's, and
// `aa` as the default export.
export * from "./index.js";
import type { InsightsWasmClient } from "./index.js";

/**
 * The default client. Browser build: ready to call at once, calls made before the wasm is
 * instantiated wait in `aa.queue`; registered as `window[window.AlgoliaAnalyticsObject]` unless
 * the page has one. Node: the wasm is instantiated at import, so getters answer at once.
 */
declare const aa: InsightsWasmClient;
export default aa;

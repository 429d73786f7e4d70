// The npm build for browsers and bundlers (pkg/index.mjs, and
// pkg/index-browser.cjs through cjs-browser.js). The wasm is embedded, so
// every bundler and test runner takes the package without configuration and
// the page makes no second request. It is instantiated asynchronously (no
// main-thread compile); calls made meanwhile wait in `aa.queue`.
import init from "../../target/bindgen/search_insights_wasm.js";
import { clientFactory } from "./client.js";
import { makeAlgoliaAnalytics } from "./compat.js";
// scripts/build.sh points `embedded-wasm` at wasm-gzip.js (ESM) or wasm-raw.js (CommonJS).
import { embeddedWasm } from "embedded-wasm";

let loading = null;
let loaded = false;
function start() {
  if (loaded) return null;
  if (!loading) loading = Promise.resolve().then(embeddedWasm).then((wasm) => init({ module_or_path: wasm })).then(() => void (loaded = true));
  return loading;
}

const clients = clientFactory(start, "the embedded search_insights_wasm_bg.wasm");
export const createInsightsClient = clients.createInsightsClient;
export const AlgoliaAnalytics = /* @__PURE__ */ makeAlgoliaAnalytics(clients.newClient);
export { getRequesterForBrowser, getRequesterForNode, getFunctionalInterface, processQueue, LocalStorage } from "./compat.js";

const aa = createInsightsClient();
export default aa;

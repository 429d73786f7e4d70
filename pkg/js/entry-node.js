// The npm build for Node.js (pkg/index-node.mjs, and pkg/index-node.cjs
// through cjs.js). The wasm bytes are embedded and instantiated synchronously
// at import, so `aa` answers at once (no queue), and nothing is fetched, read
// from disk or left running: a server build that moves this file still works,
// and a bare import keeps no process alive.
import { initSync } from "../../target/bindgen/search_insights_wasm.js";
import { embeddedWasm } from "./wasm-raw.js";
import { clientFactory } from "./client.js";
import { makeAlgoliaAnalytics } from "./compat.js";

let failure = null;
try {
  initSync({ module: embeddedWasm() });
} catch (error) {
  failure = error;
}
const start = () => (failure ? Promise.reject(failure) : null);

const clients = clientFactory(start, "the embedded search_insights_wasm_bg.wasm");
export const createInsightsClient = clients.createInsightsClient;
export const AlgoliaAnalytics = /* @__PURE__ */ makeAlgoliaAnalytics(clients.newClient);
export { getRequesterForBrowser, getRequesterForNode, getFunctionalInterface, processQueue, LocalStorage } from "./compat.js";

const aa = createInsightsClient();
export default aa;

// Node ESM: the getters answer synchronously right after the import.
import aa from "search-insights-wasm";

const version = aa("getVersion");
aa("setUserToken", "u");
const token = aa("getUserToken");
let callback = null;
aa("getUserToken", null, (error, value) => (callback = { error: error == null ? null : String(error), value }));
console.log(JSON.stringify({ versionType: typeof version, version, token, callback, queue: aa.queue === undefined ? "none" : aa.queue.length }));

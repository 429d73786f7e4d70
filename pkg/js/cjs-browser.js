// pkg/index-browser.cjs: `require("search-insights-wasm")` is `aa` itself, with
// the named exports as its properties, as search-insights' CommonJS entries are.
module.exports = require("./compat.js").asCommonJS(require("./entry-browser.js"));

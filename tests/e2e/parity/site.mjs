// The test site both libraries run on: one page per (library, integration),
// each loading the page-side runner and then the library exactly as a site
// would — through the official snippet, or as an npm ES module.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, LIBRARIES, snippet } from "../harness.mjs";

const here = join(ROOT, "tests/e2e/parity");

/** ES module entry points of each library. */
export const MODULES = {
  wasm: "/pkg/index.mjs",
  js: "/vendor/search-insights-browser.mjs",
};

const runner = `<script src="/parity/page.js"></script>`;

function snippetPage(lib) {
  return `<!doctype html><html><head>${runner}
${snippet(LIBRARIES[lib])}
<script>window.__runParity();</script></head><body></body></html>`;
}

// The npm integration: `import aa from "<package>"`. The wasm module queues
// calls until its wasm is instantiated; the run starts once it answers.
function modulePage(lib) {
  return `<!doctype html><html><head>${runner}
<script type="module">
import aa from ${JSON.stringify(MODULES[lib])};
window.aa = aa;
const ready = () => aa("getVersion") === "2.17.3" ? window.__runParity() : setTimeout(ready, 20);
ready();
</script></head><body></body></html>`;
}

/** Files for `makeSite`. */
export function siteFiles() {
  return {
    "parity/page.js": readFileSync(join(here, "page.js"), "utf8"),
    "vendor/search-insights-browser.mjs": readFileSync(
      join(ROOT, "node_modules/search-insights/dist/search-insights-browser.mjs"),
      "utf8"
    ),
    "parity/snippet-wasm.html": snippetPage("wasm"),
    "parity/snippet-js.html": snippetPage("js"),
    "parity/module-wasm.html": modulePage("wasm"),
    "parity/module-js.html": modulePage("js"),
  };
}

// Side-by-side check: every scenario of parity/scenarios.mjs runs through the
// real search-insights 2.17.3 and through this library, each loaded the same
// way (the official snippet, or an npm import) in headless Chromium against
// the local Insights endpoint. What a site and the API observe must be the
// same: events received (and whether the API accepted them), the `_ALGOLIA`
// cookie and its lifetime, the query-ID cache, callback arguments, return
// values and errors, console warnings, the endpoint chosen and the query
// string. Differences kept on purpose are named in parity/differences.mjs and
// checked, never skipped.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, makeSite, launchBrowser } from "./harness.mjs";
import { siteFiles } from "./parity/site.mjs";
import { SCENARIOS, ANON } from "./parity/scenarios.mjs";
import { runScenario } from "./parity/run.mjs";
import { normalise, canonical } from "./parity/normalise.mjs";
import { reconcile } from "./parity/differences.mjs";

let server, browser;
const shared = { fixedTimestamp: Math.floor(Date.now() / 1000) * 1000 - 3_600_000 };

before(async () => {
  server = await startServer({ www: makeSite(siteFiles()) });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

function checkExpectations(view, expect) {
  const accepted = view.events.filter((r) => r.accepted).length;
  if (expect.events === undefined) assert.ok(accepted > 0, "events reached the endpoint");
  else assert.equal(accepted, expect.events, "events accepted");
  for (const key of ["console", "endpoints", "cookie", "cookieDays", "queryCache", "callbacks"]) {
    if (key in expect) assert.deepEqual(view[key], expect[key], key);
  }
  if ("queryCacheSize" in expect) {
    assert.equal(Object.keys(view.queryCache || {}).length, expect.queryCacheSize, "query-ID cache entries");
  }
  for (const [method, value] of Object.entries(expect.returned || {})) {
    assert.deepEqual(view.steps.find((s) => s.method === method)?.returned, value, `${method} returned`);
  }
}

const sortEvents = (events) => [...events].sort((a, b) => (canonical(a) < canonical(b) ? -1 : 1));

describe("search-insights parity", { concurrency: 4 }, () => {
  for (const scenario of SCENARIOS) {
    test(scenario.name, async () => {
      const s = { ...scenario, calls: [...(scenario.queued || []), "$LOADED", ...scenario.calls] };
      const [rawJs, rawWasm] = await Promise.all(
        ["js", "wasm"].map((lib) => runScenario({ browser, server, scenario: s, lib, shared }))
      );
      const known = [ANON];
      const js = normalise(rawJs, known);
      const wasm = normalise(rawWasm, known);
      assert.equal(rawJs.error, null);
      assert.equal(rawWasm.error, null);
      reconcile({ js, wasm, raw: { js: rawJs, wasm: rawWasm }, scenario: s, mode: rawJs.mode, shared });
      js.events = sortEvents(js.events);
      wasm.events = sortEvents(wasm.events);
      // Field by field first, for readable failures; then everything.
      assert.deepEqual(wasm.events, js.events, "events received by the endpoint");
      assert.deepEqual(wasm.steps, js.steps, "return values and errors");
      assert.deepEqual(wasm.callbacks, js.callbacks, "callback arguments");
      assert.deepEqual([wasm.cookie, wasm.cookieDays], [js.cookie, js.cookieDays], "_ALGOLIA cookie and lifetime (days)");
      assert.deepEqual(wasm, js);
      // Agreeing on nothing proves nothing: search-insights' side shows what the scenario is about.
      checkExpectations(js, scenario.expect || {});
      assert.ok(wasm.events.every((r) => r.accepted), "every event this library sent was accepted");
    });
  }
});

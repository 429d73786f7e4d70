// Side-by-side check: every scenario of parity/scenarios.mjs runs through the
// real search-insights 2.17.3 and through this library, each loaded the same
// way (the official snippet, or an npm import) in headless Chromium against
// the local Insights endpoint. What a site and the API observe must be the
// same: events received (and whether the API accepted them), the `_ALGOLIA`
// cookie and its lifetime, the query-ID cache, callback arguments, return
// values and errors, console warnings, the endpoint chosen and the query
// string, the order of the events sent and the number of requests.
// Differences kept on purpose are named in parity/differences.mjs and
// checked against hand-written expectations, never skipped.
//
// Nothing waits for time: search-insights runs first and its page records
// every request it makes; the run waits until the endpoint has them all.
// How many events this library must deliver follows from that run and the
// scenario's named differences, and its run waits until the endpoint has
// them (and every request its page made). A safety net that runs out fails.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, makeSite, launchBrowser } from "./harness.mjs";
import { siteFiles } from "./parity/site.mjs";
import { SCENARIOS, ANON } from "./parity/scenarios.mjs";
import { runScenario } from "./parity/run.mjs";
import { normalise, canonical } from "./parity/normalise.mjs";
import { reconcile, expectedEvents } from "./parity/differences.mjs";

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

// Each scenario runs its two (or three) browser contexts one after the other.
describe("search-insights parity", { concurrency: 3 }, () => {
  for (const scenario of SCENARIOS) {
    test(scenario.name, async () => {
      const s = { ...scenario, calls: [...(scenario.queued || []), "$LOADED", ...scenario.calls] };
      const known = [ANON];
      const rawJs = await runScenario({ browser, server, scenario: s, lib: "js", shared });
      assert.equal(rawJs.error, null);
      const js = normalise(rawJs, known);
      // queueSurvivesErrors: search-insights' run of the queue without the throwing call.
      let control;
      const thrower = scenario.differs?.queueSurvivesErrors?.thrower;
      if (thrower) {
        const rawControl = await runScenario({ browser, server, scenario: { ...s, calls: s.calls.filter((c) => c !== thrower) }, lib: "js", shared });
        assert.equal(rawControl.error, null);
        control = normalise(rawControl, known);
      }
      const expectEvents = expectedEvents(js, s, control);
      const rawWasm = await runScenario({ browser, server, scenario: s, lib: "wasm", shared, expectEvents });
      assert.equal(rawWasm.error, null);
      const wasm = normalise(rawWasm, known);
      assert.equal(wasm.events.length, expectEvents, "events this library delivered");
      reconcile({ js, wasm, control, raw: { js: rawJs, wasm: rawWasm }, scenario: s, mode: rawJs.mode, shared });
      js.events = sortEvents(js.events);
      wasm.events = sortEvents(wasm.events);
      // Field by field first, for readable failures; then everything.
      assert.deepEqual(wasm.events, js.events, "events received by the endpoint");
      assert.deepEqual(wasm.order, js.order, "order of the events sent");
      assert.equal(wasm.requestCount, js.requestCount, "requests made (this library batching is a named difference)");
      assert.deepEqual(wasm.steps, js.steps, "return values and errors");
      assert.deepEqual(wasm.callbacks, js.callbacks, "callback arguments");
      assert.deepEqual([wasm.cookie, wasm.cookieDays], [js.cookie, js.cookieDays], "_ALGOLIA cookie and lifetime (days)");
      assert.deepEqual(wasm.console, js.console, "console");
      assert.deepEqual(wasm, js);
      // Agreeing on nothing proves nothing: search-insights' side shows what the scenario is about.
      checkExpectations(js, scenario.expect || {});
      assert.ok(wasm.events.every((r) => r.accepted), "every event this library sent was accepted");
    });
  }
});

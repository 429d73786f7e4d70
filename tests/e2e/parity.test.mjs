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
import { normalise } from "./parity/normalise.mjs";
import { assertSameAsSearchInsights } from "./parity/compare.mjs";
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
      assertSameAsSearchInsights(js, wasm, scenario);
    });
  }
});

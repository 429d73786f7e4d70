// The side-by-side verdict, shared by parity.test.mjs (Chromium, Playwright)
// and engines-parity.test.mjs (three engines, WebDriver): once both runs are
// normalised and the named differences reconciled, this library's view must
// be search-insights' own, and search-insights' view must show what the
// scenario is about.
import assert from "node:assert/strict";
import { canonical } from "./normalise.mjs";

const sortEvents = (events) => [...events].sort((a, b) => (canonical(a) < canonical(b) ? -1 : 1));

/** What a scenario's `expect` says search-insights' run shows. */
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

/**
 * Asserts that `wasm` (this library's normalised run) equals `js`
 * (search-insights'), field by field first for readable failures, then as a
 * whole; that the scenario's expectations hold for `js` (agreeing on nothing
 * proves nothing); and that the endpoint accepted every event this library
 * sent. Sorts both runs' events in place.
 */
export function assertSameAsSearchInsights(js, wasm, scenario) {
  js.events = sortEvents(js.events);
  wasm.events = sortEvents(wasm.events);
  assert.deepEqual(wasm.events, js.events, "events received by the endpoint");
  assert.deepEqual(wasm.order, js.order, "order of the events sent");
  assert.equal(wasm.requestCount, js.requestCount, "requests made (this library batching is a named difference)");
  assert.deepEqual(wasm.steps, js.steps, "return values and errors");
  assert.deepEqual(wasm.callbacks, js.callbacks, "callback arguments");
  assert.deepEqual([wasm.cookie, wasm.cookieDays], [js.cookie, js.cookieDays], "_ALGOLIA cookie and lifetime (days)");
  assert.deepEqual(wasm.queryCache, js.queryCache, "query-ID cache");
  assert.deepEqual(wasm.console, js.console, "console and uncaught errors");
  assert.deepEqual(wasm, js);
  checkExpectations(js, scenario.expect || {});
  assert.ok(wasm.events.every((r) => r.accepted), "every event this library sent was accepted");
}

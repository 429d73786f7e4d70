// Side by side in Chromium, Firefox ESR and WebKitGTK (over WebDriver): a
// handful of parity/scenarios.mjs's scenarios, each run through the real
// search-insights 2.17.3 (node_modules, loaded by the official snippet) and
// through this library, one after the other in the same browser session,
// against the real local endpoint. parity.test.mjs runs all of them in
// Chromium through Playwright; this runs the ones below in every engine, with
// the same page-side runner (parity/page.js), the same normalisation
// (parity/normalise.mjs) and the same named differences
// (parity/differences.mjs). Compared: the events the endpoint received (field
// by field, with its verdict), their count and order, the number of requests,
// return values and callback arguments, the `_ALGOLIA` cookie (whether there
// is one, its token and lifetime in days), the query-ID cache, console
// warnings and errors (as the page sees them: WebDriver has no console) and
// uncaught errors.
//
// WebDriver has no init scripts and no fresh context per run: the page reads
// its run's configuration from its URL, and before each run the origin's
// cookies, localStorage and sessionStorage are cleared and checked empty.
// Nothing waits for time: each page records every request it makes, and the
// run waits until the endpoint has them all (and, for this library, the
// events search-insights' run says it must deliver).
//
// After its scenarios, each engine prints `engines: <browser> <version>:
// parity with search-insights 2.17.3: N/N scenarios the same (events js=N
// wasm=N, requests js=N wasm=N, cookie in N)`.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, makeSite, snippet, LIBRARIES, uniqueAppId } from "./harness.mjs";
import { ENGINES, openSession } from "./webdriver.mjs";
import { PAGE_HOOK } from "./engine-pages.mjs";
import { siteFiles } from "./parity/site.mjs";
import { SCENARIOS, ANON } from "./parity/scenarios.mjs";
import { normalise } from "./parity/normalise.mjs";
import { assertSameAsSearchInsights } from "./parity/compare.mjs";
import { reconcile, expectedEvents } from "./parity/differences.mjs";

/**
 * The scenarios run in every engine: clicks, conversions, views, add-to-cart
 * and purchases, with a queryID, objectData, value and currency, and
 * URL-encoded filters; tokens (user, authenticated, the caller's own, back
 * to the anonymous one) and a fixed timestamp; the `_ALGOLIA` cookie with its
 * lifetime; the query-ID cache with `inferQueryID`; batching.
 */
const CHOSEN = [
  "clickedObjectIDsAfterSearch",
  "convertedObjectIDs",
  "viewedObjectIDs",
  "clickedFilters (URL-encoded)",
  "addedToCartObjectIDsAfterSearch",
  "purchasedObjectIDsAfterSearch",
  "the caller's timestamp and tokens win",
  "cookieDuration sets the cookie's lifetime",
  "setAnonymousUserToken goes back to the cookie token (logout)",
  "inferQueryID: a purchase gets the queryID of the click, then forgets it",
];
const scenarios = CHOSEN.map((name) => {
  const scenario = SCENARIOS.find((s) => s.name === name);
  assert.ok(scenario, `parity/scenarios.mjs has no scenario "${name}"`);
  // What this runner cannot set up (run.mjs can): it must not be asked to.
  for (const key of ["storage", "storageThrows", "cookie", "mode"]) assert.ok(!(key in scenario), `"${name}" needs ${key}`);
  const inits = scenario.calls.filter((c) => Array.isArray(c) && c[0] === "init");
  assert.ok(inits.length > 0 && inits.every((c) => c[1]?.host === "$HOST"), `"${name}" must send to the local endpoint only`);
  return scenario;
});

// The page of one run: its configuration from `?config=`, set before the
// runner; then the runner, the snippet, and the run.
const runPage = (lib) => `<!doctype html><html><head>${PAGE_HOOK}
<script>window.__PARITY__ = JSON.parse(new URLSearchParams(location.search).get("config"));</script>
<script src="/parity/page.js"></script>
${snippet(LIBRARIES[lib])}
<script>window.__runParity();</script></head><body></body></html>`;

let server;
const shared = { fixedTimestamp: Math.floor(Date.now() / 1000) * 1000 - 3_600_000 };

before(async () => {
  server = await startServer({
    www: makeSite({
      ...siteFiles(),
      "engines-parity/js.html": runPage("js"),
      "engines-parity/wasm.html": runPage("wasm"),
      "engines-parity/blank.html": "<!doctype html><html><body>blank</body></html>",
    }),
  });
});
after(async () => {
  await server?.stop();
});

/** Clears the origin's cookies and storage (a new visitor), and checks it. */
async function freshVisitor(session) {
  await session.goto(`${server.url}/engines-parity/blank.html`);
  await session.deleteCookies();
  // WebKit's page can still see a cookie that WebDriver just deleted for a
  // moment (its cookie store answers the page asynchronously): wait for it.
  let left;
  await session.until(async () => {
    left = await session.run(`localStorage.clear(); sessionStorage.clear();
      return { cookie: document.cookie, local: localStorage.length, session: sessionStorage.length };`);
    return left.cookie === "";
  }, "the deleted cookies gone from the page", 10000).catch(() => {});
  assert.deepEqual(left, { cookie: "", local: 0, session: 0 }, "a fresh visitor");
  assert.deepEqual(await session.cookies(), [], "no cookie left in the browser");
}

/**
 * Runs `scenario` with `lib` ("js" or "wasm") in `session`; resolves to the
 * raw outcome parity/normalise.mjs reads (as parity/run.mjs gives it).
 */
async function runScenario(session, scenario, lib, expectEvents) {
  const app = uniqueAppId(`engines-parity-${lib}`);
  await freshVisitor(session);
  const config = { steps: scenario.calls, mode: "snippet", lib, app, fixedTimestamp: shared.fixedTimestamp };
  const start = Date.now();
  await session.goto(`${server.url}/engines-parity/${lib}.html?${new URLSearchParams({ config: JSON.stringify(config) })}`);
  await session.until(() => session.run("return !!(window.__parityLog && window.__parityLog.done)"), `${lib}: the page to finish its steps`);
  // Every request the page made at the endpoint, none in flight, and the
  // events this library must deliver.
  let last;
  await session.until(async () => {
    const { sent, inFlight } = await session.run("return { sent: window.__parityLog.sent.length, inFlight: window.__parityLog.inFlight };");
    const received = (await server.requests({ appId: app, path: "/1/events" })).filter((r) => r.method === "POST").length;
    const events = (await server.events({ appId: app })).length;
    last = { sent, inFlight, received, events, expectEvents };
    if (received > sent) throw new Error(`${lib}: the endpoint received ${received} requests, the page made only ${sent}`);
    return inFlight === 0 && received === sent && (expectEvents === undefined || events >= expectEvents);
  }, `${lib}: every request at the endpoint (${JSON.stringify(last)})`);
  const seen = await session.run(`
    const cookie = document.cookie.split("; ").find((c) => c.startsWith("_ALGOLIA="));
    const log = window.__parityLog;
    return {
      steps: log.steps, callbacks: log.callbacks, sent: log.sent, error: log.error, loaded: log.loaded,
      cookie: cookie ? cookie.slice("_ALGOLIA=".length) : null,
      queryCache: localStorage.getItem("AlgoliaObjectQueryCache"),
      aaVersion: window.aa && window.aa.version === undefined ? "$undefined-marker" : window.aa && window.aa.version,
      logged: window.logged, thrown: window.thrown,
    };`);
  const end = Date.now();
  const stored = (await session.cookies()).find((c) => c.name === "_ALGOLIA");
  const requests = (await server.requests({ appId: app, path: "/1/events" })).filter((r) => r.method === "POST");
  const events = await server.events({ appId: app });
  // WebDriver drops `undefined` from what a script returns: a marker keeps it.
  if (seen.aaVersion === "$undefined-marker") seen.aaVersion = undefined;
  const { logged, thrown, ...rest } = seen;
  return {
    lib,
    mode: "snippet",
    app,
    start,
    end,
    origin: server.url,
    ...rest,
    // Whole days the cookie lives for (-1: a session cookie).
    cookieDays: stored ? (stored.expiry === undefined ? -1 : Math.round((stored.expiry * 1000 - start) / 86_400_000)) : null,
    endpoints: [...new Set(seen.sent.map((s) => new URL(s.url).origin))],
    requests,
    events,
    // In Playwright's words, as parity/normalise.mjs and differences.mjs expect them.
    console: [
      ...logged.map((m) => ({ type: m.type === "warn" ? "warning" : m.type, text: m.text })),
      ...thrown.map((text) => ({ type: "pageerror", text })),
    ],
  };
}

for (const engine of Object.keys(ENGINES)) {
  describe(`${engine}: search-insights parity`, () => {
    let session;
    const tally = { same: 0, js: 0, wasm: 0, jsRequests: 0, wasmRequests: 0, cookies: 0 };
    before(async () => {
      session = await openSession(engine);
    });
    after(async () => {
      if (session) {
        console.log(
          `engines: ${session.browser}: parity with search-insights 2.17.3: ${tally.same}/${scenarios.length} scenarios the same ` +
            `(events js=${tally.js} wasm=${tally.wasm}, requests js=${tally.jsRequests} wasm=${tally.wasmRequests}, cookie in ${tally.cookies})`
        );
        await session.quit();
      }
    });
    for (const scenario of scenarios) {
      test(`${engine}: ${scenario.name}`, { timeout: 240000 }, async () => {
        const s = { ...scenario, calls: [...(scenario.queued || []), "$LOADED", ...scenario.calls] };
        const rawJs = await runScenario(session, s, "js");
        assert.equal(rawJs.error, null);
        const js = normalise(rawJs, [ANON]);
        const expectEvents = expectedEvents(js, s);
        const rawWasm = await runScenario(session, s, "wasm", expectEvents);
        assert.equal(rawWasm.error, null);
        const wasm = normalise(rawWasm, [ANON]);
        assert.equal(wasm.events.length, expectEvents, "events this library delivered");
        const counts = { js: js.events.length, wasm: wasm.events.length, jsRequests: js.requestCount, wasmRequests: wasm.requestCount };
        reconcile({ js, wasm, raw: { js: rawJs, wasm: rawWasm }, scenario: s, mode: "snippet", shared });
        assertSameAsSearchInsights(js, wasm, scenario);
        tally.same++;
        tally.js += counts.js;
        tally.wasm += counts.wasm;
        tally.jsRequests += counts.jsRequests;
        tally.wasmRequests += counts.wasmRequests;
        if (js.cookie !== null) tally.cookies++;
      });
    }
  });
}

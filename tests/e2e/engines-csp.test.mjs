// Content-Security-Policy in Chromium, Firefox ESR and WebKitGTK (over
// WebDriver; csp.test.mjs has the Chromium-only details). The pages are served
// with the policy as a real response header (devserver sidecar files).
//
// Without 'wasm-unsafe-eval': with the snippet, exactly one console error from
// the library, naming 'wasm-unsafe-eval'; the calls made before stay in
// aa.queue as made, a later call neither throws nor joins them, nothing is
// sent. With the npm module (whose `aa` returns each event call's Promise;
// the snippet's stub returns nothing), the queued and the later event calls'
// Promises resolve false. With 'wasm-unsafe-eval': the events arrive.
//
// Each test prints `engines: <browser> <version>: csp blocked: errors=N
// queued=N sent=N thrown=N; module: queued=<value> later=<value>; allowed:
// received=N`.
import assert from "node:assert/strict";
import { before, after } from "node:test";
import { startServer, makeSite, snippet, LIBRARIES, waitFor, uniqueAppId } from "./harness.mjs";
import { PAGE_HOOK, OURS, observed, eachEngine } from "./engine-pages.mjs";

const API_KEY = "csp-secret-search-key";

const SNIPPET_PAGE = `<!doctype html><html><head>${PAGE_HOOK}
${snippet(LIBRARIES.wasm)}</head><body>
<script>
  var app = new URLSearchParams(location.search).get("app");
  aa("init", { appId: app, apiKey: "${API_KEY}", host: location.origin });
  aa("setUserToken", "csp-user");
  aa("clickedObjectIDs", { index: "products", eventName: "CSP click", objectIDs: ["1"] });
  window.pageScriptDone = true;
</script></body></html>`;

// The npm module: a queued click's Promise, kept in `window.results`.
const MODULE_PAGE = `<!doctype html><html><head>${PAGE_HOOK}</head><body>
<script type="module">
  import aa from "/pkg/index.mjs";
  window.aa = aa;
  window.results = {};
  const app = new URLSearchParams(location.search).get("app");
  aa("init", { appId: app, apiKey: "${API_KEY}", host: location.origin });
  aa("clickedObjectIDs", { index: "products", eventName: "CSP queued", objectIDs: ["m1"] }).then((v) => (window.results.queued = v));
  window.pageScriptDone = true;
</script></body></html>`;

// 'unsafe-inline' lets the snippet run; 'self' serves the script and the endpoint.
const WITHOUT_WASM_EVAL = "script-src 'self' 'unsafe-inline'; connect-src 'self'";
const WITH_WASM_EVAL = "script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'; connect-src 'self'";

let server;
before(async () => {
  server = await startServer({
    www: makeSite({
      "blocked.html": SNIPPET_PAGE,
      "blocked.html.headers": `Content-Security-Policy: ${WITHOUT_WASM_EVAL}\n`,
      "blocked-module.html": MODULE_PAGE,
      "blocked-module.html.headers": `Content-Security-Policy: ${WITHOUT_WASM_EVAL}\n`,
      "allowed.html": SNIPPET_PAGE,
      "allowed.html.headers": `Content-Security-Policy: ${WITH_WASM_EVAL}\n`,
    }),
  });
  // The policies are real response headers.
  for (const [file, policy] of [
    ["blocked.html", WITHOUT_WASM_EVAL],
    ["blocked-module.html", WITHOUT_WASM_EVAL],
    ["allowed.html", WITH_WASM_EVAL],
  ]) {
    const response = await fetch(`${server.url}/${file}`);
    await response.text();
    assert.equal(response.headers.get("content-security-policy"), policy, file);
  }
});
after(async () => {
  await server?.stop();
});

/**
 * Resolves once the page has run every task queued so far, and those they
 * queue with a zero delay (the library reports a failed load from a
 * setTimeout 0): an order of tasks, not a length of time.
 */
async function afterPendingTasks(session) {
  await session.run("window.tasksDone = false; setTimeout(() => setTimeout(() => setTimeout(() => (window.tasksDone = true), 0), 0), 0);");
  await session.until(() => session.run("return window.tasksDone === true"), "the pending tasks");
}

const ours = (logged) => logged.filter((m) => m.text.startsWith(OURS));

eachEngine("CSP without 'wasm-unsafe-eval': one error naming it, queue kept, later calls resolve false, nothing thrown; with it, events arrive", async (session) => {
  // 1. The snippet, blocked.
  const blockedApp = uniqueAppId("engines-csp-blocked");
  await session.goto(`${server.url}/blocked.html?app=${blockedApp}`);
  await session.until(async () => ours((await observed(session)).logged).length > 0, "the load-failure message");
  const later = await session.run(`
    try {
      aa("viewedObjectIDs", { index: "products", eventName: "CSP view", objectIDs: ["2"] });
      return "no exception";
    } catch (e) {
      return "threw " + e;
    }`);
  await afterPendingTasks(session);
  const blocked = await observed(session);
  const queue = await session.run("return aa.queue.map((args) => Array.from(args));");
  const messages = ours(blocked.logged);
  assert.equal(messages.length, 1, JSON.stringify(blocked.logged));
  assert.equal(messages[0].type, "error");
  assert.match(messages[0].text, /Content-Security-Policy blocks WebAssembly: .* lacks 'wasm-unsafe-eval'/, messages[0].text);
  assert.ok(messages[0].text.endsWith(" Nothing is sent: event Promises resolve false."), messages[0].text);
  assert.equal(await session.run("return window.pageScriptDone === true"), true, "the page's script ran to its end");
  assert.equal(later, "no exception");
  assert.deepEqual(queue, [
    ["init", { appId: blockedApp, apiKey: API_KEY, host: server.url }],
    ["setUserToken", "csp-user"],
    ["clickedObjectIDs", { index: "products", eventName: "CSP click", objectIDs: ["1"] }],
  ], "the queued calls kept as made, the later one not added");
  assert.deepEqual(blocked.thrown, [], "nothing thrown into the page");
  assert.ok(blocked.logged.every((m) => !m.text.includes(API_KEY)), "the API key is never printed");
  const blockedSent = (await server.requests({ appId: blockedApp })).filter((r) => r.method === "POST").length;
  assert.equal(blockedSent, 0, "nothing sent");

  // 2. The npm module, blocked: event Promises resolve false.
  const moduleApp = uniqueAppId("engines-csp-module");
  await session.goto(`${server.url}/blocked-module.html?app=${moduleApp}`);
  await session.until(() => session.run("return window.results && 'queued' in window.results"), "the queued call's Promise to settle");
  await session.run(`
    const promise = aa("viewedObjectIDs", { index: "products", eventName: "CSP later", objectIDs: ["m2"] });
    window.results.laterIsPromise = typeof promise.then === "function"; // (not instanceof: Firefox runs WebDriver scripts in a realm of their own)
    promise.then((v) => (window.results.later = v));`);
  await session.until(() => session.run("return 'later' in window.results"), "the later call's Promise to settle");
  const results = await session.run("return window.results");
  const module = await observed(session);
  assert.deepEqual(results, { queued: false, laterIsPromise: true, later: false }, "event Promises resolve false");
  assert.equal(ours(module.logged).length, 1, JSON.stringify(module.logged));
  assert.match(ours(module.logged)[0].text, /'wasm-unsafe-eval'/);
  assert.deepEqual(module.thrown, []);
  assert.equal((await server.requests({ appId: moduleApp })).filter((r) => r.method === "POST").length, 0, "nothing sent");

  // 3. With 'wasm-unsafe-eval': the queued click and a later view arrive.
  const allowedApp = uniqueAppId("engines-csp-allowed");
  await session.goto(`${server.url}/allowed.html?app=${allowedApp}`);
  await waitFor(async () => (await server.events({ appId: allowedApp })).length === 1, "the queued click");
  await session.run(`aa("viewedObjectIDs", { index: "products", eventName: "CSP view", objectIDs: ["2"] });`);
  const events = await waitFor(async () => {
    const records = await server.events({ appId: allowedApp });
    return records.length === 2 && records;
  }, "the direct view");
  const allowed = await observed(session);
  console.log(
    `engines: ${session.browser}: csp blocked: errors=${messages.length} queued=${queue.length} sent=${blockedSent} thrown=${blocked.thrown.length}; ` +
      `module: queued=${results.queued} later=${results.later}; allowed: received=${events.length}`
  );
  assert.deepEqual(events.map((r) => [r.accepted, r.event.userToken, r.event.objectIDs[0]]), [
    [true, "csp-user", "1"],
    [true, "csp-user", "2"],
  ]);
  assert.deepEqual(allowed.logged.filter((m) => m.type === "error"), []);
  assert.deepEqual(allowed.violations, []);
  assert.deepEqual(allowed.thrown, []);
});

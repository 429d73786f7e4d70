// Content-Security-Policy: the library needs 'wasm-unsafe-eval' in script-src
// (to compile its WebAssembly) and the Insights host in connect-src. Pages are
// served with the policy as a real response header (devserver sidecar files).
// Without 'wasm-unsafe-eval' (or, in a browser without DecompressionStream,
// which fetches the .wasm, with a connect-src that does not allow the .wasm's
// origin): one clear console error naming the missing directive, the calls
// made before kept in the snippet's queue but no more calls added to it
// (nothing can ever run them), nothing thrown into the page. With both:
// events arrive. The embedded wasm needs nothing of connect-src.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, makeSite, launchBrowser, snippet, LIBRARIES, waitFor, uniqueAppId, watchConsole } from "./harness.mjs";

const API_KEY = "csp-secret-search-key";
const OURS = "search-insights-wasm: ";

// The page records CSP violations, makes three calls before the library
// loads and one more afterwards, and says when its own script ran to the end.
const page = (head = "") => `<!doctype html><html><head>${head}
<script>
  window.violations = [];
  document.addEventListener("securitypolicyviolation", (e) =>
    window.violations.push({ directive: e.effectiveDirective, blocked: e.blockedURI }));
</script>
${snippet(LIBRARIES.wasm)}</head><body>
<script>
  const app = new URLSearchParams(location.search).get("app");
  aa("init", { appId: app, apiKey: "${API_KEY}", host: location.origin });
  aa("setUserToken", "csp-user");
  aa("clickedObjectIDs", { index: "products", eventName: "CSP click", objectIDs: ["1"] });
  window.pageScriptDone = true;
</script></body></html>`;
const PAGE = page();
// A browser without DecompressionStream (Safari before 16.4, Firefox before
// 113): the script fetches the .wasm next to it.
const NO_STREAM_PAGE = page("<script>delete window.DecompressionStream;</script>");

// 'unsafe-inline' lets the snippet run; 'self' serves the script and the .wasm.
const WITHOUT_WASM_EVAL = "script-src 'self' 'unsafe-inline'; connect-src 'self'";
const WITH_WASM_EVAL = "script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'; connect-src 'self'";
// The Insights host allowed, but not the site's own origin the .wasm comes from.
const WITHOUT_WASM_ORIGIN = "script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'; connect-src https://insights.algolia.io";

let server, browser;
before(async () => {
  server = await startServer({
    www: makeSite({
      "blocked.html": PAGE,
      "blocked.html.headers": `Content-Security-Policy: ${WITHOUT_WASM_EVAL}\n`,
      "allowed.html": PAGE,
      "allowed.html.headers": `Content-Security-Policy: ${WITH_WASM_EVAL}\n`,
      "fetch-blocked.html": NO_STREAM_PAGE,
      "fetch-blocked.html.headers": `Content-Security-Policy: ${WITHOUT_WASM_ORIGIN}\n`,
      "embedded.html": PAGE,
      "embedded.html.headers": `Content-Security-Policy: ${WITHOUT_WASM_ORIGIN}\n`,
    }),
  });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test("without 'wasm-unsafe-eval': one clear error naming the directive, the queue kept but not growing, nothing thrown", async () => {
  const app = uniqueAppId("csp-blocked");
  const page = await browser.newPage();
  const messages = watchConsole(page);
  const response = await page.goto(`${server.url}/blocked.html?app=${app}`);
  assert.equal(response.headers()["content-security-policy"], WITHOUT_WASM_EVAL, "the policy is in force");
  const ours = () => messages.filter((m) => m.text.startsWith(OURS));
  await waitFor(() => ours().length > 0, "the load-failure message");

  const [message] = ours();
  assert.equal(message.type, "error");
  assert.match(message.text, /Content-Security-Policy blocks WebAssembly/);
  assert.match(message.text, /script-src lacks 'wasm-unsafe-eval'/);
  assert.match(message.text, /connect-src/);
  assert.ok(message.text.endsWith(" Nothing is sent: event Promises resolve false."), message.text);
  const violations = await page.evaluate(() => window.violations);
  assert.ok(violations.some((v) => v.blocked === "wasm-eval" && v.directive === "script-src"), JSON.stringify(violations));

  // The page went on, its calls stay in the queue exactly as made, and
  // calls made now neither throw nor join them: the queue grows no more.
  assert.equal(await page.evaluate(() => window.pageScriptDone), true);
  const queued = await page.evaluate(() => {
    aa("viewedObjectIDs", { index: "products", eventName: "CSP view", objectIDs: ["2"] });
    return aa.queue.map((args) => Array.from(args));
  });
  assert.deepEqual(queued, [
    ["init", { appId: app, apiKey: API_KEY, host: server.url }],
    ["setUserToken", "csp-user"],
    ["clickedObjectIDs", { index: "products", eventName: "CSP click", objectIDs: ["1"] }],
  ]);

  // Still exactly one message after the page has run more tasks; no
  // uncaught exception, no API key anywhere, nothing sent.
  await afterPendingTasks(page);
  assert.equal(ours().length, 1, JSON.stringify(ours()));
  assert.deepEqual(messages.filter((m) => m.type === "pageerror"), []);
  assert.ok(messages.every((m) => !m.text.includes(API_KEY)), "the API key is never printed");
  assert.deepEqual(await server.events({ appId: app }), []);
  await page.close();
});

/**
 * Resolves once the page has run every task queued so far, and the tasks
 * those queue in turn with a zero delay (the library reports a failed load
 * from a setTimeout 0): an order of tasks, not a length of time.
 */
function afterPendingTasks(page) {
  return page.evaluate(
    () => new Promise((resolve) => setTimeout(() => setTimeout(() => setTimeout(resolve, 0), 0), 0))
  );
}

test("the embedded wasm needs no connect-src: with only the Insights host allowed, the library loads and runs the queue; its one violation is the request to this page's own endpoint", async () => {
  const app = uniqueAppId("csp-embedded");
  const page = await browser.newPage();
  const messages = watchConsole(page);
  const wasmRequests = [];
  page.on("request", (r) => r.url().endsWith(".wasm") && wasmRequests.push(r.url()));
  const response = await page.goto(`${server.url}/embedded.html?app=${app}`);
  assert.equal(response.headers()["content-security-policy"], WITHOUT_WASM_ORIGIN, "the policy is in force");
  const token = await page.evaluate(() => new Promise((resolve) => aa("getUserToken", null, (err, token) => resolve(err ? String(err) : token))));
  assert.equal(token, "csp-user", "the queue was replayed");
  assert.equal(await page.evaluate(() => Array.isArray(aa.queue) && aa.queue.push === Array.prototype.push), false, "the queue dispatches directly");
  // The queued click goes to the endpoint at this page's origin, which the
  // policy does not allow (a site allows its Insights host).
  await waitFor(() => page.evaluate(() => window.violations.length > 0), "the endpoint request's violation");
  const violations = await page.evaluate(() => window.violations);
  assert.ok(violations.every((v) => v.directive === "connect-src" && v.blocked.startsWith(`${server.url}/1/events`)), JSON.stringify(violations));
  assert.deepEqual(wasmRequests, [], "no .wasm requested");
  assert.deepEqual(messages.filter((m) => m.text.startsWith(OURS)), [], "no load-failure message");
  assert.deepEqual(messages.filter((m) => m.type === "pageerror"), []);
  await page.close();
});

test("without DecompressionStream, connect-src without the .wasm's origin: one error naming connect-src (not 'wasm-unsafe-eval'), the queue kept but not growing, nothing thrown", async () => {
  const app = uniqueAppId("csp-fetch");
  const page = await browser.newPage();
  const messages = watchConsole(page);
  const response = await page.goto(`${server.url}/fetch-blocked.html?app=${app}`);
  assert.equal(response.headers()["content-security-policy"], WITHOUT_WASM_ORIGIN, "the policy is in force");
  const ours = () => messages.filter((m) => m.text.startsWith(OURS));
  await waitFor(() => ours().length > 0, "the load-failure message");

  const wasmUrl = `${server.url}/pkg/search_insights_wasm_bg.wasm`;
  const violations = await page.evaluate(() => window.violations);
  assert.ok(violations.some((v) => v.directive === "connect-src" && v.blocked === wasmUrl), JSON.stringify(violations));
  const [message] = ours();
  assert.equal(message.type, "error");
  assert.equal(
    message.text,
    `${OURS}this page's Content-Security-Policy blocks loading ${wasmUrl}: connect-src lacks its origin. ` +
      "Add it to connect-src (with the Insights host). Nothing is sent: event Promises resolve false."
  );
  assert.doesNotMatch(message.text, /wasm-unsafe-eval/, "not the advice for a missing 'wasm-unsafe-eval'");

  assert.equal(await page.evaluate(() => window.pageScriptDone), true);
  const queued = await page.evaluate(() => {
    aa("viewedObjectIDs", { index: "products", eventName: "CSP view", objectIDs: ["2"] });
    return aa.queue.map((args) => Array.from(args));
  });
  assert.deepEqual(queued, [
    ["init", { appId: app, apiKey: API_KEY, host: server.url }],
    ["setUserToken", "csp-user"],
    ["clickedObjectIDs", { index: "products", eventName: "CSP click", objectIDs: ["1"] }],
  ]);
  await afterPendingTasks(page);
  assert.equal(ours().length, 1, JSON.stringify(ours()));
  assert.deepEqual(messages.filter((m) => m.type === "pageerror"), []);
  assert.ok(messages.every((m) => !m.text.includes(API_KEY)), "the API key is never printed");
  assert.deepEqual(await server.events({ appId: app }), []);
  await page.close();
});

test("with 'wasm-unsafe-eval' and connect-src for the endpoint: events arrive, no error, no violation", async () => {
  const app = uniqueAppId("csp-allowed");
  const page = await browser.newPage();
  const messages = watchConsole(page);
  const response = await page.goto(`${server.url}/allowed.html?app=${app}`);
  assert.equal(response.headers()["content-security-policy"], WITH_WASM_EVAL);
  const events = await waitFor(async () => {
    const records = await server.events({ appId: app });
    return records.length === 1 && records;
  }, "the queued click");
  assert.equal(events[0].accepted, true, events[0].reason);
  assert.equal(events[0].event.userToken, "csp-user");
  await page.evaluate(() => aa("viewedObjectIDs", { index: "products", eventName: "CSP view", objectIDs: ["2"] }));
  await waitFor(async () => (await server.events({ appId: app })).length === 2, "the direct view");
  assert.deepEqual(await page.evaluate(() => window.violations), []);
  assert.deepEqual(messages.filter((m) => m.type === "error" || m.type === "pageerror"), []);
  await page.close();
});

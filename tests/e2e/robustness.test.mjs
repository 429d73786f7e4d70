// What the page can do wrong, or what can go wrong around the page, and the
// library still settles, stays bounded and sends exactly what it was given:
// - the wasm cannot be loaded (the script tag's .wasm a 404 from the real
//   endpoint's file server; the npm build's embedded wasm refused by a
//   Content-Security-Policy without 'wasm-unsafe-eval'): every event Promise
//   resolves false, token getters' callbacks get the error, `aa.queue` holds
//   at most 1000 calls, one warning, one error;
// - the browser npm build imported in Node: it loads, and the process exits;
// - entries in `aa.queue` that are no call: skipped, the rest run in order;
// - an object with a million keys: refused without reading one of them;
// - strings with a lone UTF-16 surrogate: refused, never merged with U+FFFD.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { startServer, makeSite, launchBrowser, snippet, waitFor, uniqueAppId, watchConsole, PKG } from "./harness.mjs";

const OURS = "search-insights-wasm: ";
const QUEUE_FULL = `${OURS}aa.queue is full (1000 calls): the oldest queued event calls are dropped (their Promises resolve false).`;
const AFTER = " Nothing is sent: event Promises resolve false.";
const LONE = "holds a lone UTF-16 surrogate (U+D800 to U+DFFF without its pair), which is not valid Unicode";
const CALLS = 20000;

// /broken/ serves the script-tag file without its .wasm (the endpoint answers
// 404), to a page without DecompressionStream (whose script fetches the .wasm
// instead of unpacking the embedded one). The npm build embeds its wasm:
// broken-module.html is served with a Content-Security-Policy that refuses
// to compile it.
const BROKEN_MODULE_CSP = "script-src 'self' 'unsafe-inline'; connect-src 'self'";
const BROKEN_MODULE_PAGE = `<!doctype html><html><body><script type="module">
  import aa from "/pkg/index.mjs";
  window.aa = aa;
  const app = new URLSearchParams(location.search).get("app");
  aa("init", { appId: app, apiKey: "key", host: location.origin });
  aa("setUserToken", "robust-user");
  window.tokenCallback = new Promise((resolve) =>
    aa("getUserToken", null, (err, token) => resolve({ err: err instanceof Error ? err.message : err, token })));
  window.versionCallback = new Promise((resolve) => aa("getVersion", resolve));
  const promises = [];
  for (let i = 0; i < ${CALLS}; i++) {
    promises.push(aa("clickedObjectIDs", { index: "products", eventName: "Robust click", objectIDs: [String(i)] }));
  }
  window.queued = aa.queue.map((entry) => entry[0] === "clickedObjectIDs" ? entry[1].objectIDs[0] : entry[0]);
  window.settled = Promise.all(promises);
</script></body></html>`;

const BROKEN_SNIPPET_PAGE = `<!doctype html><html><head><script>delete window.DecompressionStream;</script>${snippet("/broken/search-insights.min.js")}</head><body><script>
  const app = new URLSearchParams(location.search).get("app");
  aa("init", { appId: app, apiKey: "key", host: location.origin });
  aa("setUserToken", "robust-user");
  window.tokenCallback = new Promise((resolve) =>
    aa("getUserToken", null, (err, token) => resolve({ err: err instanceof Error ? err.message : err, token })));
  for (let i = 0; i < ${CALLS}; i++) {
    aa("clickedObjectIDs", { index: "products", eventName: "Robust click", objectIDs: [String(i)] });
  }
  window.queuedBefore = aa.queue.length;
</script></body></html>`;

// Entries that are no call, pushed into the queue before the wasm is ready.
const JUNK_CALLS = `
  const app = new URLSearchParams(location.search).get("app");
  aa("init", { appId: app, apiKey: "key", host: location.origin });
  aa.queue.push(null);
  aa("clickedObjectIDs", { index: "products", eventName: "Junk click", objectIDs: ["1"] });
  aa.queue.push(42);
  aa("clickedObjectIDs", { index: "products", eventName: "Junk click", objectIDs: ["2"] });
  aa.queue.push({ method: "clickedObjectIDs" });
  aa("clickedObjectIDs", { index: "products", eventName: "Junk click", objectIDs: ["3"] });
  aa("getUserToken", null, () => { window.ready = true; });`;
const JUNK_MODULE_PAGE = `<!doctype html><html><body><script type="module">
  import aa from "/pkg/index.mjs";
  window.aa = aa;${JUNK_CALLS}
</script></body></html>`;
const JUNK_SNIPPET_PAGE = `<!doctype html><html><head>${snippet("/pkg/search-insights.min.js")}</head><body><script>${JUNK_CALLS}
</script></body></html>`;

// The npm module, ready (its queue replayed and removed).
const READY_PAGE = `<!doctype html><html><body><script type="module">
  import aa from "/pkg/index.mjs";
  window.aa = aa;
  const app = new URLSearchParams(location.search).get("app");
  aa("init", { appId: app, apiKey: "key", host: location.origin });
  aa("getUserToken", null, () => { window.ready = true; });
</script></body></html>`;

let server, browser;
before(async () => {
  const www = makeSite({
    "broken-module.html": BROKEN_MODULE_PAGE,
    "broken-module.html.headers": `Content-Security-Policy: ${BROKEN_MODULE_CSP}\n`,
    "broken-snippet.html": BROKEN_SNIPPET_PAGE,
    "junk-module.html": JUNK_MODULE_PAGE,
    "junk-snippet.html": JUNK_SNIPPET_PAGE,
    "ready.html": READY_PAGE,
  });
  mkdirSync(join(www, "broken"));
  copyFileSync(join(PKG, "search-insights.min.js"), join(www, "broken", "search-insights.min.js"));
  server = await startServer({ www });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/** The load-failure error for `url`, with the browser's own words in the middle. */
function loadFailure(url) {
  const escaped = url.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  return new RegExp(`^${OURS}could not load ${escaped} \\((.+)\\)\\.${AFTER.replace(/\./g, "\\.")}$`);
}

const CSP_REFUSED =
  OURS +
  "this page's Content-Security-Policy blocks WebAssembly: script-src lacks 'wasm-unsafe-eval'. Add 'wasm-unsafe-eval' to script-src " +
  "(and the Insights host, https://insights.algolia.io or your region's, to connect-src)." +
  AFTER;

test("npm module, wasm refused by the page's CSP: 20000 Promises resolve false, the queue stops at 1000, one warning, one error", async () => {
  const app = uniqueAppId("robust-404-module");
  const page = await browser.newPage();
  const messages = watchConsole(page);
  await page.goto(`${server.url}/broken-module.html?app=${app}`);
  const ours = () => messages.filter((m) => m.text.startsWith(OURS));

  // Every Promise settles: the 19004 dropped from the full queue, then the
  // 996 still queued once the load failed.
  const values = await page.evaluate(() => window.settled);
  assert.equal(values.length, 20000);
  assert.equal(values.filter((v) => v === false).length, 20000);

  // While loading, the queue held the four other calls and the newest 996 clicks.
  const queued = await page.evaluate(() => window.queued);
  assert.equal(queued.length, 1000);
  assert.deepEqual(queued.slice(0, 5), ["init", "setUserToken", "getUserToken", "getVersion", "19004"]);
  assert.equal(queued[999], "19999");

  await waitFor(() => ours().length === 2, "the queue warning and the load error");
  const [warning, error] = ours();
  assert.deepEqual(warning, { type: "warning", text: QUEUE_FULL });
  assert.deepEqual(error, { type: "error", text: CSP_REFUSED });

  // The token getter's node-style callback got the error; getVersion its version.
  assert.deepEqual(await page.evaluate(() => window.tokenCallback), { err: error.text, token: undefined });
  assert.equal(await page.evaluate(() => window.versionCallback), "2.17.3");

  // Calls made now settle at once and the queue grows no more.
  const later = await page.evaluate(async () => {
    const results = [];
    for (let i = 0; i < 20000; i++) {
      results.push(aa("viewedObjectIDs", { index: "products", eventName: "Robust view", objectIDs: [String(i)] }));
    }
    const token = await new Promise((resolve) => aa("getUserToken", null, (err) => resolve(err.message)));
    return { values: await Promise.all(results), queue: aa.queue.length, init: aa("init", { appId: "x", apiKey: "y" }), token };
  });
  assert.equal(later.values.filter((v) => v === false).length, 20000);
  assert.equal(later.queue, 1000);
  assert.equal(later.init, undefined);
  assert.equal(later.token, error.text);

  assert.equal(ours().length, 2, JSON.stringify(ours()));
  assert.deepEqual(messages.filter((m) => m.type === "pageerror"), []);
  assert.deepEqual(await server.events({ appId: app }), []);
  await page.close();
});

test("script tag without DecompressionStream, .wasm 404: the queue cut to 1000 once the load failed, callbacks get the error, later calls queue nothing", async () => {
  const app = uniqueAppId("robust-404-snippet");
  const page = await browser.newPage();
  const messages = watchConsole(page);
  // The .wasm request is held until the page's 20000 calls are queued, then
  // goes on to the endpoint, which answers 404.
  let release;
  const held = new Promise((resolve) => (release = resolve));
  await page.route("**/broken/search_insights_wasm_bg.wasm", async (route) => {
    await held;
    await route.continue();
  });
  await page.goto(`${server.url}/broken-snippet.html?app=${app}`);
  assert.equal(await page.evaluate(() => window.queuedBefore), 20003, "the snippet's own queue, before the failure");
  release();

  const ours = () => messages.filter((m) => m.text.startsWith(OURS));
  const wasmUrl = `${server.url}/broken/search_insights_wasm_bg.wasm`;
  await waitFor(() => ours().length === 2, "the load error and the queue warning");
  const [error, warning] = ours();
  assert.equal(error.type, "error");
  assert.match(error.text, loadFailure(wasmUrl));
  assert.deepEqual(warning, { type: "warning", text: QUEUE_FULL });

  const state = await page.evaluate(async () => {
    const before = aa.queue.map((args) => (args[0] === "clickedObjectIDs" ? args[1].objectIDs[0] : args[0]));
    for (let i = 0; i < 20000; i++) aa("viewedObjectIDs", { index: "products", eventName: "Robust view", objectIDs: [String(i)] });
    const token = await new Promise((resolve) => aa("getUserToken", null, (err) => resolve(err.message)));
    return { before, after: aa.queue.length, token, queued: await window.tokenCallback };
  });
  assert.equal(state.before.length, 1000);
  assert.deepEqual(state.before.slice(0, 4), ["init", "setUserToken", "getUserToken", "19003"]);
  assert.equal(state.before[999], "19999");
  assert.equal(state.after, 1000);
  assert.equal(state.token, error.text);
  assert.deepEqual(state.queued, { err: error.text, token: undefined });

  assert.equal(ours().length, 2, JSON.stringify(ours()));
  assert.deepEqual(messages.filter((m) => m.type === "pageerror"), []);
  assert.deepEqual(await server.events({ appId: app }), []);
  await page.close();
});

test("Node: the browser npm build imported by path queues until its embedded wasm is ready, sends through requestFn, and exits", () => {
  const script = `
    const { createInsightsClient } = await import(${JSON.stringify(join(PKG, "index.mjs"))});
    const requests = [];
    const aa = createInsightsClient((url, data) => {
      requests.push({ url, events: data.events.length });
      return Promise.resolve(true);
    });
    aa("init", { appId: "node-app", apiKey: "key", host: "http://127.0.0.1:9" });
    const first = aa("clickedObjectIDs", { index: "products", eventName: "Node click", objectIDs: ["1"], userToken: "u" });
    console.log("queued", aa.queue.length, await first, aa.queue);
    const later = [];
    for (let i = 0; i < 20000; i++) later.push(aa("clickedObjectIDs", { index: "products", eventName: "Node click", objectIDs: [String(i)], userToken: "u" }));
    const values = await Promise.all(later);
    const events = requests.reduce((n, r) => n + r.events, 0);
    console.log("later", values.filter((v) => v === true).length, events, requests.every((r) => r.url.startsWith("http://127.0.0.1:9/1/events?X-Algolia-Application-Id=node-app&")));`;
  const result = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout: 120000 });
  assert.equal(result.signal, null, "exited by itself: " + result.stderr);
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout, "queued 2 true undefined\nlater 20000 20001 true\n");
  assert.equal(result.stderr, "");
});

for (const [build, file] of [
  ["npm module", "junk-module.html"],
  ["script tag", "junk-snippet.html"],
]) {
  test(`${build}: null, a number and an object in aa.queue before load are skipped with a warning; the calls around them run`, async () => {
    const app = uniqueAppId("robust-junk");
    const page = await browser.newPage();
    const messages = watchConsole(page);
    await page.goto(`${server.url}/${file}?app=${app}`);
    await waitFor(() => page.evaluate(() => window.ready === true), "the queued getUserToken callback");
    const events = await waitFor(async () => {
      const records = await server.events({ appId: app });
      return records.length === 3 && records;
    }, "the three queued clicks");
    assert.deepEqual(
      events.map((r) => [r.accepted, r.event.objectIDs[0]]),
      [
        [true, "1"],
        [true, "2"],
        [true, "3"],
      ]
    );
    assert.deepEqual(
      messages.filter((m) => m.text.startsWith(OURS)),
      [
        { type: "warning", text: `${OURS}aa.queue[1] is null, not a call [method, ...args]: skipped.` },
        { type: "warning", text: `${OURS}aa.queue[3] is number, not a call [method, ...args]: skipped.` },
        { type: "warning", text: `${OURS}aa.queue[5] is object, not a call [method, ...args]: skipped.` },
      ]
    );
    assert.deepEqual(messages.filter((m) => m.type === "error" || m.type === "pageerror"), []);
    await page.close();
  });
}

/** The npm module on a page, ready: `aa` runs calls directly. */
async function readyPage(app) {
  const page = await browser.newPage();
  const messages = watchConsole(page);
  await page.goto(`${server.url}/ready.html?app=${app}`);
  await waitFor(() => page.evaluate(() => window.ready === true), "the module ready");
  return { page, messages };
}

test("an object with a million keys is refused by its key count, without reading one key", async () => {
  const app = uniqueAppId("robust-keys");
  const { page } = await readyPage(app);
  const outcome = await page.evaluate(() => {
    const call = (objectData) => {
      try {
        aa("convertedObjectIDs", { index: "products", eventName: "Huge", objectIDs: ["1"], objectData: [objectData] });
        return "accepted";
      } catch (error) {
        return error.message;
      }
    };
    // A plain object whose first key is a getter: reading keys in order
    // would call it before any other.
    let getterCalls = 0;
    const plain = {};
    Object.defineProperty(plain, "first", { enumerable: true, get: () => (getterCalls++, "x") });
    for (let i = 0; i < 1e6; i++) plain["k" + i] = i;
    const plainError = call(plain);
    // A Proxy counting every trap the conversion sets off.
    const traps = { ownKeys: 0, getOwnPropertyDescriptor: 0, get: 0 };
    const keys = Array.from({ length: 1e6 }, (_, i) => "k" + i);
    const proxy = new Proxy(
      {},
      {
        ownKeys: () => (traps.ownKeys++, keys),
        getOwnPropertyDescriptor: () => (traps.getOwnPropertyDescriptor++, { value: 1, enumerable: true, configurable: true }),
        get: () => (traps.get++, 1),
      }
    );
    const proxyError = call(proxy);
    const next = call({ color: "red" });
    return { plainError, getterCalls, proxyError, traps, next };
  });
  const expected = "convertedObjectIDs: `arguments[0].objectData[0]` is too large (more than 200000 values)";
  assert.equal(outcome.plainError, expected);
  assert.equal(outcome.getterCalls, 0);
  assert.equal(outcome.proxyError, expected);
  assert.deepEqual(outcome.traps, { ownKeys: 1, getOwnPropertyDescriptor: 0, get: 0 });
  assert.equal(outcome.next, "accepted", "the next valid call still works");
  const events = await waitFor(async () => {
    const records = await server.events({ appId: app });
    return records.length === 1 && records;
  }, "the valid click");
  assert.equal(events[0].accepted, true, events[0].reason);
  assert.deepEqual(events[0].event.objectData, [{ color: "red" }]);
  await page.close();
});

test("a lone surrogate in any string field is refused, naming method and field; U+FFFD and real pairs are sent as given", async () => {
  const app = uniqueAppId("robust-surrogate");
  const { page, messages } = await readyPage(app);
  const errors = await page.evaluate(() => {
    const click = { index: "products", eventName: "Surrogate", objectIDs: ["1"] };
    const attempts = [
      ["clickedObjectIDs", { ...click, objectIDs: ["1", "a\uD800b"] }],
      ["clickedObjectIDs", { ...click, eventName: "lone low \uDC00" }],
      ["clickedObjectIDs", { ...click, index: "\uD83Dproducts" }],
      ["clickedObjectIDs", { ...click, userToken: "user-\uDBFF" }],
      ["clickedObjectIDsAfterSearch", { ...click, queryID: "\uDE00".repeat(32), positions: [1] }],
      ["clickedFilters", { index: "products", eventName: "Surrogate", filters: ["brand:\uD800"] }],
      ["convertedObjectIDs", { ...click, objectData: [{ name: "a\uD800" }] }],
      ["convertedObjectIDs", { ...click, objectData: [{ ["key\uD800"]: 1 }] }],
      ["setUserToken", "a\uD800b"],
    ];
    return attempts.map(([method, arg]) => {
      try {
        aa(method, arg);
        return "accepted";
      } catch (error) {
        return error.message;
      }
    });
  });
  const LONE_TEXT = "holds a lone UTF-16 surrogate (U+D800 to U+DFFF without its pair), which is not valid Unicode";
  assert.deepEqual(errors, [
    `clickedObjectIDs: \`arguments[0].objectIDs[1]\` ${LONE_TEXT}`,
    `clickedObjectIDs: \`arguments[0].eventName\` ${LONE_TEXT}`,
    `clickedObjectIDs: \`arguments[0].index\` ${LONE_TEXT}`,
    `clickedObjectIDs: \`arguments[0].userToken\` ${LONE_TEXT}`,
    `clickedObjectIDsAfterSearch: \`arguments[0].queryID\` ${LONE_TEXT}`,
    `clickedFilters: \`arguments[0].filters[0]\` ${LONE_TEXT}`,
    `convertedObjectIDs: \`arguments[0].objectData[0].name\` ${LONE_TEXT}`,
    `convertedObjectIDs: \`arguments[0].objectData[0].key\uFFFD\` ${LONE_TEXT}`,
    `setUserToken: \`arguments[0]\` ${LONE_TEXT}`,
  ]);
  assert.equal(LONE_TEXT, LONE);

  // "a\uFFFDb" is a real character and a real pair is one: both are sent as
  // given, and they stay two different objectIDs.
  const sent = await page.evaluate(() =>
    Promise.all([
      aa("clickedObjectIDs", { index: "products", eventName: "Surrogate", objectIDs: ["a\uFFFDb", "a\uD83D\uDE00b"] }),
      aa("getUserToken"),
    ])
  );
  assert.equal(sent[0], true);
  assert.notEqual(sent[1], "a\uFFFDb", "the refused setUserToken changed nothing");
  const events = await server.events({ appId: app });
  assert.equal(events.length, 1);
  assert.equal(events[0].accepted, true, events[0].reason);
  assert.deepEqual(events[0].event.objectIDs, ["a\uFFFDb", "a\uD83D\uDE00b"]);
  assert.deepEqual(messages.filter((m) => m.type === "error" || m.type === "pageerror"), []);
  await page.close();
});

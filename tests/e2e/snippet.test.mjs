// The script-tag build loaded by the official snippet: queue replay, the same
// `aa` object, direct dispatch afterwards.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, makeSite, launchBrowser, snippet, LIBRARIES, waitFor, uniqueAppId, watchConsole } from "./harness.mjs";

// The same page in a browser without DecompressionStream.
const NO_STREAM = "<script>delete window.DecompressionStream;</script>";

let server, browser;
before(async () => {
  server = await startServer({
    www: makeSite({
      "no-stream.html": `<!doctype html><html><head>${NO_STREAM}${snippet(LIBRARIES.wasm)}</head><body>
<script>
  const params = new URLSearchParams(location.search);
  aa('init', { appId: params.get('app'), apiKey: 'key', host: location.origin });
  aa('clickedObjectIDs', { index: 'products', eventName: 'Fallback click', objectIDs: ['1'], userToken: 'fallback-user' });
</script></body></html>`,
      "snippet.html": `<!doctype html><html><head>${snippet(LIBRARIES.wasm)}</head><body>
<script>
  window.stub = window.aa;
  const params = new URLSearchParams(location.search);
  aa('init', { appId: params.get('app'), apiKey: 'key', host: location.origin });
  aa('setUserToken', 'queued-user');
  aa('clickedObjectIDs', { index: 'products', eventName: 'Queued click', objectIDs: ['1'] });
  aa('getUserToken', null, (err, token) => { window.queuedToken = token; });
</script></body></html>`,
    }),
  });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test("queued calls are replayed in order and later calls dispatch directly", async () => {
  const app = uniqueAppId("snippet");
  const page = await browser.newPage();
  const consoleMessages = watchConsole(page);
  await page.goto(`${server.url}/snippet.html?app=${app}`);
  await page.waitForFunction(() => window.queuedToken !== undefined);
  assert.equal(await page.evaluate(() => window.queuedToken), "queued-user");
  assert.equal(await page.evaluate(() => window.aa === window.stub), true, "the snippet's aa object is kept");
  assert.equal(await page.evaluate(() => window.aa.version), "2.17.3");
  // After load: a direct call runs at once (the callback fires synchronously).
  const direct = await page.evaluate(() => {
    let seen;
    aa('getUserToken', null, (err, token) => { seen = token; });
    return seen;
  });
  assert.equal(direct, "queued-user");
  await page.evaluate(() => aa('viewedObjectIDs', { index: 'products', eventName: 'Direct view', objectIDs: ['2'] }));
  const events = await waitFor(async () => {
    const records = await server.events({ appId: app });
    return records.length === 2 && records;
  }, "two events");
  assert.deepEqual(events.map((r) => r.event.eventName), ["Queued click", "Direct view"]);
  assert.ok(events.every((r) => r.accepted && r.event.userToken === "queued-user"));
  assert.deepEqual(consoleMessages.filter((m) => m.type === "error" || m.type === "pageerror"), []);
  await page.close();
});

test("the library is one request: the script carries the wasm, no .wasm is fetched", async () => {
  const app = uniqueAppId("snippet-one");
  const page = await browser.newPage();
  const fetched = [];
  page.on("request", (r) => {
    const path = new URL(r.url()).pathname;
    if (path.startsWith("/pkg/")) fetched.push(path);
  });
  await page.goto(`${server.url}/snippet.html?app=${app}`);
  await page.waitForFunction(() => window.queuedToken !== undefined);
  await waitFor(async () => (await server.events({ appId: app })).length === 1, "the queued click");
  assert.deepEqual(fetched, ["/pkg/search-insights.min.js"]);
  await page.close();
});

test("without DecompressionStream the script fetches the .wasm next to it, and events arrive", async () => {
  const app = uniqueAppId("snippet-fallback");
  const page = await browser.newPage();
  const messages = watchConsole(page);
  const fetched = [];
  page.on("request", (r) => {
    const path = new URL(r.url()).pathname;
    if (path.startsWith("/pkg/")) fetched.push(path);
  });
  await page.goto(`${server.url}/no-stream.html?app=${app}`);
  const events = await waitFor(async () => {
    const records = await server.events({ appId: app });
    return records.length === 1 && records;
  }, "the click");
  assert.equal(events[0].accepted, true, events[0].reason);
  assert.equal(events[0].event.userToken, "fallback-user");
  assert.deepEqual(fetched, ["/pkg/search-insights.min.js", "/pkg/search_insights_wasm_bg.wasm"]);
  assert.deepEqual(messages.filter((m) => m.type === "error" || m.type === "pageerror"), []);
  await page.close();
});

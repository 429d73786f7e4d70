// The script-tag build loaded by the official snippet: queue replay, the same
// `aa` object, direct dispatch afterwards.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, makeSite, launchBrowser, snippet, LIBRARIES, waitFor, uniqueAppId, watchConsole } from "./harness.mjs";

let server, browser;
before(async () => {
  server = await startServer({
    www: makeSite({
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

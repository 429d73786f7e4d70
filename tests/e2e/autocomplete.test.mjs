// Autocomplete (real @algolia/autocomplete-js + the Algolia Insights plugin +
// algoliasearch/lite v5, bundled by esbuild) with search-insights-wasm loaded
// through the official snippet and the devserver's fake search backend: the
// plugin's search parameters, "Items Viewed" and "Item Selected" events.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, makeSite, launchBrowser, snippet, LIBRARIES, waitFor, uniqueAppId, watchConsole } from "./harness.mjs";
import { bundleApp } from "./apps/bundle.mjs";

const page = `<!doctype html><html><head><meta charset="utf-8"><title>Autocomplete</title>
${snippet(LIBRARIES.wasm)}
<script>
  aa('init', { appId: new URLSearchParams(location.search).get('app'), apiKey: 'search-api-key', host: location.origin, useCookie: true });
</script></head>
<body><div id="autocomplete"></div><script src="/autocomplete-app.js"></script></body></html>`;

let server, browser;
before(async () => {
  server = await startServer({
    www: makeSite({ "index.html": page, "autocomplete-app.js": await bundleApp("autocomplete-app.js") }),
  });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

async function run(mode) {
  const appId = uniqueAppId(`autocomplete-${mode}`);
  const context = await browser.newContext();
  const tab = await context.newPage();
  const consoleMessages = watchConsole(tab);
  await tab.goto(`${server.url}/index.html?app=${appId}&mode=${mode}`);
  // A visitor types once the page has loaded (the library has replaced the snippet's queue).
  await tab.waitForFunction(() => window.aa.queue && window.aa.queue.push !== Array.prototype.push, null, { timeout: 60000 });
  // (Through the snippet's function, results come back by callback only.)
  const userToken = await tab.evaluate(() => new Promise((resolve) => aa("getUserToken", null, (err, token) => resolve(token))));
  assert.match(userToken, /^anonymous-[0-9a-f-]{36}$/);

  await tab.click(".aa-DetachedSearchButton, .aa-Input");
  await tab.keyboard.type("headphones");
  await waitFor(async () => (await server.searches(appId)).some((s) => s.query === "headphones"), "the 'headphones' search");
  await tab.waitForSelector(".aa-Item .name", { timeout: 60000 });

  // The plugin's parameters reach the search: the library's token, clickAnalytics.
  const searches = await server.searches(appId);
  const last = searches.filter((s) => s.query === "headphones").at(-1);
  for (const s of searches) {
    assert.equal(s.indexName, "products");
    assert.equal(s.clickAnalytics, true, JSON.stringify(s));
    assert.equal(s.userToken, userToken, JSON.stringify(s));
  }
  assert.match(last.queryID, /^[0-9a-f]{32}$/);

  // Items shown for the last query: "Items Viewed" for exactly those objects.
  await tab.waitForSelector(`.aa-Item .name[data-query-id="${last.queryID}"]`, { timeout: 60000 });
  const rendered = await tab.$$eval(".aa-Item .name", (items) => items.map((i) => ({ ...i.dataset })));
  assert.ok(rendered.length >= 2 && rendered.every((i) => i.queryId === last.queryID), JSON.stringify(rendered));
  const shown = rendered.map((i) => i.objectId);
  const viewed = await waitFor(async () => {
    const events = await server.events({ appId });
    return events.filter((r) => r.event.eventName === "Items Viewed").find((r) => r.event.objectIDs.join() === shown.join());
  }, "Items Viewed for the shown items");
  assert.equal(viewed.accepted, true, JSON.stringify(viewed));
  assert.equal(viewed.event.eventType, "view");
  assert.equal(viewed.event.index, "products");
  assert.equal(viewed.event.userToken, userToken);
  assert.deepEqual(viewed.event.algoliaSource, ["autocomplete", "autocomplete-internal"]);

  // Selecting the second item: "Item Selected", a click after search with the backend's queryID.
  await tab.click(".aa-Item:nth-child(2) .name");
  const selected = await waitFor(async () => {
    const events = await server.events({ appId });
    return events.find((r) => r.event.eventName === "Item Selected");
  }, "Item Selected");
  assert.equal(selected.accepted, true, JSON.stringify(selected));
  assert.equal(selected.event.eventType, "click");
  assert.equal(selected.event.index, "products");
  assert.equal(selected.event.queryID, last.queryID);
  assert.deepEqual(selected.event.objectIDs, [shown[1]]);
  assert.deepEqual(selected.event.positions, [2]);
  assert.equal(selected.event.userToken, userToken);

  // Events went with the plugin's agent and the search client's credentials.
  const posts = (await server.requests({ appId, path: "/1/events" })).filter((r) => r.method === "POST");
  assert.ok(posts.length > 0);
  for (const r of posts) {
    assert.match(r.agent, /insights-plugin/);
    assert.equal(r.appId, appId);
  }
  assert.deepEqual((await server.events({ appId })).filter((r) => !r.accepted), [], "every event was accepted");
  assert.deepEqual(consoleMessages.filter((m) => m.type === "error" || m.type === "pageerror"), []);
  await context.close();
}

test("the insights plugin finds window.aa: search parameters, Items Viewed, Item Selected", () => run("global"));
test("the insights plugin with insightsClient: window.aa", () => run("client"));

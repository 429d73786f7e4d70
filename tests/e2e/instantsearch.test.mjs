// InstantSearch.js (real instantsearch.js + algoliasearch/lite v5, bundled by
// esbuild) with search-insights-wasm loaded through the official snippet and
// the devserver's fake search backend: userToken and clickAnalytics on the
// searches, "Hits Viewed" on render, "Hit Clicked" with the backend's queryID.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, makeSite, launchBrowser, snippet, LIBRARIES, waitFor, uniqueAppId, watchConsole } from "./harness.mjs";
import { bundleApp } from "./apps/bundle.mjs";

// `?cookie=1` adds useCookie to the page's init.
const page = `<!doctype html><html><head><meta charset="utf-8"><title>InstantSearch</title>
${snippet(LIBRARIES.wasm)}
<script>
  const params = new URLSearchParams(location.search);
  aa('init', { appId: params.get('app'), apiKey: 'search-api-key', host: location.origin, useCookie: params.get('cookie') === '1' });
</script></head>
<body><div id="searchbox"></div><div id="hits"></div><script src="/instantsearch-app.js"></script></body></html>`;

let server, browser;
before(async () => {
  server = await startServer({
    www: makeSite({ "index.html": page, "instantsearch-app.js": await bundleApp("instantsearch-app.js") }),
  });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/**
 * One page load. `libraryFirst`: InstantSearch starts once the library has
 * loaded; otherwise the library's script is held back until InstantSearch has
 * started, so InstantSearch meets the snippet's queue (and an `aa.version`
 * it cannot read, as with any script URL without `@2.x`).
 */
async function run({ mode, cookie, libraryFirst }) {
  const appId = uniqueAppId(`instantsearch-${mode}`);
  const context = await browser.newContext();
  const tab = await context.newPage();
  const consoleMessages = watchConsole(tab);
  if (!libraryFirst) {
    await tab.route(`**${LIBRARIES.wasm}`, async (route) => {
      await waitFor(() => tab.evaluate(() => Boolean(window.search)), "InstantSearch to start");
      await route.continue();
    });
  }
  await tab.goto(`${server.url}/index.html?app=${appId}&mode=${mode}&cookie=${cookie ? 1 : 0}`);
  await tab.waitForSelector(".ais-Hits-item .name", { timeout: 60000 });
  assert.equal(await tab.evaluate(() => window.libraryLoadedAtStart), libraryFirst);

  // The library's token, read through the same window.aa InstantSearch uses.
  const userToken = await tab.evaluate(() => new Promise((resolve) => aa("getUserToken", null, (err, token) => resolve(token))));
  assert.match(userToken, /^anonymous-[0-9a-f-]{36}$/);
  const stored = (await context.cookies()).find((c) => c.name === "_ALGOLIA");
  if (cookie) assert.equal(stored?.value, userToken, "the token is the one kept in the _ALGOLIA cookie");
  else assert.equal(stored, undefined, "no cookie without useCookie");

  // Every search carries the library's token and clickAnalytics.
  const searches = await waitFor(async () => {
    const list = await server.searches(appId);
    return list.length > 0 && list;
  }, "a search");
  for (const s of searches) {
    assert.equal(s.indexName, "products");
    assert.equal(s.userToken, userToken, JSON.stringify(s));
    assert.equal(s.clickAnalytics, true, JSON.stringify(s));
    assert.match(s.queryID, /^[0-9a-f]{32}$/);
  }

  // The hits shown carry the queryID of the search they came from.
  const rendered = await tab.$$eval(".ais-Hits-item .name", (items) => items.map((i) => ({ ...i.dataset })));
  assert.equal(rendered.length, 4);
  const queryID = rendered[0].queryId;
  assert.ok(rendered.every((h) => h.queryId === queryID));
  assert.ok(searches.some((s) => s.queryID === queryID), "the queryID is one the backend returned");
  const shown = rendered.map((h) => h.objectId);

  // The render sent "Hits Viewed".
  const viewed = await waitFor(async () => {
    const events = await server.events({ appId });
    return events.find((r) => r.event.eventName === "Hits Viewed");
  }, "Hits Viewed");
  assert.equal(viewed.accepted, true, JSON.stringify(viewed));
  assert.equal(viewed.event.eventType, "view");
  assert.equal(viewed.event.index, "products");
  assert.deepEqual(viewed.event.objectIDs, shown);
  assert.equal(viewed.event.userToken, userToken);
  assert.deepEqual(viewed.event.algoliaSource, ["instantsearch", "instantsearch-internal"]);

  // Clicking the second hit sends "Hit Clicked" with the backend's queryID and position 2.
  await tab.click(".ais-Hits-item:nth-child(2) .name");
  const clicked = await waitFor(async () => {
    const events = await server.events({ appId });
    return events.find((r) => r.event.eventName === "Hit Clicked");
  }, "Hit Clicked");
  assert.equal(clicked.accepted, true, JSON.stringify(clicked));
  assert.equal(clicked.event.eventType, "click");
  assert.equal(clicked.event.index, "products");
  assert.equal(clicked.event.queryID, queryID);
  assert.deepEqual(clicked.event.objectIDs, [shown[1]]);
  assert.deepEqual(clicked.event.positions, [2]);
  assert.equal(clicked.event.userToken, userToken);

  // A new query: its search still carries the token, and a click on its
  // first hit uses that search's queryID.
  await tab.fill(".ais-SearchBox-input", "headphones");
  await waitFor(async () => (await server.searches(appId)).some((s) => s.query === "headphones"), "the 'headphones' search");
  const second = (await server.searches(appId)).filter((s) => s.query === "headphones").at(-1);
  assert.equal(second.userToken, userToken);
  assert.equal(second.clickAnalytics, true);
  await tab.waitForSelector(`.ais-Hits-item:nth-child(1) .name[data-query-id="${second.queryID}"]`, { timeout: 60000 });
  const firstObjectID = await tab.$eval(".ais-Hits-item:nth-child(1) .name", (e) => e.dataset.objectId);
  await tab.click(".ais-Hits-item:nth-child(1) .name");
  const clickedAgain = await waitFor(async () => {
    const events = await server.events({ appId });
    return events.find((r) => r.event.eventName === "Hit Clicked" && r.event.queryID === second.queryID);
  }, "Hit Clicked after the second search");
  assert.deepEqual(clickedAgain.event.objectIDs, [firstObjectID]);
  assert.deepEqual(clickedAgain.event.positions, [1]);

  // The events were sent with InstantSearch's agent and its credentials.
  const posts = (await server.requests({ appId, path: "/1/events" })).filter((r) => r.method === "POST");
  assert.ok(posts.length > 0);
  for (const r of posts) {
    assert.match(r.agent, /insights-middleware/);
    assert.equal(r.appId, appId);
  }
  assert.deepEqual(
    (await server.events({ appId })).filter((r) => !r.accepted),
    [],
    "every event was accepted"
  );
  assert.deepEqual(consoleMessages.filter((m) => m.type === "error" || m.type === "pageerror"), []);
  await context.close();
}

test("insights: true, InstantSearch starting before the library has loaded (queued calls)", () =>
  run({ mode: "true", cookie: false, libraryFirst: false }));
test("insights: { insightsInitParams: { useCookie: true } }, InstantSearch starting first", () =>
  run({ mode: "initparams", cookie: true, libraryFirst: false }));
test("insights: { insightsClient: window.aa } once the library has loaded, useCookie", () =>
  run({ mode: "client", cookie: true, libraryFirst: true }));

// Two tabs of one site in Chromium, Firefox ESR and WebKitGTK (over WebDriver:
// a second tab is `POST /session/{id}/window/new`; tabs.test.mjs has the
// Chromium-only cases with fake timers and failures). Both tabs share
// localStorage and the `_ALGOLIA` cookie (storage consent); each sends its
// own events while the other is open. Every event of both tabs arrives
// exactly once, with the same token, and after a reload of each tab nothing
// is stored and nothing more arrives.
//
// Each test prints `engines: <browser> <version>: tabs=2 sent=N received=N
// duplicated=N lost=N`.
import assert from "node:assert/strict";
import { before, after } from "node:test";
import { startServer, makeSite, snippet, LIBRARIES, waitFor, uniqueAppId } from "./harness.mjs";
import { PAGE_HOOK, PAGE_SCRIPT, observed, pageReady, receivedCounts, tally, eachEngine, STORED_EVENTS, OUTBOX_PREFIX } from "./engine-pages.mjs";

const PAGE = `<!doctype html><html><head>${PAGE_HOOK}${snippet(LIBRARIES.wasm)}</head><body>${PAGE_SCRIPT}</body></html>`;

let server;
before(async () => {
  server = await startServer({ www: makeSite({ "tabs.html": PAGE }) });
});
after(async () => {
  await server?.stop();
});

const CLICKS = `for (const id of arguments[0]) aa("clickedObjectIDs", { index: "products", eventName: "Tab click", objectIDs: [id] });`;

eachEngine("two tabs: the events of both arrive exactly once each", async (session) => {
  const app = uniqueAppId("engines-tabs");
  const url = `${server.url}/tabs.html?${new URLSearchParams({ app, init: JSON.stringify({ useCookie: true }) })}`;
  const ids = (tab) => [0, 1, 2].map((i) => `${tab}-${i}`);

  const first = await session.windowHandle();
  await session.goto(url);
  await pageReady(session);
  const second = await session.newTab();
  assert.notEqual(second, first);
  await session.switchTo(second);
  await session.goto(url);
  await pageReady(session);
  assert.deepEqual(await session.run("return window.logged"), [], "the second tab loaded the library");

  // Both tabs open; each sends in turn, twice.
  await session.run(CLICKS, ids("b").slice(0, 2));
  await session.switchTo(first);
  await session.run(CLICKS, ids("a").slice(0, 2));
  await session.switchTo(second);
  await session.run(CLICKS, ids("b").slice(2));
  await session.switchTo(first);
  await session.run(CLICKS, ids("a").slice(2));
  const expected = [...ids("a"), ...ids("b")];
  await waitFor(async () => {
    const counts = await receivedCounts(server, app);
    return expected.every((id) => counts.has(id));
  }, "the events of both tabs");

  // Reload each tab: anything a tab had also kept would be sent now.
  for (const tab of [first, second]) {
    await session.switchTo(tab);
    await session.refresh();
    await pageReady(session);
    await session.until(async () => (await session.run(STORED_EVENTS, OUTBOX_PREFIX)) === 0, "no stored event");
    const seen = await observed(session);
    assert.deepEqual(seen.thrown, []);
    assert.deepEqual(seen.logged.filter((m) => m.type === "error"), []);
  }
  // A marker sent last, after both reloads, arrives after anything those sent.
  await session.run(CLICKS, ["marker"]);
  await waitFor(async () => (await receivedCounts(server, app)).has("marker"), "the marker");

  const counts = await receivedCounts(server, app);
  const { received, duplicated, lost, unexpected } = tally(counts, [...expected, "marker"]);
  console.log(`engines: ${session.browser}: tabs=2 sent=${expected.length} received=${received - 1} duplicated=${duplicated} lost=${lost}`);
  assert.equal(duplicated, 0, "no event arrives twice");
  assert.equal(lost, 0, "no event is lost");
  assert.deepEqual(unexpected, []);
  const records = (await server.events({ appId: app })).filter((r) => r.accepted);
  const tokens = new Set(records.map((r) => r.event.userToken));
  assert.equal(tokens.size, 1, `one token for both tabs: ${[...tokens]}`);
  assert.match([...tokens][0], /^anonymous-/);
});

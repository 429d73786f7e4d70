// Several tabs of one site, end to end: real Chromium pages of one browser
// context (one localStorage, one Web Locks API) against the real local
// Insights endpoint told to answer 503. Each page keeps its undelivered events
// under its own key, `AlgoliaInsightsOutbox:<page id>`, and a page claims a
// closed page's key under that page's Web Lock, so tabs never overwrite each
// other's events and every event is sent by exactly one page.
// Fake timers (one clock for the whole context) drive the flushes and retries.
// Every test prints `tabs: sent=N received=N duplicated=N lost=N` and
// requires no duplicate and no loss.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, makeSite, launchBrowser, waitFor, uniqueAppId, watchConsole } from "./harness.mjs";

const PREFIX = "AlgoliaInsightsOutbox:";
const PAGE = `<!doctype html><html><head></head><body>
<script type="module">
  import aa from "/pkg/index.mjs";
  window.aa = aa;
  const params = new URLSearchParams(location.search);
  aa("init", { appId: params.get("app"), apiKey: "key", host: location.origin, useCookie: true });
  window.reports = [];
  aa("onDelivery", (report) => window.reports.push(report));
  aa("getUserToken", null, () => { window.ready = true; });
</script></body></html>`;

let server, browser;
before(async () => {
  server = await startServer({ www: makeSite({ "tabs.html": PAGE }) });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/**
 * A browser context with fake timers, paused from the first script of every
 * page (see delivery.test.mjs): its timers fire only in `clock.runFor`, in
 * every page of the context at once. Without `webLocks`, its pages have no
 * Web Locks API, as in browsers without it.
 */
async function newContext({ webLocks = true } = {}) {
  const context = await browser.newContext();
  if (!webLocks) await context.addInitScript(() => delete Navigator.prototype.locks);
  const start = Date.now();
  await context.clock.install({ time: start - 10 * 60 * 1000 });
  await context.clock.pauseAt(start);
  return context;
}

/** A new tab of the site, once the library ran its queued calls. */
async function openTab(context, app) {
  const page = await context.newPage();
  const messages = watchConsole(page);
  await page.goto(`${server.url}/tabs.html?app=${app}`);
  await waitFor(() => page.evaluate(() => window.ready === true), "the tab ready");
  page.messages = messages;
  return page;
}

/** `count` clickedObjectIDs calls in one task (objectIDs `<prefix>-<i>`), not waiting for their Promises. */
function clicks(page, prefix, count) {
  return page.evaluate(
    ({ prefix, count }) => {
      for (let i = 0; i < count; i++) {
        aa("clickedObjectIDs", { index: "products", eventName: "Tab click", objectIDs: [`${prefix}-${i}`] });
      }
    },
    { prefix, count }
  );
}

const ids = (prefix, count) => Array.from({ length: count }, (_, i) => `${prefix}-${i}`);

/** Every page's outbox key in localStorage: `{key, lease, ids, attempts}`, by key. */
const outboxes = (page) =>
  page.evaluate((prefix) => {
    const keys = Object.keys(localStorage).filter((k) => k.startsWith(prefix)).sort();
    return keys.map((key) => {
      const outbox = JSON.parse(localStorage.getItem(key));
      return {
        key,
        lease: outbox.l,
        ids: outbox.e.map((r) => JSON.parse(r.b).objectIDs[0]).sort(),
        attempts: [...new Set(outbox.e.map((r) => r.n))],
      };
    });
  }, PREFIX);

/** The Web Locks of the origin: names held and names waited for. */
const locks = (page) =>
  page.evaluate(async () => {
    const state = await navigator.locks.query();
    return { held: state.held.map((l) => l.name).sort(), pending: state.pending.map((l) => l.name).sort() };
  });

/** Waits for the tab's `onDelivery` report of a 503 on `events` events. */
const failed = (page, events) =>
  waitFor(() => page.evaluate((events) => window.reports.some((r) => r.status === 503 && r.willRetry && r.events === events), events), `a 503 on ${events} events`);

/** POSTs to /1/events recorded for `app`, as `[status, events]`, sorted. */
async function posts(app) {
  const requests = (await server.requests({ appId: app })).filter((r) => r.method === "POST" && r.path === "/1/events");
  return requests.map((r) => [r.status, r.events.length]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
}

/** Waits for every expected event, then prints and checks the tabs line. */
async function expectDelivered(app, expected) {
  const counts = async () => {
    const byId = new Map();
    for (const record of await server.events({ appId: app })) {
      if (!record.accepted) continue;
      const id = (record.event.objectIDs || []).join(",");
      byId.set(id, (byId.get(id) || 0) + 1);
    }
    return byId;
  };
  await waitFor(async () => {
    const byId = await counts();
    return expected.every((id) => byId.has(id));
  }, `${expected.length} events at the endpoint`);
  const byId = await counts();
  const duplicated = [...byId.values()].reduce((sum, n) => sum + n - 1, 0);
  const lost = expected.filter((id) => !byId.has(id)).length;
  console.log(`tabs: sent=${expected.length} received=${byId.size} duplicated=${duplicated} lost=${lost}`);
  assert.equal(duplicated, 0, "no event arrives twice");
  assert.equal(lost, 0, "no event is lost");
  assert.deepEqual([...byId.keys()].sort(), [...expected].sort(), "nothing else arrives");
}

/** No error on any tab's console but the browser's own line for each 503. */
function assertNoErrors(pages) {
  for (const page of pages) {
    const errors = page.messages.filter((m) => m.type === "error" || m.type === "pageerror");
    assert.deepEqual(errors.filter((m) => !m.text.startsWith("Failed to load resource: the server responded with a status of 503")), []);
  }
}

/**
 * `count` tabs each send 40 events while the endpoint answers 503, then all
 * close; the endpoint recovers and a new tab opens: it claims every closed
 * tab's key and sends each event once.
 */
async function closedTabsThenANewOne(count, { webLocks = true } = {}) {
  const app = uniqueAppId(`tabs${count}`);
  const context = await newContext({ webLocks });
  try {
    // One 503 for each tab's one request, then the endpoint is up again.
    await server.fail({ mode: "status", status: 503, times: count, appId: app });
    const tabs = [];
    for (let t = 0; t < count; t++) tabs.push(await openTab(context, app));
    assert.equal(await tabs[0].evaluate(() => "locks" in navigator), webLocks);
    const expected = [];
    for (let t = 0; t < count; t++) {
      await clicks(tabs[t], `tab${t}`, 40);
      expected.push(...ids(`tab${t}`, 40));
    }
    await tabs[0].clock.runFor(100); // the flush delay passes in every tab: one request each
    for (const tab of tabs) await failed(tab, 40);
    // Every tab's 40 events under its own key: no tab overwrote another's.
    const stored = await waitFor(async () => {
      const all = await outboxes(tabs[0]);
      return all.length === count && all.every((o) => o.ids.length === 40 && o.attempts.join() === "1") && all;
    }, `${count} keys of 40 failed events`);
    assert.deepEqual(stored.flatMap((o) => o.ids).sort(), [...expected].sort());
    assertNoErrors(tabs);
    // All close, their retries still waiting (no beforeunload; the page is
    // closed as it would be by the visitor).
    for (const tab of tabs) await tab.close({ runBeforeUnload: false });
    const next = await openTab(context, app);
    const claimed = await waitFor(async () => {
      const all = await outboxes(next);
      return all.length === 1 && all[0].ids.length === 40 * count && all;
    }, "the new tab holding every closed tab's events under its own key");
    assert.ok(!stored.some((o) => o.key === claimed[0].key), "a key of its own");
    assert.deepEqual(claimed[0].ids, [...expected].sort());
    await next.clock.runFor(100); // its flush delay
    await expectDelivered(app, expected);
    await waitFor(async () => (await outboxes(next)).length === 0, "no outbox left once delivered");
    // The failed requests, then one request with all of them.
    assert.deepEqual(await posts(app), [[200, 40 * count], ...Array(count).fill([503, 40])]);
    // Nothing more is sent later.
    await next.clock.runFor(120000);
    await expectDelivered(app, expected);
    assert.equal((await posts(app)).length, count + 1);
    assertNoErrors([next]);
  } finally {
    await context.close();
  }
}

for (const count of [2, 3, 5]) {
  test(`${count} tabs send while the endpoint answers 503 and close; a new tab delivers every event exactly once`, { timeout: 120000 }, () =>
    closedTabsThenANewOne(count));
}

/**
 * A first tab whose 5 clicks ("first-0"…"first-4") got one 503 and now wait
 * in its own outbox key; resolves to the tab and that key.
 */
async function firstTabWithFailedEvents(context, app) {
  await server.fail({ mode: "status", status: 503, times: 1, appId: app });
  const first = await openTab(context, app);
  await clicks(first, "first", 5);
  await first.clock.runFor(100);
  await failed(first, 5);
  const [firstKey] = await waitFor(async () => {
    const all = await outboxes(first);
    return all.length === 1 && all[0].ids.length === 5 && all.map((o) => o.key);
  }, "the first tab's 5 failed events stored");
  return { first, firstKey };
}

test("without Web Locks (leases), 2 tabs send while the endpoint answers 503 and close; a new tab delivers every event exactly once", { timeout: 120000 }, () =>
  closedTabsThenANewOne(2, { webLocks: false }));

test("a tab closed while its flush is in progress: the events it was sending and those it had stored each arrive once", { timeout: 120000 }, async () => {
  const app = uniqueAppId("closing");
  const context = await newContext();
  try {
    await server.fail({ mode: "status", status: 503, times: 1, appId: app });
    const tab = await openTab(context, app);
    await clicks(tab, "stored", 10);
    await tab.clock.runFor(100);
    await failed(tab, 10);
    await waitFor(async () => (await outboxes(tab))[0]?.ids.length === 10, "10 failed events stored");
    // New calls; the flush delay passes, so their request leaves (keepalive)
    // and the tab writes its key; it is closed right after, before any answer
    // is handled.
    await clicks(tab, "closing", 10);
    await tab.clock.runFor(100);
    await tab.close({ runBeforeUnload: false });
    const next = await openTab(context, app);
    await waitFor(async () => {
      const all = await outboxes(next);
      return all.length === 1 && all[0].ids.join() === ids("stored", 10).sort().join() && all;
    }, "the new tab holding the 10 stored events, not those already on their way");
    await next.clock.runFor(100);
    await expectDelivered(app, [...ids("stored", 10), ...ids("closing", 10)]);
    await waitFor(async () => (await outboxes(next)).length === 0, "no outbox left once delivered");
    assert.deepEqual(await posts(app), [[200, 10], [200, 10], [503, 10]]);
  } finally {
    await context.close();
  }
});

test("a tab opened while another is still retrying: the live tab's events are not claimed; each event arrives once", { timeout: 120000 }, async () => {
  const app = uniqueAppId("live");
  const context = await newContext();
  try {
    const { first, firstKey } = await firstTabWithFailedEvents(context, app);
    // The first tab is also hidden (a tab switch): with Web Locks it keeps
    // its events. Headless pages are never hidden: the event is dispatched.
    await first.evaluate(() => window.dispatchEvent(new PageTransitionEvent("pagehide", { persisted: true })));
    const second = await openTab(context, app);
    // The second tab holds its own lock and waits for the first tab's.
    const state = await waitFor(async () => {
      const l = await locks(second);
      return l.held.length === 2 && l.pending.includes(firstKey) && l;
    }, "the second tab waiting for the first tab's lock");
    assert.deepEqual(state.pending, [firstKey]);
    assert.deepEqual((await outboxes(second)).map((o) => [o.key, o.ids.length]), [[firstKey, 5]], "not claimed");
    // The second tab's own events go out (the endpoint is up again); the
    // first tab's retry (0.5-1 s after its failure) is not due yet.
    await clicks(second, "second", 5);
    await second.clock.runFor(100);
    await expectDelivered(app, ids("second", 5));
    // The endpoint records the events before the tab reads its answer: the
    // tab's own key goes once it has, and the first tab's key stays.
    await waitFor(async () => {
      const all = await outboxes(second);
      return all.length === 1 && all;
    }, "the second tab's own key removed once delivered");
    assert.deepEqual((await outboxes(second)).map((o) => [o.key, o.ids.length]), [[firstKey, 5]]);
    // The first tab's retry sends its own events.
    await first.clock.runFor(1000);
    await expectDelivered(app, [...ids("first", 5), ...ids("second", 5)]);
    await waitFor(async () => (await outboxes(first)).length === 0, "the first tab's key removed once delivered");
    // The first tab closes: the second tab gets its lock, and finds nothing.
    await first.close({ runBeforeUnload: false });
    await waitFor(async () => (await locks(second)).pending.length === 0, "the first tab's lock granted to the second");
    await second.clock.runFor(120000);
    await expectDelivered(app, [...ids("first", 5), ...ids("second", 5)]);
    assert.deepEqual(await posts(app), [[200, 5], [200, 5], [503, 5]]);
    assertNoErrors([second]);
  } finally {
    await context.close();
  }
});

test("a tab closing with its retry pending: one of the two live tabs waiting for it claims its events at once and keeps its lock; each arrives once", { timeout: 120000 }, async () => {
  const app = uniqueAppId("handover");
  const context = await newContext();
  try {
    const { first, firstKey } = await firstTabWithFailedEvents(context, app);
    const others = [await openTab(context, app), await openTab(context, app)];
    await waitFor(async () => {
      const l = await locks(others[0]);
      return l.held.length === 3 && l.pending.join() === [firstKey, firstKey].join();
    }, "both tabs waiting for the first tab's lock");
    await first.close({ runBeforeUnload: false });
    // One tab got the lock and claimed; it keeps the lock (the other tab's
    // view of localStorage may show the claim only later), so the other tab
    // still waits.
    const claimed = await waitFor(async () => {
      const all = await outboxes(others[0]);
      const l = await locks(others[0]);
      return l.held.includes(firstKey) && l.pending.join() === firstKey && all.length === 1 && all[0].key !== firstKey && all[0].ids.length === 5 && all;
    }, "one of the live tabs holding the first tab's events under its own key");
    assert.deepEqual(claimed[0].ids, ids("first", 5).sort());
    await others[0].clock.runFor(100);
    await expectDelivered(app, ids("first", 5));
    await waitFor(async () => (await outboxes(others[0])).length === 0, "no outbox left once delivered");
    // The claimer is the tab that sent them; it closes, and the other tab
    // gets the first tab's lock at last, and finds nothing.
    const sentBy = [];
    for (const tab of others) sentBy.push(await tab.evaluate(() => window.reports.some((r) => r.status === 200 && r.events === 5)));
    assert.deepEqual(sentBy.filter(Boolean), [true], "sent by one tab");
    const claimer = others[sentBy.indexOf(true)];
    const other = others[1 - sentBy.indexOf(true)];
    await claimer.close({ runBeforeUnload: false });
    await waitFor(async () => {
      const l = await locks(other);
      return l.pending.length === 0 && l.held.includes(firstKey) && l;
    }, "the first tab's lock granted to the other tab");
    await other.clock.runFor(120000);
    await expectDelivered(app, ids("first", 5));
    assert.deepEqual(await posts(app), [[200, 5], [503, 5]]);
    assertNoErrors(others);
  } finally {
    await context.close();
  }
});

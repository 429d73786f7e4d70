// Reliable delivery, end to end: a real headless Chromium loads the library
// (npm module, or script tag with the official snippet) and sends to a real
// local Insights endpoint that is told to fail (500, 429, 422, hang, drop) or
// is simply not running.
// Every test prints `delivery: sent=N received=N duplicated=N lost=N` and
// requires no duplicate and no loss.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  startServer,
  makeSite,
  launchBrowser,
  snippet,
  LIBRARIES,
  waitFor,
  uniqueAppId,
  watchConsole,
  freePort,
} from "./harness.mjs";

// Each page keeps its undelivered events under its own key, `AlgoliaInsightsOutbox:<page id>`.
const OUTBOX_PREFIX = "AlgoliaInsightsOutbox:";
const QUERY_CACHE_KEY = "AlgoliaObjectQueryCache";
const KEEPALIVE_BUDGET = 64 * 1024;

// `?app=…&host=…&init={json}`: init with those options, record every
// `onDelivery` report, and set `ready` once the queued calls have run. The npm
// module's `aa` returns each event call's Promise (the snippet's stub returns
// nothing, as search-insights' does), so most tests use it; the script-tag
// build and the snippet are used where the page goes away.
const PAGE_SCRIPT = `
  const params = new URLSearchParams(location.search);
  const options = JSON.parse(params.get("init") || "{}");
  aa("init", Object.assign({ appId: params.get("app"), apiKey: "key", host: params.get("host") || location.origin }, options));
  window.reports = [];
  aa("onDelivery", (report) => window.reports.push(report));
  aa("getUserToken", null, () => { window.ready = true; });`;
const LINK = `<a id="next" href="/next.html">next</a>`;
const MODULE_PAGE = `<!doctype html><html><head></head><body>${LINK}
<script type="module">
  import aa from "/pkg/index.mjs";
  window.aa = aa;${PAGE_SCRIPT}
</script></body></html>`;
const SNIPPET_PAGE = `<!doctype html><html><head>${snippet(LIBRARIES.wasm)}</head><body>${LINK}
<script>${PAGE_SCRIPT}
</script></body></html>`;

let server, browser;
before(async () => {
  server = await startServer({
    www: makeSite({
      "delivery.html": MODULE_PAGE,
      "snippet.html": SNIPPET_PAGE,
      "next.html": "<!doctype html><html><body>next page</body></html>",
    }),
  });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/**
 * A fresh browser context (its own localStorage and cookies) on the test page:
 * `delivery.html` (npm module) or `snippet.html` (script tag and snippet).
 */
async function openPage(app, init = {}, { host, file = "delivery.html", fakeTimers = false, webLocks = true } = {}) {
  const context = await browser.newContext();
  if (!webLocks) await withoutWebLocks(context);
  const page = await context.newPage();
  // With fake timers, the page's setTimeout only fires when the test says so.
  if (fakeTimers) await installPausedClock(page);
  await recordSends(page);
  const consoleMessages = watchConsole(page);
  const params = new URLSearchParams({ app, init: JSON.stringify(init) });
  if (host) params.set("host", host);
  await page.goto(`${server.url}/${file}?${params}`);
  await pageReady(page);
  return { context, page, consoleMessages };
}

/**
 * Fake timers, paused from the first script of every document of the
 * context: the page's setTimeout fires only in `page.clock.runFor`. Both
 * steps are taken on the blank page, with times the test chose (installed
 * 10 minutes back, paused at the test's start), and Playwright replays them
 * as they were in each document loaded afterwards; nothing depends on how
 * long the page took to load. (Pausing a loaded page at "its Date.now() + 1",
 * read in an earlier round trip, failed on a busy machine with "Cannot
 * fast-forward to the past".)
 */
async function installPausedClock(page) {
  const start = Date.now();
  await page.clock.install({ time: start - 10 * 60 * 1000 });
  await page.clock.pauseAt(start);
}

/**
 * Records in the page, synchronously, every request the library starts to
 * the events endpoint (`fetch` or `sendBeacon`): `window.sends` holds
 * `{via, keepalive, ids}` (`ids`: each event's objectIDs joined by ","), and
 * `window.sendsSettled` counts the fetches that got an answer or failed. What
 * a timer sent during `page.clock.runFor` is recorded when runFor returns.
 */
function recordSends(page) {
  return page.addInitScript(() => {
    window.sends = [];
    window.sendsSettled = 0;
    const ids = (body) => {
      try {
        return JSON.parse(String(body)).events.map((e) => (e.objectIDs || []).join(","));
      } catch (e) {
        return ["(unreadable body)"];
      }
    };
    const isEvents = (url) => String(url).includes("/1/events");
    const originalFetch = window.fetch;
    window.fetch = function (url, init) {
      if (!isEvents(url)) return originalFetch.apply(this, arguments);
      window.sends.push({ via: "fetch", keepalive: !!(init && init.keepalive), ids: ids(init && init.body) });
      const settled = () => window.sendsSettled++;
      const request = originalFetch.apply(this, arguments);
      request.then(settled, settled);
      return request;
    };
    const originalBeacon = navigator.sendBeacon && navigator.sendBeacon.bind(navigator);
    if (originalBeacon) {
      navigator.sendBeacon = function (url, body) {
        if (isEvents(url)) window.sends.push({ via: "beacon", keepalive: true, ids: ids(body) });
        return originalBeacon(url, body);
      };
    }
  });
}

/** What the page sent so far (see `recordSends`). */
const sends = (page) => page.evaluate(() => window.sends);

/** Waits for the test page's library to have run its queued calls. */
const pageReady = (page) => waitFor(() => page.evaluate(() => window.ready === true), "the page ready");

/** Runs `count` clickedObjectIDs calls in one task in the page; resolves to their Promises' values. */
function clicks(page, prefix, count) {
  return page.evaluate(
    ({ prefix, count }) =>
      Promise.all(
        Array.from({ length: count }, (_, i) =>
          aa("clickedObjectIDs", { index: "products", eventName: "Delivery click", objectIDs: [`${prefix}-${i}`] })
        )
      ),
    { prefix, count }
  );
}

/** Starts the same calls without waiting for their Promises. */
function clicksInBackground(page, prefix, count) {
  return page.evaluate(
    ({ prefix, count }) => {
      for (let i = 0; i < count; i++) {
        aa("clickedObjectIDs", { index: "products", eventName: "Delivery click", objectIDs: [`${prefix}-${i}`] });
      }
    },
    { prefix, count }
  );
}

const ids = (prefix, count) => Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
const keyOf = (event) => (event.objectIDs || []).join(",");

/** Accepted events of `app` at `endpoint`, counted by key. */
async function receivedCounts(endpoint, app) {
  const counts = new Map();
  for (const record of await endpoint.events({ appId: app })) {
    if (!record.accepted) continue;
    const key = keyOf(record.event);
    counts.set(key, (counts.get(key) || 0) + 1);
  }
  return counts;
}

/** Waits for every expected event, then prints and checks the delivery line. */
async function expectDelivered(endpoint, app, expected) {
  await waitFor(async () => {
    const counts = await receivedCounts(endpoint, app);
    return expected.every((key) => counts.has(key));
  }, `${expected.length} events at the endpoint`, 30000);
  const counts = await receivedCounts(endpoint, app);
  const received = counts.size;
  const duplicated = [...counts.values()].reduce((sum, n) => sum + n - 1, 0);
  const lost = expected.filter((key) => !counts.has(key)).length;
  console.log(`delivery: sent=${expected.length} received=${received} duplicated=${duplicated} lost=${lost}`);
  assert.equal(duplicated, 0, "no event arrives twice");
  assert.equal(lost, 0, "no event is lost");
  assert.deepEqual([...counts.keys()].sort(), [...expected].sort(), "nothing else arrives");
}

/** POSTs to /1/events recorded for `app`. */
async function posts(endpoint, app) {
  return (await endpoint.requests({ appId: app })).filter((r) => r.method === "POST" && r.path === "/1/events");
}

/**
 * Every page's stored outbox, together: `null` when there is none, else
 * `{keys, leases, e}`: the keys (one per page), their leases, and all their
 * records.
 */
const storedOutbox = (page) =>
  page.evaluate((prefix) => {
    const keys = Object.keys(localStorage).filter((k) => k.startsWith(prefix)).sort();
    if (keys.length === 0) return null;
    const outboxes = keys.map((k) => JSON.parse(localStorage.getItem(k)));
    return { keys, leases: outboxes.map((o) => o.l), e: outboxes.flatMap((o) => o.e) };
  }, OUTBOX_PREFIX);

/** A context whose pages have no Web Locks API (as in browsers without it): leases instead. */
const withoutWebLocks = (context) => context.addInitScript(() => delete Navigator.prototype.locks);

for (const status of [500, 429]) {
  test(`${status} then 200: every event arrives exactly once`, { timeout: 60000 }, async () => {
    const app = uniqueAppId(`retry-${status}`);
    const { context, page } = await openPage(app);
    await server.fail({ mode: "status", status, times: 1, appId: app });
    const results = await clicks(page, `r${status}`, 5);
    assert.deepEqual(results, [true, true, true, true, true], "each call's Promise resolves true once delivered");
    await expectDelivered(server, app, ids(`r${status}`, 5));
    const requests = await posts(server, app);
    assert.deepEqual(requests.map((r) => [r.status, r.injected, r.events.length]), [[status, true, 5], [200, false, 5]]);
    const reports = await page.evaluate(() => window.reports);
    assert.deepEqual(
      reports.map((r) => [r.status, r.events, r.delivered, r.willRetry]),
      [[status, 5, false, true], [200, 5, true, false]]
    );
    await context.close();
  });
}

test("422: not retried, the API message surfaces once; a bad event in a batch does not sink the others", { timeout: 60000 }, async () => {
  const app = uniqueAppId("refused");
  // The page accepts events up to 10 days old; the API only up to 4 days.
  const { context, page, consoleMessages } = await openPage(app, { maxEventAge: 10 * 24 * 3600 * 1000 });
  const message = "Injected: this event is refused";
  await server.fail({ mode: "status", status: 422, times: 1, appId: app, message });
  assert.deepEqual(await clicks(page, "refused", 1), [false], "the refused call resolves false");
  const refusedReports = await page.evaluate(() => window.reports);
  assert.deepEqual(refusedReports, [{ status: 422, message, events: 1, delivered: false, willRetry: false }]);
  // A batch where the API itself refuses one event (5 days old).
  const old = Date.now() - 5 * 24 * 3600 * 1000;
  const batch = await page.evaluate((old) => {
    const calls = [];
    for (let i = 0; i < 7; i++) {
      calls.push(aa("clickedObjectIDs", { index: "products", eventName: "Delivery click", objectIDs: [`good-${i}`] }));
    }
    calls.push(aa("clickedObjectIDs", { index: "products", eventName: "Delivery click", objectIDs: ["bad-0"], timestamp: old }));
    return Promise.all(calls);
  }, old);
  assert.deepEqual(batch, [true, true, true, true, true, true, true, false]);
  await expectDelivered(server, app, ids("good", 7));
  const requests = await posts(server, app);
  const refusedRequests = requests.filter((r) => r.events.some((e) => keyOf(e) === "refused-0"));
  assert.equal(refusedRequests.length, 1, "the refused event was sent once, never retried");
  const apiMessage = requests.find((r) => r.status === 422 && !r.injected && r.events.length === 1)?.message;
  assert.match(apiMessage || "", /past/, "the endpoint refused the lone bad event");
  const errors = consoleMessages.filter((m) => m.type === "error");
  assert.equal(errors.filter((m) => m.text.includes(message)).length, 1, "the injected message is on the console once");
  assert.equal(errors.filter((m) => m.text.includes(apiMessage)).length, 1, "the API's message is on the console once");
  const reports = await page.evaluate(() => window.reports);
  assert.equal(reports.filter((r) => r.message === apiMessage && !r.willRetry).length, 1);
  await context.close();
});

test("a dropped connection is retried and delivered once", { timeout: 60000 }, async () => {
  const app = uniqueAppId("drop");
  const { context, page } = await openPage(app);
  await server.fail({ mode: "drop", times: 1, appId: app });
  assert.deepEqual(await clicks(page, "drop", 3), [true, true, true]);
  await expectDelivered(server, app, ids("drop", 3));
  const requests = await posts(server, app);
  assert.deepEqual(requests.map((r) => [r.injected, r.events.length]), [[true, 3], [false, 3]]);
  const reports = await page.evaluate(() => window.reports);
  assert.deepEqual(reports.map((r) => [r.status, r.willRetry]), [[null, true], [200, false]]);
  await context.close();
});

test("a request that hangs is given up after requestTimeout, retried and delivered once", { timeout: 120000 }, async () => {
  const app = uniqueAppId("hang");
  // Fake timers: the request is given up when the page's clock says
  // requestTimeout has passed, however long the machine takes; the endpoint
  // holds the connection for 60 s, longer than the test waits for anything.
  const { context, page } = await openPage(app, { requestTimeout: 1000 }, { fakeTimers: true });
  await server.fail({ mode: "hang", times: 1, appId: app, durationMs: 60000 });
  await page.evaluate(() => {
    window.results = Promise.all(
      ["hang-0", "hang-1", "hang-2"].map((id) => aa("clickedObjectIDs", { index: "products", eventName: "Delivery click", objectIDs: [id] }))
    );
  });
  await page.clock.runFor(100); // the flush delay (50 ms) passes: the request leaves
  await waitFor(async () => (await posts(server, app)).length === 1, "the hanging request at the endpoint");
  assert.deepEqual(await page.evaluate(() => window.reports), [], "no answer yet");
  await page.clock.runFor(1000); // requestTimeout: the request is aborted
  await waitFor(() => page.evaluate(() => window.reports.length === 1), "the timed-out attempt reported");
  assert.deepEqual(await page.evaluate(() => window.reports.map((r) => [r.status, r.willRetry])), [[null, true]]);
  await page.clock.runFor(1000); // the first retry waits 0.5-1 s
  assert.deepEqual(await page.evaluate(() => window.results), [true, true, true]);
  await expectDelivered(server, app, ids("hang", 3));
  const reports = await page.evaluate(() => window.reports);
  assert.deepEqual(reports.map((r) => [r.status, r.willRetry]), [[null, true], [200, false]]);
  const requests = await posts(server, app);
  assert.deepEqual(requests.map((r) => [r.status, r.injected, r.events.length]), [[0, true, 3], [200, false, 3]]);
  await context.close();
});

/** The Insights endpoint on its own fixed port, down until `up()`. */
async function offlineEndpoint() {
  const port = await freePort();
  let endpoint = null;
  return {
    host: `http://127.0.0.1:${port}`,
    async up() {
      endpoint = await startServer({ port });
      return endpoint;
    },
    async down() {
      await endpoint?.stop();
      endpoint = null;
    },
  };
}

test("offline, then a reload with the endpoint up: the stored outbox is delivered exactly once", { timeout: 90000 }, async () => {
  const app = uniqueAppId("offline");
  const insights = await offlineEndpoint();
  // Up once, then down: the page's first requests are refused.
  await insights.up();
  await insights.down();
  const { context, page, consoleMessages } = await openPage(app, { useCookie: true, maxRetries: 0 }, { host: insights.host });
  assert.deepEqual(await clicks(page, "offline", 4), [false, false, false, false], "not delivered by this page");
  assert.ok(consoleMessages.some((m) => m.text.includes("kept for the next page load")));
  const stored = await storedOutbox(page);
  assert.deepEqual(stored.e.map((r) => JSON.parse(r.b).objectIDs[0]).sort(), ids("offline", 4).sort());
  const endpoint = await insights.up();
  try {
    await page.reload();
    await pageReady(page);
    await expectDelivered(endpoint, app, ids("offline", 4));
    await waitFor(async () => (await storedOutbox(page)) === null, "the outbox emptied once delivered");
    // Another page load sends nothing more.
    await page.reload();
    await pageReady(page);
    assert.equal(await storedOutbox(page), null);
    await expectDelivered(endpoint, app, ids("offline", 4));
    assert.equal((await posts(endpoint, app)).length, 1, "one request carried the stored events");
  } finally {
    await context.close();
    await insights.down();
  }
});

test("events waiting for a retry when the page is left are sent by the next page, once", { timeout: 90000 }, async () => {
  const app = uniqueAppId("handover");
  const insights = await offlineEndpoint();
  const { context, page } = await openPage(app, { useCookie: true }, { host: insights.host });
  await clicksInBackground(page, "handover", 3);
  const first = await waitFor(async () => {
    const stored = await storedOutbox(page);
    return stored?.e.length === 3 && stored.e.every((r) => r.n >= 1) && stored;
  }, "three failed events stored");
  // Left while the endpoint is still down: the next page takes them over.
  await page.reload();
  await pageReady(page);
  await waitFor(async () => {
    const stored = await storedOutbox(page);
    return stored?.e.length === 3 && stored.keys.length === 1 && stored.keys[0] !== first.keys[0];
  }, "the next page holding the events under its own key");
  const endpoint = await insights.up();
  try {
    await expectDelivered(endpoint, app, ids("handover", 3));
    await waitFor(async () => (await storedOutbox(page)) === null, "the outbox emptied once delivered");
  } finally {
    await context.close();
    await insights.down();
  }
});

test("without Web Locks, two tabs: events a hidden tab released and another tab took over are sent once, by that tab", { timeout: 60000 }, async () => {
  const app = uniqueAppId("tabs");
  const insights = await offlineEndpoint();
  const { context, page: first } = await openPage(app, { useCookie: true }, { host: insights.host, fakeTimers: true, webLocks: false });
  await clicksInBackground(first, "tabs", 3);
  await first.clock.runFor(100); // the first attempt fails: the endpoint is down
  const stored = await waitFor(async () => {
    const outbox = await storedOutbox(first);
    return outbox?.e.length === 3 && outbox.e.every((r) => r.n === 1) && outbox;
  }, "three failed events stored");
  // The first tab is hidden but lives on (a tab switch, or the back/forward
  // cache): it releases its events. Headless pages are never hidden, so the
  // event the library listens to is dispatched by hand.
  await first.evaluate(() => window.dispatchEvent(new PageTransitionEvent("pagehide", { persisted: true })));
  await waitFor(async () => (await storedOutbox(first))?.leases.every((l) => l === 0), "the events released");
  // A second tab of the site takes them over as it starts.
  const second = await context.newPage();
  const params = new URLSearchParams({ app, host: insights.host, init: JSON.stringify({ useCookie: true }) });
  await second.goto(`${server.url}/delivery.html?${params}`);
  await pageReady(second);
  const owner = stored.keys[0];
  await waitFor(async () => {
    const outbox = await storedOutbox(second);
    return outbox?.keys.length === 1 && outbox.keys[0] !== owner && outbox.leases[0] > 0 && outbox.e.length === 3;
  }, "the second tab holding them");
  const endpoint = await insights.up();
  try {
    // Both tabs' timers run: the first tab's retry finds the events taken.
    await first.clock.runFor(3000);
    await expectDelivered(endpoint, app, ids("tabs", 3));
    const reports = await first.evaluate(() => window.reports);
    assert.ok(reports.some((r) => /another page/.test(r.message) && r.events === 3 && !r.delivered), JSON.stringify(reports));
    await first.clock.runFor(60000);
    await waitFor(async () => (await storedOutbox(second)) === null, "the outbox emptied once delivered");
    await expectDelivered(endpoint, app, ids("tabs", 3));
  } finally {
    await context.close();
    await insights.down();
  }
});

test("without storage consent nothing is stored; events waiting for a retry leave with the page", { timeout: 60000 }, async () => {
  const app = uniqueAppId("no-consent");
  const insights = await offlineEndpoint();
  // Fake timers: the retry never comes, only the pagehide flush can send.
  const { context, page } = await openPage(app, {}, { host: insights.host, fakeTimers: true });
  await clicksInBackground(page, "noconsent", 3);
  await page.clock.runFor(100); // the flush delay passes; the endpoint is down
  await waitFor(() => page.evaluate(() => window.reports.some((r) => r.status === null && r.willRetry)), "a failed attempt");
  assert.equal(await page.evaluate(() => localStorage.length), 0, "localStorage is empty");
  const endpoint = await insights.up();
  try {
    await page.reload(); // pagehide: last chance for events nothing would keep
    await pageReady(page);
    await expectDelivered(endpoint, app, ids("noconsent", 3));
    assert.equal(await page.evaluate(() => localStorage.length), 0, "localStorage is still empty");
  } finally {
    await context.close();
    await insights.down();
  }
});

for (const file of ["snippet.html", "delivery.html"]) {
  test(`a click immediately followed by navigation arrives (pagehide flush, ${file})`, { timeout: 60000 }, async () => {
    const app = uniqueAppId("navigate");
    // A long flush delay: only the pagehide flush can send the click in time.
    const { context, page } = await openPage(app, { flushDelay: 30000 }, { file });
    await Promise.all([
      page.waitForURL("**/next.html"),
      page.evaluate(() => {
        aa("clickedObjectIDs", { index: "products", eventName: "Delivery click", objectIDs: ["navigate-0"] });
        document.getElementById("next").click();
      }),
    ]);
    await expectDelivered(server, app, ids("navigate", 1));
    await context.close();
  });
}

// Each event of the test below, as the library writes it (fields in its order):
//   {"eventType":"click","eventName":"Delivery click","index":"products",
//    "userToken":"anonymous-<36-character uuid>","timestamp":<13 digits>,"objectIDs":["bulk-<i>"]}
// = 1 ({) + 19 ("eventType":"click") + 1 + 28 ("eventName":"Delivery click") + 1
//   + 18 ("index":"products") + 1 + 60 ("userToken":"anonymous-…": 11 + 1 + 48) + 1
//   + 25 ("timestamp":…: 11 + 1 + 13) + 1 + 21 ("objectIDs":["bulk-"]) + 1 (})
// = 178 bytes + the digits of i: 179 B for i < 10, 180 B below 100, 181 B below
// 1000, 182 B from 1000 on.
// A body is {"events":[ + the events joined by "," + ]} = 13 B + events + commas,
// and a request takes events in order while it holds fewer than 1000 and its
// body stays within 65 536 B (64 KiB):
//   1: i 0-359: 13 + 10*179 + 90*180 + 260*181 + 359 commas = 65 422 B (the
//      next event, 182 B with its comma, would make 65 604)
//   2: i 360-719: 13 + 360*181 + 359 = 65 532 B (the README's largest body)
//   3: i 720-1078: 13 + 280*181 + 79*182 + 358 = 65 429 B (+183 would be 65 612)
//   4: i 1079-1436: 13 + 358*182 + 357 = 65 526 B (+183 would be 65 709)
//   5: i 1437-1794: 65 526 B, the same
//   6: i 1795-1999: 13 + 205*182 + 204 = 37 527 B
// 6 requests, as the README promises (search-insights sends 2000).
const BULK_REQUESTS = [
  // [first i, last i, body bytes]
  [0, 359, 65422],
  [360, 719, 65532],
  [720, 1078, 65429],
  [1079, 1436, 65526],
  [1437, 1794, 65526],
  [1795, 1999, 37527],
];

test("2000 clickedObjectIDs calls in one task: the 6 requests the README promises, each within the API and keepalive limits", { timeout: 120000 }, async () => {
  const app = uniqueAppId("bulk");
  const { context, page } = await openPage(app, { useCookie: true });
  const results = await clicks(page, "bulk", 2000);
  assert.ok(results.every((r) => r === true), "every Promise resolves true");
  await expectDelivered(server, app, ids("bulk", 2000));
  const requests = await posts(server, app);
  // The requests leave together; the endpoint may see them in any order.
  const index = (event) => Number(event.objectIDs[0].slice("bulk-".length));
  const seen = requests
    .map((r) => [index(r.events[0]), index(r.events[r.events.length - 1]), r.bodyBytes, r.events.length])
    .sort((a, b) => a[0] - b[0]);
  assert.deepEqual(
    seen,
    BULK_REQUESTS.map(([first, last, bytes]) => [first, last, bytes, last - first + 1]),
    "[first i, last i, body bytes, events] of each request"
  );
  for (const r of requests) {
    assert.ok(r.events.length <= 1000, `${r.events.length} events in one request`);
    assert.ok(r.bodyBytes <= KEEPALIVE_BUDGET, `${r.bodyBytes} bytes in one request`);
    assert.deepEqual(r.events.map(index), Array.from({ length: r.events.length }, (_, k) => index(r.events[0]) + k), "in order, none skipped");
  }
  const bytes = requests.reduce((sum, r) => sum + r.bodyBytes, 0);
  console.log(
    `batching: 2000 events in ${requests.length} requests (${(requests.length / 2).toFixed(1)} per 1000 events), ` +
      `largest body ${Math.max(...requests.map((r) => r.bodyBytes))} B, ${bytes} B in all`
  );
  await context.close();
});

test("a view of 45 objectIDs arrives as 3 events of 20/20/5", { timeout: 60000 }, async () => {
  const app = uniqueAppId("split");
  const { context, page } = await openPage(app);
  const objectIDs = ids("split", 45);
  const delivered = await page.evaluate(
    (objectIDs) => aa("viewedObjectIDs", { index: "products", eventName: "Delivery view", objectIDs }),
    objectIDs
  );
  assert.equal(delivered, true);
  const expected = [objectIDs.slice(0, 20), objectIDs.slice(20, 40), objectIDs.slice(40)].map((part) => part.join(","));
  await expectDelivered(server, app, expected);
  const requests = await posts(server, app);
  assert.equal(requests.length, 1, "one request");
  assert.deepEqual(requests[0].events.map((e) => e.objectIDs.length), [20, 20, 5]);
  await context.close();
});

/** Starts `aa(method, event)` in the page; `result(page, id)` awaits its Promise. */
const startCall = (page, id, method = "clickedObjectIDs", extra = {}) =>
  page.evaluate(
    ({ id, method, extra }) => {
      window.calls = window.calls || {};
      window.calls[id] = aa(method, { index: "products", eventName: "Delivery click", objectIDs: [id], ...extra });
    },
    { id, method, extra }
  );
const result = (page, id) => page.evaluate((id) => window.calls[id], id);

for (const [label, forget] of [
  ["reset", () => aa("reset")],
  ["init({userHasOptedOut: true})", () => aa("init", { partial: true, userHasOptedOut: true })],
]) {
  test(`${label} clears the outbox, the cookie and the query-ID cache`, { timeout: 60000 }, async () => {
    const app = uniqueAppId("forget");
    // Fake timers: the forgotten event's retry would come when the test
    // runs the page's clock, not after some real time.
    const { context, page } = await openPage(app, { useCookie: true }, { fakeTimers: true });
    await startCall(page, "searched-0", "clickedObjectIDsAfterSearch", { positions: [1], queryID: "0123456789abcdef0123456789abcdef" });
    await page.clock.runFor(100); // the flush delay
    assert.equal(await result(page, "searched-0"), true);
    assert.ok(await page.evaluate((key) => localStorage.getItem(key), QUERY_CACHE_KEY), "query-ID cache written");
    assert.match(await page.evaluate(() => document.cookie), /_ALGOLIA=anonymous-/);
    // An event that fails once and waits for its retry, stored meanwhile.
    await server.fail({ mode: "status", status: 503, times: 1, appId: app });
    await startCall(page, "forgotten-0");
    await page.clock.runFor(100);
    await waitFor(() => page.evaluate(() => window.reports.some((r) => r.status === 503 && r.willRetry)), "the 503, retry planned");
    assert.equal((await storedOutbox(page))?.e.length, 1, "the failed event stored");
    await page.evaluate(forget);
    assert.equal(await result(page, "forgotten-0"), false, "the forgotten call resolves false");
    const storage = await page.evaluate(() => Object.keys(localStorage));
    assert.deepEqual(storage, [], "no outbox, no query-ID cache");
    assert.doesNotMatch(await page.evaluate(() => document.cookie), /_ALGOLIA/);
    // After reset later events still go out; after opting out they don't.
    await startCall(page, "after-0");
    await page.clock.runFor(100);
    assert.equal(await result(page, "after-0"), label === "reset");
    // Past every retry the forgotten event could have had (5 retries: at most
    // 1 + 2 + 4 + 8 + 16 s): whatever its timers would send has been started
    // when runFor returns, and is recorded.
    await page.clock.runFor(60000);
    const expectedSends = [["searched-0"], ["forgotten-0"]];
    if (label === "reset") {
      // A marker sent after all that arrives, and the endpoint has nothing else.
      expectedSends.push(["after-0"], ["marker-0"]);
      await startCall(page, "marker-0");
      await page.clock.runFor(100);
      assert.equal(await result(page, "marker-0"), true);
    }
    assert.deepEqual((await sends(page)).map((s) => s.ids), expectedSends, "the forgotten event is never sent again");
    await waitFor(() => page.evaluate(() => window.sendsSettled === window.sends.length), "every request answered");
    await expectDelivered(server, app, label === "reset" ? ["searched-0", "after-0", "marker-0"] : ["searched-0"]);
    const requests = await posts(server, app);
    assert.deepEqual(requests.map((r) => [r.status, r.events.map(keyOf)]), expectedSends.map((ids, i) => [i === 1 ? 503 : 200, ids]));
    await context.close();
  });
}

test("events older than maxEventAge are dropped with a warning, not sent", { timeout: 60000 }, async () => {
  const app = uniqueAppId("expired");
  const { context, page, consoleMessages } = await openPage(app);
  const fiveDaysAgo = Date.now() - 5 * 24 * 3600 * 1000;
  const results = await page.evaluate((fiveDaysAgo) => {
    const event = (id, extra) => ({ index: "products", eventName: "Delivery click", objectIDs: [id], ...extra });
    return Promise.all([
      aa("clickedObjectIDs", event("fresh-0")),
      aa("clickedObjectIDs", event("stale-0", { timestamp: fiveDaysAgo })),
      aa("clickedObjectIDs", event("fresh-1")),
    ]);
  }, fiveDaysAgo);
  assert.deepEqual(results, [true, false, true]);
  await expectDelivered(server, app, ids("fresh", 2));
  const warnings = consoleMessages.filter((m) => m.type === "warning" && m.text.includes("older than the Insights API accepts"));
  assert.equal(warnings.length, 1);
  assert.match(warnings[0].text, /dropped 1 event\(s\).*4 days/);
  const requests = await posts(server, app);
  assert.deepEqual(requests.map((r) => [r.status, r.events.length]), [[200, 2]], "the old event never reached the API");
  await context.close();
});

test("a page being hidden (visibilitychange) sends what is queued at once, with keepalive, without the flush timer", { timeout: 60000 }, async () => {
  const app = uniqueAppId("hidden");
  // Fake timers, never run here: the flush delay cannot be what sends.
  const { context, page } = await openPage(app, {}, { fakeTimers: true });
  await clicksInBackground(page, "hidden", 3);
  // Headless pages are never hidden: the state the library reads and the
  // event it listens to are set by hand. The flush is synchronous, so the
  // sends are recorded when the dispatch returns.
  const setVisibility = (state) =>
    page.evaluate((state) => {
      Object.defineProperty(document, "visibilityState", { configurable: true, get: () => state });
      document.dispatchEvent(new Event("visibilitychange"));
      return window.sends.length;
    }, state);
  assert.equal(await setVisibility("visible"), 0, "becoming visible sends nothing");
  assert.equal(await setVisibility("hidden"), 1, "becoming hidden sends at once");
  assert.deepEqual(await sends(page), [{ via: "fetch", keepalive: true, ids: ids("hidden", 3) }]);
  await expectDelivered(server, app, ids("hidden", 3));
  // The flush timer that was waiting finds nothing left: sent once.
  await page.clock.runFor(60000);
  assert.equal((await sends(page)).length, 1, "nothing sent again");
  assert.deepEqual((await posts(server, app)).map((r) => [r.status, r.events.length]), [[200, 3]]);
  await context.close();
});

// A batch the API refuses with 400 or 413 is split in halves until the bad
// event is alone. The endpoint refuses every request carrying `<prefix>-5`:
//   [0-7] refused -> [0-3] delivered, [4-7] refused
//   [4-7] refused -> [4-5] refused, [6-7] delivered
//   [4-5] refused -> [4] delivered, [5] refused alone: not retried
for (const status of [400, 413]) {
  test(`${status} on a batch: split in halves until the bad event is alone; the others arrive exactly once`, { timeout: 60000 }, async () => {
    const app = uniqueAppId(`split-${status}`);
    const prefix = `s${status}`;
    const { context, page, consoleMessages } = await openPage(app);
    const message = `Injected: ${prefix}-5 is refused`;
    await server.fail({ mode: "status", status, times: 100, appId: app, objectID: `${prefix}-5`, message });
    const results = await clicks(page, prefix, 8);
    assert.deepEqual(results, [true, true, true, true, true, false, true, true]);
    const good = ids(prefix, 8).filter((id) => id !== `${prefix}-5`);
    await expectDelivered(server, app, good);
    const requests = await posts(server, app);
    // Halves of one request leave together and may arrive in either order.
    const seen = requests.map((r) => `${r.events.map(keyOf).join(" ")} -> ${r.status}`).sort();
    const p = (...n) => n.map((i) => `${prefix}-${i}`).join(" ");
    assert.deepEqual(
      seen,
      [
        `${p(0, 1, 2, 3, 4, 5, 6, 7)} -> ${status}`,
        `${p(0, 1, 2, 3)} -> 200`,
        `${p(4, 5, 6, 7)} -> ${status}`,
        `${p(4, 5)} -> ${status}`,
        `${p(6, 7)} -> 200`,
        `${p(4)} -> 200`,
        `${p(5)} -> ${status}`,
      ].sort()
    );
    const reports = await page.evaluate(() => window.reports);
    assert.deepEqual(
      reports.map((r) => [r.status, r.events, r.delivered, r.willRetry]).sort(),
      [
        [status, 8, false, true],
        [status, 4, false, true],
        [status, 2, false, true],
        [status, 1, false, false],
        [200, 4, true, false],
        [200, 2, true, false],
        [200, 1, true, false],
      ].sort()
    );
    const errors = consoleMessages.filter((m) => m.type === "error" && m.text.startsWith("search-insights: "));
    assert.equal(errors.length, 1, JSON.stringify(errors));
    assert.match(errors[0].text, new RegExp(`refused 1 event\\(s\\) \\(${status}\\): ${message}`));
    await context.close();
  });
}

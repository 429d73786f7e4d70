// What the library reads back from the page is read defensively: localStorage
// values (the query-ID cache `AlgoliaObjectQueryCache`, the previous version's
// outbox `AlgoliaInsightsOutbox`, a page's outbox `AlgoliaInsightsOutbox:<page
// id>`) corrupted before the page loads, a localStorage that
// throws, and a hostile `_ALGOLIA` cookie. Each time: init, events and
// inferQueryID still work, every event that arrives is accepted, and the
// corrupted value is discarded (replaced or removed), never fatal.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, makeSite, launchBrowser, snippet, LIBRARIES, waitFor, uniqueAppId, watchConsole, countSends } from "./harness.mjs";

const CACHE_KEY = "AlgoliaObjectQueryCache";
const OUTBOX_KEY = "AlgoliaInsightsOutbox";
// The key of a page that is gone.
const PAGE_OUTBOX_KEY = "AlgoliaInsightsOutbox:0123456789ab";
const QID = "43b15df305339e827f0ac0bdc5ebcaa7";
const API_KEY = "storage-secret-search-key";
const PAGE = `<!doctype html><html><head>${snippet(LIBRARIES.wasm)}</head><body><script>
  const params = new URLSearchParams(location.search);
  aa("init", { appId: params.get("app"), apiKey: "${API_KEY}", host: location.origin, useCookie: true });
  aa("getUserToken", null, () => { window.ready = true; });
</script></body></html>`;

let server, browser;
before(async () => {
  server = await startServer({ www: makeSite({ "storage.html": PAGE }) });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/** A stored outbox record for `app`'s events URL on this server. */
function record(app, id, event, url) {
  const events = url || `${server.url}/1/events?X-Algolia-Application-Id=${app}&X-Algolia-API-Key=${API_KEY}&X-Algolia-Agent=x`;
  return { id, o: "", l: 0, u: events, b: JSON.stringify(event), t: Date.now(), n: 0 };
}

const leftover = (extra = {}) => ({
  eventType: "view",
  eventName: "Left over",
  index: "products",
  userToken: "left-over-user",
  timestamp: Date.now(),
  objectIDs: ["left-1"],
  ...extra,
});

/** `[label, key, value(app)]`: what another script or a broken disk left. */
const CORRUPTIONS = [
  ["cache: not JSON", CACHE_KEY, () => "{garbage"],
  ["cache: an array", CACHE_KEY, () => "[1,2,3]"],
  ["cache: a JSON string", CACHE_KEY, () => JSON.stringify("a string")],
  ["cache: entries of the wrong shapes", CACHE_KEY, () => JSON.stringify({ products_p1: "junk", products_p2: [1, 2], products_x: [QID] })],
  ["cache: queryIDs the API refuses", CACHE_KEY, () => JSON.stringify({ products_p2: ["<script>", Date.now()], products_p1: ["ABC", 1] })],
  ["cache: a 1 MB string", CACHE_KEY, () => "x".repeat(1024 * 1024)],
  ["cache: nested 10000 deep", CACHE_KEY, () => "[".repeat(10000) + "]".repeat(10000)],
  ["outbox: not JSON", OUTBOX_KEY, () => '{"v":1,"e":['],
  ["outbox: wrong shapes", OUTBOX_KEY, () => JSON.stringify({ v: 1, e: [1, null, "x", { id: "a" }, { id: "b", u: 5, b: {} }] })],
  ["outbox: events field not a list", OUTBOX_KEY, () => JSON.stringify({ v: 1, e: "x" })],
  ["outbox: a 1 MB string", OUTBOX_KEY, () => "y".repeat(1024 * 1024)],
  ["page outbox: not JSON", PAGE_OUTBOX_KEY, () => '{"v":2,"l":0,"e":['],
  ["page outbox: wrong shapes", PAGE_OUTBOX_KEY, () => JSON.stringify({ v: 2, l: "x", e: [1, null, { id: "b", u: 5, b: {} }] })],
  // JSON.parse reads 1e400 as Infinity; the library reads it as not JSON.
  ["page outbox: a lease out of range", PAGE_OUTBOX_KEY, () => '{"v":2,"l":1e400,"e":[]}'],
  [
    "outbox: records the API would refuse",
    OUTBOX_KEY,
    (app) =>
      JSON.stringify({
        v: 1,
        e: [
          record(app, "no-token", leftover({ userToken: undefined })),
          record(app, "bad-event", leftover({ eventName: "" })),
          record(app, "not-an-event", "just a string"),
          record(app, "bad-url", leftover(), "javascript:alert(1)"),
          record(app, "no-credentials", leftover(), `${server.url}/1/events?X-Algolia-Application-Id=&X-Algolia-API-Key=k`),
          record(app, "future", leftover({ timestamp: Date.now() + 86_400_000 })),
          record(app, "lone-surrogate", leftover({ objectIDs: ["a\uD800b"] })),
        ],
      }),
  ],
];

/** Opens the page with `key` holding `value` before anything loads. */
async function openWith(app, seed) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const messages = watchConsole(page);
  await countSends(page);
  await page.addInitScript(seed.script, seed.arg);
  await page.goto(`${server.url}/storage.html?app=${app}`);
  await waitFor(() => page.evaluate(() => window.ready === true), "the library ready");
  return { context, page, messages };
}


const MARKER = "Storage marker";

/** The events of `app` at the endpoint, without the marker. */
const appEvents = async (app) => (await server.events({ appId: app })).filter((r) => r.event.eventName !== MARKER);

/**
 * Waits until nothing more can arrive: a marker event sent now arrives (its
 * flush takes whatever was still queued), every request the page started has
 * its answer, and every one of them was a 200 (a refused or failed request is
 * what would be sent again later).
 */
async function settle(page, app) {
  await page.evaluate((eventName) => aa("clickedObjectIDs", { index: "products", eventName, objectIDs: ["marker"] }), MARKER);
  await waitFor(async () => (await server.events({ appId: app })).some((r) => r.event.eventName === MARKER), "the marker event");
  await waitFor(() => page.evaluate(() => window.sendsStarted > 0 && window.sendsSettled === window.sendsStarted), "every request answered");
  const requests = (await server.requests({ appId: app })).filter((r) => r.method === "POST" && r.path === "/1/events");
  assert.deepEqual(requests.filter((r) => r.status !== 200).map((r) => `${r.status} ${r.message}`), [], "refused or failed requests");
}

/**
 * A click after a search on p1, then a purchase of p1 and p2 with
 * inferQueryID: both must arrive accepted, the purchase attributed to the
 * click's search for p1 only.
 */
async function clickThenPurchase(page, app, expectedCount) {
  await page.evaluate((qid) => {
    aa("clickedObjectIDsAfterSearch", { index: "products", eventName: "Storage click", objectIDs: ["p1"], positions: [1], queryID: qid });
    aa("purchasedObjectIDs", { index: "products", eventName: "Storage purchase", objectIDs: ["p1", "p2"] }, { inferQueryID: true });
  }, QID);
  const records = await waitFor(async () => {
    const r = await appEvents(app);
    return r.length >= expectedCount && r;
  }, `${expectedCount} events`);
  await settle(page, app);
  const all = await appEvents(app);
  assert.equal(all.length, expectedCount, JSON.stringify(all.map((r) => r.event.eventName)));
  for (const r of all) assert.equal(r.accepted, true, `${r.event.eventName}: ${r.reason}`);
  const purchase = records.find((r) => r.event.eventName === "Storage purchase").event;
  assert.deepEqual(purchase.objectIDsWithInferredQueryID, ["p1"]);
  assert.equal(purchase.objectData[0].queryID, QID);
  assert.equal(purchase.objectData[1].queryID, undefined);
  return all;
}

/**
 * What the library left under its keys is well-formed. Returns the cache and
 * the outboxes: `null` when no outbox key is left, else the value of each
 * (the previous version's key and every page's `AlgoliaInsightsOutbox:…`).
 */
async function assertStorageWellFormed(page) {
  const stored = await page.evaluate((cacheKey) => {
    const outboxKeys = Object.keys(localStorage).filter((k) => k.startsWith("AlgoliaInsightsOutbox"));
    return [localStorage.getItem(cacheKey), outboxKeys.length ? outboxKeys.map((k) => localStorage.getItem(k)) : null];
  }, CACHE_KEY);
  const [cache, outboxes] = stored;
  if (cache !== null) {
    const parsed = JSON.parse(cache);
    assert.equal(typeof parsed, "object");
    assert.ok(!Array.isArray(parsed));
    for (const [key, entry] of Object.entries(parsed)) {
      assert.ok(Array.isArray(entry) && /^[0-9a-f]{32}$/.test(entry[0]) && typeof entry[1] === "number", `${key}: ${JSON.stringify(entry)}`);
    }
  }
  for (const outbox of outboxes || []) {
    const parsed = JSON.parse(outbox);
    assert.ok(Array.isArray(parsed.e), outbox.slice(0, 200));
  }
  return stored;
}

/**
 * Waits until no outbox key is left: the page claims what it finds as it
 * starts, once the Web Locks API granted it the locks (tasks of their own).
 */
const outboxesGone = (page) =>
  waitFor(() => page.evaluate(() => !Object.keys(localStorage).some((k) => k.startsWith("AlgoliaInsightsOutbox"))), "no outbox key left");

for (const [label, key, value] of CORRUPTIONS) {
  test(`corrupted storage (${label}) is discarded and everything still works`, async () => {
    const app = uniqueAppId("storage");
    const stored = value(app);
    const { context, page, messages } = await openWith(app, {
      script: ({ key, stored }) => localStorage.setItem(key, stored),
      arg: { key, stored },
    });
    await clickThenPurchase(page, app, 2);
    if (key !== CACHE_KEY) await outboxesGone(page);
    const [cache, outbox] = await assertStorageWellFormed(page);
    // The corrupted value itself is gone.
    if (key === CACHE_KEY) assert.notEqual(cache, stored);
    assert.equal(outbox, null, "nothing left to send");
    assert.deepEqual(messages.filter((m) => m.type === "error" || m.type === "pageerror"), []);
    assert.ok(messages.every((m) => !m.text.includes(API_KEY)));
    await context.close();
  });
}

test("a valid event left in storage among corrupted ones is sent once, and only it", async () => {
  const app = uniqueAppId("storage-leftover");
  const stored = JSON.stringify({
    v: 1,
    e: [record(app, "good", leftover()), record(app, "no-token", leftover({ userToken: undefined })), 7, { id: "x" }],
  });
  const { context, page, messages } = await openWith(app, {
    script: ({ key, stored }) => localStorage.setItem(key, stored),
    arg: { key: OUTBOX_KEY, stored },
  });
  const all = await clickThenPurchase(page, app, 3);
  const left = all.filter((r) => r.event.eventName === "Left over");
  assert.equal(left.length, 1);
  assert.equal(left[0].event.userToken, "left-over-user");
  await outboxesGone(page);
  const [, outbox] = await assertStorageWellFormed(page);
  assert.equal(outbox, null);
  assert.deepEqual(messages.filter((m) => m.type === "error" || m.type === "pageerror"), []);
  await context.close();
});

test("a localStorage that throws on every call: events and the token still work", async () => {
  const app = uniqueAppId("storage-throws");
  const { context, page, messages } = await openWith(app, {
    script: () => {
      for (const name of ["getItem", "setItem", "removeItem"]) {
        Storage.prototype[name] = function () {
          throw new DOMException("The operation is insecure.", "SecurityError");
        };
      }
    },
    arg: undefined,
  });
  // Without a readable cache there is nothing to infer from storage, but the
  // in-memory cache still attributes the purchase to the click's search.
  await clickThenPurchase(page, app, 2);
  const token = await page.evaluate(() => new Promise((resolve) => aa("getUserToken", null, (err, t) => resolve(t))));
  assert.match(String(token), /^anonymous-[0-9a-f-]{36}$/);
  assert.deepEqual(messages.filter((m) => m.type === "error" || m.type === "pageerror"), []);
  await context.close();
});

test("a hostile _ALGOLIA cookie is replaced by one well-formed cookie", async () => {
  for (const hostile of ["<script>", "anonymous-x y", "anonymous-é", "a".repeat(200), "user-1", ""]) {
    const app = uniqueAppId("storage-cookie");
    const { context, page, messages } = await openWith(app, {
      script: (value) => {
        document.cookie = "_ALGOLIA=" + value + ";path=/";
      },
      arg: hostile,
    });
    const cookies = await page.evaluate(() => document.cookie.split("; ").filter((c) => c.startsWith("_ALGOLIA=")));
    assert.equal(cookies.length, 1, JSON.stringify(cookies));
    assert.match(cookies[0], /^_ALGOLIA=anonymous-[0-9a-f-]{36}$/, `after ${JSON.stringify(hostile)}`);
    await clickThenPurchase(page, app, 2);
    const tokens = (await appEvents(app)).map((r) => r.event.userToken);
    assert.deepEqual(tokens, [cookies[0].slice("_ALGOLIA=".length), cookies[0].slice("_ALGOLIA=".length)]);
    assert.deepEqual(messages.filter((m) => m.type === "error" || m.type === "pageerror"), []);
    await context.close();
  }
});

/**
 * The cookie as Chromium stored it, for the storage page at `origin`
 * (`http://127.0.0.1:…`, or `https://insights.test` served through
 * Playwright's router from the same local server: a real https origin for
 * the browser, without a certificate or any new dependency).
 */
async function storedCookie(origin) {
  const context = await browser.newContext();
  const https = origin.startsWith("https:");
  if (https) {
    await context.route(`${origin}/**`, async (route) => {
      const url = new URL(route.request().url());
      const response = await route.fetch({ url: server.url + url.pathname + url.search });
      await route.fulfill({ response });
    });
  }
  const app = uniqueAppId(https ? "cookie-https" : "cookie-http");
  const page = await context.newPage();
  const messages = watchConsole(page);
  await countSends(page);
  await page.goto(`${origin}/storage.html?app=${app}`);
  await waitFor(() => page.evaluate(() => window.ready === true), "the library ready");
  assert.equal(await page.evaluate(() => location.protocol), https ? "https:" : "http:");
  // The page's events go through the same origin: they arrive.
  await clickThenPurchase(page, app, 2);
  const cookies = (await context.cookies(origin)).filter((c) => c.name === "_ALGOLIA");
  assert.deepEqual(messages.filter((m) => m.type === "error" || m.type === "pageerror"), []);
  await context.close();
  return cookies;
}

test("the _ALGOLIA cookie: path=/, SameSite=Lax, six months, and Secure exactly on https", async () => {
  const sixMonths = (6 * 30 * 24 * 3600 * 1000) / 1000;
  for (const [origin, secure] of [
    [server.url, false],
    ["https://insights.test", true],
  ]) {
    const cookies = await storedCookie(origin);
    assert.equal(cookies.length, 1, `${origin}: ${JSON.stringify(cookies)}`);
    const [cookie] = cookies;
    assert.match(cookie.value, /^anonymous-[0-9a-f-]{36}$/);
    assert.equal(cookie.path, "/", origin);
    assert.equal(cookie.sameSite, "Lax", origin);
    assert.equal(cookie.secure, secure, origin);
    assert.equal(cookie.httpOnly, false);
    const remaining = cookie.expires - Date.now() / 1000;
    assert.ok(remaining > sixMonths - 3600 && remaining <= sixMonths + 60, `${origin}: expires in ${remaining} s`);
  }
});

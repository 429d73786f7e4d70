// The demo store (www/), driven in headless Chromium against the real
// devserver: search, product click, add to cart, purchase, sign in and out,
// cookie consent given and revoked. The server must receive exactly the
// expected events, all accepted, with the right tokens and the queryID of the
// search that showed each product; the events debugger must list them. The
// same walk through the store with search-insights 2.17.3 itself must put the
// very same events on the wire.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, startServer, makeSite, launchBrowser, waitFor, watchConsole } from "./harness.mjs";

const SEARCH_PATH = "/1/indexes/products/query";
const INDEX = "products";

let server, browser;
before(async () => {
  // A copy of www/ (the server's stop() deletes the folder it serves), plus
  // the same store loading search-insights itself, for the comparison.
  const site = makeSite();
  cpSync(join(ROOT, "www"), site, { recursive: true });
  const html = readFileSync(join(site, "index.html"), "utf8");
  assert.ok(html.includes('"/pkg/search-insights.min.js"'), "the store loads /pkg/search-insights.min.js through the snippet");
  writeFileSync(join(site, "upstream.html"), html.replace('"/pkg/search-insights.min.js"', '"/vendor/search-insights.min.js"'));
  server = await startServer({ www: site });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

const text = (page, testid) => page.locator(`[data-testid="${testid}"]`).innerText();

async function eventCount() {
  return (await server.events()).length;
}

/** Waits until the server holds `n` event records. */
async function untilEvents(n, what) {
  await waitFor(async () => (await eventCount()) >= n, what);
  assert.equal(await eventCount(), n, `exactly ${n} events after ${what}`);
}

/** The last search the server answered for `query` (its log record). */
async function lastSearch(query) {
  const records = await server.requests({ path: SEARCH_PATH });
  const searches = records.flatMap((r) => r.searches.map((s) => ({ ...s, status: r.status })));
  return searches.filter((s) => s.query === query).at(-1);
}

/**
 * The search the server answered for `query` with `queryID` (its log record).
 * Typing and Enter may both search for `query`; on a busy machine their
 * answers can arrive in either order, so the record is found by the queryID
 * the store shows, not by being the last one.
 */
async function searchWith(query, queryID) {
  const records = await server.requests({ path: SEARCH_PATH });
  const searches = records.flatMap((r) => r.searches.map((s) => ({ ...s, status: r.status })));
  return searches.find((s) => s.query === query && s.queryID && s.queryID === queryID);
}

/** Types `query`, waits for its results, and returns the server's search record. */
async function searchFor(page, query) {
  await page.fill('[data-testid="search-input"]', query);
  await page.press('[data-testid="search-input"]', "Enter");
  const search = await waitFor(async () => {
    const shown = await page.locator('[data-testid="grid"]').getAttribute("data-query-id");
    return shown && (await searchWith(query, shown));
  }, `results for "${query}"`);
  assert.equal(await text(page, "query-id"), search.queryID, "the store shows the search's queryID");
  return search;
}

const product = (page, objectID) => page.locator(`[data-testid="product"][data-object-id="${objectID}"]`);

async function cookieToken(page) {
  const cookies = await page.context().cookies();
  return cookies.find((c) => c.name === "_ALGOLIA")?.value;
}

/**
 * Walks through the store and returns what the events must carry: the tokens
 * and the queryIDs the server gave each search.
 */
async function shop(page) {
  // Arrival: an in-memory anonymous token, shown in the panel, used by the first search.
  await page.locator('[data-testid="product"]').first().waitFor();
  const first = await waitFor(async () => {
    const token = await text(page, "user-token");
    return token.startsWith("anonymous-") && token;
  }, "an anonymous user token in the panel");
  const arrival = await lastSearch("");
  assert.equal(arrival.userToken, first, "the first search carries the tracker's user token");
  assert.equal(arrival.clickAnalytics, true);

  // The consent banner: no thanks. No cookie.
  await page.click('[data-testid="consent-decline"]');
  assert.equal(await page.locator('[data-testid="consent-banner"]').isVisible(), false);
  assert.equal(await cookieToken(page), undefined, "no _ALGOLIA cookie without consent");

  // Search, click the third hit, add it to the cart from its page.
  const headphones = await searchFor(page, "headphones");
  assert.equal(headphones.userToken, first);
  assert.equal(await product(page, "3").getAttribute("data-position"), "3");
  await product(page, "3").locator('[data-testid="product-open"]').click();
  await untilEvents(1, "the product click");
  assert.equal(await text(page, "dialog-name"), "Studio Monitor Headphones");
  await page.click('[data-testid="dialog-add-to-cart"]');
  await untilEvents(2, "add to cart from the product page");

  // Sign in.
  await page.fill('[data-testid="login-name"]', "Ada Lovelace");
  await page.click('[data-testid="login"]');
  await waitFor(async () => (await text(page, "authenticated-user-token")) === "user-ada-lovelace", "the authenticated token in the panel");
  assert.equal(await text(page, "user-name"), "Ada Lovelace");

  // All products; the second page has its own queryID, and positions go on from the first page.
  const all = await searchFor(page, "");
  assert.equal(await page.locator('[data-testid="product"]').count(), 12);
  await page.click('[data-testid="show-more"]');
  const more = await waitFor(async () => {
    const s = await lastSearch("");
    return s.page === 1 && (await page.locator('[data-testid="product"]').count()) === 24 && s;
  }, "the second page");
  assert.notEqual(more.queryID, all.queryID);
  assert.equal(await product(page, "13").getAttribute("data-position"), "13");
  assert.equal(await product(page, "13").getAttribute("data-query-id"), more.queryID);
  assert.equal(await product(page, "12").getAttribute("data-query-id"), all.queryID);
  assert.equal(await page.locator('[data-testid="show-more"]').isVisible(), false);
  await product(page, "13").locator('[data-testid="product-open"]').click();
  await untilEvents(3, "the click on the second page");
  await page.keyboard.press("Escape");

  // The Speakers category; add the fourth speaker twice from the grid.
  await page.click('[data-testid="category-speakers"]');
  await untilEvents(4, "the category filter click");
  const speakers = await waitFor(async () => {
    const s = await lastSearch("");
    const shown = await page.locator('[data-testid="grid"]').getAttribute("data-query-id");
    return s && JSON.stringify(s.params.facetFilters) === '[["category:Speakers"]]' && shown === s.queryID && s;
  }, "the Speakers results");
  assert.equal(await page.locator('[data-testid="product"]').count(), 4);
  assert.equal(await product(page, "8").getAttribute("data-position"), "4");
  await product(page, "8").locator('[data-testid="add-to-cart"]').click();
  await untilEvents(5, "add to cart from the grid");
  await product(page, "8").locator('[data-testid="add-to-cart"]').click();
  await untilEvents(6, "the second add to cart");
  assert.equal(await text(page, "cart-count"), "3");

  // Check out.
  await page.click('[data-testid="cart-button"]');
  assert.equal(await page.locator('[data-testid="cart-line"]').count(), 2);
  assert.equal(await text(page, "cart-total"), "$238.98");
  await page.click('[data-testid="checkout"]');
  await untilEvents(7, "the purchase");
  await page.locator('[data-testid="order-confirmation"]').waitFor();
  assert.equal(await page.locator('[data-testid="cart-line"]').count(), 0);
  await page.click('[data-testid="cart-close"]');

  // Sign out.
  await page.click('[data-testid="logout"]');
  await waitFor(async () => (await text(page, "authenticated-user-token")) === "signed out", "the panel after signing out");
  assert.equal(await page.locator('[data-testid="login-form"]').isVisible(), true);

  // Consent given: the same token goes into the cookie. Click a speaker.
  await page.click('[data-testid="consent-switch"]');
  assert.equal(await page.locator('[data-testid="consent-toggle"]').isChecked(), true);
  await waitFor(async () => (await cookieToken(page)) === first, "the _ALGOLIA cookie holding the user token");
  assert.equal(await text(page, "cookie-value"), first);
  assert.equal(await text(page, "user-token"), first);
  await product(page, "6").locator('[data-testid="product-open"]').click();
  await untilEvents(8, "the click after consent");
  await page.keyboard.press("Escape");

  // The next page load finds the visitor again through the cookie.
  const searchesBefore = (await server.requests({ path: SEARCH_PATH })).length;
  await page.reload();
  await page.locator('[data-testid="product"]').first().waitFor();
  await waitFor(async () => (await text(page, "user-token")) === first, "the token read back from the cookie");
  assert.equal(await page.locator('[data-testid="consent-toggle"]').isChecked(), true);
  assert.equal(await page.locator('[data-testid="consent-banner"]').isVisible(), false);
  const reloaded = await waitFor(async () => (await server.requests({ path: SEARCH_PATH }))[searchesBefore], "the search after the reload");
  assert.equal(reloaded.searches[0].userToken, first, "the first search after the reload carries the cookie's token");

  // Consent revoked: cookie deleted, a fresh in-memory token, used by the next search and click.
  await page.click('[data-testid="consent-switch"]');
  assert.equal(await page.locator('[data-testid="consent-toggle"]').isChecked(), false);
  const second = await waitFor(async () => {
    const token = await text(page, "user-token");
    return token.startsWith("anonymous-") && token !== first && token;
  }, "a fresh anonymous token after revoking consent");
  assert.equal(await cookieToken(page), undefined, "the cookie is deleted when consent is revoked");
  assert.equal(await text(page, "cookie-value"), "not set");
  await page.click('[data-testid="category-all"]');
  const lamp = await searchFor(page, "lamp");
  assert.equal(lamp.userToken, second, "searches after revoking carry the new token");
  assert.equal(await product(page, "22").getAttribute("data-position"), "2");
  await product(page, "22").locator('[data-testid="product-open"]').click();
  await untilEvents(9, "the click after revoking consent");

  // Every search asked for a queryID, with the token of its time.
  for (const record of await server.requests({ path: SEARCH_PATH })) {
    assert.equal(record.status, 200);
    for (const s of record.searches) {
      assert.equal(s.clickAnalytics, true);
      assert.ok(s.userToken === first || s.userToken === second, `search token ${s.userToken}`);
    }
  }
  return { first, second, headphones: headphones.queryID, more: more.queryID, speakers: speakers.queryID, lamp: lamp.queryID };
}

/** The events the walk must produce, in order (timestamps aside). */
function expectedEvents({ first, second, headphones, more, speakers, lamp }) {
  const ada = "user-ada-lovelace";
  const click = (userToken, queryID, objectID, position, authenticatedUserToken) => ({
    eventType: "click", eventName: "Product Clicked", index: INDEX, userToken,
    ...(authenticatedUserToken && { authenticatedUserToken }),
    queryID, objectIDs: [objectID], positions: [position],
  });
  const addToCart = (authenticatedUserToken, queryID, objectID, price) => ({
    eventType: "conversion", eventSubtype: "addToCart", eventName: "Product Added to Cart", index: INDEX,
    userToken: first, ...(authenticatedUserToken && { authenticatedUserToken }),
    queryID, objectIDs: [objectID], objectData: [{ price, quantity: 1 }], value: price, currency: "USD",
  });
  return [
    click(first, headphones, "3", 3),
    addToCart(undefined, headphones, "3", 199),
    click(first, more, "13", 13, ada),
    {
      eventType: "click", eventName: "Category Selected", index: INDEX, userToken: first, authenticatedUserToken: ada,
      filters: ["category%3ASpeakers"],
    },
    addToCart(ada, speakers, "8", 19.99),
    addToCart(ada, speakers, "8", 19.99),
    {
      eventType: "conversion", eventSubtype: "purchase", eventName: "Order Completed", index: INDEX,
      userToken: first, authenticatedUserToken: ada, objectIDs: ["3", "8"],
      objectData: [{ price: 199, quantity: 1, queryID: headphones }, { price: 19.99, quantity: 2, queryID: speakers }],
      value: 238.98, currency: "USD",
    },
    click(first, speakers, "6", 2),
    click(second, lamp, "22", 2),
  ];
}

/**
 * The received events, all accepted, without their timestamps: `timestamp`
 * is "number" for search-insights-wasm (it stamps events when they are
 * tracked, since it may send them later) and "undefined" for search-insights.
 */
async function receivedEvents(timestamp) {
  const records = await server.events();
  for (const r of records) {
    assert.equal(r.accepted, true, `event ${r.event.eventName} accepted (${r.reason})`);
    assert.equal(typeof r.event.timestamp, timestamp, `${r.event.eventName}: timestamp`);
  }
  return records.map(({ event: { timestamp, ...event } }) => event);
}

async function walk(path, timestamp) {
  await server.reset();
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const messages = watchConsole(page);
  await page.goto(server.url + path);
  const facts = await shop(page);
  const events = await receivedEvents(timestamp);
  const requests = (await server.requests({ path: "/1/events" })).filter((r) => !r.preflight);
  assert.ok(requests.length > 0 && requests.every((r) => r.status === 200), "every events request answered 200");
  return { context, page, messages, facts, events };
}

test("the demo store sends exactly the expected events, and the debugger lists them", async () => {
  const { context, page, messages, facts, events } = await walk("/", "number");
  assert.deepEqual(events, expectedEvents(facts));
  assert.deepEqual(messages.filter((m) => m.type === "error" || m.type === "pageerror" || m.type === "warning"), []);
  // The store's panel saw the deliveries reported by search-insights-wasm.
  assert.ok((await page.locator('[data-testid="activity-delivery"]').count()) > 0);
  assert.match(await page.locator('[data-testid="activity-delivery"]').first().innerText(), /delivered \(HTTP 200\)/);

  // The debugger (linked from the store) lists the same events, newest first.
  assert.equal(await page.locator('[data-testid="debugger-link"]').getAttribute("href"), "/debugger");
  const debug = await context.newPage();
  await debug.goto(server.url + "/debugger");
  await waitFor(async () => (await debug.locator("tr.event-row").count()) === events.length, "the debugger's rows");
  const rows = await debug.locator("tr.event-row").evaluateAll((trs) =>
    trs.map((tr) => {
      const cell = (c) => tr.querySelector(`td.${c}`).textContent;
      return {
        accepted: tr.dataset.accepted, type: cell("c-type"), name: cell("c-name"), index: cell("c-index"),
        token: cell("c-token"), auth: cell("c-auth"), objects: cell("c-objects"), queryID: cell("c-query"), positions: cell("c-positions"),
      };
    }));
  const expected = expectedEvents(facts).map((e) => ({
    accepted: "true",
    type: e.eventType + (e.eventSubtype ? "/ " + e.eventSubtype : ""),
    name: e.eventName,
    index: INDEX,
    token: e.userToken,
    auth: e.authenticatedUserToken || "—",
    objects: e.objectIDs ? e.objectIDs.join(", ") : e.filters.map(decodeURIComponent).join(", "),
    queryID: e.queryID || "—",
    positions: e.positions ? e.positions.join(", ") : "—",
  }));
  assert.deepEqual(rows.reverse(), expected);
  assert.equal(await debug.locator('[data-testid="count-accepted"]').innerText(), String(events.length));
  assert.equal(await debug.locator('[data-testid="count-rejected"]').innerText(), "0");
  // Filtering by the token given after consent was revoked leaves its one event.
  await debug.fill('[data-testid="filter-token"]', facts.second);
  await waitFor(async () => (await debug.locator("tr.event-row").count()) === 1, "one row for the second token");
  assert.equal(await debug.locator("tr.event-row td.c-objects").innerText(), "22");
  await context.close();
});

test("the same walk with search-insights 2.17.3 puts the same events on the wire", async () => {
  const { context, facts, events } = await walk("/upstream.html", "undefined");
  assert.deepEqual(events, expectedEvents(facts));
  await context.close();
});

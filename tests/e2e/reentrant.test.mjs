// Page code that calls `aa()` from inside the library's own calls into the
// page: wrappers of `fetch`, `sendBeacon`, `localStorage.setItem` and
// `document.cookie` (analytics glue, consent managers and extensions install
// such wrappers), and the library's callbacks and hooks. Every event must
// arrive exactly once, nothing may be refused, and the console stays quiet.
// Real headless Chromium, real local Insights endpoint.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, makeSite, launchBrowser, waitFor, uniqueAppId, watchConsole } from "./harness.mjs";

// `?app=…&init={json}`: the npm module (its `aa` returns each event call's
// Promise), init with those options, every `onDelivery` report recorded in
// `window.reports`, and `ready` once the client answers.
const PAGE = `<!doctype html><html><head></head><body>
<script type="module">
  import aa from "/pkg/index.mjs";
  window.aa = aa;
  const params = new URLSearchParams(location.search);
  const options = JSON.parse(params.get("init") || "{}");
  aa("init", Object.assign({ appId: params.get("app"), apiKey: "key", host: location.origin }, options));
  window.reports = [];
  aa("onDelivery", (report) => window.reports.push(report));
  aa("getUserToken", null, () => { window.ready = true; });
</script></body></html>`;

let server, browser;
before(async () => {
  server = await startServer({ www: makeSite({ "reentrant.html": PAGE }) });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/**
 * A fresh context whose documents first run `wrappers` (installed before the
 * library loads), then the test page. With `fakeTimers`, the page's timers
 * fire only in `page.clock.runFor`.
 */
async function openPage(app, init, wrappers, { fakeTimers = false } = {}) {
  const context = await browser.newContext();
  const page = await context.newPage();
  if (fakeTimers) {
    const start = Date.now();
    await page.clock.install({ time: start - 10 * 60 * 1000 });
    await page.clock.pauseAt(start);
  }
  await page.addInitScript(wrappers);
  const consoleMessages = watchConsole(page);
  const params = new URLSearchParams({ app, init: JSON.stringify(init) });
  await page.goto(`${server.url}/reentrant.html?${params}`);
  await waitFor(() => page.evaluate(() => window.ready === true), "the page ready");
  return { context, page, consoleMessages };
}

/** Accepted events of `app` at the endpoint: `objectIDs[0]` of each, sorted. */
async function received(app) {
  const events = await server.events({ appId: app });
  assert.deepEqual(events.filter((r) => !r.accepted), [], "no event refused by the endpoint");
  return events.map((r) => r.event.objectIDs[0]).sort();
}

/** Waits until `count` events of `app` arrived, then returns them (see `received`). */
async function arrived(app, count) {
  await waitFor(async () => (await server.events({ appId: app })).length >= count, `${count} events at the endpoint`);
  return received(app);
}

/** Event-request POSTs of `app`: the number of events in each, in order. */
async function requestSizes(app) {
  const requests = await server.requests({ appId: app });
  return requests.filter((r) => r.method === "POST" && r.path === "/1/events").map((r) => r.events.length);
}

const problems = (messages) => messages.filter((m) => m.type === "error" || m.type === "warning" || m.type === "pageerror");

test("a fetch wrapper that calls getUserToken and sends an event before fetching: every event arrives once", { timeout: 90000 }, async () => {
  const app = uniqueAppId("fetch-wrapper");
  const { context, page, consoleMessages } = await openPage(app, { userToken: "user-1" }, () => {
    // What the wrapper saw: [what getUserToken returned, what its callback got before the call returned].
    window.wrapperTokens = [];
    window.wrapperCalls = [];
    const realFetch = window.fetch;
    let events = 0;
    window.fetch = function (url) {
      if (String(url).includes("/1/events")) {
        let fromCallback = "(callback not called yet)";
        const returned = window.aa("getUserToken", {}, (error, token) => (fromCallback = token));
        window.wrapperTokens.push([returned, fromCallback]);
        // An event from inside the wrapper (twice, not on every request: each makes one more).
        if (events < 2) {
          window.wrapperCalls.push(
            window.aa("clickedObjectIDs", { index: "products", eventName: "From the fetch wrapper", objectIDs: [`wrapper-${events++}`] })
          );
        }
      }
      return realFetch.apply(this, arguments);
    };
  });
  const results = await page.evaluate(() =>
    Promise.all(["page-0", "page-1", "page-2"].map((id) => aa("clickedObjectIDs", { index: "products", eventName: "Page click", objectIDs: [id] })))
  );
  assert.deepEqual(results, [true, true, true], "the page's calls resolve true");
  assert.deepEqual(await arrived(app, 5), ["page-0", "page-1", "page-2", "wrapper-0", "wrapper-1"]);
  assert.deepEqual(await page.evaluate(() => Promise.all(window.wrapperCalls)), [true, true], "the wrapper's calls resolve true");
  // The wrapper's event is queued after the request it is in the middle of
  // sending: it goes in the next one. (Each may reach the endpoint before the
  // one before it: compared as sets.)
  assert.deepEqual((await requestSizes(app)).sort(), [1, 1, 3]);
  assert.deepEqual(await page.evaluate(() => window.wrapperTokens), [
    ["user-1", "user-1"],
    ["user-1", "user-1"],
    ["user-1", "user-1"],
  ]);
  assert.deepEqual((await page.evaluate(() => window.reports.map((r) => [r.status, r.events, r.delivered]))).sort(), [
    [200, 1, true],
    [200, 1, true],
    [200, 3, true],
  ]);
  assert.deepEqual(problems(consoleMessages), [], "no refusal, no error in the console");
  await context.close();
});

test("a sendBeacon wrapper that calls aa() while the page is hidden: its event and the page's leave with it", { timeout: 90000 }, async () => {
  const app = uniqueAppId("beacon-wrapper");
  // Fake timers, never run: only the pagehide flush can send.
  const { context, page, consoleMessages } = await openPage(
    app,
    { userToken: "user-1", flushDelay: 60000 },
    () => {
      // A fetch that ignores `keepalive` (as Firefox's before 133): a hidden page leaves with sendBeacon.
      delete Request.prototype.keepalive;
      window.beacons = [];
      window.beaconTokens = [];
      window.beaconCalls = [];
      const realBeacon = navigator.sendBeacon.bind(navigator);
      navigator.sendBeacon = function (url, body) {
        window.beacons.push(JSON.parse(body).events.map((e) => e.objectIDs[0]));
        window.aa("getUserToken", {}, (error, token) => window.beaconTokens.push(token));
        if (window.beaconCalls.length === 0) {
          window.beaconCalls.push(window.aa("clickedObjectIDs", { index: "products", eventName: "From the beacon wrapper", objectIDs: ["from-beacon"] }));
        }
        return realBeacon(url, body);
      };
    },
    { fakeTimers: true }
  );
  const pending = await page.evaluate(() => {
    window.pageCalls = ["page-0", "page-1"].map((id) => aa("clickedObjectIDs", { index: "products", eventName: "Page click", objectIDs: [id] }));
    // Headless pages are never hidden: the event the library listens to is dispatched by hand.
    window.dispatchEvent(new PageTransitionEvent("pagehide", { persisted: true }));
    return window.beacons;
  });
  assert.deepEqual(pending, [["page-0", "page-1"], ["from-beacon"]], "both beacons left while the pagehide was handled");
  assert.deepEqual(await page.evaluate(() => Promise.all([...window.pageCalls, ...window.beaconCalls])), [true, true, true]);
  assert.deepEqual(await page.evaluate(() => window.beaconTokens), ["user-1", "user-1"], "each getUserToken callback called once");
  assert.deepEqual(await arrived(app, 3), ["from-beacon", "page-0", "page-1"]);
  assert.deepEqual((await requestSizes(app)).sort(), [1, 2], "two beacons (which may arrive in either order)");
  assert.deepEqual(problems(consoleMessages), [], "no refusal, no error in the console");
  await context.close();
});

test("token-change, getUserToken and onDelivery callbacks that call aa() again, events included", { timeout: 90000 }, async () => {
  const app = uniqueAppId("callbacks");
  const { context, page, consoleMessages } = await openPage(app, { userToken: "user-1" }, () => {});
  const click = (id) => ({ index: "products", eventName: "Callback click", objectIDs: [id] });
  const seen = await page.evaluate((click) => {
    const event = (id) => Object.assign({}, click, { objectIDs: [id] });
    window.calls = [];
    window.seen = {};
    aa("onUserTokenChange", (token) => {
      window.seen.inTokenChange = aa("getUserToken");
      window.calls.push(aa("clickedObjectIDs", event(`from-token-change-${token}`)));
    });
    aa("setUserToken", "user-2");
    aa("getUserToken", {}, (error, token) => {
      window.seen.inGetUserToken = token;
      window.calls.push(aa("clickedObjectIDs", event("from-get-user-token")));
    });
    let first = true;
    aa("onDelivery", (report) => {
      window.reports.push(report);
      if (first) {
        first = false;
        window.calls.push(aa("clickedObjectIDs", event("from-on-delivery")));
      }
    });
    window.calls.push(aa("clickedObjectIDs", event("page")));
    return window.seen;
  }, click("x"));
  assert.deepEqual(seen, { inTokenChange: "user-2", inGetUserToken: "user-2" });
  // The onDelivery call is made once the first request is answered: wait for all four.
  await waitFor(() => page.evaluate(() => window.calls.length === 4), "the onDelivery hook's call");
  assert.deepEqual(await page.evaluate(() => Promise.all(window.calls)), [true, true, true, true]);
  assert.deepEqual(await arrived(app, 4), ["from-get-user-token", "from-on-delivery", "from-token-change-user-2", "page"]);
  assert.deepEqual(await requestSizes(app), [3, 1]);
  const tokens = (await server.events({ appId: app })).map((r) => r.event.userToken);
  assert.deepEqual(tokens, ["user-2", "user-2", "user-2", "user-2"]);
  assert.deepEqual(problems(consoleMessages), [], "no refusal, no error in the console");
  await context.close();
});

test("localStorage.setItem and document.cookie wrappers that call aa(): no event lost, no error, the next call works", { timeout: 90000 }, async () => {
  const app = uniqueAppId("storage-wrappers");
  const { context, page, consoleMessages } = await openPage(app, { useCookie: true }, () => {
    window.storageTokens = [];
    window.cookieTokens = [];
    window.wrapperCalls = [];
    window.wrapperReturns = [];
    const click = (id) => ({ index: "products", eventName: "From a storage wrapper", objectIDs: [id] });
    const realSetItem = Storage.prototype.setItem;
    let storageEvent = false;
    Storage.prototype.setItem = function (key, value) {
      if (window.aa) {
        window.wrapperReturns.push(window.aa("getUserToken", {}, (error, token) => window.storageTokens.push(token)));
        if (!storageEvent && String(key).startsWith("AlgoliaInsightsOutbox")) {
          storageEvent = true;
          window.wrapperCalls.push(window.aa("clickedObjectIDs", click("from-set-item")));
        }
      }
      return realSetItem.call(this, key, value);
    };
    const cookie = Object.getOwnPropertyDescriptor(Document.prototype, "cookie");
    let cookieEvent = false;
    Object.defineProperty(Document.prototype, "cookie", {
      configurable: true,
      enumerable: true,
      get() {
        if (window.aa) window.aa("getUserToken", {}, (error, token) => window.cookieTokens.push(["read", token]));
        return cookie.get.call(this);
      },
      set(value) {
        if (window.aa && String(value).startsWith("_ALGOLIA=")) {
          window.aa("getUserToken", {}, (error, token) => window.cookieTokens.push(["write", token]));
          if (!cookieEvent) {
            cookieEvent = true;
            window.wrapperCalls.push(window.aa("clickedObjectIDs", click("from-cookie-setter")));
          }
        }
        cookie.set.call(this, value);
      },
    });
  });
  const token = await page.evaluate(() => aa("getUserToken"));
  assert.match(token, /^anonymous-[0-9a-f-]{36}$/);
  assert.equal(await page.evaluate(() => document.cookie), `_ALGOLIA=${token}`);
  // init read the cookie (the wrapper's call waited for init to finish), then wrote it.
  assert.deepEqual(await page.evaluate(() => window.cookieTokens), [
    ["read", token],
    ["write", token],
    ["read", token], // the test's own read above
  ]);
  const results = await page.evaluate(() =>
    Promise.all(["page-0", "page-1"].map((id) => aa("clickedObjectIDs", { index: "products", eventName: "Page click", objectIDs: [id] })))
  );
  assert.deepEqual(results, [true, true]);
  assert.deepEqual(await page.evaluate(() => Promise.all(window.wrapperCalls)), [true, true], "the wrappers' calls resolve true");
  // The next call works.
  assert.equal(await page.evaluate(() => aa("clickedObjectIDs", { index: "products", eventName: "Page click", objectIDs: ["after"] })), true);
  assert.deepEqual(await arrived(app, 5), ["after", "from-cookie-setter", "from-set-item", "page-0", "page-1"]);
  const storage = await page.evaluate(() => ({ tokens: window.storageTokens, returns: window.wrapperReturns }));
  assert.ok(storage.tokens.length > 0, "the setItem wrapper ran");
  assert.deepEqual(storage.tokens, storage.tokens.map(() => token), "each of its getUserToken callbacks got the token");
  // Called while the library writes storage, getUserToken waits for it to
  // finish: it returns nothing then, and its callback gets the token.
  assert.deepEqual(storage.returns, storage.returns.map(() => undefined));
  assert.deepEqual(problems(consoleMessages), [], "no error, no panic");
  await context.close();
});

test("a fetch wrapper that throws or rejects: onDelivery names what it threw, and the events arrive once it stops", { timeout: 90000 }, async () => {
  const app = uniqueAppId("fetch-throws");
  const { context, page, consoleMessages } = await openPage(
    app,
    {},
    () => {
      // First request: the wrapper throws; second: it rejects; then it lets requests through.
      window.blocking = ["throw", "reject"];
      const realFetch = window.fetch;
      window.fetch = function (url) {
        if (String(url).includes("/1/events")) {
          const mode = window.blocking.shift();
          if (mode === "throw") throw new Error("blocked by extension");
          if (mode === "reject") return Promise.reject(new TypeError("blocked by extension, asynchronously"));
        }
        return realFetch.apply(this, arguments);
      };
    },
    { fakeTimers: true }
  );
  await page.evaluate(() => {
    window.calls = ["t-0", "t-1"].map((id) => aa("clickedObjectIDs", { index: "products", eventName: "Click", userToken: "u", objectIDs: [id] }));
    aa("flush");
  });
  const report = (count) => waitFor(() => page.evaluate((count) => window.reports.length === count && window.reports, count), `${count} report(s)`);
  const failure = (message) => ({ status: null, message, events: 2, delivered: false, willRetry: true });
  assert.deepEqual(await report(1), [failure("network error: Error: blocked by extension")]);
  await page.clock.runFor(1000); // the first retry comes within 0.5–1 s
  assert.deepEqual((await report(2))[1], failure("network error: TypeError: blocked by extension, asynchronously"));
  await page.clock.runFor(2000); // the second within 1–2 s
  assert.deepEqual((await report(3))[2], { status: 200, message: "OK", events: 2, delivered: true, willRetry: false });
  assert.deepEqual(await page.evaluate(() => Promise.all(window.calls)), [true, true]);
  assert.deepEqual(await arrived(app, 2), ["t-0", "t-1"]);
  assert.deepEqual(await requestSizes(app), [2], "only the request the wrapper let through reached the endpoint");
  assert.deepEqual(problems(consoleMessages), [], "retried failures are reported to onDelivery, not logged");
  await context.close();
});

test("a fetch wrapper that always throws: the console line naming what it threw when the events are given up", { timeout: 90000 }, async () => {
  const app = uniqueAppId("fetch-gives-up");
  const { context, page, consoleMessages } = await openPage(app, { maxRetries: 0 }, () => {
    const realFetch = window.fetch;
    window.fetch = function (url) {
      if (String(url).includes("/1/events")) throw new Error("blocked by extension");
      return realFetch.apply(this, arguments);
    };
  });
  const delivered = await page.evaluate(() => {
    const call = aa("clickedObjectIDs", { index: "products", eventName: "Click", userToken: "u", objectIDs: ["lost"] });
    aa("flush");
    return call;
  });
  assert.equal(delivered, false);
  assert.deepEqual(problems(consoleMessages), [
    { type: "error", text: "search-insights: gave up sending 1 event(s) after 1 attempts: network error: Error: blocked by extension" },
  ]);
  assert.deepEqual(await page.evaluate(() => window.reports), [
    { status: null, message: "network error: Error: blocked by extension", events: 1, delivered: false, willRetry: false },
  ]);
  assert.deepEqual(await requestSizes(app), []);
  await context.close();
});

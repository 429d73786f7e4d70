// The bad-input matrix, in headless Chromium against the local Insights
// endpoint: every `aa()` method × every kind of value a page can pass (none,
// undefined, null, numbers incl. NaN/±Infinity, booleans, strings incl. empty
// and 100 KB, tokens with newlines, `;` and `=`, arrays and objects of the
// wrong types, 5000 objectIDs, throwing getters, a Proxy that throws on every
// trap, a revoked Proxy, cycles, functions, symbols, bigints), before and
// after `init`, through the snippet's `aa` (queued before the wasm loads, and
// direct afterwards) and through the npm module's `aa` (which calls
// `new Insights().call(method, args)` directly).
//
// After the barrage: no uncaught exception, the module still answers, every
// thrown value is an `Error` whose message starts with the method name, no API
// key in any message, at most one `_ALGOLIA` cookie and with a valid token,
// every event the endpoint received was accepted, no request left for any
// other host, and a normal init + event still arrives.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, makeSite, launchBrowser, snippet, LIBRARIES, waitFor, uniqueAppId, watchConsole, countSends } from "./harness.mjs";

const API_KEY = "matrix-secret-search-key-7f3a";

// Runs in the page: the values and the barrage.
const MATRIX_JS = `
window.insightsMatrix = (function () {
  const METHODS = [
    "init", "setUserToken", "getUserToken", "onUserTokenChange", "setAuthenticatedUserToken",
    "getAuthenticatedUserToken", "onAuthenticatedUserTokenChange", "setAnonymousUserToken",
    "saveTokenAsCookie", "addAlgoliaAgent", "getVersion", "sendEvents", "reset", "flush", "onDelivery",
    "clickedObjectIDsAfterSearch", "clickedObjectIDs", "clickedFilters", "convertedObjectIDsAfterSearch",
    "convertedObjectIDs", "convertedFilters", "addedToCartObjectIDsAfterSearch", "addedToCartObjectIDs",
    "purchasedObjectIDsAfterSearch", "purchasedObjectIDs", "viewedObjectIDs", "viewedFilters",
  ];
  const EVENT_METHODS = METHODS.slice(METHODS.indexOf("clickedObjectIDsAfterSearch"));
  const NONE = { none: true };

  function values() {
    const throwing = new Proxy({}, new Proxy({}, { get: () => () => { throw new Error("trap boom"); } }));
    const revocable = Proxy.revocable({}, {});
    revocable.revoke();
    const cyclic = { index: "products", eventName: "Cyclic", objectIDs: ["1"] };
    cyclic.self = cyclic;
    const cyclicArray = [];
    cyclicArray.push(cyclicArray);
    const getter = { eventName: "Getter", objectIDs: ["1"], get index() { throw new Error("getter boom"); } };
    const errorGetter = {};
    Object.defineProperty(errorGetter, "index", { enumerable: true, get() { throw Object.create(Error.prototype, { message: { get() { throw new Error("message boom"); } } }); } });
    const sparse = [];
    sparse.length = 1e6;
    const big = "x".repeat(100 * 1024);
    return [
      ["no argument", NONE],
      ["undefined", undefined],
      ["null", null],
      ["0", 0], ["-0", -0], ["-1", -1], ["1.5", 1.5], ["2^53", 2 ** 53], ["1e21", 1e21],
      ["NaN", NaN], ["Infinity", Infinity], ["-Infinity", -Infinity],
      ["true", true], ["false", false],
      ["empty string", ""], ["a string", "user-1"], ["100 KB string", big],
      ["token with a newline", "user\\n1"], ["token with ; and =", "user;path=/;domain=evil.example"],
      ["cookie-like token", "_ALGOLIA=x; Secure"], ["token with CRLF", "a\\r\\nSet-Cookie: x=1"],
      ["130-character token", "t".repeat(130)], ["non-ASCII token", "utilisateur-é"],
      ["array of numbers", [1, 2, 3]], ["array of objects", [{}, { index: 1 }]], ["array of arrays", [[1], [null]]],
      ["empty array", []], ["empty object", {}],
      ["object with wrong field types", {
        index: 1, eventName: [], objectIDs: "x", filters: 5, positions: "1", queryID: 9, timestamp: "now",
        objectData: {}, value: true, currency: 3, userToken: true, authenticatedUserToken: {},
        appId: 5, apiKey: {}, useCookie: "yes", cookieDuration: "1", region: 7, host: 3, partial: [],
        headers: 5, inferQueryID: {}, flushDelay: -1, maxRetries: "x", requestTimeout: 0,
      }],
      ["event with items of wrong types", { index: "products", eventName: "Wrong items", objectIDs: [1, null, {}], positions: ["a"], objectData: "x" }],
      ["5000 objectIDs", { index: "products", eventName: "Five thousand", objectIDs: Array.from({ length: 5000 }, (_, i) => "id-" + i), userToken: "user-5000" }],
      ["100 KB field", { index: "products", eventName: "Big field", objectIDs: ["1"], note: big }],
      ["100 KB index", { index: big, eventName: "Big index", objectIDs: ["1"] }],
      ["100 KB key", { ["k".repeat(100 * 1024)]: 1, index: "products", eventName: "Big key", objectIDs: ["1"] }],
      ["headers of the wrong types", { headers: { "X-Algolia-Application-Id": 5 } }],
      ["100 KB header", { headers: { "X-Note": big } }],
      ["getter that throws", getter],
      ["getter that throws an Error whose message throws", errorGetter],
      ["Proxy that throws on every trap", throwing],
      ["revoked Proxy", revocable.proxy],
      ["cyclic object", cyclic],
      ["cyclic array", cyclicArray],
      ["sparse array of length 1e6", sparse],
      ["function", function () {}],
      ["arrow function", () => 1],
      ["class", class {}],
      ["symbol", Symbol("s")],
      ["bigint", 10n],
      ["Date", new Date(0)],
      ["RegExp", /x/],
      ["Map", new Map([["index", "products"]])],
      ["Error", new Error("an error")],
    ];
  }

  // The endpoint and credentials, put back after every init of the barrage
  // (an init without host would point the client at the real Insights API).
  function restore(call) {
    const app = new URLSearchParams(location.search).get("app");
    call("init", { partial: true, appId: app, apiKey: "${API_KEY}", host: location.origin });
  }

  /**
   * Calls every method with every value through \`aa\`. With \`queued\`, the
   * calls are only queued (the snippet's stub, before the wasm loads), so
   * nothing is thrown here. Returns {calls, thrown, failures}.
   */
  function run(queued) {
    const report = { calls: 0, thrown: 0, failures: [] };
    const pending = [];
    const check = (method, label, error) => {
      method = typeof method === "string" ? method : "(not a method name)";
      report.thrown++;
      const message = error instanceof Error ? String(error.message) : null;
      if (message === null) report.failures.push(method + "(" + label + "): threw a non-Error: " + String(error).slice(0, 100));
      else if (!message.startsWith(method + ": ")) report.failures.push(method + "(" + label + "): " + message.slice(0, 200));
      if (message && message.includes("${API_KEY}")) report.failures.push(method + "(" + label + "): the message shows the API key");
    };
    const attempt = (method, label, args) => {
      report.calls++;
      try {
        const result = aa(method, ...args);
        if (result && typeof result.then === "function") {
          pending.push(Promise.resolve(result).then(undefined, (e) => check(method, label, e)));
        }
      } catch (e) {
        if (queued) report.failures.push(method + "(" + label + "): the queueing stub threw");
        else check(method, label, e);
      }
      if (method === "init") restore(aa);
    };
    const valid = { index: "products", eventName: "Matrix valid", objectIDs: ["valid-1"] };
    for (const method of METHODS) {
      for (const [label, value] of values()) {
        if (value === NONE) {
          attempt(method, label, []);
          continue;
        }
        attempt(method, label, [value]);
        if (method === "sendEvents") attempt(method, label + " in the events", [[value]]);
        if (EVENT_METHODS.includes(method)) attempt(method, label + " as the params", [valid, value]);
        if (method.startsWith("get") || method.startsWith("on")) attempt(method, label + " second", [undefined, value]);
      }
    }
    // Method names that are no method.
    for (const [label, value] of values()) attempt(value === NONE ? undefined : value, "method " + label, []);
    // Settles once every Promise a call returned has (a rejection checked).
    window.matrixSettled = Promise.all(pending);
    return report;
  }

  return { run };
})();
`;

const head = (library) => `<!doctype html><html><head><script src="/matrix.js"></script>${library}</head><body>`;
const SNIPPET_PAGE = `${head(snippet(LIBRARIES.wasm))}
<script>
  // The whole barrage queued before the wasm is loaded (replayed from aa.queue).
  window.queuedReport = insightsMatrix.run(true);
  aa("getUserToken", null, () => { window.ready = true; });
</script></body></html>`;
const MODULE_PAGE = `${head("")}
<script type="module">
  import aa from "/pkg/index.mjs";
  window.aa = aa;
  aa("getUserToken", null, () => { window.ready = true; });
</script></body></html>`;

let server, browser;
before(async () => {
  server = await startServer({
    www: makeSite({ "matrix.js": MATRIX_JS, "snippet.html": SNIPPET_PAGE, "module.html": MODULE_PAGE }),
  });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Opens `file` in a fresh context; requests to any other host are refused and recorded. */
async function open(file, app) {
  const context = await browser.newContext();
  const elsewhere = [];
  await context.route(
    (url) => url.hostname !== "127.0.0.1",
    (route) => {
      elsewhere.push(route.request().url());
      return route.abort();
    }
  );
  const page = await context.newPage();
  const messages = watchConsole(page);
  await countSends(page);
  await page.goto(`${server.url}/${file}?app=${app}`);
  await waitFor(() => page.evaluate(() => window.ready === true), "the library ready", 60000);
  return { context, page, messages, elsewhere };
}

const ALGOLIA_COOKIE = /^_ALGOLIA=[A-Za-z0-9_=+/-]{1,129}$/;

/** Everything that must hold after a barrage. */
async function assertUnharmed({ page, messages, elsewhere }, app, label) {
  // The module still answers, synchronously.
  const version = await page.evaluate(() => {
    let seen;
    aa("getVersion", (v) => (seen = v));
    return seen;
  });
  assert.equal(version, "2.17.3", `${label}: the module answers`);
  // One _ALGOLIA cookie at most, well-formed.
  const cookies = await page.evaluate(() => document.cookie.split("; ").filter((c) => c.startsWith("_ALGOLIA=")));
  assert.ok(cookies.length <= 1, `${label}: ${JSON.stringify(cookies)}`);
  for (const c of cookies) assert.match(c, ALGOLIA_COOKIE, label);
  // A normal init + event still works and arrives.
  await page.evaluate(
    ({ app, key }) => {
      aa("init", { appId: app, apiKey: key, host: location.origin, useCookie: true });
      aa("setUserToken", "after-the-barrage");
      aa("clickedObjectIDs", { index: "products", eventName: "After the barrage", objectIDs: ["ok-1"] });
    },
    { app, key: API_KEY }
  );
  await waitFor(async () => {
    const events = await server.events({ appId: app });
    return events.some((r) => r.event.eventName === "After the barrage");
  }, `${label}: the event after the barrage`, 60000);
  // Whatever is still queued goes now (the flush starts its requests before
  // it returns); then every request the page started has its answer.
  await page.evaluate(() => aa("flush"));
  await waitFor(
    () => page.evaluate(() => window.sendsSettled === window.sendsStarted),
    `${label}: every request answered`,
    60000
  );
  // Every event and request that reached the endpoint was accepted.
  const events = await server.events({ appId: app });
  const refused = events.filter((r) => !r.accepted);
  assert.deepEqual(refused.map((r) => `${r.event.eventName}: ${r.reason}`), [], `${label}: refused events`);
  const requests = (await server.requests({ appId: app, path: "/1/events" })).filter((r) => !r.preflight);
  assert.deepEqual(requests.filter((r) => r.status !== 200).map((r) => `${r.status} ${r.message}`), [], `${label}: refused requests`);
  const after = events.find((r) => r.event.eventName === "After the barrage");
  assert.equal(after.event.userToken, "after-the-barrage");
  // No request for any other host, no uncaught exception, no API key printed.
  assert.deepEqual(elsewhere, [], `${label}: requests to other hosts`);
  assert.deepEqual(messages.filter((m) => m.type === "pageerror"), [], `${label}: uncaught exceptions`);
  const leaks = messages.filter((m) => m.text.includes(API_KEY));
  assert.deepEqual(leaks, [], `${label}: the API key in the console`);
  return events;
}

for (const [file, how] of [
  ["snippet.html", "the snippet's aa (queued, then direct)"],
  ["module.html", "the npm module's aa (Insights.call)"],
]) {
  test(`bad-input matrix through ${how}: before and after init`, { timeout: 300000 }, async () => {
    const app = uniqueAppId("matrix");
    const session = await open(file, app);
    const { page } = session;
    if (file === "snippet.html") {
      const queued = await page.evaluate(() => window.queuedReport);
      assert.deepEqual(queued.failures, [], "queueing never throws");
      assert.ok(queued.calls > 1000, `${queued.calls} calls queued`);
    }
    // Before init (direct calls: the module is loaded).
    await page.evaluate(() => aa("reset"));
    const run = () => page.evaluate(async () => {
      const report = insightsMatrix.run(false);
      await window.matrixSettled; // every Promise a call returned, its rejection checked
      return report;
    });
    const beforeInit = await run();
    assert.deepEqual(beforeInit.failures, [], "before init");
    assert.ok(beforeInit.thrown > 500, `before init: ${beforeInit.thrown} of ${beforeInit.calls} calls threw`);
    // After init.
    await page.evaluate(
      ({ app, key }) => aa("init", { appId: app, apiKey: key, host: location.origin, useCookie: true }),
      { app, key: API_KEY }
    );
    const afterInit = await run();
    assert.deepEqual(afterInit.failures, [], "after init");
    assert.ok(afterInit.thrown > 500, `after init: ${afterInit.thrown} of ${afterInit.calls} calls threw`);
    const events = await assertUnharmed(session, app, file);
    // Valid calls of the barrage did go out: 5000 objectIDs in events of 20.
    const big = events.filter((r) => r.event.eventName === "Five thousand");
    assert.ok(big.length >= 250, `${big.length} events of the 5000 objectIDs`);
    assert.ok(big.every((r) => r.event.objectIDs.length <= 20));
    await session.context.close();
  });
}

test("the API key is in no console message when the API refuses events (401, 403, 422, 400)", { timeout: 120000 }, async () => {
  const app = uniqueAppId("matrix-secrets");
  const session = await open("module.html", app);
  const { page, messages } = session;
  await page.evaluate(
    ({ app, key }) => aa("init", { appId: app, apiKey: key, host: location.origin, maxRetries: 0 }),
    { app, key: API_KEY }
  );
  for (const status of [401, 403, 422, 400, 500]) {
    await server.fail({ mode: "status", status, times: 1, appId: app });
    const delivered = await page.evaluate(
      (status) => aa("clickedObjectIDs", { index: "products", eventName: "Refused " + status, objectIDs: ["1"], userToken: "u-1" }),
      status
    );
    assert.equal(delivered, false, `the ${status} is reported to the caller`);
  }
  // (Chromium adds its own "Failed to load resource" line for each.)
  const ours = messages.filter((m) => m.type === "error" && m.text.startsWith("search-insights: "));
  assert.equal(ours.length, 5, JSON.stringify(messages));
  assert.deepEqual(messages.filter((m) => m.text.includes(API_KEY)), []);
  assert.deepEqual(messages.filter((m) => m.type === "pageerror"), []);
  await session.context.close();
});

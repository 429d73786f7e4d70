// Pages whose localStorage is unavailable or full, in Chromium, Firefox ESR
// and WebKitGTK (over WebDriver; storage.test.mjs has the Chromium-only
// corruption cases). With storage consent, events are still sent, each once,
// with the cookie's token, and nothing is thrown into the page or printed.
//
// Unavailable: an inline script before the snippet makes reading
// `window.localStorage` throw a SecurityError (as a browser does when storage
// is blocked), and every Storage method throw too (for sessionStorage or a
// reference kept elsewhere).
//
// Full: an inline script before the snippet makes `Storage.prototype.setItem`
// throw a QuotaExceededError (as a full origin quota does) and records the
// keys refused; reading and removing still work. The library keeps what it
// could not store in memory (its outbox, the query-ID cache) and stores
// nothing: the events of calls arrive once, and so does a click made just
// before leaving the page (a long flushDelay: only the flush when the page is
// left can send it); the next page load sends nothing more.
//
// Each test prints `engines: <browser> <version>: storage throws: sent=N
// received=N duplicated=N lost=N errors=N thrown=N`, or `engines: <browser>
// <version>: storage full: sent=N received=N duplicated=N lost=N
// refused-writes=<kinds of keys refused> stored=N errors=N warnings=N
// thrown=N`.
import assert from "node:assert/strict";
import { before, after } from "node:test";
import { startServer, makeSite, snippet, LIBRARIES, waitFor, uniqueAppId } from "./harness.mjs";
import { PAGE_HOOK, PAGE_SCRIPT, observed, pageReady, receivedCounts, tally, eachEngine, OUTBOX_PREFIX } from "./engine-pages.mjs";

const DENY_STORAGE = `<script>
  (function () {
    function deny() {
      throw new DOMException("The operation is insecure.", "SecurityError");
    }
    Object.defineProperty(window, "localStorage", { configurable: true, get: deny });
    ["getItem", "setItem", "removeItem", "key", "clear"].forEach(function (name) {
      Storage.prototype[name] = deny;
    });
  })();
</script>`;
const PAGE = `<!doctype html><html><head>${PAGE_HOOK}${DENY_STORAGE}${snippet(LIBRARIES.wasm)}</head><body>${PAGE_SCRIPT}</body></html>`;

// `window.refusedWrites`: the keys setItem refused. A value written before the
// quota "ran out" (`planted`) shows that reads still work.
const FULL_STORAGE = `<script>
  (function () {
    var setItem = Storage.prototype.setItem;
    setItem.call(localStorage, "planted", "before the quota ran out");
    window.refusedWrites = [];
    Storage.prototype.setItem = function (key) {
      window.refusedWrites.push(String(key));
      throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
    };
  })();
</script>`;
const FULL_PAGE = `<!doctype html><html><head>${PAGE_HOOK}${FULL_STORAGE}${snippet(LIBRARIES.wasm)}</head><body>
<a id="next" href="/next.html">next</a>${PAGE_SCRIPT}</body></html>`;

let server;
before(async () => {
  server = await startServer({
    www: makeSite({
      "storage.html": PAGE,
      "storage-full.html": FULL_PAGE,
      "next.html": "<!doctype html><html><body>next page</body></html>",
    }),
  });
});
after(async () => {
  await server?.stop();
});

eachEngine("a page whose localStorage throws still sends its events, each once", async (session) => {
  const app = uniqueAppId("engines-storage");
  await session.goto(`${server.url}/storage.html?${new URLSearchParams({ app, init: JSON.stringify({ useCookie: true }) })}`);
  await pageReady(session);
  // The page really has no storage.
  const denied = await session.run(`
    const tries = {};
    try { window.localStorage; tries.localStorage = "readable"; } catch (e) { tries.localStorage = e.name; }
    try { sessionStorage.getItem("x"); tries.sessionStorage = "readable"; } catch (e) { tries.sessionStorage = e.name; }
    return tries;`);
  assert.deepEqual(denied, { localStorage: "SecurityError", sessionStorage: "SecurityError" });

  const ids = ["storage-click", "storage-view", "storage-conversion"];
  await session.run(
    `aa("clickedObjectIDs", { index: "products", eventName: "Storage click", objectIDs: [arguments[0][0]] });
     aa("viewedObjectIDs", { index: "products", eventName: "Storage view", objectIDs: [arguments[0][1]] });`,
    ids
  );
  // A later task, a later request.
  await waitFor(async () => (await receivedCounts(server, app)).size >= 2, "the first two events");
  await session.run(`aa("convertedObjectIDs", { index: "products", eventName: "Storage conversion", objectIDs: [arguments[0]] });`, ids[2]);
  await waitFor(async () => (await receivedCounts(server, app)).has(ids[2]), "the conversion");
  const userToken = await session.until(async () => {
    await session.run(`aa("getUserToken", null, function (err, t) { window.token = err ? String(err) : t; });`);
    return session.run("return window.token || null");
  }, "the user token");

  const records = await server.events({ appId: app });
  const page = await observed(session);
  const { received, duplicated, lost, unexpected } = tally(await receivedCounts(server, app), ids);
  const errors = page.logged.filter((m) => m.type === "error");
  console.log(
    `engines: ${session.browser}: storage throws: sent=${ids.length} received=${received} duplicated=${duplicated} lost=${lost} errors=${errors.length} thrown=${page.thrown.length}`
  );
  assert.equal(duplicated, 0, "no event arrives twice");
  assert.equal(lost, 0, "no event is lost");
  assert.deepEqual(unexpected, []);
  assert.ok(records.every((r) => r.accepted), JSON.stringify(records.map((r) => r.reason)));
  assert.match(userToken, /^anonymous-[0-9a-f-]{36}$/);
  assert.ok(records.every((r) => r.event.userToken === userToken), "every event carries the page's token");
  const cookie = await session.run(`return (document.cookie.match(/(?:^|; )_ALGOLIA=([^;]*)/) || [])[1] || null;`);
  assert.equal(cookie, userToken, "the token is the one in the _ALGOLIA cookie (consent, cookies still work)");
  assert.deepEqual(errors, [], "nothing printed as an error");
  assert.deepEqual(page.thrown, [], "nothing thrown into the page");
});

eachEngine("a page whose localStorage is full (setItem throws QuotaExceededError) still sends its events, each once, and stores nothing", async (session) => {
  const app = uniqueAppId("engines-storage-full");
  const page = (init) => `${server.url}/storage-full.html?${new URLSearchParams({ app, init: JSON.stringify({ useCookie: true, ...init }) })}`;
  const QID = "0123456789abcdef0123456789abcdef";
  await session.goto(page({}));
  await pageReady(session);
  // The storage is full for writes only.
  const storage = await session.run(`
    const seen = { planted: localStorage.getItem("planted") };
    try { localStorage.setItem("probe", "x"); seen.write = "written"; } catch (e) { seen.write = e.name; }
    localStorage.removeItem("planted");
    seen.removed = localStorage.getItem("planted") === null;
    return seen;`);
  assert.deepEqual(storage, { planted: "before the quota ran out", write: "QuotaExceededError", removed: true });

  // The conversion is about the clicked object too (its key is both IDs).
  const ids = ["full-click", "full-view", "full-click,full-conversion", "full-leaving"];
  await session.run(
    `aa("clickedObjectIDsAfterSearch", { index: "products", eventName: "Full click", queryID: arguments[1], objectIDs: [arguments[0][0]], positions: [1] });
     aa("viewedObjectIDs", { index: "products", eventName: "Full view", objectIDs: [arguments[0][1]] });`,
    ids,
    QID
  );
  await waitFor(async () => (await receivedCounts(server, app)).size >= 2, "the first two events");
  // A later task, a later request; the query-ID cache kept in memory gives
  // the conversion the click's queryID.
  await session.run(
    `aa("convertedObjectIDs", { index: "products", eventName: "Full conversion", objectIDs: arguments[0] }, { inferQueryID: true });`,
    ids[2].split(",")
  );
  await waitFor(async () => (await receivedCounts(server, app)).has(ids[2]), "the conversion");
  const first = await session.run(`return {
    refused: window.refusedWrites.filter((k) => k !== "probe"),
    stored: Object.keys(localStorage).filter((k) => k.startsWith(arguments[0]) || k === "AlgoliaObjectQueryCache"),
    cookie: (document.cookie.match(/(?:^|; )_ALGOLIA=([^;]*)/) || [])[1] || null,
  };`, OUTBOX_PREFIX);
  const firstPage = await observed(session);

  // Leaving: a click with a long flushDelay, then a navigation at once.
  await session.goto(page({ flushDelay: 30000 }));
  await pageReady(session);
  await session.run(
    `aa("clickedObjectIDs", { index: "products", eventName: "Full leaving", objectIDs: [arguments[0]] });
     document.getElementById("next").click();`,
    ids[3]
  );
  await session.until(
    async () => (await session.run("return document.readyState === 'complete' && location.pathname")) === "/next.html",
    "the next page to load"
  );
  await waitFor(async () => (await receivedCounts(server, app)).has(ids[3]), "the click sent as the page was left");

  // The next page load: nothing stored to send again. A marker sent last
  // arrives after anything that page load would have sent.
  await session.goto(page({}));
  await pageReady(session);
  await session.run(`aa("clickedObjectIDs", { index: "products", eventName: "Full marker", objectIDs: ["full-marker"] });`);
  await waitFor(async () => (await receivedCounts(server, app)).has("full-marker"), "the marker");
  const lastPage = await observed(session);

  const records = await server.events({ appId: app });
  const { received, duplicated, lost, unexpected } = tally(await receivedCounts(server, app), [...ids, "full-marker"]);
  const refusedKinds = (keys) => [...new Set(keys.map((k) => (k.startsWith(OUTBOX_PREFIX) ? "outbox" : k)))].sort().join(",") || "none";
  const logged = [...firstPage.logged, ...lastPage.logged];
  const errors = logged.filter((m) => m.type === "error");
  const warnings = logged.filter((m) => m.type === "warn");
  const thrown = [...firstPage.thrown, ...lastPage.thrown];
  console.log(
    `engines: ${session.browser}: storage full: sent=${ids.length} received=${received - 1} duplicated=${duplicated} lost=${lost} ` +
      `refused-writes=${refusedKinds(first.refused)} stored=${first.stored.length} errors=${errors.length} warnings=${warnings.length} thrown=${thrown.length}`
  );
  assert.equal(duplicated, 0, "no event arrives twice");
  assert.equal(lost, 0, "no event is lost");
  assert.deepEqual(unexpected, []);
  assert.ok(records.every((r) => r.accepted), JSON.stringify(records.map((r) => r.reason)));
  // The library did try to store (its outbox with consent, the query-ID
  // cache) and was refused; nothing of it is in storage.
  assert.ok(first.refused.some((k) => k.startsWith(OUTBOX_PREFIX)), `the outbox write was refused: ${first.refused}`);
  assert.ok(first.refused.includes("AlgoliaObjectQueryCache"), `the query-ID cache write was refused: ${first.refused}`);
  assert.deepEqual(first.stored, [], "nothing stored");
  const conversion = records.find((r) => r.event.eventName === "Full conversion").event;
  assert.deepEqual(conversion.objectIDsWithInferredQueryID, ["full-click"], "the clicked object's queryID was inferred");
  assert.equal(conversion.objectData?.[0]?.queryID, QID, "from the query-ID cache kept in memory");
  // The cookie is not localStorage: consent still keeps the token.
  assert.match(first.cookie, /^anonymous-[0-9a-f-]{36}$/);
  assert.ok(records.every((r) => r.event.userToken === first.cookie), "every event carries the cookie's token");
  assert.deepEqual(errors, [], "nothing printed as an error");
  assert.deepEqual(warnings, [], "nothing printed as a warning");
  assert.deepEqual(thrown, [], "nothing thrown into the page");
});

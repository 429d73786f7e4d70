// A page where localStorage is unavailable, in Chromium, Firefox ESR and
// WebKitGTK (over WebDriver; storage.test.mjs has the Chromium-only
// corruption cases). An inline script before the snippet makes reading
// `window.localStorage` throw a SecurityError (as a browser does when storage
// is blocked), and every Storage method throw too (for sessionStorage or a
// reference kept elsewhere). With storage consent, events are still sent,
// each once, with the cookie's token, and nothing is thrown into the page or
// printed as an error.
//
// Each test prints `engines: <browser> <version>: storage throws: sent=N
// received=N duplicated=N lost=N errors=N thrown=N`.
import assert from "node:assert/strict";
import { before, after } from "node:test";
import { startServer, makeSite, snippet, LIBRARIES, waitFor, uniqueAppId } from "./harness.mjs";
import { PAGE_HOOK, PAGE_SCRIPT, observed, pageReady, receivedCounts, tally, eachEngine } from "./engine-pages.mjs";

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

let server;
before(async () => {
  server = await startServer({ www: makeSite({ "storage.html": PAGE }) });
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

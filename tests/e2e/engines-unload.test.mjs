// Which way the events go out when the page is left, in Chromium, Firefox ESR
// and WebKitGTK (over WebDriver), and that they arrive exactly once: a click
// with a long flushDelay (30 s: only the flush when the page is left can send
// it), then at once a navigation, or the tab closed.
//
// The library chooses by feature detection (src/browser/page.js,
// `keepaliveSupported`): `fetch(…, {keepalive: true})` where
// `Request.prototype` has `keepalive`, `navigator.sendBeacon` where it has not
// (Firefox before 133, whose fetch ignores keepalive) or where the keepalive
// budget is used up. Every engine here has it, so every engine leaves with a
// keepalive fetch; a page whose `Request.prototype.keepalive` was deleted
// (an inline script before the snippet) shows the beacon path in each.
//
// Seen from both ends: an inline script before the snippet passes `fetch` and
// `sendBeacon` through, and records in sessionStorage (which survives the
// navigation) each request to /1/events, the API used, its `keepalive`, and
// the page event it was sent during; the endpoint records each request's
// `Sec-Fetch-Mode`, which the browser sets: `cors` for the library's fetch,
// `no-cors` for a beacon with a text body. A closed tab's sessionStorage is
// gone, and the tab-close page has no recorder at all: there the endpoint's
// record alone says which way the click came.
//
// Each test prints `engines: <browser> <version>: unload: <case>: via=<fetch
// keepalive|sendBeacon> mode=<cors|no-cors> [during=<page event>] sent=1
// received=N duplicated=N lost=N`.
import assert from "node:assert/strict";
import { before, after } from "node:test";
import { startServer, makeSite, snippet, LIBRARIES, waitFor, uniqueAppId } from "./harness.mjs";
import { PAGE_HOOK, PAGE_SCRIPT, observed, pageReady, receivedCounts, tally, eachEngine, STORED_EVENTS, OUTBOX_PREFIX } from "./engine-pages.mjs";

/**
 * The way each engine leaves a page, as the library chooses it there. Each
 * test also checks the feature the choice follows from.
 */
const UNLOAD_PATH = { chromium: "fetch keepalive", firefox: "fetch keepalive", webkit: "fetch keepalive" };
/** What the browser puts in `Sec-Fetch-Mode` for each way. */
const FETCH_MODE = { "fetch keepalive": "cors", sendBeacon: "no-cors" };

// `sessionStorage["unload-sends"]`: one entry per request to /1/events. The
// page events seen so far (`visibilitychange:hidden`, `pagehide`) are
// recorded by listeners added before the library's, so a request sent from
// the library's listener is recorded with the event that triggered it.
const RECORDER = `<script>
  (function () {
    var seen = [];
    document.addEventListener("visibilitychange", function () { seen.push("visibilitychange:" + document.visibilityState); });
    addEventListener("pagehide", function () { seen.push("pagehide"); });
    function record(entry) {
      if (String(entry.url).indexOf("/1/events") === -1) return;
      entry.during = seen.slice();
      try {
        var list = JSON.parse(sessionStorage.getItem("unload-sends") || "[]");
        list.push(entry);
        sessionStorage.setItem("unload-sends", JSON.stringify(list));
      } catch (e) {
        window.recordFailed = String(e);
      }
    }
    var fetch = window.fetch;
    window.fetch = function (input, init) {
      record({ via: "fetch", url: typeof input === "string" ? input : input && input.url, keepalive: !!(init && init.keepalive) });
      return fetch.apply(this, arguments);
    };
    var sendBeacon = navigator.sendBeacon;
    navigator.sendBeacon = function (url) {
      record({ via: "sendBeacon", url: url });
      return sendBeacon.apply(navigator, arguments);
    };
  })();
</script>`;
// A fetch without the keepalive feature (as Firefox before 133).
const NO_KEEPALIVE = `<script>delete Request.prototype.keepalive;</script>`;
const page = (extra) => `<!doctype html><html><head>${PAGE_HOOK}${extra}${snippet(LIBRARIES.wasm)}</head><body>
<a id="next" href="/next.html">next</a>${PAGE_SCRIPT}</body></html>`;

let server;
before(async () => {
  server = await startServer({
    www: makeSite({
      "unload.html": page(RECORDER),
      "unload-no-keepalive.html": page(NO_KEEPALIVE + RECORDER),
      "unload-close.html": page(""),
      "next.html": "<!doctype html><html><body>next page</body></html>",
    }),
  });
});
after(async () => {
  await server?.stop();
});

const url = (file, app, init) => `${server.url}/${file}?${new URLSearchParams({ app, init: JSON.stringify({ useCookie: true, ...init }) })}`;
const CLICK = `aa("clickedObjectIDs", { index: "products", eventName: "Unload click", objectIDs: [arguments[0]] });`;

/** The endpoint's record of the request that carried the event about `id`. */
async function carrier(app, id) {
  const record = (await server.events({ appId: app })).find((r) => r.event.objectIDs?.[0] === id);
  const request = (await server.requests({ appId: app, path: "/1/events" })).find((r) => r.id === record.requestId);
  return { record, request };
}

/**
 * The library on the same origin and storage again: it sends what an earlier
 * page kept, so a stored copy of `id` would arrive now. A marker sent last
 * arrives after anything that page load sent. Returns the tally of `id`.
 */
async function onceOnly(session, app, id) {
  await session.goto(url("unload.html", app, {}));
  await pageReady(session);
  await session.until(async () => (await session.run(STORED_EVENTS, OUTBOX_PREFIX)) === 0, "no stored event");
  await session.run(CLICK, "marker");
  await waitFor(async () => (await receivedCounts(server, app)).has("marker"), "the marker");
  const seen = await observed(session);
  assert.deepEqual(seen.thrown, []);
  assert.deepEqual(seen.logged.filter((m) => m.type === "error"), []);
  const result = tally(await receivedCounts(server, app), [id, "marker"]);
  assert.equal(result.duplicated, 0, "no event arrives twice");
  assert.equal(result.lost, 0, "no event is lost");
  assert.deepEqual(result.unexpected, []);
  return { ...result, received: result.received - 1 };
}

/** Clicks `id` on `file`, follows the link at once; what the page recorded and the endpoint received. */
async function clickAndLeave(session, app, file, id) {
  await session.goto(url(file, app, { flushDelay: 30000 }));
  await pageReady(session);
  const keepaliveFeature = await session.run(`return "keepalive" in Request.prototype;`);
  await session.run(`sessionStorage.removeItem("unload-sends"); ${CLICK} document.getElementById("next").click();`, id);
  await session.until(
    async () => (await session.run("return document.readyState === 'complete' && location.pathname")) === "/next.html",
    "the next page to load"
  );
  await waitFor(async () => (await receivedCounts(server, app)).has(id), `the click ${id} at the endpoint`);
  const sends = await session.run(`return JSON.parse(sessionStorage.getItem("unload-sends") || "[]");`);
  const { record, request } = await carrier(app, id);
  assert.equal(record.accepted, true, record.reason);
  return { keepaliveFeature, sends, request };
}

const via = (send) => (send.via === "fetch" ? (send.keepalive ? "fetch keepalive" : "fetch") : send.via);

eachEngine("a click then a navigation: it leaves with the path feature detection picks (fetch keepalive here), exactly once", async (session, engine) => {
  const app = uniqueAppId("engines-unload");
  const { keepaliveFeature, sends, request } = await clickAndLeave(session, app, "unload.html", "navigate");
  assert.equal(keepaliveFeature, true, `${engine} has Request.prototype.keepalive`);
  assert.equal(sends.length, 1, `one request, as the page was left: ${JSON.stringify(sends)}`);
  const [send] = sends;
  assert.notDeepEqual(send.during, [], "sent during a page event of leaving, not by the flushDelay timer");
  assert.equal(via(send), UNLOAD_PATH[engine], `${engine}'s way out`);
  assert.equal(request.fetchMode, FETCH_MODE[UNLOAD_PATH[engine]], "the endpoint's Sec-Fetch-Mode agrees");
  assert.equal(request.contentType, "text/plain;charset=UTF-8");
  const { received, duplicated, lost } = await onceOnly(session, app, "navigate");
  console.log(
    `engines: ${session.browser}: unload: navigation: via=${via(send)} mode=${request.fetchMode} during=${send.during[0]} ` +
      `sent=1 received=${received} duplicated=${duplicated} lost=${lost}`
  );
});

eachEngine("a click then a navigation on a page whose fetch has no keepalive: it leaves with sendBeacon, exactly once", async (session, engine) => {
  const app = uniqueAppId("engines-unload-beacon");
  const { keepaliveFeature, sends, request } = await clickAndLeave(session, app, "unload-no-keepalive.html", "beacon");
  assert.equal(keepaliveFeature, false, "the page's Request.prototype has no keepalive");
  assert.equal(sends.length, 1, `one request, as the page was left: ${JSON.stringify(sends)}`);
  const [send] = sends;
  assert.notDeepEqual(send.during, [], "sent during a page event of leaving, not by the flushDelay timer");
  assert.equal(via(send), "sendBeacon", `${engine} without keepalive`);
  assert.equal(request.fetchMode, FETCH_MODE.sendBeacon, "the endpoint's Sec-Fetch-Mode agrees");
  assert.equal(request.contentType, "text/plain;charset=UTF-8");
  const { received, duplicated, lost } = await onceOnly(session, app, "beacon");
  console.log(
    `engines: ${session.browser}: unload: no keepalive: via=${via(send)} mode=${request.fetchMode} during=${send.during[0]} ` +
      `sent=1 received=${received} duplicated=${duplicated} lost=${lost}`
  );
});

eachEngine("a tab closed right after a click: the click arrives exactly once, sent as the tab closed", async (session, engine) => {
  const app = uniqueAppId("engines-unload-close");
  // The first tab stays open (the session lives on) on a page without the
  // library: nothing but the closing tab can send the click.
  const first = await session.windowHandle();
  await session.goto(`${server.url}/next.html`);
  const second = await session.newTab();
  await session.switchTo(second);
  // No recorder on this page: its sessionStorage would be gone with the tab,
  // and in Firefox a page's own sessionStorage access in the closing tab's
  // pagehide, before the library's request, makes that request get lost at
  // times (with fetch and sendBeacon alike; see docs/testing.md).
  await session.goto(url("unload-close.html", app, { flushDelay: 30000 }));
  await pageReady(session);
  await session.run(CLICK, "closed");
  const left = await session.closeTab();
  assert.deepEqual(left, [first], "only the first tab is left");
  await session.switchTo(first);
  await waitFor(async () => (await receivedCounts(server, app)).has("closed"), "the click of the closed tab at the endpoint");
  const { record, request } = await carrier(app, "closed");
  assert.equal(record.accepted, true, record.reason);
  assert.equal(request.fetchMode, FETCH_MODE[UNLOAD_PATH[engine]], `${engine}'s way out (${UNLOAD_PATH[engine]})`);
  const { received, duplicated, lost } = await onceOnly(session, app, "closed");
  const way = Object.keys(FETCH_MODE).find((k) => FETCH_MODE[k] === request.fetchMode);
  console.log(
    `engines: ${session.browser}: unload: tab closed: via=${way} mode=${request.fetchMode} sent=1 received=${received} duplicated=${duplicated} lost=${lost}`
  );
});

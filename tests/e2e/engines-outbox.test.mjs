// The outbox across a reload in Chromium, Firefox ESR and WebKitGTK (over
// WebDriver; delivery.test.mjs has the Chromium-only variants). With storage
// consent and `maxRetries: 0`, events whose request the endpoint answers 503
// (a devserver failure plan for this appId, once) are kept in localStorage;
// after a reload, with the endpoint answering again, they arrive exactly
// once, and another reload sends nothing more.
//
// Each test prints `engines: <browser> <version>: outbox: failed=N stored=N
// sent=N received=N duplicated=N lost=N`.
import assert from "node:assert/strict";
import { before, after } from "node:test";
import { startServer, makeSite, snippet, LIBRARIES, waitFor, uniqueAppId } from "./harness.mjs";
import { PAGE_HOOK, PAGE_SCRIPT, observed, pageReady, receivedCounts, tally, eachEngine, STORED_EVENTS, OUTBOX_PREFIX } from "./engine-pages.mjs";

const PAGE = `<!doctype html><html><head>${PAGE_HOOK}${snippet(LIBRARIES.wasm)}</head><body>${PAGE_SCRIPT}</body></html>`;

let server;
before(async () => {
  server = await startServer({ www: makeSite({ "outbox.html": PAGE }) });
});
after(async () => {
  await server?.stop();
});

/** POSTs to /1/events recorded for `app`. */
const posts = async (app) => (await server.requests({ appId: app })).filter((r) => r.method === "POST" && r.path === "/1/events");

eachEngine("an event whose delivery failed (503) is kept in localStorage and, after a reload, arrives exactly once", async (session) => {
  const app = uniqueAppId("engines-outbox");
  const ids = ["outbox-0", "outbox-1", "outbox-2"];
  await server.fail({ mode: "status", status: 503, times: 1, appId: app });
  const url = `${server.url}/outbox.html?${new URLSearchParams({ app, init: JSON.stringify({ useCookie: true, maxRetries: 0 }) })}`;
  await session.goto(url);
  await pageReady(session);
  // Three clicks in one task: one request, answered 503, not retried.
  await session.run(
    `for (const id of arguments[0]) aa("clickedObjectIDs", { index: "products", eventName: "Outbox click", objectIDs: [id] });`,
    ids
  );
  await waitFor(async () => (await posts(app)).some((r) => r.status === 503), "the 503");
  const stored = await session.until(async () => {
    const n = await session.run(STORED_EVENTS, OUTBOX_PREFIX);
    return n === ids.length && n;
  }, "the failed events stored");
  const storedIds = await session.run(
    `return Object.keys(localStorage).filter((k) => k.startsWith(arguments[0]))
       .flatMap((k) => JSON.parse(localStorage.getItem(k)).e.map((r) => JSON.parse(r.b).objectIDs[0])).sort();`,
    OUTBOX_PREFIX
  );
  assert.deepEqual(storedIds, ids, "the failed events are the ones stored");
  assert.deepEqual(await receivedCounts(server, app), new Map(), "nothing accepted yet");
  const first = await observed(session);
  assert.deepEqual(first.thrown, []);
  assert.ok(first.logged.some((m) => m.text.includes("kept for the next page load")), JSON.stringify(first.logged));

  // The plan was for one request: the endpoint answers again. Reload.
  assert.equal((await fetch(`${server.url}/_devserver/fail`).then((r) => r.json())).pending.length, 0, "no failure pending");
  await session.refresh();
  await pageReady(session);
  await waitFor(async () => {
    const counts = await receivedCounts(server, app);
    return ids.every((id) => counts.has(id));
  }, "the stored events at the endpoint");
  await session.until(async () => (await session.run(STORED_EVENTS, OUTBOX_PREFIX)) === 0, "the outbox emptied once delivered");

  // One more page load: nothing left to send; a marker click proves the page works and sends.
  await session.refresh();
  await pageReady(session);
  await session.run(`aa("clickedObjectIDs", { index: "products", eventName: "Outbox marker", objectIDs: ["marker"] });`);
  await waitFor(async () => (await receivedCounts(server, app)).has("marker"), "the marker click");
  await session.until(async () => (await session.run(STORED_EVENTS, OUTBOX_PREFIX)) === 0, "nothing stored");

  const counts = await receivedCounts(server, app);
  const { received, duplicated, lost, unexpected } = tally(counts, [...ids, "marker"]);
  const failed = (await posts(app)).filter((r) => r.status !== 200).length;
  console.log(
    `engines: ${session.browser}: outbox: failed=${failed} stored=${stored} sent=${ids.length} received=${received - 1} duplicated=${duplicated} lost=${lost}`
  );
  assert.equal(failed, 1, "one failed request");
  assert.equal(duplicated, 0, "no event arrives twice");
  assert.equal(lost, 0, "no event is lost");
  assert.deepEqual(unexpected, []);
  assert.deepEqual((await observed(session)).thrown, []);
});

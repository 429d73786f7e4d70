// The `_ALGOLIA` cookie in Chromium, Firefox ESR and WebKitGTK (over
// WebDriver), on http only: the devserver has no TLS, so `Secure` (set on
// https, see storage.test.mjs, Chromium only) is not tested here.
//
// Without storage consent (`useCookie: false`, and the default, which is
// false) no cookie is written and events still carry an anonymous token, a
// new one on each page load (kept in memory only). With `useCookie: true`
// the anonymous token is written to `_ALGOLIA` (path=/, SameSite=Lax, six
// months, not Secure on http), sent on the event, and read back on the next
// page load.
//
// Each test prints `engines: <browser> <version>: cookie: no-consent=<none|…>
// default=<none|…> consent=<written|…> same-token-after-reload=<bool>`.
import assert from "node:assert/strict";
import { before, after } from "node:test";
import { startServer, makeSite, snippet, LIBRARIES, waitFor, uniqueAppId } from "./harness.mjs";
import { PAGE_HOOK, PAGE_SCRIPT, observed, pageReady, eachEngine, OUTBOX_PREFIX } from "./engine-pages.mjs";

const PAGE = `<!doctype html><html><head>${PAGE_HOOK}${snippet(LIBRARIES.wasm)}</head><body>${PAGE_SCRIPT}</body></html>`;
const TOKEN = /^anonymous-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const SIX_MONTHS_S = 6 * 30 * 24 * 3600;

let server;
before(async () => {
  server = await startServer({ www: makeSite({ "cookie.html": PAGE }) });
});
after(async () => {
  await server?.stop();
});

/** The `_ALGOLIA` value in document.cookie, or null. */
const pageCookie = (session) => session.run(`return (document.cookie.match(/(?:^|; )_ALGOLIA=([^;]*)/) || [])[1] || null;`);

/**
 * Loads the page with `init`, sends one click `id` and returns the token it
 * arrived with, what the page and the browser hold as `_ALGOLIA`, and the
 * library's stored keys.
 */
async function clickOn(session, app, init, id) {
  await session.goto(`${server.url}/cookie.html?${new URLSearchParams({ app, init: JSON.stringify(init) })}`);
  await pageReady(session);
  await session.run(`aa("clickedObjectIDs", { index: "products", eventName: "Cookie click", objectIDs: [arguments[0]] });`, id);
  const record = await waitFor(async () => (await server.events({ appId: app })).find((r) => r.event.objectIDs?.[0] === id), `the click ${id}`);
  assert.equal(record.accepted, true, record.reason);
  const page = await observed(session);
  assert.deepEqual(page.thrown, []);
  assert.deepEqual(page.logged.filter((m) => m.type === "error"), []);
  return {
    token: record.event.userToken,
    cookie: await pageCookie(session),
    browserCookies: (await session.cookies()).filter((c) => c.name === "_ALGOLIA"),
    storedKeys: await session.run(`return Object.keys(localStorage).filter((k) => k.startsWith(arguments[0]));`, OUTBOX_PREFIX),
  };
}

eachEngine("the _ALGOLIA cookie: written and sent only with useCookie: true; without it, no cookie and still an anonymous token (http)", async (session) => {
  const app = uniqueAppId("engines-cookie");
  assert.equal(new URL(server.url).protocol, "http:");

  // Without consent, explicitly and by default: no cookie, a token anyway.
  const noConsent = await clickOn(session, app, { useCookie: false }, "no-consent");
  const byDefault = await clickOn(session, app, {}, "default");
  for (const [label, seen] of [["useCookie: false", noConsent], ["default", byDefault]]) {
    assert.equal(seen.cookie, null, `${label}: no _ALGOLIA in document.cookie`);
    assert.deepEqual(seen.browserCookies, [], `${label}: no _ALGOLIA cookie in the browser`);
    assert.match(seen.token, TOKEN, `${label}: the event carries an anonymous token`);
    assert.deepEqual(seen.storedKeys, [], `${label}: nothing stored`);
  }
  assert.notEqual(noConsent.token, byDefault.token, "without a cookie, each page load has a token of its own");

  // With consent: the cookie holds the token the event carried.
  const consent = await clickOn(session, app, { useCookie: true }, "consent");
  assert.match(consent.token, TOKEN);
  assert.equal(consent.cookie, consent.token, "document.cookie holds the event's token");
  assert.equal(consent.browserCookies.length, 1, JSON.stringify(consent.browserCookies));
  const [cookie] = consent.browserCookies;
  assert.equal(cookie.value, consent.token);
  assert.equal(cookie.path, "/");
  assert.equal(cookie.secure, false, "not Secure on http");
  assert.equal(cookie.httpOnly, false);
  assert.equal(cookie.sameSite, "Lax");
  const remaining = cookie.expiry - Date.now() / 1000;
  assert.ok(remaining > SIX_MONTHS_S - 3600 && remaining <= SIX_MONTHS_S + 60, `expires in ${remaining} s`);

  // The next page load reads it back.
  const again = await clickOn(session, app, { useCookie: true }, "consent-again");
  assert.equal(again.token, consent.token, "the same token after a reload");
  assert.equal(again.cookie, consent.token);

  const label = (seen) => (seen.cookie === null && seen.browserCookies.length === 0 ? "none" : `cookie ${seen.cookie}`);
  console.log(
    `engines: ${session.browser}: cookie: no-consent=${label(noConsent)} default=${label(byDefault)} ` +
      `consent=${consent.cookie === consent.token ? "written" : consent.cookie} same-token-after-reload=${again.token === consent.token} ` +
      `(path=${cookie.path} sameSite=${cookie.sameSite} secure=${cookie.secure} days=${Math.round(remaining / 86400)})`
  );
});

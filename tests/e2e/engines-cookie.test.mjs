// The `_ALGOLIA` cookie in Chromium, Firefox ESR and WebKitGTK (over
// WebDriver), on http and on https. The devserver has no TLS: the https pages
// are served through a Node https proxy in front of it (./tls-proxy.mjs, a
// self-signed certificate made with openssl at test time, sessions opened
// with `acceptInsecureCerts`), and the events go through the same proxy, the
// page's own origin (an https page may not send to http).
//
// Without storage consent (`useCookie: false`, and the default, which is
// false) no cookie is written and events still carry an anonymous token, a
// new one on each page load (kept in memory only). With `useCookie: true`
// the anonymous token is written to `_ALGOLIA` (path=/, SameSite=Lax, six
// months; Secure on https, not on http), sent on the event, and read back on
// the next page load.
//
// The http tests print `engines: <browser> <version>: cookie: no-consent=<none|…>
// default=<none|…> consent=<written|…> same-token-after-reload=<bool>`, the
// https tests `engines: <browser> <version>: cookie on https: consent=<written|…>
// same-token-after-reload=<bool> (path=… sameSite=… secure=… days=…) events-from=https`.
import assert from "node:assert/strict";
import { before, after } from "node:test";
import { startServer, makeSite, snippet, LIBRARIES, waitFor, uniqueAppId } from "./harness.mjs";
import { PAGE_HOOK, PAGE_SCRIPT, observed, pageReady, eachEngine, OUTBOX_PREFIX } from "./engine-pages.mjs";
import { startTlsProxy } from "./tls-proxy.mjs";

const PAGE = `<!doctype html><html><head>${PAGE_HOOK}${snippet(LIBRARIES.wasm)}</head><body>${PAGE_SCRIPT}</body></html>`;
const TOKEN = /^anonymous-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const SIX_MONTHS_S = 6 * 30 * 24 * 3600;

let server, tls;
before(async () => {
  server = await startServer({ www: makeSite({ "cookie.html": PAGE }) });
  tls = await startTlsProxy(server.url);
});
after(async () => {
  await tls?.stop();
  await server?.stop();
});

/** The `_ALGOLIA` value in document.cookie, or null. */
const pageCookie = (session) => session.run(`return (document.cookie.match(/(?:^|; )_ALGOLIA=([^;]*)/) || [])[1] || null;`);

/**
 * Loads the page from `base` (default: the devserver, http) with `init`,
 * sends one click `id` and returns the token it arrived with, the Origin of
 * the request that carried it, what the page and the browser hold as
 * `_ALGOLIA`, and the library's stored keys.
 */
async function clickOn(session, app, init, id, base = server.url) {
  await session.goto(`${base}/cookie.html?${new URLSearchParams({ app, init: JSON.stringify(init) })}`);
  await pageReady(session);
  await session.run(`aa("clickedObjectIDs", { index: "products", eventName: "Cookie click", objectIDs: [arguments[0]] });`, id);
  const record = await waitFor(async () => (await server.events({ appId: app })).find((r) => r.event.objectIDs?.[0] === id), `the click ${id}`);
  assert.equal(record.accepted, true, record.reason);
  const page = await observed(session);
  assert.deepEqual(page.thrown, []);
  assert.deepEqual(page.logged.filter((m) => m.type === "error"), []);
  const request = (await server.requests({ appId: app, path: "/1/events" })).find((r) => r.id === record.requestId);
  return {
    token: record.event.userToken,
    origin: request?.origin,
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

eachEngine(
  "the _ALGOLIA cookie on https: Secure, path=/, SameSite=Lax, six months, sent and read back (TLS proxy)",
  async (session) => {
    const app = uniqueAppId("engines-cookie-https");
    const consent = await clickOn(session, app, { useCookie: true }, "https-consent", tls.url);
    const page = await session.run("return { protocol: location.protocol, secureContext: window.isSecureContext };");
    assert.deepEqual(page, { protocol: "https:", secureContext: true }, "the page is https");
    assert.equal(consent.origin, tls.url, "the event went out from the https page, through the proxy");
    assert.match(consent.token, TOKEN);
    assert.equal(consent.cookie, consent.token, "document.cookie holds the event's token");
    assert.equal(consent.browserCookies.length, 1, JSON.stringify(consent.browserCookies));
    const [cookie] = consent.browserCookies;
    assert.equal(cookie.value, consent.token);
    assert.equal(cookie.secure, true, "Secure on https");
    assert.equal(cookie.path, "/");
    assert.equal(cookie.httpOnly, false);
    assert.equal(cookie.sameSite, "Lax");
    const remaining = cookie.expiry - Date.now() / 1000;
    assert.ok(remaining > SIX_MONTHS_S - 3600 && remaining <= SIX_MONTHS_S + 60, `expires in ${remaining} s`);

    // The next page load reads it back.
    const again = await clickOn(session, app, { useCookie: true }, "https-consent-again", tls.url);
    assert.equal(again.token, consent.token, "the same token after a reload");
    assert.equal(again.origin, tls.url);
    assert.equal(again.browserCookies.length, 1);
    assert.equal(again.browserCookies[0].secure, true);
    assert.ok(tls.forwarded() > 0);

    console.log(
      `engines: ${session.browser}: cookie on https: consent=${consent.cookie === consent.token ? "written" : consent.cookie} ` +
        `same-token-after-reload=${again.token === consent.token} ` +
        `(path=${cookie.path} sameSite=${cookie.sameSite} secure=${cookie.secure} days=${Math.round(remaining / 86400)}) events-from=${consent.origin.split(":")[0]}`
    );
  },
  { session: { acceptInsecureCerts: true } }
);

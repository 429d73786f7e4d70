// Runs one scenario with one library in a fresh browser context (its own
// cookies and storage) and collects everything a site or the Insights API
// could observe of it.
import { setTimeout as sleep } from "node:timers/promises";
import { uniqueAppId, watchConsole } from "../harness.mjs";

/** The Algolia hosts a library may choose (default and regions). */
const ALGOLIA_HOSTS = /^https:\/\/insights(\.[a-z]+)?\.algolia\.io\//;

/**
 * Requests to the Algolia hosts are forwarded to the local endpoint (there is
 * no Internet here); the origin each library chose is recorded from the URL.
 */
async function routeAlgoliaHosts(context, server) {
  await context.route(ALGOLIA_HOSTS, async (route) => {
    const url = new URL(route.request().url());
    try {
      const response = await route.fetch({ url: server.url + url.pathname + url.search });
      await route.fulfill({ response });
    } catch {
      await route.abort().catch(() => {});
    }
  });
}

/** Before any page script: stored state the scenario starts from. */
function preparePage({ config, storage, storageThrows }) {
  window.__PARITY__ = config;
  if (storageThrows) {
    const refuse = () => {
      throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
    };
    Storage.prototype.setItem = refuse;
    Storage.prototype.getItem = refuse;
    Storage.prototype.removeItem = refuse;
  } else if (storage) {
    for (const [key, value] of Object.entries(storage)) localStorage.setItem(key, value);
  }
}

/** Generous safety nets: reaching one is a failure, never a pass. */
const PAGE_TIMEOUT_MS = 60_000;
const DELIVERY_TIMEOUT_MS = 60_000;

/** Polls `check()` until it returns a truthy value; throws `describe()` once `timeoutMs` have passed. */
async function waitOrThrow(check, describe, timeoutMs) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(await describe());
    await sleep(50);
  }
}

const pageState = (page) =>
  page.evaluate(() => {
    const log = window.__parityLog;
    return log ? { waiting: log.waiting, steps: log.steps.length, sent: log.sent.length, inFlight: log.inFlight, done: log.done } : null;
  });

/**
 * Waits until everything the page sent has reached the endpoint. Every
 * request is recorded by the page when it is made (search-insights sends at
 * the call; this library's last batch is sent by the final `flush`), so the
 * endpoint must end with exactly as many requests as the page made, none in
 * flight, and, when the run knows it (`expectEvents`, worked out from
 * search-insights' run), at least that many events.
 */
async function delivered(page, server, app, lib, expectEvents) {
  let last;
  const check = async () => {
    const { sent, inFlight } = await page.evaluate(() => ({ sent: window.__parityLog.sent.length, inFlight: window.__parityLog.inFlight }));
    const received = (await server.requests({ appId: app, path: "/1/events" })).filter((r) => r.method === "POST").length;
    const events = expectEvents === undefined ? 0 : (await server.events({ appId: app })).length;
    last = { sent, inFlight, received, events, expectEvents };
    if (received > sent) throw new Error(`${lib}: the endpoint received ${received} requests, the page made only ${sent}`);
    return inFlight === 0 && received === sent && (expectEvents === undefined || events >= expectEvents);
  };
  await waitOrThrow(check, () => `${lib}: deliveries did not complete within ${DELIVERY_TIMEOUT_MS} ms: ${JSON.stringify(last)}`, DELIVERY_TIMEOUT_MS);
}

/**
 * Runs `scenario` with `lib` ("js" or "wasm"); resolves to the raw outcome.
 * `shared` holds values both runs must use (a fixed timestamp);
 * `expectEvents`, how many events must reach the endpoint.
 */
export async function runScenario({ browser, server, scenario, lib, shared, expectEvents }) {
  const app = uniqueAppId(`parity-${lib}`);
  const mode = scenario.mode || "snippet";
  const context = await browser.newContext();
  try {
    // Routing sends every request of the context through Playwright: only
    // when the scenario lets a library pick an Algolia host.
    const inits = scenario.calls.filter((c) => Array.isArray(c) && c[0] === "init");
    if (inits.length === 0 || inits.some((c) => !c[1] || c[1].host !== "$HOST")) {
      await routeAlgoliaHosts(context, server);
    }
    if (scenario.cookie) {
      await context.addCookies([{ name: "_ALGOLIA", value: scenario.cookie, url: server.url }]);
    }
    const config = { steps: scenario.calls, mode, lib, app, fixedTimestamp: shared.fixedTimestamp };
    await context.addInitScript(preparePage, { config, storage: scenario.storage, storageThrows: !!scenario.storageThrows });
    const page = await context.newPage();
    const messages = watchConsole(page);
    const start = Date.now();
    await page.goto(`${server.url}/parity/${mode}-${lib}.html`);
    await page.waitForFunction(() => window.__parityLog && window.__parityLog.done, null, { timeout: PAGE_TIMEOUT_MS }).catch(async (e) => {
      throw new Error(`${lib}: the page did not finish its steps within ${PAGE_TIMEOUT_MS} ms; state ${JSON.stringify(await pageState(page).catch(() => null))} (${e.message})`);
    });
    await delivered(page, server, app, lib, expectEvents);
    const seen = await page.evaluate(() => {
      const cookie = document.cookie.split("; ").find((c) => c.startsWith("_ALGOLIA="));
      let queryCache = null;
      try {
        queryCache = localStorage.getItem("AlgoliaObjectQueryCache");
      } catch {
        queryCache = "$unreadable";
      }
      const log = window.__parityLog;
      return {
        steps: log.steps,
        callbacks: log.callbacks,
        sent: log.sent,
        error: log.error,
        loaded: log.loaded,
        cookie: cookie ? cookie.slice("_ALGOLIA=".length) : null,
        queryCache,
        aaVersion: window.aa && window.aa.version,
      };
    });
    const end = Date.now();
    const cookies = await context.cookies(server.url);
    const stored = cookies.find((c) => c.name === "_ALGOLIA");
    const requests = (await server.requests({ appId: app, path: "/1/events" })).filter((r) => r.method === "POST");
    const events = await server.events({ appId: app });
    return {
      lib,
      mode,
      app,
      start,
      end,
      origin: server.url,
      ...seen,
      // Whole days the cookie lives for (-1: a session cookie).
      cookieDays: stored ? (stored.expires < 0 ? -1 : Math.round((stored.expires * 1000 - start) / 86_400_000)) : null,
      endpoints: [...new Set(seen.sent.map((s) => new URL(s.url).origin))],
      requests,
      events,
      console: messages.filter((m) => m.type !== "log" && m.type !== "debug" && m.type !== "info"),
    };
  } finally {
    await context.close();
  }
}

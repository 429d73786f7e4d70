// Shared by the engines-*.test.mjs files: what a page needs to be observed
// over WebDriver, which has no console or page-error API, and the loop that
// makes one test per engine.
import { test } from "node:test";
import { ENGINES, openSession } from "./webdriver.mjs";

export const OUTBOX_PREFIX = "AlgoliaInsightsOutbox:";
/** The prefix of every message the library prints. */
export const OURS = "search-insights-wasm: ";

/**
 * An inline script to put before the snippet: it records every
 * console.error and console.warn (`window.logged`: `{type, text}`), every
 * uncaught error and unhandled rejection (`window.thrown`) and every CSP
 * violation (`window.violations`), then passes the message on.
 */
export const PAGE_HOOK = `<script>
  window.logged = [];
  window.thrown = [];
  window.violations = [];
  ["error", "warn"].forEach(function (type) {
    var original = console[type];
    console[type] = function () {
      window.logged.push({ type: type, text: Array.prototype.map.call(arguments, String).join(" ") });
      return original.apply(this, arguments);
    };
  });
  window.addEventListener("error", function (e) { window.thrown.push(String(e.message)); });
  window.addEventListener("unhandledrejection", function (e) {
    window.thrown.push("unhandled rejection: " + String(e.reason && e.reason.message || e.reason));
  });
  document.addEventListener("securitypolicyviolation", function (e) {
    window.violations.push({ directive: e.effectiveDirective, blocked: e.blockedURI });
  });
</script>`;

/** What the page hook recorded: `{logged, thrown, violations}`. */
export const observed = (session) =>
  session.run("return { logged: window.logged, thrown: window.thrown, violations: window.violations };");

/**
 * `?app=…&init={json}`: init with those options (the endpoint is this page's
 * origin), then `ready` once the queued calls have run.
 */
export const PAGE_SCRIPT = `<script>
  var params = new URLSearchParams(location.search);
  aa("init", Object.assign({ appId: params.get("app"), apiKey: "key", host: location.origin }, JSON.parse(params.get("init") || "{}")));
  aa("getUserToken", null, function () { window.ready = true; });
</script>`;

/** Waits for the page's `window.ready`. */
export const pageReady = (session) => session.until(() => session.run("return window.ready === true"), "the library to be ready");

/** Accepted events of `app` at `server`, counted by their objectIDs. */
export async function receivedCounts(server, app) {
  const counts = new Map();
  for (const record of await server.events({ appId: app })) {
    if (!record.accepted) continue;
    const key = (record.event.objectIDs || []).join(",");
    counts.set(key, (counts.get(key) || 0) + 1);
  }
  return counts;
}

/** `duplicated` and `lost` of `expected` keys in `counts`, and what arrived unexpected. */
export function tally(counts, expected) {
  const duplicated = [...counts.values()].reduce((sum, n) => sum + n - 1, 0);
  const lost = expected.filter((key) => !counts.has(key)).length;
  const unexpected = [...counts.keys()].filter((key) => !expected.includes(key));
  return { received: counts.size, duplicated, lost, unexpected };
}

/** Events kept in the page's stored outboxes (every page's key, together). */
export const STORED_EVENTS = `return Object.keys(localStorage)
  .filter((k) => k.startsWith(arguments[0]))
  .reduce((n, k) => n + JSON.parse(localStorage.getItem(k)).e.length, 0);`;

/**
 * One test per engine: `body(session, engine)` runs with a fresh browser
 * session (its own profile), quit afterwards whatever happens. `session`:
 * options of `openSession` (`acceptInsecureCerts`).
 */
export function eachEngine(title, body, { timeout = 240000, session: options } = {}) {
  for (const engine of Object.keys(ENGINES)) {
    test(`${engine}: ${title}`, { timeout }, async () => {
      const session = await openSession(engine, options);
      try {
        await body(session, engine);
      } finally {
        await session.quit();
      }
    });
  }
}

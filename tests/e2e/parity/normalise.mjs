// Turns a raw outcome (run.mjs) into the view both libraries must agree on:
// made-up anonymous tokens are numbered in order of appearance, the page's
// origin becomes "$HOST", the run's application ID "$APP", events the
// endpoint received are compared as a multiset (field by field, with the
// API's verdict), their order as the sequence the page sent them in, and
// requests by number (this library batches: named differences say how);
// timestamps of the query-ID cache are dropped.
import assert from "node:assert/strict";

const ANONYMOUS = /anonymous-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/** JSON with sorted keys, to compare and sort values whatever their key order. */
export function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

function mapStrings(value, fn) {
  if (typeof value === "string") return fn(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, fn));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [fn(k), mapStrings(v, fn)]));
  }
  return value;
}

/** `events[3]: EventName is required` → `EventName is required` (positions differ with batching). */
function reason(text) {
  return text == null ? null : String(text).replace(/^events\[\d+\]: /, "");
}

/** One event in the order view: type, name and what it is about. */
export function orderKey(event) {
  return `${event.eventType} ${JSON.stringify(event.eventName)} ${JSON.stringify(event.objectIDs ?? event.filters ?? null)}`;
}

/** The events of every request the page made, in the order it sent them. */
function sentOrder(raw) {
  return raw.sent.flatMap((s, n) => {
    let body;
    try {
      body = JSON.parse(s.body);
    } catch {
      assert.fail(`${raw.lib}: request ${n} (${s.via}) has no JSON body: ${String(s.body).slice(0, 200)}`);
    }
    assert.ok(Array.isArray(body.events), `${raw.lib}: request ${n} has no events array`);
    return body.events.map(orderKey);
  });
}

/**
 * The comparable view of `raw`. `known` lists tokens the scenario itself
 * provided (kept as they are).
 */
export function normalise(raw, known = []) {
  const labels = new Map();
  const fix = (s) =>
    s
      .split(raw.origin)
      .join("$HOST")
      .split(raw.app)
      .join("$APP")
      .replace(ANONYMOUS, (token) => {
        if (known.includes(token)) return token;
        if (!labels.has(token)) labels.set(token, `anonymous-#${labels.size + 1}`);
        return labels.get(token);
      });
  // Order of appearance: callbacks and returns (call order), cookie, events.
  const callbacks = mapStrings(raw.callbacks, fix);
  const steps = mapStrings(
    raw.steps.map(({ step, method, returned, threw }) => ({ step, method, returned, threw })),
    fix
  );
  const cookie = raw.cookie == null ? null : fix(raw.cookie);
  const events = raw.events
    .map((r) => mapStrings({ accepted: r.accepted, reason: reason(r.reason), event: r.event }, fix))
    .sort((a, b) => (canonical(a) < canonical(b) ? -1 : 1));
  let queryCache = raw.queryCache;
  if (typeof queryCache === "string" && queryCache.startsWith("{")) {
    const parsed = JSON.parse(queryCache);
    queryCache = Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
  }
  const queries = [
    ...new Set(
      raw.requests.map((r) => {
        const query = { ...r.query };
        if (typeof query["X-Algolia-Agent"] === "string") query["X-Algolia-Agent"] = query["X-Algolia-Agent"].split("; ");
        return canonical(mapStrings(query, fix));
      })
    ),
  ]
    .sort()
    .map((q) => JSON.parse(q));
  const order = sentOrder(raw);
  assert.equal(order.length, raw.events.length, `${raw.lib}: events the page sent vs events the endpoint recorded`);
  assert.equal(raw.sent.length, raw.requests.length, `${raw.lib}: requests the page made vs requests the endpoint recorded`);
  return {
    steps,
    callbacks,
    cookie,
    cookieDays: raw.cookieDays,
    queryCache,
    loaded: raw.loaded,
    aaVersion: raw.aaVersion === undefined ? "$undefined" : raw.aaVersion,
    endpoints: raw.endpoints.map(fix),
    queries,
    events,
    order,
    requestCount: raw.sent.length,
    console: mapStrings(raw.console.map((m) => `${m.type}: ${m.text}`), fix),
  };
}

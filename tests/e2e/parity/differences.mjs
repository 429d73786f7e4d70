// The differences between this library and search-insights that are there on
// purpose. Each one first asserts that the difference really shows (so it
// can fail, and is never a silent skip), then rewrites this library's side
// (or search-insights' side) into the other's form so that everything else
// is still compared.
import assert from "node:assert/strict";
import { orderKey } from "./normalise.mjs";

/**
 * Chromium logs a console error for each request the API answered 4xx. When
 * search-insights' request was rejected, its page has them and ours does not:
 * exactly `count` of them are removed (one per rejected request).
 */
function dropRejectedRequestLogs(view, count) {
  const line = /^error: Failed to load resource: the server responded with a status of 4\d\d/;
  for (let n = 0; n < count; n++) {
    const at = view.console.findIndex((m) => line.test(m));
    assert.ok(at >= 0, `search-insights' console should show ${count} rejected request(s), it shows ${n}`);
    view.console.splice(at, 1);
  }
}

/** The events a call passes (`sendEvents`: its array; otherwise its arguments with an `index`). */
export function callEvents(call) {
  if (call[0] === "sendEvents") return call[1];
  return call.slice(1).filter((a) => a && typeof a === "object" && "index" in a);
}

/** Removes the one occurrence of `key` from `order` (an event sent where the other library sends none). */
function removeFromOrder(order, key, what) {
  const at = order.indexOf(key);
  assert.ok(at >= 0, `${what}: ${key} should be in the order of events sent`);
  order.splice(at, 1);
}

/** The query-ID cache entries search-insights writes for the events of `call` (before sending). */
function cacheWrites(call) {
  const writes = {};
  const method = call[0];
  for (const e of callEvents(call)) {
    (e.objectIDs || []).forEach((id, i) => {
      const own = e.objectData?.[i]?.queryID;
      const queryID =
        method === "clickedObjectIDsAfterSearch" ? e.queryID
        : method === "addedToCartObjectIDsAfterSearch" ? own ?? e.queryID
        : method === "addedToCartObjectIDs" ? own
        : undefined;
      if (queryID) writes[`${e.index}_${id}`] = queryID;
    });
  }
  return writes;
}

/** Differences present in every scenario. */
export const ALWAYS = {
  timestamp: {
    why: "every event carries its capture `timestamp` (ms) unless the caller gave one; search-insights sends none",
    apply({ js, wasm, raw, shared }) {
      for (const r of js.events) {
        const ts = r.event.timestamp;
        assert.ok(ts === undefined || ts === shared.fixedTimestamp, `search-insights sent a timestamp the caller did not give: ${ts}`);
      }
      for (const r of wasm.events) {
        const ts = r.event.timestamp;
        if (ts === shared.fixedTimestamp) continue;
        assert.ok(Number.isInteger(ts), `capture timestamp missing on ${JSON.stringify(r.event)}`);
        assert.ok(ts >= raw.wasm.start - 1000 && ts <= raw.wasm.end + 1000, `capture timestamp ${ts} outside the run`);
        delete r.event.timestamp;
      }
    },
  },
  agent: {
    why: "`X-Algolia-Agent` names this library: `insights-js (2.17.3); insights-js-wasm (0.1.0)` instead of `insights-js (2.17.3); insights-js-browser-umd (2.17.3)`",
    apply({ js, wasm, mode }) {
      const flavor = { js: mode === "module" ? "insights-js-browser-esm (2.17.3)" : "insights-js-browser-umd (2.17.3)", wasm: /^insights-js-wasm \(\d+\.\d+\.\d+\)$/ };
      for (const [side, view] of [["js", js], ["wasm", wasm]]) {
        for (const q of view.queries) {
          const agents = q["X-Algolia-Agent"];
          assert.equal(agents[0], "insights-js (2.17.3)");
          if (side === "js") assert.equal(agents[1], flavor.js);
          else assert.match(agents[1], flavor.wasm);
          agents[1] = "<flavor>";
        }
      }
    },
  },
  errorPrefix: {
    why: "errors start with the method's name (`init: optional region is incorrect…`)",
    apply({ wasm }) {
      for (const s of wasm.steps) {
        if (s.threw == null) continue;
        assert.ok(s.threw.startsWith(`${s.method}: `), `error does not name the method: ${s.threw}`);
        s.threw = s.threw.slice(s.method.length + 2);
      }
    },
  },
  aaVersion: {
    why: "the script-tag file sets `aa.version` to 2.17.3 (InstantSearch reads it); search-insights' script leaves what the snippet parsed from the URL (nothing for a URL without @version)",
    apply({ js, wasm, mode }) {
      assert.equal(wasm.aaVersion, "2.17.3");
      if (mode === "snippet") {
        assert.equal(js.aaVersion, "$undefined");
        wasm.aaVersion = js.aaVersion;
      }
    },
  },
};

/** Differences a scenario names in `differs: {name: option}`. */
export const NAMED = {
  rejectedAtCall: {
    why: "an event the Insights API would reject is refused at the call with an Error naming the method and field, and leaves no trace; search-insights sends it (the API rejects the whole request) and still records its queryIDs in, or purges, the query-ID cache",
    // option: {call, field, reason}: the refused call (the very array of the
    // scenario), the field this library's error names, and the API's reason
    // for rejecting search-insights' event.
    events: (count, { option }) => count - callEvents(option.call).length,
    apply({ js, wasm, scenario }, { call, field, reason }) {
      const step = scenario.calls.indexOf(call);
      assert.ok(step >= 0, "rejectedAtCall: the refused call is not one of the scenario's");
      const [method] = call;
      // This library: the call throws, naming the method and the field.
      const ours = wasm.steps.find((s) => s.step === step);
      const theirs = js.steps.find((s) => s.step === step);
      assert.equal(theirs.threw, null, "search-insights accepts the call");
      assert.ok(ours.threw, `this library should refuse step ${step} (${method})`);
      assert.ok(ours.threw.startsWith(`${method}: `), `the error should name the method: ${ours.threw}`);
      assert.ok(ours.threw.includes(field), `the error should name ${field}: ${ours.threw}`);
      ours.threw = theirs.threw;
      ours.returned = theirs.returned;
      // search-insights: exactly this call's events were sent, in one request,
      // and the API rejected each with `reason`.
      const names = callEvents(call).map((e) => e.eventName);
      const sent = js.events.filter((r) => names.includes(r.event.eventName) && !r.accepted);
      assert.equal(sent.length, names.length, `search-insights should have sent the refused call's ${names.length} event(s), rejected`);
      for (const r of sent) assert.equal(r.reason, reason, "the API's reason for rejecting search-insights' event");
      js.events = js.events.filter((r) => !sent.includes(r));
      for (const r of sent) removeFromOrder(js.order, orderKey(r.event), "rejectedAtCall");
      js.requestCount -= 1;
      dropRejectedRequestLogs(js, 1);
      assert.ok(!wasm.events.some((r) => names.includes(r.event.eventName)), "this library sent nothing for the refused call");
      // The query-ID cache: search-insights records the call's queryIDs
      // before sending (and purges purchased objectIDs once the beacon is
      // queued); this library leaves the cache as it was.
      const writes = cacheWrites(call);
      const purges = callEvents(call).some((e) => (method.startsWith("purchased") || e.eventSubtype === "purchase") && e.objectIDs?.length > 0);
      if (Object.keys(writes).length > 0 || purges) {
        const before = wasm.queryCache ?? {};
        for (const key of Object.keys(writes)) assert.ok(!(key in before), `this library remembered ${key} from a refused call`);
        const expected = { ...before, ...writes };
        if (purges) for (const e of callEvents(call)) for (const id of e.objectIDs || []) delete expected[`${e.index}_${id}`];
        assert.deepEqual(js.queryCache, expected, "search-insights' query-ID cache after the refused call");
        wasm.queryCache = js.queryCache;
      }
    },
  },
  numericUserToken: {
    why: "a numeric user token is sent as a string (the API requires strings and rejects search-insights' number); getUserToken still returns the number",
    apply({ js }, { token, reason }) {
      const numeric = js.events.filter((r) => typeof r.event.userToken === "number");
      assert.equal(numeric.length, 1, "search-insights should have sent one event with a numeric userToken");
      for (const r of numeric) {
        assert.equal(r.event.userToken, token);
        assert.equal(r.accepted, false);
        assert.equal(r.reason, reason);
        r.event.userToken = String(token);
        r.accepted = true;
        r.reason = null;
      }
      dropRejectedRequestLogs(js, 1);
    },
  },
  optOutClearsStorage: {
    why: "opting out deletes the `_ALGOLIA` cookie and the query-ID cache; search-insights leaves them",
    apply({ js, wasm }) {
      assert.ok(js.cookie, "search-insights keeps the cookie");
      assert.equal(wasm.cookie, null, "the cookie is deleted");
      wasm.cookie = js.cookie;
      wasm.cookieDays = js.cookieDays;
      if (js.queryCache != null) {
        assert.equal(wasm.queryCache, null, "the query-ID cache is deleted");
        wasm.queryCache = js.queryCache;
      }
    },
  },
  optedOutNoCookie: {
    why: "an opted-out visitor never gets an `_ALGOLIA` cookie, not even from `setAnonymousUserToken` or `saveTokenAsCookie` (search-insights writes it there)",
    apply({ js, wasm }) {
      assert.ok(js.cookie, "search-insights wrote the cookie");
      assert.equal(wasm.cookie, null);
      wasm.cookie = js.cookie;
      wasm.cookieDays = js.cookieDays;
    },
  },
  splitsLargeEvents: {
    why: "an event with more than 20 objectIDs is sent as several events of at most 20 (positions and objectData split in step), in order, in one request; search-insights sends it whole and the API rejects it",
    // option: {eventName, sizes, reason}: the big event, the sizes of its
    // parts, and the API's reason for rejecting search-insights' event.
    events: (count, { option }) => count + option.sizes.length - 1,
    apply({ js, wasm }, { eventName, sizes, reason }) {
      const big = js.events.filter((r) => r.event.eventName === eventName);
      assert.equal(big.length, 1, `search-insights should have sent "${eventName}" once`);
      const [r] = big;
      assert.equal(r.accepted, false);
      assert.equal(r.reason, reason, "the API's reason for rejecting search-insights' event");
      const ids = r.event.objectIDs;
      assert.equal(ids.length, sizes.reduce((a, b) => a + b, 0));
      // The parts: the objectIDs cut into chunks of `sizes`, in order; every
      // other field as search-insights' single event.
      let from = 0;
      const expected = sizes.map((size) => {
        const slice = (list) => list && list.slice(from, from + size);
        const part = { ...r.event, objectIDs: slice(ids) };
        for (const key of ["positions", "objectData"]) if (r.event[key]) part[key] = slice(r.event[key]);
        from += size;
        return part;
      });
      const parts = wasm.events.filter((w) => w.event.eventName === eventName);
      const byFirst = (p) => ids.indexOf(p.event.objectIDs[0]);
      parts.sort((a, b) => byFirst(a) - byFirst(b));
      assert.deepEqual(
        parts.map(({ accepted, reason, event: { timestamp, ...rest } }) => ({ accepted, reason, event: rest })),
        expected.map((event) => ({ accepted: true, reason: null, event })),
        "this library's parts of the big event"
      );
      const stamps = new Set(parts.map((p) => p.event.timestamp));
      assert.equal(stamps.size, 1, "the parts carry the big event's one capture timestamp");
      const at = wasm.order.indexOf(orderKey(expected[0]));
      assert.deepEqual(wasm.order.slice(at, at + sizes.length), expected.map(orderKey), "the parts are sent one after the other, in order");
      wasm.order.splice(at, sizes.length, orderKey(r.event));
      wasm.events = wasm.events.filter((w) => !parts.includes(w));
      wasm.events.push({ accepted: true, reason: null, event: { ...r.event, timestamp: parts[0].event.timestamp } });
      r.accepted = true;
      r.reason = null;
      dropRejectedRequestLogs(js, 1);
    },
  },
  emptyTokenOmitted: {
    why: "an `authenticatedUserToken` set to \"\" or null is left out of the event instead of being sent as \"\" or null",
    apply({ js, wasm }) {
      const empty = js.events.filter((r) => r.event.authenticatedUserToken === "" || r.event.authenticatedUserToken === null);
      assert.ok(empty.length > 0, "search-insights should have sent an empty or null authenticatedUserToken");
      for (const r of empty) delete r.event.authenticatedUserToken;
      assert.ok(wasm.events.every((r) => !("authenticatedUserToken" in r.event)));
    },
  },
  queueSurvivesErrors: {
    why: "a queued call that throws is reported on the console and the queue goes on; in search-insights the error escapes its script, later queued calls never run and `aa` never starts",
    // option: {thrower, error, lost}: the queued call that throws, its
    // message, and the event of a later queued call search-insights loses.
    // `control` is search-insights' run of the same queue without `thrower`:
    // what this library sends must be what search-insights sends then.
    events: (count, { control }) => control.events.length,
    apply({ js, wasm, control }, { thrower, error, lost }) {
      assert.deepEqual(js.console, [`pageerror: ${error}`], "search-insights' script throws the call's error");
      const ours = wasm.console.filter((m) => m.startsWith("error: "));
      assert.equal(ours.length, 1, `this library reports the error once on the console: ${JSON.stringify(wasm.console)}`);
      assert.ok(ours[0].includes(`${thrower[0]}: ${error}`), `the console error names the method and the error: ${ours[0]}`);
      assert.ok(!wasm.console.some((m) => m.startsWith("pageerror: ")), "nothing escapes to the page");
      assert.equal(js.loaded, false, "search-insights never took over `aa`");
      assert.equal(wasm.loaded, true);
      js.loaded = true;
      js.console = [];
      wasm.console = wasm.console.filter((m) => m !== ours[0]);
      assert.equal(js.events.length, 0, "search-insights sent nothing");
      assert.deepEqual([js.queries, js.endpoints, js.order, js.requestCount], [[], [], [], 0]);
      // What survives is what search-insights sends without the throwing call.
      assert.ok(control.events.some((r) => r.event.eventName === lost), `the control run sends "${lost}"`);
      assert.deepEqual(
        wasm.events.map(({ event: { timestamp, ...rest }, ...r }) => ({ ...r, event: rest })),
        control.events,
        "the surviving events, field by field"
      );
      const flavorless = (queries) => queries.map((q) => ({ ...q, "X-Algolia-Agent": q["X-Algolia-Agent"].slice(0, 1) }));
      assert.deepEqual(flavorless(wasm.queries), flavorless(control.queries), "query strings of the surviving requests");
      assert.deepEqual(wasm.endpoints, control.endpoints, "endpoints of the surviving requests");
      assert.deepEqual(wasm.order, control.order, "order of the surviving events");
      assert.equal(wasm.requestCount, control.requestCount, "requests of the surviving events");
      wasm.events = [];
      wasm.queries = [];
      wasm.endpoints = [];
      wasm.order = [];
      wasm.requestCount = 0;
    },
  },
  agentWithoutInit: {
    why: "without `init`, search-insights sends an empty `X-Algolia-Agent` (its agent list is filled by `init`); this library always names itself",
    apply({ js }) {
      const empty = js.queries.filter((q) => q["X-Algolia-Agent"] === undefined || q["X-Algolia-Agent"].join("") === "");
      assert.ok(empty.length > 0, "search-insights should have sent an empty agent");
      for (const q of empty) q["X-Algolia-Agent"] = ["insights-js (2.17.3)", "insights-js-browser-umd (2.17.3)"];
    },
  },
  memoryQueryCache: {
    why: "when localStorage is unusable, queryIDs are still remembered in memory for the page, so `inferQueryID` keeps working; search-insights then infers nothing",
    // option: {eventName, queryIDs}: the event whose queryIDs are inferred,
    // and the queryID the scenario gave each of its objectIDs before.
    apply({ js, wasm }, { eventName, queryIDs }) {
      assert.ok(!js.events.some((r) => r.event.objectIDsWithInferredQueryID), "search-insights infers nothing without storage");
      const inferred = wasm.events.filter((r) => r.event.objectIDsWithInferredQueryID);
      assert.deepEqual(inferred.map((r) => r.event.eventName), [eventName], "events with inferred queryIDs");
      const [{ event }] = inferred;
      assert.deepEqual(event.objectIDsWithInferredQueryID, Object.keys(queryIDs), "objectIDs whose queryID was inferred");
      assert.deepEqual(
        event.objectData.map((d) => d.queryID),
        event.objectIDs.map((id) => queryIDs[id]),
        "the inferred queryIDs are those the scenario set for the objectIDs"
      );
      delete event.objectIDsWithInferredQueryID;
      event.objectData = event.objectData.map(({ queryID, ...rest }) => rest);
      if (event.objectData.every((d) => Object.keys(d).length === 0)) delete event.objectData;
    },
  },
  batches: {
    why: "events are batched: calls made together go out in one request (search-insights makes one per call)",
    // option: the number of requests this library makes.
    apply({ js, wasm }, requests) {
      assert.equal(wasm.requestCount, requests, "requests this library made");
      assert.ok(js.requestCount > requests, `search-insights made ${js.requestCount} request(s): batching should make fewer`);
      wasm.requestCount = js.requestCount;
    },
  },
};

/**
 * How many events this library must deliver: as many as search-insights'
 * run `js` (normalised) delivered, changed by the scenario's differences.
 */
export function expectedEvents(js, scenario, control) {
  let count = js.events.length;
  for (const [name, option] of Object.entries(scenario.differs || {})) {
    if (NAMED[name]?.events) count = NAMED[name].events(count, { option, control });
  }
  return count;
}

/** Applies every difference; `scenario.differs` names the scenario's own (`batches` last: it needs the others' request counts). */
export function reconcile(context) {
  const named = Object.entries(context.scenario.differs || {}).sort(([a], [b]) => (a === "batches") - (b === "batches"));
  for (const [name, option] of named) {
    const d = NAMED[name];
    assert.ok(d, `unknown difference ${name}`);
    d.apply(context, option);
  }
  for (const d of Object.values(ALWAYS)) d.apply(context);
}

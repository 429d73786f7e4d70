// The differences between this library and search-insights that are there on
// purpose. Each one first asserts that the difference really shows (so it
// can fail, and is never a silent skip), then rewrites this library's side
// (or search-insights' side) into the other's form so that everything else
// is still compared.
import assert from "node:assert/strict";

/**
 * Chromium logs a console error for each request the API answered 4xx. When
 * search-insights' request was rejected, its page has them and ours does not.
 */
function dropRejectedRequestLogs(view) {
  const line = /^error: Failed to load resource: the server responded with a status of 4\d\d/;
  assert.ok(view.console.some((m) => line.test(m)), "the rejected request shows on search-insights' console");
  view.console = view.console.filter((m) => !line.test(m));
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
    apply({ js, wasm }, expected) {
      const texts = [].concat(expected);
      const refused = wasm.steps.filter((s, i) => s.threw && !js.steps[i].threw);
      assert.ok(refused.length > 0, "expected this library to refuse a call that search-insights accepts");
      refused.forEach((s, n) => {
        const text = texts[Math.min(n, texts.length - 1)];
        assert.ok(s.threw.includes(text), `expected the error to mention ${JSON.stringify(text)}: ${s.threw}`);
        const theirs = js.steps.find((t) => t.step === s.step);
        s.threw = theirs.threw;
        s.returned = theirs.returned;
      });
      const rejected = js.events.filter((r) => !r.accepted);
      assert.ok(rejected.length > 0, "search-insights' events for the refused call should have been rejected by the API");
      js.events = js.events.filter((r) => r.accepted);
      dropRejectedRequestLogs(js);
      assert.ok(wasm.events.every((r) => r.accepted), "this library sent an event the API rejected");
      if (JSON.stringify(wasm.queryCache) !== JSON.stringify(js.queryCache)) {
        assert.equal(wasm.queryCache, null, "a refused call leaves the query-ID cache alone");
        wasm.queryCache = js.queryCache;
      }
    },
  },
  numericUserToken: {
    why: "a numeric user token is sent as a string (the API requires strings and rejects search-insights' number); getUserToken still returns the number",
    apply({ js }) {
      const numeric = js.events.filter((r) => typeof r.event.userToken === "number");
      assert.ok(numeric.length > 0, "search-insights should have sent a numeric userToken");
      for (const r of numeric) {
        assert.equal(r.accepted, false);
        assert.match(r.reason, /userToken/);
        r.event.userToken = String(r.event.userToken);
        r.accepted = true;
        r.reason = null;
      }
      dropRejectedRequestLogs(js);
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
    why: "an event with more than 20 objectIDs is sent as several events of at most 20 (positions and objectData split in step); search-insights sends it whole and the API rejects it",
    apply({ js, wasm }) {
      const big = js.events.filter((r) => (r.event.objectIDs || []).length > 20);
      assert.ok(big.length > 0, "search-insights should have sent an event with more than 20 objectIDs");
      for (const r of big) {
        assert.equal(r.accepted, false);
        assert.match(r.reason, /more than 20/);
        const parts = wasm.events.filter(
          (w) => w.event.eventName === r.event.eventName && w.event.objectIDs && r.event.objectIDs.includes(w.event.objectIDs[0])
        );
        parts.sort((a, b) => r.event.objectIDs.indexOf(a.event.objectIDs[0]) - r.event.objectIDs.indexOf(b.event.objectIDs[0]));
        assert.deepEqual(parts.map((p) => p.event.objectIDs.length), expectedSizes(r.event.objectIDs.length));
        assert.ok(parts.every((p) => p.accepted));
        const merged = { ...parts[0].event };
        for (const key of ["objectIDs", "positions", "objectData"]) {
          if (merged[key]) merged[key] = parts.flatMap((p) => p.event[key]);
        }
        wasm.events = wasm.events.filter((w) => !parts.includes(w));
        wasm.events.push({ accepted: true, reason: null, event: merged });
        r.accepted = true;
        r.reason = null;
      }
      dropRejectedRequestLogs(js);
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
    apply({ js, wasm }, lostEventName) {
      assert.ok(js.console.some((m) => m.startsWith("pageerror: ")), "search-insights' script should have thrown");
      assert.ok(!js.console.some((m) => m.startsWith("error: ")));
      assert.ok(wasm.console.some((m) => m.startsWith("error: ")), "the error should be on the console");
      assert.ok(!wasm.console.some((m) => m.startsWith("pageerror: ")));
      assert.equal(js.loaded, false, "search-insights never took over `aa`");
      assert.equal(wasm.loaded, true);
      js.loaded = true;
      js.console = js.console.filter((m) => !m.startsWith("pageerror: "));
      wasm.console = wasm.console.filter((m) => !m.startsWith("error: "));
      assert.ok(!js.events.some((r) => r.event.eventName === lostEventName), "search-insights lost the later call");
      assert.ok(wasm.events.some((r) => r.event.eventName === lostEventName), "this library ran the later call");
      wasm.events = wasm.events.filter((r) => r.event.eventName !== lostEventName);
      assert.deepEqual([js.queries, js.endpoints], [[], []], "search-insights sent nothing");
      wasm.queries = [];
      wasm.endpoints = [];
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
    apply({ js, wasm }) {
      const inferred = wasm.events.filter((r) => r.event.objectIDsWithInferredQueryID);
      assert.ok(inferred.length > 0, "this library should have inferred a queryID from memory");
      assert.ok(!js.events.some((r) => r.event.objectIDsWithInferredQueryID), "search-insights infers nothing without storage");
      for (const r of inferred) {
        delete r.event.objectIDsWithInferredQueryID;
        r.event.objectData = r.event.objectData.map(({ queryID, ...rest }) => rest);
        if (r.event.objectData.every((d) => Object.keys(d).length === 0)) delete r.event.objectData;
      }
    },
  },
};

function expectedSizes(n) {
  const sizes = [];
  for (let left = n; left > 0; left -= 20) sizes.push(Math.min(20, left));
  return sizes;
}

/** Applies every difference; `scenario.differs` names the scenario's own. */
export function reconcile(context) {
  for (const [name, option] of Object.entries(context.scenario.differs || {})) {
    const d = NAMED[name];
    assert.ok(d, `unknown difference ${name}`);
    d.apply(context, option);
  }
  for (const d of Object.values(ALWAYS)) d.apply(context);
}

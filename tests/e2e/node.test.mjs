// The npm package in Node.js, as a user gets it: `npm pack` of pkg/,
// installed offline from an empty cache into scratch projects, and real Node
// processes (scripts in tests/node-apps/) that send to the local endpoint:
// ESM and CommonJS sends (the event, the credentials on the wire, the
// process exiting by itself), a search-insights backend run unchanged (a
// custom requestFn gets `(url, data)` and nothing reaches the network; the
// Node requester delivers), anonymous tokens, synchronous getters,
// search-insights' AlgoliaAnalytics class with processQueue and
// getFunctionalInterface, and a bare server-side import that prints nothing.
// search-insights itself runs the backend and anonymous scripts as the
// reference. Needs `make build` first.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { startServer, uniqueAppId, ROOT } from "./harness.mjs";
import { packPackage, scratchProject, runNode, exitedCleanly, report, describe } from "./packed.mjs";

const API_KEY = "node-secret-key";
// What the endpoint records of it: never the key itself.
const MASKED_KEY = "node…";
const SEARCH_INSIGHTS_VERSION = JSON.parse(readFileSync(join(ROOT, "node_modules/search-insights/package.json"), "utf8")).version;
// search-insights' named exports, and this package's getRequesterForBrowser.
const NAMED = ["createInsightsClient", "getRequesterForNode", "getRequesterForBrowser", "AlgoliaAnalytics", "LocalStorage", "getFunctionalInterface", "processQueue"];
// search-insights' anonymous token: `anonymous-` and a version 4 UUID.
const ANONYMOUS = /^anonymous-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let work, app, dropin, reference, server;

before(async () => {
  let tarball;
  ({ work, tarball } = packPackage("node"));
  // `import`/`require("search-insights-wasm")`.
  app = scratchProject(work, "app", {
    install: tarball,
    files: { "send.mjs": "send.mjs", "send.cjs": "send.cjs", "getters.mjs": "getters.mjs", "getters.cjs": "getters.cjs", "class.cjs": "class.cjs", "dropped.cjs": "dropped.cjs" },
  });
  // Code written for search-insights, with this package installed under that name.
  dropin = scratchProject(work, "dropin", {
    install: `search-insights@file:${tarball}`,
    files: { "backend.cjs": "backend.cjs", "requester.cjs": "requester.cjs", "anonymous.cjs": "anonymous.cjs" },
  });
  // The same code with the real search-insights, as the reference.
  reference = scratchProject(work, "reference", {
    links: ["search-insights"],
    files: { "backend.cjs": "backend.cjs", "anonymous.cjs": "anonymous.cjs" },
  });
  server = await startServer();
});

after(async () => {
  await server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

const envFor = (appId) => ({ INSIGHTS_HOST: server.url, INSIGHTS_APP_ID: appId, INSIGHTS_API_KEY: API_KEY });

/** The one POST to /1/events recorded for `appId`: its credentials and agent as received. */
async function assertOnePost(appId) {
  const requests = await server.requests({ appId });
  assert.equal(requests.length, 1, "one request, no preflight: " + JSON.stringify(requests));
  const [post] = requests;
  assert.equal(post.method, "POST");
  assert.equal(post.path, "/1/events");
  assert.equal(post.status, 200, post.message);
  assert.equal(post.appId, appId, "the application id on the wire");
  assert.equal(post.apiKey, MASKED_KEY, "the API key on the wire (masked by the endpoint)");
  assert.match(post.agent, /^insights-js \(\d+\.\d+\.\d+\)/, "the Algolia agent on the wire");
  return post;
}

test("Node ESM: import aa, init, await a click: the event and the credentials arrive, the Promise is true, the process exits by itself", async () => {
  const appId = uniqueAppId("node-esm");
  const result = await runNode(["send.mjs"], { cwd: app, env: envFor(appId) });
  exitedCleanly(assert, result);
  assert.equal(result.stderr, "", "nothing on stderr");
  const out = report(result);
  assert.equal(out.result, true, "the event Promise resolved true");
  assert.ok(out.resolved.endsWith("/node_modules/search-insights-wasm/index-node.mjs"), `Node's import resolves the node entry: ${out.resolved}`);
  assert.equal(out.defaultIsAa, true, "the default export is aa");
  for (const name of NAMED) assert.equal(out.named[name], "function", `named export ${name}`);

  await assertOnePost(appId);
  const events = await server.events({ appId });
  assert.equal(events.length, 1, JSON.stringify(events));
  assert.equal(events[0].accepted, true, events[0].reason);
  const { eventType, eventName, index, objectIDs, userToken } = events[0].event;
  assert.deepEqual(
    { eventType, eventName, index, objectIDs, userToken },
    { eventType: "click", eventName: "Node ESM click", index: "products", objectIDs: ["esm-1", "esm-2"], userToken: "user-1" }
  );
});

test("Node CommonJS: require gives aa with search-insights' named exports on it; the click arrives; the process exits by itself", async () => {
  const appId = uniqueAppId("node-cjs");
  const result = await runNode(["send.cjs"], { cwd: app, env: envFor(appId) });
  exitedCleanly(assert, result);
  assert.equal(result.stderr, "", "nothing on stderr");
  const out = report(result);
  assert.equal(out.result, true, "the event Promise resolved true");
  assert.equal(out.type, "function", "module.exports is aa");
  assert.equal(out.sameModule, true);
  assert.ok(out.resolved.endsWith("/node_modules/search-insights-wasm/index-node.cjs"), `require resolves the node entry: ${out.resolved}`);
  for (const name of NAMED) assert.equal(out.named[name], "function", `aa.${name}`);

  await assertOnePost(appId);
  const events = await server.events({ appId });
  assert.equal(events.length, 1, JSON.stringify(events));
  assert.equal(events[0].accepted, true, events[0].reason);
  assert.equal(events[0].event.eventName, "Node CJS click");
  assert.equal(events[0].event.userToken, "user-1");
  assert.deepEqual(events[0].event.objectIDs, ["cjs-1"]);
});

test("a client that nothing references any more, collected while its request is in flight, still gets the answer and settles its Promise", async () => {
  const result = await runNode(["--expose-gc", "dropped.cjs"], { cwd: app, env: envFor(uniqueAppId("node-gc")) });
  assert.equal(result.stderr, "", "nothing on stderr");
  // (Without the fix the Promise never settles: the script prints nothing.)
  const out = report(result);
  exitedCleanly(assert, result);
  assert.equal(out.collected, true, "the client was collected (else this test shows nothing)");
  assert.deepEqual(out.requested, ["gc-1"], "the event went to the requestFn");
  assert.equal(out.result, true, "the event Promise resolved true once the requestFn answered");
});

// backend.cjs's events through its custom requestFn, as compared.
const BACKEND_EVENTS = [
  { eventType: "click", eventName: "Backend click", index: "products", queryID: "0123456789abcdef0123456789abcdef", objectIDs: ["b-1", "b-2"], positions: [1, 2], userToken: "backend-user" },
  { eventType: "conversion", eventName: "Backend conversion", index: "products", queryID: "0123456789abcdef0123456789abcdef", objectIDs: ["b-1"], userToken: "backend-user" },
  { eventType: "view", eventName: "Backend view", index: "products", objectIDs: ["b-3"], userToken: "other-user" },
];

async function runBackend(dir, label) {
  const appId = uniqueAppId(label);
  const result = await runNode(["backend.cjs"], { cwd: dir, env: envFor(appId) });
  exitedCleanly(assert, result);
  assert.equal(result.stderr, "", "nothing on stderr");
  const out = report(result);
  assert.deepEqual(out.results, [true, true, true], "each event Promise resolved true");

  // The custom requestFn: called with (url, data), search-insights' url, data = {events}.
  assert.ok(out.calls.length >= 1, "requestFn was called");
  const prefix = `${server.url}/1/events?X-Algolia-Application-Id=${appId}&X-Algolia-API-Key=${API_KEY}&X-Algolia-Agent=`;
  for (const call of out.calls) {
    assert.equal(call.args, 2, "requestFn(url, data)");
    assert.ok(call.url.startsWith(prefix), `${call.url} starts with ${prefix}`);
    assert.match(decodeURIComponent(call.url.slice(prefix.length)), /^insights-js \(\d+\.\d+\.\d+\)/);
    assert.deepEqual(Object.keys(call.data), ["events"]);
  }
  const sent = out.calls
    .flatMap((call) => call.data.events)
    .map(({ eventType, eventName, index, queryID, objectIDs, positions, userToken }) =>
      Object.fromEntries(Object.entries({ eventType, eventName, index, queryID, objectIDs, positions, userToken }).filter(([, v]) => v !== undefined))
    )
    .sort((a, b) => a.eventName.localeCompare(b.eventName));
  assert.deepEqual(sent, BACKEND_EVENTS);
  assert.deepEqual(await server.requests({ appId }), [], "with a custom requestFn nothing reaches the network");
}

test("reference: the search-insights backend script runs against search-insights itself", async () => {
  await runBackend(reference, "backend-ref");
});

test("a search-insights backend runs unchanged: require, init, userToken events; createInsightsClient(requestFn) gets (url, {events}) and nothing reaches the network", async () => {
  await runBackend(dropin, "backend");
});

test("a search-insights backend with the library's transport: createInsightsClient(getRequesterForNode()) and the default aa deliver to the endpoint", async () => {
  const appId = uniqueAppId("requester");
  const result = await runNode(["requester.cjs"], { cwd: dropin, env: envFor(appId) });
  exitedCleanly(assert, result);
  assert.equal(result.stderr, "", "nothing on stderr");
  const out = report(result);
  assert.equal(out.directResult, true);
  assert.deepEqual(out.defaultResults, [true, true]);
  assert.match(out.token, ANONYMOUS, "the default aa's event without a userToken made an anonymous token");

  await assertOnePost(`${appId}-direct`);
  const direct = await server.events({ appId: `${appId}-direct` });
  assert.equal(direct.length, 1, JSON.stringify(direct));
  assert.equal(direct[0].accepted, true, direct[0].reason);
  assert.deepEqual([direct[0].event.eventName, direct[0].event.userToken], ["Backend direct click", "direct-user"]);

  const byDefault = await server.events({ appId: `${appId}-default` });
  assert.deepEqual(
    byDefault.map((r) => [r.accepted, r.event.eventName, r.event.userToken]).sort(),
    [
      [true, "Backend default conversion", "default-user"],
      [true, "Backend default view", out.token],
    ]
  );
});

async function runAnonymous(dir, label) {
  const appId = uniqueAppId(label);
  const result = await runNode(["anonymous.cjs"], { cwd: dir, env: envFor(appId) });
  exitedCleanly(assert, result);
  assert.equal(result.stderr, "", "no error, nothing on stderr");
  const out = report(result);
  assert.equal(out.tokenBefore, null, "no token before the first event");
  assert.equal(out.first, true);
  assert.equal(out.second, true);
  assert.match(out.after, ANONYMOUS, "the first event made an anonymous token");
  const events = await server.events({ appId });
  assert.equal(events.length, 2, JSON.stringify(events));
  for (const record of events) {
    assert.equal(record.accepted, true, record.reason);
    assert.equal(record.event.userToken, out.after, "both events carry that token");
  }
}

test("reference: search-insights in Node without a user token sends an anonymous- token", async () => {
  await runAnonymous(reference, "anon-ref");
});

test("Node without a user token: the events carry an in-memory anonymous- token, as with search-insights; no error", async () => {
  await runAnonymous(dropin, "anon");
});

for (const [kind, file] of [
  ["ESM", "getters.mjs"],
  ["CommonJS", "getters.cjs"],
]) {
  test(`Node ${kind}: getVersion, setUserToken and getUserToken answer synchronously right after the import; no aa.queue`, async () => {
    const result = await runNode([file], { cwd: app });
    exitedCleanly(assert, result);
    assert.equal(result.stderr, "");
    assert.deepEqual(report(result), {
      versionType: "string",
      version: SEARCH_INSIGHTS_VERSION,
      token: "u",
      callback: { error: null, value: "u" },
      queue: "none",
    });
  });
}

/** The methods of a search-insights AlgoliaAnalytics instance (own and inherited, no private `_` ones). */
function methodNames(instance) {
  const names = new Set();
  for (let o = instance; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const key of Object.getOwnPropertyNames(o)) if (key !== "constructor" && !key.startsWith("_") && typeof instance[key] === "function") names.add(key);
  }
  return [...names].sort();
}

test("AlgoliaAnalytics in Node: every method of search-insights' class is an instance method the library knows; it sends through its requestFn; processQueue and getFunctionalInterface drive it", async () => {
  const { AlgoliaAnalytics } = await import("search-insights");
  const names = methodNames(new AlgoliaAnalytics({ requestFn: () => Promise.resolve(true) }));
  assert.ok(names.includes("clickedObjectIDsAfterSearch") && names.length >= 20, `search-insights' methods: ${names}`);
  const appId = uniqueAppId("class");
  const result = await runNode(["class.cjs"], { cwd: app, env: { ...envFor(appId), INSIGHTS_METHODS: JSON.stringify(names) } });
  exitedCleanly(assert, result);
  assert.equal(result.stderr, "", "nothing on stderr");
  const out = report(result);
  assert.equal(out.control, 2, "an unknown method is seen as such (getFunctionalInterface, aa)");
  assert.deepEqual(Object.keys(out.methods), names);
  assert.deepEqual(
    Object.entries(out.methods).filter(([, outcome]) => outcome !== "ran" && outcome !== "argument error"),
    [],
    "every method exists and is known"
  );
  assert.equal(out.version, SEARCH_INSIGHTS_VERSION);
  assert.equal(out.queuedToken, "queued-user", "processQueue ran the queued call on the instance");
  assert.equal(out.result, true);
  const prefix = `${server.url}/1/events?X-Algolia-Application-Id=${appId}&X-Algolia-API-Key=${API_KEY}&X-Algolia-Agent=`;
  assert.ok(out.calls.length >= 1 && out.calls.every((call) => call.url.startsWith(prefix)), JSON.stringify(out.calls));
  const events = out.calls.flatMap((call) => call.events);
  assert.deepEqual(
    events.map((e) => [e.eventType, e.eventName, e.objectIDs, e.userToken]),
    [["click", "Class click", ["k-1"], "queued-user"]]
  );
  assert.deepEqual(await server.requests({ appId }), [], "the instance's requestFn carried it: nothing reached the network");
});

for (const [kind, args] of [
  ["ESM import", ["--input-type=module", "-e", "await import('search-insights-wasm');"]],
  ["CommonJS require", ["-e", "require('search-insights-wasm');"]],
  ["ESM import with init", ["--input-type=module", "-e", "const { default: aa } = await import('search-insights-wasm'); aa('init', { appId: 'ssr-app', apiKey: 'key' }); aa('setUserToken', 'ssr-user');"]],
  ["CommonJS require with init", ["-e", "const aa = require('search-insights-wasm'); aa('init', { appId: 'ssr-app', apiKey: 'key' }); aa('setUserToken', 'ssr-user');"]],
]) {
  test(`a bare server-side ${kind} prints nothing and leaves nothing running: the process exits by itself with code 0`, async () => {
    const result = await runNode(args, { cwd: app });
    exitedCleanly(assert, result);
    assert.equal(result.stdout, "", describe(result));
    assert.equal(result.stderr, "", describe(result));
  });
}

// search-insights' transport contract in a real browser: a client made with
// `createInsightsClient(requestFn)` hands every request to
// `requestFn(url, data)` and nothing goes to the network by itself; its
// answers (true, false, a status number, a rejection, a throw) decide
// delivery and retries; the page being hidden sends through it too. The
// requesters search-insights exports, its AlgoliaAnalytics class,
// getFunctionalInterface, processQueue and LocalStorage work on top of this
// library's clients.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, makeSite, launchBrowser, waitFor, uniqueAppId, watchConsole } from "./harness.mjs";

// `?app=…&answers=[…]&init={…}`: the page's own client, made with a
// requestFn that records each call and answers with the next of `answers`
// ("throw", "reject", or a value). It is made at the top of the module, as a
// site makes it, while the wasm is still loading.
const PAGE = `<!doctype html><html><body><script type="module">
  import * as insights from "/pkg/index.mjs";
  window.insights = insights;
  const params = new URLSearchParams(location.search);
  const answers = JSON.parse(params.get("answers") || "[true]");
  window.calls = [];
  window.reports = [];
  const aa = insights.createInsightsClient((...args) => {
    const [url, data] = args;
    window.calls.push({ url, data: JSON.parse(JSON.stringify(data)), args: args.length });
    const answer = answers.length > 1 ? answers.shift() : answers[0];
    if (answer === "throw") throw new Error("requestFn threw");
    if (answer === "reject") return Promise.reject(new Error("requestFn rejected"));
    return Promise.resolve(answer);
  });
  window.aa = aa;
  aa("init", Object.assign({ appId: params.get("app"), apiKey: "key", host: location.origin }, JSON.parse(params.get("init") || "{}")));
  aa("onDelivery", (report) => window.reports.push(report));
  aa("getUserToken", null, () => { window.ready = true; });
</script></body></html>`;

let server, browser;
before(async () => {
  server = await startServer({ www: makeSite({ "request-fn.html": PAGE }) });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

async function open(label, answers = [true], init = {}) {
  const app = uniqueAppId(label);
  const page = await browser.newPage();
  const messages = watchConsole(page);
  const query = new URLSearchParams({ app, answers: JSON.stringify(answers), init: JSON.stringify(init) });
  await page.goto(`${server.url}/request-fn.html?${query}`);
  await waitFor(() => page.evaluate(() => window.ready === true), "the page's module");
  return { app, page, messages };
}

const click = (id) => ({ index: "products", eventName: "Transport click", objectIDs: [id], userToken: "rf-user" });

test("requestFn receives (url, data) with search-insights' url and {events}; nothing reaches the network", async () => {
  const { app, page, messages } = await open("rf-true");
  const result = await page.evaluate((event) => window.aa("clickedObjectIDs", event), click("1"));
  assert.equal(result, true);
  const calls = await page.evaluate(() => window.calls);
  assert.equal(calls.length, 1);
  assert.equal(calls[0].args, 2, "called with (url, data)");
  const url = new URL(calls[0].url);
  assert.equal(url.origin + url.pathname, `${server.url}/1/events`);
  assert.equal(url.searchParams.get("X-Algolia-Application-Id"), app);
  assert.equal(url.searchParams.get("X-Algolia-API-Key"), "key");
  assert.match(url.searchParams.get("X-Algolia-Agent"), /^insights-js \(2\.17\.3\); insights-js-wasm \(/);
  assert.deepEqual(Object.keys(calls[0].data), ["events"]);
  assert.equal(calls[0].data.events.length, 1);
  const [event] = calls[0].data.events;
  assert.deepEqual(
    { eventType: event.eventType, eventName: event.eventName, index: event.index, objectIDs: event.objectIDs, userToken: event.userToken },
    { eventType: "click", eventName: "Transport click", index: "products", objectIDs: ["1"], userToken: "rf-user" }
  );
  assert.deepEqual(await page.evaluate(() => window.reports.map((r) => [r.status, r.delivered])), [[200, true]]);
  assert.deepEqual(await server.requests({ appId: app }), [], "the library itself sent nothing");
  assert.deepEqual(messages.filter((m) => m.type === "error" || m.type === "pageerror"), []);
  await page.close();
});

test("requestFn answering false, rejecting or throwing: the events are retried through it and delivered once", async () => {
  for (const failure of [false, "reject", "throw"]) {
    const { app, page, messages } = await open("rf-retry", [failure, true]);
    const result = await page.evaluate((event) => window.aa("clickedObjectIDs", event), click("2"));
    assert.equal(result, true, `after ${failure}`);
    const calls = await page.evaluate(() => window.calls);
    assert.equal(calls.length, 2, `one failed try, one retry (${failure})`);
    assert.deepEqual(calls[1].data, calls[0].data, "the same events again");
    const reports = await page.evaluate(() => window.reports);
    assert.deepEqual(
      reports.map((r) => [r.status, r.delivered, r.willRetry]),
      [
        [null, false, true],
        [200, true, false],
      ],
      `${failure}: ${JSON.stringify(reports)}`
    );
    const said = { false: "requestFn resolved false", reject: "Error: requestFn rejected", throw: "Error: requestFn threw" }[String(failure)];
    assert.ok(reports[0].message.includes(said), `${reports[0].message} names ${said}`);
    assert.deepEqual(await server.requests({ appId: app }), []);
    assert.deepEqual(messages.filter((m) => m.type === "pageerror"), []);
    await page.close();
  }
});

test("requestFn answering a status number: 422 is not retried (the Promise resolves false), 503 is", async () => {
  const refusing = await open("rf-422", [422]);
  const refused = await refusing.page.evaluate((event) => window.aa("clickedObjectIDs", event), click("3"));
  assert.equal(refused, false);
  assert.equal(await refusing.page.evaluate(() => window.calls.length), 1, "422 is final");
  assert.deepEqual(await refusing.page.evaluate(() => window.reports.map((r) => [r.status, r.willRetry])), [[422, false]]);
  await refusing.page.close();
  const retrying = await open("rf-503", [503, 200]);
  const retried = await retrying.page.evaluate((event) => window.aa("clickedObjectIDs", event), click("4"));
  assert.equal(retried, true);
  assert.deepEqual(await retrying.page.evaluate(() => window.reports.map((r) => [r.status, r.willRetry])), [
    [503, true],
    [200, false],
  ]);
  await retrying.page.close();
});

test("the page being hidden sends what is queued through requestFn, without waiting for the flush delay", async () => {
  const { page } = await open("rf-hide", [true], { flushDelay: 60000 });
  await page.evaluate((event) => {
    window.pending = window.aa("clickedObjectIDs", event);
  }, click("5"));
  assert.equal(await page.evaluate(() => window.calls.length), 0, "the flush delay holds the event");
  await page.evaluate(() => window.dispatchEvent(new Event("pagehide")));
  await waitFor(() => page.evaluate(() => window.calls.length === 1), "the hide flush through requestFn");
  assert.deepEqual(await page.evaluate(() => window.calls[0].data.events.map((e) => e.objectIDs[0])), ["5"]);
  assert.equal(await page.evaluate(() => window.pending), true);
  await page.close();
});

test("getRequesterForBrowser: works on its own, and given to createInsightsClient sends with the built-in transport", async () => {
  const { app, page } = await open("rf-browser");
  const result = await page.evaluate(async ([app, event]) => {
    const requester = window.insights.getRequesterForBrowser();
    const url = `${location.origin}/1/events?X-Algolia-Application-Id=${app}&X-Algolia-API-Key=key`;
    const alone = await requester(url, { events: [Object.assign({ eventType: "click" }, event, { objectIDs: ["alone"] })] });
    const aa = window.insights.createInsightsClient(requester);
    aa("init", { appId: app, apiKey: "key", host: location.origin });
    const viaClient = await aa("clickedObjectIDs", Object.assign({}, event, { objectIDs: ["client"] }));
    return { alone, viaClient };
  }, [app, click("x")]);
  assert.deepEqual(result, { alone: true, viaClient: true });
  const events = await waitFor(async () => {
    const records = await server.events({ appId: app });
    return records.length === 2 && records;
  }, "both events at the endpoint");
  assert.deepEqual(events.map((r) => [r.accepted, r.event.objectIDs[0]]).sort(), [
    [true, "alone"],
    [true, "client"],
  ]);
  await page.close();
});

test("AlgoliaAnalytics with processQueue and getFunctionalInterface run a snippet's queue; LocalStorage stores JSON", async () => {
  const { app, page, messages } = await open("rf-class");
  const state = await page.evaluate(async ([app, event]) => {
    const { AlgoliaAnalytics, processQueue, getFunctionalInterface, LocalStorage } = window.insights;
    const sent = [];
    const instance = new AlgoliaAnalytics({ requestFn: (url, data) => (sent.push(...data.events), Promise.resolve(true)) });
    // A snippet's stub under another name, with calls queued before the library ran.
    const previous = window.AlgoliaAnalyticsObject;
    window.AlgoliaAnalyticsObject = "myAa";
    window.myAa = function () {
      (window.myAa.queue = window.myAa.queue || []).push(arguments);
    };
    window.myAa("init", { appId: app, apiKey: "key", host: location.origin });
    window.myAa("setUserToken", "queued-user");
    processQueue.call(instance, window);
    window.myAa("clickedObjectIDs", Object.assign({}, event, { userToken: undefined }));
    window.AlgoliaAnalyticsObject = previous;
    const direct = getFunctionalInterface(instance);
    await direct("viewedObjectIDs", { index: "products", eventName: "Class view", objectIDs: ["v"] });
    await direct("flush");
    const missing = direct("noSuchMethod");
    LocalStorage.set("rf-key", { a: [1, "b"] });
    const stored = LocalStorage.get("rf-key");
    LocalStorage.remove("rf-key");
    return { token: instance.getUserToken(), version: instance.version, sent, missing, stored, removed: LocalStorage.get("rf-key") };
  }, [app, click("6")]);
  assert.equal(state.token, "queued-user");
  assert.equal(state.version, "2.17.3");
  assert.equal(state.missing, undefined);
  assert.deepEqual(state.stored, { a: [1, "b"] });
  assert.equal(state.removed, null);
  assert.deepEqual(
    state.sent.map((e) => [e.eventType, e.objectIDs[0], e.userToken]).sort(),
    [
      ["click", "6", "queued-user"],
      ["view", "v", "queued-user"],
    ]
  );
  assert.ok(messages.some((m) => m.type === "warning" && m.text === "The method `noSuchMethod` doesn't exist."), JSON.stringify(messages));
  await page.close();
});

// A client made later in the page's life that the page keeps no reference
// to, collected (a real garbage collection, asked for over the DevTools
// protocol) while its event waits for the flush delay: its wake-up holds it,
// so the page being hidden still sends the event and its Promise settles.
// (The wake-up and the request's answer used to hold it weakly: such a
// client was freed and its event lost, its Promise pending for ever.)
test("a client the page no longer references, collected while its event waits, still sends it", async () => {
  const { app, page } = await open("rf-dropped");
  await page.evaluate(([app, event]) => {
    window.collected = false;
    window.dropped = [];
    window.registry = new FinalizationRegistry(() => {
      window.collected = true;
    });
    (() => {
      const aa = window.insights.createInsightsClient((url, data) => {
        window.dropped.push(...data.events.map((e) => e.objectIDs[0]));
        return Promise.resolve(true);
      });
      window.registry.register(aa, "dropped");
      aa("init", { appId: app, apiKey: "key", host: location.origin, flushDelay: 60000 });
      window.droppedResult = aa("clickedObjectIDs", event);
    })();
  }, [app, click("dropped-1")]);
  const devtools = await page.context().newCDPSession(page);
  for (let round = 0; round < 50 && !(await page.evaluate(() => window.collected)); round++) {
    await devtools.send("HeapProfiler.collectGarbage");
  }
  assert.equal(await page.evaluate(() => window.collected), true, "the client was collected (else this test shows nothing)");
  assert.deepEqual(await page.evaluate(() => window.dropped), [], "the flush delay still holds the event");
  await page.evaluate(() => window.dispatchEvent(new Event("pagehide")));
  await waitFor(() => page.evaluate(() => window.dropped.length > 0), "the hide flush of the collected client");
  assert.deepEqual(await page.evaluate(() => window.dropped), ["dropped-1"]);
  assert.equal(await page.evaluate(() => window.droppedResult), true);
  await page.close();
});

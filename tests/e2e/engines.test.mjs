// The same case in Chromium, Firefox ESR and WebKitGTK, over W3C WebDriver
// (./webdriver.mjs): the official snippet loads the script-tag build from the
// real local endpoint, and a click followed at once by a navigation must
// arrive exactly once. An engine that cannot be started fails its test.
//
// Each test prints `engines: <browser> <version>: sent=1 received=N
// duplicated=N lost=N`.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, makeSite, snippet, LIBRARIES, waitFor, uniqueAppId } from "./harness.mjs";
import { ENGINES, openSession } from "./webdriver.mjs";
import { receivedCounts } from "./engine-pages.mjs";

const OUTBOX_PREFIX = "AlgoliaInsightsOutbox:";

// `?app=…&init={json}`: init with those options, then `ready` once the
// queued calls have run.
const PAGE = `<!doctype html><html><head>${snippet(LIBRARIES.wasm)}</head><body>
<a id="next" href="/next.html">next</a>
<script>
  const params = new URLSearchParams(location.search);
  aa("init", Object.assign({ appId: params.get("app"), apiKey: "key", host: location.origin }, JSON.parse(params.get("init"))));
  aa("getUserToken", null, () => { window.ready = true; });
</script></body></html>`;

let server;
before(async () => {
  server = await startServer({
    www: makeSite({
      "snippet.html": PAGE,
      "next.html": "<!doctype html><html><body>next page</body></html>",
    }),
  });
});
after(async () => {
  await server?.stop();
});


/** Events kept in the page's stored outboxes (every page's key, together). */
const STORED_EVENTS = `return Object.keys(localStorage)
  .filter((k) => k.startsWith(arguments[0]))
  .reduce((n, k) => n + JSON.parse(localStorage.getItem(k)).e.length, 0);`;

for (const engine of Object.keys(ENGINES)) {
  test(`${engine}: a click immediately followed by navigation arrives exactly once (snippet, pagehide flush)`, { timeout: 240000 }, async () => {
    const session = await openSession(engine);
    try {
      const app = uniqueAppId(`engines-${engine}`);
      const id = `${engine}-navigate-0`;
      const page = (init) => `${server.url}/snippet.html?${new URLSearchParams({ app, init: JSON.stringify(init) })}`;
      const ready = () => session.until(() => session.run("return window.ready === true"), "the library to be ready");

      // A long flush delay: only the flush when the page is left can send the
      // click in time. With storage consent, so that a page that both sent
      // and stored the event would show it twice.
      await session.goto(page({ flushDelay: 30000, useCookie: true }));
      await ready();
      await session.run(
        `aa("clickedObjectIDs", { index: "products", eventName: "Engine click", objectIDs: [arguments[0]] });
         document.getElementById("next").click();`,
        id
      );
      await session.until(
        async () => (await session.run("return document.readyState === 'complete' && location.pathname")) === "/next.html",
        "the next page to load"
      );
      await waitFor(async () => (await receivedCounts(server, app)).has(id), "the click at the endpoint");

      // The library again, on the same origin and storage: it sends whatever
      // an earlier page kept, so a stored copy of the click would arrive now.
      await session.goto(page({ useCookie: true }));
      await ready();
      await session.until(async () => (await session.run(STORED_EVENTS, OUTBOX_PREFIX)) === 0, "no stored event");

      const counts = await receivedCounts(server, app);
      const duplicated = [...counts.values()].reduce((sum, n) => sum + n - 1, 0);
      console.log(
        `engines: ${session.browser}: sent=1 received=${counts.size} duplicated=${duplicated} lost=${counts.has(id) ? 0 : 1}`
      );
      assert.deepEqual([...counts], [[id, 1]], "the click, once, and nothing else");

      // The anonymous token of the click is the one in the `_ALGOLIA` cookie.
      const [record] = (await server.events({ appId: app })).filter((r) => r.accepted);
      const cookie = await session.run(`return (document.cookie.match(/(?:^|; )_ALGOLIA=([^;]*)/) || [])[1] || null`);
      assert.match(record.event.userToken, /^anonymous-/);
      assert.equal(cookie, record.event.userToken, "the cookie holds the event's token");
    } finally {
      await session.quit();
    }
  });
}

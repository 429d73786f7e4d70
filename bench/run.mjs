// `make bench`: search-insights (the npm package) and search-insights-wasm,
// loaded by the same snippet on the same local page in headless Chromium,
// measured alternately. Prints one table, writes bench/results.json and
// bench/chart.svg. Timings live here, never in tests.
import { writeFileSync } from "node:fs";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";
import { join } from "node:path";
import { startServer, makeSite, launchBrowser, snippet, LIBRARIES, waitFor, ROOT } from "../tests/e2e/harness.mjs";
import { renderChart } from "./chart.mjs";
import { firstCallback } from "./first-callback.mjs";

const LIBS = [
  { id: "js", name: "search-insights 2.17.3", src: LIBRARIES.js },
  { id: "wasm", name: "search-insights-wasm", src: LIBRARIES.wasm },
];
const LOADS = Number(process.env.BENCH_LOADS || 15);
const RUNS = Number(process.env.BENCH_RUNS || 5);
const CALLS = 2000;
const QID = "0123456789abcdef0123456789abcdef";

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function page(lib) {
  return `<!doctype html><html><head><meta charset="utf-8"><title>bench ${lib.id}</title>
<script>window.__t0 = performance.now();</script>
${snippet(lib.src)}
<script>
  const params = new URLSearchParams(location.search);
  aa('init', { appId: params.get('app') || 'bench', apiKey: 'bench-key', host: location.origin, userToken: 'bench-user' });
  aa('getUserToken', null, () => { window.__firstCallback = performance.now() - window.__t0; });
</script></head><body>bench</body></html>`;
}

const site = makeSite(Object.fromEntries(LIBS.map((lib) => [`bench-${lib.id}.html`, page(lib)])));
const server = await startServer({ www: site });
const browser = await launchBrowser();
let appCounter = 0;
const appId = (lib, what) => `bench-${lib.id}-${what}-${Date.now().toString(36)}-${appCounter++}`;

async function openPage(lib, what, { prefillCache } = {}) {
  const context = await browser.newContext();
  const p = await context.newPage();
  if (prefillCache) await p.addInitScript(prefillCache);
  const transfers = [];
  p.on("response", (r) => transfers.push(r));
  const app = appId(lib, what);
  await p.goto(`${server.url}/bench-${lib.id}.html?app=${app}`);
  await p.waitForFunction(() => window.__firstCallback !== undefined, null, { timeout: 30000 });
  return { context, page: p, app, transfers };
}

const results = {};
for (const lib of LIBS) results[lib.id] = { firstCallback: [], firstCallbackRtt: [], perCall: [], perEventTotal: [], cacheCall: [], instantiate: [] };
const RTT_MS = 50;

// 1. Transfer size of what the snippet makes the browser load.
for (const lib of LIBS) {
  const { context, transfers } = await openPage(lib, "transfer");
  const files = [];
  for (const r of transfers) {
    const url = new URL(r.url());
    if (!url.pathname.startsWith("/pkg/") && !url.pathname.startsWith("/vendor/")) continue;
    const body = await r.body();
    files.push({
      path: url.pathname,
      raw: body.length,
      gzip: gzipSync(body, { level: constants.Z_BEST_COMPRESSION }).length,
      brotli: brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY } }).length,
    });
  }
  const total = (key) => files.reduce((sum, f) => sum + f[key], 0);
  results[lib.id].transfer = { files, raw: total("raw"), gzip: total("gzip"), brotli: total("brotli") };
  for (const f of files) console.log(`bench: ${lib.id} ${f.path}: ${f.raw} B, ${f.gzip} B gzip -9, ${f.brotli} B brotli -q 11`);
  await context.close();
}

// 2. Snippet → first queued callback, fresh page loads, alternating.
for (let i = 0; i < LOADS; i++) {
  for (const lib of i % 2 ? [...LIBS].reverse() : LIBS) {
    const { context, page: p } = await openPage(lib, "load");
    results[lib.id].firstCallback.push(await p.evaluate(() => window.__firstCallback));
    const inst = await p.evaluate(() => {
      const s = performance.getEntriesByName("insights-wasm:instantiate-start")[0];
      const e = performance.getEntriesByName("insights-wasm:instantiate-end")[0];
      return s && e ? e.startTime - s.startTime : null;
    });
    if (inst !== null) results[lib.id].instantiate.push(inst);
    await context.close();
  }
}

// 2b. The same with a 50 ms round trip to the server (the CDN) per request.
for (let i = 0; i < LOADS; i++) {
  for (const lib of i % 2 ? [...LIBS].reverse() : LIBS) {
    results[lib.id].firstCallbackRtt.push(await firstCallback(browser, `${server.url}/bench-${lib.id}.html?app=${appId(lib, "rtt")}`, RTT_MS));
  }
}

// 3. + 4. 2000 clickedObjectIDs calls: main-thread time per call, requests, bytes, preflights.
for (let run = 0; run < RUNS; run++) {
  for (const lib of run % 2 ? [...LIBS].reverse() : LIBS) {
    const { context, page: p, app } = await openPage(lib, "calls");
    const [inCall, withFlush] = await p.evaluate((calls) => {
      const t = performance.now();
      for (let i = 0; i < calls; i++) {
        aa("clickedObjectIDs", { index: "products", eventName: "Product Clicked", objectIDs: ["obj-" + i] });
      }
      const loop = performance.now() - t;
      // search-insights sent each event inside its call; search-insights-wasm
      // sends them from a timer: run that work now, so it is counted too.
      const f = performance.now();
      aa("flush");
      return [loop / calls, (loop + performance.now() - f) / calls];
    }, CALLS);
    // Wait until every event arrived, or nothing new arrived for 3 s
    // (search-insights fires one sendBeacon per call and some never arrive).
    let arrived = 0;
    let stableSince = Date.now();
    while (arrived < CALLS && Date.now() - stableSince < 3000) {
      await new Promise((r) => setTimeout(r, 200));
      const n = (await server.events({ appId: app })).length;
      if (n !== arrived) stableSince = Date.now();
      arrived = n;
    }
    results[lib.id].delivered = (results[lib.id].delivered || []).concat(arrived);
    results[lib.id].perCall.push(inCall);
    results[lib.id].perEventTotal.push(withFlush);
    if (run === 0) {
      const requests = await server.requests({ appId: app, path: "/1/events" });
      const posts = requests.filter((r) => r.method === "POST");
      results[lib.id].network = {
        requestsPer1000: (posts.length * 1000) / CALLS,
        bytesPer1000: Math.round((posts.reduce((s, r) => s + r.bodyBytes, 0) * 1000) / CALLS),
        preflights: requests.filter((r) => r.preflight).length,
      };
    }
    await context.close();
  }
}

// 5. One clickedObjectIDsAfterSearch with 5000 entries in the query-ID cache.
const prefill = `(() => {
  const cache = {};
  for (let i = 0; i < 5000; i++) cache["products_cached-" + i] = ["${QID}", Date.now() - i];
  localStorage.setItem("AlgoliaObjectQueryCache", JSON.stringify(cache));
})();`;
for (let run = 0; run < Math.max(RUNS, 9); run++) {
  for (const lib of run % 2 ? [...LIBS].reverse() : LIBS) {
    const { context, page: p } = await openPage(lib, "cache", { prefillCache: prefill });
    const t = await p.evaluate((qid) => {
      const start = performance.now();
      aa("clickedObjectIDsAfterSearch", { index: "products", eventName: "Hit Clicked", queryID: qid, objectIDs: ["new-1"], positions: [1] });
      return performance.now() - start;
    }, QID);
    results[lib.id].cacheCall.push(t);
    await context.close();
  }
}

// 6. Heap after 10 000 events (peak of samples taken while sending).
for (const lib of LIBS) {
  const { context, page: p } = await openPage(lib, "heap");
  const cdp = await context.newCDPSession(p);
  let peakJs = 0;
  let peakBacking = 0;
  const sample = async () => {
    const usage = await cdp.send("Runtime.getHeapUsage");
    peakJs = Math.max(peakJs, usage.usedSize);
    peakBacking = Math.max(peakBacking, usage.backingStorageSize || 0);
  };
  for (let chunk = 0; chunk < 10; chunk++) {
    await p.evaluate((c) => {
      for (let i = 0; i < 1000; i++) aa("viewedObjectIDs", { index: "products", eventName: "Viewed", objectIDs: ["h-" + c + "-" + i] });
    }, chunk);
    await sample();
    await p.waitForTimeout(100);
    await sample();
  }
  results[lib.id].heap = { peakJsHeap: peakJs, peakBackingStore: peakBacking };
  await context.close();
}

await browser.close();
await server.stop();

// Table.
const fmt = (n, unit) => (n === null || n === undefined || Number.isNaN(n) ? "n/a" : `${n < 10 ? n.toFixed(3) : Math.round(n)}${unit}`);
const rows = [
  ["transfer, gzip -9 (what the snippet loads)", (r) => r.transfer.gzip, " B"],
  ["transfer, brotli -q 11", (r) => r.transfer.brotli, " B"],
  ["transfer, uncompressed", (r) => r.transfer.raw, " B"],
  [`snippet → first callback (median of ${LOADS} loads)`, (r) => median(r.firstCallback), " ms"],
  [`snippet → first callback, ${RTT_MS} ms round trip per request (median of ${LOADS})`, (r) => median(r.firstCallbackRtt), " ms"],
  ["wasm instantiate (median)", (r) => (r.instantiate.length ? median(r.instantiate) : null), " ms"],
  [`main thread per call, in the call (${CALLS} calls, median of ${RUNS})`, (r) => median(r.perCall), " ms"],
  ["main thread per call incl. building and sending requests", (r) => median(r.perEventTotal), " ms"],
  ["requests per 1000 events", (r) => r.network.requestsPer1000, ""],
  ["request bytes per 1000 events", (r) => r.network.bytesPer1000, " B"],
  ["CORS preflights", (r) => r.network.preflights, ""],
  [`events that reached the endpoint, of ${CALLS} sent in one task (median)`, (r) => median(r.delivered), ""],
  ["clickedObjectIDsAfterSearch, 5000 cached entries (median)", (r) => median(r.cacheCall), " ms"],
  ["peak JS heap after 10 000 events", (r) => r.heap.peakJsHeap, " B"],
  ["peak backing store (ArrayBuffers incl. wasm memory)", (r) => r.heap.peakBackingStore, " B"],
];
const table = rows.map(([label, get, unit]) => {
  const js = get(results.js);
  const wasm = get(results.wasm);
  const ratio = js && wasm !== null && wasm !== undefined ? wasm / js : null;
  return { label, unit, js, wasm, ratio };
});
const width = Math.max(...table.map((r) => r.label.length));
console.log(`\n${"metric".padEnd(width)}  ${"search-insights".padStart(16)}  ${"wasm".padStart(14)}  ${"wasm/js".padStart(8)}`);
for (const r of table) {
  console.log(`${r.label.padEnd(width)}  ${fmt(r.js, r.unit).padStart(16)}  ${fmt(r.wasm, r.unit).padStart(14)}  ${(r.ratio === null ? "n/a" : r.ratio.toFixed(3) + "×").padStart(8)}`);
}
const out = { date: new Date().toISOString(), chromium: browser.version?.() ?? null, loads: LOADS, runs: RUNS, calls: CALLS, table, raw: results };
writeFileSync(join(ROOT, "bench/results.json"), JSON.stringify(out, null, 2) + "\n");
writeFileSync(join(ROOT, "bench/chart.svg"), renderChart(table));
console.log("\nwrote bench/results.json and bench/chart.svg");

// The npm package as a consumer gets it: `npm pack` of pkg/, installed offline
// into a copy of tests/consumer, type-checked with tsc, bundled by Vite, served
// by the devserver and run in headless Chromium. Needs `make build` first.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { gunzipSync, gzipSync } from "node:zlib";
import { join } from "node:path";
import { startServer, launchBrowser, waitFor, uniqueAppId, watchConsole, ROOT, PKG } from "./harness.mjs";

const SHIPPED = [
  "README.md",
  "index-browser.cjs",
  "index-node.cjs",
  "index-node.mjs",
  "index.d.cts",
  "index.d.mts",
  "index.d.ts",
  "index.mjs",
  "package.json",
  "search-insights.min.js",
  "search_insights_wasm_bg.wasm",
];

let work, app, tarball, packed, server, browser;

function run(command, args, cwd) {
  try {
    return execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    throw new Error(`${command} ${args.join(" ")} failed in ${cwd}:\n${error.stdout}\n${error.stderr}`);
  }
}

before(async () => {
  for (const file of ["index.mjs", "index-browser.cjs", "index-node.mjs", "index-node.cjs", "search_insights_wasm_bg.wasm", "search-insights.min.js"]) {
    assert.ok(existsSync(join(PKG, file)), `pkg/${file} is missing: run \`make build\` first`);
  }
  work = mkdtempSync(join(tmpdir(), "insights-npm-"));
  // npm pack writes the tarball outside pkg/ (other builds share that folder).
  [packed] = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", work], PKG));
  tarball = join(work, packed.filename);

  // The consumer app, installed from the tarball alone. Its devDependency
  // (vite) is the workspace's, already installed: it is left out of the copy
  // so that npm resolves nothing, and an empty cache proves nothing is fetched.
  app = join(work, "app");
  cpSync(join(ROOT, "tests/consumer"), app, {
    recursive: true,
    filter: (src) => !/[/\\](node_modules|dist)$/.test(src),
  });
  const manifest = JSON.parse(readFileSync(join(app, "package.json"), "utf8"));
  assert.ok(manifest.devDependencies?.vite, "tests/consumer declares vite");
  delete manifest.devDependencies;
  writeFileSync(join(app, "package.json"), JSON.stringify(manifest, null, 2));
  run("npm", ["install", "--no-save", "--offline", "--no-audit", "--no-fund", "--cache", join(work, "npm-cache"), tarball], app);
  run(process.execPath, [join(ROOT, "node_modules/vite/bin/vite.js"), "build", "--logLevel", "warn"], app);

  server = await startServer({ www: join(app, "dist") });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

test("the tarball ships exactly the package files", (t) => {
  assert.equal(packed.name, "search-insights-wasm");
  assert.equal(packed.version, "0.1.0");
  assert.deepEqual(packed.files.map((f) => f.path).sort(), SHIPPED);
  const installed = readdirSync(join(app, "node_modules/search-insights-wasm")).sort();
  assert.deepEqual(installed, SHIPPED);
  t.diagnostic(`tarball ${packed.size} B packed, ${packed.unpackedSize} B unpacked`);
});

test("the TypeScript types accept real usage and reject mistakes", () => {
  // typed-usage.ts has @ts-expect-error lines: tsc fails if a mistake type-checks.
  run(join(ROOT, "node_modules/.bin/tsc"), ["--noEmit", "-p", "tsconfig.json"], app);
  writeFileSync(join(app, "broken.ts"), `import aa from "search-insights-wasm";\naa("clickedObjectIDs", { index: "products", objectIDs: ["1"] });\naa("clickedObjectIDs", { index: "products", eventName: "Clicked", objectIDs: ["1"] });\n`);
  writeFileSync(join(app, "tsconfig.broken.json"), JSON.stringify({ extends: "./tsconfig.json", files: ["broken.ts"] }));
  assert.throws(
    () => run(join(ROOT, "node_modules/.bin/tsc"), ["--noEmit", "-p", "tsconfig.broken.json"], app),
    (error) => /broken\.ts\(2,\d+\): error TS2769/.test(error.message) && !/broken\.ts\(3,/.test(error.message),
    "an event without eventName is a type error (line 2); a complete one is not (line 3)"
  );
});

test("the client's type is accepted by InstantSearch.js and Autocomplete's insights plugin", () => {
  // Their type packages come from the workspace (linked, not installed).
  mkdirSync(join(app, "node_modules/@algolia"), { recursive: true });
  for (const name of ["instantsearch.js", "algoliasearch", "@algolia/autocomplete-plugin-algolia-insights"]) {
    const link = join(app, "node_modules", name);
    if (!existsSync(link)) symlinkSync(join(ROOT, "node_modules", name), link, "dir");
  }
  cpSync(join(ROOT, "tests/e2e/apps/typed-integrations.ts"), join(app, "typed-integrations.ts"));
  writeFileSync(
    join(app, "tsconfig.integrations.json"),
    JSON.stringify({ extends: "./tsconfig.json", compilerOptions: { skipLibCheck: true }, files: ["typed-integrations.ts"] })
  );
  run(join(ROOT, "node_modules/.bin/tsc"), ["--noEmit", "-p", "tsconfig.integrations.json"], app);
});

test("Vite bundles the embedded wasm: one JavaScript file, no .wasm asset", (t) => {
  const assets = readdirSync(join(app, "dist/assets"));
  assert.deepEqual(assets.filter((f) => f.endsWith(".wasm")), [], `no .wasm asset: ${assets}`);
  const js = assets.filter((f) => f.endsWith(".js"));
  assert.equal(js.length, 1, `one JavaScript file: ${assets}`);
  const bundle = readFileSync(join(app, "dist/assets", js[0]), "utf8");
  // The gzipped wasm, as base64, is in the bundle.
  const packed = bundle.match(/["'`](H4sI[A-Za-z0-9+/=]{1000,})["'`]/);
  assert.ok(packed, "the bundle holds a base64 gzip stream");
  assert.ok(gunzipSync(Buffer.from(packed[1], "base64")).equals(readFileSync(join(PKG, "search_insights_wasm_bg.wasm"))), "it is the wasm");
  assert.ok(!bundle.includes("search_insights_wasm_bg.wasm\", import.meta.url"), "no URL of the .wasm file is left for a bundler to follow");
  t.diagnostic(`Vite bundle: ${Buffer.byteLength(bundle)} B JS (${gzipSync(bundle, { level: 9 }).length} B gzipped), wasm included`);
});

test("the bundled app: queued calls run, events arrive, two independent clients", async () => {
  const appId = uniqueAppId("npm");
  const page = await browser.newPage();
  const consoleMessages = watchConsole(page);
  const fetched = [];
  page.on("response", (r) => fetched.push({ path: new URL(r.url()).pathname, status: r.status(), type: r.headers()["content-type"] }));
  await page.goto(`${server.url}/index.html?app=${appId}`);
  await page.waitForFunction(() => window.consumer && window.consumer.done, null, { timeout: 60000 });
  const report = await page.evaluate(() => window.consumer);

  assert.equal(report.queuedBeforeReady, true, "the calls were made before the wasm was ready");
  assert.equal(report.defaultTokenFromCallback, "default-user", "a queued callback fired once ready");
  assert.equal(report.defaultClickResult, true);
  assert.equal(report.secondViewResult, true);
  assert.equal(report.badClickResult, undefined);
  assert.equal(report.badClickError, "clickedObjectIDs: `event.objectIDs[0]` must be a string, got number");
  assert.deepEqual(report.errors, []);
  assert.equal(report.defaultToken, "default-user");
  assert.equal(report.secondToken, "second-user");
  assert.equal(report.registered, true, "the default client is window[AlgoliaAnalyticsObject]");
  assert.equal(report.version, "2.17.3");

  // Once ready, calls dispatch directly and the queue is gone.
  const direct = await page.evaluate(() => {
    const aa = window[window.AlgoliaAnalyticsObject];
    return { queue: aa.queue === undefined, token: aa("getUserToken") };
  });
  assert.deepEqual(direct, { queue: true, token: "default-user" });

  const events = await waitFor(async () => {
    const records = await server.events({ appId });
    return records.length >= 2 && records;
  }, "two events");
  assert.equal(events.length, 2);
  assert.ok(events.every((r) => r.accepted), JSON.stringify(events));
  const byName = Object.fromEntries(events.map((r) => [r.event.eventName, r.event]));
  assert.equal(byName["Consumer click"].eventType, "click");
  assert.equal(byName["Consumer click"].userToken, "default-user");
  assert.deepEqual(byName["Consumer click"].objectIDs, ["1"]);
  assert.equal(byName["Consumer view"].eventType, "view");
  assert.equal(byName["Consumer view"].userToken, "second-user");
  assert.deepEqual(byName["Consumer view"].objectIDs, ["2", "3"]);

  assert.deepEqual(fetched.filter((r) => r.path.endsWith(".wasm")), [], "the wasm is embedded: no request for it");
  assert.deepEqual(fetched.filter((r) => r.path.startsWith("/pkg/")), [], "nothing is loaded from the repository's pkg/");
  assert.deepEqual(consoleMessages.filter((m) => m.type === "error" || m.type === "pageerror"), []);
  await page.close();
});

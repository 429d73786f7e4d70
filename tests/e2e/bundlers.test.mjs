// Bundlers taking the npm package with no configuration of their own for it:
// a tiny app (tests/node-apps/bundle/main.js) in a scratch project that
// installs the packed tarball offline, bundled by Rollup (with
// @rollup/plugin-node-resolve, browser: true), esbuild (its default --bundle
// format, IIFE, and --format=esm) and webpack 5, each served by the local
// endpoint and run in headless Chromium: the click arrives, no page error,
// no request for a .wasm file. Vite is covered by npm-consumer.test.mjs.
// Needs `make build` first.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startServer, launchBrowser, waitFor, uniqueAppId, watchConsole, ROOT } from "./harness.mjs";
import { packPackage, scratchProject, runNode, runProcess, exitedCleanly, describe } from "./packed.mjs";

let work, app, server, browser;

before(async () => {
  let tarball;
  ({ work, tarball } = packPackage("bundlers"));
  // The Rollup config imports its plugin: the workspace's, linked.
  app = scratchProject(work, "app", {
    install: tarball,
    links: ["rollup", "@rollup/plugin-node-resolve"],
    files: { "src/main.js": "bundle/main.js", "rollup.config.mjs": "bundle/rollup.config.mjs" },
  });
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** The served folder for one bundler's output. */
function outDir(name) {
  const dir = join(server.www, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Serves `name/index.html` loading `script`, opens it in Chromium and checks
 * that the bundled app's click was delivered: its Promise resolved true, the
 * endpoint accepted the event, no page error or console error, no .wasm fetched.
 */
async function loadBundle(name, script) {
  writeFileSync(join(outDir(name), "index.html"), `<!doctype html><html><head><meta charset="utf-8"></head><body>${script}</body></html>`);
  const appId = uniqueAppId(name);
  const page = await browser.newPage();
  try {
    const messages = watchConsole(page);
    const fetched = [];
    page.on("request", (r) => fetched.push(new URL(r.url()).pathname));
    await page.goto(`${server.url}/${name}/index.html?app=${appId}&bundler=${name}`);
    await waitFor(
      async () => messages.some((m) => m.type === "pageerror") || (await page.evaluate(() => window.outcome !== undefined)),
      `the ${name} bundle's click (or a page error)`
    );
    const errors = messages.filter((m) => m.type === "error" || m.type === "pageerror");
    assert.deepEqual(errors, [], "no page error, no console error");
    assert.deepEqual(await page.evaluate(() => window.outcome), { result: true }, "the click's Promise resolved true");
    const events = await server.events({ appId });
    assert.equal(events.length, 1, JSON.stringify(events));
    assert.equal(events[0].accepted, true, events[0].reason);
    const { eventType, eventName, objectIDs, userToken } = events[0].event;
    assert.deepEqual({ eventType, eventName, objectIDs, userToken }, { eventType: "click", eventName: "Bundled click", objectIDs: [name], userToken: "bundle-user" });
    assert.deepEqual(fetched.filter((path) => path.endsWith(".wasm")), [], "the wasm is in the bundle: no request for it");
  } finally {
    await page.close();
  }
}

test("Rollup 4 with @rollup/plugin-node-resolve (browser: true), IIFE: builds without a warning, and the page sends the click", async () => {
  const result = await runNode([join(app, "node_modules/rollup/dist/bin/rollup"), "-c"], {
    cwd: app,
    env: { BUNDLE_OUT: join(outDir("rollup"), "bundle.js"), NO_COLOR: "1", FORCE_COLOR: "0" },
  });
  exitedCleanly(assert, result);
  assert.doesNotMatch(result.stderr, /\(!\)/, "no Rollup warning: " + describe(result));
  await loadBundle("rollup", `<script src="bundle.js"></script>`);
});

for (const [name, format, tag] of [
  ["esbuild-iife", [], `<script src="bundle.js"></script>`],
  ["esbuild-esm", ["--format=esm"], `<script type="module" src="bundle.js"></script>`],
]) {
  test(`esbuild --bundle ${format.join(" ") || "(default format: IIFE)"}: builds without a warning, and the page sends the click`, async () => {
    const result = await runProcess(join(ROOT, "node_modules/.bin/esbuild"), ["src/main.js", "--bundle", ...format, `--outfile=${join(outDir(name), "bundle.js")}`], {
      cwd: app,
      env: { NO_COLOR: "1" },
    });
    exitedCleanly(assert, result);
    assert.doesNotMatch(result.stdout + result.stderr, /\[WARNING\]|\[ERROR\]/, describe(result));
    await loadBundle(name, tag);
  });
}

test("webpack 5 (webpack-cli, production mode, no config): compiles without a warning, and the page sends the click", async () => {
  const result = await runNode(
    [
      join(ROOT, "node_modules/webpack-cli/bin/cli.js"),
      "--mode",
      "production",
      "--entry",
      "./src/main.js",
      "--output-path",
      outDir("webpack"),
      "--output-filename",
      "bundle.js",
      "--no-color",
    ],
    { cwd: app, env: { NO_COLOR: "1", FORCE_COLOR: "0" } }
  );
  exitedCleanly(assert, result);
  assert.match(result.stdout, /compiled successfully/, describe(result));
  assert.doesNotMatch(result.stdout + result.stderr, /WARNING|ERROR/, describe(result));
  await loadBundle("webpack", `<script src="bundle.js"></script>`);
});

// Test runners importing the npm package: a Jest test (CommonJS, Jest's
// default node environment) and Vitest tests (node and jsdom environments),
// in scratch projects that install the packed tarball offline, run by the
// real runners of the workspace, each sending a click to the local endpoint.
// Needs `make build` first.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { startServer, uniqueAppId, ROOT } from "./harness.mjs";
import { packPackage, scratchProject, runNode, exitedCleanly, describe } from "./packed.mjs";

const API_KEY = "runner-key";
// Plain output, whatever the terminal.
const PLAIN = { NO_COLOR: "1", FORCE_COLOR: "0", CI: "1" };

let work, jestApp, vitestApp, server;

before(async () => {
  let tarball;
  ({ work, tarball } = packPackage("runners"));
  jestApp = scratchProject(work, "jest-app", { install: tarball, files: { "insights.test.js": "jest/insights.test.js" } });
  // Vitest test files import from "vitest": the workspace's, linked.
  vitestApp = scratchProject(work, "vitest-app", {
    install: tarball,
    links: ["vitest"],
    files: { "node.test.mjs": "vitest/node.test.mjs", "jsdom.test.mjs": "vitest/jsdom.test.mjs" },
  });
  server = await startServer();
});

after(async () => {
  await server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

const envFor = (appId) => ({ ...PLAIN, INSIGHTS_HOST: server.url, INSIGHTS_APP_ID: appId, INSIGHTS_API_KEY: API_KEY });

async function assertClickArrived(appId, eventName, userToken) {
  const events = await server.events({ appId });
  assert.equal(events.length, 1, JSON.stringify(events));
  assert.equal(events[0].accepted, true, events[0].reason);
  assert.equal(events[0].event.eventType, "click");
  assert.equal(events[0].event.eventName, eventName);
  assert.equal(events[0].event.userToken, userToken);
}

test("Jest (CommonJS, node environment): a test requiring the package sends a click; Jest passes and exits by itself", async () => {
  const appId = uniqueAppId("jest");
  const jest = join(ROOT, "node_modules/jest/bin/jest.js");
  const result = await runNode([jest, "--rootDir", jestApp, "--ci", "--no-watchman", "--cacheDirectory", join(work, "jest-cache")], {
    cwd: jestApp,
    env: envFor(appId),
  });
  exitedCleanly(assert, result);
  assert.match(result.stderr, /Tests:\s+1 passed, 1 total/, describe(result));
  assert.doesNotMatch(result.stderr, /did not exit|open handle/i, describe(result));
  await assertClickArrived(appId, "Jest click", "jest-user");
});

for (const environment of ["node", "jsdom"]) {
  test(`Vitest (${environment} environment): a test importing the package sends a click; Vitest passes and exits by itself`, async () => {
    const appId = uniqueAppId(`vitest-${environment}`);
    const vitest = join(ROOT, "node_modules/vitest/vitest.mjs");
    const result = await runNode([vitest, "run", "--root", vitestApp, `${environment}.test.mjs`], { cwd: vitestApp, env: envFor(appId) });
    exitedCleanly(assert, result);
    assert.match(result.stdout, /Test Files\s+1 passed \(1\)/, describe(result));
    assert.match(result.stdout, /Tests\s+1 passed \(1\)/, describe(result));
    assert.match(result.stdout, new RegExp(`${environment}\\.test\\.mjs`), "the right file ran: " + describe(result));
    await assertClickArrived(appId, `Vitest ${environment} click`, "vitest-user");
  });
}

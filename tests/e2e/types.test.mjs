// The TypeScript types as a consumer gets them: `npm pack` of pkg/, installed
// offline into a scratch project, checked by the workspace's real tsc (strict,
// skipLibCheck off) in the ways TypeScript code meets the package:
//  - code typed against search-insights 2.17.3, with "search-insights" mapped
//    to this package, pulling in InstantSearch.js's and Autocomplete's own
//    declarations (which import from "search-insights"); the same code is
//    first checked against the real search-insights, to prove it is such code;
//  - this package's types beside the real search-insights' ("search-insights-
//    original"): InsightsClient both ways, the method map, the method types;
//  - this package's additions, generic wrappers, unions, test doubles, and
//    mistakes that must stay errors (@ts-expect-error);
//  - every name search-insights exports, for `import` and for `require`;
//  - CommonJS (`require`) and ES module files under module node16/nodenext,
//    then run against the build to see that the runtime is what they say.
// The type checks need only the declaration files (a tarball packed without a
// build holds them and package.json); the last test runs the build.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, PKG } from "./harness.mjs";

const TSC = join(ROOT, "node_modules/.bin/tsc");
const CONSUMER = join(ROOT, "tests/consumer");
const ORIGINAL = join(ROOT, "node_modules/search-insights");
const DECLARATIONS = ["index.d.ts", "index.d.mts", "index.d.cts"];
// Linked from the workspace (not installed): the integrations whose
// declarations import from "search-insights", and what those declarations need.
const LINKED = ["instantsearch.js", "algoliasearch", "@algolia/autocomplete-plugin-algolia-insights", "@types/google.maps"];

let work, app, installed, packed;

function run(command, args, cwd) {
  try {
    return execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    throw new Error(`${command} ${args.join(" ")} failed in ${cwd}:\n${error.stdout}\n${error.stderr}`);
  }
}

/** tsc -p on a tsconfig written into the app; returns the files of the program (--listFiles). */
function typecheck(name, config) {
  writeFileSync(join(app, name), JSON.stringify(config, null, 2));
  const out = run(TSC, ["-p", name, "--listFiles"], app);
  assert.doesNotMatch(out, /error TS/, out);
  return out.split("\n").filter(Boolean);
}

// The bundler-style settings of tests/consumer/tsconfig.json, with the
// InstantSearch geo widgets' google.maps types.
const BROWSER = {
  target: "ES2020",
  module: "ESNext",
  moduleResolution: "bundler",
  strict: true,
  noEmit: true,
  skipLibCheck: false,
  lib: ["ES2020", "DOM"],
  types: ["google.maps"],
};

before(() => {
  work = mkdtempSync(join(tmpdir(), "insights-types-"));
  // npm pack writes the tarball outside pkg/ (other builds share that folder).
  // Without a build it holds the declarations, package.json and the README.
  [packed] = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", work], PKG));

  // A CommonJS package (no "type"): .ts files are CommonJS under node16.
  app = join(work, "app");
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "types-consumer", private: true }, null, 2));
  run("npm", ["install", "--no-save", "--offline", "--no-audit", "--no-fund", "--cache", join(work, "npm-cache"), join(work, packed.filename)], app);
  installed = join(app, "node_modules/search-insights-wasm");
  for (const name of LINKED) {
    mkdirSync(join(app, "node_modules", name, ".."), { recursive: true });
    symlinkSync(join(ROOT, "node_modules", name), join(app, "node_modules", name), "dir");
  }
  for (const file of [
    "search-insights-api.ts",
    "assignability.ts",
    "typed-usage.ts",
    "commonjs.cts",
    "commonjs-check.cjs",
    "esm.mts",
    "node-globals.d.ts",
  ]) {
    cpSync(join(CONSUMER, file), join(app, file));
  }
  cpSync(join(ROOT, "tests/e2e/apps/typed-integrations.ts"), join(app, "typed-integrations.ts"));
});

after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

test("the tarball ships the declarations that package.json names, for import and for require", () => {
  const files = packed.files.map((f) => f.path);
  for (const file of DECLARATIONS) assert.ok(files.includes(file), `${file} is in the tarball: ${files}`);
  const manifest = JSON.parse(readFileSync(join(installed, "package.json"), "utf8"));
  assert.equal(manifest.type, undefined, "no \"type\": .d.ts is CommonJS, hence .d.mts and .d.cts");
  assert.equal(manifest.types, "./index.d.ts");
  const [firstCondition] = Object.keys(manifest.exports["."]);
  assert.equal(firstCondition, "types", "types comes first in exports");
  assert.deepEqual(manifest.exports["."].types, { import: "./index.d.mts", require: "./index.d.cts" });
});

test("search-insights-api.ts is search-insights-typed code: it compiles against search-insights 2.17.3 itself", () => {
  const files = typecheck("tsconfig.original.json", {
    compilerOptions: { ...BROWSER, paths: { "search-insights": [ORIGINAL] } },
    files: ["search-insights-api.ts"],
  });
  assert.ok(files.some((f) => f.startsWith(join(ORIGINAL, "dist/"))), "search-insights' own declarations were used");
  assert.ok(!files.some((f) => f.includes("search-insights-wasm")));
});

test("with search-insights mapped to this package, it compiles, InstantSearch's and Autocomplete's declarations too", () => {
  const files = typecheck("tsconfig.mapped.json", {
    compilerOptions: { ...BROWSER, paths: { "search-insights": ["./node_modules/search-insights-wasm"] } },
    files: ["search-insights-api.ts", "typed-integrations.ts"],
  });
  assert.ok(files.includes(join(installed, "index.d.ts")), "this package's declarations were used");
  assert.ok(!files.some((f) => f.startsWith(ORIGINAL)), "the real search-insights was not");
  // Their declarations import from "search-insights": checked here against this package.
  for (const declaration of [
    "instantsearch.js/es/types/insights.d.ts",
    "@algolia/autocomplete-plugin-algolia-insights/dist/esm/types/InsightsClient.d.ts",
  ]) {
    assert.ok(files.includes(join(ROOT, "node_modules", declaration)), `${declaration} was checked`);
  }
});

test("InsightsClient, the method map and the method types are search-insights' own, both ways", () => {
  const files = typecheck("tsconfig.assignability.json", {
    compilerOptions: { ...BROWSER, paths: { "search-insights-original": [ORIGINAL] } },
    files: ["assignability.ts"],
  });
  assert.ok(files.includes(join(installed, "index.d.mts")), "imported through exports (types → import)");
  assert.ok(files.includes(join(ORIGINAL, "dist/types.d.ts")));
  // And unmapped: the integrations' declarations on the real search-insights take this package's clients.
  const unmapped = typecheck("tsconfig.integrations.json", { compilerOptions: BROWSER, files: ["typed-integrations.ts"] });
  assert.ok(unmapped.includes(join(ORIGINAL, "dist/types.d.ts")), "InstantSearch's `search-insights` is the real one");
});

test("this package's additions, generic wrappers, method-name unions and test doubles type-check; mistakes are errors", () => {
  // tests/consumer/tsconfig.json as it is (the npm-consumer test's), with skipLibCheck off.
  const config = JSON.parse(readFileSync(join(CONSUMER, "tsconfig.json"), "utf8"));
  assert.equal(config.compilerOptions.skipLibCheck, false);
  const files = typecheck("tsconfig.usage.json", config);
  assert.ok(files.includes(join(app, "typed-usage.ts")));
  // The @ts-expect-error lines are what makes the check fail if a mistake type-checks.
  const expected = readFileSync(join(app, "typed-usage.ts"), "utf8").match(/@ts-expect-error/g);
  assert.ok(expected.length >= 20, `${expected.length} mistakes`);
});

test("every name search-insights 2.17.3 exports is exported, for import and for require", () => {
  // search-insights' index-browser.d.ts / index-node.d.ts: their entry's named exports and `export * from "./types"`.
  const names = new Set(["InitParams", "RequestFnType"]);
  const values = new Set();
  for (const entry of ["entry-browser.d.ts", "entry-node.d.ts"]) {
    const source = readFileSync(join(ORIGINAL, "dist", entry), "utf8");
    for (const list of source.matchAll(/^export \{([^}]*)\}/gm)) for (const name of list[1].split(",")) values.add(name.trim());
    assert.match(source, /^export \* from "\.\/types";$/m);
  }
  for (const name of values) names.add(name);
  for (const match of readFileSync(join(ORIGINAL, "dist/types.d.ts"), "utf8").matchAll(/^export type (\w+)/gm)) names.add(match[1]);
  assert.ok(names.size >= 30, [...names].join(" "));
  // And every name this package's index.d.ts exports (its own additions included).
  const ours = new Set();
  for (const match of readFileSync(join(installed, "index.d.ts"), "utf8").matchAll(
    /^export (declare )?(?:type|interface|class|function|const) (\w+)/gm
  )) {
    ours.add(match[2]);
    if (match[1]) values.add(match[2]);
  }
  assert.deepEqual([...names].filter((name) => !ours.has(name)), [], "search-insights' names this package lacks");
  for (const name of ["DeliveryReport", "InsightsWasmClient", "InsightsMethod", "UserToken", "NodeCallback"]) assert.ok(ours.has(name), name);

  // A file naming each one (values with typeof), for import (.mts) and require (.cts).
  const all = [...new Set([...names, ...ours])].sort();
  const types = all.filter((name) => !values.has(name));
  const importAll =
    `import type { ${types.join(", ")} } from "search-insights-wasm";\n` +
    `import { ${[...values].sort().join(", ")} } from "search-insights-wasm";\n` +
    `export type Names = [\n${all
      .map((name) => (values.has(name) ? `typeof ${name}` : /^(WithAdditionalParams|NodeCallback)$/.test(name) ? `${name}<unknown>` : name))
      .map((name) => `  ${name},\n`)
      .join("")}];\n`;
  writeFileSync(join(app, "names.mts"), importAll);
  writeFileSync(join(app, "names.cts"), importAll);
  for (const module of ["node16", "nodenext"]) {
    const files = typecheck(`tsconfig.names-${module}.json`, {
      compilerOptions: { module, target: "ES2022", strict: true, noEmit: true, skipLibCheck: false, types: [], lib: ["ES2022"] },
      files: ["names.mts", "names.cts"],
    });
    assert.ok(files.includes(join(installed, "index.d.mts")) && files.includes(join(installed, "index.d.cts")), module);
  }
  const bundler = typecheck("tsconfig.names-bundler.json", { compilerOptions: { ...BROWSER, types: [] }, files: ["names.mts"] });
  assert.ok(bundler.includes(join(installed, "index.d.mts")));
});

test("CommonJS (require, import = require, checkJs) and ES module files type-check under module node16 and nodenext", () => {
  for (const module of ["node16", "nodenext"]) {
    const files = typecheck(`tsconfig.node-${module}.json`, {
      compilerOptions: {
        module,
        target: "ES2022",
        strict: true,
        skipLibCheck: false,
        allowJs: true,
        checkJs: true,
        outDir: `out-${module}`,
        types: [],
        lib: ["ES2022"],
      },
      files: ["node-globals.d.ts", "commonjs.cts", "commonjs-check.cjs", "esm.mts"],
    });
    assert.ok(files.includes(join(installed, "index.d.cts")), `${module}: require resolves to index.d.cts`);
    assert.ok(files.includes(join(installed, "index.d.mts")), `${module}: import resolves to index.d.mts`);
    for (const out of ["commonjs.cjs", "commonjs-check.cjs", "esm.mjs"]) assert.ok(existsSync(join(app, `out-${module}`, out)), out);
  }
});

test("those files, compiled, run against the build as their types say", () => {
  for (const file of ["index-node.cjs", "index-node.mjs"]) {
    assert.ok(existsSync(join(installed, file)), `${file} is not in the tarball: run \`make build\` first`);
  }
  // Each run exits by itself (execFileSync waits for it) and prints one JSON line.
  const runFile = (file) => JSON.parse(run(process.execPath, [join("out-nodenext", file)], app).trim());
  const cjs = runFile("commonjs.cjs");
  assert.deepEqual(cjs, {
    callable: "function",
    defaultImport: true,
    version: "2.17.3",
    token: "backend-user",
    getUserToken: "backend-user",
    exports: Array(7).fill("function"),
    default: false,
    clients: ["function", "function", "function"],
    instanceFlush: "function",
    events: 0,
    browserRequester: "function",
  });
  assert.deepEqual(runFile("commonjs-check.cjs"), { mistakes: "function", version: "2.17.3", client: "function", token: "js-user" });
  assert.deepEqual(runFile("esm.mjs"), {
    version: "2.17.3",
    sameDefault: true,
    named: "function",
    classes: ["function", "function"],
    propertyOnDefault: false,
  });

  // The runtime's named exports are exactly the values the declarations name.
  const declared = [];
  for (const match of readFileSync(join(installed, "index.d.ts"), "utf8").matchAll(/^export declare (?:class|function|const) (\w+)/gm)) {
    declared.push(match[1]);
  }
  const esmNames = JSON.parse(
    run(process.execPath, ["--input-type=module", "-e", `import * as m from "search-insights-wasm"; console.log(JSON.stringify(Object.keys(m)))`], app)
  );
  assert.deepEqual(esmNames.filter((n) => n !== "default").sort(), declared.sort());
  const cjsNames = JSON.parse(run(process.execPath, ["-e", `console.log(JSON.stringify(Object.keys(require("search-insights-wasm"))))`], app));
  const cjsDeclared = [...readFileSync(join(installed, "index.d.cts"), "utf8").matchAll(/^  (\w+): typeof types\.\1;$/gm)].map((m) => m[1]);
  assert.deepEqual(cjsDeclared.sort(), declared.sort(), "index.d.cts lists every named export as a property of aa");
  assert.deepEqual(cjsNames.filter((n) => n !== "version").sort(), declared.sort());
});

// Shortens the wasm's import and export names, and the JS glue with them.
//   node scripts/minify-names.mjs <module.wasm> <glue.js>
// wasm-bindgen names each import `__wbg_<name>_<16 hex digits>` from the
// module "./search_insights_wasm_bg.js" or a snippet path, and each closure
// export after its Rust types: about 4 KB of names that gzip cannot shrink
// much, in the wasm and again in the glue. `wasm-opt
// --minify-imports-and-exports-and-modules` renames them all ("a", "B", …,
// every import from module "a") and prints the mapping; this script rewrites
// the glue to match and checks that nothing was left unmatched, failing the
// build otherwise (the glue's shape is that of the pinned wasm-bindgen).
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";

const [wasmPath, gluePath] = process.argv.slice(2);
const fail = (message) => {
  console.error(`minify-names: ${message}`);
  process.exit(1);
};
if (!wasmPath || !gluePath) fail("usage: minify-names.mjs <module.wasm> <glue.js>");

const map = JSON.parse(
  execFileSync(
    "node_modules/.bin/wasm-opt",
    [
      "--minify-imports-and-exports-and-modules",
      "--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext",
      "--enable-reference-types", "--enable-multivalue", "--enable-mutable-globals",
      wasmPath, "-o", wasmPath,
    ],
    { encoding: "utf8" }
  )
);
const modules = new Set(WebAssembly.Module.imports(new WebAssembly.Module(readFileSync(wasmPath))).map((i) => i.module));
if (modules.size !== 1 || !modules.has("a")) fail(`expected every import from module "a", got ${[...modules].join(", ")}`);

let glue = readFileSync(gluePath, "utf8");
const escape = (s) => s.replace(/[$]/g, "\\$");
const GLUE_MODULE = "./search_insights_wasm_bg.js";

// The glue's own imports: keys of its `import0` object, each written once.
for (const [module, base, short] of map.imports) {
  if (module !== GLUE_MODULE) continue;
  const key = new RegExp(`^(\\s+)${escape(base)}: function\\(`, "gm");
  const found = glue.match(key)?.length ?? 0;
  if (found !== 1) fail(`import ${base}: ${found} definitions in the glue`);
  glue = glue.replace(key, `$1${short}: function(`);
}

// The return value of __wbg_get_imports: one module, "a", holding the glue's
// functions and the snippets' exports (through the glue's namespace imports).
const ret = /    return \{\n        __proto__: null,\n((?:        "[^"]+": import\d+,\n)+)    \};\n\}/;
const block = glue.match(ret);
if (!block) fail("the return of __wbg_get_imports is not where it was expected");
const namespaces = new Map();
for (const [, module, name] of block[1].matchAll(/"([^"]+)": (import\d+),/g)) {
  if (!namespaces.has(module)) namespaces.set(module, name);
}
const members = [];
for (const [module, base, short] of map.imports) {
  if (module === GLUE_MODULE) continue;
  const namespace = namespaces.get(module);
  if (!namespace || !/^[A-Za-z_$][\w$]*$/.test(base)) fail(`import ${base} from ${module}: no namespace for it in the glue`);
  members.push(`[${JSON.stringify(short)}] = ${namespace}.${base}`);
}
if (!namespaces.has(GLUE_MODULE)) fail("the glue's own imports are not in __wbg_get_imports' return");
// Assignments, not a spread: a minifier may inline the glue's object
// literal into the spread, and a second one (webpack's terser) flatten that
// into one literal with two `__proto__` fields, a syntax error. (Nor
// Object.assign, which a page could have replaced.)
const own = namespaces.get(GLUE_MODULE);
glue = glue.replace(
  ret,
  `${members.map((m) => `    ${own}${m};\n`).join("")}    return { __proto__: null, a: ${own} };\n}`
);

// Exports: every `wasm.<name>` of the glue.
const shortExports = new Set();
for (const [name, short] of map.exports) {
  glue = glue.replace(new RegExp(`\\bwasm\\.${escape(name)}\\b`, "g"), `wasm.${short}`);
  shortExports.add(short);
}
const left = [...glue.matchAll(/\bwasm\.([A-Za-z_$][\w$]*)/g)].map((m) => m[1]).filter((n) => !shortExports.has(n));
if (left.length) fail(`the glue uses exports that are not in the module: ${[...new Set(left)].join(", ")}`);
const stale = glue.match(/__wbg_[A-Za-z0-9_]*_[0-9a-f]{16}\b/);
if (stale) fail(`an import name is left in the glue: ${stale[0]}`);

writeFileSync(gluePath, glue);
console.log(`minify-names: ${map.imports.length} imports and ${map.exports.length} exports renamed`);

// Bundles an e2e app (ES module source under tests/e2e/apps/) for the browser
// with the esbuild JS API, resolving the real npm packages (instantsearch.js,
// algoliasearch, Autocomplete) from the workspace's node_modules.
import { build } from "esbuild";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const APPS = dirname(fileURLToPath(import.meta.url));

/** The bundled JavaScript of `tests/e2e/apps/<name>` as a string. */
export async function bundleApp(name) {
  const result = await build({
    entryPoints: [join(APPS, name)],
    bundle: true,
    write: false,
    format: "iife",
    platform: "browser",
    target: "es2020",
    minify: true,
    legalComments: "none",
    jsx: "automatic",
    define: { "process.env.NODE_ENV": '"production"' },
    logLevel: "silent",
  });
  return result.outputFiles[0].text;
}

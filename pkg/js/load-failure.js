// One clear console error when the wasm cannot be loaded; calls stay queued.
export function reportLoadFailure(error, wasmUrl) {
  const text = String((error && error.message) || error);
  if (/Content.Security.Policy|wasm-unsafe-eval|violates/i.test(text)) {
    console.error(
      "search-insights-wasm: this page's Content-Security-Policy blocks WebAssembly. " +
        "Add 'wasm-unsafe-eval' to script-src (and the Insights host to connect-src). " +
        "Calls made so far stay queued."
    );
  } else {
    console.error("search-insights-wasm: could not load " + wasmUrl + " (" + text + "). Calls made so far stay queued.");
  }
}

// The wasm of the CommonJS and Node builds: the raw bytes, embedded by
// esbuild's binary loader (scripts/build.sh). They need nothing of the page:
// no DecompressionStream (jsdom has none), no fetch, no file.
import bytes from "../search_insights_wasm_bg.wasm";

export function embeddedWasm() {
  return bytes;
}

// The wasm of the browser ESM build (pkg/index.mjs): gzipped, as base64 (scripts/build.sh),
// unpacked by the browser's DecompressionStream into a Response that
// WebAssembly.instantiateStreaming compiles as it arrives.
import packed from "../../target/bindgen/search_insights_wasm_bg.wasm.gz";

export function embeddedWasm() {
  if (typeof DecompressionStream !== "function") {
    throw new Error("this browser has no DecompressionStream, needed to unpack the embedded wasm (use the script-tag build)");
  }
  const bytes = Uint8Array.from(atob(packed), (c) => c.charCodeAt(0));
  const wasm = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Response(wasm, { headers: { "content-type": "application/wasm" } });
}

// The wasm of the browser ESM build (pkg/index.mjs): gzipped, as base64 (scripts/build.sh),
// unpacked by the browser's DecompressionStream into a Response that
// WebAssembly.instantiateStreaming compiles as it arrives.
import packed from "../../target/bindgen/search_insights_wasm_bg.wasm.gz";

// The base64 text as bytes: the browser's own decoder where it has one
// (Uint8Array.fromBase64), else atob and a plain loop.
function decode(text) {
  if (typeof Uint8Array.fromBase64 === "function") return Uint8Array.fromBase64(text);
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function embeddedWasm() {
  if (typeof DecompressionStream !== "function") {
    throw new Error("this browser has no DecompressionStream, needed to unpack the embedded wasm (use the script-tag build)");
  }
  const wasm = new Blob([decode(packed)]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Response(wasm, { headers: { "content-type": "application/wasm" } });
}

// Rollup as its users configure it for a browser app: node_modules resolved
// by @rollup/plugin-node-resolve with the browser field/condition, one IIFE
// file for a classic <script>.
import { nodeResolve } from "@rollup/plugin-node-resolve";

export default {
  input: "src/main.js",
  output: { file: process.env.BUNDLE_OUT, format: "iife" },
  plugins: [nodeResolve({ browser: true })],
};

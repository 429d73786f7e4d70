// The npm package as its users get it, for the Node, test-runner and bundler
// tests: `npm pack` of pkg/, installed offline with an empty cache into
// scratch projects, and real Node processes run in them.
import { execFileSync, spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { ROOT, PKG } from "./harness.mjs";

/** Fixture apps (scripts, test files, bundler entries) copied into scratch projects. */
export const APPS = join(ROOT, "tests/node-apps");

/** Runs a command to completion; throws with its output when it fails. */
export function run(command, args, cwd, env = {}) {
  try {
    return execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
  } catch (error) {
    throw new Error(`${command} ${args.join(" ")} failed in ${cwd}:\n${error.stdout}\n${error.stderr}`);
  }
}

/** A temporary folder with the packed tarball of pkg/ in it: `{ work, tarball, packed }`. */
export function packPackage(label) {
  const work = mkdtempSync(join(tmpdir(), `insights-${label}-`));
  const [packed] = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", work], PKG));
  return { work, tarball: join(work, packed.filename), packed };
}

/**
 * A scratch project in `work/name` with the tarball installed offline from an
 * empty cache (so nothing can come from the registry). `spec` is what is
 * installed (default: the tarball, under its own name); `files` maps paths
 * to copy from tests/node-apps/; `links` names workspace packages linked into
 * its node_modules (tools such as vitest, never the package under test).
 */
export function scratchProject(work, name, { install, files = {}, links = [] } = {}) {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: `scratch-${name}`, version: "1.0.0", private: true }, null, 2));
  if (install) {
    const cache = mkdtempSync(join(work, "npm-cache-"));
    run("npm", ["install", "--no-save", "--offline", "--no-audit", "--no-fund", "--cache", cache, install], dir);
  }
  for (const link of links) {
    mkdirSync(join(dir, "node_modules", link, ".."), { recursive: true });
    symlinkSync(join(ROOT, "node_modules", link), join(dir, "node_modules", link), "dir");
  }
  for (const [target, source] of Object.entries(files)) {
    mkdirSync(join(dir, target, ".."), { recursive: true });
    cpSync(join(APPS, source), join(dir, target), { recursive: true });
  }
  return dir;
}

/** `runProcess` of Node itself: `node ...args`. */
export function runNode(args, options) {
  return runProcess(process.execPath, args, options);
}

/**
 * Runs `command ...args` in `cwd` and resolves once it exits by itself:
 * `{ code, signal, stdout, stderr, timedOut }`. A process still running after
 * `timeoutMs` (a safety net, never the thing measured) is killed and
 * reported with `timedOut: true`.
 */
export function runProcess(command, args, { cwd, env = {}, timeoutMs = 60000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

/** What a process did, for assertion messages. */
export function describe(result) {
  return `exit ${result.code}, signal ${result.signal}${result.timedOut ? " (killed: still running after the safety timeout)" : ""}\n` +
    `stdout: ${result.stdout}\nstderr: ${result.stderr}`;
}

/** The process exited by itself with code 0 (not killed by the safety timeout). */
export function exitedCleanly(assert, result) {
  assert.equal(result.timedOut, false, "the process exits by itself: " + describe(result));
  assert.equal(result.signal, null, describe(result));
  assert.equal(result.code, 0, describe(result));
}

/** The JSON a fixture script prints as its last line of stdout. */
export function report(result) {
  const lines = result.stdout.trim().split("\n");
  try {
    return JSON.parse(lines[lines.length - 1]);
  } catch (error) {
    throw new Error("the script printed no JSON report: " + describe(result));
  }
}

// Shared plumbing for the end-to-end tests: a real local Insights endpoint
// (insights-devserver) serving a test site, a real headless Chromium driven by
// playwright-core, and the official search-insights snippet.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, cpSync, writeFileSync, readFileSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { chromium } from "playwright-core";
import { createServer as createNetServer } from "node:net";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const PKG = join(ROOT, "pkg");

/** The official search-insights v2 snippet, loading `src` under the global `name`. */
export function snippet(src, name = "aa") {
  return `<script>
!function(e,a,t,n,s,i,c){e.AlgoliaAnalyticsObject=s,e[s]=e[s]||function(){
(e[s].queue=e[s].queue||[]).push(arguments)},e[s].version=(n.match(/@([^\\/]+)\\/?/) || [])[1],i=a.createElement(t),c=a.getElementsByTagName(t)[0],
i.async=1,i.src=n,c.parentNode.insertBefore(i,c)
}(window,document,"script",${JSON.stringify(src)},${JSON.stringify(name)});
</script>`;
}

/** Where each library's script-tag file is served from on the test site. */
export const LIBRARIES = {
  wasm: "/pkg/search-insights.min.js",
  js: "/vendor/search-insights.min.js",
};

let serverBinary;
function devserverBinary() {
  if (!serverBinary) {
    serverBinary = execFileSync(join(ROOT, "scripts/devserver.sh"), { encoding: "utf8" }).trim();
  }
  return serverBinary;
}

/**
 * A test site in a temporary folder: `files` maps paths to contents, and
 * search-insights' own script is copied to /vendor/ so both libraries load
 * from the same origin the same way.
 */
export function makeSite(files = {}) {
  const dir = mkdtempSync(join(tmpdir(), "insights-e2e-"));
  mkdirSync(join(dir, "vendor"), { recursive: true });
  writeFileSync(join(dir, "favicon.ico"), "");
  cpSync(join(ROOT, "node_modules/search-insights/dist/search-insights.min.js"), join(dir, "vendor/search-insights.min.js"));
  for (const [path, content] of Object.entries(files)) {
    const target = join(dir, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
  return dir;
}

/**
 * Starts insights-devserver over `www` on `port` (default: a free port chosen
 * by the server); resolves to a handle.
 */
export async function startServer({ www = makeSite(), extraArgs = [], port: fixedPort = 0 } = {}) {
  const portFile = join(mkdtempSync(join(tmpdir(), "insights-port-")), "port");
  const child = spawn(devserverBinary(), ["--port", String(fixedPort), "--port-file", portFile, "--www", www, "--pkg", PKG, ...extraArgs], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  // A safety net, generous for a busy machine: the port file appears once listening.
  const startDeadline = Date.now() + 60000;
  while (!existsSync(portFile) && Date.now() < startDeadline && child.exitCode === null) await sleep(50);
  if (!existsSync(portFile)) {
    child.kill();
    throw new Error("insights-devserver did not start: " + output);
  }
  const port = Number(readFileSync(portFile, "utf8").trim());
  const url = `http://127.0.0.1:${port}`;
  const api = async (path, init) => {
    const response = await fetch(url + path, init);
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    const text = await response.text();
    return text ? JSON.parse(text) : null;
  };
  const query = (filter = {}) => {
    const params = new URLSearchParams(Object.entries(filter).filter(([, v]) => v !== undefined));
    const s = params.toString();
    return s ? "?" + s : "";
  };
  return {
    url,
    www,
    /** Request records kept by the endpoint (POSTs, preflights, searches). */
    requests: (filter) => api("/_devserver/requests" + query(filter)),
    /** The searches the fake search backend answered for `appId` (`{query, userToken, clickAnalytics, queryID, …}`). */
    searches: async (appId) =>
      (await api("/_devserver/requests" + query({ appId }))).filter((r) => r.method === "POST" && r.searches?.length).flatMap((r) => r.searches),
    /** Event records: `{accepted, reason, event, requestId, …}`. */
    events: (filter) => api("/_devserver/events" + query(filter)),
    clear: () => api("/_devserver/clear", { method: "POST" }),
    reset: () => api("/_devserver/reset", { method: "POST" }),
    /** Makes the next POSTs fail: `{mode:"status",status:500,times:1}`, `{mode:"drop"}`, `{mode:"hang"}`. */
    fail: (plan) => api("/_devserver/fail", { method: "POST", body: JSON.stringify(plan), headers: { "content-type": "application/json" } }),
    async stop() {
      child.kill("SIGTERM");
      await new Promise((r) => (child.exitCode !== null ? r() : child.once("exit", r)));
      rmSync(www, { recursive: true, force: true });
    },
  };
}

/** A TCP port nothing listens on right now (for a server started, stopped and restarted on it). */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const probe = createNetServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolvePort(port));
    });
  });
}

/**
 * Waits until `check()` returns a truthy value (polling), or throws with
 * `what`. The timeout is only a safety net that fails loudly: generous, so a
 * busy machine never trips it.
 */
export async function waitFor(check, what, timeoutMs = 60000) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    last = await check();
    if (last) return last;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
}

/** Headless Debian Chromium; never a downloaded browser. */
/** Chromium's flags for tests here (this machine's network is closed: no background connections). */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_ARGS,
  });
}

/** Collects a page's console messages and uncaught errors. */
export function watchConsole(page) {
  const messages = [];
  page.on("console", (m) => messages.push({ type: m.type(), text: m.text() }));
  page.on("pageerror", (e) => messages.push({ type: "pageerror", text: String(e && e.message) }));
  return messages;
}

/** A unique application id, so one test reads only its own requests. */
export function uniqueAppId(label) {
  return `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
}

/**
 * Counts in the page the requests the library starts to the events endpoint
 * (`window.sendsStarted`) and those that got an answer or failed
 * (`window.sendsSettled`).
 */
export function countSends(page) {
  return page.addInitScript(() => {
    window.sendsStarted = 0;
    window.sendsSettled = 0;
    const originalFetch = window.fetch;
    window.fetch = function (url) {
      const request = originalFetch.apply(this, arguments);
      if (String(url).includes("/1/events")) {
        window.sendsStarted++;
        const settled = () => window.sendsSettled++;
        request.then(settled, settled);
      }
      return request;
    };
  });
}

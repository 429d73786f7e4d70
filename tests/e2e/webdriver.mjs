// A small W3C WebDriver client over plain HTTP, for the end-to-end tests that
// run in every engine: Debian's Chromium (chromedriver), Firefox ESR
// (geckodriver, from crates.io) and WebKitGTK's MiniBrowser (WebKitWebDriver,
// under an Xvfb of its own: MiniBrowser has no headless mode). Playwright
// cannot drive the stock Firefox and WebKit builds; every one of them speaks
// WebDriver. No browser is ever downloaded: a missing engine is an error.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort, CHROMIUM_ARGS } from "./harness.mjs";

const MINIBROWSER = "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser";

/** Each engine: its WebDriver server, and the capabilities of a new session. */
export const ENGINES = {
  chromium: {
    driver: "/usr/bin/chromedriver",
    capabilities: {
      browserName: "chrome",
      "goog:chromeOptions": {
        binary: "/usr/bin/chromium",
        args: ["--headless=new", ...CHROMIUM_ARGS],
      },
    },
  },
  firefox: {
    driver: join(homedir(), ".cargo/bin/geckodriver"),
    capabilities: {
      browserName: "firefox",
      "moz:firefoxOptions": {
        binary: "/usr/bin/firefox-esr",
        args: ["-headless"],
        prefs: {
          "app.update.disabledForTesting": true,
          "browser.shell.checkDefaultBrowser": false,
          "datareporting.policy.dataSubmissionEnabled": false,
          "network.captive-portal-service.enabled": false,
        },
      },
    },
  },
  webkit: {
    driver: "/usr/bin/WebKitWebDriver",
    display: true,
    capabilities: {
      "webkitgtk:browserOptions": { binary: MINIBROWSER, args: ["--automation"] },
    },
  },
};

/**
 * Waits until `check()` gives a truthy value; the limit is a safety net that
 * fails loudly, never a timing assumption. Errors thrown by `check` (a page
 * in the middle of a navigation) count as "not yet".
 */
async function until(check, what, timeoutMs = 60000) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    try {
      last = await check();
      if (last) return last;
    } catch (e) {
      last = String(e && e.message);
    }
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
}

/** Starts a process; collects its output for error messages. */
function start(command, args, options = {}) {
  if (!existsSync(command)) throw new Error(`${command} not found: run scripts/setup.sh (make test does)`);
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], ...options });
  child.output = "";
  child.stdout.on("data", (d) => (child.output += d));
  child.stderr.on("data", (d) => (child.output += d));
  return child;
}

async function stop(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once("exit", r)));
}

/** An Xvfb on a free display (`-displayfd` writes its number once it is ready). */
async function startXvfb() {
  const child = spawn("/usr/bin/Xvfb", ["-displayfd", "3", "-screen", "0", "1280x1024x24", "-nolisten", "tcp"], {
    stdio: ["ignore", "ignore", "pipe", "pipe"],
  });
  let display = "";
  let errors = "";
  child.stdio[3].on("data", (d) => (display += d));
  child.stderr.on("data", (d) => (errors += d));
  try {
    await until(() => child.exitCode === null && /\d+\n/.test(display) && display, "Xvfb to be ready");
  } catch (e) {
    child.kill();
    throw new Error(`Xvfb did not start: ${errors || e.message}`);
  }
  return { child, display: ":" + display.trim() };
}

/**
 * Starts `engine`'s WebDriver server and a browser session; resolves to a
 * session with `goto`, `refresh`, `run` (a script's return value), `url`, tabs
 * (`newTab`, `switchTo`, `windowHandle`, `closeTab`), `cookies`,
 * `deleteCookies` and `quit`. `acceptInsecureCerts: true` lets the session
 * load an https page with a self-signed certificate.
 */
export async function openSession(engine, { acceptInsecureCerts = false } = {}) {
  const { driver, display } = ENGINES[engine];
  const capabilities = acceptInsecureCerts ? { ...ENGINES[engine].capabilities, acceptInsecureCerts: true } : ENGINES[engine].capabilities;
  const xvfb = display ? await startXvfb() : null;
  const env = xvfb ? { ...process.env, DISPLAY: xvfb.display } : process.env;
  const port = await freePort();
  const server = start(driver, [`--port=${port}`], { env });
  const base = `http://127.0.0.1:${port}`;
  const cleanUp = async () => {
    await stop(server);
    await stop(xvfb?.child);
  };
  const call = async (method, path, body) => {
    const response = await fetch(base + path, {
      method,
      headers: body ? { "content-type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    const answer = await response.json();
    if (!response.ok) throw new Error(`${engine} WebDriver ${method} ${path}: ${response.status} ${JSON.stringify(answer.value)}`);
    return answer.value;
  };
  let id, browser;
  try {
    await until(async () => (await call("GET", "/status")).ready !== false, `${driver} to answer`);
    const created = await call("POST", "/session", { capabilities: { alwaysMatch: capabilities } });
    id = created.sessionId;
    browser = `${created.capabilities.browserName} ${created.capabilities.browserVersion}`;
  } catch (e) {
    await cleanUp();
    throw new Error(`${e.message}\n${server.output}`);
  }
  const session = `/session/${id}`;
  return {
    engine,
    /** The browser's name and version, as the new session reported them. */
    browser,
    /** Loads `url` and returns once the driver says it loaded. */
    goto: (url) => call("POST", `${session}/url`, { url }),
    /** Runs `script` (a function body) in the page with `args`; its return value. */
    run: (script, ...args) => call("POST", `${session}/execute/sync`, { script, args }),
    url: () => call("GET", `${session}/url`),
    /** Reloads the current page and returns once the driver says it loaded. */
    refresh: () => call("POST", `${session}/refresh`, {}),
    /** Opens a new tab and returns its window handle (the current window stays current). */
    newTab: async () => (await call("POST", `${session}/window/new`, { type: "tab" })).handle,
    /** Makes the window `handle` current: `goto` and `run` act on it from now on. */
    switchTo: (handle) => call("POST", `${session}/window`, { handle }),
    /** The handle of the current window. */
    windowHandle: () => call("GET", `${session}/window`),
    /**
     * Closes the current tab (as the visitor would; its page gets its
     * `pagehide`) and returns the handles still open. Switch to one of them
     * before the next `goto` or `run`.
     */
    closeTab: () => call("DELETE", `${session}/window`),
    /** The cookies the browser holds for the current page (name, value, path, sameSite, expiry…). */
    cookies: () => call("GET", `${session}/cookie`),
    /** Deletes every cookie the current page can see. */
    deleteCookies: () => call("DELETE", `${session}/cookie`),
    until,
    async quit() {
      await call("DELETE", session).catch(() => {});
      await cleanUp();
    },
  };
}

// Snippet → first queued callback with a simulated round trip to the CDN:
// Chromium's network emulation (DevTools protocol) adds `latency` ms to every
// request the page makes, so a library that needs two requests before its
// first callback pays it twice. Used by run.mjs.

/** One fresh load of `url` with `latency` ms added to each request: ms from the snippet to the first callback. */
export async function firstCallback(browser, url, latency) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency, downloadThroughput: -1, uploadThroughput: -1 });
  await page.goto(url);
  await page.waitForFunction(() => window.__firstCallback !== undefined, null, { timeout: 30000 });
  const ms = await page.evaluate(() => window.__firstCallback);
  await context.close();
  return ms;
}

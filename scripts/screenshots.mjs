#!/usr/bin/env node
// Writes the README's pictures, docs/images/demo-store.png (1280×800) and
// docs/images/debugger.png (1680×900): the demo store after a short visit, and
// the events debugger listing what that visit sent. Uses the real devserver
// over a copy of www/ and the system Chromium (never a downloaded browser).
//
//   make build && node scripts/screenshots.mjs
import { cpSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { ROOT, startServer, makeSite, launchBrowser, waitFor } from "../tests/e2e/harness.mjs";

const OUT = join(ROOT, "docs/images");
const VIEWPORT = { width: 1280, height: 800 };
const DEBUGGER_VIEWPORT = { width: 1680, height: 900 };

const site = makeSite();
cpSync(join(ROOT, "www"), site, { recursive: true });
const server = await startServer({ www: site });
const browser = await launchBrowser();
try {
  mkdirSync(OUT, { recursive: true });
  const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1 });
  const store = await context.newPage();
  const eventCount = async () => (await server.events()).length;
  const untilEvents = (n) => waitFor(async () => (await eventCount()) >= n, `${n} events`);

  // A visit: accept the cookie, sign in, look at two products, fill the cart, buy.
  await store.goto(server.url + "/");
  await store.locator('[data-testid="product"]').first().waitFor();
  await store.click('[data-testid="consent-accept"]');
  await store.fill('[data-testid="login-name"]', "Ada");
  await store.click('[data-testid="login"]');
  const product = (id) => store.locator(`[data-testid="product"][data-object-id="${id}"]`);
  await product("1").locator('[data-testid="product-open"]').click();
  await store.click('[data-testid="dialog-add-to-cart"]');
  await product("6").locator('[data-testid="add-to-cart"]').click();
  await untilEvents(3);
  await store.click('[data-testid="cart-button"]');
  await store.click('[data-testid="checkout"]');
  await store.click('[data-testid="cart-close"]');
  await untilEvents(4);
  await product("9").locator('[data-testid="product-open"]').click();
  await store.keyboard.press("Escape");
  await product("9").locator('[data-testid="add-to-cart"]').click();
  await untilEvents(6);
  await waitFor(async () => (await store.locator('[data-testid="activity-delivery"]').count()) >= 3, "delivery reports");
  await store.evaluate(() => {
    document.activeElement?.blur();
    window.scrollTo(0, 0);
  });
  await store.mouse.move(1100, 785);
  await store.screenshot({ path: join(OUT, "demo-store.png") });

  // One hand-written request the API would refuse (positions without a
  // queryID), to show how the debugger reports rejections.
  const response = await fetch(
    server.url + "/1/events?X-Algolia-Application-Id=demo-store&X-Algolia-API-Key=demo-search-only-key",
    {
      method: "POST",
      body: JSON.stringify({
        events: [{ eventType: "click", eventName: "Product Clicked", index: "products", userToken: "hand-written-request", objectIDs: ["7"], positions: [3] }],
      }),
    },
  );
  if (response.status !== 422) throw new Error(`expected the hand-written event to be refused, got ${response.status}`);

  // The debugger's table needs a wider window to show every column.
  const debug = await context.newPage();
  await debug.setViewportSize(DEBUGGER_VIEWPORT);
  await debug.goto(server.url + "/debugger");
  await waitFor(async () => (await debug.locator("tr.event-row").count()) === 7, "7 rows in the debugger");
  // Open the purchase's details.
  await debug.locator("tr.event-row", { hasText: "Order Completed" }).click();
  await debug.locator("tr.details-row").waitFor();
  await debug.mouse.move(0, 0);
  await debug.screenshot({ path: join(OUT, "debugger.png") });
  await context.close();

  for (const name of ["demo-store.png", "debugger.png"]) {
    console.log(`${join("docs/images", name)}: ${statSync(join(OUT, name)).size} bytes`);
  }
} finally {
  await browser.close();
  await server.stop();
}

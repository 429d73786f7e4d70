// @vitest-environment jsdom
// A Vitest test in the jsdom environment that sends a click to the endpoint
// named by INSIGHTS_HOST.
import { test, expect } from "vitest";
import aa from "search-insights-wasm";

test("sends a click from Vitest's jsdom environment", async () => {
  expect(typeof window.document.createElement).toBe("function");
  expect(navigator.userAgent).toMatch(/jsdom/);
  aa("init", { appId: process.env.INSIGHTS_APP_ID, apiKey: process.env.INSIGHTS_API_KEY, host: process.env.INSIGHTS_HOST });
  await expect(
    aa("clickedObjectIDs", { index: "products", eventName: "Vitest jsdom click", objectIDs: ["vj-1"], userToken: "vitest-user" })
  ).resolves.toBe(true);
});

// @vitest-environment node
// A Vitest test in the node environment that sends a click to the endpoint
// named by INSIGHTS_HOST.
import { test, expect } from "vitest";
import aa from "search-insights-wasm";

test("sends a click from Vitest's node environment", async () => {
  expect(typeof window).toBe("undefined");
  aa("init", { appId: process.env.INSIGHTS_APP_ID, apiKey: process.env.INSIGHTS_API_KEY, host: process.env.INSIGHTS_HOST });
  await expect(
    aa("clickedObjectIDs", { index: "products", eventName: "Vitest node click", objectIDs: ["vn-1"], userToken: "vitest-user" })
  ).resolves.toBe(true);
});

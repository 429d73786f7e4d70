// A Jest test (CommonJS, Jest's default node environment) that sends a
// click to the endpoint named by INSIGHTS_HOST.
const aa = require("search-insights-wasm");

test("the Node build sends a click from a Jest test", async () => {
  expect(require.resolve("search-insights-wasm")).toMatch(/[\\/]index-node\.cjs$/);
  expect(typeof aa.createInsightsClient).toBe("function");
  aa("init", { appId: process.env.INSIGHTS_APP_ID, apiKey: process.env.INSIGHTS_API_KEY, host: process.env.INSIGHTS_HOST });
  await expect(
    aa("clickedObjectIDs", { index: "products", eventName: "Jest click", objectIDs: ["jest-1"], userToken: "jest-user" })
  ).resolves.toBe(true);
});

// A backend written for search-insights, run unchanged against both
// search-insights and this package (installed under the name
// "search-insights"): `require`, `init`, events with an explicit userToken,
// sent through the backend's own transport, a requestFn given to
// createInsightsClient. Prints one JSON line.
const aa = require("search-insights");

const { INSIGHTS_HOST: host, INSIGHTS_APP_ID: appId, INSIGHTS_API_KEY: apiKey } = process.env;
const queryID = "0123456789abcdef0123456789abcdef";

async function main() {
  const calls = [];
  const client = aa.createInsightsClient(function requestFn(url, data) {
    calls.push({ args: arguments.length, url, data: JSON.parse(JSON.stringify(data)) });
    return Promise.resolve(true);
  });
  client("init", { appId, apiKey, host });
  const results = await Promise.all([
    client("clickedObjectIDsAfterSearch", {
      index: "products",
      eventName: "Backend click",
      queryID,
      objectIDs: ["b-1", "b-2"],
      positions: [1, 2],
      userToken: "backend-user",
    }),
    client("convertedObjectIDsAfterSearch", {
      index: "products",
      eventName: "Backend conversion",
      queryID,
      objectIDs: ["b-1"],
      userToken: "backend-user",
    }),
    client("viewedObjectIDs", { index: "products", eventName: "Backend view", objectIDs: ["b-3"], userToken: "other-user" }),
  ]);
  console.log(JSON.stringify({ results, calls }));
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});

// Node without a user token, run against both search-insights and this
// package (installed under the name "search-insights"): the first event
// makes an in-memory `anonymous-` token. The events go out through a
// requestFn posting with Node's fetch (search-insights' own Node requester
// cannot reach a URL with a port: see requester.cjs). Prints one JSON line.
const aa = require("search-insights");

const { INSIGHTS_HOST: host, INSIGHTS_APP_ID: appId, INSIGHTS_API_KEY: apiKey } = process.env;

function postWithFetch(url, data) {
  return fetch(url, { method: "POST", body: JSON.stringify(data) }).then((response) => response.status === 200);
}

async function main() {
  const client = aa.createInsightsClient(postWithFetch);
  client("init", { appId, apiKey, host });
  const before = client("getUserToken");
  const first = await client("clickedObjectIDs", { index: "products", eventName: "Anonymous click", objectIDs: ["a-1"] });
  const after = client("getUserToken");
  const second = await client("viewedObjectIDs", { index: "products", eventName: "Anonymous view", objectIDs: ["a-2"] });
  console.log(JSON.stringify({ tokenBefore: typeof before === "string" ? before : null, first, after, second }));
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});

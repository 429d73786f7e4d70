// A backend written for search-insights using the library's own transport:
// createInsightsClient(getRequesterForNode()), and the default `aa` (whose
// first event without a userToken makes an anonymous token). Run against
// this package installed under the name "search-insights". (search-insights'
// own Node requester cannot reach the local endpoint: it passes the URL's
// `host:port` to http.request as the host name, so every request to a URL
// with a port fails with ENOTFOUND.) Prints one JSON line.
const aa = require("search-insights");

const { INSIGHTS_HOST: host, INSIGHTS_APP_ID: appId, INSIGHTS_API_KEY: apiKey } = process.env;

async function main() {
  const direct = aa.createInsightsClient(aa.getRequesterForNode());
  direct("init", { appId: `${appId}-direct`, apiKey, host });
  const directResult = await direct("clickedObjectIDs", {
    index: "products",
    eventName: "Backend direct click",
    objectIDs: ["d-1"],
    userToken: "direct-user",
  });

  aa("init", { appId: `${appId}-default`, apiKey, host });
  const defaultResults = [
    await aa("convertedObjectIDs", { index: "products", eventName: "Backend default conversion", objectIDs: ["c-1"], userToken: "default-user" }),
    await aa("viewedObjectIDs", { index: "products", eventName: "Backend default view", objectIDs: ["c-2"] }),
  ];
  console.log(JSON.stringify({ directResult, defaultResults, token: aa("getUserToken") }));
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});

// A client that nothing references any more once its event call is made (a
// backend that makes a client per request and keeps only the Promise),
// collected by the garbage collector while its request is in flight: the
// answer must still reach it and its Promise settle. The requestFn holds its
// answer until the client is collected. Run with --expose-gc. Prints one
// JSON line.
const { createInsightsClient } = require("search-insights-wasm");

const { INSIGHTS_HOST: host, INSIGHTS_APP_ID: appId, INSIGHTS_API_KEY: apiKey } = process.env;
let collected = false;
const registry = new FinalizationRegistry(() => {
  collected = true;
});
let requested = null;
let answer;
const answered = new Promise((resolve) => {
  answer = resolve;
});

// Only the Promise leaves this function: the client is unreachable after.
function track() {
  const aa = createInsightsClient((url, data) => {
    requested = data.events.map((e) => e.objectIDs[0]);
    return answered;
  });
  registry.register(aa, "client");
  aa("init", { appId, apiKey, host, flushDelay: 0 });
  return aa("clickedObjectIDs", { index: "products", eventName: "Dropped client click", objectIDs: ["gc-1"], userToken: "gc-user" });
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

async function main() {
  const pending = track();
  while (requested === null) await tick();
  // Collect until the client is gone (each round lets finalizers run).
  for (let round = 0; round < 50 && !collected; round++) {
    global.gc();
    await tick();
  }
  // Only now does the request answer.
  answer(true);
  const result = await pending;
  console.log(JSON.stringify({ collected, requested, result }));
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});

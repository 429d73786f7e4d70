// search-insights' class API in Node: `new AlgoliaAnalytics({ requestFn })`
// has every method of search-insights' AlgoliaAnalytics (INSIGHTS_METHODS,
// read from search-insights by the test), each one reaching a method the
// library knows; the instance sends through its requestFn;
// getFunctionalInterface and processQueue drive it. Prints one JSON line.
const aa = require("search-insights-wasm");
const { AlgoliaAnalytics, getFunctionalInterface, processQueue } = aa;

const { INSIGHTS_HOST: host, INSIGHTS_APP_ID: appId, INSIGHTS_API_KEY: apiKey, INSIGHTS_METHODS } = process.env;

// Console messages saying a method does not exist (search-insights' wording).
const unknown = [];
for (const level of ["warn", "error", "log"]) {
  const original = console[level];
  console[level] = (...args) => {
    const text = args.map(String).join(" ");
    if (/doesn't exist|unknown method/i.test(text)) unknown.push(text);
    else original.apply(console, args);
  };
}

async function main() {
  const calls = [];
  const instance = new AlgoliaAnalytics({
    requestFn: (url, data) => {
      calls.push({ url, events: data.events });
      return Promise.resolve(true);
    },
  });

  // Controls: the detector sees an unknown method, from getFunctionalInterface
  // and from the library's own dispatch.
  getFunctionalInterface(instance)("noSuchMethod");
  aa("noSuchMethod");
  const control = unknown.splice(0).length;

  // Every method of search-insights' class, called with no arguments: a
  // known method answers or throws its own argument error.
  const methods = {};
  for (const name of JSON.parse(INSIGHTS_METHODS)) {
    if (typeof instance[name] !== "function") {
      methods[name] = "missing";
      continue;
    }
    let outcome = "ran";
    try {
      const value = instance[name]();
      if (value && typeof value.then === "function") await value.catch(() => {});
    } catch (error) {
      outcome = String(error && error.message).startsWith(`${name}:`) ? "argument error" : `threw: ${error && error.message}`;
    }
    methods[name] = unknown.length ? `unknown: ${unknown.splice(0).join("; ")}` : outcome;
  }

  // A fresh instance, used as search-insights' class is.
  const used = new AlgoliaAnalytics({
    requestFn: (url, data) => {
      calls.push({ url, events: data.events });
      return Promise.resolve(true);
    },
  });
  used.init({ appId, apiKey, host });
  // A snippet-style global whose queued calls processQueue runs on `used`.
  const globalObject = { AlgoliaAnalyticsObject: "aa" };
  globalObject.aa = function () {
    globalObject.aa.queue.push(arguments);
  };
  globalObject.aa.queue = [["setUserToken", "queued-user"]];
  processQueue.call(used, globalObject);
  const queuedToken = used.getUserToken();
  const functional = getFunctionalInterface(used);
  calls.length = 0;
  const result = await functional("clickedObjectIDs", { index: "products", eventName: "Class click", objectIDs: ["k-1"] });
  console.log(JSON.stringify({ control, methods, version: used.version, queuedToken, result, calls }));
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});

// A tiny browser app, bundled by each bundler under test: the default client
// sends one click to the page's own origin (the local endpoint), for the
// appId in `?app=`, and the outcome lands in `window.outcome`.
import aa from "search-insights-wasm";

const params = new URLSearchParams(location.search);
aa("init", { appId: params.get("app"), apiKey: "bundle-key", host: location.origin });
aa("clickedObjectIDs", {
  index: "products",
  eventName: "Bundled click",
  objectIDs: [params.get("bundler")],
  userToken: "bundle-user",
}).then(
  (result) => {
    window.outcome = { result };
  },
  (error) => {
    window.outcome = { error: String(error && error.message) };
  }
);

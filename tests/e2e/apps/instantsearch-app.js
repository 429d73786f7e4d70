// An InstantSearch.js page as a site would write it: algoliasearch/lite v5
// pointed at the local fake search backend, insights enabled, a search box
// and hits. The page loads search-insights-wasm through the official snippet
// (window.aa). `?mode=`
//   true        `insights: true` (InstantSearch finds window.aa), started at once;
//   initparams  `insights: { insightsInitParams: { useCookie: true } }`, started at once;
//   client      `insights: { insightsClient: window.aa }`, started once the library has loaded.
import instantsearch from "instantsearch.js";
import { searchBox, hits, configure } from "instantsearch.js/es/widgets";
import { liteClient } from "algoliasearch/lite";

const params = new URLSearchParams(location.search);
const mode = params.get("mode") || "true";
const appId = params.get("app");

const searchClient = liteClient(appId, "search-api-key", {
  hosts: [{ url: location.hostname, port: Number(location.port), protocol: "http", accept: "readWrite" }],
});

const insights = {
  true: true,
  initparams: { insightsInitParams: { useCookie: true } },
  client: { insightsClient: window.aa },
}[mode];

const search = instantsearch({ indexName: "products", searchClient, insights });

search.addWidgets([
  configure({ hitsPerPage: 4 }),
  searchBox({ container: "#searchbox" }),
  hits({
    container: "#hits",
    templates: {
      item: (hit, { html }) =>
        html`<span class="name" data-object-id="${hit.objectID}" data-query-id="${hit.__queryID}">${hit.name}</span>`,
    },
  }),
]);

// Whether search-insights-wasm had replaced the snippet's queue (it is loaded).
const libraryLoaded = () => Boolean(window.aa.queue) && window.aa.queue.push !== Array.prototype.push;

function start() {
  window.libraryLoadedAtStart = libraryLoaded();
  search.start();
  window.search = search;
}

if (mode === "client") {
  const wait = () => (libraryLoaded() ? start() : setTimeout(wait, 10));
  wait();
} else {
  start();
}

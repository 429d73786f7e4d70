// An Autocomplete page as a site would write it: @algolia/autocomplete-js with
// the Algolia Insights plugin, algoliasearch/lite v5 pointed at the local fake
// search backend. The page loads search-insights-wasm through the official
// snippet (window.aa); `?mode=client` passes it to the plugin explicitly,
// otherwise the plugin finds it through window.AlgoliaAnalyticsObject.
import { autocomplete, getAlgoliaResults } from "@algolia/autocomplete-js";
import { createAlgoliaInsightsPlugin } from "@algolia/autocomplete-plugin-algolia-insights";
import { liteClient } from "algoliasearch/lite";

const params = new URLSearchParams(location.search);
const appId = params.get("app");

const searchClient = liteClient(appId, "search-api-key", {
  hosts: [{ url: location.hostname, port: Number(location.port), protocol: "http", accept: "readWrite" }],
});

const insightsPlugin = createAlgoliaInsightsPlugin(params.get("mode") === "client" ? { insightsClient: window.aa } : {});

window.autocompleteApi = autocomplete({
  container: "#autocomplete",
  placeholder: "Search products",
  plugins: [insightsPlugin],
  getSources({ query }) {
    return [
      {
        sourceId: "products",
        getItems() {
          return getAlgoliaResults({
            searchClient,
            queries: [{ indexName: "products", params: { query, hitsPerPage: 5 } }],
          });
        },
        getItemInputValue: ({ item }) => item.name,
        templates: {
          item: ({ item, html }) => html`<span class="name" data-object-id="${item.objectID}" data-query-id="${item.__autocomplete_queryID}">${item.name}</span>`,
        },
      },
    ];
  },
});

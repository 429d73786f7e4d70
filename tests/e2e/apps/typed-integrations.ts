// Type-checked by tests/e2e/npm-consumer.test.mjs inside the consumer app:
// the package's `aa` is accepted where InstantSearch.js and Autocomplete's
// insights plugin take a search-insights client.
import aa, { createInsightsClient } from "search-insights-wasm";
import instantsearch from "instantsearch.js";
import { liteClient } from "algoliasearch/lite";
import { createAlgoliaInsightsPlugin } from "@algolia/autocomplete-plugin-algolia-insights";

const searchClient = liteClient("APP", "KEY");
instantsearch({ indexName: "products", searchClient, insights: { insightsClient: aa } });
instantsearch({ indexName: "products", searchClient, insights: { insightsClient: createInsightsClient() } });
createAlgoliaInsightsPlugin({ insightsClient: aa });

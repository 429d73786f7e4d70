// Type-checked by tests/e2e/npm-consumer.test.mjs and tests/e2e/types.test.mjs
// inside a consumer app: the package's clients are accepted where
// InstantSearch.js and Autocomplete's insights plugin take a search-insights
// client (their declarations import its types from "search-insights": the
// real one, or this package when "search-insights" is mapped to it).
import aa, { createInsightsClient, type InsightsClient } from "search-insights-wasm";
import instantsearch from "instantsearch.js";
import { liteClient } from "algoliasearch/lite";
import { createAlgoliaInsightsPlugin } from "@algolia/autocomplete-plugin-algolia-insights";

const searchClient = liteClient("APP", "KEY");
const double: InsightsClient = (..._args: unknown[]): any => undefined;
instantsearch({ indexName: "products", searchClient, insights: { insightsClient: aa } });
instantsearch({ indexName: "products", searchClient, insights: { insightsClient: createInsightsClient() } });
instantsearch({ indexName: "products", searchClient, insights: { insightsClient: double, insightsInitParams: { useCookie: true } } });
createAlgoliaInsightsPlugin({ insightsClient: aa });
createAlgoliaInsightsPlugin({ insightsClient: createInsightsClient(async (_url, data) => data.events.length > 0) });

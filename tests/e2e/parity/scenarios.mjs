// The call sequences run through both libraries. One entry per scenario:
//   name     what it shows
//   calls    [method, ...args] made once the library has loaded
//   queued   calls made before it loads (the snippet queues them)
//   mode     "snippet" (default) or "module" (npm import: return values visible)
//   cookie   an `_ALGOLIA` cookie the visitor already has
//   storage  localStorage items already there; storageThrows: every access throws
//   differs  named differences (differences.mjs) this scenario shows on purpose,
//            each with its hand-written expectation (`batches: n`: this
//            library makes n requests where search-insights makes one per call)
//   expect   what search-insights must show (so that agreeing is not agreeing on
//            nothing): `events` accepted (default: at least one), `console`,
//            `endpoints`, `cookie`, `cookieDays`, `queryCache`, `queryCacheSize`, `callbacks`,
//            `returned` ({method: value} of its first call)
// In arguments, "$APP" is the run's application ID, "$HOST" the local endpoint,
// "$CB" a recording callback, "$UNDEFINED" undefined, "$TIMESTAMP" a fixed
// timestamp; the step "$DELIVERED" waits until the calls so far were sent.

const QID = "0123456789abcdef0123456789abcdef";
const QID2 = "fedcba9876543210fedcba9876543210";
const QID3 = "a1b2c3d4e5f60718293a4b5c6d7e8f90";
const ANON = "anonymous-0f8fad5b-d9cb-469f-a165-70867728950e";
const KEY = "parity-search-key";

const init = (options = {}) => ["init", { appId: "$APP", apiKey: KEY, host: "$HOST", ...options }];
const INIT = init();
const INIT_COOKIE = init({ useCookie: true });
const USER = ["setUserToken", "user-1"];
const GET_USER = ["getUserToken", null, "$CB"];
const ev = (eventName, fields = {}) => ({ index: "products", eventName, objectIDs: ["p1"], ...fields });
const click = (name = "Product Clicked", fields) => ["clickedObjectIDs", ev(name, fields)];
// A query-ID cache at search-insights' limit (5000 entries), oldest first.
const FULL_CACHE = JSON.stringify(Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`products_old${i}`, [QID2, 1_700_000_000_000 + i]])));
// A call this library refuses (its error names `field`) and search-insights
// sends, to have the API reject it with `reason`.
const bad = (name, call, field, reason) => ({ name, calls: [INIT, USER, call, click("Valid afterwards")], differs: { rejectedAtCall: { call, field, reason } } });
const NO_TOKEN = click("No token");
const TOO_EARLY = click("Too early");
const BEFORE_INIT = "Before calling any methods on the analytics, you first need to call the 'init' function with appId and apiKey parameters or provide custom credentials in additional parameters.";

export const SCENARIOS = [
  // Tokens
  { name: "setUserToken: events carry the token", calls: [INIT, USER, click()] },
  { name: "getUserToken: node-style callback, before and after a token", calls: [INIT, GET_USER, ["setUserToken", "user-2"], GET_USER], expect: { events: 0, callbacks: [{ step: 2, args: [null, "$undefined"] }, { step: 4, args: [null, "user-2"] }] } },
  { name: "onUserTokenChange with {immediate: true}", calls: [INIT, USER, ["onUserTokenChange", "$CB", { immediate: true }], ["setUserToken", "user-3"], click()] },
  { name: "onUserTokenChange sees the anonymous cookie token of init", calls: [["onUserTokenChange", "$CB"], INIT_COOKIE, GET_USER, click()] },
  { name: "onUserTokenChange(undefined) stops the callbacks", calls: [INIT, ["onUserTokenChange", "$CB"], USER, ["onUserTokenChange", "$UNDEFINED"], ["setUserToken", "user-4"], GET_USER], expect: { events: 0 } },
  { name: "authenticated user token: set, get, change callback, clear", calls: [INIT, USER, ["onAuthenticatedUserTokenChange", "$CB", { immediate: true }], ["setAuthenticatedUserToken", "auth-1"], ["getAuthenticatedUserToken", null, "$CB"], click("With auth"), ["setAuthenticatedUserToken", "$UNDEFINED"], ["getAuthenticatedUserToken", null, "$CB"], click("Without auth")], differs: { batches: 1 } },
  { name: "init with userToken and authenticatedUserToken", calls: [["onUserTokenChange", "$CB"], ["onAuthenticatedUserTokenChange", "$CB"], init({ userToken: "init-user", authenticatedUserToken: "init-auth" }), click()] },
  { name: "no token: an in-memory anonymous token, no cookie", calls: [INIT, GET_USER, click(), GET_USER] },
  { name: "useCookie: the anonymous token lives in _ALGOLIA for 6 months", calls: [INIT_COOKIE, GET_USER, click()], expect: { cookie: "anonymous-#1", cookieDays: 180 } },
  { name: "an existing anonymous _ALGOLIA cookie is reused", cookie: ANON, calls: [INIT_COOKIE, GET_USER, click()], expect: { cookie: ANON } },
  { name: "a non-anonymous _ALGOLIA cookie is replaced", cookie: "someone-else", calls: [INIT_COOKIE, GET_USER, click()] },
  { name: "cookieDuration sets the cookie's lifetime", calls: [init({ useCookie: true, cookieDuration: 2 * 86_400_000 }), click()], expect: { cookieDays: 2 } },
  { name: "saveTokenAsCookie stores the current token", calls: [INIT, USER, ["saveTokenAsCookie"], click()], expect: { cookie: "user-1" } },
  { name: "tokens set to null or \"\" are given back as set (npm module)", mode: "module", calls: [INIT, ["setUserToken", null], ["getUserToken"], ["setUserToken", ""], ["getUserToken"], ["setAuthenticatedUserToken", null], ["getAuthenticatedUserToken"], click()], differs: { emptyTokenOmitted: true }, expect: { returned: { getAuthenticatedUserToken: null } } },
  { name: "init({partial, useCookie}) persists the current anonymous token", calls: [INIT, click("Before consent"), ["init", { partial: true, useCookie: true }], GET_USER, click("After consent")], differs: { batches: 1 } },
  { name: "partial init keeps options, a full init resets them", calls: [INIT_COOKIE, ["init", { partial: true, userToken: "partial-user" }], click("Partial"), ["init", { appId: "$APP", apiKey: KEY }], GET_USER, click("Full")] },
  { name: "init keys given as undefined clear the setting", calls: [INIT, USER, ["onUserTokenChange", "$CB"], ["init", { partial: true, userToken: "$UNDEFINED" }], GET_USER, click()] },
  { name: "setAnonymousUserToken goes back to the cookie token (logout)", calls: [INIT_COOKIE, USER, click("Signed in"), ["setAnonymousUserToken"], GET_USER, click("Signed out")], differs: { batches: 1 } },
  { name: "anonymousUserToken: false with a user token", calls: [init({ anonymousUserToken: false }), USER, click()] },
  { name: "anonymousUserToken: false and no token", calls: [init({ anonymousUserToken: false }), NO_TOKEN, USER, click("Valid afterwards")], differs: { rejectedAtCall: { call: NO_TOKEN, field: "userToken", reason: "The userToken field is required" } } },
  { name: "numeric user token", calls: [INIT, ["setUserToken", 42], GET_USER, click()], differs: { numericUserToken: { token: 42, reason: "Invalid type for field userToken: expected string, got number" } } },
  { name: "empty authenticated user token", calls: [INIT, USER, ["onAuthenticatedUserTokenChange", "$CB"], ["setAuthenticatedUserToken", ""], ["getAuthenticatedUserToken", null, "$CB"], click()], differs: { emptyTokenOmitted: true } },

  // Meta
  { name: "region de: events go to insights.de.algolia.io", calls: [["init", { appId: "$APP", apiKey: KEY, region: "de" }], USER, click()], expect: { endpoints: ["https://insights.de.algolia.io"] } },
  { name: "region us, then no region: insights.us / insights.algolia.io", calls: [["init", { appId: "$APP", apiKey: KEY, region: "us" }], USER, click("US"), "$DELIVERED", ["init", { appId: "$APP", apiKey: KEY }], click("Default")], expect: { endpoints: ["https://insights.us.algolia.io", "https://insights.algolia.io"] } },
  { name: "init refuses a bad region or cookieDuration", calls: [init({ region: "eu" }), init({ cookieDuration: 1.5 }), init({ cookieDuration: "10" }), init({ useCookie: true, region: "$UNDEFINED" }), GET_USER], expect: { events: 0 } },
  { name: "addAlgoliaAgent adds each agent once; init resets them", calls: [INIT, ["addAlgoliaAgent", "insights-middleware"], ["addAlgoliaAgent", "insights-middleware"], ["addAlgoliaAgent", "custom-agent (1.0)"], USER, click("With agents"), "$DELIVERED", INIT, click("After init")] },
  { name: "getVersion(callback)", calls: [["getVersion", "$CB"]], expect: { events: 0, callbacks: [{ step: 1, args: ["2.17.3"] }] } },
  { name: "an unknown method only warns", calls: [INIT, ["clickedObjectIds", ev("Typo")], ["notAMethod"], [], [42], USER, click()], expect: { console: ["warning: The method `clickedObjectIds` doesn't exist.", "warning: The method `notAMethod` doesn't exist.", "warning: The method `undefined` doesn't exist.", "warning: The method `42` doesn't exist."] } },
  { name: "an event before init throws", calls: [click("Too early"), GET_USER], expect: { events: 0 } },

  // Events: every method
  { name: "clickedObjectIDsAfterSearch", calls: [INIT, USER, ["clickedObjectIDsAfterSearch", ev("Hit Clicked", { queryID: QID, objectIDs: ["p1", "p2"], positions: [1, 7] })]] },
  { name: "clickedObjectIDs", calls: [INIT, USER, click()] },
  { name: "clickedFilters (URL-encoded)", calls: [INIT, USER, ["clickedFilters", { index: "products", eventName: "Filter Clicked", filters: ["brand:Apple", "category:Phones & Tablets/Ünïcode", "price:10 TO 20"] }]] },
  { name: "convertedObjectIDsAfterSearch", calls: [INIT, USER, ["convertedObjectIDsAfterSearch", ev("Converted", { queryID: QID, objectIDs: ["p1", "p2"] })]] },
  { name: "convertedObjectIDs", calls: [INIT, USER, ["convertedObjectIDs", ev("Converted")]] },
  { name: "convertedFilters", calls: [INIT, USER, ["convertedFilters", { index: "products", eventName: "Filter Converted", filters: ["brand:Apple"] }]] },
  { name: "addedToCartObjectIDsAfterSearch", calls: [INIT, USER, ["addedToCartObjectIDsAfterSearch", ev("Added To Cart", { queryID: QID, objectIDs: ["p1", "p2"], objectData: [{ price: 19.99, discount: 1, quantity: 2 }, { price: "5.00", quantity: 1 }], value: 43.98, currency: "USD" })]] },
  { name: "addedToCartObjectIDs", calls: [INIT, USER, ["addedToCartObjectIDs", ev("Added To Cart", { objectData: [{ queryID: QID, price: 10, quantity: 1 }], value: 10, currency: "EUR" })]] },
  { name: "purchasedObjectIDsAfterSearch", calls: [INIT, USER, ["purchasedObjectIDsAfterSearch", ev("Purchased", { objectIDs: ["p1", "p2"], objectData: [{ queryID: QID, price: 10, quantity: 1 }, { queryID: QID2, price: "2.50", discount: "0.5", quantity: 3 }], value: "17.5", currency: "USD" })]] },
  { name: "purchasedObjectIDs", calls: [INIT, USER, ["purchasedObjectIDs", ev("Purchased", { objectData: [{ price: 10, quantity: 1 }], value: 10, currency: "USD" })]] },
  { name: "viewedObjectIDs", calls: [INIT, USER, ["viewedObjectIDs", ev("Viewed", { objectIDs: ["p1", "p2", "p3"] })]] },
  { name: "viewedFilters", calls: [INIT, USER, ["viewedFilters", { index: "products", eventName: "Filter Viewed", filters: ["brand:Apple", "color:red"] }]] },
  { name: "the caller's timestamp and tokens win", calls: [INIT, USER, ["setAuthenticatedUserToken", "auth-global"], click("Own fields", { timestamp: "$TIMESTAMP", userToken: "event-user", authenticatedUserToken: "event-auth" })] },
  { name: "variadic: two events and trailing params", calls: [INIT, USER, ["clickedObjectIDs", ev("First"), ev("Second", { objectIDs: ["p2"] }), { headers: { "X-Custom-Header": "custom-1" } }]] },
  { name: "sendEvents(events, params)", calls: [INIT, USER, ["sendEvents", [{ eventType: "click", ...ev("Sent click") }, { eventType: "conversion", eventSubtype: "purchase", ...ev("Sent purchase", { objectData: [{ price: 3, quantity: 1 }], value: 3, currency: "USD" }) }, { eventType: "view", index: "products", eventName: "Sent view", filters: ["brand:Apple Inc"] }], { headers: { "X-Custom-Header": "custom-2" } }]] },
  { name: "header credentials without init", calls: [USER, ["viewedObjectIDs", ev("Header credentials"), { headers: { "X-Algolia-Application-Id": "$APP", "X-Algolia-API-Key": "header-key", "X-Extra": "extra value" } }], ["viewedObjectIDs", ev("Only an app ID"), { headers: { "X-Algolia-Application-Id": "$APP" } }]], differs: { agentWithoutInit: true } },
  { name: "header credentials override init's", calls: [["init", { appId: "not-this-app", apiKey: KEY, host: "$HOST" }], USER, ["clickedObjectIDs", ev("Overridden"), { headers: { "X-Algolia-Application-Id": "$APP", "X-Algolia-API-Key": "header-key" } }]] },

  // Query-ID inference
  { name: "inferQueryID: a purchase gets the queryID of the click, then forgets it", calls: [INIT, USER, ["clickedObjectIDsAfterSearch", ev("Hit Clicked", { queryID: QID, objectIDs: ["p1", "p2"], positions: [1, 2] })], ["purchasedObjectIDs", ev("Purchased", { objectIDs: ["p1", "p3"], objectData: [{ price: 10, quantity: 1 }, { price: 5, quantity: 1 }], value: 15, currency: "USD" }), { inferQueryID: true }]], differs: { batches: 1 }, expect: { queryCache: { products_p2: QID } } },
  { name: "inferQueryID: add-to-cart events remember queryIDs for conversions", calls: [INIT, USER, ["addedToCartObjectIDsAfterSearch", ev("Added", { queryID: QID2, objectIDs: ["p4"] })], ["addedToCartObjectIDs", ev("Added", { objectIDs: ["p5"], objectData: [{ queryID: QID3 }] })], ["convertedObjectIDs", ev("Converted", { objectIDs: ["p4", "p5", "p6"] }), { inferQueryID: true }]], differs: { batches: 1 } },
  { name: "inferQueryID uses the cache search-insights wrote", storage: { AlgoliaObjectQueryCache: JSON.stringify({ products_p7: [QID3, 1700000000000] }) }, calls: [INIT, USER, ["purchasedObjectIDs", ev("Purchased", { objectIDs: ["p7"] }), { inferQueryID: true }]] },
  { name: "the query-ID cache keeps at most 5000 entries, dropping the oldest", storage: { AlgoliaObjectQueryCache: FULL_CACHE }, calls: [INIT, USER, ["clickedObjectIDsAfterSearch", ev("Hit Clicked", { queryID: QID, positions: [1] })]], expect: { queryCacheSize: 4000 } },
  { name: "without inferQueryID nothing is inferred", calls: [INIT, USER, ["clickedObjectIDsAfterSearch", ev("Hit Clicked", { queryID: QID, positions: [1] })], ["convertedObjectIDs", ev("Converted")]], differs: { batches: 1 } },
  { name: "localStorage that throws never breaks a call", storageThrows: true, calls: [INIT, USER, ["clickedObjectIDsAfterSearch", ev("Hit Clicked", { queryID: QID, positions: [1] })], ["purchasedObjectIDs", ev("Purchased"), { inferQueryID: true }]], differs: { batches: 1, memoryQueryCache: { eventName: "Purchased", queryIDs: { p1: QID } } } },

  // Opt-out
  { name: "opted out: no cookie, nothing sent, Promise<false>", mode: "module", calls: [init({ useCookie: true, userHasOptedOut: true }), ["clickedObjectIDsAfterSearch", ev("Hit Clicked", { queryID: QID, positions: [1] })], GET_USER], expect: { events: 0, cookie: null, queryCache: null, returned: { clickedObjectIDsAfterSearch: { promise: false } } } },
  { name: "opting out later: nothing more is sent", calls: [INIT_COOKIE, ["clickedObjectIDsAfterSearch", ev("Before opt-out", { queryID: QID, positions: [1] })], "$DELIVERED", ["init", { partial: true, userHasOptedOut: true }], click("After opt-out"), GET_USER], differs: { optOutClearsStorage: true } },

  { name: "opted out: setAnonymousUserToken writes no cookie", calls: [init({ userHasOptedOut: true }), ["setAnonymousUserToken"], GET_USER, click()], differs: { optedOutNoCookie: true }, expect: { events: 0 } },

  // The snippet
  { name: "snippet queue: calls before the library loads run in order", queued: [["onUserTokenChange", "$CB", { immediate: true }], INIT_COOKIE, ["setUserToken", "queued-user"], click("Queued"), GET_USER], calls: [click("Direct"), GET_USER], differs: { batches: 1 }, expect: { events: 2, callbacks: [{ step: 0, args: ["$undefined"] }, { step: 0, args: ["anonymous-#1"] }, { step: 0, args: ["queued-user"] }, { step: 4, args: [null, "queued-user"] }, { step: 7, args: [null, "queued-user"] }] } },
  { name: "snippet queue: a queued call that throws", queued: [TOO_EARLY, INIT, USER, click("After error")], calls: [], differs: { queueSurvivesErrors: { thrower: TOO_EARLY, error: BEFORE_INIT, lost: "After error" } }, expect: { events: 0 } },

  // The npm module: return values
  { name: "return values and Promise<boolean> (npm module)", mode: "module", calls: [INIT, USER, ["getUserToken"], ["setAuthenticatedUserToken", "auth-1"], ["getAuthenticatedUserToken"], ["getVersion"], ["addAlgoliaAgent", "x"], ["onUserTokenChange", "$CB"], click(), ["notAMethod"]], expect: { returned: { setUserToken: "user-1", getVersion: "2.17.3", clickedObjectIDs: { promise: true } } } },

  // API limits and validity: refused at the call
  { name: "more than 20 objectIDs", calls: [INIT, USER, ["viewedObjectIDs", ev("Many viewed", { objectIDs: Array.from({ length: 45 }, (_, i) => `o${i}`) })]], differs: { splitsLargeEvents: { eventName: "Many viewed", sizes: [20, 20, 5], reason: "Cannot process more than 20 objects in an event" } } },
  bad("value without currency", ["convertedObjectIDs", ev("No currency", { value: 10 })], "`event.currency` is required", "Event with a value or prices should specify a currency"),
  bad("objectData price without currency", ["purchasedObjectIDs", ev("No currency", { objectData: [{ price: 10, quantity: 1 }] })], "`event.currency` is required", "Event with a value or prices should specify a currency"),
  bad("a price that is not a number", ["purchasedObjectIDs", ev("Bad price", { objectData: [{ price: "ten", quantity: 1 }], currency: "USD" })], "`event.objectData[0].price`", "objectData[0].price must be a number or a numeric string"),
  bad("a value string over 16 characters", ["purchasedObjectIDs", ev("Long value", { value: "12345678901234567", currency: "USD" })], "`event.value`", "value must be a number or a numeric string"),
  bad("an uppercase queryID", ["clickedObjectIDsAfterSearch", ev("Uppercase", { queryID: QID.toUpperCase(), positions: [1] })], "`event.queryID`", "Query ID must be a search query ID (32 characters hexadecimal string)"),
  bad("eventSubtype with filters", ["sendEvents", [{ eventType: "conversion", eventSubtype: "purchase", index: "products", eventName: "Subtype on filters", filters: ["brand:Apple"] }]], "`events[0].eventSubtype`", "Event with an eventSubtype should specify ObjectIDs, not Filters"),
  bad("an eventName over 64 characters", click("x".repeat(65)), "`event.eventName`", "EventName must contain only visible ASCII characters, and be between 1 and 64 characters long"),
  bad("positions that do not match objectIDs", ["clickedObjectIDsAfterSearch", ev("Positions", { queryID: QID, objectIDs: ["p1", "p2"], positions: [1] })], "`event.positions`", "Event of type click should have the same number of ObjectIDs and Positions"),
  bad("a click after search without positions", ["clickedObjectIDsAfterSearch", ev("No positions", { queryID: QID })], "`event.positions`", "Event of type click should have the same number of ObjectIDs and Positions"),
  bad("a filter that is not attribute:value", ["clickedFilters", { index: "products", eventName: "Bad filter", filters: ["apple"] }], "`event.filters[0]`", "Filter \"apple\" should be formatted as attribute:value (URL-encoded)"),
  bad("a user token with an @", click("Email token", { userToken: "someone@example.com" }), "`event.userToken`", "UserToken must contain only alphanumeric, equal, plus, slash, hyphen, or underscore characters, and be between 1 and 129 characters long"),
  bad("an empty user token on the event", click("Empty token", { userToken: "" }), "`event.userToken`", "The userToken field is required"),
  bad("a timestamp in the future", click("Future", { timestamp: 4102444800000 }), "`event.timestamp`", "The timestamp is too far in the future"),
];

export { ANON };

// Circuit, the demo store: search (the devserver's fake Algolia search), product
// clicks, add-to-cart and purchase events, sign-in, and cookie consent, all
// through `aa()` as set up by the search-insights snippet in index.html.

const APP_ID = "demo-store";
const API_KEY = "demo-search-only-key";
const INDEX = "products";
const CURRENCY = "USD";
const HITS_PER_PAGE = 12;
const CATEGORIES = ["Headphones", "Speakers", "Smartwatches", "Cameras", "Keyboards", "Lamps"];
const SAVED = { consent: "circuit:consent", user: "circuit:user", cart: "circuit:cart" };

const $ = (selector) => document.querySelector(selector);
const money = new Intl.NumberFormat("en-US", { style: "currency", currency: CURRENCY });
const round2 = (n) => Math.round(n * 100) / 100;

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "dataset") Object.assign(node.dataset, value);
    else if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value !== undefined && value !== null) node.setAttribute(key, value);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

function load(key, fallback) {
  try {
    const text = localStorage.getItem(key);
    return text === null ? fallback : JSON.parse(text);
  } catch {
    return fallback;
  }
}

function save(key, value) {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, JSON.stringify(value));
  } catch {
    /* private mode: the store still works for this page */
  }
}

// ---------------------------------------------------------------- state

const state = {
  userToken: undefined,
  authenticatedUserToken: undefined,
  consent: load(SAVED.consent, null), // "granted" | "denied" | null (not asked yet)
  user: load(SAVED.user, null), // the signed-in user's name
  cart: load(SAVED.cart, []), // [{objectID, name, price, image, quantity, queryID}]
  query: "",
  category: null,
  results: [], // [{hit, position, queryID}]
  page: 0,
  nbPages: 0,
  queryID: null,
  searchSeq: 0,
};

// The first search waits for the tracker's user token (so that the search and
// the events name the same visitor), or gives up waiting after a few seconds.
let tokenKnown;
const userTokenReady = new Promise((resolve) => {
  tokenKnown = resolve;
  setTimeout(resolve, 4000);
});

// ---------------------------------------------------------------- tracker

function userTokenFor(name) {
  const slug = name.toLowerCase().replace(/[^a-z0-9_=+/-]+/g, "-").replace(/^-+|-+$/g, "");
  return "user-" + (slug || "guest");
}

function readCookie(name) {
  const prefix = name + "=";
  const found = document.cookie.split(/;\s*/).find((c) => c.startsWith(prefix));
  return found ? decodeURIComponent(found.slice(prefix.length)) : "";
}

function setUpTracker() {
  aa("init", {
    appId: APP_ID,
    apiKey: API_KEY,
    host: location.origin, // the local Insights endpoint (insights-devserver)
    useCookie: state.consent === "granted",
  });
  if (state.user) aa("setAuthenticatedUserToken", userTokenFor(state.user));
  // Without cookie consent there is no token until the first event; make an
  // in-memory one now so the first search already carries it.
  if (state.consent !== "granted") aa("setAnonymousUserToken", true);
  aa("onUserTokenChange", (token) => {
    state.userToken = token;
    if (token) tokenKnown();
    renderTokens();
  }, { immediate: true });
  aa("onAuthenticatedUserTokenChange", (token) => {
    state.authenticatedUserToken = token;
    renderTokens();
  }, { immediate: true });
  // search-insights-wasm reports each request's outcome; search-insights
  // itself ignores this call (with a console warning).
  aa("onDelivery", (report) => logDelivery(report));
}

/** Sends one event through `aa` and lists it in the panel (or the error it threw). */
function track(method, event) {
  try {
    aa(method, { index: INDEX, ...event });
    logEvent(method, event);
  } catch (error) {
    console.error(error);
    pushActivity(el("li", { class: "activity-delivery bad", "data-testid": "activity-error" }, "✕ " + error.message));
  }
}

// ---------------------------------------------------------------- search

async function search({ more = false } = {}) {
  await userTokenReady;
  const seq = ++state.searchSeq;
  const page = more ? state.page + 1 : 0;
  const body = {
    query: state.query,
    page,
    hitsPerPage: HITS_PER_PAGE,
    clickAnalytics: true,
    userToken: state.userToken,
    facetFilters: state.category ? [[`category:${state.category}`]] : undefined,
  };
  let result;
  try {
    const response = await fetch(`/1/indexes/${INDEX}/query`, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "X-Algolia-Application-Id": APP_ID,
        "X-Algolia-API-Key": API_KEY,
      },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    result = await response.json();
  } catch (error) {
    if (seq === state.searchSeq) $("#result-count").textContent = `Search failed (${error.message}).`;
    return;
  }
  if (seq !== state.searchSeq) return; // a newer search is on its way
  const found = result.hits.map((hit, i) => ({
    hit,
    position: result.page * result.hitsPerPage + i + 1,
    queryID: result.queryID,
  }));
  state.results = more ? state.results.concat(found) : found;
  state.page = result.page;
  state.nbPages = result.nbPages;
  state.queryID = result.queryID;
  renderResults(result.nbHits);
}

function onSearchInput() {
  clearTimeout(onSearchInput.timer);
  onSearchInput.timer = setTimeout(() => {
    state.query = $("#search-input").value.trim();
    search();
  }, 150);
}

function selectCategory(category) {
  if (category === state.category) return;
  state.category = category;
  if (category) track("clickedFilters", { eventName: "Category Selected", filters: [`category:${category}`] });
  renderCategories();
  search();
}

// ---------------------------------------------------------------- products

function highlighted(hit, attribute) {
  const value = hit._highlightResult?.[attribute]?.value ?? hit[attribute] ?? "";
  const parts = String(value).split(/<em>|<\/em>/);
  return parts.map((part, i) => (i % 2 ? el("mark", {}, part) : document.createTextNode(part)));
}

function openProduct(found) {
  const { hit, position, queryID } = found;
  track("clickedObjectIDsAfterSearch", {
    eventName: "Product Clicked",
    queryID,
    objectIDs: [hit.objectID],
    positions: [position],
  });
  const dialog = $(".product-dialog");
  $("#dialog-image").src = hit.image;
  $("#dialog-image").alt = hit.name;
  $("#dialog-brand").textContent = `${hit.brand} · ${hit.category}`;
  $("#dialog-name").textContent = hit.name;
  $("#dialog-description").textContent = hit.description;
  $("#dialog-price").textContent = money.format(hit.price);
  $("#dialog-position").textContent = `Result #${position} of search ${queryID.slice(0, 8)}…`;
  dialog.querySelector("[data-testid=dialog-add-to-cart]").onclick = () => {
    addToCart(found);
    dialog.close();
  };
  dialog.showModal();
}

function addToCart({ hit, queryID }) {
  const line = state.cart.find((l) => l.objectID === hit.objectID);
  if (line) line.quantity += 1;
  else {
    // Each line keeps the queryID of the search it was added from, for the purchase.
    state.cart.push({ objectID: hit.objectID, name: hit.name, price: hit.price, image: hit.image, quantity: 1, queryID });
  }
  save(SAVED.cart, state.cart);
  track("addedToCartObjectIDsAfterSearch", {
    eventName: "Product Added to Cart",
    queryID,
    objectIDs: [hit.objectID],
    objectData: [{ price: hit.price, quantity: 1 }],
    value: hit.price,
    currency: CURRENCY,
  });
  renderCart();
  const badge = $("[data-testid=cart-count]");
  badge.classList.remove("bump");
  void badge.offsetWidth; // restart the animation
  badge.classList.add("bump");
}

function changeQuantity(objectID, delta) {
  const line = state.cart.find((l) => l.objectID === objectID);
  if (!line) return;
  line.quantity += delta;
  if (line.quantity <= 0) state.cart = state.cart.filter((l) => l !== line);
  save(SAVED.cart, state.cart);
  renderCart();
}

const cartTotal = () => round2(state.cart.reduce((sum, l) => sum + l.price * l.quantity, 0));

function checkout() {
  if (!state.cart.length) return;
  track("purchasedObjectIDsAfterSearch", {
    eventName: "Order Completed",
    objectIDs: state.cart.map((l) => l.objectID),
    objectData: state.cart.map((l) => ({ price: l.price, quantity: l.quantity, queryID: l.queryID })),
    value: cartTotal(),
    currency: CURRENCY,
  });
  state.cart = [];
  save(SAVED.cart, state.cart);
  $("#order-number").textContent = "#" + Math.floor(100000 + Math.random() * 900000);
  $("[data-testid=order-confirmation]").hidden = false;
  renderCart();
}

// ---------------------------------------------------------------- account and consent

function signIn(name) {
  state.user = name.trim() || "guest";
  save(SAVED.user, state.user);
  aa("setAuthenticatedUserToken", userTokenFor(state.user));
  renderAccount();
}

function signOut() {
  state.user = null;
  save(SAVED.user, null);
  aa("setAuthenticatedUserToken", undefined);
  renderAccount();
}

/**
 * Consent given: the tracker keeps the current anonymous token in the
 * `_ALGOLIA` cookie. Consent refused: the token stays in memory only.
 * Consent revoked (after it was given): the tracker stops using the cookie,
 * the cookie is deleted, and the rest of the visit gets a fresh in-memory
 * token, so that later events cannot be linked to the remembered visitor.
 */
function setConsent(granted) {
  const revoked = !granted && state.consent === "granted";
  state.consent = granted ? "granted" : "denied";
  save(SAVED.consent, state.consent);
  if (granted) {
    aa("init", { partial: true, useCookie: true });
  } else {
    aa("init", { partial: true, useCookie: false });
  }
  if (revoked) {
    document.cookie = "_ALGOLIA=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/";
    aa("setAnonymousUserToken", true);
  }
  $(".consent-banner").hidden = true;
  renderTokens();
}

// ---------------------------------------------------------------- rendering

function renderCategories() {
  const nav = $(".chips");
  const chip = (label, category) =>
    el("button", {
      type: "button",
      class: "chip" + (state.category === category ? " active" : ""),
      "aria-pressed": String(state.category === category),
      "data-testid": "category-" + (category || "all").toLowerCase(),
      onclick: () => selectCategory(category),
    }, label);
  nav.replaceChildren(chip("All", null), ...CATEGORIES.map((c) => chip(c, c)));
}

function productCard(found) {
  const { hit, position, queryID } = found;
  return el("article", {
    class: "product",
    "data-testid": "product",
    dataset: { objectId: hit.objectID, position, queryId: queryID },
  },
    el("button", { type: "button", class: "product-open", "data-testid": "product-open", onclick: () => openProduct(found) },
      el("span", { class: "picture" }, el("img", { src: hit.image, alt: "", width: 240, height: 180, loading: "lazy" })),
      el("span", { class: "brand-line" }, hit.brand),
      el("span", { class: "name" }, ...highlighted(hit, "name"))),
    el("div", { class: "buy" },
      el("span", { class: "price" }, money.format(hit.price)),
      el("button", { type: "button", class: "button small", "data-testid": "add-to-cart", "aria-label": `Add ${hit.name} to cart`, onclick: () => addToCart(found) }, "Add to cart")));
}

function renderResults(nbHits) {
  const grid = $("#grid");
  grid.replaceChildren(...state.results.map(productCard));
  const what = state.query ? ` for “${state.query}”` : "";
  const where = state.category ? ` in ${state.category}` : "";
  $("#result-count").textContent = `${nbHits} product${nbHits === 1 ? "" : "s"}${what}${where}`;
  $("#query-id").textContent = state.queryID || "";
  $("#query-id-box").hidden = !state.queryID;
  $("#no-results").hidden = nbHits > 0;
  $("[data-testid=show-more]").hidden = state.page + 1 >= state.nbPages;
  grid.dataset.queryId = state.queryID || "";
}

function renderCart() {
  const count = state.cart.reduce((n, l) => n + l.quantity, 0);
  $("[data-testid=cart-count]").textContent = count;
  $("[data-testid=cart-count]").hidden = count === 0;
  const lines = state.cart.map((line) =>
    el("li", { class: "cart-line", "data-testid": "cart-line", dataset: { objectId: line.objectID, queryId: line.queryID } },
      el("img", { src: line.image, alt: "", width: 64, height: 48 }),
      el("div", { class: "line-text" },
        el("span", { class: "name" }, line.name),
        el("span", { class: "muted" }, money.format(line.price))),
      el("div", { class: "qty" },
        el("button", { type: "button", "aria-label": "One less", onclick: () => changeQuantity(line.objectID, -1) }, "−"),
        el("span", { "data-testid": "line-quantity" }, String(line.quantity)),
        el("button", { type: "button", "aria-label": "One more", onclick: () => changeQuantity(line.objectID, +1) }, "+"))));
  $("#cart-lines").replaceChildren(...lines);
  $("#cart-empty").hidden = state.cart.length > 0 || !$("[data-testid=order-confirmation]").hidden;
  $("#cart-total").textContent = money.format(cartTotal());
  $("[data-testid=checkout]").disabled = state.cart.length === 0;
}

function renderAccount() {
  const signedIn = Boolean(state.user);
  $("[data-testid=login-form]").hidden = signedIn;
  $("[data-testid=signed-in]").hidden = !signedIn;
  if (signedIn) {
    $("#user-name").textContent = state.user;
    $("#avatar").textContent = state.user.slice(0, 1).toUpperCase();
  }
}

function renderTokens() {
  const show = (selector, value, empty) => {
    const node = $(selector);
    node.textContent = value || empty;
    node.classList.toggle("unset", !value);
  };
  show("#user-token", state.userToken, "none yet");
  show("#authenticated-user-token", state.authenticatedUserToken, "signed out");
  show("#cookie-value", readCookie("_ALGOLIA"), "not set");
  $("#consent-toggle").checked = state.consent === "granted";
  $("#consent-hint").textContent = state.consent === "granted"
    ? "The anonymous token is kept in the _ALGOLIA cookie for 6 months."
    : "The anonymous token lives in memory and is gone on the next page load.";
}

const ACTIVITY_LIMIT = 7;

function pushActivity(item) {
  const list = $("#activity");
  list.prepend(item);
  while (list.children.length > ACTIVITY_LIMIT) list.lastChild.remove();
}

function logEvent(method, event) {
  const what = event.objectIDs ? event.objectIDs.map((id) => "#" + id).join(" ") : event.filters.join(" ");
  const kind = method.startsWith("clicked") ? "click" : "conversion";
  pushActivity(el("li", { class: "activity-event", "data-testid": "activity-event" },
    el("span", { class: "pill " + kind }, kind),
    el("span", { class: "event-name" }, event.eventName),
    el("span", { class: "muted" }, what)));
}

function logDelivery(report) {
  const ok = report.delivered;
  const events = `${report.events} event${report.events === 1 ? "" : "s"}`;
  const text = ok
    ? `${events} delivered (HTTP ${report.status})`
    : `${events} not delivered: ${report.message}${report.willRetry ? " — will retry" : ""}`;
  pushActivity(el("li", { class: "activity-delivery " + (ok ? "ok" : "bad"), "data-testid": "activity-delivery" }, (ok ? "✓ " : "✕ ") + text));
}

// ---------------------------------------------------------------- wiring

function wire() {
  $("#endpoint").textContent = location.origin + "/1/events";
  $("[data-testid=search-form]").addEventListener("submit", (e) => {
    e.preventDefault();
    clearTimeout(onSearchInput.timer);
    state.query = $("#search-input").value.trim();
    search();
  });
  $("#search-input").addEventListener("input", onSearchInput);
  $("[data-testid=show-more]").addEventListener("click", () => search({ more: true }));
  $("[data-testid=login-form]").addEventListener("submit", (e) => {
    e.preventDefault();
    signIn($("#login-name").value);
  });
  $("[data-testid=logout]").addEventListener("click", signOut);
  $("#consent-toggle").addEventListener("change", (e) => setConsent(e.target.checked));
  $("[data-testid=consent-accept]").addEventListener("click", () => setConsent(true));
  $("[data-testid=consent-decline]").addEventListener("click", () => setConsent(false));
  $("[data-testid=cart-button]").addEventListener("click", () => {
    $("[data-testid=order-confirmation]").hidden = true;
    renderCart();
    $(".cart").showModal();
  });
  $("[data-testid=checkout]").addEventListener("click", checkout);
  for (const dialog of document.querySelectorAll("dialog")) {
    // A click on the backdrop closes the dialog.
    dialog.addEventListener("click", (e) => {
      if (e.target === dialog) dialog.close();
    });
  }
  $(".consent-banner").hidden = state.consent !== null;
}

wire();
setUpTracker();
renderCategories();
renderAccount();
renderCart();
renderTokens();
search();

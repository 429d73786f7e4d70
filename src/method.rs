//! The methods `aa()` dispatches to, by name.

/// `eventType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    /// `click`
    Click,
    /// `conversion`
    Conversion,
    /// `view`
    View,
}

impl EventType {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Click => "click",
            EventType::Conversion => "conversion",
            EventType::View => "view",
        }
    }
}

/// `eventSubtype` of conversions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventSubtype {
    /// `addToCart`
    AddToCart,
    /// `purchase`
    Purchase,
}

impl EventSubtype {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            EventSubtype::AddToCart => "addToCart",
            EventSubtype::Purchase => "purchase",
        }
    }
}

/// What an event method's events are about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// `objectIDs` (with `positions`, `objectData` where they apply).
    ObjectIds,
    /// `filters`.
    Filters,
}

/// One of the typed event methods, such as `clickedObjectIDsAfterSearch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventMethod {
    /// The method name.
    pub name: &'static str,
    /// The `eventType` its events get.
    pub event_type: EventType,
    /// The `eventSubtype` its events get.
    pub subtype: Option<EventSubtype>,
    /// `objectIDs` or `filters`.
    pub target: Target,
    /// Needs a `queryID` (the "AfterSearch" methods, except purchases).
    pub needs_query_id: bool,
    /// Remembers each object's `queryID` for later conversions.
    pub remembers_query_id: bool,
}

const fn event(
    name: &'static str,
    event_type: EventType,
    subtype: Option<EventSubtype>,
    target: Target,
    needs_query_id: bool,
    remembers_query_id: bool,
) -> EventMethod {
    EventMethod { name, event_type, subtype, target, needs_query_id, remembers_query_id }
}

use EventType::{Click, Conversion, View};
use Target::{Filters, ObjectIds};

/// Every typed event method of search-insights v2.
pub const EVENT_METHODS: [EventMethod; 12] = [
    event("clickedObjectIDsAfterSearch", Click, None, ObjectIds, true, true),
    event("clickedObjectIDs", Click, None, ObjectIds, false, false),
    event("clickedFilters", Click, None, Filters, false, false),
    event("convertedObjectIDsAfterSearch", Conversion, None, ObjectIds, true, false),
    event("convertedObjectIDs", Conversion, None, ObjectIds, false, false),
    event("convertedFilters", Conversion, None, Filters, false, false),
    event("addedToCartObjectIDsAfterSearch", Conversion, Some(EventSubtype::AddToCart), ObjectIds, true, true),
    event("addedToCartObjectIDs", Conversion, Some(EventSubtype::AddToCart), ObjectIds, false, true),
    event("purchasedObjectIDsAfterSearch", Conversion, Some(EventSubtype::Purchase), ObjectIds, false, false),
    event("purchasedObjectIDs", Conversion, Some(EventSubtype::Purchase), ObjectIds, false, false),
    event("viewedObjectIDs", View, None, ObjectIds, false, false),
    event("viewedFilters", View, None, Filters, false, false),
];

/// A method `aa()` knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `init(options)`
    Init,
    /// `setUserToken(token)`
    SetUserToken,
    /// `getUserToken(options, callback)`
    GetUserToken,
    /// `onUserTokenChange(callback, {immediate})`
    OnUserTokenChange,
    /// `setAuthenticatedUserToken(token)`
    SetAuthenticatedUserToken,
    /// `getAuthenticatedUserToken(options, callback)`
    GetAuthenticatedUserToken,
    /// `onAuthenticatedUserTokenChange(callback, {immediate})`
    OnAuthenticatedUserTokenChange,
    /// `setAnonymousUserToken()`: search-insights exposes it through `aa()` too.
    SetAnonymousUserToken,
    /// `saveTokenAsCookie()`: likewise.
    SaveTokenAsCookie,
    /// `addAlgoliaAgent(agent)`
    AddAlgoliaAgent,
    /// `getVersion(callback)`
    GetVersion,
    /// `sendEvents(events, params)`
    SendEvents,
    /// `reset()`: logout; forget tokens, cookie, outbox and query-ID cache.
    Reset,
    /// `flush()`: send queued events now.
    Flush,
    /// `onDelivery(callback)`: called with a report of every request that ended.
    OnDelivery,
    /// A typed event method.
    Event(EventMethod),
}

/// The methods other than the typed event methods.
const OTHER_METHODS: [Method; 15] = [
    Method::Init,
    Method::SetUserToken,
    Method::GetUserToken,
    Method::OnUserTokenChange,
    Method::SetAuthenticatedUserToken,
    Method::GetAuthenticatedUserToken,
    Method::OnAuthenticatedUserTokenChange,
    Method::SetAnonymousUserToken,
    Method::SaveTokenAsCookie,
    Method::AddAlgoliaAgent,
    Method::GetVersion,
    Method::SendEvents,
    Method::Reset,
    Method::Flush,
    Method::OnDelivery,
];

impl Method {
    /// Every method, in no particular order.
    pub fn all() -> impl Iterator<Item = Method> {
        OTHER_METHODS.iter().copied().chain(EVENT_METHODS.iter().map(|m| Method::Event(*m)))
    }

    /// The method called `name`, if there is one.
    pub fn from_name(name: &str) -> Option<Method> {
        // (Loops rather than `all().find(…)`: 150 B smaller in wasm.)
        for method in OTHER_METHODS {
            if method.name() == name {
                return Some(method);
            }
        }
        EVENT_METHODS.iter().find(|m| m.name == name).map(|m| Method::Event(*m))
    }

    /// The method's name.
    pub fn name(self) -> &'static str {
        match self {
            Method::Init => "init",
            Method::SetUserToken => "setUserToken",
            Method::GetUserToken => "getUserToken",
            Method::OnUserTokenChange => "onUserTokenChange",
            Method::SetAuthenticatedUserToken => "setAuthenticatedUserToken",
            Method::GetAuthenticatedUserToken => "getAuthenticatedUserToken",
            Method::OnAuthenticatedUserTokenChange => "onAuthenticatedUserTokenChange",
            Method::SetAnonymousUserToken => "setAnonymousUserToken",
            Method::SaveTokenAsCookie => "saveTokenAsCookie",
            Method::AddAlgoliaAgent => "addAlgoliaAgent",
            Method::GetVersion => "getVersion",
            Method::SendEvents => "sendEvents",
            Method::Reset => "reset",
            Method::Flush => "flush",
            Method::OnDelivery => "onDelivery",
            Method::Event(m) => m.name,
        }
    }

    /// Whether the method sends events (and so returns a Promise).
    pub fn sends_events(self) -> bool {
        matches!(self, Method::SendEvents | Method::Event(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names in `text` between `start` and the next `end`, each taken
    /// from a line by `name_of`.
    fn names_in<'t>(text: &'t str, start: &str, end: &str, name_of: impl Fn(&'t str) -> Option<&'t str>) -> Vec<&'t str> {
        let block = text.split_once(start).map(|(_, rest)| rest).expect(start);
        let block = block.split_once(end).map(|(b, _)| b).expect(end);
        let mut names: Vec<&str> = block.lines().filter_map(|l| name_of(l.trim())).collect();
        names.sort_unstable();
        names
    }

    /// `name` of a `name: [parameters, result];` line of a method map.
    fn map_key(line: &str) -> Option<&str> {
        let (name, _) = line.split_once(": [")?;
        (!name.is_empty() && name.bytes().all(|b| b.is_ascii_alphabetic())).then_some(name)
    }

    /// The method list is written once, here; the npm package's copies
    /// (`METHODS` in pkg/js/compat.js, the method maps and the
    /// `AlgoliaAnalytics` class in pkg/index.d.ts) must name exactly the same
    /// methods.
    #[test]
    fn the_package_names_exactly_these_methods() {
        let mut ours: Vec<&str> = Method::all().map(Method::name).collect();
        ours.sort_unstable();
        assert_eq!(ours.len(), 27);
        let read = |path: &str| std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).expect(path);
        let compat = read("pkg/js/compat.js");
        let js = names_in(&compat, "export const METHODS = [", "];", |l| l.strip_prefix('"')?.strip_suffix("\","));
        assert_eq!(js, ours, "METHODS in pkg/js/compat.js");
        let types = read("pkg/index.d.ts");
        let mut maps = names_in(&types, "export type InsightsMethodMap = {", "\n};", map_key);
        maps.extend(names_in(&types, "export type InsightsWasmMethodMap = InsightsMethodMap & {", "\n};", map_key));
        maps.sort_unstable();
        assert_eq!(maps, ours, "InsightsMethodMap and InsightsWasmMethodMap in pkg/index.d.ts");
        let class = names_in(&types, "export declare class AlgoliaAnalytics {", "\n}", |l| {
            let (name, rest) = l.split_once(": Method<\"")?;
            (rest.strip_suffix("\">;")? == name).then_some(name)
        });
        assert_eq!(class, ours, "the AlgoliaAnalytics class in pkg/index.d.ts");
    }

    /// search-insights v2's typed event methods, written by hand: name,
    /// `eventType`, `eventSubtype`, and whether they take objectIDs or filters.
    const SEARCH_INSIGHTS_EVENT_METHODS: [(&str, &str, Option<&str>, &str); 12] = [
        ("clickedObjectIDsAfterSearch", "click", None, "objectIDs"),
        ("clickedObjectIDs", "click", None, "objectIDs"),
        ("clickedFilters", "click", None, "filters"),
        ("convertedObjectIDsAfterSearch", "conversion", None, "objectIDs"),
        ("convertedObjectIDs", "conversion", None, "objectIDs"),
        ("convertedFilters", "conversion", None, "filters"),
        ("addedToCartObjectIDsAfterSearch", "conversion", Some("addToCart"), "objectIDs"),
        ("addedToCartObjectIDs", "conversion", Some("addToCart"), "objectIDs"),
        ("purchasedObjectIDsAfterSearch", "conversion", Some("purchase"), "objectIDs"),
        ("purchasedObjectIDs", "conversion", Some("purchase"), "objectIDs"),
        ("viewedObjectIDs", "view", None, "objectIDs"),
        ("viewedFilters", "view", None, "filters"),
    ];

    #[test]
    fn every_event_method_of_search_insights_is_known() {
        for (name, event_type, subtype, target) in SEARCH_INSIGHTS_EVENT_METHODS {
            let Some(Method::Event(m)) = Method::from_name(name) else { panic!("{name} is an event method") };
            assert_eq!(m.name, name);
            assert_eq!(m.event_type.as_str(), event_type, "{name}");
            assert_eq!(m.subtype.map(EventSubtype::as_str), subtype, "{name}");
            assert_eq!(if m.target == Target::Filters { "filters" } else { "objectIDs" }, target, "{name}");
            assert_eq!(Method::Event(m).name(), name);
            assert!(Method::Event(m).sends_events());
        }
        // Only those: the table has nothing else.
        assert_eq!(EVENT_METHODS.len(), 12);
        // queryID: required by the "AfterSearch" methods except purchases
        // (whose objectData carry it per item); remembered for later
        // conversions by clicks after search and by add-to-cart.
        let needs: Vec<&str> = EVENT_METHODS.iter().filter(|m| m.needs_query_id).map(|m| m.name).collect();
        assert_eq!(needs, ["clickedObjectIDsAfterSearch", "convertedObjectIDsAfterSearch", "addedToCartObjectIDsAfterSearch"]);
        let remembers: Vec<&str> = EVENT_METHODS.iter().filter(|m| m.remembers_query_id).map(|m| m.name).collect();
        assert_eq!(remembers, ["clickedObjectIDsAfterSearch", "addedToCartObjectIDsAfterSearch", "addedToCartObjectIDs"]);
    }

    #[test]
    fn other_methods_by_name() {
        let cases = [
            ("init", Method::Init),
            ("setUserToken", Method::SetUserToken),
            ("getUserToken", Method::GetUserToken),
            ("onUserTokenChange", Method::OnUserTokenChange),
            ("setAuthenticatedUserToken", Method::SetAuthenticatedUserToken),
            ("getAuthenticatedUserToken", Method::GetAuthenticatedUserToken),
            ("onAuthenticatedUserTokenChange", Method::OnAuthenticatedUserTokenChange),
            ("setAnonymousUserToken", Method::SetAnonymousUserToken),
            ("saveTokenAsCookie", Method::SaveTokenAsCookie),
            ("addAlgoliaAgent", Method::AddAlgoliaAgent),
            ("getVersion", Method::GetVersion),
            ("sendEvents", Method::SendEvents),
            ("reset", Method::Reset),
            ("flush", Method::Flush),
            ("onDelivery", Method::OnDelivery),
        ];
        for (name, method) in cases {
            assert_eq!(Method::from_name(name), Some(method), "{name}");
            assert_eq!(method.name(), name);
            assert_eq!(method.sends_events(), name == "sendEvents", "{name}");
        }
        for unknown in ["clickedObjectIds", "ClickedObjectIDs", "clickedObjectIDs ", "", "Init", "_get", "toString", "constructor"] {
            assert_eq!(Method::from_name(unknown), None, "{unknown:?}");
        }
    }
}

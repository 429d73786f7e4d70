//! Search parameters, from algoliasearch v4 (`params` as a URL-encoded
//! string) or v5 (fields inline, or `params` as an object).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

/// Default `hitsPerPage`, as in Algolia.
pub const DEFAULT_HITS_PER_PAGE: usize = 20;
/// Largest `hitsPerPage`, as in Algolia.
pub const MAX_HITS_PER_PAGE: usize = 1000;

/// One query of a (multi-)query request.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchQuery {
    /// Target index.
    pub index_name: String,
    /// Every parameter, from `params` then the inline fields.
    pub params: BTreeMap<String, Value>,
    /// The parameters as a URL-encoded string (echoed back as `params`).
    pub params_string: String,
}

impl SearchQuery {
    /// One item of `{"requests": [...]}`.
    pub fn from_request(item: &Value, default_index: Option<&str>) -> Result<Self, String> {
        let fields = item
            .as_object()
            .ok_or_else(|| "each request must be an object".to_string())?;
        let index_name = fields
            .get("indexName")
            .and_then(Value::as_str)
            .or(default_index)
            .filter(|name| !name.is_empty())
            .ok_or_else(|| "indexName is required".to_string())?
            .to_string();
        let mut params = BTreeMap::new();
        let mut params_string = None;
        match fields.get("params") {
            Some(Value::String(encoded)) => {
                for (key, value) in form_urlencoded::parse(encoded.as_bytes()).into_owned() {
                    params.insert(key, Value::String(value));
                }
                params_string = Some(encoded.clone());
            }
            Some(Value::Object(inline)) => params.extend(inline.clone()),
            _ => {}
        }
        for (key, value) in fields {
            if key != "indexName" && key != "params" {
                params.insert(key.clone(), value.clone());
            }
        }
        let params_string = params_string.unwrap_or_else(|| encode(&params));
        Ok(SearchQuery {
            index_name,
            params,
            params_string,
        })
    }

    fn get(&self, name: &str) -> Option<&Value> {
        self.params.get(name).filter(|v| !v.is_null())
    }

    /// `query` (empty when absent).
    pub fn query(&self) -> String {
        self.get("query").map(text).unwrap_or_default()
    }

    /// `page`, from 0.
    pub fn page(&self) -> usize {
        self.get("page").and_then(number).unwrap_or(0)
    }

    /// `hitsPerPage` (default 20, at most 1000; 0 asks only for counts).
    pub fn hits_per_page(&self) -> usize {
        self.get("hitsPerPage")
            .and_then(number)
            .unwrap_or(DEFAULT_HITS_PER_PAGE)
            .min(MAX_HITS_PER_PAGE)
    }

    /// `clickAnalytics`: whether the answer carries a `queryID`.
    pub fn click_analytics(&self) -> bool {
        self.get("clickAnalytics").is_some_and(truthy)
    }

    /// `userToken`.
    pub fn user_token(&self) -> Option<String> {
        self.get("userToken").map(text).filter(|t| !t.is_empty())
    }

    /// `facets`: attributes whose value counts are wanted (`*` for all).
    pub fn facets(&self) -> Vec<String> {
        self.get("facets").map(list).unwrap_or_default()
    }

    /// `facetFilters` as AND-of-ORs: `[["brand:A", "brand:B"], ["category:C"]]`.
    pub fn facet_filters(&self) -> Vec<Vec<String>> {
        self.get("facetFilters").map(and_of_ors).unwrap_or_default()
    }

    /// `highlightPreTag` / `highlightPostTag` (default `<em>` / `</em>`).
    pub fn highlight_tags(&self) -> (String, String) {
        let tag = |name: &str, default: &str| {
            self.get(name)
                .map(text)
                .unwrap_or_else(|| default.to_string())
        };
        (
            tag("highlightPreTag", "<em>"),
            tag("highlightPostTag", "</em>"),
        )
    }

    /// For v5 `type: "facet"` requests: the facet searched.
    pub fn facet_search(&self) -> Option<(String, String)> {
        if self.get("type").map(text).as_deref() != Some("facet") {
            return None;
        }
        let facet = self.get("facet").map(text)?;
        let facet_query = self.get("facetQuery").map(text).unwrap_or_default();
        Some((facet, facet_query))
    }

    /// What the request log keeps about this query.
    pub fn summary(&self, query_id: Option<&str>) -> Value {
        let mut summary = Map::new();
        summary.insert("indexName".into(), Value::String(self.index_name.clone()));
        summary.insert("query".into(), Value::String(self.query()));
        summary.insert(
            "userToken".into(),
            self.user_token().map(Value::String).unwrap_or(Value::Null),
        );
        summary.insert("clickAnalytics".into(), Value::Bool(self.click_analytics()));
        summary.insert("page".into(), Value::from(self.page()));
        summary.insert("hitsPerPage".into(), Value::from(self.hits_per_page()));
        summary.insert(
            "queryID".into(),
            query_id
                .map(|q| Value::String(q.into()))
                .unwrap_or(Value::Null),
        );
        summary.insert(
            "params".into(),
            Value::Object(self.params.clone().into_iter().collect()),
        );
        Value::Object(summary)
    }
}

/// A parameter as text: strings as they are, anything else as JSON.
fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn number(value: &Value) -> Option<usize> {
    match value {
        Value::Number(n) => n.as_u64().and_then(|n| usize::try_from(n).ok()),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn truthy(value: &Value) -> bool {
    match value {
        Value::Bool(b) => *b,
        Value::String(s) => s == "true" || s == "1",
        Value::Number(n) => n.as_u64().is_some_and(|n| n != 0),
        _ => false,
    }
}

/// A list given as an array, a JSON-encoded array, or comma-separated text.
fn list(value: &Value) -> Vec<String> {
    match value {
        Value::Array(items) => items.iter().map(text).collect(),
        Value::String(s) if s.trim_start().starts_with('[') => serde_json::from_str::<Value>(s)
            .map(|v| list(&v))
            .unwrap_or_default(),
        Value::String(s) => s
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect(),
        _ => Vec::new(),
    }
}

fn and_of_ors(value: &Value) -> Vec<Vec<String>> {
    match value {
        Value::Array(items) => items
            .iter()
            .map(|item| match item {
                Value::Array(group) => group.iter().map(text).collect(),
                other => vec![text(other)],
            })
            .filter(|group: &Vec<String>| !group.is_empty())
            .collect(),
        Value::String(s) if s.trim_start().starts_with('[') => serde_json::from_str::<Value>(s)
            .map(|v| and_of_ors(&v))
            .unwrap_or_default(),
        Value::String(s) if !s.is_empty() => vec![vec![s.clone()]],
        _ => Vec::new(),
    }
}

fn encode(params: &BTreeMap<String, Value>) -> String {
    let mut serializer = form_urlencoded::Serializer::new(String::new());
    for (key, value) in params {
        serializer.append_pair(key, &text(value));
    }
    serializer.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn v4_params_string() {
        let item = json!({"indexName": "products",
            "params": "query=lamp&hitsPerPage=5&page=1&clickAnalytics=true&userToken=anon-1&facets=%5B%22brand%22%5D&facetFilters=%5B%5B%22brand%3ALumen%22%5D%5D"});
        let query = SearchQuery::from_request(&item, None).expect("query");
        assert_eq!(query.query(), "lamp");
        assert_eq!(query.hits_per_page(), 5);
        assert_eq!(query.page(), 1);
        assert!(query.click_analytics());
        assert_eq!(query.user_token().as_deref(), Some("anon-1"));
        assert_eq!(query.facets(), vec!["brand"]);
        assert_eq!(query.facet_filters(), vec![vec!["brand:Lumen".to_string()]]);
        assert!(query.params_string.starts_with("query=lamp"));
    }

    #[test]
    fn v5_inline_fields() {
        let item = json!({"indexName": "products", "query": "watch", "hitsPerPage": 3, "clickAnalytics": true,
            "facetFilters": ["category:Lamps"]});
        let query = SearchQuery::from_request(&item, None).expect("query");
        assert_eq!(query.query(), "watch");
        assert_eq!(query.hits_per_page(), 3);
        assert!(query.click_analytics());
        assert_eq!(
            query.facet_filters(),
            vec![vec!["category:Lamps".to_string()]]
        );
        assert!(query.params_string.contains("query=watch"));
        assert!(SearchQuery::from_request(&json!({"query": "x"}), None).is_err());
        assert_eq!(
            SearchQuery::from_request(&json!({}), Some("p"))
                .expect("query")
                .hits_per_page(),
            20
        );
    }
}

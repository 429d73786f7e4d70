//! Matching, faceting, pagination and highlighting over the catalog, with
//! Algolia-shaped answers.

use std::collections::BTreeMap;
use std::time::Instant;

use serde_json::{json, Map, Value};

use super::catalog::{Catalog, Product};
use super::params::SearchQuery;

/// Attributes the query is matched against (and highlighted in).
pub const SEARCHABLE_ATTRIBUTES: [&str; 3] = ["name", "brand", "category"];
/// Attributes counted for `facets: ["*"]`.
pub const DEFAULT_FACETS: [&str; 2] = ["brand", "category"];

/// Runs one query. `query_id` is added to the answer (clickAnalytics).
pub fn search(catalog: &Catalog, query: &SearchQuery, query_id: Option<&str>) -> Value {
    let started = Instant::now();
    let text = query.query();
    let words = query_words(&text);
    let filters = query.facet_filters();
    let matches: Vec<&Product> = catalog
        .products()
        .iter()
        .filter(|p| matches_words(p, &words) && matches_facet_filters(p, &filters))
        .collect();

    if let Some((facet, facet_query)) = query.facet_search() {
        return facet_hits(&matches, &facet, &facet_query, started);
    }

    let hits_per_page = query.hits_per_page();
    let page = query.page();
    let nb_hits = matches.len();
    let nb_pages = if hits_per_page == 0 {
        0
    } else {
        nb_hits.div_ceil(hits_per_page)
    };
    let (pre, post) = query.highlight_tags();
    let hits: Vec<Value> = matches
        .iter()
        .skip(page.saturating_mul(hits_per_page))
        .take(hits_per_page)
        .map(|product| hit(product, &words, &pre, &post))
        .collect();

    let mut result = Map::new();
    result.insert("hits".into(), Value::Array(hits));
    result.insert("nbHits".into(), json!(nb_hits));
    result.insert("page".into(), json!(page));
    result.insert("nbPages".into(), json!(nb_pages));
    result.insert("hitsPerPage".into(), json!(hits_per_page));
    let facets = facet_counts(&matches, &query.facets());
    if !facets.is_empty() {
        result.insert("facets".into(), json!(facets));
        result.insert("exhaustiveFacetsCount".into(), json!(true));
    }
    result.insert("exhaustiveNbHits".into(), json!(true));
    result.insert("exhaustive".into(), json!({"nbHits": true, "typo": true}));
    result.insert("query".into(), json!(text));
    result.insert("params".into(), json!(query.params_string));
    result.insert("index".into(), json!(query.index_name));
    if let Some(query_id) = query_id {
        result.insert("queryID".into(), json!(query_id));
    }
    result.insert("processingTimeMS".into(), json!(elapsed_ms(started)));
    Value::Object(result)
}

fn elapsed_ms(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis())
        .unwrap_or(u64::MAX)
        .max(1)
}

fn query_words(query: &str) -> Vec<String> {
    query
        .split_whitespace()
        .map(|w| w.to_ascii_lowercase())
        .collect()
}

/// Every word must appear (case-insensitively) in a searchable attribute.
fn matches_words(product: &Product, words: &[String]) -> bool {
    let haystack: Vec<String> = SEARCHABLE_ATTRIBUTES
        .iter()
        .filter_map(|a| product.text(a))
        .map(str::to_ascii_lowercase)
        .collect();
    words
        .iter()
        .all(|word| haystack.iter().any(|h| h.contains(word.as_str())))
}

/// Values of an attribute as text (strings, numbers, arrays of them).
fn attribute_values(product: &Product, attribute: &str) -> Vec<String> {
    match product.record.get(attribute) {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Number(n)) => vec![n.to_string()],
        Some(Value::Bool(b)) => vec![b.to_string()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|v| match v {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn matches_facet_filter(product: &Product, filter: &str) -> bool {
    let (negated, filter) = match filter.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, filter),
    };
    let Some((attribute, value)) = filter.split_once(':') else {
        return true;
    };
    let value = value.trim_matches('"');
    let found = attribute_values(product, attribute.trim())
        .iter()
        .any(|v| v.eq_ignore_ascii_case(value));
    found != negated
}

fn matches_facet_filters(product: &Product, filters: &[Vec<String>]) -> bool {
    filters
        .iter()
        .all(|any_of| any_of.iter().any(|f| matches_facet_filter(product, f)))
}

fn facet_names(requested: &[String]) -> Vec<String> {
    if requested.iter().any(|f| f == "*") {
        DEFAULT_FACETS.iter().map(|f| f.to_string()).collect()
    } else {
        requested.to_vec()
    }
}

fn facet_counts(
    matches: &[&Product],
    requested: &[String],
) -> BTreeMap<String, BTreeMap<String, usize>> {
    facet_names(requested)
        .into_iter()
        .map(|facet| {
            let mut counts = BTreeMap::new();
            for product in matches {
                for value in attribute_values(product, &facet) {
                    *counts.entry(value).or_insert(0) += 1;
                }
            }
            (facet, counts)
        })
        .collect()
}

fn facet_hits(matches: &[&Product], facet: &str, facet_query: &str, started: Instant) -> Value {
    let counts = facet_counts(matches, &[facet.to_string()]);
    let needle = facet_query.to_ascii_lowercase();
    let mut hits: Vec<(String, usize)> = counts
        .get(facet)
        .map(|c| c.iter().map(|(v, n)| (v.clone(), *n)).collect())
        .unwrap_or_default();
    hits.retain(|(value, _)| value.to_ascii_lowercase().contains(&needle));
    hits.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let words = query_words(facet_query);
    let facet_hits: Vec<Value> = hits
        .into_iter()
        .map(|(value, count)| {
            let highlighted = highlight(&value, &words, "<em>", "</em>")["value"].clone();
            json!({"value": value, "highlighted": highlighted, "count": count})
        })
        .collect();
    json!({"facetHits": facet_hits, "exhaustiveFacetsCount": true, "processingTimeMS": elapsed_ms(started)})
}

fn hit(product: &Product, words: &[String], pre: &str, post: &str) -> Value {
    let mut record = product.record.clone();
    let highlights: Map<String, Value> = SEARCHABLE_ATTRIBUTES
        .iter()
        .filter_map(|attribute| {
            product
                .text(attribute)
                .map(|value| (attribute.to_string(), highlight(value, words, pre, post)))
        })
        .collect();
    record.insert("_highlightResult".into(), Value::Object(highlights));
    Value::Object(record)
}

/// `{"value", "matchLevel", "matchedWords", "fullyHighlighted"?}` for one attribute.
pub fn highlight(value: &str, words: &[String], pre: &str, post: &str) -> Value {
    let lower = value.to_ascii_lowercase();
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    let mut matched_words = Vec::new();
    for word in words.iter().filter(|w| !w.is_empty()) {
        let mut found = false;
        for (start, _) in lower.match_indices(word.as_str()) {
            ranges.push((start, start + word.len()));
            found = true;
        }
        if found && !matched_words.contains(word) {
            matched_words.push(word.clone());
        }
    }
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (start, end) in ranges {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    let mut highlighted =
        String::with_capacity(value.len() + merged.len() * (pre.len() + post.len()));
    let mut cursor = 0;
    for (start, end) in &merged {
        highlighted.push_str(&value[cursor..*start]);
        highlighted.push_str(pre);
        highlighted.push_str(&value[*start..*end]);
        highlighted.push_str(post);
        cursor = *end;
    }
    highlighted.push_str(&value[cursor..]);

    let distinct_words = words
        .iter()
        .filter(|w| !w.is_empty())
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    let match_level = if matched_words.is_empty() {
        "none"
    } else if matched_words.len() >= distinct_words {
        "full"
    } else {
        "partial"
    };
    let mut result =
        json!({"value": highlighted, "matchLevel": match_level, "matchedWords": matched_words});
    if match_level != "none" {
        let fully = merged.len() == 1 && merged[0] == (0, value.len());
        result["fullyHighlighted"] = json!(fully);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlights_case_insensitively() {
        let words = vec!["lamp".to_string()];
        let h = highlight("Arc Floor Lamp", &words, "<em>", "</em>");
        assert_eq!(h["value"], "Arc Floor <em>Lamp</em>");
        assert_eq!(h["matchLevel"], "full");
        let none = highlight("Arc Floor Lamp", &["zzz".to_string()], "<em>", "</em>");
        assert_eq!(none["matchLevel"], "none");
        assert_eq!(none["value"], "Arc Floor Lamp");
        let partial = highlight(
            "Arc Floor Lamp",
            &["arc".to_string(), "desk".to_string()],
            "[",
            "]",
        );
        assert_eq!(partial["value"], "[Arc] Floor Lamp");
        assert_eq!(partial["matchLevel"], "partial");
    }

    #[test]
    fn filters_and_facets() {
        let catalog = Catalog::embedded().expect("catalog");
        let query = SearchQuery::from_request(
            &json!({"indexName": "products", "facets": ["brand"], "facetFilters": [["category:Lamps"]], "hitsPerPage": 2}),
            None,
        )
        .expect("query");
        let result = search(&catalog, &query, None);
        assert_eq!(result["nbHits"], 4);
        assert_eq!(result["nbPages"], 2);
        assert_eq!(result["hits"].as_array().map(Vec::len), Some(2));
        assert_eq!(result["facets"]["brand"]["Lumen"], 1);
        assert!(result.get("queryID").is_none());
    }
}

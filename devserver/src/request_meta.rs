//! Who sent a request and how: Algolia credentials (query string or
//! headers), agent, origin, content type, fetch mode. The API key is masked on the way in.

use std::collections::BTreeMap;

use axum::http::{header, HeaderMap, Method, Uri};

use crate::records::{mask_api_key, RequestRecord};
use crate::time::now_ms;

const APP_ID: &str = "x-algolia-application-id";
const API_KEY: &str = "x-algolia-api-key";
const AGENT: &str = "x-algolia-agent";
const FETCH_MODE: &str = "sec-fetch-mode";

/// Everything recorded about a request before its body is looked at.
#[derive(Debug, Clone)]
pub struct RequestMeta {
    /// Reception time, Unix ms.
    pub time: i64,
    /// HTTP method.
    pub method: Method,
    /// URL path.
    pub path: String,
    /// Query parameters, API key masked.
    pub query: BTreeMap<String, String>,
    /// `Content-Type` header.
    pub content_type: Option<String>,
    /// `Origin` header.
    pub origin: Option<String>,
    /// `Sec-Fetch-Mode` header.
    pub fetch_mode: Option<String>,
    /// Application ID (query string first, then header). Empty counts as absent.
    pub app_id: Option<String>,
    /// Whether a non-empty API key was given.
    pub has_api_key: bool,
    /// Masked API key.
    pub api_key_masked: Option<String>,
    /// `X-Algolia-Agent` (query string first, then header).
    pub agent: Option<String>,
    /// `Access-Control-Request-Headers`.
    pub requested_headers: Option<String>,
}

impl RequestMeta {
    /// Reads the request line and headers.
    pub fn new(method: &Method, uri: &Uri, headers: &HeaderMap) -> Self {
        let pairs: Vec<(String, String)> = uri
            .query()
            .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
            .unwrap_or_default();
        let from_query = |name: &str| {
            pairs
                .iter()
                .rev()
                .find(|(key, _)| key.eq_ignore_ascii_case(name))
                .map(|(_, value)| value.clone())
        };
        let header_text = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let pick = |name: &str| {
            from_query(name)
                .filter(|v| !v.is_empty())
                .or_else(|| header_text(name).filter(|v| !v.is_empty()))
        };
        let api_key = pick(API_KEY);
        let query = pairs
            .iter()
            .map(|(key, value)| {
                let value = if key.eq_ignore_ascii_case(API_KEY) {
                    mask_api_key(value)
                } else {
                    value.clone()
                };
                (key.clone(), value)
            })
            .collect();
        RequestMeta {
            time: now_ms(),
            method: method.clone(),
            path: uri.path().to_string(),
            query,
            content_type: header_text(header::CONTENT_TYPE.as_str()),
            origin: header_text(header::ORIGIN.as_str()),
            fetch_mode: header_text(FETCH_MODE),
            app_id: pick(APP_ID),
            has_api_key: api_key.is_some(),
            api_key_masked: api_key.as_deref().map(mask_api_key),
            agent: pick(AGENT),
            requested_headers: header_text(header::ACCESS_CONTROL_REQUEST_HEADERS.as_str()),
        }
    }

    /// Both an application ID and an API key were given.
    pub fn has_credentials(&self) -> bool {
        self.app_id.is_some() && self.has_api_key
    }

    /// A request record (id assigned later by the log) with this outcome.
    pub fn to_record(&self, status: u16, message: &str, body_bytes: usize) -> RequestRecord {
        RequestRecord {
            id: 0,
            time: self.time,
            method: self.method.to_string(),
            path: self.path.clone(),
            query: self.query.clone(),
            content_type: self.content_type.clone(),
            origin: self.origin.clone(),
            fetch_mode: self.fetch_mode.clone(),
            app_id: self.app_id.clone(),
            api_key: self.api_key_masked.clone(),
            agent: self.agent.clone(),
            requested_headers: self.requested_headers.clone(),
            status,
            message: message.to_string(),
            body_bytes,
            preflight: self.method == Method::OPTIONS,
            injected: false,
            events: Vec::new(),
            searches: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn query_string_wins_and_key_is_masked() {
        let uri: Uri = "/1/events?X-Algolia-Application-Id=APP&X-Algolia-API-Key=secretkey1234&X-Algolia-Agent=insights-js%20(2.17.3)"
            .parse()
            .expect("uri");
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-algolia-application-id",
            HeaderValue::from_static("OTHER"),
        );
        let meta = RequestMeta::new(&Method::POST, &uri, &headers);
        assert_eq!(meta.app_id.as_deref(), Some("APP"));
        assert_eq!(meta.api_key_masked.as_deref(), Some("secr…"));
        assert_eq!(meta.agent.as_deref(), Some("insights-js (2.17.3)"));
        assert_eq!(
            meta.query.get("X-Algolia-API-Key").map(String::as_str),
            Some("secr…")
        );
        assert!(meta.has_credentials());
    }

    #[test]
    fn headers_work_and_empty_counts_as_missing() {
        let uri: Uri = "/1/events?x-algolia-application-id=".parse().expect("uri");
        let mut headers = HeaderMap::new();
        headers.insert("x-algolia-api-key", HeaderValue::from_static("key"));
        let meta = RequestMeta::new(&Method::POST, &uri, &headers);
        assert_eq!(meta.app_id, None);
        assert!(meta.has_api_key);
        assert!(!meta.has_credentials());
    }

    #[test]
    fn records_the_fetch_mode() {
        let uri: Uri = "/1/events".parse().expect("uri");
        let mut headers = HeaderMap::new();
        let without = RequestMeta::new(&Method::POST, &uri, &headers);
        assert_eq!(without.fetch_mode, None);
        headers.insert("sec-fetch-mode", HeaderValue::from_static("no-cors"));
        let meta = RequestMeta::new(&Method::POST, &uri, &headers);
        assert_eq!(meta.fetch_mode.as_deref(), Some("no-cors"));
        let record = meta.to_record(200, "OK", 0);
        assert_eq!(record.fetch_mode.as_deref(), Some("no-cors"));
    }
}

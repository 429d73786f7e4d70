//! Failures injected on purpose into the next POSTs to `/1/events`
//! (`POST /_devserver/fail`).

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::api_error::default_message;

/// Longest time a hung request is held open.
pub const MAX_HANG: Duration = Duration::from_secs(60);

/// How a request fails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FailureMode {
    /// Answer this status with `{"status","message"}`.
    Status {
        /// HTTP status.
        status: StatusCode,
        /// Message of the JSON body.
        message: String,
    },
    /// Read the request, never answer; close the connection after `duration`.
    Hang {
        /// How long to hold the connection open.
        duration: Duration,
    },
    /// Read the request, then close the TCP connection without any answer.
    Drop,
}

/// A failure waiting for the next `remaining` matching requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailureRule {
    /// What happens.
    pub mode: FailureMode,
    /// How many more requests it applies to.
    pub remaining: u32,
    /// Only requests with this application ID, if set.
    pub app_id: Option<String>,
    /// Only requests carrying an event with this objectID, if set.
    pub object_id: Option<String>,
}

/// Body of `POST /_devserver/fail`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FailureRequest {
    /// `status`, `hang` or `drop`.
    pub mode: String,
    /// Status for `status` mode (default 500).
    pub status: Option<u16>,
    /// How many requests fail (default 1).
    pub times: Option<u32>,
    /// Only requests with this application ID.
    pub app_id: Option<String>,
    /// Only requests carrying an event whose `objectIDs` include this one
    /// (the API refusing one bad event, and every batch that holds it).
    #[serde(rename = "objectID")]
    pub object_id: Option<String>,
    /// Message for `status` mode (default: the usual one for that status).
    pub message: Option<String>,
    /// How long `hang` holds the connection, ms (default and maximum 60000).
    pub duration_ms: Option<u64>,
}

impl FailureRule {
    /// Checks a `POST /_devserver/fail` body.
    pub fn from_request(request: FailureRequest) -> Result<Self, String> {
        let times = request.times.unwrap_or(1);
        if times == 0 {
            return Err("times must be at least 1".to_string());
        }
        let mode = match request.mode.as_str() {
            "status" => {
                let code = request.status.unwrap_or(500);
                let status = StatusCode::from_u16(code)
                    .ok()
                    .filter(|s| s.is_client_error() || s.is_server_error())
                    .ok_or_else(|| {
                        format!("status must be an HTTP error status (400-599), got {code}")
                    })?;
                let message = request.message.unwrap_or_else(|| default_message(status));
                FailureMode::Status { status, message }
            }
            "hang" => {
                let duration = request
                    .duration_ms
                    .map(Duration::from_millis)
                    .unwrap_or(MAX_HANG)
                    .min(MAX_HANG);
                FailureMode::Hang { duration }
            }
            "drop" => FailureMode::Drop,
            other => {
                return Err(format!(
                    r#"mode must be "status", "hang" or "drop", got {other:?}"#
                ))
            }
        };
        Ok(FailureRule {
            mode,
            remaining: times,
            app_id: request.app_id.filter(|a| !a.is_empty()),
            object_id: request.object_id.filter(|o| !o.is_empty()),
        })
    }
}

/// Summary of a pending rule, as shown by the control routes.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct PendingFailure {
    /// `status`, `hang` or `drop`.
    pub mode: &'static str,
    /// Status for `status` mode.
    pub status: Option<u16>,
    /// Requests still to fail.
    pub remaining: u32,
    /// Application ID filter.
    pub app_id: Option<String>,
    /// objectID filter.
    #[serde(rename = "objectID", skip_serializing_if = "Option::is_none")]
    pub object_id: Option<String>,
}

/// Pending failures, applied first-come first-served.
#[derive(Debug, Default)]
pub struct FailurePlan {
    rules: Mutex<Vec<FailureRule>>,
}

impl FailurePlan {
    fn lock(&self) -> MutexGuard<'_, Vec<FailureRule>> {
        self.rules
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Adds a rule after the existing ones.
    pub fn add(&self, rule: FailureRule) {
        self.lock().push(rule);
    }

    /// Uses up one turn of the first rule matching `app_id` and `events`, if any.
    pub fn take(&self, app_id: Option<&str>, events: &[Arc<Value>]) -> Option<FailureMode> {
        let mut rules = self.lock();
        let index = rules.iter().position(|rule| {
            (rule.app_id.is_none() || rule.app_id.as_deref() == app_id)
                && rule
                    .object_id
                    .as_deref()
                    .is_none_or(|id| carries(events, id))
        })?;
        let rule = &mut rules[index];
        rule.remaining -= 1;
        let mode = rule.mode.clone();
        if rule.remaining == 0 {
            rules.remove(index);
        }
        Some(mode)
    }

    /// Forgets every pending rule.
    pub fn clear(&self) {
        self.lock().clear();
    }

    /// The rules still pending.
    pub fn pending(&self) -> Vec<PendingFailure> {
        self.lock()
            .iter()
            .map(|rule| {
                let (mode, status) = match &rule.mode {
                    FailureMode::Status { status, .. } => ("status", Some(status.as_u16())),
                    FailureMode::Hang { .. } => ("hang", None),
                    FailureMode::Drop => ("drop", None),
                };
                PendingFailure {
                    mode,
                    status,
                    remaining: rule.remaining,
                    app_id: rule.app_id.clone(),
                    object_id: rule.object_id.clone(),
                }
            })
            .collect()
    }
}

/// Whether one of `events` lists `object_id` in its `objectIDs`.
fn carries(events: &[Arc<Value>], object_id: &str) -> bool {
    events.iter().any(|event| {
        event
            .get("objectIDs")
            .and_then(Value::as_array)
            .is_some_and(|ids| ids.iter().any(|id| id.as_str() == Some(object_id)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NONE: &[Arc<Value>] = &[];

    fn rule(json: &str) -> Result<FailureRule, String> {
        let request: FailureRequest = serde_json::from_str(json).map_err(|e| e.to_string())?;
        FailureRule::from_request(request)
    }

    #[test]
    fn rules_are_used_up_in_order_and_by_app() {
        let plan = FailurePlan::default();
        plan.add(rule(r#"{"mode":"status","status":503,"times":2,"appId":"A"}"#).expect("rule"));
        plan.add(rule(r#"{"mode":"drop"}"#).expect("rule"));
        assert_eq!(plan.take(Some("B"), NONE), Some(FailureMode::Drop));
        assert!(
            matches!(plan.take(Some("A"), NONE), Some(FailureMode::Status { status, .. }) if status == StatusCode::SERVICE_UNAVAILABLE)
        );
        assert!(plan.take(Some("A"), NONE).is_some());
        assert_eq!(plan.take(Some("A"), NONE), None);
        assert!(plan.pending().is_empty());
    }

    #[test]
    fn an_object_id_rule_fails_only_requests_carrying_it() {
        let plan = FailurePlan::default();
        plan.add(
            rule(r#"{"mode":"status","status":400,"times":2,"objectID":"bad"}"#).expect("rule"),
        );
        let events = |list: Vec<Value>| list.into_iter().map(Arc::new).collect::<Vec<_>>();
        let good = events(vec![
            json!({"objectIDs": ["a", "b"]}),
            json!({"filters": ["bad"]}),
            json!({"objectIDs": "bad"}),
        ]);
        let bad = events(vec![
            json!({"objectIDs": ["a"]}),
            json!({"objectIDs": ["x", "bad"]}),
        ]);
        assert_eq!(plan.take(Some("A"), &good), None);
        assert_eq!(plan.take(Some("A"), NONE), None);
        assert!(
            matches!(plan.take(Some("A"), &bad), Some(FailureMode::Status { status, .. }) if status == StatusCode::BAD_REQUEST)
        );
        assert_eq!(plan.pending()[0].object_id.as_deref(), Some("bad"));
        assert!(plan.take(Some("B"), &bad[1..]).is_some());
        assert_eq!(plan.take(Some("A"), &bad), None, "used up");
    }

    #[test]
    fn bad_requests_are_refused() {
        assert!(rule(r#"{"mode":"explode"}"#).is_err());
        assert!(rule(r#"{"mode":"status","status":200}"#).is_err());
        assert!(rule(r#"{"mode":"drop","times":0}"#).is_err());
        assert!(rule(r#"{"mode":"drop","tiems":1}"#).is_err());
        let hang = rule(r#"{"mode":"hang","durationMs":999999}"#).expect("rule");
        assert_eq!(hang.mode, FailureMode::Hang { duration: MAX_HANG });
    }
}

//! The crate's one error type; the browser boundary turns it into a JS `Error`.

use std::fmt;

/// Why a call to `aa()` was refused. Every message names the method, and the
/// field when there is one; none ever contains the API key.
#[derive(Debug, Clone, PartialEq)]
pub enum InsightsError {
    /// An argument, or a field inside one, is not what the method accepts.
    InvalidArgument {
        /// The `aa()` method, e.g. `clickedObjectIDs`.
        method: &'static str,
        /// Where the bad value is, e.g. `event.objectIDs[2]`.
        field: String,
        /// What is wrong with it, e.g. `must be a string, got number`.
        problem: String,
    },
    /// An event method was called before `init` gave credentials.
    NotInitialized {
        /// The `aa()` method.
        method: &'static str,
    },
    /// `init` was given a region other than `us` or `de`.
    InvalidRegion,
    /// `init` was given a `cookieDuration` that is not an integer.
    InvalidCookieDuration,
}

/// The crate's result type.
pub type Result<T> = std::result::Result<T, InsightsError>;

impl InsightsError {
    /// Shorthand for [`InsightsError::InvalidArgument`].
    pub fn invalid(method: &'static str, field: impl Into<String>, problem: impl Into<String>) -> Self {
        InsightsError::InvalidArgument { method, field: field.into(), problem: problem.into() }
    }
}

impl InsightsError {
    /// The message of the JavaScript `Error` (built without `core::fmt`, which
    /// would otherwise ship in the wasm).
    pub fn message(&self) -> String {
        match self {
            InsightsError::InvalidArgument { method, field, problem } => text!(method, ": `", field, "` ", problem),
            InsightsError::NotInitialized { method } => text!(
                method,
                ": Before calling any methods on the analytics, you first need to call the 'init' function with appId and apiKey parameters or provide custom credentials in additional parameters."
            ),
            InsightsError::InvalidRegion => "init: optional region is incorrect, please provide either one of: de, us.".to_owned(),
            InsightsError::InvalidCookieDuration => "init: optional cookieDuration is incorrect, expected an integer.".to_owned(),
        }
    }
}

impl fmt::Display for InsightsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for InsightsError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_method_and_field() {
        let e = InsightsError::invalid("clickedObjectIDs", "event.objectIDs[2]", "must be a string, got number");
        assert_eq!(e.to_string(), "clickedObjectIDs: `event.objectIDs[2]` must be a string, got number");
        let e = InsightsError::NotInitialized { method: "viewedObjectIDs" };
        assert!(e.to_string().starts_with("viewedObjectIDs: Before calling any methods"));
        assert!(InsightsError::InvalidRegion.to_string().contains("region"));
        assert!(InsightsError::InvalidCookieDuration.to_string().contains("cookieDuration"));
    }
}

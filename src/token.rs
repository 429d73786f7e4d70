//! User tokens: the rules the Insights API applies to `userToken` and
//! `authenticatedUserToken`, and the anonymous token format.

use crate::error::{InsightsError, Result};
use crate::json;
use crate::value::Value;

/// The prefix of tokens this library (and search-insights) makes up for
/// visitors who are not signed in.
pub const ANONYMOUS_PREFIX: &str = "anonymous-";

/// The longest token the Insights API accepts.
pub const MAX_TOKEN_LEN: usize = 129;

/// A user token the Insights API accepts: 1 to 129 characters of
/// `[A-Za-z0-9_=+/-]`. Such a token can never carry cookie attributes
/// (no `;`, no space, no newline).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserToken {
    text: String,
    /// Given as a JavaScript number: `getUserToken` gives it back as a number,
    /// as search-insights does; events carry it as a string, as the API requires.
    numeric: bool,
}

/// What is wrong with a token, for error messages.
pub fn token_problem(text: &str) -> Option<&'static str> {
    if text.is_empty() {
        Some("must not be empty")
    } else if text.len() > MAX_TOKEN_LEN {
        Some("must be at most 129 characters long")
    } else if !text.bytes().all(is_token_byte) {
        Some("must contain only the characters A-Z a-z 0-9 _ = + / -")
    } else {
        None
    }
}

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'=' | b'+' | b'/' | b'-')
}

impl UserToken {
    /// A token from text, checked against the API's rules.
    pub fn parse(text: &str) -> std::result::Result<UserToken, &'static str> {
        match token_problem(text) {
            Some(problem) => Err(problem),
            None => Ok(UserToken { text: text.to_owned(), numeric: false }),
        }
    }

    /// A token from a JavaScript argument: `undefined`/`null` give `None`;
    /// strings and whole numbers are checked; anything else is an error that
    /// names `method` and `field`.
    pub fn from_value(method: &'static str, field: &str, value: &Value) -> Result<Option<UserToken>> {
        let (text, numeric) = match value {
            Value::Undefined | Value::Null => return Ok(None),
            Value::String(s) => (s.clone(), false),
            Value::Number(n) if crate::value::is_integer(*n) => {
                let mut text = String::new();
                json::write_number(*n, &mut text);
                (text, true)
            }
            other => {
                return Err(InsightsError::invalid(
                    method,
                    field,
                    text!("must be a string, got ", other.type_name()),
                ))
            }
        };
        match token_problem(&text) {
            Some(problem) => Err(InsightsError::invalid(method, field, problem)),
            None => Ok(Some(UserToken { text, numeric })),
        }
    }

    /// A new anonymous token, `anonymous-<uuid v4>`, from 16 random bytes.
    pub fn anonymous(random: [u8; 16]) -> UserToken {
        let uuid = uuid::Builder::from_random_bytes(random).into_uuid();
        let mut text = String::with_capacity(ANONYMOUS_PREFIX.len() + 36);
        text.push_str(ANONYMOUS_PREFIX);
        text.push_str(uuid.hyphenated().encode_lower(&mut uuid::Uuid::encode_buffer()));
        UserToken { text, numeric: false }
    }

    /// Whether this is an anonymous token (`anonymous-…`).
    pub fn is_anonymous(&self) -> bool {
        !self.numeric && self.text.starts_with(ANONYMOUS_PREFIX)
    }

    /// The token's text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The token as `getUserToken` gives it back: a number if it was set as one.
    pub fn to_value(&self) -> Value {
        match crate::number::parse_f64(&self.text) {
            Some(n) if self.numeric => Value::Number(n),
            _ => Value::String(self.text.clone()),
        }
    }
}

/// What `setUserToken`, `setAuthenticatedUserToken` or `init` left in a
/// token slot, kept as search-insights keeps it: `getUserToken` and the
/// change callbacks give back exactly what was set (`""` and `null`
/// included), while only a [`UserToken`] is ever sent.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum HeldToken {
    /// Never set, or set to `undefined`.
    #[default]
    Undefined,
    /// Set to `null`.
    Null,
    /// Set to `""`.
    Empty,
    /// A token the API accepts.
    Token(UserToken),
}

impl HeldToken {
    /// The slot's new content after `value` was set: `undefined`, `null` and
    /// `""` clear it (and are given back as such); anything else must be a
    /// valid token, or the error names `method` and `field`.
    pub fn from_value(method: &'static str, field: &str, value: &Value) -> Result<HeldToken> {
        Ok(match value {
            Value::Undefined => HeldToken::Undefined,
            Value::Null => HeldToken::Null,
            Value::String(s) if s.is_empty() => HeldToken::Empty,
            other => UserToken::from_value(method, field, other)?.map_or(HeldToken::Undefined, HeldToken::Token),
        })
    }

    /// The token events carry, if any.
    pub fn token(&self) -> Option<&UserToken> {
        match self {
            HeldToken::Token(token) => Some(token),
            _ => None,
        }
    }

    /// What `getUserToken` returns and callbacks receive.
    pub fn to_value(&self) -> Value {
        match self {
            HeldToken::Undefined => Value::Undefined,
            HeldToken::Null => Value::Null,
            HeldToken::Empty => Value::str(""),
            HeldToken::Token(token) => token.to_value(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_api_alphabet() {
        for ok in ["user-1", "a", "A_b=c+d/e-f", &"x".repeat(129), "anonymous-0f8fad5b-d9cb-469f-a165-70867728950e"] {
            assert!(UserToken::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn refuses_everything_else() {
        for bad in ["", &"x".repeat(130), "a b", "a;b", "a\nb", "é", "a,b", "tok;path=/;domain=evil.com"] {
            assert!(UserToken::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn from_value_types() {
        assert_eq!(UserToken::from_value("setUserToken", "userToken", &Value::Undefined), Ok(None));
        assert_eq!(UserToken::from_value("setUserToken", "userToken", &Value::Null), Ok(None));
        let t = UserToken::from_value("setUserToken", "userToken", &Value::Number(42.0)).expect("ok").expect("some");
        assert_eq!(t.as_str(), "42");
        assert_eq!(t.to_value(), Value::Number(42.0));
        let e = UserToken::from_value("setUserToken", "userToken", &Value::Object(vec![])).expect_err("object");
        assert_eq!(e.to_string(), "setUserToken: `userToken` must be a string, got object");
        let e = UserToken::from_value("setUserToken", "userToken", &Value::Number(1.5)).expect_err("fraction");
        assert!(e.to_string().contains("got number"));
        let e = UserToken::from_value("init", "userToken", &Value::str("a;b")).expect_err("semicolon");
        assert!(e.to_string().starts_with("init: `userToken` must contain only"));
    }

    #[test]
    fn anonymous_tokens_are_uuid_v4() {
        let t = UserToken::anonymous([0xab; 16]);
        let s = t.as_str();
        assert!(t.is_anonymous());
        assert_eq!(s.len(), "anonymous-".len() + 36);
        let uuid = s.trim_start_matches(ANONYMOUS_PREFIX);
        let groups: Vec<&str> = uuid.split('-').collect();
        assert_eq!(groups.iter().map(|g| g.len()).collect::<Vec<_>>(), vec![8, 4, 4, 4, 12]);
        assert!(groups[2].starts_with('4'), "version nibble: {uuid}");
        assert!(matches!(groups[3].as_bytes()[0], b'8' | b'9' | b'a' | b'b'), "variant: {uuid}");
        assert!(UserToken::parse(s).is_ok());
        assert_ne!(UserToken::anonymous([1; 16]), UserToken::anonymous([2; 16]));
        // By hand (RFC 9562): byte 6 keeps its low nibble under version 4
        // (0xab → 0x4b), byte 8 its low 6 bits under variant 10 (0xab → 0xab,
        // 0x09 → 0x89, 0xff → 0xbf, 0x00 → 0x80).
        assert_eq!(s, "anonymous-abababab-abab-4bab-abab-abababababab");
        assert_eq!(UserToken::anonymous([9; 16]).as_str(), "anonymous-09090909-0909-4909-8909-090909090909");
        assert_eq!(UserToken::anonymous([0xff; 16]).as_str(), "anonymous-ffffffff-ffff-4fff-bfff-ffffffffffff");
        assert_eq!(UserToken::anonymous([0; 16]).as_str(), "anonymous-00000000-0000-4000-8000-000000000000");
        let counting: [u8; 16] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
        assert_eq!(UserToken::anonymous(counting).as_str(), "anonymous-00010203-0405-4607-8809-0a0b0c0d0e0f");
    }

    #[test]
    fn held_tokens_give_back_what_was_set() {
        let held = |v: Value| HeldToken::from_value("setUserToken", "userToken", &v);
        assert_eq!(held(Value::Undefined), Ok(HeldToken::Undefined));
        assert_eq!(held(Value::Null).map(|h| h.to_value()), Ok(Value::Null));
        assert_eq!(held(Value::str("")).map(|h| h.to_value()), Ok(Value::str("")));
        assert_eq!(held(Value::str("")).map(|h| h.token().cloned()), Ok(None));
        let token = held(Value::str("user-1")).expect("valid");
        assert_eq!(token.token().map(UserToken::as_str), Some("user-1"));
        assert_eq!(held(Value::Number(7.0)).map(|h| h.to_value()), Ok(Value::Number(7.0)));
        let e = held(Value::str("a b")).expect_err("space");
        assert!(e.to_string().starts_with("setUserToken: `userToken` must contain only"), "{e}");
    }
}

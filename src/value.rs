//! A JSON-like model of the values JavaScript code passes to `aa()`.
//!
//! The browser boundary converts every argument into a [`Value`] before the
//! core sees it, so the core (validation, event building, batching) never
//! touches `JsValue` and is tested natively.

/// A value as JavaScript code can pass it: JSON types plus `undefined` and the
/// types JSON cannot express (functions, symbols, bigints), kept only so that
/// errors can say what was received.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `undefined`, or a missing argument.
    Undefined,
    /// `null`.
    Null,
    /// A boolean.
    Bool(bool),
    /// A number (NaN and infinities included).
    Number(f64),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Value>),
    /// A plain object; keys keep the caller's order.
    Object(Vec<(String, Value)>),
    /// A function, a symbol or a bigint: named by its JavaScript `typeof`.
    Opaque(&'static str),
}

/// The value of a missing argument or field.
pub static UNDEFINED: Value = Value::Undefined;

impl Value {
    /// The field `key` of an object (the last one, if parsed JSON repeated
    /// it, as `JSON.parse` keeps); `None` for other types or a missing key.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(entries) => entries.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The field `key`, with `undefined` for a missing key or a non-object.
    pub fn field(&self, key: &str) -> &Value {
        self.get(key).unwrap_or(&UNDEFINED)
    }

    /// Whether the object has the key `key` (even when its value is `undefined`),
    /// like JavaScript's `key in object`.
    pub fn has_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// `null` or `undefined`.
    pub fn is_nullish(&self) -> bool {
        matches!(self, Value::Undefined | Value::Null)
    }

    /// JavaScript truthiness.
    pub fn is_truthy(&self) -> bool {
        match self {
            Value::Undefined | Value::Null => false,
            Value::Bool(b) => *b,
            Value::Number(n) => *n != 0.0 && !n.is_nan(),
            Value::String(s) => !s.is_empty(),
            _ => true,
        }
    }

    /// The string, when this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The number, when this is one.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }

    /// The items, when this is an array.
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    /// Whether this is a plain object.
    pub fn is_object(&self) -> bool {
        matches!(self, Value::Object(_))
    }

    /// What JavaScript code would call this type, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Undefined => "undefined",
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(n) if n.is_nan() => "NaN",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
            Value::Opaque(kind) => kind,
        }
    }

    /// Builds a string value.
    pub fn str(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    /// Builds an object from `(key, value)` pairs.
    pub fn object<K: Into<String>>(entries: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Object(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }
}

/// Whether `n` is a finite whole number, as JavaScript's `Number.isInteger`.
pub fn is_integer(n: f64) -> bool {
    n.is_finite() && n.trunc() == n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_lookup_and_key_presence() {
        let v = Value::object([("a", Value::Undefined), ("b", Value::Number(1.0))]);
        assert!(v.has_key("a"));
        assert_eq!(v.field("a"), &Value::Undefined);
        assert_eq!(v.field("b").as_f64(), Some(1.0));
        assert!(!v.has_key("c"));
        assert_eq!(Value::Null.field("a"), &Value::Undefined);
    }

    #[test]
    fn truthiness_matches_javascript() {
        assert!(!Value::Number(0.0).is_truthy());
        assert!(!Value::Number(f64::NAN).is_truthy());
        assert!(!Value::str("").is_truthy());
        assert!(Value::str("0").is_truthy());
        assert!(Value::Array(vec![]).is_truthy());
        assert!(Value::Opaque("function").is_truthy());
    }

    #[test]
    fn type_names_for_messages() {
        assert_eq!(Value::Number(f64::NAN).type_name(), "NaN");
        assert_eq!(Value::Array(vec![]).type_name(), "array");
        assert_eq!(Value::Opaque("function").type_name(), "function");
    }

    #[test]
    fn integers() {
        assert!(is_integer(3.0));
        assert!(!is_integer(3.5));
        assert!(!is_integer(f64::INFINITY));
        assert!(!is_integer(f64::NAN));
    }
}

//! Decimal text ⇄ `f64`. In the browser the page's own `Number` does it (exact
//! JavaScript semantics, and no float formatting/parsing code in the wasm);
//! natively, Rust's `Display`/`FromStr` do (the same values, tested).

use crate::json::write_int;
use crate::value::is_integer;

/// Appends `n` as JavaScript's `String(n)` writes it (`null`-free: callers
/// handle non-finite numbers).
pub fn write_f64(n: f64, out: &mut String) {
    if is_integer(n) && n.abs() < 9_007_199_254_740_992.0 {
        // `as` is exact here: a whole number below 2^53.
        write_int(n as i64, out);
    } else {
        write_fraction(n, out);
    }
}

#[cfg(target_arch = "wasm32")]
fn write_fraction(n: f64, out: &mut String) {
    if let Ok(text) = js_sys::Number::from(n).to_string_with_radix(10) {
        out.push_str(&String::from(text));
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn write_fraction(n: f64, out: &mut String) {
    use std::fmt::Write;
    let _ = write!(out, "{n}");
}

/// Parses a JSON number's text; `None` when it is not one or not finite.
pub fn parse_f64(text: &str) -> Option<f64> {
    if !is_json_number(text) {
        return None;
    }
    let n = parse_checked(text)?;
    n.is_finite().then_some(n)
}

#[cfg(target_arch = "wasm32")]
fn parse_checked(text: &str) -> Option<f64> {
    // The grammar was checked first, so parseFloat reads the whole text.
    Some(js_sys::Number::parse_float(text))
}

#[cfg(not(target_arch = "wasm32"))]
fn parse_checked(text: &str) -> Option<f64> {
    text.parse().ok()
}

/// JSON's number grammar: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
fn is_json_number(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    let int_start = i;
    let int_len = digits(&mut i);
    if int_len == 0 || (int_len > 1 && b.get(int_start) == Some(&b'0')) {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(n: f64) -> String {
        let mut s = String::new();
        write_f64(n, &mut s);
        s
    }

    #[test]
    fn writes_like_javascript() {
        assert_eq!(text(19.99), "19.99");
        assert_eq!(text(-42.0), "-42");
        assert_eq!(text(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(text(1_700_000_000_123.0), "1700000000123");
    }

    #[test]
    fn parses_json_numbers_only() {
        assert_eq!(parse_f64("19.99"), Some(19.99));
        assert_eq!(parse_f64("-0.5e2"), Some(-50.0));
        for bad in ["", "-", "01", "1.", ".5", "1e", "1e+", "+1", "1-2", "0x10", "NaN", "Infinity", "1e999"] {
            assert_eq!(parse_f64(bad), None, "{bad}");
        }
    }
}

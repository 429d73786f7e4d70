//! Decimal text ⇄ `f64`. In the browser the page's own `Number` does it (exact
//! JavaScript semantics, and no float formatting/parsing code in the wasm).
//! Natively (tests, the fuzzer), [`write_f64`] lays out Rust's shortest
//! round-trip digits (`{:e}`) by the rules of ECMAScript's
//! `Number::toString` (exponent form below 1e-6 and from 1e21 on), so it
//! prints what JavaScript's `String(n)` prints; the tests compare it with
//! literal outputs of a JavaScript engine. Parsing is Rust's `FromStr`, which,
//! like `parseFloat`, rounds a decimal to the nearest `f64`.

use crate::value::is_integer;

/// Appends a whole number.
pub fn write_int(n: i64, out: &mut String) {
    if n < 0 {
        out.push('-');
    }
    let mut digits = [0u8; 20];
    let mut len = 0;
    let mut rest = n.unsigned_abs();
    loop {
        if let Some(slot) = digits.get_mut(len) {
            *slot = b'0' + (rest % 10) as u8;
        }
        len += 1;
        rest /= 10;
        if rest == 0 || len >= digits.len() {
            break;
        }
    }
    for d in digits.iter().take(len).rev() {
        out.push(char::from(*d));
    }
}

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

// In the wasm, numbers are written and read by the page's own `Number`:
// `"" + n` (no method a page could replace) and `+text`, which for the JSON
// number grammar checked first reads exactly as `parseFloat`.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen(inline_js = "export function numberText(n) { return '' + n; }
export function numberOf(text) { return +text; }")]
extern "C" {
    #[wasm_bindgen(js_name = numberText)]
    fn number_text(n: f64) -> String;
    #[wasm_bindgen(js_name = numberOf)]
    fn number_of(text: &str) -> f64;
}

#[cfg(target_arch = "wasm32")]
fn write_fraction(n: f64, out: &mut String) {
    out.push_str(&number_text(n));
}

#[cfg(not(target_arch = "wasm32"))]
fn write_fraction(n: f64, out: &mut String) {
    if n.is_nan() {
        out.push_str("NaN");
        return;
    }
    if n < 0.0 {
        out.push('-');
    }
    if n.is_infinite() {
        out.push_str("Infinity");
        return;
    }
    let (digits, e) = shortest_digits(n.abs());
    let k = digits.len() as i64;
    let zeros = |count: i64, out: &mut String| out.extend((0..count).map(|_| '0'));
    if k <= e && e <= 21 {
        out.push_str(&digits);
        zeros(e - k, out);
    } else if 0 < e && e <= 21 {
        let (int, frac) = digits.split_at(e as usize);
        out.push_str(int);
        out.push('.');
        out.push_str(frac);
    } else if -6 < e && e <= 0 {
        out.push_str("0.");
        zeros(-e, out);
        out.push_str(&digits);
    } else {
        let (first, rest) = digits.split_at(1.min(digits.len()));
        out.push_str(first);
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        out.push('e');
        out.push(if e - 1 < 0 { '-' } else { '+' });
        write_int((e - 1).abs(), out);
    }
}

/// The shortest digits `d1…dk` that read back as `x` (finite, positive) and
/// ECMAScript's `n` (`x` is about `0.d1…dk × 10^n`), picked as
/// `Number::toString` picks them: nearest to `x`, and of two as near, the
/// one ending in an even digit. Rust's `{:e}` writes shortest nearest digits
/// but may break that tie the other way (1908979803603221.25 → `…221.3`
/// where JavaScript writes `…221.2`).
#[cfg(not(target_arch = "wasm32"))]
fn shortest_digits(x: f64) -> (String, i64) {
    let split = |sci: &str| -> (String, i64) {
        let (mantissa, exp) = sci.split_once('e').unwrap_or((sci, "0"));
        (mantissa.chars().filter(char::is_ascii_digit).collect(), exp.parse::<i64>().unwrap_or(0) + 1)
    };
    let (digits, e) = split(&format!("{x:e}"));
    let k = digits.len();
    // A tie needs `x` to be exactly k digits and a 5: cheap test first, then
    // the exact expansion (an f64 has at most 767 significant digits).
    let (near, near_e) = split(&format!("{x:.prec$e}", prec = k + 20));
    let tail = near.get(k..).unwrap_or("");
    if near_e != e || !tail.starts_with('5') || tail.bytes().skip(1).any(|b| b != b'0') {
        return (digits, e);
    }
    let (exact, _) = split(&format!("{x:.780e}"));
    if exact.trim_end_matches('0').len() != k + 1 {
        return (digits, e);
    }
    let low = near.get(..k).unwrap_or("");
    let last_even = low.bytes().last().is_some_and(|b| (b - b'0') % 2 == 0);
    let pick = if last_even {
        low.to_owned()
    } else {
        // The upper neighbour (a 9 would carry into a shorter string, which
        // `{:e}` would have found: it does not happen; keep its digits then).
        let mut up = low.as_bytes().to_vec();
        match up.last_mut() {
            Some(b) if *b < b'9' => *b += 1,
            _ => return (digits, e),
        }
        String::from_utf8(up).unwrap_or_default()
    };
    let text = format!("0.{pick}e{e}");
    if text.parse::<f64>().ok() == Some(x) {
        (pick.trim_end_matches('0').to_owned(), e)
    } else {
        (digits, e)
    }
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
    Some(number_of(text))
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

    /// Each pair is a number and what `String(number)` gives in a JavaScript
    /// engine (written by hand from node's output, not from this code).
    #[test]
    // Ties written in full: at 1.9e15 an f64 steps by 0.25, so these literals are exact.
    #[allow(clippy::excessive_precision)]
    fn writes_what_javascript_string_writes() {
        let cases: &[(f64, &str)] = &[
            (1e21, "1e+21"),
            (1e-7, "1e-7"),
            (123e-20, "1.23e-18"),
            (0.1 + 0.2, "0.30000000000000004"),
            (-0.0, "0"),
            (1e20, "100000000000000000000"),
            (5e-324, "5e-324"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (-1.7976931348623157e308, "-1.7976931348623157e+308"),
            (0.000001, "0.000001"),
            (0.0000012345, "0.0000012345"),
            (0.00000012345, "1.2345e-7"),
            (123456789012345680000.0, "123456789012345680000"),
            (-1.5, "-1.5"),
            (1908979803603221.25, "1908979803603221.2"),
            (-1908979803603221.25, "-1908979803603221.2"),
            (1908979803603221.75, "1908979803603221.8"),
            (9007199254740992.0, "9007199254740992"),
            (9007199254740993.5, "9007199254740994"),
            (2.5e-8, "2.5e-8"),
            (1.5e21, "1.5e+21"),
            (-1e21, "-1e+21"),
            (999999999999999900000.0, "999999999999999900000"),
            (1.2345678901234567e-300, "1.2345678901234568e-300"),
            (2.2250738585072014e-308, "2.2250738585072014e-308"),
            (4.35, "4.35"),
            (0.5, "0.5"),
            (100.25, "100.25"),
            (-0.001, "-0.001"),
            (1.7e12 + 0.5, "1700000000000.5"),
            (123.456e10, "1234560000000"),
            (1e16 + 2.0, "10000000000000002"),
            (f64::EPSILON, "2.220446049250313e-16"),
            (f64::MIN_POSITIVE, "2.2250738585072014e-308"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "Infinity"),
            (f64::NEG_INFINITY, "-Infinity"),
        ];
        for &(n, js) in cases {
            assert_eq!(text(n), js, "String({n:e})");
        }
    }

    #[test]
    fn reads_back_what_it_writes() {
        for n in [1e21, 1e-7, 123e-20, 0.1 + 0.2, 5e-324, 1.7976931348623157e308, 0.000001, -1.5, 2.5e-8] {
            assert_eq!(parse_f64(&text(n)), Some(n), "{n:e}");
        }
        assert_eq!(parse_f64("1e+21"), Some(1e21));
        assert_eq!(parse_f64("5e-324"), Some(5e-324));
        assert_eq!(parse_f64("2e-324"), Some(0.0), "rounds to the nearest f64, as parseFloat");
        assert_eq!(parse_f64("1.7976931348623158e308"), Some(f64::MAX));
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

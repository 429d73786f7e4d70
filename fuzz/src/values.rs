//! Values as JavaScript code can pass them to `aa()` (the [`Value`] the
//! browser boundary builds), generated from the fuzzer's bytes. Keys, strings
//! and numbers are mostly picked from what the library and the API care
//! about, so that the fuzzer reaches deep paths quickly, and otherwise raw.

use arbitrary::{Result, Unstructured};
use search_insights_wasm::Value;

/// How deep generated values nest (the browser boundary refuses past 16).
pub const MAX_DEPTH: u32 = 6;

/// The API key every good `init` uses; no message may ever contain it.
pub const SECRET_API_KEY: &str = "fuzzSECRETkey0123456789abcdef";
/// A queryID the API accepts.
pub const QUERY_ID: &str = "43b15df305339e827f0ac0bdc5ebcaa7";

/// Field names of events, options and params, plus a few JavaScript oddities.
pub const KEYS: &[&str] = &[
    "index", "eventName", "objectIDs", "filters", "queryID", "positions", "objectData", "userToken",
    "authenticatedUserToken", "timestamp", "value", "currency", "eventType", "eventSubtype",
    "objectIDsWithInferredQueryID", "price", "discount", "quantity", "appId", "apiKey", "useCookie",
    "cookieDuration", "region", "host", "partial", "userHasOptedOut", "anonymousUserToken", "flushDelay",
    "maxRetries", "maxEventAge", "requestTimeout", "headers", "inferQueryID", "X-Algolia-Application-Id",
    "X-Algolia-API-Key", "X-Algolia-Agent", "immediate", "length", "__proto__", "constructor", "message",
    "",
];

/// Strings with a meaning somewhere: tokens, queryIDs, filters, currencies,
/// regions, hosts, and strings that must never reach a cookie or a URL raw.
pub const STRINGS: &[&str] = &[
    "", "i", "products", "Product Clicked", "user-1", "anonymous-0f8fad5b-d9cb-469f-a165-70867728950e",
    "anonymous-", "anonymous-x;path=/", QUERY_ID, "43B15DF305339E827F0AC0BDC5EBCAA7", "abc", "brand:apple",
    "brand:", ":x", " :x", "a:b:c", "brand%3Aapple", "USD", "usd", "EU", "EURO", "19.99", " 5 ", "1e3",
    "1e999", "12345678901234567", "NaN", "Infinity", "-0", "click", "conversion", "view", "hover",
    "addToCart", "purchase", "instantsearch", "us", "de", "eu", "https://insights.algolia.io",
    "http://127.0.0.1:9/", "http://h?x", "https://h#x", "ftp://x", "a;b", "tok;path=/;domain=evil.com",
    "a\nb", "a\r\nSet-Cookie: x=1", "_ALGOLIA=x", "a=b", "a b", "é", "😀", "\u{0}", "\u{7f}", "\"", "\\",
    "</script>", "%", "%zz", "+/=_-", "fuzz-app", SECRET_API_KEY,
];

/// Numbers at the edges of the rules: zero, one, fractions, limits, huge,
/// non-finite, timestamps around the fuzz clock.
pub const NUMBERS: &[f64] = &[
    0.0, -0.0, 1.0, -1.0, 0.5, 1.5, 2.0, 19.99, 20.0, 21.0, 40.0, 64.0, 65.0, 129.0, 130.0, 1000.0, 1001.0,
    5000.0, 60_000.0, 60_001.0, 86_400_000.0, 345_600_000.0, 2_147_483_647.0, 2_147_483_648.0, 3e9,
    9_007_199_254_740_992.0, 1e21, -1e21, 1.7e12, 1.7e12 + 3_600_001.0, 1.7e12 - 345_600_001.0, 8.64e15,
    -8.64e15, 1e300, f64::MAX, f64::MIN_POSITIVE, f64::EPSILON, f64::NAN, f64::INFINITY, f64::NEG_INFINITY,
];

/// A string: mostly a known one, sometimes raw bytes, or a long repetition
/// (up to 200 000 characters: the browser matrix passes 100 KB strings).
pub fn string(u: &mut Unstructured) -> Result<String> {
    Ok(match u.int_in_range(0..=63u8)? {
        0..=39 => u.choose(STRINGS)?.to_string(),
        40..=54 => u.arbitrary::<String>()?,
        55..=61 => {
            let unit = u.choose(STRINGS)?;
            let count = usize::from(u.arbitrary::<u8>()?);
            unit.repeat(count)
        }
        _ => {
            let unit = u.choose(&["x", "a;", "é", "ab"])?;
            let count = u.int_in_range(0..=200_000usize)?;
            unit.repeat(count)
        }
    })
}

/// A key: mostly a field name the library reads.
pub fn key(u: &mut Unstructured) -> Result<String> {
    if u.ratio(1, 8)? {
        u.arbitrary::<String>()
    } else {
        Ok(u.choose(KEYS)?.to_string())
    }
}

/// A number: mostly one at an edge, sometimes any `f64`, or a small integer.
pub fn number(u: &mut Unstructured) -> Result<f64> {
    Ok(match u.int_in_range(0..=3u8)? {
        0 | 1 => *u.choose(NUMBERS)?,
        2 => f64::from(u.int_in_range(-3..=100i32)?),
        _ => u.arbitrary::<f64>()?,
    })
}

/// Any value, nesting at most [`MAX_DEPTH`] levels below `depth`.
pub fn value(u: &mut Unstructured, depth: u32) -> Result<Value> {
    let last = if depth >= MAX_DEPTH { 6 } else { 9 };
    Ok(match u.int_in_range(0..=last)? {
        0 => Value::Undefined,
        1 => Value::Null,
        2 => Value::Bool(u.arbitrary()?),
        3 => Value::Number(number(u)?),
        4 | 5 => Value::String(string(u)?),
        6 => Value::Opaque(u.choose(&["function", "symbol", "bigint"])?),
        7 => Value::Array(list(u, depth)?),
        _ => Value::Object(entries(u, depth)?),
    })
}

/// Up to 8 items, or (rarely) a long array of strings.
pub fn list(u: &mut Unstructured, depth: u32) -> Result<Vec<Value>> {
    if u.ratio(1, 64)? {
        let count = u.int_in_range(0..=5000usize)?;
        return Ok((0..count).map(|i| Value::String(i.to_string())).collect());
    }
    let len = u.int_in_range(0..=8usize)?;
    (0..len).map(|_| value(u, depth + 1)).collect()
}

/// Up to 8 entries.
pub fn entries(u: &mut Unstructured, depth: u32) -> Result<Vec<(String, Value)>> {
    let len = u.int_in_range(0..=8usize)?;
    (0..len).map(|_| Ok((key(u)?, value(u, depth + 1)?))).collect()
}

/// Sets `key` to `value` in an object value (replacing it), or removes it.
pub fn set_field(object: &mut Value, key: &str, value: Option<Value>) {
    if let Value::Object(entries) = object {
        entries.retain(|(k, _)| k != key);
        if let Some(value) = value {
            entries.push((key.to_owned(), value));
        }
    }
}

/// A few changes to an object: fields replaced by any value, or removed.
pub fn mutate(u: &mut Unstructured, object: &mut Value) -> Result<()> {
    let changes = u.int_in_range(0..=3u8)?;
    for _ in 0..changes {
        let key = key(u)?;
        let new = if u.ratio(1, 4)? { None } else { Some(value(u, 2)?) };
        set_field(object, &key, new);
    }
    Ok(())
}

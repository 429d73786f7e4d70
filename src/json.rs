//! A small JSON writer and reader for [`Value`].
//!
//! The writer follows `JSON.stringify`: `undefined` and opaque values are left
//! out of objects and become `null` in arrays, non-finite numbers become `null`.
//! The reader is used only for what this library stored itself in
//! `localStorage`; it never panics and refuses deep nesting.

use crate::value::Value;

/// How deep the reader descends before giving up.
const MAX_DEPTH: usize = 64;

/// Appends the JSON text of `value` to `out`.
pub fn write(value: &Value, out: &mut String) {
    match value {
        Value::Undefined | Value::Null | Value::Opaque(_) => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => write_number(*n, out),
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(item, out);
            }
            out.push(']');
        }
        Value::Object(entries) => {
            out.push('{');
            let mut first = true;
            for (key, item) in entries {
                if matches!(item, Value::Undefined | Value::Opaque(_)) {
                    continue;
                }
                if !first {
                    out.push(',');
                }
                first = false;
                write_string(key, out);
                out.push(':');
                write(item, out);
            }
            out.push('}');
        }
    }
}

/// The JSON text of `value`.
pub fn to_string(value: &Value) -> String {
    let mut out = String::new();
    write(value, &mut out);
    out
}

/// Appends a number as JSON (`null` when not finite).
pub fn write_number(n: f64, out: &mut String) {
    if n.is_finite() {
        crate::number::write_f64(n, out);
    } else {
        out.push_str("null");
    }
}

/// Appends a quoted, escaped JSON string. Runs of characters that need no
/// escape are copied whole (event fields can be 100 KB strings).
pub fn write_string(s: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.reserve(s.len() + 2);
    out.push('"');
    let mut rest = s;
    while let Some(i) = rest.bytes().position(|b| b < 0x20 || b == b'"' || b == b'\\') {
        // `i` is an ASCII byte, so always a character boundary.
        let Some((plain, tail)) = rest.split_at_checked(i) else { break };
        out.push_str(plain);
        let mut chars = tail.chars();
        match chars.next() {
            Some('"') => out.push_str("\\\""),
            Some('\\') => out.push_str("\\\\"),
            Some('\n') => out.push_str("\\n"),
            Some('\r') => out.push_str("\\r"),
            Some('\t') => out.push_str("\\t"),
            Some('\u{08}') => out.push_str("\\b"),
            Some('\u{0c}') => out.push_str("\\f"),
            Some(c) => {
                let b = c as usize;
                out.push_str("\\u00");
                out.push(char::from(HEX.get(b >> 4).copied().unwrap_or(b'0')));
                out.push(char::from(HEX.get(b & 15).copied().unwrap_or(b'0')));
            }
            None => {}
        }
        rest = chars.as_str();
    }
    out.push_str(rest);
    out.push('"');
}

/// Parses JSON text; `None` when it is not valid JSON (or nests too deep).
pub fn parse(text: &str) -> Option<Value> {
    let mut reader = Reader { bytes: text.as_bytes(), pos: 0 };
    let value = reader.value(0)?;
    reader.skip_ws();
    (reader.pos == reader.bytes.len()).then_some(value)
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.pos += 1;
        Some(b)
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            self.pos += 1;
        }
    }

    fn literal(&mut self, word: &[u8], value: Value) -> Option<Value> {
        let end = self.pos.checked_add(word.len())?;
        if self.bytes.get(self.pos..end)? == word {
            self.pos = end;
            Some(value)
        } else {
            None
        }
    }

    fn value(&mut self, depth: usize) -> Option<Value> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.skip_ws();
        match self.peek()? {
            b'n' => self.literal(b"null", Value::Null),
            b't' => self.literal(b"true", Value::Bool(true)),
            b'f' => self.literal(b"false", Value::Bool(false)),
            b'"' => self.string().map(Value::String),
            b'[' => {
                self.pos += 1;
                let mut items = Vec::new();
                self.skip_ws();
                if self.peek() == Some(b']') {
                    self.pos += 1;
                    return Some(Value::Array(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    self.skip_ws();
                    match self.next()? {
                        b',' => continue,
                        b']' => return Some(Value::Array(items)),
                        _ => return None,
                    }
                }
            }
            b'{' => {
                self.pos += 1;
                let mut entries = Vec::new();
                self.skip_ws();
                if self.peek() == Some(b'}') {
                    self.pos += 1;
                    return Some(Value::Object(entries));
                }
                loop {
                    self.skip_ws();
                    if self.peek() != Some(b'"') {
                        return None;
                    }
                    let key = self.string()?;
                    self.skip_ws();
                    if self.next()? != b':' {
                        return None;
                    }
                    let item = self.value(depth + 1)?;
                    // Duplicated keys are all kept; `Value::get` reads the last
                    // one, as JSON.parse does. (Removing them here would cost
                    // O(n²) on the 5000-key query-ID cache.)
                    entries.push((key, item));
                    self.skip_ws();
                    match self.next()? {
                        b',' => continue,
                        b'}' => return Some(Value::Object(entries)),
                        _ => return None,
                    }
                }
            }
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn number(&mut self) -> Option<Value> {
        let start = self.pos;
        while matches!(self.peek(), Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')) {
            self.pos += 1;
        }
        let text = std::str::from_utf8(self.bytes.get(start..self.pos)?).ok()?;
        crate::number::parse_f64(text).map(Value::Number)
    }

    fn hex4(&mut self) -> Option<u32> {
        let mut code = 0;
        for _ in 0..4 {
            let digit = char::from(self.next()?).to_digit(16)?;
            code = code * 16 + digit;
        }
        Some(code)
    }

    fn string(&mut self) -> Option<String> {
        self.pos += 1; // opening quote
        let mut out = String::new();
        loop {
            let start = self.pos;
            while !matches!(self.peek()?, b'"' | b'\\') {
                if self.peek()? < 0x20 {
                    return None;
                }
                self.pos += 1;
            }
            out.push_str(std::str::from_utf8(self.bytes.get(start..self.pos)?).ok()?);
            if self.next()? == b'"' {
                return Some(out);
            }
            let escaped = match self.next()? {
                b'"' => '"',
                b'\\' => '\\',
                b'/' => '/',
                b'b' => '\u{08}',
                b'f' => '\u{0c}',
                b'n' => '\n',
                b'r' => '\r',
                b't' => '\t',
                b'u' => {
                    let high = self.hex4()?;
                    let code = if (0xD800..0xDC00).contains(&high) {
                        if self.next()? != b'\\' || self.next()? != b'u' {
                            return None;
                        }
                        let low = self.hex4()?;
                        if !(0xDC00..0xE000).contains(&low) {
                            return None;
                        }
                        0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                    } else {
                        high
                    };
                    char::from_u32(code)?
                }
                _ => return None,
            };
            out.push(escaped);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::number::write_int;

    #[test]
    fn writes_like_json_stringify() {
        let v = Value::object([
            ("s", Value::str("a\"b\\c\nd\u{1}")),
            ("skip", Value::Undefined),
            ("f", Value::Opaque("function")),
            ("n", Value::Number(19.99)),
            ("i", Value::Number(-42.0)),
            ("big", Value::Number(1_700_000_000_123.0)),
            ("nan", Value::Number(f64::NAN)),
            ("arr", Value::Array(vec![Value::Undefined, Value::Bool(true), Value::Null])),
        ]);
        assert_eq!(
            to_string(&v),
            r#"{"s":"a\"b\\c\nd\u0001","n":19.99,"i":-42,"big":1700000000123,"nan":null,"arr":[null,true,null]}"#
        );
    }

    #[test]
    fn writes_strings_like_json_stringify() {
        // JSON.stringify's output, written by hand: the short escapes, \u00XX for
        // the other control characters, everything else (DEL, non-ASCII, emoji,
        // U+2028) as is.
        let cases: &[(&str, &str)] = &[
            ("", r#""""#),
            ("plain", r#""plain""#),
            ("a\"b", r#""a\"b""#),
            ("a\\b", r#""a\\b""#),
            ("a/b", r#""a/b""#),
            ("\u{8}\u{c}\n\r\t", r#""\b\f\n\r\t""#),
            ("\u{0}\u{1}\u{1f}", r#""\u0000\u0001\u001f""#),
            ("\u{b}\u{1a}", r#""\u000b\u001a""#),
            ("\u{7f} \u{20}", "\"\u{7f}  \""),
            ("café €😀\u{2028}", "\"café €😀\u{2028}\""),
            ("x\"\"\\\n", r#""x\"\"\\\n""#),
        ];
        for (input, expected) in cases {
            let mut out = String::new();
            write_string(input, &mut out);
            assert_eq!(out, *expected, "{input:?}");
        }
    }

    #[test]
    fn writes_whole_numbers() {
        let cases: &[(i64, &str)] = &[(0, "0"), (7, "7"), (-7, "-7"), (10, "10"), (1_700_000_000_123, "1700000000123"), (i64::MIN, "-9223372036854775808"), (i64::MAX, "9223372036854775807")];
        for (n, expected) in cases {
            let mut out = String::from("x");
            write_int(*n, &mut out);
            assert_eq!(out, format!("x{expected}"));
        }
    }

    fn s(text: &str) -> Value {
        Value::String(text.to_owned())
    }

    fn n(x: f64) -> Value {
        Value::Number(x)
    }

    fn obj(entries: Vec<(&str, Value)>) -> Value {
        Value::Object(entries.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
    }

    #[test]
    fn reads_hand_written_documents() {
        let text = r#"{"a":[1,2.5,"x\u00e9\ud83d\ude00",{"b":null}],"c":false,"d":true,"e":{},"f":[]}"#;
        let expected = obj(vec![
            ("a", Value::Array(vec![n(1.0), n(2.5), s("x\u{e9}\u{1F600}"), obj(vec![("b", Value::Null)])])),
            ("c", Value::Bool(false)),
            ("d", Value::Bool(true)),
            ("e", obj(vec![])),
            ("f", Value::Array(vec![])),
        ]);
        assert_eq!(parse(text), Some(expected));
        // Nested three deep, keys kept in their order.
        let nested = r#"{"z":{"y":[[{"x":"deep"}]]},"a":0}"#;
        let expected = obj(vec![("z", obj(vec![("y", Value::Array(vec![Value::Array(vec![obj(vec![("x", s("deep"))])])]))])), ("a", n(0.0))]);
        assert_eq!(parse(nested), Some(expected));
        // An insights request body as the API receives it.
        let body = r#"{"events":[{"eventType":"click","eventName":"Product Clicked","index":"products","userToken":"user-1","timestamp":1700000000000,"objectIDs":["sku-1","sku-2"],"positions":[1,2],"queryID":"0123456789abcdef0123456789abcdef"}]}"#;
        let event = obj(vec![
            ("eventType", s("click")),
            ("eventName", s("Product Clicked")),
            ("index", s("products")),
            ("userToken", s("user-1")),
            ("timestamp", n(1_700_000_000_000.0)),
            ("objectIDs", Value::Array(vec![s("sku-1"), s("sku-2")])),
            ("positions", Value::Array(vec![n(1.0), n(2.0)])),
            ("queryID", s("0123456789abcdef0123456789abcdef")),
        ]);
        assert_eq!(parse(body), Some(obj(vec![("events", Value::Array(vec![event]))])));
    }

    #[test]
    fn reads_every_escape() {
        let cases: &[(&str, &str)] = &[
            (r#""\"""#, "\""),
            (r#""\\""#, "\\"),
            (r#""\/""#, "/"),
            (r#""a\/b""#, "a/b"),
            (r#""\b\f\n\r\t""#, "\u{8}\u{c}\n\r\t"),
            (r#""\u0041\u0062""#, "Ab"),
            (r#""\u0000""#, "\u{0}"),
            (r#""\u001f""#, "\u{1f}"),
            (r#""caf\u00e9""#, "café"),
            (r#""caf\u00E9""#, "café"),
            (r#""\u20ac 5""#, "€ 5"),
            (r#""\uffff""#, "\u{ffff}"),
            // Surrogate pairs: U+1F600 and U+10000, U+10FFFF at the edges.
            (r#""\ud83d\ude00""#, "😀"),
            (r#""\uD83D\uDE00""#, "😀"),
            (r#""\ud800\udc00""#, "\u{10000}"),
            (r#""\udbff\udfff""#, "\u{10ffff}"),
            (r#""a\ud83d\ude00b""#, "a😀b"),
            // Raw UTF-8 passes through untouched.
            ("\"é😀€\"", "é😀€"),
            (r#""""#, ""),
        ];
        for (text, expected) in cases {
            assert_eq!(parse(text), Some(s(expected)), "{text}");
        }
    }

    #[test]
    fn reads_numbers_by_the_json_grammar() {
        let cases: &[(&str, f64)] = &[
            ("0", 0.0),
            ("-0", -0.0),
            ("7", 7.0),
            ("-12.25", -12.25),
            ("19.99", 19.99),
            ("1.5e3", 1500.0),
            ("1.5E3", 1500.0),
            ("2e+2", 200.0),
            ("25e-2", 0.25),
            ("1E-2", 0.01),
            ("1700000000123", 1_700_000_000_123.0),
            ("9007199254740993", 9_007_199_254_740_992.0),
        ];
        for (text, expected) in cases {
            let Some(Value::Number(got)) = parse(text) else { panic!("{text} is a number") };
            assert_eq!(got.to_bits(), expected.to_bits(), "{text}");
        }
        for bad in ["01", "-", "+1", ".5", "1.", "1.e2", "1e", "1e+", "--1", "0x10", "1_000", "Infinity", "NaN", "-Infinity"] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn whitespace_around_tokens_is_allowed() {
        let text = " \t\r\n{ \"a\" :\t[ 1 ,\n2 ] ,\r\n\"b\"\n:\ttrue } \n";
        assert_eq!(parse(text), Some(obj(vec![("a", Value::Array(vec![n(1.0), n(2.0)])), ("b", Value::Bool(true))])));
        assert_eq!(parse("  \"x\"  "), Some(s("x")));
        assert_eq!(parse("[ ]"), Some(Value::Array(vec![])));
        assert_eq!(parse("{ }"), Some(obj(vec![])));
        // Only JSON's four whitespace characters.
        for bad in ["\u{0b}1", "1\u{0c}", "\u{a0}1", "[1,\u{2028}2]"] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn refuses_broken_strings() {
        for bad in [
            r#""\ud800""#,          // a lone high surrogate
            r#""\ud800x""#,         // high surrogate, then a plain character
            r#""\ud800\n""#,        // high surrogate, then another escape
            r#""\ud800\u0041""#,    // high surrogate, then no low one
            r#""\ud800\ud800""#,    // two high surrogates
            r#""\ud800\ue000""#,    // high surrogate, then the first character after the low ones
            r#""\ud800\udbff""#,    // high surrogate, then the last high one
            r#""\udc00""#,          // a lone low surrogate
            r#""\ude00\ud83d""#,    // a pair in the wrong order
            r#""\u12""#,            // too few hex digits
            r#""\u12g4""#,          // not hex
            r#""\x41""#,            // not a JSON escape
            r#""\'""#,              // not a JSON escape either
            r#""\""#,               // escape at the end
            "\"a\nb\"",             // raw control characters must be escaped
            "\"a\tb\"",
            "\"\u{1}\"",
            "'single'",
            r#"{a:1}"#,              // unquoted key
            r#"{1:1}"#,
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn rejects_garbage_without_panicking() {
        for bad in [
            "", " ", "{", "}", "[", "[1,", "[1,]", "[,1]", "[1 2]", "{\"a\"}", "{\"a\":}", "{\"a\" 1}", "{\"a\":1,}", "{,}",
            "nul", "nulls", "True", "tru", "\"abc", "[1]x", "1 2", "{}{}", "\"\\ud800\"", "1e999", "-1e999", "\"\\u12\"",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
        let deep = "[".repeat(100) + &"]".repeat(100);
        assert_eq!(parse(&deep), None);
        // 64 levels are read (a stored outbox nests 4).
        let mut nested = Value::Array(vec![]);
        for _ in 1..64 {
            nested = Value::Array(vec![nested]);
        }
        assert_eq!(parse(&("[".repeat(64) + &"]".repeat(64))), Some(nested));
    }

    #[test]
    fn last_duplicate_key_wins() {
        let v = parse(r#"{"a":1,"a":2}"#).expect("valid");
        assert_eq!(v.field("a"), &Value::Number(2.0));
    }
}

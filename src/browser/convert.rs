//! JavaScript arguments to [`Value`], defensively: getters that throw,
//! proxies (revoked ones included), cycles and huge objects become errors,
//! never panics, and no JavaScript exception ever crosses the wasm frames.
//!
//! Every JavaScript operation here that can run page code (a getter, a Proxy
//! trap) goes through an import declared `catch`: an exception thrown through
//! a plain import would unwind past Rust without running its destructors,
//! leaving borrows held and the wasm stack pointer moved.

use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

use super::js;

use crate::value::Value;

/// How deep arguments may nest (events nest 3 levels: event → objectData → item).
const MAX_DEPTH: usize = 16;
/// How deep parsed JSON may nest (as the crate's own reader allows).
const MAX_JSON_DEPTH: usize = 64;
/// How many values one argument may hold in all.
const MAX_NODES: usize = 200_000;

#[wasm_bindgen]
extern "C" {
    /// `Array.isArray`, which throws for a revoked Proxy.
    #[wasm_bindgen(catch, js_namespace = Array, js_name = isArray)]
    fn is_array(value: &JsValue) -> Result<bool, JsValue>;
}

#[wasm_bindgen(inline_js = "export function hasLoneSurrogate(s) { return /[\\uD800-\\uDFFF]/u.test(s); }
export function kindOf(v) {
  if (v === undefined) return 0;
  if (v === null) return 1;
  switch (typeof v) {
    case 'boolean': return 2;
    case 'number': return 3;
    case 'string': return 4;
    case 'function': return 5;
    case 'symbol': return 6;
    case 'bigint': return 7;
    case 'object': return 8;
  }
  return 9;
}")]
extern "C" {
    /// What `value` is, in one call (each `JsValue::is_…` is a call of its
    /// own): 0 undefined, 1 null, 2 boolean, 3 number, 4 string, 5 function,
    /// 6 symbol, 7 bigint, 8 object, 9 anything else (`document.all`).
    /// Runs no page code.
    #[wasm_bindgen(js_name = kindOf)]
    fn kind_of(value: &JsValue) -> u8;

    /// Whether the JavaScript string `text` holds a lone surrogate (with the
    /// `u` flag a surrogate pair is one code point, which the class does not
    /// match). `catch`: `test` calls `RegExp.prototype.exec`, which a page
    /// could replace.
    #[wasm_bindgen(catch, js_name = hasLoneSurrogate)]
    fn has_lone_surrogate(text: &JsValue) -> Result<bool, JsValue>;
}

/// What `read` says of a string that is not valid Unicode.
const LONE_SURROGATE: &str = "holds a lone UTF-16 surrogate (U+D800 to U+DFFF without its pair), which is not valid Unicode";
const TOO_LARGE: &str = "is too large (more than 200000 values)";

/// Whether the JavaScript string `js` holds a lone surrogate. Decoding it to
/// UTF-8 would turn each into U+FFFD, so that "a\uD800b" and "a\uFFFDb"
/// became the same objectID. (On a page whose `RegExp` throws, strings are
/// taken as they decode.)
fn lone_surrogate(js: &JsValue) -> bool {
    has_lone_surrogate(js).unwrap_or(false)
}

/// Why an argument could not be read.
pub struct ConvertError {
    /// Where, e.g. `arguments[0].objectIDs[3]`.
    pub path: String,
    /// What went wrong.
    pub problem: String,
}

/// The items of the arguments array `args` (whatever the page passed as
/// it: a non-array, or an array whose items throw, gives what could be read).
pub fn arguments(args: &JsValue) -> Vec<JsValue> {
    if !is_array(args).unwrap_or(false) {
        return Vec::new();
    }
    let length = js::get(args, &JsValue::from_str("length")).ok().and_then(|n| n.as_f64()).unwrap_or(0.0);
    // At most 64 arguments: no `aa()` method reads more than a few.
    let length = if length.is_finite() && length > 0.0 { length.min(64.0) as u32 } else { 0 };
    (0..length).map(|i| js::get_index(args, i).unwrap_or(JsValue::UNDEFINED)).collect()
}

/// Reads argument `i` into a [`Value`].
pub fn argument(js: &JsValue, i: usize) -> Result<Value, ConvertError> {
    let mut budget = MAX_NODES;
    let mut path = crate::text!("arguments[", i, "]");
    read(js, MAX_DEPTH, &mut budget, &mut path)
}

/// What `JSON.parse` returned (`undefined` when the text was not JSON), as
/// [`crate::json::parse`] reads it: `None` for a number out of range (which
/// `JSON.parse` makes `Infinity`), a lone surrogate or nesting deeper than
/// 64 levels.
pub fn parsed_json(js: &JsValue) -> Option<Value> {
    if js.is_undefined() {
        return None;
    }
    let mut budget = usize::MAX;
    let value = read(js, MAX_JSON_DEPTH, &mut budget, &mut String::new()).ok()?;
    (!has_infinity(&value)).then_some(value)
}

fn has_infinity(value: &Value) -> bool {
    match value {
        Value::Number(n) => n.is_infinite(),
        Value::Array(items) => items.iter().any(has_infinity),
        Value::Object(entries) => entries.iter().any(|(_, v)| has_infinity(v)),
        _ => false,
    }
}

fn fail(path: &str, problem: impl Into<String>) -> ConvertError {
    ConvertError { path: path.to_owned(), problem: problem.into() }
}

/// `levels`: how many more levels of arrays and objects may be entered.
fn read(js: &JsValue, levels: usize, budget: &mut usize, path: &mut String) -> Result<Value, ConvertError> {
    *budget = budget.checked_sub(1).ok_or_else(|| fail(path, TOO_LARGE))?;
    match kind_of(js) {
        0 => return Ok(Value::Undefined),
        1 => return Ok(Value::Null),
        2 => return Ok(Value::Bool(js.is_truthy())),
        3 => return Ok(Value::Number(js.as_f64().unwrap_or(f64::NAN))),
        4 => {
            if lone_surrogate(js) {
                return Err(fail(path, LONE_SURROGATE));
            }
            return Ok(Value::String(js.as_string().unwrap_or_default()));
        }
        5 => return Ok(Value::Opaque("function")),
        6 => return Ok(Value::Opaque("symbol")),
        7 => return Ok(Value::Opaque("bigint")),
        8 => {}
        _ => return Ok(Value::Opaque("unknown")),
    }
    let Some(levels) = levels.checked_sub(1) else {
        return Err(fail(path, "nests too deep (or refers to itself)"));
    };
    let mark = path.len();
    if is_array(js).map_err(|e| fail(path, threw(&e)))? {
        // Read through Reflect (which catches) so that a Proxy cannot throw past us.
        let length = js::get(js, &JsValue::from_str("length")).map_err(|e| fail(path, threw(&e)))?;
        let length = length.as_f64().unwrap_or(0.0);
        if length.is_nan() || length > *budget as f64 {
            return Err(fail(path, TOO_LARGE));
        }
        let length = if length > 0.0 { length as u32 } else { 0 };
        let mut items = Vec::with_capacity(length.min(1024) as usize);
        for i in 0..length {
            let item = js::get_index(js, i).map_err(|e| fail(path, threw(&e)))?;
            path.push('[');
            crate::number::write_int(i64::from(i), path);
            path.push(']');
            items.push(read(&item, levels, budget, path)?);
            path.truncate(mark);
        }
        return Ok(Value::Array(items));
    }
    let keys = js::own_keys(js).map_err(|e| fail(path, threw(&e)))?;
    // Refused by its number of keys before any of them is read: walking a
    // million keys one by one would block the page for seconds.
    if keys.length() as usize > *budget {
        return Err(fail(path, TOO_LARGE));
    }
    let mut entries = Vec::new();
    for i in 0..keys.length() {
        let key = keys.get(i);
        let Some(name) = key.as_string() else { continue };
        // Only enumerable own properties, as Object.keys and the spread operator see them.
        let descriptor = js::own_property_descriptor(js, &key).map_err(|e| fail(path, threw(&e)))?;
        let enumerable = js::get(&descriptor, &JsValue::from_str("enumerable")).ok().and_then(|v| v.as_bool());
        if enumerable != Some(true) {
            continue;
        }
        path.push('.');
        path.push_str(&name);
        if lone_surrogate(&key) {
            return Err(fail(path, LONE_SURROGATE));
        }
        let item = js::get(js, &key).map_err(|e| fail(path, threw(&e)))?;
        let value = read(&item, levels, budget, path)?;
        path.truncate(mark);
        entries.push((name, value));
    }
    Ok(Value::Object(entries))
}

fn threw(error: &JsValue) -> String {
    let mut quoted = String::new();
    crate::json::write_string(&thrown_message(error), &mut quoted);
    crate::text!("could not be read (it threw ", quoted, ")")
}

/// What an exception thrown by page code says, read without running more
/// page code that could throw: a string, or the `message` property of an
/// object (through `Reflect`, which catches).
pub fn thrown_message(error: &JsValue) -> String {
    error
        .as_string()
        .or_else(|| {
            if error.is_object() && !error.is_function() {
                js::get(error, &JsValue::from_str("message")).ok().and_then(|m| m.as_string())
            } else {
                None
            }
        })
        .unwrap_or_default()
}

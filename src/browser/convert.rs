//! JavaScript arguments to [`Value`], defensively: getters that throw,
//! proxies, cycles and huge objects become errors, never panics.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use crate::value::Value;

/// How deep arguments may nest (events nest 3 levels: event → objectData → item).
const MAX_DEPTH: usize = 16;
/// How many values one argument may hold in all.
const MAX_NODES: usize = 200_000;

/// Why an argument could not be read.
pub struct ConvertError {
    /// Where, e.g. `arguments[0].objectIDs[3]`.
    pub path: String,
    /// What went wrong.
    pub problem: String,
}

/// Reads argument `i` into a [`Value`].
pub fn argument(js: &JsValue, i: usize) -> Result<Value, ConvertError> {
    let mut budget = MAX_NODES;
    let mut path = format!("arguments[{i}]");
    read(js, 0, &mut budget, &mut path)
}

fn fail(path: &str, problem: impl Into<String>) -> ConvertError {
    ConvertError { path: path.to_owned(), problem: problem.into() }
}

fn read(js: &JsValue, depth: usize, budget: &mut usize, path: &mut String) -> Result<Value, ConvertError> {
    *budget = budget.checked_sub(1).ok_or_else(|| fail(path, "is too large (more than 200000 values)"))?;
    if js.is_undefined() {
        return Ok(Value::Undefined);
    }
    if js.is_null() {
        return Ok(Value::Null);
    }
    if let Some(b) = js.as_bool() {
        return Ok(Value::Bool(b));
    }
    if let Some(n) = js.as_f64() {
        return Ok(Value::Number(n));
    }
    if let Some(s) = js.as_string() {
        return Ok(Value::String(s));
    }
    if js.is_function() {
        return Ok(Value::Opaque("function"));
    }
    if js.is_symbol() {
        return Ok(Value::Opaque("symbol"));
    }
    if js.is_bigint() {
        return Ok(Value::Opaque("bigint"));
    }
    if !js.is_object() {
        return Ok(Value::Opaque("unknown"));
    }
    if depth >= MAX_DEPTH {
        return Err(fail(path, "nests too deep (or refers to itself)"));
    }
    let mark = path.len();
    if Array::is_array(js) {
        // Read through Reflect (which catches) so that a Proxy cannot throw past us.
        let length = Reflect::get(js, &JsValue::from_str("length")).map_err(|e| fail(path, threw(&e)))?;
        let length = length.as_f64().filter(|n| *n >= 0.0 && *n <= MAX_NODES as f64).unwrap_or(0.0) as u32;
        let mut items = Vec::with_capacity(length.min(1024) as usize);
        for i in 0..length {
            let item = Reflect::get_u32(js, i).map_err(|e| fail(path, threw(&e)))?;
            path.push('[');
            crate::json::write_int(i64::from(i), path);
            path.push(']');
            items.push(read(&item, depth + 1, budget, path)?);
            path.truncate(mark);
        }
        return Ok(Value::Array(items));
    }
    let object: &Object = js.unchecked_ref();
    let keys = Reflect::own_keys(object).map_err(|e| fail(path, threw(&e)))?;
    let mut entries = Vec::new();
    for key in keys.iter() {
        let Some(name) = key.as_string() else { continue };
        // Only enumerable own properties, as Object.keys and the spread operator see them.
        let descriptor = Reflect::get_own_property_descriptor(object, &key).map_err(|e| fail(path, threw(&e)))?;
        let enumerable = Reflect::get(&descriptor, &JsValue::from_str("enumerable")).ok().and_then(|v| v.as_bool());
        if enumerable != Some(true) {
            continue;
        }
        path.push('.');
        path.push_str(&name);
        let item = Reflect::get(js, &key).map_err(|e| fail(path, threw(&e)))?;
        let value = read(&item, depth + 1, budget, path)?;
        path.truncate(mark);
        entries.push((name, value));
    }
    Ok(Value::Object(entries))
}

fn threw(error: &JsValue) -> String {
    let message = error
        .dyn_ref::<js_sys::Error>()
        .and_then(|e| e.message().as_string())
        .or_else(|| error.as_string())
        .unwrap_or_default();
    format!("could not be read (it threw {message:?})")
}

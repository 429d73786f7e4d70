//! The JavaScript built-ins the boundary calls, declared here rather than
//! taken from js-sys and web-sys. Linking js-sys brings the closure shims of
//! every js-sys method that takes a callback (typed arrays' `forEach`,
//! `Array.prototype.find`, …: 50 shims, 5 KB before wasm-opt) into the
//! module's function table, used or not, and web-sys depends on js-sys
//! (measured in docs/size.md). The page's own objects (`document.cookie`,
//! `localStorage`, `location`) are read by `page.js`.
//!
//! Every call that can run page code (a getter, a Proxy trap, a callback) is
//! declared `catch`, as `convert.rs` explains.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// A function of any realm (told by `typeof`, as js-sys does, so that a
    /// function from an iframe is one too).
    #[wasm_bindgen(is_type_of = JsValue::is_function, typescript_type = "Function")]
    #[derive(Clone)]
    pub type Function;
    /// `f.call(this_arg, a)`.
    #[wasm_bindgen(method, catch, js_name = call)]
    pub fn call1(this: &Function, this_arg: &JsValue, a: &JsValue) -> Result<JsValue, JsValue>;
    /// `f.call(this_arg, a, b)`.
    #[wasm_bindgen(method, catch, js_name = call)]
    pub fn call2(this: &Function, this_arg: &JsValue, a: &JsValue, b: &JsValue) -> Result<JsValue, JsValue>;

    /// An array made by the engine (`Reflect.ownKeys`' answer): reading its
    /// length and items runs no page code.
    #[wasm_bindgen(typescript_type = "any[]")]
    pub type Array;
    #[wasm_bindgen(method, getter, structural)]
    pub fn length(this: &Array) -> u32;
    #[wasm_bindgen(method, structural, indexing_getter)]
    pub fn get(this: &Array, index: u32) -> JsValue;

    /// `Reflect.get(target, key)`.
    #[wasm_bindgen(catch, js_namespace = Reflect, js_name = get)]
    pub fn get(target: &JsValue, key: &JsValue) -> Result<JsValue, JsValue>;
    /// `Reflect.get(target, index)`.
    #[wasm_bindgen(catch, js_namespace = Reflect, js_name = get)]
    pub fn get_index(target: &JsValue, index: u32) -> Result<JsValue, JsValue>;
    /// `Reflect.set(target, key, value)`.
    #[wasm_bindgen(catch, js_namespace = Reflect, js_name = set)]
    pub fn set(target: &JsValue, key: &JsValue, value: &JsValue) -> Result<bool, JsValue>;
    /// `Reflect.getOwnPropertyDescriptor(target, key)`.
    #[wasm_bindgen(catch, js_namespace = Reflect, js_name = getOwnPropertyDescriptor)]
    pub fn own_property_descriptor(target: &JsValue, key: &JsValue) -> Result<JsValue, JsValue>;
    /// `Reflect.ownKeys(target)`.
    #[wasm_bindgen(catch, js_namespace = Reflect, js_name = ownKeys)]
    pub fn own_keys(target: &JsValue) -> Result<Array, JsValue>;

    /// `new Object()`.
    #[wasm_bindgen(js_name = Object)]
    pub type Object;
    #[wasm_bindgen(constructor, js_class = "Object")]
    pub fn new() -> Object;

    /// `new Error(message)`.
    #[wasm_bindgen(js_name = Error)]
    pub type Error;
    #[wasm_bindgen(constructor, js_class = "Error")]
    pub fn new(message: &str) -> Error;

    /// `Promise.resolve(value)`.
    #[wasm_bindgen(js_namespace = Promise, js_name = resolve)]
    pub fn resolved(value: &JsValue) -> JsValue;

    /// `Date.now()`.
    #[wasm_bindgen(js_namespace = Date)]
    pub fn now() -> f64;
    /// `Math.random()`.
    #[wasm_bindgen(js_namespace = Math)]
    pub fn random() -> f64;
}

//! The browser boundary: the `Insights` class JavaScript instantiates, the
//! conversion of JavaScript arguments into [`crate::Value`], and the page
//! services (`fetch`, `document.cookie`, `localStorage`, timers) the core uses.

mod convert;
mod exports;
mod js;
mod page;

#[cfg_attr(not(target_arch = "wasm32"), allow(unused_imports))]
pub use exports::Insights;

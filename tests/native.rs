#![cfg(not(target_arch = "wasm32"))]
//! The shared test bodies, run natively.
mod common;

#[test]
fn json_round_trip() {
    common::json_round_trip();
}

#[test]
fn token_rules() {
    common::token_rules();
}

#[test]
fn cookie_strings() {
    common::cookie_strings();
}

#[test]
fn filter_encoding() {
    common::filter_encoding();
}

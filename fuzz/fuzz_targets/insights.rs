#![no_main]
//! The libFuzzer entry point: see `search_insights_fuzz::fuzz_one`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| search_insights_fuzz::fuzz_one(data));

//! Fuzzing of search-insights-wasm's native core.
//!
//! One libFuzzer target (`fuzz_targets/insights.rs`) feeds [`fuzz_one`]: the
//! first choice picks a scenario (a page's life with any `aa()` calls, answers,
//! timers, reloads, broken cookies and storage) or one of the parsers alone.
//! The oracle ([`oracle`]) panics — a crash for libFuzzer — when a request the
//! Insights API refuses leaves the page (judged by the devserver's validator),
//! when a cookie string is not one well-formed `_ALGOLIA` cookie, when an
//! error does not name its method, or when a message shows the API key.

use arbitrary::Unstructured;

pub mod model;
pub mod oracle;
pub mod page;
pub mod scenario;
pub mod storage;
pub mod templates;
pub mod units;
pub mod values;

/// A number the input cannot contain: a hash of the whole input. The events
/// a scenario's calls make are named after it, so that events the fuzzer
/// forged in storage can never pass for them.
fn nonce(data: &[u8]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    data.hash(&mut h);
    h.finish()
}

/// Runs one fuzz input.
pub fn fuzz_one(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let _ = match u.int_in_range(0..=9u8) {
        Ok(0..=5) => scenario::run(&mut u, nonce(data)),
        Ok(6) => units::json_text(&mut u),
        Ok(7) => units::cookies(&mut u),
        Ok(8) => units::init_options(&mut u),
        _ => units::event(&mut u),
    };
}

#[cfg(test)]
mod tests {
    /// A few thousand pseudo-random inputs, so `cargo test` in this crate
    /// exercises the harness without libFuzzer.
    #[test]
    fn random_inputs_pass_the_oracle() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for len in (0..3000).map(|i| i % 600) {
            let data: Vec<u8> = (0..len)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    state as u8
                })
                .collect();
            super::fuzz_one(&data);
        }
    }
}

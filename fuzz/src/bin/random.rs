//! The fallback when libFuzzer cannot be built: the same inputs checked by the
//! same oracle, drawn from a seeded generator instead of coverage feedback.
//! `random SECONDS [SEED]` prints `runs N` when time is up.

use std::time::{Duration, Instant};

fn main() {
    let mut args = std::env::args().skip(1);
    let seconds: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(60);
    let mut state: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(0x9e37_79b9_7f4a_7c15) | 1;
    let end = Instant::now() + Duration::from_secs(seconds);
    let mut runs = 0u64;
    let mut data = Vec::with_capacity(8192);
    while Instant::now() < end {
        for _ in 0..64 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let len = (state % 4096) as usize;
            data.clear();
            data.extend((0..len).map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 24) as u8
            }));
            search_insights_fuzz::fuzz_one(&data);
            runs += 1;
        }
    }
    println!("runs {runs}");
}

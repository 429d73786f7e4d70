//! What an answer means for the events of a request, and how long a retry
//! waits: pure decisions over plain data, no effects (the outbox acts on
//! them).

/// Retry `n` (from 1) waits 50–100 % of `BASE_RETRY_DELAY_MS × 2ⁿ` (1 s, 2 s,
/// 4 s, …), at most [`MAX_RETRY_DELAY_MS`].
pub const BASE_RETRY_DELAY_MS: f64 = 500.0;
/// Longest retry delay.
pub const MAX_RETRY_DELAY_MS: f64 = 30_000.0;

/// What becomes of the events of a request that ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Verdict {
    /// 2xx: accepted.
    Delivered,
    /// 400, 413 or 422 on several events: one bad event must not sink the
    /// others, so each half is sent on its own.
    Split,
    /// Any other 4xx but 429 (or 400/413/422 on one event): refused for good.
    Refused,
    /// A network error (`None`), 5xx or 429: it may pass; each event is sent
    /// again while it has retries left ([`retries_left`]).
    Retry,
}

/// The verdict on a request of `events` events that ended with `status`
/// (`None`: no answer).
pub(super) fn decide(status: Option<u16>, events: usize) -> Verdict {
    match status {
        Some(200..=299) => Verdict::Delivered,
        Some(400 | 413 | 422) if events > 1 => Verdict::Split,
        Some(429) => Verdict::Retry,
        Some(400..=499) => Verdict::Refused,
        _ => Verdict::Retry,
    }
}

/// Whether an event that failed `attempts` times before this answer is
/// sent again, with at most `max_retries` retries.
pub(super) fn retries_left(attempts: u32, max_retries: u32) -> bool {
    attempts < max_retries
}

/// How long retry number `attempt` (from 1) waits: 50–100 % of its
/// exponential ceiling, by `jitter` in 0..=1.
pub(super) fn delay_ms(attempt: u32, jitter: f64) -> f64 {
    let ceiling = (BASE_RETRY_DELAY_MS * f64::from(1u32 << attempt.min(16))).min(MAX_RETRY_DELAY_MS);
    ceiling * (0.5 + 0.5 * jitter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts() {
        for status in [200, 201, 204, 299] {
            assert_eq!(decide(Some(status), 3), Verdict::Delivered);
        }
        for status in [400, 413, 422] {
            assert_eq!(decide(Some(status), 2), Verdict::Split, "{status}");
            assert_eq!(decide(Some(status), 1), Verdict::Refused, "{status} on one event");
        }
        for status in [401, 403, 404, 499] {
            assert_eq!(decide(Some(status), 5), Verdict::Refused, "{status}");
        }
        for status in [Some(429), Some(500), Some(503), Some(599), Some(302), Some(100), None] {
            assert_eq!(decide(status, 5), Verdict::Retry, "{status:?}");
            assert_eq!(decide(status, 1), Verdict::Retry, "{status:?} on one event");
        }
    }

    #[test]
    fn retries_and_backoff() {
        assert!(retries_left(0, 2));
        assert!(retries_left(1, 2));
        assert!(!retries_left(2, 2));
        assert!(!retries_left(0, 0));
        assert_eq!(delay_ms(1, 1.0), 1000.0);
        assert_eq!(delay_ms(1, 0.0), 500.0);
        assert_eq!(delay_ms(2, 1.0), 2000.0);
        assert_eq!(delay_ms(3, 0.5), 3000.0);
        assert_eq!(delay_ms(6, 1.0), MAX_RETRY_DELAY_MS);
        assert_eq!(delay_ms(40, 1.0), MAX_RETRY_DELAY_MS, "no overflow for many attempts");
    }
}

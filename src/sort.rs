//! One small in-place sort for the whole crate: a heapsort. The standard
//! library's `sort_unstable` (a pattern-defeating quicksort, with insertion
//! sort and heapsort fallbacks) is instantiated once per element type and
//! costs about 2.5 KB of gzipped wasm for the two sorts here (query-ID cache
//! keys, timestamps); this one costs a few hundred bytes. O(n log n) at
//! worst, not stable, no allocation.

/// Sorts `items` so that no item is `less` than the one before it.
pub fn sort_by<T>(items: &mut [T], mut less: impl FnMut(&T, &T) -> bool) {
    let len = items.len();
    let mut start = len / 2;
    while start > 0 {
        start -= 1;
        sift_down(items, start, len, &mut less);
    }
    let mut end = len;
    while end > 1 {
        end -= 1;
        items.swap(0, end);
        sift_down(items, 0, end, &mut less);
    }
}

/// Moves `items[root]` down the max-heap held in `items[..end]`.
fn sift_down<T>(
    items: &mut [T],
    mut root: usize,
    end: usize,
    less: &mut impl FnMut(&T, &T) -> bool,
) {
    loop {
        let mut child = 2 * root + 1;
        if child >= end {
            return;
        }
        if child + 1 < end {
            if let (Some(left), Some(right)) = (items.get(child), items.get(child + 1)) {
                if less(left, right) {
                    child += 1;
                }
            }
        }
        match (items.get(root), items.get(child)) {
            (Some(parent), Some(larger)) if less(parent, larger) => items.swap(root, child),
            _ => return,
        }
        root = child;
    }
}

#[cfg(test)]
mod tests {
    use super::sort_by;

    /// A small deterministic generator (xorshift), for varied inputs.
    fn numbers(seed: u64, len: usize, range: u64) -> Vec<u64> {
        let mut state = seed | 1;
        (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state % range
            })
            .collect()
    }

    #[test]
    fn sorts_like_the_standard_library() {
        for (seed, len) in [
            (1, 0),
            (2, 1),
            (3, 2),
            (4, 3),
            (5, 10),
            (6, 100),
            (7, 1001),
            (8, 5000),
        ] {
            for range in [2, 50, u64::MAX] {
                let mut ours = numbers(seed, len, range);
                let mut std = ours.clone();
                sort_by(&mut ours, |a, b| a < b);
                std.sort_unstable();
                assert_eq!(ours, std, "seed {seed}, {len} items in 0..{range}");
            }
        }
        let mut sorted: Vec<u32> = (0..300).collect();
        let mut reversed: Vec<u32> = (0..300).rev().collect();
        sort_by(&mut sorted, |a, b| a < b);
        sort_by(&mut reversed, |a, b| a < b);
        assert_eq!(sorted, reversed);
        assert_eq!(sorted, (0..300).collect::<Vec<_>>());
    }

    #[test]
    fn sorts_floats_by_total_order_and_strings() {
        let mut times = vec![3.5, -0.0, f64::INFINITY, 1e12, 0.0, -7.25, 1e12];
        sort_by(&mut times, |a, b| a.total_cmp(b).is_lt());
        assert_eq!(
            format!("{times:?}"),
            "[-7.25, -0.0, 0.0, 3.5, 1000000000000.0, 1000000000000.0, inf]"
        );
        let mut keys = vec!["products_b", "products_a", "movies_z", "products_a"];
        sort_by(&mut keys, |a, b| a < b);
        assert_eq!(keys, ["movies_z", "products_a", "products_a", "products_b"]);
    }
}

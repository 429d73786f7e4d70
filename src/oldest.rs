//! Dropping the oldest items of a bounded store (the query-ID cache, the
//! stored outbox) — one sort of timestamps, shared by both.

/// Removes the `count` items with the smallest `time`, keeping the order of
/// the others. Of items that share the cutoff time, the first ones go.
pub fn drop_oldest<T>(items: &mut Vec<T>, count: usize, time: impl Fn(&T) -> f64) {
    if count == 0 {
        return;
    }
    let mut times: Vec<f64> = items.iter().map(&time).collect();
    crate::sort::sort_by(&mut times, |a, b| a.total_cmp(b).is_lt());
    let Some(&cutoff) = times.get(count - 1) else {
        items.clear();
        return;
    };
    let older = times.iter().take_while(|&&t| t < cutoff).count();
    let mut equal_to_drop = count - older;
    items.retain(|item| {
        let t = time(item);
        if t < cutoff {
            false
        } else if t == cutoff && equal_to_drop > 0 {
            equal_to_drop -= 1;
            false
        } else {
            true
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_exactly_the_oldest() {
        let mut items = vec![(5.0, 'a'), (1.0, 'b'), (3.0, 'c'), (1.0, 'd'), (9.0, 'e')];
        drop_oldest(&mut items, 3, |i| i.0);
        assert_eq!(items, vec![(5.0, 'a'), (9.0, 'e')]);
        let mut ties = vec![(1.0, 'a'), (1.0, 'b'), (1.0, 'c')];
        drop_oldest(&mut ties, 2, |i| i.0);
        assert_eq!(ties, vec![(1.0, 'c')]);
        let mut few = vec![(1.0, 'a')];
        drop_oldest(&mut few, 5, |i| i.0);
        assert!(few.is_empty());
        drop_oldest(&mut few, 0, |i| i.0);
    }
}

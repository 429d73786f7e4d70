//! Splitting an event to the API's limit of 20 objectIDs (or filters) per event.

use super::{InsightsEvent, MAX_ITEMS_PER_EVENT};
use crate::value::Value;

impl InsightsEvent {
    /// Splits the event into events of at most 20 objectIDs (or filters),
    /// `positions` and `objectData` split in step.
    pub fn split(mut self) -> Vec<InsightsEvent> {
        let len = self.object_ids.len().max(self.filters.len());
        if len <= MAX_ITEMS_PER_EVENT {
            return vec![self];
        }
        // The lists are taken out first, so that each part clones only the
        // rest of the event (not all 5000 objectIDs for each of 250 parts).
        let all_object_ids = std::mem::take(&mut self.object_ids);
        let all_filters = std::mem::take(&mut self.filters);
        let all_positions = std::mem::take(&mut self.positions);
        let all_object_data = std::mem::take(&mut self.object_data);
        let all_inferred = std::mem::take(&mut self.inferred_query_ids);
        let mut parts = Vec::with_capacity(len.div_ceil(MAX_ITEMS_PER_EVENT));
        let mut start = 0;
        while start < len {
            let end = (start + MAX_ITEMS_PER_EVENT).min(len);
            let window = |items: &[String]| items.get(start..end).map(<[String]>::to_vec).unwrap_or_default();
            let object_ids = window(&all_object_ids);
            let part = InsightsEvent {
                positions: all_positions.get(start..end).map(<[f64]>::to_vec).unwrap_or_default(),
                object_data: all_object_data.get(start..end).map(<[Value]>::to_vec).unwrap_or_default(),
                inferred_query_ids: all_inferred.iter().filter(|id| object_ids.contains(id)).cloned().collect(),
                filters: window(&all_filters),
                object_ids,
                ..self.clone()
            };
            parts.push(part);
            start = end;
        }
        parts
    }
}

//! The sender's queue, one lane per destination and document kind, and the choice of the next
//! batch. Pure state: choosing a batch looks only at the front of one lane, never at the whole
//! queue, so a large backlog costs nothing while it waits.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::time::{Duration, Instant};

/// What the queue needs to know of an event.
pub trait Item {
    /// Bytes it adds to a request body.
    fn bytes(&self) -> usize;
    /// After a 413 its batch was split: it travels with at most this many events.
    fn max_batch(&self) -> usize;
    /// When it became ready to send (for the time-based flush).
    fn queued_at(&self) -> Instant;
}

/// Limits of one request.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_events: usize,
    pub max_bytes: usize,
    /// Bytes a request adds around its events.
    pub overhead: usize,
    /// A partial batch goes once its oldest event waited this long.
    pub interval: Duration,
}

pub struct Lanes<K, T> {
    lanes: HashMap<K, VecDeque<T>>,
    len: usize,
    bytes: usize,
}

impl<K: Hash + Eq + Clone, T: Item> Default for Lanes<K, T> {
    fn default() -> Self {
        Lanes { lanes: HashMap::new(), len: 0, bytes: 0 }
    }
}

impl<K: Hash + Eq + Clone, T: Item> Lanes<K, T> {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn bytes(&self) -> usize {
        self.bytes
    }

    pub fn push_back(&mut self, key: K, item: T) {
        self.len += 1;
        self.bytes += item.bytes();
        self.lanes.entry(key).or_default().push_back(item);
    }

    /// Puts a batch that must be retried back at the front, in its order.
    pub fn push_front(&mut self, key: K, items: Vec<T>) {
        let lane = self.lanes.entry(key).or_default();
        for item in items.into_iter().rev() {
            self.len += 1;
            self.bytes += item.bytes();
            lane.push_front(item);
        }
    }

    /// Lanes with events waiting.
    pub fn keys(&self) -> Vec<K> {
        self.lanes.iter().filter(|(_, q)| !q.is_empty()).map(|(k, _)| k.clone()).collect()
    }

    /// When the oldest event of a lane is due for a time-based flush.
    pub fn due(&self, key: &K, interval: Duration) -> Option<Instant> {
        self.lanes.get(key)?.front().map(|i| i.queued_at() + interval)
    }

    /// Every event, for the rare walks that must see them all (re-spooling after a disk error).
    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut T> {
        self.lanes.values_mut().flat_map(|q| q.iter_mut())
    }

    /// The next batch of `key`'s lane, if one is due: a full one (by count or bytes), or the
    /// events that waited `interval`, or whatever is there when `flush`. An event too large for
    /// any request goes alone (the caller dead-letters it).
    pub fn take(&mut self, key: &K, limits: Limits, now: Instant, flush: bool) -> Option<Vec<T>> {
        let lane = self.lanes.get_mut(key)?;
        let oldest = lane.front()?.queued_at();
        let mut cap = limits.max_events.max(1);
        let mut bytes = limits.overhead;
        let mut count = 0;
        for item in lane.iter() {
            cap = cap.min(item.max_batch().max(1));
            if count >= cap || (count > 0 && bytes + item.bytes() > limits.max_bytes) {
                break;
            }
            bytes += item.bytes();
            count += 1;
        }
        let full = count >= cap || count < lane.len();
        if !(full || flush || now.saturating_duration_since(oldest) >= limits.interval) {
            return None;
        }
        let batch: Vec<T> = lane.drain(..count).collect();
        self.len -= batch.len();
        self.bytes -= batch.iter().map(Item::bytes).sum::<usize>();
        Some(batch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    struct Ev {
        n: usize,
        bytes: usize,
        max_batch: usize,
        at: Instant,
    }

    impl Item for Ev {
        fn bytes(&self) -> usize {
            self.bytes
        }
        fn max_batch(&self) -> usize {
            self.max_batch
        }
        fn queued_at(&self) -> Instant {
            self.at
        }
    }

    const LIMITS: Limits = Limits { max_events: 3, max_bytes: 1000, overhead: 100, interval: Duration::from_millis(200) };

    fn lanes(t: Instant, sizes: &[usize]) -> Lanes<&'static str, Ev> {
        let mut l = Lanes::default();
        for (n, &bytes) in sizes.iter().enumerate() {
            l.push_back("a", Ev { n, bytes, max_batch: usize::MAX, at: t });
        }
        l
    }

    #[test]
    fn item_limit() {
        let t = Instant::now();
        let mut l = lanes(t, &[10; 7]);
        assert_eq!(l.take(&"a", LIMITS, t, false).unwrap().len(), 3);
        assert_eq!(l.take(&"a", LIMITS, t, false).unwrap().len(), 3);
        assert!(l.take(&"a", LIMITS, t, false).is_none(), "one event, not due yet");
        assert_eq!((l.len(), l.bytes()), (1, 10));
    }

    #[test]
    fn size_limit() {
        let t = Instant::now();
        let mut l = lanes(t, &[400, 400, 400]);
        assert_eq!(l.take(&"a", LIMITS, t, false).unwrap().len(), 2, "100 + 400 + 400 fits 1000, a third does not");
        let mut big = lanes(t, &[5000, 10]);
        assert_eq!(big.take(&"a", LIMITS, t, false).unwrap()[0].bytes, 5000, "too large goes alone");
    }

    #[test]
    fn interval_and_flush() {
        let t = Instant::now();
        let mut l = lanes(t, &[10]);
        assert!(l.take(&"a", LIMITS, t + Duration::from_millis(199), false).is_none());
        assert!(l.take(&"a", LIMITS, t, true).is_some(), "flush sends a partial batch");
        let mut l = lanes(t, &[10]);
        assert!(l.take(&"a", LIMITS, t + Duration::from_millis(200), false).is_some());
        assert_eq!(l.due(&"a", LIMITS.interval), None);
    }

    #[test]
    fn max_batch_after_a_split_and_retry_order() {
        let t = Instant::now();
        let mut l = lanes(t, &[10; 3]);
        let batch = l.take(&"a", LIMITS, t, false).unwrap();
        let halves: Vec<Ev> = batch.into_iter().map(|e| Ev { max_batch: 1, ..e }).collect();
        l.push_front("a", halves);
        let one = l.take(&"a", LIMITS, t, false).unwrap();
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].n, 0, "retried events keep their order at the front");
    }
}

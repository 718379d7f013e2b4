//! How many requests one process keeps in flight: adaptive, additive increase and
//! multiplicative decrease (in the spirit of Vector's adaptive request concurrency and TCP).
//!
//! It grows only while a backlog keeps every slot busy (slow start up to the last known good
//! level, then one more per round trip), and halves at most once per round trip when the Edge
//! pushes back (429, 5xx, lost connections) or its latency climbs well above the best seen.
//!
//! Back-pressure answers (a 429, a reset) halve the limit but keep the level it came from as
//! the slow-start target: the destination's pause (`pacing`) is what spaces the requests out,
//! and once its probe succeeds the limit doubles back per round trip instead of crawling up one
//! per round trip, so a 1-in-7 429 does not hold a backlog to one request at a time. Rising
//! latency, which says the Edge itself is saturated, also lowers that target.
//! Pure state; the caller passes the time.

use std::time::{Duration, Instant};

/// A round trip this much slower than the fastest seen (plus a floor for local noise) means
/// queueing somewhere: stop growing and back off.
const LATENCY_FACTOR: f64 = 3.0;
const LATENCY_SLACK: Duration = Duration::from_millis(50);
/// Weight of a new round trip in the moving average.
const EWMA_WEIGHT: f64 = 0.2;

#[derive(Debug, Clone)]
pub struct Limit {
    current: f64,
    max: f64,
    /// Below this, grow by one per answer (slow start); above, by one per round trip.
    threshold: f64,
    rtt_avg: Option<f64>,
    rtt_min: Option<f64>,
    last_decrease: Option<Instant>,
}

impl Limit {
    pub fn new(max: usize) -> Limit {
        let max = max.max(1) as f64;
        Limit { current: 1.0, max, threshold: max, rtt_avg: None, rtt_min: None, last_decrease: None }
    }

    /// Requests that may be in flight now.
    pub fn get(&self) -> usize {
        self.current.floor().max(1.0) as usize
    }

    pub fn set_max(&mut self, max: usize) {
        self.max = max.max(1) as f64;
        self.current = self.current.min(self.max);
        self.threshold = self.threshold.min(self.max);
    }

    /// An answer that shows the Edge working (delivered, split, final). `saturated`: every slot
    /// was busy and more was waiting, which is the only time more concurrency could help.
    pub fn on_success(&mut self, rtt: Duration, saturated: bool, now: Instant) {
        let secs = rtt.as_secs_f64();
        self.rtt_min = Some(self.rtt_min.map_or(secs, |m| m.min(secs)));
        self.rtt_avg = Some(self.rtt_avg.map_or(secs, |a| a + EWMA_WEIGHT * (secs - a)));
        if self.congested() {
            self.decrease(now);
            self.threshold = self.current;
            // Forget the slow samples so that growth can resume once the latency is back.
            self.rtt_avg = self.rtt_min;
            return;
        }
        if !saturated {
            return;
        }
        let step = if self.current < self.threshold { 1.0 } else { 1.0 / self.current };
        self.current = (self.current + step).min(self.max);
    }

    /// Back-pressure: a 429 without `Retry-After`, a failing 5xx.
    pub fn on_backpressure(&mut self, now: Instant) {
        self.decrease(now);
    }

    fn congested(&self) -> bool {
        match (self.rtt_avg, self.rtt_min) {
            (Some(avg), Some(min)) => avg > min * LATENCY_FACTOR + LATENCY_SLACK.as_secs_f64(),
            _ => false,
        }
    }

    /// Halve, at most once per round trip: the answers of requests sent together all carry the
    /// same news.
    fn decrease(&mut self, now: Instant) {
        let rtt = Duration::from_secs_f64(self.rtt_avg.unwrap_or(0.1));
        if self.last_decrease.is_some_and(|t| now.duration_since(t) < rtt) {
            return;
        }
        self.last_decrease = Some(now);
        self.threshold = self.current;
        self.current = (self.current / 2.0).max(1.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RTT: Duration = Duration::from_millis(100);

    #[test]
    fn grows_only_while_saturated_and_stops_at_the_max() {
        let t = Instant::now();
        let mut l = Limit::new(32);
        for _ in 0..10 {
            l.on_success(RTT, false, t);
        }
        assert_eq!(l.get(), 1, "an idle process stays at one request");
        for _ in 0..100 {
            l.on_success(RTT, true, t);
        }
        assert_eq!(l.get(), 32);
    }

    #[test]
    fn halves_once_per_round_trip_then_regrows_to_the_level_it_had() {
        let t = Instant::now();
        let mut l = Limit::new(32);
        for _ in 0..15 {
            l.on_success(RTT, true, t);
        }
        assert_eq!(l.get(), 16);
        l.on_backpressure(t);
        l.on_backpressure(t + RTT / 2);
        assert_eq!(l.get(), 8, "the second 429 of the same round trip does not halve again");
        l.on_backpressure(t + RTT * 2);
        assert_eq!(l.get(), 4);
        for _ in 0..4 {
            l.on_success(RTT, true, t + RTT * 3);
        }
        assert_eq!(l.get(), 8, "slow start back to the level before the last back-pressure");
        for _ in 0..9 {
            l.on_success(RTT, true, t + RTT * 4);
        }
        assert_eq!(l.get(), 9, "above it: about one more per round trip of answers");
    }

    #[test]
    fn rising_latency_backs_off() {
        let t = Instant::now();
        let mut l = Limit::new(32);
        for _ in 0..15 {
            l.on_success(RTT, true, t);
        }
        for i in 0..20 {
            l.on_success(Duration::from_millis(800), true, t + RTT * (i + 1));
        }
        assert!(l.get() < 16, "{}", l.get());
        let after = l.get();
        for _ in 0..after {
            l.on_success(RTT, true, t + RTT * 30);
        }
        assert!(l.get() <= after + 1, "the latency back-off also lowered the slow-start target: {} after {after}", l.get());
    }
}

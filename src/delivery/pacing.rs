//! Per-destination pacing: a 429/503 (with or without `Retry-After`), a failing 5xx or an
//! unreachable Edge pauses the destination as a whole; when the pause ends one probe request
//! goes out, and only its success opens the destination again and resets the backoff. Pure
//! state; the caller passes the time.

use std::time::{Duration, Instant};

use super::policy::{self, Pause, CONNECTION_FAILURES_BEFORE_PAUSE};

#[derive(Debug, Clone, Copy, PartialEq)]
enum State {
    Open,
    Paused { until: Instant },
    /// The pause ended and one request is out; nothing else goes until it answers, or until
    /// `PROBE_PATIENCE` passes (a probe that hangs must not hold the destination for a whole
    /// request deadline).
    Probing { sent_at: Instant },
}

const PROBE_PATIENCE: Duration = Duration::from_secs(2);

#[derive(Debug, Clone)]
pub struct Pace {
    state: State,
    /// Failures in a row (the backoff exponent).
    level: u32,
    /// Connection-level failures in a row.
    lost: u32,
    /// When the current pause began: answers to requests sent before it neither end it nor
    /// deepen it (they were all sent into the same trouble).
    paused_at: Option<Instant>,
}

impl Default for Pace {
    fn default() -> Self {
        Pace { state: State::Open, level: 0, lost: 0, paused_at: None }
    }
}

impl Pace {
    /// Whether a request may go now. Requests still out from before the pause do not hold the
    /// probe back: they were sent into the trouble the pause answers, and one of them may hang.
    pub fn may_send(&self, now: Instant) -> bool {
        match self.state {
            State::Open => true,
            State::Paused { until } => now >= until,
            State::Probing { sent_at } => now.saturating_duration_since(sent_at) >= PROBE_PATIENCE,
        }
    }

    /// A request is going out (after `may_send`).
    pub fn sent(&mut self, now: Instant) {
        match self.state {
            State::Paused { until } if now >= until => self.state = State::Probing { sent_at: now },
            State::Probing { .. } => self.state = State::Probing { sent_at: now },
            _ => {}
        }
    }

    /// When a probing destination may send another probe.
    pub fn probe_due(&self) -> Option<Instant> {
        match self.state {
            State::Probing { sent_at } => Some(sent_at + PROBE_PATIENCE),
            _ => None,
        }
    }

    /// When a paused destination may send again (`None`: not paused).
    pub fn paused_until(&self) -> Option<Instant> {
        match self.state {
            State::Paused { until } => Some(until),
            _ => None,
        }
    }

    #[cfg(test)]
    fn is_open(&self) -> bool {
        self.state == State::Open
    }

    /// A request sent at `sent_at` was answered: delivered, split or final (the Edge works).
    pub fn answered(&mut self, sent_at: Instant) {
        self.lost = 0;
        let stale = self.paused_at.is_some_and(|p| sent_at < p);
        if matches!(self.state, State::Probing { .. }) || (self.state == State::Open && !stale) {
            self.state = State::Open;
            self.level = 0;
            self.paused_at = None;
        }
    }

    /// A request sent at `sent_at` must be retried because of `pause`.
    pub fn failed(&mut self, pause: Pause, sent_at: Instant, now: Instant, random: u64) {
        let stale = self.paused_at.is_some_and(|p| sent_at < p);
        let wait = match pause {
            Pause::Connection => {
                self.lost += 1;
                if self.lost < CONNECTION_FAILURES_BEFORE_PAUSE && !matches!(self.state, State::Probing { .. }) {
                    return;
                }
                policy::backoff(self.level, random)
            }
            Pause::Backpressure { retry_after: Some(d) } => d,
            Pause::Backpressure { retry_after: None } | Pause::Failing => policy::backoff(self.level, random),
        };
        let until = now + wait;
        match self.state {
            State::Paused { until: current } if stale => self.state = State::Paused { until: current.max(until) },
            _ => {
                self.state = State::Paused { until };
                self.paused_at = Some(now);
                self.level = self.level.saturating_add(1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Duration = Duration::from_secs(1);

    #[test]
    fn retry_after_pauses_the_destination_then_one_probe_goes() {
        let t0 = Instant::now();
        let mut p = Pace::default();
        assert!(p.may_send(t0));
        p.failed(Pause::Backpressure { retry_after: Some(5 * S) }, t0, t0, 0);
        assert!(!p.may_send(t0 + 4 * S), "paused for Retry-After");
        assert!(p.may_send(t0 + 5 * S));
        p.sent(t0 + 5 * S);
        assert!(!p.may_send(t0 + 6 * S), "one probe only");
        assert!(p.may_send(t0 + 7 * S), "unless it hangs: another after PROBE_PATIENCE");
        p.answered(t0 + 5 * S);
        assert!(p.is_open() && p.may_send(t0 + 5 * S), "a success opens it");
    }

    #[test]
    fn answers_to_requests_sent_before_the_pause_neither_end_nor_deepen_it() {
        let t0 = Instant::now();
        let mut p = Pace::default();
        p.failed(Pause::Backpressure { retry_after: Some(S) }, t0, t0 + S / 10, 0);
        p.answered(t0);
        assert!(!p.is_open(), "a request sent before the pause does not open it");
        p.failed(Pause::Backpressure { retry_after: Some(S) }, t0, t0 + S / 5, 0);
        assert_eq!(p.level, 1, "one pause, not two");
        assert_eq!(p.paused_until(), Some(t0 + S / 5 + S), "but it lasts as long as the latest answer asks");
    }

    #[test]
    fn backoff_doubles_until_a_success_resets_it() {
        let t0 = Instant::now();
        let mut p = Pace::default();
        let mut now = t0;
        for _ in 0..6 {
            p.failed(Pause::Failing, now, now, u64::MAX);
            now = p.paused_until().unwrap();
            p.sent(now);
        }
        assert!(p.paused_until().is_none(), "probing");
        assert_eq!(p.level, 6);
        p.answered(now);
        assert_eq!(p.level, 0);
        p.failed(Pause::Failing, now, now, u64::MAX);
        assert_eq!(p.paused_until(), Some(now + Duration::from_millis(500)), "back to the first step");
    }

    #[test]
    fn a_lost_connection_retries_at_once_unless_it_keeps_happening() {
        let t0 = Instant::now();
        let mut p = Pace::default();
        p.failed(Pause::Connection, t0, t0, 0);
        p.failed(Pause::Connection, t0, t0, 0);
        assert!(p.is_open());
        p.failed(Pause::Connection, t0, t0, 0);
        assert!(!p.is_open(), "{CONNECTION_FAILURES_BEFORE_PAUSE} in a row pause");
    }
}

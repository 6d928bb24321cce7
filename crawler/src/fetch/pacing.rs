//! Per-host pacing: one request in flight per host, and a minimum gap between the end of one
//! request and the start of the next.
//!
//! Each host has its own slot (not one keyed limiter: hosts differ in Crawl-delay and
//! Retry-After). A request takes the host's turn — an async mutex, so requests to one host
//! queue up while other hosts proceed — waits until the slot's earliest start, runs, and on
//! release stamps the slot with its end time. The gap is
//! `max(floor, source delay, Crawl-delay) + jitter` measured from the end of the previous
//! request, and a Retry-After or back-off pushes the earliest start further out. Nothing ever
//! pulls it in: errors never shorten a delay.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

use super::clock::Clock;

/// The pacing state of one host.
#[derive(Debug, Default, Clone)]
pub struct SlotState {
    /// When the last request to the host ended.
    pub last_end: Option<Instant>,
    /// No request may start before this (Retry-After, back-off).
    pub not_before: Option<Instant>,
    /// The host's robots.txt Crawl-delay, already capped.
    pub crawl_delay: Option<Duration>,
}

impl SlotState {
    /// The gap required after the last request, given the request's own minimum (floor and
    /// source delay already combined): the larger of it and the host's Crawl-delay.
    pub fn gap(&self, base: Duration) -> Duration {
        base.max(self.crawl_delay.unwrap_or(Duration::ZERO))
    }

    /// The earliest instant the next request may start: `last_end + gap + jitter`, and not
    /// before `not_before`. `None` when the host has never been contacted and is not held back.
    pub fn earliest_start(&self, gap: Duration, jitter: Duration) -> Option<Instant> {
        let after_last = self.last_end.map(|t| t + gap + jitter);
        match (after_last, self.not_before) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        }
    }

    /// Records that a request ended at `at`. Never moves `last_end` backwards.
    pub fn finish(&mut self, at: Instant) {
        self.last_end = Some(self.last_end.map_or(at, |t| t.max(at)));
    }

    /// Holds the host back until at least `until` (Retry-After, back-off). Never moves the
    /// limit backwards.
    pub fn hold_until(&mut self, until: Instant) {
        self.not_before = Some(self.not_before.map_or(until, |t| t.max(until)));
    }
}

/// Per-host slots over a clock.
pub struct Pacer {
    clock: Arc<dyn Clock>,
    jitter: f64,
    slots: Mutex<HashMap<String, Arc<AsyncMutex<SlotState>>>>,
}

impl Pacer {
    /// A pacer whose gaps get a random extra of up to `jitter` × gap (0.0–1.0).
    pub fn new(clock: Arc<dyn Clock>, jitter: f64) -> Pacer {
        Pacer {
            clock,
            jitter: if jitter.is_finite() {
                jitter.clamp(0.0, 1.0)
            } else {
                0.0
            },
            slots: Mutex::new(HashMap::new()),
        }
    }

    /// The clock the pacer runs on.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    fn slot(&self, key: &str) -> Arc<AsyncMutex<SlotState>> {
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        slots.entry(key.to_owned()).or_default().clone()
    }

    /// Takes the host's turn: waits for any request in flight to that host, then until the
    /// slot's earliest start. `base_gap` is the floor and source delay combined; the host's
    /// Crawl-delay is applied on top. The turn is released (and the slot stamped with its
    /// end time) when the returned [`Turn`] is dropped.
    pub async fn acquire(&self, key: &str, base_gap: Duration) -> Turn {
        let slot = self.slot(key).lock_owned().await;
        let gap = slot.gap(base_gap);
        let jitter = jitter_for(gap, self.jitter);
        let start = slot.earliest_start(gap, jitter);
        let now = self.clock.now();
        let mut waited = Duration::ZERO;
        if let Some(start) = start
            && start > now
        {
            self.clock.sleep_until(start).await;
            waited = self.clock.now().saturating_duration_since(now);
        }
        Turn {
            slot,
            clock: self.clock.clone(),
            waited,
        }
    }

    /// Sets a host's Crawl-delay (already capped), or clears it. Waits for any request in
    /// flight to the host.
    pub async fn set_crawl_delay(&self, key: &str, delay: Option<Duration>) {
        self.slot(key).lock().await.crawl_delay = delay;
    }

    /// A copy of a host's state (for tests and reports).
    pub fn state(&self, key: &str) -> Option<SlotState> {
        let slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        let slot = slots.get(key)?.clone();
        drop(slots);
        slot.try_lock().ok().map(|s| s.clone())
    }
}

/// A random extra of up to `fraction` × `gap`.
fn jitter_for(gap: Duration, fraction: f64) -> Duration {
    if fraction <= 0.0 || gap.is_zero() {
        return Duration::ZERO;
    }
    gap.mul_f64(rand::random_range(0.0..fraction))
}

/// The right to send one request to a host. Dropping it releases the host and records the
/// end of the request.
pub struct Turn {
    slot: OwnedMutexGuard<SlotState>,
    clock: Arc<dyn Clock>,
    waited: Duration,
}

impl Turn {
    /// How long this turn waited for politeness before it was granted.
    pub fn waited(&self) -> Duration {
        self.waited
    }

    /// Holds the host back for at least `for_at_least` from now (Retry-After, back-off).
    pub fn hold_for(&mut self, for_at_least: Duration) {
        let until = self.clock.now() + for_at_least;
        self.slot.hold_until(until);
    }

    /// Sets the host's Crawl-delay (already capped), or clears it.
    pub fn set_crawl_delay(&mut self, delay: Option<Duration>) {
        self.slot.crawl_delay = delay;
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        let now = self.clock.now();
        self.slot.finish(now);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::fetch::clock::FakeClock;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn slot_state_arithmetic() {
        let t0 = Instant::now();
        let mut s = SlotState::default();
        assert_eq!(s.earliest_start(1000 * MS, 50 * MS), None);
        s.finish(t0);
        assert_eq!(s.earliest_start(1000 * MS, 50 * MS), Some(t0 + 1050 * MS));
        // a Retry-After further out wins; a nearer one changes nothing
        s.hold_until(t0 + 5000 * MS);
        assert_eq!(
            s.earliest_start(1000 * MS, Duration::ZERO),
            Some(t0 + 5000 * MS)
        );
        s.hold_until(t0 + 10 * MS);
        assert_eq!(s.not_before, Some(t0 + 5000 * MS));
        // finish never goes backwards
        s.finish(t0 - 100 * MS);
        assert_eq!(s.last_end, Some(t0));
        // Crawl-delay raises the gap, never lowers it
        s.crawl_delay = Some(3000 * MS);
        assert_eq!(s.gap(1000 * MS), 3000 * MS);
        assert_eq!(s.gap(4000 * MS), 4000 * MS);
    }

    #[tokio::test]
    async fn first_request_is_immediate_then_gaps_hold() {
        let clock = Arc::new(FakeClock::new());
        let pacer = Pacer::new(clock.clone(), 0.0);
        let t0 = clock.now();
        let turn = pacer.acquire("a.example", 1000 * MS).await;
        assert_eq!(turn.waited(), Duration::ZERO);
        clock.advance(200 * MS); // the request takes 200 ms
        drop(turn);
        let turn = pacer.acquire("a.example", 1000 * MS).await;
        // 1 s after the end of the previous request, not after its start
        assert_eq!(clock.now(), t0 + 1200 * MS);
        assert_eq!(turn.waited(), 1000 * MS);
        drop(turn);
        // another host is not held back by the first
        let before = clock.now();
        let other = pacer.acquire("b.example", 1000 * MS).await;
        assert_eq!(clock.now(), before);
        drop(other);
    }

    #[tokio::test]
    async fn jitter_only_adds() {
        let clock = Arc::new(FakeClock::new());
        let pacer = Pacer::new(clock.clone(), 0.5);
        drop(pacer.acquire("a.example", 1000 * MS).await);
        for _ in 0..50 {
            let before = clock.now();
            let turn = pacer.acquire("a.example", 1000 * MS).await;
            let gap = clock.now() - before;
            assert!(gap >= 1000 * MS && gap <= 1500 * MS, "{gap:?}");
            drop(turn);
        }
    }

    #[tokio::test]
    async fn crawl_delay_and_retry_after_extend_the_gap() {
        let clock = Arc::new(FakeClock::new());
        let pacer = Pacer::new(clock.clone(), 0.0);
        let mut turn = pacer.acquire("a.example", 100 * MS).await;
        turn.set_crawl_delay(Some(2000 * MS));
        drop(turn);
        let before = clock.now();
        let mut turn = pacer.acquire("a.example", 100 * MS).await;
        assert_eq!(clock.now() - before, 2000 * MS);
        // the server said Retry-After: 30
        turn.hold_for(30_000 * MS);
        drop(turn);
        let before = clock.now();
        drop(pacer.acquire("a.example", 100 * MS).await);
        assert_eq!(clock.now() - before, 30_000 * MS);
        assert_eq!(
            pacer.state("a.example").unwrap().crawl_delay,
            Some(2000 * MS)
        );
    }

    #[tokio::test]
    async fn one_request_in_flight_per_host() {
        let clock = Arc::new(FakeClock::new());
        let pacer = Arc::new(Pacer::new(clock.clone(), 0.0));
        let first = pacer.acquire("a.example", 500 * MS).await;
        let p = pacer.clone();
        let waiter = tokio::spawn(async move {
            let turn = p.acquire("a.example", 500 * MS).await;
            turn.waited()
        });
        for _ in 0..20 {
            tokio::task::yield_now().await;
        }
        assert!(
            !waiter.is_finished(),
            "second request started while the first was in flight"
        );
        // a different host proceeds meanwhile
        let other = pacer.acquire("b.example", 500 * MS).await;
        drop(other);
        clock.advance(100 * MS);
        let released = clock.now();
        drop(first);
        let waited = waiter.await.unwrap();
        assert_eq!(waited, 500 * MS);
        assert!(clock.now() >= released + 500 * MS);
    }
}

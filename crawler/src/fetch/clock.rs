//! Time, behind a trait, so that pacing is tested with a fake clock instead of sleeps.

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A future returned by [`Clock::sleep_until`].
pub type Sleep<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

/// A source of "now" and a way to wait until a later instant.
pub trait Clock: Send + Sync + 'static {
    /// The current instant.
    fn now(&self) -> Instant;
    /// Completes once [`Clock::now`] has reached `deadline` (at once if it has already).
    fn sleep_until(&self, deadline: Instant) -> Sleep<'_>;
}

/// The real clock: `Instant::now` and tokio's timer.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }

    fn sleep_until(&self, deadline: Instant) -> Sleep<'_> {
        Box::pin(tokio::time::sleep_until(deadline.into()))
    }
}

/// A clock that only moves when told to or when someone sleeps on it: sleeping jumps "now" to
/// the deadline at once. For tests of pacing logic without real waiting.
#[derive(Debug)]
pub struct FakeClock {
    now: Mutex<Instant>,
}

impl FakeClock {
    /// A fake clock starting at the real current instant.
    pub fn new() -> FakeClock {
        FakeClock {
            now: Mutex::new(Instant::now()),
        }
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        let mut now = self.now.lock().unwrap_or_else(|p| p.into_inner());
        *now += by;
    }
}

impl Default for FakeClock {
    fn default() -> Self {
        FakeClock::new()
    }
}

impl Clock for FakeClock {
    fn now(&self) -> Instant {
        *self.now.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn sleep_until(&self, deadline: Instant) -> Sleep<'_> {
        {
            let mut now = self.now.lock().unwrap_or_else(|p| p.into_inner());
            if deadline > *now {
                *now = deadline;
            }
        }
        Box::pin(tokio::task::yield_now())
    }
}

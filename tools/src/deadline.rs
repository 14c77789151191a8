//! The run's wall-clock deadline, shared by everything that starts a command: set once
//! when the run's clock starts, read by every clone of the limits.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

/// When the user's `--timeout` runs out; unset means no timeout.
#[derive(Debug, Clone, Default)]
pub struct Deadline(Arc<OnceLock<Instant>>);

impl Deadline {
    /// Sets the deadline; a second call changes nothing.
    pub fn set(&self, at: Instant) {
        let _ = self.0.set(at);
    }

    /// What is left of the run's time; `None` without a deadline.
    pub fn left(&self) -> Option<Duration> {
        self.0.get().map(|at| at.saturating_duration_since(Instant::now()))
    }

    /// `wanted`, cut at what is left; the flag says whether the deadline cut it.
    pub fn cap(&self, wanted: Duration) -> (Duration, bool) {
        match self.left() {
            Some(left) if left < wanted => (left, true),
            _ => (wanted, false),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_one_deadline() {
        let d = Deadline::default();
        assert_eq!(d.cap(Duration::from_secs(5)), (Duration::from_secs(5), false));
        let shared = d.clone();
        d.set(Instant::now() + Duration::from_secs(60));
        let (cut, by_deadline) = shared.cap(Duration::from_secs(600));
        assert!(by_deadline && cut <= Duration::from_secs(60));
        assert!(!shared.cap(Duration::from_secs(1)).1);
    }
}

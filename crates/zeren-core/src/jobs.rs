//! The rules of the background job runner: how long a claim on a job holds, how often the
//! runner renews it, when a failed job is tried again and when it is given up (dead-lettered).
//! Pure: the store and the runner pass the clock and the randomness in.

use chrono::{DateTime, Duration, Utc};

/// How long a claim holds without a heartbeat. A killed instance's jobs are claimed again by
/// another instance once this has passed (plus the claimer's poll interval), well within a minute.
pub const LEASE_SECONDS: i64 = 30;

/// How often a running job's claim is renewed: three heartbeats fit in a lease, so one missed
/// beat (a slow database) does not lose it.
pub const HEARTBEAT_SECONDS: i64 = 10;

/// Attempts before a job is dead-lettered, unless its kind says otherwise.
pub const DEFAULT_MAX_ATTEMPTS: i64 = 8;

/// The first retry waits this long; each further one twice as long, up to [`BACKOFF_CAP_SECONDS`].
pub const BACKOFF_BASE_SECONDS: i64 = 15;
pub const BACKOFF_CAP_SECONDS: i64 = 3600;

/// When a claim taken (or renewed) at `now` runs out.
pub fn lease_until(now: DateTime<Utc>) -> DateTime<Utc> {
    now + Duration::seconds(LEASE_SECONDS)
}

/// Whether a claim that runs until `lease_until` has run out at `now` (its holder is presumed
/// dead and the job may be claimed again).
pub fn lease_expired(lease_until: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    lease_until <= now
}

/// The wait before attempt `attempt + 1`, after `attempt` (1-based) failed: 15 s, 30 s, 1 min,
/// 2 min … capped at an hour. `jitter` in [0, 1) spreads retries of many jobs that failed together
/// (a mail server down) over ±20 % so they do not all return at once.
pub fn backoff(attempt: i64, jitter: f64) -> Duration {
    let exp = attempt.clamp(1, 20) - 1;
    let plain = BACKOFF_BASE_SECONDS
        .saturating_mul(1i64 << exp)
        .min(BACKOFF_CAP_SECONDS);
    let jitter = if jitter.is_finite() {
        jitter.clamp(0.0, 0.999_999)
    } else {
        0.0
    };
    let factor = 0.8 + 0.4 * jitter;
    Duration::milliseconds((plain as f64 * 1000.0 * factor) as i64)
}

/// What a failed attempt asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Retry {
    /// A passing failure (a timeout, a refused connection): try again after the backoff.
    Backoff,
    /// The other side said when to come back (a rate limit): then, without counting it as a
    /// failure towards the dead letter.
    After(Duration),
    /// Trying again cannot help (a wrong secret, a refused address): dead-letter now, for an
    /// administrator to fix the setting and retry.
    Never,
}

/// What becomes of a job after a failed attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AfterFailure {
    /// Queued again, to run at this time; `counts` says whether the attempt counts towards the
    /// dead letter (a rate limit's wait does not).
    RetryAt { at: DateTime<Utc>, counts: bool },
    /// Given up: on the dead-letter list.
    Dead,
}

/// Decides the fate of a job whose attempt number `attempts` (1-based, this one included) of at
/// most `max_attempts` failed at `now`.
pub fn after_failure(
    attempts: i64,
    max_attempts: i64,
    retry: Retry,
    now: DateTime<Utc>,
    jitter: f64,
) -> AfterFailure {
    match retry {
        Retry::Never => AfterFailure::Dead,
        Retry::After(wait) => AfterFailure::RetryAt {
            at: now + wait.max(Duration::zero()),
            counts: false,
        },
        Retry::Backoff if attempts >= max_attempts => AfterFailure::Dead,
        Retry::Backoff => AfterFailure::RetryAt {
            at: now + backoff(attempts, jitter),
            counts: true,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_780_000_000 + s, 0).unwrap()
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff(1, 0.5), Duration::seconds(15));
        assert_eq!(backoff(2, 0.5), Duration::seconds(30));
        assert_eq!(backoff(3, 0.5), Duration::seconds(60));
        assert_eq!(backoff(9, 0.5), Duration::seconds(3600));
        assert_eq!(backoff(1000, 0.5), Duration::seconds(3600));
        assert_eq!(
            backoff(0, 0.5),
            Duration::seconds(15),
            "attempt 0 is the first"
        );
        assert_eq!(backoff(1, 0.0), Duration::seconds(12));
        assert_eq!(backoff(1, f64::NAN), Duration::seconds(12));
    }

    #[test]
    fn a_lease_runs_out_after_its_time() {
        let until = lease_until(t(0));
        assert!(!lease_expired(until, t(LEASE_SECONDS - 1)));
        assert!(lease_expired(until, t(LEASE_SECONDS)));
        // A killed instance's jobs are free again within a minute, heartbeats or not.
        const { assert!(LEASE_SECONDS < 60 && HEARTBEAT_SECONDS * 3 <= LEASE_SECONDS) };
    }

    #[test]
    fn failures_retry_then_die() {
        assert_eq!(
            after_failure(1, 3, Retry::Backoff, t(0), 0.5),
            AfterFailure::RetryAt {
                at: t(15),
                counts: true
            }
        );
        assert_eq!(
            after_failure(3, 3, Retry::Backoff, t(0), 0.5),
            AfterFailure::Dead
        );
        assert_eq!(
            after_failure(1, 3, Retry::Never, t(0), 0.5),
            AfterFailure::Dead
        );
        // A rate limit's wait never dead-letters, however often it comes.
        assert_eq!(
            after_failure(99, 3, Retry::After(Duration::seconds(20)), t(0), 0.5),
            AfterFailure::RetryAt {
                at: t(20),
                counts: false
            }
        );
    }

    proptest! {
        /// Later attempts never wait less than earlier ones (jitter aside: compared at the same
        /// jitter), and never more than the cap plus its jitter.
        #[test]
        fn backoff_is_monotone(a in 1i64..40, j in 0.0f64..1.0) {
            prop_assert!(backoff(a + 1, j) >= backoff(a, j));
            prop_assert!(backoff(a, j) <= Duration::seconds(BACKOFF_CAP_SECONDS * 6 / 5));
            prop_assert!(backoff(a, j) >= Duration::seconds(BACKOFF_BASE_SECONDS * 4 / 5));
        }
    }
}

//! The two clocks of the product as the web layer reads them: today's date in China (duties fall
//! due on Chinese calendar days) and stored UTC times shown in China time (UTC+8, no DST).

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

/// Today in China (UTC+8).
pub fn today() -> NaiveDate {
    (Utc::now() + chrono::Duration::hours(8)).date_naive()
}

/// A stored time as people in China read it: `2026-12-10 14:30`.
pub fn local(t: &DateTime<Utc>) -> String {
    (*t + chrono::Duration::hours(8))
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// A stored time in China time, for exports that write real date-times.
pub fn china(t: &DateTime<Utc>) -> NaiveDateTime {
    (*t + chrono::Duration::hours(8)).naive_utc()
}

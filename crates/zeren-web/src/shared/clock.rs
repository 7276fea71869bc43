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

/// A China time as people write it: `2026年12月10日 14:30`.
pub fn zh_time(t: &NaiveDateTime) -> String {
    use chrono::{Datelike, Timelike};
    format!(
        "{}年{}月{}日 {:02}:{:02}",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute()
    )
}

/// A stored time in China time as people write it: `2026年12月10日 14:30`.
pub fn zh_local(t: &DateTime<Utc>) -> String {
    zh_time(&china(t))
}

#[cfg(test)]
mod tests {
    #[test]
    fn times_read_as_people_write_them() {
        let t = chrono::NaiveDate::from_ymd_opt(2026, 12, 10)
            .unwrap()
            .and_hms_opt(14, 30, 0)
            .unwrap();
        assert_eq!(super::zh_time(&t), "2026年12月10日 14:30");
        assert_eq!(super::zh_local(&t.and_utc()), "2026年12月10日 22:30");
    }
}

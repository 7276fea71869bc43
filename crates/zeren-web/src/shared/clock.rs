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

/// A moment on the incident wall clock as people in China read it: `2026年12月10日 14:30`.
pub fn wall(t: &DateTime<Utc>) -> String {
    zh_local(t)
}

/// A China wall-clock time typed in a form (`2026-12-10T14:30`, as `datetime-local` sends it,
/// or `2026-12-10 14:30`), as the moment it names.
pub fn parse_china_minute(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
        .map(|t| (t - chrono::Duration::hours(8)).and_utc())
}

/// The `datetime-local` value of a moment, in China time.
pub fn china_input(t: &DateTime<Utc>) -> String {
    china(t).format("%Y-%m-%dT%H:%M").to_string()
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

    use super::*;

    #[test]
    fn wall_clock_text_and_input_are_china_time() {
        let t = parse_china_minute("2026-12-10T14:30").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-12-10T06:30:00+00:00");
        assert_eq!(wall(&t), "2026年12月10日 14:30");
        assert_eq!(china_input(&t), "2026-12-10T14:30");
        let t = parse_china_minute("2026-01-04 00:05").unwrap();
        assert_eq!(wall(&t), "2026年1月4日 00:05");
        assert!(parse_china_minute("明天").is_none());
    }
}

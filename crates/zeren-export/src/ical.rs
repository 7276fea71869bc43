//! A person's obligations as an iCalendar feed (RFC 5545): one all-day event on each due date,
//! with a reminder, so phones and Outlook show what is due.

use chrono::{Days, NaiveDate, NaiveDateTime};

/// One obligation in the feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalEvent {
    /// Stable across feeds, so calendars update rather than duplicate.
    pub uid: String,
    pub summary: String,
    pub due: NaiveDate,
    pub description: String,
    pub url: Option<String>,
}

/// Escapes a text value (RFC 5545 §3.3.11).
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line at 75 octets without splitting a UTF-8 character (RFC 5545 §3.1).
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

/// The feed. `stamp` is when it was generated (DTSTAMP, in UTC).
pub fn icalendar(name: &str, events: &[CalEvent], stamp: NaiveDateTime) -> String {
    let mut out = String::new();
    let stamp = stamp.format("%Y%m%dT%H%M%SZ").to_string();
    for l in [
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".into(),
        "PRODID:-//Zeren//Zeren 责任制//ZH".into(),
        "CALSCALE:GREGORIAN".into(),
        "METHOD:PUBLISH".into(),
        format!("X-WR-CALNAME:{}", text(name)),
        "X-WR-TIMEZONE:Asia/Shanghai".into(),
    ] {
        fold(&l, &mut out);
    }
    for e in events {
        let end = e.due + Days::new(1);
        let mut lines = vec![
            "BEGIN:VEVENT".to_string(),
            format!("UID:{}", text(&e.uid)),
            format!("DTSTAMP:{stamp}"),
            format!("DTSTART;VALUE=DATE:{}", e.due.format("%Y%m%d")),
            format!("DTEND;VALUE=DATE:{}", end.format("%Y%m%d")),
            format!("SUMMARY:{}", text(&e.summary)),
            format!("DESCRIPTION:{}", text(&e.description)),
            "TRANSP:TRANSPARENT".into(),
        ];
        if let Some(url) = &e.url {
            lines.push(format!("URL:{url}"));
        }
        lines.extend([
            "BEGIN:VALARM".to_string(),
            "ACTION:DISPLAY".into(),
            format!("DESCRIPTION:{}", text(&format!("即将到期：{}", e.summary))),
            "TRIGGER:-P3D".into(),
            "END:VALARM".into(),
            "END:VEVENT".into(),
        ]);
        for l in lines {
            fold(&l, &mut out);
        }
    }
    fold("END:VCALENDAR", &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_feed_with_escaping_and_folding() {
        let stamp = NaiveDate::from_ymd_opt(2026, 11, 29)
            .unwrap()
            .and_hms_opt(6, 0, 0)
            .unwrap();
        let e = CalEvent {
            uid: "obligation-42@zeren".into(),
            summary: "专题学习, 2026年第四季度".into(),
            due: NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
            description: "第一责任人; 须有会议记录\n和参加人员".repeat(3),
            url: Some("https://zeren.example/obligations/42".into()),
        };
        let ics = icalendar("张三的待办", &[e], stamp);
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"));
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        assert!(ics.contains("DTSTART;VALUE=DATE:20261231\r\n"));
        assert!(ics.contains("DTEND;VALUE=DATE:20270101\r\n"));
        assert!(ics.contains("SUMMARY:专题学习\\, 2026年第四季度\r\n"));
        assert!(ics.contains("TRIGGER:-P3D"));
        for line in ics.split("\r\n") {
            assert!(
                line.len() <= 75,
                "folded: {line:?} is {} octets",
                line.len()
            );
        }
        // Unfolding restores the escaped description.
        let unfolded = ics.replace("\r\n ", "");
        assert!(unfolded.contains("DESCRIPTION:第一责任人\\; 须有会议记录\\n和参加人员"));
    }
}

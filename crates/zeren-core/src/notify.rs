//! The rules of notifications: when an obligation earns a reminder (due soon, overdue) and under
//! which period key it is sent only once; what the reminder says; when a person's quiet hours
//! hold a message back; how long a robot's rate budgets make the next message wait. Pure: callers
//! pass today, now and what was sent.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};

/// China time (UTC+8, no daylight saving): quiet hours and digest times are in it.
pub fn china(t: DateTime<Utc>) -> NaiveDateTime {
    (t + Duration::hours(8)).naive_utc()
}

/// A China-time moment as UTC.
pub fn from_china(t: NaiveDateTime) -> DateTime<Utc> {
    DateTime::<Utc>::from_naive_utc_and_offset(t - Duration::hours(8), Utc)
}

/// `08:30` (or `8:30`) as a time of day.
pub fn parse_clock(s: &str) -> Option<NaiveTime> {
    let (h, m) = s.trim().split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    NaiveTime::from_hms_opt(h, m, 0)
}

/// The hours in which a person wants no messages (China time); they may run over midnight
/// (`22:00-07:00`). Urgent messages ignore them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuietHours {
    pub from: NaiveTime,
    pub to: NaiveTime,
}

impl QuietHours {
    /// `22:00-07:00`; None when malformed or empty (`from` equal to `to`).
    pub fn parse(s: &str) -> Option<QuietHours> {
        let (a, b) = s.split_once('-')?;
        let q = QuietHours {
            from: parse_clock(a)?,
            to: parse_clock(b)?,
        };
        (q.from != q.to).then_some(q)
    }

    pub fn text(&self) -> String {
        format!("{}-{}", self.from.format("%H:%M"), self.to.format("%H:%M"))
    }

    fn holds(&self, t: NaiveTime) -> bool {
        if self.from < self.to {
            self.from <= t && t < self.to
        } else {
            t >= self.from || t < self.to
        }
    }

    /// If `now` falls in the quiet hours, the moment they end.
    pub fn release(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let local = china(now);
        if !self.holds(local.time()) {
            return None;
        }
        let mut end = local.date().and_time(self.to);
        if end <= local {
            end += Duration::days(1);
        }
        Some(from_china(end))
    }
}

/// When a message made at `now` may go out to a person with `quiet` hours.
pub fn deliver_at(now: DateTime<Utc>, quiet: Option<&QuietHours>, urgent: bool) -> DateTime<Utc> {
    match quiet {
        Some(q) if !urgent => q.release(now).unwrap_or(now),
        _ => now,
    }
}

/// The policy format has no reminder lead time, so it comes from the configuration: this many
/// days before an obligation falls due, by frequency, unless `zeren.toml` says otherwise.
pub fn default_lead_days(every: &str) -> u32 {
    match every {
        "week" => 1,
        "month" => 3,
        "quarter" | "holiday" => 7,
        "half_year" | "year" => 14,
        _ => 3,
    }
}

/// Why an obligation is brought to someone's attention.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReminderKind {
    DueSoon,
    Overdue,
}

impl ReminderKind {
    pub fn word(self) -> &'static str {
        match self {
            ReminderKind::DueSoon => "due_soon",
            ReminderKind::Overdue => "overdue",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            ReminderKind::DueSoon => "即将到期",
            ReminderKind::Overdue => "已逾期",
        }
    }
}

/// A reminder an obligation earns today.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reminder {
    pub kind: ReminderKind,
    /// The period of the delivery key: one due-soon reminder per due date, one overdue reminder
    /// per `overdue_every_days` late. A re-run (or a second instance) computes the same key and
    /// the delivery ledger's unique constraint skips it.
    pub period: String,
    /// Days left (due soon, 0 on the due date) or days late (overdue).
    pub days: i64,
}

/// The reminder an obligation due on `due` earns on `today`, if any: once within `lead_days`
/// of its due date, then once on its first day late and every `overdue_every_days` after, until
/// it is done.
pub fn reminder(
    due: NaiveDate,
    done: bool,
    today: NaiveDate,
    lead_days: u32,
    overdue_every_days: u32,
) -> Option<Reminder> {
    if done {
        return None;
    }
    let left = (due - today).num_days();
    if left >= 0 {
        return (left <= i64::from(lead_days)).then(|| Reminder {
            kind: ReminderKind::DueSoon,
            period: format!("due:{due}"),
            days: left,
        });
    }
    let late = -left;
    let every = i64::from(overdue_every_days.max(1));
    Some(Reminder {
        kind: ReminderKind::Overdue,
        period: format!("late:{due}:{}", (late - 1) / every),
        days: late,
    })
}

/// `6月30日`, the way dates are said in a reminder.
pub fn month_day(d: NaiveDate) -> String {
    format!("{}月{}日", d.month(), d.day())
}

/// The subject and body of a reminder about `title` (`period_label`, due on `due`).
pub fn reminder_text(
    r: &Reminder,
    title: &str,
    period_label: &str,
    unit_name: &str,
    due: NaiveDate,
) -> (String, String) {
    let subject = format!("【{}】{}（{}）", r.kind.zh(), title, period_label);
    let when = match (r.kind, r.days) {
        (ReminderKind::DueSoon, 0) => format!("今天（{}）到期", month_day(due)),
        (ReminderKind::DueSoon, d) => format!("将于{}到期，还有{}天", month_day(due), d),
        (ReminderKind::Overdue, d) => {
            format!("已于{}到期，逾期{}天，请尽快完成并登记", month_day(due), d)
        }
    };
    let body = format!("{unit_name}的“{title}”（{period_label}）{when}。");
    (subject, body)
}

/// A robot's rate budget: at most `count` messages in any `window`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    pub count: usize,
    pub window: Duration,
}

/// When the next message may be sent without breaking any of `budgets`, given when earlier ones
/// were sent (any order): None if now. A message counts in a window from the moment its sending
/// finished, which is never earlier than the platform received it, so the platform never sees more
/// than `count` in its own window.
pub fn next_send(
    sent: &[DateTime<Utc>],
    budgets: &[Budget],
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let mut times: Vec<DateTime<Utc>> = sent.to_vec();
    times.sort();
    let mut wait: Option<DateTime<Utc>> = None;
    for b in budgets {
        if b.count == 0 {
            continue;
        }
        let recent: Vec<&DateTime<Utc>> = times.iter().filter(|t| **t > now - b.window).collect();
        if recent.len() >= b.count {
            // The send `count` places back must leave the window first.
            let free = *recent[recent.len() - b.count] + b.window;
            if free > now {
                wait = Some(wait.map_or(free, |w| w.max(free)));
            }
        }
    }
    wait
}

/// Cuts `text` to at most `max` bytes of UTF-8 without splitting a character.
pub fn cut_to_bytes(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while end > 0 && !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// A UTC instant given as China time.
    fn cn(s: &str) -> DateTime<Utc> {
        from_china(NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap())
    }

    #[test]
    fn quiet_hours_over_midnight() {
        let q = QuietHours::parse("22:00-07:00").unwrap();
        assert_eq!(q.text(), "22:00-07:00");
        assert_eq!(q.release(cn("2026-05-04 21:59")), None);
        assert_eq!(
            q.release(cn("2026-05-04 22:00")),
            Some(cn("2026-05-05 07:00"))
        );
        assert_eq!(
            q.release(cn("2026-05-05 06:30")),
            Some(cn("2026-05-05 07:00"))
        );
        assert_eq!(q.release(cn("2026-05-05 07:00")), None);
        // Urgent messages go at once.
        assert_eq!(
            deliver_at(cn("2026-05-04 23:00"), Some(&q), true),
            cn("2026-05-04 23:00")
        );
        assert_eq!(
            deliver_at(cn("2026-05-04 23:00"), Some(&q), false),
            cn("2026-05-05 07:00")
        );
        assert_eq!(
            deliver_at(cn("2026-05-04 23:00"), None, false),
            cn("2026-05-04 23:00")
        );
    }

    #[test]
    fn quiet_hours_within_a_day() {
        let q = QuietHours::parse("12:00-13:30").unwrap();
        assert_eq!(
            q.release(cn("2026-05-04 12:10")),
            Some(cn("2026-05-04 13:30"))
        );
        assert_eq!(q.release(cn("2026-05-04 13:30")), None);
        assert!(QuietHours::parse("8:00-8:00").is_none());
        assert!(QuietHours::parse("25:00-07:00").is_none());
        assert!(QuietHours::parse("22:00").is_none());
    }

    #[test]
    fn one_due_soon_reminder_then_overdue_every_week() {
        let due = d("2026-06-30");
        assert_eq!(reminder(due, false, d("2026-06-22"), 7, 7), None);
        let r = reminder(due, false, d("2026-06-23"), 7, 7).unwrap();
        assert_eq!((r.kind, r.days), (ReminderKind::DueSoon, 7));
        // Every day of the lead window computes the same key: it is sent once.
        assert_eq!(
            reminder(due, false, d("2026-06-30"), 7, 7).unwrap().period,
            r.period
        );
        assert_eq!(reminder(due, true, d("2026-06-25"), 7, 7), None);
        let late1 = reminder(due, false, d("2026-07-01"), 7, 7).unwrap();
        assert_eq!((late1.kind, late1.days), (ReminderKind::Overdue, 1));
        assert_eq!(
            reminder(due, false, d("2026-07-07"), 7, 7).unwrap().period,
            late1.period
        );
        let late8 = reminder(due, false, d("2026-07-08"), 7, 7).unwrap();
        assert_ne!(late8.period, late1.period);
        assert_eq!(reminder(due, true, d("2026-07-08"), 7, 7), None);
        // Zero days between overdue reminders means daily, not a division by zero.
        assert!(reminder(due, false, d("2026-07-08"), 7, 0).is_some());
    }

    #[test]
    fn reminder_words() {
        let r = reminder(d("2026-06-30"), false, d("2026-06-27"), 7, 7).unwrap();
        let (s, b) = reminder_text(&r, "专题学习", "2026年第2季度", "第一中学", d("2026-06-30"));
        assert_eq!(s, "【即将到期】专题学习（2026年第2季度）");
        assert!(b.contains("将于6月30日到期，还有3天"), "{b}");
        let r = reminder(d("2026-06-30"), false, d("2026-07-02"), 7, 7).unwrap();
        let (s, b) = reminder_text(&r, "专题学习", "2026年第2季度", "第一中学", d("2026-06-30"));
        assert!(s.starts_with("【已逾期】"));
        assert!(b.contains("逾期2天"), "{b}");
    }

    #[test]
    fn a_budget_waits_for_the_oldest_send_to_leave_the_window() {
        let b = [Budget {
            count: 2,
            window: Duration::seconds(60),
        }];
        let t0 = cn("2026-05-04 10:00");
        assert_eq!(next_send(&[], &b, t0), None);
        assert_eq!(next_send(&[t0], &b, t0), None);
        let sent = [t0, t0 + Duration::seconds(10)];
        assert_eq!(
            next_send(&sent, &b, t0 + Duration::seconds(20)),
            Some(t0 + Duration::seconds(60))
        );
        assert_eq!(next_send(&sent, &b, t0 + Duration::seconds(60)), None);
    }

    #[test]
    fn cutting_keeps_characters_whole() {
        assert_eq!(cut_to_bytes("责任制", 4), "责");
        assert_eq!(cut_to_bytes("责任制", 9), "责任制");
        assert_eq!(cut_to_bytes("ab", 0), "");
    }

    proptest! {
        /// Sending whenever `next_send` allows never puts more than a budget's count in any of
        /// its windows (Feishu's two budgets at once).
        #[test]
        fn following_next_send_never_breaks_a_budget(gaps in proptest::collection::vec(0i64..3000, 1..120)) {
            let budgets = [
                Budget { count: 5, window: Duration::seconds(1) },
                Budget { count: 20, window: Duration::seconds(60) },
            ];
            let mut now = cn("2026-05-04 10:00");
            let mut sent: Vec<DateTime<Utc>> = Vec::new();
            for g in gaps {
                now += Duration::milliseconds(g);
                if let Some(at) = next_send(&sent, &budgets, now) {
                    prop_assert!(at > now);
                    now = at;
                    prop_assert_eq!(next_send(&sent, &budgets, now), None);
                }
                sent.push(now);
            }
            for b in &budgets {
                for (i, t) in sent.iter().enumerate() {
                    let within = sent[i..].iter().filter(|u| **u < *t + b.window).count();
                    prop_assert!(within <= b.count, "{} in a window of {:?}", within, b.window);
                }
            }
        }

        #[test]
        fn cut_is_a_prefix_within_the_limit(s in "\\PC{0,40}", max in 0usize..100) {
            let c = cut_to_bytes(&s, max);
            prop_assert!(c.len() <= max);
            prop_assert!(s.starts_with(c));
        }
    }
}

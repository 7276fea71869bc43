//! Oversight of a subtree (the parent's dashboard): how the obligations of units below stand on a
//! day — done on time, done late, overdue, not due yet — from counts the store keeps; which units
//! are worst; the trend by month; ages of what waits; and where a report requested from a child
//! stands. Pure: `today` is passed in.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

/// How many obligations, and how many of them were done on time and done late (the rest are
/// open). Signed: the store adds and subtracts them as obligations change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Counts {
    pub total: i64,
    pub on_time: i64,
    pub late: i64,
}

impl Counts {
    pub fn new(total: i64, on_time: i64, late: i64) -> Counts {
        Counts {
            total,
            on_time,
            late,
        }
    }
    pub fn open(&self) -> i64 {
        self.total - self.on_time - self.late
    }
    pub fn plus(self, o: Counts) -> Counts {
        Counts::new(
            self.total + o.total,
            self.on_time + o.on_time,
            self.late + o.late,
        )
    }
    pub fn minus(self, o: Counts) -> Counts {
        Counts::new(
            self.total - o.total,
            self.on_time - o.on_time,
            self.late - o.late,
        )
    }
    pub fn is_zero(&self) -> bool {
        *self == Counts::default()
    }
    /// One obligation due on `due`, fulfilled on `done_on` (if it is).
    pub fn one(due: NaiveDate, done_on: Option<NaiveDate>) -> Counts {
        match done_on {
            Some(d) if d <= due => Counts::new(1, 1, 0),
            Some(_) => Counts::new(1, 0, 1),
            None => Counts::new(1, 0, 0),
        }
    }
}

/// The day an obligation needing `times` records is fulfilled: the `times`-th earliest work date
/// of its records (as [`crate::obligations::status`] decides done and late).
pub fn fulfilled_on(times: u32, work_dates: &[NaiveDate]) -> Option<NaiveDate> {
    let needed = times.max(1) as usize;
    if work_dates.len() < needed {
        return None;
    }
    let mut d = work_dates.to_vec();
    d.sort();
    Some(d[needed - 1])
}

/// How a set of obligations stands on a day. Serialised with what follows from the counts
/// (`upcoming`, `completion`, `on_time_rate`, `heat`), as the API answers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Standing {
    /// Due before the day.
    pub due: i64,
    pub on_time: i64,
    pub late: i64,
    /// Due before the day and not done.
    pub overdue: i64,
    /// Due on the day or later.
    pub ahead: i64,
    /// Of those, already done.
    pub ahead_done: i64,
}

/// The colour of a cell: what a leader must look at first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Heat {
    /// Nothing due yet.
    None,
    /// Something is overdue.
    Red,
    /// Nothing overdue, something done late.
    Amber,
    /// Everything due was done on time.
    Green,
}

impl Heat {
    pub fn word(self) -> &'static str {
        match self {
            Heat::None => "none",
            Heat::Red => "red",
            Heat::Amber => "amber",
            Heat::Green => "green",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            Heat::None => "尚无到期",
            Heat::Red => "有逾期未完成",
            Heat::Amber => "有逾期完成",
            Heat::Green => "全部按期完成",
        }
    }
}

impl Standing {
    /// From the counts of all obligations and of those due before the day.
    pub fn of(all: Counts, past: Counts) -> Standing {
        let ahead = all.minus(past);
        Standing {
            due: past.total,
            on_time: past.on_time,
            late: past.late,
            overdue: past.open(),
            ahead: ahead.total,
            ahead_done: ahead.on_time + ahead.late,
        }
    }

    pub fn plus(self, o: Standing) -> Standing {
        Standing {
            due: self.due + o.due,
            on_time: self.on_time + o.on_time,
            late: self.late + o.late,
            overdue: self.overdue + o.overdue,
            ahead: self.ahead + o.ahead,
            ahead_done: self.ahead_done + o.ahead_done,
        }
    }

    /// What is left of a subtree's standing without some of its parts (its children's: the
    /// unit's own obligations).
    pub fn minus(self, o: Standing) -> Standing {
        Standing {
            due: self.due - o.due,
            on_time: self.on_time - o.on_time,
            late: self.late - o.late,
            overdue: self.overdue - o.overdue,
            ahead: self.ahead - o.ahead,
            ahead_done: self.ahead_done - o.ahead_done,
        }
    }

    /// How many obligations in all, due or not.
    pub fn total(&self) -> i64 {
        self.due + self.ahead
    }

    /// How many of one kind, by its word in links and the API (`due`, `done_on_time`,
    /// `done_late`, `overdue`, `upcoming`, `done_ahead`).
    pub fn count(&self, which: Which) -> i64 {
        match which {
            Which::Due => self.due,
            Which::OnTime => self.on_time,
            Which::Late => self.late,
            Which::Overdue => self.overdue,
            Which::Upcoming => self.upcoming(),
            Which::DoneAhead => self.ahead_done,
        }
    }

    /// Not due yet and not done.
    pub fn upcoming(&self) -> i64 {
        self.ahead - self.ahead_done
    }

    /// Of what was due, the share done (on time or late), in whole per cent; `None` when nothing
    /// was due.
    pub fn completion(&self) -> Option<u32> {
        percent(self.on_time + self.late, self.due)
    }

    /// Of what was due, the share done on time, in whole per cent.
    pub fn on_time_rate(&self) -> Option<u32> {
        percent(self.on_time, self.due)
    }

    pub fn heat(&self) -> Heat {
        if self.due == 0 {
            Heat::None
        } else if self.overdue > 0 {
            Heat::Red
        } else if self.late > 0 {
            Heat::Amber
        } else {
            Heat::Green
        }
    }

    /// The order "worst first": the lowest completion, then the most overdue, then the most
    /// late; units with nothing due last.
    pub fn worse_than(&self, o: &Standing) -> std::cmp::Ordering {
        let key = |s: &Standing| {
            (
                s.due == 0,
                // Per mille so that 2 of 3 ranks below 67 of 100.
                if s.due == 0 {
                    0
                } else {
                    (s.on_time + s.late) * 1000 / s.due
                },
                -s.overdue,
                -s.late,
            )
        };
        key(self).cmp(&key(o))
    }
}

impl Serialize for Standing {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut m = s.serialize_struct("Standing", 10)?;
        m.serialize_field("due", &self.due)?;
        m.serialize_field("on_time", &self.on_time)?;
        m.serialize_field("late", &self.late)?;
        m.serialize_field("overdue", &self.overdue)?;
        m.serialize_field("ahead", &self.ahead)?;
        m.serialize_field("ahead_done", &self.ahead_done)?;
        m.serialize_field("upcoming", &self.upcoming())?;
        m.serialize_field("completion", &self.completion())?;
        m.serialize_field("on_time_rate", &self.on_time_rate())?;
        m.serialize_field("heat", &self.heat())?;
        m.end()
    }
}

/// Which obligations of a standing a number counts (and a drill-down lists): of those due
/// before the day, all, the ones done on time, done late or still open (overdue); of those not
/// due yet, the ones still open (upcoming) and the ones already done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Which {
    Due,
    #[serde(rename = "done_on_time")]
    OnTime,
    #[serde(rename = "done_late")]
    Late,
    Overdue,
    Upcoming,
    DoneAhead,
}

impl Which {
    pub const ALL: [Which; 6] = [
        Which::Due,
        Which::OnTime,
        Which::Late,
        Which::Overdue,
        Which::Upcoming,
        Which::DoneAhead,
    ];

    pub fn word(self) -> &'static str {
        match self {
            Which::Due => "due",
            Which::OnTime => "done_on_time",
            Which::Late => "done_late",
            Which::Overdue => "overdue",
            Which::Upcoming => "upcoming",
            Which::DoneAhead => "done_ahead",
        }
    }

    pub fn parse(s: &str) -> Option<Which> {
        Which::ALL.into_iter().find(|w| w.word() == s)
    }

    /// Whether one obligation due on `due`, fulfilled on `done_on`, is of this kind on `today`.
    pub fn holds(self, due: NaiveDate, done_on: Option<NaiveDate>, today: NaiveDate) -> bool {
        let past = due < today;
        match self {
            Which::Due => past,
            Which::OnTime => past && done_on.is_some_and(|d| d <= due),
            Which::Late => past && done_on.is_some_and(|d| d > due),
            Which::Overdue => past && done_on.is_none(),
            Which::Upcoming => !past && done_on.is_none(),
            Which::DoneAhead => !past && done_on.is_some(),
        }
    }
}

/// `part` of `whole` in whole per cent, rounded down (99.6 % is not 100 %).
pub fn percent(part: i64, whole: i64) -> Option<u32> {
    (whole > 0).then(|| (part.max(0) * 100 / whole) as u32)
}

/// One month of the trend: the obligations due in it (before the day), and how they stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MonthPoint {
    pub year: i32,
    pub month: u32,
    pub standing: Standing,
}

/// The trend by month of due date, from the day's counts per due date: the months of `year` up
/// to the day (later months are not due yet and are left out).
pub fn by_month(
    year: i32,
    rows: impl IntoIterator<Item = (NaiveDate, Counts)>,
    today: NaiveDate,
) -> Vec<MonthPoint> {
    let last = if today.year() > year {
        12
    } else if today.year() < year {
        0
    } else {
        today.month()
    };
    let mut out: Vec<MonthPoint> = (1..=last)
        .map(|month| MonthPoint {
            year,
            month,
            standing: Standing::default(),
        })
        .collect();
    for (due, c) in rows {
        if due.year() != year || due.month() > last {
            continue;
        }
        let s = &mut out[due.month() as usize - 1].standing;
        let past = if due < today { c } else { Counts::default() };
        *s = s.plus(Standing::of(c, past));
    }
    out
}

/// How long something has waited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Age {
    Week,
    Month,
    Quarter,
    Older,
}

impl Age {
    pub const ALL: [Age; 4] = [Age::Week, Age::Month, Age::Quarter, Age::Older];

    pub fn of_days(days: i64) -> Age {
        match days {
            ..=7 => Age::Week,
            8..=30 => Age::Month,
            31..=90 => Age::Quarter,
            _ => Age::Older,
        }
    }
    pub fn word(self) -> &'static str {
        match self {
            Age::Week => "week",
            Age::Month => "month",
            Age::Quarter => "quarter",
            Age::Older => "older",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            Age::Week => "7天以内",
            Age::Month => "8至30天",
            Age::Quarter => "31至90天",
            Age::Older => "90天以上",
        }
    }
}

/// Where a report requested from a unit stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    /// Nothing submitted, the deadline not passed.
    Pending,
    /// Nothing submitted and the deadline passed.
    Overdue,
    /// Submitted, waiting for the parent's 签收.
    Waiting,
    /// Returned by the parent, waiting for a new version.
    Returned,
    /// Acknowledged (签收).
    Acknowledged,
}

impl ReportStatus {
    pub const ALL: [ReportStatus; 5] = [
        ReportStatus::Overdue,
        ReportStatus::Pending,
        ReportStatus::Returned,
        ReportStatus::Waiting,
        ReportStatus::Acknowledged,
    ];

    /// From the latest submission (none; or whether it was answered, and how) on `today`.
    pub fn of(due: NaiveDate, latest: Option<Option<bool>>, today: NaiveDate) -> ReportStatus {
        match latest {
            None if today > due => ReportStatus::Overdue,
            None => ReportStatus::Pending,
            Some(None) => ReportStatus::Waiting,
            Some(Some(true)) => ReportStatus::Acknowledged,
            Some(Some(false)) => ReportStatus::Returned,
        }
    }
    pub fn word(self) -> &'static str {
        match self {
            ReportStatus::Pending => "pending",
            ReportStatus::Overdue => "overdue",
            ReportStatus::Waiting => "waiting",
            ReportStatus::Returned => "returned",
            ReportStatus::Acknowledged => "acknowledged",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            ReportStatus::Pending => "待报送",
            ReportStatus::Overdue => "逾期未报",
            ReportStatus::Waiting => "待签收",
            ReportStatus::Returned => "已退回",
            ReportStatus::Acknowledged => "已签收",
        }
    }
    /// Whether the unit still has to act (submit, or resubmit).
    pub fn unit_must_act(self) -> bool {
        matches!(
            self,
            ReportStatus::Pending | ReportStatus::Overdue | ReportStatus::Returned
        )
    }
}

/// Whether a report was submitted late: its first version came in after the deadline.
pub fn submitted_late(due: NaiveDate, first_submitted_on: Option<NaiveDate>) -> bool {
    first_submitted_on.is_some_and(|d| d > due)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::obligations::{status, Status};
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_standing_splits_what_was_due_from_what_is_ahead() {
        let all = Counts::new(10, 5, 2);
        let past = Counts::new(8, 4, 2);
        let s = Standing::of(all, past);
        assert_eq!(
            (s.due, s.on_time, s.late, s.overdue, s.ahead, s.ahead_done),
            (8, 4, 2, 2, 2, 1)
        );
        assert_eq!(s.upcoming(), 1);
        assert_eq!(s.completion(), Some(75));
        assert_eq!(s.on_time_rate(), Some(50));
        assert_eq!(s.heat(), Heat::Red);
        assert_eq!(Standing::of(all, Counts::default()).heat(), Heat::None);
        assert_eq!(
            Standing::of(Counts::new(3, 2, 1), Counts::new(3, 2, 1)).heat(),
            Heat::Amber
        );
        assert_eq!(
            Standing::of(Counts::new(3, 3, 0), Counts::new(3, 3, 0)).heat(),
            Heat::Green
        );
    }

    #[test]
    fn worst_first_is_lowest_completion_then_most_overdue() {
        let s = |due, on_time, late| {
            Standing::of(
                Counts::new(due, on_time, late),
                Counts::new(due, on_time, late),
            )
        };
        let mut v = [
            s(4, 4, 0),
            s(0, 0, 0),
            s(3, 1, 0),
            s(100, 33, 0),
            s(4, 2, 2),
        ];
        v.sort_by(|a, b| a.worse_than(b));
        assert_eq!(v[0], s(100, 33, 0), "33 % before 33.3 %");
        assert_eq!(v[1], s(3, 1, 0));
        assert_eq!(v[2], s(4, 2, 2), "all done, some late, before all on time");
        assert_eq!(v[3], s(4, 4, 0));
        assert_eq!(v[4].due, 0, "nothing due comes last");
    }

    #[test]
    fn the_trend_stops_at_the_day() {
        let rows = vec![
            (d(2026, 1, 31), Counts::new(10, 8, 1)),
            (d(2026, 3, 31), Counts::new(10, 5, 0)),
            (d(2026, 3, 10), Counts::new(2, 2, 0)),
            (d(2026, 5, 31), Counts::new(10, 0, 0)),
            (d(2025, 12, 31), Counts::new(10, 0, 0)),
        ];
        let t = by_month(2026, rows.clone(), d(2026, 3, 20));
        assert_eq!(t.len(), 3);
        assert_eq!(t[0].standing.overdue, 1);
        assert_eq!(t[1].standing.due, 0);
        // March: the 10th is past, the 31st is not yet due (done ahead counts as ahead).
        assert_eq!(t[2].standing.due, 2);
        assert_eq!(t[2].standing.ahead, 10);
        assert_eq!(t[2].standing.ahead_done, 5);
        assert_eq!(by_month(2026, rows.clone(), d(2027, 1, 1)).len(), 12);
        assert!(by_month(2026, rows, d(2025, 6, 1)).is_empty());
    }

    #[test]
    fn ages_and_report_status() {
        assert_eq!(Age::of_days(0), Age::Week);
        assert_eq!(Age::of_days(8), Age::Month);
        assert_eq!(Age::of_days(31), Age::Quarter);
        assert_eq!(Age::of_days(91), Age::Older);
        let due = d(2026, 6, 30);
        assert_eq!(ReportStatus::of(due, None, due), ReportStatus::Pending);
        assert_eq!(
            ReportStatus::of(due, None, d(2026, 7, 1)),
            ReportStatus::Overdue
        );
        assert_eq!(
            ReportStatus::of(due, Some(None), d(2026, 7, 1)),
            ReportStatus::Waiting
        );
        assert_eq!(
            ReportStatus::of(due, Some(Some(false)), due),
            ReportStatus::Returned
        );
        assert!(ReportStatus::Returned.unit_must_act());
        assert!(!ReportStatus::Waiting.unit_must_act());
        assert!(submitted_late(due, Some(d(2026, 7, 1))));
        assert!(!submitted_late(due, Some(due)));
    }

    proptest! {
        /// Each kind's count in a standing is the number of obligations it holds for, and the
        /// kinds split the obligations as the page shows them.
        #[test]
        fn kinds_count_what_they_hold(
            obs in proptest::collection::vec((0i64..60, proptest::option::of(-10i64..70)), 0..30),
            today_off in 0i64..60,
        ) {
            let base = d(2026, 1, 1);
            let today = base + chrono::Duration::days(today_off);
            let (mut all, mut past) = (Counts::default(), Counts::default());
            let obs: Vec<(NaiveDate, Option<NaiveDate>)> = obs
                .into_iter()
                .map(|(due, done)| (base + chrono::Duration::days(due), done.map(|x| base + chrono::Duration::days(x))))
                .collect();
            for (due, done) in &obs {
                let c = Counts::one(*due, *done);
                all = all.plus(c);
                if *due < today {
                    past = past.plus(c);
                }
            }
            let s = Standing::of(all, past);
            for w in Which::ALL {
                let n = obs.iter().filter(|(due, done)| w.holds(*due, *done, today)).count() as i64;
                prop_assert_eq!(s.count(w), n, "{:?}", w);
                prop_assert_eq!(Which::parse(w.word()), Some(w));
            }
            prop_assert_eq!(s.on_time + s.late + s.overdue, s.due);
            prop_assert_eq!(s.due + s.upcoming() + s.ahead_done, obs.len() as i64);
        }

        /// The day kept with an obligation says what the ledger's status says: done on time,
        /// done late, or not done.
        #[test]
        fn fulfilled_on_agrees_with_the_status(
            times in 1u32..4,
            offsets in proptest::collection::vec(-20i64..20, 0..6),
            today_off in -5i64..40,
        ) {
            let due = d(2026, 6, 30);
            let dates: Vec<NaiveDate> = offsets.iter().map(|o| due + chrono::Duration::days(*o)).collect();
            let today = due + chrono::Duration::days(today_off);
            let st = status(due, times, &dates, today, 7);
            let c = Counts::one(due, fulfilled_on(times, &dates));
            match st {
                Status::DoneOnTime => prop_assert_eq!(c, Counts::new(1, 1, 0)),
                Status::DoneLate => prop_assert_eq!(c, Counts::new(1, 0, 1)),
                _ => prop_assert_eq!(c, Counts::new(1, 0, 0)),
            }
        }
    }
}

//! Expands a policy's duties into the dated obligations a unit gets in one year. This is the
//! organisation-free expansion: per-holder duties expand once for each of the role's minimum
//! holders (at least one), and duties of other units (`at`) once per period, marked with their `at`.
//! The server does the same per real holder and unit with [`obligations_in`] and [`due_date`].

use chrono::{Datelike, Days, NaiveDate};

use crate::calendar::{periods, Period, WorkCalendar};
use crate::model::{DueRule, Duty, Frequency, Per, Policy};

/// One dated instance of a duty.
#[derive(Debug, Clone, PartialEq)]
pub struct Obligation<'p> {
    pub duty: &'p Duty,
    pub period: Period,
    pub due: NaiveDate,
    /// For per-holder duties: which holder (1-based) when no real holders are known.
    pub holder: Option<u32>,
}

/// Something the reader of an expansion must know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// The year has no statutory holiday table: due dates avoid weekends only, and holiday duties
    /// have no obligations.
    NoHolidayTable { year: i32 },
}

impl Note {
    pub fn en(&self) -> String {
        match self {
            Note::NoHolidayTable { year } => format!(
                "{year} has no statutory holiday table: due dates avoid weekends only and holiday duties are not expanded; import the year with `zeren calendar import`"
            ),
        }
    }
    pub fn zh(&self) -> String {
        match self {
            Note::NoHolidayTable { year } => format!(
                "{year}年的法定节假日安排尚未导入：到期日仅避开周末，节假日类工作任务暂不生成；请导入国务院当年的节假日通知"
            ),
        }
    }
}

/// The obligations of a year and what the reader must know about them.
#[derive(Debug, Clone, PartialEq)]
pub struct Expansion<'p> {
    pub obligations: Vec<Obligation<'p>>,
    pub notes: Vec<Note>,
}

/// The due date of `duty` in `period`, moved off non-working days as the duty says.
pub fn due_date(duty: &Duty, period: &Period, cal: &WorkCalendar) -> NaiveDate {
    let raw = match (duty.every, duty.due) {
        (Frequency::Holiday, _) => {
            let lead = duty.lead.and_then(|l| l.whole_days()).unwrap_or(0);
            period.start - Days::new(u64::from(lead))
        }
        (_, DueRule::End) => period.end,
        (_, DueRule::StartPlus { days }) => period.start + Days::new(u64::from(days)),
        (_, DueRule::MonthDay { month, day }) => {
            let y = period.start.year();
            // 02-29 in a common year falls back to 02-28.
            NaiveDate::from_ymd_opt(y, month, day)
                .or_else(|| NaiveDate::from_ymd_opt(y, month, day - 1))
                .unwrap_or(period.end)
        }
    };
    cal.adjust(raw, duty.workday)
}

/// The periods of `duty` in `year`: calendar periods, or the year's holiday breaks.
pub fn obligations_in(duty: &Duty, year: i32, cal: &WorkCalendar) -> Vec<Period> {
    match duty.every {
        Frequency::Holiday => cal
            .holidays(year)
            .into_iter()
            .map(|h| Period {
                every: Frequency::Holiday,
                start: h.start,
                end: h.end,
                holiday: Some(h.name),
            })
            .collect(),
        f => periods(f, year),
    }
}

/// Expands every duty of `policy` for `year`, in the order of the file, period by period.
pub fn expand<'p>(policy: &'p Policy, year: i32, cal: &WorkCalendar) -> Expansion<'p> {
    let mut notes = Vec::new();
    if !cal.knows(year) {
        notes.push(Note::NoHolidayTable { year });
    }
    let mut obligations = Vec::new();
    for duty in &policy.duties {
        let holders = match duty.per {
            Per::Unit => None,
            Per::Holder => Some(
                duty.role
                    .as_ref()
                    .and_then(|r| policy.role(r))
                    .map_or(1, |r| r.holders.min.max(1)),
            ),
        };
        for period in obligations_in(duty, year, cal) {
            let due = due_date(duty, &period, cal);
            match holders {
                None => obligations.push(Obligation {
                    duty,
                    period,
                    due,
                    holder: None,
                }),
                Some(n) => obligations.extend((1..=n).map(|h| Obligation {
                    duty,
                    period: period.clone(),
                    due,
                    holder: Some(h),
                })),
            }
        }
    }
    // By due date; obligations due the same day keep the order of the file.
    obligations.sort_by_key(|o| o.due);
    Expansion { obligations, notes }
}

impl Obligation<'_> {
    /// The obligation as JSON for the CLI and the API: `duty`, `title`, `period`, `period_start`,
    /// `period_end`, `due` (ISO dates), `per`, `holder`, `at`, `owner`, `times`,
    /// `report_to_parent`, `evidence`.
    pub fn to_json(&self) -> serde_json::Value {
        let d = self.duty;
        serde_json::json!({
            "duty": d.id,
            "title": d.title,
            "period": self.period.label(),
            "period_start": self.period.start.to_string(),
            "period_end": self.period.end.to_string(),
            "due": self.due.to_string(),
            "per": d.per,
            "holder": self.holder,
            "at": d.at.to_string(),
            "owner": d.answering_role(),
            "times": d.times,
            "report_to_parent": d.report_to_parent,
            "evidence": d.evidence,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse;

    fn policy(duties: &str) -> Policy {
        let text = format!(
            "format = 1\n[policy]\nid = \"t\"\ntitle = \"测试\"\n[roles.first_responsible]\ntitle = \"第一责任人\"\n[roles.leadership]\ntitle = \"班子成员\"\nholders = {{ min = 3 }}\n{duties}"
        );
        parse("t.toml", &text).unwrap_or_else(|e| panic!("{e}"))
    }

    fn dues(p: &Policy, year: i32) -> Vec<String> {
        let cal = WorkCalendar::bundled();
        expand(p, year, &cal)
            .obligations
            .iter()
            .map(|o| o.due.to_string())
            .collect()
    }

    #[test]
    fn monthly_end_before_2026() {
        let p = policy("[duties.m]\ntitle = \"月度\"\nevery = \"month\"\ndue = \"end\"\nworkday = \"before\"\n");
        assert_eq!(
            dues(&p, 2026),
            [
                "2026-01-30",
                "2026-02-28",
                "2026-03-31",
                "2026-04-30",
                "2026-05-29",
                "2026-06-30",
                "2026-07-31",
                "2026-08-31",
                "2026-09-30",
                "2026-10-30",
                "2026-11-30",
                "2026-12-31"
            ]
        );
    }

    #[test]
    fn start_plus_three_days_in_october_2026() {
        let p = policy("[duties.m]\ntitle = \"月度\"\nevery = \"month\"\ndue = \"start+3d\"\nworkday = \"before\"\n");
        assert_eq!(dues(&p, 2026)[9], "2026-09-30");
        let p = policy("[duties.m]\ntitle = \"月度\"\nevery = \"month\"\ndue = \"start+3d\"\nworkday = \"after\"\n");
        assert_eq!(dues(&p, 2026)[9], "2026-10-08");
    }

    #[test]
    fn per_holder_expands_min_holders() {
        let p = policy("[duties.lecture]\ntitle = \"授课\"\nevery = \"year\"\nper = \"holder\"\nrole = \"leadership\"\n");
        let cal = WorkCalendar::bundled();
        let e = expand(&p, 2026, &cal);
        assert_eq!(e.obligations.len(), 3);
        assert_eq!(
            e.obligations.iter().map(|o| o.holder).collect::<Vec<_>>(),
            [Some(1), Some(2), Some(3)]
        );
        assert_eq!(e.obligations[0].due.to_string(), "2026-12-31");
    }

    #[test]
    fn per_holder_with_no_minimum_expands_once() {
        let p = policy("[roles.officer]\ntitle = \"宣传员\"\n[duties.x]\ntitle = \"x\"\nevery = \"year\"\nper = \"holder\"\nrole = \"officer\"\n");
        assert_eq!(dues(&p, 2026).len(), 1);
    }

    #[test]
    fn holiday_duties_use_lead_and_the_table() {
        let p = policy("[duties.h]\ntitle = \"节前研判\"\nevery = \"holiday\"\nlead = \"3d\"\n");
        let cal = WorkCalendar::bundled();
        let e = expand(&p, 2026, &cal);
        let got: Vec<(String, String)> = e
            .obligations
            .iter()
            .map(|o| (o.period.label(), o.due.to_string()))
            .collect();
        assert_eq!(
            got,
            [
                ("2026年元旦".to_string(), "2025-12-29".to_string()),
                ("2026年春节".to_string(), "2026-02-12".to_string()),
                ("2026年清明节".to_string(), "2026-04-01".to_string()),
                ("2026年劳动节".to_string(), "2026-04-28".to_string()),
                ("2026年端午节".to_string(), "2026-06-16".to_string()),
                ("2026年中秋节".to_string(), "2026-09-22".to_string()),
                ("2026年国庆节".to_string(), "2026-09-28".to_string()),
            ]
        );
        assert!(e.notes.is_empty());
        let e = expand(&p, 2027, &cal);
        assert!(e.obligations.is_empty());
        assert_eq!(e.notes, [Note::NoHolidayTable { year: 2027 }]);
    }

    #[test]
    fn yearly_month_day_and_unknown_year() {
        let p = policy("[duties.y]\ntitle = \"年度\"\nevery = \"year\"\ndue = \"12-20\"\n");
        assert_eq!(dues(&p, 2026), ["2026-12-18"]); // 12-20 is a Sunday
        let cal = WorkCalendar::bundled();
        let e = expand(&p, 2030, &cal);
        assert_eq!(e.obligations[0].due.to_string(), "2030-12-20"); // a Friday
        assert_eq!(e.notes, [Note::NoHolidayTable { year: 2030 }]);
    }

    #[test]
    fn quarterly_and_half_yearly_counts() {
        let p = policy("[duties.q]\ntitle = \"q\"\nevery = \"quarter\"\n[duties.h]\ntitle = \"h\"\nevery = \"half_year\"\n[duties.w]\ntitle = \"w\"\nevery = \"week\"\n");
        let cal = WorkCalendar::bundled();
        let e = expand(&p, 2026, &cal);
        let count = |id: &str| {
            e.obligations
                .iter()
                .filter(|o| o.duty.id.as_str() == id)
                .count()
        };
        assert_eq!((count("q"), count("h"), count("w")), (4, 2, 53));
    }
}

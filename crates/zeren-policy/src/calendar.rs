//! Calendar periods and Chinese working days. Statutory holidays and make-up working days (调休)
//! come from the State Council's yearly notices, bundled for the years we know and importable
//! (holiday-cn JSON layout) for the rest. A year that is not in the table is never guessed:
//! it falls back to weekends only, and callers can ask whether that happened.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use chrono::{Datelike, Days, NaiveDate, Weekday};

use crate::model::{Frequency, Workday};

/// One period of a recurring duty: an ISO week, a month, a quarter, a half year, a year, or a
/// statutory holiday break.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub every: Frequency,
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// For holiday periods: the holiday's name (春节, 国庆节 …).
    pub holiday: Option<Arc<str>>,
}

impl Period {
    /// A label for people: 2026年第1周, 2026年3月, 2026年第一季度, 2026年上半年, 2026年度, 2026年春节.
    pub fn label(&self) -> String {
        let y = self.start.year();
        match self.every {
            Frequency::Week => {
                let w = self.start.iso_week();
                format!("{}年第{}周", w.year(), w.week())
            }
            Frequency::Month => format!("{y}年{}月", self.start.month()),
            Frequency::Quarter => {
                let q = ["一", "二", "三", "四"][(self.start.month0() / 3) as usize];
                format!("{y}年第{q}季度")
            }
            Frequency::HalfYear => {
                let h = if self.start.month() <= 6 {
                    "上"
                } else {
                    "下"
                };
                format!("{y}年{h}半年")
            }
            Frequency::Year => format!("{y}年度"),
            Frequency::Holiday => format!(
                "{}年{}",
                self.end.year(),
                self.holiday.as_deref().unwrap_or("节假日")
            ),
        }
    }

    pub fn contains(&self, d: NaiveDate) -> bool {
        self.start <= d && d <= self.end
    }
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid calendar date")
}

fn last_of_month(y: i32, m: u32) -> NaiveDate {
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    ymd(ny, nm, 1)
        .pred_opt()
        .expect("a day before the first of a month")
}

/// The calendar period of kind `every` that contains `d`. `every` must not be `Holiday`.
pub fn period_containing(every: Frequency, d: NaiveDate) -> Period {
    let (start, end) = match every {
        Frequency::Week => {
            let start = d - Days::new(u64::from(d.weekday().num_days_from_monday()));
            (start, start + Days::new(6))
        }
        Frequency::Month => (
            ymd(d.year(), d.month(), 1),
            last_of_month(d.year(), d.month()),
        ),
        Frequency::Quarter => {
            let m = d.month0() / 3 * 3 + 1;
            (ymd(d.year(), m, 1), last_of_month(d.year(), m + 2))
        }
        Frequency::HalfYear => {
            if d.month() <= 6 {
                (ymd(d.year(), 1, 1), ymd(d.year(), 6, 30))
            } else {
                (ymd(d.year(), 7, 1), ymd(d.year(), 12, 31))
            }
        }
        Frequency::Year | Frequency::Holiday => (ymd(d.year(), 1, 1), ymd(d.year(), 12, 31)),
    };
    Period {
        every,
        start,
        end,
        holiday: None,
    }
}

/// The periods of a year, in order. For weeks, the ISO weeks of ISO year `year` (week 1 may start
/// in the previous December); for the other kinds, the calendar year. They partition that span.
/// Holidays are not calendar periods: use [`WorkCalendar::holidays`].
pub fn periods(every: Frequency, year: i32) -> Vec<Period> {
    let mut out = Vec::new();
    let (mut d, last) = match every {
        Frequency::Week => {
            let first = NaiveDate::from_isoywd_opt(year, 1, Weekday::Mon).expect("ISO week 1");
            let weeks = if NaiveDate::from_isoywd_opt(year, 53, Weekday::Mon).is_some() {
                53
            } else {
                52
            };
            (first, first + Days::new(weeks * 7 - 1))
        }
        Frequency::Holiday => return out,
        _ => (ymd(year, 1, 1), ymd(year, 12, 31)),
    };
    while d <= last {
        let p = period_containing(every, d);
        d = p.end.succ_opt().expect("a next day");
        out.push(p);
    }
    out
}

/// A statutory holiday break: the named days off plus the weekend days joined to them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holiday {
    pub name: Arc<str>,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

/// The official table for one year: days off and make-up working days, each with the holiday's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearTable {
    pub year: i32,
    pub papers: Vec<String>,
    pub off: BTreeMap<NaiveDate, Arc<str>>,
    pub makeup: BTreeMap<NaiveDate, Arc<str>>,
}

/// Working days: statutory holidays and 调休 for the years in the table, weekends elsewhere.
#[derive(Debug, Clone, Default)]
pub struct WorkCalendar {
    years: BTreeMap<i32, YearTable>,
}

const BUNDLED: &[&str] = &[
    include_str!("../holidays/2024.json"),
    include_str!("../holidays/2025.json"),
    include_str!("../holidays/2026.json"),
];

impl WorkCalendar {
    /// The calendar with the bundled State Council tables (2024–2026).
    pub fn bundled() -> Self {
        let mut cal = WorkCalendar::default();
        for text in BUNDLED {
            cal.add(parse_holiday_cn(text).expect("bundled holiday tables are valid"));
        }
        cal
    }

    /// The bundled tables plus every `YEAR.json` (holiday-cn layout) in `dir`, which wins for the
    /// years it has. A missing directory is no error; a bad file is.
    pub fn with_imported(dir: &std::path::Path) -> Result<Self, String> {
        let mut cal = WorkCalendar::bundled();
        let entries = match std::fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(cal),
            Err(e) => return Err(format!("{}: {e}", dir.display())),
        };
        let mut paths: Vec<std::path::PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        paths.sort();
        for path in paths {
            let text =
                std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let table = parse_holiday_cn(&text).map_err(|e| format!("{}: {e}", path.display()))?;
            cal.add(table);
        }
        Ok(cal)
    }

    /// Adds or replaces one year's table.
    pub fn add(&mut self, table: YearTable) {
        self.years.insert(table.year, table);
    }

    pub fn knows(&self, year: i32) -> bool {
        self.years.contains_key(&year)
    }

    pub fn years(&self) -> impl Iterator<Item = &YearTable> {
        self.years.values()
    }

    /// Tables are looked up by the date's own year and its neighbours, because a notice may list
    /// days of the adjacent year (a New Year break that starts in December).
    fn entry(&self, d: NaiveDate) -> Option<DayKind> {
        for y in [d.year(), d.year() + 1, d.year() - 1] {
            if let Some(t) = self.years.get(&y) {
                if t.off.contains_key(&d) {
                    return Some(DayKind::Off);
                }
                if t.makeup.contains_key(&d) {
                    return Some(DayKind::MakeUp);
                }
            }
        }
        None
    }

    /// Whether people work on `d`: make-up days are working days, statutory days off are not,
    /// otherwise Monday to Friday.
    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        match self.entry(d) {
            Some(DayKind::Off) => false,
            Some(DayKind::MakeUp) => true,
            None => !matches!(d.weekday(), Weekday::Sat | Weekday::Sun),
        }
    }

    /// Moves `d` off a non-working day as `rule` says.
    pub fn adjust(&self, d: NaiveDate, rule: Workday) -> NaiveDate {
        let step: fn(NaiveDate) -> Option<NaiveDate> = match rule {
            Workday::Any => return d,
            Workday::Before => |x| x.pred_opt(),
            Workday::After => |x| x.succ_opt(),
        };
        let mut cur = d;
        // No real table has a month without a working day; the bound guards imported data.
        for _ in 0..62 {
            if self.is_working_day(cur) {
                return cur;
            }
            match step(cur) {
                Some(next) => cur = next,
                None => return d,
            }
        }
        d
    }

    /// The years an administrator should import now: this year when it is missing, and from
    /// December on next year too (the State Council publishes it in late autumn).
    pub fn years_to_import(&self, today: NaiveDate) -> Vec<i32> {
        let mut out = Vec::new();
        if !self.knows(today.year()) {
            out.push(today.year());
        }
        if today.month() == 12 && !self.knows(today.year() + 1) {
            out.push(today.year() + 1);
        }
        out
    }

    /// The statutory holiday breaks whose first day off falls in `year`, in order. Empty when the
    /// year is not in the table.
    pub fn holidays(&self, year: i32) -> Vec<Holiday> {
        let Some(t) = self.years.get(&year) else {
            return Vec::new();
        };
        let mut out: Vec<Holiday> = Vec::new();
        for (&d, name) in &t.off {
            match out.last_mut() {
                Some(h) if &h.name == name && h.end.succ_opt() == Some(d) => h.end = d,
                _ => out.push(Holiday {
                    name: name.clone(),
                    start: d,
                    end: d,
                }),
            }
        }
        for h in &mut out {
            // "与周末连休": the weekend joined to the named days is part of the break.
            while let Some(prev) = h.start.pred_opt().filter(|p| !self.is_working_day(*p)) {
                h.start = prev;
            }
            while let Some(next) = h.end.succ_opt().filter(|n| !self.is_working_day(*n)) {
                h.end = next;
            }
        }
        out.retain(|h| {
            t.off
                .keys()
                .any(|d| d.year() == year && *d >= h.start && *d <= h.end)
        });
        out.dedup_by(|a, b| a.start == b.start);
        out
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DayKind {
    Off,
    MakeUp,
}

/// A problem in a holiday table file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarError {
    /// JSON path, e.g. `days[3].date`; empty for the whole file.
    pub path: String,
    pub message: String,
}

impl fmt::Display for CalendarError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// All problems found in a holiday table file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarErrors(pub Vec<CalendarError>);

impl fmt::Display for CalendarErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for e in &self.0 {
            writeln!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for CalendarErrors {}

/// Parses and validates a year in the holiday-cn layout:
/// `{"year": 2026, "papers": [...], "days": [{"name": "元旦", "date": "2026-01-01", "isOffDay": true}, ...]}`.
/// Make-up working days must be weekend days; no date may appear twice; dates must lie within the
/// year or the month next to it.
pub fn parse_holiday_cn(text: &str) -> Result<YearTable, CalendarErrors> {
    use serde_json::Value;
    let err = |path: &str, message: String| CalendarError {
        path: path.to_owned(),
        message,
    };
    let root: Value = serde_json::from_str(text).map_err(|e| {
        CalendarErrors(vec![err(
            "",
            format!("line {} column {}: invalid JSON: {e}", e.line(), e.column()),
        )])
    })?;
    let mut errors = Vec::new();
    let Some(obj) = root.as_object() else {
        return Err(CalendarErrors(vec![err(
            "",
            "expected a JSON object".into(),
        )]));
    };
    for key in obj.keys() {
        if !matches!(key.as_str(), "$schema" | "$id" | "year" | "papers" | "days") {
            errors.push(err(key, "unknown key; expected year, papers, days".into()));
        }
    }
    let year = match obj.get("year").and_then(Value::as_i64) {
        Some(y) if (2000..=2100).contains(&y) => y as i32,
        _ => {
            errors.push(err("year", "expected a year from 2000 to 2100".into()));
            return Err(CalendarErrors(errors));
        }
    };
    let papers = match obj.get("papers") {
        None => Vec::new(),
        Some(Value::Array(a)) => a
            .iter()
            .enumerate()
            .filter_map(|(i, p)| match p.as_str() {
                Some(s) => Some(s.to_owned()),
                None => {
                    errors.push(err(&format!("papers[{i}]"), "expected a string".into()));
                    None
                }
            })
            .collect(),
        Some(_) => {
            errors.push(err("papers", "expected an array of strings".into()));
            Vec::new()
        }
    };
    let Some(days) = obj.get("days").and_then(Value::as_array) else {
        errors.push(err("days", "expected an array of days".into()));
        return Err(CalendarErrors(errors));
    };
    if days.is_empty() {
        errors.push(err(
            "days",
            "expected the year's holidays; found none".into(),
        ));
    }
    let lo = ymd(year - 1, 12, 1);
    let hi = ymd(year + 1, 1, 31);
    let mut table = YearTable {
        year,
        papers,
        off: BTreeMap::new(),
        makeup: BTreeMap::new(),
    };
    let mut names: BTreeMap<String, Arc<str>> = BTreeMap::new();
    for (i, day) in days.iter().enumerate() {
        let path = format!("days[{i}]");
        let Some(d) = day.as_object() else {
            errors.push(err(
                &path,
                "expected an object with name, date, isOffDay".into(),
            ));
            continue;
        };
        for key in d.keys() {
            if !matches!(key.as_str(), "name" | "date" | "isOffDay") {
                errors.push(err(
                    &format!("{path}.{key}"),
                    "unknown key; expected name, date, isOffDay".into(),
                ));
            }
        }
        let name = match d.get("name").and_then(Value::as_str) {
            Some(n) if !n.trim().is_empty() => Some(n.trim().to_owned()),
            _ => {
                errors.push(err(
                    &format!("{path}.name"),
                    "expected the holiday's name".into(),
                ));
                None
            }
        };
        let date = match d.get("date").and_then(Value::as_str) {
            Some(s) => match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
                Ok(date) if date >= lo && date <= hi => Some(date),
                Ok(_) => {
                    errors.push(err(
                        &format!("{path}.date"),
                        format!("expected a date in or next to {year}; found \"{s}\""),
                    ));
                    None
                }
                Err(_) => {
                    errors.push(err(
                        &format!("{path}.date"),
                        format!("expected a date YYYY-MM-DD; found \"{s}\""),
                    ));
                    None
                }
            },
            None => {
                errors.push(err(
                    &format!("{path}.date"),
                    "expected a date YYYY-MM-DD".into(),
                ));
                None
            }
        };
        let off = match d.get("isOffDay").and_then(Value::as_bool) {
            Some(b) => Some(b),
            None => {
                errors.push(err(
                    &format!("{path}.isOffDay"),
                    "expected true or false".into(),
                ));
                None
            }
        };
        let (Some(name), Some(date), Some(off)) = (name, date, off) else {
            continue;
        };
        let name = names
            .entry(name.clone())
            .or_insert_with(|| name.into())
            .clone();
        if table.off.contains_key(&date) || table.makeup.contains_key(&date) {
            errors.push(err(
                &format!("{path}.date"),
                format!("{date} appears twice"),
            ));
            continue;
        }
        if off {
            table.off.insert(date, name);
        } else if matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
            table.makeup.insert(date, name);
        } else {
            errors.push(err(
                &format!("{path}.isOffDay"),
                format!("a make-up working day must be a Saturday or Sunday; {date} is a weekday"),
            ));
        }
    }
    if errors.is_empty() {
        Ok(table)
    } else {
        Err(CalendarErrors(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn bundled_years() {
        let cal = WorkCalendar::bundled();
        assert!(cal.knows(2024) && cal.knows(2025) && cal.knows(2026));
        assert!(!cal.knows(2027));
    }

    #[test]
    fn make_up_days_are_working_days() {
        let cal = WorkCalendar::bundled();
        for day in [
            "2026-01-04",
            "2026-02-14",
            "2026-02-28",
            "2026-05-09",
            "2026-09-20",
            "2026-10-10",
            "2025-01-26",
            "2025-02-08",
            "2025-04-27",
            "2025-09-28",
            "2025-10-11",
            "2024-02-04",
            "2024-02-18",
            "2024-04-07",
            "2024-04-28",
            "2024-05-11",
            "2024-09-14",
            "2024-09-29",
            "2024-10-12",
        ] {
            let date = d(day);
            assert!(
                matches!(date.weekday(), Weekday::Sat | Weekday::Sun),
                "{day} is a weekend day"
            );
            assert!(cal.is_working_day(date), "{day} is a make-up working day");
        }
    }

    #[test]
    fn statutory_days_off_are_not_working_days() {
        let cal = WorkCalendar::bundled();
        for day in [
            "2026-01-01",
            "2026-01-02",
            "2026-02-16",
            "2026-02-23",
            "2026-04-06",
            "2026-05-05",
            "2026-06-19",
            "2026-09-25",
            "2026-10-01",
            "2026-10-07",
            "2025-10-08",
            "2024-02-16",
        ] {
            assert!(!cal.is_working_day(d(day)), "{day}");
        }
        // An ordinary Monday and an ordinary Saturday.
        assert!(cal.is_working_day(d("2026-03-02")));
        assert!(!cal.is_working_day(d("2026-03-07")));
    }

    #[test]
    fn years_to_import_from_december() {
        let cal = WorkCalendar::bundled();
        assert!(cal.years_to_import(d("2026-11-30")).is_empty());
        assert_eq!(cal.years_to_import(d("2026-12-01")), [2027]);
        assert_eq!(cal.years_to_import(d("2027-03-01")), [2027]);
        assert_eq!(cal.years_to_import(d("2027-12-01")), [2027, 2028]);
    }

    #[test]
    fn unknown_years_fall_back_to_weekends() {
        let cal = WorkCalendar::bundled();
        assert!(
            cal.is_working_day(d("2027-10-01")),
            "a Friday with no table is a working day"
        );
        assert!(!cal.is_working_day(d("2027-10-02")));
        assert!(cal.holidays(2027).is_empty());
    }

    #[test]
    fn holidays_of_2026() {
        let cal = WorkCalendar::bundled();
        let hs = cal.holidays(2026);
        let got: Vec<(String, String, String)> = hs
            .iter()
            .map(|h| (h.name.to_string(), h.start.to_string(), h.end.to_string()))
            .collect();
        let want = [
            ("元旦", "2026-01-01", "2026-01-03"),
            ("春节", "2026-02-15", "2026-02-23"),
            ("清明节", "2026-04-04", "2026-04-06"),
            ("劳动节", "2026-05-01", "2026-05-05"),
            ("端午节", "2026-06-19", "2026-06-21"),
            ("中秋节", "2026-09-25", "2026-09-27"),
            ("国庆节", "2026-10-01", "2026-10-07"),
        ];
        let want: Vec<(String, String, String)> = want
            .iter()
            .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn a_single_named_day_joins_its_weekend() {
        // 2024 端午节: 6月10日放假，与周末连休.
        let cal = WorkCalendar::bundled();
        let h = cal
            .holidays(2024)
            .into_iter()
            .find(|h| &*h.name == "端午节")
            .unwrap();
        assert_eq!((h.start, h.end), (d("2024-06-08"), d("2024-06-10")));
    }

    #[test]
    fn adjust_moves_off_non_working_days() {
        let cal = WorkCalendar::bundled();
        assert_eq!(
            cal.adjust(d("2026-10-04"), Workday::Before),
            d("2026-09-30")
        );
        assert_eq!(cal.adjust(d("2026-10-04"), Workday::After), d("2026-10-08"));
        assert_eq!(cal.adjust(d("2026-10-04"), Workday::Any), d("2026-10-04"));
        assert_eq!(
            cal.adjust(d("2026-02-28"), Workday::Before),
            d("2026-02-28")
        );
        assert_eq!(
            cal.adjust(d("2026-01-31"), Workday::Before),
            d("2026-01-30")
        );
    }

    #[test]
    fn period_labels() {
        let p = period_containing(Frequency::Quarter, d("2026-05-17"));
        assert_eq!((p.start, p.end), (d("2026-04-01"), d("2026-06-30")));
        assert_eq!(p.label(), "2026年第二季度");
        assert_eq!(
            period_containing(Frequency::HalfYear, d("2026-07-01")).label(),
            "2026年下半年"
        );
        assert_eq!(
            period_containing(Frequency::Week, d("2026-01-01")).label(),
            "2026年第1周"
        );
        assert_eq!(
            period_containing(Frequency::Week, d("2026-01-01")).start,
            d("2025-12-29")
        );
        assert_eq!(
            period_containing(Frequency::Month, d("2024-02-10")).end,
            d("2024-02-29")
        );
    }

    #[test]
    fn iso_years_with_53_weeks() {
        assert_eq!(periods(Frequency::Week, 2026).len(), 53);
        assert_eq!(periods(Frequency::Week, 2025).len(), 52);
    }

    #[test]
    fn holiday_cn_import_is_validated() {
        let ok = r#"{"year": 2027, "papers": ["通知"], "days": [
            {"name": "元旦", "date": "2027-01-01", "isOffDay": true},
            {"name": "春节", "date": "2027-02-06", "isOffDay": false}]}"#;
        let t = parse_holiday_cn(ok).unwrap();
        assert_eq!(t.year, 2027);
        assert_eq!(t.makeup.len(), 1);

        let bad = r#"{"year": 2027, "colour": 1, "days": [
            {"name": "元旦", "date": "2027-13-01", "isOffDay": true},
            {"name": "", "date": "2027-01-04", "isOffDay": false},
            {"name": "春节", "date": "2030-02-06", "isOffDay": "yes"},
            {"name": "清明", "date": "2027-04-05", "isOffDay": false}]}"#;
        let errs = parse_holiday_cn(bad).unwrap_err().0;
        let paths: Vec<&str> = errs.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "colour",
                "days[0].date",
                "days[1].name",
                "days[2].date",
                "days[2].isOffDay",
                "days[3].isOffDay"
            ]
        );
        assert!(parse_holiday_cn("{").unwrap_err().0[0]
            .message
            .contains("invalid JSON"));
        assert!(parse_holiday_cn(r#"{"year": 2027, "days": []}"#).is_err());
    }

    fn any_date() -> impl Strategy<Value = NaiveDate> {
        (2023i32..2029, 1u32..=366).prop_map(|(y, o)| {
            NaiveDate::from_yo_opt(
                y,
                o.min(if NaiveDate::from_yo_opt(y, 366).is_some() {
                    366
                } else {
                    365
                }),
            )
            .unwrap()
        })
    }

    proptest! {
        #[test]
        fn periods_partition_the_year(year in 2000i32..2100, f in prop::sample::select(vec![
            Frequency::Week, Frequency::Month, Frequency::Quarter, Frequency::HalfYear, Frequency::Year])) {
            let ps = periods(f, year);
            prop_assert!(!ps.is_empty());
            if f != Frequency::Week {
                prop_assert_eq!(ps[0].start, ymd(year, 1, 1));
                prop_assert_eq!(ps.last().unwrap().end, ymd(year, 12, 31));
            } else {
                prop_assert_eq!(ps[0].start.iso_week().week(), 1);
                prop_assert_eq!(ps.last().unwrap().end.iso_week().year(), year);
                prop_assert_eq!(ps.last().unwrap().end.succ_opt().unwrap().iso_week().week(), 1);
            }
            for w in ps.windows(2) {
                prop_assert_eq!(w[0].end.succ_opt().unwrap(), w[1].start);
            }
            for p in &ps {
                prop_assert!(p.start <= p.end);
                prop_assert_eq!(&period_containing(f, p.start), p);
                prop_assert_eq!(&period_containing(f, p.end), p);
            }
        }

        #[test]
        fn adjusted_dates_are_working_days(date in any_date(), rule in prop::sample::select(vec![Workday::Before, Workday::After])) {
            let cal = WorkCalendar::bundled();
            let adjusted = cal.adjust(date, rule);
            prop_assert!(cal.is_working_day(adjusted));
            match rule {
                Workday::Before => prop_assert!(adjusted <= date),
                _ => prop_assert!(adjusted >= date),
            }
            // Nothing between the two is a working day.
            let (lo, hi) = if adjusted <= date { (adjusted, date) } else { (date, adjusted) };
            let mut x = lo.succ_opt().unwrap();
            while x < hi {
                prop_assert!(!cal.is_working_day(x));
                x = x.succ_opt().unwrap();
            }
        }

        #[test]
        fn a_working_day_is_not_moved(date in any_date(), rule in prop::sample::select(vec![Workday::Before, Workday::After, Workday::Any])) {
            let cal = WorkCalendar::bundled();
            if cal.is_working_day(date) {
                prop_assert_eq!(cal.adjust(date, rule), date);
            }
        }
    }
}

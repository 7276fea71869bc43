//! Incident statistics over a unit's subtree for a year: how many incidents by kind, level, unit
//! below and month, how many were reported late (迟报) or not at all by a deadline (漏报), and how
//! long it took from learning of an incident to its first report (median and 90th percentile, on
//! the wall clock). Pure: the caller replays each incident and gives its facts.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::incident::percentile;

/// One incident as the statistics count it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fact {
    /// The group it is counted under: the unit directly below the root that it lies in (or the
    /// root itself).
    pub unit: i64,
    pub kind: String,
    /// The level now (raised or as reported).
    pub level: String,
    /// The China-time month (1–12) in which the unit learnt of it.
    pub month: u32,
    /// Wall-clock minutes from learning of it to its first report; `None` while unreported.
    pub minutes_to_first_report: Option<i64>,
    /// Some report of it was made after its deadline (迟报).
    pub late: bool,
    /// Some report of it was not made by its deadline (漏报).
    pub missing: bool,
    /// Not yet closed.
    pub open: bool,
}

/// The counts of one group of incidents.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tally {
    /// What the group is (a kind or level id, a unit id as text, a month "1"–"12"; empty for all).
    pub key: String,
    pub count: u32,
    pub open: u32,
    /// Incidents with at least one report made late (迟报).
    pub late: u32,
    /// Incidents with at least one report missing at its deadline (漏报).
    pub missing: u32,
    /// Incidents with a first report (the times below are over these).
    pub reported: u32,
    /// Median minutes from learning of it to the first report.
    pub median_minutes: Option<f64>,
    /// 90th percentile of the same.
    pub p90_minutes: Option<f64>,
}

impl Tally {
    fn of(key: String, facts: &[&Fact]) -> Tally {
        let minutes: Vec<i64> = facts
            .iter()
            .filter_map(|f| f.minutes_to_first_report)
            .collect();
        Tally {
            key,
            count: facts.len() as u32,
            open: facts.iter().filter(|f| f.open).count() as u32,
            late: facts.iter().filter(|f| f.late).count() as u32,
            missing: facts.iter().filter(|f| f.missing).count() as u32,
            reported: minutes.len() as u32,
            median_minutes: percentile(&minutes, 50),
            p90_minutes: percentile(&minutes, 90),
        }
    }
}

/// The statistics of a set of incidents.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Statistics {
    pub total: Tally,
    /// By kind and by level, the most frequent first (ties by id).
    pub by_kind: Vec<Tally>,
    pub by_level: Vec<Tally>,
    /// By unit below the root, the most frequent first (ties by id).
    pub by_unit: Vec<Tally>,
    /// Twelve months, January first, empty months included.
    pub by_month: Vec<Tally>,
}

fn grouped(facts: &[Fact], key: impl Fn(&Fact) -> String) -> Vec<Tally> {
    let mut groups: BTreeMap<String, Vec<&Fact>> = BTreeMap::new();
    for f in facts {
        groups.entry(key(f)).or_default().push(f);
    }
    let mut out: Vec<Tally> = groups
        .into_iter()
        .map(|(k, fs)| Tally::of(k, &fs))
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
    out
}

/// Counts `facts` by kind, level, unit and month.
pub fn summarise(facts: &[Fact]) -> Statistics {
    let all: Vec<&Fact> = facts.iter().collect();
    let by_month = (1..=12u32)
        .map(|m| {
            let fs: Vec<&Fact> = facts.iter().filter(|f| f.month == m).collect();
            Tally::of(m.to_string(), &fs)
        })
        .collect();
    Statistics {
        total: Tally::of(String::new(), &all),
        by_kind: grouped(facts, |f| f.kind.clone()),
        by_level: grouped(facts, |f| f.level.clone()),
        by_unit: grouped(facts, |f| f.unit.to_string()),
        by_month,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fact(unit: i64, kind: &str, level: &str, month: u32, minutes: Option<i64>) -> Fact {
        Fact {
            unit,
            kind: kind.into(),
            level: level.into(),
            month,
            minutes_to_first_report: minutes,
            late: false,
            missing: false,
            open: false,
        }
    }

    #[test]
    fn counts_by_each_dimension_with_median_and_p90() {
        let mut facts = vec![
            fact(2, "network", "major", 3, Some(30)),
            fact(2, "network", "general", 3, Some(90)),
            fact(3, "safety", "general", 11, Some(10)),
            fact(3, "network", "general", 11, None),
        ];
        facts[1].late = true;
        facts[3].missing = true;
        facts[3].open = true;
        let s = summarise(&facts);
        assert_eq!(s.total.count, 4);
        assert_eq!(s.total.late, 1);
        assert_eq!(s.total.missing, 1);
        assert_eq!(s.total.open, 1);
        assert_eq!(s.total.reported, 3);
        assert_eq!(s.total.median_minutes, Some(30.0));
        // PERCENTILE.INC over 10, 30, 90: rank 1.8 → 30 + 0.8 × 60.
        assert_eq!(s.total.p90_minutes, Some(78.0));
        assert_eq!(s.by_kind[0].key, "network");
        assert_eq!(s.by_kind[0].count, 3);
        assert_eq!(s.by_level[0].key, "general");
        assert_eq!(s.by_unit.len(), 2);
        assert_eq!(s.by_month.len(), 12);
        assert_eq!(s.by_month[2].count, 2);
        assert_eq!(s.by_month[2].median_minutes, Some(60.0));
        assert_eq!(s.by_month[0].count, 0);
        assert_eq!(s.by_month[0].median_minutes, None);
        assert_eq!(s.by_month[10].reported, 1);
    }

    #[test]
    fn nothing_counts_nothing() {
        let s = summarise(&[]);
        assert_eq!(s.total.count, 0);
        assert_eq!(s.total.median_minutes, None);
        assert!(s.by_kind.is_empty() && s.by_unit.is_empty());
        assert_eq!(s.by_month.iter().map(|m| m.count).sum::<u32>(), 0);
    }

    fn any_fact() -> impl Strategy<Value = Fact> {
        (
            1i64..5,
            prop::sample::select(vec!["a", "b", "c"]),
            prop::sample::select(vec!["x", "y"]),
            1u32..=12,
            prop::option::of(0i64..5000),
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
        )
            .prop_map(|(unit, kind, level, month, m, late, missing, open)| Fact {
                unit,
                kind: kind.into(),
                level: level.into(),
                month,
                minutes_to_first_report: m,
                late,
                missing,
                open,
            })
    }

    proptest! {
        #[test]
        fn every_dimension_adds_up_to_the_total(facts in prop::collection::vec(any_fact(), 0..60)) {
            let s = summarise(&facts);
            for dim in [&s.by_kind, &s.by_level, &s.by_unit, &s.by_month] {
                let sum = |f: fn(&Tally) -> u32| dim.iter().map(f).sum::<u32>();
                prop_assert_eq!(sum(|t| t.count), s.total.count);
                prop_assert_eq!(sum(|t| t.late), s.total.late);
                prop_assert_eq!(sum(|t| t.missing), s.total.missing);
                prop_assert_eq!(sum(|t| t.open), s.total.open);
                prop_assert_eq!(sum(|t| t.reported), s.total.reported);
            }
            prop_assert_eq!(s.total.count as usize, facts.len());
            // The percentiles lie within the times observed, the median never above the p90.
            let times: Vec<i64> = facts.iter().filter_map(|f| f.minutes_to_first_report).collect();
            if let (Some(m), Some(p)) = (s.total.median_minutes, s.total.p90_minutes) {
                let (lo, hi) = (*times.iter().min().unwrap() as f64, *times.iter().max().unwrap() as f64);
                prop_assert!(lo <= m && m <= p && p <= hi);
            } else {
                prop_assert!(times.is_empty());
            }
            // The most frequent first.
            for w in s.by_kind.windows(2) {
                prop_assert!(w[0].count >= w[1].count);
            }
        }
    }
}

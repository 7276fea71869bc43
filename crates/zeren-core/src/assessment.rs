//! A cycle of assessment (考核) around the scoring engine: the cycle's dates, what a person enters
//! for each leaf of the rubric (read from a form's words), and how a unit's inputs are put
//! together — the leaves measured from the ledger filled in by the product, the others from the
//! unit's self-assessment (自评) or the reviewers' scores (考核组评分), a measured value overridden
//! by reviewers only with a reason. Pure: the store supplies the ledger's facts and the entries.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use zeren_policy::{Assessment, AssessmentItem, ItemId, Points, ScoreRule};

use crate::scoring::{measured, Input, Inputs, LedgerFacts};

/// The dates of a cycle: the period assessed, when the self-assessments are due, when the
/// review is due, and the last day an appeal is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CycleDates {
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub self_due_on: NaiveDate,
    pub review_due_on: NaiveDate,
    pub appeal_until: NaiveDate,
}

impl CycleDates {
    /// The problems with the dates, by field, in Chinese: the period runs forwards, the
    /// self-assessment is due no earlier than the period's start, the review after it, the
    /// appeal window closes after the review.
    pub fn problems(&self) -> Vec<(&'static str, &'static str)> {
        let mut out = Vec::new();
        if self.period_end < self.period_start {
            out.push(("period_end", "考核期结束日不能早于开始日"));
        }
        if self.self_due_on < self.period_start {
            out.push(("self_due_on", "自评截止日不能早于考核期开始日"));
        }
        if self.review_due_on < self.self_due_on {
            out.push(("review_due_on", "考核评分截止日不能早于自评截止日"));
        }
        if self.appeal_until < self.review_due_on {
            out.push(("appeal_until", "申诉截止日不能早于考核评分截止日"));
        }
        out
    }
}

/// What a person enters for a leaf.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "levels", rename_all = "snake_case")]
pub enum EntryKind {
    /// How many cases (fixed, per-case, all-or-nothing rules).
    Cases,
    /// A deduction within the range, with its reason.
    Deduction,
    /// Commendations by level: how many of each.
    Commendations(Vec<String>),
    /// The number reached (prorated).
    Count,
    /// Obligations fulfilled on time of those due (a duty's share; the ledger's, or overridden).
    Share,
    /// Points up to the item's full points.
    Score,
}

/// What is entered for a leaf.
pub fn entry_kind(item: &AssessmentItem) -> EntryKind {
    match &item.rule {
        Some(ScoreRule::Fixed { .. } | ScoreRule::PerCase { .. } | ScoreRule::AllOrNothing) => {
            EntryKind::Cases
        }
        Some(ScoreRule::Range { .. }) => EntryKind::Deduction,
        Some(ScoreRule::Bonus { levels, .. }) => {
            EntryKind::Commendations(levels.iter().map(|(l, _)| l.clone()).collect())
        }
        Some(ScoreRule::Prorated { .. }) => EntryKind::Count,
        None if item.measure.is_measured() => EntryKind::Share,
        None => EntryKind::Score,
    }
}

/// The leaves of the rubric (items without sub-items), in the order of the file.
pub fn leaves(a: &Assessment) -> Vec<&AssessmentItem> {
    a.items
        .iter()
        .filter(|i| a.children(Some(&i.id)).is_empty())
        .collect()
}

/// One leaf as a person entered it: the input, a note (the reason of a range deduction, or what
/// the unit says), the records of the ledger linked as evidence, and — for a reviewer's value of
/// a measured leaf — why it departs from the ledger.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub input: Option<Input>,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub evidence: Vec<i64>,
    #[serde(default)]
    pub reason: String,
}

/// Who scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The unit itself (自评): measured leaves are the ledger's.
    SelfAssessment,
    /// The reviewers (考核组): may override a measured leaf, with a reason.
    Review,
}

/// The longest note, reason or entry text kept.
pub const MAX_NOTE: usize = 500;

/// Reads what a form sent for a leaf of `kind`: `value` (cases, count, points, a deduction, or
/// "done/total" for a share) and, for commendations, the count per level. Problems in Chinese.
pub fn parse_input(
    kind: &EntryKind,
    value: &str,
    note: &str,
    levels: &[(String, String)],
) -> Result<Input, String> {
    let count = |s: &str| -> Result<u32, String> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(0);
        }
        s.parse::<u32>()
            .ok()
            .filter(|n| *n <= 10_000)
            .ok_or_else(|| "请填写 0 至 10000 之间的整数".to_owned())
    };
    let points = |s: &str| -> Result<Points, String> {
        let s = s.trim();
        s.parse::<f64>()
            .ok()
            .filter(|x| x.is_finite() && *x >= 0.0 && *x <= 10_000.0)
            .and_then(Points::from_f64)
            .ok_or_else(|| "请填写不小于 0 的分数，最多两位小数".to_owned())
    };
    Ok(match kind {
        EntryKind::Cases => Input::Cases(count(value)?),
        EntryKind::Count => Input::Count(count(value)?),
        EntryKind::Deduction => {
            let p = if value.trim().is_empty() {
                Points::ZERO
            } else {
                points(value)?
            };
            Input::Deduction {
                points: p,
                note: note.trim().to_owned(),
            }
        }
        EntryKind::Score => {
            if value.trim().is_empty() {
                return Err("请填写得分".to_owned());
            }
            Input::Score(points(value)?)
        }
        EntryKind::Share => {
            let (d, t) = value
                .split_once('/')
                .ok_or_else(|| "请按“按时完成数/应完成数”填写，如 3/4".to_owned())?;
            let (done, total) = (count(d)?, count(t)?);
            if done > total {
                return Err("按时完成数不能多于应完成数".to_owned());
            }
            Input::Share { done, total }
        }
        EntryKind::Commendations(known) => {
            let mut list = Vec::new();
            for l in known {
                let n = count(
                    levels
                        .iter()
                        .find(|(k, _)| k == l)
                        .map_or("", |(_, v)| v.as_str()),
                )?;
                if n > 100 {
                    return Err("表彰项数过多".to_owned());
                }
                list.extend(std::iter::repeat_n(l.clone(), n as usize));
            }
            Input::Commendations(list)
        }
    })
}

/// The inputs of one unit's sheet and, for each leaf, where its value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Composed {
    pub inputs: Inputs,
    /// The leaves whose value is the ledger's (not overridden).
    pub from_ledger: Vec<ItemId>,
    /// The measured leaves the reviewers overrode, with their reasons.
    pub overridden: Vec<(ItemId, String)>,
}

/// Puts a unit's inputs together. Measured leaves take the ledger's value, unless the reviewers
/// entered another with a reason (a self-assessment cannot change them); other leaves take the
/// entry. A leaf without an entry is missing; problems come back by leaf, in Chinese.
pub fn compose(
    a: &Assessment,
    facts: &LedgerFacts,
    entries: &BTreeMap<ItemId, Entry>,
    vetoes: &[zeren_policy::VetoId],
    side: Side,
) -> Result<Composed, Vec<(ItemId, String)>> {
    let mut out = Composed {
        inputs: Inputs {
            leaves: BTreeMap::new(),
            vetoes: vetoes.to_vec(),
        },
        from_ledger: Vec::new(),
        overridden: Vec::new(),
    };
    let mut problems = Vec::new();
    for leaf in leaves(a) {
        let entry = entries.get(&leaf.id);
        for text in entry
            .iter()
            .flat_map(|e| [&e.note, &e.reason])
            .filter(|t| t.chars().count() > MAX_NOTE)
        {
            let _ = text;
            problems.push((leaf.id.clone(), format!("说明不能超过 {MAX_NOTE} 字")));
        }
        if let Some(m) = measured(leaf, facts) {
            match (side, entry.and_then(|e| e.input.clone())) {
                (Side::Review, Some(input)) if input != m => {
                    let reason = entry.map(|e| e.reason.trim()).unwrap_or_default();
                    if reason.is_empty() {
                        problems.push((
                            leaf.id.clone(),
                            "改动台账自动计算的数值须写明理由".to_owned(),
                        ));
                    } else {
                        out.overridden.push((leaf.id.clone(), reason.to_owned()));
                    }
                    out.inputs.leaves.insert(leaf.id.clone(), input);
                }
                _ => {
                    out.from_ledger.push(leaf.id.clone());
                    out.inputs.leaves.insert(leaf.id.clone(), m);
                }
            }
            continue;
        }
        match entry.and_then(|e| e.input.clone()) {
            Some(input) => {
                out.inputs.leaves.insert(leaf.id.clone(), input);
            }
            None => problems.push((leaf.id.clone(), "请填写此项".to_owned())),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// Where a unit of a cycle stands, for what may happen next.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Standing {
    /// The cycle's ranking is published: nothing changes any more.
    pub published: bool,
    /// The reviewers locked the unit's score (and no upheld appeal opened it since).
    pub locked: bool,
    /// The unit has an appeal not yet answered.
    pub open_appeal: bool,
}

/// Why an act is refused, in Chinese.
pub type Refusal = &'static str;

/// The unit submits a self-assessment: until its score is locked.
pub fn may_self_assess(s: Standing) -> Result<(), Refusal> {
    if s.published {
        return Err("考核结果已发布，不能再修改");
    }
    if s.locked {
        return Err("考核组已锁定评分，不能再修改自评");
    }
    Ok(())
}

/// The reviewers score: until they lock it (an upheld appeal opens it again).
pub fn may_review(s: Standing) -> Result<(), Refusal> {
    if s.published {
        return Err("考核结果已发布，不能再修改");
    }
    if s.locked {
        return Err("评分已锁定；申诉成立后方可重新评分");
    }
    Ok(())
}

/// The unit appeals: against a locked score, within the window, one at a time.
pub fn may_appeal(s: Standing, today: NaiveDate, dates: &CycleDates) -> Result<(), Refusal> {
    if s.published {
        return Err("考核结果已发布，不再受理申诉");
    }
    if !s.locked {
        return Err("评分锁定后方可申诉");
    }
    if today > dates.appeal_until {
        return Err("已过申诉期限");
    }
    if s.open_appeal {
        return Err("上一次申诉尚未答复");
    }
    Ok(())
}

/// The refusal while the appeal window is open and its early close is not confirmed.
pub const APPEALS_STILL_OPEN: Refusal = "申诉期尚未截止：须确认提前结束申诉期方可发布";

/// The reviewers publish: every unit locked, every appeal answered, and the appeal window over —
/// or its early end confirmed (`close_early`), since publishing ends it for every unit.
pub fn may_publish(
    units: &[Standing],
    today: NaiveDate,
    dates: &CycleDates,
    close_early: bool,
) -> Result<(), Refusal> {
    if units.iter().any(|s| s.published) {
        return Err("考核结果已发布");
    }
    if units.iter().any(|s| s.open_appeal) {
        return Err("还有申诉尚未答复");
    }
    if units.is_empty() || units.iter().any(|s| !s.locked) {
        return Err("所有单位的评分锁定后方可发布");
    }
    if today <= dates.appeal_until && !close_early {
        return Err(APPEALS_STILL_OPEN);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::{score, Outcome};
    use zeren_policy::{parse, DutyId};

    const RUBRIC: &str = r#"format = 1
[policy]
id = "t"
title = "t"
[roles.r]
title = "r"
[duties.study]
title = "学习"
every = "quarter"
owner = "r"
[assessment]
every = "year"
[[assessment.items]]
id = "work"
title = "工作"
points = 10
[[assessment.items]]
id = "missed"
title = "学习缺次"
under = "work"
measure = "missed:study"
rule = { kind = "per_case", deduct = 1, case = "缺{n}次" }
[[assessment.items]]
id = "plan"
title = "年度计划"
under = "work"
rule = { kind = "range", min = 0.5, max = 2 }
[[assessment.items]]
id = "honours"
title = "表彰"
rule = { kind = "bonus", levels = { national = 2, city = 0.5 }, cap = 3 }
"#;

    fn a() -> Assessment {
        parse("t", RUBRIC).unwrap().assessment.unwrap()
    }

    fn id(s: &str) -> ItemId {
        ItemId::parse(s).unwrap()
    }

    fn facts(missed: u32) -> LedgerFacts {
        let d = DutyId::parse("study").unwrap();
        LedgerFacts {
            obligations: (0..4)
                .map(|i| {
                    (
                        d.clone(),
                        false,
                        if i < missed {
                            Outcome::Missed
                        } else {
                            Outcome::OnTime
                        },
                    )
                })
                .collect(),
            ..LedgerFacts::default()
        }
    }

    fn entry(input: Input) -> Entry {
        Entry {
            input: Some(input),
            ..Entry::default()
        }
    }

    #[test]
    fn kinds_follow_the_rules() {
        let a = a();
        let kinds: Vec<EntryKind> = leaves(&a).into_iter().map(entry_kind).collect();
        assert_eq!(
            kinds,
            vec![
                EntryKind::Cases,
                EntryKind::Deduction,
                EntryKind::Commendations(vec!["national".into(), "city".into()])
            ]
        );
    }

    #[test]
    fn forms_are_read_and_bounded() {
        assert_eq!(
            parse_input(&EntryKind::Cases, " 2 ", "", &[]),
            Ok(Input::Cases(2))
        );
        assert_eq!(
            parse_input(&EntryKind::Cases, "", "", &[]),
            Ok(Input::Cases(0))
        );
        assert!(parse_input(&EntryKind::Cases, "-1", "", &[]).is_err());
        assert!(parse_input(&EntryKind::Cases, "20000", "", &[]).is_err());
        assert_eq!(
            parse_input(&EntryKind::Deduction, "1.5", " 台账不全 ", &[]),
            Ok(Input::Deduction {
                points: Points(150),
                note: "台账不全".into()
            })
        );
        assert!(parse_input(&EntryKind::Deduction, "1.555", "", &[]).is_err());
        assert!(parse_input(&EntryKind::Score, "", "", &[]).is_err());
        assert_eq!(
            parse_input(&EntryKind::Share, "3/4", "", &[]),
            Ok(Input::Share { done: 3, total: 4 })
        );
        assert!(parse_input(&EntryKind::Share, "5/4", "", &[]).is_err());
        let kind = EntryKind::Commendations(vec!["national".into(), "city".into()]);
        assert_eq!(
            parse_input(
                &kind,
                "",
                "",
                &[("city".into(), "2".into()), ("national".into(), "1".into())]
            ),
            Ok(Input::Commendations(vec![
                "national".into(),
                "city".into(),
                "city".into()
            ]))
        );
    }

    #[test]
    fn measured_leaves_come_from_the_ledger_in_a_self_assessment() {
        let a = a();
        let mut entries = BTreeMap::new();
        // The unit claims no missed study: ignored, the ledger counts one.
        entries.insert(id("missed"), entry(Input::Cases(0)));
        entries.insert(
            id("plan"),
            entry(Input::Deduction {
                points: Points::ZERO,
                note: String::new(),
            }),
        );
        entries.insert(id("honours"), entry(Input::Commendations(vec![])));
        let c = compose(&a, &facts(1), &entries, &[], Side::SelfAssessment).unwrap();
        assert_eq!(c.inputs.leaves[&id("missed")], Input::Cases(1));
        assert_eq!(c.from_ledger, vec![id("missed")]);
        let sheet = score(&a, &c.inputs).unwrap();
        assert_eq!(sheet.total, Points::from_whole(9));
        assert!(sheet.lines[0].text.contains("缺 1 次 × 1 分 = −1"));
    }

    #[test]
    fn reviewers_override_a_measured_leaf_only_with_a_reason() {
        let a = a();
        let mut entries = BTreeMap::new();
        entries.insert(id("missed"), entry(Input::Cases(0)));
        entries.insert(
            id("plan"),
            entry(Input::Deduction {
                points: Points::ZERO,
                note: String::new(),
            }),
        );
        entries.insert(id("honours"), entry(Input::Commendations(vec![])));
        let e = compose(&a, &facts(2), &entries, &[], Side::Review).unwrap_err();
        assert_eq!(e[0].0, id("missed"));
        entries.get_mut(&id("missed")).unwrap().reason = "第二季度学习记录补录".into();
        let c = compose(&a, &facts(2), &entries, &[], Side::Review).unwrap();
        assert_eq!(c.inputs.leaves[&id("missed")], Input::Cases(0));
        assert_eq!(c.overridden.len(), 1);
        // The ledger's own value needs no reason.
        entries.get_mut(&id("missed")).unwrap().input = Some(Input::Cases(2));
        entries.get_mut(&id("missed")).unwrap().reason.clear();
        let c = compose(&a, &facts(2), &entries, &[], Side::Review).unwrap();
        assert!(c.overridden.is_empty());
    }

    #[test]
    fn leaves_scored_by_people_are_required() {
        let a = a();
        let e = compose(&a, &facts(0), &BTreeMap::new(), &[], Side::SelfAssessment).unwrap_err();
        assert_eq!(
            e.iter().map(|(i, _)| i.as_str()).collect::<Vec<_>>(),
            vec!["plan", "honours"]
        );
    }

    #[test]
    fn dates_run_in_order() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let ok = CycleDates {
            period_start: d("2026-01-01"),
            period_end: d("2026-12-31"),
            self_due_on: d("2027-01-10"),
            review_due_on: d("2027-01-20"),
            appeal_until: d("2027-01-27"),
        };
        assert!(ok.problems().is_empty());
        let bad = CycleDates {
            review_due_on: d("2027-01-05"),
            ..ok
        };
        assert_eq!(bad.problems()[0].0, "review_due_on");
        let bad = CycleDates {
            period_end: d("2025-12-31"),
            ..ok
        };
        assert_eq!(bad.problems()[0].0, "period_end");
    }

    #[test]
    fn acts_follow_the_cycle() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let dates = CycleDates {
            period_start: d("2026-01-01"),
            period_end: d("2026-12-31"),
            self_due_on: d("2027-01-10"),
            review_due_on: d("2027-01-20"),
            appeal_until: d("2027-01-27"),
        };
        let open = Standing::default();
        let locked = Standing {
            locked: true,
            ..open
        };
        assert!(may_self_assess(open).is_ok() && may_review(open).is_ok());
        assert!(may_self_assess(locked).is_err() && may_review(locked).is_err());
        assert!(may_appeal(open, d("2027-01-21"), &dates).is_err());
        assert!(may_appeal(locked, d("2027-01-27"), &dates).is_ok());
        assert!(may_appeal(locked, d("2027-01-28"), &dates).is_err());
        let appealing = Standing {
            open_appeal: true,
            ..locked
        };
        assert!(may_appeal(appealing, d("2027-01-21"), &dates).is_err());
        let (during, after) = (d("2027-01-27"), d("2027-01-28"));
        for close_early in [false, true] {
            for today in [during, after] {
                assert!(may_publish(&[locked, appealing], today, &dates, close_early).is_err());
                assert!(may_publish(&[locked, open], today, &dates, close_early).is_err());
                assert!(may_publish(&[], today, &dates, close_early).is_err());
            }
        }
        // Within the window only with its early end confirmed; after it, as is.
        assert_eq!(
            may_publish(&[locked, locked], during, &dates, false),
            Err(APPEALS_STILL_OPEN)
        );
        assert!(may_publish(&[locked, locked], during, &dates, true).is_ok());
        assert!(may_publish(&[locked, locked], after, &dates, false).is_ok());
        let published = Standing {
            published: true,
            ..locked
        };
        assert!(may_publish(&[published], after, &dates, true).is_err());
        assert!(
            may_review(published).is_err()
                && may_appeal(published, d("2027-01-21"), &dates).is_err()
        );
    }
}

//! Scoring an assessment (考核) against the policy's rubric: each leaf's rule applied to its input —
//! a count from the ledger or a scorer's entry — with every application written as a line of the
//! 评分表 ("缺 1 次 × 0.5 分 = −0.5（上限 8 分）"); sub-items summed or, for non-cumulative groups
//! (就高不就低，不累计扣分), the highest deduction taken; vetoes (一票否决) applied; and grade bands
//! assigned over a cycle's units within their quotas. Pure: the inputs are given.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use zeren_policy::{
    Assessment, AssessmentItem, Combine, DutyId, GradeCondition, GradeId, ItemId, Measure, Points,
    QuotaTies, ScoreRule, VetoEffect, VetoId,
};

/// What a leaf is scored from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "input", content = "value", rename_all = "snake_case")]
pub enum Input {
    /// Cases for `fixed`, `per_case` and `all_or_nothing` (0: none).
    Cases(u32),
    /// A `range` rule's deduction (0 for none) and why.
    Deduction { points: Points, note: String },
    /// Commendations by level (`national`, `provincial` …) for a `bonus` rule.
    Commendations(Vec<String>),
    /// The number reached, for a `prorated` rule.
    Count(u32),
    /// Obligations fulfilled on time of those due, for `duty:<id>` without a rule.
    Share { done: u32, total: u32 },
    /// The scorer's points, for an item without a rule.
    Score(Points),
}

/// The inputs of one unit's assessment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inputs {
    pub leaves: BTreeMap<ItemId, Input>,
    /// The vetoes that apply (decided by people, with their grounds kept elsewhere).
    pub vetoes: Vec<VetoId>,
}

/// One line of the 评分表.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    /// The item it belongs to (`None` for vetoes).
    pub item: Option<ItemId>,
    pub text: String,
    /// What it changed: negative for deductions, positive for bonuses and awarded points.
    pub delta: Points,
}

/// An item's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemScore {
    pub id: ItemId,
    pub score: Points,
    /// Its full points (0 for a bonus item, which adds on top).
    pub max: Points,
    /// Points taken off its full points.
    pub deduction: Points,
}

/// One unit's scored sheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreSheet {
    pub total: Points,
    pub max: Points,
    pub items: Vec<ItemScore>,
    pub lines: Vec<Line>,
    pub vetoed: Vec<VetoId>,
    /// A veto set the total to 0.
    pub zeroed: bool,
    /// A veto fixed the grade.
    pub forced_grade: Option<GradeId>,
    /// A veto bars 评先评优.
    pub no_commendation: bool,
    /// Some leaf with full points above 0 scored 0.
    pub zero_item: bool,
}

impl ScoreSheet {
    pub fn item(&self, id: &ItemId) -> Option<&ItemScore> {
        self.items.iter().find(|i| &i.id == id)
    }
}

/// Why a sheet cannot be scored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum ScoreError {
    /// A leaf has no input.
    Missing {
        item: ItemId,
    },
    /// The input does not fit the leaf's rule; `expected` names the kind of input.
    WrongInput {
        item: ItemId,
        expected: &'static str,
    },
    /// A range deduction outside its range.
    OutOfRange {
        item: ItemId,
        min: Points,
        max: Points,
    },
    /// A range deduction needs its reason.
    NoteRequired {
        item: ItemId,
    },
    /// A score above the item's full points.
    AboveMax {
        item: ItemId,
        max: Points,
    },
    UnknownLevel {
        item: ItemId,
        level: String,
    },
    UnknownVeto {
        veto: VetoId,
    },
}

impl ScoreError {
    pub fn zh(&self) -> String {
        match self {
            ScoreError::Missing { item } => format!("考核项目 {item} 未评分"),
            ScoreError::WrongInput { item, expected } => {
                format!("考核项目 {item} 应填写{expected}")
            }
            ScoreError::OutOfRange { item, min, max } => {
                format!("考核项目 {item} 扣分须在 {min}–{max} 分之间")
            }
            ScoreError::NoteRequired { item } => format!("考核项目 {item} 酌情扣分须写明原因"),
            ScoreError::AboveMax { item, max } => {
                format!("考核项目 {item} 得分不能超过 {max} 分")
            }
            ScoreError::UnknownLevel { item, level } => {
                format!("考核项目 {item} 没有“{level}”这一加分级别")
            }
            ScoreError::UnknownVeto { veto } => format!("没有一票否决事项 {veto}"),
        }
    }
}

/// A commendation level in Chinese for the common ids.
pub fn level_zh(level: &str) -> &str {
    match level {
        "national" => "国家级",
        "provincial" => "省级",
        "city" => "市级",
        "county" => "县级",
        "district" => "区级",
        "school" => "校级",
        other => other,
    }
}

fn neg(p: Points) -> String {
    if p == Points::ZERO {
        "0".into()
    } else {
        format!("−{p}")
    }
}

/// `points × done / total`, rounded to the hundredth.
fn share(points: Points, done: u32, total: u32) -> Points {
    if total == 0 {
        return points;
    }
    let done = done.min(total);
    let num = points.hundredths() * i64::from(done);
    Points((num * 2 + i64::from(total)) / (2 * i64::from(total)))
}

struct Scorer<'a> {
    a: &'a Assessment,
    inputs: &'a Inputs,
    items: Vec<ItemScore>,
    lines: Vec<Line>,
    zero_item: bool,
}

impl Scorer<'_> {
    fn input(&self, item: &AssessmentItem) -> Result<&Input, ScoreError> {
        self.inputs
            .leaves
            .get(&item.id)
            .ok_or_else(|| ScoreError::Missing {
                item: item.id.clone(),
            })
    }

    fn line(&mut self, item: &AssessmentItem, text: String, delta: Points) {
        self.lines.push(Line {
            item: Some(item.id.clone()),
            text: format!("{}：{text}", item.title),
            delta,
        });
    }

    /// An item's full points: its points, its weight (format 1), or its sub-items' sum.
    fn full(&self, item: &AssessmentItem) -> Points {
        if let Some(p) = item.points {
            return p;
        }
        if let Some(w) = item.weight {
            return Points::from_whole(i64::from(w));
        }
        self.a
            .children(Some(&item.id))
            .into_iter()
            .filter(|c| !matches!(c.rule, Some(ScoreRule::Bonus { .. })))
            .map(|c| self.full(c))
            .sum()
    }

    /// The deduction a deduction rule makes, capped at `max`, with its line.
    fn deduction(&mut self, item: &AssessmentItem, max: Points) -> Result<Points, ScoreError> {
        let wrong = |expected| ScoreError::WrongInput {
            item: item.id.clone(),
            expected,
        };
        let input = self.input(item)?.clone();
        let d = match (&item.rule, &input) {
            (Some(ScoreRule::Fixed { deduct }), Input::Cases(n)) => {
                let d = if *n > 0 {
                    (*deduct).min(max)
                } else {
                    Points::ZERO
                };
                if *n > 0 {
                    self.line(
                        item,
                        format!("扣 {deduct} 分 = {}", neg(d)),
                        Points::ZERO - d,
                    );
                }
                d
            }
            (Some(ScoreRule::PerCase { deduct, cap, case }), Input::Cases(n)) => {
                let raw = deduct.times(*n);
                let cap = cap.unwrap_or(max).min(max);
                let d = raw.min(cap);
                if *n > 0 {
                    let what = case.as_deref().map_or_else(
                        || format!("{n} 次"),
                        |c| c.replace("{n}", &format!(" {n} ")).trim().to_owned(),
                    );
                    let mut text = format!("{what} × {deduct} 分 = {}（上限 {cap} 分）", neg(raw));
                    if raw > cap {
                        text.push_str(&format!("，扣满上限 {}", neg(cap)));
                    }
                    self.line(item, text, Points::ZERO - d);
                }
                d
            }
            (Some(ScoreRule::Range { min, max: hi }), Input::Deduction { points, note }) => {
                if *points == Points::ZERO {
                    Points::ZERO
                } else {
                    if points < min || points > hi {
                        return Err(ScoreError::OutOfRange {
                            item: item.id.clone(),
                            min: *min,
                            max: *hi,
                        });
                    }
                    if note.trim().is_empty() {
                        return Err(ScoreError::NoteRequired {
                            item: item.id.clone(),
                        });
                    }
                    let d = (*points).min(max);
                    self.line(
                        item,
                        format!("酌情扣 {points} 分（{}）= {}", note.trim(), neg(d)),
                        Points::ZERO - d,
                    );
                    d
                }
            }
            (Some(ScoreRule::AllOrNothing), Input::Cases(n)) => {
                if *n > 0 {
                    self.line(
                        item,
                        format!("本项不得分 = {}", neg(max)),
                        Points::ZERO - max,
                    );
                    max
                } else {
                    Points::ZERO
                }
            }
            (
                Some(ScoreRule::Fixed { .. } | ScoreRule::PerCase { .. } | ScoreRule::AllOrNothing),
                _,
            ) => return Err(wrong("次数")),
            (Some(ScoreRule::Range { .. }), _) => return Err(wrong("扣分及原因")),
            _ => return Err(wrong("扣分规则")),
        };
        Ok(d)
    }

    /// Scores `item` and its sub-items; returns (score, full points).
    fn item(&mut self, item: &AssessmentItem) -> Result<(Points, Points), ScoreError> {
        let children = self.a.children(Some(&item.id));
        let (score, max) = if children.is_empty() {
            self.leaf(item)?
        } else {
            let pooled = item.combine == Combine::Highest
                || (item.points.is_some() && children.iter().all(|c| c.points.is_none()));
            if !pooled {
                // Sub-items share out the points: the item scores their sum.
                let mut score = Points::ZERO;
                let mut max = Points::ZERO;
                for c in children {
                    let (s, m) = self.item(c)?;
                    score = score + s;
                    max = max + m;
                }
                (score, item.points.unwrap_or(max))
            } else {
                // Sub-items deduct from the item's points: summed until nothing is left
                // (扣完为止), or only the highest (就高不就低，不累计扣分).
                let max = self.full(item);
                let mut deductions = Vec::new();
                for c in children {
                    let cmax = c.points.unwrap_or(max).min(max);
                    let d = self.deduction(c, cmax)?;
                    self.items.push(ItemScore {
                        id: c.id.clone(),
                        score: cmax - d,
                        max: cmax,
                        deduction: d,
                    });
                    deductions.push(d);
                }
                let taken = match item.combine {
                    Combine::Highest => {
                        let h = deductions.iter().copied().max().unwrap_or_default();
                        let sum: Points = deductions.iter().copied().sum();
                        if sum > h {
                            // The lines above took every deduction; give back all but the highest.
                            self.line(
                                item,
                                format!("就高不就低，不累计扣分：只取最高一项 {}", neg(h)),
                                sum - h,
                            );
                        }
                        h
                    }
                    Combine::Sum => {
                        let sum: Points = deductions.iter().copied().sum();
                        if sum > max {
                            self.line(
                                item,
                                format!("累计扣分 {}，扣完为止（本项 {max} 分）", neg(sum)),
                                sum - max,
                            );
                        }
                        sum.min(max)
                    }
                };
                if max > Points::ZERO && taken == max {
                    self.zero_item = true;
                }
                (max - taken, max)
            }
        };
        self.items.push(ItemScore {
            id: item.id.clone(),
            score,
            max,
            deduction: max - score.min(max),
        });
        Ok((score, max))
    }

    fn leaf(&mut self, item: &AssessmentItem) -> Result<(Points, Points), ScoreError> {
        let max = self.full(item);
        let wrong = |expected| ScoreError::WrongInput {
            item: item.id.clone(),
            expected,
        };
        let (score, max) = match &item.rule {
            Some(ScoreRule::Bonus { levels, cap }) => {
                let Input::Commendations(list) = self.input(item)?.clone() else {
                    return Err(wrong("表彰级别"));
                };
                let mut parts = Vec::new();
                let mut sum = Points::ZERO;
                for (level, p) in levels {
                    let n = list.iter().filter(|l| *l == level).count() as u32;
                    if n > 0 {
                        parts.push(format!(
                            "{} {n} 项 × {p} 分 = +{}",
                            level_zh(level),
                            p.times(n)
                        ));
                        sum = sum + p.times(n);
                    }
                }
                if let Some(l) = list.iter().find(|l| !levels.iter().any(|(x, _)| x == *l)) {
                    return Err(ScoreError::UnknownLevel {
                        item: item.id.clone(),
                        level: l.clone(),
                    });
                }
                let add = cap.map_or(sum, |c| sum.min(c));
                if sum > Points::ZERO {
                    let mut text = parts.join("；");
                    if let Some(c) = cap {
                        text.push_str(&format!("；合计 +{sum}（上限 {c} 分）"));
                        if sum > *c {
                            text.push_str(&format!("，计 +{add}"));
                        }
                    }
                    self.line(item, text, add);
                }
                return Ok((add, Points::ZERO));
            }
            Some(ScoreRule::Prorated { target }) => {
                let n = match self.input(item)? {
                    Input::Count(n) => *n,
                    Input::Share { done, .. } => *done,
                    _ => return Err(wrong("完成次数")),
                };
                let s = share(max, n.min(*target), *target);
                self.line(
                    item,
                    format!("完成 {}/{target} 次 × {max} 分 = {s} 分", n.min(*target)),
                    s,
                );
                (s, max)
            }
            None => match (self.input(item)?.clone(), &item.measure) {
                (Input::Share { done, total }, Measure::Duty(_)) => {
                    let s = share(max, done, total);
                    self.line(
                        item,
                        format!("按时完成 {}/{total} × {max} 分 = {s} 分", done.min(total)),
                        s,
                    );
                    (s, max)
                }
                (Input::Score(p), _) => {
                    if p > max {
                        return Err(ScoreError::AboveMax {
                            item: item.id.clone(),
                            max,
                        });
                    }
                    self.line(item, format!("评分 {p} 分（满分 {max} 分）"), p);
                    (p, max)
                }
                _ => return Err(wrong("得分")),
            },
            Some(_) => {
                let d = self.deduction(item, max)?;
                (max - d, max)
            }
        };
        if max > Points::ZERO && score == Points::ZERO {
            self.zero_item = true;
        }
        Ok((score, max))
    }
}

/// Scores one unit's inputs against the rubric.
pub fn score(a: &Assessment, inputs: &Inputs) -> Result<ScoreSheet, ScoreError> {
    let mut s = Scorer {
        a,
        inputs,
        items: Vec::new(),
        lines: Vec::new(),
        zero_item: false,
    };
    let mut total = Points::ZERO;
    let mut max = Points::ZERO;
    for item in a.children(None) {
        let (sc, m) = s.item(item)?;
        total = total + sc;
        max = max + m;
    }
    let mut sheet = ScoreSheet {
        total,
        max,
        items: s.items,
        lines: s.lines,
        vetoed: Vec::new(),
        zeroed: false,
        forced_grade: None,
        no_commendation: false,
        zero_item: s.zero_item,
    };
    for id in &inputs.vetoes {
        let v = a
            .vetoes
            .iter()
            .find(|v| &v.id == id)
            .ok_or_else(|| ScoreError::UnknownVeto { veto: id.clone() })?;
        sheet.vetoed.push(id.clone());
        let mut effects = Vec::new();
        for e in &v.effects {
            match e {
                VetoEffect::Zero => {
                    sheet.zeroed = true;
                    effects.push("总分记为 0".to_owned());
                }
                VetoEffect::Grade(g) => {
                    let title = a.grade(g).map_or(g.to_string(), |x| x.title.clone());
                    // The lowest forced grade wins when several vetoes apply.
                    let rank = |g: &GradeId| a.grades.iter().position(|x| &x.id == g);
                    if sheet
                        .forced_grade
                        .as_ref()
                        .is_none_or(|f| rank(g) > rank(f))
                    {
                        sheet.forced_grade = Some(g.clone());
                    }
                    effects.push(format!("等次定为{title}"));
                }
                VetoEffect::NoCommendation => {
                    sheet.no_commendation = true;
                    effects.push("取消当年评先评优资格".to_owned());
                }
            }
        }
        sheet.lines.push(Line {
            item: None,
            text: format!("一票否决：{}：{}", v.text, effects.join("，")),
            delta: Points::ZERO,
        });
    }
    if sheet.zeroed {
        sheet.total = Points::ZERO;
    }
    Ok(sheet)
}

/// Grades for a cycle's units: by score, best first; each unit gets the first band whose minimum it
/// reaches and whose conditions hold, while the band's quota (a share of all units, rounded down)
/// has room. Units tied at a quota's boundary all miss the band (`within`, the default) or all get
/// it (`over`); a band they missed that way is closed to the units ranked below them, so a lower
/// score never gets a better band. A veto's forced grade overrides, and counts toward that band's
/// quota.
pub fn assign_grades<K: Clone>(
    a: &Assessment,
    sheets: &[(K, &ScoreSheet)],
) -> Vec<(K, Option<GradeId>)> {
    let n = sheets.len();
    let quota_of = |q: Option<u32>| q.map(|q| n * q as usize / 100);
    let mut used = vec![0usize; a.grades.len()];
    // A band a tie group could not fit in (quota) is closed to everyone ranked below it.
    let mut closed = vec![false; a.grades.len()];
    let mut out: Vec<Option<GradeId>> = vec![None; n];
    // Forced grades first.
    for (i, (_, s)) in sheets.iter().enumerate() {
        if let Some(g) = &s.forced_grade {
            if let Some(b) = a.grades.iter().position(|x| &x.id == g) {
                used[b] += 1;
            }
            out[i] = Some(g.clone());
        }
    }
    let mut order: Vec<usize> = (0..n).filter(|&i| out[i].is_none()).collect();
    order.sort_by(|&x, &y| sheets[y].1.total.cmp(&sheets[x].1.total));
    let mut start = 0;
    while start < order.len() {
        let total = sheets[order[start]].1.total;
        let end = start
            + order[start..]
                .iter()
                .take_while(|&&i| sheets[i].1.total == total)
                .count();
        let mut group: Vec<usize> = order[start..end].to_vec();
        for (b, band) in a.grades.iter().enumerate() {
            if group.is_empty() {
                break;
            }
            let eligible: Vec<usize> = group
                .iter()
                .copied()
                .filter(|&i| {
                    let s = sheets[i].1;
                    s.total >= band.min
                        && band.requires.iter().all(|c| match c {
                            GradeCondition::NoZeroItem => !s.zero_item,
                            GradeCondition::NoVeto => s.vetoed.is_empty(),
                        })
                })
                .collect();
            if eligible.is_empty() || closed[b] {
                continue;
            }
            let room = quota_of(band.quota).map(|q| q.saturating_sub(used[b]));
            // `over` lets a tie group in while the band has room for one of them, never once
            // it is full.
            let fits = match room {
                None => true,
                Some(r) => eligible.len() <= r || (r > 0 && a.quota_ties == QuotaTies::Over),
            };
            if fits {
                for &i in &eligible {
                    out[i] = Some(band.id.clone());
                }
                used[b] += eligible.len();
                group.retain(|i| !eligible.contains(i));
            } else {
                closed[b] = true;
            }
        }
        start = end;
    }
    sheets
        .iter()
        .zip(out)
        .map(|((k, _), g)| (k.clone(), g))
        .collect()
}

/// Places within a peer group, by total, best first: units with equal totals share a place and
/// the places after them are skipped (并列: 1, 1, 3), as the published 排名 tables print them.
pub fn places(totals: &[Points]) -> Vec<u32> {
    totals
        .iter()
        .map(|t| 1 + totals.iter().filter(|o| *o > t).count() as u32)
        .collect()
}

// ------------------------------------------------------------------------ measured leaves

/// How an obligation of the cycle ended, as the ledger shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    OnTime,
    Late,
    Missed,
    /// Not yet due.
    Open,
}

/// What the ledger knows about a unit in a cycle.
#[derive(Debug, Clone, Default)]
pub struct LedgerFacts {
    /// Each obligation of the cycle: its duty, whether it is a report to the parent, its outcome.
    pub obligations: Vec<(DutyId, bool, Outcome)>,
    pub open_findings: u32,
    pub overdue_findings: u32,
    /// Incident reports made late (迟报) or not at all (漏报).
    pub incidents_late: u32,
}

/// The input a measured leaf takes from the ledger; `None` for a leaf scored by people.
pub fn measured(item: &AssessmentItem, facts: &LedgerFacts) -> Option<Input> {
    let count = |f: &dyn Fn(&DutyId, bool, Outcome) -> bool| {
        facts
            .obligations
            .iter()
            .filter(|(d, r, o)| f(d, *r, *o))
            .count() as u32
    };
    Some(match &item.measure {
        Measure::Manual => return None,
        Measure::Duty(d) => {
            let done = count(&|x, _, o| x == d && o == Outcome::OnTime);
            match item.rule {
                Some(ScoreRule::Prorated { .. }) => Input::Count(count(&|x, _, o| {
                    x == d && matches!(o, Outcome::OnTime | Outcome::Late)
                })),
                _ => Input::Share {
                    done,
                    total: count(&|x, _, o| x == d && o != Outcome::Open),
                },
            }
        }
        Measure::Missed(d) => Input::Cases(count(&|x, _, o| x == d && o == Outcome::Missed)),
        Measure::Late(d) => Input::Cases(count(&|x, _, o| x == d && o == Outcome::Late)),
        Measure::ReportsLate => Input::Cases(count(&|_, r, o| {
            r && matches!(o, Outcome::Late | Outcome::Missed)
        })),
        Measure::OpenFindings => Input::Cases(facts.open_findings),
        Measure::OverdueFindings => Input::Cases(facts.overdue_findings),
        Measure::IncidentsLate => Input::Cases(facts.incidents_late),
    })
}

#[cfg(test)]
#[path = "scoring_tests.rs"]
mod tests;

//! Tests of the scoring engine against the held-out rubrics and synthetic ones, with the
//! property tests of issue 15: caps never exceeded, non-cumulative groups take the highest
//! deduction, a veto's effect applies, bands respect quotas, measured leaves equal a direct count.

use proptest::prelude::*;
use zeren_policy::{parse, Policy};

use super::*;

fn rubric(name: &str) -> Policy {
    let path = format!(
        "{}/../zeren-policy/tests/fixtures/rubrics/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    parse(name, &std::fs::read_to_string(path).unwrap()).unwrap_or_else(|e| panic!("{e}"))
}

fn id(s: &str) -> ItemId {
    ItemId::parse(s).unwrap()
}

fn p(x: f64) -> Points {
    Points::from_f64(x).unwrap()
}

fn inputs(pairs: &[(&str, Input)]) -> Inputs {
    Inputs {
        leaves: pairs.iter().map(|(k, v)| (id(k), v.clone())).collect(),
        vetoes: Vec::new(),
    }
}

fn text(sheet: &ScoreSheet) -> Vec<String> {
    sheet.lines.iter().map(|l| l.text.clone()).collect()
}

/// A synthetic rubric with the shapes issue 15 quotes.
const SYNTHETIC: &str = r#"format = 1
[policy]
id = "t"
title = "测试"
[assessment]
every = "year"

[[assessment.items]]
id = "study"
title = "专题学习"
points = 10
rule = { kind = "per_case", deduct = 0.5, cap = 8, case = "缺{n}次" }

[[assessment.items]]
id = "discipline"
title = "纪律作风"
points = 6
combine = "highest"

[[assessment.items]]
id = "late_once"
title = "迟到早退"
under = "discipline"
rule = { kind = "per_case", deduct = 1 }

[[assessment.items]]
id = "complaint"
title = "被投诉"
under = "discipline"
rule = { kind = "fixed", deduct = 3 }

[[assessment.items]]
id = "review"
title = "综合评价"
points = 4
rule = { kind = "range", min = 0.5, max = 2 }

[[assessment.items]]
id = "honours"
title = "表彰奖励（加分）"
rule = { kind = "bonus", levels = { national = 2, provincial = 1, city = 0.5 }, cap = 3 }

[[assessment.vetoes]]
id = "major_incident"
text = "发生重大意识形态事件"
effect = ["grade:fail", "no_commendation"]

[[assessment.grades]]
id = "excellent"
title = "优秀"
min = 18
quota = 15
requires = ["no_zero_item", "no_veto"]

[[assessment.grades]]
id = "good"
title = "良好"
min = 15

[[assessment.grades]]
id = "fail"
title = "不合格"
min = 0
"#;

fn synthetic() -> Policy {
    parse("t.toml", SYNTHETIC).unwrap_or_else(|e| panic!("{e}"))
}

fn clean() -> Inputs {
    inputs(&[
        ("study", Input::Cases(0)),
        ("late_once", Input::Cases(0)),
        ("complaint", Input::Cases(0)),
        (
            "review",
            Input::Deduction {
                points: Points::ZERO,
                note: String::new(),
            },
        ),
        ("honours", Input::Commendations(vec![])),
    ])
}

#[test]
fn every_rule_application_is_a_line() {
    let pol = synthetic();
    let a = pol.assessment.as_ref().unwrap();
    let mut i = clean();
    i.leaves.insert(id("study"), Input::Cases(1));
    let s = score(a, &i).unwrap();
    assert_eq!(text(&s), ["专题学习：缺 1 次 × 0.5 分 = −0.5（上限 8 分）"]);
    assert_eq!(s.total, p(19.5));
    assert_eq!(s.max, p(20.0));

    i.leaves.insert(id("study"), Input::Cases(20));
    i.leaves.insert(id("late_once"), Input::Cases(2));
    i.leaves.insert(id("complaint"), Input::Cases(1));
    i.leaves.insert(
        id("review"),
        Input::Deduction {
            points: p(1.5),
            note: "台账不规范".into(),
        },
    );
    i.leaves.insert(
        id("honours"),
        Input::Commendations(vec![
            "national".into(),
            "provincial".into(),
            "provincial".into(),
        ]),
    );
    let s = score(a, &i).unwrap();
    assert_eq!(
        text(&s),
        [
            "专题学习：缺 20 次 × 0.5 分 = −10（上限 8 分），扣满上限 −8",
            "迟到早退：2 次 × 1 分 = −2（上限 6 分）",
            "被投诉：扣 3 分 = −3",
            "纪律作风：就高不就低，不累计扣分：只取最高一项 −3",
            "综合评价：酌情扣 1.5 分（台账不规范）= −1.5",
            "表彰奖励（加分）：国家级 1 项 × 2 分 = +2；省级 2 项 × 1 分 = +2；合计 +4（上限 3 分），计 +3",
        ]
    );
    // 10 − 8 + 6 − 3 + 4 − 1.5 + 3
    assert_eq!(s.total, p(10.5));
    assert_eq!(s.item(&id("discipline")).unwrap().score, p(3.0));
    assert_eq!(s.item(&id("study")).unwrap().deduction, p(8.0));
}

#[test]
fn scorer_entries_are_checked() {
    let pol = synthetic();
    let a = pol.assessment.as_ref().unwrap();
    let mut i = clean();
    i.leaves.insert(
        id("review"),
        Input::Deduction {
            points: p(3.0),
            note: "x".into(),
        },
    );
    assert_eq!(
        score(a, &i),
        Err(ScoreError::OutOfRange {
            item: id("review"),
            min: p(0.5),
            max: p(2.0)
        })
    );
    i.leaves.insert(
        id("review"),
        Input::Deduction {
            points: p(1.0),
            note: " ".into(),
        },
    );
    assert_eq!(
        score(a, &i),
        Err(ScoreError::NoteRequired { item: id("review") })
    );
    i.leaves.remove(&id("review"));
    assert_eq!(
        score(a, &i),
        Err(ScoreError::Missing { item: id("review") })
    );
    let mut i = clean();
    i.leaves.insert(id("study"), Input::Score(p(5.0)));
    assert!(matches!(score(a, &i), Err(ScoreError::WrongInput { .. })));
    let mut i = clean();
    i.leaves
        .insert(id("honours"), Input::Commendations(vec!["school".into()]));
    assert!(matches!(score(a, &i), Err(ScoreError::UnknownLevel { .. })));
}

#[test]
fn the_held_out_rubrics_score() {
    // 意识形态: 缺一个扣1分; 每人扣1分，扣满8分为止; 本项不得分.
    let pol = rubric("yongtai-ideology.toml");
    let a = pol.assessment.as_ref().unwrap();
    let i = inputs(&[
        ("staff_study", Input::Cases(1)),
        ("leadership_study", Input::Cases(0)),
        ("party_lecture", Input::Cases(1)),
        ("daily_points", Input::Cases(10)),
        ("contributions", Input::Cases(1)),
        ("outreach_team", Input::Cases(1)),
        ("public_talks", Input::Cases(1)),
        ("channels_unused", Input::Cases(0)),
    ]);
    let s = score(a, &i).unwrap();
    assert_eq!(
        text(&s),
        [
            "组织全体教职工学习（随机抽查3人的学习书籍或笔记）：缺 1 个 × 1 分 = −1（上限 3 分）",
            "领导班子成员带头讲党课：扣 1 分 = −1",
            "班子成员近一个月内超过5天学习积分未达标（抽查3名以上）：10 人 × 1 分 = −10（上限 8 分），扣满上限 −8",
            "全年学习强国供稿均未被采用：扣 2 分 = −2",
            "未建立宣讲小分队、未开展进校园（社区）宣讲活动：本项不得分 = −3",
            "全年未开展面向群众的宣讲活动：扣 2 分 = −2",
            "宣讲小分队和面向群众的宣讲：累计扣分 −5，扣完为止（本项 3 分）",
        ]
    );
    assert_eq!(s.item(&id("study")).unwrap().score, p(1.0));
    assert_eq!(s.item(&id("xuexi_platform")).unwrap().score, Points::ZERO);
    assert_eq!(s.item(&id("outreach")).unwrap().score, Points::ZERO);
    assert_eq!(s.total, p(4.0));
    assert_eq!(s.max, p(19.0));
    assert!(s.zero_item);

    // 安全生产: a fatality over target is vetoed — total 0, 不合格, no commendation.
    let pol = rubric("safety-production.toml");
    let a = pol.assessment.as_ref().unwrap();
    let mut i = inputs(&[
        ("fatalities", Input::Cases(0)),
        ("responsibility_letters", Input::Cases(0)),
        ("ledger", Input::Cases(3)),
        ("training", Input::Cases(0)),
        ("hazards_overdue", Input::Cases(2)),
        (
            "hazards_reporting",
            Input::Deduction {
                points: Points::ZERO,
                note: String::new(),
            },
        ),
    ]);
    let s = score(a, &i).unwrap();
    assert_eq!(s.total, p(71.5));
    i.vetoes
        .push(VetoId::parse("fatality_over_target").unwrap());
    let v = score(a, &i).unwrap();
    assert_eq!(v.total, Points::ZERO);
    assert!(v.no_commendation);
    assert_eq!(
        v.lines.last().unwrap().text,
        "一票否决：本年度发生死亡人数突破控制指标的事故：总分记为 0，等次定为不合格，取消当年评先评优资格"
    );
    let g = assign_grades(a, &[("a", &s), ("b", &v)]);
    assert_eq!(g[0].1.as_ref().unwrap().as_str(), "pass");
    assert_eq!(g[1].1.as_ref().unwrap().as_str(), "fail");

    // 党建: missed special meetings measured from the ledger.
    let pol = rubric("party-building.toml");
    let a = pol.assessment.as_ref().unwrap();
    let meeting = DutyId::parse("special_meeting").unwrap();
    let facts = LedgerFacts {
        obligations: vec![
            (meeting.clone(), false, Outcome::OnTime),
            (meeting.clone(), false, Outcome::Missed),
            (meeting.clone(), false, Outcome::Late),
            (meeting.clone(), false, Outcome::Missed),
        ],
        ..LedgerFacts::default()
    };
    let missed = a.item(&id("missed_meetings")).unwrap();
    assert_eq!(measured(missed, &facts), Some(Input::Cases(2)));
    let i = inputs(&[
        ("no_group", Input::Cases(0)),
        ("missed_meetings", measured(missed, &facts).unwrap()),
        ("no_plan", Input::Cases(0)),
        ("not_done", Input::Cases(0)),
        (
            "orders",
            Input::Deduction {
                points: p(2.0),
                note: "组织科任务延误".into(),
            },
        ),
        ("no_contact_points", Input::Cases(0)),
        ("missed_visits", Input::Cases(1)),
    ]);
    let s = score(a, &i).unwrap();
    assert!(text(&s).contains(&"专题会议次数不足：少开 2 次 × 0.5 分 = −1（上限 2 分）".to_owned()));
    assert_eq!(s.total, p(14.0 - 1.0 - 2.0 - 0.5));
}

#[test]
fn format_1_weighted_items_score_by_share() {
    // A weighted format-1 rubric scores a duty by its on-time share and the rest by hand.
    let src = r#"format = 1
[policy]
id = "t"
title = "t"
[duties.study]
title = "学习"
every = "quarter"
[assessment]
[[assessment.items]]
id = "study"
title = "学习制度落实"
weight = 60
measure = "duty:study"
[[assessment.items]]
id = "channels"
title = "阵地建设"
weight = 40
"#;
    let v1 = parse("t.toml", src).unwrap();
    let a1 = v1.assessment.as_ref().unwrap();
    let i = inputs(&[
        ("study", Input::Share { done: 3, total: 4 }),
        ("channels", Input::Score(p(35.0))),
    ]);
    let s = score(a1, &i).unwrap();
    assert_eq!(s.total, p(80.0));
    assert_eq!(
        text(&s),
        [
            "学习制度落实：按时完成 3/4 × 60 分 = 45 分",
            "阵地建设：评分 35 分（满分 40 分）"
        ]
    );
}

/// A sheet of 20 points with only its total, for grading.
fn bare(total: f64) -> ScoreSheet {
    ScoreSheet {
        total: p(total),
        max: p(20.0),
        items: vec![],
        lines: vec![],
        vetoed: vec![],
        zeroed: false,
        forced_grade: None,
        no_commendation: false,
        zero_item: false,
    }
}

#[test]
fn quotas_and_ties() {
    let pol = synthetic();
    let a = pol.assessment.as_ref().unwrap();
    // 14 units: 优秀 at most 15 % → 2.
    let sheets: Vec<ScoreSheet> = [
        19.0, 19.5, 18.5, 18.5, 18.0, 17.0, 16.0, 15.0, 14.0, 13.0, 12.0, 11.0, 10.0, 9.0,
    ]
    .iter()
    .map(|t| bare(*t))
    .collect();
    let refs: Vec<(usize, &ScoreSheet)> = sheets.iter().enumerate().collect();
    let g = assign_grades(a, &refs);
    let band = |i: usize| g[i].1.as_ref().unwrap().as_str().to_owned();
    assert_eq!(band(1), "excellent");
    assert_eq!(band(0), "excellent");
    // the two tied at 18.5 would exceed the quota: both 良好, and so is 18.0 below them
    assert_eq!(band(2), "good");
    assert_eq!(band(3), "good");
    assert_eq!(band(4), "good");
    assert_eq!(band(8), "fail");
}

#[test]
fn tied_units_share_a_place_and_the_next_is_skipped() {
    let t = |xs: &[f64]| xs.iter().map(|x| p(*x)).collect::<Vec<_>>();
    assert_eq!(places(&t(&[90.0, 95.5, 90.0, 80.0])), [2, 1, 2, 4]);
    assert_eq!(places(&t(&[70.0, 70.0, 70.0])), [1, 1, 1]);
    assert_eq!(places(&t(&[])), Vec::<u32>::new());
}

#[test]
fn quota_ties_over_lets_all_tied_units_into_the_band() {
    // 14 units: 优秀 at most 15 % → 2; 19.5 takes one place and the two at 18.5 tie for the last.
    let text = SYNTHETIC.replace(
        "[assessment]\nevery = \"year\"",
        "[assessment]\nevery = \"year\"\nquota_ties = \"over\"",
    );
    let pol = parse("t.toml", &text).unwrap();
    let a = pol.assessment.as_ref().unwrap();
    let totals = [
        19.5, 18.5, 18.5, 18.0, 17.0, 16.0, 15.0, 14.0, 13.0, 12.0, 11.0, 10.0, 9.0, 8.0,
    ];
    let sheets: Vec<ScoreSheet> = totals.iter().map(|t| bare(*t)).collect();
    let refs: Vec<(usize, &ScoreSheet)> = sheets.iter().enumerate().collect();
    let g = assign_grades(a, &refs);
    let band = |i: usize| g[i].1.as_ref().unwrap().as_str().to_owned();
    assert_eq!([band(0), band(1), band(2)], ["excellent"; 3]);
    // The band is full (three over a quota of two): 18.0 is 良好 although it reaches 优秀's 18.
    assert_eq!(band(3), "good");
    let t: Vec<Points> = totals.iter().map(|x| p(*x)).collect();
    assert_eq!(&places(&t)[..4], [1, 2, 2, 4]);
}

// ------------------------------------------------------------------------------ properties

proptest! {
    /// A per-case deduction never exceeds its cap nor the item's points, and is exactly
    /// min(cases × deduct, cap).
    #[test]
    fn caps_are_never_exceeded(points in 1i64..3000, deduct in 1i64..500, cap in proptest::option::of(0i64..3000), cases in 0u32..60) {
        let cap = cap.map(|c| c.min(points));
        let text = format!(
            "format = 1\n[policy]\nid = \"t\"\ntitle = \"t\"\n[assessment]\n[[assessment.items]]\nid = \"x\"\ntitle = \"x\"\npoints = {}\nrule = {{ kind = \"per_case\", deduct = {}{} }}\n",
            Points(points), Points(deduct),
            cap.map_or(String::new(), |c| format!(", cap = {}", Points(c)))
        );
        let pol = parse("t.toml", &text).unwrap();
        let a = pol.assessment.as_ref().unwrap();
        let s = score(a, &inputs(&[("x", Input::Cases(cases))])).unwrap();
        let limit = cap.unwrap_or(points);
        let expected = (deduct * i64::from(cases)).min(limit);
        prop_assert_eq!(s.total, Points(points - expected));
        prop_assert!(s.total >= Points::ZERO);
        prop_assert!(points - s.total.hundredths() <= limit);
    }

    /// A non-cumulative group takes only its highest deduction; a cumulative one sums them up to
    /// the item's points (扣完为止).
    #[test]
    fn non_cumulative_groups_take_the_highest_deduction(points in 100i64..2000, ds in prop::collection::vec((1i64..800, 0u32..4), 1..6), highest in any::<bool>()) {
        let mut text = format!(
            "format = 1\n[policy]\nid = \"t\"\ntitle = \"t\"\n[assessment]\n[[assessment.items]]\nid = \"g\"\ntitle = \"g\"\npoints = {}\ncombine = \"{}\"\n",
            Points(points), if highest { "highest" } else { "sum" }
        );
        let mut pairs = Vec::new();
        for (i, (d, _)) in ds.iter().enumerate() {
            text.push_str(&format!(
                "[[assessment.items]]\nid = \"c{i}\"\ntitle = \"c{i}\"\nunder = \"g\"\nrule = {{ kind = \"per_case\", deduct = {} }}\n",
                Points(*d)
            ));
        }
        let pol = parse("t.toml", &text).unwrap();
        let a = pol.assessment.as_ref().unwrap();
        for (i, (_, n)) in ds.iter().enumerate() {
            pairs.push((format!("c{i}"), Input::Cases(*n)));
        }
        let i = Inputs {
            leaves: pairs.iter().map(|(k, v)| (id(k), v.clone())).collect(),
            vetoes: vec![],
        };
        let s = score(a, &i).unwrap();
        let each: Vec<i64> = ds.iter().map(|(d, n)| (d * i64::from(*n)).min(points)).collect();
        let taken = if highest {
            *each.iter().max().unwrap()
        } else {
            each.iter().sum::<i64>().min(points)
        };
        prop_assert_eq!(s.total, Points(points - taken));
        // The lines explain the score: the deductions and the give-back add up to it.
        let delta: i64 = s.lines.iter().map(|l| l.delta.hundredths()).sum();
        prop_assert_eq!(points + delta, s.total.hundredths());
    }

    /// A veto's effects apply whatever the scores: the total to zero (`zero`), the grade forced
    /// (`grade:fail`), no 评先评优 (`no_commendation`); without a veto the score is untouched.
    #[test]
    fn a_veto_applies(cases in 0u32..30, review in 0i64..5, vetoed in any::<bool>(), zeroed in any::<bool>()) {
        let text = format!("{SYNTHETIC}\n[[assessment.vetoes]]\nid = \"falsified\"\ntext = \"台账造假\"\neffect = [\"zero\"]\n");
        let pol = parse("t.toml", &text).unwrap();
        let a = pol.assessment.as_ref().unwrap();
        let mut i = clean();
        i.leaves.insert(id("study"), Input::Cases(cases));
        // 0, or a deduction of 0.5 to 2 points
        let review = if review == 0 { Points::ZERO } else { Points(review * 50) };
        i.leaves.insert(id("review"), Input::Deduction { points: review, note: "酌情".into() });
        let plain = score(a, &i).unwrap();
        prop_assert!(!plain.no_commendation && plain.total > Points::ZERO);
        if vetoed {
            i.vetoes.push(VetoId::parse("major_incident").unwrap());
        }
        if zeroed {
            i.vetoes.push(VetoId::parse("falsified").unwrap());
        }
        let s = score(a, &i).unwrap();
        prop_assert_eq!(s.no_commendation, vetoed);
        prop_assert_eq!(s.total, if zeroed { Points::ZERO } else { plain.total });
        prop_assert_eq!(s.vetoed.len(), usize::from(vetoed) + usize::from(zeroed));
        // Graded beside a clean unit: the vetoed one never gets a better band.
        let g = assign_grades(a, &[(0, &s), (1, &plain)]);
        let grade = g[0].1.as_ref().map(|g| g.as_str());
        if vetoed || zeroed {
            prop_assert_eq!(grade, Some("fail"));
        } else {
            prop_assert_eq!(grade, g[1].1.as_ref().map(|g| g.as_str()));
        }
    }

    /// Bands never hold more units than their quota, and a higher score never gets a worse band
    /// (among units no condition or veto sets apart).
    #[test]
    fn bands_respect_quotas(totals in prop::collection::vec(0i64..2100, 1..60), over in any::<bool>()) {
        let text = SYNTHETIC.replace("[assessment]\nevery = \"year\"", &format!(
            "[assessment]\nevery = \"year\"\nquota_ties = \"{}\"", if over { "over" } else { "within" }));
        let pol = parse("t.toml", &text).unwrap();
        let a = pol.assessment.as_ref().unwrap();
        let sheets: Vec<ScoreSheet> = totals.iter().map(|t| ScoreSheet { total: Points(*t), ..bare(0.0) }).collect();
        let refs: Vec<(usize, &ScoreSheet)> = sheets.iter().enumerate().collect();
        let g = assign_grades(a, &refs);
        let rank = |x: &Option<GradeId>| a.grades.iter().position(|b| Some(&b.id) == x.as_ref()).unwrap_or(99);
        let excellent = g.iter().filter(|(_, b)| b.as_ref().is_some_and(|b| b.as_str() == "excellent")).count();
        let quota = totals.len() * 15 / 100;
        if !over {
            prop_assert!(excellent <= quota);
        } else {
            // Over the quota only by units tied with the band's lowest total, which came in
            // while the band had room.
            let lowest = g.iter().filter(|(_, b)| b.as_ref().is_some_and(|b| b.as_str() == "excellent"))
                .map(|(i, _)| sheets[*i].total).min();
            if let Some(lowest) = lowest {
                let above = g.iter().filter(|(i, b)| b.as_ref().is_some_and(|b| b.as_str() == "excellent") && sheets[*i].total > lowest).count();
                prop_assert!(above < quota, "{} above the lowest, quota {}", above, quota);
            }
        }
        for (i, gi) in &g {
            for (j, gj) in &g {
                if sheets[*i].total > sheets[*j].total {
                    prop_assert!(rank(gi) <= rank(gj), "{:?} {:?}", sheets[*i].total, sheets[*j].total);
                }
            }
            // every unit reaches its band's minimum
            if let Some(b) = gi.as_ref().and_then(|b| a.grade(b)) {
                prop_assert!(sheets[*i].total >= b.min);
            }
        }
    }

    /// Places: a unit's place is one more than the number of units strictly ahead of it, so
    /// equal totals share a place, a higher total never has a worse place, and each place p is
    /// held by units with exactly p − 1 ahead.
    #[test]
    fn tied_totals_share_places(totals in prop::collection::vec(0i64..50, 0..40)) {
        let t: Vec<Points> = totals.iter().map(|x| Points(*x)).collect();
        let pl = places(&t);
        prop_assert_eq!(pl.len(), t.len());
        for i in 0..t.len() {
            let ahead = t.iter().filter(|o| **o > t[i]).count() as u32;
            prop_assert_eq!(pl[i], ahead + 1);
            for j in 0..t.len() {
                if t[i] == t[j] {
                    prop_assert_eq!(pl[i], pl[j]);
                }
                if t[i] > t[j] {
                    prop_assert!(pl[i] < pl[j]);
                }
            }
        }
        if !t.is_empty() {
            prop_assert_eq!(pl.iter().min().copied(), Some(1));
        }
    }

    /// A measured leaf's input equals a direct count over the ledger.
    #[test]
    fn measured_leaves_equal_a_direct_count(obs in prop::collection::vec((0usize..3, any::<bool>(), 0usize..4), 0..80), open in 0u32..9, overdue in 0u32..9, late in 0u32..9) {
        let duties = ["a", "b", "c"].map(|d| DutyId::parse(d).unwrap());
        let outcomes = [Outcome::OnTime, Outcome::Late, Outcome::Missed, Outcome::Open];
        let facts = LedgerFacts {
            obligations: obs.iter().map(|(d, r, o)| (duties[*d].clone(), *r, outcomes[*o])).collect(),
            open_findings: open,
            overdue_findings: overdue,
            incidents_late: late,
        };
        let item = |m: Measure, rule: Option<ScoreRule>| AssessmentItem {
            id: id("x"), title: "x".into(), weight: None, measure: m, source: None, code: None,
            points: Some(p(10.0)), under: None, combine: zeren_policy::Combine::Sum, rule, criterion: None,
        };
        let per_case = Some(ScoreRule::PerCase { deduct: p(1.0), cap: None, case: None });
        let direct = |f: &dyn Fn(usize, bool, usize) -> bool| obs.iter().filter(|(d, r, o)| f(*d, *r, *o)).count() as u32;
        prop_assert_eq!(measured(&item(Measure::Missed(duties[0].clone()), per_case.clone()), &facts), Some(Input::Cases(direct(&|d, _, o| d == 0 && o == 2))));
        prop_assert_eq!(measured(&item(Measure::Late(duties[1].clone()), per_case.clone()), &facts), Some(Input::Cases(direct(&|d, _, o| d == 1 && o == 1))));
        prop_assert_eq!(measured(&item(Measure::ReportsLate, per_case.clone()), &facts), Some(Input::Cases(direct(&|_, r, o| r && (o == 1 || o == 2)))));
        prop_assert_eq!(measured(&item(Measure::Duty(duties[2].clone()), None), &facts), Some(Input::Share { done: direct(&|d, _, o| d == 2 && o == 0), total: direct(&|d, _, o| d == 2 && o != 3) }));
        prop_assert_eq!(measured(&item(Measure::Duty(duties[2].clone()), Some(ScoreRule::Prorated { target: 4 })), &facts), Some(Input::Count(direct(&|d, _, o| d == 2 && o <= 1))));
        prop_assert_eq!(measured(&item(Measure::OpenFindings, per_case.clone()), &facts), Some(Input::Cases(open)));
        prop_assert_eq!(measured(&item(Measure::OverdueFindings, per_case.clone()), &facts), Some(Input::Cases(overdue)));
        prop_assert_eq!(measured(&item(Measure::IncidentsLate, per_case), &facts), Some(Input::Cases(late)));
        prop_assert_eq!(measured(&item(Measure::Manual, None), &facts), None);
    }
}

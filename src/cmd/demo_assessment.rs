//! The demo's assessment (考核): the bureau's cycle of the district rubric over its schools for the
//! last half-year, self-assessed by each school (records of its ledger linked), reviewed and
//! locked by the bureau — one measured value overridden with its reason — one appeal answered,
//! and the ranking published; and this year's cycle, open for self-assessment, which some
//! schools have submitted and the `clerk`'s school has not. Every sheet is scored by the rules
//! (`zeren_core::assessment`, `zeren_core::scoring`) from what the demo's ledger holds.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate, Utc};
use zeren_core::assessment::{
    compose, entry_kind, leaves, parse_input, CycleDates, Entry, EntryKind, Side,
};
use zeren_core::scoring::{score, Input};
use zeren_policy::{Assessment, ItemId, Policy};
use zeren_store::assessment::{unit_facts, AssessmentRead, NewCycle, NewSheet, SheetSide};
use zeren_store::{Actor, Store};

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// Ten in the morning, China time, of a day.
fn morning(d: NaiveDate) -> chrono::DateTime<Utc> {
    d.and_hms_opt(2, 0, 0).unwrap_or_default().and_utc()
}

/// The last half-year that ended at least sixty days before `today` (its cycle has run its
/// course: self-assessment, review, appeals, publication).
fn last_half_year(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let mut y = today.year();
    loop {
        for (start, end) in [((7, 1), (12, 31)), ((1, 1), (6, 30))] {
            let e = NaiveDate::from_ymd_opt(y, end.0, end.1).unwrap_or(today);
            if e + Days::new(60) <= today {
                let s = NaiveDate::from_ymd_opt(y, start.0, start.1).unwrap_or(today);
                return (s, e);
            }
        }
        y -= 1;
    }
}

/// What a school (or the bureau) enters for the leaves people score, varied by `k`: the
/// deductions with their reasons, the commendations.
fn entries(
    a: &Assessment,
    k: usize,
    evidence: &[i64],
    reviewing: bool,
) -> Result<BTreeMap<ItemId, Entry>, String> {
    const NOTES: [&str; 4] = [
        "心得体会文章未按时完成",
        "专题授课课件未归档",
        "新媒体账号审核记录不全",
        "校园文化阵地巡查记录缺两次",
    ];
    let mut out = BTreeMap::new();
    for (i, leaf) in leaves(a).into_iter().enumerate() {
        if leaf.measure.is_measured() {
            continue;
        }
        let kind = entry_kind(leaf);
        let (value, note, levels): (String, String, Vec<(String, String)>) = match &kind {
            EntryKind::Deduction => {
                // The reviewers find a little more than the school owned up to.
                let d = (k + i) % 3 + usize::from(reviewing && k % 2 == 1);
                if d == 0 {
                    ("0".into(), String::new(), vec![])
                } else {
                    (
                        format!("{}", d as f64 * 0.5 + 0.5),
                        NOTES[(k + i) % NOTES.len()].into(),
                        vec![],
                    )
                }
            }
            EntryKind::Commendations(known) => {
                let level = known.get((k + 2) % (known.len() + 1)).cloned();
                (
                    String::new(),
                    String::new(),
                    level.map(|l| vec![(l, "1".into())]).unwrap_or_default(),
                )
            }
            EntryKind::Score => (
                leaf.points.map(|p| p.to_string()).unwrap_or_default(),
                String::new(),
                vec![],
            ),
            EntryKind::Share => ("0/0".into(), String::new(), vec![]),
            EntryKind::Cases | EntryKind::Count => ("0".into(), String::new(), vec![]),
        };
        let input = parse_input(&kind, &value, &note, &levels)?;
        out.insert(
            leaf.id.clone(),
            Entry {
                input: Some(input),
                note,
                evidence: if out.is_empty() {
                    evidence.to_vec()
                } else {
                    vec![]
                },
                reason: String::new(),
            },
        );
    }
    Ok(out)
}

/// Scores and stores one sheet of a unit, as the web's forms do.
#[allow(clippy::too_many_arguments)]
async fn sheet(
    store: &Store,
    actor: &Actor,
    at: NaiveDate,
    cycle: &zeren_store::assessment::Cycle,
    (policy_id, a): (&str, &Assessment),
    unit: i64,
    side: SheetSide,
    mut entries: BTreeMap<ItemId, Entry>,
    override_reason: Option<&str>,
) -> Result<i64, String> {
    let period = (cycle.period_start, cycle.period_end);
    let facts = unit_facts(store, unit, policy_id, period, at, zeren_store::now())
        .await
        .map_err(err)?
        .facts;
    let s = if side == SheetSide::Review {
        Side::Review
    } else {
        Side::SelfAssessment
    };
    if let Some(reason) = override_reason {
        // The first measured leaf counting cases, corrected by one with the reason.
        if let Some((leaf, n)) =
            leaves(a)
                .into_iter()
                .find_map(|l| match zeren_core::scoring::measured(l, &facts) {
                    Some(Input::Cases(n)) => Some((l, n)),
                    _ => None,
                })
        {
            let corrected = if n > 0 { n - 1 } else { n + 1 };
            entries.insert(
                leaf.id.clone(),
                Entry {
                    input: Some(Input::Cases(corrected)),
                    note: String::new(),
                    evidence: vec![],
                    reason: reason.into(),
                },
            );
        }
    }
    let c = compose(a, &facts, &entries, &[], s).map_err(|p| format!("{p:?}"))?;
    let scored = score(a, &c.inputs).map_err(|e| e.zh())?;
    let mut w = store.write(actor).await.map_err(err)?;
    w.import_history_at(morning(at));
    let stored = w
        .submit_assessment_sheet(
            cycle.id,
            unit,
            side,
            &NewSheet {
                entries,
                vetoes: vec![],
                inputs: c.inputs.leaves,
                sheet: scored,
                locks: side == SheetSide::Review,
            },
            (side == SheetSide::Review).then_some(a),
        )
        .await
        .map_err(err)?;
    w.commit().await.map_err(err)?;
    Ok(stored.total)
}

/// Runs the bureau's cycles over `schools` (id, name, office actor, office person) with the
/// rubric of `policy` installed as `installed_policy_id`. Returns the published cycle's title, the
/// schools it assessed, and how many self-assessed this year's cycle.
pub async fn demo_assessment(
    store: &Store,
    bureau: i64,
    bureau_writer: &Actor,
    (installed_policy_id, policy): (i64, &Policy),
    schools: &[(i64, String, Actor, i64)],
    today: NaiveDate,
) -> Result<(String, usize, usize), String> {
    let Some(a) = policy.assessment.as_ref() else {
        return Ok((String::new(), 0, 0));
    };
    if schools.is_empty() {
        return Ok((String::new(), 0, 0));
    }
    // --- the last half-year: run to publication ------------------------------------------
    let (start, end) = last_half_year(today);
    let half = if end.month() == 6 {
        "上半年"
    } else {
        "下半年"
    };
    let dates = CycleDates {
        period_start: start,
        period_end: end,
        self_due_on: end + Days::new(15),
        review_due_on: end + Days::new(30),
        appeal_until: end + Days::new(40),
    };
    let mut w = store.write(bureau_writer).await.map_err(err)?;
    w.import_history_at(morning(end + Days::new(1)));
    let cycle = w
        .open_assessment_cycle(&NewCycle {
            unit_id: bureau,
            installed_policy_id,
            title: format!("{}年{half}学校意识形态工作责任制考核", start.year()),
            scope_kind: "学校".into(),
            dates,
        })
        .await
        .map_err(err)?;
    w.commit().await.map_err(err)?;
    let assessed: Vec<i64> = store
        .reader()
        .await
        .map_err(err)?
        .assessment_cycle_units(cycle.id)
        .await
        .map_err(err)?
        .into_iter()
        .map(|u| u.unit_id)
        .collect();
    let in_scope: Vec<_> = schools.iter().filter(|s| assessed.contains(&s.0)).collect();
    for (k, (school, _, office, _)) in in_scope.iter().enumerate() {
        let records: Vec<i64> = store
            .reader()
            .await
            .map_err(err)?
            .linkable_records(*school, (start, end))
            .await
            .map_err(err)?
            .into_iter()
            .take(2)
            .map(|r| r.record_id)
            .collect();
        let on = end + Days::new(5 + (k as u64 % 9));
        sheet(
            store,
            office,
            on,
            &cycle,
            (policy.meta.id.as_str(), a),
            *school,
            SheetSide::SelfAssessment,
            entries(a, k, &records, false)?,
            None,
        )
        .await?;
    }
    for (k, (school, ..)) in in_scope.iter().enumerate() {
        // The first school's paper records of a study were checked on the spot.
        let reason = (k == 0).then_some("现场核查纸质台账：学习记录与台账登记不一致，按核实情况计");
        sheet(
            store,
            bureau_writer,
            end + Days::new(20 + (k as u64 % 8)),
            &cycle,
            (policy.meta.id.as_str(), a),
            *school,
            SheetSide::Review,
            entries(a, k, &[], true)?,
            reason,
        )
        .await?;
    }
    // The last school appeals its score; the bureau answers.
    if let Some((school, _, office, _)) = in_scope.last() {
        let mut w = store.write(office).await.map_err(err)?;
        w.import_history_at(morning(dates.review_due_on + Days::new(2)));
        let appeal = w
            .appeal_assessment(
                cycle.id,
                *school,
                "阵地建设扣分偏多：新媒体账号审核记录已于考核期内补齐，请复核",
            )
            .await
            .map_err(err)?;
        w.commit().await.map_err(err)?;
        let mut w = store.write(bureau_writer).await.map_err(err)?;
        w.import_history_at(morning(dates.review_due_on + Days::new(5)));
        w.answer_assessment_appeal(
            &appeal,
            false,
            "经复核，补齐的审核记录登记于考核期结束之后，维持原评分",
        )
        .await
        .map_err(err)?;
        w.commit().await.map_err(err)?;
    }
    let mut w = store.write(bureau_writer).await.map_err(err)?;
    w.import_history_at(morning(dates.appeal_until + Days::new(3)));
    w.publish_assessment_cycle(cycle.id, false)
        .await
        .map_err(err)?;
    w.commit().await.map_err(err)?;

    // --- this year: open for self-assessment ---------------------------------------------
    let year = today.year();
    let opened = today.checked_sub_days(Days::new(10)).unwrap_or(today);
    let current = CycleDates {
        period_start: NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(today),
        period_end: NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(today),
        self_due_on: today + Days::new(14),
        review_due_on: today + Days::new(30),
        appeal_until: today + Days::new(40),
    };
    let mut w = store.write(bureau_writer).await.map_err(err)?;
    w.import_history_at(morning(opened));
    let now_cycle = w
        .open_assessment_cycle(&NewCycle {
            unit_id: bureau,
            installed_policy_id,
            title: format!("{year}年度学校意识形态工作责任制考核"),
            scope_kind: "学校".into(),
            dates: current,
        })
        .await
        .map_err(err)?;
    w.commit().await.map_err(err)?;
    // Every other school has submitted; the first (the demo's `clerk`) has not yet.
    let mut submitted = 0;
    for (k, (school, _, office, _)) in in_scope.iter().enumerate().skip(1).step_by(2) {
        let on = today
            .checked_sub_days(Days::new(1 + k as u64 % 5))
            .unwrap_or(today);
        sheet(
            store,
            office,
            on,
            &now_cycle,
            (policy.meta.id.as_str(), a),
            *school,
            SheetSide::SelfAssessment,
            entries(a, k + 1, &[], false)?,
            None,
        )
        .await?;
        submitted += 1;
    }
    Ok((cycle.title, in_scope.len(), submitted))
}

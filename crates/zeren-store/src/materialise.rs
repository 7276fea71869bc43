//! Materialising obligations: for every current policy installation, the obligations the domain
//! rules plan for today (the current period and the next) are created if missing, and future,
//! record-less obligations that the plan no longer wants (a holder left, a unit moved, the policy
//! was upgraded) are removed. Past and current obligations are never touched. Safe to run again
//! and from several instances at once.

use std::collections::HashMap;

use chrono::{Days, NaiveDate};
use serde::Serialize;
use zeren_core::obligations::{plan_governed, reconcile, Existing, Gap, ObligationKey};
use zeren_core::org::{Assignment as CoreAssignment, Org, PersonId, Unit as CoreUnit, UnitId};
use zeren_policy::calendar::WorkCalendar;
use zeren_policy::{DutyId, RoleId};

use crate::install::{governed_units, Scope};
use crate::ledger::NewObligation;
use crate::read::Read;
use crate::{run, Actor, Result, Store};

/// What a run did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    pub installations: usize,
    pub created: usize,
    pub removed: usize,
    /// Per-holder duties that could not be broken down: (unit, duty, role).
    pub gaps: Vec<(i64, String, String)>,
    /// Installed policies that no longer parse (they are skipped): (installation, first problem).
    pub invalid: Vec<(i64, String)>,
}

/// The organisation below `root` (the unit tree and every assignment) as the domain rules see
/// it, for the materialiser and the review engine. Assignments end the day before their `ends_on`
/// (the store's end date is exclusive).
pub async fn org_snapshot(store: &Store, root: i64) -> Result<Org> {
    let mut r = store.reader().await?;
    let units = r.subtree(root).await?;
    let assignments = r.assignments_in_subtree(root).await?;
    Ok(core_org(units, assignments))
}

/// The organisation as seen from `unit` upwards: the units from the root down to `unit` and the
/// assignments held in them. Enough for every rule that walks a unit's ancestry and asks who
/// holds a role there — who must approve a review step, who an incident report must reach, who
/// may 签收 it — at the cost of the unit's depth, not the size of the tree (a province's snapshot
/// takes seconds; this takes a few indexed reads).
pub async fn ancestry_snapshot(store: &Store, unit: i64) -> Result<Org> {
    let mut r = store.reader().await?;
    let units = r.path(unit).await?;
    let mut assignments = Vec::new();
    for u in &units {
        assignments.extend(r.assignments_at(u.id).await?);
    }
    Ok(core_org(units, assignments))
}

fn core_org(units: Vec<crate::Unit>, assignments: Vec<crate::AssignmentView>) -> Org {
    let units = units.into_iter().map(|u| CoreUnit {
        id: UnitId(u.id),
        parent: u.parent_id.map(UnitId),
        kind: u.kind,
    });
    let assignments = assignments
        .into_iter()
        .filter_map(|a| {
            Some(CoreAssignment {
                person: PersonId(a.person_id),
                role: RoleId::parse(&a.role_id)?,
                unit: UnitId(a.unit_id),
                from: a.starts_on,
                to: match a.ends_on {
                    Some(e) => Some(e.checked_sub_days(Days::new(1))?),
                    None => None,
                },
            })
        })
        .collect();
    Org::new(units, assignments)
}

/// Materialises the obligations of every installation in the tree of every root unit.
pub async fn materialise_all(
    store: &Store,
    today: NaiveDate,
    cal: &WorkCalendar,
) -> Result<Report> {
    let roots = store.reader().await?.root_units().await?;
    let mut report = Report::default();
    for root in roots {
        materialise_tree(store, root.id, today, cal, &mut report).await?;
    }
    Ok(report)
}

/// Materialises the obligations of the installations in the subtree of `root`. Reads everything
/// it needs in a few queries, parses each distinct policy text once, and writes in one
/// transaction with multi-row inserts: the cost is linear in installations and obligations.
pub async fn materialise_tree(
    store: &Store,
    root: i64,
    today: NaiveDate,
    cal: &WorkCalendar,
    report: &mut Report,
) -> Result<()> {
    let org = org_snapshot(store, root).await?;
    // A unit retired or merged by `today` takes no new obligations: it is governed by nothing,
    // so its future obligations without records go like any others nobody asks for. (Before
    // that day it is governed as it was, so a replay of earlier months plans what it had.)
    let mut units = store.reader().await?.subtree(root).await?;
    units.retain(|u| u.retired_on.is_none_or(|d| d > today));
    let (installations, texts) = installations_below(store, root).await?;
    // Which installation governs which unit: a policy installed above reaches every unit of the
    // kinds it applies to, unless a closer installation governs it.
    let scopes: Vec<Scope> = installations
        .iter()
        .filter(|i| i.current)
        .map(|i| Scope {
            id: i.id,
            unit_id: i.unit_id,
            kinds: i
                .applies_to
                .as_deref()
                .unwrap_or("")
                .split_whitespace()
                .filter_map(zeren_policy::UnitKind::parse)
                .collect(),
        })
        .collect();
    let mut governed: HashMap<i64, Vec<UnitId>> = HashMap::new();
    for (unit, inst) in governed_units(&org, &units, &scopes) {
        governed.entry(inst).or_default().push(UnitId(unit));
    }
    for v in governed.values_mut() {
        v.sort();
    }
    let upgraded: std::collections::HashSet<(i64, String)> = installations
        .iter()
        .filter(|i| i.current)
        .map(|i| (i.unit_id, i.policy_id.clone()))
        .collect();
    let mut existing = existing_below(store, root, today).await?;
    let mut parsed: HashMap<String, Option<std::sync::Arc<zeren_policy::Policy>>> = HashMap::new();
    let mut rows: Vec<NewObligation> = Vec::new();
    let mut remove: Vec<i64> = Vec::new();
    let mut retire: Vec<i64> = Vec::new();
    for inst in installations {
        let mine = existing.remove(&inst.id).unwrap_or_default();
        if !inst.current {
            // A superseded version's future obligations without records go (the new version
            // plans its own); a removed or switched policy's go from the current period on
            // too, since nothing asks them any more. Records and ended periods stay.
            let upgrade = upgraded.contains(&(inst.unit_id, inst.policy_id.clone()));
            let ids = mine
                .iter()
                .filter(|(_, e)| !e.has_records)
                .map(|(id, _)| *id);
            if upgrade {
                remove.extend(ids);
            } else {
                retire.extend(ids);
            }
            continue;
        }
        let text = texts
            .get(&(inst.sha256.clone(), inst.policy_id.clone()))
            .map(String::as_str)
            .unwrap_or_default();
        let policy = parsed
            .entry(inst.sha256.clone() + &inst.policy_id)
            .or_insert_with(|| {
                zeren_policy::parse(&inst.policy_id, text)
                    .ok()
                    .map(std::sync::Arc::new)
            })
            .clone();
        let Some(policy) = policy else {
            let first = zeren_policy::parse(&inst.policy_id, text)
                .err()
                .and_then(|d| d.iter().next().map(|x| x.to_string()))
                .unwrap_or_default();
            report.invalid.push((inst.id, first));
            continue;
        };
        report.installations += 1;
        let since = inst
            .effective_from
            .unwrap_or_else(|| (inst.installed_at + chrono::Duration::hours(8)).date_naive());
        let units = governed.get(&inst.id).map(Vec::as_slice).unwrap_or(&[]);
        let planned = plan_governed(&policy, units, since, &org, today, cal);
        for Gap { duty, unit, role } in &planned.gaps {
            report
                .gaps
                .push((unit.0, duty.to_string(), role.to_string()));
        }
        let keyed: Vec<Existing> = mine.iter().map(|(_, e)| e.clone()).collect();
        let r = reconcile(&keyed, &planned, today);
        rows.extend(r.insert.iter().filter_map(|p| {
            let duty = policy.duty(&p.key.duty)?;
            Some(NewObligation {
                installed_policy_id: inst.id,
                policy_id: inst.policy_id.clone(),
                duty_id: p.key.duty.to_string(),
                title: duty.title.clone(),
                unit_id: p.key.unit.0,
                person_id: p.key.person.map(|x| x.0),
                every: duty.every.word().to_string(),
                period_start: p.period.start,
                period_end: p.period.end,
                period_label: p.period.label(),
                due_on: p.due,
                times: i64::from(p.times),
                evidence: duty
                    .evidence
                    .iter()
                    .map(|e| e.word())
                    .collect::<Vec<_>>()
                    .join(" "),
                report_to_parent: duty.report_to_parent,
            })
        }));
        let gone: std::collections::HashSet<&ObligationKey> = r.remove.iter().collect();
        remove.extend(
            mine.iter()
                .filter(|(_, e)| gone.contains(&e.key))
                .map(|(id, _)| *id),
        );
    }
    if rows.is_empty() && remove.is_empty() && retire.is_empty() {
        return Ok(());
    }
    let mut w = store.write(&Actor::system()).await?;
    // Removals first: after an upgrade the new installation's rows would otherwise meet the old
    // installation's future rows on the natural key and be skipped.
    report.removed += w.remove_future_obligations(&remove, today).await?.len();
    report.removed += w.remove_unended_obligations(&retire, today).await?.len();
    report.created += w.materialise_obligations(&rows).await?.len();
    w.commit().await
}

/// An installation as the materialiser needs it: no text (that is fetched once per version).
#[derive(sqlx::FromRow)]
struct InstallationRow {
    id: i64,
    unit_id: i64,
    policy_id: String,
    sha256: String,
    installed_at: chrono::DateTime<chrono::Utc>,
    effective_from: Option<NaiveDate>,
    current: bool,
    applies_to: Option<String>,
}

type Texts = HashMap<(String, String), String>;

const SUBTREE_IDS: &str = "WITH RECURSIVE sub(id) AS (
        SELECT id FROM units WHERE id = $1
        UNION ALL
        SELECT u.id FROM units u JOIN sub ON u.parent_id = sub.id)";

/// The installations below `root`, and the text of each distinct policy version among them
/// (thousands of units usually share a handful of versions).
async fn installations_below(store: &Store, root: i64) -> Result<(Vec<InstallationRow>, Texts)> {
    let mut r = store.reader().await?;
    let sql = format!(
        "{SUBTREE_IDS} SELECT id, unit_id, policy_id, sha256, installed_at, effective_from, current, applies_to
         FROM installed_policies WHERE unit_id IN (SELECT id FROM sub) ORDER BY unit_id, id DESC"
    );
    let rows: Vec<InstallationRow> = run!(r.conn(), |c| sqlx::query_as(&sql)
        .bind(root)
        .fetch_all(&mut *c)
        .await)?;
    let sql = format!(
        "{SUBTREE_IDS} SELECT sha256, policy_id, text FROM installed_policies WHERE id IN (
             SELECT MIN(id) FROM installed_policies WHERE unit_id IN (SELECT id FROM sub) GROUP BY sha256, policy_id)"
    );
    let texts: Vec<(String, String, String)> = run!(r.conn(), |c| sqlx::query_as(&sql)
        .bind(root)
        .fetch_all(&mut *c)
        .await)?;
    Ok((
        rows,
        texts
            .into_iter()
            .map(|(sha, id, text)| ((sha, id), text))
            .collect(),
    ))
}

/// (installation, obligation, duty, unit, person, period start, has records)
type ExistingRow = (i64, i64, String, i64, Option<i64>, NaiveDate, bool);

/// The obligations below `root` whose period has not ended, by installation, with whether they
/// have records.
async fn existing_below(
    store: &Store,
    root: i64,
    today: NaiveDate,
) -> Result<HashMap<i64, Vec<(i64, Existing)>>> {
    let mut r = store.reader().await?;
    let rows: Vec<ExistingRow> = run!(r.conn(), |c| sqlx::query_as(
        "WITH RECURSIVE sub(id) AS (
            SELECT id FROM units WHERE id = $1
            UNION ALL
            SELECT u.id FROM units u JOIN sub ON u.parent_id = sub.id)
         SELECT o.installed_policy_id, o.id, o.duty_id, o.unit_id, o.person_id, o.period_start,
                EXISTS (SELECT 1 FROM records x WHERE x.obligation_id = o.id)
         FROM obligations o JOIN installed_policies p ON p.id = o.installed_policy_id
         WHERE p.unit_id IN (SELECT id FROM sub) AND o.period_end >= $2"
    )
    .bind(root)
    .bind(today)
    .fetch_all(&mut *c)
    .await)?;
    let mut out: HashMap<i64, Vec<(i64, Existing)>> = HashMap::new();
    for (inst, id, duty, unit, person, start, has_records) in rows {
        let Some(duty) = DutyId::parse(&duty) else {
            continue;
        };
        out.entry(inst).or_default().push((
            id,
            Existing {
                key: ObligationKey {
                    duty,
                    unit: UnitId(unit),
                    person: person.map(PersonId),
                    period_start: start,
                },
                has_records,
            },
        ));
    }
    Ok(out)
}

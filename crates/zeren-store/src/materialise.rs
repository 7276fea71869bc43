//! Materialising obligations: for every current policy installation, the obligations the domain
//! rules plan for today (the current period and the next) are created if missing, and future,
//! record-less obligations that the plan no longer wants (a holder left, a unit moved, the policy
//! was upgraded) are removed. Past and current obligations are never touched. Safe to run again
//! and from several instances at once.

use chrono::{Days, NaiveDate};
use serde::Serialize;
use zeren_core::obligations::{plan, reconcile, Existing, Gap, Installation, ObligationKey};
use zeren_core::org::{Assignment as CoreAssignment, Org, PersonId, Unit as CoreUnit, UnitId};
use zeren_policy::calendar::WorkCalendar;
use zeren_policy::{DutyId, RoleId};

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

/// The organisation below `root` as the domain rules see it. Assignments end the day before
/// their `ends_on` (the store's end date is exclusive).
async fn org_below(store: &Store, root: i64) -> Result<Org> {
    let mut r = store.reader().await?;
    let units = r.subtree(root).await?;
    let assignments = r.assignments_in_subtree(root).await?;
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
    Ok(Org::new(units, assignments))
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

/// Materialises the obligations of the installations in the subtree of `root`.
pub async fn materialise_tree(
    store: &Store,
    root: i64,
    today: NaiveDate,
    cal: &WorkCalendar,
    report: &mut Report,
) -> Result<()> {
    let org = org_below(store, root).await?;
    let installations = store.reader().await?.policies_in_subtree(root).await?;
    for inst in installations {
        if !inst.current {
            retire(store, inst.id, today, report).await?;
            continue;
        }
        let policy = match zeren_policy::parse(&inst.policy_id, &inst.text) {
            Ok(p) => p,
            Err(d) => {
                let first = d.iter().next().map(|x| x.to_string()).unwrap_or_default();
                report.invalid.push((inst.id, first));
                continue;
            }
        };
        report.installations += 1;
        let installation = Installation {
            unit: UnitId(inst.unit_id),
            since: effective_from(store, inst.id)
                .await?
                .unwrap_or_else(|| inst.installed_at.date_naive()),
        };
        let planned = plan(&policy, &installation, &org, today, cal);
        for Gap { duty, unit, role } in &planned.gaps {
            report
                .gaps
                .push((unit.0, duty.to_string(), role.to_string()));
        }
        let existing = existing_keys(store, inst.id, today).await?;
        let keyed: Vec<Existing> = existing.iter().map(|(_, e)| e.clone()).collect();
        let r = reconcile(&keyed, &planned, today);
        let rows: Vec<NewObligation> = r
            .insert
            .iter()
            .filter_map(|p| {
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
            })
            .collect();
        let remove: Vec<i64> = existing
            .iter()
            .filter(|(_, e)| r.remove.contains(&e.key))
            .map(|(id, _)| *id)
            .collect();
        if rows.is_empty() && remove.is_empty() {
            continue;
        }
        let mut w = store.write(&Actor::system()).await?;
        report.created += w.materialise_obligations(inst.unit_id, &rows).await?.len();
        report.removed += w.remove_future_obligations(&remove, today).await?.len();
        w.commit().await?;
    }
    Ok(())
}

async fn effective_from(store: &Store, installation: i64) -> Result<Option<NaiveDate>> {
    let mut r = store.reader().await?;
    let row: Option<(Option<NaiveDate>,)> = run!(r.conn(), |c| sqlx::query_as(
        "SELECT effective_from FROM installed_policies WHERE id = $1"
    )
    .bind(installation)
    .fetch_optional(&mut *c)
    .await)?;
    Ok(row.and_then(|(d,)| d))
}

/// A superseded installation's future obligations without records go.
async fn retire(
    store: &Store,
    installation: i64,
    today: NaiveDate,
    report: &mut Report,
) -> Result<()> {
    let ids: Vec<i64> = existing_keys(store, installation, today)
        .await?
        .into_iter()
        .filter(|(_, e)| e.key.period_start > today && !e.has_records)
        .map(|(id, _)| id)
        .collect();
    if ids.is_empty() {
        return Ok(());
    }
    let mut w = store.write(&Actor::system()).await?;
    report.removed += w.remove_future_obligations(&ids, today).await?.len();
    w.commit().await
}

/// The installation's obligations whose period has not ended, with whether they have records.
async fn existing_keys(
    store: &Store,
    installation: i64,
    today: NaiveDate,
) -> Result<Vec<(i64, Existing)>> {
    let mut r = store.reader().await?;
    let rows: Vec<(i64, String, i64, Option<i64>, NaiveDate, bool)> =
        run!(r.conn(), |c| sqlx::query_as(
            "SELECT o.id, o.duty_id, o.unit_id, o.person_id, o.period_start,
                EXISTS (SELECT 1 FROM records x WHERE x.obligation_id = o.id)
         FROM obligations o WHERE o.installed_policy_id = $1 AND o.period_end >= $2"
        )
        .bind(installation)
        .bind(today)
        .fetch_all(&mut *c)
        .await)?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, duty, unit, person, start, has_records)| {
            Some((
                id,
                Existing {
                    key: ObligationKey {
                        duty: DutyId::parse(&duty)?,
                        unit: UnitId(unit),
                        person: person.map(PersonId),
                        period_start: start,
                    },
                    has_records,
                },
            ))
        })
        .collect())
}

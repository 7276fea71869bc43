//! What a person answers for: the units where they hold a role today or may edit, and the
//! obligations of those units (not colleagues' personal ones) plus their own; review items
//! returned to them and steps waiting for their 转交. 我的工作, its count
//! in the navigation and the calendar feed all read it.

use chrono::{Datelike, NaiveDate};
use zeren_store::ledger::{LedgerRead, ObligationFilter, ObligationProgress};
use zeren_store::reviews::ReviewItem;
use zeren_store::{Level, Read, Unit};

use super::access;
use super::context::Viewer;
use super::error::Error;
use super::state::AppState;

/// The units a person answers for: where they hold a role today, and where they may edit.
pub async fn units(state: &AppState, v: &Viewer, today: NaiveDate) -> Result<Vec<Unit>, Error> {
    let mut out: Vec<Unit> = Vec::new();
    let mut r = state.store.reader().await?;
    if let Some(pid) = v.account.person_id {
        for a in r.assignments_of(pid).await? {
            let active = a.starts_on <= today && a.ends_on.is_none_or(|e| today < e);
            if active && !out.iter().any(|u| u.id == a.unit_id) {
                if let Some(u) = r.unit(a.unit_id).await? {
                    out.push(u);
                }
            }
        }
    }
    for g in r.grants_of(v.account.id).await? {
        if Level::parse(&g.level).is_some_and(|l| l >= Level::Edit)
            && !out.iter().any(|u| u.id == g.unit_id)
        {
            if let Some(u) = r.unit(g.unit_id).await? {
                out.push(u);
            }
        }
    }
    Ok(out)
}

/// The obligations a person answers for due since `from` (and their own personal ones), by due
/// date, with the units they came from.
pub async fn obligations(
    state: &AppState,
    v: &Viewer,
    today: NaiveDate,
    from: NaiveDate,
) -> Result<(Vec<Unit>, Vec<ObligationProgress>), Error> {
    let units = units(state, v, today).await?;
    let mut r = state.store.reader().await?;
    let mut rows = Vec::new();
    for u in &units {
        rows.extend(
            r.obligations(&ObligationFilter {
                unit: Some(u.id),
                due_from: Some(from),
                ..ObligationFilter::default()
            })
            .await?
            .into_iter()
            // A colleague's personal duty is theirs, not mine.
            .filter(|p| {
                p.obligation.person_id.is_none() || p.obligation.person_id == v.account.person_id
            }),
        );
    }
    if let Some(pid) = v.account.person_id {
        for p in r
            .obligations(&ObligationFilter {
                person: Some(pid),
                due_from: Some(from),
                ..ObligationFilter::default()
            })
            .await?
        {
            if !rows
                .iter()
                .any(|x: &ObligationProgress| x.obligation.id == p.obligation.id)
            {
                rows.push(p);
            }
        }
    }
    rows.sort_by_key(|p| (p.obligation.due_on, p.obligation.id));
    Ok((units, rows))
}

/// Where 我的工作 starts looking: the start of the year, or 90 days back early in the year.
pub fn work_window(today: NaiveDate) -> NaiveDate {
    let year_start = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
    year_start.min(today - chrono::Days::new(90))
}

/// The viewer's items the reviewers returned for changes.
pub async fn reviews_returned(state: &AppState, v: &Viewer) -> Result<Vec<ReviewItem>, Error> {
    Ok(match v.account.person_id {
        Some(p) => zeren_store::waiting::reviews_returned_to(&state.store, p).await?,
        None => Vec::new(),
    })
}

/// Steps nobody holds that the viewer may 转交: in units they administer, or where they hold the
/// role the workflow names in `reassigned_by`.
pub async fn reviews_to_reassign(
    state: &AppState,
    v: &Viewer,
    today: NaiveDate,
) -> Result<Vec<ReviewItem>, Error> {
    let mut out = Vec::new();
    // Only the items in units the viewer administers or holds a role above: the others can
    // be neither's to 转交.
    for (item, reassigners) in zeren_store::waiting::reviews_awaiting_reassignment_by(
        &state.store,
        today,
        v.account.person_id,
        Some(v.account.id),
    )
    .await?
    {
        let holds_role = v
            .account
            .person_id
            .is_some_and(|p| reassigners.iter().any(|r| r.0 == p));
        if holds_role
            || access::level(&state.store, v, item.unit_id)
                .await?
                .is_some_and(|l| l >= Level::Administer)
        {
            out.push(item);
        }
    }
    Ok(out)
}

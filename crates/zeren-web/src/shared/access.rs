//! Permissions. A grant at a unit covers its whole subtree at one level (read < edit <
//! administer). Holding a role is itself a grant for that role's work: whoever holds a role
//! today reads the unit where they hold it and everything below (its 台账, 责任清单, channels
//! and reports), acts for that unit (submits items for review), and records the obligations of
//! the duties their role owns there (see the ledger's obligation loading). Every handler asks
//! here before it reads or changes a unit's data.

use zeren_store::{Level, Read, Store, Unit};

use super::clock::today;
use super::context::Viewer;
use super::error::Error;

/// The viewer's level at a unit: their grant there or above, else read when they hold a role
/// there or above today.
pub async fn level(store: &Store, viewer: &Viewer, unit_id: i64) -> Result<Option<Level>, Error> {
    let mut r = store.reader().await?;
    let grant = r.level_at(viewer.account.id, unit_id).await?;
    if grant.is_some() {
        return Ok(grant);
    }
    match viewer.account.person_id {
        Some(p) if !r.roles_held_above(p, unit_id, today()).await?.is_empty() => {
            Ok(Some(Level::Read))
        }
        _ => Ok(None),
    }
}

/// The unit, if the viewer holds at least `level` there; NotFound for a unit that does not
/// exist, Forbidden otherwise.
pub async fn require(
    store: &Store,
    viewer: &Viewer,
    unit_id: i64,
    level: Level,
) -> Result<(Unit, Level), Error> {
    let unit = store
        .reader()
        .await?
        .unit(unit_id)
        .await?
        .ok_or(Error::NotFound)?;
    match self::level(store, viewer, unit_id).await? {
        Some(have) if have >= level => Ok((unit, have)),
        _ => Err(Error::Forbidden),
    }
}

/// The roles the viewer's person holds today at this very unit.
pub async fn roles_at(store: &Store, viewer: &Viewer, unit_id: i64) -> Result<Vec<String>, Error> {
    let Some(p) = viewer.account.person_id else {
        return Ok(Vec::new());
    };
    Ok(store
        .reader()
        .await?
        .roles_held_above(p, unit_id, today())
        .await?
        .into_iter()
        .filter(|(u, _)| *u == unit_id)
        .map(|(_, role)| role)
        .collect())
}

/// Whether the viewer may act for the unit (submit its items for review): an editor there, or
/// the holder of one of its roles.
pub async fn acts_for(store: &Store, viewer: &Viewer, unit_id: i64) -> Result<bool, Error> {
    if level(store, viewer, unit_id)
        .await?
        .is_some_and(|l| l >= Level::Edit)
    {
        return Ok(true);
    }
    Ok(!roles_at(store, viewer, unit_id).await?.is_empty())
}

/// The highest units the viewer may read: where they hold a grant or a role (a unit below
/// another of them is covered by it).
pub async fn roots(store: &Store, viewer: &Viewer) -> Result<Vec<Unit>, Error> {
    let mut r = store.reader().await?;
    let mut starts: Vec<i64> = r
        .grants_of(viewer.account.id)
        .await?
        .iter()
        .map(|g| g.unit_id)
        .collect();
    if let Some(p) = viewer.account.person_id {
        starts.extend(r.units_held(p, today()).await?);
    }
    starts.sort();
    starts.dedup();
    let mut out = Vec::new();
    for id in &starts {
        let path = r.path(*id).await?;
        let covered = path.iter().rev().skip(1).any(|u| starts.contains(&u.id));
        if !covered {
            if let Some(u) = path.last() {
                out.push(u.clone());
            }
        }
    }
    Ok(out)
}

/// Every unit the viewer can read.
pub async fn visible_units(store: &Store, viewer: &Viewer) -> Result<Vec<Unit>, Error> {
    let mut r = store.reader().await?;
    let mut out = Vec::new();
    for root in roots(store, viewer).await? {
        out.extend(r.subtree(root.id).await?);
    }
    Ok(out)
}

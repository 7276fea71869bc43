//! Permissions: a grant at a unit covers its whole subtree at one level (read < edit <
//! administer). Every handler asks here before it reads or changes a unit's data.

use zeren_store::{Level, Read, Store, Unit};

use super::context::Viewer;
use super::error::Error;

/// The unit, if the viewer holds at least `level` there; NotFound for a unit that does not
/// exist, Forbidden otherwise.
pub async fn require(
    store: &Store,
    viewer: &Viewer,
    unit_id: i64,
    level: Level,
) -> Result<(Unit, Level), Error> {
    let mut r = store.reader().await?;
    let unit = r.unit(unit_id).await?.ok_or(Error::NotFound)?;
    match r.level_at(viewer.account.id, unit_id).await? {
        Some(have) if have >= level => Ok((unit, have)),
        _ => Err(Error::Forbidden),
    }
}

/// The highest units the viewer holds a grant at (a grant below another is covered by it).
pub async fn roots(store: &Store, viewer: &Viewer) -> Result<Vec<Unit>, Error> {
    let mut r = store.reader().await?;
    let grants = r.grants_of(viewer.account.id).await?;
    let granted: Vec<i64> = grants.iter().map(|g| g.unit_id).collect();
    let mut out = Vec::new();
    for g in &grants {
        let path = r.path(g.unit_id).await?;
        let covered = path.iter().rev().skip(1).any(|u| granted.contains(&u.id));
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

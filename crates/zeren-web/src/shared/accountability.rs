//! Where an accountability case may be opened — shared by the pages that offer 启动问责 (an
//! incident, a finding) and the accountability feature that opens it: at a unit the viewer edits
//! whose policy in force has `[accountability]`.

use zeren_store::{Level, Read};

use super::access;
use super::context::Viewer;
use super::error::Error;
use super::state::AppState;

/// The installed policy that governs accountability at `unit_id`, if the viewer edits the unit.
pub async fn may_open_at(state: &AppState, v: &Viewer, unit_id: i64) -> Result<Option<i64>, Error> {
    let Some(l) = access::level(&state.store, v, unit_id).await? else {
        return Ok(None);
    };
    if l < Level::Edit {
        return Ok(None);
    }
    let ip = state.store.reader().await?.policy_in_force(unit_id).await?;
    let Some(ip) = ip else { return Ok(None) };
    let policy = state.installed_policy(ip.id).await?;
    Ok(policy.accountability.is_some().then_some(ip.id))
}

/// Whether a case may be opened on something at `unit_id`: at the unit or a unit above it.
pub async fn may_open_on(state: &AppState, v: &Viewer, unit_id: i64) -> Result<bool, Error> {
    let path = state.store.reader().await?.path(unit_id).await?;
    for u in path.iter().rev() {
        if may_open_at(state, v, u.id).await?.is_some() {
            return Ok(true);
        }
    }
    Ok(false)
}

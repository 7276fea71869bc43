//! What waits for a person to act, across units: review steps they must decide. Computed by
//! replaying each item in review through the review engine.

use std::collections::HashMap;

use chrono::NaiveDate;
use zeren_core::org::{Org, PersonId, UnitId};
use zeren_core::review::{Context, Event, Item, ReviewState};
use zeren_policy::WorkflowId;

use crate::reviews::{ItemFilter, ReviewItem, ReviewRead};
use crate::{Read, Result, Store};

/// Items in review whose current step waits for `person` (to approve, return or reject) on `on`.
pub async fn reviews_waiting_for(
    store: &Store,
    person: i64,
    on: NaiveDate,
) -> Result<Vec<ReviewItem>> {
    let candidates = store
        .reader()
        .await?
        .review_items(&ItemFilter {
            stage: Some("in_review".into()),
            limit: Some(10_000),
            ..ItemFilter::default()
        })
        .await?;
    let mut out = Vec::new();
    let mut orgs: HashMap<i64, Org> = HashMap::new();
    for item in candidates {
        let mut r = store.reader().await?;
        let events = r.item_events(item.id).await?;
        let blocking = r
            .item_versions(item.id)
            .await?
            .iter()
            .find(|x| x.version == item.current_version)
            .map(|x| x.blocking as usize)
            .unwrap_or(0);
        let has_risk = !r.risk_assessments(item.id).await?.is_empty();
        let Some(ip) = r.installed_policy(item.installed_policy_id).await? else {
            continue;
        };
        let root = r
            .path(item.unit_id)
            .await?
            .first()
            .map(|u| u.id)
            .unwrap_or(item.unit_id);
        drop(r);
        let Ok(policy) = zeren_policy::parse(&format!("{}.toml", ip.policy_id), &ip.text) else {
            continue;
        };
        let Some(wf) = WorkflowId::parse(&item.workflow_id).and_then(|id| policy.workflow(&id))
        else {
            continue;
        };
        let org = match orgs.entry(root) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(crate::materialise::org_snapshot(store, root).await?)
            }
        };
        let core = Item {
            workflow: wf,
            unit: UnitId(item.unit_id),
            submitter: PersonId(item.submitter_person_id),
            major: item.major,
        };
        let evs: Vec<Event> = events.into_iter().map(|e| e.event).collect();
        let st = ReviewState::replay(&core, &evs);
        let ctx = Context {
            org,
            on,
            blocking_findings: blocking,
            has_risk_assessment: has_risk,
        };
        if st
            .waiting_for(&core, &ctx)
            .is_some_and(|a| a.includes(PersonId(person)))
        {
            out.push(item);
        }
    }
    Ok(out)
}

//! What waits for a person to act, across units: review steps they must decide, items returned to
//! them, steps nobody holds (for the administrators' 转交). Computed by replaying each item in
//! review through the review engine.

use std::collections::HashMap;

use chrono::NaiveDate;
use zeren_core::org::{Org, PersonId, UnitId};
use zeren_core::review::{resolve_approvers, Approvers, Context, Event, Item, ReviewState};
use zeren_policy::WorkflowId;

use crate::reviews::{Blocking, ItemFilter, ReviewItem, ReviewRead};
use crate::{Read, Result, Store};

/// Items in review whose current step waits for `person` (to approve, return or reject) on `on`.
pub async fn reviews_waiting_for(
    store: &Store,
    person: i64,
    on: NaiveDate,
) -> Result<Vec<ReviewItem>> {
    Ok(in_review_with_approvers(store, on)
        .await?
        .into_iter()
        .filter(|w| w.approvers.includes(PersonId(person)))
        .map(|w| w.item)
        .collect())
}

/// Items in review whose current step nobody holds: they wait for an administrator's 转交 (or a
/// holder of the role the workflow names in `reassigned_by`, listed with each item).
pub async fn reviews_awaiting_reassignment(
    store: &Store,
    on: NaiveDate,
) -> Result<Vec<(ReviewItem, Vec<PersonId>)>> {
    Ok(in_review_with_approvers(store, on)
        .await?
        .into_iter()
        .filter(|w| w.approvers == Approvers::Administrator)
        .map(|w| (w.item, w.reassigners))
        .collect())
}

/// An item in review, whoever its current step waits for, and who besides administrators may
/// 转交 it.
struct InReview {
    item: ReviewItem,
    approvers: Approvers,
    reassigners: Vec<PersonId>,
}

/// Items returned to `person` (their submitter) for changes.
pub async fn reviews_returned_to(store: &Store, person: i64) -> Result<Vec<ReviewItem>> {
    store
        .reader()
        .await?
        .review_items(&ItemFilter {
            submitter: Some(person),
            stage: Some("returned".into()),
            limit: Some(1000),
            ..ItemFilter::default()
        })
        .await
}

/// Every item in review with whoever its current step waits for.
async fn in_review_with_approvers(store: &Store, on: NaiveDate) -> Result<Vec<InReview>> {
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
        let current = r
            .item_versions(item.id)
            .await?
            .into_iter()
            .find(|x| x.version == item.current_version);
        let blocking = current
            .as_ref()
            .map(|x| Blocking::of(&x.findings))
            .unwrap_or_default();
        let foreign_speaker = current.as_ref().is_some_and(|x| x.foreign_speaker());
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
            foreign_speaker,
        };
        let evs: Vec<Event> = events.into_iter().map(|e| e.event).collect();
        let st = ReviewState::replay(&core, &evs);
        let ctx = Context {
            org,
            on,
            blocking_findings: blocking.lawful,
            markings: blocking.markings,
            unreadable: blocking.unreadable,
            has_risk_assessment: has_risk,
            url_hosts: Vec::new(),
        };
        if let Some(approvers) = st.waiting_for(&core, &ctx) {
            let reassigners = match &wf.reassigned_by {
                Some(role) => match resolve_approvers(org, role, core.unit, core.submitter, on) {
                    Approvers::Holders { people, .. } => people,
                    _ => Vec::new(),
                },
                None => Vec::new(),
            };
            out.push(InReview {
                item,
                approvers,
                reassigners,
            });
        }
    }
    Ok(out)
}

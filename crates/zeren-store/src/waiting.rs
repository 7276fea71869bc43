//! What waits for a person to act, across units: review steps they must decide (先审后发, 转交
//! included), reports of sub-units waiting for their 签收, their units' reports the parent returned.
//! Review steps are computed by replaying each item in review through the review engine.
//!
//! Every kind of waiting is a **source** in [`SOURCES`]: a query that returns its items with the
//! people who must act and the unit where they wait. Notifications (a notice to each person, the
//! unit's daily digest) read all sources through [`everything_waiting`]; a feature that adds
//! something a person must act on (rectifications, incident reports with their countdown) adds
//! its source there and is notified about without further change.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;

use chrono::{DateTime, NaiveDate, Utc};
use zeren_core::org::{Org, PersonId, UnitId};
use zeren_core::review::{resolve_approvers, Approvers, Context, Event, Item, ReviewState};
use zeren_policy::WorkflowId;

use crate::reviews::{Blocking, ItemFilter, ReviewItem, ReviewRead};
use crate::{run, Read, Result, Store};

/// Something that waits for people to act.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WaitingItem {
    /// The source's name (`review`, `receipt`, `returned`, …).
    pub source: &'static str,
    /// The item in the state it waits in (`12:v2:s1`): when it moves on and waits again, the key
    /// changes and the people are told again.
    pub key: String,
    /// What waits, in Chinese (待审核, 待签收, 已退回待修改).
    pub what: &'static str,
    pub title: String,
    /// The page where it is acted on (a path).
    pub link: String,
    pub since: DateTime<Utc>,
    pub due: Option<NaiveDate>,
    /// Urgent items (an incident report's countdown) ignore quiet hours.
    pub urgent: bool,
    /// Who must act.
    pub people: Vec<i64>,
    /// The unit where it waits (its daily digest lists it).
    pub unit_id: i64,
}

type Found<'a> = Pin<Box<dyn Future<Output = Result<Vec<WaitingItem>>> + Send + 'a>>;

/// A source of waiting items: everything of its kind that waits on `on`.
pub type Source = for<'a> fn(&'a Store, NaiveDate) -> Found<'a>;

/// Every source of waiting items.
pub const SOURCES: &[Source] = &[
    review_source,
    review_returned_source,
    receipt_source,
    returned_source,
    incident_receipt_source,
];

/// Everything that waits, from every source.
pub async fn everything_waiting(store: &Store, on: NaiveDate) -> Result<Vec<WaitingItem>> {
    let mut out = Vec::new();
    for source in SOURCES {
        out.extend(source(store, on).await?);
    }
    Ok(out)
}

fn review_source(store: &Store, on: NaiveDate) -> Found<'_> {
    Box::pin(async move {
        Ok(in_review_with_approvers(store, on, None, None)
            .await?
            .into_iter()
            .filter_map(|w| {
                // A step nobody holds waits for 转交: the holders of the workflow's
                // `reassigned_by` role are told (administrators see it on 我的工作).
                let (people, what, source) = match w.approvers {
                    Approvers::Holders { people, .. } => (people, "待审核", "review"),
                    Approvers::Reassigned { person } => (vec![person], "待审核", "review"),
                    Approvers::Administrator => (w.reassigners, "待转交", "reassign"),
                };
                let item = w.item;
                (!people.is_empty()).then(|| WaitingItem {
                    source,
                    key: format!("{}:v{}:s{}", item.id, item.current_version, w.step),
                    what,
                    link: format!("/reviews/{}", item.id),
                    since: item.updated_at,
                    due: None,
                    urgent: false,
                    people: people.iter().map(|p| p.0).collect(),
                    unit_id: item.unit_id,
                    title: item.title,
                })
            })
            .collect())
    })
}

/// Items returned to their submitter for changes (先审后发 退回修改).
fn review_returned_source(store: &Store, _on: NaiveDate) -> Found<'_> {
    Box::pin(async move {
        let items = store
            .reader()
            .await?
            .review_items(&ItemFilter {
                stage: Some("returned".into()),
                limit: Some(10_000),
                ..ItemFilter::default()
            })
            .await?;
        Ok(items
            .into_iter()
            .map(|item| WaitingItem {
                source: "review_returned",
                key: format!("{}:v{}", item.id, item.current_version),
                what: "已退回待修改",
                link: format!("/reviews/{}", item.id),
                since: item.updated_at,
                due: None,
                urgent: false,
                people: vec![item.submitter_person_id],
                unit_id: item.unit_id,
                title: item.title,
            })
            .collect())
    })
}

/// (record, version, obligation, title, period label, reporting unit, parent, reported at)
type ReceiptRow = (i64, i64, i64, String, String, i64, i64, DateTime<Utc>);

/// Reports of sub-units waiting for 签收: the people behind the accounts that may edit at the
/// parent (where 签收 is done) must act.
fn receipt_source(store: &Store, _on: NaiveDate) -> Found<'_> {
    Box::pin(async move {
        let mut r = store.reader().await?;
        let rows: Vec<ReceiptRow> = run!(r.conn(), |c| {
            sqlx::query_as(
            "SELECT r.id, r.current_version, o.id, o.title, o.period_label, c.id, c.parent_id, v.created_at
             FROM obligations o
             JOIN units c ON c.id = o.unit_id
             JOIN records r ON r.obligation_id = o.id
             JOIN record_versions v ON v.record_id = r.id AND v.version = r.current_version
             WHERE o.report_to_parent = TRUE AND c.parent_id IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM acknowledgements a WHERE a.record_id = r.id AND a.version = r.current_version)
               AND NOT EXISTS (SELECT 1 FROM record_returns x WHERE x.record_id = r.id AND x.version = r.current_version)
             ORDER BY r.id"
        )
        .fetch_all(&mut *c)
        .await
        })?;
        let mut editors: HashMap<i64, Vec<i64>> = HashMap::new();
        let mut out = Vec::new();
        for (record, version, obligation, title, label, _unit, parent, at) in rows {
            if let std::collections::hash_map::Entry::Vacant(e) = editors.entry(parent) {
                e.insert(editors_at(&mut r, parent).await?);
            }
            out.push(WaitingItem {
                source: "receipt",
                key: format!("{record}:v{version}"),
                what: "待签收",
                title: format!("{title}（{label}）"),
                link: format!("/obligations/{obligation}"),
                since: at,
                due: None,
                urgent: false,
                people: editors[&parent].clone(),
                unit_id: parent,
            });
        }
        Ok(out)
    })
}

/// The people behind the accounts with an edit or administer grant at `unit` or above it.
async fn editors_at(r: &mut impl Read, unit: i64) -> Result<Vec<i64>> {
    let rows: Vec<(i64,)> = run!(r.conn(), |c| sqlx::query_as(
        "WITH RECURSIVE anc(id, parent_id) AS (
             SELECT id, parent_id FROM units WHERE id = $1
             UNION ALL
             SELECT u.id, u.parent_id FROM units u JOIN anc ON u.id = anc.parent_id)
         SELECT DISTINCT a.person_id FROM grants g JOIN accounts a ON a.id = g.account_id
         WHERE g.unit_id IN (SELECT id FROM anc) AND g.level IN ('edit', 'administer')
           AND a.active = TRUE AND a.person_id IS NOT NULL
         ORDER BY a.person_id"
    )
    .bind(unit)
    .fetch_all(&mut *c)
    .await)?;
    Ok(rows.into_iter().map(|(p,)| p).collect())
}

/// (record, version, obligation, title, period label, unit, returned at, entered by person)
type ReturnedRow = (
    i64,
    i64,
    i64,
    String,
    String,
    i64,
    DateTime<Utc>,
    Option<i64>,
);

/// Reports the parent returned (退回): the person who entered the returned version must correct
/// it.
fn returned_source(store: &Store, _on: NaiveDate) -> Found<'_> {
    Box::pin(async move {
        let mut r = store.reader().await?;
        let rows: Vec<ReturnedRow> = run!(r.conn(), |c| {
            sqlx::query_as(
            "SELECT r.id, r.current_version, o.id, o.title, o.period_label, o.unit_id, x.returned_at, acc.person_id
             FROM obligations o
             JOIN records r ON r.obligation_id = o.id
             JOIN record_returns x ON x.record_id = r.id AND x.version = r.current_version
             JOIN record_versions v ON v.record_id = r.id AND v.version = r.current_version
             LEFT JOIN accounts acc ON acc.id = v.created_by
             WHERE o.report_to_parent = TRUE
             ORDER BY r.id"
        )
        .fetch_all(&mut *c)
        .await
        })?;
        Ok(rows
            .into_iter()
            .map(
                |(record, version, obligation, title, label, unit, at, person)| WaitingItem {
                    source: "returned",
                    key: format!("{record}:v{version}"),
                    what: "已退回待修改",
                    title: format!("{title}（{label}）"),
                    link: format!("/obligations/{obligation}"),
                    since: at,
                    due: None,
                    urgent: false,
                    people: person.into_iter().collect(),
                    unit_id: unit,
                },
            )
            .collect())
    })
}

/// Items in review whose current step waits for `person` (to approve, return or reject) on `on`.
pub async fn reviews_waiting_for(
    store: &Store,
    person: i64,
    on: NaiveDate,
) -> Result<Vec<ReviewItem>> {
    Ok(in_review_with_approvers(store, on, Some(person), None)
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
    reviews_awaiting_reassignment_by(store, on, None, None).await
}

/// [`reviews_awaiting_reassignment`] among the items that may concern this person or account
/// (see [`ItemFilter::concerning_person`]); everything when both are `None`.
pub async fn reviews_awaiting_reassignment_by(
    store: &Store,
    on: NaiveDate,
    person: Option<i64>,
    account: Option<i64>,
) -> Result<Vec<(ReviewItem, Vec<PersonId>)>> {
    Ok(in_review_with_approvers(store, on, person, account)
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
    /// The step it waits in (0-based).
    step: usize,
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

/// Every item in review (that may concern a person or account, when given: see
/// [`ItemFilter::concerning_person`]) with whoever its current step waits for.
async fn in_review_with_approvers(
    store: &Store,
    on: NaiveDate,
    concerning_person: Option<i64>,
    concerning_account: Option<i64>,
) -> Result<Vec<InReview>> {
    let candidates = store
        .reader()
        .await?
        .review_items(&ItemFilter {
            stage: Some("in_review".into()),
            concerning_person,
            concerning_account,
            limit: Some(10_000),
            ..ItemFilter::default()
        })
        .await?;
    let mut out = Vec::new();
    // By unit: the ancestry is all the approvers' rules read. By installation: each policy text
    // is parsed once.
    let mut orgs: HashMap<i64, Org> = HashMap::new();
    let mut policies: HashMap<i64, Option<std::sync::Arc<zeren_policy::Policy>>> = HashMap::new();
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
        let policy = match policies.get(&item.installed_policy_id) {
            Some(p) => p.clone(),
            None => {
                let p = r
                    .installed_policy(item.installed_policy_id)
                    .await?
                    .and_then(|ip| {
                        zeren_policy::parse(&format!("{}.toml", ip.policy_id), &ip.text).ok()
                    })
                    .map(std::sync::Arc::new);
                policies.insert(item.installed_policy_id, p.clone());
                p
            }
        };
        drop(r);
        let Some(policy) = policy else {
            continue;
        };
        let Some(wf) = WorkflowId::parse(&item.workflow_id).and_then(|id| policy.workflow(&id))
        else {
            continue;
        };
        let org = match orgs.entry(item.unit_id) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(crate::materialise::ancestry_snapshot(store, item.unit_id).await?)
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
        let zeren_core::review::Stage::InReview { step } = st.stage else {
            continue;
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
                step,
                approvers,
                reassigners,
            });
        }
    }
    Ok(out)
}

/// (incident, title, report, recipient unit, first delivered at)
type IncidentReceiptRow = (i64, String, String, i64, DateTime<Utc>);

/// Incident reports delivered to a unit that it has not acknowledged (签收): the people behind the
/// accounts that may edit there must act, urgently (the report's clock runs; quiet hours do not
/// hold the notice back).
fn incident_receipt_source(store: &Store, _on: NaiveDate) -> Found<'_> {
    Box::pin(async move {
        let mut r = store.reader().await?;
        let rows: Vec<IncidentReceiptRow> = run!(r.conn(), |c| {
            sqlx::query_as(
                "SELECT d.incident_id, i.title, d.report, d.unit_id, MIN(d.at)
                 FROM incident_deliveries d JOIN incidents i ON i.id = d.incident_id
                 WHERE NOT EXISTS (SELECT 1 FROM incident_events e
                                   WHERE e.incident_id = d.incident_id AND e.action = 'received'
                                     AND e.report = d.report AND e.unit_id = d.unit_id)
                 GROUP BY d.incident_id, i.title, d.report, d.unit_id
                 ORDER BY MIN(d.at), d.incident_id",
            )
            .fetch_all(&mut *c)
            .await
        })?;
        let mut editors: HashMap<i64, Vec<i64>> = HashMap::new();
        let mut out = Vec::new();
        for (incident, title, report, unit, at) in rows {
            if let std::collections::hash_map::Entry::Vacant(e) = editors.entry(unit) {
                e.insert(editors_at(&mut r, unit).await?);
            }
            out.push(WaitingItem {
                source: "incident_receipt",
                key: format!("{incident}:{report}:{unit}"),
                what: "突发事件报告待签收",
                title,
                link: format!("/incidents/{incident}"),
                since: at,
                due: None,
                urgent: true,
                people: editors[&unit].clone(),
                unit_id: unit,
            });
        }
        Ok(out)
    })
}

//! How lists show the objects several features list: an obligation with its status, unit and
//! person (我的工作, the grid, the dashboard), and a review item with its unit, submitter, kind
//! and stage (the reviews list, 我的工作). Names are looked up once per list.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use zeren_core::obligations::{status, Status};
use zeren_store::ledger::{Obligation, ObligationProgress};
use zeren_store::reviews::ReviewItem;
use zeren_store::{Read, Store};

use super::error::Error;

/// Obligations due within this many days count as due soon.
pub const DUE_SOON_DAYS: u32 = 7;

/// An obligation as lists show it.
pub struct ObligationView {
    pub o: Obligation,
    pub status: Status,
    pub records: i64,
    pub unit_name: String,
    pub person_name: Option<String>,
}

impl ObligationView {
    pub fn status_class(&self) -> &'static str {
        self.status.word()
    }
}

/// An obligation's status on `today` from its records' work dates.
pub fn progress_status(p: &ObligationProgress, today: NaiveDate) -> Status {
    status(
        p.obligation.due_on,
        p.obligation.times.max(1) as u32,
        &p.work_dates,
        today,
        DUE_SOON_DAYS,
    )
}

pub async fn obligation_views(
    store: &Store,
    rows: Vec<ObligationProgress>,
    today: NaiveDate,
) -> Result<Vec<ObligationView>, Error> {
    let mut r = store.reader().await?;
    let mut units: BTreeMap<i64, String> = BTreeMap::new();
    let mut people: BTreeMap<i64, String> = BTreeMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for p in rows {
        let st = progress_status(&p, today);
        let unit_name = match units.get(&p.obligation.unit_id) {
            Some(n) => n.clone(),
            None => {
                let n = r
                    .unit(p.obligation.unit_id)
                    .await?
                    .map(|u| u.name)
                    .unwrap_or_default();
                units.insert(p.obligation.unit_id, n.clone());
                n
            }
        };
        let person_name = match p.obligation.person_id {
            Some(id) => Some(match people.get(&id) {
                Some(n) => n.clone(),
                None => {
                    let n = r.person(id).await?.map(|x| x.name).unwrap_or_default();
                    people.insert(id, n.clone());
                    n
                }
            }),
            None => None,
        };
        out.push(ObligationView {
            records: p.records,
            o: p.obligation,
            status: st,
            unit_name,
            person_name,
        });
    }
    Ok(out)
}

pub fn kind_zh(kind: &str) -> &'static str {
    match zeren_policy::WorkflowKind::parse(kind) {
        Some(k) => k.zh(),
        None => "事项",
    }
}

pub fn stage_zh(word: &str) -> &'static str {
    match word {
        "draft" => "草稿",
        "in_review" => "待审核",
        "returned" => "已退回",
        "approved" => "已通过",
        "rejected" => "已驳回",
        "withdrawn" => "已撤回",
        _ => "已发布",
    }
}

/// A review item as lists show it.
pub struct ItemRow {
    pub item: ReviewItem,
    pub unit_name: String,
    pub submitter: String,
    pub kind_zh: &'static str,
    pub stage_zh: &'static str,
}

pub async fn item_rows(store: &Store, items: Vec<ReviewItem>) -> Result<Vec<ItemRow>, Error> {
    let mut r = store.reader().await?;
    let mut out = Vec::new();
    for item in items {
        let unit_name = r
            .unit(item.unit_id)
            .await?
            .map(|u| u.name)
            .unwrap_or_default();
        let submitter = r
            .person(item.submitter_person_id)
            .await?
            .map(|p| p.name)
            .unwrap_or_default();
        out.push(ItemRow {
            kind_zh: kind_zh(&item.kind),
            stage_zh: stage_zh(&item.stage),
            item,
            unit_name,
            submitter,
        });
    }
    Ok(out)
}

/// Who took part in a version, as pages and exports list them: the roster's people by name, then
/// outside guests marked as such.
pub fn attendees(v: &zeren_store::ledger::VersionDetail) -> Vec<String> {
    v.participants
        .iter()
        .map(|(_, n)| n.clone())
        .chain(
            v.version
                .guest_names()
                .into_iter()
                .map(|g| format!("{g}（来宾）")),
        )
        .collect()
}

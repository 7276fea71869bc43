//! Reviews and approvals (先审后发, 一事一审) and the channel registry (阵地). An item's content
//! lives in versions and its history in events (the review engine's [`Event`]s as JSON); both are
//! only ever inserted. A decision is appended with the sequence number its decider saw, so of two
//! reviewers deciding the same step at once exactly one insert succeeds: the other is a conflict.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use zeren_core::review::{Event, Stage};

use crate::ledger::sha256_hex;
use crate::read::Read;
use crate::{now, run, Error, Result, Write};

/// What a user sees when their decision lost the race for a step.
pub const DECIDED_BY_OTHERS: &str = "此步骤已由他人处理，请刷新后查看";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Channel {
    pub id: i64,
    pub unit_id: i64,
    /// The policy's channel kind word (`website`, `wechat_official` …).
    pub kind: String,
    pub name: String,
    /// Identifier, URL or place.
    pub locator: String,
    pub responsible_person_id: Option<i64>,
    pub filed_on: Option<NaiveDate>,
    /// `active`, `suspended` or `closed`.
    pub status: String,
    pub created_at: DateTime<Utc>,
}

/// One change of a channel's status (the first is its registration).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ChannelChange {
    pub id: i64,
    pub channel_id: i64,
    pub status: String,
    pub by_account: Option<i64>,
    pub by_name: String,
    pub at: DateTime<Utc>,
    /// Why (required for every change after the registration).
    pub reason: String,
    /// For an edit, what changed (“名称：旧 → 新”).
    pub detail: String,
}

/// What an edit of a channel may change.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelEdit {
    pub name: String,
    pub locator: String,
    pub responsible_person_id: Option<i64>,
    pub filed_on: Option<NaiveDate>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewChannel {
    pub unit_id: i64,
    pub kind: String,
    pub name: String,
    pub locator: String,
    pub responsible_person_id: Option<i64>,
    pub filed_on: Option<NaiveDate>,
}

pub const CHANNEL_STATUSES: &[&str] = &["active", "suspended", "closed"];

#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ReviewItem {
    pub id: i64,
    pub unit_id: i64,
    pub installed_policy_id: i64,
    pub workflow_id: String,
    /// `publication`, `event` or `decision`.
    pub kind: String,
    pub channel_id: Option<i64>,
    pub major: bool,
    pub submitter_person_id: i64,
    pub title: String,
    pub current_version: i64,
    /// The stage word after the last event; see [`stage_word`].
    pub stage: String,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NewItem {
    pub unit_id: i64,
    pub installed_policy_id: i64,
    pub workflow_id: String,
    pub kind: String,
    pub channel_id: Option<i64>,
    pub major: bool,
    pub submitter_person_id: i64,
}

/// One thing the publication scanner found in a version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanFinding {
    /// The attachment it is in; None for the title and body.
    pub file: Option<String>,
    pub kind: String,
    pub kind_zh: String,
    pub confidence: String,
    pub location: String,
    pub masked: String,
    pub context: String,
    pub blocks: bool,
    /// For a file the scanner could not read: why (`corrupt`, `encrypted`, `image` …).
    #[serde(default)]
    pub code: Option<String>,
}

/// The kind word of a finding for a file that could not be read.
pub const UNREADABLE: &str = "unreadable";
/// The kind word of a secrecy marking.
pub const SECRECY_MARKING: &str = "secrecy_marking";

/// A version's blocking findings by what may clear them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Blocking {
    /// Personal data and custom terms: a lawful basis clears them.
    pub lawful: usize,
    /// Secrecy markings: only a 解密/定密 confirmation clears them.
    pub markings: usize,
    /// Files that could not be read: a manual check clears them.
    pub unreadable: usize,
}

impl Blocking {
    pub fn of(findings: &[ScanFinding]) -> Self {
        let mut b = Blocking::default();
        for f in findings {
            match f.kind.as_str() {
                // Stored before unreadable files blocked: they block now all the same.
                UNREADABLE => b.unreadable += 1,
                SECRECY_MARKING if f.blocks => b.markings += 1,
                _ if f.blocks => b.lawful += 1,
                _ => {}
            }
        }
        b
    }
}

/// A version to store: its content, the scan's findings and its files (name, SHA-256 of stored
/// content).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct NewItemVersion {
    pub title: String,
    pub body: String,
    /// Event details (speakers, time, place, audience); an empty object for other kinds.
    pub details: serde_json::Value,
    pub findings: Vec<ScanFinding>,
    pub attachments: Vec<(String, String)>,
}

impl NewItemVersion {
    /// The hash reviewers decide on: title, body, details and every file's name and content.
    pub fn hash(&self) -> String {
        let canonical = json!({
            "title": self.title,
            "body": self.body,
            "details": self.details,
            "attachments": self.attachments,
        });
        sha256_hex(canonical.to_string().as_bytes())
    }

    /// What the audit entry states about the stored version, for verification.
    fn details_for_audit(&self, item_id: i64, version: i64) -> serde_json::Value {
        json!({
            "review": { "id": item_id, "version": version, "hash": self.hash() },
            "files": self.attachments.iter().map(|(_, sha)| sha).collect::<Vec<_>>(),
        })
    }

    fn check(&self) -> Result<()> {
        crate::check_text("title", &self.title)?;
        crate::check_text("body", &self.body)?;
        for (name, _) in &self.attachments {
            crate::check_text("file name", name)?;
        }
        Ok(())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
struct VersionRow {
    id: i64,
    item_id: i64,
    version: i64,
    title: String,
    body: String,
    details: String,
    hash: String,
    findings: String,
    blocking: i64,
    created_by: Option<i64>,
    created_by_name: String,
    created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ItemAttachment {
    pub version_id: i64,
    pub position: i64,
    pub file_name: String,
    pub sha256: String,
    pub size: i64,
    pub media_type: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ItemVersion {
    pub id: i64,
    pub item_id: i64,
    pub version: i64,
    pub title: String,
    pub body: String,
    pub details: serde_json::Value,
    pub hash: String,
    pub findings: Vec<ScanFinding>,
    pub blocking: i64,
    pub created_by: Option<i64>,
    pub created_by_name: String,
    pub created_at: DateTime<Utc>,
    pub attachments: Vec<ItemAttachment>,
}

impl ItemVersion {
    /// Whether the version's event has a speaker from outside the mainland (境外).
    pub fn foreign_speaker(&self) -> bool {
        foreign_speaker(&self.details)
    }
}

/// Whether event details say the speaker is from outside the mainland (a ticked box or `true`).
pub fn foreign_speaker(details: &serde_json::Value) -> bool {
    match details.get("foreign_speaker") {
        Some(serde_json::Value::Bool(b)) => *b,
        Some(serde_json::Value::String(s)) => !s.trim().is_empty() && s != "0" && s != "false",
        _ => false,
    }
}

/// An event as stored, with who appended it and when.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StoredEvent {
    pub seq: i64,
    pub event: Event,
    pub by_account: Option<i64>,
    pub by_name: String,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consultation {
    /// 论证会, 座谈会, 公开征求意见 …
    pub kind: String,
    pub date: NaiveDate,
    pub summary: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewRiskAssessment {
    pub consultations: Vec<Consultation>,
    /// `low`, `medium` or `high`.
    pub risk_level: String,
    pub contingency: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RiskAssessment {
    pub id: i64,
    pub item_id: i64,
    pub consultations: Vec<Consultation>,
    pub risk_level: String,
    pub contingency: String,
    pub created_by: Option<i64>,
    pub created_by_name: String,
    pub created_at: DateTime<Utc>,
}

pub const RISK_LEVELS: &[&str] = &["low", "medium", "high"];

/// Which items to list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ItemFilter {
    /// The unit and everything below it.
    pub subtree_of: Option<i64>,
    /// Submitted by this person.
    pub submitter: Option<i64>,
    pub kind: Option<String>,
    pub stage: Option<String>,
    /// Created on or after / on or before (UTC dates).
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Only items that may wait for this person or account: in a unit at or below one where the
    /// person holds a role (they may approve, or hold the role that may 转交) or the account
    /// administers (转交), or reassigned to someone at some point. A superset: the review engine
    /// decides; this keeps it from replaying the whole tree's items for one person.
    pub concerning_person: Option<i64>,
    pub concerning_account: Option<i64>,
    pub limit: Option<i64>,
}

/// The word stored for a stage (and used in filters).
pub fn stage_word(s: Stage) -> &'static str {
    match s {
        Stage::Draft => "draft",
        Stage::InReview { .. } => "in_review",
        Stage::Returned => "returned",
        Stage::Approved => "approved",
        Stage::Rejected => "rejected",
        Stage::Withdrawn => "withdrawn",
        Stage::Published => "published",
    }
}

pub const STAGE_WORDS: &[&str] = &[
    "draft",
    "in_review",
    "returned",
    "approved",
    "rejected",
    "withdrawn",
    "published",
];

/// A change of a channel after its registration needs a reason.
fn check_reason(reason: &str) -> Result<()> {
    if reason.trim().is_empty() {
        return Err(Error::Invalid("a channel change needs its reason".into()));
    }
    crate::check_text("reason", reason)
}

type EventRow = (i64, String, Option<i64>, String, DateTime<Utc>);

const CHANNEL: &str = "SELECT id, unit_id, kind, name, locator, responsible_person_id, filed_on, status, created_at FROM channels";
const ITEM: &str = "SELECT i.id, i.unit_id, i.installed_policy_id, i.workflow_id, i.kind, i.channel_id, i.major, i.submitter_person_id, i.title, i.current_version, i.stage, i.created_by, i.created_at, i.updated_at FROM review_items i";

fn risk_from(
    row: (
        i64,
        i64,
        String,
        String,
        String,
        Option<i64>,
        String,
        DateTime<Utc>,
    ),
) -> Result<RiskAssessment> {
    Ok(RiskAssessment {
        id: row.0,
        item_id: row.1,
        consultations: serde_json::from_str(&row.2)
            .map_err(|e| Error::Invalid(format!("stored consultations: {e}")))?,
        risk_level: row.3,
        contingency: row.4,
        created_by: row.5,
        created_by_name: row.6,
        created_at: row.7,
    })
}

#[allow(async_fn_in_trait)] // implemented only by this crate's concrete, Send types
pub trait ReviewRead: Read {
    async fn channel(&mut self, id: i64) -> Result<Option<Channel>> {
        let sql = format!("{CHANNEL} WHERE id = $1");
        Ok(run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(&mut *c)
            .await)?)
    }

    /// The channels registered at a unit, by kind and name.
    async fn channels_at(&mut self, unit_id: i64) -> Result<Vec<Channel>> {
        let sql = format!("{CHANNEL} WHERE unit_id = $1 ORDER BY kind, name, id");
        Ok(run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(unit_id)
            .fetch_all(&mut *c)
            .await)?)
    }

    /// Every channel in use (status `active`), for the periodic reviews.
    async fn active_channels(&mut self) -> Result<Vec<Channel>> {
        let sql = format!("{CHANNEL} WHERE status = 'active' ORDER BY unit_id, id");
        Ok(run!(self.conn(), |c| sqlx::query_as(&sql)
            .fetch_all(&mut *c)
            .await)?)
    }

    /// A channel's history, oldest first.
    async fn channel_changes(&mut self, channel_id: i64) -> Result<Vec<ChannelChange>> {
        Ok(run!(self.conn(), |c| {
            sqlx::query_as(
            "SELECT id, channel_id, status, by_account, by_name, at, reason, detail FROM channel_changes
             WHERE channel_id = $1 ORDER BY id"
        )
        .bind(channel_id)
        .fetch_all(&mut *c)
        .await
        })?)
    }

    async fn review_item(&mut self, id: i64) -> Result<Option<ReviewItem>> {
        let sql = format!("{ITEM} WHERE i.id = $1");
        Ok(run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(&mut *c)
            .await)?)
    }

    /// Items matching `f`, most recently changed first.
    async fn review_items(&mut self, f: &ItemFilter) -> Result<Vec<ReviewItem>> {
        let mut conds: Vec<String> = Vec::new();
        let mut with = String::new();
        let mut n = 0;
        let mut next = || {
            n += 1;
            format!("${n}")
        };
        if f.subtree_of.is_some() {
            with = format!(
                "WITH RECURSIVE sub(id) AS (SELECT id FROM units WHERE id = {}
                 UNION ALL SELECT u.id FROM units u JOIN sub ON u.parent_id = sub.id) ",
                next()
            );
            conds.push("i.unit_id IN (SELECT id FROM sub)".into());
        }
        if f.submitter.is_some() {
            conds.push(format!("i.submitter_person_id = {}", next()));
        }
        if f.kind.is_some() {
            conds.push(format!("i.kind = {}", next()));
        }
        if f.stage.is_some() {
            conds.push(format!("i.stage = {}", next()));
        }
        if f.from.is_some() {
            conds.push(format!("i.created_at >= {}", next()));
        }
        if f.to.is_some() {
            conds.push(format!("i.created_at < {}", next()));
        }
        if f.concerning_person.is_some() || f.concerning_account.is_some() {
            let mut any = Vec::new();
            if f.concerning_person.is_some() {
                any.push(format!(
                    "EXISTS (SELECT 1 FROM unit_ancestors ua JOIN assignments a ON a.unit_id = ua.ancestor_id
                             WHERE ua.unit_id = i.unit_id AND a.person_id = {})",
                    next()
                ));
            }
            if f.concerning_account.is_some() {
                any.push(format!(
                    "EXISTS (SELECT 1 FROM unit_ancestors ua JOIN grants g ON g.unit_id = ua.ancestor_id
                             WHERE ua.unit_id = i.unit_id AND g.account_id = {} AND g.level = 'administer')",
                    next()
                ));
            }
            any.push(
                "EXISTS (SELECT 1 FROM review_events e WHERE e.item_id = i.id AND e.event LIKE '%\"reassigned\"%')"
                    .into(),
            );
            conds.push(format!("({})", any.join(" OR ")));
        }
        let wh = if conds.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conds.join(" AND "))
        };
        let limit = f.limit.unwrap_or(500).clamp(1, 10_000);
        let sql = format!("{with}{ITEM}{wh} ORDER BY i.updated_at DESC, i.id DESC LIMIT {limit}");
        let from = f
            .from
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t.and_utc());
        let to =
            f.to.and_then(|d| d.succ_opt())
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|t| t.and_utc());
        Ok(run!(self.conn(), |c| {
            let mut q = sqlx::query_as(&sql);
            if let Some(root) = f.subtree_of {
                q = q.bind(root);
            }
            if let Some(p) = f.submitter {
                q = q.bind(p);
            }
            if let Some(k) = &f.kind {
                q = q.bind(k.clone());
            }
            if let Some(s) = &f.stage {
                q = q.bind(s.clone());
            }
            if let Some(t) = from {
                q = q.bind(t);
            }
            if let Some(t) = to {
                q = q.bind(t);
            }
            if let Some(p) = f.concerning_person {
                q = q.bind(p);
            }
            if let Some(a) = f.concerning_account {
                q = q.bind(a);
            }
            q.fetch_all(&mut *c).await
        })?)
    }

    /// Every version of an item with its files, oldest first.
    async fn item_versions(&mut self, item_id: i64) -> Result<Vec<ItemVersion>> {
        let rows: Vec<VersionRow> = run!(self.conn(), |c| {
            sqlx::query_as(
            "SELECT id, item_id, version, title, body, details, hash, findings, blocking, created_by, created_by_name, created_at
             FROM review_versions WHERE item_id = $1 ORDER BY version"
        )
        .bind(item_id)
        .fetch_all(&mut *c)
        .await
        })?;
        let files: Vec<ItemAttachment> = run!(self.conn(), |c| sqlx::query_as(
            "SELECT ra.version_id, ra.position, ra.file_name, ra.sha256, a.size, a.media_type
             FROM review_attachments ra JOIN review_versions v ON v.id = ra.version_id
             JOIN attachments a ON a.sha256 = ra.sha256
             WHERE v.item_id = $1 ORDER BY ra.version_id, ra.position"
        )
        .bind(item_id)
        .fetch_all(&mut *c)
        .await)?;
        rows.into_iter()
            .map(|r| {
                Ok(ItemVersion {
                    attachments: files
                        .iter()
                        .filter(|f| f.version_id == r.id)
                        .cloned()
                        .collect(),
                    details: serde_json::from_str(&r.details)
                        .map_err(|e| Error::Invalid(format!("stored details: {e}")))?,
                    findings: serde_json::from_str(&r.findings)
                        .map_err(|e| Error::Invalid(format!("stored findings: {e}")))?,
                    id: r.id,
                    item_id: r.item_id,
                    version: r.version,
                    title: r.title,
                    body: r.body,
                    hash: r.hash,
                    blocking: r.blocking,
                    created_by: r.created_by,
                    created_by_name: r.created_by_name,
                    created_at: r.created_at,
                })
            })
            .collect()
    }

    /// An item's events in order.
    async fn item_events(&mut self, item_id: i64) -> Result<Vec<StoredEvent>> {
        let rows: Vec<EventRow> = run!(self.conn(), |c| {
            sqlx::query_as(
                "SELECT seq, event, by_account, by_name, at FROM review_events WHERE item_id = $1 ORDER BY seq"
            )
            .bind(item_id)
            .fetch_all(&mut *c)
            .await
        })?;
        rows.into_iter()
            .map(|(seq, e, by_account, by_name, at)| {
                Ok(StoredEvent {
                    seq,
                    event: serde_json::from_str(&e)
                        .map_err(|e| Error::Invalid(format!("stored event: {e}")))?,
                    by_account,
                    by_name,
                    at,
                })
            })
            .collect()
    }

    async fn risk_assessments(&mut self, item_id: i64) -> Result<Vec<RiskAssessment>> {
        let rows = run!(self.conn(), |c| {
            sqlx::query_as(
            "SELECT id, item_id, consultations, risk_level, contingency, created_by, created_by_name, created_at
             FROM risk_assessments WHERE item_id = $1 ORDER BY id"
        )
        .bind(item_id)
        .fetch_all(&mut *c)
        .await
        })?;
        rows.into_iter().map(risk_from).collect()
    }
}

impl<T: Read> ReviewRead for T {}

impl Write {
    pub async fn create_channel(&mut self, ch: &NewChannel) -> Result<Channel> {
        let c: Channel = run!(self.conn(), |c| sqlx::query_as(
            "INSERT INTO channels (unit_id, kind, name, locator, responsible_person_id, filed_on, status, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, 'active', $7)
             RETURNING id, unit_id, kind, name, locator, responsible_person_id, filed_on, status, created_at"
        )
        .bind(ch.unit_id)
        .bind(&ch.kind)
        .bind(&ch.name)
        .bind(&ch.locator)
        .bind(ch.responsible_person_id)
        .bind(ch.filed_on)
        .bind(now())
        .fetch_one(&mut *c)
        .await)
        .map_err(|e| Error::from_write(e, "channel"))?;
        self.record("channel.create", "channel", &c.id.to_string(), &c)
            .await?;
        self.channel_change(c.id, &c.status, "", "").await?;
        Ok(c)
    }

    /// Edits a channel's name, locator, responsible person or filing date, with the reason; the
    /// history keeps what changed.
    pub async fn update_channel(
        &mut self,
        id: i64,
        e: &ChannelEdit,
        reason: &str,
    ) -> Result<Channel> {
        let old = self
            .channel(id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("channel {id}")))?;
        check_reason(reason)?;
        let c: Channel = run!(self.conn(), |c| sqlx::query_as(
            "UPDATE channels SET name = $2, locator = $3, responsible_person_id = $4, filed_on = $5 WHERE id = $1
             RETURNING id, unit_id, kind, name, locator, responsible_person_id, filed_on, status, created_at"
        )
        .bind(id)
        .bind(&e.name)
        .bind(&e.locator)
        .bind(e.responsible_person_id)
        .bind(e.filed_on)
        .fetch_one(&mut *c)
        .await)
        .map_err(|e| Error::from_write(e, "channel"))?;
        let mut changed = Vec::new();
        if old.name != c.name {
            changed.push(format!("名称：{} → {}", old.name, c.name));
        }
        if old.locator != c.locator {
            changed.push(format!("账号、网址或地点：{} → {}", old.locator, c.locator));
        }
        if old.responsible_person_id != c.responsible_person_id {
            changed.push("负责人已变更".to_string());
        }
        if old.filed_on != c.filed_on {
            let d = |x: Option<NaiveDate>| x.map(|d| d.to_string()).unwrap_or_else(|| "无".into());
            changed.push(format!("备案日期：{} → {}", d(old.filed_on), d(c.filed_on)));
        }
        let detail = changed.join("；");
        self.record(
            "channel.update",
            "channel",
            &id.to_string(),
            &json!({ "channel": c, "reason": reason, "changed": detail }),
        )
        .await?;
        self.channel_change(id, &c.status, reason, &detail).await?;
        Ok(c)
    }

    /// Suspends, closes or reopens a channel; the audit chain keeps its history.
    pub async fn set_channel_status(
        &mut self,
        id: i64,
        status: &str,
        reason: &str,
    ) -> Result<Channel> {
        if !CHANNEL_STATUSES.contains(&status) {
            return Err(Error::Invalid(format!("channel status {status}")));
        }
        check_reason(reason)?;
        let c: Channel = run!(self.conn(), |c| sqlx::query_as(
            "UPDATE channels SET status = $2 WHERE id = $1
             RETURNING id, unit_id, kind, name, locator, responsible_person_id, filed_on, status, created_at"
        )
        .bind(id)
        .bind(status)
        .fetch_optional(&mut *c)
        .await)?
        .ok_or_else(|| Error::NotFound(format!("channel {id}")))?;
        self.record(
            "channel.status",
            "channel",
            &id.to_string(),
            &json!({ "channel": c, "reason": reason }),
        )
        .await?;
        self.channel_change(id, status, reason, "").await?;
        Ok(c)
    }

    async fn channel_change(
        &mut self,
        channel_id: i64,
        status: &str,
        reason: &str,
        detail: &str,
    ) -> Result<()> {
        let by = self.actor().account_id;
        let name = self.actor().name.clone();
        run!(self.conn(), |c| sqlx::query(
            "INSERT INTO channel_changes (channel_id, status, by_account, by_name, at, reason, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)"
        )
        .bind(channel_id)
        .bind(status)
        .bind(by)
        .bind(&name)
        .bind(now())
        .bind(reason)
        .bind(detail)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))
        .map_err(|e| Error::from_write(e, "channel change"))?;
        Ok(())
    }

    /// Creates an item with its first version (a draft: submitting is an event).
    pub async fn create_review_item(
        &mut self,
        item: &NewItem,
        v: &NewItemVersion,
    ) -> Result<ReviewItem> {
        let at = now();
        let by = self.actor().account_id;
        let (id,): (i64,) = run!(self.conn(), |c| sqlx::query_as(
            "INSERT INTO review_items (unit_id, installed_policy_id, workflow_id, kind, channel_id, major, submitter_person_id,
                title, current_version, stage, created_by, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, 'draft', $9, $10, $10) RETURNING id"
        )
        .bind(item.unit_id)
        .bind(item.installed_policy_id)
        .bind(&item.workflow_id)
        .bind(&item.kind)
        .bind(item.channel_id)
        .bind(item.major)
        .bind(item.submitter_person_id)
        .bind(&v.title)
        .bind(by)
        .bind(at)
        .fetch_one(&mut *c)
        .await)
        .map_err(|e| Error::from_write(e, "review item"))?;
        self.insert_item_version(id, 1, v).await?;
        let stored = self
            .review_item(id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("review item {id}")))?;
        self.record_with(
            "review.create",
            "review_item",
            &id.to_string(),
            &json!({ "item": stored, "hash": v.hash() }),
            Some(v.details_for_audit(id, 1)),
        )
        .await?;
        Ok(stored)
    }

    /// Adds a version after `expected` (the version its author edited); a conflict if someone
    /// added one meanwhile. Returns the new version's number.
    pub async fn add_item_version(
        &mut self,
        item_id: i64,
        expected: i64,
        v: &NewItemVersion,
    ) -> Result<i64> {
        let next = expected + 1;
        let n = run!(self.conn(), |c| sqlx::query(
            "UPDATE review_items SET current_version = $2, title = $3, updated_at = $4
             WHERE id = $1 AND current_version = $5"
        )
        .bind(item_id)
        .bind(next)
        .bind(&v.title)
        .bind(now())
        .bind(expected)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(Error::Conflict(format!(
                "事项已有新版本（不是第{expected}版），请刷新后查看"
            )));
        }
        self.insert_item_version(item_id, next, v).await?;
        self.record_with(
            "review.version",
            "review_item",
            &item_id.to_string(),
            &json!({ "version": next, "hash": v.hash(), "title": v.title }),
            Some(v.details_for_audit(item_id, next)),
        )
        .await?;
        Ok(next)
    }

    async fn insert_item_version(
        &mut self,
        item_id: i64,
        version: i64,
        v: &NewItemVersion,
    ) -> Result<()> {
        v.check()?;
        let by = self.actor().account_id;
        let name = self.actor().name.clone();
        let findings = serde_json::to_string(&v.findings)
            .map_err(|e| Error::Invalid(format!("findings: {e}")))?;
        let blocking = v
            .findings
            .iter()
            .filter(|f| f.blocks || f.kind == UNREADABLE)
            .count() as i64;
        let (vid,): (i64,) = run!(self.conn(), |c| sqlx::query_as(
            "INSERT INTO review_versions (item_id, version, title, body, details, hash, findings, blocking, created_by, created_by_name, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id"
        )
        .bind(item_id)
        .bind(version)
        .bind(&v.title)
        .bind(&v.body)
        .bind(v.details.to_string())
        .bind(v.hash())
        .bind(&findings)
        .bind(blocking)
        .bind(by)
        .bind(&name)
        .bind(now())
        .fetch_one(&mut *c)
        .await)
        .map_err(|e| Error::from_write(e, "review version"))?;
        for (i, (file, sha)) in v.attachments.iter().enumerate() {
            run!(self.conn(), |c| sqlx::query(
                "INSERT INTO review_attachments (version_id, position, file_name, sha256) VALUES ($1, $2, $3, $4)"
            )
            .bind(vid)
            .bind(i as i64)
            .bind(file)
            .bind(sha)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))
            .map_err(|e| Error::from_write(e, "attachment"))?;
        }
        Ok(())
    }

    /// Appends an event the engine accepted at sequence number `seq` (the number of events its
    /// actor saw) and sets the item's stage. If another event took that number meanwhile this is
    /// a conflict ([`DECIDED_BY_OTHERS`]) and nothing is stored.
    pub async fn append_review_event(
        &mut self,
        item_id: i64,
        seq: i64,
        event: &Event,
        stage: Stage,
    ) -> Result<()> {
        let text =
            serde_json::to_string(event).map_err(|e| Error::Invalid(format!("event: {e}")))?;
        let by = self.actor().account_id;
        let name = self.actor().name.clone();
        let at = now();
        run!(self.conn(), |c| sqlx::query(
            "INSERT INTO review_events (item_id, seq, event, by_account, by_name, at) VALUES ($1, $2, $3, $4, $5, $6)"
        )
        .bind(item_id)
        .bind(seq)
        .bind(&text)
        .bind(by)
        .bind(&name)
        .bind(at)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))
        .map_err(|e| match Error::from_write(e, "review event") {
            Error::Conflict(_) => Error::Conflict(DECIDED_BY_OTHERS.into()),
            other => other,
        })?;
        run!(self.conn(), |c| sqlx::query(
            "UPDATE review_items SET stage = $2, updated_at = $3 WHERE id = $1"
        )
        .bind(item_id)
        .bind(stage_word(stage))
        .bind(at)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
        self.record(
            "review.event",
            "review_item",
            &item_id.to_string(),
            &json!({ "seq": seq, "event": event }),
        )
        .await?;
        Ok(())
    }

    pub async fn add_risk_assessment(
        &mut self,
        item_id: i64,
        ra: &NewRiskAssessment,
    ) -> Result<RiskAssessment> {
        if !RISK_LEVELS.contains(&ra.risk_level.as_str()) {
            return Err(Error::Invalid(format!("risk level {}", ra.risk_level)));
        }
        let by = self.actor().account_id;
        let name = self.actor().name.clone();
        let consultations = serde_json::to_string(&ra.consultations)
            .map_err(|e| Error::Invalid(format!("consultations: {e}")))?;
        let row = run!(self.conn(), |c| sqlx::query_as(
            "INSERT INTO risk_assessments (item_id, consultations, risk_level, contingency, created_by, created_by_name, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             RETURNING id, item_id, consultations, risk_level, contingency, created_by, created_by_name, created_at"
        )
        .bind(item_id)
        .bind(&consultations)
        .bind(&ra.risk_level)
        .bind(&ra.contingency)
        .bind(by)
        .bind(&name)
        .bind(now())
        .fetch_one(&mut *c)
        .await)
        .map_err(|e| Error::from_write(e, "risk assessment"))?;
        let ra = risk_from(row)?;
        self.record(
            "review.risk_assessment",
            "review_item",
            &item_id.to_string(),
            &ra,
        )
        .await?;
        Ok(ra)
    }
}

//! The reviews' JSON API: items (with "waiting for me"), versions, decisions, withdrawal,
//! publication and risk assessments. The same engine and access checks as the pages, so every
//! refusal (self-approval, missing checklist, stale version, missing risk assessment) holds for
//! scripts too; files travel as base64.

use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use chrono::NaiveDate;
use serde::Deserialize;
use zeren_core::review::Action;
use zeren_store::reviews::*;
use zeren_store::Level;

use super::items::*;
use super::pages::waiting_for_me;
use crate::shared::multipart::guess_media;
use crate::shared::prelude::*;

#[derive(Deserialize)]
pub struct ItemQuery {
    /// The unit whose subtree to list; with `waiting` and no unit, the caller's items across
    /// units.
    unit: Option<i64>,
    kind: Option<String>,
    stage: Option<String>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    waiting: Option<String>,
}

pub async fn list_json(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<ItemQuery>,
) -> Result<axum::Json<Vec<ReviewItem>>> {
    // The lists of 我的工作: steps to decide, items returned to me, steps waiting for my 转交.
    let mine = match q.waiting.as_deref() {
        Some("me") => Some(waiting_for_me(&state, &v).await?),
        Some("returned") => Some(crate::shared::mine::reviews_returned(&state, &v).await?),
        Some("reassignment") => Some(
            crate::shared::mine::reviews_to_reassign(&state, &v, crate::shared::clock::today())
                .await?,
        ),
        Some(_) => {
            return Err(Error::Invalid(
                "waiting: one of me, returned, reassignment".into(),
            ))
        }
        None => None,
    };
    if let Some(mut items) = mine {
        items.retain(|i| q.kind.as_ref().is_none_or(|k| &i.kind == k));
        return Ok(axum::Json(items));
    }
    let unit = q
        .unit
        .ok_or_else(|| Error::Invalid("unit is required (or waiting=me)".into()))?;
    access::require(&state.store, &v, unit, Level::Read).await?;
    if let Some(s) = &q.stage {
        if !STAGE_WORDS.contains(&s.as_str()) {
            return Err(Error::Invalid(format!(
                "stage: one of {}",
                STAGE_WORDS.join(", ")
            )));
        }
    }
    Ok(axum::Json(
        state
            .store
            .reader()
            .await?
            .review_items(&ItemFilter {
                subtree_of: Some(unit),
                submitter: None,
                kind: q.kind,
                stage: q.stage,
                from: q.from,
                to: q.to,
                limit: Some(1000),
                ..ItemFilter::default()
            })
            .await?,
    ))
}

pub async fn json(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> Result<axum::Json<ItemJson>> {
    let (l, _) = load_visible(&state, &v, id).await?;
    Ok(axum::Json(item_json(l)?))
}

#[derive(Deserialize)]
pub struct FileJson {
    file_name: String,
    media_type: Option<String>,
    content_base64: String,
}

#[derive(Deserialize)]
pub struct VersionJson {
    title: String,
    #[serde(default)]
    body: String,
    /// Events: speakers, starts_at, place, audience.
    #[serde(default)]
    details: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    attachments: Vec<FileJson>,
    /// New versions: the version edited (409 if it is no longer current).
    version: Option<i64>,
}

impl VersionJson {
    fn raw(self) -> Result<(RawVersion, Option<i64>)> {
        let mut files = Vec::new();
        for f in self.attachments {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(f.content_base64.trim())
                .map_err(|e| Error::Invalid(format!("{}: not base64 ({e})", f.file_name)))?;
            let media = f
                .media_type
                .unwrap_or_else(|| guess_media(&f.file_name).into());
            files.push((f.file_name, media, bytes));
        }
        Ok((
            RawVersion {
                title: self.title.trim().into(),
                body: self.body,
                details: serde_json::Value::Object(self.details),
                files,
            },
            self.version,
        ))
    }
}

#[derive(Deserialize)]
pub struct NewItemJson {
    unit_id: i64,
    workflow: String,
    channel_id: Option<i64>,
    #[serde(default)]
    major: bool,
    #[serde(flatten)]
    version: VersionJson,
}

pub async fn create_json(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    JsonBody(b): JsonBody<NewItemJson>,
) -> Result<Response> {
    require_acts_for(&state, &v, b.unit_id).await?;
    let (raw, _) = b.version.raw()?;
    let id = create(
        &state,
        &v,
        b.unit_id,
        &b.workflow,
        b.channel_id,
        b.major,
        raw,
        lang,
    )
    .await?;
    let l = load(&state, id).await?;
    Ok(created(item_json(l)?))
}

pub async fn add_version_json(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<VersionJson>,
) -> Result<Response> {
    let (raw, expected) = b.raw()?;
    add_version(&state, &v, id, expected, raw, lang).await?;
    let l = load(&state, id).await?;
    Ok(created(item_json(l)?))
}

#[derive(Deserialize)]
pub struct DecisionJson {
    /// approve, return or reject.
    decision: String,
    /// The hash of the version decided on.
    hash: String,
    /// One answer per checklist item, in order (approvals).
    #[serde(default)]
    checklist: Vec<bool>,
    lawful_basis: Option<String>,
    /// What was checked by hand in files the scanner could not read.
    manual_check: Option<String>,
    #[serde(default)]
    comment: String,
    /// The number of events the caller saw (`seen` of the item); 409 if the item moved on.
    seen: Option<i64>,
}

pub async fn decide_json(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<DecisionJson>,
) -> Result<Response> {
    let action = decision(
        DecisionInput {
            decision: b.decision,
            hash: b.hash,
            checklist: b.checklist,
            lawful_basis: b.lawful_basis,
            manual_check: b.manual_check,
            comment: b.comment,
        },
        lang,
    )?;
    let l = act(&state, &v, id, action, b.seen, lang).await?;
    Ok(created(item_json(l)?))
}

pub async fn withdraw_json(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
) -> Result<Response> {
    let l = act(&state, &v, id, Action::Withdraw, None, lang).await?;
    Ok(axum::Json(item_json(l)?).into_response())
}

#[derive(Deserialize)]
pub struct PublishJson {
    url: String,
    /// China time, `2026-12-10T14:30`.
    #[serde(default)]
    published_at: String,
}

pub async fn publish_json(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<PublishJson>,
) -> Result<Response> {
    let action = publish_action(&b.url, &b.published_at, None, lang)?;
    let l = act(&state, &v, id, action, None, lang).await?;
    Ok(axum::Json(item_json(l)?).into_response())
}

#[derive(Deserialize)]
pub struct CorrectionJson {
    url: String,
    #[serde(default)]
    published_at: String,
    #[serde(default)]
    reason: String,
}

pub async fn correct_json(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<CorrectionJson>,
) -> Result<Response> {
    let action = publish_action(&b.url, &b.published_at, Some(b.reason), lang)?;
    let l = act(&state, &v, id, action, None, lang).await?;
    Ok(created(item_json(l)?))
}

#[derive(Deserialize)]
pub struct DeclassificationJson {
    /// The hash of the version the decision covers.
    hash: String,
    /// `declassified` (解密) or `not_classified` (定密: not a state secret).
    decision: String,
    #[serde(default)]
    document_no: String,
    seen: Option<i64>,
}

pub async fn declassify_json(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<DeclassificationJson>,
) -> Result<Response> {
    let action = clear_marking_action(b.hash, &b.decision, b.document_no, lang)?;
    let l = act(&state, &v, id, action, b.seen, lang).await?;
    Ok(created(item_json(l)?))
}

pub async fn add_risk_json(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<NewRiskAssessment>,
) -> Result<Response> {
    let r = add_risk(&state, &v, id, b, lang).await?;
    Ok(created(r))
}

//! Installing a policy at a unit: choose a bundled pack or upload a file, preview what changes
//! (in words), confirm the exact previewed text; the versions installed there; the same as JSON.

use crate::shared::multipart::Multipart;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use serde_json::{json, Value};
use zeren_policy::Policy;
use zeren_store::*;
// Named, so that the store's Error and Result do not shadow the web layer's.
use crate::shared::error::{Error, Result};

use super::people::UnitQuery;
use super::service;
use super::views::*;
use crate::shared::clock::today;
use crate::shared::multipart::Form as MultipartForm;
use crate::shared::packs;
use crate::shared::policies::{self, parse_installed, parse_policy};
use crate::shared::prelude::*;

/// What the preview shows before an install.
pub fn describe_change(old: Option<&Policy>, new: &Policy, lang: Lang) -> String {
    match old {
        Some(old) => zeren_policy::diff::diff(old, new).to_string(),
        None => match lang {
            Lang::Zh => format!(
                "角色 {} 个，领导机构 {} 个，工作任务 {} 项，审核流程 {} 个。",
                new.roles.len(),
                new.bodies.len(),
                new.duties.len(),
                new.workflows.len()
            ),
            Lang::En => format!(
                "{} roles, {} bodies, {} duties, {} workflows.",
                new.roles.len(),
                new.bodies.len(),
                new.duties.len(),
                new.workflows.len()
            ),
        },
    }
}

/// The current installations at a unit that installing `policy` there replaces: the same
/// policy (an upgrade) or one for the same kinds of unit (a switch); the same policy first.
pub(super) async fn replaced(
    state: &AppState,
    unit_id: i64,
    policy: &Policy,
) -> Result<Vec<InstalledPolicy>> {
    let scope = policy
        .meta
        .applies_to
        .iter()
        .map(|k| k.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let mut out: Vec<InstalledPolicy> = state
        .store
        .reader()
        .await?
        .policy_history(unit_id)
        .await?
        .into_iter()
        .filter(|p| {
            p.current
                && (p.policy_id == policy.meta.id.as_str()
                    || p.applies_to.as_deref().unwrap_or("") == scope)
        })
        .collect();
    out.sort_by_key(|p| p.policy_id != policy.meta.id.as_str());
    Ok(out)
}

/// The policy a new one is compared with: the one it replaces.
async fn current_at(state: &AppState, unit_id: i64, policy: &Policy) -> Result<Option<Policy>> {
    replaced(state, unit_id, policy)
        .await?
        .first()
        .map(parse_installed)
        .transpose()
}

/// Installs a parsed policy at a unit (administer there); returns it with the change in words.
/// Every install from a page goes through here (a pack, an uploaded file, a draft).
pub(super) async fn install(
    state: &AppState,
    v: &Viewer,
    unit_id: i64,
    policy: &Policy,
    text: &str,
    lang: Lang,
) -> Result<(InstalledPolicy, String)> {
    let (unit, _) = access::require(&state.store, v, unit_id, Level::Administer).await?;
    super::service::refuse_retired(&unit, lang)?;
    let old = current_at(state, unit_id, policy).await?;
    let mut w = state.store.write(&v.actor()).await?;
    let installed = zeren_store::install::install(&mut w, unit_id, policy, text, today()).await?;
    w.commit().await?;
    state.obligations_changed();
    Ok((installed, describe_change(old.as_ref(), policy, lang)))
}

async fn page_model(state: &AppState, v: &Viewer, lang: Lang, unit: Unit) -> Result<PolicyPage> {
    let history = state.store.reader().await?.policy_history(unit.id).await?;
    let installed = history
        .iter()
        .filter(|h| h.current)
        .map(|h| (h.clone(), service::applies_to_zh(Some(h))))
        .collect();
    Ok(PolicyPage {
        chrome: Chrome::new(lang, Some(v)),
        unit,
        packs: packs::listing(),
        fragments: packs::fragments(),
        no_fragments: Vec::new(),
        installed,
        history,
        preview: None,
        errors: vec![],
        chosen: String::new(),
        files_again: false,
    })
}

pub async fn page(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
) -> Result<Html<String>> {
    let (unit, _) = access::require(&state.store, &v, id, Level::Administer).await?;
    render(&page_model(&state, &v, lang, unit).await?)
}

pub async fn preview_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> Result<Response> {
    let (unit, _) = access::require(&state.store, &v, id, Level::Administer).await?;
    let f = MultipartForm::read(multipart, state.config.upload_limit_bytes() as u64).await?;
    let mut page = page_model(&state, &v, lang, unit).await?;
    page.chosen = f.text("pack");
    // The fragments ticked stay ticked when the preview is refused.
    page.no_fragments = f.all("fragment");
    if let Some(limit) = f.too_large() {
        page.errors = vec![Error::TooLarge(limit).message(lang)];
        page.files_again = true;
        return Ok((StatusCode::PAYLOAD_TOO_LARGE, render(&page)?).into_response());
    }
    let parsed = policies::chosen(&f, lang)
        .and_then(|(name, text)| parse_policy(&name, &text, lang).map(|p| (name, text, p)));
    match parsed {
        Ok((file_name, text, policy)) => {
            let replaces = replaced(&state, id, &policy).await?;
            let old = replaces.first().map(parse_installed).transpose()?;
            let governs_here = policy.meta.governs(true, &page.unit.kind);
            page.preview = Some(Preview {
                applies_to: policy
                    .meta
                    .applies_to
                    .iter()
                    .map(|k| k.zh().to_string())
                    .collect::<Vec<_>>()
                    .join("、"),
                replaces: replaces
                    .iter()
                    .map(|p| format!("{}（{}）", p.title, p.version))
                    .collect(),
                warnings: if governs_here && page.unit.parent_id.is_none() {
                    service::without_parent(&policy, &text, &page.unit, lang)
                } else {
                    Vec::new()
                },
                title: policy.meta.title.clone(),
                version: policy.meta.version.clone().unwrap_or_default(),
                first: old.is_none(),
                diff: describe_change(old.as_ref(), &policy, lang),
                file_name,
                sha256: policies::sha256(&text),
                text,
            });
            Ok(render(&page)?.into_response())
        }
        Err(errors) => {
            page.errors = errors;
            page.files_again = f.had_files();
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
    }
}

#[derive(Deserialize)]
pub struct InstallForm {
    file_name: String,
    sha256: String,
    text: String,
}

pub async fn install_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    Form(f): Form<InstallForm>,
) -> Result<Response> {
    let (unit, _) = access::require(&state.store, &v, id, Level::Administer).await?;
    // Browsers may turn the textarea's line ends into CRLF; the text is stored as previewed.
    let text = f.text.replace("\r\n", "\n");
    let refused = if policies::sha256(&text) != f.sha256 {
        vec![Tr(lang).s("policy.tampered").to_string()]
    } else {
        match parse_policy(&f.file_name, &text, lang) {
            Ok(policy) => {
                install(&state, &v, id, &policy, &text, lang).await?;
                return Ok(see_other(&format!("/units/{id}")));
            }
            Err(e) => e,
        }
    };
    let mut page = page_model(&state, &v, lang, unit).await?;
    page.errors = refused;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
}

pub async fn list_json(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<UnitQuery>,
) -> Result<axum::Json<Value>> {
    access::require(&state.store, &v, q.unit, Level::Read).await?;
    let mut r = state.store.reader().await?;
    Ok(axum::Json(json!({
        "in_force": r.policy_in_force(q.unit).await?,
        "history": r.policy_history(q.unit).await?,
    })))
}

#[derive(Deserialize)]
pub struct InstallBody {
    unit_id: i64,
    /// A bundled pack's id, or…
    pack: Option<String>,
    /// …a policy text (with an optional file name for the diagnostics).
    text: Option<String>,
    file_name: Option<String>,
}

/// The `# ?` questions of a drafted policy text, each as a diagnostic at its line.
pub fn open_questions(text: &str) -> Vec<Value> {
    zeren_draft::open_questions_at(text)
        .into_iter()
        .map(|(line, q)| json!({ "line": line, "column": 1, "path": "", "message": format!("open question: {q}"), "message_zh": format!("待确认的问题：{q}（回答并删去这一行后才能安装）") }))
        .collect()
}

pub async fn install_json(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    JsonBody(b): JsonBody<InstallBody>,
) -> Result<Response> {
    access::require(&state.store, &v, b.unit_id, Level::Administer).await?;
    let (name, text) = match (&b.pack, &b.text) {
        (Some(p), None) => {
            let pack = packs::find(p).ok_or(Error::NotFound)?;
            (format!("{}.toml", pack.id), pack.text.to_string())
        }
        (None, Some(t)) => (
            b.file_name.clone().unwrap_or_else(|| "policy.toml".into()),
            t.clone(),
        ),
        _ => return Err(Error::Invalid("give exactly one of pack and text".into())),
    };
    // A draft with questions open (`# ?` lines) is refused, as the drafting page refuses it.
    let open = open_questions(&text);
    if !open.is_empty() {
        let body = json!({ "error": "invalid", "message": "the draft has open questions (lines starting \"# ?\"): answer them and delete those lines", "diagnostics": open });
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, axum::Json(body)).into_response());
    }
    let policy = match zeren_policy::parse(&name, &text) {
        Ok(p) => p,
        Err(d) => {
            let list: Vec<Value> = d
                .iter()
                .map(|x| json!({ "line": x.line, "column": x.column, "path": x.path, "message": x.to_string(), "message_zh": x.message_zh() }))
                .collect();
            let body = json!({ "error": "invalid", "message": "the policy has errors", "diagnostics": list });
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, axum::Json(body)).into_response());
        }
    };
    let (installed, diff) = install(&state, &v, b.unit_id, &policy, &text, lang).await?;
    Ok(created(json!({ "installed": installed, "changes": diff })))
}

/// Removes an installation at a unit (administer there); its unended obligations without a
/// record are cancelled by the materialiser, history stays.
/// `at` is the unit the page names, when removed from a unit's page.
async fn remove(
    state: &AppState,
    v: &Viewer,
    install_id: i64,
    at: Option<i64>,
) -> Result<InstalledPolicy> {
    let ip = state
        .store
        .reader()
        .await?
        .installed_policy(install_id)
        .await?
        .filter(|ip| at.is_none_or(|u| u == ip.unit_id))
        .ok_or(Error::NotFound)?;
    access::require(&state.store, v, ip.unit_id, Level::Administer).await?;
    let mut w = state.store.write(&v.actor()).await?;
    let removed = w.remove_installation(install_id).await?;
    w.commit().await?;
    state.obligations_changed();
    Ok(removed)
}

pub async fn remove_form(
    State(state): State<AppState>,
    v: Viewer,
    Path((unit_id, install_id)): Path<(i64, i64)>,
) -> Result<Response> {
    remove(&state, &v, install_id, Some(unit_id)).await?;
    Ok(see_other(&format!("/units/{unit_id}/policy")))
}

pub async fn remove_json(
    State(state): State<AppState>,
    v: Viewer,
    Path(install_id): Path<i64>,
) -> Result<axum::Json<InstalledPolicy>> {
    Ok(axum::Json(remove(&state, &v, install_id, None).await?))
}

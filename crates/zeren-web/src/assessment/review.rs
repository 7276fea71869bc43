//! The reviewing side (考核组) of a unit's sheet: scoring each leaf (prefilled from the unit's
//! self-assessment; a measured value changed only with a reason), the vetoes found, locking the
//! score; the unit's appeals (申诉) within the window and the reviewers' answers. Pages and API
//! act through the functions here; the rules are `zeren_core::assessment`.

use std::collections::BTreeMap;

use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use zeren_core::assessment::{compose, may_appeal, may_review, Side};
use zeren_core::scoring::score;
use zeren_policy::VetoId;
use zeren_store::assessment::*;

use super::sheet::{
    load, raw_of_form, read_entries, score_problem, sheet_json, sheet_page, RawEntry, UnitSheet,
};
use crate::shared::error::Problems;
use crate::shared::extract::field;
use crate::shared::prelude::*;
use crate::shared::refusal::Refused;

/// The longest appeal or answer kept.
const MAX_TEXT: usize = 1000;

/// Checks, scores and stores a new version of the reviewers' sheet; `lock` locks the score.
pub async fn submit_review(
    state: &AppState,
    v: &Viewer,
    s: &UnitSheet,
    raw: &BTreeMap<String, RawEntry>,
    vetoes: &[String],
    lock: bool,
) -> Result<Sheet> {
    if !s.reviewer {
        return Err(Error::Forbidden);
    }
    may_review(s.standing).map_err(|m| Error::Invalid(m.into()))?;
    let a = s.l.rubric()?;
    let mut problems = Problems::new();
    let entries = read_entries(a, raw, Side::Review, &mut problems);
    for (item, e) in &entries {
        if e.note.chars().count() > zeren_core::assessment::MAX_NOTE
            || e.reason.chars().count() > zeren_core::assessment::MAX_NOTE
        {
            problems.add(&format!("n_{item}"), "说明不能超过 500 字");
        }
    }
    let mut found: Vec<VetoId> = Vec::new();
    for id in vetoes {
        match a.vetoes.iter().find(|x| x.id.as_str() == id) {
            Some(x) if !found.contains(&x.id) => found.push(x.id.clone()),
            Some(_) => {}
            None => problems.add("vetoes", "没有这一一票否决事项"),
        }
    }
    let composed = match compose(a, &s.facts, &entries, &found, Side::Review) {
        Ok(c) => Some(c),
        Err(list) => {
            for (item, text) in list {
                let field = if text.contains("理由") {
                    format!("r_{item}")
                } else {
                    format!("v_{item}")
                };
                if problems.get(&field).is_none() {
                    problems.add(&field, text);
                }
            }
            None
        }
    };
    let sheet = match &composed {
        Some(c) => match score(a, &c.inputs) {
            Ok(sheet) => Some(sheet),
            Err(e) => {
                score_problem(&e, &mut problems);
                None
            }
        },
        None => None,
    };
    problems.check()?;
    let (Some(c), Some(sheet)) = (composed, sheet) else {
        return Err(Error::Internal(
            "scored without problems yet no sheet".into(),
        ));
    };
    let mut w = state.store.write(&v.actor()).await?;
    let stored = w
        .submit_assessment_sheet(
            s.l.cycle.id,
            s.unit.unit_id,
            SheetSide::Review,
            &NewSheet {
                entries,
                vetoes: found,
                inputs: c.inputs.leaves,
                sheet,
                locks: lock,
            },
            Some(a),
        )
        .await?;
    w.commit().await?;
    Ok(stored)
}

/// The unit appeals against its locked score.
pub async fn appeal(state: &AppState, v: &Viewer, s: &UnitSheet, text: &str) -> Result<Appeal> {
    if !s.can_self {
        return Err(Error::Forbidden);
    }
    may_appeal(
        s.standing,
        crate::shared::clock::today(),
        &s.l.cycle.dates(),
    )
    .map_err(|m| Error::Invalid(m.into()))?;
    let text = text.trim();
    if text.is_empty() || text.chars().count() > MAX_TEXT {
        return Err(Error::Fields(Problems::one(
            "text",
            "请写明申诉理由（不超过1000字）",
        )));
    }
    let mut w = state.store.write(&v.actor()).await?;
    let a = w
        .appeal_assessment(s.l.cycle.id, s.unit.unit_id, text)
        .await?;
    w.commit().await?;
    Ok(a)
}

/// The reviewers answer an appeal of the cycle: upheld (the score opens for a new review) or not.
pub async fn answer(
    state: &AppState,
    v: &Viewer,
    cycle_id: i64,
    appeal_id: i64,
    upheld: Option<bool>,
    text: &str,
) -> Result<(Appeal, i64)> {
    let (l, part) = super::cycle::load_visible(state, v, cycle_id).await?;
    if !part.reviewer {
        return Err(Error::Forbidden);
    }
    let appeal = state
        .store
        .reader()
        .await?
        .assessment_appeals(cycle_id)
        .await?
        .into_iter()
        .find(|a| a.id == appeal_id)
        .ok_or(Error::NotFound)?;
    if l.cycle.published_at.is_some() {
        return Err(Error::Invalid("考核结果已发布".into()));
    }
    if appeal.upheld.is_some() {
        return Err(Error::Invalid("该申诉已答复".into()));
    }
    let mut p = Problems::new();
    if upheld.is_none() {
        p.add("upheld", "请选择申诉是否成立");
    }
    let text = text.trim();
    if text.is_empty() || text.chars().count() > MAX_TEXT {
        p.add("text", "请填写答复意见（不超过1000字）");
    }
    p.check()?;
    let mut w = state.store.write(&v.actor()).await?;
    let answered = w
        .answer_assessment_appeal(&appeal, upheld.unwrap_or(false), text)
        .await?;
    w.commit().await?;
    Ok((answered, appeal.unit_id))
}

// ------------------------------------------------------------------------------------ pages

/// Shows the unit's page again with a refused form, or goes back to it.
async fn back(
    state: &AppState,
    v: &Viewer,
    lang: Lang,
    (id, unit): (i64, i64),
    form: &str,
    f: &[(String, String)],
    outcome: Result<()>,
) -> Result<Response> {
    match outcome {
        Ok(()) => Ok(see_other(&format!("/assessment/{id}/units/{unit}"))),
        Err(e) => {
            let r = Refused::of(form, f, e, lang)?;
            let status = r.status;
            let s = load(state, v, id, unit).await?;
            let page = sheet_page(state, v, lang, s, r).await?;
            Ok((status, crate::shared::view::render(&page)?).into_response())
        }
    }
}

pub async fn review_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path((id, unit)): Path<(i64, i64)>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let s = load(&state, &v, id, unit).await?;
    if !s.reviewer {
        return Err(Error::Forbidden);
    }
    let raw = raw_of_form(s.l.rubric()?, &f);
    let vetoes: Vec<String> = f
        .iter()
        .filter(|(k, _)| k == "veto")
        .map(|(_, x)| x.clone())
        .collect();
    let lock = field(&f, "lock") == "on";
    let outcome = submit_review(&state, &v, &s, &raw, &vetoes, lock)
        .await
        .map(|_| ());
    back(&state, &v, lang, (id, unit), "review", &f, outcome).await
}

pub async fn appeal_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path((id, unit)): Path<(i64, i64)>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let s = load(&state, &v, id, unit).await?;
    if !s.can_self {
        return Err(Error::Forbidden);
    }
    let outcome = appeal(&state, &v, &s, &field(&f, "text")).await.map(|_| ());
    back(&state, &v, lang, (id, unit), "appeal", &f, outcome).await
}

fn upheld_of(word: &str) -> Option<bool> {
    match word {
        "upheld" | "true" => Some(true),
        "rejected" | "false" => Some(false),
        _ => None,
    }
}

pub async fn answer_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path((id, appeal_id)): Path<(i64, i64)>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let outcome = answer(
        &state,
        &v,
        id,
        appeal_id,
        upheld_of(&field(&f, "upheld")),
        &field(&f, "text"),
    )
    .await;
    match outcome {
        Ok((_, unit)) => Ok(see_other(&format!("/assessment/{id}/units/{unit}"))),
        Err(e @ (Error::Forbidden | Error::NotFound)) => Err(e),
        Err(e) => {
            let unit = state
                .store
                .reader()
                .await?
                .assessment_appeals(id)
                .await?
                .into_iter()
                .find(|a| a.id == appeal_id)
                .map(|a| a.unit_id)
                .ok_or(Error::NotFound)?;
            let form = format!("answer{appeal_id}");
            back(&state, &v, lang, (id, unit), &form, &f, Err(e)).await
        }
    }
}

// -------------------------------------------------------------------------------------- API

#[derive(Deserialize)]
pub struct ReviewJson {
    entries: BTreeMap<String, RawEntry>,
    #[serde(default)]
    vetoes: Vec<String>,
    #[serde(default)]
    lock: bool,
}

pub async fn review_json(
    State(state): State<AppState>,
    v: Viewer,
    Path((id, unit)): Path<(i64, i64)>,
    JsonBody(b): JsonBody<ReviewJson>,
) -> Result<Response> {
    let s = load(&state, &v, id, unit).await?;
    submit_review(&state, &v, &s, &b.entries, &b.vetoes, b.lock).await?;
    let s = load(&state, &v, id, unit).await?;
    Ok(created(sheet_json(&state, s).await?))
}

#[derive(Deserialize)]
pub struct AppealJson {
    text: String,
}

pub async fn appeal_json(
    State(state): State<AppState>,
    v: Viewer,
    Path((id, unit)): Path<(i64, i64)>,
    JsonBody(b): JsonBody<AppealJson>,
) -> Result<Response> {
    let s = load(&state, &v, id, unit).await?;
    Ok(created(appeal(&state, &v, &s, &b.text).await?))
}

#[derive(Deserialize)]
pub struct AnswerJson {
    upheld: bool,
    text: String,
}

pub async fn answer_json(
    State(state): State<AppState>,
    v: Viewer,
    Path((id, appeal_id)): Path<(i64, i64)>,
    JsonBody(b): JsonBody<AnswerJson>,
) -> Result<axum::Json<Appeal>> {
    let (a, _) = answer(&state, &v, id, appeal_id, Some(b.upheld), &b.text).await?;
    Ok(axum::Json(a))
}

//! A cycle's ranking: the reviewed units of each peer group (kind of unit), best first, with their
//! places and grades as kept with the scores (a read, no scoring), and publishing it (发布) once
//! every score is locked and every appeal answered. Before publication only the reviewing side
//! (readers of the opening unit) sees it; afterwards everyone who sees the cycle.

use askama::Template;
use axum::response::{Html, Response};
use serde::{Deserialize, Serialize};
use zeren_core::assessment::{may_publish, Standing, APPEALS_STILL_OPEN};
use zeren_store::assessment::*;

use super::cycle::{load_visible, points, Loaded, Part};
use crate::shared::prelude::*;

/// A unit of the ranking.
#[derive(Clone, Debug, Serialize)]
pub struct RankRow {
    pub unit_id: i64,
    pub name: String,
    pub peer_group: String,
    pub place: Option<i64>,
    pub self_total: Option<i64>,
    pub review_total: Option<i64>,
    pub grade_id: Option<String>,
    pub grade: String,
    pub locked: bool,
    pub no_commendation: bool,
}

/// The cycle's units, each peer group best first (units not yet reviewed last).
pub fn ranking(l: &Loaded) -> Vec<RankRow> {
    let a = l.policy.assessment.as_ref();
    let mut rows: Vec<RankRow> = l
        .units
        .iter()
        .map(|u| RankRow {
            unit_id: u.unit_id,
            name: u.name.clone(),
            peer_group: u.kind.clone(),
            place: u.place,
            self_total: u.self_total,
            review_total: u.review_total,
            grade: u
                .grade_id
                .as_ref()
                .and_then(|g| a.and_then(|a| a.grades.iter().find(|x| x.id.as_str() == g)))
                .map(|g| g.title.clone())
                .unwrap_or_default(),
            grade_id: u.grade_id.clone(),
            locked: u.locked,
            no_commendation: u.no_commendation,
        })
        .collect();
    rows.sort_by(|x, y| {
        (&x.peer_group, x.place.is_none(), x.place, &x.name).cmp(&(
            &y.peer_group,
            y.place.is_none(),
            y.place,
            &y.name,
        ))
    });
    rows
}

/// The ranking, if the viewer may see it now.
async fn visible(state: &AppState, v: &Viewer, id: i64) -> Result<(Loaded, Part)> {
    let (l, part) = load_visible(state, v, id).await?;
    let top = access::level(&state.store, v, l.cycle.unit_id).await?;
    if top.is_none() && l.cycle.published_at.is_none() {
        return Err(Error::Forbidden);
    }
    Ok((l, part))
}

async fn standings(state: &AppState, l: &Loaded) -> Result<Vec<Standing>> {
    let appeals = state
        .store
        .reader()
        .await?
        .assessment_appeals(l.cycle.id)
        .await?;
    Ok(l.units
        .iter()
        .map(|u| Standing {
            published: l.cycle.published_at.is_some(),
            locked: u.locked,
            open_appeal: appeals
                .iter()
                .any(|a| a.unit_id == u.unit_id && a.upheld.is_none()),
        })
        .collect())
}

pub struct Row {
    pub unit_id: i64,
    pub name: String,
    pub peer_group: String,
    pub place: String,
    pub self_total: String,
    pub review_total: String,
    pub grade: String,
    pub locked: bool,
    pub no_commendation: bool,
    /// Why, when an accountability decision took the year's 评先评优 away.
    pub barred: String,
}

#[derive(Template)]
#[template(path = "pages/assessment_ranking.html")]
pub struct RankingPage {
    pub chrome: Chrome,
    pub cycle: Cycle,
    pub rows: Vec<Row>,
    pub reviewer: bool,
    pub can_publish: bool,
    /// Publishing now ends the appeal window early: the form asks to confirm it.
    pub early: bool,
    /// Why it cannot be published yet.
    pub not_yet: String,
    pub published: String,
}

pub async fn page(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
) -> Result<Html<String>> {
    let (l, part) = visible(&state, &v, id).await?;
    let today = crate::shared::clock::today();
    let units = standings(&state, &l).await?;
    let dates = l.cycle.dates();
    let check = may_publish(&units, today, &dates, true);
    let early = may_publish(&units, today, &dates, false) == Err(APPEALS_STILL_OPEN);
    let rows = ranking(&l)
        .into_iter()
        .map(|r| Row {
            unit_id: r.unit_id,
            name: r.name,
            peer_group: r.peer_group,
            place: r.place.map(|p| p.to_string()).unwrap_or_default(),
            self_total: r.self_total.map(points).unwrap_or_default(),
            review_total: r.review_total.map(points).unwrap_or_default(),
            grade: r.grade,
            locked: r.locked,
            no_commendation: r.no_commendation,
            barred: l
                .barred
                .iter()
                .find(|(u, _)| *u == r.unit_id)
                .map(|(_, text)| text.clone())
                .unwrap_or_default(),
        })
        .collect();
    render(&RankingPage {
        chrome: Chrome::new(lang, Some(&v)),
        rows,
        reviewer: part.reviewer,
        can_publish: part.reviewer && check.is_ok(),
        early,
        not_yet: check.err().unwrap_or_default().to_string(),
        published: l
            .cycle
            .published_at
            .as_ref()
            .map(|t| {
                format!(
                    "{} {}",
                    l.cycle.published_by_name.clone().unwrap_or_default(),
                    crate::shared::clock::wall(t)
                )
            })
            .unwrap_or_default(),
        cycle: l.cycle,
    })
}

/// Publishes the cycle's results; within the appeal window only when `close_early` confirms
/// that no more appeals are taken.
async fn publish(state: &AppState, v: &Viewer, id: i64, close_early: bool) -> Result<Cycle> {
    let (l, part) = load_visible(state, v, id).await?;
    if !part.reviewer {
        return Err(Error::Forbidden);
    }
    let (today, dates) = (crate::shared::clock::today(), l.cycle.dates());
    may_publish(&standings(state, &l).await?, today, &dates, close_early)
        .map_err(|m| Error::Invalid(m.into()))?;
    let mut w = state.store.write(&v.actor()).await?;
    let c = w
        .publish_assessment_cycle(id, today <= dates.appeal_until)
        .await?;
    w.commit().await?;
    Ok(c)
}

pub async fn publish_form(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let early = f
        .iter()
        .any(|(k, v)| k == "close_appeals_early" && v == "on");
    publish(&state, &v, id, early).await?;
    Ok(see_other(&format!("/assessment/{id}/ranking")))
}

#[derive(Serialize)]
pub struct RankingJson {
    pub cycle: Cycle,
    pub units: Vec<RankRow>,
}

pub async fn json(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> Result<axum::Json<RankingJson>> {
    let (l, _) = visible(&state, &v, id).await?;
    Ok(axum::Json(RankingJson {
        units: ranking(&l),
        cycle: l.cycle,
    }))
}

/// What the API's publish request may say.
#[derive(Deserialize)]
pub struct PublishBody {
    /// Publish within the appeal window, ending it for every unit.
    #[serde(default)]
    pub close_appeals_early: bool,
}

pub async fn publish_json(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<PublishBody>,
) -> Result<axum::Json<RankingJson>> {
    publish(&state, &v, id, b.close_appeals_early).await?;
    let (l, _) = visible(&state, &v, id).await?;
    Ok(axum::Json(RankingJson {
        units: ranking(&l),
        cycle: l.cycle,
    }))
}

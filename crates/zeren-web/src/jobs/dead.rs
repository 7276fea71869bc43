//! The jobs overview and the dead letters, as a page and as JSON, and the retry of a dead job;
//! both answers come from `overview` and `retry`.

use askama::Template;
use axum::response::{Html, IntoResponse, Response};
use zeren_store::jobs::{Job, JobCounts, JobRead};
use zeren_store::AdminDuty;

use crate::shared::prelude::*;

/// How many dead jobs are listed.
const SHOWN: i64 = 200;

#[derive(Template)]
#[template(path = "pages/jobs.html")]
pub struct JobsPage {
    pub chrome: Chrome,
    pub counts: JobCounts,
    pub dead: Vec<Job>,
}

impl JobsPage {
    /// What a job does, in words (its kind is an id).
    pub fn kind(&self, kind: &str) -> &'static str {
        let id = match kind {
            "deliver" => "jobs.kind.deliver",
            "materialise" => "jobs.kind.materialise",
            "notices" => "jobs.kind.notices",
            "sweep" => "jobs.kind.sweep",
            _ => "jobs.kind.other",
        };
        self.chrome.t.s(id)
    }
}

#[derive(serde::Serialize)]
pub struct Jobs {
    pub counts: JobCounts,
    pub dead: Vec<Job>,
}

async fn overview(state: &AppState, v: &Viewer) -> Result<Jobs> {
    v.require_duty(AdminDuty::System)?;
    let mut r = state.store.reader().await?;
    Ok(Jobs {
        counts: r.job_counts().await?,
        dead: r.jobs_in("dead", SHOWN).await?,
    })
}

/// Puts a dead job back in the queue (audited); not found when it is not dead.
async fn retry(state: &AppState, v: &Viewer, id: i64) -> Result<Job> {
    v.require_duty(AdminDuty::System)?;
    let mut w = state.store.write(&v.actor()).await?;
    if !w.retry_dead_job(id).await? {
        return Err(Error::NotFound);
    }
    let job = w.job(id).await?.ok_or(Error::NotFound)?;
    w.commit().await?;
    Ok(job)
}

pub async fn page(State(state): State<AppState>, v: Viewer, lang: Lang) -> Result<Html<String>> {
    let jobs = overview(&state, &v).await?;
    render(&JobsPage {
        chrome: Chrome::new(lang, Some(&v)),
        counts: jobs.counts,
        dead: jobs.dead,
    })
}

pub async fn retry_form(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> Result<Response> {
    retry(&state, &v, id).await?;
    Ok(see_other("/jobs"))
}

pub async fn list_json(State(state): State<AppState>, v: Viewer) -> Result<axum::Json<Jobs>> {
    Ok(axum::Json(overview(&state, &v).await?))
}

pub async fn retry_json(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> Result<Response> {
    Ok(axum::Json(retry(&state, &v, id).await?).into_response())
}

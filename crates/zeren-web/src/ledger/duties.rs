//! The 责任清单: everything a person, or the holders of a unit's roles, answer for under the policy
//! in force — duties with their next due date, review steps, bodies, untimed responsibilities.

use askama::Template;
use axum::response::Html;
use chrono::NaiveDate;
use zeren_store::ledger::*;
use zeren_store::{Level, Read, Unit};

use crate::shared::clock::today;
use crate::shared::policies::parse_installed;
use crate::shared::prelude::*;

pub struct DutyLine {
    pub title: String,
    pub frequency: String,
    pub next_due: Option<NaiveDate>,
}

pub struct RoleLine {
    pub role: String,
    pub unit_name: String,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
    pub duties: Vec<DutyLine>,
    pub responsibilities: Vec<String>,
}

#[derive(Template)]
#[template(path = "pages/duties.html")]
pub struct DutiesPage {
    pub chrome: Chrome,
    pub title: String,
    pub subtitle: String,
    pub roles: Vec<RoleLine>,
    pub today: NaiveDate,
}

/// The next due date of a duty at a unit (for a person, when it is per holder).
async fn next_due(
    state: &AppState,
    unit: i64,
    duty: &str,
    person: Option<i64>,
    today: NaiveDate,
) -> Result<Option<NaiveDate>> {
    let rows = state
        .store
        .reader()
        .await?
        .obligations(&ObligationFilter {
            unit: Some(unit),
            duty: Some(duty.to_string()),
            person,
            due_from: Some(today),
            limit: Some(1),
            ..ObligationFilter::default()
        })
        .await?;
    Ok(rows.first().map(|p| p.obligation.due_on))
}

/// What holding `role` at `unit` means under the policy in force there.
async fn role_line(
    state: &AppState,
    unit: &Unit,
    role: &str,
    from: NaiveDate,
    to: Option<NaiveDate>,
    person: Option<i64>,
    today: NaiveDate,
) -> Result<RoleLine> {
    let policy = match state.store.reader().await?.policy_in_force(unit.id).await? {
        Some(p) => parse_installed(&p).ok(),
        None => None,
    };
    let mut line = RoleLine {
        role: role.to_string(),
        unit_name: unit.name.clone(),
        from,
        to,
        duties: Vec::new(),
        responsibilities: Vec::new(),
    };
    let Some(policy) = policy else {
        return Ok(line);
    };
    let Some(rid) = zeren_policy::RoleId::parse(role) else {
        return Ok(line);
    };
    line.role = policy.role_title(&rid).to_string();
    let e = zeren_policy::explain::explain(&policy);
    if let Some(rl) = e.roles.iter().find(|r| r.role.id == rid) {
        for d in &rl.duties {
            let per_person = d.per == zeren_policy::Per::Holder;
            line.duties.push(DutyLine {
                title: d.title.clone(),
                frequency: d.frequency_zh(),
                next_due: next_due(
                    state,
                    unit.id,
                    d.id.as_str(),
                    if per_person { person } else { None },
                    today,
                )
                .await?,
            });
        }
        for (w, s) in &rl.steps {
            line.responsibilities
                .push(format!("{}：{}", w.title, s.title));
        }
        line.responsibilities
            .extend(rl.responsibilities.iter().map(|r| r.text.clone()));
        for (b, pos) in &rl.bodies {
            line.responsibilities
                .insert(0, format!("任{}{}", b.title, pos));
        }
    }
    Ok(line)
}

pub async fn person_page(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
) -> Result<Html<String>> {
    let person = state
        .store
        .reader()
        .await?
        .person(id)
        .await?
        .ok_or(Error::NotFound)?;
    access::require(&state.store, &v, person.unit_id, Level::Read).await?;
    let today = today();
    let assignments = state.store.reader().await?.assignments_of(id).await?;
    let mut roles = Vec::new();
    for a in assignments {
        // Only roles at units the viewer may read.
        if access::level(&state.store, &v, a.unit_id).await?.is_none() {
            continue;
        }
        let Some(unit) = state.store.reader().await?.unit(a.unit_id).await? else {
            continue;
        };
        let mut line = role_line(
            &state,
            &unit,
            &a.role_id,
            a.starts_on,
            a.ends_on,
            Some(id),
            today,
        )
        .await?;
        let active = a.starts_on <= today && a.ends_on.is_none_or(|e| today < e);
        if !active {
            // Past roles are listed with their dates, without the duties they no longer carry.
            line.duties.clear();
            line.responsibilities.clear();
        }
        roles.push(line);
    }
    let unit = state
        .store
        .reader()
        .await?
        .unit(person.unit_id)
        .await?
        .map(|u| u.name)
        .unwrap_or_default();
    render(&DutiesPage {
        chrome: Chrome::new(lang, Some(&v)),
        title: format!("{}的责任清单", person.name),
        subtitle: unit,
        roles,
        today,
    })
}

pub async fn unit_page(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
) -> Result<Html<String>> {
    let (unit, _) = access::require(&state.store, &v, id, Level::Read).await?;
    let today = today();
    let mut roles = Vec::new();
    let assignments = state.store.reader().await?.assignments_at(id).await?;
    let mut seen = Vec::new();
    for a in assignments {
        let active = a.starts_on <= today && a.ends_on.is_none_or(|e| today < e);
        if !active || seen.contains(&a.role_id) {
            continue;
        }
        seen.push(a.role_id.clone());
        let mut line = role_line(&state, &unit, &a.role_id, a.starts_on, None, None, today).await?;
        let holders: Vec<String> = state
            .store
            .reader()
            .await?
            .assignments_at(id)
            .await?
            .into_iter()
            .filter(|x| {
                x.role_id == a.role_id
                    && x.starts_on <= today
                    && x.ends_on.is_none_or(|e| today < e)
            })
            .map(|x| x.person_name)
            .collect();
        line.unit_name = holders.join("、");
        roles.push(line);
    }
    render(&DutiesPage {
        chrome: Chrome::new(lang, Some(&v)),
        title: format!("{}责任清单", unit.name),
        subtitle: unit.kind.clone(),
        roles,
        today,
    })
}

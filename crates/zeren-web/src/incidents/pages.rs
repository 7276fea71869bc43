//! Incidents in the browser: the list (what waits on the clock, reports waiting for 签收, the
//! incidents of the viewer's units), the one-minute report form, an incident's page with its
//! report series, deadlines, 签发, 签收 and handling log, the acts on it, and its files.

use askama::Template;
use axum::response::{Html, IntoResponse, Response};
use zeren_core::incident::{Event, ReportKind, Stage};
use zeren_core::org::PersonId;
use zeren_policy::ClosureReviewer;
use zeren_store::incidents::*;
use zeren_store::{Read, Unit};

use super::incident::*;
use crate::shared::clock::{china_input, wall};
use crate::shared::error::Problems;
use crate::shared::multipart::{Form as MultipartForm, Multipart};
use crate::shared::prelude::*;
use crate::shared::refusal::Refused;
use crate::shared::respond;

/// A deadline as the pages show it.
pub struct ClockRow {
    pub incident_id: i64,
    pub title: String,
    pub what: String,
    pub unit: String,
    /// 2026年12月10日 14:30, or empty for 第一时间.
    pub due: String,
    pub state: &'static str,
    pub text: String,
}

/// One incident in a list.
pub struct ListRow {
    pub id: i64,
    pub title: String,
    pub unit: String,
    pub level: String,
    pub stage: String,
    pub known: String,
}

#[derive(Template)]
#[template(path = "pages/incidents.html")]
pub struct ListPage {
    pub chrome: Chrome,
    pub can_report: bool,
    pub clocks: Vec<ClockRow>,
    pub awaiting: Vec<AwaitingIncidentReceipt>,
    pub open: Vec<ListRow>,
    pub closed: Vec<ListRow>,
    /// The units whose statistics the viewer may open (the tops of what they read).
    pub stats: Vec<Unit>,
}

fn level_title(policy: &zeren_policy::Policy, id: &str) -> String {
    policy
        .incidents
        .as_ref()
        .and_then(|i| i.levels.iter().find(|l| l.id.as_str() == id))
        .map(|l| l.title.clone())
        .unwrap_or_default()
}

fn stage_zh(word: &str) -> &'static str {
    match word {
        "closure_in_review" => Stage::ClosureInReview.zh(),
        "closed" => Stage::Closed.zh(),
        _ => Stage::Open.zh(),
    }
}

/// The deadlines the viewer's units must meet now, soonest first.
pub async fn my_clocks(state: &AppState, v: &Viewer) -> Result<Vec<ClockRow>> {
    let units = crate::shared::mine::units(state, v, crate::shared::clock::today()).await?;
    let ids: Vec<i64> = units.iter().map(|u| u.id).collect();
    let pending = pending_clocks(&state.store, &ids, state.now()).await?;
    Ok(pending
        .into_iter()
        .map(|p| {
            let (word, _) = timeliness_word(p.timeliness);
            ClockRow {
                incident_id: p.incident_id,
                title: p.title,
                what: p.what_zh,
                unit: units
                    .iter()
                    .find(|u| u.id == p.unit_id)
                    .map(|u| u.name.clone())
                    .unwrap_or_default(),
                due: p.due_at.map(|t| wall(&t)).unwrap_or_default(),
                state: word,
                text: p.timeliness.zh(),
            }
        })
        .collect())
}

pub async fn list(State(state): State<AppState>, v: Viewer, lang: Lang) -> Result<Html<String>> {
    let can_report = !reporting_units(&state, &v).await?.is_empty();
    let clocks = my_clocks(&state, &v).await?;
    let units = crate::shared::mine::units(&state, &v, crate::shared::clock::today()).await?;
    let ids: Vec<i64> = units.iter().map(|u| u.id).collect();
    let awaiting = state
        .store
        .reader()
        .await?
        .awaiting_incident_receipts(&ids)
        .await?;
    let mut rows = Vec::new();
    let roots = access::roots(&state.store, &v).await?;
    for root in &roots {
        rows.extend(
            state
                .store
                .reader()
                .await?
                .incidents(&IncidentFilter {
                    subtree_of: Some(root.id),
                    limit: Some(500),
                    ..IncidentFilter::default()
                })
                .await?,
        );
    }
    rows.sort_by_key(|r| std::cmp::Reverse((r.incident.known_at, r.incident.id)));
    rows.dedup_by_key(|r| r.incident.id);
    let (mut open, mut closed) = (Vec::new(), Vec::new());
    for r in rows {
        let policy = state
            .installed_policy(r.incident.installed_policy_id)
            .await?;
        let row = ListRow {
            id: r.incident.id,
            title: r.incident.title.clone(),
            unit: r.unit_name.clone(),
            level: level_title(&policy, &r.level_id),
            stage: stage_zh(&r.stage).into(),
            known: wall(&r.incident.known_at),
        };
        if r.stage == "closed" {
            closed.push(row);
        } else {
            open.push(row);
        }
    }
    render(&ListPage {
        chrome: Chrome::new(lang, Some(&v)),
        can_report,
        clocks,
        awaiting,
        open,
        closed,
        stats: roots,
    })
}

// ------------------------------------------------------------------------------ new report

/// A level offered in the form.
pub struct LevelChoice {
    pub id: String,
    pub title: String,
    pub rules: Vec<String>,
}

#[derive(Template)]
#[template(path = "pages/incident_new.html")]
pub struct NewPage {
    pub chrome: Chrome,
    pub units: Vec<Unit>,
    pub unit: Option<Unit>,
    pub kinds: Vec<(String, String)>,
    pub measures: Vec<(String, String, String)>,
    pub levels: Vec<LevelChoice>,
    /// The level the typed numbers suggest (preselected after a refusal).
    pub suggested: String,
    /// The level chosen, when the levels are fetched again as figures are typed.
    pub chosen: String,
    /// What `known_at` shows before anything was typed: now, China time.
    pub now_input: String,
    pub refused: Refused,
}

impl NewPage {
    fn level_checked(&self, id: &str) -> bool {
        if self.refused.is("new") && !self.refused.value("new", "level").is_empty() {
            self.refused.has("new", "level", id)
        } else if !self.chosen.is_empty() {
            self.chosen == id
        } else {
            self.suggested == id
        }
    }
}

async fn new_page(
    state: &AppState,
    v: &Viewer,
    lang: Lang,
    unit: Option<i64>,
    refused: Refused,
    suggested: String,
) -> Result<NewPage> {
    let choices = reporting_units(state, v).await?;
    let chosen = match unit {
        Some(id) => Some(
            choices
                .iter()
                .find(|(u, _)| u.id == id)
                .cloned()
                .ok_or(Error::Forbidden)?,
        ),
        None if choices.len() == 1 => choices.first().cloned(),
        None => None,
    };
    let (mut kinds, mut measures, mut levels) = (Vec::new(), Vec::new(), Vec::new());
    if let Some((_, ip)) = &chosen {
        let policy = state.installed_policy(ip.id).await?;
        if let Some(inc) = &policy.incidents {
            kinds = inc
                .kinds
                .iter()
                .map(|k| (k.id.to_string(), k.title.clone()))
                .collect();
            measures = inc
                .measures
                .iter()
                .map(|m| {
                    (
                        m.id.to_string(),
                        m.title.clone(),
                        m.unit.clone().unwrap_or_default(),
                    )
                })
                .collect();
            levels = inc
                .levels
                .iter()
                .map(|l| LevelChoice {
                    id: l.id.to_string(),
                    title: l.title.clone(),
                    rules: l.rules_zh(&policy),
                })
                .collect();
        }
    }
    Ok(NewPage {
        chrome: Chrome::new(lang, Some(v)),
        units: choices.into_iter().map(|(u, _)| u).collect(),
        unit: chosen.map(|(u, _)| u),
        kinds,
        measures,
        levels,
        suggested,
        chosen: String::new(),
        now_input: china_input(&state.now()),
        refused,
    })
}

/// The form; with figures typed (`fact_…`, as the form fetches its levels again when they
/// change), the level they suggest is marked, and the level chosen stays chosen.
pub async fn new_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Html<String>> {
    let get = |k: &str| crate::shared::extract::field(&q, k);
    let unit = get("unit").parse().ok();
    let mut page = new_page(&state, &v, lang, unit, Refused::default(), String::new()).await?;
    if let Some(u) = &page.unit {
        let nums = q
            .iter()
            .filter_map(|(k, x)| {
                let m = k.strip_prefix("fact_")?;
                x.trim().parse().ok().map(|n| (m.to_string(), n))
            })
            .collect();
        if let Some(ip) = state.store.reader().await?.policy_in_force(u.id).await? {
            let policy = state.installed_policy(ip.id).await?;
            page.suggested = suggestion(&policy, &nums)
                .map(|l| l.to_string())
                .unwrap_or_default();
        }
    }
    page.chosen = get("level");
    render(&page)
}

fn raw_of(parts: &MultipartForm) -> RawReport {
    RawReport {
        body: parts.text("body"),
        measures: parts.text("measures"),
        files: parts
            .files("files")
            .into_iter()
            .map(|(name, media, bytes)| (name, media, bytes.to_vec()))
            .collect(),
    }
}

pub async fn create_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    m: Multipart,
) -> Result<Response> {
    let parts = MultipartForm::read(m, state.config.upload_limit_bytes() as u64).await?;
    let unit_id: i64 = parts.text("unit_id").parse().map_err(|_| Error::NotFound)?;
    let facts: Vec<(String, String)> = parts
        .texts()
        .into_iter()
        .filter_map(|(k, v)| k.strip_prefix("fact_").map(|m| (m.to_string(), v)))
        .collect();
    let outcome = match parts.too_large() {
        Some(limit) => Err(Error::Fields(Problems::one(
            "files",
            Error::TooLarge(limit).message(lang),
        ))),
        None => {
            create(
                &state,
                &v,
                NewReport {
                    unit_id,
                    kind: parts.text("kind"),
                    level: parts.text("level"),
                    title: parts.text("title"),
                    place: parts.text("place"),
                    occurred_at: parts.text("occurred_at"),
                    known_at: parts.text("known_at"),
                    facts: facts.clone(),
                    report: raw_of(&parts),
                },
                lang,
            )
            .await
        }
    };
    match outcome {
        Ok(id) => Ok(see_other(&format!("/incidents/{id}"))),
        Err(e) => {
            let too_large = parts.too_large().is_some();
            let mut r = Refused::of_multipart("new", &parts, e, lang)?;
            if too_large {
                r.status = axum::http::StatusCode::PAYLOAD_TOO_LARGE;
            }
            // The level the numbers suggest, preselected for the reporter to confirm.
            let suggested = match state.store.reader().await?.policy_in_force(unit_id).await? {
                Some(ip) => {
                    let policy = state.installed_policy(ip.id).await?;
                    let nums = facts
                        .iter()
                        .filter_map(|(k, v)| v.trim().parse().ok().map(|x| (k.clone(), x)))
                        .collect();
                    suggestion(&policy, &nums)
                        .map(|l| l.to_string())
                        .unwrap_or_default()
                }
                None => String::new(),
            };
            let status = r.status;
            let page = new_page(&state, &v, lang, Some(unit_id), r, suggested).await?;
            Ok((status, render(&page)?).into_response())
        }
    }
}

// ------------------------------------------------------------------------- incident page

pub struct VersionRow {
    pub version: i64,
    pub body: String,
    pub measures: String,
    pub by: String,
    pub at: String,
    /// (link, name)
    pub files: Vec<(String, String)>,
}

pub struct ReportRow {
    pub word: String,
    pub name: String,
    pub versions: Vec<VersionRow>,
    /// Lines: 签发 by whom when, 报出 when to whom, 签收 …
    pub status: Vec<String>,
    /// The current version's hash while it is unsent (the acts name it).
    pub draft_hash: Option<String>,
    pub signed_off: bool,
    /// Delivered to the viewer's unit and not yet acknowledged by it.
    pub can_receive: bool,
    /// Delivered to the viewer's unit, and the next unit up has not got it.
    pub can_relay: bool,
}

pub struct TrailRow {
    pub at: String,
    pub who: String,
    pub what: String,
}

#[derive(Template)]
#[template(path = "pages/incident.html")]
pub struct IncidentPage {
    pub chrome: Chrome,
    pub id: i64,
    pub title: String,
    pub unit: String,
    pub kind: String,
    pub level: String,
    pub suggested: String,
    pub stage: String,
    pub closed: bool,
    pub in_review: bool,
    pub place: String,
    pub occurred: String,
    pub known: String,
    pub reporter: String,
    pub facts: Vec<String>,
    pub rules: Vec<String>,
    pub clocks: Vec<ClockRow>,
    pub reports: Vec<ReportRow>,
    pub trail: Vec<TrailRow>,
    pub handling: Vec<(usize, String, bool)>,
    /// The viewer acts for the reporting unit / for this unit above it.
    pub reporter_part: bool,
    pub recipient_unit: Option<String>,
    pub is_reviewer: bool,
    pub next_reports: Vec<(String, String)>,
    /// (unit, name, ticked by default)
    pub recipients: Vec<(i64, String, bool)>,
    pub sign_off_role: String,
    pub can_phone: bool,
    pub handling_ended: bool,
    pub more_severe: Vec<(String, String)>,
    pub now_input: String,
    pub seen: usize,
    pub refused: Refused,
    /// The incident is closed and the viewer may open an accountability case on it (an editor
    /// of its unit under a policy with `[accountability]`).
    pub can_open_case: bool,
}

fn page_of(l: &Loaded, part: Part, now: chrono::DateTime<chrono::Utc>) -> IncidentPage {
    let policy = &l.policy;
    let inc = policy.incidents.as_ref();
    let level = l.level();
    let person = |p: &PersonId| -> String {
        l.events
            .iter()
            .find(|e| match &e.event {
                Event::Drafted { by, .. }
                | Event::SignedOff { by, .. }
                | Event::Sent { by, .. }
                | Event::Relayed { by, .. }
                | Event::Received { by, .. }
                | Event::FollowUpRequested { by, .. }
                | Event::LevelRaised { by, .. }
                | Event::Instructed { by, .. }
                | Event::Logged { by, .. }
                | Event::HandlingEnded { by, .. }
                | Event::ClosureProposed { by, .. }
                | Event::ClosureAccepted { by, .. }
                | Event::ClosureReturned { by, .. } => by == p,
            })
            .map(|e| e.by_name.clone())
            .unwrap_or_default()
    };
    let names = |us: &[zeren_core::org::UnitId]| -> String {
        us.iter()
            .map(|u| l.unit_name(u.0))
            .collect::<Vec<_>>()
            .join("、")
    };
    let my_unit = match part {
        Part::Recipient(u) => Some(u),
        _ => None,
    };
    let clocks = l
        .clocks(now)
        .into_iter()
        .map(|c| {
            let what = match clock_recipient(&c.kind) {
                Some(to) => format!("{}（报{}）", c.kind.zh(), l.unit_name(to)),
                None => c.kind.zh(),
            };
            ClockRow {
                incident_id: l.incident.id,
                title: l.incident.title.clone(),
                what,
                unit: l.unit_name(c.unit.0),
                due: c.due.at().map(|t| wall(&t)).unwrap_or_default(),
                state: timeliness_word(c.timeliness).0,
                text: c.timeliness.zh(),
            }
        })
        .collect();
    let reports = l
        .state
        .reports
        .iter()
        .map(|r| {
            let word = report_word(r.kind);
            let versions: Vec<VersionRow> = l
                .versions
                .iter()
                .filter(|v| v.report == word)
                .map(|v| VersionRow {
                    version: v.version,
                    body: v.body.clone(),
                    measures: v.measures.clone(),
                    by: v.created_by_name.clone(),
                    at: wall(&v.created_at),
                    files: v
                        .attachments
                        .iter()
                        .map(|a| {
                            (
                                format!(
                                    "/incidents/{}/files/{}/{}",
                                    l.incident.id, v.id, a.position
                                ),
                                a.file_name.clone(),
                            )
                        })
                        .collect(),
                })
                .collect();
            let mut status = Vec::new();
            if let Some(t) = r.phoned_at {
                status.push(format!("电话报告：{}，报{}", wall(&t), names(&r.sent_to)));
            }
            if let Some((by, at)) = &r.signed_off {
                status.push(format!("签发：{} {}", person(by), wall(at)));
            }
            if let Some(t) = r.sent_at {
                status.push(format!("报出：{}，报{}", wall(&t), names(&r.sent_to)));
            }
            for (from, to, at) in &r.relayed {
                status.push(format!(
                    "逐级上报：{}报{}，{}",
                    l.unit_name(from.0),
                    l.unit_name(to.0),
                    wall(at)
                ));
            }
            for (u, at) in &r.received {
                status.push(format!("签收：{} {}", l.unit_name(u.0), wall(at)));
            }
            let delivered_to_me =
                my_unit.is_some_and(|u| r.delivered_to(zeren_core::org::UnitId(u)).is_some());
            let next_up =
                my_unit.and_then(|u| l.org.ancestry(zeren_core::org::UnitId(u)).get(1).copied());
            ReportRow {
                name: r.kind.zh(),
                versions,
                draft_hash: r.hash.clone().filter(|_| r.sent_at.is_none()),
                signed_off: r.signed_off.is_some(),
                can_receive: delivered_to_me
                    && !r.received.iter().any(|(u, _)| Some(u.0) == my_unit),
                can_relay: delivered_to_me
                    && next_up.is_some_and(|n| r.delivered_to(n).is_none())
                    && level.is_some_and(|lv| lv.report_to.iter().any(|t| t.levels_up() >= 2)),
                status,
                word,
            }
        })
        .collect();
    let trail = l
        .events
        .iter()
        .map(|e| TrailRow {
            at: wall(&e.at),
            who: e.by_name.clone(),
            what: match &e.event {
                Event::Drafted { report, .. } => format!("起草{}", report.zh()),
                Event::SignedOff { report, .. } => format!("签发{}", report.zh()),
                Event::Sent { report, to, .. } => {
                    format!("报出{}（报{}）", report.zh(), names(to))
                }
                Event::Relayed { report, to, .. } => {
                    format!("逐级上报{}（报{}）", report.zh(), l.unit_name(to.0))
                }
                Event::Received { report, unit, .. } => {
                    format!("{}签收{}", l.unit_name(unit.0), report.zh())
                }
                Event::FollowUpRequested { unit, due, .. } => {
                    format!("{}要求{}前续报", l.unit_name(unit.0), wall(due))
                }
                Event::LevelRaised {
                    unit, to, reason, ..
                } => format!(
                    "{}调整级别为{}：{}",
                    l.unit_name(unit.0),
                    level_title(policy, to.as_str()),
                    reason
                ),
                Event::Instructed { unit, text, .. } => {
                    format!("{}批示：{}", l.unit_name(unit.0), text)
                }
                Event::Logged { text, handling, .. } => {
                    let h = handling
                        .and_then(|i| level.and_then(|lv| lv.handling.get(i)))
                        .map(|h| format!("【{h}】"))
                        .unwrap_or_default();
                    format!("处置记录{h}：{text}")
                }
                Event::HandlingEnded { .. } => "处置结束".into(),
                Event::ClosureProposed {
                    summary, lessons, ..
                } => {
                    if lessons.is_empty() {
                        format!("申请办结：{summary}")
                    } else {
                        format!("申请办结：{summary}；经验教训：{lessons}")
                    }
                }
                Event::ClosureAccepted { comment, .. } => format!("办结审核通过 {comment}"),
                Event::ClosureReturned { comment, .. } => format!("办结审核退回：{comment}"),
            },
        })
        .collect();
    // Who may decide the closure: the parent, or (the rules check who holds it) a role or body.
    let is_reviewer = match level.and_then(|lv| lv.close_review.as_ref()) {
        Some(ClosureReviewer::Parent) => {
            my_unit.is_some()
                && l.path.len() >= 2
                && l.path[l.path.len() - 2].id == my_unit.unwrap_or(0)
        }
        Some(_) => part != Part::Reader,
        None => false,
    };
    let rank = inc.and_then(|i| i.severity_rank(&l.state.level));
    let more_severe = inc
        .map(|i| {
            i.levels
                .iter()
                .enumerate()
                .filter(|(n, _)| rank.is_some_and(|r| *n < r))
                .map(|(_, lv)| (lv.id.to_string(), lv.title.clone()))
                .collect()
        })
        .unwrap_or_default();
    let initial = l.state.report(ReportKind::Initial);
    IncidentPage {
        chrome: Chrome::new(Lang::Zh, None),
        id: l.incident.id,
        title: l.incident.title.clone(),
        unit: l.unit().name.clone(),
        kind: inc
            .and_then(|i| i.kinds.iter().find(|k| k.id.as_str() == l.incident.kind_id))
            .map(|k| k.title.clone())
            .unwrap_or_default(),
        level: level.map(|lv| lv.title.clone()).unwrap_or_default(),
        suggested: l
            .incident
            .suggested_level_id
            .as_deref()
            .map(|s| level_title(policy, s))
            .unwrap_or_default(),
        stage: l.state.stage.zh().into(),
        closed: l.state.stage == Stage::Closed,
        in_review: l.state.stage == Stage::ClosureInReview,
        place: l.incident.place.clone(),
        occurred: l.incident.occurred_at.map(|t| wall(&t)).unwrap_or_default(),
        known: wall(&l.incident.known_at),
        reporter: l.incident.reporter_name.clone(),
        facts: l
            .incident
            .facts
            .iter()
            .map(|(m, x)| {
                let measure = inc.and_then(|i| i.measures.iter().find(|k| k.id.as_str() == m));
                match measure {
                    Some(k) => format!("{}：{}{}", k.title, x, k.unit.clone().unwrap_or_default()),
                    None => x.to_string(),
                }
            })
            .collect(),
        rules: level.map(|lv| lv.rules_zh(policy)).unwrap_or_default(),
        clocks,
        reports,
        trail,
        handling: level
            .map(|lv| {
                lv.handling
                    .iter()
                    .enumerate()
                    .map(|(i, h)| (i, h.clone(), l.state.handled.contains(&i)))
                    .collect()
            })
            .unwrap_or_default(),
        reporter_part: part == Part::Reporter,
        recipient_unit: my_unit.map(|u| l.unit_name(u)),
        is_reviewer,
        next_reports: if l.state.stage == Stage::Open {
            l.state
                .next_reports()
                .into_iter()
                .map(|k| (report_word(k), k.zh()))
                .collect()
        } else {
            Vec::new()
        },
        recipients: {
            // The units the level names, ticked; the parent offered when the level names none.
            let mut r: Vec<(i64, String, bool)> = l
                .default_recipients()
                .into_iter()
                .map(|u| (u.0, l.unit_name(u.0), true))
                .collect();
            if let Some(parent) = l.path.len().checked_sub(2).map(|i| &l.path[i]) {
                if !r.iter().any(|x| x.0 == parent.id) {
                    r.push((parent.id, parent.name.clone(), false));
                }
            }
            r
        },
        sign_off_role: level
            .and_then(|lv| lv.sign_off.as_ref())
            .map(|r| policy.role_title(r).to_string())
            .unwrap_or_default(),
        can_phone: initial.is_none_or(|r| r.sent_at.is_none() && r.phoned_at.is_none()),
        handling_ended: l.state.handling_ended_at.is_some(),
        more_severe,
        now_input: china_input(&now),
        seen: l.events.len(),
        refused: Refused::default(),
        can_open_case: false,
    }
}

async fn incident_page(
    state: &AppState,
    v: &Viewer,
    lang: Lang,
    id: i64,
    refused: Refused,
) -> Result<IncidentPage> {
    let (l, part) = load_visible(state, v, id).await?;
    let mut page = page_of(&l, part, state.now());
    page.chrome = Chrome::new(lang, Some(v));
    page.refused = refused;
    // A closed incident may lead to an accountability case (at its unit or one above it).
    page.can_open_case = page.closed
        && crate::shared::accountability::may_open_on(state, v, l.incident.unit_id).await?;
    Ok(page)
}

pub async fn page(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
) -> Result<Html<String>> {
    render(&incident_page(&state, &v, lang, id, Refused::default()).await?)
}

fn back(id: i64, anchor: &str) -> Response {
    see_other(&format!("/incidents/{id}#{anchor}"))
}

/// A new version of a report (初报 corrected before it leaves, a 续报, the 终报).
pub async fn draft_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    m: Multipart,
) -> Result<Response> {
    let parts = MultipartForm::read(m, state.config.upload_limit_bytes() as u64).await?;
    let outcome = match parts.too_large() {
        Some(limit) => Err(Error::Fields(Problems::one(
            "files",
            Error::TooLarge(limit).message(lang),
        ))),
        None => {
            draft(
                &state,
                &v,
                id,
                &parts.text("report"),
                raw_of(&parts),
                parts.text("seen").parse().ok(),
                lang,
            )
            .await
        }
    };
    match outcome {
        Ok(()) => Ok(back(id, "reports")),
        Err(e) => {
            let r = Refused::of_multipart("draft", &parts, e, lang)?;
            let status = r.status;
            let page = incident_page(&state, &v, lang, id, r).await?;
            Ok((status, render(&page)?).into_response())
        }
    }
}

/// Every other act, by its `action` field (the form's name is the action).
pub async fn act_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let get = |k: &str| crate::shared::extract::field(&f, k);
    let input = ActInput {
        action: get("action"),
        report: get("report"),
        hash: get("hash"),
        to: f
            .iter()
            .filter(|(k, _)| k == "to")
            .filter_map(|(_, v)| v.parse().ok())
            .collect(),
        at: get("at"),
        due: get("due"),
        level: get("level"),
        text: get("text"),
        handling: get("handling").parse().ok(),
        summary: get("summary"),
        lessons: get("lessons"),
        seen: get("seen").parse().ok(),
    };
    let form = input.action.clone();
    match act_input(&state, &v, id, input, lang).await {
        Ok(()) => Ok(back(id, "top")),
        Err(e) => {
            let r = Refused::of(&form, &f, e, lang)?;
            let status = r.status;
            let page = incident_page(&state, &v, lang, id, r).await?;
            Ok((status, render(&page)?).into_response())
        }
    }
}

pub async fn download(
    State(state): State<AppState>,
    v: Viewer,
    Path((id, version, position)): Path<(i64, i64, i64)>,
) -> Result<Response> {
    let (l, _) = load_visible(&state, &v, id).await?;
    let a = l
        .versions
        .iter()
        .find(|x| x.id == version)
        .and_then(|x| x.attachments.iter().find(|a| a.position == position))
        .ok_or(Error::NotFound)?;
    respond::stored_file(&state.store, &a.sha256, &a.file_name).await
}

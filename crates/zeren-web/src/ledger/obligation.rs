//! An obligation (待办): its page with records, versions and the forms to record, correct and
//! acknowledge; the same as JSON; the list of a unit's obligations as JSON. One loading step
//! ([`load`]) decides what the viewer may do, for the page and the API alike.

use askama::Template;
use axum::response::Html;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use zeren_core::obligations::{status_from_done, Status};
use zeren_store::ledger::*;
use zeren_store::{Level, Person, Read};

use crate::shared::clock::today;
use crate::shared::prelude::*;
use crate::shared::refusal::Refused;
use crate::shared::rows::{obligation_views, progress_status, ObligationView, DUE_SOON_DAYS};
use crate::shared::view::{crumbs, Crumb};

pub struct VersionView {
    pub d: VersionDetail,
    pub participants: String,
    /// The guests as the form shows them: one per line.
    pub guests: String,
    /// How many took part: people and guests.
    pub count: usize,
}

/// People who may be ticked as participants: a unit's own, or those of a unit below it.
pub struct PeopleGroup {
    pub unit_name: String,
    pub own: bool,
    pub people: Vec<Person>,
}

/// Above this many people in the units below, only the unit's own are offered as checkboxes
/// (the others may still take part: recorded at their own unit, or named as guests).
const SUBTREE_CHOICES_MAX: usize = 600;

pub struct RecordView {
    pub h: RecordHistory,
    pub versions: Vec<VersionView>,
    /// The 签收 of the current version.
    pub acknowledged: Option<Acknowledgement>,
    /// The 退回 of the current version, waiting for a correction.
    pub returned: Option<RecordReturn>,
    /// Reported to the parent and waiting for its 签收.
    pub awaiting: bool,
    /// Every 签收 and 退回 of the record, oldest first.
    pub receipts: Vec<ReceiptLine>,
}

/// One 签收 (with its note) or 退回 (with its reason) in a record's history.
pub struct ReceiptLine {
    pub at: chrono::DateTime<chrono::Utc>,
    pub version: i64,
    pub acknowledged: bool,
    /// Who, by name.
    pub by: String,
    pub text: String,
}

impl RecordView {
    pub fn current(&self) -> Option<&VersionView> {
        self.versions
            .iter()
            .find(|v| v.d.version.version == self.h.record.current_version)
    }
}

#[derive(Template)]
#[template(path = "pages/obligation.html")]
pub struct ObligationPage {
    pub chrome: Chrome,
    pub o: ObligationView,
    pub path: Vec<Crumb>,
    pub records: Vec<RecordView>,
    pub evidence: Vec<&'static str>,
    pub people: Vec<PeopleGroup>,
    /// The units below hold too many people to offer them all.
    pub people_capped: bool,
    pub can_record: bool,
    pub can_acknowledge: bool,
    pub today: NaiveDate,
    pub refused: Refused,
    pub max_mb: String,
    /// Reported to the parent unit, but the unit has none: its records reach no one.
    pub no_parent: bool,
    /// The period has not begun: shown early, recorded once it starts (on this day).
    pub opens_on: Option<NaiveDate>,
}

impl ObligationPage {
    /// The date the record form offers: what was typed in a refused form, else today (or the
    /// period's end once it is over).
    pub fn work_date(&self) -> String {
        if self.refused.is("record") {
            return self.refused.value("record", "work_date").to_string();
        }
        if self.today <= self.o.o.period_end {
            self.today.to_string()
        } else {
            self.o.o.period_end.to_string()
        }
    }

    /// Whether a person is ticked in a form: as sent when it was refused, else as `current`.
    pub fn ticked(&self, form: &str, person: &i64, current: &[(i64, String)]) -> bool {
        if self.refused.is(form) {
            self.refused.has(form, "participants", &person.to_string())
        } else {
            current.iter().any(|(id, _)| id == person)
        }
    }

    /// Whether a kept file of a correction is still ticked.
    pub fn kept(&self, form: &str, position: &i64) -> bool {
        !self.refused.is(form) || self.refused.has(form, "keep", &position.to_string())
    }
}

/// An obligation and what the viewer may do with it: read it where they may read the unit (a
/// grant, or a role held there or above), record as an editor there, as the person it is for,
/// or as a holder of the role that owns the duty at that unit; acknowledge (签收) as an editor of
/// the parent unit.
pub struct Access {
    pub o: Obligation,
    pub can_record: bool,
    pub can_acknowledge: bool,
}

/// The duty behind an obligation: a channel's periodic review, or the duty of the policy
/// version that created it.
pub async fn duty_of(state: &AppState, o: &Obligation) -> Result<zeren_policy::Duty> {
    if let Some(d) = zeren_policy::Frequency::parse(&o.every)
        .and_then(|every| zeren_core::channels::review_duty(&o.duty_id, &o.title, every))
    {
        return Ok(d);
    }
    let p = state.installed_policy(o.installed_policy_id).await?;
    p.duty(&zeren_policy::DutyId::parse(&o.duty_id).ok_or(Error::NotFound)?)
        .cloned()
        .ok_or(Error::NotFound)
}

/// The first day work counts for an obligation: its period's start; a holiday duty (节前研判) is
/// done before the holiday, so its window opens a month before it is due.
pub fn window_start(o: &Obligation) -> NaiveDate {
    if o.every == "holiday" {
        o.due_on.min(o.period_start) - chrono::Days::new(31)
    } else {
        o.period_start
    }
}

/// Loads an obligation the viewer may read, with their rights on it.
pub async fn load(state: &AppState, v: &Viewer, id: i64) -> Result<Access> {
    let mut r = state.store.reader().await?;
    let o = r.obligation(id).await?.ok_or(Error::NotFound)?;
    let unit = r.unit(o.unit_id).await?.ok_or(Error::NotFound)?;
    drop(r);
    // The person a duty is for may see and record it without any grant at the unit.
    let own = o.person_id.is_some() && o.person_id == v.account.person_id;
    let level = access::level(&state.store, v, o.unit_id).await?;
    if level.is_none() && !own {
        return Err(Error::Forbidden);
    }
    let can_record =
        own || level.is_some_and(|l| l >= Level::Edit) || answers_for(state, v, &o).await?;
    let can_acknowledge = match unit.parent_id {
        Some(p) if o.report_to_parent => access::level(&state.store, v, p)
            .await?
            .is_some_and(|l| l >= Level::Edit),
        _ => false,
    };
    Ok(Access {
        o,
        can_record,
        can_acknowledge,
    })
}

/// Whether the viewer holds, at the obligation's unit today, the role that owns its duty (or
/// whose holders each have it).
async fn answers_for(state: &AppState, v: &Viewer, o: &Obligation) -> Result<bool> {
    let held = access::roles_at(&state.store, v, o.unit_id).await?;
    if held.is_empty() {
        return Ok(false);
    }
    let duty = duty_of(state, o).await?;
    let answers = [duty.owner.as_ref(), duty.role.as_ref()]
        .into_iter()
        .flatten()
        .any(|r| held.iter().any(|h| h == r.as_str()));
    Ok(answers)
}

/// A record whose obligation the viewer may read, with their rights on that obligation.
pub async fn load_record(state: &AppState, v: &Viewer, id: i64) -> Result<(RecordHistory, Access)> {
    let h = state
        .store
        .reader()
        .await?
        .record_by_id(id)
        .await?
        .ok_or(Error::NotFound)?;
    let a = load(state, v, h.record.obligation_id).await?;
    Ok((h, a))
}

pub(super) async fn page_model(
    state: &AppState,
    v: &Viewer,
    lang: Lang,
    id: i64,
    refused: Refused,
) -> Result<ObligationPage> {
    let Access {
        o,
        can_record,
        can_acknowledge,
        ..
    } = load(state, v, id).await?;
    let today = today();
    let mut r = state.store.reader().await?;
    let histories = r.records_of(id).await?;
    let path = r.path(o.unit_id).await?;
    let (people, people_capped) = people_groups(&mut r, o.unit_id).await?;
    let progress = r
        .obligations(&ObligationFilter {
            unit: Some(o.unit_id),
            due_from: Some(o.due_on),
            due_to: Some(o.due_on),
            ..ObligationFilter::default()
        })
        .await?
        .into_iter()
        .find(|p| p.obligation.id == id)
        .ok_or(Error::NotFound)?;
    drop(r);
    let view = obligation_views(&state.store, vec![progress], today)
        .await?
        .remove(0);
    let records = histories
        .into_iter()
        .map(|h| {
            let acknowledged = h.acknowledged().cloned();
            let returned = h.returned().cloned();
            let awaiting = o.report_to_parent && acknowledged.is_none() && returned.is_none();
            let mut receipts: Vec<ReceiptLine> = h
                .acknowledgements
                .iter()
                .map(|a| ReceiptLine {
                    at: a.acknowledged_at,
                    version: a.version,
                    acknowledged: true,
                    by: a.acknowledged_by_name.clone(),
                    text: a.note.clone(),
                })
                .chain(h.returns.iter().map(|x| ReceiptLine {
                    at: x.returned_at,
                    version: x.version,
                    acknowledged: false,
                    by: x.returned_by_name.clone(),
                    text: x.reason.clone(),
                }))
                .collect();
            receipts.sort_by_key(|l| l.at);
            RecordView {
                returned,
                awaiting,
                receipts,
                versions: h
                    .versions
                    .iter()
                    .cloned()
                    .map(|d| VersionView {
                        participants: crate::shared::rows::attendees(&d).join("、"),
                        guests: d.version.guest_names().join("\n"),
                        count: d.participants.len() + d.version.guest_names().len(),
                        d,
                    })
                    .collect(),
                acknowledged,
                h,
            }
        })
        .collect();
    Ok(ObligationPage {
        chrome: Chrome::new(lang, Some(v)),
        evidence: o
            .evidence
            .split_whitespace()
            .filter_map(evidence_zh)
            .collect(),
        o: view,
        no_parent: o.report_to_parent && path.len() <= 1,
        opens_on: Some(window_start(&o)).filter(|d| today < *d),
        path: crumbs(&state.store, v, path).await?,
        records,
        people,
        people_capped,
        can_record,
        can_acknowledge,
        today,
        refused,
        max_mb: crate::shared::error::mb(state.config.upload_limit_bytes() as u64),
    })
}

/// The unit's own people first, then those of each unit below it (by unit name).
async fn people_groups(
    r: &mut zeren_store::Reader,
    unit_id: i64,
) -> Result<(Vec<PeopleGroup>, bool)> {
    let everyone = r.people_in_subtree(unit_id).await?;
    let (own, others): (Vec<Person>, Vec<Person>) =
        everyone.into_iter().partition(|p| p.unit_id == unit_id);
    let mut groups = vec![PeopleGroup {
        unit_name: String::new(),
        own: true,
        people: own,
    }];
    let capped = others.len() > SUBTREE_CHOICES_MAX;
    if !capped {
        let mut by_unit: std::collections::BTreeMap<i64, Vec<Person>> = Default::default();
        for p in others {
            by_unit.entry(p.unit_id).or_default().push(p);
        }
        // The units below, read once; a retired unit's people (those not moved by a merge) are
        // history, not offered.
        let units: std::collections::HashMap<i64, zeren_store::Unit> = r
            .subtree(unit_id)
            .await?
            .into_iter()
            .filter(|u| !u.is_retired())
            .map(|u| (u.id, u))
            .collect();
        let mut below = Vec::new();
        for (unit, people) in by_unit {
            let Some(u) = units.get(&unit) else {
                continue;
            };
            below.push(PeopleGroup {
                unit_name: u.name.clone(),
                own: false,
                people,
            });
        }
        below.sort_by(|a, b| a.unit_name.cmp(&b.unit_name));
        groups.extend(below);
    }
    Ok((groups, capped))
}

fn evidence_zh(word: &str) -> Option<&'static str> {
    zeren_policy::Evidence::parse(word).map(|e| e.zh())
}

pub async fn page(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
) -> Result<Html<String>> {
    render(&page_model(&state, &v, lang, id, Refused::default()).await?)
}

#[derive(Serialize)]
pub struct ObligationJson {
    #[serde(flatten)]
    pub obligation: Obligation,
    pub status: Status,
    pub records: i64,
}

#[derive(Deserialize)]
pub struct ObligationQuery {
    /// The unit whose obligations to list (read permission needed there).
    unit: i64,
    /// Include every unit below it.
    #[serde(default)]
    subtree: bool,
    person: Option<i64>,
    duty: Option<String>,
    status: Option<String>,
    due_from: Option<NaiveDate>,
    due_to: Option<NaiveDate>,
    limit: Option<i64>,
    /// The cursor of the next page (`after` in the previous answer's `Link` header).
    after: Option<String>,
}

/// The cursor after an obligation: its due date and id (`2026-03-31_812`).
fn cursor(o: &Obligation) -> String {
    format!("{}_{}", o.due_on, o.id)
}

fn parse_cursor(s: &str) -> Option<(NaiveDate, i64)> {
    let (d, id) = s.split_once('_')?;
    Some((
        NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()?,
        id.parse().ok().filter(|&n: &i64| n >= 0)?,
    ))
}

/// The status words the list filters on: the five statuses and `open` (not done yet).
fn status_filter(s: &str) -> Option<StatusFilter> {
    Some(match s {
        "open" => StatusFilter::Open,
        "upcoming" => StatusFilter::Upcoming,
        "due_soon" => StatusFilter::DueSoon,
        "overdue" => StatusFilter::Overdue,
        "done_on_time" => StatusFilter::DoneOnTime,
        "done_late" => StatusFilter::DoneLate,
        _ => return None,
    })
}

/// A page of a unit's (or subtree's) obligations, by due date then id, filtered in SQL. When
/// more rows follow, the `Link` header names the next page (`rel="next"`, the same query with
/// `after` set).
pub async fn list_json(
    State(state): State<AppState>,
    v: Viewer,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
    Query(q): Query<ObligationQuery>,
) -> Result<(axum::http::HeaderMap, axum::Json<Vec<ObligationJson>>)> {
    access::require(&state.store, &v, q.unit, Level::Read).await?;
    let status = match q.status.as_deref() {
        None | Some("") => None,
        Some(s) => Some(status_filter(s).ok_or_else(|| {
            Error::Invalid(
                "status: one of open, upcoming, due_soon, overdue, done_on_time, done_late".into(),
            )
        })?),
    };
    let after = match q.after.as_deref() {
        None | Some("") => None,
        Some(s) => Some(parse_cursor(s).ok_or_else(|| {
            Error::Invalid("after: the cursor of a previous answer (due date_id)".into())
        })?),
    };
    let today = today();
    let limit = q.limit.unwrap_or(MAX_PAGE).clamp(1, MAX_PAGE);
    let rows = state
        .store
        .reader()
        .await?
        .obligation_page(&ObligationPageQuery {
            unit: q.unit,
            subtree: q.subtree,
            person: q.person,
            duty: q.duty,
            status,
            due_from: q.due_from,
            due_to: q.due_to,
            today,
            due_soon_days: DUE_SOON_DAYS,
            after,
            limit,
        })
        .await?;
    let headers = crate::shared::respond::next_page(
        "/api/v1/obligations",
        raw.as_deref(),
        rows.len(),
        limit,
        "after",
        rows.last().map(|l| cursor(&l.obligation)),
    );
    Ok((
        headers,
        axum::Json(
            rows.into_iter()
                .map(|l| ObligationJson {
                    status: status_from_done(l.obligation.due_on, l.done_on, today, DUE_SOON_DAYS),
                    records: l.records,
                    obligation: l.obligation,
                })
                .collect(),
        ),
    ))
}

#[derive(Serialize)]
pub struct ObligationDetail {
    #[serde(flatten)]
    pub obligation: ObligationJson,
    pub history: Vec<RecordHistory>,
}

pub async fn json(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> Result<axum::Json<ObligationDetail>> {
    let o = load(&state, &v, id).await?.o;
    let mut r = state.store.reader().await?;
    let history = r.records_of(id).await?;
    let work_dates: Vec<NaiveDate> = history
        .iter()
        .filter_map(|h| h.current().map(|c| c.version.work_date))
        .collect();
    let p = ObligationProgress {
        records: work_dates.len() as i64,
        work_dates,
        last_entered_at: None,
        obligation: o,
    };
    Ok(axum::Json(ObligationDetail {
        obligation: ObligationJson {
            status: progress_status(&p, today()),
            records: p.records,
            obligation: p.obligation,
        },
        history,
    }))
}

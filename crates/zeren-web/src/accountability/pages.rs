//! Accountability in the browser: the cases the viewer may see (and the filings waiting for
//! their 签收), opening a case (from a closed incident or a lead typed by hand), a case's page with
//! its due process as one form per next step, the minutes of the decision at fault with the
//! suggested allocation, and the ledger of measures of a unit's subtree.

use askama::Template;
use axum::response::{Html, IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use zeren_core::accountability::{Act, Answer, Step};
use zeren_store::accountability::*;
use zeren_store::incidents::IncidentRead;
use zeren_store::inspections::InspectionRead;
use zeren_store::{Level, Read, Unit};

use super::case::*;
use crate::shared::clock::today;
use crate::shared::prelude::*;
use crate::shared::refusal::Refused;

fn date(d: NaiveDate) -> String {
    d.format("%Y年%m月%d日").to_string()
}

fn opt_date(d: Option<NaiveDate>) -> String {
    d.map(date).unwrap_or_default()
}

/// A case in a list.
pub struct Row {
    pub id: i64,
    pub title: String,
    pub unit: String,
    pub opened: String,
    pub stage: String,
}

/// Where a case stands, in a word.
pub fn stage_zh(l: &zeren_core::accountability::Case) -> String {
    if l.archived.is_some() {
        "已归档".into()
    } else if l.checked == Some(false) {
        "经初步核实了结".into()
    } else if l.filed.is_some() && l.filing_received.is_none() {
        "已报备，待上级签收".into()
    } else if l.subjects.iter().all(|(_, p)| p.decided.is_some()) {
        "已作出问责决定".into()
    } else if !l.team.is_empty() {
        "调查中".into()
    } else if l.checked == Some(true) {
        "已初步核实".into()
    } else {
        "已立案".into()
    }
}

#[derive(Template)]
#[template(path = "pages/accountability.html")]
pub struct ListPage {
    pub chrome: Chrome,
    pub awaiting: Vec<Row>,
    pub held: Vec<Row>,
    pub mine: Vec<Row>,
    /// The tops of what the viewer edits (their ledgers of measures).
    pub units: Vec<Unit>,
    /// Of those, the ones a case may be opened at (a policy in force there governs
    /// accountability).
    pub open_at: Vec<Unit>,
}

/// Each case as a row, with the parent of its unit when it waits for that parent's 签收.
async fn rows(state: &AppState, cases: Vec<CaseRow>) -> Result<Vec<(Row, Option<i64>)>> {
    let mut out = Vec::new();
    let mut r = state.store.reader().await?;
    for c in cases.into_iter().take(300) {
        let subjects = r.case_subjects(c.id).await?;
        let acts = r.case_acts(c.id).await?;
        let unit = r.unit(c.unit_id).await?.ok_or(Error::NotFound)?;
        let policy = state.installed_policy(c.installed_policy_id).await?;
        let p = policy
            .accountability
            .as_ref()
            .map(zeren_core::accountability::Procedure::of)
            .unwrap_or_default();
        let parent = unit.parent_id.map(zeren_core::org::UnitId);
        let st = replay(&subjects, c.opened_on, &acts, &p, parent)?;
        let waiting = st.filed.is_some() && st.filing_received.is_none();
        out.push((
            Row {
                id: c.id,
                title: c.title.clone(),
                unit: unit.name.clone(),
                opened: date(c.opened_on),
                stage: stage_zh(&st),
            },
            unit.parent_id.filter(|_| waiting),
        ));
    }
    Ok(out)
}

pub async fn list(State(state): State<AppState>, v: Viewer, lang: Lang) -> Result<Html<String>> {
    let roots = access::roots(&state.store, &v).await?;
    let mut units = Vec::new();
    let mut open_at = Vec::new();
    let mut held_cases = Vec::new();
    for root in &roots {
        if access::level(&state.store, &v, root.id)
            .await?
            .is_some_and(|l| l >= Level::Edit)
        {
            units.push(root.clone());
            if may_open_at(&state, &v, root.id).await?.is_some() {
                open_at.push(root.clone());
            }
            held_cases.extend(
                state
                    .store
                    .reader()
                    .await?
                    .cases_held_below(root.id)
                    .await?,
            );
            // A case held at the unit directly below a root may be filed with the root.
        }
    }
    held_cases.sort_by_key(|c| std::cmp::Reverse((c.opened_on, c.id)));
    held_cases.dedup_by_key(|c| c.id);
    let mut awaiting = Vec::new();
    let mut held = Vec::new();
    for (row, waiting_at) in rows(&state, held_cases).await? {
        // Waiting for 签收 by the viewer: filed with a unit they edit.
        let parent_edit = match waiting_at {
            Some(p) => access::level(&state.store, &v, p)
                .await?
                .is_some_and(|l| l >= Level::Edit),
            None => false,
        };
        if parent_edit {
            awaiting.push(row);
        } else {
            held.push(row);
        }
    }
    let mut mine = Vec::new();
    if let Some(p) = v.account.person_id {
        let cases = state.store.reader().await?.cases_of_person(p).await?;
        let held_ids: Vec<i64> = awaiting.iter().chain(&held).map(|r| r.id).collect();
        let cases: Vec<CaseRow> = cases
            .into_iter()
            .filter(|c| !held_ids.contains(&c.id))
            .collect();
        mine = rows(&state, cases)
            .await?
            .into_iter()
            .map(|(r, _)| r)
            .collect();
    }
    render(&ListPage {
        chrome: Chrome::new(lang, Some(&v)),
        awaiting,
        held,
        mine,
        units,
        open_at,
    })
}

// ------------------------------------------------------------------------------ new case

#[derive(Deserialize, Default)]
pub struct NewQuery {
    #[serde(default)]
    pub unit_id: Option<i64>,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub source_id: Option<i64>,
}

#[derive(Template)]
#[template(path = "pages/accountability_new.html")]
pub struct NewPage {
    pub chrome: Chrome,
    pub unit: Unit,
    /// Units the case may be held at instead (the viewer edits them, a policy governs them).
    pub units: Vec<Unit>,
    pub source: String,
    pub source_id: String,
    pub title: String,
    pub lead: String,
    pub event_on: String,
    pub today: String,
    pub subjects: Vec<(String, String)>,
    pub circumstances: Vec<(String, String, String)>,
    pub measures: String,
    pub refused: Refused,
}

impl NewPage {
    fn val<'a>(&'a self, field: &str, default: &'a str) -> &'a str {
        self.refused.value_or("new", field, default)
    }
}

async fn new_page(
    state: &AppState,
    v: &Viewer,
    lang: Lang,
    q: &NewQuery,
    refused: Refused,
) -> Result<NewPage> {
    let mut title = String::new();
    let mut lead = String::new();
    let mut event_on = today().to_string();
    let mut unit_id = q.unit_id;
    let source = q.source.clone().unwrap_or_else(|| "lead".into());
    if source == "incident" {
        let id = q.source_id.ok_or(Error::NotFound)?;
        let mut r = state.store.reader().await?;
        let inc = r.incident(id).await?.ok_or(Error::NotFound)?;
        let unit_name = r
            .unit(inc.unit_id)
            .await?
            .map(|u| u.name)
            .unwrap_or_default();
        drop(r);
        access::require(&state.store, v, inc.unit_id, Level::Edit).await?;
        title = format!("关于“{}”的问责", inc.title);
        lead = format!(
            "{unit_name}发生突发事件“{}”（{}知悉）。",
            inc.title,
            crate::shared::clock::wall(&inc.known_at)
        );
        event_on = inc
            .occurred_at
            .unwrap_or(inc.known_at)
            .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8"))
            .date_naive()
            .to_string();
        unit_id = unit_id.or(Some(inc.unit_id));
    } else if source == "finding" {
        // A finding of an inspection (督查发现的问题), e.g. one not rectified by its date.
        let id = q.source_id.ok_or(Error::NotFound)?;
        let f = state
            .store
            .reader()
            .await?
            .finding(id)
            .await?
            .ok_or(Error::NotFound)?;
        access::require(&state.store, v, f.unit_id, Level::Edit).await?;
        title = format!("关于“{}”的问责", f.summary);
        lead = format!(
            "{}发现{}存在问题：{}{}",
            f.inspection_title,
            f.unit_name,
            f.summary,
            match (f.due_on, f.closed_on) {
                (Some(d), None) if d < today() => format!("（整改期限{}，逾期未整改）", date(d)),
                (Some(d), None) => format!("（整改期限{}）", date(d)),
                _ => String::new(),
            }
        );
        event_on = f
            .due_on
            .filter(|d| *d <= today())
            .or(f.sent_on)
            .unwrap_or_else(today)
            .to_string();
        unit_id = unit_id.or(Some(f.unit_id));
    } else if !SOURCE_WORDS.contains(&source.as_str()) {
        return Err(Error::NotFound);
    }
    // The units the viewer may hold a case at: those they edit with a policy that governs
    // accountability, from the tops of what they see down to the source's unit.
    let mut units = Vec::new();
    let start = match unit_id {
        Some(u) => u,
        None => access::roots(&state.store, v)
            .await?
            .first()
            .map(|u| u.id)
            .ok_or(Error::Forbidden)?,
    };
    let path = state.store.reader().await?.path(start).await?;
    for u in path {
        if may_open_at(state, v, u.id).await?.is_some() {
            units.push(u);
        }
    }
    let unit = units
        .iter()
        .find(|u| Some(u.id) == unit_id)
        .or(units.last())
        .cloned()
        .ok_or(Error::Forbidden)?;
    let ip = may_open_at(state, v, unit.id)
        .await?
        .ok_or(Error::Forbidden)?;
    let policy = state.installed_policy(ip).await?;
    let a = policy.accountability.as_ref();
    Ok(NewPage {
        chrome: Chrome::new(lang, Some(v)),
        subjects: subject_choices(state, &unit).await?,
        circumstances: a
            .map(|a| {
                a.circumstances
                    .iter()
                    .map(|c| {
                        (
                            c.id.as_str().to_string(),
                            c.text.clone(),
                            c.source.map(|s| s.to_string()).unwrap_or_default(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
        measures: a.map(|a| a.measures.join("、")).unwrap_or_default(),
        unit,
        units,
        source,
        source_id: q.source_id.map(|i| i.to_string()).unwrap_or_default(),
        title,
        lead,
        event_on,
        today: today().to_string(),
        refused,
    })
}

pub async fn new_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Query(q): Query<NewQuery>,
) -> Result<Html<String>> {
    render(&new_page(&state, &v, lang, &q, Refused::default()).await?)
}

fn all(f: &[(String, String)], k: &str) -> Vec<String> {
    f.iter()
        .filter(|(x, _)| x == k)
        .map(|(_, v)| v.clone())
        .collect()
}

pub async fn create_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let get = |k: &str| crate::shared::extract::field(&f, k);
    let input = NewCaseInput {
        unit_id: get("unit_id").parse().unwrap_or(0),
        source: get("source"),
        source_id: get("source_id").parse().ok(),
        title: get("title"),
        lead: get("lead"),
        event_on: get("event_on"),
        opened_on: get("opened_on"),
        subjects: all(&f, "subjects"),
        circumstances: all(&f, "circumstances"),
    };
    let q = NewQuery {
        unit_id: Some(input.unit_id),
        source: Some(input.source.clone()).filter(|s| !s.is_empty()),
        source_id: input.source_id,
    };
    match open(&state, &v, input).await {
        Ok(c) => Ok(see_other(&format!("/accountability/{}", c.id))),
        Err(e) => {
            let r = Refused::of("new", &f, e, lang)?;
            let status = r.status;
            let page = new_page(&state, &v, lang, &q, r).await?;
            Ok((status, render(&page)?).into_response())
        }
    }
}

// ------------------------------------------------------------------------------ the case

/// One subject's part as the page shows it.
pub struct PartRow {
    pub position: usize,
    pub name: String,
    pub facts_shown: String,
    pub heard: String,
    pub decided: String,
    pub measures: String,
    pub responsibility: String,
    pub suggested: String,
    pub no_commendation: bool,
    pub served: String,
    pub carried_out: String,
    pub carried_out_late: bool,
    pub appealed: String,
    pub appeal: String,
    pub appeal_until: String,
    pub corrected: String,
}

/// An act in the case's history.
pub struct ActLine {
    pub on: String,
    pub who: String,
    pub what: String,
    pub text: String,
}

#[derive(Template)]
#[template(path = "pages/accountability_case.html")]
pub struct CasePage {
    pub chrome: Chrome,
    pub id: i64,
    pub title: String,
    pub stage: String,
    pub unit: String,
    pub parent: String,
    pub full: bool,
    pub body: bool,
    pub investigator: bool,
    pub source_link: String,
    pub source_zh: String,
    pub lead: String,
    pub event_on: String,
    pub opened_on: String,
    pub circumstances: Vec<(String, String, String)>,
    pub measures_listed: Vec<String>,
    pub appeal_months: u32,
    pub filing: bool,
    pub holders: Vec<(String, Vec<(i64, String)>)>,
    pub parts: Vec<PartRow>,
    pub team: Vec<String>,
    pub minutes: Option<MinutesRow>,
    pub minutes_versions: i64,
    /// Person, responsibility, why.
    pub suggestions: Vec<(String, String, String)>,
    /// The people who may be named in the minutes or the team.
    pub people: Vec<(i64, String)>,
    pub next: Vec<&'static str>,
    pub subject_choices: Vec<(String, String)>,
    pub seen: i64,
    pub today: String,
    pub acts: Vec<ActLine>,
    pub filed: bool,
    pub filing_received: String,
    pub refused: Refused,
    pub rows: Vec<usize>,
}

impl CasePage {
    fn is_alone(&self, person: &i64) -> bool {
        self.minutes
            .as_ref()
            .is_some_and(|m| m.minutes.alone == Some(*person))
    }

    fn has(&self, step: &str) -> bool {
        self.next.contains(&step)
    }

    fn val<'a>(&'a self, form: &str, field: &str, default: &'a str) -> &'a str {
        self.refused.value_or(form, field, default)
    }

    fn cell(&self, field: &str, i: &usize) -> String {
        self.refused
            .value("minutes", &format!("{field}_{i}"))
            .to_string()
    }

    fn minute_cell(&self, field: &str, i: &usize) -> String {
        if self.refused.is("minutes") {
            return self.cell(field, i);
        }
        let Some(m) = &self.minutes else {
            return String::new();
        };
        let Some(p) = m.minutes.participants.get(*i) else {
            return String::new();
        };
        match field {
            "person" => p.person_id.to_string(),
            "seat" => match p.seat {
                Seat::Head => "head",
                Seat::InCharge => "in_charge",
                Seat::Member => "member",
            }
            .into(),
            "position" => match p.position {
                zeren_core::accountability::Position::Agreed => "agreed",
                zeren_core::accountability::Position::Opposed => "opposed",
                zeren_core::accountability::Position::Reserved => "reserved",
            }
            .into(),
            _ => p.words.clone(),
        }
    }
}

fn step_word(s: Step) -> &'static str {
    match s {
        Step::Lead => "lead",
        Step::PreliminaryCheck => "check",
        Step::StartApproved => "approve",
        Step::TeamFormed => "team",
        Step::FactsShown => "facts",
        Step::StatementHeard => "statement",
        Step::ReportDiscussed => "discuss",
        Step::Decided => "decide",
        Step::Served => "serve",
        Step::CarriedOut => "carry_out",
        Step::Filed => "file",
        Step::FilingReceived => "receive",
        Step::Appealed => "appeal",
        Step::AppealDecided => "appeal_decision",
        Step::Corrected => "correct",
        Step::Archived => "archive",
    }
}

pub fn describe(act: &Act, l: &Loaded, names: &[(i64, String)]) -> String {
    let name_of = |id: i64| {
        names
            .iter()
            .find(|(p, _)| *p == id)
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    };
    let subject = subject_of(act).map(|s| l.subject_name(s));
    let rest = match act {
        Act::PreliminaryCheck { finding, proceed } => format!(
            "{finding}（{}）",
            if *proceed {
                "启动问责调查程序"
            } else {
                "不予问责，了结"
            }
        ),
        Act::ApproveStart { by, .. } => format!("批准人：{}", name_of(by.0)),
        Act::FormTeam { members } => format!(
            "调查组：{}",
            members
                .iter()
                .map(|m| name_of(m.0))
                .collect::<Vec<_>>()
                .join("、")
        ),
        Act::HearStatement {
            points, declined, ..
        } => {
            if *declined && points.is_empty() {
                "本人放弃陈述申辩".into()
            } else {
                points
                    .iter()
                    .enumerate()
                    .map(|(i, (p, a))| {
                        format!(
                            "{}. {p} —— {}",
                            i + 1,
                            match a {
                                Answer::Adopted => "采纳".to_string(),
                                Answer::NotAdopted { reason } => format!("不予采纳：{reason}"),
                            }
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            }
        }
        Act::DiscussReport { meeting } => format!("集体研究：{meeting}"),
        Act::Decide {
            measures,
            responsibility,
            suggested,
            reason,
            no_commendation,
            ..
        } => {
            let mut s = format!("问责方式：{}", measures.join("、"));
            if let Some(r) = responsibility {
                s.push_str(&format!("；责任认定：{}", r.zh()));
            }
            if let (Some(sg), Some(r)) = (suggested, responsibility) {
                if sg != r {
                    s.push_str(&format!("（系统建议：{}；理由：{reason}）", sg.zh()));
                }
            }
            if *no_commendation {
                s.push_str("；取消当年评先评优资格");
            }
            s
        }
        Act::File { to } => format!(
            "报{}备案",
            l.parent
                .as_ref()
                .filter(|p| p.id == to.0)
                .map(|p| p.name.clone())
                .unwrap_or_default()
        ),
        Act::ReceiveFiling { .. } => "上级已签收".into(),
        Act::Appeal { grounds, .. } => format!("申诉理由：{grounds}"),
        Act::DecideAppeal { upheld, .. } => if *upheld {
            "维持原问责决定"
        } else {
            "原问责决定须予纠正"
        }
        .into(),
        Act::Correct { text, .. } => format!("纠正：{text}"),
        _ => String::new(),
    };
    match subject {
        Some(name) if rest.is_empty() => name,
        Some(name) => format!("{name}：{rest}"),
        None => rest,
    }
}

pub async fn case_page(
    state: &AppState,
    v: &Viewer,
    lang: Lang,
    id: i64,
    refused: Refused,
) -> Result<CasePage> {
    let l = load(state, v, id).await?;
    let full = !matches!(l.part, Part::Subject(_));
    let body = l.part == Part::Body;
    let investigator = l.part == Part::Investigator;
    // Names of the people the acts and the team mention.
    let mut people: Vec<(i64, String)> = Vec::new();
    {
        let mut r = state.store.reader().await?;
        for p in r.people_in_unit(l.unit.id).await? {
            people.push((p.id, p.name));
        }
        for c in r.children(l.unit.id).await?.iter().take(200) {
            for p in r.people_in_unit(c.id).await?.into_iter().take(500) {
                people.push((p.id, format!("{}（{}）", p.name, c.name)));
            }
        }
        let mentioned: Vec<i64> = l
            .acts
            .iter()
            .flat_map(|a| match &a.act {
                Act::FormTeam { members } => members.iter().map(|m| m.0).collect(),
                Act::ApproveStart { by, .. } => vec![by.0],
                _ => Vec::new(),
            })
            .collect();
        for m in mentioned {
            if !people.iter().any(|(p, _)| *p == m) {
                if let Some(x) = r.person(m).await? {
                    people.push((x.id, x.name));
                }
            }
        }
    }
    let suggestions = l.suggestions();
    let parts: Vec<PartRow> = l
        .visible_subjects()
        .into_iter()
        .map(|s| {
            let position = l
                .subjects
                .iter()
                .position(|x| x.subject == s.subject)
                .unwrap_or(0);
            let p = l
                .state
                .subjects
                .iter()
                .find(|(x, _)| *x == s.subject)
                .map(|(_, p)| p.clone())
                .unwrap_or_default();
            let no_commendation = matches!(
                l.decided_on(s.subject),
                Some((
                    _,
                    Act::Decide {
                        no_commendation: true,
                        ..
                    }
                ))
            );
            PartRow {
                position,
                name: s.name.clone(),
                facts_shown: opt_date(p.facts_shown),
                heard: opt_date(p.heard),
                decided: opt_date(p.decided),
                measures: p.measures.join("、"),
                responsibility: p
                    .responsibility
                    .map(|r| r.zh().to_string())
                    .unwrap_or_default(),
                suggested: if full {
                    l.suggested(s.subject)
                        .map(|r| r.zh().to_string())
                        .unwrap_or_default()
                } else {
                    String::new()
                },
                no_commendation,
                served: opt_date(p.served),
                carried_out: opt_date(p.carried_out),
                carried_out_late: p.carried_out_late,
                appealed: opt_date(p.appealed),
                appeal: match p.appeal_upheld {
                    Some(true) => "维持原决定".into(),
                    Some(false) => "须纠正".into(),
                    None => String::new(),
                },
                appeal_until: opt_date(l.appeal_until(s.subject)),
                corrected: opt_date(p.corrected),
            }
        })
        .collect();
    let name = |id: i64| {
        people
            .iter()
            .find(|(p, _)| *p == id)
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    };
    let mut next: Vec<&'static str> = Vec::new();
    if !l.state.ended() {
        for step in l.state.next_steps(&l.procedure) {
            let any_subject = l
                .visible_subjects()
                .iter()
                .any(|s| may_take(&l, step, Some(s.subject)));
            if may_take(&l, step, None) || any_subject {
                next.push(step_word(step));
            }
        }
    }
    let holders = if full {
        holders(state, &l).await?
    } else {
        Vec::new()
    };
    let acts = l
        .acts
        .iter()
        .filter(|a| l.sees_act(&a.act))
        .map(|a| ActLine {
            on: date(a.on),
            who: a.by_name.clone(),
            what: a.act.step().zh().to_string(),
            text: describe(&a.act, &l, &people),
        })
        .collect();
    let (source_link, source_zh) = match (l.case.source.as_str(), l.case.source_id) {
        ("incident", Some(i)) if full => (format!("/incidents/{i}"), "突发事件".to_string()),
        ("incident", _) => (String::new(), "突发事件".into()),
        ("finding", _) => (String::new(), "督查发现的问题".into()),
        ("assessment", _) => (String::new(), "考核结果".into()),
        ("obligations", _) => (String::new(), "工作逾期".into()),
        ("report", _) => (String::new(), "上级交办".into()),
        _ => (String::new(), "问题线索".into()),
    };
    let a = l.policy.accountability.as_ref();
    Ok(CasePage {
        chrome: Chrome::new(lang, Some(v)),
        id,
        title: l.case.title.clone(),
        stage: stage_zh(&l.state),
        unit: l.unit.name.clone(),
        parent: l
            .parent
            .as_ref()
            .map(|p| p.name.clone())
            .unwrap_or_default(),
        full,
        body,
        investigator,
        source_link,
        source_zh,
        lead: if full {
            l.case.lead.clone()
        } else {
            String::new()
        },
        event_on: date(l.case.event_on),
        opened_on: date(l.case.opened_on),
        circumstances: l.circumstances.clone(),
        measures_listed: a.map(|a| a.measures.clone()).unwrap_or_default(),
        appeal_months: l.procedure.appeal_months,
        filing: l.procedure.filing && l.parent.is_some(),
        holders,
        parts,
        team: l.state.team.iter().map(|p| name(p.0)).collect(),
        minutes: if full { l.minutes.clone() } else { None },
        minutes_versions: l.minutes_versions,
        suggestions: suggestions
            .iter()
            .map(|s| {
                (
                    name(s.person.0),
                    s.responsibility.zh().to_string(),
                    s.why.clone(),
                )
            })
            .collect(),
        subject_choices: l
            .visible_subjects()
            .iter()
            .map(|s| (subject_key(s.subject), s.name.clone()))
            .collect(),
        people,
        next,
        seen: l.seen(),
        today: today().to_string(),
        acts,
        filed: l.state.filed.is_some(),
        filing_received: opt_date(l.state.filing_received),
        refused,
        rows: (0..6).collect(),
    })
}

pub async fn page(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
) -> Result<Html<String>> {
    render(&case_page(&state, &v, lang, id, Refused::default()).await?)
}

fn checked(f: &[(String, String)], k: &str) -> bool {
    f.iter().any(|(x, v)| x == k && !v.is_empty() && v != "0")
}

pub async fn act_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let get = |k: &str| crate::shared::extract::field(&f, k);
    let points = (1..=8)
        .filter_map(|i| {
            let point = get(&format!("point_{i}"));
            if point.trim().is_empty() {
                return None;
            }
            Some(PointInput {
                point,
                adopted: get(&format!("answer_{i}")) == "adopted",
                reason: get(&format!("reason_{i}")),
            })
        })
        .collect();
    let input = ActInput {
        action: get("action"),
        seen: get("seen").parse().ok(),
        on: get("on"),
        subject: get("subject"),
        text: get("text"),
        proceed: get("proceed") == "yes",
        members: all(&f, "members")
            .iter()
            .filter_map(|m| m.parse().ok())
            .collect(),
        points,
        declined: checked(&f, "declined"),
        meeting: get("meeting"),
        measures: all(&f, "measures"),
        responsibility: get("responsibility"),
        reason: get("reason"),
        no_commendation: checked(&f, "no_commendation"),
        grounds: get("grounds"),
        upheld: get("upheld") == "yes",
    };
    let form = input.action.clone();
    match act(&state, &v, id, input).await {
        Ok(()) => Ok(see_other(&format!("/accountability/{id}#top"))),
        Err(e) => {
            let r = Refused::of(&form, &f, e, lang)?;
            let status = r.status;
            let page = case_page(&state, &v, lang, id, r).await?;
            Ok((status, render(&page)?).into_response())
        }
    }
}

pub async fn minutes_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let get = |k: &str| crate::shared::extract::field(&f, k);
    let participants = (0..PARTICIPANTS_MAX)
        .map_while(|i| {
            f.iter()
                .any(|(k, _)| *k == format!("person_{i}"))
                .then_some(i)
        })
        .filter_map(|i| {
            let person: i64 = get(&format!("person_{i}")).parse().ok()?;
            Some(ParticipantInput {
                person_id: person,
                seat: get(&format!("seat_{i}")),
                position: get(&format!("position_{i}")),
                words: get(&format!("words_{i}")),
            })
        })
        .collect();
    let input = MinutesInput {
        meeting: get("meeting"),
        alone: get("alone").parse().ok(),
        participants,
        seen: get("seen").parse().ok(),
    };
    match record_minutes(&state, &v, id, input).await {
        Ok(_) => Ok(see_other(&format!("/accountability/{id}#minutes"))),
        Err(e) => {
            let r = Refused::of("minutes", &f, e, lang)?;
            let status = r.status;
            let page = case_page(&state, &v, lang, id, r).await?;
            Ok((status, render(&page)?).into_response())
        }
    }
}

// ------------------------------------------------------------------------------ measures

pub struct MeasureLine {
    pub case_id: i64,
    pub case_title: String,
    pub subject: String,
    pub on: String,
    pub measures: String,
    pub responsibility: String,
    pub effect: String,
    pub corrected: bool,
}

#[derive(Template)]
#[template(path = "pages/accountability_measures.html")]
pub struct MeasuresPage {
    pub chrome: Chrome,
    pub unit: Unit,
    pub lines: Vec<MeasureLine>,
}

/// The ledger of measures (问责台账) of the cases held at a unit and below: an editor's view.
pub async fn measures(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
) -> Result<Html<String>> {
    let (unit, _) = access::require(&state.store, &v, id, Level::Edit).await?;
    let rows = state.store.reader().await?.measures_below(id).await?;
    let lines = rows
        .into_iter()
        .map(|m| {
            let (measures, responsibility, effect) = match &m.act {
                Act::Decide {
                    measures,
                    responsibility,
                    no_commendation,
                    ..
                } => (
                    measures.join("、"),
                    responsibility
                        .map(|r| r.zh().to_string())
                        .unwrap_or_default(),
                    if *no_commendation {
                        zeren_core::accountability::no_commendation(m.subject, m.on).text
                    } else {
                        String::new()
                    },
                ),
                _ => Default::default(),
            };
            MeasureLine {
                case_id: m.case_id,
                case_title: m.case_title,
                subject: m.subject_name,
                on: date(m.on),
                measures,
                responsibility,
                effect,
                corrected: m.corrected,
            }
        })
        .collect();
    render(&MeasuresPage {
        chrome: Chrome::new(lang, Some(&v)),
        unit,
        lines,
    })
}

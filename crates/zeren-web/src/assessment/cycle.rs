//! A cycle of assessment: loading it with its rubric and who the viewer is to it (the reviewing
//! side — an editor of the opening unit — or a reader of it or of some units it assesses),
//! opening one (an administrator of the unit, over a kind of unit below it, by the rubric of a
//! policy installed at or below it), and the cycle's pages and JSON.

use std::sync::Arc;

use askama::Template;
use axum::response::{Html, IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use zeren_core::accountability::{may_be_commended, Subject};
use zeren_core::assessment::CycleDates;
use zeren_core::org::UnitId;
use zeren_policy::{Assessment, Policy, ScoreRule};
use zeren_store::accountability::AccountabilityRead;
use zeren_store::assessment::*;
use zeren_store::{InstalledPolicy, Level, Read, Unit};

use crate::shared::error::Problems;
use crate::shared::extract::field;
use crate::shared::prelude::*;
use crate::shared::refusal::Refused;

/// A cycle with its rubric.
pub struct Loaded {
    pub cycle: Cycle,
    pub unit: Unit,
    pub policy: Arc<Policy>,
    /// Each unit's `no_commendation` also holds when an accountability decision took away the
    /// 评先评优 of a year the cycle's period overlaps.
    pub units: Vec<CycleUnit>,
    /// The units barred by such a decision, with the effect's words.
    pub barred: Vec<(i64, String)>,
}

impl Loaded {
    pub fn rubric(&self) -> Result<&Assessment> {
        self.policy
            .assessment
            .as_ref()
            .ok_or_else(|| Error::Internal("a cycle's policy has no assessment".into()))
    }
}

/// Who the viewer is to a cycle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part {
    /// An editor of the opening unit: reviews, scores, answers appeals.
    pub reviewer: bool,
    /// The units of the cycle the viewer reads (all of them for a reader of the opening unit).
    pub visible: Vec<i64>,
    /// The viewer reads the opening unit.
    pub at_top: bool,
}

pub async fn load(state: &AppState, id: i64) -> Result<Loaded> {
    let mut r = state.store.reader().await?;
    let cycle = r.assessment_cycle(id).await?.ok_or(Error::NotFound)?;
    let unit = r.unit(cycle.unit_id).await?.ok_or(Error::NotFound)?;
    let mut units = r.assessment_cycle_units(id).await?;
    // Accountability decisions that took away a year's 评先评优 bar the units of a cycle whose
    // period overlaps that year (zeren_core::accountability::may_be_commended).
    let subjects: Vec<Subject> = units
        .iter()
        .map(|u| Subject::Unit(UnitId(u.unit_id)))
        .collect();
    let effects = r.accountability_effects(&subjects).await?;
    drop(r);
    let dates = cycle.dates();
    let mut barred = Vec::new();
    for u in &mut units {
        let s = Subject::Unit(UnitId(u.unit_id));
        if !may_be_commended(&effects, s, dates.period_start, dates.period_end) {
            u.no_commendation = true;
            if let Some(e) = effects.iter().find(|e| {
                e.subject == s && e.from <= dates.period_end && e.to >= dates.period_start
            }) {
                barred.push((u.unit_id, e.text.clone()));
            }
        }
    }
    let policy = state.installed_policy(cycle.installed_policy_id).await?;
    Ok(Loaded {
        cycle,
        unit,
        policy,
        units,
        barred,
    })
}

/// The cycle, if the viewer reads its opening unit or one of the units it assesses.
pub async fn load_visible(state: &AppState, v: &Viewer, id: i64) -> Result<(Loaded, Part)> {
    let l = load(state, id).await?;
    let at_top = access::level(&state.store, v, l.cycle.unit_id).await?;
    let part = if at_top.is_some() {
        Part {
            reviewer: at_top.is_some_and(|x| x >= Level::Edit),
            visible: l.units.iter().map(|u| u.unit_id).collect(),
            at_top: true,
        }
    } else {
        let mut visible = Vec::new();
        for u in &l.units {
            if access::level(&state.store, v, u.unit_id).await?.is_some() {
                visible.push(u.unit_id);
            }
        }
        Part {
            reviewer: false,
            visible,
            at_top: false,
        }
    };
    if part.visible.is_empty() && at_top.is_none() {
        return Err(Error::Forbidden);
    }
    Ok((l, part))
}

// ----------------------------------------------------------------------------- opening one

/// A policy a unit may assess by: installed at it or below it (or in force at it), with a rubric.
pub struct PolicyChoice {
    pub id: i64,
    pub title: String,
}

async fn policy_choices(state: &AppState, unit_id: i64) -> Result<Vec<PolicyChoice>> {
    let mut r = state.store.reader().await?;
    let mut installs: Vec<InstalledPolicy> = r
        .policies_in_subtree(unit_id)
        .await?
        .into_iter()
        .filter(|p| p.current && p.removed_at.is_none())
        .collect();
    if let Some(p) = r.policy_in_force(unit_id).await? {
        installs.push(p);
    }
    drop(r);
    let mut out: Vec<PolicyChoice> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for ip in installs {
        // The same text installed at several schools is one choice.
        if seen.contains(&ip.sha256) {
            continue;
        }
        let policy = state.installed_policy(ip.id).await?;
        if policy.assessment.is_some() {
            seen.push(ip.sha256.clone());
            out.push(PolicyChoice {
                id: ip.id,
                title: policy.meta.title.clone(),
            });
        }
    }
    Ok(out)
}

/// The kinds of unit below `unit_id` (not retired), by name.
async fn kinds_below(state: &AppState, unit_id: i64) -> Result<Vec<String>> {
    let mut kinds: Vec<String> = state
        .store
        .reader()
        .await?
        .subtree(unit_id)
        .await?
        .into_iter()
        .filter(|u| u.id != unit_id && !u.is_retired())
        .map(|u| u.kind)
        .collect();
    kinds.sort();
    kinds.dedup();
    Ok(kinds)
}

/// What the opening form (or the API) sent.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct RawCycle {
    pub unit_id: i64,
    pub title: String,
    pub installed_policy_id: String,
    pub scope_kind: String,
    pub period_start: String,
    pub period_end: String,
    pub self_due_on: String,
    pub review_due_on: String,
    pub appeal_until: String,
}

fn date(problems: &mut Problems, t: Tr, name: &str, s: &str) -> NaiveDate {
    match NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
        Ok(d) => d,
        Err(_) => {
            problems.add(name, t.s("asmt.bad_date"));
            NaiveDate::default()
        }
    }
}

/// Checks and opens a cycle; the pages and the API both open through here.
pub async fn open(state: &AppState, v: &Viewer, raw: &RawCycle, lang: Lang) -> Result<Cycle> {
    let t = Tr(lang);
    let (unit, _) = access::require(&state.store, v, raw.unit_id, Level::Edit).await?;
    let mut p = Problems::new();
    let title = raw.title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        p.add("title", t.s("asmt.bad_title"));
    }
    let choices = policy_choices(state, unit.id).await?;
    let policy_id = raw
        .installed_policy_id
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|id| choices.iter().any(|c| c.id == *id));
    if policy_id.is_none() {
        p.add("installed_policy_id", t.s("asmt.bad_policy"));
    }
    let kinds = kinds_below(state, unit.id).await?;
    if !kinds.contains(&raw.scope_kind) {
        p.add("scope_kind", t.s("asmt.bad_kind"));
    }
    let dates = CycleDates {
        period_start: date(&mut p, t, "period_start", &raw.period_start),
        period_end: date(&mut p, t, "period_end", &raw.period_end),
        self_due_on: date(&mut p, t, "self_due_on", &raw.self_due_on),
        review_due_on: date(&mut p, t, "review_due_on", &raw.review_due_on),
        appeal_until: date(&mut p, t, "appeal_until", &raw.appeal_until),
    };
    if p.is_empty() {
        for (f, text) in dates.problems() {
            p.add(f, text);
        }
    }
    p.check()?;
    let mut w = state.store.write(&v.actor()).await?;
    let cycle = w
        .open_assessment_cycle(&NewCycle {
            unit_id: unit.id,
            installed_policy_id: policy_id.unwrap_or_default(),
            title: title.to_string(),
            scope_kind: raw.scope_kind.clone(),
            dates,
        })
        .await?;
    w.commit().await?;
    Ok(cycle)
}

#[derive(Template)]
#[template(path = "pages/assessment_new.html")]
pub struct NewPage {
    pub chrome: Chrome,
    pub unit: Unit,
    pub policies: Vec<PolicyChoice>,
    pub kinds: Vec<String>,
    /// The defaults: last year, due in January.
    pub defaults: RawCycle,
    pub refused: Refused,
}

async fn new_page(
    state: &AppState,
    v: &Viewer,
    lang: Lang,
    unit_id: i64,
    refused: Refused,
) -> Result<NewPage> {
    let (unit, _) = access::require(&state.store, v, unit_id, Level::Edit).await?;
    // The year's 考核 is opened at its end (from November) or early in the next; the due dates
    // follow in January and February, and are never proposed in the past.
    let today = crate::shared::clock::today();
    let year = today.year() - i32::from(today.month() < 11);
    let mut floor = today;
    let mut d = |m: u32, day: u32, gap: u64| {
        let usual = NaiveDate::from_ymd_opt(year + i32::from(m > 12), (m - 1) % 12 + 1, day)
            .unwrap_or(today);
        floor = usual.max(floor + chrono::Days::new(gap));
        floor.to_string()
    };
    Ok(NewPage {
        chrome: Chrome::new(lang, Some(v)),
        policies: policy_choices(state, unit.id).await?,
        kinds: kinds_below(state, unit.id).await?,
        defaults: RawCycle {
            unit_id: unit.id,
            title: format!("{year}年度{}", Tr(lang).s("asmt.default_title")),
            period_start: NaiveDate::from_ymd_opt(year, 1, 1)
                .map(|x| x.to_string())
                .unwrap_or_default(),
            period_end: NaiveDate::from_ymd_opt(year, 12, 31)
                .map(|x| x.to_string())
                .unwrap_or_default(),
            self_due_on: d(13, 15, 14),
            review_due_on: d(13, 25, 10),
            appeal_until: d(14, 5, 10),
            ..RawCycle::default()
        },
        unit,
        refused,
    })
}

#[derive(Deserialize)]
pub struct UnitQuery {
    unit: i64,
}

pub async fn new_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Query(q): Query<UnitQuery>,
) -> Result<Html<String>> {
    render(&new_page(&state, &v, lang, q.unit, Refused::default()).await?)
}

fn raw_of(f: &[(String, String)]) -> RawCycle {
    RawCycle {
        unit_id: field(f, "unit_id").parse().unwrap_or_default(),
        title: field(f, "title"),
        installed_policy_id: field(f, "installed_policy_id"),
        scope_kind: field(f, "scope_kind"),
        period_start: field(f, "period_start"),
        period_end: field(f, "period_end"),
        self_due_on: field(f, "self_due_on"),
        review_due_on: field(f, "review_due_on"),
        appeal_until: field(f, "appeal_until"),
    }
}

pub async fn create_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let raw = raw_of(&f);
    match open(&state, &v, &raw, lang).await {
        Ok(c) => Ok(see_other(&format!("/assessment/{}", c.id))),
        Err(e) => {
            let r = Refused::of("new", &f, e, lang)?;
            let status = r.status;
            let page = new_page(&state, &v, lang, raw.unit_id, r).await?;
            Ok((status, render(&page)?).into_response())
        }
    }
}

// ------------------------------------------------------------------------------ the lists

pub struct CycleRow {
    pub id: i64,
    pub title: String,
    pub unit: String,
    pub scope: String,
    pub period: String,
    pub progress: String,
}

#[derive(Template)]
#[template(path = "pages/assessment.html")]
pub struct ListPage {
    pub chrome: Chrome,
    /// Units the viewer may open a cycle at.
    pub can_open: Vec<Unit>,
    pub cycles: Vec<CycleRow>,
}

/// The cycles the viewer sees: opened in or assessing units of the subtrees they read.
pub async fn visible_cycles(state: &AppState, v: &Viewer) -> Result<Vec<CycleSummary>> {
    let mut out: Vec<CycleSummary> = Vec::new();
    for root in access::roots(&state.store, v).await? {
        for c in state
            .store
            .reader()
            .await?
            .assessment_cycles(root.id)
            .await?
        {
            if !out.iter().any(|x| x.id == c.id) {
                out.push(c);
            }
        }
    }
    out.sort_by_key(|c| std::cmp::Reverse((c.period_start, c.id)));
    Ok(out)
}

pub async fn list(State(state): State<AppState>, v: Viewer, lang: Lang) -> Result<Html<String>> {
    let t = Tr(lang);
    let mut can_open = Vec::new();
    for root in access::roots(&state.store, &v).await? {
        // Editors of a unit with units below it open cycles over them (the bureau's office
        // organises 考核; administering accounts and units is another duty).
        let edits = access::level(&state.store, &v, root.id)
            .await?
            .is_some_and(|l| l >= Level::Edit);
        if edits && !kinds_below(&state, root.id).await?.is_empty() {
            can_open.push(root);
        }
    }
    let cycles = visible_cycles(&state, &v)
        .await?
        .into_iter()
        .map(|c| CycleRow {
            id: c.id,
            title: c.title,
            unit: c.unit_name,
            scope: c.scope_kind,
            period: format!("{} — {}", c.period_start, c.period_end),
            progress: t.f(
                "asmt.progress",
                &[
                    ("done", &c.self_assessed.to_string()),
                    ("all", &c.units.to_string()),
                ],
            ),
        })
        .collect();
    render(&ListPage {
        chrome: Chrome::new(lang, Some(&v)),
        can_open,
        cycles,
    })
}

// ------------------------------------------------------------------------------ the cycle

/// One item of the rubric as the pages show it.
pub struct ItemRow {
    /// Full-width spaces by depth in the tree.
    pub indent: String,
    pub code: String,
    pub title: String,
    pub points: String,
    pub rule: String,
    pub measure: String,
}

/// How a rule reads, in Chinese.
pub fn rule_zh(rule: &Option<ScoreRule>) -> String {
    match rule {
        None => String::new(),
        Some(ScoreRule::Fixed { deduct }) => format!("出现即扣 {deduct} 分"),
        Some(ScoreRule::PerCase { deduct, cap, .. }) => match cap {
            Some(c) => format!("每次扣 {deduct} 分，最多扣 {c} 分"),
            None => format!("每次扣 {deduct} 分，扣完为止"),
        },
        Some(ScoreRule::Range { min, max }) => format!("酌情扣 {min}–{max} 分，须写明原因"),
        Some(ScoreRule::AllOrNothing) => "出现即本项不得分".into(),
        Some(ScoreRule::Bonus { levels, cap }) => {
            let parts: Vec<String> = levels
                .iter()
                .map(|(l, p)| format!("{}加 {p} 分", zeren_core::scoring::level_zh(l)))
                .collect();
            let mut s = parts.join("，");
            if let Some(c) = cap {
                s.push_str(&format!("，最高加 {c} 分"));
            }
            s
        }
        Some(ScoreRule::Prorated { target }) => format!("按完成次数占 {target} 次的比例得分"),
    }
}

/// The rubric as rows, depth first.
pub fn rubric_rows(policy: &Policy, a: &Assessment) -> Vec<ItemRow> {
    fn walk(
        policy: &Policy,
        a: &Assessment,
        under: Option<&zeren_policy::ItemId>,
        depth: usize,
        out: &mut Vec<ItemRow>,
    ) {
        for i in a.children(under) {
            out.push(ItemRow {
                indent: "　　".repeat(depth),
                code: i.code.clone().unwrap_or_default(),
                title: i.title.clone(),
                points: i
                    .points
                    .map(|p| p.to_string())
                    .or(i.weight.map(|w| w.to_string()))
                    .unwrap_or_default(),
                rule: rule_zh(&i.rule),
                measure: if i.measure.is_measured() {
                    i.measure.zh(policy)
                } else {
                    String::new()
                },
            });
            walk(policy, a, Some(&i.id), depth + 1, out);
        }
    }
    let mut out = Vec::new();
    walk(policy, a, None, 0, &mut out);
    out
}

pub struct UnitRow {
    pub unit_id: i64,
    pub name: String,
    pub self_state: String,
    pub self_total: String,
    pub review_total: String,
    pub locked: bool,
}

#[derive(Template)]
#[template(path = "pages/assessment_cycle.html")]
pub struct CyclePage {
    pub chrome: Chrome,
    pub cycle: Cycle,
    pub unit: Unit,
    pub policy_title: String,
    pub items: Vec<ItemRow>,
    pub vetoes: Vec<String>,
    pub grades: Vec<String>,
    pub units: Vec<UnitRow>,
    /// The viewer may see the ranking (the reviewing side, or anyone once published).
    pub ranking: bool,
}

/// Points kept in hundredths, as shown.
pub fn points(h: i64) -> String {
    zeren_policy::Points(h).to_string()
}

pub async fn page(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
) -> Result<Html<String>> {
    let t = Tr(lang);
    let (l, part) = load_visible(&state, &v, id).await?;
    let a = l.rubric()?;
    let units = l
        .units
        .iter()
        .filter(|u| part.visible.contains(&u.unit_id))
        .map(|u| UnitRow {
            unit_id: u.unit_id,
            name: u.name.clone(),
            self_state: match (u.self_version, &u.self_at) {
                (Some(n), Some(at)) => t.f(
                    "asmt.self_done",
                    &[
                        ("n", &n.to_string()),
                        ("at", &crate::shared::clock::wall(at)),
                    ],
                ),
                _ if crate::shared::clock::today() > l.cycle.self_due_on => {
                    t.s("asmt.self_overdue").into()
                }
                _ => t.s("asmt.self_waiting").into(),
            },
            self_total: u.self_total.map(points).unwrap_or_default(),
            review_total: u.review_total.map(points).unwrap_or_default(),
            locked: u.locked,
        })
        .collect();
    render(&CyclePage {
        chrome: Chrome::new(lang, Some(&v)),
        policy_title: l.policy.meta.title.clone(),
        items: rubric_rows(&l.policy, a),
        vetoes: a
            .vetoes
            .iter()
            .map(|x| {
                let effects: Vec<&str> = x
                    .effects
                    .iter()
                    .map(|e| match e {
                        zeren_policy::VetoEffect::Zero => "总分记为 0",
                        zeren_policy::VetoEffect::Grade(_) => "等次直接确定",
                        zeren_policy::VetoEffect::NoCommendation => "取消当年评先评优资格",
                    })
                    .collect();
                format!("{}：{}", x.text, effects.join("，"))
            })
            .collect(),
        grades: a
            .grades
            .iter()
            .map(|g| {
                let mut s = format!("{}：{} 分以上", g.title, g.min);
                if let Some(q) = g.quota {
                    s.push_str(&format!("，不超过 {q}%"));
                }
                for c in &g.requires {
                    s.push_str(&format!("，{}", c.zh()));
                }
                s
            })
            .collect(),
        units,
        ranking: part.at_top || l.cycle.published_at.is_some(),
        cycle: l.cycle,
        unit: l.unit,
    })
}

// ------------------------------------------------------------------------------------- API

#[derive(Deserialize)]
pub struct ListQuery {
    unit: i64,
}

pub async fn list_json(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<ListQuery>,
) -> Result<axum::Json<Vec<CycleSummary>>> {
    access::require(&state.store, &v, q.unit, Level::Read).await?;
    Ok(axum::Json(
        state
            .store
            .reader()
            .await?
            .assessment_cycles(q.unit)
            .await?,
    ))
}

#[derive(Deserialize)]
pub struct NewJson {
    unit_id: i64,
    title: String,
    installed_policy_id: i64,
    scope_kind: String,
    period_start: String,
    period_end: String,
    self_due_on: String,
    review_due_on: String,
    appeal_until: String,
}

#[derive(Serialize)]
pub struct CycleJson {
    pub cycle: Cycle,
    pub unit_name: String,
    pub policy_title: String,
    pub reviewer: bool,
    pub units: Vec<CycleUnit>,
}

fn cycle_json(l: Loaded, part: &Part) -> CycleJson {
    CycleJson {
        unit_name: l.unit.name.clone(),
        policy_title: l.policy.meta.title.clone(),
        reviewer: part.reviewer,
        units: l
            .units
            .into_iter()
            .filter(|u| part.visible.contains(&u.unit_id))
            .collect(),
        cycle: l.cycle,
    }
}

pub async fn create_json(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    JsonBody(b): JsonBody<NewJson>,
) -> Result<Response> {
    let raw = RawCycle {
        unit_id: b.unit_id,
        title: b.title,
        installed_policy_id: b.installed_policy_id.to_string(),
        scope_kind: b.scope_kind,
        period_start: b.period_start,
        period_end: b.period_end,
        self_due_on: b.self_due_on,
        review_due_on: b.review_due_on,
        appeal_until: b.appeal_until,
    };
    let c = open(&state, &v, &raw, lang).await?;
    let (l, part) = load_visible(&state, &v, c.id).await?;
    Ok(created(cycle_json(l, &part)))
}

pub async fn json(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> Result<axum::Json<CycleJson>> {
    let (l, part) = load_visible(&state, &v, id).await?;
    Ok(axum::Json(cycle_json(l, &part)))
}

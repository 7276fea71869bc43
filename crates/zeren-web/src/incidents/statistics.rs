//! Incident statistics (突发事件统计) over a unit's subtree for a year: by month (with a chart),
//! level, kind and unit below; how many were reported late (迟报) or missed a deadline (漏报);
//! and the wall-clock time from learning of an incident to its first report (median, 90th
//! percentile). Every number leads to the incidents it counts. As a page, as JSON and as a
//! workbook. One loading step ([`load`]) checks that the viewer reads the unit: its subtree is
//! all they count, so a peer never sees a peer's incidents.

use std::collections::HashMap;

use askama::Template;
use axum::response::{Html, Response};
use chrono::Datelike;
use serde::{Deserialize, Serialize};
use zeren_core::incident::{china_time, minutes_zh};
use zeren_core::incident_stats::{summarise, Tally};
use zeren_store::incident_stats::{incident_facts, Counted, MAX_INCIDENTS};
use zeren_store::{Level, Read, Unit};

use crate::shared::chart::{self, Column};
use crate::shared::clock::wall;
use crate::shared::prelude::*;
use crate::shared::respond;
use crate::shared::view::{crumbs, Crumb};

/// The query of the page, the JSON and the workbook: the year, and on the page which incidents
/// to list (a number's drill-down).
#[derive(Deserialize, Default)]
pub struct StatsQuery {
    pub year: Option<i32>,
    pub kind: Option<String>,
    pub level: Option<String>,
    /// A unit directly below (or the unit itself).
    pub below: Option<i64>,
    pub month: Option<u32>,
    /// `open`, `late` or `missing`.
    pub flag: Option<String>,
}

/// One group's counts with its name.
#[derive(Serialize, Clone, Debug)]
pub struct Named {
    pub title: String,
    #[serde(flatten)]
    pub tally: Tally,
}

/// The statistics as the API answers them.
#[derive(Serialize)]
pub struct StatsJson {
    pub unit_id: i64,
    pub unit_name: String,
    pub year: i32,
    /// When the deadlines were judged (the server's wall clock).
    pub as_of: chrono::DateTime<chrono::Utc>,
    /// More incidents than are counted (only the latest are).
    pub truncated: bool,
    pub total: Tally,
    pub by_month: Vec<Named>,
    pub by_level: Vec<Named>,
    pub by_kind: Vec<Named>,
    pub by_unit: Vec<Named>,
}

/// What one loading step gathers.
pub struct Loaded {
    pub unit: Unit,
    pub year: i32,
    pub counted: Vec<Counted>,
    pub json: StatsJson,
}

fn year_of(year: Option<i32>, now: chrono::DateTime<chrono::Utc>) -> Result<i32> {
    match year {
        Some(y) if !(2000..=2100).contains(&y) => {
            Err(Error::Invalid("年份须在 2000 至 2100 之间".into()))
        }
        Some(y) => Ok(y),
        None => Ok(china_time(now).year()),
    }
}

/// The unit (which the viewer must read) and its incidents of the year, counted.
pub async fn load(state: &AppState, v: &Viewer, id: i64, year: Option<i32>) -> Result<Loaded> {
    let (unit, _) = access::require(&state.store, v, id, Level::Read).await?;
    let now = state.now();
    let year = year_of(year, now)?;
    let (counted, truncated) = incident_facts(&state.store, unit.id, year, now).await?;
    let facts: Vec<_> = counted.iter().map(|c| c.fact.clone()).collect();
    let stats = summarise(&facts);
    // Names: the units directly below (and the unit), the policies' kinds and levels.
    let mut unit_names: HashMap<String, String> = state
        .store
        .reader()
        .await?
        .children(unit.id)
        .await?
        .into_iter()
        .map(|u| (u.id.to_string(), u.name))
        .collect();
    unit_names.insert(unit.id.to_string(), format!("{}（本级）", unit.name));
    // (The API's names are Chinese, as stored; pages translate their own words.)
    let mut kinds: HashMap<String, String> = HashMap::new();
    let mut levels: HashMap<String, (usize, String)> = HashMap::new();
    let mut seen = std::collections::HashSet::new();
    for c in &counted {
        if !seen.insert(c.incident.incident.installed_policy_id) {
            continue;
        }
        let policy = state
            .installed_policy(c.incident.incident.installed_policy_id)
            .await?;
        if let Some(inc) = &policy.incidents {
            for k in &inc.kinds {
                kinds
                    .entry(k.id.to_string())
                    .or_insert_with(|| k.title.clone());
            }
            for (i, l) in inc.levels.iter().enumerate() {
                levels
                    .entry(l.id.to_string())
                    .or_insert_with(|| (i, l.title.clone()));
            }
        }
    }
    let named = |tallies: Vec<Tally>, title: &dyn Fn(&str) -> String| -> Vec<Named> {
        tallies
            .into_iter()
            .map(|t| Named {
                title: title(&t.key),
                tally: t,
            })
            .collect()
    };
    let mut by_level = named(stats.by_level, &|k| {
        levels.get(k).map_or_else(|| k.to_string(), |l| l.1.clone())
    });
    // Levels read most severe first, as the policy lists them.
    by_level.sort_by_key(|n| levels.get(&n.tally.key).map_or(usize::MAX, |l| l.0));
    let json = StatsJson {
        unit_id: unit.id,
        unit_name: unit.name.clone(),
        year,
        as_of: now,
        truncated,
        total: stats.total,
        by_month: named(stats.by_month, &|k| format!("{k}月")),
        by_level,
        by_kind: named(stats.by_kind, &|k| {
            kinds
                .get(k)
                .cloned()
                .unwrap_or_else(|| "未分类".to_string())
        }),
        by_unit: named(stats.by_unit, &|k| {
            unit_names.get(k).cloned().unwrap_or_else(|| k.to_string())
        }),
    };
    Ok(Loaded {
        unit,
        year,
        counted,
        json,
    })
}

/// Minutes as people read them (a median may fall on a half minute: rounded).
fn minutes(m: Option<f64>) -> String {
    m.map(|m| minutes_zh(m.round() as i64)).unwrap_or_default()
}

/// A table row of the page: the group's name, its counts, and where each count leads.
pub struct Row {
    pub title: String,
    pub count: u32,
    pub open: u32,
    pub late: u32,
    pub missing: u32,
    pub median: String,
    pub p90: String,
    /// The query selecting the group (`kind=…`), to which the counts add their flag.
    pub select: String,
}

impl Row {
    fn of(n: &Named, select: String) -> Row {
        Row {
            title: n.title.clone(),
            count: n.tally.count,
            open: n.tally.open,
            late: n.tally.late,
            missing: n.tally.missing,
            median: minutes(n.tally.median_minutes),
            p90: minutes(n.tally.p90_minutes),
            select,
        }
    }
}

/// An incident the drill-down lists.
pub struct Listed {
    pub id: i64,
    pub title: String,
    pub unit: String,
    pub known: String,
    pub first_report: String,
    pub late: bool,
    pub missing: bool,
    pub open: bool,
}

#[derive(Template)]
#[template(path = "pages/incident_statistics.html")]
pub struct StatsPage {
    pub chrome: Chrome,
    pub path: Vec<Crumb>,
    pub unit: Unit,
    pub year: i32,
    pub years: Vec<i32>,
    pub total: Row,
    pub truncated: bool,
    pub months_svg: String,
    pub months: Vec<Row>,
    pub levels: Vec<Row>,
    pub kinds: Vec<Row>,
    pub units: Vec<Row>,
    /// What the drill-down selects, in words (none: no drill-down).
    pub selected: Option<String>,
    pub listed: Vec<Listed>,
}

/// Which counted incidents a drill-down query selects, and how to say it.
fn select<'a>(l: &'a Loaded, q: &StatsQuery, t: Tr) -> Option<(String, Vec<&'a Counted>)> {
    if q.kind.is_none()
        && q.level.is_none()
        && q.below.is_none()
        && q.month.is_none()
        && q.flag.is_none()
    {
        return None;
    }
    let mut words = Vec::new();
    let title = |list: &[Named], key: &str| {
        list.iter()
            .find(|n| n.tally.key == key)
            .map_or_else(|| key.to_string(), |n| n.title.clone())
    };
    if let Some(m) = q.month {
        words.push(t.f("incs.month", &[("m", &m.to_string())]));
    }
    if let Some(k) = &q.level {
        words.push(title(&l.json.by_level, k));
    }
    if let Some(k) = &q.kind {
        words.push(title(&l.json.by_kind, k));
    }
    if let Some(u) = q.below {
        words.push(title(&l.json.by_unit, &u.to_string()));
    }
    match q.flag.as_deref() {
        Some("open") => words.push(t.s("incs.open").into()),
        Some("late") => words.push(t.s("incs.late").into()),
        Some("missing") => words.push(t.s("incs.missing").into()),
        _ => {}
    }
    let picked = l
        .counted
        .iter()
        .filter(|c| {
            let f = &c.fact;
            q.month.is_none_or(|m| f.month == m)
                && q.level.as_ref().is_none_or(|k| &f.level == k)
                && q.kind.as_ref().is_none_or(|k| &f.kind == k)
                && q.below.is_none_or(|u| f.unit == u)
                && match q.flag.as_deref() {
                    Some("open") => f.open,
                    Some("late") => f.late,
                    Some("missing") => f.missing,
                    _ => true,
                }
        })
        .collect();
    Some((words.join(" · "), picked))
}

pub async fn page(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    Query(q): Query<StatsQuery>,
) -> Result<Html<String>> {
    if q.flag
        .as_deref()
        .is_some_and(|f| !matches!(f, "open" | "late" | "missing"))
        || q.month.is_some_and(|m| !(1..=12).contains(&m))
    {
        return Err(Error::Invalid("统计条件无效".into()));
    }
    let l = load(&state, &v, id, q.year).await?;
    let path = state.store.reader().await?.path(id).await?;
    let path = crumbs(&state.store, &v, path).await?;
    let year = l.year;
    let base = format!("?year={year}");
    let j = &l.json;
    let t = Tr(lang);
    let month = |key: &str| t.f("incs.month", &[("m", key)]);
    let count = |m: &Named| {
        t.f(
            "incs.month_count",
            &[
                ("month", &month(&m.tally.key)),
                ("n", &m.tally.count.to_string()),
            ],
        )
    };
    let months_svg = chart::columns(
        "incident-months",
        &t.f(
            "incs.chart_title",
            &[("unit", &l.unit.name), ("year", &year.to_string())],
        ),
        &t.f(
            "incs.chart_desc",
            &[
                ("n", &j.total.count.to_string()),
                (
                    "months",
                    &j.by_month
                        .iter()
                        .filter(|m| m.tally.count > 0)
                        .map(count)
                        .collect::<Vec<_>>()
                        .join(t.s("incs.list_sep")),
                ),
            ],
        ),
        &j.by_month
            .iter()
            .map(|m| Column {
                label: month(&m.tally.key),
                value: f64::from(m.tally.count),
                tip: count(m),
                href: (m.tally.count > 0).then(|| format!("{base}&month={}#listed", m.tally.key)),
            })
            .collect::<Vec<_>>(),
        |v| format!("{v}"),
    );
    let rows = |list: &[Named], param: &str| -> Vec<Row> {
        list.iter()
            .map(|n| {
                let mut r = Row::of(
                    n,
                    format!("{base}&{param}={}", respond::percent(&n.tally.key)),
                );
                if param == "month" {
                    r.title = month(&n.tally.key);
                }
                r
            })
            .collect()
    };
    let (selected, listed) = match select(&l, &q, t) {
        None => (None, Vec::new()),
        Some((words, picked)) => {
            let listed = picked
                .iter()
                .map(|c| Listed {
                    id: c.incident.incident.id,
                    title: c.incident.incident.title.clone(),
                    unit: c.incident.unit_name.clone(),
                    known: wall(&c.incident.incident.known_at),
                    first_report: c
                        .fact
                        .minutes_to_first_report
                        .map(minutes_zh)
                        .unwrap_or_default(),
                    late: c.fact.late,
                    missing: c.fact.missing,
                    open: c.fact.open,
                })
                .collect();
            (Some(words), listed)
        }
    };
    let this = china_time(state.now()).year();
    render(&StatsPage {
        chrome: Chrome::new(lang, Some(&v)),
        path,
        years: (this - 4..=this).rev().collect(),
        total: Row::of(
            &Named {
                title: String::new(),
                tally: j.total.clone(),
            },
            base.clone(),
        ),
        truncated: j.truncated,
        months_svg,
        months: rows(&j.by_month, "month"),
        levels: rows(&j.by_level, "level"),
        kinds: rows(&j.by_kind, "kind"),
        units: rows(&j.by_unit, "below"),
        selected,
        listed,
        unit: l.unit,
        year,
    })
}

pub async fn json(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<StatsQuery>,
) -> Result<axum::Json<StatsJson>> {
    Ok(axum::Json(load(&state, &v, id, q.year).await?.json))
}

/// The statistics as a workbook: by month, level, kind and unit, and every incident counted.
pub async fn xlsx(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<StatsQuery>,
) -> Result<Response> {
    use zeren_export::table::{workbook, Cell, Sheet};
    let l = load(&state, &v, id, q.year).await?;
    let j = &l.json;
    let title = format!("{}{}年突发事件统计", l.unit.name, l.year);
    let subtitle = format!(
        "本单位及下属单位 {} 年获知的突发事件，共 {} 起；时限按北京时间连续计算，截至 {}。{}",
        l.year,
        j.total.count,
        wall(&j.as_of),
        if j.truncated {
            format!("事件超过 {MAX_INCIDENTS} 起，仅统计最近的 {MAX_INCIDENTS} 起。")
        } else {
            String::new()
        }
    );
    let minutes_cell = |m: Option<f64>| match m {
        Some(m) => Cell::Int(m.round() as i64),
        None => Cell::Text(String::new()),
    };
    let headers = |first: &str| -> Vec<String> {
        [
            first,
            "事件数",
            "未办结",
            "有迟报",
            "有漏报",
            "首报用时中位数（分钟）",
            "首报用时90%分位（分钟）",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    let rows = |list: &[Named]| -> Vec<Vec<Cell>> {
        list.iter()
            .chain(std::iter::once(&Named {
                title: "合计".into(),
                tally: j.total.clone(),
            }))
            .map(|n| {
                vec![
                    Cell::Text(n.title.clone()),
                    Cell::Int(n.tally.count.into()),
                    Cell::Int(n.tally.open.into()),
                    Cell::Int(n.tally.late.into()),
                    Cell::Int(n.tally.missing.into()),
                    minutes_cell(n.tally.median_minutes),
                    minutes_cell(n.tally.p90_minutes),
                ]
            })
            .collect()
    };
    let sheet = |name: &str, first: &str, list: &[Named]| Sheet {
        name: name.into(),
        title: format!("{title}（{name}）"),
        subtitle: subtitle.clone(),
        headers: headers(first),
        rows: rows(list),
    };
    let yes = |b: bool| Cell::Text(if b { "是" } else { "" }.into());
    let listed = Sheet {
        name: "事件清单".into(),
        title: format!("{title}（事件清单）"),
        subtitle: subtitle.clone(),
        headers: [
            "事件",
            "报告单位",
            "级别",
            "类别",
            "获知时间",
            "首报用时（分钟）",
            "迟报",
            "漏报",
            "状态",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        rows: l
            .counted
            .iter()
            .map(|c| {
                let name = |list: &[Named], k: &str| {
                    list.iter()
                        .find(|n| n.tally.key == k)
                        .map_or_else(|| k.to_string(), |n| n.title.clone())
                };
                vec![
                    Cell::Text(c.incident.incident.title.clone()),
                    Cell::Text(c.incident.unit_name.clone()),
                    Cell::Text(name(&j.by_level, &c.fact.level)),
                    Cell::Text(name(&j.by_kind, &c.fact.kind)),
                    Cell::Text(wall(&c.incident.incident.known_at)),
                    c.fact
                        .minutes_to_first_report
                        .map_or(Cell::Text(String::new()), Cell::Int),
                    yes(c.fact.late),
                    yes(c.fact.missing),
                    Cell::Text(
                        if c.fact.open {
                            "未办结"
                        } else {
                            "已办结"
                        }
                        .into(),
                    ),
                ]
            })
            .collect(),
    };
    let sheets = vec![
        sheet("按月份", "月份", &j.by_month),
        sheet("按级别", "级别", &j.by_level),
        sheet("按类别", "类别", &j.by_kind),
        sheet("按单位", "单位", &j.by_unit),
        listed,
    ];
    let bytes = workbook(&sheets).map_err(|e| Error::Internal(e.to_string()))?;
    Ok(respond::download(
        &format!("{title}.xlsx"),
        respond::XLSX,
        bytes,
    ))
}

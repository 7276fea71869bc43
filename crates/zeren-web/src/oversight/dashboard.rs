//! A unit's dashboard (督查看板): how the obligations of its subtree due in a year stand — per
//! unit below (worst first), per duty, as a unit × duty heat map, by month — and the reports
//! waiting for 签收; as a page with figures, as JSON, and as a workbook. One loading step
//! ([`load`]) checks that the viewer reads the unit: its subtree is all they see.

use askama::Template;
use axum::response::{Html, Response};
use chrono::Datelike;
use serde::Deserialize;
use zeren_core::oversight::{Age, Standing, Which};
use zeren_store::oversight::{Dashboard, OversightRead};
use zeren_store::{Level, Read, Unit};

use super::svg;
use crate::shared::clock::{local, today};
use crate::shared::prelude::*;
use crate::shared::respond;
use crate::shared::view::{crumbs, Crumb};

/// How many units the heat map shows (the worst), and how many waiting reports are listed.
const HEAT_ROWS: usize = 30;
const PENDING_SHOWN: usize = 10;
/// How many units the page's table lists (the worst); the workbook and the API list them all.
const TABLE_ROWS: usize = 200;

#[derive(Deserialize)]
pub struct YearQuery {
    year: Option<i32>,
}

/// The year asked for (this year when none), within the years the product knows.
pub fn year_of(year: Option<i32>) -> Result<i32> {
    match year {
        Some(y) if !(2000..=2100).contains(&y) => {
            Err(Error::Invalid("年份须在 2000 至 2100 之间".into()))
        }
        Some(y) => Ok(y),
        None => Ok(today().year()),
    }
}

/// The unit (which the viewer must read) and its dashboard for the year.
pub async fn load(
    state: &AppState,
    v: &Viewer,
    id: i64,
    year: Option<i32>,
) -> Result<(Unit, Dashboard)> {
    let (unit, _) = access::require(&state.store, v, id, Level::Read).await?;
    let year = year_of(year)?;
    let dash = state
        .store
        .reader()
        .await?
        .dashboard(&unit, year, today(), HEAT_ROWS, PENDING_SHOWN)
        .await?;
    Ok((unit, dash))
}

/// A query-string value made safe for a link.
pub use crate::shared::respond::percent as enc;

/// Where a number leads: the obligations it counts.
#[derive(Clone, Debug, Default)]
pub struct Target {
    pub unit: i64,
    pub own: bool,
    pub duty: Option<(String, String)>,
    pub month: Option<u32>,
}

impl Target {
    pub fn href(&self, year: i32, which: Which) -> String {
        let mut s = format!(
            "/units/{}/dashboard/obligations?year={year}&which={}",
            self.unit,
            which.word()
        );
        if self.own {
            s.push_str("&own=1");
        }
        if let Some((p, d)) = &self.duty {
            s.push_str(&format!("&policy={}&duty={}", enc(p), enc(d)));
        }
        if let Some(m) = self.month {
            s.push_str(&format!("&month={m}"));
        }
        s
    }
}

/// A number and where it leads.
pub struct Num {
    pub n: i64,
    pub href: String,
}

/// A row of a table: a label (linked), its numbers (due, on time, late, overdue, not due yet),
/// its rates.
pub struct Row {
    pub label: String,
    pub href: String,
    pub nums: Vec<Num>,
    pub completion: String,
    pub on_time_rate: String,
}

/// The kinds a table's columns count, in order.
pub const COLUMNS: [Which; 5] = [
    Which::Due,
    Which::OnTime,
    Which::Late,
    Which::Overdue,
    Which::Upcoming,
];

fn rate(r: Option<u32>) -> String {
    r.map(|p| format!("{p}%")).unwrap_or_else(|| "—".into())
}

fn row(label: String, href: String, s: &Standing, to: &Target, year: i32) -> Row {
    Row {
        label,
        href,
        nums: COLUMNS
            .iter()
            .map(|w| Num {
                n: s.count(*w),
                href: to.href(year, *w),
            })
            .collect(),
        completion: rate(s.completion()),
        on_time_rate: rate(s.on_time_rate()),
    }
}

/// A cell of the heat map's table.
pub struct HeatCell {
    pub text: String,
    pub class: &'static str,
    pub href: String,
    pub title: String,
}

pub struct AgeRow {
    pub label: &'static str,
    pub n: i64,
    pub href: String,
}

pub struct PendingView {
    pub unit_name: String,
    pub parent_id: i64,
    pub parent_name: String,
    pub title: String,
    pub period_label: String,
    pub href: String,
    pub reported: String,
    pub days: i64,
}

pub fn age_label(t: Tr, a: Age) -> &'static str {
    t.s(match a {
        Age::Week => "dash.age_week",
        Age::Month => "dash.age_month",
        Age::Quarter => "dash.age_quarter",
        Age::Older => "dash.age_older",
    })
}

pub fn pending_view(p: &zeren_store::oversight::PendingReport) -> PendingView {
    PendingView {
        unit_name: p.unit_name.clone(),
        parent_id: p.parent_id,
        parent_name: p.parent_name.clone(),
        title: p.title.clone(),
        period_label: p.period_label.clone(),
        href: format!("/obligations/{}#record-{}", p.obligation_id, p.record_id),
        reported: local(&p.reported_at),
        days: (today() - crate::shared::clock::china(&p.reported_at).date()).num_days(),
    }
}

#[derive(Template)]
#[template(path = "pages/dashboard.html")]
pub struct DashboardPage {
    pub chrome: Chrome,
    pub path: Vec<Crumb>,
    pub unit: Unit,
    pub year: i32,
    pub years: Vec<i32>,
    pub explain: String,
    pub empty: bool,
    /// The whole subtree: its numbers and rates.
    pub whole: Row,
    pub headers: Vec<&'static str>,
    pub units_svg: String,
    /// Said when the figure shows fewer units than the table.
    pub units_note: Option<String>,
    pub units: Vec<Row>,
    /// Said when the table lists fewer units than there are.
    pub table_note: Option<String>,
    pub duties_svg: String,
    pub duties: Vec<Row>,
    pub heat_svg: String,
    pub heat_note: Option<String>,
    pub heat_columns: Vec<String>,
    pub heat_rows: Vec<(String, String, Vec<Option<HeatCell>>)>,
    pub periods_svg: String,
    pub month_columns: Vec<String>,
    pub period_rows: Vec<(String, String, Vec<Option<HeatCell>>)>,
    pub trend_svg: String,
    pub months: Vec<Row>,
    pub pending: i64,
    pub ages: Vec<AgeRow>,
    pub oldest: Vec<PendingView>,
    /// Open findings of the subtree by severity: how many by age since sent, how many overdue.
    pub findings: Vec<FindingAges>,
    pub findings_total: i64,
    pub age_headers: Vec<&'static str>,
}

/// Open findings of one severity, by age since they were sent, each number linked to the list.
pub struct FindingAges {
    pub severity: String,
    pub ages: Vec<Num>,
    pub overdue: Num,
    pub total: Num,
}

/// The open findings of the unit's subtree by severity and age (sent how long ago), with the
/// overdue ones; each number leads to the findings it counts.
pub async fn finding_ages(state: &AppState, unit: i64, t: Tr) -> Result<(Vec<FindingAges>, i64)> {
    use zeren_store::inspections::InspectionRead;
    let today = today();
    let counts = state
        .store
        .reader()
        .await?
        .open_findings_below(unit)
        .await?;
    let mut out: Vec<FindingAges> = Vec::new();
    let mut all = 0;
    let link = |sev: &str, extra: &str| {
        format!(
            "/units/{unit}/inspections?severity={}{extra}#findings",
            enc(if sev.is_empty() { "-" } else { sev })
        )
    };
    for c in counts {
        let i = match out.iter().position(|x| x.severity == c.severity_title) {
            Some(i) => i,
            None => {
                let sev = c.severity_title.clone();
                out.push(FindingAges {
                    ages: Age::ALL
                        .iter()
                        .map(|a| Num {
                            n: 0,
                            href: link(&sev, &format!("&age={}", a.word())),
                        })
                        .collect(),
                    overdue: Num {
                        n: 0,
                        href: link(&sev, "&overdue=1"),
                    },
                    total: Num {
                        n: 0,
                        href: link(&sev, ""),
                    },
                    severity: sev,
                });
                out.len() - 1
            }
        };
        let row = &mut out[i];
        let age = Age::of_days((today - c.sent_on).num_days());
        if let Some(k) = Age::ALL.iter().position(|a| *a == age) {
            row.ages[k].n += c.count;
        }
        if c.due_on.is_some_and(|d| d < today) {
            row.overdue.n += c.count;
        }
        row.total.n += c.count;
        all += c.count;
    }
    for r in &mut out {
        if r.severity.is_empty() {
            r.severity = t.s("dash.unrated").into();
        }
    }
    Ok((out, all))
}

/// Where a heat-map cell leads: a red one to what is overdue, an amber one to what was late, a
/// green one to all that was due, a grey one to what is not due yet.
fn heat_which(s: &Standing) -> Which {
    match s.heat() {
        zeren_core::oversight::Heat::Red => Which::Overdue,
        zeren_core::oversight::Heat::Amber => Which::Late,
        zeren_core::oversight::Heat::Green => Which::Due,
        zeren_core::oversight::Heat::None => Which::Upcoming,
    }
}

/// A heat map's cells as its table alternative shows them.
fn heat_cells(t: Tr, cells: &[Option<(Standing, String)>]) -> Vec<Option<HeatCell>> {
    cells
        .iter()
        .map(|c| {
            c.as_ref().map(|(s, href)| HeatCell {
                text: rate(s.completion()),
                class: s.heat().word(),
                href: href.clone(),
                title: svg::describe(t, s),
            })
        })
        .collect()
}

/// The page model: every number with its link, every figure drawn.
fn page_model(chrome: Chrome, path: Vec<Crumb>, unit: Unit, d: Dashboard) -> DashboardPage {
    let t = chrome.t;
    let year = d.year;
    let whole_to = Target {
        unit: unit.id,
        ..Target::default()
    };
    let whole = row(
        t.s("dash.total").into(),
        whole_to.href(year, Which::Due),
        &d.standing,
        &whole_to,
        year,
    );
    // Per unit: a unit below leads to its own dashboard; the unit's own row to its ledger.
    let unit_target = |u: &zeren_store::oversight::UnitStanding| Target {
        unit: u.unit_id,
        own: u.own,
        ..Target::default()
    };
    // A retired (or merged) unit is named as such wherever it shows: only its history counts.
    let unit_label = |u: &zeren_store::oversight::UnitStanding| {
        if u.own {
            format!("{}（{}）", u.name, t.s("dash.own"))
        } else if u.retired {
            format!("{}（{}）", u.name, t.s("dash.retired"))
        } else {
            u.name.clone()
        }
    };
    let unit_href = |u: &zeren_store::oversight::UnitStanding| {
        if u.own {
            format!("/units/{}/ledger?year={year}", u.unit_id)
        } else {
            format!("/units/{}/dashboard?year={year}", u.unit_id)
        }
    };
    // The table: the worst units, as many as a page can hold; the workbook and the API have all.
    let units: Vec<Row> = d
        .units
        .iter()
        .take(TABLE_ROWS)
        .map(|u| {
            row(
                unit_label(u),
                unit_href(u),
                &u.standing,
                &unit_target(u),
                year,
            )
        })
        .collect();
    // The figure shows the worst units (as many as the heat map); the table more.
    let bars: Vec<svg::Bar> = d
        .units
        .iter()
        .take(HEAT_ROWS)
        .map(|u| {
            let to = unit_target(u);
            svg::Bar {
                label: unit_label(u),
                href: unit_href(u),
                standing: u.standing,
                segment_href: Box::new(move |w| to.href(year, w)),
            }
        })
        .collect();
    let units_svg = svg::bars(
        t,
        "units-figure",
        t.s("dash.units"),
        t.s("dash.bars_desc"),
        &bars,
    );
    let units_note = (d.units.len() > bars.len()).then(|| {
        t.f(
            "dash.bars_shown",
            &[
                ("shown", &bars.len().to_string()),
                ("all", &d.units.len().to_string()),
            ],
        )
    });
    // Per duty across the subtree.
    let duty_target = |policy: &str, duty: &str| Target {
        unit: unit.id,
        duty: Some((policy.to_string(), duty.to_string())),
        ..Target::default()
    };
    let duties: Vec<Row> = d
        .duties
        .iter()
        .map(|x| {
            let to = duty_target(&x.policy_id, &x.duty_id);
            row(
                x.title.clone(),
                to.href(year, Which::Due),
                &x.standing,
                &to,
                year,
            )
        })
        .collect();
    let duty_bars: Vec<svg::Bar> = d
        .duties
        .iter()
        .map(|x| {
            let to = duty_target(&x.policy_id, &x.duty_id);
            svg::Bar {
                label: x.title.clone(),
                href: to.href(year, Which::Due),
                standing: x.standing,
                segment_href: Box::new(move |w| to.href(year, w)),
            }
        })
        .collect();
    let duties_svg = svg::bars(
        t,
        "duties-figure",
        t.s("dash.duties"),
        t.s("dash.duties_desc"),
        &duty_bars,
    );
    // Each duty by month: its periods across the subtree, as a second heat map.
    let month_columns: Vec<String> = d
        .months
        .iter()
        .map(|m| t.f("dash.month_tick", &[("m", &m.month.to_string())]))
        .collect();
    let mut period_lines = Vec::new();
    let mut period_rows = Vec::new();
    for (x, months) in d.duties.iter().zip(&d.duty_months) {
        let to = duty_target(&x.policy_id, &x.duty_id);
        let cells: Vec<Option<(Standing, String)>> = months
            .iter()
            .map(|m| {
                (m.standing.total() != 0).then(|| {
                    let at = Target {
                        month: Some(m.month),
                        ..to.clone()
                    };
                    (m.standing, at.href(year, heat_which(&m.standing)))
                })
            })
            .collect();
        period_rows.push((
            x.title.clone(),
            to.href(year, Which::Due),
            heat_cells(t, &cells),
        ));
        period_lines.push(svg::HeatLine {
            label: x.title.clone(),
            href: to.href(year, Which::Due),
            cells,
        });
    }
    let periods_svg = svg::heat_map(
        t,
        "periods-figure",
        t.s("dash.periods"),
        t.s("dash.periods_desc"),
        &month_columns,
        &period_lines,
    );
    // The heat map: a red cell leads to what is overdue, an amber one to what was late.
    let heat_columns: Vec<String> = d.duties.iter().map(|x| x.title.clone()).collect();
    let mut lines = Vec::new();
    let mut heat_rows = Vec::new();
    for h in &d.heat {
        let Some(u) = d
            .units
            .iter()
            .find(|u| u.unit_id == h.unit_id && u.own == h.own)
        else {
            continue;
        };
        let cells: Vec<Option<(Standing, String)>> = h
            .cells
            .iter()
            .zip(&d.duties)
            .map(|(c, x)| {
                c.map(|s| {
                    let to = Target {
                        duty: Some((x.policy_id.clone(), x.duty_id.clone())),
                        ..unit_target(u)
                    };
                    (s, to.href(year, heat_which(&s)))
                })
            })
            .collect();
        heat_rows.push((unit_label(u), unit_href(u), heat_cells(t, &cells)));
        lines.push(svg::HeatLine {
            label: unit_label(u),
            href: unit_href(u),
            cells,
        });
    }
    let heat_svg = svg::heat_map(
        t,
        "heat-figure",
        t.s("dash.heat"),
        t.s("dash.heat_desc"),
        &heat_columns,
        &lines,
    );
    let counted = d.units.iter().filter(|u| u.standing.total() != 0).count();
    let heat_note = (counted > d.heat.len()).then(|| {
        t.f(
            "dash.heat_shown",
            &[
                ("shown", &d.heat.len().to_string()),
                ("all", &counted.to_string()),
            ],
        )
    });
    // By month.
    let month_target = |m: u32| Target {
        unit: unit.id,
        month: Some(m),
        ..Target::default()
    };
    let trend_svg = svg::trend(t, "trend-figure", t.s("dash.months"), &d.months, &|m| {
        month_target(m).href(year, Which::Due)
    });
    let months = d
        .months
        .iter()
        .map(|m| {
            let to = month_target(m.month);
            row(
                t.f("dash.month_tick", &[("m", &m.month.to_string())]),
                to.href(year, Which::Due),
                &m.standing,
                &to,
                year,
            )
        })
        .collect();
    let ages = d
        .pending_by_age
        .iter()
        .map(|a| AgeRow {
            label: age_label(t, a.age),
            n: a.count,
            href: format!("/units/{}/dashboard/reports?age={}", unit.id, a.age.word()),
        })
        .collect();
    let this = today().year();
    DashboardPage {
        explain: t.f(
            "dash.explain",
            &[
                ("units", &d.units_in_subtree.to_string()),
                ("year", &year.to_string()),
                ("today", &d.today.to_string()),
            ],
        ),
        empty: d.standing.total() == 0,
        headers: COLUMNS.iter().map(|w| svg::which_label(t, *w)).collect(),
        years: (this - 4..=this + 1).rev().collect(),
        oldest: d.pending_oldest.iter().map(pending_view).collect(),
        pending: d.pending,
        chrome,
        path,
        unit,
        year,
        whole,
        units_svg,
        units_note,
        table_note: (d.units.len() > units.len()).then(|| {
            t.f(
                "dash.table_shown",
                &[
                    ("shown", &units.len().to_string()),
                    ("all", &d.units.len().to_string()),
                ],
            )
        }),
        units,
        duties_svg,
        duties,
        heat_svg,
        heat_note,
        heat_columns,
        heat_rows,
        periods_svg,
        month_columns,
        period_rows,
        trend_svg,
        months,
        ages,
        findings: Vec::new(),
        findings_total: 0,
        age_headers: Age::ALL.iter().map(|a| a.zh()).collect(),
    }
}

pub async fn page(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    Query(q): Query<YearQuery>,
) -> Result<Html<String>> {
    let (unit, dash) = load(&state, &v, id, q.year).await?;
    let path = state.store.reader().await?.path(id).await?;
    let path = crumbs(&state.store, &v, path).await?;
    let (findings, findings_total) = finding_ages(&state, unit.id, Tr(lang)).await?;
    let mut page = page_model(Chrome::new(lang, Some(&v)), path, unit, dash);
    page.findings = findings;
    page.findings_total = findings_total;
    render(&page)
}

pub async fn json(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<YearQuery>,
) -> Result<axum::Json<Dashboard>> {
    Ok(axum::Json(load(&state, &v, id, q.year).await?.1))
}

/// The dashboard's tables as a workbook: the units, the duties, the heat map's rates, each duty by
/// month, the months.
pub async fn xlsx(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<YearQuery>,
) -> Result<Response> {
    let (unit, d) = load(&state, &v, id, q.year).await?;
    let t = Tr(crate::shared::i18n::Lang::Zh);
    let numbers = |s: &Standing| -> Vec<zeren_export::table::Cell> {
        use zeren_export::table::Cell;
        let mut v: Vec<Cell> = COLUMNS.iter().map(|w| Cell::Int(s.count(*w))).collect();
        v.push(Cell::Percent(s.completion()));
        v.push(Cell::Percent(s.on_time_rate()));
        v
    };
    let mut headers: Vec<String> = COLUMNS
        .iter()
        .map(|w| svg::which_label(t, *w).to_string())
        .collect();
    headers.push(t.s("dash.completion").into());
    headers.push(t.s("dash.on_time_rate").into());
    use zeren_export::table::{Cell, Sheet};
    let with_label = |label: &str| {
        let mut h = vec![label.to_string()];
        h.extend(headers.iter().cloned());
        h
    };
    let title = format!("{}{}年度督查看板", unit.name, d.year);
    let subtitle = format!(
        "本单位及下属单位 {} 个单位在 {} 年到期事项的完成情况，截至 {}。",
        d.units_in_subtree, d.year, d.today
    );
    let mut units_rows: Vec<Vec<Cell>> = d
        .units
        .iter()
        .map(|u| {
            let mut name = u.name.clone();
            if u.own {
                name.push_str("（本单位）");
            } else if u.retired {
                name.push_str("（已撤销）");
            }
            let mut r = vec![Cell::Text(name)];
            r.extend(numbers(&u.standing));
            r
        })
        .collect();
    let mut total = vec![Cell::Text("合计".into())];
    total.extend(numbers(&d.standing));
    units_rows.push(total);
    let duty_rows = d
        .duties
        .iter()
        .map(|x| {
            let mut r = vec![Cell::Text(x.title.clone())];
            r.extend(numbers(&x.standing));
            r
        })
        .collect();
    let mut heat_headers = vec!["单位".to_string()];
    heat_headers.extend(d.duties.iter().map(|x| x.title.clone()));
    let heat_rows =
        d.heat
            .iter()
            .filter_map(|h| {
                let u = d
                    .units
                    .iter()
                    .find(|u| u.unit_id == h.unit_id && u.own == h.own)?;
                let mut r = vec![Cell::Text(if u.own {
                    format!("{}（本单位）", u.name)
                } else {
                    u.name.clone()
                })];
                r.extend(h.cells.iter().map(|c| {
                    c.map_or(Cell::Text(String::new()), |s| Cell::Percent(s.completion()))
                }));
                Some(r)
            })
            .collect();
    // Each duty by month: the completion rate of what fell due (blank where nothing did).
    let mut period_headers = vec!["工作任务".to_string()];
    period_headers.extend(d.months.iter().map(|m| format!("{}月", m.month)));
    let period_rows = d
        .duties
        .iter()
        .zip(&d.duty_months)
        .map(|(x, months)| {
            let mut r = vec![Cell::Text(x.title.clone())];
            r.extend(months.iter().map(|m| {
                if m.standing.total() == 0 {
                    Cell::Text(String::new())
                } else {
                    Cell::Percent(m.standing.completion())
                }
            }));
            r
        })
        .collect();
    let month_rows = d
        .months
        .iter()
        .map(|m| {
            let mut r = vec![Cell::Text(format!("{}月", m.month))];
            r.extend(numbers(&m.standing));
            r
        })
        .collect();
    let sheets = vec![
        Sheet {
            name: "各单位".into(),
            title: format!("{title}：各单位完成情况"),
            subtitle: subtitle.clone(),
            headers: with_label("单位"),
            rows: units_rows,
        },
        Sheet {
            name: "各项工作".into(),
            title: format!("{title}：各项工作完成情况"),
            subtitle: subtitle.clone(),
            headers: with_label("工作任务"),
            rows: duty_rows,
        },
        Sheet {
            name: "热力图".into(),
            title: format!("{title}：单位×工作完成率"),
            subtitle: subtitle.clone(),
            headers: heat_headers,
            rows: heat_rows,
        },
        Sheet {
            name: "各项工作逐月".into(),
            title: format!("{title}：各项工作逐月完成率（按到期月份）"),
            subtitle: subtitle.clone(),
            headers: period_headers,
            rows: period_rows,
        },
        Sheet {
            name: "逐月".into(),
            title: format!("{title}：逐月趋势（按到期月份）"),
            subtitle,
            headers: with_label("月份"),
            rows: month_rows,
        },
    ];
    let bytes =
        zeren_export::table::workbook(&sheets).map_err(|e| Error::Internal(e.to_string()))?;
    Ok(respond::download(
        &format!("{title}.xlsx"),
        respond::XLSX,
        bytes,
    ))
}

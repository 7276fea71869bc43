//! The 评分表 as a workbook: a summary sheet of the cycle's units ranked within their peer groups
//! (place, self-assessed and reviewed scores, grade), then a sheet per unit — each item of the
//! rubric with its points, its score and its 扣分原因 (the scoring lines), the vetoes and the
//! total — and the same as a Word document, a page per unit with the lines to sign. Read from the
//! scores kept; nothing is scored here.

use axum::response::Response;
use serde::Deserialize;
use zeren_export::docx::score_sheets_docx;
use zeren_export::table::{workbook, Cell, Sheet};
use zeren_export::{ScoreSheets, UnitScoreSheet};
use zeren_policy::{Assessment, ItemId};
use zeren_store::assessment::*;

use super::cycle::{load_visible, points};
use super::ranking::ranking;
use crate::shared::prelude::*;
use crate::shared::respond::download;

#[derive(Deserialize)]
pub struct ExportQuery {
    /// Only this unit's 评分表 (and no summary).
    unit: Option<i64>,
}

/// The rubric's items depth first, indented, with the score sheet's results and lines.
fn unit_rows(a: &Assessment, sheet: &zeren_core::scoring::ScoreSheet) -> Vec<Vec<Cell>> {
    fn walk(
        a: &Assessment,
        sheet: &zeren_core::scoring::ScoreSheet,
        under: Option<&ItemId>,
        depth: usize,
        out: &mut Vec<Vec<Cell>>,
    ) {
        for i in a.children(under) {
            let got = sheet.item(&i.id);
            let reasons: Vec<String> = sheet
                .lines
                .iter()
                .filter(|l| l.item.as_ref() == Some(&i.id))
                .map(|l| l.text.clone())
                .collect();
            let mut title = "　".repeat(depth);
            if let Some(c) = &i.code {
                title.push_str(c);
                title.push(' ');
            }
            title.push_str(&i.title);
            // A sub-item of a pool (its parent's points, no points of its own) only deducts.
            let pooled = i.points.is_none()
                && i.under.as_ref().and_then(|p| a.item(p)).is_some_and(|p| {
                    p.points.is_some() && a.children(Some(&p.id)).iter().all(|c| c.points.is_none())
                });
            let show = |f: &dyn Fn(&zeren_core::scoring::ItemScore) -> zeren_policy::Points| {
                got.map(|g| f(g).to_string()).unwrap_or_default()
            };
            out.push(vec![
                Cell::Text(title),
                Cell::Text(if pooled {
                    String::new()
                } else {
                    show(&|g| g.max)
                }),
                Cell::Text(show(&|g| g.deduction)),
                Cell::Text(if pooled {
                    String::new()
                } else {
                    show(&|g| g.score)
                }),
                Cell::Text(reasons.join("\n")),
            ]);
            walk(a, sheet, Some(&i.id), depth + 1, out);
        }
    }
    let mut out = Vec::new();
    walk(a, sheet, None, 0, &mut out);
    for l in sheet.lines.iter().filter(|l| l.item.is_none()) {
        out.push(vec![
            Cell::Text("一票否决".into()),
            Cell::Text(String::new()),
            Cell::Text(String::new()),
            Cell::Text(String::new()),
            Cell::Text(l.text.clone()),
        ]);
    }
    out.push(vec![
        Cell::Text("合计".into()),
        Cell::Text(sheet.max.to_string()),
        Cell::Text(String::new()),
        Cell::Text(sheet.total.to_string()),
        Cell::Text(String::new()),
    ]);
    out
}

/// A tab name a spreadsheet accepts, unique among `taken`.
fn tab_name(name: &str, taken: &mut Vec<String>) -> String {
    let clean: String = name
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\'))
        .take(28)
        .collect();
    let mut n = clean.clone();
    let mut i = 2;
    while taken.contains(&n) {
        n = format!("{clean}{i}");
        i += 1;
    }
    taken.push(n.clone());
    n
}

/// What an export holds: the cycle, its units ranked, and the score sheets of the units asked
/// for (all, or `unit` alone) with who scored each.
struct Export {
    l: super::cycle::Loaded,
    rows: Vec<super::ranking::RankRow>,
    sheets: Vec<(
        super::ranking::RankRow,
        &'static str,
        zeren_core::scoring::ScoreSheet,
    )>,
}

/// The whole cycle as the ranking shows it (the reviewing side, or anyone once published); one
/// unit for whoever reads it.
async fn collect(state: &AppState, v: &Viewer, id: i64, q: &ExportQuery) -> Result<Export> {
    let (l, part) = load_visible(state, v, id).await?;
    match q.unit {
        Some(u) if part.visible.contains(&u) => {}
        Some(_) => return Err(Error::Forbidden),
        None if part.at_top || l.cycle.published_at.is_some() => {}
        None => return Err(Error::Forbidden),
    }
    let rows = ranking(&l);
    let mut sheets = Vec::new();
    let mut reader = state.store.reader().await?;
    for r in &rows {
        if q.unit.is_some_and(|u| u != r.unit_id) {
            continue;
        }
        let Some(sheet) = reader.assessment_score_sheet(id, r.unit_id).await? else {
            continue;
        };
        let which = if r.review_total.is_some() {
            "考核组评分"
        } else {
            "单位自评"
        };
        sheets.push((r.clone(), which, sheet));
    }
    drop(reader);
    if sheets.is_empty() && q.unit.is_some() {
        return Err(Error::Invalid("尚无评分，无可导出的评分表".into()));
    }
    Ok(Export { l, rows, sheets })
}

impl Export {
    fn subtitle(&self) -> String {
        format!(
            "考核期 {} 至 {}；按同类单位排名{}",
            self.l.cycle.period_start,
            self.l.cycle.period_end,
            if self.l.cycle.published_at.is_some() {
                "（已发布）"
            } else {
                "（未发布）"
            }
        )
    }

    /// The summary's rows: 单位类型, 名次, 单位, 自评得分, 考核得分, 等次, 评先评优.
    fn summary(&self) -> Vec<[String; 7]> {
        self.rows
            .iter()
            .map(|r| {
                [
                    r.peer_group.clone(),
                    r.place.map(|p| p.to_string()).unwrap_or_default(),
                    r.name.clone(),
                    r.self_total.map(points).unwrap_or_default(),
                    r.review_total.map(points).unwrap_or_default(),
                    r.grade.clone(),
                    if r.no_commendation {
                        "取消资格".into()
                    } else {
                        String::new()
                    },
                ]
            })
            .collect()
    }

    fn unit_subtitle(
        which: &str,
        r: &super::ranking::RankRow,
        sheet: &zeren_core::scoring::ScoreSheet,
    ) -> String {
        format!(
            "{which}；得分 {} / {}{}",
            sheet.total,
            sheet.max,
            if r.grade.is_empty() {
                String::new()
            } else {
                format!("；等次 {}", r.grade)
            }
        )
    }

    fn file_name(&self, q: &ExportQuery, ext: &str) -> String {
        match q
            .unit
            .and_then(|u| self.rows.iter().find(|r| r.unit_id == u))
        {
            Some(r) => format!("{}-{}-评分表.{ext}", self.l.cycle.title, r.name),
            None => format!("{}-评分表.{ext}", self.l.cycle.title),
        }
    }
}

pub async fn xlsx(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<ExportQuery>,
) -> Result<Response> {
    let e = collect(&state, &v, id, &q).await?;
    let a = e.l.rubric()?;
    let headers: Vec<String> = ["考核项目", "分值", "扣分", "得分", "扣分原因"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut sheets = Vec::new();
    let mut taken = vec!["汇总".to_string()];
    if q.unit.is_none() {
        sheets.push(Sheet {
            name: "汇总".into(),
            title: format!("{}汇总表", e.l.cycle.title),
            subtitle: e.subtitle(),
            headers: [
                "单位类型",
                "名次",
                "单位",
                "自评得分",
                "考核得分",
                "等次",
                "评先评优",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
            rows: e
                .rows
                .iter()
                .zip(e.summary())
                .map(|(r, cells)| {
                    cells
                        .into_iter()
                        .enumerate()
                        .map(|(i, c)| match (i, r.place) {
                            (1, Some(p)) => Cell::Int(p),
                            _ => Cell::Text(c),
                        })
                        .collect()
                })
                .collect(),
        });
    }
    for (r, which, sheet) in &e.sheets {
        sheets.push(Sheet {
            name: tab_name(&r.name, &mut taken),
            title: format!("{}评分表（{}）", e.l.cycle.title, r.name),
            subtitle: Export::unit_subtitle(which, r, sheet),
            headers: headers.clone(),
            rows: unit_rows(a, sheet),
        });
    }
    let bytes = workbook(&sheets).map_err(|e| Error::Internal(e.to_string()))?;
    Ok(download(
        &e.file_name(&q, "xlsx"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        bytes,
    ))
}

/// The same 评分表 as a Word document: the summary page, then a page per unit to sign.
pub async fn docx(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<ExportQuery>,
) -> Result<Response> {
    let e = collect(&state, &v, id, &q).await?;
    let a = e.l.rubric()?;
    let text = |c: &Cell| match c {
        Cell::Text(t) => t.clone(),
        Cell::Int(i) => i.to_string(),
        Cell::Percent(Some(p)) => format!("{p}%"),
        Cell::Percent(None) => "—".into(),
    };
    let d = ScoreSheets {
        title: e.l.cycle.title.clone(),
        subtitle: e.subtitle(),
        summary: if q.unit.is_none() {
            e.summary()
        } else {
            Vec::new()
        },
        units: e
            .sheets
            .iter()
            .map(|(r, which, sheet)| UnitScoreSheet {
                unit: r.name.clone(),
                subtitle: Export::unit_subtitle(which, r, sheet),
                rows: unit_rows(a, sheet)
                    .iter()
                    .map(|row| std::array::from_fn(|i| row.get(i).map(text).unwrap_or_default()))
                    .collect(),
            })
            .collect(),
    };
    let bytes = score_sheets_docx(&d).map_err(|e| Error::Internal(e.to_string()))?;
    Ok(download(
        &e.file_name(&q, "docx"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        bytes,
    ))
}

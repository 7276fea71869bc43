//! An inspection's 通报 (bulletin) as a Word document: what was inspected, by whom and when, the
//! completion rate of its rectifications, each unit's figures and the list of findings with where
//! each stands. Read at the inspecting unit is all it takes, as for the inspection's page.

use axum::response::Response;
use zeren_core::inspection::standing;
use zeren_export::{Bulletin, BulletinFinding, BulletinUnit};

use super::inspection::{load, tallies};
use crate::shared::clock::today;
use crate::shared::prelude::*;
use crate::shared::respond::{self, DOCX};

pub async fn docx(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> Result<Response> {
    let l = load(&state, &v, id).await?;
    let today = today();
    let c = l.completion();
    let i = &l.inspection;
    let names: Vec<&str> = l.units.iter().map(|u| u.name.as_str()).collect();
    let team: Vec<&str> = l.team.iter().map(|m| m.name.as_str()).collect();
    let mut paragraphs = vec![
        format!(
            "{}至{}，{}组织开展“{}”，督查组（{}）对{}等{}个单位进行了督查{}。",
            zeren_export::date_zh(i.starts_on),
            zeren_export::date_zh(i.ends_on),
            l.unit.name,
            i.title,
            team.join("、"),
            names.iter().take(5).copied().collect::<Vec<_>>().join("、"),
            names.len(),
            match l.visits.len() {
                0 => String::new(),
                n => format!("，走访{n}次"),
            }
        ),
        format!("截至{}，{}。", zeren_export::date_zh(today), c.zh()),
    ];
    if c.overdue > 0 {
        paragraphs.push(format!(
            "逾期未销号的{}个问题，请相关单位抓紧整改，按要求申请销号。",
            c.overdue
        ));
    }
    let b = Bulletin {
        title: format!("关于{}情况的通报", i.title),
        subtitle: format!("{}　{}", l.unit.name, zeren_export::date_zh(today)),
        paragraphs,
        units: tallies(&l)
            .into_iter()
            .map(|t| BulletinUnit {
                unit: t.unit,
                findings: t.completion.findings,
                closed: t.completion.closed,
                closed_on_time: t.completion.closed_on_time,
                overdue: t.completion.overdue,
                rate: t.rate,
            })
            .collect(),
        findings: l
            .findings
            .iter()
            .filter(|(f, _)| f.stage != "withdrawn")
            .map(|(f, s)| BulletinFinding {
                unit: f.unit_name.clone(),
                text: match &f.severity_title {
                    t if t.is_empty() => f.summary.clone(),
                    t => format!("（{t}）{}", f.summary),
                },
                due: f.due_on,
                state: format!("{}，{}", s.stage.zh(), standing(s, today).zh()),
            })
            .collect(),
        closing: vec![l.unit.name.clone(), zeren_export::date_zh(today)],
    };
    let bytes =
        zeren_export::docx::bulletin_docx(&b).map_err(|e| Error::Internal(e.to_string()))?;
    Ok(respond::download(
        &format!("{}通报.docx", i.title),
        DOCX,
        bytes,
    ))
}

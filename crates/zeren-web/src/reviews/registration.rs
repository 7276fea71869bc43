//! 《上网信息审核登记表》 (and the event form): an item, its channel, 栏目 and 撰稿人, its content and
//! files with their SHA-256, how each scan finding was resolved, each step's reviewer with their
//! title, decision, time and a line to sign, where and when it was published, and the whole trail,
//! as DOCX. Every value the scan found is shown masked.

use std::collections::HashMap;

use axum::response::Response;
use zeren_core::review::{applicable_steps, Event};
use zeren_export::{RegistrationEvent, RegistrationFile, RegistrationFinding, RegistrationStep};
use zeren_policy::WorkflowKind;
use zeren_store::reviews::*;
use zeren_store::Read;

use super::items::*;
use super::pages::{detail_value, trail};
use crate::shared::clock::{zh_local, zh_time};
use crate::shared::prelude::*;
use crate::shared::respond;

/// How far the summary runs before it is cut.
const SUMMARY_CHARS: usize = 600;

/// How each finding of the current version was resolved, from the events of the last round.
fn resolution(f: &ScanFinding, round: &[&StoredEvent], names: &HashMap<i64, String>) -> String {
    let name = |p: &zeren_core::org::PersonId| names.get(&p.0).cloned().unwrap_or_default();
    let found = round
        .iter()
        .find_map(|e| match (&e.event, f.kind.as_str()) {
            (
                Event::MarkingCleared {
                    by,
                    decision,
                    document_no,
                    ..
                },
                SECRECY_MARKING,
            ) => Some(format!(
                "{}，决定文号：{document_no}（{}确认）",
                decision.zh(),
                name(by)
            )),
            (
                Event::Approved {
                    by,
                    manual_check: Some(m),
                    ..
                },
                UNREADABLE,
            ) => Some(format!("人工检查：{m}（{}）", name(by))),
            (
                Event::Approved {
                    by,
                    lawful_basis: Some(b),
                    ..
                },
                k,
            ) if f.blocks && k != SECRECY_MARKING && k != UNREADABLE => {
                Some(format!("公开依据：{b}（{}）", name(by)))
            }
            _ => None,
        });
    match found {
        Some(r) => r,
        None if !f.blocks && f.kind != UNREADABLE => "低可信度，仅作提示".into(),
        None => "未处理".into(),
    }
}

pub async fn registration_docx(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> Result<Response> {
    let (l, _) = load_visible(&state, &v, id).await?;
    let wf = l.workflow()?;
    let mut r = state.store.reader().await?;
    let root = r
        .path(l.item.unit_id)
        .await?
        .first()
        .map(|u| u.id)
        .unwrap_or(l.item.unit_id);
    let people = r.people_in_subtree(root).await?;
    let channel = match l.item.channel_id {
        Some(c) => r
            .channel(c)
            .await?
            .map(|c| format!("{}（{}）", c.name, c.locator)),
        None => None,
    };
    drop(r);
    let names: HashMap<i64, String> = people.iter().map(|p| (p.id, p.name.clone())).collect();
    let posts: HashMap<i64, String> = people
        .iter()
        .filter_map(|p| p.position.clone().map(|x| (p.id, x)))
        .collect();
    let cur = l.current().ok_or(Error::NotFound)?;
    let detail = |k: &str| detail_value(&cur.details, k).unwrap_or_default();
    // The last round: the events since the last submission.
    let start = l
        .events
        .iter()
        .rposition(|e| matches!(e.event, Event::Submitted { .. }))
        .unwrap_or(0);
    let round: Vec<&StoredEvent> = l.events[start..].iter().collect();
    let steps = applicable_steps(wf, l.item.major, l.foreign_speaker())
        .into_iter()
        .map(|i| {
            let step = &wf.steps[i];
            let decided: Vec<(String, String, String, String)> = round
                .iter()
                .filter_map(|e| {
                    let (by, what, comment) = match &e.event {
                        Event::Approved {
                            step, by, comment, ..
                        } if *step == i => (by, "同意", comment),
                        Event::Returned {
                            step, by, comment, ..
                        } if *step == i => (by, "退回修改", comment),
                        Event::Rejected {
                            step, by, comment, ..
                        } if *step == i => (by, "驳回", comment),
                        _ => return None,
                    };
                    Some((
                        names.get(&by.0).cloned().unwrap_or_default(),
                        posts
                            .get(&by.0)
                            .cloned()
                            .unwrap_or_else(|| l.policy.role_title(&step.role).to_string()),
                        if comment.trim().is_empty() || comment.trim() == what {
                            what.to_string()
                        } else {
                            format!("{what}：{comment}")
                        },
                        zh_local(&e.at),
                    ))
                })
                .collect();
            let join = |f: fn(&(String, String, String, String)) -> &String| {
                decided
                    .iter()
                    .map(f)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            RegistrationStep {
                step: step.title.clone(),
                reviewer: join(|d| &d.0),
                reviewer_title: if decided.is_empty() {
                    l.policy.role_title(&step.role).to_string()
                } else {
                    join(|d| &d.1)
                },
                decision: if decided.is_empty() {
                    "待审核".into()
                } else {
                    join(|d| &d.2)
                },
                at: join(|d| &d.3),
            }
        })
        .collect();
    let (published_url, published_at) = l
        .events
        .iter()
        .rev()
        .find_map(|e| match &e.event {
            Event::Published {
                url, published_at, ..
            } => Some((
                url.clone(),
                published_at
                    .map(|t| zh_time(&t))
                    .unwrap_or_else(|| zh_local(&e.at)),
            )),
            Event::PublicationCorrected {
                url, published_at, ..
            } => Some((url.clone(), zh_time(published_at))),
            _ => None,
        })
        .unwrap_or_default();
    // The archived form masks identifiers in the text too: it outlives the review.
    let summary: String = {
        let masked = zeren_scan::mask_digits(cur.body.trim());
        let body = masked.trim();
        let mut s: String = body.chars().take(SUMMARY_CHARS).collect();
        if body.chars().count() > SUMMARY_CHARS {
            s.push('…');
        }
        s
    };
    let event = (wf.kind == WorkflowKind::Event).then(|| RegistrationEvent {
        speakers: detail("speakers"),
        background: detail("speaker_background"),
        foreign_speaker: cur.foreign_speaker(),
        time: detail("starts_at"),
        place: detail("place"),
        audience: detail("audience"),
    });
    let form = zeren_export::Registration {
        title: match wf.kind {
            WorkflowKind::Publication => "上网信息审核登记表".into(),
            _ => format!("{}登记表", wf.title),
        },
        unit: l.unit.name.clone(),
        item: cur.title.clone(),
        channel: channel.unwrap_or_default(),
        column: detail("column"),
        author: detail("author"),
        submitter: names
            .get(&l.item.submitter_person_id)
            .cloned()
            .unwrap_or_default(),
        version: format!(
            "第{}版（{}）",
            cur.version,
            &cur.hash[..12.min(cur.hash.len())]
        ),
        major: l.item.major,
        summary,
        attachments: cur
            .attachments
            .iter()
            .map(|a| RegistrationFile {
                name: a.file_name.clone(),
                size: a.size.max(0) as u64,
                sha256: a.sha256.clone(),
            })
            .collect(),
        findings: cur
            .findings
            .iter()
            .map(|f| RegistrationFinding {
                kind: if f.confidence.is_empty() {
                    f.kind_zh.clone()
                } else {
                    format!("{}（{}）", f.kind_zh, f.confidence)
                },
                place: [
                    f.file.clone().unwrap_or_else(|| "正文".into()),
                    f.location.clone(),
                ]
                .join(" "),
                shown: match f.kind.as_str() {
                    UNREADABLE => f.context.clone(),
                    SECRECY_MARKING => f.context.clone(),
                    _ => f.masked.clone(),
                },
                resolution: resolution(f, &round, &names),
            })
            .collect(),
        steps,
        published_url,
        published_at,
        event,
        trail: trail(&l, &names)?
            .into_iter()
            .map(|t| zeren_export::RegistrationRow {
                at: t.at,
                who: t.who,
                what: t.what,
                step: t.step,
                detail: t.detail,
            })
            .collect(),
        stage: l.state()?.stage.zh(),
    };
    let bytes =
        zeren_export::docx::registration_docx(&form).map_err(|e| Error::Internal(e.to_string()))?;
    Ok(respond::download(
        &format!("{}-{}.docx", wf.title, cur.title),
        respond::DOCX,
        bytes,
    ))
}

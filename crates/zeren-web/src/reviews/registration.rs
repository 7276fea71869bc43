//! 《上网信息审核登记表》 (and the event form): an item, its channel, submitter, and each step's
//! reviewer, checks, opinion and time, as DOCX.

use axum::response::Response;
use zeren_policy::WorkflowKind;
use zeren_store::reviews::*;

use super::items::*;
use super::pages::{names_below, trail};
use crate::shared::prelude::*;
use crate::shared::respond;

pub async fn registration_docx(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> Result<Response> {
    let (l, _) = load_visible(&state, &v, id).await?;
    let names = names_below(&state, &l).await?;
    let wf = l.workflow()?;
    let channel = match l.item.channel_id {
        Some(c) => state
            .store
            .reader()
            .await?
            .channel(c)
            .await?
            .map(|c| format!("{}（{}）", c.name, c.locator)),
        None => None,
    };
    let cur = l.current().ok_or(Error::NotFound)?;
    let trail = trail(&l, &names)?;
    let form = zeren_export::Registration {
        title: if wf.kind == WorkflowKind::Publication {
            "上网信息审核登记表".into()
        } else {
            format!("{}登记表", wf.title)
        },
        unit: l.unit.name.clone(),
        item: cur.title.clone(),
        channel: channel.unwrap_or_default(),
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
        findings: cur
            .findings
            .iter()
            .map(|f| format!("{} {} {}", f.kind_zh, f.location, f.masked))
            .collect(),
        trail: trail
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

//! The case's documents in 公文 style (GB/T 9704-2012, `zeren_export::gongwen`): the decision
//! for one subject (问责决定书), the record of a subject's statement (陈述申辩记录) and the filing
//! form (问责情况报备表). Each is there once its step is taken, for whoever sees that part.

use axum::response::Response;
use zeren_core::accountability::{Act, Answer, Subject};
use zeren_export::gongwen::{gongwen_docx, Gongwen};

use super::case::*;
use crate::shared::prelude::*;
use crate::shared::respond::{self, DOCX};

fn subject_at(l: &Loaded, position: usize) -> Result<Subject> {
    let s = l.subjects.get(position).ok_or(Error::NotFound)?.subject;
    if !l.visible_subjects().iter().any(|x| x.subject == s) {
        return Err(Error::Forbidden);
    }
    Ok(s)
}

fn docx(g: &Gongwen, name: &str) -> Result<Response> {
    let bytes = gongwen_docx(g).map_err(|e| Error::Internal(e.to_string()))?;
    Ok(respond::download(name, DOCX, bytes))
}

fn circumstances_text(l: &Loaded) -> String {
    l.circumstances
        .iter()
        .map(|(_, text, source)| {
            if source.is_empty() {
                text.clone()
            } else {
                format!("{text}（{source}）")
            }
        })
        .collect::<Vec<_>>()
        .join("；")
}

/// The decision (问责决定书) for the subject at `position`, once decided.
pub async fn decision(
    State(state): State<AppState>,
    v: Viewer,
    Path((id, position)): Path<(i64, usize)>,
) -> Result<Response> {
    let l = load(&state, &v, id).await?;
    let s = subject_at(&l, position)?;
    let (decided, act) = l.decided_on(s).ok_or(Error::NotFound)?;
    let Act::Decide {
        measures,
        responsibility,
        no_commendation,
        ..
    } = act
    else {
        return Err(Error::NotFound);
    };
    let name = l.subject_name(s);
    let check = l.acts.iter().find_map(|a| match &a.act {
        Act::PreliminaryCheck { finding, .. } => Some(finding.clone()),
        _ => None,
    });
    let meeting = l.acts.iter().find_map(|a| match &a.act {
        Act::DiscussReport { meeting } => Some(meeting.clone()),
        _ => None,
    });
    let heard = l.acts.iter().find_map(|a| match &a.act {
        Act::HearStatement {
            subject,
            points,
            declined,
        } if *subject == s => Some((points.clone(), *declined)),
        _ => None,
    });
    let mut paragraphs = vec!["一、基本情况".to_string()];
    paragraphs.push(format!("经查，{}", l.case.lead));
    if let Some(c) = check {
        paragraphs.push(format!("经初步核实，{c}"));
    }
    let policy_title = &l.policy.meta.title;
    if !l.circumstances.is_empty() {
        paragraphs.push(format!(
            "上述问题属于《{policy_title}》规定的应当追究责任的情形：{}。",
            circumstances_text(&l)
        ));
    }
    paragraphs.push("二、陈述申辩".into());
    match heard {
        Some((points, declined)) if points.is_empty() && declined => {
            paragraphs.push(format!("经向{name}出示事实材料，本人放弃陈述申辩。"))
        }
        Some((points, _)) => {
            paragraphs.push(format!(
                "经向{name}出示事实材料，听取了本人的陈述申辩，对所提意见逐项答复如下："
            ));
            for (i, (p, a)) in points.iter().enumerate() {
                paragraphs.push(format!(
                    "{}. {p}——{}",
                    i + 1,
                    match a {
                        Answer::Adopted => "予以采纳。".to_string(),
                        Answer::NotAdopted { reason } => format!("不予采纳，理由：{reason}"),
                    }
                ));
            }
        }
        None => {}
    }
    paragraphs.push("三、问责决定".into());
    let mut decision = match &meeting {
        Some(m) => format!("经{m}集体研究，决定"),
        None => "经集体研究，决定".into(),
    };
    decision.push_str(&format!("对{name}予以{}", measures.join("、")));
    if let Some(r) = responsibility {
        decision.push_str(&format!("，认定其承担{}", r.zh()));
    }
    decision.push('。');
    if *no_commendation {
        let e = zeren_core::accountability::no_commendation(s, decided);
        decision.push_str(&format!("{}。", e.text));
    }
    paragraphs.push(decision);
    paragraphs.push(format!(
        "如对本决定不服，可自收到本决定之日起{}个月内，向{}提出书面申诉。申诉期间，不停止本决定的执行。",
        l.procedure.appeal_months, l.unit.name
    ));
    let g = Gongwen {
        issuer_mark: l.unit.name.clone(),
        number: String::new(),
        title: format!("关于对{name}予以问责的决定"),
        addressee: name.clone(),
        paragraphs,
        signature: l.unit.name.clone(),
        date: Some(decided),
        copies_to: l
            .parent
            .as_ref()
            .map(|p| p.name.clone())
            .unwrap_or_default(),
        printed_by: String::new(),
        printed_on: None,
    };
    docx(&g, &format!("问责决定书（{name}）.docx"))
}

/// The record of the subject's statement (陈述申辩记录), once heard.
pub async fn statement(
    State(state): State<AppState>,
    v: Viewer,
    Path((id, position)): Path<(i64, usize)>,
) -> Result<Response> {
    let l = load(&state, &v, id).await?;
    let s = subject_at(&l, position)?;
    let name = l.subject_name(s);
    let shown = l.acts.iter().find_map(|a| match &a.act {
        Act::ShowFacts { subject } if *subject == s => Some(a.on),
        _ => None,
    });
    let (heard_on, by, points, declined) = l
        .acts
        .iter()
        .find_map(|a| match &a.act {
            Act::HearStatement {
                subject,
                points,
                declined,
            } if *subject == s => Some((a.on, a.by_name.clone(), points.clone(), *declined)),
            _ => None,
        })
        .ok_or(Error::NotFound)?;
    let mut paragraphs = vec![
        format!("案件：{}", l.case.title),
        format!("问责对象：{name}"),
    ];
    if let Some(d) = shown {
        paragraphs.push(format!("出示事实材料日期：{}", zeren_export::date_zh(d)));
    }
    paragraphs.push(format!(
        "听取陈述申辩日期：{}　记录人：{by}",
        zeren_export::date_zh(heard_on)
    ));
    if points.is_empty() && declined {
        paragraphs.push("本人放弃陈述申辩。".into());
    }
    for (i, (p, a)) in points.iter().enumerate() {
        paragraphs.push(format!("{}. 陈述申辩意见：{p}", i + 1));
        paragraphs.push(match a {
            Answer::Adopted => "答复：予以采纳。".to_string(),
            Answer::NotAdopted { reason } => format!("答复：不予采纳。理由：{reason}"),
        });
    }
    paragraphs.push("本人签字：　　　　　　　　调查组成员签字：".into());
    let g = Gongwen {
        issuer_mark: String::new(),
        number: String::new(),
        title: format!("{name}陈述申辩记录"),
        addressee: String::new(),
        paragraphs,
        signature: l.unit.name.clone(),
        date: Some(heard_on),
        copies_to: String::new(),
        printed_by: String::new(),
        printed_on: None,
    };
    docx(&g, &format!("陈述申辩记录（{name}）.docx"))
}

/// The filing form (问责情况报备表), once filed.
pub async fn filing(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> Result<Response> {
    let l = load(&state, &v, id).await?;
    if matches!(l.part, Part::Subject(_)) {
        return Err(Error::Forbidden);
    }
    let filed_on = l
        .acts
        .iter()
        .find_map(|a| matches!(a.act, Act::File { .. }).then_some(a.on))
        .ok_or(Error::NotFound)?;
    let parent = l
        .parent
        .as_ref()
        .map(|p| p.name.clone())
        .unwrap_or_default();
    let mut paragraphs = vec![
        format!(
            "根据《{}》的规定，现将{}问责情况报备如下。",
            l.policy.meta.title, l.unit.name
        ),
        "一、案件情况".into(),
        format!("案件：{}", l.case.title),
        format!(
            "问题发生日期：{}；立案日期：{}",
            zeren_export::date_zh(l.case.event_on),
            zeren_export::date_zh(l.case.opened_on)
        ),
        format!("问题线索：{}", l.case.lead),
    ];
    if !l.circumstances.is_empty() {
        paragraphs.push(format!("问责情形：{}", circumstances_text(&l)));
    }
    paragraphs.push("二、问责决定".into());
    for (i, sub) in l.subjects.iter().enumerate() {
        if let Some((
            on,
            Act::Decide {
                measures,
                responsibility,
                no_commendation,
                ..
            },
        )) = l.decided_on(sub.subject)
        {
            let mut line = format!(
                "{}. {}：{}决定予以{}",
                i + 1,
                sub.name,
                zeren_export::date_zh(on),
                measures.join("、")
            );
            if let Some(r) = responsibility {
                line.push_str(&format!("，承担{}", r.zh()));
            }
            if *no_commendation {
                line.push_str("，取消当年评先评优资格");
            }
            line.push('。');
            paragraphs.push(line);
        }
    }
    paragraphs.push(format!(
        "签收：{}",
        match l.state.filing_received {
            Some(d) => format!("{parent}已于{}签收", zeren_export::date_zh(d)),
            None => "待签收".into(),
        }
    ));
    let g = Gongwen {
        issuer_mark: l.unit.name.clone(),
        number: String::new(),
        title: "问责情况报备表".into(),
        addressee: parent,
        paragraphs,
        signature: l.unit.name.clone(),
        date: Some(filed_on),
        copies_to: String::new(),
        printed_by: String::new(),
        printed_on: None,
    };
    docx(&g, &format!("问责情况报备表（{}）.docx", l.case.title))
}

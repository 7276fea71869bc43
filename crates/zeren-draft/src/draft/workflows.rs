//! Workflows: the publication review, approvals (须报…审批) and major decisions.

use super::*;

/// 先审后发: a publication review with its checklist (审核内容包括：…) and steps (领导分管、部门负责、
/// 专人实施).
pub(super) fn publication_review(d: &mut Draft, no: u32, line: &str) {
    let publishing = line.contains("发布") || line.contains("上传");
    let reviewing = line.contains("审查") || line.contains("审核");
    if !(publishing && reviewing) {
        return;
    }
    let mut steps = Vec::new();
    let mut roles: Vec<(&str, &str, &str)> = Vec::new();
    if line.contains("领导分管") && line.contains("部门负责") && line.contains("专人") {
        roles = vec![
            ("publication_reviewer", "网络信息发布审查专人", "专人审查"),
            (
                "publication_department_head",
                "网络信息发布审查负责部门负责人",
                "部门负责审核",
            ),
            (
                "publication_leader",
                "分管网络信息发布审查的领导",
                "分管领导许可发布",
            ),
        ];
    } else if let Some(i) = line.find("必须经") {
        let rest = line[i + "必须经".len()..].trim_start_matches('由');
        if let Some(end) = rest.find("审核").or_else(|| rest.find("审查")) {
            let who = &rest[..end];
            if !who.is_empty() && who.chars().count() <= 12 {
                roles = vec![("publication_reviewer", who, "审核")];
            }
        }
    }
    let checklist: Vec<String> = line
        .find("审核内容包括")
        .or_else(|| line.find("审查内容包括"))
        .map(|i| {
            let rest = &line[i..];
            let rest = rest.split_once(['：', ':']).map_or("", |(_, r)| r);
            let end = rest.find('。').unwrap_or(rest.len());
            rest[..end]
                .split(['；', ';'])
                .map(|s| s.trim().trim_end_matches('等').trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    if roles.is_empty() && checklist.is_empty() && !line.contains("先审") {
        return;
    }
    let mut cite = Cite::new(Src::line(no), Confidence::Medium, "发布 + 审查/审核");
    for (id, title, step) in roles {
        d.add_role(
            id,
            title,
            None,
            Cite::new(Src::line(no), Confidence::Medium, "发布审查的分工"),
        );
        steps.push(StepEntry {
            title: step.to_owned(),
            role: id.to_owned(),
            major: false,
        });
    }
    if steps.is_empty() {
        cite.ask("原文没有写明谁审核发布：请补审核步骤（steps）");
    }
    if let Some(w) = d
        .workflows
        .iter_mut()
        .find(|w| w.kind == WorkflowKind::Publication)
    {
        w.cite.src = w.cite.src.join(Src::line(no));
        if w.steps.is_empty() && !steps.is_empty() {
            w.steps = steps;
            w.cite.questions.clear();
        }
        if w.checklist.is_empty() {
            w.checklist = checklist;
        }
        return;
    }
    d.workflows.push(WorkflowEntry {
        id: "publication".into(),
        title: "网络信息发布审查".into(),
        kind: WorkflowKind::Publication,
        checklist,
        requires_risk_assessment: false,
        steps,
        cite,
    });
}

/// 影响重大的须报X审批 / 审批和监督部门为X: an event approval.
pub(super) fn event_approval(d: &mut Draft, no: u32, sentence: &str) {
    if !sentence.contains("审批") {
        return;
    }
    let events = ["报告会", "讲座", "论坛", "讲堂", "研讨会", "活动", "沙龙"];
    let is_event = events.iter().any(|e| sentence.contains(e));
    // 重大事项须报党委审批: an approval of something other than an event is a decision
    if !is_event && !sentence.contains("须报") && !sentence.contains("报经") {
        return;
    }
    // 涉及…的，还须报局长审批: a further step of the approval just read on this line (the chain's)
    let conditional = text::clauses(sentence)
        .first()
        .is_some_and(|c| c.ends_with('的') || sentence.contains("还须"));
    if !is_event && conditional && d.workflows.iter().any(|w| w.cite.src.last == no) {
        return;
    }
    let mut cite = Cite::new(
        Src::line(no),
        Confidence::Medium,
        if is_event {
            "活动 + 审批"
        } else {
            "须报…审批"
        },
    );
    let mut steps = Vec::new();
    for clause in text::clauses(sentence) {
        let major = clause.contains("重大");
        let who = if let Some(i) = clause.find("部门为") {
            Some(&clause[i + "部门为".len()..])
        } else if let Some(i) = clause.find("须报") {
            let rest = &clause[i + "须报".len()..];
            Some(&rest[..rest.find("审批").unwrap_or(rest.len())])
        } else if let Some(i) = clause.find("报经") {
            let rest = &clause[i + "报经".len()..];
            Some(&rest[..rest.find("审批").unwrap_or(rest.len())])
        } else {
            None
        };
        let Some(who) = who.map(str::trim).filter(|w| !w.is_empty()) else {
            continue;
        };
        // 须报局长审批 where 党组书记、局长 is the first responsible: the role the text gave that post
        if let Some(id) = d.holder_role(who) {
            steps.push(StepEntry {
                title: format!("{who}审批{}", if major { "（影响重大的）" } else { "" }),
                role: id,
                major,
            });
            continue;
        }
        let first = d
            .role("first_responsible")
            .and_then(|r| r.held_by.clone())
            .filter(|h| who.contains(h.as_str()));
        let (id, title) = match rules::role_at(who) {
            Some(t) => (t.id, t.title),
            None if first.is_some() => ("first_responsible", "第一责任人"),
            None => {
                cite.ask(format!(
                    "“{who}”审批：由哪个角色担任？（已暂用 leadership，领导班子成员）"
                ));
                ("leadership", "领导班子其他成员（一岗双责）")
            }
        };
        d.add_role(
            id,
            title,
            None,
            Cite::new(Src::line(no), Confidence::Medium, "审批人"),
        );
        steps.push(StepEntry {
            title: format!("{who}审批{}", if major { "（影响重大的）" } else { "" }),
            role: id.to_owned(),
            major,
        });
    }
    if steps.is_empty() {
        return;
    }
    let (id, title, kind) = if is_event {
        let title = events
            .iter()
            .filter(|e| sentence.contains(*e))
            .copied()
            .collect::<Vec<_>>()
            .join("、");
        ("event_approval", title, WorkflowKind::Event)
    } else {
        // the words before 须报 name what is approved
        let what = text::clauses(sentence)
            .into_iter()
            .find_map(|c| c.find("须报").or_else(|| c.find("报经")).map(|i| &c[..i]))
            .map(|w| w.trim_end_matches(['的', '均', '应', '必']).trim())
            .filter(|w| !w.is_empty())
            .unwrap_or("事项");
        cite.ask(format!(
            "“{what}”的审批：是否作为重大决策流程（kind = \"decision\"）？"
        ));
        ("approval", what.to_owned(), WorkflowKind::Decision)
    };
    d.workflows.push(WorkflowEntry {
        id: d.unique_workflow_id(id),
        title: format!("{title}审批"),
        kind,
        checklist: Vec::new(),
        requires_risk_assessment: false,
        steps,
        cite,
    });
}

/// 重大政策/决策…风险评估: a major decision that needs a risk assessment.
pub(super) fn major_decision(d: &mut Draft, no: u32, line: &str) {
    if !line.contains("风险评估") || !line.contains("重大") {
        return;
    }
    if !["政策", "决策", "事项", "举措", "项目"]
        .iter()
        .any(|w| line.contains(w))
    {
        return;
    }
    let checklist: Vec<String> = text::sentences(text::body(line))
        .into_iter()
        .flat_map(text::clauses)
        .filter(|c| {
            ["听取", "风险评估", "预案", "论证"]
                .iter()
                .any(|w| c.contains(w))
        })
        .filter(|c| !c.ends_with("制度"))
        .map(|c| c.trim_start_matches("方案发布前").to_owned())
        .collect();
    let mut cite = Cite::new(Src::line(no), Confidence::Low, "重大 + 风险评估");
    let role = if d.role("first_responsible").is_some() {
        "first_responsible"
    } else {
        d.add_role(
            "decision_maker",
            "决策人",
            None,
            Cite::new(Src::line(no), Confidence::Low, "重大决策"),
        );
        "decision_maker"
    };
    cite.ask(format!(
        "原文没有写明谁作决定：已暂用 {role}，请确认审批步骤"
    ));
    let title = ["重大政策", "重大决策", "重大事项"]
        .iter()
        .find(|w| line.contains(*w))
        .map_or("重大决策", |w| w);
    d.workflows.push(WorkflowEntry {
        id: d.unique_workflow_id("major_decision"),
        title: format!("{title}（须风险评估）"),
        kind: WorkflowKind::Decision,
        checklist,
        requires_risk_assessment: true,
        steps: vec![StepEntry {
            title: "研究决定".into(),
            role: role.to_owned(),
            major: false,
        }],
        cite,
    });
}

/// Verbs of one approval step.
const STEP_VERBS: &[&str] = &[
    "初审", "复审", "终审", "审核", "审批", "批准", "审定", "审签", "签发", "签字", "同意",
];

/// Words after which the approver is named (须经X审核, 报X审批, 由X初审).
const STEP_OPENERS: &[&str] = &["须经", "经", "报", "由"];

/// Words that make the steps after them conditional (涉及…的, 单笔20万元以上的, 还须).
const CONDITIONS: &[&str] = &["涉及", "以上的", "还须", "绝密", "境外", "重大"];

/// 须经X审核、Y批准 / 经X审核，报Y审批 / 由A初审、B复审、C终审: an approval chain whose approvers the
/// text names, in order; what follows a condition (涉及重大…的, 还须) is a step for major items only.
/// 未经审批 (a circumstance) is no approval.
pub(super) fn approval_chain(d: &mut Draft, no: u32, sentence: &str) {
    if !STEP_VERBS.iter().any(|v| sentence.contains(v)) {
        return;
    }
    let mut found: Vec<(String, bool)> = Vec::new(); // (approver, major)
    let mut major = false;
    for clause in text::clauses(sentence) {
        if clause.contains("未经") || clause.contains("下列") {
            continue;
        }
        if CONDITIONS.iter().any(|c| clause.contains(c)) && !found.is_empty() {
            major = true;
        }
        for part in clause.split('、') {
            let Some((at, _)) = STEP_VERBS
                .iter()
                .filter_map(|v| part.find(v).map(|i| (i, *v)))
                .min()
            else {
                continue;
            };
            let head = &part[..at];
            // 由领导人员个人决定或者批准的: a case described, not an approval
            let verb_end = at
                + STEP_VERBS
                    .iter()
                    .find(|v| part[at..].starts_with(*v))
                    .map_or(0, |v| v.len());
            if part[verb_end..].starts_with('的') || head.contains('或') {
                continue;
            }
            let opened = STEP_OPENERS
                .iter()
                .filter_map(|m| head.rfind(m).map(|k| k + m.len()))
                .max();
            // a part without an opener continues a chain (…审核、校长批准)
            let who = match opened {
                Some(k) => &head[k..],
                None if !found.is_empty() => head,
                None => continue,
            };
            let who = who.trim().trim_start_matches('由');
            let n = who.chars().count();
            if n == 0 || n > 16 || (who.contains('的') && !who.starts_with("分管")) {
                continue;
            }
            if !approver_like(d, who) {
                continue; // 经常审核: 经 in a word, nobody named
            }
            // 数据所属部门负责人和分管副院长审批: two approvers, one after the other
            let people: Vec<&str> = who.split('和').map(str::trim).collect();
            let each = if people.len() > 1 && people.iter().all(|p| rules::is_person(p)) {
                people
            } else {
                vec![who]
            };
            for w in each {
                found.push((w.to_owned(), major));
            }
        }
    }
    if found.is_empty() {
        return;
    }
    let events = [
        "报告会",
        "讲座",
        "论坛",
        "讲堂",
        "研讨会",
        "活动",
        "沙龙",
        "演练",
    ];
    let kind = if sentence.contains("发布") || sentence.contains("上传") {
        // 必须经…审核 of a publication is the publication review's own rule
        if sentence.contains("必须经") {
            return;
        }
        WorkflowKind::Publication
    } else if events.iter().any(|e| sentence.contains(e)) {
        WorkflowKind::Event
    } else {
        WorkflowKind::Decision
    };
    // 涉及重大政策解读的，须报镇党委书记审定: a further step of the approval just read on this line
    let conditional = text::clauses(sentence)
        .first()
        .is_some_and(|c| c.ends_with('的') || CONDITIONS.iter().any(|k| c.contains(k)));
    if conditional && d.workflows.iter().any(|w| w.cite.src.last == no) {
        let mut extra = Vec::new();
        let mut unused = Cite::new(Src::line(no), Confidence::Medium, "");
        for (who, _) in &found {
            let id = approver(d, no, who, &mut unused);
            extra.push(StepEntry {
                title: format!("{who}审批（限定情形）"),
                role: id,
                major: true,
            });
        }
        let w = d
            .workflows
            .iter_mut()
            .rev()
            .find(|w| w.cite.src.last == no)
            .expect("a workflow on this line");
        w.steps.extend(extra);
        w.cite.questions.extend(unused.questions);
        return;
    }
    if found.iter().all(|(_, m)| *m) {
        found[0].1 = false;
    }
    let mut cite = Cite::new(
        Src::line(no),
        Confidence::Medium,
        "须经…审核/审批（审批链）",
    );
    let mut steps = Vec::new();
    for (who, major) in &found {
        let id = approver(d, no, who, &mut cite);
        steps.push(StepEntry {
            title: format!("{who}审批{}", if *major { "（限定情形）" } else { "" }),
            role: id,
            major: *major,
        });
    }
    // what is approved: the first clause, before 须经/由/实行
    let first = text::clauses(sentence).into_iter().next().unwrap_or("");
    let what = ["须经", "须由", "由", "实行", "须", "经"]
        .iter()
        .filter_map(|m| first.find(m))
        .min()
        .map_or(first, |k| &first[..k]);
    let what: String = what.trim().chars().take(30).collect();
    let what = if what.is_empty() {
        "事项".to_owned()
    } else {
        what
    };
    if kind == WorkflowKind::Decision {
        cite.ask(format!(
            "“{what}”的审批：是否作为决策流程（kind = \"decision\"）？"
        ));
    }
    let (id, title) = match kind {
        WorkflowKind::Publication => ("publication", format!("{what}发布审核")),
        WorkflowKind::Event => ("event_approval", format!("{what}审批")),
        WorkflowKind::Decision => ("approval", format!("{what}审批")),
    };
    d.workflows.push(WorkflowEntry {
        id: d.unique_workflow_id(id),
        title,
        kind,
        checklist: Vec::new(),
        requires_risk_assessment: false,
        steps,
        cite,
    });
}

/// Whether words name someone who can approve: a post, an officer, a known role, a department or a
/// meeting (党组会议, 局长办公会).
fn approver_like(d: &Draft, who: &str) -> bool {
    who.split('和').all(|w| {
        rules::is_person(w)
            || w.ends_with('员')
            || d.holder_role(w).is_some()
            || rules::ROLE_TERMS.iter().any(|t| w.ends_with(t.term))
            || rules::collective(w).is_some()
            || rules::department_like(w).is_some()
            || w.ends_with('会')
            || w.ends_with("会议")
    })
}

/// The role of an approver the text names: a role whose holder it names, a role of the lexicon, the
/// first responsible for a collective (党组会议, 局长办公会), else a new role with a question.
fn approver(d: &mut Draft, no: u32, who: &str, cite: &mut Cite) -> String {
    if let Some(id) = d.holder_role(who) {
        return id;
    }
    // 分管领导 / 分管副局长 whose holder the text does not name: a member of the leadership
    if who.starts_with("分管") && rules::is_person(who) && d.role("leadership").is_some() {
        cite.ask(format!(
            "“{who}”：已暂用 leadership（分管的班子成员），请确认"
        ));
        return "leadership".to_owned();
    }
    if let Some(t) = rules::ROLE_TERMS
        .iter()
        .find(|t| who.starts_with(t.term) || who.ends_with(t.term))
    {
        d.add_role(
            t.id,
            t.title,
            None,
            Cite::new(Src::line(no), Confidence::Medium, "审批人"),
        );
        return t.id.to_owned();
    }
    let collective =
        rules::collective(who).is_some() || who.ends_with('会') || who.ends_with("会议");
    if collective && d.role("first_responsible").is_some() {
        cite.ask(format!(
            "“{who}”集体审批：已暂用 first_responsible（主持人），请确认"
        ));
        return "first_responsible".to_owned();
    }
    let id = d.unique_role_id("approver");
    let mut c = Cite::new(Src::line(no), Confidence::Low, format!("审批人“{who}”"));
    c.ask(format!(
        "审批人“{who}”新设为角色 {id}：请确认，并改成有意义的 id"
    ));
    d.add_role(&id, who, None, c);
    id
}

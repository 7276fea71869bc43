//! The responsibility list (责任清单) a policy implies: for each role, most senior first, the bodies
//! it sits on, the duties it answers for (with their frequency in Chinese), the review steps it
//! decides, its untimed responsibilities and those of the bodies it sits on; then each body's remit
//! and responsibilities. Entries from a standard fragment are marked as not from the seed text.

use std::fmt::Write;

use crate::diff::due_zh;
use crate::model::*;

/// What one role answers for.
#[derive(Debug, Clone)]
pub struct RoleList<'p> {
    pub role: &'p Role,
    /// (body, position in Chinese: 组长 / 副组长 / 成员)
    pub bodies: Vec<(&'p Body, &'static str)>,
    pub duties: Vec<&'p Duty>,
    /// (workflow, step)
    pub steps: Vec<(&'p Workflow, &'p Step)>,
    /// Workflows whose secrecy markings the role clears by a 解密/定密 decision.
    pub declassifies: Vec<&'p Workflow>,
    /// Workflows whose steps the role may 转交.
    pub reassigns: Vec<&'p Workflow>,
    pub responsibilities: Vec<&'p Responsibility>,
    /// The responsibilities of the bodies the role sits on (chair, deputy or member), each with
    /// its body, in the order of the bodies.
    pub body_responsibilities: Vec<(&'p Body, &'p Responsibility)>,
    pub incident_officer: bool,
}

/// What one body answers for.
#[derive(Debug, Clone)]
pub struct BodyList<'p> {
    pub body: &'p Body,
    pub responsibilities: Vec<&'p Responsibility>,
}

/// The whole responsibility list of a policy.
#[derive(Debug, Clone)]
pub struct Explanation<'p> {
    pub policy: &'p Policy,
    /// By rank, most senior first ([`Policy::role_rank`]).
    pub roles: Vec<RoleList<'p>>,
    pub bodies: Vec<BodyList<'p>>,
    /// Duties with no owner and no role: the unit as a whole answers for them.
    pub unit_duties: Vec<&'p Duty>,
}

/// What a body's chair, deputies and members are called, from the kind of body its title names:
/// a group has 组长, an office 主任, a party organisation 书记, a committee 主任委员.
pub fn positions(body_title: &str) -> [&'static str; 3] {
    let t = body_title.trim_end_matches(|c: char| c == '）' || c == ')' || !c.is_alphanumeric());
    let t = t.split(['（', '(']).next().unwrap_or(t);
    if t.ends_with("小组") || t.ends_with("组") {
        ["组长", "副组长", "成员"]
    } else if t.ends_with("办公室") || t.ends_with("中心") {
        ["主任", "副主任", "成员"]
    } else if t.ends_with("党委")
        || t.ends_with("党支部")
        || t.ends_with("党总支")
        || t.ends_with("党组")
        || t.ends_with("支部")
    {
        ["书记", "副书记", "委员"]
    } else if t.ends_with("班子") {
        ["主要负责人", "成员", "成员"]
    } else if t.ends_with("委员会") {
        ["主任委员", "副主任委员", "委员"]
    } else {
        ["负责人", "副职", "成员"]
    }
}

pub fn explain(policy: &Policy) -> Explanation<'_> {
    let roles = policy
        .roles_by_rank()
        .into_iter()
        .map(|role| {
            let mut bodies = Vec::new();
            for b in &policy.bodies {
                let [chair, deputy, member] = positions(&b.title);
                if b.chair.contains(&role.id) {
                    bodies.push((b, chair));
                }
                if b.deputies.contains(&role.id) {
                    bodies.push((b, deputy));
                }
                if b.members.contains(&role.id) {
                    bodies.push((b, member));
                }
            }
            RoleList {
                role,
                bodies,
                duties: policy
                    .duties
                    .iter()
                    .filter(|d| d.answering_role() == Some(&role.id))
                    .collect(),
                steps: policy
                    .workflows
                    .iter()
                    .flat_map(|w| w.steps.iter().map(move |s| (w, s)))
                    .filter(|(_, s)| s.role == role.id)
                    .collect(),
                declassifies: policy
                    .workflows
                    .iter()
                    .filter(|w| w.declassified_by.as_ref() == Some(&role.id))
                    .collect(),
                reassigns: policy
                    .workflows
                    .iter()
                    .filter(|w| w.reassigned_by.as_ref() == Some(&role.id))
                    .collect(),
                responsibilities: policy
                    .responsibilities
                    .iter()
                    .filter(|r| r.who == Answerer::Role(role.id.clone()))
                    .collect(),
                body_responsibilities: policy
                    .bodies
                    .iter()
                    .filter(|b| {
                        b.chair.contains(&role.id)
                            || b.deputies.contains(&role.id)
                            || b.members.contains(&role.id)
                    })
                    .flat_map(|b| {
                        policy
                            .responsibilities
                            .iter()
                            .filter(move |r| r.who == Answerer::Body(b.id.clone()))
                            .map(move |r| (b, r))
                    })
                    .collect(),
                incident_officer: policy.incidents.as_ref().and_then(|i| i.officer.as_ref())
                    == Some(&role.id),
            }
        })
        .collect();
    let bodies = policy
        .bodies
        .iter()
        .map(|body| BodyList {
            body,
            responsibilities: policy
                .responsibilities
                .iter()
                .filter(|r| r.who == Answerer::Body(body.id.clone()))
                .collect(),
        })
        .collect();
    let unit_duties = policy
        .duties
        .iter()
        .filter(|d| d.answering_role().is_none())
        .collect();
    Explanation {
        policy,
        roles,
        bodies,
        unit_duties,
    }
}

/// Where an entry comes from, as a trailing mark: its seed line, or that it is from a fragment.
fn mark(origin: Origin<'_>, source: Option<SourceRef>) -> String {
    match (origin, source) {
        (Origin::Fragment(_), _) => format!("〔{}〕", Origin::FRAGMENT_ZH),
        (Origin::Policy, Some(src)) => format!("〔{src}〕"),
        (Origin::Policy, None) => String::new(),
    }
}

fn duty_line(p: &Policy, d: &Duty) -> String {
    let mut s = format!("{}：{}", d.title, d.frequency_zh());
    if d.per == Per::Holder {
        s.push_str("（每人）");
    }
    if d.at != At::SelfUnit {
        let _ = write!(s, "，由{}完成", d.at.zh());
    }
    if d.every != Frequency::Holiday && d.due != DueRule::End {
        let _ = write!(s, "，{}前完成", due_zh(d.due));
    }
    if d.report_to_parent {
        s.push_str("，报上级");
    }
    if !d.evidence.is_empty() {
        let ev: Vec<&str> = d.evidence.iter().map(|e| e.zh()).collect();
        let _ = write!(s, "，佐证材料：{}", ev.join("、"));
    }
    s + &mark(p.duty_origin(&d.id), d.source)
}

fn resp_line(p: &Policy, r: &Responsibility) -> String {
    let mut s = r.text.clone();
    if r.at != At::SelfUnit {
        let _ = write!(s, "（{}）", r.at.zh());
    }
    let origin = p
        .responsibilities
        .iter()
        .position(|x| std::ptr::eq(x, r))
        .map_or(Origin::Policy, |i| p.responsibility_origin(i));
    s + &mark(origin, r.source)
}

impl Explanation<'_> {
    /// The list as plain text in Chinese, for the terminal and for printing.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let p = self.policy;
        let _ = writeln!(out, "{} 责任清单", p.meta.title);
        if let Some(sys) = &p.meta.system {
            let _ = writeln!(out, "（{sys}）");
        }
        for r in &self.roles {
            let _ = writeln!(out);
            let _ = write!(out, "【{}】", r.role.title);
            if let Some(h) = &r.role.held_by {
                let _ = write!(out, "通常由{h}担任");
            }
            let _ = writeln!(out);
            for (b, pos) in &r.bodies {
                let _ = writeln!(out, "  · 任{}{}", b.title, pos);
            }
            if r.incident_officer {
                let _ = writeln!(out, "  · 负责舆情信息的收集、记录和报告");
            }
            for i in &p.inspections {
                if i.by == Inspector::Role(r.role.id.clone()) {
                    let _ = writeln!(out, "  · 组织{}（督查对象：{}）", i.title, i.of.zh());
                }
            }
            for l in p.incidents.iter().flat_map(|i| &i.levels) {
                if l.sign_off.as_ref() == Some(&r.role.id) {
                    let _ = writeln!(out, "  · 签发{}报告", l.title);
                }
                if l.close_review == Some(ClosureReviewer::Role(r.role.id.clone())) {
                    let _ = writeln!(out, "  · 审核{}的办结", l.title);
                }
            }
            if !r.duties.is_empty() {
                let _ = writeln!(out, "  定期工作：");
                for d in &r.duties {
                    let _ = writeln!(out, "    - {}", duty_line(p, d));
                }
            }
            if !r.steps.is_empty() {
                let _ = writeln!(out, "  审核审批：");
                for (w, s) in &r.steps {
                    let mut line = format!("    - {}：{}", w.title, s.title);
                    if s.major_only {
                        line.push_str("（仅重大事项）");
                    }
                    if s.foreign_speaker_only {
                        line.push_str("（仅境外人员主讲）");
                    }
                    line.push_str(&mark(p.workflow_origin(&w.id), None));
                    let _ = writeln!(out, "{line}");
                }
            }
            for w in &r.declassifies {
                let _ = writeln!(out, "  确认解密（定密）：{}中发现的密级标志", w.title);
            }
            for w in &r.reassigns {
                let _ = writeln!(out, "  转交审核步骤：{}", w.title);
            }
            if !r.responsibilities.is_empty() {
                let _ = writeln!(out, "  日常职责：");
                for x in &r.responsibilities {
                    let _ = writeln!(out, "    - {}", resp_line(p, x));
                }
            }
            if !r.body_responsibilities.is_empty() {
                // Listed once under each body below; a person's page lists them under the role.
                let mut titles: Vec<String> = Vec::new();
                for (b, _) in &r.body_responsibilities {
                    let t = format!("【{}】", b.title);
                    if !titles.contains(&t) {
                        titles.push(t);
                    }
                }
                let n = r.body_responsibilities.len();
                let _ = writeln!(out, "  所在机构职责：{n}项，见{}", titles.join(""));
            }
            if r.bodies.is_empty()
                && r.duties.is_empty()
                && r.steps.is_empty()
                && r.declassifies.is_empty()
                && r.reassigns.is_empty()
                && r.responsibilities.is_empty()
                && !r.incident_officer
            {
                let _ = writeln!(out, "  （本办法未规定具体职责）");
            }
        }
        for b in &self.bodies {
            let _ = writeln!(out);
            let _ = writeln!(out, "【{}】", b.body.title);
            if let Some(w) = b.body.within.as_ref().and_then(|w| p.body(w)) {
                let _ = writeln!(out, "  设在{}下", w.title);
            }
            if let Some(remit) = &b.body.remit {
                let _ = writeln!(out, "  职责：{remit}");
            }
            for x in &b.responsibilities {
                let _ = writeln!(out, "    - {}", resp_line(p, x));
            }
        }
        if !self.unit_duties.is_empty() {
            let _ = writeln!(out);
            let _ = writeln!(out, "【本单位（未指定责任人）】");
            for d in &self.unit_duties {
                let _ = writeln!(out, "    - {}", duty_line(p, d));
            }
        }
        if !p.inspections.is_empty() {
            let _ = writeln!(out);
            let _ = writeln!(out, "【督查】");
            for i in &p.inspections {
                let by = match &i.by {
                    Inspector::SelfUnit => "本单位".to_owned(),
                    Inspector::Parent => "上级".to_owned(),
                    Inspector::Role(r) => p.role_title(r).to_owned(),
                    Inspector::Body(b) => p.body(b).map_or(b.to_string(), |x| x.title.clone()),
                };
                let whom = if i.is_self_inspection() {
                    "自查".to_owned()
                } else {
                    format!("督查{}", i.of.zh())
                };
                let when = i
                    .duty
                    .as_ref()
                    .and_then(|d| p.duty(d))
                    .map_or("定期".to_owned(), |d| d.frequency_zh());
                let mut head = format!("  · {}：{by}{whom}，{when}", i.title);
                if let Some(src) = i.source {
                    let _ = write!(head, "〔{src}〕");
                }
                let _ = writeln!(out, "{head}");
                for c in &i.checklist {
                    let item = match c {
                        CheckItem::Duty(d) => p.duty(d).map_or(d.to_string(), |x| x.title.clone()),
                        CheckItem::Item(id) => p
                            .assessment
                            .iter()
                            .flat_map(|a| &a.items)
                            .find(|x| &x.id == id)
                            .map_or(id.to_string(), |x| x.title.clone()),
                        CheckItem::Text(t) => t.clone(),
                    };
                    let _ = writeln!(out, "    - 检查：{item}");
                }
                if let Some(t) = &i.results_to {
                    let to = match t {
                        ResultsTo::Parent => "上级".to_owned(),
                        ResultsTo::Body(b) => p.body(b).map_or(b.to_string(), |x| x.title.clone()),
                        ResultsTo::Role(r) => p.role_title(r).to_owned(),
                    };
                    let _ = writeln!(out, "    - 结果报送：{to}");
                }
                if let Some(u) = &i.results_use {
                    let _ = writeln!(out, "    - 结果运用：{u}");
                }
            }
        }
        if let Some(inc) = p.incidents.as_ref().filter(|i| !i.levels.is_empty()) {
            let _ = writeln!(out);
            let _ = writeln!(
                out,
                "【事件报告规定】（按24小时自然时间计，不受节假日和调休影响）"
            );
            for l in &inc.levels {
                let mut head = format!("  · {}", l.title);
                if let Some(src) = l.source {
                    let _ = write!(head, "〔{src}〕");
                }
                let _ = writeln!(out, "{head}");
                for r in l.rules_zh(p) {
                    let _ = writeln!(out, "    - {r}");
                }
            }
        }
        for f in &p.included {
            let _ = writeln!(out);
            let _ = writeln!(out, "【标准片段：{}】{}", f.title, Origin::FRAGMENT_ZH);
            if let Some(d) = &f.description {
                let _ = writeln!(out, "  {d}");
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse;

    #[test]
    fn body_positions_follow_the_kind_of_body() {
        assert_eq!(
            positions("意识形态工作领导小组"),
            ["组长", "副组长", "成员"]
        );
        assert_eq!(
            positions("领导小组办公室（设在机关办公室）"),
            ["主任", "副主任", "成员"]
        );
        assert_eq!(positions("市社党委"), ["书记", "副书记", "委员"]);
        assert_eq!(
            positions("校党支部领导班子"),
            ["主要负责人", "成员", "成员"]
        );
        assert_eq!(positions("某某机构"), ["负责人", "副职", "成员"]);
    }

    #[test]
    fn lists_duties_steps_bodies_and_responsibilities_per_role() {
        let text = r#"format = 1
[policy]
id = "t"
title = "测试办法"
[roles.first_responsible]
title = "第一责任人"
held_by = "党支部书记"
[roles.leadership]
title = "班子成员"
[bodies.leading_group]
title = "领导小组"
chair = ["first_responsible"]
members = ["leadership"]
[duties.quarterly_study]
title = "专题学习"
every = "quarter"
owner = "first_responsible"
evidence = ["minutes"]
source = "L91"
[duties.lecture]
title = "专题授课"
every = "year"
per = "holder"
role = "leadership"
[duties.branch]
title = "支部汇报"
every = "half_year"
at = "children"
report_to = "parent"
[[responsibilities]]
role = "first_responsible"
text = "重要工作亲自部署"
[workflows.publication]
title = "信息发布审核"
kind = "publication"
declassified_by = "first_responsible"
reassigned_by = "leadership"
[[workflows.publication.steps]]
title = "主要领导审批"
role = "first_responsible"
when = "major"
"#;
        let p = parse("t", text).unwrap();
        let e = explain(&p);
        let t = e.to_text();
        assert!(
            t.contains("确认解密（定密）：信息发布审核中发现的密级标志"),
            "{t}"
        );
        assert!(t.contains("转交审核步骤：信息发布审核"), "{t}");
        assert_eq!(e.roles[0].duties.len(), 1);
        assert_eq!(e.roles[1].duties[0].title, "专题授课");
        assert_eq!(e.unit_duties[0].title, "支部汇报");
        let t = e.to_text();
        assert!(
            t.contains("【第一责任人】通常由党支部书记担任\n  · 任领导小组组长\n"),
            "{t}"
        );
        assert!(
            t.contains("    - 专题学习：每季度至少1次，佐证材料：会议记录〔L91〕\n"),
            "{t}"
        );
        assert!(
            t.contains("    - 信息发布审核：主要领导审批（仅重大事项）\n"),
            "{t}"
        );
        assert!(t.contains("    - 重要工作亲自部署\n"), "{t}");
        assert!(t.contains("    - 专题授课：每年至少1次（每人）\n"), "{t}");
        assert!(
            t.contains("    - 支部汇报：每半年至少1次，由各下级单位完成，报上级\n"),
            "{t}"
        );
    }
}

//! What changed between two versions of a policy, in words a party secretary understands:
//! roles, bodies, duties, responsibilities, workflows, channels, incident levels, assessment
//! items and accountability rules added, removed or changed.

use std::fmt;

use serde::Serialize;

use crate::model::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
}

/// Which part of the policy a change concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    Policy,
    Role,
    Body,
    Duty,
    Responsibility,
    Workflow,
    Channels,
    IncidentLevel,
    AssessmentItem,
    Accountability,
    Inspection,
    Severity,
}

impl Section {
    fn zh(self) -> &'static str {
        match self {
            Section::Policy => "实施办法",
            Section::Role => "角色",
            Section::Body => "机构",
            Section::Duty => "工作任务",
            Section::Responsibility => "职责",
            Section::Workflow => "审核流程",
            Section::Channels => "阵地",
            Section::IncidentLevel => "舆情等级",
            Section::AssessmentItem => "考核项目",
            Section::Accountability => "责任追究",
            Section::Inspection => "督查",
            Section::Severity => "问题等级",
        }
    }
}

/// One change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub section: Section,
    pub kind: ChangeKind,
    /// The id of what changed, when it has one.
    pub id: Option<String>,
    /// Its title (the new one when it changed).
    pub title: String,
    /// For changes: each difference, in Chinese ("频次：每季度至少1次 → 每月至少1次").
    pub details: Vec<String>,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.section.zh();
        match self.kind {
            ChangeKind::Added => write!(f, "新增{s}：{}", self.title)?,
            ChangeKind::Removed => write!(f, "删除{s}：{}", self.title)?,
            ChangeKind::Changed => write!(f, "修改{s}“{}”", self.title)?,
        }
        if !self.details.is_empty() {
            write!(f, "（{}）", self.details.join("；"))?;
        }
        Ok(())
    }
}

/// All changes from one version to the next, in the order of the sections above.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct PolicyDiff {
    pub changes: Vec<Change>,
}

impl PolicyDiff {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}

impl fmt::Display for PolicyDiff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.changes.is_empty() {
            return writeln!(f, "两个版本的内容相同。");
        }
        for c in &self.changes {
            writeln!(f, "- {c}")?;
        }
        Ok(())
    }
}

/// Collects "field: old → new" lines.
struct Fields<'a> {
    out: Vec<String>,
    old: &'a Policy,
    new: &'a Policy,
}

impl Fields<'_> {
    fn cmp<T: PartialEq>(&mut self, label: &str, a: T, b: T, show: impl Fn(&T) -> String) {
        if a != b {
            self.out
                .push(format!("{label}：{} → {}", show(&a), show(&b)));
        }
    }
    fn roles(&self, p: &Policy, ids: &[RoleId]) -> String {
        if ids.is_empty() {
            return "无".into();
        }
        ids.iter()
            .map(|r| p.role_title(r).to_owned())
            .collect::<Vec<_>>()
            .join("、")
    }
    fn role_field(&mut self, label: &str, a: &Option<RoleId>, b: &Option<RoleId>) {
        if a != b {
            let show = |p: &Policy, r: &Option<RoleId>| {
                r.as_ref()
                    .map_or("无".to_owned(), |r| p.role_title(r).to_owned())
            };
            let line = format!("{label}：{} → {}", show(self.old, a), show(self.new, b));
            self.out.push(line);
        }
    }
    fn role_list(&mut self, label: &str, a: &[RoleId], b: &[RoleId]) {
        if a != b {
            let line = format!(
                "{label}：{} → {}",
                self.roles(self.old, a),
                self.roles(self.new, b)
            );
            self.out.push(line);
        }
    }
}

fn opt(s: &Option<String>) -> String {
    s.clone().unwrap_or_else(|| "无".into())
}

fn list<T>(xs: &[T], f: impl Fn(&T) -> String) -> String {
    if xs.is_empty() {
        "无".into()
    } else {
        xs.iter().map(f).collect::<Vec<_>>().join("、")
    }
}

fn holders_zh(h: &Holders) -> String {
    match h.max {
        Some(max) if max == h.min => format!("{max}人"),
        Some(max) => format!("{}至{max}人", h.min),
        None if h.min == 0 => "不限".into(),
        None => format!("至少{}人", h.min),
    }
}

/// Compares items of one section matched by `key`; `label` gives an item's id and title.
fn keyed<T, K: PartialEq>(
    out: &mut Vec<Change>,
    section: Section,
    old: &[T],
    new: &[T],
    key: impl Fn(&T) -> K,
    label: impl Fn(&T) -> (String, String),
    mut details: impl FnMut(&T, &T) -> Vec<String>,
) {
    for n in new {
        match old.iter().find(|o| key(o) == key(n)) {
            None => out.push(Change {
                section,
                kind: ChangeKind::Added,
                id: Some(label(n).0),
                title: label(n).1,
                details: Vec::new(),
            }),
            Some(o) => {
                let d = details(o, n);
                if !d.is_empty() {
                    out.push(Change {
                        section,
                        kind: ChangeKind::Changed,
                        id: Some(label(n).0),
                        title: label(n).1,
                        details: d,
                    });
                }
            }
        }
    }
    for o in old {
        if !new.iter().any(|n| key(n) == key(o)) {
            out.push(Change {
                section,
                kind: ChangeKind::Removed,
                id: Some(label(o).0),
                title: label(o).1,
                details: Vec::new(),
            });
        }
    }
}

/// The changes from `old` to `new`.
pub fn diff(old: &Policy, new: &Policy) -> PolicyDiff {
    let mut out = Vec::new();
    fn fields<'a>(old: &'a Policy, new: &'a Policy) -> Fields<'a> {
        Fields {
            out: Vec::new(),
            old,
            new,
        }
    }

    {
        let mut f = fields(old, new);
        let (a, b) = (&old.meta, &new.meta);
        f.cmp("标题", &a.title, &b.title, |s| s.to_string());
        f.cmp("版本", &a.version, &b.version, |s| opt(s));
        f.cmp("制定单位", &a.issued_by, &b.issued_by, |s| opt(s));
        f.cmp("依据", &a.based_on, &b.based_on, |s| {
            list(s, |x| x.clone())
        });
        if !f.out.is_empty() {
            out.push(Change {
                section: Section::Policy,
                kind: ChangeKind::Changed,
                id: Some(b.id.to_string()),
                title: b.title.clone(),
                details: f.out,
            });
        }
    }

    keyed(
        &mut out,
        Section::Role,
        &old.roles,
        &new.roles,
        |r| r.id.clone(),
        |r| (r.id.to_string(), r.title.clone()),
        |a, b| {
            let mut f = fields(old, new);
            f.cmp("名称", &a.title, &b.title, |s| s.to_string());
            f.cmp("通常由", &a.held_by, &b.held_by, |s| opt(s));
            f.cmp("人数", &a.holders, &b.holders, |h| holders_zh(h));
            f.out
        },
    );

    keyed(
        &mut out,
        Section::Body,
        &old.bodies,
        &new.bodies,
        |b| b.id.clone(),
        |b| (b.id.to_string(), b.title.clone()),
        |a, b| {
            let mut f = fields(old, new);
            f.cmp("名称", &a.title, &b.title, |s| s.to_string());
            f.role_list("组长", &a.chair, &b.chair);
            f.role_list("副组长", &a.deputies, &b.deputies);
            f.role_list("成员", &a.members, &b.members);
            f.cmp("职责", &a.remit, &b.remit, |s| opt(s));
            f.out
        },
    );

    keyed(
        &mut out,
        Section::Duty,
        &old.duties,
        &new.duties,
        |d| d.id.clone(),
        |d| (d.id.to_string(), d.title.clone()),
        |a, b| {
            let mut f = fields(old, new);
            f.cmp("名称", &a.title, &b.title, |s| s.to_string());
            f.cmp("频次", a.frequency_zh(), b.frequency_zh(), |s| s.clone());
            f.role_field("责任人", &a.owner, &b.owner);
            f.cmp("分解方式", a.per, b.per, |p| p.zh().to_owned());
            f.role_field("按此角色分解", &a.role, &b.role);
            f.cmp("佐证材料", &a.evidence, &b.evidence, |e| {
                list(e, |x| x.zh().to_owned())
            });
            f.cmp(
                "报送上级",
                a.report_to_parent,
                b.report_to_parent,
                |x| if *x { "是" } else { "否" }.to_owned(),
            );
            f.cmp("到期规则", a.due, b.due, |d| due_zh(*d));
            f.cmp("遇节假日", a.workday, b.workday, |w| w.zh().to_owned());
            f.cmp("适用单位", &a.at, &b.at, |x| x.zh());
            f.cmp("说明", &a.description, &b.description, |s| opt(s));
            f.out
        },
    );

    // Responsibilities have no id: they are matched by who answers and the text.
    keyed(
        &mut out,
        Section::Responsibility,
        &old.responsibilities,
        &new.responsibilities,
        |r| (r.who.clone(), r.text.clone(), r.at.clone()),
        |r| {
            let who = match &r.who {
                Answerer::Role(x) => x.to_string(),
                Answerer::Body(x) => x.to_string(),
            };
            (who, r.text.clone())
        },
        |_, _| Vec::new(),
    );

    keyed(
        &mut out,
        Section::Workflow,
        &old.workflows,
        &new.workflows,
        |w| w.id.clone(),
        |w| (w.id.to_string(), w.title.clone()),
        |a, b| {
            let mut f = fields(old, new);
            f.cmp("名称", &a.title, &b.title, |s| s.to_string());
            f.cmp("类型", a.kind, b.kind, |k| k.zh().to_owned());
            f.cmp("审核要点", &a.checklist, &b.checklist, |c| {
                list(c, |x| x.clone())
            });
            f.cmp("自动扫描", a.scan, b.scan, |x| {
                if *x { "是" } else { "否" }.to_owned()
            });
            f.cmp("前置条件", &a.requires, &b.requires, |r| {
                list(r, |x| x.zh().to_owned())
            });
            f.role_field("确认解密的角色", &a.declassified_by, &b.declassified_by);
            f.role_field("可转交的角色", &a.reassigned_by, &b.reassigned_by);
            let steps = |p: &Policy, w: &Workflow| {
                list(&w.steps, |s| {
                    let mut t = format!("{}（{}", s.title, p.role_title(&s.role));
                    if s.major_only {
                        t.push_str("，仅重大事项");
                    }
                    if s.foreign_speaker_only {
                        t.push_str("，仅境外人员主讲");
                    }
                    if s.all {
                        t.push_str("，会签");
                    }
                    t.push('）');
                    t
                })
            };
            let (sa, sb) = (steps(old, a), steps(new, b));
            if sa != sb {
                f.out.push(format!("审核步骤：{sa} → {sb}"));
            }
            f.out
        },
    );

    {
        let mut f = fields(old, new);
        let kinds = |c: &Option<Channels>| c.as_ref().map(|c| c.kinds.clone()).unwrap_or_default();
        f.cmp(
            "阵地类型",
            kinds(&old.channels),
            kinds(&new.channels),
            |k| list(k, |x| x.zh().to_owned()),
        );
        let restrict = |c: &Option<Channels>| c.as_ref().is_some_and(|c| c.restrict_urls);
        f.cmp(
            "发布地址限于阵地域名",
            restrict(&old.channels),
            restrict(&new.channels),
            |x| if *x { "是" } else { "否" }.to_owned(),
        );
        let every = |c: &Option<Channels>| c.as_ref().and_then(|c| c.review_every);
        f.cmp(
            "定期检查",
            every(&old.channels),
            every(&new.channels),
            |e| e.map_or("无".into(), |x| x.zh().to_owned()),
        );
        if !f.out.is_empty() {
            out.push(Change {
                section: Section::Channels,
                kind: ChangeKind::Changed,
                id: None,
                title: "阵地管理".into(),
                details: f.out,
            });
        }
    }

    let levels = |p: &Policy| {
        p.incidents
            .as_ref()
            .map(|i| i.levels.clone())
            .unwrap_or_default()
    };
    keyed(
        &mut out,
        Section::IncidentLevel,
        &levels(old),
        &levels(new),
        |l| l.id.clone(),
        |l| (l.id.to_string(), l.title.clone()),
        |a, b| {
            let mut f = fields(old, new);
            f.cmp("名称", &a.title, &b.title, |s| s.to_string());
            f.cmp("报告时限", a.report_within, b.report_within, |r| {
                r.map_or("无".into(), |x| x.zh())
            });
            f.cmp(
                "报告上级",
                a.escalate_to_parent,
                b.escalate_to_parent,
                |x| if *x { "是" } else { "否" }.to_owned(),
            );
            f.cmp("办结时限", a.close_within, b.close_within, |d| {
                d.map_or("无".into(), |x| x.zh())
            });
            f.cmp(
                "按单位类型的报告时限",
                &a.report_within_by_kind,
                &b.report_within_by_kind,
                |v| {
                    if v.is_empty() {
                        return "无".into();
                    }
                    v.iter()
                        .map(|(k, r)| format!("{}{}", k.zh(), r.zh()))
                        .collect::<Vec<_>>()
                        .join("、")
                },
            );
            // Everything else the level says, as its rules read in Chinese.
            let rest = |p: &Policy, l: &IncidentLevel| {
                l.rules_zh(p)
                    .into_iter()
                    .filter(|r| !r.starts_with("初报") && !r.starts_with("办结："))
                    .collect::<Vec<_>>()
                    .join("；")
            };
            f.cmp("报告规定", rest(old, a), rest(new, b), |s| {
                if s.is_empty() {
                    "无".into()
                } else {
                    s.clone()
                }
            });
            f.out
        },
    );

    let items = |p: &Policy| {
        p.assessment
            .as_ref()
            .map(|a| a.items.clone())
            .unwrap_or_default()
    };
    keyed(
        &mut out,
        Section::AssessmentItem,
        &items(old),
        &items(new),
        |i| i.id.clone(),
        |i| (i.id.to_string(), i.title.clone()),
        |a, b| {
            let mut f = fields(old, new);
            f.cmp("名称", &a.title, &b.title, |s| s.to_string());
            f.cmp("权重", a.weight, b.weight, |w| {
                w.map_or("无".into(), |x| format!("{x}分"))
            });
            f.cmp("计分方式", &a.measure, &b.measure, |m| match m {
                Measure::Manual => "人工评分".to_owned(),
                Measure::Duty(d) => format!("按工作任务“{d}”按时完成率"),
                m => m.zh(new),
            });
            f.cmp("分值", a.points, b.points, |p| {
                p.map_or("无".into(), |x| format!("{x}分"))
            });
            f.cmp("评分细则", &a.rule, &b.rule, |r| {
                r.as_ref().map_or("无".into(), |r| format!("{r:?}"))
            });
            f.cmp("所属指标", &a.under, &b.under, |u| {
                u.as_ref().map_or("无".into(), |x| x.to_string())
            });
            f.out
        },
    );

    {
        let circ = |p: &Policy| {
            p.accountability
                .as_ref()
                .map(|a| a.circumstances.clone())
                .unwrap_or_default()
        };
        let (ca, cb) = (circ(old), circ(new));
        let mut f = fields(old, new);
        let measures = |p: &Policy| {
            p.accountability
                .as_ref()
                .map(|a| a.measures.clone())
                .unwrap_or_default()
        };
        f.cmp("问责方式", measures(old), measures(new), |m| {
            list(m, |x| x.clone())
        });
        let consequence = |p: &Policy| {
            p.accountability
                .as_ref()
                .and_then(|a| a.consequence.clone())
        };
        f.cmp("影响", consequence(old), consequence(new), opt);
        let filing = |p: &Policy| {
            p.accountability
                .as_ref()
                .is_some_and(|a| a.filing_to_parent)
        };
        f.cmp("报上级备案", filing(old), filing(new), |x| {
            if *x { "是" } else { "否" }.to_owned()
        });
        for c in &cb {
            match ca.iter().find(|o| o.id == c.id) {
                None => f.out.push(format!("新增情形：{}", c.text)),
                Some(o) if o.text != c.text => {
                    f.out.push(format!("修改情形：{} → {}", o.text, c.text))
                }
                _ => {}
            }
        }
        for o in &ca {
            if !cb.iter().any(|c| c.id == o.id) {
                f.out.push(format!("删除情形：{}", o.text));
            }
        }
        if !f.out.is_empty() {
            out.push(Change {
                section: Section::Accountability,
                kind: ChangeKind::Changed,
                id: None,
                title: "责任追究".into(),
                details: f.out,
            });
        }
    }

    keyed(
        &mut out,
        Section::Inspection,
        &old.inspections,
        &new.inspections,
        |i| i.id.clone(),
        |i| (i.id.to_string(), i.title.clone()),
        |a, b| {
            let mut f = fields(old, new);
            f.cmp("名称", &a.title, &b.title, |s| s.to_string());
            f.cmp("督查方", &a.by, &b.by, |x| format!("{x:?}"));
            f.cmp("督查对象", &a.of, &b.of, |x| x.zh());
            f.cmp("检查内容", &a.checklist, &b.checklist, |c| {
                format!("{}项", c.len())
            });
            f.out
        },
    );
    let severities = |p: &Policy| {
        p.rectification
            .as_ref()
            .map(|r| r.severities.clone())
            .unwrap_or_default()
    };
    keyed(
        &mut out,
        Section::Severity,
        &severities(old),
        &severities(new),
        |s| s.id.clone(),
        |s| (s.id.to_string(), s.title.clone()),
        |a, b| {
            let mut f = fields(old, new);
            f.cmp("名称", &a.title, &b.title, |s| s.to_string());
            f.cmp("整改方式", a.kind, b.kind, |k| k.zh().to_owned());
            f.cmp("整改期限", a.within, b.within, |d| {
                d.map_or("无".into(), |x| x.zh())
            });
            f.out
        },
    );

    PolicyDiff { changes: out }
}

/// A due rule in Chinese: 期末, 周期开始后15天, 每年12月20日.
pub fn due_zh(d: DueRule) -> String {
    match d {
        DueRule::End => "周期最后一天".into(),
        DueRule::StartPlus { days } => format!("周期开始后{days}天"),
        DueRule::MonthDay { month, day } => format!("每年{month}月{day}日"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse;

    const BASE: &str = r#"format = 1
[policy]
id = "t"
title = "测试办法"
[roles.first_responsible]
title = "第一责任人"
holders = { min = 1, max = 1 }
[roles.officer]
title = "舆情信息员"
[duties.study]
title = "专题学习"
every = "quarter"
owner = "first_responsible"
evidence = ["minutes", "attendance"]
[[responsibilities]]
role = "first_responsible"
text = "带头抓意识形态工作"
"#;

    #[test]
    fn identical_policies_have_no_changes() {
        let a = parse("a", BASE).unwrap();
        let d = diff(&a, &a);
        assert!(d.is_empty());
        assert_eq!(d.to_string(), "两个版本的内容相同。\n");
    }

    #[test]
    fn additions_removals_and_changes_in_words() {
        let a = parse("a", BASE).unwrap();
        let new = BASE
            .replace("every = \"quarter\"", "every = \"month\"")
            .replace("evidence = [\"minutes\", \"attendance\"]", "evidence = [\"minutes\"]")
            .replace("[roles.officer]\ntitle = \"舆情信息员\"\n", "")
            + "[duties.report]\ntitle = \"半年报告\"\nevery = \"half_year\"\nreport_to = \"parent\"\n";
        let b = parse("b", &new).unwrap();
        let text = diff(&a, &b).to_string();
        assert_eq!(
            text,
            "- 删除角色：舆情信息员\n\
             - 修改工作任务“专题学习”（频次：每季度至少1次 → 每月至少1次；佐证材料：会议记录、参加人员 → 会议记录）\n\
             - 新增工作任务：半年报告\n"
        );
    }
}

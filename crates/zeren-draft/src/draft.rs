//! Reading a text into draft entries, each with its source lines, confidence and open questions.

use crate::rules::{self, Every, Target};
use crate::text::{self, Enumerator, Line};

/// Lines of the source text an entry comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Src {
    pub first: u32,
    pub last: u32,
}

impl Src {
    pub fn line(no: u32) -> Self {
        Src {
            first: no,
            last: no,
        }
    }
    /// `L91` or `L76-L77`, as the policy format's `source` reads it.
    pub fn key(self) -> String {
        if self.first == self.last {
            format!("L{}", self.first)
        } else {
            format!("L{}-L{}", self.first, self.last)
        }
    }
    fn join(self, other: Src) -> Src {
        Src {
            first: self.first.min(other.first),
            last: self.last.max(other.last),
        }
    }
}

/// How sure the rule that made an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Confidence {
    Low,
    Medium,
    High,
}

impl Confidence {
    pub fn zh(self) -> &'static str {
        match self {
            Confidence::High => "高",
            Confidence::Medium => "中",
            Confidence::Low => "低",
        }
    }
}

/// Something the reader could not decide, at a line of the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub line: u32,
    pub text: String,
}

/// What every entry carries besides its values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cite {
    pub src: Src,
    pub confidence: Confidence,
    /// The rule that made the entry, in a few words.
    pub rule: String,
    pub questions: Vec<Question>,
}

impl Cite {
    fn new(src: Src, confidence: Confidence, rule: impl Into<String>) -> Self {
        Cite {
            src,
            confidence,
            rule: rule.into(),
            questions: Vec::new(),
        }
    }
    fn ask(&mut self, text: impl Into<String>) {
        self.questions.push(Question {
            line: self.src.first,
            text: text.into(),
        });
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleEntry {
    pub id: String,
    pub title: String,
    pub held_by: Option<String>,
    pub cite: Cite,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyEntry {
    pub id: String,
    pub title: String,
    pub chair: Vec<String>,
    pub deputies: Vec<String>,
    pub members: Vec<String>,
    pub within: Option<String>,
    pub cite: Cite,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DutyEntry {
    pub id: String,
    pub title: String,
    pub description: String,
    pub every: Every,
    pub times: Option<u32>,
    pub due_end: bool,
    pub owner: Option<String>,
    /// `per = "holder"` with this role.
    pub per_holder: Option<String>,
    /// `at = { kind = "party_branch" }`: each party branch below.
    pub at_party_branch: bool,
    pub report_to_parent: bool,
    pub evidence_document: bool,
    /// Who answers is one of the questions (a collective subject, none named, 班子成员).
    pub owner_asked: bool,
    pub cite: Cite,
}

/// An untimed responsibility of a role (`[[responsibilities]]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponsibilityEntry {
    pub role: String,
    pub text: String,
    pub cite: Cite,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkflowKind {
    Publication,
    Event,
    Decision,
}

impl WorkflowKind {
    pub fn key(self) -> &'static str {
        match self {
            WorkflowKind::Publication => "publication",
            WorkflowKind::Event => "event",
            WorkflowKind::Decision => "decision",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepEntry {
    pub title: String,
    pub role: String,
    pub major: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkflowEntry {
    pub id: String,
    pub title: String,
    pub kind: WorkflowKind,
    pub checklist: Vec<String>,
    pub requires_risk_assessment: bool,
    pub steps: Vec<StepEntry>,
    pub cite: Cite,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CircumstanceEntry {
    pub text: String,
    pub cite: Cite,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountabilityEntry {
    pub basis: Vec<String>,
    pub measures: Vec<String>,
    pub filing_parent: bool,
    pub collective: bool,
    pub circumstances: Vec<CircumstanceEntry>,
    pub cite: Cite,
}

/// A draft policy read from a text.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Draft {
    pub title: Option<(String, u32)>,
    /// Documents the text says it follows (根据《…》), with their line.
    pub based_on: Vec<(String, u32)>,
    pub first_line: u32,
    pub last_line: u32,
    pub roles: Vec<RoleEntry>,
    pub bodies: Vec<BodyEntry>,
    pub duties: Vec<DutyEntry>,
    pub responsibilities: Vec<ResponsibilityEntry>,
    pub workflows: Vec<WorkflowEntry>,
    pub accountability: Option<AccountabilityEntry>,
    /// Questions about the text as a whole (not one entry).
    pub questions: Vec<Question>,
}

impl Draft {
    /// Every open question, in line order.
    pub fn all_questions(&self) -> Vec<Question> {
        let mut q: Vec<Question> = self.questions.clone();
        let cites = self
            .roles
            .iter()
            .map(|r| &r.cite)
            .chain(self.bodies.iter().map(|b| &b.cite))
            .chain(self.duties.iter().map(|d| &d.cite))
            .chain(self.responsibilities.iter().map(|r| &r.cite))
            .chain(self.workflows.iter().map(|w| &w.cite))
            .chain(self.accountability.iter().map(|a| &a.cite))
            .chain(
                self.accountability
                    .iter()
                    .flat_map(|a| a.circumstances.iter().map(|c| &c.cite)),
            );
        for c in cites {
            q.extend(c.questions.iter().cloned());
        }
        q.sort_by_key(|q| q.line);
        q
    }

    fn role(&self, id: &str) -> Option<&RoleEntry> {
        self.roles.iter().find(|r| r.id == id)
    }

    /// Adds a role unless one with the id exists (then its source widens to cover this mention
    /// only when it had no holder and this one names one).
    fn add_role(&mut self, id: &str, title: &str, held_by: Option<String>, cite: Cite) {
        if let Some(r) = self.roles.iter_mut().find(|r| r.id == id) {
            if r.held_by.is_none() && held_by.is_some() {
                r.held_by = held_by;
            }
            return;
        }
        self.roles.push(RoleEntry {
            id: id.to_owned(),
            title: title.to_owned(),
            held_by,
            cite,
        });
    }

    /// `department_1`, `department_2` …: a role id no role has.
    fn unique_role_id(&self, base: &str) -> String {
        fresh_id(&format!("{base}_1"), base, |id| self.role(id).is_some())
    }

    fn unique_workflow_id(&self, base: &str) -> String {
        fresh_id(base, base, |id| self.workflows.iter().any(|w| w.id == id))
    }

    fn unique_duty_id(&self, base: &str) -> String {
        fresh_id(base, base, |id| self.duties.iter().any(|d| d.id == id))
    }
}

/// `first` unless `taken`, else `base_2`, `base_3` … (for `base_1` first: `base_2` …).
fn fresh_id(first: &str, base: &str, taken: impl Fn(&str) -> bool) -> String {
    let mut id = first.to_owned();
    let mut n = 2;
    while taken(&id) {
        id = format!("{base}_{n}");
        n += 1;
    }
    id
}

/// Reads `text` (its first line numbered `first_line`) into a draft.
pub fn read(text: &str, first_line: u32) -> Draft {
    let lines = text::lines(text, first_line);
    let mut d = Draft {
        first_line,
        last_line: lines.last().map_or(first_line, |l| l.no),
        ..Draft::default()
    };
    d.title = find_title(&lines);
    d.based_on = find_basis(&lines, d.title.as_ref().map(|(t, _)| t.as_str()));
    if d.title.is_none() {
        d.questions.push(Question {
            line: first_line,
            text: "没有找到方案标题（《……实施方案》），请填写 policy.title".into(),
        });
    }
    let mut group = GroupFacts::default();
    for line in &lines {
        let body = text::body(line.text);
        if body.is_empty() {
            continue;
        }
        group_line(&mut group, line.no, body);
        // a department opening the line answers for its later sentences too
        let line_subject = text::sentences(body)
            .first()
            .and_then(|s| text::clauses(s).first().copied())
            .filter(|c| !rules::subject_roles(c).is_empty())
            .map_or("", |c| rules::subject_roles(c)[0].term);
        for (k, sentence) in text::sentences(body).into_iter().enumerate() {
            first_responsible(&mut d, line.no, sentence);
            other_leaders(&mut d, line.no, sentence);
            department_roles(&mut d, line.no, sentence);
            responsibilities(&mut d, line.no, sentence, line_subject, k == 0);
            duties(&mut d, line.no, sentence, line_subject);
            event_approval(&mut d, line.no, sentence);
        }
        publication_review(&mut d, line.no, line.text);
    }
    // after the roles are known: who decides defaults to the first responsible
    for line in &lines {
        major_decision(&mut d, line.no, line.text);
    }
    leading_group(&mut d, group);
    accountability(&mut d, &lines);
    d
}

/// 根据《…》 / 依据《…》 / 贯彻《…》 near the top: the documents the text is based on.
fn find_basis(lines: &[Line<'_>], own: Option<&str>) -> Vec<(String, u32)> {
    let mut out: Vec<(String, u32)> = Vec::new();
    for l in lines.iter().take(12) {
        for cue in ["根据", "依据", "贯彻", "按照"] {
            let Some(at) = l.text.find(cue) else { continue };
            // the titles of the clause the cue opens, up to 结合/制定
            let rest = &l.text[at..];
            let end = ["结合", "制定", "。"]
                .iter()
                .filter_map(|w| rest.find(w))
                .min()
                .unwrap_or(rest.len());
            for t in rules::titles(&rest[..end]) {
                let inner = t.trim_start_matches('《').trim_end_matches('》');
                if Some(inner) != own && !out.iter().any(|(x, _)| x == t) {
                    out.push((t.to_owned(), l.no));
                }
            }
        }
    }
    out
}

fn find_title(lines: &[Line<'_>]) -> Option<(String, u32)> {
    for l in lines.iter().take(40) {
        for t in rules::titles(l.text) {
            let inner = t.trim_start_matches('《').trim_end_matches('》');
            let kinds = ["实施方案", "实施办法", "实施细则", "实施意见", "工作方案"];
            // 特制定《…》: this text's own title, not a document it is based on (根据《…》)
            if kinds.iter().any(|k| inner.ends_with(k))
                && ["制定", "印发"]
                    .iter()
                    .any(|v| l.text.contains(&format!("{v}{t}")))
            {
                return Some((inner.to_owned(), l.no));
            }
        }
    }
    None
}

/// The subject of a statement: the clause text before `marker`, after its last comma.
fn subject_before(sentence: &str, at: usize) -> &str {
    let before = &sentence[..at];
    let start = before.rfind(['，', ',']).map_or(0, |i| {
        i + before[i..].chars().next().map_or(1, char::len_utf8)
    });
    before[start..].trim()
}

/// 校长是意识形态工作第一责任人 / 党委书记对…负第一责任.
fn first_responsible(d: &mut Draft, no: u32, sentence: &str) {
    if !sentence.contains("第一责任") {
        return;
    }
    for clause in text::clauses(sentence) {
        let Some(at) = clause.find("第一责任") else {
            continue;
        };
        if clause.starts_with('各') || clause.contains("各级") {
            continue; // about every unit below, not this one
        }
        let head = &clause[..at];
        let cut = ["就是", "即为", "是", "为", "对"]
            .iter()
            .filter_map(|m| head.find(m))
            .min()
            .unwrap_or(head.len());
        let mut who = head[..cut].trim();
        for prefix in ["我校", "学校", "本校"] {
            who = who.strip_prefix(prefix).unwrap_or(who);
        }
        let who = if rules::is_person(who) { who } else { "" };
        if who.is_empty() {
            continue;
        }
        if let Some(r) = d.role("first_responsible") {
            if r.held_by.as_deref() != Some(who) {
                let mut c = Cite::new(Src::line(no), Confidence::Low, "第一责任人");
                c.ask(format!(
                    "第一责任人另见“{who}”（已取 {} 的“{}”），是否另设角色？",
                    r.cite.src.key(),
                    r.held_by.clone().unwrap_or_default()
                ));
                d.questions.extend(c.questions);
            }
            return;
        }
        d.add_role(
            "first_responsible",
            "第一责任人",
            Some(who.to_owned()),
            Cite::new(
                Src::line(no),
                Confidence::High,
                format!("“{who}…第一责任人”"),
            ),
        );
        return;
    }
}

/// 分管领导…直接责任 / 直接负责人; 其他成员…一岗双责.
fn other_leaders(d: &mut Draft, no: u32, sentence: &str) {
    for clause in text::clauses(sentence) {
        if let Some(at) = clause
            .find("直接责任")
            .or_else(|| clause.find("直接负责人"))
        {
            let head = &clause[..at];
            let who = head
                .find("分管")
                .map(|i| {
                    // 分管领导对…负直接责任 / 分管副校长负直接责任 / 党委分管领导是直接负责人
                    let rest = &head[i..];
                    let end = rest
                        .find("领导")
                        .map_or_else(|| rules::subject_end(rest), |j| j + "领导".len());
                    &rest[..end]
                })
                .unwrap_or("");
            let title = if clause.contains("直接负责人") {
                "直接负责人"
            } else {
                "直接责任人"
            };
            let mut c = Cite::new(Src::line(no), Confidence::Medium, "“…直接责任”");
            if who.is_empty() {
                c.ask("直接责任由谁承担（分管领导）？请填 held_by");
            }
            d.add_role(
                "direct_responsible",
                title,
                (!who.is_empty()).then(|| who.to_owned()),
                c,
            );
        }
        if clause.contains("一岗双责") {
            let who = ["其他成员", "班子成员", "领导班子成员"]
                .iter()
                .find_map(|m| clause.find(m).map(|i| &clause[..i + m.len()]))
                .map(|w| subject_before(w, w.len()))
                .filter(|w| w.chars().count() <= 16);
            let held_by = who.map(|w| w.trim_start_matches(['、', '的']).to_owned());
            d.add_role(
                "leadership",
                "领导班子其他成员（一岗双责）",
                held_by,
                Cite::new(Src::line(no), Confidence::Medium, "“一岗双责”"),
            );
        }
    }
}

/// Departments and officers that open a clause, or that a clause sets up.
fn department_roles(d: &mut Draft, no: u32, sentence: &str) {
    let cs = text::clauses(sentence);
    for (i, clause) in cs.iter().enumerate() {
        // a department opening the sentence answers for what follows
        if i == 0 {
            for t in rules::subject_roles(clause) {
                d.add_role(
                    t.id,
                    t.title,
                    None,
                    Cite::new(
                        Src::line(no),
                        Confidence::Medium,
                        format!("主语“{}”", t.term),
                    ),
                );
            }
        }
        for t in rules::established_roles(clause) {
            d.add_role(
                t.id,
                t.title,
                None,
                Cite::new(
                    Src::line(no),
                    Confidence::High,
                    format!("设立/明确“{}”", t.term),
                ),
            );
        }
    }
}

/// Untimed responsibilities: what follows 是第一责任人 / 负直接责任 / 一岗双责 in a sentence, and
/// sentences a department opens (教务处对课堂管理负责) or that follow one in its line.
fn responsibilities(d: &mut Draft, no: u32, sentence: &str, line_subject: &str, first: bool) {
    let cs = text::clauses(sentence);
    if cs.iter().any(|c| rules::frequency(c).is_some()) {
        return; // a timed duty
    }
    let after = |k: usize| -> String { cs[k + 1..].join("，") };
    let mut found: Vec<(&str, String, &str)> = Vec::new();
    for (k, clause) in cs.iter().enumerate() {
        if clause.contains("第一责任人")
            && d.role("first_responsible")
                .is_some_and(|r| r.cite.src.first == no)
        {
            found.push(("first_responsible", after(k), "第一责任人之后的要求"));
            break;
        }
        if (clause.contains("直接责任") || clause.contains("直接负责人"))
            && d.role("direct_responsible").is_some()
        {
            found.push(("direct_responsible", after(k), "直接责任之后的要求"));
            break;
        }
        if clause.contains("一岗双责") && d.role("leadership").is_some() {
            let rest = after(k);
            let text = if rest.is_empty() {
                sentence.to_owned()
            } else {
                rest
            };
            found.push(("leadership", text, "“一岗双责”的要求"));
            break;
        }
    }
    if found.is_empty() {
        let subjects = rules::subject_roles(cs.first().copied().unwrap_or(""));
        if !subjects.is_empty() {
            let head = cs[0];
            let cut = rules::subject_end(head);
            let text = std::iter::once(&head[cut..])
                .chain(cs[1..].iter().copied())
                .collect::<Vec<_>>()
                .join("，");
            for t in &subjects {
                found.push((t.id, text.clone(), "部门为主语的句子"));
            }
        } else if !first && !line_subject.is_empty() {
            if let Some(t) = rules::ROLE_TERMS.iter().find(|t| t.term == line_subject) {
                found.push((t.id, sentence.to_owned(), "同一段由该部门负责"));
            }
        }
    }
    for (role, text, rule) in found {
        let text: String = text
            .trim_start_matches(['，', '、', ',', ' '])
            .trim_start_matches("必须")
            .trim_start_matches("要")
            .trim()
            .chars()
            .take(300)
            .collect();
        if text.chars().count() < 4 || d.role(role).is_none() {
            continue;
        }
        if d.responsibilities
            .iter()
            .any(|r| r.role == role && r.text == text)
        {
            continue;
        }
        d.responsibilities.push(ResponsibilityEntry {
            role: role.to_owned(),
            text,
            cite: Cite::new(Src::line(no), Confidence::Medium, rule),
        });
    }
}

/// Duty ids from the work the title names.
const DUTY_WORDS: &[(&str, &str)] = &[
    ("督查", "inspection"),
    ("检查", "inspection"),
    ("汇报", "report"),
    ("报告", "report"),
    ("授课", "lecture"),
    ("文章", "essay"),
    ("计划", "plan"),
    ("述职", "duty_report"),
    ("总结", "summary"),
    ("研判", "analysis"),
    ("分析", "analysis"),
    ("专题研究", "special_study"),
    ("学习", "study"),
    ("会议", "meeting"),
    ("谈话", "talk"),
];

/// Timed duties: each clause with a frequency starts one; the clauses after it up to the next
/// frequency describe it.
fn duties(d: &mut Draft, no: u32, sentence: &str, line_subject: &str) {
    // 对…法定节假日…需注意问题，进行前瞻性专题分析判断: one statement across its clauses
    let cs = if sentence.contains("节假日") && sentence.contains("前瞻") {
        vec![sentence]
    } else {
        text::clauses(sentence)
    };
    let mut subject: &str = line_subject;
    let mut i = 0;
    while i < cs.len() {
        let clause = cs[i];
        let Some(f) = rules::frequency(clause) else {
            i += 1;
            continue;
        };
        let mut j = i + 1;
        while j < cs.len() && rules::frequency(cs[j]).is_none() {
            j += 1;
        }
        let rest: Vec<&str> = cs[i + 1..j].to_vec();
        // the subject: before the cue in this clause, else the sentence's earlier subject
        let mut own = clause[..f.start].trim();
        for w in ["至少", "坚持", "要", "应当", "必须"] {
            own = own.trim_end_matches(w);
        }
        // a subject names someone: a department, an officer or a collective (学校, 党支部)
        let names_someone = rules::ROLE_TERMS.iter().any(|t| own.contains(t.term))
            || rules::collective(own).is_some()
            || rules::department_like(own).is_some()
            || own.contains("班子成员");
        if names_someone {
            subject = own;
        }
        // 每年年底前，市社党委组织进行一次专题督查: the cue stands alone, the next clause says who
        let alone = clause[f.end..].trim().is_empty() && own.is_empty();
        let mut f = f;
        if alone {
            if let Some(next) = rest.first() {
                let who = &next[..rules::subject_end(next)];
                let who = ["组织", "开展", "进行"]
                    .iter()
                    .filter_map(|v| who.find(v))
                    .min()
                    .map_or(who, |k| &who[..k]);
                if rules::collective(who).is_some()
                    || rules::ROLE_TERMS.iter().any(|t| who.contains(t.term))
                {
                    subject = who;
                }
                if f.times.is_none() {
                    f.times = rules::count(next);
                }
            }
        }
        // 重点加强党委和党支部的政治学习，每个月组织一次集中学习: a collective named before
        let mut from_before = false;
        if subject.is_empty() {
            if let Some(prev) = cs[..i]
                .iter()
                .rev()
                .find(|c| rules::collective(c).is_some())
            {
                subject = prev;
                from_before = true;
            }
        }
        let after = &clause[f.end..];
        let mut title = after.trim_start_matches(['，', ',']).to_owned();
        for w in ["至少", "坚持", "要", "应"] {
            if let Some(t) = title.strip_prefix(w) {
                title = t.to_owned();
            }
        }
        if f.cue == "制定年度计划"
            || f.cue == "年度检查"
            || f.cue == "年度述职"
            || f.cue == "节假日前瞻"
        {
            title = clause.to_owned();
        }
        if title.is_empty() {
            title = rest.first().map_or(String::new(), |s| (*s).to_owned());
        }
        let mut title = tidy_title(&title);
        let untitled = title.is_empty();
        if untitled {
            title = tidy_title(clause);
        }
        let description = std::iter::once(clause)
            .chain(rest.iter().copied())
            .collect::<Vec<_>>()
            .join("，");
        let whole = description.clone();

        let mut cite = Cite::new(
            Src::line(no),
            if f.times.is_some() {
                Confidence::High
            } else {
                Confidence::Medium
            },
            format!("频次“{}”", f.cue),
        );
        if let Some(q) = f.doubt {
            cite.ask(q);
        }
        if untitled {
            cite.ask("原文只写了频次，没有写明做什么：请改写 title");
        }
        // who answers
        let mut owner = None;
        let mut per_holder = None;
        let mut at_party_branch = false;
        let subject_area = subject.to_owned();
        if clause.contains("班子成员") || subject_area.contains("班子成员") {
            per_holder = Some("leadership".to_owned());
            if d.role("leadership").is_none() {
                d.add_role(
                    "leadership",
                    "领导班子其他成员（一岗双责）",
                    Some("班子成员".into()),
                    Cite::new(Src::line(no), Confidence::Low, "“班子成员”每人一项"),
                );
            }
            cite.ask("“班子成员”：每位成员各自完成（per = \"holder\"），还是班子集体一次？");
        } else if let Some(t) = rules::ROLE_TERMS
            .iter()
            .find(|t| subject_area.contains(t.term))
        {
            d.add_role(
                t.id,
                t.title,
                None,
                Cite::new(
                    Src::line(no),
                    Confidence::Medium,
                    format!("主语“{}”", t.term),
                ),
            );
            owner = Some(t.id.to_owned());
        } else if let Some(title) = rules::department_like(&subject_area) {
            // a department the lexicon does not know (总务处): a role of its own, id to be chosen
            let id = match d.roles.iter().find(|r| r.title == title) {
                Some(r) => r.id.clone(),
                None => {
                    let id = d.unique_role_id("department");
                    let mut c = Cite::new(Src::line(no), Confidence::Low, format!("主语“{title}”"));
                    c.ask(format!(
                        "“{title}”新设为角色 {id}：请确认，并改成有意义的 id"
                    ));
                    d.add_role(&id, title, None, c);
                    id
                }
            };
            owner = Some(id);
        } else if let Some(c) = rules::collective(&subject_area) {
            if subject_area.contains("各") && (c == "党支部" || c == "支部") {
                at_party_branch = true;
                cite.ask(format!(
                    "“{subject_area}”：每个党支部各一项（at = {{ kind = \"party_branch\" }}），请确认下级单位的类型"
                ));
            } else {
                let hint = if d.role("first_responsible").is_some() {
                    "例如 owner = \"first_responsible\""
                } else {
                    ""
                };
                cite.ask(if from_before {
                    format!(
                        "前文“{}”说的是集体（{c}），由哪个角色负责？{hint}",
                        subject_area.trim()
                    )
                } else {
                    format!(
                        "主语是“{}”（集体），由哪个角色负责？{hint}",
                        subject_area.trim()
                    )
                });
            }
        } else {
            cite.ask("原文没有写明由谁负责：请填 owner，或保留为本单位的工作");
        }
        let owner_asked = !cite
            .questions
            .iter()
            .all(|q| f.doubt == Some(q.text.as_str()));
        // report line
        let mut report_to_parent = false;
        if let Some(t) = rules::report_target(&whole) {
            match t {
                Target::Parent(_) => report_to_parent = true,
                Target::Named(n) => cite.ask(format!(
                    "向“{n}”报告：是上级单位（report_to = \"parent\"）还是本单位内部？"
                )),
            }
        }
        let evidence_document = ["书面", "文章", "计划", "总结"]
            .iter()
            .any(|w| whole.contains(w));
        let base = DUTY_WORDS
            .iter()
            .find(|(w, _)| title.contains(w))
            .map_or("duty", |(_, id)| id);
        let id = d.unique_duty_id(&format!("{}_{base}", f.every.key()));
        d.duties.push(DutyEntry {
            id,
            title,
            description,
            every: f.every,
            times: f.times,
            due_end: f.due_end,
            owner,
            per_holder,
            at_party_branch,
            report_to_parent,
            evidence_document,
            owner_asked,
            cite,
        });
        i = j;
    }
}

fn tidy_title(s: &str) -> String {
    let mut t = s.trim().trim_end_matches(['。', '；', ';']).to_owned();
    for (from, to) in [("1次", ""), ("一次", ""), ("两次", ""), ("2次", "")] {
        t = t.replacen(from, to, 1);
    }
    let t: String = t.chars().take(60).collect();
    t.trim().to_owned()
}

/// The leading group, read from lines like 组长：X, X任组长, 成员由X组成.
#[derive(Default)]
struct GroupFacts {
    title: Option<(String, u32)>,
    chair: Option<(String, u32)>,
    deputy: Option<(String, u32)>,
    members: Option<(String, u32)>,
    office: Option<u32>,
    office_head: Option<(String, u32)>,
}

fn group_line(g: &mut GroupFacts, no: u32, body: &str) {
    // a heading that is the group's name (一、意识形态工作领导小组)
    if g.title.is_none() && body.ends_with("领导小组") && body.chars().count() <= 30 {
        g.title = Some((body.to_owned(), no));
    }
    if g.title.is_none() {
        if let Some(end) = body.find("领导小组") {
            let head = &body[..end];
            if let Some(s) = head.rfind("成立") {
                let title = &body[s + "成立".len()..end + "领导小组".len()];
                if title.chars().count() <= 40 {
                    g.title = Some((title.to_owned(), no));
                }
            }
        }
    }
    let value = |key: &str| -> Option<String> {
        for sep in ["：", ":"] {
            let k = format!("{key}{sep}");
            if let Some(rest) = body.strip_prefix(k.as_str()) {
                return Some(rest.trim().to_owned());
            }
        }
        for verb in ["任", "为", "担任"] {
            let k = format!("{verb}{key}");
            if let Some(i) = body.find(k.as_str()) {
                let who = subject_before(body, i);
                let who = who.rsplit('。').next().unwrap_or(who);
                return Some(who.trim().to_owned());
            }
        }
        None
    };
    if g.chair.is_none() {
        if let Some(v) = value("组长") {
            g.chair = Some((v, no));
        }
    }
    if g.deputy.is_none() {
        if let Some(v) = value("副组长") {
            g.deputy = Some((v, no));
        }
    }
    if g.members.is_none() {
        if let Some(v) = value("成员").or_else(|| value("组员")) {
            g.members = Some((v, no));
        } else if let Some(i) = body.find("成员由") {
            let rest = &body[i + "成员由".len()..];
            let end = rest.find("组成").unwrap_or(rest.len());
            g.members = Some((rest[..end].to_owned(), no));
        }
    }
    if g.office.is_none() && (body.contains("领导小组办公室") || body.contains("下设办公室"))
    {
        g.office = Some(no);
    }
    if g.office.is_some() && g.office_head.is_none() {
        if let Some(i) = body.find("任主任") {
            let who = subject_before(body, i).trim_start_matches('由');
            g.office_head = Some((who.to_owned(), no));
        }
    }
}

fn leading_group(d: &mut Draft, mut g: GroupFacts) {
    // 组长：*** — a template's placeholder names nobody
    let placeholder = |w: &String| w.chars().all(|c| "*＊×xX ".contains(c));
    for f in [&mut g.chair, &mut g.deputy, &mut g.members] {
        if f.as_ref().is_some_and(|(w, _)| placeholder(w)) {
            if let Some((w, _)) = f.as_mut() {
                w.clear();
            }
        }
    }
    let held = |w: String| (!w.is_empty()).then_some(w);
    let Some((title, no)) = g.title else {
        return;
    };
    let mut cite = Cite::new(Src::line(no), Confidence::High, "“成立…领导小组”");
    let mut chair = Vec::new();
    if let Some((who, at)) = g.chair {
        cite.src = cite.src.join(Src::line(at));
        let first = d.role("first_responsible").and_then(|r| r.held_by.clone());
        match first {
            Some(f) if !who.is_empty() && (who.contains(&f) || f.contains(who.as_str())) => {
                chair.push("first_responsible".to_owned());
            }
            _ => {
                let mut c = Cite::new(Src::line(at), Confidence::Medium, "“组长”");
                if d.role("first_responsible").is_some() {
                    c.ask(format!(
                        "组长“{who}”是否就是第一责任人？是则 chair 改为 first_responsible"
                    ));
                }
                d.add_role("group_leader", "领导小组组长", held(who), c);
                chair.push("group_leader".to_owned());
            }
        }
    }
    let mut deputies = Vec::new();
    if let Some((who, at)) = g.deputy {
        cite.src = cite.src.join(Src::line(at));
        let mut c = Cite::new(Src::line(at), Confidence::Medium, "“副组长”");
        c.ask("副组长 held_by 写的是原文（可能含人名）：请改为职务");
        d.add_role("deputy_leader", "领导小组副组长", held(who), c);
        deputies.push("deputy_leader".to_owned());
    }
    let mut members: Vec<String> = Vec::new();
    if let Some((who, at)) = g.members.clone() {
        cite.src = cite.src.join(Src::line(at));
        // members named by post (安全管理员, 班主任, 科任教师): those roles sit on the group
        let posts: Vec<&rules::RoleTerm> = rules::ROLE_TERMS
            .iter()
            .filter(|t| who.contains(t.term))
            .collect();
        for t in &posts {
            d.add_role(
                t.id,
                t.title,
                None,
                Cite::new(
                    Src::line(at),
                    Confidence::Medium,
                    format!("成员“{}”", t.term),
                ),
            );
            if !members.contains(&t.id.to_owned()) {
                members.push(t.id.to_owned());
            }
        }
    }
    if let Some((who, at)) = g.members.filter(|_| members.is_empty()) {
        let mut c = Cite::new(Src::line(at), Confidence::Medium, "“成员/组员”");
        c.ask("成员 held_by 写的是原文（可能含人名）：请改为职务，或拆成几个角色");
        d.add_role("group_member", "领导小组成员", held(who), c);
        members.push("group_member".to_owned());
    }
    d.bodies.push(BodyEntry {
        id: "leading_group".into(),
        title,
        chair,
        deputies,
        members,
        within: None,
        cite,
    });
    if let Some(at) = g.office {
        let mut chair = Vec::new();
        if let Some((who, no)) = g.office_head {
            let held = (!who.is_empty()).then_some(who);
            d.add_role(
                "office_director",
                "领导小组办公室主任",
                held,
                Cite::new(Src::line(no), Confidence::Medium, "“任主任”"),
            );
            chair.push("office_director".to_owned());
        }
        d.bodies.push(BodyEntry {
            id: "leading_group_office".into(),
            title: "领导小组办公室".into(),
            chair,
            deputies: Vec::new(),
            members: Vec::new(),
            within: Some("leading_group".into()),
            cite: Cite::new(
                Src::line(at),
                Confidence::High,
                "“领导小组办公室/下设办公室”",
            ),
        });
    }
}

/// 先审后发: a publication review with its checklist (审核内容包括：…) and steps (领导分管、部门负责、
/// 专人实施).
fn publication_review(d: &mut Draft, no: u32, line: &str) {
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
fn event_approval(d: &mut Draft, no: u32, sentence: &str) {
    if !sentence.contains("审批") {
        return;
    }
    let events = ["报告会", "讲座", "论坛", "讲堂", "研讨会", "活动", "沙龙"];
    let is_event = events.iter().any(|e| sentence.contains(e));
    // 重大事项须报党委审批: an approval of something other than an event is a decision
    if !is_event && !sentence.contains("须报") && !sentence.contains("报经") {
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
fn major_decision(d: &mut Draft, no: u32, line: &str) {
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

/// 对…的党员干部，依纪依规严肃处理: a circumstance stated in one sentence, outside a list.
fn single_circumstance(sentence: &str) -> Option<String> {
    let rest = sentence.strip_prefix('对')?;
    let first = text::clauses(rest).into_iter().next()?;
    let person = [
        "党员干部",
        "领导干部",
        "干部",
        "领导",
        "人员",
        "教师",
        "党员",
    ]
    .iter()
    .find(|p| first.ends_with(*p))?;
    let what = first[..first.len() - person.len()].trim();
    (what.ends_with('的') && what.chars().count() >= 6).then(|| what.to_owned())
}

/// The accountability entry, made at line `no` by `rule` when there is none yet; its source widened
/// to cover `no`.
fn accountability_at<'a>(
    acc: &'a mut Option<AccountabilityEntry>,
    no: u32,
    confidence: Confidence,
    rule: &str,
) -> &'a mut AccountabilityEntry {
    let a = acc.get_or_insert_with(|| AccountabilityEntry {
        basis: Vec::new(),
        measures: Vec::new(),
        filing_parent: false,
        collective: false,
        circumstances: Vec::new(),
        cite: Cite::new(Src::line(no), confidence, rule),
    });
    a.cite.src = a.cite.src.join(Src::line(no));
    a
}

/// 有下列情形之一的 … followed by numbered items; measures, basis, filing and allocation around it.
fn accountability(d: &mut Draft, lines: &[Line<'_>]) {
    let mut acc: Option<AccountabilityEntry> = None;
    let mut i = 0;
    while i < lines.len() {
        let l = &lines[i];
        if l.text.contains("下列情形") {
            let a = accountability_at(&mut acc, l.no, Confidence::High, "“有下列情形之一的”");
            let mut j = i + 1;
            while j < lines.len() {
                let n = &lines[j];
                if n.text.is_empty() {
                    j += 1;
                    continue;
                }
                match text::enumerator(n.text) {
                    Some((Enumerator::Paren(_) | Enumerator::Arabic(_), rest)) => {
                        a.circumstances.push(CircumstanceEntry {
                            text: rest.to_owned(),
                            cite: Cite::new(Src::line(n.no), Confidence::High, "列举项"),
                        });
                    }
                    _ => {
                        let open = a
                            .circumstances
                            .last()
                            .is_some_and(|c| !text::ends_sentence(&c.text));
                        if !open {
                            break;
                        }
                        let c = a.circumstances.last_mut().expect("open item");
                        c.text.push_str(n.text);
                        c.cite.src = c.cite.src.join(Src::line(n.no));
                    }
                }
                a.cite.src = a.cite.src.join(Src::line(n.no));
                j += 1;
            }
            i = j;
            continue;
        }
        i += 1;
    }
    // measures, basis, filing, allocation: sentences about 问责/追究
    for l in lines {
        for s in text::sentences(text::body(l.text)) {
            let about = ["问责", "追究", "处分", "处理"]
                .iter()
                .any(|w| s.contains(w));
            if !about {
                continue;
            }
            if let Some(text) = single_circumstance(s) {
                let a = accountability_at(&mut acc, l.no, Confidence::Medium, "问责/追究");
                if !a.circumstances.iter().any(|c| c.cite.src.first == l.no) {
                    let mut cite =
                        Cite::new(Src::line(l.no), Confidence::Low, "“对…的干部，…处理/问责”");
                    cite.ask("不在“有下列情形之一的”列举中：是否作为一项问责情形？");
                    a.circumstances.push(CircumstanceEntry { text, cite });
                }
            }
            let ms = rules::measures(s);
            let basis: Vec<String> = if s.contains("依据") || s.contains("根据") {
                rules::titles(s).into_iter().map(str::to_owned).collect()
            } else {
                Vec::new()
            };
            let filing = rules::filing_target(s);
            let collective = s.contains("集体责任") && s.contains("个人责任");
            if ms.is_empty() && basis.is_empty() && filing.is_none() && !collective {
                continue;
            }
            let a = accountability_at(&mut acc, l.no, Confidence::Medium, "问责/追究");
            for m in ms {
                if !a.measures.iter().any(|x| x == m) {
                    a.measures.push(m.to_owned());
                }
            }
            for b in basis {
                if !a.basis.contains(&b) {
                    a.basis.push(b);
                }
            }
            match filing {
                Some(Target::Parent(_)) => a.filing_parent = true,
                Some(Target::Named(n)) => a.cite.questions.push(Question {
                    line: l.no,
                    text: format!("问责情况报“{n}”备案：本单位的部门（不设 filing）还是上级（filing = \"parent\"）？"),
                }),
                None => {}
            }
            a.collective |= collective;
        }
    }
    if let Some(a) = &mut acc {
        for c in &mut a.circumstances {
            c.text = c
                .text
                .trim()
                .trim_end_matches(['；', ';', '。', '.', '，', ','])
                .trim()
                .to_owned();
        }
        a.circumstances.retain(|c| !c.text.is_empty());
        // keep the format's order: mildest first, across sentences
        let joined = a.measures.join("、");
        a.measures = rules::measures(&joined)
            .into_iter()
            .map(str::to_owned)
            .collect();
    }
    d.accountability = acc;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_duty_with_frequency_owner_and_report_line() {
        let d = read(
            "党委办公室每半年对本单位意识形态工作进行一次专题督查，督查结果向上级党委报告。",
            7,
        );
        assert_eq!(d.duties.len(), 1);
        let duty = &d.duties[0];
        assert_eq!(duty.every, Every::HalfYear);
        assert_eq!(duty.times, Some(1));
        assert_eq!(duty.owner.as_deref(), Some("party_office"));
        assert!(duty.report_to_parent);
        assert_eq!(duty.cite.src, Src::line(7));
        assert_eq!(duty.id, "half_year_inspection");
        assert!(d.role("party_office").is_some());
    }

    #[test]
    fn a_collective_subject_is_a_question_not_an_owner() {
        let d = read(
            "2.校长是意识形态工作第一责任人。\n党支部每季度至少组织1次学习。",
            1,
        );
        let duty = &d.duties[0];
        assert_eq!(duty.owner, None);
        assert_eq!(duty.cite.questions.len(), 1);
        assert_eq!(duty.cite.questions[0].line, 2);
        assert!(duty.cite.questions[0].text.contains("first_responsible"));
        let r = d.role("first_responsible").unwrap();
        assert_eq!(r.held_by.as_deref(), Some("校长"));
        assert_eq!(r.cite.src, Src::line(1));
    }

    #[test]
    fn several_duties_in_one_sentence() {
        let d = read(
            "1、学习教育制度。党支部每季度至少组织1次有关意识形态工作内容的学习；每年班子成员开展1次有关意识形态工作内容的授课，每年撰写理论学习心得体会文章不少于1篇。",
            91,
        );
        let got: Vec<_> = d
            .duties
            .iter()
            .map(|d| (d.every, d.times, d.per_holder.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                (Every::Quarter, Some(1), None),
                (Every::Year, Some(1), Some("leadership".to_owned())),
                (Every::Year, Some(1), Some("leadership".to_owned())),
            ]
        );
        assert_eq!(d.duties[1].id, "year_lecture");
        assert!(d.duties[2].evidence_document);
    }

    #[test]
    fn branches_below_and_a_named_recipient() {
        let d = read("各基层党支部每半年向市社党委专题汇报一次意识形态工作。\n督查每季度一次，结果向场党委报告。", 1);
        assert!(d.duties[0].at_party_branch);
        assert!(d.duties[0].report_to_parent);
        assert!(!d.duties[1].report_to_parent);
        assert!(d.duties[1]
            .cite
            .questions
            .iter()
            .any(|q| q.text.contains("场党委")));
    }

    #[test]
    fn untimed_statements_make_no_duty() {
        let d = read("定期在党内通报意识形态领域情况。及时汇报。", 1);
        assert!(d.duties.is_empty());
    }

    #[test]
    fn circumstances_follow_the_header_and_join_broken_lines() {
        let text = "三、责任追究\n有下列情形之一的，应当依据《中国共产党问责条例》予以问责。\n1、组织开展不力，造成严重后果的；\n2、发表攻击中国特\n色社会主义制度等言论的；\n\n实施责任追究，应当实事求是。问责可综合运用纪律处分、组织处理、诫勉谈话等措施。对问责情况，及时报上级部门备案。";
        let d = read(text, 68);
        let a = d.accountability.unwrap();
        assert_eq!(a.circumstances.len(), 2);
        assert_eq!(a.circumstances[0].cite.src, Src::line(70));
        assert_eq!(
            a.circumstances[1].cite.src,
            Src {
                first: 71,
                last: 72
            }
        );
        assert_eq!(
            a.circumstances[1].text,
            "发表攻击中国特色社会主义制度等言论的"
        );
        assert_eq!(a.measures, vec!["诫勉谈话", "组织处理", "纪律处分"]);
        assert_eq!(a.basis, vec!["《中国共产党问责条例》"]);
        assert!(a.filing_parent);
        assert_eq!(
            a.cite.src,
            Src {
                first: 69,
                last: 74
            }
        );
    }

    #[test]
    fn collective_allocation_and_internal_filing() {
        let d = read("实施责任追究应当实事求是，分清集体责任和个人责任。党委宣传部可提出问责建议，并将问责情况报党委组织部备案。", 1);
        let a = d.accountability.unwrap();
        assert!(a.collective);
        assert!(!a.filing_parent);
        assert_eq!(a.cite.questions.len(), 1);
    }

    #[test]
    fn leading_group_with_chair_deputy_and_members() {
        let text = "成立学校意识形态工作领导小组。党支部书记王庆彬同志任组长，副校长周涛宇任副组长，其他班子成员为组员。\n党支部书记为学校意识形态工作第一责任人。";
        let d = read(text, 88);
        let b = &d.bodies[0];
        assert_eq!(b.title, "学校意识形态工作领导小组");
        // 组长 党支部书记王庆彬同志 holds the post the text makes first responsible
        assert_eq!(b.chair, vec!["first_responsible"]);
        assert_eq!(b.deputies, vec!["deputy_leader"]);
        assert_eq!(b.members, vec!["group_member"]);
        assert_eq!(
            d.role("deputy_leader").unwrap().held_by.as_deref(),
            Some("副校长周涛宇")
        );
        assert!(d.role("group_leader").is_none());
    }

    #[test]
    fn chair_is_the_first_responsible_when_the_text_says_so() {
        let d = read(
            "校长是第一责任人。\n决定成立小学意识形态工作领导小组，校长任组长。",
            1,
        );
        assert_eq!(d.bodies[0].chair, vec!["first_responsible"]);
    }

    #[test]
    fn publication_review_steps_and_checklist() {
        let line = "要对网站上发布的信息进行审核把关，审核内容包括：上网信息有无涉密问题；上网信息目前对外发布是否适宜；信息中的文字是否准确等。坚持先审查、后公开。网络信息发布审查工作要有领导分管、部门负责、专人实施。";
        let d = read(line, 66);
        let w = &d.workflows[0];
        assert_eq!(w.kind, WorkflowKind::Publication);
        assert_eq!(w.checklist.len(), 3);
        assert_eq!(w.checklist[2], "信息中的文字是否准确");
        assert_eq!(w.steps.len(), 3);
        assert!(w.cite.questions.is_empty());
    }

    #[test]
    fn event_approval_with_a_major_step() {
        let s = "（四）工会、学工部、团委组织的各类报告会、讲座等活动，主办单位为责任主体，审批和监督部门为党委宣传部，影响重大的须报主管校领导或校区党委审批。";
        let d = read(s, 165);
        let w = &d.workflows[0];
        assert_eq!(w.kind, WorkflowKind::Event);
        assert_eq!(w.steps.len(), 2);
        assert_eq!(w.steps[0].role, "publicity_department");
        assert!(!w.steps[0].major);
        assert!(w.steps[1].major);
        assert_eq!(w.cite.questions.len(), 1);
    }

    #[test]
    fn major_decision_needs_a_risk_assessment() {
        let d = read("3、风险评估制度。在酝酿涉及教职工利益的重大政策、项目、工作举措时，通过座谈会听取意见建议。方案发布前，进行必要的舆情风险评估，制定工作预案。", 93);
        let w = d
            .workflows
            .iter()
            .find(|w| w.kind == WorkflowKind::Decision)
            .unwrap();
        assert!(w.requires_risk_assessment);
        assert_eq!(w.checklist.len(), 3);
        assert_eq!(w.cite.confidence, Confidence::Low);
        assert!(!w.cite.questions.is_empty());
    }

    #[test]
    fn direct_and_shared_responsibility() {
        let d = read("2、分管领导对意识形态工作负直接责任。3、党委班子其他成员根据工作分工，按照“一岗双责”要求抓好分管工作。", 116);
        assert_eq!(
            d.role("direct_responsible").unwrap().held_by.as_deref(),
            Some("分管领导")
        );
        assert!(d.role("leadership").is_some());
    }

    #[test]
    fn title_from_the_text() {
        let d = read(
            "为加强工作，特制定《xx小学落实意识形态工作责任制实施方案》。",
            4,
        );
        assert_eq!(
            d.title,
            Some(("xx小学落实意识形态工作责任制实施方案".into(), 4))
        );
        let d = read("根据《关于意识形态工作责任制实施方案》，制定本办法。", 1);
        assert_eq!(d.title, None);
        assert_eq!(d.all_questions().len(), 1);
    }

    #[test]
    fn a_heading_names_the_group_and_placeholders_name_nobody() {
        let d = read(
            "一、意识形态工作领导小组\n组长：***\n副组长：***\n组员：***",
            246,
        );
        let b = &d.bodies[0];
        assert_eq!(b.title, "意识形态工作领导小组");
        assert_eq!(
            b.cite.src,
            Src {
                first: 246,
                last: 249
            }
        );
        assert_eq!(b.chair, vec!["group_leader"]);
        assert_eq!(d.role("group_leader").unwrap().held_by, None);
        assert_eq!(d.role("group_member").unwrap().held_by, None);
    }

    #[test]
    fn members_named_by_post_become_those_roles() {
        let d = read(
            "决定成立小学意识形态工作领导小组，校长任组长，成员由安全管理员王某、以及各班级班主任科任教师组成。",
            26,
        );
        assert_eq!(
            d.bodies[0].members,
            vec!["safety_officer", "class_teacher", "subject_teacher"]
        );
        assert!(d.role("group_member").is_none());
    }

    #[test]
    fn jiu_shi_is_a_copula() {
        let d = read("党支部书记就是第一责任人。", 222);
        assert_eq!(
            d.role("first_responsible").unwrap().held_by.as_deref(),
            Some("党支部书记")
        );
    }

    #[test]
    fn a_department_opening_the_line_owns_its_later_duties() {
        let d = read(
            "（三）团委对大学生社团负责。制定大学生社团的成立和年度检查制度。",
            164,
        );
        assert_eq!(d.duties.len(), 1);
        assert_eq!(d.duties[0].every, Every::Year);
        assert_eq!(d.duties[0].owner.as_deref(), Some("youth_league"));
    }

    #[test]
    fn a_holiday_analysis_spans_its_clauses() {
        let d = read(
            "3、对重要时间节点、法定节假日、传统节日需注意问题，进行前瞻性专题分析判断。",
            126,
        );
        assert_eq!(d.duties.len(), 1);
        assert_eq!(d.duties[0].every, Every::Holiday);
        assert!(d.duties[0]
            .cite
            .questions
            .iter()
            .any(|q| q.text.contains("lead")));
    }

    #[test]
    fn responsibilities_after_the_first_responsible_and_of_departments() {
        let d = read(
            "2.校长是意识形态工作第一责任人，必须带头抓意识形态工作，旗帜鲜明地开展思想舆论斗争。\n（一）教务处对课堂管理负责。强化课堂教学纪律。\n定期在党内通报情况。",
            18,
        );
        let got: Vec<(&str, &str, u32)> = d
            .responsibilities
            .iter()
            .map(|r| (r.role.as_str(), r.text.as_str(), r.cite.src.first))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "first_responsible",
                    "带头抓意识形态工作，旗帜鲜明地开展思想舆论斗争",
                    18
                ),
                ("academic_affairs", "对课堂管理负责", 19),
                ("academic_affairs", "强化课堂教学纪律", 19),
            ]
        );
    }

    #[test]
    fn a_timed_sentence_is_a_duty_not_a_responsibility() {
        let d = read("教务处每学期检查一次课堂教学。", 1);
        assert_eq!(d.duties.len(), 1);
        assert!(d.responsibilities.is_empty());
    }

    #[test]
    fn a_cue_standing_alone_takes_its_subject_from_the_next_clause() {
        let d = read(
            "3、每年年底前，市社党委组织进行一次专题督查，纳入干部考核。",
            131,
        );
        let duty = &d.duties[0];
        assert_eq!(
            (duty.every, duty.times, duty.due_end),
            (Every::Year, Some(1), true)
        );
        assert!(duty.owner_asked);
        assert!(duty.cite.questions[0].text.contains("市社党委"));
    }

    #[test]
    fn a_collective_named_earlier_in_the_sentence_is_asked_about() {
        let d = read(
            "重点加强党委和党支部的政治学习，每个月组织一次集中学习。",
            109,
        );
        let q = &d.duties[0].cite.questions[0].text;
        assert!(q.starts_with("前文“重点加强党委和党支部的政治学习”"), "{q}");
    }

    #[test]
    fn a_circumstance_in_one_sentence_is_drafted_with_a_question() {
        let d = read(
            "8.对在各类媒体、互联网等公开场合发表同党中央精神相违背的言论的党员干部，依纪依规严肃处理。\n对党员干部加强教育，严肃处理。",
            24,
        );
        let a = d.accountability.unwrap();
        assert_eq!(a.circumstances.len(), 1);
        let c = &a.circumstances[0];
        assert_eq!(
            c.text,
            "在各类媒体、互联网等公开场合发表同党中央精神相违背的言论的"
        );
        assert_eq!(c.cite.src, Src::line(24));
        assert_eq!(c.cite.confidence, Confidence::Low);
        assert_eq!(c.cite.questions.len(), 1);
        assert_eq!(single_circumstance("对工作不力的，予以问责"), None);
    }

    #[test]
    fn based_on_from_the_opening_lines() {
        let d = read(
            "根据河东区教体局党组《关于意识形态工作责任制实施方案》，结合学校实际，制定本实施办法。",
            86,
        );
        assert_eq!(
            d.based_on,
            vec![("《关于意识形态工作责任制实施方案》".to_owned(), 86)]
        );
        assert_eq!(d.title, None);
    }

    #[test]
    fn a_department_the_lexicon_lacks_gets_a_role_and_a_question() {
        let d = read("3、总务处每周检查一次消防设施。\n总务处每月盘点一次。", 8);
        assert_eq!(d.duties[0].owner.as_deref(), Some("department_1"));
        assert_eq!(d.duties[1].owner.as_deref(), Some("department_1"));
        let r = d.role("department_1").unwrap();
        assert_eq!(r.title, "总务处");
        assert_eq!(r.cite.questions.len(), 1);
    }

    #[test]
    fn a_deputy_in_charge_bears_direct_responsibility() {
        let d = read("分管副校长负直接责任。", 4);
        assert_eq!(
            d.role("direct_responsible").unwrap().held_by.as_deref(),
            Some("分管副校长")
        );
    }

    #[test]
    fn an_approval_that_is_not_an_event_is_a_decision_with_a_question() {
        let d = read(
            "校长是第一责任人。\n涉及师生切身利益的重大事项须报校长审批。",
            1,
        );
        let w = &d.workflows[0];
        assert_eq!(w.kind, WorkflowKind::Decision);
        assert_eq!(w.title, "涉及师生切身利益的重大事项审批");
        assert_eq!(w.steps[0].role, "first_responsible");
        assert_eq!(w.cite.questions.len(), 1);
        // 报…备案 is a filing, not an approval
        assert!(read("并报区教育局党组备案。", 1).workflows.is_empty());
    }
}

//! Reading a text into draft entries, each with its source lines, confidence and open questions.

use crate::rules::{self, Every, Target};
use crate::text::{self, Enumerator, Line};

mod accountability;
mod duties;
mod roles;
mod workflows;

use accountability::accountability;
use duties::duties;
use roles::{
    department_roles, first_responsible, group_line, leading_group, other_leaders, post_roles,
    responsibilities, GroupFacts,
};
use workflows::{approval_chain, event_approval, major_decision, publication_review};

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
    /// What it answers for as a whole (局党组对…负主体责任).
    pub remit: Option<String>,
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
    /// The role that answers, or the body when `of_body`.
    pub role: String,
    /// `body = …` (a collective: 局党组, 党支部) rather than `role = …`.
    pub of_body: bool,
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

    /// Adds the lexicon's role for a post or department that is the subject of line `no`.
    fn add_subject_role(&mut self, t: &rules::RoleTerm, no: u32) {
        self.add_role(
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

    /// The role a post names: the role the text said these words hold (校长 for a first responsible
    /// held by 校长, 党组书记 for one held by 党组书记、局长, 分管副校长 for 分管安全工作的副校长), or the
    /// role of that title.
    fn holder_role(&self, who: &str) -> Option<String> {
        let who = who.trim().trim_start_matches(['各', '由']);
        if who.is_empty() {
            return None;
        }
        // (held_by 街道党工委书记（街道总河长）: its holders, and the post they hold it as)
        let held = |r: &&RoleEntry| {
            r.held_by.as_deref().is_some_and(|h| {
                let main = h.split(['（', '(']).next().unwrap_or(h);
                main == who || main.split(['、', '和']).any(|p| p == who)
            })
        };
        // 总河长 for a role held as 街道总河长, 副总河长 for one titled 街道副总河长
        let as_post = |r: &&RoleEntry| {
            let alias = r
                .held_by
                .as_deref()
                .and_then(|h| h.split_once(['（', '(']))
                .map(|(_, a)| a.trim_end_matches(['）', ')']));
            rules::is_person(who)
                && alias
                    .into_iter()
                    .chain(std::iter::once(r.title.as_str()))
                    .any(|t| t == who || rules::unit_prefixed(t, who))
        };
        let in_charge = |r: &&RoleEntry| {
            r.held_by
                .as_deref()
                .is_some_and(|h| rules::same_post_in_charge(who, h))
        };
        // 党组书记 for a role held by 局党组书记、局长: the organisation's one-character prefix aside
        let bare = |s: &str| -> String {
            let t = s.trim_start_matches(['局', '委', '校', '场', '所', '院', '本']);
            if t.chars().count() >= 3 && rules::is_person(t) {
                t.to_owned()
            } else {
                s.to_owned()
            }
        };
        let who_bare = bare(who);
        let held_bare = |r: &&RoleEntry| {
            r.held_by
                .as_deref()
                .is_some_and(|h| h.split(['、', '和']).any(|p| bare(p) == who_bare))
        };
        // 局办公室主任 / 保卫科科长 / 规划信息股股长: the head of a department the text made a role
        let head_of = |r: &&RoleEntry| {
            let title = r.title.split(['（', '(']).next().unwrap_or(&r.title);
            rules::department_like(title).is_some()
                && ["主任", "负责人", "科长", "股长", "处长", "部长"]
                    .iter()
                    .any(|h| {
                        who.strip_suffix(h).is_some_and(|x| {
                            x == title
                                || x.ends_with(title)
                                || (x.chars().count() >= 2
                                    && title.ends_with(x)
                                    && rules::department_like(x).is_some())
                        })
                    })
        };
        self.roles
            .iter()
            .find(held)
            .or_else(|| self.roles.iter().find(in_charge))
            .or_else(|| self.roles.iter().find(|r| r.title == who))
            .or_else(|| self.roles.iter().find(held_bare))
            .or_else(|| self.roles.iter().find(as_post))
            .or_else(|| self.roles.iter().find(head_of))
            .map(|r| r.id.clone())
    }

    /// The role `old` becomes `new` (its title and holder as given), and everything that named it
    /// names the new id.
    fn rename_role(&mut self, old: &str, new: &str, title: &str, held_by: Option<String>) {
        if let Some(r) = self.roles.iter_mut().find(|r| r.id == old) {
            r.id = new.to_owned();
            r.title = title.to_owned();
            r.held_by = held_by;
        }
        let swap = |x: &mut String| {
            if x == old {
                *x = new.to_owned();
            }
        };
        for duty in &mut self.duties {
            duty.owner.iter_mut().for_each(swap);
            duty.per_holder.iter_mut().for_each(swap);
        }
        for b in &mut self.bodies {
            b.chair
                .iter_mut()
                .chain(&mut b.deputies)
                .chain(&mut b.members)
                .for_each(swap);
        }
        for r in &mut self.responsibilities {
            swap(&mut r.role);
        }
        for w in &mut self.workflows {
            w.steps.iter_mut().for_each(|s| swap(&mut s.role));
        }
    }

    /// The role of a department the lexicon does not know (总务处, 局办公室（宣传股）): the text's role
    /// of that name (its title, or its title before a bracketed note), else a new `department_N`
    /// titled `title`, held by `held_by` when the text names its head, with a question.
    fn department_role(
        &mut self,
        no: u32,
        name: &str,
        title: &str,
        held_by: Option<&str>,
        rule: String,
    ) -> String {
        let known = self.roles.iter().find(|r| {
            r.title == title || r.title == name || r.title.split(['（', '(']).next() == Some(name)
        });
        if let Some(r) = known {
            return r.id.clone();
        }
        let id = self.unique_role_id("department");
        let mut c = Cite::new(Src::line(no), Confidence::Low, rule);
        let by = held_by.map_or(String::new(), |h| format!("（由{h}负责）"));
        c.ask(format!(
            "“{title}”新设为角色 {id}{by}：请确认，并改成有意义的 id"
        ));
        self.add_role(&id, title, held_by.map(str::to_owned), c);
        id
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
    let text = text::list_items(text);
    let (text, short_names) = text::aliases(&text);
    let lines = text::lines(&text, first_line);
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
    // the post or department a heading names (（三）总务科, 二、院长安全生产职责): the numbered lines
    // under it that name nobody are its
    let mut section: (&str, u8) = ("", 0);
    // whether the heading is the post itself or its duties (（一）院长, 党组书记的职责：), so that
    // the post may become a role when a line under it needs an owner
    let mut section_is_post = false;
    let title_line = d.title.as_ref().map(|(_, no)| *no);
    for (li, line) in lines.iter().enumerate() {
        // （责任人：…；完成时限：…）: a 责任清单 line's fields say who and by when, not more work
        let body = text::body(line.text);
        let body = body[..rules::fields_start(body).unwrap_or(body.len())].trim_end();
        // the title (××镇安全生产“党政同责、一岗双责”实施细则) states nobody's duty
        if body.is_empty() || Some(line.no) == title_line {
            continue;
        }
        let is_heading = heading(line.text).is_some();
        if let Some((h, level)) = heading(line.text) {
            let post = heading_post(h);
            // a new post's heading, or a heading at the section's level or above, ends the section
            if !post.is_empty() || level <= section.1 {
                section = (post, level);
                let bare = h.trim_end_matches(['：', ':']);
                section_is_post = !post.is_empty()
                    && (bare == post
                        || (bare.starts_with(post)
                            && (bare.ends_with("职责") || bare.ends_with("责任"))));
            }
        } else if let Some(level) = numbered_level(line.text) {
            // 第六条 … after 第四条 后勤处负责…： a statement numbered like the heading ends its section
            // (under an unnumbered heading every numbered line is an item)
            if section.1 < UNNUMBERED && level <= section.1 {
                section = ("", level);
                section_is_post = false;
            }
        }
        group_line(&mut group, line.no, body);
        // a department opening the line answers for its later sentences too
        let line_subject = text::sentences(body)
            .first()
            .and_then(|s| text::clauses(s).first().copied())
            .filter(|c| !rules::subject_roles(c).is_empty())
            .map_or("", |c| rules::subject_roles(c)[0].term);
        // the words that open the line, up to its verb (校长是…): a post the later sentences may refer to
        let line_head = text::sentences(body)
            .first()
            .and_then(|s| text::clauses(s).first().copied())
            .map_or("", |c| &c[..rules::subject_end(c)]);
        // 　责任人：局办公室主任　完成时限：…: who a 责任清单 line names answers for its duties
        let named = rules::named_answerer(line.text).unwrap_or("");
        // the answerer the line's last sentence named (保密员每月…；每年年终…): the next may omit it
        let mut carried: &str = "";
        for (k, sentence) in text::sentences(body).into_iter().enumerate() {
            first_responsible(
                &mut d,
                line.no,
                sentence,
                if section_is_post { section.0 } else { "" },
            );
            other_leaders(
                &mut d,
                line.no,
                sentence,
                if section_is_post { section.0 } else { "" },
            );
            department_roles(&mut d, line.no, sentence);
            responsibilities(&mut d, line.no, sentence, line_subject, k == 0);
            let used = duties(
                &mut d,
                line.no,
                sentence,
                (line_subject, line_head, named),
                (section.0, section_is_post),
                carried,
            );
            if let Some(c) = text::clauses(sentence).first() {
                let head = c[..rules::subject_end(c)].trim();
                let own = rules::frequency(head).map_or(head, |f| head[..f.start].trim());
                // 各楼层主管每日开门营业前…: the post before its verb
                let own = if duties::names_answerer(&d, own) {
                    own
                } else {
                    duties::post_before_verb(&d, own).unwrap_or(own)
                };
                // (a sentence that names nobody, 严格执行现金管理规定, leaves the answerer as it was)
                if duties::names_answerer(&d, own) {
                    carried = own;
                }
            }
            // 由消防安全管理人组织一次…；每年冬春…开展一次…: the one who answered goes on answering
            if let Some(u) = used.filter(|u| !u.is_empty()) {
                carried = u;
            } else if let Some(a) = text::clauses(sentence)
                .iter()
                // (主任由中心主任担任: an appointment, not work)
                .filter(|c| {
                    !["担任", "兼任", "任命", "聘任", "组成"]
                        .iter()
                        .any(|w| c.contains(w))
                })
                .find_map(|c| duties::agent_after_you(&d, c))
            {
                // 统计资料由局办公室统一管理。…于每年…整理归档一次: the agent named before
                carried = a;
            }
            let before = d.workflows.len();
            event_approval(&mut d, line.no, sentence);
            if d.workflows.len() == before {
                approval_chain(&mut d, line.no, sentence);
            }
        }
        if !named.is_empty() {
            roles::named_role(&mut d, line.no, named);
        }
        publication_review(&mut d, line.no, line.text);
        // （一）校长是学校食品安全第一责任人，对…负总责。 / 第五条 规划信息股是…牵头股室，主要职责：
        // a statement whose subject answers, followed by items numbered below it: the items are its
        if !is_heading {
            let level = numbered_level(line.text).unwrap_or(UNNUMBERED);
            let next = lines[li + 1..].iter().find(|l| !l.text.trim().is_empty());
            let items_below = next.and_then(|n| numbered_level(n.text)).is_some_and(|n| {
                level < UNNUMBERED && n > level
                    || level == UNNUMBERED && body.ends_with(['：', ':'])
            });
            let head = line_head.trim().trim_start_matches('各');
            // 三、本社设质量安全员一名，由理事会聘任，…主要职责是：: the post it sets up
            let head = match roles::set_up(head) {
                Some(post) if !duties::names_answerer(&d, head) => {
                    roles::post_role(&mut d, line.no, post);
                    post
                }
                _ => head,
            };
            // 十三、保密办在保密委员会领导下，履行以下职责：: the department before its verb
            let head = if duties::names_answerer(&d, head) {
                head
            } else {
                duties::post_before_verb(&d, head).unwrap_or(head)
            };
            let one = !head.contains(['，', '、']) || d.holder_role(head).is_some();
            if items_below && duties::names_answerer(&d, head) && one {
                section = (head, level);
                section_is_post = false;
            }
        }
    }
    // after the roles are known: who decides defaults to the first responsible
    for line in &lines {
        major_decision(&mut d, line.no, line.text);
    }
    leading_group(&mut d, group);
    accountability(&mut d, &lines);
    // 街道河长制办公室（街道河长办）: a role the text also calls by a short name carries both
    for (short, full) in &short_names {
        for r in d.roles.iter_mut().filter(|r| &r.title == full) {
            r.title = format!("{full}（{short}）");
        }
    }
    d
}

/// A heading line: its text (after any numbering) when it is short and makes no statement (no
/// comma or semicolon): （三）总务科, 第二部分 岗位责任, 二、院长安全生产职责.
/// The level of a line's numbering, in the order Chinese documents nest them: 0 for 一、 第X条,
/// 1 for （一）, 2 for 1., 3 for （1）, 4 for ①; none unnumbered ([`UNNUMBERED`]).
fn numbered_level(line: &str) -> Option<u8> {
    match text::enumerator(line)?.0 {
        Enumerator::Section(_) | Enumerator::Article(_) => Some(0),
        Enumerator::Paren(_) => {
            let s = line.trim_start_matches(['?', ' ', '\u{3000}']);
            let inner = s.chars().nth(1);
            Some(if inner.is_some_and(|c| c.is_ascii_digit()) {
                3
            } else {
                1
            })
        }
        Enumerator::Arabic(_) => Some(2),
        Enumerator::Circled(_) => Some(4),
    }
}

/// The level of an unnumbered line, below every numbering.
const UNNUMBERED: u8 = 5;

/// Its level: 0 for 一、 第X条 第X部分 第X章, 1 for （一）, 2 for 1., 3 for （1）, 4 for ①, unnumbered
/// [`UNNUMBERED`].
fn heading(line: &str) -> Option<(&str, u8)> {
    let mut level = numbered_level(line).unwrap_or(UNNUMBERED);
    let body = text::body(line);
    let mut body = body.trim();
    if let Some((_, r)) = body
        .strip_prefix('第')
        .and_then(|r| r.split_once(['部', '章']))
    {
        body = r.trim_start_matches(['分', ' ', '\u{3000}']);
        level = 0;
    }
    let body = body.trim_end_matches(['。', '：', ':']).trim();
    let n = body.chars().count();
    ((1..=20).contains(&n)
        && !body.contains(['，', ',', '；', ';', '。'])
        && rules::frequency(body).is_none())
    .then_some((body, level))
}

/// The post or department a heading names, without 职责/责任 words (院长安全生产职责 → 院长), or ""
/// for a heading about something else.
fn heading_post(h: &str) -> &str {
    // 三、医院感染管理科（以下简称感控科）职责: the name before its bracketed note
    let mut p = match (h.find(['（', '(']), h.rfind(['）', ')'])) {
        (Some(a), Some(b)) if b > a && h[b..].chars().count() <= 4 => &h[..a],
        _ => h,
    };
    for end in ["职责", "责任", "岗位", "的"] {
        p = p.trim_end_matches(end);
    }
    for kind in [
        "安全生产",
        "党风廉政建设",
        "党风廉政",
        "网络安全",
        "意识形态",
        "保密工作",
        "保密",
        "消防安全",
        "消防",
        "食品安全",
        "安全",
        "工作",
    ] {
        // 院长安全生产职责 → 院长, not 分管安全生产的副镇长 → 分管: the kind ends the heading
        if let Some(k) = p.find(kind) {
            let tail = &p[k..];
            if k > 0 && (tail == kind || tail.strip_prefix(kind) == Some("工作")) {
                p = &p[..k];
            }
        }
    }
    // 后勤处负责食堂日常管理: the subject, up to its verb
    let p = p[..rules::subject_end(p)].trim();
    let p = ["负责", "具体负责"]
        .iter()
        .filter_map(|v| p.find(v))
        .min()
        .map_or(p, |k| &p[..k])
        .trim();
    let named = rules::ROLE_TERMS.iter().any(|t| p.contains(t.term))
        || rules::department_like(p).is_some()
        || rules::each_department(p)
        || rules::is_person(p)
        || duties::other_members(p);
    if named && p.chars().count() <= 12 {
        p
    } else {
        ""
    }
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
    quoted_title(lines).or_else(|| heading_title(lines))
}

/// The text's first line as its title, when it reads as one: short, no sentence in it, ending in the
/// name of a kind of rules (XX镇卫生院安全生产目标管理责任制, 关于落实…的实施办法).
fn heading_title(lines: &[Line<'_>]) -> Option<(String, u32)> {
    let l = lines.iter().find(|l| !l.text.is_empty())?;
    let t = l.text.trim_matches(['《', '》']);
    let kinds = [
        "责任制",
        "责任清单",
        "实施方案",
        "实施办法",
        "实施细则",
        "实施意见",
        "工作方案",
        "办法",
        "细则",
        "规定",
        "制度",
    ];
    let n = t.chars().count();
    ((6..=60).contains(&n)
        && !t.contains(['，', '。', '；', ',', ';', '：'])
        && text::enumerator(t).is_none()
        && kinds.iter().any(|k| t.ends_with(k)))
    .then(|| (t.to_owned(), l.no))
}

fn quoted_title(lines: &[Line<'_>]) -> Option<(String, u32)> {
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

#[cfg(test)]
mod tests {
    use super::accountability::single_circumstance;
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
        // a first line that is a title, without 《》
        let d = read(
            "\nXX县档案馆保密工作责任制实施细则\n为加强保密管理，制定本细则。",
            1,
        );
        assert_eq!(
            d.title,
            Some(("XX县档案馆保密工作责任制实施细则".into(), 2))
        );
        assert!(d.all_questions().is_empty());
        assert_eq!(read("一、总则\n本办法适用于全局。", 1).title, None);
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
        assert_eq!(
            single_circumstance("对有下列行为之一的人员，视情节给予处理"),
            None
        );
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
        let d = read("3、基建处每周检查一次消防设施。\n基建处每月盘点一次。", 8);
        assert_eq!(d.duties[0].owner.as_deref(), Some("department_1"));
        assert_eq!(d.duties[1].owner.as_deref(), Some("department_1"));
        let r = d.role("department_1").unwrap();
        assert_eq!(r.title, "基建处");
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
    fn a_post_named_as_holder_owns_the_duties_it_opens() {
        let d = read(
            "所长是本所安全工作第一责任人，对安全工作全面负责。所长每学期至少召开两次安全会议；每学年开学前与各组签订责任书。\n分管后勤工作的副所长是直接责任人，协助所长工作，每月组织一次全所检查。",
            1,
        );
        let owners: Vec<_> = d
            .duties
            .iter()
            .map(|x| (x.every, x.times, x.owner.as_deref()))
            .collect();
        assert_eq!(
            owners,
            vec![
                (Every::HalfYear, Some(2), Some("first_responsible")),
                (Every::Year, None, Some("first_responsible")),
                (Every::Month, Some(1), Some("direct_responsible")),
            ]
        );
    }

    #[test]
    fn talks_with_the_members_are_not_the_members_duty() {
        let d = read(
            "党组书记、局长是第一责任人。\n党组书记每年与班子成员分别开展一次谈心谈话。",
            1,
        );
        let duty = &d.duties[0];
        assert_eq!(duty.owner.as_deref(), Some("first_responsible"));
        assert_eq!(duty.per_holder, None);
    }

    #[test]
    fn of_which_is_a_second_duty_of_the_period() {
        let d = read("中心组每年集中学习不少于10次，其中专题研讨不少于3次。", 1);
        let times: Vec<_> = d.duties.iter().map(|x| (x.every, x.times)).collect();
        assert_eq!(times, vec![(Every::Year, Some(10)), (Every::Year, Some(3))]);
        assert_eq!(d.duties[1].title, "专题研讨");
    }

    #[test]
    fn holidays_listed_first_take_the_subject_after_them() {
        let d = read(
            "元旦、春节、国庆等节假日前，办公室主任组织开展一次安全检查。\n信息中心每月巡检一次；法定节假日前，信息中心组织一次专项检查。",
            1,
        );
        assert_eq!(d.duties[0].every, Every::Holiday);
        assert_eq!(d.duties[2].every, Every::Holiday);
        assert_eq!(d.duties[2].owner.as_deref(), Some("information_centre"));
    }

    #[test]
    fn important_responsible_and_who_performs_first_responsibility() {
        let d = read(
            "院党委书记履行第一责任人职责，分管宣传工作的副院长是重要责任人。",
            1,
        );
        assert_eq!(
            d.role("first_responsible")
                .and_then(|r| r.held_by.as_deref()),
            Some("院党委书记")
        );
        assert_eq!(
            d.role("important_responsible")
                .and_then(|r| r.held_by.as_deref()),
            Some("分管宣传工作的副院长")
        );
    }

    #[test]
    fn an_administrator_opening_a_sentence_is_a_role() {
        let d = read("锅炉房管理员对锅炉运行安全负责。", 1);
        let r = d.roles.iter().find(|r| r.title == "锅炉房管理员").unwrap();
        assert_eq!(r.id, "administrator_1");
        assert_eq!(r.cite.questions.len(), 1);
    }

    #[test]
    fn an_approval_chain_names_its_steps_in_order() {
        let d = read(
            "校长是第一责任人，分管教学工作的副校长是直接责任人。\n外出研学活动方案须经分管副校长审核、校长批准后实施。",
            1,
        );
        let w = &d.workflows[0];
        assert_eq!(w.kind, WorkflowKind::Event);
        let roles: Vec<_> = w.steps.iter().map(|s| s.role.as_str()).collect();
        assert_eq!(roles, vec!["direct_responsible", "first_responsible"]);
        assert_eq!(w.cite.src, Src::line(2));
    }

    #[test]
    fn a_conditional_approval_adds_a_major_step_to_the_chain() {
        let d = read(
            "党组书记、局长是第一责任人。\n信息对外发布由办公室工作人员初审、办公室主任复审；涉及敏感事项的，须报局长审定。",
            1,
        );
        assert_eq!(d.workflows.len(), 1);
        let w = &d.workflows[0];
        assert_eq!(w.kind, WorkflowKind::Publication);
        let steps: Vec<_> = w
            .steps
            .iter()
            .map(|s| (s.title.as_str(), s.major))
            .collect();
        assert_eq!(
            steps,
            vec![
                ("办公室工作人员审批", false),
                ("办公室主任审批", false),
                ("局长审批（限定情形）", true)
            ]
        );
        assert_eq!(w.steps[2].role, "first_responsible");
    }

    #[test]
    fn no_approval_chain_in_a_circumstance_or_a_case() {
        let d = read(
            "（二）未经审批擅自组织外出活动的；\n错误决定由主要负责人个人决定或者批准的，追究其个人责任。\n定期审核台账，经常审核账目。",
            1,
        );
        assert!(d.workflows.is_empty());
    }

    #[test]
    fn an_approver_in_charge_without_a_holder_is_the_leadership() {
        let d = read(
            "班子成员落实一岗双责。\n大额采购须经分管领导审核，报局长办公会集体研究。",
            1,
        );
        let w = &d.workflows[0];
        assert_eq!(w.kind, WorkflowKind::Decision);
        assert_eq!(w.steps[0].role, "leadership");
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

    #[test]
    fn circumstance_lists_in_other_wordings_and_numberings() {
        for (text, n) in [
            (
                "五、责任追究\n出现以下情况之一的，追究相关人员责任：\n①隐瞒事故的；\n②拒不整改的；\n③擅离职守的。",
                3,
            ),
            (
                "工作人员有下列行为之一的，视情节给予处理：\n1）泄露数据的；\n2）违规外联的。",
                2,
            ),
            (
                "凡存在下列问题之一的，实行一票否决：（一）发生重大事故的；（二）瞒报的。",
                2,
            ),
        ] {
            let a = read(text, 1).accountability.unwrap();
            assert_eq!(a.circumstances.len(), n, "{text}");
        }
        // what to report is no circumstance
        let d = read(
            "发生下列情况之一的，应当立即报告：\n（一）火灾；\n（二）停电。",
            1,
        );
        assert!(d.accountability.is_none());
    }

    #[test]
    fn measures_in_a_list_whatever_the_verb() {
        // numbered inside the line, after a line that introduces the ways
        let d = read(
            "追究责任采取以下方式：（一）责令作出书面检查；（二）通报批评；（三）调整职务、责令辞职或者免职；（四）纪律处分。",
            1,
        );
        let m = d.accountability.unwrap().measures;
        assert_eq!(
            m,
            vec![
                "责令作出书面检查",
                "通报批评",
                "调整职务",
                "责令辞职",
                "免职",
                "纪律处分"
            ]
        );
        // numbered on the lines after it
        let d = read("问责方式如下：\n1.提醒谈话；\n2.通报批评；\n3.扣减年度奖金。\n本办法自印发之日起施行。", 1);
        let m = d.accountability.unwrap().measures;
        assert_eq!(m, vec!["提醒谈话", "通报批评", "扣减年度奖金"]);
        // 根据情节轻重，可给予…: no 追究 or 问责 in the sentence
        let d = read("根据情节轻重，可给予约谈、责令检查、通报批评。", 1);
        assert_eq!(
            d.accountability.unwrap().measures,
            vec!["约谈", "责令检查", "通报批评"]
        );
    }

    #[test]
    fn the_first_responsible_named_in_an_earlier_clause() {
        let d = read(
            "公司党委书记对安全生产负总责，是第一责任人，带头抓好各项工作。",
            1,
        );
        assert_eq!(
            d.role("first_responsible").unwrap().held_by.as_deref(),
            Some("公司党委书记")
        );
        let d = read("馆长是本馆消防安全第一责任人。", 1);
        assert_eq!(
            d.role("first_responsible").unwrap().held_by.as_deref(),
            Some("馆长")
        );
        // each unit's own first responsible is not this one's
        assert!(read("各分厂厂长对本厂负总责，是第一责任人。", 1)
            .role("first_responsible")
            .is_none());
    }

    #[test]
    fn direct_leadership_responsibility_and_who_is_below() {
        let d = read(
            "分管生产的副厂长对安全生产负直接领导责任，每月组织一次检查。",
            1,
        );
        assert_eq!(
            d.role("direct_responsible").unwrap().held_by.as_deref(),
            Some("分管生产的副厂长")
        );
        assert_eq!(d.duties[0].owner.as_deref(), Some("direct_responsible"));
        let d = read("站长对本站食品安全负直接责任。", 1);
        assert_eq!(
            d.role("direct_responsible").unwrap().held_by.as_deref(),
            Some("站长")
        );
        // each unit's heads below, and who is held to account, are no direct responsible of this one
        assert!(read("各车间主任对本车间安全负直接领导责任。", 1)
            .role("direct_responsible")
            .is_none());
        assert!(read("厂部各科室负责人对本科室负直接责任。", 1)
            .role("direct_responsible")
            .is_none());
        assert!(read("对直接责任人依规追究责任。", 1)
            .role("direct_responsible")
            .is_none());
    }

    #[test]
    fn posts_that_open_a_responsibility_sentence_are_roles() {
        let d = read(
            "经理协助董事长抓好安全生产，对分管业务的安全负责。\n各分公司经理和分公司书记对本单位负直接领导责任。",
            1,
        );
        let titles: Vec<&str> = d.roles.iter().map(|r| r.title.as_str()).collect();
        assert!(titles.contains(&"经理"), "{titles:?}");
        assert!(titles.contains(&"分公司经理"), "{titles:?}");
        assert!(titles.contains(&"分公司书记"), "{titles:?}");
        let r = d.roles.iter().find(|r| r.title == "经理").unwrap();
        assert_eq!(r.id, "manager");
        assert_eq!(r.cite.questions.len(), 1);
        // posts listed with the departments' heads are heads of units alike
        let d2 = read("各科室负责人、各站站长对本单位安全负直接责任。", 1);
        assert!(d2
            .roles
            .iter()
            .all(|r| r.title != "站站长" && r.title != "各站站长"));
        // the other leaders, a department's head, or a post of no responsibility sentence: none
        let d = read(
            "其他副院长按照分工负领导责任。信息科科长负责日常运维。局长出席会议。",
            1,
        );
        assert!(d
            .roles
            .iter()
            .all(|r| r.title != "其他副院长" && r.title != "局长" && r.title != "信息科科长"));
    }

    #[test]
    fn a_heading_names_the_owner_of_the_items_under_it() {
        let text = "二、岗位职责\n（一）总务处\n1.每季度检查一次消防设施；\n2.每年汛期前排查一次校舍。\n（二）保卫科安全职责\n每月组织一次消防演练。\n三、工作要求\n每月开展一次检查。";
        let d = read(text, 1);
        let owners: Vec<_> = d.duties.iter().map(|x| x.owner.as_deref()).collect();
        assert_eq!(
            owners,
            vec![
                Some("general_affairs"),
                Some("general_affairs"),
                Some("security_department"),
                None
            ]
        );
    }

    #[test]
    fn subjects_from_you_and_from_the_sentence_before() {
        // 由X: the agent
        let d = read("特种设备由设备科建立档案，每年申请检验一次。", 1);
        assert_eq!(d.duties[0].owner.as_deref(), Some("equipment"));
        // the sentence before in the line named the subject
        let d = read(
            "保密员每月检查一次涉密计算机；每年年终清查一次涉密载体。",
            1,
        );
        let owners: Vec<_> = d.duties.iter().map(|x| x.owner.as_deref()).collect();
        assert_eq!(
            owners,
            vec![Some("secrecy_officer"), Some("secrecy_officer")]
        );
        // a department opening the sentence
        let d = read("审计科负责内部审计，每半年审计一次各分场账目。", 1);
        assert_eq!(d.duties[0].owner.as_deref(), Some("audit"));
        // 场部财务科对…每半年审计一次: the subject ends at 对
        let d = read("厂部财务科对各车间收支每半年审计一次。", 1);
        assert_eq!(d.duties[0].owner.as_deref(), Some("finance_department"));
    }

    #[test]
    fn who_is_helped_or_talked_to_is_not_the_owner() {
        let d = read(
            "安全员协助保卫科做好日常检查；国庆等节假日前，协助保卫科开展一次消防检查。",
            1,
        );
        let last = d.duties.last().unwrap();
        assert_eq!(last.every, Every::Holiday);
        assert_eq!(last.owner.as_deref(), Some("safety_officer"));
        let d = read(
            "所长是本所安全生产第一责任人。每年年初与各科室负责人签订安全生产责任书。",
            1,
        );
        assert_eq!(d.duties[0].owner.as_deref(), Some("first_responsible"));
    }

    #[test]
    fn each_department_and_everyone_answer_each_for_themselves() {
        let d = read("各科室每年12月开展一次保密自查。", 1);
        assert_eq!(d.duties[0].per_holder.as_deref(), Some("department_head"));
        let d = read("全体员工每年至少参加一次消防培训。", 1);
        assert_eq!(d.duties[0].per_holder.as_deref(), Some("staff"));
        // 组织全体职工…培训: the staff are whom it is for, not who answers
        let d = read("每年组织全体职工开展一次安全培训。", 1);
        assert_eq!(d.duties[0].per_holder, None);
        assert_eq!(d.duties[0].owner, None);
    }

    #[test]
    fn named_holidays_closed_or_open() {
        let d = read(
            "春节、中秋节前，纪委开展一次专项检查。\n元旦、春节等节日前，纪委开展一次检查。",
            1,
        );
        let f: Vec<_> = d.duties.iter().map(|x| (x.every, x.times)).collect();
        assert_eq!(f, vec![(Every::Year, Some(2)), (Every::Holiday, Some(1))]);
    }

    #[test]
    fn a_concurrent_post_holds_the_officer_role() {
        let d = read("办公室主任兼任保密员，负责涉密载体管理。", 1);
        assert_eq!(
            d.role("secrecy_officer").unwrap().held_by.as_deref(),
            Some("办公室主任")
        );
    }

    #[test]
    fn a_further_approval_is_a_step_of_the_chain_not_a_workflow() {
        let d = read(
            "党组书记、局长为第一责任人，分管信息化工作的副局长为直接责任人。\n新增系统权限，经信息中心审核，报分管副局长审批；涉及核心权限的，还须报局长审批。",
            1,
        );
        assert_eq!(d.workflows.len(), 1);
        let roles: Vec<_> = d.workflows[0]
            .steps
            .iter()
            .map(|s| (s.role.as_str(), s.major))
            .collect();
        assert_eq!(
            roles,
            vec![
                ("information_centre", false),
                ("direct_responsible", false),
                ("first_responsible", true)
            ]
        );
    }

    #[test]
    fn a_single_fan_sentence_is_a_circumstance_with_a_question() {
        let d = read("凡因工作失职造成重大安全事故的，一律追究有关人员责任。", 1);
        let a = d.accountability.unwrap();
        assert_eq!(a.circumstances[0].text, "因工作失职造成重大安全事故的");
        assert_eq!(a.circumstances[0].cite.questions.len(), 1);
        // 凡有下列情形之一的 is a header, not one
        let d = read("凡有下列情形之一的，予以问责：\n（一）瞒报的；", 1);
        assert_eq!(d.accountability.unwrap().circumstances.len(), 1);
    }

    #[test]
    fn circumstances_as_yi_shi_er_shi() {
        let d = read(
            "领导干部有下列情形之一的，予以问责：一是对分管领域问题不闻不问的；二是干预案件查处的；三是瞒报漏报的。",
            1,
        );
        assert_eq!(d.accountability.unwrap().circumstances.len(), 3);
    }

    #[test]
    fn a_post_that_is_an_officer_holds_the_role() {
        let d = read(
            "法定代表人为本单位消防安全责任人。\n由副总经理担任食品安全总监。",
            1,
        );
        assert_eq!(
            d.role("fire_safety_responsible")
                .unwrap()
                .held_by
                .as_deref(),
            Some("法定代表人")
        );
        assert_eq!(
            d.role("food_safety_director").unwrap().held_by.as_deref(),
            Some("副总经理")
        );
    }

    #[test]
    fn the_other_members_bear_leadership_responsibility() {
        let d = read(
            "公司党委班子其他成员按照分工，对分管范围的党风廉政建设负领导责任。",
            1,
        );
        assert_eq!(
            d.role("leadership").unwrap().held_by.as_deref(),
            Some("公司党委班子其他成员")
        );
        // 负直接领导责任 / 全面领导责任 are other layers
        assert!(read("党委班子成员对本单位负全面领导责任。", 1)
            .role("leadership")
            .is_none());
    }

    #[test]
    fn a_section_ends_at_the_next_statement_numbered_like_its_heading() {
        let d = read(
            "第四条 后勤处负责食堂日常管理：\n（一）每月核查一次供应商资质；\n第五条 全体从业人员每年参加培训不少于两次。",
            1,
        );
        let owners: Vec<_> = d
            .duties
            .iter()
            .map(|x| (x.owner.as_deref(), x.per_holder.as_deref()))
            .collect();
        assert_eq!(owners, vec![(Some("logistics"), None), (None, None)]);
    }

    #[test]
    fn an_officers_holder_is_no_new_post_and_department_managers_are_heads() {
        let d = read(
            "商场总经理是本单位消防安全责任人，对消防安全工作全面负责。\n各部门经理对本部门消防安全负责，每周开展一次防火检查。",
            1,
        );
        assert!(d.roles.iter().all(|r| r.title != "商场总经理"));
        assert_eq!(
            d.role("fire_safety_responsible")
                .unwrap()
                .held_by
                .as_deref(),
            Some("商场总经理")
        );
        assert_eq!(d.duties[0].owner.as_deref(), Some("department_head"));
    }

    #[test]
    fn lists_under_headings_of_cases_and_of_measures() {
        let d = read(
            "（二）问责情形\n1.对上级部署不传达、不落实的；\n2.发生泄密事件不报告的。\n（三）问责方式\n1.批评教育；\n2.诫勉谈话；\n3.组织处理。\n四、附则",
            1,
        );
        let a = d.accountability.unwrap();
        assert_eq!(a.circumstances.len(), 2);
        assert_eq!(a.circumstances[0].cite.confidence, Confidence::High);
        assert_eq!(a.measures, vec!["批评教育", "诫勉谈话", "组织处理"]);
        // a heading over items that are no cases makes no circumstances
        let d = read("（二）工作责任情况\n1.加强学习；\n2.建立台账。", 1);
        assert!(d.accountability.is_none());
    }

    #[test]
    fn once_this_and_once_that_are_two_duties() {
        let d = read("全体员工每年至少参加一次消防培训和一次应急疏散演练。", 1);
        let got: Vec<_> = d
            .duties
            .iter()
            .map(|x| (x.every, x.times, x.title.as_str(), x.per_holder.as_deref()))
            .collect();
        assert_eq!(
            got,
            vec![
                (Every::Year, Some(1), "参加消防培训", Some("staff")),
                (Every::Year, Some(1), "应急疏散演练", Some("staff"))
            ]
        );
        // one occasion with two parts stays one duty
        assert_eq!(read("每月开展一次检查和整改。", 1).duties.len(), 1);
    }

    #[test]
    fn the_phases_of_the_year_are_no_duty() {
        let d = read("党委每年召开两次专题会议，年初部署、年中推进。", 1);
        assert_eq!(d.duties.len(), 1);
        assert_eq!(d.duties[0].times, Some(2));
        let d = read("联络员每年参加业务培训不少于两次。", 1);
        assert_eq!(d.duties[0].title, "参加业务培训");
    }

    #[test]
    fn yi_shi_items_on_the_line_after_the_header() {
        let d = read(
            "有以下情形之一的，依规追究相关责任人责任：\n一是未落实等级保护制度的；二是发生网络安全事件隐瞒不报的。\n情节较轻的，予以批评教育。",
            1,
        );
        let a = d.accountability.unwrap();
        assert_eq!(a.circumstances.len(), 2);
        assert_eq!(a.circumstances[1].text, "发生网络安全事件隐瞒不报的");
        assert_eq!(a.measures, vec!["批评教育"]);
    }

    #[test]
    fn the_agent_after_a_holiday_cue_and_the_unit_itself() {
        let d = read(
            "元旦、春节、国庆节等重要节日前，由信息科组织一次专项检查。\n中心每季度召开一次网络安全工作会议。",
            1,
        );
        assert_eq!(d.duties[0].owner.as_deref(), Some("department_1"));
        assert_eq!(d.role("department_1").unwrap().title, "信息科");
        // 中心 alone is the organisation: asked, not made a department
        assert_eq!(d.duties[1].owner, None);
        assert!(d.roles.iter().all(|r| r.title != "中心"));
    }

    #[test]
    fn a_heading_naming_a_post_makes_it_a_role_owning_the_items() {
        let d = read(
            "第二条 党组书记的职责：\n（一）每年至少主持召开两次党组会议；\n第三条 党组其他成员按照分工负领导责任，每年至少讲授一次专题党课。",
            1,
        );
        let r = d.roles.iter().find(|r| r.title == "党组书记").unwrap();
        assert_eq!(r.cite.src, Src::line(2));
        assert_eq!(r.cite.questions.len(), 1);
        assert_eq!(d.duties[0].owner.as_deref(), Some(r.id.as_str()));
        // the other members, each
        assert_eq!(d.duties[1].per_holder.as_deref(), Some("leadership"));
    }

    #[test]
    fn a_statement_is_no_heading_and_a_later_holder_is_no_new_post() {
        // a short statement naming a post is not its section's heading
        let d = read(
            "党支部书记为学校意识形态工作第一责任人。\n1、每季度组织1次学习。",
            1,
        );
        assert!(d.roles.iter().all(|r| r.title != "党支部书记"));
        // （一）院长 over 院长是第一责任人…: the role the text gives the post, not a new one
        let d = read(
            "（一）院长\n院长是本院安全生产第一责任人，每季度主持召开一次例会。",
            1,
        );
        assert!(d.roles.iter().all(|r| r.title != "院长"));
        assert_eq!(d.duties[0].owner.as_deref(), Some("first_responsible"));
    }

    #[test]
    fn numbered_items_under_an_unnumbered_heading_are_its() {
        let d = read(
            "保卫科安全职责\n1.每月检查一次消防器材；\n2.每季度组织一次消防演练。",
            1,
        );
        let owners: Vec<_> = d.duties.iter().map(|x| x.owner.as_deref()).collect();
        assert_eq!(
            owners,
            vec![Some("security_department"), Some("security_department")]
        );
    }

    /// Each duty's answering role (`owner`, else the per-holder role), in order.
    fn owners(d: &Draft) -> Vec<Option<&str>> {
        d.duties
            .iter()
            .map(|x| x.owner.as_deref().or(x.per_holder.as_deref()))
            .collect()
    }

    /// The title of the role with this id.
    fn title_of<'a>(d: &'a Draft, id: Option<&str>) -> Option<&'a str> {
        d.roles
            .iter()
            .find(|r| Some(r.id.as_str()) == id)
            .map(|r| r.title.as_str())
    }

    #[test]
    fn a_responsibility_list_line_names_its_owner() {
        let d = read(
            "党总支书记是第一责任人。\n\
             1. 每季度召开一次专题会议研究党建工作。（责任主体：党总支；责任人：党总支书记）\n\
             2. 每半年到联系科室调研一次。（责任人：副院长、副书记）\n\
             3　站长每年讲一次廉政课，班子成员每年走访一次服务对象。　责任人：站长、班子成员\n\
             4　每月核对一次银行账户。　责任人：综合科科长",
            1,
        );
        let o = owners(&d);
        assert_eq!(o[0], Some("first_responsible"));
        assert_eq!(o[1], Some("leadership"));
        assert!(d.duties[1].per_holder.is_some());
        // a list of several: each sentence keeps its own subject
        assert_eq!(title_of(&d, o[2]), Some("站长"));
        assert_eq!(o[3], Some("leadership"));
        // the head of a department answers as the department, held by its head
        assert_eq!(title_of(&d, o[4]), Some("综合科"));
        assert_eq!(
            d.role(o[4].unwrap()).and_then(|r| r.held_by.as_deref()),
            Some("综合科科长")
        );
        assert!(!d.duties[4].owner_asked);
    }

    #[test]
    fn a_statement_with_items_below_owns_them() {
        let d = read(
            "（一）站长是本站消防安全第一责任人，对全站消防工作负总责。\n\
             1. 每季度主持召开一次消防安全会议。\n\
             2. 每年与各班组签订一次消防安全责任书。\n\
             （二）综合股是本站消防安全的归口管理部门，主要职责是：\n\
             1. 每月检查一次灭火器材。\n\
             第三条 财务股负责经费保障，主要职责：\n\
             （一）每季度核对一次消防经费支出。",
            1,
        );
        let o = owners(&d);
        assert_eq!(&o[..2], &[Some("first_responsible"); 2]);
        assert_eq!(title_of(&d, o[2]), Some("综合股"));
        assert_eq!(title_of(&d, o[3]), Some("财务股"));
    }

    #[test]
    fn an_officer_named_after_the_organisation() {
        let d = read(
            "分管后勤的副所长为本所消防安全管理人，每月组织一次防火检查。\n\
             所长是本所的消防安全责任人，每季度听取一次消防工作汇报。",
            1,
        );
        let o = owners(&d);
        assert_eq!(
            o,
            vec![Some("fire_safety_manager"), Some("fire_safety_responsible")]
        );
        let held = |id: &str| d.role(id).and_then(|r| r.held_by.as_deref());
        assert_eq!(held("fire_safety_manager"), Some("分管后勤的副所长"));
        assert_eq!(held("fire_safety_responsible"), Some("所长"));
    }

    #[test]
    fn posts_the_lexicon_lacks_answer_for_their_duties() {
        let d = read(
            "护士长每周检查一次病区用氧安全。\n\
             班组长每班进行班前讲话，每周组织一次班组安全活动。\n\
             其他副所长每季度到分管科室检查一次。\n\
             数据安全管理员每月检查一次重要数据访问日志。",
            1,
        );
        let o = owners(&d);
        assert_eq!(title_of(&d, o[0]), Some("护士长"));
        assert_eq!(title_of(&d, o[1]), Some("班组长"));
        assert_eq!(o[2], Some("leadership"));
        assert!(d.duties[2].per_holder.is_some());
        // not the lexicon's 安全管理员: the whole post
        assert_eq!(title_of(&d, o[3]), Some("数据安全管理员"));
        assert!(d.role("safety_officer").is_none());
    }

    #[test]
    fn the_leading_groups_members_item_by_item() {
        let d = read(
            "分管后勤的副园长是直接责任人。\n\
             成立园安全工作领导小组，由园长任组长，分管后勤的副园长任副组长，后勤主任、\
             食堂管理员（兼食品安全员）、各年级组长为成员。",
            1,
        );
        let g = &d.bodies[0];
        assert_eq!(g.deputies, vec!["direct_responsible"]);
        let titles: Vec<&str> = g
            .members
            .iter()
            .filter_map(|m| title_of(&d, Some(m)))
            .collect();
        assert_eq!(titles, vec!["食堂管理员", "后勤主任", "年级组长"]);
        assert!(d.role("food_safety_officer").is_none());
        assert!(d.role("safety_officer").is_none());
        assert!(d.role("deputy_leader").is_none());
    }

    #[test]
    fn who_answered_goes_on_answering_and_the_head_of_a_department_is_its_role() {
        let d = read(
            "春节、国庆等节假日前，由安全科组织一次全面检查；每年冬季，开展一次防火专项检查。\n\
             综合办负责机要文件管理。\n\
             每月由综合办主任检查一次文件台账。\n\
             元旦、春节等节假日前，以及重要会议期间，保卫处牵头组织开展一次安全检查。",
            1,
        );
        let o = owners(&d);
        assert_eq!(&o[..2], &[Some("safety_department"); 2]);
        assert_eq!(title_of(&d, o[2]), Some("综合办"));
        assert_eq!(o[3], Some("security_department"));
        assert!(!d.duties[3].title.starts_with("以及"));
    }

    #[test]
    fn overall_responsibility_is_the_first_responsible() {
        let d = read(
            "公司安全生产实行董事长负总责、分管副总经理具体负责的责任体系。\n\
             董事长每季度听取一次安全生产工作汇报。",
            1,
        );
        assert_eq!(
            d.role("first_responsible")
                .and_then(|r| r.held_by.as_deref()),
            Some("董事长")
        );
        assert_eq!(owners(&d), vec![Some("first_responsible")]);
        assert!(d.roles.iter().all(|r| !r.title.contains("实行")));
        // the head of each unit below answers directly for it, not as the organisation's
        let d = read("系主任对本系安全工作负直接责任，每学期检查一次实验室。", 1);
        assert!(d.role("direct_responsible").is_none());
    }

    #[test]
    fn circumstances_numbered_one_is_two_is_line_by_line() {
        let d = read(
            "第九条 下列行为，属于安全生产责任追究情形：\n\
             一是未按规定开展隐患排查的；\n\
             二是迟报、瞒报事故的。\n\
             第十条 存在以下问题的，予以问责：一是整改不力的；二是拒不配合检查的。\n\
             第十一条 视情节轻重，给予批评教育、调离岗位等处理。",
            1,
        );
        let a = d.accountability.as_ref().expect("accountability");
        let texts: Vec<&str> = a.circumstances.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(
            texts,
            vec![
                "未按规定开展隐患排查的",
                "迟报、瞒报事故的",
                "整改不力的",
                "拒不配合检查的"
            ]
        );
        assert!(a.measures.iter().any(|m| m == "调离岗位"));
    }

    #[test]
    fn an_earlier_clause_names_who_answers() {
        let d = read(
            "所党委对安全生产负主体责任，党委书记、所长是第一责任人，应当每季度听取一次班子成员履行“一岗双责”情况汇报。\n\
             副所长和其他党委委员对分管科室负领导责任，应当每半年与分管科室负责人谈话一次。\n\
             质量控制部门要每月开展一次质量抽查。",
            1,
        );
        let o = owners(&d);
        assert_eq!(o[0], Some("first_responsible"));
        // whom one hears is not who answers, nor the members' holder
        assert!(d
            .role("leadership")
            .and_then(|r| r.held_by.as_deref())
            .is_none_or(|h| !h.contains("听取")));
        assert_eq!(o[1], Some("leadership"));
        assert!(d.duties[1].per_holder.is_some());
        assert_eq!(title_of(&d, o[2]), Some("质量控制部门"));
    }

    #[test]
    fn a_heading_names_a_post_with_its_area() {
        let d = read(
            "××站安全生产责任制\n\
             二、分管安全生产的副站长职责\n\
             1.每月带队开展一次安全检查。\n\
             三、站应急管理办公室职责\n\
             1.每季度组织一次应急演练。",
            1,
        );
        let o = owners(&d);
        assert_eq!(title_of(&d, o[0]), Some("分管安全生产的副站长"));
        assert_eq!(title_of(&d, o[1]), Some("站应急管理办公室"));
        // the title line is nobody's responsibility
        assert!(d.responsibilities.iter().all(|r| r.cite.src.first != 1));
    }

    #[test]
    fn posts_appointed_and_sections_numbered_below_their_heading() {
        let d = read(
            "××镇河长制工作责任制\n\
             1.组织体系\n\
             ①镇党委书记任镇总河长，是全镇河湖管理保护第一责任人；镇长任镇副总河长。\n\
             ②镇其他班子成员分别担任辖区河道的镇级河长。\n\
             2.总河长职责\n\
             ①每年至少主持召开2次总河长会议。\n\
             3.副总河长职责\n\
             协助总河长抓好河长制工作，每月听取一次河长办工作汇报。\n\
             4.镇级河长职责\n\
             ①每月巡河不少于1次。",
            1,
        );
        let o = owners(&d);
        assert_eq!(o[0], Some("first_responsible"));
        assert_eq!(
            d.role("first_responsible")
                .and_then(|r| r.held_by.as_deref()),
            Some("镇党委书记（镇总河长）")
        );
        assert_eq!(title_of(&d, o[1]), Some("镇副总河长"));
        assert_eq!(title_of(&d, o[2]), Some("镇级河长"));
    }

    #[test]
    fn heads_of_bodies_tables_across_headings_and_the_others_heading() {
        let d = read(
            "××中心党风廉政建设责任清单\n\
             一、主体责任\n\
             序号\t责任内容\t责任人\t完成时限\n\
             1\t为全体职工讲1次廉政党课\t党委书记\t年内\n\
             二、监督责任\n\
             2\t开展作风专项检查，每季度1次\t纪委书记\t每季度末\n\
             三、班子其他成员\n\
             1.每半年到分管科室开展一次廉政风险排查。",
            1,
        );
        let o = owners(&d);
        assert_eq!(d.duties[0].every, Every::Year);
        assert_eq!(title_of(&d, o[1]), Some("纪委书记"));
        assert!(d.role("discipline_committee").is_none());
        assert_eq!(o[2], Some("leadership"));
        // a cue standing alone before the same period said again: one duty, the next clause's
        let d = read("节假日前，安全科组织一次节前安全大检查。", 1);
        assert_eq!(d.duties.len(), 1);
        assert_eq!(owners(&d), vec![Some("safety_department")]);
        // 同为 names the holders
        let d = read("镇党委书记、镇长同为全镇安全生产第一责任人。", 1);
        assert_eq!(
            d.role("first_responsible")
                .and_then(|r| r.held_by.as_deref()),
            Some("镇党委书记、镇长")
        );
        // the direct responsibility under a post's heading is that post's
        let d = read(
            "（二）分管安全副园长职责\n1.协助园长具体负责全园安全管理工作，对安全工作负直接责任。\n2.每周组织一次安全隐患排查。",
            1,
        );
        assert_eq!(
            d.role("direct_responsible")
                .and_then(|r| r.held_by.as_deref()),
            Some("分管安全副园长")
        );
        assert_eq!(owners(&d), vec![Some("direct_responsible")]);
    }

    #[test]
    fn a_duty_of_nothing_but_counts_still_has_a_title() {
        let d = read("每月1次、一次", 1);
        assert!(!d.duties.is_empty());
        assert!(d.duties.iter().all(|x| !x.title.is_empty()));
    }

    #[test]
    fn roles_named_by_untimed_lines_and_departments_named_like_words() {
        let d = read(
            "1.每日落实晨检、午检。（责任人：保健医生）\n\
             2.任职前开展廉政谈话。（责任人：组织人事科）\n\
             机要室负责涉密文件的收发，每年对在办涉密文件进行一次清退核对。\n\
             城管中队负责沿河违法建设的查处。",
            1,
        );
        let titles: Vec<&str> = d.roles.iter().map(|r| r.title.as_str()).collect();
        for t in ["保健医生", "组织人事科", "机要室", "城管中队"] {
            assert!(titles.contains(&t), "{t} in {titles:?}");
        }
        assert_eq!(title_of(&d, owners(&d)[0]), Some("机要室"));
    }

    #[test]
    fn round_six_owners_from_fields_agents_posts_and_departments() {
        let d = read(
            "1.组织从业人员开展一次晨检抽查。（责任人：质检组长；完成时限：每周）\n\
             2.开学前对各食堂开展一次全面检查。（责任人：中心主任、分管副主任；完成时限：每学期开学前）\n\
             每年3月底前制定全年培训方案，由综合科牵头负责。\n\
             （五）出纳员。严格执行现金管理规定；每月与会计核对一次现金日记账。\n\
             微型消防站的业务训练由保卫部经理负责组织，每月不少于2次。\n\
             支行设案防联络员一名，由综合员兼任，负责案防日常工作。\n\
             （3）招商服务局：每季度向办公室报送一次拟引进项目清单。",
            1,
        );
        let o = owners(&d);
        assert_eq!(
            d.duties[0].every,
            Every::Week,
            "the deadline field's frequency"
        );
        assert_eq!(title_of(&d, o[0]), Some("质检组长"));
        assert_eq!(title_of(&d, o[1]), Some("中心主任"), "the first named");
        assert_eq!(title_of(&d, o[2]), Some("综合科"));
        assert_eq!(title_of(&d, o[3]), Some("出纳员"));
        assert_eq!(
            title_of(&d, o[4]),
            Some("保卫部"),
            "the department of its head"
        );
        assert_eq!(title_of(&d, o[5]), Some("招商服务局"));
        assert!(d
            .roles
            .iter()
            .any(|r| r.title == "案防联络员" && r.held_by.as_deref() == Some("综合员")));
        // an authority above is not a department of one's own
        assert_eq!(rules::department_like("县应急管理局"), None);
    }

    #[test]
    fn unnumbered_cases_after_the_headers_colon() {
        let d = read(
            "存在以下问题的，追究相关人员责任：未按规定开展排查的；违规授权的；迟报、瞒报的。\n\
             重大节假日和重要会议期间前，开展一次专项排查。",
            1,
        );
        let a = d.accountability.as_ref().expect("accountability");
        let texts: Vec<&str> = a.circumstances.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(
            texts,
            vec!["未按规定开展排查的", "违规授权的", "迟报、瞒报的"]
        );
        assert_eq!(d.duties[0].every, Every::Holiday);
    }

    #[test]
    fn short_names_offices_set_in_departments_and_the_heads_first_responsibility() {
        let d = read(
            "××站安全责任制\n\
             成立安全工作领导小组，领导小组办公室设在综合科，负责日常工作。\n\
             设备管理科（以下简称设备科）负责特种设备管理。\n\
             领导小组办公室每半年向领导小组报告一次工作。\n\
             设备科每月对起重设备开展一次检查。",
            1,
        );
        let o = owners(&d);
        // the office is the department it is set in, which carries the office's name too
        assert_eq!(title_of(&d, o[0]), Some("综合科（领导小组办公室）"));
        assert_eq!(title_of(&d, o[1]), Some("设备管理科（设备科）"));
        // a post the text appointed someone to, whose heading says it is the first responsible
        let d = read(
            "第二条 镇党委书记任镇级总林长。\n\
             第三条 总林长的职责：\n\
             ①对全镇森林防灭火工作负总责，是第一责任人；\n\
             ②每年至少开展一次巡林。\n\
             第四条 村级林长是本村森林防灭火第一责任人，每月组织一次隐患排查。",
            1,
        );
        assert_eq!(
            d.role("first_responsible")
                .and_then(|r| r.held_by.as_deref()),
            Some("镇党委书记（镇级总林长）")
        );
        assert_eq!(owners(&d)[0], Some("first_responsible"));
        assert_eq!(title_of(&d, owners(&d)[1]), Some("村级林长"));
    }

    #[test]
    fn round_seven_headings_with_notes_columns_and_posts() {
        let d = read(
            "三、医院感染管理科（以下简称感控科）职责\n\
             1.每月对手卫生执行情况进行一次抽查。\n\
             序号\t责任内容\t责任主体\t完成时限\n\
             1\t专题研究党风廉政建设工作\t党组书记\t每季度至少1次\n\
             网格长对本网格消防安全工作负责，每周带领网格员巡查不少于一次。\n\
             社区民警牵头，网格长配合，每半年开展一次出租房屋联合检查。\n\
             镇林业站承担日常工作，每年9月底前修订一次应急预案。\n\
             实验室负责人每周至少开展一次实验室安全检查。",
            1,
        );
        let o = owners(&d);
        assert_eq!(title_of(&d, o[0]), Some("医院感染管理科（感控科）"));
        assert_eq!(d.duties[1].every, Every::Quarter);
        assert_eq!(title_of(&d, o[1]), Some("党组书记"));
        assert_eq!(title_of(&d, o[2]), Some("网格长"));
        assert_eq!(title_of(&d, o[3]), Some("社区民警"));
        assert_eq!(title_of(&d, o[4]), Some("镇林业站"));
        // 负责人 is any unit's head: not a department 实验室
        assert_eq!(title_of(&d, o[5]), Some("实验室负责人"));
    }

    #[test]
    fn a_posts_note_a_units_own_direct_responsible_and_whoever_a_field_names() {
        let d = read(
            "实验室负责人（课题组负责人）是本实验室安全工作的直接责任人，每周至少开展一次安全检查。\n\
             1.对在用设备逐台开展检查。（责任人：包保监管人员；完成时限：每季度）",
            1,
        );
        let o = owners(&d);
        assert_eq!(title_of(&d, o[0]), Some("实验室负责人"));
        assert!(d.role("direct_responsible").is_none());
        assert_eq!(title_of(&d, o[1]), Some("包保监管人员"));
    }

    #[test]
    fn round_eight_seasons_offices_ending_in_suo_dui_and_appointed_first_responsible() {
        let d = read(
            "镇党委书记任镇级总田长。\n\
             镇级总田长对全镇耕地保护工作负总责，是第一责任人，每季度主持召开一次田长制工作会议。\n\
             镇自然资源所每季度开展一次卫片图斑核查。\n\
             镇综合行政执法队每半年开展一次违法用地专项整治。\n\
             分管安全的副站长每月组织一次安全隐患排查。\n\
             组织春季、秋季安全大检查。\n\
             每月带队对重点部门开展一次专项督查。",
            1,
        );
        assert_eq!(
            d.role("first_responsible")
                .and_then(|r| r.held_by.as_deref()),
            Some("镇党委书记（镇级总田长）")
        );
        let o = owners(&d);
        assert_eq!(o[0], Some("first_responsible"));
        assert_eq!(title_of(&d, o[1]), Some("镇自然资源所"));
        assert_eq!(title_of(&d, o[2]), Some("镇综合行政执法队"));
        assert_eq!(title_of(&d, o[3]), Some("分管安全的副站长"));
        assert_eq!(d.duties[4].every, Every::HalfYear);
        // 每月带队 is no department
        assert!(d.roles.iter().all(|r| !r.title.contains("带队")));
        assert_eq!(rules::department_like("人员密集场所"), None);
        // the post with its area, before its verb
        let d = read("分管安全的副站长组织制定年度安全生产工作计划。", 1);
        assert_eq!(title_of(&d, owners(&d)[0]), Some("分管安全的副站长"));
    }

    #[test]
    fn the_same_work_for_each_of_a_list_and_posts_of_units() {
        let d = read(
            "研究生处、教务处分别负责组织新生实验室安全准入考试，每年开展一次。\n\
             党组书记每年与班子成员、股室负责人分别开展一次廉政谈话。\n\
             各生产队队长对本队安全生产负责。",
            1,
        );
        let o = owners(&d);
        assert_eq!(title_of(&d, o[0]), Some("研究生处"));
        assert_eq!(o[1], Some("academic_affairs"));
        // those talked to are not who answers: one duty
        assert_eq!(d.duties.len(), 3);
        assert!(d.roles.iter().any(|r| r.title == "生产队队长"));
    }

    #[test]
    fn a_collective_subject_is_a_body_with_its_remit_and_responsibilities() {
        let d = read(
            "局党组对全局安全生产工作负主体责任。\n\
             局党组把安全生产纳入党组重要议事日程，与业务工作同部署、同落实。\n\
             党委宣传部负责舆情监测。\n\
             局党组每季度专题研究一次安全生产工作。",
            1,
        );
        let b = d
            .bodies
            .iter()
            .find(|b| b.id == "party_group")
            .expect("the body");
        assert_eq!(b.title, "局党组");
        assert!(b.remit.as_deref().is_some_and(|r| r.contains("主体责任")));
        let of_body: Vec<&ResponsibilityEntry> =
            d.responsibilities.iter().filter(|r| r.of_body).collect();
        assert_eq!(of_body.len(), 1);
        assert!(of_body[0].text.starts_with("把安全生产纳入"));
        // a department named after the committee is not the committee
        assert!(d.bodies.iter().all(|b| b.id != "party_committee"));
        // 党组织 is no 党组, and a clause that opens with a verb names no body
        let d = read(
            "建设学习型党组织，每季度组织一次集中学习。
加强党组织建设，落实党建工作责任。",
            1,
        );
        assert!(d.bodies.is_empty(), "{:?}", d.bodies);
        let (_, toml) = crate::draft_toml(
            "局党组对全局安全生产工作负主体责任。\n局党组把安全生产纳入党组重要议事日程。",
            1,
            "d",
            "t.txt",
        );
        assert!(
            toml.contains("body = \"party_group\"") && toml.contains("remit = "),
            "{toml}"
        );
        zeren_policy::parse("d.toml", &toml).expect("a valid policy");
    }

    #[test]
    fn round_nine_cases_numbered_in_a_line_paired_with_measures_or_said_once() {
        let d = read(
            "理事长是本社质量安全第一责任人，每年年初召开一次质量安全工作会议。\n\
             有下列行为之一的，视情节轻重追究责任：1）发生泄密事件的；2）违规复制涉密载体的。\n\
             社员违反本制度的，由理事会作出处理：一是使用禁用农药的，取消其当年盈余返还资格；二是拒绝检测的，暂停收购其产品。\n\
             对工作不负责任，排查不到位，导致发生越级上访的，由村党支部提出处理意见，追究相关人员责任。",
            1,
        );
        assert_eq!(
            d.role("first_responsible")
                .and_then(|r| r.held_by.as_deref()),
            Some("理事长")
        );
        assert_eq!(owners(&d), vec![Some("first_responsible")]);
        let a = d.accountability.as_ref().expect("accountability");
        let texts: Vec<&str> = a.circumstances.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(
            texts,
            vec![
                "发生泄密事件的",
                "违规复制涉密载体的",
                "使用禁用农药的",
                "拒绝检测的",
                "工作不负责任，排查不到位，导致发生越级上访的"
            ]
        );
    }

    #[test]
    fn round_nine_agents_before_and_posts_set_up_over_items() {
        let d = read(
            "统计资料由局办公室统一管理。各类统计台账于每年年报结束后整理归档一次。\n\
             一是由站长或副站长进行谈话提醒；二是每季度末开展一次监测分析，由联络员具体负责。\n\
             三、本社设质量安全员一名，由理事会聘任，主要职责是：\n\
             1.每月对生产记录进行一次检查。\n\
             实习指导教师每周到实习单位巡查一次。",
            1,
        );
        let o = owners(&d);
        assert_eq!(title_of(&d, o[0]), Some("局办公室"));
        assert_eq!(title_of(&d, o[1]), Some("联络员"));
        assert_eq!(title_of(&d, o[2]), Some("质量安全员"));
        assert_eq!(title_of(&d, o[3]), Some("实习指导教师"));
    }

    #[test]
    fn a_post_before_a_colon_owns_its_line() {
        let d = read(
            "安全专干：具体负责日常工作，每季度检查一次避难场所设施。\n\
             网格长：本网格应急管理的直接落实者。每周对本网格开展一次安全巡查。",
            1,
        );
        let o = owners(&d);
        assert_eq!(title_of(&d, o[0]), Some("安全专干"));
        assert_eq!(title_of(&d, o[1]), Some("网格长"));
    }
}

//! Timed duties: a frequency in a clause, its subject, title, report line and evidence.

use super::*;

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
/// Whether a phrase names someone who can answer for a duty: a role the text set up, a department or
/// officer of the lexicon, a department by its name's ending, each department (各科室), a collective
/// or a person's post.
fn names_someone(d: &Draft, s: &str) -> bool {
    !s.trim().is_empty()
        && (rules::ROLE_TERMS.iter().any(|t| s.contains(t.term))
            || rules::collective(s).is_some()
            || rules::department_like(s).is_some()
            || rules::each_department(s)
            || s.contains("班子成员")
            || rules::is_person(s)
            || d.holder_role(s).is_some())
}

/// Whether a phrase names one answerer (not a collective): used for the subject a sentence or a
/// section heading gives the clauses that name nobody.
pub(super) fn names_answerer(d: &Draft, s: &str) -> bool {
    let s = s.trim();
    let bare = s.trim_start_matches(['各', '由']);
    // the whole phrase is the post (全体职工, 场部财务科), not a clause that mentions one
    let term = rules::ROLE_TERMS
        .iter()
        .any(|t| bare.starts_with(t.term) || bare.ends_with(t.term))
        && bare.chars().count() <= 12;
    // 校医 / 班组长: a short post, the lexicon's or not
    // (分管安全的副站长: one 的, after 分管)
    let of_charge = bare.starts_with("分管") && bare.matches('的').count() == 1;
    let post = rules::is_person(bare)
        && bare.chars().count() <= if of_charge { 16 } else { 10 }
        && !bare.contains(['、', '和', '，'])
        && (!bare.contains('的') || of_charge)
        && !bare.starts_with("全体");
    !s.is_empty()
        && (d.holder_role(s).is_some()
            || term
            || post
            || other_members(s)
            || rules::department_like(s).is_some()
            || rules::each_department(s))
}

/// 其他副经理 / 其余副院长 / 副检察长和其他党组成员: the members besides the head, each.
pub(super) fn other_members(s: &str) -> bool {
    let s = s.trim().trim_start_matches('各');
    let n = s.chars().count();
    let last = s.rsplit(['和', '、']).next().unwrap_or(s);
    // 班子其他成员 / 镇党委、政府班子其他成员 / 其他班子成员
    let named = ["其他成员", "其余成员", "其他班子成员", "其他领导班子成员"]
        .iter()
        .any(|w| last.ends_with(w));
    (2..=20).contains(&n)
        && (named
            || ((last.starts_with("其他") || last.starts_with("其余"))
                && (rules::is_person(last) || last.ends_with("成员") || last.ends_with("副职"))))
        && !s.contains(['，', '的'])
}

/// 研究生院、教务处分别负责… / 镇自然资源所和镇农业农村综合服务中心分别…: the subjects a sentence
/// gives the same work to, each on its own; None unless it says 分别 after a list of two or more.
fn separately(sentence: &str) -> Option<Vec<&str>> {
    let at = sentence.find("分别")?;
    let head = sentence[..at].trim();
    // (党组书记每年与班子成员、股室负责人分别谈话: those talked to, not who answers)
    if head.contains(['，', ',', '与', '向', '对', '同'])
        || head.chars().count() > 40
        || rules::frequency(head).is_some()
    {
        return None;
    }
    let items: Vec<&str> = head
        .split(['、', '和', '及'])
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .collect();
    (items.len() >= 2).then_some(items)
}

/// The role one named answerer is: the text's role for it, the lexicon's, a department or a post.
fn simple_owner(d: &mut Draft, no: u32, who: &str) -> Option<String> {
    d.holder_role(who)
        .or_else(|| super::roles::answerer_role(d, no, who))
}

/// 班组长每班开展班前安全讲话 / 保卫科每月组织…: a post or department opening a clause whose verb
/// is not one that ends a subject (对/负/是…), up to where the frequency or the verb begins.
pub(super) fn post_before_verb<'a>(d: &Draft, head: &'a str) -> Option<&'a str> {
    const STARTS: &[&str] = &[
        "每",
        "定期",
        "要",
        "应",
        "须",
        "必须",
        "组织",
        "负责",
        "牵头",
        "按",
        "坚持",
        "具体",
        "统一",
        "在",
        "于",
        "及时",
        "至少",
        "不定期",
        "承担",
        "做好",
        "抓好",
        "落实",
        "开展",
        "建立",
    ];
    head.char_indices()
        .skip(2)
        .take(10)
        .map(|(i, _)| i)
        .filter(|&i| {
            STARTS.iter().any(|w| head[i..].starts_with(w)) && !head[i..].starts_with("负责人")
        })
        .map(|i| &head[..i])
        .find(|p| {
            // (分管安全的副站长: one 的, after 分管)
            let of_charge = p.starts_with("分管") && p.matches('的').count() == 1;
            names_answerer(d, p)
                && !p.contains(['，', '、', '与', '向', '和'])
                && (!p.contains('的') || of_charge)
                && rules::frequency(p).is_none()
        })
}

/// 特种设备由总务科建立档案 / 由信息中心负责: the answerer named right after 由, if any.
pub(super) fn agent_after_you<'a>(d: &Draft, clause: &'a str) -> Option<&'a str> {
    let (_, rest) = clause.split_once('由')?;
    let rest = rest.trim_start_matches('各');
    let end = rules::subject_end(rest);
    // the longest head of the rest that names one answerer (由总务科建立… → 总务科)
    let mut ends: Vec<usize> = rest[..end].char_indices().map(|(i, _)| i).skip(2).collect();
    ends.push(end);
    ends.into_iter()
        .rev()
        .map(|e| &rest[..e])
        .find(|w| w.chars().count() <= 12 && names_answerer(d, w) && !w.contains(['、', '和']))
}

/// Returns the subject that answered for the sentence's last duty (for the next sentence, which may
/// omit it).
pub(super) fn duties<'a>(
    d: &mut Draft,
    no: u32,
    sentence: &'a str,
    (line_subject, line_head, named): (&'a str, &'a str, &'a str),
    (section, section_is_post): (&'a str, bool),
    carried: &'a str,
) -> Option<&'a str> {
    let mut used = None;
    let before = d.duties.len();
    // 对…法定节假日…需注意问题，进行前瞻性专题分析判断: one statement across its clauses
    let cs = if sentence.contains("节假日") && sentence.contains("前瞻") {
        vec![sentence]
    } else {
        text::clauses(sentence)
    };
    let mut subject: &'a str = line_subject;
    // 分管安全工作的副校长是直接责任人，…，每月组织一次…: the post that opens the sentence
    // 药剂科负责危险化学品…管理，…每月盘点一次: the department that opens the sentence
    if let Some(head) = cs.first().map(|c| c[..rules::subject_end(c)].trim()) {
        // 实验室负责人（课题组负责人）是…: the post before its bracketed note
        let head = match head.find(['（', '(']) {
            Some(k) if k > 0 && head.ends_with(['）', ')']) => head[..k].trim(),
            _ => head,
        };
        if names_answerer(d, head) && !head.contains(['，', '、']) {
            subject = head;
        } else if let Some(p) = post_before_verb(d, head) {
            subject = p;
        }
    }
    let mut i = 0;
    while i < cs.len() {
        let clause = cs[i];
        let Some(f) = rules::frequency(clause) else {
            i += 1;
            continue;
        };
        // 节假日前，安全环保部组织一次节前安全大检查: a cue standing alone whose next clause says
        // the same period again is one duty, the next clause's
        if clause[..f.start].trim().is_empty()
            && clause[f.end..].trim().is_empty()
            && cs
                .get(i + 1)
                .and_then(|n| rules::frequency(n))
                .is_some_and(|n| n.every == f.every)
        {
            i += 1;
            continue;
        }
        // 年初部署、年中推进、年底总结: the phases of the year's work, not a duty of their own
        if f.cue == "年初" && ["年中", "年底", "年末"].iter().any(|w| clause.contains(w)) {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < cs.len() && rules::frequency(cs[j]).is_none() {
            j += 1;
        }
        let mut rest: Vec<&str> = cs[i + 1..j].to_vec();
        // 元旦…节假日前，以及全国“两会”等重要时期，规划信息股牵头组织…: more of the time, not the work
        if clause[f.end..].trim().is_empty() {
            while rest.len() > 1
                && ["以及", "及", "和", "或者"]
                    .iter()
                    .any(|w| rest[0].starts_with(w))
            {
                rest.remove(0);
            }
        }
        // the subject: before the cue in this clause, else the sentence's earlier subject
        let mut own = clause[..f.start].trim();
        for w in ["至少", "坚持", "要", "应当", "必须", "于", "在"] {
            own = own.trim_end_matches(w);
        }
        // 场部财务科对各分场财务收支每半年审计一次: the subject ends at 对/负/为 …
        let cut = own[..rules::subject_end(own)].trim();
        if !cut.is_empty() && cut.len() < own.len() && names_someone(d, cut) {
            own = cut;
        }
        // a subject names someone: a department, an officer or a collective (学校, 党支部)
        let names_someone = names_someone(d, own);
        if names_someone {
            subject = own;
        }
        // 党组书记、检察长是第一责任人，应当每半年听取…: an earlier clause of the sentence that names
        // who answers
        if !names_someone {
            let earlier = cs
                .get(1..i)
                .unwrap_or(&[])
                .iter()
                .rev()
                // (网格长配合 / 护士长协助…: who helps does not answer)
                .filter(|c| {
                    let rest = &c[rules::subject_end(c)..];
                    !["配合", "协助", "参与", "协同"]
                        .iter()
                        .any(|w| rest.starts_with(w))
                })
                .map(|c| c[..rules::subject_end(c)].trim())
                .find(|h| {
                    !h.is_empty()
                        && (d.holder_role(h).is_some()
                            || (names_answerer(d, h) && !h.contains(['，', '、'])))
                });
            if let Some(h) = earlier {
                subject = h;
            }
        }
        // 校长每学期…；每学年开学前与…签订…: the post that opened the line answers for its later sentences
        if subject.is_empty() && d.holder_role(line_head).is_some() {
            subject = line_head;
        }
        // 保密员每月…检查；每年年终…清查: a sentence that names nobody continues the one before
        // (…，由案防联络员具体负责: the sentence's own agent comes first)
        let own_agent = cs[..=i]
            .iter()
            .chain(rest.iter().filter(|c| c.starts_with('由')))
            .any(|c| agent_after_you(d, c).is_some());
        if subject.is_empty() && !own_agent && names_answerer(d, carried) {
            subject = carried;
        }
        // 特种设备由总务科建立设备档案，…每年…检验一次: the agent after 由 earlier in the sentence
        let agent = if subject.is_empty() {
            // (元旦…节日前，由信息科组织一次检查: also the clause after a cue standing alone)
            cs[..=i]
                .iter()
                .chain(rest.first().filter(|_| clause[f.end..].trim().is_empty()))
                .find_map(|c| agent_after_you(d, c))
                // 每年3月底前制定…方案，由办公室牵头负责: a later clause that opens with 由
                .or_else(|| {
                    rest.iter()
                        .filter(|c| c.starts_with('由'))
                        .find_map(|c| agent_after_you(d, c))
                })
        } else {
            None
        };
        if let Some(a) = agent {
            subject = a;
        }
        // （三）总务科 / 1.每半年组织…检测维护: the post or department whose section this is; a
        // post under its own heading (党组书记的职责：) becomes a role, with a question
        if subject.is_empty()
            && section_is_post
            && rules::is_person(section)
            && !names_answerer(d, section)
        {
            super::post_roles(d, no, section);
            // 分管安全生产的副镇长 (a post with its area): a role of that title
            if !names_answerer(d, section) {
                super::roles::post_role(d, no, section);
            }
        }
        if subject.is_empty() && names_answerer(d, section) {
            subject = section;
        }
        // 每年年底前，市社党委组织进行一次专题督查 / 元旦、春节等节假日前，纪检委员…: the cue ends its
        // clause and nobody is named before it; the next clause says who
        let alone = clause[f.end..].trim().is_empty() && !names_someone;
        let mut f = f;
        if alone {
            if let Some(next) = rest.first() {
                let who = &next[..rules::subject_end(next)];
                // 协助总务科开展一次…: the one helped is not the one who answers
                let helps = ["协助", "配合", "会同", "督促", "指导", "与", "向", "对"]
                    .iter()
                    .any(|w| next.starts_with(w));
                let who = if helps { "" } else { who };
                let who = ["组织", "开展", "进行", "带队", "牵头", "带领"]
                    .iter()
                    .filter_map(|v| who.find(v))
                    .min()
                    .map_or(who, |k| &who[..k]);
                if !who.is_empty()
                    && (rules::collective(who).is_some()
                        || rules::ROLE_TERMS.iter().any(|t| who.contains(t.term))
                        || d.holder_role(who).is_some()
                        || names_answerer(d, who))
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
        // （责任人：党委书记） / 责任人：局办公室主任: the list names who answers; a list of several
        // (局党组书记、班子成员) leaves each sentence its own subject, and deputies alone
        // (副书记、副院长) are the other members, each
        if !named.is_empty() {
            let several = named.contains(['、', '和']);
            if !several {
                subject = named;
                from_before = false;
            } else if !names_someone
                && named
                    .split(['、', '和'])
                    .all(|p| p.trim_start_matches('各').starts_with('副') || p.contains("班子成员"))
            {
                subject = "班子成员";
                from_before = false;
            } else if subject.is_empty() && !other_members(named) && !named.contains("班子成员")
            {
                // 责任人：中心主任、分管副主任 over a sentence that names nobody: the first named
                subject = named.split(['、', '和']).next().unwrap_or(named);
                from_before = false;
            }
        }
        if !subject.is_empty() {
            used = Some(subject);
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
        // 班子成员每年… (the members, each), not 与班子成员…谈话 (their interlocutors)
        // (听取一次班子成员…汇报: whom it hears, the verb a few words before)
        let members_act = clause.find("班子成员").is_some_and(|k| {
            !["与", "向", "对", "同"]
                .iter()
                .any(|w| clause[..k].ends_with(w))
                && !["听取", "督促", "约谈"]
                    .iter()
                    .any(|w| clause[..k].contains(w))
        });
        let holder = d.holder_role(&subject_area);
        // 其他副经理 / 其余副院长 / 其他党组成员: the members besides the head, each
        let others = other_members(&subject_area);
        if holder.is_none() && (members_act || others || subject_area.contains("班子成员")) {
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
        } else if matches!(holder.as_deref(), Some("staff" | "leadership")) {
            // 全体职工 / 党组其他成员每年…: each of them
            per_holder = holder;
        } else if let Some(id) = holder {
            owner = Some(id);
        } else if rules::each_department(&subject_area) {
            // 各科室每年…开展一次自查: each department, its head answering
            if d.role("department_head").is_none() {
                d.add_role(
                    "department_head",
                    "科室负责人",
                    None,
                    Cite::new(
                        Src::line(no),
                        Confidence::Medium,
                        format!("主语“{}”", subject_area.trim()),
                    ),
                );
            }
            per_holder = Some("department_head".to_owned());
        } else if let Some(t) = rules::ROLE_TERMS
            .iter()
            .find(|t| subject_area.contains(t.term) && t.id == "staff")
        {
            // 全体职工每年至少参加一次培训: each of them
            d.add_subject_role(t, no);
            per_holder = Some(t.id.to_owned());
        } else if let Some(t) = rules::ROLE_TERMS
            .iter()
            .find(|t| subject_area.contains(t.term))
        {
            // 数据安全管理员 is not the lexicon's 安全管理员: the whole post, a role of its own
            let whole = subject_area.trim().trim_start_matches('各');
            let own_words = whole
                .strip_suffix(t.term)
                .is_some_and(|x| x.chars().count() >= 2 && !x.contains(['、', '的', '和']));
            // 纪委书记 / 工会主席: the head of a body (not of a department: 保卫科科长 is 保卫科's)
            let heads_body = whole.strip_prefix(t.term).is_some_and(|rest| {
                rules::is_person(rest) && rules::department_like(t.term).is_none()
            });
            let post = ((own_words && t.term.ends_with('员')) || heads_body)
                .then(|| super::roles::post_role(d, no, whole))
                .flatten();
            if let Some(id) = post {
                owner = Some(id);
            } else {
                d.add_subject_role(t, no);
                owner = Some(t.id.to_owned());
            }
        } else if let Some(title) = rules::department_like(&subject_area) {
            // a department the lexicon does not know (总务处): a role of its own, id to be chosen
            let title = title.to_owned();
            owner = Some(d.department_role(no, &title, &title, None, format!("主语“{title}”")));
        } else if let Some(id) = super::roles::post_role(d, no, &subject_area) {
            // 校医 / 各班组长 / 执法大队大队长: a post the lexicon does not know, a role of its own
            owner = Some(id);
        } else if let Some(id) = (subject == named && !named.is_empty())
            .then(|| super::roles::field_role(d, no, named))
            .flatten()
        {
            // （责任人：包保监管人员）: whoever the list names, a role of that title
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
        // 研究生院、教务处分别负责…，每年…一次: the same duty for each of them, each its own
        if let Some(items) = separately(sentence).filter(|items| {
            items
                .iter()
                .all(|w| names_answerer(d, w) || rules::department_like(w).is_some())
        }) {
            let ids: Vec<Option<String>> = items.iter().map(|w| simple_owner(d, no, w)).collect();
            if ids.iter().all(Option::is_some) && ids.len() >= 2 {
                let first = d.duties.last_mut().expect("just pushed");
                first.owner = ids[0].clone();
                first.per_holder = None;
                first.owner_asked = false;
                first
                    .cite
                    .questions
                    .retain(|q| !q.text.contains("由谁负责"));
                let first = first.clone();
                for id in &ids[1..] {
                    let dup = d.unique_duty_id(&first.id);
                    d.duties.push(DutyEntry {
                        id: dup,
                        owner: id.clone(),
                        ..first.clone()
                    });
                }
            }
        }
        // 每年至少参加一次消防培训和一次应急疏散演练: two duties of the same period and subject
        let after_cue = &clause[f.end..];
        if let Some(k) = ["和一次", "和1次", "及一次", "、一次"]
            .iter()
            .filter_map(|w| after_cue.find(w))
            .min()
            .filter(|&k| rules::count(&after_cue[..k]).is_some())
        {
            let second = &after_cue[k..];
            let second = second
                .trim_start_matches(['和', '及', '、'])
                .trim_start_matches("一次")
                .trim_start_matches("1次");
            let first = d.duties.last_mut().expect("just pushed");
            let head = after_cue[..k].trim_start_matches(['，', ',']);
            first.title = tidy_title(
                ["至少", "坚持", "要", "应"]
                    .iter()
                    .fold(head, |t, w| t.strip_prefix(w).unwrap_or(t)),
            );
            let first = first.clone();
            let mut cite = Cite::new(Src::line(no), Confidence::Medium, "“一次A和一次B”");
            cite.questions = first.cite.questions.clone();
            let id = d.unique_duty_id(&first.id);
            d.duties.push(DutyEntry {
                id,
                title: tidy_title(second),
                times: Some(1),
                cite,
                ..first
            });
        }
        // 每年集中学习不少于12次，其中意识形态专题学习不少于2次: a second duty of the same period
        for part in &rest {
            let Some(sub) = part.strip_prefix("其中") else {
                continue;
            };
            let Some(times) = rules::count(sub) else {
                continue;
            };
            let first = d.duties.last().expect("just pushed").clone();
            let title =
                tidy_title(sub.trim_end_matches(|c: char| !c.is_alphanumeric() && c != '次'));
            let title = title
                .split("不少于")
                .next()
                .unwrap_or(&title)
                .trim()
                .to_owned();
            let mut cite = Cite::new(Src::line(no), Confidence::Medium, "“其中…N次”");
            cite.questions = first.cite.questions.clone();
            let id = d.unique_duty_id(&format!("{}_{}", first.every.key(), "special_study"));
            d.duties.push(DutyEntry {
                id,
                title: if title.is_empty() {
                    first.title.clone()
                } else {
                    title
                },
                description: (*part).to_owned(),
                times: Some(times),
                cite,
                ..first
            });
        }
        i = j;
    }
    // a clause of nothing but counts (每月1次、一次): the question asks for the work; the title
    // must not be empty
    for x in &mut d.duties[before..] {
        if x.title.is_empty() {
            x.title = "（原文只写了频次）".into();
        }
    }
    used
}

fn tidy_title(s: &str) -> String {
    let mut t = s.trim().trim_end_matches(['。', '；', ';']).to_owned();
    for (from, to) in [("1次", ""), ("一次", ""), ("两次", ""), ("2次", "")] {
        t = t.replacen(from, to, 1);
    }
    // 参加业务培训不少于(两次): the count gone, its 不少于 too
    for w in ["不少于", "至少"] {
        if let Some(x) = t.strip_suffix(w) {
            t = x.to_owned();
        }
    }
    let t: String = t.chars().take(60).collect();
    t.trim().to_owned()
}

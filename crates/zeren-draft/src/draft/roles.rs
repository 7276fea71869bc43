//! Roles: the first responsible, direct and shared responsibility, departments and officers, the
//! leading group, and the untimed responsibilities of roles.

use super::*;

/// 学校网络安全工作实行校长负总责、分管副校长具体负责 / 总经理对本公司安全生产工作负总责: the post
/// that answers for the whole is the first responsible, when the text names none otherwise.
fn overall_responsible(d: &mut Draft, no: u32, sentence: &str) {
    if d.role("first_responsible").is_some() || sentence.contains("第一责任") {
        return;
    }
    for clause in text::clauses(sentence) {
        let Some(at) = clause.find("负总责") else {
            continue;
        };
        let before = &clause[..at];
        let head = before[..rules::subject_end(before)].trim();
        let markers = ["实行", "实施", "由", "、", "是"];
        let who = if rules::is_person(head) && !markers.iter().any(|m| head.contains(m)) {
            head
        } else {
            // 实行校长负总责: the post right before 负总责
            let start = markers
                .iter()
                .filter_map(|m| before.rfind(m).map(|i| i + m.len()))
                .max()
                .unwrap_or(0);
            before[start..].trim()
        };
        let n = who.chars().count();
        if !(2..=10).contains(&n)
            || !rules::is_person(who)
            || who.starts_with('各')
            || clause.contains("各级")
            || who.contains(['的', '，'])
        {
            continue;
        }
        let mut c = Cite::new(Src::line(no), Confidence::Medium, format!("“{who}负总责”"));
        c.ask(format!("“{who}负总责”读作第一责任人：请确认"));
        d.add_role("first_responsible", "第一责任人", Some(who.to_owned()), c);
        return;
    }
}

/// 校长是意识形态工作第一责任人 / 党委书记对…负第一责任.
pub(super) fn first_responsible(d: &mut Draft, no: u32, sentence: &str, section_post: &str) {
    overall_responsible(d, no, sentence);
    if !sentence.contains("第一责任") {
        return;
    }
    let cs = text::clauses(sentence);
    for (k, clause) in cs.iter().copied().enumerate() {
        let Some(at) = clause.find("第一责任") else {
            continue;
        };
        if clause.starts_with('各') || clause.contains("各级") {
            continue; // about every unit below, not this one
        }
        let head = &clause[..at];
        let cut = ["就是", "即为", "是", "为", "系", "对", "履行"]
            .iter()
            .filter_map(|m| head.find(m))
            .min()
            .unwrap_or(head.len());
        // 镇党委书记、镇长同为…第一责任人
        let mut who = head[..cut]
            .trim()
            .trim_end_matches(['同', '均', '都'])
            .trim_end_matches("共同");
        // 场党委书记对…负总责，是第一责任人: the subject is the sentence's, in an earlier clause
        if who.is_empty() && k > 0 {
            let first = cs[0];
            if first.starts_with('各') {
                continue;
            }
            who = first[..rules::subject_end(first)].trim();
        }
        // 村级林长是本村…第一责任人: the first responsible of each unit below, not this one's
        let scope = &clause[cut.min(clause.len())..];
        if rules::of_unit_below(scope) || rules::of_unit_below(&clause[..at]) {
            continue;
        }
        // ①对全镇…负总责，是第一责任人 under 第四条 总林长的职责: the heading's post
        if who.is_empty() && !section_post.is_empty() {
            if let Some(id) = d
                .holder_role(section_post)
                .filter(|id| id != "first_responsible")
            {
                // the post the text appointed someone to becomes the first responsible
                if d.role("first_responsible").is_none() {
                    if let Some(r) = d.roles.iter().find(|r| r.id == id) {
                        let held = match &r.held_by {
                            Some(h) => format!("{h}（{}）", r.title),
                            None => r.title.clone(),
                        };
                        d.rename_role(&id, "first_responsible", "第一责任人", Some(held));
                    }
                }
                return;
            }
            who = section_post;
        }
        for prefix in ["我校", "学校", "本校"] {
            who = who.strip_prefix(prefix).unwrap_or(who);
        }
        // 街道党工委书记任街道总河长，是…第一责任人: the holder, and the post held as
        let (who, post) = match rules::appointed(who) {
            Some((holder, post)) => (holder, Some(post)),
            None => (who, None),
        };
        let who = if rules::is_person(who) { who } else { "" };
        if who.is_empty() {
            continue;
        }
        // 镇级总田长对全镇…负总责，是第一责任人: a post the text appointed someone to becomes the
        // first responsible, its holder kept
        if d.role("first_responsible").is_none() {
            if let Some(id) = d.holder_role(who).filter(|id| id != "first_responsible") {
                let appointed = d
                    .roles
                    .iter()
                    .find(|r| r.id == id)
                    .filter(|r| r.title == who || rules::unit_prefixed(&r.title, who))
                    .map(|r| match &r.held_by {
                        Some(h) => format!("{h}（{}）", r.title),
                        None => r.title.clone(),
                    });
                if let Some(held) = appointed {
                    d.rename_role(&id, "first_responsible", "第一责任人", Some(held));
                    return;
                }
            }
        }
        let who_as = post.map_or_else(|| who.to_owned(), |p| format!("{who}（{p}）"));
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
            Some(who_as),
            Cite::new(
                Src::line(no),
                Confidence::High,
                format!("“{who}…第一责任人”"),
            ),
        );
        return;
    }
}

/// 办事处主任任街道副总河长 / 各社区党组织书记担任社区级河长: a post the text appoints someone to is a
/// role held by them; a post of someone who holds a role already is that role's (held_by 街道党工委
/// 书记（街道总河长）).
fn appointments(d: &mut Draft, no: u32, clause: &str) {
    let Some((holder, post)) = rules::appointed(clause) else {
        return;
    };
    if rules::ROLE_TERMS.iter().any(|t| post.ends_with(t.term)) || d.holder_role(post).is_some() {
        return;
    }
    if let Some(id) = d.holder_role(holder) {
        if let Some(r) = d.roles.iter_mut().find(|r| r.id == id) {
            if let Some(h) = r.held_by.as_mut().filter(|h| !h.contains(['（', '('])) {
                h.push_str(&format!("（{post}）"));
            }
        }
        return;
    }
    let id = new_post_role(d, no, post);
    if let Some(r) = d.roles.iter_mut().find(|r| r.id == id) {
        r.held_by = Some(holder.to_owned());
    }
}

/// 分管领导…直接责任 / 直接负责人; 其他成员…一岗双责.
pub(super) fn other_leaders(d: &mut Draft, no: u32, sentence: &str, section_post: &str) {
    for clause in text::clauses(sentence) {
        // 分管信息化工作的副院长是重要责任人 (the third layer of 网络安全工作责任制)
        if let Some(at) = clause.find("是重要责任人") {
            let who = clause[..at]
                .rsplit(['，', '、'])
                .next()
                .unwrap_or("")
                .trim();
            if rules::is_person(who) && who.chars().count() <= 16 {
                d.add_role(
                    "important_responsible",
                    "重要责任人",
                    Some(who.to_owned()),
                    Cite::new(Src::line(no), Confidence::Medium, "“…是重要责任人”"),
                );
            }
        }
        // 负直接责任 / 负直接领导责任 / 是直接责任人 / 直接负责人; not 各分场…负直接领导责任 (each unit
        // below, whose own posts answer), nor 对…直接责任人追究责任 (who is held to account)
        let direct = ["直接责任", "直接领导责任", "直接负责人"]
            .iter()
            .filter_map(|w| clause.find(w))
            .min();
        // 系主任对本系…负直接责任: the head of each unit below (a 系, a 教研室, a 班组), not the
        // organisation's direct responsible
        let opening = sentence[..rules::subject_end(sentence)].trim();
        // (…是本实验室安全工作的直接责任人: the unit below's)
        let below = opening.contains('各')
            || clause.starts_with('各')
            || ["系主任", "科室主任", "教研室主任", "班组长", "年级组长"]
                .iter()
                .any(|p| opening.ends_with(p))
            || rules::of_unit_below(clause);
        let held_to_account = ["追究", "问责", "处理", "处分"]
            .iter()
            .any(|w| sentence.contains(w));
        if let Some(at) = direct.filter(|_| !below && !held_to_account) {
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
                // (对分管范围内的安全生产负直接领导责任: 分管 there is not a post)
                .filter(|w| rules::is_person(w))
                .unwrap_or("");
            // 分管后勤的副院长对安全生产负直接领导责任 names 分管; else a post opening the sentence
            let opening = sentence[..rules::subject_end(sentence)].trim();
            let who =
                if who.is_empty() && rules::is_person(opening) && opening.chars().count() <= 16 {
                    opening
                } else {
                    who
                };
            // 1.协助园长具体负责…，对安全工作负直接责任 under （二）分管安全副园长职责: the heading's post
            let who = if who.is_empty() && rules::is_person(section_post) {
                section_post
            } else {
                who
            };
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
        // 班子其他成员按照分工，对分管范围…负领导责任 (not 直接/主要/全面): the members' shared duty
        let shared = sentence.contains("领导责任")
            && !["直接领导责任", "主要领导责任", "全面领导责任", "第一"]
                .iter()
                .any(|w| sentence.contains(w))
            && ["其他成员", "班子成员", "其他副职"]
                .iter()
                .any(|w| sentence[..rules::subject_end(sentence)].contains(w));
        if shared && d.role("leadership").is_none() && clause.contains("领导责任") {
            let head = sentence[..rules::subject_end(sentence)].trim();
            d.add_role(
                "leadership",
                "领导班子其他成员（一岗双责）",
                (head.chars().count() <= 16).then(|| head.to_owned()),
                Cite::new(Src::line(no), Confidence::Medium, "“其他成员…负领导责任”"),
            );
        }
        if clause.contains("一岗双责") {
            // (not 听取班子成员履行“一岗双责”情况汇报: the members there are whom one hears)
            let who = ["其他成员", "班子成员", "领导班子成员"]
                .iter()
                .find_map(|m| clause.find(m).map(|i| &clause[..i + m.len()]))
                .map(|w| subject_before(w, w.len()))
                .filter(|w| {
                    w.chars().count() <= 16
                        && rules::frequency(w).is_none()
                        && !["听取", "与", "向", "督促", "应当"]
                            .iter()
                            .any(|v| w.contains(v))
                });
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
pub(super) fn department_roles(d: &mut Draft, no: u32, sentence: &str) {
    let cs = text::clauses(sentence);
    for (i, clause) in cs.iter().enumerate() {
        appointments(d, no, clause);
        // 办公室主任兼任保密员 / 由副院长担任安全员 / 法定代表人为消防安全责任人: the officer's holder
        // 支行设案防联络员一名，由综合员兼任: the post the clause before set up
        if i > 0 {
            if let Some(who) = clause
                .strip_prefix('由')
                .and_then(|r| r.strip_suffix("兼任").or_else(|| r.strip_suffix("担任")))
                .filter(|w| rules::is_person(w) && w.chars().count() <= 12)
            {
                if let Some(post) = set_up(cs[i - 1]) {
                    let id = rules::ROLE_TERMS
                        .iter()
                        .find(|t| post == t.term)
                        .map(|t| {
                            d.add_subject_role(t, no);
                            t.id.to_owned()
                        })
                        .or_else(|| post_role(d, no, post));
                    if let Some(r) = id.and_then(|id| d.roles.iter_mut().find(|r| r.id == id)) {
                        if r.held_by.is_none() {
                            r.held_by = Some(who.to_owned());
                        }
                    }
                }
            }
        }
        let held = ["兼任", "担任", "为", "是"]
            .iter()
            .find_map(|v| clause.split_once(v));
        if let Some((a, b)) = held {
            let who = a.trim().trim_start_matches('由');
            let who = who.strip_prefix("本单位").unwrap_or(who).trim();
            let b = b
                .trim()
                .trim_start_matches("本单位")
                .trim_start_matches("专职");
            let b = b.trim_start_matches("兼职");
            // 为医院消防安全管理人 / 是医院的消防安全责任人: the organisation's name before the officer
            // (at most four characters of it: 本所, 医院的, 公司)
            let b = b
                .char_indices()
                .take(5)
                .map(|(k, _)| &b[k..])
                .find(|r| {
                    rules::role_at(r).is_some() && !b[..b.len() - r.len()].contains(['，', '、'])
                })
                .unwrap_or(b);
            if let Some(t) =
                rules::role_at(b).filter(|t| t.term.chars().count() + 2 >= b.chars().count())
            {
                let n = who.chars().count();
                if (2..=12).contains(&n) && rules::is_person(who) {
                    d.add_role(
                        t.id,
                        t.title,
                        Some(who.to_owned()),
                        Cite::new(
                            Src::line(no),
                            Confidence::High,
                            format!("“{who}兼任{}”", t.term),
                        ),
                    );
                }
            }
        }
        // 局办公室（宣传股）负责意识形态日常工作: a department the lexicon lacks, answering for what it
        // does (a role held by its head)
        let answers = clause
            .match_indices("负责")
            .any(|(k, _)| !clause[k..].starts_with("负责人"));
        if i == 0 && rules::subject_roles(clause).is_empty() && answers {
            let head = clause[..rules::subject_end(clause)].trim();
            let head = head[..head.find("负责").unwrap_or(head.len())].trim();
            // (特种设备安全监察股（以下简称特设股）: the short name is not part of its title)
            let head = ["（以下简称", "(以下简称", "（简称", "(简称"]
                .iter()
                .find_map(|c| head.find(c))
                .map_or(head, |k| head[..k].trim());
            let named = rules::department_like(head)
                .filter(|_| rules::frequency(head).is_none() && !head.contains(['与', '向']));
            if let Some(name) = named.filter(|_| !head.starts_with('各')) {
                d.department_role(no, name, head, None, format!("主语“{head}”"));
            }
        }
        // 食堂管理员对…负直接责任: an administrator the lexicon lacks, opening the sentence
        if i == 0 && rules::subject_roles(clause).is_empty() {
            let head = clause[..rules::subject_end(clause)].trim();
            let head = head.trim_start_matches('各');
            let n = head.chars().count();
            if head.ends_with("管理员")
                && (4..=8).contains(&n)
                && !head.contains(['、', '的'])
                && !d.roles.iter().any(|r| r.title == head)
            {
                let id = d.unique_role_id("administrator");
                let mut c = Cite::new(Src::line(no), Confidence::Low, format!("主语“{head}”"));
                c.ask(format!(
                    "“{head}”新设为角色 {id}：请确认，并改成有意义的 id"
                ));
                d.add_role(&id, head, None, c);
            }
        }
        // 场长协助书记抓好…，对…负责 / 各分场党支部书记和分场场长对…负直接领导责任: posts that open a
        // sentence about responsibility are roles, whoever they are (the drafter knows no list of them)
        // (not 第一责任人 sentences: the first responsible is read above; 各支部书记是第一责任人 is
        // about the units below)
        if i == 0 && sentence.contains('责') && !sentence.contains("第一责任") {
            post_roles(d, no, clause);
        }
        // a department opening the sentence answers for what follows
        if i == 0 {
            for t in rules::subject_roles(clause) {
                d.add_subject_role(t, no);
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

/// The posts a clause opens with (before its verb, split at 、/和), each a role unless the text has one
/// for it already: an id from the post's kind (secretary, director, deputy_director, team_leader,
/// manager, post) and a question to confirm it.
pub(super) fn post_roles(d: &mut Draft, no: u32, clause: &str) {
    let head = clause[..rules::subject_end(clause)].trim();
    if head.contains(['，', '的', '（']) || head.chars().count() > 24 {
        return;
    }
    let head = head.trim_start_matches(['各', '由']);
    // 各处室主任、年级组长…: posts listed with the departments' heads are heads of units alike, the
    // department heads' role
    let with_heads = head.split(['、', '和']).any(|item| {
        rules::ROLE_TERMS
            .iter()
            .any(|t| t.id == "department_head" && item.contains(t.term))
    });
    if with_heads {
        return;
    }
    for item in head.split(['、', '和']) {
        let post = item.trim().trim_start_matches('各');
        let n = post.chars().count();
        if !(2..=10).contains(&n)
            || !rules::is_person(post)
            || post.starts_with("分管")
            || ["其他", "其余", "班子", "全体"]
                .iter()
                .any(|w| post.starts_with(w))
            || rules::ROLE_TERMS.iter().any(|t| post.contains(t.term))
            // (总务处主任 is the department's head; 生产队队长, 派出所所长 are posts of units)
            || post.char_indices().any(|(k, _)| {
                k > 0
                    && rules::department_like(&post[..k]).is_some()
                    && !["队", "所", "站", "局"].iter().any(|u| post[..k].ends_with(u))
            })
            || ["领导", "负责人", "委员", "成员"]
                .iter()
                .any(|w| post.ends_with(w))
            || d.holder_role(post).is_some()
            || rules::ROLE_TERMS.iter().any(|t| post.ends_with(t.term))
            || d.roles.iter().any(|r| r.title == post)
        {
            continue;
        }
        if NOT_A_POST
            .iter()
            .any(|v| post.replace("负责人", "").contains(v))
        {
            continue;
        }
        new_post_role(d, no, post);
    }
}

/// 支行设案防联络员一名 / 配备专职安全员1名: the post a clause sets up.
pub(super) fn set_up(clause: &str) -> Option<&str> {
    let at = ["设立", "设置", "配备", "明确", "确定", "设"]
        .iter()
        .find_map(|v| clause.find(v).map(|i| i + v.len()))?;
    let rest = clause[at..]
        .trim_start_matches("专职")
        .trim_start_matches("兼职");
    let end = ["一名", "1名", "各1名", "各一名", "名"]
        .iter()
        .filter_map(|w| rest.find(w))
        .min()
        .unwrap_or(rest.len());
    let post = rest[..end].trim();
    (rules::is_person(post) && (2..=10).contains(&post.chars().count())).then_some(post)
}

/// Words that make a phrase a statement rather than a post (公司安全生产实行经理负总责).
const NOT_A_POST: &[&str] = &[
    "实行", "实施", "建立", "落实", "坚持", "推行", "开展", "加强", "执行", "负责", "按照", "根据",
];

/// A new role for a post, its id from the post's kind (secretary, director, deputy_director,
/// team_leader, manager, post), with a question to confirm it.
fn new_post_role(d: &mut Draft, no: u32, post: &str) -> String {
    let kind = if post.ends_with("书记") {
        "secretary"
    } else if post.ends_with("队长") || post.ends_with("组长") || post.ends_with("班长") {
        "team_leader"
    } else if post.ends_with("经理") {
        "manager"
    } else if post.contains('副') {
        "deputy_director"
    } else if post.ends_with('长') || post.ends_with("主任") {
        "director"
    } else {
        "post"
    };
    let id = if d.role(kind).is_none() {
        kind.to_owned()
    } else {
        d.unique_role_id(kind)
    };
    let mut c = Cite::new(Src::line(no), Confidence::Low, format!("主语“{post}”"));
    c.ask(format!(
        "“{post}”新设为角色 {id}：请确认，并改成有意义的 id"
    ));
    d.add_role(&id, post, None, c);
    id
}

/// The role a 责任清单 line names in its 责任人 field, made when the text has none yet (保健医生, 组织
/// 人事科, 安保人员), so that a line of untimed work still names its role.
pub(super) fn named_role(d: &mut Draft, no: u32, who: &str) {
    let who = who.trim().trim_start_matches('各');
    if who.contains(['、', '和', '，'])
        || d.holder_role(who).is_some()
        || rules::collective(who).is_some()
    {
        return;
    }
    answerer_role(d, no, who);
}

/// The role for one answerer the text has no role for yet: the lexicon's (保卫科, 安全员), a
/// department the lexicon lacks (组织人事科), or a post (保健医生); None for words that are none.
pub(super) fn answerer_role(d: &mut Draft, no: u32, who: &str) -> Option<String> {
    if let Some(t) = rules::ROLE_TERMS
        .iter()
        .filter(|t| who == t.term || who.ends_with(t.term))
        .max_by_key(|t| t.term.len())
        .filter(|t| who.chars().count() <= t.term.chars().count() + 1)
    {
        d.add_subject_role(t, no);
        return Some(t.id.to_owned());
    }
    if let Some(name) = rules::department_like(who) {
        return Some(d.department_role(no, name, name, None, format!("责任人“{name}”")));
    }
    post_role(d, no, who)
}

/// The role a 责任人 field names when it reads as no post the reader knows (包保监管人员,
/// 物业服务企业): a role of that title, with a question; None for a collective or a list.
pub(super) fn field_role(d: &mut Draft, no: u32, who: &str) -> Option<String> {
    let who = who.trim().trim_start_matches('各');
    let n = who.chars().count();
    if !(2..=16).contains(&n)
        || who.contains(['、', '和', '，', '（', '('])
        || rules::collective(who).is_some()
    {
        return None;
    }
    if let Some(r) = d.roles.iter().find(|r| r.title == who) {
        return Some(r.id.clone());
    }
    Some(new_post_role(d, no, who))
}

/// The role of a post that answers for a duty but that the lexicon does not know (校医, 各班组长,
/// 局属单位主要负责人, 分管旅游工作的副局长, 数据安全管理员): the text's role of that title, else a new
/// one with a question; None unless the words read as one person's post.
pub(super) fn post_role(d: &mut Draft, no: u32, words: &str) -> Option<String> {
    let post = words.trim().trim_start_matches(['各', '由']);
    let post = post
        .strip_prefix("专职")
        .or_else(|| post.strip_prefix("兼职"))
        .unwrap_or(post);
    let n = post.chars().count();
    // 分管旅游工作的副局长: one 的, after 分管
    let of_charge = post.starts_with("分管") && post.matches('的').count() == 1;
    if !(2..=16).contains(&n)
        || !rules::is_person(post)
        || post.contains(['、', '和', '，', '（', '('])
        || (post.contains('的') && !of_charge)
        || NOT_A_POST
            .iter()
            .any(|v| post.replace("负责人", "").contains(v))
        || ["其他", "其余", "班子", "全体"]
            .iter()
            .any(|w| post.starts_with(w))
        || ["领导", "成员"].iter().any(|w| post.ends_with(w))
    {
        return None;
    }
    if let Some(r) = d.roles.iter().find(|r| r.title == post) {
        return Some(r.id.clone());
    }
    // 保安部经理 / 财务科科长: the head of a department answers as the department (not 各物业服务
    // 中心经理, the head of each unit below)
    let each = words.trim().starts_with('各');
    // (a 负责人 is any unit's: 实验室负责人 is each laboratory's, not a department's)
    for head in ["经理", "主任", "科长", "股长", "处长", "部长", "站长"]
        .iter()
        .filter(|_| !each)
    {
        let Some(dept) = post.strip_suffix(head) else {
            continue;
        };
        if rules::department_like(dept) != Some(dept) {
            continue;
        }
        return Some(d.department_role(no, dept, dept, Some(post), format!("“{post}”的部门")));
    }
    Some(new_post_role(d, no, post))
}

/// Untimed responsibilities: what follows 是第一责任人 / 负直接责任 / 一岗双责 in a sentence, and
/// sentences a department opens (教务处对课堂管理负责) or that follow one in its line.
pub(super) fn responsibilities(
    d: &mut Draft,
    no: u32,
    sentence: &str,
    line_subject: &str,
    first: bool,
) {
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
    if found.is_empty() && body_responsibility(d, no, &cs) {
        return;
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
            of_body: false,
            text,
            cite: Cite::new(Src::line(no), Confidence::Medium, rule),
        });
    }
}

/// The body a collective subject names (局党组 → party_group), as the packs name them.
fn body_kind(head: &str) -> Option<&'static str> {
    let c = rules::collective(head)?;
    Some(match c {
        "党组" => "party_group",
        "党委" | "党委会" => "party_committee",
        "党总支" => "party_general_branch",
        "党支部" | "支部" => "party_branch",
        "班子" => "leadership_team",
        _ => return None,
    })
}

/// 局党组对本局网络意识形态工作负主体责任 / 党支部把意识形态工作纳入…: a sentence whose subject is
/// one of the organisation's collectives (not each unit below, not the unit itself) is the body's:
/// its remit when it says 主体责任, else one of its untimed responsibilities. The body is drafted
/// the first time. Returns whether the sentence was the body's.
fn body_responsibility(d: &mut Draft, no: u32, cs: &[&str]) -> bool {
    let Some(first) = cs.first() else {
        return false;
    };
    // 局党组对…负主体责任 / 局党组把安全生产纳入…: the collective that opens the clause
    let mut head = first[..rules::subject_end(first)].trim();
    if rules::collective(head).is_none() || head.chars().count() > 12 {
        // (not 党组 in 党组织)
        let end = ["党委会", "党总支", "党支部", "党委", "党组"]
            .iter()
            .filter_map(|c| {
                head.match_indices(c)
                    .map(|(i, _)| i + c.len())
                    .find(|&e| !head[e..].starts_with('织'))
            })
            .min();
        // (党支部书记王某任组长: the post, not the collective)
        let post = |e: usize| {
            [
                "书记",
                "副书记",
                "委员",
                "成员",
                "班子",
                "组长",
                "会议",
                "中心组",
            ]
            .iter()
            .any(|w| head[e..].starts_with(w))
        };
        if let Some(e) = end.filter(|&e| head[..e].chars().count() <= 8 && !post(e)) {
            head = &head[..e];
        }
    }
    let n = head.chars().count();
    // (党委宣传部, 党委办公室 are departments, 党委书记 a post)
    if !(2..=12).contains(&n)
        || head.starts_with('各')
        || head.contains(['、', '和', '的'])
        || rules::is_person(head)
        || !rules::subject_roles(first).is_empty()
        || rules::department_like(head).is_some()
        || rules::ROLE_TERMS.iter().any(|t| head.contains(t.term))
    {
        return false;
    }
    if [
        "建设", "加强", "推进", "落实", "坚持", "发挥", "开展", "把", "将",
    ]
    .iter()
    .any(|v| head.starts_with(v))
    {
        return false;
    }
    let Some(id) = body_kind(head) else {
        return false;
    };
    // the body's name, as the text gives it (局党组, 学院党委)
    if !d.bodies.iter().any(|b| b.id == id) {
        let mut cite = Cite::new(
            Src::line(no),
            Confidence::Medium,
            format!("主语“{head}”（集体）"),
        );
        cite.ask(format!(
            "“{head}”作为机构 {id}：请确认组成（chair/members）"
        ));
        d.bodies.push(BodyEntry {
            id: id.to_owned(),
            title: head.to_owned(),
            chair: Vec::new(),
            deputies: Vec::new(),
            members: Vec::new(),
            within: None,
            remit: None,
            cite,
        });
    }
    let rest = std::iter::once(&first[head.len().min(first.len())..])
        .chain(cs[1..].iter().copied())
        .collect::<Vec<_>>()
        .join("，");
    let text: String = rest
        .trim_start_matches(['，', '、', ',', ' '])
        .trim_start_matches("要")
        .trim()
        .chars()
        .take(300)
        .collect();
    if text.chars().count() < 4 {
        return true;
    }
    if text.contains("主体责任") {
        if let Some(b) = d.bodies.iter_mut().find(|b| b.id == id) {
            if b.remit.is_none() {
                b.remit = Some(text.trim_start_matches('对').to_owned());
            }
        }
        return true;
    }
    if !d
        .responsibilities
        .iter()
        .any(|r| r.of_body && r.role == id && r.text == text)
    {
        d.responsibilities.push(ResponsibilityEntry {
            role: id.to_owned(),
            of_body: true,
            text,
            cite: Cite::new(
                Src::line(no),
                Confidence::Medium,
                format!("主语“{head}”（集体）"),
            ),
        });
    }
    true
}

/// The leading group, read from lines like 组长：X, X任组长, 成员由X组成.
#[derive(Default)]
pub(super) struct GroupFacts {
    title: Option<(String, u32)>,
    chair: Option<(String, u32)>,
    deputy: Option<(String, u32)>,
    members: Option<(String, u32)>,
    office: Option<u32>,
    office_head: Option<(String, u32)>,
}

pub(super) fn group_line(g: &mut GroupFacts, no: u32, body: &str) {
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

pub(super) fn leading_group(d: &mut Draft, mut g: GroupFacts) {
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
            _ if !who.is_empty() && d.holder_role(&who).is_some() => {
                chair.extend(d.holder_role(&who));
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
    if let Some((who, at)) = g.deputy.clone().filter(|(w, _)| d.holder_role(w).is_some()) {
        // 分管后勤的副校长任副组长, the direct responsible: that role
        cite.src = cite.src.join(Src::line(at));
        deputies.extend(d.holder_role(&who));
    } else if let Some((who, at)) = g.deputy {
        cite.src = cite.src.join(Src::line(at));
        let mut c = Cite::new(Src::line(at), Confidence::Medium, "“副组长”");
        c.ask("副组长 held_by 写的是原文（可能含人名）：请改为职务");
        d.add_role("deputy_leader", "领导小组副组长", held(who), c);
        deputies.push("deputy_leader".to_owned());
    }
    let mut members: Vec<String> = Vec::new();
    if let Some((who, at)) = g.members.clone() {
        cite.src = cite.src.join(Src::line(at));
        // members named by post: the lexicon's posts wherever they are named (安全管理员王恭连、各班级
        // 班主任科任教师), not one inside a longer (安全管理员 in 食品安全管理员), nor a bracketed note
        let mut plain = String::new();
        let mut depth = 0;
        for c in who.chars() {
            match c {
                '（' | '(' => depth += 1,
                '）' | ')' => depth -= 1,
                _ if depth == 0 => plain.push(c),
                _ => {}
            }
        }
        let spans: Vec<(usize, usize, &rules::RoleTerm)> = rules::ROLE_TERMS
            .iter()
            .flat_map(|t| {
                plain
                    .match_indices(t.term)
                    .map(move |(i, _)| (i, i + t.term.len(), t))
            })
            .collect();
        let mut kept: Vec<(usize, usize, &rules::RoleTerm)> = spans
            .iter()
            .copied()
            .filter(|&(a, b, _)| {
                !spans
                    .iter()
                    .any(|&(x, y, _)| x <= a && b <= y && (y - x) > (b - a))
            })
            .collect();
        kept.sort_by_key(|&(a, _, _)| a);
        for (a, b, t) in &kept {
            // a post the text gave a role already (分管副校长 as direct responsible) keeps it
            let id = d.holder_role(&plain[*a..*b]).unwrap_or_else(|| {
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
                t.id.to_owned()
            });
            if !members.contains(&id) {
                members.push(id);
            }
        }
        // the other items (总务主任, 校医, 各年级组长): the text's role for the post, or one of its own
        for item in plain.split(['、', '和', '及']) {
            let bare = item.trim().trim_start_matches('各');
            if bare.is_empty() || rules::ROLE_TERMS.iter().any(|t| bare.contains(t.term)) {
                continue;
            }
            let id = d.holder_role(bare).or_else(|| post_role(d, at, bare));
            if let Some(id) = id.filter(|id| !members.contains(id)) {
                members.push(id);
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
        remit: None,
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
            remit: None,
            cite: Cite::new(
                Src::line(at),
                Confidence::High,
                "“领导小组办公室/下设办公室”",
            ),
        });
    }
}

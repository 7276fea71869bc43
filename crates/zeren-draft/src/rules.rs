//! The rules: each reads one kind of statement out of a clause or sentence.

use crate::text::numeral;

/// A period of the policy format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Every {
    Week,
    Month,
    Quarter,
    HalfYear,
    Year,
    Holiday,
}

impl Every {
    /// The value of `every` in the policy format.
    pub fn key(self) -> &'static str {
        match self {
            Every::Week => "week",
            Every::Month => "month",
            Every::Quarter => "quarter",
            Every::HalfYear => "half_year",
            Every::Year => "year",
            Every::Holiday => "holiday",
        }
    }
}

/// A frequency found in a clause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frequency {
    pub every: Every,
    /// Records per period when the text gives a count (至少N次, N次, 一次, 不少于N篇).
    pub times: Option<u32>,
    /// 年底前: due at the end of the year, said explicitly.
    pub due_end: bool,
    /// The words that gave the frequency.
    pub cue: &'static str,
    /// Byte range of the cue in the clause.
    pub start: usize,
    pub end: usize,
    /// What a person should confirm (e.g. 每学期 read as half-yearly).
    pub doubt: Option<&'static str>,
}

/// Cues read anywhere in a clause; at one position the longest wins.
const CUES: &[(&str, Every, bool, Option<&str>)] = &[
    ("每年年底前", Every::Year, true, None),
    ("每年年底", Every::Year, true, None),
    ("年底前", Every::Year, true, None),
    ("每半年", Every::HalfYear, false, None),
    ("每个季度", Every::Quarter, false, None),
    ("每一季度", Every::Quarter, false, None),
    ("每季度", Every::Quarter, false, None),
    ("按季度", Every::Quarter, false, None),
    ("季度一次", Every::Quarter, false, None),
    ("每季", Every::Quarter, false, None),
    ("半年一次", Every::HalfYear, false, None),
    ("按月", Every::Month, false, None),
    ("每一个月", Every::Month, false, None),
    ("每个月", Every::Month, false, None),
    ("每月", Every::Month, false, None),
    ("每星期", Every::Week, false, None),
    ("每周", Every::Week, false, None),
    (
        "每学期",
        Every::HalfYear,
        false,
        Some("每学期读作每半年（格式没有学期周期），请确认"),
    ),
    ("每学年", Every::Year, false, None),
    ("每一年", Every::Year, false, None),
    ("每年", Every::Year, false, None),
    ("一年一次", Every::Year, false, None),
    // seasons of the year's work: once a year, before the season
    ("入汛前", Every::Year, false, None),
    ("汛期前", Every::Year, false, None),
    ("汛前", Every::Year, false, None),
    ("入冬前", Every::Year, false, None),
    ("汛期结束后", Every::Year, false, None),
    (
        "开学前",
        Every::HalfYear,
        false,
        Some("开学前读作每学期（每半年），请确认"),
    ),
    // the school year's two terms
    (
        "寒暑假前",
        Every::HalfYear,
        false,
        Some("寒暑假前读作每半年一次，请确认"),
    ),
    (
        "开学前后",
        Every::HalfYear,
        false,
        Some("开学前后读作每学期（每半年），请确认"),
    ),
    (
        "开学初",
        Every::HalfYear,
        false,
        Some("开学初读作每学期（每半年），请确认"),
    ),
    ("年初", Every::Year, false, None),
    ("年度检查", Every::Year, false, None),
    ("年度述职", Every::Year, false, None),
    (
        "节前",
        Every::Holiday,
        false,
        Some("节前：提前几天（lead）？"),
    ),
    (
        "节假日前",
        Every::Holiday,
        false,
        Some("节假日前：提前几天（lead）？"),
    ),
    (
        "节假日放假前",
        Every::Holiday,
        false,
        Some("节假日放假前：提前几天（lead）？"),
    ),
    (
        "节日前",
        Every::Holiday,
        false,
        Some("节日前：提前几天（lead）？"),
    ),
];

/// Named holidays: a list of them followed by 前 (元旦、春节、国庆等重要节点前) is before each holiday.
const HOLIDAYS: &[&str] = &["元旦", "春节", "清明", "五一", "端午", "中秋", "国庆"];

/// The frequency a clause states, if any.
pub fn frequency(clause: &str) -> Option<Frequency> {
    if let Some(f) = named_holidays(clause) {
        return Some(f);
    }
    let mut best: Option<Frequency> = None;
    for &(cue, every, due_end, doubt) in CUES {
        if let Some(start) = clause.find(cue) {
            let better = match &best {
                None => true,
                Some(b) => start < b.start || (start == b.start && cue.len() > b.cue.len()),
            };
            if better {
                best = Some(Frequency {
                    every,
                    times: None,
                    due_end,
                    cue,
                    start,
                    end: start + cue.len(),
                    doubt,
                });
            }
        }
    }
    // 制定年度…计划: a yearly plan.
    if best.is_none() && clause.contains("制定") && clause.contains("计划") {
        if let Some(start) = clause.find("年度") {
            best = Some(Frequency {
                every: Every::Year,
                times: Some(1),
                due_end: false,
                cue: "制定年度计划",
                start,
                end: start + "年度".len(),
                doubt: None,
            });
        }
    }
    // 法定节假日…前瞻性: before each holiday.
    if best.is_none() && clause.contains("节假日") && clause.contains("前瞻") {
        let start = clause.find("节假日").unwrap_or(0);
        best = Some(Frequency {
            every: Every::Holiday,
            times: None,
            due_end: false,
            cue: "节假日前瞻",
            start,
            end: start + "节假日".len(),
            doubt: Some("节假日前：提前几天（lead）？"),
        });
    }
    // 元旦、春节、清明、国庆等重要节点前: before each holiday.
    if best.is_none() {
        if let Some(start) = HOLIDAYS.iter().filter_map(|h| clause.find(h)).min() {
            let before = clause[start..].find('前').map(|k| start + k);
            if let Some(end) = before.filter(|&e| clause[start..e].chars().count() <= 24) {
                best = Some(Frequency {
                    every: Every::Holiday,
                    times: None,
                    due_end: false,
                    cue: "节日名…前",
                    start,
                    end: end + '前'.len_utf8(),
                    doubt: Some(
                        "列举的节日前：每个法定节假日前，还是只有所列节日？提前几天（lead）？",
                    ),
                });
            }
        }
    }
    // 重大节假日和重要会议期间前: before each holiday, the cue split by what else it names
    if best.is_none() {
        if let Some(start) = clause.find("节假日") {
            let after = &clause[start..];
            if let Some(k) = after.find('前') {
                if after[..k].chars().count() <= 14 && !after[..k].contains(['，', ',']) {
                    best = Some(Frequency {
                        every: Every::Holiday,
                        times: None,
                        due_end: false,
                        cue: "节假日前",
                        start,
                        end: start + k + '前'.len_utf8(),
                        doubt: Some("节假日前：提前几天（lead）？"),
                    });
                }
            }
        }
    }
    // 全年专题研讨不少于4次 / 全年开展两次: a count over the whole year (not 全年工作要点)
    if best.is_none() {
        if let Some(start) = clause.find("全年") {
            if count(&clause[start..]).is_some() {
                best = Some(Frequency {
                    every: Every::Year,
                    times: None,
                    due_end: false,
                    cue: "全年",
                    start,
                    end: start + "全年".len(),
                    doubt: None,
                });
            }
        }
    }
    // 春季、秋季 / 迎峰度夏、迎峰度冬前 / 夏季…和冬季…前: the two opposite seasons, once each half year
    if best.is_none() || best.as_ref().is_some_and(|b| b.every == Every::Year) {
        let pairs = [("春季", "秋季"), ("度夏", "度冬"), ("夏季", "冬季")];
        let both = pairs
            .iter()
            .find(|(a, b)| clause.contains(a) && clause.contains(b))
            .map(|(a, _)| *a)
            .or_else(|| {
                ["春秋两季", "春秋季", "冬夏两季"]
                    .into_iter()
                    .find(|w| clause.contains(w))
            });
        if let Some(w) = both {
            let start = clause.find(w).unwrap_or(0);
            return Some(Frequency {
                every: Every::HalfYear,
                times: Some(1),
                due_end: false,
                cue: "春秋两季",
                start,
                end: start + w.len(),
                doubt: Some("两个季节各一次，读作每半年一次，请确认"),
            });
        }
    }
    // 年中和年底各…一次 / 上半年和下半年各…一次: once each half year
    if best.is_none() || best.as_ref().is_some_and(|b| b.every == Every::Year) {
        for pair in [
            "年中和年底",
            "年中、年底",
            "年中及年底",
            "年中和年末",
            "上半年和下半年",
            "上、下半年",
        ] {
            if let Some(start) = clause.find(pair) {
                let end = start + pair.len();
                let times = count(&clause[end..]).filter(|_| clause[end..].contains('各'));
                return Some(Frequency {
                    every: Every::HalfYear,
                    times: times.or(Some(1)),
                    due_end: false,
                    cue: "年中和年底",
                    start,
                    end,
                    doubt: None,
                });
            }
        }
    }
    let mut f = best?;
    if f.times.is_none() {
        f.times = count(&clause[f.start..]).map(|n| n * each(&clause[f.start..]));
    }
    // 每年6月和12月各开展一次 / 每年6月底前和12月底前各…一次: the months that end the halves of the
    // year are once each half year; the four that end the quarters, once each quarter (3月、9月各
    // 一次 stays twice a year: its months are not the periods' ends)
    if f.every == Every::Year {
        let mut months = listed_months(&clause[f.start..]);
        // 每年6月底、12月底 (a deadline of two dates, no 各)
        if months.is_empty() {
            months = months_at(&clause[f.end..]);
        }
        if months == [6, 12] {
            f.every = Every::HalfYear;
            f.times = Some(1);
        } else if months == [3, 6, 9, 12] {
            f.every = Every::Quarter;
            f.times = Some(1);
        }
    }
    Some(f)
}

/// The months a text opens with (6月底、12月底前 → [6, 12]); empty unless it opens with two or more.
fn months_at(text: &str) -> Vec<u32> {
    let mut out = Vec::new();
    for item in text.split(['、', '和', '及']) {
        let digits: String = item.chars().take_while(char::is_ascii_digit).collect();
        let rest = &item[digits.len()..];
        match digits.parse::<u32>() {
            Ok(m) if (1..=12).contains(&m) && rest.starts_with('月') => out.push(m),
            _ => break,
        }
        // the list ends at the item that goes on past its date (12月底前报送…)
        let tail = rest
            .trim_start_matches('月')
            .trim_start_matches(['底', '末', '前', '中', '初']);
        if !tail.is_empty() {
            break;
        }
    }
    if out.len() >= 2 {
        out
    } else {
        Vec::new()
    }
}

/// The months of a list that 各 distributes a count over (每年3月和9月各…, 6月底前和12月底前各…),
/// in order; empty when there is no such list.
fn listed_months(text: &str) -> Vec<u32> {
    let Some(k) = text.find('各') else {
        return Vec::new();
    };
    let after: String = text[k + '各'.len_utf8()..].chars().take(16).collect();
    if !after.contains('次') {
        return Vec::new();
    }
    let list = text[..k].rsplit(['，', ',']).next().unwrap_or("");
    let mut out = Vec::new();
    for item in list.split(['、', '和', '及']) {
        let digits: String = item
            .chars()
            .skip_while(|c| !c.is_ascii_digit())
            .take_while(char::is_ascii_digit)
            .collect();
        let after_digits = item
            .char_indices()
            .skip_while(|(_, c)| !c.is_ascii_digit())
            .find(|(_, c)| !c.is_ascii_digit())
            .map(|(i, _)| &item[i..]);
        match (digits.parse::<u32>(), after_digits) {
            (Ok(m), Some(rest)) if (1..=12).contains(&m) && rest.starts_with('月') => out.push(m),
            _ => return Vec::new(),
        }
    }
    out
}

/// 春节、中秋节前 / 国庆前: holidays named one by one, a closed list (no 等, no generic 节前/节日前/
/// 节假日前 after it) right before 前: once before each, so that many times a year (the format has no
/// named holidays; `every = "holiday"` would be every statutory holiday).
fn named_holidays(clause: &str) -> Option<Frequency> {
    let start = HOLIDAYS.iter().filter_map(|h| clause.find(h)).min()?;
    let end = start + clause[start..].find('前')?;
    let span = &clause[start..end];
    if span.chars().count() > 24
        || span.contains('等')
        || ["节节", "节日", "节假日", "假期", "期间"]
            .iter()
            .any(|g| span.ends_with(g))
        || span.contains(['，', ','])
    {
        return None;
    }
    let items: Vec<&str> = span.split(['、', '和', '及']).collect();
    if !items
        .iter()
        .all(|h| HOLIDAYS.iter().any(|x| h.trim().starts_with(x)) && h.chars().count() <= 4)
    {
        return None;
    }
    let once = count(&clause[start..]).unwrap_or(1);
    Some(Frequency {
        every: Every::Year,
        times: Some(once * u32::try_from(items.len()).unwrap_or(1)),
        due_end: false,
        cue: "所列节日前",
        start,
        end: end + '前'.len_utf8(),
        doubt: Some("只列了这几个节日（没有“等”）：读作每年每个节日前各一次，请确认"),
    })
}

/// 3月、9月各开展一次 / 开学第一周和放假前一周各进行一次: the number of occasions 各 distributes a
/// count over (the items of the list just before 各), else 1.
pub fn each(text: &str) -> u32 {
    let Some(k) = text.find('各') else {
        return 1;
    };
    // 各 must be right before the count's verb (各开展一次), not 各单位
    let after: String = text[k + '各'.len_utf8()..].chars().take(5).collect();
    if !after.contains('次') {
        return 1;
    }
    let list = text[..k].rsplit(['，', ',']).next().unwrap_or("");
    // 开学前后各组织一次 / 节前节后各一次: before and after, twice
    if list.ends_with("前后") || list.ends_with("节前节后") {
        return 2;
    }
    let items = list
        .split(['、', '和'])
        .filter(|s| !s.trim().is_empty())
        .count();
    u32::try_from(items.max(1)).unwrap_or(1)
}

/// The count of 至少N次 / N次 / 不少于N篇 / 一次 in a text.
pub fn count(text: &str) -> Option<u32> {
    for (i, c) in text.char_indices() {
        if c != '次' && c != '篇' {
            continue;
        }
        let before = &text[..i];
        let digits: String = before
            .chars()
            .rev()
            .take_while(|c| c.is_ascii_digit() || "一二两三四五六七八九十".contains(*c))
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        if let Some(n) = numeral(&digits) {
            if n > 0 {
                return Some(n);
            }
        }
    }
    None
}

/// A role named by a fixed term (departments, officers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoleTerm {
    pub term: &'static str,
    pub id: &'static str,
    pub title: &'static str,
}

const fn rt(term: &'static str, id: &'static str, title: &'static str) -> RoleTerm {
    RoleTerm { term, id, title }
}

/// Departments and officers that appear as the subject of a statement. Longer terms first where
/// one contains another.
pub const ROLE_TERMS: &[RoleTerm] = &[
    rt("党委宣传部", "publicity_department", "党委宣传部"),
    rt("党委组织部", "organisation_department", "党委组织部"),
    rt("党委统战部", "united_front_department", "党委统战部"),
    rt("党委办公室", "party_office", "党委办公室"),
    rt("宣传部", "publicity_department", "党委宣传部"),
    rt("组织部", "organisation_department", "党委组织部"),
    rt("统战部", "united_front_department", "党委统战部"),
    rt("派驻纪检监察组", "discipline_group", "派驻纪检监察组"),
    rt("纪检监察组", "discipline_group", "派驻纪检监察组"),
    rt("纪检组", "discipline_group", "派驻纪检监察组"),
    rt("纪委", "discipline_committee", "纪委"),
    rt("教务处", "academic_affairs", "教务处"),
    rt("科研处", "research_office", "科研处"),
    rt("学工部", "student_affairs", "学工部"),
    rt("团委", "youth_league", "团委"),
    rt("工会", "trade_union", "工会"),
    rt("舆情信息员", "sentiment_officer", "舆情信息员"),
    rt("宣传委员", "publicity_member", "宣传委员"),
    rt("组织委员", "organisation_member", "组织委员"),
    rt("纪检委员", "discipline_member", "纪检委员"),
    rt("宣传员", "publicity_officer", "宣传员"),
    rt("网络人员", "network_staff", "网络人员"),
    rt("通讯员", "correspondent", "通讯员"),
    rt("网评员", "network_commentator", "网评员"),
    // officers of 安全生产/网络安全/保密/消防/食品安全 texts
    rt(
        "网络安全管理员",
        "network_security_officer",
        "网络安全管理员",
    ),
    rt("网络安全联络员", "security_liaison", "网络安全联络员"),
    rt("系统管理员", "system_admin", "系统管理员"),
    rt("网络管理员", "network_admin", "网络管理员"),
    rt("信息化管理员", "it_admin", "信息化管理员"),
    rt("安全审计员", "security_auditor", "安全审计员"),
    rt("保密管理员", "secrecy_officer", "保密员"),
    rt("保密员", "secrecy_officer", "保密员"),
    rt("档案管理员", "archivist", "档案管理员"),
    rt("食品安全管理员", "food_safety_officer", "食品安全管理员"),
    rt("消防安全管理人", "fire_safety_manager", "消防安全管理人"),
    rt("涉密人员", "classified_staff", "涉密人员"),
    rt(
        "消防安全责任人",
        "fire_safety_responsible",
        "消防安全责任人",
    ),
    rt("食品安全总监", "food_safety_director", "食品安全总监"),
    rt("食品安全员", "food_safety_officer", "食品安全员"),
    rt("食堂管理员", "canteen_manager", "食堂管理员"),
    rt("宿舍管理员", "dormitory_manager", "宿舍管理员"),
    rt("仓库保管员", "storekeeper", "仓库保管员"),
    rt("定密责任人", "classification_officer", "定密责任人"),
    rt("网格员", "grid_officer", "网格员"),
    rt("门卫", "gate_guard", "门卫"),
    rt("保卫人员", "security_guard", "保卫人员"),
    rt("保安员", "security_guard", "保卫人员"),
    rt("安保人员", "security_guard", "保卫人员"),
    rt("安全管理员", "safety_officer", "安全管理员"),
    rt("网络安全员", "network_security_officer", "网络安全员"),
    rt("安全员", "safety_officer", "安全员"),
    rt("信息中心", "information_centre", "信息中心"),
    rt("班主任", "class_teacher", "班主任"),
    rt("科任教师", "subject_teacher", "科任教师"),
    rt("教研组", "teaching_group_head", "教研组负责人"),
    // departments most organisations have, by their usual names
    rt("总务科", "general_affairs", "总务科"),
    rt("总务处", "general_affairs", "总务处"),
    rt("后勤处", "logistics", "后勤处"),
    rt("后勤科", "logistics", "后勤科"),
    rt("财务科", "finance_department", "财务科"),
    rt("财务处", "finance_department", "财务处"),
    rt("财务部", "finance_department", "财务部"),
    rt("财务室", "finance_department", "财务室"),
    rt("保卫科", "security_department", "保卫科"),
    rt("保卫处", "security_department", "保卫处"),
    rt("保卫部", "security_department", "保卫部"),
    rt("人事科", "personnel", "人事科"),
    rt("人事处", "personnel", "人事处"),
    rt("审计科", "audit", "审计科"),
    rt("审计处", "audit", "审计处"),
    rt("医务科", "medical_affairs", "医务科"),
    rt("医务处", "medical_affairs", "医务处"),
    rt("护理部", "nursing", "护理部"),
    rt("药剂科", "pharmacy", "药剂科"),
    rt("放射科", "radiology", "放射科"),
    rt("设备科", "equipment", "设备科"),
    rt("安全生产管理科", "safety_department", "安全生产管理科"),
    rt("安全科", "safety_department", "安全科"),
    rt("安监科", "safety_department", "安监科"),
    // everyone, each for themselves
    rt("全体干部职工", "staff", "全体干部职工"),
    rt("全体教职工", "staff", "全体教职工"),
    rt("全体职工", "staff", "全体职工"),
    rt("全体员工", "staff", "全体员工"),
    rt("科室负责人", "department_head", "科室负责人"),
    rt("部门负责人", "department_head", "科室负责人"),
    rt("部门经理", "department_head", "科室负责人"),
    rt("部门主任", "department_head", "科室负责人"),
    rt("科室主任", "department_head", "科室负责人"),
    rt("科室部门", "department_head", "科室负责人"),
    rt("处室主任", "department_head", "科室负责人"),
    rt("股室负责人", "department_head", "科室负责人"),
    rt("处室负责人", "department_head", "科室负责人"),
    rt("部室负责人", "department_head", "科室负责人"),
];

/// The role term at the start of `s`, if any.
pub fn role_at(s: &str) -> Option<&'static RoleTerm> {
    ROLE_TERMS.iter().find(|t| s.starts_with(t.term))
}

/// Words that end a clause's subject (党委宣传部作为…, 教务处对…, 各科室负责人对…).
const SUBJECT_ENDS: &[&str] = &[
    "对",
    "负",
    "要",
    "应",
    "是",
    "为",
    "作为",
    "履行",
    "担负",
    "组织的",
    "利用",
    "分工",
    "根据",
    "按照",
    "协助",
    "配合",
    "参照",
];

/// Role terms in a clause's subject, including a list joined by 、 or 和 (工会、学工部、团委…):
/// each item that begins or ends with a term, after a leading 各 or 由. An item that opens with
/// 加强, 对, 把, 将 or 在 is an object, not a subject.
pub fn subject_roles(clause: &str) -> Vec<&'static RoleTerm> {
    let end = subject_end(clause);
    let mut found = Vec::new();
    for (i, item) in clause[..end].split(['、', '和']).enumerate() {
        let mut item = item.trim();
        for whole in ["全校", "全院", "全局", "全场", "全系统"] {
            item = item.strip_prefix(whole).unwrap_or(item);
        }
        let item = item.trim_start_matches(['各', '由']);
        let item = item
            .strip_prefix("专职")
            .or_else(|| item.strip_prefix("兼职"))
            .unwrap_or(item);
        // 设立舆情信息员，遇有重大舆情…报告: the officer set up is who the sentence is about
        let item = ["设立", "设置", "配备"]
            .iter()
            .find_map(|v| item.strip_prefix(v))
            .unwrap_or(item);
        if ["加强", "对", "把", "将", "在"]
            .iter()
            .any(|w| item.starts_with(w))
        {
            continue;
        }
        // 镇纪委, 场纪委: a term after a one- or two-character name of the organisation
        // (not 数据安全管理员 for 安全管理员: an officer's own words before it make another post)
        let named = |t: &&RoleTerm| {
            let extra = if t.term.ends_with('员') { 1 } else { 2 };
            item.starts_with(t.term)
                || (item.ends_with(t.term)
                    && item.chars().count() <= t.term.chars().count() + extra
                    && t.term.chars().count() >= 2)
        };
        match ROLE_TERMS.iter().find(named) {
            Some(t) if !found.contains(&t) => found.push(t),
            Some(_) => {}
            // a list of subjects opens with one (工会、…; XX党委、各分场、…); 充分发挥团总支、工会的… and
            // 建立党委统一领导、党委宣传部门牵头… are a verb's objects
            None if i == 0
                && item.chars().count() > 4
                && !COLLECTIVES.iter().any(|c| item.ends_with(c)) =>
            {
                break
            }
            None => {}
        }
    }
    found
}

/// Where a clause's subject ends: at the first of [`SUBJECT_ENDS`] (负责人 is a post, not 负).
pub fn subject_end(clause: &str) -> usize {
    SUBJECT_ENDS
        .iter()
        .filter_map(|m| {
            clause
                .match_indices(m)
                .map(|(i, _)| i)
                .find(|&i| !inside_a_word(clause, i, m))
        })
        .min()
        .unwrap_or(clause.len())
}

/// Whether the end word `m` at `i` is part of another word (负责人, 应急管理办公室, 主要负责人,
/// 行为, 对照), not the verb that ends a subject.
fn inside_a_word(clause: &str, i: usize, m: &str) -> bool {
    let before = &clause[..i];
    let after = &clause[i + m.len()..];
    match m {
        "负" => after.starts_with("责人"),
        "应" => ["急", "用", "届"].iter().any(|w| after.starts_with(w)),
        "要" => {
            ["主", "重", "需", "纪", "摘", "提", "机"]
                .iter()
                .any(|w| before.ends_with(w))
                || [
                    "点", "求", "素", "件", "室", "科", "处", "股", "办", "员", "闻", "务", "害",
                    "职",
                ]
                .iter()
                .any(|w| after.starts_with(w))
        }
        "为" => ["行", "认", "成", "因", "作"]
            .iter()
            .any(|w| before.ends_with(w)),
        "是" => {
            after.starts_with('否')
                || ["但", "于", "凡", "总", "还"]
                    .iter()
                    .any(|w| before.ends_with(w))
        }
        "对" => {
            ["照", "接", "象", "口"]
                .iter()
                .any(|w| after.starts_with(w))
                || ["针", "面", "核", "相", "绝", "应"]
                    .iter()
                    .any(|w| before.ends_with(w))
        }
        _ => false,
    }
}

/// Role terms a clause sets up: 设立X, 设置X, 配备X, 明确N名X.
pub fn established_roles(clause: &str) -> Vec<&'static RoleTerm> {
    let mut found = Vec::new();
    for cue in ["设立", "设置", "配备", "名"] {
        let mut from = 0;
        while let Some(i) = clause[from..].find(cue) {
            let at = from + i + cue.len();
            if cue != "名"
                || clause[..from + i].contains("明确")
                || clause[..from + i].contains("指定")
            {
                let named = clause[at..]
                    .trim_start_matches("专职")
                    .trim_start_matches("兼职");
                if let Some(t) = role_at(named) {
                    if !found.contains(&t) {
                        found.push(t);
                    }
                }
            }
            from = at;
        }
    }
    found
}

/// 各科室 / 各部门 / 各处室: each department of the organisation, answered for by its head.
pub fn each_department(subject: &str) -> bool {
    let Some(rest) = subject.trim().strip_prefix('各') else {
        return false;
    };
    let rest = rest.split(['（', '(']).next().unwrap_or(rest);
    [
        "科室",
        "部门",
        "处室",
        "股室",
        "部室",
        "职能部门",
        "业务科室",
        "中层部门",
    ]
    .contains(&rest)
}

/// Endings of a department's or office's name (总务处, 保卫科, 团委办公室, 规划信息股).
const DEPARTMENT_ENDS: &[&str] = &[
    "处",
    "科",
    "室",
    "部",
    "办",
    "股",
    "部门",
    "中心",
    "委员会",
    "中队",
    "大队",
    "局",
    "站",
    "所",
    "队",
];

/// The subject as a department the lexicon does not know (总务处), if it reads as one: at most eight
/// characters after a leading 各 or 由, ending like a department, not a collective.
pub fn department_like(subject: &str) -> Option<&str> {
    let s = subject.trim().trim_start_matches(['各', '由']);
    // 局办公室（宣传股）: the name before its bracketed note
    let s = s.split(['（', '(']).next().unwrap_or(s).trim();
    let n = s.chars().count();
    // more than the ending: 中心 alone is the organisation itself (中心每季度…)
    // (公司安全生产委员会: a committee is a body, as before names grew to ten characters)
    let fits = (2..=10).contains(&n)
        && !(s.ends_with("委员会") && n > 8)
        && DEPARTMENT_ENDS
            .iter()
            .any(|e| s.ends_with(e) && n > e.chars().count())
        // (领导小组办公室 is an office that works, not the group)
        && (collective(s).is_none() || s.ends_with("办公室"))
        && !["科室", "部门", "处室", "股室", "部室"].contains(&s)
        // 有关部门 / 相关科室 / 上级主管部门: not one the text names
        && !["有关", "相关", "其他", "职能", "业务", "上级", "主管", "本部门", "所在"]
            .iter()
            .any(|w| s.starts_with(w))
        // 人员密集场所 / 团队: not a department
        && !["场所", "处所", "住所", "厕所", "团队", "梯队", "部队"]
            .iter()
            .any(|w| s.ends_with(w))
        && !(["所", "队"].iter().any(|w| s.ends_with(w)) && n < 3)
        // 每月带队 / 召开1次所: words of a statement, not a name
        && !["带队", "列队", "组队", "领队", "排队", "归队", "编队"]
            .iter()
            .any(|w| s.ends_with(w))
        && !s.contains('每')
        && !["召开", "开展", "组织", "负责"]
            .iter()
            .any(|w| s.find(w).is_some_and(|i| i > 0))
        // 县应急管理局 / 市教育局: an authority above, not a department of one's own
        && !(s.ends_with('局')
            && ["县", "市", "区", "省", "国家", "州", "旗"]
                .iter()
                .any(|w| s.starts_with(w)))
        && !s.contains(['，', '、', '的', '对', '在', '由']);
    fits.then_some(s)
}

/// Collective subjects: a body of people, never one role holder.
const COLLECTIVES: &[&str] = &[
    "党委会",
    "党支部",
    "党总支",
    "党委",
    "党组",
    "支部",
    "学校",
    "我校",
    "班子",
    "领导小组",
    "本单位",
];

/// The collective named in `s` (党支部, 党委会 …), if any.
/// (党组织书记 and 党支部书记 are posts: not 党组 in 党组织, nor a collective's holder)
pub fn collective(s: &str) -> Option<&'static str> {
    if is_person(s.trim()) && s.chars().count() <= 16 {
        return None;
    }
    COLLECTIVES.iter().copied().find(|c| {
        s.match_indices(c)
            .any(|(i, _)| !(*c == "党组" && s[i + c.len()..].starts_with('织')))
    })
}

/// Where a report goes: to the unit above, or to someone the text names inside the organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Parent(String),
    Named(String),
}

impl Target {
    pub fn text(&self) -> &str {
        match self {
            Target::Parent(s) | Target::Named(s) => s,
        }
    }
}

const ABOVE: &[&str] = &[
    "上级",
    "上一级",
    "区",
    "市",
    "县",
    "省",
    "局",
    "教育办",
    "主管部门",
];

fn classify(target: &str) -> Target {
    let t = target.trim().to_owned();
    // 场党委, 校党委: the organisation's own committee; 区教体局党组, 市社党委, 上级党委: above.
    if ABOVE.iter().any(|a| t.contains(a)) && !t.starts_with('本') {
        Target::Parent(t)
    } else {
        Target::Named(t)
    }
}

/// 向X汇报 / 向X报告 / 向X专题汇报: where a clause reports to.
pub fn report_target(text: &str) -> Option<Target> {
    let i = text.find('向')?;
    let rest = &text[i + '向'.len_utf8()..];
    let end = ["汇报", "报告", "报送"]
        .iter()
        .filter_map(|v| rest.find(v))
        .min()?;
    let mut target = &rest[..end];
    // 向区教体局党组以书面形式汇报 / 向市社党委专题汇报: drop the manner.
    for manner in ["以书面形式", "书面", "专题", "及时", "定期"] {
        if let Some(j) = target.find(manner) {
            target = &target[..j];
        }
    }
    if target.is_empty() || target.chars().count() > 16 {
        return None;
    }
    Some(classify(target))
}

/// 报X备案: where cases are filed.
pub fn filing_target(text: &str) -> Option<Target> {
    let end = text.find("备案")?;
    let before = &text[..end];
    let i = before.rfind('报')?;
    let target = &before[i + '报'.len_utf8()..];
    if target.is_empty() || target.chars().count() > 16 {
        return None;
    }
    Some(classify(target))
}

/// Accountability measures, mildest first (the order the format keeps them in).
const MEASURES: &[(&str, &str)] = &[
    ("提醒", "提醒"),
    ("提醒谈话", "提醒谈话"),
    ("约谈", "约谈"),
    ("函询", "函询"),
    ("批评教育", "批评教育"),
    ("检查", "检查"),
    ("责令检查", "责令检查"),
    ("责令作出书面检查", "责令作出书面检查"),
    ("书面检查", "书面检查"),
    // 问责条例 第八条: 通报、诫勉、组织调整或者组织处理、纪律处分
    ("通报批评", "通报批评"),
    ("通报", "通报"),
    ("诫勉谈话", "诫勉谈话"),
    ("诫勉", "诫勉"),
    ("责令限期整改", "责令限期整改"),
    ("责令整改", "责令整改"),
    ("经济处罚", "经济处罚"),
    ("罚款", "罚款"),
    ("调整工作岗位", "调整工作岗位"),
    ("调整岗位", "调整岗位"),
    ("调离工作岗位", "调离工作岗位"),
    ("调离岗位", "调离岗位"),
    ("停职", "停职"),
    ("责令公开道歉", "责令公开道歉"),
    ("停职检查", "停职检查"),
    ("调整职务", "调整职务"),
    ("责令辞职", "责令辞职"),
    ("引咎辞职", "引咎辞职"),
    ("组织调整", "组织调整"),
    ("组织处理", "组织处理"),
    ("降职", "降职"),
    ("免职", "免职"),
    ("纪律处分", "纪律处分"),
    ("党纪处分", "党纪处分"),
    ("政务处分", "政务处分"),
    ("行政处分", "行政处分"),
    // the kinds of 党纪/政务处分 a text may list one by one
    ("警告", "警告"),
    ("严重警告", "严重警告"),
    ("记过", "记过"),
    ("记大过", "记大过"),
    ("降级", "降级"),
    ("撤职", "撤职"),
    ("撤销党内职务", "撤销党内职务"),
    ("留党察看", "留党察看"),
    ("开除党籍", "开除党籍"),
    ("开除", "开除"),
    // an employer's measures, the heaviest last
    ("待岗", "待岗"),
    ("辞退", "辞退"),
    ("解除劳动合同", "解除劳动合同"),
    // 给予处分 / 依纪依规给予处分: a disciplinary sanction, unnamed
    ("处分", "处分"),
];

/// The measures a sentence names, mildest first, each once (责令作出书面检查 counts once, not also
/// as 书面检查).
pub fn measures(sentence: &str) -> Vec<&'static str> {
    let mut spans: Vec<(usize, usize, usize)> = Vec::new(); // (start, end, rank)
                                                            // the longer terms first, so that 通报批评 is not also 通报
    let mut order: Vec<usize> = (0..MEASURES.len()).collect();
    order.sort_by_key(|&r| std::cmp::Reverse(MEASURES[r].0.len()));
    for rank in order {
        let term = MEASURES[rank].0;
        let mut from = 0;
        while let Some(i) = sentence[from..].find(term) {
            let (s, e) = (from + i, from + i + term.len());
            from = e;
            // 检查 and 通报 alone are measures only as items of a list (采取检查、通报、诫勉等方式)
            if BARE.contains(&term) && !listed(sentence, s, e) {
                continue;
            }
            if !spans.iter().any(|&(a, b, _)| s < b && a < e) {
                spans.push((s, e, rank));
            }
        }
    }
    spans.sort_by_key(|&(s, _, rank)| (rank, s));
    let mut out: Vec<&'static str> = Vec::new();
    for (_, _, rank) in spans {
        let m = MEASURES[rank].1;
        if !out.contains(&m) {
            out.push(m);
        }
    }
    out
}

/// Measures that are common words too: taken only as items of a list (处分 also after 给予/予以).
const BARE: &[&str] = &[
    "待岗",
    "辞退",
    "罚款",
    "责令整改",
    "责令限期整改",
    "经济处罚",
    "检查",
    "通报",
    "处分",
    "政务处分",
    "行政处分",
    "警告",
    "开除",
    "降级",
    "撤职",
    "记过",
];

/// Whether `sentence[s..e]` stands as an item of a list: after 、，：取 or 予, before 、，。；等和或.
fn listed(sentence: &str, s: usize, e: usize) -> bool {
    let before = sentence[..s].chars().next_back();
    let after = sentence[e..].chars().next();
    let opens = before.is_none_or(|c| "、，：:；取予以或及".contains(c));
    let closes = after.is_none_or(|c| "、，。；等和或处直".contains(c));
    opens && closes
}

/// 取消当年评优评先资格 / 取消年度评优资格: the measure as the text words it, when it is an item of a
/// list of measures (…、取消年度评优资格、…); 受到问责的…，取消…资格 is a consequence, not a measure.
pub fn disqualification(sentence: &str) -> Option<&str> {
    own_measures(sentence).into_iter().next()
}

/// Measures in the text's own words, as items of a list of measures: 取消…评优/评先…资格, and the
/// economic ones 扣发/扣减/扣除/停发 …工资/奖金/绩效/津贴/补贴 (扣发当月绩效工资).
pub fn own_measures(sentence: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for cue in ["取消", "扣发", "扣减", "扣除", "停发"] {
        let mut from = 0;
        while let Some(k) = sentence[from..].find(cue) {
            let i = from + k;
            from = i + cue.len();
            if let Some(m) = own_measure_at(sentence, i, cue) {
                if !out.contains(&m) {
                    out.push(m);
                }
            }
        }
    }
    out
}

fn own_measure_at<'a>(sentence: &'a str, i: usize, cue: &str) -> Option<&'a str> {
    let rest = &sentence[i..];
    let m = if cue == "取消" {
        // 取消…评优…资格, or the item up to the list's next separator (取消当年评先评优)
        let item_end = rest
            .find(['、', '；', '，', '。', '或'])
            .unwrap_or(rest.len());
        let end = rest[..item_end]
            .find("资格")
            .map_or(item_end, |k| k + "资格".len());
        let m = &rest[..end];
        (m.contains("评优") || m.contains("评先")).then_some(m)?
    } else {
        let end = rest
            .find(['、', '；', '，', '。', '等', '或', '和'])
            .unwrap_or(rest.len());
        let m = &rest[..end];
        ["工资", "奖金", "绩效", "津贴", "补贴"]
            .iter()
            .any(|w| m.ends_with(w))
            .then_some(m)?
    };
    let end = i + m.len();
    // an item of a list in the sentence, or the whole of a numbered item (3.扣减年度奖金。)
    let item = sentence[..i].ends_with('、')
        || sentence[end..].starts_with('、')
        || (i == 0 && end == sentence.len());
    (item && m.chars().count() <= 14 && !m.contains('，')).then_some(m)
}

/// Whether a line introduces accountability measures, whatever its verb: 追究责任采取以下方式,
/// 处理方式视情节轻重分别为, 问责方式包括, 根据情节轻重，可给予….
pub fn introduces_measures(line: &str) -> bool {
    let kind = ["方式", "措施", "形式", "种类"]
        .iter()
        .any(|w| line.contains(w));
    let account = ["追究", "问责", "处理", "处分", "处罚", "惩处"]
        .iter()
        .any(|w| line.contains(w));
    (kind && account) || line.contains("情节轻重")
}

/// What a list of circumstances is called after 下列/以下/如下 (有下列情形之一的, 出现以下情况之一的,
/// 有下列行为之一的, 存在下列问题之一的).
const LIST_NOUNS: &[&str] = &["情形", "情况", "行为", "问题", "情节", "事项", "事件"];

/// Words that say the list is about holding someone to account (not, say, what to report).
const ACCOUNT_CUES: &[&str] = &[
    "追究",
    "问责",
    "处理",
    "处分",
    "处罚",
    "惩处",
    "给予",
    "予以",
    "责任",
    "一票否决",
    "不得评",
];

/// Whether a line introduces a list of circumstances: 下列/以下/如下 + 情形/情况/行为/问题… (之一), in any
/// wording (有…, 凡有…, 出现…, 发生…, 具有…, 存在…), and says it holds someone to account (追究,
/// 问责, 处理, 给予, 一票否决 …). 下列情形 alone always does (the seeds' and the 问责条例's wording).
pub fn circumstance_header(line: &str) -> bool {
    if line.contains("下列情形") {
        return true;
    }
    let listed = ["下列", "以下", "如下"].iter().any(|w| {
        line.match_indices(w).any(|(i, _)| {
            let after: String = line[i + w.len()..].chars().take(6).collect();
            LIST_NOUNS.iter().any(|n| after.contains(n))
        })
    });
    listed && ACCOUNT_CUES.iter().any(|c| line.contains(c))
}

/// A heading that names the cases held to account without 下列…之一 (（一）问责情形, 追究责任的情形：,
/// 责任追究情形包括：): the list under it is one of circumstances if its items read as cases.
pub fn circumstance_heading(line: &str) -> bool {
    let body = crate::text::body(line).trim_end_matches(['：', ':', '。']);
    body.chars().count() <= 24
        && ["情形", "情况", "行为"].iter().any(|w| body.contains(w))
        && ["问责", "追究", "处理", "处分", "责任"]
            .iter()
            .any(|w| body.contains(w))
        && !body.contains(['，', '；'])
}

/// Items numbered within one line (…：（一）甲；（二）乙；③丙): the texts after each numbering, when
/// the line numbers at least two.
pub fn inline_items(line: &str) -> Vec<&str> {
    let mut starts: Vec<(usize, usize)> = Vec::new(); // (start of numbering, start of text)
    for (i, c) in line.char_indices() {
        if ('\u{2460}'..='\u{2473}').contains(&c) {
            starts.push((i, i + c.len_utf8()));
            continue;
        }
        if c == '（' || c == '(' {
            let rest = &line[i + c.len_utf8()..];
            if let Some(end) = rest.find(['）', ')']) {
                if numeral(&rest[..end]).is_some() {
                    let close = rest[end..].chars().next().map_or(1, char::len_utf8);
                    starts.push((i, i + c.len_utf8() + end + close));
                }
            }
        }
    }
    // …：1）甲；2）乙；3）丙 / 1.甲；2.乙: numbers 1, 2, 3 … in order, each after the start, a
    // colon or a semicolon
    if starts.is_empty() {
        let mut want = 1u32;
        let mut from = 0;
        while from < line.len() {
            let rest = &line[from..];
            let Some(k) = rest.find(|c: char| c.is_ascii_digit()) else {
                break;
            };
            let at = from + k;
            let digits: String = line[at..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            let after = &line[at + digits.len()..];
            let before = line[..at].chars().next_back();
            let opens = before.is_none_or(|c| "：:；;。 \u{3000}".contains(c));
            let mark = after.chars().next().filter(|c| "）)、.．".contains(*c));
            if opens && digits.parse::<u32>().ok() == Some(want) {
                if let Some(m) = mark {
                    starts.push((at, at + digits.len() + m.len_utf8()));
                    want += 1;
                }
            }
            from = at + digits.len().max(1);
        }
        if starts.len() < 2 {
            starts.clear();
        }
    }
    // 一是…；二是…
    if starts.is_empty() {
        for n in [
            "一是", "二是", "三是", "四是", "五是", "六是", "七是", "八是", "九是", "十是",
        ] {
            let Some(i) = line.find(n) else { break };
            if starts.last().is_some_and(|&(p, _)| p >= i) {
                break;
            }
            starts.push((i, i + n.len()));
        }
    }
    if starts.len() < 2 {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (k, &(_, text)) in starts.iter().enumerate() {
        let end = starts.get(k + 1).map_or(line.len(), |&(n, _)| n);
        let item = line[text..end]
            .trim()
            .trim_end_matches(['；', ';', '。', '，', ','])
            .trim();
        if !item.is_empty() {
            out.push(item);
        }
    }
    out
}

/// 视情节轻重，由理事会作出处理：一是使用禁限用农药的，取消其…资格；二是…的，…: numbered items
/// each opening with a case (a clause ending in 的) followed by what is done about it, on a line
/// about dealing with them: the cases; empty unless there are two or more and every item is one.
pub fn cases_with_measures(line: &str) -> Vec<&str> {
    if circumstance_header(line)
        || !["处理", "追究", "问责", "处分", "处罚"]
            .iter()
            .any(|w| line.contains(w))
    {
        return Vec::new();
    }
    let at = line.find(['：', ':']).unwrap_or(0);
    let items = inline_items(&line[at..]);
    let cases: Vec<&str> = items
        .iter()
        .filter_map(|item| {
            let first = item.split(['，', ',']).next()?.trim();
            (first.ends_with('的') && first.chars().count() >= 4 && item.len() > first.len())
                .then_some(first)
        })
        .collect();
    if cases.len() >= 2 && cases.len() == items.len() {
        cases
    } else {
        Vec::new()
    }
}

/// The cases listed after a header's colon without numbers, one per ；, each ending in 的
/// (…追究责任：未按规定排查的；违规授权的；迟报、瞒报的。): at least two, or none.
pub fn unnumbered_cases(line: &str) -> Vec<&str> {
    let Some(k) = line.find(['：', ':']) else {
        return Vec::new();
    };
    let colon = line[k..].chars().next().map_or(1, char::len_utf8);
    let parts: Vec<&str> = line[k + colon..]
        .split(['；', ';'])
        .map(|p| p.trim().trim_end_matches(['。', '，', ',']).trim())
        .filter(|p| !p.is_empty())
        .collect();
    if parts.len() >= 2 && parts.iter().all(|p| p.ends_with('的')) {
        parts
    } else {
        Vec::new()
    }
}

/// Titles in 《》 within a text.
pub fn titles(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find('《') {
        let Some(j) = rest[i..].find('》') else {
            break;
        };
        out.push(&rest[i..i + j + '》'.len_utf8()]);
        rest = &rest[i + j..];
    }
    out
}

/// Person-like titles that can hold a role (the subject of 是第一责任人).
const PERSON: &[&str] = &[
    "书记",
    "校长",
    "园长",
    "局长",
    "院长",
    "主任",
    "组长",
    "经理",
    "站长",
    "所长",
    "厂长",
    "负责人",
    "领导",
    "委员",
    "社长",
    "场长",
    "部长",
    "处长",
    "科长",
    "股长",
    "馆长",
    "队长",
    "行长",
    "庭长",
    "检察长",
    "秘书长",
    "董事长",
    "总监",
    "主席",
    "会长",
    "镇长",
    "乡长",
    "区长",
    "县长",
    "市长",
    "班长",
    "主管",
    "代表人",
    "法人代表",
    "护士长",
    "校医",
    "医生",
    "河长",
    "专干",
    "干事",
    "专员",
    "教师",
    "辅导员",
    "医师",
    "护士",
    "理事长",
    "监事长",
    "格长",
    "栋长",
    "楼长",
    "段长",
    "片长",
    "民警",
    "湖长",
    "林长",
    "田长",
    "管理员",
    "信息员",
    "联络员",
];

/// 街道总河长 for 总河长, 县局办公室主任 for 办公室主任: `title` is `post` after the name of the
/// organisation or one of its levels.
pub fn unit_prefixed(title: &str, post: &str) -> bool {
    const UNITS: &[&str] = &[
        "街道",
        "镇",
        "乡",
        "县",
        "区",
        "市",
        "局",
        "校",
        "院",
        "学校",
        "医院",
        "公司",
        "社区",
        "村",
        "园",
        "中心",
        "委",
        "所",
        "站",
        "场",
        "厂",
        "镇级",
        "乡级",
        "县级",
        "区级",
        "市级",
        "街道级",
        "校级",
        "院级",
    ];
    post.chars().count() >= 2
        && title
            .strip_suffix(post)
            .is_some_and(|prefix| UNITS.contains(&prefix))
}

/// Words ending in 员 that name people, not a post (成员, 人员, 党员 …).
const NOT_POSTS: &[&str] = &[
    "成员", "人员", "党员", "会员", "学员", "职员", "队员", "团员", "动员", "雇员", "演员", "官员",
    "要员", "减员", "增员", "满员", "定员", "冗员",
];

/// The scope of a unit below (是本村…第一责任人, 本实验室…直接责任人): its own first or direct
/// responsible, not the organisation's.
pub fn of_unit_below(s: &str) -> bool {
    const SCOPES: &[&str] = &[
        "本村",
        "本组",
        "本项目",
        "本科室",
        "本部门",
        "本班组",
        "本楼层",
        "本网格",
        "本社区",
        "本楼栋",
        "本实验室",
        "本车间",
        "本股室",
        "本处室",
        "本学院",
        "本系",
    ];
    SCOPES.iter().any(|w| s.contains(w))
}

/// Whether a phrase names a person's post (the lexicon's words, and a short 柜员, 综合员, 出纳员 …).
pub fn is_person(s: &str) -> bool {
    if PERSON.iter().any(|p| s.ends_with(p)) {
        return true;
    }
    let n = s.chars().count();
    // (全员 is everyone; 质量安全员 a post)
    s.ends_with('员')
        && s != "全员"
        && (2..=6).contains(&n)
        && !NOT_POSTS.iter().any(|w| s.ends_with(w))
        && !["全体", "各类", "相关", "有关", "其他", "所有"]
            .iter()
            .any(|w| s.starts_with(w))
}

/// 街道党工委书记任街道总河长 / 其他班子成员分别担任…的街道级河长 / 办公室主任兼任保密员: who is
/// appointed to which post, when the post reads as a person's.
pub fn appointed(clause: &str) -> Option<(&str, &str)> {
    let at = ["担任", "兼任"]
        .iter()
        .find_map(|v| clause.find(v).map(|i| (i, v.len())))
        .or_else(|| {
            clause
                .match_indices('任')
                .map(|(i, _)| i)
                .find(|&i| {
                    let before = clause[..i].chars().next_back();
                    let after = clause[i + '任'.len_utf8()..].chars().next();
                    before.is_some_and(|c| !"主责担兼信上前现离继专胜就留聘委".contains(c))
                        && after.is_some_and(|c| !"务何命期职用免意".contains(c))
                })
                .map(|i| (i, '任'.len_utf8()))
        })?;
    let holder = clause[..at.0].trim().trim_start_matches('由');
    let holder = ["分别", "均", "各", "同时"]
        .iter()
        .fold(holder, |h, w| h.strip_suffix(w).unwrap_or(h))
        .trim();
    let post = clause[at.0 + at.1..].trim();
    let post = post.rsplit('的').next().unwrap_or(post).trim();
    let hn = holder.chars().count();
    let pn = post.chars().count();
    let holder_ok = (2..=20).contains(&hn)
        && !holder.contains(['，', ','])
        && (is_person(holder) || holder.ends_with("成员") || holder.ends_with("领导"));
    // 由校长任组长 / 经理任主任: a seat on a leading group or committee, not a post of its own
    const SEATS: &[&str] = &[
        "组长",
        "副组长",
        "主任",
        "副主任",
        "常务副主任",
        "委员",
        "成员",
        "组员",
        "秘书长",
        "副秘书长",
        "主任委员",
        "副主任委员",
        "召集人",
        "办公室主任",
    ];
    let post_ok = (2..=12).contains(&pn)
        && is_person(post)
        && !post.contains(['、', '，', ','])
        && !SEATS.contains(&post);
    (holder_ok && post_ok).then_some((holder, post))
}

/// Who a 责任清单 line names as answering for it: （责任人：党委书记；完成时限：…） or
/// 　责任人：局办公室主任　完成时限：… — the words after 责任人 up to the next field, or None.
pub fn named_answerer(line: &str) -> Option<&str> {
    let at = ["责任人：", "责任人:"]
        .iter()
        .find_map(|cue| line.rfind(cue).map(|i| i + cue.len()))?;
    // 第一责任人：… / 直接责任人： are a role's definition, not a list's field
    let before = &line[..at];
    if ["第一责任人", "直接责任人", "主要责任人", "重要责任人"]
        .iter()
        .any(|w| before.ends_with(&format!("{w}：")) || before.ends_with(&format!("{w}:")))
    {
        return None;
    }
    let rest = &line[at..];
    let end = rest
        .find(['；', ';', '）', ')', '　', ' ', '，', ',', '。', '\t'])
        .unwrap_or(rest.len());
    let who = rest[..end].trim();
    (!who.is_empty() && who.chars().count() <= 24).then_some(who)
}

/// Where a 责任清单 line's fields begin (…。（责任主体：党委；责任人：书记） / …　责任人：主任　完成时限：…),
/// if it has them after its text.
pub fn fields_start(line: &str) -> Option<usize> {
    const CUES: &[&str] = &[
        "（责任人",
        "（责任主体",
        "（责任单位",
        "（牵头单位",
        "（责任领导",
        "(责任人",
        "(责任主体",
        "(责任单位",
        "责任人：",
        "责任主体：",
        "责任单位：",
        "牵头单位：",
        "牵头股室：",
        "责任领导：",
        "完成时限：",
        "完成时间：",
    ];
    CUES.iter()
        .filter_map(|c| line.find(c))
        .min()
        .filter(|&i| i > 0 && !line[..i].trim().is_empty())
        // 第一责任人：… is a definition, not a field
        .filter(|&i| named_answerer(line).is_some() || !line[..i].ends_with("第一"))
}

/// 一是…的； on a line of its own (an item of a list numbered 一是、二是…): the text after 一是.
pub fn shi_item(line: &str) -> Option<&str> {
    let s = line.trim_start_matches([' ', '\u{3000}']);
    let first = s.chars().next()?;
    let rest = s[first.len_utf8()..].strip_prefix('是')?;
    ("一二三四五六七八九十".contains(first)).then_some(rest.trim())
}

/// The same post in charge of something: 分管副校长 and 分管安全工作的副校长 (both 分管, the same last
/// three characters, a person's post).
/// Two posts that each name their area (分管宣传工作的副局长, 分管旅游工作的副局长) are the same only
/// when the words are.
pub fn same_post_in_charge(a: &str, b: &str) -> bool {
    let tail = |s: &str| s.chars().rev().take(3).collect::<String>();
    if a.contains('的') && b.contains('的') {
        return a == b;
    }
    a.starts_with("分管") && b.starts_with("分管") && is_person(a) && tail(a) == tail(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every(c: &str) -> Option<(Every, Option<u32>)> {
        frequency(c).map(|f| (f.every, f.times))
    }

    #[test]
    fn frequencies() {
        assert_eq!(every("坚持每周集中学习1次"), Some((Every::Week, Some(1))));
        assert_eq!(
            every("每个月组织一次集中学习"),
            Some((Every::Month, Some(1)))
        );
        assert_eq!(
            every("4每月开展一次分析研判"),
            Some((Every::Month, Some(1)))
        );
        assert_eq!(
            every("党支部每季度至少组织1次有关意识形态工作内容的学习"),
            Some((Every::Quarter, Some(1)))
        );
        assert_eq!(
            every("学校至少每半年专题研究1次意识形态工作"),
            Some((Every::HalfYear, Some(1)))
        );
        assert_eq!(
            every("校区党委会每年开展2次专题研究"),
            Some((Every::Year, Some(2)))
        );
        assert_eq!(
            every("每年撰写理论学习心得体会文章不少于1篇"),
            Some((Every::Year, Some(1)))
        );
        assert_eq!(every("每学期召开一次"), Some((Every::HalfYear, Some(1))));
        assert!(frequency("每学期召开一次").unwrap().doubt.is_some());
        assert_eq!(
            every("坚持意识形态工作每季度分析研判制度"),
            Some((Every::Quarter, None))
        );
        assert_eq!(every("定期进行专项督查考核"), None);
        assert_eq!(every("及时汇报"), None);
        assert_eq!(every("每季召开一次例会"), Some((Every::Quarter, Some(1))));
        assert_eq!(every("按季度报送一次"), Some((Every::Quarter, Some(1))));
        assert_eq!(every("半年一次"), Some((Every::HalfYear, Some(1))));
        assert_eq!(every("按月统计"), Some((Every::Month, None)));
        assert_eq!(every("每两年评估一次"), None);
        assert_eq!(every("体检一年一次"), Some((Every::Year, Some(1))));
    }

    #[test]
    fn year_end_and_holidays() {
        let f = frequency("每年年底前").unwrap();
        assert_eq!(
            (f.every, f.due_end, f.cue),
            (Every::Year, true, "每年年底前")
        );
        assert_eq!(
            every("元旦、春节节前开展廉政提醒"),
            Some((Every::Holiday, None))
        );
        assert_eq!(
            every("对重要时间节点、法定节假日需注意问题，进行前瞻性专题分析判断"),
            Some((Every::Holiday, None))
        );
        assert_eq!(every("法定节假日值班"), None);
    }

    #[test]
    fn yearly_plans_and_checks() {
        assert_eq!(
            every("认真制定年度党组理论学习中心组学习计划"),
            Some((Every::Year, Some(1)))
        );
        assert_eq!(
            every("制定大学生社团的成立和年度检查制度"),
            Some((Every::Year, None))
        );
        assert_eq!(every("列入单位年度目标责任考核重要内容"), None);
    }

    #[test]
    fn school_years_year_starts_and_holidays_named() {
        assert_eq!(
            every("每学年开学前与各年级签订责任书"),
            Some((Every::Year, None))
        );
        assert_eq!(every("年初制定工作要点"), Some((Every::Year, None)));
        assert_eq!(
            every("法定节假日前对库房进行一次检查"),
            Some((Every::Holiday, Some(1)))
        );
        assert_eq!(
            every("节假日放假前排查一次线路"),
            Some((Every::Holiday, Some(1)))
        );
        let f = frequency("元旦、春节、端午等重要节点前").unwrap();
        assert_eq!(f.every, Every::Holiday);
        assert!(f.doubt.is_some());
        // a closed list of named holidays: once before each, so that many a year
        let f = frequency("春节、中秋节前").unwrap();
        assert_eq!((f.every, f.times), (Every::Year, Some(2)));
        assert!(f.doubt.is_some());
        assert_eq!(every("春节前开展一次慰问"), Some((Every::Year, Some(1))));
        // a holiday named without 前 is no frequency
        assert_eq!(every("春节期间安排值班"), None);
    }

    #[test]
    fn each_multiplies_a_count_over_a_list() {
        assert_eq!(
            every("每年4月、10月各组织一次消防检查"),
            Some((Every::Year, Some(2)))
        );
        assert_eq!(
            every("每学期期中和期末各召开一次家长会"),
            Some((Every::HalfYear, Some(2)))
        );
        // 各 of 各单位 distributes nothing
        assert_eq!(
            every("每月由各单位报送一次情况"),
            Some((Every::Month, Some(1)))
        );
        assert_eq!(each("各科室"), 1);
    }

    #[test]
    fn counts() {
        assert_eq!(count("至少3次"), Some(3));
        assert_eq!(count("开展两次"), Some(2));
        assert_eq!(count("不少于十二篇"), Some(12));
        assert_eq!(count("多次"), None);
        assert_eq!(count("0次"), None);
    }

    #[test]
    fn subjects() {
        let ids = |c: &str| subject_roles(c).iter().map(|t| t.id).collect::<Vec<_>>();
        assert_eq!(ids("教务处对课堂管理负责"), vec!["academic_affairs"]);
        assert_eq!(
            ids("工会、学工部、团委、各院（系）组织的各类报告会"),
            vec!["trade_union", "student_affairs", "youth_league"]
        );
        assert_eq!(
            ids("党委宣传部作为党委主管意识形态工作的综合职能部门"),
            vec!["publicity_department"]
        );
        assert_eq!(ids("加强对网络人员、通讯员培训"), Vec::<&str>::new());
        assert_eq!(
            ids("XX党委、各分场、各科室负责人对本部门网络意识形态工作负主体责任"),
            vec!["department_head"]
        );
        assert_eq!(
            ids("各教研组分工负责各方面具体工作"),
            vec!["teaching_group_head"]
        );
        assert_eq!(
            ids("充分发挥团总支、工会的自我教育、自我管理功能"),
            Vec::<&str>::new()
        );
        assert_eq!(ids("党支部书记为第一责任人"), Vec::<&str>::new());
        let est = |c: &str| {
            established_roles(c)
                .iter()
                .map(|t| t.id)
                .collect::<Vec<_>>()
        };
        assert_eq!(est("设立舆情信息员"), vec!["sentiment_officer"]);
        assert_eq!(
            est("并明确1名分管领导和1名宣传员"),
            vec!["publicity_officer"]
        );
        assert_eq!(est("每名党员"), Vec::<&str>::new());
        assert_eq!(
            est("各部门须指定一名网络安全员"),
            vec!["network_security_officer"]
        );
        assert_eq!(est("学校配备专职安全员一名"), vec!["safety_officer"]);
        assert_eq!(ids("专职安全员负责日常巡查"), vec!["safety_officer"]);
        assert_eq!(ids("各处室主任对本处室安全负责"), vec!["department_head"]);
        assert_eq!(ids("信息中心对网络运行负责"), vec!["information_centre"]);
        assert_eq!(ids("镇纪委要加强监督检查"), vec!["discipline_committee"]);
        assert_eq!(ids("派驻纪检监察组履行监督责任"), vec!["discipline_group"]);
        // a longer name is an object's, not the term's
        assert_eq!(ids("加强全县各级纪委"), Vec::<&str>::new());
    }

    #[test]
    fn report_lines() {
        assert_eq!(
            report_target("学校党支部每半年向区教体局党组以书面形式汇报1次意识形态工作"),
            Some(Target::Parent("区教体局党组".into()))
        );
        assert_eq!(
            report_target("各基层党支部每半年向市社党委专题汇报一次意识形态工作"),
            Some(Target::Parent("市社党委".into()))
        );
        assert_eq!(
            report_target("并及时向上级党委汇报"),
            Some(Target::Parent("上级党委".into()))
        );
        assert_eq!(
            report_target("督查结果向场党委报告"),
            Some(Target::Named("场党委".into()))
        );
        assert_eq!(report_target("及时汇报"), None);
    }

    #[test]
    fn filings() {
        assert_eq!(
            filing_target("并报区教育局党组备案"),
            Some(Target::Parent("区教育局党组".into()))
        );
        assert_eq!(
            filing_target("并将问责情况报党委组织部备案"),
            Some(Target::Named("党委组织部".into()))
        );
        assert_eq!(
            filing_target("对领导班子、领导干部问责情况，及时报上级部门备案"),
            Some(Target::Parent("上级部门".into()))
        );
        assert_eq!(filing_target("建立备案和可追溯制度"), None);
    }

    #[test]
    fn measures_mildest_first() {
        assert_eq!(
            measures("问责可视情节轻重，综合运用纪律处分、组织处理、诫勉谈话等措施"),
            vec!["诫勉谈话", "组织处理", "纪律处分"]
        );
        assert_eq!(
            measures("给予提醒、批评教育，责令作出书面检查、通报批评，组织处理，纪律处分"),
            vec![
                "提醒",
                "批评教育",
                "责令作出书面检查",
                "通报批评",
                "组织处理",
                "纪律处分"
            ]
        );
        assert_eq!(measures("进行问责和约谈"), vec!["约谈"]);
        assert_eq!(
            measures("给予批评教育、通报批评、诫勉谈话或者纪律处分"),
            vec!["批评教育", "通报批评", "诫勉谈话", "纪律处分"]
        );
        assert!(measures("加强学习").is_empty());
    }

    #[test]
    fn bare_measures_only_as_list_items() {
        assert_eq!(
            measures(
                "对问责对象，可以采取检查、通报、诫勉等方式；情节较重的，予以组织调整或者组织处理"
            ),
            vec!["检查", "通报", "诫勉", "组织调整", "组织处理"]
        );
        // 检查 and 通报 as ordinary words are not measures
        assert!(measures("对检查发现的问题追究责任").is_empty());
        assert_eq!(measures("情况通报后给予通报批评"), vec!["通报批评"]);
        assert_eq!(
            measures("给予批评教育、调整工作岗位等处理"),
            vec!["批评教育", "调整工作岗位"]
        );
    }

    #[test]
    fn measures_of_every_wording() {
        assert_eq!(
            measures("根据情节轻重，可给予提醒谈话、批评教育、责令检查、通报批评"),
            vec!["提醒谈话", "批评教育", "责令检查", "通报批评"]
        );
        assert_eq!(measures("造成泄密后果的，依法依纪给予处分"), vec!["处分"]);
        assert_eq!(
            measures("给予警告、严重警告、撤销党内职务、留党察看或者开除党籍处分"),
            vec!["警告", "严重警告", "撤销党内职务", "留党察看", "开除党籍"]
        );
        assert_eq!(measures("视情节给予政务处分"), vec!["政务处分"]);
        // 需要给予党纪政务处分的，移交…: a referral, not one of the measures
        assert!(measures("需要给予党纪政务处分的，移交纪检监察机关").is_empty());
        assert_eq!(
            measures("视情节给予通报批评、责令限期整改、经济处罚"),
            vec!["通报批评", "责令限期整改", "经济处罚"]
        );
        assert_eq!(measures("给予警告、罚款处理"), vec!["罚款", "警告"]);
        // …、降级直至解除劳动合同
        assert_eq!(
            measures("给予警告、降级直至解除劳动合同处理"),
            vec!["警告", "降级", "解除劳动合同"]
        );
        assert_eq!(
            measures("视情节给予待岗、辞退或者解除劳动合同处理"),
            vec!["待岗", "辞退", "解除劳动合同"]
        );
        // 责令整改 of a hazard, not a measure of a list
        assert!(measures("发现隐患的责令整改到位").is_empty());
        // 处分 and 警告 as ordinary words
        assert!(measures("处分决定书存档").is_empty());
        assert!(measures("发出预警信息").is_empty());
    }

    #[test]
    fn measures_in_the_texts_own_words() {
        assert_eq!(
            own_measures("批评教育、通报批评、扣发当月绩效工资、取消年度评先评优资格"),
            vec!["取消年度评先评优资格", "扣发当月绩效工资"]
        );
        assert_eq!(own_measures("扣减年度奖金、通报批评"), vec!["扣减年度奖金"]);
        assert_eq!(
            own_measures("通报批评、取消当年评先评优、调整岗位"),
            vec!["取消当年评先评优"]
        );
        // not items of a list
        assert!(own_measures("考核不合格的，扣发当月绩效工资").is_empty());
    }

    #[test]
    fn disqualification_as_a_listed_measure() {
        assert_eq!(
            disqualification("给予约谈、取消本年度评先评优资格、组织处理"),
            Some("取消本年度评先评优资格")
        );
        // a consequence of being held to account, not one of the measures
        assert_eq!(disqualification("受到问责的人员，取消当年评优资格"), None);
    }

    #[test]
    fn posts_in_charge() {
        assert!(same_post_in_charge("分管副校长", "分管后勤工作的副校长"));
        assert!(!same_post_in_charge("分管副校长", "分管后勤工作的副院长"));
        assert!(!same_post_in_charge("校长", "分管后勤工作的副校长"));
    }

    #[test]
    fn circumstance_headers_in_their_many_wordings() {
        for h in [
            "有下列情形之一的，应当依据《中国共产党问责条例》予以问责",
            "领导干部有下列行为之一的，应当追究责任：",
            "发生下列情况之一的，对相关责任人予以处理：",
            "凡有下列情形之一的，给予相应处理：",
            "出现以下情况之一的，追究相关人员责任：",
            "具有下列情节之一的，从重处理",
            "存在下列问题之一的，实行一票否决：",
            "有如下行为的，视情节给予处分：",
        ] {
            assert!(circumstance_header(h), "{h}");
        }
        // a list of what to report, or of what the rules cover, is no list of circumstances
        assert!(!circumstance_header("发生下列情况之一的，应当立即报告："));
        assert!(!circumstance_header("本办法适用于以下单位："));
    }

    #[test]
    fn headings_of_circumstances() {
        assert!(circumstance_heading("（二）问责情形"));
        assert!(circumstance_heading("第十二条 追究责任的情形包括："));
        assert!(!circumstance_heading("（二）工作情况"));
        assert!(!circumstance_heading(
            "对发现的问题，区分情况，依规追究相关人员的责任，并通报全局。"
        ));
    }

    #[test]
    fn items_numbered_inside_a_line() {
        assert_eq!(
            inline_items(
                "追究责任采取以下方式：（一）责令作出书面检查；（二）通报批评；（三）诫勉谈话。"
            ),
            vec!["责令作出书面检查", "通报批评", "诫勉谈话"]
        );
        assert_eq!(
            inline_items("有下列情形之一的：①不报告的；②瞒报的。"),
            vec!["不报告的", "瞒报的"]
        );
        // one parenthesis is an aside, not a list
        assert!(inline_items("各院（系）负责").is_empty());
        assert!(inline_items("（一）只有一项").is_empty());
        assert_eq!(
            inline_items("有下列情形之一的，予以问责：一是不作为的；二是乱作为的。"),
            vec!["不作为的", "乱作为的"]
        );
    }

    #[test]
    fn book_titles() {
        assert_eq!(
            titles("依据《中国共产党问责条例》和《实施办法》等"),
            vec!["《中国共产党问责条例》", "《实施办法》"]
        );
    }

    #[test]
    fn each_department_is_answered_for_by_its_head() {
        assert!(each_department("各科室"));
        assert!(each_department("各科室（部）"));
        assert!(each_department("各部门"));
        assert!(!each_department("科室"));
        assert!(!each_department("各分场"));
        // a bare 科室 is no department of its own
        assert_eq!(department_like("科室"), None);
        assert_eq!(department_like("场部财务科对各分场"), None);
    }

    #[test]
    fn officers_and_departments_of_many_kinds_have_ids() {
        let id = |s: &str| ROLE_TERMS.iter().find(|t| s.contains(t.term)).map(|t| t.id);
        assert_eq!(id("系统管理员"), Some("system_admin"));
        assert_eq!(id("信息化管理员"), Some("it_admin"));
        assert_eq!(id("保密员"), Some("secrecy_officer"));
        assert_eq!(id("网络安全联络员"), Some("security_liaison"));
        assert_eq!(id("网络安全管理员"), Some("network_security_officer"));
        assert_eq!(id("场部财务科"), Some("finance_department"));
        assert_eq!(id("总务科"), Some("general_affairs"));
        assert_eq!(id("全体职工"), Some("staff"));
        assert_eq!(id("保卫人员"), Some("security_guard"));
    }

    #[test]
    fn departments_outside_the_lexicon() {
        assert_eq!(department_like("总务处"), Some("总务处"));
        assert_eq!(department_like("各保卫科"), Some("保卫科"));
        assert_eq!(department_like("党支部"), None);
        assert_eq!(department_like("中心"), None);
        assert_eq!(department_like("办公室"), Some("办公室"));
        assert_eq!(department_like("信息科"), Some("信息科"));
        assert_eq!(department_like("意识形态工作"), None);
        assert_eq!(department_like("加强学校各处室的管理工作的办"), None);
    }

    #[test]
    fn persons() {
        assert!(is_person("党委书记"));
        assert!(is_person("校长"));
        for post in [
            "馆长",
            "副馆长",
            "院长",
            "所长",
            "站长",
            "局长",
            "主任",
            "经理",
            "厂长",
            "场长",
            "队长",
            "科长",
            "行长",
            "董事长",
            "总监",
        ] {
            assert!(is_person(post), "{post}");
        }
        assert!(same_post_in_charge("分管副馆长", "分管保密工作的副馆长"));
        assert!(!is_person("党支部"));
    }

    #[test]
    fn a_responsibility_list_names_who_answers() {
        assert_eq!(
            named_answerer(
                "2. 每年至少讲授一次廉政党课。（责任人：党总支书记；完成时限：5月底前）"
            ),
            Some("党总支书记")
        );
        assert_eq!(
            named_answerer("3　每周一上午组织集中学习。　责任人：综合科科长　完成时限：全年"),
            Some("综合科科长")
        );
        assert_eq!(
            named_answerer("（责任主体：院党委；责任人：副院长、副书记）"),
            Some("副院长、副书记")
        );
        // the definition of a role, not a list's field
        assert_eq!(named_answerer("第一责任人：站长，对全站工作负总责。"), None);
        assert_eq!(named_answerer("站长是第一责任人。"), None);
    }

    #[test]
    fn periods_said_by_season_term_or_month() {
        assert_eq!(
            every("汛期前组织开展一次防汛检查"),
            Some((Every::Year, Some(1)))
        );
        assert_eq!(
            every("寒暑假前开展一次安全教育"),
            Some((Every::HalfYear, Some(1)))
        );
        // before and after, twice
        assert_eq!(
            every("每学期开学前后各开展一次检查"),
            Some((Every::HalfYear, Some(2)))
        );
        assert_eq!(
            every("年中和年底各向党委报告一次工作"),
            Some((Every::HalfYear, Some(1)))
        );
        // the months that end the halves of the year, the quarters; not other months
        assert_eq!(
            every("每年6月底前和12月底前各清点一次"),
            Some((Every::HalfYear, Some(1)))
        );
        assert_eq!(
            every("每年3月、6月、9月、12月各通报一次"),
            Some((Every::Quarter, Some(1)))
        );
        assert_eq!(
            every("每年4月、10月各开展一次"),
            Some((Every::Year, Some(2)))
        );
    }

    #[test]
    fn deadlines_of_two_dates_and_the_terms_start() {
        assert_eq!(
            every("每年6月底、12月底向县安委会报告一次"),
            Some((Every::HalfYear, Some(1)))
        );
        assert_eq!(
            every("开学前对电梯开展一次专项检查"),
            Some((Every::HalfYear, Some(1)))
        );
        assert_eq!(
            every("主汛期结束后15日内形成年度总结"),
            Some((Every::Year, None))
        );
        // one date is once a year
        assert_eq!(every("每年12月底前报送一次"), Some((Every::Year, Some(1))));
    }

    #[test]
    fn who_is_appointed_to_which_post() {
        assert_eq!(
            appointed("镇党委书记任镇总河长"),
            Some(("镇党委书记", "镇总河长"))
        );
        assert_eq!(
            appointed("其他班子成员分别担任辖区内河道的镇级河长"),
            Some(("其他班子成员", "镇级河长"))
        );
        // a seat on a group, and words with 任 in them, are not appointments
        assert_eq!(appointed("由所长任组长"), None);
        assert_eq!(appointed("办公室主任负责日常工作"), None);
        assert_eq!(appointed("落实主体责任"), None);
        assert!(unit_prefixed("街道总河长", "总河长"));
        assert!(!unit_prefixed("分管副校长", "副校长"));
    }

    #[test]
    fn a_lines_fields_are_not_its_text() {
        let line = "每年讲授一次廉政党课。（责任主体：党总支；责任人：党总支书记）";
        assert_eq!(
            &line[..fields_start(line).unwrap()],
            "每年讲授一次廉政党课。"
        );
        let line = "每月巡查一次。　责任人：综合科科长　完成时限：每月";
        assert_eq!(line[..fields_start(line).unwrap()].trim(), "每月巡查一次。");
        assert_eq!(fields_start("站长是第一责任人，每季度听取一次汇报。"), None);
    }

    #[test]
    fn items_numbered_one_is_two_is_on_their_own_lines() {
        assert_eq!(
            shi_item("二是瞒报、谎报事故的；"),
            Some("瞒报、谎报事故的；")
        );
        assert_eq!(shi_item("十是其他失职行为的。"), Some("其他失职行为的。"));
        assert_eq!(shi_item("是否按期整改"), None);
        assert_eq!(shi_item("三项制度"), None);
    }

    #[test]
    fn a_count_over_the_whole_year() {
        assert_eq!(
            every("全年开展专题调研不少于3次"),
            Some((Every::Year, Some(3)))
        );
        assert_eq!(every("制定全年工作要点"), None);
    }

    #[test]
    fn posts_in_charge_of_different_areas_differ() {
        assert!(!same_post_in_charge(
            "分管财务工作的副站长",
            "分管安全工作的副站长"
        ));
        assert!(same_post_in_charge("分管副站长", "分管安全工作的副站长"));
        assert!(same_post_in_charge(
            "分管安全工作的副站长",
            "分管安全工作的副站长"
        ));
    }

    #[test]
    fn departments_by_their_endings_and_notes() {
        assert_eq!(department_like("综合科（人事股）"), Some("综合科"));
        assert_eq!(department_like("财务股"), Some("财务股"));
        assert_eq!(department_like("各股室"), None);
        assert_eq!(department_like("质量控制部门"), Some("质量控制部门"));
        assert_eq!(department_like("有关部门"), None);
        // the end of a subject is a verb, not a character of another word
        let subject = |c: &str| c[..subject_end(c)].to_owned();
        assert_eq!(
            subject("县应急管理局对全县安全生产负监管责任"),
            "县应急管理局"
        );
        assert_eq!(subject("各单位主要负责人要亲自部署"), "各单位主要负责人");
        assert_eq!(subject("办公室对照清单每月检查"), "办公室对照清单每月检查");
        assert_eq!(collective("各村党组织书记"), None);
        assert_eq!(collective("镇党委"), Some("党委"));
        assert_eq!(collective("局党组对全局工作负主体责任"), Some("党组"));
        assert_eq!(department_like("相关职能部门"), None);
    }
}

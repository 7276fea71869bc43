//! Lines, sentences and clauses of a text, and the numbering that heads its items.

/// One line of the source text, numbered from the text's first line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line<'a> {
    pub no: u32,
    pub text: &'a str,
}

/// The text's lines numbered from `first` (1 for a whole file). Lines are trimmed; empty ones are kept
/// so that numbers match an editor's.
pub fn lines(text: &str, first: u32) -> Vec<Line<'_>> {
    text.lines()
        .enumerate()
        .map(|(i, l)| Line {
            no: first + i as u32,
            text: l.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}' || c == '?'),
        })
        .collect()
}

/// The cells of a table row pasted from Word or Excel: split at tabs or at runs of two or more
/// spaces (ASCII or full-width); one cell for a line of prose.
fn cells(line: &str) -> Vec<&str> {
    let line = line.trim_matches(|c: char| c == '\r' || c == '\u{feff}');
    if line.contains('\t') {
        return line.split('\t').map(str::trim).collect();
    }
    let mut out = Vec::new();
    let mut start = 0;
    let mut gap_from: Option<usize> = None;
    let mut gap_chars = 0;
    for (i, c) in line.char_indices() {
        if c == ' ' || c == '\u{3000}' {
            if gap_from.is_none() {
                gap_from = Some(i);
                gap_chars = 0;
            }
            gap_chars += if c == '\u{3000}' { 2 } else { 1 };
        } else if let Some(g) = gap_from.take() {
            if gap_chars >= 2 {
                out.push(line[start..g].trim());
                start = i;
            }
        }
    }
    out.push(line[start..].trim());
    out
}

/// Columns of a 责任清单 table by their header: the task, who answers and the deadline.
struct Columns {
    task: usize,
    owner: usize,
    deadline: Option<usize>,
}

fn header(cells: &[&str]) -> Option<Columns> {
    let find = |names: &[&str]| cells.iter().position(|c| names.contains(c));
    let task = find(&[
        "工作任务",
        "工作内容",
        "任务内容",
        "重点任务",
        "工作事项",
        "具体内容",
        "主要任务",
        "任务",
        "内容",
        "责任内容",
        "具体任务",
        "责任事项",
        "工作要求",
        "主要内容",
    ])?;
    let owner = find(&["责任人", "责任领导"])
        .or_else(|| {
            find(&[
                "责任单位",
                "牵头单位",
                "责任部门",
                "责任科室",
                "责任股室",
                "责任处室",
                "主责部门",
                "牵头部门",
            ])
        })
        .or_else(|| find(&["责任主体"]))?;
    let deadline = find(&["完成时限", "完成时间", "时间要求", "时限", "完成期限"]);
    Some(Columns {
        task,
        owner,
        deadline,
    })
}

/// A text whose 责任清单 lines read as the list items the reader knows: tables pasted as rows of
/// cells (序号⇥工作任务⇥责任人⇥完成时限) become `1. 任务。（责任人：X；完成时限：Y）`, and in those and
/// in items written with their fields, the deadline's frequency is put before a task that states
/// none (每月 ⇥ 对网站开展一次巡查 → 每月对网站开展一次巡查). Line numbers do not change; prose is
/// left as it is.
pub fn list_items(text: &str) -> std::borrow::Cow<'_, str> {
    let fields = text.contains("完成时限") || text.contains("完成时间");
    if !fields && !text.contains('\t') && !text.contains("  ") && !text.contains('\u{3000}') {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 64);
    let mut cols: Option<Columns> = None;
    let mut changed = false;
    for (k, line) in text.split('\n').enumerate() {
        if k > 0 {
            out.push('\n');
        }
        let cs = cells(line);
        if cs.len() >= 3 {
            if let Some(h) = header(&cs) {
                cols = Some(h);
                out.push_str(line);
                continue;
            }
        }
        match &cols {
            Some(c) if cs.len() > c.task.max(c.owner) => {
                let task = cs[c.task].trim_end_matches(['。', '；', ';']);
                let owner = cs[c.owner];
                let deadline = c.deadline.and_then(|k| cs.get(k).copied()).unwrap_or("");
                let seq = cs
                    .first()
                    .filter(|s| !s.is_empty() && s.chars().all(|ch| ch.is_ascii_digit()))
                    .copied();
                let untimed = crate::rules::frequency(task).is_none();
                let due_first = untimed && crate::rules::frequency(deadline).is_some();
                // 为全院职工讲1次廉政党课 ⇥ 年内: a count within the year is a yearly duty
                let within_year = untimed
                    && !due_first
                    && ["年内", "全年", "年度内", "本年度", "当年"].contains(&deadline)
                    && crate::rules::count(task).is_some();
                if let Some(n) = seq {
                    out.push_str(n);
                    out.push_str(". ");
                }
                if due_first {
                    out.push_str(deadline);
                } else if within_year {
                    out.push_str("每年");
                }
                out.push_str(task);
                out.push_str("。（责任人：");
                out.push_str(owner);
                if !deadline.is_empty() {
                    out.push_str("；完成时限：");
                    out.push_str(deadline);
                }
                out.push('）');
                changed = true;
            }
            // (a heading between parts of one table keeps its columns)
            _ => match deadline_first(line) {
                Some(l) => {
                    out.push_str(&l);
                    changed = true;
                }
                None => out.push_str(line),
            },
        }
    }
    if changed {
        std::borrow::Cow::Owned(out)
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// 4.组织从业人员晨检。（责任人：食堂经理；完成时限：每周） — a list item whose only frequency is
/// in its deadline field: the line with the deadline put before the task (4.每周组织从业人员晨检。
/// （…）), as the table rows are; None for any other line.
fn deadline_first(line: &str) -> Option<String> {
    let at = crate::rules::fields_start(line)?;
    let fields = &line[at..];
    let cue = ["完成时限：", "完成时间：", "完成时限:", "完成时间:"]
        .iter()
        .find_map(|c| fields.find(c).map(|i| i + c.len()))?;
    let rest = &fields[cue..];
    let end = rest
        .find(['；', ';', '）', ')', '　', ' ', '，', ','])
        .unwrap_or(rest.len());
    let deadline = rest[..end].trim();
    let head = &line[..at];
    let body = enumerator(head).map_or(head, |(_, r)| r);
    let numbering = &head[..head.len() - body.len()];
    if crate::rules::frequency(body).is_some() {
        return None;
    }
    let lead = if crate::rules::frequency(deadline).is_some() {
        deadline
    } else if ["年内", "全年", "年度内", "本年度", "当年"].contains(&deadline)
        && crate::rules::count(body).is_some()
    {
        "每年"
    } else {
        return None;
    };
    Some(format!("{numbering}{lead}{body}{fields}"))
}

/// Where a name ends, reading back from `before`'s end: after the last delimiter or verb.
fn name_start(before: &str, delims: &[char]) -> usize {
    before.rfind(delims).map_or(0, |k| {
        k + before[k..].chars().next().map_or(1, char::len_utf8)
    })
}

/// The names a text shortens or points elsewhere: 医院感染管理科（以下简称感控科） makes 感控科 that
/// department; 领导小组办公室设在德育处 makes the office 德育处. Each short name is written out as the
/// full one everywhere but where it is defined (line numbers do not change).
pub fn aliases(text: &str) -> (std::borrow::Cow<'_, str>, Vec<(String, String)>) {
    const DELIMS: &[char] = &['，', '。', '；', '：', '、', ' ', '\u{3000}'];
    let mut pairs: Vec<(String, String, usize)> = Vec::new(); // (short, full, line)
    for (no, line) in text.lines().enumerate() {
        for cue in ["（以下简称", "(以下简称", "（简称", "(简称"] {
            let mut from = 0;
            while let Some(i) = line[from..].find(cue) {
                let at = from + i;
                let rest = &line[at + cue.len()..];
                let Some(end) = rest.find(['）', ')']) else {
                    break;
                };
                let short = rest[..end].trim_matches(['“', '”', '"', '‘', '’', ' ']);
                let before = &line[..at];
                let name = &before[name_start(before, DELIMS)..];
                let name = enumerator(name).map_or(name, |(_, r)| r).trim();
                // 成立…领导小组（以下简称…） / 由…（简称…）: the name after the verb
                let full = ["成立", "设立", "设置", "组建", "由"]
                    .iter()
                    .find_map(|v| name.strip_prefix(v))
                    .unwrap_or(name)
                    .trim();
                let (s, f) = (short.chars().count(), full.chars().count());
                // (a short name the reader knows as a department stays when the full one reads as
                // none: 局保密工作领导小组办公室（以下简称局保密办）)
                let dept = crate::rules::department_like;
                let weaker = dept(short).is_some() && dept(full).is_none();
                if (2..=12).contains(&s)
                    && (2..=24).contains(&f)
                    && !full.contains(short)
                    && !weaker
                {
                    pairs.push((short.to_owned(), full.to_owned(), no));
                }
                from = at + cue.len() + end;
            }
        }
        // 领导小组办公室设在德育处 / 办公室设在党政办公室
        if let Some(i) = line.find("办公室设在") {
            let before = &line[..i + "办公室".len()];
            let name = &before[name_start(before, DELIMS)..];
            let short = enumerator(name).map_or(name, |(_, r)| r).trim();
            let after = &line[i + "办公室设在".len()..];
            let end = after
                .find(['，', '。', '；', ',', '（', '('])
                .unwrap_or(after.len());
            let full = after[..end].trim();
            if crate::rules::department_like(full) == Some(full)
                && (4..=16).contains(&short.chars().count())
                && !full.contains(short)
            {
                pairs.push((short.to_owned(), full.to_owned(), no));
            }
        }
    }
    if pairs.is_empty() {
        return (std::borrow::Cow::Borrowed(text), Vec::new());
    }
    let mut out = String::with_capacity(text.len() + 256);
    for (no, line) in text.split('\n').enumerate() {
        if no > 0 {
            out.push('\n');
        }
        let mut l = line.to_owned();
        for (short, full, at) in &pairs {
            if no == *at {
                continue;
            }
            // (the full name itself, or a longer one holding the short, is left as it is)
            l = l
                .split(full.as_str())
                .map(|piece| piece.replace(short.as_str(), full))
                .collect::<Vec<_>>()
                .join(full);
        }
        out.push_str(&l);
    }
    let names = pairs.into_iter().map(|(s, f, _)| (s, f)).collect();
    (std::borrow::Cow::Owned(out), names)
}

/// Sentences of a line: split after 。；;！？!?, terminators dropped, empty ones skipped.
pub fn sentences(line: &str) -> Vec<&str> {
    line.split(['。', '；', ';', '！', '？', '!'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// Clauses of a sentence: split at ，, and ：: (never at 、, which joins list items).
pub fn clauses(sentence: &str) -> Vec<&str> {
    sentence
        .split(['，', ',', '：', ':'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

const CN_DIGITS: &str = "〇零一二两三四五六七八九十";

/// The value of a Chinese or Arabic numeral up to 99 (一, 十二, 二十, 3, 12).
pub fn numeral(s: &str) -> Option<u32> {
    if !s.is_empty() && s.len() <= 3 && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse().ok();
    }
    let digit = |c: char| -> Option<u32> {
        match c {
            '〇' | '零' => Some(0),
            '一' => Some(1),
            '二' | '两' => Some(2),
            '三' => Some(3),
            '四' => Some(4),
            '五' => Some(5),
            '六' => Some(6),
            '七' => Some(7),
            '八' => Some(8),
            '九' => Some(9),
            _ => None,
        }
    };
    let cs: Vec<char> = s.chars().collect();
    match cs.as_slice() {
        [a] if *a == '十' => Some(10),
        [a] => digit(*a),
        ['十', b] => Some(10 + digit(*b)?),
        [a, '十'] => Some(digit(*a)? * 10),
        [a, '十', b] => Some(digit(*a)? * 10 + digit(*b)?),
        _ => None,
    }
}

/// How an item of a list is numbered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enumerator {
    /// 一、 (a section heading)
    Section(u32),
    /// （一） or (一)
    Paren(u32),
    /// 1、 1. 1． or a bare 1 before text
    Arabic(u32),
    /// 第一条
    Article(u32),
    /// ① ② … ⑳ (a circled number)
    Circled(u32),
}

/// The value of a circled number ① … ⑳.
fn circled(c: char) -> Option<u32> {
    let n = u32::from(c).checked_sub(0x2460)?;
    (n < 20).then_some(n + 1)
}

/// The numbering at the head of a line, if any, and the text after it.
pub fn enumerator(line: &str) -> Option<(Enumerator, &str)> {
    let s = line.trim_start_matches(['?', ' ', '\u{3000}']);
    // 第N条
    if let Some(rest) = s.strip_prefix('第') {
        if let Some(end) = rest.find('条') {
            if let Some(n) = numeral(&rest[..end]) {
                let after = rest[end + '条'.len_utf8()..].trim_start_matches([' ', '\u{3000}']);
                return Some((Enumerator::Article(n), after));
            }
        }
    }
    // （一） (一) （1） (1)
    for (open, close) in [('（', '）'), ('(', ')'), ('（', ')'), ('(', '）')] {
        if let Some(rest) = s.strip_prefix(open) {
            if let Some(end) = rest.find(close) {
                if let Some(n) = numeral(&rest[..end]) {
                    return Some((
                        Enumerator::Paren(n),
                        rest[end + close.len_utf8()..].trim_start(),
                    ));
                }
            }
        }
    }
    // ① ②
    if let Some(c) = s.chars().next() {
        if let Some(n) = circled(c) {
            return Some((Enumerator::Circled(n), s[c.len_utf8()..].trim_start()));
        }
    }
    // 1、 1. 1． 1） 一、
    let head: String = s
        .chars()
        .take_while(|c| c.is_ascii_digit() || CN_DIGITS.contains(*c))
        .collect();
    if head.is_empty() {
        return None;
    }
    let rest = &s[head.len()..];
    let n = numeral(&head)?;
    let arabic = head.bytes().all(|b| b.is_ascii_digit());
    for sep in ['、', '.', '．', ' ', '）', ')'] {
        if let Some(after) = rest.strip_prefix(sep) {
            let after = after.trim_start();
            // "1.5倍" is a number, not a heading
            if sep == '.' && after.starts_with(|c: char| c.is_ascii_digit()) {
                return None;
            }
            return Some((
                if arabic {
                    Enumerator::Arabic(n)
                } else {
                    Enumerator::Section(n)
                },
                after,
            ));
        }
    }
    // "4每月开展" — a bare Arabic number run into the text
    if arabic
        && !rest.is_empty()
        && !rest.starts_with(|c: char| c.is_ascii() || "年月日次个名%％".contains(c))
    {
        return Some((Enumerator::Arabic(n), rest));
    }
    None
}

/// The text after any numbering at its head.
pub fn body(line: &str) -> &str {
    enumerator(line).map_or(line, |(_, rest)| rest)
}

/// Whether a line ends a sentence (so the next line does not continue it).
pub fn ends_sentence(line: &str) -> bool {
    line.trim_end().ends_with([
        '。', '；', ';', '！', '？', '!', '?', '：', ':', '”', '"', '）', ')',
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_numbered_from_the_first() {
        let l = lines("甲\n\n 乙 \n", 61);
        assert_eq!(l.len(), 3);
        assert_eq!((l[0].no, l[0].text), (61, "甲"));
        assert_eq!((l[1].no, l[1].text), (62, ""));
        assert_eq!((l[2].no, l[2].text), (63, "乙"));
    }

    #[test]
    fn sentences_and_clauses() {
        assert_eq!(sentences("甲。乙；丙；"), vec!["甲", "乙", "丙"]);
        assert_eq!(clauses("甲，乙、丙：丁"), vec!["甲", "乙、丙", "丁"]);
    }

    #[test]
    fn numerals() {
        assert_eq!(numeral("一"), Some(1));
        assert_eq!(numeral("十"), Some(10));
        assert_eq!(numeral("十二"), Some(12));
        assert_eq!(numeral("二十"), Some(20));
        assert_eq!(numeral("二十六"), Some(26));
        assert_eq!(numeral("两"), Some(2));
        assert_eq!(numeral("12"), Some(12));
        assert_eq!(numeral("甲"), None);
        assert_eq!(numeral(""), None);
    }

    #[test]
    fn enumerators() {
        assert_eq!(
            enumerator("（一）对党中央"),
            Some((Enumerator::Paren(1), "对党中央"))
        );
        assert_eq!(
            enumerator("(三)管辖范围内"),
            Some((Enumerator::Paren(3), "管辖范围内"))
        );
        assert_eq!(
            enumerator("1、对党中央"),
            Some((Enumerator::Arabic(1), "对党中央"))
        );
        assert_eq!(
            enumerator("2.校长是"),
            Some((Enumerator::Arabic(2), "校长是"))
        );
        assert_eq!(
            enumerator("4每月开展"),
            Some((Enumerator::Arabic(4), "每月开展"))
        );
        assert_eq!(
            enumerator("三、责任追究"),
            Some((Enumerator::Section(3), "责任追究"))
        );
        assert_eq!(
            enumerator("第二十二条 校区"),
            Some((Enumerator::Article(22), "校区"))
        );
        assert_eq!(
            enumerator("?（一）建设"),
            Some((Enumerator::Paren(1), "建设"))
        );
        assert_eq!(
            enumerator("①不履行职责的；"),
            Some((Enumerator::Circled(1), "不履行职责的；"))
        );
        assert_eq!(
            enumerator("⑩擅自销毁的"),
            Some((Enumerator::Circled(10), "擅自销毁的"))
        );
        // 1） 2）: the closing parenthesis is the separator, not part of the text
        assert_eq!(
            enumerator("1）信息中心每月开展一次检查"),
            Some((Enumerator::Arabic(1), "信息中心每月开展一次检查"))
        );
        assert_eq!(
            enumerator("3)每半年测试"),
            Some((Enumerator::Arabic(3), "每半年测试"))
        );
        assert_eq!(enumerator("2024年"), None);
        assert_eq!(enumerator("1.5倍"), None);
        assert_eq!(enumerator("意识形态"), None);
        assert_eq!(body("（二）在处置"), "在处置");
        assert_eq!(body("在处置"), "在处置");
    }

    #[test]
    fn sentence_ends() {
        assert!(ends_sentence("造成严重后果的；"));
        assert!(!ends_sentence("攻击中国特"));
    }

    #[test]
    fn a_pasted_table_becomes_list_items_line_for_line() {
        let text = "××站安全责任清单\n\
                    序号\t工作任务\t责任人\t完成时限\n\
                    1\t每季度召开一次安全例会\t站长\t每季度末\n\
                    2\t对消防器材开展一次检查\t安全员\t每月\n\
                    说明：本清单每年修订。";
        let t = list_items(text);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 5);
        assert_eq!(lines[0], "××站安全责任清单");
        assert_eq!(
            lines[2],
            "1. 每季度召开一次安全例会。（责任人：站长；完成时限：每季度末）"
        );
        // the deadline column's frequency before a task that states none
        assert_eq!(
            lines[3],
            "2. 每月对消防器材开展一次检查。（责任人：安全员；完成时限：每月）"
        );
        assert_eq!(lines[4], "说明：本清单每年修订。");
        // columns set apart by spaces, as a table copied from a PDF
        let text =
            "工作内容    责任部门    完成时间\n每半年组织一次应急演练    保卫科    6月、12月";
        assert_eq!(
            list_items(text).lines().nth(1),
            Some("每半年组织一次应急演练。（责任人：保卫科；完成时限：6月、12月）")
        );
        // prose is left alone
        let prose = "校长是第一责任人。\n每月检查一次。";
        assert!(matches!(list_items(prose), std::borrow::Cow::Borrowed(_)));
    }
}

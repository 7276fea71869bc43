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
}

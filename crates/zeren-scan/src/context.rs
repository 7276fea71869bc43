//! Context words near a candidate (or in its table column header) raise or lower confidence. The nearest
//! label before a value decides, because in a roster the header row names several columns at once.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

pub(crate) const ID: u8 = 1;
pub(crate) const MOBILE: u8 = 2;
pub(crate) const CARD: u8 = 4;
pub(crate) const PASSPORT: u8 = 8;
/// A label saying the number is something else: an order, exam, student or serial number.
pub(crate) const OTHER: u8 = 16;
pub(crate) const EXAM: u8 = 32;

const WORDS: &[(&str, u8)] = &[
    ("身份证", ID),
    ("身份证号", ID),
    ("身份证号码", ID),
    ("身份号码", ID),
    ("公民身份", ID),
    ("证件号", ID | PASSPORT),
    ("证件号码", ID | PASSPORT),
    ("证件", ID | PASSPORT),
    ("手机", MOBILE),
    ("手机号", MOBILE),
    ("电话", MOBILE),
    ("联系方式", MOBILE),
    ("联系电话", MOBILE),
    ("移动电话", MOBILE),
    ("联系人", MOBILE),
    ("微信", MOBILE),
    ("Tel", MOBILE),
    ("TEL", MOBILE),
    ("tel", MOBILE),
    ("Mobile", MOBILE),
    ("mobile", MOBILE),
    ("Phone", MOBILE),
    ("phone", MOBILE),
    ("银行卡", CARD),
    ("卡号", CARD),
    ("账号", CARD),
    ("帐号", CARD),
    ("账户", CARD),
    ("帐户", CARD),
    ("开户", CARD),
    ("银行", CARD),
    ("工资卡", CARD),
    ("储蓄卡", CARD),
    ("借记卡", CARD),
    ("信用卡", CARD),
    ("收款", CARD),
    ("护照", PASSPORT),
    ("护照号", PASSPORT),
    ("Passport", PASSPORT),
    ("passport", PASSPORT),
    ("PASSPORT", PASSPORT),
    ("订单", OTHER),
    ("订单号", OTHER),
    ("单号", OTHER),
    ("编号", OTHER),
    ("流水号", OTHER),
    ("准考证", OTHER | EXAM),
    ("准考证号", OTHER | EXAM),
    ("考号", OTHER | EXAM),
    ("考生号", OTHER | EXAM),
    ("学号", OTHER),
    ("学籍号", OTHER),
    ("工号", OTHER),
    ("序号", OTHER),
    ("批号", OTHER),
    ("型号", OTHER),
    ("发票", OTHER),
    ("快递", OTHER),
    ("运单", OTHER),
    ("合同号", OTHER),
    ("文号", OTHER),
    ("条码", OTHER),
    ("货号", OTHER),
    ("邮编", OTHER),
    ("代码", OTHER),
    ("QQ", OTHER),
    ("考试", EXAM),
    ("试卷", EXAM),
    ("试题", EXAM),
    ("考生", EXAM),
];

pub(crate) struct ContextWords {
    ac: AhoCorasick,
    /// Code points (below U+10000) that begin a word: a line with none of them has no word, and the
    /// automaton need not run over it. Most roster rows are names and digits.
    first: Vec<u64>,
}

/// The context words of one line (byte range `start..end` of the text), found once and reused for
/// every value on that line: a roster row holds three or four values.
#[derive(Default)]
pub(crate) struct LineWords {
    start: usize,
    end: usize,
    valid: bool,
    words: Vec<(usize, usize, u8)>,
}

impl ContextWords {
    pub(crate) fn new() -> Self {
        // A DFA without a prefilter: the haystacks are windows of a hundred bytes, where a prefilter's
        // start-up costs more than it saves.
        let ac = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(AhoCorasickKind::DFA))
            .prefilter(false)
            .build(WORDS.iter().map(|(w, _)| w))
            .expect("context words form a valid automaton");
        let mut first = vec![0u64; 1024];
        for (w, _) in WORDS {
            let c = w.chars().next().expect("non-empty word") as usize;
            assert!(
                c < 0x80 || (0x800..0x10000).contains(&c),
                "words begin with ASCII or a three-byte character"
            );
            first[c / 64] |= 1 << (c % 64);
        }
        ContextWords { ac, first }
    }

    /// Whether `hay` holds a character that begins a word. Byte-wise: ASCII by table, three-byte
    /// characters decoded in place (the words begin with ASCII letters or Han characters).
    fn may_hold_words(&self, hay: &str) -> bool {
        let b = hay.as_bytes();
        let bit = |c: usize| self.first[c / 64] & (1 << (c % 64)) != 0;
        let mut i = 0;
        while i < b.len() {
            let x = b[i];
            if x < 0x80 {
                if bit(usize::from(x)) {
                    return true;
                }
                i += 1;
            } else if (0xE0..0xF0).contains(&x) && i + 2 < b.len() {
                let c = usize::from(x & 0x0F) << 12
                    | usize::from(b[i + 1] & 0x3F) << 6
                    | usize::from(b[i + 2] & 0x3F);
                if bit(c) {
                    return true;
                }
                i += 3;
            } else {
                i += 1;
            }
        }
        false
    }

    /// The words of line `start..end` of `text`, as (start, end, class) in text offsets.
    pub(crate) fn line<'c>(
        &self,
        cache: &'c mut LineWords,
        text: &str,
        start: usize,
        end: usize,
    ) -> &'c [(usize, usize, u8)] {
        if !(cache.valid && cache.start == start && cache.end == end) {
            cache.words.clear();
            let line = &text[start..end];
            if self.may_hold_words(line) {
                cache.words.extend(self.ac.find_iter(line).map(|m| {
                    (
                        start + m.start(),
                        start + m.end(),
                        WORDS[m.pattern().as_usize()].1,
                    )
                }));
            }
            cache.start = start;
            cache.end = end;
            cache.valid = true;
        }
        &cache.words
    }

    /// The class of the last context word in `hay`, or 0.
    pub(crate) fn last(&self, hay: &str) -> u8 {
        self.ac
            .find_iter(hay)
            .last()
            .map_or(0, |m| WORDS[m.pattern().as_usize()].1)
    }

    /// The class of the first context word in `hay`, or 0.
    pub(crate) fn first(&self, hay: &str) -> u8 {
        self.ac
            .find(hay)
            .map_or(0, |m| WORDS[m.pattern().as_usize()].1)
    }

    /// The union of all classes in `hay`.
    pub(crate) fn any(&self, hay: &str) -> u8 {
        self.ac
            .find_iter(hay)
            .fold(0, |acc, m| acc | WORDS[m.pattern().as_usize()].1)
    }
}

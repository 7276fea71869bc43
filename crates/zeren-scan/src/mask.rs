//! Masking for everything shown to people: a finding's own value gets its kind's mask (`138****5678`);
//! every other run of seven or more digits near it — a neighbour's ID in a roster row, an ID with a typo
//! the detectors rightly refused, a number in a sheet name — is masked here, whatever it is, so no
//! context line, note or location carries a raw identifier.

use std::borrow::Cow;

/// Digits a token needs before it is masked: below this it is a date, an amount or a room number.
const MIN_DIGITS: usize = 7;
/// Digits kept at the start and characters kept at the end of a masked token.
const HEAD: usize = 3;
const TAIL: usize = 2;

#[inline]
pub(crate) fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c)
}

#[inline]
fn is_check(c: char) -> bool {
    matches!(c, 'X' | 'x' | 'Ｘ' | 'ｘ')
}

#[inline]
fn is_sep(c: char) -> bool {
    matches!(c, ' ' | '-' | '\u{a0}' | '\u{3000}' | '－')
}

/// Whether `c` can be part of a digit token (digits, group separators, a check character).
#[inline]
pub(crate) fn is_token_char(c: char) -> bool {
    is_digit(c) || is_sep(c) || is_check(c)
}

/// Masks every token of seven or more digits in `text`: digits grouped by single spaces or hyphens
/// count as one token (`6222 0212 3456 7890 123`), a trailing `X` belongs to it, and dates
/// (`2024-01-31`) are left alone. The first three digits and the last two characters stay visible:
/// `11010519491231002X` becomes `110*************2X`.
///
/// ```
/// assert_eq!(zeren_scan::mask_digits("身份证 11010519491231002X，手机 138 1234 5678"),
///            "身份证 110*************2X，手机 138 **** **78");
/// assert_eq!(zeren_scan::mask_digits("2024-01-31 共 120 人"), "2024-01-31 共 120 人");
/// ```
pub fn mask_digits(text: &str) -> Cow<'_, str> {
    let b = text.as_bytes();
    // Fast path: no seven digits in the whole text.
    if b.iter().filter(|c| c.is_ascii_digit()).count() < MIN_DIGITS
        && !text.contains([
            '\u{ff10}', '\u{ff11}', '\u{ff12}', '\u{ff13}', '\u{ff14}', '\u{ff15}', '\u{ff16}',
            '\u{ff17}', '\u{ff18}', '\u{ff19}',
        ])
    {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut changed = false;
    while let Some(p) = rest.find(is_digit) {
        out.push_str(&rest[..p]);
        let tok = &rest[p..rest.len().min(p + token_len(&rest[p..]))];
        push_token(&mut out, tok, &mut changed);
        rest = &rest[p + tok.len()..];
    }
    out.push_str(rest);
    if changed {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(text)
    }
}

/// Byte length of the digit token at the start of `s` (which starts with a digit).
fn token_len(s: &str) -> usize {
    let mut end = 0;
    let mut it = s.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        if is_digit(c) {
            end = i + c.len_utf8();
            continue;
        }
        if is_check(c) {
            end = i + c.len_utf8();
            break;
        }
        if is_sep(c) && it.peek().is_some_and(|&(_, n)| is_digit(n)) {
            continue;
        }
        break;
    }
    end
}

fn is_date(tok: &str) -> bool {
    let parts: Vec<&str> = tok.split('-').collect();
    parts.len() == 3
        && parts[0].chars().count() == 4
        && (1..=2).contains(&parts[1].chars().count())
        && (1..=2).contains(&parts[2].chars().count())
        && parts.iter().all(|p| p.chars().all(is_digit))
}

fn push_token(out: &mut String, tok: &str, changed: &mut bool) {
    let digits = tok.chars().filter(|&c| is_digit(c)).count();
    if digits < MIN_DIGITS || is_date(tok) {
        out.push_str(tok);
        return;
    }
    *changed = true;
    let total = tok.chars().filter(|&c| !is_sep(c)).count();
    let mut k = 0;
    for c in tok.chars() {
        if is_sep(c) {
            out.push(c);
            continue;
        }
        out.push(if k < HEAD || k >= total - TAIL {
            c
        } else {
            '*'
        });
        k += 1;
    }
}

/// `n` with thousands separators (`1,048,576`): figures of our own (sizes, limits, row numbers) stay
/// readable through [`mask_digits`], which masks runs of seven digits.
pub(crate) fn num(n: impl TryInto<u64>) -> String {
    let s = n.try_into().unwrap_or(u64::MAX).to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Masks digit tokens in a text that is shown as-is (a note, a location, an error message).
pub(crate) fn masked_owned(text: String) -> String {
    match mask_digits(&text) {
        Cow::Borrowed(_) => text,
        Cow::Owned(s) => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_of_our_own() {
        assert_eq!(num(1_073_741_824u64), "1,073,741,824");
        assert_eq!(num(999u32), "999");
        assert_eq!(mask_digits(&num(67_108_864u64)), "67,108,864");
    }

    #[test]
    fn tokens() {
        assert_eq!(mask_digits("无数字"), "无数字");
        assert_eq!(mask_digits("1234567"), "123**67");
        assert_eq!(mask_digits("123456"), "123456");
        assert_eq!(mask_digits("E12345678号"), "E123***78号");
        assert_eq!(
            mask_digits("6222 0212 3456 7890 123"),
            "622* **** **** **** *23"
        );
        assert_eq!(mask_digits("１３８１２３４５６７８"), "１３８******７８");
        assert_eq!(mask_digits("110105-19491231-002X"), "110***-********-**2X");
        assert_eq!(mask_digits("a 12 34 56 b"), "a 12 34 56 b");
        assert_eq!(mask_digits("12  34567890"), "12  345***90");
        assert_eq!(mask_digits("2024-1-31"), "2024-1-31");
    }

    proptest::proptest! {
        #[test]
        fn no_seven_digits_survive(s in "[0-9０-９ \\-X张]{0,60}") {
            let m = mask_digits(&s);
            let mut run = 0;
            let mut longest = 0;
            for c in m.chars() {
                if is_digit(c) { run += 1; longest = longest.max(run); } else { run = 0; }
            }
            // At most three digits in a row survive, unless the token is a date.
            proptest::prop_assert!(longest < MIN_DIGITS, "{} -> {}", s, m);
        }
    }
}

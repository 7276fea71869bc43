//! What a person types to name something — a unit and its kind, an account, an API token — and
//! what is accepted: lengths in characters (a Chinese character counts one) and, for user names,
//! the characters. Each check returns the trimmed value or the rule it broke, so the page, the API
//! and the command line refuse the same input with the same words.

/// A rule a name broke; the UI states each in words (what is expected, not just "wrong").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameRule {
    /// 1–100 characters.
    UnitName,
    /// 1–20 characters.
    UnitKind,
    /// 3–32 letters, digits or . _ -
    Username,
    /// 1–100 characters.
    TokenName,
}

fn bounded(s: &str, min: usize, max: usize, rule: NameRule) -> Result<String, NameRule> {
    let s = s.trim();
    let n = s.chars().count();
    if n < min || n > max || s.chars().any(char::is_control) {
        return Err(rule);
    }
    Ok(s.to_string())
}

pub fn unit_name(s: &str) -> Result<String, NameRule> {
    bounded(s, 1, 100, NameRule::UnitName)
}

pub fn unit_kind(s: &str) -> Result<String, NameRule> {
    bounded(s, 1, 20, NameRule::UnitKind)
}

pub fn token_name(s: &str) -> Result<String, NameRule> {
    bounded(s, 1, 100, NameRule::TokenName)
}

pub fn username(s: &str) -> Result<String, NameRule> {
    let s = s.trim();
    if (3..=32).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
    {
        Ok(s.to_string())
    } else {
        Err(NameRule::Username)
    }
}

/// Two sibling units may not share a name: the name as it is compared (surrounding spaces
/// ignored, full-width and half-width spaces alike, Latin letters without case).
pub fn sibling_key(name: &str) -> String {
    name.trim()
        .chars()
        .map(|c| if c == '\u{3000}' { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// A user name proposed for a person: the letters of their 工号 when it has some, else `p` and
/// the person's number; `taken` says whether a candidate is in use, and a digit is added until
/// one is free.
pub fn proposed_username(
    employee_no: Option<&str>,
    person_id: i64,
    taken: impl Fn(&str) -> bool,
) -> String {
    let base = employee_no
        .map(|n| {
            n.chars()
                .filter(|c| c.is_ascii_alphanumeric() || "._-".contains(*c))
                .collect::<String>()
                .to_lowercase()
        })
        .filter(|n| username(n).is_ok())
        .unwrap_or_else(|| format!("p{person_id:04}"));
    let mut candidate = base.clone();
    let mut n = 2;
    while taken(&candidate) {
        candidate = format!("{base}-{n}");
        n += 1;
    }
    candidate
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_names_and_kinds() {
        assert_eq!(unit_name("  第一中学 ").unwrap(), "第一中学");
        assert_eq!(unit_name(""), Err(NameRule::UnitName));
        assert_eq!(unit_name("   "), Err(NameRule::UnitName));
        assert!(unit_name(&"校".repeat(100)).is_ok());
        assert_eq!(unit_name(&"校".repeat(101)), Err(NameRule::UnitName));
        assert_eq!(unit_name("a\u{0}b"), Err(NameRule::UnitName));
        assert!(unit_kind("学校").is_ok());
        assert_eq!(unit_kind(&"类".repeat(21)), Err(NameRule::UnitKind));
    }

    #[test]
    fn usernames() {
        assert!(username("wang.li_2").is_ok());
        assert_eq!(username("ab"), Err(NameRule::Username));
        assert_eq!(username("王丽"), Err(NameRule::Username));
        assert_eq!(username("wang li"), Err(NameRule::Username));
        assert_eq!(username(&"a".repeat(33)), Err(NameRule::Username));
        assert!(username(&"a".repeat(32)).is_ok());
    }

    #[test]
    fn sibling_names_compare_without_spacing_or_case() {
        assert_eq!(sibling_key(" 第一中学 "), sibling_key("第一中学"));
        assert_eq!(sibling_key("第一\u{3000}中学"), sibling_key("第一 中学"));
        assert_eq!(sibling_key("ABC学校"), sibling_key("abc学校"));
        assert_ne!(sibling_key("第一中学"), sibling_key("第二中学"));
    }

    #[test]
    fn proposed_usernames_are_valid_and_free() {
        assert_eq!(proposed_username(Some("T001"), 7, |_| false), "t001");
        assert_eq!(proposed_username(Some("工号"), 7, |_| false), "p0007");
        assert_eq!(proposed_username(None, 12345, |_| false), "p12345");
        let taken = ["t001", "t001-2"];
        assert_eq!(
            proposed_username(Some("T001"), 7, |c| taken.contains(&c)),
            "t001-3"
        );
        for (no, id) in [(Some("A-1"), 1), (Some("x"), 2), (None, 3)] {
            assert!(username(&proposed_username(no, id, |_| false)).is_ok());
        }
    }
}

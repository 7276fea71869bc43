//! Drafting a policy file from an organisation's own 实施方案 text.
//!
//! The reader is deterministic: it numbers the lines, splits sentences and clauses, and applies
//! rules for frequencies (每周 … 每年, 年底前, 节前, 每学期, 至少N次), owners (第一责任人, 直接责任,
//! 一岗双责, departments and officers), report lines (向…汇报, 报…备案), approvals (须报…审批),
//! accountability circumstances (有下列情形之一的 followed by numbered items) and measures. Every
//! entry cites its source lines (`source = "L91"`, which the policy format accepts everywhere) and
//! carries its confidence and rule in a comment; what it cannot decide is a `# ? L23: …` question,
//! never a guess presented as fact. Pure: no I/O, no clock.

pub mod draft;
pub mod outline;
pub mod render;
pub mod rules;
pub mod text;

pub use draft::{read, Confidence, Draft, Question, Src};
pub use outline::outline;
pub use render::{open_questions, open_questions_at};

/// Drafts `text` (first line numbered `first_line`) as a policy file with the given id, citing
/// `source_text` as where it came from.
pub fn draft_toml(text: &str, first_line: u32, id: &str, source_text: &str) -> (Draft, String) {
    let d = read(text, first_line);
    let toml = render::to_toml(&d, id, source_text);
    (d, toml)
}

/// A policy id for a draft read from `file_name`: its stem when that is a valid id (lower-case
/// ASCII letter first, then letters, digits, `_` and `-`), else `draft`.
pub fn policy_id(file_name: &str) -> String {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    let stem = match base.rsplit_once('.') {
        Some((s, _)) if !s.is_empty() => s,
        _ => base,
    }
    .to_lowercase();
    let ok = stem.starts_with(|c: char| c.is_ascii_lowercase())
        && stem.len() <= 64
        && stem
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if ok {
        stem
    } else {
        "draft".into()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn policy_id_is_the_stem_when_it_is_an_id() {
        assert_eq!(super::policy_id("school-plan.txt"), "school-plan");
        assert_eq!(super::policy_id("dir/Plan_2.PDF"), "plan_2");
        for name in ["实施方案.docx", "2024plan.txt", "a b.txt", ".txt", ""] {
            assert_eq!(super::policy_id(name), "draft", "{name}");
        }
    }
}

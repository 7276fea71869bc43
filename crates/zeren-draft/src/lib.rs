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
pub mod render;
pub mod rules;
pub mod text;

pub use draft::{read, Confidence, Draft, Question, Src};
pub use render::open_questions;

/// Drafts `text` (first line numbered `first_line`) as a policy file with the given id, citing
/// `source_text` as where it came from.
pub fn draft_toml(text: &str, first_line: u32, id: &str, source_text: &str) -> (Draft, String) {
    let d = read(text, first_line);
    let toml = render::to_toml(&d, id, source_text);
    (d, toml)
}

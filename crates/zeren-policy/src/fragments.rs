//! Standard policy fragments (`policies/fragments/*.toml`): what a seed text lacks but every such
//! organisation runs, such as 先审后发 of its website and new-media accounts. A policy includes a
//! fragment by id (`include = ["publication-review"]`) or embeds its text
//! (`[[include]] text = '''…'''`); [`compose`] turns a policy and the fragments chosen at setup into
//! one self-contained text, which is what a unit installs (and the store hashes).

use toml_span::value::ValueInner;

use crate::diag::{Diagnostic, Diagnostics, Expected, Found};
use crate::model::Included;

/// One bundled fragment.
#[derive(Debug, Clone, Copy)]
pub struct Fragment {
    /// The fragment's id, which is also its file name without `.toml`.
    pub id: &'static str,
    pub text: &'static str,
}

impl Fragment {
    pub fn file_name(&self) -> String {
        format!("policies/fragments/{}.toml", self.id)
    }

    /// The fragment's title, description and what it declares. Every bundled fragment is valid
    /// on its own (a test checks it).
    pub fn info(&self) -> Included {
        crate::read::parse_fragment(&self.file_name(), self.text)
            .expect("bundled fragments are valid")
    }
}

macro_rules! fragments {
    ($($id:literal),* $(,)?) => {
        const FRAGMENTS: &[Fragment] = &[$(Fragment { id: $id, text: include_str!(concat!("../../../policies/fragments/", $id, ".toml")) }),*];
        /// The ids of the bundled fragments, for messages.
        pub const IDS: &[&str] = &[$($id),*];
    };
}

fragments!("publication-review");

/// All bundled fragments.
pub fn all() -> &'static [Fragment] {
    FRAGMENTS
}

/// The bundled fragment with this id.
pub fn get(id: &str) -> Option<&'static Fragment> {
    FRAGMENTS.iter().find(|f| f.id == id)
}

/// The bundled fragments that setup can offer for a policy text: those it does not include yet
/// and that it can include without a conflict (a policy with a `publication` workflow of its own
/// is not offered `publication-review`).
pub fn offered_for(file: &str, text: &str) -> Vec<&'static Fragment> {
    let Ok(policy) = crate::parse(file, text) else {
        return Vec::new();
    };
    FRAGMENTS
        .iter()
        .filter(|f| !policy.included.iter().any(|i| i.id.as_str() == f.id))
        .filter(|f| compose(file, text, &[f.id]).is_ok())
        .collect()
}

/// The self-contained text of `text` with the fragments `add` included: every fragment the
/// text includes by id, and each of `add` it does not include yet, is embedded as
/// `[[include]] text = '''…'''` at the end, so the result parses the same with any later build,
/// whatever its bundled fragments say then. The policy's own lines are kept as written (an
/// `include = [...]` line is moved to the end, embedded). The result is validated; a conflict
/// between the policy and a fragment is reported with its location.
pub fn compose(file: &str, text: &str, add: &[&str]) -> Result<String, Diagnostics> {
    let policy = crate::parse(file, text)?;
    let root = toml_span::parse(text).expect("it parsed above");
    let root = root.as_table().expect("the root is a table");
    let mut embedded: Vec<String> = Vec::new();
    let mut out = text.to_owned();
    if let Some((key, value)) = root.iter().find(|(k, _)| k.name == "include") {
        let array_of_tables = text[..key.span.start].trim_end().ends_with("[[");
        if !array_of_tables {
            // `include = [...]`: move every element to the end as an embedded fragment.
            for item in value.as_array().expect("include is an array") {
                match item.as_ref() {
                    ValueInner::String(id) => {
                        embedded.push(get(id).expect("it parsed above").text.to_owned())
                    }
                    ValueInner::Table(t) => embedded.push(
                        t.get("text")
                            .and_then(|v| v.as_str())
                            .expect("it parsed above")
                            .to_owned(),
                    ),
                    _ => unreachable!("it parsed above"),
                }
            }
            let mut end = value.span.end;
            if text[end..].starts_with("\r\n") {
                end += 2;
            } else if text[end..].starts_with('\n') {
                end += 1;
            }
            out.replace_range(key.span.start..end, "");
        }
    }
    for id in add {
        if policy.included.iter().any(|i| i.id.as_str() == *id) {
            continue;
        }
        match get(id) {
            Some(f) => embedded.push(f.text.to_owned()),
            None => {
                return Err(Diagnostics(vec![Diagnostic {
                    file: file.to_owned(),
                    line: 1,
                    column: 1,
                    path: "include".into(),
                    expected: Expected::OneOf(IDS),
                    found: Found::Text((*id).to_owned()),
                }]))
            }
        }
    }
    for fragment in embedded {
        if fragment.contains("'''") {
            return Err(Diagnostics(vec![Diagnostic {
                file: file.to_owned(),
                line: 1,
                column: 1,
                path: "include".into(),
                expected: Expected::Rule {
                    en: "a fragment text without ''' (it is embedded in a literal string)".into(),
                    zh: "不含 ''' 的片段文本（片段以字面字符串嵌入）".into(),
                },
                found: Found::Text("'''".into()),
            }]));
        }
        let title = crate::read::parse_fragment(file, &fragment)
            .map(|f| f.title)
            .unwrap_or_default();
        if !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(&format!(
            "\n# --- 标准片段（非实施方案原文）：{title} ---\n[[include]]\ntext = '''\n{fragment}"
        ));
        if !fragment.ends_with('\n') {
            out.push('\n');
        }
        out.push_str("'''\n");
    }
    crate::parse(file, &out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bundled_fragment_is_valid_on_its_own() {
        for f in all() {
            let info = crate::read::parse_fragment(&f.file_name(), f.text)
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(info.id.as_str(), f.id);
            assert!(!f.text.contains("'''"));
        }
        assert!(get("publication-review").is_some());
        assert!(get("nope").is_none());
    }
}

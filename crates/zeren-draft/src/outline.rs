//! A draft file as it reads now, after a person edited it: its entries with the lines of the
//! source text they cite, their confidence and rule, and the questions left under each. Read from
//! the text itself (not from the reader's [`crate::Draft`]) so that what is shown is what would be
//! installed; tolerant of a file that does not parse yet.

/// One table of the draft (`[duties.x]`, `[[accountability.circumstances]]`, or such a header
/// commented out while it waits for an answer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The header's line in the draft, from 1.
    pub line: usize,
    /// The table's name, without brackets: `duties.month_analysis`.
    pub table: String,
    /// The header is commented out (`# [workflows.x]`): not installed as it stands.
    pub commented: bool,
    /// Its `title` (or `text`, or `role`) as written, unescaped.
    pub title: Option<String>,
    /// Its `source` as written.
    pub source: Option<String>,
    /// The source lines `source` names (`L17` or `L17-L19`), first and last.
    pub lines: Option<(u32, u32)>,
    /// From the `# L17 · 置信度 高 · rule` comment above the header.
    pub confidence: Option<String>,
    pub rule: Option<String>,
    /// The `# ?` questions under it, without the `# ?`.
    pub questions: Vec<String>,
}

/// `L17` or `L17-L19` as (first, last).
pub fn source_lines(s: &str) -> Option<(u32, u32)> {
    let num = |p: &str| -> Option<u32> {
        let n = p.trim().strip_prefix('L')?;
        if n.is_empty() || n.len() > 7 || !n.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        n.parse().ok().filter(|&n| n > 0)
    };
    match s.split_once('-') {
        Some((a, b)) => {
            let (a, b) = (num(a)?, num(b)?);
            (a <= b).then_some((a, b))
        }
        None => num(s).map(|n| (n, n)),
    }
}

/// `[x.y]` or `[[x.y]]` as `x.y`.
fn header(t: &str) -> Option<&str> {
    let inner = t
        .strip_prefix("[[")
        .and_then(|r| r.strip_suffix("]]"))
        .or_else(|| t.strip_prefix('[').and_then(|r| r.strip_suffix(']')))?
        .trim();
    let ok = !inner.is_empty()
        && inner
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    ok.then_some(inner)
}

/// `key = "value"`: the key and the value unescaped when it is one basic string.
fn key_value(t: &str) -> Option<(&str, Option<String>)> {
    let (k, v) = t.split_once('=')?;
    let k = k.trim();
    if k.is_empty() || !k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    let v = v.trim();
    let s = v
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .map(|r| {
            r.replace("\\\"", "\"")
                .replace("\\n", " ")
                .replace("\\\\", "\\")
        });
    Some((k, s))
}

/// `L17 · 置信度 高 · rule`: (confidence, rule).
fn cite_head(body: &str) -> Option<(String, String)> {
    let mut parts = body.split(" · ");
    let src = parts.next()?;
    src.split(", ")
        .try_for_each(|s| source_lines(s).map(|_| ()))?;
    let confidence = parts.next()?.strip_prefix("置信度")?.trim().to_owned();
    let rule = parts.collect::<Vec<_>>().join(" · ");
    Some((confidence, rule))
}

/// The draft's entries in the order they appear.
pub fn outline(toml: &str) -> Vec<Entry> {
    let mut out: Vec<Entry> = Vec::new();
    // A cite comment (and the questions after it) waiting for the header it is about.
    let mut pending: Option<(String, String, Vec<String>)> = None;
    let start =
        |line: usize, table: &str, commented: bool, p: Option<(String, String, Vec<String>)>| {
            let (confidence, rule, questions) = match p {
                Some((c, r, q)) => (Some(c), Some(r), q),
                None => (None, None, Vec::new()),
            };
            Entry {
                line,
                table: table.to_owned(),
                commented,
                title: None,
                source: None,
                lines: None,
                confidence,
                rule,
                questions,
            }
        };
    for (i, raw) in toml.lines().enumerate() {
        let t = raw.trim();
        if t.is_empty() {
            continue;
        }
        if let Some(q) = t.strip_prefix("# ?") {
            let q = q.trim().to_owned();
            match (&mut pending, out.last_mut()) {
                (Some(p), _) => p.2.push(q),
                (None, Some(e)) => e.questions.push(q),
                (None, None) => {}
            }
            continue;
        }
        let (body, commented) = match t.strip_prefix('#') {
            Some(b) => (b.trim(), true),
            None => (t, false),
        };
        if commented {
            if let Some((c, r)) = cite_head(body) {
                pending = Some((c, r, Vec::new()));
                continue;
            }
        }
        if let Some(h) = header(body) {
            out.push(start(i + 1, h, commented, pending.take()));
            continue;
        }
        let Some((k, v)) = key_value(body) else {
            continue;
        };
        match out.last_mut() {
            // a commented key counts only in a commented entry
            Some(e) if e.commented == commented => {
                pending = None;
                match (k, v) {
                    ("source", Some(v)) => {
                        e.lines = source_lines(&v);
                        e.source = Some(v);
                    }
                    ("title" | "text" | "role", Some(v)) if e.title.is_none() => e.title = Some(v),
                    _ => {}
                }
            }
            _ if !commented => pending = None,
            _ => {}
        }
    }
    out
}

/// Where the block of the entry whose header is at `header` (from 1) starts, as an index into
/// `lines`: at the comments right above its header (its cite and questions).
fn block_start(lines: &[&str], header: usize) -> usize {
    let mut i = header - 1;
    while i > 0 {
        let t = lines[i - 1].trim();
        if t.starts_with("# ?")
            || t.strip_prefix('#')
                .is_some_and(|b| cite_head(b.trim()).is_some())
        {
            i -= 1;
        } else {
            break;
        }
    }
    i
}

/// The draft with the entry whose header is at `line` (from 1) accepted as drafted: its `# ?`
/// questions gone, and, when it was commented out to wait for an answer, its header and keys
/// uncommented; `None` when no entry starts there. The check still reads the result: accepting an
/// entry the policy cannot hold is refused there, not here.
pub fn accepted(toml: &str, line: usize) -> Option<String> {
    let entries = outline(toml);
    let at = entries.iter().position(|e| e.line == line)?;
    let lines: Vec<&str> = toml.lines().collect();
    let e = &entries[at];
    let start = block_start(&lines, e.line);
    let end = entries
        .get(at + 1)
        .map_or(lines.len(), |n| block_start(&lines, n.line));
    let mut out = String::with_capacity(toml.len());
    for (i, l) in lines.iter().enumerate() {
        let inside = (start..end).contains(&i);
        let t = l.trim();
        if inside && t.starts_with("# ?") {
            continue;
        }
        // `# [workflows.x]` / `# title = "…"`: the entry's own lines, commented while it waited
        let body = t.strip_prefix('#').map(str::trim);
        let own = body.filter(|b| header(b).is_some() || key_value(b).is_some());
        match own {
            Some(b) if inside && e.commented && i + 1 >= e.line => out.push_str(b),
            _ => out.push_str(l),
        }
        out.push('\n');
    }
    if !toml.ends_with('\n') {
        out.pop();
    }
    Some(out)
}

/// The draft without the entry whose header is at `line` (from 1), with the comments just above
/// it (its cite and questions) and the entries nested in it (a workflow's steps, the
/// accountability's circumstances); `None` when no entry starts there. What refers to the entry
/// elsewhere stays, for the check to name.
pub fn without(toml: &str, line: usize) -> Option<String> {
    let entries = outline(toml);
    let at = entries.iter().position(|e| e.line == line)?;
    let lines: Vec<&str> = toml.lines().collect();
    let block_start = |header: usize| block_start(&lines, header);
    let start = block_start(entries[at].line);
    let nested = format!("{}.", entries[at].table);
    let mut end = entries[at + 1..]
        .iter()
        .find(|e| !e.table.starts_with(&nested))
        .map_or(lines.len(), |e| block_start(e.line));
    // a section's heading comment stays with the section after it
    if let Some(i) = (start + 1..end).find(|&i| lines[i].trim_start().starts_with("# ---")) {
        end = i;
    }
    while end > start + 1 && lines[end - 1].trim().is_empty() {
        end -= 1;
    }
    let mut out: String = lines[..start]
        .iter()
        .chain(&lines[end..])
        .flat_map(|l| [*l, "\n"])
        .collect();
    if !toml.ends_with('\n') {
        out.pop();
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DRAFT: &str = "# 由 zeren policy draft 起草
format = 1

[policy]
id = \"draft\"
# L1 · 置信度 高 · 《…》标题
title = \"方案\"
# ? L1: 标题？
source_text = \"x.txt#L1-L9\"

# L3 · 置信度 中 · “副组长”
[roles.deputy_leader]
title = \"领导小组副组长\"
source = \"L3\"
# ? L3: 请改为职务

# L5-L6 · 置信度 高 · 频次“每月”
[duties.month_analysis]
title = \"开展\\\"分析\\\"研判\"
every = \"month\"
source = \"L5-L6\"

# L7 · 置信度 低 · 审批
# ? L7: 由谁审批？
# [workflows.approval]
# title = \"审批\"
# source = \"L7\"

# L8 · 置信度 中 · 问责
[[accountability.circumstances]]
id = \"c1\"
text = \"不力的\"
source = \"L8\"
";

    #[test]
    fn entries_carry_their_lines_confidence_and_questions() {
        let o = outline(DRAFT);
        let tables: Vec<&str> = o.iter().map(|e| e.table.as_str()).collect();
        assert_eq!(
            tables,
            [
                "policy",
                "roles.deputy_leader",
                "duties.month_analysis",
                "workflows.approval",
                "accountability.circumstances"
            ]
        );
        // the title's cite comment belongs to the key, not to the next header
        assert_eq!(o[0].confidence, None);
        assert_eq!(o[0].questions, ["L1: 标题？"]);
        assert_eq!(o[0].title.as_deref(), Some("方案"));
        assert_eq!(o[1].confidence.as_deref(), Some("中"));
        assert_eq!(o[1].lines, Some((3, 3)));
        assert_eq!(o[1].questions, ["L3: 请改为职务"]);
        assert_eq!(o[1].line, 12);
        assert_eq!(o[2].title.as_deref(), Some("开展\"分析\"研判"));
        assert_eq!(o[2].lines, Some((5, 6)));
        assert_eq!(o[2].rule.as_deref(), Some("频次“每月”"));
        assert!(o[3].commented);
        assert_eq!(o[3].questions, ["L7: 由谁审批？"]);
        assert_eq!(o[3].lines, Some((7, 7)));
        assert_eq!(o[3].confidence.as_deref(), Some("低"));
        assert_eq!(o[4].title.as_deref(), Some("不力的"));
        assert_eq!(o[4].source.as_deref(), Some("L8"));
    }

    #[test]
    fn an_edit_shows_as_written() {
        let edited = DRAFT
            .replace("# ? L3: 请改为职务\n", "")
            .replace("source = \"L3\"", "source = \"L4\"");
        let o = outline(&edited);
        assert!(o[1].questions.is_empty());
        assert_eq!(o[1].lines, Some((4, 4)));
    }

    #[test]
    fn source_lines_reads_the_format_and_nothing_else() {
        assert_eq!(source_lines("L17"), Some((17, 17)));
        assert_eq!(source_lines("L17-L19"), Some((17, 19)));
        for bad in [
            "",
            "L",
            "17",
            "L0",
            "L19-L17",
            "L1-",
            "L-1",
            "第3条",
            "L12345678",
        ] {
            assert_eq!(source_lines(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_real_draft_cites_every_entry_it_installs() {
        let text = "为加强工作，特制定《xx学校意识形态工作责任制实施方案》。
校长为学校意识形态工作第一责任人，负总责。
党支部每季度至少组织1次意识形态工作专题学习。
有下列情形之一的，应当予以问责：
（一）组织开展不力的；
（二）其他失职失责情形。
";
        let (d, toml) = crate::draft_toml(text, 1, "draft", "plan.txt");
        let o = outline(&toml);
        assert!(o.len() > 2, "{toml}");
        for e in o.iter().filter(|e| e.table != "policy" && !e.commented) {
            let (a, b) = e.lines.unwrap_or_else(|| panic!("{e:?}\n{toml}"));
            assert!(a >= d.first_line && b <= d.last_line, "{e:?}");
            assert!(e.confidence.is_some(), "{e:?}");
        }
        let asked: usize = o.iter().map(|e| e.questions.len()).sum();
        assert_eq!(asked, crate::open_questions(&toml).len(), "{toml}");
    }

    #[test]
    fn an_entry_is_accepted_as_drafted() {
        let o = outline(DRAFT);
        // its questions go, and only its
        let role = accepted(DRAFT, o[1].line).unwrap();
        assert!(
            !role.contains("请改为职务") && role.contains("标题？"),
            "{role}"
        );
        assert!(role.contains("[roles.deputy_leader]") && role.contains("# L3 ·"));
        assert!(outline(&role)[1].questions.is_empty());
        // a commented entry is uncommented: it will be installed
        let w = accepted(DRAFT, o[3].line).unwrap();
        assert!(!w.contains("由谁审批"), "{w}");
        assert!(
            w.contains("\n[workflows.approval]\ntitle = \"审批\"\nsource = \"L7\"\n"),
            "{w}"
        );
        assert!(
            w.contains("# L7 · 置信度 低 · 审批"),
            "the cite stays a comment: {w}"
        );
        let after = outline(&w);
        assert!(!after[3].commented && after[3].questions.is_empty());
        assert_eq!(after.len(), o.len());
        assert_eq!(accepted(DRAFT, 2), None, "no entry starts at a blank line");
    }

    #[test]
    fn an_entry_is_dropped_with_its_comments_and_what_it_holds() {
        let o = outline(DRAFT);
        let role = without(DRAFT, o[1].line).unwrap();
        assert!(
            !role.contains("deputy_leader") && !role.contains("请改为职务"),
            "{role}"
        );
        assert!(!role.contains("# L3 ·"), "its cite goes too: {role}");
        assert!(role.contains("[duties.month_analysis]") && role.contains("# L5-L6 ·"));
        let left: Vec<String> = outline(&role).into_iter().map(|e| e.table).collect();
        assert_eq!(left.len(), 4);
        // the rest is as it was
        assert!(DRAFT.contains(&role[role.find("# L5-L6").unwrap()..]));

        let text = "format = 1\n\n[policy]\nid = \"d\"\n\n# --- workflows ---\n\n# L7 · 置信度 中 · 审批\n[workflows.w]\ntitle = \"审批\"\nsource = \"L7\"\n\n[[workflows.w.steps]]\ntitle = \"审\"\nsource = \"L7\"\n\n# --- accountability ---\n\n# L8 · 置信度 中 · 问责\n[accountability]\nsource = \"L8\"\n";
        let w = outline(text)
            .iter()
            .find(|e| e.table == "workflows.w")
            .unwrap()
            .line;
        let after = without(text, w).unwrap();
        assert!(
            !after.contains("workflows.w") && !after.contains("# L7"),
            "{after}"
        );
        assert!(
            after.contains("# --- workflows ---")
                && after.contains("# --- accountability ---\n\n# L8"),
            "{after}"
        );
        assert_eq!(without(text, 2), None, "no entry starts at a blank line");
    }
}

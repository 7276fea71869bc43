//! The draft as a policy file (format 1): every entry with `source`, its confidence and rule in a
//! comment, and open questions as `# ? L23: …` lines.

use std::fmt::Write;

use crate::draft::{Cite, Draft};

/// A TOML basic string.
fn q(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn arr(items: &[String]) -> String {
    let v: Vec<String> = items.iter().map(|s| q(s)).collect();
    format!("[{}]", v.join(", "))
}

/// Text for a comment: TOML allows no control character there but tab, and a line break would end it.
fn clean(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() && c != '\t' { ' ' } else { c })
        .collect()
}

/// Comment lines.
fn comment(out: &mut String, text: &str) {
    for l in text.lines() {
        let _ = writeln!(out, "# {}", clean(l));
    }
}

fn cite_head(out: &mut String, c: &Cite) {
    let _ = writeln!(
        out,
        "# {} · 置信度 {} · {}",
        c.src.key(),
        c.confidence.zh(),
        clean(&c.rule)
    );
}

fn questions(out: &mut String, c: &Cite) {
    for qn in &c.questions {
        let _ = writeln!(out, "# ? L{}: {}", qn.line, clean(&qn.text));
    }
}

/// Renders the draft. `source_text` names the text it was read from (for `policy.source_text`).
pub fn to_toml(d: &Draft, id: &str, source_text: &str) -> String {
    let mut out = String::new();
    comment(
        &mut out,
        &format!(
            "由 zeren policy draft 从 {source_text}（L{}-L{}）起草：每项注明原文行号（source）、置信度和依据的规则。\n\
             以 “# ?” 开头的行是没有确定的问题：回答后删去该行；`zeren policy draft --check` 列出剩下的问题。\n\
             没有写入的内容（机构的日常职责、阵地、考核、突发事件）需要人工补充。",
            d.first_line, d.last_line
        ),
    );
    out.push_str("format = 1\n\n[policy]\n");
    let _ = writeln!(out, "id = {}", q(id));
    match &d.title {
        Some((t, line)) => {
            let _ = writeln!(out, "# L{line} · 置信度 高 · 《…》标题");
            let _ = writeln!(out, "title = {}", q(t));
        }
        None => {
            let _ = writeln!(out, "title = {}", q("（草稿）请填写方案标题"));
        }
    }
    for qn in &d.questions {
        let _ = writeln!(out, "# ? L{}: {}", qn.line, clean(&qn.text));
    }
    if !d.based_on.is_empty() {
        let lines: Vec<String> = d.based_on.iter().map(|(_, l)| format!("L{l}")).collect();
        let _ = writeln!(out, "# {} · 置信度 高 · 根据《…》", lines.join(", "));
        let titles: Vec<String> = d.based_on.iter().map(|(t, _)| t.clone()).collect();
        let _ = writeln!(out, "based_on = {}", arr(&titles));
    }
    let _ = writeln!(
        out,
        "source_text = {}",
        q(&format!("{source_text}#L{}-L{}", d.first_line, d.last_line))
    );

    if !d.roles.is_empty() {
        out.push_str("\n# --- roles ---\n");
    }
    for r in &d.roles {
        out.push('\n');
        cite_head(&mut out, &r.cite);
        let _ = writeln!(out, "[roles.{}]", r.id);
        let _ = writeln!(out, "title = {}", q(&r.title));
        if let Some(h) = &r.held_by {
            let _ = writeln!(out, "held_by = {}", q(h));
        }
        let _ = writeln!(out, "source = {}", q(&r.cite.src.key()));
        questions(&mut out, &r.cite);
    }

    if !d.bodies.is_empty() {
        out.push_str("\n# --- bodies ---\n");
    }
    for b in &d.bodies {
        out.push('\n');
        cite_head(&mut out, &b.cite);
        let _ = writeln!(out, "[bodies.{}]", b.id);
        let _ = writeln!(out, "title = {}", q(&b.title));
        for (k, v) in [
            ("chair", &b.chair),
            ("deputies", &b.deputies),
            ("members", &b.members),
        ] {
            if !v.is_empty() {
                let _ = writeln!(out, "{k} = {}", arr(v));
            }
        }
        if let Some(w) = &b.within {
            let _ = writeln!(out, "within = {}", q(w));
        }
        if let Some(r) = &b.remit {
            let _ = writeln!(out, "remit = {}", q(r));
        }
        let _ = writeln!(out, "source = {}", q(&b.cite.src.key()));
        questions(&mut out, &b.cite);
    }

    if !d.duties.is_empty() {
        out.push_str("\n# --- duties ---\n");
    }
    for duty in &d.duties {
        out.push('\n');
        cite_head(&mut out, &duty.cite);
        let _ = writeln!(out, "[duties.{}]", duty.id);
        let _ = writeln!(out, "title = {}", q(&duty.title));
        let _ = writeln!(out, "description = {}", q(&duty.description));
        let _ = writeln!(out, "every = {}", q(duty.every.key()));
        if let Some(t) = duty.times {
            let _ = writeln!(out, "times = {t}");
        }
        if let Some(o) = &duty.owner {
            let _ = writeln!(out, "owner = {}", q(o));
        }
        if let Some(r) = &duty.per_holder {
            let _ = writeln!(out, "per = \"holder\"\nrole = {}", q(r));
        }
        if duty.at_party_branch {
            out.push_str("at = { kind = \"party_branch\" }\n");
        }
        if duty.report_to_parent {
            out.push_str("report_to = \"parent\"\n");
        }
        if duty.evidence_document {
            out.push_str("evidence = [\"document\"]\n");
        }
        if duty.due_end {
            out.push_str("due = \"end\"\n");
        }
        let _ = writeln!(out, "source = {}", q(&duty.cite.src.key()));
        questions(&mut out, &duty.cite);
    }

    if !d.responsibilities.is_empty() {
        out.push_str("\n# --- untimed responsibilities ---\n");
    }
    for r in &d.responsibilities {
        out.push('\n');
        cite_head(&mut out, &r.cite);
        out.push_str("[[responsibilities]]\n");
        let who = if r.of_body { "body" } else { "role" };
        let _ = writeln!(out, "{who} = {}", q(&r.role));
        let _ = writeln!(out, "text = {}", q(&r.text));
        let _ = writeln!(out, "source = {}", q(&r.cite.src.key()));
        questions(&mut out, &r.cite);
    }

    if !d.workflows.is_empty() {
        out.push_str("\n# --- workflows ---\n");
    }
    for w in &d.workflows {
        out.push('\n');
        cite_head(&mut out, &w.cite);
        let mut block = String::new();
        let _ = writeln!(block, "[workflows.{}]", w.id);
        let _ = writeln!(block, "title = {}", q(&w.title));
        let _ = writeln!(block, "kind = {}", q(w.kind.key()));
        if !w.checklist.is_empty() {
            let _ = writeln!(block, "checklist = {}", arr(&w.checklist));
        }
        if w.kind == crate::draft::WorkflowKind::Publication {
            block.push_str("scan = true\n");
        }
        if w.requires_risk_assessment {
            block.push_str("requires = [\"risk_assessment\"]\n");
        }
        let _ = writeln!(block, "source = {}", q(&w.cite.src.key()));
        for s in &w.steps {
            let _ = writeln!(block, "\n[[workflows.{}.steps]]", w.id);
            let _ = writeln!(block, "title = {}", q(&s.title));
            let _ = writeln!(block, "role = {}", q(&s.role));
            if s.major {
                block.push_str("when = \"major\"\n");
            }
            let _ = writeln!(block, "source = {}", q(&w.cite.src.key()));
        }
        if w.steps.is_empty() {
            // the format needs a step: the workflow waits, commented out, for the answer
            questions(&mut out, &w.cite);
            for l in block.lines() {
                let _ = writeln!(out, "#{}{l}", if l.is_empty() { "" } else { " " });
            }
            let _ = writeln!(
                out,
                "#\n# [[workflows.{}.steps]]\n# title = \"？\"\n# role = \"？\"",
                w.id
            );
        } else {
            out.push_str(&block);
            questions(&mut out, &w.cite);
        }
    }

    if let Some(a) = &d.accountability {
        out.push_str("\n# --- accountability ---\n\n");
        cite_head(&mut out, &a.cite);
        out.push_str("[accountability]\n");
        if !a.basis.is_empty() {
            let _ = writeln!(out, "basis = {}", arr(&a.basis));
        }
        if !a.measures.is_empty() {
            let _ = writeln!(out, "measures = {}", arr(&a.measures));
        }
        if a.filing_parent {
            out.push_str("filing = \"parent\"\n");
        }
        if a.collective {
            out.push_str("allocation = \"collective\"\n");
        }
        let _ = writeln!(out, "source = {}", q(&a.cite.src.key()));
        questions(&mut out, &a.cite);
        for (i, c) in a.circumstances.iter().enumerate() {
            out.push('\n');
            cite_head(&mut out, &c.cite);
            out.push_str("[[accountability.circumstances]]\n");
            let _ = writeln!(out, "id = \"circumstance_{}\"", i + 1);
            let _ = writeln!(out, "text = {}", q(&c.text));
            let _ = writeln!(out, "source = {}", q(&c.cite.src.key()));
            questions(&mut out, &c.cite);
        }
    }
    out
}

/// The open questions of a draft file as written (lines starting `# ?`), e.g. after a person
/// answered some and deleted them.
pub fn open_questions(toml: &str) -> Vec<String> {
    open_questions_at(toml)
        .into_iter()
        .map(|(_, q)| q.to_owned())
        .collect()
}

/// The open questions with the draft line each stands on (from 1), for naming them where they are.
pub fn open_questions_at(toml: &str) -> Vec<(usize, &str)> {
    toml.lines()
        .enumerate()
        .filter_map(|(i, l)| Some((i + 1, l.trim().strip_prefix("# ?")?.trim())))
        .collect()
}

//! `zeren policy draft`: a draft policy file from the organisation's own 实施方案 text.

use std::path::Path;
use std::process::ExitCode;

use zeren_scan::Limits;

/// Longest text drafted (characters): ten times the longest seed text's whole file.
const MAX_CHARS: usize = 500_000;

pub fn run(files: &[std::path::PathBuf], out: Option<&Path>, check: bool) -> ExitCode {
    let drafts = files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "toml"))
        .count();
    if drafts > 0 {
        if drafts < files.len() || !check || out.is_some() {
            eprintln!(
                "a .toml file is a draft already: use `zeren policy draft --check DRAFT.toml`"
            );
            return ExitCode::from(2);
        }
        return check_drafts(files);
    }
    let mut text = String::new();
    let mut parts = Vec::new();
    for f in files {
        match read_text(f) {
            Ok(t) => {
                let first = text.lines().count() + 1;
                if !text.is_empty() && !text.ends_with('\n') {
                    text.push('\n');
                }
                text.push_str(&t);
                parts.push(format!("{} L{first}-L{}", name(f), text.lines().count()));
            }
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(2);
            }
        }
    }
    if text.chars().count() > MAX_CHARS {
        eprintln!("the text is longer than {MAX_CHARS} characters: draft one 实施方案 at a time");
        return ExitCode::from(2);
    }
    let id = policy_id(&files[0]);
    let source = files.iter().map(|f| name(f)).collect::<Vec<_>>().join("+");
    let (draft, toml) = zeren_draft::draft_toml(&text, 1, &id, &source);
    let questions = draft.all_questions();
    let valid = zeren_policy::parse("draft.toml", &toml);
    match out {
        Some(path) => {
            if let Err(e) = std::fs::write(path, &toml) {
                eprintln!("{}: cannot write: {e}", path.display());
                return ExitCode::from(2);
            }
        }
        None if !check => print!("{toml}"),
        None => {}
    }
    let acc = draft.accountability.as_ref();
    eprintln!(
        "起草：{}；{} 个角色，{} 个机构，{} 项工作任务，{} 个审批流程，{} 个问责情形，{} 种问责方式；{} 个待确认问题（# ?）",
        parts.join("，"),
        draft.roles.len(),
        draft.bodies.len(),
        draft.duties.len(),
        draft.workflows.len(),
        acc.map_or(0, |a| a.circumstances.len()),
        acc.map_or(0, |a| a.measures.len()),
        questions.len()
    );
    if let Err(d) = &valid {
        // a bug of the reader: every draft should be a valid file
        eprint!("the draft is not a valid policy file:\n{d}");
        return ExitCode::from(1);
    }
    if check {
        for q in &questions {
            println!("? L{}: {}", q.line, q.text);
        }
        if !questions.is_empty() {
            return ExitCode::from(1);
        }
    }
    ExitCode::SUCCESS
}

/// `--check` on drafts being edited: the `# ?` lines left, then the policy check.
fn check_drafts(files: &[std::path::PathBuf]) -> ExitCode {
    let mut open = 0;
    let mut bad = 0;
    for f in files {
        let text = match std::fs::read_to_string(f) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("{}: cannot read: {e}", f.display());
                return ExitCode::from(2);
            }
        };
        let qs = zeren_draft::open_questions(&text);
        for q in &qs {
            println!("{}: ? {q}", f.display());
        }
        open += qs.len();
        match zeren_policy::parse(&f.display().to_string(), &text) {
            Ok(p) => println!(
                "{}: {}（{}，{} 项工作任务），{} 个待确认问题",
                f.display(),
                if qs.is_empty() { "ok" } else { "valid" },
                p.meta.title,
                p.duties.len(),
                qs.len()
            ),
            Err(d) => {
                bad += 1;
                print!("{d}");
            }
        }
    }
    if open == 0 && bad == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn name(f: &Path) -> String {
    f.file_name().map_or_else(
        || f.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// The file's stem when it is a valid policy id, else `draft`.
fn policy_id(f: &Path) -> String {
    let stem = f
        .file_stem()
        .map(|s| s.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let ok = stem.starts_with(|c: char| c.is_ascii_lowercase())
        && stem
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if ok {
        stem
    } else {
        "draft".into()
    }
}

/// The file's text: plain text in any encoding the scanner reads, Word and PDF through its
/// extractors.
fn read_text(f: &Path) -> Result<String, String> {
    let limits = Limits::default();
    let meta = std::fs::metadata(f).map_err(|e| format!("{}: cannot read: {e}", f.display()))?;
    if meta.len() > limits.max_input {
        return Err(format!(
            "{}: larger than {} MB",
            f.display(),
            limits.max_input >> 20
        ));
    }
    let bytes = std::fs::read(f).map_err(|e| format!("{}: cannot read: {e}", f.display()))?;
    let extracted = zeren_scan::extract(&name(f), &bytes, &limits)
        .map_err(|e| format!("{}: {}", f.display(), e.zh()))?;
    Ok(extracted.text)
}

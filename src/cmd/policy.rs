//! `zeren policy`: check, expand, diff and explain policy files from the command line.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Subcommand, ValueEnum};
use zeren_policy::expand::expand;
use zeren_policy::{diff, explain, Diagnostics, Per, Policy};

#[derive(Subcommand)]
pub enum PolicyCommand {
    /// Validate policy files; exit 0 when all are valid, 1 with every problem otherwise.
    Check {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// The obligations a unit that installs the policy gets in a year.
    Expand {
        file: PathBuf,
        #[arg(long)]
        year: i32,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// Data directory whose imported calendar years are used.
        #[arg(long, default_value = "zeren-data")]
        data: PathBuf,
    },
    /// What changed between two versions of a policy.
    Diff {
        old: PathBuf,
        new: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// The responsibility list (责任清单) the policy implies, per role.
    Explain { file: PathBuf },
    /// Draft a policy file from the organisation's own 实施方案 (.txt, .docx, .pdf): every entry cites
    /// its source line and confidence; what could not be decided is a `# ? L23: …` question.
    /// With --check on a draft (.toml) already edited: list the questions left and validate it.
    Draft {
        /// The text, in one or more files read as one (lines numbered across them).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Write the draft here instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
        /// List the open questions and validate the draft; exit 1 while any is open or it is invalid.
        #[arg(long)]
        check: bool,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
}

pub fn run(cmd: PolicyCommand) -> ExitCode {
    match cmd {
        PolicyCommand::Check { files } => check(&files),
        PolicyCommand::Expand {
            file,
            year,
            format,
            data,
        } => with_policy(&file, |p| expand_cmd(p, year, format, &data)),
        PolicyCommand::Diff { old, new, format } => {
            with_policy(&old, |a| with_policy(&new, |b| diff_cmd(a, b, format)))
        }
        PolicyCommand::Explain { file } => with_policy(&file, |p| {
            print!("{}", explain::explain(p).to_text());
            ExitCode::SUCCESS
        }),
        PolicyCommand::Draft { files, out, check } => {
            super::draft::run(&files, out.as_deref(), check)
        }
    }
}

/// Reads and parses a policy file, reporting the problems on stderr.
fn load(path: &Path) -> Result<Policy, String> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| format!("{name}: cannot read: {e}"))?;
    let text = String::from_utf8(bytes).map_err(|_| format!("{name}: not UTF-8 text"))?;
    zeren_policy::parse(&name, &text).map_err(|d: Diagnostics| d.to_string())
}

fn with_policy(path: &Path, f: impl FnOnce(&Policy) -> ExitCode) -> ExitCode {
    match load(path) {
        Ok(p) => f(&p),
        Err(e) => {
            eprint!("{e}");
            if !e.ends_with('\n') {
                eprintln!();
            }
            ExitCode::from(1)
        }
    }
}

fn check(files: &[PathBuf]) -> ExitCode {
    let mut bad = 0;
    for f in files {
        // A standard fragment (policies/fragments/) is checked on its own terms.
        if let Some(result) = check_fragment(f) {
            match result {
                Ok(line) => println!("{line}"),
                Err(e) => {
                    bad += 1;
                    print!("{e}");
                }
            }
            continue;
        }
        match load(f) {
            Ok(p) => println!(
                "{}: ok ({}，{} 项工作任务)",
                f.display(),
                p.meta.title,
                p.duties.len()
            ),
            Err(e) => {
                bad += 1;
                print!("{e}");
                if !e.ends_with('\n') {
                    println!();
                }
            }
        }
    }
    if bad == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// `None` unless the file is a fragment (it has a `[fragment]` table).
fn check_fragment(path: &Path) -> Option<Result<String, String>> {
    let text = std::fs::read_to_string(path).ok()?;
    if !text.lines().any(|l| l.trim() == "[fragment]") {
        return None;
    }
    let name = path.display().to_string();
    Some(
        zeren_policy::parse_fragment(&name, &text)
            .map(|f| format!("{name}: ok (标准片段：{}，{} 项)", f.title, f.entries.len()))
            .map_err(|d| d.to_string()),
    )
}

fn expand_cmd(p: &Policy, year: i32, format: Format, data: &Path) -> ExitCode {
    let cal = match super::calendar::load(data) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let e = expand(p, year, &cal);
    match format {
        Format::Json => {
            for n in &e.notes {
                eprintln!("note: {}", n.en());
            }
            let rows: Vec<_> = e.obligations.iter().map(|o| o.to_json()).collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&rows).expect("JSON of plain values")
            );
        }
        Format::Table => {
            for n in &e.notes {
                println!("注意：{}", n.zh());
            }
            let header = ["到期日", "周期", "工作任务", "责任人", "适用", "标识"];
            let rows: Vec<[String; 6]> = e
                .obligations
                .iter()
                .map(|o| {
                    let d = o.duty;
                    let mut who = d
                        .answering_role()
                        .map_or("本单位".to_owned(), |r| p.role_title(r).to_owned());
                    if let (Per::Holder, Some(h)) = (d.per, o.holder) {
                        who = format!("{who}#{h}");
                    }
                    [
                        o.due.to_string(),
                        o.period.label(),
                        d.title.clone(),
                        who,
                        d.at.zh(),
                        d.id.to_string(),
                    ]
                })
                .collect();
            print_table(&header, &rows);
            println!("共 {} 项", rows.len());
        }
    }
    ExitCode::SUCCESS
}

fn diff_cmd(a: &Policy, b: &Policy, format: Format) -> ExitCode {
    let d = diff::diff(a, b);
    match format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&d.changes).expect("JSON of plain values")
        ),
        Format::Table => print!("{d}"),
    }
    ExitCode::SUCCESS
}

/// Display width in a terminal: CJK and full-width characters take two columns.
fn width(s: &str) -> usize {
    s.chars()
        .map(|c| match c as u32 {
            0x1100..=0x115F
            | 0x2E80..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6 => 2,
            _ => 1,
        })
        .sum()
}

fn print_table<const N: usize>(header: &[&str; N], rows: &[[String; N]]) {
    let mut widths = header.map(width);
    for r in rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(width(c));
        }
    }
    let line = |cells: Vec<&str>| {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            s.push_str(c);
            if i + 1 < N {
                s.push_str(&" ".repeat(widths[i] - width(c) + 2));
            }
        }
        println!("{}", s.trim_end());
    };
    line(header.to_vec());
    for r in rows {
        line(r.iter().map(String::as_str).collect());
    }
}

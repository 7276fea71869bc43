//! `zeren scan`: checks files before publication (先审查、后公开) for personal data and secrecy markings,
//! for people (text) or for tools (JSON Lines). Exit 0 when nothing blocks, 1 when something does, 2 when a
//! file could not be checked.

use std::fs::File;
use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use zeren_scan::extract::extension;
use zeren_scan::{ExtractError, Kind, Limits, ScanConfig, ScanReport, Scanner};

#[derive(Args)]
#[command(
    after_help = "退出码 (exit status): 0 无阻止发布的发现 (nothing that blocks); 1 有中/高置信度发现 (findings of medium or high confidence); 2 有文件无法检查 (a file could not be checked). 低置信度发现只显示，不阻止发布 (low findings are shown but never block)."
)]
pub struct ScanArgs {
    /// Output for people (text) or one JSON object per file (json).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// A file of custom terms, one per line (`#` starts a comment).
    #[arg(long)]
    terms: Option<PathBuf>,
    /// Files or directories (scanned recursively for .txt .md .csv .tsv .html .docx .xlsx .pdf).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

const TEXT_EXT: &[&str] = &["txt", "text", "md", "log"];
const DOC_EXT: &[&str] = &[
    "html", "htm", "xhtml", "docx", "docm", "xlsx", "xlsm", "pdf", "csv", "tsv",
];
/// Office formats that are published but cannot be read here: listed so that a directory of them is
/// an error ("check by hand"), not a clean pass.
const UNREADABLE_EXT: &[&str] = &[
    "doc", "xls", "ppt", "pptx", "wps", "et", "dps", "rtf", "odt", "ods", "odp",
];

pub fn run(args: ScanArgs) -> ExitCode {
    let stdout = std::io::stdout();
    ExitCode::from(scan_all(&args, &mut stdout.lock()))
}

/// Scans every path, writing the report to `out`; returns the exit status.
fn scan_all(args: &ScanArgs, out: &mut impl Write) -> u8 {
    let terms = match &args.terms {
        None => Vec::new(),
        Some(p) => match read_terms(p) {
            Ok(t) => t,
            Err(e) => {
                eprintln!(
                    "无法读取敏感词文件 (cannot read terms file) {}: {e}",
                    p.display()
                );
                return 2;
            }
        },
    };
    let scanner = Scanner::new(ScanConfig {
        custom_terms: terms,
    });
    let limits = Limits::default();
    let mut files = Vec::new();
    let mut failed = false;
    for p in &args.paths {
        if let Err(e) = collect(p, true, &mut files) {
            eprintln!("{}: {e}", p.display());
            failed = true;
        }
    }
    let (mut blocking, mut with_findings, mut total) = (0usize, 0usize, 0usize);
    for file in &files {
        let result = scan_path(&scanner, file, &limits);
        let shown = file.display().to_string();
        match &result {
            Ok(report) => {
                for n in &report.notes {
                    eprintln!("{shown}: 注意 (note): {n}");
                }
                blocking += report
                    .findings
                    .iter()
                    .filter(|f| f.confidence.blocks())
                    .count();
                total += report.findings.len();
                with_findings += usize::from(!report.findings.is_empty());
            }
            Err(e) => {
                eprintln!("{shown}: 无法检查 (cannot check): {e}");
                failed = true;
            }
        }
        let written = match args.format {
            Format::Json => write_json(out, &shown, &result),
            Format::Text => write_text(out, &shown, &result),
        };
        if written.is_err() {
            return 2;
        }
    }
    if args.format == Format::Text {
        let _ = writeln!(
            out,
            "已检查 {} 个文件，{} 个文件有发现，共 {} 处，其中阻止发布 {} 处。(checked {} files; {} with findings; {} findings, {} blocking)",
            files.len(),
            with_findings,
            total,
            blocking,
            files.len(),
            with_findings,
            total,
            blocking
        );
    }
    if failed {
        2
    } else if blocking > 0 {
        1
    } else {
        0
    }
}

fn read_terms(p: &Path) -> std::io::Result<Vec<String>> {
    let bytes = std::fs::read(p)?;
    let text = zeren_scan::extract("terms.txt", &bytes, &Limits::default())
        .map(|e| e.text)
        .unwrap_or_else(|_| String::from_utf8_lossy(&bytes).into_owned());
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect())
}

/// Files named on the command line are always scanned; inside directories only known extensions are
/// (including the unreadable office formats, which then fail as unsupported).
fn collect(p: &Path, explicit: bool, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let meta = std::fs::symlink_metadata(p)?;
    if meta.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(p)?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()?;
        entries.sort();
        for e in entries {
            collect(&e, false, out)?;
        }
    } else if explicit || meta.is_file() {
        let ext = extension(&p.to_string_lossy());
        let known = [TEXT_EXT, DOC_EXT, UNREADABLE_EXT]
            .iter()
            .any(|list| list.contains(&ext.as_str()));
        if explicit || known {
            out.push(p.to_path_buf());
        }
    }
    Ok(())
}

fn scan_path(scanner: &Scanner, p: &Path, limits: &Limits) -> Result<ScanReport, ExtractError> {
    let name = p.to_string_lossy();
    let ext = extension(&name);
    let io = |e: std::io::Error| ExtractError::Io(e.to_string());
    if TEXT_EXT.contains(&ext.as_str()) {
        // Streamed: memory stays flat however large the file is.
        let f = File::open(p).map_err(io)?;
        return scanner.scan_reader(BufReader::with_capacity(1 << 16, f));
    }
    let size = std::fs::metadata(p).map_err(io)?.len();
    if size > limits.max_input {
        return Err(ExtractError::TooLarge {
            size,
            limit: limits.max_input,
        });
    }
    let bytes = std::fs::read(p).map_err(io)?;
    scanner.scan_file(&name, &bytes, limits)
}

fn write_json(
    out: &mut impl Write,
    file: &str,
    result: &Result<ScanReport, ExtractError>,
) -> std::io::Result<()> {
    // Written by hand so the keys keep the documented order.
    let q = |s: &str| serde_json::Value::from(s).to_string();
    let line = match result {
        Ok(r) => {
            let findings: Vec<String> = r
                .findings
                .iter()
                .map(|f| {
                    format!(
                        r#"{{"kind":{},"confidence":{},"start":{},"end":{},"location":{},"masked":{}}}"#,
                        q(f.kind.as_str()),
                        q(f.confidence.as_str()),
                        f.start,
                        f.end,
                        q(&f.location),
                        q(&f.masked)
                    )
                })
                .collect();
            format!(
                r#"{{"file":{},"findings":[{}]}}"#,
                q(file),
                findings.join(",")
            )
        }
        Err(e) => format!(
            r#"{{"file":{},"findings":[],"error":{}}}"#,
            q(file),
            q(&e.to_string())
        ),
    };
    writeln!(out, "{line}")
}

fn write_text(
    out: &mut impl Write,
    file: &str,
    result: &Result<ScanReport, ExtractError>,
) -> std::io::Result<()> {
    match result {
        Err(e) => writeln!(out, "{file}\n  无法检查 (cannot check): {e}\n"),
        Ok(r) if r.findings.is_empty() => Ok(()),
        Ok(r) => {
            writeln!(out, "{file}")?;
            for f in &r.findings {
                let block = if f.confidence.blocks() {
                    ""
                } else {
                    "（仅提示，不阻止发布）"
                };
                let advice = if f.kind == Kind::SecrecyMarking {
                    "建议：确认已解密或删除标志后再发布".to_string()
                } else {
                    format!("建议改为 {}", f.masked)
                };
                writeln!(
                    out,
                    "  {}  {}  置信度{}{}  {}",
                    f.location,
                    f.kind.name_zh(),
                    f.confidence.name_zh(),
                    block,
                    advice
                )?;
                writeln!(out, "      {}", f.context)?;
            }
            writeln!(out)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("zeren-scan-cli-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(d.join("sub")).unwrap();
        d
    }

    fn run_on(paths: Vec<PathBuf>, format: Format, terms: Option<PathBuf>) -> (u8, String) {
        let args = ScanArgs {
            format,
            terms,
            paths,
        };
        let mut out = Vec::new();
        let code = scan_all(&args, &mut out);
        (code, String::from_utf8(out).unwrap())
    }

    #[test]
    fn exit_codes_and_json_lines() {
        let d = dir("json");
        std::fs::write(d.join("clean.txt"), "没有需要处理的内容。").unwrap();
        std::fs::write(d.join("sub/list.txt"), "张三 身份证号 11010519491231002X").unwrap();
        std::fs::write(d.join("sub/ignored.bin"), "13812345678").unwrap();
        std::fs::write(d.join("sub/logo.png"), "13812345678").unwrap();
        std::fs::write(d.join("exam.md"), "绝密★启用前\n").unwrap();

        let (code, out) = run_on(vec![d.join("clean.txt")], Format::Json, None);
        assert_eq!(code, 0);
        assert!(out.ends_with("\"findings\":[]}\n"), "{out}");

        let (code, out) = run_on(vec![d.clone()], Format::Json, None);
        assert_eq!(code, 1, "{out}");
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines.len(),
            3,
            "directories are walked for known extensions only: {out}"
        );
        let list = lines.iter().find(|l| l.contains("list.txt")).unwrap();
        assert!(list.ends_with(
            r#""findings":[{"kind":"cn_resident_id","confidence":"high","start":8,"end":26,"location":"第1行","masked":"110105********002X"}]}"#
        ), "{list}");
        // A low finding alone (an exam paper's marking) is shown but does not fail the run.
        let (code, out) = run_on(vec![d.join("exam.md")], Format::Text, None);
        assert_eq!(code, 0);
        assert!(
            out.contains("密级标志") && out.contains("不阻止发布"),
            "{out}"
        );
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn errors_and_terms() {
        let d = dir("errors");
        std::fs::write(d.join("broken.docx"), "not a zip").unwrap();
        std::fs::write(d.join("terms.txt"), "# 项目代号\n红旗工程\n").unwrap();
        std::fs::write(d.join("note.txt"), "关于红旗工程的说明").unwrap();
        let (code, out) = run_on(vec![d.join("broken.docx")], Format::Json, None);
        assert_eq!(code, 2);
        assert!(out.contains(r#""error":"#), "{out}");
        let (code, _) = run_on(vec![d.join("missing.txt")], Format::Text, None);
        assert_eq!(code, 2);
        // A legacy .doc in a directory cannot be read: the run must not pass as clean.
        let sub = d.join("sub");
        std::fs::write(sub.join("old.doc"), "\u{d0}\u{cf}").unwrap();
        let (code, out) = run_on(vec![sub], Format::Text, None);
        assert_eq!(code, 2);
        assert!(out.contains("old.doc") && out.contains("不支持"), "{out}");
        let (code, out) = run_on(
            vec![d.join("note.txt")],
            Format::Text,
            Some(d.join("terms.txt")),
        );
        assert_eq!(code, 1);
        assert!(
            out.contains("自定义敏感词") && out.contains("红***"),
            "{out}"
        );
        std::fs::remove_dir_all(&d).unwrap();
    }
}

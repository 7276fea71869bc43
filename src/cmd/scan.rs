//! `zeren scan`: checks files before publication (先审查、后公开) for personal data and secrecy markings,
//! for people (text) or for tools (JSON Lines). Files are typed by content, never by name; a file that
//! cannot be checked (empty, damaged, encrypted, an image, an unknown binary) is reported as unreadable
//! and blocks. Every value written is masked. Exit 0 when nothing blocks, 1 when something does, 2 when a
//! file could not be checked.

use std::fs::File;
use std::io::{BufWriter, Cursor, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use zeren_scan::{
    Category, Confidence, ExtractError, Finding, FindingRef, Format, Kind, Limits, Outcome,
    ScanConfig, Scanner, Unreadable,
};

#[derive(Args)]
#[command(
    after_help = "按内容识别文件类型，不看文件名 (files are typed by content, not by name)。退出码 (exit status): 0 无阻止发布的发现 (nothing that blocks); 1 有中/高置信度发现 (findings of medium or high confidence); 2 有文件无法检查，须人工审查 (a file could not be checked and needs a manual check). 低置信度发现只显示，不阻止发布 (low findings are shown but never block)."
)]
pub struct ScanArgs {
    /// Output for people (text) or one JSON object per file (json).
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    format: OutputFormat,
    /// A file of custom terms, one per line (`#` starts a comment).
    #[arg(long)]
    terms: Option<PathBuf>,
    /// Files or directories (every file inside, recursively; names starting with `.` are skipped).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "lower")]
pub enum OutputFormat {
    Text,
    Json,
}

/// Bytes read to type a file; plain text beyond it is streamed in chunks of `CHUNK`.
const HEAD: usize = 64 * 1024;
const CHUNK: usize = 4 << 20;

pub fn run(args: ScanArgs) -> ExitCode {
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 18, stdout.lock());
    let code = scan_all(&args, &mut out);
    let _ = out.flush();
    ExitCode::from(code)
}

/// Totals over a run.
#[derive(Default)]
struct Tally {
    files: usize,
    with_findings: usize,
    findings: usize,
    blocking: usize,
    unreadable: usize,
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
    let mut tally = Tally::default();
    let mut w = Writer {
        out,
        json: args.format == OutputFormat::Json,
        buf: String::with_capacity(1 << 16),
        first: true,
        prefixes: json_prefixes(),
    };
    for file in &files {
        tally.files += 1;
        let shown = file.display().to_string();
        if scan_path(&scanner, file, &shown, &limits, &mut w, &mut tally).is_err() {
            return 2;
        }
    }
    if !w.json {
        let _ = writeln!(
            w.out,
            "已检查 {} 个文件，{} 个文件有发现，共 {} 处，其中阻止发布 {} 处；{} 个文件无法检查，须人工审查。(checked {} files; {} with findings; {} findings, {} blocking; {} unreadable, each blocking until checked by hand)",
            tally.files,
            tally.with_findings,
            tally.findings,
            tally.blocking,
            tally.unreadable,
            tally.files,
            tally.with_findings,
            tally.findings,
            tally.blocking,
            tally.unreadable
        );
    }
    if failed || tally.unreadable > 0 {
        2
    } else if tally.blocking > 0 {
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

/// Files named on the command line are always scanned; directories are walked for every file in them,
/// whatever its name (the content decides what it is), except names starting with `.`.
fn collect(p: &Path, explicit: bool, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let meta = std::fs::symlink_metadata(p)?;
    if meta.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(p)?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()?;
        entries.sort();
        for e in entries {
            let hidden = e
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'));
            if !hidden {
                collect(&e, false, out)?;
            }
        }
    } else if explicit || meta.is_file() {
        out.push(p.to_path_buf());
    }
    Ok(())
}

/// Reads up to `n` bytes.
fn read_head(f: &mut File, n: usize) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(n);
    Read::by_ref(f).take(n as u64).read_to_end(&mut head)?;
    Ok(head)
}

/// Types one file by its content and scans it: plain text is streamed (memory stays flat however large
/// it is), other formats are read whole under the input limit.
fn scan_path(
    scanner: &Scanner,
    p: &Path,
    shown: &str,
    limits: &Limits,
    w: &mut Writer<'_, impl Write>,
    tally: &mut Tally,
) -> std::io::Result<()> {
    let name = p.to_string_lossy();
    let io = |e: std::io::Error| Unreadable::from(ExtractError::Io(e.to_string()));
    let mut f = match File::open(p) {
        Ok(f) => f,
        Err(e) => return w.unreadable(shown, None, &io(e), tally),
    };
    let size = f.metadata().map(|m| m.len()).unwrap_or(0);
    let head = match read_head(&mut f, HEAD) {
        Ok(h) => h,
        Err(e) => return w.unreadable(shown, None, &io(e), tally),
    };
    let format = zeren_scan::sniff(&head, &name);
    // A zip's directory is at its end, and a short file is whole already: only plain text is streamed.
    if let Format::Text(enc) = format {
        if size > head.len() as u64 {
            let mut notes: Vec<String> = format.name_mismatch_note(&name).into_iter().collect();
            w.begin(shown, &format)?;
            let mut err = None;
            let mut blocking = 0;
            let mut count = 0;
            let reader = Cursor::new(head).chain(f);
            let res = scanner.visit_reader_as(reader, Some(enc), CHUNK, |fr| {
                count += 1;
                blocking += usize::from(fr.blocks());
                if err.is_none() {
                    if let Err(e) = w.finding_ref(shown, fr) {
                        err = Some(e);
                    }
                }
            });
            if let Some(e) = err {
                return Err(e);
            }
            match res {
                Ok(n) => notes.extend(n),
                Err(e) => {
                    // Findings before the read error were written; the file still counts as unchecked.
                    w.end(blocking > 0)?;
                    return w.unreadable(shown, Some(&format), &Unreadable::from(e), tally);
                }
            }
            w.notes(shown, &notes);
            tally.findings += count;
            tally.blocking += blocking;
            tally.with_findings += usize::from(count > 0);
            return w.end(blocking > 0);
        }
    }
    if size > limits.max_input {
        let e = ExtractError::TooLarge {
            size,
            limit: limits.max_input,
        };
        return w.unreadable(shown, Some(&format), &Unreadable::from(e), tally);
    }
    let mut bytes = head;
    if let Err(e) = f.read_to_end(&mut bytes) {
        return w.unreadable(shown, Some(&format), &io(e), tally);
    }
    let report = scanner.scan_bytes(&name, &bytes, limits);
    match &report.outcome {
        Outcome::Scanned(r) => {
            w.begin(shown, &report.format)?;
            for f in &r.findings {
                w.finding(shown, f)?;
            }
            w.notes(shown, &r.notes);
            let blocking = r.findings.iter().filter(|f| f.blocks()).count();
            tally.findings += r.findings.len();
            tally.blocking += blocking;
            tally.with_findings += usize::from(!r.findings.is_empty());
            w.end(blocking > 0)
        }
        Outcome::Unreadable(u) => w.unreadable(shown, Some(&report.format), u, tally),
    }
}

/// Writes the report, JSON Lines or text, into a buffered output.
struct Writer<'o, W: Write> {
    out: &'o mut W,
    json: bool,
    buf: String,
    /// Whether nothing has been written for the current file's findings yet.
    first: bool,
    prefixes: Vec<String>,
}

impl<W: Write> Writer<'_, W> {
    fn flush_buf(&mut self) -> std::io::Result<()> {
        if self.buf.len() >= 1 << 15 {
            self.out.write_all(self.buf.as_bytes())?;
            self.buf.clear();
        }
        Ok(())
    }

    fn begin(&mut self, file: &str, format: &Format) -> std::io::Result<()> {
        if self.json {
            self.buf.push_str("{\"file\":");
            json_str(&mut self.buf, file);
            self.buf.push_str(",\"format\":\"");
            self.buf.push_str(format.as_str());
            self.buf.push_str("\",\"findings\":[");
        }
        self.first = true;
        Ok(())
    }

    fn end(&mut self, blocks: bool) -> std::io::Result<()> {
        if self.json {
            self.buf.push_str("],\"blocks\":");
            self.buf.push_str(if blocks { "true" } else { "false" });
            self.buf.push_str("}\n");
        } else if !self.first {
            self.buf.push('\n');
        }
        self.out.write_all(self.buf.as_bytes())?;
        self.buf.clear();
        Ok(())
    }

    fn notes(&mut self, file: &str, notes: &[String]) {
        for n in notes {
            eprintln!("{file}: 注意 (note): {n}");
        }
    }

    fn unreadable(
        &mut self,
        file: &str,
        format: Option<&Format>,
        u: &Unreadable,
        tally: &mut Tally,
    ) -> std::io::Result<()> {
        tally.unreadable += 1;
        eprintln!("{file}: 无法检查 (cannot check): {u}");
        if self.json {
            self.buf.push_str("{\"file\":");
            json_str(&mut self.buf, file);
            self.buf.push_str(",\"format\":\"");
            self.buf.push_str(format.map_or("unknown", |f| f.as_str()));
            self.buf
                .push_str("\",\"findings\":[],\"blocks\":true,\"unreadable\":{\"code\":\"");
            self.buf.push_str(u.code.as_str());
            self.buf.push_str("\",\"zh\":");
            json_str(&mut self.buf, &u.zh);
            self.buf.push_str(",\"en\":");
            json_str(&mut self.buf, &u.en);
            self.buf.push_str("},\"error\":");
            json_str(&mut self.buf, &u.to_string());
            self.buf.push_str("}\n");
        } else {
            use std::fmt::Write as _;
            let _ = write!(
                self.buf,
                "{file}\n  无法检查，阻止发布 (cannot be checked; blocks): {}\n  {} ({})\n\n",
                u,
                u.action_zh(),
                u.action_en()
            );
        }
        self.out.write_all(self.buf.as_bytes())?;
        self.buf.clear();
        Ok(())
    }

    /// One finding from a streamed text: nothing is allocated for it.
    fn finding_ref(&mut self, file: &str, f: &FindingRef<'_>) -> std::io::Result<()> {
        if self.json {
            self.json_head(f.kind, f.confidence, f.start, f.end);
            self.buf.push_str(",\"location\":\"");
            // Locations of plain text are `第N行`: nothing to escape.
            f.write_location(&mut self.buf);
            if f.category() == Category::PersonalData {
                self.buf.push_str("\",\"masked\":\"");
                // Masked identifiers are digits, `X`, capital letters and `*`: nothing to escape.
                f.write_masked(&mut self.buf);
                self.buf.push('"');
            } else {
                let key = if f.kind == Kind::SecrecyMarking {
                    "\",\"marking\":"
                } else {
                    "\",\"masked\":"
                };
                self.buf.push_str(key);
                let at = self.buf.len();
                f.write_shown(&mut self.buf);
                let shown = self.buf.split_off(at);
                json_str(&mut self.buf, &shown);
            }
            self.buf.push('}');
            return self.flush_buf();
        }
        let owned = f.to_finding();
        self.finding(file, &owned)
    }

    fn finding(&mut self, file: &str, f: &Finding) -> std::io::Result<()> {
        if self.json {
            self.json_head(f.kind, f.confidence, f.start, f.end);
            self.buf.push_str(",\"location\":");
            json_str(&mut self.buf, &f.location);
            if f.kind == Kind::SecrecyMarking {
                self.buf.push_str(",\"marking\":");
                json_str(&mut self.buf, &f.shown);
            } else {
                self.buf.push_str(",\"masked\":");
                json_str(&mut self.buf, &f.masked);
            }
            self.buf.push('}');
            return self.flush_buf();
        }
        use std::fmt::Write as _;
        if self.first {
            let _ = writeln!(self.buf, "{file}");
            self.first = false;
        }
        let block = if f.blocks() {
            ""
        } else {
            "（仅提示，不阻止发布）"
        };
        let advice = match f.category() {
            Category::PersonalData => {
                format!("建议改为 {}；确需公开须有法定依据（如本人同意）", f.masked)
            }
            Category::Marking => format!("标志“{}”：{}", f.shown, Category::Marking.remedy_zh()),
            Category::CustomTerm => format!("{}：{}", f.shown, Category::CustomTerm.remedy_zh()),
        };
        let _ = writeln!(
            self.buf,
            "  {}  {}  置信度{}{}  {}\n      {}",
            f.location,
            f.kind.name_zh(),
            f.confidence.name_zh(),
            block,
            advice,
            f.context
        );
        self.flush_buf()
    }

    fn json_head(&mut self, kind: Kind, confidence: Confidence, start: usize, end: usize) {
        let k = Kind::ALL.iter().position(|&x| x == kind).unwrap_or(0);
        let c = confidence as usize;
        let prefix = &self.prefixes[k * 3 + c];
        let b = &mut self.buf;
        if !self.first {
            b.push(',');
        }
        self.first = false;
        b.push_str(prefix);
        push_usize(b, start);
        b.push_str(",\"end\":");
        push_usize(b, end);
    }
}

/// The constant start of a finding's JSON object, for each kind and confidence (`Kind::ALL` order,
/// then low, medium, high): one copy per finding instead of a dozen.
fn json_prefixes() -> Vec<String> {
    let mut v = Vec::new();
    for kind in Kind::ALL {
        for c in [Confidence::Low, Confidence::Medium, Confidence::High] {
            v.push(format!(
                r#"{{"kind":"{}","category":"{}","confidence":"{}","blocks":{},"start":"#,
                kind.as_str(),
                kind.category().as_str(),
                c.as_str(),
                c.blocks()
            ));
        }
    }
    v
}

fn push_usize(out: &mut String, mut n: usize) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.push_str(std::str::from_utf8(&digits[i..]).expect("ASCII digits"));
}

/// Appends `s` as a JSON string.
fn json_str(out: &mut String, s: &str) {
    out.push('"');
    let mut last = 0;
    for (i, b) in s.bytes().enumerate() {
        let esc = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&s[last..i]);
        if esc.is_empty() {
            use std::fmt::Write as _;
            let _ = write!(out, "\\u{b:04x}");
        } else {
            out.push_str(esc);
        }
        last = i + 1;
    }
    out.push_str(&s[last..]);
    out.push('"');
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

    fn run_on(paths: Vec<PathBuf>, format: OutputFormat, terms: Option<PathBuf>) -> (u8, String) {
        let args = ScanArgs {
            format,
            terms,
            paths,
        };
        let mut out = Vec::new();
        let code = scan_all(&args, &mut out);
        (code, String::from_utf8(out).unwrap())
    }

    fn json_lines(out: &str) -> Vec<serde_json::Value> {
        out.lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect()
    }

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("crates/zeren-scan/tests/fixtures")
            .join(name)
    }

    #[test]
    fn exit_codes_and_json_lines() {
        let d = dir("json");
        std::fs::write(d.join("clean.txt"), "没有需要处理的内容。").unwrap();
        std::fs::write(d.join("sub/list.txt"), "张三 身份证号 11010519491231002X").unwrap();
        std::fs::write(d.join(".hidden"), "13812345678").unwrap();
        std::fs::write(d.join("exam.md"), "绝密★启用前\n").unwrap();

        let (code, out) = run_on(vec![d.join("clean.txt")], OutputFormat::Json, None);
        assert_eq!(code, 0);
        assert!(
            out.ends_with("\"findings\":[],\"blocks\":false}\n"),
            "{out}"
        );

        let (code, out) = run_on(vec![d.clone()], OutputFormat::Json, None);
        assert_eq!(code, 1, "{out}");
        let lines = json_lines(&out);
        assert_eq!(lines.len(), 3, "every file but hidden ones: {out}");
        let list = out.lines().find(|l| l.contains("list.txt")).unwrap();
        assert!(list.ends_with(
            r#""findings":[{"kind":"cn_resident_id","category":"personal_data","confidence":"high","blocks":true,"start":8,"end":26,"location":"第1行","masked":"110105********002X"}],"blocks":true}"#
        ), "{list}");
        // A low finding alone (an exam paper's marking) is shown but does not fail the run.
        let (code, out) = run_on(vec![d.join("exam.md")], OutputFormat::Text, None);
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
        std::fs::write(d.join("terms.txt"), "# 项目代号\n红旗工程\n\"引号\n").unwrap();
        std::fs::write(d.join("note.txt"), "关于红旗工程和\"引号的说明").unwrap();
        let (code, _) = run_on(vec![d.join("missing.txt")], OutputFormat::Text, None);
        assert_eq!(code, 2);
        // A legacy .doc cannot be read: the run must not pass as clean.
        let sub = d.join("sub");
        let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        ole.extend("WordDocument".encode_utf16().flat_map(|u| u.to_le_bytes()));
        std::fs::write(sub.join("old.doc"), ole).unwrap();
        let (code, out) = run_on(vec![sub], OutputFormat::Text, None);
        assert_eq!(code, 2);
        assert!(out.contains("old.doc") && out.contains("不支持"), "{out}");
        let (code, out) = run_on(
            vec![d.join("note.txt")],
            OutputFormat::Text,
            Some(d.join("terms.txt")),
        );
        assert_eq!(code, 1);
        assert!(
            out.contains("自定义敏感词") && out.contains("红***"),
            "{out}"
        );
        let (_, out) = run_on(
            vec![d.join("note.txt")],
            OutputFormat::Json,
            Some(d.join("terms.txt")),
        );
        let v = json_lines(&out);
        assert_eq!(v[0]["findings"][1]["masked"], "\"**", "{out}");
        std::fs::remove_dir_all(&d).unwrap();
    }

    /// Issue 12: the content decides. A real DOCX named `news` is scanned as one; damaged, empty,
    /// executable and image files are unreadable and block; text named .docx and an SVG are scanned as
    /// the text they are.
    #[test]
    fn files_are_typed_by_content() {
        let d = dir("content");
        let news = std::fs::read(fixture("news.docx")).unwrap();
        std::fs::write(d.join("news"), &news).unwrap();
        std::fs::write(d.join("corrupt.docx"), &news[..news.len() / 2]).unwrap();
        // Damage the compressed body of word/document.xml (its local header comes first).
        let mut flipped = news.clone();
        let at = flipped
            .windows(17)
            .position(|w| w == b"word/document.xml")
            .unwrap()
            + 40;
        for b in &mut flipped[at..at + 60] {
            *b ^= 0x5A;
        }
        std::fs::write(d.join("damaged.docx"), &flipped).unwrap();
        std::fs::write(d.join("empty.docx"), b"").unwrap();
        std::fs::write(d.join("renamed.docx"), "联系电话：13812345678").unwrap();
        std::fs::write(
            d.join("logo.svg"),
            r#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><title>机密</title><text>身份证 11010519491231002X</text><path d="M 13812345678 0"/></svg>"#,
        )
        .unwrap();
        std::fs::write(
            d.join("setup.exe"),
            b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00",
        )
        .unwrap();
        std::fs::write(d.join("photo.pdf"), b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01").unwrap();

        let file = |name: &str| {
            let (code, out) = run_on(vec![d.join(name)], OutputFormat::Json, None);
            let v = json_lines(&out);
            assert_eq!(v.len(), 1, "{out}");
            (code, v[0].clone())
        };
        let (code, v) = file("news");
        assert_eq!((code, v["format"].as_str()), (1, Some("docx")), "{v}");
        let kinds: Vec<&str> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["kind"].as_str().unwrap())
            .collect();
        assert_eq!(
            kinds,
            ["secrecy_marking", "cn_resident_id", "cn_mobile"],
            "{v}"
        );
        assert_eq!(v["findings"][0]["marking"], "秘密★1年");
        assert_eq!(v["findings"][0]["category"], "secrecy_marking");
        assert!(
            v["findings"][0].get("masked").is_none(),
            "no replacement for a marking"
        );
        assert_eq!(v["blocks"], true);

        for (name, code, format) in [
            ("corrupt.docx", "corrupt", "damaged_zip"),
            ("damaged.docx", "corrupt", "docx"),
            ("empty.docx", "empty", "empty"),
            ("setup.exe", "unsupported_format", "unsupported"),
            ("photo.pdf", "image", "image"),
        ] {
            let (exit, v) = file(name);
            assert_eq!(exit, 2, "{name}: {v}");
            assert_eq!(v["format"], format, "{name}: {v}");
            assert_eq!(v["unreadable"]["code"], code, "{name}: {v}");
            assert_eq!(v["blocks"], true, "{name}: {v}");
        }
        let (_, v) = file("photo.pdf");
        assert!(
            v["unreadable"]["zh"]
                .as_str()
                .unwrap()
                .contains("不做文字识别"),
            "{v}"
        );

        let (code, v) = file("renamed.docx");
        assert_eq!((code, v["format"].as_str()), (1, Some("text")), "{v}");
        assert_eq!(v["findings"][0]["kind"], "cn_mobile");

        let (code, v) = file("logo.svg");
        assert_eq!((code, v["format"].as_str()), (1, Some("svg")), "{v}");
        let kinds: Vec<&str> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["kind"].as_str().unwrap())
            .collect();
        // The drawing's path data is not text.
        assert_eq!(kinds, ["secrecy_marking", "cn_resident_id"], "{v}");

        let (code, out) = run_on(vec![d.clone()], OutputFormat::Text, None);
        assert_eq!(code, 2);
        assert!(
            out.contains("8 个文件") && out.contains("5 个文件无法检查"),
            "{out}"
        );
        std::fs::remove_dir_all(&d).unwrap();
    }

    fn luhn(payload: &str) -> String {
        let d: Vec<u8> = payload.bytes().map(|b| b - b'0').collect();
        format!("{payload}{}", zeren_scan::checksum::luhn_check_digit(&d))
    }

    /// Every seven-digit window of every raw value; none may appear in any output.
    fn assert_no_raw(out: &str, raws: &[String]) {
        let digits_of = |s: &str| -> String {
            s.chars()
                .map(|c| match c {
                    '０'..='９' => char::from_u32(c as u32 - 0xFF10 + '0' as u32).unwrap(),
                    c => c,
                })
                .filter(|c| c.is_ascii_digit())
                .collect()
        };
        // Join digits across group separators, but not across anything else.
        let mut joined = String::new();
        let chars: Vec<char> = out.chars().collect();
        for (i, &c) in chars.iter().enumerate() {
            let sep = matches!(c, ' ' | '-' | '\u{3000}')
                && i > 0
                && chars[i - 1].is_ascii_digit()
                && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit());
            if !sep {
                joined.push(c);
            }
        }
        let joined = joined
            .chars()
            .map(|c| match c {
                '０'..='９' => char::from_u32(c as u32 - 0xFF10 + '0' as u32).unwrap(),
                c => c,
            })
            .collect::<String>();
        for raw in raws {
            let d = digits_of(raw);
            for w in 0..=d.len().saturating_sub(7) {
                let window = &d[w..w + 7];
                assert!(
                    !joined.contains(window),
                    "{window} of {raw} appears in the output:\n{out}"
                );
            }
        }
    }

    /// Issue 12: nothing raw in any output, including identifiers that sit next to the one a finding is
    /// about, identifiers the detectors refused (a wrong check digit), and values in CSV and HTML cells.
    #[test]
    fn no_raw_value_in_any_output() {
        let d = dir("masked");
        let card = luhn("622202123456789012");
        let raws: Vec<String> = vec![
            "11010519491231002X".into(),
            "13812345678".into(),
            card.clone(),
            "E12345678".into(),
            "13912345678".into(),
            "110105194912310021".into(), // wrong check digit: not a finding, still masked
            "440106198001010016".into(),
            "15012345678".into(),
        ];
        let grouped_card: String = card
            .as_bytes()
            .chunks(4)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect::<Vec<_>>()
            .join(" ");
        let line = format!(
            "张三 11010519491231002X 13812345678 {card} 护照E12345678 李四 +86 139 1234 5678 错号110105194912310021 电话13912345678\n王五，身份证 440106 19800101 0016，手机１５０１２３４５６７８，卡 {grouped_card}\n"
        );
        std::fs::write(d.join("roster.txt"), &line).unwrap();
        let csv = format!("姓名,身份证号,手机,卡号\n张三,11010519491231002X,13812345678,{card}\n李四,440106198001010016,15012345678,{card}\n");
        std::fs::write(d.join("roster.csv"), csv).unwrap();
        let html = format!(
            "<!DOCTYPE html><html><head><title>名单</title></head><body><p>{}</p><table><tr><th>姓名</th><th>身份证号</th><th>手机</th></tr><tr><td>张三</td><td>11010519491231002X</td><td>13812345678</td></tr></table></body></html>",
            line.replace('\n', "</p><p>")
        );
        std::fs::write(d.join("page.html"), html).unwrap();
        // A large text file takes the streamed path.
        let big: String = std::iter::repeat_n(line.as_str(), 2000).collect();
        std::fs::write(d.join("big.txt"), big).unwrap();
        for format in [OutputFormat::Text, OutputFormat::Json] {
            let (code, out) = run_on(vec![d.clone()], format, None);
            assert_eq!(code, 1, "{out}");
            assert!(out.contains("138****5678"), "{out}");
            assert_no_raw(&out, &raws);
        }
        // The library's findings: every field of every finding.
        let s = Scanner::new(ScanConfig::default());
        for name in ["roster.txt", "roster.csv", "page.html"] {
            let bytes = std::fs::read(d.join(name)).unwrap();
            let r = s.scan_bytes(name, &bytes, &Limits::default());
            let findings = &r.report().unwrap().findings;
            assert!(findings.len() >= 5, "{name}: {findings:?}");
            let all = format!("{findings:?}");
            assert_no_raw(&all, &raws);
        }
        std::fs::remove_dir_all(&d).unwrap();
    }
}

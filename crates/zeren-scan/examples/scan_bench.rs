//! Driver for bench/scan/bench.py: prints findings of files as JSON Lines, or measures single-thread
//! throughput on one file. Not part of the library; run it in release mode.
//!
//!   scan_bench findings [--terms FILE] FILE...
//!   scan_bench throughput FILE [SECONDS]

use std::io::Write;
use std::time::{Duration, Instant};

use zeren_scan::{Limits, ScanConfig, Scanner};

fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            c if (c as u32) < 0x20 => o.push_str(&format!("\\u{:04x}", c as u32)),
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("findings") => findings(&args[1..]),
        Some("throughput") => throughput(&args[1..]),
        Some("visit") => visit_only(&args[1..]),
        _ => {
            eprintln!(
                "usage: scan_bench findings [--terms FILE] FILE... | throughput FILE [SECONDS]"
            );
            std::process::exit(2);
        }
    }
}

fn findings(args: &[String]) {
    let mut terms = Vec::new();
    let mut files = args;
    if args.first().map(String::as_str) == Some("--terms") {
        let t = std::fs::read_to_string(&args[1]).expect("terms file");
        terms = t
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect();
        files = &args[2..];
    }
    let scanner = Scanner::new(ScanConfig {
        custom_terms: terms,
    });
    let out = std::io::stdout();
    let mut out = out.lock();
    for f in files {
        let report = if f.ends_with(".txt") {
            scanner.scan_reader(std::fs::File::open(f).expect("open"))
        } else {
            scanner.scan_file(f, &std::fs::read(f).expect("read"), &Limits::default())
        };
        let line = match report {
            Ok(r) => {
                let items: Vec<String> = r
                    .findings
                    .iter()
                    .map(|x| {
                        format!(
                            r#"{{"kind":"{}","confidence":"{}","start":{},"end":{}}}"#,
                            x.kind, x.confidence, x.start, x.end
                        )
                    })
                    .collect();
                format!(r#"{{"file":{},"findings":[{}]}}"#, esc(f), items.join(","))
            }
            Err(e) => format!(r#"{{"file":{},"error":{}}}"#, esc(f), esc(&e.to_string())),
        };
        writeln!(out, "{line}").expect("stdout");
    }
}

fn start_of_run() -> Instant {
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    *START.get_or_init(Instant::now)
}

/// Median MB/s of repeated scans, by CPU time.
fn throughput(args: &[String]) {
    let path = &args[0];
    let secs: f64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(3.0);
    let bytes = std::fs::read(path).expect("read");
    let text = String::from_utf8(bytes).expect("UTF-8 input");
    let scanner = Scanner::new(ScanConfig::default());
    // CPU time of this thread (Linux), so other work on the machine does not count; wall time elsewhere.
    let cpu = || -> Duration {
        std::fs::read_to_string("/proc/thread-self/schedstat")
            .ok()
            .and_then(|s| s.split_whitespace().next()?.parse().ok())
            .map(Duration::from_nanos)
            .unwrap_or_else(|| start_of_run().elapsed())
    };
    let measure = |f: &dyn Fn() -> usize| -> (f64, usize) {
        let n = f();
        let mut rates = Vec::new();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs_f64(secs) || rates.len() < 3 {
            let t = cpu();
            let m = f();
            assert_eq!(m, n);
            rates.push(text.len() as f64 / 1e6 / (cpu() - t).as_secs_f64());
        }
        rates.sort_by(|a, b| a.partial_cmp(b).expect("finite"));
        (rates[rates.len() / 2], n)
    };
    let (whole, n) = measure(&|| scanner.scan_text(&text).len());
    // What `zeren scan --format json` does per finding: location and masked value into a buffer.
    let (visit, v) = measure(&|| {
        let mut n = 0;
        let mut buf = String::with_capacity(1 << 16);
        scanner.visit_text(&text, |f| {
            n += 1;
            f.write_location(&mut buf);
            f.write_masked(&mut buf);
            if buf.len() > 1 << 15 {
                buf.clear();
            }
        });
        n
    });
    let (stream, m) = measure(&|| {
        let mut n = 0;
        scanner
            .visit_reader_as(text.as_bytes(), None, 4 << 20, |_| n += 1)
            .expect("stream");
        n
    });
    assert_eq!(n, m, "streamed and whole-text scans agree");
    assert_eq!(n, v);
    println!(
        r#"{{"file":{},"bytes":{},"findings":{},"mb_per_s_text":{:.1},"mb_per_s_visit":{:.1},"mb_per_s_stream":{:.1}}}"#,
        esc(path),
        text.len(),
        n,
        whole,
        visit,
        stream
    );
}

/// Only the visiting path, for a profiler.
fn visit_only(args: &[String]) {
    let text = std::fs::read_to_string(&args[0]).expect("UTF-8 file");
    let rounds: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(10);
    let scanner = Scanner::new(ScanConfig::default());
    let mut n = 0;
    let mut buf = String::with_capacity(1 << 16);
    for _ in 0..rounds {
        scanner.visit_text(&text, |f| {
            n += 1;
            f.write_location(&mut buf);
            f.write_masked(&mut buf);
            if buf.len() > 1 << 15 {
                buf.clear();
            }
        });
    }
    println!("{n}");
}

//! The whole path a web upload takes: typing by content under any name, extraction, scanning. Never a
//! panic, a hang or unbounded memory; an unreadable outcome always blocks; findings stay inside the text
//! and carry no run of seven digits outside their masks.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use zeren_scan::{Limits, Outcome, ScanConfig, Scanner};

static SCANNER: OnceLock<Scanner> = OnceLock::new();

const NAMES: [&str; 8] = [
    "news", "a.docx", "a.xlsx", "a.pdf", "a.csv", "a.html", "a.svg", "a.txt",
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let limits = Limits {
        max_input: 1 << 20,
        max_expanded: 8 << 20,
        max_member: 4 << 20,
        max_ratio: 100,
        max_entries: 100,
        max_depth: 64,
        max_cells: 100_000,
        max_string: 64 << 10,
        max_shared_strings: 100_000,
        max_pdf_objects: 10_000,
        ..Limits::default()
    };
    let scanner = SCANNER.get_or_init(|| Scanner::new(ScanConfig::default()));
    let r = scanner.scan_bytes(NAMES[usize::from(pick) % NAMES.len()], bytes, &limits);
    match &r.outcome {
        Outcome::Unreadable(u) => assert!(u.blocks() && r.blocks()),
        Outcome::Scanned(s) => {
            for f in &s.findings {
                assert!(f.start < f.end);
                for field in [&f.masked, &f.context, &f.location] {
                    let mut run = 0;
                    for c in field.chars() {
                        run = if c.is_ascii_digit() { run + 1 } else { 0 };
                        // Masks keep at most six digits of a value in a row; dates are four, two, two.
                        assert!(run < 7 || field == &f.location, "{field}");
                    }
                }
            }
        }
    }
});

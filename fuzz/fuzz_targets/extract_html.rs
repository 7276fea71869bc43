//! The .html extractor on arbitrary bytes: an error or text, never a panic, a hang or unbounded memory;
//! scanning what it returns keeps offsets inside the text.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use zeren_scan::{extract, Limits, ScanConfig, Scanner};

static SCANNER: OnceLock<Scanner> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
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
    if let Ok(ex) = extract("fuzz.html", data, &limits) {
        let n = ex.text.chars().count();
        for f in SCANNER
            .get_or_init(|| Scanner::new(ScanConfig::default()))
            .scan_extracted(&ex)
        {
            assert!(f.start < f.end && f.end <= n);
        }
    }
});

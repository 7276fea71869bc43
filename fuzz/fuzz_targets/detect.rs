//! The detectors on arbitrary text: offsets stay inside the text and in order, and a streamed scan in
//! small chunks finds exactly what a whole-text scan finds (the chunk seams lose nothing).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use zeren_scan::{ScanConfig, Scanner};

static SCANNER: OnceLock<Scanner> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let lossy = String::from_utf8_lossy(data);
    // A byte-order mark is not text: the stream decoder drops it, so compare without it.
    let text = lossy.strip_prefix('\u{feff}').unwrap_or(&lossy);
    let scanner = SCANNER.get_or_init(|| {
        Scanner::new(ScanConfig {
            custom_terms: vec!["红旗工程".into(), "abc".into()],
        })
    });
    let whole = scanner.scan_text(text);
    let n = text.chars().count();
    for f in &whole {
        assert!(f.start < f.end && f.end <= n, "{f:?}");
    }
    assert!(whole.windows(2).all(|w| w[0].start <= w[1].start));
    let chunk = 16 + data.first().copied().unwrap_or(0) as usize;
    let streamed = scanner
        .scan_reader_chunked(lossy.as_bytes(), chunk)
        .expect("reading from memory cannot fail");
    assert_eq!(streamed.findings, whole);
});

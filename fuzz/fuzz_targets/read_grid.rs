//! The roster importer's reader on arbitrary bytes: a grid within the caps or an error with a Chinese
//! and an English reason; never a panic, a hang or an allocation past the caps.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zeren_scan::sheet::{read_grid, GridLimits};

fuzz_target!(|data: &[u8]| {
    let limits = GridLimits {
        max_rows: 1_000,
        max_columns: 16,
        max_cells: 4_000,
        max_input: 1 << 20,
        max_expanded: 8 << 20,
        ..GridLimits::default()
    };
    match read_grid(data, &limits) {
        Ok(rows) => {
            assert!(rows.len() <= limits.max_rows);
            assert!(rows.iter().all(|r| r.len() <= limits.max_columns));
            assert!(rows.iter().map(Vec::len).sum::<usize>() <= limits.max_cells);
        }
        Err(e) => assert!(!e.zh.is_empty() && !e.en.is_empty()),
    }
});

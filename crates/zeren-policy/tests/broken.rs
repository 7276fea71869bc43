//! The corpus of broken policy files: each `broken/NN-name.toml` must be rejected with exactly the
//! diagnostics in `broken/NN-name.expected` (English, as the CLI prints them) and, for the UI, in
//! Chinese in `broken/NN-name.expected-zh`. Set ZEREN_UPDATE_SNAPSHOTS=1 to rewrite the expected
//! files after a deliberate change, then review the diff.

use std::path::Path;

fn check_snapshot(path: &Path, actual: &str, failures: &mut Vec<String>) {
    if std::env::var_os("ZEREN_UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(path).unwrap_or_default();
    if expected != actual {
        failures.push(format!(
            "{}:\n--- expected\n{expected}--- actual\n{actual}",
            path.display()
        ));
    }
}

#[test]
fn every_broken_file_gets_exactly_its_diagnostics() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/broken");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 30, "the corpus has at least 30 files");
    let mut failures = Vec::new();
    for f in &files {
        let name = f.file_name().unwrap().to_str().unwrap();
        let text = std::fs::read_to_string(f).unwrap();
        let diags = match zeren_policy::parse(name, &text) {
            Ok(_) => {
                failures.push(format!("{name}: accepted, but it is broken"));
                continue;
            }
            Err(d) => d,
        };
        check_snapshot(
            &f.with_extension("expected"),
            &diags.to_string(),
            &mut failures,
        );
        let zh: String = diags.iter().map(|d| d.message_zh() + "\n").collect();
        check_snapshot(&f.with_extension("expected-zh"), &zh, &mut failures);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

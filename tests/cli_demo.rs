//! `zeren demo` builds a working organisation with history, refuses a directory that already
//! holds one, and leaves an intact audit chain.

use std::process::Command;

fn zeren(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_zeren"))
        .args(args)
        .output()
        .expect("run zeren")
}

#[test]
fn demo_creates_an_organisation_with_records() {
    let dir = std::env::temp_dir().join(format!("zeren-demo-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let d = dir.to_str().unwrap();
    let o = zeren(&[
        "demo",
        "--data",
        d,
        "--units",
        "9",
        "--years",
        "2",
        "--today",
        "2026-11-29",
    ]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(out.contains("单位 9 个"), "{out}");
    assert!(
        out.contains("zeren serve --data"),
        "it says how to start: {out}"
    );
    assert!(out.contains("clerk"), "it says how to log in: {out}");
    // Some records, some late, some missing — never all of one kind.
    let counts: Vec<u32> = out
        .lines()
        .find(|l| l.contains("记录："))
        .unwrap()
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|x| x.parse().ok())
        .collect();
    assert_eq!(counts.len(), 4, "{out}");
    assert!(
        counts[1] > 0 && counts[3] > 0,
        "on time and missing both occur: {out}"
    );

    let v = zeren(&["audit", "verify", "--data", d]);
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stdout));

    let again = zeren(&["demo", "--data", d]);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("已有组织"));
    let _ = std::fs::remove_dir_all(&dir);
}

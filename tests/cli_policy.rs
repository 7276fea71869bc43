//! The `zeren policy` and `zeren calendar` commands, run as a user runs them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn zeren(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zeren"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run zeren")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("zeren-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn packs() -> Vec<String> {
    let mut v: Vec<String> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("policies"))
            .unwrap()
            .map(|e| format!("policies/{}", e.unwrap().file_name().to_str().unwrap()))
            .filter(|p| p.ends_with(".toml"))
            .collect();
    v.sort();
    v
}

#[test]
fn check_passes_for_all_ten_packs() {
    let files = packs();
    assert_eq!(files.len(), 10);
    let args: Vec<&str> = ["policy", "check"]
        .into_iter()
        .chain(files.iter().map(String::as_str))
        .collect();
    let o = zeren(&args);
    assert!(
        o.status.success(),
        "{}{}",
        stdout(&o),
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(
        stdout(&o).lines().filter(|l| l.contains(": ok")).count(),
        10
    );
}

#[test]
fn four_mistakes_give_four_located_diagnostics_and_exit_1() {
    let f = "crates/zeren-policy/tests/broken/53-four-mistakes.toml";
    let o = zeren(&["policy", "check", "policies/bureau.toml", f]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    let diags: Vec<&str> = out.lines().filter(|l| l.starts_with(f)).collect();
    assert_eq!(diags.len(), 4, "{out}");
    for d in &diags {
        let rest = &d[f.len()..];
        let mut parts = rest.splitn(4, ':');
        assert_eq!(parts.next(), Some(""));
        assert!(parts.next().unwrap().parse::<u32>().is_ok(), "line in {d}");
        assert!(
            parts.next().unwrap().parse::<u32>().is_ok(),
            "column in {d}"
        );
        assert!(parts.next().unwrap().contains("expected"), "{d}");
    }
    assert!(out.contains(":18:9: duties.quarterly_study.every: expected one of week, month, quarter, half_year, year, holiday; found \"quartr\""), "{out}");
}

#[test]
fn check_reports_unreadable_files() {
    let o = zeren(&["policy", "check", "policies/no-such-pack.toml"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("policies/no-such-pack.toml: cannot read"));
}

#[test]
fn expand_json_has_the_documented_fields() {
    let o = zeren(&[
        "policy",
        "expand",
        "policies/district-school.toml",
        "--year",
        "2026",
        "--format",
        "json",
    ]);
    assert!(o.status.success());
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert!(!rows.is_empty());
    for r in &rows {
        for key in [
            "duty",
            "title",
            "period_start",
            "period_end",
            "due",
            "per",
            "at",
        ] {
            assert!(r.get(key).is_some(), "{key} in {r}");
        }
        for key in ["period_start", "period_end", "due"] {
            let d = r[key].as_str().unwrap();
            assert!(
                chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok(),
                "{d}"
            );
        }
    }
    let q: Vec<&str> = rows
        .iter()
        .filter(|r| r["duty"] == "quarterly_study")
        .map(|r| r["due"].as_str().unwrap())
        .collect();
    assert_eq!(q, ["2026-03-31", "2026-06-30", "2026-09-30", "2026-12-31"]);
}

#[test]
fn expand_says_when_a_year_has_no_holiday_table() {
    let data = temp_dir("noyear");
    let o = zeren(&[
        "policy",
        "expand",
        "policies/cooperative.toml",
        "--year",
        "2027",
        "--data",
        data.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    assert!(
        stdout(&o).contains("2027年的法定节假日安排尚未导入"),
        "{}",
        stdout(&o)
    );
    let o = zeren(&[
        "policy",
        "expand",
        "policies/cooperative.toml",
        "--year",
        "2027",
        "--format",
        "json",
        "--data",
        data.to_str().unwrap(),
    ]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("2027 has no statutory holiday table"));
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        rows.iter().all(|r| r["duty"] != "holiday_analysis"),
        "no holiday obligations are guessed"
    );
}

#[test]
fn calendar_import_adds_a_year_and_refuses_a_bad_file() {
    let data = temp_dir("import");
    let d = data.to_str().unwrap();
    let bad = data.join("bad.json");
    std::fs::write(&bad, r#"{"year": 2027, "days": [{"name": "元旦", "date": "2027-01-01", "isOffDay": true}, {"name": "春节", "date": "2027-02-10", "isOffDay": false}]}"#).unwrap();
    let o = zeren(&["calendar", "import", bad.to_str().unwrap(), "--data", d]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr)
        .contains("days[1].isOffDay: a make-up working day must be a Saturday or Sunday"));
    assert!(
        !data.join("calendar/2027.json").exists(),
        "nothing imported"
    );

    let good = data.join("2027.json");
    std::fs::write(
        &good,
        r#"{"year": 2027, "papers": ["测试通知"], "days": [
        {"name": "元旦", "date": "2027-01-01", "isOffDay": true},
        {"name": "国庆节", "date": "2027-10-01", "isOffDay": true},
        {"name": "国庆节", "date": "2027-10-04", "isOffDay": true},
        {"name": "国庆节", "date": "2027-10-09", "isOffDay": false}]}"#,
    )
    .unwrap();
    let o = zeren(&["calendar", "import", good.to_str().unwrap(), "--data", d]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(data.join("calendar/2027.json").exists());
    let o = zeren(&["calendar", "show", "2027", "--data", d]);
    assert!(
        stdout(&o).contains("国庆节  2027-10-01 至 2027-10-04，共4天"),
        "{}",
        stdout(&o)
    );
    assert!(stdout(&o).contains("2027-10-09（周六）上班"));
    // With the year imported, expansion no longer warns and holiday duties appear.
    let o = zeren(&[
        "policy",
        "expand",
        "policies/cooperative.toml",
        "--year",
        "2027",
        "--data",
        d,
    ]);
    assert!(!stdout(&o).contains("尚未导入"));
    assert!(stdout(&o).contains("2027年国庆节"), "{}", stdout(&o));
}

#[test]
fn diff_describes_changes_in_words() {
    let dir = temp_dir("diff");
    let old = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/district-school.toml"),
    )
    .unwrap();
    assert!(old.contains("every = \"quarter\""));
    let new = old.replacen("every = \"quarter\"", "every = \"month\"", 1);
    let newf = dir.join("new.toml");
    std::fs::write(&newf, new).unwrap();
    let o = zeren(&[
        "policy",
        "diff",
        "policies/district-school.toml",
        newf.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    let out = stdout(&o);
    assert!(
        out.contains("修改工作任务") && out.contains("每季度至少1次 → 每月至少1次"),
        "{out}"
    );
    let o = zeren(&[
        "policy",
        "diff",
        "policies/district-school.toml",
        "policies/district-school.toml",
    ]);
    assert_eq!(stdout(&o), "两个版本的内容相同。\n");
}

#[test]
fn explain_lists_duties_per_role_in_chinese() {
    let o = zeren(&["policy", "explain", "policies/district-school.toml"]);
    assert!(o.status.success());
    let out = stdout(&o);
    assert!(out.contains("【第一责任人】"), "{out}");
    assert!(out.contains("每季度至少1次"), "{out}");
}

/// A short 实施方案 in the shape of the seed texts (written for this test).
const PLAN: &str = "为加强我校意识形态工作，特制定《xx学校意识形态工作责任制实施方案》。
一、组织领导
党支部书记为学校意识形态工作第一责任人。
二、工作制度
1、党支部每季度至少组织1次有关意识形态工作内容的学习。
2、学校党支部每半年向区教体局党组书面汇报1次意识形态工作。
三、责任追究
有下列情形之一的，应当予以问责：
（一）组织开展不力的；
（二）其他失职失责情形。
问责可综合运用纪律处分、组织处理、诫勉谈话等措施。
";

#[test]
fn draft_writes_a_valid_policy_citing_lines_and_check_lists_the_questions() {
    let dir = temp_dir("draft");
    let txt = dir.join("plan.txt");
    std::fs::write(&txt, PLAN).unwrap();
    let out = dir.join("draft.toml");
    let o = zeren(&[
        "policy",
        "draft",
        txt.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("2 项工作任务"), "{err}");
    assert!(err.contains("2 个问责情形"), "{err}");
    let toml = std::fs::read_to_string(&out).unwrap();
    assert!(toml.contains("title = \"xx学校意识形态工作责任制实施方案\""));
    assert!(toml.contains("every = \"quarter\""), "{toml}");
    assert!(toml.contains("source = \"L5\""), "{toml}");
    assert!(toml.contains("# L5 · 置信度 高"), "{toml}");
    assert!(toml.contains("report_to = \"parent\""), "{toml}");
    // the L5 subject is the branch, a collective: a question, not an owner
    assert!(toml.contains("# ? L5: 主语是“党支部”"), "{toml}");

    // valid as written: the questions are comments
    let o = zeren(&["policy", "check", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stdout(&o));

    // --check lists the open questions and fails while any is open
    let o = zeren(&["policy", "draft", "--check", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let listed = stdout(&o);
    assert!(listed.contains("? L5: 主语是“党支部”"), "{listed}");

    // answered (an owner set, the question lines removed): clean
    let answered: String = toml
        .lines()
        .filter(|l| !l.starts_with("# ?"))
        .map(|l| {
            if l == "every = \"quarter\"" {
                format!("{l}\nowner = \"first_responsible\"\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    std::fs::write(&out, answered).unwrap();
    let o = zeren(&["policy", "draft", "--check", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stdout(&o));
    assert!(stdout(&o)
        .contains(": ok（xx学校意识形态工作责任制实施方案，2 项工作任务），0 个待确认问题"));

    // the same text given directly with --check: the questions, exit 1
    let o = zeren(&["policy", "draft", "--check", txt.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("? L5:"));
}

#[test]
fn draft_reads_a_word_file_through_the_scanners_extractor() {
    let dir = temp_dir("draft-docx");
    let paragraphs: Vec<String> = PLAN.lines().skip(1).map(str::to_owned).collect();
    let docx =
        zeren_export::docx::text_docx("xx学校意识形态工作责任制实施方案", "", &paragraphs, &[])
            .unwrap();
    let f = dir.join("plan.docx");
    std::fs::write(&f, docx).unwrap();
    let o = zeren(&["policy", "draft", f.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    let toml = stdout(&o);
    assert!(toml.contains("every = \"half_year\""), "{toml}");
    assert!(
        toml.contains("measures = [\"诫勉谈话\", \"组织处理\", \"纪律处分\"]"),
        "{toml}"
    );
}

#[test]
fn draft_refuses_a_missing_file_and_mixing_drafts_with_texts() {
    let o = zeren(&["policy", "draft", "no-such-file.txt"]);
    assert_eq!(o.status.code(), Some(2));
    let o = zeren(&["policy", "draft", "policies/bureau.toml"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn draft_numbers_lines_across_several_files() {
    let dir = temp_dir("draft-two");
    let (a, b) = (dir.join("a.txt"), dir.join("b.txt"));
    std::fs::write(&a, "一、组织领导\n党支部书记为第一责任人。").unwrap();
    std::fs::write(&b, "二、制度\n党委办公室每月进行一次督查。\n").unwrap();
    let o = zeren(&["policy", "draft", a.to_str().unwrap(), b.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("a.txt L1-L2，b.txt L3-L4"), "{err}");
    let toml = stdout(&o);
    assert!(
        toml.contains("source_text = \"a.txt+b.txt#L1-L4\""),
        "{toml}"
    );
    assert!(
        toml.contains("owner = \"party_office\"\nsource = \"L4\""),
        "{toml}"
    );
}

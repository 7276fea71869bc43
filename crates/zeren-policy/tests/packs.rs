//! Snapshot tests of each bundled pack's 2026 expansion (`snapshots/<pack>-2026.json`, the JSON
//! that `zeren policy expand --format json` prints) and of its responsibility list
//! (`snapshots/<pack>-explain.txt`). Set ZEREN_UPDATE_SNAPSHOTS=1 to rewrite them after a
//! deliberate change, then review the diff.

use std::path::Path;

use zeren_policy::calendar::WorkCalendar;
use zeren_policy::expand::expand;
use zeren_policy::explain::explain;
use zeren_policy::packs;

fn check(path: &Path, actual: &str, failures: &mut Vec<String>) {
    if std::env::var_os("ZEREN_UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(path, actual).unwrap();
        return;
    }
    match std::fs::read_to_string(path) {
        Ok(expected) if expected == actual => {}
        Ok(expected) => failures.push(format!(
            "{} differs:\n--- expected\n{expected}\n--- actual\n{actual}",
            path.display()
        )),
        Err(e) => failures.push(format!("{}: {e}", path.display())),
    }
}

#[test]
fn each_pack_expands_for_2026_as_recorded() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let cal = WorkCalendar::bundled();
    let mut failures = Vec::new();
    for pack in packs::all() {
        let policy = pack.policy();
        let e = expand(&policy, 2026, &cal);
        assert!(e.notes.is_empty(), "2026 is in the bundled calendar");
        let rows: Vec<_> = e.obligations.iter().map(|o| o.to_json()).collect();
        let json = serde_json::to_string_pretty(&rows).unwrap() + "\n";
        check(
            &dir.join(format!("{}-2026.json", pack.id)),
            &json,
            &mut failures,
        );
        check(
            &dir.join(format!("{}-explain.txt", pack.id)),
            &explain(&policy).to_text(),
            &mut failures,
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every duty of every pack points at its source line, as templates.md requires.
#[test]
fn every_pack_entry_cites_its_source_line() {
    for pack in packs::all() {
        let p = pack.policy();
        for d in &p.duties {
            assert!(
                d.source.is_some(),
                "{}: duty {} has no source",
                pack.id,
                d.id
            );
        }
        for r in &p.roles {
            assert!(
                r.source.is_some(),
                "{}: role {} has no source",
                pack.id,
                r.id
            );
        }
        for r in &p.responsibilities {
            assert!(
                r.source.is_some(),
                "{}: responsibility {:?} has no source",
                pack.id,
                r.text
            );
        }
        for w in &p.workflows {
            assert!(
                w.source.is_some(),
                "{}: workflow {} has no source",
                pack.id,
                w.id
            );
        }
    }
}

/// The 责任清单 orders roles by rank: the first responsible first, whatever the file's order
/// (school-bureau declares its leading group's chair first), and lists the responsibilities of
/// the bodies each role sits on (district-school L95-L102 fall to the party branch's members).
#[test]
fn each_list_starts_with_the_first_responsible_and_carries_body_responsibilities() {
    for pack in packs::all() {
        let p = pack.policy();
        let e = explain(&p);
        let first = &e.roles[0].role;
        if p.roles.iter().any(|r| r.id.as_str() == "first_responsible") {
            assert_eq!(first.id.as_str(), "first_responsible", "{}", pack.id);
        }
        let ranks: Vec<usize> = e.roles.iter().map(|r| p.role_rank(&r.role.id)).collect();
        assert!(ranks.windows(2).all(|w| w[0] < w[1]), "{}", pack.id);
    }
    let p = packs::get("district-school").unwrap().policy();
    let e = explain(&p);
    let first = &e.roles[0];
    let lines: Vec<String> = first
        .body_responsibilities
        .iter()
        .map(|(b, r)| format!("{}:{}", b.id, r.source.unwrap()))
        .collect();
    assert_eq!(
        lines,
        [
            "party_branch:L95",
            "party_branch:L96",
            "party_branch:L97",
            "party_branch:L98",
            "party_branch:L99",
            "party_branch:L100",
            "party_branch:L102"
        ]
    );
}

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

    // The bureau's side: reports acknowledged, one returned and corrected, some waiting.
    let reports: Vec<u32> = out
        .lines()
        .find(|l| l.contains("上报材料："))
        .unwrap_or_else(|| panic!("a line on the reports: {out}"))
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|x| x.parse().ok())
        .collect();
    assert!(
        reports.len() == 3 && reports[0] > 0 && reports[1] == 1 && reports[2] > 0,
        "{out}"
    );
    looks_like_a_real_year(dir.join("zeren.db").to_str().unwrap());
    assert!(out.contains("考核："), "{out}");
    assessment_has_run(dir.join("zeren.db").to_str().unwrap());

    let v = zeren(&["audit", "verify", "--data", d]);
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stdout));

    let again = zeren(&["demo", "--data", d]);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("已有组织"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Records are entered on the days of their work (not all on the day the demo ran), with real
/// documents and photos as evidence, and the parent's 签收 and 退回 in their history.
fn looks_like_a_real_year(db: &str) {
    use zeren_store::ledger::{LedgerRead, ObligationFilter};
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let store =
            zeren_store::Store::open(&format!("sqlite://{db}"), zeren_store::HashAlg::Sha256)
                .await
                .unwrap();
        let mut r = store.reader().await.unwrap();
        let obligations = r.obligations(&ObligationFilter::default()).await.unwrap();
        let (mut days, mut media, mut returns, mut acks) = (
            std::collections::BTreeSet::new(),
            std::collections::BTreeSet::new(),
            0,
            0,
        );
        let now = zeren_store::now();
        for p in obligations.iter().filter(|p| p.records > 0) {
            for h in r.records_of(p.obligation.id).await.unwrap() {
                let first = &h.versions[0];
                let entered = (first.version.created_at + chrono::Duration::hours(8)).date_naive();
                assert!(entered >= first.version.work_date, "entered after the work");
                assert!(first.version.created_at <= now);
                assert!(
                    (entered - first.version.work_date).num_days() <= 30,
                    "entered when it was done, or when it was late: {entered} for {}",
                    first.version.work_date
                );
                days.insert(entered);
                for a in &first.attachments {
                    assert!(a.size > 2_000, "a real file: {a:?}");
                    media.insert(a.media_type.clone());
                }
                returns += h.returns.len();
                acks += h.acknowledgements.len();
                if let Some(x) = h.returns.first() {
                    assert!(x.returned_at > first.version.created_at);
                    assert!(h.acknowledged().is_some_and(|a| a.version == 2));
                }
            }
        }
        assert!(
            days.len() > 40,
            "entered over the year: {} days",
            days.len()
        );
        assert!(media.contains("image/png"), "{media:?}");
        assert!(
            media.contains(
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            ),
            "{media:?}"
        );
        assert_eq!(returns, 1);
        assert!(acks > 0);
    });
}

/// The bureau's 考核: last half-year's cycle published (every school reviewed and locked, placed,
/// one measured value overridden with its reason, one appeal answered), stamped on the days it
/// happened; this year's open for self-assessment, some schools submitted, the clerk's not.
fn assessment_has_run(db: &str) {
    use zeren_store::assessment::{AssessmentRead, SheetSide};
    use zeren_store::Read;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let store =
            zeren_store::Store::open(&format!("sqlite://{db}"), zeren_store::HashAlg::Sha256)
                .await
                .unwrap();
        let mut r = store.reader().await.unwrap();
        let bureau = r.root_units().await.unwrap()[0].id;
        let cycles = r.assessment_cycles(bureau).await.unwrap();
        assert_eq!(cycles.len(), 2, "{cycles:?}");
        let (current, past) = (&cycles[0], &cycles[1]);
        assert!(past.title.contains("2026年上半年"), "{}", past.title);
        let cycle = r.assessment_cycle(past.id).await.unwrap().unwrap();
        let published = cycle.published_at.expect("published");
        assert!(published.date_naive() < chrono::NaiveDate::from_ymd_opt(2026, 9, 1).unwrap());
        let units = r.assessment_cycle_units(past.id).await.unwrap();
        assert!(units.len() >= 2);
        assert!(units
            .iter()
            .all(|u| u.locked && u.place.is_some() && u.grade_id.is_some()));
        assert!(units.iter().any(|u| u.place == Some(1)));
        let mut overridden = 0;
        for u in &units {
            for s in r
                .assessment_sheets(past.id, u.unit_id, SheetSide::Review)
                .await
                .unwrap()
            {
                overridden += s.entries.values().filter(|e| !e.reason.is_empty()).count();
            }
        }
        assert_eq!(overridden, 1);
        let appeals = r.assessment_appeals(past.id).await.unwrap();
        assert_eq!(appeals.len(), 1);
        assert_eq!(appeals[0].upheld, Some(false));
        assert!(appeals[0].answered_at.unwrap() < published);
        let now = r.assessment_cycle(current.id).await.unwrap().unwrap();
        assert!(now.published_at.is_none());
        assert!(current.self_assessed >= 1 && current.self_assessed < current.units);
    });
}

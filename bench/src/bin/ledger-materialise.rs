//! Materialising a year of obligations for many units on SQLite (or PostgreSQL with
//! ZEREN_BENCH_DATABASE_URL): builds N schools with the district-school pack installed and its
//! roles held, then runs the materialiser at the first of every month of the year (each run
//! creates the current and the next period) and reports obligations created per second; then
//! runs it again over the same year to show what an idempotent re-run costs.
//!
//!     cargo run --release -p zeren-bench --bin ledger-materialise -- [SCHOOLS] [YEAR]

use std::time::Instant;

use chrono::NaiveDate;
use zeren_policy::calendar::WorkCalendar;
use zeren_store::materialise::materialise_all;
use zeren_store::{Actor, HashAlg, NewPerson, Store};

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let schools: usize = args.next().map_or(5000, |a| a.parse().expect("SCHOOLS"));
    let year: i32 = args.next().map_or(2026, |a| a.parse().expect("YEAR"));
    let dir = std::env::temp_dir().join(format!("zeren-bench-materialise-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = std::env::var("ZEREN_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}", dir.join("bench.db").display()));
    let store = Store::open(&url, HashAlg::Sha256)
        .await
        .expect("open store");
    let pack = zeren_policy::packs::get("district-school").unwrap();
    let policy = pack.policy();
    let since = NaiveDate::from_ymd_opt(year - 1, 12, 1).unwrap();

    let t = Instant::now();
    let mut w = store.write(&Actor::system()).await.unwrap();
    let bureau = w.create_unit(None, "基准测试教育局", "局").await.unwrap();
    for s in 0..schools {
        let school = w
            .create_unit(Some(bureau.id), &format!("基准学校{s}"), "学校")
            .await
            .unwrap();
        let mut people = Vec::new();
        for i in 0..6 {
            let p = w
                .create_person(&NewPerson {
                    unit_id: school.id,
                    name: format!("教师{s}-{i}"),
                    ..NewPerson::default()
                })
                .await
                .unwrap();
            people.push(p.id);
        }
        for (i, role) in policy.roles.iter().enumerate() {
            w.assign(people[i % people.len()], school.id, role.id.as_str(), since)
                .await
                .unwrap();
        }
        let p = w
            .install_policy(
                school.id,
                pack.id,
                "1",
                &policy.meta.title,
                pack.text,
                "bench",
            )
            .await
            .unwrap();
        w.set_policy_effective_from(p.id, since).await.unwrap();
    }
    w.commit().await.unwrap();
    println!(
        "ledger-materialise: {schools} schools set up in {:.1} s ({url})",
        t.elapsed().as_secs_f64()
    );

    let cal = WorkCalendar::bundled();
    // One run on the first day of the year: every duty's current and next period, for every school.
    let t = Instant::now();
    let r = materialise_all(&store, NaiveDate::from_ymd_opt(year, 1, 1).unwrap(), &cal)
        .await
        .expect("materialise");
    let secs = t.elapsed().as_secs_f64();
    println!(
        "one run: {} obligations for {} installations in {secs:.2} s = {:.0} obligations/s",
        r.created,
        r.installations,
        r.created as f64 / secs
    );
    for pass in ["the year, month by month", "the same again (nothing to do)"] {
        let t = Instant::now();
        let (mut created, mut runs) = (0usize, 0usize);
        for month in 1..=12 {
            let day = NaiveDate::from_ymd_opt(year, month, 1).unwrap();
            let r = materialise_all(&store, day, &cal)
                .await
                .expect("materialise");
            created += r.created;
            runs += r.installations;
        }
        let secs = t.elapsed().as_secs_f64();
        println!(
            "{pass}: {created} obligations created in {secs:.2} s over {runs} installation runs = {:.0} obligations/s, {:.2} ms per installation run",
            created as f64 / secs,
            secs * 1e3 / runs as f64
        );
    }
    store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}

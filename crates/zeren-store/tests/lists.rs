//! Lists that stay fast at scale (issue 13): a page of obligations filtered and ordered in SQL
//! gives what filtering the whole list would, page after page, under both plans for a subtree;
//! and the plans use their indexes, never a scan of the obligations table. On SQLite and (with
//! ZEREN_TEST_DATABASE_URL) PostgreSQL.

use chrono::{Days, NaiveDate};
use zeren_core::obligations::{status, status_from_done, Status};
use zeren_store::ledger::*;
use zeren_store::testdb::TestDb;
use zeren_store::*;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

const TODAY: &str = "2026-07-12";

struct Fixture {
    store: Store,
    root: i64,
    /// A district of 70 schools (a large subtree) and one of 3 (a small one).
    big: i64,
    small: i64,
    school: i64,
    person: i64,
}

/// A bureau with two districts of schools; each school has obligations due through 2026 of three
/// duties, some done on time, some late, some with one record of two, one personal.
async fn fixture(db: &TestDb) -> Fixture {
    let store = Store::open(&db.url, HashAlg::Sha256)
        .await
        .expect("open store");
    let mut w = store.write(&Actor::system()).await.unwrap();
    let root = w.create_unit(None, "市教育局", "局").await.unwrap().id;
    let big = w.create_unit(Some(root), "河东区", "区").await.unwrap().id;
    let small = w.create_unit(Some(root), "河西区", "区").await.unwrap().id;
    let mut schools = Vec::new();
    for i in 0..73 {
        let parent = if i < 70 { big } else { small };
        schools.push(
            w.create_unit(Some(parent), &format!("第{i}中学"), "学校")
                .await
                .unwrap()
                .id,
        );
    }
    let person = w
        .create_person(&NewPerson {
            unit_id: schools[0],
            name: "王庆彬".into(),
            ..NewPerson::default()
        })
        .await
        .unwrap()
        .id;
    let policy = w
        .install_policy(
            root,
            "district-school",
            "1",
            "实施办法",
            "format = 1",
            "abc",
        )
        .await
        .unwrap()
        .id;
    let mut rows = Vec::new();
    for (n, &unit) in schools.iter().enumerate() {
        for k in 0..6u64 {
            let due = day("2026-01-15") + Days::new(k * 61 + (n as u64 % 5));
            let duty = ["quarterly_study", "half_year_report", "lecture"][(k as usize + n) % 3];
            rows.push(NewObligation {
                installed_policy_id: policy,
                policy_id: "district-school".into(),
                duty_id: duty.into(),
                title: "专题学习".into(),
                unit_id: unit,
                person_id: (n == 0 && k == 2).then_some(person),
                every: "quarter".into(),
                period_start: due - Days::new(30),
                period_end: due,
                period_label: format!("第{k}期"),
                due_on: due,
                times: if k == 4 { 2 } else { 1 },
                evidence: String::new(),
                report_to_parent: false,
            });
        }
    }
    let ids = w.materialise_obligations(&rows).await.unwrap();
    // Records: on time, late, or one of two.
    for (i, id) in ids.iter().enumerate() {
        let due = rows[i].due_on;
        let work = match i % 4 {
            0 => Some(due - Days::new(3)),
            1 => Some(due + Days::new(5)),
            2 if rows[i].times == 2 => Some(due),
            _ => None,
        };
        if let Some(work_date) = work {
            if work_date > day(TODAY) {
                continue;
            }
            w.create_record(
                *id,
                &NewVersion {
                    work_date,
                    place: "会议室".into(),
                    content: "学习".into(),
                    participants: Vec::new(),
                    guests: Vec::new(),
                    attachments: Vec::new(),
                    reason: None,
                },
            )
            .await
            .unwrap();
        }
    }
    w.commit().await.unwrap();
    Fixture {
        store,
        root,
        big,
        small,
        school: schools[0],
        person,
    }
}

fn query(unit: i64, subtree: bool) -> ObligationPageQuery {
    ObligationPageQuery {
        unit,
        subtree,
        person: None,
        duty: None,
        status: None,
        due_from: None,
        due_to: None,
        today: day(TODAY),
        due_soon_days: 7,
        after: None,
        limit: 7,
    }
}

fn matches(s: Status, f: StatusFilter) -> bool {
    match f {
        StatusFilter::Open => !s.is_done(),
        StatusFilter::Upcoming => s == Status::Upcoming,
        StatusFilter::DueSoon => s == Status::DueSoon,
        StatusFilter::Overdue => s == Status::Overdue,
        StatusFilter::DoneOnTime => s == Status::DoneOnTime,
        StatusFilter::DoneLate => s == Status::DoneLate,
    }
}

/// What the page should hold, from the whole list and the rules' own status.
async fn expected(store: &Store, q: &ObligationPageQuery) -> Vec<(i64, Status, i64)> {
    let mut r = store.reader().await.unwrap();
    let all = r
        .obligations(&ObligationFilter {
            subtree_of: q.subtree.then_some(q.unit),
            unit: (!q.subtree).then_some(q.unit),
            person: q.person,
            duty: q.duty.clone(),
            due_from: q.due_from,
            due_to: q.due_to,
            limit: None,
        })
        .await
        .unwrap();
    all.into_iter()
        .map(|p| {
            let st = status(
                p.obligation.due_on,
                p.obligation.times as u32,
                &p.work_dates,
                q.today,
                q.due_soon_days,
            );
            (p.obligation.id, st, p.records)
        })
        .filter(|(_, st, _)| q.status.is_none_or(|f| matches(*st, f)))
        .collect()
}

/// Every page in turn, following the last row of each.
async fn paged(store: &Store, q: &ObligationPageQuery, small: bool) -> Vec<(i64, Status, i64)> {
    let mut r = store.reader().await.unwrap();
    let mut q = q.clone();
    let mut out = Vec::new();
    loop {
        let page = r.obligation_page_planned(&q, small).await.unwrap();
        assert!(page.len() as i64 <= q.limit);
        for l in &page {
            out.push((
                l.obligation.id,
                status_from_done(l.obligation.due_on, l.done_on, q.today, q.due_soon_days),
                l.records,
            ));
        }
        match page.last() {
            Some(l) if page.len() as i64 == q.limit => {
                q.after = Some((l.obligation.due_on, l.obligation.id))
            }
            _ => return out,
        }
    }
}

fn queries(f: &Fixture) -> Vec<(ObligationPageQuery, &'static str)> {
    let mut v = vec![
        (query(f.school, false), "a unit"),
        (query(f.root, true), "the whole tree"),
        (query(f.big, true), "a large subtree"),
        (query(f.small, true), "a small subtree"),
        (
            ObligationPageQuery {
                person: Some(f.person),
                ..query(f.root, true)
            },
            "a person",
        ),
        (
            ObligationPageQuery {
                duty: Some("lecture".into()),
                ..query(f.big, true)
            },
            "a duty",
        ),
        (
            ObligationPageQuery {
                due_from: Some(day(TODAY)),
                due_to: Some(day(TODAY) + Days::new(30)),
                status: Some(StatusFilter::Open),
                ..query(f.root, true)
            },
            "open, due in the next 30 days",
        ),
    ];
    for s in [
        StatusFilter::Open,
        StatusFilter::Upcoming,
        StatusFilter::DueSoon,
        StatusFilter::Overdue,
        StatusFilter::DoneOnTime,
        StatusFilter::DoneLate,
    ] {
        for (unit, subtree) in [(f.root, true), (f.small, true), (f.school, false)] {
            v.push((
                ObligationPageQuery {
                    status: Some(s),
                    ..query(unit, subtree)
                },
                "a status",
            ));
        }
    }
    v
}

#[tokio::test]
async fn pages_hold_what_the_whole_list_filtered_holds() {
    for db in TestDb::all().await {
        let f = fixture(&db).await;
        let mut statuses = std::collections::BTreeSet::new();
        for (q, what) in queries(&f) {
            let want = expected(&f.store, &q).await;
            statuses.extend(want.iter().map(|w| w.1));
            for small in [false, true] {
                assert_eq!(
                    paged(&f.store, &q, small).await,
                    want,
                    "{what} ({:?}), small-subtree plan {small}",
                    db.backend
                );
            }
            // The store picks a plan by the subtree's size and gives the same first page.
            let first = f
                .store
                .reader()
                .await
                .unwrap()
                .obligation_page(&q)
                .await
                .unwrap();
            assert_eq!(
                first.iter().map(|l| l.obligation.id).collect::<Vec<_>>(),
                want.iter().take(7).map(|w| w.0).collect::<Vec<_>>(),
                "{what}"
            );
        }
        // The fixture has every status, so each filter was tried on rows it keeps and drops.
        assert_eq!(statuses.len(), Status::ALL.len(), "{statuses:?}");
    }
}

/// The plan's steps that read the obligations table (SQLite: alias `o`).
fn obligation_steps(plan: &[String], backend: Backend) -> Vec<String> {
    plan.iter()
        .filter(|l| match backend {
            Backend::Sqlite => l.contains(" o ") || l.ends_with(" o"),
            Backend::Postgres => l.contains(" on obligations o") || l.contains(" on obligations_"),
        })
        .cloned()
        .collect()
}

/// A list is planned for the values asked, never kept prepared: on PostgreSQL a prepared
/// statement may get a generic plan after five runs, which cannot know that a due-date range
/// holds ten rows of a subtree of 10,000 units and walked the whole subtree (54 ms against
/// 0.2 ms, measured in docs/benchmarks.md).
#[tokio::test]
async fn lists_are_planned_for_their_values_not_kept_prepared() {
    for db in TestDb::all().await {
        let f = fixture(&db).await;
        let mut r = f.store.reader().await.unwrap();
        for (q, what) in queries(&f) {
            for _ in 0..7 {
                r.obligation_page(&q).await.unwrap();
            }
            let kept = r.prepared_statements().await.unwrap();
            assert!(
                !kept
                    .iter()
                    .any(|s| s.contains("ORDER BY o.due_on, o.id LIMIT")),
                "{what} ({:?}) is kept prepared: {kept:#?}",
                db.backend
            );
        }
    }
}

#[tokio::test]
async fn list_plans_use_their_indexes_and_never_scan_the_obligations_table() {
    for db in TestDb::all().await {
        let f = fixture(&db).await;
        let mut r = f.store.reader().await.unwrap();
        for (q, what) in queries(&f) {
            for small in [false, true] {
                let plan = r.obligation_page_plan(&q, small).await.unwrap();
                let steps = obligation_steps(&plan, db.backend);
                let context = format!("{what}, small {small}, {:?}: {plan:#?}", db.backend);
                if std::env::var_os("ZEREN_SHOW_PLANS").is_some() {
                    eprintln!("{context}");
                }
                assert!(!steps.is_empty(), "{context}");
                // Every read of the table goes through one of its indexes.
                for s in &steps {
                    assert!(!s.contains("Seq Scan"), "{context}");
                    if db.backend == Backend::Sqlite {
                        assert!(s.contains("USING INDEX obligations_"), "{context}");
                    }
                }
                if db.backend == Backend::Postgres {
                    assert!(
                        plan.iter()
                            .any(|l| l.contains("Index Scan using obligations_")
                                || l.contains("Index Scan on obligations_")
                                || l.contains("Index Only Scan using obligations_")),
                        "{context}"
                    );
                }
                if db.backend == Backend::Sqlite {
                    let by_unit = !q.subtree || small;
                    if by_unit && q.person.is_none() {
                        // A unit or a small subtree: the (unit, due date) index, searched.
                        assert!(
                            steps
                                .iter()
                                .all(|s| s.starts_with("SEARCH o USING INDEX obligations_unit_due")),
                            "{context}"
                        );
                    }
                    if !by_unit && q.person.is_none() {
                        // A large subtree: a due-date index walked in order, stopping after a
                        // page — never sorted, so never read to the end.
                        assert!(!plan.iter().any(|l| l.contains("TEMP B-TREE")), "{context}");
                        assert!(
                            plan.iter().any(|l| l.contains("a USING")
                                && l.contains("(unit_id=? AND ancestor_id=?)")),
                            "visibility by the closure table: {context}"
                        );
                    }
                    if q.person.is_some() {
                        assert!(
                            steps.iter().all(|s| s.contains("obligations_person")),
                            "{context}"
                        );
                    }
                }
            }
        }
    }
}

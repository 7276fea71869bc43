//! The other lists a page at a time (issue 13): the audit log, the people of a subtree and the
//! units below some roots. Paging through every page gives what the whole list filtered gives,
//! and the plans read their indexes in order, never the whole table. On SQLite and (with
//! ZEREN_TEST_DATABASE_URL) PostgreSQL.

use chrono::{DateTime, Utc};
use zeren_store::pages::*;
use zeren_store::testdb::TestDb;
use zeren_store::*;

struct Fixture {
    store: Store,
    root: i64,
    /// A district of 70 schools (a large subtree) and one of 3 (a small one).
    big: i64,
    small: i64,
    school: i64,
    /// A school of the small district, and a retired one.
    small_school: i64,
    retired: i64,
    /// An organisation beside the first.
    other: i64,
}

/// Two organisations; the first a bureau with two districts of schools, each school with
/// people (namesakes among them, across schools and within one), written by several accounts
/// so that the audit log has actors, objects and kinds of object to filter on.
async fn fixture(db: &TestDb) -> Fixture {
    let store = Store::open(&db.url, HashAlg::Sha256)
        .await
        .expect("open store");
    let mut w = store.write(&Actor::system()).await.unwrap();
    let root = w.create_unit(None, "市教育局", "局").await.unwrap().id;
    let big = w.create_unit(Some(root), "河东区", "区").await.unwrap().id;
    let small = w.create_unit(Some(root), "河西区", "区").await.unwrap().id;
    let other = w.create_unit(None, "市卫健委", "委").await.unwrap().id;
    w.create_unit(Some(other), "第一医院", "医院")
        .await
        .unwrap();
    w.commit().await.unwrap();
    let names = [
        "王芳",
        "李娜",
        "张伟",
        "王芳",
        "刘洋",
        "陈静",
        "Zhao Lei",
        "阿依古丽",
    ];
    let mut schools = Vec::new();
    for i in 0..73 {
        // Each school written by an account of its own, so the log has actors to filter on.
        let actor = Actor::account(100 + (i % 4), &format!("admin{}", i % 4));
        let mut w = store.write(&actor).await.unwrap();
        let parent = if i < 70 { big } else { small };
        let school = w
            .create_unit(Some(parent), &format!("第{i}中学"), "学校")
            .await
            .unwrap()
            .id;
        for k in 0..(i % 5) {
            w.create_person(&NewPerson {
                unit_id: school,
                name: names[(i as usize * 3 + k as usize) % names.len()].into(),
                ..NewPerson::default()
            })
            .await
            .unwrap();
        }
        if i % 9 == 0 {
            w.update_unit(school, &format!("第{i}中学（新）"), "学校")
                .await
                .unwrap();
        }
        w.commit().await.unwrap();
        schools.push(school);
    }
    let mut w = store.write(&Actor::system()).await.unwrap();
    for (k, name) in names.iter().take(4).enumerate() {
        // People of the district's own office, and of the other organisation.
        w.create_person(&NewPerson {
            unit_id: if k < 2 { small } else { other },
            name: (*name).into(),
            ..NewPerson::default()
        })
        .await
        .unwrap();
    }
    let retired = schools[72];
    w.retire_unit(
        retired,
        chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        "撤并",
        None,
    )
    .await
    .unwrap();
    w.commit().await.unwrap();
    Fixture {
        store,
        root,
        big,
        small,
        school: schools[0],
        small_school: schools[70],
        retired,
        other,
    }
}

// ---------------------------------------------------------------- the audit log

fn audit(f: AuditFilter) -> AuditFilter {
    AuditFilter { limit: 7, ..f }
}

/// The filters tried: none, each alone and together, dates from the log's own times.
async fn audit_filters(store: &Store) -> Vec<(AuditFilter, &'static str)> {
    let all = whole_log(store).await;
    let at = |i: usize| all[i * all.len() / 3].at;
    let (t1, t2): (DateTime<Utc>, DateTime<Utc>) = (at(1), at(2));
    vec![
        (audit(AuditFilter::default()), "everything"),
        (
            audit(AuditFilter {
                actor_account_id: Some(101),
                ..Default::default()
            }),
            "one account",
        ),
        (
            audit(AuditFilter {
                entity_type: Some("person".into()),
                ..Default::default()
            }),
            "a kind of object",
        ),
        (
            audit(AuditFilter {
                entity_type: Some("unit".into()),
                entity_id: Some(
                    all.iter()
                        .find(|e| e.action == "unit.update")
                        .unwrap()
                        .entity_id
                        .clone(),
                ),
                ..Default::default()
            }),
            "one object",
        ),
        (
            audit(AuditFilter {
                from: Some(t1),
                ..Default::default()
            }),
            "from a time",
        ),
        (
            audit(AuditFilter {
                to: Some(t2),
                ..Default::default()
            }),
            "to a time",
        ),
        (
            audit(AuditFilter {
                actor_account_id: Some(102),
                entity_type: Some("person".into()),
                from: Some(t1),
                to: Some(t2),
                ..Default::default()
            }),
            "all filters",
        ),
        (
            audit(AuditFilter {
                actor_account_id: Some(999),
                ..Default::default()
            }),
            "nobody",
        ),
    ]
}

/// The whole log, oldest first, read in the verifier's way (not the list's).
async fn whole_log(store: &Store) -> Vec<AuditEntry> {
    store
        .reader()
        .await
        .unwrap()
        .audit_page(0, i64::MAX)
        .await
        .unwrap()
}

#[tokio::test]
async fn audit_pages_hold_what_the_whole_log_filtered_holds() {
    for db in TestDb::all().await {
        let f = fixture(&db).await;
        let all = whole_log(&f.store).await;
        assert!(all.len() > 200, "{}", all.len());
        for (q, what) in audit_filters(&f.store).await {
            let want: Vec<i64> = all
                .iter()
                .rev()
                .filter(|e| {
                    q.actor_account_id
                        .is_none_or(|a| e.actor_account_id == Some(a))
                        && q.entity_type.as_ref().is_none_or(|t| &e.entity_type == t)
                        && q.entity_id.as_ref().is_none_or(|i| &e.entity_id == i)
                        && q.from.is_none_or(|t| e.at >= t)
                        && q.to.is_none_or(|t| e.at < t)
                })
                .map(|e| e.seq)
                .collect();
            match what {
                "nobody" => assert!(want.is_empty()),
                "one object" | "all filters" => assert!(!want.is_empty(), "{what}"),
                _ => assert!(want.len() > 7, "{what}: more than a page"),
            }
            assert!(want.len() < all.len() || what == "everything", "{what}");
            let mut r = f.store.reader().await.unwrap();
            let mut q = q.clone();
            let mut got = Vec::new();
            loop {
                let page = r.audit_search(&q).await.unwrap();
                assert!(page.len() as i64 <= q.limit);
                got.extend(page.iter().map(|e| e.seq));
                match page.last() {
                    Some(e) if page.len() as i64 == q.limit => q.before = Some(e.seq),
                    _ => break,
                }
            }
            assert_eq!(got, want, "{what} ({:?})", db.backend);
        }
    }
}

#[tokio::test]
async fn audit_plans_read_an_index_in_order() {
    for db in TestDb::all().await {
        let f = fixture(&db).await;
        let mut r = f.store.reader().await.unwrap();
        for (q, what) in audit_filters(&f.store).await {
            for before in [None, Some(200)] {
                let q = AuditFilter {
                    before,
                    ..q.clone()
                };
                let plan = r.audit_search_plan(&q).await.unwrap();
                let context = format!("{what}, before {before:?}, {:?}: {plan:#?}", db.backend);
                if std::env::var_os("ZEREN_SHOW_PLANS").is_some() {
                    eprintln!("{context}");
                }
                match db.backend {
                    Backend::Sqlite => {
                        // One range of an index (or the table's key), in order: never sorted,
                        // so never read to the end.
                        assert!(!plan.iter().any(|l| l.contains("TEMP B-TREE")), "{context}");
                        assert!(
                            plan.iter()
                                .all(|l| l.starts_with("SEARCH audit_log USING ")),
                            "{context}"
                        );
                        // The index of a filter given (any of them when several are).
                        let mut indexes = Vec::new();
                        if q.actor_account_id.is_some() {
                            indexes.push("INDEX audit_log_actor (actor_account_id=? AND seq<?)");
                        }
                        if q.entity_id.is_some() {
                            indexes.push(
                                "INDEX audit_log_entity (entity_type=? AND entity_id=? AND seq<?)",
                            );
                        } else if q.entity_type.is_some() {
                            indexes.push("INDEX audit_log_entity_type (entity_type=? AND seq<?)");
                        }
                        if indexes.is_empty() {
                            indexes.push("INTEGER PRIMARY KEY (rowid<?)");
                        }
                        assert!(
                            plan.iter().any(|l| indexes.iter().any(|i| l.contains(i))),
                            "{indexes:?}: {context}"
                        );
                    }
                    Backend::Postgres => {
                        assert!(!plan.iter().any(|l| l.contains("Seq Scan")), "{context}");
                        assert!(
                            plan.iter().any(|l| l.contains("Index Scan")
                                && (l.contains(" audit_log_") || l.contains(" on audit_log"))),
                            "{context}"
                        );
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------- people of a subtree

fn people(unit: i64) -> PeoplePageQuery {
    PeoplePageQuery {
        unit,
        after: None,
        limit: 7,
    }
}

#[tokio::test]
async fn people_pages_hold_the_whole_subtree_by_name() {
    for db in TestDb::all().await {
        let f = fixture(&db).await;
        let mut r = f.store.reader().await.unwrap();
        for (unit, what) in [
            (f.root, "the whole tree"),
            (f.big, "a large subtree"),
            (f.small, "a small subtree"),
            (f.school, "a unit"),
            (f.retired, "a retired unit"),
            (f.other, "the other organisation"),
        ] {
            // The whole list, by the recursive walk of the tree (not the closure table).
            let want: Vec<i64> = r
                .people_in_subtree(unit)
                .await
                .unwrap()
                .iter()
                .map(|p| p.id)
                .collect();
            for small in [false, true] {
                let mut q = people(unit);
                let mut got = Vec::new();
                loop {
                    let page = r.people_page_planned(&q, small).await.unwrap();
                    got.extend(page.iter().map(|p| p.id));
                    match page.last() {
                        Some(p) if page.len() as i64 == q.limit => q.after = Some(p.id),
                        _ => break,
                    }
                }
                assert_eq!(got, want, "{what}, small plan {small} ({:?})", db.backend);
            }
            let first = r.people_page(&people(unit)).await.unwrap();
            assert_eq!(
                first.iter().map(|p| p.id).collect::<Vec<_>>(),
                want.iter().take(7).copied().collect::<Vec<_>>(),
                "{what}"
            );
        }
        // The store reads a small share of the tree unit by unit, the whole tree by walking the
        // name index.
        for (unit, join) in [
            (f.root, false),
            (f.big, false),
            (f.small, true),
            (f.school, true),
        ] {
            assert_eq!(
                r.subtrees_are_cheaper(&[unit], Table::People, 7)
                    .await
                    .unwrap(),
                join,
                "{unit}"
            );
        }
        // Namesakes across a page boundary, in one unit and across units, were met.
        let whole = r.people_in_subtree(f.root).await.unwrap();
        assert!(whole.len() > 100, "{}", whole.len());
        assert!(whole
            .windows(2)
            .any(|w| w[0].name == w[1].name && w[0].unit_id == w[1].unit_id));
        // A cursor naming no one is refused, not read as the start.
        let bad = r
            .people_page(&PeoplePageQuery {
                after: Some(987_654),
                ..people(f.root)
            })
            .await;
        assert!(matches!(bad, Err(Error::Invalid(_))), "{bad:?}");
    }
}

#[tokio::test]
async fn people_plans_use_their_indexes() {
    for db in TestDb::all().await {
        let f = fixture(&db).await;
        let mut r = f.store.reader().await.unwrap();
        let someone = r.people_in_subtree(f.root).await.unwrap()[40].id;
        for unit in [f.root, f.small] {
            for after in [None, Some(someone)] {
                for small in [false, true] {
                    let q = PeoplePageQuery {
                        after,
                        ..people(unit)
                    };
                    let plan = r.people_page_plan(&q, small).await.unwrap();
                    let context = format!(
                        "small {small}, after {after:?}, {:?}: {plan:#?}",
                        db.backend
                    );
                    if std::env::var_os("ZEREN_SHOW_PLANS").is_some() {
                        eprintln!("{context}");
                    }
                    match db.backend {
                        Backend::Sqlite => {
                            let steps: Vec<&String> = plan
                                .iter()
                                .filter(|l| l.contains(" p ") || l.ends_with(" p"))
                                .collect();
                            assert!(!steps.is_empty(), "{context}");
                            if small {
                                // The subtree's units, then each one's people by its index.
                                assert!(
                                    steps
                                        .iter()
                                        .all(|s| s.starts_with("SEARCH p USING INDEX people_unit")),
                                    "{context}"
                                );
                            } else {
                                // The name index in order, stopping after a page; each
                                // person's unit checked on the closure table's key.
                                assert!(
                                    steps.iter().all(|s| s.contains("USING INDEX people_name")),
                                    "{context}"
                                );
                                assert!(
                                    !plan.iter().any(|l| l.contains("TEMP B-TREE")),
                                    "{context}"
                                );
                                assert!(
                                    plan.iter().any(|l| l.contains("a USING")
                                        && l.contains("(unit_id=? AND ancestor_id=?)")),
                                    "{context}"
                                );
                            }
                        }
                        Backend::Postgres => {
                            assert!(!plan.iter().any(|l| l.contains("Seq Scan")), "{context}");
                            assert!(
                                plan.iter().any(|l| l.contains("people_name")
                                    || l.contains("people_unit")),
                                "{context}"
                            );
                        }
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------- units

#[tokio::test]
async fn unit_pages_hold_every_unit_below_the_roots() {
    for db in TestDb::all().await {
        let f = fixture(&db).await;
        let mut r = f.store.reader().await.unwrap();
        for (roots, what) in [
            (vec![f.root], "a whole organisation"),
            (vec![f.big], "a large subtree"),
            (vec![f.small], "a small subtree"),
            (vec![f.small_school, f.big], "two subtrees"),
            (vec![f.root, f.other], "both organisations"),
            (vec![f.retired], "a retired unit"),
            (vec![], "nothing"),
        ] {
            let mut want = Vec::new();
            for &root in &roots {
                want.extend(r.subtree(root).await.unwrap().iter().map(|u| u.id));
            }
            want.sort();
            for small in [false, true] {
                let mut q = UnitPageQuery {
                    roots: roots.clone(),
                    after: None,
                    limit: 7,
                };
                let mut got = Vec::new();
                loop {
                    let page = r.units_page_planned(&q, small).await.unwrap();
                    got.extend(page.iter().map(|u| u.id));
                    match page.last() {
                        Some(u) if page.len() as i64 == q.limit => q.after = Some(u.id),
                        _ => break,
                    }
                }
                assert_eq!(got, want, "{what}, small plan {small} ({:?})", db.backend);
            }
            let q = UnitPageQuery {
                roots: roots.clone(),
                after: None,
                limit: 7,
            };
            let first = r.units_page(&q).await.unwrap();
            assert_eq!(
                first.iter().map(|u| u.id).collect::<Vec<_>>(),
                want.iter().take(7).copied().collect::<Vec<_>>(),
                "{what}"
            );
        }
    }
}

#[tokio::test]
async fn unit_plans_use_their_indexes() {
    for db in TestDb::all().await {
        let f = fixture(&db).await;
        let mut r = f.store.reader().await.unwrap();
        for roots in [vec![f.root], vec![f.small, f.other]] {
            for after in [None, Some(f.school)] {
                for small in [false, true] {
                    let q = UnitPageQuery {
                        roots: roots.clone(),
                        after,
                        limit: 7,
                    };
                    let plan = r.units_page_plan(&q, small).await.unwrap();
                    let context = format!(
                        "small {small}, after {after:?}, {:?}: {plan:#?}",
                        db.backend
                    );
                    if std::env::var_os("ZEREN_SHOW_PLANS").is_some() {
                        eprintln!("{context}");
                    }
                    match db.backend {
                        Backend::Sqlite => {
                            let steps: Vec<&String> = plan
                                .iter()
                                .filter(|l| l.contains(" u ") || l.ends_with(" u"))
                                .collect();
                            assert!(!steps.is_empty(), "{context}");
                            // Every unit read by its key, from the closure table's rows or
                            // in order from a cursor.
                            assert!(
                                steps
                                    .iter()
                                    .all(|s| s.starts_with("SEARCH u USING INTEGER PRIMARY KEY")),
                                "{context}"
                            );
                            if small {
                                assert!(
                                    plan.iter().any(|l| l.starts_with("SEARCH a USING")
                                        && l.contains("(ancestor_id=?)")),
                                    "{context}"
                                );
                            } else {
                                assert!(
                                    !plan.iter().any(|l| l.contains("TEMP B-TREE")),
                                    "{context}"
                                );
                                assert!(
                                    plan.iter().any(|l| l.contains("a USING")
                                        && l.contains("(unit_id=? AND ancestor_id=?)")),
                                    "{context}"
                                );
                            }
                        }
                        Backend::Postgres => {
                            assert!(!plan.iter().any(|l| l.contains("Seq Scan")), "{context}");
                        }
                    }
                }
            }
        }
    }
}

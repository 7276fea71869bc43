//! The dashboard's counts against the obligations they summarise: kept in step by every write
//! (obligations created and removed, records entered and corrected), equal to a rebuild, and
//! read correctly for any day whatever the rows' pivot. SQLite always, PostgreSQL with
//! ZEREN_TEST_DATABASE_URL.

use chrono::{Datelike, NaiveDate};
use zeren_core::oversight::{fulfilled_on, Counts, Standing};
use zeren_policy::calendar::WorkCalendar;
use zeren_store::ledger::*;
use zeren_store::materialise::materialise_all;
use zeren_store::oversight::{OversightRead, Scope};
use zeren_store::testdb::TestDb;
use zeren_store::*;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// How `unit`'s subtree stands on `today` for `year`, computed from the obligations themselves.
async fn expected(store: &Store, unit: i64, year: i32, today: NaiveDate) -> Standing {
    let rows = store
        .reader()
        .await
        .unwrap()
        .obligations(&ObligationFilter {
            subtree_of: Some(unit),
            ..ObligationFilter::default()
        })
        .await
        .unwrap();
    let (mut all, mut past) = (Counts::default(), Counts::default());
    for p in rows.iter().filter(|p| p.obligation.due_on.year() == year) {
        let c = Counts::one(
            p.obligation.due_on,
            fulfilled_on(p.obligation.times as u32, &p.work_dates),
        );
        all = all.plus(c);
        if p.obligation.due_on < today {
            past = past.plus(c);
        }
    }
    Standing::of(all, past)
}

async fn tally(store: &Store) -> Vec<(i64, NaiveDate, String, i64, i64, i64)> {
    let mut r = store.reader().await.unwrap();
    let units: Vec<i64> = r.root_units().await.unwrap().iter().map(|u| u.id).collect();
    let mut all = Vec::new();
    for u in units {
        for s in r.subtree(u).await.unwrap() {
            all.push(s.id);
        }
    }
    let mut rows: Vec<_> = r
        .tally_rows(&all, day("2000-01-01"), day("2100-12-31"))
        .await
        .unwrap()
        .into_iter()
        .map(|t| (t.unit_id, t.due_on, t.duty_id, t.total, t.on_time, t.late))
        .collect();
    rows.sort();
    rows
}

#[tokio::test]
async fn the_counts_follow_every_write_and_equal_a_rebuild() {
    let cal = WorkCalendar::bundled();
    for db in TestDb::all().await {
        let store = Store::open(&db.url, HashAlg::Sha256).await.unwrap();
        let pack = zeren_policy::packs::get("district-school").unwrap();
        let mut w = store.write(&Actor::system()).await.unwrap();
        let bureau = w.create_unit(None, "河东区教体局", "局").await.unwrap();
        let mut schools = Vec::new();
        for name in ["第一中学", "第二中学"] {
            let s = w.create_unit(Some(bureau.id), name, "学校").await.unwrap();
            w.install_policy(s.id, pack.id, "1", "办法", pack.text, "x")
                .await
                .unwrap();
            let inst = w.policy_in_force(s.id).await.unwrap().unwrap();
            w.set_policy_effective_from(inst.id, day("2025-01-01"))
                .await
                .unwrap();
            schools.push(s.id);
        }
        let branch = w
            .create_unit(Some(schools[0]), "第一中学党支部", "党支部")
            .await
            .unwrap();
        w.commit().await.unwrap();
        // A year of obligations, month by month.
        let mut d = day("2025-01-15");
        while d <= day("2026-03-15") {
            materialise_all(&store, d, &cal).await.unwrap();
            d = d.checked_add_months(chrono::Months::new(1)).unwrap();
        }
        // Records: some on time, some late, one corrected from late to on time.
        let obligations = store
            .reader()
            .await
            .unwrap()
            .obligations(&ObligationFilter {
                subtree_of: Some(bureau.id),
                due_to: Some(day("2026-02-28")),
                ..ObligationFilter::default()
            })
            .await
            .unwrap();
        assert!(obligations.len() > 10, "{}", obligations.len());
        let mut corrected = None;
        for (i, p) in obligations.iter().enumerate() {
            let o = &p.obligation;
            let work_date = match i % 4 {
                0 => o.period_start,
                1 => o.due_on + chrono::Days::new(5),
                2 => continue,
                _ => o.due_on,
            };
            let mut w = store.write(&Actor::system()).await.unwrap();
            let h = w
                .create_record(
                    o.id,
                    &NewVersion {
                        work_date,
                        content: "学习".into(),
                        ..NewVersion::default()
                    },
                )
                .await
                .unwrap();
            if i % 4 == 1 && corrected.is_none() {
                w.correct_record(
                    h.record.id,
                    1,
                    &NewVersion {
                        work_date: o.period_start,
                        content: "更正日期".into(),
                        reason: Some("日期填错".into()),
                        ..NewVersion::default()
                    },
                )
                .await
                .unwrap();
                corrected = Some(o.id);
            }
            w.commit().await.unwrap();
        }
        assert!(corrected.is_some());
        // A unit created after the history: the closure covers it.
        let mut w = store.write(&Actor::system()).await.unwrap();
        let late_branch = w
            .create_unit(Some(branch.id), "第一中学教研组", "教研组")
            .await
            .unwrap();
        w.commit().await.unwrap();
        let mut r = store.reader().await.unwrap();
        assert_eq!(
            r.ancestors_of(late_branch.id).await.unwrap(),
            vec![late_branch.id, branch.id, schools[0], bureau.id]
        );
        assert!(r.is_within(late_branch.id, bureau.id).await.unwrap());
        assert!(!r.is_within(schools[1], schools[0]).await.unwrap());
        assert_eq!(r.subtree_size(bureau.id).await.unwrap(), 5);
        drop(r);

        // Read on several days, with the pivots where the writes left them and after moving them.
        for (pivot_to, today) in [
            (None, day("2026-03-20")),
            (None, day("2025-06-30")),
            (Some(day("2025-08-01")), day("2026-01-31")),
            (Some(day("2026-12-31")), day("2025-07-01")),
        ] {
            if let Some(p) = pivot_to {
                let mut w = store.write(&Actor::system()).await.unwrap();
                w.move_oversight_pivots(p).await.unwrap();
                w.commit().await.unwrap();
            }
            for year in [2025, 2026] {
                let mut r = store.reader().await.unwrap();
                let got = r
                    .standings(Scope::Unit(bureau.id), year, today)
                    .await
                    .unwrap();
                let children = r
                    .standings(Scope::Children(bureau.id), year, today)
                    .await
                    .unwrap();
                drop(r);
                assert_eq!(got.len(), 1);
                assert_eq!(
                    got[0].1,
                    expected(&store, bureau.id, year, today).await,
                    "bureau {year} on {today} (pivot moved to {pivot_to:?})"
                );
                assert_eq!(children.len(), 2);
                for (unit, s) in children {
                    assert_eq!(s, expected(&store, unit, year, today).await, "{unit}");
                }
            }
        }

        // The second school merges into the first on 1 February 2026: its unended obligations
        // without records go, its history stays where it was (under the bureau, counted in
        // its past periods). The late branch is retired outright.
        let before_merge = expected(&store, schools[1], 2025, day("2026-03-20")).await;
        assert!(before_merge.due > 0);
        let mut w = store.write(&Actor::system()).await.unwrap();
        w.retire_unit(schools[1], day("2026-02-01"), "撤并", Some(schools[0]))
            .await
            .unwrap();
        w.retire_unit(late_branch.id, day("2026-02-01"), "撤销", None)
            .await
            .unwrap();
        w.commit().await.unwrap();
        let mut r = store.reader().await.unwrap();
        let children = r
            .standings(Scope::Children(bureau.id), 2025, day("2026-03-20"))
            .await
            .unwrap();
        drop(r);
        let merged = children.iter().find(|(u, _)| *u == schools[1]).unwrap().1;
        assert_eq!(merged, before_merge, "a merged unit's past still counts");
        // Removing the first school's policy takes its future obligations (the materialiser);
        // the counts follow.
        let inst = store
            .reader()
            .await
            .unwrap()
            .policy_in_force(schools[0])
            .await
            .unwrap()
            .unwrap();
        let mut w = store.write(&Actor::system()).await.unwrap();
        w.remove_installation(inst.id).await.unwrap();
        w.commit().await.unwrap();
        let removed = materialise_all(&store, day("2026-03-15"), &cal)
            .await
            .unwrap()
            .removed;
        assert!(removed > 0, "the materialiser removed obligations");
        let kept = tally(&store).await;
        let pending = store
            .reader()
            .await
            .unwrap()
            .pending_reports(bureau.id)
            .await
            .unwrap();
        let mut w = store.write(&Actor::system()).await.unwrap();
        w.rebuild_oversight().await.unwrap();
        w.commit().await.unwrap();
        let rebuilt = tally(&store).await;
        assert_eq!(
            store
                .reader()
                .await
                .unwrap()
                .pending_reports(bureau.id)
                .await
                .unwrap(),
            pending,
            "reports waiting, kept and rebuilt"
        );
        assert!(!kept.is_empty());
        assert_eq!(kept, rebuilt, "kept counts equal a rebuild");
        let today = day("2026-03-20");
        for year in [2025, 2026] {
            let mut r = store.reader().await.unwrap();
            let got = r
                .standings(Scope::Unit(bureau.id), year, today)
                .await
                .unwrap();
            let children = r
                .standings(Scope::Children(bureau.id), year, today)
                .await
                .unwrap();
            drop(r);
            // No row is nothing counted: 2026's obligations all went with the policy.
            let got = got.first().map(|g| g.1).unwrap_or_default();
            assert_eq!(got, expected(&store, bureau.id, year, today).await);
            for (unit, s) in children {
                assert_eq!(s, expected(&store, unit, year, today).await, "{unit}");
            }
        }
        store.close().await;
        db.drop_db().await;
    }
}

/// The dashboard's every number against a count of the obligations themselves: the whole, each
/// unit below and the unit's own, each duty, each heat-map cell, each month; every drill-down
/// lists exactly as many obligations as its number says; the reports waiting for 签收.
#[tokio::test]
async fn the_dashboard_agrees_with_the_obligations() {
    use zeren_store::oversight::{Drill, Reach};
    let cal = WorkCalendar::bundled();
    for db in TestDb::all().await {
        let store = Store::open(&db.url, HashAlg::Sha256).await.unwrap();
        let pack = zeren_policy::packs::get("district-school").unwrap();
        let mut w = store.write(&Actor::system()).await.unwrap();
        let bureau = w.create_unit(None, "河东区教体局", "局").await.unwrap();
        // The policy applies to the schools below the bureau; the centre has none (nothing
        // counted); the first school has a department below it.
        let mut schools = Vec::new();
        for (name, kind) in [
            ("第一中学", "学校"),
            ("第二中学", "学校"),
            ("教研中心", "中心"),
        ] {
            schools.push(w.create_unit(Some(bureau.id), name, kind).await.unwrap());
        }
        w.create_unit(Some(schools[0].id), "第一中学初中部", "部门")
            .await
            .unwrap();
        let inst = w
            .install_policy(bureau.id, pack.id, "1", "办法", pack.text, "x")
            .await
            .unwrap();
        w.set_policy_effective_from(inst.id, day("2025-01-01"))
            .await
            .unwrap();
        w.commit().await.unwrap();
        let mut d = day("2025-01-15");
        while d <= day("2026-03-15") {
            materialise_all(&store, d, &cal).await.unwrap();
            d = d.checked_add_months(chrono::Months::new(1)).unwrap();
        }
        let obligations = store
            .reader()
            .await
            .unwrap()
            .obligations(&ObligationFilter {
                subtree_of: Some(bureau.id),
                due_to: Some(day("2026-04-30")),
                ..ObligationFilter::default()
            })
            .await
            .unwrap();
        for (i, p) in obligations.iter().enumerate() {
            let o = &p.obligation;
            let work_date = match i % 5 {
                0 => o.period_start,
                1 => o.due_on + chrono::Days::new(3),
                2 | 3 => continue,
                _ => o.due_on,
            };
            let mut w = store.write(&Actor::system()).await.unwrap();
            w.create_record(
                o.id,
                &NewVersion {
                    work_date,
                    content: "学习".into(),
                    ..NewVersion::default()
                },
            )
            .await
            .unwrap();
            w.commit().await.unwrap();
        }
        let reported = obligations
            .iter()
            .filter(|p| p.obligation.report_to_parent)
            .filter(|p| {
                // Those the loop above gave a record.
                let i = obligations
                    .iter()
                    .position(|q| q.obligation.id == p.obligation.id)
                    .unwrap();
                !matches!(i % 5, 2 | 3)
            })
            .count() as i64;
        assert!(reported > 0);
        // The bureau acknowledges one report and returns another, which the school corrects (so
        // it waits again): two fewer waiting, then one more.
        let inbox = store
            .reader()
            .await
            .unwrap()
            .inbox(bureau.id)
            .await
            .unwrap();
        assert!(inbox.len() >= 2, "{}", inbox.len());
        let mut w = store.write(&Actor::system()).await.unwrap();
        let (first, second) = (&inbox[0].1, &inbox[1].1);
        w.acknowledge(first.id, bureau.id, "已阅", Some(first.current_version))
            .await
            .unwrap();
        w.return_record(second.id, bureau.id, "请补充", Some(second.current_version))
            .await
            .unwrap();
        w.commit().await.unwrap();
        let waiting = |store: Store, top: i64| async move {
            // What waits, by the ledger's own inboxes of every unit in the subtree.
            let mut r = store.reader().await.unwrap();
            let mut n = 0;
            for u in r.subtree(top).await.unwrap() {
                n += r.inbox(u.id).await.unwrap().len() as i64;
            }
            n
        };
        assert_eq!(waiting(store.clone(), bureau.id).await, reported - 2);
        let mut w = store.write(&Actor::system()).await.unwrap();
        w.correct_record(
            second.id,
            second.current_version,
            &NewVersion {
                work_date: inbox[1].0.period_start,
                content: "补充了材料".into(),
                reason: Some("按退回意见补充".into()),
                ..NewVersion::default()
            },
        )
        .await
        .unwrap();
        w.commit().await.unwrap();
        let reported = waiting(store.clone(), bureau.id).await;
        let today = day("2026-03-20");
        for (top, year) in [
            (&bureau, 2025),
            (&bureau, 2026),
            (&schools[0], 2025),
            (&schools[0], 2026),
        ] {
            let mut r = store.reader().await.unwrap();
            let dash = r.dashboard(top, year, today, 10, 5).await.unwrap();
            let children = r.children(top.id).await.unwrap();
            let size = r.subtree_size(top.id).await.unwrap();
            drop(r);
            assert_eq!(dash.standing, expected(&store, top.id, year, today).await);
            assert_eq!(dash.units_in_subtree, size);
            let own = dash.units.iter().filter(|u| u.own).count();
            assert_eq!(dash.units.len(), children.len() + own, "{:?}", dash.units);
            // The school's own obligations are a row of their own; the bureau has none.
            assert_eq!(own, usize::from(top.id != bureau.id));
            let mut sum = zeren_core::oversight::Standing::default();
            for u in &dash.units {
                sum = sum.plus(u.standing);
                if !u.own {
                    assert_eq!(u.standing, expected(&store, u.unit_id, year, today).await);
                }
            }
            assert_eq!(sum, dash.standing, "the rows add up to the whole");
            for w in dash.units.windows(2) {
                assert_ne!(
                    w[0].standing.worse_than(&w[1].standing),
                    std::cmp::Ordering::Greater
                );
            }
            // Per duty and per heat-map cell, against the obligations, and each drill-down.
            let all = store
                .reader()
                .await
                .unwrap()
                .obligations(&ObligationFilter {
                    subtree_of: Some(top.id),
                    due_from: Some(NaiveDate::from_ymd_opt(year, 1, 1).unwrap()),
                    due_to: Some(NaiveDate::from_ymd_opt(year, 12, 31).unwrap()),
                    ..ObligationFilter::default()
                })
                .await
                .unwrap();
            let count = |keep: &dyn Fn(&ObligationProgress) -> bool| {
                let (mut a, mut p) = (Counts::default(), Counts::default());
                for o in all.iter().filter(|o| keep(o)) {
                    let c = Counts::one(
                        o.obligation.due_on,
                        fulfilled_on(o.obligation.times as u32, &o.work_dates),
                    );
                    a = a.plus(c);
                    if o.obligation.due_on < today {
                        p = p.plus(c);
                    }
                }
                Standing::of(a, p)
            };
            assert!(!dash.duties.is_empty());
            for d in &dash.duties {
                assert_eq!(
                    d.standing,
                    count(&|o| o.obligation.policy_id == d.policy_id
                        && o.obligation.duty_id == d.duty_id),
                    "{}",
                    d.title
                );
            }
            let counted = dash.units.iter().filter(|u| u.standing.total() != 0);
            assert_eq!(
                dash.heat.len(),
                counted.count(),
                "units with something counted"
            );
            for row in &dash.heat {
                // The row's own obligations, or its subtree's (a department under its school).
                let reach: Vec<i64> = if row.own {
                    vec![row.unit_id]
                } else {
                    let mut r = store.reader().await.unwrap();
                    r.subtree(row.unit_id)
                        .await
                        .unwrap()
                        .iter()
                        .map(|u| u.id)
                        .collect()
                };
                let below = |o: &ObligationProgress| reach.contains(&o.obligation.unit_id);
                for (d, cell) in dash.duties.iter().zip(&row.cells) {
                    let want = count(&|o| {
                        below(o)
                            && o.obligation.policy_id == d.policy_id
                            && o.obligation.duty_id == d.duty_id
                    });
                    assert_eq!(
                        cell.unwrap_or_default(),
                        want,
                        "{} {}",
                        row.unit_id,
                        d.title
                    );
                    assert_eq!(cell.is_none(), want.total() == 0);
                }
                // Every kind's drill-down of the row lists as many as its count says.
                let reach = if row.own {
                    Reach::Own(row.unit_id)
                } else {
                    Reach::Subtree(row.unit_id)
                };
                for which in zeren_core::oversight::Which::ALL {
                    let drill = Drill {
                        reach,
                        duty: Some((
                            dash.duties[0].policy_id.clone(),
                            dash.duties[0].duty_id.clone(),
                        )),
                        from: NaiveDate::from_ymd_opt(year, 1, 1).unwrap(),
                        to: NaiveDate::from_ymd_opt(year, 12, 31).unwrap(),
                        which,
                    };
                    let mut r = store.reader().await.unwrap();
                    let n = r
                        .drill_standing(&drill, today)
                        .await
                        .unwrap()
                        .0
                        .count(which);
                    let listed = r.drill(&drill, today, 10_000).await.unwrap();
                    assert_eq!(listed.len() as i64, n, "{which:?}");
                    for p in &listed {
                        assert!(which.holds(
                            p.obligation.due_on,
                            fulfilled_on(p.obligation.times as u32, &p.work_dates),
                            today
                        ));
                    }
                }
            }
            // Each duty's months add up to what it had due, and the duties' months to the months.
            assert_eq!(dash.duty_months.len(), dash.duties.len());
            for (d, months) in dash.duties.iter().zip(&dash.duty_months) {
                let due: i64 = months.iter().map(|m| m.standing.due).sum();
                assert_eq!(due, d.standing.due, "{}", d.title);
            }
            for (i, m) in dash.months.iter().enumerate() {
                let sum = dash
                    .duty_months
                    .iter()
                    .fold(Standing::default(), |s, d| s.plus(d[i].standing));
                assert_eq!(sum, m.standing, "month {}", m.month);
            }
            // The months add up to what was due.
            let due: i64 = dash.months.iter().map(|m| m.standing.due).sum();
            assert_eq!(due, dash.standing.due);
            assert_eq!(
                dash.pending,
                waiting(store.clone(), top.id).await,
                "reports waiting for 签收"
            );
            if top.id == bureau.id {
                assert_eq!(dash.pending, reported);
                assert!(dash.pending_oldest.len() == dash.pending.min(5) as usize);
            }
            assert!(dash.pending_oldest.len() as i64 <= 5);
            assert_eq!(
                dash.pending_by_age.iter().map(|a| a.count).sum::<i64>(),
                dash.pending
            );
        }
        store.close().await;
        db.drop_db().await;
    }
}

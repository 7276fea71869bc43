//! The parent's dashboard over HTTP (issue 14): the bureau sees its schools worst first, and every
//! number on the page leads to a list of exactly that many obligations, each to its page; the
//! reports waiting for 签收 are counted and listed; the JSON is what the document says and the
//! workbook opens. A school's clerk sees the school's own subtree and nothing of its peer or of
//! the bureau. On SQLite, and on PostgreSQL when configured.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use zeren_policy::calendar::WorkCalendar;
use zeren_store::ledger::{LedgerRead, NewVersion, ObligationFilter};
use zeren_store::testdb::TestDb;
use zeren_store::{Actor, AdminDuty, Level, NewPerson};

use crate::helpers::*;

/// A school under `parent` with the district pack in force since the start of last year, and a
/// clerk who may edit there.
async fn school(app: &App, parent: i64, name: &str, clerk: &str) -> i64 {
    let hash = zeren_web::auth::hash_password(PASSWORD).unwrap();
    let mut w = app.store.write(&Actor::system()).await.unwrap();
    let unit = w.create_unit(Some(parent), name, "学校").await.unwrap();
    let p = w
        .create_person(&NewPerson {
            unit_id: unit.id,
            name: format!("{name}办公室"),
            ..NewPerson::default()
        })
        .await
        .unwrap();
    let text = zeren_policy::packs::get("district-school").unwrap().text;
    let inst = w
        .install_policy(unit.id, "district-school", "1", "实施办法", text, "x")
        .await
        .unwrap();
    let start =
        chrono::NaiveDate::from_ymd_opt(chrono::Datelike::year(&zeren_web::today()) - 1, 1, 1)
            .unwrap();
    w.set_policy_effective_from(inst.id, start).await.unwrap();
    let a = w
        .create_account(clerk, Some(p.id), &hash, AdminDuty::None)
        .await
        .unwrap();
    w.set_grant(a.id, unit.id, Level::Edit).await.unwrap();
    w.commit().await.unwrap();
    unit.id
}

/// The hrefs of a page that lead somewhere under `prefix`, entities decoded.
fn links(html: &str, prefix: &str) -> BTreeSet<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(unescape)
        .filter(|h| h.starts_with(prefix))
        .collect()
}

/// The number on the drill-down's active tab.
fn active_count(html: &str) -> i64 {
    let at = html
        .find("aria-current=\"page\"><b>")
        .expect("an active tab")
        + 23;
    html[at..].split('<').next().unwrap().parse().unwrap()
}

#[tokio::test]
async fn the_bureau_drills_down_and_a_school_sees_only_its_own() {
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        let bureau = app.setup("bureau", "河东区教体局").await;
        let first = school(&app, bureau, "河东区第一中学", "clerk1").await;
        let second = school(&app, bureau, "河东区第二中学", "clerk2").await;
        let hash = zeren_web::auth::hash_password(PASSWORD).unwrap();
        let mut w = app.store.write(&Actor::system()).await.unwrap();
        let a = w
            .create_account("office", None, &hash, AdminDuty::None)
            .await
            .unwrap();
        w.set_grant(a.id, bureau, Level::Read).await.unwrap();
        w.commit().await.unwrap();
        // Last year and this one, month by month.
        let today = zeren_web::today();
        let cal = WorkCalendar::bundled();
        let mut d =
            chrono::NaiveDate::from_ymd_opt(chrono::Datelike::year(&today) - 1, 1, 15).unwrap();
        while d < today {
            zeren_store::materialise::materialise_all(&app.store, d, &cal)
                .await
                .unwrap();
            d = d.checked_add_months(chrono::Months::new(1)).unwrap();
        }
        zeren_store::materialise::materialise_all(&app.store, today, &cal)
            .await
            .unwrap();
        // The first school did everything that fell due, on time; the second nothing.
        let due: Vec<_> = app
            .store
            .reader()
            .await
            .unwrap()
            .obligations(&ObligationFilter {
                unit: Some(first),
                due_to: Some(today.pred_opt().unwrap()),
                ..ObligationFilter::default()
            })
            .await
            .unwrap();
        assert!(!due.is_empty());
        let mut w = app.store.write(&Actor::system()).await.unwrap();
        for p in &due {
            for _ in 0..p.obligation.times.max(1) {
                w.create_record(
                    p.obligation.id,
                    &NewVersion {
                        work_date: p.obligation.period_start,
                        content: "按时完成".into(),
                        ..NewVersion::default()
                    },
                )
                .await
                .unwrap();
            }
        }
        w.commit().await.unwrap();
        let reported = due.iter().filter(|p| p.obligation.report_to_parent).count() as i64;
        let year = chrono::Datelike::year(&today);

        // The bureau: the unit page leads to the dashboard, which names both schools, the
        // second (nothing done) before the first.
        let office = app.login("office").await;
        let unit_page = office.get(&format!("/units/{bureau}")).await;
        assert!(unit_page
            .text
            .contains(&format!("href=\"/units/{bureau}/dashboard\"")));
        let page = office.get(&format!("/units/{bureau}/dashboard")).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        let (one, two) = (
            page.text.find("河东区第一中学").unwrap(),
            page.text.find("河东区第二中学").unwrap(),
        );
        assert!(two < one, "worst first");
        for figure in [
            "units-figure",
            "heat-figure",
            "duties-figure",
            "periods-figure",
            "trend-figure",
        ] {
            assert!(
                page.text.contains(&format!("id=\"{figure}\"")),
                "{figure} is drawn"
            );
        }
        assert!(page.text.contains("role=\"img\"") && page.text.contains("<desc id="));
        let json = office
            .get(&format!("/api/v1/units/{bureau}/dashboard?year={year}"))
            .await;
        assert_eq!(json.status, StatusCode::OK, "{}", json.text);
        let dash = json.json();
        let units = dash["units"].as_array().unwrap();
        assert_eq!(units[0]["unit_id"], second);
        assert_eq!(units[1]["unit_id"], first);
        assert_eq!(units[1]["standing"]["overdue"], 0);
        assert_eq!(units[1]["standing"]["late"], 0);
        assert_eq!(
            units[0]["standing"]["overdue"], units[0]["standing"]["due"],
            "nothing done at the second school"
        );
        assert_eq!(dash["pending"], reported);
        // Every number leads to exactly as many obligations (the first 500 are listed), and
        // each listed obligation opens.
        let drills = links(&page.text, "/units/");
        let drills: Vec<&String> = drills
            .iter()
            .filter(|h| h.contains("/dashboard/obligations?"))
            .collect();
        assert!(drills.len() > 10, "{drills:?}");
        let mut opened = BTreeSet::new();
        for href in drills {
            let r = office.get(href).await;
            assert_eq!(r.status, StatusCode::OK, "{href}: {}", r.text);
            let listed = links(&r.text, "/obligations/");
            let n = active_count(&r.text);
            assert_eq!(listed.len() as i64, n.min(500), "{href}");
            if let Some(o) = listed.into_iter().next() {
                opened.insert(o);
            }
        }
        for o in opened.iter().take(5) {
            assert_eq!(office.get(o).await.status, StatusCode::OK, "{o}");
        }
        // The reports waiting for 签收, all and by age.
        if reported > 0 {
            let r = office
                .get(&format!("/units/{bureau}/dashboard/reports"))
                .await;
            assert_eq!(r.status, StatusCode::OK);
            assert_eq!(
                links(&r.text, "/obligations/").len() as i64,
                reported,
                "{}",
                r.text
            );
            assert!(page
                .text
                .contains(&format!("/units/{bureau}/dashboard/reports?age=")));
        }
        // The workbook.
        for path in [
            format!("/units/{bureau}/dashboard.xlsx"),
            format!("/api/v1/units/{bureau}/dashboard.xlsx?year={year}"),
        ] {
            let x = office.get(&path).await;
            assert_eq!(x.status, StatusCode::OK, "{path}");
            assert_eq!(&x.body[..2], b"PK");
            let mut z = zip::ZipArchive::new(std::io::Cursor::new(x.body.clone())).unwrap();
            let mut shared = String::new();
            std::io::Read::read_to_string(
                &mut z.by_name("xl/sharedStrings.xml").unwrap(),
                &mut shared,
            )
            .unwrap();
            assert!(shared.contains("河东区第二中学") && shared.contains("逾期未完成"));
        }
        // What the page refuses.
        for bad in [
            "?year=1999",
            "/obligations?which=sometimes",
            "/obligations?month=13",
        ] {
            let path = match bad.strip_prefix('?') {
                Some(q) => format!("/units/{bureau}/dashboard?{q}"),
                None => format!("/units/{bureau}/dashboard{bad}"),
            };
            assert_eq!(
                office.get(&path).await.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{path}"
            );
        }

        // The first school's clerk: its own dashboard, nothing of its peer or of the bureau.
        let clerk = app.login("clerk1").await;
        let own = clerk.get(&format!("/units/{first}/dashboard")).await;
        assert_eq!(own.status, StatusCode::OK);
        assert!(!own.text.contains("河东区第二中学"));
        for path in [
            format!("/units/{second}/dashboard"),
            format!("/units/{second}/dashboard/obligations?which=overdue"),
            format!("/units/{second}/dashboard/reports"),
            format!("/units/{bureau}/dashboard"),
            format!("/units/{bureau}/dashboard.xlsx"),
            format!("/api/v1/units/{second}/dashboard"),
            format!("/api/v1/units/{bureau}/dashboard"),
        ] {
            assert_eq!(
                clerk.get(&path).await.status,
                StatusCode::FORBIDDEN,
                "{path}"
            );
        }
        let json = clerk.get(&format!("/api/v1/units/{first}/dashboard")).await;
        assert_eq!(json.status, StatusCode::OK);
        let units = json.json()["units"].as_array().unwrap().clone();
        assert_eq!(units.len(), 1, "the school's own row only: {units:?}");
        assert_eq!(units[0]["own"], true);
        app.stop().await;
    }
}

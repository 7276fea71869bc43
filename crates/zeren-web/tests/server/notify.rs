//! The in-app inbox over HTTP: the notices scan puts a due-soon reminder in the inbox of the
//! person who answers for the work, and a notice of a review step in the inbox of the person who
//! must decide it, once however often it runs; the navigation counts it; only
//! the recipient reads it (another account finds nothing, over the page and the API). On SQLite,
//! and on PostgreSQL when configured.

use reqwest::StatusCode;
use zeren_policy::calendar::WorkCalendar;
use zeren_store::ledger::{LedgerRead, ObligationFilter};
use zeren_store::notify::Channel;
use zeren_store::notify_scan::{queue_notices, ScanSettings};
use zeren_store::testdb::TestDb;
use zeren_store::{Actor, AdminDuty, Level, NewPerson};

use crate::helpers::*;

#[tokio::test]
async fn a_reminder_reaches_only_its_recipients_inbox_once() {
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        let bureau = app.setup("bureau", "河东区教体局").await;
        let hash = zeren_web::auth::hash_password(PASSWORD).unwrap();
        let mut w = app.store.write(&Actor::system()).await.unwrap();
        let school = w
            .create_unit(Some(bureau), "河东区第一中学", "学校")
            .await
            .unwrap();
        let mut people = Vec::new();
        for n in ["王庆彬", "李娜"] {
            let p = w
                .create_person(&NewPerson {
                    unit_id: school.id,
                    name: n.into(),
                    ..NewPerson::default()
                })
                .await
                .unwrap();
            people.push(p.id);
        }
        let text = zeren_policy::packs::get("district-school").unwrap().text;
        w.install_policy(
            school.id,
            "district-school",
            "1",
            "学校意识形态工作责任制实施办法",
            text,
            "x",
        )
        .await
        .unwrap();
        w.assign(
            people[0],
            school.id,
            "first_responsible",
            chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
        )
        .await
        .unwrap();
        w.create_account("secretary", Some(people[0]), &hash, AdminDuty::None)
            .await
            .unwrap();
        let clerk = w
            .create_account("clerk", Some(people[1]), &hash, AdminDuty::None)
            .await
            .unwrap();
        w.set_grant(clerk.id, school.id, Level::Administer)
            .await
            .unwrap();
        w.commit().await.unwrap();
        zeren_store::materialise::materialise_all(
            &app.store,
            zeren_web::today(),
            &WorkCalendar::bundled(),
        )
        .await
        .unwrap();
        let today = zeren_web::today();
        let study = app
            .store
            .reader()
            .await
            .unwrap()
            .obligations(&ObligationFilter {
                unit: Some(school.id),
                duty: Some("quarterly_study".into()),
                ..ObligationFilter::default()
            })
            .await
            .unwrap()
            .into_iter()
            .find(|p| p.obligation.period_start <= today && today <= p.obligation.period_end)
            .unwrap()
            .obligation;

        // The clerk submits a major decision: its first step waits for the first responsible.
        let item = submit_decision(&app, school.id, people[1]).await;

        // The scan on the study's due date: due today.
        let s = ScanSettings::defaults(study.due_on, zeren_store::now());
        let q = queue_notices(&app.store, &s, &[Channel::Inbox])
            .await
            .unwrap();
        assert!(q.new >= 1, "{q:?}");
        let again = queue_notices(&app.store, &s, &[Channel::Inbox])
            .await
            .unwrap();
        assert_eq!(again.new, 0, "a re-run sends nothing twice");

        let me = app.login("secretary").await;
        let inbox = me.get("/api/v1/notifications").await.json();
        let link = format!("/obligations/{}", study.id);
        let mine: Vec<&serde_json::Value> = inbox["messages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["link"] == link.as_str())
            .collect();
        assert_eq!(mine.len(), 1, "{inbox}");
        assert!(mine[0]["subject"]
            .as_str()
            .unwrap()
            .starts_with("【即将到期】"));
        let id = mine[0]["id"].as_i64().unwrap();
        let waiting: Vec<&serde_json::Value> = inbox["messages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["link"] == format!("/reviews/{item}").as_str())
            .collect();
        assert_eq!(waiting.len(), 1, "{inbox}");
        assert_eq!(waiting[0]["subject"], "【待审核】绩效方案");
        let unread = inbox["unread"].as_i64().unwrap();
        assert!(unread >= 1);
        let home = me.get("/notifications").await;
        assert_eq!(home.status, StatusCode::OK);
        assert!(home.text.contains(mine[0]["subject"].as_str().unwrap()));
        assert!(me
            .get("/notifications/count")
            .await
            .text
            .contains(&format!(">{unread}<")));

        // The clerk administers the school but reads nothing of the secretary's.
        let other = app.login("clerk").await;
        let theirs = other.get("/api/v1/notifications").await.json();
        assert!(theirs["messages"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["id"].as_i64() != Some(id)));
        let r = other
            .json(
                &format!("/api/v1/notifications/{id}/read"),
                serde_json::json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = other.form(&format!("/notifications/{id}/open"), &[]).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);

        // Opening it marks it read and goes to the obligation.
        let r = me.form(&format!("/notifications/{id}/open"), &[]).await;
        assert_eq!(
            (r.status, r.location()),
            (StatusCode::SEE_OTHER, link.as_str())
        );
        let after = me.get("/api/v1/notifications").await.json();
        assert_eq!(after["unread"].as_i64().unwrap(), unread - 1);
        let r = me
            .json(
                &format!("/api/v1/notifications/{id}/read"),
                serde_json::json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert!(r.json()["read_at"].is_string());
        let r = me.form("/notifications/read-all", &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(me.get("/notifications/count").await.text, "");
        app.stop().await;
    }
}

/// A major decision of `unit` submitted by `person`, in review at its first step.
async fn submit_decision(app: &App, unit: i64, person: i64) -> i64 {
    use zeren_store::reviews::*;
    use zeren_store::Read;
    let policy = app
        .store
        .reader()
        .await
        .unwrap()
        .policy_in_force(unit)
        .await
        .unwrap()
        .unwrap();
    let mut w = app.store.write(&Actor::system()).await.unwrap();
    let version = NewItemVersion {
        title: "绩效方案".into(),
        details: serde_json::json!({}),
        ..NewItemVersion::default()
    };
    let item = w
        .create_review_item(
            &NewItem {
                unit_id: unit,
                installed_policy_id: policy.id,
                workflow_id: "major_decision".into(),
                kind: "decision".into(),
                channel_id: None,
                major: true,
                submitter_person_id: person,
            },
            &version,
        )
        .await
        .unwrap();
    let submitted = zeren_core::review::Event::Submitted {
        by: zeren_core::org::PersonId(person),
        version: 1,
        hash: version.hash(),
    };
    w.append_review_event(
        item.id,
        0,
        &submitted,
        zeren_core::review::Stage::InReview { step: 0 },
    )
    .await
    .unwrap();
    w.commit().await.unwrap();
    item.id
}

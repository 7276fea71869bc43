//! The review store: items with versions and events, channels, risk assessments; two decisions of
//! the same step appended at once store exactly one; versions and events are never changed. On
//! SQLite and (with ZEREN_TEST_DATABASE_URL) on PostgreSQL.

use zeren_core::review::{Event, Stage};
use zeren_store::reviews::*;
use zeren_store::testdb::TestDb;
use zeren_store::*;

struct Fixture {
    store: Store,
    unit: i64,
    person: i64,
    policy: i64,
}

async fn fixture(db: &TestDb) -> Fixture {
    let store = Store::open(&db.url, HashAlg::Sha256).await.unwrap();
    let mut w = store.write(&Actor::system()).await.unwrap();
    let unit = w.create_unit(None, "市卫健委", "局").await.unwrap();
    let person = w
        .create_person(&NewPerson {
            unit_id: unit.id,
            name: "宣传干事".into(),
            ..NewPerson::default()
        })
        .await
        .unwrap();
    let policy = w
        .install_policy(unit.id, "bureau", "1", "办法", "format = 1", "abc")
        .await
        .unwrap();
    w.commit().await.unwrap();
    Fixture {
        store,
        unit: unit.id,
        person: person.id,
        policy: policy.id,
    }
}

fn version(title: &str) -> NewItemVersion {
    NewItemVersion {
        title: title.into(),
        body: "正文".into(),
        details: serde_json::json!({}),
        findings: vec![ScanFinding {
            file: Some("名单.xlsx".into()),
            kind: "cn_resident_id".into(),
            kind_zh: "居民身份证号".into(),
            confidence: "high".into(),
            location: "Sheet1!B2".into(),
            masked: "110105********002X".into(),
            context: "张三 110105********002X".into(),
            blocks: true,
            code: None,
        }],
        attachments: Vec::new(),
    }
}

#[tokio::test]
async fn items_versions_events_and_one_decision_per_step() {
    for db in TestDb::all().await {
        let f = fixture(&db).await;
        let actor = Actor {
            account_id: None,
            name: "officer".into(),
        };
        let mut w = f.store.write(&Actor::system()).await.unwrap();
        let ch = w
            .create_channel(&NewChannel {
                unit_id: f.unit,
                kind: "website".into(),
                name: "门户网站".into(),
                locator: "https://example.gov.cn".into(),
                responsible_person_id: Some(f.person),
                filed_on: None,
            })
            .await
            .unwrap();
        let item = w
            .create_review_item(
                &NewItem {
                    unit_id: f.unit,
                    installed_policy_id: f.policy,
                    workflow_id: "publication".into(),
                    kind: "publication".into(),
                    channel_id: Some(ch.id),
                    major: true,
                    submitter_person_id: f.person,
                },
                &version("奖学金名单"),
            )
            .await
            .unwrap();
        // Every change after the registration says why.
        assert!(w.set_channel_status(ch.id, "closed", " ").await.is_err());
        let closed = w
            .set_channel_status(ch.id, "closed", "公众号停止运营")
            .await
            .unwrap();
        assert_eq!(closed.status, "closed");
        assert!(w.set_channel_status(ch.id, "gone", "x").await.is_err());
        w.commit().await.unwrap();
        let history = f
            .store
            .reader()
            .await
            .unwrap()
            .channel_changes(ch.id)
            .await
            .unwrap();
        let states: Vec<&str> = history.iter().map(|c| c.status.as_str()).collect();
        assert_eq!(states, ["active", "closed"]);
        assert_eq!(history[1].reason, "公众号停止运营");
        assert_eq!((item.stage.as_str(), item.current_version), ("draft", 1));

        let v1 = version("奖学金名单");
        let mut w = f.store.write(&actor).await.unwrap();
        let submitted = Event::Submitted {
            by: zeren_core::org::PersonId(f.person),
            version: 1,
            hash: v1.hash(),
        };
        w.append_review_event(item.id, 0, &submitted, Stage::InReview { step: 0 })
            .await
            .unwrap();
        w.commit().await.unwrap();

        // Two reviewers append a decision at the same sequence number at once.
        let decide = |seq: i64, by: i64| {
            let store = f.store.clone();
            let id = item.id;
            async move {
                let mut w = store
                    .write(&Actor {
                        account_id: None,
                        name: format!("r{by}"),
                    })
                    .await?;
                let e = Event::Returned {
                    step: 0,
                    by: zeren_core::org::PersonId(by),
                    hash: "h".into(),
                    comment: format!("退回{by}"),
                };
                w.append_review_event(id, seq, &e, Stage::Returned).await?;
                w.commit().await
            }
        };
        let (a, b) = tokio::join!(tokio::spawn(decide(1, 2)), tokio::spawn(decide(1, 3)));
        let results = [a.unwrap(), b.unwrap()];
        assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1);
        let lost = results.into_iter().find_map(|r| r.err()).unwrap();
        assert!(
            matches!(&lost, Error::Conflict(m) if m == DECIDED_BY_OTHERS),
            "{lost:?}"
        );

        let mut r = f.store.reader().await.unwrap();
        let events = r.item_events(item.id).await.unwrap();
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].event, submitted);
        assert_eq!(events[1].seq, 1);
        assert_eq!(
            r.review_item(item.id).await.unwrap().unwrap().stage,
            "returned"
        );
        drop(r);

        // A new version: stale edits conflict.
        let mut w = f.store.write(&actor).await.unwrap();
        let v2 = version("奖学金名单（脱敏）");
        assert_eq!(w.add_item_version(item.id, 1, &v2).await.unwrap(), 2);
        assert!(matches!(
            w.add_item_version(item.id, 1, &v2).await,
            Err(Error::Conflict(_))
        ));
        let ra = w
            .add_risk_assessment(
                item.id,
                &NewRiskAssessment {
                    consultations: vec![Consultation {
                        kind: "座谈会".into(),
                        date: chrono::NaiveDate::from_ymd_opt(2026, 5, 1).unwrap(),
                        summary: "听取教职工意见".into(),
                    }],
                    risk_level: "medium".into(),
                    contingency: "预案".into(),
                },
            )
            .await
            .unwrap();
        w.commit().await.unwrap();
        let mut r = f.store.reader().await.unwrap();
        let versions = r.item_versions(item.id).await.unwrap();
        assert_eq!(versions.len(), 2);
        assert_eq!(versions[1].hash, v2.hash());
        assert_ne!(versions[0].hash, versions[1].hash);
        assert_eq!(versions[0].blocking, 1);
        assert_eq!(versions[0].findings[0].masked, "110105********002X");
        assert_eq!(r.risk_assessments(item.id).await.unwrap(), vec![ra]);
        let listed = r
            .review_items(&ItemFilter {
                subtree_of: Some(f.unit),
                kind: Some("publication".into()),
                stage: Some("returned".into()),
                ..ItemFilter::default()
            })
            .await
            .unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].title, "奖学金名单（脱敏）");
        assert!(r
            .review_items(&ItemFilter {
                stage: Some("approved".into()),
                ..ItemFilter::default()
            })
            .await
            .unwrap()
            .is_empty());
        drop(r);

        for sql in [
            "UPDATE review_events SET event = '{}'",
            "DELETE FROM review_events",
            "UPDATE review_versions SET body = 'x'",
            "DELETE FROM review_versions",
            "UPDATE channel_changes SET status = 'active'",
            "DELETE FROM channel_changes",
        ] {
            assert!(db.exec_raw(sql).await.is_err(), "refused: {sql}");
        }
        assert!(f.store.verify_audit().await.unwrap().first_break.is_none());
        f.store.close().await;
        db.drop_db().await;
    }
}

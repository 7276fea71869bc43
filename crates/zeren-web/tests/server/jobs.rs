//! The dead letters over HTTP: a job that failed for good is listed for the system administrator
//! (and nobody else), who retries it; the runner then runs it. On SQLite, and on PostgreSQL when
//! configured.

use reqwest::StatusCode;
use serde_json::json;
use zeren_core::jobs::{lease_until, AfterFailure};
use zeren_store::jobs::{JobRead, NewJob};
use zeren_store::testdb::TestDb;
use zeren_store::Actor;

use crate::helpers::*;

#[tokio::test]
async fn the_system_administrator_sees_and_retries_a_dead_job() {
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        app.setup("bureau", "河东区教体局").await;
        // A sweep that failed for good (as after its last attempt), due in an hour so that the
        // server's runner leaves it to the test, which claims it as if it were then.
        let then = zeren_store::now() + chrono::Duration::hours(1);
        let id = app
            .store
            .enqueue_job(&NewJob::now("sweep", json!({})).key("sweep@test").at(then))
            .await
            .unwrap()
            .unwrap();
        let mut job = None;
        for _ in 0..50 {
            if let Some(j) = app
                .store
                .claim_job("test", then, lease_until(then))
                .await
                .unwrap()
            {
                if j.id == id {
                    job = Some(j);
                    break;
                }
                // The server's own periodic jobs: let them finish.
                let mut w = app.store.write(&Actor::system()).await.unwrap();
                w.finish_job(&j).await.unwrap();
                w.commit().await.unwrap();
            } else {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
        }
        let job = job.expect("the test claims its job");
        let mut w = app.store.write(&Actor::system()).await.unwrap();
        assert!(w
            .fail_job(&job, "database unreachable", AfterFailure::Dead)
            .await
            .unwrap());
        w.commit().await.unwrap();

        let sys = app.login("sysadmin").await;
        let page = sys.get("/jobs").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text.contains(&format!("id=\"job-{id}\"")));
        assert!(page.text.contains("database unreachable"));
        assert!(page.text.contains("清理"), "the kind in words");
        let list = sys.get("/api/v1/jobs").await.json();
        assert_eq!(list["counts"]["dead"], 1);
        assert_eq!(list["dead"][0]["id"], id);
        // Nobody else sees them.
        for other in ["secadmin", "auditadmin"] {
            let c = app.login(other).await;
            assert_eq!(c.get("/jobs").await.status, StatusCode::FORBIDDEN);
            assert_eq!(c.get("/api/v1/jobs").await.status, StatusCode::FORBIDDEN);
        }

        let r = sys
            .json(&format!("/api/v1/jobs/{id}/retry"), json!({}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.json()["attempts"], 0);
        let r = sys.form(&format!("/jobs/{id}/retry"), &[]).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "only a dead job");
        // The runner runs it again.
        let mut state = String::new();
        for _ in 0..100 {
            state = app
                .store
                .reader()
                .await
                .unwrap()
                .job(id)
                .await
                .unwrap()
                .unwrap()
                .state;
            if state == "done" {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_eq!(state, "done");
        app.stop().await;
    }
}

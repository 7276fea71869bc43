//! Integration tests: the real server on port 0 with its own database, driven over HTTP.
//! Every test runs on SQLite, and on PostgreSQL too when ZEREN_TEST_DATABASE_URL is set.

mod accountability;
mod assessment;
mod audit_log;
mod auth;
mod district;
#[path = "../common/draft_plan.rs"]
mod draft_plan;
mod drafting;
mod english;
mod forms;
mod helpers;
mod imports;
mod incidents;
mod inspections;
mod jobs;
mod journey;
mod ledger;
mod matrix;
mod notify;
mod oversight;
mod paging;
mod reviews;
mod reviews_scan;
#[path = "../common/robot_receiver.rs"]
mod robot_receiver;
mod robots;
mod schema;
mod security;

/// The validator itself: it refuses what the document does not say.
#[test]
fn the_validator_refuses_what_the_document_does_not_say() {
    let spec = &zeren_web::openapi::spec();
    let unit = serde_json::json!({ "id": 1, "parent_id": null, "name": "学校", "kind": "学校", "created_at": "2026-01-01T00:00:00Z", "retired_on": null, "retired_reason": null, "merged_into": null });
    let schema = serde_json::json!({ "$ref": "#/components/schemas/Unit" });
    assert!(schema::validate(spec, &schema, &unit, "$").is_ok());
    let mut extra = unit.clone();
    extra["secret"] = serde_json::json!(1);
    assert!(
        schema::validate(spec, &schema, &extra, "$").is_err(),
        "an undocumented field"
    );
    let mut missing = unit.clone();
    missing.as_object_mut().unwrap().remove("kind");
    assert!(
        schema::validate(spec, &schema, &missing, "$").is_err(),
        "a missing field"
    );
    let mut wrong = unit;
    wrong["id"] = serde_json::json!("1");
    assert!(
        schema::validate(spec, &schema, &wrong, "$").is_err(),
        "a wrong type"
    );
    assert!(
        schema::check("GET", "/units/1", 418, b"").is_err(),
        "an undocumented status"
    );
    assert!(schema::check(
        "GET",
        "/units/1",
        404,
        br#"{"error":"not_found","message":"not found"}"#
    )
    .is_ok());
}

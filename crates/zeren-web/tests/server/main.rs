//! Integration tests: the real server on port 0 with its own database, driven over HTTP.
//! Every test runs on SQLite, and on PostgreSQL too when ZEREN_TEST_DATABASE_URL is set.

mod helpers;
mod journey;
mod ledger;
mod matrix;
mod reviews;
mod security;

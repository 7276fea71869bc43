//! Zeren's domain rules, free of storage and clock: which obligations a unit's installed policies
//! give it now (and with what status), what makes a record acceptable and how it is corrected,
//! how a review moves through its steps, and how responsibility is allocated.
//! The store persists what these functions decide; the web layer only calls them.

pub mod accountability;
pub mod assessment;
pub mod channels;
pub mod incident;
pub mod incident_stats;
pub mod inspection;
pub mod jobs;
pub mod names;
pub mod notify;
pub mod obligations;
pub mod org;
pub mod oversight;
pub mod people;
pub mod records;
pub mod review;
pub mod robots;
pub mod scoring;
pub mod separation;

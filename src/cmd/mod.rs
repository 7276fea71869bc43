pub mod calendar;
pub mod policy;

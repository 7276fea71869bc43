pub mod calendar;
pub mod policy;
pub mod scan;

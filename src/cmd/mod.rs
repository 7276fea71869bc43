pub mod audit;
pub mod calendar;
pub mod demo;
mod demo_evidence;
pub mod policy;
pub mod scan;
pub mod serve;

pub mod audit;
pub mod calendar;
pub mod demo;
pub mod policy;
pub mod scan;
pub mod serve;

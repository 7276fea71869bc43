//! Zeren's policy engine: the policy file format (version 1), its validation with located
//! diagnostics, the working-day calendar, and the expansion of duties into dated obligations.
//! Pure: nothing here touches the clock, the network or a database; `today` is passed in.

pub mod calendar;
pub mod diag;
pub mod diff;
pub mod expand;
pub mod explain;
pub mod fragments;
pub mod model;
pub mod packs;
mod read;

pub use diag::{Diagnostic, Diagnostics};
pub use model::*;
pub use read::{locate, parse, parse_fragment};

//! Expands the ten bundled policy packs for N units over one year on one core, the work a
//! province-wide deployment does when it materialises a year of obligations.
//!
//!     cargo run --release -p zeren-bench --bin policy-expand -- [UNITS] [YEAR] [ROUNDS]
//!
//! Units install the packs round-robin. Every unit is expanded from scratch (no sharing between
//! units), so the figure is the engine's own cost per obligation.

use std::hint::black_box;
use std::time::Instant;

use zeren_policy::calendar::WorkCalendar;
use zeren_policy::expand::expand;
use zeren_policy::packs;

fn main() {
    let mut args = std::env::args().skip(1);
    let units: usize = args.next().map_or(20_000, |a| a.parse().expect("UNITS"));
    let year: i32 = args.next().map_or(2026, |a| a.parse().expect("YEAR"));
    let rounds: usize = args.next().map_or(5, |a| a.parse().expect("ROUNDS"));

    let policies: Vec<_> = packs::all().iter().map(|p| p.policy()).collect();
    let cal = WorkCalendar::bundled();

    println!(
        "policy-expand: {units} units, {} packs, year {year}, {rounds} rounds",
        policies.len()
    );
    let mut best = f64::INFINITY;
    let mut total = 0usize;
    for round in 1..=rounds {
        let start = Instant::now();
        let mut count = 0usize;
        for unit in 0..units {
            let policy = &policies[unit % policies.len()];
            let e = expand(black_box(policy), black_box(year), &cal);
            count += black_box(e.obligations.len());
        }
        let secs = start.elapsed().as_secs_f64();
        best = best.min(secs);
        total = count;
        println!(
            "round {round}: {count} obligations in {:.1} ms = {:.2} M obligations/s",
            secs * 1e3,
            count as f64 / secs / 1e6
        );
    }
    println!(
        "best: {total} obligations in {:.1} ms = {:.2} M obligations/s ({:.0} ns per obligation)",
        best * 1e3,
        total as f64 / best / 1e6,
        best * 1e9 / total as f64
    );
}

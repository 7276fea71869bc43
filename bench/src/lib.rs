//! Benchmarks of Zeren's pure crates. Each benchmark is a binary under `src/bin/`; the figures and
//! the commands that reproduce them are in `docs/benchmarks.md`.

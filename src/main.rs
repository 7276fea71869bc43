//! The `zeren` command.
use clap::Parser;

#[derive(Parser)]
#[command(name = "zeren", version, about = "责任制管理 — Zeren")]
enum Cli {}

fn main() {
    let _ = Cli::parse();
}

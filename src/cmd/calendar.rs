//! `zeren calendar`: show the working-day calendar and import a year's statutory holidays.
//! Imported years live in `DATA/calendar/YEAR.json` (holiday-cn layout) beside the bundled ones.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;
use zeren_policy::calendar::{parse_holiday_cn, WorkCalendar};

#[derive(Subcommand)]
pub enum CalendarCommand {
    /// Import one year of statutory holidays and make-up working days (holiday-cn JSON layout).
    Import {
        /// The JSON file, e.g. 2027.json.
        file: PathBuf,
        /// The data directory.
        #[arg(long, default_value = "zeren-data")]
        data: PathBuf,
    },
    /// Show a year's holidays and make-up working days.
    Show {
        year: i32,
        /// The data directory.
        #[arg(long, default_value = "zeren-data")]
        data: PathBuf,
    },
}

pub fn run(cmd: CalendarCommand) -> ExitCode {
    match cmd {
        CalendarCommand::Import { file, data } => import(&file, &data),
        CalendarCommand::Show { year, data } => match load(&data) {
            Ok(cal) => show(&cal, year),
            Err(e) => {
                eprintln!("{e}");
                ExitCode::from(2)
            }
        },
    }
}

/// The bundled calendar plus every year imported into `data`.
pub fn load(data: &Path) -> Result<WorkCalendar, String> {
    WorkCalendar::with_imported(&data.join("calendar"))
}

fn import(file: &Path, data: &Path) -> ExitCode {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{}: {e}", file.display());
            return ExitCode::from(2);
        }
    };
    let table = match parse_holiday_cn(&text) {
        Ok(t) => t,
        Err(errors) => {
            for e in &errors.0 {
                eprintln!("{}: {e}", file.display());
            }
            eprintln!("未导入：文件有 {} 处错误。", errors.0.len());
            return ExitCode::from(1);
        }
    };
    let dir = data.join("calendar");
    let dest = dir.join(format!("{}.json", table.year));
    let written =
        std::fs::create_dir_all(&dir).and_then(|_| write_atomically(&dest, text.as_bytes()));
    if let Err(e) = written {
        eprintln!("{}: {e}", dest.display());
        return ExitCode::from(2);
    }
    let mut cal = WorkCalendar::default();
    let (year, makeup) = (table.year, table.makeup.len());
    cal.add(table);
    println!(
        "已导入 {year} 年：{} 个法定节假日，{makeup} 个调休上班日（{}）",
        cal.holidays(year).len(),
        dest.display()
    );
    ExitCode::SUCCESS
}

/// Writes via a temporary file, fsync and rename, so a crash leaves the old file or the new one.
fn write_atomically(dest: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let tmp = dest.with_extension("json.tmp");
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, dest)?;
    if let Some(dir) = dest.parent() {
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}

fn show(cal: &WorkCalendar, year: i32) -> ExitCode {
    let Some(table) = cal.years().find(|t| t.year == year) else {
        println!("{year} 年的法定节假日安排尚未导入：到期日仅避开周末。");
        println!("请用 `zeren calendar import FILE` 导入国务院当年的节假日通知（holiday-cn JSON 格式）。");
        return ExitCode::from(1);
    };
    for p in &table.papers {
        println!("{p}");
    }
    for h in cal.holidays(year) {
        let days = (h.end - h.start).num_days() + 1;
        println!("{}  {} 至 {}，共{days}天", h.name, h.start, h.end);
    }
    for (d, name) in &table.makeup {
        println!("{d}（{}）上班（{name}调休）", weekday_zh(*d));
    }
    ExitCode::SUCCESS
}

fn weekday_zh(d: chrono::NaiveDate) -> &'static str {
    use chrono::Datelike;
    ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
        [d.weekday().num_days_from_monday() as usize]
}

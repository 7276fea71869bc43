//! `zeren account reset NAME`: reset an account's password on the server itself (where the web
//! forbids administrators to reset each other): prints a one-time password, forces a change at
//! the next login, ends the account's sessions and tokens, lifts a lockout. Audited as done from
//! the server console.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use zeren_store::{Actor, Read};
use zeren_web::Config;

#[derive(Subcommand)]
pub enum AccountCommand {
    /// Give the account a one-time password that must be changed at the next login.
    Reset {
        /// The account's user name.
        name: String,
        /// Data directory (database, audit key). Default: ./zeren-data
        #[arg(long)]
        data: Option<PathBuf>,
    },
}

/// 20 characters from upper and lower case letters, digits and symbols (each at least once),
/// without look-alikes: satisfies the password policy.
fn one_time_password() -> Result<String, String> {
    const SETS: [&[u8]; 4] = [
        b"ABCDEFGHJKLMNPQRSTUVWXYZ",
        b"abcdefghijkmnpqrstuvwxyz",
        b"23456789",
        b"-_.!@#%+=",
    ];
    let mut bytes = [0u8; 40];
    getrandom::getrandom(&mut bytes).map_err(|e| e.to_string())?;
    let mut out = String::new();
    for (i, b) in bytes.iter().take(20).enumerate() {
        // The first four positions take one of each set; the rest any set.
        let set = if i < 4 {
            SETS[i]
        } else {
            SETS[(bytes[20 + i] % 4) as usize]
        };
        out.push(set[*b as usize % set.len()] as char);
    }
    Ok(out)
}

pub fn run(cmd: AccountCommand) -> ExitCode {
    let AccountCommand::Reset { name, data } = cmd;
    let config = match Config::load(data, None) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("zeren account reset: {e}");
            return ExitCode::from(2);
        }
    };
    if config.database_url().starts_with("sqlite:") && !config.data.join("zeren.db").exists() {
        eprintln!(
            "zeren account reset: no database at {}",
            config.data.join("zeren.db").display()
        );
        return ExitCode::from(2);
    }
    let rt = match super::runtime() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("zeren account reset: {e}");
            return ExitCode::from(2);
        }
    };
    rt.block_on(async {
        match reset(&config, &name).await {
            Ok(password) => {
                println!("one-time password for {name}: {password}");
                println!("it must be changed at the next login; the account's sessions and tokens have ended");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("zeren account reset: {e}");
                ExitCode::FAILURE
            }
        }
    })
}

async fn reset(config: &Config, name: &str) -> Result<String, String> {
    // Writing needs the audit key when the chain is keyed.
    let store = super::open_store(config, super::Key::Existing).await?;
    let r = async {
        let account = store
            .reader()
            .await
            .map_err(|e| e.to_string())?
            .account_by_username(name)
            .await
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("no account named {name:?}"))?;
        let password = one_time_password()?;
        let hash = zeren_web::auth::hash_password(&password).map_err(|e| e.to_string())?;
        let console = Actor {
            account_id: None,
            name: "server console (zeren account reset)".into(),
        };
        let mut w = store.write(&console).await.map_err(|e| e.to_string())?;
        w.reset_password(account.id, &hash)
            .await
            .map_err(|e| e.to_string())?;
        w.clear_login_failures(&account.username)
            .await
            .map_err(|e| e.to_string())?;
        // A lost phone is the usual reason: the one-time codes are set up again after.
        w.remove_totp(account.id).await.map_err(|e| e.to_string())?;
        w.commit().await.map_err(|e| e.to_string())?;
        Ok(password)
    }
    .await;
    store.close().await;
    r
}

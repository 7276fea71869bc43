//! Installing a policy at a unit: the policy version, and the bodies it defines built from the
//! holders of their roles. Used by first-run setup, the policy page, the API and the demo.

use chrono::NaiveDate;
use zeren_policy::Policy;

use crate::{BodySpec, InstalledPolicy, Result, Write};

/// Bodies as the policy defines them, for [`Write::sync_bodies`].
pub fn body_specs(policy: &Policy) -> Vec<BodySpec> {
    policy
        .bodies
        .iter()
        .map(|b| {
            let mut roles = Vec::new();
            roles.extend(b.chair.iter().map(|r| (r.to_string(), "chair".to_string())));
            roles.extend(
                b.deputies
                    .iter()
                    .map(|r| (r.to_string(), "deputy".to_string())),
            );
            roles.extend(
                b.members
                    .iter()
                    .map(|r| (r.to_string(), "member".to_string())),
            );
            BodySpec {
                key: b.id.to_string(),
                title: b.title.clone(),
                within: b.within.as_ref().map(|w| w.to_string()),
                remit: b.remit.clone(),
                roles,
            }
        })
        .collect()
}

/// The SHA-256 of a policy text, as stored with the installed version.
pub fn text_sha256(text: &str) -> String {
    crate::ledger::sha256_hex(text.as_bytes())
}

/// Install inside an open write: the policy version (named by the policy's own version, else
/// the first eight digits of the text's hash) and the bodies it defines.
pub async fn install(
    w: &mut Write,
    unit_id: i64,
    policy: &Policy,
    text: &str,
    today: NaiveDate,
) -> Result<InstalledPolicy> {
    let sha = text_sha256(text);
    let version = policy
        .meta
        .version
        .clone()
        .unwrap_or_else(|| sha[..8].to_string());
    let p = w
        .install_policy(
            unit_id,
            policy.meta.id.as_str(),
            &version,
            &policy.meta.title,
            text,
            &sha,
        )
        .await?;
    w.sync_bodies(unit_id, &body_specs(policy), today).await?;
    Ok(p)
}

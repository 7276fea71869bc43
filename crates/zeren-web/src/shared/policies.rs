//! Policy texts as the web layer handles them: parsing an uploaded or installed text with its
//! diagnostics in the viewer's language, and the digest that pins a previewed text.

use zeren_policy::Policy;
use zeren_store::InstalledPolicy;

use super::error::Error;
use super::i18n::Lang;

/// An installed policy's text, parsed again (it parsed when it was installed).
pub fn parse_installed(p: &InstalledPolicy) -> Result<Policy, Error> {
    zeren_policy::parse(&format!("{}.toml", p.policy_id), &p.text)
        .map_err(|d| Error::Internal(format!("installed policy {} no longer parses: {d}", p.id)))
}

/// Parse a policy text; the diagnostics come back as lines in the viewer's language.
pub fn parse_policy(file_name: &str, text: &str, lang: Lang) -> Result<Policy, Vec<String>> {
    zeren_policy::parse(file_name, text).map_err(|d| {
        d.iter()
            .map(|x| match lang {
                Lang::Zh => x.message_zh(),
                Lang::En => x.to_string(),
            })
            .collect()
    })
}

pub fn sha256(text: &str) -> String {
    super::auth::sha256_hex(text)
}

/// The policy chosen in a form: a bundled pack by id (`pack`), or an uploaded file
/// (`pack = upload`, `policy_file`), with the standard fragments ticked (`fragment`) that it
/// does not cover already. Returns the file name and the self-contained text, or what is wrong.
pub fn chosen(f: &super::multipart::Form, lang: Lang) -> Result<(String, String), Vec<String>> {
    let (name, text) = chosen_text(f, lang)?;
    let wanted = f.all("fragment");
    if wanted.is_empty() {
        return Ok((name, text));
    }
    // A fragment the policy already covers (its own 先审后发) is not added twice.
    let offered: Vec<&str> = zeren_policy::fragments::offered_for(&name, &text)
        .iter()
        .map(|x| x.id)
        .collect();
    let add: Vec<&str> = wanted
        .iter()
        .map(String::as_str)
        .filter(|w| offered.contains(w))
        .collect();
    if add.is_empty() {
        return Ok((name, text));
    }
    let composed = zeren_policy::fragments::compose(&name, &text, &add).map_err(|d| {
        d.iter()
            .map(|x| match lang {
                Lang::Zh => x.message_zh(),
                Lang::En => x.to_string(),
            })
            .collect::<Vec<_>>()
    })?;
    Ok((name, composed))
}

fn chosen_text(f: &super::multipart::Form, lang: Lang) -> Result<(String, String), Vec<String>> {
    let t = super::i18n::Tr(lang);
    let pack = f.text("pack");
    if pack == "upload" {
        let (name, bytes) = f
            .file("policy_file")
            .ok_or_else(|| vec![t.s("policy.pick").to_string()])?;
        let text =
            String::from_utf8(bytes.to_vec()).map_err(|_| vec![format!("{name}: UTF-8?")])?;
        // Kept with LF line ends: the confirm form sends the text back through a textarea,
        // which browsers submit with CRLF, and the hash must match across the round trip.
        Ok((name, text.replace("\r\n", "\n")))
    } else {
        let p = super::packs::find(&pack).ok_or_else(|| vec![t.s("policy.pick").to_string()])?;
        Ok((format!("{}.toml", p.id), p.text.to_string()))
    }
}

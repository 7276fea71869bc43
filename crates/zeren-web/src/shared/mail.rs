//! E-mail notices over SMTP (lettre, rustls): one message of the delivery ledger as plain text
//! and HTML, its Chinese subject encoded for mail (RFC 2047), sent with STARTTLS, TLS or — for a
//! relay nearby — in the clear. The answer says whether trying again can help: a 4xx reply or a
//! lost connection may pass, a 5xx reply (an unknown address, a refused login) will not.

use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use zeren_store::notify::Delivery;

use super::config::Config;

/// What the mail server answered to a message it did not take.
#[derive(Debug)]
pub struct Refused {
    /// The reply code (`550`), or '' when no reply came (the connection failed).
    pub code: String,
    pub words: String,
    /// Trying again cannot help (a 5xx reply).
    pub permanent: bool,
}

/// Sends `d` (an e-mail of the ledger) through the configured server: the accepting reply's
/// code and words.
pub async fn send(config: &Config, d: &Delivery) -> Result<(String, String), Refused> {
    let refused = |words: String| Refused {
        code: String::new(),
        words,
        permanent: true,
    };
    let Some(host) = config.smtp() else {
        return Err(refused("no mail server is configured (smtp_host)".into()));
    };
    let from: Mailbox = config
        .smtp_from
        .as_deref()
        .unwrap_or("")
        .parse()
        .map_err(|e| refused(format!("smtp_from: {e}")))?;
    let to: Mailbox = d
        .address
        .parse()
        .map_err(|e| refused(format!("the address {:?}: {e}", d.address)))?;
    let link = config
        .public_url
        .as_deref()
        .filter(|u| !u.is_empty())
        .map(|u| format!("{}{}", u.trim_end_matches('/'), d.link));
    let mut text = d.body.clone();
    let mut html = format!("<p>{}</p>", escape(&d.body));
    if let Some(l) = &link {
        text.push_str(&format!("\n\n{l}\n"));
        html.push_str(&format!("<p><a href=\"{0}\">{0}</a></p>", escape(l)));
    }
    // One Message-ID per delivery, the same on every attempt: a message sent again after a
    // crash (its first sending unrecorded) is the same message to mail systems and clients that
    // recognise repeats by it.
    let message_id = format!("<zeren-delivery-{}@{}>", d.id, from.email.domain());
    let message = Message::builder()
        .message_id(Some(message_id))
        .from(from)
        .to(to)
        .subject(d.subject.clone())
        .multipart(
            MultiPart::alternative()
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_PLAIN)
                        .body(text),
                )
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_HTML)
                        .body(html),
                ),
        )
        .map_err(|e| refused(format!("the message: {e}")))?;
    let builder = match config.smtp_tls.as_str() {
        "tls" => AsyncSmtpTransport::<Tokio1Executor>::relay(host),
        "none" => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(
            host,
        )),
        _ => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host),
    }
    .map_err(|e| refused(format!("smtp_host {host:?}: {e}")))?;
    let mut builder = builder.timeout(Some(std::time::Duration::from_secs(30)));
    if let Some(port) = config.smtp_port {
        builder = builder.port(port);
    }
    if let (Some(user), Some(password)) = (&config.smtp_username, &config.smtp_password) {
        builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
    }
    match builder.build().send(message).await {
        Ok(r) => Ok((
            r.code().to_string(),
            r.message().collect::<Vec<_>>().join(" "),
        )),
        Err(e) => Err(Refused {
            code: e.status().map(|c| c.to_string()).unwrap_or_default(),
            words: e.to_string(),
            permanent: e.is_permanent(),
        }),
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

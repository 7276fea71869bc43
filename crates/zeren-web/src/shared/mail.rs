//! E-mail notices over SMTP (lettre, rustls): one message of the delivery ledger as plain text
//! and HTML, its Chinese subject encoded for mail (RFC 2047), sent with STARTTLS, TLS or — for a
//! relay nearby — in the clear. The answer says whether trying again can help: a 4xx reply or a
//! lost connection may pass, a 5xx reply (an unknown address, a refused login) will not.
//!
//! The SMTP dialogue is driven step by step (not by lettre's transport) so that the caller can
//! record the hand-over durably at the one moment it happens: after the server's 354 to DATA,
//! before the data and its final dot. Before that mark the server cannot have the message (it
//! drops a transaction without its final dot); after it, only the final dot's round trip and the
//! caller's recording of the 250 remain before the ledger knows — the window in which a crash
//! leaves the message in doubt. The connection's QUIT is left to a task of its own, after the
//! answer is returned.

use std::future::Future;
use std::time::Duration;

use lettre::address::Envelope;
use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::{Credentials, DEFAULT_MECHANISMS};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};
use lettre::transport::smtp::{SMTP_PORT, SUBMISSIONS_PORT, SUBMISSION_PORT};
use lettre::Message;
use zeren_store::notify::Delivery;

use super::config::Config;

/// How long connecting may take.
const TIMEOUT: Duration = Duration::from_secs(30);
/// How long the commands up to the data may take, and the answer to the data's final dot (the
/// server may check the message before it answers; RFC 5321 lets a client wait 10 minutes).
const COMMANDS: Duration = Duration::from_secs(300);
const FINAL_DOT: Duration = Duration::from_secs(600);

/// What the mail server answered to a message it did not take.
#[derive(Debug)]
pub struct Refused {
    /// The reply code (`550`), or '' when no reply came (the connection failed).
    pub code: String,
    pub words: String,
    /// Trying again cannot help (a 5xx reply).
    pub permanent: bool,
    /// The message was handed over and no answer came (the connection broke or timed out after
    /// the data): the server may have taken it.
    pub unknown: bool,
}

impl Refused {
    fn new(words: String, permanent: bool) -> Refused {
        Refused {
            code: String::new(),
            words,
            permanent,
            unknown: false,
        }
    }

    fn of(e: &lettre::transport::smtp::Error) -> Refused {
        Refused {
            code: e.status().map(|c| c.to_string()).unwrap_or_default(),
            words: e.to_string(),
            permanent: e.is_permanent(),
            unknown: false,
        }
    }
}

/// The Message-ID of a delivery: one per delivery, the same on every attempt, so that a message
/// sent again after an attempt left in doubt is the same message to mail systems and clients
/// that recognise repeats by it.
pub fn message_id(delivery: i64, domain: &str) -> String {
    format!("<zeren-delivery-{delivery}@{domain}>")
}

/// Sends `d` (an e-mail of the ledger) through the configured server: the accepting reply's
/// code and words. `hand` is called once the server is ready for the data (354); it records the
/// hand-over and says whether this attempt may go on (false: another attempt took the message
/// meanwhile) — when it does not, the transaction is abandoned before its final dot and nothing
/// reaches the mailbox.
pub async fn send<F, Fut>(
    config: &Config,
    d: &Delivery,
    hand: F,
) -> Result<(String, String), Refused>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<bool, String>>,
{
    let Some(host) = config.smtp() else {
        return Err(Refused::new(
            "no mail server is configured (smtp_host)".into(),
            true,
        ));
    };
    let message = compose(config, d)?;
    let mut conn = connect(config, host).await?;
    let envelope = message.envelope().clone();
    let data = message.formatted();
    let ready = tokio::time::timeout(COMMANDS, prepare(&mut conn, &envelope, &data))
        .await
        .unwrap_or_else(|_| {
            Err(Refused::new(
                "the server did not answer in time".into(),
                false,
            ))
        });
    if let Err(e) = ready {
        quit(conn).await;
        return Err(e);
    }
    // The server waits for the data now: a connection closed without the final dot ends the
    // transaction with no message (a QUIT would be read as data).
    match hand().await {
        Ok(true) => {}
        Ok(false) => {
            drop(conn);
            return Err(Refused::new(
                "another attempt took the message; this one did not hand it over".into(),
                false,
            ));
        }
        Err(e) => {
            drop(conn);
            return Err(Refused::new(
                format!(
                    "the hand-over could not be recorded, so the message was not handed over: {e}"
                ),
                false,
            ));
        }
    }
    // From here the server may take the message: the data, the final dot, its answer.
    let answer = tokio::time::timeout(FINAL_DOT, conn.message(&data)).await;
    match answer {
        Err(_) => {
            drop(conn);
            Err(Refused {
                unknown: true,
                ..Refused::new("no answer to the data in time".into(), false)
            })
        }
        Ok(Ok(r)) => {
            let accepted = (
                r.code().to_string(),
                r.message().collect::<Vec<_>>().join(" "),
            );
            // The goodbye does not hold up recording the answer.
            tokio::spawn(quit(conn));
            Ok(accepted)
        }
        Ok(Err(e)) => {
            tokio::spawn(quit(conn));
            let mut r = Refused::of(&e);
            // A reply refused it; no reply leaves it in doubt.
            r.unknown = e.status().is_none();
            Err(r)
        }
    }
}

/// Says goodbye (QUIT) and closes the connection, waiting a few seconds at most for the server.
async fn quit(mut conn: AsyncSmtpConnection) {
    let _ = tokio::time::timeout(Duration::from_secs(5), conn.abort()).await;
}

/// The message: plain text and HTML, the link to the page when the public address is known.
fn compose(config: &Config, d: &Delivery) -> Result<Message, Refused> {
    let from: Mailbox = config
        .smtp_from
        .as_deref()
        .unwrap_or("")
        .parse()
        .map_err(|e| Refused::new(format!("smtp_from: {e}"), true))?;
    let to: Mailbox = d
        .address
        .parse()
        .map_err(|e| Refused::new(format!("the address {:?}: {e}", d.address), true))?;
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
    let message_id = message_id(d.id, from.email.domain());
    Message::builder()
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
        .map_err(|e| Refused::new(format!("the message: {e}"), true))
}

/// A connection to the server, encrypted as configured (`smtp_tls`: `tls` from the start,
/// `none` in the clear, otherwise STARTTLS, required) and logged in when credentials are set.
async fn connect(config: &Config, host: &str) -> Result<AsyncSmtpConnection, Refused> {
    let tls = || {
        TlsParameters::new(host.into())
            .map_err(|e| Refused::new(format!("smtp_host {host:?}: {e}"), true))
    };
    let (wrapper, starttls, default_port) = match config.smtp_tls.as_str() {
        "tls" => (Some(tls()?), None, SUBMISSIONS_PORT),
        "none" => (None, None, SMTP_PORT),
        _ => (None, Some(tls()?), SUBMISSION_PORT),
    };
    let port = config.smtp_port.unwrap_or(default_port);
    let hello = ClientId::default();
    let mut conn = match wrapper {
        // TLS from the first byte: lettre's own connection (its socket keeps Nagle's algorithm,
        // so the final dot may wait for the server's acknowledgement of the data; see below).
        Some(p) => {
            AsyncSmtpConnection::connect_tokio1((host, port), Some(TIMEOUT), &hello, Some(p), None)
                .await
                .map_err(|e| Refused::of(&e))?
        }
        None => {
            let tcp = tokio::time::timeout(TIMEOUT, tokio::net::TcpStream::connect((host, port)))
                .await
                .map_err(|_| {
                    Refused::new(format!("cannot connect to {host}:{port}: timed out"), false)
                })?
                .map_err(|e| {
                    Refused::new(format!("cannot connect to {host}:{port}: {e}"), false)
                })?;
            // The final dot is a small write after the data: with Nagle's algorithm it would
            // wait for the server to acknowledge the data — a delayed ACK, 40 ms on Linux —, time
            // the message spends in doubt.
            let _ = tcp.set_nodelay(true);
            tokio::time::timeout(
                COMMANDS,
                AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &hello),
            )
            .await
            .map_err(|_| Refused::new("the server sent no greeting in time".into(), false))?
            .map_err(|e| Refused::of(&e))?
        }
    };
    if let Some(p) = starttls {
        if let Err(e) = conn.starttls(p, &hello).await {
            quit(conn).await;
            return Err(Refused::of(&e));
        }
    }
    if let (Some(user), Some(password)) = (&config.smtp_username, &config.smtp_password) {
        let credentials = Credentials::new(user.clone(), password.clone());
        if let Err(e) = conn.auth(DEFAULT_MECHANISMS, &credentials).await {
            quit(conn).await;
            return Err(Refused::of(&e));
        }
    }
    Ok(conn)
}

/// MAIL FROM, RCPT TO and DATA, up to the server's 354.
async fn prepare(
    conn: &mut AsyncSmtpConnection,
    envelope: &Envelope,
    data: &[u8],
) -> Result<(), Refused> {
    let mut options = Vec::new();
    let non_ascii = envelope
        .from()
        .is_some_and(|a| !AsRef::<str>::as_ref(a).is_ascii())
        || envelope
            .to()
            .iter()
            .any(|a| !AsRef::<str>::as_ref(a).is_ascii());
    if non_ascii {
        if !conn.server_info().supports_feature(Extension::SmtpUtfEight) {
            return Err(Refused::new(
                "the address is not ASCII and the server does not take SMTPUTF8".into(),
                true,
            ));
        }
        options.push(MailParameter::SmtpUtfEight);
    }
    if !data.is_ascii() {
        if !conn.server_info().supports_feature(Extension::EightBitMime) {
            return Err(Refused::new(
                "the message is not ASCII and the server does not take 8BITMIME".into(),
                true,
            ));
        }
        options.push(MailParameter::Body(MailBodyParameter::EightBitMime));
    }
    conn.command(Mail::new(envelope.from().cloned(), options))
        .await
        .map_err(|e| Refused::of(&e))?;
    for to in envelope.to() {
        conn.command(Rcpt::new(to.clone(), Vec::new()))
            .await
            .map_err(|e| Refused::of(&e))?;
    }
    conn.command(Data).await.map_err(|e| Refused::of(&e))?;
    Ok(())
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

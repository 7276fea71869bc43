//! The one reader of multipart forms (forms with files): fields may repeat (participants,
//! files), files keep their names and media types. A body over the upload limit keeps the fields
//! read before the limit was reached (browsers send fields in the page's order, so what was typed
//! above the file input survives) and says the form was too large.

use axum::extract::{FromRequest, Request};

use super::error::Error;

/// A multipart body, its rejection (a request that is not multipart at all) as [`Error`].
pub struct Multipart(axum::extract::Multipart);

impl<S: Send + Sync> FromRequest<S> for Multipart {
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Error> {
        axum::extract::Multipart::from_request(req, state)
            .await
            .map(Multipart)
            .map_err(|_| Error::Malformed)
    }
}

/// One multipart field: name, file name, media type, content.
type Part = (String, Option<String>, Option<String>, Vec<u8>);

#[derive(Default)]
pub struct Form {
    fields: Vec<Part>,
    /// The body went over this limit (bytes): the fields after it are missing.
    too_large: Option<u64>,
}

impl Form {
    /// Reads every field. `limit` is the body limit the server enforces (bytes), named when the
    /// body goes over it; the fields read before stay.
    pub async fn read(m: Multipart, limit: u64) -> Result<Form, Error> {
        let mut m = m.0;
        let mut fields = Vec::new();
        loop {
            let f = match m.next_field().await {
                Ok(Some(f)) => f,
                Ok(None) => break,
                Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                    return Ok(Form {
                        fields,
                        too_large: Some(limit),
                    })
                }
                Err(_) => return Err(Error::Malformed),
            };
            let name = f.name().unwrap_or("").to_string();
            let file = f.file_name().map(str::to_string);
            let media = f.content_type().map(str::to_string);
            match f.bytes().await {
                Ok(bytes) => fields.push((name, file, media, bytes.to_vec())),
                Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                    // The file being read when the limit was reached still names itself.
                    fields.push((name, file.filter(|f| !f.is_empty()), media, Vec::new()));
                    return Ok(Form {
                        fields,
                        too_large: Some(limit),
                    });
                }
                Err(_) => return Err(Error::Malformed),
            }
        }
        Ok(Form {
            fields,
            too_large: None,
        })
    }

    /// The limit the body went over, if it did.
    pub fn too_large(&self) -> Option<u64> {
        self.too_large
    }

    /// The first value of a text field, trimmed; empty when absent.
    pub fn text(&self, k: &str) -> String {
        self.fields
            .iter()
            .find(|f| f.0 == k && f.1.is_none())
            .map(|f| String::from_utf8_lossy(&f.3).trim().to_string())
            .unwrap_or_default()
    }

    /// Every value of a repeated field, trimmed.
    pub fn all(&self, k: &str) -> Vec<String> {
        self.fields
            .iter()
            .filter(|f| f.0 == k && f.1.is_none())
            .map(|f| String::from_utf8_lossy(&f.3).trim().to_string())
            .collect()
    }

    /// Every text field (not files), name and value, in order.
    pub fn texts(&self) -> Vec<(String, String)> {
        self.fields
            .iter()
            .filter(|f| f.1.is_none())
            .map(|f| (f.0.clone(), String::from_utf8_lossy(&f.3).to_string()))
            .collect()
    }

    /// Whether a file was chosen in any file input (it must be chosen again after a refusal).
    pub fn had_files(&self) -> bool {
        self.fields
            .iter()
            .any(|f| f.1.as_deref().is_some_and(|n| !n.is_empty()))
    }

    /// Uploaded files: (name, media type, bytes); empty file inputs are skipped.
    pub fn files(&self, k: &str) -> Vec<(String, String, &[u8])> {
        self.fields
            .iter()
            .filter(|f| f.0 == k && f.1.is_some() && !f.3.is_empty())
            .map(|f| {
                let name =
                    f.1.clone()
                        .filter(|n| !n.is_empty())
                        .unwrap_or_else(|| "附件".into());
                // Browsers and scripts often send application/octet-stream; the name says more.
                let media =
                    f.2.clone()
                        .filter(|m| m != "application/octet-stream")
                        .unwrap_or_else(|| guess_media(&name).into());
                (name, media, f.3.as_slice())
            })
            .collect()
    }

    /// The one file of a single file input: (name, bytes).
    pub fn file(&self, k: &str) -> Option<(String, &[u8])> {
        self.files(k).into_iter().next().map(|(n, _, b)| (n, b))
    }
}

/// A media type from a file name, for uploads that do not say theirs.
pub fn guess_media(name: &str) -> &'static str {
    let lower = name.to_lowercase();
    match lower.rsplit('.').next() {
        Some("pdf") => "application/pdf",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("png") => "image/png",
        Some("docx") => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        Some("xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => "application/octet-stream",
    }
}

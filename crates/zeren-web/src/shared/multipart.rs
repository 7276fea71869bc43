//! The one reader of multipart forms (forms with files): fields may repeat (participants,
//! files), files keep their names and media types.

use axum::extract::Multipart;

use super::error::Error;

/// One multipart field: name, file name, media type, content.
type Part = (String, Option<String>, Option<String>, Vec<u8>);

pub struct Form {
    fields: Vec<Part>,
}

impl Form {
    pub async fn read(mut m: Multipart) -> Result<Form, Error> {
        let mut fields = Vec::new();
        while let Some(f) = m
            .next_field()
            .await
            .map_err(|e| Error::Invalid(e.body_text()))?
        {
            let name = f.name().unwrap_or("").to_string();
            let file = f.file_name().map(str::to_string);
            let media = f.content_type().map(str::to_string);
            let bytes = f.bytes().await.map_err(|e| Error::Invalid(e.body_text()))?;
            fields.push((name, file, media, bytes.to_vec()));
        }
        Ok(Form { fields })
    }

    /// The first value of a text field, trimmed; empty when absent.
    pub fn text(&self, k: &str) -> String {
        self.fields
            .iter()
            .find(|f| f.0 == k)
            .map(|f| String::from_utf8_lossy(&f.3).trim().to_string())
            .unwrap_or_default()
    }

    /// Every value of a repeated field, trimmed.
    pub fn all(&self, k: &str) -> Vec<String> {
        self.fields
            .iter()
            .filter(|f| f.0 == k)
            .map(|f| String::from_utf8_lossy(&f.3).trim().to_string())
            .collect()
    }

    /// Uploaded files: (name, media type, bytes); empty file inputs are skipped.
    pub fn files(&self, k: &str) -> Vec<(String, String, &[u8])> {
        self.fields
            .iter()
            .filter(|f| f.0 == k && !f.3.is_empty())
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

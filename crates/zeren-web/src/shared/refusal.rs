//! A refused form, shown again: which form on the page it was, what the person entered, and the
//! problems beside the fields they concern. Nothing typed is lost; files cannot be given back (a
//! browser never lets a page fill in a file input), and the page says so.

use axum::http::StatusCode;

use super::error::{Error, Problems};
use super::multipart::Form as MultipartForm;

#[derive(Clone, Debug, Default)]
pub struct Refused {
    /// The form on the page that was refused (a page may have several; "" when it has one).
    pub form: String,
    /// What was entered, name and value, in order (repeated names for checkboxes).
    pub values: Vec<(String, String)>,
    pub problems: Problems,
    /// The form carried files: they must be chosen again.
    pub had_files: bool,
    /// The answer's status: 422, 409 for a conflict, 413 for a request over the limit.
    pub status: StatusCode,
}

impl Refused {
    /// A refusal of `form` with what an URL-encoded form sent (the CSRF token left out).
    pub fn new(form: &str, values: &[(String, String)], problems: Problems) -> Refused {
        Refused {
            form: form.to_string(),
            values: values
                .iter()
                .filter(|(k, _)| k != "_csrf")
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            problems,
            had_files: false,
            status: StatusCode::UNPROCESSABLE_ENTITY,
        }
    }

    /// A refusal of a multipart form: its text fields, and whether it carried files.
    pub fn multipart(form: &str, f: &MultipartForm, problems: Problems) -> Refused {
        Refused {
            form: form.to_string(),
            values: f.texts(),
            problems,
            had_files: f.had_files(),
            status: if f.too_large().is_some() {
                StatusCode::PAYLOAD_TOO_LARGE
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            },
        }
    }

    /// From an error: its problems when it is about the input (by field, or as a whole); other
    /// errors are not refusals of the form and come back.
    pub fn of(
        form: &str,
        values: &[(String, String)],
        e: Error,
        lang: super::i18n::Lang,
    ) -> Result<Refused, Error> {
        let status = e.status_code();
        let mut r = Refused::new(form, values, problems_of(e, lang)?);
        r.status = status;
        Ok(r)
    }

    /// [`Refused::of`] for a multipart form.
    pub fn of_multipart(
        form: &str,
        f: &MultipartForm,
        e: Error,
        lang: super::i18n::Lang,
    ) -> Result<Refused, Error> {
        let status = e.status_code();
        let mut r = Refused::multipart(form, f, problems_of(e, lang)?);
        r.status = status;
        Ok(r)
    }

    /// Whether `form` is the one refused.
    pub fn is(&self, form: &str) -> bool {
        !self.problems.is_empty() && self.form == form
    }

    /// What was entered in `field` of `form`; empty when another form was refused.
    pub fn value(&self, form: &str, field: &str) -> &str {
        if self.form != form {
            return "";
        }
        self.values
            .iter()
            .find(|(k, _)| k == field)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    /// What was entered in `field` of `form`, or `default` when that form was not refused.
    pub fn value_or<'a>(&'a self, form: &str, field: &str, default: &'a str) -> &'a str {
        if self.is(form) {
            self.value(form, field)
        } else {
            default
        }
    }

    /// Whether `value` was among those sent for `field` (a ticked checkbox, a chosen option).
    pub fn has(&self, form: &str, field: &str, value: &str) -> bool {
        self.form == form && self.values.iter().any(|(k, v)| k == field && v == value)
    }

    /// The problems of `field` in `form`.
    pub fn error(&self, form: &str, field: &str) -> Option<String> {
        if self.form != form {
            return None;
        }
        self.problems.get(field)
    }

    /// The problems of `form` not tied to one field.
    pub fn general(&self, form: &str) -> Option<String> {
        self.error(form, "")
    }
}

/// The problems an error states about the input: by field, or as a whole. Other errors (not
/// found, forbidden, internal) are not about the input and come back.
pub fn problems_of(e: Error, lang: super::i18n::Lang) -> Result<Problems, Error> {
    match e {
        Error::Fields(p) => Ok(p),
        e @ (Error::Invalid(_) | Error::Conflict(_) | Error::TooLarge(_)) => {
            Ok(Problems::one("", e.message(lang)))
        }
        e => Err(e),
    }
}

//! Field-level validation shared by every form. Errors are keyed by the form field's name so the
//! page can show each message beside its input.
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Field name → message a person can act on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldErrors(pub BTreeMap<String, String>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        // The first problem with a field is the one worth fixing first.
        self.0
            .entry(field.to_string())
            .or_insert_with(|| message.into());
    }
    pub fn single(field: &str, message: impl Into<String>) -> Self {
        let mut e = Self::new();
        e.add(field, message);
        e
    }
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// `Ok(value)` when nothing was recorded, so validators end with `errors.into_result(v)`.
    pub fn into_result<T>(self, value: T) -> Result<T, FieldErrors> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

impl std::fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.0.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        write!(f, "{}", parts.join("; "))
    }
}

/// The `version` a form was opened at (optimistic concurrency); empty: the form does not say.
pub fn optional_version(raw: &str) -> Result<Option<i64>, FieldErrors> {
    let v = raw.trim();
    if v.is_empty() {
        return Ok(None);
    }
    v.parse::<i64>()
        .map(Some)
        .map_err(|_| FieldErrors::single("version", "Not a version number."))
}

pub const SLUG_MAX: usize = 63;
/// Words that are routes (`/services/new`) or filter values (`team=none`), so never slugs.
pub const RESERVED_SLUGS: &[&str] = &["new", "none", "edit"];

/// Lowercase letters, digits and single hyphens between them, like a DNS label.
pub fn check_slug(errors: &mut FieldErrors, field: &str, raw: &str) -> String {
    let slug = raw.trim().to_string();
    if slug.is_empty() {
        errors.add(field, "Required.");
    } else if slug.len() > SLUG_MAX {
        errors.add(field, format!("At most {SLUG_MAX} characters."));
    } else if !slug
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        errors.add(
            field,
            "Use lowercase letters, digits and hyphens only (for example payments-api).",
        );
    } else if slug.starts_with('-') || slug.ends_with('-') || slug.contains("--") {
        errors.add(
            field,
            "Hyphens go between words: not at the start or end, and not two in a row.",
        );
    } else if RESERVED_SLUGS.contains(&slug.as_str()) {
        errors.add(field, format!("\"{slug}\" is reserved; choose another."));
    }
    slug
}

/// Trimmed text that must be present and at most `max` characters.
pub fn check_required(errors: &mut FieldErrors, field: &str, raw: &str, max: usize) -> String {
    let value = raw.trim().to_string();
    if value.is_empty() {
        errors.add(field, "Required.");
    } else {
        check_len(errors, field, &value, max);
    }
    value
}

/// Trimmed optional text of at most `max` characters.
pub fn check_optional(errors: &mut FieldErrors, field: &str, raw: &str, max: usize) -> String {
    let value = raw.trim().to_string();
    check_len(errors, field, &value, max);
    value
}

fn check_len(errors: &mut FieldErrors, field: &str, value: &str, max: usize) {
    if value.chars().count() > max {
        errors.add(field, format!("At most {max} characters."));
    }
}

/// An absolute http or https URL with a host. Anything else (javascript:, ftp:, relative paths)
/// is refused: these links are rendered as clickable hrefs.
pub fn check_url(errors: &mut FieldErrors, field: &str, raw: &str, required: bool) -> String {
    let value = raw.trim().to_string();
    if value.is_empty() {
        if required {
            errors.add(field, "Required.");
        }
        return value;
    }
    match url::Url::parse(&value) {
        Ok(u) if (u.scheme() == "http" || u.scheme() == "https") && u.host_str().is_some() => {
            if value.len() > 2000 {
                errors.add(field, "At most 2000 characters.");
            }
        }
        Ok(_) => errors.add(field, "Use an http:// or https:// address."),
        Err(_) => errors.add(
            field,
            "Not a valid web address; it should look like https://example.com/path.",
        ),
    }
    value
}

/// A simple shape check: something@domain. Real verification is the mail server's job.
pub fn check_email(errors: &mut FieldErrors, field: &str, raw: &str) -> String {
    let value = raw.trim().to_string();
    if value.is_empty() {
        return value;
    }
    let ok = match value.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !value.chars().any(char::is_whitespace)
        }
        None => false,
    };
    if !ok {
        errors.add(field, "Not an email address (name@example.com).");
    } else {
        check_len(errors, field, &value, 254);
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slug_error(s: &str) -> Option<String> {
        let mut e = FieldErrors::new();
        check_slug(&mut e, "slug", s);
        e.get("slug").map(str::to_string)
    }

    #[test]
    fn slugs() {
        assert_eq!(slug_error("payments-api"), None);
        assert_eq!(slug_error("  api2  "), None, "surrounding space is trimmed");
        assert_eq!(slug_error("").as_deref(), Some("Required."));
        assert!(slug_error("Payments").unwrap().contains("lowercase"));
        assert!(slug_error("pay_ments").unwrap().contains("lowercase"));
        assert!(slug_error("-pay").unwrap().contains("Hyphens"));
        assert!(slug_error("pay--api").unwrap().contains("Hyphens"));
        assert!(slug_error("new").unwrap().contains("reserved"));
        assert!(slug_error(&"a".repeat(64)).unwrap().contains("63"));
        assert_eq!(slug_error(&"a".repeat(63)), None);
    }

    #[test]
    fn urls() {
        let check = |s: &str, req: bool| {
            let mut e = FieldErrors::new();
            check_url(&mut e, "url", s, req);
            e.get("url").map(str::to_string)
        };
        assert_eq!(check("https://runbooks.example.com/pay", true), None);
        assert_eq!(check("http://grafana:3000/d/x", true), None);
        assert_eq!(check("", false), None);
        assert_eq!(check("", true).as_deref(), Some("Required."));
        assert!(check("javascript:alert(1)", true).unwrap().contains("http"));
        assert!(check("ftp://x.example.com", true).unwrap().contains("http"));
        assert!(check("runbooks/pay", true).unwrap().contains("valid"));
    }

    #[test]
    fn emails_and_lengths() {
        let mut e = FieldErrors::new();
        check_email(&mut e, "email", "sre@example.com");
        check_email(&mut e, "blank", "");
        assert!(e.is_empty());
        check_email(&mut e, "email", "not an email");
        assert!(e.get("email").is_some());
        let mut e = FieldErrors::new();
        assert_eq!(check_required(&mut e, "name", "  Pay  ", 10), "Pay");
        check_required(&mut e, "long", "abcdefghijk", 10);
        assert_eq!(e.get("long"), Some("At most 10 characters."));
    }

    #[test]
    fn first_error_per_field_wins() {
        let mut e = FieldErrors::new();
        e.add("slug", "first");
        e.add("slug", "second");
        assert_eq!(e.get("slug"), Some("first"));
        assert_eq!(e.clone().into_result(()), Err(e));
    }
}

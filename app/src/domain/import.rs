//! What an import reports, to the page, the API and the command line: shared by server and
//! browser (the YAML itself is only read on the server, see `backstage`).
use serde::{Deserialize, Serialize};

/// Limits of one import, enforced before any YAML is read.
pub const MAX_FILES: usize = 50;
pub const MAX_TOTAL_BYTES: usize = 4 * 1024 * 1024;
pub const MAX_DOCUMENTS: usize = 5_000;
pub const MAX_FILE_NAME: usize = 200;

/// The annotation a Component's tier is read from unless PORTAL_TIER_ANNOTATION says otherwise.
pub const DEFAULT_TIER_ANNOTATION: &str = "reliability.portal/tier";

/// One uploaded or pasted file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportFile {
    pub name: String,
    pub content: String,
}

/// Where in the input something was found: the file and the document's 1-based index in it.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Source {
    pub file: String,
    pub document: usize,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}, document {}", self.file, self.document)
    }
}

/// A document that is not imported (an error), one not meant for the portal (a skip), or a part
/// of one that is ignored (a note). `field` is the path in the document, e.g. `spec.owner`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub source: Source,
    /// `Component payments-api`, or empty when the document has no readable kind and name.
    pub entity: String,
    pub field: String,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Create,
    Update,
    Unchanged,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Unchanged => "unchanged",
        }
    }
}

/// One team or service and what the import does to it; `changes` says what, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanRow {
    pub source: Source,
    /// `team` or `service`.
    pub entity_type: String,
    pub slug: String,
    pub name: String,
    pub action: Action,
    pub changes: Vec<String>,
}

/// Everything an import would do (a preview) or did (an applied import).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub rows: Vec<PlanRow>,
    pub errors: Vec<Finding>,
    pub skipped: Vec<Finding>,
    pub notes: Vec<Finding>,
    /// A fingerprint of `rows`: applying with the preview's digest refuses if the catalog moved
    /// since, so what is applied is exactly what was previewed.
    pub digest: String,
    pub applied: bool,
}

impl ImportReport {
    pub fn count(&self, entity_type: &str, action: Action) -> usize {
        self.rows
            .iter()
            .filter(|r| r.entity_type == entity_type && r.action == action)
            .count()
    }

    /// The report as text, for the command line: counts, then every error, skip and change.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for t in ["team", "service"] {
            out.push_str(&format!(
                "{t}s: {} to create, {} to update, {} unchanged\n",
                self.count(t, Action::Create),
                self.count(t, Action::Update),
                self.count(t, Action::Unchanged)
            ));
        }
        for r in self.rows.iter().filter(|r| r.action != Action::Unchanged) {
            out.push_str(&format!(
                "{} {} {} ({})\n",
                r.action.as_str(),
                r.entity_type,
                r.slug,
                r.source
            ));
            for c in &r.changes {
                out.push_str(&format!("    {c}\n"));
            }
        }
        for (label, list) in [
            ("error", &self.errors),
            ("skipped", &self.skipped),
            ("note", &self.notes),
        ] {
            for f in list {
                let at = if f.field.is_empty() {
                    String::new()
                } else {
                    format!(" at {}", f.field)
                };
                out.push_str(&format!(
                    "{label}: {}{at}: {} {}\n",
                    f.source, f.entity, f.message
                ));
            }
        }
        out
    }

    /// Whether applying would write anything.
    pub fn has_changes(&self) -> bool {
        self.rows.iter().any(|r| r.action != Action::Unchanged)
    }
}

/// FNV-1a over the rows: stable across processes and builds (unlike `DefaultHasher`), so a
/// preview from one replica can be applied on another.
pub fn digest(rows: &[PlanRow]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |s: &str| {
        for b in s.bytes().chain(std::iter::once(0xff)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for r in rows {
        eat(&r.entity_type);
        eat(&r.slug);
        eat(r.action.as_str());
        for c in &r.changes {
            eat(c);
        }
    }
    format!("{h:016x}")
}

/// The limits above, checked on the raw input: a refusal names the file at fault.
pub fn check_limits(files: &[ImportFile]) -> Result<(), String> {
    if files.is_empty() {
        return Err("Choose at least one file, or paste YAML.".into());
    }
    if files.len() > MAX_FILES {
        return Err(format!("At most {MAX_FILES} files per import."));
    }
    if let Some(f) = files
        .iter()
        .find(|f| f.name.chars().count() > MAX_FILE_NAME)
    {
        return Err(format!(
            "File names may have at most {MAX_FILE_NAME} characters ({}…).",
            f.name.chars().take(40).collect::<String>()
        ));
    }
    let total: usize = files.iter().map(|f| f.content.len()).sum();
    if total > MAX_TOTAL_BYTES {
        return Err(format!(
            "At most {} MiB of YAML per import; split the files.",
            MAX_TOTAL_BYTES / 1024 / 1024
        ));
    }
    if files.iter().all(|f| f.content.trim().is_empty()) {
        return Err("The files are empty.".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(slug: &str, action: Action) -> PlanRow {
        PlanRow {
            source: Source::default(),
            entity_type: "service".into(),
            slug: slug.into(),
            name: slug.into(),
            action,
            changes: vec!["tier: 2 → 1".into()],
        }
    }

    #[test]
    fn digest_follows_what_changes() {
        let a = digest(&[row("a", Action::Update)]);
        assert_eq!(a, digest(&[row("a", Action::Update)]));
        assert_ne!(a, digest(&[row("a", Action::Create)]));
        assert_ne!(a, digest(&[row("b", Action::Update)]));
        // Field boundaries count: "ab"+"c" is not "a"+"bc".
        let mut x = row("ab", Action::Update);
        x.changes = vec!["c".into()];
        let mut y = row("a", Action::Update);
        y.changes = vec!["bc".into()];
        assert_ne!(digest(&[x]), digest(&[y]));
    }

    #[test]
    fn limits() {
        let f = |name: &str, content: &str| ImportFile {
            name: name.into(),
            content: content.into(),
        };
        assert!(check_limits(&[]).is_err());
        assert!(check_limits(&[f("a.yaml", "  \n")]).is_err());
        assert!(check_limits(&[f("a.yaml", "kind: Group")]).is_ok());
        let many: Vec<ImportFile> = (0..=MAX_FILES).map(|i| f(&i.to_string(), "x")).collect();
        assert!(check_limits(&many).unwrap_err().contains("files"));
        let big = "x".repeat(MAX_TOTAL_BYTES + 1);
        assert!(check_limits(&[f("a.yaml", &big)])
            .unwrap_err()
            .contains("MiB"));
        assert!(check_limits(&[f(&"n".repeat(201), "x")]).is_err());
    }
}

use serde::{Deserialize, Serialize};

use super::lifecycle::Lifecycle;
use super::tier::Tier;
use super::validation::{check_slug, FieldErrors};

/// Hard: this service fails when the other does. Soft: it degrades.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DependencyKind {
    Hard,
    Soft,
}

impl DependencyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DependencyKind::Hard => "hard",
            DependencyKind::Soft => "soft",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "hard" => Some(DependencyKind::Hard),
            "soft" => Some(DependencyKind::Soft),
            _ => None,
        }
    }
}

/// The other end of a dependency, as listed on a service page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DependencyEdge {
    pub slug: String,
    pub name: String,
    pub tier: Tier,
    pub lifecycle: Lifecycle,
    pub kind: DependencyKind,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DependencyForm {
    /// Slug of the service depended on.
    pub target: String,
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DependencyInput {
    pub target: String,
    pub kind: DependencyKind,
}

impl DependencyForm {
    /// `from` is the slug of the service that depends on `target`.
    pub fn validate(&self, from: &str) -> Result<DependencyInput, FieldErrors> {
        let mut e = FieldErrors::new();
        let target = check_slug(&mut e, "target", &self.target);
        if e.is_empty() && target == from {
            // Cycles through other services are real and allowed; depending on itself is not.
            e.add("target", "A service cannot depend on itself.");
        }
        let kind = DependencyKind::parse(&self.kind);
        if kind.is_none() {
            e.add("kind", "Choose hard or soft.");
        }
        match kind {
            Some(kind) if e.is_empty() => Ok(DependencyInput { target, kind }),
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn self_dependency_rejected() {
        let f = DependencyForm {
            target: "payments-api".into(),
            kind: "hard".into(),
        };
        assert_eq!(
            f.validate("payments-api").unwrap_err().get("target"),
            Some("A service cannot depend on itself.")
        );
        assert_eq!(f.validate("checkout").unwrap().kind, DependencyKind::Hard);
    }

    #[test]
    fn kind_required() {
        let f = DependencyForm {
            target: "ledger".into(),
            kind: "".into(),
        };
        assert!(f.validate("checkout").unwrap_err().get("kind").is_some());
        assert_eq!(DependencyKind::parse("soft"), Some(DependencyKind::Soft));
    }
}

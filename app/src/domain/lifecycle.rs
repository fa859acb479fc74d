use serde::{Deserialize, Serialize};

/// Where a service is in its life. Retired services stay in the catalog for history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lifecycle {
    Experimental,
    Production,
    Deprecated,
    Retired,
}

impl Lifecycle {
    pub const ALL: [Lifecycle; 4] = [
        Lifecycle::Experimental,
        Lifecycle::Production,
        Lifecycle::Deprecated,
        Lifecycle::Retired,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Lifecycle::Experimental => "experimental",
            Lifecycle::Production => "production",
            Lifecycle::Deprecated => "deprecated",
            Lifecycle::Retired => "retired",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Lifecycle::Experimental => "Experimental",
            Lifecycle::Production => "Production",
            Lifecycle::Deprecated => "Deprecated",
            Lifecycle::Retired => "Retired",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.as_str() == s.trim())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn round_trips() {
        for l in Lifecycle::ALL {
            assert_eq!(Lifecycle::parse(l.as_str()), Some(l));
        }
        assert_eq!(Lifecycle::parse("live"), None);
    }
}

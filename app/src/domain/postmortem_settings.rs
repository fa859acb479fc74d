//! The admin form for postmortem settings: the zone business days are counted in, the repeat
//! window, the policy per severity, holidays and root-cause categories (one per line).
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::incident::{parse_zone, Severity};
use super::postmortem::SeverityPolicy;
use super::postmortem_view::LearningSettings;
use super::validation::{check_slug, FieldErrors};

pub const HOLIDAYS_MAX: usize = 500;
pub const CATEGORIES_MAX: usize = 50;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SettingsForm {
    pub zone: String,
    pub repeat_window_days: String,
    /// Per severity: "on" when a postmortem is required (a checkbox), and the business days it
    /// is due in. Named fields, not arrays: form encodings name each input.
    pub required_1: String,
    pub required_2: String,
    pub required_3: String,
    pub required_4: String,
    pub due_days_1: String,
    pub due_days_2: String,
    pub due_days_3: String,
    pub due_days_4: String,
    /// "2026-12-25 Christmas Day", one a line.
    pub holidays: String,
    /// "config-change Config change", one a line, in the order the form lists them.
    pub categories: String,
}

impl SettingsForm {
    fn required(&self) -> [&String; 4] {
        [
            &self.required_1,
            &self.required_2,
            &self.required_3,
            &self.required_4,
        ]
    }
    fn due_days(&self) -> [&String; 4] {
        [
            &self.due_days_1,
            &self.due_days_2,
            &self.due_days_3,
            &self.due_days_4,
        ]
    }

    pub fn from_settings(s: &LearningSettings) -> SettingsForm {
        let mut f = SettingsForm {
            zone: s.zone.clone(),
            repeat_window_days: s.repeat_window_days.to_string(),
            holidays: s
                .holidays
                .iter()
                .map(|(d, n)| format!("{d} {n}"))
                .collect::<Vec<_>>()
                .join("\n"),
            categories: s
                .categories
                .iter()
                .map(|(slug, n)| format!("{slug} {n}"))
                .collect::<Vec<_>>()
                .join("\n"),
            ..Default::default()
        };
        for p in &s.policies {
            let on = if p.required {
                "on".to_string()
            } else {
                String::new()
            };
            let days = p.due_business_days.to_string();
            let (r, d) = match p.severity {
                Severity::Sev1 => (&mut f.required_1, &mut f.due_days_1),
                Severity::Sev2 => (&mut f.required_2, &mut f.due_days_2),
                Severity::Sev3 => (&mut f.required_3, &mut f.due_days_3),
                Severity::Sev4 => (&mut f.required_4, &mut f.due_days_4),
            };
            *r = on;
            *d = days;
        }
        f
    }

    pub fn validate(&self) -> Result<LearningSettings, FieldErrors> {
        let mut e = FieldErrors::new();
        let zone = self.zone.trim();
        if zone.is_empty() || zone.len() > 64 || parse_zone(zone).is_none() {
            e.add("zone", "A time zone such as Europe/Berlin, or UTC.");
        }
        let repeat_window_days = match self.repeat_window_days.trim().parse::<i16>() {
            Ok(d) if (1..=365).contains(&d) => d,
            _ => {
                e.add("repeat_window_days", "A number of days from 1 to 365.");
                90
            }
        };
        let mut policies = Vec::new();
        for (i, sev) in Severity::ALL.iter().enumerate() {
            let field = format!("due_days_{}", i + 1);
            match self.due_days()[i].trim().parse::<i16>() {
                Ok(d) if (1..=90).contains(&d) => policies.push(SeverityPolicy {
                    severity: *sev,
                    required: !self.required()[i].trim().is_empty(),
                    due_business_days: d,
                }),
                _ => e.add(&field, "Business days from 1 to 90."),
            }
        }
        let mut holidays: Vec<(NaiveDate, String)> = Vec::new();
        for (n, line) in lines(&self.holidays).enumerate() {
            let (day, name) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
            let name = name.trim();
            match NaiveDate::parse_from_str(day, "%Y-%m-%d") {
                Ok(d) if !name.is_empty() && name.chars().count() <= 100 => {
                    if holidays.iter().any(|(h, _)| *h == d) {
                        e.add("holidays", format!("Line {}: {d} is listed twice.", n + 1));
                    }
                    holidays.push((d, name.to_string()));
                }
                _ => e.add(
                    "holidays",
                    format!("Line {}: a date and a name (up to 100 characters), like 2026-12-25 Christmas Day.", n + 1),
                ),
            }
        }
        if holidays.len() > HOLIDAYS_MAX {
            e.add("holidays", format!("At most {HOLIDAYS_MAX} holidays."));
        }
        holidays.sort();
        let mut categories: Vec<(String, String)> = Vec::new();
        for (n, line) in lines(&self.categories).enumerate() {
            let (slug, name) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
            let mut one = FieldErrors::new();
            let slug = check_slug(&mut one, "categories", slug);
            let name = name.trim();
            if one.get("categories").is_some()
                || slug.len() > 40
                || name.is_empty()
                || name.chars().count() > 80
            {
                e.add(
                    "categories",
                    format!("Line {}: a slug (up to 40 lower-case letters, digits, hyphens) and a name (up to 80 characters), like config-change Config change.", n + 1),
                );
            } else if categories.iter().any(|(s, _)| *s == slug) {
                e.add(
                    "categories",
                    format!("Line {}: {slug} is listed twice.", n + 1),
                );
            } else {
                categories.push((slug, name.to_string()));
            }
        }
        if categories.is_empty() && e.get("categories").is_none() {
            e.add("categories", "At least one category (unknown, say).");
        }
        if categories.len() > CATEGORIES_MAX {
            e.add(
                "categories",
                format!("At most {CATEGORIES_MAX} categories."),
            );
        }
        e.into_result(LearningSettings {
            zone: zone.to_string(),
            repeat_window_days,
            policies,
            holidays,
            categories,
        })
    }
}

fn lines(s: &str) -> impl Iterator<Item = &str> {
    s.lines().map(str::trim).filter(|l| !l.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> SettingsForm {
        SettingsForm {
            zone: "Europe/Berlin".into(),
            repeat_window_days: "90".into(),
            required_1: "on".into(),
            required_2: "on".into(),
            due_days_1: "3".into(),
            due_days_2: "5".into(),
            due_days_3: "10".into(),
            due_days_4: "10".into(),
            holidays: "2026-12-25 Christmas Day\n\n2026-12-24   Christmas Eve".into(),
            categories: "deploy Deploy\nconfig-change Config change".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_good_form_round_trips() {
        let s = form().validate().unwrap();
        assert_eq!(s.holidays[0].1, "Christmas Eve");
        assert!(s.policies[0].required && !s.policies[2].required);
        assert_eq!(s.policies[1].due_business_days, 5);
        assert_eq!(SettingsForm::from_settings(&s).validate().unwrap(), s);
    }

    #[test]
    fn each_bad_line_is_named() {
        let mut f = form();
        f.zone = "Mars/Base".into();
        f.due_days_3 = "0".into();
        f.holidays = "2026-12-25\n2026-13-01 Nope".into();
        f.categories = "Deploy Deploy\ndeploy\nok fine\nok again".into();
        let e = f.validate().unwrap_err();
        assert!(e.get("zone").is_some());
        assert!(e.get("due_days_3").is_some());
        assert!(e.get("holidays").unwrap().starts_with("Line 1"), "{e}");
        assert!(e.get("categories").unwrap().starts_with("Line 1"), "{e}");
    }
}

//! Who may do what. Roles and team membership come from the identity provider's groups (through
//! a configurable mapping); an admin can override a person's role. The server checks every
//! request with `Me::check`; the browser uses `Me::can` only to hide what would be refused.
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Role {
    Viewer,
    Editor,
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Viewer, Role::Editor, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Viewer => "Viewer",
            Role::Editor => "Editor",
            Role::Admin => "Admin",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Role::Viewer => "reads everything",
            Role::Editor => "changes the services of their teams",
            Role::Admin => "changes everything, including teams, tiers and roles",
        }
    }
}

/// The signed-in person, as every request sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: Role,
    /// Slugs of the teams this person belongs to.
    pub teams: Vec<String>,
}

/// Something a person may try to do. Service permissions name the owning team (None: unowned).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Permission {
    /// Create a service owned by this team, or move a service to it.
    AssignServiceTo(Option<String>),
    /// Change or delete a service, its links and its dependencies.
    EditService(Option<String>),
    /// Create services for at least one team (whether the "New service" button shows).
    CreateServices,
    ManageTeams,
    ManageTierPolicies,
    ManageUsers,
    ViewAudit,
    /// Create, list and revoke API tokens.
    ManageTokens,
    /// Declare or change an incident on services owned by these teams (None: unowned): an
    /// editor of any one of them may.
    EditIncident(Vec<Option<String>>),
    /// Read a postmortem that is not published yet: members (any role) of an affected
    /// service's team, and admins.
    ReadPostmortemDraft(Vec<Option<String>>),
    /// Change an action item owned by this team: its editors and admins.
    EditActionItem(String),
    /// Holidays, root-cause categories and the postmortem policy per severity.
    ManagePostmortemSettings,
}

impl Me {
    pub fn member_of(&self, team: &str) -> bool {
        self.teams.iter().any(|t| t == team)
    }

    pub fn can(&self, p: &Permission) -> bool {
        match (self.role, p) {
            (Role::Admin, _) => true,
            (Role::Editor, Permission::AssignServiceTo(Some(team)))
            | (Role::Editor, Permission::EditService(Some(team))) => self.member_of(team),
            // Some control must offer "new service" before a team is chosen.
            (Role::Editor, Permission::CreateServices) => !self.teams.is_empty(),
            (Role::Editor, Permission::EditIncident(teams)) => {
                teams.iter().flatten().any(|t| self.member_of(t))
            }
            (_, Permission::ReadPostmortemDraft(teams)) => {
                teams.iter().flatten().any(|t| self.member_of(t))
            }
            (Role::Editor, Permission::EditActionItem(team)) => self.member_of(team),
            _ => false,
        }
    }

    /// `Ok` when allowed, otherwise the message a refused person reads: what would allow it.
    pub fn check(&self, p: &Permission) -> Result<(), String> {
        if self.can(p) {
            return Ok(());
        }
        Err(match p {
            Permission::AssignServiceTo(Some(team)) | Permission::EditService(Some(team)) => {
                format!(
                    "Only editors in team \"{team}\" and admins can change this team's services. \
                     You are signed in as {} ({}).",
                    self.name,
                    self.role.as_str()
                )
            }
            Permission::AssignServiceTo(None) | Permission::EditService(None) => {
                "Only admins can change unowned services; give the service an owning team first."
                    .into()
            }
            Permission::CreateServices => {
                "Only editors who belong to a team, and admins, can create services.".into()
            }
            Permission::ManageTeams => "Only admins can create, change or delete teams.".into(),
            Permission::ManageTierPolicies => "Only admins can change tier policies.".into(),
            Permission::ManageUsers => "Only admins can change people's roles.".into(),
            Permission::ViewAudit => "Only admins can read the audit trail.".into(),
            Permission::ManageTokens => "Only admins can create, list or revoke API tokens.".into(),
            Permission::EditIncident(teams) => {
                let named: Vec<&str> = teams.iter().flatten().map(String::as_str).collect();
                if named.is_empty() {
                    "Only admins can declare or change incidents on unowned services.".into()
                } else {
                    format!(
                        "Only editors of an affected service's team ({}) and admins can declare or change this incident. You are signed in as {} ({}).",
                        named.join(", "),
                        self.name,
                        self.role.as_str()
                    )
                }
            }
            Permission::ReadPostmortemDraft(_) => {
                "This postmortem is not published yet: only members of an affected service's team and admins can read it.".into()
            }
            Permission::EditActionItem(team) => format!(
                "Only editors in team \"{team}\" and admins can change this team's action items. You are signed in as {} ({}).",
                self.name,
                self.role.as_str()
            ),
            Permission::ManagePostmortemSettings => {
                "Only admins can change holidays, root-cause categories and the postmortem policy.".into()
            }
        })
    }
}

/// How identity-provider groups become roles and team membership
/// (PORTAL_GROUP_ROLES and PORTAL_GROUP_TEAM_PREFIX).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupMapping {
    /// (group pattern, role). A pattern ending in `*` matches every group with that prefix.
    pub roles: Vec<(String, Role)>,
    /// A group named prefix + team slug makes its members members of that team.
    pub team_prefix: String,
}

impl Default for GroupMapping {
    fn default() -> Self {
        GroupMapping {
            roles: vec![("sre-admins".into(), Role::Admin)],
            team_prefix: "team-".into(),
        }
    }
}

impl GroupMapping {
    /// Parses `group=role,group-prefix*=role`. Errors name the bad entry.
    pub fn parse_roles(spec: &str) -> Result<Vec<(String, Role)>, String> {
        spec.split(',')
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(|entry| {
                let (group, role) = entry
                    .split_once('=')
                    .ok_or_else(|| format!("\"{entry}\" is not group=role"))?;
                let role = Role::parse(role).ok_or_else(|| {
                    format!("\"{entry}\": the role must be viewer, editor or admin")
                })?;
                let group = group.trim();
                if group.is_empty() || group == "*" {
                    return Err(format!("\"{entry}\": name a group"));
                }
                Ok((group.to_string(), role))
            })
            .collect()
    }

    /// The highest role any of the groups maps to; a person in no mapped group is a viewer.
    pub fn role_for(&self, groups: &[String]) -> Role {
        groups
            .iter()
            .flat_map(|g| {
                self.roles
                    .iter()
                    .filter(move |(pattern, _)| matches(pattern, g))
            })
            .map(|(_, role)| *role)
            .max()
            .unwrap_or(Role::Viewer)
    }

    /// Team slugs named by the groups (whether or not such a team exists yet).
    pub fn teams_for(&self, groups: &[String]) -> Vec<String> {
        if self.team_prefix.is_empty() {
            return Vec::new();
        }
        let mut teams: Vec<String> = groups
            .iter()
            .filter_map(|g| g.strip_prefix(&self.team_prefix))
            .filter(|slug| !slug.is_empty())
            .map(str::to_string)
            .collect();
        teams.sort();
        teams.dedup();
        teams
    }
}

fn matches(pattern: &str, group: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => group.starts_with(prefix),
        None => pattern == group,
    }
}

/// Where to go after signing in. Only a path on this site: anything that a browser could read as
/// another origin (`//evil`, `/\evil`, `https://…`) or that is not a path becomes `/`.
pub fn safe_return_path(next: &str) -> String {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.chars().any(|c| c.is_control() || c == '\\')
        && next.len() <= 2000;
    if ok {
        next.to_string()
    } else {
        "/".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn me(role: Role, teams: &[&str]) -> Me {
        Me {
            id: 1,
            name: "Pat".into(),
            email: "pat@example.com".into(),
            role,
            teams: teams.iter().map(|t| t.to_string()).collect(),
        }
    }

    #[test]
    fn viewers_change_nothing() {
        let v = me(Role::Viewer, &["payments"]);
        for p in [
            Permission::EditService(Some("payments".into())),
            Permission::AssignServiceTo(Some("payments".into())),
            Permission::ManageTeams,
            Permission::ViewAudit,
        ] {
            assert!(!v.can(&p), "{p:?}");
            assert!(v.check(&p).is_err());
        }
    }

    #[test]
    fn editors_change_their_teams_services_only() {
        let e = me(Role::Editor, &["payments", "checkout"]);
        assert!(e.can(&Permission::EditService(Some("payments".into()))));
        assert!(e.can(&Permission::AssignServiceTo(Some("checkout".into()))));
        assert!(!e.can(&Permission::EditService(Some("identity".into()))));
        assert!(!e.can(&Permission::EditService(None)));
        assert!(!e.can(&Permission::AssignServiceTo(None)));
        assert!(!e.can(&Permission::ManageTeams));
        assert!(!e.can(&Permission::ManageTierPolicies));
        assert!(!e.can(&Permission::ManageUsers));
        let msg = e
            .check(&Permission::EditService(Some("identity".into())))
            .unwrap_err();
        assert!(msg.contains("\"identity\""), "{msg}");
    }

    #[test]
    fn admins_do_everything() {
        let a = me(Role::Admin, &[]);
        assert!(a.can(&Permission::EditService(None)));
        assert!(a.can(&Permission::EditService(Some("identity".into()))));
        assert!(a.can(&Permission::ManageUsers));
        assert!(a.can(&Permission::ViewAudit));
    }

    #[test]
    fn groups_map_to_the_highest_role_and_to_teams() {
        let m = GroupMapping {
            roles: GroupMapping::parse_roles("sre-admins=admin, team-*=editor").unwrap(),
            team_prefix: "team-".into(),
        };
        let g = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(m.role_for(&g(&["engineering"])), Role::Viewer);
        assert_eq!(m.role_for(&g(&["team-payments"])), Role::Editor);
        assert_eq!(
            m.role_for(&g(&["team-payments", "sre-admins"])),
            Role::Admin
        );
        assert_eq!(m.role_for(&[]), Role::Viewer);
        assert_eq!(
            m.teams_for(&g(&[
                "team-payments",
                "eng",
                "team-",
                "team-checkout",
                "team-payments"
            ])),
            vec!["checkout".to_string(), "payments".to_string()]
        );
    }

    #[test]
    fn bad_role_mappings_are_named() {
        assert!(GroupMapping::parse_roles("admins")
            .unwrap_err()
            .contains("admins"));
        assert!(GroupMapping::parse_roles("admins=root")
            .unwrap_err()
            .contains("viewer"));
        assert!(GroupMapping::parse_roles("*=admin").is_err());
        assert_eq!(GroupMapping::parse_roles(" ").unwrap(), vec![]);
    }

    #[test]
    fn return_paths_stay_on_this_site() {
        assert_eq!(
            safe_return_path("/services/payments-api?tab=links"),
            "/services/payments-api?tab=links"
        );
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "https://evil.example",
            "evil",
            "",
            "/a\nb",
        ] {
            assert_eq!(safe_return_path(bad), "/", "{bad:?}");
        }
    }
}

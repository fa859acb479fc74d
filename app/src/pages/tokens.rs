use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::teams::team_choices;
use crate::api::tokens::{list_tokens, CreateToken, RevokeToken};
use crate::components::fields::{field_errors, FormError, SelectField, TextField};
use crate::components::states::{EmptyState, ErrorView, Loading};
use crate::domain::team::TeamRef;
use crate::domain::token::{TokenSummary, DEFAULT_DAYS};

/// Admin: API tokens for CI jobs, pushers and importers.
#[component]
pub fn TokensPage() -> impl IntoView {
    let teams = Resource::new(|| (), |_| team_choices());
    view! {
        <Title text="API tokens"/>
        <div class="page-head">
            <div>
                <h1>"API tokens"</h1>
                <p class="muted">"Tokens let machines use the REST API at "<code>"/api/v1"</code>
                " (reference: "<a href="/api-docs">"the API page"</a>"). A team's token has that team's editors' rights, an organisation-wide one an admin's, and either only within its scopes. The secret is shown once; only its hash is kept."</p>
            </div>
        </div>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match teams.await {
                    Ok(teams) => view! { <Tokens teams/> }.into_any(),
                    Err(e) => view! { <ErrorView error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// One island: the list is re-read after each change, so it shows what is stored.
#[island]
fn Tokens(teams: Vec<TeamRef>) -> impl IntoView {
    let create = ServerAction::<CreateToken>::new();
    let revoke = ServerAction::<RevokeToken>::new();
    let data = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        |_| list_tokens(1),
    );
    let owners: Vec<(String, String)> =
        std::iter::once((String::new(), "Organisation-wide".to_string()))
            .chain(teams.into_iter().map(|t| (t.slug, t.name)))
            .collect();
    let scopes: Vec<(String, String)> = [
        ("catalog:read", "catalog:read — read the catalog"),
        (
            "catalog:read,catalog:write",
            "catalog:read, catalog:write — read and change it",
        ),
        (
            "catalog:read,slo:write",
            "catalog:read, slo:write — read the catalog and push SLO counts",
        ),
        (
            "audit:read",
            "audit:read — read the audit trail (organisation-wide only)",
        ),
    ]
    .into_iter()
    .map(|(v, l)| (v.to_string(), l.to_string()))
    .collect();
    let errors = field_errors(create);
    let secret = move || create.value().get().and_then(|r| r.ok());
    view! {
        <section class="card" aria-labelledby="new-token-h">
            <h2 id="new-token-h">"New token"</h2>
            <ActionForm action=create attr:class="form" attr:novalidate=true>
                <div class="form-grid">
                    <TextField prefix="form" name="name" label="Name" value=String::new() errors required=true
                        hint="What uses it, e.g. “payments CI deploys”." placeholder="payments CI"/>
                    <SelectField prefix="form" name="team" label="Acts for" value=String::new() options=owners errors
                        hint="A team's token can only change that team's services."/>
                    <SelectField prefix="form" name="scopes" label="Scopes" value="catalog:read".to_string() options=scopes errors required=true/>
                    <TextField prefix="form" name="expires_in_days" label="Expires in (days)" value=DEFAULT_DAYS.to_string() errors
                        input_type="number" hint="1 to 365."/>
                </div>
                <FormError action=create/>
                <div class="actions">
                    <button type="submit" class="button" disabled=move || create.pending().get()>"Create token"</button>
                </div>
            </ActionForm>
            <Show when=move || secret().is_some()>
                <div class="notice" role="status">
                    <p><strong>{move || secret().map(|t| format!("Token “{}” created.", t.name))}</strong>
                    " Copy the secret now: it is not shown again."</p>
                    <p><code class="secret">{move || secret().map(|t| t.secret)}</code></p>
                </div>
            </Show>
        </section>
        <FormError action=revoke/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let (tokens, _total) = match data.await {
                    Ok(d) => d,
                    Err(e) => return view! { <ErrorView error=e/> }.into_any(),
                };
                if tokens.is_empty() {
                    return view! {
                        <EmptyState title="No tokens yet">
                            <p>"Create one above for a CI job or importer; it will be listed here with its last use."</p>
                        </EmptyState>
                    }.into_any();
                }
                view! {
                    <div class="table-wrap">
                        <table class="table">
                            <caption class="visually-hidden">"API tokens"</caption>
                            <thead><tr>
                                <th scope="col">"Token"</th><th scope="col">"Acts for"</th><th scope="col">"Scopes"</th>
                                <th scope="col">"Expires"</th><th scope="col">"Last used"</th><th scope="col">"State"</th><th scope="col">"Revoke"</th>
                            </tr></thead>
                            <tbody>
                                {tokens.into_iter().map(|t| view! { <TokenRow t revoke/> }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            })}
        </Suspense>
    }
}

#[component]
fn TokenRow(t: TokenSummary, revoke: ServerAction<RevokeToken>) -> impl IntoView {
    let when = |d: Option<chrono::DateTime<chrono::Utc>>| {
        d.map(|d| d.format("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_else(|| "—".into())
    };
    let state = t.state.clone();
    let live = state == "active";
    view! {
        <tr>
            <td><strong>{t.name.clone()}</strong><br/><code class="muted small">{format!("{}…", t.prefix)}</code>
                <br/><span class="muted small">{format!("by {}", t.created_by)}</span></td>
            <td>{t.team.clone().unwrap_or_else(|| "Organisation".into())}</td>
            <td class="small">{t.scopes.join(", ")}</td>
            <td class="muted">{when(t.expires_at)}</td>
            <td class="muted">{when(t.last_used_at)}</td>
            <td><span class=format!("badge token-{state}")>{state.clone()}</span></td>
            <td>
                {live.then(|| view! {
                    <ActionForm action=revoke attr:class="inline-form">
                        <input type="hidden" name="id" value=t.id.to_string()/>
                        <button type="submit" class="button danger small">{format!("Revoke {}", t.name)}</button>
                    </ActionForm>
                })}
            </td>
        </tr>
    }
}

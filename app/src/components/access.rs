//! The signed-in person in the page: who they are, and showing only the controls they may use.
//! Hiding is a courtesy; the server refuses what is hidden here anyway.
use leptos::prelude::*;

use crate::api::me::get_me;
use crate::domain::access::{Me, Permission};
use crate::error::AppError;

#[derive(Clone, Copy)]
pub struct MeResource(pub Resource<Result<Me, AppError>>);

/// Loads the signed-in person once per page load, for everything below.
pub fn provide_me() {
    provide_context(MeResource(Resource::new(|| (), |_| get_me())));
}

pub fn use_me() -> Resource<Result<Me, AppError>> {
    expect_context::<MeResource>().0
}

/// Renders `children` only when the signed-in person may do `perm`, else `fallback`.
#[component]
pub fn IfCan(
    perm: Permission,
    #[prop(optional, into)] fallback: ViewFn,
    children: ChildrenFn,
) -> impl IntoView {
    let me = use_me();
    let children = StoredValue::new(children);
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let perm = perm.clone();
                let fallback = fallback.clone();
                Suspend::new(async move {
                    let allowed = me.await.map(|m| m.can(&perm)).unwrap_or(false);
                    if allowed {
                        children.with_value(|c| c()).into_any()
                    } else {
                        fallback.run().into_any()
                    }
                })
            }}
        </Suspense>
    }
}

/// Shown in place of a form the person may not use.
#[component]
pub fn NotAllowed(#[prop(into)] message: String) -> impl IntoView {
    view! {
        <div class="notice" role="status">
            <p><strong>"You can read this, but not change it."</strong></p>
            <p>{message}</p>
        </div>
    }
}

/// None when `me` may do `p`; otherwise what to tell them.
pub fn refusal(me: &Result<Me, AppError>, p: &Permission) -> Option<String> {
    match me {
        Ok(m) => m.check(p).err(),
        Err(e) => Some(e.to_string()),
    }
}

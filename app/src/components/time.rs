//! Times as the viewer reads them. The server renders UTC, named ("2026-12-07 16:05 UTC"), so a
//! page reads right without JavaScript; once the page's islands hydrate, `LocalTimes` rewrites
//! every such time into the browser's own zone, named too ("2026-12-07 17:05 CET"), keeping UTC
//! in the tooltip. The server never needs to know the viewer's zone, so cached HTML stays shared.
use chrono::{DateTime, Utc};
use leptos::prelude::*;

/// One moment, shown in the viewer's zone once hydrated.
#[component]
pub fn LocalTime(at: DateTime<Utc>) -> impl IntoView {
    let utc = at.format("%Y-%m-%d %H:%M UTC").to_string();
    view! { <time class="local-time" datetime=at.to_rfc3339() title=utc.clone()>{utc.clone()}</time> }
}

/// Rewrites the page's `LocalTime`s into the browser's zone (once per page, from the layout).
#[island]
pub fn LocalTimes() -> impl IntoView {
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        rewrite();
    });
}

#[cfg(feature = "hydrate")]
fn rewrite() {
    use wasm_bindgen::JsCast;
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(list) = doc.query_selector_all("time.local-time") else {
        return;
    };
    let opts = js_sys::Object::new();
    for (k, v) in [
        ("year", "numeric"),
        ("month", "2-digit"),
        ("day", "2-digit"),
        ("hour", "2-digit"),
        ("minute", "2-digit"),
        ("hourCycle", "h23"),
        ("timeZoneName", "short"),
    ] {
        let _ = js_sys::Reflect::set(&opts, &k.into(), &v.into());
    }
    for i in 0..list.length() {
        let Some(el) = list
            .item(i)
            .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
        else {
            continue;
        };
        let Some(iso) = el.get_attribute("datetime") else {
            continue;
        };
        let date = js_sys::Date::new(&iso.into());
        if date.get_time().is_nan() {
            continue;
        }
        // Swedish order is ISO's: 2026-12-07 17:05 CET.
        let local: String = date.to_locale_string("sv-SE", &opts).into();
        el.set_text_content(Some(&local));
    }
}

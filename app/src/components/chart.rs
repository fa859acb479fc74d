//! A small line chart drawn on the server as SVG: readable without JavaScript, with a text
//! alternative (the caller also shows the figures as a table).
use leptos::prelude::*;

/// The polyline's points: x over `slots` equal steps, y between `y_min` (bottom) and `y_max`;
/// a gap (None) breaks the line. Pure, so it is tested without a browser.
pub fn polylines(values: &[Option<f64>], slots: usize, y_min: f64, y_max: f64) -> Vec<String> {
    const W: f64 = 600.0;
    const H: f64 = 160.0;
    let span = (y_max - y_min).max(f64::EPSILON);
    let step = W / (slots.max(2) - 1) as f64;
    let mut lines = Vec::new();
    let mut cur: Vec<String> = Vec::new();
    for (i, v) in values.iter().enumerate() {
        match v {
            Some(v) => {
                let y = H - ((v.clamp(y_min, y_max) - y_min) / span) * H;
                cur.push(format!("{:.1},{:.1}", i as f64 * step, y));
            }
            None if !cur.is_empty() => lines.push(std::mem::take(&mut cur).join(" ")),
            None => {}
        }
    }
    if !cur.is_empty() {
        lines.push(cur.join(" "));
    }
    lines
}

/// `reference` draws a dashed horizontal line (a target, or zero budget) with its label.
#[component]
pub fn LineChart(
    title: String,
    description: String,
    values: Vec<Option<f64>>,
    slots: usize,
    y_min: f64,
    y_max: f64,
    y_top_label: String,
    y_bottom_label: String,
    #[prop(optional)] reference: Option<(f64, String)>,
) -> impl IntoView {
    let lines = polylines(&values, slots, y_min, y_max);
    // A single point draws no line: show it as a dot.
    let dots: Vec<String> = lines.iter().filter(|l| !l.contains(' ')).cloned().collect();
    let reference = reference.map(|(v, label)| {
        let y =
            160.0 - ((v.clamp(y_min, y_max) - y_min) / (y_max - y_min).max(f64::EPSILON)) * 160.0;
        (format!("{y:.1}"), label)
    });
    let id = format!("chart-{}", title.to_lowercase().replace(' ', "-"));
    view! {
        <figure class="chart">
            <svg viewBox="-60 -10 680 190" role="img" aria-labelledby=format!("{id}-t {id}-d") preserveAspectRatio="xMidYMid meet">
                <title id=format!("{id}-t")>{title.clone()}</title>
                <desc id=format!("{id}-d")>{description.clone()}</desc>
                <line class="axis" x1="0" y1="0" x2="0" y2="160"></line>
                <line class="axis" x1="0" y1="160" x2="600" y2="160"></line>
                <text class="tick" x="-8" y="4" text-anchor="end">{y_top_label}</text>
                <text class="tick" x="-8" y="164" text-anchor="end">{y_bottom_label}</text>
                {reference.map(|(y, label)| view! {
                    <line class="reference" x1="0" y1=y.clone() x2="600" y2=y.clone()></line>
                    <text class="tick" x="596" y=y text-anchor="end" dy="-4">{label}</text>
                })}
                {lines.into_iter().map(|points| view! { <polyline class="series" points=points></polyline> }).collect_view()}
                {dots.into_iter().map(|p| {
                    let (x, y) = p.split_once(',').map(|(x, y)| (x.to_string(), y.to_string())).unwrap_or_default();
                    view! { <circle class="series-dot" cx=x cy=y r="3"></circle> }
                }).collect_view()}
            </svg>
            <figcaption>{description}</figcaption>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_map_onto_the_box_and_gaps_break_the_line() {
        let lines = polylines(&[Some(1.0), Some(0.0), None, Some(0.5)], 4, 0.0, 1.0);
        assert_eq!(lines, vec!["0.0,0.0 200.0,160.0", "600.0,80.0"]);
        // Out-of-range values are clamped into the box.
        assert_eq!(polylines(&[Some(-3.0)], 2, 0.0, 1.0), vec!["0.0,160.0"]);
    }
}

//! `EventsChart`: a small inline-SVG sparkline of counts per time bucket. No chart library: one
//! filled step path plus its top line, drawn the same on the server and in the browser.

use leptos::prelude::*;

use super::formatted::grouped;

/// Height of the drawing in SVG units; the width is one unit per value.
const HEIGHT: f64 = 100.0;
/// Space kept above the tallest bar so its top line stays visible.
const HEADROOM: f64 = 4.0;

/// Counts over time (oldest first) as a filled step chart, with the largest value labelled and
/// the ends of the time axis named. The SVG is one image with an accessible name.
#[component]
pub fn EventsChart(
    /// One count per bucket, oldest first.
    values: Vec<u32>,
    /// The image's accessible name.
    #[prop(into, default = "Events per minute, last 24 hours".to_owned())]
    label: String,
    /// Unit of one bucket, for the max label (`max 12 / min`).
    #[prop(default = "min")]
    per: &'static str,
    /// The time axis' left end.
    #[prop(default = "24 h ago")]
    start: &'static str,
    /// The time axis' right end.
    #[prop(default = "now")]
    end: &'static str,
) -> impl IntoView {
    let max = values.iter().copied().max().unwrap_or(0);
    let paths = StepPaths::new(&values, max);
    let width = values.len().max(1);
    let view_box = format!("0 0 {width} {HEIGHT}");

    view! {
        <figure class="min-w-0">
            <div class="flex items-baseline justify-between text-xs text-slate-500">
                <figcaption>{label.clone()}</figcaption>
                <span class="tabular-nums">{format!("max {} / {per}", grouped(i64::from(max)))}</span>
            </div>
            <svg
                role="img"
                aria-label=label
                viewBox=view_box
                preserveAspectRatio="none"
                class="mt-1 block h-16 w-full rounded bg-slate-50"
            >
                <line
                    x1="0"
                    y1=HEIGHT
                    x2=width
                    y2=HEIGHT
                    class="stroke-slate-300"
                    stroke-width="1"
                    vector-effect="non-scaling-stroke"
                />
                <path d=paths.area class="fill-indigo-200" />
                <path
                    d=paths.line
                    fill="none"
                    class="stroke-indigo-500"
                    stroke-width="1.5"
                    stroke-linejoin="round"
                    vector-effect="non-scaling-stroke"
                />
            </svg>
            <div class="mt-0.5 flex justify-between text-xs text-slate-400" aria-hidden="true">
                <span>{start}</span>
                <span>{end}</span>
            </div>
        </figure>
    }
}

/// The SVG paths of a step chart: `area` closed down to the baseline, `line` its top edge only.
/// Runs of equal values become one horizontal segment, so long quiet stretches cost nothing.
#[derive(Debug, PartialEq)]
struct StepPaths {
    area: String,
    line: String,
}

impl StepPaths {
    fn new(values: &[u32], max: u32) -> Self {
        let y = |v: u32| {
            if max == 0 {
                HEIGHT
            } else {
                HEIGHT - f64::from(v) / f64::from(max) * (HEIGHT - HEADROOM)
            }
        };
        let mut steps = String::new();
        let mut current: Option<u32> = None;
        for (i, &v) in values.iter().enumerate() {
            if current != Some(v) {
                if current.is_some() {
                    steps.push_str(&format!("H{i}"));
                }
                steps.push_str(&format!("V{}", round(y(v))));
                current = Some(v);
            }
        }
        if current.is_some() {
            steps.push_str(&format!("H{}", values.len()));
        }
        if values.is_empty() {
            return Self {
                area: String::new(),
                line: String::new(),
            };
        }
        Self {
            area: format!("M0 {HEIGHT}{steps}V{HEIGHT}Z"),
            line: format!("M0 {HEIGHT}{steps}"),
        }
    }
}

/// One decimal is plenty for a chart 64 pixels tall, and keeps the markup short.
fn round(y: f64) -> String {
    let r = (y * 10.0).round() / 10.0;
    format!("{r}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_neighbours_share_one_step() {
        let p = StepPaths::new(&[0, 0, 2, 2, 1], 2);
        assert_eq!(p.line, "M0 100V100H2V4H4V52H5");
        assert_eq!(p.area, "M0 100V100H2V4H4V52H5V100Z");
    }

    #[test]
    fn all_zero_is_a_flat_baseline() {
        let p = StepPaths::new(&[0, 0, 0], 0);
        assert_eq!(p.line, "M0 100V100H3");
    }

    #[test]
    fn no_values_draw_nothing() {
        assert_eq!(StepPaths::new(&[], 0).area, "");
    }
}

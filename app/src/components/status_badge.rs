use leptos::prelude::*;

use crate::model::health::{AlarmState, CheckState};

/// The colour of a [`Pill`]. Each names its full Tailwind classes, so Tailwind finds them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Green,
    Sky,
    Amber,
    Orange,
    Red,
    Slate,
}

impl Tone {
    pub fn classes(self) -> &'static str {
        match self {
            Tone::Green => "bg-emerald-100 text-emerald-800",
            Tone::Sky => "bg-sky-100 text-sky-800",
            Tone::Amber => "bg-amber-100 text-amber-900",
            Tone::Orange => "bg-orange-100 text-orange-800",
            Tone::Red => "bg-red-100 text-red-800",
            Tone::Slate => "bg-slate-100 text-slate-700",
        }
    }
}

/// The shape every badge shares; the tone adds the colours.
const PILL: &str =
    "inline-flex items-center whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium";

fn pill_class(tone: Tone) -> String {
    format!("{PILL} {}", tone.classes())
}

/// A short coloured label (a state, a severity). The text says it all; the colour only helps.
#[component]
pub fn Pill(
    tone: Tone,
    #[prop(optional, into)] title: Option<String>,
    children: Children,
) -> impl IntoView {
    view! { <span class=pill_class(tone) title=title>{children()}</span> }
}

/// A source's state as a coloured label: healthy, backfilling, degraded, failing, paused,
/// pending or setup.
#[component]
pub fn StatusBadge(#[prop(into)] state: Signal<String>) -> impl IntoView {
    let label = move || match state.get().as_str() {
        "healthy" => "Healthy",
        "backfilling" => "Backfilling",
        "degraded" => "Degraded",
        "failing" => "Failing",
        "paused" => "Paused",
        "setup" => "Setup not finished",
        _ => "Pending",
    };
    let tone = move || match state.get().as_str() {
        "healthy" => Tone::Green,
        "backfilling" => Tone::Sky,
        "degraded" => Tone::Amber,
        "failing" => Tone::Red,
        _ => Tone::Slate,
    };
    view! { <span class=move || pill_class(tone())>{label}</span> }
}

/// One health check's state: Passing, Warning, Failing or Unknown.
#[component]
pub fn CheckBadge(#[prop(into)] state: Signal<CheckState>) -> impl IntoView {
    let look = move || match state.get() {
        CheckState::Passing => ("Passing", Tone::Green),
        CheckState::Warning => ("Warning", Tone::Amber),
        CheckState::Failing => ("Failing", Tone::Red),
        CheckState::Unknown => ("Unknown", Tone::Slate),
    };
    view! { <span class=move || pill_class(look().1)>{move || look().0}</span> }
}

/// The no-events alarm's state: OK, Alarm, Insufficient data or Off.
#[component]
pub fn AlarmBadge(#[prop(into)] state: Signal<AlarmState>) -> impl IntoView {
    let look = move || alarm_look(state.get());
    view! { <span class=move || pill_class(look().1)>{move || look().0}</span> }
}

/// How an alarm state reads and looks.
pub fn alarm_look(state: AlarmState) -> (&'static str, Tone) {
    match state {
        AlarmState::Ok => ("OK", Tone::Green),
        AlarmState::Alarm => ("Alarm", Tone::Red),
        AlarmState::InsufficientData => ("Insufficient data", Tone::Slate),
        AlarmState::Disabled => ("Off", Tone::Slate),
    }
}

/// An Okta status or outcome (a user's `LOCKED_OUT`, a device's `SUSPENDED`, an event's
/// `FAILURE`) as a [`Pill`]: its words and colour.
pub fn okta_status_look(status: &str) -> (String, Tone) {
    let tone = match status {
        "ACTIVE" | "SUCCESS" | "ALLOW" => Tone::Green,
        "DEPROVISIONED" | "DEACTIVATED" | "FAILURE" | "DENY" => Tone::Red,
        "SUSPENDED" | "LOCKED_OUT" | "PASSWORD_EXPIRED" | "RECOVERY" | "CHALLENGE" => Tone::Amber,
        "STAGED" | "PROVISIONED" | "CREATED" => Tone::Sky,
        _ => Tone::Slate,
    };
    (super::formatted::humanized(status), tone)
}

/// A state in words, for when the server gave no reason.
pub fn describe_state(state: &str) -> &'static str {
    match state {
        "healthy" => "Polling normally.",
        "backfilling" => "Catching up on past events.",
        "degraded" => "Polling, with problems.",
        "failing" => "Polls are failing.",
        "paused" => "Paused; no polls until resumed.",
        "setup" => "Setup is not finished; no polls yet.",
        _ => "Waiting for the first poll.",
    }
}

/// The server's reason for a state, or the state in words when there is none.
pub fn state_reason(state: &str, reason: Option<&str>) -> String {
    reason.map_or_else(|| describe_state(state).to_owned(), str::to_owned)
}

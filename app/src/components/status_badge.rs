use leptos::prelude::*;

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
    let colour = move || match state.get().as_str() {
        "healthy" => "bg-emerald-100 text-emerald-800",
        "backfilling" => "bg-sky-100 text-sky-800",
        "degraded" => "bg-amber-100 text-amber-900",
        "failing" => "bg-red-100 text-red-800",
        _ => "bg-slate-100 text-slate-700",
    };
    view! {
        <span class=move || format!("inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium {}", colour())>
            {label}
        </span>
    }
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

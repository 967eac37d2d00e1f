use std::time::Duration;

use leptos::prelude::*;

/// A counter that goes up every `period`, in the browser only (the server renders tick 0).
/// Key a `Resource` on it for short polling; the interval stops when the caller unmounts.
pub fn use_ticker(period: Duration) -> ReadSignal<u64> {
    let ticks = RwSignal::new(0u64);
    // Effects run only in the browser, after hydration.
    Effect::new(move |_| {
        let handle = set_interval_with_handle(move || ticks.update(|n| *n += 1), period).ok();
        on_cleanup(move || {
            if let Some(handle) = handle {
                handle.clear();
            }
        });
    });
    ticks.read_only()
}

//! `SearchBox`: a labelled search field that applies what was typed after a short pause (or at
//! once on Enter), so a list does not reload on every key.

use std::time::Duration;

use leptos::prelude::*;

use super::{button::SECONDARY_BUTTON, field::TextField};

/// How long typing must pause before the search applies.
const PAUSE: Duration = Duration::from_millis(300);

/// A search form; `applied` receives the trimmed text once typing pauses or on submit.
#[component]
pub fn SearchBox(
    #[prop(into)] id: String,
    /// The field's label ("Search users").
    #[prop(into)]
    label: String,
    applied: RwSignal<String>,
    #[prop(into)] placeholder: String,
) -> impl IntoView {
    let typed = RwSignal::new(applied.get_untracked());
    // Only the newest keystroke's timer applies (earlier ones find a newer number).
    let keystrokes = StoredValue::new(0u64);
    let apply = move || {
        let text = typed.get_untracked().trim().to_owned();
        if applied.get_untracked() != text {
            applied.set(text);
        }
    };
    Effect::watch(
        move || typed.get(),
        move |_, _, _| {
            let number = keystrokes.try_update_value(|n| {
                *n += 1;
                *n
            });
            set_timeout(
                move || {
                    if keystrokes.try_get_value() == number {
                        apply();
                    }
                },
                PAUSE,
            );
        },
        false,
    );
    // No landmark name on the form: the field's label names the search once.
    view! {
        <form
            class="mb-3 flex items-end gap-2"
            on:submit=move |ev| {
                ev.prevent_default();
                apply();
            }
        >
            <div class="w-full max-w-sm">
                <TextField id label value=typed input_type="search" placeholder />
            </div>
            <button type="submit" class=SECONDARY_BUTTON>"Search"</button>
        </form>
    }
    .into_any()
}

use leptos::prelude::*;

use crate::model::AppError;

/// A failed server call, in words, as an alert (field problems are shown by their fields).
#[component]
pub fn ErrorNote(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    move || {
        error.get().filter(|e| !matches!(e, AppError::Fields(_))).map(|e| {
            view! {
                <p role="alert" class="rounded border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
                    {e.to_string()}
                </p>
            }
        })
    }
}

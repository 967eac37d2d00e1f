//! `Pager`: Previous/Next through a paged list, with where the page is ("51–100 of 200").

use leptos::prelude::*;

use super::{button::SMALL_BUTTON, formatted::grouped};

/// Previous/Next buttons for `page` (0-based) of `total` rows, `page_size` a page, named
/// `label` for screen readers. Shows nothing while there are no rows.
#[component]
pub fn Pager(
    #[prop(into)] label: String,
    page: RwSignal<u32>,
    #[prop(into)] total: Signal<i64>,
    page_size: u32,
) -> impl IntoView {
    let size = i64::from(page_size);
    let first_row = move || i64::from(page.get()) * size;
    let position = move || {
        let total = total.get();
        let first = first_row().min(total);
        format!(
            "{}–{} of {}",
            grouped(first + 1),
            grouped((first + size).min(total)),
            grouped(total)
        )
    };
    let has_previous = move || page.get() > 0;
    let has_next = move || first_row() + size < total.get();
    view! {
        <Show when=move || { total.get() > 0 }>
            <nav aria-label=label.clone() class="mt-3 flex items-center justify-between gap-3 text-sm text-slate-600">
                <span class="tabular-nums">{position}</span>
                <span class="flex gap-2">
                    <button
                        type="button"
                        class=SMALL_BUTTON
                        disabled=move || !has_previous()
                        on:click=move |_| page.update(|p| *p = p.saturating_sub(1))
                    >
                        "Previous"
                    </button>
                    <button
                        type="button"
                        class=SMALL_BUTTON
                        disabled=move || !has_next()
                        on:click=move |_| page.update(|p| *p += 1)
                    >
                        "Next"
                    </button>
                </span>
            </nav>
        </Show>
    }
    .into_any()
}

/// The last page that holds any of `total` rows (0 when there are none).
pub fn last_page(total: i64, page_size: u32) -> u32 {
    let pages = (total.max(0) + i64::from(page_size) - 1) / i64::from(page_size);
    u32::try_from((pages - 1).max(0)).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::last_page;

    #[test]
    fn the_last_page_holds_the_last_row() {
        assert_eq!(last_page(0, 50), 0);
        assert_eq!(last_page(50, 50), 0);
        assert_eq!(last_page(51, 50), 1);
        assert_eq!(last_page(200, 50), 3);
    }
}

use leptos::prelude::*;

/// A row of tabs following the WAI-ARIA tabs pattern: `role="tablist"` of `role="tab"` buttons
/// with `aria-selected`, arrow keys (plus Home/End) moving between them. The page keeps the
/// selection (e.g. in the URL) and renders one [`TabPanel`] per tab with the same `id`.
#[component]
pub fn Tabs(
    /// Prefix of the element ids: tab `{id}-tab-{key}`, panel `{id}-panel-{key}`.
    #[prop(into)]
    id: String,
    /// The tab list's accessible name.
    #[prop(into)]
    label: String,
    /// `(key, label)` pairs, in order.
    tabs: Vec<(&'static str, &'static str)>,
    #[prop(into)] selected: Signal<String>,
    on_select: Callback<String>,
) -> impl IntoView {
    let keys: Vec<&'static str> = tabs.iter().map(|(key, _)| *key).collect();
    let on_keydown = {
        let id = id.clone();
        move |ev: leptos::ev::KeyboardEvent| {
            let Some(last) = keys.len().checked_sub(1) else {
                return;
            };
            let current = selected.with_untracked(|s| keys.iter().position(|k| k == s));
            let current = current.unwrap_or(0);
            let next = match ev.key().as_str() {
                "ArrowRight" => {
                    if current == last {
                        0
                    } else {
                        current + 1
                    }
                }
                "ArrowLeft" => {
                    if current == 0 {
                        last
                    } else {
                        current - 1
                    }
                }
                "Home" => 0,
                "End" => last,
                _ => return,
            };
            ev.prevent_default();
            on_select.run(keys[next].to_owned());
            focus_element(&tab_id(&id, keys[next]));
        }
    };
    view! {
        <div
            role="tablist"
            aria-label=label
            class="mb-5 flex gap-1 border-b border-slate-200"
            on:keydown=on_keydown
        >
            {tabs
                .into_iter()
                .map(|(key, text)| {
                    let is_selected = move || selected.with(|s| s == key);
                    view! {
                        <button
                            type="button"
                            role="tab"
                            id=tab_id(&id, key)
                            aria-controls=panel_id(&id, key)
                            aria-selected=move || is_selected().to_string()
                            tabindex=move || if is_selected() { "0" } else { "-1" }
                            class="-mb-px border-b-2 border-transparent px-4 py-2 text-sm font-medium text-slate-600 hover:border-slate-300 hover:text-slate-900 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-400 aria-selected:border-indigo-600 aria-selected:text-indigo-700"
                            on:click=move |_| on_select.run(key.to_owned())
                        >
                            {text}
                        </button>
                    }
                })
                .collect_view()}
        </div>
    }
}

/// One tab's content. Every panel stays mounted (unsaved input in a hidden tab survives a tab
/// switch); only the selected one is shown.
#[component]
pub fn TabPanel(
    /// The same prefix as the [`Tabs`] it belongs to.
    #[prop(into)]
    id: String,
    key: &'static str,
    #[prop(into)] selected: Signal<String>,
    children: Children,
) -> impl IntoView {
    view! {
        <div
            role="tabpanel"
            id=panel_id(&id, key)
            aria-labelledby=tab_id(&id, key)
            tabindex="0"
            class="focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-400"
            hidden=move || selected.with(|s| s != key)
        >
            {children()}
        </div>
    }
}

fn tab_id(prefix: &str, key: &str) -> String {
    format!("{prefix}-tab-{key}")
}

fn panel_id(prefix: &str, key: &str) -> String {
    format!("{prefix}-panel-{key}")
}

/// Moves keyboard focus to the newly selected tab (roving tabindex).
fn focus_element(id: &str) {
    use leptos::wasm_bindgen::JsCast;
    if let Some(element) = document()
        .get_element_by_id(id)
        .and_then(|e| e.dyn_into::<leptos::web_sys::HtmlElement>().ok())
    {
        let _ = element.focus();
    }
}

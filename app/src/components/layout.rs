use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_location};

use crate::{
    api::auth::{current_user, logout},
    model::account::{LOGIN_PATH, SETUP_PATH},
};

/// The areas of the console, in navigation order: (path, label).
const NAV: [(&str, &str); 6] = [
    ("/", "Dashboard"),
    ("/sources", "Sources"),
    ("/events", "Events"),
    ("/alerts", "Alerts"),
    ("/detections", "Detections"),
    ("/settings", "Settings"),
];

/// Sidebar navigation plus the page area.
///
/// The root carries `data-hydrated="true"` once the browser half runs, so end-to-end tests can
/// wait for interactivity instead of sleeping.
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let hydrated = RwSignal::new(false);
    // Effects run only in the browser, so this flips exactly when hydration has happened.
    Effect::new(move |_| hydrated.set(true));
    let nav_open = RwSignal::new(true);
    // Sign-in and setup pages stand alone: no navigation, no user.
    let location = use_location();
    let bare = Memo::new(move |_| {
        location
            .pathname
            .with(|p| p == LOGIN_PATH || p == SETUP_PATH)
    });

    view! {
        <div class="flex min-h-screen" data-hydrated=move || hydrated.get().to_string()>
            <nav
                aria-label="Main"
                class="flex flex-col bg-slate-900 text-slate-100 transition-all"
                class:hidden=move || bare.get()
                class=("w-56", move || nav_open.get())
                class=("w-14", move || !nav_open.get())
            >
                <div class="flex items-center justify-between gap-2 px-3 py-4">
                    <span class="text-lg font-semibold tracking-tight" class:hidden=move || !nav_open.get()>
                        "Gatehouse"
                    </span>
                    <button
                        type="button"
                        class="rounded p-1 text-slate-300 hover:bg-slate-800 hover:text-white focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-400"
                        aria-controls="main-nav-links"
                        aria-expanded=move || nav_open.get().to_string()
                        aria-label=move || if nav_open.get() { "Collapse navigation" } else { "Expand navigation" }
                        on:click=move |_| nav_open.update(|open| *open = !*open)
                    >
                        {move || if nav_open.get() { "«" } else { "»" }}
                    </button>
                </div>
                <ul id="main-nav-links" class="flex flex-col gap-1 px-2">
                    {NAV
                        .into_iter()
                        .map(|(href, label)| {
                            view! {
                                <li>
                                    <A
                                        href=href
                                        attr:class="flex items-center gap-2 rounded px-3 py-2 text-sm text-slate-300 hover:bg-slate-800 hover:text-white aria-[current=page]:bg-slate-800 aria-[current=page]:text-white"
                                        attr:title=label
                                    >
                                        <span class="w-4 text-center" aria-hidden="true">
                                            {label.chars().next().unwrap_or(' ').to_string()}
                                        </span>
                                        <span class:sr-only=move || !nav_open.get()>{label}</span>
                                    </A>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
                <SignedInUser bare nav_open />
            </nav>
            <main class="flex-1 overflow-x-hidden px-8 py-6">{children()}</main>
        </div>
    }
}

/// The signed-in user and the Log out button, at the foot of the navigation.
#[component]
fn SignedInUser(bare: Memo<bool>, nav_open: RwSignal<bool>) -> impl IntoView {
    let user = Resource::new(
        move || bare.get(),
        |bare| async move {
            if bare {
                None
            } else {
                current_user().await.ok().flatten()
            }
        },
    );
    let log_out = Action::new(|_: &()| async {
        // Signed out either way: the server ended the session, or it had already ended.
        let _ = logout().await;
        crate::pages::login::go_to(LOGIN_PATH);
    });
    view! {
        <div class="mt-auto border-t border-slate-800 px-3 py-4 text-sm">
            <Transition fallback=|| ()>
                {move || {
                    user.get()
                        .flatten()
                        .map(|name| {
                            view! {
                                <p class="mb-2 truncate text-slate-300" class:sr-only=move || !nav_open.get()>
                                    "Signed in as "
                                    <span class="font-medium text-white">{name}</span>
                                </p>
                                <button
                                    type="button"
                                    class="rounded px-2 py-1 text-slate-300 hover:bg-slate-800 hover:text-white focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-400"
                                    on:click=move |_| {
                                        log_out.dispatch(());
                                    }
                                >
                                    "Log out"
                                </button>
                            }
                        })
                }}
            </Transition>
        </div>
    }
}

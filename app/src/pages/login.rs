//! `/login`: username and password; on success a full page load of `next` (the layout then
//! shows the signed-in user). Reachable without a session.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::{
    api::auth::login,
    components::{
        button::PRIMARY_BUTTON, card::Card, error_note::ErrorNote, field::TextField,
        page_header::PageHeader,
    },
    model::AppError,
};

#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let submit = Action::new(move |(user, pass, next): &(String, String, String)| {
        let (user, pass, next) = (user.clone(), pass.clone(), next.clone());
        async move {
            match login(user, pass, next).await {
                Ok(target) => go_to(&target),
                Err(e) => {
                    password.set(String::new());
                    error.set(Some(e));
                }
            }
        }
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let next = query.with_untracked(|q| q.get("next").unwrap_or_default());
        submit.dispatch((username.get_untracked(), password.get_untracked(), next));
    };
    view! {
        <div class="mx-auto mt-12 flex max-w-md flex-col">
            <PageHeader title="Sign in" description="Gatehouse console" />
            <Card title="Your account">
                // method=post: a submit before the page is interactive never puts fields in the URL.
                <form method="post" action="/api/login" class="flex flex-col gap-4" on:submit=on_submit>
                    <TextField id="login-username" label="Username" value=username autocomplete="username" />
                    <TextField
                        id="login-password"
                        label="Password"
                        value=password
                        input_type="password"
                        autocomplete="current-password"
                    />
                    <ErrorNote error />
                    <button type="submit" class=PRIMARY_BUTTON disabled=move || submit.pending().get()>
                        "Sign in"
                    </button>
                </form>
            </Card>
        </div>
    }
}

/// A full page load (not client-side routing), so every part of the page renders signed in.
pub(crate) fn go_to(target: &str) {
    let _ = window().location().set_href(target);
}

//! `/setup`: first run only. The setup code from the server log, then the first admin's
//! username and password; on success the admin is signed in. Reachable without a session
//! until an admin exists.

use leptos::prelude::*;

use crate::{
    api::auth::setup,
    components::{
        button::PRIMARY_BUTTON, card::Card, error_note::ErrorNote, field::TextField,
        page_header::PageHeader,
    },
    model::{account::MIN_PASSWORD_CHARS, AppError},
    pages::login::go_to,
};

#[component]
pub fn SetupPage() -> impl IntoView {
    let code = RwSignal::new(String::new());
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let confirmation = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let submit = Action::new(move |input: &(String, String, String, String)| {
        let (code, user, pass, confirm) = input.clone();
        async move {
            match setup(code, user, pass, confirm).await {
                Ok(()) => go_to("/"),
                Err(e) => error.set(Some(e)),
            }
        }
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        submit.dispatch((
            code.get_untracked(),
            username.get_untracked(),
            password.get_untracked(),
            confirmation.get_untracked(),
        ));
    };
    view! {
        <div class="mx-auto mt-12 flex max-w-md flex-col">
            <PageHeader
                title="Set up Gatehouse"
                description="Create the first admin. The setup code is in the server's log (first-run setup code: …)."
            />
            <Card title="First admin">
                <form method="post" action="/api/setup" class="flex flex-col gap-4" on:submit=on_submit>
                    <TextField id="setup-code" label="Setup code" value=code placeholder="XXXX-XXXX" />
                    <TextField id="setup-username" label="Username" value=username autocomplete="username" />
                    <TextField
                        id="setup-password"
                        label="Password"
                        value=password
                        input_type="password"
                        autocomplete="new-password"
                        hint=format!("At least {MIN_PASSWORD_CHARS} characters.")
                    />
                    <TextField
                        id="setup-confirmation"
                        label="Confirm password"
                        value=confirmation
                        input_type="password"
                        autocomplete="new-password"
                    />
                    <ErrorNote error />
                    <button type="submit" class=PRIMARY_BUTTON disabled=move || submit.pending().get()>
                        "Create admin and sign in"
                    </button>
                </form>
            </Card>
        </div>
    }
}

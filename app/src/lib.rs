//! The Gatehouse console, compiled twice: into the server (feature `ssr`) and into the browser
//! (feature `hydrate`).
//!
//! - [`model`]: types both sides share (serde only).
//! - [`api`]: server functions, each a thin call into the server's [`backend::Console`].
//! - [`components`] and [`pages`]: the UI.

pub mod api;
#[cfg(feature = "ssr")]
pub mod backend;
pub mod components;
pub mod model;
pub mod pages;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

/// The HTML document the server renders around the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                // An inline icon, so the browser never asks for /favicon.ico (a 404 in the console).
                <link rel="icon" href=FAVICON />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body class="bg-slate-50 text-slate-900 antialiased">
                <App />
            </body>
        </html>
    }
}

const FAVICON: &str = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Crect width='16' height='16' rx='3' fill='%234f46e5'/%3E%3Cpath d='M4 12V6l4-3 4 3v6H9V9H7v3z' fill='white'/%3E%3C/svg%3E";

/// The console: layout plus one route per area.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/gatehouse.css" />
        <Title formatter=|page: String| format!("{page} · Gatehouse") />
        <Router>
            <components::layout::Layout>
                <Routes fallback=pages::not_found::NotFound>
                    <Route path=path!("/") view=pages::dashboard::DashboardPage />
                    <Route path=path!("/sources") view=pages::sources::list::SourcesPage />
                    <Route path=path!("/sources/new") view=pages::sources::wizard::NewSourcePage />
                    // Async: the page waits for the source, so an unknown id can still answer 404.
                    <Route path=path!("/sources/:id") view=pages::sources::detail::SourcePage ssr=SsrMode::Async />
                    <Route path=path!("/events") view=pages::events::list::EventsPage />
                    // Async: the page waits for the event, so an unknown id can still answer 404.
                    <Route path=path!("/events/:id") view=pages::events::detail::EventPage ssr=SsrMode::Async />
                    <Route path=path!("/alerts") view=pages::alerts::list::AlertsPage />
                    // Before /alerts/:id: leptos_router 0.8 takes the first route that matches, in
                    // this order (no ranking of static over dynamic segments).
                    <Route path=path!("/alerts/destinations") view=pages::alerts::destinations::DestinationsPage />
                    <Route path=path!("/alerts/:id") view=pages::alerts::detail::AlertPage ssr=SsrMode::Async />
                    <Route path=path!("/detections") view=pages::detections::list::DetectionsPage />
                    <Route path=path!("/detections/new") view=pages::detections::editor::NewRulePage />
                    <Route path=path!("/detections/rules/:id") view=pages::detections::rule::RulePage ssr=SsrMode::Async />
                    <Route path=path!("/settings") view=pages::settings::SettingsPage />
                    // Open without a session (the server's gate lets only these pages through).
                    <Route path=path!("/login") view=pages::login::LoginPage />
                    <Route path=path!("/setup") view=pages::setup::SetupPage />
                </Routes>
            </components::layout::Layout>
        </Router>
    }
}

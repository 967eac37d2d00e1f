//! The alerts area: the list (`/alerts`), one alert (`/alerts/:id`), and the webhook
//! destinations alerts are sent to (`/alerts/destinations`), one file per view.

pub mod destination_form;
pub mod destinations;
pub mod detail;
pub mod list;

use leptos::prelude::*;
use leptos_router::components::A;

/// The alerts area's sections as links (each is its own address): Alerts | Destinations. The
/// current one carries `aria-current="page"`.
#[component]
fn AreaTabs() -> impl IntoView {
    const LINK: &str = "-mb-px border-b-2 border-transparent px-4 py-2 text-sm font-medium text-slate-600 hover:border-slate-300 hover:text-slate-900 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-400 aria-[current=page]:border-indigo-600 aria-[current=page]:text-indigo-700";
    view! {
        <nav aria-label="Alerts sections" class="mb-5 flex gap-1 border-b border-slate-200">
            <A href="/alerts" exact=true attr:class=LINK>"Alerts"</A>
            <A href="/alerts/destinations" exact=true attr:class=LINK>"Destinations"</A>
        </nav>
    }
}

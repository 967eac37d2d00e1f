//! The stored user and device profiles: searchable, paged tables.

use leptos::prelude::*;

use super::REFRESH;
use crate::{
    api::enrichment::{list_device_profiles, list_user_profiles},
    components::{
        card::Card,
        error_note::ErrorNote,
        formatted::{humanized, Timestamp},
        live::Latest,
        pager::{last_page, Pager},
        search_box::SearchBox,
        status_badge::{okta_status_look, Pill},
        table::{Column, Table, CELL},
    },
    model::{
        enrichment::{
            DeviceProfileRow, ProfileKind, ProfilePage, UserProfileRow, PROFILE_PAGE_SIZE,
        },
        AppError,
    },
};

/// One profile table's state: the search, the page, and the rows of the latest answer, kept
/// fresh while the tab is shown (and re-read when the search, the page or `changed` moves).
struct Paged<T: Send + Sync + 'static> {
    search: RwSignal<String>,
    page: RwSignal<u32>,
    rows: Memo<Vec<T>>,
    total: Signal<Option<i64>>,
    error: RwSignal<Option<AppError>>,
}

impl<T> Paged<T>
where
    T: Clone + PartialEq + Send + Sync + 'static,
{
    fn follow<F, Fut>(active: Signal<bool>, changed: Trigger, fetch: F) -> Self
    where
        F: Fn(String, u32) -> Fut + Clone + 'static,
        Fut: std::future::Future<Output = Result<ProfilePage<T>, AppError>> + 'static,
    {
        let (search, page) = (RwSignal::new(String::new()), RwSignal::new(0u32));
        let latest = Latest::new(None::<ProfilePage<T>>);
        let error = RwSignal::new(None);
        latest.follow(REFRESH, active, error, move || {
            changed.track();
            let request = fetch(search.get(), page.get());
            async move { request.await.map(Some) }
        });
        let rows = Memo::new(move |_| {
            latest
                .value
                .with(|p| p.as_ref().map(|p| p.rows.clone()).unwrap_or_default())
        });
        let total = Signal::derive(move || latest.value.with(|p| p.as_ref().map(|p| p.total)));
        Paged {
            search,
            page,
            rows,
            total,
            error,
        }
    }
}

/// The Users table.
#[component]
pub fn UserProfiles(
    id: i64,
    active: Signal<bool>,
    changed: Trigger,
    enabled: Signal<bool>,
) -> impl IntoView {
    let Paged {
        search,
        page,
        rows,
        total,
        error,
    } = Paged::follow(active, changed, move |search, page| {
        list_user_profiles(id, search, page)
    });
    let columns = vec![
        Column::text("Status"),
        Column::text("Login"),
        Column::text("Name"),
        Column::text("Title"),
        Column::text("Department"),
        Column::text("Manager"),
        Column::text("Last login"),
    ];
    let table = move || {
        view! {
            <Table label="Users" columns=columns.clone()>
                {move || rows.get().into_iter().map(|user| view! { <UserRow user /> }).collect_view()}
            </Table>
        }
        .into_any()
    };
    view! {
        <ProfileList kind=ProfileKind::Users search page total enabled error table=ViewFn::from(table) />
    }
    .into_any()
}

#[component]
fn UserRow(user: UserProfileRow) -> impl IntoView {
    let (status, tone) = okta_status_look(&user.status);
    let last_login = match user.last_login {
        Some(at) => view! { <Timestamp rfc3339=at /> }.into_any(),
        None => view! { <span class="text-slate-400">"Never"</span> }.into_any(),
    };
    view! {
        <tr>
            <td class=CELL><Pill tone title=user.status>{status}</Pill></td>
            <td class=format!("{CELL} font-medium text-slate-900")>
                {user.login.clone()}
                // The email only when it is not the login (it usually is).
                {user.email.filter(|email| *email != user.login).map(|email| view! { <span class="block text-xs font-normal text-slate-500">{email}</span> })}
            </td>
            <td class=format!("{CELL} text-slate-700")>{user.name}</td>
            <td class=format!("{CELL} text-slate-700")>{or_dash(user.title)}</td>
            <td class=format!("{CELL} text-slate-700")>{or_dash(user.department)}</td>
            <td class=format!("{CELL} text-slate-700")>{or_dash(user.manager)}</td>
            <td class=format!("{CELL} whitespace-nowrap text-slate-700")>{last_login}</td>
        </tr>
    }
    .into_any()
}

/// The Devices table.
#[component]
pub fn DeviceProfiles(
    id: i64,
    active: Signal<bool>,
    changed: Trigger,
    enabled: Signal<bool>,
) -> impl IntoView {
    let Paged {
        search,
        page,
        rows,
        total,
        error,
    } = Paged::follow(active, changed, move |search, page| {
        list_device_profiles(id, search, page)
    });
    let columns = vec![
        Column::text("Status"),
        Column::text("Name"),
        Column::text("Platform"),
        Column::text("Model"),
        Column::text("Managed"),
        Column::text("Registered"),
        Column::text("Owners"),
    ];
    let table = move || {
        view! {
            <Table label="Devices" columns=columns.clone()>
                {move || rows.get().into_iter().map(|device| view! { <DeviceRow device /> }).collect_view()}
            </Table>
        }
        .into_any()
    };
    view! {
        <ProfileList kind=ProfileKind::Devices search page total enabled error table=ViewFn::from(table) />
    }
    .into_any()
}

#[component]
fn DeviceRow(device: DeviceProfileRow) -> impl IntoView {
    let (status, tone) = okta_status_look(&device.status);
    let platform = match (device.platform, device.os_version) {
        (Some(platform), Some(version)) => Some(format!("{platform} {version}")),
        (platform, _) => platform,
    };
    let model = match (device.manufacturer, device.model) {
        (Some(maker), Some(model)) => Some(format!("{maker} {model}")),
        (maker, model) => model.or(maker),
    };
    let owners = (!device.owners.is_empty()).then(|| device.owners.join(", "));
    view! {
        <tr>
            <td class=CELL><Pill tone title=device.status>{status}</Pill></td>
            <td class=format!("{CELL} font-medium text-slate-900")>{device.display_name}</td>
            <td class=format!("{CELL} text-slate-700")>{or_dash(platform)}</td>
            <td class=format!("{CELL} text-slate-700")>{or_dash(model)}</td>
            <td class=format!("{CELL} text-slate-700")>{yes_no(device.managed)}</td>
            <td class=format!("{CELL} text-slate-700")>{yes_no(device.registered)}</td>
            <td class=format!("{CELL} text-slate-700")>{or_dash(owners)}</td>
        </tr>
    }
    .into_any()
}

fn or_dash(text: Option<String>) -> String {
    text.filter(|t| !t.is_empty())
        .unwrap_or_else(|| "—".to_owned())
}

fn yes_no(flag: Option<bool>) -> &'static str {
    match flag {
        Some(true) => "Yes",
        Some(false) => "No",
        None => "—",
    }
}

/// What both tables share: a card with the search box, the table (or why it is empty) and the
/// pager.
#[component]
fn ProfileList(
    kind: ProfileKind,
    search: RwSignal<String>,
    page: RwSignal<u32>,
    /// Rows matching the search; `None` until the first answer.
    total: Signal<Option<i64>>,
    enabled: Signal<bool>,
    error: RwSignal<Option<AppError>>,
    table: ViewFn,
) -> impl IntoView {
    let (noun, plural, switch) = match kind {
        ProfileKind::Users => ("user", "users", "User Profiles"),
        ProfileKind::Devices => ("device", "devices", "Device Profiles"),
    };
    // A new search starts at its first page; a page emptied by a deletion moves back.
    Effect::watch(move || search.get(), move |_, _, _| page.set(0), false);
    Effect::new(move |_| {
        if let Some(total) = total.get() {
            let last = last_page(total, PROFILE_PAGE_SIZE);
            if page.get_untracked() > last {
                page.set(last);
            }
        }
    });
    let empty = move || {
        let searched = search.get();
        if !searched.is_empty() {
            format!("No {noun} profiles match “{searched}”.")
        } else if enabled.get() {
            format!(
                "No {noun} profiles stored yet. They appear once the first full sync has finished."
            )
        } else {
            format!("No {noun} profiles stored. Switch on {switch} to sync them from Okta.")
        }
    };
    // What is shown changes only between loading, empty and rows (the rows update inside the
    // table, which is not rebuilt on each answer).
    let shown = Memo::new(move |_| total.get().map(|total| total > 0));
    let content = move || match shown.get() {
        None => view! { <p class="text-sm text-slate-500">"Loading…"</p> }.into_any(),
        Some(false) => view! { <p class="text-sm text-slate-600">{empty}</p> }.into_any(),
        Some(true) => table.run(),
    };
    view! {
        <Card title=format!("{} profiles", humanized(noun))>
            <SearchBox
                id=format!("{noun}-search")
                label=format!("Search {plural}")
                applied=search
                placeholder=match kind {
                    ProfileKind::Users => "Login, name, email, title or department",
                    ProfileKind::Devices => "Name, platform, model or owner",
                }
            />
            <ErrorNote error />
            {content}
            <Pager
                label=format!("{} pages", humanized(noun))
                page
                total=Signal::derive(move || total.get().unwrap_or(0))
                page_size=PROFILE_PAGE_SIZE
            />
        </Card>
    }
    .into_any()
}

//! `/alerts`: every alert matching the filters (state, minimum severity, source), which live in
//! the address so a reload or a shared link keeps them. The list refreshes itself.

use std::time::Duration;

use leptos::prelude::*;
use leptos_router::{
    hooks::{use_navigate, use_query_map},
    NavigateOptions,
};

use super::AreaTabs;
use crate::{
    api::{alerts::list_alerts, sources::list_sources},
    components::{
        alert_table::AlertTable, error_note::ErrorNote, field::SelectField, live::Latest,
        page_header::PageHeader,
    },
    model::{
        alert::{AlertFilter, AlertState, AlertSummary, Severity},
        source::SourceSummary,
    },
};

/// How often the list asks the server again.
const REFRESH: Duration = Duration::from_secs(3);

#[component]
pub fn AlertsPage() -> impl IntoView {
    let query = use_query_map();
    let filter = Memo::new(move |_| query.with(|q| filter_from_query(|key| q.get(key))));
    // The answer carries the filter it answers, so the live list keeps asking the same question.
    let alerts = Resource::new(
        move || filter.get(),
        |filter| async move {
            let answer = list_alerts(filter.clone()).await;
            (filter, answer)
        },
    );

    view! {
        <PageHeader
            title="Alerts"
            description="What your detections and Gatehouse itself noticed, newest activity first."
        />
        <AreaTabs />
        <Filters filter />
        // Transition: a new filter keeps the current table until its answer is ready.
        <Transition fallback=|| view! { <p class="text-sm text-slate-500">"Loading alerts…"</p> }>
            {move || Suspend::new(async move {
                let (filter, answer) = alerts.await;
                match answer {
                    Ok(list) => view! { <LiveAlerts filter list /> }.into_any(),
                    Err(error) => view! { <ErrorNote error=Some(error) /> }.into_any(),
                }
            })}
        </Transition>
    }
    .into_any()
}

/// The alerts of one filter, refreshed every few seconds; rows change only when their alert did.
#[component]
fn LiveAlerts(filter: AlertFilter, list: Vec<AlertSummary>) -> impl IntoView {
    let latest = Latest::new(list);
    let asked = filter.clone();
    latest.refresh_every(REFRESH, move || list_alerts(asked.clone()));
    let empty = Memo::new(move |_| latest.value.with(Vec::is_empty));
    let words = empty_words(&filter);

    view! {
        <Show
            when=move || !empty.get()
            fallback=move || {
                view! {
                    <p class="rounded-lg border border-slate-200 bg-white p-5 text-sm text-slate-600 shadow-sm">
                        {words.clone()}
                    </p>
                }
            }
        >
            <AlertTable alerts=latest.value label="Alerts" />
        </Show>
        <p class="mt-2 text-xs text-slate-400">"Refreshes every 3 seconds."</p>
    }
    .into_any()
}

/// What an empty list means, in words.
fn empty_words(filter: &AlertFilter) -> String {
    let which = match filter.state {
        Some(AlertState::Open) => "No open alerts",
        Some(AlertState::Resolved) => "No resolved alerts",
        None => "No alerts",
    };
    let narrowed = if filter.min_severity.is_some()
        || filter.source_id.is_some()
        || filter.rule_id.is_some()
    {
        " match these filters"
    } else {
        ""
    };
    format!(
        "{which}{narrowed}. Alerts come from the detection rules enabled for each source (Detections), and from Gatehouse itself when a source's token is rejected, no events arrive within its alarm timeframe, many events fail classification, or a rule fails."
    )
}

/// State, minimum severity and source, as drop-downs that change the address.
#[component]
fn Filters(filter: Memo<AlertFilter>) -> impl IntoView {
    let navigate = use_navigate();
    let apply = Callback::new(move |change: FilterChange| {
        let mut next = filter.get_untracked();
        change.apply(&mut next);
        let options = NavigateOptions {
            replace: true,
            scroll: false,
            ..Default::default()
        };
        navigate(&alerts_href(&next), options);
    });

    let state_options = [("open", "Open"), ("resolved", "Resolved"), ("all", "All")]
        .map(|(v, l)| (v.to_owned(), l.to_owned()))
        .to_vec();
    let state = Signal::derive(move || state_param(filter.with(|f| f.state)).to_owned());

    let mut severity_options = vec![(String::new(), "Any".to_owned())];
    severity_options.extend(
        Severity::ALL
            .into_iter()
            .map(|s| (s.as_str().to_lowercase(), s.label().to_owned())),
    );
    let severity = Signal::derive(move || {
        filter.with(|f| {
            f.min_severity
                .map(|s| s.as_str().to_lowercase())
                .unwrap_or_default()
        })
    });

    let sources = OnceResource::new(list_sources());

    view! {
        <div role="search" aria-label="Filter alerts" class="mb-4 flex flex-wrap items-end gap-4">
            <SelectField
                id="alert-filter-state"
                label="State"
                options=state_options
                value=state
                on_change=Callback::new(move |v: String| apply.run(FilterChange::State(v)))
            />
            <SelectField
                id="alert-filter-severity"
                label="Minimum severity"
                options=severity_options
                value=severity
                on_change=Callback::new(move |v: String| apply.run(FilterChange::Severity(v)))
            />
            <RuleFilter filter apply />
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    // Without the list of sources, the other filters still work.
                    sources.await.ok().map(|list| view! { <SourceFilter filter list apply /> })
                })}
            </Suspense>
        </div>
    }
    .into_any()
}

#[component]
fn SourceFilter(
    filter: Memo<AlertFilter>,
    list: Vec<SourceSummary>,
    apply: Callback<FilterChange>,
) -> impl IntoView {
    let mut options = vec![(String::new(), "All sources".to_owned())];
    options.extend(list.iter().map(|s| (s.id.to_string(), s.name.clone())));
    // A link to a deleted source's alerts still shows what it filters on.
    if let Some(id) = filter.with_untracked(|f| f.source_id) {
        if !list.iter().any(|s| s.id == id) {
            options.push((id.to_string(), format!("Source {id} (deleted)")));
        }
    }
    let value = Signal::derive(move || {
        filter.with(|f| f.source_id.map(|id| id.to_string()).unwrap_or_default())
    });
    view! {
        <SelectField
            id="alert-filter-source"
            label="Source"
            options
            value
            on_change=Callback::new(move |v: String| apply.run(FilterChange::Source(v)))
        />
    }
}

/// The rule id filter: exact id, applied when the field loses focus or on Enter.
#[component]
fn RuleFilter(filter: Memo<AlertFilter>, apply: Callback<FilterChange>) -> impl IntoView {
    let value = move || filter.with(|f| f.rule_id.clone().unwrap_or_default());
    view! {
        <label class="flex flex-col gap-1 text-sm font-medium text-slate-700">
            "Rule"
            <input
                id="alert-filter-rule"
                type="search"
                placeholder="e.g. Okta.APIKeyCreated"
                class="w-64 rounded-md border border-slate-300 px-3 py-2 text-sm font-normal"
                prop:value=value
                on:change=move |ev| apply.run(FilterChange::Rule(event_target_value(&ev)))
            />
        </label>
    }
}

/// Escapes what a rule id may contain that a query string may not (ids are `[A-Za-z0-9._-]`
/// when valid; anything else typed is percent-encoded).
fn urlencoding_min(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'_' | b'-' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// One drop-down's new value, as it appears in the address.
#[derive(Debug, Clone)]
enum FilterChange {
    State(String),
    Severity(String),
    Source(String),
    Rule(String),
}

impl FilterChange {
    fn apply(self, filter: &mut AlertFilter) {
        match self {
            FilterChange::State(v) => filter.state = parse_state(Some(&v)),
            FilterChange::Severity(v) => filter.min_severity = Severity::parse(&v),
            FilterChange::Source(v) => filter.source_id = v.parse().ok(),
            FilterChange::Rule(v) => {
                let v = v.trim();
                filter.rule_id = (!v.is_empty()).then(|| v.to_owned());
            }
        }
    }
}

/// `?state=` → the state filter: open when missing (or unknown), none for `all`.
fn parse_state(param: Option<&str>) -> Option<AlertState> {
    match param {
        Some("all") => None,
        Some(s) => Some(AlertState::parse(s).unwrap_or(AlertState::Open)),
        None => Some(AlertState::Open),
    }
}

fn state_param(state: Option<AlertState>) -> &'static str {
    state.map_or("all", AlertState::as_str)
}

/// The filter in the address: `?state=resolved|all` (open when missing), `?severity=high`
/// (this or higher), `?source=3`.
fn filter_from_query(get: impl Fn(&str) -> Option<String>) -> AlertFilter {
    AlertFilter {
        state: parse_state(get("state").as_deref()),
        min_severity: get("severity").and_then(|s| Severity::parse(&s)),
        source_id: get("source").and_then(|s| s.parse().ok()),
        rule_id: get("rule").filter(|r| !r.trim().is_empty()),
    }
}

/// The address of the alerts list with this filter (defaults left out).
fn alerts_href(filter: &AlertFilter) -> String {
    let mut params = Vec::new();
    if filter.state != Some(AlertState::Open) {
        params.push(format!("state={}", state_param(filter.state)));
    }
    if let Some(severity) = filter.min_severity {
        params.push(format!("severity={}", severity.as_str().to_lowercase()));
    }
    if let Some(id) = filter.source_id {
        params.push(format!("source={id}"));
    }
    if let Some(rule) = &filter.rule_id {
        params.push(format!("rule={}", urlencoding_min(rule)));
    }
    if params.is_empty() {
        "/alerts".to_owned()
    } else {
        format!("/alerts?{}", params.join("&"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(query: &[(&str, &str)]) -> AlertFilter {
        filter_from_query(|key| {
            query
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    #[test]
    fn the_address_defaults_to_open_alerts_of_any_severity_and_source() {
        assert_eq!(
            from(&[]),
            AlertFilter {
                state: Some(AlertState::Open),
                min_severity: None,
                source_id: None,
                rule_id: None,
            }
        );
        assert_eq!(alerts_href(&from(&[])), "/alerts");
        assert_eq!(from(&[("state", "nonsense")]).state, Some(AlertState::Open));
    }

    #[test]
    fn filters_survive_the_round_trip_through_the_address() {
        let filter = from(&[
            ("state", "all"),
            ("severity", "high"),
            ("source", "7"),
            ("rule", "Okta.APIKeyCreated"),
        ]);
        assert_eq!(
            filter,
            AlertFilter {
                state: None,
                min_severity: Some(Severity::High),
                source_id: Some(7),
                rule_id: Some("Okta.APIKeyCreated".into()),
            }
        );
        assert_eq!(
            alerts_href(&filter),
            "/alerts?state=all&severity=high&source=7&rule=Okta.APIKeyCreated"
        );
        assert_eq!(
            alerts_href(&from(&[("state", "resolved")])),
            "/alerts?state=resolved"
        );
    }

    #[test]
    fn the_default_empty_list_explains_what_raises_alerts() {
        assert_eq!(
            empty_words(&from(&[])),
            "No open alerts. Alerts come from the detection rules enabled for each source (Detections), and from Gatehouse itself when a source's token is rejected, no events arrive within its alarm timeframe, many events fail classification, or a rule fails."
        );
        assert!(empty_words(&from(&[("source", "2")]))
            .starts_with("No open alerts match these filters."));
    }
}

//! Step 3: the source is connected; detection packs and the no-events alarm, then Finish.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::{Step, StepButtons};
use crate::{
    api::{
        detections::set_pack_enabled,
        sources::{finish_setup, save_poll_settings},
    },
    components::{card::Card, error_note::ErrorNote, field::FieldProblemNote, field::Toggle},
    model::{
        detection::{CUSTOM_PACK, OKTA_PACK},
        source::{AlarmSettings, FieldProblem, SourceDetail},
        AppError, FieldError,
    },
};

/// The timeframe's unit, as offered next to its number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Minutes,
    Hours,
    Days,
}

impl Unit {
    const ALL: [Unit; 3] = [Unit::Minutes, Unit::Hours, Unit::Days];

    fn minutes(self) -> u32 {
        match self {
            Unit::Minutes => 1,
            Unit::Hours => 60,
            Unit::Days => 24 * 60,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Unit::Minutes => "minutes",
            Unit::Hours => "hours",
            Unit::Days => "days",
        }
    }

    fn parse(value: &str) -> Self {
        Unit::ALL
            .into_iter()
            .find(|u| u.as_str() == value)
            .unwrap_or(Unit::Hours)
    }

    /// How a saved timeframe reads best: 24 hours rather than 1 day, 2 days rather than 48 hours.
    fn split(minutes: u32) -> (u32, Unit) {
        if minutes >= 2 * Unit::Days.minutes() && minutes.is_multiple_of(Unit::Days.minutes()) {
            (minutes / Unit::Days.minutes(), Unit::Days)
        } else if minutes.is_multiple_of(Unit::Hours.minutes()) && minutes > 0 {
            (minutes / Unit::Hours.minutes(), Unit::Hours)
        } else {
            (minutes, Unit::Minutes)
        }
    }
}

/// Backfill windows offered, in hours: 1 hour to Okta's 90 days.
const BACKFILL_CHOICES: [u32; 5] = [1, 24, 7 * 24, 30 * 24, 90 * 24];

#[component]
pub fn SuccessStep(detail: SourceDetail) -> impl IntoView {
    let navigate = use_navigate();
    let id = detail.summary.id;
    let saved = detail.alarm;

    let alarm_on = RwSignal::new(saved.no_events_alarm);
    let (amount_initial, unit_initial) = Unit::split(saved.no_events_minutes);
    let amount = RwSignal::new(amount_initial.to_string());
    let unit = RwSignal::new(unit_initial);

    let report = RwSignal::new(None::<AppError>);
    let timeframe_problem = Signal::derive(move || {
        report.with(|r| {
            r.as_ref()
                .and_then(|e| e.field("no_events_minutes").cloned())
        })
    });

    // How far back the first poll reads; saved (when changed) just before Finish.
    let saved_backfill = detail.backfill_hours;
    let interval = detail.poll_interval_secs;
    let backfill = RwSignal::new(saved_backfill);
    // New sources run both packs; switching one off here is saved on Finish.
    let okta_pack = RwSignal::new(true);
    let custom_pack = RwSignal::new(true);

    let finish = Action::new(move |(alarm, backfill_hours): &(AlarmSettings, u32)| {
        let (alarm, backfill_hours) = (*alarm, *backfill_hours);
        let packs = [
            (OKTA_PACK, okta_pack.get_untracked()),
            (CUSTOM_PACK, custom_pack.get_untracked()),
        ];
        async move {
            if backfill_hours != saved_backfill {
                save_poll_settings(id, interval, backfill_hours).await?;
            }
            for (pack, on) in packs {
                if !on {
                    set_pack_enabled(id, pack.to_owned(), false).await?;
                }
            }
            finish_setup(id, alarm).await
        }
    });
    let pending = finish.pending();
    Effect::new({
        let navigate = navigate.clone();
        move |_| match finish.value().get() {
            Some(Ok(())) => navigate(&format!("/sources/{id}"), Default::default()),
            Some(Err(e)) => report.set(Some(e)),
            None => {}
        }
    });

    let on_finish = move |_| {
        let on = alarm_on.get_untracked();
        let entered = amount
            .get_untracked()
            .trim()
            .parse::<u32>()
            .ok()
            .and_then(|n| n.checked_mul(unit.get_untracked().minutes()));
        let mut alarm = AlarmSettings {
            no_events_alarm: on,
            no_events_minutes: entered.unwrap_or(saved.no_events_minutes),
        };
        let checked = match entered {
            None if on => Err(vec![FieldError {
                field: "no_events_minutes".into(),
                problem: FieldProblem::new("Enter a whole number."),
            }]),
            _ => alarm.validate(),
        };
        match checked {
            Ok(()) => {
                report.set(None);
                finish.dispatch((alarm, backfill.get_untracked()));
            }
            // A switched-off alarm keeps its saved timeframe rather than blocking on a hidden
            // field.
            Err(_) if !on => {
                alarm.no_events_minutes = saved.no_events_minutes;
                report.set(None);
                finish.dispatch((alarm, backfill.get_untracked()));
            }
            Err(problems) => report.set(Some(AppError::Fields(problems))),
        }
    };

    let connected = format!("{} is connected", detail.summary.name);
    let org_host = detail.summary.org_host.clone();
    let first_read = move || {
        format!(
            "Okta accepted the token for {org_host}. When you finish, Gatehouse reads the last {} of the System Log, then polls {}.",
            hours(backfill.get()),
            every(interval),
        )
    };
    let mut backfill_choices: Vec<u32> = BACKFILL_CHOICES.to_vec();
    if !backfill_choices.contains(&saved_backfill) {
        backfill_choices.push(saved_backfill);
        backfill_choices.sort_unstable();
    }

    view! {
        <div class="flex flex-col gap-4">
            <section
                aria-labelledby="wizard-connected"
                class="flex items-start gap-4 rounded-lg border border-emerald-200 bg-emerald-50 p-5"
            >
                <span
                    aria-hidden="true"
                    class="flex h-9 w-9 shrink-0 items-center justify-center rounded-full bg-emerald-600 text-lg font-semibold text-white"
                >
                    "✓"
                </span>
                <div>
                    <h2 id="wizard-connected" class="text-base font-semibold text-emerald-900">{connected}</h2>
                    <p class="mt-1 text-sm text-emerald-800">{first_read}</p>
                </div>
            </section>

            <Card title="History">
                <div class="flex flex-col gap-1">
                    <label for="wizard-backfill" class="text-sm font-medium text-slate-700">
                        "Read back on the first poll"
                    </label>
                    <select
                        id="wizard-backfill"
                        aria-describedby="wizard-backfill-hint"
                        class="w-48 rounded border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-200"
                        prop:value=move || backfill.get().to_string()
                        on:change=move |ev| backfill.set(event_target_value(&ev).parse().unwrap_or(saved_backfill))
                    >
                        {backfill_choices
                            .into_iter()
                            .map(|h| view! { <option value=h.to_string() selected=h == saved_backfill>{window_label(h)}</option> })
                            .collect_view()}
                    </select>
                    <p id="wizard-backfill-hint" class="text-xs text-slate-500">
                        "Okta keeps 90 days of System Log. A longer backfill takes more requests against the org's rate limit; Gatehouse uses at most its share."
                    </p>
                </div>
            </Card>

            <Card title="Detection packs">
                <div class="flex flex-col gap-4">
                    <Toggle
                        id="wizard-pack-okta"
                        label="Okta detections"
                        description="Panther's Okta pack, built in: admin role grants, API tokens, support access, MFA changes, ThreatInsight, stolen sessions and more; sign-ins and AWS SSO as signals."
                        checked=okta_pack
                        disabled=pending
                    />
                    <Toggle
                        id="wizard-pack-custom"
                        label="Custom rules"
                        description="Your own Python rules, written on the Detections page."
                        checked=custom_pack
                        disabled=pending
                    />
                    <p class="text-xs text-slate-500">
                        "Rules run on events stored from now on, including the backfill. Single rules can be switched off later on the "
                        <a href="/detections" class="font-medium text-indigo-700 underline hover:text-indigo-500">"Detections"</a>
                        " page."
                    </p>
                </div>
            </Card>

            <Card title="No-events alarm">
                <Toggle
                    id="alarm-no-events"
                    label="Trigger an alert when no events are processed"
                    description="Okta orgs log sign-ins and system jobs all day, so silence usually means the token or the connection broke."
                    checked=alarm_on
                    disabled=pending
                />
                <Show when=move || alarm_on.get()>
                    <Timeframe amount unit problem=timeframe_problem disabled=pending />
                </Show>
            </Card>

            <ErrorNote error=report />
            <StepButtons
                id
                back=Step::Enrichment
                pending
                label="Finish"
                pending_label="Finishing…"
                on_primary=Callback::new(move |()| on_finish(()))
            />
        </div>
    }
}

/// How long without events before the alarm fires: a number and its unit.
#[component]
fn Timeframe(
    amount: RwSignal<String>,
    unit: RwSignal<Unit>,
    problem: Signal<Option<FieldProblem>>,
    #[prop(into)] disabled: Signal<bool>,
) -> impl IntoView {
    // `value`/`selected` attributes for the server's HTML, properties for later changes.
    let initial_amount = amount.get_untracked();
    let initial_unit = unit.get_untracked();
    view! {
        <div class="mt-4 flex flex-col gap-1 pl-12">
            <label for="alarm-amount" class="text-sm font-medium text-slate-700">"Timeframe"</label>
            <div class="flex gap-2">
                <input
                    id="alarm-amount"
                    type="number"
                    min="1"
                    value=initial_amount
                    class="w-24 rounded border border-slate-300 px-3 py-2 text-sm shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-200 disabled:bg-slate-100 aria-[invalid=true]:border-red-500"
                    aria-invalid=move || problem.get().is_some().to_string()
                    aria-describedby="alarm-timeframe-hint alarm-timeframe-problem"
                    disabled=move || disabled.get()
                    prop:value=move || amount.get()
                    on:input=move |ev| amount.set(event_target_value(&ev))
                />
                <label for="alarm-unit" class="sr-only">"Timeframe unit"</label>
                <select
                    id="alarm-unit"
                    class="rounded border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-200 disabled:bg-slate-100"
                    disabled=move || disabled.get()
                    on:change=move |ev| unit.set(Unit::parse(&event_target_value(&ev)))
                >
                    {Unit::ALL
                        .into_iter()
                        .map(|u| {
                            view! {
                                <option value=u.as_str() selected=u == initial_unit>{u.as_str()}</option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <p id="alarm-timeframe-hint" class="text-xs text-slate-500">
                "Alert when no events arrive for this long: 15 minutes to 30 days."
            </p>
            <FieldProblemNote id="alarm-timeframe-problem" problem />
        </div>
    }
}

/// "1 hour", "24 hours", "7 days": a backfill choice as a label.
fn window_label(h: u32) -> String {
    match hours(h) {
        label if h == 1 => format!("1 {label}"),
        label => label,
    }
}

fn hours(h: u32) -> String {
    match h {
        1 => "hour".into(),
        h if h.is_multiple_of(24) && h > 24 => format!("{} days", h / 24),
        h => format!("{h} hours"),
    }
}

fn every(secs: u32) -> String {
    match secs {
        60 => "every minute".into(),
        s if s.is_multiple_of(60) => format!("every {} minutes", s / 60),
        s => format!("every {s} seconds"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeframes_read_naturally() {
        assert_eq!(Unit::split(24 * 60), (24, Unit::Hours));
        assert_eq!(Unit::split(48 * 60), (2, Unit::Days));
        assert_eq!(Unit::split(30 * 24 * 60), (30, Unit::Days));
        assert_eq!(Unit::split(90), (90, Unit::Minutes));
        assert_eq!(Unit::split(120), (2, Unit::Hours));
    }
}

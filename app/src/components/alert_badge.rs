//! Badges of alerts: severity, state, and a delivery's state.

use leptos::prelude::*;

use super::status_badge::{Pill, Tone};
use crate::model::alert::{AlertState, DeliveryState, Severity};

/// An alert's severity in words, coloured: Critical red, High orange, Medium amber, Low sky,
/// Info slate.
#[component]
pub fn SeverityBadge(severity: Severity) -> impl IntoView {
    let tone = match severity {
        Severity::Critical => Tone::Red,
        Severity::High => Tone::Orange,
        Severity::Medium => Tone::Amber,
        Severity::Low => Tone::Sky,
        Severity::Info => Tone::Slate,
    };
    view! { <Pill tone>{severity.label()}</Pill> }
}

/// Open (amber) or Resolved (green).
#[component]
pub fn AlertStateBadge(state: AlertState) -> impl IntoView {
    let (text, tone) = match state {
        AlertState::Open => ("Open", Tone::Amber),
        AlertState::Resolved => ("Resolved", Tone::Green),
    };
    view! { <Pill tone>{text}</Pill> }
}

/// Pending (slate), Delivered (green) or Failed (red).
#[component]
pub fn DeliveryStateBadge(state: DeliveryState) -> impl IntoView {
    let (text, tone) = match state {
        DeliveryState::Pending => ("Pending", Tone::Slate),
        DeliveryState::Delivered => ("Delivered", Tone::Green),
        DeliveryState::Failed => ("Failed", Tone::Red),
    };
    view! { <Pill tone>{text}</Pill> }
}

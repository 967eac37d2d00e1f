//! `Latest`: a value read from the server that pages keep fresh while they are open.

use std::{future::Future, time::Duration};

use leptos::{prelude::*, task::spawn_local};

use super::ticker::use_ticker;
use crate::model::AppError;

/// The newest answer the server gave for one value (an alert, a list, a source's health).
///
/// Answers are applied in the order their requests were made, so a slow periodic refresh never
/// overwrites what a later request (say, after a save) brought back; and an answer equal to
/// what is shown is not applied at all, so nothing re-renders (no blinking, scroll and focus
/// stay) while nothing changed.
pub struct Latest<T: 'static> {
    /// What the page shows; read it in views.
    pub value: RwSignal<T>,
    /// (requests made, newest request applied)
    order: StoredValue<(u64, u64)>,
}

// Signals are `Copy` whatever they hold; a derive would ask `T: Copy`.
impl<T> Clone for Latest<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Latest<T> {}

impl<T> Latest<T>
where
    T: Clone + PartialEq + Send + Sync + 'static,
{
    pub fn new(value: T) -> Self {
        Self {
            value: RwSignal::new(value),
            order: StoredValue::new((0, 0)),
        }
    }

    /// Makes the request and applies its answer, unless the answer of a later request was
    /// applied first. Returns the request's error, if it failed (the value stays as it was).
    pub async fn refresh(
        self,
        request: impl Future<Output = Result<T, AppError>>,
    ) -> Result<(), AppError> {
        let Some(number) = self.order.try_update_value(|(made, _)| {
            *made += 1;
            *made
        }) else {
            // The page was left meanwhile.
            return Ok(());
        };
        let fresh = request.await?;
        let newest = self.order.try_update_value(|(_, applied)| {
            let newest = number > *applied;
            if newest {
                *applied = number;
            }
            newest
        });
        if newest == Some(true) && self.value.try_with_untracked(|v| *v != fresh) == Some(true) {
            self.value.try_set(fresh);
        }
        Ok(())
    }

    /// Refreshes every `period` while the calling component is mounted (browser only; failures
    /// are left to the next tick).
    pub fn refresh_every<F, Fut>(self, period: Duration, request: F)
    where
        F: Fn() -> Fut + 'static,
        Fut: Future<Output = Result<T, AppError>> + 'static,
    {
        self.refresh_while(period, Signal::stored(true), request);
    }

    /// Like [`Latest::refresh_every`], skipping the ticks while `active` is false (a hidden tab).
    pub fn refresh_while<F, Fut>(self, period: Duration, active: Signal<bool>, request: F)
    where
        F: Fn() -> Fut + 'static,
        Fut: Future<Output = Result<T, AppError>> + 'static,
    {
        let ticks = use_ticker(period);
        Effect::watch(
            move || ticks.get(),
            move |_, _, _| {
                if !active.get_untracked() {
                    return;
                }
                let request = request();
                spawn_local(async move {
                    let _ = self.refresh(request).await;
                });
            },
            false,
        );
    }

    /// Keeps the value following `request` in the browser (the server renders what [`Latest::new`]
    /// was given, so a tab can start from a loading value without a resource): loads once
    /// mounted and `active`, again as soon as anything `request` reads changes or `active`
    /// turns true, and every `period` while `active`. The last failure (cleared by a success) goes to `error`.
    pub fn follow<F, Fut>(
        self,
        period: Duration,
        active: Signal<bool>,
        error: RwSignal<Option<AppError>>,
        request: F,
    ) where
        F: Fn() -> Fut + Clone + 'static,
        Fut: Future<Output = Result<T, AppError>> + 'static,
    {
        let load = move |request: Fut| {
            spawn_local(async move {
                let outcome = self.refresh(request).await;
                error.try_set(outcome.err());
            })
        };
        let tracked = request.clone();
        // Effects run only in the browser, after hydration.
        Effect::new(move |_| {
            let shown = active.get();
            let request = tracked();
            if shown {
                load(request);
            }
        });
        let ticks = use_ticker(period);
        Effect::watch(
            move || ticks.get(),
            move |_, _, _| {
                if active.get_untracked() {
                    load(untrack(&request));
                }
            },
            false,
        );
    }
}

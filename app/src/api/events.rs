//! The event explorer: search every stored event, and one stored event in full.

use leptos::prelude::*;

use crate::model::{
    events::{EventPage, EventQuery, StoredEvent},
    AppError,
};

/// One page (50) of the stored events matching `query`, newest first, with the cursors of the
/// pages before and after it. Refused filters answer 422 with one problem per field.
#[server(endpoint = "search_events")]
pub async fn search_events(query: EventQuery) -> Result<EventPage, AppError> {
    crate::api::answer(async { crate::backend::console()?.search_events(query).await }.await)
}

/// One stored event (by `events.id`): its summary, the stored JSON, its `p_` fields, its
/// enrichment matches and the alerts it is part of.
#[server(endpoint = "get_stored_event")]
pub async fn get_stored_event(id: i64) -> Result<StoredEvent, AppError> {
    crate::api::answer(async { crate::backend::console()?.stored_event(id).await }.await)
}

//! The event explorer's reads: pages of stored events matching filters, keyset-paged on
//! (event_time, id), and one stored event with the alerts it is part of.
//!
//! One filter leads (its index answers `ORDER BY event_time DESC, id DESC LIMIT n` without a
//! sort, see `migrations/0008_event_search.sql`); the others are written `+column` so SQLite's
//! planner, which has no statistics, never picks a less selective index for them.

use sqlx::{QueryBuilder, Sqlite};

use super::{Store, StoreError};

/// The filters of a search, already validated (times in Unix ms).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventSearch {
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    pub source_id: Option<i64>,
    pub event_type: Option<String>,
    /// `actor.alternateId` or `actor.id`.
    pub actor: Option<ActorFilter>,
    pub ip: Option<String>,
    /// Also match `ip` in `p_any_ip_addresses` (reads the rows of the time range).
    pub ip_anywhere: bool,
    pub outcome: Option<String>,
    /// A substring of the stored JSON (ASCII case-insensitive).
    pub text: Option<String>,
    pub alert_id: Option<i64>,
    /// Where the page starts (exclusive); none: the newest.
    pub boundary: Option<Boundary>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActorFilter {
    pub value: String,
    /// Match values starting with `value` instead of equal to it.
    pub prefix: bool,
}

/// A page edge: the events strictly older (or newer) than (event_time, id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Boundary {
    pub event_time: i64,
    pub id: i64,
    pub newer: bool,
}

/// One event as the explorer lists it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct EventListRow {
    pub id: i64,
    pub uuid: String,
    pub event_time: i64,
    pub source_id: i64,
    pub source_name: Option<String>,
    pub event_type: String,
    pub severity: String,
    pub actor_id: Option<String>,
    pub actor_alternate_id: Option<String>,
    pub client_ip: Option<String>,
    pub outcome_result: Option<String>,
    pub display_message: Option<String>,
}

/// An alert that an event is part of.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct EventAlertRow {
    pub id: i64,
    pub title: String,
    pub rule_id: String,
    pub severity: String,
    pub state: String,
}

/// The outcome of most events: not in the outcome index (its events are found by time).
const SUCCESS: &str = "SUCCESS";

/// The filter whose index drives the query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lead {
    Alert,
    Actor,
    Ip,
    EventType,
    Outcome,
    Source,
    Time,
}

impl EventSearch {
    /// The most selective filter given (an alert's few events, then one actor, one IP...).
    fn lead(&self) -> Lead {
        if self.alert_id.is_some() {
            Lead::Alert
        } else if self.actor.is_some() {
            Lead::Actor
        } else if self.ip.is_some() && !self.ip_anywhere {
            Lead::Ip
        } else if self.event_type.is_some() {
            Lead::EventType
        } else if self.outcome.as_deref().is_some_and(|o| o != SUCCESS) {
            Lead::Outcome
        } else if self.source_id.is_some() {
            Lead::Source
        } else {
            Lead::Time
        }
    }

    fn newer(&self) -> bool {
        self.boundary.is_some_and(|b| b.newer)
    }
}

/// `column` as written in a condition: bare when its index leads, else `+column` (no index).
fn col(lead: bool, column: &str) -> String {
    if lead {
        column.to_owned()
    } else {
        format!("+{column}")
    }
}

/// `%text%` for LIKE with `\` escaping, so `%` and `_` typed by a person match themselves.
fn like_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// The smallest string greater than every string starting with `prefix` (for a range scan),
/// or none when there is none.
fn prefix_end(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        if let Some(next) = char::from_u32(last as u32 + 1) {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

/// Pushes `SELECT id, event_time FROM events WHERE ... ORDER BY ... LIMIT limit` for `search`;
/// `actor_column` is the actor column this branch matches (the actor filter reads two).
fn push_branch(
    q: &mut QueryBuilder<'_, Sqlite>,
    search: &EventSearch,
    actor_column: Option<&'static str>,
    limit: i64,
) {
    let lead = search.lead();
    q.push("SELECT id, event_time FROM events WHERE 1");
    if let Some(alert_id) = search.alert_id {
        q.push(" AND id IN (SELECT event_id FROM detection_matches WHERE alert_id = ");
        q.push_bind(alert_id);
        q.push(")");
    }
    if let (Some(actor), Some(column)) = (&search.actor, actor_column) {
        let column = col(lead == Lead::Actor, column);
        if actor.prefix {
            q.push(format!(" AND {column} >= "));
            q.push_bind(actor.value.clone());
            if let Some(end) = prefix_end(&actor.value) {
                q.push(format!(" AND {column} < "));
                q.push_bind(end);
            }
        } else {
            q.push(format!(" AND {column} = "));
            q.push_bind(actor.value.clone());
        }
    }
    if let Some(ip) = &search.ip {
        if search.ip_anywhere {
            // The quoted IP must appear in the text before the JSON array is read.
            q.push(" AND (client_ip = ");
            q.push_bind(ip.clone());
            q.push(" OR (instr(data, ");
            q.push_bind(format!("\"{ip}\""));
            q.push(
                ") > 0 AND EXISTS (SELECT 1 FROM json_each(data, '$.p_any_ip_addresses') WHERE value = ",
            );
            q.push_bind(ip.clone());
            q.push(")))");
        } else {
            q.push(format!(" AND {} = ", col(lead == Lead::Ip, "client_ip")));
            q.push_bind(ip.clone());
        }
    }
    if let Some(event_type) = &search.event_type {
        q.push(format!(
            " AND {} = ",
            col(lead == Lead::EventType, "event_type")
        ));
        q.push_bind(event_type.clone());
    }
    if let Some(outcome) = &search.outcome {
        q.push(format!(
            " AND {} = ",
            col(lead == Lead::Outcome, "outcome_result")
        ));
        q.push_bind(outcome.clone());
        if lead == Lead::Outcome {
            // The partial index's own condition, word for word: SQLite uses it only then.
            q.push(" AND outcome_result <> 'SUCCESS'");
        }
    }
    if let Some(source_id) = search.source_id {
        q.push(format!(
            " AND {} = ",
            col(lead == Lead::Source, "source_id")
        ));
        q.push_bind(source_id);
    }
    // The time bounds ride on the leading index (its second column), except for an alert's
    // events, which are read by id.
    let time = col(lead != Lead::Alert, "event_time");
    if let Some(from) = search.from_ms {
        q.push(format!(" AND {time} >= "));
        q.push_bind(from);
    }
    if let Some(to) = search.to_ms {
        q.push(format!(" AND {time} <= "));
        q.push_bind(to);
    }
    if let Some(b) = search.boundary {
        let (edge, strict) = if b.newer { (">=", ">") } else { ("<=", "<") };
        q.push(format!(" AND {time} {edge} "));
        q.push_bind(b.event_time);
        q.push(format!(" AND ({time} {strict} "));
        q.push_bind(b.event_time);
        q.push(format!(" OR id {strict} "));
        q.push_bind(b.id);
        q.push(")");
    }
    if let Some(text) = &search.text {
        q.push(" AND data LIKE ");
        q.push_bind(like_pattern(text));
        q.push(" ESCAPE '\\'");
    }
    q.push(order(search.newer(), ""));
    q.push(" LIMIT ");
    q.push_bind(limit);
}

fn order(newer: bool, table: &str) -> String {
    let dir = if newer { "ASC" } else { "DESC" };
    format!(" ORDER BY {table}event_time {dir}, {table}id {dir}")
}

/// Pushes the (id, event_time) of the first `limit` events matching `search`, in page order.
fn push_ids(q: &mut QueryBuilder<'_, Sqlite>, search: &EventSearch, limit: i64) {
    if search.lead() != Lead::Actor {
        push_branch(q, search, None, limit);
        return;
    }
    // Two index reads, one per actor column, each giving its first rows in order, merged: an
    // OR would read neither index.
    q.push("SELECT id, event_time FROM (");
    push_branch(q, search, Some("actor_alternate_id"), limit);
    q.push(") UNION SELECT id, event_time FROM (");
    push_branch(q, search, Some("actor_id"), limit);
    q.push(")");
    q.push(order(search.newer(), ""));
    q.push(" LIMIT ");
    q.push_bind(limit);
}

/// Pushes one page: its ids first (index only where possible), then the rows' columns, so the
/// displayMessage is read from the page's rows, never from every candidate. CROSS JOIN keeps
/// the page as the outer loop (SQLite's planner could otherwise walk every event in time order
/// to avoid sorting the page).
fn push_page(q: &mut QueryBuilder<'_, Sqlite>, search: &EventSearch, limit: i64) {
    q.push(
        "SELECT e.id, e.uuid, e.event_time, e.source_id, s.name AS source_name, e.event_type,
                e.severity, e.actor_id, e.actor_alternate_id, e.client_ip, e.outcome_result,
                json_extract(e.data, '$.displayMessage') AS display_message
         FROM (",
    );
    push_ids(q, search, limit);
    q.push(
        ") AS page CROSS JOIN events e ON e.id = page.id LEFT JOIN sources s ON s.id = e.source_id",
    );
    q.push(order(search.newer(), "e."));
}

/// The SQL of one page's ids, for `EXPLAIN QUERY PLAN` in tests and the benchmark.
pub fn search_sql(search: &EventSearch, limit: i64) -> String {
    let mut q = QueryBuilder::new("");
    push_ids(&mut q, search, limit);
    q.into_sql()
}

impl Store {
    /// Up to `limit` events matching `search`, from its boundary on: newest first, or oldest
    /// first when the boundary reads newer events.
    pub async fn search_events(
        &self,
        search: &EventSearch,
        limit: i64,
    ) -> Result<Vec<EventListRow>, StoreError> {
        let mut q = QueryBuilder::new("");
        push_page(&mut q, search, limit);
        Ok(q.build_query_as().fetch_all(self.pool()).await?)
    }

    /// Whether any event matches `search` (from its boundary on).
    pub async fn events_exist(&self, search: &EventSearch) -> Result<bool, StoreError> {
        let mut q = QueryBuilder::new("SELECT count(*) FROM (");
        push_ids(&mut q, search, 1);
        q.push(")");
        let n: i64 = q.build_query_scalar().fetch_one(self.pool()).await?;
        Ok(n > 0)
    }

    /// The query plan SQLite picks for one page of `search` (`EXPLAIN QUERY PLAN` details).
    pub async fn search_plan(&self, search: &EventSearch) -> Result<Vec<String>, StoreError> {
        let mut q = QueryBuilder::new("EXPLAIN QUERY PLAN ");
        push_page(&mut q, search, 51);
        let rows: Vec<(i64, i64, i64, String)> = q.build_query_as().fetch_all(self.pool()).await?;
        Ok(rows.into_iter().map(|r| r.3).collect())
    }

    /// One stored event by `events.id`: its list row, `p_row_id` and stored JSON.
    pub async fn stored_event(
        &self,
        id: i64,
    ) -> Result<Option<(EventListRow, String, String)>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            summary: EventListRow,
            row_id: String,
            data: String,
        }
        let row: Option<Row> = sqlx::query_as(
            "SELECT e.id, e.uuid, e.event_time, e.source_id, s.name AS source_name, e.event_type,
                    e.severity, e.actor_id, e.actor_alternate_id, e.client_ip, e.outcome_result,
                    json_extract(e.data, '$.displayMessage') AS display_message, e.row_id, e.data
             FROM events e LEFT JOIN sources s ON s.id = e.source_id WHERE e.id = ?",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|r| (r.summary, r.row_id, r.data)))
    }

    /// The alerts whose detections matched event `id`, newest first.
    pub async fn event_alerts(&self, id: i64) -> Result<Vec<EventAlertRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT a.id, a.title, a.rule_id, a.severity, a.state FROM alerts a
             WHERE a.id IN (SELECT alert_id FROM detection_matches WHERE event_id = ? AND alert_id IS NOT NULL)
             ORDER BY a.id DESC",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_end_just_after_their_last_character() {
        assert_eq!(prefix_end("ana").as_deref(), Some("anb"));
        assert_eq!(prefix_end("a\u{10FFFF}").as_deref(), Some("b"));
        assert_eq!(prefix_end(""), None);
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
    }

    #[test]
    fn only_the_leading_filter_may_use_its_index() {
        let search = EventSearch {
            source_id: Some(1),
            event_type: Some("user.session.start".into()),
            outcome: Some("FAILURE".into()),
            from_ms: Some(5),
            ..EventSearch::default()
        };
        let sql = search_sql(&search, 51);
        assert!(sql.contains(" event_type = "), "{sql}");
        assert!(sql.contains("+outcome_result = ") && sql.contains("+source_id = "));
        assert!(sql.contains(" event_time >= "));
    }
}

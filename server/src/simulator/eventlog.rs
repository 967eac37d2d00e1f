//! An org's System Log: an append-only sequence in persistence order. Each record is a few
//! numbers; generated events are rendered from their index when served, injected ones are kept
//! as the exact JSON they arrived as.
//!
//! Live production is lazy: every access first appends the events that should have been
//! persisted by now at the configured rate, so no background task is needed.

use std::sync::Arc;

use serde_json::Value;

use super::generator::Generator;
use super::time::parse_rfc3339_ms;

/// More records than this are not produced (24 bytes each, so 240 MB); a runaway rate stops here.
const MAX_RECORDS: usize = 10_000_000;
/// On-time events are published up to this long before they are persisted.
const MAX_JITTER_MS: i64 = 500;

#[derive(Clone, Copy, Debug)]
pub(crate) struct Record {
    pub persisted_ms: i64,
    pub published_ms: i64,
    pub source: Source,
}

#[derive(Clone, Copy, Debug)]
pub(crate) enum Source {
    /// Generated event number `n` of the org.
    Generated(u32),
    /// Injected event number `n` (index into the injected list).
    Injected(u32),
}

/// An event served verbatim.
#[derive(Debug)]
pub(crate) struct Injected {
    pub json: Box<str>,
    pub uuid: Option<String>,
    pub event_type: Option<String>,
}

/// One event of a page, detached from the log so it renders without holding the lock.
#[derive(Clone, Debug)]
pub(crate) enum PageItem {
    Generated { index: u64, published_ms: i64 },
    Injected(Arc<Injected>),
}

impl PageItem {
    pub fn render(&self, generator: &Generator, out: &mut Vec<u8>) {
        match self {
            PageItem::Generated {
                index,
                published_ms,
            } => generator.render(*index, *published_ms, out),
            PageItem::Injected(event) => out.extend_from_slice(event.json.as_bytes()),
        }
    }
}

/// Which events a query wants, by event type (`filter=eventType eq "…"`).
#[derive(Clone, Debug, Default)]
pub(crate) struct TypeFilter {
    /// Any of these exact types, or any type starting with one of `prefixes`.
    pub exact: Vec<String>,
    pub prefixes: Vec<String>,
}

impl TypeFilter {
    fn matches(&self, event_type: Option<&str>) -> bool {
        let Some(t) = event_type else { return false };
        self.exact.iter().any(|e| e == t) || self.prefixes.iter().any(|p| t.starts_with(p.as_str()))
    }
}

/// Where a bounded (published-ordered) page continues: after this (published, sequence) key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PublishedKey {
    pub published_ms: i64,
    pub seq: u64,
}

pub(crate) struct PollPage {
    pub items: Vec<PageItem>,
    /// The sequence position after the last event examined.
    pub next_position: u64,
}

pub(crate) struct BoundedPage {
    pub items: Vec<PageItem>,
    /// The key of the last event returned, when more may follow.
    pub next: Option<PublishedKey>,
}

pub(crate) struct EventLog {
    generator: Arc<Generator>,
    records: Vec<Record>,
    injected: Vec<Arc<Injected>>,
    generated: u64,
    late_fraction: f64,
    /// Live production: `rate` events per second since `anchor_ms`, `produced` of them so far.
    anchor_ms: i64,
    rate: f64,
    produced: u64,
    /// Record indexes sorted by (published, sequence), covering the first `sorted_upto` records.
    by_published: Vec<u32>,
    sorted_upto: usize,
}

/// What the log holds at start.
pub(crate) struct LogSeed {
    pub backlog: u64,
    pub backlog_window_ms: i64,
    pub events_per_sec: f64,
    pub late_fraction: f64,
    pub verbatim: Vec<Value>,
}

impl EventLog {
    /// A log whose backlog is persisted evenly over the window before `start_ms`, followed by the
    /// verbatim events (persisted at `start_ms`), followed by live production.
    pub fn new(generator: Arc<Generator>, seed: LogSeed, start_ms: i64) -> Self {
        let mut log = EventLog {
            generator,
            records: Vec::new(),
            injected: Vec::new(),
            generated: 0,
            late_fraction: seed.late_fraction.clamp(0.0, 1.0),
            anchor_ms: start_ms,
            rate: clamp_rate(seed.events_per_sec),
            produced: 0,
            by_published: Vec::new(),
            sorted_upto: 0,
        };
        let backlog = seed.backlog.min(MAX_RECORDS as u64);
        log.records.reserve(backlog as usize + seed.verbatim.len());
        let window = seed.backlog_window_ms.max(0);
        for k in 0..backlog {
            // The k-th of n evenly spaced instants in (start - window, start].
            let persisted =
                start_ms - window + ((k + 1) as i128 * window as i128 / backlog as i128) as i64;
            let spacing = window / backlog.max(1) as i64;
            let index = log.generated;
            let published = persisted - log.generator.jitter(index, spacing.min(MAX_JITTER_MS));
            log.push_generated(persisted, published);
        }
        log.append(seed.verbatim, start_ms);
        log
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn events_per_sec(&self) -> f64 {
        self.rate
    }

    fn push_generated(&mut self, persisted_ms: i64, published_ms: i64) {
        let index = self.generated as u32;
        self.generated += 1;
        self.records.push(Record {
            persisted_ms,
            published_ms,
            source: Source::Generated(index),
        });
    }

    /// Appends the live events that should have been persisted by `now_ms`.
    pub fn catch_up(&mut self, now_ms: i64) {
        if self.rate <= 0.0 || now_ms <= self.anchor_ms {
            return;
        }
        let due = ((now_ms - self.anchor_ms) as f64 * self.rate / 1000.0).floor() as u64;
        let room = (MAX_RECORDS - self.records.len().min(MAX_RECORDS)) as u64;
        let target = due.min(self.produced + room);
        while self.produced < target {
            self.produced += 1;
            let persisted =
                self.anchor_ms + (self.produced as f64 * 1000.0 / self.rate).floor() as i64;
            let persisted = persisted.min(now_ms);
            let index = self.generated;
            let (roll, late_by) = self.generator.lateness(index);
            let published = if roll < self.late_fraction {
                persisted - late_by
            } else {
                persisted - self.generator.jitter(index, MAX_JITTER_MS)
            };
            self.push_generated(persisted, published);
        }
    }

    /// Changes the live rate from `now_ms` on (events due at the old rate are kept).
    pub fn set_rate(&mut self, rate: f64, now_ms: i64) {
        self.catch_up(now_ms);
        self.anchor_ms = now_ms.max(self.last_persisted_ms());
        self.produced = 0;
        self.rate = clamp_rate(rate);
    }

    fn last_persisted_ms(&self) -> i64 {
        self.records.last().map_or(i64::MIN, |r| r.persisted_ms)
    }

    /// Appends events verbatim, persisted at `now_ms` (after anything already persisted).
    pub fn append(&mut self, events: Vec<Value>, now_ms: i64) {
        self.catch_up(now_ms);
        let persisted = now_ms.max(self.last_persisted_ms());
        for event in events {
            let published = event
                .get("published")
                .and_then(Value::as_str)
                .and_then(parse_rfc3339_ms)
                .unwrap_or(persisted);
            let injected = Injected {
                json: event.to_string().into_boxed_str(),
                uuid: event
                    .get("uuid")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                event_type: event
                    .get("eventType")
                    .and_then(Value::as_str)
                    .map(str::to_string),
            };
            let index = self.injected.len() as u32;
            self.injected.push(Arc::new(injected));
            self.records.push(Record {
                persisted_ms: persisted,
                published_ms: published,
                source: Source::Injected(index),
            });
        }
        // Live events produced later must not be persisted before these.
        if persisted > self.anchor_ms && self.rate > 0.0 {
            let rate = self.rate;
            self.set_rate(rate, persisted);
        }
    }

    /// The first sequence position persisted at or after `since_ms`.
    pub fn position_since(&self, since_ms: i64) -> u64 {
        self.records.partition_point(|r| r.persisted_ms < since_ms) as u64
    }

    fn item(&self, position: usize) -> PageItem {
        let r = self.records[position];
        match r.source {
            Source::Generated(n) => PageItem::Generated {
                index: u64::from(n),
                published_ms: r.published_ms,
            },
            Source::Injected(n) => PageItem::Injected(Arc::clone(&self.injected[n as usize])),
        }
    }

    fn event_type(&self, position: usize) -> Option<&str> {
        match self.records[position].source {
            Source::Generated(n) => Some(self.generator.event_type(u64::from(n))),
            Source::Injected(n) => self.injected[n as usize].event_type.as_deref(),
        }
    }

    /// Up to `limit` events from sequence position `start` in persistence order.
    pub fn poll_page(&self, start: u64, limit: usize, filter: Option<&TypeFilter>) -> PollPage {
        let start = (start as usize).min(self.records.len());
        let Some(filter) = filter else {
            let end = (start + limit).min(self.records.len());
            return PollPage {
                items: (start..end).map(|p| self.item(p)).collect(),
                next_position: end as u64,
            };
        };
        // A filtered scan stops after a bounded amount of work; the cursor says where it stopped.
        let scan_end = (start + 200_000).min(self.records.len());
        let mut items = Vec::new();
        let mut position = start;
        while position < scan_end && items.len() < limit {
            if filter.matches(self.event_type(position)) {
                items.push(self.item(position));
            }
            position += 1;
        }
        PollPage {
            items,
            next_position: position as u64,
        }
    }

    /// Brings the published-order index up to date with the records.
    fn sort_new_records(&mut self) {
        if self.sorted_upto == self.records.len() {
            return;
        }
        let records = &self.records;
        let key = |i: u32| (records[i as usize].published_ms, i);
        let mut fresh: Vec<u32> = (self.sorted_upto as u32..records.len() as u32).collect();
        fresh.sort_unstable_by_key(|&i| key(i));
        let in_order = match (self.by_published.last(), fresh.first()) {
            (Some(&a), Some(&b)) => key(a) <= key(b),
            _ => true,
        };
        if in_order {
            self.by_published.extend(fresh);
        } else {
            let old = std::mem::take(&mut self.by_published);
            let mut merged = Vec::with_capacity(old.len() + fresh.len());
            let (mut a, mut b) = (old.into_iter().peekable(), fresh.into_iter().peekable());
            loop {
                let take_a = match (a.peek(), b.peek()) {
                    (Some(&x), Some(&y)) => key(x) <= key(y),
                    (Some(_), None) => true,
                    (None, Some(_)) => false,
                    (None, None) => break,
                };
                let next = if take_a { a.next() } else { b.next() };
                merged.extend(next);
            }
            self.by_published = merged;
        }
        self.sorted_upto = self.records.len();
    }

    /// Events published in `[since_ms, until_ms)`, ordered by published time (ties by sequence),
    /// continuing after `after` (before it, when `descending`).
    pub fn bounded_page(
        &mut self,
        since_ms: i64,
        until_ms: i64,
        after: Option<PublishedKey>,
        limit: usize,
        descending: bool,
        filter: Option<&TypeFilter>,
    ) -> BoundedPage {
        self.sort_new_records();
        let records = &self.records;
        let key = |i: u32| (records[i as usize].published_ms, u64::from(i));
        let index = &self.by_published;
        let below = |k: (i64, u64)| index.partition_point(|&i| key(i) < k);
        let at_or_below = |k: (i64, u64)| index.partition_point(|&i| key(i) <= k);
        let lo = below((since_ms, 0));
        let hi = below((until_ms, 0)).max(lo);
        let (lo, hi) = match (after, descending) {
            (Some(a), false) => (at_or_below((a.published_ms, a.seq)).clamp(lo, hi), hi),
            (Some(a), true) => (lo, below((a.published_ms, a.seq)).clamp(lo, hi)),
            (None, _) => (lo, hi),
        };
        let mut items = Vec::new();
        let mut last = None;
        let mut examined = 0;
        let candidates: Box<dyn Iterator<Item = &u32>> = if descending {
            Box::new(index[lo..hi].iter().rev())
        } else {
            Box::new(index[lo..hi].iter())
        };
        for &i in candidates {
            if items.len() == limit || examined == 200_000 {
                break;
            }
            examined += 1;
            last = Some(i);
            if filter.is_none_or(|f| f.matches(self.event_type(i as usize))) {
                items.push(self.item(i as usize));
            }
        }
        let more = examined < hi - lo;
        let next = last.filter(|_| more).map(|i| PublishedKey {
            published_ms: records[i as usize].published_ms,
            seq: u64::from(i),
        });
        BoundedPage { items, next }
    }

    /// The uuids of every event persisted so far, in persistence order (injected events without
    /// a string uuid are skipped).
    pub fn uuids(&self) -> Vec<String> {
        self.records
            .iter()
            .filter_map(|r| match r.source {
                Source::Generated(n) => Some(self.generator.uuid(u64::from(n))),
                Source::Injected(n) => self.injected[n as usize].uuid.clone(),
            })
            .collect()
    }
}

fn clamp_rate(rate: f64) -> f64 {
    if rate.is_finite() {
        rate.clamp(0.0, 100_000.0)
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulator::directory::Directory;

    const START: i64 = 1_700_000_000_000;

    fn log(backlog: u64, rate: f64, late: f64) -> EventLog {
        let directory = Directory::generate("acme", 3, 20, 0, START);
        let generator = Arc::new(Generator::new(3, &directory));
        EventLog::new(
            generator,
            LogSeed {
                backlog,
                backlog_window_ms: 3_600_000,
                events_per_sec: rate,
                late_fraction: late,
                verbatim: Vec::new(),
            },
            START,
        )
    }

    #[test]
    fn backlog_is_spread_over_the_window_and_persisted_in_order() {
        let log = log(100, 0.0, 0.0);
        assert_eq!(log.len(), 100);
        assert!(log
            .records
            .windows(2)
            .all(|w| w[0].persisted_ms <= w[1].persisted_ms));
        assert!(log.records[0].persisted_ms > START - 3_600_000);
        assert_eq!(log.records[99].persisted_ms, START);
        assert_eq!(log.position_since(START - 1_800_000), 49);
    }

    #[test]
    fn live_events_appear_lazily_and_some_are_late() {
        let mut log = log(0, 10.0, 0.5);
        log.catch_up(START + 999);
        assert_eq!(log.len(), 9);
        log.catch_up(START + 60_000);
        assert_eq!(log.len(), 600);
        assert!(log.records.iter().all(|r| r.persisted_ms <= START + 60_000));
        let late = log
            .records
            .iter()
            .filter(|r| r.persisted_ms - r.published_ms >= 30_000)
            .count();
        assert!((200..400).contains(&late), "{late} late of 600");
        log.set_rate(0.0, START + 60_000);
        log.catch_up(START + 120_000);
        assert_eq!(log.len(), 600);
    }

    #[test]
    fn appended_events_keep_persistence_order() {
        let mut log = log(5, 1.0, 0.0);
        log.append(
            vec![
                serde_json::json!({"uuid": "x", "eventType": "a.b"}),
                serde_json::json!(42),
            ],
            START + 10_500,
        );
        assert_eq!(log.len(), 5 + 10 + 2);
        log.catch_up(START + 20_000);
        assert!(log
            .records
            .windows(2)
            .all(|w| w[0].persisted_ms <= w[1].persisted_ms));
        let uuids = log.uuids();
        assert_eq!(
            uuids.len(),
            log.len() - 1,
            "the event without a uuid is not in the truth"
        );
        assert_eq!(uuids[15], "x");
    }

    #[test]
    fn bounded_pages_cover_the_range_in_published_order() {
        let mut log = log(0, 5.0, 0.3);
        log.catch_up(START + 600_000);
        let (since, until) = (START - 300_000, START + 500_000);
        let expected = log
            .records
            .iter()
            .filter(|r| (since..until).contains(&r.published_ms))
            .count();
        for descending in [false, true] {
            let mut seen = Vec::new();
            let mut after = None;
            loop {
                let page = log.bounded_page(since, until, after, 7, descending, None);
                seen.extend(page.items.iter().map(|i| match i {
                    PageItem::Generated { published_ms, .. } => *published_ms,
                    PageItem::Injected(_) => unreachable!(),
                }));
                match page.next {
                    Some(k) => after = Some(k),
                    None => break,
                }
            }
            assert_eq!(seen.len(), expected);
            let mut sorted = seen.clone();
            sorted.sort_unstable();
            if descending {
                sorted.reverse();
            }
            assert_eq!(seen, sorted);
        }
    }

    #[test]
    fn filtered_polls_return_only_matching_types() {
        let log = log(2000, 0.0, 0.0);
        let filter = TypeFilter {
            exact: vec!["user.session.start".into()],
            prefixes: vec![],
        };
        let page = log.poll_page(0, 1000, Some(&filter));
        assert!(!page.items.is_empty());
        for item in &page.items {
            let PageItem::Generated { index, .. } = item else {
                unreachable!()
            };
            assert_eq!(log.generator.event_type(*index), "user.session.start");
        }
    }
}

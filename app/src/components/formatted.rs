use leptos::prelude::*;

/// A moment from the server (RFC 3339, UTC) shown as `2024-05-01 12:34:56 UTC`, with the exact
/// value in `datetime` and as a tooltip. Plain text, so server and browser render the same.
#[component]
pub fn Timestamp(#[prop(into)] rfc3339: String) -> impl IntoView {
    let shown = readable_utc(&rfc3339);
    view! {
        <time datetime=rfc3339.clone() title=rfc3339>
            {shown}
        </time>
    }
}

/// `2024-05-01T12:34:56Z` → `2024-05-01 12:34:56 UTC`; anything else is returned unchanged.
pub fn readable_utc(rfc3339: &str) -> String {
    match rfc3339.strip_suffix('Z').and_then(|s| s.split_once('T')) {
        Some((date, time)) => format!("{date} {time} UTC"),
        None => rfc3339.to_owned(),
    }
}

/// A count with thousands separators: `1234567` → `1,234,567`.
pub fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A duration for people: "350 ms", "1.2 s", "42 s", "3 min", "1.5 h", "3 d".
pub fn duration_words(ms: i64) -> String {
    let ms = ms.max(0);
    match ms {
        ms if ms < 1000 => format!("{ms} ms"),
        ms if ms < 10_000 => format!("{:.1} s", ms as f64 / 1000.0),
        ms if ms < 60_000 => format!("{} s", ms / 1000),
        ms if ms < 3_600_000 => format!("{} min", ms / 60_000),
        ms if ms < 10 * 3_600_000 => format!("{:.1} h", ms as f64 / 3_600_000.0),
        ms if ms < 2 * 86_400_000 => format!("{} h", ms / 3_600_000),
        ms => format!("{} d", ms / 86_400_000),
    }
}

/// A period chosen in minutes, in its largest whole unit: `1440` → `24 hours`, `90` →
/// `90 minutes`, `2880` → `2 days`.
pub fn timeframe_words(minutes: u32) -> String {
    if minutes.is_multiple_of(24 * 60) && minutes >= 2 * 24 * 60 {
        counted(i64::from(minutes / (24 * 60)), "day")
    } else if minutes.is_multiple_of(60) {
        counted(i64::from(minutes / 60), "hour")
    } else {
        counted(i64::from(minutes), "minute")
    }
}

/// `1 hour`, `2 hours`, `1,500 events`: a count and its noun, plural unless one.
pub fn counted(n: i64, noun: &str) -> String {
    format!("{} {noun}{}", grouped(n), if n == 1 { "" } else { "s" })
}

/// An Okta constant for people: `LOCKED_OUT` → `Locked out`, `SUCCESS` → `Success`.
pub fn humanized(constant: &str) -> String {
    let lower = constant.replace('_', " ").to_lowercase();
    let mut chars = lower.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_people_say_them() {
        assert_eq!(duration_words(350), "350 ms");
        assert_eq!(duration_words(1234), "1.2 s");
        assert_eq!(duration_words(42_000), "42 s");
        assert_eq!(duration_words(180_500), "3 min");
        assert_eq!(duration_words(5_400_000), "1.5 h");
        assert_eq!(duration_words(3 * 86_400_000), "3 d");
    }

    #[test]
    fn alarm_periods_read_in_the_largest_whole_unit() {
        assert_eq!(timeframe_words(15), "15 minutes");
        assert_eq!(timeframe_words(60), "1 hour");
        assert_eq!(timeframe_words(1440), "24 hours");
        assert_eq!(timeframe_words(2880), "2 days");
        assert_eq!(counted(1, "delivery"), "1 delivery");
    }

    #[test]
    fn okta_constants_read_as_words() {
        assert_eq!(humanized("LOCKED_OUT"), "Locked out");
        assert_eq!(humanized("DEPROVISIONED"), "Deprovisioned");
        assert_eq!(humanized(""), "");
    }

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1,000");
        assert_eq!(grouped(1234567), "1,234,567");
        assert_eq!(grouped(-12345), "-12,345");
    }

    #[test]
    fn utc_times_read_as_date_and_time() {
        assert_eq!(
            readable_utc("2024-05-01T12:34:56Z"),
            "2024-05-01 12:34:56 UTC"
        );
        assert_eq!(readable_utc("yesterday"), "yesterday");
    }
}

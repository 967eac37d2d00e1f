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

#[cfg(test)]
mod tests {
    use super::*;

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

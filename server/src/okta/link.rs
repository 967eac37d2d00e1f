//! Parsing of `Link` response headers (RFC 8288), as Okta uses them for pagination.
//!
//! Okta sends `Link: <url>; rel="self"` and `Link: <url>; rel="next"`, usually as separate
//! header lines, sometimes comma-separated on one line. The `next` URL is the only cursor we
//! ever follow, so the parser is lenient about syntax and strict about which URL wins.

/// The links of one response that pagination cares about.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Links {
    pub self_url: Option<String>,
    pub next: Option<String>,
}

/// Parses every `Link` header line (there may be several, and one line may hold several
/// comma-separated links).
///
/// Accepts `rel="next"` and `rel=next`, any case, extra parameters, free whitespace, several
/// relation types in one `rel` (`rel="next last"`), and commas inside `<...>` or quoted
/// parameter values. Malformed links are skipped. When several different `next` (or `self`)
/// URLs appear, the first one wins and the rest are ignored.
pub fn parse_links<'a>(header_values: impl IntoIterator<Item = &'a str>) -> Links {
    let mut links = Links::default();
    for header_value in header_values {
        for link_value in split_outside(header_value, b',') {
            let Some((target, params)) = split_target(link_value) else {
                continue;
            };
            // RFC 8288 §3.3: occurrences of `rel` after the first are ignored.
            let Some(rel) = split_outside(params, b';').find_map(rel_param) else {
                continue;
            };
            for relation in rel.split_ascii_whitespace() {
                let slot = if relation.eq_ignore_ascii_case("next") {
                    &mut links.next
                } else if relation.eq_ignore_ascii_case("self") {
                    &mut links.self_url
                } else {
                    continue;
                };
                slot.get_or_insert_with(|| target.to_owned());
            }
        }
    }
    links
}

/// All `link` header values of a response that are valid UTF-8.
pub fn from_headers(headers: &http::HeaderMap) -> Links {
    parse_links(
        headers
            .get_all(http::header::LINK)
            .iter()
            .filter_map(|value| std::str::from_utf8(value.as_bytes()).ok()),
    )
}

/// Splits `text` at `separator`, except inside `<...>` or a quoted string (with `\` escapes).
fn split_outside(text: &str, separator: u8) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let current = rest?;
        let (mut in_angle, mut in_quote, mut escaped) = (false, false, false);
        for (i, byte) in current.bytes().enumerate() {
            if in_quote {
                match byte {
                    _ if escaped => escaped = false,
                    b'\\' => escaped = true,
                    b'"' => in_quote = false,
                    _ => {}
                }
                continue;
            }
            match byte {
                b'<' => in_angle = true,
                b'>' => in_angle = false,
                b'"' if !in_angle => in_quote = true,
                _ if byte == separator && !in_angle => {
                    rest = Some(&current[i + 1..]);
                    return Some(&current[..i]);
                }
                _ => {}
            }
        }
        rest = None;
        Some(current)
    })
}

/// `<url>; params` → (`url`, `; params`). `None` unless the target is a plausible URL.
fn split_target(link_value: &str) -> Option<(&str, &str)> {
    let inner = link_value.trim().strip_prefix('<')?;
    let end = inner.find('>')?;
    let target = inner[..end].trim();
    let plausible = !target.is_empty() && !target.contains(|c: char| c == '<' || c.is_whitespace());
    plausible.then_some((target, &inner[end + 1..]))
}

/// The value of a `rel` parameter (`rel=next`, `REL = "next last"`), unquoted.
fn rel_param(param: &str) -> Option<String> {
    let (name, value) = param.split_once('=')?;
    if !name.trim().eq_ignore_ascii_case("rel") {
        return None;
    }
    let value = value.trim();
    match value.strip_prefix('"') {
        Some(quoted) => Some(unquote(quoted)),
        None => Some(value.to_owned()),
    }
}

/// The body of a quoted string (after its opening `"`), with `\` escapes resolved.
fn unquote(quoted: &str) -> String {
    let mut value = String::with_capacity(quoted.len());
    let mut chars = quoted.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => break,
            '\\' => value.extend(chars.next()),
            _ => value.push(c),
        }
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    const NEXT: &str = "https://acme.okta.com/api/v1/logs?limit=1000&after=1709294400000_1";
    const SELF: &str =
        "https://acme.okta.com/api/v1/logs?limit=1000&since=2024-03-01T00%3A00%3A00Z";

    fn links(self_url: Option<&str>, next: Option<&str>) -> Links {
        Links {
            self_url: self_url.map(str::to_owned),
            next: next.map(str::to_owned),
        }
    }

    #[test]
    fn separate_header_lines_as_okta_sends_them() {
        let parsed = parse_links([
            format!("<{SELF}>; rel=\"self\"").as_str(),
            format!("<{NEXT}>; rel=\"next\"").as_str(),
        ]);
        assert_eq!(parsed, links(Some(SELF), Some(NEXT)));
    }

    #[test]
    fn both_links_on_one_line() {
        let line = format!("<{SELF}>; rel=\"self\", <{NEXT}>; rel=\"next\"");
        assert_eq!(parse_links([line.as_str()]), links(Some(SELF), Some(NEXT)));
    }

    #[test]
    fn no_header_no_links() {
        assert_eq!(parse_links([]), Links::default());
        assert_eq!(parse_links([""]), Links::default());
        // The last page of a bounded request: only `self`.
        let only_self = format!("<{SELF}>; rel=\"self\"");
        assert_eq!(parse_links([only_self.as_str()]), links(Some(SELF), None));
    }

    #[test]
    fn unquoted_rel() {
        assert_eq!(
            parse_links(["<https://a.example/next>; rel=next"])
                .next
                .as_deref(),
            Some("https://a.example/next")
        );
    }

    #[test]
    fn rel_is_case_insensitive_in_name_and_value() {
        let parsed = parse_links([
            "<https://a.example/n>; REL=\"NEXT\"",
            "<https://a.example/s>; Rel=Self",
        ]);
        assert_eq!(
            parsed,
            links(Some("https://a.example/s"), Some("https://a.example/n"))
        );
    }

    #[test]
    fn free_whitespace() {
        let parsed = parse_links(["  <  https://a.example/n  >  ;   rel  =  \"next\"  ,\t< https://a.example/s >;rel=self  "]);
        assert_eq!(
            parsed,
            links(Some("https://a.example/s"), Some("https://a.example/n"))
        );
    }

    #[test]
    fn extra_params_including_quoted_commas_and_semicolons() {
        let parsed = parse_links([
            "<https://a.example/n>; title=\"page, the \\\"next\\\"; one\"; rel=\"next\"; type=\"application/json\", \
             <https://a.example/s>; anchor=\"#x\"; rel=self",
        ]);
        assert_eq!(
            parsed,
            links(Some("https://a.example/s"), Some("https://a.example/n"))
        );
    }

    #[test]
    fn several_relation_types_in_one_rel() {
        let parsed = parse_links([
            "<https://a.example/n>; rel=\"next last\"",
            "<https://a.example/s>; rel=\"first  self\"",
        ]);
        assert_eq!(
            parsed,
            links(Some("https://a.example/s"), Some("https://a.example/n"))
        );
        // One link can be both.
        assert_eq!(
            parse_links(["<https://a.example/x>; rel=\"self next\""]),
            links(Some("https://a.example/x"), Some("https://a.example/x"))
        );
    }

    #[test]
    fn commas_inside_angle_brackets_do_not_split() {
        let next = "https://acme.okta.com/api/v1/logs?filter=eventType+eq+%22a%22,b&fields=a,b,c&after=1_2";
        let line = format!("<{next}>; rel=\"next\", <{SELF}>; rel=\"self\"");
        assert_eq!(parse_links([line.as_str()]), links(Some(SELF), Some(next)));
    }

    #[test]
    fn duplicated_identical_lines() {
        let line = format!("<{NEXT}>; rel=\"next\"");
        let parsed = parse_links([line.as_str(), line.as_str(), line.as_str()]);
        assert_eq!(parsed, links(None, Some(NEXT)));
    }

    #[test]
    fn conflicting_next_keeps_the_first() {
        let parsed = parse_links([
            "<https://a.example/first>; rel=next, <https://a.example/second>; rel=next",
            "<https://a.example/third>; rel=\"next\"",
        ]);
        assert_eq!(parsed.next.as_deref(), Some("https://a.example/first"));
    }

    #[test]
    fn only_the_first_rel_param_of_a_link_counts() {
        let parsed = parse_links(["<https://a.example/x>; rel=self; rel=next"]);
        assert_eq!(parsed, links(Some("https://a.example/x"), None));
    }

    #[test]
    fn other_relations_are_ignored() {
        let parsed =
            parse_links(["<https://a.example/p>; rel=prev, <https://a.example/l>; rel=\"last\""]);
        assert_eq!(parsed, Links::default());
    }

    #[test]
    fn malformed_links_are_skipped_without_losing_good_ones() {
        let parsed = parse_links([
            "https://a.example/no-brackets; rel=next",
            "<https://a.example/unterminated; rel=next",
            "<>; rel=next",
            "<https://a.example/no-rel>",
            "<https://a.example/empty-rel>; rel=",
            "<https://a.example/bad url>; rel=next",
            "garbage, ; , <https://a.example/good>; rel=next",
        ]);
        assert_eq!(parsed.next.as_deref(), Some("https://a.example/good"));
    }

    #[test]
    fn unterminated_quote_does_not_panic() {
        let parsed = parse_links(["<https://a.example/n>; title=\"oops, rel=next"]);
        assert_eq!(parsed, Links::default());
        let parsed = parse_links(["<https://a.example/n>; rel=\"next"]);
        assert_eq!(parsed.next.as_deref(), Some("https://a.example/n"));
    }

    #[test]
    fn from_headers_reads_every_link_line() {
        let mut headers = http::HeaderMap::new();
        headers.append(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json"),
        );
        headers.append(
            http::header::LINK,
            http::HeaderValue::from_str(&format!("<{SELF}>; rel=\"self\"")).unwrap(),
        );
        headers.append(
            http::header::LINK,
            http::HeaderValue::from_str(&format!("<{NEXT}>; rel=\"next\"")).unwrap(),
        );
        assert_eq!(from_headers(&headers), links(Some(SELF), Some(NEXT)));
        assert_eq!(from_headers(&http::HeaderMap::new()), Links::default());
    }

    #[test]
    fn from_headers_skips_values_that_are_not_utf8() {
        let mut headers = http::HeaderMap::new();
        headers.append(
            http::header::LINK,
            http::HeaderValue::from_bytes(b"<https://a.example/\xff>; rel=next").unwrap(),
        );
        headers.append(
            http::header::LINK,
            http::HeaderValue::from_bytes("<https://a.example/é>; rel=next".as_bytes()).unwrap(),
        );
        assert_eq!(
            from_headers(&headers).next.as_deref(),
            Some("https://a.example/é")
        );
    }
}

//! Arbitrary bytes as `Link` header lines (one per `\n`): parsing never panics, and the links it
//! finds are sensible: a piece of the input, non-empty, free of whitespace and `<>`; and a
//! `next` written back as a `Link` header (alone, or after a `self` link on the same line)
//! parses to the same `next`.
#![no_main]

use gatehouse::okta::link::{from_headers, parse_links, Links};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The HTTP path: raw header values, UTF-8 or not.
    let mut headers = http::HeaderMap::new();
    for line in data.split(|&b| b == b'\n') {
        if let Ok(value) = http::HeaderValue::from_bytes(line) {
            headers.append(http::header::LINK, value);
        }
    }
    let _ = from_headers(&headers);

    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let links = parse_links(text.split('\n'));
    for url in [&links.self_url, &links.next].into_iter().flatten() {
        assert!(!url.is_empty(), "{text:?}");
        assert!(text.contains(url.as_str()), "{url:?} is not in {text:?}");
        assert!(
            !url.contains(|c: char| c.is_whitespace() || c == '<' || c == '>'),
            "{url:?} from {text:?}"
        );
    }
    if let Some(next) = &links.next {
        let header = format!("<{next}>; rel=\"next\"");
        assert_eq!(
            parse_links([header.as_str()]).next.as_deref(),
            Some(next.as_str()),
            "{header:?}"
        );
        let line = format!("<https://a.example/s>; rel=self, {header}");
        assert_eq!(
            parse_links([line.as_str()]),
            Links {
                self_url: Some("https://a.example/s".into()),
                next: Some(next.clone()),
            },
            "{line:?}"
        );
    }
});

//! Parsing of `Link` response headers.

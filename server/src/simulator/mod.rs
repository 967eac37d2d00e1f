//! The built-in Okta API simulator (filled in by the simulator work).

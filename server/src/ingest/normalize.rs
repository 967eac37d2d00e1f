//! Normalization of raw Okta LogEvents into `Okta.SystemLog` rows.

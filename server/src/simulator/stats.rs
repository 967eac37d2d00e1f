//! What an org has served: responses per endpoint and status, 429s, faults, events.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimStats {
    /// Requests received per endpoint family, counted on arrival (before auth, faults, limits
    /// or a hang), so a request still in flight is already counted.
    pub logs_requests: u64,
    pub users_requests: u64,
    pub devices_requests: u64,
    /// Responses per endpoint (`logs`, `users`, `devices`, `other`) and status (`"200"`,
    /// `"429"`, ..., or `"reset"` for dropped connections).
    pub requests: BTreeMap<String, BTreeMap<String, u64>>,
    /// 429 responses sent, real or injected.
    pub rate_limited: u64,
    /// 401 responses sent.
    pub unauthorized: u64,
    /// Injected faults that took effect.
    pub faults_applied: u64,
    /// Log events sent in 200 responses.
    pub events_served: u64,
}

impl SimStats {
    /// Responses sent for `endpoint` with `status` (`"200"`, `"reset"`, ...).
    pub fn count(&self, endpoint: &str, status: &str) -> u64 {
        self.requests
            .get(endpoint)
            .and_then(|s| s.get(status))
            .copied()
            .unwrap_or(0)
    }

    /// All responses sent for `endpoint`.
    pub fn total(&self, endpoint: &str) -> u64 {
        self.requests.get(endpoint).map_or(0, |s| s.values().sum())
    }

    pub(crate) fn arrived(&mut self, endpoint: &str) {
        match endpoint {
            "logs" => self.logs_requests += 1,
            "users" => self.users_requests += 1,
            "devices" => self.devices_requests += 1,
            _ => {}
        }
    }

    pub(crate) fn record(&mut self, endpoint: &str, status: &str) {
        *self
            .requests
            .entry(endpoint.to_string())
            .or_default()
            .entry(status.to_string())
            .or_default() += 1;
        match status {
            "429" => self.rate_limited += 1,
            "401" => self.unauthorized += 1,
            _ => {}
        }
    }
}

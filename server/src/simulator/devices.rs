//! `GET /api/v1/devices`: pages of 200 at most, `expand=user` for the owners, `search`
//! (`lastUpdated` and `status` clauses joined by `and`, as delta syncs use), `after` cursors;
//! 403 E0000006 when the org has no Okta Devices.

use super::api::{json_array, ApiRequest, Page};
use super::directory::{Device, DeviceJson};
use super::error::ApiError;
use super::logs::split_keyword;
use super::org::OrgState;
use super::time::parse_rfc3339_ms;
use super::users::page_limit;

/// One clause of a device `search`.
#[derive(Debug, PartialEq)]
enum Clause {
    LastUpdated { op: &'static str, ms: i64 },
    Status(String),
}

/// A device `search` expression: clauses joined by `and`.
#[derive(Debug, PartialEq)]
pub(crate) struct DeviceSearch(Vec<Clause>);

impl DeviceSearch {
    pub fn parse(raw: &str) -> Result<DeviceSearch, ApiError> {
        let invalid = || ApiError::invalid_parameter("search");
        let mut clauses = Vec::new();
        for clause in split_keyword(raw.trim(), "and") {
            let clause = clause.trim().trim_start_matches('(').trim_end_matches(')');
            let mut words = clause.splitn(3, ' ');
            let (attr, op, value) = (
                words.next().unwrap_or(""),
                words.next().unwrap_or("").to_ascii_lowercase(),
                words.next().unwrap_or(""),
            );
            let value = value
                .trim()
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .ok_or_else(invalid)?;
            match attr {
                "lastUpdated" => {
                    let op = ["eq", "gt", "ge", "lt", "le"]
                        .into_iter()
                        .find(|o| *o == op)
                        .ok_or_else(invalid)?;
                    let ms = parse_rfc3339_ms(value).ok_or_else(invalid)?;
                    clauses.push(Clause::LastUpdated { op, ms });
                }
                "status" if op == "eq" => clauses.push(Clause::Status(value.to_owned())),
                _ => return Err(invalid()),
            }
        }
        Ok(DeviceSearch(clauses))
    }

    fn matches(&self, device: &Device) -> bool {
        self.0.iter().all(|clause| match clause {
            Clause::LastUpdated { op, ms } => {
                let t = device.last_updated_ms;
                match *op {
                    "eq" => t == *ms,
                    "gt" => t > *ms,
                    "ge" => t >= *ms,
                    "lt" => t < *ms,
                    _ => t <= *ms,
                }
            }
            Clause::Status(status) => device.status.eq_ignore_ascii_case(status),
        })
    }
}

pub(crate) fn list(org: &OrgState, req: &ApiRequest) -> Result<Page, ApiError> {
    if !org.devices_enabled {
        return Err(ApiError::forbidden());
    }
    let limit = page_limit(req, 200)?;
    let expand_users = req
        .param("expand")
        .is_some_and(|e| e.split(',').any(|x| x.trim() == "user"));
    let search = req.param("search").map(DeviceSearch::parse).transpose()?;
    let directory = org.directory();
    let start = match req.param("after") {
        None => 0,
        Some(id) => directory
            .device_position(id)
            .map(|p| p + 1)
            .ok_or_else(|| ApiError::validation("after", "after is not a valid cursor"))?,
    };
    let mut matching = directory.devices[start..]
        .iter()
        .filter(|d| search.as_ref().is_none_or(|s| s.matches(d)));
    let page: Vec<&Device> = matching.by_ref().take(limit).collect();
    let more = matching.next().is_some();
    let base = req.base();
    let users = expand_users.then_some(directory.users.as_slice());
    let body = json_array(
        &page,
        if expand_users { 2500 } else { 900 },
        |device, out| {
            let _ = serde_json::to_writer(
                &mut *out,
                &DeviceJson::new(device, users, &directory.user_type_id, &base),
            );
        },
    );
    let next_link = match page.last() {
        Some(last) if more => {
            let limit = limit.to_string();
            let mut params = vec![("limit", limit.as_str()), ("after", last.id.as_str())];
            for kept in ["expand", "search"] {
                if let Some(value) = req.param(kept) {
                    params.push((kept, value));
                }
            }
            Some(req.link_with(&params))
        }
        _ => None,
    };
    Ok(Page {
        body,
        self_link: req.self_link(),
        next_link,
        events: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulator::directory::Directory;

    #[test]
    fn search_by_last_updated_and_status() {
        let d = Directory::generate("acme", 5, 20, 40, 1_700_000_000_000);
        let newest = d.devices.iter().map(|x| x.last_updated_ms).max().unwrap();
        let oldest = d.devices.iter().map(|x| x.last_updated_ms).min().unwrap();
        assert!(oldest < newest, "devices were updated at different times");
        let at = |ms: i64| crate::simulator::time::format_ms(ms);
        let q = DeviceSearch::parse(&format!("lastUpdated gt \"{}\"", at(oldest))).unwrap();
        let hits = d.devices.iter().filter(|x| q.matches(x)).count();
        assert!(hits > 0 && hits < d.devices.len());
        let q = DeviceSearch::parse(&format!("lastUpdated gt \"{}\"", at(newest))).unwrap();
        assert_eq!(d.devices.iter().filter(|x| q.matches(x)).count(), 0);
        let q = DeviceSearch::parse(&format!(
            "lastUpdated ge \"{}\" and status eq \"ACTIVE\"",
            at(oldest)
        ))
        .unwrap();
        assert!(d
            .devices
            .iter()
            .filter(|x| q.matches(x))
            .all(|x| x.status == "ACTIVE"));
        assert!(DeviceSearch::parse("lastUpdated gt soon").is_err());
        assert!(DeviceSearch::parse("profile.model eq \"x\"").is_err());
    }
}

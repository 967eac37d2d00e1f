//! `GET /api/v1/users`: pages of 200 at most, `filter` / `search` expressions (which also bring
//! back DEPROVISIONED users), `q` prefix search, and `after` cursors.

use super::api::{json_array, ApiRequest, Page};
use super::directory::{User, UserJson};
use super::error::ApiError;
use super::logs::split_keyword;
use super::org::OrgState;
use super::time::parse_rfc3339_ms;

/// Parses `limit` for the directory endpoints: default and maximum `max` (larger values are
/// clamped, as Okta does), at least 1.
pub(crate) fn page_limit(req: &ApiRequest, max: usize) -> Result<usize, ApiError> {
    match req.param("limit") {
        None => Ok(max),
        Some(raw) => match raw.trim().parse::<i64>() {
            Ok(n) if n >= 1 => Ok((n as usize).min(max)),
            _ => Err(ApiError::validation(
                "limit",
                format!("limit must be a number between 1 and {max}"),
            )),
        },
    }
}

/// One `attribute operator "value"` clause of a user filter or search.
#[derive(Debug, PartialEq)]
enum Clause {
    Time {
        attr: TimeAttr,
        op: Ordering,
        ms: i64,
    },
    Text {
        attr: String,
        prefix: bool,
        value: String,
    },
}

#[derive(Debug, PartialEq, Clone, Copy)]
enum TimeAttr {
    LastUpdated,
    Created,
}

#[derive(Debug, PartialEq, Clone, Copy)]
enum Ordering {
    Eq,
    Gt,
    Ge,
    Lt,
    Le,
}

/// Clauses joined by `and` (the subset of Okta's SCIM syntax delta syncs use).
#[derive(Debug, PartialEq)]
pub(crate) struct UserQuery(Vec<Clause>);

const TEXT_ATTRS: &[&str] = &[
    "id",
    "status",
    "profile.login",
    "profile.email",
    "profile.firstName",
    "profile.lastName",
    "profile.department",
    "profile.title",
    "profile.employeeNumber",
    "profile.userType",
];

impl UserQuery {
    pub fn parse(raw: &str, param: &str) -> Result<UserQuery, ApiError> {
        let invalid = || ApiError::invalid_parameter(param);
        let mut clauses = Vec::new();
        for clause in split_keyword(raw.trim(), "and") {
            let clause = clause.trim().trim_start_matches('(').trim_end_matches(')');
            let mut words = clause.splitn(3, ' ');
            let (attr, op, value) = (
                words.next().unwrap_or(""),
                words.next().unwrap_or(""),
                words.next().unwrap_or(""),
            );
            let value = value
                .trim()
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .ok_or_else(invalid)?;
            let op = op.to_ascii_lowercase();
            let time_attr = match attr {
                "lastUpdated" => Some(TimeAttr::LastUpdated),
                "created" => Some(TimeAttr::Created),
                _ => None,
            };
            if let Some(attr) = time_attr {
                let op = match op.as_str() {
                    "eq" => Ordering::Eq,
                    "gt" => Ordering::Gt,
                    "ge" => Ordering::Ge,
                    "lt" => Ordering::Lt,
                    "le" => Ordering::Le,
                    _ => return Err(invalid()),
                };
                let ms = parse_rfc3339_ms(value).ok_or_else(invalid)?;
                clauses.push(Clause::Time { attr, op, ms });
            } else if TEXT_ATTRS.contains(&attr) && (op == "eq" || op == "sw") {
                clauses.push(Clause::Text {
                    attr: attr.to_string(),
                    prefix: op == "sw",
                    value: value.to_string(),
                });
            } else {
                return Err(invalid());
            }
        }
        Ok(UserQuery(clauses))
    }

    fn matches(&self, user: &User) -> bool {
        self.0.iter().all(|clause| match clause {
            Clause::Time { attr, op, ms } => {
                let t = match attr {
                    TimeAttr::LastUpdated => user.last_updated_ms,
                    TimeAttr::Created => user.created_ms,
                };
                match op {
                    Ordering::Eq => t == *ms,
                    Ordering::Gt => t > *ms,
                    Ordering::Ge => t >= *ms,
                    Ordering::Lt => t < *ms,
                    Ordering::Le => t <= *ms,
                }
            }
            Clause::Text {
                attr,
                prefix,
                value,
            } => {
                let p = &user.profile;
                let field = match attr.as_str() {
                    "id" => user.id.as_str(),
                    "status" => user.status,
                    "profile.login" => &p.login,
                    "profile.email" => &p.email,
                    "profile.firstName" => &p.first_name,
                    "profile.lastName" => &p.last_name,
                    "profile.department" => &p.department,
                    "profile.title" => &p.title,
                    "profile.employeeNumber" => &p.employee_number,
                    _ => &p.user_type,
                };
                if *prefix {
                    field
                        .to_ascii_lowercase()
                        .starts_with(&value.to_ascii_lowercase())
                } else {
                    field.eq_ignore_ascii_case(value)
                }
            }
        })
    }
}

pub(crate) fn list(org: &OrgState, req: &ApiRequest) -> Result<Page, ApiError> {
    let limit = page_limit(req, 200)?;
    let filter = req
        .param("filter")
        .map(|f| UserQuery::parse(f, "filter"))
        .transpose()?;
    let search = req
        .param("search")
        .map(|s| UserQuery::parse(s, "search"))
        .transpose()?;
    let q = req.param("q").map(str::to_ascii_lowercase);
    // Okta hides deprovisioned users from plain lists only.
    let all_statuses = filter.is_some() || search.is_some();
    let directory = org.directory();
    let start = match req.param("after") {
        None => 0,
        Some(id) => directory
            .user_position(id)
            .map(|p| p + 1)
            .ok_or_else(|| ApiError::validation("after", "after is not a valid cursor"))?,
    };
    let wanted = |user: &User| {
        (all_statuses || user.status != "DEPROVISIONED")
            && filter.as_ref().is_none_or(|f| f.matches(user))
            && search.as_ref().is_none_or(|s| s.matches(user))
            && q.as_deref().is_none_or(|q| {
                let p = &user.profile;
                [&p.first_name, &p.last_name, &p.email]
                    .iter()
                    .any(|f| f.to_ascii_lowercase().starts_with(q))
            })
    };
    let mut matching = directory.users[start..].iter().filter(|u| wanted(u));
    let page: Vec<&User> = matching.by_ref().take(limit).collect();
    let more = matching.next().is_some();
    let base = req.base();
    let body = json_array(&page, 1200, |user, out| {
        let _ = serde_json::to_writer(
            &mut *out,
            &UserJson::new(user, &directory.user_type_id, &base),
        );
    });
    let next_link = match (more, page.last()) {
        (true, Some(last)) => {
            let limit = limit.to_string();
            let mut params = vec![("limit", limit.as_str()), ("after", last.id.as_str())];
            for kept in ["filter", "search", "q"] {
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
    fn filters_parse_and_match() {
        let d = Directory::generate("acme", 5, 50, 0, 1_700_000_000_000);
        let q = UserQuery::parse(
            r#"lastUpdated gt "2020-01-01T00:00:00.000Z" and status eq "DEPROVISIONED""#,
            "filter",
        )
        .unwrap();
        let hits: Vec<_> = d.users.iter().filter(|u| q.matches(u)).collect();
        assert!(!hits.is_empty());
        assert!(hits.iter().all(|u| u.status == "DEPROVISIONED"));
        let q = UserQuery::parse(r#"lastUpdated gt "2100-01-01T00:00:00Z""#, "filter").unwrap();
        assert!(d.users.iter().all(|u| !q.matches(u)));
        assert!(UserQuery::parse(r#"status eq ACTIVE"#, "filter").is_err());
        assert!(UserQuery::parse(r#"nickName eq "x""#, "filter").is_err());
        assert!(UserQuery::parse(r#"lastUpdated gt "soon""#, "filter").is_err());
    }
}

//! `GET /api/v1/devices`: pages of 200 at most, `expand=user` for the owners, `after` cursors;
//! 403 E0000006 when the org has no Okta Devices.

use super::api::{json_array, ApiRequest, Page};
use super::directory::DeviceJson;
use super::error::ApiError;
use super::org::OrgState;
use super::users::page_limit;

pub(crate) fn list(org: &OrgState, req: &ApiRequest) -> Result<Page, ApiError> {
    if !org.devices_enabled {
        return Err(ApiError::forbidden());
    }
    let limit = page_limit(req, 200)?;
    let expand_users = req
        .param("expand")
        .is_some_and(|e| e.split(',').any(|x| x.trim() == "user"));
    let directory = org.directory();
    let start = match req.param("after") {
        None => 0,
        Some(id) => directory
            .device_position(id)
            .map(|p| p + 1)
            .ok_or_else(|| ApiError::validation("after", "after is not a valid cursor"))?,
    };
    let end = (start + limit).min(directory.devices.len());
    let page = &directory.devices[start..end];
    let base = req.base();
    let users = expand_users.then_some(directory.users.as_slice());
    let body = json_array(
        page,
        if expand_users { 2500 } else { 900 },
        |device, out| {
            let _ = serde_json::to_writer(
                &mut *out,
                &DeviceJson::new(device, users, &directory.user_type_id, &base),
            );
        },
    );
    let next_link = match page.last() {
        Some(last) if end < directory.devices.len() => {
            let limit = limit.to_string();
            let mut params = vec![("limit", limit.as_str()), ("after", last.id.as_str())];
            if let Some(expand) = req.param("expand") {
                params.push(("expand", expand));
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

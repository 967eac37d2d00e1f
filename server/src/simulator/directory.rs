//! An org's people and their devices: generated from the seed, mutable at run time through the
//! admin endpoints (so delta syncs have something to find), rendered as Okta's JSON.

use std::collections::HashMap;

use serde::Serialize;

use super::catalog::{AGENTS, DEPARTMENTS, FIRST_NAMES, HOMES, LAST_NAMES};
use super::rng::{Rng, ALNUM};
use super::time::format_ms;

const DAY_MS: i64 = 86_400_000;

/// The statuses Okta gives users.
pub(crate) const USER_STATUSES: &[&str] = &[
    "ACTIVE",
    "DEPROVISIONED",
    "LOCKED_OUT",
    "PASSWORD_EXPIRED",
    "PROVISIONED",
    "RECOVERY",
    "STAGED",
    "SUSPENDED",
];

#[derive(Clone, Debug)]
pub(crate) struct User {
    pub id: String,
    pub status: &'static str,
    pub created_ms: i64,
    pub activated_ms: Option<i64>,
    pub status_changed_ms: Option<i64>,
    pub last_login_ms: Option<i64>,
    pub last_updated_ms: i64,
    pub password_changed_ms: Option<i64>,
    pub profile: Profile,
    /// Index into [`HOMES`]: where this person usually signs in from.
    pub home: usize,
    /// Index into [`AGENTS`]: their usual browser.
    pub agent: usize,
    touches: usize,
    title_pool: usize,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Profile {
    pub login: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub display_name: String,
    pub title: String,
    pub department: String,
    pub manager: Option<String>,
    pub manager_id: Option<String>,
    pub employee_number: String,
    pub user_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mobile_phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country_code: Option<String>,
}

#[derive(Clone, Debug)]
pub(crate) struct Device {
    pub id: String,
    pub status: &'static str,
    pub created_ms: i64,
    pub last_updated_ms: i64,
    pub display_name: String,
    pub platform: &'static str,
    pub manufacturer: &'static str,
    pub model: &'static str,
    pub os_version: &'static str,
    pub serial_number: String,
    pub udid: Option<String>,
    pub registered: bool,
    pub secure_hardware_present: bool,
    pub disk_encryption_type: &'static str,
    pub managed: Option<bool>,
    /// Owners: index into the user list, management status, screen lock type, when linked.
    pub owners: Vec<DeviceOwner>,
}

#[derive(Clone, Debug)]
pub(crate) struct DeviceOwner {
    pub user: usize,
    pub management_status: &'static str,
    pub screen_lock_type: &'static str,
    pub created_ms: i64,
}

/// An org's users and devices, in creation order (the order the list endpoints serve).
pub(crate) struct Directory {
    pub users: Vec<User>,
    pub devices: Vec<Device>,
    user_ids: HashMap<String, usize>,
    device_ids: HashMap<String, usize>,
    /// The user type every user has (`type.id`).
    pub user_type_id: String,
}

impl Directory {
    /// Generates `users` people and `devices` devices for an org, relative to `now_ms`.
    pub fn generate(org: &str, seed: u64, users: usize, devices: usize, now_ms: i64) -> Self {
        let mut rng = Rng::new(seed, 0xd1, 0);
        let user_type_id = rng.okta_id("oty");
        let mail_domain = format!("{}.example.com", org.to_ascii_lowercase());
        let mut logins: HashMap<String, usize> = HashMap::new();
        let mut list: Vec<User> = Vec::with_capacity(users);
        let mut user_ids = HashMap::with_capacity(users);
        let managers = (users / 10).max(1);
        for i in 0..users {
            let mut rng = Rng::new(seed, 0x05e5, i as u64);
            let mut id = rng.okta_id("00u");
            while user_ids.contains_key(&id) {
                id = rng.okta_id("00u");
            }
            let first = *rng.pick(FIRST_NAMES);
            let last = *rng.pick(LAST_NAMES);
            let base = format!(
                "{}.{}",
                first.to_ascii_lowercase(),
                last.to_ascii_lowercase()
            );
            let n = logins.entry(base.clone()).or_insert(0);
            *n += 1;
            let local = if *n == 1 { base } else { format!("{base}{n}") };
            let login = format!("{local}@{mail_domain}");
            // The first few people are the IT admins who show up as actors of admin events.
            let dept = if i < 3 {
                1
            } else {
                rng.index(DEPARTMENTS.len())
            };
            let (department, titles) = DEPARTMENTS[dept];
            let title = titles[rng.index(titles.len())];
            let status = if i < 3 {
                "ACTIVE"
            } else {
                match rng.below(100) {
                    0..=4 => "DEPROVISIONED",
                    5..=6 => "SUSPENDED",
                    7..=8 => "LOCKED_OUT",
                    9 => "PASSWORD_EXPIRED",
                    10 => "STAGED",
                    11 => "PROVISIONED",
                    12 => "RECOVERY",
                    _ => "ACTIVE",
                }
            };
            let created_ms = now_ms - rng.range(30 * DAY_MS, 1200 * DAY_MS);
            let never_active = matches!(status, "STAGED" | "PROVISIONED");
            let activated_ms = (!never_active).then(|| created_ms + rng.range(60_000, DAY_MS));
            let status_changed_ms = match status {
                "ACTIVE" => activated_ms,
                _ => Some(now_ms - rng.range(DAY_MS, 25 * DAY_MS)),
            };
            let last_login_ms = match status {
                "ACTIVE" | "LOCKED_OUT" | "PASSWORD_EXPIRED" | "RECOVERY" => {
                    Some(now_ms - rng.range(60_000, 3 * DAY_MS))
                }
                "SUSPENDED" | "DEPROVISIONED" => Some(now_ms - rng.range(26 * DAY_MS, 60 * DAY_MS)),
                _ => None,
            };
            let password_changed_ms = activated_ms.map(|a| a + rng.range(0, 20 * DAY_MS));
            let last_updated_ms = [
                Some(created_ms),
                activated_ms,
                status_changed_ms,
                password_changed_ms,
            ]
            .into_iter()
            .flatten()
            .max()
            .unwrap_or(created_ms)
            .max(now_ms - rng.range(DAY_MS, 90 * DAY_MS))
            .min(now_ms - 60_000);
            let (manager, manager_id) = if i == 0 {
                (None, None)
            } else {
                let m = rng.index(managers.min(i));
                (
                    Some(list[m].profile.display_name.clone()),
                    Some(list[m].id.clone()),
                )
            };
            let home = rng.index(HOMES.len());
            let mobile_phone = rng
                .chance(0.7)
                .then(|| format!("+1 555-01{:02}", rng.below(100)));
            let profile = Profile {
                email: login.clone(),
                login,
                first_name: first.to_string(),
                last_name: last.to_string(),
                display_name: format!("{first} {last}"),
                title: title.to_string(),
                department: department.to_string(),
                manager,
                manager_id,
                employee_number: format!("{}", 10_000 + i),
                user_type: if rng.chance(0.85) {
                    "Employee"
                } else {
                    "Contractor"
                }
                .to_string(),
                mobile_phone,
                city: rng.chance(0.9).then(|| HOMES[home].city.to_string()),
                country_code: Some(HOMES[home].country_code.to_string()),
            };
            user_ids.insert(id.clone(), i);
            list.push(User {
                id,
                status,
                created_ms,
                activated_ms,
                status_changed_ms,
                last_login_ms,
                last_updated_ms,
                password_changed_ms,
                profile,
                home,
                agent: rng.index(AGENTS.len()),
                touches: 0,
                title_pool: dept,
            });
        }

        let mut device_list = Vec::with_capacity(devices);
        let mut device_ids = HashMap::with_capacity(devices);
        let owners_pool: Vec<usize> = (0..list.len())
            .filter(|&u| list[u].status != "DEPROVISIONED")
            .collect();
        for i in 0..devices {
            let mut rng = Rng::new(seed, 0xde71, i as u64);
            let mut id = rng.okta_id("guo");
            while device_ids.contains_key(&id) {
                id = rng.okta_id("guo");
            }
            let device = generate_device(&mut rng, id.clone(), &list, &owners_pool, now_ms);
            device_ids.insert(id, i);
            device_list.push(device);
        }
        Directory {
            users: list,
            devices: device_list,
            user_ids,
            device_ids,
            user_type_id,
        }
    }

    pub fn user_position(&self, id: &str) -> Option<usize> {
        self.user_ids.get(id).copied()
    }

    pub fn device_position(&self, id: &str) -> Option<usize> {
        self.device_ids.get(id).copied()
    }

    /// Changes a user's profile (their title) the way an HR sync would. False if unknown.
    pub fn touch_user(&mut self, id: &str, now_ms: i64) -> bool {
        let Some(&i) = self.user_ids.get(id) else {
            return false;
        };
        let user = &mut self.users[i];
        user.touches += 1;
        let titles = DEPARTMENTS[user.title_pool].1;
        let next = titles[(titles
            .iter()
            .position(|t| *t == user.profile.title)
            .unwrap_or(0)
            + 1)
            % titles.len()];
        user.profile.title = if next == user.profile.title {
            format!("{next} ({})", user.touches)
        } else {
            next.to_string()
        };
        user.last_updated_ms = now_ms;
        true
    }

    /// Sets a user's status. `Err` names the problem (unknown user or status).
    pub fn set_user_status(&mut self, id: &str, status: &str, now_ms: i64) -> Result<(), String> {
        let Some(&i) = self.user_ids.get(id) else {
            return Err(format!("no user {id}"));
        };
        let Some(status) = USER_STATUSES
            .iter()
            .find(|s| s.eq_ignore_ascii_case(status))
        else {
            return Err(format!("unknown status {status}"));
        };
        let user = &mut self.users[i];
        user.status = status;
        user.status_changed_ms = Some(now_ms);
        user.last_updated_ms = now_ms;
        if *status == "ACTIVE" && user.activated_ms.is_none() {
            user.activated_ms = Some(now_ms);
        }
        Ok(())
    }
}

fn generate_device(
    rng: &mut Rng,
    id: String,
    users: &[User],
    owners_pool: &[usize],
    now_ms: i64,
) -> Device {
    let (platform, manufacturer, model, os_version, encryption) = match rng.below(100) {
        0..=34 => (
            "MACOS",
            "Apple",
            *rng.pick(&["MacBookPro18,3", "MacBookAir10,1", "Mac14,2", "Mac15,3"]),
            *rng.pick(&["14.4.1", "14.5.0", "13.6.6"]),
            "ALL_INTERNAL_VOLUMES",
        ),
        35..=69 => (
            "WINDOWS",
            *rng.pick(&["LENOVO", "Dell Inc.", "HP"]),
            *rng.pick(&["20XW0026US", "Latitude 7440", "EliteBook 840 G10"]),
            *rng.pick(&["10.0.22631.3447", "10.0.19045.4291"]),
            "ALL_INTERNAL_VOLUMES",
        ),
        70..=84 => (
            "IOS",
            "Apple",
            *rng.pick(&["iPhone15,2", "iPhone14,5", "iPhone16,1"]),
            *rng.pick(&["17.4.1", "17.5"]),
            "FULL",
        ),
        _ => (
            "ANDROID",
            *rng.pick(&["Google", "samsung"]),
            *rng.pick(&["Pixel 8", "SM-S918B"]),
            *rng.pick(&["14", "13"]),
            "USER",
        ),
    };
    let encryption = if rng.chance(0.08) { "NONE" } else { encryption };
    let status = match rng.below(100) {
        0..=4 => "DEACTIVATED",
        5..=7 => "SUSPENDED",
        _ => "ACTIVE",
    };
    let owner_count = if owners_pool.is_empty() || rng.chance(0.05) {
        0
    } else if rng.chance(0.05) {
        2
    } else {
        1
    };
    let created_ms = now_ms - rng.range(DAY_MS, 700 * DAY_MS);
    let managed = rng.chance(0.7);
    let owners: Vec<DeviceOwner> = (0..owner_count)
        .map(|_| DeviceOwner {
            user: *rng.pick(owners_pool),
            management_status: if managed { "MANAGED" } else { "NOT_MANAGED" },
            screen_lock_type: rng.pick(&["BIOMETRIC", "BIOMETRIC", "PASSCODE", "NONE"]),
            created_ms: created_ms + rng.range(0, DAY_MS),
        })
        .collect();
    let owner_name = owners
        .first()
        .map(|o| users[o.user].profile.first_name.clone())
        .unwrap_or_else(|| "Shared".to_string());
    let kind = match platform {
        "MACOS" => "MacBook",
        "WINDOWS" => "Laptop",
        "IOS" => "iPhone",
        _ => "Android",
    };
    let mut serial = String::new();
    rng.push_chars(&mut serial, &ALNUM[..36], 12);
    let serial = serial.to_ascii_uppercase();
    let udid = matches!(platform, "IOS" | "MACOS").then(|| {
        let u = super::rng::uuid(rng.next_u64(), 0);
        String::from_utf8_lossy(&u).to_ascii_uppercase()
    });
    Device {
        id,
        status,
        created_ms,
        last_updated_ms: now_ms - rng.range(60_000, 20 * DAY_MS),
        display_name: format!("{owner_name}'s {kind}"),
        platform,
        manufacturer,
        model,
        os_version,
        serial_number: serial,
        udid,
        registered: status == "ACTIVE",
        secure_hardware_present: rng.chance(0.8),
        disk_encryption_type: encryption,
        managed: rng.chance(0.9).then_some(managed),
        owners,
    }
}

/// The JSON shape of a user, with `_links` pointing back at `base` (`http://host`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UserJson<'a> {
    id: &'a str,
    status: &'a str,
    created: String,
    activated: Option<String>,
    status_changed: Option<String>,
    last_login: Option<String>,
    last_updated: String,
    password_changed: Option<String>,
    #[serde(rename = "type")]
    user_type: IdRef<'a>,
    profile: &'a Profile,
    credentials: Credentials,
    #[serde(rename = "_links")]
    links: SelfLink,
}

#[derive(Serialize)]
struct IdRef<'a> {
    id: &'a str,
}

#[derive(Serialize)]
struct Credentials {
    password: Empty,
    provider: Provider,
}

#[derive(Serialize)]
struct Empty {}

#[derive(Serialize)]
struct Provider {
    #[serde(rename = "type")]
    kind: &'static str,
    name: &'static str,
}

#[derive(Serialize)]
struct SelfLink {
    #[serde(rename = "self")]
    self_: Href,
}

#[derive(Serialize)]
struct Href {
    href: String,
}

impl<'a> UserJson<'a> {
    pub fn new(user: &'a User, user_type_id: &'a str, base: &str) -> Self {
        UserJson {
            id: &user.id,
            status: user.status,
            created: format_ms(user.created_ms),
            activated: user.activated_ms.map(format_ms),
            status_changed: user.status_changed_ms.map(format_ms),
            last_login: user.last_login_ms.map(format_ms),
            last_updated: format_ms(user.last_updated_ms),
            password_changed: user.password_changed_ms.map(format_ms),
            user_type: IdRef { id: user_type_id },
            profile: &user.profile,
            credentials: Credentials {
                password: Empty {},
                provider: Provider {
                    kind: "OKTA",
                    name: "OKTA",
                },
            },
            links: SelfLink {
                self_: Href {
                    href: format!("{base}/api/v1/users/{}", user.id),
                },
            },
        }
    }
}

/// The JSON shape of a device; `_embedded.users` only when `users` is given (`expand=user`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DeviceJson<'a> {
    id: &'a str,
    status: &'a str,
    created: String,
    last_updated: String,
    profile: DeviceProfile<'a>,
    resource_type: &'static str,
    resource_display_name: DisplayName<'a>,
    resource_alternate_id: Option<&'a str>,
    resource_id: &'a str,
    #[serde(rename = "_embedded", skip_serializing_if = "Option::is_none")]
    embedded: Option<Embedded<'a>>,
    #[serde(rename = "_links")]
    links: SelfLink,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DeviceProfile<'a> {
    display_name: &'a str,
    platform: &'a str,
    manufacturer: &'a str,
    model: &'a str,
    os_version: &'a str,
    serial_number: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    udid: Option<&'a str>,
    registered: bool,
    secure_hardware_present: bool,
    disk_encryption_type: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    managed: Option<bool>,
}

#[derive(Serialize)]
struct DisplayName<'a> {
    value: &'a str,
    sensitive: bool,
}

#[derive(Serialize)]
struct Embedded<'a> {
    users: Vec<EmbeddedUser<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EmbeddedUser<'a> {
    created: String,
    management_status: &'a str,
    screen_lock_type: &'a str,
    user: UserJson<'a>,
}

impl<'a> DeviceJson<'a> {
    pub fn new(
        device: &'a Device,
        users: Option<&'a [User]>,
        user_type_id: &'a str,
        base: &str,
    ) -> Self {
        let embedded = users.map(|users| Embedded {
            users: device
                .owners
                .iter()
                .map(|o| EmbeddedUser {
                    created: format_ms(o.created_ms),
                    management_status: o.management_status,
                    screen_lock_type: o.screen_lock_type,
                    user: UserJson::new(&users[o.user], user_type_id, base),
                })
                .collect(),
        });
        DeviceJson {
            id: &device.id,
            status: device.status,
            created: format_ms(device.created_ms),
            last_updated: format_ms(device.last_updated_ms),
            profile: DeviceProfile {
                display_name: &device.display_name,
                platform: device.platform,
                manufacturer: device.manufacturer,
                model: device.model,
                os_version: device.os_version,
                serial_number: &device.serial_number,
                udid: device.udid.as_deref(),
                registered: device.registered,
                secure_hardware_present: device.secure_hardware_present,
                disk_encryption_type: device.disk_encryption_type,
                managed: device.managed,
            },
            resource_type: "UDDevice",
            resource_display_name: DisplayName {
                value: &device.display_name,
                sensitive: false,
            },
            resource_alternate_id: None,
            resource_id: &device.id,
            embedded,
            links: SelfLink {
                self_: Href {
                    href: format!("{base}/api/v1/devices/{}", device.id),
                },
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_is_deterministic_and_varied() {
        let a = Directory::generate("acme", 9, 200, 50, 1_700_000_000_000);
        let b = Directory::generate("acme", 9, 200, 50, 1_700_000_000_000);
        assert_eq!(a.users.len(), 200);
        assert_eq!(a.devices.len(), 50);
        assert_eq!(a.users[17].id, b.users[17].id);
        assert_eq!(a.devices[3].id, b.devices[3].id);
        for status in ["ACTIVE", "DEPROVISIONED", "SUSPENDED", "LOCKED_OUT"] {
            assert!(
                a.users.iter().any(|u| u.status == status),
                "no {status} user"
            );
        }
        let logins: std::collections::HashSet<_> =
            a.users.iter().map(|u| &u.profile.login).collect();
        assert_eq!(logins.len(), 200);
        assert!(a
            .users
            .iter()
            .all(|u| u.id.len() == 20 && u.id.starts_with("00u")));
    }

    #[test]
    fn touch_and_status_change_bump_last_updated() {
        let mut d = Directory::generate("acme", 1, 10, 0, 1_700_000_000_000);
        let id = d.users[4].id.clone();
        let title = d.users[4].profile.title.clone();
        assert!(d.touch_user(&id, 1_800_000_000_000));
        assert_ne!(d.users[4].profile.title, title);
        assert_eq!(d.users[4].last_updated_ms, 1_800_000_000_000);
        d.set_user_status(&id, "deprovisioned", 1_800_000_000_001)
            .unwrap();
        assert_eq!(d.users[4].status, "DEPROVISIONED");
        assert!(d.set_user_status(&id, "GONE", 0).is_err());
        assert!(!d.touch_user("00unknown", 0));
    }
}

//! Static data the simulator draws from: places, browsers, apps, names. Plausible, not real people.

/// A place requests come from, with the network it is on.
pub(crate) struct Location {
    pub city: &'static str,
    pub state: &'static str,
    pub country: &'static str,
    pub country_code: &'static str,
    pub postal: Option<&'static str>,
    pub lat: f64,
    pub lon: f64,
    /// The first two octets of the addresses handed out here.
    pub net: [u8; 2],
    pub as_number: u32,
    pub as_org: &'static str,
    pub isp: &'static str,
    pub domain: &'static str,
    /// Hosting or anonymizing networks: `securityContext.isProxy` is true.
    pub proxy: bool,
}

/// ((city, state, country, country code), postal code, (lat, lon), first octets, network)
const fn place(
    (city, state, country, country_code): (&'static str, &'static str, &'static str, &'static str),
    postal: Option<&'static str>,
    (lat, lon): (f64, f64),
    net: [u8; 2],
    (as_number, as_org, isp, domain): (u32, &'static str, &'static str, &'static str),
) -> Location {
    Location {
        city,
        state,
        country,
        country_code,
        postal,
        lat,
        lon,
        net,
        as_number,
        as_org,
        isp,
        domain,
        proxy: false,
    }
}

/// Where users live. Indexes into this table are a user's "home".
#[rustfmt::skip]
pub(crate) const HOMES: &[Location] = &[
    place(("San Francisco", "California", "United States", "US"), Some("94107"), (37.7697, -122.3933), [73, 162], (7922, "comcast", "comcast cable communications llc", "comcast.net")),
    place(("Oakland", "California", "United States", "US"), Some("94612"), (37.8044, -122.2712), [98, 42], (7018, "at&t enterprises llc", "at&t corp.", "att.net")),
    place(("Seattle", "Washington", "United States", "US"), Some("98101"), (47.6101, -122.3344), [71, 227], (701, "verizon business", "verizon communications", "verizon.net")),
    place(("Austin", "Texas", "United States", "US"), Some("78701"), (30.2711, -97.7437), [70, 121], (11427, "charter communications inc", "charter communications", "spectrum.com")),
    place(("New York", "New York", "United States", "US"), Some("10001"), (40.7484, -73.9967), [72, 229], (12271, "charter communications inc", "spectrum", "rr.com")),
    place(("Boston", "Massachusetts", "United States", "US"), Some("02110"), (42.3570, -71.0510), [73, 219], (7922, "comcast", "comcast cable communications llc", "comcast.net")),
    place(("Chicago", "Illinois", "United States", "US"), Some("60601"), (41.8858, -87.6181), [99, 48], (7018, "at&t enterprises llc", "at&t corp.", "att.net")),
    place(("Toronto", "Ontario", "Canada", "CA"), Some("M5V"), (43.6426, -79.3871), [99, 230], (812, "rogers communications canada inc.", "rogers", "rogers.com")),
    place(("London", "England", "United Kingdom", "GB"), Some("EC1A"), (51.5202, -0.0977), [86, 171], (2856, "british telecommunications plc", "bt", "bt.net")),
    place(("Berlin", "Land Berlin", "Germany", "DE"), Some("10115"), (52.5323, 13.3846), [87, 150], (3320, "deutsche telekom ag", "deutsche telekom", "telekom.de")),
    place(("Dublin", "Leinster", "Ireland", "IE"), None, (53.3498, -6.2603), [89, 101], (5466, "eircom limited", "eir", "eircom.net")),
    place(("Sydney", "New South Wales", "Australia", "AU"), Some("2000"), (-33.8688, 151.2093), [101, 160], (1221, "telstra corporation", "telstra", "bigpond.net.au")),
    place(("Bengaluru", "Karnataka", "India", "IN"), Some("560001"), (12.9716, 77.5946), [106, 51], (24560, "bharti airtel ltd.", "airtel", "airtel.in")),
    place(("Tokyo", "Tokyo", "Japan", "JP"), Some("100-0005"), (35.6812, 139.7671), [153, 246], (4713, "ntt communications corporation", "ntt", "ocn.ne.jp")),
];

const fn hosting(
    names: (&'static str, &'static str, &'static str, &'static str),
    coords: (f64, f64),
    net: [u8; 2],
    network: (u32, &'static str, &'static str, &'static str),
) -> Location {
    let mut l = place(names, None, coords, net, network);
    l.proxy = true;
    l
}

/// Hosting and anonymizing networks: where attacks and VPN sign-ins come from.
#[rustfmt::skip]
pub(crate) const PROXIES: &[Location] = &[
    hosting(("Amsterdam", "North Holland", "Netherlands", "NL"), (52.3740, 4.8897), [185, 220], (60729, "zwiebelfreunde e.v.", "tor exit", "torproject.org")),
    hosting(("Clifton", "New Jersey", "United States", "US"), (40.8364, -74.1403), [159, 203], (14061, "digitalocean, llc", "digitalocean", "digitalocean.com")),
    hosting(("Frankfurt am Main", "Hesse", "Germany", "DE"), (50.1109, 8.6821), [45, 134], (9009, "m247 europe srl", "m247", "m247.com")),
    hosting(("Singapore", "Singapore", "Singapore", "SG"), (1.3521, 103.8198), [139, 59], (16276, "ovh sas", "ovh", "ovh.net")),
];

/// A browser or app, as Okta parses it.
pub(crate) struct Agent {
    pub raw: &'static str,
    pub os: &'static str,
    pub browser: &'static str,
    /// `client.device`.
    pub device: &'static str,
    pub platform: &'static str,
}

#[rustfmt::skip]
pub(crate) const AGENTS: &[Agent] = &[
    Agent { raw: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36", os: "Mac OS X", browser: "CHROME", device: "Computer", platform: "MACOS" },
    Agent { raw: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36", os: "Windows 10", browser: "CHROME", device: "Computer", platform: "WINDOWS" },
    Agent { raw: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.80", os: "Windows 10", browser: "EDGE", device: "Computer", platform: "WINDOWS" },
    Agent { raw: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15", os: "Mac OS X", browser: "SAFARI", device: "Computer", platform: "MACOS" },
    Agent { raw: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1", os: "iOS", browser: "MOBILE_SAFARI", device: "Mobile", platform: "IOS" },
    Agent { raw: "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36", os: "Android", browser: "CHROME", device: "Mobile", platform: "ANDROID" },
    Agent { raw: "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0", os: "Linux", browser: "FIREFOX", device: "Computer", platform: "LINUX" },
    Agent { raw: "OktaVerify/9.14.0 (iOS 17.4.1; iPhone15,2)", os: "iOS", browser: "UNKNOWN", device: "Mobile", platform: "IOS" },
];

/// Agents used by attackers and scripts.
#[rustfmt::skip]
pub(crate) const SUSPICIOUS_AGENTS: &[Agent] = &[
    Agent { raw: "python-requests/2.31.0", os: "Unknown", browser: "UNKNOWN", device: "Unknown", platform: "UNKNOWN" },
    Agent { raw: "curl/8.4.0", os: "Unknown", browser: "UNKNOWN", device: "Unknown", platform: "UNKNOWN" },
    Agent { raw: "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:109.0) Gecko/20100101 Firefox/115.0", os: "Windows 10", browser: "FIREFOX", device: "Computer", platform: "WINDOWS" },
];

/// (label, Okta app name, sign-on mode)
#[rustfmt::skip]
pub(crate) const APPS: &[(&str, &str, &str)] = &[
    ("Salesforce.com", "salesforce", "SAML_2_0"),
    ("Slack", "slack", "SAML_2_0"),
    ("GitHub Enterprise Cloud - Organization", "githubcloud", "SAML_2_0"),
    ("Zoom", "zoomus", "SAML_2_0"),
    ("Google Workspace", "google", "SAML_2_0"),
    ("AWS IAM Identity Center", "amazon_aws_sso", "SAML_2_0"),
    ("Atlassian Cloud", "atlassian", "SAML_2_0"),
    ("Workday", "workday", "SAML_2_0"),
    ("Internal Wiki", "oidc_client", "OPENID_CONNECT"),
];

pub(crate) const GROUPS: &[&str] = &[
    "Everyone",
    "Engineering",
    "Sales",
    "Finance",
    "Marketing",
    "Contractors",
    "IT Admins",
    "Support",
];

pub(crate) const ADMIN_ROLES: &[&str] = &[
    "Super administrator",
    "Organization administrator",
    "Application administrator",
    "Read-only administrator",
    "Help desk administrator",
    "Group administrator",
];

pub(crate) const FIRST_NAMES: &[&str] = &[
    "Ada", "Alan", "Amara", "Ana", "Arjun", "Beatriz", "Ben", "Carmen", "Chen", "Chloe", "Daniel",
    "Diego", "Elena", "Emeka", "Emma", "Fatima", "Felix", "Grace", "Hana", "Hugo", "Isabel",
    "Ivan", "Jamal", "Julia", "Kai", "Kenji", "Lara", "Leo", "Lucia", "Maya", "Mateo", "Mei",
    "Noah", "Nora", "Omar", "Priya", "Rafael", "Rosa", "Sam", "Sara", "Tariq", "Theo", "Uma",
    "Victor", "Wei", "Yara", "Yusuf", "Zoe",
];

pub(crate) const LAST_NAMES: &[&str] = &[
    "Abbott",
    "Alvarez",
    "Bauer",
    "Becker",
    "Brennan",
    "Castillo",
    "Chowdhury",
    "Costa",
    "Dubois",
    "Eriksson",
    "Fischer",
    "Fontaine",
    "Garcia",
    "Haddad",
    "Hartmann",
    "Ito",
    "Jensen",
    "Kaur",
    "Kim",
    "Kowalski",
    "Larsen",
    "Lindqvist",
    "Mendes",
    "Moreau",
    "Nakamura",
    "Novak",
    "Okafor",
    "Olsen",
    "Park",
    "Patel",
    "Quinn",
    "Rossi",
    "Santos",
    "Schmidt",
    "Silva",
    "Tanaka",
    "Nguyen",
    "Varga",
    "Walsh",
    "Weber",
    "Yilmaz",
    "Zhang",
];

/// (department, titles in it)
#[rustfmt::skip]
pub(crate) const DEPARTMENTS: &[(&str, &[&str])] = &[
    ("Engineering", &["Software Engineer", "Senior Software Engineer", "Staff Engineer", "Engineering Manager", "Site Reliability Engineer"]),
    ("IT", &["IT Administrator", "Identity Engineer", "Help Desk Analyst", "IT Manager"]),
    ("Security", &["Security Engineer", "Security Analyst", "CISO"]),
    ("Sales", &["Account Executive", "Sales Development Rep", "Sales Manager", "Solutions Engineer"]),
    ("Marketing", &["Product Marketing Manager", "Content Strategist", "Marketing Director"]),
    ("Finance", &["Accountant", "Financial Analyst", "Controller"]),
    ("People", &["Recruiter", "HR Business Partner", "People Operations Lead"]),
    ("Support", &["Support Engineer", "Customer Success Manager", "Support Lead"]),
];

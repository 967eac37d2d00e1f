//! The HTTP client for Okta orgs: one shared connection pool, no redirects, a body-size cap,
//! and every followed URL pinned to the org's own origin (SSRF guard).

use std::{net::SocketAddr, sync::Arc, time::Duration};

use app::model::source::SIMULATOR_DOMAIN;
use bytes::{Bytes, BytesMut};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::Url;

use super::{error::OktaError, link::Links, rate::RateLimit};
use crate::config::Secret;

/// Largest page body accepted (Okta's 1,000-event pages are a few MB).
pub const DEFAULT_MAX_BODY: usize = 32 * 1024 * 1024;

/// One shared client for all sources.
#[derive(Clone, Debug)]
pub struct OktaHttp {
    client: reqwest::Client,
    timeout: Duration,
    max_body: usize,
    simulator: Option<SocketAddr>,
}

/// A successful (2xx) response.
#[derive(Debug)]
pub struct OktaResponse {
    pub body: Bytes,
    pub links: Links,
    pub rate: Option<RateLimit>,
}

impl OktaHttp {
    /// `simulator`: where `*.simulator.localhost` resolves (the built-in simulator), if any.
    pub fn new(timeout: Duration, simulator: Option<SocketAddr>) -> Self {
        let resolver = Arc::new(OrgResolver { simulator });
        let client = reqwest::Client::builder()
            .user_agent(concat!("Gatehouse/", env!("CARGO_PKG_VERSION")))
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(resolver)
            .pool_idle_timeout(Duration::from_secs(90))
            .build()
            .expect("the TLS backend initialises");
        Self {
            client,
            timeout,
            max_body: DEFAULT_MAX_BODY,
            simulator,
        }
    }

    pub fn with_max_body(mut self, max_body: usize) -> Self {
        self.max_body = max_body;
        self
    }

    pub fn simulator(&self) -> Option<SocketAddr> {
        self.simulator
    }

    /// The org's base URL: `https://{subdomain}.{domain}`, or plain http to the built-in simulator.
    pub fn org_url(&self, subdomain: &str, domain: &str) -> Result<Url, OktaError> {
        let text = match (domain == SIMULATOR_DOMAIN, self.simulator) {
            (true, Some(sim)) => format!("http://{subdomain}.{domain}:{}/", sim.port()),
            (true, None) => {
                return Err(OktaError::Connect {
                    host: format!("{subdomain}.{domain}"),
                    detail: "this server runs no Okta simulator".into(),
                })
            }
            (false, _) => format!("https://{subdomain}.{domain}/"),
        };
        Url::parse(&text).map_err(|e| OktaError::OffHost(format!("{text}: {e}")))
    }

    /// GET `url` with the org's token. `origin` is the org's base URL: any other host is refused.
    pub async fn get(
        &self,
        origin: &Url,
        url: &Url,
        token: &Secret,
    ) -> Result<OktaResponse, OktaError> {
        ensure_same_origin(origin, url)?;
        let host = url.host_str().unwrap_or_default().to_owned();
        let response = self
            .client
            .get(url.clone())
            .header(
                http::header::AUTHORIZATION,
                format!("SSWS {}", token.expose()),
            )
            .header(http::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| self.transport_error(&host, e))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let rate = RateLimit::from_headers(&headers);
        let body = self.read_body(&host, response).await?;
        if !(200..300).contains(&status) {
            return Err(OktaError::from_status(status, &body, rate));
        }
        Ok(OktaResponse {
            body,
            links: super::link::from_headers(&headers),
            rate,
        })
    }

    async fn read_body(
        &self,
        host: &str,
        mut response: reqwest::Response,
    ) -> Result<Bytes, OktaError> {
        let too_large = || OktaError::TooLarge {
            host: host.to_owned(),
            limit: self.max_body,
        };
        if response
            .content_length()
            .is_some_and(|n| n > self.max_body as u64)
        {
            return Err(too_large());
        }
        let mut body =
            BytesMut::with_capacity(response.content_length().unwrap_or(64 * 1024) as usize);
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| self.transport_error(host, e))?
        {
            if body.len() + chunk.len() > self.max_body {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body.freeze())
    }

    fn transport_error(&self, host: &str, err: reqwest::Error) -> OktaError {
        let host = host.to_owned();
        if err.is_timeout() {
            return OktaError::Timeout {
                host,
                secs: self.timeout.as_secs(),
            };
        }
        // The innermost cause says what happened (DNS, refused, TLS) without the URL, which
        // could carry a cursor.
        let mut detail = err.to_string();
        let mut source = std::error::Error::source(&err);
        while let Some(cause) = source {
            detail = cause.to_string();
            source = cause.source();
        }
        if err.is_connect() {
            OktaError::Connect { host, detail }
        } else {
            OktaError::Transport { host, detail }
        }
    }
}

/// Scheme, host and port of `url` must equal the org's.
pub fn ensure_same_origin(origin: &Url, url: &Url) -> Result<(), OktaError> {
    if url.scheme() == origin.scheme()
        && url.host_str() == origin.host_str()
        && url.port_or_known_default() == origin.port_or_known_default()
        && url.username().is_empty()
        && url.password().is_none()
    {
        Ok(())
    } else {
        Err(OktaError::OffHost(format!(
            "{}://{}{}",
            url.scheme(),
            url.host_str().unwrap_or("?"),
            url.port().map(|p| format!(":{p}")).unwrap_or_default()
        )))
    }
}

/// Resolves `*.simulator.localhost` to the built-in simulator, everything else through the system.
#[derive(Debug)]
struct OrgResolver {
    simulator: Option<SocketAddr>,
}

impl Resolve for OrgResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        let simulator = self.simulator;
        Box::pin(async move {
            let suffix = format!(".{SIMULATOR_DOMAIN}");
            if let (Some(sim), true) = (simulator, host.ends_with(&suffix)) {
                let addrs: Addrs = Box::new(std::iter::once(sim));
                return Ok(addrs);
            }
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let addrs: Addrs = Box::new(found.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn org_urls_are_https_except_the_simulator() {
        let http = OktaHttp::new(
            Duration::from_secs(5),
            Some("127.0.0.1:4567".parse().unwrap()),
        );
        assert_eq!(
            http.org_url("acme", "okta.com").unwrap().as_str(),
            "https://acme.okta.com/"
        );
        assert_eq!(
            http.org_url("acme", SIMULATOR_DOMAIN).unwrap().as_str(),
            "http://acme.simulator.localhost:4567/"
        );
        let without = OktaHttp::new(Duration::from_secs(5), None);
        assert!(without.org_url("acme", SIMULATOR_DOMAIN).is_err());
    }

    #[test]
    fn links_off_the_org_origin_are_refused() {
        let origin = Url::parse("https://acme.okta.com/").unwrap();
        let ok = Url::parse("https://acme.okta.com/api/v1/logs?after=x").unwrap();
        assert!(ensure_same_origin(&origin, &ok).is_ok());
        for bad in [
            "https://evil.com/api/v1/logs",
            "http://acme.okta.com/api/v1/logs",
            "https://acme.okta.com:8443/api/v1/logs",
            "https://acme.okta.com.evil.com/api/v1/logs",
            "https://user@acme.okta.com/api/v1/logs",
            "https://169.254.169.254/latest/meta-data",
        ] {
            assert!(
                ensure_same_origin(&origin, &Url::parse(bad).unwrap()).is_err(),
                "{bad}"
            );
        }
    }
}

//! Sending callbacks and webhooks: the requests the mock makes to its clients.
//!
//! A callback leaves only after the answer that triggered it is written (the server hands
//! [`Sender::after`] a signal that fires when hyper drops the answer's body), waits its delay,
//! and is sent with retries on connection errors and 5xx answers, backing off. Whatever
//! happens (sent, answered, refused, failed) is one record in the call log, `direction:
//! outbound`, with the receiver's answer checked against what the callback documents.
//!
//! **Targets are restricted.** A mock must not become an open relay that anyone who can reach
//! it can point at any host: a callback URL comes from the request. So *every* address a
//! target's host resolves to must be loopback (127.0.0.0/8, ::1) or a private network (10/8,
//! 172.16/12, 192.168/16, fc00::/7); link-local addresses (169.254/16, where cloud metadata
//! services live, and fe80::/10), public and unspecified ones are refused. The check runs in
//! the shared client's resolver ([`crate::client::Options::address_check`]), which then connects
//! to the addresses it checked, never resolving the name again, so a DNS answer that changes in
//! between cannot smuggle a public address in; a host written as an address is checked here
//! before sending. `--allow-callback-host NAME` lifts the restriction for that host name (or
//! address), as written in the URL.
//!
//! Bounds: at most [`CallbackOptions::max_in_flight`] callbacks wait or travel at once (more
//! are dropped and logged), retries at most [`MAX_RETRIES`], each attempt times out
//! ([`CallbackOptions::timeout`]), and at most [`MAX_ANSWER_BODY`] bytes of an answer are read.

use super::calllog::{self, CallLog, CallRecord, OutboundNote};
use crate::callback::Outbound;
use crate::client::{self, Client};
use crate::compile::Mock;
use bytes::Bytes;
use http::header::{HeaderMap, HeaderValue};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The default `--callback-retries`.
pub const DEFAULT_RETRIES: u32 = 2;
/// The most retries `--callback-retries` may ask for.
pub const MAX_RETRIES: u32 = 10;
/// The most of a receiver's answer read (the rest is dropped with the connection).
pub const MAX_ANSWER_BODY: usize = 1024 * 1024;
/// The first pause before a retry; each next one doubles, up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// How callbacks and webhooks are sent.
#[derive(Clone, Debug)]
pub struct CallbackOptions {
    /// Retries after a connection error or a 5xx answer (`--callback-retries`).
    pub retries: u32,
    /// Host names (or address literals) callbacks may go to besides loopback and private
    /// networks (`--allow-callback-host`).
    pub allow_hosts: Vec<String>,
    /// Each attempt's time limit: connecting, sending and reading the answer.
    pub timeout: Duration,
    /// Callbacks waiting (their delay, the answer being written) or being sent at once; more
    /// are not sent, and logged as dropped.
    pub max_in_flight: usize,
    /// Send every webhook here once when the server starts (`--webhook-target`).
    pub webhook_target: Option<String>,
}

impl Default for CallbackOptions {
    fn default() -> Self {
        CallbackOptions {
            retries: DEFAULT_RETRIES,
            allow_hosts: Vec::new(),
            timeout: Duration::from_secs(10),
            max_in_flight: 64,
            webhook_target: None,
        }
    }
}

/// What one server shares to send callbacks: the options and the bound on those in flight.
pub struct Sender {
    options: CallbackOptions,
    /// The shared outbound client, with the target check in its resolver (or why it could not
    /// be made): made when the first callback is sent, so a server that sends none never
    /// loads TLS roots.
    client: std::sync::OnceLock<Result<Client, String>>,
    in_flight: Arc<tokio::sync::Semaphore>,
    log: Arc<CallLog>,
    /// Whether the call log keeps anything (`--log-size 0` turns it off).
    logging: bool,
    /// `--shared`: the other replicas' logs get each record too.
    replicas: Option<Arc<super::shared::Shared>>,
}

/// What became of one request sent.
#[derive(Debug)]
pub struct Delivery {
    pub url: String,
    /// The receiver's status; 0 when nothing answered.
    pub status: u16,
    pub attempts: u32,
    /// Why it was not sent or not answered.
    pub error: Option<String>,
    /// How the answer breaks what the callback documents.
    pub violations: Vec<String>,
    /// The call log's record id (0 when the log is off).
    pub log_id: u64,
}

impl Sender {
    pub fn new(
        options: CallbackOptions,
        log: Arc<CallLog>,
        logging: bool,
        replicas: Option<Arc<super::shared::Shared>>,
    ) -> Sender {
        Sender {
            in_flight: Arc::new(tokio::sync::Semaphore::new(options.max_in_flight.max(1))),
            client: std::sync::OnceLock::new(),
            options,
            log,
            logging,
            replicas,
        }
    }

    pub fn options(&self) -> &CallbackOptions {
        &self.options
    }

    /// Sends `requests` once `written` resolves (the answer that triggered them is written),
    /// each after its delay, in the background. Those over the in-flight bound are logged as
    /// dropped at once.
    pub fn after(
        self: &Arc<Self>,
        mock: Arc<Mock>,
        requests: Vec<Outbound>,
        written: impl std::future::Future<Output = ()> + Send + 'static,
    ) {
        let mut permitted = Vec::with_capacity(requests.len());
        for out in requests {
            match Arc::clone(&self.in_flight).try_acquire_owned() {
                Ok(permit) => permitted.push((out, permit)),
                Err(_) => {
                    let error = format!(
                        "not sent: {} callbacks are in flight already, the most at once",
                        self.options.max_in_flight
                    );
                    self.record(
                        &mock,
                        &out,
                        None,
                        0,
                        Some(error),
                        Vec::new(),
                        Instant::now(),
                    );
                }
            }
        }
        if permitted.is_empty() {
            return;
        }
        let sender = Arc::clone(self);
        tokio::spawn(async move {
            written.await;
            for (out, permit) in permitted {
                let sender = Arc::clone(&sender);
                let mock = Arc::clone(&mock);
                tokio::spawn(async move {
                    if !out.delay.is_zero() {
                        tokio::time::sleep(out.delay).await;
                    }
                    sender.deliver(&mock, &out).await;
                    drop(permit);
                });
            }
        });
    }

    /// Sends one request now (its delay is the caller's), with retries, and logs it.
    pub async fn deliver(&self, mock: &Mock, out: &Outbound) -> Delivery {
        let t0 = Instant::now();
        let url = match &out.url {
            Ok(u) => u.clone(),
            Err(e) => {
                let error = format!("not sent: the URL expression did not resolve: {e}");
                return self.record(mock, out, None, 0, Some(error), Vec::new(), t0);
            }
        };
        let body = match &out.body {
            Ok(b) => b.clone(),
            Err(e) => {
                let error = format!("not sent: no body could be made: {e}");
                return self.record(mock, out, None, 0, Some(error), Vec::new(), t0);
            }
        };
        let uri = match target(&url, &self.options.allow_hosts) {
            Ok(t) => t,
            Err(e) => {
                let error = format!("refused: {e}");
                return self.record(mock, out, None, 0, Some(error), Vec::new(), t0);
            }
        };
        let client = self.client.get_or_init(|| {
            Client::new(&client::Options {
                connect_timeout: self.options.timeout.min(Duration::from_secs(5)),
                timeout: self.options.timeout,
                max_idle_per_host: 4,
                address_check: Some(address_check(self.options.allow_hosts.clone())),
                ..client::Options::default()
            })
        });
        let client = match client {
            Ok(c) => c,
            Err(e) => {
                let error = format!("not sent: no HTTP client: {e}");
                return self.record(mock, out, None, 0, Some(error), Vec::new(), t0);
            }
        };
        let mut attempts = 0;
        let mut backoff = FIRST_BACKOFF;
        let (answer, error) = loop {
            attempts += 1;
            let result = send_once(client, &uri, out, body.clone()).await;
            let retry = match &result {
                Ok(a) => a.status >= 500,
                // The target check refused the host's addresses: no retry changes that.
                Err(e) => e.kind != client::ErrorKind::Denied,
            };
            if !retry || attempts > self.options.retries {
                break match result {
                    Ok(a) => (Some(a), None),
                    Err(e) if e.kind == client::ErrorKind::Denied => {
                        (None, Some(format!("refused: {e}")))
                    }
                    Err(e) => (None, Some(format!("{}: {e}", uri_authority(&uri)))),
                };
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(MAX_BACKOFF);
        };
        let violations = match &answer {
            Some(a) => {
                let compiled = if out.webhook {
                    &mock.webhooks[out.index]
                } else {
                    &mock.callbacks[out.index]
                };
                let content_type = a
                    .headers
                    .get(http::header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok());
                compiled.check_answer(&mock.api.schemas, a.status, content_type, &a.body)
            }
            None => Vec::new(),
        };
        self.record(mock, out, answer.as_ref(), attempts, error, violations, t0)
    }

    /// Logs one outbound request (and a line on the terminal); the [`Delivery`] it was.
    #[allow(clippy::too_many_arguments)]
    fn record(
        &self,
        mock: &Mock,
        out: &Outbound,
        answer: Option<&Answered>,
        attempts: u32,
        error: Option<String>,
        violations: Vec<String>,
        t0: Instant,
    ) -> Delivery {
        let compiled = if out.webhook {
            mock.webhooks.get(out.index)
        } else {
            mock.callbacks.get(out.index)
        };
        let label = compiled.map(|c| Arc::clone(&c.label));
        let url = match &out.url {
            Ok(u) => u.clone(),
            Err(_) => compiled.map(|c| c.expression.clone()).unwrap_or_default(),
        };
        // The query's API keys (those the document declares) are withheld from the log, the
        // log line and the messages, as for requests the mock answers.
        let secrets = &mock.credentials;
        let (path, query) = match url.split_once('?') {
            Some((p, q)) => (
                p.to_string(),
                Some((q, calllog::redact_query(q, &secrets.query))),
            ),
            None => (url.clone(), None),
        };
        let mut error = error;
        let shown = match &query {
            Some((raw, redacted)) => {
                if raw != redacted {
                    error = error.map(|e| e.replace(raw, redacted));
                }
                format!("{path}?{redacted}")
            }
            None => url.clone(),
        };
        let status = answer.map_or(0, |a| a.status);
        tracing::info!(
            direction = "outbound",
            method = out.method.as_str(),
            url = shown.as_str(),
            status,
            attempts,
            error = error.as_deref().unwrap_or(""),
            violations = violations.join("; ").as_str(),
            "{} → {} {} {}",
            label.as_deref().unwrap_or("callback"),
            out.method,
            shown,
            if status == 0 {
                "-".to_string()
            } else {
                status.to_string()
            }
        );
        let mut log_id = 0;
        if self.logging {
            let body = out.body.as_ref().map(|b| b.as_ref()).unwrap_or_default();
            let empty = HeaderMap::new();
            let response_headers = answer.map_or(&empty, |a| &a.headers);
            let response_body = answer.map(|a| a.body.clone()).unwrap_or_default();
            log_id = self.log.next_id();
            let record = CallRecord {
                id: log_id,
                time_ms: std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_millis() as u64)
                    .unwrap_or_default(),
                method: out.method.clone(),
                path,
                query: query.map(|(_, redacted)| redacted),
                headers: calllog::Headers::kept(
                    out.headers.iter().map(|(k, v)| (k, v)),
                    &secrets.headers,
                ),
                body: calllog::request_head(body, self.log.body_limit()),
                body_size: body.len(),
                operation: label,
                matched: None,
                violations: violations.clone(),
                status,
                response_headers: calllog::Headers::kept(response_headers, &secrets.headers),
                response_body: calllog::head(&response_body, self.log.body_limit()),
                response_size: response_body.len(),
                latency_us: t0.elapsed().as_micros() as u64,
                proxy: None,
                outbound: Some(Box::new(OutboundNote {
                    attempts,
                    error: error.clone(),
                })),
            };
            if let Some(replicas) = &self.replicas {
                replicas.call(&record);
            }
            self.log.push(record);
        }
        Delivery {
            url: shown,
            status,
            attempts,
            error,
            violations,
            log_id,
        }
    }
}

/// A receiver's answer.
struct Answered {
    status: u16,
    headers: HeaderMap,
    body: Bytes,
}

/// Whether `url` may be a callback's or a webhook's target, as far as can be told without
/// resolving it (`--webhook-target` is checked at start with this).
pub fn check_target(url: &str, allow_hosts: &[String]) -> Result<(), String> {
    target(url, allow_hosts).map(|_| ())
}

/// Parses `url` and checks what can be checked before sending: an `http://` or `https://`
/// URL with a host; a host written as an address must be allowed (a name is checked by the
/// client's resolver, see [`address_check`]).
fn target(url: &str, allow_hosts: &[String]) -> Result<http::Uri, String> {
    let uri: http::Uri = url
        .parse()
        .map_err(|e| format!("`{}` is not a URL: {e}", printable(url)))?;
    match uri.scheme_str() {
        Some(s) if s.eq_ignore_ascii_case("http") || s.eq_ignore_ascii_case("https") => {}
        Some(other) => {
            return Err(format!(
                "`{}`: only http:// and https:// callback URLs are sent, not {other}://",
                printable(url)
            ))
        }
        None => {
            return Err(format!(
                "`{}` is not an absolute http:// URL",
                printable(url)
            ))
        }
    }
    let Some(host) = uri.host().filter(|h| !h.is_empty()) else {
        return Err(format!("`{}` names no host", printable(url)));
    };
    if uri.authority().is_some_and(|a| a.as_str().contains('@')) {
        return Err(format!(
            "`{}`: credentials in a callback URL are not sent",
            printable(url)
        ));
    }
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        if !allowed_by_name(bare, allow_hosts) && !address_allowed(ip) {
            return Err(refusal(ip, bare, false));
        }
    }
    Ok(uri)
}

/// The rule the client's resolver applies to every name it resolves for callbacks: every
/// address must be allowed, unless `--allow-callback-host` names the host.
pub fn address_check(allow_hosts: Vec<String>) -> client::AddressCheck {
    client::AddressCheck(Arc::new(move |host: &str, addrs: &[SocketAddr]| {
        if allowed_by_name(host, &allow_hosts) {
            return Ok(());
        }
        if addrs.is_empty() {
            return Err(format!("{host} resolves to no address"));
        }
        match addrs.iter().find(|a| !address_allowed(a.ip())) {
            Some(bad) => Err(refusal(bad.ip(), host, true)),
            None => Ok(()),
        }
    }))
}

fn allowed_by_name(host: &str, allow_hosts: &[String]) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    allow_hosts.iter().any(|h| {
        h.trim()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .eq_ignore_ascii_case(bare)
    })
}

fn refusal(ip: IpAddr, host: &str, resolved: bool) -> String {
    let how = if resolved {
        format!(" ({host} resolves to it)")
    } else {
        String::new()
    };
    format!(
        "{ip} is not a loopback or private-network address{how}; callbacks go only there \
         unless --allow-callback-host {host} allows it"
    )
}

/// Loopback or a private network (RFC 1918, unique local IPv6); never link-local, public,
/// unspecified, broadcast or multicast. An IPv4-mapped IPv6 address is judged as the IPv4 one.
pub fn address_allowed(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback() || v4.is_private(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => address_allowed(IpAddr::V4(v4)),
            None => v6.is_loopback() || (v6.segments()[0] & 0xfe00) == 0xfc00,
        },
    }
}

fn uri_authority(uri: &http::Uri) -> String {
    uri.authority().map(|a| a.to_string()).unwrap_or_default()
}

/// One attempt through the shared client: send, read at most [`MAX_ANSWER_BODY`] bytes of the
/// answer (the rest is dropped with the connection), all within the client's timeout.
async fn send_once(
    client: &Client,
    uri: &http::Uri,
    out: &Outbound,
    body: Bytes,
) -> Result<Answered, client::Error> {
    let deadline = tokio::time::Instant::now() + client.timeout();
    let mut request = http::Request::new(client::full(body));
    *request.method_mut() = out.method.clone();
    *request.uri_mut() = uri.clone();
    let headers = request.headers_mut();
    for (k, v) in &out.headers {
        headers.append(k.clone(), v.clone());
    }
    headers.insert(
        http::header::USER_AGENT,
        HeaderValue::from_static(concat!("stubborn/", env!("CARGO_PKG_VERSION"))),
    );
    let response = client.send(request).await?;
    let (parts, body) = response.into_parts();
    let body = match client::read_body(body, MAX_ANSWER_BODY, deadline, client.timeout()).await? {
        client::Read::Whole(bytes) => bytes,
        client::Read::Partial { head, .. } => head.slice(..MAX_ANSWER_BODY.min(head.len())),
    };
    Ok(Answered {
        status: parts.status.as_u16(),
        headers: parts.headers,
        body,
    })
}

/// A value fit to quote in a message: at most 100 characters, no controls.
fn printable(s: &str) -> String {
    s.chars()
        .take(100)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_and_private_addresses_are_allowed() {
        for ok in [
            "127.0.0.1",
            "127.8.9.10",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "::1",
            "fd12:3456::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
        ] {
            assert!(address_allowed(ok.parse().unwrap()), "{ok}");
        }
        for refused in [
            "8.8.8.8",
            "192.0.2.1",
            "172.32.0.1",
            "169.254.169.254",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "fe80::1",
            "::",
            "2001:db8::1",
            "::ffff:8.8.8.8",
            "::ffff:169.254.169.254",
        ] {
            assert!(!address_allowed(refused.parse().unwrap()), "{refused}");
        }
    }

    #[test]
    fn targets_are_checked_before_anything_is_sent() {
        let t = target("http://127.0.0.1:9/hook?x=1", &[]).unwrap();
        assert_eq!(t.path_and_query().unwrap().as_str(), "/hook?x=1");
        assert!(target("http://localhost:9/", &[]).is_ok());
        assert!(target("https://localhost:9/", &[]).is_ok());
        let e = target("http://192.0.2.1/hook", &[]).err().unwrap();
        assert!(
            e.contains("192.0.2.1 is not a loopback or private-network address"),
            "{e}"
        );
        assert!(e.contains("--allow-callback-host 192.0.2.1"), "{e}");
        assert!(target("http://192.0.2.1/hook", &["192.0.2.1".into()]).is_ok());
        assert!(target("http://[::ffff:169.254.169.254]/", &[]).is_err());
        assert!(target("http://u:p@127.0.0.1/", &[]).is_err());
        assert!(target("ftp://127.0.0.1/", &[]).is_err());
        assert!(target("/relative", &[]).is_err());
        assert!(target("not a url", &[]).is_err());
    }

    #[test]
    fn every_resolved_address_must_pass() {
        let check = address_check(vec!["api.example.test".into()]);
        let addr = |s: &str| -> SocketAddr { format!("{s}:0").parse().unwrap() };
        assert!((check.0)("localhost", &[addr("127.0.0.1"), addr("[::1]")]).is_ok());
        // One public address among private ones (a rebinding DNS answer) refuses the host.
        let e = (check.0)("evil.test", &[addr("10.0.0.1"), addr("203.0.113.9")]).unwrap_err();
        assert!(
            e.contains("203.0.113.9 is not a loopback or private-network address (evil.test resolves to it)"),
            "{e}"
        );
        assert!((check.0)("nothing.test", &[]).is_err());
        // Allowed by name, whatever it resolves to.
        assert!((check.0)("API.example.test", &[addr("203.0.113.9")]).is_ok());
    }
}

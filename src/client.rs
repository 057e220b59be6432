//! The one outbound HTTP client: `stubborn record` and `stubborn proxy` forward through it, and
//! anything else that sends a request out (callbacks) uses it too. It is hyper-util's pooled
//! client over rustls (the ring provider), so the library needs no other HTTP stack.
//!
//! What it holds to, whoever calls it:
//! - **TLS**: `https://` with the platform's roots and webpki's, plus a private CA
//!   ([`Options::ca_file`]); [`Options::insecure`] skips verification (the caller warns).
//! - **Time**: a connect timeout, and a timeout for the whole exchange: [`Client::send`] gets
//!   the response head within it, [`Client::fetch`] the head and the body, and
//!   [`read_body`] takes the deadline [`Client::send`]'s caller keeps for the rest.
//! - **Memory**: a bounded pool of idle connections per host, and bodies read up to a limit:
//!   [`Client::fetch`] fails past it, [`read_body`] hands back what it read and the rest of the
//!   body still unread, to be streamed on ([`stream_on`]).
//! - **Redirects** are not followed: a proxy passes them on.
//!
//! ```no_run
//! # async fn f() -> Result<(), Box<dyn std::error::Error>> {
//! use stubborn::client::{self, Client, Options};
//! let client = Client::new(&Options::default())?;
//! let request = http::Request::post("https://example.com/hooks")
//!     .header("content-type", "application/json")
//!     .body(client::full(r#"{"event":"paid"}"#))?;
//! let response = client.fetch(request, 1024 * 1024).await?;
//! println!("{}", response.status());
//! # Ok(()) }
//! ```

use bytes::{Bytes, BytesMut};
use http_body_util::{combinators::BoxBody, BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// An error from a body, boxed (what hyper's bodies carry).
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A request or response body as the client sends it: whole bytes, or a stream (a body
/// passed through as it arrives).
pub type Body = BoxBody<Bytes, BoxError>;

/// A body of these bytes.
pub fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into())
        .map_err(|never| match never {})
        .boxed()
}

/// No body.
pub fn empty() -> Body {
    full(Bytes::new())
}

/// How the client connects. [`Options::default`] is what `record` and `proxy` use unless
/// flags say otherwise.
#[derive(Clone, Debug)]
pub struct Options {
    /// Time to open a TCP connection (TLS handshake not included).
    pub connect_timeout: Duration,
    /// Time for a whole exchange: connect, send, and the response head ([`Client::send`]) or
    /// head and body ([`Client::fetch`]).
    pub timeout: Duration,
    /// Idle connections kept per host (the pool's bound); more are closed when released.
    pub max_idle_per_host: usize,
    /// An idle pooled connection is closed after this long.
    pub idle_timeout: Duration,
    /// A PEM file of extra root certificates (a private CA), trusted besides the usual roots.
    pub ca_file: Option<PathBuf>,
    /// Accept any server certificate. For development against self-signed upstreams only.
    pub insecure: bool,
    /// A rule the addresses a host name resolves to must pass before anything connects
    /// (callbacks: loopback and private networks only). The connection then goes to those
    /// very addresses: the name is not resolved again, so a DNS answer that changes in
    /// between cannot slip another address in. A refusal fails with [`ErrorKind::Denied`].
    /// Hosts written as IP addresses are not resolved, so not seen here: check them before
    /// sending.
    pub address_check: Option<AddressCheck>,
}

/// See [`Options::address_check`]: given the host name and every address it resolved to,
/// `Err(why)` refuses the connection.
#[derive(Clone)]
pub struct AddressCheck(pub Arc<AddressRule>);

/// The function an [`AddressCheck`] holds.
pub type AddressRule = dyn Fn(&str, &[std::net::SocketAddr]) -> Result<(), String> + Send + Sync;

impl std::fmt::Debug for AddressCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AddressCheck(..)")
    }
}

/// The client's resolver: the system's (through tokio, on its blocking pool, as hyper-util's
/// own resolver does), then [`Options::address_check`] over what it found.
#[derive(Clone)]
struct Resolver {
    check: Option<AddressCheck>,
}

impl tower_service::Service<hyper_util::client::legacy::connect::dns::Name> for Resolver {
    type Response = std::vec::IntoIter<std::net::SocketAddr>;
    type Error = std::io::Error;
    type Future = std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<Self::Response, Self::Error>> + Send>,
    >;

    fn poll_ready(
        &mut self,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, name: hyper_util::client::legacy::connect::dns::Name) -> Self::Future {
        let check = self.check.clone();
        Box::pin(async move {
            let host = name.as_str().to_string();
            // The port is set by the connector afterwards.
            let addrs: Vec<std::net::SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if let Some(check) = check {
                (check.0)(&host, &addrs).map_err(|why| {
                    std::io::Error::new(std::io::ErrorKind::PermissionDenied, Denied(why))
                })?;
            }
            Ok(addrs.into_iter())
        })
    }
}

/// A refusal by [`Options::address_check`], recognised in an error's causes.
#[derive(Debug)]
struct Denied(String);

impl std::fmt::Display for Denied {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Denied {}

/// The default whole-exchange timeout: 30 seconds.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

impl Default for Options {
    fn default() -> Self {
        Options {
            connect_timeout: Duration::from_secs(10),
            timeout: DEFAULT_TIMEOUT,
            max_idle_per_host: 256,
            idle_timeout: Duration::from_secs(60),
            ca_file: None,
            insecure: false,
            address_check: None,
        }
    }
}

/// Why an exchange failed, in the terms its callers act on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// Nothing listens at the address (the upstream is down).
    Refused,
    /// Any other failure to connect: DNS, unreachable, connect timeout, TLS handshake.
    Connect,
    /// The exchange took longer than [`Options::timeout`].
    Timeout,
    /// The body is longer than the limit the caller gave.
    TooLarge,
    /// The connection failed after it was made (reset, malformed response).
    Other,
    /// [`Options::address_check`] refused the addresses the host resolved to; the message is
    /// its reason alone.
    Denied,
}

/// A failed exchange: its kind and a message naming the cause chain.
#[derive(Debug)]
pub struct Error {
    pub kind: ErrorKind,
    message: String,
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl Error {
    fn timeout(limit: Duration) -> Error {
        Error {
            kind: ErrorKind::Timeout,
            message: format!("not complete within {}", human(limit)),
        }
    }

    fn too_large(limit: usize) -> Error {
        Error {
            kind: ErrorKind::TooLarge,
            message: format!("the body is larger than {limit} bytes"),
        }
    }

    /// An error with its whole `source` chain in the message, classified.
    fn from_cause(e: &(dyn std::error::Error + 'static), connect: bool) -> Error {
        let mut message = e.to_string();
        let mut refused = false;
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
        while let Some(s) = source {
            // An io::Error's source skips the error it wraps: look inside it too.
            let denied = s.downcast_ref::<Denied>().or_else(|| {
                s.downcast_ref::<std::io::Error>()
                    .and_then(|io| io.get_ref())
                    .and_then(|inner| inner.downcast_ref::<Denied>())
            });
            if let Some(denied) = denied {
                return Error {
                    kind: ErrorKind::Denied,
                    message: denied.0.clone(),
                };
            }
            if let Some(io) = s.downcast_ref::<std::io::Error>() {
                refused |= io.kind() == std::io::ErrorKind::ConnectionRefused;
            }
            if !std::ptr::eq(s, e) {
                message.push_str(": ");
                message.push_str(&s.to_string());
            }
            source = s.source();
        }
        let kind = if refused {
            ErrorKind::Refused
        } else if connect {
            ErrorKind::Connect
        } else {
            ErrorKind::Other
        };
        Error { kind, message }
    }
}

/// `1.5 s`, `30 s`, `250 ms`.
fn human(d: Duration) -> String {
    if d.as_millis() < 1000 {
        format!("{} ms", d.as_millis())
    } else if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

/// The pooled client. Cheap to clone: clones share the pool.
#[derive(Clone)]
pub struct Client {
    inner: hyper_util::client::legacy::Client<
        hyper_rustls::HttpsConnector<HttpConnector<Resolver>>,
        Body,
    >,
    timeout: Duration,
}

impl Client {
    /// A client with `options`; fails when the CA file cannot be read or holds no certificate.
    pub fn new(options: &Options) -> Result<Client, String> {
        let tls = tls_config(options)?;
        let mut http = HttpConnector::new_with_resolver(Resolver {
            check: options.address_check.clone(),
        });
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(options.connect_timeout));
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .enable_http2()
            .wrap_connector(http);
        let inner =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .pool_max_idle_per_host(options.max_idle_per_host)
                .pool_idle_timeout(options.idle_timeout)
                .pool_timer(hyper_util::rt::TokioTimer::new())
                .timer(hyper_util::rt::TokioTimer::new())
                .build(https);
        Ok(Client {
            inner,
            timeout: options.timeout,
        })
    }

    /// The whole-exchange timeout ([`Options::timeout`]).
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Sends `request` (an absolute URI: `http://` or `https://`) and returns the response
    /// head with its body unread, within the timeout. The caller reads the body with
    /// [`read_body`], by the deadline it keeps (`start + client.timeout()`).
    pub async fn send(
        &self,
        request: http::Request<Body>,
    ) -> Result<http::Response<hyper::body::Incoming>, Error> {
        match tokio::time::timeout(self.timeout, self.inner.request(request)).await {
            Err(_) => Err(Error::timeout(self.timeout)),
            Ok(Err(e)) => Err(Error::from_cause(&e, e.is_connect())),
            Ok(Ok(response)) => Ok(response),
        }
    }

    /// Sends `request` and reads the whole answer, within the timeout; a body longer than
    /// `limit` bytes fails with [`ErrorKind::TooLarge`] as soon as it goes past it.
    pub async fn fetch(
        &self,
        request: http::Request<Body>,
        limit: usize,
    ) -> Result<http::Response<Bytes>, Error> {
        let deadline = tokio::time::Instant::now() + self.timeout;
        let response = self.send(request).await?;
        let (parts, body) = response.into_parts();
        match read_body(body, limit, deadline, self.timeout).await? {
            Read::Whole(bytes) => Ok(http::Response::from_parts(parts, bytes)),
            Read::Partial { .. } => Err(Error::too_large(limit)),
        }
    }
}

/// A body read up to a limit.
pub enum Read<B> {
    /// The whole body, no longer than the limit.
    Whole(Bytes),
    /// The body goes on past the limit: `head` holds what was read (a little more than the
    /// limit), `rest` the body still unread. [`stream_on`] sends both on.
    Partial { head: Bytes, rest: B },
}

/// Reads `body` until it ends or holds more than `limit` bytes, by `deadline` (`timeout` is
/// only for the message); a request's or a response's body alike.
pub async fn read_body<B>(
    mut body: B,
    limit: usize,
    deadline: tokio::time::Instant,
    timeout: Duration,
) -> Result<Read<B>, Error>
where
    B: http_body::Body<Data = Bytes> + Unpin,
    B::Error: Into<BoxError>,
{
    let mut buffered = BytesMut::new();
    loop {
        let frame = match tokio::time::timeout_at(deadline, body.frame()).await {
            Err(_) => return Err(Error::timeout(timeout)),
            Ok(None) => return Ok(Read::Whole(buffered.freeze())),
            Ok(Some(Err(e))) => {
                let e: BoxError = e.into();
                return Err(Error::from_cause(e.as_ref(), false));
            }
            Ok(Some(Ok(frame))) => frame,
        };
        // Trailers are dropped: nothing here forwards them.
        if let Ok(data) = frame.into_data() {
            buffered.extend_from_slice(&data);
        }
        if buffered.len() > limit {
            return Ok(Read::Partial {
                head: buffered.freeze(),
                rest: body,
            });
        }
    }
}

/// `head` and then the rest of a body, as one body that streams: nothing past `head` is held.
pub fn stream_on<B>(head: Bytes, rest: B) -> Body
where
    B: http_body::Body<Data = Bytes> + Send + Sync + 'static,
    B::Error: Into<BoxError>,
{
    use futures_util::StreamExt;
    let first = futures_util::stream::once(async move { Ok(http_body::Frame::data(head)) });
    let rest = http_body_util::BodyStream::new(rest.map_err(Into::into));
    BodyExt::boxed(http_body_util::StreamBody::new(first.chain(rest)))
}

/// The TLS settings: ring's algorithms; the platform's roots, webpki's and the CA file's; or
/// no verification at all with `insecure`.
fn tls_config(options: &Options) -> Result<rustls::ClientConfig, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("cannot set up TLS: {e}"))?;
    // ALPN (h2, http/1.1) is set by hyper-rustls from the versions enabled.
    let config = if options.insecure {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(NoVerification(provider)))
            .with_no_client_auth()
    } else {
        builder
            .with_root_certificates(roots(options.ca_file.as_deref())?)
            .with_no_client_auth()
    };
    Ok(config)
}

/// webpki's roots, the platform's (those that load; none is fine), and the CA file's.
fn roots(ca_file: Option<&std::path::Path>) -> Result<rustls::RootCertStore, String> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let native = rustls_native_certs::load_native_certs();
    roots.add_parsable_certificates(native.certs);
    if let Some(path) = ca_file {
        use rustls::pki_types::{pem::PemObject, CertificateDer};
        let certs = CertificateDer::pem_file_iter(path)
            .map_err(|e| format!("--upstream-ca {}: {e}", path.display()))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("--upstream-ca {}: {e}", path.display()))?;
        if certs.is_empty() {
            return Err(format!(
                "--upstream-ca {}: no PEM certificate (-----BEGIN CERTIFICATE-----) in the file",
                path.display()
            ));
        }
        for cert in certs {
            roots.add(cert).map_err(|e| {
                format!(
                    "--upstream-ca {}: a certificate is not usable as a root: {e}",
                    path.display()
                )
            })?;
        }
    }
    Ok(roots)
}

/// `--insecure`: every certificate is accepted, but handshake signatures are still checked
/// (with the provider's algorithms), so the connection is at least consistent.
#[derive(Debug)]
struct NoVerification(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for NoVerification {
    fn verify_server_cert(
        &self,
        _end_entity: &rustls::pki_types::CertificateDer<'_>,
        _intermediates: &[rustls::pki_types::CertificateDer<'_>],
        _server_name: &rustls::pki_types::ServerName<'_>,
        _ocsp_response: &[u8],
        _now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// An upstream's base URL, checked: `http` or `https`, a host, no query or fragment. The path
/// (`/api`, without a trailing slash; empty for the root) is prefixed to forwarded paths.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaseUrl {
    pub scheme: http::uri::Scheme,
    pub authority: http::uri::Authority,
    pub path: String,
}

impl BaseUrl {
    /// Parses a base URL; `what` names it in messages (`--upstream`).
    pub fn parse(raw: &str, what: &str) -> Result<BaseUrl, String> {
        let raw = raw.trim();
        let expected = "expected one like http://localhost:8080 or https://api.example.com/v1";
        if raw.contains('#') {
            return Err(format!("{what} {raw}: the URL must not have a fragment"));
        }
        let uri: http::Uri = raw
            .parse()
            .map_err(|e| format!("{what} {raw}: not a URL ({e}); {expected}"))?;
        let scheme = match uri.scheme_str() {
            Some(s) if s.eq_ignore_ascii_case("http") => http::uri::Scheme::HTTP,
            Some(s) if s.eq_ignore_ascii_case("https") => http::uri::Scheme::HTTPS,
            Some(other) => {
                return Err(format!(
                    "{what} {raw}: expected an http:// or https:// URL, found the scheme {other}"
                ))
            }
            None => return Err(format!("{what} {raw}: not an absolute URL; {expected}")),
        };
        let authority = match uri.authority() {
            Some(a) if !a.host().is_empty() => a.clone(),
            _ => return Err(format!("{what} {raw}: the URL has no host")),
        };
        if authority.as_str().contains('@') {
            return Err(format!(
                "{what} {raw}: credentials in the URL are not supported; send them as headers"
            ));
        }
        if uri.query().is_some() {
            return Err(format!("{what} {raw}: the URL must not have a query"));
        }
        Ok(BaseUrl {
            scheme,
            authority,
            path: uri.path().trim_end_matches('/').to_string(),
        })
    }

    /// The absolute URI of `path_and_query` (starting with `/`) under this base.
    pub fn join(&self, path_and_query: &str) -> Result<http::Uri, String> {
        let pq = if path_and_query.starts_with('/') {
            format!("{}{path_and_query}", self.path)
        } else {
            format!("{}/{path_and_query}", self.path)
        };
        http::Uri::builder()
            .scheme(self.scheme.clone())
            .authority(self.authority.clone())
            .path_and_query(pq.as_str())
            .build()
            .map_err(|e| format!("cannot forward to {self}{pq}: {e}"))
    }
}

impl std::fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}://{}{}", self.scheme, self.authority, self.path)
    }
}

/// Headers that belong to one connection, never forwarded (RFC 9110 §7.6.1).
pub const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

/// `headers` without the hop-by-hop ones, those the `Connection` header names, and `also`
/// (lowercase names).
pub fn end_to_end(headers: &http::HeaderMap, also: &[&str]) -> http::HeaderMap {
    let named: Vec<String> = headers
        .get_all(http::header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|s| s.trim().to_ascii_lowercase())
        .filter(|s| !s.is_empty())
        .collect();
    let mut out = http::HeaderMap::with_capacity(headers.len());
    for (name, value) in headers {
        let n = name.as_str();
        if HOP_BY_HOP.contains(&n) || also.contains(&n) || named.iter().any(|x| x == n) {
            continue;
        }
        out.append(name.clone(), value.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_checked() {
        let b = BaseUrl::parse("http://localhost:8080/", "--upstream").unwrap();
        assert_eq!(b.to_string(), "http://localhost:8080");
        let b = BaseUrl::parse("https://a.io/api/", "--upstream").unwrap();
        assert_eq!(b.path, "/api");
        assert_eq!(
            b.join("/pets?limit=2").unwrap().to_string(),
            "https://a.io/api/pets?limit=2"
        );
        for bad in [
            "localhost:8080",
            "",
            "http://a.io/?x=1",
            "http://a.io/#top",
            "ftp://a.io",
            "/relative",
            "http://user:pw@a.io",
        ] {
            assert!(BaseUrl::parse(bad, "--upstream").is_err(), "{bad}");
        }
    }

    #[test]
    fn hop_by_hop_headers_are_dropped() {
        let mut h = http::HeaderMap::new();
        h.insert("connection", "close, x-private".parse().unwrap());
        h.insert("x-private", "1".parse().unwrap());
        h.insert("keep-alive", "5".parse().unwrap());
        h.insert("x-kept", "yes".parse().unwrap());
        h.insert("host", "a".parse().unwrap());
        let out = end_to_end(&h, &["host"]);
        assert_eq!(out.len(), 1);
        assert!(out.contains_key("x-kept"));
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(human(Duration::from_millis(250)), "250 ms");
        assert_eq!(human(Duration::from_secs(30)), "30 s");
        assert_eq!(human(Duration::from_millis(1500)), "1.5 s");
    }

    #[test]
    fn a_missing_ca_file_is_an_error() {
        let options = Options {
            ca_file: Some("/nonexistent/ca.pem".into()),
            ..Options::default()
        };
        assert!(Client::new(&options)
            .err()
            .unwrap()
            .contains("/nonexistent/ca.pem"));
    }
}

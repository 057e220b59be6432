//! The HTTP layer: hyper's connections in, [`crate::runtime`]'s answers out. It owns ports,
//! connection bounds, the admin API, the private key, CORS, the call log and shutdown, not
//! mocking rules. Every request goes to [`Served::answer`], which hands mock requests to
//! [`handle`].

use crate::compile::Mock;
use crate::model::Method;
use crate::proxy::{self, Decision, Proxy, RequestBody};
use crate::respond::choose::Fault;
use crate::respond::problem::Problem;
use crate::route::Routed;
use crate::runtime::{self, Answer, Request};
use crate::validate::Violation;
use bytes::Bytes;
use http::header::{self, HeaderMap, HeaderValue};
use sha2::Digest;
use std::future::Future;
use std::sync::Arc;

pub mod admin;
pub mod calllog;
mod head;
pub mod logline;
pub mod outbound;
pub mod reload;
pub mod shared;
pub mod state;
pub mod stubs;
mod watchdog;

/// Server-wide switches that are about HTTP, not mocking.
#[derive(Clone, Debug)]
pub struct HttpOptions {
    /// Answer CORS preflights and add `Access-Control-Allow-Origin` to mock answers.
    pub cors: bool,
    /// `--cors-origin`: the origins mock answers allow; empty allows any (echoed, with
    /// credentials). The admin API allows none.
    pub cors_origins: Vec<String>,
    /// `--allowed-host`: names besides `localhost`, `127.0.0.1` and `[::1]` that the admin API
    /// answers under when the server is bound to a loopback address.
    pub allowed_hosts: Vec<String>,
    /// Bodies larger than this get 413, without being read whole.
    pub max_body: usize,
    /// A private mock: every request must carry `x-api-key: KEY`.
    pub api_key: Option<String>,
    /// The call log's bounds: at most this many requests...
    pub log_count: usize,
    /// ...and about this many bytes.
    pub log_bytes: usize,
    /// Connections served at once; more are closed as soon as they are accepted.
    pub max_connections: usize,
    /// A client has this long to send a request's head (slow-loris guard).
    pub header_timeout: std::time::Duration,
    /// How callbacks and webhooks are sent: retries, allowed hosts, bounds.
    pub callbacks: outbound::CallbackOptions,
    /// Stateful mode's store (memory, `--state-file`, Redis), seeded by whoever made it. A
    /// mock with stateful resources and no store here gets a seeded memory store.
    pub state: Option<Arc<crate::state::Store>>,
    /// `--shared`: the link through which replicas share their call logs and stubs (see
    /// [`shared`]), connected before the server says it listens.
    pub shared: Option<Arc<shared::Shared>>,
    /// The line each answered request gets (a `tracing` event unless the program says).
    pub request_log: logline::RequestLog,
    /// How much of each request and response body the call log keeps
    /// ([`calllog::BODY_LIMIT`] for the command line; the library keeps whole bodies).
    pub log_body_limit: usize,
}

/// How much of an oversized body is read and discarded before answering 413.
const DRAIN_LIMIT: usize = 1024 * 1024;

/// The default `--max-body`: 10 MB.
pub const DEFAULT_MAX_BODY: usize = 10 * 1024 * 1024;

/// The longest request target (path and query) answered; longer ones get 414.
pub const MAX_URI: usize = 8 * 1024;

/// The most header bytes (names and values) a request may carry; more get 431.
pub const MAX_HEADERS: usize = 64 * 1024;

/// The default `--max-connections`.
pub const DEFAULT_MAX_CONNECTIONS: usize = 10_000;

/// The default `--header-timeout`: 30 seconds.
pub const DEFAULT_HEADER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            cors: true,
            cors_origins: Vec::new(),
            allowed_hosts: Vec::new(),
            max_body: DEFAULT_MAX_BODY,
            api_key: None,
            log_count: 1000,
            log_bytes: 8 * 1024 * 1024,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            header_timeout: DEFAULT_HEADER_TIMEOUT,
            callbacks: outbound::CallbackOptions::default(),
            state: None,
            shared: None,
            request_log: logline::RequestLog::Tracing,
            log_body_limit: calllog::BODY_LIMIT,
        }
    }
}

/// Serves `shared`'s current mock on an already-bound listener until `shutdown` resolves;
/// requests in flight finish before this returns. Each request answers with the version that
/// was current when it started (see [`reload::SharedMock`]).
pub async fn serve(
    shared: Arc<reload::SharedMock>,
    http: HttpOptions,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    Server::new(shared, http).run(listener, shutdown).await;
}

/// [`serve`] as a contract proxy (`stubborn proxy`): requests that are not the admin API's go
/// through [`Proxy::decide`]; the mock answers what the proxy hands back to it.
pub async fn serve_proxy(
    shared: Arc<reload::SharedMock>,
    http: HttpOptions,
    proxy: Arc<Proxy>,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    Server::new(shared, http)
        .with_proxy(proxy)
        .run(listener, shutdown)
        .await;
}

/// A server before it runs: the mock it serves and the stores its requests fill (the call log
/// and the runtime stubs), which whoever starts it may keep handles to (the library's
/// `MockServer` reads the log and adds stubs without going through HTTP).
pub struct Server {
    shared: Arc<reload::SharedMock>,
    http: HttpOptions,
    log: Arc<calllog::CallLog>,
    stubs: Arc<stubs::Stubs>,
    /// `stubborn proxy`: forward to the upstream, the mock as the fallback.
    proxy: Option<Arc<Proxy>>,
}

impl Server {
    /// A server for `shared` with a fresh call log (bounded as `http` says) and no stubs.
    pub fn new(shared: Arc<reload::SharedMock>, http: HttpOptions) -> Server {
        let log = calllog::CallLog::new(http.log_count, http.log_bytes)
            .with_body_limit(http.log_body_limit);
        Server {
            shared,
            log: Arc::new(log),
            stubs: Arc::new(stubs::Stubs::default()),
            http,
            proxy: None,
        }
    }

    /// The server as a contract proxy: requests that are not the admin API's go through
    /// [`Proxy::decide`].
    pub fn with_proxy(mut self, proxy: Arc<Proxy>) -> Server {
        self.proxy = Some(proxy);
        self
    }

    /// Stateful mode's store, made by whoever starts the server (`--state-file`, Redis);
    /// without one, a mock with stateful resources gets a seeded memory store.
    pub fn with_state(mut self, store: Option<Arc<crate::state::Store>>) -> Server {
        self.http.state = store;
        self
    }

    /// `--shared`: the link through which replicas share their call logs and stubs.
    pub fn with_replicas(mut self, link: Option<Arc<shared::Shared>>) -> Server {
        self.http.shared = link;
        self
    }

    /// The call log its requests are recorded in.
    pub fn log(&self) -> &Arc<calllog::CallLog> {
        &self.log
    }

    /// The runtime stubs answered before the document.
    pub fn stubs(&self) -> &Arc<stubs::Stubs> {
        &self.stubs
    }

    /// Serves on an already-bound listener until `shutdown` resolves; requests in flight
    /// finish before this returns.
    pub async fn run(
        self,
        listener: tokio::net::TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) {
        let Server {
            shared,
            http,
            log,
            stubs,
            proxy,
        } = self;
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        // The Host check guards against DNS rebinding, which only reaches a server on loopback;
        // bound to another address, the server is meant to be reached by other names.
        let loopback = listener
            .local_addr()
            .map(|a| a.ip().is_loopback())
            .unwrap_or(true);
        let limits = Limits {
            max_connections: http.max_connections.max(1),
            header_timeout: http.header_timeout,
        };
        let state = match &http.state {
            Some(store) => Some(Arc::clone(store)),
            None => {
                let mock = shared.current();
                match &mock.resources {
                    Some(_) => {
                        let store = crate::state::Store::memory(crate::state::Limits::default());
                        if let Err(e) = store.seed_once(&state::initial(&mock)).await {
                            eprintln!("warning: the stateful store was not seeded: {}", e.detail);
                        }
                        Some(Arc::new(store))
                    }
                    None => None,
                }
            }
        };
        let sender = Arc::new(outbound::Sender::new(
            http.callbacks.clone(),
            Arc::clone(&log),
            http.log_count > 0,
            http.shared.clone(),
        ));
        if let Some(target) = http.callbacks.webhook_target.clone() {
            send_every_webhook(Arc::clone(&sender), shared.current(), target);
        }
        let replicas = http.shared.clone();
        if let Some(link) = &replicas {
            link.attach(Arc::clone(&log), Arc::clone(&stubs));
        }
        let served = Arc::new(Served {
            state,
            log,
            sender,
            stubs,
            replicas,
            key: http.api_key.as_deref().map(ApiKey::new),
            loopback,
            stop: stop_rx,
            open_streams: Arc::new(std::sync::atomic::AtomicUsize::new(0)),
            started: std::time::Instant::now(),
            shared,
            http,
            proxy,
        });
        // Live streams end when the server stops, so a graceful shutdown is not held up forever
        // by a dashboard that is still listening.
        let shutdown = async move {
            shutdown.await;
            let _ = stop_tx.send(true);
        };
        run(served, listener, limits, shutdown).await;
    }
}

/// What every request of one server shares: the mock, the switches, the call log and stubs.
struct Served {
    /// The version of the mock each new request starts with.
    shared: Arc<reload::SharedMock>,
    http: HttpOptions,
    /// Sends callbacks and webhooks, and logs them.
    sender: Arc<outbound::Sender>,
    /// The private mock's key, as a digest (see [`ApiKey`]).
    key: Option<ApiKey>,
    /// Bound to a loopback address: the admin API checks `Host`.
    loopback: bool,
    log: Arc<calllog::CallLog>,
    stubs: Arc<stubs::Stubs>,
    /// `--shared`: the other replicas' calls and stubs come in, ours go out.
    replicas: Option<Arc<shared::Shared>>,
    /// Stateful mode's store, when the mock has resources.
    state: Option<Arc<crate::state::Store>>,
    /// Turns true when the server stops; live streams watch it.
    stop: tokio::sync::watch::Receiver<bool>,
    /// Streaming answers being sent right now (`openStreams` in the health answer).
    open_streams: Arc<std::sync::atomic::AtomicUsize>,
    started: std::time::Instant,
    /// `stubborn proxy`: forward to the upstream, the mock as the fallback.
    proxy: Option<Arc<Proxy>>,
}

/// What a connection's requests share: the server, and the version of the mock the connection
/// last saw. A request holds its connection's `Arc`, which only that connection's task touches,
/// instead of cloning the server's and the mock's, which every request on every worker thread
/// would write (a cache line passed between cores at each request).
struct Connection {
    served: Arc<Served>,
    mock: Arc<Mock>,
    version: u64,
}

impl Connection {
    fn new(served: &Arc<Served>) -> Connection {
        let (version, mock) = served.shared.latest();
        Connection {
            served: Arc::clone(served),
            mock,
            version,
        }
    }

    /// The connection's state for its next request, renewed when the mock was reloaded
    /// (`--watch`); requests in flight keep the version they started with. The lock is the
    /// connection's own.
    fn current(held: &std::sync::Mutex<Arc<Connection>>) -> Arc<Connection> {
        let mut conn = held.lock().unwrap_or_else(|e| e.into_inner());
        if conn.version != conn.served.shared.version() {
            *conn = Arc::new(Connection::new(&conn.served));
        }
        Arc::clone(&conn)
    }
}

/// The client's address, put in each request's extensions by the accept loop.
#[derive(Clone, Copy)]
struct Peer(std::net::IpAddr);

impl Served {
    /// One request: the admin API's guards, the private mock's key, the body, then the admin
    /// API, runtime stubs or the mock; the call log; the delay; CORS.
    async fn answer(
        &self,
        mock: &Arc<Mock>,
        parts: http::request::Parts,
        body: hyper::body::Incoming,
    ) -> Response {
        let method = &parts.method;
        let headers = &parts.headers;
        let path = parts.uri.path();
        let query = parts.uri.query();
        let t0 = std::time::Instant::now();
        let admin = is_admin(path);
        if admin {
            if let Some(refused) = self.admin_guard(method, headers) {
                return to_response(refused);
            }
        }
        // A browser's CORS preflight never carries the key; without a pass the real request
        // would never be sent. The preflight reveals nothing of the mock.
        let preflight = !admin
            && method == http::Method::OPTIONS
            && headers.contains_key(header::ORIGIN)
            && headers.contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
        if !preflight {
            let dashboard =
                method == http::Method::GET && matches!(path, "/__stubborn" | "/__stubborn/");
            let url_key = if dashboard { query_key(query) } else { None };
            if let Some(denied) = self.check_key(headers, url_key.as_deref()) {
                return self.finish(denied, admin, headers);
            }
        }
        if let (Some(proxy), false) = (&self.proxy, admin) {
            // A CORS preflight is the CORS layer's to answer, as for the mock.
            if !(preflight && self.http.cors) {
                return Box::pin(self.proxied(proxy, Arc::clone(mock), &parts, body, t0)).await;
            }
        }
        let body = match read_body(headers, body, self.http.max_body).await {
            Ok(b) => b,
            Err(answer) => return self.finish(answer, admin, headers),
        };
        if admin {
            if path == "/__stubborn/requests/stream" && method == http::Method::GET {
                return live_stream(&self.log, self.stop.clone());
            }
            let rest = path.strip_prefix(admin::PREFIX).unwrap_or_default();
            if method == http::Method::POST {
                if let Some(name) = rest.strip_prefix("/webhooks/") {
                    let answer = Box::pin(self.send_webhook(mock, name, &body)).await;
                    return to_response(answer);
                }
            }
            if let Some(tail) = rest.strip_prefix("/state") {
                if tail.is_empty() || tail.starts_with('/') {
                    let store = self.state.as_deref();
                    return to_response(
                        Box::pin(state::admin(mock, store, method, tail, &body)).await,
                    );
                }
            }
            if let (Some(store), true) = (
                &self.state,
                rest == "/reset" && method == http::Method::POST,
            ) {
                if let Err(refused) = Box::pin(state::reset(mock, store)).await {
                    return to_response(refused);
                }
            }
            let state = admin::Admin {
                mock,
                log: &self.log,
                stubs: &self.stubs,
                uptime_secs: self.started.elapsed().as_secs(),
                open_streams: self.open_streams.load(std::sync::atomic::Ordering::Relaxed),
            };
            let answer = admin::handle(&state, method, rest, query, &body);
            if let Some(replicas) = &self.replicas {
                replicas.after_admin(method, rest, answer.status, &self.stubs);
            }
            return to_response(answer);
        }
        let answer = self
            .mock_answer(mock, method, path, query, headers, &body, true)
            .await;
        self.reply(mock, answer, &parts, &body, t0, None, None)
            .await
    }

    /// An answer on its way out: the log line, the call log, the delay, CORS, a streamed body
    /// (the mock's items, or the upstream's body passed through).
    #[allow(clippy::too_many_arguments)]
    async fn reply(
        &self,
        mock: &Arc<Mock>,
        answer: Answer,
        parts: &http::request::Parts,
        body: &Bytes,
        t0: std::time::Instant,
        note: Option<calllog::ProxyNote>,
        upstream: Option<crate::client::Body>,
    ) -> Response {
        let (method, headers) = (&parts.method, &parts.headers);
        let (path, query) = (parts.uri.path(), parts.uri.query());
        // One reading of the clock for the log line and the call log.
        let latency = t0.elapsed();
        log_line(
            &self.http.request_log,
            method,
            path,
            &answer,
            latency,
            note.as_ref(),
        );
        if self.http.log_count > 0 {
            let mut record = Box::new(record(
                &self.log, mock, method, path, query, headers, body, &answer, latency,
            ));
            record.proxy = note.map(Box::new);
            if let Some(replicas) = &self.replicas {
                replicas.call(&record);
            }
            self.log.push(record);
        }
        // Simulated latency: a timer, so other requests go on meanwhile.
        if let Some(delay) = answer.delay {
            Box::pin(tokio::time::sleep(delay)).await;
        }
        let mut answer = answer;
        let stream = answer.stream.take();
        let callbacks = std::mem::take(&mut answer.callbacks);
        let mut response = self.finish(answer, false, headers);
        if let Some(spec) = stream {
            *response.body_mut() = stream_body(
                Arc::clone(mock),
                spec,
                StreamGuard::open(&self.open_streams),
                self.stop.clone(),
            );
        }
        if let Some(passed) = upstream {
            use http_body_util::BodyExt;
            *response.body_mut() = Body::Stream(passed.map_err(|e| Broken(e.to_string())).boxed());
        }
        if !callbacks.is_empty() {
            // The callbacks leave once hyper is done with this answer's body (it drops the
            // body when the last byte is handed to the connection, or when the client goes).
            let (done, written) = tokio::sync::oneshot::channel::<()>();
            let body = std::mem::replace(response.body_mut(), Body::full(Bytes::new()));
            *response.body_mut() = Body::Watched {
                body: Box::new(body),
                _done: done,
            };
            self.sender.after(Arc::clone(mock), callbacks, async move {
                let _ = written.await;
            });
        }
        response
    }

    /// `stubborn proxy`: the body read up to `--max-body` (a longer one is streamed on),
    /// then [`Proxy::decide`]; the mock answers what comes back to it, as `stubborn mock`
    /// would.
    async fn proxied(
        &self,
        proxy: &Proxy,
        mock: Arc<Mock>,
        parts: &http::request::Parts,
        body: hyper::body::Incoming,
        t0: std::time::Instant,
    ) -> Response {
        let headers = &parts.headers;
        let limit = self.http.max_body;
        let deadline = tokio::time::Instant::now() + proxy.options.client.timeout;
        let read = crate::client::read_body(body, limit, deadline, proxy.options.client.timeout);
        let body = match read.await {
            Ok(crate::client::Read::Whole(bytes)) => RequestBody::Whole(bytes),
            Ok(crate::client::Read::Partial { head, rest }) => {
                use http_body_util::BodyExt;
                RequestBody::Streaming {
                    head,
                    rest: rest.map_err(Into::into).boxed(),
                }
            }
            Err(e) if e.kind == crate::client::ErrorKind::Timeout => {
                let answer = Answer::problem(&Problem::new(
                    408,
                    "Request Timeout",
                    format!("the request body did not arrive in time: {e}"),
                ));
                return self.finish(answer, false, headers);
            }
            Err(e) => {
                let answer = Answer::problem(&Problem::new(
                    400,
                    "Bad Request",
                    format!("the request body could not be read: {e}"),
                ));
                return self.finish(answer, false, headers);
            }
        };
        // What the call log keeps of the request body (shared, not copied).
        let logged = match &body {
            RequestBody::Whole(b) => b.clone(),
            RequestBody::Streaming { head, .. } => head.clone(),
        };
        let incoming = proxy::Incoming {
            method: &parts.method,
            uri: &parts.uri,
            headers,
            peer: parts.extensions.get::<Peer>().map(|p| p.0),
            private: self.key.is_some(),
        };
        match proxy.decide(&mock, &incoming, body).await {
            Decision::Mock { why, body } => {
                let mut answer = match body {
                    RequestBody::Whole(bytes) => {
                        let (method, path, query) =
                            (&parts.method, parts.uri.path(), parts.uri.query());
                        // The proxy's fallback answers as the mock does, without state.
                        self.mock_answer(&mock, method, path, query, headers, &bytes, false)
                            .await
                    }
                    // The mock reads whole bodies only, as `stubborn mock` does.
                    RequestBody::Streaming { .. } => Answer::problem(&Problem::new(
                        413,
                        "Content Too Large",
                        format!(
                            "the request body is larger than the {limit}-byte limit (--max-body)"
                        ),
                    )),
                };
                answer
                    .headers
                    .push(proxy::source_header(proxy::Source::Mock));
                let note = calllog::ProxyNote {
                    source: proxy::Source::Mock.as_str(),
                    notes: vec![why],
                    ..Default::default()
                };
                self.reply(&mock, answer, parts, &logged, t0, Some(note), None)
                    .await
            }
            Decision::Answer(proxied) => {
                let proxy::Proxied {
                    source,
                    answer,
                    stream,
                    response_violations,
                    response_total,
                    undocumented,
                    notes,
                } = *proxied;
                let note = calllog::ProxyNote {
                    source: source.as_str(),
                    response_violations: violation_lines(&response_violations, response_total),
                    undocumented,
                    notes,
                };
                self.reply(&mock, answer, parts, &logged, t0, Some(note), stream)
                    .await
            }
        }
    }

    /// `POST /__stubborn/webhooks/NAME` with `{"url": "...", "body": optional}`: sends the
    /// webhook now and answers with what became of it (the receiver's status, its answer's
    /// violations), once it is answered or given up on.
    async fn send_webhook(&self, mock: &Arc<Mock>, name: &str, body: &[u8]) -> Answer {
        let name = percent_encoding::percent_decode_str(name).decode_utf8_lossy();
        let out = match admin::webhook_request(mock, &name, body) {
            Ok(out) => out,
            Err(refused) => return *refused,
        };
        let delivery = self.sender.deliver(mock, &out).await;
        admin::webhook_answer(&name, &delivery)
    }

    /// What the mock answers a request with: a runtime stub, else the stateful store (when
    /// `stateful` and the mock has one), else the document (through [`handle`]).
    #[allow(clippy::too_many_arguments)]
    async fn mock_answer(
        &self,
        mock: &Mock,
        method: &http::Method,
        path: &str,
        query: Option<&str>,
        headers: &HeaderMap,
        body: &[u8],
        stateful: bool,
    ) -> Answer {
        match stubs::early_answer(&self.stubs, method, path, query, headers, body) {
            Some(stubs::StubAnswer::Fixed(a)) => {
                with_contract(mock, a, method, path, query, headers, body)
            }
            Some(stubs::StubAnswer::Document { id, prefer, delay }) => {
                // The document answers, as if the request had asked for what the stub prefers.
                let mut asked = headers.clone();
                asked.insert(header::HeaderName::from_static("prefer"), prefer);
                let mut a = handle(mock, &self.http, method, path, query, &asked, body);
                if let Ok(v) = HeaderValue::from_str(&format!("stub={id}")) {
                    a.headers
                        .retain(|(n, _)| n.as_str() != runtime::MATCH_HEADER);
                    a.headers
                        .push((header::HeaderName::from_static(runtime::MATCH_HEADER), v));
                }
                a.delay = delay.or(a.delay);
                a
            }
            None => match (&self.state, stateful) {
                (Some(store), true) => {
                    Box::pin(state::answer(
                        mock, store, &self.http, method, path, query, headers, body,
                    ))
                    .await
                }
                _ => handle(mock, &self.http, method, path, query, headers, body),
            },
        }
    }

    /// The admin API is for the developer's own tools and its own dashboard, never for other
    /// web pages: `Some(refusal)` for a request from a foreign origin, under a foreign `Host`
    /// (DNS rebinding) or changing state without `Content-Type: application/json` (a form or
    /// `text/plain` POST, which a page may send without asking).
    fn admin_guard(&self, method: &http::Method, headers: &HeaderMap) -> Option<Answer> {
        let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
        if self.loopback {
            if let Some(host) = host {
                if !host_allowed(host, &self.http.allowed_hosts) {
                    return Some(Answer::problem(&Problem::new(
                        403,
                        "Forbidden Host",
                        format!(
                            "the admin API answers only under localhost, 127.0.0.1 or [::1], not {}; \
                             add a name with --allowed-host",
                            printable(host)
                        ),
                    )));
                }
            }
        }
        if let Some(origin) = headers.get(header::ORIGIN) {
            let same = host.is_some_and(|h| same_origin(origin.as_bytes(), h));
            if !same {
                return Some(Answer::problem(&Problem::new(
                    403,
                    "Cross-Origin Admin Request",
                    format!(
                        "the admin API is same-origin only; a page from {} cannot use it",
                        printable(&String::from_utf8_lossy(origin.as_bytes()))
                    ),
                )));
            }
        }
        // Browsers that send Fetch Metadata say where a request comes from even without an
        // `Origin` (an image, a script tag). A link followed to the dashboard is fine.
        let site = headers
            .get("sec-fetch-site")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("none");
        let navigation = method == http::Method::GET
            && headers
                .get("sec-fetch-mode")
                .is_some_and(|v| v.as_bytes() == b"navigate");
        if !matches!(site, "same-origin" | "none") && !navigation {
            return Some(Answer::problem(&Problem::new(
                403,
                "Cross-Origin Admin Request",
                format!("the admin API is same-origin only; this request is {site}"),
            )));
        }
        let changes_state = matches!(
            *method,
            http::Method::POST | http::Method::PUT | http::Method::PATCH
        );
        if changes_state {
            let json = headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(';').next())
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
            if !json {
                return Some(Answer::problem(&Problem::new(
                    415,
                    "Unsupported Media Type",
                    format!(
                        "admin API calls that change state take Content-Type: application/json \
                         (send {method} with a JSON body, {{}} when there is nothing to say)"
                    ),
                )));
            }
        }
        None
    }

    /// A private mock answers nothing without its key. Never logged.
    fn check_key(&self, headers: &HeaderMap, url_key: Option<&str>) -> Option<Answer> {
        let key = self.key.as_ref()?;
        let given = headers
            .get("x-api-key")
            .map(|v| v.as_bytes())
            .or(url_key.map(str::as_bytes))
            .unwrap_or_default();
        if key.matches(given) {
            return None;
        }
        let mut a = Answer::problem(&Problem::new(
            401,
            "Unauthorized",
            "this mock is private: send its key in the x-api-key header",
        ));
        a.headers.push((
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("ApiKey realm=\"stubborn\", name=\"x-api-key\""),
        ));
        Some(a)
    }

    /// The answer as an HTTP response. Mock answers get CORS headers (when on and the origin is
    /// allowed); admin answers never do.
    fn finish(&self, answer: Answer, admin: bool, headers: &HeaderMap) -> Response {
        if admin || !self.http.cors {
            return to_response(answer);
        }
        let Some(o) = headers.get(header::ORIGIN) else {
            // `Access-Control-Allow-Origin: *` and `Access-Control-Expose-Headers: *`.
            return response_with(answer, head::Cors::Any);
        };
        let mut response = to_response(answer);
        let h = response.headers_mut();
        h.append(header::VARY, HeaderValue::from_static("Origin"));
        if !origin_allowed(&self.http.cors_origins, o) {
            return response;
        }
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, o.clone());
        h.insert(
            header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
            HeaderValue::from_static("true"),
        );
        h.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("*"),
        );
        response
    }
}

/// A stub's answer, with what the contract says of the request it answered (the operation it
/// routes to and its violations) for the call log: a stub answers whatever the request, but the
/// log still tells a request the document allows from one it does not.
fn with_contract(
    mock: &Mock,
    mut answer: Answer,
    method: &http::Method,
    path: &str,
    query: Option<&str>,
    headers: &HeaderMap,
    body: &[u8],
) -> Answer {
    if let Some(m) = model_method(method) {
        let verdict = runtime::contract_of(mock, &Request::new(m, path, query, headers, body));
        answer.operation = verdict.operation;
        answer.violations = verdict.violations;
        answer.violations_total = verdict.total;
    }
    answer
}

/// Is `path` the admin API's (`/__stubborn` or below)?
fn is_admin(path: &str) -> bool {
    path.strip_prefix(admin::PREFIX)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// `--cors-origin`: an empty list allows every origin.
fn origin_allowed(allowed: &[String], origin: &HeaderValue) -> bool {
    allowed.is_empty()
        || allowed.iter().any(|a| {
            a.trim_end_matches('/')
                .as_bytes()
                .eq_ignore_ascii_case(origin.as_bytes())
        })
}

/// `Host` (with or without a port) names this machine's loopback, or a name the user allowed.
fn host_allowed(host: &str, extra: &[String]) -> bool {
    let name = host_name(host);
    name.eq_ignore_ascii_case("localhost")
        || name.to_ascii_lowercase().ends_with(".localhost")
        || name == "127.0.0.1"
        || name == "[::1]"
        || extra
            .iter()
            .any(|e| host_name(e).eq_ignore_ascii_case(name))
}

/// The name part of a `Host` value: `[::1]:4010` → `[::1]`, `localhost:4010` → `localhost`.
fn host_name(host: &str) -> &str {
    let host = host.trim();
    if let Some(end) = host.find(']').filter(|_| host.starts_with('[')) {
        return &host[..=end];
    }
    match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    }
}

/// Is `origin` (`http://localhost:4010`) the page this server itself serves under `host`?
fn same_origin(origin: &[u8], host: &str) -> bool {
    let Ok(origin) = std::str::from_utf8(origin) else {
        return false;
    };
    let Some(authority) = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
    else {
        return false;
    };
    authority.eq_ignore_ascii_case(host.trim())
}

/// A value from a request, fit to quote in a message: at most 100 characters, no controls.
fn printable(s: &str) -> String {
    s.chars()
        .take(100)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

/// A private mock's key. Only its SHA-256 digest is kept, and a given key is compared by
/// digest in constant time (`subtle`): neither the time taken nor anything else tells how
/// long the key is or how much of it a guess got right.
struct ApiKey([u8; 32]);

impl ApiKey {
    fn new(key: &str) -> ApiKey {
        ApiKey(sha2::Sha256::digest(key.as_bytes()).into())
    }

    fn matches(&self, given: &[u8]) -> bool {
        use subtle::ConstantTimeEq;
        let digest: [u8; 32] = sha2::Sha256::digest(given).into();
        digest.ct_eq(&self.0).into()
    }
}

/// The accept loop's bounds.
struct Limits {
    max_connections: usize,
    header_timeout: std::time::Duration,
}

/// Why a connection was broken on purpose, or a body failed.
#[derive(Debug)]
struct Broken(String);

impl std::fmt::Display for Broken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Broken {}

/// A response body: the whole of it at once (nearly every answer), or a stream of frames (live
/// streams, streaming answers, `fault=truncate`).
enum Body {
    Full(Option<Bytes>),
    Stream(http_body_util::combinators::BoxBody<Bytes, Broken>),
    /// A body whose end (hyper dropping it) is signalled, by dropping the sender: callbacks
    /// wait for it.
    Watched {
        body: Box<Body>,
        /// Never sent on: dropped with the body, which is the signal.
        _done: tokio::sync::oneshot::Sender<()>,
    },
    /// A streamed body, which keeps its request counted as being answered (the slow-loris
    /// guard leaves the connection alone) until hyper drops it.
    Answering {
        body: Box<Body>,
        _answering: watchdog::Answering,
    },
}

impl watchdog::Answering {
    /// The response, its request counted as answered once its body is sent: at once for a
    /// whole body, with the body's end for a streamed one.
    fn hold(self, response: Response) -> Response {
        match response.body() {
            Body::Full(_) => response,
            _ => response.map(|body| Body::Answering {
                body: Box::new(body),
                _answering: self,
            }),
        }
    }
}

/// A response as the server sends it.
type Response = http::Response<Body>;

impl Body {
    fn full(bytes: Bytes) -> Body {
        Body::Full((!bytes.is_empty()).then_some(bytes))
    }

    /// A body of items from a stream, as they come.
    fn stream<S>(items: S) -> Body
    where
        S: futures_util::Stream<Item = Bytes> + Send + Sync + 'static,
    {
        use futures_util::StreamExt;
        let frames = items.map(|b| Ok::<_, Broken>(http_body::Frame::data(b)));
        Body::Stream(http_body_util::BodyExt::boxed(
            http_body_util::StreamBody::new(frames),
        ))
    }
}

impl http_body::Body for Body {
    type Data = Bytes;
    type Error = Broken;

    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, Broken>>> {
        match self.get_mut() {
            Body::Full(bytes) => {
                std::task::Poll::Ready(bytes.take().map(|b| Ok(http_body::Frame::data(b))))
            }
            Body::Stream(s) => std::pin::Pin::new(s).poll_frame(cx),
            Body::Watched { body, .. } | Body::Answering { body, .. } => {
                std::pin::Pin::new(body.as_mut()).poll_frame(cx)
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            Body::Full(bytes) => bytes.is_none(),
            Body::Stream(s) => s.is_end_stream(),
            Body::Watched { body, .. } | Body::Answering { body, .. } => body.is_end_stream(),
        }
    }

    fn size_hint(&self) -> http_body::SizeHint {
        match self {
            Body::Full(bytes) => {
                http_body::SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64))
            }
            Body::Stream(s) => s.size_hint(),
            Body::Watched { body, .. } | Body::Answering { body, .. } => body.size_hint(),
        }
    }
}

/// The accept loop, with hyper-util's builder (HTTP/1 and HTTP/2). It holds the bounds no
/// request can move: connections at once, time to send a head, head and target sizes; and it
/// breaks a connection on purpose when `Prefer: fault=reset|truncate` asks.
async fn run(
    served: Arc<Served>,
    listener: tokio::net::TcpListener,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let permits = Arc::new(tokio::sync::Semaphore::new(limits.max_connections));
    let mut shutdown = std::pin::pin!(shutdown);
    let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .pipeline_flush(true)
        // No timer: the slow-loris guard is [`watchdog`]'s, one timer a connection instead
        // of hyper's one a request.
        // The whole head must fit in this; a larger one is answered 431 by hyper.
        .max_buf_size(MAX_URI + MAX_HEADERS + 8 * 1024);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_header_list_size(MAX_HEADERS as u32);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                // Out of file descriptors and the like: wait a moment instead of spinning.
                Err(_) => {
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        // Over --max-connections: closed at once, so a flood costs a socket for a moment,
        // never a connection's buffers.
        let Ok(permit) = Arc::clone(&permits).try_acquire_owned() else {
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        // Only the proxy asks who the client is (X-Forwarded-For): an extension costs a map.
        let tell_peer = served.proxy.is_some();
        let progress = Arc::new(watchdog::Progress::default());
        let io = watchdog::Watched::new(stream, limits.header_timeout, Arc::clone(&progress));
        let held = std::sync::Mutex::new(Arc::new(Connection::new(&served)));
        let hyper_service =
            hyper::service::service_fn(move |mut req: http::Request<hyper::body::Incoming>| {
                let conn = Connection::current(&held);
                if tell_peer {
                    req.extensions_mut().insert(Peer(peer.ip()));
                }
                let answering = watchdog::Answering::new(&progress);
                async move {
                    if let Some(refused) = oversized(&req) {
                        return Ok(to_response(refused));
                    }
                    let (mut parts, body) = req.into_parts();
                    add_host(&mut parts);
                    let response = conn.served.answer(&conn.mock, parts, body).await;
                    match response.extensions().get::<Fault>() {
                        // An error from the service makes hyper drop the connection unanswered.
                        Some(Fault::Reset) => Err(Broken("fault=reset".into())),
                        Some(Fault::Truncate) => Ok(Box::pin(truncated(response)).await),
                        None => Ok(answering.hold(response)),
                    }
                }
            });
        let conn = builder
            .serve_connection(TokioIo::new(io), hyper_service)
            .into_owned();
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            let _ = conn.await;
            drop(permit);
        });
    }
    // Requests in flight get a few seconds to finish; idle connections close; then the server
    // stops regardless.
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), graceful.shutdown()).await;
}

/// 414 for a request target over [`MAX_URI`], 431 for headers over [`MAX_HEADERS`].
fn oversized<B>(req: &http::Request<B>) -> Option<Answer> {
    let target = req.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if target > MAX_URI {
        return Some(Answer::problem(&Problem::new(
            414,
            "URI Too Long",
            format!("the request target is {target} bytes; at most {MAX_URI} are answered"),
        )));
    }
    let headers: usize = req
        .headers()
        .iter()
        .map(|(n, v)| n.as_str().len() + v.len() + 4)
        .sum();
    if headers > MAX_HEADERS {
        return Some(Answer::problem(&Problem::new(
            431,
            "Request Header Fields Too Large",
            format!("the request's headers are {headers} bytes; at most {MAX_HEADERS} are read"),
        )));
    }
    None
}

/// HTTP/2 carries the host in the request's authority, not in a `Host` header: put it there,
/// so everything after reads one place.
/// An HTTP/1 request in origin form (`GET /pets`) has no authority: nothing to look up.
fn add_host(parts: &mut http::request::Parts) {
    let Some(authority) = parts.uri.authority() else {
        return;
    };
    if !parts.headers.contains_key(header::HOST) {
        if let Ok(v) = HeaderValue::from_str(authority.as_str()) {
            parts.headers.insert(header::HOST, v);
        }
    }
}

/// `fault=truncate`: announce the whole body, send half of it, then break the connection.
async fn truncated(response: Response) -> Response {
    use http_body_util::BodyExt;
    let (mut parts, body) = response.into_parts();
    let bytes = body
        .collect()
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default();
    let full = bytes.len().max(2);
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(full));
    let half = bytes.slice(..bytes.len() / 2);
    // The first half goes out; the failure comes a moment later, once hyper has flushed it.
    let frames = futures_util::stream::unfold(Some(half), |state| async move {
        match state {
            Some(half) => Some((Ok(http_body::Frame::data(half)), None)),
            None => {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                Some((Err(Broken("fault=truncate".into())), None))
            }
        }
    });
    let body = http_body_util::StreamBody::new(frames);
    http::Response::from_parts(parts, Body::Stream(body.boxed()))
}

/// `GET /__stubborn/requests/stream`: every logged request from now on, as server-sent events
/// (`event: request`, the record as JSON), with a keep-alive comment every 15 seconds.
fn live_stream(log: &calllog::CallLog, stop: tokio::sync::watch::Receiver<bool>) -> Response {
    let rx = log.subscribe();
    let keep_alive =
        tokio::time::interval_at(tokio::time::Instant::now() + SSE_KEEP_ALIVE, SSE_KEEP_ALIVE);
    let events = futures_util::stream::unfold(
        (rx, stop, keep_alive),
        |(mut rx, mut stop, mut keep_alive)| async move {
            loop {
                if *stop.borrow() {
                    return None;
                }
                tokio::select! {
                    received = rx.recv() => match received {
                        Ok(record) => {
                            let event = format!(
                                "event: request\nid: {}\ndata: {}\n\n",
                                record.id,
                                record.to_json()
                            );
                            return Some((Bytes::from(event), (rx, stop, keep_alive)));
                        }
                        // A slow reader missed some: go on with the newest.
                        Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                        Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
                    },
                    _ = keep_alive.tick() => {
                        return Some((Bytes::from_static(b":\n\n"), (rx, stop, keep_alive)));
                    }
                    changed = stop.changed() => {
                        if changed.is_err() || *stop.borrow() {
                            return None;
                        }
                    }
                }
            }
        },
    );
    let mut response = http::Response::new(Body::stream(events));
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// `--webhook-target URL`: every webhook of the document, sent there once, one after the
/// other, as the server starts.
fn send_every_webhook(sender: Arc<outbound::Sender>, mock: Arc<Mock>, target: String) {
    tokio::spawn(async move {
        let options = mock.callback_body_options();
        for (i, w) in mock.webhooks.iter().enumerate() {
            let out = w.to_target(
                i,
                &mock.api.schemas,
                options,
                &target,
                None,
                mock.callback_delay_ms(w),
            );
            if !out.delay.is_zero() {
                tokio::time::sleep(out.delay).await;
            }
            sender.deliver(&mock, &out).await;
        }
    });
}

/// How often a live stream says it is still there.
const SSE_KEEP_ALIVE: std::time::Duration = std::time::Duration::from_secs(15);

/// Counts one open streaming answer for as long as it lives: the count goes down when the body
/// is dropped, which hyper does as soon as the client is gone.
struct StreamGuard(Arc<std::sync::atomic::AtomicUsize>);

impl StreamGuard {
    fn open(count: &Arc<std::sync::atomic::AtomicUsize>) -> StreamGuard {
        count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        StreamGuard(Arc::clone(count))
    }
}

impl Drop for StreamGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    }
}

/// A streaming answer's body: item after item (each made when it is due, by
/// [`Mock::stream_chunk`]), `spec.interval` apart, then the format's trailer. It ends early when
/// the server stops; when the client goes away, hyper drops it, and with it the guard and the
/// timer, so nothing more is made.
fn stream_body(
    mock: Arc<Mock>,
    spec: crate::stream::StreamSpec,
    guard: StreamGuard,
    stop: tokio::sync::watch::Receiver<bool>,
) -> Body {
    struct State {
        mock: Arc<Mock>,
        spec: crate::stream::StreamSpec,
        next: u64,
        done: bool,
        stop: tokio::sync::watch::Receiver<bool>,
        _guard: StreamGuard,
    }
    let state = State {
        mock,
        spec,
        next: 0,
        done: false,
        stop,
        _guard: guard,
    };
    let chunks = futures_util::stream::unfold(state, |mut st| async move {
        if st.done || *st.stop.borrow() {
            return None;
        }
        if st.next >= st.spec.count {
            st.done = true;
            return crate::stream::trailer(st.spec.framing).map(|t| (t, st));
        }
        if st.next > 0 && !st.spec.interval.is_zero() {
            tokio::select! {
                _ = tokio::time::sleep(st.spec.interval) => {}
                _ = st.stop.changed() => return None,
            }
        }
        let index = st.next;
        st.next += 1;
        match st.mock.stream_chunk(&st.spec, index) {
            Ok(chunk) => Some((chunk, st)),
            Err(e) => {
                // The status is sent already: say why the stream ends, in the format's own
                // way of saying nothing (an SSE comment), and end it.
                tracing::warn!("stream item {index} cannot be made: {e}");
                st.done = true;
                let note = match st.spec.framing {
                    crate::stream::Framing::EventStream => Bytes::from(format!(
                        ": stubborn: item {index} cannot be made: {}\n\n",
                        e.replace('\n', " ")
                    )),
                    _ => Bytes::new(),
                };
                Some((note, st))
            }
        }
    });
    Body::stream(chunks)
}

/// How many violations a log line describes (the rest are counted).
const LOGGED_VIOLATIONS: usize = 10;

/// One line per request (see [`logline`]): method, path, status, what answered, latency, and
/// the violations when there are any. A proxied request's line also says who answered
/// (`source`), the upstream answer's violations (`response_violations`) and whether the route
/// is undocumented.
fn log_line(
    log: &logline::RequestLog,
    method: &http::Method,
    path: &str,
    answer: &Answer,
    latency: std::time::Duration,
    note: Option<&calllog::ProxyNote>,
) {
    if !log.enabled() {
        return;
    }
    let matched = answer
        .headers
        .iter()
        .find(|(n, _)| n.as_str() == crate::runtime::MATCH_HEADER)
        .and_then(|(_, v)| v.to_str().ok())
        .unwrap_or("");
    // One line per request however many violations it has: the first few, and a count.
    let violations = logged_violations(
        answer.violations.iter().map(Violation::line),
        answer.violations_total,
    );
    let mut line = logline::Line {
        method: method.as_str(),
        path,
        status: answer.status,
        matched,
        latency,
        violations: &violations,
        proxied: None,
    };
    let Some(note) = note else {
        return log.write(&line);
    };
    // The response side's lines end with `and N more` already when cut.
    let response_violations = logged_violations(
        note.response_violations.iter().cloned(),
        note.response_violations.len(),
    );
    let notes = note.notes.join("; ");
    line.proxied = Some(logline::Proxied {
        source: note.source,
        undocumented: note.undocumented,
        response_violations: &response_violations,
        notes: &notes,
    });
    log.write(&line);
}

/// The first [`LOGGED_VIOLATIONS`] lines, and a count of the rest.
fn logged_violations(lines: impl Iterator<Item = String>, total: usize) -> String {
    let mut text: Vec<String> = lines.take(LOGGED_VIOLATIONS).collect();
    if text.is_empty() {
        return String::new();
    }
    let more = total.saturating_sub(text.len());
    if more > 0 {
        text.push(format!("and {more} more"));
    }
    text.join("; ")
}

/// The dashboard page of a private mock is opened as `/__stubborn/?key=KEY` (a browser cannot
/// add a header to a page load); the page then sends the key as `x-api-key` itself.
fn query_key(query: Option<&str>) -> Option<String> {
    form_urlencoded::parse(query?.as_bytes())
        .find(|(k, _)| k == "key")
        .map(|(_, v)| v.into_owned())
}

/// The call log's record of one answered request: the request, and the answer as the mock gave
/// it (status, headers before CORS, body), credentials redacted in both.
#[allow(clippy::too_many_arguments)]
fn record(
    log: &calllog::CallLog,
    mock: &Mock,
    method: &http::Method,
    path: &str,
    query: Option<&str>,
    headers: &HeaderMap,
    body: &Bytes,
    answer: &Answer,
    latency: std::time::Duration,
) -> calllog::CallRecord {
    let violations = violation_lines(&answer.violations, answer.violations_total);
    let secrets = &mock.credentials;
    calllog::CallRecord {
        id: log.next_id(),
        time_ms: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or_default(),
        method: method.clone(),
        path: path.to_string(),
        query: query.map(|q| calllog::redact_query(q, &secrets.query)),
        headers: calllog::Headers::kept(headers, &secrets.headers),
        body: calllog::request_head(body, log.body_limit()),
        body_size: body.len(),
        operation: answer.operation.map(|i| mock.operation_id(i)),
        matched: answer
            .headers
            .iter()
            .find(|(n, _)| n.as_str() == crate::runtime::MATCH_HEADER)
            .map(|(_, v)| v.clone()),
        violations,
        status: answer.status,
        // What the mock set, `content-type` included; CORS headers are added later, unlogged.
        response_headers: calllog::Headers::kept(
            answer.headers.iter().map(|(k, v)| (k, v)),
            &secrets.headers,
        ),
        response_body: calllog::head(&answer.body, log.body_limit()),
        response_size: answer.body.len(),
        latency_us: latency.as_micros() as u64,
        proxy: None,
        outbound: None,
    }
}

/// Violations as the call log keeps them: one line each, and `and N more` past the described.
fn violation_lines(violations: &[Violation], total: usize) -> Vec<String> {
    let mut lines: Vec<String> = violations.iter().map(Violation::line).collect();
    let more = total.saturating_sub(lines.len());
    if more > 0 {
        lines.push(format!("and {more} more"));
    }
    lines
}

/// Reads the body, refusing with 413 as soon as it is known to exceed `limit`: at once from
/// `Content-Length`, or while reading a chunked body. A body that arrives in one piece is kept
/// as hyper read it, without a copy.
async fn read_body(
    headers: &HeaderMap,
    mut body: hyper::body::Incoming,
    limit: usize,
) -> Result<Bytes, Answer> {
    use http_body::Body as _;
    use http_body_util::BodyExt;
    if body.is_end_stream() {
        return Ok(Bytes::new());
    }
    let too_large = || {
        Answer::problem(&Problem::new(
            413,
            "Content Too Large",
            format!("the request body is larger than the {limit}-byte limit (--max-body)"),
        ))
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let mut first: Option<Bytes> = None;
    let mut buf = bytes::BytesMut::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| {
            Answer::problem(&Problem::new(
                400,
                "Bad Request",
                format!("the request body could not be read: {e}"),
            ))
        })?;
        let Ok(chunk) = frame.into_data() else {
            continue; // trailers
        };
        let so_far = first.as_ref().map_or(0, Bytes::len) + buf.len();
        if so_far + chunk.len() > limit {
            // Read on (and discard) a little of what the client is still sending, so closing
            // the connection does not reset it before the client reads the 413.
            let drain = async {
                let mut drained = 0usize;
                while let Some(Ok(f)) = body.frame().await {
                    drained += f.data_ref().map_or(0, Bytes::len);
                    if drained > DRAIN_LIMIT {
                        break;
                    }
                }
            };
            let _ = tokio::time::timeout(std::time::Duration::from_millis(200), drain).await;
            return Err(too_large());
        }
        match first.take() {
            None if buf.is_empty() => first = Some(chunk),
            None => buf.extend_from_slice(&chunk),
            Some(f) => {
                buf.extend_from_slice(&f);
                buf.extend_from_slice(&chunk);
            }
        }
        // All of a `Content-Length` body is in: no poll for the end that is known already.
        if body.is_end_stream() {
            break;
        }
    }
    Ok(first.unwrap_or_else(|| buf.freeze()))
}

/// The model's method for a request's: the standard ones by hyper's constants, the rest
/// (lower-case `get`, `QUERY`, additional methods) as [`Method::parse`] reads them.
fn model_method(method: &http::Method) -> Option<Method> {
    Some(match *method {
        http::Method::GET => Method::Get,
        http::Method::POST => Method::Post,
        http::Method::PUT => Method::Put,
        http::Method::DELETE => Method::Delete,
        http::Method::PATCH => Method::Patch,
        http::Method::HEAD => Method::Head,
        http::Method::OPTIONS => Method::Options,
        http::Method::TRACE => Method::Trace,
        _ => return Method::parse(method.as_str()),
    })
}

/// One request through the pipeline ([`runtime::handle`]); OPTIONS is answered here, where
/// CORS is known.
pub fn handle(
    mock: &Mock,
    http: &HttpOptions,
    method: &http::Method,
    path: &str,
    query: Option<&str>,
    headers: &HeaderMap,
    body: &[u8],
) -> Answer {
    match model_method(method) {
        Some(Method::Options) => options(mock, http, path, headers),
        Some(m) => runtime::handle(mock, &Request::new(m, path, query, headers, body)),
        // A method OpenAPI has no name for (Postman collections may use any): only saved
        // examples can answer. The model's method is a placeholder the mock does not read.
        None => runtime::handle_other_method(
            mock,
            method.as_str(),
            &Request::new(Method::Get, path, query, headers, body),
        ),
    }
}

/// OPTIONS: the document's own OPTIONS operation if it has one; else a CORS preflight answer
/// (when CORS is on and the request is a preflight); else the `Allow` list.
fn options(mock: &Mock, http: &HttpOptions, path: &str, headers: &HeaderMap) -> Answer {
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    // A browser's preflight (Origin and Access-Control-Request-Method) is the CORS layer's to
    // answer, even where the document has an `options` operation: that operation's answer
    // carries no CORS permissions, and the browser would block the real request.
    let preflight = http.cors
        && headers.contains_key(header::ORIGIN)
        && headers.contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let allow = match mock.router.route(Method::Options, path) {
        Routed::Found { .. } if !preflight => return mock.answer(Method::Options, path, accept),
        Routed::Found { .. } => match mock.router.match_path(path) {
            Some(m) => mock.router.allowed(m.route),
            None => Vec::new(),
        },
        Routed::MethodNotAllowed { allow } => allow,
        Routed::NotFound => return mock.answer(Method::Options, path, accept),
    };
    let mut list: Vec<&str> = allow
        .iter()
        .map(|m| m.as_str())
        .filter(|m| *m != "OPTIONS")
        .collect();
    list.push("OPTIONS");
    let joined = list.join(", ");
    let mut out = Vec::new();
    if let Ok(v) = HeaderValue::from_str(&joined) {
        out.push((header::ALLOW, v.clone()));
        let origin_ok = headers
            .get(header::ORIGIN)
            .is_none_or(|o| origin_allowed(&http.cors_origins, o));
        if http.cors && origin_ok && headers.contains_key(header::ACCESS_CONTROL_REQUEST_METHOD) {
            let methods = headers
                .get(header::ACCESS_CONTROL_REQUEST_METHOD)
                .cloned()
                .unwrap_or(v);
            out.push((header::ACCESS_CONTROL_ALLOW_METHODS, methods));
            let asked = headers
                .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
                .and_then(|h| h.to_str().ok())
                .unwrap_or("");
            // A private mock's key travels in x-api-key: a page must be allowed to send it.
            let mut allowed = asked.to_string();
            let private = http.api_key.is_some();
            if private
                && !asked
                    .split(',')
                    .any(|h| h.trim().eq_ignore_ascii_case("x-api-key"))
            {
                if !allowed.trim().is_empty() {
                    allowed.push_str(", ");
                }
                allowed.push_str("x-api-key");
            }
            if let Ok(h) = HeaderValue::from_str(allowed.trim()) {
                if !h.is_empty() {
                    out.push((header::ACCESS_CONTROL_ALLOW_HEADERS, h));
                }
            }
            out.push((
                header::ACCESS_CONTROL_MAX_AGE,
                HeaderValue::from_static("86400"),
            ));
        }
    }
    Answer {
        headers: out,
        ..Answer::empty(204)
    }
}

/// The answer as an HTTP response (the fault to simulate, if any, in its extensions).
fn to_response(answer: Answer) -> Response {
    response_with(answer, head::Cors::None)
}

/// The answer as an HTTP response, with `cors`'s headers after its own.
fn response_with(answer: Answer, cors: head::Cors) -> Response {
    let mut response = http::Response::new(Body::full(answer.body));
    if let Some(fault) = answer.fault {
        response.extensions_mut().insert(fault);
    }
    *response.status_mut() = http::StatusCode::from_u16(answer.status)
        .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    *response.headers_mut() = head::map(answer.headers, cors);
    response
}

//! The HTTP layer: warp turns a request into the pipeline's input and the pipeline's output into
//! a response. It owns ports, CORS and shutdown, not mocking rules. One catch-all filter hands
//! every request to [`handle`], which keeps warp's filter types small.

use crate::compile::{Answer, Mock, Request};
use crate::model::Method;
use crate::respond::choose::Fault;
use crate::respond::problem::Problem;
use crate::route::Routed;
use bytes::Bytes;
use http::header::{self, HeaderMap, HeaderValue};
use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use warp::Filter;

pub mod admin;
pub mod calllog;
pub mod reload;
pub mod stubs;

/// Server-wide switches that are about HTTP, not mocking.
#[derive(Clone, Debug)]
pub struct HttpOptions {
    /// Answer CORS preflights and add `Access-Control-Allow-Origin` to every response.
    pub cors: bool,
    /// Bodies larger than this get 413, without being read whole.
    pub max_body: usize,
    /// A private mock: every request must carry `x-api-key: KEY`.
    pub api_key: Option<String>,
    /// The call log's bounds: at most this many requests...
    pub log_count: usize,
    /// ...and about this many bytes.
    pub log_bytes: usize,
    /// The document served, for `GET /__stubborn/spec`.
    pub spec_path: Option<std::path::PathBuf>,
}

/// How much of an oversized body is read and discarded before answering 413.
const DRAIN_LIMIT: usize = 1024 * 1024;

/// The default `--max-body`: 10 MB.
pub const DEFAULT_MAX_BODY: usize = 10 * 1024 * 1024;

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            cors: true,
            max_body: DEFAULT_MAX_BODY,
            api_key: None,
            log_count: 1000,
            log_bytes: 8 * 1024 * 1024,
            spec_path: None,
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
    let log = Arc::new(calllog::CallLog::new(http.log_count, http.log_bytes));
    let stubs = Arc::new(stubs::Stubs::default());
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let started = std::time::Instant::now();
    let http = Arc::new(http);
    let query = warp::query::raw()
        .map(Some)
        .or(warp::any().map(|| None))
        .unify();
    let filter = warp::method()
        .and(warp::path::full())
        .and(query)
        .and(warp::header::headers_cloned())
        .and(warp::body::stream())
        .then(
            move |method: http::Method,
                  path: warp::path::FullPath,
                  query: Option<String>,
                  headers: HeaderMap,
                  body| {
                let shared = Arc::clone(&shared);
                let http = Arc::clone(&http);
                let log = Arc::clone(&log);
                let stubs = Arc::clone(&stubs);
                let stop = stop_rx.clone();
                async move {
                    let mock = shared.current();
                    let t0 = std::time::Instant::now();
                    let dashboard = method == http::Method::GET
                        && matches!(path.as_str(), "/__stubborn" | "/__stubborn/");
                    let url_key = if dashboard {
                        query_key(query.as_deref())
                    } else {
                        None
                    };
                    if let Some(denied) = check_key(&http, &headers, url_key.as_deref()) {
                        return finish(denied, &http, &headers);
                    }
                    let body = match read_body(&headers, body, http.max_body).await {
                        Ok(b) => b,
                        Err(answer) => return finish(answer, &http, &headers),
                    };
                    if path.as_str() == "/__stubborn/requests/stream" && method == http::Method::GET
                    {
                        return finish_response(live_stream(&log, stop), &http, &headers);
                    }
                    if let Some(rest) = path.as_str().strip_prefix(admin::PREFIX) {
                        let state = admin::Admin {
                            mock: &mock,
                            log: &log,
                            stubs: &stubs,
                            spec_path: http.spec_path.as_deref(),
                            uptime_secs: started.elapsed().as_secs(),
                        };
                        let answer = admin::handle(&state, &method, rest, query.as_deref(), &body);
                        return finish(answer, &http, &headers);
                    }
                    let answer = match stubs::early_answer(
                        &stubs,
                        &method,
                        path.as_str(),
                        query.as_deref(),
                        &headers,
                        &body,
                    ) {
                        Some(a) => a,
                        None => handle(
                            &mock,
                            &http,
                            &method,
                            path.as_str(),
                            query.as_deref(),
                            &headers,
                            &body,
                        ),
                    };
                    log_line(&method, path.as_str(), &answer, t0);
                    if http.log_count > 0 {
                        log.push(record(
                            &log,
                            &mock,
                            &method,
                            path.as_str(),
                            query,
                            &headers,
                            &body,
                            &answer,
                            t0,
                        ));
                    }
                    // Simulated latency: a timer, so other requests go on meanwhile.
                    if let Some(delay) = answer.delay {
                        tokio::time::sleep(delay).await;
                    }
                    finish(answer, &http, &headers)
                }
            },
        )
        .recover(|rejection: warp::Rejection| async move {
            let p = Problem::new(
                400,
                "Bad Request",
                format!("the request could not be read: {rejection:?}"),
            );
            Ok::<_, Infallible>(to_response(Answer::problem(&p)))
        });
    let service = warp::service(filter);
    // Live streams end when the server stops, so a graceful shutdown is not held up forever by
    // a dashboard that is still listening.
    let shutdown = async move {
        shutdown.await;
        let _ = stop_tx.send(true);
    };
    run(service, listener, shutdown).await;
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

type WireBody = http_body_util::combinators::BoxBody<Bytes, Broken>;

/// The accept loop. warp's own `serve` cannot break a connection on purpose, which
/// `Prefer: fault=reset|truncate` needs, so connections are served here with hyper-util, the
/// same builder warp uses, around warp's filter as a service.
async fn run<S>(
    service: S,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) where
    S: tower_service::Service<
            http::Request<hyper::body::Incoming>,
            Response = warp::reply::Response,
            Error = Infallible,
        > + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    use http_body_util::BodyExt;
    use hyper_util::rt::{TokioExecutor, TokioIo};
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, _) = tokio::select! {
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
        let _ = stream.set_nodelay(true);
        let svc = service.clone();
        let hyper_service =
            hyper::service::service_fn(move |req: http::Request<hyper::body::Incoming>| {
                let mut svc = svc.clone();
                async move {
                    let Ok(response) = svc.call(req).await;
                    let fault = response.extensions().get::<Fault>().copied();
                    match fault {
                        // An error from the service makes hyper drop the connection unanswered.
                        Some(Fault::Reset) => {
                            Err::<http::Response<WireBody>, Broken>(Broken("fault=reset".into()))
                        }
                        Some(Fault::Truncate) => Ok(truncated(response).await),
                        None => Ok(response.map(|b| b.map_err(|e| Broken(e.to_string())).boxed())),
                    }
                }
            });
        let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
        builder.http1().pipeline_flush(true);
        let conn = builder
            .serve_connection(TokioIo::new(stream), hyper_service)
            .into_owned();
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            let _ = conn.await;
        });
    }
    // Requests in flight finish; idle connections close.
    // Requests in flight get a few seconds to finish; then the server stops regardless.
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), graceful.shutdown()).await;
}

/// `fault=truncate`: announce the whole body, send half of it, then break the connection.
async fn truncated(response: warp::reply::Response) -> http::Response<WireBody> {
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
    http::Response::from_parts(parts, body.boxed())
}

/// `GET /__stubborn/requests/stream`: every logged request from now on, as server-sent events
/// (`event: request`, the record as JSON), with keep-alive comments.
fn live_stream(
    log: &calllog::CallLog,
    stop: tokio::sync::watch::Receiver<bool>,
) -> warp::reply::Response {
    use warp::Reply;
    let rx = log.subscribe();
    let events = futures_util::stream::unfold((rx, stop), |(mut rx, mut stop)| async move {
        loop {
            if *stop.borrow() {
                return None;
            }
            tokio::select! {
                received = rx.recv() => match received {
                    Ok(record) => {
                        let event = warp::sse::Event::default()
                            .event("request")
                            .id(record.id.to_string())
                            .data(record.to_json().to_string());
                        return Some((Ok::<_, Infallible>(event), (rx, stop)));
                    }
                    // A slow reader missed some: go on with the newest.
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
                },
                changed = stop.changed() => {
                    if changed.is_err() || *stop.borrow() {
                        return None;
                    }
                }
            }
        }
    });
    warp::sse::reply(warp::sse::keep_alive().stream(events)).into_response()
}

/// One line per request for the terminal (or JSON for machines), through `tracing`: method,
/// path, status, what answered, latency, and the violations when there are any.
fn log_line(method: &http::Method, path: &str, answer: &Answer, t0: std::time::Instant) {
    if !tracing::enabled!(tracing::Level::INFO) {
        return;
    }
    let matched = answer
        .headers
        .iter()
        .find(|(n, _)| n.as_str() == crate::compile::MATCH_HEADER)
        .and_then(|(_, v)| v.to_str().ok())
        .unwrap_or("");
    let violations = answer
        .headers
        .iter()
        .find(|(n, _)| n.as_str() == crate::compile::VIOLATIONS_HEADER)
        .and_then(|(_, v)| v.to_str().ok())
        .unwrap_or("");
    let ms = t0.elapsed().as_secs_f64() * 1000.0;
    tracing::info!(
        method = method.as_str(),
        path,
        status = answer.status,
        matched,
        latency_ms = (ms * 1000.0).round() / 1000.0,
        violations,
        "{} {} {}",
        method,
        path,
        answer.status
    );
}

/// A private mock answers nothing without its key. Compared in constant time; never logged.
/// The dashboard page of a private mock is opened as `/__stubborn/?key=KEY` (a browser cannot
/// add a header to a page load); the page then sends the key as `x-api-key` itself.
fn query_key(query: Option<&str>) -> Option<String> {
    form_urlencoded::parse(query?.as_bytes())
        .find(|(k, _)| k == "key")
        .map(|(_, v)| v.into_owned())
}

fn check_key(http: &HttpOptions, headers: &HeaderMap, url_key: Option<&str>) -> Option<Answer> {
    let key = http.api_key.as_deref()?;
    let given = headers
        .get("x-api-key")
        .map(|v| v.as_bytes())
        .or(url_key.map(str::as_bytes))
        .unwrap_or_default();
    if constant_time_eq(given, key.as_bytes()) {
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

/// Equal length and content, in time that depends only on the lengths.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut diff = a.len() ^ b.len();
    for i in 0..a.len().max(b.len()) {
        let x = a.get(i).copied().unwrap_or(0);
        let y = b.get(i).copied().unwrap_or(0);
        diff |= (x ^ y) as usize;
    }
    diff == 0
}

/// The call log's record of one answered request.
#[allow(clippy::too_many_arguments)]
fn record(
    log: &calllog::CallLog,
    mock: &Mock,
    method: &http::Method,
    path: &str,
    query: Option<String>,
    headers: &HeaderMap,
    body: &[u8],
    answer: &Answer,
    t0: std::time::Instant,
) -> calllog::CallRecord {
    let header_of = |name: &str| {
        answer
            .headers
            .iter()
            .find(|(n, _)| n.as_str() == name)
            .and_then(|(_, v)| v.to_str().ok())
            .map(str::to_string)
    };
    let mut violations: Vec<String> = header_of(crate::compile::VIOLATIONS_HEADER)
        .map(|v| v.split("; ").map(str::to_string).collect())
        .unwrap_or_default();
    if violations.is_empty() && answer.status >= 400 {
        // A problem+json rejection lists them in its body.
        if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&answer.body) {
            if let Some(errors) = v.get("errors").and_then(|e| e.as_array()) {
                violations = errors
                    .iter()
                    .map(|e| {
                        let at = e
                            .get("name")
                            .or_else(|| e.get("pointer"))
                            .and_then(|x| x.as_str())
                            .unwrap_or("");
                        let place = e.get("in").and_then(|x| x.as_str()).unwrap_or("");
                        let msg = e.get("message").and_then(|x| x.as_str()).unwrap_or("");
                        format!("{place} {at}: {msg}")
                    })
                    .collect();
            }
        }
    }
    let cut = body.len().min(calllog::BODY_LIMIT);
    calllog::CallRecord {
        id: log.next_id(),
        time_ms: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or_default(),
        method: method.as_str().to_string(),
        path: path.to_string(),
        query,
        headers: headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    calllog::redact(k.as_str(), &String::from_utf8_lossy(v.as_bytes())),
                )
            })
            .collect(),
        body: String::from_utf8_lossy(&body[..cut]).into_owned(),
        body_truncated: cut < body.len(),
        operation: answer.operation.map(|i| mock.operation(i).id.clone()),
        matched: header_of(crate::compile::MATCH_HEADER),
        violations,
        status: answer.status,
        response_size: answer.body.len(),
        latency_us: t0.elapsed().as_micros() as u64,
    }
}

/// Reads the body, refusing with 413 as soon as it is known to exceed `limit`: at once from
/// `Content-Length`, or while streaming a chunked body.
async fn read_body<S, B>(headers: &HeaderMap, body: S, limit: usize) -> Result<Bytes, Answer>
where
    S: futures_util::Stream<Item = Result<B, warp::Error>>,
    B: bytes::Buf,
{
    use futures_util::StreamExt;
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
    let mut buf = bytes::BytesMut::new();
    let mut body = std::pin::pin!(body);
    while let Some(chunk) = body.next().await {
        let mut chunk = chunk.map_err(|e| {
            Answer::problem(&Problem::new(
                400,
                "Bad Request",
                format!("the request body could not be read: {e}"),
            ))
        })?;
        if buf.len() + chunk.remaining() > limit {
            // Read on (and discard) a little of what the client is still sending, so closing
            // the connection does not reset it before the client reads the 413.
            let drain = async {
                let mut drained = 0usize;
                while let Some(Ok(c)) = body.next().await {
                    drained += c.remaining();
                    if drained > DRAIN_LIMIT {
                        break;
                    }
                }
            };
            let _ = tokio::time::timeout(std::time::Duration::from_millis(200), drain).await;
            return Err(too_large());
        }
        while chunk.has_remaining() {
            let part = chunk.chunk();
            let n = part.len();
            buf.extend_from_slice(part);
            chunk.advance(n);
        }
    }
    Ok(buf.freeze())
}

/// One request through the pipeline.
pub fn handle(
    mock: &Mock,
    http: &HttpOptions,
    method: &http::Method,
    path: &str,
    query: Option<&str>,
    headers: &HeaderMap,
    body: &[u8],
) -> Answer {
    match Method::parse(method.as_str()) {
        Some(Method::Options) => options(mock, http, path, headers),
        Some(m) => mock.handle(&Request {
            method: m,
            path,
            query,
            headers,
            body,
        }),
        None => Answer::problem(&Problem::new(
            405,
            "Method Not Allowed",
            format!("{method} is not an HTTP method an OpenAPI document can describe"),
        )),
    }
}

/// The answer as an HTTP response, with CORS headers when they are on.
fn finish(answer: Answer, http: &HttpOptions, headers: &HeaderMap) -> warp::reply::Response {
    finish_response(to_response(answer), http, headers)
}

/// CORS headers on any response.
fn finish_response(
    mut response: warp::reply::Response,
    http: &HttpOptions,
    headers: &HeaderMap,
) -> warp::reply::Response {
    let origin = headers.get(header::ORIGIN);
    if http.cors {
        let h = response.headers_mut();
        match origin {
            Some(o) => {
                h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, o.clone());
                h.insert(
                    header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
                    HeaderValue::from_static("true"),
                );
                h.append(header::VARY, HeaderValue::from_static("Origin"));
            }
            None => {
                h.insert(
                    header::ACCESS_CONTROL_ALLOW_ORIGIN,
                    HeaderValue::from_static("*"),
                );
            }
        }
        h.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("*"),
        );
    }
    response
}

/// OPTIONS: the document's own OPTIONS operation if it has one; else a CORS preflight answer
/// (when CORS is on and the request is a preflight); else the `Allow` list.
fn options(mock: &Mock, http: &HttpOptions, path: &str, headers: &HeaderMap) -> Answer {
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    let allow = match mock.router.route(Method::Options, path) {
        Routed::Found { .. } => return mock.answer(Method::Options, path, accept),
        Routed::MethodNotAllowed { allow } => allow,
        Routed::NotFound => return mock.answer(Method::Options, path, accept),
    };
    let mut list: Vec<&str> = allow.iter().map(|m| m.as_str()).collect();
    list.push("OPTIONS");
    let joined = list.join(", ");
    let mut out = Vec::new();
    if let Ok(v) = HeaderValue::from_str(&joined) {
        out.push((header::ALLOW, v.clone()));
        if http.cors && headers.contains_key(header::ACCESS_CONTROL_REQUEST_METHOD) {
            let methods = headers
                .get(header::ACCESS_CONTROL_REQUEST_METHOD)
                .cloned()
                .unwrap_or(v);
            out.push((header::ACCESS_CONTROL_ALLOW_METHODS, methods));
            if let Some(req_headers) = headers.get(header::ACCESS_CONTROL_REQUEST_HEADERS) {
                out.push((header::ACCESS_CONTROL_ALLOW_HEADERS, req_headers.clone()));
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

fn to_response(answer: Answer) -> warp::reply::Response {
    let mut response = warp::reply::Response::new(answer.body.into());
    if let Some(fault) = answer.fault {
        response.extensions_mut().insert(fault);
    }
    *response.status_mut() = http::StatusCode::from_u16(answer.status)
        .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    let h = response.headers_mut();
    for (name, value) in answer.headers {
        h.append(name, value);
    }
    response
}

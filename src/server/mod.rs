//! The HTTP layer: warp turns a request into the pipeline's input and the pipeline's output into
//! a response. It owns ports, CORS and shutdown, not mocking rules. One catch-all filter hands
//! every request to [`handle`], which keeps warp's filter types small.

use crate::compile::{Answer, Mock, Request};
use crate::model::Method;
use crate::respond::problem::Problem;
use crate::route::Routed;
use bytes::Bytes;
use http::header::{self, HeaderMap, HeaderValue};
use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use warp::Filter;

/// Server-wide switches that are about HTTP, not mocking.
#[derive(Clone, Debug)]
pub struct HttpOptions {
    /// Answer CORS preflights and add `Access-Control-Allow-Origin` to every response.
    pub cors: bool,
    /// Bodies larger than this get 413, without being read whole.
    pub max_body: usize,
}

/// The default `--max-body`: 10 MB.
pub const DEFAULT_MAX_BODY: usize = 10 * 1024 * 1024;

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            cors: true,
            max_body: DEFAULT_MAX_BODY,
        }
    }
}

/// Serves `mock` on an already-bound listener until `shutdown` resolves; requests in flight
/// finish before this returns.
pub async fn serve(
    mock: Arc<Mock>,
    http: HttpOptions,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
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
                let mock = Arc::clone(&mock);
                let http = Arc::clone(&http);
                async move {
                    let body = match read_body(&headers, body, http.max_body).await {
                        Ok(b) => b,
                        Err(answer) => return finish(answer, &http, &headers),
                    };
                    let answer = handle(
                        &mock,
                        &http,
                        &method,
                        path.as_str(),
                        query.as_deref(),
                        &headers,
                        &body,
                    );
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
    warp::serve(filter)
        .incoming(listener)
        .graceful(shutdown)
        .run()
        .await;
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
    let origin = headers.get(header::ORIGIN);
    let mut response = to_response(answer);
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
    *response.status_mut() = http::StatusCode::from_u16(answer.status)
        .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    let h = response.headers_mut();
    for (name, value) in answer.headers {
        h.append(name, value);
    }
    response
}

//! `stubborn record`: a recording proxy. Every request is forwarded to the upstream and its
//! answer returned unchanged (hop-by-hop headers aside); every completed exchange is appended at
//! once, as one HAR 1.2 `entry` per line, to a journal next to the output (`OUTPUT.har.jsonl`),
//! so a crash loses nothing. On SIGINT/SIGTERM the recorder stops accepting, lets exchanges in
//! flight finish, and turns the whole journal (earlier runs included) into an OpenAPI 3.1
//! document with [`crate::load::har::har_to_openapi`].
//!
//! Upstreams are `http://` or `https://`, through [`crate::client`] (the one outbound client).
//!
//! Credentials (`Authorization`, cookies, `x-api-key`, and query parameters named like
//! `api_key` or `access_token`) are written as `[redacted]` unless `--keep-secrets` is given:
//! a recording is meant to be committed and shared. Request bodies over `--max-body` are
//! refused (413); response bodies over it are passed on whole but recorded cut.

use crate::cli::RecordArgs;
use crate::client::{self, end_to_end, BaseUrl, Client};
use crate::respond::problem::{self, Problem};
use http::header::{HeaderMap, HeaderName, HeaderValue};
use http_body_util::BodyExt;
use serde_json::{json, Map, Value};
use std::convert::Infallible;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime};

/// Query parameters taken for credentials when recording (the recorder has no document to say
/// which are): their values are redacted unless `--keep-secrets`.
const SECRET_QUERY: &[&str] = &[
    "api_key",
    "apikey",
    "api-key",
    "access_token",
    "client_secret",
    "password",
    "token",
    "key",
];

/// `spec.yaml` → `spec.yaml.har.jsonl`.
pub fn journal_path(output: &Path) -> PathBuf {
    let mut name = output.as_os_str().to_os_string();
    name.push(".har.jsonl");
    PathBuf::from(name)
}

pub fn run(args: &RecordArgs) -> Result<ExitCode, String> {
    let upstream = BaseUrl::parse(&args.upstream, "--upstream")?;
    let journal_file = journal_path(&args.output);
    let journal = open_journal(&journal_file)?;
    let client = Client::new(&args.upstream_client.options())?;
    if let Some(warning) = args.upstream_client.warning() {
        eprintln!("{warning}");
    }
    let state = Arc::new(State {
        upstream: upstream.clone(),
        client,
        journal: Mutex::new(journal),
        journal_path: journal_file.clone(),
        max_body: args.max_body,
        keep_secrets: args.keep_secrets,
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    let recorded = runtime.block_on(async {
        let addr = format!("{}:{}", args.host, args.port);
        let listener = tokio::net::TcpListener::bind(&addr)
            .await
            .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
        let local = listener.local_addr().map_err(|e| e.to_string())?;
        // Before `listening on`: whoever reads that line may stop the recorder at once.
        let shutdown = shutdown_signal();
        {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "recording http://{local} -> {upstream}");
            let _ = writeln!(out, "journal {}", journal_file.display());
            let _ = writeln!(out, "listening on http://{local}");
            let _ = out.flush();
        }
        serve(Arc::clone(&state), listener, shutdown).await;
        Ok::<_, String>(())
    });
    drop(runtime);
    recorded?;
    write_spec(&journal_file, &args.output)
}

/// Opens the journal for appending; a last line cut short by a crash is ended first, so the next
/// entry starts on a line of its own.
fn open_journal(path: &Path) -> Result<File, String> {
    let mut file = OpenOptions::new()
        .create(true)
        .read(true)
        .append(true)
        .open(path)
        .map_err(|e| format!("cannot open the journal {}: {e}", path.display()))?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    if len > 0 {
        let mut last = [0u8; 1];
        let ends_with_newline = file
            .seek(SeekFrom::Start(len - 1))
            .and_then(|_| file.read_exact(&mut last))
            .map(|_| last[0] == b'\n')
            .unwrap_or(true);
        if !ends_with_newline {
            file.write_all(b"\n")
                .map_err(|e| format!("cannot write the journal {}: {e}", path.display()))?;
        }
    }
    Ok(file)
}

struct State {
    upstream: BaseUrl,
    client: Client,
    journal: Mutex<File>,
    journal_path: PathBuf,
    /// `--max-body`: larger request bodies get 413; larger response bodies are recorded cut.
    max_body: usize,
    /// `--keep-secrets`: record credentials as they were sent.
    keep_secrets: bool,
}

type Response = http::Response<client::Body>;

/// The accept loop: until SIGINT/SIGTERM, then exchanges in flight finish (a second signal
/// stops waiting for them).
async fn serve(
    state: Arc<State>,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()>,
) {
    use hyper_util::rt::{TokioExecutor, TokioIo};
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(_) => {
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let state = Arc::clone(&state);
        let service =
            hyper::service::service_fn(move |req: http::Request<hyper::body::Incoming>| {
                let state = Arc::clone(&state);
                async move { Ok::<_, Infallible>(exchange(&state, req).await) }
            });
        let builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
        let conn = builder
            .serve_connection(TokioIo::new(stream), service)
            .into_owned();
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            let _ = conn.await;
        });
    }
    drop(listener);
    eprintln!("stopping: finishing the exchanges in flight");
    tokio::select! {
        _ = graceful.shutdown() => {},
        _ = shutdown_signal() => eprintln!("stopped without waiting for the exchanges in flight"),
    }
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM. The handlers are installed when this is called
/// (inside the runtime), not when the future is first polled: a signal that arrives right
/// after `listening on` must stop the server gracefully (flushing what it holds), not kill it.
/// `stubborn mock` and `proxy` stop on it too.
pub fn shutdown_signal() -> impl std::future::Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let handlers = signal(SignalKind::interrupt()).and_then(|interrupt| {
            signal(SignalKind::terminate()).map(|terminate| (interrupt, terminate))
        });
        async move {
            match handlers {
                Ok((mut interrupt, mut terminate)) => {
                    tokio::select! {
                        _ = interrupt.recv() => {},
                        _ = terminate.recv() => {},
                    }
                }
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
    }
    #[cfg(not(unix))]
    {
        async {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

fn problem_response(p: &Problem) -> Response {
    let mut r = http::Response::new(client::full(p.to_bytes()));
    *r.status_mut() = http::StatusCode::from_u16(p.status).unwrap_or(http::StatusCode::BAD_GATEWAY);
    r.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static(problem::CONTENT_TYPE),
    );
    r
}

/// Forwards one request, records the exchange, answers the client.
async fn exchange(state: &State, req: http::Request<hyper::body::Incoming>) -> Response {
    let started = SystemTime::now();
    let clock = Instant::now();
    let (parts, body) = req.into_parts();
    let too_large = || {
        problem_response(&Problem::new(
            413,
            "Content Too Large",
            format!(
                "the request body is larger than the {}-byte limit (--max-body)",
                state.max_body
            ),
        ))
    };
    let declared = parts
        .headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > state.max_body as u64) {
        return too_large();
    }
    let body = match http_body_util::Limited::new(body, state.max_body)
        .collect()
        .await
    {
        Ok(c) => c.to_bytes(),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => return too_large(),
        Err(e) => {
            return problem_response(&Problem::new(
                400,
                "Bad Request",
                format!("the request body could not be read: {e}"),
            ))
        }
    };
    let path_and_query = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let target = match state.upstream.join(path_and_query) {
        Ok(u) => u,
        Err(e) => return problem_response(&Problem::new(400, "Bad Request", e)),
    };
    let url = target.to_string();
    let request_headers = end_to_end(&parts.headers, &["host", "content-length"]);
    let mut forwarded = http::Request::new(client::full(body.clone()));
    *forwarded.method_mut() = parts.method.clone();
    *forwarded.uri_mut() = target;
    *forwarded.headers_mut() = request_headers.clone();
    let deadline = tokio::time::Instant::now() + state.client.timeout();
    let answer = match state.client.send(forwarded).await {
        Ok(a) => a,
        Err(e) => return bad_gateway(&state.upstream, &e),
    };
    let status = answer.status();
    let version = answer.version();
    let response_headers = end_to_end(answer.headers(), &[]);
    // Read up to --max-body; a larger body is passed on as it streams, recorded cut.
    let read = client::read_body(
        answer.into_body(),
        state.max_body,
        deadline,
        state.client.timeout(),
    )
    .await;
    let (buffered, rest) = match read {
        Ok(client::Read::Whole(b)) => (b, None),
        Ok(client::Read::Partial { head, rest }) => (head, Some(rest)),
        Err(e) => return bad_gateway(&state.upstream, &e),
    };
    let complete = rest.is_none();
    let response_body = buffered;
    let elapsed = clock.elapsed().as_secs_f64() * 1000.0;

    let entry = har_entry(&Recorded {
        started,
        elapsed_ms: elapsed,
        method: parts.method.as_str(),
        url: &url,
        request_version: parts.version,
        request_headers: &request_headers,
        request_body: &body,
        status: status.as_u16(),
        status_text: status.canonical_reason().unwrap_or(""),
        response_version: version,
        response_headers: &response_headers,
        response_body: &response_body,
        response_complete: complete,
        limit: state.max_body,
        keep_secrets: state.keep_secrets,
    });
    append(state, &entry);

    let body = match rest {
        None => client::full(response_body),
        Some(rest) => client::stream_on(response_body, rest),
    };
    let mut response = http::Response::new(body);
    *response.status_mut() = status;
    *response.headers_mut() = response_headers;
    response
}

fn bad_gateway(upstream: &BaseUrl, e: &client::Error) -> Response {
    let (status, title) = match e.kind {
        client::ErrorKind::Timeout => (504, "Gateway Timeout"),
        _ => (502, "Bad Gateway"),
    };
    problem_response(
        &Problem::new(
            status,
            title,
            format!("the upstream {upstream} did not answer: {e}"),
        )
        .with("upstream", json!(upstream.to_string())),
    )
}

/// Appends one entry as one line; the line is written with one call, so a crash cuts at most
/// the line being written.
fn append(state: &State, entry: &Value) {
    let mut line = serde_json::to_vec(entry).unwrap_or_default();
    line.push(b'\n');
    let mut file = match state.journal.lock() {
        Ok(f) => f,
        Err(poisoned) => poisoned.into_inner(),
    };
    if let Err(e) = file.write_all(&line).and_then(|_| file.flush()) {
        eprintln!(
            "warning: cannot append to the journal {}: {e}",
            state.journal_path.display()
        );
    }
}

struct Recorded<'a> {
    started: SystemTime,
    elapsed_ms: f64,
    method: &'a str,
    url: &'a str,
    request_version: http::Version,
    request_headers: &'a HeaderMap,
    request_body: &'a [u8],
    status: u16,
    status_text: &'a str,
    response_version: http::Version,
    response_headers: &'a HeaderMap,
    response_body: &'a [u8],
    /// Whether `response_body` is the whole body (else the upstream sent more than `limit`).
    response_complete: bool,
    /// `--max-body`: bodies are recorded up to this many bytes.
    limit: usize,
    /// `--keep-secrets`.
    keep_secrets: bool,
}

fn name_values(headers: &HeaderMap, keep_secrets: bool) -> Value {
    Value::Array(
        headers
            .iter()
            .map(|(n, v)| {
                let value = if !keep_secrets && crate::redact::is_secret_header(n.as_str(), &[]) {
                    crate::redact::REDACTED.into()
                } else {
                    String::from_utf8_lossy(v.as_bytes())
                };
                json!({"name": n.as_str(), "value": value})
            })
            .collect(),
    )
}

/// The URL with the values of credential-like query parameters ([`SECRET_QUERY`]) redacted.
fn redact_url(url: &str) -> String {
    let Some((base, query)) = url.split_once('?') else {
        return url.to_string();
    };
    let names: Vec<String> = form_urlencoded::parse(query.as_bytes())
        .map(|(k, _)| k.into_owned())
        .filter(|k| SECRET_QUERY.contains(&k.to_ascii_lowercase().as_str()))
        .collect();
    if names.is_empty() {
        return url.to_string();
    }
    format!("{base}?{}", crate::redact::redact_query(query, &names))
}

fn header(headers: &HeaderMap, name: &HeaderName) -> String {
    headers
        .get(name)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .unwrap_or_default()
}

/// The body as HAR text: UTF-8 as is, anything else base64; over `limit` (or not `complete`:
/// the rest was never read) cut, with a `comment` saying so.
fn body_fields(body: &[u8], limit: usize, complete: bool, into: &mut Map<String, Value>) {
    let (kept, truncated) = if body.len() > limit {
        (&body[..limit], true)
    } else {
        (body, !complete)
    };
    match std::str::from_utf8(kept) {
        Ok(t) => {
            into.insert("text".into(), json!(t));
        }
        // A cut in the middle of a character: keep the valid prefix as text.
        Err(e) if truncated && e.error_len().is_none() => {
            let t = std::str::from_utf8(&kept[..e.valid_up_to()]).unwrap_or("");
            into.insert("text".into(), json!(t));
        }
        Err(_) => {
            into.insert("text".into(), json!(base64(kept)));
            into.insert("encoding".into(), json!("base64"));
        }
    }
    if truncated {
        let size = if complete {
            format!("{} bytes", body.len())
        } else {
            format!("more than {limit} bytes")
        };
        into.insert(
            "comment".into(),
            json!(format!(
                "truncated by stubborn record: {size}, the first {} recorded (--max-body)",
                kept.len()
            )),
        );
    }
}

fn version_str(v: http::Version) -> &'static str {
    match v {
        http::Version::HTTP_09 => "HTTP/0.9",
        http::Version::HTTP_10 => "HTTP/1.0",
        http::Version::HTTP_2 => "HTTP/2.0",
        http::Version::HTTP_3 => "HTTP/3.0",
        _ => "HTTP/1.1",
    }
}

fn har_entry(r: &Recorded) -> Value {
    let url = if r.keep_secrets {
        r.url.to_string()
    } else {
        redact_url(r.url)
    };
    let query: Vec<Value> = url
        .split_once('?')
        .map(|(_, q)| {
            form_urlencoded::parse(q.as_bytes())
                .map(|(k, v)| json!({"name": k, "value": v}))
                .collect()
        })
        .unwrap_or_default();
    let mut request = Map::new();
    request.insert("method".into(), json!(r.method));
    request.insert("url".into(), json!(url));
    request.insert("httpVersion".into(), json!(version_str(r.request_version)));
    request.insert("cookies".into(), json!([]));
    request.insert(
        "headers".into(),
        name_values(r.request_headers, r.keep_secrets),
    );
    request.insert("queryString".into(), Value::Array(query));
    if !r.request_body.is_empty() {
        let mut post = Map::new();
        post.insert(
            "mimeType".into(),
            json!(header(r.request_headers, &http::header::CONTENT_TYPE)),
        );
        body_fields(r.request_body, r.limit, true, &mut post);
        request.insert("postData".into(), Value::Object(post));
    }
    request.insert("headersSize".into(), json!(-1));
    request.insert("bodySize".into(), json!(r.request_body.len()));

    let mut content = Map::new();
    content.insert("size".into(), json!(r.response_body.len()));
    content.insert(
        "mimeType".into(),
        json!(header(r.response_headers, &http::header::CONTENT_TYPE)),
    );
    if !r.response_body.is_empty() {
        body_fields(r.response_body, r.limit, r.response_complete, &mut content);
    }
    let location = header(r.response_headers, &http::header::LOCATION);
    let response = json!({
        "status": r.status,
        "statusText": r.status_text,
        "httpVersion": version_str(r.response_version),
        "cookies": [],
        "headers": name_values(r.response_headers, r.keep_secrets),
        "content": content,
        "redirectURL": location,
        "headersSize": -1,
        "bodySize": r.response_body.len(),
    });
    json!({
        "startedDateTime": rfc3339(r.started),
        "time": r.elapsed_ms,
        "request": request,
        "response": response,
        "cache": {},
        "timings": {"send": 0, "wait": r.elapsed_ms, "receive": 0},
    })
}

/// `2026-01-04T10:00:00.123Z`.
fn rfc3339(t: SystemTime) -> String {
    chrono::DateTime::<chrono::Utc>::from(t).to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Standard base64 with padding, as HAR's `encoding: base64` bodies are written.
fn base64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Every entry of the journal, in order; lines that do not read (a line cut by a crash) are
/// skipped with a warning.
pub fn read_journal(path: &Path) -> Result<Vec<Value>, String> {
    let file =
        File::open(path).map_err(|e| format!("cannot read the journal {}: {e}", path.display()))?;
    let mut entries = Vec::new();
    for (i, line) in BufReader::new(file).split(b'\n').enumerate() {
        let line = line.map_err(|e| format!("cannot read the journal {}: {e}", path.display()))?;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<Value>(&line) {
            Ok(v) if v.is_object() => entries.push(v),
            _ => eprintln!(
                "warning: {} line {}: not a recorded exchange; skipped",
                path.display(),
                i + 1
            ),
        }
    }
    Ok(entries)
}

/// The journal as a HAR document, converted and written to `output`.
fn write_spec(journal: &Path, output: &Path) -> Result<ExitCode, String> {
    let entries = read_journal(journal)?;
    let n = entries.len();
    if n == 0 {
        println!("0 exchanges recorded; {} not written", output.display());
        return Ok(ExitCode::SUCCESS);
    }
    let har = json!({
        "log": {
            "version": "1.2",
            "creator": {"name": "stubborn", "version": env!("CARGO_PKG_VERSION")},
            "entries": entries,
        }
    });
    let document = crate::load::har::har_to_openapi(&har).map_err(|e| {
        format!(
            "{}: {e}; {} not written",
            journal.display(),
            output.display()
        )
    })?;
    let operations = document
        .get("paths")
        .and_then(Value::as_object)
        .map(|paths| {
            paths
                .values()
                .filter_map(Value::as_object)
                .map(|item| item.len())
                .sum::<usize>()
        })
        .unwrap_or(0);
    let as_json = output
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let mut text = if as_json {
        serde_json::to_string_pretty(&document).map_err(|e| e.to_string())?
    } else {
        crate::import::yaml::to_yaml(&document)
    };
    if !text.ends_with('\n') {
        text.push('\n');
    }
    // Written beside and renamed, so a reader never sees half a document.
    let mut partial = output.as_os_str().to_os_string();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    std::fs::write(&partial, &text)
        .and_then(|_| std::fs::rename(&partial, output))
        .map_err(|e| {
            let _ = std::fs::remove_file(&partial);
            format!("cannot write {}: {e}", output.display())
        })?;
    println!(
        "{n} {}, {operations} {} written to {}",
        if n == 1 { "exchange" } else { "exchanges" },
        if operations == 1 {
            "operation"
        } else {
            "operations"
        },
        output.display()
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_standard() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64(&[0xff, 0xfe, 0x00]), "//4A");
    }

    #[test]
    fn dates_are_rfc3339() {
        use std::time::UNIX_EPOCH;
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
        let t = UNIX_EPOCH + std::time::Duration::from_millis(1_709_210_096_789);
        assert_eq!(rfc3339(t), "2024-02-29T12:34:56.789Z");
    }

    #[test]
    fn large_bodies_are_recorded_truncated() {
        let body = vec![b'a'; 1005];
        let mut m = Map::new();
        body_fields(&body, 1000, true, &mut m);
        assert_eq!(m["text"].as_str().unwrap().len(), 1000);
        assert!(m["comment"].as_str().unwrap().contains("1005 bytes"));
        let mut m = Map::new();
        body_fields(&body[..1000], 1000, false, &mut m);
        assert!(m["comment"]
            .as_str()
            .unwrap()
            .contains("more than 1000 bytes"));
        let mut m = Map::new();
        body_fields(&[0xff, 0x00], 1000, true, &mut m);
        assert_eq!(m["encoding"], "base64");
    }

    #[test]
    fn credential_like_query_parameters_are_redacted() {
        assert_eq!(
            redact_url("http://u/x?page=2&api_key=s3cret&Access_Token=t"),
            "http://u/x?page=2&api_key=[redacted]&Access_Token=[redacted]"
        );
        assert_eq!(redact_url("http://u/x?page=2"), "http://u/x?page=2");
    }

    #[test]
    fn journal_path_is_next_to_the_output() {
        assert_eq!(
            journal_path(Path::new("out/spec.yaml")),
            PathBuf::from("out/spec.yaml.har.jsonl")
        );
    }
}

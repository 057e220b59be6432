//! OpenAPI 3.2 and streaming answers, over HTTP: the `query` operation and
//! `additionalOperations`, `in: querystring`, example objects' `dataValue`/`serializedValue`/
//! `externalValue`, and streams from `itemSchema` (server-sent events read by a real
//! `EventSource` in headless Chromium, JSON Lines read line by line, a stream stopped when its
//! client goes away), plus event streams described by a plain `schema` in a 3.1 document
//! shaped like OpenAI's chat completions.

mod common;

use common::{client, fixture, TestServer};
use futures_util::StreamExt;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use stubborn::compile::MockOptions;
use stubborn::server::HttpOptions;

fn streams() -> TestServer {
    TestServer::start_at(
        &fixture("openapi32/streams.yaml"),
        MockOptions::default(),
        HttpOptions::default(),
    )
}

fn method(name: &str) -> reqwest::Method {
    reqwest::Method::from_bytes(name.as_bytes()).expect("method")
}

/// A schema as a compiled JSON Schema validator (draft 2020-12).
fn validator(schema: Value) -> jsonschema::Validator {
    jsonschema::validator_for(&schema).expect("schema compiles")
}

#[test]
fn every_32_construct_loads() {
    let api = stubborn::load::load_file(&fixture("openapi32/streams.yaml")).expect("loads");
    assert_eq!(api.format, "OpenAPI 3.2.0");
    let methods: Vec<String> = api
        .operations
        .iter()
        .map(|o| format!("{} {}", o.method, o.path))
        .collect();
    assert!(
        methods.contains(&"QUERY /search".to_string()),
        "{methods:?}"
    );
    assert!(
        methods.contains(&"LINK /items/{id}".to_string()),
        "{methods:?}"
    );
    let find = api.operations.iter().position(|o| o.id == "find").unwrap();
    assert_eq!(
        api.querystring(find).map(|q| q.name.as_str()),
        Some("filter")
    );
    assert!(api.warnings.is_empty(), "{:?}", api.warnings);
    // Still refused: a version that is not 3.x.
    let err = stubborn::load::load_str("v4.yaml", "openapi: 4.0.0\n").unwrap_err();
    assert!(err.to_string().contains("3.2.x"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_query_request_with_a_body_is_validated_and_answered() {
    let server = streams();
    let ok = client()
        .request(method("QUERY"), server.url("/search"))
        .json(&json!({"term": "rex", "limit": 10}))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(
        ok.json::<Value>().await.unwrap(),
        json!({"hits": ["rex", "tom"]})
    );
    let bad = client()
        .request(method("QUERY"), server.url("/search"))
        .json(&json!({"term": "", "limit": 500}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    let problem: Value = bad.json().await.unwrap();
    let pointers: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["pointer"].as_str())
        .collect();
    assert!(pointers.contains(&"/term"), "{problem}");
    assert!(pointers.contains(&"/limit"), "{problem}");
}

#[tokio::test(flavor = "multi_thread")]
async fn additional_operations_are_routed_and_allow_lists_them() {
    let server = streams();
    let linked = client()
        .request(method("LINK"), server.url("/items/7"))
        .send()
        .await
        .unwrap();
    assert_eq!(linked.status(), 204);
    let refused = client()
        .delete(server.url("/items/7"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 405);
    let allow = refused.headers()["allow"].to_str().unwrap().to_string();
    assert!(allow.contains("GET") && allow.contains("LINK"), "{allow}");
    let refused = client().get(server.url("/search")).send().await.unwrap();
    assert_eq!(refused.status(), 405);
    assert!(refused.headers()["allow"]
        .to_str()
        .unwrap()
        .contains("QUERY"));
    // OPTIONS lists them too.
    let options = client()
        .request(reqwest::Method::OPTIONS, server.url("/items/7"))
        .send()
        .await
        .unwrap();
    let allow = options.headers()["allow"].to_str().unwrap();
    assert!(allow.contains("LINK"), "{allow}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_querystring_parameter_is_validated_as_one_value() {
    let server = streams();
    let ok = client()
        .get(server.url("/find?q=rex&page=2"))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    let bad = client()
        .get(server.url("/find?q=r&page=0&extra=1"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    let problem: Value = bad.json().await.unwrap();
    let names: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert_eq!(e["in"], "query", "{problem}");
            e["name"].as_str().unwrap()
        })
        .collect();
    assert!(names.contains(&"filter/q"), "{problem}");
    assert!(names.contains(&"filter/page"), "{problem}");
    let missing = client().get(server.url("/find")).send().await.unwrap();
    assert_eq!(missing.status(), 422);
    // JSON in the query string, percent-encoded.
    let ok = client()
        .get(server.url("/jsonfind?%7B%22kind%22%3A%22cat%22%7D"))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    let bad = client()
        .get(server.url("/jsonfind?%7B%22kind%22%3A%22cow%22%7D"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
}

#[tokio::test(flavor = "multi_thread")]
async fn example_objects_data_serialized_and_external_values() {
    let server = streams();
    let get = |example: &'static str, accept: &'static str| {
        client()
            .get(server.url("/examples"))
            .header("prefer", format!("example={example}"))
            .header("accept", accept)
            .send()
    };
    let data = get("data", "application/json").await.unwrap();
    assert_eq!(data.json::<Value>().await.unwrap(), json!({"a": 1}));
    let raw = get("raw", "application/json").await.unwrap();
    assert_eq!(raw.text().await.unwrap(), r#"{"a":   2}"#);
    let file = get("file", "text/plain").await.unwrap();
    assert_eq!(file.status(), 200);
    assert_eq!(file.text().await.unwrap(), "hello from a file\n");
}

/// Reads a streaming answer chunk by chunk, with the time each arrived.
async fn chunks(response: reqwest::Response) -> Vec<(Duration, String)> {
    let t0 = Instant::now();
    let mut out = Vec::new();
    let mut body = response.bytes_stream();
    while let Some(chunk) = body.next().await {
        out.push((
            t0.elapsed(),
            String::from_utf8(chunk.unwrap().to_vec()).unwrap(),
        ));
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn a_json_lines_stream_is_read_line_by_line() {
    let server = streams();
    let response = client()
        .get(server.url("/logs"))
        .header("accept", "application/jsonl")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/jsonl");
    assert!(response.headers().get("content-length").is_none());
    let got = chunks(response).await;
    // x-stubborn-stream: 4 items, 150 ms apart.
    let lines: Vec<&str> = got
        .iter()
        .flat_map(|(_, c)| c.lines())
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(lines.len(), 4, "{got:?}");
    let line_schema = validator(json!({
        "type": "object", "required": ["level", "line"],
        "properties": {"level": {"enum": ["debug", "info", "warn", "error"]},
                       "line": {"type": "string", "maxLength": 40}}
    }));
    for line in &lines {
        let v: Value = serde_json::from_str(line).unwrap();
        assert!(line_schema.is_valid(&v), "{line}");
    }
    let span = got.last().unwrap().0 - got.first().unwrap().0;
    assert!(
        span >= Duration::from_millis(400),
        "arrived at once: {got:?}"
    );

    // Prefer wins over the extension; json-seq frames each record with RS.
    let seq = client()
        .get(server.url("/logs"))
        .header("accept", "application/json-seq")
        .header("prefer", "stream-count=2, stream-interval=0")
        .send()
        .await
        .unwrap();
    let text = seq.text().await.unwrap();
    assert_eq!(text.matches('\u{1e}').count(), 2, "{text:?}");
    // multipart/mixed: parts and a closing boundary.
    let parts = client()
        .get(server.url("/logs"))
        .header("accept", "multipart/mixed")
        .header("prefer", "stream-count=3, stream-interval=0")
        .send()
        .await
        .unwrap();
    assert!(parts.headers()["content-type"]
        .to_str()
        .unwrap()
        .contains("boundary=stubborn-stream"));
    let text = parts.text().await.unwrap();
    assert_eq!(text.matches("--stubborn-stream\r\n").count(), 3, "{text}");
    assert!(text.ends_with("--stubborn-stream--\r\n"), "{text}");
    // Out of bounds: refused, not served.
    let too_many = client()
        .get(server.url("/logs"))
        .header("accept", "application/jsonl")
        .header("prefer", "stream-count=100000")
        .send()
        .await
        .unwrap();
    assert_eq!(too_many.status(), 400);
}

#[tokio::test(flavor = "multi_thread")]
async fn events_follow_the_item_schema_and_serialized_streams_are_sent_as_written() {
    let server = streams();
    let response = client()
        .get(server.url("/events"))
        .header("accept", "text/event-stream")
        .header("prefer", "stream-count=3, stream-interval=10")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let text = response.text().await.unwrap();
    let events: Vec<&str> = text.split("\n\n").filter(|e| !e.is_empty()).collect();
    assert_eq!(events.len(), 3, "{text}");
    let data_schema = validator(json!({
        "type": "object", "required": ["n", "msg"],
        "properties": {"n": {"type": "integer", "minimum": 0, "maximum": 100},
                       "msg": {"type": "string", "maxLength": 20}}
    }));
    for e in events {
        assert!(e.starts_with("event: tick\nid: "), "{e}");
        let data = e.lines().find_map(|l| l.strip_prefix("data: ")).unwrap();
        assert!(
            data_schema.is_valid(&serde_json::from_str(data).unwrap()),
            "{data}"
        );
    }
    let recorded = client()
        .get(server.url("/recorded"))
        .header("prefer", "stream-interval=0")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(recorded, "event: a\ndata: 1\n\nevent: b\ndata: 2\n\n");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_json_lines_request_body_is_validated_item_by_item() {
    let server = streams();
    let post = |body: &'static str| {
        client()
            .post(server.url("/logs"))
            .header("content-type", "application/jsonl")
            .body(body)
            .send()
    };
    let ok = post("{\"level\":\"info\",\"line\":\"a\"}\n{\"level\":\"warn\",\"line\":\"b\"}\n")
        .await
        .unwrap();
    assert_eq!(ok.status(), 204);
    let bad = post("{\"level\":\"info\",\"line\":\"a\"}\n{\"level\":\"loud\",\"line\":\"b\"}\n")
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    let problem: Value = bad.json().await.unwrap();
    assert_eq!(problem["errors"][0]["pointer"], "/1/level", "{problem}");
    let broken = post("{\"level\":\"info\",\"line\":\"a\"}\nnot json\n")
        .await
        .unwrap();
    assert_eq!(broken.status(), 400);
}

async fn open_streams(server: &TestServer) -> u64 {
    let health: Value = client()
        .get(server.url("/__stubborn/health"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    health["openStreams"].as_u64().expect("openStreams")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stream_stops_when_its_client_goes_away() {
    let server = streams();
    assert_eq!(open_streams(&server).await, 0);
    let response = client()
        .get(server.url("/events"))
        .header("prefer", "stream-count=10000, stream-interval=100")
        .send()
        .await
        .unwrap();
    let mut body = response.bytes_stream();
    let first = body.next().await.unwrap().unwrap();
    assert!(first.starts_with(b"event: tick"));
    assert_eq!(open_streams(&server).await, 1);
    drop(body);
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let open = open_streams(&server).await;
        if open == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "still {open} open streams");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_event_stream_with_a_plain_schema_streams_chat_completion_chunks() {
    let server = TestServer::start_at(
        &fixture("openapi32/chat31.yaml"),
        MockOptions::default(),
        HttpOptions::default(),
    );
    let request = json!({"model": "gpt-x", "messages": [{"role": "user", "content": "hi"}]});
    let chunk_schema = validator(json!({
        "type": "object", "required": ["id", "object", "created", "model", "choices"],
        "properties": {"object": {"const": "chat.completion.chunk"}}
    }));
    let check = |text: &str| {
        let events: Vec<&str> = text.split("\n\n").filter(|e| !e.is_empty()).collect();
        assert_eq!(events.len(), 5, "{text}");
        for e in events {
            let data = e.lines().find_map(|l| l.strip_prefix("data: ")).unwrap();
            let v: Value = serde_json::from_str(data).unwrap();
            assert!(chunk_schema.is_valid(&v), "{v}");
        }
    };
    // Asked for by Accept.
    let sse = client()
        .post(server.url("/chat/completions"))
        .header("accept", "text/event-stream")
        .header("prefer", "stream-interval=1")
        .json(&request)
        .send()
        .await
        .unwrap();
    assert_eq!(sse.status(), 200);
    assert_eq!(sse.headers()["content-type"], "text/event-stream");
    check(&sse.text().await.unwrap());
    // Asked for by `"stream": true`, as OpenAI's clients do.
    let mut streaming = request.clone();
    streaming["stream"] = json!(true);
    let sse = client()
        .post(server.url("/chat/completions"))
        .header("prefer", "stream-interval=1")
        .json(&streaming)
        .send()
        .await
        .unwrap();
    assert_eq!(sse.headers()["content-type"], "text/event-stream");
    check(&sse.text().await.unwrap());
    // Otherwise, one JSON answer.
    let plain = client()
        .post(server.url("/chat/completions"))
        .json(&request)
        .send()
        .await
        .unwrap();
    assert_eq!(plain.headers()["content-type"], "application/json");
    let v: Value = plain.json().await.unwrap();
    assert_eq!(v["object"], "chat.completion");
}

#[test]
fn the_stream_flags_are_read_and_bounded() {
    let spec = fixture("openapi32/streams.yaml");
    let spec = spec.to_str().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_stubborn"))
        .args(["mock", spec, "--port", "0", "--max-delay", "1s"])
        .args(["--stream-interval", "5s"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--stream-interval"), "{stderr}");
    let server = common::Binary::mock(&[spec, "--stream-count", "2", "--stream-interval", "0"]);
    let text = blocking_get(&format!("{}/events", server.base));
    assert_eq!(text.matches("event: tick").count(), 2, "{text}");
}

/// A GET on a thread of its own (the CLI test is synchronous).
fn blocking_get(url: &str) -> String {
    let url = url.to_string();
    std::thread::spawn(move || {
        tokio::runtime::Runtime::new()
            .unwrap()
            .block_on(async move { reqwest::get(url).await.unwrap().text().await.unwrap() })
    })
    .join()
    .unwrap()
}

// --- A real EventSource in headless Chromium -------------------------------------------------

const BROWSER: &str = "/usr/bin/chromium";

/// The browser, if it is installed. Without it the test fails under CI and is skipped (with a
/// notice) elsewhere, as the dashboard's test does.
fn browser() -> Option<std::path::PathBuf> {
    let path = std::path::PathBuf::from(BROWSER);
    if path.is_file() {
        return Some(path);
    }
    if std::env::var_os("CI").is_some() {
        panic!("{BROWSER} is missing, and CI is set: the EventSource test must run in CI");
    }
    eprintln!("notice: skipping the EventSource test: {BROWSER} is not installed");
    None
}

#[tokio::test(flavor = "multi_thread")]
async fn a_real_event_source_reads_the_events_one_by_one() {
    let Some(browser) = browser() else {
        return;
    };
    let server = streams();
    let profile = common::TempDir::new("oas32-chromium");
    let url = server.url("/page");
    let dom = tokio::task::spawn_blocking(move || {
        let out = std::process::Command::new(browser)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
            ])
            .arg(format!("--user-data-dir={}", profile.0.join("p").display()))
            .arg("--dump-dom")
            .arg(url)
            .stdin(std::process::Stdio::null())
            .output()
            .expect("chromium starts");
        assert!(
            out.status.success(),
            "chromium failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    })
    .await
    .unwrap();
    let start = dom.find("<pre id=\"out\">").expect("the page") + "<pre id=\"out\">".len();
    let text = &dom[start..start + dom[start..].find("</pre>").unwrap()];
    let text = text
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    let got = text
        .strip_prefix("done ")
        .unwrap_or_else(|| panic!("the page did not get 4 events: {text}"));
    let events: Vec<Value> = serde_json::from_str(got).unwrap();
    assert_eq!(events.len(), 4);
    let data_schema = validator(json!({
        "type": "object", "required": ["n", "msg"],
        "properties": {"n": {"type": "integer", "minimum": 0, "maximum": 100},
                       "msg": {"type": "string", "maxLength": 20}}
    }));
    // Real time (no virtual time budget: the page's slow image holds the dump back), so the
    // arrival times are the browser's own.
    let mut last_at = -1.0;
    for e in &events {
        assert_eq!(e["type"], "tick");
        assert!(e["id"]
            .as_str()
            .unwrap()
            .chars()
            .all(|c| c.is_ascii_digit()));
        let data: Value = serde_json::from_str(e["data"].as_str().unwrap()).unwrap();
        assert!(data_schema.is_valid(&data), "{data}");
        let at = e["at"].as_f64().unwrap();
        assert!(at > last_at, "events out of order: {events:?}");
        last_at = at;
    }
    // One by one: the last arrived well after the first (250 ms apart by default).
    let span = last_at - events[0]["at"].as_f64().unwrap();
    assert!(span >= 500.0, "events arrived together: {events:?}");
}

fn convert(spec: &std::path::Path, to: &str) -> (Value, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_stubborn"))
        .arg("convert")
        .arg(spec)
        .args(["--to", to])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc = stubborn::load::source::parse_document(&String::from_utf8_lossy(&out.stdout))
        .expect("YAML out");
    (doc, String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn convert_reads_32_and_writes_either_version() {
    let spec = fixture("openapi32/streams.yaml");
    // 3.2 → 3.1: what 3.1 can say is kept, the rest dropped with a note.
    let (doc, notes) = convert(&spec, "openapi-3.1");
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc.pointer("/paths/~1search/query").is_none());
    assert!(doc
        .pointer("/paths/~1items~1{id}/additionalOperations")
        .is_none());
    assert_eq!(
        doc.pointer(
            "/paths/~1examples/get/responses/200/content/application~1json/examples/data/value"
        ),
        Some(&json!({"a": 1}))
    );
    assert!(doc
        .pointer("/paths/~1events/get/responses/200/content/text~1event-stream/$ref")
        .is_none());
    assert!(notes.contains("QUERY operation of /search"), "{notes}");
    assert!(notes.contains("itemSchema"), "{notes}");
    assert!(notes.contains("querystring"), "{notes}");
    // The 3.1 result loads.
    let dir = common::TempDir::new("oas32-convert");
    let out = dir.0.join("down.json");
    std::fs::write(&out, serde_json::to_vec(&doc).unwrap()).unwrap();
    stubborn::load::load_file(&out).expect("the 3.1 document loads");
    // 3.1 (and 3.0) → 3.2.
    let (doc, _) = convert(&fixture("openapi32/chat31.yaml"), "openapi-3.2");
    assert_eq!(doc["openapi"], "3.2.0");
    std::fs::write(&out, serde_json::to_vec(&doc).unwrap()).unwrap();
    let api = stubborn::load::load_file(&out).expect("the 3.2 document loads");
    assert_eq!(api.format, "OpenAPI 3.2.0");
    // 3.2 → 3.2 keeps the 3.2 constructs.
    let (doc, _) = convert(&spec, "3.2");
    assert!(doc.pointer("/paths/~1search/query").is_some());
}

/// The slow-loris guard closes connections idle for a whole `--header-timeout`; a stream
/// whose items are further apart than that is not idle.
#[tokio::test(flavor = "multi_thread")]
async fn a_stream_slower_than_the_header_timeout_is_not_cut() {
    let server = TestServer::start_at(
        &fixture("openapi32/streams.yaml"),
        MockOptions::default(),
        HttpOptions {
            header_timeout: Duration::from_secs(1),
            ..HttpOptions::default()
        },
    );
    let response = client()
        .get(server.url("/logs"))
        .header("accept", "application/jsonl")
        .header("prefer", "stream-count=3, stream-interval=2500")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let got = chunks(response).await;
    let lines = got
        .iter()
        .flat_map(|(_, c)| c.lines())
        .filter(|l| !l.is_empty())
        .count();
    assert_eq!(lines, 3, "{got:?}");
}

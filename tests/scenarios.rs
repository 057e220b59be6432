//! The choose step over HTTP: explicit selection, scenarios by closest match, defaults,
//! latency and simulated server errors.

mod common;

use common::{client, TestServer};
use serde_json::{json, Value};
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use stubborn::compile::MockOptions;
use stubborn::server::HttpOptions;

fn server() -> &'static TestServer {
    static S: OnceLock<TestServer> = OnceLock::new();
    S.get_or_init(|| TestServer::start("scenarios.yaml"))
}

async fn call(
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut req = client().request(
        reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
        server().url(path),
    );
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    if let Some(b) = body {
        req = req
            .header("content-type", "application/json")
            .body(b.to_string());
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let h = r.headers().clone();
    let text = r.text().await.unwrap();
    (
        status,
        h,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

#[tokio::test]
async fn scenarios_by_path_parameter() {
    let (s, h, b) = call("GET", "/pets/1", &[], None).await;
    assert_eq!((s, b["name"].clone()), (200, json!("Tom")));
    assert!(
        h["x-stubborn-match"]
            .to_str()
            .unwrap()
            .starts_with("scenario=cat"),
        "{h:?}"
    );
    let (s, _, b) = call("GET", "/pets/2", &[], None).await;
    assert_eq!((s, b["name"].clone()), (200, json!("Rex")));
    // A path example can lead to an example under another status.
    let (s, _, b) = call("GET", "/pets/404", &[], None).await;
    assert_eq!((s, b["message"].clone()), (404, json!("pet 404 ran away")));
    // Nothing shared with any scenario: the default (the first 2xx example).
    let (s, h, b) = call("GET", "/pets/77", &[], None).await;
    assert_eq!((s, b["name"].clone()), (200, json!("Tom")));
    assert_eq!(h["x-stubborn-match"], "default");
}

#[tokio::test]
async fn scenarios_by_query_and_header_closest_wins() {
    let (_, _, b) = call("GET", "/pets?kind=dog", &[], None).await;
    assert_eq!(b, json!([{"id": 2, "name": "Rex", "kind": "dog"}]));
    let (_, _, b) = call("GET", "/pets?kind=cat", &[], None).await;
    assert_eq!(b, json!([{"id": 1, "name": "Tom", "kind": "cat"}]));
    // The tenant header alone points at "cats": it shares one field, more than "dogs".
    let (_, h, b) = call("GET", "/pets", &[("x-tenant", "acme")], None).await;
    assert_eq!(b[0]["kind"], "cat");
    assert!(
        h["x-stubborn-match"]
            .to_str()
            .unwrap()
            .contains("header.x-tenant"),
        "{h:?}"
    );
    // Case-insensitive agreement still counts, less than an exact one.
    let (_, h, b) = call("GET", "/pets", &[("x-tenant", "ACME")], None).await;
    assert_eq!(b[0]["kind"], "cat");
    assert!(
        h["x-stubborn-match"].to_str().unwrap().contains("score=1"),
        "{h:?}"
    );
    // An exact value outweighs a case-insensitive one: kind=dog (2) beats ACME (1).
    let (_, _, b) = call("GET", "/pets?kind=dog", &[("x-tenant", "ACME")], None).await;
    assert_eq!(b[0]["kind"], "dog");
}

#[tokio::test]
async fn scenarios_by_body_and_hard_conditions() {
    let (s, _, b) = call(
        "POST",
        "/pets",
        &[],
        Some(json!({"name": "Tom", "kind": "cat"})),
    )
    .await;
    assert_eq!(
        (s, b["message"].clone()),
        (409, json!("Tom is already registered"))
    );
    // Closest match: shares the name with "duplicate", not the kind.
    let (s, _, _) = call(
        "POST",
        "/pets",
        &[],
        Some(json!({"name": "Tom", "kind": "dog"})),
    )
    .await;
    assert_eq!(s, 409);
    // Hard conditions: both the header and the body regex must hold.
    let (s, h, b) = call(
        "POST",
        "/pets",
        &[("x-tier", "gold")],
        Some(json!({"name": "Goldie", "kind": "dog"})),
    )
    .await;
    assert_eq!((s, b["id"].clone()), (201, json!(99)));
    assert_eq!(h["x-priority"], "high");
    let (_, _, b) = call(
        "POST",
        "/pets",
        &[("x-tier", "gold")],
        Some(json!({"name": "goldie", "kind": "dog"})),
    )
    .await;
    assert_eq!(b["id"], 3, "the regex fails: the default");
    // x-stubborn-default names the example that answers when nothing matches.
    let (s, h, b) = call(
        "POST",
        "/pets",
        &[],
        Some(json!({"name": "Felix", "kind": "dog"})),
    )
    .await;
    assert_eq!((s, b["id"].clone()), (201, json!(3)));
    assert_eq!(h["x-stubborn-match"], "default; x-stubborn-default=created");
}

#[tokio::test]
async fn explicit_selection_by_every_header() {
    let (s, h, b) = call("GET", "/pets/1", &[("prefer", "example=dog")], None).await;
    assert_eq!((s, b["name"].clone()), (200, json!("Rex")));
    assert_eq!(h["x-stubborn-match"], "explicit; example=dog");
    let (s, _, b) = call("GET", "/pets/1", &[("prefer", "code=404")], None).await;
    assert_eq!((s, b["message"].clone()), (404, json!("pet 404 ran away")));
    let (s, _, b) = call("GET", "/pets/1", &[("x-mock-response-name", "dog")], None).await;
    assert_eq!((s, b["name"].clone()), (200, json!("Rex")));
    let (s, _, _) = call("GET", "/pets/1", &[("x-mock-response-code", "404")], None).await;
    assert_eq!(s, 404);
    let (s, _, b) = call(
        "POST",
        "/pets",
        &[("prefer", "code=409, example=duplicate")],
        Some(json!({"name": "A", "kind": "cat"})),
    )
    .await;
    assert_eq!(
        (s, b["message"].clone()),
        (409, json!("Tom is already registered"))
    );
}

#[tokio::test]
async fn unknown_codes_and_names_list_what_exists() {
    let (s, h, b) = call("GET", "/pets/1", &[("prefer", "code=418")], None).await;
    assert_eq!(s, 404);
    assert_eq!(h["content-type"], "application/problem+json");
    assert_eq!(b["documented"], json!(["200", "404"]));
    let (s, _, b) = call("GET", "/pets/1", &[("prefer", "example=hamster")], None).await;
    assert_eq!(s, 404);
    assert_eq!(b["examples"], json!(["cat", "dog", "lost"]));
    let (s, _, _) = call("GET", "/pets/1", &[("prefer", "code=nope")], None).await;
    assert_eq!(s, 400);
}

#[tokio::test]
async fn range_codes_and_simulated_server_errors() {
    // 5XX is documented: code=503 answers it with status 503.
    let (s, _, b) = call(
        "POST",
        "/pets",
        &[("prefer", "code=503")],
        Some(json!({"name": "A", "kind": "cat"})),
    )
    .await;
    assert_eq!(
        (s, b["message"].clone()),
        (503, json!("the clinic is closed"))
    );
    // Not documented at all: a simulated 503 problem.
    let (s, h, b) = call("GET", "/pets/1", &[("prefer", "code=503")], None).await;
    assert_eq!(s, 503);
    assert_eq!(h["content-type"], "application/problem+json");
    assert!(b["detail"].as_str().unwrap().contains("simulated"));
}

#[tokio::test]
async fn dynamic_and_seed_preferences() {
    let s = TestServer::start("petstore.yaml");
    let get = |prefer: &'static str| {
        let url = s.url("/pets/1");
        async move {
            client()
                .get(url)
                .header("prefer", prefer)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        }
    };
    assert_eq!(get("seed=11").await, get("seed=11").await);
    assert_ne!(get("seed=11").await, get("seed=12").await);
    assert_ne!(get("dynamic=true").await, get("dynamic=true").await);
    let fixed = client()
        .get(s.url("/pets/1"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(get("dynamic=false").await, fixed);
}

#[tokio::test]
async fn delays_are_measured_and_do_not_block_others() {
    // x-stubborn-delay: 50 on GET /pets.
    let t = Instant::now();
    let (s, _, _) = call("GET", "/pets", &[], None).await;
    assert_eq!(s, 200);
    let took = t.elapsed();
    assert!(
        took >= Duration::from_millis(50) && took < Duration::from_millis(1000),
        "{took:?}"
    );
    // Prefer: delay wins; a slow request does not hold up a fast one.
    let slow = tokio::spawn(async {
        let t = Instant::now();
        call("GET", "/pets/1", &[("prefer", "delay=400")], None).await;
        t.elapsed()
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
    let t = Instant::now();
    call("GET", "/pets/2", &[], None).await;
    assert!(
        t.elapsed() < Duration::from_millis(300),
        "fast request waited {:?}",
        t.elapsed()
    );
    let slow = slow.await.unwrap();
    assert!(slow >= Duration::from_millis(400), "{slow:?}");
}

#[tokio::test]
async fn global_delay_range() {
    let s = TestServer::start_with(
        "petstore.yaml",
        MockOptions {
            delay: Some((100, 150)),
            ..Default::default()
        },
        HttpOptions::default(),
    );
    for _ in 0..3 {
        let t = Instant::now();
        client().get(s.url("/pets")).send().await.unwrap();
        let took = t.elapsed();
        assert!(
            took >= Duration::from_millis(100) && took < Duration::from_millis(1000),
            "{took:?}"
        );
    }
}

#[tokio::test]
async fn chaos_rate_within_statistical_bounds() {
    let s = TestServer::start_with(
        "scenarios.yaml",
        MockOptions {
            chaos: 0.2,
            ..Default::default()
        },
        HttpOptions::default(),
    );
    let c = client();
    let mut errors = 0;
    let mut documented = 0;
    for _ in 0..1000 {
        let r = c.get(s.url("/pets/1")).send().await.unwrap();
        if r.status().is_server_error() {
            errors += 1;
            assert_eq!(r.headers()["content-type"], "application/problem+json");
        }
        let r = c
            .post(s.url("/pets"))
            .header("content-type", "application/json")
            .body(r#"{"name":"A","kind":"cat"}"#)
            .send()
            .await
            .unwrap();
        if r.status().is_server_error() {
            // POST /pets documents 5XX: its own example answers.
            let b: Value = r.json().await.unwrap();
            assert_eq!(b["message"], "the clinic is closed");
            documented += 1;
        }
    }
    // Binomial(1000, 0.2): mean 200, sd ~12.6; ±5 sd.
    for n in [errors, documented] {
        assert!(
            (137..=263).contains(&n),
            "{n} server errors in 1000 requests at rate 0.2"
        );
    }
}

/// Sends one raw HTTP/1.1 request and reads until the server closes: what a client sees.
fn raw_exchange(base: &str, request: &str) -> Vec<u8> {
    use std::io::{Read, Write};
    let addr = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut out = Vec::new();
    let _ = stream.read_to_end(&mut out);
    out
}

#[test]
fn fault_reset_closes_without_an_answer() {
    let base = server().base.clone();
    let got = raw_exchange(
        &base,
        "GET /pets/1 HTTP/1.1\r\nHost: x\r\nPrefer: fault=reset\r\nConnection: close\r\n\r\n",
    );
    assert!(
        got.is_empty(),
        "expected no bytes, got {:?}",
        String::from_utf8_lossy(&got)
    );
    // The server itself is fine afterwards.
    let ok = raw_exchange(
        &base,
        "GET /pets/1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(
        ok.starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&ok)
    );
}

#[test]
fn fault_truncate_sends_part_of_the_announced_body() {
    let base = server().base.clone();
    let got = raw_exchange(
        &base,
        "GET /pets/1 HTTP/1.1\r\nHost: x\r\nPrefer: fault=truncate\r\nConnection: close\r\n\r\n",
    );
    let text = String::from_utf8_lossy(&got).to_string();
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let announced: usize = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length: ")
                .map(|v| v.trim().parse().unwrap())
        })
        .expect("content-length");
    assert!(
        body.len() < announced,
        "sent {} of {announced} bytes",
        body.len()
    );
    assert!(!body.is_empty());
}

#[tokio::test]
async fn templates_fill_examples_from_the_request() {
    let (s, h, b) = call("GET", "/owners/42?limit=5", &[("x-trace", "abc-123")], None).await;
    assert_eq!(s, 200, "{b} {h:?}");
    // A lone expression takes the schema's type; an embedded one stays text.
    assert_eq!(b["id"], json!(42));
    assert_eq!(b["limit"], json!(5));
    assert_eq!(b["trace"], json!("abc-123"));
    assert_eq!(b["greeting"], json!("Hello owner 42!"));
    assert!(b["email"].as_str().unwrap().contains('@'), "{b}");
    assert!(b["name"].as_str().unwrap().contains(' '), "{b}");
    // A missing value is null, never an error.
    let (_, _, b) = call("GET", "/owners/7", &[], None).await;
    assert_eq!(
        (b["trace"].clone(), b["limit"].clone()),
        (Value::Null, Value::Null)
    );
    // Dynamic variables change from request to request.
    let (_, _, again) = call("GET", "/owners/7", &[], None).await;
    assert_ne!(b["email"], again["email"]);
    // The body, by dotted path and by JSON pointer.
    let (s, _, b) = call(
        "PUT",
        "/owners/9",
        &[],
        Some(json!({"id": 9, "name": "Ada", "email": "ada@example.com"})),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(
        b,
        json!({"id": 9, "name": "Ada", "email": "ada@example.com"})
    );
}

#[tokio::test]
async fn postman_match_request_body_and_headers() {
    // Closest match by default: sharing the name is enough for "duplicate".
    let body = json!({"name": "Tom", "kind": "dog"});
    let (s, _, _) = call("POST", "/pets", &[], Some(body.clone())).await;
    assert_eq!(s, 409);
    // Postman's x-mock-match-request-body: every body field must agree.
    let (s, _, _) = call(
        "POST",
        "/pets",
        &[("x-mock-match-request-body", "true")],
        Some(body),
    )
    .await;
    assert_eq!(s, 201);
    let (s, _, _) = call(
        "POST",
        "/pets",
        &[("x-mock-match-request-body", "true")],
        Some(json!({"name": "Tom", "kind": "cat"})),
    )
    .await;
    assert_eq!(s, 409);
    // x-mock-match-request-headers names headers that must agree.
    let (_, _, b) = call("GET", "/pets?kind=cat", &[("x-tenant", "other")], None).await;
    assert_eq!(b[0]["kind"], "cat", "closest: the query agrees");
    let (_, h, _) = call(
        "GET",
        "/pets?kind=cat",
        &[
            ("x-tenant", "other"),
            ("x-mock-match-request-headers", "x-tenant"),
        ],
        None,
    )
    .await;
    assert_eq!(h["x-stubborn-match"], "default");
}

//! What a web page, a hostile client or an odd document must not be able to do: read or change
//! the admin API from another origin, make a private mock unusable from a browser, grow an
//! answer or a log line without bound, panic a connection, see a declared credential in the
//! call log, or hold connections open forever. Each test speaks HTTP (or raw TCP) to a real
//! server on an ephemeral port.

mod common;

use common::{client, fixture, Binary, TestServer};
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};
use stubborn::compile::MockOptions;
use stubborn::server::HttpOptions;

fn hardening(http: HttpOptions) -> TestServer {
    TestServer::start_at(&fixture("hardening.yaml"), MockOptions::default(), http)
}

fn petstore(http: HttpOptions) -> TestServer {
    TestServer::start_with("petstore.yaml", MockOptions::default(), http)
}

/// `host:port` of a test server.
fn authority(s: &TestServer) -> String {
    s.base.trim_start_matches("http://").to_string()
}

#[tokio::test]
async fn a_foreign_origin_gets_nothing_from_the_admin_api() {
    let s = petstore(HttpOptions::default());
    let c = client();
    c.get(s.url("/pets")).send().await.unwrap();
    let r = c
        .get(s.url("/__stubborn/requests"))
        .header("Origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.headers().get("access-control-allow-origin").is_none());
    assert!(r
        .headers()
        .get("access-control-allow-credentials")
        .is_none());
    let body = r.text().await.unwrap();
    assert!(body.contains("same-origin"), "{body}");
    assert!(!body.contains("/pets"), "the log leaked: {body}");

    // Its preflight gets no permission either.
    let r = c
        .request(reqwest::Method::OPTIONS, s.url("/__stubborn/reset"))
        .header("Origin", "https://evil.example")
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await
        .unwrap();
    assert!(r.headers().get("access-control-allow-origin").is_none());
    assert!(r.headers().get("access-control-allow-methods").is_none());

    // Fetch Metadata without an Origin (an <img> or <script> tag) is refused too...
    let r = c
        .get(s.url("/__stubborn/requests"))
        .header("Sec-Fetch-Site", "cross-site")
        .header("Sec-Fetch-Mode", "no-cors")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // ...but following a link to the dashboard is fine.
    let r = c
        .get(s.url("/__stubborn/"))
        .header("Sec-Fetch-Site", "cross-site")
        .header("Sec-Fetch-Mode", "navigate")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    // The dashboard's own calls (same origin) work.
    let same = format!("http://{}", authority(&s));
    let r = c
        .get(s.url("/__stubborn/requests"))
        .header("Origin", &same)
        .header("Sec-Fetch-Site", "same-origin")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers().get("access-control-allow-origin").is_none());
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["count"], 1);
}

#[tokio::test]
async fn admin_calls_that_change_state_need_json() {
    let s = petstore(HttpOptions::default());
    let c = client();
    c.get(s.url("/pets")).send().await.unwrap();
    // What a cross-site form or a no-preflight fetch can send.
    for ct in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
    ] {
        let r = c
            .post(s.url("/__stubborn/reset"))
            .header("Content-Type", ct)
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 415, "{ct}");
        let r = c
            .post(s.url("/__stubborn/stubs"))
            .header("Content-Type", ct)
            .body(r#"{"method":"GET","path":"/pets","response":{"status":500}}"#)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 415, "{ct}");
    }
    let r = c.post(s.url("/__stubborn/reset")).send().await.unwrap();
    assert_eq!(r.status(), 415, "no Content-Type at all");
    // Nothing was reset and no stub was added.
    let log: Value = c
        .get(s.url("/__stubborn/requests"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(log["count"], 1);
    assert_eq!(c.get(s.url("/pets")).send().await.unwrap().status(), 200);
    // With JSON it works.
    let r = c
        .post(s.url("/__stubborn/reset"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
}

#[tokio::test]
async fn a_foreign_host_cannot_reach_the_admin_api_on_loopback() {
    let s = petstore(HttpOptions {
        allowed_hosts: vec!["stubborn.internal".into()],
        ..HttpOptions::default()
    });
    let c = client();
    let port = authority(&s).rsplit_once(':').unwrap().1.to_string();
    let get = |host: String| {
        c.get(s.url("/__stubborn/health"))
            .header("Host", host)
            .send()
    };
    // DNS rebinding: a name the attacker controls now points at 127.0.0.1.
    let r = get(format!("rebind.evil.example:{port}")).await.unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("--allowed-host"));
    for ok in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
        "LOCALHOST".to_string(),
        format!("stubborn.internal:{port}"),
    ] {
        assert_eq!(get(ok.clone()).await.unwrap().status(), 200, "{ok}");
    }
    // Mock routes are not the admin API: any Host reaches them.
    let r = c
        .get(s.url("/pets"))
        .header("Host", "rebind.evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn mock_routes_keep_cors_and_cors_origin_restricts_it() {
    let open = petstore(HttpOptions::default());
    let r = client()
        .get(open.url("/pets"))
        .header("Origin", "https://app.example")
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "https://app.example"
    );
    assert_eq!(r.headers()["access-control-allow-credentials"], "true");

    let listed = petstore(HttpOptions {
        cors_origins: vec!["http://localhost:3000".into()],
        ..HttpOptions::default()
    });
    let r = client()
        .get(listed.url("/pets"))
        .header("Origin", "http://localhost:3000")
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "http://localhost:3000"
    );
    let r = client()
        .get(listed.url("/pets"))
        .header("Origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers().get("access-control-allow-origin").is_none());
    let r = client()
        .request(reqwest::Method::OPTIONS, listed.url("/pets"))
        .header("Origin", "https://evil.example")
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await
        .unwrap();
    assert!(r.headers().get("access-control-allow-methods").is_none());
    assert!(r.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn a_private_mock_answers_browser_preflights_without_the_key() {
    let s = petstore(HttpOptions {
        api_key: Some("k3y".into()),
        ..HttpOptions::default()
    });
    let c = client();
    let r = c
        .request(reqwest::Method::OPTIONS, s.url("/pets"))
        .header("Origin", "http://localhost:3000")
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "content-type")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "http://localhost:3000"
    );
    let allowed = r.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(allowed.contains("x-api-key"), "{allowed}");
    assert!(allowed.contains("content-type"), "{allowed}");
    // Everything else still needs the key: a plain OPTIONS, and the real request.
    let r = c
        .request(reqwest::Method::OPTIONS, s.url("/pets"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = c
        .post(s.url("/pets"))
        .header("Origin", "http://localhost:3000")
        .json(&json!({"name": "Rex"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = c
        .post(s.url("/pets"))
        .header("Origin", "http://localhost:3000")
        .header("x-api-key", "k3y")
        .json(&json!({"name": "Rex"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    // A key that is a prefix, or longer, is no key.
    for wrong in ["k3", "k3yy", ""] {
        let r = c
            .get(s.url("/pets"))
            .header("x-api-key", wrong)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401, "{wrong:?}");
    }
}

#[tokio::test]
async fn the_key_can_come_from_a_file() {
    let dir = common::TempDir::new("keyfile");
    let file = dir.0.join("key");
    std::fs::write(&file, "from-a-file\n").unwrap();
    let spec = common::spec("petstore.yaml");
    let b = Binary::mock(&[
        spec.to_str().unwrap(),
        "--api-key-file",
        file.to_str().unwrap(),
    ]);
    let c = client();
    let r = c.get(b.url("/pets")).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let r = c
        .get(b.url("/pets"))
        .header("x-api-key", "from-a-file")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn a_hundred_thousand_bad_items_get_a_small_answer() {
    let s = hardening(HttpOptions::default());
    let items: Vec<Value> = (0..100_000)
        .map(|i| json!({"id": format!("x{i}")}))
        .collect();
    let body = serde_json::to_vec(&items).unwrap();
    let started = Instant::now();
    let r = client()
        .post(s.url("/items"))
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let text = r.bytes().await.unwrap();
    let took = started.elapsed();
    assert!(text.len() < 64 * 1024, "{} bytes", text.len());
    let v: Value = serde_json::from_slice(&text).unwrap();
    assert_eq!(v["errors"].as_array().unwrap().len(), 100);
    assert_eq!(v["truncated"], 100_000 - 100);
    assert!(
        v["detail"].as_str().unwrap().contains("100000 places"),
        "{}",
        v["detail"]
    );
    // Generous for a debug build on a loaded machine; a quadratic path takes minutes.
    assert!(took < Duration::from_secs(10), "{took:?}");

    // The call log keeps the capped list, and says how many more there were.
    let log: Value = client()
        .get(s.url("/__stubborn/requests"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let violations = log["requests"][0]["violations"].as_array().unwrap();
    assert_eq!(violations.len(), 101);
    assert_eq!(violations[100], "and 99900 more");
}

#[tokio::test]
async fn a_huge_key_is_cut_in_the_problem() {
    let s = hardening(HttpOptions::default());
    let key = "k".repeat(200_000);
    let body = format!(r#"[{{"id": 1, "{key}": 1}}, {{"id": "{key}"}}]"#);
    let r = client()
        .post(s.url("/items"))
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let text = r.text().await.unwrap();
    assert!(text.len() < 4096, "{} bytes", text.len());
}

#[tokio::test]
async fn odd_security_schemes_answer_instead_of_dropping_the_connection() {
    let s = hardening(HttpOptions::default());
    let c = client();
    for path in ["/empty-scheme", "/accented-scheme"] {
        let r = c.get(s.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 401, "{path}");
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["status"], 401, "{path}");
    }
    // An empty scheme is read as bearer.
    let r = c
        .get(s.url("/empty-scheme"))
        .header("Authorization", "Bearer t")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = c
        .get(s.url("/accented-scheme"))
        .header("Authorization", "Ébearer t")
        .send()
        .await;
    // reqwest refuses a non-ASCII header value itself, or the server answers: never a reset.
    if let Ok(r) = r {
        assert!(r.status().as_u16() < 500);
    }
}

#[tokio::test]
async fn delays_beyond_max_delay_are_refused_clearly() {
    let spec = fixture("hardening.yaml");
    let b = Binary::mock(&[spec.to_str().unwrap()]);
    // Standard error is read by another thread: wait for the warning's end.
    let stderr = b.wait_for_stderr("no delay is added", std::time::Duration::from_secs(5));
    assert!(
        stderr.contains("x-stubborn-delay")
            && stderr.contains("--max-delay")
            && stderr.contains("no delay is added"),
        "{stderr}"
    );
    let c = client();
    let started = Instant::now();
    let r = c.get(b.url("/slow")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(started.elapsed() < Duration::from_secs(5));
    let r = c
        .get(b.url("/slow"))
        .header("Prefer", "delay=18446744073709551615")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("--max-delay"));
    let r = c
        .get(b.url("/slow"))
        .header("Prefer", "delay=60001")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);

    // On the command line: refused before serving.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_stubborn"))
        .args(["mock", spec.to_str().unwrap(), "--port", "0"])
        .args(["--delay", "0..18446744073709551615"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--delay") && err.contains("--max-delay"),
        "{err}"
    );
}

#[tokio::test]
async fn a_long_segment_against_a_two_parameter_template_is_cheap() {
    let s = hardening(HttpOptions::default());
    let c = client();
    // A name of 8,000 characters with dots all along: every split is a candidate.
    let name = "a.".repeat(3_990);
    let started = Instant::now();
    let r = c
        .get(s.url(&format!("/files/{name}x.json")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(started.elapsed() < Duration::from_secs(2));
    let r = c
        .get(s.url(&format!("/files/{}", "b".repeat(8_000))))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn declared_credentials_never_reach_the_call_log_or_its_stream() {
    let s = hardening(HttpOptions::default());
    let c = client();
    // Subscribe to the live stream first.
    let mut stream = c
        .get(s.url("/__stubborn/requests/stream"))
        .send()
        .await
        .unwrap();
    let r = c
        .get(s.url("/keys?app_token=query-s3cret&page=2"))
        .header("X-Partner-Secret", "header-s3cret")
        .header("Authorization", "Bearer bearer-s3cret")
        .header("Cookie", "sid=cookie-s3cret")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let log = c
        .get(s.url("/__stubborn/requests"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for secret in [
        "query-s3cret",
        "header-s3cret",
        "bearer-s3cret",
        "cookie-s3cret",
    ] {
        assert!(!log.contains(secret), "{secret} in {log}");
    }
    let v: Value = serde_json::from_str(&log).unwrap();
    let rec = &v["requests"][0];
    assert_eq!(rec["query"], "app_token=[redacted]&page=2");
    assert_eq!(rec["headers"]["x-partner-secret"], "[redacted]");
    assert_eq!(rec["headers"]["authorization"], "[redacted]");

    let mut seen = String::new();
    let deadline = Instant::now() + Duration::from_secs(5);
    while !seen.contains("event: request") && Instant::now() < deadline {
        match tokio::time::timeout(Duration::from_secs(5), stream.chunk()).await {
            Ok(Ok(Some(chunk))) => seen.push_str(&String::from_utf8_lossy(&chunk)),
            _ => break,
        }
    }
    assert!(seen.contains("/keys"), "{seen}");
    for secret in [
        "query-s3cret",
        "header-s3cret",
        "bearer-s3cret",
        "cookie-s3cret",
    ] {
        assert!(!seen.contains(secret), "{secret} in {seen}");
    }
}

#[tokio::test]
async fn declared_credentials_never_reach_the_json_log() {
    let spec = fixture("hardening.yaml");
    let b = Binary::mock(&[spec.to_str().unwrap(), "--log-format", "json"]);
    let r = client()
        .get(b.url("/keys?app_token=query-s3cret"))
        .header("X-Partner-Secret", "header-s3cret")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = client()
        .get(b.url("/keys?app_token=query-s3cret"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let log = b.wait_for_stderr("\"status\":401", Duration::from_secs(5));
    assert!(log.contains("\"path\":\"/keys\""), "{log}");
    assert!(!log.contains("s3cret"), "{log}");
}

/// Sends raw bytes and reads what comes back until the server closes or `wait` passes.
fn raw(addr: &str, request: &[u8], wait: Duration) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(wait)).unwrap();
    let _ = stream.write_all(request);
    let mut out = Vec::new();
    let _ = stream.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test]
async fn oversized_targets_and_headers_are_refused() {
    let s = petstore(HttpOptions::default());
    let addr = authority(&s);
    let long = format!(
        "GET /pets?q={} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "a".repeat(9_000)
    );
    let answer =
        tokio::task::spawn_blocking(move || raw(&addr, long.as_bytes(), Duration::from_secs(5)))
            .await
            .unwrap();
    assert!(answer.starts_with("HTTP/1.1 414"), "{answer}");

    let addr = authority(&s);
    let mut big = String::from("GET /pets HTTP/1.1\r\nHost: x\r\nConnection: close\r\n");
    for i in 0..70 {
        big.push_str(&format!("x-filler-{i}: {}\r\n", "f".repeat(1_000)));
    }
    big.push_str("\r\n");
    let answer =
        tokio::task::spawn_blocking(move || raw(&addr, big.as_bytes(), Duration::from_secs(5)))
            .await
            .unwrap();
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer}");

    // Just under both limits is fine.
    let addr = authority(&s);
    let fine = format!(
        "GET /pets?q={} HTTP/1.1\r\nHost: x\r\nx-filler: {}\r\nConnection: close\r\n\r\n",
        "a".repeat(8_000),
        "f".repeat(60_000)
    );
    let answer =
        tokio::task::spawn_blocking(move || raw(&addr, fine.as_bytes(), Duration::from_secs(5)))
            .await
            .unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[tokio::test]
async fn a_slow_loris_is_dropped() {
    let s = petstore(HttpOptions {
        header_timeout: Duration::from_secs(1),
        ..HttpOptions::default()
    });
    let addr = authority(&s);
    let outcome = tokio::task::spawn_blocking(move || {
        let mut stream = TcpStream::connect(&addr).unwrap();
        let started = Instant::now();
        let head = b"GET /pets HTTP/1.1\r\nHost: x\r\nX-Slow: ";
        // One byte every 200 ms, forever: the server must hang up.
        for byte in head.iter().chain(std::iter::repeat(&b'a')) {
            if stream.write_all(&[*byte]).is_err() {
                break;
            }
            std::thread::sleep(Duration::from_millis(200));
            if started.elapsed() > Duration::from_secs(20) {
                return Err("still connected after 20 s".to_string());
            }
        }
        Ok(started.elapsed())
    })
    .await
    .unwrap();
    let took = outcome.unwrap();
    assert!(took >= Duration::from_millis(900), "{took:?}");
}

#[tokio::test]
async fn connections_over_the_cap_are_closed() {
    let s = petstore(HttpOptions {
        max_connections: 2,
        ..HttpOptions::default()
    });
    let addr = authority(&s);
    tokio::task::spawn_blocking(move || {
        let request = b"GET /pets HTTP/1.1\r\nHost: x\r\n\r\n";
        let mut held = Vec::new();
        for _ in 0..2 {
            let mut c = TcpStream::connect(&addr).unwrap();
            c.write_all(request).unwrap();
            c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let mut buf = [0u8; 12];
            c.read_exact(&mut buf).unwrap();
            assert_eq!(&buf, b"HTTP/1.1 200");
            held.push(c);
        }
        // A third is closed unanswered.
        let mut third = TcpStream::connect(&addr).unwrap();
        third
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let _ = third.write_all(request);
        let mut out = Vec::new();
        let _ = third.read_to_end(&mut out);
        assert!(out.is_empty(), "{}", String::from_utf8_lossy(&out));
        // Once one is gone, there is room again.
        drop(held.pop());
        std::thread::sleep(Duration::from_millis(200));
        let answer = raw(
            &addr,
            b"GET /pets HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            Duration::from_secs(5),
        );
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn the_spec_shown_is_the_one_served_even_after_a_broken_edit() {
    let dir = common::TempDir::new("spec-shown");
    let root = dir.0.join("api.yaml");
    let part = dir.0.join("pet.yaml");
    std::fs::write(
        &root,
        "openapi: 3.0.3\ninfo: {title: Shown, version: '1'}\npaths:\n  /pet:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: 'pet.yaml'}\n",
    )
    .unwrap();
    std::fs::write(&part, "type: object\nproperties:\n  name: {type: string}\n").unwrap();
    let b = Binary::mock(&[root.to_str().unwrap(), "--watch"]);
    let c = client();
    let spec: Value = c
        .get(b.url("/__stubborn/spec"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(spec["info"]["title"], "Shown");
    // Bundled: the other file's schema is in the document.
    let text = spec.to_string();
    assert!(!text.contains("pet.yaml"), "{text}");
    assert!(text.contains("\"name\""), "{text}");

    std::fs::write(&root, "openapi: 3.0.3\ninfo: [this is broken\n").unwrap();
    let waited = b.wait_for_stderr("reload failed", Duration::from_secs(10));
    assert!(waited.contains("reload failed"), "{waited}");
    let r = c.get(b.url("/__stubborn/spec")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let spec: Value = r.json().await.unwrap();
    assert_eq!(spec["info"]["title"], "Shown");
}

#[tokio::test]
async fn http2_with_prior_knowledge_is_served() {
    use http_body_util::{BodyExt, Empty};
    let s = petstore(HttpOptions::default());
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .http2_only(true)
        .build_http::<Empty<bytes::Bytes>>();
    for _ in 0..3 {
        let uri: http::Uri = s.url("/pets").parse().unwrap();
        let r = client.get(uri).await.unwrap();
        assert_eq!(r.version(), http::Version::HTTP_2);
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "application/json");
        let body = r.into_body().collect().await.unwrap().to_bytes();
        let pets: Value = serde_json::from_slice(&body).unwrap();
        assert!(pets.is_array(), "{pets}");
    }
}

#[tokio::test]
async fn a_request_that_starts_like_the_http2_preface_is_still_http1() {
    // `P`, a pause, then the rest: the server waits for enough bytes to tell.
    let s = petstore(HttpOptions::default());
    let addr = authority(&s);
    let answer = tokio::task::spawn_blocking(move || {
        let mut stream = TcpStream::connect(&addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        stream.write_all(b"P").unwrap();
        std::thread::sleep(Duration::from_millis(100));
        stream
            .write_all(
                b"OST /pets HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
                  Content-Length: 14\r\nConnection: close\r\n\r\n{\"name\":\"Rex\"}",
            )
            .unwrap();
        let mut out = Vec::new();
        let _ = stream.read_to_end(&mut out);
        String::from_utf8_lossy(&out).into_owned()
    })
    .await
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
}

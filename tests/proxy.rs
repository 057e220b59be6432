//! `stubborn proxy` as a user runs it: the binary in front of an upstream each test starts on
//! an ephemeral port (one that keeps the contract, one that breaks it, one that answers 501 or
//! 404, one that is down, one over TLS, one that is slow), spoken to over HTTP. The document is
//! `tests/fixtures/proxy.yaml`.

mod common;
mod upstream;

use common::{fixture, Binary};
use serde_json::{json, Value};
use std::time::Duration;
use upstream::{closed_port, Reply, TestCa, Upstream};

fn spec() -> String {
    fixture("proxy.yaml").to_str().unwrap().to_string()
}

/// `stubborn proxy tests/fixtures/proxy.yaml UPSTREAM --port 0 FLAGS...`.
fn proxy(upstream: &str, flags: &[&str]) -> Binary {
    let spec = spec();
    let mut args = vec!["proxy", spec.as_str(), upstream, "--port", "0"];
    args.extend_from_slice(flags);
    Binary::start(&args)
}

struct Got {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Vec<u8>,
}

impl Got {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap())
            .unwrap_or("")
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
}

fn send(method: &str, url: &str, headers: &[(&str, &str)], body: Option<Vec<u8>>) -> Got {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let client = common::client();
            let mut req =
                client.request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), url);
            for (n, v) in headers {
                req = req.header(*n, *v);
            }
            if let Some(b) = body {
                req = req.body(b);
            }
            let res = req.send().await.unwrap();
            Got {
                status: res.status().as_u16(),
                headers: res.headers().clone(),
                body: res.bytes().await.unwrap().to_vec(),
            }
        })
}

fn get(url: &str) -> Got {
    send("GET", url, &[], None)
}

/// The call log's records, newest first.
fn calls(proxy: &Binary) -> Vec<Value> {
    get(&proxy.url("/__stubborn/requests")).json()["requests"]
        .as_array()
        .cloned()
        .expect("the call log lists requests")
}

/// An upstream that keeps the contract: pets with `x-total`, a created pet echoing the name.
fn good_upstream() -> Upstream {
    Upstream::start(|seen| {
        let path = seen.target.split('?').next().unwrap_or("");
        match (seen.method.as_str(), path.trim_start_matches("/base")) {
            ("GET", "/pets") => Reply::json(200, r#"[{"id":1,"name":"Real Rex"}]"#)
                .with_header("x-total", "1")
                .with_header("x-up", "yes"),
            ("POST", "/pets") => {
                let sent: Value = serde_json::from_slice(&seen.body).unwrap_or(json!({}));
                Reply::json(201, &json!({"id": 9, "name": sent["name"]}).to_string())
                    .with_header("x-up", "created")
            }
            ("GET", p) if p.starts_with("/pets/") => {
                Reply::json(200, r#"{"id":5,"name":"Real Five"}"#)
            }
            _ => Reply::json(200, r#"{"undocumented":true}"#),
        }
    })
}

#[test]
fn forwards_faithfully_under_the_upstreams_base_path() {
    let up = good_upstream();
    let p = proxy(&format!("{}/base/", up.base), &[]);
    let body = br#"{"name":"Fido"}"#.to_vec();
    let got = send(
        "POST",
        &p.url("/pets?ref=a%20b&x=1"),
        &[
            ("content-type", "application/json"),
            ("x-custom", "kept"),
            ("connection", "x-drop"),
            ("x-drop", "hop"),
            ("x-forwarded-for", "10.0.0.1"),
        ],
        Some(body.clone()),
    );
    assert_eq!(got.status, 201, "{}", String::from_utf8_lossy(&got.body));
    assert_eq!(got.json(), json!({"id": 9, "name": "Fido"}));
    assert_eq!(got.header("x-up"), "created");
    assert_eq!(got.header("x-stubborn-source"), "upstream");
    assert_eq!(got.header("x-stubborn-violations"), "");

    let seen = up.seen();
    assert_eq!(seen.len(), 1);
    let s = &seen[0];
    assert_eq!(s.method, "POST");
    assert_eq!(s.target, "/base/pets?ref=a%20b&x=1");
    assert_eq!(s.body.as_ref(), body.as_slice());
    assert_eq!(s.headers["x-custom"], "kept");
    assert_eq!(s.headers["content-type"], "application/json");
    assert!(!s.headers.contains_key("x-drop"), "{:?}", s.headers);
    assert_eq!(s.headers["host"], format!("127.0.0.1:{}", up.port));
    assert_eq!(s.headers["x-forwarded-for"], "10.0.0.1, 127.0.0.1");
    let proxy_host = p.base.trim_start_matches("http://");
    assert_eq!(s.headers["x-forwarded-host"], proxy_host);
    assert_eq!(s.headers["x-forwarded-proto"], "http");

    // Other methods and statuses come back as the upstream gave them.
    let got = get(&p.url("/pets/5"));
    assert_eq!(got.status, 200);
    assert_eq!(got.json()["name"], "Real Five");
    assert_eq!(up.seen()[1].method, "GET");
    assert_eq!(up.seen()[1].target, "/base/pets/5");
}

/// An upstream that breaks the contract: no `x-total`, a name that is a number.
fn bad_upstream() -> Upstream {
    Upstream::start(|seen| match seen.target.split('?').next().unwrap_or("") {
        "/pets" => Reply::json(200, r#"[{"id":1,"name":5}]"#),
        _ => Reply::json(418, r#"{"teapot":true}"#),
    })
}

#[test]
fn violations_of_both_sides_are_reported_and_passed_on() {
    let up = bad_upstream();
    let mut p = proxy(&up.base, &[]);
    let got = get(&p.url("/pets?limit=500"));
    // Without --errors the upstream's answer is passed on as it is.
    assert_eq!(got.status, 200);
    assert_eq!(got.json(), json!([{"id": 1, "name": 5}]));
    assert_eq!(
        up.seen().len(),
        1,
        "the invalid request still reached the upstream"
    );
    let header = got.header("x-stubborn-violations");
    assert!(header.contains("request query limit"), "{header}");
    assert!(header.contains("response header x-total"), "{header}");
    assert!(header.contains("response body /0/name"), "{header}");

    // An undocumented status is a response violation too.
    let teapot = get(&p.url("/pets/3"));
    assert_eq!(teapot.status, 418);
    assert!(
        teapot
            .header("x-stubborn-violations")
            .contains("response status 418: 418 is not a documented status of GET /pets/{petId}"),
        "{}",
        teapot.header("x-stubborn-violations")
    );

    let log = calls(&p);
    let call = log
        .iter()
        .find(|c| c["path"] == "/pets")
        .unwrap_or_else(|| panic!("{log:?}"));
    assert_eq!(call["source"], "upstream");
    assert_eq!(call["operation"], "listPets");
    assert!(call["violations"][0]
        .as_str()
        .unwrap()
        .contains("query limit"));
    let response = call["responseViolations"].as_array().unwrap();
    assert_eq!(response.len(), 2, "{call}");
    let directions: Vec<&str> = call["contract"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["direction"].as_str().unwrap())
        .collect();
    assert_eq!(directions, ["request", "response", "response"], "{call}");

    // The log line says who answered and lists both sides.
    let (_, _) = p.stop();
    let stderr = p.stderr();
    let line = stderr
        .lines()
        .find(|l| l.contains("GET /pets 200"))
        .unwrap_or_else(|| panic!("{stderr}"));
    assert!(line.contains("from upstream"), "{line}");
    assert!(line.contains("response_violations="), "{line}");
    assert!(line.contains("x-total"), "{line}");
    assert!(line.contains("query limit"), "{line}");
}

#[test]
fn errors_rejects_bad_requests_here_and_bad_answers_with_502() {
    let up = bad_upstream();
    let p = proxy(&up.base, &["--errors"]);
    let got = get(&p.url("/pets?limit=500"));
    assert_eq!(got.status, 422, "{}", String::from_utf8_lossy(&got.body));
    assert_eq!(got.header("x-stubborn-source"), "proxy");
    assert!(
        got.header("x-stubborn-violations")
            .starts_with("request query limit"),
        "{}",
        got.header("x-stubborn-violations")
    );
    assert!(
        up.seen().is_empty(),
        "an invalid request reached the upstream"
    );
    // Malformed syntax too; the operation documents a 422, which answers it, as in `mock`.
    let broken = send(
        "POST",
        &p.url("/pets"),
        &[("content-type", "application/json")],
        Some(br#"{"name":"#.to_vec()),
    );
    assert_eq!(
        broken.status,
        422,
        "{}",
        String::from_utf8_lossy(&broken.body)
    );
    assert!(
        broken
            .header("x-stubborn-violations")
            .contains("not valid JSON"),
        "{}",
        broken.header("x-stubborn-violations")
    );
    assert!(up.seen().is_empty());

    let bad_body = send(
        "POST",
        &p.url("/pets"),
        &[("content-type", "application/json")],
        Some(br#"{"name":""}"#.to_vec()),
    );
    assert_eq!(bad_body.status, 422);
    assert!(up.seen().is_empty());

    let got = get(&p.url("/pets?limit=5"));
    assert_eq!(got.status, 502);
    assert_eq!(got.header("content-type"), "application/problem+json");
    assert_eq!(got.header("x-stubborn-source"), "proxy");
    let problem = got.json();
    assert_eq!(problem["upstreamStatus"], 200);
    let errors = problem["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2, "{problem}");
    assert!(
        errors.iter().all(|e| e["direction"] == "response"),
        "{problem}"
    );
    assert!(errors.iter().any(|e| e["name"] == "x-total"), "{problem}");
    assert!(
        errors.iter().any(|e| e["pointer"] == "/0/name"),
        "{problem}"
    );
    assert_eq!(up.seen().len(), 1);

    // A valid answer passes untouched under --errors too.
    let good = good_upstream();
    let p = proxy(&good.base, &["--errors"]);
    let got = get(&p.url("/pets?limit=5"));
    assert_eq!(got.status, 200);
    assert_eq!(got.json()[0]["name"], "Real Rex");
}

#[test]
fn the_mock_answers_what_the_upstream_has_not_built() {
    // 501 (the default --mock-on) and 404 when asked.
    let up = Upstream::start(|seen| match seen.target.as_str() {
        "/pets/1" => Reply::json(501, r#"{"message":"not implemented"}"#),
        "/pets/2" => Reply::json(404, r#"{"code":404,"message":"real 404"}"#),
        _ => Reply::json(200, r#"{"id":3,"name":"Real"}"#),
    });
    let p = proxy(&up.base, &[]);
    let got = get(&p.url("/pets/1"));
    assert_eq!(got.status, 200);
    assert_eq!(got.json(), json!({"id": 7, "name": "Mock Seven"}));
    assert_eq!(got.header("x-stubborn-source"), "mock");
    // 404 is not in the default list: passed on.
    let got = get(&p.url("/pets/2"));
    assert_eq!(got.status, 404);
    assert_eq!(got.json()["message"], "real 404");
    assert_eq!(got.header("x-stubborn-source"), "upstream");
    let log = calls(&p);
    let mocked = log.iter().find(|c| c["path"] == "/pets/1").unwrap();
    assert_eq!(mocked["source"], "mock");
    assert!(
        mocked["notes"][0].as_str().unwrap().contains("501"),
        "{mocked}"
    );

    let p = proxy(&up.base, &["--mock-on", "501,404"]);
    let got = get(&p.url("/pets/2"));
    assert_eq!(got.status, 200);
    assert_eq!(got.json()["name"], "Mock Seven");
    assert_eq!(got.header("x-stubborn-source"), "mock");
    // The mock answers as `stubborn mock` would: Prefer picks the documented 404.
    let got = send("GET", &p.url("/pets/1"), &[("prefer", "code=404")], None);
    assert_eq!(got.status, 404);
    assert_eq!(got.json()["message"], "no such pet (mock)");
    let got = get(&p.url("/pets/3"));
    assert_eq!(got.header("x-stubborn-source"), "upstream");
}

#[test]
fn a_refused_connection_falls_back_to_the_mock() {
    let down = format!("http://127.0.0.1:{}", closed_port());
    let p = proxy(&down, &[]);
    let got = get(&p.url("/pets"));
    assert_eq!(got.status, 200);
    assert_eq!(got.json(), json!([{"id": 1, "name": "Mock Rex"}]));
    assert_eq!(got.header("x-stubborn-source"), "mock");
    // The mock validates as it always does.
    let got = get(&p.url("/pets?limit=0"));
    assert_eq!(got.status, 422, "{}", String::from_utf8_lossy(&got.body));
    assert_eq!(got.header("x-stubborn-source"), "mock");
    // An undocumented route has no mock to fall back on.
    let got = get(&p.url("/nowhere"));
    assert_eq!(got.status, 502);
    assert_eq!(got.header("x-stubborn-source"), "proxy");
    assert!(got.json()["detail"]
        .as_str()
        .unwrap()
        .contains("did not answer"));
}

#[test]
fn operations_can_be_mocked_by_id_or_by_the_document() {
    let up = good_upstream();
    let p = proxy(&up.base, &["--mock-operations", "createOrder"]);
    let got = send("POST", &p.url("/orders"), &[], None);
    assert_eq!(got.status, 201);
    assert_eq!(got.json(), json!({"id": "o1", "status": "new"}));
    assert_eq!(got.header("x-stubborn-source"), "mock");
    let got = get(&p.url("/refunds"));
    assert_eq!(got.json(), json!([{"id": "r1"}]));
    assert_eq!(got.header("x-stubborn-source"), "mock");
    assert!(
        up.seen().is_empty(),
        "a mocked operation reached the upstream"
    );
    let got = get(&p.url("/pets"));
    assert_eq!(got.header("x-stubborn-source"), "upstream");
    assert_eq!(up.seen().len(), 1);

    // An id the document does not have is refused at start.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_stubborn"))
        .args(["proxy", &spec(), &up.base, "--port", "0"])
        .args(["--mock-operations", "noSuchOp"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no operation has the id noSuchOp"), "{err}");
}

#[test]
fn undocumented_routes_are_forwarded_or_refused_with_strict_routes() {
    let up = good_upstream();
    let p = proxy(&up.base, &["--passthrough"]);
    let got = get(&p.url("/admin/stats?x=1"));
    assert_eq!(got.status, 200);
    assert_eq!(got.json(), json!({"undocumented": true}));
    assert_eq!(got.header("x-stubborn-source"), "upstream");
    assert_eq!(up.seen()[0].target, "/admin/stats?x=1");
    let log = calls(&p);
    let call = log.iter().find(|c| c["path"] == "/admin/stats").unwrap();
    assert_eq!(call["undocumented"], true, "{call}");
    assert!(call["operation"].is_null());

    let strict = proxy(&up.base, &["--strict-routes"]);
    let got = get(&strict.url("/admin/stats"));
    assert_eq!(got.status, 404);
    assert_eq!(got.header("content-type"), "application/problem+json");
    assert_eq!(got.header("x-stubborn-source"), "proxy");
    let got = send("DELETE", &strict.url("/pets"), &[], None);
    assert_eq!(got.status, 405);
    assert_eq!(
        up.seen().len(),
        1,
        "--strict-routes forwarded an undocumented request"
    );
}

#[test]
fn https_upstreams_with_a_private_ca() {
    let ca = TestCa::new();
    let up = Upstream::start_tls(&ca, |_| {
        Reply::json(200, r#"[{"id":1,"name":"Secure Rex"}]"#).with_header("x-total", "1")
    });
    let p = proxy(&up.base, &["--upstream-ca", ca.ca_file.to_str().unwrap()]);
    let got = get(&p.url("/pets"));
    assert_eq!(got.status, 200, "{}", String::from_utf8_lossy(&got.body));
    assert_eq!(got.json()[0]["name"], "Secure Rex");
    assert_eq!(got.header("x-stubborn-violations"), "");
    assert_eq!(
        up.seen()[0].headers["host"],
        format!("localhost:{}", up.port)
    );

    // Without the CA the certificate is refused: 502, naming why.
    let untrusting = proxy(&up.base, &[]);
    let got = get(&untrusting.url("/pets"));
    assert_eq!(got.status, 502);
    assert!(
        got.json()["detail"]
            .as_str()
            .unwrap()
            .contains("certificate"),
        "{}",
        got.json()
    );

    // --insecure skips verification, and says so at start.
    let insecure = proxy(&up.base, &["--insecure"]);
    let got = get(&insecure.url("/pets"));
    assert_eq!(got.status, 200);
    assert!(
        insecure.stderr().contains("--insecure"),
        "{}",
        insecure.stderr()
    );
}

#[test]
fn a_slow_upstream_is_a_504() {
    let up = Upstream::start(|_| Reply::json(200, "[]").after(Duration::from_secs(10)));
    let p = proxy(&up.base, &["--upstream-timeout", "300ms"]);
    let started = std::time::Instant::now();
    let got = get(&p.url("/pets"));
    assert_eq!(got.status, 504);
    assert_eq!(got.header("content-type"), "application/problem+json");
    assert!(got.json()["detail"].as_str().unwrap().contains("300 ms"));
    assert!(started.elapsed() < Duration::from_secs(6));
}

#[test]
fn bodies_over_max_body_stream_through_unvalidated() {
    let item = r#"{"id":1,"name":"x"},"#;
    let big: String = format!("[{}{}]", item.repeat(10_000), r#"{"id":2,"name":"y"}"#);
    let answer = big.clone();
    let up = Upstream::start(move |seen| {
        if seen.method == "POST" {
            Reply::json(201, &format!(r#"{{"id":1,"name":"{}"}}"#, seen.body.len()))
        } else {
            Reply::json(200, &answer).with_header("x-total", "10001")
        }
    });
    let p = proxy(&up.base, &["--max-body", "4KB"]);
    let got = get(&p.url("/pets"));
    assert_eq!(got.status, 200);
    assert_eq!(got.body.len(), big.len());
    assert_eq!(got.body, big.as_bytes());
    let upload = vec![b'a'; 50_000];
    let got = send(
        "POST",
        &p.url("/pets"),
        &[("content-type", "application/json")],
        Some(upload),
    );
    assert_eq!(got.status, 201, "{}", String::from_utf8_lossy(&got.body));
    assert_eq!(
        up.seen()[1].body.len(),
        50_000,
        "the upstream got the whole upload"
    );
    let log = calls(&p);
    let listed = log.iter().find(|c| c["method"] == "GET").unwrap();
    assert!(
        listed["notes"][0]
            .as_str()
            .unwrap()
            .contains("response body not validated"),
        "{listed}"
    );
    let posted = log.iter().find(|c| c["method"] == "POST").unwrap();
    assert!(
        posted["notes"][0]
            .as_str()
            .unwrap()
            .contains("request not validated"),
        "{posted}"
    );
}

#[test]
fn bad_command_lines_are_refused() {
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_stubborn"))
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let spec = spec();
    let (code, err) = run(&["proxy", &spec]);
    assert_eq!(code, Some(1));
    assert!(err.contains("upstream's URL is missing"), "{err}");
    let (code, err) = run(&["proxy", &spec, "ftp://a.io"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("scheme ftp"), "{err}");
    let (code, err) = run(&["proxy", &spec, "http://127.0.0.1:9", "--mock-on", "999"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("--mock-on 999"), "{err}");
    let (code, err) = run(&[
        "proxy",
        &spec,
        "https://a.io",
        "--upstream-ca",
        "/nonexistent.pem",
    ]);
    assert_eq!(code, Some(1));
    assert!(err.contains("/nonexistent.pem"), "{err}");
}

/// A private proxy (`--api-key`) wants its key, and keeps it: the upstream never sees it.
#[test]
fn a_private_proxys_key_is_not_forwarded() {
    let up = good_upstream();
    let p = proxy(&up.base, &["--api-key", "proxy-s3cret"]);
    let denied = get(&p.url("/pets"));
    assert_eq!(denied.status, 401);
    assert!(up.seen().is_empty());
    let got = send(
        "GET",
        &p.url("/pets"),
        &[
            ("x-api-key", "proxy-s3cret"),
            ("authorization", "Bearer upstream"),
        ],
        None,
    );
    assert_eq!(got.status, 200);
    let seen = &up.seen()[0];
    assert!(
        !seen.headers.contains_key("x-api-key"),
        "{:?}",
        seen.headers
    );
    assert_eq!(seen.headers["authorization"], "Bearer upstream");
    // The call log keeps neither secret.
    let log = send(
        "GET",
        &p.url("/__stubborn/requests"),
        &[("x-api-key", "proxy-s3cret")],
        None,
    );
    let text = String::from_utf8_lossy(&log.body);
    assert!(
        !text.contains("proxy-s3cret") && !text.contains("Bearer upstream"),
        "{text}"
    );
}

/// An event stream is passed on as it comes: its first event reaches the client while the
/// upstream is still sending, and the stream outlives --upstream-timeout (which bounds the
/// head only).
#[test]
fn event_streams_are_passed_on_as_they_come() {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let upstream = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") && conn.read(&mut byte).unwrap_or(0) == 1 {
            head.push(byte[0]);
        }
        let event = |text: &str| format!("{:x}\r\n{text}\r\n", text.len());
        conn.write_all(
            b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n",
        )
        .unwrap();
        conn.write_all(event("data: one\n\n").as_bytes()).unwrap();
        conn.flush().unwrap();
        std::thread::sleep(Duration::from_millis(2500));
        conn.write_all(event("data: two\n\n").as_bytes()).unwrap();
        conn.write_all(b"0\r\n\r\n").unwrap();
        conn.flush().unwrap();
    });
    let p = proxy(
        &format!("http://127.0.0.1:{port}"),
        &["--upstream-timeout", "1s"],
    );
    let url = p.url("/events");
    let (first_after, all) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let started = std::time::Instant::now();
            let mut res = common::client().get(url).send().await.unwrap();
            assert_eq!(res.status(), 200);
            assert_eq!(res.headers()["x-stubborn-source"], "upstream");
            let mut all = Vec::new();
            let first = res.chunk().await.unwrap().unwrap();
            let first_after = started.elapsed();
            all.extend_from_slice(&first);
            while let Some(c) = res.chunk().await.unwrap() {
                all.extend_from_slice(&c);
            }
            (first_after, all)
        });
    upstream.join().unwrap();
    assert!(
        first_after < Duration::from_millis(2000),
        "the first event waited for the whole stream: {first_after:?}"
    );
    assert_eq!(
        String::from_utf8(all).unwrap(),
        "data: one\n\ndata: two\n\n"
    );
    let log = calls(&p);
    assert!(
        log[0]["notes"][0]
            .as_str()
            .unwrap()
            .contains("streamed media type"),
        "{}",
        log[0]
    );
}

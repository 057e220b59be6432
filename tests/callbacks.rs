//! Callbacks and webhooks (issue 19): the mock calls the client back. Every test starts its
//! own receiver, a small HTTP server on an ephemeral loopback port that records what it gets
//! and answers as the test scripts it, and checks what arrived there and what the call log
//! says (`direction: outbound`).

mod common;
mod upstream;

use common::{client, fixture, Binary, TestServer};
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use stubborn::compile::MockOptions;
use stubborn::server::outbound::CallbackOptions;
use stubborn::server::HttpOptions;

/// A callback receiver: the tests' upstream server, answering as scripted (`answer_with`), by
/// default `200 {"received": true}`.
struct Receiver {
    up: upstream::Upstream,
    base: String,
    script: Arc<Mutex<VecDeque<(u16, String)>>>,
}

impl Receiver {
    fn start() -> Receiver {
        let script: Arc<Mutex<VecDeque<(u16, String)>>> = Arc::default();
        let next = Arc::clone(&script);
        let up = upstream::Upstream::start(move |_| {
            let (status, body) = next
                .lock()
                .unwrap()
                .pop_front()
                .unwrap_or((200, r#"{"received": true}"#.into()));
            upstream::Reply::json(status, &body)
        });
        Receiver {
            base: up.base.clone(),
            up,
            script,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn answer_with(&self, answers: &[(u16, &str)]) {
        let mut s = self.script.lock().unwrap();
        for (status, body) in answers {
            s.push_back((*status, body.to_string()));
        }
    }

    async fn wait_for(&self, n: usize) -> Vec<upstream::Seen> {
        self.up.wait_for(n).await
    }

    fn count(&self) -> usize {
        self.up.seen().len()
    }
}

/// POSTs `body` as JSON to `path` on `s`.
async fn post_json(s: &TestServer, path: &str, body: Value) -> reqwest::Response {
    client().post(s.url(path)).json(&body).send().await.unwrap()
}

async fn get_json(url: String) -> Value {
    client()
        .get(url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn server() -> TestServer {
    server_with(MockOptions::default(), HttpOptions::default())
}

fn server_with(options: MockOptions, http: HttpOptions) -> TestServer {
    TestServer::start_at(&fixture("callbacks.yaml"), options, http)
}

/// The outbound records of the call log, newest first, once there are `n` (10 s at most).
async fn outbound(s: &TestServer, n: usize) -> Vec<Value> {
    let start = Instant::now();
    loop {
        let v: Value = get_json(s.url("/__stubborn/requests?direction=outbound")).await;
        let list = v["requests"].as_array().cloned().unwrap_or_default();
        if list.len() >= n {
            return list;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the call log has {} outbound record(s), not {n}: {v}",
            list.len()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_callback_goes_to_the_url_in_the_request_body_with_the_example_filled_in() {
    let recv = Receiver::start();
    let s = server();
    let r = post_json(
        &s,
        "/orders",
        json!({"callbackUrl": recv.url("/hooks/shipped"), "item": "book"}),
    )
    .await;
    assert_eq!(r.status(), 201);
    assert_eq!(r.json::<Value>().await.unwrap(), json!({"id": "ord_1"}));
    let got = recv.wait_for(1).await;
    assert_eq!(got[0].method, "POST");
    assert_eq!(got[0].target, "/hooks/shipped");
    assert_eq!(got[0].headers["content-type"], "application/json");
    // The example, with its templates (`{{request.…}}`, `{{response.…}}`) and runtime
    // expressions (`{$response.body#/id}`, typed) filled in.
    assert_eq!(
        got[0].json(),
        json!({"event": "order.shipped", "order": "ord_1", "item": "book", "status": 201, "ref": "ord_1/201"})
    );
    let log = outbound(&s, 1).await;
    let rec = &log[0];
    assert_eq!(rec["direction"], "outbound");
    assert_eq!(rec["method"], "POST");
    assert_eq!(rec["path"], recv.url("/hooks/shipped"));
    assert_eq!(rec["query"], Value::Null);
    assert_eq!(rec["operation"], "orderShipped (createOrder)");
    assert_eq!(rec["status"], 200);
    assert_eq!(rec["attempts"], 1);
    assert_eq!(rec["violations"], json!([]));
    assert_eq!(rec["error"], Value::Null);
    assert_eq!(rec["response"]["body"], r#"{"received": true}"#);
    // The inbound request is logged as such.
    let all: Value = get_json(s.url("/__stubborn/requests?direction=inbound")).await;
    assert_eq!(all["requests"][0]["path"], "/orders");
    assert_eq!(all["requests"][0]["direction"], "inbound");
    // A refused request (no callbackUrl) triggers nothing.
    let r = post_json(&s, "/orders", json!({"item": "book"})).await;
    // Refused with the operation's documented 422.
    assert_eq!(r.status(), 422);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(recv.count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_callback_goes_to_the_url_in_a_header_with_a_generated_body() {
    let recv = Receiver::start();
    let s = server();
    // A host name this time: the client's resolver checks what it resolves to (loopback).
    let hook = recv.url("/ping").replace("127.0.0.1", "localhost");
    let r = client()
        .post(s.url("/subscriptions"))
        .header("x-hook", hook)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let got = recv.wait_for(1).await;
    assert_eq!(got[0].method, "PUT");
    assert_eq!(got[0].target, "/ping");
    assert!(got[0].headers["host"]
        .to_str()
        .unwrap()
        .starts_with("localhost:"));
    assert_eq!(got[0].headers["x-event"], "ping");
    // The document's example value goes out, and the call log withholds it: the document
    // declares X-Hook-Token an API key.
    assert_eq!(got[0].headers["x-hook-token"], "s3cret-token");
    let body = got[0].json();
    assert_eq!(body["kind"], "ping");
    let n = body["sequence"].as_i64().unwrap();
    assert!((1..=9).contains(&n), "{body}");
    assert_eq!(body.as_object().unwrap().len(), 2, "{body}");
    let log = outbound(&s, 1).await;
    assert_eq!(log[0]["headers"]["x-hook-token"], "[redacted]");
    assert_eq!(log[0]["headers"]["x-event"], "ping");
    assert!(!log[0].to_string().contains("s3cret-token"));
    assert_eq!(log[0]["status"], 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_callback_goes_to_the_url_in_the_answer_body() {
    let recv = Receiver::start();
    recv.answer_with(&[(204, "")]);
    let s = server();
    let notify: String = form_urlencoded::byte_serialize(recv.url("/jobs").as_bytes()).collect();
    let r = client()
        .post(s.url(&format!("/jobs?notify={notify}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let answer: Value = r.json().await.unwrap();
    assert_eq!(answer["notify"], recv.url("/jobs"));
    let got = recv.wait_for(1).await;
    assert_eq!(got[0].method, "POST");
    assert_eq!(got[0].target, "/jobs/done?job=job_7");
    assert!(got[0].body.is_empty());
    let log = outbound(&s, 1).await;
    assert_eq!(log[0]["status"], 204);
    assert_eq!(log[0]["violations"], json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_delay_holds_the_callback_not_the_answer() {
    let recv = Receiver::start();
    let s = server();
    let t0 = Instant::now();
    let r = client()
        .post(s.url("/slow"))
        .json(&json!({"callbackUrl": recv.url("/late")}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let answered = t0.elapsed();
    assert!(
        answered < Duration::from_millis(1000),
        "answered after {answered:?}"
    );
    // x-stubborn-callback-delay: 1500.
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(recv.count(), 0, "the callback came before its delay");
    let got = recv.wait_for(1).await;
    let waited = got[0].at - t0;
    assert!(
        waited >= Duration::from_millis(1500),
        "sent after {waited:?}"
    );
    assert_eq!(got[0].json(), json!({"late": true}));

    // --callback-delay applies where the document says nothing.
    let recv = Receiver::start();
    let s = server_with(
        MockOptions {
            callback_delay: Some((700, 700)),
            ..MockOptions::default()
        },
        HttpOptions::default(),
    );
    let t0 = Instant::now();
    let r = post_json(&s, "/orders", json!({"callbackUrl": recv.url("/x")})).await;
    assert_eq!(r.status(), 201);
    assert!(t0.elapsed() < Duration::from_millis(600));
    let got = recv.wait_for(1).await;
    assert!(
        got[0].at - t0 >= Duration::from_millis(700),
        "{:?}",
        got[0].at - t0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_500_is_retried_until_the_receiver_takes_it() {
    let recv = Receiver::start();
    recv.answer_with(&[(500, r#"{"oops": 1}"#), (503, "{}")]);
    let s = server();
    let r = post_json(&s, "/orders", json!({"callbackUrl": recv.url("/retry")})).await;
    assert_eq!(r.status(), 201);
    let got = recv.wait_for(3).await;
    assert!(got.iter().all(|g| g.target == "/retry"));
    // Backing off: 100 ms, then 200 ms.
    assert!(got[1].at - got[0].at >= Duration::from_millis(100));
    assert!(got[2].at - got[1].at >= Duration::from_millis(200));
    let log = outbound(&s, 1).await;
    assert_eq!(log[0]["status"], 200);
    assert_eq!(log[0]["attempts"], 3);
    assert_eq!(log[0]["error"], Value::Null);

    // With no retries left, the last 5xx is what the log shows.
    let recv = Receiver::start();
    recv.answer_with(&[(500, "{}"), (500, "{}")]);
    let s = server_with(
        MockOptions::default(),
        HttpOptions {
            callbacks: CallbackOptions {
                retries: 1,
                ..CallbackOptions::default()
            },
            ..HttpOptions::default()
        },
    );
    post_json(&s, "/orders", json!({"callbackUrl": recv.url("/retry")})).await;
    let log = outbound(&s, 1).await;
    assert_eq!(log[0]["status"], 500);
    assert_eq!(log[0]["attempts"], 2);
    assert_eq!(recv.count(), 2);
    assert!(
        log[0]["violations"][0]
            .as_str()
            .unwrap()
            .contains("status 500 is not a documented answer"),
        "{}",
        log[0]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_that_breaks_the_callbacks_contract_is_flagged() {
    let recv = Receiver::start();
    recv.answer_with(&[(200, r#"{"received": "yes"}"#)]);
    let s = server();
    post_json(&s, "/orders", json!({"callbackUrl": recv.url("/bad")})).await;
    recv.wait_for(1).await;
    let log = outbound(&s, 1).await;
    assert_eq!(log[0]["status"], 200);
    let violations = log[0]["violations"].as_array().unwrap();
    assert!(
        violations
            .iter()
            .any(|v| v.as_str().unwrap().contains("/received")),
        "{violations:?}"
    );
    // `invalid=true` finds it.
    let v: Value = get_json(s.url("/__stubborn/requests?invalid=true&direction=outbound")).await;
    assert_eq!(v["count"], 1);
    // A valid answer is not flagged.
    assert_eq!(recv.count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_public_host_is_refused_and_logged() {
    let s = server();
    // 192.0.2.1 is TEST-NET-1 (RFC 5737): a public address nothing answers at; the check
    // refuses it before any connection is tried.
    let r = post_json(
        &s,
        "/orders",
        json!({"callbackUrl": "http://192.0.2.1/hooks"}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let log = outbound(&s, 1).await;
    let error = log[0]["error"].as_str().unwrap();
    assert!(
        error.starts_with("refused: 192.0.2.1 is not a loopback or private-network address"),
        "{error}"
    );
    assert!(error.contains("--allow-callback-host 192.0.2.1"), "{error}");
    assert_eq!(log[0]["status"], 0);
    assert_eq!(log[0]["attempts"], 0);
    assert_eq!(log[0]["path"], "http://192.0.2.1/hooks");
    // Link-local (cloud metadata), other schemes and credentials in the URL are refused.
    for url in [
        "http://169.254.169.254/latest",
        "ftp://127.0.0.1/",
        "http://user:pw@127.0.0.1/",
    ] {
        post_json(&s, "/orders", json!({"callbackUrl": url})).await;
    }
    let log = outbound(&s, 4).await;
    for rec in &log[..3] {
        assert!(
            rec["error"].as_str().unwrap().starts_with("refused"),
            "{rec}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expression_that_does_not_resolve_is_logged_not_sent() {
    let recv = Receiver::start();
    let s = server_with(
        MockOptions {
            validate: stubborn::compile::ValidateMode::Off,
            ..MockOptions::default()
        },
        HttpOptions::default(),
    );
    // No X-Hook header: the URL expression names nothing.
    let r = client().post(s.url("/subscriptions")).send().await.unwrap();
    assert_eq!(r.status(), 202);
    let log = outbound(&s, 1).await;
    let error = log[0]["error"].as_str().unwrap();
    assert!(
        error.contains("did not resolve") && error.contains("x-hook"),
        "{error}"
    );
    assert_eq!(log[0]["path"], "{$request.header.X-Hook}");
    assert_eq!(recv.count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callbacks_in_flight_are_bounded() {
    let recv = Receiver::start();
    let s = server_with(
        MockOptions {
            callback_delay: Some((500, 500)),
            ..MockOptions::default()
        },
        HttpOptions {
            callbacks: CallbackOptions {
                max_in_flight: 1,
                ..CallbackOptions::default()
            },
            ..HttpOptions::default()
        },
    );
    for _ in 0..3 {
        let r = post_json(&s, "/orders", json!({"callbackUrl": recv.url("/one")})).await;
        assert_eq!(r.status(), 201);
    }
    let log = outbound(&s, 3).await;
    let dropped = log
        .iter()
        .filter(|r| {
            r["error"]
                .as_str()
                .is_some_and(|e| e.contains("1 callbacks are in flight already"))
        })
        .count();
    assert_eq!(dropped, 2, "{log:?}");
    recv.wait_for(1).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(recv.count(), 1);
}

fn webhooks_template() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("templates/webhooks.yaml")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_is_sent_through_the_admin_api() {
    let recv = Receiver::start();
    let s = TestServer::start_at(
        &webhooks_template(),
        MockOptions::default(),
        HttpOptions::default(),
    );
    let r = post_json(
        &s,
        "/__stubborn/webhooks/orderShipped",
        json!({"url": recv.url("/hooks")}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let outcome: Value = r.json().await.unwrap();
    assert_eq!(outcome["status"], 200);
    assert_eq!(outcome["attempts"], 1);
    assert_eq!(outcome["url"], recv.url("/hooks"));
    let got = recv.wait_for(1).await;
    assert_eq!(got[0].method, "POST");
    assert_eq!(got[0].target, "/hooks");
    assert_eq!(got[0].json()["type"], "order.shipped");
    assert_eq!(got[0].json()["data"]["carrier"], "DHL");
    let signature = got[0].headers["x-signature"].to_str().unwrap();
    assert!(
        signature.starts_with("sha256=") && signature.len() == 71,
        "{signature}"
    );
    // A body of one's own replaces the documented one; invoicePaid has no example: generated.
    let r = post_json(
        &s,
        "/__stubborn/webhooks/orderShipped",
        json!({"url": recv.url("/mine"), "body": {"custom": 1}}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let r = post_json(
        &s,
        "/__stubborn/webhooks/invoicePaid",
        json!({"url": recv.url("/invoices")}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let got = recv.wait_for(3).await;
    assert_eq!(got[1].json(), json!({"custom": 1}));
    let invoice = got[2].json();
    assert_eq!(invoice["type"], "invoice.paid");
    assert!(["EUR", "USD", "GBP"].contains(&invoice["data"]["currency"].as_str().unwrap()));
    let log = outbound(&s, 3).await;
    assert_eq!(log[0]["operation"], "webhook invoicePaid");
    assert_eq!(log[2]["operation"], "webhook orderShipped");

    // The list, for the dashboard.
    let list: Value = get_json(s.url("/__stubborn/webhooks")).await;
    let names: Vec<&str> = list["webhooks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["orderShipped", "invoicePaid"]);

    // Mistakes get clear answers.
    let r = post_json(
        &s,
        "/__stubborn/webhooks/nope",
        json!({"url": recv.url("/x")}),
    )
    .await;
    assert_eq!(r.status(), 404);
    let p: Value = r.json().await.unwrap();
    assert!(p["detail"]
        .as_str()
        .unwrap()
        .contains("orderShipped, invoicePaid"));
    let r = post_json(&s, "/__stubborn/webhooks/orderShipped", json!({})).await;
    assert_eq!(r.status(), 400);
    let r = post_json(
        &s,
        "/__stubborn/webhooks/orderShipped",
        json!({"url": "http://192.0.2.1/hooks"}),
    )
    .await;
    assert_eq!(r.status(), 403);
    // A receiver that is not there: 502, after the retries.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let r = post_json(
        &s,
        "/__stubborn/webhooks/orderShipped",
        json!({"url": format!("http://{closed}/gone")}),
    )
    .await;
    assert_eq!(r.status(), 502);
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["outcome"]["attempts"], 3);
    // The admin API's guard holds: another origin cannot make the mock send anything.
    let r = client()
        .post(s.url("/__stubborn/webhooks/orderShipped"))
        .header("origin", "http://evil.example")
        .json(&json!({"url": recv.url("/evil")}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(recv.count(), 3);
}

/// The `webhooks` template of `stubborn init` (the README's walkthrough): subscribing pings
/// the new URL, signed as its documented header says.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscribing_in_the_webhooks_template_pings_the_url() {
    let recv = Receiver::start();
    let s = TestServer::start_at(
        &webhooks_template(),
        MockOptions::default(),
        HttpOptions::default(),
    );
    let r = client()
        .post(s.url("/subscriptions"))
        .json(&json!({"url": recv.url("/hooks"), "events": ["order.shipped"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let got = recv.wait_for(1).await;
    assert_eq!(got[0].target, "/hooks");
    assert_eq!(got[0].json()["type"], "ping");
    let signature = got[0].headers["x-signature"].to_str().unwrap();
    assert!(signature.starts_with("sha256="), "{signature}");
    let log = outbound(&s, 1).await;
    assert_eq!(log[0]["operation"], "verify (subscribe)");
    assert_eq!(log[0]["status"], 200);
    assert_eq!(log[0]["violations"], json!([]));
}

#[test]
fn webhook_target_sends_every_webhook_at_start_and_check_lists_callbacks() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let recv = Receiver::start();
    let template = webhooks_template();
    let target = recv.url("/demo");
    let _mock = Binary::mock(&[template.to_str().unwrap(), "--webhook-target", &target]);
    let got = rt.block_on(recv.wait_for(2));
    let types: Vec<Value> = got.iter().map(|g| g.json()["type"].clone()).collect();
    assert_eq!(types, [json!("order.shipped"), json!("invoice.paid")]);

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_stubborn"))
        .args(["check", fixture("callbacks.yaml").to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("POST /orders → orderShipped: POST {$request.body#/callbackUrl}"),
        "{text}"
    );
    assert!(
        text.contains(
            "POST /jobs → done: POST {$response.body#/notify}/done?job={$response.body#/id}"
        ),
        "{text}"
    );
    assert!(
        text.contains("callback nowhere: `$request.body#/nowhere`: the request body's schema does not declare /nowhere"),
        "{text}"
    );
    assert!(
        text.contains(
            "callback noQuery: `$request.query.url`: broken declares no query parameter `url`"
        ),
        "{text}"
    );
    assert!(
        text.contains("callback badExpression: `$request.cookie.session`: expected header.NAME, query.NAME, path.NAME, body or body#/pointer after `$request.`; it is never sent"),
        "{text}"
    );
    assert!(!text.contains("→ badExpression"), "{text}");
    assert!(
        text.contains("x-stubborn-callback-delay: a delay of 999999 ms is longer than the 60000 ms allowed (--max-delay); no delay is added"),
        "{text}"
    );
    // The expressions that resolve are not warned about.
    assert!(!text.contains("callback orderShipped:"), "{text}");
    assert!(!text.contains("callback done:"), "{text}");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_stubborn"))
        .args(["check", template.to_str().unwrap()])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("    orderShipped: POST"), "{text}");
    assert!(text.contains("    invoicePaid: POST"), "{text}");
}

/// The address check runs in the shared client's resolver: a name whose addresses fail it is
/// never connected to (here a check that refuses loopback stands in for a public address, which
/// a test must not reach), and the refusal says why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_connects_only_to_addresses_that_passed_the_check() {
    use stubborn::client::{self, AddressCheck, Client, ErrorKind};
    let recv = Receiver::start();
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let log = Arc::clone(&seen);
    let check = AddressCheck(Arc::new(
        move |host: &str, addrs: &[std::net::SocketAddr]| {
            log.lock().unwrap().push(host.to_string());
            match addrs.iter().find(|a| a.ip().is_loopback()) {
                Some(a) => Err(format!("{} is refused here", a.ip())),
                None => Ok(()),
            }
        },
    ));
    let c = Client::new(&client::Options {
        address_check: Some(check),
        ..client::Options::default()
    })
    .unwrap();
    let url = recv.url("/x").replace("127.0.0.1", "localhost");
    let request = http::Request::post(url).body(client::full("{}")).unwrap();
    let e = c.send(request).await.expect_err("refused");
    assert_eq!(e.kind, ErrorKind::Denied, "{e}");
    assert!(e.to_string().ends_with("is refused here"), "{e}");
    assert_eq!(*seen.lock().unwrap(), ["localhost"]);
    assert_eq!(recv.count(), 0);
    // The callbacks' own rule lets the same name through (loopback).
    let c = Client::new(&client::Options {
        address_check: Some(stubborn::server::outbound::address_check(Vec::new())),
        ..client::Options::default()
    })
    .unwrap();
    let url = recv.url("/x").replace("127.0.0.1", "localhost");
    let request = http::Request::post(url).body(client::full("{}")).unwrap();
    assert_eq!(c.send(request).await.unwrap().status(), 200);
    assert_eq!(recv.count(), 1);
}

/// An outbound record reaches the live stream (`GET /__stubborn/requests/stream`) as it
/// happens, with its direction and the receiver's answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_live_stream_shows_callbacks() {
    use futures_util::StreamExt;
    let recv = Receiver::start();
    let s = server();
    let r = client()
        .get(s.url("/__stubborn/requests/stream"))
        .send()
        .await
        .unwrap();
    let mut stream = r.bytes_stream();
    post_json(&s, "/orders", json!({"callbackUrl": recv.url("/live")})).await;
    let mut seen = String::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    let event = loop {
        if let Some(line) = seen
            .lines()
            .find(|l| l.starts_with("data:") && l.contains("\"direction\":\"outbound\""))
        {
            break line.trim_start_matches("data:").trim().to_string();
        }
        assert!(Instant::now() < deadline, "no outbound event: {seen}");
        if let Ok(Some(Ok(chunk))) =
            tokio::time::timeout(Duration::from_secs(1), stream.next()).await
        {
            seen.push_str(&String::from_utf8_lossy(&chunk));
        }
    };
    let call: Value = serde_json::from_str(&event).unwrap();
    assert_eq!(call["path"], recv.url("/live"));
    assert_eq!(call["status"], 200);
    assert_eq!(call["response"]["body"], r#"{"received": true}"#);
}

/// OpenAPI 3.0 callbacks, with query and path parameters in the URL expression.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_30_callbacks_with_query_and_path_expressions() {
    let recv = Receiver::start();
    let dir = common::TempDir::new("callbacks30");
    let spec = dir.0.join("api.yaml");
    std::fs::write(
        &spec,
        r#"
openapi: 3.0.3
info: {title: Thirty, version: '1'}
paths:
  /items/{id}:
    put:
      parameters:
        - {name: id, in: path, required: true, schema: {type: integer}}
        - {name: url, in: query, required: true, schema: {type: string}}
      responses:
        '204': {description: Stored.}
      callbacks:
        stored:
          '{$request.query.url}/items/{$request.path.id}?by={$method}':
            post:
              requestBody:
                content:
                  application/json:
                    schema:
                      type: object
                      required: [id]
                      properties:
                        id: {type: integer, minimum: 1, maximum: 5}
                        note: {type: string, nullable: true}
              responses:
                '200': {description: Received.}
"#,
    )
    .unwrap();
    let s = TestServer::start_at(&spec, MockOptions::default(), HttpOptions::default());
    let url: String = form_urlencoded::byte_serialize(recv.base.as_bytes()).collect();
    let r = client()
        .put(s.url(&format!("/items/4?url={url}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let got = recv.wait_for(1).await;
    assert_eq!(got[0].target, "/items/4?by=PUT");
    let id = got[0].json()["id"].as_i64().unwrap();
    assert!((1..=5).contains(&id), "{:?}", got[0].body);
}

/// An API key the document declares for the query stays out of the call log when a callback
/// URL carries it; the receiver gets it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declared_query_key_in_a_callback_url_is_redacted() {
    let recv = Receiver::start();
    let s = server();
    post_json(
        &s,
        "/orders",
        json!({"callbackUrl": recv.url("/hooks?token=s3cret-q&x=1")}),
    )
    .await;
    let got = recv.wait_for(1).await;
    assert_eq!(got[0].target, "/hooks?token=s3cret-q&x=1");
    let log = outbound(&s, 1).await;
    assert_eq!(log[0]["path"], recv.url("/hooks"));
    assert_eq!(log[0]["query"], "token=[redacted]&x=1");
    let all: Value = get_json(s.url("/__stubborn/requests?direction=outbound")).await;
    assert!(!all.to_string().contains("s3cret-q"), "{all}");
}

/// `--shared redis://…`: a callback one replica sends shows in the other replica's call log,
/// with its direction, attempts and the receiver's answer (skipped without redis-server, except
/// under CI).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_callback_shows_in_every_shared_replicas_log() {
    let Some(redis) = common::RedisServer::start() else {
        return;
    };
    let recv = Receiver::start();
    let doc = fixture("callbacks.yaml");
    let url = redis.url();
    let args = [
        doc.to_str().unwrap(),
        "--shared",
        &url,
        "--state-namespace",
        "callbacks",
    ];
    let a = Binary::mock(&args);
    let b = Binary::mock(&args);
    let r = client()
        .post(a.url("/orders"))
        .json(&json!({"callbackUrl": recv.url("/shared")}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    recv.wait_for(1).await;
    let start = Instant::now();
    loop {
        let log = get_json(b.url("/__stubborn/requests?direction=outbound")).await;
        if let Some(rec) = log["requests"].as_array().and_then(|l| l.first()) {
            assert_eq!(rec["path"], recv.url("/shared"));
            assert_eq!(rec["status"], 200);
            assert_eq!(rec["attempts"], 1);
            assert_eq!(rec["operation"], "orderShipped (createOrder)");
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the other replica never showed the callback: {log}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Stateful mode (`--stateful`) answers a resource's create from its store; the operation's
/// callbacks are still sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stateful_answers_send_their_callbacks_too() {
    let recv = Receiver::start();
    let dir = common::TempDir::new("callbacks-stateful");
    let spec = dir.0.join("api.yaml");
    std::fs::write(
        &spec,
        r#"
openapi: 3.1.0
info: {title: Stateful hooks, version: '1'}
paths:
  /hooks:
    get:
      responses:
        '200':
          description: All.
          content:
            application/json:
              schema: {type: array, items: {$ref: '#/components/schemas/Hook'}}
    post:
      operationId: addHook
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Hook'}
      responses:
        '201':
          description: Added.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Hook'}
      callbacks:
        hello:
          '{$request.body#/url}':
            post:
              requestBody:
                content:
                  application/json:
                    example: {hello: '{$response.body#/id}'}
              responses:
                '200': {description: Received.}
  /hooks/{id}:
    get:
      parameters:
        - {name: id, in: path, required: true, schema: {type: integer}}
      responses:
        '200':
          description: One.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Hook'}
components:
  schemas:
    Hook:
      type: object
      required: [url]
      properties:
        id: {type: integer, readOnly: true}
        url: {type: string}
"#,
    )
    .unwrap();
    let s = TestServer::start_at(
        &spec,
        MockOptions {
            stateful: true,
            ..MockOptions::default()
        },
        HttpOptions::default(),
    );
    let r = post_json(&s, "/hooks", json!({"url": recv.url("/stateful")})).await;
    let status = r.status();
    let created: Value = r.json().await.unwrap();
    assert_eq!(status, 201, "{created}");
    // The store's answer: the item as sent, with the id the store gave it.
    assert_eq!(created["url"], recv.url("/stateful"), "{created}");
    let got = recv.wait_for(1).await;
    assert_eq!(got[0].target, "/stateful");
    assert_eq!(got[0].json(), json!({"hello": created["id"]}));
    let log = outbound(&s, 1).await;
    assert_eq!(log[0]["operation"], "hello (addHook)");
}

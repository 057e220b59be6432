//! The outbound client (`stubborn::client`) against upstreams started here: plain HTTP, TLS
//! with a CA made in the test (trusted through `ca_file`, refused without it, accepted with
//! `insecure`), a refused connection, a slow answer, and bodies past the limit.

mod upstream;

use std::time::Duration;
use stubborn::client::{self, Client, ErrorKind, Options, Read};
use upstream::{closed_port, Reply, TestCa, Upstream};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn get(url: &str) -> http::Request<client::Body> {
    http::Request::get(url).body(client::empty()).unwrap()
}

#[test]
fn sends_and_reads_a_whole_answer() {
    let up = Upstream::start(|seen| {
        Reply::json(201, &format!(r#"{{"got":{}}}"#, seen.body.len())).with_header("x-up", "1")
    });
    let client = Client::new(&Options::default()).unwrap();
    let response = runtime().block_on(async {
        let req = http::Request::post(format!("{}/things?x=1", up.base))
            .header("content-type", "application/json")
            .body(client::full("{\"a\":1}"))
            .unwrap();
        client.fetch(req, 1024).await.unwrap()
    });
    assert_eq!(response.status(), 201);
    assert_eq!(response.headers()["x-up"], "1");
    assert_eq!(response.body().as_ref(), br#"{"got":7}"#);
    let seen = up.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method, "POST");
    assert_eq!(seen[0].target, "/things?x=1");
    assert_eq!(seen[0].headers["content-type"], "application/json");
    assert_eq!(seen[0].headers["host"], format!("127.0.0.1:{}", up.port));
}

#[test]
fn tls_with_a_private_ca() {
    let ca = TestCa::new();
    let up = Upstream::start_tls(&ca, |_| Reply::json(200, r#"{"secure":true}"#));
    let rt = runtime();

    // Trusted through the CA file.
    let trusting = Client::new(&Options {
        ca_file: Some(ca.ca_file.clone()),
        ..Options::default()
    })
    .unwrap();
    let response = rt
        .block_on(trusting.fetch(get(&format!("{}/x", up.base)), 1024))
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.body().as_ref(), br#"{"secure":true}"#);

    // Without it the certificate is refused, and the message says why.
    let plain = Client::new(&Options::default()).unwrap();
    let err = rt
        .block_on(plain.fetch(get(&format!("{}/x", up.base)), 1024))
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Connect, "{err}");
    assert!(
        err.to_string().to_lowercase().contains("certificate"),
        "{err}"
    );

    // --insecure accepts it.
    let insecure = Client::new(&Options {
        insecure: true,
        ..Options::default()
    })
    .unwrap();
    let response = rt
        .block_on(insecure.fetch(get(&format!("{}/x", up.base)), 1024))
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(up.seen().len(), 2);
}

#[test]
fn a_ca_file_without_certificates_is_refused() {
    let path = std::env::temp_dir().join(format!("stubborn-empty-ca-{}.pem", std::process::id()));
    std::fs::write(&path, "not a certificate\n").unwrap();
    let err = Client::new(&Options {
        ca_file: Some(path.clone()),
        ..Options::default()
    })
    .err()
    .unwrap();
    let _ = std::fs::remove_file(&path);
    assert!(err.contains("no PEM certificate"), "{err}");
}

#[test]
fn a_refused_connection_is_told_apart() {
    let client = Client::new(&Options::default()).unwrap();
    let url = format!("http://127.0.0.1:{}/x", closed_port());
    let err = runtime().block_on(client.send(get(&url))).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Refused, "{err}");
}

#[test]
fn a_slow_upstream_times_out() {
    let up = Upstream::start(|_| Reply::json(200, "{}").after(Duration::from_secs(10)));
    let client = Client::new(&Options {
        timeout: Duration::from_millis(300),
        ..Options::default()
    })
    .unwrap();
    let started = std::time::Instant::now();
    let err = runtime()
        .block_on(client.fetch(get(&format!("{}/slow", up.base)), 1024))
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Timeout, "{err}");
    assert!(err.to_string().contains("300 ms"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn bodies_past_the_limit_are_refused_or_streamed_on() {
    let big = "x".repeat(2_000_000);
    let body = big.clone();
    let up = Upstream::start(move |_| Reply::json(200, &body));
    let client = Client::new(&Options::default()).unwrap();
    let rt = runtime();
    let err = rt
        .block_on(client.fetch(get(&format!("{}/big", up.base)), 1000))
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::TooLarge);

    // read_body keeps only a little past the limit and hands back the rest, unread.
    let whole = rt.block_on(async {
        use http_body_util::BodyExt;
        let response = client.send(get(&format!("{}/big", up.base))).await.unwrap();
        let deadline = tokio::time::Instant::now() + client.timeout();
        let read = client::read_body(response.into_body(), 1000, deadline, client.timeout())
            .await
            .unwrap();
        let Read::Partial { head, rest } = read else {
            panic!("a 2 MB body read whole under a 1,000-byte limit");
        };
        assert!(
            head.len() > 1000 && head.len() < 1_000_000,
            "{}",
            head.len()
        );
        client::stream_on(head, rest)
            .collect()
            .await
            .unwrap()
            .to_bytes()
    });
    assert_eq!(whole.len(), big.len());
    assert_eq!(whole, big.as_bytes());
}

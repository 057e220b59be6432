//! The yardstick for the load benchmark: a bare hyper server answering one fixed JSON body with
//! hyper's HTTP/1 connection builder (the leanest server hyper offers), on tokio's default
//! multi-threaded runtime. `cargo run --release --example bare_hyper -- PORT`

use bytes::Bytes;
use http_body_util::Full;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::convert::Infallible;

const BODY: &[u8] = br#"[{"id":1,"name":"Rex","tag":"dog","createdAt":"2026-01-04T10:00:00Z"},{"id":2,"name":"Tom","tag":"cat","createdAt":"2026-02-11T16:30:00Z"}]"#;

#[tokio::main]
async fn main() {
    let port: u16 = std::env::args()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(4020);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("bind");
    println!(
        "listening on http://{}",
        listener.local_addr().expect("addr")
    );
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        tokio::spawn(async move {
            let service = service_fn(|_req| async {
                let mut r = hyper::Response::new(Full::new(Bytes::from_static(BODY)));
                r.headers_mut().insert(
                    "content-type",
                    hyper::header::HeaderValue::from_static("application/json"),
                );
                Ok::<_, Infallible>(r)
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

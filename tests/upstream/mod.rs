//! A small upstream server for the client and proxy tests: hyper on an ephemeral loopback port,
//! plain or over TLS with a certificate made here (a CA of the test's own and a leaf for
//! `localhost` and `127.0.0.1`), answering with a closure and keeping every request it saw.
#![allow(dead_code)]

use bytes::Bytes;
use std::convert::Infallible;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// A request as the upstream received it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
    pub headers: http::HeaderMap,
    pub body: Bytes,
    /// When it arrived (callbacks' delays and retries are timed by it).
    pub at: std::time::Instant,
}

impl Seen {
    /// The body as JSON; panics, naming it, when it is not.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{}: {e}", String::from_utf8_lossy(&self.body)))
    }
}

/// What the upstream answers: status, headers, body.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
    /// Wait this long before answering.
    pub delay: Option<std::time::Duration>,
}

impl Reply {
    pub fn json(status: u16, body: &str) -> Reply {
        Reply {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: Bytes::from(body.to_string()),
            delay: None,
        }
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn after(mut self, delay: std::time::Duration) -> Reply {
        self.delay = Some(delay);
        self
    }
}

type Handler = dyn Fn(&Seen) -> Reply + Send + Sync;

/// A certificate authority made for one test, and a server certificate it signed.
pub struct TestCa {
    /// The CA's certificate, PEM, written to a file for `--upstream-ca`.
    pub ca_file: PathBuf,
    cert_der: rustls::pki_types::CertificateDer<'static>,
    key_der: Vec<u8>,
}

impl TestCa {
    pub fn new() -> TestCa {
        use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
        let ca_key = KeyPair::generate().expect("CA key");
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "stubborn test CA");
        let ca_cert = ca_params.self_signed(&ca_key).expect("CA certificate");
        let issuer = Issuer::new(ca_params, ca_key);
        let leaf_key = KeyPair::generate().expect("leaf key");
        let leaf_params =
            CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
                .expect("leaf params");
        let leaf = leaf_params
            .signed_by(&leaf_key, &issuer)
            .expect("leaf certificate");
        let ca_file = std::env::temp_dir().join(format!(
            "stubborn-test-ca-{}-{}.pem",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0)
        ));
        std::fs::write(&ca_file, ca_cert.pem()).expect("write CA file");
        TestCa {
            ca_file,
            cert_der: leaf.der().clone(),
            key_der: leaf_key.serialize_der(),
        }
    }

    fn acceptor(&self) -> tokio_rustls::TlsAcceptor {
        let key = rustls::pki_types::PrivateKeyDer::Pkcs8(self.key_der.clone().into());
        let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(vec![self.cert_der.clone()], key)
        .expect("server certificate");
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        tokio_rustls::TlsAcceptor::from(Arc::new(config))
    }
}

impl Drop for TestCa {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.ca_file);
    }
}

/// The running upstream; stopped on drop.
pub struct Upstream {
    /// `http://127.0.0.1:PORT` or `https://localhost:PORT`.
    pub base: String,
    pub port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Upstream {
    /// A plain-HTTP upstream answering with `handler`.
    pub fn start(handler: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> Upstream {
        Self::start_inner(Arc::new(handler), None)
    }

    /// An upstream over TLS with `ca`'s server certificate.
    pub fn start_tls(
        ca: &TestCa,
        handler: impl Fn(&Seen) -> Reply + Send + Sync + 'static,
    ) -> Upstream {
        Self::start_inner(Arc::new(handler), Some(ca.acceptor()))
    }

    fn start_inner(handler: Arc<Handler>, tls: Option<tokio_rustls::TlsAcceptor>) -> Upstream {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let log = Arc::clone(&seen);
        let secure = tls.is_some();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("bind");
                addr_tx.send(listener.local_addr().unwrap()).unwrap();
                let mut stop_rx = stop_rx;
                loop {
                    let (stream, _) = tokio::select! {
                        a = listener.accept() => match a { Ok(p) => p, Err(_) => continue },
                        _ = &mut stop_rx => break,
                    };
                    let handler = Arc::clone(&handler);
                    let log = Arc::clone(&log);
                    let tls = tls.clone();
                    tokio::spawn(async move {
                        let service = hyper::service::service_fn(
                            move |req: http::Request<hyper::body::Incoming>| {
                                let handler = Arc::clone(&handler);
                                let log = Arc::clone(&log);
                                async move { Ok::<_, Infallible>(answer(&*handler, &log, req).await) }
                            },
                        );
                        let builder = hyper_util::server::conn::auto::Builder::new(
                            hyper_util::rt::TokioExecutor::new(),
                        );
                        match tls {
                            Some(acceptor) => {
                                if let Ok(s) = acceptor.accept(stream).await {
                                    let _ = builder
                                        .serve_connection(hyper_util::rt::TokioIo::new(s), service)
                                        .await;
                                }
                            }
                            None => {
                                let _ = builder
                                    .serve_connection(
                                        hyper_util::rt::TokioIo::new(stream),
                                        service,
                                    )
                                    .await;
                            }
                        }
                    });
                }
            });
        });
        let addr: std::net::SocketAddr = addr_rx.recv().expect("upstream address");
        let base = if secure {
            format!("https://localhost:{}", addr.port())
        } else {
            format!("http://{addr}")
        };
        Upstream {
            base,
            port: addr.port(),
            seen,
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }

    /// Every request received so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// Waits (10 s at most, without blocking the test's runtime) until `n` requests arrived;
    /// returns them all.
    pub async fn wait_for(&self, n: usize) -> Vec<Seen> {
        let start = std::time::Instant::now();
        loop {
            let seen = self.seen();
            if seen.len() >= n {
                return seen;
            }
            assert!(
                start.elapsed() < std::time::Duration::from_secs(10),
                "the upstream got {} request(s), not {n}: {seen:?}",
                seen.len()
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
}

async fn answer(
    handler: &Handler,
    log: &Mutex<Vec<Seen>>,
    req: http::Request<hyper::body::Incoming>,
) -> http::Response<http_body_util::Full<Bytes>> {
    use http_body_util::BodyExt;
    let (parts, body) = req.into_parts();
    let body = body
        .collect()
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default();
    let seen = Seen {
        method: parts.method.to_string(),
        target: parts
            .uri
            .path_and_query()
            .map(|p| p.to_string())
            .unwrap_or_default(),
        headers: parts.headers,
        body,
        at: std::time::Instant::now(),
    };
    let reply = handler(&seen);
    log.lock().unwrap().push(seen);
    if let Some(d) = reply.delay {
        tokio::time::sleep(d).await;
    }
    let mut response = http::Response::new(http_body_util::Full::new(reply.body));
    *response.status_mut() = http::StatusCode::from_u16(reply.status).unwrap();
    for (n, v) in reply.headers {
        response.headers_mut().append(
            http::HeaderName::from_bytes(n.as_bytes()).unwrap(),
            http::HeaderValue::from_str(&v).unwrap(),
        );
    }
    response
}

impl Drop for Upstream {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A loopback port nothing listens on (bound, then released).
pub fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

//! A real stubborn server on an ephemeral port, for tests that speak HTTP to it.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;
use stubborn::compile::{Mock, MockOptions};
use stubborn::server::reload::SharedMock;
use stubborn::server::{self, HttpOptions};

pub struct TestServer {
    pub base: String,
    /// The mock the server started with.
    pub mock: Arc<Mock>,
    /// What the server answers with; `replace` swaps the version served.
    pub shared: Arc<SharedMock>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// A path under the repository's `specs/`.
pub fn spec(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("specs")
        .join(name)
}

impl TestServer {
    pub fn start(spec_name: &str) -> TestServer {
        Self::start_with(spec_name, MockOptions::default(), HttpOptions::default())
    }

    pub fn start_with(spec_name: &str, options: MockOptions, http: HttpOptions) -> TestServer {
        let mock = stubborn::server::reload::load_mock(&spec(spec_name), options)
            .0
            .unwrap_or_else(|e| panic!("{spec_name} does not load: {e}"));
        let mock = Arc::new(mock);
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let shared = Arc::new(SharedMock::new(Arc::clone(&mock)));
        let served = Arc::clone(&shared);
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("bind");
                addr_tx
                    .send(listener.local_addr().expect("addr"))
                    .expect("send addr");
                server::serve(served, http, listener, async {
                    let _ = rx.await;
                })
                .await;
            });
        });
        let addr = addr_rx.recv().expect("server address");
        TestServer {
            base: format!("http://{addr}"),
            mock,
            shared,
            stop: Some(tx),
            thread: Some(thread),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A blocking-free client: every test runs on its own tokio runtime via `#[tokio::test]`.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

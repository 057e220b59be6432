//! The library's front end: [`MockServer`], a real stubborn server on a local port, started from
//! Rust, with stubs added and requests read back without going through HTTP, and the contract
//! checked at the end of a test. The command line starts its server through the same
//! [`MockServerBuilder`] (`bind`, then `serve`), so the two cannot drift apart.
//!
//! The server runs on a thread of its own, with its own single-threaded tokio runtime: it
//! works the same under `#[tokio::test]` (any flavor), under another runtime and in a plain
//! `#[test]`, and dropping it never needs an async context.

mod error;
mod received;
mod stub;

pub use error::Error;
pub use received::ReceivedRequest;
pub use stub::{Stub, Times};

use crate::compile::{check_delay, Mock, MockOptions, ValidateMode};
use crate::generate::Locale;
use crate::load::LoadOptions;
use crate::server::calllog::CallLog;
use crate::server::reload::{load_mock, spawn_watcher, SharedMock};
use crate::server::stubs::Stubs;
use crate::server::{HttpOptions, Server};
use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A mock of an API, served from its OpenAPI document (or Swagger 2.0, a Postman collection, a
/// HAR file) on a random port of `127.0.0.1`, for the length of a test.
///
/// It answers as `stubborn mock` does: documented examples or data generated from the
/// response schemas, requests that break the contract rejected as the document says. A test
/// adds [`Stub`]s for the answers it needs, reads back what the client sent with
/// [`received_requests`](MockServer::received_requests), and ends with
/// [`assert_contract_kept`](MockServer::assert_contract_kept): every request the client made
/// kept to the provider's contract.
///
/// The server stops when dropped; then stub expectations ([`Stub::expect`]) are checked, and a
/// failed one panics (unless the thread is already panicking).
///
/// ```
/// use stubborn::MockServer;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let server = MockServer::start(concat!(env!("CARGO_MANIFEST_DIR"), "/specs/petstore.yaml")).await?;
/// let pets: serde_json::Value = reqwest::get(format!("{}/pets", server.uri())).await?.json().await?;
/// assert!(pets.is_array());
/// server.assert_contract_kept();
/// # Ok(())
/// # }
/// ```
pub struct MockServer {
    uri: String,
    address: SocketAddr,
    shared: Arc<SharedMock>,
    log: Arc<CallLog>,
    stubs: Arc<Stubs>,
    expectations: Mutex<Vec<Expectation>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// A registered stub's expectation, with its live call count.
struct Expectation {
    name: String,
    times: Times,
    hits: Arc<AtomicU64>,
}

impl MockServer {
    /// Starts a server for the document at `spec` with the default options (see
    /// [`MockServer::builder`] for others).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = stubborn::MockServer::start(
    ///     concat!(env!("CARGO_MANIFEST_DIR"), "/specs/petstore.yaml"),
    /// )
    /// .await
    /// .unwrap();
    /// assert!(server.uri().starts_with("http://127.0.0.1:"));
    /// # }
    /// ```
    pub async fn start(spec: impl AsRef<Path>) -> Result<MockServer, Error> {
        MockServer::builder().spec(spec).start().await
    }

    /// [`MockServer::start`] for synchronous tests: waits for the server without an async
    /// runtime. Call it outside of one (inside one, use `start(..).await`).
    ///
    /// ```
    /// let server = stubborn::MockServer::start_blocking(
    ///     concat!(env!("CARGO_MANIFEST_DIR"), "/specs/petstore.yaml"),
    /// )
    /// .unwrap();
    /// let status = reqwest::blocking::get(server.url("/pets")).unwrap().status();
    /// assert_eq!(status, 200);
    /// ```
    pub fn start_blocking(spec: impl AsRef<Path>) -> Result<MockServer, Error> {
        MockServer::builder().spec(spec).start_blocking()
    }

    /// A builder for a server with options: the document as text, a seed, validation, a
    /// private key, latency...
    ///
    /// ```
    /// let server = stubborn::MockServer::builder()
    ///     .spec(concat!(env!("CARGO_MANIFEST_DIR"), "/specs/petstore.yaml"))
    ///     .seed(7)
    ///     .dynamic(true)
    ///     .start_blocking()
    ///     .unwrap();
    /// # drop(server);
    /// ```
    pub fn builder() -> MockServerBuilder {
        MockServerBuilder::default()
    }

    /// The server's base URL, `http://127.0.0.1:PORT`, without a trailing slash: point the
    /// client under test at it.
    ///
    /// ```
    /// # let server = stubborn::MockServer::start_blocking(
    /// #     concat!(env!("CARGO_MANIFEST_DIR"), "/specs/petstore.yaml")).unwrap();
    /// assert!(!server.uri().ends_with('/'));
    /// ```
    pub fn uri(&self) -> String {
        self.uri.clone()
    }

    /// `uri()` followed by `path` (which starts with `/`).
    ///
    /// ```
    /// # let server = stubborn::MockServer::start_blocking(
    /// #     concat!(env!("CARGO_MANIFEST_DIR"), "/specs/petstore.yaml")).unwrap();
    /// assert_eq!(server.url("/pets"), format!("{}/pets", server.uri()));
    /// ```
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.uri)
    }

    /// The address the server listens on.
    ///
    /// ```
    /// # let server = stubborn::MockServer::start_blocking(
    /// #     concat!(env!("CARGO_MANIFEST_DIR"), "/specs/petstore.yaml")).unwrap();
    /// assert!(server.address().ip().is_loopback());
    /// ```
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Adds a stub, answered from the next request on, before the document's operations; the
    /// newest matching stub answers. Fails with [`Error::Stub`] when the stub names an
    /// operation the document lacks, a header that HTTP does not allow, or answers both as the
    /// document and on its own. Returns the stub's id (`stub=ID` in
    /// [`ReceivedRequest::answered_by`]).
    ///
    /// ```
    /// # let server = stubborn::MockServer::start_blocking(
    /// #     concat!(env!("CARGO_MANIFEST_DIR"), "/specs/petstore.yaml")).unwrap();
    /// let id = server.register(stubborn::Stub::get("/pets").status(503)).unwrap();
    /// assert_eq!(reqwest::blocking::get(server.url("/pets")).unwrap().status(), 503);
    /// assert_eq!(server.received_requests()[0].answered_by, Some(format!("stub={id}")));
    /// ```
    pub fn register(&self, stub: Stub) -> Result<u64, Error> {
        let (stored, name, times) = stub.build(&self.shared.current())?;
        let hits = Arc::clone(&stored.hits);
        let source = self.stubs.insert(stored).map_err(Error::Stub)?;
        if let Some(times) = times {
            self.expectations_lock()
                .push(Expectation { name, times, hits });
        }
        Ok(source
            .get("id")
            .and_then(|v| v.as_u64())
            .unwrap_or_default())
    }

    /// Every request received so far (since the start or the last [`reset`](MockServer::reset)),
    /// oldest first, within the log's bound ([`MockServerBuilder::log_size`]).
    ///
    /// ```
    /// # let server = stubborn::MockServer::start_blocking(
    /// #     concat!(env!("CARGO_MANIFEST_DIR"), "/specs/petstore.yaml")).unwrap();
    /// reqwest::blocking::get(server.url("/pets/1")).unwrap();
    /// reqwest::blocking::get(server.url("/pets/2")).unwrap();
    /// let paths: Vec<String> = server.received_requests().into_iter().map(|r| r.path).collect();
    /// assert_eq!(paths, ["/pets/1", "/pets/2"]);
    /// ```
    pub fn received_requests(&self) -> Vec<ReceivedRequest> {
        // The log also holds the callbacks the mock sent: those were not received.
        let mut records = self.log.select(|r| r.outbound.is_none(), usize::MAX);
        records.reverse();
        records.iter().map(ReceivedRequest::from_record).collect()
    }

    /// Checks every stub's expectation ([`Stub::expect`]): `Err(Error::Expectations)` names
    /// each stub called too often or too rarely.
    ///
    /// ```
    /// # let server = stubborn::MockServer::start_blocking(
    /// #     concat!(env!("CARGO_MANIFEST_DIR"), "/specs/petstore.yaml")).unwrap();
    /// server.register(stubborn::Stub::get("/pets").status(200).expect(1)).unwrap();
    /// assert!(server.verify().is_err());
    /// reqwest::blocking::get(server.url("/pets")).unwrap();
    /// assert!(server.verify().is_ok());
    /// ```
    pub fn verify(&self) -> Result<(), Error> {
        let unmet: Vec<String> = self
            .expectations_lock()
            .iter()
            .filter_map(|e| {
                let hits = e.hits.load(Ordering::Relaxed);
                (!e.times.contains(hits)).then(|| {
                    format!(
                        "{}: expected {}, answered {hits} request(s)",
                        e.name, e.times
                    )
                })
            })
            .collect();
        if unmet.is_empty() {
            Ok(())
        } else {
            Err(Error::Expectations(unmet))
        }
    }

    /// Whether every request received kept to the contract: `Err(Error::ContractBroken)` lists
    /// each one that did not, with its violations (a body missing a required property, a
    /// query parameter of the wrong type, missing credentials...) or because the document has
    /// no operation for it. Requests a stub answered are checked too. With validation off
    /// ([`ValidateMode::Off`], the default for a Postman collection or a HAR file), only
    /// requests the document has no operation for break it.
    ///
    /// ```
    /// # let server = stubborn::MockServer::start_blocking(
    /// #     concat!(env!("CARGO_MANIFEST_DIR"), "/specs/petstore.yaml")).unwrap();
    /// reqwest::blocking::get(server.url("/pets?limit=2")).unwrap();
    /// assert!(server.check_contract().is_ok());
    /// reqwest::blocking::get(server.url("/pets?limit=many")).unwrap();
    /// let err = server.check_contract().unwrap_err();
    /// assert!(err.to_string().contains("GET /pets?limit=many → 422 (listPets)"), "{err}");
    /// ```
    pub fn check_contract(&self) -> Result<(), Error> {
        let received = self.received_requests();
        let unchecked = self.log.evicted();
        let total = received.len();
        let broken: Vec<ReceivedRequest> = received
            .into_iter()
            .filter(ReceivedRequest::breaks_contract)
            .collect();
        if broken.is_empty() && unchecked == 0 {
            return Ok(());
        }
        Err(Error::ContractBroken {
            requests: broken,
            received: total + unchecked as usize,
            unchecked,
        })
    }

    /// Panics, listing every request that broke the contract, if any did (see
    /// [`check_contract`](MockServer::check_contract)). The assertion to end a test with.
    ///
    /// ```should_panic
    /// # let server = stubborn::MockServer::start_blocking(
    /// #     concat!(env!("CARGO_MANIFEST_DIR"), "/specs/petstore.yaml")).unwrap();
    /// reqwest::blocking::Client::new()
    ///     .post(server.url("/pets"))
    ///     .json(&serde_json::json!({"nickname": "Rex"}))
    ///     .send()
    ///     .unwrap();
    /// server.assert_contract_kept(); // panics: the body lacks the required `name`
    /// ```
    #[track_caller]
    pub fn assert_contract_kept(&self) {
        if let Err(e) = self.check_contract() {
            panic!("{e}");
        }
    }

    /// Forgets every stub, every expectation and every received request; the document keeps
    /// serving.
    ///
    /// ```
    /// # let server = stubborn::MockServer::start_blocking(
    /// #     concat!(env!("CARGO_MANIFEST_DIR"), "/specs/petstore.yaml")).unwrap();
    /// server.register(stubborn::Stub::get("/pets").status(503).expect(1)).unwrap();
    /// server.reset();
    /// assert_eq!(reqwest::blocking::get(server.url("/pets")).unwrap().status(), 200);
    /// server.reset();
    /// assert!(server.received_requests().is_empty());
    /// ```
    pub fn reset(&self) {
        self.stubs.clear();
        self.expectations_lock().clear();
        self.log.clear();
    }

    /// The compiled mock being served (for the crate's own tests and tools).
    #[doc(hidden)]
    pub fn mock(&self) -> Arc<Mock> {
        self.shared.current()
    }

    /// What the server answers with; `replace` swaps the version served.
    #[doc(hidden)]
    pub fn shared(&self) -> &Arc<SharedMock> {
        &self.shared
    }

    fn expectations_lock(&self) -> std::sync::MutexGuard<'_, Vec<Expectation>> {
        self.expectations.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl std::fmt::Debug for MockServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockServer")
            .field("uri", &self.uri)
            .finish()
    }
}

impl Drop for MockServer {
    /// Stops the server (requests in flight finish first), then checks the stubs'
    /// expectations: a failed one panics, unless the thread is panicking already.
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        if std::thread::panicking() {
            return;
        }
        if let Err(e) = self.verify() {
            panic!("{e}");
        }
    }
}

/// Where the document comes from.
#[derive(Clone, Debug, Default)]
enum Source {
    /// No document: the mock starts empty and answers only stubs.
    #[default]
    Empty,
    Path(PathBuf),
    Text(String),
}

/// Options for a [`MockServer`], as `stubborn mock` takes them; made by
/// [`MockServer::builder`], ended by [`start`](MockServerBuilder::start) or
/// [`start_blocking`](MockServerBuilder::start_blocking).
///
/// ```
/// use std::time::Duration;
/// use stubborn::{MockServer, ValidateMode};
///
/// let server = MockServer::builder()
///     .spec(concat!(env!("CARGO_MANIFEST_DIR"), "/specs/petstore.yaml"))
///     .validate(ValidateMode::Warn)
///     .delay(Duration::from_millis(5))
///     .start_blocking()?;
/// // Warn: a bad request is answered, and still recorded as breaking the contract.
/// let status = reqwest::blocking::get(server.url("/pets?limit=0"))?.status();
/// assert_eq!(status, 200);
/// assert!(server.check_contract().is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
#[must_use = "a builder does nothing until `start` or `start_blocking`"]
pub struct MockServerBuilder {
    source: Source,
    options: MockOptions,
    http: HttpOptions,
    load: LoadOptions,
    address: String,
    watch: bool,
}

/// The library's defaults differ from the command line's in two ways: the request log keeps
/// whole bodies, and more requests (a test reads them back).
const LIBRARY_LOG_SIZE: usize = 10_000;

impl Default for MockServerBuilder {
    fn default() -> Self {
        let http = HttpOptions {
            log_count: LIBRARY_LOG_SIZE,
            log_bytes: 256 * 1024 * 1024,
            log_body_limit: crate::server::DEFAULT_MAX_BODY,
            ..HttpOptions::default()
        };
        MockServerBuilder {
            source: Source::Empty,
            options: MockOptions::default(),
            http,
            load: LoadOptions::default(),
            address: "127.0.0.1:0".to_string(),
            watch: false,
        }
    }
}

impl MockServerBuilder {
    /// The document to serve, from a file: OpenAPI 3.0, 3.1 or 3.2, Swagger 2.0, a Postman
    /// collection or a HAR file, JSON or YAML; relative `$ref`s to other files are followed.
    /// Without a document the server answers only stubs (and every request breaks its empty
    /// contract).
    ///
    /// ```
    /// let server = stubborn::MockServer::builder()
    ///     .spec(concat!(env!("CARGO_MANIFEST_DIR"), "/specs/petstore.yaml"))
    ///     .start_blocking()
    ///     .unwrap();
    /// # drop(server);
    /// ```
    pub fn spec(mut self, path: impl AsRef<Path>) -> Self {
        self.source = Source::Path(path.as_ref().to_path_buf());
        self
    }

    /// The document to serve, as text (JSON or YAML, any format [`spec`](Self::spec) reads,
    /// without references to other files).
    ///
    /// ```
    /// let server = stubborn::MockServer::builder()
    ///     .spec_text(r#"
    /// openapi: 3.1.0
    /// info: {title: Hello, version: "1"}
    /// paths:
    ///   /hello:
    ///     get:
    ///       responses:
    ///         '200':
    ///           description: a greeting
    ///           content:
    ///             text/plain:
    ///               example: hi
    /// "#)
    ///     .start_blocking()
    ///     .unwrap();
    /// let text = reqwest::blocking::get(server.url("/hello")).unwrap().text().unwrap();
    /// assert_eq!(text, "hi");
    /// ```
    pub fn spec_text(mut self, text: impl Into<String>) -> Self {
        self.source = Source::Text(text.into());
        self
    }

    /// The seed of generated data: the same seed gives the same bodies on every run (default 0).
    ///
    /// ```
    /// let builder = stubborn::MockServer::builder().seed(42);
    /// # let _ = builder;
    /// ```
    pub fn seed(mut self, seed: u64) -> Self {
        self.options.seed = seed;
        self
    }

    /// Fresh generated data on every request instead of fixed bodies.
    ///
    /// ```
    /// let builder = stubborn::MockServer::builder().dynamic(true);
    /// # let _ = builder;
    /// ```
    pub fn dynamic(mut self, dynamic: bool) -> Self {
        self.options.dynamic = dynamic;
        self
    }

    /// Stateful mode for every resource the document has: what a client creates (`POST`), it
    /// can read back, change and delete (without it, only resources the document marks
    /// `x-stubborn-stateful: true` are stateful).
    ///
    /// ```
    /// let server = stubborn::MockServer::builder()
    ///     .spec(concat!(env!("CARGO_MANIFEST_DIR"), "/specs/petstore.yaml"))
    ///     .stateful(true)
    ///     .start_blocking()
    ///     .unwrap();
    /// let client = reqwest::blocking::Client::new();
    /// let created: serde_json::Value = client
    ///     .post(server.url("/pets"))
    ///     .json(&serde_json::json!({"name": "Rex"}))
    ///     .send()
    ///     .unwrap()
    ///     .json()
    ///     .unwrap();
    /// let id = created["id"].as_i64().unwrap();
    /// let read: serde_json::Value =
    ///     client.get(server.url(&format!("/pets/{id}"))).send().unwrap().json().unwrap();
    /// assert_eq!(read["name"], "Rex");
    /// server.assert_contract_kept();
    /// ```
    pub fn stateful(mut self, on: bool) -> Self {
        self.options.stateful = on;
        self
    }

    /// What to do with requests that break the contract (by default, [`ValidateMode::Auto`]:
    /// enforce an OpenAPI or Swagger document, do not check a Postman collection or a HAR
    /// file). Requests are recorded with their violations whether rejected or answered.
    ///
    /// ```
    /// let builder = stubborn::MockServer::builder().validate(stubborn::ValidateMode::Warn);
    /// # let _ = builder;
    /// ```
    pub fn validate(mut self, mode: ValidateMode) -> Self {
        self.options.validate = mode;
        self
    }

    /// Makes the mock private: every request must carry `x-api-key: KEY` (an empty key is no
    /// key).
    ///
    /// ```
    /// let server = stubborn::MockServer::builder()
    ///     .spec(concat!(env!("CARGO_MANIFEST_DIR"), "/specs/petstore.yaml"))
    ///     .api_key("s3cret")
    ///     .start_blocking()
    ///     .unwrap();
    /// assert_eq!(reqwest::blocking::get(server.url("/pets")).unwrap().status(), 401);
    /// ```
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.http.api_key = Some(key.into()).filter(|k| !k.is_empty());
        self
    }

    /// Latency added to every answer (at most a minute, or [`max_delay`](Self::max_delay)).
    ///
    /// ```
    /// let builder = stubborn::MockServer::builder().delay(std::time::Duration::from_millis(50));
    /// # let _ = builder;
    /// ```
    pub fn delay(mut self, delay: Duration) -> Self {
        let ms = delay.as_millis().try_into().unwrap_or(u64::MAX);
        self.options.delay = Some((ms, ms));
        self
    }

    /// A random latency between `low` and `high`, per answer.
    ///
    /// ```
    /// use std::time::Duration;
    /// let builder = stubborn::MockServer::builder()
    ///     .delay_between(Duration::from_millis(10), Duration::from_millis(50));
    /// # let _ = builder;
    /// ```
    pub fn delay_between(mut self, low: Duration, high: Duration) -> Self {
        let ms = |d: Duration| d.as_millis().try_into().unwrap_or(u64::MAX);
        self.options.delay = Some((ms(low), ms(high)));
        self
    }

    /// The longest delay anything may ask for: [`delay`](Self::delay), a document's
    /// `x-stubborn-delay`, a request's `Prefer: delay` (default one minute).
    ///
    /// ```
    /// let builder = stubborn::MockServer::builder().max_delay(std::time::Duration::from_secs(5));
    /// # let _ = builder;
    /// ```
    pub fn max_delay(mut self, max: Duration) -> Self {
        self.options.max_delay_ms = max.as_millis().try_into().unwrap_or(u64::MAX);
        self
    }

    /// The language of generated names, addresses and phone numbers.
    ///
    /// ```
    /// let builder = stubborn::MockServer::builder().locale(stubborn::Locale::De);
    /// # let _ = builder;
    /// ```
    pub fn locale(mut self, locale: Locale) -> Self {
        self.options.locale = locale;
        self
    }

    /// Checks a Postman collection's auth as security requirements (Postman's own mocks do not).
    ///
    /// ```
    /// let builder = stubborn::MockServer::builder().enforce_auth(true);
    /// # let _ = builder;
    /// ```
    pub fn enforce_auth(mut self, on: bool) -> Self {
        self.options.enforce_auth = on;
        self
    }

    /// Variables filling a Postman collection's `{{name}}`s, as an attached environment does.
    ///
    /// ```
    /// let builder = stubborn::MockServer::builder().postman_variables([("baseUrl", "http://x")]);
    /// # let _ = builder;
    /// ```
    pub fn postman_variables<K: Into<String>, V: Into<String>>(
        mut self,
        variables: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.load.environment = variables
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        self
    }

    /// Answers CORS preflights and adds CORS headers (on by default).
    ///
    /// ```
    /// let builder = stubborn::MockServer::builder().cors(false);
    /// # let _ = builder;
    /// ```
    pub fn cors(mut self, on: bool) -> Self {
        self.http.cors = on;
        self
    }

    /// How many requests [`MockServer::received_requests`] keeps (10,000 by default); older
    /// ones drop out, and [`MockServer::check_contract`] then says it could not check them.
    ///
    /// ```
    /// let builder = stubborn::MockServer::builder().log_size(100);
    /// # let _ = builder;
    /// ```
    pub fn log_size(mut self, requests: usize) -> Self {
        self.http.log_count = requests.max(1);
        self
    }

    /// The largest request body accepted (larger ones get 413); 10 MB by default.
    ///
    /// ```
    /// let builder = stubborn::MockServer::builder().max_body(1024);
    /// # let _ = builder;
    /// ```
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.http.max_body = bytes;
        self.http.log_body_limit = bytes;
        self
    }

    /// Every option of how bodies are made and requests judged at once (the command line's
    /// way in; new `mock` options land in [`MockOptions`] first).
    #[doc(hidden)]
    pub fn mock_options(mut self, options: MockOptions) -> Self {
        self.options = options;
        self
    }

    /// Every HTTP option at once (the command line's way in).
    #[doc(hidden)]
    pub fn http_options(mut self, http: HttpOptions) -> Self {
        self.http = http;
        self
    }

    /// What loading needs besides the document.
    #[doc(hidden)]
    pub fn load_options(mut self, load: LoadOptions) -> Self {
        self.load = load;
        self
    }

    /// Where to listen: `HOST:PORT` (`127.0.0.1:0` by default: a free port of the loopback).
    #[doc(hidden)]
    pub fn address(mut self, address: impl Into<String>) -> Self {
        self.address = address.into();
        self
    }

    /// Reload the document (a file) when it changes (`mock --watch`).
    #[doc(hidden)]
    pub fn watch(mut self, on: bool) -> Self {
        self.watch = on;
        self
    }

    /// Starts the server on a thread of its own and waits until it listens.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = stubborn::MockServer::builder()
    ///     .spec(concat!(env!("CARGO_MANIFEST_DIR"), "/specs/petstore.yaml"))
    ///     .start()
    ///     .await
    ///     .unwrap();
    /// # drop(server);
    /// # }
    /// ```
    pub async fn start(self) -> Result<MockServer, Error> {
        let (started, ready) = self.launch()?;
        let handles = ready
            .await
            .map_err(|_| Error::Runtime(std::io::Error::other("the server thread ended")))??;
        Ok(MockServer::from_parts(handles, started))
    }

    /// [`start`](Self::start) for synchronous tests: waits without an async runtime. Inside
    /// one, it refuses with [`Error::Runtime`] (waiting would block the runtime's thread): use
    /// `start().await` there.
    ///
    /// ```
    /// let server = stubborn::MockServer::builder()
    ///     .spec(concat!(env!("CARGO_MANIFEST_DIR"), "/specs/petstore.yaml"))
    ///     .start_blocking()
    ///     .unwrap();
    /// # drop(server);
    /// ```
    pub fn start_blocking(self) -> Result<MockServer, Error> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(Error::Runtime(std::io::Error::other(
                "start_blocking was called inside an async runtime; use `start().await` there",
            )));
        }
        let (started, ready) = self.launch()?;
        let handles = ready
            .blocking_recv()
            .map_err(|_| Error::Runtime(std::io::Error::other("the server thread ended")))??;
        Ok(MockServer::from_parts(handles, started))
    }

    /// Spawns the server's thread: it loads the document, binds, says so on the returned
    /// channel, and serves until the stop signal.
    fn launch(self) -> Result<(Started, tokio::sync::oneshot::Receiver<Ready>), Error> {
        let (ready_tx, ready_rx) = tokio::sync::oneshot::channel::<Ready>();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("stubborn-mock".into())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(r) => r,
                    Err(e) => {
                        let _ = ready_tx.send(Err(Error::Runtime(e)));
                        return;
                    }
                };
                runtime.block_on(async move {
                    let bound = match self.bind().await {
                        Ok(b) => b,
                        Err(e) => {
                            let _ = ready_tx.send(Err(e));
                            return;
                        }
                    };
                    let handles = Handles {
                        address: bound.address,
                        shared: Arc::clone(&bound.shared),
                        log: Arc::clone(bound.server.log()),
                        stubs: Arc::clone(bound.server.stubs()),
                    };
                    if ready_tx.send(Ok(handles)).is_err() {
                        return;
                    }
                    bound
                        .serve(async {
                            let _ = stop_rx.await;
                        })
                        .await;
                });
            })
            .map_err(Error::Runtime)?;
        Ok((
            Started {
                stop: stop_tx,
                thread,
            },
            ready_rx,
        ))
    }

    /// Loads and compiles the document, checks the options, binds the address and (with
    /// `watch`) starts watching the files: everything up to serving, for the command line to
    /// announce the server before it serves.
    #[doc(hidden)]
    pub async fn bind(self) -> Result<Bound, Error> {
        if let Some((low, high)) = self.options.delay {
            check_delay(low, high, self.options.max_delay_ms)
                .map_err(|e| Error::Options(format!("delay: {e}")))?;
        }
        let mock = match &self.source {
            Source::Empty => Mock::new(crate::model::Api::empty(), self.options.clone()),
            Source::Path(path) => load_mock(path, &self.load, self.options.clone()).0?,
            Source::Text(text) => Mock::new(
                crate::load::load_str("the document", text)?,
                self.options.clone(),
            ),
        };
        let mock = Arc::new(mock);
        let listener = tokio::net::TcpListener::bind(&self.address)
            .await
            .map_err(|source| Error::Bind {
                address: self.address.clone(),
                source,
            })?;
        let address = listener.local_addr().map_err(|source| Error::Bind {
            address: self.address.clone(),
            source,
        })?;
        let shared = Arc::new(SharedMock::new(Arc::clone(&mock)));
        if let (true, Source::Path(path)) = (self.watch, &self.source) {
            // Before the server is announced: whoever waits for that may edit the file at once.
            spawn_watcher(
                path.clone(),
                Arc::clone(&shared),
                self.load.clone(),
                self.options.clone(),
            );
        }
        let server = Server::new(Arc::clone(&shared), self.http);
        Ok(Bound {
            address,
            mock,
            shared,
            server,
            listener,
        })
    }
}

/// A server bound to its address, not serving yet (see [`MockServerBuilder::bind`]).
#[doc(hidden)]
pub struct Bound {
    /// The address it listens on.
    pub address: SocketAddr,
    /// The mock it starts with.
    pub mock: Arc<Mock>,
    /// What it serves (swapped by `--watch`).
    pub shared: Arc<SharedMock>,
    /// The server, with its call log and stubs.
    pub server: Server,
    listener: tokio::net::TcpListener,
}

impl Bound {
    /// Serves as a contract proxy (`stubborn proxy`): requests go to the upstream, the mock
    /// answering what the proxy hands back to it.
    pub fn with_proxy(mut self, proxy: Arc<crate::proxy::Proxy>) -> Bound {
        self.server = self.server.with_proxy(proxy);
        self
    }

    /// Serves until `shutdown` resolves; requests in flight finish first.
    pub async fn serve(self, shutdown: impl Future<Output = ()> + Send + 'static) {
        self.server.run(self.listener, shutdown).await;
    }
}

/// What the server thread hands back once it listens.
struct Handles {
    address: SocketAddr,
    shared: Arc<SharedMock>,
    log: Arc<CallLog>,
    stubs: Arc<Stubs>,
}

type Ready = Result<Handles, Error>;

/// The server thread and how to stop it.
struct Started {
    stop: tokio::sync::oneshot::Sender<()>,
    thread: std::thread::JoinHandle<()>,
}

impl MockServer {
    fn from_parts(handles: Handles, started: Started) -> MockServer {
        MockServer {
            uri: format!("http://{}", handles.address),
            address: handles.address,
            shared: handles.shared,
            log: handles.log,
            stubs: handles.stubs,
            expectations: Mutex::new(Vec::new()),
            stop: Some(started.stop),
            thread: Some(started.thread),
        }
    }
}

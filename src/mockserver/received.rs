//! [`ReceivedRequest`]: a request the server answered, as a test reads it back.

use crate::server::calllog::CallRecord;

/// A request the [`MockServer`](crate::MockServer) received, with what the contract says of it.
///
/// Read them with [`MockServer::received_requests`](crate::MockServer::received_requests).
/// Credentials (`Authorization`, cookies, `x-api-key` and the API keys the document declares)
/// are stored as `[redacted]`, in headers and query alike.
///
/// ```
/// # let server = stubborn::MockServer::start_blocking(
/// #     concat!(env!("CARGO_MANIFEST_DIR"), "/specs/petstore.yaml")).unwrap();
/// let status = reqwest::blocking::get(server.url("/pets?limit=abc")).unwrap().status();
/// assert_eq!(status, 422);
/// let requests = server.received_requests();
/// let r = &requests[0];
/// assert_eq!((r.method.as_str(), r.path.as_str()), ("GET", "/pets"));
/// assert_eq!(r.query.as_deref(), Some("limit=abc"));
/// assert_eq!(r.operation.as_deref(), Some("listPets"));
/// assert!(r.breaks_contract(), "{r}");
/// # let _ = server.check_contract();
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReceivedRequest {
    /// `GET`, `POST`...
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The query string as sent (without `?`), if there was one.
    pub query: Option<String>,
    /// The headers as sent, names in lower case, in order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
    /// The status it was answered with.
    pub status: u16,
    /// The document's operation it routed to (its `operationId`, or `METHOD /path` without
    /// one); `None` when the document has no such operation.
    pub operation: Option<String>,
    /// What answered, as the `x-stubborn-match` header says: `stub=3` for a stub, a scenario's
    /// name, a preference...
    pub answered_by: Option<String>,
    /// How the request broke the operation's contract, one line each (empty when it kept it,
    /// or when validation is off).
    pub violations: Vec<String>,
}

impl ReceivedRequest {
    pub(crate) fn from_record(r: &CallRecord) -> ReceivedRequest {
        ReceivedRequest {
            method: r.method.as_str().to_string(),
            path: r.path.clone(),
            query: r.query.clone(),
            headers: r
                .headers
                .iter()
                .map(|(k, v)| (k.to_string(), String::from_utf8_lossy(v).into_owned()))
                .collect(),
            body: r.body.to_vec(),
            status: r.status,
            operation: r.operation.as_deref().map(str::to_string),
            answered_by: r
                .matched
                .as_ref()
                .map(|m| String::from_utf8_lossy(m.as_bytes()).into_owned()),
            violations: r.violations.clone(),
        }
    }

    /// Whether the request broke the contract: it has violations, or the document has no
    /// operation for its method and path (a stub may have answered it all the same).
    ///
    /// ```
    /// # let server = stubborn::MockServer::start_blocking(
    /// #     concat!(env!("CARGO_MANIFEST_DIR"), "/specs/petstore.yaml")).unwrap();
    /// reqwest::blocking::get(server.url("/pets")).unwrap();
    /// reqwest::blocking::get(server.url("/owners")).unwrap();
    /// let requests = server.received_requests();
    /// assert!(!requests[0].breaks_contract());
    /// assert!(requests[1].breaks_contract());
    /// # let _ = server.check_contract();
    /// ```
    pub fn breaks_contract(&self) -> bool {
        !self.violations.is_empty() || self.operation.is_none()
    }

    /// The first value of a header (by name, in any case), as text.
    ///
    /// ```
    /// # let server = stubborn::MockServer::start_blocking(
    /// #     concat!(env!("CARGO_MANIFEST_DIR"), "/specs/petstore.yaml")).unwrap();
    /// reqwest::blocking::Client::new()
    ///     .get(server.url("/pets"))
    ///     .header("X-Trace", "abc")
    ///     .send()
    ///     .unwrap();
    /// assert_eq!(server.received_requests()[0].header("x-trace"), Some("abc"));
    /// ```
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON (into any type that deserializes).
    ///
    /// ```
    /// # let server = stubborn::MockServer::start_blocking(
    /// #     concat!(env!("CARGO_MANIFEST_DIR"), "/specs/petstore.yaml")).unwrap();
    /// reqwest::blocking::Client::new()
    ///     .post(server.url("/pets"))
    ///     .json(&serde_json::json!({"name": "Rex"}))
    ///     .send()
    ///     .unwrap();
    /// let body: serde_json::Value = server.received_requests()[0].body_json().unwrap();
    /// assert_eq!(body["name"], "Rex");
    /// ```
    pub fn body_json<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(&self.body)
    }

    /// The body as text (invalid UTF-8 replaced).
    ///
    /// ```
    /// # let server = stubborn::MockServer::start_blocking(
    /// #     concat!(env!("CARGO_MANIFEST_DIR"), "/specs/petstore.yaml")).unwrap();
    /// reqwest::blocking::Client::new()
    ///     .post(server.url("/pets"))
    ///     .body("not json")
    ///     .send()
    ///     .unwrap();
    /// assert_eq!(server.received_requests()[0].body_text(), "not json");
    /// # let _ = server.check_contract();
    /// ```
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One line: `POST /pets → 422 (createPets): violation; violation`.
impl std::fmt::Display for ReceivedRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.method, self.path)?;
        if let Some(q) = &self.query {
            write!(f, "?{q}")?;
        }
        write!(f, " → {}", self.status)?;
        match &self.operation {
            Some(op) => write!(f, " ({op})")?,
            None => write!(f, ": the document has no operation for it")?,
        }
        if !self.violations.is_empty() {
            write!(f, ": {}", self.violations.join("; "))?;
        }
        Ok(())
    }
}

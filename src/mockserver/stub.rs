//! [`Stub`] and [`Times`]: answers a test adds from Rust, with how often it expects them used.
//!
//! A stub is the runtime stub of the admin API (`POST /__stubborn/stubs`, see
//! [`crate::server::stubs`]) built with methods instead of JSON, so both are read, matched and
//! answered by the same code.

use super::Error;
use crate::compile::Mock;
use crate::model::Method;
use crate::server::stubs::{Stub as StoredStub, Stubs};
use http::header::{HeaderName, HeaderValue};
use serde_json::{json, Map, Value};
use std::ops::{Range, RangeFrom, RangeInclusive, RangeTo, RangeToInclusive};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Duration;

/// An answer added to a running [`MockServer`](crate::MockServer), answered before the
/// document's own, for the requests that match it.
///
/// A stub matches a method and a path (a concrete one, `/pets/7`, or a template,
/// `/pets/{petId}`), or an operation of the document by its `operationId`; and, optionally,
/// values of path parameters, query parameters, headers, cookies and JSON body fields. It
/// answers either with its own status, headers and body, or, with
/// [`prefer_status`](Stub::prefer_status) and [`prefer_example`](Stub::prefer_example), with the
/// document's own answer chosen as a `Prefer` header would choose it. The newest matching stub
/// answers. Whoever answers, the request is still checked against the contract (see
/// [`MockServer::check_contract`](crate::MockServer::check_contract)).
///
/// ```
/// use stubborn::{MockServer, Stub};
///
/// let server = MockServer::start_blocking(
///     concat!(env!("CARGO_MANIFEST_DIR"), "/specs/petstore.yaml"),
/// )?;
/// server.register(
///     Stub::get("/pets/{petId}")
///         .path_param("petId", "7")
///         .status(200)
///         .json(serde_json::json!({"id": 7, "name": "Rex"}))
///         .expect(1),
/// )?;
/// let pet: serde_json::Value = reqwest::blocking::get(server.url("/pets/7"))?.json()?;
/// assert_eq!(pet["name"], "Rex");
/// server.verify()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
#[must_use = "a stub does nothing until it is registered with `MockServer::register`"]
pub struct Stub {
    target: Target,
    /// `when` of the stub's JSON form: source (`path`, `query`...) → name → expected value.
    when: Map<String, Value>,
    status: Option<u16>,
    headers: Vec<(String, String)>,
    body: Option<Value>,
    prefer: Vec<String>,
    delay: Option<Duration>,
    times: Option<Times>,
    name: Option<String>,
    /// A problem found while building (a body that is not JSON), reported on registration.
    problem: Option<String>,
}

#[derive(Clone, Debug)]
enum Target {
    Route { method: String, path: String },
    Operation(String),
}

impl Stub {
    fn with_target(target: Target) -> Stub {
        Stub {
            target,
            when: Map::new(),
            status: None,
            headers: Vec::new(),
            body: None,
            prefer: Vec::new(),
            delay: None,
            times: None,
            name: None,
            problem: None,
        }
    }

    /// A stub for `method` (`GET`, `post`...) and `path`, a concrete path or a template with
    /// `{name}` segments.
    ///
    /// ```
    /// let stub = stubborn::Stub::new("PATCH", "/pets/{petId}").status(204);
    /// # let _ = stub;
    /// ```
    pub fn new(method: &str, path: &str) -> Stub {
        Stub::with_target(Target::Route {
            method: method.to_string(),
            path: path.to_string(),
        })
    }

    /// A stub for `GET path`.
    ///
    /// ```
    /// let stub = stubborn::Stub::get("/pets").status(503);
    /// # let _ = stub;
    /// ```
    pub fn get(path: &str) -> Stub {
        Stub::new("GET", path)
    }

    /// A stub for `POST path`.
    ///
    /// ```
    /// let stub = stubborn::Stub::post("/pets").status(201);
    /// # let _ = stub;
    /// ```
    pub fn post(path: &str) -> Stub {
        Stub::new("POST", path)
    }

    /// A stub for `PUT path`.
    ///
    /// ```
    /// let stub = stubborn::Stub::put("/pets/1").status(204);
    /// # let _ = stub;
    /// ```
    pub fn put(path: &str) -> Stub {
        Stub::new("PUT", path)
    }

    /// A stub for `DELETE path`.
    ///
    /// ```
    /// let stub = stubborn::Stub::delete("/pets/1").status(204);
    /// # let _ = stub;
    /// ```
    pub fn delete(path: &str) -> Stub {
        Stub::new("DELETE", path)
    }

    /// A stub for the document's operation with this `operationId` (its method and path
    /// template); registering it fails when the document has no such operation.
    ///
    /// ```
    /// # let server = stubborn::MockServer::start_blocking(
    /// #     concat!(env!("CARGO_MANIFEST_DIR"), "/specs/petstore.yaml")).unwrap();
    /// server.register(stubborn::Stub::operation("showPetById").status(500)).unwrap();
    /// assert_eq!(reqwest::blocking::get(server.url("/pets/3")).unwrap().status(), 500);
    /// assert!(server.register(stubborn::Stub::operation("noSuchThing")).is_err());
    /// ```
    pub fn operation(operation_id: &str) -> Stub {
        Stub::with_target(Target::Operation(operation_id.to_string()))
    }

    fn when(mut self, source: &str, name: &str, expected: Value) -> Stub {
        let entry = self
            .when
            .entry(source.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(m) = entry {
            m.insert(name.to_string(), expected);
        }
        self
    }

    /// Matches only when the path parameter `name` (of the stub's template) is `value`.
    ///
    /// ```
    /// let stub = stubborn::Stub::get("/pets/{petId}").path_param("petId", "7");
    /// # let _ = stub;
    /// ```
    pub fn path_param(self, name: &str, value: &str) -> Stub {
        self.when("path", name, Value::from(value))
    }

    /// Matches only when the query parameter `name` is `value`.
    ///
    /// ```
    /// let stub = stubborn::Stub::get("/pets").query("limit", "2");
    /// # let _ = stub;
    /// ```
    pub fn query(self, name: &str, value: &str) -> Stub {
        self.when("query", name, Value::from(value))
    }

    /// Matches only when the header `name` (in any case) is `value`.
    ///
    /// ```
    /// let stub = stubborn::Stub::get("/pets").header("x-tenant", "acme");
    /// # let _ = stub;
    /// ```
    pub fn header(self, name: &str, value: &str) -> Stub {
        self.when("header", name, Value::from(value))
    }

    /// Matches only when the header `name` matches the regular expression `pattern`
    /// (anywhere in the value; anchor it with `^…$`).
    ///
    /// ```
    /// let stub = stubborn::Stub::get("/pets").header_matches("authorization", "^Bearer ");
    /// # let _ = stub;
    /// ```
    pub fn header_matches(self, name: &str, pattern: &str) -> Stub {
        self.when("header", name, json!({ "regex": pattern }))
    }

    /// Matches only when the query parameter `name` matches the regular expression `pattern`.
    ///
    /// ```
    /// let stub = stubborn::Stub::get("/pets").query_matches("limit", "^[0-9]+$");
    /// # let _ = stub;
    /// ```
    pub fn query_matches(self, name: &str, pattern: &str) -> Stub {
        self.when("query", name, json!({ "regex": pattern }))
    }

    /// Matches only when the cookie `name` is `value`.
    ///
    /// ```
    /// let stub = stubborn::Stub::get("/pets").cookie("session", "s1");
    /// # let _ = stub;
    /// ```
    pub fn cookie(self, name: &str, value: &str) -> Stub {
        self.when("cookie", name, Value::from(value))
    }

    /// Matches only when the JSON body holds `value` at `pointer` (a JSON pointer such as
    /// `/name` or `/owner/id`; `""` is the whole body).
    ///
    /// ```
    /// let stub = stubborn::Stub::post("/pets").body_field("/name", "Rex").status(409);
    /// # let _ = stub;
    /// ```
    pub fn body_field(self, pointer: &str, value: impl Into<Value>) -> Stub {
        self.when("body", pointer, value.into())
    }

    /// The status to answer with (200 when a stub sets none).
    ///
    /// ```
    /// let stub = stubborn::Stub::get("/pets").status(503);
    /// # let _ = stub;
    /// ```
    pub fn status(mut self, status: u16) -> Stub {
        self.status = Some(status);
        self
    }

    /// A header to answer with; set after the body, so it may replace the body's
    /// `Content-Type`.
    ///
    /// ```
    /// let stub = stubborn::Stub::get("/pets").response_header("retry-after", "5").status(503);
    /// # let _ = stub;
    /// ```
    pub fn response_header(mut self, name: &str, value: &str) -> Stub {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// A JSON body to answer with (`Content-Type: application/json`), from anything that
    /// serializes. A JSON string is sent as text (`text/plain`); use [`Stub::text`] for text.
    ///
    /// ```
    /// let stub = stubborn::Stub::get("/pets").json(serde_json::json!([{"id": 1, "name": "Rex"}]));
    /// # let _ = stub;
    /// ```
    pub fn json(mut self, body: impl serde::Serialize) -> Stub {
        match serde_json::to_value(body) {
            Ok(v) => self.body = Some(v),
            Err(e) => self.problem = Some(format!("the body is not JSON: {e}")),
        }
        self
    }

    /// A text body to answer with (`Content-Type: text/plain; charset=utf-8`).
    ///
    /// ```
    /// let stub = stubborn::Stub::get("/health").text("ok");
    /// # let _ = stub;
    /// ```
    pub fn text(mut self, body: &str) -> Stub {
        self.body = Some(Value::from(body));
        self
    }

    /// Answers as the document would with this status (one it documents), as a request saying
    /// `Prefer: code=STATUS` gets: the documented example or a body generated from the schema.
    /// Such a stub answers within the contract; it takes no [`status`](Stub::status),
    /// [`json`](Stub::json), [`text`](Stub::text) or [`response_header`](Stub::response_header).
    ///
    /// ```
    /// # let server = stubborn::MockServer::start_blocking(
    /// #     concat!(env!("CARGO_MANIFEST_DIR"), "/specs/petstore.yaml")).unwrap();
    /// server.register(stubborn::Stub::get("/pets/{petId}").prefer_status(404)).unwrap();
    /// assert_eq!(reqwest::blocking::get(server.url("/pets/1")).unwrap().status(), 404);
    /// ```
    pub fn prefer_status(mut self, status: u16) -> Stub {
        self.prefer.push(format!("code={status}"));
        self
    }

    /// Answers as the document would with its example of this name, as a request saying
    /// `Prefer: example=NAME` gets.
    ///
    /// ```
    /// # let server = stubborn::MockServer::start_blocking(
    /// #     concat!(env!("CARGO_MANIFEST_DIR"), "/specs/petstore.yaml")).unwrap();
    /// server.register(stubborn::Stub::get("/pets").prefer_example("two")).unwrap();
    /// let pets: Vec<serde_json::Value> =
    ///     reqwest::blocking::get(server.url("/pets")).unwrap().json().unwrap();
    /// assert_eq!(pets.len(), 2);
    /// ```
    pub fn prefer_example(mut self, name: &str) -> Stub {
        self.prefer.push(format!("example={name}"));
        self
    }

    /// Waits this long before answering.
    ///
    /// ```
    /// let stub = stubborn::Stub::get("/pets").delay(std::time::Duration::from_millis(300));
    /// # let _ = stub;
    /// ```
    pub fn delay(mut self, delay: Duration) -> Stub {
        self.delay = Some(delay);
        self
    }

    /// How many requests this stub expects to answer: `1`, `2..`, `..=3`, `1..=2`. Checked by
    /// [`MockServer::verify`](crate::MockServer::verify), and when the server is dropped (a
    /// failed expectation then panics, as in the `wiremock` crate, unless the test is already
    /// panicking).
    ///
    /// ```
    /// let stub = stubborn::Stub::get("/pets").status(200).expect(1..);
    /// # let _ = stub;
    /// ```
    pub fn expect(mut self, times: impl Into<Times>) -> Stub {
        self.times = Some(times.into());
        self
    }

    /// A name for the stub, used in expectation failures (by default its method and path).
    ///
    /// ```
    /// let stub = stubborn::Stub::get("/pets").named("the pet list").expect(1);
    /// # let _ = stub;
    /// ```
    pub fn named(mut self, name: &str) -> Stub {
        self.name = Some(name.to_string());
        self
    }

    /// The stub as the runtime stub table stores it, under `mock`'s document; and its name and
    /// expectation.
    pub(crate) fn build(self, mock: &Mock) -> Result<(StoredStub, String, Option<Times>), Error> {
        if let Some(p) = self.problem {
            return Err(Error::Stub(p));
        }
        let (method, path) = match &self.target {
            Target::Route { method, path } => (method.to_ascii_uppercase(), path.clone()),
            Target::Operation(id) => {
                let op = mock
                    .api
                    .operations
                    .iter()
                    .find(|op| op.id == *id)
                    .ok_or_else(|| {
                        let known: Vec<&str> = mock
                            .api
                            .operations
                            .iter()
                            .map(|op| op.id.as_str())
                            .filter(|id| !id.is_empty())
                            .collect();
                        Error::Stub(format!(
                            "the document has no operation `{id}`; it has {}",
                            if known.is_empty() {
                                "none with an operationId".to_string()
                            } else {
                                known.join(", ")
                            }
                        ))
                    })?;
                (op.method.as_str().to_string(), op.path.clone())
            }
        };
        if Method::parse(&method).is_none() {
            return Err(Error::Stub(format!(
                "`{method}` is not an HTTP method (GET, POST, PUT, PATCH, DELETE, QUERY...)"
            )));
        }
        let prefer = if self.prefer.is_empty() {
            None
        } else {
            if self.status.is_some() || self.body.is_some() || !self.headers.is_empty() {
                return Err(Error::Stub(format!(
                    "{method} {path} answers as the document would ({}), so it takes no status, \
                     body or headers of its own",
                    self.prefer.join(", ")
                )));
            }
            Some(
                HeaderValue::from_str(&self.prefer.join(", "))
                    .map_err(|_| Error::Stub(format!("bad preference {:?}", self.prefer)))?,
            )
        };
        for (name, value) in &self.headers {
            HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Error::Stub(format!("`{name}` is not a header name")))?;
            HeaderValue::from_str(value).map_err(|_| {
                Error::Stub(format!(
                    "the value of header `{name}` is not a header value"
                ))
            })?;
        }
        let mut response = Map::new();
        response.insert("status".into(), json!(self.status.unwrap_or(200)));
        if let Some(body) = &self.body {
            response.insert("body".into(), body.clone());
        }
        if !self.headers.is_empty() {
            let headers: Map<String, Value> = self
                .headers
                .iter()
                .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
                .collect();
            response.insert("headers".into(), Value::Object(headers));
        }
        let name = self.name.unwrap_or_else(|| format!("{method} {path}"));
        let mut source = json!({
            "name": name,
            "method": method,
            "path": path,
            "response": response,
        });
        if !self.when.is_empty() {
            source["when"] = Value::Object(self.when);
        }
        let mut stored = Stubs::parse(&source).map_err(Error::Stub)?;
        stored.delay = self.delay;
        stored.prefer = prefer;
        stored.hits = Arc::new(AtomicU64::new(0));
        Ok((stored, name, self.times))
    }
}

/// How many requests a stub expects: an exact count or a range, from `u64` and its ranges
/// (`1`, `1..3`, `1..=3`, `2..`, `..3`, `..=3`).
///
/// ```
/// use stubborn::Times;
/// assert!(Times::from(1).contains(1));
/// assert!(!Times::from(1).contains(2));
/// assert!(Times::from(2..).contains(40));
/// assert!(!Times::from(..=3).contains(4));
/// assert_eq!(Times::from(1..3).to_string(), "between 1 and 2 times");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Times {
    min: u64,
    /// Inclusive; `None` for no upper bound.
    max: Option<u64>,
}

impl Times {
    /// Whether `count` calls meet the expectation.
    ///
    /// ```
    /// assert!(stubborn::Times::from(0..=1).contains(0));
    /// ```
    pub fn contains(&self, count: u64) -> bool {
        count >= self.min && self.max.is_none_or(|max| count <= max)
    }
}

impl std::fmt::Display for Times {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let times = |n: u64| {
            if n == 1 {
                "once".to_string()
            } else {
                format!("{n} times")
            }
        };
        match self.max {
            Some(max) if max == self.min => write!(f, "exactly {}", times(max)),
            Some(max) if self.min == 0 => write!(f, "at most {}", times(max)),
            Some(max) => write!(f, "between {} and {max} times", self.min),
            None => write!(f, "at least {}", times(self.min)),
        }
    }
}

impl From<u64> for Times {
    fn from(n: u64) -> Times {
        Times {
            min: n,
            max: Some(n),
        }
    }
}

impl From<Range<u64>> for Times {
    fn from(r: Range<u64>) -> Times {
        Times {
            min: r.start,
            max: Some(r.end.saturating_sub(1)),
        }
    }
}

impl From<RangeInclusive<u64>> for Times {
    fn from(r: RangeInclusive<u64>) -> Times {
        Times {
            min: *r.start(),
            max: Some(*r.end()),
        }
    }
}

impl From<RangeFrom<u64>> for Times {
    fn from(r: RangeFrom<u64>) -> Times {
        Times {
            min: r.start,
            max: None,
        }
    }
}

impl From<RangeTo<u64>> for Times {
    fn from(r: RangeTo<u64>) -> Times {
        Times {
            min: 0,
            max: Some(r.end.saturating_sub(1)),
        }
    }
}

impl From<RangeToInclusive<u64>> for Times {
    fn from(r: RangeToInclusive<u64>) -> Times {
        Times {
            min: 0,
            max: Some(r.end),
        }
    }
}

//! Compile: the request-independent work, done once. A [`Mock`] holds the model, the router,
//! and for every response variant its pre-rendered body bytes and headers, so answering a
//! request is a lookup, not a walk over the document.
//!
//! Bodies are rendered on first use and cached (`OnceLock`): a 900-operation document starts
//! serving at once, and each body is still rendered exactly once. `stubborn check` and the
//! server's warm-up call [`Mock::render_all`] to do it eagerly.

use crate::generate::{self, Direction, GenOptions};
use crate::model::{Api, MediaType, Method, Operation, Response};
use crate::respond::{self, negotiate, problem::Problem};
use crate::route::{Routed, Router};
use crate::validate::{self, OpValidator, Outcome, RequestParts, Violation};
use bytes::Bytes;
use http::header::{HeaderName, HeaderValue};
use serde_json::Value;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

/// How bodies are produced and requests judged.
#[derive(Clone, Debug, Default)]
pub struct MockOptions {
    /// Picks the data set of generated bodies.
    pub seed: u64,
    /// Fresh generated data on every request instead of fixed bodies.
    pub dynamic: bool,
    /// What to do with requests that break the contract.
    pub validate: ValidateMode,
}

/// `--validate`: reject bad requests (the default), only report them, or not check at all.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ValidateMode {
    #[default]
    Enforce,
    Warn,
    Off,
}

/// A request as the pipeline sees it.
pub struct Request<'a> {
    pub method: Method,
    /// The raw path, still percent-encoded.
    pub path: &'a str,
    /// The raw query string, without `?`.
    pub query: Option<&'a str>,
    pub headers: &'a http::HeaderMap,
    pub body: &'a [u8],
}

/// The response header listing violations when a documented response answers a bad request,
/// or when `--validate=warn` lets one through.
pub const VIOLATIONS_HEADER: &str = "x-stubborn-violations";

/// A body ready to send, or why the operation cannot produce one.
pub type BodyResult = Result<Bytes, String>;

pub struct CompiledMedia {
    /// `(type, subtype)` for negotiation.
    essence: (String, String),
    /// The concrete media type sent (a documented wildcard made concrete).
    wire_type: String,
    pub content_type: HeaderValue,
    body: OnceLock<BodyResult>,
}

pub struct CompiledResponse {
    pub status: u16,
    pub media: Vec<CompiledMedia>,
    available: Vec<(String, String)>,
    headers: OnceLock<Vec<(HeaderName, HeaderValue)>>,
}

struct CompiledOp {
    default: Option<usize>,
    responses: Vec<CompiledResponse>,
    validator: OpValidator,
}

/// A compiled API, ready to answer requests.
pub struct Mock {
    pub api: Api,
    pub router: Router,
    ops: Vec<CompiledOp>,
    pub options: MockOptions,
    dynamic_counter: AtomicU64,
}

/// The outcome of choosing and rendering, before the HTTP layer adds CORS and framing.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub body: Bytes,
}

impl Answer {
    pub fn problem(p: &Problem) -> Answer {
        Answer {
            status: p.status,
            headers: vec![(
                http::header::CONTENT_TYPE,
                HeaderValue::from_static(respond::problem::CONTENT_TYPE),
            )],
            body: p.to_bytes(),
        }
    }
}

impl Mock {
    pub fn new(api: Api, options: MockOptions) -> Mock {
        let router = Router::new(
            api.operations
                .iter()
                .enumerate()
                .map(|(i, op)| (i, op.method, op.path.as_str())),
            &api.base_paths,
        );
        let ops = api
            .operations
            .iter()
            .map(|op| CompiledOp {
                default: respond::default_response(op),
                validator: OpValidator::new(&api.schemas, op),
                responses: op
                    .responses
                    .iter()
                    .map(|r| compile_response(&api.schemas, r))
                    .collect(),
            })
            .collect();
        Mock {
            api,
            router,
            ops,
            options,
            dynamic_counter: AtomicU64::new(0),
        }
    }

    pub fn operation(&self, index: usize) -> &Operation {
        &self.api.operations[index]
    }

    /// Renders every static body and header now; returns the problems found
    /// (schemas no value satisfies).
    pub fn render_all(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for (oi, op) in self.ops.iter().enumerate() {
            for (ri, resp) in op.responses.iter().enumerate() {
                self.headers(oi, ri);
                for mi in 0..resp.media.len() {
                    if let Err(e) = self.static_body(oi, ri, mi) {
                        let o = &self.api.operations[oi];
                        problems.push(format!(
                            "{} {} → {} {}: {e}",
                            o.method,
                            o.path,
                            resp.status,
                            self.api.operations[oi].responses[ri].content[mi].media_type
                        ));
                    }
                }
            }
        }
        problems
    }

    /// Routes, chooses and renders a request with no headers but `Accept` and no body (for
    /// tools and tests that only read).
    pub fn answer(&self, method: Method, path: &str, accept: Option<&str>) -> Answer {
        let mut headers = http::HeaderMap::new();
        if let Some(v) = accept.and_then(|a| HeaderValue::from_str(a).ok()) {
            headers.insert(http::header::ACCEPT, v);
        }
        let (path, query) = match path.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (path, None),
        };
        self.handle(&Request {
            method,
            path,
            query,
            headers: &headers,
            body: &[],
        })
    }

    /// The whole per-request pipeline: route, validate, choose, render.
    pub fn handle(&self, req: &Request) -> Answer {
        let accept = req
            .headers
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok());
        let (operation, path_params) = match self.router.route(req.method, req.path) {
            Routed::Found { operation, params } => (operation, params),
            Routed::MethodNotAllowed { allow } => {
                return method_not_allowed(req.method, req.path, &allow)
            }
            Routed::NotFound => return self.not_found(req.method, req.path),
        };
        let head = req.method == Method::Head;
        if self.options.validate == ValidateMode::Off {
            return self.answer_operation(operation, None, accept, head);
        }
        let op = &self.api.operations[operation];
        let parts = RequestParts {
            path_params: &path_params,
            query: req.query,
            headers: req.headers,
            body: req.body,
        };
        let outcome = validate::validate(
            &self.api.schemas,
            &self.api.security_schemes,
            op,
            &self.ops[operation].validator,
            &parts,
        );
        let (status, title, violations, challenge) = match outcome {
            Outcome::Valid => return self.answer_operation(operation, None, accept, head),
            Outcome::Unauthorized(denied) => (
                401,
                "Unauthorized",
                denied.violations,
                Some(denied.challenge),
            ),
            Outcome::UnsupportedMediaType(v) => (415, "Unsupported Media Type", vec![v], None),
            Outcome::Invalid(vs) => {
                if vs.iter().any(|v| v.malformed) {
                    (400, "Bad Request", vs, None)
                } else {
                    (422, "Unprocessable Content", vs, None)
                }
            }
        };
        if self.options.validate == ValidateMode::Warn {
            let mut answer = self.answer_operation(operation, None, accept, head);
            for v in &violations {
                eprintln!(
                    "warning: {} {}: {} {}: {}",
                    req.method,
                    req.path,
                    v.place.as_str(),
                    v.name,
                    v.message
                );
            }
            push_violations_header(&mut answer, &violations);
            return answer;
        }
        let mut answer = self.reject(operation, status, title, &violations, accept, head);
        if let Some(challenge) = challenge.and_then(|c| HeaderValue::from_str(&c).ok()) {
            answer
                .headers
                .push((http::header::WWW_AUTHENTICATE, challenge));
        }
        answer
    }

    /// The answer to a request that breaks the contract: the response the operation documents
    /// for it when there is one (the mock behaves like the API), else problem+json listing
    /// every violation.
    fn reject(
        &self,
        operation: usize,
        status: u16,
        title: &str,
        violations: &[Violation],
        accept: Option<&str>,
        head: bool,
    ) -> Answer {
        let op = &self.api.operations[operation];
        let documented = |code: u16| {
            op.responses
                .iter()
                .any(|r| r.status == crate::model::StatusKey::Code(code))
        };
        let code = match status {
            422 | 400 if documented(422) => Some(422),
            422 | 400 if documented(400) => Some(400),
            s => respond::response_for_code(op, s).map(|_| s),
        };
        if let Some(code) = code {
            let mut answer = self.answer_operation(operation, Some(code), accept, head);
            if answer.status == code {
                push_violations_header(&mut answer, violations);
                return answer;
            }
        }
        let detail = match violations.len() {
            1 => format!("{} {}: {}", op.method, op.path, violations[0].message),
            n => format!(
                "{} {}: the request breaks the contract in {n} places",
                op.method, op.path
            ),
        };
        let errors: Vec<Value> = violations.iter().map(Violation::to_json).collect();
        let mut answer = Answer::problem(
            &Problem::new(status, title, detail).with("errors", Value::Array(errors)),
        );
        if head {
            answer.body = Bytes::new();
        }
        answer
    }

    fn not_found(&self, method: Method, path: &str) -> Answer {
        let nearest = self.router.nearest(path);
        let detail = match nearest {
            Some(t) => format!("no operation matches {method} {path}; the nearest route is {t}"),
            None => format!("no operation matches {method} {path}"),
        };
        let mut p = Problem::new(404, "Not Found", detail);
        if let Some(t) = nearest {
            p = p.with("nearest", Value::from(t));
        }
        Answer::problem(&p)
    }

    /// Answers for a routed operation: the response with `status` (or the default one), in the
    /// media type `accept` prefers.
    pub fn answer_operation(
        &self,
        op_index: usize,
        status: Option<u16>,
        accept: Option<&str>,
        head: bool,
    ) -> Answer {
        let op = &self.api.operations[op_index];
        let compiled = &self.ops[op_index];
        let ri = match status {
            Some(code) => respond::response_for_code(op, code),
            None => compiled.default,
        };
        let Some(ri) = ri else {
            if let Some(code) = status {
                let documented: Vec<String> =
                    op.responses.iter().map(|r| r.status.to_string()).collect();
                return Answer::problem(
                    &Problem::new(
                        404,
                        "Response Not Documented",
                        format!(
                            "{} {} documents no {code} response; it documents {}",
                            op.method,
                            op.path,
                            documented.join(", ")
                        ),
                    )
                    .with("documented", Value::from(documented)),
                );
            }
            // An operation without responses answers an empty 200: the document allows anything.
            return Answer {
                status: 200,
                headers: Vec::new(),
                body: Bytes::new(),
            };
        };
        let resp = &compiled.responses[ri];
        let code = match (status, op.responses[ri].status) {
            (Some(c), _) => c,
            (None, key) => key.serve_code(),
        };
        let mut headers = self.headers(op_index, ri).clone();
        if resp.media.is_empty() {
            return Answer {
                status: code,
                headers,
                body: Bytes::new(),
            };
        }
        let Some(mi) = negotiate::choose(accept, &resp.available) else {
            let offered: Vec<&str> = op.responses[ri]
                .content
                .iter()
                .map(|m| m.media_type.as_str())
                .collect();
            return Answer::problem(
                &Problem::new(
                    406,
                    "Not Acceptable",
                    format!(
                        "{} {} answers {}; none matches Accept: {}",
                        op.method,
                        op.path,
                        offered.join(", "),
                        accept.unwrap_or("")
                    ),
                )
                .with("available", Value::from(offered)),
            );
        };
        let media = &resp.media[mi];
        let body = if self.options.dynamic {
            self.dynamic_body(op_index, ri, mi)
        } else {
            self.static_body(op_index, ri, mi).clone()
        };
        match body {
            Ok(bytes) => {
                headers.push((http::header::CONTENT_TYPE, media.content_type.clone()));
                Answer {
                    status: code,
                    headers,
                    body: if head { Bytes::new() } else { bytes },
                }
            }
            Err(e) => Answer::problem(&Problem::new(
                500,
                "Cannot Generate Response",
                format!(
                    "{} {}: the response schema cannot be satisfied: {e}",
                    op.method, op.path
                ),
            )),
        }
    }

    fn media_model(&self, oi: usize, ri: usize, mi: usize) -> (&Operation, &Response, &MediaType) {
        let op = &self.api.operations[oi];
        let resp = &op.responses[ri];
        (op, resp, &resp.content[mi])
    }

    /// The seed for one response variant: stable across runs, different per variant.
    fn variant_seed(&self, op: &Operation, resp: &Response, media: &MediaType) -> u64 {
        respond::stable_hash(&[
            &self.options.seed.to_string(),
            op.method.as_str(),
            &op.path,
            &resp.status.to_string(),
            &media.media_type,
        ])
    }

    /// The example or generated body of a variant, rendered once.
    pub fn static_body(&self, oi: usize, ri: usize, mi: usize) -> &BodyResult {
        self.ops[oi].responses[ri].media[mi].body.get_or_init(|| {
            let (op, resp, media) = self.media_model(oi, ri, mi);
            let value = if let Some(ex) = media.examples.first() {
                ex.value.clone()
            } else if let Some(schema) = media.schema {
                let opts = GenOptions {
                    seed: self.variant_seed(op, resp, media),
                    direction: Direction::Response,
                    use_examples: true,
                    ..GenOptions::default()
                };
                generate::generate(&self.api.schemas, schema, &opts).map_err(|e| e.to_string())?
            } else {
                return Ok(Bytes::new());
            };
            let wire = &self.ops[oi].responses[ri].media[mi].wire_type;
            Ok(respond::render(
                &self.api.schemas,
                wire,
                media.schema,
                &value,
            ))
        })
    }

    /// A freshly generated body (`--dynamic`); falls back to the static body without a schema.
    fn dynamic_body(&self, oi: usize, ri: usize, mi: usize) -> BodyResult {
        let (op, resp, media) = self.media_model(oi, ri, mi);
        let Some(schema) = media.schema else {
            return self.static_body(oi, ri, mi).clone();
        };
        let n = self.dynamic_counter.fetch_add(1, Ordering::Relaxed);
        let opts = GenOptions {
            seed: self.variant_seed(op, resp, media) ^ n.wrapping_mul(0x9E3779B97F4A7C15),
            direction: Direction::Response,
            use_examples: false,
            ..GenOptions::default()
        };
        let value =
            generate::generate(&self.api.schemas, schema, &opts).map_err(|e| e.to_string())?;
        let wire = &self.ops[oi].responses[ri].media[mi].wire_type;
        Ok(respond::render(
            &self.api.schemas,
            wire,
            Some(schema),
            &value,
        ))
    }

    /// The documented response headers of a variant, with example or generated values.
    fn headers(&self, oi: usize, ri: usize) -> &Vec<(HeaderName, HeaderValue)> {
        self.ops[oi].responses[ri].headers.get_or_init(|| {
            let op = &self.api.operations[oi];
            let resp = &op.responses[ri];
            let mut out = Vec::new();
            for h in &resp.headers {
                let value = if let Some(ex) = h.examples.first() {
                    Some(ex.value.clone())
                } else if let Some(schema) = h.schema {
                    let opts = GenOptions {
                        seed: respond::stable_hash(&[
                            &self.options.seed.to_string(),
                            &op.path,
                            &h.name,
                        ]),
                        ..GenOptions::default()
                    };
                    generate::generate(&self.api.schemas, schema, &opts).ok()
                } else {
                    None
                };
                let (Some(value), Ok(name)) = (value, HeaderName::from_bytes(h.name.as_bytes()))
                else {
                    continue;
                };
                if let Ok(v) = HeaderValue::from_str(&respond::header_text(&value)) {
                    out.push((name, v));
                }
            }
            out
        })
    }
}

fn method_not_allowed(method: Method, path: &str, allow: &[Method]) -> Answer {
    let list: Vec<&str> = allow.iter().map(|m| m.as_str()).collect();
    let mut a = Answer::problem(
        &Problem::new(
            405,
            "Method Not Allowed",
            format!(
                "{path} does not accept {method}; it accepts {}",
                list.join(", ")
            ),
        )
        .with("allowed", Value::from(list.clone())),
    );
    if let Ok(v) = HeaderValue::from_str(&list.join(", ")) {
        a.headers.push((http::header::ALLOW, v));
    }
    a
}

/// Lists violations in one header line: `query limit: must be ≤ 100, got 500; body /name: ...`.
fn push_violations_header(answer: &mut Answer, violations: &[Violation]) {
    let text: Vec<String> = violations
        .iter()
        .map(|v| format!("{} {}: {}", v.place.as_str(), v.name, v.message))
        .collect();
    let line: String = text
        .join("; ")
        .chars()
        .map(|c| {
            if c.is_ascii() && !c.is_ascii_control() {
                c
            } else {
                '?'
            }
        })
        .take(4000)
        .collect();
    if let Ok(v) = HeaderValue::from_str(&line) {
        answer
            .headers
            .push((HeaderName::from_static(VIOLATIONS_HEADER), v));
    }
}

fn compile_response(store: &crate::schema::SchemaStore, r: &Response) -> CompiledResponse {
    let media: Vec<CompiledMedia> = r
        .content
        .iter()
        .map(|m| {
            let essence = negotiate::essence(&m.media_type);
            let wire_type = wire_type(store, m, &essence);
            CompiledMedia {
                essence,
                content_type: HeaderValue::from_str(&wire_type)
                    .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream")),
                wire_type,
                body: OnceLock::new(),
            }
        })
        .collect();
    CompiledResponse {
        status: r.status.serve_code(),
        available: media.iter().map(|m| m.essence.clone()).collect(),
        media,
        headers: OnceLock::new(),
    }
}

/// The media type that goes on the wire. A documented wildcard (`*/*`, `image/*`) cannot be
/// sent as is: pick a concrete type of that family that fits the schema.
fn wire_type(
    store: &crate::schema::SchemaStore,
    m: &MediaType,
    essence: &(String, String),
) -> String {
    if essence.0 != "*" && essence.1 != "*" {
        return m.media_type.clone();
    }
    let stringy = m
        .schema
        .map(|id| store.deref(store.get(id)))
        .and_then(|s| s.get("type"))
        .is_some_and(|t| t == "string");
    match (essence.0.as_str(), stringy) {
        ("text", _) => "text/plain".into(),
        ("image", _) => "image/png".into(),
        ("audio", _) => "audio/mpeg".into(),
        ("video", _) => "video/mp4".into(),
        ("application", true) | ("*", true) => "application/octet-stream".into(),
        _ => "application/json".into(),
    }
}

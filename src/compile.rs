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
use bytes::Bytes;
use http::header::{HeaderName, HeaderValue};
use serde_json::Value;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

/// How bodies are produced.
#[derive(Clone, Debug, Default)]
pub struct MockOptions {
    /// Picks the data set of generated bodies.
    pub seed: u64,
    /// Fresh generated data on every request instead of fixed bodies.
    pub dynamic: bool,
}

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
                responses: op.responses.iter().map(|r| compile_response(&api.schemas, r)).collect(),
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
                            o.method, o.path, resp.status, self.api.operations[oi].responses[ri].content[mi].media_type
                        ));
                    }
                }
            }
        }
        problems
    }

    /// Routes, chooses and renders. `accept` is the request's `Accept` header.
    pub fn answer(
        &self,
        method: Method,
        path: &str,
        accept: Option<&str>,
    ) -> Answer {
        match self.router.route(method, path) {
            Routed::Found { operation, .. } => self.answer_operation(operation, None, accept, method == Method::Head),
            Routed::MethodNotAllowed { allow } => {
                let list: Vec<&str> = allow.iter().map(|m| m.as_str()).collect();
                let mut a = Answer::problem(
                    &Problem::new(
                        405,
                        "Method Not Allowed",
                        format!("{path} does not accept {method}; it accepts {}", list.join(", ")),
                    )
                    .with("allowed", Value::from(list.clone())),
                );
                if let Ok(v) = HeaderValue::from_str(&list.join(", ")) {
                    a.headers.push((http::header::ALLOW, v));
                }
                a
            }
            Routed::NotFound => {
                let detail = match self.router.nearest(path) {
                    Some(t) => format!("no operation matches {method} {path}; the nearest route is {t}"),
                    None => format!("no operation matches {method} {path}"),
                };
                let mut p = Problem::new(404, "Not Found", detail);
                if let Some(t) = self.router.nearest(path) {
                    p = p.with("nearest", Value::from(t));
                }
                Answer::problem(&p)
            }
        }
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
                let documented: Vec<String> = op.responses.iter().map(|r| r.status.to_string()).collect();
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
            return Answer { status: 200, headers: Vec::new(), body: Bytes::new() };
        };
        let resp = &compiled.responses[ri];
        let code = match (status, op.responses[ri].status) {
            (Some(c), _) => c,
            (None, key) => key.serve_code(),
        };
        let mut headers = self.headers(op_index, ri).clone();
        if resp.media.is_empty() {
            return Answer { status: code, headers, body: Bytes::new() };
        }
        let Some(mi) = negotiate::choose(accept, &resp.available) else {
            let offered: Vec<&str> = op.responses[ri].content.iter().map(|m| m.media_type.as_str()).collect();
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
                format!("{} {}: the response schema cannot be satisfied: {e}", op.method, op.path),
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
            Ok(respond::render(&self.api.schemas, wire, media.schema, &value))
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
        let value = generate::generate(&self.api.schemas, schema, &opts).map_err(|e| e.to_string())?;
        let wire = &self.ops[oi].responses[ri].media[mi].wire_type;
        Ok(respond::render(&self.api.schemas, wire, Some(schema), &value))
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
                        seed: respond::stable_hash(&[&self.options.seed.to_string(), &op.path, &h.name]),
                        ..GenOptions::default()
                    };
                    generate::generate(&self.api.schemas, schema, &opts).ok()
                } else {
                    None
                };
                let (Some(value), Ok(name)) = (value, HeaderName::from_bytes(h.name.as_bytes())) else {
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
fn wire_type(store: &crate::schema::SchemaStore, m: &MediaType, essence: &(String, String)) -> String {
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

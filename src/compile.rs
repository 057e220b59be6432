//! Compile: the request-independent work, done once. A [`Mock`] holds the model, the router,
//! and for every response variant its pre-rendered body bytes and headers, so answering a
//! request is a lookup, not a walk over the document.
//!
//! Bodies are rendered on first use and cached (`OnceLock`): a 900-operation document starts
//! serving at once, and each body is still rendered exactly once. `stubborn check` and the
//! server's warm-up call [`Mock::render_all`] to do it eagerly.

use crate::generate::{self, Direction, GenOptions};
use crate::model::{Api, MediaType, Method, Operation, Response};
use crate::respond::choose::{self, Fault, Preferences, RequestView, Scenario, Target};
use crate::respond::saved::{self as saved_examples, SavedSet};
use crate::respond::template::{self, Template};
use crate::respond::{self, negotiate, problem::Problem};
use crate::route::{Routed, Router};
use crate::stream::{self, Framing, Items, Pace, StreamSpec};
use crate::validate::{self, OpValidator, Outcome, RequestParts, Violation};
use bytes::Bytes;
use http::header::{HeaderName, HeaderValue};
use serde_json::Value;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

/// How bodies are produced and requests judged.
#[derive(Clone, Debug)]
pub struct MockOptions {
    /// Picks the data set of generated bodies.
    pub seed: u64,
    /// Fresh generated data on every request instead of fixed bodies.
    pub dynamic: bool,
    /// What to do with requests that break the contract.
    pub validate: ValidateMode,
    /// Latency added to every answer: a fixed or a random delay in milliseconds (`--delay`).
    pub delay: Option<(u64, u64)>,
    /// The share of requests answered with a server error (`--chaos`), 0 to 1.
    pub chaos: f64,
    /// Language of generated data (`--locale`).
    pub locale: crate::generate::Locale,
    /// The longest delay anything may ask for, in milliseconds (`--max-delay`): a document's
    /// `x-stubborn-delay` beyond it is refused with a warning, a `Prefer: delay` with 400.
    pub max_delay_ms: u64,
    /// Check the security of a document that is not a contract (a collection's auth), as
    /// `--enforce-auth` asks. A contract's security is always checked.
    pub enforce_auth: bool,
    /// `--errors` (as in Prism): a response that breaks its own schema is answered with a 500
    /// problem naming the violations, instead of being sent flagged.
    pub errors: bool,
    /// Generated objects may get undeclared keys where `additionalProperties` allows them
    /// (Prism's `--json-schema-faker-fillProperties`, on by default); `false`: only declared
    /// ones (and as many more as `minProperties` needs).
    pub fill_properties: bool,
    /// Items per streaming answer and the pause between them (`--stream-count`,
    /// `--stream-interval`); unset parts fall back to the examples and the defaults.
    pub stream: Pace,
}

/// The default `--max-delay`: one minute.
pub const DEFAULT_MAX_DELAY_MS: u64 = 60_000;

impl Default for MockOptions {
    fn default() -> Self {
        MockOptions {
            seed: 0,
            dynamic: false,
            validate: ValidateMode::default(),
            delay: None,
            chaos: 0.0,
            locale: crate::generate::Locale::default(),
            max_delay_ms: DEFAULT_MAX_DELAY_MS,
            enforce_auth: false,
            errors: false,
            fill_properties: true,
            stream: Pace::default(),
        }
    }
}

/// `--validate`: reject bad requests, only report them, or not check at all. By default
/// (`Auto`), a contract is enforced and a collection or recorded traffic is not checked
/// (see `Api::contract`); [`Mock::new`] settles it, so a `Mock` never holds `Auto`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ValidateMode {
    #[default]
    Auto,
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

/// The request, as templates in examples see it.
pub struct RequestContext<'a> {
    pub method: Method,
    pub path: &'a str,
    pub path_params: &'a [(String, String)],
    pub query: Option<&'a str>,
    pub headers: &'a http::HeaderMap,
    pub body: &'a [u8],
}

/// The response a saved example was saved with, ready to send. Framing headers are left to
/// the server; a header that is not valid HTTP is dropped.
fn saved_answer(e: &crate::model::SavedExample) -> SavedAnswer {
    const FRAMING: [&str; 5] = [
        "content-length",
        "transfer-encoding",
        "connection",
        "keep-alive",
        "date",
    ];
    let headers = e
        .response_headers
        .iter()
        .filter(|(k, _)| !FRAMING.contains(&k.to_ascii_lowercase().as_str()))
        .filter_map(|(k, v)| {
            Some((
                HeaderName::from_bytes(k.trim().as_bytes()).ok()?,
                HeaderValue::from_str(v.trim()).ok()?,
            ))
        })
        .collect();
    SavedAnswer {
        status: e.status,
        headers,
        body: Bytes::from(e.response_body.clone()),
        template: template::compile_text(&e.response_body),
    }
}

/// What the choose step decided for one request.
#[derive(Clone, Debug, Default)]
pub struct Choice {
    /// The status asked for (explicitly, by a scenario, or for an error); `None`: the default.
    pub status: Option<u16>,
    /// A named example to answer with.
    pub example: Option<String>,
    /// Generate a fresh body with this seed instead of the fixed one.
    pub seed: Option<u64>,
    /// An inline body (from `x-stubborn-scenarios`).
    pub body: Option<Value>,
    /// Extra response headers (from `x-stubborn-scenarios`).
    pub headers: Vec<(String, String)>,
    /// The example was asked for by the request (`Prefer`, `x-mock-response-name`,
    /// `__example`): a name the response cannot carry is a 404, not the default.
    pub explicit: bool,
}

fn has_example(m: &MediaType, name: &str) -> bool {
    m.examples.iter().any(|e| e.name.as_deref() == Some(name))
}

/// The response header saying which scenario answered and why.
pub const MATCH_HEADER: &str = "x-stubborn-match";

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
    /// The body served when nothing names an example: the first example, else generated.
    body: OnceLock<BodyResult>,
    /// Each documented example, rendered on first use.
    examples: Vec<OnceLock<Bytes>>,
    /// Examples that use the request (`{{request.path.id}}`) or dynamic variables, parsed once;
    /// aligned with `examples`. These are rendered per request instead of cached.
    templates: Vec<Option<Template>>,
    /// Whether each example contradicts its schema (and how), judged once, on first use or by
    /// the warm-up; aligned with `examples`.
    example_checks: Vec<OnceLock<Option<String>>>,
    /// A sequential media type (event stream, JSON Lines...): its framing, and the schema of
    /// one item when the document gives one. Such a variant is answered as a stream.
    framing: Option<Framing>,
    item: Option<crate::model::ItemSchema>,
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
    scenarios: Vec<Scenario>,
    /// Whether any scenario looks at the body (only then is it parsed for matching).
    scenarios_read_body: bool,
    /// `x-stubborn-default`: the scenario or example answering when nothing matches.
    default_example: Option<String>,
    /// `x-stubborn-delay`.
    delay: Option<(u64, u64)>,
    /// `x-stubborn-stream`: count and pacing of this operation's streaming answers.
    stream: Pace,
}

/// A compiled API, ready to answer requests.
pub struct Mock {
    pub api: Api,
    pub router: Router,
    /// The credentials the document declares, withheld from every log.
    pub credentials: crate::model::Credentials,
    /// The document being served, as `GET /__stubborn/spec` shows it (JSON; set by whoever
    /// loaded it from a file, see [`crate::convert::served_document`]).
    pub document: Option<Bytes>,
    ops: Vec<CompiledOp>,
    pub options: MockOptions,
    dynamic_counter: AtomicU64,
    /// Saved examples, matched Postman's way before the operations answer.
    saved: SavedSet,
    /// Each saved example's response, ready to send (or to fill in, when it has templates).
    saved_answers: Vec<SavedAnswer>,
    /// Per operation: whether some saved example was saved for it (then a request that matches
    /// none of them gets 404, as on Postman; otherwise the operation answers as documented).
    op_has_saved: Vec<bool>,
}

/// A request judged to break its operation's contract.
struct Judged {
    status: u16,
    title: &'static str,
    violations: Vec<Violation>,
    /// How many violations there were in all (`violations` holds at most 100).
    total: usize,
    /// `WWW-Authenticate`, for a 401.
    challenge: Option<String>,
}

/// A saved example's response, prepared at load.
struct SavedAnswer {
    status: u16,
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Bytes,
    /// `{{$randomInt}}`, `{{request.*}}`... in the body: filled in per request. A `{{name}}`
    /// that no collection or environment defines stays as written, as on Postman.
    template: Option<Template>,
}

/// The outcome of choosing and rendering, before the HTTP layer adds CORS and framing.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub body: Bytes,
    /// Wait this long before answering (simulated latency).
    pub delay: Option<std::time::Duration>,
    /// Break the connection instead of answering properly.
    pub fault: Option<Fault>,
    /// The operation that answered, when the request was routed to one.
    pub operation: Option<usize>,
    /// The contract violations found in the request (at most
    /// [`validate::MAX_VIOLATIONS`]), for the call log and the log line.
    pub violations: Vec<Violation>,
    /// How many violations there were in all (more than `violations.len()` when cut).
    pub violations_total: usize,
    /// A streaming answer (a sequential media type): `body` is empty and the server sends
    /// these items, paced, as a chunked body (see [`crate::stream`] and
    /// [`Mock::stream_chunk`]).
    pub stream: Option<StreamSpec>,
}

impl Answer {
    pub fn empty(status: u16) -> Answer {
        Answer {
            status,
            headers: Vec::new(),
            body: Bytes::new(),
            delay: None,
            fault: None,
            operation: None,
            violations: Vec::new(),
            violations_total: 0,
            stream: None,
        }
    }

    pub fn problem(p: &Problem) -> Answer {
        Answer {
            status: p.status,
            headers: vec![(
                http::header::CONTENT_TYPE,
                HeaderValue::from_static(respond::problem::CONTENT_TYPE),
            )],
            body: p.to_bytes(),
            ..Answer::empty(p.status)
        }
    }
}

impl Mock {
    pub fn new(mut api: Api, mut options: MockOptions) -> Mock {
        if options.validate == ValidateMode::Auto {
            options.validate = if api.contract {
                ValidateMode::Enforce
            } else {
                ValidateMode::Off
            };
        }
        let router = Router::new(
            api.operations
                .iter()
                .enumerate()
                .map(|(i, op)| (i, op.method, op.path.as_str())),
            &api.base_paths,
        )
        // Postman's mocks match paths whatever their case; a collection keeps that behaviour.
        .match_any_case(api.format.starts_with("Postman"));
        let mut warnings = Vec::new();
        let ops =
            api.operations
                .iter()
                .map(|op| {
                    let (scenarios, problems) = choose::scenarios_of(op);
                    warnings.extend(problems);
                    // Templates are compiled here, once; their problems are warnings.
                    let responses: Vec<CompiledResponse> = op
                        .responses
                        .iter()
                        .map(|r| compile_response(&api.schemas, r, &mut warnings))
                        .collect();
                    let delay = op.extensions.get("x-stubborn-delay").and_then(|v| {
                        match operation_delay(v, options.max_delay_ms) {
                            Ok(d) => Some(d),
                            Err(e) => {
                                warnings.push(format!(
                                    "{} {}: x-stubborn-delay: {e}; no delay is added",
                                    op.method, op.path
                                ));
                                None
                            }
                        }
                    });
                    let stream = match op.extensions.get("x-stubborn-stream") {
                        None => Pace::default(),
                        Some(v) => {
                            match stream::extension(v).and_then(|p| p.check(options.max_delay_ms)) {
                                Ok(p) => p,
                                Err(e) => {
                                    warnings.push(format!(
                                        "{} {}: x-stubborn-stream: {e}; the defaults apply",
                                        op.method, op.path
                                    ));
                                    Pace::default()
                                }
                            }
                        }
                    };
                    CompiledOp {
                        stream,
                        default: respond::default_response(op),
                        responses,
                        validator: OpValidator::new(&api.schemas, op),
                        scenarios_read_body: scenarios.iter().any(|s| {
                            s.conditions
                                .iter()
                                .any(|c| matches!(c.source, choose::Source::Body(_)))
                        }),
                        scenarios,
                        default_example: op
                            .extensions
                            .get("x-stubborn-default")
                            .and_then(Value::as_str)
                            .map(str::to_string),
                        delay,
                    }
                })
                .collect();
        for w in warnings {
            let (at, message) = match w.split_once(": ") {
                Some((a, m)) => (a.to_string(), m.to_string()),
                None => (String::new(), w),
            };
            api.warnings.push(crate::model::Diagnostic { at, message });
        }
        let saved = SavedSet::new(&api.saved_examples, &api.base_paths);
        let saved_answers = api.saved_examples.iter().map(saved_answer).collect();
        // Which operations a saved example belongs to: its path, through the router.
        let mut op_has_saved = vec![false; api.operations.len()];
        for e in &api.saved_examples {
            let Some(method) = Method::parse(&e.method) else {
                continue;
            };
            let path: String = e
                .path
                .iter()
                .map(|s| match s {
                    crate::model::SavedSegment::Literal(l) => format!("/{l}"),
                    crate::model::SavedSegment::Variable { value, .. } => {
                        format!("/{}", value.as_deref().unwrap_or("x"))
                    }
                })
                .collect();
            if let Routed::Found { operation, .. } = router.route(method, &path) {
                op_has_saved[operation] = true;
            }
        }
        Mock {
            saved,
            saved_answers,
            op_has_saved,
            credentials: crate::model::Credentials::of(&api.security_schemes),
            document: None,
            api,
            router,
            ops,
            options,
            dynamic_counter: AtomicU64::new(0),
        }
    }

    /// The scenarios of an operation, for `check` and the admin API.
    pub fn scenarios(&self, op_index: usize) -> &[Scenario] {
        &self.ops[op_index].scenarios
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
                    let model = &self.api.operations[oi].responses[ri].content[mi];
                    for (ei, example) in model.examples.iter().enumerate() {
                        if let Some(errors) = self.example_contradiction(oi, ri, mi, ei) {
                            problems.push(format!(
                                "{}: example contradicts its schema: {errors}",
                                example.origin
                            ));
                        }
                    }
                }
            }
        }
        problems
    }

    /// How example `ei` of a variant contradicts the variant's schema, if it does (judged once).
    /// A templated example is judged per request instead (with `--errors`), and a string
    /// example of a non-JSON media type is the body itself, which the schema does not judge.
    pub fn example_contradiction(
        &self,
        oi: usize,
        ri: usize,
        mi: usize,
        ei: usize,
    ) -> Option<&str> {
        let media = &self.ops[oi].responses[ri].media[mi];
        media.example_checks[ei]
            .get_or_init(|| {
                if media.templates.get(ei).is_some_and(Option::is_some) {
                    return None;
                }
                let (_, _, model) = self.media_model(oi, ri, mi);
                let schema = model.schema?;
                let value = &model.examples[ei].value;
                if !negotiate::is_json(&model.media_type) && value.is_string() {
                    return None;
                }
                self.api
                    .schemas
                    .check(schema, value)
                    .err()
                    .map(|e| e.join("; "))
            })
            .as_deref()
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
        let (query, prefs) = match self.preferences(req) {
            Ok(p) => p,
            Err(e) => return Answer::problem(&Problem::new(400, "Bad Preference", e)),
        };
        // Prism's `__code`/`__example`/`__dynamic` are not the API's: the rest of the
        // pipeline sees the query without them.
        let req = &Request {
            query: match &query {
                Some(rest) => Some(rest.as_str()).filter(|q| !q.is_empty()),
                None => req.query,
            },
            ..*req
        };
        let accept = req
            .headers
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok());
        let routed = self.router.route(req.method, req.path);
        if !self.saved.is_empty() {
            return self.handle_saved(req.method.as_str(), req, routed, &prefs, accept);
        }
        let (operation, path_params) = match routed {
            Routed::Found { operation, params } => (operation, params),
            Routed::MethodNotAllowed { allow } => {
                return method_not_allowed(req.method, req.path, &allow)
            }
            Routed::NotFound => return self.not_found(req.method, req.path),
        };
        let head = req.method == Method::Head;
        let mut answer =
            match self.check_request(operation, &path_params, req, &prefs, accept, head) {
                Some(rejection) => rejection,
                None => self.choose_and_render(operation, &path_params, req, &prefs, accept, head),
            };
        answer.delay = self.delay(operation, &prefs);
        answer.fault = prefs.fault;
        answer.operation = Some(operation);
        answer
    }

    /// A request with a method no OpenAPI document can describe (`PURGE`, Postman's custom
    /// methods): only saved examples can answer it. `req.method` is not read.
    pub fn handle_other_method(&self, method: &str, req: &Request) -> Answer {
        if self.saved.is_empty() {
            return Answer::problem(&Problem::new(
                405,
                "Method Not Allowed",
                format!("{method} is not an HTTP method an OpenAPI document can describe"),
            ));
        }
        let (query, prefs) = match self.preferences(req) {
            Ok(p) => p,
            Err(e) => return Answer::problem(&Problem::new(400, "Bad Preference", e)),
        };
        let req = &Request {
            query: match &query {
                Some(rest) => Some(rest.as_str()).filter(|q| !q.is_empty()),
                None => req.query,
            },
            ..*req
        };
        self.handle_saved(method, req, Routed::NotFound, &prefs, None)
    }

    /// What the request asks for explicitly (`Prefer`, `x-mock-response-*`, and Prism's
    /// `__code`, `__example`, `__dynamic` query parameters, which win), and the query without
    /// those parameters when it had any; a malformed preference is a 400.
    fn preferences(&self, req: &Request) -> Result<(Option<String>, Preferences), String> {
        let mut prefs = choose::preferences(req.headers)?;
        let query = match choose::query_overrides(req.query)? {
            Some((rest, over)) => {
                prefs.code = over.code.or(prefs.code);
                prefs.example = over.example.or(prefs.example);
                prefs.dynamic = over.dynamic.or(prefs.dynamic);
                Some(rest)
            }
            None => None,
        };
        if let Some(ms) = prefs.delay_ms {
            check_delay(ms, ms, self.options.max_delay_ms)
                .map_err(|e| format!("Prefer: delay={ms}: {e}"))?;
        }
        Ok((query, prefs))
    }

    /// The pipeline when the document has saved examples (a Postman collection): validation
    /// when it is on, then Postman's matching over every saved example; an operation no saved
    /// example belongs to answers as documented; anything else is a 404 naming the closest
    /// examples, as on Postman. `method` is the request's method as sent.
    fn handle_saved(
        &self,
        method: &str,
        req: &Request,
        routed: Routed,
        prefs: &Preferences,
        accept: Option<&str>,
    ) -> Answer {
        let head = method.eq_ignore_ascii_case("HEAD");
        let (operation, path_params) = match routed {
            Routed::Found { operation, params } => (Some(operation), params),
            _ => (None, Vec::new()),
        };
        // Validation, when it is on (a collection is not a contract: off unless asked for).
        let mut warned: Option<(Vec<Violation>, usize)> = None;
        if let Some(op) = operation {
            match self.judge(op, &path_params, req) {
                None => {}
                Some(j) if self.options.validate == ValidateMode::Warn => {
                    warned = Some((j.violations, j.total));
                }
                Some(j) => {
                    let mut answer = self.reject_judged(op, j, prefs, accept, head);
                    answer.operation = Some(op);
                    return answer;
                }
            }
        }
        let selectors = saved_examples::Selectors {
            name: prefs.example.as_deref(),
            id: prefs.example_id.as_deref(),
            code: prefs.code,
        };
        let incoming = saved_examples::Incoming {
            method,
            path: req.path,
            query: req.query,
            headers: req.headers,
            body: req.body,
        };
        let mut answer = match self.saved.select(&incoming, selectors) {
            Some(m) => self.render_saved(m, method, req, &path_params, prefs, head),
            None => match operation {
                Some(op) if !self.op_has_saved[op] => {
                    self.choose_and_render(op, &path_params, req, prefs, accept, head)
                }
                _ => self.no_saved_example(method, req.path),
            },
        };
        if let Some((violations, total)) = warned {
            push_violations_header(&mut answer, &violations, total);
            answer.violations = violations;
            answer.violations_total = total;
        }
        answer.delay = match operation {
            Some(op) => self.delay(op, prefs),
            None => self.delay_without_operation(prefs),
        };
        answer.fault = prefs.fault;
        answer.operation = operation;
        answer
    }

    /// A saved example's response, its templates filled from the request.
    fn render_saved(
        &self,
        m: saved_examples::Match,
        method: &str,
        req: &Request,
        path_params: &[(String, String)],
        prefs: &Preferences,
        head: bool,
    ) -> Answer {
        let saved = &self.saved_answers[m.index];
        let body = match &saved.template {
            None => saved.body.clone(),
            Some(t) => {
                let parsed: Option<Value> = serde_json::from_slice(req.body).ok();
                let ctx = template::Context {
                    method,
                    path: req.path,
                    path_params,
                    query: req.query,
                    headers: req.headers,
                    body: parsed.as_ref(),
                };
                let now_ms = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_millis() as i64)
                    .unwrap_or_default();
                let draw = template::Draw {
                    seed: prefs.seed.unwrap_or_else(|| self.next_seed()),
                    now_ms,
                    locale: self.options.locale,
                };
                Bytes::from(t.render_text(&ctx, draw))
            }
        };
        let mut headers = saved.headers.clone();
        if let Ok(v) = HeaderValue::from_str(&printable_header(&m.reason)) {
            headers.push((HeaderName::from_static(MATCH_HEADER), v));
        }
        Answer {
            status: saved.status,
            headers,
            body: if head { Bytes::new() } else { body },
            ..Answer::empty(saved.status)
        }
    }

    /// No saved example fits: Postman's 404, naming the examples the request came closest to.
    fn no_saved_example(&self, method: &str, path: &str) -> Answer {
        let nearest = self.saved.nearest(method, path, 3);
        let detail = match nearest.first() {
            Some(first) => {
                format!("no saved example matches {method} {path}; the closest is {first}")
            }
            None => format!("no saved example matches {method} {path}"),
        };
        Answer::problem(
            &Problem::new(404, "Not Found", detail).with("nearest", Value::from(nearest)),
        )
    }

    /// `Prefer: delay`, else `--delay`, for an answer no operation gave.
    fn delay_without_operation(&self, prefs: &Preferences) -> Option<std::time::Duration> {
        let (lo, hi) = match prefs.delay_ms {
            Some(ms) => (ms, ms),
            None => self.options.delay?,
        };
        let (lo, hi) = (
            lo.min(self.options.max_delay_ms),
            hi.min(self.options.max_delay_ms),
        );
        let ms = match (hi - lo).checked_add(1) {
            Some(span) if hi > lo => lo + self.next_seed() % span,
            _ => lo,
        };
        (ms > 0).then(|| std::time::Duration::from_millis(ms))
    }

    /// Validation: `Some(answer)` when the request is rejected (or, with `--validate=warn`,
    /// answered normally with its violations listed).
    fn check_request(
        &self,
        operation: usize,
        path_params: &[(String, String)],
        req: &Request,
        prefs: &Preferences,
        accept: Option<&str>,
        head: bool,
    ) -> Option<Answer> {
        let judged = self.judge(operation, path_params, req)?;
        if self.options.validate == ValidateMode::Warn {
            // The answer is made normally; the violations ride along in a header, and the
            // server logs them in the request's one log line.
            let mut answer =
                self.choose_and_render(operation, path_params, req, prefs, accept, head);
            push_violations_header(&mut answer, &judged.violations, judged.total);
            answer.violations = judged.violations;
            answer.violations_total = judged.total;
            return Some(answer);
        }
        Some(self.reject_judged(operation, judged, prefs, accept, head))
    }

    /// How the request breaks its operation's contract, if it does and validation is on.
    /// Security is checked for a contract, and for other documents (a collection) only with
    /// `--enforce-auth`.
    fn judge(
        &self,
        operation: usize,
        path_params: &[(String, String)],
        req: &Request,
    ) -> Option<Judged> {
        if self.options.validate == ValidateMode::Off {
            return None;
        }
        let op = &self.api.operations[operation];
        let querystring = self.api.querystring(operation);
        let parts = RequestParts {
            path_params,
            query: req.query,
            headers: req.headers,
            body: req.body,
        };
        let check_security = self.api.contract || self.options.enforce_auth;
        let outcome = validate::validate(
            &self.api.schemas,
            &self.api.security_schemes,
            check_security,
            op,
            querystring,
            &self.ops[operation].validator,
            &parts,
        );
        Some(match outcome {
            Outcome::Valid => return None,
            Outcome::Unauthorized(denied) => Judged {
                status: 401,
                title: "Unauthorized",
                total: denied.violations.len(),
                violations: denied.violations,
                challenge: Some(denied.challenge),
            },
            Outcome::UnsupportedMediaType(v) => Judged {
                status: 415,
                title: "Unsupported Media Type",
                violations: vec![v],
                total: 1,
                challenge: None,
            },
            Outcome::Invalid { violations, total } => {
                let malformed = violations.iter().any(|v| v.malformed);
                Judged {
                    status: if malformed { 400 } else { 422 },
                    title: if malformed {
                        "Bad Request"
                    } else {
                        "Unprocessable Content"
                    },
                    violations,
                    total,
                    challenge: None,
                }
            }
        })
    }

    /// The rejection of a request judged bad, with its `WWW-Authenticate` challenge.
    fn reject_judged(
        &self,
        operation: usize,
        judged: Judged,
        prefs: &Preferences,
        accept: Option<&str>,
        head: bool,
    ) -> Answer {
        let mut answer = self.reject(operation, &judged, prefs.example.as_deref(), accept, head);
        if let Some(challenge) = judged
            .challenge
            .and_then(|c| HeaderValue::from_str(&c).ok())
        {
            answer
                .headers
                .push((http::header::WWW_AUTHENTICATE, challenge));
        }
        answer
    }

    /// The choose step: explicit wishes, then chaos, then the closest scenario, then the
    /// default; then render, saying in `x-stubborn-match` what was chosen and why.
    fn choose_and_render(
        &self,
        operation: usize,
        path_params: &[(String, String)],
        req: &Request,
        prefs: &Preferences,
        accept: Option<&str>,
        head: bool,
    ) -> Answer {
        let op = &self.api.operations[operation];
        let compiled = &self.ops[operation];
        let seed = match (prefs.seed, prefs.dynamic) {
            (Some(s), _) => Some(s),
            (None, Some(true)) => Some(self.next_seed()),
            (None, Some(false)) => None,
            (None, None) => self.options.dynamic.then(|| self.next_seed()),
        };
        let mut prefs = prefs.clone();
        if let Some(id) = &prefs.example_id {
            match choose::example_for_postman_id(op, id) {
                Some(name) => prefs.example = Some(name),
                None => return self.unknown_example(op, &format!("id {id}")),
            }
        }
        let prefs = &prefs;
        let (mut choice, note) = if prefs.code.is_some() || prefs.example.is_some() {
            let mut parts = Vec::new();
            if let Some(c) = prefs.code {
                parts.push(format!("code={c}"));
            }
            if let Some(e) = &prefs.example {
                parts.push(format!("example={e}"));
            }
            if let Some(code) = prefs.code.filter(|c| *c >= 500) {
                if respond::response_for_code(op, code).is_none() {
                    return self.server_error(op, code, "asked for with Prefer");
                }
            }
            let choice = Choice {
                status: prefs.code,
                example: prefs.example.clone(),
                explicit: true,
                ..Choice::default()
            };
            (choice, format!("explicit; {}", parts.join(" ")))
        } else if let Some(answer) = self.chaos(op) {
            return answer;
        } else {
            self.closest(operation, path_params, req)
                .unwrap_or_else(|| match &compiled.default_example {
                    Some(name) => match compiled.scenarios.iter().find(|s| &s.name == name) {
                        Some(s) => (
                            choice_of(&s.target),
                            format!("default; x-stubborn-default={name}"),
                        ),
                        None => (
                            Choice {
                                example: Some(name.clone()),
                                ..Choice::default()
                            },
                            format!("default; x-stubborn-default={name}"),
                        ),
                    },
                    None => (Choice::default(), "default".to_string()),
                })
        };
        if choice.example.is_none() && choice.body.is_none() {
            choice.seed = seed;
        }
        let rc = RequestContext {
            method: req.method,
            path: req.path,
            path_params,
            query: req.query,
            headers: req.headers,
            body: req.body,
        };
        let mut answer = self.render_choice(operation, &choice, accept, head, Some(&rc));
        if let Ok(v) = HeaderValue::from_str(&note) {
            answer
                .headers
                .push((HeaderName::from_static(MATCH_HEADER), v));
        }
        answer
    }

    /// The scenario closest to the request, if any shares something with it.
    fn closest(
        &self,
        operation: usize,
        path_params: &[(String, String)],
        req: &Request,
    ) -> Option<(Choice, String)> {
        let compiled = &self.ops[operation];
        if compiled.scenarios.is_empty() {
            return None;
        }
        let query = req
            .query
            .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
            .unwrap_or_default();
        let body = if compiled.scenarios_read_body && !req.body.is_empty() {
            let ct = req
                .headers
                .get(http::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if negotiate::essence(ct) == ("application".into(), "x-www-form-urlencoded".into()) {
                let m: serde_json::Map<String, Value> = form_urlencoded::parse(req.body)
                    .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
                    .collect();
                Some(Value::Object(m))
            } else {
                serde_json::from_slice(req.body).ok()
            }
        } else {
            None
        };
        let view = RequestView::new(path_params, query, req.headers, body);
        let (i, score, matched) = choose::best(&compiled.scenarios, &view)?;
        let s = &compiled.scenarios[i];
        Some((
            choice_of(&s.target),
            format!(
                "scenario={}; score={score}; matched={}",
                s.name,
                matched.join(",")
            ),
        ))
    }

    /// `--chaos`: with the configured probability, a server error instead of the answer.
    fn chaos(&self, op: &Operation) -> Option<Answer> {
        if self.options.chaos <= 0.0 {
            return None;
        }
        let roll = (self.next_seed() >> 11) as f64 / (1u64 << 53) as f64;
        if roll >= self.options.chaos {
            return None;
        }
        let documented = op.responses.iter().find_map(|r| match r.status {
            crate::model::StatusKey::Code(c) if c >= 500 => Some(c),
            crate::model::StatusKey::Range(5) => Some(500),
            _ => None,
        });
        Some(match documented {
            Some(code) => {
                let mut a = self.answer_operation(self.index_of(op), Some(code), None, false);
                if let Ok(v) = HeaderValue::from_str("chaos") {
                    a.headers.push((HeaderName::from_static(MATCH_HEADER), v));
                }
                a
            }
            None => {
                let code = if roll < self.options.chaos / 2.0 {
                    500
                } else {
                    503
                };
                self.server_error(op, code, "simulated by --chaos")
            }
        })
    }

    fn index_of(&self, op: &Operation) -> usize {
        self.api
            .operations
            .iter()
            .position(|o| std::ptr::eq(o, op))
            .unwrap_or_default()
    }

    /// A simulated server error the operation does not document.
    fn server_error(&self, op: &Operation, code: u16, why: &str) -> Answer {
        let title = match code {
            503 => "Service Unavailable",
            502 => "Bad Gateway",
            504 => "Gateway Timeout",
            _ => "Internal Server Error",
        };
        let mut a = Answer::problem(&Problem::new(
            code,
            title,
            format!(
                "a simulated server error for {} {} ({why})",
                op.method, op.path
            ),
        ));
        if let Ok(v) = HeaderValue::from_str("simulated server error") {
            a.headers.push((HeaderName::from_static(MATCH_HEADER), v));
        }
        a
    }

    /// How long to wait before answering: `Prefer: delay`, else `x-stubborn-delay`, else
    /// `--delay`. Each was checked against `--max-delay` before it got here (at load, on the
    /// command line, or in [`Mock::handle`]); the cap is applied again all the same.
    fn delay(&self, operation: usize, prefs: &Preferences) -> Option<std::time::Duration> {
        let (lo, hi) = match prefs.delay_ms {
            Some(ms) => (ms, ms),
            None => self.ops[operation].delay.or(self.options.delay)?,
        };
        let (lo, hi) = (
            lo.min(self.options.max_delay_ms),
            hi.min(self.options.max_delay_ms),
        );
        let ms = match (hi - lo).checked_add(1) {
            Some(span) if hi > lo => lo + self.next_seed() % span,
            _ => lo,
        };
        (ms > 0).then(|| std::time::Duration::from_millis(ms))
    }

    /// The answer to a request that breaks the contract: the response the operation documents
    /// for it when there is one (the mock behaves like the API), else problem+json listing
    /// every violation.
    ///
    /// `example` (`Prefer: example=`) picks the documented error response's example by name,
    /// when that response has one of that name.
    fn reject(
        &self,
        operation: usize,
        judged: &Judged,
        example: Option<&str>,
        accept: Option<&str>,
        head: bool,
    ) -> Answer {
        let (status, title, violations, total) = (
            judged.status,
            judged.title,
            judged.violations.as_slice(),
            judged.total,
        );
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
            let named = example.filter(|name| {
                respond::response_for_code(op, code).is_some_and(|ri| {
                    op.responses[ri]
                        .content
                        .iter()
                        .any(|m| has_example(m, name))
                })
            });
            let mut answer = self.render_choice(
                operation,
                &Choice {
                    status: Some(code),
                    example: named.map(str::to_string),
                    ..Choice::default()
                },
                accept,
                head,
                None,
            );
            if answer.status == code {
                push_violations_header(&mut answer, violations, total);
                answer.violations = violations.to_vec();
                answer.violations_total = total;
                return answer;
            }
        }
        let detail = match (violations.first(), total) {
            (Some(only), 1) => format!("{} {}: {}", op.method, op.path, only.message),
            (_, n) => format!(
                "{} {}: the request breaks the contract in {n} places",
                op.method, op.path
            ),
        };
        let errors: Vec<Value> = violations.iter().map(Violation::to_json).collect();
        let mut problem = Problem::new(status, title, detail).with("errors", Value::Array(errors));
        if total > violations.len() {
            // How many more there were: the list holds the first MAX_VIOLATIONS.
            problem = problem.with("truncated", Value::from(total - violations.len()));
        }
        let mut answer = Answer::problem(&problem);
        if head {
            answer.body = Bytes::new();
        }
        answer.violations = violations.to_vec();
        answer.violations_total = total;
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
        self.render_choice(
            op_index,
            &Choice {
                status,
                ..Choice::default()
            },
            accept,
            head,
            None,
        )
    }

    /// Renders what the choose step decided: the response, its media type by `accept`, and the
    /// body (a named example, an inline body, a generated one, or the default).
    pub fn render_choice(
        &self,
        op_index: usize,
        choice: &Choice,
        accept: Option<&str>,
        head: bool,
        request: Option<&RequestContext>,
    ) -> Answer {
        let op = &self.api.operations[op_index];
        let compiled = &self.ops[op_index];
        // The response: by status when one is asked for, else where the named example lives,
        // else the default.
        let ri = match (choice.status, &choice.example) {
            (Some(code), _) => respond::response_for_code(op, code),
            (None, Some(name)) => op
                .responses
                .iter()
                .position(|r| r.content.iter().any(|m| has_example(m, name)))
                .or(compiled.default),
            (None, None) => compiled.default,
        };
        let Some(ri) = ri else {
            if let Some(code) = choice.status {
                return self.undocumented_code(op, code);
            }
            // An operation without responses answers an empty 200: the document allows anything.
            return Answer::empty(200);
        };
        let resp = &compiled.responses[ri];
        let code = match (choice.status, op.responses[ri].status) {
            (Some(c), _) => c,
            (None, key) => key.serve_code(),
        };
        let mut headers = self.headers(op_index, ri).clone();
        for (k, v) in &choice.headers {
            if let (Ok(k), Ok(v)) = (
                HeaderName::from_bytes(k.as_bytes()),
                HeaderValue::from_str(v),
            ) {
                headers.retain(|(n, _)| *n != k);
                headers.push((k, v));
            }
        }
        if resp.media.is_empty() {
            // A name asked for that this response cannot carry: say which names exist,
            // rather than answer as if nothing had been asked.
            if let (Some(name), true) = (&choice.example, choice.explicit) {
                return self.unknown_example(op, name);
            }
            return Answer {
                status: code,
                headers,
                body: Bytes::new(),
                ..Answer::empty(code)
            };
        }
        // With a named example, only the media types that carry it are candidates.
        let candidates: Vec<usize> = match &choice.example {
            Some(name) => (0..resp.media.len())
                .filter(|&mi| has_example(&op.responses[ri].content[mi], name))
                .collect(),
            None => (0..resp.media.len()).collect(),
        };
        if candidates.is_empty() {
            let name = choice.example.as_deref().unwrap_or_default();
            return self.unknown_example(op, name);
        }
        // `"stream": true` in a JSON request body (OpenAI's chat completions) asks for the
        // streaming variant where the response documents one beside a plain one.
        let candidates = match request {
            Some(rc) if asks_for_stream(rc) => {
                let streaming: Vec<usize> = candidates
                    .iter()
                    .copied()
                    .filter(|&mi| resp.media[mi].framing.is_some())
                    .collect();
                let avail: Vec<(String, String)> = streaming
                    .iter()
                    .map(|&mi| resp.available[mi].clone())
                    .collect();
                if !streaming.is_empty() && negotiate::choose(accept, &avail).is_some() {
                    streaming
                } else {
                    candidates
                }
            }
            _ => candidates,
        };
        let available: Vec<(String, String)> = candidates
            .iter()
            .map(|&mi| resp.available[mi].clone())
            .collect();
        let Some(pick) = negotiate::choose(accept, &available) else {
            let offered: Vec<&str> = candidates
                .iter()
                .map(|&mi| op.responses[ri].content[mi].media_type.as_str())
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
        let mi = candidates[pick];
        let media = &resp.media[mi];
        let model = &op.responses[ri].content[mi];
        // The example that answers, if one does; a templated one is filled from the request.
        let example_index = match (&choice.example, &choice.body, choice.seed) {
            (Some(name), _, _) => model
                .examples
                .iter()
                .position(|e| e.name.as_deref() == Some(name.as_str())),
            (None, None, None) if !model.examples.is_empty() => Some(0),
            _ => None,
        };
        if media.framing.is_some() && choice.body.is_none() && !head {
            match self.stream_spec(op_index, ri, mi, example_index, choice, request) {
                Ok(Some(spec)) => {
                    headers.push((http::header::CONTENT_TYPE, media.content_type.clone()));
                    if spec.framing == Framing::EventStream {
                        headers.push((
                            http::header::CACHE_CONTROL,
                            HeaderValue::from_static("no-cache"),
                        ));
                    }
                    return Answer {
                        status: code,
                        headers,
                        stream: Some(spec),
                        ..Answer::empty(code)
                    };
                }
                Ok(None) => {}
                Err(e) => return Answer::problem(&Problem::new(400, "Bad Preference", e)),
            }
        }
        let templated =
            example_index.and_then(|ei| media.templates.get(ei).and_then(Option::as_ref));
        let body = if let (Some(t), Some(rc)) = (templated, request) {
            Ok(self.fill_template(t, rc, model))
        } else if let Some(value) = &choice.body {
            Ok(respond::render(
                &self.api.schemas,
                &media.wire_type,
                model.schema,
                value,
            ))
        } else if let Some(name) = &choice.example {
            let ei = model
                .examples
                .iter()
                .position(|e| e.name.as_deref() == Some(name.as_str()))
                .unwrap_or_default();
            Ok(self.example_body(op_index, ri, mi, ei).clone())
        } else if let Some(seed) = choice.seed {
            self.generated_body(op_index, ri, mi, seed)
        } else {
            self.static_body(op_index, ri, mi).clone()
        };
        // An answer that breaks its own schema: flagged, or with `--errors` refused (Prism's
        // `--errors`). Fixed examples were judged once; a templated or inline body is judged
        // per request, and only when `--errors` asks.
        let broken: Option<String> = match (&body, example_index) {
            (Ok(_), Some(ei)) if templated.is_none() => self
                .example_contradiction(op_index, ri, mi, ei)
                .map(str::to_string),
            (Ok(bytes), _)
                if self.options.errors && (templated.is_some() || choice.body.is_some()) =>
            {
                model.schema.and_then(|schema| {
                    let value: Value = serde_json::from_slice(bytes).ok()?;
                    self.api
                        .schemas
                        .check(schema, &value)
                        .err()
                        .map(|e| e.join("; "))
                })
            }
            _ => None,
        };
        if let Some(errors) = broken {
            if self.options.errors {
                return Answer::problem(
                    &Problem::new(
                        500,
                        "Response Breaks The Contract",
                        format!(
                            "{} {} → {code}: the response body contradicts its schema: {errors}",
                            op.method, op.path
                        ),
                    )
                    .with("violations", Value::from(errors)),
                );
            }
            if let Ok(v) =
                HeaderValue::from_str(&printable_header(&format!("response body: {errors}")))
            {
                headers.push((HeaderName::from_static(VIOLATIONS_HEADER), v));
            }
        }
        match body {
            Ok(bytes) => {
                headers.push((http::header::CONTENT_TYPE, media.content_type.clone()));
                Answer {
                    status: code,
                    headers,
                    body: if head { Bytes::new() } else { bytes },
                    ..Answer::empty(code)
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

    /// The stream a sequential variant answers with: its example's items (an array, or a
    /// serialized stream cut at its frames) or items generated from its item schema, counted
    /// and paced by `Prefer`, `x-stubborn-stream`, the flags, then the defaults. `Ok(None)`
    /// when there is nothing to stream from (then the variant answers like any other);
    /// `Err` for a `Prefer` out of bounds.
    fn stream_spec(
        &self,
        oi: usize,
        ri: usize,
        mi: usize,
        example_index: Option<usize>,
        choice: &Choice,
        request: Option<&RequestContext>,
    ) -> Result<Option<StreamSpec>, String> {
        let media = &self.ops[oi].responses[ri].media[mi];
        let Some(framing) = media.framing else {
            return Ok(None);
        };
        let (op, resp, model) = self.media_model(oi, ri, mi);
        let items = match example_index.map(|ei| &model.examples[ei]) {
            Some(e) => match (&e.serialized, &e.value) {
                (Some(text), _) | (None, Value::String(text)) => {
                    let chunks = stream::split_serialized(framing, text);
                    if chunks.is_empty() {
                        return Ok(None);
                    }
                    Items::Chunks(std::sync::Arc::new(chunks))
                }
                (None, Value::Array(a)) if !a.is_empty() => {
                    Items::Values(std::sync::Arc::new(a.clone()))
                }
                (None, other) => Items::Values(std::sync::Arc::new(vec![other.clone()])),
            },
            None if media.item.is_some() => Items::Generated {
                seed: choice
                    .seed
                    .unwrap_or_else(|| self.variant_seed(op, resp, model)),
            },
            None => return Ok(None),
        };
        let asked = match request {
            Some(rc) => stream::prefer(rc.headers)?
                .check(self.options.max_delay_ms)
                .map_err(|e| format!("Prefer: {e}"))?,
            None => Pace::default(),
        };
        let pace = asked.or(self.ops[oi].stream).or(self.options.stream);
        let natural = match &items {
            Items::Values(v) => v.len() as u64,
            Items::Chunks(c) => c.len() as u64,
            Items::Generated { .. } => stream::DEFAULT_COUNT,
        };
        let count = pace.count.unwrap_or(natural).min(stream::MAX_COUNT);
        let interval_ms = pace
            .interval_ms
            .unwrap_or(stream::DEFAULT_INTERVAL_MS)
            .min(self.options.max_delay_ms);
        Ok(Some(StreamSpec {
            operation: oi,
            response: ri,
            media: mi,
            framing,
            items,
            count,
            interval: std::time::Duration::from_millis(interval_ms),
        }))
    }

    /// Item `index` of a streaming answer, framed for the wire. Generated items each draw from
    /// their own seed (the stream's and the index), so a stream is the same on every run.
    pub fn stream_chunk(&self, spec: &StreamSpec, index: u64) -> Result<Bytes, String> {
        let media = self
            .ops
            .get(spec.operation)
            .and_then(|o| o.responses.get(spec.response))
            .and_then(|r| r.media.get(spec.media))
            .ok_or("the stream's response is gone")?;
        let item = media.item;
        let frame =
            |value: &Value, data_only: bool| stream::frame(spec.framing, value, data_only, index);
        match &spec.items {
            Items::Chunks(chunks) => Ok(chunks[(index % chunks.len() as u64) as usize].clone()),
            Items::Values(values) => {
                let value = &values[(index % values.len() as u64) as usize];
                let data_only = match item {
                    Some(i) => i.data_only,
                    None => value.get("data").is_none(),
                };
                Ok(frame(value, data_only))
            }
            Items::Generated { seed } => {
                let item = item.ok_or("the stream has no item schema")?;
                let opts = |salt: &str| GenOptions {
                    seed: respond::stable_hash(&[&seed.to_string(), &index.to_string(), salt]),
                    direction: Direction::Response,
                    use_examples: index == 0,
                    locale: self.options.locale,
                    fill_properties: self.options.fill_properties,
                    ..GenOptions::default()
                };
                let mut value = generate::generate(&self.api.schemas, item.schema, &opts(""))
                    .map_err(|e| e.to_string())?;
                if let Some(data) = item.data_schema {
                    let data = generate::generate(&self.api.schemas, data, &opts("data"))
                        .map_err(|e| e.to_string())?;
                    if let Some(obj) = value.as_object_mut() {
                        obj.insert("data".into(), Value::String(data.to_string()));
                    }
                }
                Ok(frame(&value, item.data_only))
            }
        }
    }

    /// Renders a templated example with the request's values.
    fn fill_template(&self, t: &Template, rc: &RequestContext, model: &MediaType) -> Bytes {
        let parsed_body: Option<Value> = if rc.body.is_empty() {
            None
        } else {
            serde_json::from_slice(rc.body).ok()
        };
        let ctx = template::Context {
            method: rc.method.as_str(),
            path: rc.path,
            path_params: rc.path_params,
            query: rc.query,
            headers: rc.headers,
            body: parsed_body.as_ref(),
        };
        let schema = model.schema.map(|id| self.api.schemas.get(id));
        let now_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or_default();
        let draw = template::Draw {
            seed: self.next_seed(),
            now_ms,
            locale: self.options.locale,
        };
        let value = t.render_with(&ctx, &self.api.schemas, schema, draw);
        let wire = negotiate::essence(&model.media_type);
        let wire = if wire.0 == "*" || wire.1 == "*" {
            "application/json"
        } else {
            model.media_type.as_str()
        };
        respond::render(&self.api.schemas, wire, model.schema, &value)
    }

    fn undocumented_code(&self, op: &Operation, code: u16) -> Answer {
        let documented: Vec<String> = op.responses.iter().map(|r| r.status.to_string()).collect();
        Answer::problem(
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
        )
    }

    fn unknown_example(&self, op: &Operation, name: &str) -> Answer {
        let mut names: Vec<String> = Vec::new();
        for r in &op.responses {
            for m in &r.content {
                for e in &m.examples {
                    if let Some(n) = &e.name {
                        if !names.contains(n) {
                            names.push(n.clone());
                        }
                    }
                }
            }
        }
        let detail = if names.is_empty() {
            format!(
                "{} {} has no named examples; asked for \"{name}\"",
                op.method, op.path
            )
        } else {
            format!(
                "{} {} has no example \"{name}\" there; its examples are {}",
                op.method,
                op.path,
                names.join(", ")
            )
        };
        Answer::problem(
            &Problem::new(404, "Example Not Found", detail).with("examples", Value::from(names)),
        )
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

    /// The body of a variant when nothing names an example: its first example, else a body
    /// generated from the schema; rendered once.
    pub fn static_body(&self, oi: usize, ri: usize, mi: usize) -> &BodyResult {
        self.ops[oi].responses[ri].media[mi].body.get_or_init(|| {
            let (op, resp, media) = self.media_model(oi, ri, mi);
            if !media.examples.is_empty() {
                return Ok(self.example_body(oi, ri, mi, 0).clone());
            }
            let Some(schema) = media.schema else {
                return Ok(Bytes::new());
            };
            let opts = GenOptions {
                seed: self.variant_seed(op, resp, media),
                direction: Direction::Response,
                use_examples: true,
                locale: self.options.locale,
                fill_properties: self.options.fill_properties,
                // Rendered once: no need to keep this schema's validator afterwards.
                transient_check: true,
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
        })
    }

    /// Why each string of the body `answer_operation(op, Some(status))` sends in
    /// `content_type` was chosen (JSON pointer, reason), for `stubborn example --explain`: the
    /// static body's own generation, replayed with its seed and the reasons recorded.
    pub fn explain(&self, op: usize, status: u16, content_type: &str) -> Vec<(String, String)> {
        let model = &self.api.operations[op];
        let Some(ri) = respond::response_for_code(model, status).or(self.ops[op].default) else {
            return vec![(String::new(), "the operation documents no response".into())];
        };
        let compiled = &self.ops[op].responses[ri];
        let Some(mi) = compiled
            .media
            .iter()
            .position(|m| m.content_type.as_bytes() == content_type.as_bytes())
        else {
            return vec![(String::new(), "no body".into())];
        };
        let (operation, resp, media) = self.media_model(op, ri, mi);
        if !media.examples.is_empty() {
            return vec![(
                String::new(),
                format!("the document's example ({})", media.examples[0].origin),
            )];
        }
        let Some(schema) = media.schema else {
            return vec![(String::new(), "no schema: an empty body".into())];
        };
        let opts = GenOptions {
            seed: self.variant_seed(operation, resp, media),
            direction: Direction::Response,
            use_examples: true,
            locale: self.options.locale,
            fill_properties: self.options.fill_properties,
            transient_check: true,
            ..GenOptions::default()
        };
        match generate::generate_explained(&self.api.schemas, schema, &opts) {
            Ok((_, reasons)) => reasons,
            Err(e) => vec![(String::new(), format!("no body can be generated: {e}"))],
        }
    }

    /// Example `ei` of a variant, rendered once.
    fn example_body(&self, oi: usize, ri: usize, mi: usize, ei: usize) -> &Bytes {
        let compiled = &self.ops[oi].responses[ri].media[mi];
        compiled.examples[ei].get_or_init(|| {
            let (_, _, media) = self.media_model(oi, ri, mi);
            // A serialized example (3.2's `serializedValue`, `externalValue`) is sent as written.
            if let Some(text) = &media.examples[ei].serialized {
                return Bytes::from(text.clone());
            }
            respond::render(
                &self.api.schemas,
                &compiled.wire_type,
                media.schema,
                &media.examples[ei].value,
            )
        })
    }

    /// A body generated afresh with `seed` (dynamic mode, `Prefer: dynamic=true` or `seed=`);
    /// without a schema, the variant's static body.
    fn generated_body(&self, oi: usize, ri: usize, mi: usize, seed: u64) -> BodyResult {
        let (_, _, media) = self.media_model(oi, ri, mi);
        let Some(schema) = media.schema else {
            return self.static_body(oi, ri, mi).clone();
        };
        let opts = GenOptions {
            seed,
            direction: Direction::Response,
            use_examples: false,
            locale: self.options.locale,
            fill_properties: self.options.fill_properties,
            // Fresh data each time: a self-referencing schema may recur at random.
            vary_optional: true,
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

    /// A fresh seed for one dynamic answer.
    fn next_seed(&self) -> u64 {
        let n = self.dynamic_counter.fetch_add(1, Ordering::Relaxed);
        respond::stable_hash(&[&self.options.seed.to_string(), &n.to_string()])
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
                        locale: self.options.locale,
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

/// Does a JSON request body say `"stream": true`?
fn asks_for_stream(rc: &RequestContext) -> bool {
    // A cheap look before parsing: most bodies never mention it.
    if rc.body.is_empty() || memchr::memmem::find(rc.body, b"\"stream\"").is_none() {
        return false;
    }
    serde_json::from_slice::<Value>(rc.body)
        .ok()
        .and_then(|v| v.get("stream").and_then(Value::as_bool))
        .unwrap_or(false)
}

fn choice_of(target: &Target) -> Choice {
    match target {
        Target::Example { example, .. } => Choice {
            example: Some(example.clone()),
            ..Choice::default()
        },
        Target::Custom {
            status,
            example,
            body,
            headers,
        } => Choice {
            status: Some(*status),
            example: example.clone(),
            body: body.clone(),
            headers: headers.clone(),
            seed: None,
            explicit: false,
        },
    }
}

/// An operation's `x-stubborn-delay` (a number or a `parse_delay` string), within `max_ms`.
fn operation_delay(v: &Value, max_ms: u64) -> Result<(u64, u64), String> {
    let (lo, hi) = match v {
        Value::Number(n) => match n.as_u64() {
            Some(ms) => (ms, ms),
            None => return Err(format!("expected milliseconds, got {n}")),
        },
        Value::String(s) => parse_delay(s)?,
        other => return Err(format!("expected milliseconds, got {other}")),
    };
    check_delay(lo, hi, max_ms)?;
    Ok((lo, hi))
}

/// Refuses a delay longer than `max_ms` (`--max-delay`).
pub fn check_delay(lo: u64, hi: u64, max_ms: u64) -> Result<(), String> {
    if hi > max_ms || lo > max_ms {
        let asked = if lo == hi {
            format!("{hi} ms")
        } else {
            format!("{lo}..{hi} ms")
        };
        return Err(format!(
            "a delay of {asked} is longer than the {max_ms} ms allowed (--max-delay)"
        ));
    }
    Ok(())
}

/// `250` or `100..500` (milliseconds).
pub fn parse_delay(s: &str) -> Result<(u64, u64), String> {
    let bad = || format!("expected milliseconds like 250 or a range like 100..500, got \"{s}\"");
    match s.split_once("..") {
        Some((a, b)) => {
            let (a, b): (u64, u64) = (
                a.trim().parse().map_err(|_| bad())?,
                b.trim().parse().map_err(|_| bad())?,
            );
            if a > b {
                return Err(bad());
            }
            Ok((a, b))
        }
        None => {
            let ms = s.trim().parse().map_err(|_| bad())?;
            Ok((ms, ms))
        }
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

/// `text` fit for a header value: ASCII without controls (others become `?`), at most 4,000
/// characters.
fn printable_header(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii() && !c.is_ascii_control() {
                c
            } else {
                '?'
            }
        })
        .take(4000)
        .collect()
}

/// Lists violations in one header line: `query limit: must be ≤ 100, got 500; body /name: ...`,
/// cut to 4,000 characters.
fn push_violations_header(answer: &mut Answer, violations: &[Violation], total: usize) {
    let mut text: Vec<String> = violations.iter().map(Violation::line).collect();
    if total > violations.len() {
        text.push(format!("and {} more", total - violations.len()));
    }
    let line = printable_header(&text.join("; "));
    if let Ok(v) = HeaderValue::from_str(&line) {
        answer
            .headers
            .push((HeaderName::from_static(VIOLATIONS_HEADER), v));
    }
}

/// A response's variants, ready to serve; problems with its examples' templates go to
/// `warnings`.
fn compile_response(
    store: &crate::schema::SchemaStore,
    r: &Response,
    warnings: &mut Vec<String>,
) -> CompiledResponse {
    let media: Vec<CompiledMedia> = r
        .content
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let essence = negotiate::essence(&m.media_type);
            let mut wire_type = wire_type(store, m, &essence);
            if Framing::of(&wire_type) == Some(Framing::MultipartMixed)
                && !wire_type.contains("boundary=")
            {
                wire_type = format!("multipart/mixed; boundary={}", stream::BOUNDARY);
            }
            let framing = Framing::of(&wire_type);
            CompiledMedia {
                essence,
                content_type: HeaderValue::from_str(&wire_type)
                    .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream")),
                wire_type,
                body: OnceLock::new(),
                examples: m.examples.iter().map(|_| OnceLock::new()).collect(),
                example_checks: m.examples.iter().map(|_| OnceLock::new()).collect(),
                templates: m
                    .examples
                    .iter()
                    .map(|e| {
                        let (t, problems) = template::compile(&e.value)?;
                        warnings.extend(
                            problems
                                .into_iter()
                                .map(|x| format!("{}: template: {x}", e.origin)),
                        );
                        Some(t)
                    })
                    .collect(),
                framing,
                item: r.item_schemas.get(i).copied().flatten(),
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

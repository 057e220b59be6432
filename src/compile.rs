//! Compile: the request-independent work, done once. A [`Mock`] holds the model, the router,
//! and for every response variant its pre-rendered body bytes and headers, so answering a
//! request is a lookup, not a walk over the document.
//!
//! Bodies are rendered on first use and cached (`OnceLock`): a 900-operation document starts
//! serving at once, and each body is still rendered exactly once. `stubborn check` and the
//! server's warm-up call [`Mock::render_all`] to do it eagerly.

use crate::callback;
use crate::generate::{self, Direction, GenOptions};
use crate::model::{Api, MediaType, Method, Operation, Response};
use crate::respond::choose::{self, Scenario};
use crate::respond::saved::SavedSet;
use crate::respond::template::{self, Template};
use crate::respond::{self, negotiate};
use crate::route::{Routed, Router};
use crate::stream::{self, Framing, Pace};
use crate::validate::OpValidator;
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
    /// Wait this long (milliseconds, a range) after answering before sending a callback
    /// (`--callback-delay`); a document's `x-stubborn-callback-delay` wins.
    pub callback_delay: Option<(u64, u64)>,
    /// `--stateful`: every resource the document has keeps what clients create (see
    /// [`crate::state`]); without it, only those marked `x-stubborn-stateful: true`.
    pub stateful: bool,
    /// `--seed-items`: items each top-level collection starts with.
    pub seed_items: usize,
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
            callback_delay: None,
            stateful: false,
            seed_items: crate::state::DEFAULT_SEED_ITEMS,
        }
    }
}

/// `--validate`: reject bad requests, only report them, or not check at all. By default
/// (`Auto`), a contract is enforced and a collection or recorded traffic is not checked
/// (see `Api::contract`); [`Mock::new`] settles it, so a `Mock` never holds `Auto`.
///
/// ```
/// // Warn: a request that breaks the contract is answered, and recorded as breaking it.
/// let server = stubborn::MockServer::builder()
///     .spec(concat!(env!("CARGO_MANIFEST_DIR"), "/specs/petstore.yaml"))
///     .validate(stubborn::ValidateMode::Warn)
///     .start_blocking()
///     .unwrap();
/// let status = reqwest::blocking::get(server.url("/pets?limit=0")).unwrap().status();
/// assert_eq!(status, 200);
/// assert!(server.received_requests()[0].breaks_contract());
/// # let _ = server.check_contract();
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ValidateMode {
    /// Enforce a contract (an OpenAPI or Swagger document); do not check a Postman collection
    /// or a HAR file, which show requests rather than forbid others.
    #[default]
    Auto,
    /// Reject a request that breaks the contract, as the document says (its 400 or 422
    /// response), else with a problem+json answer listing the violations.
    Enforce,
    /// Answer it as if it were valid, and list the violations in `x-stubborn-violations`.
    Warn,
    /// Do not check requests.
    Off,
}

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

/// Does this media type carry an example of that name?
pub(crate) fn has_example(m: &MediaType, name: &str) -> bool {
    m.examples.iter().any(|e| e.name.as_deref() == Some(name))
}

/// One response variant (a media type of a response), compiled.
pub struct CompiledMedia {
    /// `(type, subtype)` for negotiation.
    pub(crate) essence: (String, String),
    /// The concrete media type sent (a documented wildcard made concrete).
    pub(crate) wire_type: String,
    pub content_type: HeaderValue,
    /// The body served when nothing names an example: the first example, else generated.
    pub(crate) body: OnceLock<BodyResult>,
    /// Each documented example, rendered on first use.
    pub(crate) examples: Vec<OnceLock<Bytes>>,
    /// Examples that use the request (`{{request.path.id}}`) or dynamic variables, parsed once;
    /// aligned with `examples`. These are rendered per request instead of cached.
    pub(crate) templates: Vec<Option<Template>>,
    /// Whether each example contradicts its schema (and how), judged once, on first use or by
    /// the warm-up; aligned with `examples`.
    pub(crate) example_checks: Vec<OnceLock<Option<String>>>,
    /// A sequential media type (event stream, JSON Lines...): its framing, and the schema of
    /// one item when the document gives one. Such a variant is answered as a stream.
    pub(crate) framing: Option<Framing>,
    pub(crate) item: Option<crate::model::ItemSchema>,
}

/// A body ready to send, or why the operation cannot produce one.
pub type BodyResult = Result<Bytes, String>;

/// One documented response, compiled.
pub struct CompiledResponse {
    pub status: u16,
    pub media: Vec<CompiledMedia>,
    pub(crate) available: Vec<(String, String)>,
    pub(crate) headers: OnceLock<Vec<(HeaderName, HeaderValue)>>,
}

/// One operation, compiled: its responses, its request validator, its scenarios and knobs.
pub(crate) struct CompiledOp {
    pub(crate) default: Option<usize>,
    pub(crate) responses: Vec<CompiledResponse>,
    pub(crate) validator: OpValidator,
    pub(crate) scenarios: Vec<Scenario>,
    /// Whether any scenario looks at the body (only then is it parsed for matching).
    pub(crate) scenarios_read_body: bool,
    /// `x-stubborn-default`: the scenario or example answering when nothing matches.
    pub(crate) default_example: Option<String>,
    /// `x-stubborn-delay`.
    pub(crate) delay: Option<(u64, u64)>,
    /// `x-stubborn-stream`: count and pacing of this operation's streaming answers.
    pub(crate) stream: Pace,
    /// Its callbacks: indices into `Mock::callbacks`.
    pub(crate) callbacks: Vec<usize>,
}

/// A compiled API, ready to answer requests.
pub struct Mock {
    pub api: Api,
    pub router: Router,
    /// The credentials the document declares, withheld from every log.
    pub credentials: crate::model::Credentials,
    /// The document being served, as `GET /__stubborn/spec` shows it (JSON; set by whoever
    /// loaded it from a file, see [`crate::load::bundle::served_document`]).
    pub document: Option<Bytes>,
    pub(crate) ops: Vec<CompiledOp>,
    pub options: MockOptions,
    pub(crate) dynamic_counter: AtomicU64,
    /// Saved examples, matched Postman's way before the operations answer.
    pub(crate) saved: SavedSet,
    /// Each saved example's response, ready to send (or to fill in, when it has templates).
    pub(crate) saved_answers: Vec<SavedAnswer>,
    /// Per operation: whether some saved example was saved for it (then a request that matches
    /// none of them gets 404, as on Postman; otherwise the operation answers as documented).
    pub(crate) op_has_saved: Vec<bool>,
    /// Each operation's id, shared with the call log's records.
    op_ids: Vec<std::sync::Arc<str>>,
    /// Every operation's callbacks, compiled (`CompiledOp::callbacks` says whose).
    pub callbacks: Vec<callback::Compiled>,
    /// The document's webhooks (3.1), compiled; sent on demand.
    pub webhooks: Vec<callback::Compiled>,
    /// The stateful resources, inferred at load; `None` when stateful mode is off (then a
    /// request never looks further).
    pub resources: Option<crate::state::Resources>,
}

/// A saved example's response, prepared at load.
pub(crate) struct SavedAnswer {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    pub(crate) body: Bytes,
    /// `{{$randomInt}}`, `{{request.*}}`... in the body: filled in per request. A `{{name}}`
    /// that no collection or environment defines stays as written, as on Postman.
    pub(crate) template: Option<Template>,
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
        let resources = if options.stateful
            || api
                .operations
                .iter()
                .any(crate::state::infer::asks_stateful)
        {
            Some(crate::state::infer::infer(&mut api, options.stateful)).filter(|r| !r.is_empty())
        } else {
            None
        };
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
        let mut ops: Vec<CompiledOp> =
            api.operations
                .iter()
                .map(|op| {
                    let (scenarios, problems) = choose::scenarios_of(op);
                    warnings.extend(problems);
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
                        callbacks: Vec::new(),
                        stream,
                        default: respond::default_response(op),
                        responses: op
                            .responses
                            .iter()
                            .map(|r| compile_response(&api.schemas, r, &mut warnings))
                            .collect(),
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
        let body_options = callback::BodyOptions {
            seed: options.seed,
            locale: options.locale,
            fill_properties: options.fill_properties,
        };
        let mut callbacks = Vec::new();
        for c in &api.callbacks {
            let trigger = &api.operations[c.operation];
            let described = callback::Described {
                trigger: Some((c.operation, trigger)),
                name: &c.name,
                expression: Some(&c.expression),
                request: &c.request,
            };
            let Some(mut compiled) =
                callback::Compiled::new(&api.schemas, described, body_options, &mut warnings)
            else {
                continue;
            };
            let extension = c
                .request
                .extensions
                .get("x-stubborn-callback-delay")
                .or_else(|| trigger.extensions.get("x-stubborn-callback-delay"));
            compiled.delay = callback_delay(extension, &c.request, &options, &mut warnings);
            ops[c.operation].callbacks.push(callbacks.len());
            callbacks.push(compiled);
        }
        let mut webhooks = Vec::new();
        for w in &api.webhooks {
            let described = callback::Described {
                trigger: None,
                name: &w.path,
                expression: None,
                request: w,
            };
            if let Some(mut compiled) =
                callback::Compiled::new(&api.schemas, described, body_options, &mut warnings)
            {
                let extension = w.extensions.get("x-stubborn-callback-delay");
                compiled.delay = callback_delay(extension, w, &options, &mut warnings);
                webhooks.push(compiled);
            }
        }
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
            op_ids: api
                .operations
                .iter()
                .map(|op| std::sync::Arc::from(op.id.as_str()))
                .collect(),
            saved,
            saved_answers,
            op_has_saved,
            callbacks,
            webhooks,
            credentials: crate::model::Credentials::of(&api.security_schemes),
            document: None,
            api,
            router,
            ops,
            options,
            dynamic_counter: AtomicU64::new(0),
            resources,
        }
    }

    /// How callback and webhook bodies are generated.
    pub fn callback_body_options(&self) -> callback::BodyOptions {
        callback::BodyOptions {
            seed: self.options.seed,
            locale: self.options.locale,
            fill_properties: self.options.fill_properties,
        }
    }

    /// The callbacks operation `index` sends after answering (indices into `callbacks`).
    pub fn callbacks_of(&self, index: usize) -> &[usize] {
        &self.ops[index].callbacks
    }

    /// The webhook called `name`, and its index.
    pub fn webhook(&self, name: &str) -> Option<(usize, &callback::Compiled)> {
        self.webhooks
            .iter()
            .enumerate()
            .find(|(_, w)| w.name == name)
    }

    /// How long to wait before sending a callback: its own delay, else `--callback-delay`,
    /// drawn from the range with a fresh seed.
    pub fn callback_delay_ms(&self, c: &callback::Compiled) -> u64 {
        match c.delay.or(self.options.callback_delay) {
            None => 0,
            Some((lo, hi)) if lo >= hi => lo,
            Some((lo, hi)) => lo + self.next_seed() % (hi - lo).saturating_add(1),
        }
    }

    /// The scenarios of an operation, for `check` and the admin API.
    pub fn scenarios(&self, op_index: usize) -> &[Scenario] {
        &self.ops[op_index].scenarios
    }

    /// What was compiled for operation `index`.
    pub(crate) fn compiled(&self, index: usize) -> &CompiledOp {
        &self.ops[index]
    }

    /// Operation `index`'s request validator.
    pub fn validator(&self, index: usize) -> &OpValidator {
        &self.ops[index].validator
    }

    /// Operation `index`'s id (`operationId`, or `METHOD path`), shared.
    pub fn operation_id(&self, index: usize) -> std::sync::Arc<str> {
        std::sync::Arc::clone(&self.op_ids[index])
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

    /// The model of one response variant.
    pub(crate) fn media_model(
        &self,
        oi: usize,
        ri: usize,
        mi: usize,
    ) -> (&Operation, &Response, &MediaType) {
        let op = &self.api.operations[oi];
        let resp = &op.responses[ri];
        (op, resp, &resp.content[mi])
    }

    /// The seed for one response variant: stable across runs, different per variant.
    pub(crate) fn variant_seed(&self, op: &Operation, resp: &Response, media: &MediaType) -> u64 {
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
    pub(crate) fn example_body(&self, oi: usize, ri: usize, mi: usize, ei: usize) -> &Bytes {
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
    pub(crate) fn generated_body(&self, oi: usize, ri: usize, mi: usize, seed: u64) -> BodyResult {
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
    pub(crate) fn next_seed(&self) -> u64 {
        let n = self.dynamic_counter.fetch_add(1, Ordering::Relaxed);
        // `stable_hash(&[&seed.to_string(), &n.to_string()])`, the digits written on the stack.
        let (mut a, mut b) = ([0u8; 20], [0u8; 20]);
        respond::stable_hash_bytes(&[
            respond::decimal(self.options.seed, &mut a),
            respond::decimal(n, &mut b),
        ])
    }

    /// The documented response headers of a variant, with example or generated values.
    pub(crate) fn headers(&self, oi: usize, ri: usize) -> &Vec<(HeaderName, HeaderValue)> {
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

/// A callback's `x-stubborn-callback-delay` (on the callback or the operation it follows), read
/// as `x-stubborn-delay` is and bounded by `--max-delay`; a bad one is a warning and no delay.
fn callback_delay(
    extension: Option<&Value>,
    request: &Operation,
    options: &MockOptions,
    warnings: &mut Vec<String>,
) -> Option<(u64, u64)> {
    match operation_delay(extension?, options.max_delay_ms) {
        Ok(d) => Some(d),
        Err(e) => {
            warnings.push(format!(
                "{}: x-stubborn-callback-delay: {e}; no delay is added",
                request.origin
            ));
            None
        }
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

/// A response's variants, their example templates compiled once (their problems go to
/// `warnings`).
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
            let essence = negotiate::essence_owned(&m.media_type);
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
                        let (t, errs) = template::compile(&e.value)?;
                        warnings.extend(
                            errs.into_iter()
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

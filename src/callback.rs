//! Callbacks and webhooks, compiled: the requests the API sends to its clients. An operation's
//! `callbacks` are sent after the mock answers it, to the URL their runtime expression names;
//! a 3.1 document's `webhooks` are sent on demand (the admin API, `--webhook-target`).
//!
//! Everything that does not depend on the exchange is done here, once, at load: the URL
//! expression parsed, the body chosen (the first example, rendered to bytes; a templated one
//! parsed; else generated from the schema on first use), the header parameters' values, the
//! documented answers the receiver's reply is checked against. Per exchange,
//! [`Compiled::for_exchange`] fills in what the triggering request and answer give
//! ([`Exchange`]) and yields an [`Outbound`]: what the server sends, after its answer is
//! written; [`Compiled::to_target`] does the same for a webhook. Sending is the server's.

use crate::expression::{Exchange, Expression, Source, UrlTemplate};
use crate::generate::{self, Direction, GenOptions, Locale};
use crate::model::{Operation, ParamIn, StatusKey};
use crate::respond::template::{self, Context, Template};
use crate::respond::{self, negotiate};
use crate::schema::{SchemaId, SchemaStore};
use bytes::Bytes;
use http::header::{HeaderName, HeaderValue};
use serde_json::Value;
use std::sync::{Arc, OnceLock};

/// How bodies of callbacks are generated (a part of the mock's options).
#[derive(Clone, Copy, Debug)]
pub struct BodyOptions {
    pub seed: u64,
    pub locale: Locale,
    pub fill_properties: bool,
}

/// One callback request (or webhook), compiled.
pub struct Compiled {
    /// The operation whose answer triggers it; `None` for a webhook.
    pub operation: Option<usize>,
    /// The callback's key (`onPaid`) or the webhook's name (`orderShipped`).
    pub name: String,
    /// How the call log names it: `onPaid (createOrder)`, `webhook orderShipped`.
    pub label: Arc<str>,
    /// The URL expression as written; empty for a webhook.
    pub expression: String,
    /// The URL expression, parsed; `None` for a webhook (the target is given when sending).
    pub url: Option<UrlTemplate>,
    pub method: http::Method,
    /// The body sent, if the request documents one.
    body: Option<Body>,
    /// Header parameters (documented example, else generated), and the body's content type.
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// Wait this long after the answer before sending, milliseconds, a range: the document's
    /// `x-stubborn-callback-delay`, read and bounded by `compile` (`--callback-delay` applies
    /// where it is `None`).
    pub delay: Option<(u64, u64)>,
    /// The answers the receiver may give.
    responses: Vec<Documented>,
    /// Whether some expression (URL or body) reads the request's / the answer's body.
    pub reads_request_body: bool,
    pub reads_response_body: bool,
}

/// An answer the receiver may give: its status key, and per media type its schema.
type Documented = (StatusKey, Vec<(String, Option<SchemaId>)>);

/// What a callback or a webhook is, in the model.
pub struct Described<'a> {
    /// The operation whose answer triggers it (index and model); `None` for a webhook.
    pub trigger: Option<(usize, &'a Operation)>,
    /// The callback's key or the webhook's name.
    pub name: &'a str,
    /// The URL expression; `None` for a webhook.
    pub expression: Option<&'a str>,
    /// The request sent, as an operation.
    pub request: &'a Operation,
}

/// The body of a callback request.
struct Body {
    /// The media type sent.
    wire_type: String,
    schema: Option<SchemaId>,
    source: BodySource,
}

enum BodySource {
    /// A documented example, rendered once; with `{{request.…}}` templates and `{$…}`
    /// runtime expressions in its strings, filled in per exchange.
    Example {
        value: Value,
        bytes: Bytes,
        template: Option<Template>,
        expressions: Vec<(Vec<PathStep>, UrlTemplate)>,
    },
    /// Generated from the schema, once, on first use.
    Generated(OnceLock<Result<Bytes, String>>),
}

/// A step to a string inside an example: a key or an index.
#[derive(Clone, Debug)]
enum PathStep {
    Key(String),
    Index(usize),
}

/// A request ready to send, for one exchange.
#[derive(Clone, Debug)]
pub struct Outbound {
    /// Which callback (an index into `Mock::callbacks`) or webhook (`Mock::webhooks`).
    pub index: usize,
    pub webhook: bool,
    /// The URL, or why the expression gave none (the call log says so; nothing is sent).
    pub url: Result<String, String>,
    pub method: http::Method,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub body: Result<Bytes, String>,
    /// How long to wait after the answer is written.
    pub delay: std::time::Duration,
}

/// What a callback's URL and body read: the triggering request and the mock's answer, for
/// runtime expressions (`exchange`) and templates (`context`).
pub struct Trigger<'a> {
    pub exchange: Exchange<'a>,
    pub context: Context<'a>,
}

impl Compiled {
    /// Compiles a callback (or, with no trigger and no expression, a webhook). Problems go to
    /// `warnings`, each naming where it is; `None` when the callback cannot be sent at all (an
    /// expression that does not parse).
    pub fn new(
        store: &SchemaStore,
        what: Described,
        options: BodyOptions,
        warnings: &mut Vec<String>,
    ) -> Option<Compiled> {
        let Described {
            trigger,
            name,
            expression,
            request,
        } = what;
        let operation = trigger.map(|(i, _)| i);
        let trigger = trigger.map(|(_, op)| op);
        let url = match expression {
            None => None,
            Some(e) => match UrlTemplate::parse(e) {
                Ok(t) => Some(t),
                Err(msg) => {
                    warnings.push(format!(
                        "{}: callback {name}: {msg}; it is never sent",
                        request.origin
                    ));
                    return None;
                }
            },
        };
        let method = http::Method::from_bytes(request.method.as_str().as_bytes())
            .unwrap_or(http::Method::POST);
        let mut headers = Vec::new();
        for p in request
            .parameters
            .iter()
            .filter(|p| p.location == ParamIn::Header)
        {
            let value = match p.examples.first() {
                Some(e) => Some(e.value.clone()),
                None => p.schema.and_then(|schema| {
                    let opts = GenOptions {
                        seed: respond::stable_hash(&[&options.seed.to_string(), name, &p.name]),
                        direction: Direction::Request,
                        locale: options.locale,
                        ..GenOptions::default()
                    };
                    generate::generate(store, schema, &opts).ok()
                }),
            };
            let (Some(value), Ok(header)) = (value, HeaderName::from_bytes(p.name.as_bytes()))
            else {
                continue;
            };
            if let Ok(v) = HeaderValue::from_str(&respond::header_text(&value)) {
                headers.push((header, v));
            }
        }
        let mut reads_request_body = false;
        let mut reads_response_body = false;
        if let Some(t) = &url {
            for e in t.expressions() {
                reads_request_body |= e.reads_request_body();
                reads_response_body |= e.reads_response_body();
            }
        }
        let body = request
            .request_body
            .as_ref()
            .and_then(|rb| rb.content.first())
            .map(|media| {
                let wire_type = match negotiate::essence(&media.media_type) {
                    (t, s) if t == "*" || s == "*" => "application/json".to_string(),
                    _ => media.media_type.clone(),
                };
                if let Ok(v) = HeaderValue::from_str(&wire_type) {
                    headers.push((http::header::CONTENT_TYPE, v));
                }
                let source = match media.examples.first() {
                    Some(example) => {
                        let bytes = match &example.serialized {
                            Some(text) => Bytes::from(text.clone()),
                            None => {
                                respond::render(store, &wire_type, media.schema, &example.value)
                            }
                        };
                        let template = template::compile(&example.value).map(|(t, errs)| {
                            warnings.extend(
                                errs.into_iter()
                                    .map(|x| format!("{}: template: {x}", example.origin)),
                            );
                            t
                        });
                        let mut expressions = Vec::new();
                        let mut path = Vec::new();
                        embedded(
                            &example.value,
                            &mut path,
                            &mut expressions,
                            &example.origin,
                            warnings,
                        );
                        for (_, t) in &expressions {
                            for e in t.expressions() {
                                reads_request_body |= e.reads_request_body();
                                reads_response_body |= e.reads_response_body();
                            }
                        }
                        if template.is_some() {
                            reads_request_body = true;
                            // `{{response.body…}}` reads the answer's body too.
                            reads_response_body |=
                                example.value.to_string().contains("response.body");
                        }
                        BodySource::Example {
                            value: example.value.clone(),
                            bytes,
                            template,
                            expressions,
                        }
                    }
                    None => BodySource::Generated(OnceLock::new()),
                };
                Body {
                    wire_type,
                    schema: media.schema,
                    source,
                }
            });
        let responses = request
            .responses
            .iter()
            .map(|r| {
                (
                    r.status,
                    r.content
                        .iter()
                        .map(|m| (m.media_type.clone(), m.schema))
                        .collect(),
                )
            })
            .collect();
        let label: Arc<str> = match trigger {
            Some(op) => Arc::from(format!("{name} ({})", op.id)),
            None => Arc::from(format!("webhook {name}")),
        };
        let compiled = Compiled {
            operation,
            name: name.to_string(),
            label,
            expression: expression.unwrap_or_default().to_string(),
            url,
            method,
            body,
            headers,
            delay: None,
            responses,
            reads_request_body,
            reads_response_body,
        };
        if let (Some(op), Some(t)) = (trigger, &compiled.url) {
            for problem in unresolvable(store, op, t) {
                warnings.push(format!("{}: callback {name}: {problem}", request.origin));
            }
        }
        Some(compiled)
    }

    /// The body as it is sent when nothing of the exchange goes into it: the example's bytes,
    /// or a generated body; `Ok(empty)` when the request documents none.
    pub fn static_body(&self, store: &SchemaStore, options: BodyOptions) -> Result<Bytes, String> {
        let Some(body) = &self.body else {
            return Ok(Bytes::new());
        };
        match &body.source {
            BodySource::Example { bytes, .. } => Ok(bytes.clone()),
            BodySource::Generated(slot) => slot
                .get_or_init(|| {
                    let Some(schema) = body.schema else {
                        return Ok(Bytes::new());
                    };
                    let opts = GenOptions {
                        seed: respond::stable_hash(&[
                            &options.seed.to_string(),
                            &self.name,
                            self.method.as_str(),
                        ]),
                        direction: Direction::Request,
                        use_examples: true,
                        locale: options.locale,
                        fill_properties: options.fill_properties,
                        transient_check: true,
                        ..GenOptions::default()
                    };
                    let value =
                        generate::generate(store, schema, &opts).map_err(|e| e.to_string())?;
                    Ok(respond::render(
                        store,
                        &body.wire_type,
                        Some(schema),
                        &value,
                    ))
                })
                .clone(),
        }
    }

    /// The body for one exchange: templates and runtime expressions filled in.
    fn body_for(
        &self,
        store: &SchemaStore,
        options: BodyOptions,
        trigger: &Trigger,
    ) -> Result<Bytes, String> {
        let Some(body) = &self.body else {
            return Ok(Bytes::new());
        };
        let BodySource::Example {
            value,
            template,
            expressions,
            ..
        } = &body.source
        else {
            return self.static_body(store, options);
        };
        if template.is_none() && expressions.is_empty() {
            return self.static_body(store, options);
        }
        let mut value = match template {
            Some(t) => {
                let schema = body.schema.map(|id| store.get(id));
                t.render(&trigger.context, store, schema, options.seed)
            }
            None => value.clone(),
        };
        for (path, t) in expressions {
            let Some(slot) = walk_mut(&mut value, path) else {
                continue;
            };
            *slot = match t.single() {
                Some(e) => e.evaluate(&trigger.exchange)?,
                None => Value::String(t.render_plain(&trigger.exchange)?),
            };
        }
        Ok(respond::render(store, &body.wire_type, body.schema, &value))
    }

    /// The request to send for one exchange (a callback): URL and body filled in from it.
    pub fn for_exchange(
        &self,
        index: usize,
        store: &SchemaStore,
        options: BodyOptions,
        trigger: &Trigger,
        delay_ms: u64,
    ) -> Outbound {
        let url = match &self.url {
            Some(u) => u.render(&trigger.exchange),
            None => Err("no URL to send to".to_string()),
        };
        self.outbound(index, url, self.body_for(store, options, trigger), delay_ms)
    }

    /// The request to send to `target` (a webhook), with its documented body or `body`.
    pub fn to_target(
        &self,
        index: usize,
        store: &SchemaStore,
        options: BodyOptions,
        target: &str,
        body: Option<Bytes>,
        delay_ms: u64,
    ) -> Outbound {
        let body = match body {
            Some(b) => Ok(b),
            None => self.static_body(store, options),
        };
        self.outbound(index, Ok(target.to_string()), body, delay_ms)
    }

    fn outbound(
        &self,
        index: usize,
        url: Result<String, String>,
        body: Result<Bytes, String>,
        delay_ms: u64,
    ) -> Outbound {
        Outbound {
            index,
            webhook: self.operation.is_none(),
            url,
            method: self.method.clone(),
            headers: self.headers.clone(),
            body,
            delay: std::time::Duration::from_millis(delay_ms),
        }
    }

    /// How the receiver's answer breaks what the callback documents: a status it does not
    /// list, a body its schema refuses. Empty when it documents no responses at all.
    pub fn check_answer(
        &self,
        store: &SchemaStore,
        status: u16,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Vec<String> {
        if self.responses.is_empty() {
            return Vec::new();
        }
        // The most specific key that covers the status: a code, then a range, then default.
        let found = self
            .responses
            .iter()
            .filter(|(k, _)| k.covers(status))
            .min_by_key(|(k, _)| match k {
                StatusKey::Code(_) => 0,
                StatusKey::Range(_) => 1,
                StatusKey::Default => 2,
            });
        let Some((_, media)) = found else {
            let listed: Vec<String> = self.responses.iter().map(|(k, _)| k.to_string()).collect();
            return vec![format!(
                "status {status} is not a documented answer to this callback (documented: {})",
                listed.join(", ")
            )];
        };
        if media.is_empty() || body.is_empty() && media.iter().all(|(_, s)| s.is_none()) {
            return Vec::new();
        }
        let essence = content_type.map(crate::media::essence);
        let chosen = media.iter().find(|(mt, _)| {
            let (t, s) = negotiate::essence(mt);
            essence.as_ref().is_some_and(|(et, es)| {
                (t == "*" || t.eq_ignore_ascii_case(et)) && (s == "*" || s.eq_ignore_ascii_case(es))
            })
        });
        let Some((_, schema)) = chosen else {
            let listed: Vec<&str> = media.iter().map(|(m, _)| m.as_str()).collect();
            return vec![format!(
                "the answer's Content-Type {} is not documented for status {status} (documented: {})",
                content_type.unwrap_or("(none)"),
                listed.join(", ")
            )];
        };
        let Some(schema) = schema else {
            return Vec::new();
        };
        let value: Value = match serde_json::from_slice(body) {
            Ok(v) => v,
            Err(_) if !content_type.is_some_and(negotiate::is_json) => {
                Value::String(String::from_utf8_lossy(body).into_owned())
            }
            Err(e) => return vec![format!("the answer's body is not JSON: {e}")],
        };
        match store.check(*schema, &value) {
            Ok(()) => Vec::new(),
            Err(errors) => errors
                .into_iter()
                .take(crate::validate::MAX_VIOLATIONS)
                .map(|e| format!("answer body {e}"))
                .collect(),
        }
    }
}

/// Finds the strings of an example that hold `{$…}` runtime expressions.
fn embedded(
    value: &Value,
    path: &mut Vec<PathStep>,
    out: &mut Vec<(Vec<PathStep>, UrlTemplate)>,
    origin: &str,
    warnings: &mut Vec<String>,
) {
    match value {
        Value::String(s) if s.contains("{$") => match UrlTemplate::parse(s) {
            Ok(t) => out.push((path.clone(), t)),
            Err(e) => warnings.push(format!("{origin}: {e}; the text is sent as written")),
        },
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(PathStep::Index(i));
                embedded(item, path, out, origin, warnings);
                path.pop();
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                path.push(PathStep::Key(k.clone()));
                embedded(v, path, out, origin, warnings);
                path.pop();
            }
        }
        _ => {}
    }
}

fn walk_mut<'a>(mut value: &'a mut Value, path: &[PathStep]) -> Option<&'a mut Value> {
    for step in path {
        value = match (step, value) {
            (PathStep::Key(k), Value::Object(m)) => m.get_mut(k)?,
            (PathStep::Index(i), Value::Array(a)) => a.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(value)
}

/// Why expressions of a callback's URL may never resolve, judged from the operation that
/// triggers it: a parameter it does not declare, a body it does not document, a property its
/// schema does not declare.
pub fn unresolvable(store: &SchemaStore, op: &Operation, url: &UrlTemplate) -> Vec<String> {
    let mut out = Vec::new();
    for e in url.expressions() {
        let problem = match e {
            Expression::Request(Source::Query(n)) => (!op
                .parameters
                .iter()
                .any(|p| p.location == ParamIn::Query && &p.name == n))
            .then(|| format!("`{e}`: {} declares no query parameter `{n}`", op.id)),
            Expression::Request(Source::Path(n)) => (!op
                .parameters
                .iter()
                .any(|p| p.location == ParamIn::Path && &p.name == n))
            .then(|| format!("`{e}`: {} declares no path parameter `{n}`", op.id)),
            Expression::Request(Source::Header(h)) => (h != http::header::HOST
                && !op.parameters.iter().any(|p| {
                    p.location == ParamIn::Header && p.name.eq_ignore_ascii_case(h.as_str())
                }))
            .then(|| {
                format!(
                    "`{e}`: {} declares no header parameter `{h}`; the callback is sent only when the request carries it",
                    op.id
                )
            }),
            Expression::Request(Source::Body(p)) => match &op.request_body {
                None => Some(format!("`{e}`: {} documents no request body", op.id)),
                Some(rb) => {
                    let schemas: Vec<SchemaId> = rb.content.iter().filter_map(|m| m.schema).collect();
                    (!schemas.is_empty()
                        && !schemas.iter().any(|s| pointer_declared(store, store.get(*s), p, 0)))
                    .then(|| {
                        format!(
                            "`{e}`: the request body's schema does not declare {p}; the callback is sent only when the request carries it"
                        )
                    })
                }
            },
            Expression::Response(Source::Body(p)) => {
                let schemas: Vec<SchemaId> = op
                    .responses
                    .iter()
                    .flat_map(|r| r.content.iter())
                    .filter_map(|m| m.schema)
                    .collect();
                if schemas.is_empty() {
                    Some(format!("`{e}`: no response of {} documents a body", op.id))
                } else {
                    (!schemas.iter().any(|s| pointer_declared(store, store.get(*s), p, 0))).then(
                        || format!("`{e}`: no response schema of {} declares {p}", op.id),
                    )
                }
            }
            Expression::Response(Source::Header(h)) => (!op.responses.iter().any(|r| {
                r.headers
                    .iter()
                    .any(|x| x.name.eq_ignore_ascii_case(h.as_str()))
            }))
            .then(|| format!("`{e}`: no response of {} documents a `{h}` header", op.id)),
            _ => None,
        };
        out.extend(problem);
    }
    out
}

/// Whether `schema` may hold something at JSON pointer `pointer`: yes where it says nothing
/// that rules it out (no `properties`, `additionalProperties` allowed and unknown...), no only
/// where an object declares its properties and this is not one of them. Depth-bounded.
fn pointer_declared(store: &SchemaStore, schema: &Value, pointer: &str, depth: usize) -> bool {
    if pointer.is_empty() || depth > 32 {
        return true;
    }
    let schema = store.deref(schema);
    let rest = &pointer[1..];
    let (token, tail) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let token = crate::schema::unescape_pointer_token(token);
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(branches)) = schema.get(key) {
            if branches
                .iter()
                .any(|b| pointer_declared(store, b, pointer, depth + 1))
            {
                return true;
            }
        }
    }
    if let Some(Value::Object(props)) = schema.get("properties") {
        return match props.get(&token) {
            Some(sub) => pointer_declared(store, sub, tail, depth + 1),
            None => false,
        };
    }
    if let Some(items) = schema.get("items") {
        if token.parse::<usize>().is_ok() {
            return pointer_declared(store, items, tail, depth + 1);
        }
    }
    // Nothing declared here: anything may be.
    !["allOf", "anyOf", "oneOf"]
        .iter()
        .any(|k| schema.get(*k).is_some())
}

//! Validate: a request against the operation it routed to. Everything here is compiled at load
//! time or is a pure function of the request; violations are collected, never short-circuited,
//! so a client learns every problem in one answer.

pub mod body;
pub mod params;
pub mod querystring;
pub mod response;
pub mod security;

use serde_json::Value;

/// Where in the request a violation is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Place {
    Path,
    Query,
    Header,
    Cookie,
    Body,
    /// A response's status code (a proxied answer's).
    Status,
}

impl Place {
    pub fn as_str(self) -> &'static str {
        match self {
            Place::Path => "path",
            Place::Query => "query",
            Place::Header => "header",
            Place::Cookie => "cookie",
            Place::Body => "body",
            Place::Status => "status",
        }
    }
}

/// One way a request breaks the contract.
#[derive(Clone, Debug, PartialEq)]
pub struct Violation {
    pub place: Place,
    /// The parameter name (path, query, header, cookie) or a JSON pointer into the body
    /// (`/items/0/price`; empty for the whole body).
    pub name: String,
    /// The failing keyword: `required`, `type`, `format`, `minimum`, `contentType`, `syntax`...
    pub keyword: String,
    /// What a person reads: `must be an integer, got "abc"`.
    pub message: String,
    /// Malformed syntax (broken JSON, an undecodable form) rather than a wrong value: answered
    /// with 400 instead of 422.
    pub malformed: bool,
}

impl Violation {
    /// A violation; the name and message are cut to [`MAX_VIOLATION_TEXT`] characters (a
    /// request chooses its own keys and values, so neither may grow a problem without bound).
    pub fn new(
        place: Place,
        name: impl Into<String>,
        keyword: &str,
        message: impl Into<String>,
    ) -> Self {
        Violation {
            place,
            name: bounded(name.into()),
            keyword: keyword.to_string(),
            message: bounded(message.into()),
            malformed: false,
        }
    }

    /// One line for logs and headers: `query limit: must be ≤ 100, got 500`.
    pub fn line(&self) -> String {
        format!("{} {}: {}", self.place.as_str(), self.name, self.message)
    }

    pub fn malformed(mut self) -> Self {
        self.malformed = true;
        self
    }

    /// The entry in a problem+json `errors` array.
    pub fn to_json(&self) -> Value {
        let mut m = serde_json::Map::new();
        m.insert("in".into(), Value::from(self.place.as_str()));
        if self.place == Place::Body {
            m.insert("pointer".into(), Value::from(self.name.clone()));
        } else {
            m.insert("name".into(), Value::from(self.name.clone()));
        }
        m.insert("keyword".into(), Value::from(self.keyword.clone()));
        m.insert("message".into(), Value::from(self.message.clone()));
        Value::Object(m)
    }
}

use crate::model::{ItemSchema, MediaType, Operation, ParamIn, Querystring, SecurityScheme};
use crate::schema::lean::{Lean, Unparsed};
use crate::schema::{messages, Direction, SchemaId, SchemaStore};
pub use body::parse_json_body;
use http::HeaderMap;

/// What the validator needs about one operation, prepared at load time.
pub struct OpValidator {
    params: Vec<params::CompiledParam>,
    /// The schema each parameter's value is validated against (its `content` schema when the
    /// parameter is serialised as a media type).
    param_schemas: Vec<Option<SchemaId>>,
    has_body: bool,
}

impl OpValidator {
    pub fn new(store: &SchemaStore, op: &Operation) -> OpValidator {
        let params = op
            .parameters
            .iter()
            .enumerate()
            .map(|(i, p)| params::compile(store, i, p))
            .collect();
        let param_schemas = op
            .parameters
            .iter()
            .map(|p| {
                p.schema
                    .or_else(|| p.content.as_ref().and_then(|m| m.schema))
            })
            .collect();
        OpValidator {
            params,
            param_schemas,
            has_body: op.request_body.is_some(),
        }
    }
}

/// The parts of a request the contract speaks about.
pub struct RequestParts<'a> {
    /// Percent-decoded path parameter values, by name, from the router.
    pub path_params: &'a [(String, String)],
    /// The raw query string (without `?`).
    pub query: Option<&'a str>,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
    /// The body parsed as JSON ([`parse_json_body`]), asked for only when the body is read as
    /// JSON; the caller keeps the value for the steps after validation.
    pub json: &'a dyn Fn() -> &'a Result<Value, String>,
    /// The body parsed for validation ([`lean::parse`]), asked for first: a body it finds
    /// valid is never made a `Value`; for any other, the violations are worked out on
    /// [`RequestParts::json`], which the caller makes from this one without parsing again.
    pub lean: &'a dyn Fn() -> &'a Result<Lean<'a>, Unparsed>,
}

/// How a request fared against its operation.
#[derive(Debug)]
pub enum Outcome {
    Valid,
    /// No security requirement is met: 401.
    Unauthorized(security::Denied),
    /// The body's media type is not one the operation accepts: 415.
    UnsupportedMediaType(Violation),
    /// Everything else, all at once: 400 when any is malformed syntax, else 422. At most
    /// [`MAX_VIOLATIONS`] are kept; `total` counts them all.
    Invalid {
        violations: Vec<Violation>,
        total: usize,
    },
}

/// The most violations reported for one request: a body of 100,000 wrong items is answered
/// with the first hundred and a count, not with a multi-megabyte list.
pub const MAX_VIOLATIONS: usize = 100;

/// The longest name (pointer) or message of one violation, in characters.
pub const MAX_VIOLATION_TEXT: usize = 300;

/// `text` cut to [`MAX_VIOLATION_TEXT`] characters, with `…` where it was cut.
fn bounded(mut text: String) -> String {
    if let Some((at, _)) = text.char_indices().nth(MAX_VIOLATION_TEXT) {
        text.truncate(at);
        text.push('…');
    }
    text
}

/// Checks a request against its operation: security first (a stranger learns nothing more;
/// skipped when `check_security` is false), then the body's media type, then every parameter
/// and the body together. `querystring` is the operation's `in: querystring` parameter (3.2),
/// which judges the whole query string as one value.
pub fn validate(
    store: &SchemaStore,
    schemes: &[SecurityScheme],
    check_security: bool,
    op: &Operation,
    querystring: Option<&Querystring>,
    compiled: &OpValidator,
    req: &RequestParts,
) -> Outcome {
    if check_security {
        if let Err(denied) = security::check(schemes, &op.security, req.headers, req.query) {
            return Outcome::Unauthorized(denied);
        }
    }
    let mut violations = Vec::new();
    // Violations past MAX_VIOLATIONS, counted but not described.
    let mut dropped = 0usize;

    // The body's media type, before anything is parsed, and the Content-Type it was picked by.
    let mut body_media: Option<&MediaType> = None;
    let mut body_type = "";
    // A sequential body (JSON Lines, json-seq) with an item schema: judged item by item.
    let mut body_items: Option<ItemSchema> = None;
    // A body the operation does not take: the README promises 415 for a body the operation
    // does not accept, and no declared body accepts none. An empty body is no body.
    if !compiled.has_body && !req.body.is_empty() {
        let ct = req
            .headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("a body without Content-Type");
        return Outcome::UnsupportedMediaType(Violation::new(
            Place::Body,
            "",
            "requestBody",
            format!(
                "{} {} takes no request body, but {} bytes of {ct} were sent",
                op.method,
                op.path,
                req.body.len()
            ),
        ));
    }
    if compiled.has_body {
        if let Some(rb) = &op.request_body {
            let content_type = req
                .headers
                .get(http::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok());
            if req.body.is_empty() && content_type.is_none() {
                if rb.required {
                    violations.push(Violation::new(
                        Place::Body,
                        "",
                        "required",
                        "a request body is required",
                    ));
                }
            } else if !rb.content.is_empty() {
                // For the refusals' messages only.
                let accepted = || {
                    rb.content
                        .iter()
                        .map(|m| m.media_type.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                match content_type {
                    None => {
                        return Outcome::UnsupportedMediaType(Violation::new(
                            Place::Header,
                            "Content-Type",
                            "contentType",
                            format!(
                                "Content-Type is missing; this operation accepts {}",
                                accepted()
                            ),
                        ))
                    }
                    Some(ct) => match body::pick_media(&rb.content, ct) {
                        Some(i) => {
                            body_media = Some(&rb.content[i]);
                            body_type = ct;
                            body_items = rb.item_schemas.get(i).copied().flatten();
                        }
                        None => {
                            return Outcome::UnsupportedMediaType(Violation::new(
                                Place::Header,
                                "Content-Type",
                                "contentType",
                                format!(
                                    "{ct} is not accepted; this operation accepts {}",
                                    accepted()
                                ),
                            ))
                        }
                    },
                }
                if req.body.is_empty() && rb.required {
                    violations.push(Violation::new(
                        Place::Body,
                        "",
                        "required",
                        "a request body is required",
                    ));
                    body_media = None;
                }
            }
        }
    }

    // Parameters.
    let raw = params::RawRequest {
        path_params: req.path_params,
        query: req.query,
        headers: req.headers,
    };
    let (values, mut param_violations) = params::extract(&compiled.params, &raw);
    violations.append(&mut param_violations);
    for (i, value) in values.iter().enumerate() {
        let (Some(value), Some(schema)) = (value, compiled.param_schemas.get(i).copied().flatten())
        else {
            continue;
        };
        let p = &op.parameters[compiled.params[i].index];
        let place = match p.location {
            ParamIn::Path => Place::Path,
            ParamIn::Query => Place::Query,
            ParamIn::Header => Place::Header,
            ParamIn::Cookie => Place::Cookie,
        };
        dropped += schema_violations(store, schema, value, place, &p.name, &mut violations);
    }
    if let Some(q) = querystring {
        dropped += querystring::check(store, q, req.query, &mut violations);
    }

    // The body.
    let sequential = body_media
        .and_then(|m| crate::media::Framing::of(&m.media_type))
        .filter(|f| {
            matches!(
                f,
                crate::media::Framing::JsonLines | crate::media::Framing::JsonSeq
            )
        });
    if let (Some(framing), Some(items)) = (sequential, body_items) {
        dropped += item_violations(store, framing, items, req.body, &mut violations);
    } else if let Some(media) = body_media {
        let ct = body_type;
        let valid_lean = || match (media.schema, (req.lean)()) {
            (Some(schema), Ok(lean)) => store
                .lean_validator(schema)
                .is_ok_and(|validator| validator.is_valid(lean)),
            (None, Ok(_)) => true,
            (_, Err(_)) => false,
        };
        let as_json = body::reads_as_json(media, ct);
        if as_json && valid_lean() {
            // Valid: nothing more to find.
        } else if as_json {
            match (req.json)() {
                Err(message) => violations.push(body::unreadable(message)),
                Ok(value) => {
                    if let Some(schema) = media.schema {
                        dropped += schema_violations(
                            store,
                            schema,
                            value,
                            Place::Body,
                            "",
                            &mut violations,
                        );
                    }
                }
            }
        } else {
            match body::parse_partial(store, media, ct, req.body) {
                Err(mut v) => violations.append(&mut v),
                Ok((parsed, mut structural)) => {
                    if let (body::Parsed::Value(value), Some(schema)) = (parsed, media.schema) {
                        // Fields already reported (a part of the wrong type...) were left out of
                        // the value; their absence is not a second violation.
                        let mut found = Vec::new();
                        dropped +=
                            schema_violations(store, schema, &value, Place::Body, "", &mut found);
                        if !structural.is_empty() {
                            found.retain(|f| !structural.iter().any(|s| s.name == f.name));
                        }
                        violations.append(&mut structural);
                        violations.append(&mut found);
                    } else {
                        violations.append(&mut structural);
                    }
                }
            }
        }
    }

    if violations.is_empty() {
        return Outcome::Valid;
    }
    let total = violations.len() + dropped;
    violations.truncate(MAX_VIOLATIONS);
    Outcome::Invalid { violations, total }
}

/// A JSON Lines or `json-seq` body, judged item by item against its item schema: each
/// violation's pointer starts with the item's number (`/2/price`).
fn item_violations(
    store: &SchemaStore,
    framing: crate::media::Framing,
    items: ItemSchema,
    body: &[u8],
    out: &mut Vec<Violation>,
) -> usize {
    let text = match std::str::from_utf8(body) {
        Ok(t) => t,
        Err(e) => {
            out.push(
                Violation::new(
                    Place::Body,
                    "",
                    "syntax",
                    format!(
                        "body is not valid UTF-8: invalid byte at offset {}",
                        e.valid_up_to()
                    ),
                )
                .malformed(),
            );
            return 0;
        }
    };
    let mut dropped = 0;
    for (i, item) in crate::stream::parse_items(framing, text) {
        match item {
            Err(e) => {
                if out.len() >= MAX_VIOLATIONS {
                    dropped += 1;
                    continue;
                }
                out.push(
                    Violation::new(
                        Place::Body,
                        format!("/{i}"),
                        "syntax",
                        format!("item {i} is not JSON: {e}"),
                    )
                    .malformed(),
                );
            }
            Ok(value) => {
                let mut found = Vec::new();
                dropped +=
                    schema_violations(store, items.schema, &value, Place::Body, "", &mut found);
                for mut v in found {
                    if out.len() >= MAX_VIOLATIONS {
                        dropped += 1;
                        continue;
                    }
                    v.name = format!("/{i}{}", v.name);
                    out.push(v);
                }
            }
        }
    }
    dropped
}

/// Validates `value` against `schema` (request side) and turns each error into a violation.
/// For parameters `name` is the parameter's name; for the body, pointers come from the errors.
/// Once `out` holds [`MAX_VIOLATIONS`], further errors are only counted: the count is returned.
pub fn schema_violations(
    store: &SchemaStore,
    schema: SchemaId,
    value: &Value,
    place: Place,
    name: &str,
    out: &mut Vec<Violation>,
) -> usize {
    schema_violations_on(store, schema, value, place, name, out, Direction::Request)
}

/// [`schema_violations`] on either side: a response's values are judged by the response-side
/// validator (`readOnly` allowed, `writeOnly` refused).
pub fn schema_violations_on(
    store: &SchemaStore,
    schema: SchemaId,
    value: &Value,
    place: Place,
    name: &str,
    out: &mut Vec<Violation>,
    side: Direction,
) -> usize {
    let validator = match store.validator_for(schema, side) {
        Ok(v) => v,
        Err(e) => {
            out.push(Violation::new(
                place,
                name,
                "schema",
                format!("the schema cannot be compiled: {e}"),
            ));
            return 0;
        }
    };
    // Most values are valid: the cheap yes/no first, the errors only for a value that fails.
    if validator.is_valid(value) {
        return 0;
    }
    let mut dropped = 0;
    for error in validator.iter_errors(value) {
        if out.len() >= MAX_VIOLATIONS {
            dropped += 1;
            continue;
        }
        let (keyword, mut message, extra) = messages::describe(error.kind(), error.instance());
        if message.is_empty() {
            message = error.to_string();
        }
        let mut pointer = error.instance_path().to_string();
        if let Some(extra) = extra {
            pointer.push('/');
            pointer.push_str(&crate::schema::escape_pointer_token(&extra));
        }
        let full_name = if place == Place::Body {
            pointer
        } else if pointer.is_empty() {
            name.to_string()
        } else {
            // A property inside an object-valued parameter: `filter/role`.
            format!("{name}{pointer}")
        };
        out.push(Violation::new(place, full_name, &keyword, message));
    }
    dropped
}

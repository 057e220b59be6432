//! The render step: what the choose step decided, made into an answer. The response (by
//! status, by where a named example lives, or the default), its media type by `Accept`, and
//! the body: a named example, an inline body, a generated one, a template filled from the
//! request, or the variant's pre-rendered default; a sequential media type becomes a stream.

use super::answer::{printable_header, Answer, VIOLATIONS_HEADER};
use super::{Call, Choice};
use crate::compile::{has_example, Mock};
use crate::generate::{self, Direction, GenOptions};
use crate::model::{MediaType, Operation};
use crate::respond::problem::Problem;
use crate::respond::template::{self, Template};
use crate::respond::{self, negotiate};
use crate::stream::{self, Framing, Items, Pace, StreamSpec};
use bytes::Bytes;
use http::header::{HeaderName, HeaderValue};
use serde_json::Value;
use smallvec::SmallVec;

/// Renders what the choose step decided: the response, its media type by `accept`, and the
/// body (a named example, an inline body, a generated one, or the default).
pub(super) fn render(
    mock: &Mock,
    op_index: usize,
    choice: &Choice,
    accept: Option<&str>,
    head: bool,
    request: Option<&Call>,
) -> Answer {
    let op = &mock.api.operations[op_index];
    let compiled = mock.compiled(op_index);
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
            return undocumented_code(op, code);
        }
        // An operation without responses answers an empty 200: the document allows anything.
        return Answer::empty(200);
    };
    let resp = &compiled.responses[ri];
    let code = match (choice.status, op.responses[ri].status) {
        (Some(c), _) => c,
        (None, key) => key.serve_code(),
    };
    // Room for what is added below (Content-Type, the match, a violation) in one allocation.
    let documented = mock.headers(op_index, ri);
    let mut headers = Vec::with_capacity(documented.len() + 3);
    headers.extend_from_slice(documented);
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
            return unknown_example(op, name);
        }
        return Answer {
            status: code,
            headers,
            body: Bytes::new(),
            ..Answer::empty(code)
        };
    }
    // With a named example, only the media types that carry it are candidates.
    let candidates: SmallVec<[usize; 4]> = match &choice.example {
        Some(name) => (0..resp.media.len())
            .filter(|&mi| has_example(&op.responses[ri].content[mi], name))
            .collect(),
        None => (0..resp.media.len()).collect(),
    };
    if candidates.is_empty() {
        let name = choice.example.as_deref().unwrap_or_default();
        return unknown_example(op, name);
    }
    // `"stream": true` in a JSON request body (OpenAI's chat completions) asks for the
    // streaming variant where the response documents one beside a plain one.
    let has_streaming = || {
        candidates
            .iter()
            .any(|&mi| resp.media[mi].framing.is_some())
    };
    let candidates = match request {
        Some(rc) if has_streaming() && asks_for_stream(rc) => {
            let streaming: SmallVec<[usize; 4]> = candidates
                .iter()
                .copied()
                .filter(|&mi| resp.media[mi].framing.is_some())
                .collect();
            if negotiate::choose_among(accept, &resp.available, &streaming).is_some() {
                streaming
            } else {
                candidates
            }
        }
        _ => candidates,
    };
    let Some(pick) = negotiate::choose_among(accept, &resp.available, &candidates) else {
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
        match stream_spec(mock, op_index, ri, mi, example_index, choice, request) {
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
    let templated = example_index.and_then(|ei| media.templates.get(ei).and_then(Option::as_ref));
    let body = if let (Some(t), Some(rc)) = (templated, request) {
        Ok(fill_template(mock, t, rc, model))
    } else if let Some(value) = &choice.body {
        Ok(respond::render(
            &mock.api.schemas,
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
        Ok(mock.example_body(op_index, ri, mi, ei).clone())
    } else if let Some(seed) = choice.seed {
        mock.generated_body(op_index, ri, mi, seed)
    } else {
        mock.static_body(op_index, ri, mi).clone()
    };
    // An answer that breaks its own schema: flagged, or with `--errors` refused (Prism's
    // `--errors`). Fixed examples were judged once; a templated or inline body is judged
    // per request, and only when `--errors` asks.
    let broken: Option<String> = match (&body, example_index) {
        (Ok(_), Some(ei)) if templated.is_none() => mock
            .example_contradiction(op_index, ri, mi, ei)
            .map(str::to_string),
        (Ok(bytes), _) if mock.options.errors && (templated.is_some() || choice.body.is_some()) => {
            model.schema.and_then(|schema| {
                let value: Value = serde_json::from_slice(bytes).ok()?;
                mock.api
                    .schemas
                    .check(schema, &value)
                    .err()
                    .map(|e| e.join("; "))
            })
        }
        _ => None,
    };
    if let Some(errors) = broken {
        if mock.options.errors {
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
        if let Ok(v) = HeaderValue::from_str(&printable_header(&format!("response body: {errors}")))
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
    mock: &Mock,
    oi: usize,
    ri: usize,
    mi: usize,
    example_index: Option<usize>,
    choice: &Choice,
    request: Option<&Call>,
) -> Result<Option<StreamSpec>, String> {
    let media = &mock.compiled(oi).responses[ri].media[mi];
    let Some(framing) = media.framing else {
        return Ok(None);
    };
    let (op, resp, model) = mock.media_model(oi, ri, mi);
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
                .unwrap_or_else(|| mock.variant_seed(op, resp, model)),
        },
        None => return Ok(None),
    };
    let asked = match request {
        Some(call) => stream::prefer(call.req.headers)?
            .check(mock.options.max_delay_ms)
            .map_err(|e| format!("Prefer: {e}"))?,
        None => Pace::default(),
    };
    let pace = asked.or(mock.compiled(oi).stream).or(mock.options.stream);
    let natural = match &items {
        Items::Values(v) => v.len() as u64,
        Items::Chunks(c) => c.len() as u64,
        Items::Generated { .. } => stream::DEFAULT_COUNT,
    };
    let count = pace.count.unwrap_or(natural).min(stream::MAX_COUNT);
    let interval_ms = pace
        .interval_ms
        .unwrap_or(stream::DEFAULT_INTERVAL_MS)
        .min(mock.options.max_delay_ms);
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

/// Renders a templated example with the request's values.
fn fill_template(mock: &Mock, t: &Template, call: &Call, model: &MediaType) -> Bytes {
    let req = call.req;
    let ctx = template::Context {
        method: req.method.as_str(),
        path: req.path,
        path_params: call.params,
        query: req.query(),
        headers: req.headers,
        body: req.json().as_ref().ok(),
        response: None,
    };
    let schema = model.schema.map(|id| mock.api.schemas.get(id));
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default();
    let draw = template::Draw {
        seed: mock.next_seed(),
        now_ms,
        locale: mock.options.locale,
    };
    let value = t.render_with(&ctx, &mock.api.schemas, schema, draw);
    let wire = negotiate::essence(&model.media_type);
    let wire = if wire.0 == "*" || wire.1 == "*" {
        "application/json"
    } else {
        model.media_type.as_str()
    };
    respond::render(&mock.api.schemas, wire, model.schema, &value)
}

fn undocumented_code(op: &Operation, code: u16) -> Answer {
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

pub(super) fn unknown_example(op: &Operation, name: &str) -> Answer {
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

/// Does a JSON request body say `"stream": true`?
fn asks_for_stream(call: &Call) -> bool {
    // A cheap look before parsing: most bodies never mention it.
    let body = call.req.body;
    if body.is_empty() || memchr::memmem::find(body, b"\"stream\"").is_none() {
        return false;
    }
    call.req
        .json()
        .as_ref()
        .ok()
        .and_then(|v| v.get("stream").and_then(Value::as_bool))
        .unwrap_or(false)
}

impl Mock {
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
}

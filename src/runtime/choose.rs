//! The choose step: explicit wishes (`Prefer`, `x-mock-response-*`, `__code`), then
//! `--chaos`, then the closest scenario (see [`crate::respond::choose`]), then the default; the
//! choice goes to [`super::render`], and `x-stubborn-match` says what was chosen and why.

use super::answer::{match_header, Answer};
use super::{chaos, render, Call};
use crate::compile::Mock;
use crate::respond::choose::{self as scenarios, RequestView, Target};
use crate::respond::{self};
use http::header::HeaderValue;
use serde_json::Value;
use std::borrow::Cow;

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

/// Chooses, then renders.
pub(super) fn choose_and_render(mock: &Mock, call: &Call) -> Answer {
    let op = &mock.api.operations[call.operation];
    let prefs = call.prefs;
    let seed = match (prefs.seed, prefs.dynamic) {
        (Some(s), _) => Some(s),
        (None, Some(true)) => Some(mock.next_seed()),
        (None, Some(false)) => None,
        (None, None) => mock.options.dynamic.then(|| mock.next_seed()),
    };
    // Postman's `x-mock-response-id` names an example by its id.
    let by_id;
    let example = match &prefs.example_id {
        Some(id) => match scenarios::example_for_postman_id(op, id) {
            Some(name) => {
                by_id = Some(name);
                by_id.as_ref()
            }
            None => return render::unknown_example(op, &format!("id {id}")),
        },
        None => prefs.example.as_ref(),
    };
    let (mut choice, note) = if prefs.code.is_some() || example.is_some() {
        let mut parts = Vec::new();
        if let Some(c) = prefs.code {
            parts.push(format!("code={c}"));
        }
        if let Some(e) = example {
            parts.push(format!("example={e}"));
        }
        if let Some(code) = prefs.code.filter(|c| *c >= 500) {
            if respond::response_for_code(op, code).is_none() {
                return chaos::server_error(op, code, "asked for with Prefer");
            }
        }
        let choice = Choice {
            status: prefs.code,
            example: example.cloned(),
            explicit: true,
            ..Choice::default()
        };
        (choice, Cow::Owned(format!("explicit; {}", parts.join(" "))))
    } else if let Some(answer) = chaos::chaos(mock, call.operation) {
        return answer;
    } else {
        closest(mock, call).unwrap_or_else(|| default_choice(mock, call.operation))
    };
    if choice.example.is_none() && choice.body.is_none() {
        choice.seed = seed;
    }
    let mut answer = render::render(
        mock,
        call.operation,
        &choice,
        call.req.accept(),
        call.head,
        Some(call),
    );
    // The common note is a constant: no copy.
    let value = match note {
        Cow::Borrowed(text) => Ok(HeaderValue::from_static(text)),
        Cow::Owned(text) => HeaderValue::from_str(&text),
    };
    if let Ok(v) = value {
        answer.headers.push((match_header(), v));
    }
    answer
}

/// `x-stubborn-default`, else the operation's default response.
fn default_choice(mock: &Mock, operation: usize) -> (Choice, Cow<'static, str>) {
    let compiled = mock.compiled(operation);
    match &compiled.default_example {
        Some(name) => {
            let choice = match compiled.scenarios.iter().find(|s| &s.name == name) {
                Some(s) => choice_of(&s.target),
                None => Choice {
                    example: Some(name.clone()),
                    ..Choice::default()
                },
            };
            (
                choice,
                Cow::Owned(format!("default; x-stubborn-default={name}")),
            )
        }
        None => (Choice::default(), Cow::Borrowed("default")),
    }
}

/// The scenario closest to the request, if any shares something with it.
fn closest(mock: &Mock, call: &Call) -> Option<(Choice, Cow<'static, str>)> {
    let compiled = mock.compiled(call.operation);
    if compiled.scenarios.is_empty() {
        return None;
    }
    let req = call.req;
    let body = if compiled.scenarios_read_body {
        req.body_value()
    } else {
        None
    };
    let view = RequestView::new(call.params, req.query_pairs(), req.headers, body);
    let (i, score, matched) = scenarios::best(&compiled.scenarios, &view)?;
    let s = &compiled.scenarios[i];
    Some((
        choice_of(&s.target),
        Cow::Owned(format!(
            "scenario={}; score={score}; matched={}",
            s.name,
            matched.join(",")
        )),
    ))
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

//! The path of a document with saved examples (a Postman collection): validation when it is
//! on, then Postman's matching over every saved example (see [`crate::respond::saved`]); an
//! operation no saved example belongs to answers as documented; anything else is a 404 naming
//! the closest examples, as on Postman.

use super::answer::{match_header, printable_header, push_violations_header, Answer};
use super::{chaos, check, choose, Call, Request};
use crate::compile::{Mock, ValidateMode};
use crate::respond::choose::Preferences;
use crate::respond::problem::Problem;
use crate::respond::saved as saved_examples;
use crate::respond::template;
use crate::route::Routed;
use crate::validate::Violation;
use bytes::Bytes;
use http::header::HeaderValue;
use serde_json::Value;

/// The answer to `req` (sent with `method`, as written) from the saved examples.
pub(super) fn answer(
    mock: &Mock,
    method: &str,
    req: &Request,
    routed: Routed,
    prefs: &Preferences,
) -> Answer {
    let head = method.eq_ignore_ascii_case("HEAD");
    let (operation, path_params) = match routed {
        Routed::Found { operation, params } => (Some(operation), params),
        _ => (None, Vec::new()),
    };
    let call = operation.map(|operation| Call {
        req,
        operation,
        params: &path_params,
        prefs,
        head,
    });
    // Validation, when it is on (a collection is not a contract: off unless asked for).
    let mut warned: Option<(Vec<Violation>, usize)> = None;
    if let Some(call) = &call {
        match check::judge(mock, call) {
            None => {}
            Some(j) if mock.options.validate == ValidateMode::Warn => {
                warned = Some((j.violations, j.total));
            }
            Some(j) => {
                let mut answer = check::reject(
                    mock,
                    call.operation,
                    j,
                    prefs.example.as_deref(),
                    req.accept(),
                    head,
                );
                answer.operation = Some(call.operation);
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
        query: req.query(),
        headers: req.headers,
        body: req.body,
    };
    let mut answer = match mock.saved.select(&incoming, selectors) {
        Some(m) => render_saved(mock, m, method, req, &path_params, prefs, head),
        None => match &call {
            Some(call) if !mock.op_has_saved[call.operation] => {
                choose::choose_and_render(mock, call)
            }
            _ => no_saved_example(mock, method, req.path),
        },
    };
    if let Some((violations, total)) = warned {
        push_violations_header(&mut answer, &violations, total);
        answer.violations = violations;
        answer.violations_total = total;
    }
    answer.delay = chaos::delay(mock, operation, prefs);
    answer.fault = prefs.fault;
    answer.operation = operation;
    answer
}

/// A saved example's response, its templates filled from the request.
fn render_saved(
    mock: &Mock,
    m: saved_examples::Match,
    method: &str,
    req: &Request,
    path_params: &[(String, String)],
    prefs: &Preferences,
    head: bool,
) -> Answer {
    let saved = &mock.saved_answers[m.index];
    let body = match &saved.template {
        None => saved.body.clone(),
        Some(t) => {
            let ctx = template::Context {
                method,
                path: req.path,
                path_params,
                query: req.query(),
                headers: req.headers,
                body: req.json().as_ref().ok(),
                response: None,
            };
            let now_ms = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis() as i64)
                .unwrap_or_default();
            let draw = template::Draw {
                seed: prefs.seed.unwrap_or_else(|| mock.next_seed()),
                now_ms,
                locale: mock.options.locale,
            };
            Bytes::from(t.render_text(&ctx, draw))
        }
    };
    let mut headers = saved.headers.clone();
    if let Ok(v) = HeaderValue::from_str(&printable_header(&m.reason)) {
        headers.push((match_header(), v));
    }
    Answer {
        status: saved.status,
        headers,
        body: if head { Bytes::new() } else { body },
        ..Answer::empty(saved.status)
    }
}

/// No saved example fits: Postman's 404, naming the examples the request came closest to.
fn no_saved_example(mock: &Mock, method: &str, path: &str) -> Answer {
    let nearest = mock.saved.nearest(method, path, 3);
    let detail = match nearest.first() {
        Some(first) => {
            format!("no saved example matches {method} {path}; the closest is {first}")
        }
        None => format!("no saved example matches {method} {path}"),
    };
    Answer::problem(&Problem::new(404, "Not Found", detail).with("nearest", Value::from(nearest)))
}

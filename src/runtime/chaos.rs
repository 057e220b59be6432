//! What the mock simulates besides answers: latency (`Prefer: delay`, `x-stubborn-delay`,
//! `--delay`) and server errors (`--chaos`, `Prefer: code=5xx` the document does not have).

use super::answer::{match_header, Answer};
use super::{render, Choice};
use crate::compile::Mock;
use crate::model::Operation;
use crate::respond::problem::Problem;
use http::header::HeaderValue;

/// How long to wait before answering: `Prefer: delay`, else the operation's
/// `x-stubborn-delay`, else `--delay`. Each was checked against `--max-delay` before it got
/// here (at load, on the command line, or in the prefer step); the cap is applied again all the
/// same.
pub(super) fn delay(
    mock: &Mock,
    operation: Option<usize>,
    prefs: &crate::respond::choose::Preferences,
) -> Option<std::time::Duration> {
    let (lo, hi) = match prefs.delay_ms {
        Some(ms) => (ms, ms),
        None => operation
            .and_then(|op| mock.compiled(op).delay)
            .or(mock.options.delay)?,
    };
    let max = mock.options.max_delay_ms;
    let (lo, hi) = (lo.min(max), hi.min(max));
    let ms = match (hi - lo).checked_add(1) {
        Some(span) if hi > lo => lo + mock.next_seed() % span,
        _ => lo,
    };
    (ms > 0).then(|| std::time::Duration::from_millis(ms))
}

/// `--chaos`: with the configured probability, a server error instead of the answer: the
/// operation's own documented 5xx when it has one.
pub(super) fn chaos(mock: &Mock, operation: usize) -> Option<Answer> {
    if mock.options.chaos <= 0.0 {
        return None;
    }
    let roll = (mock.next_seed() >> 11) as f64 / (1u64 << 53) as f64;
    if roll >= mock.options.chaos {
        return None;
    }
    let op = &mock.api.operations[operation];
    let documented = op.responses.iter().find_map(|r| match r.status {
        crate::model::StatusKey::Code(c) if c >= 500 => Some(c),
        crate::model::StatusKey::Range(5) => Some(500),
        _ => None,
    });
    Some(match documented {
        Some(code) => {
            let choice = Choice {
                status: Some(code),
                ..Choice::default()
            };
            let mut a = render::render(mock, operation, &choice, None, false, None);
            a.headers
                .push((match_header(), HeaderValue::from_static("chaos")));
            a
        }
        None => {
            let code = if roll < mock.options.chaos / 2.0 {
                500
            } else {
                503
            };
            server_error(op, code, "simulated by --chaos")
        }
    })
}

/// A simulated server error the operation does not document.
pub(super) fn server_error(op: &Operation, code: u16, why: &str) -> Answer {
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
    a.headers.push((
        match_header(),
        HeaderValue::from_static("simulated server error"),
    ));
    a
}

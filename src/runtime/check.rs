//! The check step: the request against its operation's contract (see [`crate::validate`]),
//! and the answer to a request that breaks it.

use super::answer::{push_violations_header, Answer};
use super::{choose, render, Call, Choice};
use crate::compile::{Mock, ValidateMode};
use crate::respond::{self, problem::Problem};
use crate::validate::{self, Outcome, RequestParts, Violation};
use bytes::Bytes;
use http::header::HeaderValue;
use serde_json::Value;

/// A request judged to break its operation's contract.
pub(super) struct Judged {
    status: u16,
    title: &'static str,
    pub violations: Vec<Violation>,
    /// How many violations there were in all (`violations` holds at most 100).
    pub total: usize,
    /// `WWW-Authenticate`, for a 401.
    challenge: Option<String>,
}

/// How the request breaks its operation's contract, if it does and validation is on.
/// Security is checked for a contract, and for other documents (a collection) only with
/// `--enforce-auth`.
pub(super) fn judge(mock: &Mock, call: &Call) -> Option<Judged> {
    if mock.options.validate == ValidateMode::Off {
        return None;
    }
    let req = call.req;
    let json = || req.json();
    let lean = || req.lean();
    let parts = RequestParts {
        path_params: call.params,
        query: req.query(),
        headers: req.headers,
        body: req.body,
        json: &json,
        lean: &lean,
    };
    let check_security = mock.api.contract || mock.options.enforce_auth;
    let outcome = validate::validate(
        &mock.api.schemas,
        &mock.api.security_schemes,
        check_security,
        &mock.api.operations[call.operation],
        mock.api.querystring(call.operation),
        mock.validator(call.operation),
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

/// A request judged bad: with `--validate=warn`, answered as usual with its violations
/// listed (in a header, and for the server's log line); otherwise rejected.
pub(super) fn answer_judged(mock: &Mock, call: &Call, judged: Judged) -> Answer {
    if mock.options.validate == ValidateMode::Warn {
        let mut answer = choose::choose_and_render(mock, call);
        push_violations_header(&mut answer, &judged.violations, judged.total);
        answer.violations = judged.violations;
        answer.violations_total = judged.total;
        return answer;
    }
    reject(
        mock,
        call.operation,
        judged,
        call.prefs.example.as_deref(),
        call.req.accept(),
        call.head,
    )
}

/// The answer to a request that breaks the contract: the response the operation documents
/// for it when there is one (the mock behaves like the API), else problem+json listing every
/// violation; a 401 carries its `WWW-Authenticate` challenge.
///
/// `example` (`Prefer: example=`) picks the documented error response's example by name, when
/// that response has one of that name.
pub(super) fn reject(
    mock: &Mock,
    operation: usize,
    judged: Judged,
    example: Option<&str>,
    accept: Option<&str>,
    head: bool,
) -> Answer {
    let challenge = judged
        .challenge
        .as_deref()
        .and_then(|c| HeaderValue::from_str(c).ok());
    let mut answer = rejection(mock, operation, judged, example, accept, head);
    if let Some(challenge) = challenge {
        answer
            .headers
            .push((http::header::WWW_AUTHENTICATE, challenge));
    }
    answer
}

fn rejection(
    mock: &Mock,
    operation: usize,
    judged: Judged,
    example: Option<&str>,
    accept: Option<&str>,
    head: bool,
) -> Answer {
    let Judged {
        status,
        title,
        violations,
        total,
        ..
    } = judged;
    let op = &mock.api.operations[operation];
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
                    .any(|m| crate::compile::has_example(m, name))
            })
        });
        let mut answer = render::render(
            mock,
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
            push_violations_header(&mut answer, &violations, total);
            answer.violations = violations;
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
    answer.violations = violations;
    answer.violations_total = total;
    answer
}

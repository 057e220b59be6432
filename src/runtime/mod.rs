//! Runtime: one request through the pipeline, against the immutable [`Mock`] that
//! [`crate::compile`] built at load.
//!
//! ```text
//!   Request ──► prefer ──► route ──► check ──► choose ──► render ──► Answer
//!   (parsed       │          │         │         │          │
//!    once)     Prefer,    router    validate  scenarios,  examples, generated
//!              __code…               + reject  chaos,      bodies, templates,
//!                                              default     negotiation, streams
//! ```
//!
//! Each step is a function of what the steps before it produced; none calls back into an
//! earlier one. The request is a [`Request`] view: its body is parsed at most once, when a step
//! first asks for it, and every later step reads that value. A collection's saved examples
//! take the [`saved`] path after routing (Postman's matching in place of choose). The server
//! adds what is about HTTP (CORS, the private key, the call log, delays and faults on the wire).

mod answer;
mod callbacks;
mod chaos;
mod check;
mod choose;
mod render;
mod request;
mod saved;
pub mod state;

pub use answer::{Answer, MATCH_HEADER, VIOLATIONS_HEADER};
pub use choose::Choice;
pub use request::Request;

use crate::compile::Mock;
use crate::model::Method;
use crate::respond::choose::Preferences;
use crate::respond::problem::Problem;
use crate::route::Routed;
use serde_json::Value;

/// A request routed to an operation: what the steps after routing read.
pub struct Call<'r, 'a> {
    pub req: &'r Request<'a>,
    pub operation: usize,
    /// Percent-decoded path parameters, by name, from the router.
    pub params: &'r [(String, String)],
    pub prefs: &'r Preferences,
    /// A HEAD request: everything but the body.
    pub head: bool,
}

/// The whole per-request pipeline: prefer, route, check, choose, render.
pub fn handle(mock: &Mock, req: &Request) -> Answer {
    // Prism's `__code`/`__example`/`__dynamic` are not the API's: the steps after this one
    // see the query without them.
    let (query, prefs) = match prefer(mock, req) {
        Ok(p) => p,
        Err(e) => return Answer::problem(&Problem::new(400, "Bad Preference", e)),
    };
    let stripped;
    let req = match query {
        Some(rest) => {
            stripped = req.with_query(rest);
            &stripped
        }
        None => req,
    };
    let routed = mock.router.route(req.method, req.path);
    if !mock.saved.is_empty() {
        return saved::answer(mock, req.method.as_str(), req, routed, &prefs);
    }
    let (operation, params) = match routed {
        Routed::Found { operation, params } => (operation, params),
        Routed::MethodNotAllowed { allow } => {
            return answer::method_not_allowed(req.method, req.path, &allow)
        }
        Routed::NotFound => return not_found(mock, req.method, req.path),
    };
    let call = Call {
        req,
        operation,
        params: &params,
        prefs: &prefs,
        head: req.method == Method::Head,
    };
    let mut answer = match check::judge(mock, &call) {
        None => choose::choose_and_render(mock, &call),
        Some(judged) => check::answer_judged(mock, &call, judged),
    };
    answer.delay = chaos::delay(mock, Some(operation), &prefs);
    answer.fault = prefs.fault;
    answer.operation = Some(operation);
    answer.callbacks = callbacks::prepare(mock, &call, &answer);
    answer
}

/// What a contract proxy needs of the pipeline before it forwards a request: the route, and
/// the check step's verdict. Nothing is chosen or rendered unless the request breaks the
/// contract.
pub enum Inbound {
    /// No operation matches: the answer the mock would give (a 404 naming the nearest route,
    /// or a 405 with the methods the path takes).
    Unrouted(Answer),
    /// Routed to `operation`; `rejection` is the mock's answer to a request that breaks the
    /// contract (the documented 4xx, else problem+json), with the violations in it.
    Routed {
        operation: usize,
        rejection: Option<Answer>,
    },
}

/// The proxy's way in: route, then check, as [`handle`] does. Preferences (`Prefer`,
/// `__code`) are the upstream's business here and are not read.
pub fn inbound(mock: &Mock, req: &Request) -> Inbound {
    let (operation, params) = match mock.router.route(req.method, req.path) {
        Routed::Found { operation, params } => (operation, params),
        Routed::MethodNotAllowed { allow } => {
            return Inbound::Unrouted(answer::method_not_allowed(req.method, req.path, &allow))
        }
        Routed::NotFound => return Inbound::Unrouted(not_found(mock, req.method, req.path)),
    };
    let prefs = Preferences::default();
    let call = Call {
        req,
        operation,
        params: &params,
        prefs: &prefs,
        head: req.method == Method::Head,
    };
    let rejection = check::judge(mock, &call).map(|judged| {
        let mut answer = check::reject(mock, operation, judged, None, req.accept(), call.head);
        answer.operation = Some(operation);
        answer
    });
    Inbound::Routed {
        operation,
        rejection,
    }
}

/// The callbacks step for an answer made outside [`handle`] (the stateful store's, which
/// answers a resource's operations): the callbacks of the operation that answered, filled in
/// from this exchange. Routes again for the path parameters, only when that operation has
/// callbacks.
pub fn callbacks_after(
    mock: &Mock,
    req: &Request,
    answer: &Answer,
) -> Vec<crate::callback::Outbound> {
    let Some(operation) = answer.operation else {
        return Vec::new();
    };
    if mock.callbacks_of(operation).is_empty() {
        return Vec::new();
    }
    let Routed::Found { params, .. } = mock.router.route(req.method, req.path) else {
        return Vec::new();
    };
    let prefs = Preferences::default();
    let call = Call {
        req,
        operation,
        params: &params,
        prefs: &prefs,
        head: req.method == Method::Head,
    };
    callbacks::prepare(mock, &call, answer)
}

/// What the contract says of a request that something else answers (a runtime stub): the
/// operation it routes to, and how it breaks that operation's contract (nothing when
/// validation is off). Nothing is chosen or rendered.
pub fn contract_of(mock: &Mock, req: &Request) -> Verdict {
    let (query, prefs) = prefer(mock, req).unwrap_or_default();
    let stripped;
    let req = match query {
        Some(rest) => {
            stripped = req.with_query(rest);
            &stripped
        }
        None => req,
    };
    let Routed::Found { operation, params } = mock.router.route(req.method, req.path) else {
        return Verdict::default();
    };
    let call = Call {
        req,
        operation,
        params: &params,
        prefs: &prefs,
        head: req.method == Method::Head,
    };
    let (violations, total) = match check::judge(mock, &call) {
        Some(judged) => (judged.violations, judged.total),
        None => (Vec::new(), 0),
    };
    Verdict {
        operation: Some(operation),
        violations,
        total,
    }
}

/// [`contract_of`]'s answer.
#[derive(Debug, Default)]
pub struct Verdict {
    /// The operation the request routes to, if any.
    pub operation: Option<usize>,
    /// How it breaks that operation's contract (at most [`crate::validate::MAX_VIOLATIONS`]).
    pub violations: Vec<crate::validate::Violation>,
    /// How many violations there were in all.
    pub total: usize,
}

/// A request with a method no OpenAPI document can describe (`PURGE`, Postman's custom
/// methods): only saved examples can answer it. `req.method` is not read.
pub fn handle_other_method(mock: &Mock, method: &str, req: &Request) -> Answer {
    if mock.saved.is_empty() {
        return Answer::problem(&Problem::new(
            405,
            "Method Not Allowed",
            format!("{method} is not an HTTP method an OpenAPI document can describe"),
        ));
    }
    let (query, prefs) = match prefer(mock, req) {
        Ok(p) => p,
        Err(e) => return Answer::problem(&Problem::new(400, "Bad Preference", e)),
    };
    let stripped;
    let req = match query {
        Some(rest) => {
            stripped = req.with_query(rest);
            &stripped
        }
        None => req,
    };
    saved::answer(mock, method, req, Routed::NotFound, &prefs)
}

/// The prefer step: what the request asks for explicitly (`Prefer`, `x-mock-response-*`, and
/// Prism's `__code`, `__example`, `__dynamic` query parameters, which win), and the query
/// without those parameters when it had any; a malformed preference is a 400.
fn prefer(mock: &Mock, req: &Request) -> Result<(Option<String>, Preferences), String> {
    use crate::respond::choose as scenarios;
    let mut prefs = scenarios::preferences(req.headers)?;
    let query = match scenarios::query_overrides(req.query())? {
        Some((rest, over)) => {
            prefs.code = over.code.or(prefs.code);
            prefs.example = over.example.or(prefs.example);
            prefs.dynamic = over.dynamic.or(prefs.dynamic);
            Some(rest)
        }
        None => None,
    };
    if let Some(ms) = prefs.delay_ms {
        crate::compile::check_delay(ms, ms, mock.options.max_delay_ms)
            .map_err(|e| format!("Prefer: delay={ms}: {e}"))?;
    }
    Ok((query, prefs))
}

/// No route: a 404 naming the nearest one.
fn not_found(mock: &Mock, method: Method, path: &str) -> Answer {
    let nearest = mock.router.nearest(path);
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

impl Mock {
    /// One request through the pipeline ([`handle`]).
    pub fn handle(&self, req: &Request) -> Answer {
        handle(self, req)
    }

    /// Routes, chooses and renders a request with no headers but `Accept` and no body (for
    /// tools and tests that only read).
    pub fn answer(&self, method: Method, path: &str, accept: Option<&str>) -> Answer {
        let mut headers = http::HeaderMap::new();
        if let Some(v) = accept.and_then(|a| http::HeaderValue::from_str(a).ok()) {
            headers.insert(http::header::ACCEPT, v);
        }
        let (path, query) = match path.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (path, None),
        };
        handle(self, &Request::new(method, path, query, &headers, &[]))
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
        render::render(
            self,
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
}

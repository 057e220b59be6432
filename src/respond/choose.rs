//! Choose: which documented answer a request gets. Explicit wishes first (`Prefer`, Postman's
//! `x-mock-response-*` headers), then scenarios scored by how closely the request matches
//! them, then the operation's default.
//!
//! A scenario is a name shared by the request side and the response side of one operation
//! (Microcks' convention, native OpenAPI): parameter or request-body examples named `cat` and a
//! response example named `cat`. `x-stubborn-scenarios` adds what OpenAPI cannot say, with hard
//! conditions. Scoring is a distance, not a yes/no, so the closest scenario wins even when none
//! matches exactly.

use crate::model::{Operation, ParamIn};
use http::{HeaderMap, HeaderName};
use serde_json::Value;

/// A connection fault to simulate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Close the connection without answering.
    Reset,
    /// Announce a body and send only part of it.
    Truncate,
}

/// What a request asks for explicitly.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Preferences {
    pub code: Option<u16>,
    pub example: Option<String>,
    pub dynamic: Option<bool>,
    pub seed: Option<u64>,
    pub delay_ms: Option<u64>,
    pub fault: Option<Fault>,
    /// Postman's `x-mock-response-id`: a saved example's id (or `<user>-<id>` uid).
    pub example_id: Option<String>,
}

impl Preferences {
    pub fn is_empty(&self) -> bool {
        *self == Preferences::default()
    }
}

/// Reads `Prefer` (`code=404, example=cat, dynamic=true, seed=7, delay=200, fault=reset`) and
/// Postman's `x-mock-response-code` / `-name` / `-id`. Unknown preferences are ignored,
/// as RFC 7240 asks; malformed values of known ones are errors.
pub fn preferences(headers: &HeaderMap) -> Result<Preferences, String> {
    // Names made once: a comparison with a `&str` would check the name's case each time.
    static PREFER: HeaderName = HeaderName::from_static("prefer");
    static CODE: HeaderName = HeaderName::from_static("x-mock-response-code");
    static NAME: HeaderName = HeaderName::from_static("x-mock-response-name");
    static ID: HeaderName = HeaderName::from_static("x-mock-response-id");
    let mut p = Preferences::default();
    // One pass over the headers (a request has a handful) rather than four lookups by name,
    // each of which hashes it: most requests carry none of these.
    let (mut code, mut name, mut id) = (None, None, None);
    for (header, value) in headers {
        if header == CODE {
            code = code.or(Some(value));
            continue;
        } else if header == NAME {
            name = name.or(Some(value));
            continue;
        } else if header == ID {
            id = id.or(Some(value));
            continue;
        } else if header != PREFER {
            continue;
        }
        let Ok(text) = value.to_str() else { continue };
        for item in text.split([',', ';']) {
            let Some((k, v)) = item.split_once('=') else {
                continue;
            };
            let k = k.trim().to_ascii_lowercase();
            let v = v.trim().trim_matches('"');
            match k.as_str() {
                "code" => p.code = Some(parse_code(v)?),
                "example" => p.example = Some(v.to_string()),
                "dynamic" => {
                    p.dynamic = Some(match v {
                        "true" => true,
                        "false" => false,
                        _ => {
                            return Err(format!(
                                "Prefer: dynamic must be true or false, got \"{v}\""
                            ))
                        }
                    })
                }
                "seed" => {
                    p.seed =
                        Some(v.parse().map_err(|_| {
                            format!("Prefer: seed must be a whole number, got \"{v}\"")
                        })?)
                }
                "delay" => {
                    p.delay_ms =
                        Some(v.parse().map_err(|_| {
                            format!("Prefer: delay must be milliseconds, got \"{v}\"")
                        })?)
                }
                "fault" => {
                    p.fault = Some(match v {
                        "reset" => Fault::Reset,
                        "truncate" => Fault::Truncate,
                        _ => {
                            return Err(format!(
                                "Prefer: fault must be reset or truncate, got \"{v}\""
                            ))
                        }
                    })
                }
                _ => {}
            }
        }
    }
    if let Some(v) = code.and_then(|v| v.to_str().ok()) {
        p.code = Some(parse_code(v.trim())?);
    }
    if let Some(v) = name.and_then(|v| v.to_str().ok()) {
        p.example = Some(v.trim().to_string());
    }
    if let Some(v) = id.and_then(|v| v.to_str().ok()) {
        p.example_id = Some(v.trim().to_string());
    }
    Ok(p)
}

/// Prism's query overrides, `__code`, `__example` and `__dynamic`: `None` when the query has
/// none (checked without allocating); else the query without them (raw, as sent) and what
/// they ask for. Malformed values are errors, as in `Prefer`.
pub fn query_overrides(query: Option<&str>) -> Result<Option<(String, Preferences)>, String> {
    let Some(query) = query.filter(|q| q.contains("__")) else {
        return Ok(None);
    };
    let mut prefs = Preferences::default();
    let mut rest: Vec<&str> = Vec::new();
    let mut found = false;
    for pair in query.split('&') {
        let (raw_key, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
        let decode = |s: &str| -> String {
            form_urlencoded::parse(format!("x={s}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        };
        let key = decode(raw_key);
        let value = decode(raw_value);
        match key.as_str() {
            "__code" => prefs.code = Some(parse_code(value.trim())?),
            "__example" => prefs.example = Some(value),
            "__dynamic" => {
                prefs.dynamic = Some(match value.as_str() {
                    "true" | "" => true,
                    "false" => false,
                    _ => return Err(format!("__dynamic must be true or false, got \"{value}\"")),
                })
            }
            _ => {
                rest.push(pair);
                continue;
            }
        }
        found = true;
    }
    Ok(found.then(|| (rest.join("&"), prefs)))
}

fn parse_code(v: &str) -> Result<u16, String> {
    match v.parse::<u16>() {
        Ok(c) if (100..=599).contains(&c) => Ok(c),
        _ => Err(format!(
            "a response code must be a number from 100 to 599, got \"{v}\""
        )),
    }
}

/// Where a condition looks in the request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    Path(String),
    Query(String),
    /// Lower-cased.
    Header(String),
    Cookie(String),
    /// A JSON pointer into the body (`""` for the whole body).
    Body(String),
}

impl Source {
    pub fn describe(&self) -> String {
        match self {
            Source::Path(n) => format!("path.{n}"),
            Source::Query(n) => format!("query.{n}"),
            Source::Header(n) => format!("header.{n}"),
            Source::Cookie(n) => format!("cookie.{n}"),
            Source::Body(p) => format!("body{p}"),
        }
    }
}

#[derive(Clone, Debug)]
pub enum Expect {
    Equals(Value),
    Regex(regex::Regex),
}

#[derive(Clone, Debug)]
pub struct Condition {
    pub source: Source,
    pub expect: Expect,
    /// From `x-stubborn-scenarios`: must match, or the scenario is out.
    pub required: bool,
}

/// What a scenario answers with.
#[derive(Clone, Debug)]
pub enum Target {
    /// A named example of a documented response (index into `Operation::responses`).
    Example { response: usize, example: String },
    /// An `x-stubborn-scenarios` response: a status, and a named example or an inline body.
    Custom {
        status: u16,
        example: Option<String>,
        body: Option<Value>,
        headers: Vec<(String, String)>,
    },
}

#[derive(Clone, Debug)]
pub struct Scenario {
    pub name: String,
    pub conditions: Vec<Condition>,
    pub target: Target,
}

/// The request values conditions are compared with.
pub struct RequestView<'a> {
    pub path_params: &'a [(String, String)],
    /// Decoded query pairs.
    pub query: &'a [(String, String)],
    pub headers: &'a HeaderMap,
    /// The body, when it is JSON (or a form, as an object).
    pub body: Option<&'a Value>,
    /// Postman's `x-mock-match-request-body: true`: body conditions must hold.
    pub strict_body: bool,
    /// Postman's `x-mock-match-request-headers`: header conditions that must hold (lower-case
    /// names; `*` for all).
    pub strict_headers: Vec<String>,
}

impl<'a> RequestView<'a> {
    /// A view with the strictness the request asks for in Postman's headers.
    pub fn new(
        path_params: &'a [(String, String)],
        query: &'a [(String, String)],
        headers: &'a HeaderMap,
        body: Option<&'a Value>,
    ) -> RequestView<'a> {
        let flag = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
        };
        let strict_body =
            flag("x-mock-match-request-body").is_some_and(|v| v.eq_ignore_ascii_case("true"));
        let strict_headers = match flag("x-mock-match-request-headers") {
            None => Vec::new(),
            Some(v) if v.eq_ignore_ascii_case("true") || v == "*" => vec!["*".to_string()],
            Some(v) => v
                .split(',')
                .map(|h| h.trim().to_ascii_lowercase())
                .filter(|h| !h.is_empty())
                .collect(),
        };
        RequestView {
            path_params,
            query,
            headers,
            body,
            strict_body,
            strict_headers,
        }
    }

    fn strict(&self, source: &Source) -> bool {
        match source {
            Source::Body(_) => self.strict_body,
            Source::Header(n) => self.strict_headers.iter().any(|h| h == "*" || h == n),
            _ => false,
        }
    }
}

impl RequestView<'_> {
    fn lookup(&self, source: &Source) -> Option<Value> {
        match source {
            Source::Path(n) => self
                .path_params
                .iter()
                .find(|(k, _)| k == n)
                .map(|(_, v)| Value::String(v.clone())),
            Source::Query(n) => {
                let all: Vec<&str> = self
                    .query
                    .iter()
                    .filter(|(k, _)| k == n)
                    .map(|(_, v)| v.as_str())
                    .collect();
                match all.len() {
                    0 => None,
                    1 => Some(Value::String(all[0].to_string())),
                    _ => Some(Value::Array(
                        all.into_iter().map(|s| Value::String(s.into())).collect(),
                    )),
                }
            }
            Source::Header(n) => self
                .headers
                .get(n.as_str())
                .and_then(|v| v.to_str().ok())
                .map(|v| Value::String(v.to_string())),
            Source::Cookie(n) => crate::cookies::get(self.headers, n).map(Value::String),
            Source::Body(p) => self.body.and_then(|b| b.pointer(p)).cloned(),
        }
    }
}

/// How well one request value agrees with an expected one: 2 exact, 1 case-insensitive or by
/// text (`7` and `"7"`), -1 different.
fn agreement(expected: &Value, actual: &Value) -> i32 {
    if expected == actual {
        return 2;
    }
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let (e, a) = (text(expected), text(actual));
    if e == a {
        2
    } else if e.eq_ignore_ascii_case(&a) {
        1
    } else {
        -1
    }
}

/// The score of one scenario for a request, and the conditions that agreed; `None` when a
/// required condition fails.
pub fn score(s: &Scenario, req: &RequestView) -> Option<(i32, Vec<String>)> {
    let mut total = 0;
    let mut matched = Vec::new();
    for c in &s.conditions {
        let actual = req.lookup(&c.source);
        let points = match (&c.expect, &actual) {
            (_, None) => 0,
            (Expect::Equals(e), Some(a)) => agreement(e, a),
            (Expect::Regex(r), Some(a)) => {
                let text = match a {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                if r.is_match(&text) {
                    2
                } else {
                    -1
                }
            }
        };
        if (c.required || req.strict(&c.source)) && points <= 0 {
            return None;
        }
        if points > 0 {
            matched.push(c.source.describe());
        }
        total += points;
    }
    Some((total, matched))
}

/// The best-scoring scenario (ties: document order), if any shares something with the request.
pub fn best(scenarios: &[Scenario], req: &RequestView) -> Option<(usize, i32, Vec<String>)> {
    let mut best: Option<(usize, i32, Vec<String>)> = None;
    for (i, s) in scenarios.iter().enumerate() {
        let Some((points, matched)) = score(s, req) else {
            continue;
        };
        if matched.is_empty() || points <= 0 {
            continue;
        }
        if best.as_ref().is_none_or(|(_, b, _)| points > *b) {
            best = Some((i, points, matched));
        }
    }
    best
}

/// The name of the example a Postman id names, from the operation's `x-stubborn-postman`
/// (`{examples: {NAME: ID}}`). A uid (`<user>-<id>`) matches by its id part too.
pub fn example_for_postman_id(op: &Operation, id: &str) -> Option<String> {
    let examples = op
        .extensions
        .get("x-stubborn-postman")?
        .get("examples")?
        .as_object()?;
    examples
        .iter()
        .find(|(_, v)| {
            v.as_str().is_some_and(|known| {
                known == id || id.split_once('-').is_some_and(|(_, tail)| tail == known)
            })
        })
        .map(|(name, _)| name.clone())
}

/// Builds the scenarios of an operation: OpenAPI example names shared by the request and the
/// response side, then `x-stubborn-scenarios`. Problems are returned for `stubborn check`.
pub fn scenarios_of(op: &Operation) -> (Vec<Scenario>, Vec<String>) {
    let mut out: Vec<Scenario> = Vec::new();
    let mut problems = Vec::new();
    // Response examples by name, in document order: (name, response index).
    let mut response_names: Vec<(String, usize)> = Vec::new();
    for (ri, r) in op.responses.iter().enumerate() {
        for m in &r.content {
            for ex in &m.examples {
                if let Some(n) = &ex.name {
                    if !response_names.iter().any(|(x, _)| x == n) {
                        response_names.push((n.clone(), ri));
                    }
                }
            }
        }
    }
    for (name, response) in &response_names {
        let mut conditions = Vec::new();
        for p in &op.parameters {
            for ex in p
                .examples
                .iter()
                .filter(|e| e.name.as_deref() == Some(name))
            {
                let source = match p.location {
                    ParamIn::Path => Source::Path(p.name.clone()),
                    ParamIn::Query => Source::Query(p.name.clone()),
                    ParamIn::Header => Source::Header(p.name.to_ascii_lowercase()),
                    ParamIn::Cookie => Source::Cookie(p.name.clone()),
                };
                conditions.push(Condition {
                    source,
                    expect: Expect::Equals(ex.value.clone()),
                    required: false,
                });
            }
        }
        if let Some(rb) = &op.request_body {
            for m in &rb.content {
                for ex in m
                    .examples
                    .iter()
                    .filter(|e| e.name.as_deref() == Some(name))
                {
                    flatten_body(&ex.value, String::new(), 0, &mut conditions);
                }
            }
        }
        if conditions.is_empty() {
            continue;
        }
        out.push(Scenario {
            name: name.clone(),
            conditions,
            target: Target::Example {
                response: *response,
                example: name.clone(),
            },
        });
    }
    if let Some(v) = op.extensions.get("x-stubborn-scenarios") {
        match v.as_array() {
            Some(list) => {
                for (i, entry) in list.iter().enumerate() {
                    match custom_scenario(op, entry) {
                        Ok(s) => out.push(s),
                        Err(e) => {
                            problems.push(format!("{}: x-stubborn-scenarios/{i}: {e}", op.origin))
                        }
                    }
                }
            }
            None => problems.push(format!(
                "{}: x-stubborn-scenarios must be a list",
                op.origin
            )),
        }
    }
    (out, problems)
}

/// Body examples become one condition per leaf (objects flattened to JSON pointers, a few
/// levels deep; arrays and deeper objects compared whole).
fn flatten_body(v: &Value, pointer: String, depth: usize, out: &mut Vec<Condition>) {
    match v {
        Value::Object(m) if depth < 4 && !m.is_empty() => {
            for (k, x) in m {
                flatten_body(
                    x,
                    format!("{pointer}/{}", crate::schema::escape_pointer_token(k)),
                    depth + 1,
                    out,
                );
            }
        }
        other => out.push(Condition {
            source: Source::Body(pointer),
            expect: Expect::Equals(other.clone()),
            required: false,
        }),
    }
}

fn custom_scenario(op: &Operation, entry: &Value) -> Result<Scenario, String> {
    let name = entry
        .get("name")
        .and_then(Value::as_str)
        .ok_or("each scenario needs a string `name`")?
        .to_string();
    let mut conditions = Vec::new();
    if let Some(when) = entry.get("when") {
        let when = when.as_object().ok_or("`when` must be an object")?;
        for (kind, values) in when {
            let values = values
                .as_object()
                .ok_or_else(|| format!("`when.{kind}` must map names to values"))?;
            for (key, expected) in values {
                let source = match kind.as_str() {
                    "path" => Source::Path(key.clone()),
                    "query" => Source::Query(key.clone()),
                    "header" => Source::Header(key.to_ascii_lowercase()),
                    "cookie" => Source::Cookie(key.clone()),
                    "body" => {
                        if !(key.is_empty() || key.starts_with('/')) {
                            return Err(format!(
                                "`when.body` keys are JSON pointers like /name, got \"{key}\""
                            ));
                        }
                        Source::Body(key.clone())
                    }
                    other => {
                        return Err(format!(
                            "unknown `when` source \"{other}\" (path, query, header, cookie, body)"
                        ))
                    }
                };
                let expect = match expected.get("regex").and_then(Value::as_str) {
                    Some(r) if expected.as_object().is_some_and(|o| o.len() == 1) => Expect::Regex(
                        regex::Regex::new(r)
                            .map_err(|e| format!("bad regex for {kind}.{key}: {e}"))?,
                    ),
                    _ => Expect::Equals(expected.clone()),
                };
                conditions.push(Condition {
                    source,
                    expect,
                    required: true,
                });
            }
        }
    }
    let response = entry
        .get("response")
        .ok_or("each scenario needs a `response`")?;
    let status = match response.get("status") {
        None => 200,
        Some(s) => s
            .as_u64()
            .or_else(|| s.as_str().and_then(|t| t.parse().ok()))
            .filter(|c| (100..=599).contains(c))
            .ok_or("`response.status` must be a status code")? as u16,
    };
    let example = response
        .get("example")
        .and_then(Value::as_str)
        .map(str::to_string);
    if let Some(ex) = &example {
        let known = op
            .responses
            .iter()
            .flat_map(|r| r.content.iter())
            .flat_map(|m| m.examples.iter())
            .any(|e| e.name.as_deref() == Some(ex.as_str()));
        if !known {
            return Err(format!(
                "`response.example` names \"{ex}\", which the operation does not document"
            ));
        }
    }
    let headers = match response.get("headers") {
        None => Vec::new(),
        Some(Value::Object(h)) => h
            .iter()
            .map(|(k, v)| (k.clone(), crate::respond::header_text(v)))
            .collect(),
        Some(_) => return Err("`response.headers` must be an object".into()),
    };
    Ok(Scenario {
        name,
        conditions,
        target: Target::Custom {
            status,
            example,
            body: response.get("body").cloned(),
            headers,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                http::header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        h
    }

    #[test]
    fn prism_query_overrides() {
        assert_eq!(query_overrides(Some("a=1&b=2")), Ok(None));
        assert_eq!(query_overrides(None), Ok(None));
        let (rest, p) = query_overrides(Some("limit=5&__code=404&__example=lost%20cat&x__y=1"))
            .unwrap()
            .unwrap();
        assert_eq!(rest, "limit=5&x__y=1");
        assert_eq!(p.code, Some(404));
        assert_eq!(p.example.as_deref(), Some("lost cat"));
        let (rest, p) = query_overrides(Some("__dynamic=true")).unwrap().unwrap();
        assert_eq!((rest.as_str(), p.dynamic), ("", Some(true)));
        assert!(query_overrides(Some("__code=abc")).is_err());
        assert!(query_overrides(Some("__dynamic=maybe")).is_err());
    }

    #[test]
    fn prefer_and_postman_headers() {
        let p = preferences(&headers(&[(
            "prefer",
            "code=404, example=lost; dynamic=true, seed=7, delay=20, fault=reset",
        )]))
        .unwrap();
        assert_eq!(p.code, Some(404));
        assert_eq!(p.example.as_deref(), Some("lost"));
        assert_eq!(p.dynamic, Some(true));
        assert_eq!(p.seed, Some(7));
        assert_eq!(p.delay_ms, Some(20));
        assert_eq!(p.fault, Some(Fault::Reset));
        let p = preferences(&headers(&[
            ("x-mock-response-code", "201"),
            ("x-mock-response-name", "cat"),
        ]))
        .unwrap();
        assert_eq!((p.code, p.example.as_deref()), (Some(201), Some("cat")));
        assert!(preferences(&headers(&[("prefer", "code=abc")])).is_err());
        assert!(
            preferences(&headers(&[("prefer", "respond-async, wait=5")]))
                .unwrap()
                .is_empty()
        );
    }

    fn scenario(name: &str, conds: Vec<(Source, Value, bool)>) -> Scenario {
        Scenario {
            name: name.into(),
            conditions: conds
                .into_iter()
                .map(|(source, v, required)| Condition {
                    source,
                    expect: Expect::Equals(v),
                    required,
                })
                .collect(),
            target: Target::Example {
                response: 0,
                example: name.into(),
            },
        }
    }

    #[test]
    fn closest_scenario_wins_and_ties_go_to_the_first() {
        let scenarios = vec![
            scenario(
                "cat",
                vec![
                    (Source::Body("/kind".into()), json!("cat"), false),
                    (Source::Body("/name".into()), json!("Tom"), false),
                ],
            ),
            scenario(
                "dog",
                vec![
                    (Source::Body("/kind".into()), json!("dog"), false),
                    (Source::Body("/name".into()), json!("Rex"), false),
                ],
            ),
            scenario(
                "dog2",
                vec![(Source::Body("/kind".into()), json!("dog"), false)],
            ),
        ];
        let h = HeaderMap::new();
        let view = |body: &Value| {
            best(&scenarios, &RequestView::new(&[], &[], &h, Some(body))).map(|b| b.0)
        };
        assert_eq!(view(&json!({"kind": "cat", "name": "Rex"})), Some(0));
        assert_eq!(view(&json!({"kind": "dog", "name": "Rex"})), Some(1));
        assert_eq!(view(&json!({"kind": "DOG"})), Some(1));
        assert_eq!(view(&json!({"other": 1})), None);
    }

    #[test]
    fn postman_match_headers_make_conditions_strict() {
        let s = vec![scenario(
            "cat",
            vec![
                (Source::Body("/kind".into()), json!("cat"), false),
                (Source::Body("/name".into()), json!("Tom"), false),
            ],
        )];
        let body = json!({"kind": "cat", "name": "Rex"});
        let loose = HeaderMap::new();
        assert_eq!(
            best(&s, &RequestView::new(&[], &[], &loose, Some(&body))).map(|b| b.0),
            Some(0)
        );
        let strict = headers(&[("x-mock-match-request-body", "true")]);
        assert_eq!(
            best(&s, &RequestView::new(&[], &[], &strict, Some(&body))),
            None
        );
    }

    #[test]
    fn required_conditions_exclude() {
        let s = vec![scenario(
            "vip",
            vec![(Source::Header("x-tier".into()), json!("gold"), true)],
        )];
        let h = headers(&[("x-tier", "silver")]);
        let view = RequestView::new(&[], &[], &h, None);
        assert_eq!(best(&s, &view), None);
        let h = headers(&[("x-tier", "gold")]);
        let view = RequestView::new(&[], &[], &h, None);
        assert_eq!(best(&s, &view).map(|b| b.0), Some(0));
    }
}

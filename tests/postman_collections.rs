//! Collections written the way vendors and other tools write them (tests/fixtures/postman/
//! vendors: Stripe-, Twilio- and GitHub-style collections, generated ones with every status
//! saved, v1 and v2.0 exports, a minimal hand-written one, custom methods, auth on every
//! level, environment-only variables, examples saved under other URLs, examples told apart
//! only by body or header). For every saved example, the request a client sends for its
//! `originalRequest` must get what Postman's mock answers:
//!
//! - plain: the example itself, unless another example was saved with the very same request,
//!   in which case Postman answers the first 2xx of them (then the first);
//! - with `x-mock-response-name` and `x-mock-response-id`: the example itself;
//! - with `x-mock-response-code`: the example itself, when its code is unique among those
//!   saved with the same request.
//!
//! The requests are built from the collection files here, independently of the loader.

mod common;

use common::{fixture, Binary};
use serde_json::Value;

/// One collection and how to serve it.
struct Case {
    file: &'static str,
    environment: Option<&'static str>,
    /// Sent with every request: the collection's examples differ only in their bodies.
    match_body: bool,
    /// Sent as `x-mock-match-request-headers` for examples that carry this header.
    match_header: Option<&'static str>,
}

const CASES: &[Case] = &[
    Case::plain("payments.stripe-style.json"),
    Case {
        environment: Some("messaging.environment.json"),
        ..Case::plain("messaging.twilio-style.json")
    },
    Case::plain("repos.github-style.v2.0.json"),
    Case::plain("minimal.json"),
    Case::plain("inventory.v1.json"),
    Case::plain("custom-methods.json"),
    Case::plain("auth-everywhere.json"),
    Case::plain("legacy-shapes.v2.0.json"),
    Case {
        environment: Some("tenancy.environment.json"),
        ..Case::plain("tenancy.env-vars.json")
    },
    Case::plain("orders.diverging-urls.json"),
    Case {
        match_body: true,
        match_header: Some("Api-Version"),
        ..Case::plain("graphql.strict-matching.json")
    },
    Case::plain("weather.generated-statuses.json"),
];

impl Case {
    const fn plain(file: &'static str) -> Case {
        Case {
            file,
            environment: None,
            match_body: false,
            match_header: None,
        }
    }
}

/// A saved example and the request a client sends for it.
#[derive(Debug)]
struct Saved {
    name: String,
    id: Option<String>,
    code: u16,
    method: String,
    /// Path and query, percent-encoded.
    target: String,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
    expected: String,
}

impl Saved {
    /// What tells two saved requests apart for Postman.
    fn request_key(&self) -> String {
        let mut headers: Vec<(String, String)> = self
            .headers
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
            .collect();
        headers.sort();
        format!(
            "{} {} {headers:?} {:?}",
            self.method, self.target, self.body
        )
    }
}

fn vendor(name: &str) -> std::path::PathBuf {
    fixture(&format!("postman/vendors/{name}"))
}

fn read(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(vendor(name)).unwrap()).unwrap()
}

/// `{{name}}` replaced where `vars` knows the name.
fn resolve(text: &str, vars: &[(String, String)]) -> String {
    let mut out = text.to_string();
    for (k, v) in vars.iter().rev() {
        out = out.replace(&format!("{{{{{k}}}}}"), v);
    }
    out
}

fn pairs(v: Option<&Value>, vars: &[(String, String)]) -> Vec<(String, String)> {
    match v {
        Some(Value::Array(list)) => list
            .iter()
            .filter(|p| p.get("disabled").and_then(Value::as_bool) != Some(true))
            .filter_map(|p| {
                let k = p.get("key")?.as_str()?;
                let v = p.get("value").and_then(Value::as_str).unwrap_or("");
                Some((resolve(k, vars), resolve(v, vars)))
            })
            .collect(),
        Some(Value::String(s)) => s
            .lines()
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_string(), resolve(v.trim(), vars)))
            .collect(),
        _ => Vec::new(),
    }
}

fn encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// Path and query of a URL as Postman's client sends it to the mock: the host (a variable, a
/// scheme and authority) is the mock's own; path variables take their values.
fn target(url: &Value, vars: &[(String, String)]) -> String {
    let (segments, query): (Vec<String>, Vec<(String, String)>) = match url {
        Value::String(raw) => {
            let raw = resolve(raw, vars);
            let (path, query) = raw.split_once('?').unwrap_or((&raw, ""));
            let path = match path.split_once("://") {
                Some((_, rest)) => rest.split_once('/').map_or("", |(_, p)| p),
                None if path.starts_with('{') => path.split_once('/').map_or("", |(_, p)| p),
                None => path.trim_start_matches('/'),
            };
            let query = form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect();
            (
                path.split('/')
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect(),
                query,
            )
        }
        Value::Object(u) => {
            let variables = pairs(u.get("variable"), vars);
            let segments = u
                .get("path")
                .and_then(Value::as_array)
                .map(|p| {
                    p.iter()
                        .filter_map(Value::as_str)
                        .map(|s| match s.strip_prefix(':') {
                            Some(name) => variables
                                .iter()
                                .find(|(k, v)| k == name && !v.is_empty())
                                .map(|(_, v)| v.clone())
                                .unwrap_or_else(|| s.to_string()),
                            None => resolve(s, vars),
                        })
                        .collect()
                })
                .unwrap_or_default();
            (segments, pairs(u.get("query"), vars))
        }
        _ => (Vec::new(), Vec::new()),
    };
    let mut out: String = segments.iter().map(|s| format!("/{}", encode(s))).collect();
    if out.is_empty() {
        out.push('/');
    }
    if !query.is_empty() {
        out.push('?');
        let q: Vec<String> = query
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        out.push_str(&q.join("&"));
    }
    out
}

/// Method, path and query, headers, body.
type Sent = (String, String, Vec<(String, String)>, Option<Vec<u8>>);

/// The request a client sends for a v2 request object (or URL string).
fn request(req: &Value, vars: &[(String, String)]) -> Sent {
    if let Value::String(url) = req {
        return (
            "GET".into(),
            target(&Value::String(url.clone()), vars),
            Vec::new(),
            None,
        );
    }
    let method = req
        .get("method")
        .and_then(Value::as_str)
        .unwrap_or("GET")
        .to_string();
    let mut headers = pairs(req.get("header"), vars);
    let has_type = |h: &[(String, String)]| {
        h.iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
    };
    let body = req
        .get("body")
        .and_then(|b| match b.get("mode").and_then(Value::as_str) {
            Some("raw") => {
                let raw = resolve(b.get("raw")?.as_str()?, vars);
                let language = b
                    .pointer("/options/raw/language")
                    .and_then(Value::as_str)
                    .unwrap_or("text");
                if !has_type(&headers) {
                    let t = if language == "json" {
                        "application/json"
                    } else {
                        "text/plain"
                    };
                    headers.push(("Content-Type".into(), t.into()));
                }
                Some(raw.into_bytes())
            }
            Some("urlencoded") => {
                let fields = pairs(b.get("urlencoded"), vars);
                if !has_type(&headers) {
                    headers.push((
                        "Content-Type".into(),
                        "application/x-www-form-urlencoded".into(),
                    ));
                }
                Some(
                    form_urlencoded::Serializer::new(String::new())
                        .extend_pairs(fields)
                        .finish()
                        .into_bytes(),
                )
            }
            _ => None,
        });
    let url = req.get("url").cloned().unwrap_or(Value::Null);
    (method, target(&url, vars), headers, body)
}

/// Every saved example of a collection (v1 or v2), in document order.
fn saved_examples(collection: &Value, environment: &[(String, String)]) -> Vec<Saved> {
    let mut vars = pairs(collection.get("variable"), &[]);
    vars.extend(environment.iter().cloned());
    let mut out = Vec::new();
    if let Some(requests) = collection.get("requests").and_then(Value::as_array) {
        // v1: responses hold the id of their request, or the request itself.
        let v1_request = |r: &Value| -> Sent {
            let mut headers = pairs(r.get("headers"), &vars);
            let body = r
                .get("rawModeData")
                .and_then(Value::as_str)
                .map(|raw| raw.as_bytes().to_vec());
            if body.is_some()
                && !headers
                    .iter()
                    .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
            {
                headers.push(("Content-Type".into(), "text/plain".into()));
            }
            (
                r.get("method")
                    .and_then(Value::as_str)
                    .unwrap_or("GET")
                    .into(),
                target(r.get("url").unwrap_or(&Value::Null), &vars),
                headers,
                body,
            )
        };
        for r in requests {
            for resp in r
                .get("responses")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let original = match resp.get("request") {
                    Some(Value::String(id)) => requests
                        .iter()
                        .find(|x| x.get("id").and_then(Value::as_str) == Some(id))
                        .unwrap_or(r),
                    Some(obj @ Value::Object(_)) => obj,
                    _ => r,
                };
                let (method, target, headers, body) = v1_request(original);
                out.push(Saved {
                    name: resp["name"].as_str().unwrap_or("").into(),
                    id: resp.get("id").and_then(Value::as_str).map(str::to_string),
                    code: resp
                        .pointer("/responseCode/code")
                        .and_then(Value::as_u64)
                        .unwrap_or(200) as u16,
                    method,
                    target,
                    headers,
                    body,
                    expected: resolve(
                        resp.get("text").and_then(Value::as_str).unwrap_or(""),
                        &vars,
                    ),
                });
            }
        }
        return out;
    }
    fn walk(items: &[Value], vars: &[(String, String)], out: &mut Vec<Saved>) {
        for item in items {
            if let Some(children) = item.get("item").and_then(Value::as_array) {
                walk(children, vars, out);
                continue;
            }
            for ex in item
                .get("response")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let original = ex
                    .get("originalRequest")
                    .filter(|o| !o.is_null())
                    .unwrap_or(&item["request"]);
                let (method, target, headers, body) = request(original, vars);
                let code = match ex.get("code") {
                    Some(Value::Number(n)) => n.as_u64().unwrap() as u16,
                    Some(Value::String(s)) => s.parse().unwrap(),
                    _ => 200,
                };
                out.push(Saved {
                    name: ex["name"].as_str().unwrap_or("").into(),
                    id: ex.get("id").and_then(Value::as_str).map(str::to_string),
                    code,
                    method,
                    target,
                    headers,
                    body,
                    expected: resolve(ex.get("body").and_then(Value::as_str).unwrap_or(""), vars),
                });
            }
        }
    }
    walk(
        collection.get("item").and_then(Value::as_array).unwrap(),
        &vars,
        &mut out,
    );
    out
}

fn same_body(got: &str, want: &str) -> bool {
    match (
        serde_json::from_str::<Value>(got),
        serde_json::from_str::<Value>(want),
    ) {
        (Ok(a), Ok(b)) => a == b,
        _ => got.trim() == want.trim(),
    }
}

async fn send(base: &str, case: &Case, ex: &Saved, extra: Option<(&str, String)>) -> (u16, String) {
    let method = reqwest::Method::from_bytes(ex.method.as_bytes()).unwrap();
    let mut req = common::client().request(method, format!("{base}{}", ex.target));
    for (k, v) in &ex.headers {
        req = req.header(k.as_str(), v.as_str());
    }
    if case.match_body {
        req = req.header("x-mock-match-request-body", "true");
    }
    if let Some(h) = case.match_header {
        if ex.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(h)) {
            req = req.header("x-mock-match-request-headers", h);
        }
    }
    if let Some((k, v)) = extra {
        req = req.header(k, v);
    }
    if let Some(b) = &ex.body {
        req = req.body(b.clone());
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.text().await.unwrap())
}

#[tokio::test]
async fn every_saved_example_answers_as_on_postman() {
    let mut report = Vec::new();
    let mut failures = Vec::new();
    let mut total = 0;
    for case in CASES {
        let environment: Vec<(String, String)> = match case.environment {
            Some(env) => read(env)["values"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|v| v.get("enabled").and_then(Value::as_bool) != Some(false))
                .map(|v| {
                    (
                        v["key"].as_str().unwrap().to_string(),
                        v["value"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect(),
            None => Vec::new(),
        };
        let examples = saved_examples(&read(case.file), &environment);
        assert!(!examples.is_empty(), "{}: no saved examples", case.file);
        let spec = vendor(case.file);
        let env_path = case.environment.map(vendor);
        let mut args = vec![spec.to_str().unwrap().to_string()];
        if let Some(e) = &env_path {
            args.push("--environment".into());
            args.push(e.to_str().unwrap().into());
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let server = Binary::mock(&args);
        let mut passed = 0;
        let mut checks = 0;
        for ex in &examples {
            total += 1;
            // Who answers the plain request: the first 2xx saved with the same request.
            let twins: Vec<&Saved> = examples
                .iter()
                .filter(|o| o.request_key() == ex.request_key())
                .collect();
            let plain = twins
                .iter()
                .find(|o| (200..300).contains(&o.code))
                .unwrap_or(&twins[0]);
            let mut ways: Vec<(Option<(&str, String)>, &Saved)> = vec![(None, plain)];
            ways.push((Some(("x-mock-response-name", ex.name.clone())), ex));
            if let Some(id) = &ex.id {
                ways.push((Some(("x-mock-response-id", id.clone())), ex));
            }
            if twins.iter().filter(|o| o.code == ex.code).count() == 1 {
                ways.push((Some(("x-mock-response-code", ex.code.to_string())), ex));
            }
            for (extra, want) in ways {
                checks += 1;
                let how = extra
                    .as_ref()
                    .map_or("plain".to_string(), |(k, v)| format!("{k}: {v}"));
                let (status, body) = send(&server.base, case, ex, extra).await;
                if status == want.code && same_body(&body, &want.expected) {
                    passed += 1;
                } else {
                    failures.push(format!(
                        "{}: {} {} [{how}] for {:?}: got {status} {body:.200}, want {} {:.200}",
                        case.file, ex.method, ex.target, ex.name, want.code, want.expected
                    ));
                }
            }
        }
        report.push(format!(
            "{}: {} examples, {passed}/{checks} answers as on Postman",
            case.file,
            examples.len()
        ));
    }
    println!("{}", report.join("\n"));
    assert!(CASES.len() >= 10);
    assert!(total >= 40, "{total}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn auth_is_not_enforced_unless_asked() {
    let spec = vendor("auth-everywhere.json");
    let open = Binary::mock(&[spec.to_str().unwrap()]);
    let c = common::client();
    let r = c
        .get(open.url("/flights?from=LHR&to=JFK"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        200,
        "no API key, no OAuth token: Postman answers"
    );
    let strict = Binary::mock(&[
        spec.to_str().unwrap(),
        "--enforce-auth",
        "--validate",
        "enforce",
    ]);
    let r = c
        .get(strict.url("/flights?from=LHR&to=JFK"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = c
        .get(strict.url("/flights?from=LHR&to=JFK&apikey=k"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = c.get(strict.url("/status")).send().await.unwrap();
    assert_eq!(r.status(), 200, "noauth");
    // The collection's OAuth 2: a bearer token.
    let book = |token: Option<&str>| {
        let mut req = c
            .post(strict.url("/bookings"))
            .header("content-type", "application/json")
            .body(r#"{"flight": "BA117"}"#);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        req.send()
    };
    assert_eq!(book(None).await.unwrap().status(), 401);
    assert_eq!(book(Some("t0k3n")).await.unwrap().status(), 201);
}

#[tokio::test]
async fn unmatched_requests_get_a_404_naming_the_closest_examples() {
    let spec = vendor("orders.diverging-urls.json");
    let s = Binary::mock(&[spec.to_str().unwrap()]);
    let r = common::client()
        .get(s.url("/orders/1001/shipments"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        v["nearest"][0], "GET /orders/1001/items (Order items)",
        "{v}"
    );
}

#[test]
fn check_names_the_collection_version_and_unknown_formats_say_what_was_tried() {
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_stubborn"))
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, out, err) = run(&["check", vendor("inventory.v1.json").to_str().unwrap()]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("Postman Collection v1"), "{out}");
    let (code, out, err) = run(&["check", vendor("minimal.json").to_str().unwrap()]);
    assert_eq!(code, Some(0), "{out}{err}");

    let dir = common::TempDir::new("not-a-format");
    let file = dir.0.join("thing.json");
    std::fs::write(&file, r#"{"info": {"title": "x"}, "paths": {}}"#).unwrap();
    let (code, _, err) = run(&["check", file.to_str().unwrap()]);
    assert_eq!(code, Some(2));
    for tried in ["OpenAPI 3", "Swagger 2.0", "Postman Collection", "HAR"] {
        assert!(err.contains(tried), "{err}");
    }
    assert!(err.contains("no `item` array"), "{err}");
}

#[tokio::test]
async fn dynamic_variables_are_filled_and_unknown_ones_kept() {
    let dir = common::TempDir::new("dynamic-vars");
    let file = dir.0.join("dynamic.json");
    let collection = serde_json::json!({
        "info": {"name": "Dynamic"},
        "item": [{"name": "New id", "request": {"method": "POST", "url": "{{base}}/ids"},
            "response": [{"name": "Minted", "code": 201,
                "header": [{"key": "Content-Type", "value": "application/json"}],
                "body": "{\"id\": \"{{$guid}}\", \"owner\": \"{{owner}}\"}"}]}]
    });
    std::fs::write(&file, collection.to_string()).unwrap();
    let s = Binary::mock(&[file.to_str().unwrap()]);
    let one: Value = common::client()
        .post(s.url("/ids"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let two: Value = common::client()
        .post(s.url("/ids"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = one["id"].as_str().unwrap();
    assert_eq!(id.len(), 36, "{one}");
    assert_ne!(one["id"], two["id"], "a fresh guid per request");
    assert_eq!(
        one["owner"], "{{owner}}",
        "an undefined variable stays as written"
    );
}

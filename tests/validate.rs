//! Request validation over HTTP: every parameter style valid and invalid, each body media type,
//! each security combination, and the documented error response preferred over the generic one.

mod common;

use common::{client, TestServer};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::sync::OnceLock;
use stubborn::compile::{MockOptions, ValidateMode};
use stubborn::server::HttpOptions;

fn server() -> &'static TestServer {
    static S: OnceLock<TestServer> = OnceLock::new();
    S.get_or_init(|| TestServer::start("validation.yaml"))
}

async fn get(
    path: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let mut req = client().get(server().url(path));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let r = req.send().await.unwrap();
    let status = r.status();
    let h = r.headers().clone();
    let text = r.text().await.unwrap();
    (
        status,
        h,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn send(
    method: &str,
    path: &str,
    content_type: &str,
    body: impl Into<reqwest::Body>,
) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let r = client()
        .request(
            reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
            server().url(path),
        )
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let h = r.headers().clone();
    let text = r.text().await.unwrap();
    (
        status,
        h,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// The `(in, name-or-pointer, keyword)` triples of a problem's `errors`.
fn errors(body: &Value) -> Vec<(String, String, String)> {
    body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors in {body}"))
        .iter()
        .map(|e| {
            let at = e
                .get("name")
                .or_else(|| e.get("pointer"))
                .and_then(Value::as_str)
                .unwrap_or("");
            (
                e["in"].as_str().unwrap().to_string(),
                at.to_string(),
                e["keyword"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn has(errs: &[(String, String, String)], place: &str, name: &str, keyword: &str) -> bool {
    errs.iter()
        .any(|(p, n, k)| p == place && n == name && k == keyword)
}

#[tokio::test]
async fn valid_parameters_of_every_style_pass() {
    let (status, _, body) = get(
        "/open/items/7?limit=10&tags=a&tags=b&ids=1,2,3&words=ab%20cd&nums=1.5|2&filter[role]=admin&filter[age]=30&q=",
        &[("X-Request-Id", "0b7e2a38-4c43-4f3e-9b7e-0d1f5a9b6c11"), ("x-flags", "true,false"), ("cookie", "session=abcd; prefs=1,2")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({"ok": true}));
    let (status, _, _) = get("/open/label/.1.2.3", &[]).await;
    assert_eq!(status, 204);
    let (status, _, _) = get("/open/matrix/;x=1;y=2", &[]).await;
    assert_eq!(status, 204);
}

#[tokio::test]
async fn every_violation_is_reported_at_once() {
    let (status, headers, body) = get(
        "/open/items/0?limit=500&tags=z&ids=1,x&words=a&nums=1|two&filter[role]=root&filter[age]=3",
        &[
            ("X-Request-Id", "not-a-uuid"),
            ("x-flags", "yes"),
            ("cookie", "session=ab; prefs=1,b"),
        ],
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(headers["content-type"], "application/problem+json");
    assert_eq!(body["status"], 422);
    let e = errors(&body);
    assert!(has(&e, "path", "id", "minimum"), "{e:?}");
    assert!(has(&e, "query", "limit", "maximum"), "{e:?}");
    assert!(has(&e, "query", "tags/0", "enum"), "{e:?}");
    assert!(has(&e, "query", "ids/1", "type"), "{e:?}");
    assert!(has(&e, "query", "words/0", "minLength"), "{e:?}");
    assert!(has(&e, "query", "nums/1", "type"), "{e:?}");
    assert!(has(&e, "query", "filter/role", "enum"), "{e:?}");
    assert!(has(&e, "query", "filter/age", "minimum"), "{e:?}");
    assert!(has(&e, "header", "X-Request-Id", "format"), "{e:?}");
    assert!(has(&e, "header", "X-Flags/0", "type"), "{e:?}");
    assert!(has(&e, "cookie", "session", "minLength"), "{e:?}");
    assert!(has(&e, "cookie", "prefs/1", "type"), "{e:?}");
    let limit = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["name"] == "limit")
        .unwrap();
    assert_eq!(limit["message"], "must be <= 100, got 500");
}

#[tokio::test]
async fn type_errors_read_like_sentences() {
    let (status, _, body) = get("/open/items/abc", &[]).await;
    assert_eq!(status, 422);
    let id = &body["errors"][0];
    assert_eq!(id["in"], "path");
    assert_eq!(id["name"], "id");
    assert_eq!(id["message"], "must be an integer, got \"abc\"");
}

#[tokio::test]
async fn required_parameters_and_empty_values() {
    let (status, _, body) = get("/open/required", &[]).await;
    assert_eq!(status, 422);
    let e = errors(&body);
    assert!(has(&e, "query", "page", "required"), "{e:?}");
    assert!(has(&e, "header", "X-Tenant", "required"), "{e:?}");
    // Header names are case-insensitive; an empty value is refused unless allowEmptyValue.
    let (status, _, body) = get("/open/required?page=1&q=", &[("x-tenant", "t")]).await;
    assert_eq!(status, 422, "{body}");
    assert!(
        has(&errors(&body), "query", "q", "allowEmptyValue"),
        "{body}"
    );
    let (status, _, _) = get("/open/required?page=1", &[("x-tenant", "t")]).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn path_styles_label_and_matrix_reject_bad_values() {
    let (status, _, body) = get("/open/label/.1", &[]).await;
    assert_eq!(status, 422);
    assert!(has(&errors(&body), "path", "ids", "minItems"), "{body}");
    let (status, _, body) = get("/open/matrix/;x=1", &[]).await;
    assert_eq!(status, 422);
    assert!(has(&errors(&body), "path", "point/y", "required"), "{body}");
}

#[tokio::test]
async fn json_body_violations_point_into_the_body() {
    let body = json!({"name": "", "birthDate": "yesterday", "email": "nope", "weight": 0, "tags": ["a", "b", "c", "d"], "owner": {}});
    let (status, headers, answer) =
        send("POST", "/pets", "application/json", body.to_string()).await;
    // The operation documents 422: its example answers, and the violations ride in a header.
    assert_eq!(status, 422);
    assert_eq!(
        answer,
        json!({"code": "invalid", "message": "the pet is not valid"})
    );
    let listed = headers["x-stubborn-violations"].to_str().unwrap();
    for fragment in [
        "body /name",
        "body /birthDate",
        "body /email",
        "body /weight",
        "body /tags",
        "body /owner/name",
    ] {
        assert!(
            listed.contains(fragment),
            "{fragment} missing from {listed}"
        );
    }
    // readOnly `id` is not required in a request; writeOnly `secret` may be sent.
    let ok = json!({"name": "Rex", "birthDate": "2020-01-02", "secret": "s", "owner": null});
    let (status, _, answer) = send(
        "POST",
        "/pets",
        "application/json; charset=utf-8",
        ok.to_string(),
    )
    .await;
    assert_eq!(status, 201, "{answer}");
}

/// A JSON body is judged as the text is written: escapes decoded (lengths in characters), a
/// repeated key's last value, a leading byte-order mark, and objects of any width.
#[tokio::test]
async fn json_bodies_are_judged_as_written() {
    let post = |body: String| async move {
        let (status, headers, answer) = send("POST", "/pets", "application/json", body).await;
        let listed = headers
            .get("x-stubborn-violations")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        (status, listed, answer)
    };
    // `name` takes 1 to 20 characters: 20 escaped é (40 bytes) fit, 21 do not.
    let name = |n: usize| "\\u00e9".repeat(n);
    let (status, _, answer) = post(format!(
        r#"{{"name":"{}","birthDate":"2020-01-02"}}"#,
        name(20)
    ))
    .await;
    assert_eq!(status, 201, "{answer}");
    let (status, listed, _) = post(format!(
        r#"{{"name":"{}","birthDate":"2020-01-02"}}"#,
        name(21)
    ))
    .await;
    assert_eq!(status, 422);
    assert!(listed.contains("body /name"), "{listed}");
    // A repeated key: the last value counts, as in every JSON parser that keeps one.
    let (status, _, answer) =
        post(r#"{"name":"","birthDate":"2020-01-02","name":"Rex"}"#.into()).await;
    assert_eq!(status, 201, "{answer}");
    let (status, listed, _) =
        post(r#"{"name":"Rex","birthDate":"2020-01-02","name":""}"#.into()).await;
    assert_eq!(status, 422);
    assert!(listed.contains("body /name"), "{listed}");
    // A byte-order mark before the text.
    let (status, _, answer) =
        post("\u{FEFF}{\"name\":\"Rex\",\"birthDate\":\"2020-01-02\"}".into()).await;
    assert_eq!(status, 201, "{answer}");
    // Wide objects (undeclared members are allowed here), valid and not.
    let extra: String = (0..40).map(|i| format!(r#","x{i}":{i}"#)).collect();
    let (status, _, answer) = post(format!(
        r#"{{"name":"Rex","birthDate":"2020-01-02"{extra}}}"#
    ))
    .await;
    assert_eq!(status, 201, "{answer}");
    let (status, listed, _) = post(format!(
        r#"{{"name":"","birthDate":"2020-01-02"{extra},"weight":0}}"#
    ))
    .await;
    assert_eq!(status, 422);
    assert!(
        listed.contains("body /name") && listed.contains("body /weight"),
        "{listed}"
    );
}

#[tokio::test]
async fn broken_json_is_a_400_and_the_documented_400_answers() {
    let (status, headers, answer) =
        send("POST", "/shapes", "application/json", "{\"kind\": ").await;
    assert_eq!(status, 400);
    assert_eq!(answer["code"], "bad");
    assert!(headers["x-stubborn-violations"]
        .to_str()
        .unwrap()
        .contains("body"));
    // Without a documented 400 or 422, a problem+json 400 naming the syntax error.
    let (status, headers, answer) = send("PUT", "/notes", "application/vnd.api+json", "{").await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(headers["content-type"], "application/problem+json");
    assert!(has(&errors(&answer), "body", "", "syntax"), "{answer}");
}

#[tokio::test]
async fn discriminator_reports_the_chosen_branch() {
    let (status, headers, _) = send(
        "POST",
        "/shapes",
        "application/json",
        json!({"kind": "circle", "radius": -1}).to_string(),
    )
    .await;
    assert_eq!(
        status, 400,
        "a documented 400 answers a 422-worthy body when 422 is not documented"
    );
    let listed = headers["x-stubborn-violations"].to_str().unwrap();
    assert!(listed.contains("body /radius: must be >= 0"), "{listed}");
    assert!(!listed.contains("side"), "{listed}");
    let (_, headers, _) = send(
        "POST",
        "/shapes",
        "application/json",
        json!({"kind": "hexagon"}).to_string(),
    )
    .await;
    assert!(headers["x-stubborn-violations"]
        .to_str()
        .unwrap()
        .contains("/kind"));
    let (status, _, _) = send(
        "POST",
        "/shapes",
        "application/json",
        json!({"kind": "square", "side": 2}).to_string(),
    )
    .await;
    assert_eq!(status, 201);
}

#[tokio::test]
async fn unsupported_media_types_get_415() {
    let (status, _, body) = send("POST", "/pets", "text/csv", "a,b").await;
    assert_eq!(status, 415);
    assert_eq!(body["status"], 415);
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("application/json"),
        "{body}"
    );
    let r = client()
        .post(server().url("/pets"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415, "no Content-Type at all");
}

#[tokio::test]
async fn missing_required_body() {
    let r = client().post(server().url("/pets")).send().await.unwrap();
    assert_eq!(r.status(), 422);
}

#[tokio::test]
async fn form_bodies_are_validated_field_by_field() {
    let (status, _, _) = send(
        "POST",
        "/pets",
        "application/x-www-form-urlencoded",
        "name=Rex&birthDate=2020-01-02&tags=a&tags=b&weight=2.5",
    )
    .await;
    assert_eq!(status, 201);
    let (status, headers, _) = send(
        "POST",
        "/pets",
        "application/x-www-form-urlencoded",
        "name=Rex&birthDate=soon&weight=heavy",
    )
    .await;
    assert_eq!(status, 422);
    let listed = headers["x-stubborn-violations"].to_str().unwrap();
    assert!(
        listed.contains("/birthDate") && listed.contains("/weight"),
        "{listed}"
    );
}

fn multipart(parts: &[(&str, Option<&str>, &str, &str)]) -> (String, Vec<u8>) {
    let boundary = "XyZzY-boundary";
    let mut body = Vec::new();
    for (name, filename, ctype, content) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match filename {
            Some(f) => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\n")
                    .as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n").as_bytes(),
            ),
        }
        if !ctype.is_empty() {
            body.extend_from_slice(format!("Content-Type: {ctype}\r\n").as_bytes());
        }
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(content.as_bytes());
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn multipart_parts_honour_their_encoding() {
    let (ct, body) = multipart(&[
        ("file", Some("cat.png"), "image/png", "\u{89}PNG..."),
        ("meta", None, "application/json", "{\"title\": \"Cat\"}"),
        ("tags", None, "", "a"),
        ("tags", None, "", "b"),
        ("count", None, "", "3"),
    ]);
    let (status, _, answer) = send("POST", "/uploads", &ct, body).await;
    assert_eq!(status, 204, "{answer}");
    let (ct, body) = multipart(&[
        ("file", Some("cat.gif"), "image/gif", "GIF89a"),
        ("meta", None, "application/json", "{\"title\": \"\"}"),
        ("count", None, "", "-1"),
    ]);
    let (status, _, answer) = send("POST", "/uploads", &ct, body).await;
    assert_eq!(status, 422, "{answer}");
    let e = errors(&answer);
    assert!(has(&e, "body", "/file", "contentType"), "{e:?}");
    assert!(has(&e, "body", "/meta/title", "minLength"), "{e:?}");
    assert!(has(&e, "body", "/count", "minimum"), "{e:?}");
    let (ct, body) = multipart(&[("meta", None, "application/json", "{\"title\": \"x\"}")]);
    let (_, _, answer) = send("POST", "/uploads", &ct, body).await;
    assert!(
        has(&errors(&answer), "body", "/file", "required"),
        "{answer}"
    );
}

#[tokio::test]
async fn text_octet_and_structured_suffix_bodies() {
    let (status, _, _) = send("PUT", "/notes", "text/plain", "short").await;
    assert_eq!(status, 204);
    let (status, _, body) = send(
        "PUT",
        "/notes",
        "text/plain; charset=utf-8",
        "far too long for ten",
    )
    .await;
    assert_eq!(status, 422);
    assert!(has(&errors(&body), "body", "", "maxLength"), "{body}");
    let (status, _, _) = send(
        "PUT",
        "/notes",
        "application/octet-stream",
        vec![0u8, 159, 146, 150],
    )
    .await;
    assert_eq!(status, 204);
    let (status, _, _) = send(
        "PUT",
        "/notes",
        "application/merge-patch+json",
        "{\"note\": \"n\"}",
    )
    .await;
    assert_eq!(status, 204);
    let (status, _, body) = send("PUT", "/notes", "application/vnd.api+json", "{}").await;
    assert_eq!(status, 422);
    assert!(has(&errors(&body), "body", "/note", "required"), "{body}");
}

#[tokio::test]
async fn security_failures_are_401_with_a_challenge() {
    // Global security (an API key header); the operation documents 401 with an example.
    let (status, headers, body) = get("/secure/header", &[]).await;
    assert_eq!(status, 401);
    assert_eq!(body["code"], "unauthorized");
    assert!(headers["www-authenticate"]
        .to_str()
        .unwrap()
        .contains("X-API-Key"));
    let (status, _, _) = get("/secure/header", &[("x-api-key", "k")]).await;
    assert_eq!(status, 200);

    // Alternatives: any one will do.
    let (status, headers, body) = get("/secure/any", &[]).await;
    assert_eq!(status, 401);
    assert_eq!(headers["content-type"], "application/problem+json");
    let challenge = headers["www-authenticate"].to_str().unwrap();
    assert!(
        challenge.contains("Basic") && challenge.contains("api_key") && challenge.contains("sid"),
        "{challenge}"
    );
    assert_eq!(body["status"], 401);
    assert_eq!(get("/secure/any?api_key=k", &[]).await.0, 204);
    assert_eq!(
        get("/secure/any", &[("authorization", "Basic dXNlcjpwYXNz")])
            .await
            .0,
        204
    );
    assert_eq!(get("/secure/any", &[("cookie", "sid=abc")]).await.0, 204);
    assert_eq!(
        get("/secure/any", &[("authorization", "Basic nonsense!")])
            .await
            .0,
        401
    );

    // Conjunction: both needed.
    assert_eq!(
        get("/secure/both", &[("authorization", "Bearer t")])
            .await
            .0,
        401
    );
    assert_eq!(
        get(
            "/secure/both",
            &[("authorization", "Bearer t"), ("x-api-key", "k")]
        )
        .await
        .0,
        204
    );

    // OAuth2 and OpenID Connect need a bearer token.
    assert_eq!(get("/secure/oauth", &[]).await.0, 401);
    assert_eq!(
        get("/secure/oauth", &[("authorization", "Bearer abc")])
            .await
            .0,
        204
    );
}

#[tokio::test]
async fn security_is_checked_before_anything_else() {
    let (status, _, body) = get("/secure/header?unknown=1", &[]).await;
    assert_eq!(status, 401, "{body}");
}

/// Writes `head` (and then `chunks`, if any) to a raw connection and reads the status line.
fn raw_status(base: &str, head: &str, chunks: &[&[u8]]) -> String {
    use std::io::{BufRead, BufReader, Write};
    let mut stream = std::net::TcpStream::connect(base.trim_start_matches("http://")).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    stream.write_all(head.as_bytes()).unwrap();
    for c in chunks {
        // The server may answer and close before everything is written.
        if stream.write_all(c).is_err() {
            break;
        }
    }
    let mut line = String::new();
    let _ = BufReader::new(stream).read_line(&mut line);
    line
}

#[test]
fn oversized_bodies_get_413_without_being_read() {
    let s = TestServer::start_with(
        "validation.yaml",
        MockOptions::default(),
        HttpOptions {
            max_body: 1000,
            ..Default::default()
        },
    );
    // Content-Length says too much: the answer comes before a byte of the body is sent.
    let line = raw_status(&s.base, "POST /pets HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n", &[]);
    assert!(line.starts_with("HTTP/1.1 413"), "{line}");
    // A chunked body is cut off as soon as it passes the limit.
    let chunk = format!("{:x}\r\n{}\r\n", 400, " ".repeat(400));
    let body = format!("{}0\r\n\r\n", chunk.repeat(10));
    let line = raw_status(&s.base, "POST /pets HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n", &[body.as_bytes()]);
    assert!(line.starts_with("HTTP/1.1 413"), "{line}");
    // Under the limit is fine.
    let line = raw_status(&s.base, "POST /pets HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}", &[]);
    assert!(line.starts_with("HTTP/1.1 422"), "{line}");
}

#[tokio::test]
async fn warn_mode_answers_but_lists_violations() {
    let s = TestServer::start_with(
        "validation.yaml",
        MockOptions {
            validate: ValidateMode::Warn,
            ..Default::default()
        },
        HttpOptions::default(),
    );
    let r = client()
        .get(s.url("/open/items/0?limit=1000"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let listed = r.headers()["x-stubborn-violations"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        listed.contains("path id") && listed.contains("query limit"),
        "{listed}"
    );
}

#[tokio::test]
async fn off_mode_does_not_check() {
    let s = TestServer::start_with(
        "validation.yaml",
        MockOptions {
            validate: ValidateMode::Off,
            ..Default::default()
        },
        HttpOptions::default(),
    );
    let r = client().get(s.url("/secure/header")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers().get("x-stubborn-violations").is_none());
}

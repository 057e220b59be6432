//! Documents Prism users bring that stubborn read wrongly or refused (issue 12, items 5 and
//! 12): Swagger 2.0 details lost in conversion, and YAML that libyaml refuses but the YAML
//! spec and other tools read. Small specs of our own, in the shapes real ones have, under
//! tests/fixtures/prism/; served over HTTP where the change is in what is served.

mod common;

use common::{client, fixture, TestServer};
use serde_json::{json, Value};
use std::sync::OnceLock;
use stubborn::compile::MockOptions;
use stubborn::server::HttpOptions;

fn serve(name: &str) -> TestServer {
    TestServer::start_at(
        &fixture(&format!("prism/{name}")),
        MockOptions::default(),
        HttpOptions::default(),
    )
}

/// The `(in, name-or-pointer, keyword)` triples of a 422 problem's `errors`.
fn violations(body: &Value) -> Vec<(String, String, String)> {
    body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors in {body}"))
        .iter()
        .map(|e| {
            let at = e.get("name").or_else(|| e.get("pointer"));
            (
                e["in"].as_str().unwrap_or("").to_string(),
                at.and_then(Value::as_str).unwrap_or("").to_string(),
                e["keyword"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

// ------------------------------------------------------------- 5a: allowEmptyValue on forms

fn forms() -> &'static TestServer {
    static S: OnceLock<TestServer> = OnceLock::new();
    S.get_or_init(|| serve("swagger2-form-empty.yaml"))
}

async fn post_form(body: &str) -> (u16, Value) {
    let r = client()
        .post(forms().url("/notes"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

#[tokio::test]
async fn swagger2_form_field_without_allow_empty_value_refuses_an_empty_value() {
    for (form, field) in [
        ("title=", "title"),
        ("title=t&count=", "count"),
        ("title=t&tags=", "tags"),
    ] {
        let (status, body) = post_form(form).await;
        assert_eq!(status, 422, "{form}: {body}");
        let v = violations(&body);
        assert!(
            v.iter()
                .any(|(place, at, _)| place == "body" && at.contains(field)),
            "{form}: {v:?}"
        );
        assert_eq!(v.len(), 1, "{form}: {v:?}");
    }
    // The same in a multipart body: an empty part is an empty value.
    let boundary = "b0undary";
    let r = client()
        .post(forms().url("/notes"))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\n\r\n--{boundary}--\r\n"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
}

#[tokio::test]
async fn swagger2_form_field_with_allow_empty_value_accepts_an_empty_value() {
    for form in [
        "title=t",
        "title=t&body=",
        "title=t&priority=",
        "title=t&code=",
        "title=t&body=&priority=&code=&tags=a,b",
        "title=t&priority=2&code=ABC",
    ] {
        let (status, body) = post_form(form).await;
        assert_eq!(status, 201, "{form}: {body}");
    }
    // Allowing the empty value does not loosen the others.
    for (form, field) in [
        ("title=t&priority=0", "priority"),
        ("title=t&priority=x", "priority"),
        ("title=t&code=abc", "code"),
    ] {
        let (status, body) = post_form(form).await;
        assert_eq!(status, 422, "{form}: {body}");
        let v = violations(&body);
        assert!(
            v.iter().any(|(_, at, _)| at.contains(field)),
            "{form}: {v:?}"
        );
    }
}

// ------------------------------------------------------------- 5b: examples under a media range

fn ranges() -> &'static TestServer {
    static S: OnceLock<TestServer> = OnceLock::new();
    S.get_or_init(|| serve("swagger2-example-ranges.yaml"))
}

async fn get(server: &TestServer, path: &str, accept: Option<&str>) -> (u16, String, String) {
    let mut req = client().get(server.url(path));
    if let Some(a) = accept {
        req = req.header("accept", a);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let ct = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, ct, r.text().await.unwrap())
}

#[tokio::test]
async fn swagger2_example_for_a_media_range_is_served_for_the_produced_types() {
    let (status, ct, body) = get(ranges(), "/greeting", None).await;
    assert_eq!((status, ct.as_str()), (200, "application/json"));
    assert_eq!(body, "\"hello from a range\"");
    let (status, ct, body) = get(ranges(), "/greeting", Some("text/plain")).await;
    assert_eq!(status, 200);
    assert!(ct.starts_with("text/plain"), "{ct}");
    assert!(body.contains("hello from a range"), "{body}");
    // The range is no media type of its own.
    let (status, _, body) = get(ranges(), "/greeting", Some("image/png")).await;
    assert_eq!(status, 406, "{body}");
}

#[tokio::test]
async fn swagger2_own_example_beats_a_range_and_the_closest_range_wins() {
    let (_, ct, body) = get(ranges(), "/mixed", None).await;
    assert_eq!(ct, "application/json");
    assert_eq!(body, "\"json's own\"");
    for accept in ["text/csv", "text/plain"] {
        let (status, ct, body) = get(ranges(), "/mixed", Some(accept)).await;
        assert_eq!(status, 200, "{accept}");
        assert!(ct.starts_with(accept), "{accept}: {ct}");
        assert!(
            body.contains("any text") && !body.contains("anything"),
            "{accept}: {body}"
        );
    }
}

// ------------------------------------------------------------- 5c: $refs into moved places

fn words() -> &'static TestServer {
    static S: OnceLock<TestServer> = OnceLock::new();
    S.get_or_init(|| serve("swagger2-ref-moved.yaml"))
}

async fn send(method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut req = client().request(method, words().url(path));
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

#[tokio::test]
async fn swagger2_ref_to_another_operations_response_schema_loads_and_serves() {
    use reqwest::Method;
    let (status, word) = send(Method::GET, "/word/w1", None).await;
    assert_eq!(status, 200, "{word}");
    assert_eq!(word["text"], "hello");
    // The same schema, reached through the percent-encoded pointer, as a body and an answer.
    let (status, body) = send(
        Method::PUT,
        "/word/w1",
        Some(json!({"id": "w1", "text": "hi", "meta": {"source": "me"}})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["id"], "w1");
    let (status, body) = send(
        Method::PUT,
        "/word/w1",
        Some(json!({"id": "w1", "text": ""})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(violations(&body)
        .iter()
        .any(|(_, at, k)| at == "/text" && k == "minLength"));
    // The path parameter, referred to by its place in another operation's list.
    let (status, body) = send(
        Method::PUT,
        "/word/w",
        Some(json!({"id": "w", "text": "a"})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    // As array items, and one of its properties (`meta`) as a whole answer.
    let (status, list) = send(Method::GET, "/words", None).await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list[0]["text"], "hello");
    let (status, meta) = send(Method::GET, "/sources", None).await;
    assert_eq!((status, meta), (200, json!({"source": "dictionary"})));
    // The query parameter reached with the braces unencoded keeps its enum.
    let (status, _) = send(Method::GET, "/words?lang=de", None).await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn swagger2_ref_to_a_body_parameter_and_a_shifted_parameter_index() {
    use reqwest::Method;
    // `#/paths/~1words/post/parameters/0/schema`: the body parameter's schema, now the
    // request body's, answers the POST.
    let (status, body) = send(Method::POST, "/words", Some(json!({"text": "new"}))).await;
    assert_eq!(status, 201, "{body}");
    assert!(body["text"].is_string(), "{body}");
    // /drafts refers to the body parameter (it becomes its body) and to `dry`, which is
    // parameters/1 in Swagger and parameters/0 once the body left the list.
    let (status, body) = send(
        Method::POST,
        "/drafts?dry=maybe",
        Some(json!({"text": "far too long a word"})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    let v = violations(&body);
    assert!(
        v.iter().any(|(p, at, _)| p == "query" && at == "dry"),
        "{v:?}"
    );
    assert!(
        v.iter().any(|(p, at, _)| p == "body" && at == "/text"),
        "{v:?}"
    );
    let (status, body) = send(
        Method::POST,
        "/drafts?dry=true",
        Some(json!({"text": "ok"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    // `#/responses/Source` as a response and `#/responses/Source/schema` as a schema.
    assert_eq!(body, json!({"name": "Larousse"}));
    let r = client()
        .get(words().url("/sources"))
        .header("prefer", "code=500")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 500);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body, json!({"name": "Larousse"}));
}

// ------------------------------------------------------------- 12: tabs in YAML block scalars

#[tokio::test]
async fn yaml_tab_after_the_indentation_of_a_block_is_read_and_served() {
    let path = fixture("prism/yaml-tab-in-block.yaml");
    let api = stubborn::load::load_file(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(api.title, "Payments");
    assert_eq!(
        api.operations[0].summary.as_deref(),
        Some("\tFolded, with a tab first.\nAnd a second line.")
    );
    let server = TestServer::start_at(&path, MockOptions::default(), HttpOptions::default());
    let r = client().get(server.url("/payments")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        body,
        json!({
            "dateOfTravel": "\t\nDate and time of travel.\n* Format: `yyyy-MM-dd HH:mm`",
            "notes": ["\tfirst note\nsecond line\n"]
        })
    );
    let r = client()
        .get(server.url("/payments"))
        .header("accept", "text/plain")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.text().await.unwrap(),
        "\tindented by a tab\nsecond line\n"
    );
}

#[test]
fn yaml_tab_used_as_indentation_is_refused_with_the_line_and_a_hint() {
    let e = stubborn::load::load_file(&fixture("prism/yaml-tab-as-indentation.yaml"))
        .expect_err("a tab as indentation is an error")
        .to_string();
    assert!(e.contains("yaml-tab-as-indentation.yaml"), "{e}");
    assert!(e.contains("line 9"), "{e}");
    assert!(e.contains("hint: line 9 has a tab"), "{e}");
}

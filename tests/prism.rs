//! A drop-in for Prism users: their habits (query overrides, preflights on documented
//! `options`, named error examples, `--errors`, Prism's flags) work unchanged. One test per
//! item of issue 12 that lives in the request path; tests/prism_render.rs and
//! tests/prism_load.rs hold the rendering and loading ones.

mod common;

use common::{client, fixture, Binary, TestServer};
use serde_json::{json, Value};
use std::time::Duration;
use stubborn::compile::MockOptions;
use stubborn::server::HttpOptions;

fn habits() -> TestServer {
    habits_with(MockOptions::default())
}

fn habits_with(options: MockOptions) -> TestServer {
    TestServer::start_at(
        &fixture("prism/habits.yaml"),
        options,
        HttpOptions::default(),
    )
}

async fn get(s: &TestServer, path: &str) -> (u16, Value) {
    let r = client().get(s.url(path)).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn prism_query_overrides_choose_and_are_not_validated() {
    let s = habits();
    assert_eq!(get(&s, "/pets").await.1, json!([{"id": 1, "name": "Tom"}]));
    assert_eq!(
        get(&s, "/pets?__example=dogs").await.1,
        json!([{"id": 2, "name": "Rex"}])
    );
    assert_eq!(
        get(&s, "/pets?__code=404").await,
        (404, json!({"message": "no pets here"}))
    );
    // Removed before validation: the rest of the query is still checked.
    assert_eq!(get(&s, "/pets?limit=5&__code=404").await.0, 404);
    assert_eq!(get(&s, "/pets?limit=500&__example=dogs").await.0, 422);
    let (status, body) = get(&s, "/pets?__dynamic=true").await;
    assert_eq!(status, 200);
    assert_ne!(
        body,
        json!([{"id": 1, "name": "Tom"}]),
        "generated, not the example"
    );
    // Query overrides win over Prefer; bad values are named.
    let r = client()
        .get(s.url("/pets?__example=dogs"))
        .header("Prefer", "example=cats")
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()[0]["name"], "Rex");
    let (status, body) = get(&s, "/pets?__code=abc").await;
    assert_eq!(status, 400);
    assert!(body["detail"].as_str().unwrap().contains("abc"), "{body}");
}

#[tokio::test]
async fn a_body_for_an_operation_without_request_body_is_415() {
    let s = habits();
    let r = client()
        .get(s.url("/ping"))
        .header("content-type", "application/json")
        .body(r#"{"a": 1}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415);
    let v: Value = r.json().await.unwrap();
    assert!(
        v["detail"]
            .as_str()
            .unwrap()
            .contains("takes no request body"),
        "{v}"
    );
    // No body (or an empty one) is fine.
    assert_eq!(
        client().get(s.url("/ping")).send().await.unwrap().status(),
        200
    );
    let r = client()
        .get(s.url("/ping"))
        .header("content-type", "application/json")
        .body("")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn preflights_on_a_documented_options_operation_get_cors() {
    let s = habits();
    let r = client()
        .request(reqwest::Method::OPTIONS, s.url("/items/7"))
        .header("Origin", "http://localhost:3000")
        .header("Access-Control-Request-Method", "PUT")
        .header("Access-Control-Request-Headers", "content-type")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "http://localhost:3000"
    );
    assert_eq!(r.headers()["access-control-allow-methods"], "PUT");
    let allow = r.headers()["allow"].to_str().unwrap().to_string();
    assert!(allow.contains("PUT") && allow.contains("DELETE"), "{allow}");
    // A plain OPTIONS still reaches the documented operation.
    let r = client()
        .request(reqwest::Method::OPTIONS, s.url("/items/7"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"supports": ["PUT", "DELETE"]})
    );
}

#[tokio::test]
async fn prefer_example_names_the_error_example_and_unknown_names_are_404() {
    let s = habits();
    let bad = || {
        client()
            .post(s.url("/pets"))
            .header("content-type", "application/json")
            .body(r#"{"name": 5}"#)
    };
    let r = bad().send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"message": "name must be a string"})
    );
    let r = bad()
        .header("Prefer", "example=missingName")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"message": "name is required"})
    );
    // A response without content cannot carry a named example: say which names exist.
    let r = client()
        .get(s.url("/status"))
        .header("Prefer", "example=nope")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["examples"], json!(["maintenance"]), "{v}");
    let r = client()
        .get(s.url("/status"))
        .header("Prefer", "example=maintenance")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 503);
}

#[tokio::test]
async fn examples_that_break_their_schema_are_flagged_or_refused_with_errors() {
    let s = habits();
    let r = client().get(s.url("/broken")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let flagged = r.headers()["x-stubborn-violations"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(flagged.contains("/id"), "{flagged}");
    // Documented examples that agree with their schema carry no flag.
    let r = client().get(s.url("/pets")).send().await.unwrap();
    assert!(r.headers().get("x-stubborn-violations").is_none());

    let strict = habits_with(MockOptions {
        errors: true,
        ..MockOptions::default()
    });
    let (status, body) = get(&strict, "/broken").await;
    assert_eq!(status, 500);
    assert!(
        body["violations"].as_str().unwrap().contains("/id"),
        "{body}"
    );
    assert_eq!(get(&strict, "/pets").await.0, 200);
}

#[tokio::test]
async fn prism_flags_and_start_up_warnings() {
    let spec = fixture("prism/habits.yaml");
    let b = Binary::mock(&[
        spec.to_str().unwrap(),
        "-d",
        "--errors",
        "--cors=false",
        "--seed",
        "3",
        "--json-schema-faker-fillProperties=false",
        "--host",
        "127.0.0.1",
    ]);
    let stderr = b.wait_for_stderr("contradicts its schema", Duration::from_secs(10));
    assert!(
        stderr.contains("/paths/~1broken/get/responses/200/content/application~1json/example: example contradicts its schema"),
        "{stderr}"
    );
    // -d generates valid bodies; the documented example is asked for to see --errors.
    let r = client()
        .get(b.url("/broken?__dynamic=false"))
        .header("Origin", "http://localhost:3000")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 500, "--errors");
    assert!(
        r.headers().get("access-control-allow-origin").is_none(),
        "--cors=false"
    );
    let one: Value = client()
        .get(b.url("/pets"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let two: Value = client()
        .get(b.url("/pets"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_ne!(one, two, "-d: fresh data per request");

    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_stubborn"))
            .args(args)
            .output()
            .unwrap()
    };
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = run(&["completions", shell]);
        assert!(out.status.success(), "{shell}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            // Each shell spells options its own way (`-l dynamic` in fish).
            text.contains("stubborn") && text.contains("dynamic"),
            "{shell}: {text:.300}"
        );
    }
    let man = run(&["man"]);
    assert!(man.status.success());
    let text = String::from_utf8_lossy(&man.stdout);
    assert!(text.contains(".TH stubborn 1"), "{text:.300}");
}

//! Every body stubborn serves validates against the schema of the response it claims to be:
//! every operation of every spec in specs/, in the default mode and in dynamic mode.

mod common;

use common::{client, TestServer};
use serde_json::Value;
use stubborn::compile::MockOptions;
use stubborn::generate::{Direction, GenOptions};
use stubborn::model::ParamIn;
use stubborn::respond::negotiate;
use stubborn::server::HttpOptions;

/// A concrete path for an operation: path parameters filled from their examples or schemas.
fn concrete_path(s: &TestServer, op_index: usize) -> String {
    let op = s.mock.operation(op_index);
    let mut path = op.path.clone();
    for p in op.parameters.iter().filter(|p| p.location == ParamIn::Path) {
        let value = p
            .examples
            .first()
            .map(|e| e.value.clone())
            .or_else(|| {
                p.schema.and_then(|id| {
                    stubborn::generate::generate(&s.mock.api.schemas, id, &Default::default()).ok()
                })
            })
            .unwrap_or(Value::String("x".into()));
        let text = match value {
            Value::String(s) => s,
            other => other.to_string(),
        };
        let encoded =
            percent_encoding::utf8_percent_encode(&text, percent_encoding::NON_ALPHANUMERIC)
                .to_string();
        path = path.replace(&format!("{{{}}}", p.name), &encoded);
    }
    path
}

async fn check_spec(name: &str, options: MockOptions) -> usize {
    let s = TestServer::start_with(name, options, HttpOptions::default());
    let mut checked = 0;
    for (i, op) in s.mock.api.operations.iter().enumerate() {
        let path = concrete_path(&s, i);
        let method = reqwest::Method::from_bytes(op.method.as_str().as_bytes()).unwrap();
        let mut req = client().request(method, s.url(&path));
        // A valid request body, generated from the request schema, so the answer is the
        // operation's own response rather than a rejection.
        if let Some(media) = op.request_body.as_ref().and_then(|rb| rb.content.first()) {
            let body = media
                .schema
                .map(|id| {
                    let opts = GenOptions {
                        direction: Direction::Request,
                        ..GenOptions::default()
                    };
                    stubborn::generate::generate(&s.mock.api.schemas, id, &opts)
                        .expect("request body")
                })
                .unwrap_or(Value::Null);
            req = req
                .header("content-type", media.media_type.as_str())
                .body(body.to_string());
        }
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        assert!(
            status < 400,
            "{name}: {} {path} was rejected with {status}: {:?}",
            op.method,
            r.headers().get("x-stubborn-violations")
        );
        let ct = r
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string());
        let bytes = r.bytes().await.unwrap();
        let response = op
            .responses
            .iter()
            .find(|resp| resp.status.covers(status))
            .unwrap_or_else(|| {
                panic!(
                    "{name}: {} {path} answered undocumented {status}",
                    op.method
                )
            });
        let Some(ct) = ct else {
            assert!(bytes.is_empty(), "{name}: body without content-type");
            continue;
        };
        let media = response
            .content
            .iter()
            .find(|m| negotiate::essence(&m.media_type) == negotiate::essence(&ct))
            .unwrap_or_else(|| panic!("{name}: {} {path} answered undocumented {ct}", op.method));
        let Some(schema) = media.schema else { continue };
        if !negotiate::is_json(&ct) {
            continue;
        }
        let body: Value = serde_json::from_slice(&bytes)
            .unwrap_or_else(|e| panic!("{name}: {} {path}: not JSON ({e})", op.method));
        if let Err(errors) = s.mock.api.schemas.check(schema, &body) {
            panic!(
                "{name}: {} {path} → {status}: body violates its schema:\n{}\n{body:#}",
                op.method,
                errors.join("\n")
            );
        }
        checked += 1;
    }
    checked
}

#[tokio::test]
async fn every_response_of_every_spec_validates() {
    for name in [
        "petstore.yaml",
        "todo-3.1.yaml",
        "multi-file/openapi.yaml",
        "schema-zoo.yaml",
    ] {
        for seed in [0, 1, 2] {
            let n = check_spec(
                name,
                MockOptions {
                    seed,
                    ..Default::default()
                },
            )
            .await;
            assert!(n > 0, "{name}: nothing checked");
        }
    }
}

#[tokio::test]
async fn dynamic_responses_validate_too() {
    for name in ["petstore.yaml", "todo-3.1.yaml", "schema-zoo.yaml"] {
        for _ in 0..5 {
            check_spec(
                name,
                MockOptions {
                    seed: 0,
                    dynamic: true,
                    ..Default::default()
                },
            )
            .await;
        }
    }
}

#[tokio::test]
async fn generated_people_look_like_people() {
    let s = TestServer::start("schema-zoo.yaml");
    let body: Value = client()
        .get(s.url("/people"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let people = body.as_array().unwrap();
    assert!(!people.is_empty());
    for p in people {
        let email = p["email"].as_str().unwrap();
        assert!(email.contains('@') && email.contains('.'), "{email}");
        let first = p["firstName"].as_str().unwrap();
        assert!(first.chars().next().unwrap().is_uppercase(), "{first}");
        assert!(!first.contains(' '), "{first}");
        let created = p["createdAt"].as_str().unwrap();
        let updated = p["updatedAt"].as_str().unwrap();
        assert!(updated >= created, "{updated} < {created}");
    }
}

//! A Swagger 2.0 document of our own (specs/swagger2.yaml), served over HTTP: every 2.0
//! feature converted on load behaves like its OpenAPI 3 counterpart.

mod common;

use common::{client, TestServer};
use serde_json::{json, Value};
use std::sync::OnceLock;

fn server() -> &'static TestServer {
    static S: OnceLock<TestServer> = OnceLock::new();
    S.get_or_init(|| TestServer::start("swagger2.yaml"))
}

#[tokio::test]
async fn base_path_and_response_examples_by_media_type() {
    for path in ["/v2/books", "/books"] {
        let r = client().get(server().url(path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body[0]["title"], "Dune");
    }
    // produces: XML too.
    let r = client()
        .get(server().url("/v2/books"))
        .header("accept", "application/xml")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "application/xml");
}

#[tokio::test]
async fn collection_formats() {
    let ok = client()
        .get(server().url(
            "/v2/books?tags=a,b&authors=x&authors=y&years=1965|1970&words=red%20fox&pageSize=20",
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    let bad = client()
        .get(server().url("/v2/books?years=1965|later&pageSize=99"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    let body: Value = bad.json().await.unwrap();
    let names: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"years/1") && names.contains(&"pageSize"),
        "{body}"
    );
}

#[tokio::test]
async fn body_parameter_and_api_key() {
    let book = json!({"title": "Emma", "author": "Jane Austen", "isbn": null});
    let r = client()
        .post(server().url("/v2/books"))
        .json(&book)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401, "apiKey security definition");
    let r = client()
        .post(server().url("/v2/books"))
        .header("x-api-key", "k")
        .json(&book)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let created: Value = r.json().await.unwrap();
    assert!(
        created["id"].is_i64() && created["available"].is_boolean(),
        "{created}"
    );
    let r = client()
        .post(server().url("/v2/books"))
        .header("x-api-key", "k")
        .json(&json!({"title": ""}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
}

#[tokio::test]
async fn oauth2_or_basic_and_shared_responses() {
    let r = client()
        .get(server().url("/v2/books/7"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let challenge = r.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        challenge.contains("Basic") && challenge.contains("Bearer"),
        "{challenge}"
    );
    let r = client()
        .get(server().url("/v2/books/7"))
        .header("authorization", "Bearer t")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = client()
        .get(server().url("/v2/books/7"))
        .header("authorization", "Basic dXNlcjpwYXNz")
        .header("prefer", "code=404")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        body,
        json!({"code": 404, "message": "no such book"}),
        "the shared #/responses/NotFound"
    );
    // The shared path parameter keeps its bounds.
    let r = client()
        .get(server().url("/v2/books/0"))
        .header("authorization", "Bearer t")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
}

#[tokio::test]
async fn form_data_urlencoded_and_multipart() {
    let r = client()
        .post(server().url("/v2/search"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("q=dune&limit=5")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = client()
        .post(server().url("/v2/search"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("q=d&limit=0")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let boundary = "b0undary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"c.png\"\r\nContent-Type: image/png\r\n\r\nPNG\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"caption\"\r\n\r\nA cover\r\n--{boundary}--\r\n"
    );
    let r = client()
        .put(server().url("/v2/books/7/cover"))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let r = client()
        .put(server().url("/v2/books/7/cover"))
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"caption\"\r\n\r\nx\r\n--{boundary}--\r\n"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422, "the file part is required");
}

#[test]
fn check_names_the_format() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_stubborn"))
        .args(["check", common::spec("swagger2.yaml").to_str().unwrap()])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(
        text.contains("Swagger 2.0 (converted to OpenAPI 3.0)") && text.contains("no warnings"),
        "{text}"
    );
}

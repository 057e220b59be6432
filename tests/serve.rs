//! The mock over HTTP: routing, choosing the response, negotiation, CORS, rendering.

mod common;

use common::{client, TestServer};
use reqwest::StatusCode;
use serde_json::Value;
use stubborn::compile::MockOptions;
use stubborn::server::HttpOptions;

async fn get_json(url: &str) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let r = client().get(url).send().await.expect("request");
    let status = r.status();
    let headers = r.headers().clone();
    let body: Value = r.json().await.expect("json body");
    (status, headers, body)
}

#[tokio::test]
async fn serves_the_documented_example_with_its_headers() {
    let s = TestServer::start("petstore.yaml");
    let (status, headers, body) = get_json(&s.url("/pets")).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/json");
    assert_eq!(headers["x-next"], "/v1/pets?cursor=abc");
    assert_eq!(body[0]["name"], "Rex");
    assert_eq!(body[1]["tag"], "cat");
}

#[tokio::test]
async fn a_literal_segment_beats_a_parameter() {
    let s = TestServer::start("petstore.yaml");
    let (status, _, body) = get_json(&s.url("/pets/mine")).await;
    assert_eq!(status, 200);
    assert_eq!(body, serde_json::json!([]));
    let (status, _, body) = get_json(&s.url("/pets/42")).await;
    assert_eq!(status, 200);
    assert!(body["id"].is_i64(), "{body}");
}

#[tokio::test]
async fn server_base_path_is_optional_and_trailing_slash_tolerated() {
    let s = TestServer::start("petstore.yaml");
    for path in ["/v1/pets", "/pets/", "/v1/pets/"] {
        let r = client().get(s.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
    }
    let r = client().get(s.url("/v2/pets")).send().await.unwrap();
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn unknown_path_is_a_404_problem_naming_the_nearest_route() {
    let s = TestServer::start("petstore.yaml");
    let (status, headers, body) = get_json(&s.url("/pet/1")).await;
    assert_eq!(status, 404);
    assert_eq!(headers["content-type"], "application/problem+json");
    assert_eq!(body["status"], 404);
    assert_eq!(body["title"], "Not Found");
    assert!(body["type"].as_str().unwrap().starts_with("https://"));
    assert!(
        body["detail"].as_str().unwrap().contains("/pets/{petId}"),
        "{body}"
    );
}

#[tokio::test]
async fn wrong_method_is_a_405_with_allow() {
    let s = TestServer::start("petstore.yaml");
    let r = client().put(s.url("/pets/1")).send().await.unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(r.headers()["allow"], "GET, DELETE, HEAD");
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let body: Value = r.json().await.unwrap();
    assert!(body["detail"].as_str().unwrap().contains("PUT"));
}

#[tokio::test]
async fn head_answers_like_get_without_a_body() {
    let s = TestServer::start("petstore.yaml");
    let r = client().head(s.url("/pets")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/json");
    assert_eq!(r.headers()["x-next"], "/v1/pets?cursor=abc");
    assert!(r.bytes().await.unwrap().is_empty());
}

#[tokio::test]
async fn cors_preflight_allows_what_was_asked() {
    let s = TestServer::start("petstore.yaml");
    let r = client()
        .request(reqwest::Method::OPTIONS, s.url("/pets"))
        .header("Origin", "http://app.example")
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "content-type, x-trace")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let h = r.headers();
    assert_eq!(h["access-control-allow-origin"], "http://app.example");
    assert_eq!(h["access-control-allow-methods"], "POST");
    assert_eq!(h["access-control-allow-headers"], "content-type, x-trace");
    // Simple requests get the origin header too.
    let r = client()
        .get(s.url("/pets"))
        .header("Origin", "http://app.example")
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "http://app.example"
    );
}

#[tokio::test]
async fn no_cors_turns_the_headers_off() {
    let s = TestServer::start_with(
        "petstore.yaml",
        MockOptions::default(),
        HttpOptions {
            cors: false,
            ..Default::default()
        },
    );
    let r = client()
        .get(s.url("/pets"))
        .header("Origin", "http://app.example")
        .send()
        .await
        .unwrap();
    assert!(r.headers().get("access-control-allow-origin").is_none());
    let r = client()
        .request(reqwest::Method::OPTIONS, s.url("/pets"))
        .header("Origin", "http://app.example")
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await
        .unwrap();
    assert!(r.headers().get("access-control-allow-methods").is_none());
    assert_eq!(r.headers()["allow"], "GET, POST, HEAD, OPTIONS");
}

#[tokio::test]
async fn accept_picks_the_media_type() {
    let s = TestServer::start("petstore.yaml");
    let r = client()
        .get(s.url("/pets"))
        .header("Accept", "application/xml")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/xml");
    let text = r.text().await.unwrap();
    assert!(text.starts_with("<?xml"), "{text}");
    assert!(text.contains("<pets>") && text.contains("<pet>"), "{text}");

    let r = client()
        .get(s.url("/pets"))
        .header("Accept", "application/xml;q=0.5, application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "application/json");

    let r = client()
        .get(s.url("/pets"))
        .header("Accept", "image/png")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 406);
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        body["available"],
        serde_json::json!(["application/json", "application/xml"])
    );
}

#[tokio::test]
async fn content_less_responses_have_no_body() {
    let s = TestServer::start("petstore.yaml");
    let r = client().delete(s.url("/pets/3")).send().await.unwrap();
    assert_eq!(r.status(), 204);
    assert!(r.headers().get("content-type").is_none());
    assert!(r.bytes().await.unwrap().is_empty());
}

#[tokio::test]
async fn range_and_default_statuses() {
    let s = TestServer::start("todo-3.1.yaml");
    // `2XX` is served as 200, `default` as 200.
    let r = client()
        .get(s.url("/api/todos/0b7e2a38-4c43-4f3e-9b7e-0d1f5a9b6c11"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let (status, _, body) = get_json(&s.url("/health")).await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn text_plain_uses_the_schema_examples() {
    let s = TestServer::start("todo-3.1.yaml");
    let r = client()
        .get(s.url("/api/todos/0b7e2a38-4c43-4f3e-9b7e-0d1f5a9b6c11"))
        .header("Accept", "text/plain")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "text/plain");
    assert_eq!(r.text().await.unwrap(), "Buy milk");
}

#[tokio::test]
async fn files_joined_by_relative_refs() {
    let s = TestServer::start("multi-file/openapi.yaml");
    let (status, _, body) = get_json(&s.url("/books/9780441172719")).await;
    assert_eq!(status, 200);
    assert_eq!(body["title"], "Dune");
    let (status, _, body) = get_json(&s.url("/books")).await;
    assert_eq!(status, 200);
    let books = body.as_array().expect("array");
    for book in books {
        let isbn = book["isbn"].as_str().unwrap();
        assert!(isbn.len() == 13 && isbn.starts_with("97"), "{isbn}");
        assert!(book["author"]["name"].is_string());
    }
}

#[tokio::test]
async fn the_same_seed_gives_the_same_bodies_and_another_seed_others() {
    let a = TestServer::start_with(
        "schema-zoo.yaml",
        MockOptions {
            seed: 1,
            ..Default::default()
        },
        HttpOptions::default(),
    );
    let b = TestServer::start_with(
        "schema-zoo.yaml",
        MockOptions {
            seed: 1,
            ..Default::default()
        },
        HttpOptions::default(),
    );
    let c = TestServer::start_with(
        "schema-zoo.yaml",
        MockOptions {
            seed: 2,
            ..Default::default()
        },
        HttpOptions::default(),
    );
    let body = |s: &TestServer| {
        let url = s.url("/people");
        async move {
            client()
                .get(url)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        }
    };
    let (x, y, z) = (body(&a).await, body(&b).await, body(&c).await);
    assert_eq!(x, y);
    assert_ne!(x, z);
    // And the same server gives the same body twice.
    assert_eq!(x, body(&a).await);
}

#[tokio::test]
async fn dynamic_mode_gives_fresh_data_every_time() {
    let s = TestServer::start_with(
        "schema-zoo.yaml",
        MockOptions {
            seed: 0,
            dynamic: true,
            ..Default::default()
        },
        HttpOptions::default(),
    );
    let mut seen = std::collections::HashSet::new();
    for _ in 0..5 {
        let text = client()
            .get(s.url("/people"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        seen.insert(text);
    }
    assert!(
        seen.len() >= 4,
        "only {} distinct bodies in 5 requests",
        seen.len()
    );
}

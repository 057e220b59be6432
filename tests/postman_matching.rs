//! Postman's matching algorithm over HTTP, one test per rule, against the collection in
//! specs/postman: method filter, x-mock-response-code/-name/-id, path scoring (exact,
//! trailing slash, case, variables and ids, Levenshtein distance), query parameters, and
//! header/body matching when x-mock-match-request-* ask for it.

mod common;

use common::{client, TestServer};
use serde_json::{json, Value};
use std::sync::OnceLock;

fn server() -> &'static TestServer {
    static S: OnceLock<TestServer> = OnceLock::new();
    S.get_or_init(|| TestServer::start("postman/petstore.postman_collection.json"))
}

async fn get(path: &str, headers: &[(&str, &str)]) -> (u16, Value) {
    let mut req = client().get(server().url(path));
    for (k, v) in headers {
        req = req.header(*k, *v);
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
async fn method_filter() {
    let r = client().put(server().url("/pets/1")).send().await.unwrap();
    assert_eq!(
        r.status(),
        404,
        "no PUT example in the collection: Postman's 404"
    );
    let v: Value = r.json().await.unwrap();
    assert!(
        v["nearest"][0].as_str().unwrap().starts_with("GET /pets/1"),
        "{v}"
    );
}

#[tokio::test]
async fn exact_path_and_variables_select_the_saved_example() {
    assert_eq!(get("/pets/1", &[]).await.1["name"], "Tom");
    assert_eq!(get("/pets/2", &[]).await.1["name"], "Rex");
    let (s, _) = get("/pets/999", &[]).await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn trailing_slash_case_and_typos_still_match() {
    assert_eq!(
        get("/pets/2/", &[]).await.1["name"],
        "Rex",
        "trailing slash"
    );
    assert_eq!(get("/PETS/2", &[]).await.1["name"], "Rex", "case");
    assert_eq!(
        get("/petz/2", &[]).await.1["name"],
        "Rex",
        "one edit in four letters: within Postman's 75% (Levenshtein)"
    );
    assert_eq!(
        get("/pest/2", &[]).await.0,
        404,
        "two edits in four: too far"
    );
    assert_eq!(get("/zzzzz/2", &[]).await.0, 404, "too far from any path");
}

#[tokio::test]
async fn query_parameters_score() {
    let (_, dogs) = get("/pets?species=dog", &[]).await;
    assert!(
        dogs.to_string().contains("Rex") && !dogs.to_string().contains("Tom"),
        "{dogs}"
    );
    let (_, cats) = get("/pets?species=cat", &[]).await;
    assert!(cats.to_string().contains("Tom"), "{cats}");
}

#[tokio::test]
async fn explicit_headers() {
    assert_eq!(
        get("/pets/1", &[("x-mock-response-name", "dog")]).await.1["name"],
        "Rex"
    );
    assert_eq!(
        get("/pets/1", &[("x-mock-response-code", "404")]).await.0,
        404
    );
    assert_eq!(
        get("/pets/1", &[("x-mock-response-id", "ex-dog")]).await.1["name"],
        "Rex"
    );
}

#[tokio::test]
async fn body_matching_only_when_asked() {
    let post = |body: Value, strict: bool| {
        let mut req = client().post(server().url("/pets")).json(&body);
        if strict {
            req = req.header("x-mock-match-request-body", "true");
        }
        async move { req.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(
        post(json!({"name": "Tom", "species": "cat"}), false).await,
        201,
        "bodies are not compared unless asked: the 2xx example"
    );
    assert_eq!(
        post(json!({"name": "Tom", "species": "cat"}), true).await,
        409,
        "strict: the example whose body is the request's"
    );
    assert_eq!(
        post(json!({"name": "Tom", "species": "dog"}), true).await,
        404,
        "strict: no example has this body"
    );
}

//! stubborn as a library, used as an outside crate would: only the documented items at the
//! crate root (`MockServer`, `Stub`, `ReceivedRequest`, `Error`...), a real server on an
//! ephemeral port, and `reqwest` as the client under test.

use serde_json::json;
use std::time::{Duration, Instant};
use stubborn::{Error, MockServer, Stub, ValidateMode};

fn petstore() -> String {
    format!("{}/specs/petstore.yaml", env!("CARGO_MANIFEST_DIR"))
}

/// The whole story of a test that keeps the contract: the document answers, a stub with an
/// expectation answers first, the requests read back typed, and the contract holds.
#[tokio::test]
async fn a_client_that_keeps_the_contract_passes() {
    let server = MockServer::start(petstore()).await.expect("starts");
    assert!(server.uri().starts_with("http://127.0.0.1:"));
    let client = reqwest::Client::new();

    let pets: Vec<serde_json::Value> = client
        .get(server.url("/pets?limit=2"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(!pets.is_empty() && pets.len() <= 100);

    server
        .register(
            Stub::get("/pets/{petId}")
                .path_param("petId", "7")
                .status(200)
                .json(json!({"id": 7, "name": "Rex", "createdAt": "2026-01-01T00:00:00Z"}))
                .expect(1),
        )
        .expect("registers");
    let rex: serde_json::Value = client
        .get(server.url("/pets/7"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(rex["name"], "Rex");
    // Another pet is not the stub's: the document answers.
    let other = client.get(server.url("/pets/8")).send().await.unwrap();
    assert_eq!(other.status(), 200);
    assert_ne!(
        other.json::<serde_json::Value>().await.unwrap()["name"],
        "Rex"
    );

    let created = client
        .post(server.url("/pets"))
        .header("x-trace", "t-1")
        .json(&json!({"name": "Tom", "tag": "cat"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);

    let requests = server.received_requests();
    let seen: Vec<(String, String, Option<String>)> = requests
        .iter()
        .map(|r| (r.method.clone(), r.path.clone(), r.operation.clone()))
        .collect();
    let op = |s: &str| Some(s.to_string());
    assert_eq!(
        seen,
        [
            ("GET".into(), "/pets".into(), op("listPets")),
            ("GET".into(), "/pets/7".into(), op("showPetById")),
            ("GET".into(), "/pets/8".into(), op("showPetById")),
            ("POST".into(), "/pets".into(), op("createPet")),
        ]
    );
    assert_eq!(requests[0].query.as_deref(), Some("limit=2"));
    assert!(requests[1]
        .answered_by
        .as_deref()
        .is_some_and(|a| a.starts_with("stub=")));
    assert_eq!(requests[3].header("X-Trace"), Some("t-1"));
    assert_eq!(requests[3].status, 201);
    let body: serde_json::Value = requests[3].body_json().unwrap();
    assert_eq!(body, json!({"name": "Tom", "tag": "cat"}));
    assert!(requests.iter().all(|r| r.violations.is_empty()));

    server.verify().expect("the stub answered once");
    server
        .check_contract()
        .expect("every request kept the contract");
    server.assert_contract_kept();
}

/// A request that breaks the contract fails the assertion, with the request named.
#[tokio::test]
#[should_panic(expected = "POST /pets → 422 (createPet)")]
async fn a_client_that_breaks_the_contract_fails() {
    let server = MockServer::start(petstore()).await.unwrap();
    let client = reqwest::Client::new();
    client.get(server.url("/pets")).send().await.unwrap();
    // No `name`, which NewPet requires.
    let answer = client
        .post(server.url("/pets"))
        .json(&json!({"tag": "dog"}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 422);
    server.assert_contract_kept();
}

/// The check as a value: every broken request listed with its violations, the good ones not.
#[tokio::test]
async fn the_contract_check_returns_every_broken_request() {
    let server = MockServer::start(petstore()).await.unwrap();
    let client = reqwest::Client::new();
    client
        .get(server.url("/pets?limit=3"))
        .send()
        .await
        .unwrap();
    client
        .get(server.url("/pets?limit=1000"))
        .send()
        .await
        .unwrap();
    client
        .post(server.url("/pets"))
        .json(&json!({"name": ""}))
        .send()
        .await
        .unwrap();
    client.get(server.url("/owners")).send().await.unwrap();
    let Err(Error::ContractBroken {
        requests,
        received,
        unchecked,
    }) = server.check_contract()
    else {
        panic!("the contract was broken three times");
    };
    assert_eq!((requests.len(), received, unchecked), (3, 4, 0));
    assert_eq!(requests[0].query.as_deref(), Some("limit=1000"));
    assert!(
        requests[0].violations.iter().any(|v| v.contains("limit")),
        "{:?}",
        requests[0].violations
    );
    assert_eq!(requests[1].path, "/pets");
    assert!(!requests[1].violations.is_empty());
    assert_eq!(
        (requests[2].path.as_str(), requests[2].status),
        ("/owners", 404)
    );
    assert_eq!(requests[2].operation, None);
    let text = server.check_contract().unwrap_err().to_string();
    assert!(
        text.starts_with("3 of 4 request(s) broke the contract:"),
        "{text}"
    );
    assert!(
        text.contains("GET /owners → 404: the document has no operation for it"),
        "{text}"
    );
}

/// A stub answers whatever the request, but the request is still judged by the contract.
#[tokio::test]
async fn requests_a_stub_answers_are_checked_too() {
    let server = MockServer::start(petstore()).await.unwrap();
    server
        .register(Stub::post("/pets").status(201).json(json!({"id": 1})))
        .unwrap();
    server
        .register(Stub::get("/owners").json(json!([])))
        .unwrap();
    let client = reqwest::Client::new();
    let bad = client
        .post(server.url("/pets"))
        .json(&json!({"nickname": "Rex"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 201, "the stub answers");
    assert_eq!(
        client
            .get(server.url("/owners"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let requests = server.received_requests();
    assert_eq!(requests[0].operation.as_deref(), Some("createPet"));
    assert!(
        requests[0].violations.iter().any(|v| v.contains("name")),
        "{:?}",
        requests[0].violations
    );
    assert!(requests[1].breaks_contract() && requests[1].operation.is_none());
    assert!(server.check_contract().is_err());
    server.reset();
    assert!(server.received_requests().is_empty());
    server.assert_contract_kept();
}

/// An expectation not met panics when the server is dropped (wiremock's convention).
#[tokio::test]
#[should_panic(expected = "the pet list: expected exactly 2 times, answered 1 request(s)")]
async fn an_unmet_expectation_panics_on_drop() {
    let server = MockServer::start(petstore()).await.unwrap();
    server
        .register(
            Stub::get("/pets")
                .named("the pet list")
                .json(json!([]))
                .expect(2),
        )
        .unwrap();
    reqwest::get(server.url("/pets")).await.unwrap();
    assert!(matches!(server.verify(), Err(Error::Expectations(ref unmet)) if unmet.len() == 1));
}

/// Expectations as ranges; a stub's matchers; the newest matching stub wins; delays.
#[tokio::test]
async fn stubs_match_count_and_wait() {
    let server = MockServer::start(petstore()).await.unwrap();
    let client = reqwest::Client::new();
    server
        .register(Stub::get("/pets").json(json!([])).expect(1..))
        .unwrap();
    server
        .register(
            Stub::get("/pets")
                .query("limit", "1")
                .header("x-tenant", "acme")
                .response_header("x-served-by", "stub")
                .json(json!([{"id": 1, "name": "A", "createdAt": "2026-01-01T00:00:00Z"}]))
                .delay(Duration::from_millis(300))
                .expect(..=1),
        )
        .unwrap();
    server
        .register(
            Stub::post("/pets")
                .body_field("/name", "Dup")
                .status(409)
                .expect(1),
        )
        .unwrap();
    let t0 = Instant::now();
    let one = client
        .get(server.url("/pets?limit=1"))
        .header("x-tenant", "acme")
        .send()
        .await
        .unwrap();
    assert!(
        t0.elapsed() >= Duration::from_millis(290),
        "{:?}",
        t0.elapsed()
    );
    assert_eq!(one.headers()["x-served-by"], "stub");
    assert_eq!(one.json::<Vec<serde_json::Value>>().await.unwrap().len(), 1);
    let empty = client
        .get(server.url("/pets?limit=1"))
        .header("x-tenant", "other")
        .send()
        .await
        .unwrap();
    assert_eq!(
        empty.json::<Vec<serde_json::Value>>().await.unwrap().len(),
        0
    );
    let dup = client
        .post(server.url("/pets"))
        .json(&json!({"name": "Dup"}))
        .send()
        .await
        .unwrap();
    assert_eq!(dup.status(), 409);
    let fine = client
        .post(server.url("/pets"))
        .json(&json!({"name": "New"}))
        .send()
        .await
        .unwrap();
    assert_eq!(fine.status(), 201);
    server.verify().unwrap();
    server.assert_contract_kept();
}

/// Stubs that answer as the document would (`Prefer`-style), by operation id; a client's own
/// `Prefer` header works as over HTTP.
#[tokio::test]
async fn preferences_per_stub_and_per_call() {
    let server = MockServer::start(petstore()).await.unwrap();
    let client = reqwest::Client::new();
    server
        .register(Stub::operation("showPetById").prefer_status(404).expect(1))
        .unwrap();
    server
        .register(Stub::operation("listPets").prefer_example("two"))
        .unwrap();
    let missing = client.get(server.url("/pets/5")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    let two: Vec<serde_json::Value> = client
        .get(server.url("/pets"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(two.len(), 2);
    assert_eq!(two[0]["name"], "Rex");
    let invalid = client
        .post(server.url("/pets"))
        .header("Prefer", "code=422")
        .json(&json!({"name": "Rex"}))
        .send()
        .await
        .unwrap();
    assert_eq!(invalid.status(), 422);
    let answered_by: Vec<Option<String>> = server
        .received_requests()
        .into_iter()
        .map(|r| r.answered_by)
        .collect();
    assert!(answered_by[0]
        .as_deref()
        .is_some_and(|a| a.starts_with("stub=")));
    server.verify().unwrap();
    server.assert_contract_kept();
}

/// Every bad input is a clear error, not a panic.
#[tokio::test]
async fn bad_inputs_are_errors() {
    let missing = MockServer::start("/no/such/spec.yaml").await.unwrap_err();
    assert!(matches!(missing, Error::Load(_)), "{missing}");
    assert!(
        missing.to_string().contains("/no/such/spec.yaml"),
        "{missing}"
    );

    let broken = MockServer::builder()
        .spec_text("openapi: 3.1.0\npaths: []")
        .start()
        .await
        .unwrap_err();
    assert!(matches!(broken, Error::Load(_)), "{broken}");

    let slow = MockServer::builder()
        .spec(petstore())
        .delay(Duration::from_secs(120))
        .start()
        .await
        .unwrap_err();
    assert!(matches!(slow, Error::Options(_)), "{slow}");

    // Blocking inside an async runtime would stall it: refused.
    let inside = MockServer::start_blocking(petstore()).unwrap_err();
    assert!(matches!(inside, Error::Runtime(_)), "{inside}");

    let server = MockServer::start(petstore()).await.unwrap();
    for (stub, says) in [
        (Stub::operation("nope"), "has no operation `nope`"),
        (
            Stub::new("BAD METHOD", "/pets"),
            "`BAD METHOD` is not an HTTP method",
        ),
        (Stub::get("pets"), "path"),
        (
            Stub::get("/pets").response_header("bad header", "x"),
            "`bad header` is not a header name",
        ),
        (
            Stub::get("/pets").prefer_status(404).status(200),
            "takes no status",
        ),
        (Stub::get("/pets").header_matches("x", "("), "regex"),
    ] {
        let err = server.register(stub).unwrap_err();
        assert!(matches!(err, Error::Stub(_)));
        assert!(err.to_string().contains(says), "{err} should say {says}");
    }
}

/// Options of `mock` through the builder: a document as text, warn mode, a private key.
#[tokio::test]
async fn builder_options_apply() {
    let server = MockServer::builder()
        .spec_text(
            "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /n:\n    get:\n      parameters:\n        - {name: q, in: query, required: true, schema: {type: integer}}\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {type: integer}\n",
        )
        .validate(ValidateMode::Warn)
        .api_key("k")
        .start()
        .await
        .unwrap();
    let client = reqwest::Client::new();
    assert_eq!(
        client
            .get(server.url("/n?q=1"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    let warned = client
        .get(server.url("/n?q=x"))
        .header("x-api-key", "k")
        .send()
        .await
        .unwrap();
    assert_eq!(warned.status(), 200, "warn answers a bad request");
    // A request without the key is refused before it is logged.
    let requests = server.received_requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].header("x-api-key"), Some("[redacted]"));
    assert!(!requests[0].violations.is_empty());
    assert!(server.check_contract().is_err());
}

/// A Postman collection serves its saved examples.
#[tokio::test]
async fn a_postman_collection_serves() {
    let server = MockServer::start(format!(
        "{}/specs/postman/petstore.postman_collection.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .await
    .unwrap();
    let answer = reqwest::get(server.url("/pets")).await.unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(server.received_requests().len(), 1);
}

/// The blocking wrapper, in a plain synchronous test.
#[test]
fn the_blocking_wrapper_serves_a_synchronous_test() {
    let server = MockServer::start_blocking(petstore()).unwrap();
    server
        .register(Stub::get("/pets/mine").json(json!([])).expect(1))
        .unwrap();
    let client = reqwest::blocking::Client::new();
    let mine: Vec<serde_json::Value> = client
        .get(server.url("/pets/mine"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert!(mine.is_empty());
    assert_eq!(
        client.get(server.url("/pets/1")).send().unwrap().status(),
        200
    );
    assert_eq!(server.received_requests().len(), 2);
    server.verify().unwrap();
    server.assert_contract_kept();
    let uri = server.uri();
    drop(server);
    // Stopped: the port no longer answers.
    assert!(client.get(format!("{uri}/pets")).send().is_err());
}

//! The admin API and private mocks over HTTP.

mod common;

use common::{client, TestServer};
use serde_json::{json, Value};
use stubborn::compile::MockOptions;
use stubborn::server::HttpOptions;

fn with(http: HttpOptions) -> TestServer {
    TestServer::start_with("petstore.yaml", MockOptions::default(), http)
}

async fn json_get(url: String, key: Option<&str>) -> (u16, Value) {
    let mut req = client().get(url);
    if let Some(k) = key {
        req = req.header("x-api-key", k);
    }
    let r = req.send().await.unwrap();
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn health_routes_and_spec() {
    let s = with(HttpOptions::default());
    let (st, health) = json_get(s.url("/__stubborn/health"), None).await;
    assert_eq!(st, 200);
    assert_eq!(health["status"], "ok");
    assert_eq!(health["operations"], 5);
    let (_, routes) = json_get(s.url("/__stubborn/routes"), None).await;
    let list = routes["routes"].as_array().unwrap();
    assert!(
        list.iter()
            .any(|r| r["operationId"] == "showPetById" && r["path"] == "/pets/{petId}"),
        "{routes}"
    );
    let (st, spec) = json_get(s.url("/__stubborn/spec"), None).await;
    assert_eq!(st, 200);
    assert_eq!(spec["info"]["title"], "Swagger Petstore");
    let (st, _) = json_get(s.url("/__stubborn/nope"), None).await;
    assert_eq!(st, 404);
}

#[tokio::test]
async fn the_call_log_records_filters_and_counts() {
    let s = with(HttpOptions::default());
    let c = client();
    c.get(s.url("/pets?limit=5"))
        .header("authorization", "Bearer secret")
        .send()
        .await
        .unwrap();
    c.get(s.url("/pets/1")).send().await.unwrap();
    c.post(s.url("/pets"))
        .json(&json!({"name": "Rex", "tag": "dog"}))
        .send()
        .await
        .unwrap();
    c.post(s.url("/pets"))
        .json(&json!({"tag": "lizard"}))
        .send()
        .await
        .unwrap();
    c.get(s.url("/nowhere")).send().await.unwrap();

    let (_, all) = json_get(s.url("/__stubborn/requests"), None).await;
    let list = all["requests"].as_array().unwrap();
    assert_eq!(list.len(), 5, "{all}");
    // Newest first; each with its operation, status, scenario note and latency.
    assert_eq!(list[0]["path"], "/nowhere");
    assert_eq!(list[0]["status"], 404);
    let first = &list[4];
    assert_eq!(first["operation"], "listPets");
    assert_eq!(first["query"], "limit=5");
    assert_eq!(first["headers"]["authorization"], "[redacted]");
    assert!(first["latencyMs"].is_number());

    let (_, invalid) = json_get(s.url("/__stubborn/requests?only-invalid=true"), None).await;
    let inv = invalid["requests"].as_array().unwrap();
    assert_eq!(inv.len(), 1, "{invalid}");
    assert_eq!(inv[0]["status"], 422);
    assert!(
        inv[0]["violations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v.as_str().unwrap().contains("name")),
        "{invalid}"
    );

    let (_, posts) = json_get(s.url("/__stubborn/requests?method=post&limit=1"), None).await;
    assert_eq!(posts["requests"].as_array().unwrap().len(), 1);
    let (_, by_op) = json_get(s.url("/__stubborn/requests?operation=showPetById"), None).await;
    assert_eq!(by_op["requests"][0]["path"], "/pets/1");
    let (_, by_prefix) = json_get(s.url("/__stubborn/requests?path=/pets&status=201"), None).await;
    assert_eq!(by_prefix["requests"].as_array().unwrap().len(), 1);

    let id = list[1]["id"].as_u64().unwrap();
    let (st, one) = json_get(s.url(&format!("/__stubborn/requests/{id}")), None).await;
    assert_eq!((st, one["id"].as_u64()), (200, Some(id)));

    // Verify how a client called the API.
    let count = |m: Value| {
        let url = s.url("/__stubborn/requests/count");
        async move {
            client()
                .post(url)
                .json(&m)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()["count"]
                .clone()
        }
    };
    assert_eq!(count(json!({"method": "POST", "path": "/pets"})).await, 2);
    assert_eq!(
        count(json!({"method": "POST", "body": {"/name": "Rex"}})).await,
        1
    );
    assert_eq!(
        count(json!({"path": "/pets", "query": {"limit": "5"}})).await,
        1
    );
    assert_eq!(count(json!({"method": "DELETE"})).await, 0);

    let r = c
        .delete(s.url("/__stubborn/requests"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let (_, empty) = json_get(s.url("/__stubborn/requests"), None).await;
    assert_eq!(empty["count"], 0);
}

#[tokio::test]
async fn the_log_is_a_bounded_ring() {
    let s = with(HttpOptions {
        log_count: 10,
        ..HttpOptions::default()
    });
    for _ in 0..50 {
        client().get(s.url("/pets/1")).send().await.unwrap();
    }
    let (_, all) = json_get(s.url("/__stubborn/requests?limit=1000"), None).await;
    assert_eq!(all["count"], 10);
}

#[tokio::test]
async fn a_private_mock_answers_nothing_without_its_key() {
    let s = with(HttpOptions {
        api_key: Some("s3cret".into()),
        ..HttpOptions::default()
    });
    for path in [
        "/pets",
        "/pets/1",
        "/nowhere",
        "/__stubborn/health",
        "/__stubborn/requests",
        "/__stubborn/spec",
    ] {
        let (st, body) = json_get(s.url(path), None).await;
        assert_eq!(st, 401, "{path}");
        assert_eq!(body["status"], 401);
        let (st, _) = json_get(s.url(path), Some("wrong")).await;
        assert_eq!(st, 401, "{path} with a wrong key");
    }
    let r = client()
        .post(s.url("/pets"))
        .json(&json!({"name": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let (st, _) = json_get(s.url("/pets"), Some("s3cret")).await;
    assert_eq!(st, 200);
    // The dashboard page alone may carry the key in its URL (a browser cannot add headers to
    // a page load); nothing else accepts it there.
    let page = client()
        .get(s.url("/__stubborn/?key=s3cret"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("<html"));
    assert_eq!(
        client()
            .get(s.url("/__stubborn/?key=wrong"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    assert_eq!(
        client()
            .get(s.url("/__stubborn/health?key=s3cret"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    assert_eq!(
        client()
            .get(s.url("/pets?key=s3cret"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    let (st, log) = json_get(s.url("/__stubborn/requests"), Some("s3cret")).await;
    assert_eq!(st, 200);
    // The key is never logged.
    assert!(!log.to_string().contains("s3cret"), "{log}");
}

#[tokio::test]
async fn runtime_stubs_answer_before_the_document() {
    let s = with(HttpOptions::default());
    let c = client();
    let r = c
        .post(s.url("/__stubborn/stubs"))
        .json(&json!({"method": "GET", "path": "/pets/{petId}", "when": {"path": {"petId": "7"}},
                      "response": {"status": 200, "body": {"id": 7, "name": "Lucky"}, "headers": {"x-from": "stub"}}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let stub: Value = r.json().await.unwrap();
    let id = stub["id"].as_u64().unwrap();
    let r = c.get(s.url("/pets/7")).send().await.unwrap();
    assert_eq!(r.headers()["x-from"], "stub");
    assert_eq!(r.json::<Value>().await.unwrap()["name"], "Lucky");
    // Other ids still come from the document.
    let (st, body) = json_get(s.url("/pets/8"), None).await;
    assert_eq!(st, 200);
    assert_ne!(body["name"], "Lucky");
    // A brand-new route.
    c.post(s.url("/__stubborn/stubs"))
        .json(&json!({"method": "POST", "path": "/login", "response": {"status": 204}}))
        .send()
        .await
        .unwrap();
    assert_eq!(c.post(s.url("/login")).send().await.unwrap().status(), 204);
    let (_, list) = json_get(s.url("/__stubborn/stubs"), None).await;
    assert_eq!(list["stubs"].as_array().unwrap().len(), 2);
    assert_eq!(
        c.delete(s.url(&format!("/__stubborn/stubs/{id}")))
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    let (_, body) = json_get(s.url("/pets/7"), None).await;
    assert_ne!(body["name"], "Lucky");
    // A bad stub is a clear 400.
    let r = c
        .post(s.url("/__stubborn/stubs"))
        .json(&json!({"path": "/x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("method"));
    // Reset drops stubs and the log.
    assert_eq!(
        c.post(s.url("/__stubborn/reset"))
            .json(&json!({}))
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    assert_eq!(c.post(s.url("/login")).send().await.unwrap().status(), 404);
    // A stub added after the reset answers again.
    c.post(s.url("/__stubborn/stubs"))
        .json(&json!({"method": "POST", "path": "/login", "response": {"status": 204}}))
        .send()
        .await
        .unwrap();
    assert_eq!(c.post(s.url("/login")).send().await.unwrap().status(), 204);
}

#[tokio::test]
async fn simulated_server_responses_until_removed() {
    let s = with(HttpOptions::default());
    let c = client();
    let r = c
        .post(s.url("/__stubborn/server-response"))
        .json(&json!({"status": 503}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    for path in ["/pets", "/pets/1", "/nowhere"] {
        assert_eq!(
            c.get(s.url(path)).send().await.unwrap().status(),
            503,
            "{path}"
        );
    }
    let (st, _) = json_get(s.url("/__stubborn/health"), None).await;
    assert_eq!(st, 200, "the admin API still answers");
    let r = c
        .post(s.url("/__stubborn/server-response"))
        .json(&json!({"status": 404}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(
        c.delete(s.url("/__stubborn/server-response"))
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    assert_eq!(c.get(s.url("/pets")).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn the_admin_api_describes_itself() {
    let s = with(HttpOptions::default());
    let (st, doc) = json_get(s.url("/__stubborn/openapi.json"), None).await;
    assert_eq!(st, 200);
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["paths"]["/__stubborn/requests/count"]["post"].is_object());
    // stubborn can mock itself: the document loads.
    let dir = std::env::temp_dir().join(format!("stubborn-admin-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("admin.json");
    std::fs::write(&file, doc.to_string()).unwrap();
    let api = stubborn::load::load_file(&file).expect("the admin API's own document loads");
    assert!(api.operations.len() >= 14);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_mock_from_scratch_starts_empty() {
    let server = common::Binary::mock(&[]);
    let addr = server.base.clone();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let result = rt.block_on(async {
        let c = client();
        let before = c.get(format!("{addr}/hello")).send().await.unwrap().status().as_u16();
        c.post(format!("{addr}/__stubborn/stubs"))
            .json(&json!({"method": "GET", "path": "/hello", "response": {"status": 200, "body": {"hi": true}}}))
            .send()
            .await
            .unwrap();
        let after = c.get(format!("{addr}/hello")).send().await.unwrap();
        (before, after.status().as_u16(), after.json::<Value>().await.unwrap())
    });
    drop(server);
    assert_eq!(result.0, 404);
    assert_eq!((result.1, result.2), (200, json!({"hi": true})));
}

#[tokio::test]
async fn a_live_stream_of_requests() {
    use futures_util::StreamExt;
    let s = with(HttpOptions::default());
    let r = client()
        .get(s.url("/__stubborn/requests/stream"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/event-stream"));
    let mut stream = r.bytes_stream();
    // The subscription exists once the headers are back; now make a call.
    client()
        .get(s.url("/pets/3?from=stream"))
        .send()
        .await
        .unwrap();
    let mut seen = String::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while !seen.contains("from=stream") && std::time::Instant::now() < deadline {
        match tokio::time::timeout(std::time::Duration::from_secs(1), stream.next()).await {
            Ok(Some(Ok(chunk))) => seen.push_str(&String::from_utf8_lossy(&chunk)),
            _ => continue,
        }
    }
    assert!(
        seen.contains("event:request") || seen.contains("event: request"),
        "{seen}"
    );
    assert!(seen.contains("\"path\":\"/pets/3\""), "{seen}");
}

//! The call log keeps each call's request and response, headers and bodies, as Postman's mock
//! call log shows them: over HTTP, through `GET /__stubborn/requests/{id}`, the list and the live
//! stream. Bodies are capped, credentials redacted in both directions.

mod common;

use common::{client, TestServer};
use serde_json::{json, Value};
use stubborn::compile::MockOptions;
use stubborn::server::HttpOptions;

/// The call log keeps this much of a body (`calllog::BODY_LIMIT`).
const BODY_LIMIT: usize = 4096;

fn scenarios() -> TestServer {
    TestServer::start_with(
        "scenarios.yaml",
        MockOptions::default(),
        HttpOptions::default(),
    )
}

async fn get_json(url: String) -> Value {
    let r = client().get(url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

/// The newest logged call, read back through `GET /__stubborn/requests/{id}`.
async fn newest(s: &TestServer) -> Value {
    let list = get_json(s.url("/__stubborn/requests?limit=1")).await;
    let id = list["requests"][0]["id"].as_u64().expect("a logged call");
    let one = get_json(s.url(&format!("/__stubborn/requests/{id}"))).await;
    // The list and the single call say the same.
    assert_eq!(list["requests"][0], one);
    one
}

#[tokio::test]
async fn a_call_keeps_its_request_and_response() {
    let s = scenarios();
    let sent = json!({"name": "Max", "kind": "dog"});
    let r = client()
        .post(s.url("/pets?trace=1"))
        .header("x-tier", "gold")
        .header("authorization", "Bearer s3cret")
        .header("cookie", "session=abc")
        .header("x-trace", "t-1")
        .json(&sent)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    assert!(
        r.headers().contains_key("access-control-allow-origin"),
        "the client gets CORS headers"
    );
    let answered = r.text().await.unwrap();

    let call = newest(&s).await;
    // The request side, as before.
    assert_eq!(call["method"], "POST");
    assert_eq!(call["path"], "/pets");
    assert_eq!(call["query"], "trace=1");
    let req = &call["headers"];
    assert_eq!(req["x-tier"], "gold", "{call:#}");
    assert_eq!(req["x-trace"], "t-1");
    assert_eq!(req["content-type"], "application/json");
    assert_eq!(req["authorization"], "[redacted]");
    assert_eq!(req["cookie"], "[redacted]");
    let body: Value = serde_json::from_str(call["body"].as_str().unwrap()).unwrap();
    assert_eq!(body, sent);
    assert_eq!(call["bodyTruncated"], false);
    // Why it matched: the scenario and what it matched on.
    let matched = call["matched"].as_str().unwrap();
    assert!(matched.starts_with("scenario=vip"), "{matched}");

    // The response side: status, headers, body.
    let res = &call["response"];
    assert_eq!(res["status"], 201);
    assert_eq!(call["status"], 201, "the top-level status stays");
    assert_eq!(res["headers"]["content-type"], "application/json");
    assert_eq!(res["headers"]["x-priority"], "high", "{res:#}");
    assert_eq!(res["headers"]["x-stubborn-match"], matched);
    assert!(
        res["headers"]
            .as_object()
            .unwrap()
            .keys()
            .all(|k| !k.starts_with("access-control-")),
        "CORS headers, added per request, are not logged: {res:#}"
    );
    assert_eq!(res["body"], answered.as_str());
    assert_eq!(res["bodyTruncated"], false);
    assert_eq!(call["responseSize"], answered.len());
    let answered: Value = serde_json::from_str(&answered).unwrap();
    assert_eq!(answered["name"], "Goldie");
}

#[tokio::test]
async fn response_secrets_are_redacted_and_big_bodies_capped() {
    let s = scenarios();
    // A stub answers with a cookie, another header and a body far over the limit.
    let items: Vec<String> = (0..200)
        .map(|i| format!("item {i:04} {}", "x".repeat(80)))
        .collect();
    let stub = json!({
        "method": "GET",
        "path": "/big",
        "response": {
            "status": 200,
            "headers": {"Set-Cookie": "session=abc; HttpOnly", "X-Big": "yes"},
            "body": {"items": items}
        }
    });
    let r = client()
        .post(s.url("/__stubborn/stubs"))
        .json(&stub)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);

    let r = client()
        .get(s.url("/big"))
        .header("authorization", "Basic dTpw")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["set-cookie"],
        "session=abc; HttpOnly",
        "the client gets the cookie"
    );
    let answered = r.text().await.unwrap();
    assert!(answered.len() > 4 * BODY_LIMIT, "{}", answered.len());

    let call = newest(&s).await;
    assert_eq!(call["headers"]["authorization"], "[redacted]");
    let res = &call["response"];
    assert_eq!(res["headers"]["set-cookie"], "[redacted]", "{res:#}");
    assert_eq!(res["headers"]["x-big"], "yes");
    let kept = res["body"].as_str().unwrap();
    assert_eq!(kept.len(), BODY_LIMIT);
    assert!(
        answered.starts_with(kept),
        "the kept part is the body's start"
    );
    assert_eq!(res["bodyTruncated"], true);
    assert_eq!(call["responseSize"], answered.len());
    assert!(call["matched"].as_str().unwrap().starts_with("stub="));

    // Nothing of the cookie reaches the log, whatever the endpoint.
    let all = client()
        .get(s.url("/__stubborn/requests?limit=100"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!all.contains("session=abc"), "{all}");
    assert!(!all.contains("dTpw"), "{all}");
}

#[tokio::test]
async fn the_live_stream_sends_the_response_too() {
    use futures_util::StreamExt;
    let s = scenarios();
    let r = client()
        .get(s.url("/__stubborn/requests/stream"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let mut stream = r.bytes_stream();
    client()
        .get(s.url("/pets/1?from=stream"))
        .send()
        .await
        .unwrap();
    let mut seen = String::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let event = loop {
        if let Some(line) = seen
            .lines()
            .find(|l| l.starts_with("data:") && l.contains("from=stream"))
        {
            break line.trim_start_matches("data:").trim().to_string();
        }
        assert!(std::time::Instant::now() < deadline, "no event: {seen}");
        if let Ok(Some(Ok(chunk))) =
            tokio::time::timeout(std::time::Duration::from_secs(1), stream.next()).await
        {
            seen.push_str(&String::from_utf8_lossy(&chunk));
        }
    };
    let call: Value = serde_json::from_str(&event).unwrap();
    assert_eq!(call["response"]["status"], 200);
    assert_eq!(
        call["response"]["headers"]["content-type"],
        "application/json"
    );
    let body: Value = serde_json::from_str(call["response"]["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["name"], "Tom", "{call:#}");
    // The same JSON as GET /__stubborn/requests/{id}.
    let id = call["id"].as_u64().unwrap();
    let one = get_json(s.url(&format!("/__stubborn/requests/{id}"))).await;
    assert_eq!(one, call);
}

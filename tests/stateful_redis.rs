//! `--state redis://...`: two `stubborn` processes on one real redis-server (started by the
//! test on an ephemeral port) behave as one mock: each sees the other's writes, seeds are
//! made once, and concurrent changes through both are never lost.

mod common;

use common::{client, fixture, spec, Binary, RedisServer};
use serde_json::{json, Value};

async fn send(method: &str, url: &str, content_type: &str, body: &Value) -> (u16, Value) {
    let r = client()
        .request(method.parse().unwrap(), url)
        .header("content-type", content_type)
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn get(url: &str) -> (u16, Value) {
    let r = client().get(url).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn replica(doc: &str, redis: &RedisServer, namespace: &str) -> Binary {
    Binary::mock(&[doc, "--state", &redis.url(), "--state-namespace", namespace])
}

#[tokio::test]
async fn two_replicas_see_each_others_writes() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let doc = spec("petstore.yaml");
    let a = replica(doc.to_str().unwrap(), &redis, "pets");
    let b = replica(doc.to_str().unwrap(), &redis, "pets");
    // Standard error is read on a thread of its own: the line may come just after `listening on`.
    let stderr = a.wait_for_stderr("(redis store)", std::time::Duration::from_secs(10));
    assert!(stderr.contains("(redis store)"), "{stderr}");
    let (_, la) = get(&a.url("/pets")).await;
    let (_, lb) = get(&b.url("/pets")).await;
    assert_eq!(
        la.as_array().unwrap().len(),
        3,
        "seeded once, not by each replica"
    );
    assert_eq!(la, lb);

    let (status, created) = send(
        "POST",
        &a.url("/pets"),
        "application/json",
        &json!({"name": "Fido"}),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(created["id"], 4);
    let (status, read) = get(&b.url("/pets/4")).await;
    assert_eq!((status, read), (200, created.clone()));
    let (_, lb) = get(&b.url("/pets")).await;
    assert_eq!(lb.as_array().unwrap().len(), 4);
    let (status, created_b) = send(
        "POST",
        &b.url("/pets"),
        "application/json",
        &json!({"name": "Tom"}),
    )
    .await;
    assert_eq!(
        (status, created_b["id"].clone()),
        (201, json!(5)),
        "one counter for both"
    );

    let r = client().delete(b.url("/pets/4")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 204);
    let (status, _) = get(&a.url("/pets/4")).await;
    assert_eq!(status, 404);

    // Fixtures loaded through one replica's admin API are the other's too.
    let r = client()
        .put(a.url("/__stubborn/state/pets"))
        .header("content-type", "application/json")
        .body(json!([{"id": 7, "name": "Seven", "createdAt": "2026-01-01T00:00:00Z"}]).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    let (_, state) = get(&b.url("/__stubborn/state")).await;
    assert_eq!(state["store"], "redis");
    assert_eq!(state["resources"][0]["count"], 1);
    let (_, lb) = get(&b.url("/pets")).await;
    assert_eq!(
        lb,
        json!([{"id": 7, "name": "Seven", "createdAt": "2026-01-01T00:00:00Z"}])
    );
    let r = client()
        .post(b.url("/__stubborn/reset"))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    let (_, la) = get(&a.url("/pets")).await;
    assert_eq!(la.as_array().unwrap().len(), 3, "back to the seed for both");

    // Another namespace is another mock.
    let c = replica(doc.to_str().unwrap(), &redis, "other");
    let (_, lc) = get(&c.url("/pets")).await;
    assert_eq!(lc.as_array().unwrap().len(), 3);
    send(
        "POST",
        &c.url("/pets"),
        "application/json",
        &json!({"name": "Solo"}),
    )
    .await;
    let (_, la) = get(&a.url("/pets")).await;
    assert_eq!(la.as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn concurrent_changes_through_two_replicas_are_all_kept() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let doc = fixture("stateful/accounts.yaml");
    let a = replica(doc.to_str().unwrap(), &redis, "accounts");
    let b = replica(doc.to_str().unwrap(), &redis, "accounts");
    let (status, created) = send(
        "POST",
        &a.url("/v2/users"),
        "application/json",
        &json!({"name": "Ann", "email": "ann@example.com", "labels": {}}),
    )
    .await;
    assert_eq!(status, 201);
    let id = created["data"]["id"].as_str().unwrap().to_string();

    // 100 PATCHes of one item, each adding its own key, half through each replica, at once.
    let mut tasks = Vec::new();
    for i in 0..100 {
        let url = if i % 2 == 0 { a.url("") } else { b.url("") };
        let url = format!("{url}/v2/users/{id}");
        tasks.push(tokio::spawn(async move {
            send(
                "PATCH",
                &url,
                "application/merge-patch+json",
                &json!({"labels": {format!("k{i}"): format!("v{i}")}}),
            )
            .await
        }));
    }
    for t in tasks {
        let (status, body) = t.await.unwrap();
        assert_eq!(status, 200, "{body}");
    }
    let (_, user) = get(&b.url(&format!("/v2/users/{id}"))).await;
    let labels = user["data"]["labels"].as_object().unwrap();
    assert_eq!(labels.len(), 100, "no patch lost: {labels:?}");

    // 60 creates at once through both: 60 distinct ids, all listed.
    let mut tasks = Vec::new();
    for i in 0..60 {
        let url = if i % 2 == 0 { a.url("") } else { b.url("") };
        let url = format!("{url}/v2/users/{id}/orders");
        tasks.push(tokio::spawn(async move {
            send("POST", &url, "application/json", &json!({"amount": i + 1})).await
        }));
    }
    let mut ids = Vec::new();
    for t in tasks {
        let (status, body) = t.await.unwrap();
        assert_eq!(status, 201, "{body}");
        ids.push(body["id"].as_u64().unwrap());
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 60, "distinct ids");
    let (_, orders) = get(&a.url(&format!("/v2/users/{id}/orders?limit=100"))).await;
    assert_eq!(orders.as_array().unwrap().len(), 60);
}

#[tokio::test]
async fn the_state_outlives_the_replicas() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let doc = spec("petstore.yaml");
    let mut a = replica(doc.to_str().unwrap(), &redis, "outlive");
    let (_, created) = send(
        "POST",
        &a.url("/pets"),
        "application/json",
        &json!({"name": "Kept"}),
    )
    .await;
    a.stop();
    let b = replica(doc.to_str().unwrap(), &redis, "outlive");
    let (status, read) = get(&b.url("/pets/4")).await;
    assert_eq!((status, read), (200, created));
    drop(redis);
    // Redis gone: a clear 503, not a hang or a crash.
    let (status, body) = get(&b.url("/pets/4")).await;
    assert_eq!(status, 503, "{body}");
    let (status, _) = get(&b.url("/pets/mine")).await;
    assert_eq!(status, 200, "stateless operations go on");
}

#[test]
fn an_unreachable_redis_is_a_clear_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_stubborn"))
        .args([
            "mock",
            "--port",
            "0",
            spec("petstore.yaml").to_str().unwrap(),
            "--state",
            &format!("redis://127.0.0.1:{port}"),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--state redis://127.0.0.1:"), "{err}");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_stubborn"))
        .args([
            "mock",
            "--port",
            "0",
            spec("petstore.yaml").to_str().unwrap(),
            "--shared",
            &format!("redis://127.0.0.1:{port}"),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--shared redis://127.0.0.1:"), "{err}");
}

/// Polls `check` every 50 ms for up to 5 s.
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<(), String>>,
{
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        match check().await {
            Ok(()) => return,
            Err(e) if std::time::Instant::now() > deadline => panic!("{what}: {e}"),
            Err(_) => tokio::time::sleep(std::time::Duration::from_millis(50)).await,
        }
    }
}

#[tokio::test]
async fn shared_replicas_show_each_others_calls_and_stubs() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let doc = spec("petstore.yaml");
    let url = redis.url();
    let args = [
        doc.to_str().unwrap(),
        "--state",
        &url,
        "--shared",
        &url,
        "--state-namespace",
        "shared",
    ];
    let a = Binary::mock(&args);
    let b = Binary::mock(&args);
    let (status, _) = get(&a.url("/pets/mine")).await;
    assert_eq!(status, 200);
    let (status, _) = get(&b.url("/pets?limit=1")).await;
    assert_eq!(status, 200);
    for replica in [&a, &b] {
        eventually("both replicas' calls in each call log", || async {
            let (_, log) = get(&replica.url("/__stubborn/requests")).await;
            let paths: Vec<String> = log
                .as_array()
                .or_else(|| log["requests"].as_array())
                .ok_or(format!("not a log: {log}"))?
                .iter()
                .map(|c| format!("{} {}", c["path"].as_str().unwrap_or(""), c["query"]))
                .collect();
            let has = |p: &str| paths.iter().any(|x| x.starts_with(p));
            if has("/pets/mine") && has("/pets \"limit=1\"") {
                Ok(())
            } else {
                Err(format!("{paths:?}"))
            }
        })
        .await;
    }

    // A stub added through one replica answers at the other; removed, it stops there too.
    let r = client()
        .post(b.url("/__stubborn/stubs"))
        .header("content-type", "application/json")
        .body(
            json!({"method": "GET", "path": "/pets/mine", "response": {"status": 200, "body": [{"id": 42, "name": "Stubbed", "createdAt": "2026-01-01T00:00:00Z"}]}})
                .to_string(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    eventually("b's stub answering at a", || async {
        let (_, mine) = get(&a.url("/pets/mine")).await;
        if mine[0]["name"] == "Stubbed" {
            Ok(())
        } else {
            Err(mine.to_string())
        }
    })
    .await;
    let (_, stubs) = get(&a.url("/__stubborn/stubs")).await;
    assert_eq!(stubs["stubs"].as_array().map(Vec::len), Some(1), "{stubs}");
    let r = client()
        .delete(a.url("/__stubborn/stubs"))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    // So does a simulated server response.
    let r = client()
        .post(a.url("/__stubborn/server-response"))
        .header("content-type", "application/json")
        .body(json!({"status": 503}).to_string())
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    eventually("a's simulated 503 at b", || async {
        let (status, _) = get(&b.url("/pets/mine")).await;
        if status == 503 {
            Ok(())
        } else {
            Err(status.to_string())
        }
    })
    .await;
    let r = client()
        .delete(b.url("/__stubborn/server-response"))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    eventually("the stub gone at b too", || async {
        let (_, mine) = get(&b.url("/pets/mine")).await;
        if mine == json!([]) {
            Ok(())
        } else {
            Err(mine.to_string())
        }
    })
    .await;
}

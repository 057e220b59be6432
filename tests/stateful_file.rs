//! `--state-file`: the stateful store journaled to disk. A restart keeps every change, a
//! `kill -9` loses no acknowledged write, and the journal compacts itself.

mod common;

use common::{client, fixture, spec, Binary, TempDir};
use serde_json::{json, Value};

async fn state_of(b: &Binary, resource: &str) -> Value {
    client()
        .get(b.url(&format!("/__stubborn/state/{resource}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

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

#[tokio::test]
async fn a_restart_keeps_every_change() {
    let dir = TempDir::new("state-restart");
    let file = dir.0.join("state.jsonl");
    let doc = fixture("stateful/accounts.yaml");
    let args = [
        doc.to_str().unwrap(),
        "--state-file",
        file.to_str().unwrap(),
    ];
    let mut b = Binary::mock(&args);
    // Standard error is read on a thread of its own: the line may come just after `listening on`.
    let stderr = b.wait_for_stderr("(file store)", std::time::Duration::from_secs(10));
    assert!(stderr.contains("(file store)"), "{stderr}");
    let users = b.url("/v2/users");
    let (status, created) = send(
        "POST",
        &users,
        "application/json",
        &json!({"name": "Ann", "email": "ann@example.com", "labels": {"a": "1"}}),
    )
    .await;
    assert_eq!(status, 201);
    let id = created["data"]["id"].as_str().unwrap().to_string();
    let (status, _) = send(
        "PATCH",
        &format!("{users}/{id}"),
        "application/merge-patch+json",
        &json!({"labels": {"b": "2"}}),
    )
    .await;
    assert_eq!(status, 200);
    let before = state_of(&b, "users").await;
    let seeded = before["items"][0]["id"].as_str().unwrap().to_string();
    let r = client()
        .delete(format!("{users}/{seeded}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    let (status, order) = send(
        "POST",
        &format!("{users}/{id}/orders"),
        "application/json",
        &json!({"amount": 3}),
    )
    .await;
    assert_eq!(status, 201);
    let users_before = state_of(&b, "users").await;
    let orders_before = state_of(&b, "orders").await;
    assert_eq!(users_before["count"], 3);
    b.stop();

    // Another seed on restart: the journal, not the seed, decides.
    let mut args2 = args.to_vec();
    args2.extend(["--seed", "99"]);
    let b = Binary::mock(&args2);
    assert_eq!(state_of(&b, "users").await, users_before);
    assert_eq!(state_of(&b, "orders").await, orders_before);
    let r = client()
        .get(b.url(&format!("/v2/users/{seeded}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404, "the delete was kept");
    let (status, next) = send(
        "POST",
        &b.url(&format!("/v2/users/{id}/orders")),
        "application/json",
        &json!({"amount": 4}),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(
        next["id"].as_u64(),
        order["id"].as_u64().map(|n| n + 1),
        "the counter too"
    );
}

#[tokio::test]
async fn kill_9_loses_no_acknowledged_write() {
    let dir = TempDir::new("state-kill");
    let file = dir.0.join("state.jsonl");
    let doc = spec("petstore.yaml");
    let args = [
        doc.to_str().unwrap(),
        "--state-file",
        file.to_str().unwrap(),
    ];
    let mut b = Binary::mock(&args);
    let url = b.url("/pets");
    // 200 creates, eight at a time; each acknowledged one is remembered.
    let mut acknowledged: Vec<(u64, String)> = Vec::new();
    for batch in 0..25 {
        let mut tasks = Vec::new();
        for i in 0..8 {
            let url = url.clone();
            let name = format!("pet-{batch}-{i}");
            tasks.push(tokio::spawn(async move {
                let (status, body) =
                    send("POST", &url, "application/json", &json!({ "name": name })).await;
                (status, body, name)
            }));
        }
        for t in tasks {
            let (status, body, name) = t.await.unwrap();
            assert_eq!(status, 201, "{body}");
            acknowledged.push((body["id"].as_u64().unwrap(), name));
        }
    }
    assert_eq!(acknowledged.len(), 200);
    b.kill();

    let b = Binary::mock(&args);
    let state = state_of(&b, "pets").await;
    let items = state["items"].as_array().unwrap();
    assert_eq!(items.len(), 203, "three seeds and 200 creates");
    for (id, name) in &acknowledged {
        assert!(
            items.iter().any(|p| p["id"] == *id && p["name"] == *name),
            "pet {id} ({name}) was acknowledged and is lost"
        );
    }
}

#[tokio::test]
async fn the_journal_compacts_itself() {
    let dir = TempDir::new("state-compact");
    let file = dir.0.join("state.jsonl");
    let doc = fixture("stateful/accounts.yaml");
    let args = [
        doc.to_str().unwrap(),
        "--state-file",
        file.to_str().unwrap(),
        "--seed-items",
        "1",
    ];
    let mut b = Binary::mock(&args);
    let users = state_of(&b, "users").await;
    let id = users["items"][0]["id"].as_str().unwrap().to_string();
    let url = b.url(&format!("/v2/users/{id}"));
    let patches = 1100;
    for chunk in 0..(patches / 10) {
        let mut tasks = Vec::new();
        for i in 0..10 {
            let url = url.clone();
            let n = chunk * 10 + i;
            tasks.push(tokio::spawn(async move {
                send(
                    "PATCH",
                    &url,
                    "application/merge-patch+json",
                    &json!({ "notes": format!("note {n}") }),
                )
                .await
                .0
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap(), 200);
        }
    }
    let lines = std::fs::read_to_string(&file).unwrap().lines().count();
    assert!(
        lines < patches,
        "{lines} lines after {patches} changes of one item: never compacted"
    );
    let last = state_of(&b, "users").await;
    b.stop();
    let b = Binary::mock(&args);
    assert_eq!(state_of(&b, "users").await, last);
}

#[test]
fn a_state_file_that_is_not_a_journal_is_refused() {
    let dir = TempDir::new("state-foreign");
    let file = dir.0.join("state.jsonl");
    std::fs::write(&file, "hello\n[\"seeded\"]\n").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_stubborn"))
        .args([
            "mock",
            "--port",
            "0",
            spec("petstore.yaml").to_str().unwrap(),
            "--state-file",
            file.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 1 is not a journal entry"), "{err}");
}

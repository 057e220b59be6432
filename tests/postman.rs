//! `stubborn check` and `stubborn mock` on Postman collections (v2.1 and v2.0), as a user runs
//! them: the binary, a real port, real HTTP.

mod common;

use common::Binary;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_stubborn"))
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/postman")
        .join(name)
}

const PETSTORE: &str = "petstore.postman_collection.json";
const TODOS: &str = "todos.postman_collection.v2.0.json";

fn run(args: &[&str]) -> (i32, String, String) {
    let out = bin().args(args).output().expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `stubborn mock SPEC --port 0`, killed on drop.
struct Mock {
    server: Binary,
    rt: tokio::runtime::Runtime,
}

impl Mock {
    fn start(spec: &Path) -> Mock {
        Mock::start_with(spec, &[])
    }

    fn start_with(spec: &Path, args: &[&str]) -> Mock {
        let mut all = vec![spec.to_str().unwrap()];
        all.extend_from_slice(args);
        Mock {
            server: Binary::mock(&all),
            rt: tokio::runtime::Runtime::new().unwrap(),
        }
    }

    /// Sends a request; the status, the `x-stubborn-match` header and the body (JSON when it
    /// parses, else a string).
    fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<(&str, String)>,
    ) -> (u16, String, Value) {
        self.rt.block_on(async {
            let client = reqwest::Client::new();
            let mut req = client.request(
                reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
                format!("{}{path}", self.server.base),
            );
            for (k, v) in headers {
                req = req.header(*k, *v);
            }
            if let Some((ct, b)) = body {
                req = req.header("content-type", ct).body(b);
            }
            let r = req.send().await.unwrap();
            let status = r.status().as_u16();
            let matched = r
                .headers()
                .get("x-stubborn-match")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            let text = r.text().await.unwrap();
            let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
            (status, matched, body)
        })
    }

    fn get(&self, path: &str) -> (u16, Value) {
        let (s, _, b) = self.send("GET", path, &[], None);
        (s, b)
    }

    fn post_json(&self, path: &str, body: Value) -> (u16, Value) {
        let (s, _, b) = self.send(
            "POST",
            path,
            &[],
            Some(("application/json", body.to_string())),
        );
        (s, b)
    }
}

#[test]
fn check_loads_both_versions() {
    let (code, out, err) = run(&["check", fixture(PETSTORE).to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("Postman Collection v2.1 (converted to OpenAPI 3.1)"),
        "{out}"
    );
    assert!(out.contains("7 operations on 5 paths"), "{out}");
    assert!(
        out.contains("GET /pets/{petId}: cat, dog, missing"),
        "{out}"
    );
    assert!(out.contains("POST /pets: created, duplicate"), "{out}");
    assert!(out.contains("no warnings"), "{out}");

    let (code, out, err) = run(&["check", fixture(TODOS).to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Postman Collection v2.0"), "{out}");
}

#[test]
fn the_user_copy_is_the_fixture() {
    let user = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("specs/postman")
        .join(PETSTORE);
    let a: Value = serde_json::from_str(&std::fs::read_to_string(user).unwrap()).unwrap();
    let b: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture(PETSTORE)).unwrap()).unwrap();
    assert_eq!(a, b);
}

#[test]
fn saved_examples_answer_by_closest_match() {
    let mock = Mock::start(&fixture(PETSTORE));

    let (s, m, b) = mock.send("GET", "/pets/1", &[], None);
    assert_eq!((s, b["name"].clone()), (200, json!("Tom")), "{m}");
    assert!(m.starts_with("saved example \"cat\"; score=100"), "{m}");
    assert_eq!(
        mock.get("/pets/2"),
        (
            200,
            json!({"id": 2, "name": "Rex", "species": "dog", "tags": []})
        )
    );
    assert_eq!(
        mock.get("/pets/999"),
        (404, json!({"message": "pet 999 not found"}))
    );
    // The base URL's path (`/v1`) is accepted too.
    assert_eq!(mock.get("/v1/pets/2").1["name"], "Rex");
    // Another id: every example's id fits (Postman's id rule); the tie goes to the first 2xx.
    assert_eq!(mock.get("/pets/5").1["name"], "Tom");
    // Asked for by name, Postman's way.
    let (s, _, b) = mock.send("GET", "/pets/1", &[("x-mock-response-name", "dog")], None);
    assert_eq!((s, b["name"].clone()), (200, json!("Rex")));
    let (s, _, b) = mock.send("GET", "/pets/1", &[("x-mock-response-code", "404")], None);
    assert_eq!((s, b["message"].clone()), (404, json!("pet 999 not found")));
    // Not an id and not close to one: Postman's 404, naming the closest examples.
    let (s, b) = mock.get("/pets/abc");
    assert_eq!(s, 404);
    assert!(
        b["detail"].as_str().unwrap().contains("GET /pets/1 (cat)"),
        "{b}"
    );

    // Query examples.
    assert_eq!(
        mock.get("/pets?species=dog"),
        (200, json!([{"id": 2, "name": "Rex", "species": "dog"}]))
    );
    let (s, cats) = mock.get("/pets?species=cat");
    assert_eq!((s, cats.as_array().map(Vec::len)), (200, Some(2)));

    // Bodies count only when asked for (x-mock-match-request-body): else the 2xx example.
    let (s, b) = mock.post_json("/pets", json!({"name": "Tom", "species": "cat"}));
    assert_eq!((s, b["name"].clone()), (201, json!("Felix")));
    let strict = |body: Value| {
        mock.send(
            "POST",
            "/pets",
            &[("x-mock-match-request-body", "true")],
            Some(("application/json", body.to_string())),
        )
    };
    let (s, _, b) = strict(json!({"species": "cat", "name": "Tom"}));
    assert_eq!(
        (s, b),
        (409, json!({"message": "Tom is already registered"}))
    );
    assert_eq!(strict(json!({"name": "Bella", "species": "cat"})).0, 404);
    // A collection is not a contract: no validation unless asked for.
    assert_eq!(mock.post_json("/pets", json!({"name": 5})).0, 201);
    let enforced = Mock::start_with(&fixture(PETSTORE), &["--validate", "enforce"]);
    // The body schema was inferred from the examples: `name` must be a string.
    assert_eq!(enforced.post_json("/pets", json!({"name": 5})).0, 422);
    assert_eq!(enforced.get("/pets/abc").0, 422);

    // `{{petId}}` as a whole segment is the same path parameter; an empty example: no body.
    let (s, _, b) = mock.send("DELETE", "/pets/3", &[], None);
    assert_eq!((s, b), (204, json!("")));
}

#[test]
fn response_headers_and_auth_come_from_the_collection() {
    let mock = Mock::start(&fixture(PETSTORE));
    let resp = mock.rt.block_on(async {
        reqwest::Client::new()
            .post(format!("{}/pets", mock.server.base))
            .json(&json!({"name": "Felix", "species": "cat"}))
            .send()
            .await
            .unwrap()
    });
    assert_eq!(resp.status().as_u16(), 201);
    assert_eq!(resp.headers()["location"], "/v1/pets/3");
    assert_eq!(resp.headers()["x-request-id"], "req-123");

    // The Owners folder has bearer auth, which Postman's mocks never check...
    let (s, _, b) = mock.send("GET", "/owners/42", &[], None);
    assert_eq!((s, b["name"].clone()), (200, json!("Ada Lovelace")));
    // ...and stubborn checks only with --enforce-auth.
    let strict = Mock::start_with(
        &fixture(PETSTORE),
        &["--enforce-auth", "--validate", "enforce"],
    );
    let (s, _, b) = strict.send("GET", "/owners/42", &[], None);
    assert_eq!(s, 401, "{b}");
    let (s, _, b) = strict.send(
        "GET",
        "/owners/42",
        &[("authorization", "Bearer secret")],
        None,
    );
    assert_eq!((s, b["name"].clone()), (200, json!("Ada Lovelace")));
    let (s, _, _) = strict.send("GET", "/owners/status", &[], None);
    assert_eq!(s, 200, "noauth");
    // ...and a form body.
    let (s, _, b) = mock.send(
        "POST",
        "/owners",
        &[("authorization", "Bearer secret")],
        Some((
            "application/x-www-form-urlencoded",
            "name=Bo&email=bo%40example.com".into(),
        )),
    );
    assert_eq!((s, b["id"].clone()), (201, json!(43)));
    // ...except the request that says `noauth`.
    let (s, _, b) = mock.send("GET", "/owners/status", &[], None);
    assert_eq!((s, b), (200, json!("up")));
}

#[test]
fn a_v2_0_collection_with_string_urls_serves() {
    let mock = Mock::start(&fixture(TODOS));
    let (s, b) = mock.get("/todos");
    assert_eq!((s, b[0]["title"].clone()), (200, json!("Write tests")));
    let (s, b) = mock.get("/todos?done=true");
    assert_eq!((s, b[0]["title"].clone()), (200, json!("Ship it")));
    let (s, b) = mock.get("/todos/7");
    assert_eq!((s, b["id"].clone()), (200, json!(1)));
    let (s, b) = mock.post_json("/todos", json!({"title": "Buy bread"}));
    assert_eq!((s, b["id"].clone()), (201, json!(3)));
}

#[test]
fn a_broken_collection_names_the_place_and_the_problem() {
    let dir = std::env::temp_dir().join(format!("stubborn-postman-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("broken.postman_collection.json");
    let collection = json!({
        "info": {"name": "Broken", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "item": [
            {"name": "ok", "request": {"method": "GET", "url": "/a"}},
            {"name": "bad", "request": {"method": "GET", "url": 7},
             "response": [{"name": "x", "code": "abc"}]},
            "not an item"
        ]
    });
    std::fs::write(&file, collection.to_string()).unwrap();
    let (code, out, err) = run(&["check", file.to_str().unwrap()]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("#/item/1/request/url: expected a URL"),
        "{err}"
    );
    assert!(err.contains("found the number 7"), "{err}");
    assert!(
        err.contains("#/item/2: expected a request or a folder, found the string \"not an item\""),
        "{err}"
    );
}

#[test]
fn x_mock_response_id_picks_a_saved_example_by_id_or_uid() {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/postman/petstore.postman_collection.json");
    let api = stubborn::load::load_file(&path).expect("collection loads");
    let mock = stubborn::compile::Mock::new(api, Default::default());
    let ask = |id: &str| {
        let mut h = http::HeaderMap::new();
        h.insert("x-mock-response-id", id.parse().unwrap());
        mock.handle(&stubborn::runtime::Request::new(
            stubborn::model::Method::Get,
            "/pets/1",
            None,
            &h,
            &[],
        ))
    };
    let by_id = ask("ex-dog");
    assert_eq!(by_id.status, 200);
    assert!(
        String::from_utf8_lossy(&by_id.body).contains("Rex")
            || String::from_utf8_lossy(&by_id.body)
                .to_lowercase()
                .contains("dog"),
        "{:?}",
        by_id.body
    );
    let by_uid = ask("1234567-ex-missing");
    assert_eq!(by_uid.status, 404);
    let unknown = ask("nope");
    assert_eq!(unknown.status, 404);
    assert!(
        String::from_utf8_lossy(&unknown.body).contains("no saved example matches"),
        "{:?}",
        unknown.body
    );
}

//! `stubborn import` and `stubborn mock x.har` as a user runs them, on a hand-written HAR of a
//! small REST API (`tests/fixtures/traffic.har`).

mod common;

use common::Binary;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_stubborn"))
}

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/traffic.har")
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = bin().args(args).output().expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A throwaway directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let path =
            std::env::temp_dir().join(format!("stubborn-import-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `stubborn mock SPEC --port 0`, killed on drop.
fn mock(spec: &Path) -> Binary {
    Binary::mock(&[spec.to_str().unwrap()])
}

/// The recorded response body of the entry whose URL ends with `url_end`.
fn recorded_body(url_end: &str) -> Value {
    let har: Value = serde_json::from_str(&std::fs::read_to_string(fixture()).unwrap()).unwrap();
    let entry = har["log"]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["request"]["url"].as_str().unwrap().ends_with(url_end))
        .unwrap();
    serde_json::from_str(entry["response"]["content"]["text"].as_str().unwrap()).unwrap()
}

fn get(rt: &tokio::runtime::Runtime, url: String) -> (u16, Value) {
    rt.block_on(async {
        let r = reqwest::get(url).await.unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap())
    })
}

/// The requests every mock of the fixture must answer like the recording.
fn answers_like_the_recording(mock: &Binary, spec: &Value) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    // A recorded call: its recorded answer.
    let (status, body) = get(&rt, format!("{}/users/42", mock.base));
    assert_eq!(status, 200);
    assert_eq!(body, recorded_body("/users/42"));
    let (status, body) = get(&rt, format!("{}/users/7", mock.base));
    assert_eq!(status, 200);
    assert_eq!(body, recorded_body("/users/7"));
    // The recorded 404 is a scenario of its own.
    let (status, body) = get(&rt, format!("{}/users/13", mock.base));
    assert_eq!(status, 404);
    assert_eq!(body["detail"], "there is no user 13");
    // An id never recorded: a 200 whose body fits the inferred schema.
    let (status, body) = get(&rt, format!("{}/users/999", mock.base));
    assert_eq!(status, 200);
    let schema = &spec["paths"]["/users/{userId}"]["get"]["responses"]["200"]["content"]
        ["application/json"]["schema"];
    assert_eq!(schema["type"], "object", "{schema}");
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(schema)
        .unwrap();
    assert!(validator.is_valid(&body), "{body} does not fit {schema}");
    // The path parameter's inferred type is enforced.
    let (status, _) = get(&rt, format!("{}/users/abc", mock.base));
    assert!(status == 400 || status == 422, "{status}");
    // The list needs its query parameter (present in every recorded call) and answers by it.
    let (status, body) = get(&rt, format!("{}/users?page=2", mock.base));
    assert_eq!(status, 200);
    assert_eq!(body, recorded_body("/users?page=2"));
    // Creating a user needs the bearer token it was recorded with.
    let post = |auth: Option<&str>| {
        rt.block_on(async {
            let mut req = reqwest::Client::new()
                .post(format!("{}/users", mock.base))
                .header("content-type", "application/json")
                .body(
                    r#"{"name":"Katherine Johnson","email":"katherine@example.com","role":"user"}"#,
                );
            if let Some(a) = auth {
                req = req.header("authorization", a);
            }
            let r = req.send().await.unwrap();
            let status = r.status().as_u16();
            (status, r.json::<Value>().await.unwrap())
        })
    };
    assert_eq!(post(None).0, 401);
    let (status, body) = post(Some("Bearer t0ken"));
    assert_eq!(status, 201);
    assert_eq!(body, recorded_body("/users"));
    // The form login answers its (base64-recorded) JSON.
    let (status, body) = rt.block_on(async {
        let r = reqwest::Client::new()
            .post(format!("{}/login", mock.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("username=ada&password=analytical%20engine")
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json::<Value>().await.unwrap())
    });
    assert_eq!(status, 200);
    assert_eq!(body["expiresIn"], 3600);
}

#[test]
fn import_check_and_mock_the_written_spec() {
    let dir = TempDir::new("yaml");
    let out = dir.0.join("spec.yaml");
    let (code, stdout, stderr) = run(&[
        "import",
        fixture().to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains("11 entries → 5 operations on 4 paths from 8 exchanges"),
        "{stderr}"
    );
    for skipped in ["1 CORS preflight", "1 non-HTTP", "1 static asset"] {
        assert!(stderr.contains(skipped), "{stderr}");
    }
    let text = std::fs::read_to_string(&out).unwrap();
    let spec: Value = serde_norway::from_str(&text).unwrap();
    assert_eq!(spec["openapi"], "3.1.0");
    assert_eq!(spec["info"]["title"], "api.example.com");
    assert_eq!(
        spec["servers"],
        serde_json::json!([{"url": "https://api.example.com"}])
    );
    let paths: Vec<&String> = spec["paths"].as_object().unwrap().keys().collect();
    assert_eq!(
        paths,
        [
            "/users",
            "/users/{userId}",
            "/login",
            "/users/{userId}/orders/{orderId}"
        ]
    );
    // Dates in examples stay strings for YAML 1.1 readers too.
    assert!(
        text.contains("createdAt: \"2024-01-15T09:30:00Z\""),
        "{text}"
    );

    let (code, stdout, stderr) = run(&["check", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("5 operations on 4 paths"), "{stdout}");
    assert!(stdout.contains("no warnings"), "{stdout}");

    let mock = mock(&out);
    answers_like_the_recording(&mock, &spec);
}

#[test]
fn mock_serves_a_har_file_directly() {
    let dir = TempDir::new("direct");
    let out = dir.0.join("spec.json");
    let (code, _, stderr) = run(&[
        "import",
        fixture().to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    // `-o x.json` writes JSON.
    let spec: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();

    let (code, stdout, stderr) = run(&["check", fixture().to_str().unwrap()]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("HAR (imported as OpenAPI 3.1)"), "{stdout}");
    assert!(stdout.contains("no warnings"), "{stdout}");

    let mock = mock(&fixture());
    answers_like_the_recording(&mock, &spec);
}

#[test]
fn yaml_goes_to_standard_output_without_o() {
    let (code, stdout, stderr) = run(&["import", fixture().to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let spec: Value = serde_norway::from_str(&stdout).unwrap();
    assert_eq!(spec["paths"]["/users"]["get"]["operationId"], "listUsers");
    assert!(!stderr.contains("wrote"), "{stderr}");
}

#[test]
fn errors_name_the_file_and_the_problem() {
    let dir = TempDir::new("errors");
    let (code, _, stderr) = run(&["import", "no/such/file.har"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("cannot read no/such/file.har"), "{stderr}");

    let not_har = dir.0.join("not.har");
    std::fs::write(&not_har, r#"{"openapi": "3.1.0"}"#).unwrap();
    let (code, _, stderr) = run(&["import", not_har.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("not.har: not a HAR document: no `log`"),
        "{stderr}"
    );

    let broken = dir.0.join("broken.har");
    std::fs::write(&broken, r#"{"log": {"entries": [{"request": {"url": 5}}"#).unwrap();
    let (code, _, stderr) = run(&["import", broken.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(stderr.contains("broken.har: not a HAR file"), "{stderr}");

    let partial = dir.0.join("partial.har");
    std::fs::write(
        &partial,
        r#"{"log": {"entries": [{"request": {"method": "GET"}}, {"request": {"method": "GET", "url": "http://x.io/a"}}]}}"#,
    )
    .unwrap();
    let (code, _, stderr) = run(&["import", partial.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("log.entries[0]: no `request.url`; skipped"),
        "{stderr}"
    );
    assert!(
        stderr.contains("no HTTP exchange to import among 2 entries"),
        "{stderr}"
    );

    // A HAR that does not import does not load for `mock` either (exit 2, the message).
    let (code, _, stderr) = run(&["check", partial.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no HTTP exchange to import"), "{stderr}");
}

//! `stubborn record` as a user runs it: a `stubborn mock specs/petstore.yaml` child is the
//! upstream, the recorder sits in front of it, and the written spec is served back.

mod common;
mod upstream;

use common::Binary;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_stubborn"))
}

fn petstore() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("specs/petstore.yaml")
}

/// A throwaway directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let path =
            std::env::temp_dir().join(format!("stubborn-record-{tag}-{}", std::process::id()));
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

/// `stubborn mock SPEC --port 0`.
fn mock(spec: &Path) -> Binary {
    Binary::mock(&[spec.to_str().unwrap()])
}

/// `stubborn record --upstream UPSTREAM --port 0 -o OUTPUT`.
fn record(upstream: &str, output: &Path) -> Binary {
    Binary::start(&[
        "record",
        "--upstream",
        upstream,
        "--port",
        "0",
        "-o",
        output.to_str().unwrap(),
    ])
}

/// SIGTERM, then a clean exit; the standard output after `listening on`.
fn stop(recorder: &mut Binary) -> Vec<String> {
    let (code, rest) = recorder.stop();
    assert!(code.success(), "exit {code:?}; output: {rest:?}");
    rest
}

struct Answer {
    status: u16,
    content_type: String,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn send(method: &str, url: &str, body: Option<&Value>) -> Answer {
    runtime().block_on(async {
        let client = reqwest::Client::new();
        let mut req = client.request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), url);
        if let Some(b) = body {
            req = req.json(b);
        }
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        let content_type = r
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let body = r.bytes().await.unwrap().to_vec();
        Answer {
            status,
            content_type,
            body,
        }
    })
}

fn journal_lines(output: &Path) -> Vec<Value> {
    let mut p = output.as_os_str().to_os_string();
    p.push(".har.jsonl");
    std::fs::read_to_string(PathBuf::from(p))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("each journal line is JSON"))
        .collect()
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = bin().args(args).output().expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn records_forwards_unchanged_and_writes_a_spec_that_serves_the_recording() {
    let dir = TempDir::new("full");
    let output = dir.0.join("spec.yaml");
    let upstream = mock(&petstore());
    let mut recorder = record(&upstream.base, &output);
    assert!(
        recorder
            .before
            .iter()
            .any(|l| l.starts_with("recording http://")
                && l.ends_with(&format!("-> {}", upstream.base))),
        "{:?}",
        recorder.before
    );

    let new_pet = serde_json::json!({"name": "Rex", "tag": "dog"});
    let calls: Vec<(&str, &str, Option<&Value>)> = vec![
        ("GET", "/pets", None),
        ("GET", "/pets/1", None),
        ("GET", "/pets/2", None),
        ("POST", "/pets", Some(&new_pet)),
        ("GET", "/nothing/here", None),
    ];
    let mut through = Vec::new();
    for (i, (method, path, body)) in calls.iter().enumerate() {
        let proxied = send(method, &format!("{}{path}", recorder.base), *body);
        let direct = send(method, &format!("{}{path}", upstream.base), *body);
        assert_eq!(proxied.status, direct.status, "{method} {path}");
        assert_eq!(proxied.content_type, direct.content_type, "{method} {path}");
        assert_eq!(proxied.body, direct.body, "{method} {path}");
        // Recorded at once, while the recorder still runs.
        assert_eq!(journal_lines(&output).len(), i + 1, "after {method} {path}");
        through.push(proxied);
    }
    assert_eq!(through[0].status, 200);
    assert_eq!(through[1].status, 200);
    assert_eq!(through[3].status, 201);
    assert_eq!(through[4].status, 404);

    let journal = journal_lines(&output);
    let post = &journal[3];
    assert_eq!(post["request"]["method"], "POST");
    assert_eq!(
        post["request"]["url"],
        format!("{}/pets", upstream.base).as_str()
    );
    assert_eq!(
        serde_json::from_str::<Value>(post["request"]["postData"]["text"].as_str().unwrap())
            .unwrap(),
        new_pet
    );
    assert_eq!(post["response"]["status"], 201);
    assert!(post["startedDateTime"].as_str().unwrap().ends_with('Z'));

    let summary = stop(&mut recorder);
    assert!(
        summary
            .iter()
            .any(|l| l.starts_with("5 exchanges, ") && l.contains("operations written to")),
        "{summary:?}"
    );
    let spec = output.to_str().unwrap();
    let (code, out, err) = run(&["check", spec]);
    assert_eq!(code, 0, "{out}{err}");

    let replay = mock(&output);
    let pet1 = send("GET", &format!("{}/pets/1", replay.base), None);
    assert_eq!(pet1.status, 200);
    assert_eq!(pet1.json(), through[1].json());
    let pet2 = send("GET", &format!("{}/pets/2", replay.base), None);
    assert_eq!(pet2.json(), through[2].json());
    let list = send("GET", &format!("{}/pets", replay.base), None);
    assert_eq!(list.status, 200);
    assert_eq!(list.json(), through[0].json());
}

#[test]
fn an_unreachable_upstream_is_a_502_and_not_recorded() {
    let dir = TempDir::new("down");
    let output = dir.0.join("spec.yaml");
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut recorder = record(&format!("http://127.0.0.1:{port}"), &output);
    let a = send("GET", &format!("{}/pets", recorder.base), None);
    assert_eq!(a.status, 502);
    assert_eq!(a.content_type, "application/problem+json");
    assert_eq!(a.json()["status"], 502);
    assert!(journal_lines(&output).is_empty());
    let rest = stop(&mut recorder);
    assert!(
        rest.iter().any(|l| l.starts_with("0 exchanges")),
        "{rest:?}"
    );
    assert!(!output.exists());
}

#[test]
fn a_second_run_includes_the_journal_of_the_first() {
    let dir = TempDir::new("again");
    let output = dir.0.join("spec.json");
    let upstream = mock(&petstore());

    // The first run dies without writing a spec, as a crash would.
    let mut first = record(&upstream.base, &output);
    let pet1 = send("GET", &format!("{}/pets/1", first.base), None);
    assert_eq!(pet1.status, 200);
    first.kill();
    assert!(!output.exists());
    assert_eq!(journal_lines(&output).len(), 1);

    let mut second = record(&upstream.base, &output);
    let list = send("GET", &format!("{}/pets", second.base), None);
    assert_eq!(list.status, 200);
    assert_eq!(journal_lines(&output).len(), 2);
    let summary = stop(&mut second);
    assert!(
        summary
            .iter()
            .any(|l| l.starts_with("2 exchanges, 2 operations")),
        "{summary:?}"
    );

    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&output).unwrap()).unwrap();
    assert!(doc["paths"]["/pets"]["get"].is_object(), "{doc}");
    assert!(doc["paths"]["/pets/{petId}"]["get"].is_object(), "{doc}");
    let replay = mock(&output);
    let again = send("GET", &format!("{}/pets/1", replay.base), None);
    assert_eq!(again.json(), pet1.json());
}

#[test]
fn bad_upstreams_are_refused_at_start() {
    let dir = TempDir::new("bad");
    let output = dir.0.join("spec.yaml");
    let out = output.to_str().unwrap();
    let (code, _, err) = run(&["record", "--upstream", "ftp://a.io", "-o", out]);
    assert_eq!(code, 1);
    assert!(err.contains("the scheme ftp"), "{err}");
    let (code, _, err) = run(&["record", "--upstream", "not a url", "-o", out]);
    assert_eq!(code, 1);
    assert!(err.contains("not a URL"), "{err}");
}

/// An https:// upstream with a certificate from a CA made in the test: recorded through
/// `--upstream-ca`; without it the handshake fails and the client gets 502.
#[test]
fn records_an_https_upstream_with_a_private_ca() {
    let ca = upstream::TestCa::new();
    let up = upstream::Upstream::start_tls(&ca, |_| {
        upstream::Reply::json(200, r#"{"id":7,"name":"over tls"}"#)
    });
    let dir = TempDir::new("tls");
    let output = dir.0.join("spec.yaml");
    let mut recorder = Binary::start(&[
        "record",
        "--upstream",
        &up.base,
        "--upstream-ca",
        ca.ca_file.to_str().unwrap(),
        "--port",
        "0",
        "-o",
        output.to_str().unwrap(),
    ]);
    let answer = send("GET", &format!("{}/things/7", recorder.base), None);
    assert_eq!(answer.status, 200);
    assert_eq!(answer.json()["name"], "over tls");
    assert_eq!(up.seen().len(), 1);
    let lines = journal_lines(&output);
    assert_eq!(lines.len(), 1);
    assert!(
        lines[0]["request"]["url"]
            .as_str()
            .unwrap()
            .starts_with("https://localhost:"),
        "{}",
        lines[0]
    );
    stop(&mut recorder);

    let untrusting = record(&up.base, &dir.0.join("other.yaml"));
    let refused = send("GET", &format!("{}/things/7", untrusting.base), None);
    assert_eq!(refused.status, 502);
    assert!(
        String::from_utf8_lossy(&refused.body).contains("certificate"),
        "{}",
        String::from_utf8_lossy(&refused.body)
    );
}

/// `GET url` with credentials in a header, a cookie and the query; the status.
fn send_with_secrets(url: &str) -> u16 {
    runtime().block_on(async {
        reqwest::Client::new()
            .get(format!("{url}?api_key=query-s3cret&limit=2"))
            .header("Authorization", "Bearer bearer-s3cret")
            .header("Cookie", "sid=cookie-s3cret")
            .header("x-api-key", "key-s3cret")
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    })
}

#[test]
fn credentials_are_redacted_unless_kept() {
    let upstream = mock(&petstore());
    for keep in [false, true] {
        let dir = TempDir::new(if keep { "keep" } else { "redact" });
        let output = dir.0.join("spec.yaml");
        let mut args = vec![
            "record",
            "--upstream",
            &upstream.base,
            "--port",
            "0",
            "-o",
            output.to_str().unwrap(),
        ];
        if keep {
            args.push("--keep-secrets");
        }
        let mut recorder = Binary::start(&args);
        assert_eq!(send_with_secrets(&format!("{}/pets", recorder.base)), 200);
        stop(&mut recorder);
        let journal = std::fs::read_to_string(format!("{}.har.jsonl", output.display())).unwrap();
        let spec = std::fs::read_to_string(&output).unwrap();
        for secret in [
            "query-s3cret",
            "bearer-s3cret",
            "cookie-s3cret",
            "key-s3cret",
        ] {
            assert_eq!(journal.contains(secret), keep, "{secret}: {journal}");
            if !keep {
                assert!(!spec.contains(secret), "{secret}: {spec}");
            }
        }
        if !keep {
            assert!(journal.contains("api_key=[redacted]&limit=2"), "{journal}");
        }
    }
}

#[test]
fn bodies_are_capped_by_max_body() {
    let dir = TempDir::new("max-body");
    let output = dir.0.join("spec.yaml");
    let upstream = mock(&petstore());
    let mut recorder = Binary::start(&[
        "record",
        "--upstream",
        &upstream.base,
        "--port",
        "0",
        "-o",
        output.to_str().unwrap(),
        "--max-body",
        "40B",
    ]);
    // A response over the cap is passed on whole, and recorded cut.
    let proxied = send("GET", &format!("{}/pets", recorder.base), None);
    let direct = send("GET", &format!("{}/pets", upstream.base), None);
    assert!(direct.body.len() > 40, "{}", direct.body.len());
    assert_eq!(proxied.status, 200);
    assert_eq!(proxied.body, direct.body);
    let journal = journal_lines(&output);
    let content = &journal[0]["response"]["content"];
    assert_eq!(content["text"].as_str().unwrap().len(), 40);
    assert!(
        content["comment"].as_str().unwrap().contains("--max-body"),
        "{content}"
    );
    // A request body over the cap is refused before it is forwarded.
    let big = serde_json::json!({"name": "x".repeat(100)});
    let refused = send("POST", &format!("{}/pets", recorder.base), Some(&big));
    assert_eq!(refused.status, 413);
    assert_eq!(journal_lines(&output).len(), 1);
    stop(&mut recorder);
}

//! The `stubborn` binary as a user runs it: exit codes, messages, the mock's lifecycle.

mod common;

use common::Binary;
use std::path::PathBuf;
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_stubborn"))
}

fn spec(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("specs")
        .join(name)
}

fn write_temp(dir: &tempdir::Dir, name: &str, text: &str) -> PathBuf {
    let p = dir.path.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&p, text).unwrap();
    p
}

/// A throwaway directory without another crate.
mod tempdir {
    pub struct Dir {
        pub path: std::path::PathBuf,
    }
    impl Dir {
        pub fn new(tag: &str) -> Dir {
            let path =
                std::env::temp_dir().join(format!("stubborn-test-{tag}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&path);
            std::fs::create_dir_all(&path).unwrap();
            Dir { path }
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = bin().args(args).output().expect("run stubborn");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn check_summarises_a_good_document() {
    let (code, out, _) = run(&["check", spec("petstore.yaml").to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("OpenAPI 3.0.3"), "{out}");
    assert!(out.contains("5 operations"), "{out}");
    assert!(out.contains("no warnings"), "{out}");
}

#[test]
fn check_reports_every_problem_with_file_and_pointer() {
    let dir = tempdir::Dir::new("broken");
    let p = write_temp(
        &dir,
        "broken.yaml",
        r##"openapi: 3.0.0
info: {title: broken, version: "1"}
paths:
  /a:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Missing'
  /b:
    get:
      parameters:
        - name: x
          in: body
      responses:
        '2000':
          description: nope
"##,
    );
    let (code, _, err) = run(&["check", p.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("broken.yaml#/paths/~1a/get/responses/200/content/application~1json/schema"),
        "{err}"
    );
    assert!(err.contains("#/components/schemas/Missing"), "{err}");
    assert!(
        err.contains("broken.yaml#/paths/~1b/get/parameters/0/in"),
        "{err}"
    );
    assert!(err.contains("found \"body\""), "{err}");
    assert!(err.contains("found \"2000\""), "{err}");
    assert!(err.contains("3 problem(s)"), "{err}");
}

#[test]
fn check_warns_about_examples_that_contradict_their_schema() {
    let dir = tempdir::Dir::new("contradict");
    let p = write_temp(
        &dir,
        "api.yaml",
        r##"openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /a:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: object, required: [id], properties: {id: {type: integer}}}
              example: {id: "seven"}
"##,
    );
    let (code, out, _) = run(&["check", p.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(out.contains("example contradicts its schema"), "{out}");
    assert!(
        out.contains("/paths/~1a/get/responses/200/content/application~1json/example"),
        "{out}"
    );
}

#[test]
fn unreadable_and_foreign_inputs_are_clear_errors() {
    let dir = tempdir::Dir::new("foreign");
    let cases = [
        ("empty.yaml", "", "empty"),
        ("list.json", "[1, 2]", "expected an OpenAPI document"),
        ("bad.yaml", "openapi: 3.0.0\npaths: [", "invalid YAML"),
        ("bad.json", "{\"openapi\": ", "invalid JSON"),
        ("v4.yaml", "openapi: 4.0.0\n", "expected OpenAPI version 3.0.x or 3.1.x"),
        ("remote.yaml", "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    $ref: 'https://example.com/a.yaml'\n", "remote reference"),
        ("escape.yaml", "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    $ref: '../../etc/passwd'\n", "leaves the spec's directory"),
    ];
    for (name, text, expected) in cases {
        let p = write_temp(&dir, name, text);
        let (code, _, err) = run(&["check", p.to_str().unwrap()]);
        assert_eq!(code, 2, "{name}: {err}");
        assert!(err.contains(expected), "{name}: {err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
    }
    let (code, _, err) = run(&["check", "/nonexistent/spec.yaml"]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read file"), "{err}");
}

#[test]
fn json_by_content_whatever_the_extension() {
    let dir = tempdir::Dir::new("content");
    let p = write_temp(
        &dir,
        "api.txt",
        r#"{"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "paths": {"/a": {"get": {"responses": {"200": {"description": "ok"}}}}}}"#,
    );
    let (code, out, err) = run(&["check", p.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("1 operations"), "{out}");
}

#[test]
fn circular_references_load_and_generate() {
    let dir = tempdir::Dir::new("circular");
    let p = write_temp(
        &dir,
        "api.yaml",
        r##"openapi: 3.0.0
info: {title: t, version: "1"}
paths:
  /a:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/A'}
components:
  schemas:
    A:
      type: object
      required: [b]
      properties:
        b: {$ref: '#/components/schemas/B'}
    B:
      type: object
      properties:
        a: {$ref: '#/components/schemas/A'}
        self: {$ref: '#/components/schemas/B'}
"##,
    );
    let (code, out, err) = run(&["example", p.to_str().unwrap(), "GET", "/a"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v["b"].is_object(), "{out}");
}

#[test]
fn example_prints_the_body_and_honours_status() {
    let p = spec("petstore.yaml");
    let (code, out, _) = run(&["example", p.to_str().unwrap(), "GET", "/pets"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v[0]["name"], "Rex");
    let (code, out, _) = run(&[
        "example",
        p.to_str().unwrap(),
        "get",
        "/pets/{petId}",
        "--status",
        "404",
    ]);
    assert_eq!(code, 0);
    assert!(out.contains("pet not found"), "{out}");
    let (code, _, err) = run(&["example", p.to_str().unwrap(), "GET", "/pet"]);
    assert_eq!(code, 1);
    assert!(err.contains("did you mean /pets"), "{err}");
    // The same seed prints the same body; another seed another one.
    let a = run(&[
        "example",
        p.to_str().unwrap(),
        "GET",
        "/pets/1",
        "--seed",
        "5",
    ])
    .1;
    let b = run(&[
        "example",
        p.to_str().unwrap(),
        "GET",
        "/pets/1",
        "--seed",
        "5",
    ])
    .1;
    let c = run(&[
        "example",
        p.to_str().unwrap(),
        "GET",
        "/pets/1",
        "--seed",
        "6",
    ])
    .1;
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn every_command_has_help_with_an_example() {
    for cmd in [
        vec!["--help"],
        vec!["mock", "--help"],
        vec!["check", "--help"],
        vec!["example", "--help"],
    ] {
        let (code, out, _) = run(&cmd);
        assert_eq!(code, 0);
        assert!(out.contains("Example"), "{cmd:?}: {out}");
    }
}

#[test]
fn mock_prints_routes_listens_and_stops_on_sigterm() {
    let mut server = Binary::mock(&[spec("petstore.yaml").to_str().unwrap()]);
    let routes = server.before.clone();
    let addr = server.base.clone();
    assert!(
        routes
            .iter()
            .any(|l| l.starts_with("GET") && l.ends_with("/pets/{petId}")),
        "{routes:?}"
    );
    assert!(
        routes
            .iter()
            .any(|l| l.starts_with("POST") && l.ends_with("/pets")),
        "{routes:?}"
    );
    assert!(!addr.ends_with(":0"), "{addr}");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let status =
        rt.block_on(async { reqwest::get(format!("{addr}/pets")).await.unwrap().status() });
    assert_eq!(status, 200);
    // SIGTERM: a graceful stop with exit code 0.
    let (status, _) = server.stop();
    assert!(status.success(), "{status:?}");
}

#[test]
fn port_in_use_is_a_clear_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let (code, _, err) = run(&[
        "mock",
        spec("petstore.yaml").to_str().unwrap(),
        "--port",
        &port,
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("cannot listen on 127.0.0.1:"), "{err}");
}

#[test]
fn one_log_line_per_request_as_text_or_json() {
    for format in ["text", "json"] {
        let mut server = Binary::mock(&[
            spec("petstore.yaml").to_str().unwrap(),
            "--log-format",
            format,
        ]);
        let addr = server.base.clone();
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            reqwest::get(format!("{addr}/pets?limit=0")).await.unwrap();
        });
        server.stop();
        let err = server.stderr();
        let line = err
            .lines()
            .find(|l| l.contains("/pets"))
            .unwrap_or_else(|| panic!("{format}: no request line in {err}"));
        assert!(line.contains("422"), "{line}");
        assert!(line.contains("must be >= 1"), "{line}");
        if format == "json" {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            assert_eq!(v["status"], 422);
            assert_eq!(v["path"], "/pets");
        }
    }
}

#[test]
fn callback_flags_are_checked_at_start() {
    let petstore = spec("petstore.yaml");
    let petstore = petstore.to_str().unwrap();
    for (args, expected) in [
        (
            vec!["--callback-delay", "90000"],
            "--callback-delay: a delay of 90000 ms is longer than the 60000 ms allowed",
        ),
        (vec!["--callback-delay", "soon"], "expected milliseconds"),
        (vec!["--callback-retries", "11"], "11 is not in 0..=10"),
        (
            vec!["--webhook-target", "ftp://127.0.0.1/"],
            "--webhook-target: `ftp://127.0.0.1/`: only http:// and https:// callback URLs",
        ),
        (
            vec!["--webhook-target", "http://192.0.2.1/hooks"],
            "--webhook-target: 192.0.2.1 is not a loopback or private-network address",
        ),
    ] {
        let mut all = vec!["mock", petstore, "--port", "0"];
        all.extend(args.iter().copied());
        let (code, _, err) = run(&all);
        assert_ne!(code, 0, "{args:?} was accepted");
        assert!(err.contains(expected), "{args:?}: {err}");
    }
}

//! `stubborn record` as a user runs it: a `stubborn mock specs/petstore.yaml` child is the
//! upstream, the recorder sits in front of it, and the written spec is served back.

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

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

/// A child process of the binary, killed on drop; `base` is from its `listening on` line and
/// `lines` is the rest of its standard output.
struct Server {
    child: Child,
    base: String,
    lines: Vec<String>,
    rest: Option<std::thread::JoinHandle<Vec<String>>>,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        let mut child = bin()
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut seen = Vec::new();
        let base = loop {
            match lines.next() {
                Some(Ok(line)) => {
                    seen.push(line.clone());
                    if let Some(a) = line.strip_prefix("listening on ") {
                        break a.to_string();
                    }
                }
                _ => {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!("`stubborn {}` stopped before listening", args.join(" "));
                }
            }
        };
        // Keep reading so the child never blocks on a full pipe; collected for the summary.
        let rest = std::thread::spawn(move || lines.map_while(Result::ok).collect());
        Server {
            child,
            base,
            lines: seen,
            rest: Some(rest),
        }
    }

    fn mock(spec: &Path) -> Server {
        Server::start(&["mock", spec.to_str().unwrap(), "--port", "0"])
    }

    fn record(upstream: &str, output: &Path) -> Server {
        Server::start(&[
            "record",
            "--upstream",
            upstream,
            "--port",
            "0",
            "-o",
            output.to_str().unwrap(),
        ])
    }

    /// SIGTERM, then wait for a clean exit; returns the standard output after `listening on`.
    fn stop(&mut self) -> Vec<String> {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let deadline = Instant::now() + Duration::from_secs(20);
        let code = loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                break s;
            }
            assert!(Instant::now() < deadline, "the recorder did not stop");
            std::thread::sleep(Duration::from_millis(20));
        };
        let rest = self.rest.take().unwrap().join().unwrap();
        assert!(code.success(), "exit {code:?}; output: {rest:?}");
        rest
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
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
    let upstream = Server::mock(&petstore());
    let mut recorder = Server::record(&upstream.base, &output);
    assert!(
        recorder
            .lines
            .iter()
            .any(|l| l.starts_with("recording http://")
                && l.ends_with(&format!("-> {}", upstream.base))),
        "{:?}",
        recorder.lines
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

    let summary = recorder.stop();
    assert!(
        summary
            .iter()
            .any(|l| l.starts_with("5 exchanges, ") && l.contains("operations written to")),
        "{summary:?}"
    );
    let spec = output.to_str().unwrap();
    let (code, out, err) = run(&["check", spec]);
    assert_eq!(code, 0, "{out}{err}");

    let replay = Server::mock(&output);
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
    let mut recorder = Server::record(&format!("http://127.0.0.1:{port}"), &output);
    let a = send("GET", &format!("{}/pets", recorder.base), None);
    assert_eq!(a.status, 502);
    assert_eq!(a.content_type, "application/problem+json");
    assert_eq!(a.json()["status"], 502);
    assert!(journal_lines(&output).is_empty());
    let rest = recorder.stop();
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
    let upstream = Server::mock(&petstore());

    // The first run dies without writing a spec, as a crash would.
    let mut first = Server::record(&upstream.base, &output);
    let pet1 = send("GET", &format!("{}/pets/1", first.base), None);
    assert_eq!(pet1.status, 200);
    let _ = first.child.kill();
    let _ = first.child.wait();
    assert!(!output.exists());
    assert_eq!(journal_lines(&output).len(), 1);

    let mut second = Server::record(&upstream.base, &output);
    let list = send("GET", &format!("{}/pets", second.base), None);
    assert_eq!(list.status, 200);
    assert_eq!(journal_lines(&output).len(), 2);
    let summary = second.stop();
    assert!(
        summary
            .iter()
            .any(|l| l.starts_with("2 exchanges, 2 operations")),
        "{summary:?}"
    );

    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&output).unwrap()).unwrap();
    assert!(doc["paths"]["/pets"]["get"].is_object(), "{doc}");
    assert!(doc["paths"]["/pets/{petId}"]["get"].is_object(), "{doc}");
    let replay = Server::mock(&output);
    let again = send("GET", &format!("{}/pets/1", replay.base), None);
    assert_eq!(again.json(), pet1.json());
}

#[test]
fn bad_upstreams_are_refused_at_start() {
    let dir = TempDir::new("bad");
    let output = dir.0.join("spec.yaml");
    let out = output.to_str().unwrap();
    let (code, _, err) = run(&["record", "--upstream", "https://a.io", "-o", out]);
    assert_eq!(code, 1);
    assert!(err.contains("TLS"), "{err}");
    let (code, _, err) = run(&["record", "--upstream", "not a url", "-o", out]);
    assert_eq!(code, 1);
    assert!(err.contains("not a URL"), "{err}");
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
    let upstream = Server::mock(&petstore());
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
        let mut recorder = Server::start(&args);
        assert_eq!(send_with_secrets(&format!("{}/pets", recorder.base)), 200);
        recorder.stop();
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
    let upstream = Server::mock(&petstore());
    let mut recorder = Server::start(&[
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
    recorder.stop();
}

//! `stubborn mock SPEC --watch`: the real binary, a spec in a temporary directory rewritten while
//! the server runs.

mod common;

use common::TempDir;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A running `stubborn mock --watch`, killed on drop.
struct Server {
    child: Child,
    addr: String,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    fn start(spec: &Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_stubborn"))
            .arg("mock")
            .arg(spec)
            .args(["--port", "0", "--watch"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start stubborn");
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut err = child.stderr.take().expect("stderr");
        let sink = Arc::clone(&stderr);
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = err.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let mut server = Server {
            child,
            addr: String::new(),
            stderr,
        };
        let out = server.child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(out).lines();
        loop {
            let line = match lines.next() {
                Some(Ok(line)) => line,
                _ => panic!(
                    "stubborn exited before listening; stderr:\n{}",
                    server.stderr()
                ),
            };
            if let Some(addr) = line.strip_prefix("listening on http://") {
                server.addr = addr.trim().to_string();
                break;
            }
        }
        // Keep draining stdout so the child never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines.by_ref() {});
        server
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// `GET path`: the status and the body.
    fn get(&self, path: &str) -> (u16, String) {
        let mut stream = std::net::TcpStream::connect(&self.addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .expect("timeout");
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {}\r\nAccept: application/json\r\nConnection: close\r\n\r\n",
            self.addr
        )
        .expect("send");
        let mut raw = String::new();
        stream.read_to_string(&mut raw).expect("read");
        let status = raw
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("not an HTTP answer: {raw}"));
        let body = raw
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default();
        (status, body)
    }

    /// The `v` field of `GET path`'s JSON body.
    fn v(&self, path: &str) -> Option<i64> {
        let (status, body) = self.get(path);
        if status != 200 {
            return None;
        }
        serde_json::from_str::<serde_json::Value>(&body)
            .ok()?
            .get("v")?
            .as_i64()
    }

    /// Polls until `ok` holds, for at most `limit`.
    fn wait_for(&self, what: &str, limit: Duration, ok: impl Fn(&Server) -> bool) {
        let start = Instant::now();
        while start.elapsed() < limit {
            if ok(self) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("{what} within {limit:?}; stderr:\n{}", self.stderr());
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spec(v: i64, with_b: bool) -> String {
    let mut s = format!(
        "openapi: 3.1.0\ninfo: {{title: reload, version: '1'}}\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              example: {{v: {v}}}\n"
    );
    if with_b {
        s.push_str("  /b:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              example: {b: true}\n");
    }
    s
}

const LIMIT: Duration = Duration::from_secs(5);

#[test]
fn watch_reloads_keeps_the_old_version_on_errors_and_recovers() {
    let dir = TempDir::new("single");
    let file = dir.0.join("api.yaml");
    std::fs::write(&file, spec(1, false)).unwrap();
    let server = Server::start(&file);
    assert_eq!(server.v("/a"), Some(1));
    assert_eq!(server.get("/b").0, 404);

    std::fs::write(&file, spec(2, true)).unwrap();
    server.wait_for("v 2 and /b served", LIMIT, |s| {
        s.v("/a") == Some(2) && s.get("/b").0 == 200
    });
    server.wait_for("the reload logged", LIMIT, |s| {
        s.stderr().contains("api.yaml: 2 operations")
    });

    std::fs::write(&file, "openapi: 3.1.0\npaths: [unclosed\n  : {\n").unwrap();
    server.wait_for("the failure logged", LIMIT, |s| {
        s.stderr()
            .contains("reload failed, still serving the previous version:")
    });
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(2) {
        assert_eq!(server.v("/a"), Some(2), "stderr:\n{}", server.stderr());
        std::thread::sleep(Duration::from_millis(100));
    }

    std::fs::write(&file, spec(3, false)).unwrap();
    server.wait_for("v 3 served", LIMIT, |s| s.v("/a") == Some(3));
    server.wait_for("/b gone", LIMIT, |s| s.get("/b").0 == 404);
}

#[test]
fn watch_follows_referenced_files() {
    let dir = TempDir::new("multi");
    std::fs::create_dir_all(dir.0.join("schemas")).unwrap();
    let thing = dir.0.join("schemas").join("thing.yaml");
    let write_thing = |v: i64| {
        std::fs::write(
            &thing,
            format!("type: object\nproperties:\n  v: {{type: integer}}\nexample: {{v: {v}}}\n"),
        )
        .unwrap()
    };
    write_thing(1);
    let root = dir.0.join("openapi.yaml");
    std::fs::write(
        &root,
        "openapi: 3.1.0\ninfo: {title: multi, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: 'schemas/thing.yaml'}\n",
    )
    .unwrap();
    let server = Server::start(&root);
    assert_eq!(server.v("/a"), Some(1), "stderr:\n{}", server.stderr());

    write_thing(7);
    server.wait_for("the referenced file's change served", LIMIT, |s| {
        s.v("/a") == Some(7)
    });
    // A broken referenced file: the previous version keeps serving.
    std::fs::write(&thing, "type: [unclosed\n").unwrap();
    server.wait_for("the failure logged", LIMIT, |s| {
        s.stderr().contains("reload failed")
    });
    assert_eq!(server.v("/a"), Some(7));
    write_thing(8);
    server.wait_for("the fixed file served", LIMIT, |s| s.v("/a") == Some(8));
}

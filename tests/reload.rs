//! `stubborn mock SPEC --watch`: the real binary, a spec in a temporary directory rewritten while
//! the server runs.

mod common;

use common::{Binary, TempDir};
use std::io::{Read, Write};
use std::path::Path;
use std::time::{Duration, Instant};

/// A running `stubborn mock --watch`, killed on drop.
struct Server {
    binary: Binary,
    /// `127.0.0.1:PORT`.
    addr: String,
}

impl Server {
    fn start(spec: &Path) -> Server {
        let binary = Binary::mock(&[spec.to_str().unwrap(), "--watch"]);
        let addr = binary
            .base
            .strip_prefix("http://")
            .expect("listening on http://")
            .to_string();
        Server { binary, addr }
    }

    fn stderr(&self) -> String {
        self.binary.stderr()
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

/// One `GET` on an open keep-alive connection: the `v` of the body.
fn v_on(stream: &mut std::net::TcpStream, addr: &str) -> i64 {
    write!(
        stream,
        "GET /a HTTP/1.1\r\nHost: {addr}\r\nAccept: application/json\r\n\r\n"
    )
    .expect("send");
    // Read the head, then exactly Content-Length bytes: the connection stays open.
    let mut raw = Vec::new();
    let mut byte = [0u8; 1];
    while !raw.ends_with(b"\r\n\r\n") {
        stream.read_exact(&mut byte).expect("head");
        raw.push(byte[0]);
    }
    let head = String::from_utf8(raw).unwrap();
    let length: usize = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length: ")
                .map(str::to_string)
        })
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no length: {head}"));
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).expect("body");
    serde_json::from_slice::<serde_json::Value>(&body).unwrap()["v"]
        .as_i64()
        .unwrap()
}

#[test]
fn a_keep_alive_connection_gets_the_reloaded_version() {
    let dir = TempDir::new("keep-alive");
    let file = dir.0.join("api.yaml");
    std::fs::write(&file, spec(1, false)).unwrap();
    let server = Server::start(&file);
    let mut stream = std::net::TcpStream::connect(&server.addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    assert_eq!(v_on(&mut stream, &server.addr), 1);
    std::fs::write(&file, spec(2, false)).unwrap();
    server.wait_for("v 2 served", LIMIT, |s| s.v("/a") == Some(2));
    // The connection opened before the reload answers with the new version too.
    assert_eq!(v_on(&mut stream, &server.addr), 2);
    assert_eq!(v_on(&mut stream, &server.addr), 2);
}

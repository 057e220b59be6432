//! A real stubborn server on an ephemeral port, for tests that speak HTTP to it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use stubborn::compile::{Mock, MockOptions};
use stubborn::server::reload::SharedMock;
use stubborn::server::HttpOptions;

pub struct TestServer {
    pub base: String,
    /// The mock the server started with.
    pub mock: Arc<Mock>,
    /// What the server answers with; `replace` swaps the version served.
    pub shared: Arc<SharedMock>,
    /// The library's server underneath: stops on drop.
    pub server: stubborn::MockServer,
}

/// A path under the repository's `specs/`.
pub fn spec(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("specs")
        .join(name)
}

impl TestServer {
    pub fn start(spec_name: &str) -> TestServer {
        Self::start_with(spec_name, MockOptions::default(), HttpOptions::default())
    }

    pub fn start_with(spec_name: &str, options: MockOptions, http: HttpOptions) -> TestServer {
        Self::start_at(&spec(spec_name), options, http)
    }

    /// A server for the document at `path` (a fixture of the tests, say), started through the
    /// library's builder with the command line's defaults (as `stubborn mock` starts it).
    pub fn start_at(path: &Path, options: MockOptions, http: HttpOptions) -> TestServer {
        let builder = stubborn::MockServer::builder()
            .spec(path)
            .mock_options(options)
            .http_options(http);
        // Tests run inside and outside async runtimes; the server waits on a thread of its own.
        let server = std::thread::scope(|s| {
            s.spawn(|| builder.start_blocking())
                .join()
                .expect("the starting thread")
        })
        .unwrap_or_else(|e| panic!("{} does not start: {e}", path.display()));
        TestServer {
            base: server.uri(),
            mock: server.mock(),
            shared: Arc::clone(server.shared()),
            server,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }
}

/// A path under the repository's `tests/fixtures/`.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
        .join(name)
}

/// A fresh directory under the system's temp dir, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!(
            "stubborn-{tag}-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The real binary as a server: `stubborn ARGS...` (`mock`, `record`), started and awaited
/// until its `listening on` line; what it writes on standard output after that line and on
/// standard error is collected. Killed on drop. Every test that runs the binary as a server
/// starts it here, so the line is read one way.
pub struct Binary {
    child: std::process::Child,
    /// `http://127.0.0.1:PORT`, from the `listening on` line.
    pub base: String,
    /// Standard output before the `listening on` line (`mock`'s routes, `record`'s upstream).
    pub before: Vec<String>,
    stderr: Arc<std::sync::Mutex<String>>,
    stderr_reader: Option<std::thread::JoinHandle<()>>,
    rest: Option<std::thread::JoinHandle<Vec<String>>>,
}

impl Binary {
    /// Starts `stubborn mock --port 0` with `args` (the spec and flags, in any order).
    pub fn mock(args: &[&str]) -> Binary {
        let mut all = vec!["mock", "--port", "0"];
        all.extend_from_slice(args);
        Binary::start(&all)
    }

    /// Starts `stubborn` with `args` as they are (which must make it listen, on port 0 say)
    /// and waits for its `listening on` line; panics with its standard error if it exits first.
    pub fn start(args: &[&str]) -> Binary {
        use std::io::{BufRead, Read};
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_stubborn"))
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("start stubborn");
        let stderr = Arc::new(std::sync::Mutex::new(String::new()));
        let mut err = child.stderr.take().expect("stderr");
        let sink = Arc::clone(&stderr);
        let stderr_reader = std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = err.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let text = String::from_utf8_lossy(&buf[..n]).into_owned();
                sink.lock().unwrap().push_str(&text);
            }
        });
        let out = child.stdout.take().expect("stdout");
        let mut lines = std::io::BufReader::new(out).lines();
        let mut before = Vec::new();
        let base = loop {
            match lines.next() {
                Some(Ok(line)) => match line.strip_prefix("listening on ") {
                    Some(addr) => break addr.trim().to_string(),
                    None => before.push(line),
                },
                _ => {
                    let _ = child.kill();
                    let _ = child.wait();
                    let _ = stderr_reader.join();
                    panic!(
                        "`stubborn {}` exited before listening; stderr:\n{}",
                        args.join(" "),
                        stderr.lock().unwrap()
                    );
                }
            }
        };
        // Keep reading so the child never blocks on a full pipe; kept for `stop`.
        let rest = std::thread::spawn(move || lines.map_while(Result::ok).collect());
        Binary {
            child,
            base,
            before,
            stderr,
            stderr_reader: Some(stderr_reader),
            rest: Some(rest),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// What it has written on standard error so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Waits up to `limit` for standard error to hold `text`.
    pub fn wait_for_stderr(&self, text: &str, limit: std::time::Duration) -> String {
        let start = std::time::Instant::now();
        loop {
            let now = self.stderr();
            if now.contains(text) || start.elapsed() > limit {
                return now;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    /// SIGTERM, then waits (20 s at most) for it to exit: its exit status and what it wrote
    /// on standard output after `listening on`. Standard error is complete afterwards.
    pub fn stop(&mut self) -> (std::process::ExitStatus, Vec<String>) {
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(sent.success(), "kill -TERM failed");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait for stubborn") {
                break status;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "stubborn did not stop within 20 s of SIGTERM"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        self.finish_reading();
        let rest = self
            .rest
            .take()
            .map(|r| r.join().unwrap())
            .unwrap_or_default();
        (status, rest)
    }

    /// Kills it at once, as a crash would.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.finish_reading();
    }

    fn finish_reading(&mut self) {
        if let Some(reader) = self.stderr_reader.take() {
            let _ = reader.join();
        }
    }
}

impl Drop for Binary {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A blocking-free client: every test runs on its own tokio runtime via `#[tokio::test]`.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// A redis-server of the test's own on an ephemeral loopback port (a free port found by
/// binding 127.0.0.1:0), with no persistence; stopped on drop. `None` when redis-server is not
/// installed, except under `CI=true`, where that fails the test (`.ci/run` installs it).
pub struct RedisServer {
    child: std::process::Child,
    pub port: u16,
}

impl RedisServer {
    pub fn start() -> Option<RedisServer> {
        let found = std::process::Command::new("redis-server")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        if !found {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "redis-server is not installed; .ci/run installs it (apt-get install redis-server)"
            );
            eprintln!("redis-server is not installed: this test checks nothing here");
            return None;
        }
        for _ in 0..5 {
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .map(|a| a.port())
                .expect("a free port");
            let mut child = std::process::Command::new("redis-server")
                .args([
                    "--port",
                    &port.to_string(),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                ])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .expect("start redis-server");
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
            while std::time::Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    break; // the port was taken meanwhile: try another
                }
                if redis_ping(port) {
                    return Some(RedisServer { child, port });
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("redis-server did not start");
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }
}

fn redis_ping(port: u16) -> bool {
    use std::io::{Read, Write};
    let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(std::time::Duration::from_millis(500)));
    let mut buf = [0u8; 16];
    s.write_all(b"PING\r\n").is_ok()
        && s.read(&mut buf)
            .is_ok_and(|n| buf[..n].starts_with(b"+PONG"))
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

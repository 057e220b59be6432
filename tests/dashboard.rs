//! The dashboard at `GET /__stubborn/`, end to end in headless Chromium.
//!
//! Needs `chromium` on PATH (Debian's package; `.ci/run` installs it). Without it the test
//! fails under CI (the `CI` variable is set) and is skipped with a notice elsewhere.

mod common;
mod upstream;

use common::{client, TestServer};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use stubborn::compile::MockOptions;
use stubborn::server::HttpOptions;

const BROWSER: &str = "chromium";

fn on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
}

/// A fresh, empty directory that is removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let dir =
            std::env::temp_dir().join(format!("stubborn-{tag}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs headless Chromium on `url` and returns the DOM it dumps; killed after 30 s.
/// One browser at a time in this test binary. Each test starts its own Chromium, and five
/// starting together on a loaded two-core machine took longer than a DevTools command may
/// (CI, 2026-12-02: two tests never got an answer to their first command).
fn one_browser() -> std::sync::MutexGuard<'static, ()> {
    static ONE: std::sync::Mutex<()> = std::sync::Mutex::new(());
    // A test that failed while holding it leaves nothing behind that another must not see.
    ONE.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn dump_dom(browser: &Path, url: &str, extra: &[String]) -> String {
    let _one = one_browser();
    let profile = TempDir::new("chromium-profile");
    let out_path = profile.0.join("dom.html");
    let out = std::fs::File::create(&out_path).expect("dom file");
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ])
        .arg(format!(
            "--user-data-dir={}",
            profile.0.join("profile").display()
        ))
        .arg("--virtual-time-budget=5000")
        .args(extra)
        .arg("--dump-dom")
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::from(out))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{} does not start: {e}", browser.display()));
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for chromium") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within 30 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        use std::io::Read;
        let _ = e.read_to_string(&mut stderr);
    }
    let dom = std::fs::read_to_string(&out_path).unwrap_or_default();
    assert!(
        status.success() && !dom.is_empty(),
        "chromium failed ({status}); stderr:\n{stderr}"
    );
    dom
}

/// The `<tr …>` elements of the table with `id`, each as its outer HTML.
fn rows<'a>(dom: &'a str, table_id: &str) -> Vec<&'a str> {
    let start = dom
        .find(&format!("id=\"{table_id}\""))
        .unwrap_or_else(|| panic!("no #{table_id} in the DOM:\n{dom}"));
    let table = &dom[start..];
    let table = &table[..table.find("</table>").unwrap_or(table.len())];
    table
        .split("<tr")
        .skip(1)
        .map(|r| &r[..r.find("</tr>").unwrap_or(r.len())])
        .collect()
}

fn classes(row: &str) -> Vec<&str> {
    let head = &row[..row.find('>').unwrap_or(row.len())];
    head.split("class=\"")
        .nth(1)
        .and_then(|c| c.split('"').next())
        .map(|c| c.split_whitespace().collect())
        .unwrap_or_default()
}

/// The browser, if it is installed. Without it the test fails under CI and is skipped (with a
/// notice) elsewhere.
fn browser() -> Option<PathBuf> {
    let found = on_path(BROWSER);
    if found.is_none() {
        if std::env::var_os("CI").is_some() {
            panic!(
                "`{BROWSER}` is not on PATH, and CI is set: the dashboard test must run in CI \
                 (.ci/run installs Debian's `chromium` package)"
            );
        }
        eprintln!(
            "notice: skipping the dashboard test: `{BROWSER}` is not on PATH \
             (install it with `apt-get install chromium`)"
        );
    }
    found
}

#[tokio::test]
async fn the_dashboard_shows_routes_and_the_live_call_log() {
    let Some(browser) = browser() else {
        return;
    };

    let s = TestServer::start_with(
        "petstore.yaml",
        MockOptions::default(),
        HttpOptions::default(),
    );

    // The page itself: HTML from the binary.
    let page = client().get(s.url("/__stubborn/")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(
        page.headers()["content-type"],
        "text/html; charset=utf-8",
        "the dashboard is HTML"
    );

    // One valid call and one the validator rejects.
    let ok = client().get(s.url("/pets")).send().await.unwrap();
    assert_eq!(ok.status(), 200);
    let bad = client().get(s.url("/pets?limit=0")).send().await.unwrap();
    assert_eq!(bad.status(), 422);

    let url = s.url("/__stubborn/");
    let mut extra = Vec::new();
    if let Some(shot) = std::env::var_os("STUBBORN_DASHBOARD_SCREENSHOT") {
        extra.push(format!("--screenshot={}", Path::new(&shot).display()));
        extra.push("--window-size=1200,900".into());
    }
    let dom = tokio::task::spawn_blocking(move || dump_dom(&browser, &url, &extra))
        .await
        .unwrap();

    let routes = rows(&dom, "routes");
    assert!(
        routes.iter().any(|r| r.contains("/pets/{petId}")),
        "the routes table lists /pets/{{petId}}:\n{dom}"
    );
    assert!(
        routes
            .iter()
            .any(|r| r.contains(">/pets<") && r.contains("href=\"/pets\"")),
        "GET /pets has a try-it link:\n{dom}"
    );

    let log = rows(&dom, "log");
    let calls: Vec<&&str> = log
        .iter()
        .filter(|r| classes(r).contains(&"call"))
        .collect();
    assert!(
        calls
            .iter()
            .any(|r| r.contains(">/pets<") && !classes(r).contains(&"invalid")),
        "the log has a valid call row for /pets:\n{dom}"
    );
    let invalid: Vec<&&&str> = calls
        .iter()
        .filter(|r| classes(r).contains(&"invalid"))
        .collect();
    assert_eq!(invalid.len(), 1, "exactly one invalid row:\n{dom}");
    assert!(
        invalid[0].contains("/pets?limit=0") && invalid[0].contains(">422<"),
        "the invalid row is the 422 call:\n{dom}"
    );
    assert!(
        invalid[0].contains("class=\"violations\""),
        "the invalid row shows its violations:\n{dom}"
    );
    // Newest first: the 422 call came after the valid one.
    let first_invalid = calls.iter().position(|r| classes(r).contains(&"invalid"));
    let first_valid = calls
        .iter()
        .position(|r| r.contains(">/pets<") && !classes(r).contains(&"invalid"));
    assert!(first_invalid < first_valid, "newest first:\n{dom}");
}

/// Headless Chromium driven over the DevTools protocol, through `--remote-debugging-pipe`:
/// Chromium reads commands on its fd 3 and writes answers on fd 4 (JSON, each message ended by a
/// NUL byte). A shell maps them to the child's stdin and stdout, so only std is needed.
struct Chromium {
    child: std::process::Child,
    commands: std::process::ChildStdin,
    messages: std::sync::mpsc::Receiver<serde_json::Value>,
    stderr: std::sync::Arc<std::sync::Mutex<String>>,
    next_id: u64,
    _profile: TempDir,
    /// Held while this browser runs (declared last: dropped after the browser is killed).
    _one: std::sync::MutexGuard<'static, ()>,
}

/// How long one DevTools command may take.
const CDP_TIMEOUT: Duration = Duration::from_secs(20);

impl Chromium {
    fn launch(browser: &Path) -> Chromium {
        use std::io::Read;
        let one = one_browser();
        let profile = TempDir::new("chromium-cdp");
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(r#"exec "$0" "$@" 3<&0 4>&1 </dev/null >/dev/null"#)
            .arg(browser)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--window-size=1200,900",
                "--remote-debugging-pipe",
            ])
            .arg(format!(
                "--user-data-dir={}",
                profile.0.join("profile").display()
            ))
            .arg("about:blank")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{} does not start: {e}", browser.display()));
        let commands = child.stdin.take().expect("stdin");
        let mut out = child.stdout.take().expect("stdout");
        let (tx, messages) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut pending = Vec::new();
            let mut buf = [0u8; 64 * 1024];
            while let Ok(n) = out.read(&mut buf) {
                if n == 0 {
                    break;
                }
                pending.extend_from_slice(&buf[..n]);
                while let Some(end) = pending.iter().position(|b| *b == 0) {
                    let message: Vec<u8> = pending.drain(..=end).collect();
                    if let Ok(v) = serde_json::from_slice(&message[..end]) {
                        if tx.send(v).is_err() {
                            return;
                        }
                    }
                }
            }
        });
        let stderr = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let sink = std::sync::Arc::clone(&stderr);
        let mut err = child.stderr.take().expect("stderr");
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = err.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let mut s = sink.lock().unwrap();
                if s.len() < 64 * 1024 {
                    s.push_str(&String::from_utf8_lossy(&buf[..n]));
                }
            }
        });
        Chromium {
            child,
            commands,
            messages,
            stderr,
            next_id: 1,
            _profile: profile,
            _one: one,
        }
    }

    /// Sends one command (to the browser, or to the page attached as `session`) and waits for
    /// its answer, passing over events.
    fn call(
        &mut self,
        session: Option<&str>,
        method: &str,
        params: serde_json::Value,
    ) -> Result<serde_json::Value, String> {
        use std::io::Write;
        let id = self.next_id;
        self.next_id += 1;
        let mut message = serde_json::json!({"id": id, "method": method, "params": params});
        if let Some(s) = session {
            message["sessionId"] = s.into();
        }
        let mut bytes = message.to_string().into_bytes();
        bytes.push(0);
        self.commands
            .write_all(&bytes)
            .and_then(|_| self.commands.flush())
            .map_err(|e| format!("chromium is gone ({e}); stderr:\n{}", self.stderr()))?;
        let deadline = Instant::now() + CDP_TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let m = self.messages.recv_timeout(left).map_err(|_| {
                format!(
                    "no answer to {method} within {CDP_TIMEOUT:?}; stderr:\n{}",
                    self.stderr()
                )
            })?;
            if m["id"].as_u64() != Some(id) {
                continue;
            }
            return match m.get("error") {
                Some(e) => Err(format!("{method}: {e}")),
                None => Ok(m["result"].clone()),
            };
        }
    }

    /// Evaluates `expression` in the page (awaiting a promise) and returns its value; a page
    /// still loading (no context yet, or one destroyed by navigation) is waited for.
    /// A new blank tab, attached: its session id.
    fn new_page(&mut self) -> String {
        let created = self
            .call(
                None,
                "Target.createTarget",
                serde_json::json!({"url": "about:blank"}),
            )
            .unwrap();
        let attached = self
            .call(
                None,
                "Target.attachToTarget",
                serde_json::json!({"targetId": created["targetId"], "flatten": true}),
            )
            .unwrap();
        attached["sessionId"].as_str().unwrap().to_string()
    }

    fn eval(&mut self, session: &str, expression: &str) -> serde_json::Value {
        let deadline = Instant::now() + CDP_TIMEOUT;
        loop {
            let result = self.call(
                Some(session),
                "Runtime.evaluate",
                serde_json::json!({
                    "expression": expression,
                    "awaitPromise": true,
                    "returnByValue": true,
                }),
            );
            match result {
                Ok(r) if r.get("exceptionDetails").is_none() => {
                    return r["result"]["value"].clone()
                }
                Ok(r) => panic!("the page threw: {:#}", r["exceptionDetails"]),
                Err(e) if e.contains("context") && Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(e) => panic!("{e}"),
            }
        }
    }

    /// A left click at (x, y), as a user's mouse makes it.
    fn click(&mut self, session: &str, at: &serde_json::Value) {
        let (x, y) = (at["x"].as_f64().unwrap(), at["y"].as_f64().unwrap());
        for kind in ["mouseMoved", "mousePressed", "mouseReleased"] {
            self.call(
                Some(session),
                "Input.dispatchMouseEvent",
                serde_json::json!({"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1}),
            )
            .unwrap();
        }
    }

    fn stderr(&self) -> String {
        self.stderr.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

impl Drop for Chromium {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // Chromium's helper processes outlive the main one for a moment and write into the
        // profile after it is gone: remove it until it stays gone (a second at most), or
        // every run leaves a profile in the temp directory.
        let dir = &self._profile.0;
        for _ in 0..10 {
            let _ = std::fs::remove_dir_all(dir);
            std::thread::sleep(Duration::from_millis(100));
            if !dir.exists() {
                break;
            }
        }
    }
}

/// Waits (in the page) for the first `#log` row of `method` and `path` (with its query),
/// scrolls it into view and returns the middle of its status cell: a click there is a click on
/// the row, not on its button.
fn row_center(method: &str, path: &str) -> String {
    format!(
        r##"new Promise((resolve, reject) => {{
  const t0 = Date.now();
  (function poll() {{
    const row = [...document.querySelectorAll("#log tr.call")].find((r) =>
      r.cells[1].textContent === {method:?} && r.cells[2].querySelector("button.open").textContent === {path:?});
    if (row) {{
      row.scrollIntoView({{ block: "center" }});
      const b = row.cells[3].getBoundingClientRect();
      resolve({{ x: b.x + b.width / 2, y: b.y + b.height / 2, id: row.dataset.id }});
    }} else if (Date.now() - t0 > 10000) {{
      reject(new Error("no {method} {path} row in: " + document.body.innerText));
    }} else setTimeout(poll, 100);
  }})();
}})"##
    )
}

/// Waits for the detail panel to show call `id` and returns what it shows.
fn detail_of(id: &str) -> String {
    format!(
        r##"new Promise((resolve, reject) => {{
  const t0 = Date.now();
  const text = (sel) => {{ const e = document.querySelector(sel); return e ? e.textContent : null; }};
  (function poll() {{
    const panel = document.querySelector("#detail");
    const heading = text("#detail-h") || "";
    if (!panel.hidden && heading.startsWith("Call {id}:") && document.querySelector("#curl")) {{
      const row = document.querySelector('#log tr.call[data-id="{id}"]');
      const copy = document.querySelector("#copy-curl").getBoundingClientRect();
      resolve({{
        heading,
        panel: panel.innerText,
        status: text("#detail-status"),
        requestBody: text("#detail-request-body"),
        responseBody: text("#detail-response-body"),
        matched: text("#detail-matched"),
        why: text("#detail-why"),
        violations: [...document.querySelectorAll("#detail-violations li")].map((li) => li.textContent),
        curl: text("#curl"),
        rowSelected: !!row && row.classList.contains("selected"),
        expanded: row ? row.querySelector("button.open").getAttribute("aria-expanded") : null,
        focused: document.activeElement ? document.activeElement.id : null,
        copy: {{ x: copy.x + copy.width / 2, y: copy.y + copy.height / 2 }},
      }});
    }} else if (Date.now() - t0 > 10000) {{
      reject(new Error("no detail for call {id}: " + panel.innerText));
    }} else setTimeout(poll, 100);
  }})();
}})"##
    )
}

#[tokio::test]
async fn a_clicked_call_shows_its_request_response_match_and_curl() {
    let Some(browser) = browser() else {
        return;
    };
    let s = TestServer::start_with(
        "scenarios.yaml",
        MockOptions::default(),
        HttpOptions::default(),
    );
    // A call a scenario answers, with headers (one a credential) and a JSON body...
    let r = client()
        .post(s.url("/pets?trace=1"))
        .header("x-tier", "gold")
        .header("authorization", "Bearer s3cret-token")
        .json(&serde_json::json!({"name": "Max", "kind": "dog"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    // ...one the contract refuses, and one more.
    let r = client()
        .post(s.url("/pets"))
        .json(&serde_json::json!({"kind": "dog"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    client().get(s.url("/pets/1")).send().await.unwrap();

    let base = s.base.clone();
    let (shown, invalid, copied) = tokio::task::spawn_blocking(move || {
        let mut chromium = Chromium::launch(&browser);
        let session = chromium.new_page();
        // Let the page use the clipboard as a user's click would; a browser that refuses
        // leaves the page its fallback.
        let clipboard = chromium
            .call(
                None,
                "Browser.grantPermissions",
                serde_json::json!({
                    "origin": base,
                    "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"],
                }),
            )
            .is_ok();
        chromium
            .call(
                Some(&session),
                "Page.navigate",
                serde_json::json!({"url": format!("{base}/__stubborn/")}),
            )
            .unwrap();

        // Click the scenario's row (the POST with a query), read the panel.
        let row = chromium.eval(&session, &row_center("POST", "/pets?trace=1"));
        chromium.click(&session, &row);
        let shown = chromium.eval(&session, &detail_of(row["id"].as_str().unwrap()));

        // Copy as curl: a real click on the button; the clipboard then holds the command.
        chromium.click(&session, &shown["copy"]);
        let copied = chromium.eval(
            &session,
            &format!(
                r##"new Promise((resolve) => {{
  const t0 = Date.now();
  (function poll() {{
    const status = document.querySelector("#copy-status").textContent;
    if (status) {{
      const read = {clipboard} && navigator.clipboard ? navigator.clipboard.readText() : Promise.resolve(null);
      read.then((text) => resolve({{ status, text }}), () => resolve({{ status, text: null }}));
    }} else if (Date.now() - t0 > 10000) resolve({{ status: "", text: null }});
    else setTimeout(poll, 100);
  }})();
}})"##
            ),
        );

        // Then the refused call's row: its violations.
        let bad = chromium.eval(&session, &row_center("POST", "/pets"));
        chromium.click(&session, &bad);
        let invalid = chromium.eval(&session, &detail_of(bad["id"].as_str().unwrap()));
        (shown, invalid, copied)
    })
    .await
    .unwrap();

    let panel = shown["panel"].as_str().unwrap();
    assert!(
        shown["heading"]
            .as_str()
            .unwrap()
            .ends_with("POST /pets?trace=1"),
        "{shown:#}"
    );
    assert_eq!(shown["rowSelected"], true, "the clicked row is marked");
    assert_eq!(shown["expanded"], "true");
    assert_eq!(shown["focused"], "detail-h", "focus moves to the panel");
    // Why it matched.
    assert_eq!(shown["matched"], "vip", "{shown:#}");
    let why = shown["why"].as_str().unwrap();
    assert!(
        why.contains("closest scenario") && why.contains("header.x-tier"),
        "{why}"
    );
    assert!(why.contains("x-stubborn-match: scenario=vip"), "{why}");
    // The response: status, headers, body pretty-printed.
    assert_eq!(shown["status"], "201");
    let body = shown["responseBody"].as_str().unwrap();
    assert!(
        body.contains("\"name\": \"Goldie\"") && body.contains('\n'),
        "pretty JSON: {body}"
    );
    assert!(
        panel.contains("x-priority") && panel.contains("high"),
        "{panel}"
    );
    // The request: headers (the credential redacted) and body.
    assert!(
        panel.contains("x-tier") && panel.contains("gold"),
        "{panel}"
    );
    assert!(panel.contains("[redacted]"), "{panel}");
    assert!(!panel.contains("s3cret-token"), "{panel}");
    assert!(
        shown["requestBody"]
            .as_str()
            .unwrap()
            .contains("\"name\": \"Max\""),
        "{shown:#}"
    );
    assert_eq!(shown["violations"], serde_json::json!([]));
    // curl: method, URL with its query, a header, the body; no credential.
    let curl = shown["curl"].as_str().unwrap();
    assert!(curl.starts_with("curl"), "{curl}");
    assert!(curl.contains("-X POST"), "{curl}");
    assert!(
        curl.contains(&format!("'{}/pets?trace=1'", s.base)),
        "{curl}"
    );
    assert!(curl.contains("-H 'x-tier: gold'"), "{curl}");
    assert!(
        curl.contains(r#"--data-raw '{"name":"Max","kind":"dog"}'"#),
        "{curl}"
    );
    assert!(!curl.contains("authorization"), "{curl}");
    assert!(
        panel.contains("Left out (redacted in the log): authorization"),
        "{panel}"
    );
    assert!(
        !panel.contains("null") && !panel.contains("undefined"),
        "{panel}"
    );
    // Copied: to the clipboard when the browser lets the page read it back.
    assert_eq!(copied["status"], "Copied to the clipboard", "{copied:#}");
    if let Some(text) = copied["text"].as_str() {
        assert_eq!(text, curl);
    }

    // The refused call shows its violations and the problem it got.
    assert_eq!(invalid["status"], "422", "{invalid:#}");
    let violations = invalid["violations"].as_array().unwrap();
    assert!(
        violations
            .iter()
            .any(|v| v.as_str().unwrap().contains("name")),
        "{invalid:#}"
    );
    assert!(
        invalid["responseBody"]
            .as_str()
            .unwrap()
            .contains("\"status\": 422"),
        "{invalid:#}"
    );
}

/// `stubborn proxy`'s calls on the dashboard: who answered, and the violations of each side
/// with their direction.
#[tokio::test]
async fn the_dashboard_shows_a_proxied_calls_source_and_both_sides_violations() {
    let Some(browser) = browser() else {
        return;
    };
    // An upstream that breaks the contract: no x-total header, a name that is a number.
    let up = upstream::Upstream::start(|_| upstream::Reply::json(200, r#"[{"id":1,"name":5}]"#));
    let spec = common::fixture("proxy.yaml");
    let p = common::Binary::start(&["proxy", spec.to_str().unwrap(), &up.base, "--port", "0"]);
    let got = client().get(p.url("/pets?limit=500")).send().await.unwrap();
    assert_eq!(got.status(), 200);
    let url = p.url("/__stubborn/");
    let dom = tokio::task::spawn_blocking(move || dump_dom(&browser, &url, &[]))
        .await
        .unwrap();
    let log = rows(&dom, "log");
    let row = log
        .iter()
        .find(|r| r.contains("/pets?limit=500"))
        .unwrap_or_else(|| panic!("the proxied call is not in the log:\n{dom}"));
    assert!(classes(row).contains(&"invalid"), "{row}");
    assert!(
        row.contains("upstream"),
        "the row names who answered: {row}"
    );
    assert!(row.contains("request: query limit"), "{row}");
    assert!(row.contains("response: header x-total"), "{row}");
    assert!(row.contains("response: body /0/name"), "{row}");
}

/// The webhooks section: each of the document's webhooks with a URL field and a send button;
/// sending goes through the admin API, and the call log shows the request the mock sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_is_sent_from_the_dashboard() {
    let Some(browser) = browser() else {
        return;
    };
    let recv = upstream::Upstream::start(|_| upstream::Reply::json(200, r#"{"received": true}"#));
    let s = TestServer::start_at(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("templates/webhooks.yaml"),
        MockOptions::default(),
        HttpOptions::default(),
    );
    let base = s.base.clone();
    let target = format!("{}/from-dashboard", recv.base);
    let seen = tokio::task::spawn_blocking(move || {
        let mut chromium = Chromium::launch(&browser);
        let session = chromium.new_page();
        chromium
            .call(
                Some(&session),
                "Page.navigate",
                serde_json::json!({"url": format!("{base}/__stubborn/")}),
            )
            .unwrap();
        chromium.eval(
            &session,
            &format!(
                r##"new Promise((resolve) => {{
  const t0 = Date.now();
  let sent = false;
  (function poll() {{
    const form = document.querySelector('form.send[data-webhook="orderShipped"]');
    const names = [...document.querySelectorAll("#webhook-list tr.webhook td:first-child")].map((td) => td.textContent);
    if (form && !sent) {{
      form.elements.url.value = {target:?};
      form.querySelector("button").click();
      sent = true;
    }}
    const outcome = form && form.closest("tr").querySelector(".wh-outcome").textContent;
    const row = document.querySelector("#log tr.call.outbound");
    if (outcome && outcome !== "sending…" && row) {{
      resolve({{ names, outcome, row: row.textContent, hidden: document.querySelector("#webhooks").hidden }});
    }} else if (Date.now() - t0 > 15000) resolve({{ names, outcome, row: null }});
    else setTimeout(poll, 100);
  }})();
}})"##
            ),
        )
    })
    .await
    .unwrap();
    assert_eq!(seen["hidden"], false, "{seen:#}");
    assert_eq!(
        seen["names"],
        serde_json::json!(["orderShipped", "invoicePaid"]),
        "{seen:#}"
    );
    assert_eq!(seen["outcome"], "answered 200", "{seen:#}");
    let row = seen["row"].as_str().unwrap();
    assert!(
        row.contains("OUT") && row.contains("/from-dashboard"),
        "{row}"
    );
    let got = recv.wait_for(1).await;
    assert_eq!(got[0].target, "/from-dashboard");
    assert_eq!(got[0].json()["type"], "order.shipped");
}

#[tokio::test]
async fn the_dashboard_shows_stateful_resources_and_their_counts() {
    let Some(browser) = browser() else {
        return;
    };
    let s = TestServer::start_with(
        "petstore.yaml",
        MockOptions {
            stateful: true,
            ..MockOptions::default()
        },
        HttpOptions::default(),
    );
    let created = client()
        .post(s.url("/pets"))
        .json(&serde_json::json!({"name": "Fido"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let url = s.url("/__stubborn/");
    let dom = tokio::task::spawn_blocking(move || dump_dom(&browser, &url, &[]))
        .await
        .unwrap();
    let resources = rows(&dom, "resources");
    assert!(
        resources
            .iter()
            .any(|r| r.contains(">pets<") && r.contains(">/pets/{petId}<") && r.contains(">4<")),
        "the pets resource with its 4 items (3 seeds and one created):\n{dom}"
    );
    assert!(
        !dom.contains("id=\"state\" aria-labelledby=\"state-h\" hidden"),
        "the section shows"
    );

    // A stateless mock keeps the section hidden.
    let plain = TestServer::start("petstore.yaml");
    let url = plain.url("/__stubborn/");
    let browser = on_path(BROWSER).unwrap();
    let dom = tokio::task::spawn_blocking(move || dump_dom(&browser, &url, &[]))
        .await
        .unwrap();
    assert!(
        rows(&dom, "resources").len() <= 1,
        "only the head row:\n{dom}"
    );
}

//! The dashboard at `GET /__stubborn/`, end to end in headless Chromium.
//!
//! Needs `chromium` on PATH (Debian's package; `.ci/run` installs it). Without it the test
//! fails under CI (the `CI` variable is set) and is skipped with a notice elsewhere.

mod common;

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
fn dump_dom(browser: &Path, url: &str, extra: &[String]) -> String {
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

#[tokio::test]
async fn the_dashboard_shows_routes_and_the_live_call_log() {
    let Some(browser) = on_path(BROWSER) else {
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

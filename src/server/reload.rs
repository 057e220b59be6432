//! `stubborn mock --watch`: the served `Mock` can be swapped while the server runs.
//!
//! [`SharedMock`] holds the current version. Each request clones the `Arc` once, at its start,
//! so a request in flight finishes on the version it started with while new requests get the
//! new one. [`spawn_watcher`] polls the files the document spans and, when they change and
//! settle, loads them again; a version that does not load is reported and the previous one
//! keeps serving.
//!
//! Watching is done by polling modification times and sizes rather than with a file-watching
//! crate: a document spans a handful of files, a poll every 300 ms costs nothing, and it keeps
//! the build lean and behaves the same on every platform and file system (editors that save by
//! renaming, network mounts, containers' bind mounts).

use crate::compile::{Mock, MockOptions};
use crate::load;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

/// The version of the mock being served, replaceable while the server runs.
///
/// Connections keep the version they last saw with its number ([`SharedMock::latest`]) and
/// compare numbers per request, which only reads a counter that changes on a reload: no lock
/// and no reference count that every request on every thread would write.
pub struct SharedMock {
    mock: RwLock<Arc<Mock>>,
    /// Bumped after each replacement.
    version: AtomicU64,
}

impl SharedMock {
    pub fn new(mock: Arc<Mock>) -> Self {
        SharedMock {
            mock: RwLock::new(mock),
            version: AtomicU64::new(0),
        }
    }

    /// The version to answer one request with; the lock is held only to clone the `Arc`.
    pub fn current(&self) -> Arc<Mock> {
        Arc::clone(&self.mock.read().unwrap_or_else(|e| e.into_inner()))
    }

    /// The current version and its number.
    pub fn latest(&self) -> (u64, Arc<Mock>) {
        let mock = self.mock.read().unwrap_or_else(|e| e.into_inner());
        (self.version.load(Ordering::Acquire), Arc::clone(&mock))
    }

    /// The number of the current version: a version held with an older number is stale.
    pub fn version(&self) -> u64 {
        self.version.load(Ordering::Acquire)
    }

    /// Serves `mock` from the next request on; requests in flight keep the version they hold.
    pub fn replace(&self, mock: Arc<Mock>) {
        let mut current = self.mock.write().unwrap_or_else(|e| e.into_inner());
        *current = mock;
        self.version.fetch_add(1, Ordering::Release);
    }
}

/// Loads and compiles the document at `path` for serving, with the document itself kept for
/// `GET /__stubborn/spec`; also the files it read (see [`load::load_file_with_paths`]). The
/// one way `mock` and `--watch` make a [`Mock`] from a file.
pub fn load_mock(
    path: &Path,
    load_options: &load::LoadOptions,
    options: MockOptions,
) -> (Result<Mock, load::LoadErrors>, Vec<PathBuf>) {
    let (result, read) = load::load_file_with_paths(path, load_options);
    let result = result.map(|api| {
        let mut mock = Mock::new(api, options);
        match crate::load::bundle::served_document(path, &read) {
            Ok(doc) => mock.document = Some(doc),
            Err(e) => mock.api.warnings.push(crate::model::Diagnostic {
                at: path.display().to_string(),
                message: format!("the document cannot be shown at /__stubborn/spec: {e}"),
            }),
        }
        mock
    });
    (result, read)
}

/// How often the files are looked at.
const POLL: Duration = Duration::from_millis(300);
/// How long the files must stay unchanged before they are read (an editor or a generator may
/// write a file in several steps, or several files one after the other).
const SETTLE: Duration = Duration::from_millis(200);

/// What a file looked like: `None` when it could not be read (deleted, being replaced).
type Stamp = Option<(SystemTime, u64)>;

fn stamp(path: &Path) -> Stamp {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

fn snapshot(files: &[PathBuf]) -> Vec<Stamp> {
    files.iter().map(|f| stamp(f)).collect()
}

/// Watches `path` and every file it references (on the current tokio runtime); when they
/// change, loads the document again with `options` and swaps the result into `shared`. Logs
/// one line on stderr per reload: `reloaded SPEC: N operations`, or `reload failed, still
/// serving the previous version:` followed by the errors.
///
/// The files' current state is taken here, before returning (it reads the document once to
/// learn which files it spans), so call it before announcing the server: a change made after
/// this returns is always picked up.
pub fn spawn_watcher(
    path: PathBuf,
    shared: Arc<SharedMock>,
    load_options: load::LoadOptions,
    options: MockOptions,
) -> tokio::task::JoinHandle<()> {
    // The files the served version was read from, found by loading once more (cheap next to
    // compiling, and it keeps `main`'s first load untouched).
    let mut files = watched(&path, load::load_file_with_paths(&path, &load_options).1);
    let mut seen = snapshot(&files);
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(POLL).await;
            let now = snapshot(&files);
            if now == seen {
                continue;
            }
            // Wait until nothing moves for SETTLE.
            let mut settled = now;
            loop {
                tokio::time::sleep(SETTLE).await;
                let again = snapshot(&files);
                if again == settled {
                    break;
                }
                settled = again;
            }
            let spec = path.clone();
            let opts = options.clone();
            let load_opts = load_options.clone();
            let loaded =
                tokio::task::spawn_blocking(move || load_mock(&spec, &load_opts, opts)).await;
            let Ok((result, read)) = loaded else {
                // The loader panicked: keep serving, look again on the next change.
                eprintln!(
                    "reload failed, still serving the previous version:\nerror: {} could not be loaded",
                    path.display()
                );
                seen = settled;
                continue;
            };
            let before: Vec<(PathBuf, Stamp)> = files.iter().cloned().zip(settled).collect();
            match result {
                Ok(mock) => {
                    for w in &mock.api.warnings {
                        eprintln!("warning: {w}");
                    }
                    let count = mock.api.operations.len();
                    let mock = Arc::new(mock);
                    shared.replace(Arc::clone(&mock));
                    eprintln!("reloaded {}: {count} operations", path.display());
                    // Fill the new version's body slots in the background, as on start.
                    tokio::task::spawn_blocking(move || {
                        for problem in mock.render_all() {
                            eprintln!("warning: {problem}");
                        }
                    });
                    files = watched(&path, read);
                }
                Err(errors) => {
                    eprintln!("reload failed, still serving the previous version:\n{errors}");
                    // Keep watching what the served version spans, plus what this attempt read
                    // (a new file it failed in).
                    let mut union = files;
                    for f in watched(&path, read) {
                        if !union.contains(&f) {
                            union.push(f);
                        }
                    }
                    files = union;
                }
            }
            // Files watched before keep the stamp they were read at, so a change made while
            // loading is noticed on the next poll; new files are stamped now.
            seen = files
                .iter()
                .map(|f| match before.iter().find(|(p, _)| p == f) {
                    Some((_, s)) => *s,
                    None => stamp(f),
                })
                .collect();
        }
    })
}

/// The root as given on the command line (what the user edits, symlink or not) and every file
/// the loader read, without repeats.
fn watched(root: &Path, read: Vec<PathBuf>) -> Vec<PathBuf> {
    let mut files = vec![root.to_path_buf()];
    let canonical = root.canonicalize().ok();
    for f in read {
        if Some(&f) != canonical.as_ref() && !files.contains(&f) {
            files.push(f);
        }
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mock(spec: &str) -> Arc<Mock> {
        let api = load::load_str("t.yaml", spec).expect("loads");
        Arc::new(Mock::new(api, MockOptions::default()))
    }

    const ONE: &str = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200': {description: ok}\n";
    const TWO: &str = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200': {description: ok}\n  /b:\n    get:\n      responses:\n        '200': {description: ok}\n";

    #[test]
    fn a_held_version_survives_a_replace() {
        let shared = SharedMock::new(mock(ONE));
        let held = shared.current();
        shared.replace(mock(TWO));
        assert_eq!(held.api.operations.len(), 1);
        assert_eq!(shared.current().api.operations.len(), 2);
    }
}

//! The fuzz targets' logic, shared by the libFuzzer drivers (`fuzz_targets/*.rs`, run with
//! `cargo fuzz`) and the stable-toolchain runner (`src/bin/stable.rs`).
//!
//! Each target takes arbitrary bytes and must never panic, whatever they are:
//!
//! - [`load`]: a document (JSON or YAML text) → load → compile → one request per operation.
//! - [`route`]: a path → `Router::route` and `Router::nearest` on routers built once from
//!   `specs/` and from templates with two or three parameters in a segment.
//! - [`params`]: a request line, query and headers (no body) → the whole request pipeline
//!   (`Mock::handle`: parameter deserialisation and validation, security, scenario matching,
//!   templates that echo request values).
//! - [`body`]: the same with a body and its `Content-Type`.
//!
//! `params` and `body` read a small HTTP-like text, so the seed corpus is readable requests and
//! a crashing input can be read as it is:
//!
//! ```text
//! validation GET /open/items/7?limit=5&tags=a
//! X-Request-Id: 9b2d...
//! Cookie: session=abcd
//!
//! the body, up to the end
//! ```
//!
//! The first word names a document (see [`SPECS`]); an unknown name picks one by hash.

use arbitrary::{Arbitrary, Unstructured};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use stubborn::compile::{Mock, MockOptions};
use stubborn::runtime::Request;
use stubborn::model::{Api, Method};
use stubborn::route::Router;

/// A fuzz target: any bytes in, no panic out.
pub type Target = fn(&[u8]);

/// The fuzz targets by name, for the stable runner.
pub const TARGETS: &[(&str, Target)] = &[
    ("load", load),
    ("route", route),
    ("params", params),
    ("body", body),
];

/// How many inputs got past the first gate (a document that loaded, a path that matched a
/// route, a request that reached an operation): the stable runner reports it, since without
/// coverage feedback it is the only sign that mutants still reach deep code.
pub static DEEP: AtomicU64 = AtomicU64::new(0);

/// Inputs larger than this are cut: bigger inputs find nothing new and slow every run down.
pub const MAX_INPUT: usize = 64 * 1024;

/// The documents the request targets serve, by the name the input's first word gives.
pub const SPECS: &[(&str, &str)] = &[
    ("validation", "specs/validation.yaml"),
    ("scenarios", "specs/scenarios.yaml"),
    ("petstore", "specs/petstore.yaml"),
    ("todo", "specs/todo-3.1.yaml"),
    ("zoo", "specs/schema-zoo.yaml"),
    ("swagger2", "specs/swagger2.yaml"),
    ("multi", "specs/multi-file/openapi.yaml"),
    ("postman", "specs/postman/petstore.postman_collection.json"),
    ("har", "tests/fixtures/traffic.har"),
    ("bodies", "fuzz/specs/bodies.yaml"),
    ("streams", "specs/streams.yaml"),
    ("oas32", "tests/fixtures/openapi32/streams.yaml"),
    ("habits", "tests/fixtures/prism/habits.yaml"),
    ("hardening", "tests/fixtures/hardening.yaml"),
];

/// The repository root (the fuzz crate lives in its `fuzz/` folder).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default()
}

fn load_spec(path: &str) -> Api {
    let path = repo_root().join(path);
    stubborn::load::load_file(&path)
        .unwrap_or_else(|e| panic!("{} does not load: {e}", path.display()))
}

/// Every document in [`SPECS`], compiled once per process.
fn mocks() -> &'static [(&'static str, Mock)] {
    static MOCKS: OnceLock<Vec<(&'static str, Mock)>> = OnceLock::new();
    MOCKS.get_or_init(|| {
        SPECS
            .iter()
            .map(|(name, path)| (*name, Mock::new(load_spec(path), MockOptions::default())))
            .collect()
    })
}

/// A concrete path for a template: every `{name}` becomes `fill`.
fn concrete(template: &str, fill: &str) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        match rest[open..].find('}') {
            Some(close) => {
                out.push_str(fill);
                rest = &rest[open + close + 1..];
            }
            None => {
                rest = &rest[open..];
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Target `load`: a document (JSON or YAML bytes) is loaded; if it loads, it is compiled and
/// every operation (the first 64) answers one request, which is where spec values reach
/// runtime (security schemes, delays, examples, generated bodies, templates, streams).
///
/// Nothing is stepped around: the two spec values known to panic when the targets were written
/// (an `http` scheme with an empty or non-ASCII `scheme`, a huge `x-stubborn-delay` range)
/// were fixed by the hardening pass, and the fuzzer now checks those fixes too.
pub fn load(data: &[u8]) {
    let data = &data[..data.len().min(MAX_INPUT)];
    let text = String::from_utf8_lossy(data);
    let Ok(api) = stubborn::load::load_str("fuzz.yaml", &text) else {
        return;
    };
    DEEP.fetch_add(1, Ordering::Relaxed);
    let mock = Mock::new(api, MockOptions::default());
    let requests: Vec<(Method, String)> = mock
        .api
        .operations
        .iter()
        .take(64)
        .map(|op| (op.method, concrete(&op.path, "1")))
        .collect();
    for (method, path) in requests {
        for accept in [None, Some("application/xml, text/*;q=0.5")] {
            drain(&mock, mock.answer(method, &path, accept));
        }
    }
}

/// The routers [`route`] uses: one per document in `specs/`, plus templates whose segments
/// hold two parameters, literals between them, and overlapping shapes.
fn routers() -> &'static [Router] {
    static ROUTERS: OnceLock<Vec<Router>> = OnceLock::new();
    ROUTERS.get_or_init(|| {
        let mut routers: Vec<Router> = mocks()
            .iter()
            .map(|(_, m)| {
                let api = &m.api;
                Router::new(
                    api.operations
                        .iter()
                        .enumerate()
                        .map(|(i, op)| (i, op.method, op.path.as_str())),
                    &api.base_paths,
                )
                .match_any_case(api.format.starts_with("Postman"))
            })
            .collect();
        let templates = [
            "/files/{name}.{ext}",
            "/files/{name}",
            "/files/readme.md",
            "/range/{from}-{to}",
            "/range/{from}-{to}/items/{id}",
            "/{a}{b}",
            "/x/{a}.{b}.{c}",
            "/x/v{major}.{minor}/docs",
            "/ünï/{cödé}~{ß}",
            "/users/{id}/posts/{postId}",
            "/users/me/posts",
        ];
        for any_case in [false, true] {
            routers.push(
                Router::new(
                    templates
                        .iter()
                        .enumerate()
                        .map(|(i, t)| (i, Method::ALL[i % Method::ALL.len()], *t)),
                    &["/api/v1".to_string(), "/ünï".to_string()],
                )
                .match_any_case(any_case),
            );
        }
        routers
    })
}

/// The input of [`route`], split by `arbitrary`.
#[derive(Arbitrary, Debug)]
pub struct RouteInput {
    /// Which router (modulo their number).
    pub router: u8,
    /// Which method (modulo 8).
    pub method: u8,
    /// Appends `count` (at most 8192, the longest URI the server takes) copies of `byte`: a
    /// long segment against two-parameter templates without needing a long input.
    pub long: Option<(u8, u16)>,
    /// The path, as sent (percent-encoded or not, anything).
    pub path: String,
}

/// Target `route`: a path → `route` (every method) and `nearest`.
pub fn route(data: &[u8]) {
    let data = &data[..data.len().min(MAX_INPUT)];
    let Ok(input) = RouteInput::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    let routers = routers();
    let router = &routers[input.router as usize % routers.len()];
    let method = Method::ALL[input.method as usize % Method::ALL.len()];
    let mut path = input.path;
    if let Some((byte, count)) = input.long {
        let c = char::from(byte);
        path.extend(std::iter::repeat_n(c, count as usize % 8193));
    }
    if !matches!(
        router.route(method, &path),
        stubborn::route::Routed::NotFound
    ) {
        DEEP.fetch_add(1, Ordering::Relaxed);
    }
    let _ = router.nearest(&path);
}

/// A request parsed from the text format described in the crate documentation.
struct Parsed<'a> {
    spec: usize,
    method: Method,
    path: &'a str,
    query: Option<&'a str>,
    headers: http::HeaderMap,
    body: &'a [u8],
}

fn parse_method(s: &str) -> Method {
    Method::parse(s).unwrap_or(Method::Get)
}

fn parse_request(data: &[u8]) -> Parsed<'_> {
    let data = &data[..data.len().min(MAX_INPUT)];
    // Head and body split at the first empty line, as in HTTP.
    let (head, body) = match find(data, b"\n\n") {
        Some(i) => (&data[..i], &data[i + 2..]),
        None => (data, &data[data.len()..]),
    };
    let mut lines = head.split(|&b| b == b'\n');
    let first = std::str::from_utf8(lines.next().unwrap_or_default()).unwrap_or("");
    let mut words = first.splitn(3, ' ');
    let name = words.next().unwrap_or("");
    let spec = SPECS
        .iter()
        .position(|(n, _)| *n == name)
        .unwrap_or_else(|| name.bytes().map(usize::from).sum::<usize>() % SPECS.len());
    let method = parse_method(words.next().unwrap_or(""));
    let target = words.next().unwrap_or("/");
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (target, None),
    };
    let mut headers = http::HeaderMap::new();
    for line in lines {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let value = &line[colon + 1..];
        let value = value.strip_prefix(b" ").unwrap_or(value);
        if let (Ok(n), Ok(v)) = (
            http::HeaderName::from_bytes(&line[..colon]),
            http::HeaderValue::from_bytes(value),
        ) {
            headers.append(n, v);
        }
    }
    Parsed {
        spec,
        method,
        path,
        query,
        headers,
        body,
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn handle(data: &[u8], with_body: bool) {
    let req = parse_request(data);
    let mock = &mocks()[req.spec].1;
    let body = if with_body { req.body } else { &[] };
    let answer = mock.handle(&Request::new(
        req.method,
        req.path,
        req.query,
        &req.headers,
        body,
    ));
    if answer.operation.is_some() {
        DEEP.fetch_add(1, Ordering::Relaxed);
    }
    drain(mock, answer);
}

/// What the server does with a streaming answer: its first items, framed.
fn drain(mock: &Mock, answer: stubborn::runtime::Answer) {
    if let Some(spec) = &answer.stream {
        for i in 0..spec.count.min(3) {
            let _ = mock.stream_chunk(spec, i);
        }
    }
}

/// Target `params`: a request line (document, method, path and query) and headers, no body,
/// through the whole request pipeline: routing, security, parameter deserialisation by style,
/// coercion and validation, scenario matching, templated examples.
pub fn params(data: &[u8]) {
    handle(data, false);
}

/// Target `body`: the same with a body: the `Content-Type` header picks the media type (JSON,
/// forms, multipart, text, XML and other opaque types, wildcards), the body is parsed and
/// validated, and scenarios and templates read it.
pub fn body(data: &[u8]) {
    handle(data, true);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spec_loads_and_the_format_parses() {
        assert_eq!(mocks().len(), SPECS.len());
        let r = parse_request(b"bodies POST /json/1?q=abc\nContent-Type: application/json\n\n{}");
        assert_eq!(SPECS[r.spec].0, "bodies");
        assert_eq!(r.method, Method::Post);
        assert_eq!((r.path, r.query), ("/json/1", Some("q=abc")));
        assert_eq!(r.headers.len(), 1);
        assert_eq!(r.body, b"{}");
    }

    #[test]
    fn templates_become_paths() {
        assert_eq!(concrete("/a/{x}.{y}/b", "1"), "/a/1.1/b");
        assert_eq!(concrete("/a/{x", "1"), "/a/{x");
    }
}

#[cfg(test)]
mod seeds {
    use super::*;

    /// The request seeds reach their operations (a seed answered 404 fuzzes nothing).
    #[test]
    fn request_seeds_route() {
        for target in ["params", "body"] {
            let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("corpus")
                .join(target);
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                let seed = path.file_name().and_then(|n| n.to_str());
                if !seed.is_some_and(|n| n.starts_with("seed-")) {
                    continue; // what a fuzzer added, not a seed
                }
                let data = std::fs::read(&path).unwrap();
                let req = parse_request(&data);
                let mock = &mocks()[req.spec].1;
                let a = mock.handle(&Request::new(req.method, req.path, req.query, &req.headers, req.body));
                assert!(a.operation.is_some(), "{}: {}", path.display(), a.status);
            }
        }
    }
}

//! Saved examples matched the way Postman's mock server matches them ("How a Postman mock server
//! matches requests to saved examples"): every saved example of the document is a candidate,
//! whatever request it was saved under, and is judged by its own `originalRequest`.
//!
//! 1. Keep the examples with the request's method.
//! 2. `x-mock-response-name`, `x-mock-response-id` (id or `<user id>-<id>` uid) and
//!    `x-mock-response-code` (and their `Prefer` spellings) keep the examples they name.
//! 3. Score the path, from 100: exact; case-insensitive (−10); without a trailing slash (−5);
//!    both (−15); ids (numbers, UUIDs, 256+ characters) blanked (−20); both (−25); path
//!    variables (`:id`, undefined `{{id}}`) matching any segment (−20). No fit: out.
//! 4. When the request has a query, score it: every parameter matched by name and value +10;
//!    some only by name, +10 × the share matched; none, −1 per missing one (at most −10).
//! 5. `x-mock-match-request-headers` keeps the examples that sent those headers with the
//!    request's values (`*`/`true`: all of theirs); `x-mock-match-request-body: true` keeps the
//!    examples whose body equals the request's (JSON by value, forms by fields, else text).
//! 6. The highest score wins; a tie goes to a 2xx example, then to document order.
//! 7. Nothing left and nothing asked for by header: the first example whose path has as many
//!    segments, each within 25% edits of the request's (Postman's document-distance step).
//!
//! Everything about the examples is prepared once ([`SavedSet::new`]); a request is matched
//! without allocating per example beyond its score.

use crate::model::{SavedExample, SavedSegment};
use http::HeaderMap;
use serde_json::Value;

/// The examples, ready to match.
#[derive(Debug, Default)]
pub struct SavedSet {
    examples: Vec<Prepared>,
    /// Server path prefixes (`/v1`), accepted in front of the examples' paths.
    base_paths: Vec<Vec<String>>,
}

#[derive(Debug)]
struct Prepared {
    method: String,
    name: String,
    id: Option<String>,
    status: u16,
    /// Segments: literal text, or a variable with the value it was saved with.
    segments: Vec<Segment>,
    query: Vec<(String, String)>,
    /// Lower-case names.
    headers: Vec<(String, String)>,
    body: Option<Body>,
}

#[derive(Debug)]
enum Segment {
    Literal(String),
    Variable(Option<String>),
}

#[derive(Debug, PartialEq)]
enum Body {
    Json(Value),
    Form(Vec<(String, String)>),
    Text(String),
}

impl Body {
    fn parse(media: &str, bytes: &[u8]) -> Option<Body> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return None;
        }
        let media = media
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if media.ends_with("json") || media.ends_with("+json") {
            if let Ok(v) = serde_json::from_slice(bytes) {
                return Some(Body::Json(v));
            }
        }
        if media == "application/x-www-form-urlencoded" {
            let mut pairs: Vec<(String, String)> =
                form_urlencoded::parse(bytes).into_owned().collect();
            pairs.sort();
            return Some(Body::Form(pairs));
        }
        Some(Body::Text(
            String::from_utf8_lossy(bytes).trim().to_string(),
        ))
    }
}

/// The request, as the matcher reads it.
pub struct Incoming<'a> {
    pub method: &'a str,
    /// The raw path (percent-encoded).
    pub path: &'a str,
    /// The raw query string, without `?`.
    pub query: Option<&'a str>,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
}

/// What the request asked for by header: `x-mock-response-name`/`-id`/`-code` (or `Prefer`).
#[derive(Clone, Copy, Debug, Default)]
pub struct Selectors<'a> {
    pub name: Option<&'a str>,
    pub id: Option<&'a str>,
    pub code: Option<u16>,
}

impl Selectors<'_> {
    fn any(&self) -> bool {
        self.name.is_some() || self.id.is_some() || self.code.is_some()
    }
}

/// The example that answers, and why (for `x-stubborn-match` and the call log).
#[derive(Debug, PartialEq)]
pub struct Match {
    pub index: usize,
    pub reason: String,
}

impl SavedSet {
    pub fn new(examples: &[SavedExample], base_paths: &[String]) -> SavedSet {
        let examples = examples
            .iter()
            .map(|e| Prepared {
                method: e.method.to_ascii_uppercase(),
                name: e.name.clone(),
                id: e.id.clone(),
                status: e.status,
                segments: e
                    .path
                    .iter()
                    .map(|s| match s {
                        SavedSegment::Literal(l) => Segment::Literal(l.clone()),
                        SavedSegment::Variable { value, .. } => Segment::Variable(value.clone()),
                    })
                    .collect(),
                query: e.query.clone(),
                headers: e
                    .headers
                    .iter()
                    .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
                    .collect(),
                body: e
                    .body
                    .as_ref()
                    .and_then(|(media, text)| Body::parse(media, text.as_bytes())),
            })
            .collect();
        SavedSet {
            examples,
            base_paths: base_paths
                .iter()
                .map(|b| {
                    b.split('/')
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect()
                })
                .filter(|b: &Vec<String>| !b.is_empty())
                .collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.examples.is_empty()
    }

    pub fn len(&self) -> usize {
        self.examples.len()
    }

    /// Postman's choice for `req`, if any example fits.
    pub fn select(&self, req: &Incoming, selectors: Selectors) -> Option<Match> {
        let segments = decode_segments(req.path);
        let trailing_slash = req.path.len() > 1 && req.path.ends_with('/');
        // The path as sent, and without a server prefix it may carry.
        let mut paths: Vec<&[String]> = vec![&segments];
        for base in &self.base_paths {
            if segments.len() >= base.len() && segments[..base.len()] == base[..] {
                paths.push(&segments[base.len()..]);
            }
        }
        let query: Vec<(String, String)> = req
            .query
            .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
            .unwrap_or_default();
        let header = |name: &str| {
            req.headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
        };
        let match_headers: Option<Vec<String>> = header("x-mock-match-request-headers")
            .filter(|v| !v.is_empty() && !v.eq_ignore_ascii_case("false"))
            .map(|v| {
                if v.eq_ignore_ascii_case("true") {
                    vec!["*".to_string()]
                } else {
                    v.split(',')
                        .map(|h| h.trim().to_ascii_lowercase())
                        .filter(|h| !h.is_empty())
                        .collect()
                }
            });
        let match_body =
            header("x-mock-match-request-body").is_some_and(|v| v.eq_ignore_ascii_case("true"));
        let request_body = match_body
            .then(|| {
                let media = header("content-type").unwrap_or("");
                Body::parse(media, req.body)
            })
            .flatten();

        let selected = |e: &Prepared| {
            selectors.name.is_none_or(|n| e.name == n)
                && selectors.id.is_none_or(|id| {
                    e.id.as_deref().is_some_and(|own| {
                        own == id
                            || id
                                .strip_suffix(own)
                                .and_then(|p| p.strip_suffix('-'))
                                .is_some_and(|user| !user.is_empty())
                    })
                })
                && selectors.code.is_none_or(|c| e.status == c)
        };
        let mut best: Option<(f64, bool, usize, String)> = None;
        let mut named: Option<usize> = None;
        for (index, e) in self.examples.iter().enumerate() {
            if !e.method.eq_ignore_ascii_case(req.method) || !selected(e) {
                continue;
            }
            if named.is_none() && (selectors.name.is_some() || selectors.id.is_some()) {
                named = Some(index);
            }
            let Some((mut score, how)) = paths
                .iter()
                .filter_map(|p| path_score(p, trailing_slash, &e.segments))
                .max_by(|a, b| a.0.total_cmp(&b.0))
            else {
                continue;
            };
            let mut why = format!("path={how}");
            if !query.is_empty() {
                let (bonus, text) = query_score(&query, &e.query);
                score += bonus;
                why.push_str(&format!("; query={text}"));
            }
            if let Some(names) = &match_headers {
                let wanted: Vec<&(String, String)> = if names.iter().any(|n| n == "*") {
                    e.headers.iter().collect()
                } else {
                    names
                        .iter()
                        .map(|n| e.headers.iter().find(|(k, _)| k == n).ok_or(()))
                        .collect::<Result<_, ()>>()
                        .unwrap_or_default()
                };
                let all_sent = !wanted.is_empty()
                    && wanted
                        .iter()
                        .all(|(k, v)| header(k).is_some_and(|got| got == v.trim()));
                if !all_sent {
                    continue;
                }
                why.push_str("; headers=matched");
            }
            if match_body {
                if e.body != request_body {
                    continue;
                }
                why.push_str("; body=matched");
            }
            let two = (200..300).contains(&e.status);
            let better = match &best {
                None => true,
                Some((s, t, _, _)) => score > *s || (score == *s && two && !*t),
            };
            if better {
                best = Some((score, two, index, why));
            }
        }
        if let Some((score, _, index, why)) = best {
            return Some(Match {
                index,
                reason: format!(
                    "saved example \"{}\"; score={}; {why}",
                    self.examples[index].name,
                    (score * 100.0).round() / 100.0
                ),
            });
        }
        // Named by name or id, but saved under another URL: Postman still answers with it.
        if let Some(index) = named.filter(|_| match_headers.is_none() && !match_body) {
            return Some(Match {
                index,
                reason: format!(
                    "saved example \"{}\"; named by header",
                    self.examples[index].name
                ),
            });
        }
        if selectors.any() || match_headers.is_some() || match_body {
            return None;
        }
        // Postman's last resort: a path of the same length whose every segment is close.
        self.examples.iter().enumerate().find_map(|(index, e)| {
            (e.method.eq_ignore_ascii_case(req.method)
                && paths.iter().any(|p| close_enough(p, &e.segments)))
            .then(|| Match {
                index,
                reason: format!(
                    "saved example \"{}\"; path within Postman's edit distance",
                    e.name
                ),
            })
        })
    }

    /// The examples closest to `req` by method and path, as `METHOD /path (name)`, for a 404
    /// that says what the request nearly matched.
    pub fn nearest(&self, method: &str, path: &str, limit: usize) -> Vec<String> {
        let segments = decode_segments(path);
        let mut ranked: Vec<(usize, usize)> = self
            .examples
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let mut cost = if e.method.eq_ignore_ascii_case(method) {
                    0
                } else {
                    4
                };
                cost += segments.len().abs_diff(e.segments.len()) * 4;
                for (s, t) in segments.iter().zip(&e.segments) {
                    cost += match t {
                        Segment::Variable(_) => 0,
                        Segment::Literal(l) if l == s => 0,
                        Segment::Literal(l) if l.eq_ignore_ascii_case(s) => 1,
                        Segment::Literal(_) => 3,
                    };
                }
                (cost, i)
            })
            .collect();
        ranked.sort();
        let mut out: Vec<String> = Vec::new();
        for (_, i) in ranked {
            let e = &self.examples[i];
            let line = format!("{} {} ({})", e.method, e.display_path(), e.name);
            if !out.contains(&line) {
                out.push(line);
            }
            if out.len() == limit {
                break;
            }
        }
        out
    }

    pub fn name(&self, index: usize) -> &str {
        &self.examples[index].name
    }
}

impl Prepared {
    fn display_path(&self) -> String {
        let mut out = String::new();
        for s in &self.segments {
            out.push('/');
            match s {
                Segment::Literal(l) => out.push_str(l),
                Segment::Variable(Some(v)) => out.push_str(v),
                Segment::Variable(None) => out.push_str(":var"),
            }
        }
        if out.is_empty() {
            out.push('/');
        }
        out
    }
}

fn decode_segments(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        })
        .collect()
}

/// Postman's id test: a number, a UUID, or a long string that may be binary data.
fn is_id(segment: &str) -> bool {
    let uuid = segment.len() == 36
        && segment.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        });
    (!segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()))
        || uuid
        || segment.chars().count() >= 256
}

/// The path score (100 for exact) and which rule matched, or `None` when the path does not fit.
fn path_score(
    request: &[String],
    trailing_slash: bool,
    example: &[Segment],
) -> Option<(f64, &'static str)> {
    if request.len() != example.len() {
        return None;
    }
    let pairs = || request.iter().zip(example);
    let literal = |pred: &dyn Fn(&str, &str) -> bool| {
        pairs().all(|(r, e)| match e {
            Segment::Literal(l) => pred(r, l),
            Segment::Variable(Some(v)) => pred(r, v),
            Segment::Variable(None) => false,
        })
    };
    let exact = |r: &str, l: &str| r == l;
    let any_case = |r: &str, l: &str| r.eq_ignore_ascii_case(l);
    let ids = |r: &str, l: &str| r.eq_ignore_ascii_case(l) || (is_id(r) && is_id(l));
    // The segments are the same either way; a trailing slash only costs points.
    let slash = if trailing_slash { 5.0 } else { 0.0 };
    if literal(&exact) {
        return Some((
            100.0 - slash,
            if trailing_slash {
                "trailing slash"
            } else {
                "exact"
            },
        ));
    }
    if literal(&any_case) {
        return Some((90.0 - slash, "case-insensitive"));
    }
    if literal(&ids) {
        return Some((80.0 - slash, "ids"));
    }
    let wildcard = pairs().all(|(r, e)| match e {
        Segment::Literal(l) => r == l,
        Segment::Variable(_) => !r.is_empty(),
    });
    wildcard.then_some((80.0 - slash, "path variables"))
}

/// Postman's query scoring: the bonus, and a note such as `2/3`.
fn query_score(request: &[(String, String)], example: &[(String, String)]) -> (f64, String) {
    let mut keys: Vec<&str> = Vec::new();
    for (k, _) in request {
        if !keys.contains(&k.as_str()) {
            keys.push(k);
        }
    }
    let (mut full, mut partial, mut missing) = (0usize, 0usize, 0usize);
    for key in &keys {
        let wanted: Vec<&str> = example
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect();
        let sent = |v: &str| request.iter().any(|(k, got)| k == key && got == v);
        if !wanted.is_empty() && wanted.iter().all(|v| sent(v)) {
            full += 1;
        } else if example.iter().any(|(k, _)| k.eq_ignore_ascii_case(key)) {
            partial += 1;
        } else if !example.is_empty() {
            missing += 1;
        }
    }
    let n = keys.len();
    let bonus = if full == n {
        10.0
    } else if partial > 0 {
        10.0 * full as f64 / (full + partial + missing) as f64
    } else {
        -(missing.min(10) as f64)
    };
    (bonus, format!("{full}/{n}"))
}

/// Postman's document-distance step: each segment within 25% edits of the request's.
fn close_enough(request: &[String], example: &[Segment]) -> bool {
    request.len() == example.len()
        && !request.is_empty()
        && request.iter().zip(example).all(|(r, e)| match e {
            Segment::Variable(_) => true,
            Segment::Literal(l) => {
                let len = r.chars().count();
                if len == 0 || len > 256 || l.chars().count() > 256 {
                    return r == l;
                }
                let d = strsim::levenshtein(r, l);
                ((len.saturating_sub(d)) * 100 + len / 2) / len >= 75
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(
        name: &str,
        method: &str,
        path: &str,
        query: &[(&str, &str)],
        status: u16,
    ) -> SavedExample {
        SavedExample {
            name: name.into(),
            id: Some(format!("id-{name}")),
            method: method.into(),
            path: path
                .split('/')
                .filter(|s| !s.is_empty())
                .map(|s| match s.strip_prefix(':') {
                    Some(n) => SavedSegment::Variable {
                        name: n.into(),
                        value: None,
                    },
                    None => SavedSegment::Literal(s.into()),
                })
                .collect(),
            query: query
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            headers: vec![("X-Tenant".into(), "acme".into())],
            body: None,
            status,
            response_headers: Vec::new(),
            response_body: String::new(),
            origin: String::new(),
        }
    }

    fn pick(
        set: &SavedSet,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
    ) -> Option<String> {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let mut map = HeaderMap::new();
        for (k, v) in headers {
            map.insert(
                http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        let req = Incoming {
            method,
            path,
            query: (!query.is_empty()).then_some(query),
            headers: &map,
            body: b"",
        };
        set.select(&req, Selectors::default())
            .map(|m| set.name(m.index).to_string())
    }

    #[test]
    fn path_rules_in_postmans_order() {
        let set = SavedSet::new(
            &[
                ex("list", "GET", "/pets", &[], 200),
                ex("one", "GET", "/pets/:id", &[], 200),
                ex("seven", "GET", "/pets/7", &[], 200),
                ex("mine", "GET", "/pets/mine", &[], 200),
                ex("create", "POST", "/pets", &[], 201),
            ],
            &["/v1".into()],
        );
        assert_eq!(pick(&set, "GET", "/pets", &[]).as_deref(), Some("list"));
        assert_eq!(pick(&set, "GET", "/v1/pets", &[]).as_deref(), Some("list"));
        assert_eq!(pick(&set, "GET", "/PETS/", &[]).as_deref(), Some("list"));
        assert_eq!(pick(&set, "GET", "/pets/7", &[]).as_deref(), Some("seven"));
        assert_eq!(
            pick(&set, "GET", "/pets/mine", &[]).as_deref(),
            Some("mine")
        );
        // A number for an id: the literal id example and the variable both fit at 80; the
        // first written wins the tie.
        assert_eq!(pick(&set, "GET", "/pets/12", &[]).as_deref(), Some("one"));
        assert_eq!(pick(&set, "GET", "/pets/rex", &[]).as_deref(), Some("one"));
        assert_eq!(pick(&set, "POST", "/pets", &[]).as_deref(), Some("create"));
        assert_eq!(pick(&set, "DELETE", "/pets", &[]), None);
        // Within Postman's edit distance: a typo.
        assert_eq!(pick(&set, "GET", "/petz", &[]).as_deref(), Some("list"));
        assert_eq!(pick(&set, "GET", "/pest", &[]), None);
        assert_eq!(pick(&set, "GET", "/owners", &[]), None);
    }

    #[test]
    fn query_scoring_and_the_2xx_tie_break() {
        let set = SavedSet::new(
            &[
                ex("bad", "GET", "/search", &[("q", "x")], 400),
                ex("ok", "GET", "/search", &[("q", "x")], 200),
                ex("page2", "GET", "/search", &[("q", "x"), ("page", "2")], 200),
                ex("cats", "GET", "/search", &[("q", "cats")], 200),
            ],
            &[],
        );
        assert_eq!(pick(&set, "GET", "/search?q=x", &[]).as_deref(), Some("ok"));
        assert_eq!(
            pick(&set, "GET", "/search?q=x&page=2", &[]).as_deref(),
            Some("page2")
        );
        assert_eq!(
            pick(&set, "GET", "/search?q=cats", &[]).as_deref(),
            Some("cats")
        );
    }

    #[test]
    fn selectors_and_strict_headers() {
        let set = SavedSet::new(
            &[
                ex("ok", "GET", "/a", &[], 200),
                ex("gone", "GET", "/a", &[], 404),
                ex("elsewhere", "GET", "/b/c", &[], 200),
            ],
            &[],
        );
        let select = |sel: Selectors| {
            let headers = HeaderMap::new();
            let req = Incoming {
                method: "GET",
                path: "/a",
                query: None,
                headers: &headers,
                body: b"",
            };
            set.select(&req, sel).map(|m| set.name(m.index).to_string())
        };
        assert_eq!(
            select(Selectors {
                code: Some(404),
                ..Default::default()
            })
            .as_deref(),
            Some("gone")
        );
        assert_eq!(
            select(Selectors {
                code: Some(500),
                ..Default::default()
            }),
            None
        );
        assert_eq!(
            select(Selectors {
                id: Some("id-gone"),
                ..Default::default()
            })
            .as_deref(),
            Some("gone")
        );
        assert_eq!(
            select(Selectors {
                id: Some("1234-id-gone"),
                ..Default::default()
            })
            .as_deref(),
            Some("gone")
        );
        // Named, but saved under another URL: still that one.
        assert_eq!(
            select(Selectors {
                name: Some("elsewhere"),
                ..Default::default()
            })
            .as_deref(),
            Some("elsewhere")
        );
        assert_eq!(
            pick(
                &set,
                "GET",
                "/a",
                &[("x-mock-match-request-headers", "x-tenant")]
            ),
            None
        );
        assert_eq!(
            pick(
                &set,
                "GET",
                "/a",
                &[
                    ("x-mock-match-request-headers", "x-tenant"),
                    ("x-tenant", "acme")
                ]
            )
            .as_deref(),
            Some("ok")
        );
    }

    #[test]
    fn ids_are_numbers_uuids_and_long_strings() {
        assert!(is_id("42"));
        assert!(is_id("3fa85f64-5717-4562-b3fc-2c963f66afa6"));
        assert!(!is_id("fool"));
        assert!(!is_id(""));
        assert!(is_id(&"x".repeat(256)));
    }
}

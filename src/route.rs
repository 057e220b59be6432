//! Route: method + path → operation, built once from the model.
//!
//! A segment trie: at each segment a literal child is tried before templated ones
//! (`/pets/mine` beats `/pets/{id}`), with backtracking, so overlapping templates resolve the
//! way a reader of the document expects. Segments may mix literals and parameters
//! (`/files/{name}.{ext}`), which is why this is not a general-purpose router crate: those need
//! per-segment patterns, and 404s want the nearest route, not just "no".

use crate::model::Method;
use std::borrow::Cow;
use std::collections::HashMap;

/// Literal segments are hashed per request with foldhash (already in the tree through
/// `hashbrown`), not SipHash: the keys are the document's own, so there is no table an
/// attacker can fill.
type Literals = HashMap<String, Node, foldhash::fast::RandomState>;

/// What a path matched: the route and the raw values of its parameters, in template order.
#[derive(Debug, PartialEq, Eq)]
pub struct PathMatch {
    pub route: usize,
    /// Percent-decoded parameter values, positionally (the operation knows their names).
    pub values: Vec<String>,
}

/// The outcome of routing a request.
#[derive(Debug, PartialEq, Eq)]
pub enum Routed {
    /// The operation index and the path parameter values by name.
    Found {
        operation: usize,
        params: Vec<(String, String)>,
    },
    /// The path exists but not with this method; the methods it has.
    MethodNotAllowed {
        allow: Vec<Method>,
    },
    NotFound,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Lit(String),
    Param,
}

/// A templated segment (`{name}.{ext}`) and the regex that matches it in time linear in the
/// segment's length: parameters are non-empty and take the shortest run that lets the rest
/// match (lazy groups, which the regex crate runs without backtracking).
#[derive(Debug)]
struct Pattern {
    parts: Vec<Part>,
    /// `None` only if the regex could not be built, and then the segment never matches.
    regex: Option<regex::Regex>,
}

impl Pattern {
    fn new(parts: Vec<Part>) -> Pattern {
        let mut source = String::from("(?s)^");
        for part in &parts {
            match part {
                Part::Lit(l) => source.push_str(&regex::escape(l)),
                Part::Param => source.push_str("(.+?)"),
            }
        }
        source.push('$');
        Pattern {
            regex: regex::Regex::new(&source).ok(),
            parts,
        }
    }

    /// Matches one decoded segment, pushing the parameters' values on success.
    fn matches(&self, seg: &str, values: &mut Vec<String>) -> bool {
        // The common case, a whole segment (`{id}`), needs no regex.
        if let [Part::Param] = self.parts.as_slice() {
            if seg.is_empty() {
                return false;
            }
            values.push(seg.to_string());
            return true;
        }
        let Some(caps) = self.regex.as_ref().and_then(|r| r.captures(seg)) else {
            return false;
        };
        values.extend(
            caps.iter()
                .skip(1)
                .map(|m| m.map_or(String::new(), |m| m.as_str().to_string())),
        );
        true
    }
}

#[derive(Default, Debug)]
struct Node {
    literal: Literals,
    /// Templated segments, most specific (most literal characters) first.
    patterns: Vec<(Pattern, Node)>,
    route: Option<usize>,
}

/// One path template shape (parameter names erased) and the operations on it.
#[derive(Debug)]
struct Route {
    /// As first written in the document, for messages.
    template: String,
    /// Per method: the operation and its path parameter names in template order.
    methods: Vec<(Method, usize, Vec<String>)>,
}

#[derive(Debug, Default)]
pub struct Router {
    root: Node,
    routes: Vec<Route>,
    base_paths: Vec<Vec<String>>,
    /// Literal segments may also match in another case, then within two edits (Postman's mocks
    /// do this; an OpenAPI contract does not, so it is off unless asked for).
    any_case: bool,
}

impl Router {
    /// Builds the router. `operations` yields (operation index, method, path template).
    pub fn new<'a>(
        operations: impl IntoIterator<Item = (usize, Method, &'a str)>,
        base_paths: &[String],
    ) -> Router {
        let mut router = Router {
            base_paths: base_paths
                .iter()
                .map(|b| split(b).map(str::to_string).collect())
                .collect(),
            ..Router::default()
        };
        for (op, method, template) in operations {
            router.insert(op, method, template);
        }
        router
    }

    fn insert(&mut self, op: usize, method: Method, template: &str) {
        let mut node = &mut self.root;
        let mut names = Vec::new();
        for seg in split(template) {
            let parts = parse_segment(seg, &mut names);
            node = match parts.as_slice() {
                [Part::Lit(l)] => node.literal.entry(l.clone()).or_default(),
                _ => {
                    if !node.patterns.iter().any(|(p, _)| p.parts == parts) {
                        node.patterns
                            .push((Pattern::new(parts.clone()), Node::default()));
                        // Most specific first: more literal characters win.
                        node.patterns
                            .sort_by_key(|(p, _)| std::cmp::Reverse(literal_len(&p.parts)));
                    }
                    let i = node
                        .patterns
                        .iter()
                        .position(|(p, _)| p.parts == parts)
                        .unwrap_or_default();
                    &mut node.patterns[i].1
                }
            };
        }
        let route = match node.route {
            Some(r) => r,
            None => {
                self.routes.push(Route {
                    template: template.to_string(),
                    methods: Vec::new(),
                });
                node.route = Some(self.routes.len() - 1);
                self.routes.len() - 1
            }
        };
        let methods = &mut self.routes[route].methods;
        if !methods.iter().any(|(m, _, _)| *m == method) {
            methods.push((method, op, names));
        }
    }

    /// Lets literal segments match whatever their case, then with a typo or two, after an exact
    /// match failed (Postman's path matching).
    pub fn match_any_case(mut self, yes: bool) -> Router {
        self.any_case = yes;
        self
    }

    /// Routes a request path (raw, still percent-encoded, without the query).
    pub fn route(&self, method: Method, path: &str) -> Routed {
        let Some(m) = self.match_path(path) else {
            return Routed::NotFound;
        };
        let route = &self.routes[m.route];
        let found = route
            .methods
            .iter()
            .find(|(mm, _, _)| *mm == method)
            .or_else(|| {
                // HEAD is answered like GET where the document has no HEAD operation.
                if method == Method::Head {
                    route.methods.iter().find(|(mm, _, _)| *mm == Method::Get)
                } else {
                    None
                }
            });
        match found {
            Some((_, op, names)) => Routed::Found {
                operation: *op,
                params: names.iter().cloned().zip(m.values).collect(),
            },
            None => Routed::MethodNotAllowed {
                allow: self.allowed(m.route),
            },
        }
    }

    /// The methods a route answers, in a stable order, with HEAD where GET is.
    pub fn allowed(&self, route: usize) -> Vec<Method> {
        let mut allow: Vec<Method> = self.routes[route]
            .methods
            .iter()
            .map(|(m, _, _)| *m)
            .collect();
        if allow.contains(&Method::Get) && !allow.contains(&Method::Head) {
            allow.push(Method::Head);
        }
        allow.sort();
        allow
    }

    /// Matches a path against the templates, with and without a server base path.
    pub fn match_path(&self, path: &str) -> Option<PathMatch> {
        let segments: smallvec::SmallVec<[&str; 8]> = split(path).collect();
        if let Some(m) = self.match_segments(&segments) {
            return Some(m);
        }
        for base in &self.base_paths {
            if segments.len() >= base.len()
                && segments
                    .iter()
                    .zip(base)
                    .all(|(s, b)| decode(s) == b.as_str())
            {
                if let Some(m) = self.match_segments(&segments[base.len()..]) {
                    return Some(m);
                }
            }
        }
        None
    }

    fn match_segments(&self, segments: &[&str]) -> Option<PathMatch> {
        let mut values = Vec::new();
        if let Some(route) = walk(&self.root, segments, &mut values, Loose::Exact) {
            return Some(PathMatch { route, values });
        }
        if !self.any_case {
            return None;
        }
        for loose in [Loose::AnyCase, Loose::Typos] {
            values.clear();
            if let Some(route) = walk(&self.root, segments, &mut values, loose) {
                return Some(PathMatch { route, values });
            }
        }
        None
    }

    /// The route template nearest to a path that matched none, for "did you mean" messages.
    pub fn nearest(&self, path: &str) -> Option<&str> {
        let mut segments: Vec<String> = split(path).map(|s| decode(s).into_owned()).collect();
        for base in &self.base_paths {
            if segments.len() >= base.len() && segments.iter().zip(base).all(|(s, b)| s == b) {
                segments.drain(..base.len());
                break;
            }
        }
        let mut best: Option<(i64, &str)> = None;
        for route in &self.routes {
            let tsegs: Vec<&str> = split(&route.template).collect();
            let mut score: i64 = 0;
            for (i, t) in tsegs.iter().enumerate() {
                match segments.get(i) {
                    Some(s) if s == t => score += 3,
                    Some(s) if s.eq_ignore_ascii_case(t) => score += 2,
                    Some(_) if t.contains('{') => score += 1,
                    Some(s) if near(s, t) => score += 1,
                    Some(_) => score -= 2,
                    None => score -= 1,
                }
            }
            score -= segments.len().saturating_sub(tsegs.len()) as i64;
            if score > 0 && best.is_none_or(|(b, _)| score > b) {
                best = Some((score, &route.template));
            }
        }
        best.map(|(_, t)| t)
    }

    /// Every route template and its methods, in document order.
    pub fn templates(&self) -> impl Iterator<Item = (&str, Vec<Method>)> {
        self.routes
            .iter()
            .enumerate()
            .map(|(i, r)| (r.template.as_str(), self.allowed(i)))
    }
}

fn literal_len(parts: &[Part]) -> usize {
    parts
        .iter()
        .map(|x| match x {
            Part::Lit(l) => l.len(),
            Part::Param => 0,
        })
        .sum()
}

/// Two segments are "near" when they differ by at most two edits (a typo).
fn near(a: &str, b: &str) -> bool {
    distance(a, b).is_some_and(|d| d <= 2)
}

/// The Levenshtein distance (strsim's) between two short strings; `None` when they are too
/// long or too different in length to be worth comparing.
fn distance(a: &str, b: &str) -> Option<usize> {
    // Bytes first: a request's 8 KB segment is not counted in chars once per literal.
    if a.len() > 256 || b.len() > 256 {
        return None;
    }
    let (a_chars, b_chars) = (a.chars().count(), b.chars().count());
    if a_chars.abs_diff(b_chars) > 2 || a_chars > 64 || b_chars > 64 {
        return None;
    }
    Some(strsim::levenshtein(a, b))
}

/// How loosely literal segments may match: exactly; whatever their case; or within two edits
/// (Postman's Levenshtein step).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Loose {
    Exact,
    AnyCase,
    Typos,
}

fn walk(node: &Node, segments: &[&str], values: &mut Vec<String>, loose: Loose) -> Option<usize> {
    let Some((seg, rest)) = segments.split_first() else {
        return node.route;
    };
    let decoded = decode(seg);
    if let Some(child) = node.literal.get(decoded.as_ref()) {
        if let Some(r) = walk(child, rest, values, loose) {
            return Some(r);
        }
    }
    if loose != Loose::Exact {
        // Candidates in a fixed order (closest first, then by name): a hash map's order would
        // make the answer change from run to run.
        let lower = decoded.to_ascii_lowercase();
        let mut near: Vec<(usize, &String, &Node)> = node
            .literal
            .iter()
            .filter(|(lit, _)| lit.as_str() != decoded.as_ref())
            .filter_map(|(lit, child)| {
                if lit.eq_ignore_ascii_case(&decoded) {
                    Some((0, lit, child))
                } else if loose == Loose::Typos {
                    distance(&lit.to_ascii_lowercase(), &lower)
                        .filter(|d| *d <= 2)
                        .map(|d| (d, lit, child))
                } else {
                    None
                }
            })
            .collect();
        near.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)));
        for (_, _, child) in near {
            if let Some(r) = walk(child, rest, values, loose) {
                return Some(r);
            }
        }
    }
    for (pattern, child) in &node.patterns {
        let mark = values.len();
        if pattern.matches(&decoded, values) {
            if let Some(r) = walk(child, rest, values, loose) {
                return Some(r);
            }
        }
        values.truncate(mark);
    }
    None
}

/// Splits a path into segments, ignoring one trailing slash.
fn split(path: &str) -> impl Iterator<Item = &str> {
    let p = path.strip_prefix('/').unwrap_or(path);
    let p = p.strip_suffix('/').unwrap_or(p);
    p.split('/').filter({
        let empty = p.is_empty();
        move |_| !empty
    })
}

/// A segment percent-decoded; borrowed when it has nothing to decode.
fn decode(seg: &str) -> Cow<'_, str> {
    percent_encoding::percent_decode_str(seg).decode_utf8_lossy()
}

/// Parses a template segment into parts, collecting parameter names.
fn parse_segment(seg: &str, names: &mut Vec<String>) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut rest = seg;
    while let Some(start) = rest.find('{') {
        match rest[start..].find('}') {
            Some(len) => {
                if start > 0 {
                    parts.push(Part::Lit(rest[..start].to_string()));
                }
                names.push(rest[start + 1..start + len].to_string());
                parts.push(Part::Param);
                rest = &rest[start + len + 1..];
            }
            None => break,
        }
    }
    if !rest.is_empty() {
        parts.push(Part::Lit(rest.to_string()));
    }
    if parts.is_empty() {
        parts.push(Part::Lit(String::new()));
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn router(paths: &[(Method, &str)], bases: &[&str]) -> Router {
        let bases: Vec<String> = bases.iter().map(|s| s.to_string()).collect();
        Router::new(
            paths.iter().enumerate().map(|(i, (m, p))| (i, *m, *p)),
            &bases,
        )
    }

    fn found(r: &Routed) -> (usize, Vec<(&str, &str)>) {
        match r {
            Routed::Found { operation, params } => (
                *operation,
                params
                    .iter()
                    .map(|(a, b)| (a.as_str(), b.as_str()))
                    .collect(),
            ),
            other => panic!("not found: {other:?}"),
        }
    }

    #[test]
    fn literal_beats_parameter() {
        let r = router(
            &[(Method::Get, "/pets/{id}"), (Method::Get, "/pets/mine")],
            &[],
        );
        assert_eq!(found(&r.route(Method::Get, "/pets/mine")).0, 1);
        assert_eq!(
            found(&r.route(Method::Get, "/pets/42")),
            (0, vec![("id", "42")])
        );
    }

    #[test]
    fn backtracks_when_the_literal_branch_dead_ends() {
        let r = router(
            &[(Method::Get, "/a/mine/x"), (Method::Get, "/a/{id}/y")],
            &[],
        );
        assert_eq!(
            found(&r.route(Method::Get, "/a/mine/y")),
            (1, vec![("id", "mine")])
        );
    }

    #[test]
    fn percent_decoding_and_trailing_slash() {
        let r = router(&[(Method::Get, "/users/{name}")], &[]);
        assert_eq!(
            found(&r.route(Method::Get, "/users/J%C3%BCrgen%2Fx/")).1,
            vec![("name", "Jürgen/x")]
        );
        assert_eq!(r.route(Method::Get, "/users"), Routed::NotFound);
        assert_eq!(r.route(Method::Get, "/users//"), Routed::NotFound);
    }

    #[test]
    fn mixed_segments() {
        let r = router(
            &[
                (Method::Get, "/files/{name}.{ext}"),
                (Method::Get, "/files/{id}"),
            ],
            &[],
        );
        assert_eq!(
            found(&r.route(Method::Get, "/files/report.tar.gz")),
            (0, vec![("name", "report"), ("ext", "tar.gz")])
        );
        assert_eq!(
            found(&r.route(Method::Get, "/files/report")),
            (1, vec![("id", "report")])
        );
    }

    #[test]
    fn a_long_segment_matches_in_linear_time() {
        let r = router(
            &[
                (Method::Get, "/f/{a}.{b}.{c}.json"),
                (Method::Get, "/f/{a}-{b}"),
            ],
            &[],
        );
        // Thousands of dots and no `.json`: a backtracking matcher tries every pair of dots.
        let seg = "x.".repeat(4_000);
        assert_eq!(r.route(Method::Get, &format!("/f/{seg}")), Routed::NotFound);
        let routed = r.route(Method::Get, &format!("/f/{seg}y.json"));
        let (op, values) = found(&routed);
        assert_eq!(op, 0);
        assert_eq!(values[0], ("a", "x"));
        assert_eq!(values[1], ("b", "x"));
        assert_eq!(values[2].1.len(), seg.len() - 4 + 1);
        assert_eq!(
            found(&r.route(Method::Get, "/f/a-b-c")),
            (1, vec![("a", "a"), ("b", "b-c")])
        );
    }

    #[test]
    fn same_shape_different_names_share_a_route() {
        let r = router(
            &[(Method::Get, "/u/{id}"), (Method::Delete, "/u/{userId}")],
            &[],
        );
        assert_eq!(
            found(&r.route(Method::Delete, "/u/7")),
            (1, vec![("userId", "7")])
        );
        assert_eq!(found(&r.route(Method::Get, "/u/7")), (0, vec![("id", "7")]));
    }

    #[test]
    fn method_not_allowed_lists_methods() {
        let r = router(&[(Method::Get, "/pets"), (Method::Post, "/pets")], &[]);
        assert_eq!(
            r.route(Method::Delete, "/pets"),
            Routed::MethodNotAllowed {
                allow: vec![Method::Get, Method::Post, Method::Head]
            }
        );
        assert_eq!(found(&r.route(Method::Head, "/pets")).0, 0);
    }

    #[test]
    fn base_path_is_optional() {
        let r = router(&[(Method::Get, "/pets")], &["/v1"]);
        assert_eq!(found(&r.route(Method::Get, "/v1/pets")).0, 0);
        assert_eq!(found(&r.route(Method::Get, "/pets")).0, 0);
        assert_eq!(r.route(Method::Get, "/v2/pets"), Routed::NotFound);
    }

    #[test]
    fn any_case_is_a_fallback() {
        let r = router(
            &[(Method::Get, "/Pets/{id}"), (Method::Get, "/owners/mine")],
            &[],
        );
        assert_eq!(r.route(Method::Get, "/OWNERS/MINE"), Routed::NotFound);
        let r = r.match_any_case(true);
        assert_eq!(found(&r.route(Method::Get, "/owners/mine")).0, 1);
        assert_eq!(found(&r.route(Method::Get, "/OWNERS/MINE")).0, 1);
        assert_eq!(
            found(&r.route(Method::Get, "/pets/7")),
            (0, vec![("id", "7")])
        );
        // Within two edits, as Postman's Levenshtein step: /ownres/mine, but not /pxyzq/7.
        assert_eq!(found(&r.route(Method::Get, "/ownres/mine")).0, 1);
        assert_eq!(found(&r.route(Method::Get, "/pest/7")).0, 0);
        assert_eq!(r.route(Method::Get, "/pxyzq/7"), Routed::NotFound);
    }

    #[test]
    fn nearest_route_for_typos() {
        let r = router(
            &[(Method::Get, "/pets/{id}"), (Method::Get, "/stores")],
            &[],
        );
        assert_eq!(r.nearest("/pet/3"), Some("/pets/{id}"));
        assert_eq!(r.nearest("/storez"), Some("/stores"));
        assert_eq!(r.nearest("/completely/other/thing/here"), None);
    }
}

//! Parsing: a JSON value into the compiled tree ([`Node`]) that [`super::render`] walks.
//!
//! Every string (and object key) is split into literal chunks and expressions; subtrees
//! without any `{{` stay [`Node::Literal`] values. Problems are collected with the JSON
//! pointer of the string they are in, and never stop the parse: a bad expression becomes
//! [`Expr::Invalid`].

use crate::generate::postman;
use crate::schema::{escape_pointer_token, unescape_pointer_token};
use serde_json::Value;
use std::borrow::Cow;
use std::fmt::Write as _;

/// Values nested deeper than this are kept as they are, without looking for templates.
const MAX_DEPTH: usize = 128;

// ---------------------------------------------------------------------------------------------
// Compiled form

#[derive(Clone, Debug)]
pub(super) enum Node {
    /// A subtree without templates.
    Literal(Value),
    Text(Text),
    Array(Vec<Node>),
    Object(Vec<(Key, Node)>),
}

#[derive(Clone, Debug)]
pub(super) enum Key {
    Literal(String),
    Text(Text),
}

/// A string with at least one expression.
#[derive(Clone, Debug)]
pub(super) struct Text {
    pub(super) parts: Vec<Part>,
}

#[derive(Clone, Debug)]
pub(super) enum Part {
    Literal(String),
    Expr(Expr),
}

#[derive(Clone, Debug)]
pub(super) enum Expr {
    /// A bad expression (already reported): renders as nothing.
    Invalid,
    Method,
    Path,
    PathParam(String),
    Query(String),
    Header(http::HeaderName),
    Cookie(String),
    /// A path into the body; empty for the whole body.
    Body(Vec<Seg>),
    /// `response.status`: the status of the answer a callback follows.
    Status,
    /// `response.header.NAME`.
    ResponseHeader(http::HeaderName),
    /// `response.body…`: a path into that answer's body.
    ResponseBody(Vec<Seg>),
    /// An index into [`DYNAMIC_VARIABLES`].
    Dynamic(u16),
}

/// One step into the body: an object key, or an array index when the token is one.
#[derive(Clone, Debug)]
pub(super) struct Seg {
    pub(super) key: String,
    pub(super) index: Option<usize>,
}

impl Seg {
    fn new(key: String) -> Self {
        let index = array_index(&key);
        Seg { key, index }
    }
}

/// `0`, `1`, `42`, ...: digits only, no sign, no leading zero (RFC 6901).
fn array_index(token: &str) -> Option<usize> {
    let b = token.as_bytes();
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) || (b.len() > 1 && b[0] == b'0') {
        return None;
    }
    token.parse().ok()
}

// ---------------------------------------------------------------------------------------------
// Compiling

pub(super) struct Compiler {
    pub(super) errors: Vec<String>,
    /// JSON pointer of the value being compiled.
    pointer: String,
    pub(super) saw_braces: bool,
    pub(super) dynamic: bool,
    /// A body written as text: only `$…` and `request.…` are expressions, other `{{…}}` text.
    text_only: bool,
}

impl Compiler {
    pub(super) fn new(text_only: bool) -> Self {
        Compiler {
            errors: Vec::new(),
            pointer: String::new(),
            saw_braces: false,
            dynamic: false,
            text_only,
        }
    }

    /// `None` when the value holds no expression.
    pub(super) fn node(&mut self, value: &Value, depth: usize) -> Option<Node> {
        if depth >= MAX_DEPTH {
            if contains_braces(value) {
                self.saw_braces = true;
                self.error(
                    false,
                    format!("templates nested deeper than {MAX_DEPTH} levels are not expanded"),
                );
            }
            return None;
        }
        match value {
            Value::String(s) => self.text(s, false).map(Node::Text),
            Value::Array(items) => {
                let mut nodes = Vec::with_capacity(items.len());
                let mut any = false;
                for (i, item) in items.iter().enumerate() {
                    let len = self.pointer.len();
                    let _ = write!(self.pointer, "/{i}");
                    let node = self.node(item, depth + 1);
                    self.pointer.truncate(len);
                    any |= node.is_some();
                    nodes.push(node);
                }
                if !any {
                    return None;
                }
                Some(Node::Array(
                    nodes
                        .into_iter()
                        .zip(items)
                        .map(|(n, item)| n.unwrap_or_else(|| Node::Literal(item.clone())))
                        .collect(),
                ))
            }
            Value::Object(map) => {
                let mut members = Vec::with_capacity(map.len());
                let mut any = false;
                for (k, v) in map {
                    let len = self.pointer.len();
                    self.pointer.push('/');
                    self.pointer.push_str(&escape_pointer_token(k));
                    let key = self.text(k, true);
                    let node = self.node(v, depth + 1);
                    self.pointer.truncate(len);
                    any |= key.is_some() || node.is_some();
                    members.push((key, node));
                }
                if !any {
                    return None;
                }
                Some(Node::Object(
                    members
                        .into_iter()
                        .zip(map)
                        .map(|((key, node), (k, v))| {
                            (
                                key.map_or_else(|| Key::Literal(k.clone()), Key::Text),
                                node.unwrap_or_else(|| Node::Literal(v.clone())),
                            )
                        })
                        .collect(),
                ))
            }
            _ => None,
        }
    }

    fn error(&mut self, in_key: bool, message: String) {
        let message = if in_key {
            format!("in the key: {message}")
        } else {
            message
        };
        if self.pointer.is_empty() {
            self.errors.push(message);
        } else {
            self.errors.push(format!("{}: {message}", self.pointer));
        }
    }

    /// Splits a string into literal chunks and expressions; `None` when it has no expression.
    fn text(&mut self, s: &str, in_key: bool) -> Option<Text> {
        let first = s.find("{{")?;
        self.saw_braces = true;
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut rest = s;
        let mut next = Some(first);
        while let Some(open) = next {
            let Some(close_rel) = rest[open + 2..].find("}}") else {
                self.error(
                    in_key,
                    format!(
                        "`{{{{` without a closing `}}}}`: {}",
                        excerpt(&rest[open..])
                    ),
                );
                break;
            };
            let close = open + 2 + close_rel;
            // The expression starts at the last `{{` before the first `}}`: `{{{x}}` is `{` and
            // `{{x}}`, and `{{ a {{x}}` reports the first `{{` as unclosed.
            let start = open + rest[open..close].rfind("{{").unwrap_or(0);
            if rest[open..start].contains("{{") {
                self.error(
                    in_key,
                    format!(
                        "`{{{{` without a closing `}}}}` before another `{{{{`: {}",
                        excerpt(&rest[open..])
                    ),
                );
            }
            literal.push_str(&rest[..start]);
            let inner = &rest[start + 2..close];
            if self.text_only && !is_text_expression(inner) {
                // A collection variable nothing defines: as written.
                literal.push_str(&rest[start..close + 2]);
                rest = &rest[close + 2..];
                next = rest.find("{{");
                continue;
            }
            if !literal.is_empty() {
                parts.push(Part::Literal(std::mem::take(&mut literal)));
            }
            let expr = self.expr(inner, in_key);
            parts.push(Part::Expr(expr));
            rest = &rest[close + 2..];
            next = rest.find("{{");
        }
        literal.push_str(rest);
        if !parts.iter().any(|p| matches!(p, Part::Expr(_))) {
            return None;
        }
        if !literal.is_empty() {
            parts.push(Part::Literal(literal));
        }
        Some(Text { parts })
    }

    fn expr(&mut self, raw: &str, in_key: bool) -> Expr {
        let e = raw.trim();
        if e.is_empty() {
            self.error(in_key, "empty template expression `{{}}`".into());
            return Expr::Invalid;
        }
        if let Some(var) = e.strip_prefix('$') {
            return match postman::index_of(var) {
                Some(i) => {
                    self.dynamic = true;
                    Expr::Dynamic(i)
                }
                None => {
                    let hint = postman::same_but_case(var)
                        .map(|n| format!(" (did you mean `${n}`?)"))
                        .unwrap_or_default();
                    self.error(in_key, format!("unknown variable `{}`{hint}", excerpt(e)));
                    Expr::Invalid
                }
            };
        }
        match e {
            "request.method" => return Expr::Method,
            "request.path" => return Expr::Path,
            "request.body" => return Expr::Body(Vec::new()),
            _ => {}
        }
        if let Some(rest) = e.strip_prefix("response.") {
            return self.response_expr(e, rest, in_key);
        }
        let Some(rest) = e.strip_prefix("request.") else {
            self.error(
                in_key,
                format!(
                    "unknown template expression `{}` (expected `request.…`, `response.…` or a `$` variable)",
                    excerpt(e)
                ),
            );
            return Expr::Invalid;
        };
        if let Some(pointer) = rest.strip_prefix("body/") {
            return body_pointer(pointer);
        }
        let (source, name) = rest.split_once('.').unwrap_or((rest, ""));
        let takes_name = matches!(
            source,
            "path" | "query" | "header" | "headers" | "cookie" | "cookies" | "body"
        );
        if !takes_name {
            let message = if source == "method" {
                "`request.method` takes no name".to_string()
            } else {
                format!(
                    "unknown request source `{}` in `{}` (expected path, query, header, \
                     cookie, body or method)",
                    excerpt(source),
                    excerpt(e)
                )
            };
            self.error(in_key, message);
            return Expr::Invalid;
        }
        if name.is_empty() {
            self.error(
                in_key,
                format!("`{}` needs a name after the dot", excerpt(e)),
            );
            return Expr::Invalid;
        }
        match source {
            "path" => Expr::PathParam(name.to_string()),
            "query" => Expr::Query(name.to_string()),
            "header" | "headers" => match http::HeaderName::from_bytes(name.as_bytes()) {
                Ok(h) => Expr::Header(h),
                Err(_) => {
                    self.error(
                        in_key,
                        format!("`{}` is not a valid header name", excerpt(name)),
                    );
                    Expr::Invalid
                }
            },
            "cookie" | "cookies" => Expr::Cookie(name.to_string()),
            _ => {
                if let Some(pointer) = name.strip_prefix('/') {
                    return body_pointer(pointer);
                }
                if name.split('.').any(str::is_empty) {
                    self.error(
                        in_key,
                        format!("empty step in the body path `{}`", excerpt(name)),
                    );
                    return Expr::Invalid;
                }
                Expr::Body(name.split('.').map(|t| Seg::new(t.to_string())).collect())
            }
        }
    }

    /// `response.status`, `response.header.NAME`, `response.body[.path | ./pointer]`: the
    /// answer a callback follows.
    fn response_expr(&mut self, e: &str, rest: &str, in_key: bool) -> Expr {
        if rest == "status" {
            return Expr::Status;
        }
        if rest == "body" {
            return Expr::ResponseBody(Vec::new());
        }
        if let Some(name) = rest
            .strip_prefix("header.")
            .or(rest.strip_prefix("headers."))
        {
            return match http::HeaderName::from_bytes(name.as_bytes()) {
                Ok(h) => Expr::ResponseHeader(h),
                Err(_) => {
                    self.error(
                        in_key,
                        format!("`{}` is not a valid header name", excerpt(name)),
                    );
                    Expr::Invalid
                }
            };
        }
        if let Some(path) = rest.strip_prefix("body.") {
            if let Some(pointer) = path.strip_prefix('/') {
                if let Expr::Body(segs) = body_pointer(pointer) {
                    return Expr::ResponseBody(segs);
                }
            }
            if !path.is_empty() && !path.split('.').any(str::is_empty) {
                return Expr::ResponseBody(
                    path.split('.').map(|t| Seg::new(t.to_string())).collect(),
                );
            }
        }
        self.error(
            in_key,
            format!(
                "unknown response source in `{}` (expected response.status, response.header.NAME \
                 or response.body…)",
                excerpt(e)
            ),
        );
        Expr::Invalid
    }
}

/// Whether `{{inner}}` is an expression in a body written as text: a dynamic variable or a
/// request value.
fn is_text_expression(inner: &str) -> bool {
    let e = inner.trim();
    e.starts_with('$') || e.starts_with("request.")
}

/// A JSON pointer into the body, given without its leading `/`.
fn body_pointer(pointer: &str) -> Expr {
    Expr::Body(
        pointer
            .split('/')
            .map(|t| Seg::new(unescape_pointer_token(t)))
            .collect(),
    )
}

/// Whether any string or key under `value` contains `{{`, without recursion.
fn contains_braces(value: &Value) -> bool {
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        match v {
            Value::String(s) if s.contains("{{") => return true,
            Value::Array(items) => stack.extend(items),
            Value::Object(map) => {
                if map.keys().any(|k| k.contains("{{")) {
                    return true;
                }
                stack.extend(map.values());
            }
            _ => {}
        }
    }
    false
}

/// At most 80 characters of `s` for messages.
fn excerpt(s: &str) -> Cow<'_, str> {
    const MAX: usize = 80;
    if s.len() <= MAX {
        return Cow::Borrowed(s);
    }
    let mut end = MAX;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    Cow::Owned(format!("{}…", &s[..end]))
}

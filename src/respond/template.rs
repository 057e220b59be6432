//! Templates in example values: `{{request.path.petId}}`, `{{request.body.items.0.name}}`,
//! `{{$randomEmail}}`, ...
//!
//! An example (any JSON value from the document) is compiled once, at load time, into a
//! [`Template`]: every string (and object key) is split into literal chunks and parsed
//! expressions, and subtrees without any `{{` stay plain values that are cloned as they are.
//! Rendering walks that tree with the request ([`Context`]) and, when given, the response
//! schema, so a string that is exactly one expression can take the JSON type the schema asks
//! for at that position (`"{{request.path.id}}"` under `type: integer` renders as `7`).
//!
//! Expressions:
//!
//! | expression | value |
//! |---|---|
//! | `request.method`, `request.path` | the method, the raw request path |
//! | `request.path.NAME` | a path parameter (decoded) |
//! | `request.query.NAME` | a query parameter (decoded; repeated ones fill an array) |
//! | `request.header.NAME` (`headers`) | a header, name case-insensitive, repeated ones joined with `, ` |
//! | `request.cookie.NAME` (`cookies`) | a cookie from the `Cookie` header(s) |
//! | `request.body` | the whole parsed JSON body |
//! | `request.body.a.0.b`, `request.body./a/0/b` | a dotted path or a JSON pointer into the body |
//! | `$guid`, `$randomEmail`, ... | Postman's dynamic variables ([`dynamic_variable_names`]) |
//!
//! Nothing here executes code or reads files, and no input panics: problems found while
//! compiling (unknown variables, unbalanced braces, unknown request sources) are returned as
//! messages with the JSON pointer of the string, and the bad expression renders as an empty
//! string (or `null` when it is the whole string).
//!
//! Dynamic variables are drawn from a ChaCha8 stream seeded with the render seed, so the same
//! seed gives the same output; `$timestamp`, `$isoTimestamp` and the `$randomDate*` variables
//! are placed around a reference instant derived from the seed as well (the rest of stubborn
//! never reads the clock either), unless the caller passes one to
//! [`Template::render_with_clock`].

use crate::schema::{escape_pointer_token, unescape_pointer_token, SchemaStore};
use fake::faker::address::en as address;
use fake::faker::company::en as company;
use fake::faker::currency::en as currency;
use fake::faker::filesystem::en as filesystem;
use fake::faker::finance::en as finance;
use fake::faker::internet::en as internet;
use fake::faker::job::en as job;
use fake::faker::lorem::en as lorem;
use fake::faker::name::en as name;
use fake::Fake;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Map, Number, Value};
use smallvec::SmallVec;
use std::borrow::Cow;
use std::fmt::Write as _;

/// Values nested deeper than this are kept as they are, without looking for templates.
const MAX_DEPTH: usize = 128;
/// How many schema objects (through `$ref` and `allOf`) one position may combine.
const MAX_VIEW_PARTS: usize = 32;
/// How many `$ref`/`allOf` hops are followed from one position.
const MAX_VIEW_HOPS: usize = 16;

/// A value with templates, parsed once at load time.
#[derive(Clone, Debug)]
pub struct Template {
    root: Node,
    /// Whether any dynamic variable occurs (the random stream is only set up then).
    dynamic: bool,
}

/// What a template can read.
#[derive(Clone, Copy, Debug)]
pub struct Context<'a> {
    pub method: &'a str,
    /// The raw request path.
    pub path: &'a str,
    /// Decoded path parameters, by name.
    pub path_params: &'a [(String, String)],
    /// The raw query string (percent-encoded), without `?`.
    pub query: Option<&'a str>,
    pub headers: &'a http::HeaderMap,
    /// The parsed JSON body, if any.
    pub body: Option<&'a Value>,
}

/// `None` when `value` contains no `{{` at all (the caller then keeps its pre-rendered bytes).
///
/// Otherwise the compiled template and the problems found, each prefixed with the JSON
/// pointer of the string (or key) it is in (`/items/0/name: unknown variable `$nope``; no
/// prefix when the whole value is that string). The template compiles even with problems: a bad
/// expression renders as an empty string, or as `null` when it is the whole string.
pub fn compile(value: &Value) -> Option<(Template, Vec<String>)> {
    let mut c = Compiler {
        errors: Vec::new(),
        pointer: String::new(),
        saw_braces: false,
        dynamic: false,
    };
    let root = c.node(value, 0);
    if !c.saw_braces {
        return None;
    }
    let root = root.unwrap_or_else(|| Node::Literal(value.clone()));
    Some((
        Template {
            root,
            dynamic: c.dynamic,
        },
        c.errors,
    ))
}

/// The names of all supported dynamic variables, without the leading `$`.
pub fn dynamic_variable_names() -> impl Iterator<Item = &'static str> {
    DYNAMIC_VARIABLES.iter().map(|(n, _)| *n)
}

impl Template {
    /// Whether any dynamic (`$`) variable occurs, so the output depends on the seed.
    pub fn is_dynamic(&self) -> bool {
        self.dynamic
    }

    /// Renders with the request. `store` + `schema` (the response schema, may be `None`) let a
    /// string that is exactly one expression keep the JSON type the schema wants at that
    /// position. Missing request values render as `null` for a lone expression and as an empty
    /// string inside a larger string. `seed` drives the dynamic variables (same seed ⇒ same
    /// output) and the reference instant of the time variables.
    pub fn render(
        &self,
        ctx: &Context,
        store: &SchemaStore,
        schema: Option<&Value>,
        seed: u64,
    ) -> Value {
        self.render_with_clock(ctx, store, schema, seed, reference_now_ms(seed))
    }

    /// [`Template::render`] with an explicit "now" (milliseconds since the Unix epoch) for
    /// `$timestamp`, `$isoTimestamp` and the `$randomDate*` variables, for callers that want
    /// the wall clock rather than a seed-derived instant.
    pub fn render_with_clock(
        &self,
        ctx: &Context,
        store: &SchemaStore,
        schema: Option<&Value>,
        seed: u64,
        now_ms: i64,
    ) -> Value {
        let mut r = Renderer {
            ctx,
            store,
            seed,
            now_ms,
            gen: None,
        };
        let view = schema.map(|s| View::of(store, s));
        r.node(&self.root, view.as_ref())
    }
}

// ---------------------------------------------------------------------------------------------
// Compiled form

#[derive(Clone, Debug)]
enum Node {
    /// A subtree without templates.
    Literal(Value),
    Text(Text),
    Array(Vec<Node>),
    Object(Vec<(Key, Node)>),
}

#[derive(Clone, Debug)]
enum Key {
    Literal(String),
    Text(Text),
}

/// A string with at least one expression.
#[derive(Clone, Debug)]
struct Text {
    parts: Vec<Part>,
}

#[derive(Clone, Debug)]
enum Part {
    Literal(String),
    Expr(Expr),
}

#[derive(Clone, Debug)]
enum Expr {
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
    /// An index into [`DYNAMIC_VARIABLES`].
    Dynamic(u16),
}

/// One step into the body: an object key, or an array index when the token is one.
#[derive(Clone, Debug)]
struct Seg {
    key: String,
    index: Option<usize>,
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

struct Compiler {
    errors: Vec<String>,
    /// JSON pointer of the value being compiled.
    pointer: String,
    saw_braces: bool,
    dynamic: bool,
}

impl Compiler {
    /// `None` when the value holds no expression.
    fn node(&mut self, value: &Value, depth: usize) -> Option<Node> {
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
            if !literal.is_empty() {
                parts.push(Part::Literal(std::mem::take(&mut literal)));
            }
            let expr = self.expr(&rest[start + 2..close], in_key);
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
            return match dynamic_index(var) {
                Some(i) => {
                    self.dynamic = true;
                    Expr::Dynamic(i)
                }
                None => {
                    let hint = DYNAMIC_VARIABLES
                        .iter()
                        .find(|(n, _)| n.eq_ignore_ascii_case(var))
                        .map(|(n, _)| format!(" (did you mean `${n}`?)"))
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
        let Some(rest) = e.strip_prefix("request.") else {
            self.error(
                in_key,
                format!(
                    "unknown template expression `{}` (expected `request.…` or a `$` variable)",
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

// ---------------------------------------------------------------------------------------------
// The schema at a position

/// Every schema object that applies at one position: the schema itself, `$ref` targets and
/// `allOf` members, flattened.
struct View<'s> {
    parts: SmallVec<[&'s Value; 4]>,
}

impl<'s> View<'s> {
    fn of(store: &'s SchemaStore, schema: &'s Value) -> Self {
        let mut view = View {
            parts: SmallVec::new(),
        };
        view.add(store, schema, 0);
        view
    }

    fn add(&mut self, store: &'s SchemaStore, schema: &'s Value, hops: usize) {
        if hops > MAX_VIEW_HOPS || self.parts.len() >= MAX_VIEW_PARTS {
            return;
        }
        let Some(obj) = schema.as_object() else {
            return;
        };
        self.parts.push(schema);
        if let Some(target) = obj
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| store.resolve(r))
        {
            self.add(store, store.deref(target), hops + 1);
        }
        if let Some(all) = obj.get("allOf").and_then(Value::as_array) {
            for member in all {
                self.add(store, member, hops + 1);
            }
        }
    }

    fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }

    /// The schemas of property `key`: `properties`, else `additionalProperties`.
    fn property(&self, store: &'s SchemaStore, key: &str) -> Option<View<'s>> {
        let mut view = View {
            parts: SmallVec::new(),
        };
        for part in &self.parts {
            let Some(obj) = part.as_object() else {
                continue;
            };
            match obj
                .get("properties")
                .and_then(Value::as_object)
                .and_then(|p| p.get(key))
            {
                Some(s) => view.add(store, s, 0),
                None => {
                    if let Some(s) = obj.get("additionalProperties") {
                        view.add(store, s, 0);
                    }
                }
            }
        }
        (!view.is_empty()).then_some(view)
    }

    /// The schemas of item `index`: `prefixItems[index]`, else `items`.
    fn item(&self, store: &'s SchemaStore, index: usize) -> Option<View<'s>> {
        let mut view = View {
            parts: SmallVec::new(),
        };
        for part in &self.parts {
            let Some(obj) = part.as_object() else {
                continue;
            };
            match obj
                .get("prefixItems")
                .and_then(Value::as_array)
                .and_then(|p| p.get(index))
            {
                Some(s) => view.add(store, s, 0),
                None => {
                    if let Some(s) = obj.get("items") {
                        view.add(store, s, 0);
                    }
                }
            }
        }
        (!view.is_empty()).then_some(view)
    }

    /// The JSON types every part allows (from `type`, else `const`/`enum`).
    fn types(&self) -> Types {
        let mut t = Types::ANY;
        for part in &self.parts {
            let Some(obj) = part.as_object() else {
                continue;
            };
            if let Some(ty) = obj.get("type") {
                t = t.and(Types::of_keyword(ty));
            } else if let Some(c) = obj.get("const") {
                t = t.and(Types::of_value(c));
            } else if let Some(Value::Array(members)) = obj.get("enum") {
                t = t.and(Types(
                    members.iter().fold(0, |acc, m| acc | Types::of_value(m).0),
                ));
            }
        }
        if t.0 == 0 {
            // Contradictory: no preference.
            Types::ANY
        } else {
            t
        }
    }
}

/// A set of JSON types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Types(u8);

impl Types {
    const NULL: u8 = 1;
    const BOOLEAN: u8 = 2;
    const INTEGER: u8 = 4;
    /// Non-integral numbers; `type: number` is `NUMBER | INTEGER`.
    const NUMBER: u8 = 8;
    const STRING: u8 = 16;
    const ARRAY: u8 = 32;
    const OBJECT: u8 = 64;
    const ANY: Types = Types(127);

    fn named(name: &str) -> u8 {
        match name {
            "null" => Self::NULL,
            "boolean" => Self::BOOLEAN,
            "integer" => Self::INTEGER,
            "number" => Self::NUMBER | Self::INTEGER,
            "string" => Self::STRING,
            "array" => Self::ARRAY,
            "object" => Self::OBJECT,
            _ => 0,
        }
    }

    fn of_keyword(ty: &Value) -> Types {
        match ty {
            Value::String(s) => Types(Self::named(s)),
            Value::Array(names) => Types(
                names
                    .iter()
                    .filter_map(Value::as_str)
                    .fold(0, |acc, n| acc | Self::named(n)),
            ),
            _ => Types::ANY,
        }
    }

    fn of_value(v: &Value) -> Types {
        Types(match v {
            Value::Null => Self::NULL,
            Value::Bool(_) => Self::BOOLEAN,
            Value::Number(n) if is_integral(n) => Self::INTEGER,
            Value::Number(_) => Self::NUMBER,
            Value::String(_) => Self::STRING,
            Value::Array(_) => Self::ARRAY,
            Value::Object(_) => Self::OBJECT,
        })
    }

    fn and(self, other: Types) -> Types {
        Types(self.0 & other.0)
    }

    fn has(self, bits: u8) -> bool {
        self.0 & bits != 0
    }

    fn is_any(self) -> bool {
        self == Types::ANY
    }

    fn admits(self, v: &Value) -> bool {
        self.has(Types::of_value(v).0)
    }
}

fn is_integral(n: &Number) -> bool {
    n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
}

// ---------------------------------------------------------------------------------------------
// Rendering

struct Renderer<'c, 'a, 's> {
    ctx: &'c Context<'a>,
    store: &'s SchemaStore,
    seed: u64,
    now_ms: i64,
    gen: Option<Gen>,
}

/// A request value an expression found.
enum Got<'a> {
    Text(Cow<'a, str>),
    /// A repeated query parameter.
    List(Vec<Cow<'a, str>>),
    Json(&'a Value),
}

impl<'a, 's> Renderer<'_, 'a, 's> {
    fn node(&mut self, node: &Node, view: Option<&View<'s>>) -> Value {
        match node {
            Node::Literal(v) => v.clone(),
            Node::Text(t) => self.text(t, view),
            Node::Array(items) => Value::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, n)| match n {
                        Node::Literal(v) => v.clone(),
                        _ => {
                            let child = view.and_then(|v| v.item(self.store, i));
                            self.node(n, child.as_ref())
                        }
                    })
                    .collect(),
            ),
            Node::Object(members) => {
                let mut map = Map::with_capacity(members.len());
                for (key, n) in members {
                    let key = match key {
                        Key::Literal(k) => k.clone(),
                        Key::Text(t) => self.embed(t),
                    };
                    let value = match n {
                        Node::Literal(v) => v.clone(),
                        _ => {
                            let child = view.and_then(|v| v.property(self.store, &key));
                            self.node(n, child.as_ref())
                        }
                    };
                    map.insert(key, value);
                }
                Value::Object(map)
            }
        }
    }

    fn text(&mut self, text: &Text, view: Option<&View<'s>>) -> Value {
        if let [Part::Expr(e)] = text.parts.as_slice() {
            return self.lone(e, view);
        }
        Value::String(self.embed(text))
    }

    /// A string with literal chunks: every expression as text, missing ones as nothing.
    fn embed(&mut self, text: &Text) -> String {
        let mut out = String::new();
        for part in &text.parts {
            match part {
                Part::Literal(s) => out.push_str(s),
                Part::Expr(e) => match self.resolve(e) {
                    None => {}
                    Some(Got::Text(s)) => out.push_str(&s),
                    Some(Got::List(items)) => {
                        if let Some(first) = items.first() {
                            out.push_str(first);
                        }
                    }
                    Some(Got::Json(v)) => push_json_text(&mut out, v),
                },
            }
        }
        out
    }

    /// A string that is exactly one expression: typed by the schema when there is one.
    fn lone(&mut self, expr: &Expr, view: Option<&View<'s>>) -> Value {
        let store = self.store;
        let types = view.map_or(Types::ANY, View::types);
        match self.resolve(expr) {
            None => Value::Null,
            Some(Got::Text(s)) => typed_text(&s, types, view, store),
            Some(Got::List(items)) => {
                if !types.is_any() && types.has(Types::ARRAY) && !types.has(Types::STRING) {
                    Value::Array(
                        items
                            .iter()
                            .enumerate()
                            .map(|(i, s)| {
                                let child = view.and_then(|v| v.item(store, i));
                                let t = child.as_ref().map_or(Types::ANY, View::types);
                                typed_text(s, t, child.as_ref(), store)
                            })
                            .collect(),
                    )
                } else {
                    typed_text(&items[0], types, view, store)
                }
            }
            Some(Got::Json(v)) => typed_json(v, types, view, store),
        }
    }

    fn resolve(&mut self, expr: &Expr) -> Option<Got<'a>> {
        let ctx = self.ctx;
        match expr {
            Expr::Invalid => None,
            Expr::Method => Some(Got::Text(Cow::Borrowed(ctx.method))),
            Expr::Path => Some(Got::Text(Cow::Borrowed(ctx.path))),
            Expr::PathParam(name) => ctx
                .path_params
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| Got::Text(Cow::Borrowed(v.as_str()))),
            Expr::Query(name) => {
                let query = ctx.query?;
                let mut values: Vec<Cow<'a, str>> = form_urlencoded::parse(query.as_bytes())
                    .filter(|(k, _)| k == name)
                    .map(|(_, v)| v)
                    .collect();
                match values.len() {
                    0 => None,
                    1 => values.pop().map(Got::Text),
                    _ => Some(Got::List(values)),
                }
            }
            Expr::Header(name) => {
                let mut values = ctx.headers.get_all(name).iter();
                let first = values.next()?;
                let mut text = header_text(first);
                for more in values {
                    let t = text.to_mut();
                    t.push_str(", ");
                    t.push_str(&header_text(more));
                }
                Some(Got::Text(text))
            }
            Expr::Cookie(name) => ctx
                .headers
                .get_all(http::header::COOKIE)
                .iter()
                .find_map(|h| cookie(&header_text(h), name))
                .map(|v| Got::Text(Cow::Owned(v))),
            Expr::Body(segs) => {
                let mut cur = ctx.body?;
                for seg in segs {
                    cur = match cur {
                        Value::Object(map) => map.get(&seg.key)?,
                        Value::Array(items) => items.get(seg.index?)?,
                        _ => return None,
                    };
                }
                Some(Got::Json(cur))
            }
            Expr::Dynamic(i) => {
                let (seed, now_ms) = (self.seed, self.now_ms);
                let gen = self.gen.get_or_insert_with(|| Gen {
                    rng: ChaCha8Rng::seed_from_u64(seed),
                    now_ms,
                });
                let f = DYNAMIC_VARIABLES.get(usize::from(*i))?.1;
                Some(Got::Text(Cow::Owned(f(gen))))
            }
        }
    }
}

/// A header value as text; bytes that are not UTF-8 are replaced.
fn header_text(v: &http::HeaderValue) -> Cow<'_, str> {
    String::from_utf8_lossy(v.as_bytes())
}

/// The value of cookie `name` in one `Cookie` header value.
fn cookie(header: &str, name: &str) -> Option<String> {
    header.split(';').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        if k.trim() != name {
            return None;
        }
        let v = v.trim();
        let v = v
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(v);
        Some(v.to_string())
    })
}

/// A JSON value inside a larger string: strings as they are, `null` as nothing, numbers and
/// booleans as written, arrays and objects as compact JSON.
fn push_json_text(out: &mut String, v: &Value) {
    match v {
        Value::Null => {}
        Value::String(s) => out.push_str(s),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Value::Array(_) | Value::Object(_) => {
            let _ = write!(out, "{v}");
        }
    }
}

/// Text (from the request or a dynamic variable) as the type the schema wants; as a string
/// when no wanted type can read it.
fn typed_text<'s>(s: &str, types: Types, view: Option<&View<'s>>, store: &'s SchemaStore) -> Value {
    if types.is_any() || types.has(Types::STRING) {
        return Value::String(s.to_string());
    }
    let t = s.trim();
    if types.has(Types::INTEGER | Types::NUMBER) {
        if let Ok(i) = t.parse::<i64>() {
            return Value::Number(i.into());
        }
        if let Ok(u) = t.parse::<u64>() {
            return Value::Number(u.into());
        }
    }
    if types.has(Types::NUMBER) {
        let plausible = !t.is_empty()
            && t.bytes()
                .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'));
        if plausible {
            if let Some(n) = t.parse::<f64>().ok().and_then(Number::from_f64) {
                return Value::Number(n);
            }
        }
    }
    if types.has(Types::BOOLEAN) {
        if t.eq_ignore_ascii_case("true") {
            return Value::Bool(true);
        }
        if t.eq_ignore_ascii_case("false") {
            return Value::Bool(false);
        }
    }
    if types.has(Types::NULL) && (t.is_empty() || t == "null") {
        return Value::Null;
    }
    if types.has(Types::ARRAY) {
        if t.starts_with('[') {
            if let Ok(v @ Value::Array(_)) = serde_json::from_str::<Value>(t) {
                return v;
            }
        }
        // `1,2,3` as a list, each item typed by the item schema.
        return Value::Array(
            s.split(',')
                .enumerate()
                .map(|(i, item)| {
                    let child = view.and_then(|v| v.item(store, i));
                    let ty = child.as_ref().map_or(Types::ANY, View::types);
                    typed_text(item, ty, child.as_ref(), store)
                })
                .collect(),
        );
    }
    if types.has(Types::OBJECT) && t.starts_with('{') {
        if let Ok(v @ Value::Object(_)) = serde_json::from_str::<Value>(t) {
            return v;
        }
    }
    Value::String(s.to_string())
}

/// A body value as the type the schema wants: kept when the schema allows its type.
fn typed_json<'s>(
    v: &Value,
    types: Types,
    view: Option<&View<'s>>,
    store: &'s SchemaStore,
) -> Value {
    if types.is_any() || types.admits(v) {
        return v.clone();
    }
    match v {
        Value::String(s) => typed_text(s, types, view, store),
        Value::Null => Value::Null,
        _ if types.has(Types::STRING) => {
            let mut out = String::new();
            push_json_text(&mut out, v);
            Value::String(out)
        }
        _ => v.clone(),
    }
}

// ---------------------------------------------------------------------------------------------
// Time, without the wall clock

const MINUTE_MS: i64 = 60_000;
const DAY_MS: i64 = 24 * 60 * MINUTE_MS;
/// 2024-01-01T00:00:00Z in milliseconds.
const REFERENCE_BASE_MS: i64 = 1_704_067_200_000;

/// The reference "now" for `seed`: a whole minute within 2024, fixed for the seed.
fn reference_now_ms(seed: u64) -> i64 {
    let minutes = (365 * DAY_MS / MINUTE_MS) as u64;
    REFERENCE_BASE_MS + (splitmix64(seed) % minutes) as i64 * MINUTE_MS
}

fn splitmix64(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// `(year, month, day)` of the day `days` after 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// `2024-03-17T13:11:50.123Z`, clamped to years 0001–9999.
fn iso_ms(ms: i64) -> String {
    let ms = ms.clamp(-62_135_596_800_000, 253_402_300_799_999);
    let (y, m, d) = civil_from_days(ms.div_euclid(DAY_MS));
    let in_day = ms.rem_euclid(DAY_MS);
    let (h, min, s, milli) = (
        in_day / 3_600_000,
        in_day / MINUTE_MS % 60,
        in_day / 1000 % 60,
        in_day % 1000,
    );
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}.{milli:03}Z")
}

// ---------------------------------------------------------------------------------------------
// Dynamic variables

/// The random stream and the reference instant of one render.
struct Gen {
    rng: ChaCha8Rng,
    now_ms: i64,
}

impl Gen {
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            self.rng.random_range(0..n)
        }
    }

    fn between(&mut self, lo: i64, hi: i64) -> i64 {
        if lo >= hi {
            lo
        } else {
            self.rng.random_range(lo..=hi)
        }
    }

    fn pick(&mut self, list: &[&'static str]) -> &'static str {
        list.get(self.below(list.len())).copied().unwrap_or("")
    }

    fn chars(&mut self, alphabet: &[u8], n: usize) -> String {
        (0..n)
            .map(|_| char::from(alphabet[self.below(alphabet.len())]))
            .collect()
    }

    fn digits(&mut self, n: usize) -> String {
        self.chars(b"0123456789", n)
    }

    /// `#` → a digit, `^` → a digit 2–9, anything else as is.
    fn numerify(&mut self, format: &str) -> String {
        format
            .chars()
            .map(|c| match c {
                '#' => char::from(b'0' + self.below(10) as u8),
                '^' => char::from(b'2' + self.below(8) as u8),
                c => c,
            })
            .collect()
    }

    fn uuid(&mut self) -> String {
        let mut b: [u8; 16] = self.rng.random();
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        let mut out = String::with_capacity(36);
        for (i, byte) in b.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                out.push('-');
            }
            let _ = write!(out, "{byte:02x}");
        }
        out
    }

    fn fixed(&mut self, lo: i64, hi: i64, decimals: u32) -> String {
        let scale = 10_i64.pow(decimals);
        let n = self.between(lo * scale, hi * scale);
        let sign = if n < 0 { "-" } else { "" };
        let n = n.unsigned_abs();
        let scale = scale as u64;
        format!(
            "{sign}{}.{:0width$}",
            n / scale,
            n % scale,
            width = decimals as usize
        )
    }

    fn capitalized(s: &str) -> String {
        let mut c = s.chars();
        match c.next() {
            Some(first) => first.to_uppercase().chain(c).collect(),
            None => String::new(),
        }
    }

    fn lorem_word(&mut self) -> &'static str {
        lorem::Word().fake_with_rng(&mut self.rng)
    }

    fn lorem_words(&mut self, n: usize) -> String {
        let words: Vec<&str> = (0..n).map(|_| self.lorem_word()).collect();
        words.join(" ")
    }

    fn lorem_sentence(&mut self) -> String {
        let n = self.between(4, 10) as usize;
        format!("{}.", Self::capitalized(&self.lorem_words(n)))
    }

    fn lorem_sentences(&mut self, lo: i64, hi: i64, sep: &str) -> String {
        let n = self.between(lo, hi);
        let sentences: Vec<String> = (0..n).map(|_| self.lorem_sentence()).collect();
        sentences.join(sep)
    }

    fn lorem_paragraph(&mut self) -> String {
        self.lorem_sentences(3, 6, " ")
    }

    fn word(&mut self) -> String {
        match self.below(6) {
            0 => self.pick(HACKER_NOUNS).to_string(),
            1 => self.pick(HACKER_VERBS).to_string(),
            2 => self.pick(HACKER_ADJECTIVES).to_string(),
            3 => self.pick(ABBREVIATIONS).to_string(),
            4 => company::BsNoun().fake_with_rng(&mut self.rng),
            _ => self.pick(PRODUCTS).to_string(),
        }
    }

    fn phrase(&mut self) -> String {
        let template = self.pick(HACKER_PHRASES);
        let mut out = String::with_capacity(template.len() + 40);
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let Some(close) = rest[open..].find('}') else {
                break;
            };
            let slot = &rest[open + 1..open + close];
            let word = match slot {
                "noun" => self.pick(HACKER_NOUNS),
                "verb" => self.pick(HACKER_VERBS),
                "ingverb" => self.pick(HACKER_INGVERBS),
                "adjective" => self.pick(HACKER_ADJECTIVES),
                _ => self.pick(ABBREVIATIONS),
            };
            out.push_str(word);
            rest = &rest[open + close + 1..];
        }
        out.push_str(rest);
        Self::capitalized(&out)
    }

    fn domain_word(&mut self) -> String {
        let w: &str = if self.below(2) == 0 {
            name::FirstName().fake_with_rng(&mut self.rng)
        } else {
            name::LastName().fake_with_rng(&mut self.rng)
        };
        w.chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase()
    }

    fn domain_name(&mut self) -> String {
        let suffix: &str = internet::DomainSuffix().fake_with_rng(&mut self.rng);
        format!("{}.{suffix}", self.domain_word())
    }

    fn image(&mut self, category: &str) -> String {
        let lock = self.between(1, 99_999);
        format!("https://loremflickr.com/640/480/{category}?lock={lock}")
    }

    fn date_around(&mut self, lo_ms: i64, hi_ms: i64) -> String {
        let offset = self.between(lo_ms, hi_ms);
        iso_ms(self.now_ms.saturating_add(offset))
    }

    fn iban(&mut self) -> String {
        // (country, letters, digits) of the BBAN.
        const FORMATS: &[(&str, usize, usize)] = &[
            ("DE", 0, 18),
            ("GB", 4, 14),
            ("NL", 4, 10),
            ("FR", 0, 23),
            ("ES", 0, 20),
            ("BE", 0, 12),
            ("IT", 1, 22),
            ("AT", 0, 16),
        ];
        let (country, letters, digits) = FORMATS[self.below(FORMATS.len())];
        let mut bban = self.chars(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", letters);
        bban.push_str(&self.digits(digits));
        let check = 98 - iban_mod97(bban.chars().chain(country.chars()).chain("00".chars()));
        format!("{country}{check:02}{bban}")
    }

    fn bitcoin(&mut self) -> String {
        const BASE58: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
        let prefix = if self.below(2) == 0 { '1' } else { '3' };
        let n = self.between(25, 33) as usize;
        let mut out = String::with_capacity(n + 1);
        out.push(prefix);
        out.push_str(&self.chars(BASE58, n));
        out
    }

    fn image_data_uri(&mut self) -> String {
        let color = format!("#{:06x}", self.between(0, 0xff_ffff));
        let svg = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" baseProfile=\"full\" \
             width=\"640\" height=\"480\"><rect width=\"100%\" height=\"100%\" \
             fill=\"{color}\"/><text x=\"320\" y=\"240\" font-size=\"20\" \
             alignment-baseline=\"middle\" text-anchor=\"middle\" fill=\"white\">640x480</text></svg>"
        );
        format!(
            "data:image/svg+xml;charset=UTF-8,{}",
            percent_encoding::utf8_percent_encode(&svg, percent_encoding::NON_ALPHANUMERIC)
        )
    }
}

/// The IBAN checksum of characters (digits, letters as 10–35) modulo 97.
fn iban_mod97(chars: impl Iterator<Item = char>) -> u32 {
    chars.fold(0, |rem, c| match c.to_digit(36) {
        Some(v) if v < 10 => (rem * 10 + v) % 97,
        Some(v) => (rem * 100 + v) % 97,
        None => rem,
    })
}

fn dynamic_index(name: &str) -> Option<u16> {
    DYNAMIC_VARIABLES
        .iter()
        .position(|(n, _)| *n == name)
        .and_then(|i| u16::try_from(i).ok())
}

type Generator = fn(&mut Gen) -> String;

/// Postman's dynamic variables (names without `$`), in the order of its reference.
static DYNAMIC_VARIABLES: &[(&str, Generator)] = &[
    // Common
    ("guid", |g| g.uuid()),
    ("timestamp", |g| g.now_ms.div_euclid(1000).to_string()),
    ("isoTimestamp", |g| iso_ms(g.now_ms)),
    ("randomUUID", |g| g.uuid()),
    // Text, numbers, and colors
    ("randomAlphaNumeric", |g| {
        g.chars(b"0123456789abcdefghijklmnopqrstuvwxyz", 1)
    }),
    ("randomBoolean", |g| (g.below(2) == 1).to_string()),
    ("randomInt", |g| g.between(0, 1000).to_string()),
    ("randomColor", |g| g.pick(COLORS).to_string()),
    ("randomHexColor", |g| {
        format!("#{:06x}", g.between(0, 0xff_ffff))
    }),
    ("randomAbbreviation", |g| g.pick(ABBREVIATIONS).to_string()),
    // Internet and IP addresses
    ("randomIP", |g| internet::IPv4().fake_with_rng(&mut g.rng)),
    ("randomIPV6", |g| internet::IPv6().fake_with_rng(&mut g.rng)),
    ("randomMACAddress", |g| {
        internet::MACAddress().fake_with_rng(&mut g.rng)
    }),
    ("randomPassword", |g| {
        g.chars(
            b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
            15,
        )
    }),
    ("randomLocale", |g| g.pick(LOCALES).to_string()),
    ("randomUserAgent", |g| {
        internet::UserAgent().fake_with_rng(&mut g.rng)
    }),
    ("randomProtocol", |g| g.pick(&["http", "https"]).to_string()),
    ("randomSemver", |g| {
        filesystem::SemverStable().fake_with_rng(&mut g.rng)
    }),
    // Names
    ("randomFirstName", |g| {
        name::FirstName().fake_with_rng(&mut g.rng)
    }),
    ("randomLastName", |g| {
        name::LastName().fake_with_rng(&mut g.rng)
    }),
    ("randomFullName", |g| name::Name().fake_with_rng(&mut g.rng)),
    ("randomNamePrefix", |g| {
        name::Title().fake_with_rng(&mut g.rng)
    }),
    ("randomNameSuffix", |g| {
        name::Suffix().fake_with_rng(&mut g.rng)
    }),
    // Profession
    ("randomJobArea", |g| job::Field().fake_with_rng(&mut g.rng)),
    ("randomJobDescriptor", |g| {
        job::Seniority().fake_with_rng(&mut g.rng)
    }),
    ("randomJobTitle", |g| job::Title().fake_with_rng(&mut g.rng)),
    ("randomJobType", |g| {
        job::Position().fake_with_rng(&mut g.rng)
    }),
    // Phone, address, and location
    ("randomPhoneNumber", |g| g.numerify("^##-###-####")),
    ("randomPhoneNumberExt", |g| g.numerify("^#-^##-###-####")),
    ("randomCity", |g| {
        address::CityName().fake_with_rng(&mut g.rng)
    }),
    ("randomStreetName", |g| {
        address::StreetName().fake_with_rng(&mut g.rng)
    }),
    ("randomStreetAddress", |g| {
        let number: String = address::BuildingNumber().fake_with_rng(&mut g.rng);
        let street: String = address::StreetName().fake_with_rng(&mut g.rng);
        format!("{number} {street}")
    }),
    ("randomCountry", |g| {
        address::CountryName().fake_with_rng(&mut g.rng)
    }),
    ("randomCountryCode", |g| {
        address::CountryCode().fake_with_rng(&mut g.rng)
    }),
    ("randomLatitude", |g| g.fixed(-90, 90, 4)),
    ("randomLongitude", |g| g.fixed(-180, 180, 4)),
    // Images
    ("randomAvatarImage", |g| {
        format!(
            "https://avatars.githubusercontent.com/u/{}",
            g.between(1, 99_999_999)
        )
    }),
    ("randomImageUrl", |g| {
        format!(
            "https://loremflickr.com/640/480?lock={}",
            g.between(1, 99_999)
        )
    }),
    ("randomAbstractImage", |g| g.image("abstract")),
    ("randomAnimalsImage", |g| g.image("animals")),
    ("randomBusinessImage", |g| g.image("business")),
    ("randomCatsImage", |g| g.image("cats")),
    ("randomCityImage", |g| g.image("city")),
    ("randomFoodImage", |g| g.image("food")),
    ("randomNightlifeImage", |g| g.image("nightlife")),
    ("randomFashionImage", |g| g.image("fashion")),
    ("randomPeopleImage", |g| g.image("people")),
    ("randomNatureImage", |g| g.image("nature")),
    ("randomSportsImage", |g| g.image("sports")),
    ("randomTransportImage", |g| g.image("transport")),
    ("randomImageDataUri", |g| g.image_data_uri()),
    // Finance
    ("randomBankAccount", |g| g.digits(8)),
    ("randomBankAccountName", |g| {
        format!("{} Account", g.pick(ACCOUNT_KINDS))
    }),
    ("randomCreditCardMask", |g| g.digits(4)),
    ("randomBankAccountBic", |g| {
        finance::Bic().fake_with_rng(&mut g.rng)
    }),
    ("randomBankAccountIban", |g| g.iban()),
    ("randomTransactionType", |g| {
        g.pick(&["deposit", "withdrawal", "payment", "invoice"])
            .to_string()
    }),
    ("randomCurrencyCode", |g| {
        currency::CurrencyCode().fake_with_rng(&mut g.rng)
    }),
    ("randomCurrencyName", |g| {
        currency::CurrencyName().fake_with_rng(&mut g.rng)
    }),
    ("randomCurrencySymbol", |g| {
        currency::CurrencySymbol().fake_with_rng(&mut g.rng)
    }),
    ("randomBitcoin", |g| g.bitcoin()),
    // Business
    ("randomCompanyName", |g| {
        company::CompanyName().fake_with_rng(&mut g.rng)
    }),
    ("randomCompanySuffix", |g| {
        company::CompanySuffix().fake_with_rng(&mut g.rng)
    }),
    ("randomBs", |g| company::Bs().fake_with_rng(&mut g.rng)),
    ("randomBsAdjective", |g| {
        company::BsAdj().fake_with_rng(&mut g.rng)
    }),
    ("randomBsBuzz", |g| {
        company::BsVerb().fake_with_rng(&mut g.rng)
    }),
    ("randomBsNoun", |g| {
        company::BsNoun().fake_with_rng(&mut g.rng)
    }),
    // Catchphrases
    ("randomCatchPhrase", |g| {
        company::CatchPhrase().fake_with_rng(&mut g.rng)
    }),
    ("randomCatchPhraseAdjective", |g| {
        company::Buzzword().fake_with_rng(&mut g.rng)
    }),
    ("randomCatchPhraseDescriptor", |g| {
        company::BuzzwordMiddle().fake_with_rng(&mut g.rng)
    }),
    ("randomCatchPhraseNoun", |g| {
        company::BuzzwordTail().fake_with_rng(&mut g.rng)
    }),
    // Databases
    ("randomDatabaseColumn", |g| g.pick(DB_COLUMNS).to_string()),
    ("randomDatabaseType", |g| g.pick(DB_TYPES).to_string()),
    ("randomDatabaseCollation", |g| {
        g.pick(DB_COLLATIONS).to_string()
    }),
    ("randomDatabaseEngine", |g| g.pick(DB_ENGINES).to_string()),
    // Dates
    ("randomDateFuture", |g| g.date_around(1000, 365 * DAY_MS)),
    ("randomDatePast", |g| g.date_around(-365 * DAY_MS, -1000)),
    ("randomDateRecent", |g| g.date_around(-DAY_MS, -1000)),
    ("randomWeekday", |g| g.pick(WEEKDAYS).to_string()),
    ("randomMonth", |g| g.pick(MONTHS).to_string()),
    // Domains, emails, and usernames
    ("randomDomainName", |g| g.domain_name()),
    ("randomDomainSuffix", |g| {
        internet::DomainSuffix().fake_with_rng(&mut g.rng)
    }),
    ("randomDomainWord", |g| g.domain_word()),
    ("randomEmail", |g| {
        internet::FreeEmail().fake_with_rng(&mut g.rng)
    }),
    ("randomExampleEmail", |g| {
        internet::SafeEmail().fake_with_rng(&mut g.rng)
    }),
    ("randomUserName", |g| {
        internet::Username().fake_with_rng(&mut g.rng)
    }),
    ("randomUrl", |g| format!("https://{}", g.domain_name())),
    // Files and directories
    ("randomFileName", |g| {
        filesystem::FileName().fake_with_rng(&mut g.rng)
    }),
    ("randomFileType", |g| g.pick(FILE_TYPES).to_string()),
    ("randomFileExt", |g| {
        filesystem::FileExtension().fake_with_rng(&mut g.rng)
    }),
    ("randomCommonFileName", |g| {
        let a = g.lorem_word();
        let b = g.lorem_word();
        format!("{a}_{b}.{}", g.pick(COMMON_FILE_EXTS))
    }),
    ("randomCommonFileType", |g| {
        g.pick(COMMON_FILE_TYPES).to_string()
    }),
    ("randomCommonFileExt", |g| {
        g.pick(COMMON_FILE_EXTS).to_string()
    }),
    ("randomFilePath", |g| {
        filesystem::FilePath().fake_with_rng(&mut g.rng)
    }),
    ("randomDirectoryPath", |g| {
        filesystem::DirPath().fake_with_rng(&mut g.rng)
    }),
    ("randomMimeType", |g| {
        filesystem::MimeType().fake_with_rng(&mut g.rng)
    }),
    // Stores
    ("randomPrice", |g| g.fixed(0, 1000, 2)),
    ("randomProduct", |g| g.pick(PRODUCTS).to_string()),
    ("randomProductAdjective", |g| {
        g.pick(PRODUCT_ADJECTIVES).to_string()
    }),
    ("randomProductMaterial", |g| {
        g.pick(PRODUCT_MATERIALS).to_string()
    }),
    ("randomProductName", |g| {
        let adjective = g.pick(PRODUCT_ADJECTIVES);
        let material = g.pick(PRODUCT_MATERIALS);
        format!("{adjective} {material} {}", g.pick(PRODUCTS))
    }),
    ("randomDepartment", |g| g.pick(DEPARTMENTS).to_string()),
    // Grammar
    ("randomNoun", |g| g.pick(HACKER_NOUNS).to_string()),
    ("randomVerb", |g| g.pick(HACKER_VERBS).to_string()),
    ("randomIngverb", |g| g.pick(HACKER_INGVERBS).to_string()),
    ("randomAdjective", |g| g.pick(HACKER_ADJECTIVES).to_string()),
    ("randomWord", |g| g.word()),
    ("randomWords", |g| {
        let n = g.between(2, 5);
        let words: Vec<String> = (0..n).map(|_| g.word()).collect();
        words.join(" ")
    }),
    ("randomPhrase", |g| g.phrase()),
    // Lorem ipsum
    ("randomLoremWord", |g| g.lorem_word().to_string()),
    ("randomLoremWords", |g| g.lorem_words(3)),
    ("randomLoremSentence", |g| g.lorem_sentence()),
    ("randomLoremSentences", |g| g.lorem_sentences(2, 6, " ")),
    ("randomLoremParagraph", |g| g.lorem_paragraph()),
    ("randomLoremParagraphs", |g| {
        let paragraphs: Vec<String> = (0..3).map(|_| g.lorem_paragraph()).collect();
        paragraphs.join("\n")
    }),
    ("randomLoremText", |g| match g.below(3) {
        0 => g.lorem_sentence(),
        1 => g.lorem_sentences(2, 6, " "),
        _ => g.lorem_paragraph(),
    }),
    ("randomLoremSlug", |g| {
        let words: Vec<&str> = (0..3).map(|_| g.lorem_word()).collect();
        words.join("-")
    }),
    ("randomLoremLines", |g| g.lorem_sentences(1, 5, "\n")),
];

const COLORS: &[&str] = &[
    "red",
    "green",
    "blue",
    "yellow",
    "purple",
    "mint green",
    "teal",
    "white",
    "black",
    "orange",
    "pink",
    "grey",
    "maroon",
    "violet",
    "turquoise",
    "tan",
    "sky blue",
    "salmon",
    "plum",
    "orchid",
    "olive",
    "magenta",
    "lime",
    "ivory",
    "indigo",
    "gold",
    "fuchsia",
    "cyan",
    "azure",
    "lavender",
    "silver",
];

const ABBREVIATIONS: &[&str] = &[
    "ADP", "AGP", "AI", "API", "ASCII", "CLI", "COM", "CSS", "DNS", "DRAM", "EXE", "FTP", "GB",
    "HDD", "HEX", "HTTP", "IB", "IP", "JBOD", "JSON", "OCR", "PCI", "PNG", "RAM", "RSS", "SAS",
    "SCSI", "SDD", "SMS", "SMTP", "SQL", "SSD", "SSL", "TCP", "THX", "TLS", "UDP", "USB", "UTF8",
    "XML", "XSS",
];

/// ISO 639-1 language codes.
const LOCALES: &[&str] = &[
    "af", "am", "an", "ar", "az", "be", "bg", "bn", "br", "bs", "ca", "co", "cs", "cy", "da", "de",
    "el", "en", "eo", "es", "et", "eu", "fa", "fi", "fo", "fr", "fy", "ga", "gd", "gl", "gn", "gu",
    "ha", "he", "hi", "hr", "ht", "hu", "hy", "ia", "id", "ig", "is", "it", "ja", "jv", "ka", "kk",
    "km", "kn", "ko", "ku", "ky", "la", "lb", "ln", "lo", "lt", "lv", "mg", "mi", "mk", "ml", "mn",
    "mr", "ms", "mt", "my", "nb", "ne", "nl", "nn", "no", "ny", "oc", "om", "or", "pa", "pl", "ps",
    "pt", "qu", "rm", "ro", "ru", "sd", "si", "sk", "sl", "sm", "sn", "so", "sq", "sr", "st", "su",
    "sv", "sw", "ta", "te", "tg", "th", "ti", "tk", "to", "tr", "tt", "ug", "uk", "ur", "uz", "vi",
    "wa", "xh", "yi", "yo", "zh", "zu",
];

const ACCOUNT_KINDS: &[&str] = &[
    "Checking",
    "Savings",
    "Money Market",
    "Investment",
    "Home Loan",
    "Credit Card",
    "Auto Loan",
    "Personal Loan",
];

const DB_COLUMNS: &[&str] = &[
    "id",
    "title",
    "name",
    "email",
    "phone",
    "token",
    "group",
    "category",
    "password",
    "comment",
    "avatar",
    "status",
    "createdAt",
    "updatedAt",
];

const DB_TYPES: &[&str] = &[
    "int",
    "varchar",
    "text",
    "date",
    "datetime",
    "tinyint",
    "time",
    "timestamp",
    "smallint",
    "mediumint",
    "bigint",
    "decimal",
    "float",
    "double",
    "real",
    "bit",
    "boolean",
    "serial",
    "blob",
    "binary",
    "enum",
    "set",
    "geometry",
    "point",
];

const DB_COLLATIONS: &[&str] = &[
    "utf8_unicode_ci",
    "utf8_general_ci",
    "utf8_bin",
    "ascii_bin",
    "ascii_general_ci",
    "cp1250_bin",
    "cp1250_general_ci",
];

const DB_ENGINES: &[&str] = &["InnoDB", "MyISAM", "MEMORY", "CSV", "BLACKHOLE", "ARCHIVE"];

const WEEKDAYS: &[&str] = &[
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

const FILE_TYPES: &[&str] = &[
    "application",
    "audio",
    "font",
    "image",
    "message",
    "model",
    "multipart",
    "text",
    "video",
];

const COMMON_FILE_TYPES: &[&str] = &["application", "audio", "image", "text", "video"];

const COMMON_FILE_EXTS: &[&str] = &[
    "pdf", "mpeg", "wav", "png", "jpeg", "gif", "mp4", "mp2", "m2v", "htm", "html", "txt", "json",
    "csv",
];

const PRODUCTS: &[&str] = &[
    "Chair", "Car", "Computer", "Keyboard", "Mouse", "Bike", "Ball", "Gloves", "Pants", "Shirt",
    "Table", "Shoes", "Hat", "Towels", "Soap", "Tuna", "Chicken", "Fish", "Cheese", "Bacon",
    "Pizza", "Salad", "Sausages", "Chips",
];

const PRODUCT_ADJECTIVES: &[&str] = &[
    "Small",
    "Ergonomic",
    "Rustic",
    "Intelligent",
    "Gorgeous",
    "Incredible",
    "Fantastic",
    "Practical",
    "Sleek",
    "Awesome",
    "Generic",
    "Handcrafted",
    "Handmade",
    "Licensed",
    "Refined",
    "Unbranded",
    "Tasty",
];

const PRODUCT_MATERIALS: &[&str] = &[
    "Steel", "Wooden", "Concrete", "Plastic", "Cotton", "Granite", "Rubber", "Metal", "Soft",
    "Fresh", "Frozen",
];

const DEPARTMENTS: &[&str] = &[
    "Books",
    "Movies",
    "Music",
    "Games",
    "Electronics",
    "Computers",
    "Home",
    "Garden",
    "Tools",
    "Grocery",
    "Health",
    "Beauty",
    "Toys",
    "Kids",
    "Baby",
    "Clothing",
    "Shoes",
    "Jewelery",
    "Sports",
    "Outdoors",
    "Automotive",
    "Industrial",
];

const HACKER_NOUNS: &[&str] = &[
    "driver",
    "protocol",
    "bandwidth",
    "panel",
    "microchip",
    "program",
    "port",
    "card",
    "array",
    "interface",
    "system",
    "sensor",
    "firewall",
    "hard drive",
    "pixel",
    "alarm",
    "feed",
    "monitor",
    "application",
    "transmitter",
    "bus",
    "circuit",
    "capacitor",
    "matrix",
];

const HACKER_VERBS: &[&str] = &[
    "back up",
    "bypass",
    "hack",
    "override",
    "compress",
    "copy",
    "navigate",
    "index",
    "connect",
    "generate",
    "quantify",
    "calculate",
    "synthesize",
    "input",
    "transmit",
    "program",
    "reboot",
    "parse",
];

const HACKER_INGVERBS: &[&str] = &[
    "backing up",
    "bypassing",
    "hacking",
    "overriding",
    "compressing",
    "copying",
    "navigating",
    "indexing",
    "connecting",
    "generating",
    "quantifying",
    "calculating",
    "synthesizing",
    "transmitting",
    "programming",
    "parsing",
];

const HACKER_ADJECTIVES: &[&str] = &[
    "auxiliary",
    "primary",
    "back-end",
    "digital",
    "open-source",
    "virtual",
    "cross-platform",
    "redundant",
    "online",
    "haptic",
    "multi-byte",
    "bluetooth",
    "wireless",
    "1080p",
    "neural",
    "optical",
    "solid state",
    "mobile",
];

const HACKER_PHRASES: &[&str] = &[
    "if we {verb} the {noun}, we can get to the {abbreviation} {noun} through the {adjective} {abbreviation} {noun}!",
    "we need to {verb} the {adjective} {abbreviation} {noun}!",
    "try to {verb} the {abbreviation} {noun}, maybe it will {verb} the {adjective} {noun}!",
    "you can't {verb} the {noun} without {ingverb} the {adjective} {abbreviation} {noun}!",
    "use the {adjective} {abbreviation} {noun}, then you can {verb} the {adjective} {noun}!",
    "the {abbreviation} {noun} is down, {verb} the {adjective} {noun} so we can {verb} the {abbreviation} {noun}!",
    "{ingverb} the {noun} won't do anything, we need to {verb} the {adjective} {abbreviation} {noun}!",
    "I'll {verb} the {adjective} {abbreviation} {noun}, that should {verb} the {abbreviation} {noun}!",
];

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    struct Req {
        method: &'static str,
        path: &'static str,
        params: Vec<(String, String)>,
        query: Option<&'static str>,
        headers: http::HeaderMap,
        body: Option<Value>,
    }

    impl Req {
        fn new() -> Self {
            let mut headers = http::HeaderMap::new();
            headers.insert("x-trace", http::HeaderValue::from_static("abc-123"));
            headers.insert(
                http::header::COOKIE,
                http::HeaderValue::from_static("theme=dark; session=s3cr3t; n=5"),
            );
            Req {
                method: "POST",
                path: "/pets/7",
                params: vec![
                    ("petId".into(), "7".into()),
                    ("name".into(), "Rex Dog".into()),
                ],
                query: Some("limit=20&tag=a%20b&ids=1&ids=2&flag=true&f=2.5"),
                headers,
                body: Some(json!({
                    "name": "Fido",
                    "age": 3,
                    "tags": ["x", "y"],
                    "items": [{"name": "first", "qty": 2}, {"name": "second"}],
                    "a/b": {"~c": true},
                    "nothing": null
                })),
            }
        }

        fn ctx(&self) -> Context<'_> {
            Context {
                method: self.method,
                path: self.path,
                path_params: &self.params,
                query: self.query,
                headers: &self.headers,
                body: self.body.as_ref(),
            }
        }
    }

    fn render_with(value: Value, store: &SchemaStore, schema: Option<&Value>) -> Value {
        let (t, errors) = compile(&value).expect("has a template");
        assert!(errors.is_empty(), "{errors:?}");
        let req = Req::new();
        t.render(&req.ctx(), store, schema, 1)
    }

    fn render(value: Value) -> Value {
        render_with(value, &SchemaStore::new(), None)
    }

    fn one(expr: &str) -> Value {
        render(Value::String(expr.to_string()))
    }

    #[test]
    fn no_braces_is_none() {
        assert!(compile(&json!({"a": "plain", "b": [1, "x}}"], "c{": 2})).is_none());
        assert!(compile(&json!(3)).is_none());
    }

    #[test]
    fn request_sources() {
        assert_eq!(one("{{request.method}}"), json!("POST"));
        assert_eq!(one("{{request.path}}"), json!("/pets/7"));
        assert_eq!(one("{{request.path.petId}}"), json!("7"));
        assert_eq!(one("{{request.path.name}}"), json!("Rex Dog"));
        assert_eq!(one("{{request.query.limit}}"), json!("20"));
        assert_eq!(one("{{request.query.tag}}"), json!("a b"));
        assert_eq!(one("{{request.header.x-trace}}"), json!("abc-123"));
        assert_eq!(one("{{request.header.X-Trace}}"), json!("abc-123"));
        assert_eq!(one("{{request.headers.X-TRACE}}"), json!("abc-123"));
        assert_eq!(one("{{request.cookie.session}}"), json!("s3cr3t"));
        assert_eq!(one("{{request.cookie.theme}}"), json!("dark"));
        assert_eq!(one("{{request.body.name}}"), json!("Fido"));
        assert_eq!(one("{{request.body}}"), Req::new().body.unwrap());
    }

    #[test]
    fn body_paths_and_pointers() {
        assert_eq!(one("{{request.body.items.0.name}}"), json!("first"));
        assert_eq!(one("{{request.body.items.1.name}}"), json!("second"));
        assert_eq!(one("{{request.body./items/0/name}}"), json!("first"));
        assert_eq!(one("{{request.body/items/1/name}}"), json!("second"));
        assert_eq!(one("{{request.body./a~1b/~0c}}"), json!(true));
        assert_eq!(one("{{request.body.tags}}"), json!(["x", "y"]));
        assert_eq!(
            one("{{request.body.items.0}}"),
            json!({"name": "first", "qty": 2})
        );
        assert_eq!(one("{{request.body.age}}"), json!(3));
        assert_eq!(one("{{request.body.items.5.name}}"), Value::Null);
        assert_eq!(one("{{request.body.items.01}}"), Value::Null);
        assert_eq!(one("{{request.body.name.x}}"), Value::Null);
    }

    #[test]
    fn spaces_and_embedding() {
        assert_eq!(one("{{ request.path.petId }}"), json!("7"));
        assert_eq!(
            one("pet {{request.path.petId}} of {{ request.body.name }}!"),
            json!("pet 7 of Fido!")
        );
        assert_eq!(
            one("age={{request.body.age}} tags={{request.body.tags}}"),
            json!("age=3 tags=[\"x\",\"y\"]")
        );
        assert_eq!(one("{{request.query.ids}}"), json!("1"));
        assert_eq!(one("ids={{request.query.ids}}"), json!("ids=1"));
    }

    #[test]
    fn missing_values() {
        assert_eq!(one("{{request.path.nope}}"), Value::Null);
        assert_eq!(one("{{request.query.nope}}"), Value::Null);
        assert_eq!(one("{{request.header.nope}}"), Value::Null);
        assert_eq!(one("{{request.cookie.nope}}"), Value::Null);
        assert_eq!(one("{{request.body.nope}}"), Value::Null);
        assert_eq!(one("{{request.body.nothing}}"), Value::Null);
        assert_eq!(one("a{{request.path.nope}}b"), json!("ab"));
        assert_eq!(one("a{{request.body.nothing}}b"), json!("ab"));
        assert_eq!(one("[{{request.cookie.nope}}]"), json!("[]"));
        // No body, no query at all.
        let (t, _) = compile(&json!(["{{request.body.x}}", "q={{request.query.a}}"])).unwrap();
        let headers = http::HeaderMap::new();
        let ctx = Context {
            method: "GET",
            path: "/",
            path_params: &[],
            query: None,
            headers: &headers,
            body: None,
        };
        assert_eq!(
            t.render(&ctx, &SchemaStore::new(), None, 0),
            json!([null, "q="])
        );
    }

    #[test]
    fn keys_and_nesting() {
        let out = render(json!({
            "id_{{request.path.petId}}": {"deep": ["{{request.method}}", 1, {"k": "v"}]},
            "{{request.path.nope}}": "empty key",
            "same": "plain"
        }));
        assert_eq!(
            out,
            json!({
                "id_7": {"deep": ["POST", 1, {"k": "v"}]},
                "": "empty key",
                "same": "plain"
            })
        );
    }

    #[test]
    fn typed_by_schema() {
        let store = SchemaStore::new();
        let schema = json!({
            "type": "object",
            "properties": {
                "i": {"type": "integer"},
                "n": {"type": "number"},
                "b": {"type": "boolean"},
                "s": {"type": "string"},
                "arr": {"type": "array", "items": {"type": "integer"}},
                "tuple": {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}]},
                "nullable": {"type": ["integer", "null"]},
                "age_as_string": {"type": "string"},
                "obj": {"type": "object"},
                "bad": {"type": "integer"}
            },
            "additionalProperties": {"type": "integer"}
        });
        let out = render_with(
            json!({
                "i": "{{request.path.petId}}",
                "n": "{{request.query.f}}",
                "b": "{{request.query.flag}}",
                "s": "{{request.path.petId}}",
                "arr": ["{{request.query.limit}}", "{{request.path.petId}}"],
                "tuple": ["{{request.path.petId}}", "{{request.path.petId}}"],
                "nullable": "{{request.query.limit}}",
                "age_as_string": "{{request.body.age}}",
                "obj": "{{request.body.items.0}}",
                "bad": "{{request.path.name}}",
                "extra": "{{request.query.limit}}",
                "embedded": "#{{request.path.petId}}"
            }),
            &store,
            Some(&schema),
        );
        assert_eq!(
            out,
            json!({
                "i": 7,
                "n": 2.5,
                "b": true,
                "s": "7",
                "arr": [20, 7],
                "tuple": ["7", 7],
                "nullable": 20,
                "age_as_string": "3",
                "obj": {"name": "first", "qty": 2},
                "bad": "Rex Dog",
                "extra": 20,
                "embedded": "#7"
            })
        );
    }

    #[test]
    fn typed_through_refs_and_all_of() {
        let store = SchemaStore::from_defs([
            (
                "Pet",
                json!({"allOf": [
                    {"$ref": "#/$defs/Base"},
                    {"type": "object", "properties": {"tags": {"type": "array", "items": {"$ref": "#/$defs/Id"}}}}
                ]}),
            ),
            (
                "Base",
                json!({"type": "object", "properties": {"id": {"$ref": "#/$defs/Id"}, "owner": {"$ref": "#/$defs/Pet"}}}),
            ),
            ("Id", json!({"type": "integer", "format": "int64"})),
        ]);
        let schema = json!({"$ref": "#/$defs/Pet"});
        let out = render_with(
            json!({
                "id": "{{request.path.petId}}",
                "tags": ["{{request.query.limit}}"],
                "owner": {"id": "{{ request.query.limit }}"},
                "ids": "{{request.query.ids}}"
            }),
            &store,
            Some(&schema),
        );
        assert_eq!(
            out,
            json!({"id": 7, "tags": [20], "owner": {"id": 20}, "ids": "1"})
        );

        // A repeated query parameter fills an array; a comma list too.
        let schema = json!({"type": "object", "properties": {
            "ids": {"type": "array", "items": {"type": "integer"}},
            "csv": {"type": "array", "items": {"type": "integer"}}
        }});
        let out = render_with(
            json!({"ids": "{{request.query.ids}}", "csv": "{{request.body.tags}}"}),
            &store,
            Some(&schema),
        );
        assert_eq!(out, json!({"ids": [1, 2], "csv": ["x", "y"]}));
    }

    #[test]
    fn cyclic_schemas_terminate() {
        let store = SchemaStore::from_defs([
            (
                "A",
                json!({"allOf": [{"$ref": "#/$defs/B"}], "properties": {"x": {"type": "integer"}}}),
            ),
            ("B", json!({"allOf": [{"$ref": "#/$defs/A"}]})),
        ]);
        let schema = json!({"$ref": "#/$defs/A"});
        let out = render_with(
            json!({"x": "{{request.path.petId}}"}),
            &store,
            Some(&schema),
        );
        assert_eq!(out, json!({"x": 7}));
    }

    #[test]
    fn compile_errors_have_pointers() {
        let (t, errors) = compile(&json!({
            "a": "{{$nope}}",
            "b": ["ok", "x {{request.nope.y}}"],
            "c/d": "{{}}",
            "e": "{{request.path.id",
            "f": "{{ {{request.method}} }}",
            "g": "{{$randomemail}}",
            "{{bogus}}": 1,
            "h": "{{request.header.bad name}}",
            "i": "{{request.query}}"
        }))
        .unwrap();
        let joined = errors.join("\n");
        assert!(joined.contains("/a: unknown variable `$nope`"), "{joined}");
        assert!(
            joined.contains("/b/1: unknown request source `nope`"),
            "{joined}"
        );
        assert!(
            joined.contains("/c~1d: empty template expression"),
            "{joined}"
        );
        assert!(
            joined.contains("/e: `{{` without a closing `}}`"),
            "{joined}"
        );
        assert!(joined.contains("/f: `{{` without a closing"), "{joined}");
        assert!(joined.contains("did you mean `$randomEmail`"), "{joined}");
        assert!(
            joined.contains("/{{bogus}}: in the key: unknown template expression"),
            "{joined}"
        );
        assert!(
            joined.contains("/h: `bad name` is not a valid header name"),
            "{joined}"
        );
        assert!(
            joined.contains("/i: `request.query` needs a name"),
            "{joined}"
        );
        assert_eq!(errors.len(), 9, "{joined}");
        let req = Req::new();
        let out = t.render(&req.ctx(), &SchemaStore::new(), None, 0);
        assert_eq!(
            out,
            json!({
                "a": null,
                "b": ["ok", "x "],
                "c/d": null,
                "e": "{{request.path.id",
                "f": "{{ POST }}",
                "g": null,
                "": 1,
                "h": null,
                "i": null
            })
        );
    }

    #[test]
    fn root_string_errors_have_no_pointer() {
        let (_, errors) = compile(&json!("{{$nope}}")).unwrap();
        assert_eq!(errors, vec!["unknown variable `$nope`".to_string()]);
        // Only unbalanced braces: still reported, rendered as written.
        let (t, errors) = compile(&json!({"x": "a {{ b"})).unwrap();
        assert_eq!(errors.len(), 1);
        let req = Req::new();
        assert_eq!(
            t.render(&req.ctx(), &SchemaStore::new(), None, 0),
            json!({"x": "a {{ b"})
        );
    }

    #[test]
    fn braces_edge_cases() {
        assert_eq!(one("{{{request.method}}}"), json!("{POST}"));
        let (t, errors) = compile(&json!("}}{{request.method}}{{")).unwrap();
        assert_eq!(errors.len(), 1);
        let req = Req::new();
        assert_eq!(
            t.render(&req.ctx(), &SchemaStore::new(), None, 0),
            json!("}}POST{{")
        );
        assert_eq!(
            one("{{request.method}}{{request.path}}"),
            json!("POST/pets/7")
        );
        assert_eq!(one("x}}y{{request.method}}"), json!("x}}yPOST"));
    }

    fn var(name: &str, seed: u64) -> String {
        let (t, errors) = compile(&Value::String(format!("{{{{${name}}}}}"))).unwrap();
        assert!(errors.is_empty(), "{name}: {errors:?}");
        let req = Req::new();
        match t.render(&req.ctx(), &SchemaStore::new(), None, seed) {
            Value::String(s) => s,
            other => panic!("{name}: not a string: {other}"),
        }
    }

    fn is_uuid(s: &str) -> bool {
        let b = s.as_bytes();
        b.len() == 36
            && b.iter().enumerate().all(|(i, c)| match i {
                8 | 13 | 18 | 23 => *c == b'-',
                14 => *c == b'4',
                _ => c.is_ascii_hexdigit(),
            })
    }

    fn is_rfc3339(s: &str) -> bool {
        let b = s.as_bytes();
        b.len() == 24
            && b.iter().enumerate().all(|(i, c)| match i {
                4 | 7 => *c == b'-',
                10 => *c == b'T',
                13 | 16 => *c == b':',
                19 => *c == b'.',
                23 => *c == b'Z',
                _ => c.is_ascii_digit(),
            })
    }

    #[test]
    fn every_dynamic_variable_is_plausible() {
        assert_eq!(DYNAMIC_VARIABLES.len(), 118);
        let mut names: Vec<&str> = dynamic_variable_names().collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), 118, "duplicate names");
        for seed in 0..20 {
            for name in dynamic_variable_names() {
                let v = var(name, seed);
                assert!(!v.trim().is_empty(), "${name} is empty");
                let ok = match name {
                    "guid" | "randomUUID" => is_uuid(&v),
                    "timestamp" => v.len() == 10 && v.bytes().all(|b| b.is_ascii_digit()),
                    "isoTimestamp" | "randomDateFuture" | "randomDatePast" | "randomDateRecent" => {
                        is_rfc3339(&v)
                    }
                    "randomInt" => v.parse::<u32>().is_ok_and(|n| n <= 1000),
                    "randomBoolean" => v == "true" || v == "false",
                    "randomAlphaNumeric" => {
                        v.len() == 1 && v.bytes().all(|b| b.is_ascii_alphanumeric())
                    }
                    "randomHexColor" => v.len() == 7 && v.starts_with('#'),
                    "randomIP" => v.parse::<std::net::Ipv4Addr>().is_ok(),
                    "randomIPV6" => v.parse::<std::net::Ipv6Addr>().is_ok(),
                    "randomMACAddress" => v.len() == 17 && v.split(':').count() == 6,
                    "randomPassword" => {
                        v.len() == 15 && v.bytes().all(|b| b.is_ascii_alphanumeric())
                    }
                    "randomLocale" | "randomCountryCode" => v.len() == 2,
                    "randomProtocol" => v == "http" || v == "https",
                    "randomSemver" => {
                        v.split('.').count() == 3 && v.split('.').all(|p| p.parse::<u32>().is_ok())
                    }
                    "randomPhoneNumber" => {
                        v.len() == 12 && v.bytes().filter(u8::is_ascii_digit).count() == 10
                    }
                    "randomPhoneNumberExt" => v.bytes().filter(u8::is_ascii_digit).count() == 12,
                    "randomLatitude" => v.parse::<f64>().is_ok_and(|x| (-90.0..=90.0).contains(&x)),
                    "randomLongitude" => v
                        .parse::<f64>()
                        .is_ok_and(|x| (-180.0..=180.0).contains(&x)),
                    "randomPrice" => {
                        v.parse::<f64>().is_ok_and(|x| (0.0..=1000.0).contains(&x))
                            && v.split('.').nth(1).is_some_and(|d| d.len() == 2)
                    }
                    "randomBankAccount" => v.len() == 8 && v.bytes().all(|b| b.is_ascii_digit()),
                    "randomCreditCardMask" => v.len() == 4 && v.bytes().all(|b| b.is_ascii_digit()),
                    "randomBankAccountIban" => {
                        let rearranged = format!("{}{}", &v[4..], &v[..4]);
                        iban_mod97(rearranged.chars()) == 1 && (15..=34).contains(&v.len())
                    }
                    "randomBankAccountBic" => (8..=11).contains(&v.len()),
                    "randomCurrencyCode" => v.len() == 3,
                    "randomBitcoin" => {
                        (26..=35).contains(&v.len()) && (v.starts_with('1') || v.starts_with('3'))
                    }
                    "randomEmail" | "randomExampleEmail" => v.contains('@') && v.contains('.'),
                    "randomUrl" => v.starts_with("https://") && v.contains('.'),
                    "randomDomainName" => v.contains('.'),
                    "randomImageDataUri" => v.starts_with("data:image/svg+xml"),
                    "randomMimeType" => v.contains('/'),
                    "randomFilePath" | "randomDirectoryPath" => v.starts_with('/'),
                    "randomFileName" | "randomCommonFileName" => v.contains('.'),
                    "randomWeekday" => WEEKDAYS.contains(&v.as_str()),
                    "randomMonth" => MONTHS.contains(&v.as_str()),
                    "randomLoremSlug" => v.split('-').count() == 3,
                    "randomLoremSentence" => {
                        v.ends_with('.') && v.starts_with(|c: char| c.is_uppercase())
                    }
                    n if n.ends_with("Image") || n == "randomAvatarImage" => {
                        v.starts_with("https://")
                    }
                    _ => true,
                };
                assert!(ok, "${name} = {v:?} (seed {seed})");
            }
        }
    }

    #[test]
    fn dates_are_ordered_around_now() {
        let (t, _) = compile(&json!([
            "{{$isoTimestamp}}",
            "{{$randomDatePast}}",
            "{{$randomDateFuture}}",
            "{{$randomDateRecent}}",
            "{{$timestamp}}"
        ]))
        .unwrap();
        let req = Req::new();
        let out = t.render_with_clock(&req.ctx(), &SchemaStore::new(), None, 5, 1_700_000_000_123);
        assert_eq!(out[0], json!("2023-11-14T22:13:20.123Z"));
        let s = |i: usize| out[i].as_str().unwrap().to_string();
        assert!(s(1) < s(0) && s(0) < s(2), "{out}");
        assert!(s(3) < s(0) && s(3).as_str() > "2023-11-13", "{out}");
        assert_eq!(out[4], json!("1700000000"));
    }

    #[test]
    fn reproducible_with_a_seed() {
        let names: Vec<String> = dynamic_variable_names()
            .map(|n| format!("{{{{${n}}}}}"))
            .collect();
        let value = json!({"all": names, "mixed": "id {{$guid}} at {{$isoTimestamp}}"});
        let (t, errors) = compile(&value).unwrap();
        assert!(errors.is_empty(), "{errors:?}");
        let req = Req::new();
        let store = SchemaStore::new();
        let a = t.render(&req.ctx(), &store, None, 42);
        let b = t.render(&req.ctx(), &store, None, 42);
        let c = t.render(&req.ctx(), &store, None, 43);
        assert_eq!(a, b);
        assert_ne!(a, c);
        // Two occurrences of the same variable draw different values.
        let (t, _) = compile(&json!(["{{$guid}}", "{{$guid}}"])).unwrap();
        let out = t.render(&req.ctx(), &store, None, 1);
        assert_ne!(out[0], out[1]);
    }

    #[test]
    fn dynamic_variables_typed_by_schema() {
        let store = SchemaStore::new();
        let schema = json!({"type": "object", "properties": {
            "n": {"type": "integer"},
            "b": {"type": "boolean"},
            "p": {"type": "number"},
            "t": {"type": "integer"},
            "s": {"type": "string"}
        }});
        let out = render_with(
            json!({
                "n": "{{$randomInt}}",
                "b": "{{$randomBoolean}}",
                "p": "{{$randomPrice}}",
                "t": "{{$timestamp}}",
                "s": "{{$randomInt}}"
            }),
            &store,
            Some(&schema),
        );
        assert!(out["n"].is_u64(), "{out}");
        assert!(out["b"].is_boolean(), "{out}");
        assert!(out["p"].is_number(), "{out}");
        assert!(out["t"].is_u64(), "{out}");
        assert!(out["s"].is_string(), "{out}");
    }

    #[test]
    fn garbage_never_panics() {
        let req = Req::new();
        let store = SchemaStore::from_defs([("Loop", json!({"$ref": "#/$defs/Loop"}))]);
        let loop_schema = json!({"$ref": "#/$defs/Loop"});
        let nasty = [
            "{{",
            "}}",
            "{{}}",
            "{{{{}}}}",
            "{{{",
            "}}}",
            "{{ }}",
            "{{$}}",
            "{{request.}}",
            "{{request.body.}}",
            "{{request.body..x}}",
            "{{request.body./}}",
            "{{request.body.//}}",
            "{{request.path.}}",
            "{{request.method.x}}",
            "{{request.header.}}",
            "{{request.header.\u{0}}}",
            "{{request.cookie.=}}",
            "{{é{{ü}}ß}}",
            "{{\u{1F600}}}",
            "{{request.body.18446744073709551616}}",
            "{{request.body.-1}}",
            "a{{b}}c{{d",
            "{{$randomInt}}{{",
            "{{ $guid }}",
            "{{request.query.%ZZ}}",
        ];
        for s in nasty {
            if let Some((t, _)) = compile(&json!(s)) {
                for schema in [None, Some(&loop_schema), Some(&json!({"type": "integer"}))] {
                    let _ = t.render(&req.ctx(), &store, schema, 9);
                }
            }
        }
        // Huge strings.
        let huge = "{{".repeat(50_000) + &"}}".repeat(50_000);
        let (t, _) = compile(&json!(huge)).unwrap();
        let _ = t.render(&req.ctx(), &store, None, 0);
        let many = "{{request.method}}".repeat(20_000);
        let (t, _) = compile(&json!(many)).unwrap();
        assert_eq!(
            t.render(&req.ctx(), &store, None, 0)
                .as_str()
                .unwrap()
                .len(),
            80_000
        );
        // Deep JSON.
        let mut deep = json!("{{request.method}}");
        for _ in 0..500 {
            deep = json!([deep]);
        }
        let (t, errors) = compile(&deep).unwrap();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(t.render(&req.ctx(), &store, None, 0), deep);
        // Non-UTF-8 header values and odd cookies.
        let mut headers = http::HeaderMap::new();
        headers.insert("x-bin", http::HeaderValue::from_bytes(b"a\xffb").unwrap());
        headers.append("x-bin", http::HeaderValue::from_static("c"));
        headers.insert(
            http::header::COOKIE,
            http::HeaderValue::from_bytes(b";;=;\xff=1; k=\"q\"").unwrap(),
        );
        let ctx = Context {
            method: "GET",
            path: "/",
            path_params: &[],
            query: Some("%%%&&=&a=%ff"),
            headers: &headers,
            body: Some(&json!("not an object")),
        };
        let (t, _) = compile(&json!([
            "{{request.header.x-bin}}",
            "{{request.cookie.k}}",
            "{{request.query.a}}",
            "{{request.body.x}}",
            "{{request.body.0}}"
        ]))
        .unwrap();
        let out = t.render(&ctx, &store, None, 0);
        assert_eq!(out, json!(["a\u{fffd}b, c", "q", "\u{fffd}", null, null]));
    }

    #[test]
    fn render_is_fast() {
        let value = json!({
            "id": "{{request.path.petId}}",
            "name": "{{request.body.name}}",
            "trace": "trace-{{request.header.x-trace}}",
            "a": 1, "b": "two", "c": true, "d": null, "e": [1, 2], "f": {"g": "h"}, "i": 2.5
        });
        let schema = json!({"type": "object", "properties": {"id": {"type": "integer"}}});
        let (t, _) = compile(&value).unwrap();
        let req = Req::new();
        let ctx = req.ctx();
        let store = SchemaStore::new();
        let n = 2_000;
        let start = std::time::Instant::now();
        for seed in 0..n {
            std::hint::black_box(t.render(&ctx, &store, Some(&schema), seed));
        }
        let per = start.elapsed() / n as u32;
        // Generous for debug builds; a release build is a few microseconds.
        assert!(
            per < std::time::Duration::from_micros(200),
            "{per:?} per render"
        );
    }
}

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
//!
//! The module is split by concern: [`parse`] turns a JSON value into the compiled tree and
//! reports problems, [`render`] walks that tree with a request, [`dynamic`] draws Postman's
//! dynamic variables; typing a value by its schema position is `crate::schema::shape`'s.

mod dynamic;
mod parse;
mod render;
#[cfg(test)]
mod tests;

use crate::schema::shape::View;
use crate::schema::SchemaStore;
use dynamic::{reference_now_ms, DYNAMIC_VARIABLES};
use parse::{Compiler, Node};
use render::Renderer;
use serde_json::Value;

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
    let mut c = Compiler::new();
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
        let mut r = Renderer::new(ctx, store, seed, now_ms);
        let view = schema.map(|s| View::of(store, s));
        r.node(&self.root, view.as_ref())
    }
}

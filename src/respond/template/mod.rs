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
//! | `response.status`, `response.header.NAME`, `response.body`, `response.body.a.0`, `response.body./a/0` | the answer a callback follows (only in callbacks' bodies: [`Context::response`]) |
//! | `$guid`, `$randomEmail`, ... | Postman's dynamic variables ([`dynamic_variable_names`]) |
//!
//! Nothing here executes code or reads files, and no input panics: problems found while
//! compiling (unknown variables, unbalanced braces, unknown request sources) are returned as
//! messages with the JSON pointer of the string, and the bad expression renders as an empty
//! string (or `null` when it is the whole string).
//!
//! Dynamic variables are drawn by the data generator (`crate::generate::postman`) from a
//! ChaCha8 stream seeded with the render seed, in the locale of [`Draw::locale`] (`--locale`),
//! so the same seed and locale give the same output; `$timestamp`, `$isoTimestamp` and the
//! `$randomDate*` variables are placed around [`Draw::now_ms`], by default an instant derived
//! from the seed (the rest of stubborn never reads the clock either).
//!
//! A body written as text rather than JSON (a Postman collection's saved body) is compiled with
//! [`compile_text`]: there, only `{{$…}}` and `{{request.…}}` are expressions, and any other
//! `{{name}}` stays as written, as Postman's mock leaves a variable nothing defines.
//!
//! The module is split by concern: [`parse`] turns a value into the compiled tree and reports
//! problems, [`render`] walks that tree with a request; typing a value by its schema position
//! is `crate::schema::shape`'s, and drawing a dynamic variable `crate::generate::postman`'s.

mod parse;
mod render;
#[cfg(test)]
mod tests;

use crate::generate::{postman, Locale};
use crate::schema::shape::View;
use crate::schema::SchemaStore;
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
    /// The answer the mock gave to that request, for a callback's body (`{{response.…}}`);
    /// `None` when rendering the answer itself (`{{response.…}}` then renders as nothing).
    pub response: Option<ResponseContext<'a>>,
}

/// What `{{response.…}}` reads: the mock's answer to the request a callback follows.
#[derive(Clone, Copy, Debug)]
pub struct ResponseContext<'a> {
    pub status: u16,
    pub headers: &'a [(http::HeaderName, http::HeaderValue)],
    /// The answer's body parsed as JSON, if it is JSON.
    pub body: Option<&'a Value>,
}

/// `None` when `value` contains no `{{` at all (the caller then keeps its pre-rendered bytes).
///
/// Otherwise the compiled template and the problems found, each prefixed with the JSON
/// pointer of the string (or key) it is in (`/items/0/name: unknown variable `$nope``; no
/// prefix when the whole value is that string). The template compiles even with problems: a bad
/// expression renders as an empty string, or as `null` when it is the whole string.
pub fn compile(value: &Value) -> Option<(Template, Vec<String>)> {
    let mut c = Compiler::new(false);
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

/// A body written as text (a Postman saved body): `None` when it holds no `{{$…}}` or
/// `{{request.…}}` expression. Any other `{{name}}` stays text, and a bad expression renders
/// as nothing; nothing is reported.
pub fn compile_text(text: &str) -> Option<Template> {
    let mut c = Compiler::new(true);
    let root = c.node(&Value::String(text.to_string()), 0)?;
    Some(Template {
        root,
        dynamic: c.dynamic,
    })
}

/// The names of all supported dynamic variables, without the leading `$`.
pub fn dynamic_variable_names() -> impl Iterator<Item = &'static str> {
    postman::names()
}

/// How one render draws its dynamic variables.
#[derive(Clone, Copy, Debug)]
pub struct Draw {
    /// Seed of the random stream: the same seed (and locale) gives the same values.
    pub seed: u64,
    /// "Now" in milliseconds since the Unix epoch, for `$timestamp`, `$isoTimestamp` and the
    /// `$randomDate*` variables.
    pub now_ms: i64,
    /// Language of names, places, companies, jobs and phone numbers (`--locale`).
    pub locale: Locale,
}

impl Draw {
    /// English, around the reference instant of `seed` rather than the clock.
    pub fn seeded(seed: u64) -> Draw {
        Draw {
            seed,
            now_ms: postman::reference_now_ms(seed),
            locale: Locale::En,
        }
    }
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
    /// output; English) and the reference instant of the time variables.
    pub fn render(
        &self,
        ctx: &Context,
        store: &SchemaStore,
        schema: Option<&Value>,
        seed: u64,
    ) -> Value {
        self.render_with(ctx, store, schema, Draw::seeded(seed))
    }

    /// [`Template::render`] with the dynamic variables drawn as `draw` says (a locale, the
    /// wall clock).
    pub fn render_with(
        &self,
        ctx: &Context,
        store: &SchemaStore,
        schema: Option<&Value>,
        draw: Draw,
    ) -> Value {
        let mut r = Renderer::new(ctx, store, draw);
        let view = schema.map(|s| View::of(store, s));
        r.node(&self.root, view.as_ref())
    }

    /// A template from [`compile_text`], rendered as text: every expression as text, missing
    /// ones as nothing.
    pub fn render_text(&self, ctx: &Context, draw: Draw) -> String {
        static NO_SCHEMAS: std::sync::LazyLock<SchemaStore> =
            std::sync::LazyLock::new(SchemaStore::new);
        let mut r = Renderer::new(ctx, &NO_SCHEMAS, draw);
        r.text_of(&self.root)
    }
}

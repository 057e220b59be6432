//! Rendering: walks the compiled tree with a request ([`super::Context`]) and the schema at
//! each position, finding each expression's value in the request (or drawing a dynamic
//! variable) and typing lone expressions by the schema (`crate::schema::shape`).

use super::parse::{Expr, Key, Node, Part, Seg, Text};
use super::{Context, Draw};
use crate::generate::postman::Draws;
use crate::schema::shape::{self, View};
use crate::schema::SchemaStore;
use serde_json::{Map, Value};
use std::borrow::Cow;

pub(super) struct Renderer<'c, 'a, 's> {
    ctx: &'c Context<'a>,
    store: &'s SchemaStore,
    draw: Draw,
    /// The random stream, set up at the first dynamic variable.
    draws: Option<Draws>,
}

/// A request value an expression found.
enum Got<'a> {
    Text(Cow<'a, str>),
    /// A repeated query parameter.
    List(Vec<Cow<'a, str>>),
    Json(&'a Value),
}

impl<'c, 'a, 's> Renderer<'c, 'a, 's> {
    pub(super) fn new(ctx: &'c Context<'a>, store: &'s SchemaStore, draw: Draw) -> Self {
        Renderer {
            ctx,
            store,
            draw,
            draws: None,
        }
    }

    /// A value as text: a text's expressions embedded, a literal string as it is.
    pub(super) fn text_of(&mut self, node: &Node) -> String {
        match node {
            Node::Text(t) => self.embed(t),
            Node::Literal(v) => shape::inline_text(v),
            Node::Array(_) | Node::Object(_) => String::new(),
        }
    }

    pub(super) fn node(&mut self, node: &Node, view: Option<&View<'s>>) -> Value {
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
                    Some(Got::Json(v)) => shape::push_inline_text(&mut out, v),
                },
            }
        }
        out
    }

    /// A string that is exactly one expression: typed by the schema when there is one.
    fn lone(&mut self, expr: &Expr, view: Option<&View<'s>>) -> Value {
        let store = self.store;
        match self.resolve(expr) {
            None => Value::Null,
            Some(Got::Text(s)) => shape::text_value(&s, view, store),
            Some(Got::List(items)) => shape::list_value(&items, view, store),
            Some(Got::Json(v)) => shape::json_value(v, view, store),
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
            Expr::Header(name) => joined(ctx.headers.get_all(name).iter()),
            Expr::Cookie(name) => {
                crate::cookies::get(ctx.headers, name).map(|v| Got::Text(Cow::Owned(v)))
            }
            Expr::Body(segs) => walk(ctx.body?, segs),
            Expr::Status => ctx
                .response
                .map(|r| Got::Text(Cow::Owned(r.status.to_string()))),
            Expr::ResponseHeader(name) => {
                let headers = ctx.response?.headers;
                joined(headers.iter().filter(|(k, _)| k == name).map(|(_, v)| v))
            }
            Expr::ResponseBody(segs) => walk(ctx.response?.body?, segs),
            Expr::Dynamic(i) => {
                let Draw {
                    seed,
                    now_ms,
                    locale,
                } = self.draw;
                let draws = self
                    .draws
                    .get_or_insert_with(|| Draws::new(seed, locale, now_ms));
                Some(Got::Text(Cow::Owned(draws.draw(*i))))
            }
        }
    }
}

/// A header's values as one text, repeated ones joined with `, `; `None` without any.
fn joined<'a>(mut values: impl Iterator<Item = &'a http::HeaderValue>) -> Option<Got<'a>> {
    let mut text = header_text(values.next()?);
    for more in values {
        let t = text.to_mut();
        t.push_str(", ");
        t.push_str(&header_text(more));
    }
    Some(Got::Text(text))
}

/// The value at `segs` in a body.
fn walk<'a>(mut cur: &'a Value, segs: &[Seg]) -> Option<Got<'a>> {
    for seg in segs {
        cur = match cur {
            Value::Object(map) => map.get(&seg.key)?,
            Value::Array(items) => items.get(seg.index?)?,
            _ => return None,
        };
    }
    Some(Got::Json(cur))
}

/// A header value as text; bytes that are not UTF-8 are replaced.
fn header_text(v: &http::HeaderValue) -> Cow<'_, str> {
    String::from_utf8_lossy(v.as_bytes())
}

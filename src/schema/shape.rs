//! What a schema says about the JSON type of a value, for the code that turns text into JSON:
//! parameter coercion (`validate::params`: a path, query, header or cookie value, a form field)
//! and templates (`respond::template`: a request value or a dynamic variable placed in an
//! example). Both read a schema's types the same way ([`declared_types`], [`both`],
//! [`either`]) and read text as a number, boolean or null the same way ([`parse_number`],
//! [`scalar`]).
//!
//! Two ways to walk a schema, for two lifetimes:
//!
//! - [`Shape`]: worked out once at load time for a parameter or form, a whole tree bounded in
//!   depth and size (parameter schemas are small); `anyOf`/`oneOf` branches are united.
//! - [`View`]: one position of a response schema, followed lazily from the root along the
//!   positions a template fills (response schemas can be large and recursive, and a template
//!   only needs the few positions its expressions are at).
//!
//! Where they differ on purpose: a parameter prefers the typed value (`"12"` is `12` under
//! `type: [integer, string]`, and a value that does not parse stays the client's text for the
//! validator to report), while a template keeps text wherever the schema allows a string and
//! reads the rest leniently (surrounding spaces, `TRUE`, an empty value as `null`, `1,2,3` or
//! JSON for arrays and objects).

use super::SchemaStore;
use serde_json::{Map, Number, Value};
use smallvec::SmallVec;

// ---------------------------------------------------------------------------------------------
// Types: a bit set of JSON types; 0 is unknown (no preference).

pub(crate) const T_NULL: u8 = 1;
pub(crate) const T_BOOL: u8 = 2;
pub(crate) const T_INT: u8 = 4;
pub(crate) const T_NUM: u8 = 8;
pub(crate) const T_STR: u8 = 16;
pub(crate) const T_ARR: u8 = 32;
pub(crate) const T_OBJ: u8 = 64;

/// The type named by a `type` keyword entry.
fn type_bit(name: &str) -> u8 {
    match name {
        "null" => T_NULL,
        "boolean" => T_BOOL,
        "integer" => T_INT,
        "number" => T_NUM,
        "string" => T_STR,
        "array" => T_ARR,
        "object" => T_OBJ,
        _ => 0,
    }
}

/// The type of a JSON value (`T_INT` for a number without a fraction).
pub(crate) fn value_type(v: &Value) -> u8 {
    match v {
        Value::Null => T_NULL,
        Value::Bool(_) => T_BOOL,
        Value::Number(n) if n.is_i64() || n.is_u64() => T_INT,
        Value::Number(_) => T_NUM,
        Value::String(_) => T_STR,
        Value::Array(_) => T_ARR,
        Value::Object(_) => T_OBJ,
    }
}

/// The types one schema object declares: its `type`, else the types of its `enum` members,
/// else of its `const`; 0 when it says nothing.
pub(crate) fn declared_types(obj: &Map<String, Value>) -> u8 {
    let declared = match obj.get("type") {
        Some(Value::String(t)) => type_bit(t),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .fold(0, |acc, t| acc | type_bit(t)),
        _ => 0,
    };
    if declared != 0 {
        return declared;
    }
    if let Some(Value::Array(vals)) = obj.get("enum") {
        vals.iter().fold(0, |acc, v| acc | value_type(v))
    } else if let Some(v) = obj.get("const") {
        value_type(v)
    } else {
        0
    }
}

/// Both hold (`allOf`): the types both admit (an integer is a number); unknown defers to the
/// other; a contradiction keeps either.
pub(crate) fn both(x: u8, y: u8) -> u8 {
    match (x, y) {
        (0, t) | (t, 0) => t,
        (x, y) => {
            let mut common = x & y;
            if (x & T_NUM != 0 && y & T_INT != 0) || (y & T_NUM != 0 && x & T_INT != 0) {
                common |= T_INT;
            }
            if common == 0 {
                x | y
            } else {
                common
            }
        }
    }
}

/// Either holds (`anyOf`, `oneOf`): the types either admits; unknown if one is unknown.
pub(crate) fn either(x: u8, y: u8) -> u8 {
    if x == 0 || y == 0 {
        0
    } else {
        x | y
    }
}

/// Whether `types` (known) admit `v`: an integer is a number too.
fn admits(types: u8, v: &Value) -> bool {
    let t = value_type(v);
    types & t != 0 || (t == T_INT && types & T_NUM != 0)
}

// ---------------------------------------------------------------------------------------------
// Shape: what a parameter's schema expects, reduced to what deserialisation and coercion need.

/// How deep [`Shape::of`] looks into nested schemas (cycles end here).
const MAX_DEPTH: u32 = 8;
/// How many schema nodes [`Shape::of`] visits at most (wide `anyOf`s end here).
const MAX_NODES: usize = 1024;

/// The types a schema admits (a bit set of `T_*`; 0 = unknown, keep strings), and the shapes
/// of its items and properties.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Shape {
    pub(crate) types: u8,
    pub(crate) items: Option<Box<Shape>>,
    pub(crate) props: Vec<(String, Shape)>,
    /// `additionalProperties` when it is a schema (or `true`).
    pub(crate) additional: Option<Box<Shape>>,
    /// `format: binary`, `contentMediaType` or `contentEncoding`: file content.
    pub(crate) binary: bool,
}

/// The shape of an unknown schema: values stay strings.
pub(crate) static ANY: Shape = Shape {
    types: 0,
    items: None,
    props: Vec::new(),
    additional: None,
    binary: false,
};

/// How a value is laid out once deserialised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Primitive,
    Array,
    Object,
}

impl Shape {
    /// The shape of a stored schema.
    pub(crate) fn of(store: &SchemaStore, schema: &Value) -> Shape {
        let mut budget = MAX_NODES;
        build(store, schema, 0, &mut budget)
    }

    pub(crate) fn kind(&self) -> Kind {
        if self.types & T_ARR != 0 || (self.types == 0 && self.items.is_some()) {
            Kind::Array
        } else if self.types & T_OBJ != 0
            || (self.types == 0 && (!self.props.is_empty() || self.additional.is_some()))
        {
            Kind::Object
        } else {
            Kind::Primitive
        }
    }

    pub(crate) fn item(&self) -> &Shape {
        self.items.as_deref().unwrap_or(&ANY)
    }

    pub(crate) fn prop(&self, name: &str) -> &Shape {
        self.props
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, s)| s)
            .or(self.additional.as_deref())
            .unwrap_or(&ANY)
    }

    pub(crate) fn has_prop(&self, name: &str) -> bool {
        self.props.iter().any(|(n, _)| n == name)
    }

    /// Does the object take properties it does not declare (no `properties` at all, or an
    /// explicit `additionalProperties` schema)?
    pub(crate) fn open(&self) -> bool {
        self.props.is_empty() || self.additional.is_some()
    }
}

fn build(store: &SchemaStore, schema: &Value, depth: u32, budget: &mut usize) -> Shape {
    if depth > MAX_DEPTH || *budget == 0 {
        return Shape::default();
    }
    *budget -= 1;
    let schema = store.deref(schema);
    let Some(obj) = schema.as_object() else {
        return Shape::default();
    };
    let mut s = Shape {
        types: declared_types(obj),
        ..Shape::default()
    };
    if let Some(items) = obj.get("items").filter(|v| v.is_object()) {
        s.items = Some(Box::new(build(store, items, depth + 1, budget)));
    } else if let Some(Value::Array(prefix)) = obj.get("prefixItems") {
        let mut it = prefix.iter().map(|p| build(store, p, depth + 1, budget));
        if let Some(first) = it.next() {
            s.items = Some(Box::new(it.fold(first, union)));
        }
    }
    if let Some(Value::Object(props)) = obj.get("properties") {
        for (name, p) in props {
            let shape = build(store, p, depth + 1, budget);
            s.props.push((name.clone(), shape));
        }
    }
    match obj.get("additionalProperties") {
        Some(Value::Bool(true)) => s.additional = Some(Box::new(Shape::default())),
        Some(v @ Value::Object(_)) => {
            s.additional = Some(Box::new(build(store, v, depth + 1, budget)));
        }
        _ => {}
    }
    s.binary = obj.get("format").and_then(Value::as_str) == Some("binary")
        || obj.contains_key("contentMediaType")
        || obj.contains_key("contentEncoding");
    if s.types == 0 {
        if !s.props.is_empty() {
            s.types = T_OBJ;
        } else if s.items.is_some() {
            s.types = T_ARR;
        }
    }
    // `$ref` beside other keywords (the bare form was followed by `deref`).
    if let Some(target) = obj
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| store.resolve(r))
    {
        let t = build(store, target, depth + 1, budget);
        s = merge(s, t);
    }
    if let Some(Value::Array(all)) = obj.get("allOf") {
        for branch in all {
            let t = build(store, branch, depth + 1, budget);
            s = merge(s, t);
        }
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(Value::Array(any)) = obj.get(key) {
            let mut it = any.iter().map(|b| build(store, b, depth + 1, budget));
            if let Some(first) = it.next() {
                let u = it.fold(first, union);
                s = merge(s, u);
            }
        }
    }
    s
}

fn merge_opt(
    a: Option<Box<Shape>>,
    b: Option<Box<Shape>>,
    f: fn(Shape, Shape) -> Shape,
) -> Option<Box<Shape>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(Box::new(f(*a, *b))),
        (a, b) => a.or(b),
    }
}

fn merge_props(mut a: Shape, b: Shape, f: fn(Shape, Shape) -> Shape) -> Shape {
    a.items = merge_opt(a.items.take(), b.items, f);
    for (name, shape) in b.props {
        match a.props.iter().position(|(n, _)| *n == name) {
            Some(i) => {
                let old = std::mem::take(&mut a.props[i].1);
                a.props[i].1 = f(old, shape);
            }
            None => a.props.push((name, shape)),
        }
    }
    a.additional = merge_opt(a.additional.take(), b.additional, f);
    a.binary |= b.binary;
    a
}

/// Both shapes hold (`allOf`): the types both admit.
fn merge(a: Shape, b: Shape) -> Shape {
    let types = both(a.types, b.types);
    let mut s = merge_props(a, b, merge);
    s.types = types;
    s
}

/// Either shape holds (`anyOf`, `oneOf`): the types either admits; unknown if one is unknown.
fn union(a: Shape, b: Shape) -> Shape {
    let types = either(a.types, b.types);
    let mut s = merge_props(a, b, union);
    s.types = types;
    s
}

// ---------------------------------------------------------------------------------------------
// Coercion
// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// Reading text

/// `raw` as the scalar `types` ask for, when it is written as one: a number (with a fraction
/// only where `number` is allowed), `true`/`false`, or the word `null` where a string is not
/// allowed. `None` when it reads as none of them.
pub(crate) fn scalar(raw: &str, types: u8) -> Option<Value> {
    if types & (T_INT | T_NUM) != 0 {
        if let Some(n) = parse_number(raw, types & T_NUM != 0) {
            return Some(Value::Number(n));
        }
    }
    if types & T_BOOL != 0 {
        match raw {
            "true" => return Some(Value::Bool(true)),
            "false" => return Some(Value::Bool(false)),
            _ => {}
        }
    }
    // Only the word `null` is null: an empty value is an empty string, which a nullable
    // non-string schema rightly refuses.
    if types & T_NULL != 0 && types & T_STR == 0 && raw == "null" {
        return Some(Value::Null);
    }
    None
}

/// One raw parameter string as the JSON value the schema expects, when it parses as such;
/// otherwise the string itself (for the validator to report).
pub(crate) fn coerce(raw: &str, shape: &Shape) -> Value {
    scalar(raw, shape.types).unwrap_or_else(|| Value::String(raw.to_owned()))
}

/// Parses `raw` as a number when it is written like one: an optional sign, digits, and (only
/// when `fraction` is allowed) a fraction and an exponent.
pub(crate) fn parse_number(raw: &str, fraction: bool) -> Option<Number> {
    let b = raw.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'-' | b'+')) {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i > start
    };
    if !digits(&mut i) {
        return None;
    }
    let mut integral = true;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        integral = false;
        if !digits(&mut i) {
            return None;
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        integral = false;
        if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
            i += 1;
        }
        if !digits(&mut i) {
            return None;
        }
    }
    if i != b.len() || (!integral && !fraction) {
        return None;
    }
    if integral {
        if let Ok(n) = raw.parse::<i64>() {
            return Some(n.into());
        }
        if let Ok(n) = raw.parse::<u64>() {
            return Some(n.into());
        }
    }
    let mut f = raw.parse::<f64>().ok()?;
    if integral && f.is_finite() {
        // An integer beyond 64 bits: `type: integer` sets no size limit, so it is an integer
        // (a float with no fraction, as a JSON body's number that size is too). Rounding to
        // the nearest float may land on i64::MIN (-9223372036854775809 → -2^63), which passes
        // the bounds of `format: int64` that the value breaks: step to the float below it.
        // Above u64::MAX the nearest float is at least 2^64, beyond every 64-bit bound.
        if f >= i64::MIN as f64 && f < 0.0 {
            f = BELOW_I64_MIN;
        }
    }
    Number::from_f64(f)
}

/// The float right below i64::MIN (-2^63 - 2^11): beneath every bound a 64-bit integer sets.
pub(crate) const BELOW_I64_MIN: f64 = -9_223_372_036_854_777_856.0;

// ---------------------------------------------------------------------------------------------
// View: the schema at one position, walked lazily

/// How many schema objects (through `$ref` and `allOf`) one position may combine.
const MAX_VIEW_PARTS: usize = 32;
/// How many `$ref`/`allOf` hops are followed from one position.
const MAX_VIEW_HOPS: usize = 16;

/// Every schema object that applies at one position: the schema itself, `$ref` targets and
/// `allOf` members, flattened.
pub(crate) struct View<'s> {
    parts: SmallVec<[&'s Value; 4]>,
}

impl<'s> View<'s> {
    pub(crate) fn of(store: &'s SchemaStore, schema: &'s Value) -> Self {
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
    pub(crate) fn property(&self, store: &'s SchemaStore, key: &str) -> Option<View<'s>> {
        self.child(store, "additionalProperties", |obj| {
            obj.get("properties")?.as_object()?.get(key)
        })
    }

    /// The schemas of item `index`: `prefixItems[index]`, else `items`.
    pub(crate) fn item(&self, store: &'s SchemaStore, index: usize) -> Option<View<'s>> {
        self.child(store, "items", |obj| {
            obj.get("prefixItems")?.as_array()?.get(index)
        })
    }

    /// The view one level down: per part, what `named` finds, else the `fallback` keyword.
    fn child(
        &self,
        store: &'s SchemaStore,
        fallback: &str,
        named: impl Fn(&'s Map<String, Value>) -> Option<&'s Value>,
    ) -> Option<View<'s>> {
        let mut view = View {
            parts: SmallVec::new(),
        };
        for obj in self.parts.iter().copied().filter_map(Value::as_object) {
            if let Some(s) = named(obj).or_else(|| obj.get(fallback)) {
                view.add(store, s, 0);
            }
        }
        (!view.is_empty()).then_some(view)
    }

    /// The types every part allows (0: no preference).
    pub(crate) fn types(&self) -> u8 {
        self.parts
            .iter()
            .filter_map(|part| part.as_object())
            .fold(0, |acc, obj| both(acc, declared_types(obj)))
    }
}

/// The types of an optional view (0 without one).
fn types_of(view: Option<&View<'_>>) -> u8 {
    view.map_or(0, View::types)
}

// ---------------------------------------------------------------------------------------------
// Placing text where a schema position wants a type (templates)

/// Text (from the request or a dynamic variable) as the type the schema wants at `view`; as a
/// string wherever a string is allowed, and when no wanted type can read it.
pub(crate) fn text_value<'s>(s: &str, view: Option<&View<'s>>, store: &'s SchemaStore) -> Value {
    let types = types_of(view);
    if types == 0 || types & T_STR != 0 {
        return Value::String(s.to_string());
    }
    let t = s.trim();
    if let Some(v) = scalar(t, types) {
        return v;
    }
    if types & T_BOOL != 0 {
        if t.eq_ignore_ascii_case("true") {
            return Value::Bool(true);
        }
        if t.eq_ignore_ascii_case("false") {
            return Value::Bool(false);
        }
    }
    if types & T_NULL != 0 && t.is_empty() {
        return Value::Null;
    }
    if types & T_ARR != 0 {
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
                    text_value(item, child.as_ref(), store)
                })
                .collect(),
        );
    }
    if types & T_OBJ != 0 && t.starts_with('{') {
        if let Ok(v @ Value::Object(_)) = serde_json::from_str::<Value>(t) {
            return v;
        }
    }
    Value::String(s.to_string())
}

/// Several texts (a repeated query parameter): an array of typed items where the schema wants
/// an array and no string, else the first text alone. `items` is not empty.
pub(crate) fn list_value<'s, S: AsRef<str>>(
    items: &[S],
    view: Option<&View<'s>>,
    store: &'s SchemaStore,
) -> Value {
    let types = types_of(view);
    if types & T_ARR != 0 && types & T_STR == 0 {
        return Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let child = view.and_then(|v| v.item(store, i));
                    text_value(s.as_ref(), child.as_ref(), store)
                })
                .collect(),
        );
    }
    match items.first() {
        Some(first) => text_value(first.as_ref(), view, store),
        None => Value::Null,
    }
}

/// A JSON value (from the request body) as the type the schema wants: kept when the schema
/// allows its type, text read as above, other values as text where only a string will do.
pub(crate) fn json_value<'s>(v: &Value, view: Option<&View<'s>>, store: &'s SchemaStore) -> Value {
    let types = types_of(view);
    if types == 0 || admits(types, v) {
        return v.clone();
    }
    match v {
        Value::String(s) => text_value(s, view, store),
        Value::Null => Value::Null,
        _ if types & T_STR != 0 => Value::String(inline_text(v)),
        _ => v.clone(),
    }
}

/// A JSON value as text inside a larger string: strings as they are, `null` as nothing,
/// numbers and booleans as written, arrays and objects as compact JSON.
pub(crate) fn inline_text(v: &Value) -> String {
    let mut out = String::new();
    push_inline_text(&mut out, v);
    out
}

/// [`inline_text`], appended to `out`.
pub(crate) fn push_inline_text(out: &mut String, v: &Value) {
    use std::fmt::Write as _;
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

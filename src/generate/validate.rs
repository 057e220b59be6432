//! A small, allocation-light JSON Schema checker for the generator's own decisions.
//!
//! The generator must often ask "does this value satisfy that subschema?": whether an example
//! or enum member fits the other constraints, whether a `oneOf` result also matches a second
//! branch, whether a `not` or `if` matches. Subschemas have no id in the store, so the
//! `jsonschema` validator cannot be used for them without compiling a validator per question.
//! This checker covers the 2020-12 assertion keywords the generator relies on, with the same
//! semantics as `jsonschema` (including its decimal reading of `multipleOf`, its regex
//! dialect and, like the store's validator, asserted `format`s); `unevaluated*` are
//! approximated. The final word is always `SchemaStore::check` in [`super::generate`].

use super::kw::{as_array, as_f64, as_object, as_u64, is_true, Kw};
use super::{format, pattern};
use crate::schema::SchemaStore;
use serde_json::{Map, Number, Value};

/// How deep the checker follows schemas before answering "no"; guards `$ref` cycles that make
/// no progress through the instance.
const MAX_DEPTH: usize = 256;

/// Whether `instance` satisfies `schema`.
pub(crate) fn is_valid(store: &SchemaStore, schema: &Value, instance: &Value) -> bool {
    Checker {
        store,
        member_of: 0,
    }
    .valid(schema, instance, 0)
}

/// Whether `instance` satisfies the schema object whose keywords are `kw`, skipping its `$ref`
/// and `allOf` (the generator checks those separately as parts of the same conjunction). Where
/// `instance` is a member of the `enum` array at address `member_of` (0: none), that array's
/// own check (which a member passes) is skipped too.
pub(crate) fn is_valid_kw_member(
    store: &SchemaStore,
    kw: &Kw<'_>,
    instance: &Value,
    member_of: usize,
) -> bool {
    Checker { store, member_of }.valid_kw(kw, instance, 1, true)
}

struct Checker<'s> {
    store: &'s SchemaStore,
    /// Address of an `enum` array the instance is a member of (0: none).
    member_of: usize,
}

impl Checker<'_> {
    fn valid(&self, schema: &Value, inst: &Value, depth: usize) -> bool {
        match schema {
            Value::Bool(b) => *b,
            Value::Object(map) => self.valid_map(map, inst, depth, false),
            // Not a schema: `jsonschema` would refuse it; nothing can be said to match it.
            _ => false,
        }
    }

    fn valid_map(&self, m: &Map<String, Value>, inst: &Value, depth: usize, shallow: bool) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        if m.is_empty() {
            return true;
        }
        let kw = Kw::scan(m);
        self.valid_kw(&kw, inst, depth + 1, shallow)
    }

    fn valid_kw(&self, kw: &Kw<'_>, inst: &Value, d: usize, shallow: bool) -> bool {
        if !shallow {
            if let Some(r) = kw.ref_() {
                match r.as_str().and_then(|r| self.store.resolve(r)) {
                    Some(target) => {
                        if !self.valid(target, inst, d) {
                            return false;
                        }
                    }
                    None => return false,
                }
            }
            if let Some(all) = as_array(kw.all_of()) {
                if !all.iter().all(|s| self.valid(s, inst, d)) {
                    return false;
                }
            }
        }
        if let Some(t) = kw.type_() {
            if !type_matches(t, inst) {
                return false;
            }
        }
        if let Some(c) = kw.const_() {
            if !json_eq(c, inst) {
                return false;
            }
        }
        if let Some(e) = as_array(kw.enum_()) {
            if super::addr(e) != self.member_of && !e.iter().any(|v| json_eq(v, inst)) {
                return false;
            }
        }
        if kw.only_type_enum_const() {
            // Nothing else to check (most parts that hold an `enum`).
            return true;
        }
        let ok = match inst {
            Value::Number(n) => number_ok(kw, n),
            Value::String(s) => string_ok(kw, s),
            Value::Array(items) => self.array_ok(kw, items, d),
            Value::Object(obj) => self.object_ok(kw, obj, d),
            _ => true,
        };
        if !ok {
            return false;
        }
        if let Some(any) = as_array(kw.any_of()) {
            if !any.iter().any(|s| self.valid(s, inst, d)) {
                return false;
            }
        }
        if let Some(one) = as_array(kw.one_of()) {
            let mut hits = 0;
            for s in one {
                if self.valid(s, inst, d) {
                    hits += 1;
                    if hits > 1 {
                        return false;
                    }
                }
            }
            if hits != 1 {
                return false;
            }
        }
        if let Some(not) = kw.not() {
            if self.valid(not, inst, d) {
                return false;
            }
        }
        if let Some(cond) = kw.if_() {
            let branch = if self.valid(cond, inst, d) {
                kw.then()
            } else {
                kw.else_()
            };
            if let Some(b) = branch {
                if !self.valid(b, inst, d) {
                    return false;
                }
            }
        }
        true
    }

    fn array_ok(&self, kw: &Kw<'_>, items: &[Value], d: usize) -> bool {
        let len = items.len() as u64;
        if as_u64(kw.min_items()).is_some_and(|n| len < n)
            || as_u64(kw.max_items()).is_some_and(|n| len > n)
        {
            return false;
        }
        let mut prefix_len = 0;
        if let Some(prefix) = as_array(kw.prefix_items()) {
            prefix_len = prefix.len();
            if !prefix.iter().zip(items).all(|(s, v)| self.valid(s, v, d)) {
                return false;
            }
        }
        match kw.items() {
            // Draft 4–2019 tuple form, accepted for robustness.
            Some(Value::Array(tuple)) => {
                prefix_len = tuple.len();
                if !tuple.iter().zip(items).all(|(s, v)| self.valid(s, v, d)) {
                    return false;
                }
                if let Some(extra) = kw.additional_items() {
                    if !items
                        .iter()
                        .skip(prefix_len)
                        .all(|v| self.valid(extra, v, d))
                    {
                        return false;
                    }
                }
            }
            Some(s) => {
                if !items.iter().skip(prefix_len).all(|v| self.valid(s, v, d)) {
                    return false;
                }
                prefix_len = items.len();
            }
            None => {}
        }
        if let Some(contains) = kw.contains() {
            let hits = items.iter().filter(|v| self.valid(contains, v, d)).count() as u64;
            let min = as_u64(kw.min_contains()).unwrap_or(1);
            if hits < min || as_u64(kw.max_contains()).is_some_and(|max| hits > max) {
                return false;
            }
        }
        if is_true(kw.unique_items()) && !all_unique(items) {
            return false;
        }
        if let Some(uneval) = kw.unevaluated_items() {
            let covered = self.covered_items(kw, items, d, 0).max(prefix_len);
            if !items.iter().skip(covered).all(|v| self.valid(uneval, v, d)) {
                return false;
            }
        }
        true
    }

    /// How many leading items are "evaluated" by a schema and its in-place applicators
    /// (approximation of `unevaluatedItems`).
    fn covered_items(&self, kw: &Kw<'_>, items: &[Value], d: usize, hops: usize) -> usize {
        if hops > 16 {
            return 0;
        }
        let mut covered = 0;
        if let Some(p) = as_array(kw.prefix_items()) {
            covered = covered.max(p.len());
        }
        match kw.items() {
            Some(Value::Array(t)) => covered = covered.max(t.len()),
            Some(_) => return items.len(),
            None => {}
        }
        let sub = |s: &Value, covered: &mut usize| {
            if let Some(sm) = s.as_object() {
                let skw = Kw::scan(sm);
                *covered = (*covered).max(self.covered_items(&skw, items, d, hops + 1));
            }
        };
        if let Some(target) = kw
            .ref_()
            .and_then(Value::as_str)
            .and_then(|r| self.store.resolve(r))
        {
            sub(target, &mut covered);
        }
        if let Some(all) = as_array(kw.all_of()) {
            for s in all {
                sub(s, &mut covered);
            }
        }
        for list in [as_array(kw.any_of()), as_array(kw.one_of())]
            .into_iter()
            .flatten()
        {
            let arr = Value::Array(items.to_vec());
            for s in list {
                if self.valid(s, &arr, d) {
                    sub(s, &mut covered);
                }
            }
        }
        covered
    }

    fn object_ok(&self, kw: &Kw<'_>, obj: &Map<String, Value>, d: usize) -> bool {
        let len = obj.len() as u64;
        if as_u64(kw.min_properties()).is_some_and(|n| len < n)
            || as_u64(kw.max_properties()).is_some_and(|n| len > n)
        {
            return false;
        }
        if let Some(req) = as_array(kw.required()) {
            if !req
                .iter()
                .filter_map(Value::as_str)
                .all(|k| obj.contains_key(k))
            {
                return false;
            }
        }
        let props = as_object(kw.properties());
        let patterns = as_object(kw.pattern_properties());
        let additional = kw.additional_properties();
        let names = kw.property_names();
        if props.is_some() || patterns.is_some() || additional.is_some() || names.is_some() {
            for (k, v) in obj {
                let mut matched = false;
                if let Some(s) = props.and_then(|p| p.get(k)) {
                    matched = true;
                    if !self.valid(s, v, d) {
                        return false;
                    }
                }
                if let Some(pp) = patterns {
                    for (pat, s) in pp {
                        if pattern::is_match(pat, k) {
                            matched = true;
                            if !self.valid(s, v, d) {
                                return false;
                            }
                        }
                    }
                }
                if !matched {
                    if let Some(a) = additional {
                        if !self.valid(a, v, d) {
                            return false;
                        }
                    }
                }
                if let Some(n) = names {
                    if !self.valid(n, &Value::String(k.clone()), d) {
                        return false;
                    }
                }
            }
        }
        if let Some(dep) = as_object(kw.dependent_required()) {
            for (k, needs) in dep {
                if obj.contains_key(k) {
                    if let Some(needs) = needs.as_array() {
                        if !needs
                            .iter()
                            .filter_map(Value::as_str)
                            .all(|n| obj.contains_key(n))
                        {
                            return false;
                        }
                    }
                }
            }
        }
        if let Some(dep) = as_object(kw.dependent_schemas()) {
            let whole = Value::Object(obj.clone());
            for (k, s) in dep {
                if obj.contains_key(k) && !self.valid(s, &whole, d) {
                    return false;
                }
            }
        }
        if let Some(uneval) = kw.unevaluated_properties() {
            if additional.is_none() {
                let whole = Value::Object(obj.clone());
                let mut seen: Vec<String> = Vec::new();
                let mut all = false;
                self.evaluated_names(kw, &whole, d, 0, &mut seen, &mut all);
                if !all {
                    for (k, v) in obj {
                        if !seen.iter().any(|n| n == k) && !self.valid(uneval, v, d) {
                            return false;
                        }
                    }
                }
            }
        }
        true
    }

    /// Collects the property names a schema and its in-place applicators evaluate
    /// (approximation of `unevaluatedProperties`); `all` is set when some
    /// `additionalProperties` covers the rest.
    fn evaluated_names(
        &self,
        kw: &Kw<'_>,
        inst: &Value,
        d: usize,
        hops: usize,
        seen: &mut Vec<String>,
        all: &mut bool,
    ) {
        if hops > 16 || *all {
            return;
        }
        let Some(obj) = inst.as_object() else { return };
        if hops > 0
            && (kw.additional_properties().is_some() || kw.unevaluated_properties().is_some())
        {
            *all = true;
            return;
        }
        if let Some(p) = as_object(kw.properties()) {
            seen.extend(p.keys().cloned());
        }
        if let Some(pp) = as_object(kw.pattern_properties()) {
            for k in obj.keys() {
                if pp.keys().any(|pat| pattern::is_match(pat, k)) {
                    seen.push(k.clone());
                }
            }
        }
        let visit = |s: &Value, seen: &mut Vec<String>, all: &mut bool| {
            if let Some(sm) = s.as_object() {
                self.evaluated_names(&Kw::scan(sm), inst, d, hops + 1, seen, all);
            }
        };
        if let Some(target) = kw
            .ref_()
            .and_then(Value::as_str)
            .and_then(|r| self.store.resolve(r))
        {
            visit(target, seen, all);
        }
        if let Some(list) = as_array(kw.all_of()) {
            for s in list {
                visit(s, seen, all);
            }
        }
        for list in [as_array(kw.any_of()), as_array(kw.one_of())]
            .into_iter()
            .flatten()
        {
            for s in list {
                if self.valid(s, inst, d) {
                    visit(s, seen, all);
                }
            }
        }
        if let Some(cond) = kw.if_() {
            let branch = if self.valid(cond, inst, d) {
                visit(cond, seen, all);
                kw.then()
            } else {
                kw.else_()
            };
            if let Some(b) = branch {
                visit(b, seen, all);
            }
        }
        if let Some(dep) = as_object(kw.dependent_schemas()) {
            for (k, s) in dep {
                if obj.contains_key(k) {
                    visit(s, seen, all);
                }
            }
        }
    }
}

fn number_ok(kw: &Kw<'_>, n: &Number) -> bool {
    let Some(x) = n.as_f64() else { return true };
    if as_f64(kw.minimum()).is_some_and(|b| x < b)
        || as_f64(kw.maximum()).is_some_and(|b| x > b)
        || as_f64(kw.exclusive_minimum()).is_some_and(|b| x <= b)
        || as_f64(kw.exclusive_maximum()).is_some_and(|b| x >= b)
    {
        return false;
    }
    match as_f64(kw.multiple_of()) {
        Some(mult) => is_multiple_of(n, mult),
        None => true,
    }
}

fn string_ok(kw: &Kw<'_>, s: &str) -> bool {
    let min = as_u64(kw.min_length());
    let max = as_u64(kw.max_length());
    if min.is_some() || max.is_some() {
        let len = s.chars().count() as u64;
        if min.is_some_and(|n| len < n) || max.is_some_and(|n| len > n) {
            return false;
        }
    }
    if let Some(p) = kw.pattern().and_then(Value::as_str) {
        if !pattern::is_match(p, s) {
            return false;
        }
    }
    match kw.format().and_then(Value::as_str) {
        Some(f) => format::is_valid(f, s),
        None => true,
    }
}

/// Whether the JSON `type` keyword `t` admits `inst`. Unknown type names admit nothing.
pub(crate) fn type_matches(t: &Value, inst: &Value) -> bool {
    match t {
        Value::String(name) => type_name_matches(name, inst),
        Value::Array(names) => names
            .iter()
            .any(|n| n.as_str().is_some_and(|n| type_name_matches(n, inst))),
        _ => false,
    }
}

fn type_name_matches(name: &str, inst: &Value) -> bool {
    match (name, inst) {
        ("null", Value::Null)
        | ("boolean", Value::Bool(_))
        | ("string", Value::String(_))
        | ("array", Value::Array(_))
        | ("object", Value::Object(_))
        | ("number", Value::Number(_)) => true,
        ("integer", Value::Number(n)) => is_integer(n),
        _ => false,
    }
}

pub(crate) fn is_integer(n: &Number) -> bool {
    n.is_i64()
        || n.is_u64()
        || n.as_f64()
            .is_some_and(|f| f.is_finite() && f.fract() == 0.0)
}

/// JSON equality as JSON Schema defines it: numbers compare by value (`1 == 1.0`).
pub(crate) fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => num_eq(x, y),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_eq(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

fn num_eq(x: &Number, y: &Number) -> bool {
    if let (Some(a), Some(b)) = (x.as_i64(), y.as_i64()) {
        return a == b;
    }
    if let (Some(a), Some(b)) = (x.as_u64(), y.as_u64()) {
        return a == b;
    }
    x.as_f64() == y.as_f64()
}

/// Whether no two items are equal (quadratic, which is fine for generated arrays).
pub(crate) fn all_unique(items: &[Value]) -> bool {
    for (i, a) in items.iter().enumerate() {
        if items[i + 1..].iter().any(|b| json_eq(a, b)) {
            return false;
        }
    }
    true
}

/// `multipleOf` as `jsonschema` decides it: exact integer arithmetic where both sides are
/// integers, else the exact decimal reading of both numbers' shortest representations.
pub(crate) fn is_multiple_of(n: &Number, mult: f64) -> bool {
    if !(mult.is_finite() && mult > 0.0) {
        return false;
    }
    if mult.fract() == 0.0 && mult <= 9_007_199_254_740_992.0 {
        if let Some(v) = n.as_u64() {
            return v % (mult as u64) == 0;
        }
        if let Some(v) = n.as_i64() {
            return v % (mult as i64) == 0;
        }
    }
    let Some(x) = n.as_f64() else { return false };
    if x == 0.0 {
        return true;
    }
    if x.abs() < mult {
        return false;
    }
    match (decimal_parts(x), decimal_parts(mult)) {
        (Some((xm, xd)), Some((mm, md))) if mm != 0 => {
            let shared = xd.min(md);
            let scale = |mant: i128, places: i32| -> Option<i128> {
                mant.checked_mul(10_i128.checked_pow(u32::try_from(places - shared).ok()?)?)
            };
            match (scale(xm, md), scale(mm, xd)) {
                (Some(a), Some(b)) if b != 0 => a % b == 0,
                _ => (x / mult).fract() == 0.0,
            }
        }
        _ => (x / mult).fract() == 0.0,
    }
}

/// `x` as `mantissa × 10^-decimals` from its shortest round-trip representation.
pub(crate) fn decimal_parts(x: f64) -> Option<(i128, i32)> {
    if !x.is_finite() {
        return None;
    }
    // Formatted on the stack: this runs for every `multipleOf` check.
    let mut buf = StackText::default();
    std::fmt::Write::write_fmt(&mut buf, format_args!("{x:e}")).ok()?;
    let text = buf.as_str();
    let (mantissa, exponent) = text.split_once('e')?;
    let exponent: i32 = exponent.parse().ok()?;
    let negative = mantissa.starts_with('-');
    let mantissa = mantissa.trim_start_matches('-');
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let mut value: i128 = 0;
    for b in int_part.bytes().chain(frac_part.bytes()) {
        value = value
            .checked_mul(10)?
            .checked_add(i128::from(b.checked_sub(b'0')?))?;
    }
    let decimals = frac_part.len() as i32 - exponent;
    Some((if negative { -value } else { value }, decimals))
}

/// A small fixed buffer for formatting numbers without allocating.
#[derive(Default)]
struct StackText {
    buf: [u8; 32],
    len: usize,
}

impl StackText {
    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or("")
    }
}

impl std::fmt::Write for StackText {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        if end > self.buf.len() {
            return Err(std::fmt::Error);
        }
        self.buf[self.len..end].copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn num(v: Value) -> Number {
        match v {
            Value::Number(n) => n,
            _ => unreachable!(),
        }
    }

    #[test]
    fn multiple_of_uses_decimal_reading() {
        assert!(is_multiple_of(&num(json!(0.3)), 0.1));
        assert!(is_multiple_of(&num(json!(19.99)), 0.01));
        assert!(!is_multiple_of(&num(json!(0.305)), 0.01));
        assert!(is_multiple_of(&num(json!(15)), 5.0));
        assert!(!is_multiple_of(&num(json!(16)), 5.0));
        assert!(is_multiple_of(&num(json!(0)), 0.7));
        assert!(is_multiple_of(&num(json!(1e20)), 1e3));
    }

    #[test]
    fn checks_core_keywords() {
        let store = SchemaStore::from_defs([(
            "A",
            json!({"type": "object", "required": ["a"], "properties": {"a": {"type": "integer"}}}),
        )]);
        let s = json!({"$ref": "#/$defs/A", "oneOf": [{"required": ["b"]}, {"required": ["c"]}]});
        assert!(is_valid(&store, &s, &json!({"a": 1, "b": 2})));
        assert!(!is_valid(&store, &s, &json!({"a": 1, "b": 2, "c": 3})));
        assert!(!is_valid(&store, &s, &json!({"a": "x", "b": 2})));
        let u = json!({"properties": {"a": true}, "unevaluatedProperties": false});
        assert!(is_valid(&store, &u, &json!({"a": 1})));
        assert!(!is_valid(&store, &u, &json!({"b": 1})));
        assert!(is_valid(&store, &json!({"enum": [1.0]}), &json!(1)));
        assert!(!is_valid(
            &store,
            &json!({"uniqueItems": true}),
            &json!([1, 1.0])
        ));
    }
}

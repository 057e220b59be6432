//! Schema inference: JSON samples in, one JSON Schema 2020-12 that every sample satisfies.
//!
//! Written for recorded traffic (HAR) and reusable by anything that has example values (a
//! recording proxy, Postman collections). The rules, chosen so that every sample validates
//! against the result under format assertion:
//!
//! - **Types.** One `type` per kind seen; a `type` array when kinds differ, in the order
//!   object, array, string, integer/number, boolean, null (`["string", "null"]`). Numbers are
//!   `integer` when every one is an integer literal, else `number` (which covers both).
//! - **Objects.** `properties` in first-seen key order, each inferred from the values seen
//!   under that key; `required` lists the keys present in every object sample. Objects whose
//!   keys are all identifiers (digits or UUIDs) are maps: `additionalProperties` instead.
//! - **Arrays.** `items` inferred from all elements of all array samples together.
//! - **Formats.** A string `format` when every string sample has it, tried in the order
//!   `uuid`, `date-time`, `date`, `email`, `ipv4`, `uri` (http/https/ftp URLs only); each
//!   candidate is confirmed with the same format checker the validator uses.
//! - **Enums.** Strings without a format become an `enum` when they were seen at least 3
//!   times ([`ENUM_MIN_SAMPLES`]), took at most 5 distinct values ([`ENUM_MAX_VALUES`]), each
//!   value was seen at least twice and is at most 40 characters long, and strings (plus null)
//!   are the only kinds seen; `null` joins the enum when it was seen.
//! - **Depth.** Below [`MAX_DEPTH`] levels of nesting the schema is `{}` (anything).

use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::sync::OnceLock;

/// Levels of nesting inferred; deeper values get the schema `{}`.
pub const MAX_DEPTH: usize = 12;
/// Fewest string samples for an `enum`.
pub const ENUM_MIN_SAMPLES: usize = 3;
/// Most distinct values of an `enum`.
pub const ENUM_MAX_VALUES: usize = 5;
/// Times each value must have been seen for an `enum`.
pub const ENUM_MIN_REPEAT: usize = 2;
/// Longest string an `enum` may hold: longer ones are text, not codes.
pub const ENUM_MAX_LEN: usize = 40;

/// Infers one schema that all `samples` satisfy. No samples: `{}`.
pub fn infer(samples: &[&Value]) -> Value {
    infer_at(samples, 0)
}

fn infer_at(samples: &[&Value], depth: usize) -> Value {
    if samples.is_empty() || depth >= MAX_DEPTH {
        return json!({});
    }
    let mut objects: Vec<&Map<String, Value>> = Vec::new();
    let mut arrays: Vec<&Vec<Value>> = Vec::new();
    let mut strings: Vec<&str> = Vec::new();
    let mut numbers = 0usize;
    let mut integers = 0usize;
    let mut booleans = 0usize;
    let mut nulls = 0usize;
    for v in samples {
        match v {
            Value::Object(m) => objects.push(m),
            Value::Array(a) => arrays.push(a),
            Value::String(s) => strings.push(s),
            Value::Number(n) => {
                numbers += 1;
                if n.is_i64() || n.is_u64() {
                    integers += 1;
                }
            }
            Value::Bool(_) => booleans += 1,
            Value::Null => nulls += 1,
        }
    }
    let mut types: Vec<&str> = Vec::new();
    if !objects.is_empty() {
        types.push("object");
    }
    if !arrays.is_empty() {
        types.push("array");
    }
    if !strings.is_empty() {
        types.push("string");
    }
    if numbers > 0 {
        types.push(if integers == numbers {
            "integer"
        } else {
            "number"
        });
    }
    if booleans > 0 {
        types.push("boolean");
    }
    if nulls > 0 {
        types.push("null");
    }
    let mut schema = Map::new();
    schema.insert(
        "type".into(),
        if types.len() == 1 {
            Value::String(types[0].into())
        } else {
            Value::Array(types.iter().map(|t| Value::String((*t).into())).collect())
        },
    );
    if !objects.is_empty() {
        object_keywords(&objects, depth, &mut schema);
    }
    if !arrays.is_empty() {
        let elements: Vec<&Value> = arrays.iter().flat_map(|a| a.iter()).collect();
        if !elements.is_empty() {
            schema.insert("items".into(), infer_at(&elements, depth + 1));
        }
    }
    if !strings.is_empty() {
        if let Some(f) = common_format(&strings) {
            schema.insert("format".into(), Value::String(f.into()));
        } else if types.iter().all(|t| *t == "string" || *t == "null") {
            if let Some(mut values) = enum_values(&strings) {
                if nulls > 0 {
                    values.push(Value::Null);
                }
                schema.insert("enum".into(), Value::Array(values));
            }
        }
    }
    Value::Object(schema)
}

fn object_keywords(objects: &[&Map<String, Value>], depth: usize, schema: &mut Map<String, Value>) {
    // Keys in first-seen order, with every value seen under each.
    let mut keys: Vec<(&str, Vec<&Value>)> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for m in objects {
        for (k, v) in m.iter() {
            match index.get(k.as_str()) {
                Some(&i) => keys[i].1.push(v),
                None => {
                    index.insert(k.as_str(), keys.len());
                    keys.push((k.as_str(), vec![v]));
                }
            }
        }
    }
    if keys.is_empty() {
        return;
    }
    if keys.iter().all(|(k, _)| is_identifier(k)) {
        let values: Vec<&Value> = keys.iter().flat_map(|(_, vs)| vs.iter().copied()).collect();
        schema.insert("additionalProperties".into(), infer_at(&values, depth + 1));
        return;
    }
    let mut properties = Map::new();
    let mut required = Vec::new();
    for (k, vs) in &keys {
        properties.insert((*k).to_string(), infer_at(vs, depth + 1));
        if vs.len() == objects.len() {
            required.push(Value::String((*k).to_string()));
        }
    }
    schema.insert("properties".into(), Value::Object(properties));
    if !required.is_empty() {
        schema.insert("required".into(), Value::Array(required));
    }
}

/// Map keys that are data, not field names: all digits, or a UUID.
fn is_identifier(k: &str) -> bool {
    (!k.is_empty() && k.bytes().all(|b| b.is_ascii_digit())) || is_uuid(k)
}

/// `8-4-4-4-12` hexadecimal digits.
pub fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

fn enum_values(strings: &[&str]) -> Option<Vec<Value>> {
    if strings.len() < ENUM_MIN_SAMPLES {
        return None;
    }
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for s in strings {
        if s.chars().count() > ENUM_MAX_LEN {
            return None;
        }
        match counts.iter_mut().find(|(x, _)| x == s) {
            Some((_, n)) => *n += 1,
            None => {
                if counts.len() == ENUM_MAX_VALUES {
                    return None;
                }
                counts.push((s, 1));
            }
        }
    }
    if counts.iter().any(|(_, n)| *n < ENUM_MIN_REPEAT) {
        return None;
    }
    Some(
        counts
            .into_iter()
            .map(|(s, _)| Value::String(s.to_string()))
            .collect(),
    )
}

/// A cheap test of a string's shape before the format checker runs.
type Shape = fn(&str) -> bool;

/// The formats detected, in the order they are tried, with a cheap shape test each.
const FORMATS: &[(&str, Shape)] = &[
    ("uuid", is_uuid),
    ("date-time", looks_like_date_time),
    ("date", looks_like_date),
    ("email", looks_like_email),
    ("ipv4", looks_like_ipv4),
    ("uri", looks_like_url),
];

fn common_format(strings: &[&str]) -> Option<&'static str> {
    FORMATS.iter().enumerate().find_map(|(i, (name, shape))| {
        strings
            .iter()
            .all(|s| shape(s) && format_checker(i).is_valid(&Value::String((*s).to_string())))
            .then_some(*name)
    })
}

/// The validator's own checker for `FORMATS[i]`, compiled once: a string called `date-time`
/// here is one the mock's validator accepts as such.
fn format_checker(i: usize) -> &'static jsonschema::Validator {
    static CHECKERS: OnceLock<Vec<jsonschema::Validator>> = OnceLock::new();
    &CHECKERS.get_or_init(|| {
        FORMATS
            .iter()
            .map(|(name, _)| {
                jsonschema::options()
                    .with_draft(jsonschema::Draft::Draft202012)
                    .should_validate_formats(true)
                    .build(&json!({"type": "string", "format": name}))
                    .expect("a format schema compiles")
            })
            .collect()
    })[i]
}

fn digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn looks_like_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && s.is_ascii()
        && b[4] == b'-'
        && b[7] == b'-'
        && digits(&s[..4])
        && digits(&s[5..7])
        && digits(&s[8..])
}

fn looks_like_date_time(s: &str) -> bool {
    s.len() > 19
        && s.is_char_boundary(10)
        && looks_like_date(&s[..10])
        && matches!(s.as_bytes()[10], b'T' | b't')
}

fn looks_like_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.contains(char::is_whitespace)
                && !domain.contains('@')
        }
        None => false,
    }
}

fn looks_like_ipv4(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() == 4 && parts.iter().all(|p| p.len() <= 3 && digits(p))
}

fn looks_like_url(s: &str) -> bool {
    let lower = s.get(..8).unwrap_or(s).to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("ftp://"))
        && !s.contains(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(samples: &[Value]) -> Value {
        let refs: Vec<&Value> = samples.iter().collect();
        infer(&refs)
    }

    #[test]
    fn scalar_types() {
        assert_eq!(of(&[json!("a")]), json!({"type": "string"}));
        assert_eq!(of(&[json!(1), json!(-2)]), json!({"type": "integer"}));
        assert_eq!(of(&[json!(1), json!(2.5)]), json!({"type": "number"}));
        assert_eq!(of(&[json!(true)]), json!({"type": "boolean"}));
        assert_eq!(of(&[json!(null)]), json!({"type": "null"}));
        assert_eq!(of(&[]), json!({}));
    }

    #[test]
    fn differing_kinds_make_a_type_union_with_null_last() {
        assert_eq!(
            of(&[json!(null), json!("x")]),
            json!({"type": ["string", "null"]})
        );
        assert_eq!(
            of(&[json!(1), json!("x"), json!(true)]),
            json!({"type": ["string", "integer", "boolean"]})
        );
        let s = of(&[json!({"a": 1}), json!([1])]);
        assert_eq!(s["type"], json!(["object", "array"]));
        assert_eq!(s["properties"]["a"], json!({"type": "integer"}));
        assert_eq!(s["items"], json!({"type": "integer"}));
    }

    #[test]
    fn string_formats() {
        let f = |v: &[&str]| {
            let vals: Vec<Value> = v.iter().map(|s| json!(s)).collect();
            of(&vals).get("format").cloned()
        };
        assert_eq!(
            f(&["2024-01-15T09:30:00Z", "2023-12-31T23:59:59.123+02:00"]),
            Some(json!("date-time"))
        );
        assert_eq!(f(&["2024-01-15"]), Some(json!("date")));
        assert_eq!(f(&["2024-02-30"]), None, "not a real date");
        assert_eq!(f(&["ada@example.com"]), Some(json!("email")));
        assert_eq!(
            f(&["6f1c2a1e-8f7b-4c1a-9d2e-3b4a5c6d7e8f"]),
            Some(json!("uuid"))
        );
        assert_eq!(f(&["https://example.com/a?b=c"]), Some(json!("uri")));
        assert_eq!(f(&["192.168.0.1"]), Some(json!("ipv4")));
        assert_eq!(f(&["999.1.1.1"]), None);
        assert_eq!(f(&["2024-01-15", "ada@example.com"]), None, "mixed");
        assert_eq!(f(&["urn:isbn:123"]), None, "only web URLs are uris");
        // Nullable strings keep their format.
        let s = of(&[json!("2024-01-15"), json!(null)]);
        assert_eq!(s, json!({"type": ["string", "null"], "format": "date"}));
    }

    #[test]
    fn objects_required_is_keys_in_every_sample_in_first_seen_order() {
        let s = of(&[
            json!({"id": 1, "name": "a", "nick": "x"}),
            json!({"name": "b", "id": 2, "age": 3}),
        ]);
        let keys: Vec<&String> = s["properties"].as_object().unwrap().keys().collect();
        assert_eq!(keys, ["id", "name", "nick", "age"]);
        assert_eq!(s["required"], json!(["id", "name"]));
        assert_eq!(of(&[json!({})]), json!({"type": "object"}));
    }

    #[test]
    fn enums_follow_the_documented_rule() {
        let strs = |v: &[&str]| -> Vec<Value> { v.iter().map(|s| json!(s)).collect() };
        // 4 samples, 2 values, each seen twice: an enum in first-seen order.
        assert_eq!(
            of(&strs(&["user", "admin", "admin", "user"]))["enum"],
            json!(["user", "admin"])
        );
        // A value seen only once: no enum.
        assert!(of(&strs(&["user", "admin", "admin", "guest"]))
            .get("enum")
            .is_none());
        // Too few samples.
        assert!(of(&strs(&["a", "a"])).get("enum").is_none());
        // Too many distinct values.
        let many: Vec<Value> = (0..6)
            .flat_map(|i| [json!(format!("v{i}")), json!(format!("v{i}"))])
            .collect();
        assert!(of(&many).get("enum").is_none());
        // Null joins the enum of a nullable string.
        let s = of(&[
            json!("on"),
            json!("on"),
            json!("off"),
            json!("off"),
            json!(null),
        ]);
        assert_eq!(s["enum"], json!(["on", "off", null]));
        // Mixed with another kind: no enum (it would refuse the numbers).
        let s = of(&[json!("on"), json!("on"), json!("on"), json!(1)]);
        assert!(s.get("enum").is_none());
        // Formatted strings are not enums.
        let s = of(&strs(&["2024-01-01", "2024-01-01", "2024-01-01"]));
        assert!(s.get("enum").is_none());
    }

    #[test]
    fn nested_arrays_of_objects() {
        let s = of(&[
            json!({"orders": [{"id": 1, "items": [{"sku": "a", "qty": 1}]}, {"id": 2, "items": []}]}),
            json!({"orders": [{"id": 3, "note": null, "items": [{"sku": "b", "qty": 2.5}]}]}),
            json!({"orders": []}),
        ]);
        assert_eq!(s["required"], json!(["orders"]));
        let order = &s["properties"]["orders"]["items"];
        assert_eq!(order["type"], "object");
        assert_eq!(order["required"], json!(["id", "items"]));
        assert_eq!(order["properties"]["note"], json!({"type": "null"}));
        let item = &order["properties"]["items"]["items"];
        assert_eq!(item["required"], json!(["sku", "qty"]));
        assert_eq!(item["properties"]["qty"], json!({"type": "number"}));
        // An array never seen with elements has no `items`.
        assert_eq!(of(&[json!([])]), json!({"type": "array"}));
    }

    #[test]
    fn maps_keyed_by_ids_use_additional_properties() {
        let s = of(&[json!({"1": {"n": 1}, "2": {"n": 2}})]);
        assert!(s.get("properties").is_none());
        assert_eq!(s["additionalProperties"]["required"], json!(["n"]));
    }

    #[test]
    fn depth_is_limited() {
        let mut v = json!(1);
        for _ in 0..(MAX_DEPTH + 5) {
            v = json!({ "a": v });
        }
        let mut s = &of(&[v]);
        let mut levels = 0;
        while let Some(next) = s.get("properties").and_then(|p| p.get("a")) {
            s = next;
            levels += 1;
        }
        assert_eq!(levels, MAX_DEPTH);
        assert_eq!(s, &json!({}));
    }

    #[test]
    fn every_sample_validates_against_the_inferred_schema() {
        let samples = [
            json!({"id": 1, "email": "a@b.io", "at": "2024-01-15T09:30:00Z", "role": "x", "tags": ["a"], "m": null}),
            json!({"id": 2, "email": "c@d.io", "at": "2024-01-16T09:30:00+01:00", "role": "x", "tags": [], "m": {"k": 1.5}}),
            json!({"id": 3, "email": null, "at": "2024-01-17T00:00:00Z", "role": "y", "m": {"k": 2}}),
            json!({"id": 4, "role": "y", "at": "2024-01-17T00:00:00Z", "tags": ["b", "c"]}),
        ];
        let s = of(&samples);
        let v = jsonschema::options()
            .should_validate_formats(true)
            .build(&s)
            .unwrap();
        for x in &samples {
            assert!(v.is_valid(x), "{x} against {s}");
        }
        assert_eq!(s["properties"]["role"]["enum"], json!(["x", "y"]));
    }
}

//! OpenAPI's schema dialects converted to JSON Schema 2020-12, one schema object at a time
//! (the loader calls these bottom-up, after sub-schemas are converted).

use serde_json::{Map, Value};

/// OpenAPI 3.0 → 2020-12: `nullable`, boolean `exclusiveMinimum`/`exclusiveMaximum`,
/// Swagger's `x-nullable`. `example` stays: unknown keywords are annotations in 2020-12.
pub fn from_openapi_30(obj: &mut Map<String, Value>) {
    let nullable = matches!(obj.remove("nullable"), Some(Value::Bool(true)))
        | matches!(obj.remove("x-nullable"), Some(Value::Bool(true)));
    if nullable {
        make_nullable(obj);
    }
    from_openapi_31(obj);
}

/// OpenAPI 3.1 schemas are 2020-12 already; only tidy what validators trip over.
pub fn from_openapi_31(obj: &mut Map<String, Value>) {
    // Boolean `exclusiveMinimum`/`exclusiveMaximum` is 3.0's form; 3.1 documents carry it too
    // (OpenAI's does), and 2020-12 validators refuse the whole schema over it.
    for (flag, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if let Some(Value::Bool(exclusive)) = obj.get(flag) {
            let exclusive = *exclusive;
            obj.remove(flag);
            if exclusive {
                if let Some(b) = obj.remove(bound) {
                    obj.insert(flag.into(), b);
                }
            }
        }
    }

    // A `type` that is not a string or array of strings would make the validator refuse to
    // compile; an unknown type name likewise. Drop it (the loader warns elsewhere).
    if let Some(t) = obj.get("type") {
        let ok = match t {
            Value::String(s) => is_type_name(s),
            Value::Array(a) => a.iter().all(|x| x.as_str().is_some_and(is_type_name)),
            _ => false,
        };
        if !ok {
            obj.remove("type");
        }
    }
    integer_format_bounds(obj);
    // `required: true` (a Swagger-ism inside properties) is not valid 2020-12, and a name
    // listed twice (OpenAI's spec does it) confuses validators.
    match obj.get_mut("required") {
        Some(Value::Array(names)) => {
            let mut seen = Vec::with_capacity(names.len());
            names.retain(|n| {
                if seen.contains(n) {
                    false
                } else {
                    seen.push(n.clone());
                    true
                }
            });
        }
        Some(_) => {
            obj.remove("required");
        }
        None => {}
    }
}

/// OpenAPI's `int32`/`int64` formats are ranges; JSON Schema validators ignore unknown
/// formats on numbers, so the range becomes `minimum`/`maximum` (the tighter bound wins).
fn integer_format_bounds(obj: &mut Map<String, Value>) {
    let (lo, hi): (i64, i64) = match obj.get("format").and_then(Value::as_str) {
        Some("int32") => (i32::MIN as i64, i32::MAX as i64),
        Some("int64") => (i64::MIN, i64::MAX),
        _ => return,
    };
    let integer = match obj.get("type") {
        Some(Value::String(t)) => t == "integer",
        Some(Value::Array(a)) => a.iter().any(|t| t == "integer"),
        _ => false,
    };
    if !integer {
        return;
    }
    let tighter_lo = obj
        .get("minimum")
        .and_then(Value::as_f64)
        .is_some_and(|m| m >= lo as f64)
        || obj
            .get("exclusiveMinimum")
            .and_then(Value::as_f64)
            .is_some_and(|m| m >= lo as f64);
    if !tighter_lo {
        obj.insert("minimum".into(), Value::from(lo));
    }
    let tighter_hi = obj
        .get("maximum")
        .and_then(Value::as_f64)
        .is_some_and(|m| m <= hi as f64)
        || obj
            .get("exclusiveMaximum")
            .and_then(Value::as_f64)
            .is_some_and(|m| m <= hi as f64);
    if !tighter_hi {
        obj.insert("maximum".into(), Value::from(hi));
    }
}

fn is_type_name(s: &str) -> bool {
    matches!(
        s,
        "string" | "number" | "integer" | "boolean" | "array" | "object" | "null"
    )
}

/// Lets `null` through a schema, keeping every other constraint.
fn make_nullable(obj: &mut Map<String, Value>) {
    match obj.get_mut("type") {
        Some(Value::String(t)) => {
            let t = std::mem::take(t);
            obj.insert(
                "type".into(),
                Value::Array(vec![Value::String(t), Value::String("null".into())]),
            );
        }
        Some(Value::Array(a)) => {
            if !a.iter().any(|x| x == "null") {
                a.push(Value::String("null".into()));
            }
        }
        _ => {
            // No `type`: the constraints may come from `$ref`, `allOf`... Wrap them so null is
            // an alternative rather than something every branch must accept.
            let inner = std::mem::take(obj);
            let mut annotations = Map::new();
            let mut rest = Map::new();
            for (k, v) in inner {
                match k.as_str() {
                    "description" | "title" | "example" | "examples" | "default" | "readOnly"
                    | "writeOnly" | "deprecated" | "xml" | "externalDocs" => {
                        annotations.insert(k, v);
                    }
                    _ => {
                        rest.insert(k, v);
                    }
                }
            }
            *obj = annotations;
            if !rest.is_empty() {
                obj.insert(
                    "anyOf".into(),
                    Value::Array(vec![
                        Value::Object(rest),
                        serde_json::json!({"type": "null"}),
                    ]),
                );
            }
            return;
        }
    }
    if let Some(Value::Array(e)) = obj.get_mut("enum") {
        if !e.iter().any(Value::is_null) {
            e.push(Value::Null);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn conv(v: Value) -> Value {
        let mut m = v.as_object().unwrap().clone();
        from_openapi_30(&mut m);
        Value::Object(m)
    }

    #[test]
    fn nullable_becomes_type_array() {
        assert_eq!(
            conv(json!({"type": "string", "nullable": true, "enum": ["a"]})),
            json!({"type": ["string", "null"], "enum": ["a", null]})
        );
        assert_eq!(
            conv(json!({"type": "string", "nullable": false})),
            json!({"type": "string"})
        );
    }

    #[test]
    fn nullable_ref_is_wrapped() {
        assert_eq!(
            conv(json!({"allOf": [{"$ref": "#/$defs/A"}], "nullable": true, "description": "d"})),
            json!({"description": "d", "anyOf": [{"allOf": [{"$ref": "#/$defs/A"}]}, {"type": "null"}]})
        );
    }

    #[test]
    fn integer_formats_become_bounds() {
        assert_eq!(
            conv(json!({"type": "integer", "format": "int32", "minimum": 1})),
            json!({"type": "integer", "format": "int32", "minimum": 1, "maximum": 2147483647})
        );
        assert_eq!(
            conv(json!({"type": "string", "format": "int64"})),
            json!({"type": "string", "format": "int64"})
        );
    }

    #[test]
    fn boolean_exclusive_bounds() {
        assert_eq!(
            conv(
                json!({"minimum": 1, "exclusiveMinimum": true, "maximum": 5, "exclusiveMaximum": false})
            ),
            json!({"exclusiveMinimum": 1, "maximum": 5})
        );
    }
}

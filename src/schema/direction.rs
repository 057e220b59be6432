//! One store document, adapted to a side of the exchange before its validators are compiled.
//!
//! - `readOnly` properties are not required in requests, `writeOnly` ones not in responses
//!   (OpenAPI 3.0 §4.7.25.5 and 3.1 alike).
//! - In requests, a `oneOf` with a `discriminator` is rewritten to select its branch by the
//!   discriminator value, so a client sending `{"kind": "circle", ...}` hears about what is wrong
//!   with the circle, not that the body matches none of five shapes.

use super::Direction;
use serde_json::{json, Map, Value};
use std::collections::HashSet;

/// Adapts a whole store document (`{"$defs": {...}}`) in place.
pub fn adapt(doc: &mut Value, direction: Direction) {
    let flag = match direction {
        Direction::Request => "readOnly",
        Direction::Response => "writeOnly",
    };
    // Definitions that carry the flag themselves, so `{"$ref": ...}` properties are seen too.
    let flagged: HashSet<String> = doc
        .get("$defs")
        .and_then(Value::as_object)
        .map(|defs| {
            defs.iter()
                .filter(|(_, v)| v.get(flag) == Some(&Value::Bool(true)))
                .map(|(k, _)| format!("#/$defs/{k}"))
                .collect()
        })
        .unwrap_or_default();
    if let Some(Value::Object(defs)) = doc.get_mut("$defs") {
        for def in defs.values_mut() {
            walk(def, flag, &flagged, direction, 0);
        }
    }
}

fn is_flagged(prop: &Value, flag: &str, flagged: &HashSet<String>) -> bool {
    prop.get(flag) == Some(&Value::Bool(true))
        || prop
            .get("$ref")
            .and_then(Value::as_str)
            .is_some_and(|r| flagged.contains(r))
        || prop
            .get("allOf")
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().any(|b| is_flagged(b, flag, flagged)))
}

fn walk(v: &mut Value, flag: &str, flagged: &HashSet<String>, direction: Direction, depth: usize) {
    if depth > 256 {
        return;
    }
    match v {
        Value::Object(obj) => {
            relax_required(obj, flag, flagged);
            if direction == Direction::Request {
                select_by_discriminator(obj);
            }
            for (k, child) in obj.iter_mut() {
                // Examples, defaults and constants are data, not schemas.
                if matches!(
                    k.as_str(),
                    "example" | "examples" | "default" | "const" | "enum"
                ) {
                    continue;
                }
                walk(child, flag, flagged, direction, depth + 1);
            }
        }
        Value::Array(items) => {
            for item in items {
                walk(item, flag, flagged, direction, depth + 1);
            }
        }
        _ => {}
    }
}

fn relax_required(obj: &mut Map<String, Value>, flag: &str, flagged: &HashSet<String>) {
    let Some(Value::Object(props)) = obj.get("properties") else {
        return;
    };
    let drop: Vec<String> = props
        .iter()
        .filter(|(_, p)| is_flagged(p, flag, flagged))
        .map(|(k, _)| k.clone())
        .collect();
    if drop.is_empty() {
        return;
    }
    if let Some(Value::Array(required)) = obj.get_mut("required") {
        required.retain(|r| {
            !r.as_str()
                .is_some_and(|name| drop.iter().any(|d| d == name))
        });
    }
}

/// `oneOf` + `discriminator` → the discriminator is required and one of the known values, and
/// each value selects its branch (`if`/`then` chain).
fn select_by_discriminator(obj: &mut Map<String, Value>) {
    let Some(prop) = obj
        .get("discriminator")
        .and_then(|d| d.get("propertyName"))
        .and_then(Value::as_str)
        .map(str::to_string)
    else {
        return;
    };
    let Some(Value::Array(branches)) = obj.get("oneOf") else {
        return;
    };
    // (value, branch schema): explicit mapping first, then implicit names of `$ref` branches.
    let mut cases: Vec<(String, Value)> = Vec::new();
    if let Some(Value::Object(mapping)) = obj.get("discriminator").and_then(|d| d.get("mapping")) {
        for (value, target) in mapping {
            if let Some(t) = target.as_str() {
                cases.push((value.clone(), json!({ "$ref": t })));
            }
        }
    }
    for b in branches {
        let Some(r) = b.get("$ref").and_then(Value::as_str) else {
            // An inline branch cannot be named by a discriminator value: keep plain oneOf.
            if cases.is_empty() {
                return;
            }
            continue;
        };
        if cases
            .iter()
            .any(|(_, c)| c.get("$ref").and_then(Value::as_str) == Some(r))
        {
            continue;
        }
        if let Some(name) = r.rsplit('/').next() {
            cases.push((super::unescape_pointer_token(name), b.clone()));
        }
    }
    if cases.is_empty() {
        return;
    }
    let values: Vec<Value> = cases
        .iter()
        .map(|(v, _)| Value::String(v.clone()))
        .collect();
    let mut chain = Value::Bool(true);
    for (value, branch) in cases.into_iter().rev() {
        chain = json!({
            "if": { "properties": { prop.clone(): { "const": value } } },
            "then": branch,
            "else": chain,
        });
    }
    obj.remove("oneOf");
    let guard = json!({
        "required": [prop.clone()],
        "properties": { prop: { "enum": values } }
    });
    let mut all = match obj.remove("allOf") {
        Some(Value::Array(a)) => a,
        _ => Vec::new(),
    };
    all.push(guard);
    all.push(chain);
    obj.insert("allOf".into(), Value::Array(all));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_only_is_not_required_in_requests() {
        let mut doc = json!({"$defs": {
            "Id": {"type": "integer", "readOnly": true},
            "Pet": {"type": "object", "required": ["id", "name", "ref", "secret"], "properties": {
                "id": {"type": "integer", "readOnly": true},
                "ref": {"$ref": "#/$defs/Id"},
                "name": {"type": "string"},
                "secret": {"type": "string", "writeOnly": true}
            }}
        }});
        let mut req = doc.clone();
        adapt(&mut req, Direction::Request);
        assert_eq!(req["$defs"]["Pet"]["required"], json!(["name", "secret"]));
        adapt(&mut doc, Direction::Response);
        assert_eq!(
            doc["$defs"]["Pet"]["required"],
            json!(["id", "name", "ref"])
        );
    }

    #[test]
    fn discriminator_selects_the_branch() {
        let mut doc = json!({"$defs": {"Shape": {
            "oneOf": [{"$ref": "#/$defs/Circle"}, {"$ref": "#/$defs/Square"}],
            "discriminator": {"propertyName": "kind", "mapping": {"circle": "#/$defs/Circle"}}
        }}});
        adapt(&mut doc, Direction::Request);
        let shape = &doc["$defs"]["Shape"];
        assert!(shape.get("oneOf").is_none());
        assert_eq!(
            shape["allOf"][0]["properties"]["kind"]["enum"],
            json!(["circle", "Square"])
        );
        assert_eq!(shape["allOf"][1]["then"], json!({"$ref": "#/$defs/Circle"}));
    }
}

//! One store document, adapted to a side of the exchange before its validators are compiled.
//!
//! - `readOnly` properties are not required in requests, `writeOnly` ones not in responses
//!   (OpenAPI 3.0 §4.7.25.5 and 3.1 alike).
//! - In requests, a `oneOf` with a `discriminator` is rewritten to select its branch by the
//!   discriminator value, so a client sending `{"kind": "circle", ...}` hears about what is wrong
//!   with the circle, not that the body matches none of five shapes.

use super::Direction;
use serde_json::{json, Map, Value};
use std::collections::{HashMap, HashSet};

/// Per definition (`#/$defs/Name`), the string values its own properties are limited to
/// (`enum`, `const`): what a discriminator without a `mapping` really carries when the
/// document's branches say so (OpenAI's `role: {enum: [developer]}`), rather than the
/// branches' schema names.
type Declared = HashMap<String, HashMap<String, Vec<String>>>;

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
    let declared: Declared = match (direction, doc.get("$defs").and_then(Value::as_object)) {
        (Direction::Request, Some(defs)) => defs
            .iter()
            .filter_map(|(k, def)| {
                let props = declared_values(def);
                (!props.is_empty()).then(|| (format!("#/$defs/{k}"), props))
            })
            .collect(),
        _ => Declared::new(),
    };
    if let Some(Value::Object(defs)) = doc.get_mut("$defs") {
        for def in defs.values_mut() {
            walk(def, flag, &flagged, &declared, direction, 0);
        }
    }
}

/// The string values a schema's own properties (and those of its `allOf` parts) are limited
/// to by `enum` or `const`.
fn declared_values(def: &Value) -> HashMap<String, Vec<String>> {
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    let parts = std::iter::once(def).chain(
        def.get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten(),
    );
    for part in parts {
        let Some(Value::Object(props)) = part.get("properties") else {
            continue;
        };
        for (name, p) in props {
            let values: Vec<String> = match (p.get("const"), p.get("enum")) {
                (Some(Value::String(c)), _) => vec![c.clone()],
                (_, Some(Value::Array(list))) if list.len() <= 32 => list
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect(),
                _ => continue,
            };
            if !values.is_empty() {
                out.entry(name.clone()).or_default().extend(values);
            }
        }
    }
    out
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

fn walk(
    v: &mut Value,
    flag: &str,
    flagged: &HashSet<String>,
    declared: &Declared,
    direction: Direction,
    depth: usize,
) {
    if depth > 256 {
        return;
    }
    match v {
        Value::Object(obj) => {
            relax_required(obj, flag, flagged);
            if direction == Direction::Request {
                select_by_discriminator(obj, declared);
            }
            for (k, child) in obj.iter_mut() {
                // Examples, defaults and constants are data, not schemas.
                if matches!(
                    k.as_str(),
                    "example" | "examples" | "default" | "const" | "enum"
                ) {
                    continue;
                }
                walk(child, flag, flagged, declared, direction, depth + 1);
            }
        }
        Value::Array(items) => {
            for item in items {
                walk(item, flag, flagged, declared, direction, depth + 1);
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
/// each value selects its branch (`if`/`then` chain). A branch the `mapping` does not name is
/// named by the values its own schema limits the property to, when it does, else by its
/// schema name (OpenAPI's implicit mapping).
fn select_by_discriminator(obj: &mut Map<String, Value>, declared: &Declared) {
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
        match declared.get(r).and_then(|props| props.get(&prop)) {
            Some(values) => {
                for value in values {
                    cases.push((value.clone(), b.clone()));
                }
            }
            None => {
                if let Some(name) = r.rsplit('/').next() {
                    cases.push((super::unescape_pointer_token(name), b.clone()));
                }
            }
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
    fn without_a_mapping_the_branches_own_values_name_them() {
        let mut doc = json!({"$defs": {
            "Msg": {"oneOf": [{"$ref": "#/$defs/Dev"}, {"$ref": "#/$defs/User"}],
                    "discriminator": {"propertyName": "role"}},
            "Dev": {"type": "object", "properties": {"role": {"type": "string", "enum": ["developer"]}}},
            "User": {"type": "object", "properties": {"role": {"const": "user"}, "text": {"type": "string"}}}
        }});
        adapt(&mut doc, Direction::Request);
        let guard = &doc["$defs"]["Msg"]["allOf"][0];
        assert_eq!(
            guard["properties"]["role"]["enum"],
            json!(["developer", "user"])
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

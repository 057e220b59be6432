//! JSON values written as XML, following the schema's `xml` hints (name, attribute, wrapped,
//! prefix/namespace) as OpenAPI describes them.

use crate::schema::{unescape_pointer_token, SchemaId, SchemaStore};
use serde_json::Value;

/// The name of the component a stored schema is, for the root element when the schema has no
/// `xml.name`: `Pet` for `#/components/schemas/Pet` (also `#/definitions/Pet`, `#/$defs/Pet`,
/// a top-level key of a file of schemas, or `pet` for a file that is one schema), following a
/// `$ref` that carries other keywords beside it. `None` for an inline schema: its store key
/// (`pets.get.200`) is an internal name, not the document's.
pub fn component_name(store: &SchemaStore, id: SchemaId) -> Option<String> {
    let mut id = id;
    for _ in 0..8 {
        if let Some(name) = named_by_origin(store.origin(id)) {
            return Some(name);
        }
        // `{$ref: Pet, description: ...}` is still a Pet.
        let key = store
            .get(id)
            .get("$ref")
            .and_then(Value::as_str)?
            .strip_prefix("#/$defs/")?;
        if key.contains('/') {
            return None;
        }
        id = store.id_of_key(&unescape_pointer_token(key))?;
    }
    None
}

/// The component name an origin (`file#/json/pointer`) gives a schema, if it names one.
fn named_by_origin(origin: &str) -> Option<String> {
    let at = origin
        .match_indices('#')
        .map(|(i, _)| i)
        .find(|&i| origin[i + 1..].is_empty() || origin[i + 1..].starts_with('/'))?;
    let (file, pointer) = (&origin[..at], &origin[at + 1..]);
    let tokens: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(unescape_pointer_token)
        .collect();
    let name = match tokens.as_slice() {
        // A file that is one schema: named after the file.
        [] => std::path::Path::new(file)
            .file_stem()?
            .to_str()?
            .split('.')
            .next()?
            .to_string(),
        [c, s, name] if c == "components" && s == "schemas" => name.clone(),
        [d, name] if matches!(d.as_str(), "definitions" | "$defs" | "schemas") => name.clone(),
        // A file of schemas by name.
        [name] if !file.is_empty() && !matches!(name.as_str(), "paths" | "components") => {
            name.clone()
        }
        _ => return None,
    };
    (!name.is_empty()).then_some(name)
}

/// Serialises `value` as an XML document. `root_name` is used when the schema names no element.
pub fn to_xml(
    store: &SchemaStore,
    schema: Option<&Value>,
    value: &Value,
    root_name: &str,
) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let name = schema
        .and_then(|s| xml_hint(store, s, "name"))
        .unwrap_or_else(|| sanitize(root_name));
    element(store, schema, value, &name, &mut out, 0);
    out
}

fn xml_hint(store: &SchemaStore, schema: &Value, key: &str) -> Option<String> {
    let s = store.deref(schema);
    s.get("xml")
        .and_then(|x| x.get(key))
        .and_then(Value::as_str)
        .map(str::to_string)
}

fn xml_flag(store: &SchemaStore, schema: Option<&Value>, key: &str) -> bool {
    schema
        .map(|s| store.deref(s))
        .and_then(|s| s.get("xml"))
        .and_then(|x| x.get(key))
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

fn prop_schema<'a>(
    store: &'a SchemaStore,
    schema: Option<&'a Value>,
    name: &str,
) -> Option<&'a Value> {
    let s = store.deref(schema?);
    if let Some(p) = s.get("properties").and_then(|p| p.get(name)) {
        return Some(p);
    }
    // Properties merged from allOf branches.
    s.get("allOf")?
        .as_array()?
        .iter()
        .find_map(|b| prop_schema(store, Some(b), name))
}

fn items_schema<'a>(store: &'a SchemaStore, schema: Option<&'a Value>) -> Option<&'a Value> {
    store.deref(schema?).get("items")
}

fn element(
    store: &SchemaStore,
    schema: Option<&Value>,
    value: &Value,
    name: &str,
    out: &mut String,
    depth: usize,
) {
    if depth > 64 {
        return;
    }
    match value {
        Value::Object(map) => {
            out.push('<');
            out.push_str(name);
            let mut children = Vec::new();
            for (k, v) in map {
                let ps = prop_schema(store, schema, k);
                if xml_flag(store, ps, "attribute") && !v.is_object() && !v.is_array() {
                    let an = ps
                        .and_then(|s| xml_hint(store, s, "name"))
                        .unwrap_or_else(|| sanitize(k));
                    out.push(' ');
                    out.push_str(&an);
                    out.push_str("=\"");
                    escape(&scalar(v), out);
                    out.push('"');
                } else {
                    children.push((k, v, ps));
                }
            }
            out.push('>');
            for (k, v, ps) in children {
                let en = ps
                    .and_then(|s| xml_hint(store, s, "name"))
                    .unwrap_or_else(|| sanitize(k));
                if let Value::Array(items) = v {
                    let is = items_schema(store, ps);
                    let item_name = is
                        .and_then(|s| xml_hint(store, s, "name"))
                        .unwrap_or_else(|| en.clone());
                    if xml_flag(store, ps, "wrapped") {
                        out.push_str(&format!("<{en}>"));
                        for it in items {
                            element(store, is, it, &item_name, out, depth + 1);
                        }
                        out.push_str(&format!("</{en}>"));
                    } else {
                        for it in items {
                            element(store, is, it, &item_name, out, depth + 1);
                        }
                    }
                } else {
                    element(store, ps, v, &en, out, depth + 1);
                }
            }
            out.push_str("</");
            out.push_str(name);
            out.push('>');
        }
        Value::Array(items) => {
            // A top-level array: a wrapper named after the array, items named after their schema.
            let is = items_schema(store, schema);
            let item_name = is
                .and_then(|s| xml_hint(store, s, "name"))
                .unwrap_or_else(|| "item".to_string());
            out.push_str(&format!("<{name}>"));
            for it in items {
                element(store, is, it, &item_name, out, depth + 1);
            }
            out.push_str(&format!("</{name}>"));
        }
        Value::Null => {
            out.push_str(&format!("<{name}/>"));
        }
        other => {
            out.push_str(&format!("<{name}>"));
            escape(&scalar(other), out);
            out.push_str(&format!("</{name}>"));
        }
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn escape(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t') => {}
            c => out.push(c),
        }
    }
}

/// XML names cannot start with a digit or contain most punctuation.
fn sanitize(name: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '.') {
        s.insert(0, '_');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn root_names_come_from_the_document_never_from_internal_keys() {
        let mut store = SchemaStore::new();
        let mut add = |key: &str, origin: &str, schema: Value| {
            let id = store.reserve(key, origin.to_string());
            store.set(id, schema);
            id
        };
        let object = json!({"type": "object"});
        let pet = add("Pet", "api.yaml#/components/schemas/Pet", object.clone());
        let inline = add(
            "pets.get.200",
            "api.yaml#/paths/~1pets/get/responses/200/content/application~1xml/schema",
            object.clone(),
        );
        let described = add(
            "pets.post.201",
            "api.yaml#/paths/~1pets/post/responses/201/content/application~1xml/schema",
            json!({"$ref": "#/$defs/Pet", "description": "the new pet"}),
        );
        let swagger = add("Order", "swagger.json#/definitions/Order", object.clone());
        let file = add("schema", "schemas/owner.v2.yaml#", object.clone());
        let by_name = add("Tag", "schemas/common.yaml#/Tag", object.clone());
        let deeper = add(
            "Pet.properties.owner",
            "api.yaml#/components/schemas/Pet/properties/owner",
            object,
        );
        assert_eq!(component_name(&store, pet).as_deref(), Some("Pet"));
        assert_eq!(component_name(&store, inline), None);
        assert_eq!(component_name(&store, described).as_deref(), Some("Pet"));
        assert_eq!(component_name(&store, swagger).as_deref(), Some("Order"));
        assert_eq!(component_name(&store, file).as_deref(), Some("owner"));
        assert_eq!(component_name(&store, by_name).as_deref(), Some("Tag"));
        assert_eq!(component_name(&store, deeper), None);
    }

    #[test]
    fn attributes_wrapping_and_names() {
        let store = SchemaStore::from_defs([(
            "Pet",
            json!({"type": "object", "xml": {"name": "pet"}, "properties": {
                "id": {"type": "integer", "xml": {"attribute": true}},
                "name": {"type": "string"},
                "tags": {"type": "array", "xml": {"wrapped": true}, "items": {"type": "string", "xml": {"name": "tag"}}}
            }}),
        )]);
        let schema = json!({"$ref": "#/$defs/Pet"});
        let xml = to_xml(
            &store,
            Some(&schema),
            &json!({"id": 1, "name": "a<b", "tags": ["x", "y"]}),
            "Pet",
        );
        assert!(
            xml.ends_with(
                "<pet id=\"1\"><name>a&lt;b</name><tags><tag>x</tag><tag>y</tag></tags></pet>"
            ),
            "{xml}"
        );
    }
}

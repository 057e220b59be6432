//! `x-stubborn-saved-examples`: saved examples (a request and the response saved with it) in an
//! OpenAPI document. The Postman converter writes them; any document may carry them. One
//! format, read and written here:
//!
//! ```json
//! {"name": "Found", "id": "3c1...", "origin": "c.json#/item/0/response/0",
//!  "request": {"method": "GET", "path": ["cards", ":id"], "variables": {"id": "fool"},
//!              "query": [["lang", "en"]], "headers": [["Accept", "application/json"]],
//!              "body": {"mediaType": "application/json", "text": "{}"}},
//!  "response": {"status": 200, "headers": [["Content-Type", "application/json"]], "body": "{}"}}
//! ```
//!
//! A path segment `:name`, or a whole-segment `{{name}}`, is a variable: it matches any segment.

use super::{describe, LoadError};
use crate::model::{SavedExample, SavedSegment};
use serde_json::{json, Map, Value};

/// Reads the extension's value: an array of saved examples.
pub fn read(v: &Value, file: &str) -> Result<Vec<SavedExample>, LoadError> {
    let pointer = "/x-stubborn-saved-examples";
    let Value::Array(list) = v else {
        return Err(LoadError::new(
            file,
            pointer,
            format!("expected an array of saved examples, found {}", describe(v)),
        ));
    };
    list.iter()
        .enumerate()
        .map(|(i, e)| one(e).map_err(|m| LoadError::new(file, format!("{pointer}/{i}"), m)))
        .collect()
}

fn one(v: &Value) -> Result<SavedExample, String> {
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_string);
    let request = v
        .get("request")
        .ok_or("a saved example needs a `request`")?;
    let response = v
        .get("response")
        .ok_or("a saved example needs a `response`")?;
    let variables = request.get("variables").and_then(Value::as_object);
    let path = match request.get("path") {
        None => Vec::new(),
        Some(Value::Array(segs)) => segs
            .iter()
            .map(|s| {
                let s = s.as_str().ok_or_else(|| {
                    format!("expected path segments as strings, found {}", describe(s))
                })?;
                Ok(segment(s, variables))
            })
            .collect::<Result<_, String>>()?,
        Some(other) => {
            return Err(format!(
                "expected `request.path` as an array of segments, found {}",
                describe(other)
            ))
        }
    };
    let status = match response.get("status") {
        None => 200,
        Some(s) => s
            .as_u64()
            .filter(|c| (100..=599).contains(c))
            .ok_or_else(|| format!("expected a status from 100 to 599, found {}", describe(s)))?
            as u16,
    };
    let body = match request.get("body") {
        None | Some(Value::Null) => None,
        Some(b) => Some((
            text(b.get("mediaType")).unwrap_or_default(),
            text(b.get("text")).unwrap_or_default(),
        )),
    };
    Ok(SavedExample {
        name: text(v.get("name")).unwrap_or_default(),
        id: text(v.get("id")),
        method: text(request.get("method"))
            .unwrap_or_else(|| "GET".into())
            .to_ascii_uppercase(),
        path,
        query: pairs(request.get("query"))?,
        headers: pairs(request.get("headers"))?,
        body,
        status,
        response_headers: pairs(response.get("headers"))?,
        response_body: text(response.get("body")).unwrap_or_default(),
        origin: text(v.get("origin")).unwrap_or_default(),
    })
}

fn segment(s: &str, variables: Option<&Map<String, Value>>) -> SavedSegment {
    let name = s.strip_prefix(':').filter(|n| !n.is_empty()).or_else(|| {
        s.strip_prefix("{{")
            .and_then(|r| r.strip_suffix("}}"))
            .filter(|n| !n.contains('{') && !n.contains('}'))
    });
    match name {
        Some(name) => SavedSegment::Variable {
            name: name.trim().to_string(),
            value: variables
                .and_then(|m| m.get(name.trim()))
                .and_then(Value::as_str)
                .filter(|v| !v.is_empty())
                .map(str::to_string),
        },
        None => SavedSegment::Literal(s.to_string()),
    }
}

fn pairs(v: Option<&Value>) -> Result<Vec<(String, String)>, String> {
    match v {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(list)) => list
            .iter()
            .map(|p| match p.as_array().map(Vec::as_slice) {
                Some([Value::String(k), Value::String(v)]) => Ok((k.clone(), v.clone())),
                _ => Err(format!(
                    "expected [name, value] pairs of strings, found {}",
                    describe(p)
                )),
            })
            .collect(),
        Some(other) => Err(format!(
            "expected [name, value] pairs, found {}",
            describe(other)
        )),
    }
}

/// The extension's entry for one saved example.
pub fn to_value(e: &SavedExample) -> Value {
    let mut variables = Map::new();
    let path: Vec<Value> = e
        .path
        .iter()
        .map(|s| match s {
            SavedSegment::Literal(l) => json!(l),
            SavedSegment::Variable { name, value } => {
                if let Some(v) = value {
                    variables.insert(name.clone(), json!(v));
                }
                json!(format!(":{name}"))
            }
        })
        .collect();
    let pairs = |p: &[(String, String)]| -> Value {
        Value::Array(p.iter().map(|(k, v)| json!([k, v])).collect())
    };
    let mut request = Map::new();
    request.insert("method".into(), json!(e.method));
    request.insert("path".into(), Value::Array(path));
    if !variables.is_empty() {
        request.insert("variables".into(), Value::Object(variables));
    }
    request.insert("query".into(), pairs(&e.query));
    request.insert("headers".into(), pairs(&e.headers));
    if let Some((media, text)) = &e.body {
        request.insert("body".into(), json!({"mediaType": media, "text": text}));
    }
    json!({
        "name": e.name,
        "id": e.id,
        "origin": e.origin,
        "request": request,
        "response": {
            "status": e.status,
            "headers": pairs(&e.response_headers),
            "body": e.response_body,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let e = SavedExample {
            name: "Found".into(),
            id: Some("42".into()),
            method: "GET".into(),
            path: vec![
                SavedSegment::Literal("cards".into()),
                SavedSegment::Variable {
                    name: "id".into(),
                    value: Some("fool".into()),
                },
                SavedSegment::Variable {
                    name: "x".into(),
                    value: None,
                },
            ],
            query: vec![("lang".into(), "en".into())],
            headers: vec![("Accept".into(), "application/json".into())],
            body: Some(("application/json".into(), "{}".into())),
            status: 201,
            response_headers: vec![("Content-Type".into(), "application/json".into())],
            response_body: "{\"a\": 1}".into(),
            origin: "c.json#/item/0/response/0".into(),
        };
        let back = read(&json!([to_value(&e)]), "t").unwrap();
        assert_eq!(back, vec![e]);
    }

    #[test]
    fn bad_entries_say_where_and_why() {
        let err = read(
            &json!([{"request": {"path": [1]}, "response": {}}]),
            "t.json",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("/x-stubborn-saved-examples/0"), "{err}");
        assert!(err.contains("segments as strings"), "{err}");
        let err = read(&json!({}), "t.json").unwrap_err().to_string();
        assert!(err.contains("expected an array"), "{err}");
    }
}

//! Patches: JSON Merge Patch (RFC 7396) and JSON Patch (RFC 6902), applied to a stored item.

use serde_json::Value;

/// RFC 7396: objects merge key by key, `null` removes, anything else replaces.
pub fn merge(target: &mut Value, patch: &Value) {
    let Value::Object(p) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(serde_json::Map::new());
    }
    let Value::Object(t) = target else { return };
    for (k, v) in p {
        if v.is_null() {
            t.shift_remove(k);
        } else {
            merge(t.entry(k.clone()).or_insert(Value::Null), v);
        }
    }
}

/// Why a JSON Patch does not apply: a failed `test` (409) or a bad operation (422).
#[derive(Debug, PartialEq)]
pub enum PatchError {
    TestFailed(String),
    Invalid(String),
}

/// The most operations one JSON Patch may hold.
pub const MAX_OPERATIONS: usize = 1000;

/// RFC 6902: the operations in order; all or nothing (the caller keeps the original on error).
pub fn json_patch(doc: &mut Value, patch: &Value) -> Result<(), PatchError> {
    let Some(ops) = patch.as_array() else {
        return Err(PatchError::Invalid(
            "a JSON Patch is an array of operations".into(),
        ));
    };
    if ops.len() > MAX_OPERATIONS {
        return Err(PatchError::Invalid(format!(
            "a JSON Patch may hold at most {MAX_OPERATIONS} operations, this one has {}",
            ops.len()
        )));
    }
    for (i, op) in ops.iter().enumerate() {
        apply_one(doc, op).map_err(|e| match e {
            PatchError::TestFailed(m) => PatchError::TestFailed(format!("operation {i}: {m}")),
            PatchError::Invalid(m) => PatchError::Invalid(format!("operation {i}: {m}")),
        })?;
    }
    Ok(())
}

fn apply_one(doc: &mut Value, op: &Value) -> Result<(), PatchError> {
    let bad = |m: &str| PatchError::Invalid(m.to_string());
    let kind = op
        .get("op")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("no \"op\""))?;
    let path = op
        .get("path")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("no \"path\""))?;
    let value = || op.get("value").cloned().ok_or_else(|| bad("no \"value\""));
    let from = || {
        op.get("from")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("no \"from\""))
    };
    match kind {
        "add" => add(doc, path, value()?),
        "remove" => remove(doc, path).map(|_| ()),
        "replace" => {
            let v = value()?;
            let slot = doc
                .pointer_mut(path)
                .ok_or_else(|| PatchError::Invalid(format!("nothing at {path}")))?;
            *slot = v;
            Ok(())
        }
        "move" => {
            let from = from()?;
            if path.starts_with(from) && path[from.len()..].starts_with('/') {
                return Err(bad("cannot move a value into itself"));
            }
            let v = remove(doc, from)?;
            add(doc, path, v)
        }
        "copy" => {
            let from = from()?;
            let v = doc
                .pointer(from)
                .cloned()
                .ok_or_else(|| PatchError::Invalid(format!("nothing at {from}")))?;
            add(doc, path, v)
        }
        "test" => {
            let v = value()?;
            match doc.pointer(path) {
                Some(found) if *found == v => Ok(()),
                Some(found) => Err(PatchError::TestFailed(format!(
                    "{path} is {found}, not {v}"
                ))),
                None => Err(PatchError::TestFailed(format!("nothing at {path}"))),
            }
        }
        other => Err(PatchError::Invalid(format!("unknown op \"{other}\""))),
    }
}

/// The parent's pointer and the last token (unescaped).
fn split(path: &str) -> Result<(&str, String), PatchError> {
    let i = path
        .rfind('/')
        .ok_or_else(|| PatchError::Invalid(format!("\"{path}\" is not a JSON pointer")))?;
    Ok((
        &path[..i],
        path[i + 1..].replace("~1", "/").replace("~0", "~"),
    ))
}

fn add(doc: &mut Value, path: &str, v: Value) -> Result<(), PatchError> {
    if path.is_empty() {
        *doc = v;
        return Ok(());
    }
    let (parent, key) = split(path)?;
    let target = doc
        .pointer_mut(parent)
        .ok_or_else(|| PatchError::Invalid(format!("nothing at {parent}")))?;
    match target {
        Value::Object(m) => {
            m.insert(key, v);
            Ok(())
        }
        Value::Array(a) => {
            let at = if key == "-" {
                a.len()
            } else {
                index(&key, a.len() + 1)?
            };
            a.insert(at, v);
            Ok(())
        }
        _ => Err(PatchError::Invalid(format!(
            "{parent} is neither an object nor an array"
        ))),
    }
}

fn remove(doc: &mut Value, path: &str) -> Result<Value, PatchError> {
    let (parent, key) = split(path)?;
    let target = doc
        .pointer_mut(parent)
        .ok_or_else(|| PatchError::Invalid(format!("nothing at {parent}")))?;
    match target {
        Value::Object(m) => m
            .shift_remove(&key)
            .ok_or_else(|| PatchError::Invalid(format!("nothing at {path}"))),
        Value::Array(a) => {
            let at = index(&key, a.len())?;
            Ok(a.remove(at))
        }
        _ => Err(PatchError::Invalid(format!("nothing at {path}"))),
    }
}

fn index(key: &str, len: usize) -> Result<usize, PatchError> {
    let ok = !key.is_empty()
        && key.bytes().all(|b| b.is_ascii_digit())
        && (key == "0" || !key.starts_with('0'));
    match key.parse::<usize>() {
        Ok(i) if ok && i < len => Ok(i),
        _ => Err(PatchError::Invalid(format!(
            "\"{key}\" is not an index here"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_patch_follows_rfc_7396_examples() {
        let mut t = json!({"a": "b", "c": {"d": "e", "f": "g"}});
        merge(&mut t, &json!({"a": "z", "c": {"f": null}}));
        assert_eq!(t, json!({"a": "z", "c": {"d": "e"}}));
        let mut t = json!({"a": [{"b": "c"}]});
        merge(&mut t, &json!({"a": [1]}));
        assert_eq!(t, json!({"a": [1]}));
        let mut t = json!({"e": null});
        merge(&mut t, &json!({"a": 1}));
        assert_eq!(t, json!({"e": null, "a": 1}));
    }

    #[test]
    fn json_patch_follows_rfc_6902() {
        let mut d = json!({"foo": ["bar", "baz"], "q": {"x": 1}});
        json_patch(
            &mut d,
            &json!([
                {"op": "add", "path": "/foo/1", "value": "qux"},
                {"op": "add", "path": "/foo/-", "value": "end"},
                {"op": "remove", "path": "/q/x"},
                {"op": "copy", "from": "/foo/0", "path": "/c"},
                {"op": "move", "from": "/c", "path": "/m"},
                {"op": "replace", "path": "/m", "value": 5},
                {"op": "test", "path": "/m", "value": 5}
            ]),
        )
        .unwrap();
        assert_eq!(
            d,
            json!({"foo": ["bar", "qux", "baz", "end"], "q": {}, "m": 5})
        );
        let e = json_patch(&mut d, &json!([{"op": "test", "path": "/m", "value": 6}]));
        assert!(matches!(e, Err(PatchError::TestFailed(_))));
        let e = json_patch(&mut d, &json!([{"op": "remove", "path": "/foo/01"}]));
        assert!(matches!(e, Err(PatchError::Invalid(_))));
        let e = json_patch(
            &mut d,
            &json!([{"op": "move", "from": "/q", "path": "/q/x"}]),
        );
        assert!(matches!(e, Err(PatchError::Invalid(_))));
    }
}

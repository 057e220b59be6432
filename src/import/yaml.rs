//! A conservative YAML writer for JSON values.
//!
//! Recorded traffic is full of strings that YAML 1.1 readers (js-yaml, PyYAML: most OpenAPI
//! tooling) would turn into other types when written plain: `2024-01-15` becomes a date, `no` a
//! boolean, `1_000` a number. So a string is written plain only when it starts with a letter,
//! `/` or `_`, holds nothing but letters, digits, spaces and `_ . - / @ + ( ) { } [ ] ,`, does
//! not end with a space, and is not a YAML 1.1 boolean or null word; every other string is
//! double-quoted with JSON's escapes (a JSON string is a valid YAML double-quoted scalar).

use serde_json::Value;

/// The value as a YAML document (block style, two-space indents, a final newline).
pub fn to_yaml(v: &Value) -> String {
    let mut out = String::new();
    match v {
        Value::Object(m) if !m.is_empty() => write_map(m, 0, &mut out),
        Value::Array(a) if !a.is_empty() => write_seq(a, 0, &mut out),
        other => {
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
    out
}

fn indent(n: usize, out: &mut String) {
    out.extend(std::iter::repeat_n(' ', n));
}

fn write_map(m: &serde_json::Map<String, Value>, level: usize, out: &mut String) {
    for (k, v) in m {
        indent(level, out);
        out.push_str(&string(k));
        out.push(':');
        write_value_after_key(v, level, out);
    }
}

fn write_value_after_key(v: &Value, level: usize, out: &mut String) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            write_map(m, level + 2, out);
        }
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            write_seq(a, level, out);
        }
        other => {
            out.push(' ');
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
}

fn write_seq(a: &[Value], level: usize, out: &mut String) {
    for v in a {
        indent(level, out);
        out.push('-');
        match v {
            Value::Object(m) if !m.is_empty() => {
                // The first entry shares the dash's line; the rest line up under it.
                let mut first = true;
                for (k, x) in m {
                    if first {
                        out.push(' ');
                        first = false;
                    } else {
                        indent(level + 2, out);
                    }
                    out.push_str(&string(k));
                    out.push(':');
                    write_value_after_key(x, level + 2, out);
                }
            }
            Value::Array(inner) if !inner.is_empty() => {
                out.push('\n');
                write_seq(inner, level + 2, out);
            }
            other => {
                out.push(' ');
                out.push_str(&scalar(other));
                out.push('\n');
            }
        }
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => string(s),
        Value::Array(_) => "[]".into(),
        Value::Object(_) => "{}".into(),
    }
}

/// Words YAML 1.1 reads as booleans or null.
const RESERVED: &[&str] = &["y", "yes", "n", "no", "true", "false", "on", "off", "null"];

fn string(s: &str) -> String {
    let plain = s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '/' || c == '_')
        && !s.ends_with(' ')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || " _.-/@+(){}[],".contains(c))
        && !RESERVED.contains(&s.to_ascii_lowercase().as_str());
    if plain {
        s.to_string()
    } else {
        serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trips_and_quotes_what_yaml_1_1_would_misread() {
        let v = json!({
            "openapi": "3.1.0",
            "paths": {"/users/{userId}": {"get": {"responses": {"200": {"description": "OK"}}}}},
            "dates": ["2024-01-15", "2024-01-15T09:30:00Z"],
            "words": ["no", "Yes", "off", "null", "~", "", " x", "x ", "a: b", "a #b", "-x", "1_000"],
            "text": "line one\nline \"two\"\ttab \u{1}",
            "nested": [[1, [2.5, true]], [], {}, {"a": [{"b": null}], "c": {}}],
            "unicode": "grüße ✓",
            "types": [1, -2, 1.5, false, null],
        });
        let y = to_yaml(&v);
        let back: Value = serde_norway::from_str(&y).unwrap();
        assert_eq!(back, v, "{y}");
        assert!(y.contains("openapi: \"3.1.0\""), "{y}");
        assert!(y.contains("- \"2024-01-15\""), "{y}");
        assert!(y.contains("- \"no\""), "{y}");
        assert!(y.contains("  /users/{userId}:\n"), "{y}");
        assert!(y.contains("\"200\":"), "{y}");
        assert!(y.contains("description: OK\n"), "{y}");
    }

    #[test]
    fn top_level_scalars_and_empties() {
        assert_eq!(to_yaml(&json!({})), "{}\n");
        assert_eq!(to_yaml(&json!([])), "[]\n");
        assert_eq!(to_yaml(&json!("x")), "x\n");
        assert_eq!(
            to_yaml(&json!([1, {"a": 1, "b": [2]}])),
            "- 1\n- a: 1\n  b:\n  - 2\n"
        );
    }
}

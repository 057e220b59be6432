//! Choose and render: which documented response answers, in which media type, with which
//! bytes. Pure functions over the model; the HTTP layer only copies the result onto the wire.

pub mod choose;
pub mod negotiate;
pub mod problem;
pub mod saved;
pub mod template;
pub mod xml;

use crate::model::{Operation, Response, StatusKey};
use crate::schema::{SchemaId, SchemaStore};
use bytes::Bytes;
use serde_json::Value;

/// The response an operation answers with when the request asks for nothing in particular:
/// the lowest documented 2xx, else `2XX`, else `default`, else the first listed.
pub fn default_response(op: &Operation) -> Option<usize> {
    let rs = &op.responses;
    rs.iter()
        .enumerate()
        .filter_map(|(i, r)| match r.status {
            StatusKey::Code(c) if (200..300).contains(&c) => Some((c, i)),
            _ => None,
        })
        .min()
        .map(|(_, i)| i)
        .or_else(|| rs.iter().position(|r| r.status == StatusKey::Range(2)))
        .or_else(|| rs.iter().position(|r| r.status == StatusKey::Default))
        .or(if rs.is_empty() { None } else { Some(0) })
}

/// The response documented for a given status code: exact, then its range, then `default`.
pub fn response_for_code(op: &Operation, code: u16) -> Option<usize> {
    let rs = &op.responses;
    rs.iter()
        .position(|r| r.status == StatusKey::Code(code))
        .or_else(|| {
            rs.iter()
                .position(|r| r.status == StatusKey::Range((code / 100) as u8))
        })
        .or_else(|| rs.iter().position(|r| r.status == StatusKey::Default))
}

/// The status code a response is served with. `default` is served as 200 when it is the
/// operation's answer, and a range as its `X00`.
pub fn status_of(response: &Response) -> u16 {
    response.status.serve_code()
}

/// `value` as compact JSON, byte for byte what `serde_json::to_vec` writes. Strings that need
/// no escaping (almost all of a generated body) are copied whole instead of byte by byte, and
/// the buffer starts at a typical body's size.
pub fn json_bytes(value: &Value) -> Vec<u8> {
    /// Whether some byte is a control character, `"` or `\\` (what JSON escapes), eight
    /// bytes at a time: a byte of `w ^ q` is zero where `w` holds `q`, and subtracting 0x20
    /// from each byte sets its top bit where it was below 0x20.
    fn special(s: &[u8]) -> bool {
        const ONES: u64 = 0x0101_0101_0101_0101;
        const HIGH: u64 = 0x8080_8080_8080_8080;
        let below = |v: u64, n: u64| v.wrapping_sub(ONES * n) & !v & HIGH;
        let hit = |b: [u8; 8]| {
            let w = u64::from_le_bytes(b);
            let quote = w ^ (ONES * u64::from(b'"'));
            let backslash = w ^ (ONES * u64::from(b'\\'));
            below(w, 0x20) | below(quote, 1) | below(backslash, 1) != 0
        };
        let mut chunks = s.chunks_exact(8);
        for c in &mut chunks {
            let mut b = [0u8; 8];
            b.copy_from_slice(c);
            if hit(b) {
                return true;
            }
        }
        // The last few bytes as one more word, padded with spaces (which need no escape):
        // most strings of a body are shorter than 16 bytes, and a byte loop cost more.
        let rest = chunks.remainder();
        let mut b = [b' '; 8];
        b[..rest.len()].copy_from_slice(rest);
        hit(b)
    }
    fn string(out: &mut Vec<u8>, s: &str) {
        if special(s.as_bytes()) {
            let _ = serde_json::to_writer(&mut *out, s);
        } else {
            out.push(b'"');
            out.extend_from_slice(s.as_bytes());
            out.push(b'"');
        }
    }
    fn write(out: &mut Vec<u8>, v: &Value) {
        match v {
            Value::Null => out.extend_from_slice(b"null"),
            Value::Bool(true) => out.extend_from_slice(b"true"),
            Value::Bool(false) => out.extend_from_slice(b"false"),
            Value::Number(n) => {
                let _ = serde_json::to_writer(&mut *out, n);
            }
            Value::String(s) => string(out, s),
            Value::Array(items) => {
                out.push(b'[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    write(out, item);
                }
                out.push(b']');
            }
            Value::Object(map) => {
                out.push(b'{');
                for (i, (k, item)) in map.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    string(out, k);
                    out.push(b':');
                    write(out, item);
                }
                out.push(b'}');
            }
        }
    }
    let mut out = Vec::with_capacity(512);
    write(&mut out, value);
    out
}

/// Serialises a body value for a media type: JSON for JSON types (a string too, as a JSON
/// string), XML for XML types, forms for `application/x-www-form-urlencoded`.
///
/// For every type that is not JSON, a string is the body itself, sent unchanged: OpenAPI
/// writes an example of a type JSON cannot express (XML, HTML, CSV, plain text, bytes) as a
/// string holding that document, and Prism sends it as is. Other values of such types are
/// written as JSON.
pub fn render(
    store: &SchemaStore,
    media_type: &str,
    schema: Option<SchemaId>,
    value: &Value,
) -> Bytes {
    if negotiate::is_json(media_type) {
        return Bytes::from(json_bytes(value));
    }
    if let Value::String(s) = value {
        return Bytes::from(s.clone());
    }
    if negotiate::is_xml(media_type) {
        let schema_value = schema.map(|id| store.get(id));
        let root = schema.and_then(|id| xml::component_name(store, id));
        let root = root.as_deref().unwrap_or("root");
        return Bytes::from(xml::to_xml(store, schema_value, value, root));
    }
    let (kind, sub) = negotiate::essence(media_type);
    if kind == "application" && sub == "x-www-form-urlencoded" {
        if let Value::Object(m) = value {
            let mut out = String::new();
            for (k, v) in m {
                let text = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                if !out.is_empty() {
                    out.push('&');
                }
                out.push_str(&encode_component(k));
                out.push('=');
                out.push_str(&encode_component(&text));
            }
            return Bytes::from(out);
        }
    }
    match value {
        Value::Null => Bytes::new(),
        other => Bytes::from(json_bytes(other)),
    }
}

fn encode_component(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// A header value from a JSON value (`simple` style: arrays joined by commas).
pub fn header_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(a) => a.iter().map(header_text).collect::<Vec<_>>().join(","),
        Value::Object(m) => m
            .iter()
            .flat_map(|(k, v)| [k.clone(), header_text(v)])
            .collect::<Vec<_>>()
            .join(","),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A stable 64-bit hash (FNV-1a), used to derive per-response seeds that do not change across
/// runs, platforms or Rust versions.
pub fn stable_hash(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for part in parts {
        for b in part.as_bytes().iter().chain(std::iter::once(&0xff)) {
            h ^= *b as u64;
            h = h.wrapping_mul(0x100000001b3);
        }
    }
    h
}

/// [`stable_hash`] of parts given as bytes (the same hash for the same bytes).
pub fn stable_hash_bytes(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for part in parts {
        for b in part.iter().chain(std::iter::once(&0xff)) {
            h ^= *b as u64;
            h = h.wrapping_mul(0x100000001b3);
        }
    }
    h
}

/// `n` in decimal (what `n.to_string()` writes), in `buf`, without allocating.
pub fn decimal(mut n: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return &buf[at..];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_bytes_writes_what_serde_json_writes() {
        for v in [
            json!(null),
            json!(true),
            json!("plain"),
            json!("quote \" back \\ slash / tab \t nl \n bell \u{7} del \u{7f} é 佐藤 🙂"),
            json!({"a": 1, "b": [1.5, -0.0, 1e300, u64::MAX, i64::MIN, "x"], "": {}, "c": []}),
            json!([{"k\u{1}": null, "z": false, "é": {"nested": ["", "\\"]}}]),
        ] {
            assert_eq!(json_bytes(&v), serde_json::to_vec(&v).unwrap(), "{v}");
        }
        // Every length around the 8-byte words, with each escaped byte at every position
        // (the last partial word is checked apart from the whole ones).
        for len in 0..=25 {
            let plain = "abcdefghijklmnopqrstuvwxyz"[..len].to_string();
            let v = json!(plain);
            assert_eq!(json_bytes(&v), serde_json::to_vec(&v).unwrap(), "{v}");
            for at in 0..len {
                for special in ['"', '\\', '\n', '\u{0}', '\u{1f}'] {
                    let mut s = plain.clone();
                    s.replace_range(at..=at, &special.to_string());
                    let v = json!(s);
                    assert_eq!(json_bytes(&v), serde_json::to_vec(&v).unwrap(), "{v}");
                }
            }
        }
    }

    #[test]
    fn stable_hash_bytes_agrees_with_stable_hash() {
        for (seed, n) in [(0u64, 0u64), (42, 7), (u64::MAX, 1_000_000), (10, 99)] {
            let (mut a, mut b) = ([0u8; 20], [0u8; 20]);
            assert_eq!(decimal(seed, &mut a), seed.to_string().as_bytes());
            assert_eq!(
                stable_hash_bytes(&[decimal(seed, &mut a), decimal(n, &mut b)]),
                stable_hash(&[&seed.to_string(), &n.to_string()])
            );
        }
    }

    fn text(media_type: &str, value: &Value) -> String {
        let store = SchemaStore::new();
        String::from_utf8(render(&store, media_type, None, value).to_vec()).unwrap()
    }

    #[test]
    fn a_string_is_the_body_of_every_type_but_json() {
        let doc = "<project><name>a &amp; b</name></project>";
        for media_type in [
            "application/xml",
            "text/xml; charset=utf-8",
            "application/atom+xml",
            "text/plain",
            "text/html",
            "text/csv",
            "application/octet-stream",
            "application/x-www-form-urlencoded",
            "image/svg+xml",
        ] {
            assert_eq!(text(media_type, &json!(doc)), doc, "{media_type}");
        }
        for media_type in ["application/json", "application/problem+json", "text/json"] {
            assert_eq!(
                text(media_type, &json!("a <b>")),
                "\"a <b>\"",
                "{media_type}"
            );
        }
    }

    #[test]
    fn other_values_keep_their_serialisation() {
        assert_eq!(
            text("application/xml", &json!({"id": 1})),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<root><id>1</id></root>"
        );
        assert_eq!(text("text/plain", &json!({"id": 1})), "{\"id\":1}");
        assert_eq!(text("text/plain", &json!(3)), "3");
        assert_eq!(text("text/plain", &Value::Null), "");
        assert_eq!(
            text(
                "application/x-www-form-urlencoded",
                &json!({"a": "b c", "n": 1})
            ),
            "a=b%20c&n=1"
        );
    }
}

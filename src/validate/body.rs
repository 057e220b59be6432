//! Request bodies: which documented media type a body is sent as, and the body parsed into the
//! JSON value the schema validator judges (JSON as is; form fields and multipart parts as an
//! object whose values are coerced to their property types; text as a string).

use super::params::{self, Got, Pair, PairOpts, Repeat, Spec, Style, Who};
use super::{Place, Violation};
use crate::media::{is_json_media, media_matches, type_and_subtype as essence};
use crate::model::{MediaType, ParamIn};
use crate::schema::shape::{coerce, Kind, Shape};
use crate::schema::{escape_pointer_token, lean, SchemaStore};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// The longest multipart boundary accepted (RFC 2046 allows 70 characters).
const MAX_BOUNDARY: usize = 200;

// ---------------------------------------------------------------------------------------------
// Media types
// ---------------------------------------------------------------------------------------------

/// The index of the documented media type a request body is sent as, preferring exact over
/// wildcard matches (then `type/*+suffix`, `type/*`, `*/*`; document order breaks ties).
pub fn pick_media(content: &[MediaType], content_type: &str) -> Option<usize> {
    let mut best: Option<(usize, u8)> = None;
    let actual = crate::media::Essence::of(content_type);
    for (i, m) in content.iter().enumerate() {
        if let Some(rank) = actual.rank_under(&m.media_type) {
            if best.is_none_or(|(_, r)| rank > r) {
                best = Some((i, rank));
            }
        }
    }
    best.map(|(i, _)| i)
}

/// The parameters of a header value such as a Content-Type or a Content-Disposition:
/// `form-data; name="a\"b"; filename*=UTF-8''%E2%82%AC` → names lower-cased, values unquoted.
fn header_params(value: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut chars = match value.find(';') {
        Some(i) => value[i + 1..].chars().peekable(),
        None => return out,
    };
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace() || *c == ';') {
            chars.next();
        }
        if chars.peek().is_none() {
            return out;
        }
        let mut name = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' || c == ';' {
                break;
            }
            name.push(c);
            chars.next();
        }
        let name = name.trim().to_ascii_lowercase();
        let mut val = String::new();
        if chars.peek() == Some(&'=') {
            chars.next();
            while chars.peek().is_some_and(|c| *c == ' ' || *c == '\t') {
                chars.next();
            }
            if chars.peek() == Some(&'"') {
                chars.next();
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' if matches!(chars.peek(), Some('"' | '\\')) => {
                            val.extend(chars.next());
                        }
                        c => val.push(c),
                    }
                }
                // Anything between the closing quote and the next `;` is dropped.
                while chars.peek().is_some_and(|c| *c != ';') {
                    chars.next();
                }
            } else {
                while let Some(&c) = chars.peek() {
                    if c == ';' {
                        break;
                    }
                    val.push(c);
                    chars.next();
                }
                val = val.trim().to_owned();
            }
        }
        if !name.is_empty() {
            out.push((name, val));
        }
    }
}

fn header_param(value: &str, name: &str) -> Option<String> {
    header_params(value)
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v)
}

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

/// What a body is, once parsed for validation.
#[derive(Clone, Debug, PartialEq)]
pub enum Parsed {
    /// JSON, form fields, text as a JSON string.
    Value(Value),
    /// Other media types: presence and length only.
    Opaque,
}

fn syntax(name: impl Into<String>, message: impl Into<String>) -> Violation {
    Violation::new(Place::Body, name, "syntax", message).malformed()
}

fn pointer(field: &str) -> String {
    format!("/{}", escape_pointer_token(field))
}

/// Parses a body sent as `media` (the documented media type picked above) with the request's
/// full Content-Type header (needed for the multipart boundary and charset).
///
/// - JSON (`application/json`, `text/json`, any `+json`): the parsed document;
/// - `application/x-www-form-urlencoded`: an object of the fields, coerced by the schema's
///   property types and the `encoding` (style, explode, contentType);
/// - `multipart/form-data`: an object of the parts (files as strings), likewise;
/// - `text/*`: the text as a string (coerced when the schema is not a string type);
/// - anything else: [`Parsed::Opaque`].
///
/// When the documented media type is a wildcard, the request's own type decides.
pub fn parse(
    store: &SchemaStore,
    media: &MediaType,
    content_type: &str,
    body: &[u8],
) -> Result<Parsed, Vec<Violation>> {
    parse_partial(store, media, content_type, body).and_then(|(parsed, violations)| {
        if violations.is_empty() {
            Ok(parsed)
        } else {
            Err(violations)
        }
    })
}

/// Like [`parse`], but a form or multipart body with bad fields still yields the fields that
/// could be read, beside the violations, so the schema can judge the rest in the same answer.
/// `Err` only when nothing could be read at all (broken JSON, no multipart boundary...).
pub fn parse_partial(
    store: &SchemaStore,
    media: &MediaType,
    content_type: &str,
    body: &[u8],
) -> Result<(Parsed, Vec<Violation>), Vec<Violation>> {
    let effective = effective_type(media, content_type);
    let shape = || {
        media
            .schema
            .map(|id| Shape::of(store, store.get(id)))
            .unwrap_or_default()
    };
    if is_json_media(effective) {
        return parse_json(body)
            .map(|v| (Parsed::Value(v), Vec::new()))
            .map_err(|v| vec![v]);
    }
    let Some((t, s)) = essence(effective) else {
        return Ok((Parsed::Opaque, Vec::new()));
    };
    match (&*t, &*s) {
        ("application", "x-www-form-urlencoded") => {
            parse_form(&shape(), media.encoding.as_ref(), body)
                .map(|(v, violations)| (Parsed::Value(v), violations))
        }
        ("multipart", "form-data") => {
            parse_multipart(&shape(), media.encoding.as_ref(), content_type, body)
                .map(|(v, violations)| (Parsed::Value(v), violations))
        }
        ("text", _) => {
            let charset = header_param(content_type, "charset");
            match decode_text(body, charset.as_deref()) {
                Ok(text) => {
                    let shape = shape();
                    let value = if shape.kind() == Kind::Primitive {
                        coerce(&text, &shape)
                    } else {
                        Value::String(text)
                    };
                    Ok((Parsed::Value(value), Vec::new()))
                }
                Err(e) => Err(vec![e.violation("", "body")]),
            }
        }
        _ => Ok((Parsed::Opaque, Vec::new())),
    }
}

/// A JSON body: UTF-8 (a byte-order mark is tolerated), then JSON.
/// The media type a body sent as `media` is read as: the documented one, unless it is a
/// wildcard, when the request's own type decides.
fn effective_type<'a>(media: &'a MediaType, content_type: &'a str) -> &'a str {
    match essence(&media.media_type) {
        Some((t, s)) if t != "*" && !s.contains('*') => media.media_type.as_str(),
        _ => content_type,
    }
}

/// Is a body sent as `media` with this Content-Type read as JSON (see [`parse_partial`])?
pub fn reads_as_json(media: &MediaType, content_type: &str) -> bool {
    is_json_media(effective_type(media, content_type))
}

/// A JSON body (a leading byte-order mark allowed), or why it is not one.
pub fn parse_json_body(body: &[u8]) -> Result<Value, String> {
    let text = lean::json_text(body)?;
    serde_json::from_str(text).map_err(|e| lean::syntax_message(&e))
}

/// The violation of a body that could not be parsed at all.
pub fn unreadable(message: &str) -> Violation {
    syntax("", message.to_string())
}

fn parse_json(body: &[u8]) -> Result<Value, Violation> {
    parse_json_body(body).map_err(|m| syntax("", m))
}

/// Why text could not be decoded.
enum TextError {
    Invalid(String),
    Charset(String),
}

impl TextError {
    /// `what`: `body`, `part "avatar"`.
    fn violation(&self, name: &str, what: &str) -> Violation {
        match self {
            TextError::Invalid(charset) => {
                syntax(name, format!("{what} is not valid {charset} text"))
            }
            TextError::Charset(charset) => Violation::new(
                Place::Body,
                name,
                "contentType",
                format!("{what} uses charset \"{charset}\"; only utf-8, us-ascii and iso-8859-1 are supported"),
            ),
        }
    }
}

/// Decodes text in `charset` (utf-8 when absent).
fn decode_text(bytes: &[u8], charset: Option<&str>) -> Result<String, TextError> {
    let charset = charset.unwrap_or("utf-8").trim().to_ascii_lowercase();
    match charset.as_str() {
        "utf-8" | "utf8" => {
            let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
            std::str::from_utf8(bytes)
                .map(str::to_owned)
                .map_err(|_| TextError::Invalid("UTF-8".into()))
        }
        "us-ascii" | "ascii" | "iso646-us" => {
            if bytes.is_ascii() {
                Ok(bytes.iter().map(|&b| b as char).collect())
            } else {
                Err(TextError::Invalid("US-ASCII".into()))
            }
        }
        "iso-8859-1" | "iso8859-1" | "iso_8859-1" | "latin1" | "latin-1" | "l1" => {
            Ok(latin1(bytes))
        }
        _ => Err(TextError::Charset(charset)),
    }
}

fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| b as char).collect()
}

/// The `encoding` entry of a field, as written.
fn encoding_of<'a>(encoding: Option<&'a Value>, field: &str) -> Option<&'a Map<String, Value>> {
    encoding?.get(field)?.as_object()
}

/// The `contentType` of an encoding entry: a comma-separated list of media ranges.
fn encoding_types(enc: Option<&Map<String, Value>>) -> Vec<String> {
    enc.and_then(|e| e.get("contentType"))
        .and_then(Value::as_str)
        .map(|s| {
            s.split(',')
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// application/x-www-form-urlencoded
// ---------------------------------------------------------------------------------------------

/// The field a key belongs to: `tags[]` and `address[city]` belong to `tags` and `address`.
fn base_name(key: &str) -> &str {
    match key.find('[') {
        Some(i) if i > 0 => &key[..i],
        _ => key,
    }
}

fn parse_form(
    shape: &Shape,
    encoding: Option<&Value>,
    body: &[u8],
) -> Result<(Value, Vec<Violation>), Vec<Violation>> {
    let pairs = params::parse_pairs(body);
    // Pairs grouped by field, in order of first appearance.
    let mut groups: Vec<(String, Vec<Pair>)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for pair in pairs {
        let base = if shape.has_prop(&pair.key) {
            pair.key.as_str()
        } else {
            base_name(&pair.key)
        };
        match index.get(base) {
            Some(&i) => groups[i].1.push(pair),
            None => {
                let base = base.to_owned();
                index.insert(base.clone(), groups.len());
                groups.push((base, vec![pair]));
            }
        }
    }
    let opts = PairOpts {
        check_empty: false,
        allow_empty: true,
        repeat: Repeat::Array,
        split_always: false,
        flat_objects: false,
        loose_brackets: true,
    };
    let mut map = Map::new();
    let mut violations = Vec::new();
    for (field, pairs) in groups {
        let enc = encoding_of(encoding, &field);
        let style = enc
            .and_then(|e| e.get("style"))
            .and_then(Value::as_str)
            .map_or(Style::Form, |s| Style::parse(s, ParamIn::Query));
        let explode = enc
            .and_then(|e| e.get("explode"))
            .and_then(Value::as_bool)
            .unwrap_or(style == Style::Form);
        let content_json = encoding_types(enc)
            .first()
            .map(|t| is_json_media(t))
            .filter(|j| *j);
        let spec = Spec {
            name: field.clone(),
            style,
            explode,
            shape: shape.prop(&field).clone(),
            content_json,
        };
        let who = Who {
            place: Place::Body,
            name: pointer(&field),
            label: format!("form field \"{field}\""),
        };
        match params::from_pairs(&spec, &opts, &who, &pairs, &|_| false, &mut violations) {
            Got::Value(v) => {
                map.insert(field, v);
            }
            Got::Absent | Got::Skip => {}
        }
    }
    Ok((Value::Object(map), violations))
}

// ---------------------------------------------------------------------------------------------
// multipart/form-data
// ---------------------------------------------------------------------------------------------

/// One part of a multipart body.
struct Part<'a> {
    name: Option<String>,
    filename: Option<String>,
    content_type: Option<String>,
    body: &'a [u8],
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    memchr::memmem::find(haystack.get(from..)?, needle).map(|i| i + from)
}

/// Splits a multipart body on its boundary (RFC 2046): the preamble and epilogue are ignored,
/// a bare LF is accepted where CRLF is due.
fn split_parts<'a>(body: &'a [u8], boundary: &str) -> Result<Vec<Part<'a>>, String> {
    let dash = format!("--{boundary}");
    let dash = dash.as_bytes();
    let mut delim = Vec::with_capacity(dash.len() + 1);
    delim.push(b'\n');
    delim.extend_from_slice(dash);
    // The first boundary: at the very start or at the start of a line.
    let mut pos = if body.starts_with(dash) {
        dash.len()
    } else {
        match find(body, &delim, 0) {
            Some(i) => i + delim.len(),
            None => return Err(format!("does not contain its boundary \"{boundary}\"")),
        }
    };
    let mut parts = Vec::new();
    loop {
        let rest = &body[pos..];
        if rest.starts_with(b"--") {
            return Ok(parts);
        }
        let pad = rest
            .iter()
            .take_while(|b| **b == b' ' || **b == b'\t')
            .count();
        pos += pad;
        let rest = &body[pos..];
        if rest.starts_with(b"\r\n") {
            pos += 2;
        } else if rest.starts_with(b"\n") {
            pos += 1;
        } else if rest.is_empty() {
            return Err(format!(
                "ends without the closing boundary \"--{boundary}--\""
            ));
        } else {
            return Err("has a boundary line that does not end after the boundary".into());
        }
        let Some(next) = find(body, &delim, pos) else {
            return Err(format!(
                "ends without the closing boundary \"--{boundary}--\""
            ));
        };
        let mut end = next;
        if end > pos && body[end - 1] == b'\r' {
            end -= 1;
        }
        parts.push(parse_part(&body[pos..end], parts.len())?);
        pos = next + delim.len();
    }
}

/// A part: header lines, a blank line, the content.
fn parse_part(bytes: &[u8], number: usize) -> Result<Part<'_>, String> {
    let (head, content) = if let Some(rest) = bytes.strip_prefix(b"\r\n") {
        (&[][..], rest)
    } else if let Some(rest) = bytes.strip_prefix(b"\n") {
        (&[][..], rest)
    } else if let Some(i) = find(bytes, b"\r\n\r\n", 0) {
        (&bytes[..i], &bytes[i + 4..])
    } else if let Some(i) = find(bytes, b"\n\n", 0) {
        (&bytes[..i], &bytes[i + 2..])
    } else {
        return Err(format!(
            "has a part (#{}) without a blank line after its headers",
            number + 1
        ));
    };
    let head = String::from_utf8_lossy(head);
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.starts_with([' ', '\t']) {
            // An obsolete folded line continues the previous header.
            if let Some((_, v)) = headers.last_mut() {
                v.push(' ');
                v.push_str(line.trim());
                continue;
            }
        }
        if line.trim().is_empty() {
            continue;
        }
        let Some((name, value)) = line.split_once(':') else {
            return Err(format!(
                "has a part (#{}) with a header line without \":\"",
                number + 1
            ));
        };
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
    }
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    let (mut name, mut filename) = (None, None);
    if let Some(disposition) = header("content-disposition") {
        for (k, v) in header_params(&disposition) {
            match k.as_str() {
                "name" => name = Some(v),
                "filename" if filename.is_none() => filename = Some(v),
                // RFC 5987: `UTF-8''%E2%82%AC.png` wins over `filename`.
                "filename*" => {
                    let encoded = v.splitn(3, '\'').nth(2).unwrap_or(&v);
                    let decoded = percent_encoding::percent_decode_str(encoded).decode_utf8_lossy();
                    filename = Some(decoded.into_owned());
                }
                _ => {}
            }
        }
    }
    Ok(Part {
        name,
        filename,
        content_type: header("content-type"),
        body: content,
    })
}

/// A file part's content as a string: the text when it is UTF-8, else one character per byte
/// (so lengths are byte lengths).
fn file_string(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => latin1(bytes),
    }
}

fn parse_multipart(
    shape: &Shape,
    encoding: Option<&Value>,
    content_type: &str,
    body: &[u8],
) -> Result<(Value, Vec<Violation>), Vec<Violation>> {
    let boundary = header_param(content_type, "boundary").unwrap_or_default();
    if boundary.is_empty() || boundary.len() > MAX_BOUNDARY {
        return Err(vec![syntax(
            "",
            "multipart body needs a boundary parameter (1 to 70 characters) in its Content-Type",
        )]);
    }
    let parts = split_parts(body, &boundary)
        .map_err(|why| vec![syntax("", format!("multipart body {why}"))])?;
    let mut violations = Vec::new();
    let mut groups: Vec<(String, Vec<Part>)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for (i, part) in parts.into_iter().enumerate() {
        let Some(name) = part.name.clone() else {
            violations.push(syntax(
                "",
                format!(
                    "multipart part #{} has no name in its Content-Disposition",
                    i + 1
                ),
            ));
            continue;
        };
        match index.get(&name) {
            Some(&g) => groups[g].1.push(part),
            None => {
                index.insert(name.clone(), groups.len());
                groups.push((name, vec![part]));
            }
        }
    }
    let mut map = Map::new();
    for (field, parts) in groups {
        let at = pointer(&field);
        let prop = shape.prop(&field);
        let is_array = prop.kind() == Kind::Array;
        let item = if is_array { prop.item() } else { prop };
        let enc = encoding_of(encoding, &field);
        let allowed = encoding_types(enc);
        let mut values = Vec::with_capacity(parts.len());
        for part in &parts {
            if let Some(ct) = &part.content_type {
                if !allowed.is_empty() && !allowed.iter().any(|a| media_matches(a, ct)) {
                    violations.push(Violation::new(
                        Place::Body,
                        at.clone(),
                        "contentType",
                        format!(
                            "part \"{field}\" is sent as {ct} but its encoding allows {}",
                            allowed.join(", ")
                        ),
                    ));
                    continue;
                }
            }
            if let Some(v) = part_value(part, &field, item, &allowed, &at, &mut violations) {
                values.push(v);
            }
        }
        if values.len() != parts.len() {
            continue;
        }
        let value = if is_array {
            match values.pop() {
                // One JSON part holding the whole array.
                Some(Value::Array(a)) if values.is_empty() => Value::Array(a),
                Some(last) => {
                    values.push(last);
                    Value::Array(values)
                }
                None => Value::Array(values),
            }
        } else if values.len() == 1 {
            values.remove(0)
        } else {
            Value::Array(values)
        };
        map.insert(field, value);
    }
    Ok((Value::Object(map), violations))
}

/// One part as a JSON value: JSON parts parsed, files as strings, text coerced like a form
/// field. The media type is the part's own, else the encoding's, else the default for the
/// property's type (JSON for objects, text for the rest).
fn part_value(
    part: &Part,
    field: &str,
    shape: &Shape,
    allowed: &[String],
    at: &str,
    violations: &mut Vec<Violation>,
) -> Option<Value> {
    let declared = part.content_type.as_deref().or_else(|| match allowed {
        [one] if !one.contains('*') => Some(one.as_str()),
        _ => None,
    });
    // A binary property is file content whatever it is sent as.
    let json = !shape.binary
        && match declared {
            Some(ct) => is_json_media(ct),
            None => shape.kind() != Kind::Primitive && part.filename.is_none(),
        };
    if json {
        let text = part.body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(part.body);
        return match serde_json::from_slice(text) {
            Ok(v) => Some(v),
            Err(e) => {
                violations.push(syntax(
                    at,
                    format!("part \"{field}\" is not valid JSON: {e}"),
                ));
                None
            }
        };
    }
    let textual = declared.is_none_or(|ct| essence(ct).is_some_and(|(t, _)| t == "text"));
    if part.filename.is_some() || shape.binary || !textual {
        return Some(Value::String(file_string(part.body)));
    }
    let charset = declared.and_then(|ct| header_param(ct, "charset"));
    match decode_text(part.body, charset.as_deref()) {
        Ok(text) => Some(coerce(&text, shape)),
        Err(e) => {
            violations.push(e.violation(at, &format!("part \"{field}\"")));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn media(
        media_type: &str,
        schema: Option<Value>,
        encoding: Option<Value>,
    ) -> (SchemaStore, MediaType) {
        let store = SchemaStore::from_defs([
            ("Body", schema.clone().unwrap_or(json!(true))),
            ("Tag", json!({"type": "string"})),
        ]);
        let m = MediaType {
            media_type: media_type.into(),
            schema: schema.map(|_| store.id_of_key("Body").unwrap()),
            examples: Vec::new(),
            encoding,
        };
        (store, m)
    }

    fn parse_as(
        media_type: &str,
        schema: Option<Value>,
        encoding: Option<Value>,
        ct: &str,
        body: &[u8],
    ) -> Result<Parsed, Vec<Violation>> {
        let (store, m) = media(media_type, schema, encoding);
        parse(&store, &m, ct, body)
    }

    fn value(r: Result<Parsed, Vec<Violation>>) -> Value {
        match r {
            Ok(Parsed::Value(v)) => v,
            other => panic!("expected a value, got {other:?}"),
        }
    }

    fn one_error(r: Result<Parsed, Vec<Violation>>) -> Violation {
        match r {
            Err(mut v) if v.len() == 1 => v.remove(0),
            other => panic!("expected one violation, got {other:?}"),
        }
    }

    // --- media types ---

    #[test]
    fn media_matching() {
        assert!(media_matches("application/json", "application/json"));
        assert!(media_matches(
            "application/json",
            "Application/JSON; charset=utf-8"
        ));
        assert!(media_matches(
            "application/json; charset=utf-8",
            "application/json"
        ));
        assert!(!media_matches(
            "application/json",
            "application/merge-patch+json"
        ));
        assert!(!media_matches("application/json", "text/json"));
        assert!(media_matches(
            "application/*+json",
            "application/merge-patch+json"
        ));
        assert!(media_matches("application/*+json", "application/json"));
        assert!(!media_matches("application/*+json", "application/xml"));
        assert!(!media_matches("application/*+json", "application/notjson"));
        assert!(media_matches("application/*", "application/xml"));
        assert!(!media_matches("application/*", "text/plain"));
        assert!(media_matches("*/*", "text/plain"));
        assert!(media_matches("*/*", "garbage"));
        assert!(media_matches("*/*", ""));
        assert!(!media_matches("application/json", ""));
        assert!(!media_matches("application/json", "json"));
        assert!(!media_matches("application/json", "/"));
        assert!(!media_matches("", "application/json"));
        assert!(media_matches("image/png", "IMAGE/PNG"));
    }

    #[test]
    fn picking_media() {
        let list = |types: &[&str]| -> Vec<MediaType> {
            types
                .iter()
                .map(|t| MediaType {
                    media_type: t.to_string(),
                    schema: None,
                    examples: Vec::new(),
                    encoding: None,
                })
                .collect()
        };
        let c = list(&[
            "*/*",
            "application/*",
            "application/*+json",
            "application/json",
            "text/plain",
        ]);
        assert_eq!(pick_media(&c, "application/json; charset=utf-8"), Some(3));
        assert_eq!(pick_media(&c, "application/merge-patch+json"), Some(2));
        assert_eq!(pick_media(&c, "application/xml"), Some(1));
        assert_eq!(pick_media(&c, "image/png"), Some(0));
        assert_eq!(pick_media(&c, "TEXT/PLAIN"), Some(4));
        let c = list(&["application/json", "application/xml"]);
        assert_eq!(pick_media(&c, "text/plain"), None);
        assert_eq!(pick_media(&c, ""), None);
        assert_eq!(pick_media(&[], "text/plain"), None);
    }

    #[test]
    fn header_parameters() {
        assert_eq!(
            header_params("form-data; name=\"a\\\"b\"; filename=x.txt ;  empty=; flag"),
            vec![
                ("name".into(), "a\"b".into()),
                ("filename".into(), "x.txt".into()),
                ("empty".into(), String::new()),
                ("flag".into(), String::new())
            ]
        );
        assert_eq!(
            header_param("multipart/form-data; BOUNDARY=\"a;b\"", "boundary"),
            Some("a;b".into())
        );
        assert_eq!(header_param("text/plain", "charset"), None);
        assert_eq!(
            header_params("x; name=\"unterminated"),
            vec![("name".into(), "unterminated".into())]
        );
        assert_eq!(
            header_params("x; name=\"C:\\dir\\f.txt\""),
            vec![("name".into(), "C:\\dir\\f.txt".into())]
        );
    }

    // --- JSON ---

    #[test]
    fn json_bodies() {
        let ok =
            |mt: &str, ct: &str| value(parse_as(mt, None, None, ct, br#"{"a": [1, 2.5, null]}"#));
        assert_eq!(
            ok("application/json", "application/json"),
            json!({"a": [1, 2.5, null]})
        );
        assert_eq!(
            ok(
                "application/merge-patch+json",
                "application/merge-patch+json"
            ),
            json!({"a": [1, 2.5, null]})
        );
        assert_eq!(ok("text/json", "text/json"), json!({"a": [1, 2.5, null]}));
        assert_eq!(
            ok("application/*+json", "application/vnd.api+json"),
            json!({"a": [1, 2.5, null]})
        );
        assert_eq!(ok("*/*", "application/json"), json!({"a": [1, 2.5, null]}));
        assert_eq!(
            value(parse_as(
                "application/json",
                None,
                None,
                "application/json",
                b"\xEF\xBB\xBF[1]"
            )),
            json!([1])
        );
        let v = one_error(parse_as(
            "application/json",
            None,
            None,
            "application/json",
            b"{\n  \"a\": 1,\n}",
        ));
        assert_eq!(
            (v.place, v.name.as_str(), v.keyword.as_str(), v.malformed),
            (Place::Body, "", "syntax", true)
        );
        assert!(v.message.contains("line 3 column 1"), "{}", v.message);
        let v = one_error(parse_as(
            "application/json",
            None,
            None,
            "application/json",
            b"\"\xFF\"",
        ));
        assert!(v.malformed && v.message.contains("UTF-8"), "{v:?}");
        let v = one_error(parse_as(
            "application/json",
            None,
            None,
            "application/json",
            b"",
        ));
        assert!(v.malformed, "{v:?}");
        let deep = "[".repeat(100_000);
        assert!(parse_as(
            "application/json",
            None,
            None,
            "application/json",
            deep.as_bytes()
        )
        .is_err());
    }

    // --- forms ---

    fn form_schema() -> Value {
        json!({"type": "object", "properties": {
            "name": {"type": "string"},
            "age": {"type": "integer"},
            "ok": {"type": "boolean"},
            "tags": {"type": "array", "items": {"$ref": "#/$defs/Tag"}},
            "ids": {"type": "array", "items": {"type": "integer"}},
            "meta": {"type": "object", "properties": {"n": {"type": "integer"}}},
            "address": {"type": "object", "properties": {"zip": {"type": "integer"}}}
        }})
    }

    fn form(body: &str, encoding: Option<Value>) -> Result<Parsed, Vec<Violation>> {
        parse_as(
            "application/x-www-form-urlencoded",
            Some(form_schema()),
            encoding,
            "application/x-www-form-urlencoded",
            body.as_bytes(),
        )
    }

    #[test]
    fn form_bodies() {
        assert_eq!(
            value(form(
                "name=Al+B%C3%A9&age=30&ok=true&tags=a&tags=b&ids=1&ids=x&extra=1&extra=2",
                None
            )),
            json!({"name": "Al Bé", "age": 30, "ok": true, "tags": ["a", "b"], "ids": [1, "x"], "extra": ["1", "2"]})
        );
        assert_eq!(
            value(form("age=old&tags=one", None)),
            json!({"age": "old", "tags": ["one"]})
        );
        // A single-valued field sent twice: an array, for the validator to judge.
        assert_eq!(value(form("age=1&age=2", None)), json!({"age": [1, 2]}));
        assert_eq!(value(form("", None)), json!({}));
        assert_eq!(
            value(form("name=&age=", None)),
            json!({"name": "", "age": ""})
        );
        // Non-exploded and delimited arrays.
        let enc = json!({"ids": {"explode": false}, "tags": {"style": "pipeDelimited", "explode": false}});
        assert_eq!(
            value(form("ids=1,2,3&tags=a|b", Some(enc))),
            json!({"ids": [1, 2, 3], "tags": ["a", "b"]})
        );
        // JSON fields.
        let enc = json!({"meta": {"contentType": "application/json"}});
        assert_eq!(
            value(form("meta=%7B%22n%22%3A1%7D", Some(enc.clone()))),
            json!({"meta": {"n": 1}})
        );
        let v = one_error(form("meta=%7Bn", Some(enc)));
        assert_eq!(
            (v.name.as_str(), v.keyword.as_str(), v.malformed),
            ("/meta", "syntax", true)
        );
        // Bracketed keys.
        assert_eq!(
            value(form(
                "address[zip]=75001&meta[n]=2&tags[]=x&tags[]=y&ids[1]=5&ids[0]=4",
                None
            )),
            json!({"address": {"zip": 75001}, "meta": {"n": 2}, "tags": ["x", "y"], "ids": [4, 5]})
        );
        // Undeclared fields with brackets, and a declared string sent as an object.
        assert_eq!(
            value(form("x[a]=1&x[b][c]=2&u[]=1&u[]=2&name[first]=A", None)),
            json!({"x": {"a": "1", "b": {"c": "2"}}, "u": ["1", "2"], "name": {"first": "A"}})
        );
        let enc = json!({"address": {"style": "deepObject"}});
        assert_eq!(
            value(form("address[zip]=1", Some(enc))),
            json!({"address": {"zip": 1}})
        );
        let enc = json!({"address": {"style": "form", "explode": false}});
        assert_eq!(
            value(form("address=zip,12", Some(enc))),
            json!({"address": {"zip": 12}})
        );
        // Malformed.
        let v = one_error(form("name=%FF", None));
        assert_eq!(
            (v.name.as_str(), v.keyword.as_str(), v.malformed),
            ("/name", "syntax", true)
        );
        let v = one_error(form("address[zip=1", None));
        assert!(v.malformed && v.name == "/address", "{v:?}");
        let errs = form("name=%FF&age=%FE", None).unwrap_err();
        assert_eq!(errs.len(), 2);
        // Field names with a slash are escaped in pointers.
        let v = one_error(parse_as(
            "application/x-www-form-urlencoded",
            None,
            None,
            "",
            b"a%2Fb=%FF",
        ));
        assert_eq!(v.name, "/a~1b");
    }

    // --- multipart ---

    fn multipart_schema() -> Value {
        json!({"type": "object", "properties": {
            "title": {"type": "string"},
            "count": {"type": "integer"},
            "avatar": {"type": "string", "format": "binary"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "nums": {"type": "array", "items": {"type": "integer"}},
            "meta": {"type": "object", "properties": {"n": {"type": "integer"}}},
            "doc": {"type": "string", "contentMediaType": "application/pdf"}
        }})
    }

    fn multipart(parts: &[(&str, &[u8])]) -> Vec<u8> {
        let mut body = b"preamble to ignore\r\n".to_vec();
        for (headers, content) in parts {
            body.extend_from_slice(b"--XyZ\r\n");
            body.extend_from_slice(headers.as_bytes());
            body.extend_from_slice(b"\r\n\r\n");
            body.extend_from_slice(content);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(b"--XyZ--\r\nepilogue");
        body
    }

    const CT: &str = "multipart/form-data; boundary=XyZ";

    fn mp(body: &[u8], encoding: Option<Value>) -> Result<Parsed, Vec<Violation>> {
        parse_as(
            "multipart/form-data",
            Some(multipart_schema()),
            encoding,
            CT,
            body,
        )
    }

    #[test]
    fn multipart_bodies() {
        let png: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\xff";
        let body = multipart(&[
            ("Content-Disposition: form-data; name=\"title\"", b"Hello, world"),
            ("content-disposition: form-data; name=count", b"42"),
            ("Content-Disposition: form-data; name=\"avatar\"; filename=\"a.png\"\r\nContent-Type: image/png", png),
            ("Content-Disposition: form-data; name=\"tags\"", b"red"),
            ("Content-Disposition: form-data; name=\"tags\"", b"blue"),
            ("Content-Disposition: form-data; name=\"nums\"", b"1"),
            ("Content-Disposition: form-data; name=\"meta\"\r\nContent-Type: application/json", b"{\"n\": 3}"),
            ("Content-Disposition: form-data; name=\"doc\"\r\nContent-Type: application/json", b"%PDF-1.4"),
            ("Content-Disposition: form-data; name=\"extra\"; filename*=UTF-8''%E2%82%AC.txt", b"text file"),
        ]);
        let v = value(mp(&body, None));
        assert_eq!(v["title"], json!("Hello, world"));
        assert_eq!(v["count"], json!(42));
        let avatar = v["avatar"].as_str().unwrap();
        assert_eq!(avatar.chars().count(), png.len());
        assert_eq!(v["tags"], json!(["red", "blue"]));
        assert_eq!(v["nums"], json!([1]));
        assert_eq!(v["meta"], json!({"n": 3}));
        assert_eq!(v["doc"], json!("%PDF-1.4"));
        assert_eq!(v["extra"], json!("text file"));
        // An object without a Content-Type defaults to JSON; a JSON part may hold a whole array.
        let body = multipart(&[
            (
                "Content-Disposition: form-data; name=\"meta\"",
                b"{\"n\": 4}",
            ),
            (
                "Content-Disposition: form-data; name=\"nums\"\r\nContent-Type: application/json",
                b"[1, 2]",
            ),
            ("Content-Disposition: form-data; name=\"count\"", b"many"),
        ]);
        assert_eq!(
            value(mp(&body, None)),
            json!({"meta": {"n": 4}, "nums": [1, 2], "count": "many"})
        );
        // Encoding says JSON for a part that does not say.
        let body = multipart(&[(
            "Content-Disposition: form-data; name=\"title\"",
            b"\"quoted\"",
        )]);
        let enc = json!({"title": {"contentType": "application/json"}});
        assert_eq!(value(mp(&body, Some(enc))), json!({"title": "quoted"}));
        // Bare LF line breaks, no preamble, an empty part.
        let body = b"--XyZ\nContent-Disposition: form-data; name=\"title\"\n\n\n--XyZ--";
        assert_eq!(value(mp(body, None)), json!({"title": ""}));
        // Latin-1 text part.
        let body = multipart(&[("Content-Disposition: form-data; name=\"title\"\r\nContent-Type: text/plain; charset=ISO-8859-1", b"caf\xe9")]);
        assert_eq!(value(mp(&body, None)), json!({"title": "café"}));
        // A quoted boundary.
        let body = multipart(&[("Content-Disposition: form-data; name=\"count\"", b"1")]);
        let r = parse_as(
            "multipart/form-data",
            Some(multipart_schema()),
            None,
            "multipart/form-data; boundary=\"XyZ\"",
            &body,
        );
        assert_eq!(value(r), json!({"count": 1}));
        // No parts at all.
        assert_eq!(value(mp(b"--XyZ--", None)), json!({}));
    }

    #[test]
    fn multipart_content_types() {
        let enc = json!({"avatar": {"contentType": "image/png, image/jpeg"}, "doc": {"contentType": "application/*"}});
        let body = multipart(&[
            ("Content-Disposition: form-data; name=\"avatar\"; filename=a.jpg\r\nContent-Type: image/jpeg", b"\xff\xd8"),
            ("Content-Disposition: form-data; name=\"doc\"; filename=a.pdf\r\nContent-Type: application/pdf", b"%PDF"),
        ]);
        assert!(mp(&body, Some(enc.clone())).is_ok());
        let body = multipart(&[
            ("Content-Disposition: form-data; name=\"avatar\"; filename=a.gif\r\nContent-Type: image/gif", b"GIF89a"),
            ("Content-Disposition: form-data; name=\"doc\"; filename=a.txt\r\nContent-Type: text/plain", b"x"),
        ]);
        let errs = mp(&body, Some(enc)).unwrap_err();
        assert_eq!(errs.len(), 2);
        assert_eq!(
            (
                errs[0].name.as_str(),
                errs[0].keyword.as_str(),
                errs[0].malformed
            ),
            ("/avatar", "contentType", false)
        );
        assert_eq!(
            errs[0].message,
            "part \"avatar\" is sent as image/gif but its encoding allows image/png, image/jpeg"
        );
        assert_eq!(errs[1].name, "/doc");
    }

    #[test]
    fn multipart_malformed() {
        let part = multipart(&[("Content-Disposition: form-data; name=\"count\"", b"1")]);
        for ct in [
            "multipart/form-data",
            "multipart/form-data; boundary=",
            "multipart/form-data; boundary=\"\"",
        ] {
            let v = one_error(parse_as("multipart/form-data", None, None, ct, &part));
            assert!(
                v.malformed && v.keyword == "syntax" && v.message.contains("boundary"),
                "{v:?}"
            );
        }
        let long = format!("multipart/form-data; boundary={}", "x".repeat(300));
        assert!(one_error(parse_as("multipart/form-data", None, None, &long, &part)).malformed);
        let cases: [&[u8]; 7] = [
            b"",
            b"no boundary here",
            b"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nunterminated",
            b"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--XyZ",
            b"--XyZgarbage\r\n",
            b"--XyZ\r\nno blank line\r\n--XyZ--",
            b"--XyZ\r\nbroken header\r\n\r\nx\r\n--XyZ--",
        ];
        for body in cases {
            let v = one_error(mp(body, None));
            assert!(
                v.malformed && v.keyword == "syntax" && v.name.is_empty(),
                "{:?}: {v:?}",
                String::from_utf8_lossy(body)
            );
        }
        // A part without a name.
        let body = multipart(&[("Content-Type: text/plain", b"x")]);
        assert!(one_error(mp(&body, None)).message.contains("no name"));
        // A broken JSON part.
        let body = multipart(&[(
            "Content-Disposition: form-data; name=\"meta\"\r\nContent-Type: application/json",
            b"{",
        )]);
        let v = one_error(mp(&body, None));
        assert_eq!(
            (v.name.as_str(), v.keyword.as_str(), v.malformed),
            ("/meta", "syntax", true)
        );
        // A text part that is not UTF-8.
        let body = multipart(&[(
            "Content-Disposition: form-data; name=\"title\"",
            b"\xff\xfe",
        )]);
        let v = one_error(mp(&body, None));
        assert_eq!((v.name.as_str(), v.keyword.as_str()), ("/title", "syntax"));
        // An unsupported charset.
        let body = multipart(&[("Content-Disposition: form-data; name=\"title\"\r\nContent-Type: text/plain; charset=utf-16", b"x")]);
        assert_eq!(one_error(mp(&body, None)).keyword, "contentType");
    }

    // --- text and the rest ---

    #[test]
    fn text_bodies() {
        let t = |ct: &str, body: &[u8]| parse_as("text/plain", None, None, ct, body);
        assert_eq!(value(t("text/plain", "héllo".as_bytes())), json!("héllo"));
        assert_eq!(value(t("text/plain; charset=UTF-8", b"x")), json!("x"));
        assert_eq!(
            value(t("text/plain; charset=iso-8859-1", b"caf\xe9")),
            json!("café")
        );
        assert_eq!(
            value(t("text/plain; charset=us-ascii", b"abc")),
            json!("abc")
        );
        assert!(one_error(t("text/plain; charset=us-ascii", b"caf\xe9")).malformed);
        let v = one_error(t("text/plain", b"caf\xe9"));
        assert_eq!(
            (v.name.as_str(), v.keyword.as_str(), v.malformed),
            ("", "syntax", true)
        );
        assert_eq!(
            one_error(t("text/plain; charset=shift_jis", b"x")).keyword,
            "contentType"
        );
        assert_eq!(
            value(parse_as("text/csv", None, None, "text/csv", b"a,b")),
            json!("a,b")
        );
        assert_eq!(
            value(parse_as("text/*", None, None, "text/html", b"<p>")),
            json!("<p>")
        );
        // A text body whose schema is a number is read as one.
        let n = parse_as(
            "text/plain",
            Some(json!({"type": "integer"})),
            None,
            "text/plain",
            b"42",
        );
        assert_eq!(value(n), json!(42));
        let s = parse_as(
            "text/plain",
            Some(json!({"type": "string"})),
            None,
            "text/plain",
            b"42",
        );
        assert_eq!(value(s), json!("42"));
    }

    #[test]
    fn opaque_bodies() {
        for (mt, ct) in [
            ("application/octet-stream", "application/octet-stream"),
            ("image/png", "image/png"),
            ("application/xml", "application/xml"),
            ("image/*", "image/jpeg"),
            ("*/*", "application/pdf"),
            ("*/*", ""),
            ("multipart/mixed", "multipart/mixed; boundary=x"),
        ] {
            assert_eq!(
                parse_as(mt, None, None, ct, b"\x00\xff").unwrap(),
                Parsed::Opaque,
                "{mt}"
            );
        }
    }

    #[test]
    fn garbage_never_panics() {
        let enc = json!({"avatar": {"contentType": "image/*"}, "meta": {"contentType": "application/json", "style": "deepObject"}});
        let kinds = [
            ("application/json", "application/json"),
            (
                "application/x-www-form-urlencoded",
                "application/x-www-form-urlencoded",
            ),
            ("multipart/form-data", CT),
            ("text/plain", "text/plain; charset=latin1"),
            ("*/*", "multipart/form-data; boundary=-"),
        ];
        let alphabet: &[u8] = b"--XyZ\r\n:;=\"[]&%{}Content-Disposition: form-data; name=\xff\x00";
        let mut seed = 0x2545f4914f6cdd1du64;
        for round in 0..3000 {
            let len = (seed % 300) as usize;
            let mut body: Vec<u8> = Vec::with_capacity(len);
            for _ in 0..len {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                body.push(alphabet[(seed % alphabet.len() as u64) as usize]);
            }
            if round % 3 == 0 {
                body.splice(
                    0..0,
                    b"--XyZ\r\nContent-Disposition: form-data; name=\"meta\"\r\n\r\n"
                        .iter()
                        .copied(),
                );
            }
            let (mt, ct) = kinds[round % kinds.len()];
            let _ = parse_as(mt, Some(multipart_schema()), Some(enc.clone()), ct, &body);
            let _ = media_matches(&String::from_utf8_lossy(&body), ct);
            let _ = header_params(&String::from_utf8_lossy(&body));
        }
    }
}

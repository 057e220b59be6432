//! Swagger 2.0 into OpenAPI 3.0.3. The document is rewritten as a `Value` that the OpenAPI 3
//! loader then reads, so Swagger needs no model code of its own.
//!
//! Errors point into the Swagger document as written. What has no OpenAPI 3.0 equivalent is
//! kept as an `x-` extension (`x-collectionFormat: tsv`) rather than dropped silently.

use super::{describe, LoadError, LoadErrors};
use crate::media::essence_str as essence;
use crate::schema::{escape_pointer_token, unescape_pointer_token};
use serde_json::{json, Map, Value};

const JSON: &str = "application/json";
const URLENCODED: &str = "application/x-www-form-urlencoded";
const MULTIPART: &str = "multipart/form-data";
const METHODS: [&str; 7] = ["get", "put", "post", "delete", "options", "head", "patch"];
/// Fields of a non-body parameter, header or items object that describe the value, and so
/// move into the OpenAPI 3 `schema`.
const SCHEMA_FIELDS: [&str; 18] = [
    "type",
    "format",
    "items",
    "default",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "enum",
    "multipleOf",
    "x-nullable",
    "$ref",
];
const MAX_DEPTH: usize = 200;

/// Converts a Swagger 2.0 document into an equivalent OpenAPI 3.0.3 document. `file` names the
/// document in error messages; every problem found is reported, not only the first.
pub fn to_openapi30(doc: &Value, file: &str) -> Result<Value, LoadErrors> {
    let mut c = Converter {
        file,
        doc,
        errors: Vec::new(),
        consumes: Vec::new(),
        produces: Vec::new(),
    };
    let out = c.document();
    if c.errors.is_empty() {
        Ok(out)
    } else {
        Err(LoadErrors(c.errors))
    }
}

struct Converter<'a> {
    file: &'a str,
    doc: &'a Value,
    errors: Vec<LoadError>,
    /// The document's `consumes`/`produces`, as written (possibly empty).
    consumes: Vec<String>,
    produces: Vec<String>,
}

/// One entry of a parameter list, with `$ref`s to the document's `parameters` resolved far
/// enough to know where the value travels.
struct Param<'a> {
    /// `(name, in)`, when known: for overriding path-level parameters.
    key: Option<(String, String)>,
    kind: Kind<'a>,
}

enum Kind<'a> {
    /// An OpenAPI 3 parameter (or a `$ref` to one), ready for a `parameters` list.
    Out(Value),
    /// An `in: body` parameter; `global` names it when it came from the document's
    /// `parameters` (and so also exists under `components/requestBodies`).
    Body {
        param: &'a Map<String, Value>,
        at: String,
        global: Option<String>,
    },
    /// An `in: formData` parameter: one property of a form request body.
    Form {
        param: &'a Map<String, Value>,
        at: String,
    },
}

/// How an array parameter is serialized, in OpenAPI 3 terms.
struct Style {
    style: &'static str,
    explode: bool,
    /// The Swagger `collectionFormat`, when OpenAPI 3 cannot say it exactly.
    lost: Option<String>,
}

fn child(at: &str, token: &str) -> String {
    format!("{at}/{}", escape_pointer_token(token))
}

/// A name as a token of a `$ref` fragment (loaders percent-decode fragments).
fn ref_token(name: &str) -> String {
    escape_pointer_token(name).replace('%', "%25")
}

/// The list in force, or `application/json` when it is empty.
fn effective(list: &[String]) -> Vec<String> {
    if list.is_empty() {
        vec![JSON.to_string()]
    } else {
        list.to_vec()
    }
}

fn extensions(obj: &Map<String, Value>, out: &mut Map<String, Value>) {
    for (k, v) in obj {
        if k.starts_with("x-") {
            out.insert(k.clone(), v.clone());
        }
    }
}

impl<'a> Converter<'a> {
    fn error(&mut self, at: &str, message: impl Into<String>) {
        let e = LoadError::new(self.file, at, message);
        if !self.errors.contains(&e) {
            self.errors.push(e);
        }
    }

    fn document(&mut self) -> Value {
        let doc: &'a Value = self.doc;
        let Some(root) = doc.as_object() else {
            self.error(
                "",
                format!(
                    "expected a Swagger 2.0 document (an object), found {}",
                    describe(doc)
                ),
            );
            return Value::Null;
        };
        match root.get("swagger") {
            Some(Value::String(s)) if s == "2.0" => {}
            Some(Value::Number(n)) if n.as_f64() == Some(2.0) => {}
            Some(other) => self.error(
                "/swagger",
                format!("expected `swagger: \"2.0\"`, found {}", describe(other)),
            ),
            None => self.error(
                "",
                "expected a Swagger 2.0 document: no `swagger` field found",
            ),
        }
        self.consumes = self
            .media_list(root.get("consumes"), "/consumes")
            .unwrap_or_default();
        self.produces = self
            .media_list(root.get("produces"), "/produces")
            .unwrap_or_default();

        let mut out = Map::new();
        out.insert("openapi".into(), "3.0.3".into());
        match root.get("info") {
            Some(info @ Value::Object(_)) => {
                out.insert("info".into(), info.clone());
            }
            Some(other) => self.error(
                "/info",
                format!("expected an info object, found {}", describe(other)),
            ),
            None => {}
        }
        if let Some(v) = root.get("externalDocs") {
            out.insert("externalDocs".into(), v.clone());
        }
        let servers = self.servers(root);
        if !servers.is_empty() {
            out.insert("servers".into(), Value::Array(servers));
        }
        if let Some(v) = root.get("tags") {
            out.insert("tags".into(), v.clone());
        }
        match root.get("paths") {
            Some(Value::Object(paths)) => {
                let mut po = Map::with_capacity(paths.len());
                for (path, item) in paths {
                    if path.starts_with("x-") {
                        po.insert(path.clone(), item.clone());
                        continue;
                    }
                    if let Some(item) = self.path_item(item, &child("/paths", path)) {
                        po.insert(path.clone(), item);
                    }
                }
                out.insert("paths".into(), Value::Object(po));
            }
            Some(other) => self.error(
                "/paths",
                format!("expected an object of paths, found {}", describe(other)),
            ),
            // The OpenAPI loader reports a document without paths.
            None => {}
        }
        let components = self.components(root);
        if !components.is_empty() {
            out.insert("components".into(), Value::Object(components));
        }
        if let Some(v) = root.get("security") {
            out.insert("security".into(), v.clone());
        }
        extensions(root, &mut out);
        Value::Object(out)
    }

    /// `consumes`/`produces`: `None` when absent (or broken, which is reported).
    fn media_list(&mut self, v: Option<&Value>, at: &str) -> Option<Vec<String>> {
        match v? {
            Value::Array(a) => {
                let mut out = Vec::with_capacity(a.len());
                for (i, x) in a.iter().enumerate() {
                    match x.as_str() {
                        Some(s) => out.push(s.to_string()),
                        None => self.error(
                            &child(at, &i.to_string()),
                            format!("expected a media type string, found {}", describe(x)),
                        ),
                    }
                }
                Some(out)
            }
            other => {
                self.error(
                    at,
                    format!(
                        "expected an array of media types, found {}",
                        describe(other)
                    ),
                );
                None
            }
        }
    }

    /// `host` + `basePath` + `schemes` → `servers`.
    fn servers(&mut self, root: &Map<String, Value>) -> Vec<Value> {
        let mut text = |key: &str, what: &str| match root.get(key) {
            None => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => {
                self.error(
                    &child("", key),
                    format!("expected {what}, found {}", describe(other)),
                );
                None
            }
        };
        let host = text("host", "a host name string (like api.example.com)");
        let base_path = text("basePath", "a path string starting with '/'");
        let mut schemes = Vec::new();
        match root.get("schemes") {
            None => {}
            Some(Value::Array(a)) => {
                for (i, s) in a.iter().enumerate() {
                    match s.as_str() {
                        Some(s) => schemes.push(s.to_ascii_lowercase()),
                        None => self.error(
                            &format!("/schemes/{i}"),
                            format!(
                                "expected a scheme string (like https), found {}",
                                describe(s)
                            ),
                        ),
                    }
                }
            }
            Some(other) => self.error(
                "/schemes",
                format!(
                    "expected an array of schemes (like [\"https\"]), found {}",
                    describe(other)
                ),
            ),
        }
        let base = match base_path {
            Some(b) if b.starts_with('/') => b.trim_end_matches('/').to_string(),
            Some(b) if !b.is_empty() => format!("/{}", b.trim_end_matches('/')),
            _ => String::new(),
        };
        let mut urls: Vec<String> = Vec::new();
        match host {
            Some(host) if !host.is_empty() => {
                let host = host.trim_end_matches('/');
                if schemes.is_empty() {
                    schemes.push("https".into());
                }
                for scheme in &schemes {
                    let url = if host.contains("://") {
                        format!("{host}{base}")
                    } else {
                        format!("{scheme}://{host}{base}")
                    };
                    if !urls.contains(&url) {
                        urls.push(url);
                    }
                }
            }
            _ => {
                if !base.is_empty() {
                    urls.push(base);
                }
            }
        }
        urls.into_iter().map(|url| json!({ "url": url })).collect()
    }

    fn components(&mut self, root: &'a Map<String, Value>) -> Map<String, Value> {
        let mut schemas = Map::new();
        let mut parameters = Map::new();
        let mut request_bodies = Map::new();
        let mut responses = Map::new();
        let mut security = Map::new();
        match root.get("definitions") {
            Some(Value::Object(defs)) => {
                for (name, s) in defs {
                    let s = self.schema(s, &child("/definitions", name), 0);
                    schemas.insert(name.clone(), s);
                }
            }
            Some(other) => self.error(
                "/definitions",
                format!("expected an object of schemas, found {}", describe(other)),
            ),
            None => {}
        }
        match root.get("parameters") {
            Some(Value::Object(params)) => {
                let consumes = effective(&self.consumes);
                for (name, p) in params {
                    let at = child("/parameters", name);
                    let Some(obj) = p.as_object() else {
                        self.error(
                            &at,
                            format!("expected a parameter object, found {}", describe(p)),
                        );
                        continue;
                    };
                    if let Some(r) = obj.get("$ref") {
                        if let Some(r) = self.ref_string(r, &child(&at, "$ref")) {
                            parameters.insert(name.clone(), json!({ "$ref": r }));
                        }
                        continue;
                    }
                    let Some(param) = self.classify(obj, &at, None) else {
                        continue;
                    };
                    match param.kind {
                        Kind::Out(v) => {
                            parameters.insert(name.clone(), v);
                        }
                        Kind::Body { param, at, .. } => {
                            let body = self.body(param, &at, &consumes);
                            request_bodies.insert(name.clone(), body);
                        }
                        Kind::Form { param, at } => {
                            let body = self.form_body(&[(param, at)], &consumes);
                            request_bodies.insert(name.clone(), body);
                        }
                    }
                }
            }
            Some(other) => self.error(
                "/parameters",
                format!(
                    "expected an object of parameters, found {}",
                    describe(other)
                ),
            ),
            None => {}
        }
        match root.get("responses") {
            Some(Value::Object(rs)) => {
                let produces = effective(&self.produces);
                for (name, r) in rs {
                    if let Some(r) = self.response(r, &child("/responses", name), &produces) {
                        responses.insert(name.clone(), r);
                    }
                }
            }
            Some(other) => self.error(
                "/responses",
                format!("expected an object of responses, found {}", describe(other)),
            ),
            None => {}
        }
        match root.get("securityDefinitions") {
            Some(Value::Object(defs)) => {
                for (name, s) in defs {
                    let at = child("/securityDefinitions", name);
                    if let Some(s) = self.security_scheme(s, &at) {
                        security.insert(name.clone(), s);
                    }
                }
            }
            Some(other) => self.error(
                "/securityDefinitions",
                format!(
                    "expected an object of security schemes, found {}",
                    describe(other)
                ),
            ),
            None => {}
        }
        let mut out = Map::new();
        for (key, m) in [
            ("schemas", schemas),
            ("responses", responses),
            ("parameters", parameters),
            ("requestBodies", request_bodies),
            ("securitySchemes", security),
        ] {
            if !m.is_empty() {
                out.insert(key.into(), Value::Object(m));
            }
        }
        out
    }

    /// A `$ref` value, rewritten; `None` (reported) when it is not a string.
    fn ref_string(&mut self, r: &Value, at: &str) -> Option<String> {
        match r.as_str() {
            Some(s) => Some(self.rewrite_ref(s, at)),
            None => {
                self.error(at, format!("expected a $ref string, found {}", describe(r)));
                None
            }
        }
    }

    /// A reference, pointing where its target is after conversion. Within the document every
    /// moved place is followed (see [`Converter::relocate`]): `#/definitions/X` →
    /// `#/components/schemas/X`, `#/parameters/X` → `#/components/parameters/X` (or
    /// `requestBodies` for a body or form parameter), `#/responses/X` →
    /// `#/components/responses/X`, and pointers into operations, such as another operation's
    /// response schema. Other files keep their file part and have their top-level sections
    /// renamed; local references that point at nothing are reported here, where the pointer is
    /// still the author's.
    fn rewrite_ref(&mut self, r: &str, at: &str) -> String {
        let Some((file_part, fragment)) = r.split_once('#') else {
            return r.to_string();
        };
        let decoded = percent_encoding::percent_decode_str(fragment)
            .decode_utf8_lossy()
            .into_owned();
        if file_part.is_empty() && decoded.starts_with('/') {
            if self.doc.pointer(&decoded).is_none() {
                self.error(
                    at,
                    format!("$ref \"{r}\" points at nothing: #{decoded} does not exist"),
                );
                return r.to_string();
            }
            let tokens: Vec<String> = decoded[1..]
                .split('/')
                .map(unescape_pointer_token)
                .collect();
            let moved = self.relocate(&tokens);
            if moved == tokens {
                return r.to_string();
            }
            return format!("#{}", fragment_of(&moved));
        }
        // Another file: what it holds is not known here, only its sections are renamed.
        let rewritten = if let Some(rest) = fragment.strip_prefix("/definitions/") {
            format!("/components/schemas/{rest}")
        } else if let Some(rest) = fragment.strip_prefix("/parameters/") {
            format!("/components/parameters/{rest}")
        } else if let Some(rest) = fragment.strip_prefix("/responses/") {
            format!("/components/responses/{rest}")
        } else {
            fragment.to_string()
        };
        format!("{file_part}#{rewritten}")
    }

    /// Where the value at `tokens` (a pointer into the Swagger document, unescaped) is in the
    /// converted document. Places that did not move are returned as they are, and so are the
    /// few that have no single new place (a path-level body parameter, copied into each
    /// operation; the inside of a form field).
    fn relocate(&self, tokens: &[String]) -> Vec<String> {
        let joined = |head: &[&str], tail: Vec<String>| -> Vec<String> {
            head.iter().map(|s| s.to_string()).chain(tail).collect()
        };
        let doc: &'a Value = self.doc;
        match tokens {
            [first, name, rest @ ..] if first == "definitions" => {
                joined(&["components", "schemas", name], rest.to_vec())
            }
            [first, name, rest @ ..] if first == "parameters" => {
                let param = doc.get("parameters").and_then(|p| p.get(name));
                match param.and_then(|p| p.get("in")).and_then(Value::as_str) {
                    Some("body") => joined(
                        &["components", "requestBodies", name],
                        body_rest(rest, &effective(&self.consumes)),
                    ),
                    Some("formData") if rest.is_empty() => {
                        joined(&["components", "requestBodies", name], Vec::new())
                    }
                    Some("formData") => tokens.to_vec(),
                    _ => joined(&["components", "parameters", name], param_rest(rest)),
                }
            }
            [first, name, rest @ ..] if first == "responses" => {
                let response = doc.get("responses").and_then(|r| r.get(name));
                joined(
                    &["components", "responses", name],
                    response_rest(response, rest, &effective(&self.produces)),
                )
            }
            [first, path, rest @ ..] if first == "paths" => {
                let item = doc.get("paths").and_then(|p| p.get(path));
                match self.relocate_in_path(item, rest) {
                    Some(tail) => joined(&["paths", path], tail),
                    None => tokens.to_vec(),
                }
            }
            _ => tokens.to_vec(),
        }
    }

    /// [`Converter::relocate`] inside the path item `item`: `rest` is the pointer from the
    /// item; `None` when the place has no single new one.
    fn relocate_in_path(&self, item: Option<&'a Value>, rest: &[String]) -> Option<Vec<String>> {
        let item = item?;
        match rest {
            [first, i, tail @ ..] if first == "parameters" => {
                let list = item.get("parameters")?.as_array()?;
                let (kept, entry) = self.kept_index(list, i)?;
                if matches!(self.param_in(entry), Some("body" | "formData")) {
                    return None;
                }
                Some(
                    ["parameters".to_string(), kept.to_string()]
                        .into_iter()
                        .chain(param_rest(tail))
                        .collect(),
                )
            }
            [method, what, tail @ ..] if METHODS.contains(&method.as_str()) => {
                let op = item.get(method)?;
                let head = |more: &[&str]| -> Vec<String> {
                    std::iter::once(method.clone())
                        .chain(more.iter().map(|s| s.to_string()))
                        .collect()
                };
                match (what.as_str(), tail) {
                    ("parameters", [i, tail @ ..]) => {
                        let list = op.get("parameters")?.as_array()?;
                        let (kept, entry) = self.kept_index(list, i)?;
                        match self.param_in(entry) {
                            Some("body") if entry.get("$ref").is_none() => {
                                let consumes = self.op_media(op, "consumes", &self.consumes);
                                let mut out = head(&["requestBody"]);
                                out.extend(body_rest(tail, &consumes));
                                Some(out)
                            }
                            Some("body" | "formData") => None,
                            _ => {
                                let mut out = head(&["parameters", &kept.to_string()]);
                                out.extend(param_rest(tail));
                                Some(out)
                            }
                        }
                    }
                    ("responses", [code, tail @ ..]) => {
                        let produces = self.op_media(op, "produces", &self.produces);
                        let response = op.get("responses").and_then(|r| r.get(code));
                        let mut out = head(&["responses", code]);
                        out.extend(response_rest(response, tail, &produces));
                        Some(out)
                    }
                    _ => Some(rest.to_vec()),
                }
            }
            _ => Some(rest.to_vec()),
        }
    }

    /// The entry `i` of a Swagger parameter list, and its index in the converted list (from
    /// which body and form parameters left for the request body).
    fn kept_index(&self, list: &'a [Value], i: &str) -> Option<(usize, &'a Value)> {
        let i: usize = i.parse().ok()?;
        let entry = list.get(i)?;
        let kept = list[..i]
            .iter()
            .filter(|p| !matches!(self.param_in(p), Some("body" | "formData")))
            .count();
        Some((kept, entry))
    }

    /// Where a parameter (or a `$ref` to one in this document) travels: its `in`.
    fn param_in(&self, p: &'a Value) -> Option<&'a str> {
        let mut p = p;
        for _ in 0..8 {
            let Some(r) = p.get("$ref") else {
                return p.get("in").and_then(Value::as_str);
            };
            p = self.local_target(r.as_str()?)?;
        }
        None
    }

    /// The value a local reference (`#/...`, percent-encoded or not) points at.
    fn local_target(&self, r: &str) -> Option<&'a Value> {
        let doc: &'a Value = self.doc;
        let fragment = r.strip_prefix('#')?;
        let decoded = percent_encoding::percent_decode_str(fragment).decode_utf8_lossy();
        doc.pointer(&decoded)
    }

    /// An operation's own `consumes`/`produces` (`key`), else the document's, else JSON: the
    /// media types its converted body or responses have, in order.
    fn op_media(&self, op: &Value, key: &str, document: &[String]) -> Vec<String> {
        match op.get(key).and_then(Value::as_array) {
            Some(list) => effective(
                &list
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect::<Vec<_>>(),
            ),
            None => effective(document),
        }
    }

    fn global_param(&self, name: &str) -> Option<&'a Map<String, Value>> {
        let doc: &'a Value = self.doc;
        doc.get("parameters")?.get(name)?.as_object()
    }

    /// Converts a schema: `x-nullable` → `nullable`, `type: file` → binary string, a string
    /// `discriminator` → `{propertyName}`, `$ref`s rewritten; everything else is kept.
    fn schema(&mut self, v: &Value, at: &str, depth: usize) -> Value {
        if depth > MAX_DEPTH {
            self.error(at, format!("schema nests deeper than {MAX_DEPTH} levels"));
            return json!({});
        }
        let obj = match v {
            Value::Object(o) => o,
            Value::Bool(_) => return v.clone(),
            other => {
                self.error(
                    at,
                    format!("expected a schema (an object), found {}", describe(other)),
                );
                return json!({});
            }
        };
        let is_file = obj.get("type").and_then(Value::as_str) == Some("file");
        let mut out = Map::with_capacity(obj.len());
        for (k, x) in obj {
            let kat = child(at, k);
            let converted = match k.as_str() {
                "$ref" => match self.ref_string(x, &kat) {
                    Some(r) => Value::String(r),
                    None => continue,
                },
                "type" if is_file => {
                    out.insert("type".into(), "string".into());
                    out.insert("format".into(), "binary".into());
                    continue;
                }
                "format" if is_file => continue,
                "x-nullable" => match x {
                    Value::Bool(true) => {
                        out.insert("nullable".into(), Value::Bool(true));
                        continue;
                    }
                    Value::Bool(false) => continue,
                    other => other.clone(),
                },
                "discriminator" => match x {
                    Value::String(s) => json!({ "propertyName": s }),
                    other => other.clone(),
                },
                "properties" | "patternProperties" | "definitions" => match x {
                    Value::Object(m) => {
                        let mut mm = Map::with_capacity(m.len());
                        for (name, s) in m {
                            mm.insert(name.clone(), self.schema(s, &child(&kat, name), depth + 1));
                        }
                        Value::Object(mm)
                    }
                    other => {
                        self.error(
                            &kat,
                            format!("expected an object of schemas, found {}", describe(other)),
                        );
                        continue;
                    }
                },
                "allOf" | "anyOf" | "oneOf" => match x {
                    Value::Array(a) => Value::Array(
                        a.iter()
                            .enumerate()
                            .map(|(i, s)| self.schema(s, &child(&kat, &i.to_string()), depth + 1))
                            .collect(),
                    ),
                    other => {
                        self.error(
                            &kat,
                            format!("expected an array of schemas, found {}", describe(other)),
                        );
                        continue;
                    }
                },
                "items" => match x {
                    Value::Array(a) => Value::Array(
                        a.iter()
                            .enumerate()
                            .map(|(i, s)| self.schema(s, &child(&kat, &i.to_string()), depth + 1))
                            .collect(),
                    ),
                    other => self.schema(other, &kat, depth + 1),
                },
                "additionalProperties" | "additionalItems" | "not" => {
                    self.schema(x, &kat, depth + 1)
                }
                "dependencies" => match x {
                    Value::Object(m) => {
                        let mut mm = Map::with_capacity(m.len());
                        for (name, d) in m {
                            let d = match d {
                                Value::Array(_) => d.clone(),
                                s => self.schema(s, &child(&kat, name), depth + 1),
                            };
                            mm.insert(name.clone(), d);
                        }
                        Value::Object(mm)
                    }
                    other => other.clone(),
                },
                _ => x.clone(),
            };
            out.insert(k.clone(), converted);
        }
        Value::Object(out)
    }

    /// The schema of a non-body parameter, header or formData field: its value fields (see
    /// [`SCHEMA_FIELDS`]) gathered into a schema, or a (non-standard) `schema` it carries.
    fn value_schema(&mut self, p: &Map<String, Value>, at: &str) -> Option<Value> {
        if SCHEMA_FIELDS.iter().any(|k| p.contains_key(*k)) {
            let raw = value_fields(p, 0);
            return Some(self.schema(&raw, at, 0));
        }
        p.get("schema")
            .map(|s| self.schema(s, &child(at, "schema"), 0))
    }

    /// Swagger `collectionFormat` → OpenAPI 3 `style`/`explode` for a parameter in `location`
    /// (`None` for a value that is not an array and says nothing).
    fn style(&mut self, p: &Map<String, Value>, at: &str, location: &str) -> Option<Style> {
        let is_array = p.get("type").and_then(Value::as_str) == Some("array");
        let format = match p.get("collectionFormat") {
            None if is_array => "csv".to_string(),
            None => return None,
            Some(Value::String(s)) => s.to_ascii_lowercase(),
            Some(other) => {
                self.error(
                    &child(at, "collectionFormat"),
                    format!(
                        "expected `collectionFormat` to be one of csv, ssv, tsv, pipes, multi; found {}",
                        describe(other)
                    ),
                );
                return None;
            }
        };
        let form_like = matches!(location, "query" | "formData");
        let style = |style, explode, lost: bool| Style {
            style,
            explode,
            lost: lost.then(|| format.clone()),
        };
        Some(match format.as_str() {
            "csv" if form_like => style("form", false, false),
            "csv" => style("simple", false, false),
            "multi" if form_like => style("form", true, false),
            "ssv" if form_like => style("spaceDelimited", false, false),
            "pipes" if form_like => style("pipeDelimited", false, false),
            "tsv" if form_like => style("form", false, true),
            "multi" | "ssv" | "pipes" | "tsv" => style("simple", false, true),
            _ => {
                self.error(
                    &child(at, "collectionFormat"),
                    format!(
                        "expected `collectionFormat` to be one of csv, ssv, tsv, pipes, multi; found \"{format}\""
                    ),
                );
                return None;
            }
        })
    }

    /// A query, header or path parameter.
    fn simple_param(&mut self, p: &Map<String, Value>, at: &str, location: &str) -> Value {
        let mut out = Map::with_capacity(p.len());
        let mut schema_done = false;
        for (k, v) in p {
            match k.as_str() {
                "name" | "in" | "description" | "required" | "allowEmptyValue" | "deprecated"
                | "example" => {
                    out.insert(k.clone(), v.clone());
                }
                "x-example" => {
                    out.insert("example".into(), v.clone());
                }
                // The schema goes where the first of its fields was.
                k if (SCHEMA_FIELDS.contains(&k) || k == "schema") && !schema_done => {
                    schema_done = true;
                    if let Some(s) = self.value_schema(p, at) {
                        out.insert("schema".into(), s);
                    }
                }
                k if k.starts_with("x-") && !SCHEMA_FIELDS.contains(&k) => {
                    out.insert(k.to_string(), v.clone());
                }
                // `collectionFormat` is handled below; the rest has no OpenAPI 3 place.
                _ => {}
            }
        }
        if let Some(s) = self.style(p, at, location) {
            out.insert("style".into(), s.style.into());
            out.insert("explode".into(), s.explode.into());
            if let Some(lost) = s.lost {
                out.insert("x-collectionFormat".into(), lost.into());
            }
        }
        Value::Object(out)
    }

    /// Sorts one entry of a parameter list.
    fn classify(
        &mut self,
        p: &'a Map<String, Value>,
        at: &str,
        global: Option<String>,
    ) -> Option<Param<'a>> {
        let location = match p.get("in") {
            Some(Value::String(l))
                if matches!(
                    l.as_str(),
                    "query" | "header" | "path" | "formData" | "body"
                ) =>
            {
                l.as_str()
            }
            other => {
                self.error(
                    &child(at, "in"),
                    format!(
                        "expected `in` to be one of query, header, path, formData, body; found {}",
                        other.map(describe).unwrap_or_else(|| "nothing".into())
                    ),
                );
                return None;
            }
        };
        let name = p.get("name").and_then(Value::as_str);
        if location != "body" && name.is_none() {
            self.error(
                at,
                format!(
                    "expected the parameter to have a string `name`, found {}",
                    p.get("name").map(describe).unwrap_or_else(|| "none".into())
                ),
            );
            return None;
        }
        let key = Some((name.unwrap_or_default().to_string(), location.to_string()));
        let kind = match location {
            "body" => Kind::Body {
                param: p,
                at: at.to_string(),
                global,
            },
            "formData" => Kind::Form {
                param: p,
                at: at.to_string(),
            },
            _ => match global {
                Some(g) => Kind::Out(
                    json!({ "$ref": format!("#/components/parameters/{}", ref_token(&g)) }),
                ),
                None => Kind::Out(self.simple_param(p, at, location)),
            },
        };
        Some(Param { key, kind })
    }

    fn param_list(&mut self, v: Option<&'a Value>, at: &str) -> Vec<Param<'a>> {
        let mut out = Vec::new();
        match v {
            None => {}
            Some(Value::Array(list)) => {
                for (i, p) in list.iter().enumerate() {
                    if let Some(p) = self.param_entry(p, &child(at, &i.to_string())) {
                        out.push(p);
                    }
                }
            }
            Some(other) => self.error(
                at,
                format!("expected an array of parameters, found {}", describe(other)),
            ),
        }
        out
    }

    fn param_entry(&mut self, p: &'a Value, at: &str) -> Option<Param<'a>> {
        let Some(obj) = p.as_object() else {
            self.error(
                at,
                format!("expected a parameter object, found {}", describe(p)),
            );
            return None;
        };
        let Some(r) = obj.get("$ref") else {
            return self.classify(obj, at, None);
        };
        let rat = child(at, "$ref");
        let Some(r) = r.as_str() else {
            self.error(
                &rat,
                format!("expected a $ref string, found {}", describe(r)),
            );
            return None;
        };
        // A reference to the document's own `parameters`: look at it to know where it goes.
        if let Some(token) = r.strip_prefix("#/parameters/").filter(|t| !t.contains('/')) {
            let name = unescape_pointer_token(
                &percent_encoding::percent_decode_str(token).decode_utf8_lossy(),
            );
            let Some(global) = self.global_param(&name) else {
                self.error(
                    &rat,
                    format!(
                        "$ref \"{r}\" points at nothing: the document has no parameter \"{name}\""
                    ),
                );
                return None;
            };
            return self.classify(global, &child("/parameters", &name), Some(name));
        }
        // A reference to a body or form parameter elsewhere in the document (another
        // operation's): its value travels in this operation's request body too.
        if matches!(self.param_in(p), Some("body" | "formData")) {
            let mut target = p;
            let mut pointer = String::new();
            while let Some(next) = target.get("$ref").and_then(Value::as_str) {
                let next = next.to_string();
                match self.local_target(&next) {
                    Some(t) => {
                        target = t;
                        pointer = percent_encoding::percent_decode_str(&next[1..])
                            .decode_utf8_lossy()
                            .into_owned();
                    }
                    None => break,
                }
            }
            if let (Some(obj), None) = (target.as_object(), target.get("$ref")) {
                return self.classify(obj, &pointer, None);
            }
        }
        let r = self.rewrite_ref(r, &rat);
        Some(Param {
            key: None,
            kind: Kind::Out(json!({ "$ref": r })),
        })
    }

    fn path_item(&mut self, item: &'a Value, at: &str) -> Option<Value> {
        let Some(obj) = item.as_object() else {
            self.error(
                at,
                format!("expected a path item object, found {}", describe(item)),
            );
            return None;
        };
        let shared = self.param_list(obj.get("parameters"), &child(at, "parameters"));
        let mut out = Map::with_capacity(obj.len());
        for (k, v) in obj {
            match k.as_str() {
                "$ref" => {
                    if let Some(r) = self.ref_string(v, &child(at, k)) {
                        out.insert(k.clone(), r.into());
                    }
                }
                "parameters" => {
                    let list: Vec<Value> = shared
                        .iter()
                        .filter_map(|p| match &p.kind {
                            Kind::Out(v) => Some(v.clone()),
                            _ => None,
                        })
                        .collect();
                    if !list.is_empty() {
                        out.insert(k.clone(), Value::Array(list));
                    }
                }
                m if METHODS.contains(&m) => {
                    if let Some(op) = self.operation(v, &child(at, k), &shared) {
                        out.insert(k.clone(), op);
                    }
                }
                _ => {
                    out.insert(k.clone(), v.clone());
                }
            }
        }
        Some(Value::Object(out))
    }

    fn operation(&mut self, op: &'a Value, at: &str, shared: &[Param<'a>]) -> Option<Value> {
        let Some(obj) = op.as_object() else {
            self.error(
                at,
                format!("expected an operation object, found {}", describe(op)),
            );
            return None;
        };
        let own_consumes = self.media_list(obj.get("consumes"), &child(at, "consumes"));
        let own_produces = self.media_list(obj.get("produces"), &child(at, "produces"));
        let consumes = effective(own_consumes.as_deref().unwrap_or(&self.consumes));
        let produces = effective(own_produces.as_deref().unwrap_or(&self.produces));
        let params_at = child(at, "parameters");
        let own = self.param_list(obj.get("parameters"), &params_at);

        // Body and form parameters travel in the request body, which OpenAPI 3 only has per
        // operation: those of the path item are brought down unless the operation overrides
        // them (any body parameter replaces the path's one; form fields by name).
        let mut bodies = Vec::new();
        let mut forms = Vec::new();
        for p in &own {
            match &p.kind {
                Kind::Body { .. } => bodies.push(p),
                Kind::Form { .. } => forms.push(p),
                Kind::Out(_) => {}
            }
        }
        let own_body = !bodies.is_empty();
        for p in shared {
            let overridden = p.key.is_some() && own.iter().any(|q| q.key == p.key);
            match &p.kind {
                Kind::Body { .. } if !own_body => bodies.push(p),
                Kind::Form { .. } if !overridden => forms.push(p),
                _ => {}
            }
        }
        if bodies.len() > 1 {
            self.error(
                &params_at,
                format!(
                    "expected at most one `in: body` parameter, found {}",
                    bodies.len()
                ),
            );
        }
        if !bodies.is_empty() && !forms.is_empty() {
            self.error(
                &params_at,
                "expected either an `in: body` parameter or `in: formData` parameters, found both",
            );
        }
        let request_body = if let Some(Kind::Body { param, at, global }) =
            bodies.first().map(|p| &p.kind)
        {
            match global {
                Some(name) if consumes == effective(&self.consumes) => Some(
                    json!({ "$ref": format!("#/components/requestBodies/{}", ref_token(name)) }),
                ),
                _ => Some(self.body(param, at, &consumes)),
            }
        } else if !forms.is_empty() {
            let fields: Vec<(&Map<String, Value>, String)> = forms
                .iter()
                .filter_map(|p| match &p.kind {
                    Kind::Form { param, at } => Some((*param, at.clone())),
                    _ => None,
                })
                .collect();
            Some(self.form_body(&fields, &consumes))
        } else {
            None
        };

        let mut out = Map::with_capacity(obj.len() + 1);
        let mut body_placed = false;
        for (k, v) in obj {
            match k.as_str() {
                "consumes" | "produces" | "schemes" => {}
                "parameters" => {
                    let list: Vec<Value> = own
                        .iter()
                        .filter_map(|p| match &p.kind {
                            Kind::Out(v) => Some(v.clone()),
                            _ => None,
                        })
                        .collect();
                    if !list.is_empty() {
                        out.insert(k.clone(), Value::Array(list));
                    }
                    if let Some(rb) = &request_body {
                        out.insert("requestBody".into(), rb.clone());
                        body_placed = true;
                    }
                }
                "responses" => {
                    let rat = child(at, k);
                    match v {
                        Value::Object(rs) => {
                            let mut ro = Map::with_capacity(rs.len());
                            for (code, r) in rs {
                                if code.starts_with("x-") {
                                    ro.insert(code.clone(), r.clone());
                                } else if let Some(r) =
                                    self.response(r, &child(&rat, code), &produces)
                                {
                                    ro.insert(code.clone(), r);
                                }
                            }
                            out.insert(k.clone(), Value::Object(ro));
                        }
                        other => self.error(
                            &rat,
                            format!("expected an object of responses, found {}", describe(other)),
                        ),
                    }
                }
                _ => {
                    out.insert(k.clone(), v.clone());
                }
            }
        }
        if let (Some(rb), false) = (request_body, body_placed) {
            out.insert("requestBody".into(), rb);
        }
        Some(Value::Object(out))
    }

    /// An `in: body` parameter → a request body with one content entry per media type.
    fn body(&mut self, p: &Map<String, Value>, at: &str, consumes: &[String]) -> Value {
        let schema = p
            .get("schema")
            .map(|s| self.schema(s, &child(at, "schema"), 0));
        let mut content = Map::new();
        for mt in consumes {
            let mut m = Map::new();
            if let Some(s) = &schema {
                m.insert("schema".into(), s.clone());
            }
            content.insert(mt.clone(), Value::Object(m));
        }
        if let Some(x) = p.get("x-examples") {
            self.body_examples(x, &child(at, "x-examples"), &mut content, schema.as_ref());
        }
        let mut out = Map::new();
        if let Some(d) = p.get("description") {
            out.insert("description".into(), d.clone());
        }
        out.insert("content".into(), Value::Object(content));
        if let Some(r) = p.get("required") {
            out.insert("required".into(), r.clone());
        }
        for (k, v) in p {
            if k.starts_with("x-") && k != "x-examples" {
                out.insert(k.clone(), v.clone());
            }
        }
        Value::Object(out)
    }

    /// `x-examples` on a body parameter: keyed by media type (each becomes that media type's
    /// `example`) or by name (named `examples` on every media type).
    fn body_examples(
        &mut self,
        x: &Value,
        at: &str,
        content: &mut Map<String, Value>,
        schema: Option<&Value>,
    ) {
        let Value::Object(m) = x else {
            self.error(
                at,
                format!(
                    "expected an object of examples (keyed by media type or by name), found {}",
                    describe(x)
                ),
            );
            return;
        };
        if m.is_empty() {
            return;
        }
        if m.keys().all(|k| k.contains('/')) {
            let types: Vec<String> = content.keys().cloned().collect();
            place_examples(m, &types, content, schema);
            return;
        }
        let named: Map<String, Value> = m
            .iter()
            .map(|(name, v)| {
                let ex = if is_example_object(v) {
                    v.clone()
                } else {
                    json!({ "value": v })
                };
                (name.clone(), ex)
            })
            .collect();
        for entry in content.values_mut() {
            if let Value::Object(e) = entry {
                e.insert("examples".into(), Value::Object(named.clone()));
            }
        }
    }

    /// `in: formData` parameters → one request body whose schema is an object with a property
    /// per field; multipart when a field is a file.
    fn form_body(
        &mut self,
        fields: &[(&Map<String, Value>, String)],
        consumes: &[String],
    ) -> Value {
        let mut properties = Map::new();
        let mut required = Vec::new();
        let mut encoding = Map::new();
        let mut has_file = false;
        for (p, at) in fields {
            let Some(name) = p.get("name").and_then(Value::as_str) else {
                self.error(at, "expected the parameter to have a string `name`");
                continue;
            };
            if p.get("type").and_then(Value::as_str) == Some("file") {
                has_file = true;
            }
            let mut s = match self.value_schema(p, at) {
                Some(Value::Object(o)) => o,
                _ => Map::new(),
            };
            if p.get("type").and_then(Value::as_str) != Some("file") {
                let allow = p.get("allowEmptyValue") == Some(&Value::Bool(true));
                s = empty_value(s, allow, p.get("collectionFormat").and_then(Value::as_str));
            }
            if let Some(d) = p.get("description") {
                s.entry("description").or_insert_with(|| d.clone());
            }
            if let Some(e) = p.get("x-example") {
                s.insert("example".into(), e.clone());
            }
            for (k, v) in p.iter() {
                if k.starts_with("x-") && k != "x-example" && k != "x-nullable" {
                    s.insert(k.clone(), v.clone());
                }
            }
            if p.get("required").and_then(Value::as_bool) == Some(true) {
                required.push(Value::String(name.to_string()));
            }
            if let Some(st) = self.style(p, at, "formData") {
                let mut e = Map::new();
                e.insert("style".into(), st.style.into());
                e.insert("explode".into(), st.explode.into());
                if let Some(lost) = st.lost {
                    e.insert("x-collectionFormat".into(), lost.into());
                }
                encoding.insert(name.to_string(), Value::Object(e));
            }
            properties.insert(name.to_string(), Value::Object(s));
        }
        let mut schema = Map::new();
        schema.insert("type".into(), "object".into());
        schema.insert("properties".into(), Value::Object(properties));
        if !required.is_empty() {
            schema.insert("required".into(), Value::Array(required.clone()));
        }
        let declared: Vec<&String> = consumes
            .iter()
            .filter(|mt| matches!(essence(mt).as_str(), URLENCODED | MULTIPART))
            .collect();
        let media: Vec<String> = if has_file {
            let multipart: Vec<String> = declared
                .iter()
                .filter(|mt| essence(mt) == MULTIPART)
                .map(|s| s.to_string())
                .collect();
            if multipart.is_empty() {
                vec![MULTIPART.to_string()]
            } else {
                multipart
            }
        } else if declared.is_empty() {
            vec![URLENCODED.to_string()]
        } else {
            declared.into_iter().cloned().collect()
        };
        let mut content = Map::new();
        for mt in media {
            let mut m = Map::new();
            m.insert("schema".into(), Value::Object(schema.clone()));
            if !encoding.is_empty() {
                m.insert("encoding".into(), Value::Object(encoding.clone()));
            }
            content.insert(mt, Value::Object(m));
        }
        let mut out = Map::new();
        out.insert("content".into(), Value::Object(content));
        if !required.is_empty() {
            out.insert("required".into(), Value::Bool(true));
        }
        Value::Object(out)
    }

    /// A response: `schema` → `content` for each produced media type, `examples` → each media
    /// type's `example`, headers with a `schema`.
    fn response(&mut self, r: &Value, at: &str, produces: &[String]) -> Option<Value> {
        let Some(obj) = r.as_object() else {
            self.error(
                at,
                format!("expected a response object, found {}", describe(r)),
            );
            return None;
        };
        if let Some(reference) = obj.get("$ref") {
            let reference = self.ref_string(reference, &child(at, "$ref"))?;
            return Some(json!({ "$ref": reference }));
        }
        let mut out = Map::new();
        out.insert(
            "description".into(),
            obj.get("description").cloned().unwrap_or_else(|| "".into()),
        );
        match obj.get("headers") {
            None => {}
            Some(Value::Object(hs)) => {
                let hat = child(at, "headers");
                let mut ho = Map::with_capacity(hs.len());
                for (name, h) in hs {
                    if let Some(h) = self.header(h, &child(&hat, name)) {
                        ho.insert(name.clone(), h);
                    }
                }
                out.insert("headers".into(), Value::Object(ho));
            }
            Some(other) => self.error(
                &child(at, "headers"),
                format!("expected an object of headers, found {}", describe(other)),
            ),
        }
        let schema = obj
            .get("schema")
            .map(|s| self.schema(s, &child(at, "schema"), 0));
        let mut content = Map::new();
        if let Some(s) = &schema {
            for mt in produces {
                content.insert(mt.clone(), json!({ "schema": s }));
            }
        }
        match obj.get("examples") {
            None => {}
            Some(Value::Object(examples)) => {
                place_examples(examples, produces, &mut content, schema.as_ref());
            }
            Some(other) => self.error(
                &child(at, "examples"),
                format!(
                    "expected an object of examples keyed by media type, found {}",
                    describe(other)
                ),
            ),
        }
        if !content.is_empty() {
            out.insert("content".into(), Value::Object(content));
        }
        extensions(obj, &mut out);
        Some(Value::Object(out))
    }

    fn header(&mut self, h: &Value, at: &str) -> Option<Value> {
        let Some(obj) = h.as_object() else {
            self.error(
                at,
                format!("expected a header object, found {}", describe(h)),
            );
            return None;
        };
        let mut out = Map::new();
        if let Some(d) = obj.get("description") {
            out.insert("description".into(), d.clone());
        }
        if let Some(s) = self.value_schema(obj, at) {
            out.insert("schema".into(), s);
        }
        if let Some(e) = obj.get("x-example").or_else(|| obj.get("example")) {
            out.insert("example".into(), e.clone());
        }
        for (k, v) in obj {
            if k.starts_with("x-") && k != "x-example" && k != "x-nullable" {
                out.insert(k.clone(), v.clone());
            }
        }
        Some(Value::Object(out))
    }

    /// basic → http/basic; apiKey as is; oauth2 `flow` → `flows`.
    fn security_scheme(&mut self, s: &Value, at: &str) -> Option<Value> {
        let Some(obj) = s.as_object() else {
            self.error(
                at,
                format!("expected a security scheme object, found {}", describe(s)),
            );
            return None;
        };
        let mut out = Map::new();
        match obj.get("type").and_then(Value::as_str) {
            Some("basic") => {
                out.insert("type".into(), "http".into());
                out.insert("scheme".into(), "basic".into());
            }
            Some("apiKey") => {
                out.insert("type".into(), "apiKey".into());
                for k in ["name", "in"] {
                    match obj.get(k) {
                        Some(v) => {
                            out.insert(k.into(), v.clone());
                        }
                        None => self.error(at, format!("expected the apiKey scheme to have `{k}`")),
                    }
                }
            }
            Some("oauth2") => {
                out.insert("type".into(), "oauth2".into());
                let flow = obj.get("flow").and_then(Value::as_str);
                let (name, urls): (&str, &[&str]) = match flow {
                    Some("implicit") => ("implicit", &["authorizationUrl"]),
                    Some("password") => ("password", &["tokenUrl"]),
                    Some("application") => ("clientCredentials", &["tokenUrl"]),
                    Some("accessCode") => ("authorizationCode", &["authorizationUrl", "tokenUrl"]),
                    _ => {
                        self.error(
                            &child(at, "flow"),
                            format!(
                                "expected `flow` to be one of implicit, password, application, accessCode; found {}",
                                obj.get("flow").map(describe).unwrap_or_else(|| "nothing".into())
                            ),
                        );
                        return None;
                    }
                };
                let mut f = Map::new();
                for u in urls {
                    match obj.get(*u) {
                        Some(v) => {
                            f.insert((*u).into(), v.clone());
                        }
                        None => self.error(
                            at,
                            format!(
                                "expected the oauth2 {} flow to have `{u}`",
                                flow.unwrap_or_default()
                            ),
                        ),
                    }
                }
                let scopes = match obj.get("scopes") {
                    None => json!({}),
                    Some(v @ Value::Object(_)) => v.clone(),
                    Some(other) => {
                        self.error(
                            &child(at, "scopes"),
                            format!("expected an object of scopes, found {}", describe(other)),
                        );
                        json!({})
                    }
                };
                f.insert("scopes".into(), scopes);
                out.insert("flows".into(), json!({ name: f }));
            }
            _ => {
                self.error(
                    &child(at, "type"),
                    format!(
                        "expected `type` to be one of basic, apiKey, oauth2; found {}",
                        obj.get("type")
                            .map(describe)
                            .unwrap_or_else(|| "nothing".into())
                    ),
                );
                return None;
            }
        }
        if let Some(d) = obj.get("description") {
            out.insert("description".into(), d.clone());
        }
        extensions(obj, &mut out);
        Some(Value::Object(out))
    }
}

/// A pointer as a `$ref` fragment: tokens escaped (`~0`, `~1`) and percent-encoded where a URI
/// fragment may not hold the character as is (`{id}` → `%7Bid%7D`).
fn fragment_of(tokens: &[String]) -> String {
    const FRAGMENT: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
        .add(b' ')
        .add(b'"')
        .add(b'#')
        .add(b'%')
        .add(b'<')
        .add(b'>')
        .add(b'[')
        .add(b'\\')
        .add(b']')
        .add(b'^')
        .add(b'`')
        .add(b'{')
        .add(b'|')
        .add(b'}');
    tokens
        .iter()
        .map(|t| {
            format!(
                "/{}",
                percent_encoding::utf8_percent_encode(&escape_pointer_token(t), FRAGMENT)
            )
        })
        .collect()
}

/// Where a place inside a body parameter (`rest`, from the parameter) is once the parameter
/// is a request body with content `consumes`: its schema is that of the first media type.
fn body_rest(rest: &[String], consumes: &[String]) -> Vec<String> {
    match rest {
        [first, tail @ ..] if first == "schema" => {
            let mut out = vec![
                "content".to_string(),
                consumes[0].clone(),
                "schema".to_string(),
            ];
            out.extend(tail.iter().cloned());
            out
        }
        _ => rest.to_vec(),
    }
}

/// Where a place inside a query, header or path parameter (or a response header) is once its
/// value fields are gathered into `schema`.
fn param_rest(rest: &[String]) -> Vec<String> {
    match rest {
        [first, ..] if SCHEMA_FIELDS.contains(&first.as_str()) => {
            std::iter::once("schema".to_string())
                .chain(rest.iter().cloned())
                .collect()
        }
        [first, tail @ ..] if first == "x-example" => std::iter::once("example".to_string())
            .chain(tail.iter().cloned())
            .collect(),
        _ => rest.to_vec(),
    }
}

/// Where a place inside the response `response` (`rest`, from the response) is once its
/// schema and examples are `content` for `produces`.
fn response_rest(response: Option<&Value>, rest: &[String], produces: &[String]) -> Vec<String> {
    match rest {
        [first, tail @ ..] if first == "schema" => {
            let mut out = vec![
                "content".to_string(),
                produces[0].clone(),
                "schema".to_string(),
            ];
            out.extend(tail.iter().cloned());
            out
        }
        [first, mt, tail @ ..] if first == "examples" => {
            let keys: Vec<&String> = response
                .and_then(|r| r.get("examples"))
                .and_then(Value::as_object)
                .map(|m| m.keys().collect())
                .unwrap_or_default();
            let target = example_targets(&keys, produces)
                .into_iter()
                .find(|(k, _)| *k == mt)
                .and_then(|(_, t)| t.into_iter().next());
            match target {
                Some(target) => {
                    let mut out = vec!["content".to_string(), target, "example".to_string()];
                    out.extend(tail.iter().cloned());
                    out
                }
                None => rest.to_vec(),
            }
        }
        [first, name, tail @ ..] if first == "headers" => {
            let mut out = vec![first.clone(), name.clone()];
            out.extend(param_rest(tail));
            out
        }
        _ => rest.to_vec(),
    }
}

/// The value fields of a parameter, header or items object, as a (Swagger) schema: nested
/// `items` lose their `collectionFormat` and other non-schema fields too.
fn value_fields(p: &Map<String, Value>, depth: usize) -> Value {
    let mut s = Map::new();
    for k in SCHEMA_FIELDS {
        let Some(v) = p.get(k) else { continue };
        let v = match (k, v) {
            ("items", Value::Object(items)) if depth < MAX_DEPTH => value_fields(items, depth + 1),
            _ => v.clone(),
        };
        s.insert(k.into(), v);
    }
    Value::Object(s)
}

/// `allowEmptyValue` of a `formData` field, said in its schema. Swagger 2.0 defaults it to
/// false for form fields as for query parameters, but OpenAPI 3.0 keeps `allowEmptyValue` for
/// query parameters only: neither a request body nor its Encoding Object has it. What a field
/// accepts is its property schema's to say, and a form's empty value is a known value: the
/// empty string (`name=`, or a part with no content), or no items for a delimited array. So:
///
/// - not allowed (the default): a string gets `minLength: 1` (unless its `enum` lists `""`);
///   an array `minItems: 1`, and with `multi` (each occurrence a value of its own) string items
///   `minLength: 1`. A number, integer or boolean needs nothing: `""` is none of those. This is
///   also how Stoplight's converter (Prism's) reads `allowEmptyValue: false`.
/// - allowed: a schema the empty string may break (another type, `minLength`, `pattern`, `enum`,
///   a `format` like `date`) becomes `anyOf: [schema, {type: string, maxLength: 0}]`, so that
///   `""` is accepted and every other value is judged as before. An array is left alone: its
///   empty value is no items, which only `minItems` refuses, and that the author wrote.
///
/// Files are not form values and are left as they are.
fn empty_value(
    mut s: Map<String, Value>,
    allow: bool,
    collection: Option<&str>,
) -> Map<String, Value> {
    let kind = s.get("type").and_then(Value::as_str).map(str::to_string);
    let at_least = |s: &mut Map<String, Value>, key: &str| {
        if s.get(key).and_then(Value::as_f64).is_none_or(|n| n < 1.0) {
            s.insert(key.into(), 1.into());
        }
    };
    if !allow {
        match kind.as_deref() {
            Some("string") => {
                let empty_listed = s
                    .get("enum")
                    .and_then(Value::as_array)
                    .is_some_and(|e| e.iter().any(|v| v == ""));
                if !empty_listed {
                    at_least(&mut s, "minLength");
                }
            }
            Some("array") => {
                at_least(&mut s, "minItems");
                if collection.is_some_and(|c| c.eq_ignore_ascii_case("multi")) {
                    if let Some(Value::Object(items)) = s.get_mut("items") {
                        if items.get("type").and_then(Value::as_str) == Some("string") {
                            at_least(items, "minLength");
                        }
                    }
                }
            }
            _ => {}
        }
        return s;
    }
    let plain_string = kind.as_deref() == Some("string")
        && s.get("minLength")
            .and_then(Value::as_f64)
            .is_none_or(|n| n <= 0.0)
        && !s.contains_key("pattern")
        && !s.contains_key("enum")
        && s.get("format")
            .and_then(Value::as_str)
            .is_none_or(|f| matches!(f, "binary" | "byte" | "password"));
    if s.is_empty() || plain_string || kind.as_deref() == Some("array") {
        return s;
    }
    let mut out = Map::new();
    out.insert(
        "anyOf".into(),
        json!([Value::Object(s), {"type": "string", "maxLength": 0}]),
    );
    out
}

/// Is `mt` a media range (`*/*`, `text/*`) rather than a media type?
fn is_range(mt: &str) -> bool {
    essence(mt)
        .split_once('/')
        .is_some_and(|(t, s)| t == "*" || s == "*")
}

/// Does the range `range` (`*/*`, `text/*`) cover the media type `mt`? How closely: 2 for a
/// `type/*` range, 1 for `*/*`.
fn range_covers(range: &str, mt: &str) -> Option<u8> {
    let range = essence(range);
    let (rt, _) = range.split_once('/')?;
    let mt = essence(mt);
    let (t, _) = mt.split_once('/')?;
    if rt == "*" {
        Some(1)
    } else if rt == t {
        Some(2)
    } else {
        None
    }
}

/// The media types each key of an `examples` (or body `x-examples`) object fills, given the
/// media types `types` the response produces (or the body consumes), as `(key, targets)` in
/// the object's order. A media type fills the produced types that are it (`text/csv` fills
/// `text/csv; charset=utf-8`), or else itself. Swagger 2.0 lets a key be a media range (`*/*`,
/// `text/*`): it is the example of the produced types it covers that have none of their own,
/// the closest range winning (`text/*` before `*/*`). Written as a media type of its own, it
/// would be an answer no client is sent, since a request is answered with a produced type.
/// A range that covers none of them does stay a media type of its own (OpenAPI 3 allows
/// ranges there, and a client may ask for one); one whose types all have their own example
/// fills nothing.
fn example_targets<'k>(keys: &[&'k String], types: &[String]) -> Vec<(&'k String, Vec<String>)> {
    let own: Vec<String> = keys
        .iter()
        .filter(|k| !is_range(k))
        .map(|k| essence(k))
        .collect();
    let mut out: Vec<(&String, Vec<String>)> = keys
        .iter()
        .map(|k| {
            let targets = if is_range(k) {
                Vec::new()
            } else {
                let same: Vec<String> = types
                    .iter()
                    .filter(|t| essence(t) == essence(k))
                    .cloned()
                    .collect();
                if same.is_empty() {
                    vec![(*k).clone()]
                } else {
                    same
                }
            };
            (*k, targets)
        })
        .collect();
    for t in types {
        if own.contains(&essence(t)) {
            continue;
        }
        let mut best: Option<(u8, usize)> = None;
        for (i, k) in keys.iter().enumerate() {
            if !is_range(k) {
                continue;
            }
            if let Some(c) = range_covers(k, t) {
                if best.is_none_or(|(bc, _)| c > bc) {
                    best = Some((c, i));
                }
            }
        }
        if let Some((_, i)) = best {
            out[i].1.push(t.clone());
        }
    }
    for (k, targets) in &mut out {
        if is_range(k) && targets.is_empty() && !types.iter().any(|t| range_covers(k, t).is_some())
        {
            targets.push((*k).clone());
        }
    }
    out
}

/// Writes each example of `examples` (keyed by media type or range) as the `example` of the
/// content entries it fills (see [`example_targets`]), adding entries that are missing.
fn place_examples(
    examples: &Map<String, Value>,
    types: &[String],
    content: &mut Map<String, Value>,
    schema: Option<&Value>,
) {
    let keys: Vec<&String> = examples.keys().collect();
    for (key, targets) in example_targets(&keys, types) {
        for mt in targets {
            let entry = content.entry(mt).or_insert_with(|| media_entry(schema));
            if let Value::Object(e) = entry {
                e.insert("example".into(), examples[key].clone());
            }
        }
    }
}

fn media_entry(schema: Option<&Value>) -> Value {
    match schema {
        Some(s) => json!({ "schema": s }),
        None => json!({}),
    }
}

/// Whether `v` already looks like an OpenAPI 3 Example object.
fn is_example_object(v: &Value) -> bool {
    let Some(o) = v.as_object() else { return false };
    (o.contains_key("value") || o.contains_key("externalValue"))
        && o.keys().all(|k| {
            matches!(
                k.as_str(),
                "summary" | "description" | "value" | "externalValue"
            ) || k.starts_with("x-")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn convert(doc: Value) -> Value {
        match to_openapi30(&doc, "t.json") {
            Ok(v) => v,
            Err(e) => panic!("conversion failed:\n{e}"),
        }
    }

    fn errors(doc: Value) -> Vec<LoadError> {
        match to_openapi30(&doc, "t.json") {
            Ok(v) => panic!("expected errors, converted to {v:#}"),
            Err(e) => e.0,
        }
    }

    fn petstore() -> Value {
        json!({
            "swagger": "2.0",
            "info": {"version": "1.0.0", "title": "Swagger Petstore", "license": {"name": "MIT"}, "x-logo": "l.png"},
            "host": "petstore.swagger.io",
            "basePath": "/v1",
            "schemes": ["http", "https"],
            "consumes": ["application/json"],
            "produces": ["application/json"],
            "paths": {
                "/pets": {
                    "get": {
                        "summary": "List all pets",
                        "operationId": "listPets",
                        "tags": ["pets"],
                        "x-internal": true,
                        "parameters": [{
                            "name": "limit", "in": "query", "description": "How many items to return at one time (max 100)",
                            "required": false, "type": "integer", "format": "int32", "maximum": 100, "x-example": 10
                        }],
                        "responses": {
                            "200": {
                                "description": "An paged array of pets",
                                "headers": {"x-next": {"type": "string", "description": "A link to the next page of responses"}},
                                "schema": {"$ref": "#/definitions/Pets"}
                            },
                            "default": {"description": "unexpected error", "schema": {"$ref": "#/definitions/Error"}}
                        }
                    },
                    "post": {
                        "summary": "Create a pet",
                        "operationId": "createPets",
                        "responses": {
                            "201": {"description": "Null response"},
                            "default": {"description": "unexpected error", "schema": {"$ref": "#/definitions/Error"}}
                        }
                    }
                },
                "/pets/{petId}": {
                    "get": {
                        "operationId": "showPetById",
                        "parameters": [{"name": "petId", "in": "path", "required": true, "description": "The id of the pet to retrieve", "type": "string"}],
                        "responses": {
                            "200": {"description": "Expected response to a valid request", "schema": {"$ref": "#/definitions/Pets"}},
                            "default": {"description": "unexpected error", "schema": {"$ref": "#/definitions/Error"}}
                        }
                    }
                }
            },
            "definitions": {
                "Pet": {
                    "required": ["id", "name"],
                    "properties": {
                        "id": {"type": "integer", "format": "int64"},
                        "name": {"type": "string"},
                        "tag": {"type": "string", "x-nullable": true}
                    }
                },
                "Pets": {"type": "array", "items": {"$ref": "#/definitions/Pet"}},
                "Error": {
                    "required": ["code", "message"],
                    "properties": {"code": {"type": "integer", "format": "int32"}, "message": {"type": "string"}}
                }
            }
        })
    }

    #[test]
    fn petstore_converts() {
        let out = convert(petstore());
        assert_eq!(out["openapi"], "3.0.3");
        assert_eq!(out["info"]["title"], "Swagger Petstore");
        assert_eq!(out["info"]["x-logo"], "l.png");
        assert_eq!(
            out["servers"],
            json!([{"url": "http://petstore.swagger.io/v1"}, {"url": "https://petstore.swagger.io/v1"}])
        );
        let get = &out["paths"]["/pets"]["get"];
        assert_eq!(get["x-internal"], true);
        assert_eq!(get["tags"], json!(["pets"]));
        assert_eq!(
            get["parameters"][0],
            json!({
                "name": "limit", "in": "query", "description": "How many items to return at one time (max 100)",
                "required": false, "schema": {"type": "integer", "format": "int32", "maximum": 100}, "example": 10
            })
        );
        let ok = &get["responses"]["200"];
        assert_eq!(
            ok["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/Pets"
        );
        assert_eq!(ok["headers"]["x-next"]["schema"], json!({"type": "string"}));
        assert_eq!(
            ok["headers"]["x-next"]["description"],
            "A link to the next page of responses"
        );
        assert_eq!(
            out["paths"]["/pets"]["post"]["responses"]["201"],
            json!({"description": "Null response"})
        );
        let schemas = &out["components"]["schemas"];
        assert_eq!(schemas["Pets"]["items"]["$ref"], "#/components/schemas/Pet");
        assert_eq!(
            schemas["Pet"]["properties"]["tag"],
            json!({"type": "string", "nullable": true})
        );
        assert!(out.get("swagger").is_none() && out.get("definitions").is_none());
    }

    #[test]
    fn petstore_loads_end_to_end() {
        let text = serde_json::to_string(&petstore()).unwrap();
        let api = super::super::load_str("petstore.json", &text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(api.title, "Swagger Petstore");
        assert_eq!(api.operations.len(), 3);
        assert_eq!(api.base_paths, vec!["/v1"]);
    }

    #[test]
    fn servers_from_host_and_base_path() {
        let mut doc =
            json!({"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {}});
        doc["basePath"] = json!("/api/");
        assert_eq!(convert(doc.clone())["servers"], json!([{"url": "/api"}]));
        doc["host"] = json!("example.com:8080");
        assert_eq!(
            convert(doc.clone())["servers"],
            json!([{"url": "https://example.com:8080/api"}])
        );
        doc["basePath"] = json!("/");
        doc["schemes"] = json!(["http"]);
        assert_eq!(
            convert(doc.clone())["servers"],
            json!([{"url": "http://example.com:8080"}])
        );
        let none = convert(json!({"swagger": "2.0", "paths": {}}));
        assert!(none.get("servers").is_none());
    }

    #[test]
    fn body_parameter_becomes_request_body() {
        let out = convert(json!({
            "swagger": "2.0",
            "consumes": ["application/json", "application/xml"],
            "paths": {"/pets": {"post": {
                "parameters": [{
                    "name": "pet", "in": "body", "required": true, "description": "the pet",
                    "schema": {"$ref": "#/definitions/Pet"},
                    "x-examples": {"application/json": {"name": "Rex"}}
                }],
                "responses": {"200": {"description": "ok"}}
            }, "put": {
                "consumes": ["text/plain"],
                "parameters": [{"name": "b", "in": "body", "schema": {"type": "string"},
                                "x-examples": {"short": "hi", "long": {"summary": "s", "value": "hello"}}}],
                "responses": {"200": {"description": "ok"}}
            }}},
            "definitions": {"Pet": {"type": "object"}}
        }));
        let post = &out["paths"]["/pets"]["post"];
        assert!(post.get("parameters").is_none());
        assert_eq!(
            post["requestBody"],
            json!({
                "description": "the pet",
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Pet"}, "example": {"name": "Rex"}},
                    "application/xml": {"schema": {"$ref": "#/components/schemas/Pet"}}
                },
                "required": true
            })
        );
        let put = &out["paths"]["/pets"]["put"]["requestBody"];
        assert_eq!(
            put["content"]["text/plain"],
            json!({"schema": {"type": "string"}, "examples": {
                "short": {"value": "hi"}, "long": {"summary": "s", "value": "hello"}
            }})
        );
        assert_eq!(put["content"].as_object().unwrap().len(), 1);
    }

    #[test]
    fn form_data_with_a_file_is_multipart() {
        let out = convert(json!({
            "swagger": "2.0",
            "paths": {"/upload": {"post": {
                "consumes": ["multipart/form-data"],
                "parameters": [
                    {"name": "file", "in": "formData", "type": "file", "required": true, "description": "the file"},
                    {"name": "note", "in": "formData", "type": "string", "x-example": "hi"},
                    {"name": "tags", "in": "formData", "type": "array", "items": {"type": "string"}, "collectionFormat": "multi"},
                    {"name": "v", "in": "query", "type": "boolean"}
                ],
                "responses": {"200": {"description": "ok"}}
            }}, "/form": {"post": {
                "parameters": [{"name": "a", "in": "formData", "type": "integer", "minimum": 1}],
                "responses": {"200": {"description": "ok"}}
            }}}
        }));
        let op = &out["paths"]["/upload"]["post"];
        assert_eq!(
            op["parameters"],
            json!([{"name": "v", "in": "query", "schema": {"type": "boolean"}}])
        );
        let rb = &op["requestBody"];
        assert_eq!(rb["required"], true);
        let mp = &rb["content"]["multipart/form-data"];
        assert_eq!(
            mp["schema"],
            json!({
                "type": "object",
                "properties": {
                    "file": {"type": "string", "format": "binary", "description": "the file"},
                    "note": {"type": "string", "minLength": 1, "example": "hi"},
                    "tags": {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1}
                },
                "required": ["file"]
            })
        );
        assert_eq!(
            mp["encoding"],
            json!({"tags": {"style": "form", "explode": true}})
        );
        assert_eq!(rb["content"].as_object().unwrap().len(), 1);
        let form = &out["paths"]["/form"]["post"]["requestBody"];
        assert_eq!(
            form,
            &json!({"content": {"application/x-www-form-urlencoded": {"schema": {
                "type": "object", "properties": {"a": {"type": "integer", "minimum": 1}}
            }}}})
        );
    }

    #[test]
    fn form_fields_say_allow_empty_value_in_their_schema() {
        let out = convert(json!({"swagger": "2.0", "paths": {"/f": {"post": {
            "parameters": [
                {"name": "s", "in": "formData", "type": "string"},
                {"name": "s0", "in": "formData", "type": "string", "minLength": 0, "maxLength": 3},
                {"name": "s5", "in": "formData", "type": "string", "minLength": 5},
                {"name": "blank", "in": "formData", "type": "string", "enum": ["", "x"]},
                {"name": "se", "in": "formData", "type": "string", "allowEmptyValue": true},
                {"name": "sp", "in": "formData", "type": "string", "pattern": "^a+$", "allowEmptyValue": true},
                {"name": "i", "in": "formData", "type": "integer"},
                {"name": "ie", "in": "formData", "type": "integer", "allowEmptyValue": true, "description": "d", "x-example": 3},
                {"name": "csv", "in": "formData", "type": "array", "items": {"type": "string"}},
                {"name": "csve", "in": "formData", "type": "array", "items": {"type": "string"}, "allowEmptyValue": true},
                {"name": "file", "in": "formData", "type": "file"}
            ],
            "responses": {"200": {"description": "ok"}}
        }}}}));
        let props = &out["paths"]["/f"]["post"]["requestBody"]["content"]["multipart/form-data"]
            ["schema"]["properties"];
        assert_eq!(props["s"], json!({"type": "string", "minLength": 1}));
        assert_eq!(
            props["s0"],
            json!({"type": "string", "minLength": 1, "maxLength": 3})
        );
        assert_eq!(props["s5"], json!({"type": "string", "minLength": 5}));
        assert_eq!(props["blank"], json!({"type": "string", "enum": ["", "x"]}));
        assert_eq!(props["se"], json!({"type": "string"}));
        assert_eq!(
            props["sp"],
            json!({"anyOf": [{"type": "string", "pattern": "^a+$"}, {"type": "string", "maxLength": 0}]})
        );
        assert_eq!(props["i"], json!({"type": "integer"}));
        assert_eq!(
            props["ie"],
            json!({"anyOf": [{"type": "integer"}, {"type": "string", "maxLength": 0}], "description": "d", "example": 3})
        );
        assert_eq!(
            props["csv"],
            json!({"type": "array", "items": {"type": "string"}, "minItems": 1})
        );
        assert_eq!(
            props["csve"],
            json!({"type": "array", "items": {"type": "string"}})
        );
        assert_eq!(props["file"], json!({"type": "string", "format": "binary"}));
    }

    #[test]
    fn example_media_ranges_fill_the_produced_types() {
        let out = convert(json!({
            "swagger": "2.0",
            "produces": ["application/json", "text/plain", "text/csv; charset=utf-8", "image/png"],
            "paths": {"/a": {"get": {"responses": {
                "200": {"description": "ok", "schema": {"type": "string"}, "examples": {
                    "text/csv": "own", "*/*": "any", "Text/*": "text"
                }},
                "201": {"description": "no schema", "examples": {"*/*": "any"}},
                "202": {"description": "no match", "schema": {"type": "string"}, "examples": {"audio/*": "a"}}
            }}}}
        }));
        let r = &out["paths"]["/a"]["get"]["responses"];
        let example = |code: &str, mt: &str| r[code]["content"][mt]["example"].clone();
        assert_eq!(example("200", "application/json"), "any");
        assert_eq!(example("200", "text/plain"), "text");
        assert_eq!(example("200", "text/csv; charset=utf-8"), "own");
        assert_eq!(example("200", "image/png"), "any");
        let keys = |code: &str| -> Vec<String> {
            r[code]["content"]
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect()
        };
        assert_eq!(
            keys("200"),
            [
                "application/json",
                "text/plain",
                "text/csv; charset=utf-8",
                "image/png"
            ]
        );
        assert_eq!(
            r["201"]["content"],
            json!({"application/json": {"example": "any"}, "text/plain": {"example": "any"},
                   "text/csv; charset=utf-8": {"example": "any"}, "image/png": {"example": "any"}})
        );
        // A range that covers none of them stays a media type of its own.
        assert_eq!(example("202", "audio/*"), "a");
    }

    #[test]
    fn refs_into_moved_places_follow_them() {
        let out = convert(json!({
            "swagger": "2.0",
            "consumes": ["application/json"],
            "produces": ["application/xml", "application/json"],
            "paths": {
                "/word/{id}": {
                    "parameters": [{"name": "id", "in": "path", "required": true, "type": "string"}],
                    "get": {
                        "produces": ["application/json"],
                        "parameters": [
                            {"name": "b", "in": "body", "schema": {"type": "object"}},
                            {"name": "q", "in": "query", "type": "array", "items": {"type": "integer"}, "x-example": [1]}
                        ],
                        "responses": {"200": {"description": "ok",
                            "schema": {"type": "object", "properties": {"meta": {"type": "object"}}},
                            "headers": {"X-N": {"type": "integer", "minimum": 1}},
                            "examples": {"*/*": {"a": 1}}}}
                    }
                },
                "/other": {"get": {
                    "parameters": [
                        {"$ref": "#/paths/~1word~1%7Bid%7D/get/parameters/1"},
                        {"$ref": "#/paths/~1word~1{id}/get/parameters/0"}
                    ],
                    "responses": {
                        "200": {"description": "ok", "schema": {"properties": {
                            "whole": {"$ref": "#/paths/~1word~1%7Bid%7D/get/responses/200/schema"},
                            "inner": {"$ref": "#/paths/~1word~1%7Bid%7D/get/responses/200/schema/properties/meta"},
                            "body": {"$ref": "#/paths/~1word~1{id}/get/parameters/0/schema"},
                            "items": {"$ref": "#/paths/~1word~1{id}/get/parameters/1/items"},
                            "path": {"$ref": "#/paths/~1word~1{id}/parameters/0/type"},
                            "header": {"$ref": "#/paths/~1word~1{id}/get/responses/200/headers/X-N/minimum"},
                            "example": {"$ref": "#/paths/~1word~1{id}/get/responses/200/examples/*~1*"},
                            "shared": {"$ref": "#/responses/Word/schema"},
                            "sharedBody": {"$ref": "#/parameters/word/schema/properties/text"},
                            "sharedQuery": {"$ref": "#/parameters/limit/maximum"},
                            "def": {"$ref": "#/definitions/A%20B~1C"}
                        }}},
                        "201": {"$ref": "#/paths/~1word~1%7Bid%7D/get/responses/200"}
                    }
                }}
            },
            "parameters": {
                "word": {"name": "word", "in": "body", "schema": {"properties": {"text": {"type": "string"}}}},
                "limit": {"name": "limit", "in": "query", "type": "integer", "maximum": 9}
            },
            "responses": {"Word": {"description": "w", "schema": {"type": "string"}}},
            "definitions": {"A B/C": {"type": "string"}}
        }));
        let other = &out["paths"]["/other"]["get"];
        let props =
            &other["responses"]["200"]["content"]["application/xml"]["schema"]["properties"];
        let r = |name: &str| props[name]["$ref"].as_str().unwrap().to_string();
        let op = "#/paths/~1word~1%7Bid%7D/get";
        assert_eq!(
            r("whole"),
            format!("{op}/responses/200/content/application~1json/schema")
        );
        assert_eq!(
            r("inner"),
            format!("{op}/responses/200/content/application~1json/schema/properties/meta")
        );
        assert_eq!(
            r("body"),
            format!("{op}/requestBody/content/application~1json/schema")
        );
        assert_eq!(r("items"), format!("{op}/parameters/0/schema/items"));
        assert_eq!(
            r("path"),
            "#/paths/~1word~1%7Bid%7D/parameters/0/schema/type"
        );
        assert_eq!(
            r("header"),
            format!("{op}/responses/200/headers/X-N/schema/minimum")
        );
        assert_eq!(
            r("example"),
            format!("{op}/responses/200/content/application~1json/example")
        );
        assert_eq!(
            r("shared"),
            "#/components/responses/Word/content/application~1xml/schema"
        );
        assert_eq!(
            r("sharedBody"),
            "#/components/requestBodies/word/content/application~1json/schema/properties/text"
        );
        assert_eq!(
            r("sharedQuery"),
            "#/components/parameters/limit/schema/maximum"
        );
        assert_eq!(r("def"), "#/components/schemas/A%20B~1C");
        // Every one points at something in the converted document.
        for name in props.as_object().unwrap().keys() {
            let fragment = r(name);
            let pointer = percent_encoding::percent_decode_str(&fragment[1..]).decode_utf8_lossy();
            assert!(out.pointer(&pointer).is_some(), "{name}: {fragment}");
        }
        // A parameter list entry: the query parameter is now first; the body parameter it
        // refers to becomes this operation's body.
        assert_eq!(
            other["parameters"],
            json!([{"$ref": format!("{op}/parameters/0")}])
        );
        assert_eq!(
            other["requestBody"]["content"]["application/json"]["schema"],
            json!({"type": "object"})
        );
        assert_eq!(
            other["responses"]["201"],
            json!({"$ref": format!("{op}/responses/200")})
        );
    }

    #[test]
    fn collection_formats() {
        let param = |cf: Option<&str>, location: &str| {
            let mut p = json!({"name": "p", "in": location, "required": true, "type": "array", "items": {"type": "string", "collectionFormat": "csv"}});
            if let Some(cf) = cf {
                p["collectionFormat"] = json!(cf);
            }
            let out = convert(json!({"swagger": "2.0", "paths": {"/x/{p}": {"get": {
                "parameters": [p], "responses": {"200": {"description": "ok"}}
            }}}}));
            let mut p = out["paths"]["/x/{p}"]["get"]["parameters"][0].clone();
            assert_eq!(
                p["schema"],
                json!({"type": "array", "items": {"type": "string"}})
            );
            let o = p.as_object_mut().unwrap();
            for k in ["name", "in", "required", "schema"] {
                o.remove(k);
            }
            p
        };
        assert_eq!(
            param(None, "query"),
            json!({"style": "form", "explode": false})
        );
        assert_eq!(
            param(Some("csv"), "query"),
            json!({"style": "form", "explode": false})
        );
        assert_eq!(
            param(Some("csv"), "path"),
            json!({"style": "simple", "explode": false})
        );
        assert_eq!(
            param(None, "header"),
            json!({"style": "simple", "explode": false})
        );
        assert_eq!(
            param(Some("ssv"), "query"),
            json!({"style": "spaceDelimited", "explode": false})
        );
        assert_eq!(
            param(Some("pipes"), "query"),
            json!({"style": "pipeDelimited", "explode": false})
        );
        assert_eq!(
            param(Some("multi"), "query"),
            json!({"style": "form", "explode": true})
        );
        assert_eq!(
            param(Some("tsv"), "query"),
            json!({"style": "form", "explode": false, "x-collectionFormat": "tsv"})
        );
        assert_eq!(
            param(Some("pipes"), "header"),
            json!({"style": "simple", "explode": false, "x-collectionFormat": "pipes"})
        );
        // A scalar says nothing about style.
        let out = convert(json!({"swagger": "2.0", "paths": {"/x": {"get": {
            "parameters": [{"name": "q", "in": "query", "type": "string", "allowEmptyValue": true}],
            "responses": {"200": {"description": "ok"}}
        }}}}));
        assert_eq!(
            out["paths"]["/x"]["get"]["parameters"][0],
            json!({"name": "q", "in": "query", "schema": {"type": "string"}, "allowEmptyValue": true})
        );
    }

    #[test]
    fn refs_are_rewritten() {
        let out = convert(json!({
            "swagger": "2.0",
            "paths": {"/pets/{id}": {
                "parameters": [{"$ref": "#/parameters/id"}],
                "put": {
                    "parameters": [{"$ref": "#/parameters/pet"}, {"$ref": "#/parameters/limit"}, {"$ref": "common.yaml#/parameters/trace"}],
                    "responses": {
                        "200": {"$ref": "#/responses/PetOk"},
                        "404": {"description": "missing", "schema": {"$ref": "common.yaml#/definitions/Error"}}
                    }
                },
                "patch": {
                    "consumes": ["application/merge-patch+json"],
                    "parameters": [{"$ref": "#/parameters/pet"}],
                    "responses": {"200": {"$ref": "#/responses/PetOk"}}
                }
            }},
            "parameters": {
                "id": {"name": "id", "in": "path", "required": true, "type": "string"},
                "limit": {"name": "limit", "in": "query", "type": "integer"},
                "pet": {"name": "pet", "in": "body", "schema": {"$ref": "#/definitions/Pet"}}
            },
            "responses": {"PetOk": {"description": "ok", "schema": {"$ref": "#/definitions/Pet"}}},
            "definitions": {
                "Pet": {"properties": {"owner": {"$ref": "#/definitions/Owner"}, "tags": {"type": "array", "items": {"$ref": "#/definitions/Owner"}}},
                        "allOf": [{"$ref": "#/definitions/Owner"}], "additionalProperties": {"$ref": "#/definitions/Owner"}},
                "Owner": {"type": "object"}
            }
        }));
        let item = &out["paths"]["/pets/{id}"];
        assert_eq!(
            item["parameters"],
            json!([{"$ref": "#/components/parameters/id"}])
        );
        let put = &item["put"];
        assert_eq!(
            put["parameters"],
            json!([{"$ref": "#/components/parameters/limit"}, {"$ref": "common.yaml#/components/parameters/trace"}])
        );
        assert_eq!(
            put["requestBody"],
            json!({"$ref": "#/components/requestBodies/pet"})
        );
        assert_eq!(
            put["responses"]["200"],
            json!({"$ref": "#/components/responses/PetOk"})
        );
        assert_eq!(
            put["responses"]["404"]["content"]["application/json"]["schema"]["$ref"],
            "common.yaml#/components/schemas/Error"
        );
        // Another media type than the document's: the body is written out in place.
        assert_eq!(
            item["patch"]["requestBody"],
            json!({"content": {"application/merge-patch+json": {"schema": {"$ref": "#/components/schemas/Pet"}}}})
        );
        let c = &out["components"];
        assert_eq!(c["parameters"]["id"]["schema"], json!({"type": "string"}));
        assert_eq!(
            c["requestBodies"]["pet"],
            json!({"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}})
        );
        assert_eq!(
            c["responses"]["PetOk"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/Pet"
        );
        let pet = &c["schemas"]["Pet"];
        let owner = json!({"$ref": "#/components/schemas/Owner"});
        assert_eq!(pet["properties"]["owner"], owner);
        assert_eq!(pet["properties"]["tags"]["items"], owner);
        assert_eq!(pet["allOf"][0], owner);
        assert_eq!(pet["additionalProperties"], owner);
    }

    #[test]
    fn path_level_body_and_overrides() {
        let out = convert(json!({
            "swagger": "2.0",
            "paths": {"/a": {
                "parameters": [
                    {"name": "b", "in": "body", "schema": {"type": "object"}},
                    {"name": "q", "in": "query", "type": "string"}
                ],
                "post": {"responses": {"200": {"description": "ok"}}},
                "put": {
                    "parameters": [{"name": "other", "in": "body", "schema": {"type": "string"}}],
                    "responses": {"200": {"description": "ok"}}
                }
            }}
        }));
        let item = &out["paths"]["/a"];
        assert_eq!(
            item["parameters"],
            json!([{"name": "q", "in": "query", "schema": {"type": "string"}}])
        );
        assert_eq!(
            item["post"]["requestBody"]["content"]["application/json"]["schema"],
            json!({"type": "object"})
        );
        assert_eq!(
            item["put"]["requestBody"]["content"]["application/json"]["schema"],
            json!({"type": "string"})
        );
    }

    #[test]
    fn schemas_are_converted() {
        let out = convert(json!({
            "swagger": "2.0",
            "paths": {},
            "definitions": {
                "Pet": {"type": "object", "discriminator": "petType", "required": ["petType"],
                        "properties": {"petType": {"type": "string"}, "photo": {"type": "file"},
                                       "meta": {"type": "object", "additionalProperties": {"type": "string", "x-nullable": true}},
                                       "flag": {"type": "boolean", "x-nullable": false}}},
                "Cat": {"allOf": [{"$ref": "#/definitions/Pet"}, {"properties": {"x": {"type": "integer", "exclusiveMinimum": true, "minimum": 0}}}]}
            }
        }));
        let pet = &out["components"]["schemas"]["Pet"];
        assert_eq!(pet["discriminator"], json!({"propertyName": "petType"}));
        assert_eq!(
            pet["properties"]["photo"],
            json!({"type": "string", "format": "binary"})
        );
        assert_eq!(
            pet["properties"]["meta"]["additionalProperties"],
            json!({"type": "string", "nullable": true})
        );
        assert_eq!(pet["properties"]["flag"], json!({"type": "boolean"}));
        let cat = &out["components"]["schemas"]["Cat"];
        assert_eq!(
            cat["allOf"][1]["properties"]["x"],
            json!({"type": "integer", "exclusiveMinimum": true, "minimum": 0})
        );
    }

    #[test]
    fn response_examples_and_produces() {
        let out = convert(json!({
            "swagger": "2.0",
            "produces": ["application/xml"],
            "paths": {"/a": {"get": {
                "produces": ["application/json", "text/csv"],
                "responses": {"200": {
                    "description": "ok",
                    "schema": {"type": "string"},
                    "examples": {"application/json": "j", "text/plain": "p"},
                    "headers": {"X-Rate": {"type": "integer", "x-example": 5, "x-ext": 1}},
                    "x-resp": "r"
                }, "x-responses-ext": 1}
            }, "post": {"responses": {"200": {"description": "ok", "schema": {"type": "string"}}}}}}
        }));
        let r = &out["paths"]["/a"]["get"]["responses"];
        assert_eq!(
            r["200"]["content"],
            json!({
                "application/json": {"schema": {"type": "string"}, "example": "j"},
                "text/csv": {"schema": {"type": "string"}},
                "text/plain": {"schema": {"type": "string"}, "example": "p"}
            })
        );
        assert_eq!(
            r["200"]["headers"]["X-Rate"],
            json!({"schema": {"type": "integer"}, "example": 5, "x-ext": 1})
        );
        assert_eq!(r["200"]["x-resp"], "r");
        assert_eq!(r["x-responses-ext"], 1);
        let post = &out["paths"]["/a"]["post"]["responses"]["200"]["content"];
        assert!(post.get("application/xml").is_some());
    }

    #[test]
    fn security_definitions() {
        let out = convert(json!({
            "swagger": "2.0",
            "paths": {"/a": {"get": {"security": [{"oauth": ["read"]}], "responses": {"200": {"description": "ok"}}}}},
            "security": [{"basic": []}],
            "securityDefinitions": {
                "basic": {"type": "basic", "description": "b"},
                "key": {"type": "apiKey", "name": "X-Key", "in": "header", "x-ext": true},
                "oauth": {"type": "oauth2", "flow": "implicit", "authorizationUrl": "https://a/auth", "scopes": {"read": "r"}},
                "pw": {"type": "oauth2", "flow": "password", "tokenUrl": "https://a/token", "scopes": {}},
                "app": {"type": "oauth2", "flow": "application", "tokenUrl": "https://a/token"},
                "code": {"type": "oauth2", "flow": "accessCode", "authorizationUrl": "https://a/auth", "tokenUrl": "https://a/token", "scopes": {"w": "write"}}
            }
        }));
        let s = &out["components"]["securitySchemes"];
        assert_eq!(
            s["basic"],
            json!({"type": "http", "scheme": "basic", "description": "b"})
        );
        assert_eq!(
            s["key"],
            json!({"type": "apiKey", "name": "X-Key", "in": "header", "x-ext": true})
        );
        assert_eq!(
            s["oauth"],
            json!({"type": "oauth2", "flows": {"implicit": {"authorizationUrl": "https://a/auth", "scopes": {"read": "r"}}}})
        );
        assert_eq!(
            s["pw"]["flows"]["password"],
            json!({"tokenUrl": "https://a/token", "scopes": {}})
        );
        assert_eq!(
            s["app"]["flows"]["clientCredentials"],
            json!({"tokenUrl": "https://a/token", "scopes": {}})
        );
        assert_eq!(
            s["code"]["flows"]["authorizationCode"],
            json!({"authorizationUrl": "https://a/auth", "tokenUrl": "https://a/token", "scopes": {"w": "write"}})
        );
        assert_eq!(out["security"], json!([{"basic": []}]));
        assert_eq!(
            out["paths"]["/a"]["get"]["security"],
            json!([{"oauth": ["read"]}])
        );
    }

    #[test]
    fn broken_documents_are_reported() {
        let e = errors(json!({"swagger": "2.0", "paths": 3}));
        assert_eq!(
            e,
            vec![LoadError::new(
                "t.json",
                "/paths",
                "expected an object of paths, found the number 3"
            )]
        );

        let e = errors(json!({
            "swagger": "3.0",
            "schemes": "https",
            "consumes": "application/json",
            "paths": {
                "/a": {"get": {
                    "parameters": [
                        {"name": "x"},
                        {"name": "y", "in": "query", "type": "array", "collectionFormat": "commas"},
                        {"in": "query", "type": "string"},
                        {"$ref": "#/parameters/nope"},
                        7
                    ],
                    "responses": {"200": {"description": "ok", "schema": {"$ref": "#/definitions/Missing"}}}
                }},
                "/b": {"get": "nope", "post": {"responses": []}},
                "/c": 5
            },
            "securityDefinitions": {"s": {"type": "oauth2", "flow": "magic"}, "t": {"type": "digest"}}
        }));
        let found: Vec<(String, String)> = e
            .iter()
            .map(|e| (e.pointer.clone(), e.message.clone()))
            .collect();
        let at = |p: &str| {
            found
                .iter()
                .find(|(q, _)| q == p)
                .map(|(_, m)| m.clone())
                .unwrap_or_else(|| panic!("no error at {p}: {found:#?}"))
        };
        assert_eq!(
            at("/swagger"),
            "expected `swagger: \"2.0\"`, found the string \"3.0\""
        );
        assert!(at("/schemes").contains("found the string \"https\""));
        assert!(at("/consumes").contains("expected an array of media types"));
        assert!(at("/paths/~1a/get/parameters/0/in").contains("found nothing"));
        assert!(at("/paths/~1a/get/parameters/1/collectionFormat").contains("found \"commas\""));
        assert!(at("/paths/~1a/get/parameters/2").contains("string `name`"));
        assert!(at("/paths/~1a/get/parameters/3/$ref").contains("points at nothing"));
        assert!(at("/paths/~1a/get/parameters/4").contains("found the number 7"));
        assert!(at("/paths/~1a/get/responses/200/schema/$ref")
            .contains("#/definitions/Missing does not exist"));
        assert!(at("/paths/~1b/get").contains("expected an operation object"));
        assert!(at("/paths/~1b/post/responses").contains("found an array of 0 items"));
        assert!(at("/paths/~1c").contains("expected a path item object, found the number 5"));
        assert!(at("/securityDefinitions/s/flow").contains("found the string \"magic\""));
        assert!(at("/securityDefinitions/t/type").contains("found the string \"digest\""));
    }

    #[test]
    fn two_bodies_are_reported() {
        let e = errors(json!({"swagger": "2.0", "paths": {"/a": {"post": {
            "parameters": [
                {"name": "a", "in": "body", "schema": {}},
                {"name": "b", "in": "body", "schema": {}},
                {"name": "c", "in": "formData", "type": "string"}
            ],
            "responses": {"200": {"description": "ok"}}
        }}}}));
        assert_eq!(e.len(), 2);
        assert!(e.iter().all(|e| e.pointer == "/paths/~1a/post/parameters"));
    }

    /// Wrong types anywhere give errors, never a panic.
    #[test]
    fn never_panics() {
        let junk = [
            json!(null),
            json!(3),
            json!("s"),
            json!([1, {}]),
            json!({}),
            json!({"$ref": 5}),
            json!(true),
        ];
        let base = petstore();
        let mut places: Vec<String> = Vec::new();
        fn collect(v: &Value, at: String, out: &mut Vec<String>) {
            out.push(at.clone());
            match v {
                Value::Object(m) => {
                    for (k, x) in m {
                        collect(x, format!("{at}/{}", escape_pointer_token(k)), out);
                    }
                }
                Value::Array(a) => {
                    for (i, x) in a.iter().enumerate() {
                        collect(x, format!("{at}/{i}"), out);
                    }
                }
                _ => {}
            }
        }
        collect(&base, String::new(), &mut places);
        for place in &places {
            for j in &junk {
                let mut doc = base.clone();
                *doc.pointer_mut(place).unwrap() = j.clone();
                let _ = to_openapi30(&doc, "t.json");
            }
        }
        for j in &junk {
            let _ = to_openapi30(j, "t.json");
            for key in [
                "parameters",
                "responses",
                "definitions",
                "securityDefinitions",
                "host",
                "basePath",
                "info",
                "produces",
            ] {
                let mut doc = base.clone();
                doc[key] = j.clone();
                let _ = to_openapi30(&doc, "t.json");
                doc[key] = json!({"k": j});
                let _ = to_openapi30(&doc, "t.json");
            }
        }
        // Deep nesting is refused, not overflowed.
        let mut deep = json!({"type": "string"});
        for _ in 0..300 {
            deep = json!({"type": "array", "items": deep});
        }
        let e = errors(json!({"swagger": "2.0", "paths": {}, "definitions": {"D": deep}}));
        assert!(e[0].message.contains("nests deeper"));
    }
}

//! OpenAPI 3.0 / 3.1 / 3.2 documents into the model, with every `$ref` followed.
//!
//! 3.2 adds constructs that change behaviour (the `query` operation and `additionalOperations`,
//! `in: querystring`, `itemSchema`, `dataValue`/`serializedValue`, media types by `$ref` from
//! `components.mediaTypes`); the rest of 3.2 (`$self`, tag `parent`/`kind`, `oauth2MetadataUrl`,
//! device flow, server `name`...) is read past and never refused.

use super::source::{FileId, Sources};
use super::{describe, LoadError, LoadErrors};
use crate::model::*;
use crate::schema::{convert, escape_pointer_token, SchemaId, SchemaStore};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// The largest file an example's `externalValue` may name: 1 MB.
const MAX_EXTERNAL_VALUE: u64 = 1024 * 1024;

/// A place in the sources: a file and a JSON pointer into it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Loc {
    file: FileId,
    pointer: String,
}

impl Loc {
    fn child(&self, token: &str) -> Loc {
        Loc {
            file: self.file,
            pointer: format!("{}/{}", self.pointer, escape_pointer_token(token)),
        }
    }
}

struct Builder {
    sources: Sources,
    store: SchemaStore,
    errors: Vec<LoadError>,
    warnings: Vec<Diagnostic>,
    is_30: bool,
    /// 3.2: `query`, `additionalOperations`, `in: querystring`, `itemSchema` are read.
    is_32: bool,
    /// Querystring parameters of the operations being built (taken by `build`).
    querystring: Option<Querystring>,
    /// Schemas already interned, by where they were found.
    schema_at: HashMap<Loc, SchemaId>,
    /// Referenced schemas reserved but not converted yet (a worklist, so that long or cyclic
    /// chains of references never recurse).
    pending: Vec<(SchemaId, Loc)>,
    /// What the path items being read are: the API's paths, its webhooks, or a callback's
    /// (whose "path" is a runtime expression, not a template).
    reading: Reading,
    /// The callbacks of the operation just built (`name`, expression, request), taken by
    /// `path_item` once the operation has its index.
    op_callbacks: Vec<(String, String, Operation)>,
    /// Every operation's callbacks, by operation index.
    callbacks: Vec<Callback>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reading {
    Paths,
    Webhooks,
    Callback,
}

/// Builds the model; `files` receives every path read while following `$ref`s (for `--watch`).
pub(super) fn build(
    sources: Sources,
    root: FileId,
    version: &str,
    files: &mut Vec<std::path::PathBuf>,
) -> Result<Api, LoadErrors> {
    let mut b = Builder {
        sources,
        store: SchemaStore::new(),
        errors: Vec::new(),
        warnings: Vec::new(),
        is_30: version.starts_with("3.0"),
        is_32: version.starts_with("3.2"),
        querystring: None,
        schema_at: HashMap::new(),
        pending: Vec::new(),
        reading: Reading::Paths,
        op_callbacks: Vec::new(),
        callbacks: Vec::new(),
    };
    let doc = b.sources.value(root).clone();
    let rootloc = Loc {
        file: root,
        pointer: String::new(),
    };
    let info = doc.get("info");
    let title = info
        .and_then(|i| i.get("title"))
        .and_then(Value::as_str)
        .unwrap_or("untitled API")
        .to_string();
    let api_version = info
        .and_then(|i| i.get("version"))
        .map(|v| {
            v.as_str()
                .map(str::to_string)
                .unwrap_or_else(|| v.to_string())
        })
        .unwrap_or_default();
    if info.is_none() {
        b.warn(&rootloc, "the document has no `info` object");
    }

    let base_paths = server_prefixes(doc.get("servers"));
    let security_schemes = b.security_schemes(&doc, &rootloc);
    let global_security = doc
        .get("security")
        .map(|s| b.security_requirements(s, &rootloc.child("security")))
        .unwrap_or_default();

    let mut operations = Vec::new();
    let mut querystrings = Vec::new();
    match doc.get("paths") {
        Some(Value::Object(paths)) => {
            let ploc = rootloc.child("paths");
            for (path, item) in paths {
                if path.starts_with("x-") {
                    continue;
                }
                let iloc = ploc.child(path);
                if !path.starts_with('/') {
                    b.error(
                        &iloc,
                        format!("expected a path starting with '/', found \"{path}\""),
                    );
                    continue;
                }
                b.path_item(
                    path,
                    item,
                    &iloc,
                    &global_security,
                    &mut operations,
                    Some(&mut querystrings),
                );
            }
        }
        Some(other) => b.error(
            &rootloc.child("paths"),
            format!("expected an object of paths, found {}", describe(other)),
        ),
        None => {
            if doc.get("webhooks").is_none() && doc.get("components").is_none() {
                b.error(
                    &rootloc,
                    "the document has no `paths` (nor `webhooks` or `components`)",
                );
            }
        }
    }

    let mut webhooks = Vec::new();
    if let Some(Value::Object(hooks)) = doc.get("webhooks") {
        let wloc = rootloc.child("webhooks");
        b.reading = Reading::Webhooks;
        for (name, item) in hooks {
            let iloc = wloc.child(name);
            b.path_item(name, item, &iloc, &global_security, &mut webhooks, None);
        }
        b.reading = Reading::Paths;
    }

    // Component schemas are interned even when no operation uses them, so `check` reports on
    // them and `example`-style tools can reach them.
    if let Some(Value::Object(schemas)) = doc.pointer("/components/schemas") {
        let sloc = rootloc.child("components").child("schemas");
        for name in schemas.keys() {
            let loc = sloc.child(name);
            b.schema_def(&loc);
        }
    }
    b.drain_pending();

    for f in b.sources.paths() {
        if !files.iter().any(|known| known == f) {
            files.push(f.to_path_buf());
        }
    }
    let contract = doc.get("x-stubborn-contract") != Some(&Value::Bool(false));
    let saved_examples = match doc.get("x-stubborn-saved-examples") {
        None => Vec::new(),
        Some(v) => {
            let file = b.sources.display(root);
            match super::saved::read(v, &file) {
                Ok(list) => list,
                Err(e) => {
                    b.errors.push(e);
                    Vec::new()
                }
            }
        }
    };
    // `x-stubborn-stateful` at the top: every operation's, unless it says otherwise.
    if let Some(v) = doc.get("x-stubborn-stateful") {
        for op in &mut operations {
            op.extensions
                .entry("x-stubborn-stateful".to_string())
                .or_insert_with(|| v.clone());
        }
    }
    if b.errors.is_empty() {
        Ok(Api {
            contract,
            saved_examples,
            title,
            version: api_version,
            format: format!("OpenAPI {version}"),
            base_paths,
            operations,
            webhooks,
            schemas: b.store,
            warnings: b.warnings,
            security_schemes,
            querystrings,
            callbacks: b.callbacks,
        })
    } else {
        Err(LoadErrors(b.errors))
    }
}

/// Path parts of the server URLs (`https://api.example.com/v1` → `/v1`), variables filled with
/// their defaults; `/` and empty prefixes are dropped.
fn server_prefixes(servers: Option<&Value>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let Some(Value::Array(servers)) = servers else {
        return out;
    };
    for server in servers {
        let Some(url) = server.get("url").and_then(Value::as_str) else {
            continue;
        };
        let mut url = url.to_string();
        if let Some(Value::Object(vars)) = server.get("variables") {
            for (name, var) in vars {
                let default = match var.get("default") {
                    Some(Value::String(s)) => s.clone(),
                    Some(other) => other.to_string(),
                    None => String::new(),
                };
                url = url.replace(&format!("{{{name}}}"), &default);
            }
        }
        let path = match url.find("://") {
            Some(i) => {
                let rest = &url[i + 3..];
                rest.find('/').map(|j| &rest[j..]).unwrap_or("")
            }
            None => url.as_str(),
        };
        let path = path.split(['?', '#']).next().unwrap_or("");
        let path = path.trim_end_matches('/');
        if path.is_empty() || !path.starts_with('/') || path.contains('{') {
            continue;
        }
        if !out.iter().any(|p| p == path) {
            out.push(path.to_string());
        }
    }
    out
}

/// Path parameter names in a template: `/a/{x}/b{y}.json` → `[x, y]`.
pub fn template_params(path: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) => {
                out.push(&after[..end]);
                rest = &after[end + 1..];
            }
            None => break,
        }
    }
    out
}

impl Builder {
    fn at(&self, loc: &Loc) -> String {
        format!("{}#{}", self.sources.display(loc.file), loc.pointer)
    }

    fn error(&mut self, loc: &Loc, message: impl Into<String>) {
        let e = LoadError::new(self.sources.display(loc.file), loc.pointer.clone(), message);
        if !self.errors.contains(&e) {
            self.errors.push(e);
        }
    }

    fn warn(&mut self, loc: &Loc, message: impl Into<String>) {
        let at = self.at(loc);
        self.warnings.push(Diagnostic {
            at,
            message: message.into(),
        });
    }

    /// Parses `$ref` against the file it appears in: `other.yaml#/a/b`, `#/a/b`, `other.yaml`.
    fn target(&mut self, from: &Loc, reference: &str) -> Result<Loc, LoadError> {
        let (file_part, fragment) = match reference.find('#') {
            Some(i) => (&reference[..i], &reference[i + 1..]),
            None => (reference, ""),
        };
        let file = if file_part.is_empty() {
            from.file
        } else {
            self.sources.file_for(from.file, file_part, &from.pointer)?
        };
        let pointer = percent_encoding::percent_decode_str(fragment)
            .decode_utf8_lossy()
            .into_owned();
        if !pointer.is_empty() && !pointer.starts_with('/') {
            return Err(LoadError::new(
                self.sources.display(from.file),
                from.pointer.clone(),
                format!("expected a JSON pointer after '#' in \"{reference}\" (like #/components/schemas/Pet); anchors are not supported"),
            ));
        }
        if self.sources.value(file).pointer(&pointer).is_none() {
            return Err(LoadError::new(
                self.sources.display(from.file),
                from.pointer.clone(),
                format!(
                    "$ref \"{reference}\" points at nothing: {}#{} does not exist",
                    self.sources.display(file),
                    pointer
                ),
            ));
        }
        Ok(Loc { file, pointer })
    }

    /// Follows `$ref` chains in a non-schema object (parameter, response, example...) and
    /// returns the object found and where it is.
    fn follow(&mut self, value: &Value, loc: &Loc) -> Option<(Value, Loc)> {
        let mut value = value.clone();
        let mut loc = loc.clone();
        for _ in 0..64 {
            let Some(reference) = value.get("$ref") else {
                return Some((value, loc));
            };
            let Some(reference) = reference.as_str() else {
                self.error(
                    &loc.child("$ref"),
                    format!("expected a string, found {}", describe(reference)),
                );
                return None;
            };
            let reference = reference.to_string();
            match self.target(&loc, &reference) {
                Ok(next) => {
                    value = self
                        .sources
                        .value(next.file)
                        .pointer(&next.pointer)
                        .cloned()
                        .unwrap_or(Value::Null);
                    loc = next;
                }
                Err(e) => {
                    if !self.errors.contains(&e) {
                        self.errors.push(e);
                    }
                    return None;
                }
            }
        }
        self.error(&loc, "$ref chain is circular or longer than 64 steps");
        None
    }

    fn path_item(
        &mut self,
        path: &str,
        item: &Value,
        loc: &Loc,
        global_security: &[Vec<String>],
        out: &mut Vec<Operation>,
        mut querystrings: Option<&mut Vec<(usize, Querystring)>>,
    ) {
        let Some((item, iloc)) = self.follow(item, loc) else {
            return;
        };
        let Some(obj) = item.as_object() else {
            self.error(
                &iloc,
                format!("expected a path item object, found {}", describe(&item)),
            );
            return;
        };
        self.querystring = None;
        let shared = self.parameters(obj.get("parameters"), &iloc.child("parameters"));
        let shared_querystring = self.querystring.take();
        // The fixed fields, then (3.2) `additionalOperations`: any other method, by its name.
        let mut found: Vec<(Method, Value, Loc)> = Vec::new();
        for method in Method::ALL {
            let Some(key) = method.key() else { continue };
            if method == Method::Query && !self.is_32 {
                continue;
            }
            if let Some(op) = obj.get(key) {
                found.push((method, op.clone(), iloc.child(key)));
            }
        }
        if self.is_32 {
            match obj.get("additionalOperations") {
                Some(Value::Object(extra)) => {
                    let aloc = iloc.child("additionalOperations");
                    for (name, op) in extra {
                        let kloc = aloc.child(name);
                        if Method::parse_fixed(name).is_some() {
                            self.error(
                                &kloc,
                                format!(
                                    "`{name}` has its own field in a path item ({}); \
                                     additionalOperations is for other methods",
                                    name.to_ascii_lowercase()
                                ),
                            );
                            continue;
                        }
                        let Some(token) = crate::model::MethodToken::new(name) else {
                            self.error(
                                &kloc,
                                format!(
                                    "expected an HTTP method name (a token of at most {} \
                                     characters), found \"{}\"",
                                    crate::model::MethodToken::MAX,
                                    name.chars().take(40).collect::<String>()
                                ),
                            );
                            continue;
                        };
                        found.push((Method::Other(token), op.clone(), kloc));
                    }
                }
                Some(other) => self.error(
                    &iloc.child("additionalOperations"),
                    format!("expected a map of operations, found {}", describe(other)),
                ),
                None => {}
            }
        }
        for (method, op, at) in found {
            // Operations are not `$ref`-able by the spec, but split documents (DigitalOcean's)
            // do it anyway; follow them like any other object.
            let Some((op, oloc)) = self.follow(&op, &at) else {
                continue;
            };
            self.querystring = None;
            if let Some(mut op) = self.operation(path, method, &op, &oloc, &shared, global_security)
            {
                // Stateful mode's switches apply to every operation of a path that carries them.
                for key in ["x-stubborn-stateful", "x-stubborn-resource"] {
                    if let Some(v) = obj.get(key) {
                        op.extensions
                            .entry(key.to_string())
                            .or_insert_with(|| v.clone());
                    }
                }
                let q = self
                    .querystring
                    .take()
                    .or_else(|| shared_querystring.as_ref().map(clone_querystring));
                if let Some(q) = &q {
                    if op.parameters.iter().any(|p| p.location == ParamIn::Query) {
                        self.warn(
                            &oloc,
                            format!(
                                "`{}` (in: querystring) and `in: query` parameters together: \
                                 the spec forbids it; both are checked",
                                q.name
                            ),
                        );
                    }
                }
                if let (Some(q), Some(list)) = (q, querystrings.as_mut()) {
                    list.push((out.len(), q));
                }
                let index = out.len();
                for (name, expression, request) in std::mem::take(&mut self.op_callbacks) {
                    self.callbacks.push(Callback {
                        operation: index,
                        name,
                        expression,
                        request,
                    });
                }
                out.push(op);
            }
        }
    }

    fn parameters(&mut self, params: Option<&Value>, loc: &Loc) -> Vec<Parameter> {
        let mut out: Vec<Parameter> = Vec::new();
        let Some(params) = params else {
            return out;
        };
        let Some(list) = params.as_array() else {
            self.error(
                loc,
                format!(
                    "expected an array of parameters, found {}",
                    describe(params)
                ),
            );
            return out;
        };
        for (i, p) in list.iter().enumerate() {
            let ploc = loc.child(&i.to_string());
            if let Some(param) = self.parameter(p, &ploc) {
                // A later definition of the same (name, in) replaces an earlier one.
                out.retain(|q| !(q.name == param.name && q.location == param.location));
                out.push(param);
            }
        }
        out
    }

    fn parameter(&mut self, p: &Value, loc: &Loc) -> Option<Parameter> {
        let (p, loc) = self.follow(p, loc)?;
        let Some(obj) = p.as_object() else {
            self.error(
                &loc,
                format!("expected a parameter object, found {}", describe(&p)),
            );
            return None;
        };
        let Some(name) = obj.get("name").and_then(Value::as_str) else {
            self.error(&loc, "expected the parameter to have a string `name`");
            return None;
        };
        let location = match obj.get("in").and_then(Value::as_str) {
            Some("path") => ParamIn::Path,
            Some("query") => ParamIn::Query,
            Some("header") => ParamIn::Header,
            Some("cookie") => ParamIn::Cookie,
            Some("querystring") if self.is_32 => {
                self.querystring_parameter(name, obj, &loc);
                return None;
            }
            other => {
                self.error(
                    &loc.child("in"),
                    format!(
                        "expected `in` to be one of path, query, {}header, cookie; found {}",
                        if self.is_32 { "querystring, " } else { "" },
                        other
                            .map(|s| format!("\"{s}\""))
                            .unwrap_or_else(|| "nothing".into())
                    ),
                );
                return None;
            }
        };
        let style = obj
            .get("style")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| match location {
                ParamIn::Query | ParamIn::Cookie => "form".into(),
                ParamIn::Path | ParamIn::Header => "simple".into(),
            });
        let explode = obj
            .get("explode")
            .and_then(Value::as_bool)
            .unwrap_or(style == "form");
        let schema = obj
            .get("schema")
            .map(|s| self.intern_schema(s, &loc.child("schema")));
        let content = match obj.get("content") {
            Some(Value::Object(c)) => {
                let cloc = loc.child("content");
                c.iter()
                    .next()
                    .map(|(mt, m)| self.media_type(mt, m, &cloc.child(mt)).0)
            }
            _ => None,
        };
        let examples = self.examples(obj, &loc, None);
        Some(Parameter {
            name: name.to_string(),
            location,
            required: location == ParamIn::Path
                || obj
                    .get("required")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
            schema,
            style,
            explode,
            allow_empty_value: obj
                .get("allowEmptyValue")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            allow_reserved: obj
                .get("allowReserved")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            content,
            examples,
            deprecated: obj
                .get("deprecated")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        })
    }

    /// `in: querystring` (3.2): the whole query string as one value of the parameter's one
    /// `content` media type.
    fn querystring_parameter(&mut self, name: &str, obj: &Map<String, Value>, loc: &Loc) {
        if obj.contains_key("schema") {
            self.error(
                &loc.child("schema"),
                "an `in: querystring` parameter takes `content` (one media type), not `schema`",
            );
            return;
        }
        let content = match obj.get("content") {
            Some(Value::Object(c)) if c.len() == 1 => {
                let cloc = loc.child("content");
                c.iter()
                    .next()
                    .map(|(mt, m)| self.media_type(mt, m, &cloc.child(mt)).0)
            }
            other => {
                self.error(
                    &loc.child("content"),
                    format!(
                        "expected `content` with exactly one media type for an `in: querystring` \
                         parameter, found {}",
                        other.map(describe).unwrap_or_else(|| "nothing".into())
                    ),
                );
                None
            }
        };
        let Some(content) = content else { return };
        if self.querystring.is_some() {
            self.error(
                loc,
                "a second `in: querystring` parameter; an operation has at most one",
            );
            return;
        }
        self.querystring = Some(Querystring {
            name: name.to_string(),
            required: obj
                .get("required")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            content,
        });
    }

    fn operation(
        &mut self,
        path: &str,
        method: Method,
        op: &Value,
        loc: &Loc,
        shared: &[Parameter],
        global_security: &[Vec<String>],
    ) -> Option<Operation> {
        let Some(obj) = op.as_object() else {
            self.error(
                loc,
                format!("expected an operation object, found {}", describe(op)),
            );
            return None;
        };
        let mut parameters = self.parameters(obj.get("parameters"), &loc.child("parameters"));
        for p in shared {
            if !parameters
                .iter()
                .any(|q| q.name == p.name && q.location == p.location)
            {
                parameters.push(clone_param(p));
            }
        }
        // Every template variable needs a path parameter; an undeclared one is served as a
        // string so the route still works, and reported. (A callback's "path" is a runtime
        // expression, whose braces are not path parameters.)
        let template = if self.reading == Reading::Callback {
            ""
        } else {
            path
        };
        for name in template_params(template) {
            if !parameters
                .iter()
                .any(|p| p.location == ParamIn::Path && p.name == name)
            {
                self.warn(
                    loc,
                    format!("path parameter `{name}` of {path} is not declared; treating it as a string"),
                );
                parameters.push(Parameter {
                    name: name.to_string(),
                    location: ParamIn::Path,
                    required: true,
                    schema: None,
                    style: "simple".into(),
                    explode: false,
                    allow_empty_value: false,
                    allow_reserved: false,
                    content: None,
                    examples: Vec::new(),
                    deprecated: false,
                });
            }
        }
        let request_body = obj
            .get("requestBody")
            .and_then(|rb| self.request_body(rb, &loc.child("requestBody")));
        let mut responses = Vec::new();
        match obj.get("responses") {
            Some(Value::Object(rs)) => {
                let rloc = loc.child("responses");
                for (key, r) in rs {
                    if key.starts_with("x-") {
                        continue;
                    }
                    let kloc = rloc.child(key);
                    let Some(status) = StatusKey::parse(key) else {
                        self.error(
                            &kloc,
                            format!(
                                "expected a status code (200, 4XX or default), found \"{key}\""
                            ),
                        );
                        continue;
                    };
                    if let Some(resp) = self.response(status, r, &kloc) {
                        responses.push(resp);
                    }
                }
            }
            Some(other) => {
                self.error(
                    &loc.child("responses"),
                    format!("expected an object, found {}", describe(other)),
                );
            }
            None => {
                if !self.is_30 {
                    // 3.1 made `responses` optional.
                } else {
                    self.warn(loc, "the operation has no `responses`");
                }
            }
        }
        let security = match obj.get("security") {
            Some(s) => self.security_requirements(s, &loc.child("security")),
            None => global_security.to_vec(),
        };
        let extensions = obj
            .iter()
            .filter(|(k, _)| k.starts_with("x-"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let callbacks = match (self.reading, obj.get("callbacks")) {
            (Reading::Paths, Some(c)) => self.callbacks_of(c, &loc.child("callbacks")),
            _ => Vec::new(),
        };
        self.op_callbacks = callbacks;
        Some(Operation {
            id: obj
                .get("operationId")
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| format!("{method} {path}")),
            method,
            path: path.to_string(),
            summary: obj
                .get("summary")
                .and_then(Value::as_str)
                .map(str::to_string),
            parameters,
            request_body,
            responses,
            security,
            origin: self.at(loc),
            extensions,
        })
    }

    /// An operation's `callbacks`: name → Callback Object (or its `$ref`) → runtime expression
    /// → path item. Each operation of each path item is one request to send.
    fn callbacks_of(&mut self, value: &Value, loc: &Loc) -> Vec<(String, String, Operation)> {
        let mut out = Vec::new();
        let Some(map) = value.as_object() else {
            self.error(
                loc,
                format!("expected a map of callbacks, found {}", describe(value)),
            );
            return out;
        };
        // The path items read below belong to the callback, not to the operation being built.
        let querystring = self.querystring.take();
        self.reading = Reading::Callback;
        for (name, callback) in map {
            if name.starts_with("x-") {
                continue;
            }
            let Some((callback, cloc)) = self.follow(callback, &loc.child(name)) else {
                continue;
            };
            let Some(expressions) = callback.as_object() else {
                self.error(
                    &cloc,
                    format!(
                        "expected a callback object (runtime expression → path item), found {}",
                        describe(&callback)
                    ),
                );
                continue;
            };
            for (expression, item) in expressions {
                if expression.starts_with("x-") {
                    continue;
                }
                let mut requests = Vec::new();
                self.path_item(
                    expression,
                    item,
                    &cloc.child(expression),
                    &[],
                    &mut requests,
                    None,
                );
                for request in requests {
                    out.push((name.clone(), expression.clone(), request));
                }
            }
        }
        self.reading = Reading::Paths;
        self.querystring = querystring;
        out
    }

    fn request_body(&mut self, rb: &Value, loc: &Loc) -> Option<RequestBody> {
        let (rb, loc) = self.follow(rb, loc)?;
        let (content, item_schemas) = self.content(rb.get("content"), &loc.child("content"));
        Some(RequestBody {
            required: rb.get("required").and_then(Value::as_bool).unwrap_or(false),
            content,
            item_schemas,
        })
    }

    fn response(&mut self, status: StatusKey, r: &Value, loc: &Loc) -> Option<Response> {
        let (r, loc) = self.follow(r, loc)?;
        let Some(obj) = r.as_object() else {
            self.error(
                &loc,
                format!("expected a response object, found {}", describe(&r)),
            );
            return None;
        };
        let (content, item_schemas) = self.content(obj.get("content"), &loc.child("content"));
        let mut headers = Vec::new();
        if let Some(Value::Object(hs)) = obj.get("headers") {
            let hloc = loc.child("headers");
            for (name, h) in hs {
                if name.eq_ignore_ascii_case("content-type") {
                    continue;
                }
                let l = hloc.child(name);
                let Some((h, l)) = self.follow(h, &l) else {
                    continue;
                };
                let schema = h
                    .get("schema")
                    .map(|s| self.intern_schema(s, &l.child("schema")));
                let examples = match h.as_object() {
                    Some(o) => self.examples(o, &l, None),
                    None => Vec::new(),
                };
                headers.push(Header {
                    name: name.clone(),
                    required: h.get("required").and_then(Value::as_bool).unwrap_or(false),
                    schema,
                    examples,
                });
            }
        }
        Some(Response {
            status,
            description: obj
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            headers,
            content,
            item_schemas,
        })
    }

    /// The media types of a `content` map, and aligned with them, each one's item schema.
    fn content(
        &mut self,
        content: Option<&Value>,
        loc: &Loc,
    ) -> (Vec<MediaType>, Vec<Option<ItemSchema>>) {
        match content {
            Some(Value::Object(c)) => c
                .iter()
                .map(|(mt, m)| self.media_type(mt, m, &loc.child(mt)))
                .unzip(),
            Some(other) => {
                self.error(
                    loc,
                    format!("expected a map of media types, found {}", describe(other)),
                );
                (Vec::new(), Vec::new())
            }
            None => (Vec::new(), Vec::new()),
        }
    }

    /// One media type object (3.2: possibly a `$ref` to `components.mediaTypes`), and the
    /// schema of one item when it is sequential: 3.2's `itemSchema`, or for `text/event-stream`
    /// a plain `schema` (how 3.0/3.1 documents, OpenAI's among them, describe an event).
    fn media_type(&mut self, mt: &str, m: &Value, loc: &Loc) -> (MediaType, Option<ItemSchema>) {
        let (m, loc) = match m.get("$ref") {
            Some(_) => match self.follow(m, loc) {
                Some(found) => found,
                None => (Value::Object(Map::new()), loc.clone()),
            },
            None => (m.clone(), loc.clone()),
        };
        let loc = &loc;
        let schema = m
            .get("schema")
            .map(|s| self.intern_schema(s, &loc.child("schema")));
        let framing = crate::media::Framing::of(mt);
        let item_schema = match (m.get("itemSchema").filter(|_| self.is_32), framing) {
            (Some(s), _) => {
                let iloc = loc.child("itemSchema");
                let schema = self.intern_schema(s, &iloc);
                // An event whose `data` is JSON text says so with `contentSchema`.
                let data_schema = match framing {
                    Some(crate::media::Framing::EventStream) => {
                        self.follow(s, &iloc).and_then(|(item, iloc)| {
                            let cs = item.pointer("/properties/data/contentSchema")?;
                            let at = iloc
                                .child("properties")
                                .child("data")
                                .child("contentSchema");
                            Some(self.intern_schema(cs, &at))
                        })
                    }
                    _ => None,
                };
                Some(ItemSchema {
                    schema,
                    data_only: false,
                    data_schema,
                })
            }
            // An event stream described by a plain schema: the schema is one event's data.
            (None, Some(crate::media::Framing::EventStream)) => schema.map(|schema| ItemSchema {
                schema,
                data_only: true,
                data_schema: None,
            }),
            _ => None,
        };
        let examples = match m.as_object() {
            Some(o) => self.examples(o, loc, Some(mt)),
            None => Vec::new(),
        };
        (
            MediaType {
                media_type: mt.to_string(),
                schema,
                examples,
                encoding: m.get("encoding").cloned(),
            },
            item_schema,
        )
    }

    /// `example` (unnamed, first) then `examples` (named, in document order, `$ref`s followed).
    /// `example` (unnamed, first) then `examples` (named, in document order, `$ref`s followed).
    /// An example object gives its value as `value`, 3.2's `dataValue` (the data, serialised
    /// for the media type like `value`), 3.2's `serializedValue` (sent byte for byte), or
    /// `externalValue` (a file under the spec's directory, sent byte for byte). `media` is the
    /// media type the examples are for, if any: a serialized JSON example is parsed for it.
    fn examples(
        &mut self,
        obj: &Map<String, Value>,
        loc: &Loc,
        media: Option<&str>,
    ) -> Vec<Example> {
        let mut out = Vec::new();
        if let Some(v) = obj.get("example") {
            out.push(Example {
                name: None,
                summary: None,
                value: v.clone(),
                serialized: None,
                origin: self.at(&loc.child("example")),
            });
        }
        let json = media.is_some_and(crate::media::is_json);
        match obj.get("examples") {
            Some(Value::Object(named)) => {
                let eloc = loc.child("examples");
                for (name, ex) in named {
                    let l = eloc.child(name);
                    let Some((ex, l)) = self.follow(ex, &l) else {
                        continue;
                    };
                    let serialized = match (ex.get("serializedValue"), ex.get("externalValue")) {
                        (Some(Value::String(text)), _) => Some(text.clone()),
                        (Some(other), _) => {
                            self.warn(
                                &l.child("serializedValue"),
                                format!("expected a string, found {}", describe(other)),
                            );
                            continue;
                        }
                        (None, Some(Value::String(uri))) => match self.external_value(&l, uri) {
                            Ok(text) => Some(text),
                            Err(e) => {
                                self.warn(
                                    &l.child("externalValue"),
                                    format!("{e}; the example is skipped"),
                                );
                                continue;
                            }
                        },
                        _ => None,
                    };
                    let value = match (ex.get("dataValue").or(ex.get("value")), &serialized) {
                        (Some(v), _) => v.clone(),
                        (None, Some(text)) if json => match serde_json::from_str(text) {
                            Ok(v) => v,
                            Err(e) => {
                                self.warn(
                                    &l,
                                    format!("the serialized example is not JSON ({e}); it is sent as written"),
                                );
                                Value::String(text.clone())
                            }
                        },
                        (None, Some(text)) => Value::String(text.clone()),
                        (None, None) => {
                            self.warn(&l, "the example has no `value`; it is skipped");
                            continue;
                        }
                    };
                    out.push(Example {
                        name: Some(name.clone()),
                        summary: ex
                            .get("summary")
                            .and_then(Value::as_str)
                            .map(str::to_string),
                        value,
                        // Only a media type's examples are bodies sent as they are.
                        serialized: serialized.filter(|_| media.is_some()),
                        origin: self.at(&l),
                    });
                }
            }
            Some(other) => {
                self.warn(
                    &loc.child("examples"),
                    format!(
                        "expected a map of named examples, found {}",
                        describe(other)
                    ),
                );
            }
            None => {}
        }
        out
    }

    /// The text of an example's `externalValue`: a file under the root document's directory
    /// (the fence `$ref`s keep), at most [`MAX_EXTERNAL_VALUE`] bytes; remote URLs are refused.
    fn external_value(&self, at: &Loc, uri: &str) -> Result<String, String> {
        if uri.contains("://") || uri.starts_with("//") {
            return Err(format!(
                "externalValue \"{uri}\" is remote; stubborn only reads local files"
            ));
        }
        let paths: Vec<&std::path::Path> = self.sources.paths().collect();
        let (Some(root), Some(here)) = (paths.first(), paths.get(at.file.0 as usize)) else {
            return Err(format!("externalValue \"{uri}\" cannot be read"));
        };
        let (Some(base), Some(dir)) = (root.parent(), here.parent()) else {
            return Err(format!("externalValue \"{uri}\" cannot be read"));
        };
        if !root.is_absolute() {
            return Err(format!(
                "externalValue \"{uri}\" cannot be read for a document that was not read from a file"
            ));
        }
        let decoded = percent_encoding::percent_decode_str(uri).decode_utf8_lossy();
        let mut joined = std::path::PathBuf::new();
        for c in dir.join(decoded.as_ref()).components() {
            match c {
                std::path::Component::ParentDir => {
                    joined.pop();
                }
                std::path::Component::CurDir => {}
                other => joined.push(other.as_os_str()),
            }
        }
        let outside = || {
            format!(
                "externalValue \"{uri}\" leaves the spec's directory ({}); only files under it are read",
                base.display()
            )
        };
        if !joined.starts_with(base) {
            return Err(outside());
        }
        let canonical = joined
            .canonicalize()
            .map_err(|e| format!("cannot read externalValue \"{uri}\": {e}"))?;
        if !canonical.starts_with(base) {
            return Err(outside());
        }
        let size = std::fs::metadata(&canonical)
            .map(|m| m.len())
            .map_err(|e| format!("cannot read externalValue \"{uri}\": {e}"))?;
        if size > MAX_EXTERNAL_VALUE {
            return Err(format!(
                "externalValue \"{uri}\" is {size} bytes; at most {MAX_EXTERNAL_VALUE} are read"
            ));
        }
        std::fs::read_to_string(&canonical)
            .map_err(|e| format!("cannot read externalValue \"{uri}\" as text: {e}"))
    }

    fn security_schemes(&mut self, doc: &Value, root: &Loc) -> Vec<SecurityScheme> {
        let mut out = Vec::new();
        let Some(Value::Object(schemes)) = doc.pointer("/components/securitySchemes") else {
            return out;
        };
        let sloc = root.child("components").child("securitySchemes");
        for (name, s) in schemes {
            let Some((s, _)) = self.follow(s, &sloc.child(name)) else {
                continue;
            };
            out.push(SecurityScheme {
                name: name.clone(),
                kind: s
                    .get("type")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                param_name: s.get("name").and_then(Value::as_str).map(str::to_string),
                location: match s.get("in").and_then(Value::as_str) {
                    Some("header") => Some(ParamIn::Header),
                    Some("query") => Some(ParamIn::Query),
                    Some("cookie") => Some(ParamIn::Cookie),
                    _ => None,
                },
                scheme: s
                    .get("scheme")
                    .and_then(Value::as_str)
                    .map(|x| x.to_ascii_lowercase()),
            });
        }
        out
    }

    fn security_requirements(&mut self, s: &Value, loc: &Loc) -> Vec<Vec<String>> {
        let Some(list) = s.as_array() else {
            self.error(
                loc,
                format!(
                    "expected an array of security requirements, found {}",
                    describe(s)
                ),
            );
            return Vec::new();
        };
        list.iter()
            .filter_map(|req| req.as_object())
            .map(|req| req.keys().cloned().collect())
            .collect()
    }

    /// Interns the schema found at `loc`. A bare `$ref` reuses the target's entry, so every
    /// use of `#/components/schemas/Pet` shares one schema (and one validator).
    fn intern_schema(&mut self, value: &Value, loc: &Loc) -> SchemaId {
        if let Some(obj) = value.as_object() {
            if obj.len() == 1 {
                if let Some(Value::String(r)) = obj.get("$ref") {
                    let r = r.clone();
                    match self.target(loc, &r) {
                        Ok(target) => return self.schema_def(&target),
                        Err(e) => {
                            self.errors.push(e);
                            let id = self.store.reserve("broken", self.at(loc));
                            return id;
                        }
                    }
                }
            }
        }
        if let Some(id) = self.schema_at.get(loc) {
            return *id;
        }
        let name = schema_name(&loc.pointer);
        let id = self.store.reserve(&name, self.at(loc));
        self.schema_at.insert(loc.clone(), id);
        let converted = self.convert(value, loc, 0);
        self.store.set(id, converted);
        self.drain_pending();
        id
    }

    /// The store entry for the schema at `loc`, reserving it (to be converted by
    /// [`Builder::drain_pending`]) on first use.
    fn schema_def(&mut self, loc: &Loc) -> SchemaId {
        if let Some(id) = self.schema_at.get(loc) {
            return *id;
        }
        let name = schema_name(&loc.pointer);
        let id = self.store.reserve(&name, self.at(loc));
        self.schema_at.insert(loc.clone(), id);
        self.pending.push((id, loc.clone()));
        id
    }

    fn drain_pending(&mut self) {
        while let Some((id, loc)) = self.pending.pop() {
            let value = self
                .sources
                .value(loc.file)
                .pointer(&loc.pointer)
                .cloned()
                .unwrap_or(Value::Bool(true));
            let converted = self.convert(&value, &loc, 0);
            self.store.set(id, converted);
        }
    }

    /// Converts one schema (inline sub-schemas recursively, references by rewriting them to the
    /// store's `#/$defs/KEY`).
    fn convert(&mut self, value: &Value, loc: &Loc, depth: usize) -> Value {
        if depth > 200 {
            self.error(loc, "schema nests deeper than 200 levels");
            return Value::Bool(true);
        }
        let obj = match value {
            Value::Object(o) => o,
            Value::Bool(_) => return value.clone(),
            other => {
                self.error(
                    loc,
                    format!("expected a schema (an object), found {}", describe(other)),
                );
                return Value::Bool(true);
            }
        };
        let mut out = Map::with_capacity(obj.len());
        for (k, v) in obj {
            let kloc = loc.child(k);
            let converted = match k.as_str() {
                "$ref" => match v.as_str() {
                    Some(r) => match self.target(loc, r) {
                        Ok(target) => {
                            let id = self.schema_def(&target);
                            Value::String(self.store.ref_to(id))
                        }
                        Err(e) => {
                            if !self.errors.contains(&e) {
                                self.errors.push(e);
                            }
                            continue;
                        }
                    },
                    None => {
                        self.error(&kloc, format!("expected a string, found {}", describe(v)));
                        continue;
                    }
                },
                // `$schema`/`$id` would change how the rewritten `$ref`s resolve.
                "$schema" | "$id" | "$anchor" | "$dynamicAnchor" => continue,
                "properties" | "patternProperties" | "$defs" | "definitions"
                | "dependentSchemas" => {
                    // A whole map of schemas behind one `$ref` (DigitalOcean's split files do
                    // this with `properties`): follow it, then convert the map found there.
                    let (v, kloc) = match v.get("$ref") {
                        Some(Value::String(_)) => match self.follow(v, &kloc) {
                            Some(found) => found,
                            None => continue,
                        },
                        _ => (v.clone(), kloc),
                    };
                    match &v {
                        Value::Object(m) => {
                            let mut mm = Map::with_capacity(m.len());
                            for (name, s) in m {
                                mm.insert(
                                    name.clone(),
                                    self.convert(s, &kloc.child(name), depth + 1),
                                );
                            }
                            Value::Object(mm)
                        }
                        other => {
                            self.error(
                                &kloc,
                                format!("expected an object of schemas, found {}", describe(other)),
                            );
                            continue;
                        }
                    }
                }
                "allOf" | "anyOf" | "oneOf" | "prefixItems" => match v {
                    Value::Array(a) => Value::Array(
                        a.iter()
                            .enumerate()
                            .map(|(i, s)| self.convert(s, &kloc.child(&i.to_string()), depth + 1))
                            .collect(),
                    ),
                    other => {
                        self.error(
                            &kloc,
                            format!("expected an array of schemas, found {}", describe(other)),
                        );
                        continue;
                    }
                },
                "items" => match v {
                    // Draft 4 tuple form, still seen in the wild.
                    Value::Array(a) => {
                        let tuple: Vec<Value> = a
                            .iter()
                            .enumerate()
                            .map(|(i, s)| self.convert(s, &kloc.child(&i.to_string()), depth + 1))
                            .collect();
                        out.insert("prefixItems".into(), Value::Array(tuple));
                        continue;
                    }
                    other => self.convert(other, &kloc, depth + 1),
                },
                "additionalProperties"
                | "not"
                | "if"
                | "then"
                | "else"
                | "contains"
                | "propertyNames"
                | "unevaluatedProperties"
                | "unevaluatedItems"
                | "additionalItems"
                | "contentSchema" => self.convert(v, &kloc, depth + 1),
                "discriminator" => self.discriminator(v, &kloc),
                _ => v.clone(),
            };
            out.insert(k.clone(), converted);
        }
        if self.is_30 {
            convert::from_openapi_30(&mut out);
        } else {
            convert::from_openapi_31(&mut out);
        }
        Value::Object(out)
    }

    /// Rewrites `discriminator.mapping` targets (`#/components/schemas/Dog` or a bare `Dog`) to
    /// store references, so the generator and validator can find the branch.
    fn discriminator(&mut self, v: &Value, loc: &Loc) -> Value {
        let mut d = v.clone();
        if let Some(Value::Object(mapping)) = d.get_mut("mapping") {
            for (key, target) in mapping.iter_mut() {
                let Some(t) = target.as_str() else { continue };
                let reference = if t.contains('#') || t.contains('/') || t.contains('.') {
                    t.to_string()
                } else {
                    format!("#/components/schemas/{t}")
                };
                match self.target(&loc.child("mapping").child(key), &reference) {
                    Ok(tl) => {
                        let id = self.schema_def(&tl);
                        *target = Value::String(self.store.ref_to(id));
                    }
                    Err(e) => {
                        let at = Loc {
                            file: loc.file,
                            pointer: format!(
                                "{}/mapping/{}",
                                loc.pointer,
                                escape_pointer_token(key)
                            ),
                        };
                        self.warn(&at, e.message);
                    }
                }
            }
        }
        d
    }
}

/// A readable store key from where a schema was found: `#/components/schemas/Pet` → `Pet`;
/// an inline schema gets the name of the place it describes.
fn schema_name(pointer: &str) -> String {
    let tokens: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(crate::schema::unescape_pointer_token)
        .collect();
    if let Some(i) = tokens.iter().position(|t| t == "schemas") {
        if i + 1 < tokens.len() {
            return tokens[i + 1..].join(".");
        }
    }
    match tokens.last().map(String::as_str) {
        Some("schema") | None => {
            // paths./pets.get.responses.200.content.application/json.schema → pets.get.200
            let useful: Vec<&str> = tokens
                .iter()
                .map(String::as_str)
                .filter(|t| {
                    !matches!(
                        *t,
                        "paths" | "content" | "schema" | "responses" | "requestBody" | "parameters"
                    ) && !t.contains('/')
                })
                .collect();
            if useful.is_empty() {
                "schema".into()
            } else {
                useful.join(".")
            }
        }
        Some(last) => last.to_string(),
    }
}

fn clone_querystring(q: &Querystring) -> Querystring {
    Querystring {
        name: q.name.clone(),
        required: q.required,
        content: MediaType {
            media_type: q.content.media_type.clone(),
            schema: q.content.schema,
            examples: q.content.examples.clone(),
            encoding: q.content.encoding.clone(),
        },
    }
}

fn clone_param(p: &Parameter) -> Parameter {
    Parameter {
        name: p.name.clone(),
        location: p.location,
        required: p.required,
        schema: p.schema,
        style: p.style.clone(),
        explode: p.explode,
        allow_empty_value: p.allow_empty_value,
        allow_reserved: p.allow_reserved,
        content: p.content.as_ref().map(|m| MediaType {
            media_type: m.media_type.clone(),
            schema: m.schema,
            examples: m.examples.clone(),
            encoding: m.encoding.clone(),
        }),
        examples: p.examples.clone(),
        deprecated: p.deprecated,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_prefixes_from_urls() {
        let servers = serde_json::json!([
            {"url": "https://api.example.com/v1/"},
            {"url": "/v2"},
            {"url": "https://{host}/{base}", "variables": {"host": {"default": "x"}, "base": {"default": "api"}}},
            {"url": "https://example.com"}
        ]);
        assert_eq!(server_prefixes(Some(&servers)), vec!["/v1", "/v2", "/api"]);
    }

    #[test]
    fn names_from_pointers() {
        assert_eq!(schema_name("/components/schemas/Pet"), "Pet");
        assert_eq!(
            schema_name("/paths/~1pets/get/responses/200/content/application~1json/schema"),
            "get.200"
        );
        assert_eq!(template_params("/a/{x}/b{y}.json"), vec!["x", "y"]);
    }
}

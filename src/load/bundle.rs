//! Bundling: the document as stubborn understands it, as one OpenAPI 3.1 (or 3.2) document.
//! Used by `stubborn convert` and by the server's `/spec` ([`served_document`]).
//!
//! The conversion works on the document (`serde_json::Value`s), not on the model, so what comes
//! out is still a readable API description: names, descriptions, `$ref`s and extensions stay.
//! Swagger 2.0 is first converted to OpenAPI 3.0 exactly as on load; OpenAPI 3.0 is then
//! brought to 3.1 (schemas become JSON Schema 2020-12: `nullable` becomes a `null` type,
//! boolean `exclusiveMinimum`/`exclusiveMaximum` become numbers, `example` becomes `examples`).
//! References to other files are bundled into `components`, so the output stands alone.
//!
//! `--to openapi-3.2` writes the same, as OpenAPI 3.2.0 (every 3.1 document is a 3.2 one in
//! substance). A 3.2 document written as 3.1 keeps what 3.1 can say (`dataValue` becomes
//! `value`, media types from `components.mediaTypes` are written in place, a missing response
//! description becomes empty) and drops, each with a note, what it cannot (the `query`
//! operation, `additionalOperations`, `in: querystring`, `itemSchema`...).

use super::source::{FileId, Sources};
use super::{LoadError, LoadErrors};
use serde_json::{json, Map, Value};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;

/// Why a conversion failed.
pub enum ConvertError {
    /// The input does not load (exit code 2).
    Load(LoadErrors),
    Other(String),
}

impl From<LoadErrors> for ConvertError {
    fn from(e: LoadErrors) -> Self {
        ConvertError::Load(e)
    }
}

impl From<LoadError> for ConvertError {
    fn from(e: LoadError) -> Self {
        ConvertError::Load(e.into())
    }
}

/// The targets `--to` accepts (the first of each is the name shown in messages).
pub const TARGETS: [&str; 4] = ["openapi-3.1", "openapi-3.1.0", "openapi3.1", "3.1"];
pub const TARGETS_32: [&str; 4] = ["openapi-3.2", "openapi-3.2.0", "openapi3.2", "3.2"];

const METHODS: [&str; 9] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace", "query",
];

/// The OpenAPI version a conversion writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    V31,
    V32,
}

impl Target {
    /// The target a `--to` value names.
    pub fn parse(s: &str) -> Option<Target> {
        let s = s.trim().to_ascii_lowercase();
        if TARGETS.contains(&s.as_str()) {
            Some(Target::V31)
        } else if TARGETS_32.contains(&s.as_str()) {
            Some(Target::V32)
        } else {
            None
        }
    }

    /// The `openapi` version written.
    pub fn version(self) -> &'static str {
        match self {
            Target::V31 => "3.1.0",
            Target::V32 => "3.2.0",
        }
    }
}

const MAX_DEPTH: usize = 200;

/// A converted document and what was done to it.
pub struct Conversion {
    pub document: Value,
    /// What the input was: `Swagger 2.0`, `OpenAPI 3.0.3`, `OpenAPI 3.1.0`.
    pub source_format: String,
    pub stats: Stats,
    /// Things worth telling the user (bundled files, references left as they were).
    pub notes: Vec<String>,
}

impl Conversion {
    /// What was rewritten, in a few words: `rewrote 2 nullables, 1 bundled component`.
    pub fn summary(&self) -> String {
        let s = &self.stats;
        let mut parts = Vec::new();
        for (n, what) in [
            (s.nullable, "nullable"),
            (s.exclusive, "boolean exclusive bound"),
            (s.examples, "schema example"),
            (s.bundled, "bundled component"),
        ] {
            if n > 0 {
                parts.push(format!("{n} {what}{}", if n == 1 { "" } else { "s" }));
            }
        }
        if parts.is_empty() {
            "nothing to rewrite".into()
        } else {
            format!("rewrote {}", parts.join(", "))
        }
    }
}

/// Counts of what the conversion rewrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub nullable: usize,
    pub exclusive: usize,
    pub examples: usize,
    pub bundled: usize,
}

/// The document a mock loaded from `path` serves at `GET /__stubborn/spec`, as JSON bytes:
/// the root document as OpenAPI 3 (Swagger 2.0, a collection or HAR converted as on load), or,
/// when it spans several files (`files`, as [`crate::load::load_file_with_paths`] gives
/// them), the bundled OpenAPI 3.1 document `stubborn convert` writes. Made once at load, so
/// the admin API never reads the disk and always shows the version being served.
pub fn served_document(path: &Path, files: &[std::path::PathBuf]) -> Result<bytes::Bytes, String> {
    let doc = if files.len() > 1 {
        // A 3.2 document is bundled as 3.2: nothing of it is dropped.
        let target = match super::document_as_openapi3(path) {
            Ok((_, format)) if format.starts_with("OpenAPI 3.2") => Target::V32,
            _ => Target::V31,
        };
        match convert_file_to(path, target) {
            Ok(c) => c.document,
            Err(ConvertError::Load(e)) => return Err(e.to_string()),
            Err(ConvertError::Other(e)) => return Err(e),
        }
    } else {
        super::document_as_openapi3(path)
            .map_err(|e| e.to_string())?
            .0
    };
    serde_json::to_vec(&doc)
        .map(bytes::Bytes::from)
        .map_err(|e| e.to_string())
}

/// Reads the document at `path` (following references into other files under its directory)
/// and converts it to OpenAPI 3.1. The input is expected to load; see [`run`].
pub fn convert_file(path: &Path) -> Result<Conversion, ConvertError> {
    convert_file_to(path, Target::V31)
}

/// [`convert_file`] to the OpenAPI version `target`.
pub fn convert_file_to(path: &Path, target: Target) -> Result<Conversion, ConvertError> {
    let (doc, source_format) = super::document_as_openapi3(path)?;
    let (mut sources, root) = Sources::open(path)?;
    sources.replace(root, doc.clone());
    let mut c = convert_document(doc, source_format, sources, root);
    let from_32 = c.source_format.starts_with("OpenAPI 3.2");
    match target {
        Target::V31 if from_32 => down_to_31(&mut c.document, &mut c.notes),
        Target::V31 => {}
        Target::V32 => {
            if let Some(obj) = c.document.as_object_mut() {
                obj.insert("openapi".into(), Value::String("3.2.0".into()));
            }
        }
    }
    Ok(c)
}

/// Writes a 3.2 document as 3.1: what 3.1 can say is rewritten, the rest dropped with a note.
fn down_to_31(doc: &mut Value, notes: &mut Vec<String>) {
    let mut dropped: Vec<String> = Vec::new();
    let media_types = doc
        .pointer("/components/mediaTypes")
        .cloned()
        .unwrap_or(Value::Null);
    let Some(obj) = doc.as_object_mut() else {
        return;
    };
    obj.insert("openapi".into(), Value::String("3.1.0".into()));
    if obj.remove("$self").is_some() {
        dropped.push("$self".into());
    }
    if let Some(Value::Array(tags)) = obj.get_mut("tags") {
        for t in tags.iter_mut().filter_map(Value::as_object_mut) {
            for k in ["parent", "kind"] {
                if t.remove(k).is_some() {
                    dropped.push(format!("tag {k}"));
                }
            }
        }
    }
    if let Some(Value::Array(servers)) = obj.get_mut("servers") {
        for sv in servers.iter_mut().filter_map(Value::as_object_mut) {
            if sv.remove("name").is_some() {
                dropped.push("server name".into());
            }
        }
    }
    if let Some(Value::Object(components)) = obj.get_mut("components") {
        if components.remove("mediaTypes").is_some() {
            notes.push("components.mediaTypes written in place where referenced".into());
        }
        if let Some(Value::Object(schemes)) = components.get_mut("securitySchemes") {
            for sc in schemes.values_mut().filter_map(Value::as_object_mut) {
                for k in ["deprecated", "oauth2MetadataUrl"] {
                    if sc.remove(k).is_some() {
                        dropped.push(format!("security scheme {k}"));
                    }
                }
                if let Some(Value::Object(flows)) = sc.get_mut("flows") {
                    if flows.remove("deviceAuthorization").is_some() {
                        dropped.push("the OAuth device authorization flow".into());
                    }
                }
            }
        }
        for section in ["responses", "requestBodies", "parameters", "headers"] {
            if let Some(Value::Object(entries)) = components.get_mut(section) {
                for (name, v) in entries.iter_mut() {
                    down_node(v, section, &media_types, &mut dropped, name);
                }
            }
        }
        if let Some(Value::Object(items)) = components.get_mut("pathItems") {
            for (name, item) in items.iter_mut() {
                down_path_item(item, &media_types, &mut dropped, name);
            }
        }
    }
    for key in ["paths", "webhooks"] {
        if let Some(Value::Object(items)) = obj.get_mut(key) {
            for (path, item) in items.iter_mut() {
                down_path_item(item, &media_types, &mut dropped, path);
            }
        }
    }
    let mut seen = BTreeSet::new();
    dropped.retain(|d| seen.insert(d.clone()));
    for d in dropped {
        notes.push(format!("dropped (OpenAPI 3.1 cannot say it): {d}"));
    }
}

fn down_path_item(item: &mut Value, media_types: &Value, dropped: &mut Vec<String>, at: &str) {
    let Some(obj) = item.as_object_mut() else {
        return;
    };
    if obj.remove("query").is_some() {
        dropped.push(format!("the QUERY operation of {at}"));
    }
    if let Some(Value::Object(extra)) = obj.remove("additionalOperations") {
        for name in extra.keys() {
            dropped.push(format!(
                "the {name} operation of {at} (additionalOperations)"
            ));
        }
    }
    if let Some(params) = obj.get_mut("parameters") {
        down_node(params, "parameterList", media_types, dropped, at);
    }
    for m in METHODS {
        let Some(Value::Object(op)) = obj.get_mut(m) else {
            continue;
        };
        let at = format!("{} {at}", m.to_ascii_uppercase());
        if let Some(params) = op.get_mut("parameters") {
            down_node(params, "parameterList", media_types, dropped, &at);
        }
        if let Some(rb) = op.get_mut("requestBody") {
            down_node(rb, "requestBodies", media_types, dropped, &at);
        }
        if let Some(Value::Object(rs)) = op.get_mut("responses") {
            for (code, r) in rs.iter_mut() {
                down_node(
                    r,
                    "responses",
                    media_types,
                    dropped,
                    &format!("{at} {code}"),
                );
            }
        }
    }
}

/// One parameter list, request body, response or header, brought down to 3.1.
fn down_node(v: &mut Value, kind: &str, media_types: &Value, dropped: &mut Vec<String>, at: &str) {
    if v.get("$ref").is_some() {
        return;
    }
    match kind {
        "parameterList" => {
            if let Value::Array(list) = v {
                list.retain(|p| {
                    let qs = p.get("in").and_then(Value::as_str) == Some("querystring");
                    if qs {
                        dropped.push(format!("the `in: querystring` parameter of {at}"));
                    }
                    !qs
                });
                for p in list.iter_mut() {
                    down_node(p, "parameters", media_types, dropped, at);
                }
            }
        }
        "parameters" | "headers" | "requestBodies" | "responses" => {
            let Some(obj) = v.as_object_mut() else { return };
            if kind == "responses" && !obj.contains_key("description") {
                obj.insert("description".into(), Value::String(String::new()));
            }
            if let Some(Value::Object(content)) = obj.get_mut("content") {
                for (mt, m) in content.iter_mut() {
                    down_media(m, media_types, dropped, &format!("{at} {mt}"));
                }
            }
            if let Some(Value::Object(headers)) = obj.get_mut("headers") {
                for h in headers.values_mut() {
                    down_node(h, "headers", media_types, dropped, at);
                }
            }
        }
        _ => {}
    }
}

fn down_media(m: &mut Value, media_types: &Value, dropped: &mut Vec<String>, at: &str) {
    if let Some(r) = m.get("$ref").and_then(Value::as_str) {
        let found = r
            .strip_prefix("#/components/mediaTypes/")
            .and_then(|name| media_types.get(crate::schema::unescape_pointer_token(name)));
        if let Some(found) = found {
            *m = found.clone();
        }
    }
    let Some(obj) = m.as_object_mut() else { return };
    if obj.remove("itemSchema").is_some() {
        dropped.push(format!("the itemSchema of {at} (the stream's items)"));
    }
    if let Some(Value::Object(examples)) = obj.get_mut("examples") {
        for ex in examples.values_mut().filter_map(Value::as_object_mut) {
            if let Some(v) = ex.remove("dataValue") {
                ex.insert("value".into(), v);
            }
            if let Some(Value::String(text)) = ex.remove("serializedValue") {
                let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
                ex.insert("value".into(), value);
            }
        }
    }
}

/// Converts an OpenAPI 3.0 or 3.1 document held in `sources` (at `root`).
fn convert_document(
    mut doc: Value,
    source_format: String,
    sources: Sources,
    root: FileId,
) -> Conversion {
    let version = doc
        .get("openapi")
        .and_then(Value::as_str)
        .unwrap_or("3.0")
        .to_string();
    let upgrade = !(version.starts_with("3.1") || version.starts_with("3.2"));
    let mut taken: HashMap<&'static str, HashSet<String>> = HashMap::new();
    if let Some(Value::Object(components)) = doc.get("components") {
        for (section, entries) in components {
            if let (Some(s), Value::Object(entries)) = (section_name(section), entries) {
                taken.entry(s).or_default().extend(entries.keys().cloned());
            }
        }
    }
    let mut c = Converter {
        sources,
        root,
        upgrade,
        hoisted: HashMap::new(),
        added: Vec::new(),
        taken,
        files: BTreeSet::new(),
        notes: Vec::new(),
        stats: Stats::default(),
    };
    c.document(&mut doc);
    // Bundled components join the root's `components`, in the order they were met.
    if !c.added.is_empty() {
        let obj = doc
            .as_object_mut()
            .expect("an OpenAPI document is an object");
        let components = obj
            .entry("components")
            .or_insert_with(|| Value::Object(Map::new()));
        if !components.is_object() {
            *components = Value::Object(Map::new());
        }
        let components = components.as_object_mut().expect("just made an object");
        for (section, name, value) in std::mem::take(&mut c.added) {
            let entries = components
                .entry(section)
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(m) = entries {
                m.insert(name, value);
            }
        }
    }
    if let Some(obj) = doc.as_object_mut() {
        if upgrade {
            obj.insert("openapi".into(), Value::String("3.1.0".into()));
        }
    }
    if !c.files.is_empty() {
        let files: Vec<String> = c.files.iter().cloned().collect();
        c.notes.push(format!(
            "bundled {} referenced file(s) into the document: {}",
            files.len(),
            files.join(", ")
        ));
    }
    Conversion {
        document: doc,
        source_format,
        stats: c.stats,
        notes: c.notes,
    }
}

/// What a value is, by where it stands in the document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    PathItem,
    Operation,
    Parameter,
    Header,
    RequestBody,
    Response,
    MediaType,
    Encoding,
    Schema,
    Example,
    Link,
    Callback,
    SecurityScheme,
}

impl Kind {
    /// The `components` section a referenced value of this kind is bundled into; `None` for
    /// kinds written out in place.
    fn section(self) -> Option<&'static str> {
        Some(match self {
            Kind::Schema => "schemas",
            Kind::Parameter => "parameters",
            Kind::Header => "headers",
            Kind::RequestBody => "requestBodies",
            Kind::Response => "responses",
            Kind::Example => "examples",
            Kind::Link => "links",
            Kind::Callback => "callbacks",
            Kind::SecurityScheme => "securitySchemes",
            Kind::PathItem | Kind::Operation | Kind::MediaType | Kind::Encoding => return None,
        })
    }
}

fn component_kind(section: &str) -> Option<Kind> {
    Some(match section {
        "schemas" => Kind::Schema,
        "parameters" => Kind::Parameter,
        "headers" => Kind::Header,
        "requestBodies" => Kind::RequestBody,
        "responses" => Kind::Response,
        "examples" => Kind::Example,
        "links" => Kind::Link,
        "callbacks" => Kind::Callback,
        "securitySchemes" => Kind::SecurityScheme,
        "pathItems" => Kind::PathItem,
        "mediaTypes" => Kind::MediaType,
        _ => return None,
    })
}

fn section_name(s: &str) -> Option<&'static str> {
    [
        "schemas",
        "parameters",
        "headers",
        "requestBodies",
        "responses",
        "examples",
        "links",
        "callbacks",
        "securitySchemes",
        "pathItems",
        "mediaTypes",
    ]
    .into_iter()
    .find(|x| *x == s)
}

struct Converter {
    sources: Sources,
    root: FileId,
    /// 3.0 → 3.1: rewrite schemas (a 3.1 input is only tidied).
    upgrade: bool,
    /// (file, pointer) of a referenced value in another file → its reference once bundled.
    hoisted: HashMap<(FileId, String), String>,
    /// Bundled values: (section, name, value), in the order met.
    added: Vec<(&'static str, String, Value)>,
    /// Names in use per `components` section.
    taken: HashMap<&'static str, HashSet<String>>,
    /// Files bundled, as shown in messages.
    files: BTreeSet<String>,
    notes: Vec<String>,
    stats: Stats,
}

impl Converter {
    fn document(&mut self, doc: &mut Value) {
        let root = self.root;
        let Some(obj) = doc.as_object_mut() else {
            return;
        };
        // A component that is only a reference to another file (`Book: {$ref: book.yaml}`)
        // takes that file's content under its own name, and every reference to the file
        // points to it.
        let mut aliases: HashMap<(String, String), (FileId, String)> = HashMap::new();
        if let Some(Value::Object(components)) = obj.get("components") {
            for (section, entries) in components {
                let Value::Object(entries) = entries else {
                    continue;
                };
                if section_name(section).is_none() {
                    continue;
                }
                for (name, v) in entries {
                    let Some(key) = self.external_alias(v) else {
                        continue;
                    };
                    if self.hoisted.contains_key(&key) {
                        continue;
                    }
                    self.hoisted.insert(
                        key.clone(),
                        format!(
                            "#/components/{section}/{}",
                            crate::schema::escape_pointer_token(name)
                        ),
                    );
                    aliases.insert((section.clone(), name.clone()), key);
                }
            }
        }
        for key in ["paths", "webhooks"] {
            if let Some(Value::Object(items)) = obj.get_mut(key) {
                for (name, item) in items.iter_mut() {
                    if !name.starts_with("x-") {
                        self.node(item, root, Kind::PathItem, 0);
                    }
                }
            }
        }
        if let Some(Value::Object(components)) = obj.get_mut("components") {
            for (section, entries) in components.iter_mut() {
                let Some(kind) = component_kind(section) else {
                    continue;
                };
                if let Value::Object(entries) = entries {
                    for (name, v) in entries.iter_mut() {
                        if let Some((file, pointer)) = aliases.get(&(section.clone(), name.clone()))
                        {
                            if let Some(found) = self.sources.value(*file).pointer(pointer) {
                                *v = found.clone();
                                self.files.insert(self.sources.display(*file));
                                self.stats.bundled += 1;
                                self.node(v, *file, kind, 0);
                                continue;
                            }
                        }
                        self.node(v, root, kind, 0);
                    }
                }
            }
        }
    }

    /// The (file, pointer) a component made only of a `$ref` into another file names.
    fn external_alias(&mut self, v: &Value) -> Option<(FileId, String)> {
        let obj = v.as_object().filter(|o| o.len() == 1)?;
        let r = obj.get("$ref")?.as_str()?;
        let (file_part, fragment) = r.split_once('#').unwrap_or((r, ""));
        if file_part.is_empty() {
            return None;
        }
        let target = self.sources.file_for(self.root, file_part, "").ok()?;
        if target == self.root {
            return None;
        }
        let pointer = percent_encoding::percent_decode_str(fragment)
            .decode_utf8_lossy()
            .into_owned();
        self.sources.value(target).pointer(&pointer)?;
        Some((target, pointer))
    }

    /// Walks one value of a known kind found in `file`: references into other files are
    /// bundled, schemas converted.
    fn node(&mut self, v: &mut Value, file: FileId, kind: Kind, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        if let Some(r) = v.get("$ref").and_then(Value::as_str).map(str::to_string) {
            if let Some(inlined) = self.reference(v, &r, file, kind, depth) {
                // A path item (or another kind that has no `components` section) from another
                // file is written out in place; keys beside the `$ref` win.
                let mut merged = match inlined {
                    Value::Object(m) => m,
                    other => {
                        *v = other;
                        return;
                    }
                };
                if let Value::Object(here) = std::mem::take(v) {
                    for (k, x) in here {
                        if k != "$ref" {
                            merged.insert(k, x);
                        }
                    }
                }
                *v = Value::Object(merged);
                return;
            }
            if kind != Kind::Schema {
                return;
            }
        }
        let Some(obj) = v.as_object_mut() else {
            return;
        };
        let d = depth + 1;
        match kind {
            Kind::PathItem => {
                self.list(obj.get_mut("parameters"), file, Kind::Parameter, d);
                for m in METHODS {
                    if let Some(op) = obj.get_mut(m) {
                        self.node(op, file, Kind::Operation, d);
                    }
                }
                self.map(
                    obj.get_mut("additionalOperations"),
                    file,
                    Kind::Operation,
                    d,
                );
            }
            Kind::Operation => {
                self.list(obj.get_mut("parameters"), file, Kind::Parameter, d);
                if let Some(rb) = obj.get_mut("requestBody") {
                    self.node(rb, file, Kind::RequestBody, d);
                }
                self.map(obj.get_mut("responses"), file, Kind::Response, d);
                self.map(obj.get_mut("callbacks"), file, Kind::Callback, d);
            }
            Kind::Parameter | Kind::Header => {
                if let Some(s) = obj.get_mut("schema") {
                    self.node(s, file, Kind::Schema, d);
                }
                self.map(obj.get_mut("content"), file, Kind::MediaType, d);
                self.map(obj.get_mut("examples"), file, Kind::Example, d);
            }
            Kind::RequestBody => self.map(obj.get_mut("content"), file, Kind::MediaType, d),
            Kind::Response => {
                self.map(obj.get_mut("headers"), file, Kind::Header, d);
                self.map(obj.get_mut("content"), file, Kind::MediaType, d);
                self.map(obj.get_mut("links"), file, Kind::Link, d);
            }
            Kind::MediaType => {
                if let Some(s) = obj.get_mut("schema") {
                    self.node(s, file, Kind::Schema, d);
                }
                if let Some(s) = obj.get_mut("itemSchema") {
                    self.node(s, file, Kind::Schema, d);
                }
                self.map(obj.get_mut("examples"), file, Kind::Example, d);
                self.map(obj.get_mut("encoding"), file, Kind::Encoding, d);
            }
            Kind::Encoding => self.map(obj.get_mut("headers"), file, Kind::Header, d),
            Kind::Callback => {
                for (expr, item) in obj.iter_mut() {
                    if !expr.starts_with("x-") {
                        self.node(item, file, Kind::PathItem, d);
                    }
                }
            }
            Kind::Schema => self.schema(obj, file, d),
            Kind::Example | Kind::Link | Kind::SecurityScheme => {}
        }
    }

    fn list(&mut self, v: Option<&mut Value>, file: FileId, kind: Kind, depth: usize) {
        if let Some(Value::Array(items)) = v {
            for item in items {
                self.node(item, file, kind, depth);
            }
        }
    }

    fn map(&mut self, v: Option<&mut Value>, file: FileId, kind: Kind, depth: usize) {
        if let Some(Value::Object(entries)) = v {
            for (k, item) in entries.iter_mut() {
                if !k.starts_with("x-") {
                    self.node(item, file, kind, depth);
                }
            }
        }
    }

    /// Handles the `$ref` of `v` (found in `file`): a reference into the root document stays
    /// (rewritten to be local), one into another file is bundled into `components` and
    /// rewritten to point there. Returns the value to write in place of the reference for
    /// kinds that have no `components` section.
    fn reference(
        &mut self,
        v: &mut Value,
        r: &str,
        file: FileId,
        kind: Kind,
        depth: usize,
    ) -> Option<Value> {
        let (file_part, fragment) = r.split_once('#').unwrap_or((r, ""));
        let pointer = percent_encoding::percent_decode_str(fragment)
            .decode_utf8_lossy()
            .into_owned();
        let target = if file_part.is_empty() {
            file
        } else {
            match self.sources.file_for(file, file_part, "") {
                Ok(id) => id,
                Err(e) => {
                    self.notes.push(format!(
                        "kept the reference \"{r}\" as it is: {}",
                        e.message
                    ));
                    return None;
                }
            }
        };
        if target == self.root {
            if file != self.root || !file_part.is_empty() {
                set_ref(v, format!("#{fragment}"));
            }
            return None;
        }
        let key = (target, pointer.clone());
        if let Some(local) = self.hoisted.get(&key) {
            set_ref(v, local.clone());
            return None;
        }
        let Some(found) = self.sources.value(target).pointer(&pointer).cloned() else {
            self.notes.push(format!(
                "kept the reference \"{r}\" as it is: {} has nothing at \"{pointer}\"",
                self.sources.display(target)
            ));
            return None;
        };
        self.files.insert(self.sources.display(target));
        let mut found = found;
        let Some(section) = kind.section() else {
            // Written out in place (its own references are followed from its file).
            self.node(&mut found, target, kind, depth + 1);
            return Some(found);
        };
        let shown = self.sources.display(target);
        let name = self.fresh_name(section, &shown, &pointer);
        let local = format!("#/components/{section}/{name}");
        self.hoisted.insert(key, local.clone());
        set_ref(v, local);
        self.stats.bundled += 1;
        // Reserve the place first so a cycle back to this value finds it.
        let index = self.added.len();
        self.added.push((section, name, Value::Null));
        self.node(&mut found, target, kind, depth + 1);
        self.added[index].2 = found;
        None
    }

    /// A `components` key for a value bundled from `file` at `pointer`: the last pointer
    /// token, else the file's stem; made unique in its section.
    fn fresh_name(&mut self, section: &'static str, file: &str, pointer: &str) -> String {
        let last = pointer
            .rsplit('/')
            .next()
            .filter(|t| !t.is_empty())
            .map(crate::schema::unescape_pointer_token);
        let base = last.unwrap_or_else(|| {
            let f = file.rsplit('/').next().unwrap_or(file);
            f.split('.').next().unwrap_or(f).to_string()
        });
        let mut base: String = base
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        if base.is_empty() {
            base = "bundled".into();
        }
        let taken = self.taken.entry(section).or_default();
        let mut name = base.clone();
        let mut n = 2;
        while taken.contains(&name) {
            name = format!("{base}_{n}");
            n += 1;
        }
        taken.insert(name.clone());
        name
    }

    /// A schema object: its sub-schemas, then its own keywords.
    fn schema(&mut self, obj: &mut Map<String, Value>, file: FileId, depth: usize) {
        for (k, v) in obj.iter_mut() {
            match k.as_str() {
                "properties" | "patternProperties" | "$defs" | "definitions"
                | "dependentSchemas" => {
                    if let Value::Object(m) = v {
                        for (_, s) in m.iter_mut() {
                            self.node(s, file, Kind::Schema, depth);
                        }
                    }
                }
                "allOf" | "anyOf" | "oneOf" | "prefixItems" => {
                    if let Value::Array(a) = v {
                        for s in a {
                            self.node(s, file, Kind::Schema, depth);
                        }
                    }
                }
                "items" => match v {
                    Value::Array(a) => {
                        for s in a {
                            self.node(s, file, Kind::Schema, depth);
                        }
                    }
                    other => self.node(other, file, Kind::Schema, depth),
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
                | "contentSchema" => self.node(v, file, Kind::Schema, depth),
                "discriminator" => self.discriminator(v, file, depth),
                _ => {}
            }
        }
        let stats = if self.upgrade {
            upgrade_schema(obj)
        } else {
            tidy_schema_31(obj)
        };
        self.stats.nullable += stats.nullable;
        self.stats.exclusive += stats.exclusive;
        self.stats.examples += stats.examples;
    }

    /// `discriminator.mapping` values that reference other files are bundled like `$ref`s.
    fn discriminator(&mut self, v: &mut Value, file: FileId, depth: usize) {
        let Some(Value::Object(mapping)) = v.get_mut("mapping") else {
            return;
        };
        for (_, target) in mapping.iter_mut() {
            let Some(t) = target.as_str().map(str::to_string) else {
                continue;
            };
            // A bare name (`Dog`) names a schema of the document it is in.
            let reference = if t.contains('#') || t.contains('/') || t.contains('.') {
                t
            } else if file == self.root {
                continue;
            } else {
                format!("#/components/schemas/{t}")
            };
            let mut holder = json!({ "$ref": reference });
            self.reference(&mut holder, &reference, file, Kind::Schema, depth);
            if let Some(r) = holder.get("$ref").and_then(Value::as_str) {
                *target = Value::String(r.to_string());
            }
        }
    }
}

fn set_ref(v: &mut Value, r: String) {
    if let Some(obj) = v.as_object_mut() {
        obj.insert("$ref".into(), Value::String(r));
    }
}

/// Rewrites one OpenAPI 3.0 schema object (its sub-schemas already done) as JSON Schema
/// 2020-12, keeping the order of its keywords.
fn upgrade_schema(obj: &mut Map<String, Value>) -> Stats {
    let mut stats = Stats::default();
    let nullable = obj.get("nullable") == Some(&Value::Bool(true))
        || obj.get("x-nullable") == Some(&Value::Bool(true));
    let exclusive_min = obj.get("exclusiveMinimum").cloned();
    let exclusive_max = obj.get("exclusiveMaximum").cloned();
    let example = obj.get("example").cloned();
    let examples_is_list = matches!(obj.get("examples"), Some(Value::Array(_)));
    let old = std::mem::take(obj);
    for (k, v) in old {
        match k.as_str() {
            "nullable" | "x-nullable" if v.is_boolean() => {}
            "exclusiveMinimum" | "exclusiveMaximum" if v.is_boolean() => stats.exclusive += 1,
            "minimum" if exclusive_min == Some(Value::Bool(true)) => {
                obj.insert("exclusiveMinimum".into(), v);
            }
            "maximum" if exclusive_max == Some(Value::Bool(true)) => {
                obj.insert("exclusiveMaximum".into(), v);
            }
            "example" => {
                stats.examples += 1;
                if !examples_is_list {
                    obj.insert("examples".into(), Value::Array(vec![v]));
                }
            }
            "examples" if examples_is_list => {
                let mut list = match v {
                    Value::Array(a) => a,
                    other => vec![other],
                };
                if let Some(e) = &example {
                    if !list.contains(e) {
                        list.insert(0, e.clone());
                    }
                }
                obj.insert(k, Value::Array(list));
            }
            // A non-list `examples` was never a 3.0 keyword; `example` (met before or after)
            // takes its place.
            "examples" if example.is_some() => {}
            _ => {
                obj.insert(k, v);
            }
        }
    }
    if nullable {
        stats.nullable += 1;
        make_nullable(obj);
    }
    stats
}

/// A 3.1 schema is written back as it is, except boolean `exclusiveMinimum`/`exclusiveMaximum`
/// (3.0's form, which 3.1 documents sometimes carry): stubborn reads them as numeric bounds.
fn tidy_schema_31(obj: &mut Map<String, Value>) -> Stats {
    let mut stats = Stats::default();
    if !matches!(obj.get("exclusiveMinimum"), Some(Value::Bool(_)))
        && !matches!(obj.get("exclusiveMaximum"), Some(Value::Bool(_)))
    {
        return stats;
    }
    let exclusive_min = obj.get("exclusiveMinimum").cloned();
    let exclusive_max = obj.get("exclusiveMaximum").cloned();
    let old = std::mem::take(obj);
    for (k, v) in old {
        match k.as_str() {
            "exclusiveMinimum" | "exclusiveMaximum" if v.is_boolean() => stats.exclusive += 1,
            "minimum" if exclusive_min == Some(Value::Bool(true)) => {
                obj.insert("exclusiveMinimum".into(), v);
            }
            "maximum" if exclusive_max == Some(Value::Bool(true)) => {
                obj.insert("exclusiveMaximum".into(), v);
            }
            _ => {
                obj.insert(k, v);
            }
        }
    }
    stats
}

/// Lets `null` through a schema: a `null` type (and `null` in the `enum`) when it has a
/// `type`, else the schema's constraints as one `anyOf` branch beside `{type: null}`.
fn make_nullable(obj: &mut Map<String, Value>) {
    match obj.get_mut("type") {
        Some(Value::String(t)) => {
            let t = std::mem::take(t);
            obj.insert("type".into(), json!([t, "null"]));
        }
        Some(Value::Array(a)) => {
            if !a.iter().any(|x| x == "null") {
                a.push(Value::String("null".into()));
            }
        }
        _ => {
            let inner = std::mem::take(obj);
            let mut rest = Map::new();
            for (k, v) in inner {
                match k.as_str() {
                    "description" | "title" | "examples" | "default" | "readOnly" | "writeOnly"
                    | "deprecated" | "xml" | "externalDocs" => {
                        obj.insert(k, v);
                    }
                    _ if k.starts_with("x-") => {
                        obj.insert(k, v);
                    }
                    _ => {
                        rest.insert(k, v);
                    }
                }
            }
            if !rest.is_empty() {
                obj.insert(
                    "anyOf".into(),
                    Value::Array(vec![Value::Object(rest), json!({"type": "null"})]),
                );
            }
            return;
        }
    }
    if let Some(Value::Array(e)) = obj.get_mut("enum") {
        if !e.iter().any(Value::is_null) {
            e.push(Value::Null);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn up(v: Value) -> Value {
        let mut m = v.as_object().unwrap().clone();
        upgrade_schema(&mut m);
        Value::Object(m)
    }

    #[test]
    fn nullable_becomes_a_null_type() {
        assert_eq!(
            up(json!({"type": "string", "nullable": true, "enum": ["a"]})),
            json!({"type": ["string", "null"], "enum": ["a", null]})
        );
        assert_eq!(
            up(json!({"type": "string", "nullable": false})),
            json!({"type": "string"})
        );
        assert_eq!(
            up(json!({"$ref": "#/components/schemas/A", "nullable": true, "description": "d"})),
            json!({"anyOf": [{"$ref": "#/components/schemas/A"}, {"type": "null"}], "description": "d"})
        );
        assert_eq!(
            up(json!({"type": "integer", "x-nullable": true})),
            json!({"type": ["integer", "null"]})
        );
    }

    #[test]
    fn bounds_and_examples() {
        let out = up(json!({
            "type": "number", "minimum": 0, "exclusiveMinimum": true,
            "maximum": 10, "exclusiveMaximum": false, "example": 5
        }));
        assert_eq!(
            out,
            json!({"type": "number", "exclusiveMinimum": 0, "maximum": 10, "examples": [5]})
        );
        let keys: Vec<&String> = out.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["type", "exclusiveMinimum", "maximum", "examples"]);
        assert_eq!(
            up(json!({"example": 1, "examples": [2]})),
            json!({"examples": [1, 2]})
        );
    }

    #[test]
    fn a_31_schema_keeps_all_but_boolean_bounds() {
        let mut m = json!({"type": ["integer", "null"], "minimum": 1, "exclusiveMinimum": true, "example": 3})
            .as_object()
            .unwrap()
            .clone();
        tidy_schema_31(&mut m);
        assert_eq!(
            Value::Object(m),
            json!({"type": ["integer", "null"], "exclusiveMinimum": 1, "example": 3})
        );
    }
}

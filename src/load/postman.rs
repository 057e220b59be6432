//! Postman Collection v2.0 / v2.1 → OpenAPI 3.1 document (then read like any OpenAPI 3.1
//! document, so routing, validation, scenarios and generation work unchanged).
//!
//! - Folders are flattened; each request is an operation on its URL's path (the host part,
//!   `{{baseUrl}}` or `https://api.example.com`, is dropped; the path part of a base URL
//!   variable becomes a `servers` entry). `:id` and whole-segment `{{id}}` become `{id}`;
//!   other `{{var}}`s are resolved from collection and folder variables. Requests on the same
//!   method and path template merge into one operation.
//! - Saved examples become named response examples under their status code; their
//!   `originalRequest` values (path variables, query parameters and headers that differ between
//!   the examples, and the body) become request-side examples of the same name, which makes
//!   them scenarios for the closest-match choose step.
//! - Schemas are inferred from the example bodies ([`super::infer::infer`]).
//! - Auth (collection, folder, request; `bearer`, `basic`, `apikey`, `noauth`) becomes
//!   `securitySchemes` and per-operation `security`.

use super::{describe, LoadError, LoadErrors};
use crate::model::{SavedExample, SavedSegment};
use serde_json::{json, Map, Value};

/// Is `doc` a Postman collection: v2.0 or v2.1 (`info` and `item`, with or without the
/// `schema` URL and `_postman_id` that the Postman app writes), or v1 (`requests`, with
/// `order` or `folders`)?
pub fn is_postman(doc: &Value) -> bool {
    why_not(doc).is_none()
}

/// Why `doc` is not a Postman collection, for the message that lists the formats tried.
pub fn why_not(doc: &Value) -> Option<String> {
    let Some(obj) = doc.as_object() else {
        return Some(format!("not an object but {}", describe(doc)));
    };
    if is_v1(doc) {
        return None;
    }
    match (obj.get("info"), obj.get("item")) {
        (Some(Value::Object(info)), Some(Value::Array(_))) => {
            let by_schema = info
                .get("schema")
                .and_then(Value::as_str)
                .is_some_and(|s| s.contains("getpostman.com") || s.contains("collection/v2"));
            if by_schema || info.contains_key("_postman_id") || info.contains_key("name") {
                None
            } else {
                Some("its `info` has no `name`, `schema` or `_postman_id`".into())
            }
        }
        (Some(_), None) => Some("it has `info` but no `item` array of requests".into()),
        (None, Some(_)) => Some("it has `item` but no `info` object".into()),
        _ => Some("no `info` and `item` (v2), nor `requests` (v1)".into()),
    }
}

/// Postman Collection v1: a flat `requests` list with `order`/`folders` saying where each goes.
fn is_v1(doc: &Value) -> bool {
    doc.get("requests").is_some_and(Value::is_array)
        && (doc.get("order").is_some() || doc.get("folders").is_some() || doc.get("name").is_some())
        && doc.get("item").is_none()
}

/// The collection's version as shown by `check`: "2.1", "2.0", "2.x" or "1".
pub fn version(doc: &Value) -> String {
    if is_v1(doc) {
        return "1".into();
    }
    let schema = doc
        .pointer("/info/schema")
        .and_then(Value::as_str)
        .unwrap_or("");
    if schema.contains("v2.1") {
        "2.1".into()
    } else if schema.contains("v2.0") {
        "2.0".into()
    } else {
        "2.x".into()
    }
}

/// A Postman Collection v1 rewritten as v2.1: folders from `folders`/`order`, requests with
/// their saved `responses` (v1's examples, whose `request` is an id or the request itself).
fn v1_to_v2(doc: &Value) -> Value {
    let empty = Vec::new();
    let requests = doc
        .get("requests")
        .and_then(Value::as_array)
        .unwrap_or(&empty);
    let by_id = |id: &Value| requests.iter().find(|r| r.get("id") == Some(id));
    let header_text = |v: Option<&Value>| -> Value {
        match v {
            Some(Value::String(s)) => Value::String(s.clone()),
            Some(Value::Array(a)) => Value::Array(a.clone()),
            _ => json!([]),
        }
    };
    let body_of = |r: &Value| -> Value {
        let mode = r.get("dataMode").and_then(Value::as_str).unwrap_or("raw");
        match mode {
            "urlencoded" | "params" => {
                let key = if mode == "params" {
                    "formdata"
                } else {
                    "urlencoded"
                };
                json!({"mode": key, key: r.get("data").cloned().unwrap_or(json!([]))})
            }
            _ => match r.get("rawModeData").or_else(|| r.get("data")) {
                Some(Value::String(raw)) => json!({"mode": "raw", "raw": raw}),
                _ => Value::Null,
            },
        }
    };
    let request_of = |r: &Value| -> Value {
        json!({
            "method": r.get("method").cloned().unwrap_or(json!("GET")),
            "url": r.get("url").cloned().unwrap_or(json!("")),
            "header": header_text(r.get("headers")),
            "body": body_of(r),
        })
    };
    let item_of = |r: &Value| -> Value {
        let responses: Vec<Value> = r
            .get("responses")
            .and_then(Value::as_array)
            .unwrap_or(&empty)
            .iter()
            .map(|resp| {
                let original = match resp.get("request") {
                    Some(id @ Value::String(_)) => by_id(id).map(request_of),
                    Some(req @ Value::Object(_)) => Some(request_of(req)),
                    _ => None,
                }
                .unwrap_or_else(|| request_of(r));
                let code = resp
                    .get("responseCode")
                    .and_then(|c| c.get("code"))
                    .cloned()
                    .or_else(|| resp.get("code").cloned())
                    .unwrap_or(json!(200));
                json!({
                    "id": resp.get("id").cloned().unwrap_or(Value::Null),
                    "name": resp.get("name").cloned().unwrap_or(Value::Null),
                    "originalRequest": original,
                    "code": code,
                    "header": header_text(resp.get("headers")),
                    "body": resp.get("text").or_else(|| resp.get("body")).cloned().unwrap_or(Value::Null),
                })
            })
            .collect();
        json!({
            "id": r.get("id").cloned().unwrap_or(Value::Null),
            "name": r.get("name").cloned().unwrap_or(json!("request")),
            "request": request_of(r),
            "response": responses,
        })
    };
    let ids = |v: Option<&Value>| -> Vec<Value> {
        v.and_then(Value::as_array).cloned().unwrap_or_default()
    };
    let mut items: Vec<Value> = Vec::new();
    let mut placed: Vec<Value> = Vec::new();
    for folder in ids(doc.get("folders")) {
        let order = ids(folder.get("order"));
        let children: Vec<Value> = order.iter().filter_map(by_id).map(item_of).collect();
        placed.extend(order);
        items.push(json!({"name": folder.get("name").cloned().unwrap_or(json!("folder")), "item": children}));
    }
    let top = ids(doc.get("order"));
    for id in &top {
        if let Some(r) = by_id(id) {
            items.push(item_of(r));
            placed.push(id.clone());
        }
    }
    // Requests no folder or order names still belong to the collection.
    for r in requests {
        if r.get("id").is_none_or(|id| !placed.contains(id)) {
            items.push(item_of(r));
        }
    }
    json!({
        "info": {
            "name": doc.get("name").cloned().unwrap_or(json!("Postman collection")),
            "description": doc.get("description").cloned().unwrap_or(Value::Null),
        },
        "item": items,
    })
}

/// Converts a Postman collection into an OpenAPI 3.1 document. `environment` holds the
/// variables of a Postman environment (`--environment`), which override collection variables
/// as they do in Postman.
pub fn to_openapi31(
    collection: &Value,
    file: &str,
    environment: &[(String, String)],
) -> Result<Value, LoadErrors> {
    if is_v1(collection) {
        return to_openapi31(&v1_to_v2(collection), file, environment);
    }
    let mut c = Converter {
        file: file.to_string(),
        errors: Vec::new(),
        paths: Vec::new(),
        schemes: Map::new(),
        servers: Vec::new(),
        saved: Vec::new(),
    };
    let Some(root) = collection.as_object() else {
        return Err(c
            .err(
                "",
                format!(
                    "expected a Postman collection (an object with `info` and `item`), found {}",
                    describe(collection)
                ),
            )
            .into());
    };
    let info = match root.get("info") {
        Some(Value::Object(i)) => i.clone(),
        Some(other) => {
            return Err(c
                .err(
                    "/info",
                    format!("expected an object, found {}", describe(other)),
                )
                .into())
        }
        None => {
            return Err(c
                .err(
                    "",
                    "expected a Postman collection: no `info` object at the top level",
                )
                .into())
        }
    };
    let mut vars = c.variables(root.get("variable"), "/variable", &Vars::default());
    vars.0.extend(environment.iter().cloned());
    let auth = Auth::Inherit.child(c.auth(root.get("auth"), "/auth"));
    match root.get("item") {
        Some(Value::Array(items)) => c.items(items, "/item", &vars, &auth, &[]),
        Some(other) => {
            let e = c.err(
                "/item",
                format!(
                    "expected an array of requests and folders, found {}",
                    describe(other)
                ),
            );
            c.errors.push(e);
        }
        None => {
            let e = c.err("", "expected a Postman collection: no `item` array");
            c.errors.push(e);
        }
    }
    if !c.errors.is_empty() {
        return Err(LoadErrors(c.errors));
    }

    let mut doc = Map::new();
    doc.insert("openapi".into(), json!("3.1.0"));
    let mut out_info = Map::new();
    out_info.insert(
        "title".into(),
        json!(info
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("Postman collection")),
    );
    let version = match info.get("version") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Object(v)) => format!(
            "{}.{}.{}",
            v.get("major").and_then(Value::as_u64).unwrap_or(1),
            v.get("minor").and_then(Value::as_u64).unwrap_or(0),
            v.get("patch").and_then(Value::as_u64).unwrap_or(0)
        ),
        _ => "1.0.0".into(),
    };
    out_info.insert("version".into(), json!(version));
    if let Some(d) = text_of(info.get("description")) {
        out_info.insert("description".into(), json!(d));
    }
    doc.insert("info".into(), Value::Object(out_info));
    if !c.servers.is_empty() {
        doc.insert(
            "servers".into(),
            Value::Array(c.servers.iter().map(|u| json!({ "url": u })).collect()),
        );
    }
    let mut paths = Map::new();
    for (template, ops) in &c.paths {
        let mut item = Map::new();
        for (method, op) in ops {
            item.insert(method.clone(), op.emit());
        }
        paths.insert(template.clone(), Value::Object(item));
    }
    doc.insert("paths".into(), Value::Object(paths));
    if !c.schemes.is_empty() {
        doc.insert(
            "components".into(),
            json!({ "securitySchemes": Value::Object(c.schemes) }),
        );
    }
    if let Some(id) = info.get("_postman_id") {
        doc.insert("x-stubborn-postman".into(), json!({ "id": id }));
    }
    // A collection shows requests; it does not forbid others (see `Api::contract`).
    doc.insert("x-stubborn-contract".into(), json!(false));
    doc.insert(
        "x-stubborn-saved-examples".into(),
        Value::Array(c.saved.iter().map(super::saved::to_value).collect()),
    );
    Ok(Value::Object(doc))
}

/// Variables in scope: later (inner) definitions win.
#[derive(Clone, Default, Debug)]
struct Vars(Vec<(String, String)>);

impl Vars {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Replaces every `{{name}}` whose variable is known; unknown ones stay.
    fn resolve(&self, text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("{{") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            match after.find("}}") {
                Some(end) => {
                    let name = after[..end].trim();
                    match self.get(name) {
                        Some(v) => out.push_str(v),
                        None => out.push_str(&rest[start..start + 2 + end + 2]),
                    }
                    rest = &after[end + 2..];
                }
                None => {
                    out.push_str(&rest[start..]);
                    rest = "";
                }
            }
        }
        out.push_str(rest);
        out
    }
}

/// `(location, name, value)` of a request value an example was saved with.
type Located = (String, String, String);

/// Method, URL, headers and body (media type and value) of a request.
type RequestParts = (String, Url, Vec<(String, String)>, Option<(String, Value)>);

/// The auth in force at some level.
#[derive(Clone, Debug, PartialEq)]
enum Auth {
    /// Nothing said: the enclosing level's auth applies.
    Inherit,
    /// `noauth`: explicitly open.
    None,
    /// A security scheme name (already registered in `components`).
    Scheme(String),
    /// A kind of auth stubborn does not check (oauth2, digest...): left open.
    Unchecked,
}

impl Auth {
    fn child(&self, inner: Auth) -> Auth {
        match inner {
            Auth::Inherit => self.clone(),
            other => other,
        }
    }
}

/// One piece of a path template.
#[derive(Clone, Debug, PartialEq)]
enum Seg {
    Lit(String),
    Param(String),
}

/// A request's URL, reduced to what the mock needs.
#[derive(Clone, Debug, Default, PartialEq)]
struct Url {
    segs: Vec<Seg>,
    query: Vec<(String, String)>,
    /// Path variable values (`url.variable`).
    path_vars: Vec<(String, String)>,
    /// The base URL the host part resolved to, when it carries a path (`https://x.com/v1`).
    server: Option<String>,
}

struct Converter {
    file: String,
    errors: Vec<LoadError>,
    /// Path template → method → operation, in document order.
    paths: Vec<(String, Vec<(String, Op)>)>,
    schemes: Map<String, Value>,
    servers: Vec<String>,
    /// Every saved example, in document order, as Postman's mock matches them.
    saved: Vec<SavedExample>,
}

impl Converter {
    fn err(&self, pointer: &str, message: impl Into<String>) -> LoadError {
        LoadError::new(&self.file, pointer, message)
    }

    fn error(&mut self, pointer: &str, message: impl Into<String>) {
        let e = self.err(pointer, message);
        self.errors.push(e);
    }

    fn variables(&mut self, v: Option<&Value>, pointer: &str, outer: &Vars) -> Vars {
        let mut vars = outer.clone();
        match v {
            None | Some(Value::Null) => {}
            Some(Value::Array(list)) => {
                for (i, var) in list.iter().enumerate() {
                    let key = var
                        .get("key")
                        .or_else(|| var.get("id"))
                        .and_then(Value::as_str);
                    let Some(key) = key else {
                        self.error(
                            &format!("{pointer}/{i}"),
                            format!(
                                "expected a variable with a string `key`, found {}",
                                describe(var)
                            ),
                        );
                        continue;
                    };
                    let value = match var.get("value") {
                        Some(Value::String(s)) => s.clone(),
                        Some(Value::Null) | None => continue,
                        Some(other) => other.to_string(),
                    };
                    vars.0.push((key.to_string(), value));
                }
            }
            Some(other) => self.error(
                pointer,
                format!("expected an array of variables, found {}", describe(other)),
            ),
        }
        vars
    }

    /// Registers the security scheme an `auth` object describes.
    fn auth(&mut self, v: Option<&Value>, pointer: &str) -> Auth {
        let Some(v) = v else { return Auth::Inherit };
        if v.is_null() {
            return Auth::Inherit;
        }
        let Some(kind) = v.get("type").and_then(Value::as_str) else {
            self.error(
                pointer,
                format!(
                    "expected an auth object with a string `type`, found {}",
                    describe(v)
                ),
            );
            return Auth::Inherit;
        };
        let (name, scheme) = match kind.to_ascii_lowercase().as_str() {
            "noauth" => return Auth::None,
            "inherit" => return Auth::Inherit,
            "bearer" => (
                "bearerAuth".to_string(),
                json!({"type": "http", "scheme": "bearer"}),
            ),
            "basic" => (
                "basicAuth".to_string(),
                json!({"type": "http", "scheme": "basic"}),
            ),
            "apikey" => {
                let key = auth_param(v, "apikey", "key").unwrap_or_else(|| "X-API-Key".into());
                let place = match auth_param(v, "apikey", "in").as_deref() {
                    Some("query") => "query",
                    _ => "header",
                };
                let scheme = json!({"type": "apiKey", "name": key, "in": place});
                let mut name = "apiKey".to_string();
                let mut n = 2;
                while self.schemes.get(&name).is_some_and(|s| s != &scheme) {
                    name = format!("apiKey{n}");
                    n += 1;
                }
                (name, scheme)
            }
            // A token the client gets elsewhere and sends as a bearer token.
            "oauth2" => {
                let token_url = auth_param(v, "oauth2", "accessTokenUrl")
                    .filter(|u| !u.contains("{{"))
                    .unwrap_or_else(|| "https://example.invalid/token".into());
                (
                    "oauth2".to_string(),
                    json!({"type": "oauth2", "flows": {"clientCredentials": {
                        "tokenUrl": token_url, "scopes": {}}}}),
                )
            }
            _ => return Auth::Unchecked,
        };
        self.schemes.insert(name.clone(), scheme);
        Auth::Scheme(name)
    }

    fn items(&mut self, items: &[Value], pointer: &str, vars: &Vars, auth: &Auth, tags: &[String]) {
        for (i, item) in items.iter().enumerate() {
            let p = format!("{pointer}/{i}");
            let Some(obj) = item.as_object() else {
                self.error(
                    &p,
                    format!("expected a request or a folder, found {}", describe(item)),
                );
                continue;
            };
            let vars = self.variables(obj.get("variable"), &format!("{p}/variable"), vars);
            let auth = auth.child(self.auth(obj.get("auth"), &format!("{p}/auth")));
            if let Some(children) = obj.get("item") {
                let Some(children) = children.as_array() else {
                    self.error(
                        &format!("{p}/item"),
                        format!(
                            "expected an array of requests and folders, found {}",
                            describe(children)
                        ),
                    );
                    continue;
                };
                let mut tags = tags.to_vec();
                if tags.is_empty() {
                    if let Some(n) = obj.get("name").and_then(Value::as_str) {
                        tags.push(n.to_string());
                    }
                }
                self.items(children, &format!("{p}/item"), &vars, &auth, &tags);
            } else if obj.contains_key("request") {
                self.request(obj, &p, &vars, &auth, tags);
            } else {
                self.error(
                    &p,
                    "expected a request (with `request`) or a folder (with `item`), found neither",
                );
            }
        }
    }

    fn request(
        &mut self,
        item: &Map<String, Value>,
        pointer: &str,
        vars: &Vars,
        auth: &Auth,
        tags: &[String],
    ) {
        let req = &item["request"];
        let rp = format!("{pointer}/request");
        self.saved_examples(item, pointer, vars);
        let (method, url, headers, body) = match self.parse_request(req, &rp, vars) {
            Some(r) => r,
            None => return,
        };
        let auth = auth.child(match req.get("auth") {
            Some(a) => self.auth(Some(a), &format!("{rp}/auth")),
            None => Auth::Inherit,
        });
        if let Some(s) = &url.server {
            if !self.servers.contains(s) {
                self.servers.push(s.clone());
            }
        }
        // Same shape (literals equal, parameters anywhere) as an existing path: reuse its
        // template so `/pets/:id` and `/pets/{{petId}}` are one path.
        let (template, names) = self.template_for(&url.segs);
        let rename = |n: &str, url: &Url| -> Option<String> {
            let pos = url
                .segs
                .iter()
                .filter(|s| matches!(s, Seg::Param(_)))
                .position(|s| s == &Seg::Param(n.to_string()))?;
            names.get(pos).cloned()
        };
        let method_key = method.to_ascii_lowercase();
        let known = [
            "get", "put", "post", "delete", "options", "head", "patch", "trace",
        ];
        if !known.contains(&method_key.as_str()) {
            // Postman sends any method name (`PURGE`, `POSTMAN`); OpenAPI has no operation for
            // it, but its saved examples still answer (see `saved_examples`).
            if http::Method::from_bytes(method.as_bytes()).is_err() {
                self.error(
                    &format!("{rp}/method"),
                    format!("expected an HTTP method (a token such as GET or PURGE), found \"{method}\""),
                );
            }
            return;
        }
        let path_index = self.paths.iter().position(|(t, _)| *t == template);
        let path_index = path_index.unwrap_or_else(|| {
            self.paths.push((template.clone(), Vec::new()));
            self.paths.len() - 1
        });
        let ops = &mut self.paths[path_index].1;
        let op_index = ops.iter().position(|(m, _)| *m == method_key);
        let op_index = op_index.unwrap_or_else(|| {
            ops.push((method_key.clone(), Op::default()));
            ops.len() - 1
        });

        // Everything about the operation that comes from the request itself.
        let mut op = std::mem::take(&mut self.paths[path_index].1[op_index].1);
        if op.summary.is_none() {
            op.summary = item.get("name").and_then(Value::as_str).map(str::to_string);
            op.description = text_of(req.get("description"));
            op.tags = tags.to_vec();
            op.security = match &auth {
                Auth::Inherit | Auth::Unchecked => None,
                Auth::None => Some(json!([])),
                Auth::Scheme(n) => Some(json!([{ n.clone(): [] }])),
            };
        }
        if let Some(id) = item.get("id").and_then(Value::as_str) {
            op.ids.push(id.to_string());
        }
        for n in &names {
            op.param(n, "path").required = true;
        }
        for (k, v) in &url.path_vars {
            if let Some(n) = rename(k, &url) {
                if !v.is_empty() && !v.contains("{{") {
                    op.param(&n, "path").samples.push(v.clone());
                }
            }
        }
        // The credential an API key scheme reads is checked by security, not a parameter.
        let credential: Option<String> = match &auth {
            Auth::Scheme(n) => self
                .schemes
                .get(n)
                .and_then(|s| s.get("name"))
                .and_then(Value::as_str)
                .map(str::to_ascii_lowercase),
            _ => None,
        };
        let is_credential =
            |k: &str| credential.as_deref() == Some(k.to_ascii_lowercase().as_str());
        let headers: Vec<(String, String)> = headers
            .into_iter()
            .filter(|(k, _)| !is_credential(k))
            .collect();
        let mut url = url;
        url.query.retain(|(k, _)| !is_credential(k));
        for (k, v) in &url.query {
            let p = op.param(k, "query");
            if !v.contains("{{") {
                p.samples.push(v.clone());
            }
        }
        for (k, v) in &headers {
            let p = op.param(k, "header");
            if !v.contains("{{") {
                p.samples.push(v.clone());
            }
        }
        if let Some((mt, value)) = &body {
            let media = op.body_media(mt);
            if !value.is_null() {
                media.samples.push(value.clone());
            }
        }

        // Saved examples.
        let mut scenario_values: Vec<(String, Vec<Located>)> = Vec::new();
        match item.get("response") {
            None | Some(Value::Null) => {}
            Some(Value::Array(list)) => {
                for (i, ex) in list.iter().enumerate() {
                    let ep = format!("{pointer}/response/{i}");
                    let Some(exo) = ex.as_object() else {
                        self.error(
                            &ep,
                            format!(
                                "expected a saved example (an object), found {}",
                                describe(ex)
                            ),
                        );
                        continue;
                    };
                    let base = exo
                        .get("name")
                        .and_then(Value::as_str)
                        .filter(|n| !n.is_empty())
                        .map(str::to_string)
                        .unwrap_or_else(|| format!("example {}", i + 1));
                    let name = op.unique_name(&base);
                    if let Some(id) = exo.get("id").and_then(Value::as_str) {
                        op.example_ids.insert(name.clone(), json!(id));
                    }
                    let code = match exo.get("code") {
                        Some(Value::Number(n)) => n.as_u64(),
                        Some(Value::String(s)) => s.trim().parse().ok(),
                        _ => Some(200),
                    };
                    let Some(code) = code.filter(|c| (100..=599).contains(c)) else {
                        self.error(
                            &format!("{ep}/code"),
                            format!(
                                "expected a status code from 100 to 599, found {}",
                                describe(exo.get("code").unwrap_or(&Value::Null))
                            ),
                        );
                        continue;
                    };
                    let status_text = exo
                        .get("status")
                        .and_then(Value::as_str)
                        .filter(|s| !s.is_empty())
                        .map(str::to_string);
                    let ex_headers = header_list(exo.get("header"), vars);
                    let resp = op.response(code, status_text);
                    for (k, v) in &ex_headers {
                        let lower = k.to_ascii_lowercase();
                        if [
                            "content-type",
                            "content-length",
                            "date",
                            "connection",
                            "transfer-encoding",
                            "keep-alive",
                        ]
                        .contains(&lower.as_str())
                            || http::HeaderName::from_bytes(k.as_bytes()).is_err()
                            || http::HeaderValue::from_str(v).is_err()
                        {
                            continue;
                        }
                        if !resp.headers.iter().any(|(h, _)| h.eq_ignore_ascii_case(k)) {
                            resp.headers.push((k.clone(), v.clone()));
                        }
                    }
                    let content_type = ex_headers
                        .iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
                        .map(|(_, v)| v.split(';').next().unwrap_or("").trim().to_string())
                        .filter(|v| !v.is_empty());
                    let body_text = match exo.get("body") {
                        Some(Value::String(s)) => Some(s.clone()),
                        Some(Value::Null) | None => None,
                        Some(other) => Some(other.to_string()),
                    }
                    .filter(|s| !s.trim().is_empty());
                    if let Some(text) = body_text {
                        let parsed: Option<Value> = serde_json::from_str(&text).ok();
                        let preview = exo
                            .get("_postman_previewlanguage")
                            .and_then(Value::as_str)
                            .unwrap_or("");
                        let mt = content_type.unwrap_or_else(|| {
                            if parsed.is_some() || preview == "json" {
                                "application/json".into()
                            } else {
                                match preview {
                                    "xml" => "application/xml".into(),
                                    "html" => "text/html".into(),
                                    _ => "text/plain".into(),
                                }
                            }
                        });
                        let media = resp.media(&mt);
                        match parsed.filter(|_| is_json(&mt)) {
                            Some(v) => {
                                media.samples.push(v.clone());
                                media.examples.push((name.clone(), v));
                            }
                            None => media.examples.push((name.clone(), Value::String(text))),
                        }
                    }
                    // The request that produced the example: its values name the scenario.
                    if let Some(orig) = exo.get("originalRequest").filter(|o| !o.is_null()) {
                        let Some((_, ourl, oheaders, obody)) =
                            self.parse_request(orig, &format!("{ep}/originalRequest"), vars)
                        else {
                            continue;
                        };
                        let mut values = Vec::new();
                        if ourl.segs.len() == url.segs.len() {
                            let mut pi = 0;
                            for (s, o) in url.segs.iter().zip(&ourl.segs) {
                                let Seg::Param(_) = s else { continue };
                                let Some(pname) = names.get(pi).cloned() else {
                                    continue;
                                };
                                pi += 1;
                                let value = match o {
                                    Seg::Lit(v) => Some(v.clone()),
                                    Seg::Param(n) => ourl
                                        .path_vars
                                        .iter()
                                        .find(|(k, _)| k == n)
                                        .map(|(_, v)| v.clone())
                                        .or_else(|| vars.get(n).map(str::to_string)),
                                };
                                if let Some(v) =
                                    value.filter(|v| !v.is_empty() && !v.contains("{{"))
                                {
                                    op.param(&pname, "path").samples.push(v.clone());
                                    values.push(("path".into(), pname, v));
                                }
                            }
                        }
                        for (k, v) in &ourl.query {
                            if !v.contains("{{") && !is_credential(k) {
                                op.param(k, "query").samples.push(v.clone());
                                values.push(("query".into(), k.clone(), v.clone()));
                            }
                        }
                        for (k, v) in &oheaders {
                            if !v.contains("{{") && !is_credential(k) {
                                op.param(k, "header").samples.push(v.clone());
                                values.push(("header".into(), k.clone(), v.clone()));
                            }
                        }
                        if let Some((mt, value)) = obody {
                            let media = op.body_media(&mt);
                            if !value.is_null() {
                                media.samples.push(value.clone());
                                media.examples.push((name.clone(), value));
                            }
                        }
                        scenario_values.push((name.clone(), values));
                    }
                }
            }
            Some(other) => self.error(
                &format!("{pointer}/response"),
                format!(
                    "expected an array of saved examples, found {}",
                    describe(other)
                ),
            ),
        }
        // Parameter values become scenario conditions only where they tell the examples
        // apart: a header every example sends says nothing about which one answers.
        let mut keys: Vec<(String, String)> = Vec::new();
        for (_, values) in &scenario_values {
            for (loc, n, _) in values {
                if !keys.iter().any(|(l, k)| l == loc && k == n) {
                    keys.push((loc.clone(), n.clone()));
                }
            }
        }
        for (loc, n) in keys {
            let per_example: Vec<Option<&String>> = scenario_values
                .iter()
                .map(|(_, values)| {
                    values
                        .iter()
                        .find(|(l, k, _)| *l == loc && *k == n)
                        .map(|(_, _, v)| v)
                })
                .collect();
            if per_example.iter().all(|v| *v == per_example[0]) {
                continue;
            }
            for ((name, _), v) in scenario_values.iter().zip(per_example) {
                if let Some(v) = v {
                    op.param(&n, &loc).examples.push((name.clone(), v.clone()));
                }
            }
        }
        self.paths[path_index].1[op_index].1 = op;
    }

    /// The saved examples of a request item, as Postman's mock sees them: each example's
    /// `originalRequest` (the item's request when it has none) with every known variable
    /// filled in, and the response saved with it.
    fn saved_examples(&mut self, item: &Map<String, Value>, pointer: &str, vars: &Vars) {
        let Some(Value::Array(list)) = item.get("response") else {
            return;
        };
        for (i, ex) in list.iter().enumerate() {
            let Some(exo) = ex.as_object() else { continue };
            let origin = format!("{}#{pointer}/response/{i}", self.file);
            let original = exo
                .get("originalRequest")
                .filter(|o| !o.is_null())
                .unwrap_or(&item["request"]);
            let Some(request) = saved_request(original, vars) else {
                continue;
            };
            // Postman reads a missing code as 200.
            let status = match exo.get("code") {
                Some(Value::Number(n)) => n.as_u64(),
                Some(Value::String(s)) => s.trim().parse().ok(),
                _ => Some(200),
            };
            let Some(status) = status.filter(|c| (100..=599).contains(c)) else {
                continue;
            };
            let body = match exo.get("body") {
                Some(Value::String(s)) => vars.resolve(s),
                Some(Value::Null) | None => String::new(),
                Some(other) => other.to_string(),
            };
            let mut response_headers = header_list(exo.get("header"), vars);
            if !body.is_empty()
                && !response_headers
                    .iter()
                    .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
            {
                let preview = exo
                    .get("_postman_previewlanguage")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                let json = serde_json::from_str::<Value>(&body).is_ok();
                let media = match preview {
                    "json" => "application/json",
                    "xml" => "application/xml",
                    "html" => "text/html",
                    _ if json => "application/json",
                    _ => "text/plain",
                };
                response_headers.push(("Content-Type".into(), media.into()));
            }
            let (method, path, query, headers, req_body) = request;
            self.saved.push(SavedExample {
                name: exo
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                id: exo.get("id").and_then(Value::as_str).map(str::to_string),
                method,
                path,
                query,
                headers,
                body: req_body,
                status: status as u16,
                response_headers,
                response_body: body,
                origin,
            });
        }
    }

    /// The template for `segs`, reusing an existing path of the same shape; and the
    /// parameter names of that template, in order.
    fn template_for(&self, segs: &[Seg]) -> (String, Vec<String>) {
        let shape = |segs: &[Seg]| -> Vec<Option<String>> {
            segs.iter()
                .map(|s| match s {
                    Seg::Lit(l) => Some(l.clone()),
                    Seg::Param(_) => None,
                })
                .collect()
        };
        let mine = shape(segs);
        for (t, _) in &self.paths {
            let theirs = parse_template(t);
            if shape(&theirs) == mine {
                let names = param_names(&theirs);
                return (t.clone(), names);
            }
        }
        let mut out = String::new();
        let mut names: Vec<String> = Vec::new();
        for s in segs {
            out.push('/');
            match s {
                Seg::Lit(l) => out.push_str(l),
                Seg::Param(p) => {
                    let mut n = p.clone();
                    let mut i = 2;
                    while names.contains(&n) {
                        n = format!("{p}{i}");
                        i += 1;
                    }
                    out.push('{');
                    out.push_str(&n);
                    out.push('}');
                    names.push(n);
                }
            }
        }
        if out.is_empty() {
            out.push('/');
        }
        (out, names)
    }

    /// Method, URL, headers and body of a request object (or a bare URL string).
    fn parse_request(&mut self, req: &Value, pointer: &str, vars: &Vars) -> Option<RequestParts> {
        if let Value::String(s) = req {
            return Some(("GET".into(), parse_url_string(s, vars), Vec::new(), None));
        }
        let Some(obj) = req.as_object() else {
            self.error(
                pointer,
                format!(
                    "expected a request (an object or a URL string), found {}",
                    describe(req)
                ),
            );
            return None;
        };
        let method = match obj.get("method") {
            None | Some(Value::Null) => "GET".to_string(),
            Some(Value::String(m)) => m.to_ascii_uppercase(),
            Some(other) => {
                self.error(
                    &format!("{pointer}/method"),
                    format!(
                        "expected an HTTP method as a string, found {}",
                        describe(other)
                    ),
                );
                return None;
            }
        };
        let url = match obj.get("url") {
            None | Some(Value::Null) => Url::default(),
            Some(Value::String(s)) => parse_url_string(s, vars),
            Some(Value::Object(u)) => parse_url_object(u, vars),
            Some(other) => {
                self.error(
                    &format!("{pointer}/url"),
                    format!(
                        "expected a URL (a string or an object with `raw`, `host`, `path`), found {}",
                        describe(other)
                    ),
                );
                return None;
            }
        };
        let headers: Vec<(String, String)> = header_list(obj.get("header"), vars)
            .into_iter()
            .filter(|(k, _)| {
                let l = k.to_ascii_lowercase();
                ![
                    "content-type",
                    "content-length",
                    "accept",
                    "authorization",
                    "host",
                    "user-agent",
                    "cookie",
                    "connection",
                    "x-mock-response-name",
                    "x-mock-response-code",
                    "x-mock-response-id",
                    "x-api-key",
                ]
                .contains(&l.as_str())
                    && http::HeaderName::from_bytes(k.as_bytes()).is_ok()
            })
            .collect();
        let content_type = header_list(obj.get("header"), vars)
            .into_iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
            .map(|(_, v)| v.split(';').next().unwrap_or("").trim().to_string());
        let body = parse_body(obj.get("body"), content_type, vars);
        Some((method, url, headers, body))
    }
}

/// A saved example's request as a client sends it: method (any token), path, query, every
/// enabled header, and the raw body with its media type.
type SavedRequest = (
    String,
    Vec<SavedSegment>,
    Vec<(String, String)>,
    Vec<(String, String)>,
    Option<(String, String)>,
);

fn saved_request(req: &Value, vars: &Vars) -> Option<SavedRequest> {
    let (method, url, headers, body) = match req {
        Value::String(s) => (
            "GET".to_string(),
            parse_url_string(s, vars),
            Vec::new(),
            None,
        ),
        Value::Object(obj) => {
            let method = match obj.get("method") {
                Some(Value::String(m)) if !m.trim().is_empty() => m.trim().to_ascii_uppercase(),
                _ => "GET".to_string(),
            };
            let url = match obj.get("url") {
                Some(Value::String(s)) => parse_url_string(s, vars),
                Some(Value::Object(u)) => parse_url_object(u, vars),
                _ => Url::default(),
            };
            let headers = header_list(obj.get("header"), vars);
            let content_type = headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
                .map(|(_, v)| v.clone());
            let body = raw_body(obj.get("body"), content_type, vars);
            (method, url, headers, body)
        }
        _ => return None,
    };
    let path = url
        .segs
        .iter()
        .map(|s| match s {
            Seg::Lit(l) => SavedSegment::Literal(l.clone()),
            Seg::Param(n) => SavedSegment::Variable {
                name: n.clone(),
                value: url
                    .path_vars
                    .iter()
                    .find(|(k, _)| k == n)
                    .map(|(_, v)| v.clone())
                    .or_else(|| vars.get(n).map(str::to_string))
                    .filter(|v| !v.is_empty() && !v.contains("{{")),
            },
        })
        .collect();
    Some((method, path, url.query, headers, body))
}

/// A request body as sent: raw text (variables filled in), or form fields encoded, with the
/// media type the header gives or Postman's client would add.
fn raw_body(
    body: Option<&Value>,
    content_type: Option<String>,
    vars: &Vars,
) -> Option<(String, String)> {
    let body = body?.as_object()?;
    if body.get("disabled").and_then(Value::as_bool) == Some(true) {
        return None;
    }
    let mode = body.get("mode").and_then(Value::as_str).unwrap_or("raw");
    match mode {
        "raw" => {
            let raw = vars.resolve(body.get("raw").and_then(Value::as_str)?);
            if raw.trim().is_empty() {
                return None;
            }
            let language = body
                .get("options")
                .and_then(|o| o.pointer("/raw/language"))
                .and_then(Value::as_str)
                .unwrap_or("text");
            let media = content_type
                .unwrap_or_else(|| language_media(language).unwrap_or("text/plain").to_string());
            Some((media, raw))
        }
        "urlencoded" | "formdata" => {
            let mut out = form_urlencoded::Serializer::new(String::new());
            if let Some(Value::Array(list)) = body.get(mode) {
                for f in list {
                    if f.get("disabled").and_then(Value::as_bool) == Some(true)
                        || f.get("type").and_then(Value::as_str) == Some("file")
                    {
                        continue;
                    }
                    let Some(k) = f.get("key").and_then(Value::as_str) else {
                        continue;
                    };
                    let v = f.get("value").and_then(Value::as_str).unwrap_or("");
                    out.append_pair(&vars.resolve(k), &vars.resolve(v));
                }
            }
            let media = if mode == "urlencoded" {
                "application/x-www-form-urlencoded"
            } else {
                "multipart/form-data"
            };
            Some((media.to_string(), out.finish()))
        }
        _ => None,
    }
}

/// One operation being assembled.
#[derive(Default, Debug)]
struct Op {
    summary: Option<String>,
    description: Option<String>,
    tags: Vec<String>,
    security: Option<Value>,
    ids: Vec<String>,
    example_ids: Map<String, Value>,
    params: Vec<Param>,
    body: Vec<(String, Media)>,
    responses: Vec<(u16, Resp)>,
    names: Vec<String>,
}

#[derive(Default, Debug)]
struct Param {
    name: String,
    location: String,
    required: bool,
    samples: Vec<String>,
    examples: Vec<(String, String)>,
}

#[derive(Default, Debug)]
struct Media {
    samples: Vec<Value>,
    examples: Vec<(String, Value)>,
}

#[derive(Default, Debug)]
struct Resp {
    description: Option<String>,
    headers: Vec<(String, String)>,
    media: Vec<(String, Media)>,
}

impl Resp {
    fn media(&mut self, mt: &str) -> &mut Media {
        let i = match self.media.iter().position(|(m, _)| m == mt) {
            Some(i) => i,
            None => {
                self.media.push((mt.to_string(), Media::default()));
                self.media.len() - 1
            }
        };
        &mut self.media[i].1
    }
}

impl Op {
    fn param(&mut self, name: &str, location: &str) -> &mut Param {
        let same = |p: &Param| {
            p.location == location
                && if location == "header" {
                    p.name.eq_ignore_ascii_case(name)
                } else {
                    p.name == name
                }
        };
        let i = match self.params.iter().position(same) {
            Some(i) => i,
            None => {
                self.params.push(Param {
                    name: name.to_string(),
                    location: location.to_string(),
                    required: location == "path",
                    ..Param::default()
                });
                self.params.len() - 1
            }
        };
        &mut self.params[i]
    }

    fn body_media(&mut self, mt: &str) -> &mut Media {
        let i = match self.body.iter().position(|(m, _)| m == mt) {
            Some(i) => i,
            None => {
                self.body.push((mt.to_string(), Media::default()));
                self.body.len() - 1
            }
        };
        &mut self.body[i].1
    }

    fn response(&mut self, code: u64, status: Option<String>) -> &mut Resp {
        let code = code as u16;
        let i = match self.responses.iter().position(|(c, _)| *c == code) {
            Some(i) => i,
            None => {
                self.responses.push((code, Resp::default()));
                self.responses.len() - 1
            }
        };
        let r = &mut self.responses[i].1;
        if r.description.is_none() {
            r.description = status;
        }
        r
    }

    fn unique_name(&mut self, base: &str) -> String {
        let mut name = base.to_string();
        let mut n = 2;
        while self.names.contains(&name) {
            name = format!("{base} ({n})");
            n += 1;
        }
        self.names.push(name.clone());
        name
    }

    fn emit(&self) -> Value {
        let mut op = Map::new();
        if let Some(s) = &self.summary {
            op.insert("summary".into(), json!(s));
        }
        if let Some(d) = &self.description {
            op.insert("description".into(), json!(d));
        }
        if !self.tags.is_empty() {
            op.insert("tags".into(), json!(self.tags));
        }
        let mut params = Vec::new();
        for p in &self.params {
            let integer = !p.samples.is_empty()
                && p.samples
                    .iter()
                    .chain(p.examples.iter().map(|(_, v)| v))
                    .all(|s| {
                        let t = s.trim();
                        !t.is_empty() && t == s && t.parse::<i64>().is_ok()
                    });
            let value = |s: &str| -> Value {
                if integer {
                    s.parse::<i64>()
                        .map(Value::from)
                        .unwrap_or_else(|_| json!(s))
                } else {
                    json!(s)
                }
            };
            let mut o = Map::new();
            o.insert("name".into(), json!(p.name));
            o.insert("in".into(), json!(p.location));
            o.insert("required".into(), json!(p.required));
            o.insert(
                "schema".into(),
                json!({ "type": if integer { "integer" } else { "string" } }),
            );
            if !p.examples.is_empty() {
                let mut ex = Map::new();
                for (n, v) in &p.examples {
                    ex.insert(n.clone(), json!({ "value": value(v) }));
                }
                o.insert("examples".into(), Value::Object(ex));
            }
            params.push(Value::Object(o));
        }
        if !params.is_empty() {
            op.insert("parameters".into(), Value::Array(params));
        }
        if !self.body.is_empty() {
            let mut content = Map::new();
            for (mt, m) in &self.body {
                let mut o = Map::new();
                let schema = request_schema(mt, m);
                o.insert("schema".into(), schema);
                if !m.examples.is_empty() {
                    let mut ex = Map::new();
                    for (n, v) in &m.examples {
                        ex.insert(n.clone(), json!({ "value": v }));
                    }
                    o.insert("examples".into(), Value::Object(ex));
                }
                content.insert(mt.clone(), Value::Object(o));
            }
            op.insert(
                "requestBody".into(),
                json!({ "required": false, "content": content }),
            );
        }
        let mut responses = Map::new();
        for (code, r) in &self.responses {
            let mut o = Map::new();
            let description = r
                .description
                .clone()
                .or_else(|| {
                    http::StatusCode::from_u16(*code)
                        .ok()
                        .and_then(|s| s.canonical_reason())
                        .map(str::to_string)
                })
                .unwrap_or_else(|| "Saved example".into());
            o.insert("description".into(), json!(description));
            if !r.headers.is_empty() {
                let mut h = Map::new();
                for (k, v) in &r.headers {
                    h.insert(
                        k.clone(),
                        json!({ "schema": { "type": "string" }, "example": v }),
                    );
                }
                o.insert("headers".into(), Value::Object(h));
            }
            if !r.media.is_empty() {
                let mut content = Map::new();
                for (mt, m) in &r.media {
                    let mut mo = Map::new();
                    let schema = if is_json(mt) && !m.samples.is_empty() {
                        let refs: Vec<&Value> = m.samples.iter().collect();
                        super::infer::infer(&refs)
                    } else if is_json(mt) {
                        json!({})
                    } else {
                        json!({ "type": "string" })
                    };
                    mo.insert("schema".into(), schema);
                    let mut ex = Map::new();
                    for (n, v) in &m.examples {
                        ex.insert(n.clone(), json!({ "value": v }));
                    }
                    mo.insert("examples".into(), Value::Object(ex));
                    content.insert(mt.clone(), Value::Object(mo));
                }
                o.insert("content".into(), Value::Object(content));
            }
            responses.insert(code.to_string(), Value::Object(o));
        }
        if responses.is_empty() {
            responses.insert(
                "200".into(),
                json!({ "description": "No saved example in the collection" }),
            );
        }
        op.insert("responses".into(), Value::Object(responses));
        if let Some(s) = &self.security {
            op.insert("security".into(), s.clone());
        }
        let mut ext = Map::new();
        if let Some(id) = self.ids.first() {
            ext.insert("id".into(), json!(id));
        }
        if !self.example_ids.is_empty() {
            ext.insert("examples".into(), Value::Object(self.example_ids.clone()));
        }
        if !ext.is_empty() {
            op.insert("x-stubborn-postman".into(), Value::Object(ext));
        }
        Value::Object(op)
    }
}

/// A request body schema: inferred from the samples, without `enum`s (a mock should not
/// refuse a value just because the collection never sent it).
fn request_schema(mt: &str, m: &Media) -> Value {
    if mt == "application/x-www-form-urlencoded" || mt == "multipart/form-data" {
        let mut props = Map::new();
        for s in &m.samples {
            if let Value::Object(o) = s {
                for k in o.keys() {
                    props.insert(k.clone(), json!({ "type": "string" }));
                }
            }
        }
        return json!({ "type": "object", "properties": props });
    }
    if !is_json(mt) {
        return json!({ "type": "string" });
    }
    if m.samples.is_empty() {
        return json!({});
    }
    let refs: Vec<&Value> = m.samples.iter().collect();
    let mut schema = super::infer::infer(&refs);
    strip_enums(&mut schema);
    schema
}

fn strip_enums(v: &mut Value) {
    match v {
        Value::Object(o) => {
            o.remove("enum");
            for (_, x) in o.iter_mut() {
                strip_enums(x);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(strip_enums),
        _ => {}
    }
}

/// The whole value, parameters included, as Postman's converter has always judged it.
fn is_json(mt: &str) -> bool {
    crate::media::names_json(&mt.to_ascii_lowercase())
}

/// A description: a string, or v2.1's `{content, type}`.
fn text_of(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Object(o) => o
            .get("content")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string),
        _ => None,
    }
}

/// `auth.<kind>` parameter `key`: v2.1 lists `[{key, value}]`, v2.0 has an object.
fn auth_param(auth: &Value, kind: &str, key: &str) -> Option<String> {
    match auth.get(kind)? {
        Value::Array(list) => list
            .iter()
            .find(|p| p.get("key").and_then(Value::as_str) == Some(key))
            .and_then(|p| p.get("value"))
            .and_then(Value::as_str)
            .map(str::to_string),
        Value::Object(o) => o.get(key).and_then(Value::as_str).map(str::to_string),
        _ => None,
    }
}

/// Enabled `[{key, value}]` pairs (headers, query parameters), variables resolved.
fn header_list(v: Option<&Value>, vars: &Vars) -> Vec<(String, String)> {
    match v {
        Some(Value::Array(list)) => list
            .iter()
            .filter(|h| h.get("disabled").and_then(Value::as_bool) != Some(true))
            .filter_map(|h| {
                let k = h.get("key").and_then(Value::as_str)?;
                let v = match h.get("value") {
                    Some(Value::String(s)) => s.clone(),
                    Some(Value::Null) | None => String::new(),
                    Some(other) => other.to_string(),
                };
                (!k.is_empty()).then(|| (vars.resolve(k), vars.resolve(&v)))
            })
            .collect(),
        // v2.0 allows headers as one "Name: value\n..." string.
        Some(Value::String(s)) => s
            .lines()
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_string(), vars.resolve(v.trim())))
            .filter(|(k, _)| !k.is_empty())
            .collect(),
        _ => Vec::new(),
    }
}

/// The Content-Type Postman's client adds for a raw body's `options.raw.language`.
fn language_media(language: &str) -> Option<&'static str> {
    Some(match language {
        "json" => "application/json",
        "xml" => "application/xml",
        "html" => "text/html",
        "javascript" => "application/javascript",
        "text" => "text/plain",
        _ => return None,
    })
}

/// A request body: its media type and value.
fn parse_body(
    body: Option<&Value>,
    content_type: Option<String>,
    vars: &Vars,
) -> Option<(String, Value)> {
    let body = body?.as_object()?;
    if body.get("disabled").and_then(Value::as_bool) == Some(true) {
        return None;
    }
    let mode = body.get("mode").and_then(Value::as_str).unwrap_or("raw");
    match mode {
        "raw" => {
            let raw = body.get("raw").and_then(Value::as_str)?;
            if raw.trim().is_empty() {
                return None;
            }
            let language = body
                .get("options")
                .and_then(|o| o.pointer("/raw/language"))
                .and_then(Value::as_str)
                .unwrap_or("");
            let parsed: Option<Value> = serde_json::from_str(raw).ok();
            let mt = content_type.filter(|c| !c.is_empty()).unwrap_or_else(|| {
                match language_media(language) {
                    Some(media) => media,
                    None if parsed.is_some() => "application/json",
                    None => "text/plain",
                }
                .to_string()
            });
            match parsed.filter(|_| is_json(&mt)) {
                Some(v) => Some((mt, v)),
                // JSON with `{{variables}}` in it: the media type without a sample.
                None if is_json(&mt) => Some((mt, Value::Null)),
                None => Some((mt, Value::String(raw.to_string()))),
            }
        }
        "urlencoded" | "formdata" => {
            let mt = if mode == "urlencoded" {
                "application/x-www-form-urlencoded"
            } else {
                "multipart/form-data"
            };
            let mut fields = Map::new();
            if let Some(Value::Array(list)) = body.get(mode) {
                for f in list {
                    if f.get("disabled").and_then(Value::as_bool) == Some(true) {
                        continue;
                    }
                    let Some(k) = f.get("key").and_then(Value::as_str) else {
                        continue;
                    };
                    if f.get("type").and_then(Value::as_str) == Some("file") {
                        continue;
                    }
                    let v = f.get("value").and_then(Value::as_str).unwrap_or("");
                    fields.insert(k.to_string(), json!(vars.resolve(v)));
                }
            }
            Some((mt.to_string(), Value::Object(fields)))
        }
        _ => None,
    }
}

/// A path template back into segments.
fn parse_template(t: &str) -> Vec<Seg> {
    t.split('/')
        .filter(|s| !s.is_empty())
        .map(
            |s| match s.strip_prefix('{').and_then(|x| x.strip_suffix('}')) {
                Some(n) => Seg::Param(n.to_string()),
                None => Seg::Lit(s.to_string()),
            },
        )
        .collect()
}

fn param_names(segs: &[Seg]) -> Vec<String> {
    segs.iter()
        .filter_map(|s| match s {
            Seg::Param(p) => Some(p.clone()),
            Seg::Lit(_) => None,
        })
        .collect()
}

/// A parameter name from `:name` or `{{name}}`: characters OpenAPI templates carry safely.
fn param_name(raw: &str) -> String {
    let n: String = raw
        .trim()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        .collect();
    if n.is_empty() {
        "param".into()
    } else {
        n
    }
}

/// `{{name}}` exactly (a whole segment that is one variable).
fn whole_variable(seg: &str) -> Option<&str> {
    let inner = seg.strip_prefix("{{")?.strip_suffix("}}")?;
    (!inner.contains("{{") && !inner.contains("}}")).then_some(inner)
}

/// Path segments (as written in the collection) to template segments.
fn segments<'a>(raw: impl IntoIterator<Item = &'a str>, vars: &Vars) -> Vec<Seg> {
    let mut out = Vec::new();
    for seg in raw {
        if seg.is_empty() {
            continue;
        }
        if let Some(name) = seg.strip_prefix(':').filter(|n| !n.is_empty()) {
            out.push(Seg::Param(param_name(name)));
        } else if let Some(name) = whole_variable(seg) {
            out.push(Seg::Param(param_name(name)));
        } else {
            let resolved = vars.resolve(seg);
            for part in resolved.split('/').filter(|p| !p.is_empty()) {
                if let Some(start) = part.find("{{") {
                    // A variable nobody defined inside a segment: the segment is a parameter.
                    let after = &part[start + 2..];
                    let name = after.split("}}").next().unwrap_or("");
                    out.push(Seg::Param(param_name(name)));
                } else {
                    out.push(Seg::Lit(part.to_string()));
                }
            }
        }
    }
    out
}

/// The path part of a base URL (`https://x.com/v1` → `/v1`), if it has one.
fn base_path(url: &str) -> Option<String> {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let path = rest.find('/').map(|i| &rest[i..])?;
    let path = path
        .split(['?', '#'])
        .next()
        .unwrap_or("")
        .trim_end_matches('/');
    (!path.is_empty()).then(|| path.to_string())
}

/// The server a host part names, when it resolves to a URL with a path.
fn server_of(host: &str, vars: &Vars) -> Option<String> {
    let resolved = vars.resolve(host);
    if resolved.contains("{{") {
        return None;
    }
    base_path(&resolved)?;
    Some(resolved.trim_end_matches('/').to_string())
}

/// `{{baseUrl}}/pets/:id?x=1`, `https://api.example.com/pets`, `/pets`.
fn parse_url_string(s: &str, vars: &Vars) -> Url {
    let s = s.trim();
    let s = s.split('#').next().unwrap_or("");
    let (path_part, query) = match s.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (s, None),
    };
    let mut url = Url::default();
    // Split off the host: a scheme and authority, a leading `{{var}}`, or a bare host.
    let rest: &str = if let Some((_, r)) = path_part.split_once("://") {
        let host_end = r.find('/').unwrap_or(r.len());
        &r[host_end..]
    } else if path_part.starts_with('/') {
        path_part
    } else {
        let first_end = path_part.find('/').unwrap_or(path_part.len());
        let first = &path_part[..first_end];
        if let Some(name) = whole_variable(first) {
            if let Some(v) = vars.get(name) {
                url.server = server_of(v, vars);
            }
            &path_part[first_end..]
        } else if first.starts_with(':') {
            path_part
        } else {
            &path_part[first_end..]
        }
    };
    url.segs = segments(rest.split('/'), vars);
    if let Some(q) = query {
        url.query = q
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (decode(k), vars.resolve(&decode(v)))
            })
            .collect();
    }
    url
}

fn decode(s: &str) -> String {
    form_urlencoded::parse(s.as_bytes())
        .next()
        .map(|(k, _)| k.into_owned())
        .unwrap_or_else(|| s.to_string())
}

/// v2.x URL objects: `raw`, `host`, `path`, `query`, `variable`.
fn parse_url_object(u: &Map<String, Value>, vars: &Vars) -> Url {
    let text = |v: &Value| -> Option<String> {
        match v {
            Value::String(s) => Some(s.clone()),
            Value::Object(o) => o.get("value").and_then(Value::as_str).map(str::to_string),
            _ => None,
        }
    };
    let mut url = match u.get("path") {
        Some(Value::Array(parts)) => {
            let parts: Vec<String> = parts.iter().filter_map(text).collect();
            Url {
                segs: segments(parts.iter().map(String::as_str), vars),
                ..Url::default()
            }
        }
        Some(Value::String(p)) => Url {
            segs: segments(p.split('/'), vars),
            ..Url::default()
        },
        _ => {
            let raw = u.get("raw").and_then(Value::as_str).unwrap_or("");
            let mut url = parse_url_string(raw, vars);
            url.query.clear();
            url
        }
    };
    if url.server.is_none() {
        let host = match u.get("host") {
            Some(Value::Array(h)) => h.iter().filter_map(text).collect::<Vec<_>>().join("."),
            Some(Value::String(h)) => h.clone(),
            _ => String::new(),
        };
        url.server = server_of(&host, vars);
    }
    match u.get("query") {
        Some(Value::Array(_)) => url.query = header_list(u.get("query"), vars),
        _ => {
            if let Some(raw) = u.get("raw").and_then(Value::as_str) {
                url.query = parse_url_string(raw, vars).query;
            }
        }
    }
    url.path_vars = header_list(u.get("variable"), vars)
        .into_iter()
        .map(|(k, v)| (param_name(&k), v))
        .collect();
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(list: &[(&str, &str)]) -> Vars {
        Vars(
            list.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    fn lit(s: &str) -> Seg {
        Seg::Lit(s.into())
    }

    fn param(s: &str) -> Seg {
        Seg::Param(s.into())
    }

    #[test]
    fn string_urls_drop_the_host_and_template_the_variables() {
        let v = vars(&[("baseUrl", "https://api.example.com/v1"), ("ver", "2")]);
        let u = parse_url_string("{{baseUrl}}/pets/:petId/toys/{{toyId}}?limit=5&q=a%20b", &v);
        assert_eq!(
            u.segs,
            vec![lit("pets"), param("petId"), lit("toys"), param("toyId")]
        );
        assert_eq!(
            u.query,
            vec![("limit".into(), "5".into()), ("q".into(), "a b".into())]
        );
        assert_eq!(u.server.as_deref(), Some("https://api.example.com/v1"));
        let u = parse_url_string("https://api.example.com/v{{ver}}/users", &v);
        assert_eq!(u.segs, vec![lit("v2"), lit("users")]);
        assert_eq!(u.server, None);
        let u = parse_url_string("api.example.com/users/{{unknown}}x", &v);
        assert_eq!(u.segs, vec![lit("users"), param("unknown")]);
        assert_eq!(parse_url_string("/a/b", &v).segs, vec![lit("a"), lit("b")]);
    }

    #[test]
    fn url_objects_use_the_path_array_and_query_list() {
        let v = vars(&[("baseUrl", "http://localhost:3000"), ("prefix", "api/v2")]);
        let u: Value = json!({
            "raw": "{{baseUrl}}/{{prefix}}/pets/:petId?x=1",
            "host": ["{{baseUrl}}"],
            "path": ["{{prefix}}x", "pets", ":petId", {"type": "string", "value": "photos"}],
            "query": [{"key": "x", "value": "1"}, {"key": "off", "value": "2", "disabled": true}],
            "variable": [{"key": "petId", "value": "7"}]
        });
        let url = parse_url_object(u.as_object().unwrap(), &v);
        assert_eq!(
            url.segs,
            vec![
                lit("api"),
                lit("v2x"),
                lit("pets"),
                param("petId"),
                lit("photos")
            ]
        );
        assert_eq!(url.query, vec![("x".into(), "1".into())]);
        assert_eq!(url.path_vars, vec![("petId".into(), "7".into())]);
        assert_eq!(url.server, None, "a base URL without a path adds no server");
    }

    #[test]
    fn inner_variables_win_and_unknown_ones_stay() {
        let v = vars(&[("a", "1"), ("b", "2"), ("a", "3")]);
        assert_eq!(v.resolve("{{a}}-{{b}}-{{c}}-{{a"), "3-2-{{c}}-{{a");
    }

    #[test]
    fn same_shaped_paths_merge_and_examples_become_scenarios() {
        let c = json!({
            "info": {"name": "T", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
            "variable": [{"key": "baseUrl", "value": "https://x.com/v1"}],
            "item": [
                {"name": "one", "id": "r1", "request": {"method": "GET", "url": "{{baseUrl}}/pets/:petId"},
                 "response": [
                    {"name": "a", "id": "e1", "code": 200, "body": "{\"id\":1}",
                     "originalRequest": {"method": "GET", "url": "{{baseUrl}}/pets/1"}},
                    {"name": "b", "code": 404, "body": "nope",
                     "originalRequest": {"method": "GET", "url": "{{baseUrl}}/pets/2"}}
                 ]},
                {"name": "two", "request": {"method": "DELETE", "url": "{{baseUrl}}/pets/{{id}}"}}
            ]
        });
        assert!(is_postman(&c));
        let doc = to_openapi31(&c, "t.json", &[]).unwrap();
        assert_eq!(doc["servers"][0]["url"], "https://x.com/v1");
        let paths = doc["paths"].as_object().unwrap();
        assert_eq!(paths.len(), 1, "{doc:#}");
        let get = &doc["paths"]["/pets/{petId}"]["get"];
        assert_eq!(get["parameters"][0]["schema"]["type"], "integer");
        assert_eq!(get["parameters"][0]["examples"]["b"]["value"], 2);
        assert_eq!(
            get["responses"]["200"]["content"]["application/json"]["examples"]["a"]["value"]["id"],
            1
        );
        assert_eq!(
            get["responses"]["404"]["content"]["text/plain"]["examples"]["b"]["value"],
            "nope"
        );
        assert!(doc["paths"]["/pets/{petId}"]["delete"].is_object());
        assert_eq!(
            get["x-stubborn-postman"],
            json!({"id": "r1", "examples": {"a": "e1"}})
        );
    }

    #[test]
    fn errors_say_what_was_expected() {
        let e = to_openapi31(&json!([1]), "c.json", &[]).unwrap_err();
        assert!(e.0[0].message.contains("found an array"), "{e}");
        let c =
            json!({"info": {"_postman_id": "x"}, "item": [{"name": "r", "request": {"url": 5}}]});
        let e = to_openapi31(&c, "c.json", &[]).unwrap_err();
        assert_eq!(e.0[0].pointer, "/item/0/request/url");
        assert!(e.0[0].message.contains("found the number 5"), "{e}");
        let c = json!({"info": {"_postman_id": "x"}, "item": {"a": 1}});
        assert!(to_openapi31(&c, "c.json", &[]).is_err());
    }

    #[test]
    fn auth_levels_become_security() {
        let c = json!({
            "info": {"_postman_id": "x"},
            "auth": {"type": "apikey", "apikey": [{"key": "key", "value": "X-Key"}, {"key": "in", "value": "header"}]},
            "item": [
                {"name": "f", "auth": {"type": "bearer", "bearer": [{"key": "token", "value": "t"}]},
                 "item": [{"name": "r", "request": {"url": "/a"}}]},
                {"name": "open", "request": {"url": "/b", "auth": {"type": "noauth"}}},
                {"name": "key", "request": {"url": "/c", "header": [{"key": "X-Key", "value": "k"}, {"key": "X-Trace", "value": "t"}]}}
            ]
        });
        let doc = to_openapi31(&c, "c.json", &[]).unwrap();
        assert_eq!(
            doc["paths"]["/a"]["get"]["security"],
            json!([{"bearerAuth": []}])
        );
        assert_eq!(doc["paths"]["/b"]["get"]["security"], json!([]));
        assert_eq!(
            doc["paths"]["/c"]["get"]["security"],
            json!([{"apiKey": []}])
        );
        let params = doc["paths"]["/c"]["get"]["parameters"].as_array().unwrap();
        assert_eq!(params.len(), 1, "the API key is security's: {params:?}");
        assert_eq!(params[0]["name"], "X-Trace");
        assert_eq!(
            doc["components"]["securitySchemes"]["apiKey"],
            json!({"type": "apiKey", "name": "X-Key", "in": "header"})
        );
    }
}

//! HAR 1.2 (recorded HTTP traffic) into an OpenAPI 3.1 document.
//!
//! The rules:
//!
//! - **Which entries.** Entries whose URL is not `http(s)://`, CORS preflights (`OPTIONS` with
//!   `Access-Control-Request-Method`), entries without a response (status 0, aborted) and
//!   static assets (images, CSS, JavaScript, fonts, source maps: by response type or file
//!   extension) are skipped; the assets are kept when nothing else is left. When the traffic
//!   spans several hosts, the host with the most API entries is documented and the others are
//!   skipped (browsers record analytics and CDNs alongside the API).
//! - **Operations.** Entries are grouped by method and path template. A path segment that is
//!   a number, a UUID, or a long (16+) hexadecimal id is a parameter named after the preceding
//!   segment, singularised, plus `Id` (`/users/42` → `/users/{userId}`), else `id`, made unique
//!   in the path with a number. A trailing slash is dropped.
//! - **Examples and scenarios.** Each distinct exchange of an operation (same parameters and
//!   body, same status and response body: duplicates are dropped) is an example named `call1`,
//!   `call2`... on the request side (path and query parameters, request body) and on the
//!   response side, so the mock answers each recorded request with its recorded response.
//! - **Parameters.** Path parameters are required; a query parameter is required when every
//!   call of the operation had it, and an array when some call repeated it. Values are typed
//!   (`42` is an integer, `true` a boolean) and their schema inferred
//!   ([`infer`](super::infer::infer)). Request headers are documented unless standard,
//!   hop-by-hop or added by browsers and proxies ([`SKIPPED_REQUEST_HEADERS`], `Sec-*`,
//!   `Proxy-*`); they are never required (traffic cannot prove it) and carry one `example`,
//!   not per-call examples, since their values (trace ids...) rarely pick the answer.
//! - **Security.** An `Authorization: Bearer`/`Basic` header becomes an HTTP security scheme;
//!   an operation whose every call carried it requires it, one where only some did accepts it.
//! - **Bodies.** By media type: JSON gets an inferred schema, forms
//!   (`application/x-www-form-urlencoded`, `multipart/form-data`) an object of string fields,
//!   other text a string, binary content a `binary` string. `content.encoding: base64` is
//!   decoded. A request body is required when every call had one.
//! - **Responses.** By status code, described by the recorded status text; headers documented
//!   unless standard or infrastructure ([`SKIPPED_RESPONSE_HEADERS`]).
//! - `servers` is the documented host with each scheme seen; `info.title` is the host.

use super::describe;
use super::infer::{infer, is_uuid};
use crate::media::{essence_str as essence, names_json as is_json};
use serde_json::{json, Map, Value};
use std::collections::HashSet;

/// Request headers never documented as parameters (lower case); `Sec-*`, `Proxy-*` and HTTP/2
/// pseudo-headers (`:authority`) are skipped too. `Authorization` becomes a security scheme.
pub const SKIPPED_REQUEST_HEADERS: &[&str] = &[
    "accept",
    "accept-charset",
    "accept-encoding",
    "accept-language",
    "authorization",
    "cache-control",
    "connection",
    "content-length",
    "content-type",
    "cookie",
    "dnt",
    "expect",
    "forwarded",
    "host",
    "if-modified-since",
    "if-none-match",
    "keep-alive",
    "origin",
    "pragma",
    "priority",
    "purpose",
    "referer",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "upgrade-insecure-requests",
    "user-agent",
    "via",
    "x-forwarded-for",
    "x-forwarded-host",
    "x-forwarded-port",
    "x-forwarded-proto",
    "x-real-ip",
    "x-requested-with",
];

/// Response headers never documented (lower case); `Access-Control-*`, `Sec-*`, `Cf-*` and
/// `Cross-Origin-*` too.
pub const SKIPPED_RESPONSE_HEADERS: &[&str] = &[
    "accept-ranges",
    "age",
    "alt-svc",
    "cache-control",
    "connection",
    "content-encoding",
    "content-length",
    "content-security-policy",
    "content-security-policy-report-only",
    "content-type",
    "date",
    "expect-ct",
    "expires",
    "keep-alive",
    "last-modified",
    "nel",
    "permissions-policy",
    "pragma",
    "proxy-connection",
    "referrer-policy",
    "report-to",
    "server",
    "server-timing",
    "set-cookie",
    "strict-transport-security",
    "timing-allow-origin",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "vary",
    "via",
    "x-cache",
    "x-cache-hits",
    "x-content-type-options",
    "x-frame-options",
    "x-powered-by",
    "x-served-by",
    "x-timer",
    "x-xss-protection",
];

/// File extensions of static assets.
const ASSET_EXTENSIONS: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "svg", "ico", "webp", "avif", "bmp", "css", "js", "mjs", "map",
    "woff", "woff2", "ttf", "otf", "eot",
];

/// The document and what went into it.
#[derive(Debug)]
pub struct Imported {
    pub document: Value,
    /// HAR entries read.
    pub entries: usize,
    /// Entries documented.
    pub exchanges: usize,
    /// Distinct exchanges kept as examples.
    pub examples: usize,
    pub operations: usize,
    pub paths: usize,
    /// Why entries were left out, with counts, in first-seen order.
    pub skipped: Vec<(&'static str, usize)>,
    /// Entries that could not be read (missing fields...), each naming the entry.
    pub warnings: Vec<String>,
}

/// Is `v` a HAR document (an object with `log.entries` a list)?
pub fn is_har(v: &Value) -> bool {
    v.get("log")
        .and_then(|l| l.get("entries"))
        .is_some_and(Value::is_array)
}

/// HAR 1.2 → OpenAPI 3.1 document.
pub fn har_to_openapi(har: &Value) -> Result<Value, String> {
    import(har).map(|i| i.document)
}

/// HAR 1.2 → OpenAPI 3.1 document, with counts for a summary.
pub fn import(har: &Value) -> Result<Imported, String> {
    let entries = entries(har)?;
    let mut skipped: Vec<(&'static str, usize)> = Vec::new();
    let mut warnings = Vec::new();
    let skip = |skipped: &mut Vec<(&'static str, usize)>, why: &'static str| match skipped
        .iter_mut()
        .find(|(w, _)| *w == why)
    {
        Some((_, n)) => *n += 1,
        None => skipped.push((why, 1)),
    };
    let mut api = Vec::new();
    let mut assets = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        match parse_entry(e) {
            Parsed::Exchange(x) if x.is_asset() => assets.push(*x),
            Parsed::Exchange(x) => api.push(*x),
            Parsed::Skip(why) => skip(&mut skipped, why),
            Parsed::Broken(msg) => {
                warnings.push(format!("log.entries[{i}]: {msg}; skipped"));
                skip(&mut skipped, "incomplete");
            }
        }
    }
    let mut exchanges = if api.is_empty() {
        assets
    } else {
        for _ in &assets {
            skip(&mut skipped, "static asset");
        }
        api
    };
    if exchanges.is_empty() {
        let why: Vec<String> = skipped.iter().map(|(w, n)| format!("{n} {w}")).collect();
        return Err(if entries.is_empty() {
            "the HAR file records no requests (`log.entries` is empty)".to_string()
        } else {
            let mut msg = format!(
                "no HTTP exchange to import among {} entries (skipped: {})",
                entries.len(),
                why.join(", ")
            );
            for w in warnings.iter().take(3) {
                msg.push_str("; ");
                msg.push_str(w);
            }
            msg
        });
    }
    // The documented host: the one with the most exchanges, ties to the first seen.
    let mut hosts: Vec<(String, usize)> = Vec::new();
    for x in &exchanges {
        match hosts.iter_mut().find(|(h, _)| *h == x.host) {
            Some((_, n)) => *n += 1,
            None => hosts.push((x.host.clone(), 1)),
        }
    }
    let host = hosts
        .iter()
        .fold(None::<&(String, usize)>, |best, h| match best {
            Some(b) if b.1 >= h.1 => Some(b),
            _ => Some(h),
        })
        .map(|(h, _)| h.clone())
        .unwrap_or_default();
    if hosts.len() > 1 {
        let others: Vec<&str> = hosts
            .iter()
            .filter(|(h, _)| *h != host)
            .map(|(h, _)| h.as_str())
            .collect();
        warnings.push(format!(
            "the traffic spans {} hosts; documenting {host}, skipping {}",
            hosts.len(),
            others.join(", ")
        ));
        for x in &exchanges {
            if x.host != host {
                skip(&mut skipped, "other host");
            }
        }
        exchanges.retain(|x| x.host == host);
    }
    let mut servers: Vec<Value> = Vec::new();
    for x in &exchanges {
        let url = json!({"url": format!("{}://{}", x.scheme, x.host)});
        if !servers.contains(&url) {
            servers.push(url);
        }
    }

    // Group by path template, then method (indices into `exchanges`).
    type Methods = Vec<(String, Vec<usize>)>;
    let mut paths: Vec<(String, Methods)> = Vec::new();
    for (i, x) in exchanges.iter().enumerate() {
        let methods = match paths.iter_mut().position(|(t, _)| *t == x.template) {
            Some(p) => &mut paths[p].1,
            None => {
                paths.push((x.template.clone(), Vec::new()));
                &mut paths.last_mut().expect("just pushed").1
            }
        };
        match methods.iter_mut().find(|(m, _)| *m == x.method) {
            Some((_, list)) => list.push(i),
            None => methods.push((x.method.clone(), vec![i])),
        }
    }
    let mut doc_paths = Map::new();
    let mut schemes = Schemes::default();
    let mut operation_ids = HashSet::new();
    let mut operations = 0;
    let mut examples = 0;
    for (template, mut methods) in paths {
        methods.sort_by_key(|(m, _)| method_rank(m));
        let mut item = Map::new();
        for (method, list) in methods {
            let calls: Vec<&Exchange> = list.iter().map(|&i| &exchanges[i]).collect();
            let (op, n) = operation(&method, &template, &calls, &mut operation_ids, &mut schemes);
            item.insert(method.to_ascii_lowercase(), op);
            operations += 1;
            examples += n;
        }
        doc_paths.insert(template, Value::Object(item));
    }
    let paths_count = doc_paths.len();
    let mut doc = Map::new();
    doc.insert("openapi".into(), json!("3.1.0"));
    doc.insert(
        "info".into(),
        json!({
            "title": host,
            "version": "1.0.0",
            "description": format!(
                "Inferred by stubborn from {} recorded HTTP exchanges.",
                exchanges.len()
            ),
        }),
    );
    doc.insert("servers".into(), Value::Array(servers));
    doc.insert("paths".into(), Value::Object(doc_paths));
    if !schemes.0.is_empty() {
        let mut s = Map::new();
        for (name, scheme) in schemes.0 {
            s.insert(name, scheme);
        }
        doc.insert("components".into(), json!({ "securitySchemes": s }));
    }
    Ok(Imported {
        document: Value::Object(doc),
        entries: entries.len(),
        exchanges: exchanges.len(),
        examples,
        operations,
        paths: paths_count,
        skipped,
        warnings,
    })
}

fn entries(har: &Value) -> Result<&Vec<Value>, String> {
    let Some(obj) = har.as_object() else {
        return Err(format!(
            "expected a HAR document (a JSON object with `log.entries`), found {}",
            describe(har)
        ));
    };
    let Some(log) = obj.get("log") else {
        return Err("not a HAR document: no `log` object at the top level".into());
    };
    let Some(entries) = log.get("entries") else {
        return Err(if log.is_object() {
            "not a HAR document: `log` has no `entries` list".into()
        } else {
            format!("`log` should be an object, found {}", describe(log))
        });
    };
    entries.as_array().ok_or_else(|| {
        format!(
            "`log.entries` should be a list, found {}",
            describe(entries)
        )
    })
}

/// One recorded request and its response, read from a HAR entry.
#[derive(Debug)]
struct Exchange {
    method: String,
    scheme: String,
    /// Lower case, with a non-default port.
    host: String,
    template: String,
    /// Path parameters: name, raw (decoded) value.
    path_params: Vec<(String, String)>,
    /// Decoded query pairs in order.
    query: Vec<(String, String)>,
    request_headers: Vec<(String, String)>,
    request_body: Option<Body>,
    status: u16,
    status_text: String,
    response_headers: Vec<(String, String)>,
    response_body: Option<Body>,
    /// Response media type (essence), even without a body.
    response_type: String,
    /// Last path segment's extension, lower case.
    extension: String,
}

impl Exchange {
    fn is_asset(&self) -> bool {
        let t = self.response_type.as_str();
        t.starts_with("image/")
            || t.starts_with("font/")
            || t.starts_with("application/font-")
            || t.starts_with("application/x-font-")
            || matches!(
                t,
                "text/css"
                    | "text/javascript"
                    | "application/javascript"
                    | "application/x-javascript"
                    | "application/ecmascript"
                    | "application/vnd.ms-fontobject"
            )
            || ASSET_EXTENSIONS.contains(&self.extension.as_str())
    }

    fn header(headers: &[(String, String)], name: &str) -> Option<String> {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    }

    /// What makes two calls the same example.
    fn signature(&self) -> String {
        let body = |b: &Option<Body>| match b {
            None => Value::Null,
            Some(b) => json!([b.media_type, b.value.example()]),
        };
        json!([
            self.path_params,
            self.query,
            body(&self.request_body),
            self.status,
            body(&self.response_body),
        ])
        .to_string()
    }
}

#[derive(Debug)]
struct Body {
    /// Lower-case essence (`application/json`), parameters dropped.
    media_type: String,
    value: BodyValue,
}

#[derive(Debug)]
enum BodyValue {
    Json(Value),
    Form(Vec<(String, String)>),
    Text(String),
    Binary,
}

impl BodyValue {
    /// The value as an example (`None` for binary content).
    fn example(&self) -> Option<Value> {
        match self {
            BodyValue::Json(v) => Some(v.clone()),
            BodyValue::Form(pairs) => {
                let mut m = Map::new();
                for (k, v) in pairs {
                    match m.get_mut(k) {
                        Some(Value::Array(a)) => a.push(Value::String(v.clone())),
                        Some(old) => {
                            let first = old.take();
                            *old = Value::Array(vec![first, Value::String(v.clone())]);
                        }
                        None => {
                            m.insert(k.clone(), Value::String(v.clone()));
                        }
                    }
                }
                Some(Value::Object(m))
            }
            BodyValue::Text(s) => Some(Value::String(s.clone())),
            BodyValue::Binary => None,
        }
    }
}

enum Parsed {
    Exchange(Box<Exchange>),
    Skip(&'static str),
    Broken(String),
}

fn str_at<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn name_values(v: Option<&Value>) -> Vec<(String, String)> {
    v.and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|h| {
                    Some((
                        str_at(h, "name")?.to_string(),
                        str_at(h, "value")?.to_string(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn parse_entry(e: &Value) -> Parsed {
    let Some(request) = e.get("request").filter(|r| r.is_object()) else {
        return Parsed::Broken("no `request` object".into());
    };
    let Some(url) = str_at(request, "url") else {
        return Parsed::Broken("no `request.url`".into());
    };
    let Some(method) = str_at(request, "method") else {
        return Parsed::Broken(format!("no `request.method` ({url})"));
    };
    let method = method.to_ascii_uppercase();
    let Some(url) = Url::parse(url) else {
        return Parsed::Skip("non-HTTP");
    };
    if !matches!(
        method.as_str(),
        "GET" | "PUT" | "POST" | "DELETE" | "OPTIONS" | "HEAD" | "PATCH" | "TRACE"
    ) {
        return Parsed::Skip("unsupported method");
    }
    let request_headers = name_values(request.get("headers"));
    if method == "OPTIONS"
        && Exchange::header(&request_headers, "access-control-request-method").is_some()
    {
        return Parsed::Skip("CORS preflight");
    }
    let Some(response) = e.get("response").filter(|r| r.is_object()) else {
        return Parsed::Skip("without a response");
    };
    let status = response.get("status").and_then(|s| match s {
        Value::String(t) => t.trim().parse().ok(),
        other => other.as_u64(),
    });
    let status = match status {
        Some(s @ 100..=599) => s as u16,
        _ => return Parsed::Skip("without a response"),
    };
    let response_headers = name_values(response.get("headers"));

    let request_body = request
        .get("postData")
        .filter(|p| p.is_object())
        .and_then(|p| {
            let media = str_at(p, "mimeType")
                .filter(|m| !m.trim().is_empty())
                .map(str::to_string)
                .or_else(|| Exchange::header(&request_headers, "content-type"))
                .unwrap_or_default();
            // Form fields; a multipart file part without a value is named by its file.
            let params = p
                .get("params")
                .and_then(Value::as_array)
                .map(|list| {
                    list.iter()
                        .filter_map(|f| {
                            let value = str_at(f, "value").or_else(|| str_at(f, "fileName"));
                            Some((
                                str_at(f, "name")?.to_string(),
                                value.unwrap_or("").to_string(),
                            ))
                        })
                        .collect()
                })
                .unwrap_or_default();
            decode_body(&media, str_at(p, "text"), str_at(p, "encoding"), params)
        });
    let content = response.get("content").filter(|c| c.is_object());
    let response_media = content
        .and_then(|c| str_at(c, "mimeType"))
        .filter(|m| !m.trim().is_empty())
        .map(str::to_string)
        .or_else(|| Exchange::header(&response_headers, "content-type"))
        .unwrap_or_default();
    let response_body = content.and_then(|c| {
        decode_body(
            &response_media,
            str_at(c, "text"),
            str_at(c, "encoding"),
            Vec::new(),
        )
    });
    let (template, path_params) = template(&url.path);
    let extension = url
        .path
        .rsplit('/')
        .next()
        .and_then(|last| last.rsplit_once('.'))
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    Parsed::Exchange(Box::new(Exchange {
        method,
        scheme: url.scheme,
        host: url.host,
        template,
        path_params,
        query: url.query,
        request_headers,
        request_body,
        status,
        status_text: str_at(response, "statusText")
            .unwrap_or("")
            .trim()
            .to_string(),
        response_headers,
        response_type: essence(&response_media),
        response_body,
        extension,
    }))
}

fn is_text(media: &str) -> bool {
    media.is_empty()
        || media.starts_with("text/")
        || is_json(media)
        || media.ends_with("+xml")
        || media.ends_with("/xml")
        || matches!(
            media,
            "application/x-www-form-urlencoded"
                | "application/javascript"
                | "application/ecmascript"
                | "application/graphql"
                | "application/yaml"
                | "application/x-yaml"
        )
}

fn decode_body(
    media: &str,
    text: Option<&str>,
    encoding: Option<&str>,
    params: Vec<(String, String)>,
) -> Option<Body> {
    let mut media_type = essence(media);
    let text: Option<String> = match (text, encoding) {
        (Some(t), Some(enc)) if enc.eq_ignore_ascii_case("base64") => {
            let bytes = base64_decode(t)?;
            if !is_text(&media_type) {
                return (!bytes.is_empty()).then_some(Body {
                    media_type,
                    value: BodyValue::Binary,
                });
            }
            match String::from_utf8(bytes) {
                Ok(s) => Some(s),
                Err(_) => {
                    return Some(Body {
                        media_type: if media_type.is_empty() {
                            "application/octet-stream".into()
                        } else {
                            media_type
                        },
                        value: BodyValue::Binary,
                    })
                }
            }
        }
        (t, _) => t.map(str::to_string),
    };
    let text = text.filter(|t| !t.is_empty());
    if text.is_none() && params.is_empty() {
        return None;
    }
    if media_type.is_empty() {
        media_type = match &text {
            Some(t) if serde_json::from_str::<Value>(t).is_ok() => "application/json".into(),
            Some(_) => "text/plain".into(),
            None => "application/x-www-form-urlencoded".into(),
        };
    }
    let value = if media_type == "application/x-www-form-urlencoded" {
        match &text {
            Some(t) => BodyValue::Form(
                form_urlencoded::parse(t.trim().as_bytes())
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect(),
            ),
            None => BodyValue::Form(params),
        }
    } else if media_type == "multipart/form-data" && !params.is_empty() {
        BodyValue::Form(params)
    } else if let Some(t) = text {
        if !is_text(&media_type) {
            BodyValue::Binary
        } else if is_json(&media_type) {
            match serde_json::from_str(&t) {
                Ok(v) => BodyValue::Json(v),
                Err(_) => BodyValue::Text(t),
            }
        } else {
            BodyValue::Text(t)
        }
    } else {
        return None;
    };
    Some(Body { media_type, value })
}

/// A HAR body's `encoding: base64` text: standard base64 (RFC 4648 section 4, as browsers
/// write it), padding optional, line breaks and spaces ignored; `None` when invalid.
fn base64_decode(s: &str) -> Option<Vec<u8>> {
    use base64::engine::general_purpose::STANDARD_PAD_INDIFFERENT;
    use base64::Engine;
    let compact: String = s.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    STANDARD_PAD_INDIFFERENT.decode(compact).ok()
}

/// The parts of an `http(s)` URL the import needs.
struct Url {
    scheme: String,
    host: String,
    path: String,
    query: Vec<(String, String)>,
}

impl Url {
    /// `None` for anything but an absolute `http://` or `https://` URL with a host.
    fn parse(url: &str) -> Option<Url> {
        let (scheme, rest) = url.trim().split_once("://")?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            return None;
        }
        let rest = rest.split('#').next().unwrap_or("");
        let end = rest.find(['/', '?']).unwrap_or(rest.len());
        let authority = &rest[..end];
        let after = &rest[end..];
        let host_port = authority
            .rsplit('@')
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        let host = match (scheme.as_str(), host_port.rsplit_once(':')) {
            ("http", Some((h, "80"))) | ("https", Some((h, "443"))) => h.to_string(),
            _ => host_port,
        };
        if host.is_empty() {
            return None;
        }
        let (path, query) = match after.split_once('?') {
            Some((p, q)) => (p, q),
            None => (after, ""),
        };
        Some(Url {
            scheme,
            host,
            path: if path.is_empty() {
                "/".into()
            } else {
                path.into()
            },
            query: form_urlencoded::parse(query.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        })
    }
}

/// Is a (decoded) path segment an identifier: digits, a UUID, or 16+ hex digits with a digit?
pub fn is_id_segment(s: &str) -> bool {
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        || is_uuid(s)
        || (s.len() >= 16
            && s.bytes().all(|b| b.is_ascii_hexdigit())
            && s.bytes().any(|b| b.is_ascii_digit()))
}

/// A concrete path → its template and the values of its parameters
/// (`/users/42/orders/7` → `/users/{userId}/orders/{orderId}`, `[(userId, 42), (orderId, 7)]`).
pub fn template(path: &str) -> (String, Vec<(String, String)>) {
    let trimmed = path
        .strip_suffix('/')
        .filter(|p| !p.is_empty())
        .unwrap_or(path);
    let segments: Vec<&str> = trimmed.split('/').skip(1).collect();
    let mut out = String::new();
    let mut params: Vec<(String, String)> = Vec::new();
    let mut previous_literal: Option<&str> = None;
    for seg in &segments {
        let decoded = percent_encoding::percent_decode_str(seg).decode_utf8_lossy();
        out.push('/');
        if is_id_segment(&decoded) {
            let base = match previous_literal.map(|p| singular(&camel(p))) {
                Some(w) if !w.is_empty() && !w.starts_with(|c: char| c.is_ascii_digit()) => {
                    format!("{w}Id")
                }
                _ => "id".to_string(),
            };
            let mut name = base.clone();
            let mut n = 2;
            while params.iter().any(|(p, _)| *p == name) {
                name = format!("{base}{n}");
                n += 1;
            }
            out.push('{');
            out.push_str(&name);
            out.push('}');
            params.push((name, decoded.into_owned()));
            previous_literal = None;
        } else {
            out.push_str(&seg.replace('{', "%7B").replace('}', "%7D"));
            previous_literal = Some(seg);
        }
    }
    if out.is_empty() {
        out.push('/');
    }
    (out, params)
}

/// `order-items` → `orderItems`; characters other than ASCII letters and digits separate words.
fn camel(s: &str) -> String {
    let decoded = percent_encoding::percent_decode_str(s).decode_utf8_lossy();
    let mut out = String::new();
    for (i, word) in decoded
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .enumerate()
    {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            if i == 0 {
                out.push(first.to_ascii_lowercase());
            } else {
                out.push(first.to_ascii_uppercase());
            }
            out.extend(chars);
        }
    }
    out
}

/// English plural → singular, for the usual REST collection names.
pub fn singular(w: &str) -> String {
    let lower = w.to_ascii_lowercase();
    let cut = |n: usize| w[..w.len() - n].to_string();
    if lower.ends_with("ies") && w.len() > 3 {
        format!("{}y", cut(3))
    } else if lower.ends_with("sses")
        || lower.ends_with("xes")
        || lower.ends_with("ches")
        || lower.ends_with("shes")
        || lower.ends_with("zes")
    {
        cut(2)
    } else if lower.ends_with('s')
        && !lower.ends_with("ss")
        && !lower.ends_with("us")
        && !lower.ends_with("is")
        && w.len() > 1
    {
        cut(1)
    } else {
        w.to_string()
    }
}

fn pascal(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

/// OpenAPI's path item order.
fn method_rank(m: &str) -> usize {
    [
        "GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE",
    ]
    .iter()
    .position(|x| *x == m)
    .unwrap_or(8)
}

/// `GET /users` → `listUsers`, `GET /users/{userId}` → `getUser`, `POST /users` →
/// `createUser`, `GET /users/{userId}/orders` → `listUserOrders`; unique with a number.
fn operation_id(method: &str, template: &str, taken: &mut HashSet<String>) -> String {
    let segs: Vec<&str> = template.split('/').filter(|s| !s.is_empty()).collect();
    let is_param = |s: &str| s.starts_with('{');
    let mut words: Vec<String> = Vec::new();
    for (i, s) in segs.iter().enumerate() {
        if is_param(s) || is_version_prefix(s) {
            continue;
        }
        let w = camel(s);
        if w.is_empty() {
            continue;
        }
        let before_param = segs.get(i + 1).is_some_and(|n| is_param(n));
        words.push(pascal(&if before_param { singular(&w) } else { w }));
    }
    let on_item = segs.last().is_some_and(|s| is_param(s));
    let last_plural = words.last().is_some_and(|w| singular(w) != *w);
    let verb = match method {
        "GET" if !on_item && last_plural => "list",
        "POST" if !on_item && last_plural => {
            if let Some(last) = words.last_mut() {
                *last = singular(last);
            }
            "create"
        }
        "PUT" => "update",
        other => {
            let lower = other.to_ascii_lowercase();
            return unique_id(format!("{lower}{}", joined(&words)), taken);
        }
    };
    unique_id(format!("{verb}{}", joined(&words)), taken)
}

fn joined(words: &[String]) -> String {
    if words.is_empty() {
        "Root".into()
    } else {
        words.concat()
    }
}

fn unique_id(base: String, taken: &mut HashSet<String>) -> String {
    let mut id = base.clone();
    let mut n = 2;
    while taken.contains(&id) {
        id = format!("{base}{n}");
        n += 1;
    }
    taken.insert(id.clone());
    id
}

/// `api`, `v1`, `v2beta`: prefixes that say nothing about the operation.
fn is_version_prefix(s: &str) -> bool {
    let l = s.to_ascii_lowercase();
    l == "api"
        || l == "rest"
        || (l.starts_with('v') && l[1..].starts_with(|c: char| c.is_ascii_digit()))
}

/// The first meaningful literal segment, as the operation's tag.
fn tag(template: &str) -> Option<String> {
    template
        .split('/')
        .find(|s| !s.is_empty() && !s.starts_with('{') && !is_version_prefix(s))
        .map(|s| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        })
}

/// A recorded text value typed: `42` an integer, `1.5` a number, `true` a boolean, else the
/// string. Numbers with leading zeros (`007`) stay strings.
pub fn typed(s: &str) -> Value {
    match s {
        "true" => return Value::Bool(true),
        "false" => return Value::Bool(false),
        _ => {}
    }
    let unsigned = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = match unsigned.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (unsigned, None),
    };
    let plain = |d: &str| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit());
    if !plain(int) || (int.len() > 1 && int.starts_with('0')) {
        return Value::String(s.into());
    }
    match frac {
        None => {
            if let Ok(i) = s.parse::<i64>() {
                return Value::from(i);
            }
            if let Ok(u) = s.parse::<u64>() {
                return Value::from(u);
            }
        }
        Some(f) if plain(f) => {
            if let Some(n) = s.parse::<f64>().ok().and_then(serde_json::Number::from_f64) {
                return Value::Number(n);
            }
        }
        Some(_) => {}
    }
    Value::String(s.into())
}

/// Security schemes found in `Authorization` headers: (name, scheme object).
#[derive(Default)]
struct Schemes(Vec<(String, Value)>);

impl Schemes {
    /// The scheme an `Authorization` value uses, registered on first sight.
    fn of(&mut self, authorization: &str) -> String {
        let kind = authorization
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        let (name, scheme) = match kind.as_str() {
            "bearer" => ("bearerAuth", json!({"type": "http", "scheme": "bearer"})),
            "basic" => ("basicAuth", json!({"type": "http", "scheme": "basic"})),
            _ => (
                "authorizationHeader",
                json!({"type": "apiKey", "in": "header", "name": "Authorization"}),
            ),
        };
        if !self.0.iter().any(|(n, _)| n == name) {
            self.0.push((name.to_string(), scheme));
        }
        name.to_string()
    }
}

fn push_unique(list: &mut Vec<String>, name: &str) {
    if !list.iter().any(|n| n == name) {
        list.push(name.to_string());
    }
}

/// Builds one operation from its calls; returns it and the number of examples.
fn operation(
    method: &str,
    template: &str,
    calls: &[&Exchange],
    operation_ids: &mut HashSet<String>,
    schemes: &mut Schemes,
) -> (Value, usize) {
    // Distinct calls become the examples call1, call2...
    let mut names: Vec<Option<String>> = Vec::with_capacity(calls.len());
    let mut seen: HashSet<String> = HashSet::new();
    for c in calls {
        if seen.insert(c.signature()) {
            names.push(Some(format!("call{}", seen.len())));
        } else {
            names.push(None);
        }
    }
    let named = || {
        calls
            .iter()
            .zip(&names)
            .filter_map(|(c, n)| n.as_ref().map(|n| (*c, n.as_str())))
    };
    let mut op = Map::new();
    if let Some(t) = tag(template) {
        op.insert("tags".into(), json!([t]));
    }
    op.insert(
        "operationId".into(),
        json!(operation_id(method, template, operation_ids)),
    );

    let mut parameters = Vec::new();
    // Path parameters, in template order.
    if let Some(first) = calls.first() {
        for (i, (name, _)) in first.path_params.iter().enumerate() {
            let values: Vec<Value> = calls
                .iter()
                .filter_map(|c| c.path_params.get(i).map(|(_, v)| typed(v)))
                .collect();
            let mut examples = Map::new();
            for (c, n) in named() {
                if let Some((_, v)) = c.path_params.get(i) {
                    examples.insert(n.into(), json!({ "value": typed(v) }));
                }
            }
            parameters.push(json!({
                "name": name,
                "in": "path",
                "required": true,
                "schema": infer(&values.iter().collect::<Vec<_>>()),
                "examples": examples,
            }));
        }
    }
    // Query parameters, in first-seen order.
    let mut query_names: Vec<String> = Vec::new();
    for c in calls {
        for (k, _) in &c.query {
            push_unique(&mut query_names, k);
        }
    }
    for name in &query_names {
        let of = |c: &Exchange| -> Vec<String> {
            c.query
                .iter()
                .filter(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .collect()
        };
        let array = calls.iter().any(|c| of(c).len() > 1);
        let value = |c: &Exchange| -> Option<Value> {
            let vs = of(c);
            match (array, vs.len()) {
                (_, 0) => None,
                (false, _) => Some(typed(&vs[0])),
                (true, _) => Some(Value::Array(vs.iter().map(|v| typed(v)).collect())),
            }
        };
        let values: Vec<Value> = calls.iter().filter_map(|c| value(c)).collect();
        let required = values.len() == calls.len();
        let mut examples = Map::new();
        for (c, n) in named() {
            if let Some(v) = value(c) {
                examples.insert(n.into(), json!({ "value": v }));
            }
        }
        let mut p = json!({
            "name": name,
            "in": "query",
            "required": required,
            "schema": infer(&values.iter().collect::<Vec<_>>()),
        });
        if values.iter().any(|v| v.as_str() == Some("")) {
            p["allowEmptyValue"] = json!(true);
        }
        p["examples"] = Value::Object(examples);
        parameters.push(p);
    }
    // Header parameters, in first-seen order, with one example.
    let mut header_names: Vec<String> = Vec::new();
    for c in calls {
        for (k, _) in &c.request_headers {
            if documented_request_header(k)
                && !header_names.iter().any(|h| h.eq_ignore_ascii_case(k))
            {
                header_names.push(k.clone());
            }
        }
    }
    for name in &header_names {
        let values: Vec<Value> = calls
            .iter()
            .filter_map(|c| Exchange::header(&c.request_headers, name).map(|v| typed(&v)))
            .collect();
        parameters.push(json!({
            "name": name,
            "in": "header",
            "required": false,
            "schema": infer(&values.iter().collect::<Vec<_>>()),
            "example": values[0],
        }));
    }
    if !parameters.is_empty() {
        op.insert("parameters".into(), Value::Array(parameters));
    }

    // Security from Authorization headers.
    let mut required_schemes: Vec<String> = Vec::new();
    let mut anonymous = false;
    for c in calls {
        match Exchange::header(&c.request_headers, "authorization") {
            Some(a) => {
                let s = schemes.of(&a);
                push_unique(&mut required_schemes, &s);
            }
            None => anonymous = true,
        }
    }
    if !required_schemes.is_empty() {
        let mut security: Vec<Value> = required_schemes
            .iter()
            .map(|s| json!({ s.as_str(): [] }))
            .collect();
        if anonymous {
            security.push(json!({}));
        }
        op.insert("security".into(), Value::Array(security));
    }

    // Request body.
    let with_body: Vec<&Exchange> = calls
        .iter()
        .copied()
        .filter(|c| c.request_body.is_some())
        .collect();
    if !with_body.is_empty() {
        let content = content(
            calls
                .iter()
                .zip(&names)
                .filter_map(|(c, n)| c.request_body.as_ref().map(|b| (b, n.as_deref()))),
        );
        op.insert(
            "requestBody".into(),
            json!({
                "required": with_body.len() == calls.len(),
                "content": content,
            }),
        );
    }

    // Responses by status.
    let mut statuses: Vec<u16> = calls.iter().map(|c| c.status).collect();
    statuses.sort_unstable();
    statuses.dedup();
    let mut responses = Map::new();
    for status in statuses {
        let these: Vec<(&Exchange, Option<&str>)> = calls
            .iter()
            .zip(&names)
            .filter(|(c, _)| c.status == status)
            .map(|(c, n)| (*c, n.as_deref()))
            .collect();
        let description = these
            .iter()
            .map(|(c, _)| c.status_text.as_str())
            .find(|t| !t.is_empty())
            .map(str::to_string)
            .or_else(|| reason(status).map(str::to_string))
            .unwrap_or_else(|| format!("Status {status}"));
        let mut response = Map::new();
        response.insert("description".into(), json!(description));
        let mut header_names: Vec<String> = Vec::new();
        for (c, _) in &these {
            for (k, _) in &c.response_headers {
                if documented_response_header(k)
                    && !header_names.iter().any(|h| h.eq_ignore_ascii_case(k))
                {
                    header_names.push(k.clone());
                }
            }
        }
        if !header_names.is_empty() {
            let mut headers = Map::new();
            for name in &header_names {
                let values: Vec<Value> = these
                    .iter()
                    .filter_map(|(c, _)| {
                        Exchange::header(&c.response_headers, name).map(|v| typed(&v))
                    })
                    .collect();
                headers.insert(
                    name.clone(),
                    json!({
                        "schema": infer(&values.iter().collect::<Vec<_>>()),
                        "example": values[0],
                    }),
                );
            }
            response.insert("headers".into(), Value::Object(headers));
        }
        let bodies: Vec<(&Body, Option<&str>)> = these
            .iter()
            .filter_map(|(c, n)| c.response_body.as_ref().map(|b| (b, *n)))
            .collect();
        if !bodies.is_empty() {
            response.insert("content".into(), content(bodies.into_iter()));
        }
        responses.insert(status.to_string(), Value::Object(response));
    }
    op.insert("responses".into(), Value::Object(responses));
    let examples = names.iter().filter(|n| n.is_some()).count();
    (Value::Object(op), examples)
}

/// Media type objects for bodies (request or response), by media type in first-seen order,
/// each with its schema and its named examples.
fn content<'a>(bodies: impl Iterator<Item = (&'a Body, Option<&'a str>)>) -> Value {
    type Named<'b> = Vec<(&'b Body, Option<&'b str>)>;
    let mut by_type: Vec<(&str, Named)> = Vec::new();
    for (b, n) in bodies {
        match by_type.iter_mut().find(|(t, _)| *t == b.media_type) {
            Some((_, list)) => list.push((b, n)),
            None => by_type.push((b.media_type.as_str(), vec![(b, n)])),
        }
    }
    let mut out = Map::new();
    for (media_type, list) in by_type {
        let values: Vec<Value> = list.iter().filter_map(|(b, _)| b.value.example()).collect();
        let structured = list
            .iter()
            .any(|(b, _)| matches!(b.value, BodyValue::Json(_) | BodyValue::Form(_)));
        let schema = if values.is_empty() {
            json!({"type": "string", "format": "binary"})
        } else if structured {
            infer(&values.iter().collect::<Vec<_>>())
        } else {
            json!({"type": "string"})
        };
        let mut media = Map::new();
        media.insert("schema".into(), schema);
        let mut examples = Map::new();
        for (b, n) in &list {
            if let (Some(n), Some(v)) = (n, b.value.example()) {
                examples.insert((*n).to_string(), json!({ "value": v }));
            }
        }
        if !examples.is_empty() {
            media.insert("examples".into(), Value::Object(examples));
        }
        out.insert(media_type.to_string(), Value::Object(media));
    }
    Value::Object(out)
}

fn documented_request_header(name: &str) -> bool {
    let l = name.to_ascii_lowercase();
    !(l.starts_with(':')
        || l.starts_with("sec-")
        || l.starts_with("proxy-")
        || SKIPPED_REQUEST_HEADERS.contains(&l.as_str()))
}

fn documented_response_header(name: &str) -> bool {
    let l = name.to_ascii_lowercase();
    !(l.starts_with(':')
        || l.starts_with("access-control-")
        || l.starts_with("sec-")
        || l.starts_with("cf-")
        || l.starts_with("cross-origin-")
        || SKIPPED_RESPONSE_HEADERS.contains(&l.as_str()))
}

fn reason(status: u16) -> Option<&'static str> {
    Some(match status {
        100 => "Continue",
        101 => "Switching Protocols",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        203 => "Non-Authoritative Information",
        204 => "No Content",
        206 => "Partial Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        409 => "Conflict",
        410 => "Gone",
        412 => "Precondition Failed",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Content",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(path: &str) -> String {
        template(path).0
    }

    #[test]
    fn numeric_and_uuid_segments_become_named_parameters() {
        assert_eq!(t("/users/42"), "/users/{userId}");
        assert_eq!(t("/users/7"), "/users/{userId}");
        assert_eq!(
            template("/users/42/orders/6f1c2a1e-8f7b-4c1a-9d2e-3b4a5c6d7e8f"),
            (
                "/users/{userId}/orders/{orderId}".to_string(),
                vec![
                    ("userId".to_string(), "42".to_string()),
                    (
                        "orderId".to_string(),
                        "6f1c2a1e-8f7b-4c1a-9d2e-3b4a5c6d7e8f".to_string()
                    )
                ]
            )
        );
        assert_eq!(
            t("/categories/3/boxes/5"),
            "/categories/{categoryId}/boxes/{boxId}"
        );
        assert_eq!(t("/order-items/9"), "/order-items/{orderItemId}");
        assert_eq!(
            t("/files/5f2b9c0e7a1d4e3f8a6b2c1d"),
            "/files/{fileId}",
            "long hex"
        );
        assert_eq!(t("/status/address"), "/status/address", "words stay");
        assert_eq!(t("/v1/deadbeef"), "/v1/deadbeef", "short hex stays");
    }

    #[test]
    fn parameters_without_a_name_are_id_and_unique() {
        assert_eq!(t("/42"), "/{id}");
        assert_eq!(t("/pairs/1/2"), "/pairs/{pairId}/{id}");
        assert_eq!(t("/1/2/3"), "/{id}/{id2}/{id3}");
        assert_eq!(t("/users/1/users/2"), "/users/{userId}/users/{userId2}");
    }

    #[test]
    fn slashes_and_odd_literals() {
        assert_eq!(t("/"), "/");
        assert_eq!(t(""), "/");
        assert_eq!(t("/users/"), "/users");
        assert_eq!(t("/a%7Bb%7D"), "/a%7Bb%7D");
        assert_eq!(t("/a{b}"), "/a%7Bb%7D");
    }

    #[test]
    fn singulars() {
        for (p, s) in [
            ("users", "user"),
            ("categories", "category"),
            ("addresses", "address"),
            ("boxes", "box"),
            ("branches", "branch"),
            ("status", "status"),
            ("data", "data"),
            ("s", "s"),
        ] {
            assert_eq!(singular(p), s, "{p}");
        }
    }

    #[test]
    fn operation_ids() {
        let mut taken = HashSet::new();
        let mut id = |m: &str, p: &str| operation_id(m, p, &mut taken);
        assert_eq!(id("GET", "/api/v1/users"), "listUsers");
        assert_eq!(id("POST", "/users"), "createUser");
        assert_eq!(id("GET", "/users/{userId}"), "getUser");
        assert_eq!(id("PUT", "/users/{userId}"), "updateUser");
        assert_eq!(id("DELETE", "/users/{userId}"), "deleteUser");
        assert_eq!(id("GET", "/users/{userId}/orders"), "listUserOrders");
        assert_eq!(id("POST", "/login"), "postLogin");
        assert_eq!(id("GET", "/"), "getRoot");
        assert_eq!(id("GET", "/v2/users"), "listUsers2");
    }

    #[test]
    fn typed_values() {
        assert_eq!(typed("42"), json!(42));
        assert_eq!(typed("-3"), json!(-3));
        assert_eq!(typed("1.5"), json!(1.5));
        assert_eq!(typed("true"), json!(true));
        assert_eq!(typed("007"), json!("007"));
        assert_eq!(typed("1e5"), json!("1e5"));
        assert_eq!(typed("1."), json!("1."));
        assert_eq!(typed(""), json!(""));
        assert_eq!(
            typed("99999999999999999999999"),
            json!("99999999999999999999999")
        );
    }

    #[test]
    fn urls() {
        let u = Url::parse("HTTPS://User:pw@API.Example.com:443/a/b?x=1&y=a%20b&x=2#frag").unwrap();
        assert_eq!(u.scheme, "https");
        assert_eq!(u.host, "api.example.com");
        assert_eq!(u.path, "/a/b");
        assert_eq!(
            u.query,
            vec![
                ("x".to_string(), "1".to_string()),
                ("y".to_string(), "a b".to_string()),
                ("x".to_string(), "2".to_string())
            ]
        );
        let u = Url::parse("http://localhost:8080?q").unwrap();
        assert_eq!((u.host.as_str(), u.path.as_str()), ("localhost:8080", "/"));
        assert!(Url::parse("wss://example.com/socket").is_none());
        assert!(Url::parse("data:image/png;base64,AAAA").is_none());
        assert!(Url::parse("http:///nohost").is_none());
    }

    #[test]
    fn base64() {
        assert_eq!(base64_decode("aGVsbG8=").unwrap(), b"hello");
        assert_eq!(base64_decode("aGVs\nbG8").unwrap(), b"hello");
        assert!(base64_decode("not*base64").is_none());
        // URL-safe `-`/`_` is not what HAR's `encoding: base64` means.
        assert_eq!(base64_decode("+/8=").unwrap(), [0xfb, 0xff]);
        assert!(base64_decode("-_8=").is_none());
    }

    fn entry(method: &str, url: &str, status: u64, body: Value) -> Value {
        json!({
            "request": {"method": method, "url": url, "headers": []},
            "response": {"status": status, "content": body},
        })
    }

    #[test]
    fn errors_name_what_is_wrong() {
        assert!(import(&json!([])).unwrap_err().contains("found an array"));
        assert!(import(&json!({})).unwrap_err().contains("no `log`"));
        assert!(import(&json!({"log": {}}))
            .unwrap_err()
            .contains("no `entries`"));
        assert!(import(&json!({"log": {"entries": 3}}))
            .unwrap_err()
            .contains("should be a list"));
        assert!(import(&json!({"log": {"entries": []}}))
            .unwrap_err()
            .contains("empty"));
        let e = import(&json!({"log": {"entries": [{"request": {}}, {}, 5]}})).unwrap_err();
        assert!(e.contains("3 incomplete"), "{e}");
    }

    #[test]
    fn partial_entries_are_skipped_with_a_warning() {
        let har = json!({"log": {"entries": [
            entry("GET", "https://a.io/x", 200, json!({"mimeType": "application/json", "text": "{\"a\":1}"})),
            {"request": {"method": "GET"}},
            {"request": {"method": "GET", "url": "https://a.io/y"}},
            {"request": {"method": "GET", "url": "https://a.io/z"}, "response": {"status": 200}},
        ]}});
        let i = import(&har).unwrap();
        assert_eq!(i.operations, 2);
        assert_eq!(i.warnings, ["log.entries[1]: no `request.url`; skipped"]);
        assert_eq!(i.skipped, [("incomplete", 1), ("without a response", 1)]);
        // A response without content has no content.
        assert!(i.document["paths"]["/z"]["get"]["responses"]["200"]
            .get("content")
            .is_none());
    }

    #[test]
    fn assets_are_kept_only_when_alone() {
        let png = json!({"mimeType": "image/png", "text": "iVBORw0KGgo=", "encoding": "base64"});
        let har =
            json!({"log": {"entries": [entry("GET", "https://a.io/logo.png", 200, png.clone())]}});
        let i = import(&har).unwrap();
        let c = &i.document["paths"]["/logo.png"]["get"]["responses"]["200"]["content"];
        assert_eq!(
            c["image/png"]["schema"],
            json!({"type": "string", "format": "binary"})
        );
        let har = json!({"log": {"entries": [
            entry("GET", "https://a.io/logo.png", 200, png),
            entry("GET", "https://a.io/app.js", 200, json!({})),
            entry("GET", "https://a.io/api", 204, json!({})),
        ]}});
        let i = import(&har).unwrap();
        assert_eq!(i.skipped, [("static asset", 2)]);
        assert_eq!(i.document["paths"].as_object().unwrap().len(), 1);
    }

    #[test]
    fn the_busiest_host_is_documented() {
        let har = json!({"log": {"entries": [
            entry("GET", "https://cdn.io/a", 200, json!({})),
            entry("GET", "http://api.io/b", 200, json!({})),
            entry("GET", "https://api.io/c", 200, json!({})),
        ]}});
        let i = import(&har).unwrap();
        assert_eq!(
            i.document["servers"],
            json!([{"url": "http://api.io"}, {"url": "https://api.io"}])
        );
        assert_eq!(i.document["info"]["title"], "api.io");
        assert_eq!(i.skipped, [("other host", 1)]);
    }

    #[test]
    fn queries_bodies_and_security() {
        let har = json!({"log": {"entries": [
            {"request": {"method": "GET", "url": "https://a.io/items?page=1&tag=x&tag=y",
                         "headers": [{"name": "X-Tenant", "value": "acme"},
                                     {"name": "Authorization", "value": "Bearer abc"},
                                     {"name": "User-Agent", "value": "curl"}]},
             "response": {"status": 200, "content": {"mimeType": "application/json; charset=utf-8", "text": "[1]"}}},
            {"request": {"method": "GET", "url": "https://a.io/items?page=2&q=",
                         "headers": [{"name": "x-tenant", "value": "acme"}]},
             "response": {"status": 200, "content": {"mimeType": "application/json", "text": "WzJd", "encoding": "base64"}}},
            {"request": {"method": "POST", "url": "https://a.io/login",
                         "headers": [{"name": "Authorization", "value": "Basic dTpw"}],
                         "postData": {"mimeType": "application/x-www-form-urlencoded", "text": "user=ada&pw=a%20b"}},
             "response": {"status": 200, "statusText": "Fine", "content": {"mimeType": "text/plain", "text": "ok"}}},
        ]}});
        let doc = import(&har).unwrap().document;
        let get = &doc["paths"]["/items"]["get"];
        let params = get["parameters"].as_array().unwrap();
        let names: Vec<&str> = params.iter().map(|p| p["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["page", "tag", "q", "X-Tenant"]);
        assert_eq!(params[0]["required"], true);
        assert_eq!(params[0]["schema"], json!({"type": "integer"}));
        assert_eq!(params[0]["examples"]["call2"]["value"], 2);
        assert_eq!(params[1]["required"], false);
        assert_eq!(params[1]["schema"]["type"], "array");
        assert_eq!(params[1]["examples"]["call1"]["value"], json!(["x", "y"]));
        assert_eq!(params[2]["allowEmptyValue"], true);
        assert_eq!(params[3]["example"], "acme");
        assert_eq!(get["security"], json!([{"bearerAuth": []}, {}]));
        let ok = &get["responses"]["200"];
        assert_eq!(ok["description"], "OK");
        assert_eq!(
            ok["content"]["application/json"]["examples"]["call2"]["value"],
            json!([2])
        );
        let post = &doc["paths"]["/login"]["post"];
        assert_eq!(post["security"], json!([{"basicAuth": []}]));
        let form = &post["requestBody"]["content"]["application/x-www-form-urlencoded"];
        assert_eq!(
            form["examples"]["call1"]["value"],
            json!({"user": "ada", "pw": "a b"})
        );
        assert_eq!(
            form["schema"]["properties"]["pw"],
            json!({"type": "string"})
        );
        assert_eq!(post["requestBody"]["required"], true);
        assert_eq!(post["responses"]["200"]["description"], "Fine");
        assert_eq!(
            post["responses"]["200"]["content"]["text/plain"],
            json!({"schema": {"type": "string"}, "examples": {"call1": {"value": "ok"}}})
        );
        assert_eq!(
            doc["components"]["securitySchemes"],
            json!({"bearerAuth": {"type": "http", "scheme": "bearer"},
                   "basicAuth": {"type": "http", "scheme": "basic"}})
        );
    }

    #[test]
    fn odd_shapes_never_panic() {
        let odd = [
            json!(null),
            json!("x"),
            json!({"request": null, "response": null}),
            json!({"request": {"method": 5, "url": "https://a.io/"}}),
            json!({"request": {"method": "GET", "url": "https://a.io/é/2024-é1-15", "headers": "x",
                               "postData": {"mimeType": 7, "text": ["x"], "params": [{"name": 1}]}},
                   "response": {"status": "200", "content": {"text": 5}}}),
            json!({"request": {"method": "CONNECT", "url": "https://a.io:443"}, "response": {"status": 200}}),
            json!({"request": {"method": "get", "url": "https://a.io/x?%ZZ=%&a"},
                   "response": {"status": 200, "headers": [{"name": "X-A"}, {"value": "v"}, 3],
                                "content": {"mimeType": "application/json", "text": "!!", "encoding": "base64"}}}),
            json!({"request": {"method": "POST", "url": "https://a.io/u", "headers": [],
                               "postData": {"mimeType": "multipart/form-data; boundary=x",
                                            "params": [{"name": "f", "fileName": "a.txt"}, {"name": "n", "value": "1"}]}},
                   "response": {"status": 999}}),
            json!({"request": {"method": "POST", "url": "https://a.io/u", "headers": [],
                               "postData": {"mimeType": "multipart/form-data; boundary=x",
                                            "params": [{"name": "f", "fileName": "a.txt"}]}},
                   "response": {"status": 204, "content": {"mimeType": "", "text": "not json"}}}),
        ];
        let i = import(&json!({"log": {"entries": odd}})).unwrap();
        assert_eq!(i.operations, 3, "{:#}", i.document);
        let form =
            &i.document["paths"]["/u"]["post"]["requestBody"]["content"]["multipart/form-data"];
        assert_eq!(form["examples"]["call1"]["value"], json!({"f": "a.txt"}));
        let text = &i.document["paths"]["/u"]["post"]["responses"]["204"]["content"]["text/plain"];
        assert_eq!(text["examples"]["call1"]["value"], "not json");
    }

    #[test]
    fn duplicate_calls_make_one_example() {
        let body = json!({"mimeType": "application/json", "text": "{\"id\":1}"});
        let har = json!({"log": {"entries": [
            entry("GET", "https://a.io/things/1", 200, body.clone()),
            entry("GET", "https://a.io/things/1", 200, body.clone()),
            entry("GET", "https://a.io/things/2", 404, json!({})),
        ]}});
        let i = import(&har).unwrap();
        assert_eq!((i.exchanges, i.examples), (3, 2));
        let op = &i.document["paths"]["/things/{thingId}"]["get"];
        assert_eq!(
            op["parameters"][0]["examples"],
            json!({"call1": {"value": 1}, "call2": {"value": 2}})
        );
        assert_eq!(op["responses"]["404"], json!({"description": "Not Found"}));
    }
}

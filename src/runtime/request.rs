//! The request as every step reads it: the parts hyper parsed, borrowed, plus what is derived
//! from them on first use and kept (the body as a value, the decoded query pairs). Nothing is
//! parsed that no step asks for, and nothing is parsed twice.

use crate::model::Method;
use http::header::HeaderMap;
use serde_json::Value;
use std::cell::OnceCell;

/// One request, read once.
pub struct Request<'a> {
    pub method: Method,
    /// The raw path, still percent-encoded.
    pub path: &'a str,
    /// The raw query string, without `?` (never `Some("")`).
    pub query: Option<&'a str>,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
    /// The body as JSON text, parsed on first use: validation, scenario matching and templates
    /// all read this one value. `Err` holds why it is not JSON, in validation's words.
    json: OnceCell<Result<Value, String>>,
    /// The body as scenario conditions and templates see it: JSON, or a form as an object of
    /// strings; `None` for any other body.
    value: OnceCell<Option<Value>>,
    /// The decoded query pairs, in order.
    pairs: OnceCell<Vec<(String, String)>>,
}

impl<'a> Request<'a> {
    pub fn new(
        method: Method,
        path: &'a str,
        query: Option<&'a str>,
        headers: &'a HeaderMap,
        body: &'a [u8],
    ) -> Request<'a> {
        Request {
            method,
            path,
            query: query.filter(|q| !q.is_empty()),
            headers,
            body,
            json: OnceCell::new(),
            value: OnceCell::new(),
            pairs: OnceCell::new(),
        }
    }

    /// A header's value, when it is text.
    pub fn header(&self, name: impl http::header::AsHeaderName) -> Option<&'a str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn accept(&self) -> Option<&'a str> {
        self.header(http::header::ACCEPT)
    }

    pub fn content_type(&self) -> Option<&'a str> {
        self.header(http::header::CONTENT_TYPE)
    }

    /// The body parsed as JSON (a leading byte-order mark allowed), once.
    pub fn json(&self) -> &Result<Value, String> {
        self.json
            .get_or_init(|| crate::validate::parse_json_body(self.body))
    }

    /// The body as a value, for scenario conditions and templates: a form body
    /// (`application/x-www-form-urlencoded`) as an object of strings, anything else as JSON
    /// when it is JSON. Parsed once.
    pub fn body_value(&self) -> Option<&Value> {
        self.value
            .get_or_init(|| {
                if self.body.is_empty() {
                    return None;
                }
                let form = self.content_type().is_some_and(|ct| {
                    let (kind, sub) = crate::media::essence(ct);
                    kind == "application" && sub == "x-www-form-urlencoded"
                });
                if form {
                    let m: serde_json::Map<String, Value> = form_urlencoded::parse(self.body)
                        .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
                        .collect();
                    return Some(Value::Object(m));
                }
                None
            })
            .as_ref()
            .or_else(|| self.json().as_ref().ok())
    }

    /// The query's pairs, percent-decoded, in order.
    pub fn query_pairs(&self) -> &[(String, String)] {
        self.pairs.get_or_init(|| {
            self.query
                .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
                .unwrap_or_default()
        })
    }
}

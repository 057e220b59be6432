//! The request as every step reads it: the parts hyper parsed, borrowed, plus what is derived
//! from them on first use and kept (the body as a value, the decoded query pairs). Nothing is
//! parsed that no step asks for, and nothing is parsed twice.

use crate::model::Method;
use crate::schema::lean::{self, Lean, Unparsed};
use http::header::HeaderMap;
use serde_json::Value;
use std::borrow::Cow;
use std::cell::OnceCell;

/// One request, read once.
pub struct Request<'a> {
    pub method: Method,
    /// The raw path, still percent-encoded.
    pub path: &'a str,
    /// The raw query string, without `?` (never `Some("")`): the request's own, or what is
    /// left of it once the mock's own parameters are taken out ([`Request::with_query`]).
    query: Option<Cow<'a, str>>,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
    /// The body as JSON text, parsed on first use: validation, scenario matching and templates
    /// all read this one value. `Err` holds why it is not JSON, in validation's words.
    json: OnceCell<Result<Value, String>>,
    /// The body as validation reads a JSON body ([`Lean`]), parsed on first use. When it is
    /// there, [`Request::json`] is made from it rather than from the text again.
    lean: OnceCell<Result<Lean<'a>, Unparsed>>,
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
            query: query.filter(|q| !q.is_empty()).map(Cow::Borrowed),
            headers,
            body,
            json: OnceCell::new(),
            lean: OnceCell::new(),
            value: OnceCell::new(),
            pairs: OnceCell::new(),
        }
    }

    /// The same request with another query string (nothing parsed yet).
    pub fn with_query(&self, query: String) -> Request<'a> {
        let mut req = Request::new(self.method, self.path, None, self.headers, self.body);
        req.query = (!query.is_empty()).then_some(Cow::Owned(query));
        req
    }

    /// The raw query string, without `?` (never `Some("")`).
    pub fn query(&self) -> Option<&str> {
        self.query.as_deref()
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
        self.json.get_or_init(|| match self.lean.get() {
            Some(Ok(lean)) => Ok(lean.to_value()),
            Some(Err(Unparsed::Syntax(message))) => Err(message.clone()),
            Some(Err(Unparsed::Wide)) | None => crate::validate::parse_json_body(self.body),
        })
    }

    /// The body parsed as JSON for validation (see [`crate::schema::lean`]), once.
    pub fn lean(&self) -> &Result<Lean<'a>, Unparsed> {
        self.lean.get_or_init(|| lean::parse(self.body))
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
            self.query()
                .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
                .unwrap_or_default()
        })
    }
}

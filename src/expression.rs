//! OpenAPI runtime expressions (the Callback Object's keys, Link values): `$url`, `$method`,
//! `$statusCode`, `$request.header.X-Hook`, `$request.query.url`, `$request.path.id`,
//! `$request.body#/callbackUrl`, `$response.header.Location`, `$response.body#/id`, and strings
//! that embed them in braces (`http://{$request.header.host}/hooks?id={$response.body#/id}`).
//!
//! The grammar, from the specification (3.0.3 to 3.2):
//!
//! ```text
//! expression = "$url" / "$method" / "$statusCode" / "$request." source / "$response." source
//! source     = header-reference / query-reference / path-reference / body-reference
//! header-reference = "header." token
//! query-reference  = "query." name
//! path-reference   = "path." name
//! body-reference   = "body" ["#" json-pointer]
//! ```
//!
//! Parsed once, at load ([`UrlTemplate::parse`]); evaluated per exchange against an
//! [`Exchange`], which borrows what the request and the answer already hold. Nothing here
//! knows HTTP servers or the model: it is a leaf that `compile` and `runtime` use.

use http::header::{HeaderMap, HeaderName, HeaderValue};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::Value;
use std::fmt;

/// The longest expression string read (a callback key is a line of a document, not a book).
pub const MAX_LEN: usize = 4096;

/// One runtime expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expression {
    /// `$url`: the request's full URL.
    Url,
    /// `$method`: the request's method.
    Method,
    /// `$statusCode`: the status the mock answered with.
    StatusCode,
    /// `$request.…`
    Request(Source),
    /// `$response.…`
    Response(Source),
}

/// Where in the request or the response a value is read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A header (case-insensitive, as HTTP header names are).
    Header(HeaderName),
    /// A query parameter (the request's only; a response has none).
    Query(String),
    /// A path parameter (the request's only).
    Path(String),
    /// The body, or the value at a JSON pointer in it (`""` for the whole body).
    Body(String),
}

impl fmt::Display for Expression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (side, source) = match self {
            Expression::Url => return f.write_str("$url"),
            Expression::Method => return f.write_str("$method"),
            Expression::StatusCode => return f.write_str("$statusCode"),
            Expression::Request(s) => ("request", s),
            Expression::Response(s) => ("response", s),
        };
        match source {
            Source::Header(h) => write!(f, "${side}.header.{h}"),
            Source::Query(n) => write!(f, "${side}.query.{n}"),
            Source::Path(n) => write!(f, "${side}.path.{n}"),
            Source::Body(p) if p.is_empty() => write!(f, "${side}.body"),
            Source::Body(p) => write!(f, "${side}.body#{p}"),
        }
    }
}

impl Expression {
    /// Parses one expression (`$request.body#/url`), the leading `$` included.
    pub fn parse(text: &str) -> Result<Expression, String> {
        let shown = excerpt(text);
        match text {
            "$url" => return Ok(Expression::Url),
            "$method" => return Ok(Expression::Method),
            "$statusCode" => return Ok(Expression::StatusCode),
            _ => {}
        }
        let (side, rest) = if let Some(rest) = text.strip_prefix("$request.") {
            ("request", rest)
        } else if let Some(rest) = text.strip_prefix("$response.") {
            ("response", rest)
        } else {
            return Err(format!(
                "`{shown}` is not a runtime expression: expected $url, $method, $statusCode, \
                 $request.… or $response.…"
            ));
        };
        let source = if let Some(name) = rest.strip_prefix("header.") {
            // token = 1*tchar (RFC 9110), which is what a header name is.
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| format!("`{shown}`: `{}` is not a header name", excerpt(name)))?;
            Source::Header(name)
        } else if let Some(name) = rest.strip_prefix("query.") {
            Source::Query(non_empty(name, &shown)?)
        } else if let Some(name) = rest.strip_prefix("path.") {
            Source::Path(non_empty(name, &shown)?)
        } else if rest == "body" {
            Source::Body(String::new())
        } else if let Some(pointer) = rest.strip_prefix("body#") {
            if !pointer.is_empty() && !pointer.starts_with('/') {
                return Err(format!(
                    "`{shown}`: expected a JSON pointer after `#` (like #/callbackUrl)"
                ));
            }
            if let Some(bad) = bad_escape(pointer) {
                return Err(format!(
                    "`{shown}`: `~` must be followed by 0 or 1 in a JSON pointer, found `~{bad}`"
                ));
            }
            Source::Body(pointer.to_string())
        } else {
            return Err(format!(
                "`{shown}`: expected header.NAME, query.NAME, path.NAME, body or body#/pointer \
                 after `${side}.`"
            ));
        };
        match (side, &source) {
            ("response", Source::Query(_) | Source::Path(_)) => Err(format!(
                "`{shown}`: a response has no query or path parameters"
            )),
            ("request", _) => Ok(Expression::Request(source)),
            _ => Ok(Expression::Response(source)),
        }
    }

    /// The value this expression names in `ex`, or why there is none.
    pub fn evaluate(&self, ex: &Exchange) -> Result<Value, String> {
        let missing = |what: String| Err(format!("{self}: {what}"));
        match self {
            Expression::Url => Ok(Value::String(ex.url.to_string())),
            Expression::Method => Ok(Value::String(ex.method.to_string())),
            Expression::StatusCode => Ok(Value::from(ex.status)),
            Expression::Request(Source::Header(h)) => match header_text(ex.request_headers, h) {
                Some(v) => Ok(Value::String(v)),
                None => missing(format!("the request has no {h} header")),
            },
            Expression::Request(Source::Query(n)) => match ex.query.iter().find(|(k, _)| k == n) {
                Some((_, v)) => Ok(Value::String(v.clone())),
                None => missing(format!("the request has no query parameter {n}")),
            },
            Expression::Request(Source::Path(n)) => {
                match ex.path_params.iter().find(|(k, _)| k == n) {
                    Some((_, v)) => Ok(Value::String(v.clone())),
                    None => missing(format!("the request has no path parameter {n}")),
                }
            }
            Expression::Request(Source::Body(p)) => match ex.request_body {
                None => missing("the request body is not JSON (or there is none)".into()),
                Some(body) => match body.pointer(p) {
                    Some(v) => Ok(v.clone()),
                    None => missing(format!("the request body has nothing at {p}")),
                },
            },
            Expression::Response(Source::Header(h)) => {
                let values: Vec<&str> = ex
                    .response_headers
                    .iter()
                    .filter(|(k, _)| k == h)
                    .filter_map(|(_, v)| v.to_str().ok())
                    .collect();
                if values.is_empty() {
                    return missing(format!("the response has no {h} header"));
                }
                Ok(Value::String(values.join(", ")))
            }
            Expression::Response(Source::Body(p)) => match ex.response_body {
                None => missing("the response body is not JSON (or there is none)".into()),
                Some(body) => match body.pointer(p) {
                    Some(v) => Ok(v.clone()),
                    None => missing(format!("the response body has nothing at {p}")),
                },
            },
            // Refused by `parse`.
            Expression::Response(_) => missing("a response has no such part".into()),
        }
    }

    /// Whether evaluating needs the request's body parsed.
    pub fn reads_request_body(&self) -> bool {
        matches!(self, Expression::Request(Source::Body(_)))
    }

    /// Whether evaluating needs the response's body parsed.
    pub fn reads_response_body(&self) -> bool {
        matches!(self, Expression::Response(Source::Body(_)))
    }
}

/// What an expression can read: the request that triggered a callback and the answer the mock
/// gave it. Everything is borrowed; bodies are parsed by the caller, once, and only when some
/// expression reads them.
#[derive(Clone, Copy, Debug)]
pub struct Exchange<'a> {
    /// The request's full URL (`http://localhost:4010/orders?x=1`).
    pub url: &'a str,
    pub method: &'a str,
    pub status: u16,
    pub request_headers: &'a HeaderMap,
    /// The query's pairs, decoded.
    pub query: &'a [(String, String)],
    /// The path parameters, decoded.
    pub path_params: &'a [(String, String)],
    pub request_body: Option<&'a Value>,
    pub response_headers: &'a [(HeaderName, HeaderValue)],
    pub response_body: Option<&'a Value>,
}

/// A string with runtime expressions in braces, as a callback's key is written
/// (`{$request.body#/callbackUrl}`, `http://{$request.header.host}/cb?id={$response.body#/id}`),
/// parsed once. A key that is one bare expression (`$request.query.url`) is read as if it were
/// in braces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UrlTemplate {
    parts: Vec<Part>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Literal(String),
    Expr(Expression),
}

/// What is percent-encoded in a value put inside a URL (not at its start): everything but the
/// unreserved characters, so a value stays one path segment or one query value.
const IN_URL: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

impl UrlTemplate {
    pub fn parse(text: &str) -> Result<UrlTemplate, String> {
        if text.len() > MAX_LEN {
            return Err(format!(
                "the expression is {} bytes long; at most {MAX_LEN} are read",
                text.len()
            ));
        }
        let trimmed = text.trim();
        if trimmed.starts_with('$') {
            return Ok(UrlTemplate {
                parts: vec![Part::Expr(Expression::parse(trimmed)?)],
            });
        }
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                parts.push(Part::Literal(rest[..open].to_string()));
            }
            let after = &rest[open + 1..];
            let Some(close) = after.find('}') else {
                return Err(format!("`{}`: a `{{` is never closed", excerpt(text)));
            };
            parts.push(Part::Expr(Expression::parse(after[..close].trim())?));
            rest = &after[close + 1..];
        }
        if rest.contains('}') {
            return Err(format!("`{}`: a `}}` without its `{{`", excerpt(text)));
        }
        if !rest.is_empty() {
            parts.push(Part::Literal(rest.to_string()));
        }
        Ok(UrlTemplate { parts })
    }

    /// The expressions it holds, in order.
    pub fn expressions(&self) -> impl Iterator<Item = &Expression> {
        self.parts.iter().filter_map(|p| match p {
            Part::Expr(e) => Some(e),
            Part::Literal(_) => None,
        })
    }

    /// The one expression this template is, when it is nothing else (`{$response.body#/id}`).
    pub fn single(&self) -> Option<&Expression> {
        match self.parts.as_slice() {
            [Part::Expr(e)] => Some(e),
            _ => None,
        }
    }

    /// The text for one exchange, values put in as they are (for text in a body, not a URL).
    pub fn render_plain(&self, ex: &Exchange) -> Result<String, String> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Literal(l) => out.push_str(l),
                Part::Expr(e) => match e.evaluate(ex)? {
                    Value::String(s) => out.push_str(&s),
                    other => out.push_str(&other.to_string()),
                },
            }
        }
        Ok(out)
    }

    /// The URL for one exchange. A value at the very start or in the host is taken as it is
    /// (it gives the scheme and host: `{$request.body#/callbackUrl}`,
    /// `http://{$request.header.host}/…`); a value in the path or the query is
    /// percent-encoded, so it stays one segment or one query value. A string is its text, any
    /// other JSON value its JSON text.
    pub fn render(&self, ex: &Exchange) -> Result<String, String> {
        let mut out = String::new();
        for (i, part) in self.parts.iter().enumerate() {
            match part {
                Part::Literal(l) => out.push_str(l),
                Part::Expr(e) => {
                    let value = e.evaluate(ex)?;
                    let text = match &value {
                        Value::String(s) => s.clone(),
                        Value::Null => {
                            return Err(format!("{e}: the value is null"));
                        }
                        other => other.to_string(),
                    };
                    // At the start, or in the host (`http://{$request.header.host}/…`), a
                    // value is part of the address: taken as it is.
                    let in_authority = i == 0
                        || out
                            .find("://")
                            .is_some_and(|k| !out[k + 3..].contains(['/', '?', '#']));
                    if in_authority {
                        out.push_str(&text);
                    } else {
                        out.extend(utf8_percent_encode(&text, IN_URL));
                    }
                }
            }
            if out.len() > MAX_LEN * 2 {
                return Err(format!("the URL is longer than {} bytes", MAX_LEN * 2));
            }
        }
        Ok(out)
    }
}

impl fmt::Display for UrlTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for p in &self.parts {
            match p {
                Part::Literal(l) => f.write_str(l)?,
                Part::Expr(e) => write!(f, "{{{e}}}")?,
            }
        }
        Ok(())
    }
}

/// A header's values as text, repeated ones joined with `, `.
fn header_text(headers: &HeaderMap, name: &HeaderName) -> Option<String> {
    let values: Vec<&str> = headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    (!values.is_empty()).then(|| values.join(", "))
}

fn non_empty(name: &str, shown: &str) -> Result<String, String> {
    if name.is_empty() {
        return Err(format!("`{shown}` needs a name after the dot"));
    }
    Ok(name.to_string())
}

/// The character after a `~` that is not `0` or `1`, if any.
fn bad_escape(pointer: &str) -> Option<String> {
    let mut chars = pointer.chars();
    while let Some(c) = chars.next() {
        if c == '~' {
            match chars.next() {
                Some('0' | '1') => {}
                Some(other) => return Some(other.to_string()),
                None => return Some(String::new()),
            }
        }
    }
    None
}

/// At most 80 characters of `s`, for messages.
fn excerpt(s: &str) -> String {
    let mut out: String = s.chars().take(80).collect();
    if s.chars().count() > 80 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn exchange<'a>(
        headers: &'a HeaderMap,
        query: &'a [(String, String)],
        path: &'a [(String, String)],
        req: Option<&'a Value>,
        resp_headers: &'a [(HeaderName, HeaderValue)],
        resp: Option<&'a Value>,
    ) -> Exchange<'a> {
        Exchange {
            url: "http://localhost:4010/orders?x=1",
            method: "POST",
            status: 201,
            request_headers: headers,
            query,
            path_params: path,
            request_body: req,
            response_headers: resp_headers,
            response_body: resp,
        }
    }

    #[test]
    fn parses_the_whole_grammar() {
        for text in [
            "$url",
            "$method",
            "$statusCode",
            "$request.header.X-Hook",
            "$request.query.url",
            "$request.path.id",
            "$request.body",
            "$request.body#/callbackUrl",
            "$request.body#/a~1b/0",
            "$response.header.Location",
            "$response.body#/id",
        ] {
            let e = Expression::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            // Header names are shown in lower case.
            assert_eq!(e.to_string().to_lowercase(), text.to_lowercase());
        }
        for bad in [
            "",
            "$",
            "url",
            "$URL",
            "$request",
            "$request.",
            "$request.cookie.a",
            "$request.query.",
            "$request.header.bad header",
            "$request.body#x",
            "$request.body#/a~2",
            "$response.query.x",
            "$response.path.x",
        ] {
            assert!(Expression::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn templates_embed_expressions() {
        let t =
            UrlTemplate::parse("http://{$request.header.host}/cb/{$response.body#/id}?m={$method}")
                .unwrap();
        assert_eq!(t.expressions().count(), 3);
        assert!(UrlTemplate::parse("{$request.body#/url").is_err());
        assert!(UrlTemplate::parse("http://x/}").is_err());
        assert!(UrlTemplate::parse("{$nope}").is_err());
        assert_eq!(
            UrlTemplate::parse("$request.query.url").unwrap(),
            UrlTemplate::parse("{$request.query.url}").unwrap()
        );
        assert!(UrlTemplate::parse(&"x".repeat(MAX_LEN + 1)).is_err());
    }

    #[test]
    fn evaluates_against_an_exchange() {
        let mut headers = HeaderMap::new();
        headers.insert("x-hook", HeaderValue::from_static("http://127.0.0.1:9/h"));
        headers.insert("host", HeaderValue::from_static("localhost:4010"));
        let query = vec![("url".to_string(), "http://10.0.0.1/q".to_string())];
        let path = vec![("id".to_string(), "a b".to_string())];
        let req = json!({"callbackUrl": "http://127.0.0.1:1/cb", "n": 7});
        let resp_headers = vec![(
            HeaderName::from_static("location"),
            HeaderValue::from_static("/orders/9"),
        )];
        let resp = json!({"id": "ord/9", "n": 3});
        let ex = exchange(
            &headers,
            &query,
            &path,
            Some(&req),
            &resp_headers,
            Some(&resp),
        );
        let render = |t: &str| UrlTemplate::parse(t).unwrap().render(&ex);
        assert_eq!(
            render("{$request.body#/callbackUrl}").unwrap(),
            "http://127.0.0.1:1/cb"
        );
        assert_eq!(
            render("{$request.header.X-Hook}").unwrap(),
            "http://127.0.0.1:9/h"
        );
        assert_eq!(render("$request.query.url").unwrap(), "http://10.0.0.1/q");
        assert_eq!(
            render("http://{$request.header.host}/cb/{$response.body#/id}?p={$request.path.id}&s={$statusCode}&m={$method}&n={$request.body#/n}")
                .unwrap(),
            "http://localhost:4010/cb/ord%2F9?p=a%20b&s=201&m=POST&n=7"
        );
        assert_eq!(
            render("{$url}").unwrap(),
            "http://localhost:4010/orders?x=1"
        );
        assert_eq!(render("{$response.header.location}").unwrap(), "/orders/9");
        let e = render("{$request.body#/nope}").unwrap_err();
        assert!(
            e.contains("$request.body#/nope") && e.contains("nothing at /nope"),
            "{e}"
        );
        assert!(render("{$request.header.x-none}").is_err());
        assert!(render("{$request.query.none}").is_err());
        let no_bodies = exchange(&headers, &query, &path, None, &resp_headers, None);
        assert!(UrlTemplate::parse("{$response.body#/id}")
            .unwrap()
            .render(&no_bodies)
            .unwrap_err()
            .contains("not JSON"));
    }
}

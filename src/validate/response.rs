//! A response against its operation's documented responses: what `stubborn proxy` checks of
//! every answer the upstream gives. The status must be documented (exactly, by range such as
//! `2XX`, or by `default`); the documented headers must be there when required and match their
//! schemas; a body must come in a documented media type; a JSON body must match its schema, as
//! the response-side validator reads it (`readOnly` allowed, `writeOnly` not).
//!
//! Like the request side, violations are collected (at most [`MAX_VIOLATIONS`] described, the
//! rest counted), never short-circuited, and everything used here is compiled at load.

use super::{body, schema_violations_on, Place, Violation, MAX_VIOLATIONS};
use crate::model::{Operation, Response, StatusKey};
use crate::schema::{Direction, SchemaStore};
use http::HeaderMap;
use serde_json::Value;

/// A response as the proxy read it.
pub struct ResponseParts<'a> {
    pub status: u16,
    pub headers: &'a HeaderMap,
    /// The whole body; `None` when it was not read (longer than `--max-body`, streamed on):
    /// then only its media type is checked.
    pub body: Option<&'a [u8]>,
}

/// The violations of a response to `op` (at most [`MAX_VIOLATIONS`]) and how many there were
/// in all.
pub fn validate_response(
    store: &SchemaStore,
    op: &Operation,
    res: &ResponseParts,
) -> (Vec<Violation>, usize) {
    let mut out = Vec::new();
    let Some(documented) = documented_response(op, res.status) else {
        let mut listed: Vec<String> = op.responses.iter().map(|r| key_text(r.status)).collect();
        listed.dedup();
        out.push(Violation::new(
            Place::Status,
            res.status.to_string(),
            "status",
            format!(
                "{} is not a documented status of {} {}; documented: {}",
                res.status,
                op.method,
                op.path,
                if listed.is_empty() {
                    "none".to_string()
                } else {
                    listed.join(", ")
                }
            ),
        ));
        return (out, 1);
    };
    let mut dropped = headers(store, documented, res.headers, &mut out);
    dropped += content(store, documented, res, &mut out);
    let total = out.len() + dropped;
    (out, total)
}

/// The response documented for `status`: its own code, else its range (`4XX`), else `default`.
pub fn documented_response(op: &Operation, status: u16) -> Option<&Response> {
    let by = |key: StatusKey| op.responses.iter().find(|r| r.status == key);
    by(StatusKey::Code(status))
        .or_else(|| {
            u8::try_from(status / 100)
                .ok()
                .and_then(|r| by(StatusKey::Range(r)))
        })
        .or_else(|| by(StatusKey::Default))
}

fn key_text(key: StatusKey) -> String {
    match key {
        StatusKey::Code(c) => c.to_string(),
        StatusKey::Range(r) => format!("{r}XX"),
        StatusKey::Default => "default".to_string(),
    }
}

/// Documented headers: present when required, and matching their schema. A header value is
/// text; it is judged as the text, or as the number or boolean it spells when the text fails.
fn headers(
    store: &SchemaStore,
    documented: &Response,
    headers: &HeaderMap,
    out: &mut Vec<Violation>,
) -> usize {
    let mut dropped = 0;
    for h in &documented.headers {
        // OpenAPI: a `Content-Type` response header definition is ignored.
        if h.name.eq_ignore_ascii_case("content-type") {
            continue;
        }
        let Some(value) = headers.get(h.name.as_str()) else {
            if h.required {
                push(
                    out,
                    &mut dropped,
                    Violation::new(
                        Place::Header,
                        h.name.as_str(),
                        "required",
                        format!("the response header {} is required", h.name),
                    ),
                );
            }
            continue;
        };
        let Some(schema) = h.schema else { continue };
        let judge = |value: &Value, found: &mut Vec<Violation>| {
            let lost = schema_violations_on(
                store,
                schema,
                value,
                Place::Header,
                &h.name,
                found,
                Direction::Response,
            );
            (found.is_empty() && lost == 0, lost)
        };
        let text = String::from_utf8_lossy(value.as_bytes()).into_owned();
        let mut found = Vec::new();
        let (valid, mut lost) = judge(&Value::String(text.clone()), &mut found);
        if valid {
            continue;
        }
        let typed = serde_json::from_str::<Value>(text.trim())
            .ok()
            .filter(|v| v.is_number() || v.is_boolean());
        if let Some(typed) = typed {
            let mut again = Vec::new();
            let (valid, lost_again) = judge(&typed, &mut again);
            if valid {
                continue;
            }
            found = again;
            lost = lost_again;
        }
        for v in found {
            push(out, &mut dropped, v);
        }
        dropped += lost;
    }
    dropped
}

/// The body: a documented media type, and a JSON body that matches its schema.
fn content(
    store: &SchemaStore,
    documented: &Response,
    res: &ResponseParts,
    out: &mut Vec<Violation>,
) -> usize {
    let mut dropped = 0;
    let empty = res.body.is_some_and(<[u8]>::is_empty);
    if empty {
        return 0;
    }
    let content_type = res
        .headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    if documented.content.is_empty() {
        let size = res
            .body
            .map_or("a body".to_string(), |b| format!("{} bytes", b.len()));
        push(
            out,
            &mut dropped,
            Violation::new(
                Place::Body,
                "",
                "content",
                format!(
                    "the {} response documents no body, but {size} came",
                    res.status
                ),
            ),
        );
        return dropped;
    }
    let accepted: Vec<&str> = documented
        .content
        .iter()
        .map(|m| m.media_type.as_str())
        .collect();
    let Some(ct) = content_type else {
        push(
            out,
            &mut dropped,
            Violation::new(
                Place::Header,
                "Content-Type",
                "contentType",
                format!(
                    "Content-Type is missing; the {} response is documented as {}",
                    res.status,
                    accepted.join(", ")
                ),
            ),
        );
        return dropped;
    };
    let Some(i) = body::pick_media(&documented.content, ct) else {
        push(
            out,
            &mut dropped,
            Violation::new(
                Place::Header,
                "Content-Type",
                "contentType",
                format!(
                    "{} is not documented for the {} response; documented: {}",
                    ct.chars().take(100).collect::<String>(),
                    res.status,
                    accepted.join(", ")
                ),
            ),
        );
        return dropped;
    };
    let media = &documented.content[i];
    let (Some(bytes), Some(schema)) = (res.body, media.schema) else {
        return dropped;
    };
    if !body::reads_as_json(media, ct) {
        return dropped;
    }
    match body::parse_json_body(bytes) {
        Err(message) => push(out, &mut dropped, body::unreadable(&message)),
        Ok(value) => {
            dropped += schema_violations_on(
                store,
                schema,
                &value,
                Place::Body,
                "",
                out,
                Direction::Response,
            );
        }
    }
    dropped
}

fn push(out: &mut Vec<Violation>, dropped: &mut usize, v: Violation) {
    if out.len() >= MAX_VIOLATIONS {
        *dropped += 1;
    } else {
        out.push(v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"
openapi: 3.1.0
info: {title: t, version: '1'}
paths:
  /things:
    get:
      responses:
        '200':
          description: ok
          headers:
            x-count: {required: true, schema: {type: integer, minimum: 0}}
            x-mode: {schema: {type: string, enum: [a, b]}}
          content:
            application/json:
              schema:
                type: object
                required: [id]
                properties:
                  id: {type: integer, readOnly: true}
                  secret: {type: string, writeOnly: true}
        4XX:
          description: client error
          content:
            application/problem+json:
              schema: {type: object, required: [title]}
        default:
          description: other
        '204':
          description: nothing
"#;

    fn check(status: u16, headers: &[(&str, &str)], body: Option<&str>) -> Vec<String> {
        let api = crate::load::load_str("t.yaml", DOC).unwrap();
        let mut map = HeaderMap::new();
        for (n, v) in headers {
            map.insert(
                http::HeaderName::from_bytes(n.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        let (found, total) = validate_response(
            &api.schemas,
            &api.operations[0],
            &ResponseParts {
                status,
                headers: &map,
                body: body.map(str::as_bytes),
            },
        );
        assert_eq!(found.len(), total);
        found.iter().map(Violation::line).collect()
    }

    const JSON: (&str, &str) = ("content-type", "application/json");

    #[test]
    fn a_valid_answer_has_no_violations() {
        assert!(check(200, &[JSON, ("x-count", "3")], Some(r#"{"id":1}"#)).is_empty());
        // readOnly is the response's to send.
        assert!(check(
            200,
            &[JSON, ("x-count", "0"), ("x-mode", "a")],
            Some(r#"{"id":1}"#)
        )
        .is_empty());
        assert!(check(204, &[], Some("")).is_empty());
    }

    #[test]
    fn each_part_is_checked() {
        let v = check(200, &[JSON, ("x-mode", "c")], Some(r#"{"secret":"s"}"#));
        assert!(v.iter().any(|l| l.starts_with("header x-count")), "{v:?}");
        assert!(v.iter().any(|l| l.starts_with("header x-mode")), "{v:?}");
        assert!(v.iter().any(|l| l.starts_with("body ")), "{v:?}");
        let v = check(200, &[JSON, ("x-count", "-1")], Some(r#"{"id":1}"#));
        assert_eq!(v.len(), 1, "{v:?}");
        let v = check(
            200,
            &[("content-type", "text/html"), ("x-count", "1")],
            Some("<p>"),
        );
        assert!(v[0].contains("text/html is not documented"), "{v:?}");
        let v = check(200, &[JSON, ("x-count", "1")], Some("{"));
        assert!(v[0].contains("not valid JSON"), "{v:?}");
    }

    #[test]
    fn statuses_match_by_code_range_and_default() {
        let v = check(
            404,
            &[("content-type", "application/problem+json")],
            Some("{}"),
        );
        assert!(v[0].contains("body"), "{v:?}");
        assert!(check(
            404,
            &[("content-type", "application/problem+json")],
            Some(r#"{"title":"x"}"#)
        )
        .is_empty());
        // `default` documents no body: one is a violation, none is fine.
        assert!(check(503, &[], Some("")).is_empty());
        assert_eq!(check(503, &[JSON], Some("{}")).len(), 1);
    }

    #[test]
    fn an_undocumented_status_is_named() {
        let api = crate::load::load_str(
            "t.yaml",
            "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /x:\n    get:\n      responses:\n        '200': {description: ok}\n",
        )
        .unwrap();
        let map = HeaderMap::new();
        let (v, _) = validate_response(
            &api.schemas,
            &api.operations[0],
            &ResponseParts {
                status: 500,
                headers: &map,
                body: Some(b""),
            },
        );
        assert_eq!(
            v[0].line(),
            "status 500: 500 is not a documented status of GET /x; documented: 200"
        );
    }

    #[test]
    fn a_body_not_read_is_checked_for_its_media_type_only() {
        assert!(check(200, &[JSON, ("x-count", "1")], None).is_empty());
        assert_eq!(check(200, &[("x-count", "1")], None).len(), 1);
    }
}

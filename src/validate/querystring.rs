//! OpenAPI 3.2's `in: querystring` parameter: the whole query string as one value, serialised
//! as the parameter's one `content` media type (a form, `application/x-www-form-urlencoded`, or
//! percent-encoded JSON), parsed once and validated against that media type's schema.

use super::{body, schema_violations, Place, Violation};
use crate::model::Querystring;
use crate::schema::SchemaStore;

/// The longest query string read as one value: the request target is already capped at 8 KB
/// (414), and this says so again where the value is parsed.
pub const MAX_QUERYSTRING: usize = 8 * 1024;

/// Checks `query` (raw, without `?`) against `q`; violations go to `out`, the count of those
/// past the limit is returned.
pub fn check(
    store: &SchemaStore,
    q: &Querystring,
    query: Option<&str>,
    out: &mut Vec<Violation>,
) -> usize {
    let raw = query.unwrap_or("");
    if raw.is_empty() {
        if q.required {
            out.push(Violation::new(
                Place::Query,
                &q.name,
                "required",
                format!("the query string ({}) is required", q.content.media_type),
            ));
        }
        return 0;
    }
    if raw.len() > MAX_QUERYSTRING {
        out.push(
            Violation::new(
                Place::Query,
                &q.name,
                "maxLength",
                format!(
                    "the query string is {} bytes; at most {MAX_QUERYSTRING} are read",
                    raw.len()
                ),
            )
            .malformed(),
        );
        return 0;
    }
    let json = crate::media::is_json(&q.content.media_type);
    // JSON travels percent-encoded in a query string; a form is decoded by its parser.
    let text = if json {
        percent_encoding::percent_decode_str(raw)
            .decode_utf8_lossy()
            .into_owned()
    } else {
        raw.to_string()
    };
    let parsed = body::parse_partial(store, &q.content, &q.content.media_type, text.as_bytes());
    match parsed {
        Err(violations) => {
            out.extend(violations.into_iter().map(|mut v| {
                v.place = Place::Query;
                v.name = if v.name.is_empty() {
                    q.name.clone()
                } else {
                    format!("{}{}", q.name, v.name)
                };
                v
            }));
            0
        }
        Ok((parsed, structural)) => {
            out.extend(structural.into_iter().map(|mut v| {
                v.place = Place::Query;
                v
            }));
            match (parsed, q.content.schema) {
                (body::Parsed::Value(value), Some(schema)) => {
                    schema_violations(store, schema, &value, Place::Query, &q.name, out)
                }
                _ => 0,
            }
        }
    }
}

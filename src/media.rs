//! Media types: the one place a media type string is taken apart (type, subtype, parameters)
//! and classified (JSON, XML, the framing of a sequential type). Below every other module:
//! loading, validation, negotiation and streaming all ask here.

use std::borrow::Cow;

/// `application/json; charset=utf-8` → (`application`, `json`), lower-cased; a value that is no
/// media type at all (`json`) is its whole text, lower-cased, and an empty subtype.
pub fn essence(media_type: &str) -> (Cow<'_, str>, Cow<'_, str>) {
    type_and_subtype(media_type).unwrap_or_else(|| {
        let text = media_type.split(';').next().unwrap_or("");
        (lower(text.trim()), Cow::Borrowed(""))
    })
}

/// [`essence`], owned: for what is kept (compiled at load time).
pub fn essence_owned(media_type: &str) -> (String, String) {
    let (kind, sub) = essence(media_type);
    (kind.into_owned(), sub.into_owned())
}

/// `text` lower-cased, borrowed when it already is (media types almost always are).
fn lower(text: &str) -> Cow<'_, str> {
    if text.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(text.to_ascii_lowercase())
    } else {
        Cow::Borrowed(text)
    }
}

/// The media type read by `mime`: the whole value, or its essence alone when the parameters
/// do not parse (documents write `text/html;charset=UTF-8 ` and worse).
fn parse(media_type: &str) -> Option<mime::Mime> {
    let media_type = media_type.trim();
    media_type.parse().ok().or_else(|| {
        let (essence, _) = media_type.split_once(';')?;
        essence.trim().parse().ok()
    })
}

/// `Multipart/Form-Data; x=y` → `multipart/form-data`: the essence as one string, lower-cased,
/// for documents that are written out (a value that is no media type keeps its text).
pub fn essence_str(media_type: &str) -> String {
    match type_and_subtype(media_type) {
        Some((kind, sub)) => format!("{kind}/{sub}"),
        None => essence(media_type).0.into_owned(),
    }
}

/// The converters' narrower test on an essence: `application/json`, `*/json` or `+json`.
pub fn names_json(essence: &str) -> bool {
    essence == "application/json" || essence.ends_with("+json") || essence.ends_with("/json")
}

/// Is this a JSON media type (`application/json`, `application/problem+json`, `text/json`...)?
pub fn is_json(media_type: &str) -> bool {
    let (_, sub) = essence(media_type);
    sub == "json" || sub.ends_with("+json") || sub.starts_with("x-json") || sub.ends_with("-json")
}

/// Is this an XML media type?
pub fn is_xml(media_type: &str) -> bool {
    let (_, sub) = essence(media_type);
    sub == "xml" || sub.ends_with("+xml")
}

/// `type/subtype` (suffix included: `problem+json`), lower-cased, without parameters; `None`
/// when it is not a media type. Borrowed from `media` when it is a plain lower-case
/// `type/subtype` (this runs on every request with a body: no allocation then).
pub fn type_and_subtype(media: &str) -> Option<(Cow<'_, str>, Cow<'_, str>)> {
    // Most media types are a bare `type/subtype` of token characters: read those in one pass
    // without the full parser (this runs on every request with a body).
    // The type nearly every API request and document names, by far.
    if media == "application/json" {
        return Some((Cow::Borrowed("application"), Cow::Borrowed("json")));
    }
    // Parameters (`; charset=utf-8`) do not change the essence.
    let head = match media.bytes().position(|b| b == b';') {
        Some(end) => media[..end].trim(),
        None => media.trim(),
    };
    if let Some((slash, upper)) = plain(head.as_bytes()) {
        let (kind, sub) = (&head[..slash], &head[slash + 1..]);
        if !upper {
            return Some((Cow::Borrowed(kind), Cow::Borrowed(sub)));
        }
        return Some((lower(kind), lower(sub)));
    }
    let parsed = parse(media)?;
    let (kind, sub) = parsed.essence_str().split_once('/')?;
    Some((
        Cow::Owned(kind.to_ascii_lowercase()),
        Cow::Owned(sub.to_ascii_lowercase()),
    ))
}

/// RFC 9110's `tchar`s, by byte.
static TOKEN: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric()
            || matches!(c, b'!' | b'#' | b'$' | b'%' | b'&')
            || matches!(
                c,
                b'\'' | b'*' | b'+' | b'-' | b'.' | b'^' | b'_' | b'`' | b'|' | b'~'
            );
        b += 1;
    }
    table
};

/// A bare `type/subtype` of token characters: where the slash is, and whether any letter is
/// upper case. `None` for anything else (parameters, spaces, a missing part).
fn plain(media: &[u8]) -> Option<(usize, bool)> {
    let mut slash = None;
    let mut upper = false;
    for (i, &c) in media.iter().enumerate() {
        if c == b'/' {
            if slash.is_some() {
                return None;
            }
            slash = Some(i);
        } else if TOKEN[c as usize] {
            upper |= c.is_ascii_uppercase();
        } else {
            return None;
        }
    }
    let slash = slash?;
    (slash > 0 && slash + 1 < media.len()).then_some((slash, upper))
}

/// How well `documented` covers `actual`: 3 exact, 2 `type/*+suffix`, 1 `type/*`, 0 `*/*`.
pub fn match_rank(documented: &str, actual: &str) -> Option<u8> {
    Essence::of(actual).rank_under(documented)
}

/// A request's media type taken apart once, to be ranked against several documented ones.
pub struct Essence<'a>(Option<(Cow<'a, str>, Cow<'a, str>)>);

impl<'a> Essence<'a> {
    pub fn of(media_type: &'a str) -> Essence<'a> {
        Essence(type_and_subtype(media_type))
    }

    /// [`match_rank`] of this media type under `documented`.
    pub fn rank_under(&self, documented: &str) -> Option<u8> {
        rank(documented, self.0.as_ref())
    }
}

fn rank(documented: &str, actual: Option<&(Cow<'_, str>, Cow<'_, str>)>) -> Option<u8> {
    let doc = type_and_subtype(documented);
    if doc.as_ref().is_some_and(|(t, s)| t == "*" && s == "*") || documented.trim() == "*" {
        return Some(0);
    }
    let (dt, ds) = doc?;
    let (at, st) = actual.map(|(a, s)| (&**a, &**s))?;
    if dt != "*" && dt != at {
        return None;
    }
    let rank = |r: u8| Some(if dt == "*" { 0 } else { r });
    if ds == st {
        return rank(3);
    }
    if ds == "*" {
        return rank(1);
    }
    if let Some(suffix) = ds.strip_prefix("*+") {
        // `application/*+json` takes any `+json`, and plain `application/json` too.
        if st == suffix
            || st
                .strip_suffix(suffix)
                .is_some_and(|rest| rest.ends_with('+'))
        {
            return rank(2);
        }
    }
    None
}

/// Does a request Content-Type match a documented media type? Wildcards (`*/*`, `application/*`),
/// parameters ignored (`; charset=utf-8`), case-insensitive, and structured suffixes:
/// documented `application/json` does NOT accept `application/merge-patch+json`, but documented
/// `application/*+json` accepts any `+json`.
pub fn media_matches(documented: &str, actual: &str) -> bool {
    match_rank(documented, actual).is_some()
}

/// Is this media type JSON: `application/json`, `text/json` or any `+json`?
pub fn is_json_media(media: &str) -> bool {
    match type_and_subtype(media) {
        Some((t, s)) => {
            (s == "json" && (t == "application" || t == "text")) || s.ends_with("+json")
        }
        None => false,
    }
}

/// How items of a sequential media type are framed on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framing {
    /// `text/event-stream`: `event:`/`id:`/`retry:`/`data:` fields, a blank line after each.
    EventStream,
    /// `application/jsonl`, `application/x-ndjson` (and `x-jsonlines`): one JSON text a line.
    JsonLines,
    /// `application/json-seq` (RFC 7464): each JSON text after an RS (0x1E), then a newline.
    JsonSeq,
    /// `multipart/mixed`: each item a part of its own.
    MultipartMixed,
}

impl Framing {
    /// The framing of a sequential media type; `None` for every other type.
    pub fn of(media_type: &str) -> Option<Framing> {
        let (kind, sub) = essence(media_type);
        match (&*kind, &*sub) {
            ("text", "event-stream") => Some(Framing::EventStream),
            ("application", "jsonl" | "x-ndjson" | "x-jsonlines" | "jsonlines") => {
                Some(Framing::JsonLines)
            }
            ("application", "json-seq") => Some(Framing::JsonSeq),
            ("multipart", "mixed") => Some(Framing::MultipartMixed),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_and_subtype_reads_plain_types_without_copying() {
        let borrowed = |m: &str| match type_and_subtype(m) {
            Some((Cow::Borrowed(k), Cow::Borrowed(s))) => Some((k.to_string(), s.to_string())),
            _ => None,
        };
        let pair = |k: &str, s: &str| Some((k.to_string(), s.to_string()));
        assert_eq!(borrowed("application/json"), pair("application", "json"));
        assert_eq!(
            borrowed("application/json; charset=utf-8"),
            pair("application", "json")
        );
        assert_eq!(
            borrowed(" application/vnd.api+json ;x=\"a;b\""),
            pair("application", "vnd.api+json")
        );
        let owned = |m: &str| type_and_subtype(m).map(|(k, s)| (k.into_owned(), s.into_owned()));
        assert_eq!(
            owned("Application/JSON;charset=UTF-8"),
            pair("application", "json")
        );
        assert_eq!(owned("text/html;charset=UTF-8 "), pair("text", "html"));
        assert_eq!(owned("json"), None);
        assert_eq!(owned("/json"), None);
        assert_eq!(owned("a/b/c"), None);
        assert_eq!(owned(""), None);
        assert_eq!(essence_owned("JSON"), ("json".to_string(), String::new()));
    }

    #[test]
    fn framings_of_media_types() {
        assert_eq!(
            Framing::of("text/event-stream; charset=utf-8"),
            Some(Framing::EventStream)
        );
        assert_eq!(
            Framing::of("application/x-ndjson"),
            Some(Framing::JsonLines)
        );
        assert_eq!(Framing::of("application/json-seq"), Some(Framing::JsonSeq));
        assert_eq!(Framing::of("application/json"), None);
    }
}

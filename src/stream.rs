//! Streaming answers: sequential media types (server-sent events, JSON Lines, JSON text
//! sequences, `multipart/mixed`) answered as a paced, chunked stream of items.
//!
//! The choose step decides *that* an answer streams and *what* (a [`StreamSpec`], carried by
//! [`crate::runtime::Answer`]); [`crate::compile::Mock::stream_chunk`] makes each framed chunk
//! when the server asks for it; the server paces the chunks, counts open streams, and stops
//! as soon as the client is gone (the body stream is dropped with the connection).
//! Everything here is a pure function of its inputs.

use bytes::Bytes;
use http::HeaderMap;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

pub use crate::media::Framing;

/// Items a stream sends when nothing else says: a few...
pub const DEFAULT_COUNT: u64 = 5;
/// ...a short interval apart (milliseconds).
pub const DEFAULT_INTERVAL_MS: u64 = 250;
/// The most items one stream sends, whatever asks for more.
pub const MAX_COUNT: u64 = 10_000;
/// The boundary of `multipart/mixed` streams.
pub const BOUNDARY: &str = "stubborn-stream";

/// Where a stream's items come from.
#[derive(Clone, Debug)]
pub enum Items {
    /// Generated from the item schema; item `i` with a seed derived from `seed` and `i`.
    Generated { seed: u64 },
    /// An example that is an array of items: sent in order, round again if more are asked for.
    Values(Arc<Vec<Value>>),
    /// A serialized example (`serializedValue`, `externalValue`), already framed: its
    /// events/lines/records, sent byte for byte, one a tick.
    Chunks(Arc<Vec<Bytes>>),
}

/// A streaming answer, decided by the choose step and turned into a body by the server.
#[derive(Clone, Debug)]
pub struct StreamSpec {
    /// The operation, response and media type indices (`Mock` knows their schemas).
    pub operation: usize,
    pub response: usize,
    pub media: usize,
    pub framing: Framing,
    pub items: Items,
    /// Items to send (at most [`MAX_COUNT`]).
    pub count: u64,
    /// The pause before each item after the first.
    pub interval: Duration,
}

/// Count and pacing asked for in one place (a flag, an extension, a `Prefer`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pace {
    pub count: Option<u64>,
    pub interval_ms: Option<u64>,
}

impl Pace {
    /// `self` where it says something, else `other`.
    pub fn or(self, other: Pace) -> Pace {
        Pace {
            count: self.count.or(other.count),
            interval_ms: self.interval_ms.or(other.interval_ms),
        }
    }

    /// Refuses a count over [`MAX_COUNT`] or an interval over `max_interval_ms`
    /// (`--max-delay`), saying which.
    pub fn check(self, max_interval_ms: u64) -> Result<Pace, String> {
        if let Some(n) = self.count.filter(|n| *n > MAX_COUNT) {
            return Err(format!(
                "a stream of {n} items is longer than the {MAX_COUNT} allowed"
            ));
        }
        if let Some(ms) = self.interval_ms.filter(|ms| *ms > max_interval_ms) {
            return Err(format!(
                "a stream interval of {ms} ms is longer than the {max_interval_ms} ms allowed (--max-delay)"
            ));
        }
        Ok(self)
    }
}

/// `Prefer: stream-count=N, stream-interval=MS`.
pub fn prefer(headers: &HeaderMap) -> Result<Pace, String> {
    let mut pace = Pace::default();
    for value in headers.get_all("prefer") {
        let Ok(text) = value.to_str() else { continue };
        for item in text.split([',', ';']) {
            let Some((k, v)) = item.split_once('=') else {
                continue;
            };
            let v = v.trim().trim_matches('"');
            let number = |what: &str| {
                v.parse::<u64>().map_err(|_| {
                    format!(
                        "Prefer: {} must be a whole number{what}, got \"{}\"",
                        k.trim(),
                        v.chars().take(40).collect::<String>()
                    )
                })
            };
            match k.trim().to_ascii_lowercase().as_str() {
                "stream-count" => pace.count = Some(number("")?),
                "stream-interval" => pace.interval_ms = Some(number(" of milliseconds")?),
                _ => {}
            }
        }
    }
    Ok(pace)
}

/// An operation's `x-stubborn-stream: {count, interval}` (interval in milliseconds).
pub fn extension(v: &Value) -> Result<Pace, String> {
    let Some(obj) = v.as_object() else {
        return Err("expected an object like {count: 10, interval: 100}".into());
    };
    let mut pace = Pace::default();
    for (k, v) in obj {
        let n = v
            .as_u64()
            .ok_or_else(|| format!("`{k}` must be a whole number, got {v}"))?;
        match k.as_str() {
            "count" => pace.count = Some(n),
            "interval" => pace.interval_ms = Some(n),
            other => return Err(format!("unknown field `{other}` (count, interval)")),
        }
    }
    Ok(pace)
}

/// One item, framed. For an event stream, `item` is the event: an object with `data` (and
/// `event`, `id`, `retry`) when the document describes events that way, else (`data_only`)
/// the data itself; data that is not a string is sent as JSON. `index` numbers the item.
pub fn frame(framing: Framing, item: &Value, data_only: bool, index: u64) -> Bytes {
    match framing {
        Framing::EventStream => {
            let mut out = String::new();
            let field = |out: &mut String, name: &str, v: &Value| {
                let text = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                // A field value never spans lines; data does, one `data:` per line.
                for line in text.split('\n') {
                    out.push_str(name);
                    out.push_str(": ");
                    out.push_str(line.trim_end_matches('\r'));
                    out.push('\n');
                }
            };
            let event = item.as_object().filter(|_| !data_only);
            match event {
                Some(obj) => {
                    for name in ["event", "id"] {
                        if let Some(v) = obj.get(name).filter(|v| !v.is_null()) {
                            let one_line = match v {
                                Value::String(s) => Value::String(s.replace(['\n', '\r'], " ")),
                                other => other.clone(),
                            };
                            field(&mut out, name, &one_line);
                        }
                    }
                    if let Some(n) = obj.get("retry").and_then(Value::as_u64) {
                        out.push_str(&format!("retry: {n}\n"));
                    }
                    match obj.get("data") {
                        Some(v) => field(&mut out, "data", v),
                        None => out.push_str("data: \n"),
                    }
                }
                None => {
                    out.push_str(&format!("id: {index}\n"));
                    field(&mut out, "data", item);
                }
            }
            out.push('\n');
            Bytes::from(out)
        }
        Framing::JsonLines => {
            let mut text = item.to_string();
            text.push('\n');
            Bytes::from(text)
        }
        Framing::JsonSeq => {
            let mut text = String::from('\u{1e}');
            text.push_str(&item.to_string());
            text.push('\n');
            Bytes::from(text)
        }
        Framing::MultipartMixed => {
            let (content_type, body) = match item {
                Value::String(s) => ("text/plain", s.clone()),
                other => ("application/json", other.to_string()),
            };
            Bytes::from(format!(
                "--{BOUNDARY}\r\nContent-Type: {content_type}\r\n\r\n{body}\r\n"
            ))
        }
    }
}

/// What ends a stream after its last item: the closing boundary of a multipart stream.
pub fn trailer(framing: Framing) -> Option<Bytes> {
    (framing == Framing::MultipartMixed).then(|| Bytes::from(format!("--{BOUNDARY}--\r\n")))
}

/// A serialized stream (an example written out whole) cut into its items, each kept byte for
/// byte with its own framing: events at blank lines, lines, RS-prefixed records, parts.
pub fn split_serialized(framing: Framing, text: &str) -> Vec<Bytes> {
    let mut out: Vec<Bytes> = Vec::new();
    match framing {
        Framing::EventStream => {
            let normalized = text.replace("\r\n", "\n");
            for event in normalized.split("\n\n") {
                if !event.trim().is_empty() {
                    out.push(Bytes::from(format!("{}\n\n", event.trim_matches('\n'))));
                }
            }
        }
        Framing::JsonLines => {
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                out.push(Bytes::from(format!("{line}\n")));
            }
        }
        Framing::JsonSeq => {
            for record in text.split('\u{1e}').filter(|r| !r.trim().is_empty()) {
                out.push(Bytes::from(format!("\u{1e}{record}")));
            }
        }
        Framing::MultipartMixed => out.push(Bytes::from(text.to_string())),
    }
    out
}

/// The items of a JSON Lines (or `json-seq`) request body, each parsed, with its 0-based
/// line (record) number; a line that is not JSON is an `Err` with the parser's message.
pub fn parse_items(framing: Framing, body: &str) -> Vec<(usize, Result<Value, String>)> {
    let records: Vec<&str> = match framing {
        Framing::JsonSeq => body.split('\u{1e}').collect(),
        _ => body.split('\n').collect(),
    };
    records
        .into_iter()
        .map(|r| r.trim())
        .filter(|r| !r.is_empty())
        .enumerate()
        .map(|(i, r)| (i, serde_json::from_str(r).map_err(|e| e.to_string())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn events_are_framed_field_by_field() {
        let e = json!({"event": "tick", "id": "7", "data": "a\nb", "retry": 10});
        assert_eq!(
            frame(Framing::EventStream, &e, false, 0),
            "event: tick\nid: 7\nretry: 10\ndata: a\ndata: b\n\n"
        );
        assert_eq!(
            frame(Framing::EventStream, &json!({"n": 1}), true, 3),
            "id: 3\ndata: {\"n\":1}\n\n"
        );
        assert_eq!(frame(Framing::JsonSeq, &json!(1), false, 0), "\u{1e}1\n");
    }

    #[test]
    fn prefer_and_bounds() {
        let mut h = HeaderMap::new();
        h.insert(
            "prefer",
            "stream-count=3, stream-interval=10".parse().unwrap(),
        );
        let p = prefer(&h).unwrap();
        assert_eq!((p.count, p.interval_ms), (Some(3), Some(10)));
        assert!(p.check(5).is_err());
        assert!(Pace {
            count: Some(MAX_COUNT + 1),
            interval_ms: None
        }
        .check(1000)
        .is_err());
        assert_eq!(
            split_serialized(Framing::EventStream, "data: 1\n\ndata: 2\n\n").len(),
            2
        );
    }
}

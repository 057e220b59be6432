//! A response's header map, built once for answers that repeat.
//!
//! A mock answers the same headers again and again (`Content-Type`, the documented headers,
//! `x-stubborn-match`, CORS's). Building hyper's `HeaderMap` from them (an allocation, a hash
//! and a probe for each name) was 1,700 of a `GET`'s 20,000 instructions (callgrind). Each
//! worker thread keeps the maps of the last few distinct header lists it answered with, keyed
//! by the whole list, so a hit is a comparison and a clone.
//!
//! The memo is a pure cache: an entry is used only when the answer's list equals its key name
//! for name and byte for byte, so it can never answer with headers the answer does not have.
//! It is per thread (no lock), small ([`SLOTS`] entries) and bounded ([`MAX_BYTES`] a list).
//! Values are copied into the memo, so the maps it hands out share nothing with the mock's
//! documents and their reference counts are never touched by two threads at once.

use http::header::{HeaderMap, HeaderName, HeaderValue};
use std::cell::RefCell;

/// Distinct header lists remembered per thread.
const SLOTS: usize = 4;
/// Lists larger than this (names and values) are not remembered.
const MAX_BYTES: usize = 2048;
/// Lists with more headers than this are not remembered.
const MAX_HEADERS: usize = 16;

/// The CORS headers a mock answer gets when the request has no `Origin`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Cors {
    /// None (CORS off, or added by the caller for a request with an `Origin`).
    None,
    /// `Access-Control-Allow-Origin: *` and `Access-Control-Expose-Headers: *`.
    Any,
}

struct Entry {
    key: Vec<(HeaderName, HeaderValue)>,
    cors: Cors,
    map: HeaderMap,
}

#[derive(Default)]
struct Memo {
    entries: Vec<Entry>,
    /// The slot the next new list replaces once all are taken.
    next: usize,
}

thread_local! {
    static MEMO: RefCell<Memo> = RefCell::new(Memo::default());
}

/// The header map for `headers` (in order, repeated names appended) followed by `cors`'s.
pub fn map(headers: Vec<(HeaderName, HeaderValue)>, cors: Cors) -> HeaderMap {
    let size: usize = headers
        .iter()
        .map(|(n, v)| n.as_str().len() + v.len())
        .sum();
    if headers.len() > MAX_HEADERS || size > MAX_BYTES {
        return build(headers, cors);
    }
    let hit = MEMO.with(|memo| {
        let memo = memo.try_borrow().ok()?;
        memo.entries
            .iter()
            .find(|e| e.cors == cors && e.key == headers)
            .map(|e| e.map.clone())
    });
    if let Some(map) = hit {
        return map;
    }
    // Owned copies, so the memo's maps share no buffer with the mock's documents.
    let key: Vec<(HeaderName, HeaderValue)> = headers
        .iter()
        .map(|(n, v)| {
            let mut copy = HeaderValue::from_bytes(v.as_bytes()).unwrap_or_else(|_| v.clone());
            copy.set_sensitive(v.is_sensitive());
            (n.clone(), copy)
        })
        .collect();
    let kept = build(key.clone(), cors);
    let map = kept.clone();
    MEMO.with(|memo| {
        let Ok(mut memo) = memo.try_borrow_mut() else {
            return;
        };
        let entry = Entry {
            key,
            cors,
            map: kept,
        };
        if memo.entries.len() < SLOTS {
            memo.entries.push(entry);
        } else {
            let at = memo.next;
            memo.entries[at] = entry;
            memo.next = (at + 1) % SLOTS;
        }
    });
    drop(headers);
    map
}

fn build(headers: Vec<(HeaderName, HeaderValue)>, cors: Cors) -> HeaderMap {
    let mut h = HeaderMap::with_capacity(headers.len() + 3);
    for (name, value) in headers {
        h.append(name, value);
    }
    if cors == Cors::Any {
        h.insert(
            http::header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
        h.insert(
            http::header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("*"),
        );
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(pairs: &[(&str, &str)]) -> Vec<(HeaderName, HeaderValue)> {
        pairs
            .iter()
            .map(|(n, v)| {
                (
                    HeaderName::from_bytes(n.as_bytes()).unwrap(),
                    HeaderValue::from_str(v).unwrap(),
                )
            })
            .collect()
    }

    fn text(map: &HeaderMap) -> Vec<String> {
        map.iter()
            .map(|(n, v)| format!("{n}: {}", v.to_str().unwrap()))
            .collect()
    }

    #[test]
    fn a_remembered_map_is_the_map_built_afresh() {
        let a = list(&[
            ("x-next", "/v1/pets?cursor=abc"),
            ("content-type", "application/json"),
            ("set-cookie", "a=1"),
            ("set-cookie", "b=2"),
        ]);
        for cors in [Cors::None, Cors::Any] {
            let fresh = text(&build(a.clone(), cors));
            // Missed, then hit: the same headers, in the same order.
            assert_eq!(text(&map(a.clone(), cors)), fresh);
            assert_eq!(text(&map(a.clone(), cors)), fresh);
        }
        assert_eq!(
            text(&map(a.clone(), Cors::Any))[4..],
            [
                "access-control-allow-origin: *",
                "access-control-expose-headers: *"
            ]
        );
    }

    #[test]
    fn a_list_that_differs_in_anything_is_not_answered_from_the_memo() {
        let a = list(&[("content-type", "application/json"), ("x-a", "1")]);
        let _ = map(a.clone(), Cors::None);
        let other_value = list(&[("content-type", "application/json"), ("x-a", "2")]);
        assert_eq!(
            text(&map(other_value, Cors::None)),
            ["content-type: application/json", "x-a: 2"]
        );
        let fewer = list(&[("content-type", "application/json")]);
        assert_eq!(
            text(&map(fewer, Cors::None)),
            ["content-type: application/json"]
        );
        let reordered = list(&[("x-a", "1"), ("content-type", "application/json")]);
        assert_eq!(
            text(&map(reordered, Cors::None)),
            ["x-a: 1", "content-type: application/json"]
        );
        assert_eq!(text(&map(a.clone(), Cors::Any)).len(), 4);
    }

    #[test]
    fn more_lists_than_slots_all_come_out_right() {
        for round in 0..3 {
            for i in 0..(SLOTS * 2) {
                let l = list(&[("x-i", &i.to_string())]);
                assert_eq!(text(&map(l, Cors::None)), [format!("x-i: {i}")], "{round}");
            }
        }
    }

    #[test]
    fn large_lists_are_built_each_time() {
        let big = "v".repeat(MAX_BYTES + 1);
        let l = list(&[("x-big", &big)]);
        assert_eq!(text(&map(l.clone(), Cors::None)), [format!("x-big: {big}")]);
        assert_eq!(text(&map(l, Cors::None)), [format!("x-big: {big}")]);
        MEMO.with(|m| {
            assert!(m.borrow().entries.iter().all(|e| e.key[0].0 != "x-big"));
        });
    }
}

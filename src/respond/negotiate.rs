//! Content negotiation: which of the documented media types to answer with, given `Accept`.

/// One entry of an `Accept` header.
#[derive(Debug, Clone, PartialEq)]
struct Range<'a> {
    kind: &'a str,
    subtype: &'a str,
    q: f32,
}

fn parse_accept(accept: &str) -> Vec<Range<'_>> {
    let mut out = Vec::new();
    for item in accept.split(',') {
        let mut parts = item.split(';');
        let mt = parts.next().unwrap_or("").trim();
        if mt.is_empty() {
            continue;
        }
        let (kind, subtype) = match mt.split_once('/') {
            Some((k, s)) => (k.trim(), s.trim()),
            None if mt == "*" => ("*", "*"),
            None => continue,
        };
        let mut q = 1.0f32;
        for p in parts {
            if let Some((k, v)) = p.split_once('=') {
                if k.trim().eq_ignore_ascii_case("q") {
                    q = v.trim().parse().unwrap_or(0.0);
                }
            }
        }
        out.push(Range {
            kind,
            subtype,
            q: q.clamp(0.0, 1.0),
        });
    }
    out
}

// The media-type predicates live in `media`; re-exported for the callers above `respond`.
pub use crate::media::{essence, essence_owned, is_json, is_xml};

fn pattern_matches(pattern: (&str, &str), concrete: (&str, &str)) -> Option<u8> {
    let kind_ok =
        pattern.0 == "*" || concrete.0 == "*" || pattern.0.eq_ignore_ascii_case(concrete.0);
    let sub_ok =
        pattern.1 == "*" || concrete.1 == "*" || pattern.1.eq_ignore_ascii_case(concrete.1);
    if !(kind_ok && sub_ok) {
        return None;
    }
    // Specificity: exact type and subtype beat wildcards.
    Some(u8::from(pattern.0 != "*") + u8::from(pattern.1 != "*"))
}

/// Picks the index of the media type to answer with, from `available` (in document order).
/// `None` means nothing is acceptable (406). No `Accept` header (or `*/*`) prefers JSON.
pub fn choose(accept: Option<&str>, available: &[(String, String)]) -> Option<usize> {
    let all: Vec<usize> = (0..available.len()).collect();
    choose_among(accept, available, &all).map(|i| all[i])
}

/// [`choose`] among some of `available` only (`candidates`, indices into it, in order): the
/// position in `candidates` of the one to answer with. Nothing is copied or allocated unless
/// the request has an `Accept` header.
pub fn choose_among(
    accept: Option<&str>,
    available: &[(String, String)],
    candidates: &[usize],
) -> Option<usize> {
    if candidates.is_empty() {
        return None;
    }
    let at = |i: usize| {
        let (k, s) = &available[candidates[i]];
        (k.as_str(), s.as_str())
    };
    // What `is_json` says of `k/s`; the essences are lower case already.
    let json = |(_, s): (&str, &str)| {
        s == "json" || s.ends_with("+json") || s.starts_with("x-json") || s.ends_with("-json")
    };
    let json_first = || {
        (0..candidates.len())
            .position(|i| at(i) == ("application", "json"))
            .or_else(|| (0..candidates.len()).position(|i| json(at(i))))
            .unwrap_or(0)
    };
    let accept = match accept.map(str::trim) {
        None | Some("") => return Some(json_first()),
        Some(a) => a,
    };
    let ranges = parse_accept(accept);
    if ranges.is_empty() {
        return Some(json_first());
    }
    // For each candidate: the q of the most specific range that matches it.
    let mut best: Option<(f32, usize, bool, usize)> = None; // (q, -accept position, json, index)
    for i in 0..candidates.len() {
        let (k, s) = at(i);
        let mut chosen: Option<(u8, f32, usize)> = None;
        for (pos, r) in ranges.iter().enumerate() {
            if let Some(spec) = pattern_matches((r.kind, r.subtype), (k, s)) {
                if chosen.is_none_or(|(cs, _, _)| spec > cs) {
                    chosen = Some((spec, r.q, pos));
                }
            }
        }
        let Some((_, q, pos)) = chosen else { continue };
        if q <= 0.0 {
            continue;
        }
        let json = json((k, s));
        let better = match best {
            None => true,
            Some((bq, bpos, bjson, _)) => {
                q > bq || (q == bq && (pos < bpos || (pos == bpos && json && !bjson)))
            }
        };
        if better {
            best = Some((q, pos, json, i));
        }
    }
    best.map(|(_, _, _, i)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn av(types: &[&str]) -> Vec<(String, String)> {
        types.iter().map(|t| essence_owned(t)).collect()
    }

    #[test]
    fn no_accept_prefers_json() {
        let a = av(&["application/xml", "application/json"]);
        assert_eq!(choose(None, &a), Some(1));
        assert_eq!(choose(Some("*/*"), &a), Some(1));
        assert_eq!(choose(None, &av(&["text/plain", "image/png"])), Some(0));
    }

    #[test]
    fn q_values_and_wildcards() {
        let a = av(&["application/json", "application/xml", "text/plain"]);
        assert_eq!(choose(Some("application/xml"), &a), Some(1));
        assert_eq!(
            choose(Some("application/json;q=0.5, application/xml"), &a),
            Some(1)
        );
        assert_eq!(choose(Some("text/*"), &a), Some(2));
        assert_eq!(choose(Some("application/*;q=0.9, text/plain"), &a), Some(2));
        assert_eq!(choose(Some("image/png"), &a), None);
        assert_eq!(choose(Some("*/*;q=0, application/xml"), &a), Some(1));
        assert_eq!(choose(Some("application/json; charset=utf-8"), &a), Some(0));
    }

    #[test]
    fn documented_wildcards_accept_anything() {
        assert_eq!(choose(Some("image/png"), &av(&["*/*"])), Some(0));
    }

    #[test]
    fn json_and_xml_families() {
        assert!(is_json("application/problem+json"));
        assert!(is_json("application/json; charset=utf-8"));
        assert!(is_xml("application/atom+xml"));
        assert!(!is_json("text/plain"));
    }
}

//! Security requirements: alternatives (OR) of scheme sets (AND), checked for presence and
//! well-formedness — a mock cannot know which credentials are real.

use super::{Place, Violation};
use crate::model::{ParamIn, SecurityScheme};
use base64::engine::general_purpose::STANDARD_PAD_INDIFFERENT;
use base64::Engine;
use http::HeaderMap;

/// The result of a failed check: the violations and the `WWW-Authenticate` challenges.
#[derive(Debug)]
pub struct Denied {
    pub violations: Vec<Violation>,
    pub challenge: String,
}

/// Checks `requirements` (as on the operation, global security already folded in).
/// `query` is the raw query string; cookies come from the `Cookie` header.
pub fn check(
    schemes: &[SecurityScheme],
    requirements: &[Vec<String>],
    headers: &HeaderMap,
    query: Option<&str>,
) -> Result<(), Denied> {
    if requirements.is_empty() || requirements.iter().any(|r| r.is_empty()) {
        return Ok(());
    }
    let mut best: Option<Vec<Violation>> = None;
    for requirement in requirements {
        let failures: Vec<Violation> = requirement
            .iter()
            .filter_map(|name| match schemes.iter().find(|s| &s.name == name) {
                // A scheme the document does not declare cannot be checked; the loader warns.
                None => None,
                Some(scheme) => satisfied(scheme, headers, query).err(),
            })
            .collect();
        if failures.is_empty() {
            return Ok(());
        }
        if best.as_ref().is_none_or(|b| failures.len() < b.len()) {
            best = Some(failures);
        }
    }
    let mut challenges: Vec<String> = Vec::new();
    for requirement in requirements {
        for name in requirement {
            if let Some(s) = schemes.iter().find(|s| &s.name == name) {
                let c = challenge(s);
                if !challenges.contains(&c) {
                    challenges.push(c);
                }
            }
        }
    }
    Err(Denied {
        violations: best.unwrap_or_default(),
        challenge: challenges.join(", "),
    })
}

fn challenge(s: &SecurityScheme) -> String {
    match (s.kind.as_str(), s.scheme.as_deref()) {
        ("http", Some(other)) if other.eq_ignore_ascii_case("basic") => {
            "Basic realm=\"stubborn\"".into()
        }
        // Any string can stand in a document: capitalise by character, never by byte.
        ("http", Some(other)) if !other.trim().is_empty() => {
            format!("{} realm=\"stubborn\"", capitalised(other.trim()))
        }
        ("apiKey", _) => format!(
            "ApiKey realm=\"stubborn\", name=\"{}\", in=\"{}\"",
            s.param_name.as_deref().unwrap_or(""),
            s.location.map(ParamIn::as_str).unwrap_or("header")
        ),
        _ => "Bearer realm=\"stubborn\"".into(),
    }
}

fn authorization(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
}

/// `Authorization: <scheme> <credentials>` with a case-insensitive scheme and non-empty
/// credentials.
fn credentials<'a>(headers: &'a HeaderMap, scheme: &str) -> Option<&'a str> {
    let value = authorization(headers)?.trim();
    let (s, rest) = value.split_once(' ')?;
    let rest = rest.trim();
    (s.eq_ignore_ascii_case(scheme) && !rest.is_empty()).then_some(rest)
}

fn satisfied(
    s: &SecurityScheme,
    headers: &HeaderMap,
    query: Option<&str>,
) -> Result<(), Violation> {
    match s.kind.as_str() {
        "apiKey" => {
            let name = s.param_name.as_deref().unwrap_or("");
            let present = match s.location {
                Some(ParamIn::Query) => query.is_some_and(|q| {
                    form_urlencoded::parse(q.as_bytes()).any(|(k, v)| k == name && !v.is_empty())
                }),
                Some(ParamIn::Cookie) => {
                    crate::cookies::get(headers, name).is_some_and(|v| !v.is_empty())
                }
                _ => headers.get(name).is_some_and(|v| !v.as_bytes().is_empty()),
            };
            let place = match s.location {
                Some(ParamIn::Query) => Place::Query,
                Some(ParamIn::Cookie) => Place::Cookie,
                _ => Place::Header,
            };
            if present {
                Ok(())
            } else {
                Err(Violation::new(
                    place,
                    name,
                    "security",
                    format!(
                        "API key \"{name}\" ({} {}) is missing",
                        place.as_str(),
                        s.name
                    ),
                ))
            }
        }
        "http" => {
            // An empty scheme is read as bearer, the common case (the loader cannot refuse
            // every odd value a document holds).
            let scheme = s
                .scheme
                .as_deref()
                .map(str::trim)
                .filter(|x| !x.is_empty())
                .unwrap_or("bearer");
            if scheme.eq_ignore_ascii_case("basic") {
                let Some(creds) = credentials(headers, "basic") else {
                    return Err(Violation::new(
                        Place::Header,
                        "Authorization",
                        "security",
                        format!("HTTP basic credentials ({}) are missing: send Authorization: Basic base64(user:password)", s.name),
                    ));
                };
                // RFC 7617: base64 of RFC 4648 section 4 (standard alphabet); padding is
                // not insisted on, as servers commonly accept credentials without it.
                let ok = STANDARD_PAD_INDIFFERENT
                    .decode(creds)
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())
                    .is_some_and(|t| t.contains(':'));
                if ok {
                    Ok(())
                } else {
                    Err(Violation::new(
                        Place::Header,
                        "Authorization",
                        "security",
                        "HTTP basic credentials are not base64 of user:password",
                    ))
                }
            } else if credentials(headers, scheme).is_some() {
                Ok(())
            } else {
                Err(Violation::new(
                    Place::Header,
                    "Authorization",
                    "security",
                    format!(
                        "Authorization: {} <credentials> ({}) is missing",
                        capitalised(scheme),
                        s.name
                    ),
                ))
            }
        }
        // A mock cannot see the TLS client certificate.
        "mutualTLS" => Ok(()),
        // oauth2, openIdConnect and anything else token-based.
        _ => {
            if credentials(headers, "bearer").is_some() {
                Ok(())
            } else {
                Err(Violation::new(
                    Place::Header,
                    "Authorization",
                    "security",
                    format!(
                        "Authorization: Bearer <token> ({} {}) is missing",
                        s.kind, s.name
                    ),
                ))
            }
        }
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scheme(
        name: &str,
        kind: &str,
        scheme: Option<&str>,
        param: Option<(&str, ParamIn)>,
    ) -> SecurityScheme {
        SecurityScheme {
            name: name.into(),
            kind: kind.into(),
            param_name: param.map(|p| p.0.to_string()),
            location: param.map(|p| p.1),
            scheme: scheme.map(str::to_string),
        }
    }

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                http::header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        h
    }

    fn schemes() -> Vec<SecurityScheme> {
        vec![
            scheme("key", "apiKey", None, Some(("X-API-Key", ParamIn::Header))),
            scheme("qkey", "apiKey", None, Some(("api_key", ParamIn::Query))),
            scheme("ckey", "apiKey", None, Some(("session", ParamIn::Cookie))),
            scheme("basic", "http", Some("basic"), None),
            scheme("bearer", "http", Some("bearer"), None),
            scheme("oauth", "oauth2", None, None),
        ]
    }

    fn req(names: &[&[&str]]) -> Vec<Vec<String>> {
        names
            .iter()
            .map(|r| r.iter().map(|s| s.to_string()).collect())
            .collect()
    }

    #[test]
    fn alternatives_and_conjunctions() {
        let s = schemes();
        let either = req(&[&["key"], &["bearer"]]);
        assert!(check(&s, &either, &headers(&[("x-api-key", "k")]), None).is_ok());
        assert!(check(
            &s,
            &either,
            &headers(&[("authorization", "Bearer t")]),
            None
        )
        .is_ok());
        let denied = check(&s, &either, &headers(&[]), None).unwrap_err();
        assert!(
            denied.challenge.contains("Bearer") && denied.challenge.contains("ApiKey"),
            "{}",
            denied.challenge
        );
        let both = req(&[&["key", "bearer"]]);
        let denied = check(&s, &both, &headers(&[("x-api-key", "k")]), None).unwrap_err();
        assert_eq!(denied.violations.len(), 1);
        assert!(check(
            &s,
            &both,
            &headers(&[("x-api-key", "k"), ("authorization", "bearer t")]),
            None
        )
        .is_ok());
    }

    #[test]
    fn open_and_optional() {
        let s = schemes();
        assert!(check(&s, &[], &headers(&[]), None).is_ok());
        assert!(check(&s, &req(&[&["key"], &[]]), &headers(&[]), None).is_ok());
    }

    #[test]
    fn query_cookie_basic() {
        let s = schemes();
        assert!(check(&s, &req(&[&["qkey"]]), &headers(&[]), Some("a=1&api_key=z")).is_ok());
        assert!(check(&s, &req(&[&["qkey"]]), &headers(&[]), Some("api_key=")).is_err());
        assert!(check(
            &s,
            &req(&[&["ckey"]]),
            &headers(&[("cookie", "a=1; session=abc")]),
            None
        )
        .is_ok());
        assert!(check(
            &s,
            &req(&[&["basic"]]),
            &headers(&[("authorization", "Basic dXNlcjpwYXNz")]),
            None
        )
        .is_ok());
        assert!(check(
            &s,
            &req(&[&["basic"]]),
            &headers(&[("authorization", "Basic !!!")]),
            None
        )
        .is_err());
        assert!(check(
            &s,
            &req(&[&["basic"]]),
            &headers(&[("authorization", "Basic dXNlcg==")]),
            None
        )
        .is_err());
        assert!(check(
            &s,
            &req(&[&["oauth"]]),
            &headers(&[("authorization", "Bearer")]),
            None
        )
        .is_err());
    }

    #[test]
    fn basic_credentials_are_standard_base64() {
        let s = schemes();
        let basic = |value: &str| {
            check(
                &s,
                &req(&[&["basic"]]),
                &headers(&[("authorization", value)]),
                None,
            )
        };
        // `user:pa>?`: standard base64 has `+`/`/` where URL-safe has `-`/`_`.
        assert!(basic("Basic dXNlcjpwYT4/").is_ok());
        assert!(basic("Basic dXNlcjpwYT4_").is_err());
        // Padding may be left off.
        assert!(basic("Basic dXNlcjpw").is_ok());
        assert!(basic("Basic dXNlcjpwYQ").is_ok());
    }
}

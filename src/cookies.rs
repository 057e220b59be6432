//! The `Cookie` request header read one way for everyone: parameter validation, API keys in
//! cookies, scenario matching and `{{request.cookie.*}}` all see the same pairs. The `cookie`
//! crate splits and parses (RFC 6265 `cookie-string`); nothing here knows what a value means.

use cookie::Cookie;
use http::HeaderMap;

/// Every `name=value` pair of every `Cookie` header, in order, each value without surrounding
/// double quotes and not percent-decoded. A piece that is not a pair (no `=`, or no name) is
/// skipped; bytes that are not UTF-8 are replaced.
pub fn pairs(headers: &HeaderMap) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for header in headers.get_all(http::header::COOKIE) {
        let text = String::from_utf8_lossy(header.as_bytes());
        out.extend(
            Cookie::split_parse(text)
                .flatten()
                .map(|c| (c.name().to_owned(), c.value_trimmed().to_owned())),
        );
    }
    out
}

/// The value of the first cookie called `name` (as [`pairs`] reads it).
pub fn get(headers: &HeaderMap, name: &str) -> Option<String> {
    pairs(headers)
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(http::header::COOKIE, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn pairs_of_every_header_in_order() {
        let h = headers(&["a=1; b=\"two\" ;c=x=y", "d=; e", "=f; g = 7"]);
        let got: Vec<(String, String)> = pairs(&h);
        let want = [
            ("a", "1"),
            ("b", "two"),
            ("c", "x=y"),
            ("d", ""),
            ("g", "7"),
        ];
        assert_eq!(
            got,
            want.map(|(k, v)| (k.to_string(), v.to_string())).to_vec()
        );
        assert_eq!(get(&h, "c").as_deref(), Some("x=y"));
        assert_eq!(get(&h, "e"), None);
        assert_eq!(get(&headers(&["s=1; s=2"]), "s").as_deref(), Some("1"));
        assert_eq!(get(&headers(&["s=%41+"]), "s").as_deref(), Some("%41+"));
    }
}

//! What counts as a secret in a request or a response, and how it is hidden: used by the
//! call log (`server::calllog`) and by `stubborn record`'s journal, so both redact alike.

/// Headers whose values are never stored, whatever the document says.
pub const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
    "proxy-authorization",
];

/// What a secret is replaced with.
pub const REDACTED: &str = "[redacted]";

/// Headers as the log keeps them: names as given (`http` gives them in lower case), values as
/// lossy UTF-8, and credentials (see [`is_secret_header`]) replaced by [`REDACTED`].
pub fn redact_headers<'a>(
    headers: impl IntoIterator<Item = (&'a str, &'a [u8])>,
    declared: &[String],
) -> Vec<(String, String)> {
    headers
        .into_iter()
        .map(|(name, value)| {
            let value = if is_secret_header(name, declared) {
                REDACTED.to_string()
            } else {
                String::from_utf8_lossy(value).into_owned()
            };
            (name.to_string(), value)
        })
        .collect()
}

/// Is header `name` (lower case, as `http` gives it) a credential: one of
/// [`SECRET_HEADERS`], or one the document declares (`declared`, lower case)?
pub fn is_secret_header(name: &str, declared: &[String]) -> bool {
    SECRET_HEADERS.contains(&name) || declared.iter().any(|d| d == name)
}

/// The query string with the values of the parameters named in `declared` (the document's
/// API keys in the query) replaced by [`REDACTED`]; everything else as sent.
pub fn redact_query(query: &str, declared: &[String]) -> String {
    if declared.is_empty() {
        return query.to_string();
    }
    query
        .split('&')
        .map(|pair| {
            let (raw_name, _) = pair.split_once('=').unwrap_or((pair, ""));
            let name: String = form_urlencoded::parse(raw_name.as_bytes())
                .next()
                .map(|(k, _)| k.into_owned())
                .unwrap_or_default();
            if declared.contains(&name) {
                format!("{raw_name}={REDACTED}")
            } else {
                pair.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("&")
}

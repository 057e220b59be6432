//! The per-request log line: method, path, status, what answered, latency and violations, one
//! line per answered request.
//!
//! The command line writes it straight into its own buffered writer ([`RequestLog::Text`],
//! [`RequestLog::Json`]): a line is built in a reused buffer with no formatting machinery
//! beyond what numbers need, and handed over in one call. A program embedding the server gets
//! the same fields as a `tracing` event instead ([`RequestLog::Tracing`], the default), and its
//! own subscriber decides what becomes of it.

use std::cell::RefCell;
use std::io::Write as _;
use std::sync::Arc;

/// Where a finished line goes: called once per line, the line ending in `\n`.
pub type Sink = Arc<dyn Fn(&[u8]) + Send + Sync>;

/// How each answered request is logged.
#[derive(Clone, Default)]
pub enum RequestLog {
    /// A `tracing` event at INFO level with the fields as key-values.
    #[default]
    Tracing,
    /// Nothing.
    Off,
    /// `GET /pets 200 method="GET" path="/pets" status=200 matched="default" latency_ms=0.04
    /// violations=""`: tracing's compact format without colors (strings quoted and escaped as
    /// Rust's `Debug` does).
    Text(Sink),
    /// `{"timestamp":"…","message":"GET /pets 200","method":"GET",…}`: the fields tracing's
    /// JSON format writes for the event.
    Json(Sink),
}

impl std::fmt::Debug for RequestLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            RequestLog::Tracing => "Tracing",
            RequestLog::Off => "Off",
            RequestLog::Text(_) => "Text",
            RequestLog::Json(_) => "Json",
        })
    }
}

/// One request's line.
pub struct Line<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub status: u16,
    /// What answered (`x-stubborn-match`), empty when nothing matched.
    pub matched: &'a str,
    /// From the request's arrival to the answer being ready.
    pub latency: std::time::Duration,
    /// The violations, `; `-separated, empty when there are none.
    pub violations: &'a str,
    /// A proxied request's line says who answered instead of what matched.
    pub proxied: Option<Proxied<'a>>,
}

/// What a proxied request's line says besides.
pub struct Proxied<'a> {
    /// `upstream`, `mock` or `proxy`.
    pub source: &'a str,
    /// No operation matched.
    pub undocumented: bool,
    /// The upstream answer's violations, `; `-separated.
    pub response_violations: &'a str,
    /// Why the mock answered, what was not validated, `; `-separated.
    pub notes: &'a str,
}

thread_local! {
    /// Each worker thread's line buffer, reused from line to line.
    static BUFFER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// A line longer than this gives its buffer back after use rather than keep it.
const KEPT_CAPACITY: usize = 4096;

impl RequestLog {
    /// Whether a line would be written at all (the caller can skip building its parts).
    pub fn enabled(&self) -> bool {
        match self {
            RequestLog::Off => false,
            RequestLog::Tracing => tracing::enabled!(tracing::Level::INFO),
            RequestLog::Text(_) | RequestLog::Json(_) => true,
        }
    }

    pub fn write(&self, line: &Line<'_>) {
        let (sink, json) = match self {
            RequestLog::Off => return,
            RequestLog::Tracing => return line.trace(),
            RequestLog::Text(sink) => (sink, false),
            RequestLog::Json(sink) => (sink, true),
        };
        BUFFER.with(|buffer| {
            // A sink that logs through this very function would find the buffer taken.
            let Ok(mut buf) = buffer.try_borrow_mut() else {
                let mut own = Vec::new();
                line.format(&mut own, json);
                return sink(&own);
            };
            buf.clear();
            line.format(&mut buf, json);
            sink(&buf);
            if buf.capacity() > KEPT_CAPACITY {
                *buf = Vec::new();
            }
        });
    }
}

impl Line<'_> {
    /// The latency in milliseconds, rounded to the microsecond.
    fn latency_ms(&self) -> f64 {
        (self.latency.as_secs_f64() * 1e6).round() / 1000.0
    }

    fn trace(&self) {
        let latency_ms = self.latency_ms();
        let Some(p) = &self.proxied else {
            tracing::info!(
                method = self.method,
                path = self.path,
                status = self.status,
                matched = self.matched,
                latency_ms,
                violations = self.violations,
                "{} {} {}",
                self.method,
                self.path,
                self.status
            );
            return;
        };
        tracing::info!(
            method = self.method,
            path = self.path,
            status = self.status,
            source = p.source,
            undocumented = p.undocumented,
            latency_ms,
            violations = self.violations,
            response_violations = p.response_violations,
            notes = p.notes,
            "{} {} {} from {}",
            self.method,
            self.path,
            self.status,
            p.source
        );
    }

    fn format(&self, out: &mut Vec<u8>, json: bool) {
        if json {
            self.format_json(out)
        } else {
            self.format_text(out)
        }
    }

    fn format_text(&self, out: &mut Vec<u8>) {
        let status = itoa(self.status);
        out.extend_from_slice(self.method.as_bytes());
        out.push(b' ');
        out.extend_from_slice(self.path.as_bytes());
        out.push(b' ');
        out.extend_from_slice(status.as_bytes());
        if let Some(p) = &self.proxied {
            out.extend_from_slice(b" from ");
            out.extend_from_slice(p.source.as_bytes());
        }
        out.extend_from_slice(b" method=");
        debug_str(out, self.method);
        out.extend_from_slice(b" path=");
        debug_str(out, self.path);
        out.extend_from_slice(b" status=");
        out.extend_from_slice(status.as_bytes());
        match &self.proxied {
            None => {
                out.extend_from_slice(b" matched=");
                debug_str(out, self.matched);
            }
            Some(p) => {
                out.extend_from_slice(b" source=");
                debug_str(out, p.source);
                out.extend_from_slice(b" undocumented=");
                out.extend_from_slice(if p.undocumented { b"true" } else { b"false" });
            }
        }
        out.extend_from_slice(b" latency_ms=");
        millis(out, self.latency);
        out.extend_from_slice(b" violations=");
        debug_str(out, self.violations);
        if let Some(p) = &self.proxied {
            out.extend_from_slice(b" response_violations=");
            debug_str(out, p.response_violations);
            out.extend_from_slice(b" notes=");
            debug_str(out, p.notes);
        }
        out.push(b'\n');
    }

    fn format_json(&self, out: &mut Vec<u8>) {
        let status = itoa(self.status);
        let now = chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now())
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        out.extend_from_slice(b"{\"timestamp\":\"");
        out.extend_from_slice(now.as_bytes());
        out.extend_from_slice(b"\",\"message\":\"");
        json_inner(out, self.method);
        out.push(b' ');
        json_inner(out, self.path);
        out.push(b' ');
        out.extend_from_slice(status.as_bytes());
        if let Some(p) = &self.proxied {
            out.extend_from_slice(b" from ");
            json_inner(out, p.source);
        }
        out.extend_from_slice(b"\",\"method\":");
        json_str(out, self.method);
        out.extend_from_slice(b",\"path\":");
        json_str(out, self.path);
        out.extend_from_slice(b",\"status\":");
        out.extend_from_slice(status.as_bytes());
        match &self.proxied {
            None => {
                out.extend_from_slice(b",\"matched\":");
                json_str(out, self.matched);
            }
            Some(p) => {
                out.extend_from_slice(b",\"source\":");
                json_str(out, p.source);
                out.extend_from_slice(b",\"undocumented\":");
                out.extend_from_slice(if p.undocumented { b"true" } else { b"false" });
            }
        }
        out.extend_from_slice(b",\"latency_ms\":");
        millis(out, self.latency);
        out.extend_from_slice(b",\"violations\":");
        json_str(out, self.violations);
        if let Some(p) = &self.proxied {
            out.extend_from_slice(b",\"response_violations\":");
            json_str(out, p.response_violations);
            out.extend_from_slice(b",\"notes\":");
            json_str(out, p.notes);
        }
        out.extend_from_slice(b"}\n");
    }
}

/// A status code's digits.
fn itoa(n: u16) -> Digits {
    let mut buf = [0; 20];
    let len = crate::respond::decimal(u64::from(n), &mut buf).len();
    Digits(buf, 20 - len)
}

/// A number's decimal digits, at the end of the buffer.
struct Digits([u8; 20], usize);

impl Digits {
    fn as_bytes(&self) -> &[u8] {
        &self.0[self.1..]
    }

    #[cfg(test)]
    fn as_str(&self) -> &str {
        std::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }
}

/// Milliseconds with up to three decimals, as Rust's `Debug` prints the rounded `f64`
/// (`0.035`, `12.5`, `3.0`).
fn millis(out: &mut Vec<u8>, latency: std::time::Duration) {
    let micros = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
    let (whole, mut frac) = (micros / 1000, micros % 1000);
    let mut buf = [0; 20];
    out.extend_from_slice(crate::respond::decimal(whole, &mut buf));
    out.push(b'.');
    if frac == 0 {
        out.push(b'0');
        return;
    }
    let mut digits = 3;
    while frac % 10 == 0 {
        frac /= 10;
        digits -= 1;
    }
    let text = crate::respond::decimal(frac, &mut buf);
    // Leading zeros of the fraction: 5 µs is `0.005`.
    out.extend(std::iter::repeat_n(b'0', digits - text.len()));
    out.extend_from_slice(text);
}

/// A string quoted and escaped as `{:?}` does; the common all-printable-ASCII case copied as it
/// is.
fn debug_str(out: &mut Vec<u8>, s: &str) {
    let plain = s
        .bytes()
        .all(|b| (b' '..=b'~').contains(&b) && b != b'"' && b != b'\\');
    if plain {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    } else {
        let _ = write!(out, "{s:?}");
    }
}

/// A string as a JSON string.
fn json_str(out: &mut Vec<u8>, s: &str) {
    let _ = serde_json::to_writer(&mut *out, s);
}

/// A string escaped for JSON, without its quotes (part of a longer string).
fn json_inner(out: &mut Vec<u8>, s: &str) {
    let start = out.len();
    json_str(out, s);
    out.pop();
    out.remove(start);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn line(path: &str, violations: &str, micros: u64) -> Line<'static> {
        Line {
            method: "GET",
            path: Box::leak(path.to_string().into_boxed_str()),
            status: 422,
            matched: "",
            latency: Duration::from_micros(micros),
            violations: Box::leak(violations.to_string().into_boxed_str()),
            proxied: None,
        }
    }

    fn text(l: &Line<'_>) -> String {
        let mut out = Vec::new();
        l.format_text(&mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn text_is_tracings_compact_format() {
        let l = line("/pets", "query limit: must be >= 1, got 0", 850);
        assert_eq!(
            text(&l),
            "GET /pets 422 method=\"GET\" path=\"/pets\" status=422 matched=\"\" \
             latency_ms=0.85 violations=\"query limit: must be >= 1, got 0\"\n"
        );
    }

    #[test]
    fn strings_are_escaped_as_debug_does() {
        let l = line("/pets", "body /name: \"x\" is not a number\tnor \u{7f}", 0);
        let t = text(&l);
        assert!(
            t.contains(r#"violations="body /name: \"x\" is not a number\tnor \u{7f}""#),
            "{t}"
        );
    }

    #[test]
    fn latency_prints_as_the_rounded_float_does() {
        for micros in [0u64, 1, 10, 35, 100, 850, 1000, 1500, 12_345, 3_000_000] {
            let mut out = Vec::new();
            millis(&mut out, Duration::from_micros(micros));
            let expected = format!("{:?}", (micros as f64).round() / 1000.0);
            assert_eq!(String::from_utf8(out).unwrap(), expected, "{micros} µs");
        }
    }

    #[test]
    fn json_lines_parse_and_carry_every_field() {
        let l = line("/pe\"ts", "a \"b\"", 35);
        let mut out = Vec::new();
        l.format_json(&mut out);
        assert_eq!(out.last(), Some(&b'\n'));
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["message"], "GET /pe\"ts 422");
        assert_eq!(v["path"], "/pe\"ts");
        assert_eq!(v["status"], 422);
        assert_eq!(v["latency_ms"], 0.035);
        assert_eq!(v["violations"], "a \"b\"");
        assert!(v["timestamp"].as_str().unwrap().ends_with('Z'));
    }

    #[test]
    fn a_proxied_line_says_who_answered() {
        let mut l = line("/pets", "", 1500);
        l.proxied = Some(Proxied {
            source: "upstream",
            undocumented: false,
            response_violations: "body /id: must be an integer",
            notes: "",
        });
        assert_eq!(
            text(&l),
            "GET /pets 422 from upstream method=\"GET\" path=\"/pets\" status=422 \
             source=\"upstream\" undocumented=false latency_ms=1.5 violations=\"\" \
             response_violations=\"body /id: must be an integer\" notes=\"\"\n"
        );
        let mut out = Vec::new();
        l.format_json(&mut out);
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["message"], "GET /pets 422 from upstream");
        assert_eq!(v["undocumented"], false);
        assert_eq!(v["response_violations"], "body /id: must be an integer");
    }

    #[test]
    fn status_digits() {
        assert_eq!(itoa(0).as_str(), "0");
        assert_eq!(itoa(200).as_str(), "200");
        assert_eq!(itoa(u16::MAX).as_str(), "65535");
    }

    #[test]
    fn millis_prints_as_debug_prints_the_rounded_milliseconds() {
        for micros in [
            0u64, 1, 5, 10, 35, 100, 999, 1000, 1001, 3000, 12_500, 123_456, 9_000_050,
        ] {
            let mut out = Vec::new();
            millis(&mut out, std::time::Duration::from_micros(micros));
            let expected = format!("{:?}", micros as f64 / 1000.0);
            assert_eq!(String::from_utf8(out).unwrap(), expected, "{micros} µs");
        }
    }
}

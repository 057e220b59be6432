//! Strings: `x-faker` hints, then `format`, then the property name, then `pattern`, then
//! English words ([`super::prose`]; lorem ipsum only for `x-faker: lorem.*`), always within `minLength`/`maxLength` (counted in characters) and matching
//! every `pattern`.

use super::faker::{text_shape, Kind, TextStyle};
use super::kw::as_u64;
use super::locale::{source, Field};
use super::{format, pattern, Conj, Gen, GenError, Hint, Ptr};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::Value;

/// Which words free text is made of.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Vocab {
    /// Sentences, titles, tags and words in English ([`super::prose`]).
    English,
    /// Names of things ("Silver Harbor") where a title case style is asked for.
    Label,
    /// Lorem ipsum, where `x-faker: lorem.*` asks for it.
    Lorem,
}

/// The reason `--explain` gives for a string nothing was known about.
pub(crate) const FILLER: &str =
    "filler: nothing in the name, description or document says what it holds";

/// Longest string generated; a larger `minLength` is reported as unsatisfiable in practice.
const MAX_STRING: usize = 16 << 20;

/// Everything that constrains a string at one position.
struct StringRules<'a> {
    lo: usize,
    hi: Option<usize>,
    patterns: Vec<(&'a str, Ptr)>,
    format: Option<&'a str>,
}

impl StringRules<'_> {
    /// Lengths, patterns and `format`: for candidates not built for the format.
    fn accepts_all(&self, s: &str) -> bool {
        self.accepts(s) && self.format.is_none_or(|f| format::is_valid(f, s))
    }

    /// Lengths and patterns: for candidates built for the format (valid by construction).
    fn accepts(&self, s: &str) -> bool {
        if self.lo > 0 || self.hi.is_some() {
            let n = s.chars().count();
            if n < self.lo || self.hi.is_some_and(|h| n > h) {
                return false;
            }
        }
        self.patterns.iter().all(|(p, _)| pattern::is_match(p, s))
    }
}

impl<'a, 'r> Gen<'a, 'r> {
    fn string_rules(&mut self, conj: &Conj<'a>) -> Result<StringRules<'a>, GenError> {
        let mut lo: u64 = 0;
        let mut hi: Option<u64> = None;
        let mut hi_part = None;
        let mut patterns = Vec::new();
        let mut format = None;
        for p in &conj.parts {
            if let Some(n) = as_u64(self.kw(p).min_length()) {
                lo = lo.max(n);
            }
            if let Some(n) = as_u64(self.kw(p).max_length()) {
                if hi.is_none_or(|h| n < h) {
                    hi = Some(n);
                    hi_part = Some(p.ptr);
                }
            }
            if let Some(pat) = self.kw(p).pattern().and_then(Value::as_str) {
                let at = self.at_key(p.ptr, "pattern");
                if !pattern::get(pat).is_valid() {
                    return Err(self.err(at, format!("`{pat}` is not a valid regular expression")));
                }
                patterns.push((pat, at));
            }
            if format.is_none() {
                format = self.kw(p).format().and_then(Value::as_str);
            }
        }
        if let (Some(h), Some(ptr)) = (hi, hi_part) {
            if h < lo {
                let at = self.at_key(ptr, "maxLength");
                return Err(self.err(at, format!("maxLength {h} is below minLength {lo}")));
            }
        }
        if lo > MAX_STRING as u64 {
            return Err(self.err(conj.at, format!("minLength {lo} is too large to generate")));
        }
        Ok(StringRules {
            lo: lo as usize,
            hi: hi.map(|h| h.min(usize::MAX as u64) as usize),
            patterns,
            format,
        })
    }

    pub(super) fn gen_string(
        &mut self,
        conj: &Conj<'a>,
        hint: Hint<'a>,
    ) -> Result<Value, GenError> {
        let rules = self.string_rules(conj)?;
        let (lo, hi) = (rules.lo, rules.hi);
        if hint.explicit {
            // `x-faker: lorem.*` asks for lorem ipsum, the one place it is written.
            if let Some(s) = self.lorem_string(hint.kind, lo, hi) {
                if rules.accepts_all(&s) {
                    self.note(|| "x-faker asks for lorem ipsum".into());
                    return Ok(Value::String(s));
                }
            }
            if let Some(s) = self.fake_string(hint.kind, rules.format, lo, hi) {
                if rules.accepts_all(&s) {
                    self.note(|| format!("x-faker names it ({:?})", hint.kind));
                    return Ok(Value::String(s));
                }
            }
        }
        if let Some(f) = rules.format {
            // Patterns on top of a format (`^2024-` on a date) may need a few draws.
            let tries = if rules.patterns.is_empty() { 1 } else { 32 };
            for _ in 0..tries {
                match self.format_string(f, lo, hi, hint.kind) {
                    Some(s) if rules.accepts(&s) => {
                        self.note(|| format!("format: {f}"));
                        return Ok(Value::String(s));
                    }
                    Some(_) => {}
                    None => break,
                }
            }
        }
        // What the document itself says: its values for this name elsewhere, the shape of
        // the ids it references (src/generate/hints.rs).
        if !hint.explicit && rules.patterns.is_empty() {
            if let Some((s, why)) = self.hinted_string(conj, &hint, lo, hi) {
                if rules.accepts_all(&s) {
                    self.note(|| why);
                    return Ok(Value::String(s));
                }
            }
        }
        if !hint.explicit && hint.kind != Kind::None {
            if let Some(s) = self.fake_string(hint.kind, rules.format, lo, hi) {
                if rules.accepts_all(&s) {
                    self.note(|| match hint.name {
                        Some(n) => format!("the name `{n}` ({:?})", hint.kind),
                        None => format!("the enclosing property's name ({:?})", hint.kind),
                    });
                    return Ok(Value::String(s));
                }
            }
        }
        // The name said nothing: the schema's own words may (`description`, `title`).
        if !hint.explicit && hint.kind == Kind::None && rules.patterns.is_empty() {
            if let Some((kind, why)) = self.described_kind(conj) {
                if let Some(s) = self.fake_string(kind, rules.format, lo, hi) {
                    if rules.accepts_all(&s) {
                        self.note(|| format!("{why} ({kind:?})"));
                        return Ok(Value::String(s));
                    }
                }
            }
        }
        if !rules.patterns.is_empty() {
            self.note(|| "pattern".into());
            return self.string_from_patterns(&rules).map(Value::String);
        }
        for _ in 0..4 {
            let s = self.text(lo, hi, 5, 24, TextStyle::Words);
            if rules.accepts_all(&s) {
                self.note(|| FILLER.into());
                return Ok(Value::String(s));
            }
            if rules.format.is_none() {
                break;
            }
        }
        let at = self.at_key(conj.at, "format");
        Err(self.err(
            at,
            format!(
                "no `{}` string fits the length bounds",
                rules.format.unwrap_or("string")
            ),
        ))
    }

    /// A string matching every pattern within the length bounds: sampled from each pattern
    /// in turn with growing repetition caps, padded where an unanchored pattern allows.
    fn string_from_patterns(&mut self, rules: &StringRules<'a>) -> Result<String, GenError> {
        let (lo, hi) = (rules.lo, rules.hi);
        let small = hi.map_or(8, |h| h.clamp(1, 8)) as u32;
        let large = lo.clamp(8, 4096) as u32;
        let caps = [
            small,
            small.max(16).min(hi.unwrap_or(16).max(1) as u32),
            large,
        ];
        for &(source, _) in &rules.patterns {
            let compiled = pattern::get(source);
            if lo > 0 || hi.is_some() {
                for _ in 0..8 {
                    match compiled.sample_sized(self.rng, lo, hi) {
                        Some(s) if rules.accepts_all(&s) => return Ok(s),
                        Some(_) => {}
                        None => break,
                    }
                }
            }
            for attempt in 0..36 {
                let cap = caps[attempt / 12];
                let Some(s) = compiled.sample(self.rng, cap) else {
                    break;
                };
                if rules.accepts_all(&s) {
                    return Ok(s);
                }
                let n = s.chars().count();
                if n < lo {
                    // Unanchored patterns still match with text around the match.
                    let filler = self.text(lo - n, Some(lo - n), lo - n, lo - n, TextStyle::Words);
                    for padded in [format!("{s}{filler}"), format!("{filler}{s}")] {
                        if rules.accepts_all(&padded) {
                            return Ok(padded);
                        }
                    }
                } else if let Some(h) = hi.filter(|h| n > *h) {
                    let cut: String = s.chars().take(h).collect();
                    if rules.accepts_all(&cut) {
                        return Ok(cut);
                    }
                }
            }
        }
        // Patterns the sampler cannot build from (or only builds badly for) may still accept
        // ordinary text.
        for _ in 0..8 {
            let s = self.text(lo, hi, 3, 16, TextStyle::OneWord);
            if rules.accepts_all(&s) {
                return Ok(s);
            }
        }
        let at = rules.patterns.first().map_or(Ptr(0), |(_, p)| *p);
        Err(self.err(
            at,
            "could not generate a string matching `pattern` within the length bounds",
        ))
    }

    /// English text of `lo..=hi` characters, aiming for `nlo..=nhi` when the bounds allow.
    pub(super) fn text(
        &mut self,
        lo: usize,
        hi: Option<usize>,
        nlo: usize,
        nhi: usize,
        style: TextStyle,
    ) -> String {
        self.text_in(lo, hi, nlo, nhi, style, Vocab::English)
    }

    /// Text for a text-like `kind` (`Label`s are names of things, the rest by `style`).
    pub(super) fn kind_text(
        &mut self,
        kind: Kind,
        lo: usize,
        hi: Option<usize>,
        nlo: usize,
        nhi: usize,
        style: TextStyle,
    ) -> String {
        let vocab = if kind == Kind::Label {
            Vocab::Label
        } else {
            Vocab::English
        };
        self.text_in(lo, hi, nlo, nhi, style, vocab)
    }

    /// Lorem ipsum for `x-faker: lorem.*` kinds (`Sentence`, `Paragraph`, `Word`, `Slug`);
    /// `None` for other kinds and where the locale has its own prose.
    fn lorem_string(&mut self, kind: Kind, lo: usize, hi: Option<usize>) -> Option<String> {
        if source(self.opts.locale, Field::Prose) != crate::generate::Locale::En {
            return None;
        }
        if kind == Kind::Slug {
            let n = self.between(2, 4);
            let words: Vec<&str> = (0..n).map(|_| self.lorem_word()).collect();
            return Some(words.join("-"));
        }
        let (nlo, nhi, style) = text_shape(kind)?;
        if !matches!(kind, Kind::Sentence | Kind::Paragraph | Kind::Word) {
            return None;
        }
        Some(self.text_in(lo, hi, nlo, nhi, style, Vocab::Lorem))
    }

    fn text_in(
        &mut self,
        lo: usize,
        hi: Option<usize>,
        nlo: usize,
        nhi: usize,
        style: TextStyle,
        vocab: Vocab,
    ) -> String {
        let hi = hi.unwrap_or(usize::MAX).max(lo);
        if hi == 0 {
            return String::new();
        }
        let target = {
            let (a, b) = (lo.max(nlo), hi.min(nhi));
            if a <= b {
                self.between(a as i64, b as i64) as usize
            } else if hi < nlo {
                self.between(lo as i64, hi as i64) as usize
            } else {
                lo
            }
        };
        if target > 4096 {
            // Long strings: repeat a chunk of text (cheap), cut exactly to length.
            let chunk = self.text_in(200, Some(240), 200, 240, style, vocab);
            let mut out = String::with_capacity(target + 256);
            while out.len() < target {
                out.push_str(&chunk);
                out.push(' ');
            }
            out.truncate(target);
            if out.ends_with(' ') {
                out.pop();
                out.push('s');
            }
            return out;
        }
        match vocab {
            Vocab::Lorem => self.lorem_text(lo, hi, target, style),
            Vocab::English => self.english_text(lo, hi, target, style, false),
            Vocab::Label => self.english_text(lo, hi, target, style, true),
        }
    }

    /// A string in `format`, sized to the bounds where the format allows; `None` for formats
    /// this generator does not know.
    fn format_string(
        &mut self,
        format: &str,
        lo: usize,
        hi: Option<usize>,
        kind: Kind,
    ) -> Option<String> {
        Some(match format {
            "date-time" | "date" | "time" => self.instant_string(kind, Some(format)),
            "duration" => match self.index(4) {
                0 => format!("P{}D", self.between(1, 30)),
                1 => format!("PT{}H{}M", self.between(1, 23), self.between(1, 59)),
                2 => format!("PT{}M", self.between(1, 59)),
                _ => format!("P{}DT{}H", self.between(1, 14), self.between(1, 23)),
            },
            "email" | "idn-email" => {
                let email = self.with_persona(|p| p.email());
                if hi.is_some_and(|h| email.len() > h) {
                    short_email(hi.unwrap_or(6))?
                } else {
                    email
                }
            }
            "uuid" | "guid" => self.uuid(),
            "uri" | "url" | "iri" => {
                if kind == Kind::Image {
                    self.image_url()
                } else {
                    self.url()
                }
            }
            "uri-reference" | "iri-reference" => {
                format!("/{}/{}", self.word(), self.between(1, 9999))
            }
            "uri-template" => format!("https://{}/{}/{{id}}", self.domain(), self.word()),
            "hostname" | "idn-hostname" => self.domain(),
            "ipv4" => self.ipv4(),
            "ipv6" => self.ipv6(),
            "byte" => self.base64(lo, hi)?,
            "binary" => {
                let top = hi.unwrap_or(32).max(lo).min(lo.max(8) + 64);
                let n = self.between(lo.max(8) as i64, top as i64);
                self.alphanumeric(n as usize)
            }
            "password" => {
                let want = hi.map_or(12, |h| h.min(12)).max(lo);
                self.password(want, hi)
            }
            "regex" => "^[a-z0-9_-]{3,16}$".to_string(),
            "json-pointer" => format!("/{}/{}", self.word(), self.between(0, 9)),
            "relative-json-pointer" => format!("{}/{}", self.between(0, 3), self.word()),
            "int32" | "int64" | "integer" => self.between(1, 100_000).to_string(),
            "float" | "double" | "number" | "decimal" => {
                format!("{:.2}", self.rng_f64(1.0, 1000.0))
            }
            "phone" | "tel" => return self.fake_string(Kind::Phone, None, lo, hi),
            "country-code" | "iso-country-code" => {
                return self.fake_string(Kind::CountryCode, None, lo, hi)
            }
            "currency" | "iso-4217" => return self.fake_string(Kind::Currency, None, lo, hi),
            "unix-time" | "timestamp" => self.instant_for(kind).to_string(),
            "semver" => return self.fake_string(Kind::Version, None, lo, hi),
            _ => return None,
        })
    }

    /// Base64 of random bytes, its length (a multiple of 4) within the bounds.
    fn base64(&mut self, lo: usize, hi: Option<usize>) -> Option<String> {
        let natural = self.between(2, 8) as usize * 4;
        let mut len = natural.max(lo.div_ceil(4) * 4);
        if let Some(h) = hi {
            if len > h {
                len = h / 4 * 4;
            }
            if len < lo {
                return None;
            }
        }
        let bytes = len / 4 * 3;
        let mut raw = Vec::with_capacity(bytes);
        for _ in 0..bytes {
            raw.push(self.between(0, 255) as u8);
        }
        Some(STANDARD.encode(raw))
    }

    fn alphanumeric(&mut self, n: usize) -> String {
        const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        (0..n)
            .map(|_| CHARS[self.index(CHARS.len())] as char)
            .collect()
    }
}

/// The shortest believable addresses, for tight `maxLength`s (`a@b.io` is 6 characters).
fn short_email(max: usize) -> Option<String> {
    ["ann@ex.io", "a@ex.io", "a@b.io"]
        .into_iter()
        .find(|e| e.len() <= max)
        .map(str::to_string)
}

//! `pattern` support: matching a string the way the validator does, and sampling strings that
//! match.
//!
//! Patterns are ECMA-262 regular expressions. Matching goes through the same translation
//! (`jsonschema_regex::to_rust_regex`) and engine (`fancy_regex`) as the `jsonschema` validator,
//! so "matches here" means "matches there". Sampling uses `rand_regex`, which cannot handle
//! anchors or look-arounds, so the parsed expression is rewritten first:
//!
//! * anchors and word boundaries are dropped (the sample is the whole string, so `^`/`$` hold
//!   anyway; a misplaced anchor is caught by the check that every sample goes through);
//! * look-arounds are cut out of the source text (the sample is then filtered by the real
//!   pattern, which is good enough for the usual "at least one digit" password rules);
//! * every character class is narrowed to printable ASCII where that leaves anything, so `\d`
//!   gives `0-9` rather than any Unicode digit and `.` gives readable text.
//!
//! Compiling is far more expensive than sampling, so compiled forms are cached per thread,
//! keyed by the pattern text (and, for samplers, by the repetition cap).

use rand::distr::Distribution;
use rand_chacha::ChaCha8Rng;
use regex_syntax::hir::{
    Class, ClassBytes, ClassBytesRange, ClassUnicode, ClassUnicodeRange, Hir, HirKind,
};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// Entries kept per thread before the cache is dropped and rebuilt; bounds memory when an API
/// has an unbounded supply of patterns (it never does in practice).
const CACHE_LIMIT: usize = 4096;

/// One pattern, compiled lazily for matching and for sampling.
pub(crate) struct Pattern {
    /// The matcher, `None` when the pattern is not a valid regex (then nothing matches, which
    /// is also what a schema with a broken pattern amounts to).
    check: Option<fancy_regex::Regex>,
    /// The rewritten expression samplers are built from, `None` when it cannot be parsed.
    hir: Option<Hir>,
    /// Samplers by repetition cap (`x*` becomes `x{0,cap}`); a handful at most.
    samplers: RefCell<Vec<(u32, Option<Rc<rand_regex::Regex>>)>>,
    /// Samplers fitted to length bounds (see [`fit_length`]), by bounds.
    sized: RefCell<Vec<(LengthBounds, Option<Rc<rand_regex::Regex>>)>>,
}

/// `minLength`/`maxLength` a sample should meet.
type LengthBounds = (usize, Option<usize>);

thread_local! {
    static CACHE: RefCell<HashMap<Box<str>, Rc<Pattern>>> = RefCell::new(HashMap::new());
}

/// The compiled form of `source`, from the per-thread cache.
pub(crate) fn get(source: &str) -> Rc<Pattern> {
    if let Some(found) = CACHE.with(|c| c.borrow().get(source).cloned()) {
        return found;
    }
    let compiled = Rc::new(Pattern::compile(source));
    CACHE.with(|c| {
        let mut cache = c.borrow_mut();
        if cache.len() >= CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(source.into(), Rc::clone(&compiled));
    });
    compiled
}

/// Whether `text` matches `source` (an unanchored search, as JSON Schema specifies).
pub(crate) fn is_match(source: &str, text: &str) -> bool {
    get(source).is_match(text)
}

impl Pattern {
    fn compile(source: &str) -> Self {
        let check = jsonschema_regex::to_rust_regex(source)
            .ok()
            .and_then(|translated| fancy_regex::Regex::new(&translated).ok());
        let hir = if check.is_some() {
            sampling_hir(source)
        } else {
            None
        };
        Pattern {
            check,
            hir,
            samplers: RefCell::new(Vec::new()),
            sized: RefCell::new(Vec::new()),
        }
    }

    /// Whether the pattern compiled at all.
    pub(crate) fn is_valid(&self) -> bool {
        self.check.is_some()
    }

    /// Whether `text` matches; a pattern that does not compile, or a match that exceeds the
    /// engine's backtracking limit, counts as no match.
    pub(crate) fn is_match(&self, text: &str) -> bool {
        self.check
            .as_ref()
            .is_some_and(|re| re.is_match(text).unwrap_or(false))
    }

    /// A string built from the pattern, where `*`, `+` and `{n,}` repeat at most `max_repeat`
    /// extra times. Not yet checked against the pattern: callers filter with [`is_match`].
    ///
    /// [`is_match`]: Pattern::is_match
    pub(crate) fn sample(&self, rng: &mut ChaCha8Rng, max_repeat: u32) -> Option<String> {
        let sampler = self.sampler(max_repeat)?;
        let sampled: Result<String, _> = sampler.sample(rng);
        sampled.ok()
    }

    /// A string built to have `lo..=hi` characters, for patterns whose length varies through a
    /// single repetition (`^[0-9a-f]+$` with `minLength: 40, maxLength: 40`), where sampling
    /// and filtering would rarely hit the length. `None` for other shapes.
    pub(crate) fn sample_sized(
        &self,
        rng: &mut ChaCha8Rng,
        lo: usize,
        hi: Option<usize>,
    ) -> Option<String> {
        let hir = self.hir.as_ref()?;
        let sampler = {
            let mut sized = self.sized.borrow_mut();
            match sized.iter().find(|(b, _)| *b == (lo, hi)) {
                Some((_, s)) => s.clone(),
                None => {
                    let built = fit_length(hir, lo, hi.unwrap_or(lo.saturating_add(16)))
                        .and_then(|fitted| rand_regex::Regex::with_hir(fitted, 0).ok())
                        .map(Rc::new);
                    if sized.len() >= 8 {
                        sized.remove(0);
                    }
                    sized.push(((lo, hi), built.clone()));
                    built
                }
            }
        }?;
        let sampled: Result<String, _> = sampler.sample(rng);
        sampled.ok()
    }

    fn sampler(&self, max_repeat: u32) -> Option<Rc<rand_regex::Regex>> {
        let hir = self.hir.as_ref()?;
        let mut samplers = self.samplers.borrow_mut();
        if let Some((_, s)) = samplers.iter().find(|(cap, _)| *cap == max_repeat) {
            return s.clone();
        }
        let built = rand_regex::Regex::with_hir(hir.clone(), max_repeat)
            .ok()
            .map(Rc::new);
        if samplers.len() >= 8 {
            samplers.remove(0);
        }
        samplers.push((max_repeat, built.clone()));
        built
    }
}

/// Parses `source` for sampling: look-arounds cut out, then translated from ECMA-262 and
/// rewritten by [`simplify`].
fn sampling_hir(source: &str) -> Option<Hir> {
    let stripped = strip_lookarounds(source);
    let translated = jsonschema_regex::to_rust_regex(&stripped).ok()?;
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(&translated)
        .ok()?;
    Some(simplify(hir))
}

/// Removes `(?=…)`, `(?!…)`, `(?<=…)` and `(?<!…)` groups and backreferences (`\1`) from a
/// pattern's source text: what `rand_regex` cannot sample. Samples are checked against the
/// real pattern afterwards.
fn strip_lookarounds(source: &str) -> std::borrow::Cow<'_, str> {
    let has_backref = source
        .as_bytes()
        .windows(2)
        .any(|w| w[0] == b'\\' && (b'1'..=b'9').contains(&w[1]));
    if !has_backref
        && !source.contains("(?=")
        && !source.contains("(?!")
        && !source.contains("(?<=")
        && !source.contains("(?<!")
    {
        return std::borrow::Cow::Borrowed(source);
    }
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let mut i = 0;
    let mut in_class = false;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            match chars.get(i + 1) {
                Some(d) if !in_class && ('1'..='9').contains(d) => {
                    // A backreference: drop it with its digits.
                    i += 2;
                    while chars.get(i).is_some_and(char::is_ascii_digit) {
                        i += 1;
                    }
                }
                Some(&next) => {
                    out.push(c);
                    out.push(next);
                    i += 2;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
            continue;
        }
        if in_class {
            if c == ']' {
                in_class = false;
            }
            out.push(c);
            i += 1;
            continue;
        }
        if c == '[' {
            in_class = true;
            out.push(c);
            i += 1;
            continue;
        }
        let rest = &chars[i..];
        let opener = if rest.starts_with(&['(', '?', '=']) || rest.starts_with(&['(', '?', '!']) {
            3
        } else if rest.starts_with(&['(', '?', '<', '=']) || rest.starts_with(&['(', '?', '<', '!'])
        {
            4
        } else {
            0
        };
        if opener == 0 {
            out.push(c);
            i += 1;
            continue;
        }
        // Skip to the matching `)`, honouring escapes and classes inside the group.
        let mut depth = 1usize;
        let mut j = i + opener;
        let mut class = false;
        while j < chars.len() && depth > 0 {
            match chars[j] {
                '\\' => j += 1,
                '[' if !class => class = true,
                ']' if class => class = false,
                '(' if !class => depth += 1,
                ')' if !class => depth -= 1,
                _ => {}
            }
            j += 1;
        }
        i = j;
        // A quantifier on a look-around (`(?=a)*`) is legal but meaningless; drop it too.
        if let Some(&q) = chars.get(i) {
            if matches!(q, '*' | '+' | '?') {
                i += 1;
            }
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Rewrites an expression so `rand_regex` accepts it and samples readable text: assertions
/// become empty, classes are narrowed to printable ASCII where that leaves anything.
fn simplify(hir: Hir) -> Hir {
    match hir.into_kind() {
        HirKind::Look(_) | HirKind::Empty => Hir::empty(),
        HirKind::Literal(lit) => Hir::literal(lit.0),
        HirKind::Class(Class::Unicode(class)) => Hir::class(Class::Unicode(narrow_unicode(class))),
        HirKind::Class(Class::Bytes(class)) => Hir::class(Class::Bytes(narrow_bytes(class))),
        HirKind::Repetition(mut rep) => {
            let sub = std::mem::replace(&mut rep.sub, Box::new(Hir::empty()));
            rep.sub = Box::new(simplify(*sub));
            Hir::repetition(rep)
        }
        HirKind::Capture(mut cap) => {
            let sub = std::mem::replace(&mut cap.sub, Box::new(Hir::empty()));
            cap.sub = Box::new(simplify(*sub));
            Hir::capture(cap)
        }
        HirKind::Concat(subs) => Hir::concat(subs.into_iter().map(simplify).collect()),
        HirKind::Alternation(subs) => Hir::alternation(subs.into_iter().map(simplify).collect()),
    }
}

/// `hir` with its one variable-length repetition bounded so every match has `lo..=hi` bytes
/// (characters, for the ASCII classes [`simplify`] leaves), or `None` when the expression is
/// not a fixed-width frame around a single repetition of a fixed-width piece.
fn fit_length(hir: &Hir, lo: usize, hi: usize) -> Option<Hir> {
    let props = hir.properties();
    let fixed = props
        .maximum_len()
        .filter(|max| Some(*max) == props.minimum_len());
    if let Some(width) = fixed {
        return (lo..=hi).contains(&width).then(|| hir.clone());
    }
    match hir.kind() {
        HirKind::Capture(cap) => fit_length(&cap.sub, lo, hi).map(|sub| {
            Hir::capture(regex_syntax::hir::Capture {
                index: cap.index,
                name: cap.name.clone(),
                sub: Box::new(sub),
            })
        }),
        HirKind::Repetition(rep) => {
            let sub = rep.sub.properties();
            let width = sub
                .maximum_len()
                .filter(|w| Some(*w) == sub.minimum_len() && *w > 0)?;
            let c_lo = (rep.min as usize).max(lo.div_ceil(width));
            let c_hi = rep.max.map_or(usize::MAX, |m| m as usize).min(hi / width);
            if c_lo > c_hi {
                return None;
            }
            Some(Hir::repetition(regex_syntax::hir::Repetition {
                min: u32::try_from(c_lo).ok()?,
                max: Some(u32::try_from(c_hi).ok()?),
                greedy: rep.greedy,
                sub: rep.sub.clone(),
            }))
        }
        HirKind::Concat(subs) => {
            let mut variable = None;
            let mut frame = 0usize;
            for (i, sub) in subs.iter().enumerate() {
                let p = sub.properties();
                match p.maximum_len().filter(|max| Some(*max) == p.minimum_len()) {
                    Some(w) => frame += w,
                    None if variable.is_none() => variable = Some(i),
                    None => return None,
                }
            }
            let i = variable?;
            let fitted = fit_length(&subs[i], lo.saturating_sub(frame), hi.checked_sub(frame)?)?;
            let mut parts = subs.to_vec();
            parts[i] = fitted;
            Some(Hir::concat(parts))
        }
        _ => None,
    }
}

fn narrow_unicode(class: ClassUnicode) -> ClassUnicode {
    let mut narrowed = class.clone();
    narrowed.intersect(&ClassUnicode::new([ClassUnicodeRange::new(' ', '~')]));
    if narrowed.ranges().is_empty() {
        class
    } else {
        narrowed
    }
}

fn narrow_bytes(class: ClassBytes) -> ClassBytes {
    let mut narrowed = class.clone();
    narrowed.intersect(&ClassBytes::new([ClassBytesRange::new(b' ', b'~')]));
    if narrowed.ranges().is_empty() {
        class
    } else {
        narrowed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn samples(source: &str) -> Vec<String> {
        let p = get(source);
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        (0..50).filter_map(|_| p.sample(&mut rng, 8)).collect()
    }

    #[test]
    fn anchored_patterns_sample_and_match() {
        for source in [
            r"^\d{3}-\d{4}$",
            r"^[A-Z]{2}[0-9]+$",
            r"^(foo|bar)\.baz$",
            "[a-z]+",
        ] {
            let p = get(source);
            let all = samples(source);
            assert!(!all.is_empty(), "{source}");
            for s in all {
                assert!(p.is_match(&s), "{source} {s:?}");
                assert!(s.is_ascii(), "{source} {s:?}");
            }
        }
    }

    #[test]
    fn lookarounds_are_stripped_for_sampling() {
        assert_eq!(strip_lookarounds(r"([ab])(,\1)*[\1]"), r"([ab])(,)*[\1]");
        assert_eq!(
            strip_lookarounds(r"^(?=.*\d)(?!x)[a-z\d]{8}$"),
            r"^[a-z\d]{8}$"
        );
        let p = get(r"^(?=.*[A-Z])(?=.*\d)[A-Za-z\d]{8,12}$");
        assert!(p.is_valid());
        assert!(samples(r"^(?=.*[A-Z])(?=.*\d)[A-Za-z\d]{8,12}$")
            .iter()
            .any(|s| p.is_match(s)));
    }

    #[test]
    fn sized_samples_hit_the_length() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let sha = get("^[0-9a-fA-F]+$");
        for _ in 0..20 {
            let s = sha.sample_sized(&mut rng, 40, Some(40)).expect("fits");
            assert_eq!(s.len(), 40);
            assert!(sha.is_match(&s));
        }
        let key = get(r"^sk_(live|test)_[A-Za-z0-9]{8,}$");
        let s = key.sample_sized(&mut rng, 30, Some(32)).expect("fits");
        assert!((30..=32).contains(&s.len()) && key.is_match(&s), "{s}");
        assert!(get("^(a+|b+)$")
            .sample_sized(&mut rng, 5, Some(5))
            .is_none());
    }

    #[test]
    fn invalid_patterns_match_nothing() {
        let p = get("(unclosed");
        assert!(!p.is_valid());
        assert!(!p.is_match("unclosed"));
        assert!(samples("(unclosed").is_empty());
    }
}

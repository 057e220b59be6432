//! Realistic fake JSON from a JSON Schema (draft 2020-12), valid against it and reproducible
//! from a seed.
//!
//! # How it works
//!
//! A schema position is handled as a *conjunction*: every schema object that applies there at
//! once. `$ref` targets and `allOf` members are flattened into it instead of being merged into
//! a new schema, so nothing is cloned and each constraint keeps its own JSON pointer for error
//! messages. Keywords are then read across all parts (the largest `minimum`, the smallest
//! `maxLength`, every `pattern`, the intersection of `type`s, every `properties` entry with the
//! schemas of all parts that name it, ...).
//!
//! Applicators that choose (`oneOf`, `anyOf`, `if`/`then`/`else`, `dependentSchemas`) are
//! resolved by picking a branch and adding it to the conjunction; `oneOf` results are then
//! checked not to match a second branch, `not` results not to match the negated schema, with a
//! few retries. Those checks, and checks of examples and enum members against the rest of the
//! conjunction, use a small built-in checker ([`validate`]) that follows the store's validator
//! (including asserted `format`s); [`generate`] finally validates the whole value with the
//! store's real validator and retries with other random streams if needed.
//!
//! Values are made believable from property names (`email`, `firstName`, `createdAt`, ...) and
//! `x-faker` hints, always subject to the schema's constraints: a faked value that violates
//! them is replaced by a generic one that does not.
//!
//! Objects down to [`FULL_DEPTH`] show every declared property; below, optional properties
//! get rarer with depth, and a schema nested in itself through optional properties shows once
//! (at random with [`GenOptions::vary_optional`]). Bodies stay bounded: `anyOf: [id, Object]`
//! style links stay ids below the top levels, everything past `max_depth` (or past a few
//! thousand generated positions) is minimal, and an optional property whose schema cannot be
//! satisfied is left out rather than failing the whole body.
//!
//! Output depends only on the store, the schema and [`GenOptions`]: the random stream is
//! ChaCha8 (portable), object key order is the document's, and dates are placed around a
//! reference instant derived from the seed rather than the clock.

mod array;
mod faker;
mod format;
mod hints;
mod kw;
mod locale;
mod number;
mod object;
mod pattern;
mod plan;
pub mod postman;
mod prose;
mod string;
mod time;
mod validate;

use crate::schema::{escape_pointer_token, SchemaId, SchemaStore};
#[cfg(test)]
pub(crate) use faker::iban_mod97;
use faker::Kind;
use kw::Kw;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Map, Value};
use smallvec::SmallVec;
use std::fmt;

/// Which side of an exchange a body is generated for; decides whether `readOnly` or
/// `writeOnly` properties are left out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Direction {
    /// A request body: optional `readOnly` properties are omitted.
    Request,
    /// A response body: optional `writeOnly` properties are omitted.
    #[default]
    Response,
}

/// Knobs for [`generate`] and [`generate_value`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenOptions {
    /// Seed of the random stream; the same seed gives the same value.
    pub seed: u64,
    pub direction: Direction,
    /// Use a schema's `example`, first `examples` entry or `default` (when it is valid there)
    /// before inventing a value.
    pub use_examples: bool,
    /// Nesting depth after which only the smallest valid value is produced (no optional
    /// properties, the fewest array items, `null` where allowed). Bounds recursive schemas.
    pub max_depth: usize,
    /// Language and region of names, addresses, phone numbers and the like.
    pub locale: Locale,
    /// Check the result with a validator compiled for this call and dropped after it, unless
    /// one is cached already. For bodies rendered once: a big document (Stripe's) would
    /// otherwise keep a compiled validator per response schema, over a gigabyte in all.
    pub transient_check: bool,
    /// Dynamic bodies: a schema nested in itself through an optional property recurs at
    /// random. Off (the default, for static bodies): it shows exactly once. Either way, objects
    /// down to [`FULL_DEPTH`] show every declared property and deeper ones a seeded share of
    /// their optional properties.
    pub vary_optional: bool,
    /// Add keys the schema does not declare where `additionalProperties` or
    /// `patternProperties` allow them (json-schema-faker's `fillProperties`, on in Prism by
    /// default). Off: only declared properties, and undeclared ones only as far as
    /// `minProperties` needs them.
    pub fill_properties: bool,
    /// Record why each string was chosen ([`generate_explained`]).
    pub explain: bool,
}

impl Default for GenOptions {
    fn default() -> Self {
        GenOptions {
            seed: 0,
            direction: Direction::Response,
            use_examples: true,
            max_depth: 6,
            locale: Locale::En,
            transient_check: false,
            vary_optional: false,
            fill_properties: true,
            explain: false,
        }
    }
}

/// Language and region of believable values: person names, addresses, phone numbers, company
/// names, job titles and (where there are localized words) prose.
///
/// The data comes from the `fake` crate's locale tables. Where `fake` 5 has no table for a
/// kind of value in a locale, that kind of value falls back to English; each variant lists
/// what it really localizes. Emails and usernames stay ASCII in every locale (accents folded,
/// Japanese and Chinese family names romanized). Values that do not fit the schema give way
/// to generic ones as always.
///
/// ```
/// let locale: stubborn::Locale = "de".parse().unwrap();
/// assert_eq!(locale, stubborn::Locale::De);
/// let server = stubborn::MockServer::builder()
///     .spec(concat!(env!("CARGO_MANIFEST_DIR"), "/specs/petstore.yaml"))
///     .locale(locale)
///     .start_blocking()
///     .unwrap();
/// # drop(server);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Locale {
    /// English (`en`), US-style addresses and phone numbers.
    #[default]
    En,
    /// German (`de_DE`): names, streets (`Müllerstraße 12`), towns, federal states, postcodes,
    /// country, company names (`GmbH`). Phone numbers and job titles fall back to English
    /// (`fake` has no German tables for them).
    De,
    /// Spanish (`es_ES`): `fake` 5 has no Spanish tables at all, so every value falls back to
    /// English for now.
    Es,
    /// French (`fr_FR`): names, streets (`12 Rue Lefebvre`), towns, postcodes, countries,
    /// phone numbers. Regions, company names and job titles fall back to English.
    Fr,
    /// Italian (`it_IT`): names, streets (`Via Rossi, 12`), towns, provinces, postcodes,
    /// countries, phone numbers (`+39 …`), company names (`S.r.l.`), job titles.
    It,
    /// Japanese (`ja_JP`): names (`佐藤 陽翔`), phone numbers, company names (`株式会社`), job
    /// titles. Addresses (street, city, prefecture, postcode, country) fall back to English;
    /// emails use the romanized family name (`sato.1987@…`).
    Ja,
    /// Brazilian Portuguese (`pt_BR`): names, streets (`Rua Souza, 123`), states, postcodes
    /// (`01234-567`), phone numbers, company names (`Ltda.`). Cities, countries and job titles
    /// fall back to English.
    PtBr,
    /// Simplified Chinese (`zh_CN`): names (`王文辉`), streets, cities, postcodes, countries,
    /// company names, job titles and prose (descriptions, titles). Phone numbers and provinces
    /// fall back to English; emails use the pinyin family name (`wang88@…`).
    ZhCn,
}

impl Locale {
    /// Every locale, in the order help texts list them.
    pub const ALL: &'static [Locale] = &[
        Locale::En,
        Locale::De,
        Locale::Es,
        Locale::Fr,
        Locale::It,
        Locale::Ja,
        Locale::PtBr,
        Locale::ZhCn,
    ];

    /// The canonical name, as accepted by [`str::parse`]: `en`, `de`, `es`, `fr`, `it`, `ja`,
    /// `pt_BR`, `zh_CN`.
    pub fn name(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::De => "de",
            Locale::Es => "es",
            Locale::Fr => "fr",
            Locale::It => "it",
            Locale::Ja => "ja",
            Locale::PtBr => "pt_BR",
            Locale::ZhCn => "zh_CN",
        }
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A locale name [`Locale`]'s `FromStr` does not know.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownLocale(pub String);

impl fmt::Display for UnknownLocale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown locale `{}`; expected one of: en, de (de_DE), es (es_ES), fr (fr_FR), \
             it (it_IT), ja (ja_JP), pt_BR, zh_CN",
            self.0
        )
    }
}

impl std::error::Error for UnknownLocale {}

impl std::str::FromStr for Locale {
    type Err = UnknownLocale;

    /// Accepts the language (`de`) or language and region (`de_DE`, `de-de`), ignoring case
    /// and `-`/`_`; Portuguese and Chinese need the region (`pt_BR`, `zh_CN`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut buf = [0u8; 8];
        let t = s.trim();
        if t.len() > buf.len() {
            return Err(UnknownLocale(s.to_string()));
        }
        for (d, b) in buf.iter_mut().zip(t.bytes()) {
            *d = if b == b'-' {
                b'_'
            } else {
                b.to_ascii_lowercase()
            };
        }
        Ok(match &buf[..t.len()] {
            b"en" | b"en_us" | b"en_gb" => Locale::En,
            b"de" | b"de_de" => Locale::De,
            b"es" | b"es_es" => Locale::Es,
            b"fr" | b"fr_fr" => Locale::Fr,
            b"it" | b"it_it" => Locale::It,
            b"ja" | b"ja_jp" => Locale::Ja,
            b"pt_br" => Locale::PtBr,
            b"zh_cn" => Locale::ZhCn,
            _ => return Err(UnknownLocale(s.to_string())),
        })
    }
}

/// Why no value could be generated: a contradictory or unsupported schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenError {
    /// JSON pointer into the schema where generation failed, e.g.
    /// `#/$defs/Pet/properties/age`.
    pub pointer: String,
    pub message: String,
}

impl fmt::Display for GenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.pointer, self.message)
    }
}

impl std::error::Error for GenError {}

/// The validator's side for a generation direction.
fn side(d: Direction) -> crate::schema::Direction {
    match d {
        Direction::Request => crate::schema::Direction::Request,
        Direction::Response => crate::schema::Direction::Response,
    }
}

/// Generates a value for the stored schema `id`, validates it with the store's validator and
/// retries (other random streams, then without examples) until it passes.
///
/// # Errors
///
/// A [`GenError`] when the schema is contradictory, or when no attempt produced a valid value
/// (then the message lists the validation errors of the last attempt).
pub fn generate(store: &SchemaStore, id: SchemaId, opts: &GenOptions) -> Result<Value, GenError> {
    generate_with(store, id, opts).map(|(value, _)| value)
}

/// [`generate`], and why each string of the value was chosen (JSON pointer, reason), in the
/// order they were made: what `stubborn example --explain` prints.
///
/// # Errors
///
/// As [`generate`].
pub fn generate_explained(
    store: &SchemaStore,
    id: SchemaId,
    opts: &GenOptions,
) -> Result<(Value, Vec<(String, String)>), GenError> {
    let opts = GenOptions {
        explain: true,
        ..opts.clone()
    };
    generate_with(store, id, &opts).map(|(value, explain)| {
        let reasons = explain.map(|e| e.reasons).unwrap_or_default();
        // Later attempts at a position replace earlier ones; keep what the value holds.
        let mut kept: Vec<(String, String)> = Vec::new();
        for (pointer, why) in reasons {
            if value.pointer(&pointer).is_some_and(Value::is_string) {
                kept.retain(|(p, _)| *p != pointer);
                kept.push((pointer, why));
            }
        }
        (value, kept)
    })
}

fn generate_with(
    store: &SchemaStore,
    id: SchemaId,
    opts: &GenOptions,
) -> Result<(Value, Option<hints::Explain>), GenError> {
    generate_planned(store, id, opts, store.memo::<plan::Plans>())
}

/// [`generate_with`], with the store's plans or (`None`, for tests) without.
fn generate_planned(
    store: &SchemaStore,
    id: SchemaId,
    opts: &GenOptions,
    plans: Option<&plan::Plans>,
) -> Result<(Value, Option<hints::Explain>), GenError> {
    /// Random streams tried with the caller's options before giving up on examples.
    const STREAMS: u64 = 3;
    let root_ptr = || format!("#/$defs/{}", escape_pointer_token(store.key(id)));
    let mut first_error: Option<GenError> = None;
    let mut last_invalid: Option<Vec<String>> = None;
    let no_examples = GenOptions {
        use_examples: false,
        ..opts.clone()
    };
    let attempts = (0..STREAMS)
        .map(|stream| (stream, opts))
        .chain(opts.use_examples.then_some((0, &no_examples)));
    for (stream, attempt_opts) in attempts {
        let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
        rng.set_stream(stream);
        let mut gen = Gen::new(store, attempt_opts, &mut rng);
        gen.plans = plans;
        let root = gen.ptrs.root(Seg::Def(store.key(id)));
        gen.root_key = Some(store.key(id));
        match gen.generate_root(store.get(id), root) {
            // Without examples, a schema the generator satisfies exactly needs no check.
            Ok(value)
                if !attempt_opts.use_examples
                    && plans.is_some_and(|p| p.exact(store, id, side(attempt_opts.direction))) =>
            {
                // Debug builds (every test) still check: the skip rests on the generator
                // being exact for these keywords, and a test that breaks that says so.
                #[cfg(debug_assertions)]
                if let Err(messages) =
                    store.check_transient(id, &value, side(attempt_opts.direction))
                {
                    panic!(
                        "generation said exact for {} gave an invalid value {value}: {messages:?}",
                        store.key(id)
                    );
                }
                return Ok((value, gen.explain.take().map(|e| *e)));
            }
            Ok(value) => match if opts.transient_check {
                store.check_transient(id, &value, side(attempt_opts.direction))
            } else {
                store.check_for(id, &value, side(attempt_opts.direction))
            } {
                Ok(()) => return Ok((value, gen.explain.take().map(|e| *e))),
                Err(messages) => last_invalid = Some(messages),
            },
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    match last_invalid {
        Some(messages) => Err(GenError {
            pointer: root_ptr(),
            message: format!(
                "no generated value passed validation: {}",
                messages.join("; ")
            ),
        }),
        None => Err(first_error.unwrap_or_else(|| GenError {
            pointer: root_ptr(),
            message: "no value could be generated".into(),
        })),
    }
}

/// Generates a value for an inline `schema` (whose `$ref`s point into `store`), drawing from
/// `rng`. Relies on construction alone: the result is not validated.
///
/// # Errors
///
/// A [`GenError`] when the schema is contradictory or cannot be satisfied.
pub fn generate_value(
    store: &SchemaStore,
    schema: &Value,
    opts: &GenOptions,
    rng: &mut ChaCha8Rng,
) -> Result<Value, GenError> {
    let mut gen = Gen::new(store, opts, rng);
    let root = gen.ptrs.root(Seg::Hash);
    gen.generate_root(schema, root)
}

/// Schema objects allowed in one conjunction; more means a pathological schema.
const MAX_PARTS: usize = 256;
/// Schema positions visited per value; bounds `oneOf` retries multiplying through nesting and
/// very large arrays.
const MAX_NODES: usize = 400_000;
/// Schema positions after which the rest of a value is generated minimal, so bodies of
/// schemas with wide, deep optional structure (Stripe's expandable objects) stay small.
const SOFT_NODES: usize = 2_000;
/// Depth past `max_depth` at which a schema whose required properties never bottom out is
/// declared unsatisfiable.
const DEPTH_SLACK: usize = 48;
/// Effective ceiling on `max_depth`, so a huge setting cannot exhaust the stack.
const MAX_DEPTH_CAP: usize = 64;
/// Nesting depth (objects and arrays count one level each) down to which an object shows
/// every declared property: the body, its objects, theirs, and one level more (so that in
/// `{"data": [{"address": {...}}]}` the address is whole).
pub const FULL_DEPTH: usize = 3;

/// One segment of a JSON pointer into the schema.
#[derive(Clone, Copy, Debug)]
enum Seg<'a> {
    /// `#/$defs/KEY` for a stored schema.
    Def(&'a str),
    /// A `$ref` string, used verbatim as the start of a pointer.
    Ref(&'a str),
    /// `#`, the root of an inline schema.
    Hash,
    Key(&'a str),
    Idx(usize),
}

/// A pointer, as an index into [`Ptrs`]; cheap to copy and only rendered on error.
#[derive(Clone, Copy, Debug)]
struct Ptr(u32);

/// Arena of pointer segments, each with its parent.
#[derive(Default)]
struct Ptrs<'a> {
    segs: Vec<(u32, Seg<'a>)>,
}

impl<'a> Ptrs<'a> {
    const NO_PARENT: u32 = u32::MAX;

    fn root(&mut self, seg: Seg<'a>) -> Ptr {
        self.segs.push((Self::NO_PARENT, seg));
        Ptr((self.segs.len() - 1) as u32)
    }

    fn child(&mut self, parent: Ptr, seg: Seg<'a>) -> Ptr {
        self.segs.push((parent.0, seg));
        Ptr((self.segs.len() - 1) as u32)
    }

    fn key(&mut self, parent: Ptr, key: &'a str) -> Ptr {
        self.child(parent, Seg::Key(key))
    }

    fn render(&self, ptr: Ptr) -> String {
        let mut chain = Vec::new();
        let mut at = ptr.0;
        while let Some(&(parent, seg)) = self.segs.get(at as usize) {
            chain.push(seg);
            at = parent;
        }
        let mut out = String::new();
        for seg in chain.iter().rev() {
            match seg {
                Seg::Def(key) => {
                    out.clear();
                    out.push_str("#/$defs/");
                    out.push_str(&escape_pointer_token(key));
                }
                Seg::Ref(r) => {
                    out.clear();
                    out.push_str(r);
                }
                Seg::Hash => {
                    out.clear();
                    out.push('#');
                }
                Seg::Key(k) => {
                    out.push('/');
                    out.push_str(&escape_pointer_token(k));
                }
                Seg::Idx(i) => {
                    out.push('/');
                    out.push_str(&i.to_string());
                }
            }
        }
        if out.is_empty() {
            out.push('#');
        }
        out
    }
}

/// One schema object of a conjunction, with where it sits.
#[derive(Clone, Copy)]
struct Part<'a> {
    map: &'a Map<String, Value>,
    ptr: Ptr,
    /// Index of the part's keywords in [`Gen::kws`].
    kw: u32,
}

/// All schema objects that apply to one position, plus choices already made for it.
#[derive(Clone)]
struct Conj<'a> {
    /// Pointer of the position (used when there is no part to blame).
    at: Ptr,
    /// Inline for the usual one to four parts (no allocation per property).
    parts: SmallVec<[Part<'a>; 4]>,
    /// `$defs` keys entered through `$ref` while flattening, outermost first, with the address
    /// of the schema each names (for discriminator values of derived schemas).
    ref_keys: SmallVec<[(&'a str, usize); 2]>,
    /// Choices made by applicators; boxed because most positions have none and conjunctions
    /// are moved around a lot.
    made: Option<Box<Made<'a>>>,
}

/// Choices applicators made for a position.
#[derive(Clone, Default)]
struct Made<'a> {
    /// Applicator keywords (by address of their value) already resolved for this position.
    consumed: Vec<usize>,
    /// Property values fixed by a choice (the discriminator of a picked `oneOf` branch).
    forced: Vec<(&'a str, Value)>,
    /// Properties a choice requires to be present.
    require: Vec<&'a str>,
    /// Properties a choice requires to be absent.
    forbid: Vec<&'a str>,
    /// Types ruled out by `not: {type: ...}`.
    not_types: u8,
}

/// What a position without choices has made.
static NOTHING_MADE: Made<'static> = Made {
    consumed: Vec::new(),
    forced: Vec::new(),
    require: Vec::new(),
    forbid: Vec::new(),
    not_types: 0,
};

impl<'a> Conj<'a> {
    fn new(at: Ptr) -> Self {
        Conj {
            at,
            parts: SmallVec::new(),
            ref_keys: SmallVec::new(),
            made: None,
        }
    }

    fn made(&self) -> &Made<'a> {
        self.made.as_deref().unwrap_or(&NOTHING_MADE)
    }

    fn made_mut(&mut self) -> &mut Made<'a> {
        self.made.get_or_insert_with(Box::default)
    }
}

/// What the position is called, for believable values.
#[derive(Clone, Copy, Debug, Default)]
struct Hint<'a> {
    name: Option<&'a str>,
    kind: Kind,
    /// The kind came from `x-faker`, which outranks `format`.
    explicit: bool,
}

/// JSON types as bits, so `type` lists intersect with `&`.
mod ty {
    pub const NULL: u8 = 1;
    pub const BOOLEAN: u8 = 2;
    pub const OBJECT: u8 = 4;
    pub const ARRAY: u8 = 8;
    pub const STRING: u8 = 16;
    pub const INTEGER: u8 = 32;
    /// Numbers with a fractional part; `number` is `INTEGER | FRACTION`.
    pub const FRACTION: u8 = 64;
    pub const ALL: u8 = 127;

    pub fn parse_name(name: &str) -> u8 {
        match name {
            "null" => NULL,
            "boolean" => BOOLEAN,
            "object" => OBJECT,
            "array" => ARRAY,
            "string" => STRING,
            "integer" => INTEGER,
            "number" => INTEGER | FRACTION,
            _ => 0,
        }
    }

    pub fn parse(t: &serde_json::Value) -> u8 {
        match t {
            serde_json::Value::String(s) => parse_name(s),
            serde_json::Value::Array(list) => list
                .iter()
                .filter_map(serde_json::Value::as_str)
                .fold(0, |acc, s| acc | parse_name(s)),
            _ => 0,
        }
    }

    pub fn of(v: &serde_json::Value) -> u8 {
        match v {
            serde_json::Value::Null => NULL,
            serde_json::Value::Bool(_) => BOOLEAN,
            serde_json::Value::Object(_) => OBJECT,
            serde_json::Value::Array(_) => ARRAY,
            serde_json::Value::String(_) => STRING,
            serde_json::Value::Number(n) => {
                if super::validate::is_integer(n) {
                    INTEGER
                } else {
                    FRACTION
                }
            }
        }
    }
}

/// The kind of value to build once a type is chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Choice {
    Null,
    Boolean,
    Object,
    Array,
    String,
    Integer,
    /// A number; `integral_ok` is false when `integer` is ruled out.
    Number {
        integral_ok: bool,
    },
}

/// Types to try at a position, best first.
type Choices = SmallVec<[Choice; 8]>;

/// An applicator still to resolve at a position.
#[derive(Clone, Copy)]
enum Applicator<'a> {
    OneOf(&'a [Value], Part<'a>, usize),
    AnyOf(&'a [Value], Part<'a>, usize),
    Not(&'a Value, Part<'a>, usize),
    If(Part<'a>, usize),
    DependentSchemas(&'a Map<String, Value>, Part<'a>, usize),
}

/// Address of a JSON value, used as its identity (schemas are never moved while generating).
fn addr<T>(v: &T) -> usize {
    v as *const T as usize
}

/// Per-object state for consistent fakes (one person per object, `updatedAt` after
/// `createdAt`).
#[derive(Default)]
struct ObjCtx {
    persona: Option<faker::Persona>,
    created: Option<i64>,
    updated: Option<i64>,
    /// When the object was deleted, closed, canceled... (after `updated`).
    ended: Option<i64>,
    /// The place its address fields describe (city, region, postal code and country agree).
    place: Option<locale::Place>,
}

/// The generator: a store, options, a random stream and bookkeeping for one value.
struct Gen<'a, 'r> {
    store: &'a SchemaStore,
    opts: &'r GenOptions,
    rng: &'r mut ChaCha8Rng,
    ptrs: Ptrs<'a>,
    /// Keywords of every part flattened so far (parts refer to them by index, which keeps
    /// parts small and cheap to copy).
    kws: Vec<Kw<'a>>,
    depth: usize,
    max_depth: usize,
    nodes: usize,
    /// Objects being generated, innermost last.
    objs: Vec<ObjCtx>,
    /// Addresses of the schema objects of the objects being generated (recursion detection).
    active: Vec<usize>,
    /// Set while examples must not be used (later items of arrays, uniqueness retries).
    examples_off: bool,
    /// The next integer id handed out, so ids in one body increase.
    next_id: i64,
    /// Reference "now" for dates.
    now: i64,
    /// The name of the position being generated (`deleted_at` orders after `updated_at`).
    named: Option<&'a str>,
    /// Key of the stored schema being generated, if any.
    root_key: Option<&'a str>,
    /// Why each string was chosen, when `GenOptions::explain` asks (`stubborn example
    /// --explain`); `None` otherwise, and then nothing is recorded.
    explain: Option<Box<hints::Explain>>,
    /// The store's plans ([`plan`]), when every schema reached is the store's (a stored
    /// schema, not an inline one).
    plans: Option<&'a plan::Plans>,
}

/// A generator's arenas, empty, kept per thread between generators: a dynamic body is
/// generated for every request, and taking back the last one's buffers (warm in this core's
/// cache) saves four allocations and frees a request.
struct Arenas {
    segs: Vec<(u32, Seg<'static>)>,
    kws: Vec<Kw<'static>>,
    objs: Vec<ObjCtx>,
    active: Vec<usize>,
}

thread_local! {
    static ARENAS: std::cell::Cell<Option<Arenas>> = const { std::cell::Cell::new(None) };
}

/// Arenas kept past this many entries are let go rather than kept for the next generator.
const KEPT_ARENA: usize = 4096;

/// `v`, empty, as a vector of the same type under another lifetime.
fn relifetime<T, U>(v: Vec<T>) -> Vec<U> {
    debug_assert!(std::mem::size_of::<T>() == std::mem::size_of::<U>());
    debug_assert!(std::mem::align_of::<T>() == std::mem::align_of::<U>());
    let mut v = std::mem::ManuallyDrop::new(v);
    v.clear();
    let (ptr, cap) = (v.as_mut_ptr(), v.capacity());
    // SAFETY: only called with `T` and `U` the same type but for a lifetime (same layout, the
    // same allocation's size and alignment); the vector is empty, so no value is reinterpreted,
    // and the allocation passes from one vector to the other.
    unsafe { Vec::from_raw_parts(ptr.cast::<U>(), 0, cap) }
}

impl Drop for Gen<'_, '_> {
    fn drop(&mut self) {
        if self.kws.capacity() == 0 || self.kws.capacity() > KEPT_ARENA {
            // A schema-less generator (no arenas), or one that grew past what is worth keeping.
            return;
        }
        self.objs.clear();
        let arenas = Arenas {
            segs: relifetime(std::mem::take(&mut self.ptrs.segs)),
            kws: relifetime(std::mem::take(&mut self.kws)),
            objs: std::mem::take(&mut self.objs),
            active: relifetime(std::mem::take(&mut self.active)),
        };
        if arenas.segs.capacity() <= KEPT_ARENA && arenas.active.capacity() <= KEPT_ARENA {
            ARENAS.with(|a| a.set(Some(arenas)));
        }
    }
}

impl<'a, 'r> Gen<'a, 'r> {
    fn new(store: &'a SchemaStore, opts: &'r GenOptions, rng: &'r mut ChaCha8Rng) -> Self {
        let next_id = rng.random_range(1..=500);
        // Sized for a typical body, so the arenas rarely grow (and copy) while generating.
        let Arenas {
            segs,
            kws,
            mut objs,
            active,
        } = ARENAS.with(|a| a.take()).unwrap_or_else(|| Arenas {
            segs: Vec::with_capacity(128),
            kws: Vec::with_capacity(48),
            // The body's object and a few nested ones, without growing.
            objs: Vec::with_capacity(4),
            active: Vec::with_capacity(16),
        });
        objs.push(ObjCtx::default());
        Gen {
            store,
            opts,
            rng,
            ptrs: Ptrs {
                segs: relifetime(segs),
            },
            kws: relifetime(kws),
            depth: 0,
            max_depth: opts.max_depth.min(MAX_DEPTH_CAP),
            nodes: 0,
            objs,
            active: relifetime(active),
            examples_off: false,
            next_id,
            now: time::reference_instant(opts.seed),
            named: None,
            root_key: None,
            explain: opts.explain.then(Box::default),
            plans: None,
        }
    }

    /// A generator for values that have no schema (Postman's dynamic variables): no arenas,
    /// no object being built (each persona is drawn afresh), dates around `now_ms`.
    fn without_schema(
        store: &'a SchemaStore,
        opts: &'r GenOptions,
        rng: &'r mut ChaCha8Rng,
        now_ms: i64,
    ) -> Self {
        Gen {
            store,
            opts,
            rng,
            ptrs: Ptrs { segs: Vec::new() },
            kws: Vec::new(),
            depth: 0,
            max_depth: opts.max_depth.min(MAX_DEPTH_CAP),
            nodes: 0,
            objs: Vec::new(),
            active: Vec::new(),
            examples_off: false,
            next_id: 1,
            now: now_ms.div_euclid(1000),
            named: None,
            root_key: None,
            explain: None,
            plans: None,
        }
    }

    fn generate_root(&mut self, schema: &'a Value, root: Ptr) -> Result<Value, GenError> {
        let mut conj = Conj::new(root);
        if let (Some(key), Value::Object(map)) = (self.root_key, schema) {
            conj.ref_keys.push((key, addr(map)));
        }
        self.flatten_into(&mut conj, schema, root)?;
        self.gen(&conj, Hint::default())
    }

    /// The keywords of `part`.
    fn kw(&self, part: &Part<'a>) -> &Kw<'a> {
        &self.kws[part.kw as usize]
    }

    /// The first value some part gives a keyword (`field` picks it), with that part.
    fn first(
        &self,
        conj: &Conj<'a>,
        field: impl Fn(&Kw<'a>) -> Option<&'a Value>,
    ) -> Option<(&'a Value, Part<'a>)> {
        conj.parts
            .iter()
            .find_map(|p| field(self.kw(p)).map(|v| (v, *p)))
    }

    fn err(&self, ptr: Ptr, message: impl Into<String>) -> GenError {
        GenError {
            pointer: self.ptrs.render(ptr),
            message: message.into(),
        }
    }

    fn at_key(&mut self, parent: Ptr, key: &'a str) -> Ptr {
        self.ptrs.key(parent, key)
    }

    fn at_idx(&mut self, parent: Ptr, key: &'a str, i: usize) -> Ptr {
        let k = self.ptrs.key(parent, key);
        self.ptrs.child(k, Seg::Idx(i))
    }

    /// Past `max_depth` (or a large body already): produce the smallest valid values.
    fn minimal(&self) -> bool {
        self.depth > self.max_depth || self.nodes > SOFT_NODES
    }

    fn exhausted(&self) -> bool {
        self.nodes > MAX_NODES
    }

    fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p.clamp(0.0, 1.0))
    }

    /// A uniform index below `n` (`n > 0`).
    fn index(&mut self, n: usize) -> usize {
        if n <= 1 {
            0
        } else {
            self.rng.random_range(0..n as u64) as usize
        }
    }

    /// Uniform in `lo..=hi` (swapped if reversed).
    fn between(&mut self, lo: i64, hi: i64) -> i64 {
        if lo >= hi {
            lo.min(hi)
        } else {
            self.rng.random_range(lo..=hi)
        }
    }

    /// Adds `schema` (and, recursively, its `$ref` target and `allOf` members) to `conj`.
    fn flatten_into(
        &mut self,
        conj: &mut Conj<'a>,
        schema: &'a Value,
        ptr: Ptr,
    ) -> Result<(), GenError> {
        let map = match schema {
            Value::Bool(true) => return Ok(()),
            Value::Bool(false) => {
                return Err(self.err(ptr, "the schema `false` admits no value"));
            }
            Value::Object(map) => map,
            // Not a schema at all; `jsonschema` rejects it, nothing to generate from here.
            _ => return Ok(()),
        };
        if let Some(plans) = self.plans {
            let store = self.store;
            let planned = plans.with_flat(store, map, |plan| {
                plan.is_some_and(|plan| self.apply_flat(conj, map, ptr, plan))
            });
            if planned {
                return Ok(());
            }
        }
        let here = addr(map);
        if conj.parts.iter().any(|p| addr(p.map) == here) {
            return Ok(());
        }
        if conj.parts.len() >= MAX_PARTS {
            return Err(self.err(ptr, "schema is too deeply composed (too many allOf/$ref)"));
        }
        let kw = Kw::scan(map);
        let (reference, all_of) = (kw.ref_(), kw.all_of());
        self.kws.push(kw);
        conj.parts.push(Part {
            map,
            ptr,
            kw: (self.kws.len() - 1) as u32,
        });
        if let Some(r) = reference {
            let at = self.at_key(ptr, "$ref");
            let Some(reference) = r.as_str() else {
                return Err(self.err(at, "`$ref` is not a string"));
            };
            let Some(target) = self.store.resolve(reference) else {
                return Err(self.err(at, format!("unresolvable reference `{reference}`")));
            };
            if let (Some(key), Value::Object(tm)) = (reference.strip_prefix("#/$defs/"), target) {
                if !key.contains('/') {
                    conj.ref_keys.push((key, addr(tm)));
                }
            }
            let target_ptr = self.ptrs.root(Seg::Ref(reference));
            self.flatten_into(conj, target, target_ptr)?;
        }
        if let Some(all) = kw::as_array(all_of) {
            for (i, sub) in all.iter().enumerate() {
                let at = self.at_idx(ptr, "allOf", i);
                self.flatten_into(conj, sub, at)?;
            }
        }
        Ok(())
    }

    /// [`Gen::flatten_into`] from a plan: adds the plan's parts that `conj` lacks, as
    /// flattening would. `false` (and `conj` untouched) where the parts would be too many,
    /// which flattening reports.
    fn apply_flat(
        &mut self,
        conj: &mut Conj<'a>,
        map: &'a Map<String, Value>,
        ptr: Ptr,
        plan: &plan::FlatPlan,
    ) -> bool {
        use plan::Src;
        if conj.parts.len() + plan.parts.len() > MAX_PARTS {
            return false;
        }
        if let [only] = plan.parts.as_slice() {
            // Most positions: one schema object without `$ref` or `allOf`.
            if only.src == Src::Root && only.target.is_none() {
                if !conj.parts.iter().any(|p| addr(p.map) == addr(map)) {
                    self.kws.push(Kw::from_at(map, only.at));
                    conj.parts.push(Part {
                        map,
                        ptr,
                        kw: (self.kws.len() - 1) as u32,
                    });
                }
                return true;
            }
        }
        // The schema objects first (a plan of this store always finds them), then the parts.
        // `new`, not `with_capacity`, which returns (copies) the whole inline buffer.
        let mut kws: SmallVec<[Kw<'a>; 8]> = SmallVec::new();
        for fp in &plan.parts {
            let m = match fp.src {
                Src::Root => Some(map),
                Src::Ref { parent } => plan.parts[usize::from(parent)]
                    .target
                    .and_then(|id| self.store.get(id).as_object()),
                Src::AllOf { parent, i } => kw::as_array(kws[usize::from(parent)].all_of())
                    .and_then(|all| all.get(i as usize))
                    .and_then(Value::as_object),
            };
            let Some(m) = m else {
                return false;
            };
            kws.push(Kw::from_at(m, fp.at));
        }
        let mut ptrs: SmallVec<[Ptr; 8]> = SmallVec::new();
        for (fp, &kw) in plan.parts.iter().zip(&kws) {
            let here = addr(kw.map());
            if conj.parts.iter().any(|p| addr(p.map) == here) {
                // Already there, and so is everything it brings.
                ptrs.push(ptr);
                continue;
            }
            let at = match fp.src {
                Src::Root => ptr,
                Src::Ref { parent } => {
                    let reference = kws[usize::from(parent)]
                        .ref_()
                        .and_then(Value::as_str)
                        .unwrap_or_default();
                    self.ptrs.root(Seg::Ref(reference))
                }
                Src::AllOf { parent, i } => {
                    self.at_idx(ptrs[usize::from(parent)], "allOf", i as usize)
                }
            };
            ptrs.push(at);
            self.kws.push(kw);
            conj.parts.push(Part {
                map: kw.map(),
                ptr: at,
                kw: (self.kws.len() - 1) as u32,
            });
            if let Some(target) = fp.target {
                let key = kw
                    .ref_()
                    .and_then(Value::as_str)
                    .and_then(|r| r.strip_prefix("#/$defs/"));
                if let (Some(key), Value::Object(tm)) = (key, self.store.get(target)) {
                    conj.ref_keys.push((key, addr(tm)));
                }
            }
        }
        true
    }

    /// The plan of an object made of `conj`'s parts: the store's, or made for this object.
    fn obj_plan(&self, conj: &Conj<'a>) -> std::sync::Arc<plan::ObjPlan> {
        let kws: SmallVec<[Kw<'a>; 4]> = conj.parts.iter().map(|p| *self.kw(p)).collect();
        match self.plans {
            Some(plans) => plans.object(self.store, conj, &kws),
            None => std::sync::Arc::new(plan::ObjPlan::build(&kws, None)),
        }
    }

    /// A conjunction of `schemas` (each with its pointer).
    fn conj_of(&mut self, at: Ptr, schemas: &[(&'a Value, Ptr)]) -> Result<Conj<'a>, GenError> {
        let mut conj = Conj::new(at);
        for &(s, p) in schemas {
            self.flatten_into(&mut conj, s, p)?;
        }
        Ok(conj)
    }

    /// Whether `v` satisfies everything `conj` demands.
    fn fits(&self, conj: &Conj<'a>, v: &Value) -> bool {
        self.fits_member(conj, v, 0)
    }

    /// [`Gen::fits`] for `v`, a member of the `enum` array at address `member_of` (0: none),
    /// which need not be checked against that array again.
    fn fits_member(&self, conj: &Conj<'a>, v: &Value, member_of: usize) -> bool {
        let made = conj.made();
        if made.not_types & ty::of(v) != 0 {
            return false;
        }
        if let Value::Object(obj) = v {
            if made
                .forced
                .iter()
                .any(|(k, fv)| !obj.get(*k).is_some_and(|x| validate::json_eq(x, fv)))
                || made.require.iter().any(|k| !obj.contains_key(*k))
                || made.forbid.iter().any(|k| obj.contains_key(*k))
            {
                return false;
            }
        }
        conj.parts
            .iter()
            .all(|p| validate::is_valid_kw_member(self.store, self.kw(p), v, member_of))
    }

    /// Generates a value for a position.
    fn gen(&mut self, conj: &Conj<'a>, hint: Hint<'a>) -> Result<Value, GenError> {
        self.nodes += 1;
        if self.exhausted() {
            return Err(self.err(conj.at, "generation budget exceeded (value too large)"));
        }
        if self.depth > self.max_depth + DEPTH_SLACK {
            return Err(self.err(
                conj.at,
                "recursion does not terminate (required properties or minItems nest forever)",
            ));
        }
        let v = if let Some(v) = self.fixed_value(conj)? {
            v
        } else if let Some(app) = self.next_applicator(conj) {
            self.apply(conj, app, hint)?
        } else {
            self.named = hint.name;
            self.gen_base(conj, hint)?
        };
        if matches!(hint.kind, Kind::Country | Kind::CountryCode) {
            // An example or enum member names the country: the address follows it.
            self.settle_country(&v);
        }
        Ok(v)
    }

    /// An example, `const` or `enum` member valid for the whole conjunction, if the schema
    /// offers one.
    fn fixed_value(&mut self, conj: &Conj<'a>) -> Result<Option<Value>, GenError> {
        if self.opts.use_examples && !self.examples_off {
            for part in &conj.parts {
                let candidates = [
                    self.kw(part).example(),
                    kw::as_array(self.kw(part).examples()).and_then(|e| e.first()),
                    self.kw(part).default(),
                ];
                for c in candidates.into_iter().flatten() {
                    if self.fits(conj, c) {
                        return Ok(Some(c.clone()));
                    }
                }
            }
        }
        if let Some((c, part)) = self.first(conj, |k| k.const_()) {
            if self.fits(conj, c) {
                return Ok(Some(c.clone()));
            }
            let at = self.at_key(part.ptr, "const");
            return Err(self.err(at, "`const` value conflicts with the other constraints"));
        }
        if let Some((e, part)) = self.first(conj, |k| k.enum_()) {
            let members: &[Value] = e.as_array().map_or(&[], Vec::as_slice);
            let array = e.as_array().map_or(0, addr);
            let part_ptr = part.ptr;
            let fitting: SmallVec<[&Value; 16]> = members
                .iter()
                .filter(|v| self.fits_member(conj, v, array))
                .collect();
            if fitting.is_empty() {
                let at = self.at_key(part_ptr, "enum");
                return Err(self.err(at, "no `enum` member satisfies the other constraints"));
            }
            let pick = self.index(fitting.len());
            return Ok(Some(fitting[pick].clone()));
        }
        Ok(None)
    }

    fn next_applicator(&self, conj: &Conj<'a>) -> Option<Applicator<'a>> {
        let consumed = &conj.made().consumed;
        let open = |v: &Value| !consumed.contains(&addr(v));
        for part in &conj.parts {
            let k = self.kw(part);
            if let Some(v @ Value::Array(list)) = k.one_of() {
                if open(v) {
                    return Some(Applicator::OneOf(list, *part, addr(v)));
                }
            }
            if let Some(v @ Value::Array(list)) = k.any_of() {
                if open(v) {
                    return Some(Applicator::AnyOf(list, *part, addr(v)));
                }
            }
            if let Some(v) = k.if_() {
                if open(v) {
                    return Some(Applicator::If(*part, addr(v)));
                }
            }
            if let Some(v @ Value::Object(deps)) = k.dependent_schemas() {
                if open(v) {
                    return Some(Applicator::DependentSchemas(deps, *part, addr(v)));
                }
            }
            if let Some(v) = k.not() {
                if open(v) {
                    return Some(Applicator::Not(v, *part, addr(v)));
                }
            }
        }
        None
    }

    fn apply(
        &mut self,
        conj: &Conj<'a>,
        app: Applicator<'a>,
        hint: Hint<'a>,
    ) -> Result<Value, GenError> {
        match app {
            Applicator::OneOf(branches, part, id) => {
                self.choose_branch(conj, branches, part, id, "oneOf", true, hint)
            }
            Applicator::AnyOf(branches, part, id) => {
                self.choose_branch(conj, branches, part, id, "anyOf", false, hint)
            }
            Applicator::Not(negated, part, id) => self.apply_not(conj, negated, part, id, hint),
            Applicator::If(part, id) => self.apply_if(conj, part, id, hint),
            Applicator::DependentSchemas(deps, part, id) => {
                let mut conj = conj.clone();
                conj.made_mut().consumed.push(id);
                let required = self.required_names(&conj);
                let base = self.at_key(part.ptr, "dependentSchemas");
                for (name, sub) in deps {
                    let name = name.as_str();
                    let present = if required.contains(&name) || conj.made().require.contains(&name)
                    {
                        true
                    } else if conj.made().forbid.contains(&name) {
                        false
                    } else if self.chance(0.7) {
                        conj.made_mut().require.push(name);
                        true
                    } else {
                        conj.made_mut().forbid.push(name);
                        false
                    };
                    if present {
                        let at = self.at_key(base, name);
                        self.flatten_into(&mut conj, sub, at)?;
                    }
                }
                self.gen(&conj, hint)
            }
        }
    }

    /// Names listed in `required` by any part.
    fn required_names(&self, conj: &Conj<'a>) -> Vec<&'a str> {
        let mut out: Vec<&'a str> = Vec::new();
        for p in &conj.parts {
            if let Some(req) = kw::as_array(self.kw(p).required()) {
                for name in req.iter().filter_map(Value::as_str) {
                    if !out.contains(&name) {
                        out.push(name);
                    }
                }
            }
        }
        out
    }

    /// Picks a `oneOf`/`anyOf` branch, adds it to the conjunction and generates; for `oneOf`
    /// (`exclusive`) the value must match no other branch.
    #[allow(clippy::too_many_arguments)]
    fn choose_branch(
        &mut self,
        conj: &Conj<'a>,
        branches: &'a [Value],
        part: Part<'a>,
        id: usize,
        keyword: &'static str,
        exclusive: bool,
        hint: Hint<'a>,
    ) -> Result<Value, GenError> {
        let at = self.at_key(part.ptr, keyword);
        if branches.is_empty() {
            return Err(self.err(at, format!("`{keyword}` has no branches")));
        }
        let order = self.branch_order(branches);
        let discriminator = kw::as_object(self.kw(&part).discriminator());
        let rounds = if exclusive { 3 } else { 1 };
        let mut last_err = None;
        // Per branch, a value that matched it and others too, for the repair below.
        let mut overlapping: Vec<(Value, Conj<'a>, usize)> = Vec::new();
        for _ in 0..rounds {
            for &i in &order {
                if self.exhausted() {
                    return Err(self.err(at, "generation budget exceeded (value too large)"));
                }
                let mut c = conj.clone();
                c.made_mut().consumed.push(id);
                let branch_ptr = self.ptrs.child(at, Seg::Idx(i));
                if let Err(e) = self.flatten_into(&mut c, &branches[i], branch_ptr) {
                    last_err = Some(e);
                    continue;
                }
                if let Some((prop, value)) =
                    discriminator.and_then(|d| discriminator_value(d, &branches[i]))
                {
                    if !c.made().forced.iter().any(|(k, _)| *k == prop) {
                        c.made_mut().forced.push((prop, Value::String(value)));
                    }
                }
                let kept = exclusive.then(|| c.clone());
                match self.gen(&c, hint) {
                    Ok(v) => {
                        if !exclusive
                            || branches
                                .iter()
                                .enumerate()
                                .all(|(j, b)| j == i || !validate::is_valid(self.store, b, &v))
                        {
                            return Ok(v);
                        }
                        last_err = Some(self.err(
                            at,
                            "could not generate a value matching exactly one `oneOf` branch",
                        ));
                        if let Some(c) = kept {
                            if !overlapping.iter().any(|(_, _, b)| *b == i) {
                                overlapping.push((v, c, i));
                            }
                        }
                    }
                    Err(e) => last_err = Some(e),
                }
            }
        }
        for (v, c, i) in overlapping {
            if let Some(v) = self.separate_branches(v, &c, branches, i) {
                return Ok(v);
            }
        }
        Err(last_err.unwrap_or_else(|| self.err(at, "no branch could be generated")))
    }

    /// Last resort for overlapping `oneOf` branches (a branch that only adds optional
    /// properties to another matches everything the other does): give the object a property
    /// that another branch declares, with a value that branch rejects and `conj` (the chosen
    /// branch and everything else) accepts. Odd data, but valid where nothing else is.
    fn separate_branches(
        &mut self,
        mut v: Value,
        conj: &Conj<'a>,
        branches: &'a [Value],
        chosen: usize,
    ) -> Option<Value> {
        const WRONG: [fn() -> Value; 6] = [
            || Value::Null,
            || Value::Bool(false),
            || Value::from(0),
            || Value::String(String::new()),
            || Value::Array(Vec::new()),
            || Value::Object(Map::new()),
        ];
        for (j, branch) in branches.iter().enumerate() {
            if j == chosen || !validate::is_valid(self.store, branch, &v) {
                continue;
            }
            let mut other = Conj::new(conj.at);
            self.flatten_into(&mut other, branch, conj.at).ok()?;
            let names: Vec<&'a str> = other
                .parts
                .iter()
                .filter_map(|p| kw::as_object(self.kw(p).properties()))
                .flat_map(|props| props.keys().map(String::as_str))
                .collect();
            let mut separated = false;
            'names: for name in names {
                if v.get(name).is_some() {
                    continue;
                }
                for wrong in WRONG {
                    let mut candidate = v.clone();
                    if let Value::Object(obj) = &mut candidate {
                        obj.insert(name.to_string(), wrong());
                    }
                    if !validate::is_valid(self.store, branch, &candidate)
                        && self.fits(conj, &candidate)
                    {
                        v = candidate;
                        separated = true;
                        break 'names;
                    }
                }
            }
            if !separated {
                return None;
            }
        }
        let exclusive = branches
            .iter()
            .enumerate()
            .all(|(j, b)| j == chosen || !validate::is_valid(self.store, b, &v));
        exclusive.then_some(v)
    }

    /// Branch indices in the document's order for static bodies (the first branch is the
    /// primary shape: a customer, not its `deleted_customer` variant), in random order for
    /// dynamic ones and for retries; branches that only admit `null` last (so
    /// `anyOf: [X, {type: null}]` usually yields an X). Below the top levels, scalar branches
    /// come first: `anyOf: [string, Customer]` (an id or the expanded object) then stays an id,
    /// which keeps bodies of heavily linked schemas small.
    fn branch_order(&mut self, branches: &[Value]) -> Vec<usize> {
        let mut order: Vec<usize> = (0..branches.len()).collect();
        if self.opts.vary_optional || self.rng.get_stream() > 0 {
            for i in (1..order.len()).rev() {
                let j = self.index(i + 1);
                order.swap(i, j);
            }
        }
        let minimal = self.minimal();
        let nested = self.depth >= 2;
        let store = self.store;
        let rank = |i: &usize| {
            let types = store
                .deref(&branches[*i])
                .get("type")
                .map_or(ty::ALL, ty::parse);
            let only_null = types == ty::NULL;
            let scalar = types & (ty::OBJECT | ty::ARRAY) == 0;
            // Stable partition: non-null first (null first when producing minimal values),
            // then scalars first where nested.
            (only_null != minimal, nested && !scalar)
        };
        order.sort_by_key(rank);
        order
    }

    fn apply_not(
        &mut self,
        conj: &Conj<'a>,
        negated: &'a Value,
        part: Part<'a>,
        id: usize,
        hint: Hint<'a>,
    ) -> Result<Value, GenError> {
        let mut conj = conj.clone();
        conj.made_mut().consumed.push(id);
        let at = self.at_key(part.ptr, "not");
        let target = self.store.deref(negated);
        match target {
            Value::Bool(false) => return self.gen(&conj, hint),
            Value::Bool(true) => {
                return Err(self.err(at, "`not: true` admits no value"));
            }
            Value::Object(m) if m.is_empty() => {
                return Err(self.err(at, "`not: {}` admits no value"));
            }
            Value::Object(m) if m.len() == 1 => {
                // Cheap, exact cases: rule out types or properties up front.
                if let Some(t) = m.get("type") {
                    conj.made_mut().not_types |= ty::parse(t);
                    return self.gen(&conj, hint);
                }
                if let Some(req) = m.get("required").and_then(Value::as_array) {
                    let required = self.required_names(&conj);
                    if let Some(name) = req
                        .iter()
                        .filter_map(Value::as_str)
                        .find(|n| !required.contains(n) && !conj.made().require.contains(n))
                    {
                        conj.made_mut().forbid.push(name);
                        return self.gen(&conj, hint);
                    }
                }
            }
            _ => {}
        }
        let saved = self.examples_off;
        let mut outcome = None;
        for _ in 0..8 {
            match self.gen(&conj, hint) {
                Ok(v) if !validate::is_valid(self.store, negated, &v) => {
                    outcome = Some(Ok(v));
                    break;
                }
                // The example (if any) matched `not`; invent from now on.
                Ok(_) => self.examples_off = true,
                Err(e) => {
                    outcome = Some(Err(e));
                    break;
                }
            }
        }
        self.examples_off = saved;
        if let Some(result) = outcome {
            return result;
        }
        Err(self.err(at, "could not generate a value that does not match `not`"))
    }

    fn apply_if(
        &mut self,
        conj: &Conj<'a>,
        part: Part<'a>,
        id: usize,
        hint: Hint<'a>,
    ) -> Result<Value, GenError> {
        let mut conj = conj.clone();
        conj.made_mut().consumed.push(id);
        let k = self.kw(&part);
        let (Some(cond), then, otherwise) = (k.if_(), k.then(), k.else_()) else {
            return self.gen(&conj, hint);
        };
        if then.is_none() && otherwise.is_none() {
            return self.gen(&conj, hint);
        }
        let then_first = self.chance(0.5);
        let mut last_err = None;
        for attempt in 0..4 {
            let take_then = (attempt % 2 == 0) == then_first;
            let mut c = conj.clone();
            let flattened = if take_then {
                let at = self.at_key(part.ptr, "if");
                let r = self.flatten_into(&mut c, cond, at);
                match (r, then) {
                    (Ok(()), Some(t)) => {
                        let at = self.at_key(part.ptr, "then");
                        self.flatten_into(&mut c, t, at)
                    }
                    (r, _) => r,
                }
            } else if let Some(e) = otherwise {
                let at = self.at_key(part.ptr, "else");
                self.flatten_into(&mut c, e, at)
            } else {
                Ok(())
            };
            if let Err(e) = flattened {
                last_err = Some(e);
                continue;
            }
            match self.gen(&c, hint) {
                Ok(v) => {
                    let branch = if validate::is_valid(self.store, cond, &v) {
                        then
                    } else {
                        otherwise
                    };
                    if branch.is_none_or(|b| validate::is_valid(self.store, b, &v)) {
                        return Ok(v);
                    }
                    let at = self.at_key(part.ptr, "if");
                    last_err = Some(self.err(at, "could not satisfy `if`/`then`/`else`"));
                }
                Err(e) => last_err = Some(e),
            }
        }
        let at = self.at_key(part.ptr, "if");
        Err(last_err.unwrap_or_else(|| self.err(at, "could not satisfy `if`/`then`/`else`")))
    }

    /// Generates by type once no applicator is left.
    fn gen_base(&mut self, conj: &Conj<'a>, hint: Hint<'a>) -> Result<Value, GenError> {
        let mut hint = hint;
        if let Some(kind) = conj
            .parts
            .iter()
            .find_map(|p| self.kw(p).x_stubborn_faker().or(self.kw(p).x_faker()))
            .and_then(faker::kind_of_path)
        {
            hint.kind = kind;
            hint.explicit = true;
        }
        let choices = self.type_choices(conj, hint)?;
        let mut last_err = None;
        for choice in choices {
            let r = match choice {
                Choice::Null => Ok(Value::Null),
                Choice::Boolean => Ok(Value::Bool(self.chance(0.5))),
                Choice::Object => self.gen_object(conj, hint),
                Choice::Array => self.gen_array(conj, hint),
                Choice::String => self.gen_string(conj, hint),
                Choice::Integer => self.gen_number(conj, hint, true, true),
                Choice::Number { integral_ok } => self.gen_number(conj, hint, false, integral_ok),
            };
            match r {
                Ok(v) => return Ok(v),
                Err(e) => last_err = Some(e),
            }
            if self.exhausted() {
                break;
            }
        }
        Err(last_err.unwrap_or_else(|| self.err(conj.at, "no type can be generated")))
    }

    /// The types to try, best first.
    fn type_choices(&mut self, conj: &Conj<'a>, hint: Hint<'a>) -> Result<Choices, GenError> {
        let mut mask = ty::ALL;
        let mut typed: Option<Part<'a>> = None;
        for p in &conj.parts {
            if let Some(t) = self.kw(p).type_() {
                mask &= ty::parse(t);
                typed.get_or_insert(*p);
            }
        }
        mask &= !conj.made().not_types;
        let Some(typed) = typed else {
            return Ok(self.inferred_choices(conj, hint, mask));
        };
        if mask == 0 {
            let at = self.at_key(typed.ptr, "type");
            return Err(self.err(at, "no JSON type satisfies every `type` constraint"));
        }
        let mut choices = Choices::new();
        for (bit, choice) in [
            (ty::OBJECT, Choice::Object),
            (ty::ARRAY, Choice::Array),
            (ty::STRING, Choice::String),
            (ty::BOOLEAN, Choice::Boolean),
        ] {
            if mask & bit != 0 {
                choices.push(choice);
            }
        }
        if mask & ty::FRACTION != 0 {
            choices.push(Choice::Number {
                integral_ok: mask & ty::INTEGER != 0,
            });
        } else if mask & ty::INTEGER != 0 {
            choices.push(Choice::Integer);
        }
        // Shuffle, then put the type the name suggests first.
        for i in (1..choices.len()).rev() {
            let j = self.index(i + 1);
            choices.swap(i, j);
        }
        if let Some(pref) = faker::preferred_choice(hint.kind) {
            if let Some(pos) = choices.iter().position(|c| same_family(*c, pref)) {
                // `remove(pos)` then `insert(0, _)`, without moving the rest twice.
                choices[..=pos].rotate_right(1);
            }
        }
        if mask & ty::NULL != 0 {
            if self.minimal() || choices.is_empty() {
                choices.insert(0, Choice::Null);
            } else {
                choices.push(Choice::Null);
            }
        }
        Ok(choices)
    }

    /// Types for a schema without `type`: from the keywords present, else from the name.
    fn inferred_choices(&self, conj: &Conj<'a>, hint: Hint<'a>, mask: u8) -> Choices {
        let has = |f: fn(&Kw<'a>) -> bool| conj.parts.iter().any(|p| f(self.kw(p)));
        let object_kw = has(|k| {
            k.properties().is_some()
                || k.required().is_some()
                || k.additional_properties().is_some()
                || k.pattern_properties().is_some()
                || k.property_names().is_some()
                || k.min_properties().is_some()
                || k.max_properties().is_some()
                || k.dependent_required().is_some()
                || k.unevaluated_properties().is_some()
        });
        let array_kw = has(|k| {
            k.items().is_some()
                || k.prefix_items().is_some()
                || k.min_items().is_some()
                || k.max_items().is_some()
                || k.contains().is_some()
                || k.unique_items().is_some()
                || k.unevaluated_items().is_some()
        });
        let string_kw = has(|k| {
            k.min_length().is_some()
                || k.max_length().is_some()
                || k.pattern().is_some()
                || k.format().is_some()
        });
        let number_kw = has(|k| {
            k.minimum().is_some()
                || k.maximum().is_some()
                || k.exclusive_minimum().is_some()
                || k.exclusive_maximum().is_some()
                || k.multiple_of().is_some()
        });
        let number_choice = Choice::Number {
            integral_ok: mask & ty::INTEGER != 0,
        };
        let mut order = Choices::new();
        if object_kw {
            order.push(Choice::Object);
        }
        if array_kw {
            order.push(Choice::Array);
        }
        if string_kw {
            order.push(Choice::String);
        }
        if number_kw {
            order.push(number_choice);
        }
        // Keywords say what the author meant: only fall back to other types without them.
        if order.is_empty() {
            if let Some(pref) = faker::preferred_choice(hint.kind) {
                order.push(pref);
            }
            order.extend([
                Choice::String,
                Choice::Integer,
                number_choice,
                Choice::Boolean,
                Choice::Object,
                Choice::Array,
                Choice::Null,
            ]);
        }
        let allowed = |c: &Choice| {
            let bits = match c {
                Choice::Null => ty::NULL,
                Choice::Boolean => ty::BOOLEAN,
                Choice::Object => ty::OBJECT,
                Choice::Array => ty::ARRAY,
                Choice::String => ty::STRING,
                Choice::Integer => ty::INTEGER,
                Choice::Number { .. } => ty::FRACTION | ty::INTEGER,
            };
            mask & bits != 0
        };
        let mut out = Choices::new();
        for c in order {
            if allowed(&c) && !out.iter().any(|o| same_family(*o, c)) {
                let c = match c {
                    Choice::Number { .. } if mask & ty::FRACTION == 0 => Choice::Integer,
                    other => other,
                };
                out.push(c);
            }
        }
        out
    }
}

/// Whether two choices are the same JSON type family (numbers count as one).
fn same_family(a: Choice, b: Choice) -> bool {
    let fam = |c: Choice| match c {
        Choice::Integer | Choice::Number { .. } => 0,
        Choice::Null => 1,
        Choice::Boolean => 2,
        Choice::Object => 3,
        Choice::Array => 4,
        Choice::String => 5,
    };
    fam(a) == fam(b)
}

/// The discriminator value naming `branch`: the `mapping` key whose target is the branch's
/// `$ref`, else the referenced schema's key.
fn discriminator_value<'a>(
    disc: &'a Map<String, Value>,
    branch: &'a Value,
) -> Option<(&'a str, String)> {
    let prop = disc.get("propertyName")?.as_str()?;
    let reference = branch.get("$ref")?.as_str()?;
    let key = reference.rsplit('/').next().unwrap_or(reference);
    if let Some(mapping) = disc.get("mapping").and_then(Value::as_object) {
        for (name, target) in mapping {
            if let Some(t) = target.as_str() {
                if t == reference || t == key || t.rsplit('/').next() == Some(key) {
                    return Some((prop, name.clone()));
                }
            }
        }
    }
    Some((prop, crate::schema::unescape_pointer_token(key)))
}

#[cfg(test)]
mod tests;

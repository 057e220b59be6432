//! What generation works out once per schema position and keeps for the life of the store:
//! the request-independent part of [`super::generate`].
//!
//! A dynamic body is generated afresh for every request, but most of the work is the same each
//! time: flattening a position's `$ref` and `allOf` into its conjunction, scanning each schema
//! object's keywords ([`Kw`]), gathering an object's declared and required properties and
//! classifying their names for the faker. A [`Plans`] memo (one per [`SchemaStore`], in its
//! [`SchemaStore::memo`] slot) keeps those results:
//!
//! - a [`FlatPlan`] per schema object: the objects its conjunction is made of, each with its
//!   keyword positions and how it is reached from the one before (`$ref` target, `allOf`
//!   member), so flattening again is a few array indexings and no hashing;
//! - an [`ObjPlan`] per conjunction of an object (keyed by the addresses of its parts): its
//!   declared properties (where each is declared, its faker [`Kind`], and where the object's
//!   schemas are plain, each `properties` entry's [`FlatPlan`] and whether `readOnly` or
//!   `writeOnly` leaves the property out), its required names,
//!   `minProperties`/`maxProperties`, whether the object describes a person, and a map of
//!   the declared names (values `null`) that a generated object is cloned from and filled
//!   by position, so no key is hashed again.
//!
//! Plans hold no references, only indices into the schema objects they were made from, and are
//! keyed by the addresses of the store's values: the store's memo starts empty again whenever
//! the store changes, so an address always names the same schema. Only generation from a stored
//! schema uses them ([`super::generate`]); an inline schema (`generate_value`) is not the
//! store's, so its addresses could be reused, and it is flattened as before.
//!
//! What a plan gives is exactly what the uncached code computes (same parts in the same order,
//! same pointers for errors, same random draws); where building a plan meets anything unusual
//! (an error to report, a reference into a schema rather than to one) there is no plan and the
//! uncached code runs. Both memos are bounded ([`MAX_PLANS`]); past the bound, positions are
//! worked out each time, as before.

use super::faker::{classify, Kind};
use super::kw::{as_array, as_object, as_u64, is_true, Kw, KwAt};
use super::{addr, Conj, MAX_PARTS};
use crate::schema::{unescape_pointer_token, Direction, SchemaId, SchemaStore};
use serde_json::{Map, Value};
use smallvec::SmallVec;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, OnceLock, RwLock};

/// Plans kept per memo; a document has far fewer schema objects and object shapes than this.
pub(super) const MAX_PLANS: usize = 1 << 16;

/// Hashes addresses (already unique, so mixing them is enough).
#[derive(Default, Clone, Copy)]
pub(super) struct AddrHasher(u64);

impl Hasher for AddrHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

type AddrMap<K, V> = HashMap<K, V, BuildHasherDefault<AddrHasher>>;

/// The addresses of a conjunction's parts, in order.
type PartsKey = SmallVec<[usize; 4]>;

/// The plans of one store (see the module docs).
#[derive(Default)]
pub(crate) struct Plans {
    /// Per schema object (by address): its flattened conjunction, `None` where the uncached
    /// code must run.
    flat: RwLock<AddrMap<usize, Option<FlatPlan>>>,
    /// Per conjunction of an object (by the addresses of its parts).
    objects: RwLock<AddrMap<PartsKey, Arc<ObjPlan>>>,
    /// Per side, per stored schema: whether generation is exact for it ([`is_exact`]).
    exact: [OnceLock<Box<[OnceLock<bool>]>>; 2],
}

/// Formats whose strings the generator builds valid by construction (`format_string`, whose
/// results are not checked against the format), or that the validator does not assert
/// (OpenAPI's numeric formats).
const EXACT_FORMATS: &[&str] = &[
    "date-time",
    "date",
    "email",
    "uuid",
    "int32",
    "int64",
    "float",
    "double",
];

/// Whether every value the generator makes for `root` (without examples, on `side`) is valid
/// against it, so the validator need not check it again. True when every schema object
/// reachable from `root` uses only keywords the generator satisfies by construction or checks
/// itself with the checker that agrees with the validator (`super::validate`): annotations,
/// `x-` extensions, `type`, `enum`, `const`, `$ref`, `allOf`, `properties`, `required`,
/// `additionalProperties`, `items`, `minItems`, `maxItems`, `minLength`, `maxLength`, the
/// [`EXACT_FORMATS`], and number bounds the generator compares exactly (within 2^53, or an
/// `int64` extreme). Anything else (`pattern`, `oneOf`, `anyOf`, `not`, `if`, `uniqueItems`,
/// `multipleOf`, `contains`, `patternProperties`, other formats, ...), and the side's
/// direction flag (`writeOnly: true` in a response, `readOnly: true` in a request: the
/// validator's adaptation and the generator's exclusions are not proven to agree through
/// every composition), make it not exact, and the validator checks as before.
pub(super) fn is_exact(store: &SchemaStore, root: &Value, side: Direction) -> bool {
    let flag = match side {
        Direction::Request => "readOnly",
        Direction::Response => "writeOnly",
    };
    let mut seen: HashSet<usize, BuildHasherDefault<AddrHasher>> = HashSet::default();
    let mut stack: Vec<&Value> = vec![root];
    while let Some(v) = stack.pop() {
        let map = match v {
            Value::Bool(true) => continue,
            Value::Object(m) => m,
            _ => return false,
        };
        if !seen.insert(addr(map)) {
            continue;
        }
        for (k, x) in map {
            let ok = match k.as_str() {
                "title" | "description" | "$comment" | "examples" | "example" | "default"
                | "deprecated" | "xml" | "externalDocs" | "nullable" => true,
                "readOnly" | "writeOnly" => !(k == flag && *x == Value::Bool(true)),
                "const" => true,
                // Only well-formed ones: a validator reads a malformed keyword its own way.
                "enum" => x.is_array(),
                "required" => x
                    .as_array()
                    .is_some_and(|names| names.iter().all(Value::is_string)),
                "type" => match x {
                    Value::String(t) => TYPES.contains(&t.as_str()),
                    Value::Array(ts) => ts
                        .iter()
                        .all(|t| t.as_str().is_some_and(|t| TYPES.contains(&t))),
                    _ => false,
                },
                "minLength" | "maxLength" | "minItems" | "maxItems" => x.is_u64(),
                "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum" => exact_bound(x),
                "format" => x.as_str().is_some_and(|f| EXACT_FORMATS.contains(&f)),
                "$ref" => match x.as_str().and_then(|r| store.resolve(r)) {
                    Some(target) => {
                        stack.push(target);
                        true
                    }
                    None => false,
                },
                "allOf" => x.as_array().is_some_and(|all| {
                    stack.extend(all);
                    !all.is_empty()
                }),
                "properties" => x.as_object().is_some_and(|props| {
                    stack.extend(props.values());
                    true
                }),
                "additionalProperties" => {
                    if !x.is_boolean() {
                        stack.push(x);
                    }
                    true
                }
                "items" => {
                    stack.push(x);
                    true
                }
                other => other.starts_with("x-"),
            };
            if !ok {
                return false;
            }
        }
    }
    true
}

/// JSON Schema's type names.
const TYPES: [&str; 7] = [
    "null", "boolean", "object", "array", "number", "string", "integer",
];

/// A number bound the generator's `f64` comparisons decide as the validator does.
fn exact_bound(x: &Value) -> bool {
    const SAFE: f64 = 9_007_199_254_740_992.0; // 2^53
    match x {
        Value::Number(n) => {
            n.as_i64().is_some_and(|i| i == i64::MIN || i == i64::MAX)
                || n.as_f64().is_some_and(|f| f.abs() <= SAFE)
        }
        _ => false,
    }
}

/// How a part of a flattened conjunction is reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Src {
    /// The schema object flattened.
    Root,
    /// The `$ref` target of part `parent` (that part's [`FlatPart::target`]).
    Ref { parent: u16 },
    /// Member `i` of part `parent`'s `allOf`.
    AllOf { parent: u16, i: u32 },
}

/// One schema object of a flattened conjunction.
#[derive(Clone, Copy)]
pub(super) struct FlatPart {
    pub src: Src,
    /// Its keyword positions ([`Kw::at`]).
    pub at: KwAt,
    /// The stored schema its `$ref` names, when the target is an object (then the position
    /// also records the reference key, as `Conj::ref_keys` does).
    pub target: Option<SchemaId>,
}

/// The schema objects one schema object's conjunction is made of, in the order flattening
/// adds them (depth first: the object, its `$ref` target's conjunction, then each `allOf`
/// member's), each object once.
#[derive(Clone)]
pub(super) struct FlatPlan {
    pub parts: SmallVec<[FlatPart; 4]>,
    /// Some part says `readOnly: true`, `writeOnly: true`.
    pub read_only: bool,
    pub write_only: bool,
}

impl FlatPlan {
    /// The plan of `root`, or `None` where flattening would report an error or meets a
    /// reference the plan cannot name by id (the uncached code then runs and says why).
    fn build(store: &SchemaStore, root: &Map<String, Value>) -> Option<FlatPlan> {
        fn visit<'s>(
            store: &'s SchemaStore,
            parts: &mut SmallVec<[FlatPart; 4]>,
            maps: &mut SmallVec<[&'s Map<String, Value>; 8]>,
            map: &'s Map<String, Value>,
            src: Src,
        ) -> Option<()> {
            if maps.iter().any(|m| addr(*m) == addr(map)) {
                return Some(());
            }
            if maps.len() >= MAX_PARTS {
                return None;
            }
            let kw = Kw::scan(map);
            let idx = parts.len();
            let parent = u16::try_from(idx).ok()?;
            parts.push(FlatPart {
                src,
                at: kw.at(),
                target: None,
            });
            maps.push(map);
            if let Some(r) = kw.ref_() {
                let rest = r.as_str()?.strip_prefix("#/$defs/")?;
                if rest.contains('/') {
                    return None;
                }
                let id = store.id_of_key(&unescape_pointer_token(rest))?;
                match store.get(id) {
                    Value::Object(target) => {
                        parts[idx].target = Some(id);
                        visit(store, parts, maps, target, Src::Ref { parent })?;
                    }
                    Value::Bool(false) => return None,
                    _ => {}
                }
            }
            if let Some(all) = as_array(kw.all_of()) {
                for (i, sub) in all.iter().enumerate() {
                    match sub {
                        Value::Object(m) => {
                            let i = u32::try_from(i).ok()?;
                            visit(store, parts, maps, m, Src::AllOf { parent, i })?;
                        }
                        Value::Bool(false) => return None,
                        _ => {}
                    }
                }
            }
            Some(())
        }
        let mut parts = SmallVec::new();
        let mut maps = SmallVec::new();
        visit(store, &mut parts, &mut maps, root, Src::Root)?;
        let says = |key: &str| maps.iter().any(|m| is_true(m.get(key)));
        Some(FlatPlan {
            parts,
            read_only: says("readOnly"),
            write_only: says("writeOnly"),
        })
    }
}

/// A declared property of an object.
pub(super) struct Decl {
    /// The first part that declares it, and its index in that part's `properties`.
    pub part: u16,
    pub entry: u32,
    /// The later parts that declare it too, with the index in each one's `properties`.
    pub also: SmallVec<[(u16, u32); 1]>,
    /// [`classify`] of its name.
    pub kind: Kind,
    /// Where the object's plan is the store's and [`ObjPlan::plain`]: the flattened
    /// conjunction of each of its `properties` entries (`part`/`entry`'s first, then `also`'s),
    /// `None` for an entry that is not a schema object or has no [`FlatPlan`]. Empty otherwise.
    pub flats: SmallVec<[Option<FlatPlan>; 1]>,
    /// Whether the property is left out in requests, in responses, as its entries' plans say
    /// ([`FlatPlan::read_only`], [`FlatPlan::write_only`]); `None` where an entry has no plan.
    pub excluded: Option<[bool; 2]>,
}

/// What an object's conjunction says about its properties, independent of choices made for
/// it (`Conj::made`) and of the request.
pub(super) struct ObjPlan {
    /// Declared properties, in the document's order (first part first).
    pub declared: Vec<Decl>,
    /// Required names, each once: the part whose `required` lists it first, and the index.
    pub required: Vec<(u16, u32)>,
    pub min_props: u64,
    /// The smallest `maxProperties` and the (first) part that sets it.
    pub max_props: Option<(u64, u16)>,
    /// It has a `name` and a person's field (`email`, `firstName`, ...): `name` is a person's.
    pub personish: bool,
    /// No part has `patternProperties`, `additionalProperties`, `unevaluatedProperties` or
    /// `propertyNames`: a declared property's schemas are exactly its `properties` entries.
    pub plain: bool,
    /// Some part has `dependentRequired`.
    pub dependent_required: bool,
    /// The declared names in order, each with `null`: cloned for an object that has most of
    /// them, so its map is filled by position without hashing every key again
    /// (`serde_json::Map` hashes each inserted key with SipHash; a clone copies the hashes).
    pub template: Map<String, Value>,
}

impl ObjPlan {
    /// Declared property `i`, where its `properties` entries (`part`/`entry`, then `also`) are
    /// all there is to its schemas ([`ObjPlan::plain`]); `None` where the general rules apply.
    pub(super) fn also(&self, i: usize) -> Option<&Decl> {
        if self.plain {
            self.declared.get(i)
        } else {
            None
        }
    }

    /// The plan of an object made of `parts`; with `store` (the parts are its values), each
    /// declared property's entries flattened too ([`Decl::flats`]).
    pub(super) fn build(parts: &[Kw<'_>], store: Option<&SchemaStore>) -> ObjPlan {
        let mut declared: Vec<Decl> = Vec::new();
        let mut names: Vec<&str> = Vec::new();
        let mut required: Vec<(u16, u32)> = Vec::new();
        let mut required_names: Vec<&str> = Vec::new();
        let mut min_props = 0;
        let mut max_props: Option<(u64, u16)> = None;
        let mut plain = true;
        let mut dependent_required = false;
        for (pi, k) in parts.iter().enumerate() {
            let pi = pi as u16;
            if let Some(props) = as_object(k.properties()) {
                for (entry, name) in props.keys().enumerate() {
                    let entry = entry as u32;
                    match names.iter().position(|n| *n == name.as_str()) {
                        Some(d) => declared[d].also.push((pi, entry)),
                        None => {
                            names.push(name);
                            declared.push(Decl {
                                part: pi,
                                entry,
                                also: SmallVec::new(),
                                kind: classify(name),
                                flats: SmallVec::new(),
                                excluded: None,
                            });
                        }
                    }
                }
            }
            if let Some(req) = as_array(k.required()) {
                for (i, name) in req.iter().enumerate() {
                    if let Some(name) = name.as_str() {
                        if !required_names.contains(&name) {
                            required_names.push(name);
                            required.push((pi, i as u32));
                        }
                    }
                }
            }
            if let Some(n) = as_u64(k.min_properties()) {
                min_props = u64::max(min_props, n);
            }
            if let Some(n) = as_u64(k.max_properties()) {
                if max_props.is_none_or(|(m, _)| n < m) {
                    max_props = Some((n, pi));
                }
            }
            dependent_required |= k.dependent_required().is_some();
            plain &= k.pattern_properties().is_none()
                && k.additional_properties().is_none()
                && k.unevaluated_properties().is_none()
                && k.property_names().is_none();
        }
        if let (true, Some(store)) = (plain, store) {
            let flat = |pi: u16, entry: u32| {
                let props = as_object(parts.get(usize::from(pi))?.properties())?;
                let (_, s) = props.iter().nth(entry as usize)?;
                FlatPlan::build(store, s.as_object()?)
            };
            for d in &mut declared {
                d.flats.push(flat(d.part, d.entry));
                for &(pi, entry) in &d.also {
                    d.flats.push(flat(pi, entry));
                }
                d.excluded = d.flats.iter().try_fold([false; 2], |[ro, wo], f| {
                    f.as_ref().map(|f| [ro | f.read_only, wo | f.write_only])
                });
            }
        }
        let template = names
            .iter()
            .map(|n| ((*n).to_owned(), Value::Null))
            .collect();
        let has_name = names.iter().any(|n| n.eq_ignore_ascii_case("name"));
        let personish = has_name
            && declared.iter().any(|d| {
                matches!(
                    d.kind,
                    Kind::FirstName
                        | Kind::LastName
                        | Kind::Email
                        | Kind::Username
                        | Kind::Phone
                        | Kind::Birthday
                        | Kind::JobTitle
                )
            });
        ObjPlan {
            declared,
            required,
            min_props,
            max_props,
            personish,
            plain,
            dependent_required,
            template,
        }
    }
}

impl Plans {
    /// Runs `f` with the flattened conjunction of `map` (a value of `store`), planned on first
    /// use; `f` gets `None` where there is no plan.
    pub(super) fn with_flat<R>(
        &self,
        store: &SchemaStore,
        map: &Map<String, Value>,
        f: impl FnOnce(Option<&FlatPlan>) -> R,
    ) -> R {
        let key = addr(map);
        {
            let flat = self.flat.read().unwrap_or_else(|e| e.into_inner());
            if let Some(plan) = flat.get(&key) {
                return f(plan.as_ref());
            }
        }
        let plan = FlatPlan::build(store, map);
        let mut flat = self.flat.write().unwrap_or_else(|e| e.into_inner());
        if flat.len() >= MAX_PLANS {
            drop(flat);
            return f(plan.as_ref());
        }
        let plan = flat.entry(key).or_insert(plan);
        f(plan.as_ref())
    }

    /// The plan of an object made of `conj`'s parts (`kws` their keywords), made on first
    /// use.
    pub(super) fn object(
        &self,
        store: &SchemaStore,
        conj: &Conj<'_>,
        kws: &[Kw<'_>],
    ) -> Arc<ObjPlan> {
        let key: PartsKey = conj.parts.iter().map(|p| addr(p.map)).collect();
        if let Some(plan) = self
            .objects
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
        {
            return Arc::clone(plan);
        }
        let plan = Arc::new(ObjPlan::build(kws, Some(store)));
        let mut objects = self.objects.write().unwrap_or_else(|e| e.into_inner());
        if objects.len() < MAX_PLANS {
            objects.entry(key).or_insert_with(|| Arc::clone(&plan));
        }
        plan
    }

    /// Whether generation is exact for the stored schema `id` on `side` ([`is_exact`]),
    /// decided once.
    pub(super) fn exact(&self, store: &SchemaStore, id: SchemaId, side: Direction) -> bool {
        let per = self.exact[side as usize]
            .get_or_init(|| (0..store.len()).map(|_| OnceLock::new()).collect());
        per.get(id.0 as usize)
            .is_some_and(|e| *e.get_or_init(|| is_exact(store, store.get(id), side)))
    }

    #[cfg(test)]
    pub(super) fn counts(&self) -> (usize, usize) {
        (
            self.flat.read().map_or(0, |f| f.len()),
            self.objects.read().map_or(0, |o| o.len()),
        )
    }
}

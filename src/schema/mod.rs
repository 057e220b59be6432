//! Schemas as plain JSON Schema (draft 2020-12) values, interned once at load time.
//!
//! Every schema the model refers to lives in one [`SchemaStore`] under a key. A `$ref` inside a
//! stored schema is always rewritten to the local form `#/$defs/KEY`, so the whole store is one
//! self-contained JSON Schema document (`{"$defs": {...}}`): circular references are plain
//! cycles between keys, and nothing downstream knows which file a schema came from.
//!
//! Validators are compiled on first use, once per schema, against a registry that holds the
//! whole store, and reused for every request after that.

pub mod convert;
pub mod direction;
pub mod hints;
pub mod lean;
pub mod messages;
pub mod shape;

use serde_json::{Map, Value};
use std::any::Any;
use std::collections::HashMap;
use std::sync::OnceLock;

/// The URI under which the store is registered for `jsonschema`.
const STORE_URI: &str = "urn:stubborn:schemas";

/// Index of a schema in a [`SchemaStore`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SchemaId(pub u32);

/// A compiled validator, or the reason the schema could not be compiled.
pub type CompiledValidator = Result<jsonschema::Validator, String>;

/// Which side of an exchange a value is on. `readOnly` properties are not required in
/// requests and `writeOnly` ones not in responses, so a schema validates differently per side.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    Request,
    Response,
}

/// All schemas of one API, in JSON Schema 2020-12 form.
#[derive(Default)]
pub struct SchemaStore {
    keys: Vec<String>,
    defs: Vec<Value>,
    origins: Vec<String>,
    index: HashMap<String, SchemaId>,
    /// Per direction: the store as one document, adapted to that side, registered once.
    registries: [OnceLock<Result<jsonschema::Registry<'static>, String>>; 2],
    /// Per direction: validators compiled on first use.
    validators: [Vec<OnceLock<CompiledValidator>>; 2],
    /// Request side: validators of [`lean::Lean`] bodies, compiled on first use.
    lean_validators: Vec<OnceLock<Result<jsonschema::Validator<lean::LeanJson>, String>>>,
    /// Per direction: one validator over every schema of the store (see
    /// [`SchemaStore::check_transient`]), with how many ids it covers.
    whole: [OnceLock<(usize, CompiledValidator)>; 2],
    /// Values the document writes by property name, gathered on first use (see
    /// [`hints::NameHints`]).
    hints: OnceLock<hints::NameHints>,
    /// What a layer above works out once about the stored schemas (generation plans:
    /// `generate::plan`), keyed by the addresses of the store's values; built on first use and
    /// emptied by every change to the store, so an address always names the same schema.
    memo: OnceLock<Box<dyn Any + Send + Sync>>,
}

impl std::fmt::Debug for SchemaStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SchemaStore")
            .field("len", &self.defs.len())
            .finish()
    }
}

impl SchemaStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// Builds a store from `(key, schema)` pairs whose `$ref`s already use `#/$defs/KEY`.
    /// Used by tests and by callers that hold plain JSON Schemas.
    pub fn from_defs<I, K>(defs: I) -> Self
    where
        I: IntoIterator<Item = (K, Value)>,
        K: Into<String>,
    {
        let mut store = Self::new();
        for (key, schema) in defs {
            let key = key.into();
            let id = store.reserve(&key, format!("#/$defs/{key}"));
            store.set(id, schema);
        }
        store
    }

    /// Reserves a fresh key derived from `wanted` (made unique) and returns its id. The schema
    /// itself is filled in later with [`SchemaStore::set`]; this lets cyclic references be
    /// rewritten before their targets are converted.
    pub fn reserve(&mut self, wanted: &str, origin: String) -> SchemaId {
        let base = sanitize_key(wanted);
        let mut key = base.clone();
        let mut n = 2;
        while self.index.contains_key(&key) {
            key = format!("{base}_{n}");
            n += 1;
        }
        let id = SchemaId(self.defs.len() as u32);
        self.index.insert(key.clone(), id);
        self.keys.push(key);
        self.defs.push(Value::Bool(true));
        self.origins.push(origin);
        self.validators[0].push(OnceLock::new());
        self.validators[1].push(OnceLock::new());
        self.lean_validators.push(OnceLock::new());
        // `defs` may have moved: addresses of its values name other schemas now.
        self.memo = OnceLock::new();
        id
    }

    /// Sets the schema of a reserved id.
    pub fn set(&mut self, id: SchemaId, schema: Value) {
        self.defs[id.0 as usize] = schema;
        self.memo = OnceLock::new();
    }

    /// The store's memo of type `T` (one type per store: the first caller's), created on first
    /// use. `None` if the memo holds another type. Its keys may be addresses of the store's
    /// values: they stay valid as long as the store is borrowed, and every change to the store
    /// (`reserve`, `set`) starts a new memo.
    pub fn memo<T: Any + Send + Sync + Default>(&self) -> Option<&T> {
        self.memo
            .get_or_init(|| Box::new(T::default()))
            .downcast_ref::<T>()
    }

    pub fn len(&self) -> usize {
        self.defs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.defs.is_empty()
    }

    pub fn ids(&self) -> impl Iterator<Item = SchemaId> {
        (0..self.defs.len() as u32).map(SchemaId)
    }

    /// The schema stored under `id`.
    pub fn get(&self, id: SchemaId) -> &Value {
        &self.defs[id.0 as usize]
    }

    /// What the document says about values by property name (built on first use).
    pub fn name_hints(&self) -> &hints::NameHints {
        self.hints.get_or_init(|| {
            hints::NameHints::build(self.keys.iter().map(String::as_str).zip(self.defs.iter()))
        })
    }

    /// The key of `id` (what `#/$defs/KEY` names).
    pub fn key(&self, id: SchemaId) -> &str {
        &self.keys[id.0 as usize]
    }

    /// Where the schema was found in the source document(s): `file#/pointer`.
    pub fn origin(&self, id: SchemaId) -> &str {
        &self.origins[id.0 as usize]
    }

    pub fn id_of_key(&self, key: &str) -> Option<SchemaId> {
        self.index.get(key).copied()
    }

    /// The `$ref` string that points at `id` from inside the store.
    pub fn ref_to(&self, id: SchemaId) -> String {
        format!("#/$defs/{}", self.key(id))
    }

    /// Resolves a `$ref` of the store's own form (`#/$defs/KEY`, optionally followed by a
    /// deeper JSON pointer) to the schema it names.
    pub fn resolve(&self, reference: &str) -> Option<&Value> {
        let rest = reference.strip_prefix("#/$defs/")?;
        let (key, deeper) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        let key = unescape_pointer_token(key);
        let id = self.id_of_key(&key)?;
        let schema = self.get(id);
        if deeper.is_empty() {
            Some(schema)
        } else {
            schema.pointer(deeper)
        }
    }

    /// Follows `$ref` chains (at most a few hops) and returns the first schema without `$ref`
    /// siblings-only indirection. Schemas that carry keywords beside `$ref` are returned as is.
    pub fn deref<'a>(&'a self, mut schema: &'a Value) -> &'a Value {
        for _ in 0..32 {
            match schema.as_object() {
                Some(obj) if obj.len() == 1 => match obj.get("$ref").and_then(Value::as_str) {
                    Some(r) => match self.resolve(r) {
                        Some(target) => schema = target,
                        None => return schema,
                    },
                    None => return schema,
                },
                _ => return schema,
            }
        }
        schema
    }

    /// The whole store as one JSON Schema document.
    pub fn to_document(&self) -> Value {
        let mut defs = Map::new();
        for (k, v) in self.keys.iter().zip(&self.defs) {
            defs.insert(k.clone(), v.clone());
        }
        let mut root = Map::new();
        root.insert(
            "$schema".into(),
            Value::String("https://json-schema.org/draft/2020-12/schema".into()),
        );
        root.insert("$defs".into(), Value::Object(defs));
        Value::Object(root)
    }

    fn registry(&self, direction: Direction) -> Result<&jsonschema::Registry<'static>, String> {
        self.registries[direction as usize]
            .get_or_init(|| {
                let mut doc = self.to_document();
                direction::adapt(&mut doc, direction);
                jsonschema::Registry::new()
                    .add(STORE_URI, doc)
                    .and_then(|b| b.prepare())
                    .map_err(|e| e.to_string())
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The validator for `id` on the response side (what a server may send).
    pub fn validator(&self, id: SchemaId) -> Result<&jsonschema::Validator, &str> {
        self.validator_for(id, Direction::Response)
    }

    /// The validator for `id` on one side of the exchange, compiled on first use and cached.
    /// Formats are asserted (OpenAPI's `int32`/`int64` ranges are turned into bounds at load
    /// time; `byte` is checked as base64).
    pub fn validator_for(
        &self,
        id: SchemaId,
        direction: Direction,
    ) -> Result<&jsonschema::Validator, &str> {
        self.validators[direction as usize][id.0 as usize]
            .get_or_init(|| self.compile(id, direction))
            .as_ref()
            .map_err(String::as_str)
    }

    fn compile(&self, id: SchemaId, direction: Direction) -> CompiledValidator {
        self.compile_for::<jsonschema::json::SerdeJson>(id, direction)
    }

    /// The request-side validator for `id` over [`lean::Lean`] values: the same schema, options
    /// and answers as [`SchemaStore::validator_for`]'s, compiled on first use and cached.
    pub fn lean_validator(
        &self,
        id: SchemaId,
    ) -> Result<&jsonschema::Validator<lean::LeanJson>, &str> {
        self.lean_validators[id.0 as usize]
            .get_or_init(|| self.compile_for(id, Direction::Request))
            .as_ref()
            .map_err(String::as_str)
    }

    fn compile_for<F: jsonschema::json::Json>(
        &self,
        id: SchemaId,
        direction: Direction,
    ) -> Result<jsonschema::Validator<F>, String> {
        let registry = self.registry(direction)?;
        let wrapper = serde_json::json!({
            "$ref": format!("{STORE_URI}#/$defs/{}", escape_pointer_token(self.key(id)))
        });
        jsonschema::options_for::<F>()
            .with_draft(jsonschema::Draft::Draft202012)
            .with_registry(registry)
            .should_validate_formats(true)
            .with_format("byte", is_base64)
            .build(&wrapper)
            .map_err(|e| e.to_string())
    }

    /// Validates `instance` against the schema `id` (response side); returns one message per
    /// violation, each prefixed with the JSON pointer into the instance.
    pub fn check(&self, id: SchemaId, instance: &Value) -> Result<(), Vec<String>> {
        self.check_for(id, instance, Direction::Response)
    }

    /// [`SchemaStore::check`] for one side of the exchange.
    pub fn check_for(
        &self,
        id: SchemaId,
        instance: &Value,
        direction: Direction,
    ) -> Result<(), Vec<String>> {
        let validator = self
            .validator_for(id, direction)
            .map_err(|e| vec![e.to_string()])?;
        errors_or_ok(collect_errors(validator, instance))
    }

    /// [`SchemaStore::check_for`] without keeping a validator per schema: the cached one is
    /// used when there is one, else one validator over the whole store (per side, built on
    /// first use) checks the value. Each schema's validator compiles everything it reaches, and
    /// in a document like Stripe's every response reaches most of the store: one validator per
    /// response costs seconds and, kept, a gigabyte; the whole store compiled once costs a
    /// fraction of a second and a few megabytes, and answers for any schema in it.
    pub fn check_transient(
        &self,
        id: SchemaId,
        instance: &Value,
        direction: Direction,
    ) -> Result<(), Vec<String>> {
        if self.validators[direction as usize][id.0 as usize]
            .get()
            .is_some()
        {
            return self.check_for(id, instance, direction);
        }
        let (covered, whole) = self.whole[direction as usize]
            .get_or_init(|| (self.len(), self.compile_whole(direction)));
        let whole = match whole {
            Ok(v) if (id.0 as usize) < *covered => v,
            // A schema added since, or a store that does not compile as a whole.
            _ => {
                let validator = self.compile(id, direction).map_err(|e| vec![e])?;
                return errors_or_ok(collect_errors(&validator, instance));
            }
        };
        // The value is checked as the property named by the id of an object whose properties
        // are every schema of the store; the errors' pointers lose that first step.
        let name = id.0.to_string();
        let mut wrapped = Map::new();
        wrapped.insert(name.clone(), instance.clone());
        let wrapped = Value::Object(wrapped);
        if whole.is_valid(&wrapped) {
            return Ok(());
        }
        let prefix = format!("/{name}");
        let errors = whole
            .iter_errors(&wrapped)
            .map(|e| {
                let path = e.instance_path().to_string();
                let at = path.strip_prefix(&prefix).unwrap_or(&path);
                if at.is_empty() {
                    e.to_string()
                } else {
                    format!("{at}: {e}")
                }
            })
            .collect();
        errors_or_ok(errors)
    }

    /// The validator of an object whose property `N` is schema `N` of the store.
    fn compile_whole(&self, direction: Direction) -> CompiledValidator {
        let registry = self.registry(direction)?;
        let properties: Map<String, Value> = self
            .ids()
            .map(|id| {
                let target = format!("{STORE_URI}#/$defs/{}", escape_pointer_token(self.key(id)));
                (id.0.to_string(), serde_json::json!({ "$ref": target }))
            })
            .collect();
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .with_registry(registry)
            .should_validate_formats(true)
            .with_format("byte", is_base64)
            .build(&serde_json::json!({ "properties": properties }))
            .map_err(|e| e.to_string())
    }
}

/// Is `s` base64 as OpenAPI's `format: byte` means it: RFC 4648 section 4, the standard
/// alphabet (`+` and `/`, so URL-safe `-` and `_` are not base64 here), padded to a multiple of
/// four. Unused bits of the last character need not be zero (RFC 4648 lets a decoder accept them).
pub fn is_base64(s: &str) -> bool {
    use base64::engine::general_purpose::{GeneralPurpose, PAD};
    use base64::{alphabet, Engine};
    const BYTE: GeneralPurpose = GeneralPurpose::new(
        &alphabet::STANDARD,
        PAD.with_decode_allow_trailing_bits(true),
    );
    BYTE.decode(s).is_ok()
}

fn errors_or_ok(errors: Vec<String>) -> Result<(), Vec<String>> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// One message per violation, each prefixed with the JSON pointer into the instance.
fn collect_errors(validator: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    // Most values are valid, and asking only that is much cheaper than collecting errors.
    if validator.is_valid(instance) {
        return Vec::new();
    }
    validator
        .iter_errors(instance)
        .map(|e| {
            let at = e.instance_path().to_string();
            if at.is_empty() {
                e.to_string()
            } else {
                format!("{at}: {e}")
            }
        })
        .collect()
}

/// Keys are kept to characters that need no escaping in a URI fragment or JSON pointer.
fn sanitize_key(wanted: &str) -> String {
    let mut out: String = wanted
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if out.is_empty() {
        out.push_str("schema");
    }
    out
}

/// Escapes one JSON pointer token (`~` → `~0`, `/` → `~1`).
pub fn escape_pointer_token(token: &str) -> String {
    if token.contains(['~', '/']) {
        token.replace('~', "~0").replace('/', "~1")
    } else {
        token.to_string()
    }
}

/// Unescapes one JSON pointer token (`~1` → `/`, `~0` → `~`).
pub fn unescape_pointer_token(token: &str) -> String {
    if token.contains('~') {
        token.replace("~1", "/").replace("~0", "~")
    } else {
        token.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn base64_format() {
        assert!(is_base64("aGVsbG8="));
        assert!(!is_base64("aGVsbG8"));
        assert!(!is_base64("a$=="));
        assert!(is_base64(""));
        assert!(is_base64("+/+/"));
        // URL-safe base64 is another encoding (RFC 4648 section 5), not `format: byte`.
        assert!(!is_base64("-_-_"));
        assert!(!is_base64("aGVsbG8_"));
        assert!(!is_base64("aGVsbG8==="));
    }

    #[test]
    fn cyclic_refs_validate() {
        let store = SchemaStore::from_defs([(
            "Node",
            json!({"type": "object", "properties": {"next": {"$ref": "#/$defs/Node"}}}),
        )]);
        let id = store.id_of_key("Node").unwrap();
        assert!(store.check(id, &json!({"next": {"next": {}}})).is_ok());
        let errs = store.check(id, &json!({"next": {"next": 3}})).unwrap_err();
        assert!(errs[0].starts_with("/next/next"), "{errs:?}");
    }

    #[test]
    fn keys_are_unique_and_resolvable() {
        let mut store = SchemaStore::new();
        let a = store.reserve("Pet", "a".into());
        let b = store.reserve("Pet", "b".into());
        store.set(b, json!({"type": "string"}));
        assert_ne!(store.key(a), store.key(b));
        assert_eq!(
            store.resolve(&store.ref_to(b)),
            Some(&json!({"type": "string"}))
        );
    }
}

//! Stateful mocks: what a client creates, it can read back. [`infer`] finds the resources of a
//! document at load (collections, their items, ids, the shapes of answers); [`store`] keeps
//! the items (memory, a journaled file, Redis) behind one async interface; [`patch`] applies
//! merge and JSON patches. The functions here make and change items from requests: the
//! server-side fields a create fills in, what a replace keeps, the ids. The runtime calls
//! them (see `runtime::state`); nothing here knows of HTTP.

pub mod infer;
pub mod journal;
pub mod patch;
pub mod redis;
pub mod store;

pub use infer::{IdKind, OpPlan, Resource, Resources, Role, Shape};
pub use store::{Limits, Refusal, Seed, Store};

use crate::generate::{self, Direction, GenOptions, Locale};
use crate::respond::stable_hash;
use crate::schema::SchemaStore;
use serde_json::Value;

/// The default `--seed-items`.
pub const DEFAULT_SEED_ITEMS: usize = 3;

/// The most `--seed-items` per collection.
pub const MAX_SEED_ITEMS: usize = 1000;

/// The counter a resource's ids are drawn from (one per resource, across its scopes).
pub fn counter_key(resource: &Resource) -> String {
    resource.name.clone()
}

/// The `n`th id of a resource: its store key and its JSON value.
pub fn nth_id(resource: &Resource, seed: u64, n: u64) -> (String, Value) {
    match resource.id_kind {
        IdKind::Integer => (n.to_string(), Value::from(n)),
        IdKind::Text => {
            let id = format!("{}{n}", resource.id_prefix);
            (id.clone(), Value::from(id))
        }
        IdKind::Uuid => {
            let s = seed.to_string();
            let n = n.to_string();
            let hi = stable_hash(&[&s, &resource.name, &n, "uuid-hi"]);
            let lo = stable_hash(&[&s, &resource.name, &n, "uuid-lo"]);
            // Version 4, RFC 4122 variant: a UUID any validator accepts.
            let hi = (hi & 0xffff_ffff_ffff_0fff) | 0x0000_0000_0000_4000;
            let lo = (lo & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
            let text = format!(
                "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
                hi >> 32,
                (hi >> 16) & 0xffff,
                hi & 0xffff,
                lo >> 48,
                lo & 0xffff_ffff_ffff
            );
            (text.clone(), Value::from(text))
        }
    }
}

/// The store key of an id given in a path: integers in their canonical form (`01` is `1`).
pub fn key_of(resource: &Resource, raw: &str) -> String {
    match resource.id_kind {
        IdKind::Integer => raw
            .parse::<i64>()
            .map(|n| n.to_string())
            .unwrap_or_else(|_| raw.to_string()),
        _ => raw.to_string(),
    }
}

/// The store key of an item's own id property, when it has one.
pub fn key_in(resource: &Resource, item: &Value) -> Option<String> {
    let v = item.get(resource.id_property.as_deref()?)?;
    Some(match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
    })
}

/// Now, as RFC 3339 (seconds), and today's date.
fn now() -> (String, String) {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let t = chrono::DateTime::from_timestamp(secs, 0).unwrap_or_default();
    (
        t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        t.format("%Y-%m-%d").to_string(),
    )
}

/// A date or date-time server-side field's fresh value.
fn timestamp(resource: &Resource, field: &str) -> Option<Value> {
    let (_, date_time) = resource.timestamps.iter().find(|(f, _)| f == field)?;
    let (now_time, today) = now();
    Some(Value::from(if *date_time { now_time } else { today }))
}

/// A fully generated item (for seeds, and for the server-side fields of a create).
fn generated(
    store: &SchemaStore,
    resource: &Resource,
    seed: u64,
    tag: &str,
    n: u64,
    locale: Locale,
) -> Value {
    let opts = GenOptions {
        seed: stable_hash(&[&seed.to_string(), &resource.name, tag, &n.to_string()]),
        direction: Direction::Response,
        use_examples: n == 1,
        locale,
        fill_properties: false,
        ..GenOptions::default()
    };
    generate::generate(store, resource.item_schema, &opts)
        .unwrap_or_else(|_| Value::Object(Default::default()))
}

/// The first items of every top-level collection: `n` each, generated from the item schema
/// with `seed`, ids 1..=n (or their UUIDs). Nested collections start empty.
pub fn seed(
    store: &SchemaStore,
    resources: &Resources,
    n: usize,
    seed: u64,
    locale: Locale,
) -> Seed {
    let mut out = Seed::default();
    for r in &resources.list {
        if !r.parents.is_empty() {
            continue;
        }
        let scope = store::scope_key(&r.name, &r.collection);
        for i in 1..=n as u64 {
            let mut item = generated(store, r, seed, "seed", i, locale);
            let (key, id) = nth_id(r, seed, i);
            if let (Some(p), Value::Object(m)) = (&r.id_property, &mut item) {
                m.insert(p.clone(), id);
            }
            out.items.push((scope.clone(), key, item));
        }
        out.counters.push((counter_key(r), n as u64));
    }
    out
}

/// The item a create stores: the request's body, with the server-side fields it lacks (the
/// id, `readOnly` ones, timestamps) filled in; its store key.
pub fn created(
    store: &SchemaStore,
    resource: &Resource,
    body: &Value,
    n: u64,
    seed: u64,
    locale: Locale,
) -> Result<(String, Value), Refusal> {
    let Value::Object(given) = body else {
        return Err(Refusal::new(
            422,
            "Unprocessable Content",
            "a new item is a JSON object",
        ));
    };
    let mut item = given.clone();
    let mut full: Option<Value> = None;
    for field in &resource.server_fields {
        if item.contains_key(field) {
            continue;
        }
        if Some(field) == resource.id_property.as_ref() {
            item.insert(field.clone(), nth_id(resource, seed, n).1);
            continue;
        }
        let value = timestamp(resource, field).or_else(|| {
            full.get_or_insert_with(|| generated(store, resource, seed, "new", n, locale))
                .get(field)
                .cloned()
        });
        if let Some(v) = value {
            item.insert(field.clone(), v);
        }
    }
    // A required property the request left out that has a `default`: the default.
    for (field, default) in &resource.defaults {
        if !item.contains_key(field) {
            item.insert(field.clone(), default.clone());
        }
    }
    let item = Value::Object(item);
    let key = key_in(resource, &item).unwrap_or_else(|| nth_id(resource, seed, n).0);
    Ok((key, item))
}

/// The item a replace stores: the body, with the server-side fields of the stored item kept
/// (its id above all) and update timestamps renewed.
pub fn replaced(resource: &Resource, old: &Value, body: &Value) -> Result<Value, Refusal> {
    let Value::Object(given) = body else {
        return Err(Refusal::new(
            422,
            "Unprocessable Content",
            "an item is a JSON object",
        ));
    };
    let mut item = given.clone();
    for field in &resource.server_fields {
        if let Some(v) = old.get(field) {
            if !item.contains_key(field) {
                item.insert(field.clone(), v.clone());
            }
        }
    }
    let mut item = Value::Object(item);
    keep_identity(resource, old, &mut item);
    Ok(item)
}

/// After a change: the id stays the stored one, `updatedAt`-like timestamps are renewed.
pub fn keep_identity(resource: &Resource, old: &Value, item: &mut Value) {
    let Value::Object(m) = item else { return };
    if let Some(p) = &resource.id_property {
        match old.get(p) {
            Some(id) => {
                m.insert(p.clone(), id.clone());
            }
            None => {
                m.shift_remove(p);
            }
        }
    }
    for field in &resource.server_fields {
        let lower = field.to_ascii_lowercase();
        if lower.contains("updated") || lower.contains("modified") {
            if let Some(v) = timestamp(resource, field) {
                m.insert(field.clone(), v);
            }
        }
    }
}

/// The item checked against its schema: 422 naming the violations when it breaks it.
pub fn check_item(store: &SchemaStore, resource: &Resource, item: &Value) -> Result<(), Refusal> {
    store.check(resource.item_schema, item).map_err(|errors| {
        Refusal::new(
            422,
            "Unprocessable Content",
            format!(
                "the {} item would break its schema: {}",
                resource.name,
                errors.join("; ")
            ),
        )
    })
}

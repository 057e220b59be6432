//! Where stateful items live: in memory (optionally journaled to a file, see
//! [`super::journal`]) or in Redis (see [`super::redis`]). The request path calls the same
//! async methods whichever it is; every read-modify-write is atomic (under one lock in
//! memory, a compare-and-set loop in Redis), so concurrent updates are never lost.
//!
//! Items are kept per *scope*: a resource's name and, for a nested resource, its parents' ids
//! (`owners.pets` under `/owners/1/pets`), written `NAME\nPATH` (see [`scope_key`]). Within a
//! scope items keep their creation order.

use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

/// The bounds of a store: a stateful mock never holds unbounded memory.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Items in all scopes together (`--state-max-items`).
    pub max_items: usize,
    /// The largest item, serialised (bytes).
    pub max_item_bytes: usize,
    /// All items together, serialised (bytes; memory and file stores).
    pub max_total_bytes: usize,
}

/// The default `--state-max-items`.
pub const DEFAULT_MAX_ITEMS: usize = 10_000;
/// The largest item stored: 256 KB.
pub const MAX_ITEM_BYTES: usize = 256 * 1024;
/// All items of a memory or file store together: 64 MB.
pub const MAX_TOTAL_BYTES: usize = 64 * 1024 * 1024;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_items: DEFAULT_MAX_ITEMS,
            max_item_bytes: MAX_ITEM_BYTES,
            max_total_bytes: MAX_TOTAL_BYTES,
        }
    }
}

/// Why a change was not made: an answer's status, title and detail.
#[derive(Clone, Debug, PartialEq)]
pub struct Refusal {
    pub status: u16,
    pub title: &'static str,
    pub detail: String,
}

impl Refusal {
    pub fn new(status: u16, title: &'static str, detail: impl Into<String>) -> Refusal {
        Refusal {
            status,
            title,
            detail: detail.into(),
        }
    }

    pub(crate) fn backend(e: impl std::fmt::Display) -> Refusal {
        Refusal::new(503, "State Store Unavailable", e.to_string())
    }

    fn full(limits: &Limits) -> Refusal {
        Refusal::new(
            507,
            "Insufficient Storage",
            format!(
                "the stateful store holds its limit of {} items (--state-max-items); delete some or POST /__stubborn/reset",
                limits.max_items
            ),
        )
    }

    fn too_large(size: usize, limits: &Limits) -> Refusal {
        Refusal::new(
            413,
            "Content Too Large",
            format!(
                "the item is {size} bytes; the stateful store keeps items of at most {} bytes",
                limits.max_item_bytes
            ),
        )
    }

    fn bytes_full(limits: &Limits) -> Refusal {
        Refusal::new(
            507,
            "Insufficient Storage",
            format!(
                "the stateful store holds its limit of {} bytes of items; delete some or POST /__stubborn/reset",
                limits.max_total_bytes
            ),
        )
    }
}

/// The scope key of a resource's collection: its name, a newline, its concrete path.
pub fn scope_key(resource: &str, path: &str) -> String {
    format!("{resource}\n{path}")
}

/// The resource name and the path of a scope key.
pub fn split_scope(scope: &str) -> (&str, &str) {
    scope.split_once('\n').unwrap_or((scope, ""))
}

/// The first state of a store: items per scope (in order) and the id counters.
#[derive(Clone, Debug, Default)]
pub struct Seed {
    pub items: Vec<(String, String, Value)>,
    pub counters: Vec<(String, u64)>,
}

/// A store.
pub enum Store {
    Memory(Memory),
    Redis(super::redis::RedisStore),
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.kind())
    }
}

/// The make-an-item function of [`Store::create`]: from the counter's next value, the item's
/// id and the item, or why not.
pub type Make<'a> = &'a (dyn Fn(u64) -> Result<(String, Value), Refusal> + Sync);

/// The change function of [`Store::update`]: from the stored item, the new one, or why not.
pub type Change<'a> = &'a (dyn Fn(&Value) -> Result<Value, Refusal> + Sync);

impl Store {
    /// A store in memory, with no journal.
    pub fn memory(limits: Limits) -> Store {
        Store::Memory(Memory::new(limits, None))
    }

    /// A store in memory whose changes are journaled to `path` (`--state-file`): replayed
    /// now, appended and flushed before each answer.
    pub fn file(path: &std::path::Path, limits: Limits) -> Result<Store, String> {
        let (data, journal) = super::journal::Journal::open(path)?;
        Ok(Store::Memory(Memory::new(limits, Some((data, journal)))))
    }

    /// A store in Redis at `url`, under `stubborn:NAMESPACE:` (`--state`,
    /// `--state-namespace`).
    pub async fn redis(url: &str, namespace: &str, limits: Limits) -> Result<Store, String> {
        super::redis::RedisStore::connect(url, namespace, limits)
            .await
            .map(Store::Redis)
    }

    /// What kind of store this is, for the admin API and the start-up line.
    pub fn kind(&self) -> &'static str {
        match self {
            Store::Memory(m) if m.journaled() => "file",
            Store::Memory(_) => "memory",
            Store::Redis(_) => "redis",
        }
    }

    pub async fn get(&self, scope: &str, id: &str) -> Result<Option<Value>, Refusal> {
        match self {
            Store::Memory(m) => Ok(m.get(scope, id)),
            Store::Redis(r) => r.get(scope, id).await,
        }
    }

    pub async fn list(&self, scope: &str) -> Result<Vec<Value>, Refusal> {
        match self {
            Store::Memory(m) => Ok(m.list(scope)),
            Store::Redis(r) => r.list(scope).await,
        }
    }

    /// Adds the item `make` builds from the next value of `counter`; 409 when its id is taken.
    pub async fn create(
        &self,
        scope: &str,
        counter: &str,
        make: Make<'_>,
    ) -> Result<Value, Refusal> {
        match self {
            Store::Memory(m) => m.create(scope, counter, make),
            Store::Redis(r) => r.create(scope, counter, make).await,
        }
    }

    /// Replaces the item `id` by what `change` makes of it, atomically; `None` when absent.
    pub async fn update(
        &self,
        scope: &str,
        id: &str,
        change: Change<'_>,
    ) -> Result<Option<Value>, Refusal> {
        match self {
            Store::Memory(m) => m.update(scope, id, change),
            Store::Redis(r) => r.update(scope, id, change).await,
        }
    }

    /// Removes the item `id`; what it was, or `None` when absent.
    pub async fn delete(&self, scope: &str, id: &str) -> Result<Option<Value>, Refusal> {
        match self {
            Store::Memory(m) => m.delete(scope, id),
            Store::Redis(r) => r.delete(scope, id).await,
        }
    }

    /// Every scope whose resource is `resource` (all when `None`), with its items in order.
    pub async fn dump(&self, resource: Option<&str>) -> Result<Vec<(String, Vec<Value>)>, Refusal> {
        match self {
            Store::Memory(m) => Ok(m.dump(resource)),
            Store::Redis(r) => r.dump(resource).await,
        }
    }

    /// Empties the scopes of `resource` (all when `None`), then adds `items` (each with its
    /// scope and id) and sets `counters`: the admin API's fixtures, reset and delete.
    pub async fn load(&self, resource: Option<&str>, seed: &Seed) -> Result<(), Refusal> {
        match self {
            Store::Memory(m) => m.load(resource, seed),
            Store::Redis(r) => r.load(resource, seed).await,
        }
    }

    /// Puts `seed` in a store that was never seeded (a fresh memory store, an empty journal, a
    /// Redis namespace no replica seeded yet); a store that has a state keeps it.
    pub async fn seed_once(&self, seed: &Seed) -> Result<(), Refusal> {
        match self {
            Store::Memory(m) => m.seed_once(seed),
            Store::Redis(r) => r.seed_once(seed).await,
        }
    }
}

/// The items of a memory store, and its journal.
#[derive(Default)]
pub(crate) struct Data {
    pub(crate) scopes: BTreeMap<String, Map<String, Value>>,
    pub(crate) counters: HashMap<String, u64>,
    pub(crate) items: usize,
    pub(crate) bytes: usize,
    /// Whether anything was ever written (a seed, a change): then a restart replays, not seeds.
    pub(crate) seeded: bool,
}

/// One change, as applied to [`Data`] and as written in the journal.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Entry {
    Put(String, String, Value),
    Del(String, String),
    Counter(String, u64),
    /// Empties the scopes of a resource (all when `None`).
    Clear(Option<String>),
    Seeded,
}

impl Data {
    pub(crate) fn apply(&mut self, c: &Entry) {
        match c {
            Entry::Put(scope, id, v) => {
                let size = size_of(v);
                let items = self.scopes.entry(scope.clone()).or_default();
                match items.insert(id.clone(), v.clone()) {
                    Some(old) => self.bytes = self.bytes.saturating_sub(size_of(&old)),
                    None => self.items += 1,
                }
                self.bytes += size;
                self.seeded = true;
            }
            Entry::Del(scope, id) => {
                if let Some(items) = self.scopes.get_mut(scope) {
                    if let Some(old) = items.shift_remove(id) {
                        self.items -= 1;
                        self.bytes = self.bytes.saturating_sub(size_of(&old));
                    }
                    if items.is_empty() {
                        self.scopes.remove(scope);
                    }
                }
            }
            Entry::Counter(name, n) => {
                self.counters.insert(name.clone(), *n);
            }
            Entry::Clear(resource) => {
                let drop: Vec<String> = self
                    .scopes
                    .keys()
                    .filter(|s| resource.as_deref().is_none_or(|r| split_scope(s).0 == r))
                    .cloned()
                    .collect();
                for s in drop {
                    if let Some(items) = self.scopes.remove(&s) {
                        self.items -= items.len();
                        self.bytes = self
                            .bytes
                            .saturating_sub(items.values().map(size_of).sum::<usize>());
                    }
                }
                if resource.is_none() {
                    self.counters.clear();
                }
                self.seeded = true;
            }
            Entry::Seeded => self.seeded = true,
        }
    }

    /// The changes that rebuild this state from nothing (the journal's compacted form).
    pub(crate) fn snapshot(&self) -> Vec<Entry> {
        let mut out = vec![Entry::Seeded];
        let mut counters: Vec<_> = self.counters.iter().collect();
        counters.sort();
        for (k, v) in counters {
            out.push(Entry::Counter(k.clone(), *v));
        }
        for (scope, items) in &self.scopes {
            for (id, v) in items {
                out.push(Entry::Put(scope.clone(), id.clone(), v.clone()));
            }
        }
        out
    }
}

pub(crate) fn size_of(v: &Value) -> usize {
    serde_json::to_vec(v).map_or(0, |b| b.len())
}

/// A store in memory: one lock over the items, so every read-modify-write is atomic; with a
/// journal, each change is written and flushed before the lock is let go (and so before the
/// answer is sent).
pub struct Memory {
    data: Mutex<(Data, Option<super::journal::Journal>)>,
    limits: Limits,
}

impl Memory {
    pub(crate) fn new(limits: Limits, journal: Option<(Data, super::journal::Journal)>) -> Memory {
        let (data, journal) = match journal {
            Some((d, j)) => (d, Some(j)),
            None => (Data::default(), None),
        };
        Memory {
            data: Mutex::new((data, journal)),
            limits,
        }
    }

    fn journaled(&self) -> bool {
        self.lock().1.is_some()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (Data, Option<super::journal::Journal>)> {
        self.data.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Applies `changes` to the data and the journal (written and flushed first: a change the
    /// disk refused is not made).
    fn commit(
        guard: &mut (Data, Option<super::journal::Journal>),
        changes: &[Entry],
    ) -> Result<(), Refusal> {
        let (data, journal) = guard;
        if let Some(j) = journal {
            j.append(changes).map_err(Refusal::backend)?;
        }
        for c in changes {
            data.apply(c);
        }
        if let Some(j) = journal {
            if j.wants_compaction(data.items) {
                // A failed compaction leaves the journal as it was: still complete.
                if let Err(e) = j.compact(&data.snapshot()) {
                    eprintln!("warning: the state file could not be compacted: {e}");
                }
            }
        }
        Ok(())
    }

    fn get(&self, scope: &str, id: &str) -> Option<Value> {
        self.lock().0.scopes.get(scope)?.get(id).cloned()
    }

    fn list(&self, scope: &str) -> Vec<Value> {
        self.lock()
            .0
            .scopes
            .get(scope)
            .map(|m| m.values().cloned().collect())
            .unwrap_or_default()
    }

    fn check_size(&self, data: &Data, v: &Value, replaces: Option<&Value>) -> Result<(), Refusal> {
        let size = size_of(v);
        if size > self.limits.max_item_bytes {
            return Err(Refusal::too_large(size, &self.limits));
        }
        let freed = replaces.map_or(0, size_of);
        if data.bytes.saturating_sub(freed) + size > self.limits.max_total_bytes {
            return Err(Refusal::bytes_full(&self.limits));
        }
        Ok(())
    }

    fn create(&self, scope: &str, counter: &str, make: Make<'_>) -> Result<Value, Refusal> {
        let mut guard = self.lock();
        if guard.0.items >= self.limits.max_items {
            return Err(Refusal::full(&self.limits));
        }
        let n = guard.0.counters.get(counter).copied().unwrap_or(0) + 1;
        let (id, item) = make(n)?;
        if guard
            .0
            .scopes
            .get(scope)
            .is_some_and(|m| m.contains_key(&id))
        {
            return Err(Refusal::new(
                409,
                "Conflict",
                format!("an item with id {id} exists already"),
            ));
        }
        self.check_size(&guard.0, &item, None)?;
        Self::commit(
            &mut guard,
            &[
                Entry::Counter(counter.to_string(), n),
                Entry::Put(scope.to_string(), id, item.clone()),
            ],
        )?;
        Ok(item)
    }

    fn update(&self, scope: &str, id: &str, change: Change<'_>) -> Result<Option<Value>, Refusal> {
        let mut guard = self.lock();
        let Some(old) = guard.0.scopes.get(scope).and_then(|m| m.get(id)) else {
            return Ok(None);
        };
        let new = change(old)?;
        self.check_size(&guard.0, &new, Some(old))?;
        Self::commit(
            &mut guard,
            &[Entry::Put(scope.to_string(), id.to_string(), new.clone())],
        )?;
        Ok(Some(new))
    }

    fn delete(&self, scope: &str, id: &str) -> Result<Option<Value>, Refusal> {
        let mut guard = self.lock();
        let Some(old) = guard.0.scopes.get(scope).and_then(|m| m.get(id)).cloned() else {
            return Ok(None);
        };
        Self::commit(&mut guard, &[Entry::Del(scope.to_string(), id.to_string())])?;
        Ok(Some(old))
    }

    fn dump(&self, resource: Option<&str>) -> Vec<(String, Vec<Value>)> {
        self.lock()
            .0
            .scopes
            .iter()
            .filter(|(s, _)| resource.is_none_or(|r| split_scope(s).0 == r))
            .map(|(s, m)| (s.clone(), m.values().cloned().collect()))
            .collect()
    }

    fn load(&self, resource: Option<&str>, seed: &Seed) -> Result<(), Refusal> {
        let mut guard = self.lock();
        let mut changes = vec![Entry::Clear(resource.map(str::to_string))];
        let kept = guard
            .0
            .scopes
            .iter()
            .filter(|(s, _)| resource.is_some_and(|r| split_scope(s).0 != r))
            .map(|(_, m)| m.len())
            .sum::<usize>();
        if kept + seed.items.len() > self.limits.max_items {
            return Err(Refusal::full(&self.limits));
        }
        let mut bytes = 0;
        for (scope, id, v) in &seed.items {
            let size = size_of(v);
            if size > self.limits.max_item_bytes {
                return Err(Refusal::too_large(size, &self.limits));
            }
            bytes += size;
            changes.push(Entry::Put(scope.clone(), id.clone(), v.clone()));
        }
        if bytes > self.limits.max_total_bytes {
            return Err(Refusal::bytes_full(&self.limits));
        }
        for (k, n) in &seed.counters {
            changes.push(Entry::Counter(k.clone(), *n));
        }
        Self::commit(&mut guard, &changes)
    }

    fn seed_once(&self, seed: &Seed) -> Result<(), Refusal> {
        if self.lock().0.seeded {
            return Ok(());
        }
        self.load(None, seed)
    }
}

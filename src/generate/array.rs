//! Arrays: `prefixItems`, `items`, `contains`/`minContains`/`maxContains`, `minItems`/
//! `maxItems` and `uniqueItems`.

use super::faker::classify_item;
use super::kw::{as_u64, is_true};
use super::validate::{is_valid, json_eq};
use super::{Conj, Gen, GenError, Hint, Ptr};
use serde_json::Value;

/// Most items generated one by one; larger arrays (a huge `minItems`) repeat earlier items
/// when they need not be unique.
const DISTINCT_ITEMS: usize = 1000;
/// Largest array generated at all.
const MAX_ITEMS: u64 = 1 << 20;

impl<'a, 'r> Gen<'a, 'r> {
    pub(super) fn gen_array(&mut self, conj: &Conj<'a>, hint: Hint<'a>) -> Result<Value, GenError> {
        let mut min: u64 = 0;
        let mut max: Option<(u64, Ptr)> = None;
        let mut unique = false;
        // Per position: schemas from every part's `prefixItems` (or tuple-form `items`).
        let mut prefix: Vec<Vec<(&'a Value, Ptr)>> = Vec::new();
        let mut rest: Vec<(&'a Value, Ptr)> = Vec::new();
        let mut contains: Vec<(&'a Value, Ptr)> = Vec::new();
        let mut min_contains: Option<u64> = None;
        let mut max_contains: Option<u64> = None;
        for p in &conj.parts {
            let k = self.kws[p.kw as usize];
            if let Some(n) = as_u64(k.min_items()) {
                min = min.max(n);
            }
            if let Some(n) = as_u64(k.max_items()) {
                if max.is_none_or(|(h, _)| n < h) {
                    max = Some((n, p.ptr));
                }
            }
            unique |= is_true(k.unique_items());
            let mut tuple_len = None;
            let tuple = match (k.prefix_items(), k.items()) {
                (Some(Value::Array(list)), _) => Some(("prefixItems", list)),
                (None, Some(Value::Array(list))) => Some(("items", list)),
                _ => None,
            };
            if let Some((key, list)) = tuple {
                tuple_len = Some(list.len());
                for (i, s) in list.iter().enumerate() {
                    let at = self.at_idx(p.ptr, key, i);
                    if prefix.len() <= i {
                        prefix.resize_with(i + 1, Vec::new);
                    }
                    prefix[i].push((s, at));
                }
            }
            let tail = match k.items() {
                Some(Value::Array(_)) => k.additional_items().map(|s| (s, "additionalItems")),
                Some(s) => Some((s, "items")),
                None => None,
            };
            if let Some((s, key)) = tail {
                if *s == Value::Bool(false) {
                    // No items past this part's tuple.
                    let cap = tuple_len.unwrap_or(0) as u64;
                    if max.is_none_or(|(h, _)| cap < h) {
                        let at = self.at_key(p.ptr, key);
                        max = Some((cap, at));
                    }
                } else {
                    let at = self.at_key(p.ptr, key);
                    rest.push((s, at));
                }
            } else if k.unevaluated_items() == Some(&Value::Bool(false)) {
                let cap = tuple_len.unwrap_or(0) as u64;
                if rest.is_empty() && max.is_none_or(|(h, _)| cap < h) {
                    let at = self.at_key(p.ptr, "unevaluatedItems");
                    max = Some((cap, at));
                }
            }
            if let Some(c) = k.contains() {
                let at = self.at_key(p.ptr, "contains");
                contains.push((c, at));
                let lo = as_u64(k.min_contains()).unwrap_or(1);
                min_contains = Some(min_contains.map_or(lo, |x: u64| x.max(lo)));
                if let Some(hi) = as_u64(k.max_contains()) {
                    max_contains = Some(max_contains.map_or(hi, |x: u64| x.min(hi)));
                }
            }
        }
        let need = min_contains.unwrap_or(0);
        if let Some(hi) = max_contains {
            if need > hi {
                let at = contains.first().map_or(conj.at, |c| c.1);
                return Err(self.err(at, "maxContains is below minContains"));
            }
        }
        let hi = max.map_or(u64::MAX, |(h, _)| h);
        if min.max(need) > hi {
            let at = max.map_or(conj.at, |(_, p)| p);
            return Err(self.err(
                at,
                format!("maxItems {hi} is below minItems {}", min.max(need)),
            ));
        }
        if min > MAX_ITEMS {
            return Err(self.err(conj.at, format!("minItems {min} is too large to generate")));
        }
        let floor = min.max(need);
        let len = if self.minimal() || floor > 3 {
            floor
        } else {
            let top = hi.min(3).max(floor);
            self.between(floor.max(1).min(top) as i64, top as i64) as u64
        } as usize;
        let item_hint = Hint {
            name: hint.name,
            kind: hint.name.map(classify_item).unwrap_or_default(),
            explicit: false,
        };
        let mut last_err = None;
        for _ in 0..3 {
            match self.fill_array(
                conj,
                &prefix,
                &rest,
                &contains,
                need as usize,
                max_contains,
                len,
                min as usize,
                unique,
                item_hint,
            ) {
                Ok(items) => return Ok(Value::Array(items)),
                Err(e) => last_err = Some(e),
            }
            if self.exhausted() {
                break;
            }
        }
        Err(last_err.unwrap_or_else(|| self.err(conj.at, "could not generate the array")))
    }

    #[allow(clippy::too_many_arguments)]
    fn fill_array(
        &mut self,
        conj: &Conj<'a>,
        prefix: &[Vec<(&'a Value, Ptr)>],
        rest: &[(&'a Value, Ptr)],
        contains: &[(&'a Value, Ptr)],
        need: usize,
        max_contains: Option<u64>,
        len: usize,
        min: usize,
        unique: bool,
        hint: Hint<'a>,
    ) -> Result<Vec<Value>, GenError> {
        let mut items: Vec<Value> = Vec::with_capacity(len.min(DISTINCT_ITEMS));
        let mut hits: u64 = 0;
        let saved_examples = self.examples_off;
        let result = (|| {
            for i in 0..len {
                if i >= DISTINCT_ITEMS
                    && !unique
                    && prefix.len() < DISTINCT_ITEMS
                    && contains.is_empty()
                {
                    // Past the distinct budget: repeat earlier items (all drawn from `items`).
                    let from = prefix.len() + (i - prefix.len()) % (DISTINCT_ITEMS - prefix.len());
                    let copy = items[from].clone();
                    items.push(copy);
                    continue;
                }
                let designated = i < need;
                let mut schemas: Vec<(&'a Value, Ptr)> = match prefix.get(i) {
                    Some(p) => p.clone(),
                    None => rest.to_vec(),
                };
                if designated {
                    schemas.extend_from_slice(contains);
                }
                let item_conj = self.conj_of(conj.at, &schemas)?;
                let mut accepted = None;
                for attempt in 0..10 {
                    // Only the first item may be the schema's example; the rest are invented.
                    self.examples_off = saved_examples || i > 0 || attempt > 0;
                    self.depth += 1;
                    self.enter(|| i.to_string());
                    let r = self.gen(&item_conj, hint);
                    self.leave();
                    self.depth -= 1;
                    let v = r?;
                    if unique && items.iter().any(|x| json_eq(x, &v)) {
                        continue;
                    }
                    let matches = !contains.is_empty()
                        && contains.iter().all(|(c, _)| is_valid(self.store, c, &v));
                    if !designated && matches && max_contains.is_some_and(|m| hits + 1 > m) {
                        continue;
                    }
                    if matches {
                        hits += 1;
                    }
                    accepted = Some(v);
                    break;
                }
                match accepted {
                    Some(v) => items.push(v),
                    // Could not find a new distinct value: stop if the array is long enough.
                    None if i >= min && i >= need => break,
                    None => {
                        return Err(self.err(
                            conj.at,
                            "could not generate enough distinct items for `uniqueItems`",
                        ))
                    }
                }
            }
            if !contains.is_empty() && hits < need as u64 {
                return Err(self.err(conj.at, "could not satisfy `contains`"));
            }
            Ok(())
        })();
        self.examples_off = saved_examples;
        result.map(|()| items)
    }
}

//! Objects: `properties`, `required`, `additionalProperties`, `patternProperties`,
//! `propertyNames`, `minProperties`/`maxProperties`, `dependentRequired`, `readOnly`/
//! `writeOnly` and discriminators.
//!
//! The schemas for one property are gathered from every part of the conjunction with the
//! rule JSON Schema uses per part: the part's `properties` entry and matching
//! `patternProperties`, else its `additionalProperties` (where `false` forbids the name).

use super::faker::{classify, Kind};
use super::kw::{as_array, as_object};
use super::plan::{Decl, ObjPlan};
use super::validate::is_valid;
use super::{addr, pattern, Conj, Direction, Gen, GenError, Hint, ObjCtx, Ptr, FULL_DEPTH};
use serde_json::{Map, Value};
use smallvec::SmallVec;
use std::borrow::Cow;

/// Names tried for extra (`additionalProperties`) keys when nothing constrains them.
const EXTRA_KEYS: &[&str] = &[
    "metadata",
    "source",
    "region",
    "owner",
    "channel",
    "locale",
    "priority",
    "reference",
];

/// A property picked for the object, with the schemas its value must satisfy, its rank in the
/// document's order (`usize::MAX` for keys the schema does not declare) and whether it may be
/// left out after all (an optional property whose value cannot be generated).
type Chosen<'a> = (Cow<'a, str>, Conj<'a>, usize, bool);

/// Where a declared property was first found: part index, key and schema.
type Known<'a> = (usize, &'a String, &'a Value);

/// Adds declared property `name` (rank `i`) to `chosen` with an empty conjunction at `at`,
/// and gives that conjunction to fill.
fn push_conj<'c, 'a>(
    chosen: &'c mut Vec<Chosen<'a>>,
    name: &'a str,
    at: Ptr,
    i: usize,
    optional: bool,
) -> &'c mut Conj<'a> {
    chosen.push((Cow::Borrowed(name), Conj::new(at), i, optional));
    let last = chosen.len() - 1;
    &mut chosen[last].1
}

/// Rank of `name` among the declared properties.
fn rank(declared: &[&str], name: &str) -> usize {
    declared
        .iter()
        .position(|d| *d == name)
        .unwrap_or(usize::MAX)
}

impl<'a, 'r> Gen<'a, 'r> {
    pub(super) fn gen_object(
        &mut self,
        conj: &Conj<'a>,
        _hint: Hint<'a>,
    ) -> Result<Value, GenError> {
        let minimal = self.minimal();
        let plan = self.obj_plan(conj);
        let min_props = plan.min_props;
        let max_props = plan.max_props.map(|(n, pi)| {
            (
                n,
                self.at_key(conj.parts[usize::from(pi)].ptr, "maxProperties"),
            )
        });
        // `new`, not `with_capacity`: these are returned by value, and a large inline buffer
        // returned by value is copied whole.
        let mut declared: SmallVec<[&'a str; 16]> = SmallVec::new();
        // Where each declared name was first found (part index, key, schema): saves hashing the
        // name again when that part is asked for it. The plan lists them by part, then by
        // position, so one pass over each part's `properties` finds them all.
        let mut found: SmallVec<[Known<'a>; 16]> = SmallVec::new();
        let mut entries: Option<(u16, serde_json::map::Iter<'a>, u32)> = None;
        for d in &plan.declared {
            if entries.as_ref().is_none_or(|(part, ..)| *part != d.part) {
                let props = as_object(self.kw(&conj.parts[usize::from(d.part)]).properties());
                entries = props.map(|m| (d.part, m.iter(), 0));
            }
            let Some((_, iter, next)) = entries.as_mut() else {
                continue;
            };
            let Some((k, v)) = iter.nth((d.entry - *next) as usize) else {
                continue;
            };
            *next = d.entry + 1;
            declared.push(k);
            found.push((usize::from(d.part), k, v));
        }
        let mut required: SmallVec<[(&'a str, Ptr); 8]> = SmallVec::new();
        for &(pi, i) in &plan.required {
            let p = conj.parts[usize::from(pi)];
            let name = as_array(self.kw(&p).required())
                .and_then(|r| r.get(i as usize))
                .and_then(Value::as_str);
            if let Some(name) = name {
                let at = self.at_key(p.ptr, "required");
                required.push((name, at));
            }
        }
        let mut forced = conj.made().forced.clone();
        if let Some((prop, value)) = self.inherited_discriminator(conj) {
            if !forced.iter().any(|(k, _)| *k == prop) {
                forced.push((prop, Value::String(value)));
            }
        }
        for name in conj
            .made()
            .require
            .iter()
            .chain(forced.iter().map(|(k, _)| k))
        {
            if !required.iter().any(|(n, _)| n == name) {
                required.push((name, conj.at));
            }
        }
        let cap = max_props.map_or(usize::MAX, |(m, _)| m.min(usize::MAX as u64) as usize);
        if let Some((m, at)) = max_props {
            if (required.len() as u64) > m {
                return Err(self.err(
                    at,
                    format!(
                        "{} required properties exceed maxProperties {m}",
                        required.len()
                    ),
                ));
            }
            if min_props > m {
                return Err(self.err(
                    at,
                    format!("maxProperties {m} is below minProperties {min_props}"),
                ));
            }
        }

        // One pass in document order, so the result needs no sorting: required properties
        // always, optional ones as `include_optional` decides (none when minimal).
        let mut chosen: Vec<Chosen<'a>> = Vec::with_capacity(declared.len() + 2);
        let mut spare: Vec<(bool, usize)> = Vec::new();
        let mut optional_room = cap.saturating_sub(required.len());
        for (i, &name) in declared.iter().enumerate() {
            let known = Some(found[i]);
            let also = plan.also(i);
            // Each property's conjunction is built where `chosen` keeps it (and dropped again
            // if the property stays out): conjunctions are large, and moving them from call
            // to call to the list cost more than building them.
            if let Some(&(_, at)) = required.iter().find(|(n, _)| *n == name) {
                let pc = push_conj(&mut chosen, name, conj.at, i, false);
                if !self.property_conj_into(pc, conj, name, known, also)? {
                    return Err(self.required_forbidden(name, at));
                }
                // `required` does not apply to the other side's properties: a response does
                // not carry a writeOnly password, a request no readOnly id.
                if self.excludes(also, pc) {
                    chosen.pop();
                }
                continue;
            }
            if conj.made().forbid.contains(&name) {
                continue;
            }
            if minimal || optional_room == 0 {
                spare.push((false, i));
                continue;
            }
            // An optional property whose schema cannot be satisfied is simply left out.
            let pc = push_conj(&mut chosen, name, conj.at, i, true);
            let Ok(true) = self.property_conj_into(pc, conj, name, known, also) else {
                chosen.pop();
                continue;
            };
            let excluded = self.excludes(also, pc);
            if excluded || !self.include_optional(conj, pc) {
                chosen.pop();
                spare.push((excluded, i));
            } else {
                optional_room -= 1;
            }
        }
        for &(name, at) in &required {
            if !declared.contains(&name) {
                let pc = self.required_conj(conj, name, None, None, at)?;
                chosen.push((Cow::Borrowed(name), pc, usize::MAX, false));
            }
        }
        // minProperties: spare declared properties first (direction-excluded ones last).
        if (chosen.len() as u64) < min_props {
            spare.sort_by_key(|(excluded, _)| *excluded);
            let mut spare = spare.into_iter();
            while (chosen.len() as u64) < min_props {
                if let Some((_, i)) = spare.next() {
                    let name = declared[i];
                    if let Ok(Some(pc)) =
                        self.property_conj(conj, name, Some(found[i]), plan.also(i))
                    {
                        chosen.push((Cow::Borrowed(name), pc, i, false));
                    }
                } else if let Some((name, pc)) = self.extra_property(conj, &chosen)? {
                    chosen.push((Cow::Owned(name), pc, usize::MAX, false));
                } else {
                    let at = self.at_key(conj.at, "minProperties");
                    return Err(self.err(
                        at,
                        format!(
                            "cannot reach minProperties {min_props}: no further property is allowed"
                        ),
                    ));
                }
            }
        }
        // Extra keys: maps (no declared properties) get a few, typed objects rarely one.
        if !minimal && self.opts.fill_properties {
            let additional = conj.parts.iter().any(|p| {
                self.kw(p)
                    .additional_properties()
                    .is_some_and(Value::is_object)
            });
            let patterned = conj
                .parts
                .iter()
                .any(|p| as_object(self.kw(p).pattern_properties()).is_some_and(|m| !m.is_empty()));
            let want = if declared.is_empty() && (additional || patterned) {
                self.between(1, 3) as usize
            } else if additional && self.chance(0.25) {
                1
            } else {
                0
            };
            for _ in 0..want {
                if chosen.len() >= cap {
                    break;
                }
                match self.extra_property(conj, &chosen)? {
                    Some((name, pc)) => chosen.push((Cow::Owned(name), pc, usize::MAX, true)),
                    None => break,
                }
            }
        }
        if plan.dependent_required {
            self.close_dependent_required(conj, &mut chosen, &declared)?;
        }
        // Document order: declared properties first, then the rest as they were added.
        if !chosen.is_sorted_by_key(|c| c.2) {
            chosen.sort_by_key(|c| c.2);
        }
        self.objs.push(ObjCtx::default());
        let mark = self.active.len();
        self.active.extend(conj.parts.iter().map(|p| addr(p.map)));
        // Ranks are indices into the plan's declared properties (and its template) when every one
        // of them was found.
        let by_rank = declared.len() == plan.declared.len();
        let result = self.fill_object(chosen, &forced, &plan, by_rank, min_props);
        self.active.truncate(mark);
        self.objs.pop();
        result
    }

    /// Whether an optional property whose value must satisfy `pc` goes into the object.
    ///
    /// Objects down to [`FULL_DEPTH`] show every declared property, so that documented fields
    /// are there to read. Deeper, optional properties thin out with depth (seeded, so a static
    /// body is still the same every time): nested objects of real APIs are wide, and bodies
    /// grow with the product of their widths. A schema nested in itself through an optional
    /// property shows once in a static body (`manager` has a `manager`, which has none); with
    /// [`super::GenOptions::vary_optional`] (dynamic bodies) it recurs at random instead.
    fn include_optional(&mut self, object: &Conj<'a>, pc: &Conj<'a>) -> bool {
        // How many of the objects being generated (this one and those it is nested in) are
        // made from this property's schema.
        let nesting = pc
            .parts
            .iter()
            .map(|p| {
                let a = addr(p.map);
                let here = object.parts.iter().any(|q| addr(q.map) == a);
                self.active.iter().filter(|&&x| x == a).count() + usize::from(here)
            })
            .max()
            .unwrap_or(0);
        let shallow = self.depth <= FULL_DEPTH;
        let p = if nesting == 0 {
            if shallow {
                return true;
            }
            match self.depth - FULL_DEPTH {
                1 => 0.7,
                2 => 0.5,
                _ => 0.3,
            }
        } else if self.opts.vary_optional {
            0.35
        } else {
            return nesting == 1 && shallow;
        };
        self.chance(p)
    }

    /// The schemas of a required property; an error when the schema forbids it.
    fn required_conj(
        &mut self,
        conj: &Conj<'a>,
        name: &'a str,
        known: Option<Known<'a>>,
        also: Option<&Decl>,
        at: Ptr,
    ) -> Result<Conj<'a>, GenError> {
        match self.property_conj(conj, name, known, also)? {
            Some(c) => Ok(c),
            None => Err(self.required_forbidden(name, at)),
        }
    }

    /// The error for a required property `name` (listed at `at`) the schema forbids.
    fn required_forbidden(&self, name: &str, at: Ptr) -> GenError {
        self.err(
            at,
            format!("required property `{name}` is not allowed by the schema"),
        )
    }

    fn fill_object(
        &mut self,
        mut chosen: Vec<Chosen<'a>>,
        forced: &[(&'a str, Value)],
        plan: &ObjPlan,
        by_rank: bool,
        min_props: u64,
    ) -> Result<Value, GenError> {
        // Declared properties only, most of them: fill a copy of the plan's map of them by
        // position (no key hashed), then drop the ones left out.
        let template = by_rank
            && chosen.len() * 2 >= plan.template.len()
            && chosen.iter().all(|c| c.2 < plan.template.len());
        let (mut out, mut extra) = if template {
            (plan.template.clone(), Map::new())
        } else {
            (Map::new(), Map::with_capacity(chosen.len()))
        };
        let mut kept: SmallVec<[bool; 32]> = SmallVec::new();
        if template {
            kept.resize(plan.template.len(), false);
        }
        let mut slots = out.values_mut();
        let mut next_slot = 0;
        let mut room = (chosen.len() as u64).saturating_sub(min_props);
        // By reference: the conjunctions stay where they were built.
        for (name, pc, rank, optional) in &mut chosen {
            let (pc, rank, optional) = (&*pc, *rank, *optional);
            let fixed = forced
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v)
                .filter(|v| self.fits(pc, v));
            let value = match fixed {
                Some(v) => v.clone(),
                None => {
                    let hint = match &*name {
                        Cow::Borrowed(n) => {
                            // A declared name was classified once, in the plan.
                            let mut h = Hint {
                                name: Some(n),
                                kind: plan
                                    .declared
                                    .get(rank)
                                    .map_or_else(|| classify(n), |d| d.kind),
                                explicit: false,
                            };
                            // `name` is a person's name only in objects that describe a person.
                            if h.kind == Kind::FullName
                                && !plan.personish
                                && n.eq_ignore_ascii_case("name")
                            {
                                h.kind = Kind::Label;
                            }
                            h
                        }
                        Cow::Owned(n) => Hint {
                            name: None,
                            kind: classify(n),
                            explicit: false,
                        },
                    };
                    self.depth += 1;
                    self.enter(|| name.to_string());
                    let r = self.gen(pc, hint);
                    self.leave();
                    self.depth -= 1;
                    match r {
                        Ok(v) => v,
                        // An optional property that cannot be generated is simply left out.
                        Err(_) if optional && room > 0 && !self.exhausted() => {
                            room -= 1;
                            continue;
                        }
                        Err(e) => return Err(e),
                    }
                }
            };
            if template {
                // `chosen` is in rank order, so the slots are met in order.
                if let Some(slot) = slots.nth(rank - next_slot) {
                    *slot = value;
                    kept[rank] = true;
                }
                next_slot = rank + 1;
            } else {
                extra.insert(std::mem::take(name).into_owned(), value);
            }
        }
        if !template {
            return Ok(Value::Object(extra));
        }
        if kept.iter().any(|k| !k) {
            let mut i = 0;
            out.retain(|_, _| {
                i += 1;
                kept[i - 1]
            });
        }
        Ok(Value::Object(out))
    }

    /// Adds the properties `dependentRequired` demands of the chosen ones, transitively.
    fn close_dependent_required(
        &mut self,
        conj: &Conj<'a>,
        chosen: &mut Vec<Chosen<'a>>,
        declared: &[&'a str],
    ) -> Result<(), GenError> {
        let mut i = 0;
        while i < chosen.len() {
            let name = chosen[i].0.clone();
            i += 1;
            for p in &conj.parts {
                let Some(deps) = as_object(self.kw(p).dependent_required())
                    .and_then(|d| d.get(name.as_ref()))
                    .and_then(Value::as_array)
                else {
                    continue;
                };
                for dep in deps.iter().filter_map(Value::as_str) {
                    if chosen.iter().any(|(n, ..)| n == dep) {
                        continue;
                    }
                    match self.property_conj(conj, dep, None, None)? {
                        Some(c) => chosen.push((Cow::Borrowed(dep), c, rank(declared, dep), false)),
                        None => {
                            let at = self.at_key(p.ptr, "dependentRequired");
                            return Err(self.err(
                                at,
                                format!("`{name}` requires `{dep}`, which is not allowed"),
                            ));
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// The schemas the value of property `name` must satisfy, or `None` when some part
    /// forbids the name (`additionalProperties: false`, `propertyNames`).
    ///
    /// `also`, from the object's plan where no part has `patternProperties`,
    /// `additionalProperties`, `unevaluatedProperties` or `propertyNames`: the other parts
    /// that declare the name (after `known`'s), whose entries are then all there is to it.
    fn property_conj(
        &mut self,
        conj: &Conj<'a>,
        name: &str,
        known: Option<Known<'a>>,
        also: Option<&Decl>,
    ) -> Result<Option<Conj<'a>>, GenError> {
        let mut out = Conj::new(conj.at);
        Ok(self
            .property_conj_into(&mut out, conj, name, known, also)?
            .then_some(out))
    }

    /// [`Gen::property_conj`] into `out` (a new conjunction at `conj.at`): `false` where some
    /// part forbids the name.
    fn property_conj_into(
        &mut self,
        out: &mut Conj<'a>,
        conj: &Conj<'a>,
        name: &str,
        known: Option<Known<'a>>,
        also: Option<&Decl>,
    ) -> Result<bool, GenError> {
        if let (Some((pi, key, s)), Some(decl)) = (known, also) {
            let mut flats = decl.flats.iter();
            self.add_planned_entry(out, conj.parts[pi].ptr, key, s, flats.next())?;
            for &(qi, entry) in &decl.also {
                let q = conj.parts[usize::from(qi)];
                let flat = flats.next();
                let Some((key, s)) =
                    as_object(self.kw(&q).properties()).and_then(|m| m.iter().nth(entry as usize))
                else {
                    continue;
                };
                self.add_planned_entry(out, q.ptr, key, s, flat)?;
            }
            return Ok(true);
        }
        let mut declared_anywhere = false;
        let mut unevaluated: Vec<(&'a Value, Ptr)> = Vec::new();
        for i in 0..conj.parts.len() {
            let p = conj.parts[i];
            let mut matched = false;
            let entry = match known {
                Some((pi, key, s)) if pi == i => Some((key, s)),
                // Parts before the first declaring one do not declare the name.
                Some((pi, _, _)) if i < pi => None,
                _ => as_object(self.kw(&p).properties()).and_then(|m| m.get_key_value(name)),
            };
            if let Some((key, s)) = entry {
                matched = true;
                self.add_property_entry(out, p.ptr, key, s)?;
            }
            if let Some(pp) = as_object(self.kw(&p).pattern_properties()) {
                for (pat, s) in pp {
                    if pattern::is_match(pat, name) {
                        matched = true;
                        let base = self.at_key(p.ptr, "patternProperties");
                        let at = self.at_key(base, pat);
                        self.flatten_into(out, s, at)?;
                    }
                }
            }
            if !matched {
                if let Some(a) = self.kw(&p).additional_properties() {
                    if *a == Value::Bool(false) {
                        return Ok(false);
                    }
                    let at = self.at_key(p.ptr, "additionalProperties");
                    self.flatten_into(out, a, at)?;
                    // `additionalProperties` evaluates the name for `unevaluatedProperties`.
                    matched = true;
                } else if let Some(u) = self.kw(&p).unevaluated_properties() {
                    let at = self.at_key(p.ptr, "unevaluatedProperties");
                    unevaluated.push((u, at));
                }
            }
            declared_anywhere |= matched;
            if let Some(names) = self.kw(&p).property_names() {
                if !is_valid(self.store, names, &Value::String(name.to_owned())) {
                    return Ok(false);
                }
            }
        }
        if !declared_anywhere {
            for (u, at) in unevaluated {
                if *u == Value::Bool(false) {
                    return Ok(false);
                }
                self.flatten_into(out, u, at)?;
            }
        }
        Ok(true)
    }

    /// Adds a part's `properties` entry for a name (`key: s`, in the part at `part`) to the
    /// property's conjunction.
    fn add_property_entry(
        &mut self,
        out: &mut Conj<'a>,
        part: Ptr,
        key: &'a str,
        s: &'a Value,
    ) -> Result<(), GenError> {
        let props = self.at_key(part, "properties");
        let at = self.at_key(props, key);
        if out.parts.is_empty() {
            out.at = at;
        }
        self.flatten_into(out, s, at)
    }

    /// [`Gen::add_property_entry`] with the entry's flattened conjunction from the object's
    /// plan (no lookup of `s`'s plan), where there is one.
    fn add_planned_entry(
        &mut self,
        out: &mut Conj<'a>,
        part: Ptr,
        key: &'a str,
        s: &'a Value,
        flat: Option<&Option<super::plan::FlatPlan>>,
    ) -> Result<(), GenError> {
        if let (Some(Some(flat)), Value::Object(map)) = (flat, s) {
            let props = self.at_key(part, "properties");
            let at = self.at_key(props, key);
            if out.parts.is_empty() {
                out.at = at;
            }
            if self.apply_flat(out, map, at, flat) {
                return Ok(());
            }
            return self.flatten_into(out, s, at);
        }
        self.add_property_entry(out, part, key, s)
    }

    /// [`Gen::direction_excludes`], from the object's plan of the property where it can say.
    fn excludes(&self, decl: Option<&Decl>, pc: &Conj<'a>) -> bool {
        let side = usize::from(self.opts.direction == Direction::Response);
        match decl.and_then(|d| d.excluded) {
            Some(excluded) => excluded[side],
            None => self.direction_excludes(pc),
        }
    }

    /// Whether an optional property is left out for the direction (`readOnly` in requests,
    /// `writeOnly` in responses).
    fn direction_excludes(&self, pc: &Conj<'a>) -> bool {
        let key = match self.opts.direction {
            Direction::Request => "readOnly",
            Direction::Response => "writeOnly",
        };
        pc.parts.iter().any(|p| match key {
            "readOnly" => super::kw::is_true(self.kw(p).read_only()),
            _ => super::kw::is_true(self.kw(p).write_only()),
        })
    }

    /// A new key (from `patternProperties`, `propertyNames` or a word list) that the schema
    /// allows, with its value's schemas.
    fn extra_property(
        &mut self,
        conj: &Conj<'a>,
        taken: &[Chosen<'a>],
    ) -> Result<Option<(String, Conj<'a>)>, GenError> {
        let mut patterns: Vec<&'a str> = Vec::new();
        let mut names: Vec<(&'a Value, Ptr)> = Vec::new();
        for p in &conj.parts {
            if let Some(pp) = as_object(self.kw(p).pattern_properties()) {
                patterns.extend(pp.keys().map(String::as_str));
            }
            if let Some(n) = self.kw(p).property_names() {
                let at = self.at_key(p.ptr, "propertyNames");
                names.push((n, at));
            }
        }
        let additional = conj.parts.iter().any(|p| {
            self.kw(p)
                .additional_properties()
                .is_some_and(|a| *a != Value::Bool(false))
        });
        for attempt in 0..12 {
            let candidate = if !patterns.is_empty() && (!additional || self.chance(0.6)) {
                let pat = patterns[self.index(patterns.len())];
                let compiled = pattern::get(pat);
                match compiled.sample(self.rng, 6) {
                    Some(s) if compiled.is_match(&s) => s,
                    _ => continue,
                }
            } else if !names.is_empty() {
                let nc = self.conj_of(conj.at, &names)?;
                let saved = self.examples_off;
                self.examples_off = attempt > 0;
                let r = self.gen(&nc, Hint::default());
                self.examples_off = saved;
                match r {
                    Ok(Value::String(s)) => s,
                    _ => continue,
                }
            } else {
                let base = if attempt < 4 {
                    EXTRA_KEYS[self.index(EXTRA_KEYS.len())]
                } else {
                    self.word()
                };
                if attempt < 8 {
                    base.to_string()
                } else {
                    format!("{base}{attempt}")
                }
            };
            if taken.iter().any(|(n, ..)| *n == candidate) {
                continue;
            }
            if let Some(pc) = self.property_conj(conj, &candidate, None, None)? {
                return Ok(Some((candidate, pc)));
            }
        }
        Ok(None)
    }

    /// The discriminator value for a schema derived through `allOf` from one that declares a
    /// `discriminator` (`Cat: allOf [Pet, ...]` gives `petType: "Cat"` or its mapping key).
    fn inherited_discriminator(&self, conj: &Conj<'a>) -> Option<(&'a str, String)> {
        for p in &conj.parts {
            let Some(d) = as_object(self.kw(p).discriminator()) else {
                continue;
            };
            if self.kw(p).one_of().is_some() || self.kw(p).any_of().is_some() {
                continue;
            }
            let prop = d.get("propertyName")?.as_str()?;
            let declaring = addr(p.map);
            let mapping = d.get("mapping").and_then(Value::as_object);
            for &(key, target) in &conj.ref_keys {
                if target == declaring {
                    continue;
                }
                if let Some(m) = mapping {
                    for (name, t) in m {
                        if t.as_str().and_then(|t| t.rsplit('/').next()) == Some(key) {
                            return Some((prop, name.clone()));
                        }
                    }
                }
            }
            for &(key, target) in &conj.ref_keys {
                if target == declaring {
                    continue;
                }
                let Some(q) = conj.parts.iter().find(|q| addr(q.map) == target) else {
                    continue;
                };
                let derives = as_array(self.kw(q).all_of()).is_some_and(|all| {
                    all.iter().any(|s| {
                        s.get("$ref")
                            .and_then(Value::as_str)
                            .and_then(|r| self.store.resolve(r))
                            .and_then(Value::as_object)
                            .is_some_and(|t| addr(t) == declaring)
                    })
                });
                if derives {
                    return Some((prop, key.to_string()));
                }
            }
        }
        None
    }
}

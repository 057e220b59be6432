//! Objects: `properties`, `required`, `additionalProperties`, `patternProperties`,
//! `propertyNames`, `minProperties`/`maxProperties`, `dependentRequired`, `readOnly`/
//! `writeOnly` and discriminators.
//!
//! The schemas for one property are gathered from every part of the conjunction with the
//! rule JSON Schema uses per part: the part's `properties` entry and matching
//! `patternProperties`, else its `additionalProperties` (where `false` forbids the name).

use super::faker::{classify, Kind};
use super::kw::{as_array, as_object, as_u64};
use super::validate::is_valid;
use super::{addr, pattern, Conj, Direction, Gen, GenError, Hint, ObjCtx, Ptr};
use serde_json::{Map, Value};
use std::borrow::Cow;

/// Names tried for extra (`additionalProperties`) keys when nothing constrains them.
const EXTRA_KEYS: &[&str] = &[
    "metadata", "source", "region", "owner", "channel", "locale", "priority", "reference",
];

/// A property picked for the object, with the schemas its value must satisfy.
type Chosen<'a> = (Cow<'a, str>, Conj<'a>);

impl<'a, 'r> Gen<'a, 'r> {
    pub(super) fn gen_object(&mut self, conj: &Conj<'a>, _hint: Hint<'a>) -> Result<Value, GenError> {
        let minimal = self.minimal();
        let mut min_props: u64 = 0;
        let mut max_props: Option<(u64, Ptr)> = None;
        let mut declared: Vec<&'a str> = Vec::new();
        let mut required: Vec<(&'a str, Ptr)> = Vec::new();
        for p in &conj.parts {
            if let Some(props) = as_object(p.kw.properties) {
                for k in props.keys() {
                    if !declared.contains(&k.as_str()) {
                        declared.push(k);
                    }
                }
            }
            if let Some(req) = as_array(p.kw.required) {
                let at = self.at_key(p.ptr, "required");
                for name in req.iter().filter_map(Value::as_str) {
                    if !required.iter().any(|(n, _)| *n == name) {
                        required.push((name, at));
                    }
                }
            }
            if let Some(n) = as_u64(p.kw.min_properties) {
                min_props = min_props.max(n);
            }
            if let Some(n) = as_u64(p.kw.max_properties) {
                if max_props.is_none_or(|(m, _)| n < m) {
                    let at = self.at_key(p.ptr, "maxProperties");
                    max_props = Some((n, at));
                }
            }
        }
        let mut forced = conj.forced.clone();
        if let Some((prop, value)) = self.inherited_discriminator(conj) {
            if !forced.iter().any(|(k, _)| *k == prop) {
                forced.push((prop, Value::String(value)));
            }
        }
        for name in conj.require.iter().chain(forced.iter().map(|(k, _)| k)) {
            if !required.iter().any(|(n, _)| n == name) {
                required.push((name, conj.at));
            }
        }
        let cap = max_props.map_or(usize::MAX, |(m, _)| m.min(usize::MAX as u64) as usize);
        if let Some((m, at)) = max_props {
            if (required.len() as u64) > m {
                return Err(self.err(
                    at,
                    format!("{} required properties exceed maxProperties {m}", required.len()),
                ));
            }
            if min_props > m {
                return Err(self.err(at, format!("maxProperties {m} is below minProperties {min_props}")));
            }
        }

        let mut chosen: Vec<Chosen<'a>> = Vec::with_capacity(declared.len());
        for &(name, at) in &required {
            match self.property_conj(conj, name) {
                Ok(Some(c)) => chosen.push((Cow::Borrowed(name), c)),
                Ok(None) => {
                    return Err(self.err(
                        at,
                        format!("required property `{name}` is not allowed by the schema"),
                    ))
                }
                Err(e) => return Err(e),
            }
        }
        // Optional properties: most are included; recursive ones less often, none when minimal.
        let mut spare: Vec<(bool, &'a str, Conj<'a>)> = Vec::new();
        for &name in &declared {
            if chosen.iter().any(|(n, _)| n == name) || conj.forbid.contains(&name) {
                continue;
            }
            // An optional property whose schema cannot be satisfied is simply left out.
            let Ok(Some(pc)) = self.property_conj(conj, name) else {
                continue;
            };
            let excluded = self.direction_excludes(&pc);
            let recursive = pc.parts.iter().any(|p| self.active.contains(&addr(p.map)));
            let p = if recursive {
                0.35
            } else if self.depth >= 4 {
                0.6
            } else {
                0.9
            };
            if minimal || excluded || chosen.len() >= cap || !self.chance(p) {
                spare.push((excluded, name, pc));
            } else {
                chosen.push((Cow::Borrowed(name), pc));
            }
        }
        // minProperties: spare declared properties first (direction-excluded ones last).
        spare.sort_by_key(|(excluded, _, _)| *excluded);
        let mut spare = spare.into_iter();
        while (chosen.len() as u64) < min_props {
            if let Some((_, name, pc)) = spare.next() {
                chosen.push((Cow::Borrowed(name), pc));
            } else if let Some((name, pc)) = self.extra_property(conj, &chosen)? {
                chosen.push((Cow::Owned(name), pc));
            } else {
                let at = self.at_key(conj.at, "minProperties");
                return Err(self.err(
                    at,
                    format!("cannot reach minProperties {min_props}: no further property is allowed"),
                ));
            }
        }
        // Extra keys: maps (no declared properties) get a few, typed objects rarely one.
        if !minimal {
            let additional = conj
                .parts
                .iter()
                .any(|p| p.kw.additional_properties.is_some_and(Value::is_object));
            let patterned = conj
                .parts
                .iter()
                .any(|p| as_object(p.kw.pattern_properties).is_some_and(|m| !m.is_empty()));
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
                    Some((name, pc)) => chosen.push((Cow::Owned(name), pc)),
                    None => break,
                }
            }
        }
        self.close_dependent_required(conj, &mut chosen)?;
        // Document order: declared properties first, then the rest as they were added.
        chosen.sort_by_key(|(n, _)| declared.iter().position(|d| d == n).unwrap_or(usize::MAX));
        // `name` is a person's name only in objects that describe a person.
        let personish = declared.iter().any(|n| {
            matches!(
                classify(n),
                Kind::FirstName
                    | Kind::LastName
                    | Kind::Email
                    | Kind::Username
                    | Kind::Phone
                    | Kind::Birthday
                    | Kind::JobTitle
            )
        });

        self.objs.push(ObjCtx::default());
        let mark = self.active.len();
        self.active.extend(conj.parts.iter().map(|p| addr(p.map)));
        let result = self.fill_object(chosen, &forced, personish);
        self.active.truncate(mark);
        self.objs.pop();
        result
    }

    fn fill_object(
        &mut self,
        chosen: Vec<Chosen<'a>>,
        forced: &[(&'a str, Value)],
        personish: bool,
    ) -> Result<Value, GenError> {
        let mut out = Map::new();
        for (name, pc) in chosen {
            let fixed = forced
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v)
                .filter(|v| self.fits(&pc, v));
            let value = match fixed {
                Some(v) => v.clone(),
                None => {
                    let hint = match &name {
                        Cow::Borrowed(n) => {
                            let mut h = Hint::named(n);
                            if h.kind == Kind::FullName && !personish && n.eq_ignore_ascii_case("name")
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
                    let r = self.gen(pc, hint);
                    self.depth -= 1;
                    r?
                }
            };
            out.insert(name.into_owned(), value);
        }
        Ok(Value::Object(out))
    }

    /// Adds the properties `dependentRequired` demands of the chosen ones, transitively.
    fn close_dependent_required(
        &mut self,
        conj: &Conj<'a>,
        chosen: &mut Vec<Chosen<'a>>,
    ) -> Result<(), GenError> {
        let mut i = 0;
        while i < chosen.len() {
            let name = chosen[i].0.clone();
            i += 1;
            for p in &conj.parts {
                let Some(deps) = as_object(p.kw.dependent_required)
                    .and_then(|d| d.get(name.as_ref()))
                    .and_then(Value::as_array)
                else {
                    continue;
                };
                for dep in deps.iter().filter_map(Value::as_str) {
                    if chosen.iter().any(|(n, _)| n == dep) {
                        continue;
                    }
                    match self.property_conj(conj, dep)? {
                        Some(c) => chosen.push((Cow::Borrowed(dep), c)),
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
    fn property_conj(&mut self, conj: &Conj<'a>, name: &str) -> Result<Option<Conj<'a>>, GenError> {
        let mut out = Conj::new(conj.at);
        let mut declared_anywhere = false;
        let mut unevaluated: Vec<(&'a Value, Ptr)> = Vec::new();
        for i in 0..conj.parts.len() {
            let p = conj.parts[i];
            let mut matched = false;
            if let Some((key, s)) =
                as_object(p.kw.properties).and_then(|m| m.get_key_value(name))
            {
                matched = true;
                let props = self.at_key(p.ptr, "properties");
                let at = self.at_key(props, key);
                if out.parts.is_empty() {
                    out.at = at;
                }
                self.flatten_into(&mut out, s, at)?;
            }
            if let Some(pp) = as_object(p.kw.pattern_properties) {
                for (pat, s) in pp {
                    if pattern::is_match(pat, name) {
                        matched = true;
                        let base = self.at_key(p.ptr, "patternProperties");
                        let at = self.at_key(base, pat);
                        self.flatten_into(&mut out, s, at)?;
                    }
                }
            }
            if !matched {
                if let Some(a) = p.kw.additional_properties {
                    if *a == Value::Bool(false) {
                        return Ok(None);
                    }
                    let at = self.at_key(p.ptr, "additionalProperties");
                    self.flatten_into(&mut out, a, at)?;
                    // `additionalProperties` evaluates the name for `unevaluatedProperties`.
                    matched = true;
                } else if let Some(u) = p.kw.unevaluated_properties {
                    let at = self.at_key(p.ptr, "unevaluatedProperties");
                    unevaluated.push((u, at));
                }
            }
            declared_anywhere |= matched;
            if let Some(names) = p.kw.property_names {
                if !is_valid(self.store, names, &Value::String(name.to_owned())) {
                    return Ok(None);
                }
            }
        }
        if !declared_anywhere {
            for (u, at) in unevaluated {
                if *u == Value::Bool(false) {
                    return Ok(None);
                }
                self.flatten_into(&mut out, u, at)?;
            }
        }
        Ok(Some(out))
    }

    /// Whether an optional property is left out for the direction (`readOnly` in requests,
    /// `writeOnly` in responses).
    fn direction_excludes(&self, pc: &Conj<'a>) -> bool {
        let key = match self.opts.direction {
            Direction::Request => "readOnly",
            Direction::Response => "writeOnly",
        };
        pc.parts
            .iter()
            .any(|p| match key {
                "readOnly" => super::kw::is_true(p.kw.read_only),
                _ => super::kw::is_true(p.kw.write_only),
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
            if let Some(pp) = as_object(p.kw.pattern_properties) {
                patterns.extend(pp.keys().map(String::as_str));
            }
            if let Some(n) = p.kw.property_names {
                let at = self.at_key(p.ptr, "propertyNames");
                names.push((n, at));
            }
        }
        let additional = conj
            .parts
            .iter()
            .any(|p| p.kw.additional_properties.is_some_and(|a| *a != Value::Bool(false)));
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
                let r = self.gen(nc, Hint::default());
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
            if taken.iter().any(|(n, _)| *n == candidate) {
                continue;
            }
            if let Some(pc) = self.property_conj(conj, &candidate)? {
                return Ok(Some((candidate, pc)));
            }
        }
        Ok(None)
    }

    /// The discriminator value for a schema derived through `allOf` from one that declares a
    /// `discriminator` (`Cat: allOf [Pet, ...]` gives `petType: "Cat"` or its mapping key).
    fn inherited_discriminator(&self, conj: &Conj<'a>) -> Option<(&'a str, String)> {
        for p in &conj.parts {
            let Some(d) = as_object(p.kw.discriminator) else {
                continue;
            };
            if p.kw.one_of.is_some() || p.kw.any_of.is_some() {
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
                let derives = as_array(q.kw.all_of).is_some_and(|all| {
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

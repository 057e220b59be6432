//! The keywords of one schema object, found in a single pass.
//!
//! `serde_json::Map` (an `IndexMap` with `preserve_order`) hashes every key it looks up with
//! SipHash; asking a schema for thirty keywords costs thirty hashes, which dominated
//! generation time. Scanning the (small) map once and filing each keyword into a field makes
//! every later question an index into the entries.

use serde_json::{Map, Value};

macro_rules! keywords {
    ($($field:ident = $name:literal),* $(,)?) => {
        /// Positions of the keywords this module cares about in one schema object.
        #[allow(non_camel_case_types, clippy::upper_case_acronyms)]
        #[derive(Clone, Copy)]
        #[repr(u8)]
        enum Field { $($field,)* COUNT }

        /// The keywords of a schema object: for each known keyword, its position among the
        /// object's entries (1-based; 0 when absent, [`FAR`] past the first 254 entries).
        /// Kept to a few dozen bytes, as parts are copied around a lot.
        #[derive(Clone, Copy)]
        pub(crate) struct Kw<'a> {
            map: &'a Map<String, Value>,
            at: [u8; Field::COUNT as usize],
        }

        /// The positions of [`Kw`] without the map: what a plan keeps of a scan
            /// (`super::plan`), to rebuild the `Kw` for the same map without scanning again.
        pub(crate) type KwAt = [u8; Field::COUNT as usize];

        impl<'a> Kw<'a> {
            /// The `Kw` of `map` from positions [`Kw::at`] gave for that same map.
            #[inline]
            pub(crate) fn from_at(map: &'a Map<String, Value>, at: KwAt) -> Self {
                Kw { map, at }
            }

            #[inline]
            pub(crate) fn at(&self) -> KwAt {
                self.at
            }

            #[inline]
            pub(crate) fn map(&self) -> &'a Map<String, Value> {
                self.map
            }

            pub(crate) fn scan(map: &'a Map<String, Value>) -> Self {
                let mut at = [0u8; Field::COUNT as usize];
                for (i, key) in map.keys().enumerate() {
                    let pos = if i < FAR as usize { i as u8 + 1 } else { FAR };
                    match key.as_str() {
                        $($name => at[Field::$field as usize] = pos,)*
                        _ => {}
                    }
                }
                Kw { map, at }
            }

            /// Whether the object has no keyword besides `type`, `enum`, `const`, `$ref`,
            /// `allOf` and annotations (`example`, `default`, `readOnly`, `x-faker`, ...): then
            /// nothing but those three asserts anything of a value at this level.
            #[inline]
            pub(crate) fn only_type_enum_const(&self) -> bool {
                const ALLOWED: [Field; 13] = [
                    Field::ref_,
                    Field::all_of,
                    Field::type_,
                    Field::enum_,
                    Field::const_,
                    Field::example,
                    Field::examples,
                    Field::default,
                    Field::x_faker,
                    Field::x_stubborn_faker,
                    Field::discriminator,
                    Field::read_only,
                    Field::write_only,
                ];
                const MASK: [u8; Field::COUNT as usize] = {
                    let mut m = [0xFF_u8; Field::COUNT as usize];
                    let mut i = 0;
                    while i < ALLOWED.len() {
                        m[ALLOWED[i] as usize] = 0;
                        i += 1;
                    }
                    m
                };
                // Eight positions at a time.
                let word = |b: &[u8]| {
                    let mut w = [0u8; 8];
                    w[..b.len()].copy_from_slice(b);
                    u64::from_le_bytes(w)
                };
                self.at
                    .chunks(8)
                    .zip(MASK.chunks(8))
                    .all(|(a, m)| word(a) & word(m) == 0)
            }

            $(
                #[inline]
                pub(crate) fn $field(&self) -> Option<&'a Value> {
                    self.get(Field::$field as usize, $name)
                }
            )*
        }
    };
}

/// Marks a keyword found past the 254th entry (looked up by name instead).
const FAR: u8 = 255;

impl<'a> Kw<'a> {
    #[inline]
    fn get(&self, field: usize, name: &str) -> Option<&'a Value> {
        match self.at[field] {
            0 => None,
            FAR => self.map.get(name),
            i => self.map.values().nth(usize::from(i) - 1),
        }
    }
}

keywords! {
    ref_ = "$ref",
    all_of = "allOf",
    any_of = "anyOf",
    one_of = "oneOf",
    not = "not",
    if_ = "if",
    then = "then",
    else_ = "else",
    dependent_schemas = "dependentSchemas",
    dependent_required = "dependentRequired",
    type_ = "type",
    enum_ = "enum",
    const_ = "const",
    example = "example",
    examples = "examples",
    default = "default",
    x_faker = "x-faker",
    x_stubborn_faker = "x-stubborn-faker",
    discriminator = "discriminator",
    read_only = "readOnly",
    write_only = "writeOnly",
    minimum = "minimum",
    maximum = "maximum",
    exclusive_minimum = "exclusiveMinimum",
    exclusive_maximum = "exclusiveMaximum",
    multiple_of = "multipleOf",
    format = "format",
    min_length = "minLength",
    max_length = "maxLength",
    pattern = "pattern",
    items = "items",
    prefix_items = "prefixItems",
    additional_items = "additionalItems",
    contains = "contains",
    min_contains = "minContains",
    max_contains = "maxContains",
    min_items = "minItems",
    max_items = "maxItems",
    unique_items = "uniqueItems",
    unevaluated_items = "unevaluatedItems",
    properties = "properties",
    pattern_properties = "patternProperties",
    additional_properties = "additionalProperties",
    property_names = "propertyNames",
    required = "required",
    min_properties = "minProperties",
    max_properties = "maxProperties",
    unevaluated_properties = "unevaluatedProperties",
}

/// A non-negative integer keyword value (`2` or `2.0`); anything else counts as absent.
pub(crate) fn as_u64(v: Option<&Value>) -> Option<u64> {
    let v = v?;
    v.as_u64().or_else(|| {
        v.as_f64()
            .filter(|f| *f >= 0.0 && f.fract() == 0.0)
            .map(|f| {
                if f >= u64::MAX as f64 {
                    u64::MAX
                } else {
                    f as u64
                }
            })
    })
}

pub(crate) fn as_f64(v: Option<&Value>) -> Option<f64> {
    v?.as_f64()
}

pub(crate) fn is_true(v: Option<&Value>) -> bool {
    v == Some(&Value::Bool(true))
}

pub(crate) fn as_array(v: Option<&Value>) -> Option<&Vec<Value>> {
    v?.as_array()
}

pub(crate) fn as_object(v: Option<&Value>) -> Option<&Map<String, Value>> {
    v?.as_object()
}

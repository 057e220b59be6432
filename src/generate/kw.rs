//! The keywords of one schema object, found in a single pass.
//!
//! `serde_json::Map` (an `IndexMap` with `preserve_order`) hashes every key it looks up with
//! SipHash; asking a schema for thirty keywords costs thirty hashes, which dominated
//! generation time. Scanning the (small) map once and filing each keyword into a field makes
//! every later question a field read.

use serde_json::{Map, Value};

macro_rules! keywords {
    ($($field:ident = $name:literal),* $(,)?) => {
        /// The keywords of a schema object this module cares about (absent ones are `None`).
        #[derive(Clone, Copy, Default, Debug)]
        pub(crate) struct Kw<'a> {
            $(pub $field: Option<&'a Value>,)*
        }

        impl<'a> Kw<'a> {
            pub(crate) fn scan(map: &'a Map<String, Value>) -> Self {
                let mut kw = Kw::default();
                for (key, value) in map {
                    match key.as_str() {
                        $($name => kw.$field = Some(value),)*
                        _ => {}
                    }
                }
                kw
            }
        }
    };
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
            .map(|f| if f >= u64::MAX as f64 { u64::MAX } else { f as u64 })
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

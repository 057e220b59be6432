//! A zoo of schemas, one or more per supported keyword plus realistic API objects: every
//! generated value must validate, contradictory schemas must fail cleanly, weird ones must not
//! panic, and a few values must look like what their names say.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};
use stubborn::generate::{generate, generate_value, Direction, GenOptions, Locale};
use stubborn::schema::SchemaStore;

const SEEDS: u64 = 20;

/// Valid, satisfiable schemas.
fn zoo() -> Vec<(&'static str, Value)> {
    vec![
        // --- strings
        ("str_plain", json!({"type": "string"})),
        (
            "str_len",
            json!({"type": "string", "minLength": 5, "maxLength": 8}),
        ),
        (
            "str_min_large",
            json!({"type": "string", "minLength": 5000}),
        ),
        ("str_max_small", json!({"type": "string", "maxLength": 2})),
        (
            "str_exact_len",
            json!({"type": "string", "minLength": 7, "maxLength": 7}),
        ),
        ("str_empty_only", json!({"type": "string", "maxLength": 0})),
        (
            "str_pattern_phone",
            json!({"type": "string", "pattern": "^\\+?[1-9]\\d{7,14}$"}),
        ),
        (
            "str_pattern_unanchored",
            json!({"type": "string", "pattern": "abc", "minLength": 10}),
        ),
        (
            "str_pattern_lookahead",
            json!({"type": "string", "pattern": "^(?=.*[A-Z])(?=.*\\d)[A-Za-z\\d]{8,12}$"}),
        ),
        (
            "str_pattern_len",
            json!({"type": "string", "pattern": "^[a-z]+$", "minLength": 20, "maxLength": 25}),
        ),
        (
            "str_pattern_unicode",
            json!({"type": "string", "pattern": "^\\p{L}{2,5}$"}),
        ),
        (
            "str_two_patterns",
            json!({"allOf": [{"type": "string", "pattern": "^[a-z0-9]+$"}, {"pattern": "[0-9]"}]}),
        ),
        (
            "str_formats",
            json!({
                "type": "object",
                "required": ["dt", "d", "t", "dur", "em", "iem", "id", "uri", "uriref", "url",
                             "host", "ihost", "v4", "v6", "b64", "bin", "pw", "re", "ptr"],
                "properties": {
                    "dt": {"type": "string", "format": "date-time"},
                    "d": {"type": "string", "format": "date"},
                    "t": {"type": "string", "format": "time"},
                    "dur": {"type": "string", "format": "duration"},
                    "em": {"type": "string", "format": "email"},
                    "iem": {"type": "string", "format": "idn-email"},
                    "id": {"type": "string", "format": "uuid"},
                    "uri": {"type": "string", "format": "uri"},
                    "uriref": {"type": "string", "format": "uri-reference"},
                    "url": {"type": "string", "format": "url"},
                    "host": {"type": "string", "format": "hostname"},
                    "ihost": {"type": "string", "format": "idn-hostname"},
                    "v4": {"type": "string", "format": "ipv4"},
                    "v6": {"type": "string", "format": "ipv6"},
                    "b64": {"type": "string", "format": "byte"},
                    "bin": {"type": "string", "format": "binary"},
                    "pw": {"type": "string", "format": "password"},
                    "re": {"type": "string", "format": "regex"},
                    "ptr": {"type": "string", "format": "json-pointer"}
                }
            }),
        ),
        (
            "str_email_short",
            json!({"type": "string", "format": "email", "maxLength": 6}),
        ),
        (
            "str_byte_bounded",
            json!({"type": "string", "format": "byte", "minLength": 10, "maxLength": 14}),
        ),
        (
            "str_format_pattern",
            json!({"type": "string", "format": "date", "pattern": "^20[0-9]{2}-[01][0-9]-"}),
        ),
        (
            "str_x_faker",
            json!({"type": "string", "x-faker": "internet.email"}),
        ),
        (
            "str_x_stubborn_faker",
            json!({"type": "string", "x-stubborn-faker": "name.firstName", "maxLength": 30}),
        ),
        // --- numbers
        ("num_plain", json!({"type": "number"})),
        ("int_plain", json!({"type": "integer"})),
        (
            "int_bounds",
            json!({"type": "integer", "minimum": 10, "maximum": 12}),
        ),
        (
            "int_exclusive",
            json!({"type": "integer", "exclusiveMinimum": 0, "exclusiveMaximum": 2}),
        ),
        (
            "num_exclusive_tiny",
            json!({"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 0.001}),
        ),
        (
            "num_multiple_cents",
            json!({"type": "number", "multipleOf": 0.01, "minimum": 0, "maximum": 1}),
        ),
        (
            "num_multiple_tenth",
            json!({"type": "number", "multipleOf": 0.1}),
        ),
        (
            "int_multiple",
            json!({"type": "integer", "multipleOf": 7, "minimum": 100}),
        ),
        (
            "num_two_multiples",
            json!({"allOf": [{"multipleOf": 0.25}, {"multipleOf": 0.1}], "type": "number"}),
        ),
        (
            "int_int32_edge",
            json!({"type": "integer", "format": "int32", "minimum": 2147483600}),
        ),
        ("num_huge", json!({"type": "number", "minimum": 1e20})),
        ("int_negative", json!({"type": "integer", "maximum": -1000})),
        (
            "int_fractional_multiple",
            json!({"type": "integer", "multipleOf": 0.5, "minimum": 1, "maximum": 3}),
        ),
        (
            "num_fraction_only",
            json!({"type": "number", "not": {"type": "integer"}, "minimum": 1, "maximum": 2}),
        ),
        // --- other scalars and typing
        ("bool", json!({"type": "boolean"})),
        ("null", json!({"type": "null"})),
        ("type_nullable", json!({"type": ["string", "null"]})),
        (
            "type_multi",
            json!({"type": ["integer", "string", "boolean"]}),
        ),
        (
            "no_type_props",
            json!({"properties": {"a": {"type": "string"}}, "required": ["a"]}),
        ),
        (
            "no_type_items",
            json!({"items": {"type": "integer"}, "minItems": 2}),
        ),
        ("no_type_number", json!({"minimum": 3, "maximum": 4})),
        ("empty_schema", json!({})),
        ("true_schema", json!(true)),
        // --- enum / const / default / examples
        (
            "enum_strings",
            json!({"type": "string", "enum": ["a", "b", "c"]}),
        ),
        ("enum_mixed", json!({"enum": [1, "x", null, {"a": 1}]})),
        (
            "enum_typed_filter",
            json!({"type": "string", "enum": ["x", 1, 2]}),
        ),
        ("const_obj", json!({"const": {"k": [1, 2]}})),
        ("default_used", json!({"type": "integer", "default": 42})),
        (
            "example_used",
            json!({"type": "string", "example": "hello"}),
        ),
        (
            "examples_used",
            json!({"type": "string", "examples": ["first", "second"]}),
        ),
        (
            "example_invalid",
            json!({"type": "integer", "minimum": 10, "example": 5}),
        ),
        // --- arrays
        (
            "arr_bounds",
            json!({"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 4}),
        ),
        (
            "arr_min_huge",
            json!({"type": "array", "items": {"type": "integer"}, "minItems": 1500}),
        ),
        (
            "arr_unique_enum",
            json!({"type": "array", "items": {"enum": [1, 2, 3]}, "uniqueItems": true, "minItems": 3}),
        ),
        (
            "arr_unique_objects",
            json!({"type": "array", "uniqueItems": true, "minItems": 5,
                   "items": {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}}}),
        ),
        (
            "arr_prefix",
            json!({"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}], "items": false, "minItems": 2}),
        ),
        (
            "arr_contains",
            json!({"type": "array", "items": {"type": "integer"}, "contains": {"minimum": 100},
                   "minContains": 2, "maxContains": 3}),
        ),
        ("arr_empty_only", json!({"type": "array", "maxItems": 0})),
        // --- objects
        (
            "obj_closed",
            json!({"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "integer"}},
                   "additionalProperties": false}),
        ),
        (
            "obj_map",
            json!({"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}}),
        ),
        (
            "obj_pattern_props",
            json!({"type": "object", "patternProperties": {"^x-[a-z]+$": {"type": "string"}},
                   "additionalProperties": false, "minProperties": 1}),
        ),
        (
            "obj_property_names",
            json!({"type": "object", "propertyNames": {"pattern": "^[a-z]{3,6}$"}, "minProperties": 2}),
        ),
        (
            "obj_min_max_props",
            json!({"type": "object", "minProperties": 4, "maxProperties": 4,
                   "properties": {"a": {}, "b": {}, "c": {}, "d": {}, "e": {}}}),
        ),
        (
            "obj_dependent_required",
            json!({"type": "object", "properties": {"card": {"type": "string"}, "billing": {"type": "string"}},
                   "dependentRequired": {"card": ["billing"]}}),
        ),
        (
            "obj_dependent_schemas",
            json!({"type": "object", "properties": {"card": {"type": "string"}},
                   "dependentSchemas": {"card": {"required": ["cvv"], "properties": {"cvv": {"type": "string", "pattern": "^[0-9]{3}$"}}}}}),
        ),
        (
            "obj_false_prop",
            json!({"type": "object", "properties": {"a": false, "b": {"type": "string"}}}),
        ),
        (
            "obj_unevaluated",
            json!({"allOf": [{"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]}],
                   "properties": {"b": {"type": "string"}}, "unevaluatedProperties": false}),
        ),
        // --- composition
        (
            "allof_merge",
            json!({"allOf": [
                {"type": "object", "properties": {"a": {"type": "integer", "minimum": 5}}, "required": ["a"]},
                {"properties": {"a": {"maximum": 6}, "b": {"type": "string"}}, "required": ["b"]}
            ]}),
        ),
        (
            "allof_nested_refs",
            json!({"allOf": [{"$ref": "#/$defs/pet_base"}, {"allOf": [{"$ref": "#/$defs/timestamps"}]},
                             {"properties": {"extra": {"type": "boolean"}}}]}),
        ),
        (
            "allof_numeric",
            json!({"allOf": [{"minimum": 5}, {"maximum": 10}, {"type": "integer"}]}),
        ),
        (
            "allof_enums",
            json!({"allOf": [{"enum": [1, 2, 3]}, {"enum": [2, 3, 4]}]}),
        ),
        (
            "allof_types",
            json!({"allOf": [{"type": ["string", "integer"]}, {"type": ["integer", "boolean"]}]}),
        ),
        (
            "oneof_multiples",
            json!({"oneOf": [{"type": "integer", "multipleOf": 2}, {"type": "integer", "multipleOf": 3}]}),
        ),
        (
            "oneof_int_number",
            json!({"oneOf": [{"type": "integer"}, {"type": "number"}]}),
        ),
        (
            "oneof_discriminator",
            json!({"oneOf": [{"$ref": "#/$defs/cat"}, {"$ref": "#/$defs/dog"}],
                   "discriminator": {"propertyName": "petType", "mapping": {"kitty": "#/$defs/cat", "doggo": "#/$defs/dog"}}}),
        ),
        (
            "anyof",
            json!({"anyOf": [{"type": "string", "maxLength": 3}, {"type": "integer", "minimum": 1000}]}),
        ),
        (
            "anyof_nullable_ref",
            json!({"anyOf": [{"$ref": "#/$defs/pet"}, {"type": "null"}]}),
        ),
        (
            "not_multiple",
            json!({"type": "integer", "not": {"multipleOf": 2}}),
        ),
        ("not_type", json!({"not": {"type": "string"}})),
        (
            "not_required",
            json!({"type": "object", "properties": {"a": {"type": "string"}}, "not": {"required": ["a"]}}),
        ),
        (
            "if_then_else",
            json!({"type": "object", "required": ["country"],
                   "properties": {"country": {"enum": ["US", "CA"]}},
                   "if": {"properties": {"country": {"const": "US"}}},
                   "then": {"properties": {"postal": {"pattern": "^[0-9]{5}$"}}, "required": ["postal"]},
                   "else": {"properties": {"postal": {"pattern": "^[A-Z][0-9][A-Z] [0-9][A-Z][0-9]$"}}, "required": ["postal"]}}),
        ),
        // --- recursion
        ("tree", json!({"$ref": "#/$defs/tree_node"})),
        ("linked_list", json!({"$ref": "#/$defs/list_node"})),
        ("deep_nesting", deep(12)),
        // --- realistic objects
        ("pet_api", json!({"$ref": "#/$defs/pet"})),
        ("user_api", json!({"$ref": "#/$defs/user"})),
        ("order_api", json!({"$ref": "#/$defs/order"})),
        ("issue_api", json!({"$ref": "#/$defs/gh_issue"})),
        (
            "pet_list",
            json!({"type": "array", "items": {"$ref": "#/$defs/pet"}, "maxItems": 5}),
        ),
        ("cat_derived", json!({"$ref": "#/$defs/cat"})),
    ]
}

/// Schemas the zoo refers to by `$ref`.
fn support() -> Vec<(&'static str, Value)> {
    vec![
        (
            "pet_base",
            json!({"type": "object", "required": ["name"], "properties": {"name": {"type": "string", "minLength": 1}}}),
        ),
        (
            "timestamps",
            json!({"type": "object", "required": ["createdAt"],
                   "properties": {"createdAt": {"type": "string", "format": "date-time"},
                                  "updatedAt": {"type": "string", "format": "date-time"}}}),
        ),
        (
            "pet",
            json!({
                "type": "object",
                "required": ["id", "name", "photoUrls"],
                "properties": {
                    "id": {"type": "integer", "format": "int64", "readOnly": true},
                    "name": {"type": "string", "example": "doggie"},
                    "category": {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}},
                    "photoUrls": {"type": "array", "items": {"type": "string"}},
                    "tags": {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}}},
                    "status": {"type": "string", "enum": ["available", "pending", "sold"]}
                }
            }),
        ),
        (
            "pet_common",
            json!({"type": "object", "required": ["petType", "name"],
                   "properties": {"petType": {"type": "string"}, "name": {"type": "string"}},
                   "discriminator": {"propertyName": "petType", "mapping": {"kitty": "#/$defs/cat", "doggo": "#/$defs/dog"}}}),
        ),
        (
            "cat",
            json!({"allOf": [{"$ref": "#/$defs/pet_common"},
                             {"type": "object", "required": ["hunts"], "properties": {"hunts": {"type": "boolean"}}}]}),
        ),
        (
            "dog",
            json!({"allOf": [{"$ref": "#/$defs/pet_common"},
                             {"type": "object", "required": ["bark"], "properties": {"bark": {"type": "string", "enum": ["woof", "yap"]}}}]}),
        ),
        (
            "address",
            json!({"type": "object", "required": ["street", "city", "zip", "country"],
                   "properties": {"street": {"type": "string"}, "city": {"type": "string"}, "state": {"type": "string"},
                                  "zip": {"type": "string"}, "country": {"type": "string", "minLength": 2, "maxLength": 2}}}),
        ),
        (
            "user",
            json!({
                "type": "object",
                "required": ["id", "firstName", "lastName", "email"],
                "properties": {
                    "id": {"type": "string", "format": "uuid", "readOnly": true},
                    "firstName": {"type": "string", "maxLength": 50},
                    "lastName": {"type": "string", "maxLength": 50},
                    "email": {"type": "string", "format": "email"},
                    "username": {"type": "string", "pattern": "^[a-z0-9_.]{3,30}$"},
                    "password": {"type": "string", "writeOnly": true, "minLength": 8},
                    "phone": {"type": "string"},
                    "avatarUrl": {"type": "string", "format": "uri"},
                    "bio": {"type": "string", "maxLength": 140},
                    "age": {"type": "integer", "minimum": 13, "maximum": 120},
                    "address": {"$ref": "#/$defs/address"},
                    "company": {"type": "string"},
                    "jobTitle": {"type": "string"},
                    "website": {"type": "string", "format": "uri"},
                    "createdAt": {"type": "string", "format": "date-time", "readOnly": true},
                    "updatedAt": {"type": "string", "format": "date-time", "readOnly": true}
                }
            }),
        ),
        (
            "order",
            json!({
                "type": "object",
                "required": ["id", "items", "total", "currency", "createdAt", "updatedAt", "status"],
                "properties": {
                    "id": {"type": "integer", "minimum": 1},
                    "status": {"type": "string", "enum": ["placed", "approved", "delivered"]},
                    "items": {"type": "array", "minItems": 1, "items": {
                        "type": "object", "required": ["sku", "quantity", "price"],
                        "properties": {
                            "sku": {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{4}$"},
                            "quantity": {"type": "integer", "minimum": 1},
                            "price": {"type": "number", "multipleOf": 0.01, "exclusiveMinimum": 0}
                        }}},
                    "total": {"type": "number", "minimum": 0, "multipleOf": 0.01},
                    "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
                    "discountPercent": {"type": "number", "minimum": 0, "maximum": 100},
                    "shippingAddress": {"$ref": "#/$defs/address"},
                    "createdAt": {"type": "string", "format": "date-time"},
                    "updatedAt": {"type": "string", "format": "date-time"},
                    "notes": {"type": ["string", "null"], "maxLength": 200}
                }
            }),
        ),
        (
            "gh_user",
            json!({"type": "object", "required": ["login", "id", "avatar_url", "html_url", "type", "site_admin"],
                   "properties": {"login": {"type": "string"}, "id": {"type": "integer"}, "node_id": {"type": "string"},
                                  "avatar_url": {"type": "string", "format": "uri"}, "gravatar_id": {"type": ["string", "null"]},
                                  "html_url": {"type": "string", "format": "uri"}, "type": {"type": "string"},
                                  "site_admin": {"type": "boolean"}, "name": {"type": ["string", "null"]},
                                  "email": {"type": ["string", "null"], "format": "email"}}}),
        ),
        (
            "gh_label",
            json!({"type": "object", "required": ["id", "name", "color"],
                   "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                                  "description": {"type": ["string", "null"]},
                                  "color": {"type": "string", "pattern": "^[0-9a-f]{6}$"},
                                  "default": {"type": "boolean"}}}),
        ),
        (
            "gh_issue",
            json!({
                "type": "object",
                "required": ["id", "number", "title", "state", "user", "labels", "created_at", "updated_at", "closed_at", "body", "assignee"],
                "properties": {
                    "id": {"type": "integer", "format": "int64"},
                    "number": {"type": "integer"},
                    "title": {"type": "string"},
                    "state": {"type": "string", "enum": ["open", "closed"]},
                    "state_reason": {"type": ["string", "null"], "enum": ["completed", "reopened", "not_planned", null]},
                    "user": {"anyOf": [{"type": "null"}, {"$ref": "#/$defs/gh_user"}]},
                    "assignee": {"anyOf": [{"$ref": "#/$defs/gh_user"}, {"type": "null"}]},
                    "labels": {"type": "array", "items": {"oneOf": [{"type": "string"}, {"$ref": "#/$defs/gh_label"}]}},
                    "locked": {"type": "boolean"},
                    "comments": {"type": "integer", "minimum": 0},
                    "created_at": {"type": "string", "format": "date-time"},
                    "updated_at": {"type": "string", "format": "date-time"},
                    "closed_at": {"type": ["string", "null"], "format": "date-time"},
                    "body": {"type": ["string", "null"]},
                    "reactions": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}},
                    "milestone": {"oneOf": [{"type": "null"}, {"type": "object", "required": ["title"], "properties": {"title": {"type": "string"}, "due_on": {"type": ["string", "null"], "format": "date-time"}}}]}
                }
            }),
        ),
        (
            "tree_node",
            json!({"type": "object", "required": ["value"],
                   "properties": {"value": {"type": "integer"}, "children": {"type": "array", "items": {"$ref": "#/$defs/tree_node"}}}}),
        ),
        (
            "list_node",
            json!({"type": "object", "required": ["value", "next"],
                   "properties": {"value": {"type": "string"}, "next": {"anyOf": [{"$ref": "#/$defs/list_node"}, {"type": "null"}]}}}),
        ),
    ]
}

/// An object nested `n` levels deep through required properties.
fn deep(n: usize) -> Value {
    let mut v = json!({"type": "string", "minLength": 1});
    for i in 0..n {
        v = json!({"type": "object", "required": [format!("level{i}")], "properties": {format!("level{i}"): v}});
    }
    v
}

fn full_store() -> SchemaStore {
    SchemaStore::from_defs(zoo().into_iter().chain(support()))
}

fn opts(seed: u64) -> GenOptions {
    GenOptions {
        seed,
        ..GenOptions::default()
    }
}

#[test]
fn zoo_is_large_enough() {
    assert!(zoo().len() >= 60, "zoo has {} schemas", zoo().len());
}

#[test]
fn every_zoo_schema_generates_valid_values() {
    let store = full_store();
    let mut failures = Vec::new();
    for (key, _) in zoo().into_iter().chain(support()) {
        let id = store.id_of_key(key).expect("key");
        for seed in 0..SEEDS {
            for direction in [Direction::Response, Direction::Request] {
                let o = GenOptions {
                    direction,
                    ..opts(seed)
                };
                let side = match direction {
                    Direction::Request => stubborn::schema::Direction::Request,
                    Direction::Response => stubborn::schema::Direction::Response,
                };
                match generate(&store, id, &o) {
                    Ok(v) => {
                        if let Err(errors) = store.check_for(id, &v, side) {
                            failures.push(format!("{key} seed {seed}: {errors:?}\n  value: {v}"));
                        }
                    }
                    Err(e) => failures.push(format!("{key} seed {seed} {direction:?}: error {e}")),
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn construction_alone_is_valid_for_the_zoo() {
    // `generate_value` has no safety net: construction must already be right.
    let store = full_store();
    let mut failures = Vec::new();
    for (key, schema) in zoo() {
        let id = store.id_of_key(key).expect("key");
        for seed in 0..SEEDS {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            match generate_value(&store, &schema, &opts(seed), &mut rng) {
                Ok(v) => {
                    if let Err(errors) = store.check(id, &v) {
                        failures.push(format!("{key} seed {seed}: {errors:?}\n  value: {v}"));
                    }
                }
                Err(e) => failures.push(format!("{key} seed {seed}: error {e}")),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn contradictory_schemas_fail_with_a_pointer() {
    let cases = vec![
        (
            "min_over_max",
            json!({"type": "integer", "minimum": 10, "maximum": 5}),
        ),
        ("not_anything", json!({"not": {}})),
        ("false_schema", json!(false)),
        (
            "len_inverted",
            json!({"type": "string", "minLength": 5, "maxLength": 2}),
        ),
        ("unknown_type", json!({"type": "foo"})),
        (
            "disjoint_types",
            json!({"allOf": [{"type": "string"}, {"type": "integer"}]}),
        ),
        ("const_vs_enum", json!({"enum": [1, 2], "const": 3})),
        (
            "required_false",
            json!({"type": "object", "required": ["a"], "properties": {"a": false}}),
        ),
        (
            "required_closed",
            json!({"type": "object", "required": ["a"], "additionalProperties": false}),
        ),
        (
            "items_inverted",
            json!({"type": "array", "minItems": 5, "maxItems": 2}),
        ),
        (
            "unique_impossible",
            json!({"type": "array", "items": {"enum": [1]}, "uniqueItems": true, "minItems": 2}),
        ),
        (
            "no_multiple_in_range",
            json!({"type": "integer", "multipleOf": 2, "minimum": 3, "maximum": 3}),
        ),
        (
            "infinite_recursion",
            json!({"type": "object", "required": ["next"], "properties": {"next": {"$ref": "#/$defs/infinite_recursion"}}}),
        ),
        ("dangling_ref", json!({"$ref": "#/$defs/nope"})),
        ("empty_oneof", json!({"oneOf": []})),
        (
            "bad_pattern",
            json!({"type": "string", "pattern": "(unclosed"}),
        ),
        (
            "props_inverted",
            json!({"type": "object", "minProperties": 3, "maxProperties": 1}),
        ),
        (
            "exclusive_point",
            json!({"type": "number", "exclusiveMinimum": 1, "maximum": 1}),
        ),
        (
            "oneof_identical",
            json!({"oneOf": [{"type": "string"}, {"type": "string"}]}),
        ),
        (
            "contains_vs_items",
            json!({"type": "array", "items": {"type": "string"}, "contains": {"type": "integer"}}),
        ),
    ];
    let store = SchemaStore::from_defs(cases.clone());
    for (key, _) in &cases {
        let id = store.id_of_key(key).expect("key");
        for seed in 0..3 {
            match generate(&store, id, &opts(seed)) {
                Ok(v) => panic!("{key} seed {seed}: expected an error, got {v}"),
                Err(e) => {
                    assert!(e.pointer.starts_with('#'), "{key}: pointer {:?}", e.pointer);
                    assert!(!e.message.is_empty(), "{key}");
                }
            }
        }
    }
}

#[test]
fn contradiction_pointers_name_the_keyword() {
    let store = SchemaStore::from_defs([(
        "Pet",
        json!({"type": "object", "required": ["age"], "properties": {"age": {"type": "integer", "minimum": 10, "maximum": 5}}}),
    )]);
    let id = store.id_of_key("Pet").expect("key");
    let e = generate(&store, id, &opts(1)).expect_err("contradiction");
    assert_eq!(e.pointer, "#/$defs/Pet/properties/age", "{e}");
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let inline =
        json!({"properties": {"n": {"type": "string", "pattern": "(x"}}, "required": ["n"]});
    let e = generate_value(&store, &inline, &opts(1), &mut rng).expect_err("bad pattern");
    assert_eq!(e.pointer, "#/properties/n/pattern", "{e}");
}

#[test]
fn weird_schemas_never_panic() {
    let mut nested = json!({"type": "integer"});
    for _ in 0..120 {
        nested = json!({"type": "object", "properties": {"x": nested}, "required": ["x"]});
    }
    let mut nested_allof = json!({"type": "integer"});
    for _ in 0..120 {
        nested_allof = json!({"allOf": [nested_allof]});
    }
    let weird = vec![
        ("type_number", json!({"type": 5})),
        ("props_number", json!({"properties": 5})),
        ("items_string", json!({"items": "x"})),
        ("neg_len", json!({"type": "string", "minLength": -1})),
        ("required_string", json!({"required": "a"})),
        ("enum_number", json!({"enum": 5})),
        ("array_schema", json!([])),
        ("string_schema", json!("str")),
        ("nested", nested),
        ("nested_allof", nested_allof),
        ("zero_multiple", json!({"multipleOf": 0})),
        ("huge_min_items", json!({"type": "array", "minItems": 1e30})),
        (
            "huge_min_length",
            json!({"type": "string", "minLength": 1e18}),
        ),
        ("allof_number", json!({"allOf": 5})),
        ("ref_number", json!({"$ref": 5})),
        ("pattern_number", json!({"pattern": 5})),
        ("type_empty", json!({"type": []})),
        ("self_ref", json!({"$ref": "#/$defs/self_ref"})),
        ("ref_cycle_a", json!({"$ref": "#/$defs/ref_cycle_b"})),
        (
            "ref_cycle_b",
            json!({"allOf": [{"$ref": "#/$defs/ref_cycle_a"}]}),
        ),
        (
            "huge_bounds",
            json!({"type": "integer", "minimum": -1e300, "maximum": 1e300}),
        ),
        (
            "tiny_multiple",
            json!({"type": "number", "multipleOf": 1e-30}),
        ),
        (
            "huge_float_range",
            json!({"type": "number", "minimum": -1e308, "maximum": 1e308}),
        ),
        (
            "huge_binary",
            json!({"type": "string", "format": "binary", "maxLength": 1e19}),
        ),
        (
            "format_and_length_conflict",
            json!({"type": "string", "format": "date-time", "maxLength": 5}),
        ),
        (
            "big_multiple",
            json!({"type": "integer", "multipleOf": 1e25}),
        ),
        (
            "max_props_zero_required",
            json!({"type": "object", "maxProperties": 0, "required": ["a"]}),
        ),
        (
            "exclusive_bool",
            json!({"type": "number", "minimum": 0, "exclusiveMinimum": true, "maximum": 1}),
        ),
        ("backref", json!({"type": "string", "pattern": "^(a)\\1$"})),
        (
            "many_oneofs",
            json!({"allOf": [
                {"oneOf": [{"multipleOf": 2}, {"multipleOf": 3}, {"multipleOf": 5}]},
                {"oneOf": [{"multipleOf": 7}, {"multipleOf": 11}]},
                {"type": "integer"}
            ]}),
        ),
    ];
    let store = SchemaStore::from_defs(weird.clone());
    for (key, schema) in &weird {
        let id = store.id_of_key(key).expect("key");
        for seed in 0..3 {
            let _ = generate(&store, id, &opts(seed));
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let _ = generate_value(&store, schema, &opts(seed), &mut rng);
        }
    }
}

fn object_of(store: &SchemaStore, key: &str, seed: u64) -> serde_json::Map<String, Value> {
    let id = store.id_of_key(key).expect("key");
    match generate(store, id, &opts(seed)) {
        Ok(Value::Object(m)) => m,
        other => panic!("{key} seed {seed}: {other:?}"),
    }
}

#[test]
fn users_look_like_people() {
    let store = full_store();
    for seed in 0..SEEDS {
        let user = object_of(&store, "user_api", seed);
        let first = user["firstName"].as_str().expect("firstName");
        let last = user["lastName"].as_str().expect("lastName");
        let email = user["email"].as_str().expect("email");
        assert!(
            first.starts_with(|c: char| c.is_uppercase()),
            "firstName {first:?} looks like lorem"
        );
        assert!(!first.contains(' '), "firstName {first:?}");
        let (local, domain) = email
            .split_once('@')
            .unwrap_or_else(|| panic!("email {email:?}"));
        assert!(!local.is_empty() && domain.contains('.'), "email {email:?}");
        let lower = |s: &str| -> String {
            s.chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
                .to_lowercase()
        };
        assert!(
            local.contains(&lower(last)) || local.contains(&lower(first)),
            "email {email:?} does not match {first} {last}"
        );
        assert!(
            !user.contains_key("password"),
            "writeOnly password in a response: {user:?}"
        );
        if let Some(Value::Object(address)) = user.get("address") {
            assert_eq!(
                address["country"].as_str().map(str::len),
                Some(2),
                "{address:?}"
            );
        }
    }
}

#[test]
fn request_bodies_omit_read_only_properties() {
    let store = full_store();
    let id = store.id_of_key("user_api").expect("key");
    for seed in 0..SEEDS {
        let o = GenOptions {
            direction: Direction::Request,
            ..opts(seed)
        };
        let v = generate(&store, id, &o).expect("user");
        // `required` does not bind readOnly properties in requests: `id` and the timestamps go.
        assert!(v.get("id").is_none(), "{v}");
        assert!(
            v.get("createdAt").is_none() && v.get("updatedAt").is_none(),
            "{v}"
        );
    }
}

#[test]
fn order_timestamps_are_ordered_rfc3339() {
    let store = full_store();
    for seed in 0..SEEDS {
        let order = object_of(&store, "order_api", seed);
        let created =
            chrono::DateTime::parse_from_rfc3339(order["createdAt"].as_str().expect("createdAt"))
                .expect("createdAt is RFC 3339");
        let updated =
            chrono::DateTime::parse_from_rfc3339(order["updatedAt"].as_str().expect("updatedAt"))
                .expect("updatedAt is RFC 3339");
        assert!(updated >= created, "seed {seed}: {created} > {updated}");
        let total = order["total"].as_f64().expect("total");
        let text = order["total"].to_string();
        assert!(
            text.split('.').nth(1).is_none_or(|d| d.len() <= 2),
            "total {text} has float artefacts"
        );
        assert!(total >= 0.0);
    }
}

#[test]
fn discriminators_name_the_branch() {
    let store = full_store();
    for seed in 0..SEEDS {
        let pet = object_of(&store, "oneof_discriminator", seed);
        match pet["petType"].as_str() {
            Some("kitty") => assert!(pet.contains_key("hunts"), "{pet:?}"),
            Some("doggo") => assert!(pet.contains_key("bark"), "{pet:?}"),
            other => panic!("petType {other:?}"),
        }
        let cat = object_of(&store, "cat_derived", seed);
        assert_eq!(cat["petType"], "kitty", "{cat:?}");
    }
}

#[test]
fn same_seed_same_bytes_different_seed_different_value() {
    let store = full_store();
    let id = store.id_of_key("issue_api").expect("key");
    let a = serde_json::to_string(&generate(&store, id, &opts(7)).expect("a")).expect("json");
    let b = serde_json::to_string(&generate(&store, id, &opts(7)).expect("b")).expect("json");
    let c = serde_json::to_string(&generate(&store, id, &opts(8)).expect("c")).expect("json");
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn examples_are_used_only_when_asked_and_valid() {
    let store = full_store();
    let id = store.id_of_key("example_used").expect("key");
    assert_eq!(generate(&store, id, &opts(3)).expect("v"), json!("hello"));
    let o = GenOptions {
        use_examples: false,
        ..opts(3)
    };
    assert_ne!(generate(&store, id, &o).expect("v"), json!("hello"));
    let id = store.id_of_key("example_invalid").expect("key");
    assert_ne!(generate(&store, id, &opts(3)).expect("v"), json!(5));
}

#[test]
#[ignore = "prints sample bodies for eyeballing"]
fn print_samples() {
    let store = full_store();
    for key in [
        "pet_api",
        "user_api",
        "order_api",
        "issue_api",
        "tree",
        "str_formats",
        "obj_map",
        "pet_list",
    ] {
        let id = store.id_of_key(key).expect("key");
        for seed in 0..2 {
            let v = generate(&store, id, &opts(seed)).expect("value");
            println!(
                "{key} #{seed}: {}",
                serde_json::to_string_pretty(&v).expect("json")
            );
        }
    }
}

/// A person with everything the faker localizes.
fn person_store() -> SchemaStore {
    SchemaStore::from_defs([(
        "Person",
        json!({
            "type": "object",
            "required": ["id", "firstName", "lastName", "name", "email", "username", "phone",
                         "address", "company", "jobTitle", "bio", "title", "createdAt"],
            "properties": {
                "id": {"type": "string", "format": "uuid"},
                "firstName": {"type": "string", "minLength": 1, "maxLength": 50},
                "lastName": {"type": "string", "minLength": 1, "maxLength": 50},
                "name": {"type": "string", "maxLength": 100},
                "email": {"type": "string", "format": "email"},
                "username": {"type": "string", "pattern": "^[a-z0-9_.]{3,30}$"},
                "phone": {"type": "string", "maxLength": 30},
                "website": {"type": "string", "format": "uri"},
                "address": {
                    "type": "object",
                    "required": ["street", "city", "state", "postalCode", "country", "countryCode"],
                    "properties": {
                        "street": {"type": "string", "maxLength": 80},
                        "city": {"type": "string"},
                        "state": {"type": "string"},
                        "postalCode": {"type": "string", "maxLength": 10},
                        "country": {"type": "string"},
                        "countryCode": {"type": "string", "pattern": "^[A-Z]{2}$"}
                    }
                },
                "company": {"type": "string"},
                "jobTitle": {"type": "string"},
                "bio": {"type": "string", "maxLength": 140},
                "title": {"type": "string", "minLength": 3, "maxLength": 40},
                "tags": {"type": "array", "items": {"type": "string", "pattern": "^[a-z]+$"}},
                "contacts": {
                    "type": "array",
                    "maxItems": 3,
                    "items": {
                        "type": "object",
                        "required": ["fullName", "email"],
                        "properties": {
                            "fullName": {"type": "string", "maxLength": 12},
                            "email": {"type": "string", "format": "email", "maxLength": 40}
                        }
                    }
                },
                "createdAt": {"type": "string", "format": "date-time"}
            }
        }),
    )])
}

fn person(store: &SchemaStore, locale: Locale, seed: u64) -> serde_json::Map<String, Value> {
    let id = store.id_of_key("Person").expect("key");
    let o = GenOptions {
        locale,
        ..opts(seed)
    };
    match generate(store, id, &o) {
        Ok(Value::Object(m)) => m,
        other => panic!("{locale} seed {seed}: {other:?}"),
    }
}

fn s<'v>(m: &'v serde_json::Map<String, Value>, path: &str) -> &'v str {
    let mut v: &Value = &m[path.split('/').next().unwrap_or(path)];
    for key in path.split('/').skip(1) {
        v = &v[key];
    }
    v.as_str().unwrap_or_else(|| panic!("{path} in {m:?}"))
}

fn non_ascii(v: &str) -> bool {
    !v.is_ascii()
}

#[test]
fn locale_people_validate_in_every_locale() {
    let store = person_store();
    let id = store.id_of_key("Person").expect("key");
    let schema = store.get(id).clone();
    let mut failures = Vec::new();
    for &locale in Locale::ALL {
        for seed in 0..SEEDS {
            let o = GenOptions {
                locale,
                ..opts(seed)
            };
            // Construction alone must already be valid: the faker yields to constraints.
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            match generate_value(&store, &schema, &o, &mut rng) {
                Ok(v) => {
                    if let Err(e) = store.check(id, &v) {
                        failures.push(format!("{locale} seed {seed}: {e:?}\n  {v}"));
                    }
                    let mut emails = vec![v["email"].clone()];
                    if let Some(Value::Array(cs)) = v.get("contacts") {
                        emails.extend(cs.iter().map(|c| c["email"].clone()));
                    }
                    for e in emails {
                        let e = e.as_str().unwrap_or_default();
                        if !(e.is_ascii() && e.contains('@')) {
                            failures.push(format!("{locale} seed {seed}: email {e:?}"));
                        }
                    }
                    let user = v["username"].as_str().unwrap_or_default();
                    if !user.is_ascii() {
                        failures.push(format!("{locale} seed {seed}: username {user:?}"));
                    }
                }
                Err(e) => failures.push(format!("{locale} seed {seed}: error {e}")),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_zoo_is_valid_in_every_locale() {
    // Construction alone (no safety net), fewer seeds than the English runs above.
    let store = full_store();
    let mut failures = Vec::new();
    for &locale in Locale::ALL {
        for (key, schema) in zoo() {
            let id = store.id_of_key(key).expect("key");
            for seed in 0..5 {
                let o = GenOptions {
                    locale,
                    ..opts(seed)
                };
                let mut rng = ChaCha8Rng::seed_from_u64(seed);
                match generate_value(&store, &schema, &o, &mut rng) {
                    Ok(v) => {
                        if let Err(errors) = store.check(id, &v) {
                            failures.push(format!("{locale} {key} seed {seed}: {errors:?}\n  {v}"));
                        }
                    }
                    Err(e) => failures.push(format!("{locale} {key} seed {seed}: error {e}")),
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn locales_look_localized() {
    let store = person_store();
    let count = |locale: Locale, pred: &dyn Fn(&serde_json::Map<String, Value>) -> bool| {
        (0..SEEDS)
            .filter(|&seed| pred(&person(&store, locale, seed)))
            .count() as u64
    };
    let most = SEEDS * 3 / 4;
    // Japanese: names, companies and job titles in Japanese; emails romanized.
    assert_eq!(count(Locale::Ja, &|p| non_ascii(s(p, "firstName"))), SEEDS);
    assert!(count(Locale::Ja, &|p| non_ascii(s(p, "company"))) >= most);
    assert!(count(Locale::Ja, &|p| non_ascii(s(p, "jobTitle"))) >= most);
    assert!(count(Locale::Ja, &|p| s(p, "phone").starts_with('0')) >= most);
    assert!(
        count(Locale::Ja, &|p| s(p, "email")
            .split('@')
            .next()
            .is_some_and(|l| l.len() >= 3))
            == SEEDS
    );
    // Chinese: names, cities and prose in Chinese.
    assert_eq!(
        count(Locale::ZhCn, &|p| non_ascii(s(p, "firstName"))),
        SEEDS
    );
    assert!(count(Locale::ZhCn, &|p| non_ascii(s(p, "address/city"))) >= most);
    assert!(count(Locale::ZhCn, &|p| non_ascii(s(p, "bio"))) >= most);
    assert!(
        count(Locale::ZhCn, &|p| s(p, "name")
            .chars()
            .all(|c| !c.is_ascii()))
            >= most
    );
    // German: cities and postcodes differ from English for the same seed.
    let differs = |locale: Locale, path: &str| {
        (0..SEEDS)
            .filter(|&seed| {
                s(&person(&store, locale, seed), path) != s(&person(&store, Locale::En, seed), path)
            })
            .count() as u64
    };
    assert!(differs(Locale::De, "address/city") >= most);
    assert!(differs(Locale::De, "lastName") >= most);
    assert!(count(Locale::De, &|p| s(p, "address/postalCode").len() == 5) >= most);
    assert!(
        count(Locale::De, &|p| s(p, "address/country") == "Deutschland"
            || s(p, "address/country") == "Germany")
            >= most
    );
    // French and Italian phone numbers, Brazilian postcodes.
    let fr_phone = |p: &serde_json::Map<String, Value>| {
        let d: Vec<&str> = s(p, "phone").split(' ').collect();
        d.len() == 5
            && d.iter()
                .all(|g| g.len() == 2 && g.bytes().all(|b| b.is_ascii_digit()))
    };
    assert!(count(Locale::Fr, &fr_phone) >= most);
    assert!(count(Locale::It, &|p| s(p, "phone").starts_with("+39 ")) >= most);
    let cep = |p: &serde_json::Map<String, Value>| {
        let z = s(p, "address/postalCode").as_bytes();
        z.len() == 9 && z[5] == b'-'
    };
    assert!(count(Locale::PtBr, &cep) >= most);
    // English keeps its shapes: `users_look_like_people` covers the rest.
    assert!(
        count(Locale::En, &|p| p
            .values()
            .all(|v| v.to_string().is_ascii()))
            == SEEDS
    );
}

#[test]
fn spanish_falls_back_to_english() {
    // `fake` 5 has no Spanish tables; every value is the English one until it does.
    let store = person_store();
    for seed in 0..4 {
        assert_eq!(
            person(&store, Locale::Es, seed),
            person(&store, Locale::En, seed)
        );
    }
}

#[test]
fn same_seed_and_locale_same_bytes() {
    let store = person_store();
    for &locale in Locale::ALL {
        let a = serde_json::to_string(&person(&store, locale, 11)).expect("json");
        let b = serde_json::to_string(&person(&store, locale, 11)).expect("json");
        assert_eq!(a, b, "{locale}");
        if !matches!(locale, Locale::En | Locale::Es) {
            let en = serde_json::to_string(&person(&store, Locale::En, 11)).expect("json");
            assert_ne!(a, en, "{locale}");
        }
    }
}

#[test]
fn locale_names_parse() {
    for (text, locale) in [
        ("en", Locale::En),
        ("EN", Locale::En),
        ("de", Locale::De),
        ("de_DE", Locale::De),
        ("de-de", Locale::De),
        ("fr_FR", Locale::Fr),
        ("es", Locale::Es),
        ("ES-es", Locale::Es),
        ("it_IT", Locale::It),
        ("ja", Locale::Ja),
        ("ja-JP", Locale::Ja),
        ("pt_BR", Locale::PtBr),
        ("pt-br", Locale::PtBr),
        ("zh_CN", Locale::ZhCn),
        ("ZH-cn", Locale::ZhCn),
    ] {
        assert_eq!(text.parse::<Locale>(), Ok(locale), "{text}");
    }
    for &locale in Locale::ALL {
        assert_eq!(locale.name().parse::<Locale>(), Ok(locale));
        assert_eq!(locale.to_string(), locale.name());
    }
    assert_eq!(GenOptions::default().locale, Locale::En);
    for bad in ["", "xx", "pt", "zh", "de_AT", "english", "de__de"] {
        let err = bad.parse::<Locale>().expect_err(bad).to_string();
        assert!(
            err.contains("pt_BR") && err.contains("zh_CN") && err.contains("ja"),
            "{err}"
        );
    }
}

#[test]
#[ignore = "prints a person per locale for eyeballing"]
fn print_locale_samples() {
    let store = person_store();
    for &locale in Locale::ALL {
        for seed in 0..2 {
            let p = person(&store, locale, seed);
            println!(
                "{locale} #{seed}: {}",
                serde_json::to_string_pretty(&p).expect("json")
            );
        }
    }
}

//! Unit tests for the generator's tricky parts.

use super::*;
use serde_json::json;

fn store(defs: Vec<(&str, Value)>) -> SchemaStore {
    SchemaStore::from_defs(defs)
}

fn opts(seed: u64) -> GenOptions {
    GenOptions {
        seed,
        ..GenOptions::default()
    }
}

fn gen_key(store: &SchemaStore, key: &str, seed: u64) -> Value {
    let id = store.id_of_key(key).expect("key");
    generate(store, id, &opts(seed)).unwrap_or_else(|e| panic!("{key} seed {seed}: {e}"))
}

/// Generates from an inline schema by construction only (no safety net).
fn gen_inline(schema: Value, seed: u64) -> Result<Value, GenError> {
    let store = SchemaStore::new();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    generate_value(&store, &schema, &opts(seed), &mut rng)
}

#[test]
fn all_of_merges_properties_required_and_bounds() {
    let schema = json!({"allOf": [
        {"type": "object", "required": ["a"], "properties": {"a": {"type": "integer", "minimum": 5}}},
        {"required": ["b"], "properties": {"a": {"maximum": 6}, "b": {"type": "string", "maxLength": 3}}},
        {"allOf": [{"properties": {"a": {"multipleOf": 3}}}]}
    ]});
    for seed in 0..30 {
        let v = gen_inline(schema.clone(), seed).expect("value");
        assert_eq!(v["a"], json!(6), "{v}");
        assert!(
            v["b"].as_str().is_some_and(|s| s.chars().count() <= 3),
            "{v}"
        );
    }
}

#[test]
fn all_of_intersects_enums_and_types() {
    for seed in 0..20 {
        let v = gen_inline(
            json!({"allOf": [{"enum": [1, 2, 3]}, {"enum": [2, 3, 4]}, {"not": {"const": 3}}]}),
            seed,
        )
        .expect("value");
        assert_eq!(v, json!(2));
        let v = gen_inline(
            json!({"allOf": [{"type": ["string", "integer"]}, {"type": ["integer", "null"]}]}),
            seed,
        )
        .expect("value");
        assert!(v.is_i64(), "{v}");
    }
    let e = gen_inline(
        json!({"allOf": [{"type": "string"}, {"type": "integer"}]}),
        1,
    )
    .expect_err("disjoint");
    assert!(e.pointer.ends_with("/type"), "{e}");
}

#[test]
fn multiple_of_decimals_have_no_float_artefacts() {
    for seed in 0..50 {
        let v = gen_inline(
            json!({"type": "number", "multipleOf": 0.1, "minimum": 0, "maximum": 1}),
            seed,
        )
        .expect("v");
        let text = v.to_string();
        assert!(text.len() <= 3, "{text}");
        let v = gen_inline(
            json!({"type": "number", "multipleOf": 0.01, "exclusiveMinimum": 0}),
            seed,
        )
        .expect("v");
        let text = v.to_string();
        assert!(
            text.split('.').nth(1).is_none_or(|d| d.len() <= 2),
            "{text}"
        );
        assert!(
            validate::is_multiple_of(v.as_number().expect("number"), 0.01),
            "{text}"
        );
        let v = gen_inline(json!({"type": "integer", "multipleOf": 0.75}), seed).expect("v");
        assert!(v.as_i64().is_some_and(|n| n % 3 == 0), "{v}");
    }
}

#[test]
fn exclusive_bounds_and_formats() {
    for seed in 0..30 {
        let v = gen_inline(
            json!({"type": "integer", "exclusiveMinimum": 0, "exclusiveMaximum": 2}),
            seed,
        )
        .expect("v");
        assert_eq!(v, json!(1));
        let v = gen_inline(
            json!({"type": "number", "exclusiveMinimum": 1.5, "maximum": 1.6}),
            seed,
        )
        .expect("v");
        let x = v.as_f64().expect("f64");
        assert!(x > 1.5 && x <= 1.6, "{v}");
        let v = gen_inline(
            json!({"type": "integer", "format": "int32", "minimum": 2147483000}),
            seed,
        )
        .expect("v");
        assert!(v.as_i64().is_some_and(|n| n <= i64::from(i32::MAX)), "{v}");
    }
}

#[test]
fn patterns_are_matched_with_lengths() {
    for seed in 0..30 {
        let v = gen_inline(
            json!({"type": "string", "pattern": "^[A-Z]{3}-\\d{4}$"}),
            seed,
        )
        .expect("v");
        let s = v.as_str().expect("string");
        assert!(pattern::is_match("^[A-Z]{3}-[0-9]{4}$", s), "{s}");
        let v = gen_inline(
            json!({"type": "string", "pattern": "^[a-z]+$", "minLength": 30, "maxLength": 32}),
            seed,
        )
        .expect("v");
        let n = v.as_str().map_or(0, str::len);
        assert!((30..=32).contains(&n), "{v}");
        let v = gen_inline(
            json!({"type": "string", "pattern": "^(?=.*\\d)(?=.*[a-z])[a-z0-9]{6}$"}),
            seed,
        )
        .expect("v");
        let s = v.as_str().expect("string");
        assert!(s.len() == 6 && s.chars().any(|c| c.is_ascii_digit()), "{s}");
    }
}

#[test]
fn unsatisfiable_patterns_are_errors_not_panics() {
    let e = gen_inline(
        json!({"type": "string", "pattern": "^a$", "minLength": 3}),
        1,
    )
    .expect_err("impossible");
    assert!(e.pointer.ends_with("/pattern"), "{e}");
    let e = gen_inline(json!({"type": "string", "pattern": "[", "minLength": 3}), 1)
        .expect_err("invalid");
    assert!(e.message.contains("regular expression"), "{e}");
}

#[test]
fn one_of_results_match_exactly_one_branch() {
    let schema = json!({"oneOf": [
        {"type": "integer", "multipleOf": 2},
        {"type": "integer", "multipleOf": 3}
    ]});
    let store = SchemaStore::new();
    for seed in 0..50 {
        let v = gen_inline(schema.clone(), seed).expect("v");
        assert!(validate::is_valid(&store, &schema, &v), "{v}");
        let n = v.as_i64().expect("integer");
        assert!((n % 2 == 0) != (n % 3 == 0), "{n}");
    }
    let e = gen_inline(
        json!({"oneOf": [{"type": "string"}, {"type": "string"}]}),
        1,
    )
    .expect_err("never exclusive");
    assert!(e.pointer.contains("oneOf"), "{e}");
}

#[test]
fn discriminator_sets_the_property_per_branch() {
    let s = store(vec![
        (
            "Pet",
            json!({
                "oneOf": [{"$ref": "#/$defs/Cat"}, {"$ref": "#/$defs/Dog"}],
                "discriminator": {"propertyName": "kind", "mapping": {"cat": "#/$defs/Cat"}}
            }),
        ),
        (
            "Cat",
            json!({"type": "object", "required": ["kind", "meows"],
                       "properties": {"kind": {"type": "string"}, "meows": {"type": "boolean"}}}),
        ),
        (
            "Dog",
            json!({"type": "object", "required": ["kind", "barks"],
                       "properties": {"kind": {"type": "string"}, "barks": {"type": "boolean"}}}),
        ),
    ]);
    let mut seen = (false, false);
    let id = s.id_of_key("Pet").expect("key");
    for seed in 0..30 {
        // Static bodies always take the first branch; dynamic ones vary.
        assert_eq!(gen_key(&s, "Pet", seed)["kind"], json!("cat"));
        let dynamic = GenOptions {
            vary_optional: true,
            ..opts(seed)
        };
        let v = generate(&s, id, &dynamic).expect("value");
        match v["kind"].as_str() {
            Some("cat") => seen.0 = true,
            Some("Dog") => seen.1 = true,
            other => panic!("kind {other:?} in {v}"),
        }
    }
    assert!(
        seen.0 && seen.1,
        "both branches should be picked over 30 seeds of dynamic bodies"
    );
}

#[test]
fn recursion_is_bounded_by_max_depth() {
    let s = store(vec![(
        "Node",
        json!({"type": "object", "required": ["next", "kids"], "properties": {
            "next": {"anyOf": [{"$ref": "#/$defs/Node"}, {"type": "null"}]},
            "kids": {"type": "array", "items": {"$ref": "#/$defs/Node"}}
        }}),
    )]);
    fn depth(v: &Value) -> usize {
        match v {
            Value::Object(m) => 1 + m.values().map(depth).max().unwrap_or(0),
            Value::Array(a) => 1 + a.iter().map(depth).max().unwrap_or(0),
            _ => 0,
        }
    }
    let id = s.id_of_key("Node").expect("key");
    for max_depth in [0, 2, 6] {
        for seed in 0..10 {
            let o = GenOptions {
                max_depth,
                ..opts(seed)
            };
            let v = generate(&s, id, &o).expect("value");
            assert!(
                depth(&v) <= 2 * (max_depth + 2),
                "max_depth {max_depth}: depth {}",
                depth(&v)
            );
        }
    }
}

#[test]
fn minimal_values_past_max_depth() {
    let schema = json!({"type": "object", "required": ["a"], "properties": {
        "a": {"type": "object", "properties": {"opt": {"type": "string"}},
              "required": ["list", "maybe"],
              "additionalProperties": false,
              "patternProperties": {"^p": {"type": "integer"}},
              "dependentRequired": {}},
        "b": {"type": "string"}
    }});
    let mut schema_list = schema.clone();
    schema_list["properties"]["a"]["properties"]["list"] =
        json!({"type": "array", "items": {"type": "string"}});
    schema_list["properties"]["a"]["properties"]["maybe"] = json!({"type": ["string", "null"]});
    let store = SchemaStore::new();
    let o = GenOptions {
        max_depth: 0,
        ..opts(4)
    };
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    let v = generate_value(&store, &schema_list, &o, &mut rng).expect("value");
    // The root (depth 0) is still full; everything below it is minimal.
    assert_eq!(v["a"], json!({"list": [], "maybe": null}));
}

#[test]
fn same_seed_same_value_different_seed_different_value() {
    let s = store(vec![(
        "User",
        json!({"type": "object", "properties": {
            "id": {"type": "string", "format": "uuid"}, "name": {"type": "string"}, "email": {"type": "string"},
            "createdAt": {"type": "string", "format": "date-time"}, "score": {"type": "number"},
            "tags": {"type": "array", "items": {"type": "string"}}
        }}),
    )]);
    let a = serde_json::to_string(&gen_key(&s, "User", 11)).expect("json");
    let b = serde_json::to_string(&gen_key(&s, "User", 11)).expect("json");
    let c = serde_json::to_string(&gen_key(&s, "User", 12)).expect("json");
    assert_eq!(a, b);
    assert_ne!(a, c);
    let x = serde_json::to_string(&gen_inline(s.get(SchemaId(0)).clone(), 5).expect("v"))
        .expect("json");
    let y = serde_json::to_string(&gen_inline(s.get(SchemaId(0)).clone(), 5).expect("v"))
        .expect("json");
    assert_eq!(x, y);
}

/// A generator takes over the arenas the last one on its thread left (`Arenas`): what came
/// before on the thread, large or small, changes nothing.
#[test]
fn reused_arenas_change_nothing() {
    let s = store(vec![
        (
            "Pet",
            json!({"type": "object", "required": ["id", "name"], "properties": {
                "id": {"type": "integer"}, "name": {"type": "string"},
                "owner": {"type": "object", "properties": {"email": {"type": "string", "format": "email"}}}
            }}),
        ),
        (
            "Big",
            json!({"type": "array", "minItems": 300, "maxItems": 300,
                "items": {"$ref": "#/$defs/Pet"}}),
        ),
    ]);
    let fresh = std::thread::scope(|t| t.spawn(|| gen_key(&s, "Pet", 3)).join().expect("thread"));
    let _ = gen_key(&s, "Big", 1);
    assert_eq!(gen_key(&s, "Pet", 3), fresh);
    let _ = gen_inline(json!({"type": "string"}), 2);
    assert_eq!(gen_key(&s, "Pet", 3), fresh);
}

#[test]
fn read_only_and_write_only_follow_direction() {
    let schema = json!({"type": "object", "required": ["name", "id"], "properties": {
        "id": {"type": "integer", "readOnly": true},
        "createdAt": {"type": "string", "readOnly": true},
        "password": {"type": "string", "writeOnly": true},
        "name": {"type": "string"}
    }});
    let store = SchemaStore::new();
    for seed in 0..20 {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let req = GenOptions {
            direction: Direction::Request,
            ..opts(seed)
        };
        let v = generate_value(&store, &schema, &req, &mut rng).expect("request");
        // readOnly properties are left out of requests, even a required one.
        assert!(v.get("createdAt").is_none() && v.get("id").is_none(), "{v}");
        assert!(v.get("name").is_some(), "{v}");
        let v = gen_inline(schema.clone(), seed).expect("response");
        assert!(v.get("password").is_none(), "{v}");
    }
}

#[test]
fn names_drive_believable_values() {
    let schema = json!({"type": "object", "required": ["firstName", "lastName", "email", "createdAt", "updatedAt", "price", "currency", "countryCode"],
    "properties": {
        "firstName": {"type": "string"}, "lastName": {"type": "string"}, "email": {"type": "string"},
        "updatedAt": {"type": "string", "format": "date-time"}, "createdAt": {"type": "string", "format": "date-time"},
        "price": {"type": "number", "minimum": 0}, "currency": {"type": "string"},
        "countryCode": {"type": "string", "maxLength": 2}
    }});
    for seed in 0..20 {
        let v = gen_inline(schema.clone(), seed).expect("v");
        let first = v["firstName"].as_str().expect("first").to_ascii_lowercase();
        let last = v["lastName"].as_str().expect("last").to_ascii_lowercase();
        let email = v["email"].as_str().expect("email");
        assert!(email.contains('@'), "{email}");
        let local: String = email
            .split('@')
            .next()
            .unwrap_or("")
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        let clean = |s: &str| {
            s.chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
        };
        assert!(
            local.contains(&clean(&last)) || local.contains(&clean(&first)),
            "{email} vs {first} {last}"
        );
        // Updated is listed first but still not before created.
        assert!(v["updatedAt"].as_str() >= v["createdAt"].as_str(), "{v}");
        let price = v["price"].to_string();
        assert!(
            price.split('.').nth(1).is_none_or(|d| d.len() <= 2),
            "{price}"
        );
        assert_eq!(v["currency"].as_str().map(str::len), Some(3), "{v}");
        assert_eq!(v["countryCode"].as_str().map(str::len), Some(2), "{v}");
    }
}

#[test]
fn faked_values_yield_to_constraints() {
    for seed in 0..20 {
        let v = gen_inline(
            json!({"type": "object", "required": ["email"], "properties": {
            "email": {"type": "string", "maxLength": 4}}}),
            seed,
        )
        .expect("v");
        assert!(
            v["email"].as_str().is_some_and(|s| s.chars().count() <= 4),
            "{v}"
        );
        let v = gen_inline(
            json!({"type": "object", "required": ["firstName"], "properties": {
            "firstName": {"type": "string", "pattern": "^[0-9]{4}$"}}}),
            seed,
        )
        .expect("v");
        assert!(
            v["firstName"]
                .as_str()
                .is_some_and(|s| s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit())),
            "{v}"
        );
    }
}

#[test]
fn x_faker_hints_are_honoured() {
    for seed in 0..10 {
        let v =
            gen_inline(json!({"type": "string", "x-faker": "internet.email"}), seed).expect("v");
        assert!(v.as_str().is_some_and(|s| s.contains('@')), "{v}");
        let v = gen_inline(
            json!({"type": "string", "x-stubborn-faker": "datatype.uuid"}),
            seed,
        )
        .expect("v");
        assert_eq!(v.as_str().map(str::len), Some(36), "{v}");
        // A hint that contradicts an asserted format yields to it.
        let v = gen_inline(
            json!({"type": "string", "format": "date", "x-faker": "datatype.uuid"}),
            seed,
        )
        .expect("v");
        assert!(
            v.as_str().is_some_and(|s| format::is_valid("date", s)),
            "{v}"
        );
    }
}

#[test]
fn if_then_else_and_not() {
    let schema = json!({"type": "object", "required": ["kind"], "properties": {"kind": {"enum": ["a", "b"]}},
        "if": {"properties": {"kind": {"const": "a"}}},
        "then": {"required": ["x"], "properties": {"x": {"type": "integer"}}},
        "else": {"required": ["y"], "properties": {"y": {"type": "boolean"}}}});
    let store = SchemaStore::new();
    for seed in 0..30 {
        let v = gen_inline(schema.clone(), seed).expect("v");
        assert!(validate::is_valid(&store, &schema, &v), "{v}");
        let v = gen_inline(
            json!({"type": "integer", "minimum": 1, "maximum": 4, "not": {"enum": [2, 3]}}),
            seed,
        )
        .expect("v");
        assert!(v == json!(1) || v == json!(4), "{v}");
    }
}

#[test]
fn arrays_honour_unique_contains_and_prefix() {
    let store = SchemaStore::new();
    for seed in 0..30 {
        let schema = json!({"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 9},
            "uniqueItems": true, "minItems": 8, "contains": {"const": 5}});
        let v = gen_inline(schema.clone(), seed).expect("v");
        assert!(validate::is_valid(&store, &schema, &v), "{v}");
        let schema = json!({"type": "array", "prefixItems": [{"const": "x"}, {"type": "boolean"}], "items": false});
        let v = gen_inline(schema.clone(), seed).expect("v");
        assert!(validate::is_valid(&store, &schema, &v), "{v}");
    }
    let v = gen_inline(
        json!({"type": "array", "items": {"type": "integer"}, "minItems": 5000}),
        1,
    )
    .expect("v");
    assert_eq!(v.as_array().map(Vec::len), Some(5000));
}

#[test]
fn examples_default_and_const() {
    assert_eq!(
        gen_inline(json!({"type": "integer", "example": 7}), 1).expect("v"),
        json!(7)
    );
    assert_eq!(
        gen_inline(json!({"type": "integer", "examples": [8, 9]}), 1).expect("v"),
        json!(8)
    );
    assert_eq!(
        gen_inline(json!({"type": "integer", "default": 3}), 1).expect("v"),
        json!(3)
    );
    assert_ne!(
        gen_inline(json!({"type": "integer", "maximum": 2, "example": 7}), 1).expect("v"),
        json!(7)
    );
    assert_eq!(
        gen_inline(json!({"const": [1, {"a": null}]}), 1).expect("v"),
        json!([1, {"a": null}])
    );
    let e = gen_inline(json!({"type": "string", "const": 1}), 1).expect_err("conflict");
    assert!(e.pointer.ends_with("/const"), "{e}");
}

#[test]
fn error_pointers_follow_refs() {
    let s = store(vec![
        (
            "Pet",
            json!({"type": "object", "required": ["age"], "properties": {"age": {"$ref": "#/$defs/Age"}}}),
        ),
        (
            "Age",
            json!({"type": "integer", "minimum": 10, "maximum": 5}),
        ),
    ]);
    let id = s.id_of_key("Pet").expect("key");
    let e = generate(&s, id, &opts(1)).expect_err("contradiction");
    assert_eq!(e.pointer, "#/$defs/Age");
    assert_eq!(e.to_string(), format!("#/$defs/Age: {}", e.message));
}

#[test]
fn overlapping_one_of_branches_are_separated() {
    // Every `Snapshot` is an `Action`, so only an `Action` that a `Snapshot` rejects works.
    let s = store(vec![
        (
            "Action",
            json!({"type": "object", "required": ["type"], "properties": {
                "type": {"type": "string", "enum": ["reboot", "snapshot"]}}}),
        ),
        (
            "Snapshot",
            json!({"allOf": [{"$ref": "#/$defs/Action"},
                {"type": "object", "properties": {"name": {"type": "string"}}}]}),
        ),
        (
            "Either",
            json!({"oneOf": [{"$ref": "#/$defs/Action"}, {"$ref": "#/$defs/Snapshot"}]}),
        ),
    ]);
    for seed in 0..10 {
        let v = gen_key(&s, "Either", seed);
        assert!(v.get("name").is_some_and(|n| !n.is_string()), "{v}");
    }
}

#[test]
fn optional_properties_that_cannot_be_generated_are_left_out() {
    for seed in 0..10 {
        let v = gen_inline(
            json!({"type": "object", "required": ["a"], "properties": {
                "a": {"type": "string"},
                "b": {"type": "string", "format": "hostname", "enum": ["not_a_host"]}}}),
            seed,
        )
        .expect("v");
        assert!(v.get("a").is_some() && v.get("b").is_none(), "{v}");
    }
}

/// Objects nested `levels` deep, each with two optional scalars and the next object.
fn nested_optional(levels: usize) -> Value {
    let mut schema = json!({"type": "object", "properties": {
        "a": {"type": "string"}, "b": {"type": "integer"}}});
    for _ in 0..levels {
        schema = json!({"type": "object", "properties": {
            "a": {"type": "string"}, "b": {"type": "integer"}, "next": schema}});
    }
    schema
}

#[test]
fn static_bodies_show_every_optional_property_at_the_top_levels() {
    let s = store(vec![
        (
            "Person",
            json!({"type": "object", "properties": {"name": {"type": "string"}, "email": {"type": "string", "format": "email"}}}),
        ),
        (
            "Address",
            json!({"type": "object", "properties": {"street": {"type": "string"}, "city": {"type": "string"}}}),
        ),
        (
            "Profile",
            json!({"type": "object", "properties": {"owner": {"$ref": "#/$defs/Person"}, "address": {"$ref": "#/$defs/Address"}}}),
        ),
        ("Deep", nested_optional(6)),
    ]);
    for seed in 0..200 {
        let v = gen_key(&s, "Profile", seed);
        for (object, keys) in [
            ("owner", ["name", "email"]),
            ("address", ["street", "city"]),
        ] {
            for key in keys {
                assert!(v[object].get(key).is_some(), "seed {seed}: {v}");
            }
        }
        // Down to FULL_DEPTH every level is whole.
        let mut at = &gen_key(&s, "Deep", seed);
        for depth in 0..=FULL_DEPTH {
            for key in ["a", "b", "next"] {
                assert!(at.get(key).is_some(), "seed {seed} depth {depth}: {at}");
            }
            at = &at["next"];
        }
    }
}

#[test]
fn deeper_levels_thin_out_and_bodies_stay_bounded() {
    let s = store(vec![("Deep", nested_optional(12))]);
    let mut thinned = 0;
    for seed in 0..100 {
        let v = gen_key(&s, "Deep", seed);
        let mut at = &v;
        let mut depth = 0;
        while let Some(next) = at.get("next") {
            at = next;
            depth += 1;
        }
        // Past `max_depth` an object is minimal (`{}`): that ends the chain whatever the
        // chances.
        assert!(
            depth <= GenOptions::default().max_depth + 1,
            "seed {seed}: {v}"
        );
        if depth <= GenOptions::default().max_depth {
            thinned += 1;
        }
    }
    assert!(
        thinned > 0,
        "optional properties never thinned out below FULL_DEPTH"
    );
}

#[test]
fn a_recursive_schema_shows_once_in_static_bodies_and_varies_in_dynamic_ones() {
    let s = store(vec![(
        "Employee",
        json!({"type": "object", "required": ["id"], "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "manager": {"$ref": "#/$defs/Employee"}}}),
    )]);
    let id = s.id_of_key("Employee").unwrap();
    let (mut with, mut without) = (0, 0);
    for seed in 0..100 {
        let v = gen_key(&s, "Employee", seed);
        assert!(v["manager"]["name"].is_string(), "seed {seed}: {v}");
        assert!(v["manager"].get("manager").is_none(), "seed {seed}: {v}");
        let dynamic = GenOptions {
            seed,
            vary_optional: true,
            ..GenOptions::default()
        };
        let v = generate(&s, id, &dynamic).unwrap();
        assert!(v.get("name").is_some(), "seed {seed}: {v}");
        if v.get("manager").is_some() {
            with += 1;
        } else {
            without += 1;
        }
    }
    assert!(
        with > 0 && without > 0,
        "{with} with a manager, {without} without"
    );
}

#[test]
fn same_seed_same_value_in_both_modes() {
    let s = store(vec![("Deep", nested_optional(8))]);
    let id = s.id_of_key("Deep").unwrap();
    for vary_optional in [false, true] {
        for seed in 0..20 {
            let o = GenOptions {
                seed,
                vary_optional,
                ..GenOptions::default()
            };
            assert_eq!(generate(&s, id, &o).unwrap(), generate(&s, id, &o).unwrap());
        }
    }
}

#[test]
fn fill_properties_off_adds_no_undeclared_keys() {
    let s = store(vec![
        (
            "Typed",
            json!({"type": "object", "properties": {"id": {"type": "integer"}}, "additionalProperties": {"type": "string"}}),
        ),
        (
            "Map",
            json!({"type": "object", "additionalProperties": {"type": "integer"}}),
        ),
        (
            "AtLeastTwo",
            json!({"type": "object", "minProperties": 2, "properties": {"id": {"type": "integer"}}, "additionalProperties": {"type": "string"}}),
        ),
    ]);
    let (mut extra_typed, mut extra_map) = (0, 0);
    for seed in 0..100 {
        for fill_properties in [true, false] {
            let o = GenOptions {
                seed,
                fill_properties,
                ..GenOptions::default()
            };
            let gen = |key: &str| generate(&s, s.id_of_key(key).unwrap(), &o).unwrap();
            let typed = gen("Typed");
            let map = gen("Map");
            let two = gen("AtLeastTwo");
            assert!(two.as_object().unwrap().len() >= 2, "{two}");
            if fill_properties {
                extra_typed += usize::from(typed.as_object().unwrap().len() > 1);
                extra_map += usize::from(!map.as_object().unwrap().is_empty());
            } else {
                assert_eq!(typed.as_object().unwrap().len(), 1, "{typed}");
                assert_eq!(map, json!({}));
            }
        }
    }
    assert!(
        extra_typed > 0 && extra_map > 0,
        "{extra_typed} {extra_map}"
    );
}

#[test]
fn thousands_of_seeds_in_dynamic_mode_never_give_an_invalid_value() {
    let s = store(vec![
        ("Deep", nested_optional(10)),
        (
            "Node",
            json!({"type": "object", "required": ["id"], "properties": {
                "id": {"type": "integer"},
                "parent": {"$ref": "#/$defs/Node"},
                "children": {"type": "array", "items": {"$ref": "#/$defs/Node"}},
                "extra": {"type": "object", "additionalProperties": {"type": "integer"}}}}),
        ),
    ]);
    for key in ["Deep", "Node"] {
        let id = s.id_of_key(key).unwrap();
        for seed in 0..1000 {
            for (vary_optional, fill_properties) in [(true, true), (false, false)] {
                let o = GenOptions {
                    seed,
                    vary_optional,
                    fill_properties,
                    ..GenOptions::default()
                };
                let v = generate(&s, id, &o).unwrap_or_else(|e| panic!("{key} {seed}: {e}"));
                assert!(s.check(id, &v).is_ok(), "{key} {seed}: {v}");
            }
        }
    }
}

/// The Latin filler words that are not English words too.
fn latin_words() -> Vec<&'static str> {
    <fake::locales::EN as fake::locales::Data>::LOREM_WORD
        .iter()
        .copied()
        .filter(|w| !["a", "in", "error", "id", "at", "ad", "ex"].contains(w))
        .collect()
}

fn has_latin(s: &str, latin: &[&str]) -> bool {
    s.split(|c: char| !c.is_ascii_alphabetic())
        .any(|w| latin.contains(&w.to_ascii_lowercase().as_str()))
}

#[test]
fn free_text_is_english_not_lorem() {
    let latin = latin_words();
    let schema = json!({"type": "object", "required": ["description", "title", "productName", "tags", "note", "misc", "slug", "short", "long"],
    "properties": {
        "description": {"type": "string"},
        "title": {"type": "string"},
        "productName": {"type": "string"},
        "tags": {"type": "array", "minItems": 2, "items": {"type": "string"}},
        "note": {"type": "string", "maxLength": 12},
        "misc": {"type": "string"},
        "slug": {"type": "string"},
        "short": {"type": "string", "minLength": 3, "maxLength": 3},
        "long": {"type": "string", "minLength": 300}
    }});
    for seed in 0..60 {
        let v = gen_inline(schema.clone(), seed).expect("value");
        for key in [
            "description",
            "title",
            "productName",
            "note",
            "misc",
            "slug",
            "long",
        ] {
            let s = v[key].as_str().expect(key);
            assert!(!has_latin(s, &latin), "{key}: {s:?} is lorem");
        }
        for t in v["tags"].as_array().unwrap() {
            assert!(!has_latin(t.as_str().unwrap(), &latin), "{t}");
        }
        let d = v["description"].as_str().unwrap();
        assert!(
            d.ends_with('.') && d.starts_with(|c: char| c.is_ascii_uppercase()),
            "{d:?}"
        );
        let t = v["title"].as_str().unwrap();
        assert!(
            t.split(' ')
                .all(|w| w.starts_with(|c: char| c.is_ascii_uppercase())),
            "{t:?}"
        );
        assert!(v["note"].as_str().unwrap().chars().count() <= 12);
        assert_eq!(v["short"].as_str().unwrap().chars().count(), 3);
        assert!(v["long"].as_str().unwrap().chars().count() >= 300);
    }
}

#[test]
fn x_faker_lorem_still_writes_lorem() {
    let latin = latin_words();
    let schema = json!({"type": "object", "required": ["s"],
        "properties": {"s": {"type": "string", "x-faker": "lorem.paragraph"}}});
    let mut lorem = 0;
    for seed in 0..10 {
        let v = gen_inline(schema.clone(), seed).expect("value");
        if has_latin(v["s"].as_str().unwrap(), &latin) {
            lorem += 1;
        }
    }
    assert_eq!(lorem, 10);
}

fn address_schema() -> Value {
    json!({"type": "object", "required": ["line1", "city", "state", "postal_code", "country"],
    "properties": {
        "city": {"type": "string"},
        "country": {"type": "string", "maxLength": 2},
        "line1": {"type": "string"},
        "postal_code": {"type": "string"},
        "state": {"type": "string"}
    }})
}

#[test]
fn address_fields_describe_one_place() {
    for seed in 0..50 {
        let v = gen_inline(address_schema(), seed).expect("value");
        assert_eq!(v["country"], json!("US"), "{v}");
        let city = v["city"].as_str().unwrap();
        let state = v["state"].as_str().unwrap();
        let zip = v["postal_code"].as_str().unwrap();
        let town = locale::country("US")
            .unwrap()
            .towns
            .iter()
            .find(|t| t.city == city)
            .unwrap_or_else(|| panic!("{v}"));
        assert_eq!(town.region, state, "{v}");
        assert_eq!(zip.len(), 5, "{v}");
        assert!(zip.starts_with(&town.postcode[..3]), "{v}");
    }
    // A German locale's addresses are in Germany.
    let store = SchemaStore::new();
    for seed in 0..20 {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let o = GenOptions {
            locale: Locale::De,
            ..opts(seed)
        };
        let v = generate_value(&store, &address_schema(), &o, &mut rng).expect("value");
        assert_eq!(v["country"], json!("DE"), "{v}");
        assert_eq!(v["postal_code"].as_str().unwrap().len(), 5, "{v}");
    }
}

#[test]
fn an_example_country_moves_the_address() {
    let schema = json!({"type": "object", "required": ["country", "state", "postal_code", "city"],
    "properties": {
        "country": {"type": "string", "example": "CA"},
        "state": {"type": "string"},
        "postal_code": {"type": "string"},
        "city": {"type": "string"}
    }});
    for seed in 0..20 {
        let v = gen_inline(schema.clone(), seed).expect("value");
        assert_eq!(v["country"], json!("CA"));
        let town = locale::country("CA")
            .unwrap()
            .towns
            .iter()
            .find(|t| t.city == v["city"])
            .unwrap_or_else(|| panic!("{v}"));
        assert_eq!(town.region, v["state"], "{v}");
        assert_eq!(v["postal_code"].as_str().unwrap().len(), 7, "{v}");
    }
    // An unknown country: no region of another country.
    let schema = json!({"type": "object", "required": ["country", "state"],
    "properties": {
        "country": {"type": "string", "example": "Atlantis"},
        "state": {"type": "string"}
    }});
    for seed in 0..20 {
        let v = gen_inline(schema.clone(), seed).expect("value");
        let state = v["state"].as_str().unwrap();
        assert!(
            locale::COUNTRIES
                .iter()
                .flat_map(|c| c.towns)
                .all(|t| t.region != state),
            "{v}"
        );
    }
}

#[test]
fn lifecycle_timestamps_are_ordered() {
    let schema = json!({"type": "object",
    "required": ["deleted_at", "closedAt", "updated_at", "created_at", "canceled_at"],
    "properties": {
        "deleted_at": {"type": "string", "format": "date-time"},
        "closedAt": {"type": "integer"},
        "updated_at": {"type": "string", "format": "date-time"},
        "created_at": {"type": "string", "format": "date-time"},
        "canceled_at": {"type": "integer"}
    }});
    for seed in 0..50 {
        let v = gen_inline(schema.clone(), seed).expect("value");
        let c = v["created_at"].as_str().unwrap();
        let u = v["updated_at"].as_str().unwrap();
        let d = v["deleted_at"].as_str().unwrap();
        assert!(c <= u && u <= d, "{v}");
        let closed = v["closedAt"].as_i64().unwrap();
        assert!(closed > 1_000_000_000, "{v}");
        assert_eq!(closed, v["canceled_at"].as_i64().unwrap(), "{v}");
    }
}

#[test]
fn static_bodies_take_the_first_branch_dynamic_ones_vary() {
    let customer = json!({"type": "object", "required": ["id", "object"],
        "properties": {"id": {"type": "string"}, "object": {"enum": ["customer"]}, "email": {"type": "string"}}});
    let deleted = json!({"type": "object", "required": ["id", "object", "deleted"],
        "properties": {"id": {"type": "string"}, "object": {"enum": ["customer"]}, "deleted": {"enum": [true]}}});
    for keyword in ["anyOf", "oneOf"] {
        let schema = json!({keyword: [customer.clone(), deleted.clone()]});
        let mut deleted_seen = 0;
        for seed in 0..40 {
            let v = gen_inline(schema.clone(), seed).expect("value");
            assert!(v.get("deleted").is_none(), "{keyword} {v}");
            let store = SchemaStore::new();
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let o = GenOptions {
                vary_optional: true,
                ..opts(seed)
            };
            let v = generate_value(&store, &schema, &o, &mut rng).expect("value");
            if v.get("deleted").is_some() {
                deleted_seen += 1;
            }
        }
        // (`oneOf` here always gives a customer: a deleted customer matches both branches.)
        if keyword == "anyOf" {
            assert!(
                deleted_seen > 0,
                "dynamic bodies never took the second branch"
            );
        }
    }
}

#[test]
fn array_items_get_distinct_ids() {
    let schema = json!({"type": "array", "minItems": 5, "items": {"type": "object", "required": ["id"],
        "properties": {"id": {"type": "string", "example": "cus_123"}}}});
    let ints = json!({"type": "array", "minItems": 5, "items": {"type": "object", "required": ["id"],
        "properties": {"id": {"type": "integer"}}}});
    for seed in 0..20 {
        for s in [&schema, &ints] {
            let v = gen_inline(s.clone(), seed).expect("value");
            let ids: Vec<&Value> = v.as_array().unwrap().iter().map(|i| &i["id"]).collect();
            for (i, a) in ids.iter().enumerate() {
                assert!(ids[i + 1..].iter().all(|b| b != a), "{v}");
            }
        }
    }
}

/// Schemas for the plan tests: composition, recursion, choices, maps, patterns.
fn plan_store() -> SchemaStore {
    store(vec![
        (
            "NewPet",
            json!({"type": "object", "required": ["name"], "properties": {
                "name": {"type": "string", "minLength": 1, "maxLength": 40},
                "tag": {"type": "string", "enum": ["dog", "cat", "bird"]},
                "birthDate": {"type": "string", "format": "date"}}}),
        ),
        (
            "Pet",
            json!({"allOf": [{"$ref": "#/$defs/NewPet"}, {"type": "object", "required": ["id"],
                "properties": {
                    "id": {"type": "integer", "minimum": 1, "maximum": i64::MAX, "readOnly": true},
                    "name": {"maxLength": 12},
                    "createdAt": {"type": "string", "format": "date-time"},
                    "owner": {"$ref": "#/$defs/Owner"}}}]}),
        ),
        (
            "Owner",
            json!({"type": "object", "required": ["firstName", "email"], "properties": {
                "firstName": {"type": "string"}, "lastName": {"type": "string"},
                "name": {"type": "string"},
                "email": {"type": "string", "format": "email"},
                "phone": {"type": ["string", "null"]}}}),
        ),
        (
            "Node",
            json!({"type": "object", "required": ["id"], "properties": {
                "id": {"type": "string", "format": "uuid"},
                "parent": {"$ref": "#/$defs/Node"},
                "children": {"type": "array", "items": {"$ref": "#/$defs/Node"}, "maxItems": 3}}}),
        ),
        (
            "Shape",
            json!({"oneOf": [
                {"type": "object", "required": ["kind", "r"], "properties": {
                    "kind": {"const": "circle"}, "r": {"type": "number", "minimum": 0}}},
                {"type": "object", "required": ["kind"], "properties": {
                    "kind": {"type": "string", "not": {"const": "circle"}},
                    "w": {"type": "integer"}}}]}),
        ),
        (
            "Tagged",
            json!({"type": "object", "properties": {
                "code": {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{2}$"},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "extra": {"type": "object", "patternProperties": {"^x_": {"type": "integer"}},
                    "additionalProperties": false},
                "not_null": {"not": {"type": "null"}},
                "either": {"anyOf": [{"type": "string"}, {"$ref": "#/$defs/Owner"}]}}}),
        ),
    ])
}

#[test]
fn plans_give_the_same_values_as_flattening_each_time() {
    let store = plan_store();
    for key in ["Pet", "Owner", "Node", "Shape", "Tagged"] {
        let id = store.id_of_key(key).expect("key");
        for seed in 0..25 {
            for (vary, examples, direction) in [
                (false, true, Direction::Response),
                (true, false, Direction::Response),
                (true, false, Direction::Request),
            ] {
                let o = GenOptions {
                    seed,
                    vary_optional: vary,
                    use_examples: examples,
                    direction,
                    ..GenOptions::default()
                };
                let fresh = plan::Plans::default();
                let cached = generate_planned(&store, id, &o, Some(&fresh)).map(|(v, _)| v);
                // Again with the plans now filled, then without plans at all.
                let again = generate_planned(&store, id, &o, Some(&fresh)).map(|(v, _)| v);
                let uncached = generate_planned(&store, id, &o, None).map(|(v, _)| v);
                assert_eq!(cached, uncached, "{key} seed {seed}");
                assert_eq!(again, uncached, "{key} seed {seed}");
                let v = cached.unwrap_or_else(|e| panic!("{key} seed {seed}: {e}"));
                assert_eq!(
                    store.check_for(id, &v, side(direction)),
                    Ok(()),
                    "{key} {v}"
                );
            }
        }
    }
}

#[test]
fn plans_are_kept_once_per_schema_object_and_object_shape() {
    let store = plan_store();
    let plans = store.memo::<plan::Plans>().expect("the generator's memo");
    let id = store.id_of_key("Node").expect("key");
    let o = GenOptions {
        vary_optional: true,
        ..GenOptions::default()
    };
    for seed in 0..20 {
        generate(&store, id, &GenOptions { seed, ..o.clone() }).expect("node");
    }
    let (flat, objects) = plans.counts();
    // Node's own object, its properties' schemas and the array's items: a handful, however
    // deep the recursion went.
    assert!((1..=8).contains(&flat), "{flat}");
    // Node at the root, and Node behind `{"$ref": Node}` (parent, each child): two shapes.
    assert!((1..=3).contains(&objects), "{objects}");
    // A change to the store starts afresh.
    let mut store = store;
    let id = store.reserve("Later", "#/later".into());
    store.set(id, json!({"type": "string"}));
    let plans = store.memo::<plan::Plans>().expect("memo");
    assert_eq!(plans.counts(), (0, 0));
}

#[test]
fn generation_is_exact_only_for_keywords_it_satisfies_by_construction() {
    let store = plan_store();
    let exact =
        |key: &str, side| plan::is_exact(&store, store.get(store.id_of_key(key).unwrap()), side);
    use crate::schema::Direction as Side;
    assert!(exact("Pet", Side::Response));
    assert!(exact("Owner", Side::Response));
    assert!(exact("Node", Side::Response));
    // A readOnly id in a request: the validator's adaptation decides, not the generator.
    assert!(!exact("Pet", Side::Request));
    assert!(!exact("Shape", Side::Response));
    assert!(!exact("Tagged", Side::Response));
    for schema in [
        json!({"type": "string", "pattern": "^a"}),
        json!({"type": "string", "format": "hostname"}),
        json!({"type": "number", "multipleOf": 0.1}),
        json!({"type": "array", "uniqueItems": true, "items": {"type": "integer"}}),
        json!({"type": "object", "properties": {"p": {"type": "string", "writeOnly": true}}}),
        json!({"type": "integer", "maximum": 1e300}),
        json!({"anyOf": [{"type": "string"}]}),
        json!({"type": "object", "properties": {"a": false}}),
        json!({"$ref": "#/$defs/Missing"}),
        // Malformed keywords: a validator reads them its own way (found by the debug-build
        // check on a fuzzing zoo schema).
        json!({"type": "object", "required": "a"}),
        json!({"type": "object", "required": [1]}),
        json!({"type": "strin"}),
        json!({"type": ["string", 3]}),
        json!({"enum": "a"}),
    ] {
        assert!(!plan::is_exact(&store, &schema, Side::Response), "{schema}");
    }
}

#[test]
fn values_left_unchecked_are_valid_and_others_are_still_checked() {
    let store = plan_store();
    for key in ["Pet", "Owner", "Node"] {
        let id = store.id_of_key(key).expect("key");
        for locale in Locale::ALL {
            for seed in 0..40 {
                let o = GenOptions {
                    seed,
                    locale: *locale,
                    use_examples: false,
                    vary_optional: true,
                    ..GenOptions::default()
                };
                let v = generate(&store, id, &o).expect("value");
                assert_eq!(store.check(id, &v), Ok(()), "{key} {locale} {v}");
            }
        }
    }
    // A schema the generator is not exact for is still validated: a value that the store's
    // validator rejects is never handed out. Here the store's `format: hostname` check is the
    // only thing standing between a long label and the caller.
    let checked = SchemaStore::from_defs(vec![(
        "Host",
        json!({"type": "string", "format": "hostname", "minLength": 70, "maxLength": 70}),
    )]);
    let id = checked.id_of_key("Host").expect("key");
    let o = GenOptions {
        use_examples: false,
        ..GenOptions::default()
    };
    let plans = checked.memo::<plan::Plans>().expect("memo");
    assert!(!plans.exact(&checked, id, crate::schema::Direction::Response));
    if let Ok(v) = generate(&checked, id, &o) {
        assert_eq!(checked.check(id, &v), Ok(()), "{v}");
    }
}

/// What the generator makes for the stored schema `id` on random stream `stream`, before the
/// final validation: the candidate [`generate`] checks.
fn raw_candidate(store: &SchemaStore, id: SchemaId, o: &GenOptions, stream: u64) -> Option<Value> {
    let mut rng = ChaCha8Rng::seed_from_u64(o.seed);
    rng.set_stream(stream);
    let mut gen = Gen::new(store, o, &mut rng);
    gen.plans = store.memo::<plan::Plans>();
    let root = gen.ptrs.root(Seg::Def(store.key(id)));
    gen.root_key = Some(store.key(id));
    gen.generate_root(store.get(id), root).ok()
}

#[test]
fn final_validation_catches_candidates_of_schemas_that_are_not_exact() {
    // Integer bounds past 2^53: the generator works them out in `f64`, so some candidates
    // land a little past `maximum` (9007199254740996 for a maximum of ...995), which the
    // store's validator, comparing exactly, rejects. `is_exact` says no to such bounds, so
    // `generate` checks every candidate and hands out none of the invalid ones.
    let store = SchemaStore::from_defs(vec![
        (
            "BigId",
            json!({"type": "integer", "minimum": 9_007_199_254_740_993_u64,
                   "maximum": 9_007_199_254_740_995_u64}),
        ),
        (
            "Account",
            json!({"type": "object", "required": ["id"], "properties": {
                "id": {"$ref": "#/$defs/BigId"}, "name": {"type": "string"}}}),
        ),
    ]);
    let plans = store.memo::<plan::Plans>().expect("memo");
    for key in ["BigId", "Account"] {
        let mut caught = 0;
        let id = store.id_of_key(key).expect("key");
        assert!(!plans.exact(&store, id, crate::schema::Direction::Response));
        for seed in 0..40 {
            let o = GenOptions {
                seed,
                use_examples: false,
                vary_optional: true,
                ..GenOptions::default()
            };
            let Some(first) = raw_candidate(&store, id, &o, 0) else {
                continue;
            };
            if store.check(id, &first).is_ok() {
                continue;
            }
            caught += 1;
            match generate(&store, id, &o) {
                // Another stream's candidate, checked.
                Ok(v) => {
                    assert_ne!(v, first, "{key} seed {seed}");
                    assert_eq!(store.check(id, &v), Ok(()), "{key} seed {seed}: {v}");
                }
                Err(e) => assert!(
                    e.message.contains("no generated value passed validation"),
                    "{key} seed {seed}: {e}"
                ),
            }
        }
        // The net had something to catch, at the root and inside an object.
        assert!(caught > 0, "{key}: no invalid candidate in 40 tries");
    }
}

#[test]
fn exact_composed_and_nested_schemas_give_values_the_validator_accepts() {
    let store = store(vec![
        (
            "Base",
            json!({"type": "object", "required": ["id", "kind"], "properties": {
                "id": {"type": "integer", "format": "int64", "minimum": 1,
                       "maximum": i64::MAX, "readOnly": true},
                "kind": {"type": "string", "enum": ["a", "b", "c"]},
                "createdAt": {"type": "string", "format": "date-time"},
                "note": {"type": ["string", "null"], "maxLength": 8}}}),
        ),
        (
            "Named",
            json!({"allOf": [{"$ref": "#/$defs/Base"}, {"type": "object",
                "required": ["name"], "properties": {
                    "name": {"type": "string", "minLength": 2, "maxLength": 5},
                    "kind": {"const": "b"},
                    "email": {"type": "string", "format": "email"},
                    "uuid": {"type": "string", "format": "uuid"},
                    "born": {"type": "string", "format": "date"}}}]}),
        ),
        (
            "Deep",
            json!({"allOf": [{"$ref": "#/$defs/Named"}, {"allOf": [{"type": "object",
                "properties": {
                    "name": {"maxLength": 3},
                    "score": {"type": "number", "minimum": -1.5, "exclusiveMaximum": 2},
                    "count": {"type": "integer", "exclusiveMinimum": 0, "maximum": 3},
                    "tags": {"type": "array", "minItems": 1, "maxItems": 3,
                             "items": {"type": "string", "minLength": 1, "maxLength": 4}},
                    "owners": {"type": "array", "maxItems": 2,
                               "items": {"$ref": "#/$defs/Named"}},
                    "labels": {"type": "object",
                               "additionalProperties": {"type": "integer", "minimum": 0}},
                    "fixed": {"type": "object", "additionalProperties": false,
                              "properties": {"on": {"type": "boolean"}}},
                    "parent": {"$ref": "#/$defs/Deep"}}}]}],
                "x-note": "composed three ways"}),
        ),
        (
            "Page",
            json!({"type": "object", "required": ["data", "total"], "properties": {
                "data": {"type": "array", "items": {"$ref": "#/$defs/Deep"}, "maxItems": 4},
                "total": {"type": "integer", "format": "int32", "minimum": 0},
                "next": {"type": "string", "nullable": true}}}),
        ),
    ]);
    let plans = store.memo::<plan::Plans>().expect("memo");
    for key in ["Base", "Named", "Deep", "Page"] {
        let id = store.id_of_key(key).expect("key");
        assert!(
            plans.exact(&store, id, crate::schema::Direction::Response),
            "{key} should be exact in responses"
        );
        for locale in [Locale::En, Locale::De, Locale::Ja] {
            for seed in 0..60 {
                for vary in [false, true] {
                    let o = GenOptions {
                        seed,
                        locale,
                        use_examples: false,
                        vary_optional: vary,
                        ..GenOptions::default()
                    };
                    let v = generate(&store, id, &o).unwrap_or_else(|e| panic!("{key}: {e}"));
                    assert_eq!(
                        store.check_for(id, &v, crate::schema::Direction::Response),
                        Ok(()),
                        "{key} {locale} seed {seed}: {v}"
                    );
                }
            }
        }
    }
}

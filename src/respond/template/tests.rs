//! Unit tests of parsing, rendering and the dynamic variables.

use super::*;
use crate::generate::iban_mod97;
use crate::generate::postman::{MONTHS, WEEKDAYS};
use serde_json::json;

struct Req {
    method: &'static str,
    path: &'static str,
    params: Vec<(String, String)>,
    query: Option<&'static str>,
    headers: http::HeaderMap,
    body: Option<Value>,
}

impl Req {
    fn new() -> Self {
        let mut headers = http::HeaderMap::new();
        headers.insert("x-trace", http::HeaderValue::from_static("abc-123"));
        headers.insert(
            http::header::COOKIE,
            http::HeaderValue::from_static("theme=dark; session=s3cr3t; n=5"),
        );
        Req {
            method: "POST",
            path: "/pets/7",
            params: vec![
                ("petId".into(), "7".into()),
                ("name".into(), "Rex Dog".into()),
            ],
            query: Some("limit=20&tag=a%20b&ids=1&ids=2&flag=true&f=2.5"),
            headers,
            body: Some(json!({
                "name": "Fido",
                "age": 3,
                "tags": ["x", "y"],
                "items": [{"name": "first", "qty": 2}, {"name": "second"}],
                "a/b": {"~c": true},
                "nothing": null
            })),
        }
    }

    fn ctx(&self) -> Context<'_> {
        Context {
            method: self.method,
            path: self.path,
            path_params: &self.params,
            query: self.query,
            headers: &self.headers,
            body: self.body.as_ref(),
            response: None,
        }
    }
}

fn render_with(value: Value, store: &SchemaStore, schema: Option<&Value>) -> Value {
    let (t, errors) = compile(&value).expect("has a template");
    assert!(errors.is_empty(), "{errors:?}");
    let req = Req::new();
    t.render(&req.ctx(), store, schema, 1)
}

fn render(value: Value) -> Value {
    render_with(value, &SchemaStore::new(), None)
}

fn one(expr: &str) -> Value {
    render(Value::String(expr.to_string()))
}

#[test]
fn no_braces_is_none() {
    assert!(compile(&json!({"a": "plain", "b": [1, "x}}"], "c{": 2})).is_none());
    assert!(compile(&json!(3)).is_none());
}

#[test]
fn request_sources() {
    assert_eq!(one("{{request.method}}"), json!("POST"));
    assert_eq!(one("{{request.path}}"), json!("/pets/7"));
    assert_eq!(one("{{request.path.petId}}"), json!("7"));
    assert_eq!(one("{{request.path.name}}"), json!("Rex Dog"));
    assert_eq!(one("{{request.query.limit}}"), json!("20"));
    assert_eq!(one("{{request.query.tag}}"), json!("a b"));
    assert_eq!(one("{{request.header.x-trace}}"), json!("abc-123"));
    assert_eq!(one("{{request.header.X-Trace}}"), json!("abc-123"));
    assert_eq!(one("{{request.headers.X-TRACE}}"), json!("abc-123"));
    assert_eq!(one("{{request.cookie.session}}"), json!("s3cr3t"));
    assert_eq!(one("{{request.cookie.theme}}"), json!("dark"));
    assert_eq!(one("{{request.body.name}}"), json!("Fido"));
    assert_eq!(one("{{request.body}}"), Req::new().body.unwrap());
}

#[test]
fn body_paths_and_pointers() {
    assert_eq!(one("{{request.body.items.0.name}}"), json!("first"));
    assert_eq!(one("{{request.body.items.1.name}}"), json!("second"));
    assert_eq!(one("{{request.body./items/0/name}}"), json!("first"));
    assert_eq!(one("{{request.body/items/1/name}}"), json!("second"));
    assert_eq!(one("{{request.body./a~1b/~0c}}"), json!(true));
    assert_eq!(one("{{request.body.tags}}"), json!(["x", "y"]));
    assert_eq!(
        one("{{request.body.items.0}}"),
        json!({"name": "first", "qty": 2})
    );
    assert_eq!(one("{{request.body.age}}"), json!(3));
    assert_eq!(one("{{request.body.items.5.name}}"), Value::Null);
    assert_eq!(one("{{request.body.items.01}}"), Value::Null);
    assert_eq!(one("{{request.body.name.x}}"), Value::Null);
}

#[test]
fn spaces_and_embedding() {
    assert_eq!(one("{{ request.path.petId }}"), json!("7"));
    assert_eq!(
        one("pet {{request.path.petId}} of {{ request.body.name }}!"),
        json!("pet 7 of Fido!")
    );
    assert_eq!(
        one("age={{request.body.age}} tags={{request.body.tags}}"),
        json!("age=3 tags=[\"x\",\"y\"]")
    );
    assert_eq!(one("{{request.query.ids}}"), json!("1"));
    assert_eq!(one("ids={{request.query.ids}}"), json!("ids=1"));
}

#[test]
fn missing_values() {
    assert_eq!(one("{{request.path.nope}}"), Value::Null);
    assert_eq!(one("{{request.query.nope}}"), Value::Null);
    assert_eq!(one("{{request.header.nope}}"), Value::Null);
    assert_eq!(one("{{request.cookie.nope}}"), Value::Null);
    assert_eq!(one("{{request.body.nope}}"), Value::Null);
    assert_eq!(one("{{request.body.nothing}}"), Value::Null);
    assert_eq!(one("a{{request.path.nope}}b"), json!("ab"));
    assert_eq!(one("a{{request.body.nothing}}b"), json!("ab"));
    assert_eq!(one("[{{request.cookie.nope}}]"), json!("[]"));
    // No body, no query at all.
    let (t, _) = compile(&json!(["{{request.body.x}}", "q={{request.query.a}}"])).unwrap();
    let headers = http::HeaderMap::new();
    let ctx = Context {
        method: "GET",
        path: "/",
        path_params: &[],
        query: None,
        headers: &headers,
        body: None,
        response: None,
    };
    assert_eq!(
        t.render(&ctx, &SchemaStore::new(), None, 0),
        json!([null, "q="])
    );
}

#[test]
fn keys_and_nesting() {
    let out = render(json!({
        "id_{{request.path.petId}}": {"deep": ["{{request.method}}", 1, {"k": "v"}]},
        "{{request.path.nope}}": "empty key",
        "same": "plain"
    }));
    assert_eq!(
        out,
        json!({
            "id_7": {"deep": ["POST", 1, {"k": "v"}]},
            "": "empty key",
            "same": "plain"
        })
    );
}

#[test]
fn typed_by_schema() {
    let store = SchemaStore::new();
    let schema = json!({
        "type": "object",
        "properties": {
            "i": {"type": "integer"},
            "n": {"type": "number"},
            "b": {"type": "boolean"},
            "s": {"type": "string"},
            "arr": {"type": "array", "items": {"type": "integer"}},
            "tuple": {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}]},
            "nullable": {"type": ["integer", "null"]},
            "age_as_string": {"type": "string"},
            "obj": {"type": "object"},
            "bad": {"type": "integer"}
        },
        "additionalProperties": {"type": "integer"}
    });
    let out = render_with(
        json!({
            "i": "{{request.path.petId}}",
            "n": "{{request.query.f}}",
            "b": "{{request.query.flag}}",
            "s": "{{request.path.petId}}",
            "arr": ["{{request.query.limit}}", "{{request.path.petId}}"],
            "tuple": ["{{request.path.petId}}", "{{request.path.petId}}"],
            "nullable": "{{request.query.limit}}",
            "age_as_string": "{{request.body.age}}",
            "obj": "{{request.body.items.0}}",
            "bad": "{{request.path.name}}",
            "extra": "{{request.query.limit}}",
            "embedded": "#{{request.path.petId}}"
        }),
        &store,
        Some(&schema),
    );
    assert_eq!(
        out,
        json!({
            "i": 7,
            "n": 2.5,
            "b": true,
            "s": "7",
            "arr": [20, 7],
            "tuple": ["7", 7],
            "nullable": 20,
            "age_as_string": "3",
            "obj": {"name": "first", "qty": 2},
            "bad": "Rex Dog",
            "extra": 20,
            "embedded": "#7"
        })
    );
}

#[test]
fn typed_through_refs_and_all_of() {
    let store = SchemaStore::from_defs([
        (
            "Pet",
            json!({"allOf": [
                {"$ref": "#/$defs/Base"},
                {"type": "object", "properties": {"tags": {"type": "array", "items": {"$ref": "#/$defs/Id"}}}}
            ]}),
        ),
        (
            "Base",
            json!({"type": "object", "properties": {"id": {"$ref": "#/$defs/Id"}, "owner": {"$ref": "#/$defs/Pet"}}}),
        ),
        ("Id", json!({"type": "integer", "format": "int64"})),
    ]);
    let schema = json!({"$ref": "#/$defs/Pet"});
    let out = render_with(
        json!({
            "id": "{{request.path.petId}}",
            "tags": ["{{request.query.limit}}"],
            "owner": {"id": "{{ request.query.limit }}"},
            "ids": "{{request.query.ids}}"
        }),
        &store,
        Some(&schema),
    );
    assert_eq!(
        out,
        json!({"id": 7, "tags": [20], "owner": {"id": 20}, "ids": "1"})
    );

    // A repeated query parameter fills an array; a comma list too.
    let schema = json!({"type": "object", "properties": {
        "ids": {"type": "array", "items": {"type": "integer"}},
        "csv": {"type": "array", "items": {"type": "integer"}}
    }});
    let out = render_with(
        json!({"ids": "{{request.query.ids}}", "csv": "{{request.body.tags}}"}),
        &store,
        Some(&schema),
    );
    assert_eq!(out, json!({"ids": [1, 2], "csv": ["x", "y"]}));
}

#[test]
fn cyclic_schemas_terminate() {
    let store = SchemaStore::from_defs([
        (
            "A",
            json!({"allOf": [{"$ref": "#/$defs/B"}], "properties": {"x": {"type": "integer"}}}),
        ),
        ("B", json!({"allOf": [{"$ref": "#/$defs/A"}]})),
    ]);
    let schema = json!({"$ref": "#/$defs/A"});
    let out = render_with(
        json!({"x": "{{request.path.petId}}"}),
        &store,
        Some(&schema),
    );
    assert_eq!(out, json!({"x": 7}));
}

#[test]
fn compile_errors_have_pointers() {
    let (t, errors) = compile(&json!({
        "a": "{{$nope}}",
        "b": ["ok", "x {{request.nope.y}}"],
        "c/d": "{{}}",
        "e": "{{request.path.id",
        "f": "{{ {{request.method}} }}",
        "g": "{{$randomemail}}",
        "{{bogus}}": 1,
        "h": "{{request.header.bad name}}",
        "i": "{{request.query}}"
    }))
    .unwrap();
    let joined = errors.join("\n");
    assert!(joined.contains("/a: unknown variable `$nope`"), "{joined}");
    assert!(
        joined.contains("/b/1: unknown request source `nope`"),
        "{joined}"
    );
    assert!(
        joined.contains("/c~1d: empty template expression"),
        "{joined}"
    );
    assert!(
        joined.contains("/e: `{{` without a closing `}}`"),
        "{joined}"
    );
    assert!(joined.contains("/f: `{{` without a closing"), "{joined}");
    assert!(joined.contains("did you mean `$randomEmail`"), "{joined}");
    assert!(
        joined.contains("/{{bogus}}: in the key: unknown template expression"),
        "{joined}"
    );
    assert!(
        joined.contains("/h: `bad name` is not a valid header name"),
        "{joined}"
    );
    assert!(
        joined.contains("/i: `request.query` needs a name"),
        "{joined}"
    );
    assert_eq!(errors.len(), 9, "{joined}");
    let req = Req::new();
    let out = t.render(&req.ctx(), &SchemaStore::new(), None, 0);
    assert_eq!(
        out,
        json!({
            "a": null,
            "b": ["ok", "x "],
            "c/d": null,
            "e": "{{request.path.id",
            "f": "{{ POST }}",
            "g": null,
            "": 1,
            "h": null,
            "i": null
        })
    );
}

#[test]
fn root_string_errors_have_no_pointer() {
    let (_, errors) = compile(&json!("{{$nope}}")).unwrap();
    assert_eq!(errors, vec!["unknown variable `$nope`".to_string()]);
    // Only unbalanced braces: still reported, rendered as written.
    let (t, errors) = compile(&json!({"x": "a {{ b"})).unwrap();
    assert_eq!(errors.len(), 1);
    let req = Req::new();
    assert_eq!(
        t.render(&req.ctx(), &SchemaStore::new(), None, 0),
        json!({"x": "a {{ b"})
    );
}

#[test]
fn braces_edge_cases() {
    assert_eq!(one("{{{request.method}}}"), json!("{POST}"));
    let (t, errors) = compile(&json!("}}{{request.method}}{{")).unwrap();
    assert_eq!(errors.len(), 1);
    let req = Req::new();
    assert_eq!(
        t.render(&req.ctx(), &SchemaStore::new(), None, 0),
        json!("}}POST{{")
    );
    assert_eq!(
        one("{{request.method}}{{request.path}}"),
        json!("POST/pets/7")
    );
    assert_eq!(one("x}}y{{request.method}}"), json!("x}}yPOST"));
}

fn var(name: &str, seed: u64) -> String {
    let (t, errors) = compile(&Value::String(format!("{{{{${name}}}}}"))).unwrap();
    assert!(errors.is_empty(), "{name}: {errors:?}");
    let req = Req::new();
    match t.render(&req.ctx(), &SchemaStore::new(), None, seed) {
        Value::String(s) => s,
        other => panic!("{name}: not a string: {other}"),
    }
}

fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            14 => *c == b'4',
            _ => c.is_ascii_hexdigit(),
        })
}

fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 24
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            19 => *c == b'.',
            23 => *c == b'Z',
            _ => c.is_ascii_digit(),
        })
}

#[test]
fn every_dynamic_variable_is_plausible() {
    assert_eq!(dynamic_variable_names().count(), 118);
    let mut names: Vec<&str> = dynamic_variable_names().collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), 118, "duplicate names");
    for seed in 0..20 {
        for name in dynamic_variable_names() {
            let v = var(name, seed);
            assert!(!v.trim().is_empty(), "${name} is empty");
            let ok = match name {
                "guid" | "randomUUID" => is_uuid(&v),
                "timestamp" => v.len() == 10 && v.bytes().all(|b| b.is_ascii_digit()),
                "isoTimestamp" | "randomDateFuture" | "randomDatePast" | "randomDateRecent" => {
                    is_rfc3339(&v)
                }
                "randomInt" => v.parse::<u32>().is_ok_and(|n| n <= 1000),
                "randomBoolean" => v == "true" || v == "false",
                "randomAlphaNumeric" => {
                    v.len() == 1 && v.bytes().all(|b| b.is_ascii_alphanumeric())
                }
                "randomHexColor" => v.len() == 7 && v.starts_with('#'),
                "randomIP" => v.parse::<std::net::Ipv4Addr>().is_ok(),
                "randomIPV6" => v.parse::<std::net::Ipv6Addr>().is_ok(),
                "randomMACAddress" => v.len() == 17 && v.split(':').count() == 6,
                "randomPassword" => v.len() == 15 && v.bytes().all(|b| b.is_ascii_alphanumeric()),
                "randomLocale" | "randomCountryCode" => v.len() == 2,
                "randomProtocol" => v == "http" || v == "https",
                "randomSemver" => {
                    v.split('.').count() == 3 && v.split('.').all(|p| p.parse::<u32>().is_ok())
                }
                "randomPhoneNumber" => {
                    v.len() == 12 && v.bytes().filter(u8::is_ascii_digit).count() == 10
                }
                "randomPhoneNumberExt" => v.bytes().filter(u8::is_ascii_digit).count() == 12,
                "randomLatitude" => v.parse::<f64>().is_ok_and(|x| (-90.0..=90.0).contains(&x)),
                "randomLongitude" => v
                    .parse::<f64>()
                    .is_ok_and(|x| (-180.0..=180.0).contains(&x)),
                "randomPrice" => {
                    v.parse::<f64>().is_ok_and(|x| (0.0..=1000.0).contains(&x))
                        && v.split('.').nth(1).is_some_and(|d| d.len() == 2)
                }
                "randomBankAccount" => v.len() == 8 && v.bytes().all(|b| b.is_ascii_digit()),
                "randomCreditCardMask" => v.len() == 4 && v.bytes().all(|b| b.is_ascii_digit()),
                "randomBankAccountIban" => {
                    let rearranged = format!("{}{}", &v[4..], &v[..4]);
                    iban_mod97(rearranged.chars()) == 1 && (15..=34).contains(&v.len())
                }
                "randomBankAccountBic" => (8..=11).contains(&v.len()),
                "randomCurrencyCode" => v.len() == 3,
                "randomBitcoin" => {
                    (26..=35).contains(&v.len()) && (v.starts_with('1') || v.starts_with('3'))
                }
                "randomEmail" | "randomExampleEmail" => v.contains('@') && v.contains('.'),
                "randomUrl" => v.starts_with("https://") && v.contains('.'),
                "randomDomainName" => v.contains('.'),
                "randomImageDataUri" => v.starts_with("data:image/svg+xml"),
                "randomMimeType" => v.contains('/'),
                "randomFilePath" | "randomDirectoryPath" => v.starts_with('/'),
                "randomFileName" | "randomCommonFileName" => v.contains('.'),
                "randomWeekday" => WEEKDAYS.contains(&v.as_str()),
                "randomMonth" => MONTHS.contains(&v.as_str()),
                "randomLoremSlug" => v.split('-').count() == 3,
                "randomLoremSentence" => {
                    v.ends_with('.') && v.starts_with(|c: char| c.is_uppercase())
                }
                n if n.ends_with("Image") || n == "randomAvatarImage" => v.starts_with("https://"),
                _ => true,
            };
            assert!(ok, "${name} = {v:?} (seed {seed})");
        }
    }
}

#[test]
fn dates_are_ordered_around_now() {
    let (t, _) = compile(&json!([
        "{{$isoTimestamp}}",
        "{{$randomDatePast}}",
        "{{$randomDateFuture}}",
        "{{$randomDateRecent}}",
        "{{$timestamp}}"
    ]))
    .unwrap();
    let req = Req::new();
    let draw = Draw {
        seed: 5,
        now_ms: 1_700_000_000_123,
        locale: Locale::En,
    };
    let out = t.render_with(&req.ctx(), &SchemaStore::new(), None, draw);
    assert_eq!(out[0], json!("2023-11-14T22:13:20.123Z"));
    let s = |i: usize| out[i].as_str().unwrap().to_string();
    assert!(s(1) < s(0) && s(0) < s(2), "{out}");
    assert!(s(3) < s(0) && s(3).as_str() > "2023-11-13", "{out}");
    assert_eq!(out[4], json!("1700000000"));
}

#[test]
fn reproducible_with_a_seed() {
    let names: Vec<String> = dynamic_variable_names()
        .map(|n| format!("{{{{${n}}}}}"))
        .collect();
    let value = json!({"all": names, "mixed": "id {{$guid}} at {{$isoTimestamp}}"});
    let (t, errors) = compile(&value).unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    let req = Req::new();
    let store = SchemaStore::new();
    let a = t.render(&req.ctx(), &store, None, 42);
    let b = t.render(&req.ctx(), &store, None, 42);
    let c = t.render(&req.ctx(), &store, None, 43);
    assert_eq!(a, b);
    assert_ne!(a, c);
    // Two occurrences of the same variable draw different values.
    let (t, _) = compile(&json!(["{{$guid}}", "{{$guid}}"])).unwrap();
    let out = t.render(&req.ctx(), &store, None, 1);
    assert_ne!(out[0], out[1]);
}

#[test]
fn dynamic_variables_typed_by_schema() {
    let store = SchemaStore::new();
    let schema = json!({"type": "object", "properties": {
        "n": {"type": "integer"},
        "b": {"type": "boolean"},
        "p": {"type": "number"},
        "t": {"type": "integer"},
        "s": {"type": "string"}
    }});
    let out = render_with(
        json!({
            "n": "{{$randomInt}}",
            "b": "{{$randomBoolean}}",
            "p": "{{$randomPrice}}",
            "t": "{{$timestamp}}",
            "s": "{{$randomInt}}"
        }),
        &store,
        Some(&schema),
    );
    assert!(out["n"].is_u64(), "{out}");
    assert!(out["b"].is_boolean(), "{out}");
    assert!(out["p"].is_number(), "{out}");
    assert!(out["t"].is_u64(), "{out}");
    assert!(out["s"].is_string(), "{out}");
}

#[test]
fn garbage_never_panics() {
    let req = Req::new();
    let store = SchemaStore::from_defs([("Loop", json!({"$ref": "#/$defs/Loop"}))]);
    let loop_schema = json!({"$ref": "#/$defs/Loop"});
    let nasty = [
        "{{",
        "}}",
        "{{}}",
        "{{{{}}}}",
        "{{{",
        "}}}",
        "{{ }}",
        "{{$}}",
        "{{request.}}",
        "{{request.body.}}",
        "{{request.body..x}}",
        "{{request.body./}}",
        "{{request.body.//}}",
        "{{request.path.}}",
        "{{request.method.x}}",
        "{{request.header.}}",
        "{{request.header.\u{0}}}",
        "{{request.cookie.=}}",
        "{{é{{ü}}ß}}",
        "{{\u{1F600}}}",
        "{{request.body.18446744073709551616}}",
        "{{request.body.-1}}",
        "a{{b}}c{{d",
        "{{$randomInt}}{{",
        "{{ $guid }}",
        "{{request.query.%ZZ}}",
    ];
    for s in nasty {
        if let Some((t, _)) = compile(&json!(s)) {
            for schema in [None, Some(&loop_schema), Some(&json!({"type": "integer"}))] {
                let _ = t.render(&req.ctx(), &store, schema, 9);
            }
        }
    }
    // Huge strings.
    let huge = "{{".repeat(50_000) + &"}}".repeat(50_000);
    let (t, _) = compile(&json!(huge)).unwrap();
    let _ = t.render(&req.ctx(), &store, None, 0);
    let many = "{{request.method}}".repeat(20_000);
    let (t, _) = compile(&json!(many)).unwrap();
    assert_eq!(
        t.render(&req.ctx(), &store, None, 0)
            .as_str()
            .unwrap()
            .len(),
        80_000
    );
    // Deep JSON.
    let mut deep = json!("{{request.method}}");
    for _ in 0..500 {
        deep = json!([deep]);
    }
    let (t, errors) = compile(&deep).unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(t.render(&req.ctx(), &store, None, 0), deep);
    // Non-UTF-8 header values and odd cookies.
    let mut headers = http::HeaderMap::new();
    headers.insert("x-bin", http::HeaderValue::from_bytes(b"a\xffb").unwrap());
    headers.append("x-bin", http::HeaderValue::from_static("c"));
    headers.insert(
        http::header::COOKIE,
        http::HeaderValue::from_bytes(b";;=;\xff=1; k=\"q\"").unwrap(),
    );
    let ctx = Context {
        method: "GET",
        path: "/",
        path_params: &[],
        query: Some("%%%&&=&a=%ff"),
        headers: &headers,
        body: Some(&json!("not an object")),
        response: None,
    };
    let (t, _) = compile(&json!([
        "{{request.header.x-bin}}",
        "{{request.cookie.k}}",
        "{{request.query.a}}",
        "{{request.body.x}}",
        "{{request.body.0}}"
    ]))
    .unwrap();
    let out = t.render(&ctx, &store, None, 0);
    assert_eq!(out, json!(["a\u{fffd}b, c", "q", "\u{fffd}", null, null]));
}

#[test]
fn render_is_fast() {
    let value = json!({
        "id": "{{request.path.petId}}",
        "name": "{{request.body.name}}",
        "trace": "trace-{{request.header.x-trace}}",
        "a": 1, "b": "two", "c": true, "d": null, "e": [1, 2], "f": {"g": "h"}, "i": 2.5
    });
    let schema = json!({"type": "object", "properties": {"id": {"type": "integer"}}});
    let (t, _) = compile(&value).unwrap();
    let req = Req::new();
    let ctx = req.ctx();
    let store = SchemaStore::new();
    let n = 2_000;
    let start = std::time::Instant::now();
    for seed in 0..n {
        std::hint::black_box(t.render(&ctx, &store, Some(&schema), seed));
    }
    let per = start.elapsed() / n as u32;
    // Generous for debug builds; a release build is a few microseconds.
    assert!(
        per < std::time::Duration::from_micros(200),
        "{per:?} per render"
    );
}

#[test]
fn response_sources_for_callbacks() {
    let (t, errors) = compile(&json!({
        "id": "{{response.body.id}}",
        "first": "{{response.body./items/0}}",
        "at": "{{response.header.location}}",
        "line": "{{response.status}} {{response.body.id}}",
        "status": "{{response.status}}",
    }))
    .unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    let headers = http::HeaderMap::new();
    let answer_headers = [(
        http::header::LOCATION,
        http::HeaderValue::from_static("/orders/9"),
    )];
    let answer = json!({"id": 9, "items": ["a"]});
    let mut ctx = Context {
        method: "POST",
        path: "/orders",
        path_params: &[],
        query: None,
        headers: &headers,
        body: None,
        response: Some(super::ResponseContext {
            status: 201,
            headers: &answer_headers,
            body: Some(&answer),
        }),
    };
    let store = SchemaStore::new();
    assert_eq!(
        t.render(&ctx, &store, None, 0),
        json!({"id": 9, "first": "a", "at": "/orders/9", "line": "201 9", "status": "201"})
    );
    // Rendering an answer itself: nothing to read.
    ctx.response = None;
    assert_eq!(t.render(&ctx, &store, None, 0)["id"], Value::Null);
    for bad in [
        "{{response.nope}}",
        "{{response.body.}}",
        "{{response.header.a b}}",
    ] {
        let (_, errors) = compile(&json!(bad)).unwrap();
        assert_eq!(errors.len(), 1, "{bad}: {errors:?}");
    }
}

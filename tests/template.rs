//! The public template API, used the way the response path uses it: compile an example once,
//! render it per request with the response schema.

use serde_json::{json, Value};
use stubborn::respond::template::{compile, dynamic_variable_names, Context};
use stubborn::schema::SchemaStore;

fn headers() -> http::HeaderMap {
    let mut h = http::HeaderMap::new();
    h.insert("X-Request-Id", http::HeaderValue::from_static("req-9"));
    h
}

#[test]
fn example_rendered_per_request_with_schema_types() {
    let store = SchemaStore::from_defs([
        (
            "Order",
            json!({
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "customer": {"type": "string"},
                    "quantity": {"type": "integer"},
                    "requestId": {"type": "string"},
                    "lines": {"type": "array", "items": {"$ref": "#/$defs/Line"}}
                }
            }),
        ),
        (
            "Line",
            json!({"type": "object", "properties": {"sku": {"type": "string"}, "n": {"type": "number"}}}),
        ),
    ]);
    let schema = json!({"$ref": "#/$defs/Order"});
    let example = json!({
        "id": "{{request.path.orderId}}",
        "customer": "{{request.body.customer.name}}",
        "quantity": "{{request.query.qty}}",
        "requestId": "{{request.header.x-request-id}}",
        "lines": [{"sku": "{{request.body./lines/0/sku}}", "n": "{{request.body.lines.0.n}}"}],
        "note": "Order {{request.path.orderId}} via {{request.method}} {{request.path}}",
        "static": {"untouched": [1, 2, 3]}
    });
    let (template, problems) = compile(&example).expect("the example has templates");
    assert!(problems.is_empty(), "{problems:?}");
    assert!(!template.is_dynamic());

    let params = vec![("orderId".to_string(), "41".to_string())];
    let headers = headers();
    let body = json!({"customer": {"name": "Ada"}, "lines": [{"sku": "A-1", "n": "2.5"}]});
    let ctx = Context {
        method: "PUT",
        path: "/orders/41",
        path_params: &params,
        query: Some("qty=3"),
        headers: &headers,
        body: Some(&body),
        response: None,
    };
    let out = template.render(&ctx, &store, Some(&schema), 0);
    assert_eq!(
        out,
        json!({
            "id": 41,
            "customer": "Ada",
            "quantity": 3,
            "requestId": "req-9",
            "lines": [{"sku": "A-1", "n": 2.5}],
            "note": "Order 41 via PUT /orders/41",
            "static": {"untouched": [1, 2, 3]}
        })
    );
    assert!(store.check(store.id_of_key("Order").unwrap(), &out).is_ok());
}

#[test]
fn plain_examples_are_not_templates() {
    assert!(compile(&json!({"a": "b", "c": [1, {"d": "}} {"}]})).is_none());
}

#[test]
fn dynamic_variables_vary_by_seed_only() {
    let example = Value::Array(
        dynamic_variable_names()
            .map(|n| Value::String(format!("{{{{${n}}}}}")))
            .collect(),
    );
    let (template, problems) = compile(&example).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    assert!(template.is_dynamic());
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
    let store = SchemaStore::new();
    let a = template.render(&ctx, &store, None, 7);
    assert_eq!(a, template.render(&ctx, &store, None, 7));
    assert_ne!(a, template.render(&ctx, &store, None, 8));
    let items = a.as_array().unwrap();
    assert_eq!(items.len(), dynamic_variable_names().count());
    assert!(items
        .iter()
        .all(|v| v.as_str().is_some_and(|s| !s.is_empty())));
}

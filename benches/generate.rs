//! Generation speed for typical 15-field bodies: construction alone (`generate_value`) and
//! with the validation safety net (`generate`).

use criterion::{criterion_group, criterion_main, Criterion};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde_json::json;
use std::hint::black_box;
use stubborn::generate::{generate, generate_value, GenOptions};
use stubborn::schema::SchemaStore;

fn store() -> SchemaStore {
    SchemaStore::from_defs([
        (
            "User",
            json!({
                "type": "object",
                "required": ["id", "firstName", "lastName", "email"],
                "properties": {
                    "id": {"type": "string", "format": "uuid", "readOnly": true},
                    "firstName": {"type": "string", "maxLength": 50},
                    "lastName": {"type": "string", "maxLength": 50},
                    "email": {"type": "string", "format": "email"},
                    "username": {"type": "string", "pattern": "^[a-z0-9_.]{3,30}$"},
                    "phone": {"type": "string"},
                    "avatarUrl": {"type": "string", "format": "uri"},
                    "bio": {"type": "string", "maxLength": 140},
                    "age": {"type": "integer", "minimum": 13, "maximum": 120},
                    "city": {"type": "string"},
                    "country": {"type": "string", "minLength": 2, "maxLength": 2},
                    "company": {"type": "string"},
                    "isActive": {"type": "boolean"},
                    "createdAt": {"type": "string", "format": "date-time", "readOnly": true},
                    "updatedAt": {"type": "string", "format": "date-time", "readOnly": true}
                }
            }),
        ),
        (
            "Order",
            json!({
                "type": "object",
                "required": ["id", "status", "total", "currency", "createdAt"],
                "properties": {
                    "id": {"type": "integer", "minimum": 1},
                    "status": {"type": "string", "enum": ["placed", "approved", "delivered"]},
                    "customerName": {"type": "string"},
                    "customerEmail": {"type": "string", "format": "email"},
                    "sku": {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{4}$"},
                    "quantity": {"type": "integer", "minimum": 1, "maximum": 100},
                    "price": {"type": "number", "multipleOf": 0.01, "exclusiveMinimum": 0},
                    "total": {"type": "number", "minimum": 0, "multipleOf": 0.01},
                    "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
                    "discountPercent": {"type": "number", "minimum": 0, "maximum": 100},
                    "notes": {"type": ["string", "null"], "maxLength": 200},
                    "giftWrap": {"type": "boolean"},
                    "trackingUrl": {"type": "string", "format": "uri"},
                    "createdAt": {"type": "string", "format": "date-time"},
                    "updatedAt": {"type": "string", "format": "date-time"}
                }
            }),
        ),
    ])
}

fn bench(c: &mut Criterion) {
    let store = store();
    for key in ["User", "Order"] {
        let id = store.id_of_key(key).expect("key");
        let schema = store.get(id).clone();
        let opts = GenOptions::default();
        let mut seed = 0u64;
        c.bench_function(&format!("generate_value/{key}"), |b| {
            b.iter(|| {
                seed += 1;
                let mut rng = ChaCha8Rng::seed_from_u64(seed);
                black_box(generate_value(&store, &schema, &opts, &mut rng))
            })
        });
        let mut seed = 0u64;
        c.bench_function(&format!("generate+validate/{key}"), |b| {
            b.iter(|| {
                seed += 1;
                let opts = GenOptions {
                    seed,
                    ..GenOptions::default()
                };
                black_box(generate(&store, id, &opts))
            })
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);

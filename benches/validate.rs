//! Request validation cost: the petstore `Pet` body (valid and invalid), and parameters.
//! `cargo bench --bench validate`

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::path::PathBuf;
use stubborn::compile::{Mock, MockOptions};
use stubborn::model::Method;
use stubborn::runtime::Request;
use stubborn::schema::Direction;

fn spec(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("specs")
        .join(name)
}

fn bench(c: &mut Criterion) {
    let api = stubborn::load::load_file(&spec("petstore.yaml")).expect("petstore loads");
    let new_pet = api.schemas.id_of_key("NewPet").expect("NewPet");
    let pet = api.schemas.id_of_key("Pet").expect("Pet");
    let valid = serde_json::json!({
        "id": 12, "name": "Rex", "tag": "dog", "birthDate": "2020-01-02",
        "createdAt": "2024-05-01T10:00:00Z",
        "owner": {"firstName": "Ada", "lastName": "Lovelace", "email": "ada@example.com", "phone": null}
    });
    let invalid =
        serde_json::json!({"id": "x", "name": "", "tag": "lizard", "owner": {"email": "nope"}});
    let request_validator = api
        .schemas
        .validator_for(pet, Direction::Request)
        .expect("compiles");
    c.bench_function("validate Pet body (valid)", |b| {
        b.iter(|| black_box(request_validator.is_valid(black_box(&valid))))
    });
    c.bench_function("validate Pet body (invalid, all errors)", |b| {
        b.iter(|| black_box(request_validator.iter_errors(black_box(&invalid)).count()))
    });
    let _ = new_pet;

    let mock = Mock::new(api, MockOptions::default());
    let mut headers = http::HeaderMap::new();
    headers.insert(
        http::header::CONTENT_TYPE,
        "application/json".parse().unwrap(),
    );
    let body = serde_json::to_vec(
        &serde_json::json!({"name": "Rex", "tag": "dog", "birthDate": "2020-01-02"}),
    )
    .unwrap();
    c.bench_function("POST /pets: route + validate + answer", |b| {
        b.iter(|| {
            let req = Request::new(Method::Post, "/pets", None, &headers, &body);
            black_box(mock.handle(black_box(&req)))
        })
    });
    let empty = http::HeaderMap::new();
    c.bench_function(
        "GET /pets?limit=20: route + validate + answer (example)",
        |b| {
            b.iter(|| {
                let req = Request::new(Method::Get, "/pets", Some("limit=20"), &empty, &[]);
                black_box(mock.handle(black_box(&req)))
            })
        },
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);

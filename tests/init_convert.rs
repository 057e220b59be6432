//! `stubborn init` and `stubborn convert`, run as a user runs them: the real binary, real files.

mod common;

use common::Binary;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

const TEMPLATES: [&str; 6] = ["blank", "petstore", "todo", "shop", "auth", "webhooks"];

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_stubborn"))
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = bin().args(args).output().expect("run stubborn");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn s(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

/// A throwaway directory under the system's temporary directory.
struct TempDir {
    path: PathBuf,
}

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let path = std::env::temp_dir().join(format!(
            "stubborn-init-convert-{tag}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        TempDir { path }
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path.join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&p, text).unwrap();
        p
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// A `stubborn mock` child on a free port; killed when dropped.
fn run_mock(spec: &Path) -> Binary {
    Binary::mock(&[s(spec)])
}

fn parse_yaml(text: &str) -> Value {
    serde_norway::from_str(text).unwrap_or_else(|e| panic!("not YAML: {e}\n{text}"))
}

// ---------------------------------------------------------------- init

#[test]
fn init_list_names_every_template_with_a_description() {
    let (code, out, err) = run(&["init", "--list"]);
    assert_eq!(code, 0, "{err}");
    for t in TEMPLATES {
        let line = out
            .lines()
            .find(|l| l.split_whitespace().next() == Some(t))
            .unwrap_or_else(|| panic!("{t} is not listed:\n{out}"));
        assert!(line.split_whitespace().count() > 3, "{line}");
    }
}

#[test]
fn every_template_inits_and_checks_without_warnings() {
    let dir = TempDir::new("check");
    for t in TEMPLATES {
        let target = dir.path.join(t);
        let (code, out, err) = run(&["init", "--template", t, s(&target)]);
        assert_eq!(code, 0, "{t}: {err}");
        let spec = target.join("openapi.yaml");
        assert!(spec.is_file(), "{t}");
        assert!(out.contains(&format!("wrote {}", spec.display())), "{out}");
        assert!(
            out.contains(&format!("stubborn mock {}", spec.display())),
            "{out}"
        );
        let (code, out, err) = run(&["check", s(&spec)]);
        assert_eq!(code, 0, "{t}: {err}");
        assert!(out.contains("no warnings"), "{t}:\n{out}");
        assert!(out.contains("scenarios:"), "{t}:\n{out}");
    }
}

#[test]
fn init_defaults_to_the_petstore_in_the_current_directory() {
    let dir = TempDir::new("default");
    let out = bin().arg("init").current_dir(&dir.path).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("next: stubborn mock openapi.yaml"),
        "{stdout}"
    );
    let text = std::fs::read_to_string(dir.path.join("openapi.yaml")).unwrap();
    assert!(text.contains("title: Pet Store"), "{text}");
}

/// A template, and one request to it (method, path, headers) that must answer 2xx.
type Case = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

#[test]
fn templates_serve_over_http() {
    let dir = TempDir::new("serve");
    // (template, method, path, headers): one request each, expecting 2xx.
    let cases: [Case; 6] = [
        ("blank", "GET", "/health", &[]),
        ("petstore", "GET", "/v1/pets/1", &[]),
        ("todo", "GET", "/todos?page=1&pageSize=2", &[]),
        ("shop", "GET", "/api/products", &[]),
        ("auth", "GET", "/users/me", &[("authorization", "Bearer t")]),
        ("webhooks", "GET", "/subscriptions", &[]),
    ];
    let rt = tokio::runtime::Runtime::new().unwrap();
    let client = reqwest::Client::new();
    for (t, method, path, headers) in cases {
        let target = dir.path.join(t);
        let (code, _, err) = run(&["init", "-t", t, s(&target)]);
        assert_eq!(code, 0, "{err}");
        let served = run_mock(&target.join("openapi.yaml"));
        let url = format!("{}{path}", served.base);
        let (status, body) = rt.block_on(async {
            let mut req = client.request(method.parse().unwrap(), &url);
            for (k, v) in headers {
                req = req.header(*k, *v);
            }
            let r = req.send().await.expect("request");
            let status = r.status();
            (status, r.text().await.unwrap())
        });
        assert!(status.is_success(), "{t} {method} {path}: {status} {body}");
        let _: Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{t}: {e}: {body}"));
    }
}

#[test]
fn template_scenarios_answer_over_http() {
    let dir = TempDir::new("scenarios");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let client = reqwest::Client::new();

    run(&["init", "-t", "petstore", s(&dir.path.join("pets"))]);
    let served = run_mock(&dir.path.join("pets/openapi.yaml"));
    rt.block_on(async {
        let r = client
            .get(format!("{}/pets/404", served.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["code"], 404);
        // A templated example: the name comes back from the request body.
        let r = client
            .post(format!("{}/pets", served.base))
            .json(&json!({"name": "Rex", "species": "dog"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["name"], "Rex");
        assert_eq!(body["species"], "dog");
    });
    drop(served);

    run(&["init", "-t", "shop", s(&dir.path.join("shop"))]);
    let served = run_mock(&dir.path.join("shop/openapi.yaml"));
    rt.block_on(async {
        // Orders need a bearer token.
        let r = client
            .get(format!("{}/orders", served.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
        let r = client
            .get(format!("{}/orders", served.base))
            .bearer_auth("t")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let r = client
            .post(format!("{}/payments", served.base))
            .bearer_auth("t")
            .header("prefer", "delay=0")
            .json(
                &json!({"orderId": "ord_1001", "amount": 4597, "currency": "EUR",
                          "card": {"number": "4000000000000002", "expMonth": 12, "expYear": 2031}}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 402);
    });
}

#[test]
fn init_refuses_to_overwrite_without_force() {
    let dir = TempDir::new("overwrite");
    let spec = dir.write("openapi.yaml", "mine\n");
    let (code, _, err) = run(&["init", "-t", "todo", s(&dir.path)]);
    assert_eq!(code, 1);
    assert!(err.contains("already exists"), "{err}");
    assert!(err.contains("--force"), "{err}");
    assert_eq!(std::fs::read_to_string(&spec).unwrap(), "mine\n");
    let (code, _, err) = run(&["init", "-t", "todo", s(&dir.path), "--force"]);
    assert_eq!(code, 0, "{err}");
    assert!(std::fs::read_to_string(&spec)
        .unwrap()
        .contains("title: Todo API"));
}

#[test]
fn init_unknown_template_lists_the_names() {
    let dir = TempDir::new("unknown");
    let (code, _, err) = run(&["init", "--template", "bakery", s(&dir.path)]);
    assert_eq!(code, 1);
    assert!(err.contains("unknown template \"bakery\""), "{err}");
    for t in TEMPLATES {
        assert!(err.contains(t), "{err}");
    }
    assert!(!dir.path.join("openapi.yaml").exists());
}

// ---------------------------------------------------------------- convert

const SWAGGER_PETSTORE: &str = r##"{
  "swagger": "2.0",
  "info": {"title": "Swagger Petstore", "version": "1.0.0", "license": {"name": "MIT"}},
  "host": "petstore.swagger.io",
  "basePath": "/v1",
  "schemes": ["http"],
  "consumes": ["application/json"],
  "produces": ["application/json"],
  "paths": {
    "/pets": {
      "get": {
        "summary": "List all pets",
        "operationId": "listPets",
        "tags": ["pets"],
        "parameters": [
          {"name": "limit", "in": "query", "description": "How many items to return at one time (max 100)",
           "required": false, "type": "integer", "format": "int32", "maximum": 100}
        ],
        "responses": {
          "200": {
            "description": "A paged array of pets",
            "headers": {"x-next": {"type": "string", "description": "A link to the next page of responses"}},
            "schema": {"$ref": "#/definitions/Pets"}
          },
          "default": {"description": "unexpected error", "schema": {"$ref": "#/definitions/Error"}}
        }
      },
      "post": {
        "summary": "Create a pet",
        "operationId": "createPets",
        "tags": ["pets"],
        "parameters": [{"name": "pet", "in": "body", "required": true, "schema": {"$ref": "#/definitions/Pet"}}],
        "responses": {
          "201": {"description": "Null response"},
          "default": {"description": "unexpected error", "schema": {"$ref": "#/definitions/Error"}}
        }
      }
    },
    "/pets/{petId}": {
      "get": {
        "summary": "Info for a specific pet",
        "operationId": "showPetById",
        "tags": ["pets"],
        "parameters": [{"name": "petId", "in": "path", "required": true, "description": "The id of the pet to retrieve", "type": "string"}],
        "responses": {
          "200": {"description": "Expected response to a valid request", "schema": {"$ref": "#/definitions/Pet"},
                  "examples": {"application/json": {"id": 1, "name": "Tom", "tag": null}}},
          "default": {"description": "unexpected error", "schema": {"$ref": "#/definitions/Error"}}
        }
      }
    }
  },
  "definitions": {
    "Pet": {
      "type": "object",
      "required": ["id", "name"],
      "properties": {
        "id": {"type": "integer", "format": "int64"},
        "name": {"type": "string", "example": "Tom"},
        "tag": {"type": "string", "x-nullable": true}
      }
    },
    "Pets": {"type": "array", "items": {"$ref": "#/definitions/Pet"}},
    "Error": {
      "type": "object",
      "required": ["code", "message"],
      "properties": {"code": {"type": "integer", "format": "int32"}, "message": {"type": "string"}}
    }
  }
}
"##;

const OPENAPI_30: &str = r##"openapi: 3.0.3
info: {title: Thermostat, version: "2"}
paths:
  /rooms/{room}:
    get:
      parameters:
        - name: room
          in: path
          required: true
          schema: {type: string, example: kitchen}
      responses:
        '200':
          description: the reading
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Reading'}
components:
  schemas:
    Reading:
      type: object
      required: [celsius, humidity]
      properties:
        celsius:
          type: number
          minimum: -40
          exclusiveMinimum: true
          maximum: 60
          exclusiveMaximum: false
          example: 21.5
        humidity:
          type: integer
          minimum: 0
          maximum: 100
          exclusiveMaximum: true
        label:
          type: string
          nullable: true
          enum: [cold, fine, hot]
        note:
          nullable: true
          allOf:
            - $ref: '#/components/schemas/Note'
        previous:
          $ref: '#/components/schemas/Reading'
    Note:
      type: object
      properties:
        text: {type: string}
"##;

#[test]
fn convert_swagger_petstore_to_31() {
    let dir = TempDir::new("swagger");
    let input = dir.write("swagger.json", SWAGGER_PETSTORE);
    let (code, out, err) = run(&["convert", s(&input), "--to", "openapi-3.1"]);
    assert_eq!(code, 0, "{err}");
    let doc = parse_yaml(&out);
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["info"]["title"], "Swagger Petstore");
    assert_eq!(doc["servers"][0]["url"], "http://petstore.swagger.io/v1");
    let pet = &doc["components"]["schemas"]["Pet"];
    assert_eq!(pet["properties"]["tag"]["type"], json!(["string", "null"]));
    assert_eq!(pet["properties"]["name"]["examples"], json!(["Tom"]));
    assert!(pet["properties"]["name"].get("example").is_none(), "{pet}");
    assert_eq!(
        doc["paths"]["/pets"]["post"]["requestBody"]["content"]["application/json"]["schema"]
            ["$ref"],
        "#/components/schemas/Pet"
    );
    assert_eq!(
        doc["paths"]["/pets/{petId}"]["get"]["responses"]["200"]["content"]["application/json"]
            ["example"]["name"],
        "Tom"
    );
    // The output loads, and says what it is.
    let output = dir.write("openapi.yaml", &out);
    let (code, report, err) = run(&["check", s(&output)]);
    assert_eq!(code, 0, "{err}");
    assert!(report.contains("OpenAPI 3.1.0"), "{report}");
    assert!(report.contains("3 operations"), "{report}");
    assert!(report.contains("no warnings"), "{report}");
}

#[test]
fn convert_30_rewrites_nullable_bounds_and_examples() {
    let dir = TempDir::new("openapi30");
    let input = dir.write("api.yaml", OPENAPI_30);
    let output = dir.path.join("out/api-3.1.yaml");
    let (code, _, err) = run(&["convert", s(&input), "-o", s(&output)]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("wrote"), "{err}");
    let text = std::fs::read_to_string(&output).unwrap();
    let doc = parse_yaml(&text);
    assert_eq!(doc["openapi"], "3.1.0");
    let props = &doc["components"]["schemas"]["Reading"]["properties"];
    assert_eq!(
        props["celsius"],
        json!({"type": "number", "exclusiveMinimum": -40, "maximum": 60, "examples": [21.5]})
    );
    assert_eq!(
        props["humidity"],
        json!({"type": "integer", "minimum": 0, "exclusiveMaximum": 100})
    );
    assert_eq!(
        props["label"],
        json!({"type": ["string", "null"], "enum": ["cold", "fine", "hot", null]})
    );
    assert_eq!(
        props["note"],
        json!({"anyOf": [{"allOf": [{"$ref": "#/components/schemas/Note"}]}, {"type": "null"}]})
    );
    assert_eq!(
        props["previous"],
        json!({"$ref": "#/components/schemas/Reading"})
    );
    assert_eq!(
        doc["paths"]["/rooms/{room}"]["get"]["parameters"][0]["schema"],
        json!({"type": "string", "examples": ["kitchen"]})
    );
    assert!(!text.contains("nullable"), "{text}");
    let (code, report, err) = run(&["check", s(&output)]);
    assert_eq!(code, 0, "{err}");
    assert!(report.contains("OpenAPI 3.1.0"), "{report}");
    assert!(report.contains("no warnings"), "{report}");
    // The same answers as the original.
    let a = run(&["example", s(&input), "GET", "/rooms/kitchen", "--seed", "3"]);
    let b = run(&[
        "example",
        s(&output),
        "GET",
        "/rooms/kitchen",
        "--seed",
        "3",
    ]);
    assert_eq!(a.0, 0, "{}", a.2);
    assert_eq!(a.1, b.1);
}

#[test]
fn convert_writes_json_for_a_json_file() {
    let dir = TempDir::new("json");
    let input = dir.write("api.yaml", OPENAPI_30);
    let output = dir.path.join("x.json");
    let (code, out, err) = run(&["convert", s(&input), "-o", s(&output)]);
    assert_eq!(code, 0, "{err}");
    assert!(out.is_empty(), "{out}");
    let text = std::fs::read_to_string(&output).unwrap();
    assert!(text.starts_with("{\n"), "{text}");
    let doc: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(doc["openapi"], "3.1.0");
    let (code, _, err) = run(&["check", s(&output)]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn convert_refuses_other_targets() {
    let dir = TempDir::new("target");
    let input = dir.write("api.yaml", OPENAPI_30);
    let (code, out, err) = run(&["convert", s(&input), "--to", "openapi-4"]);
    assert_eq!(code, 1);
    assert!(out.is_empty(), "{out}");
    assert!(err.contains("openapi-4"), "{err}");
    assert!(err.contains("openapi-3.1"), "{err}");
}

#[test]
fn convert_reports_a_broken_document_like_check() {
    let dir = TempDir::new("broken");
    let input = dir.write(
        "broken.yaml",
        "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/Missing'}\n",
    );
    let output = dir.path.join("out.yaml");
    let (code, _, err) = run(&["convert", s(&input), "-o", s(&output)]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("#/components/schemas/Missing"), "{err}");
    assert!(!output.exists());
}

#[test]
fn convert_leaves_a_31_document_as_it_is() {
    let input = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("specs/todo-3.1.yaml");
    let (code, out, err) = run(&["convert", s(&input)]);
    assert_eq!(code, 0, "{err}");
    let original = parse_yaml(&std::fs::read_to_string(&input).unwrap());
    assert_eq!(parse_yaml(&out), original);
}

#[test]
fn convert_bundles_a_multi_file_document() {
    let input = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("specs/multi-file/openapi.yaml");
    let dir = TempDir::new("bundle");
    let output = dir.path.join("bundled.yaml");
    let (code, _, err) = run(&["convert", s(&input), "-o", s(&output)]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("bundled"), "{err}");
    let text = std::fs::read_to_string(&output).unwrap();
    let doc = parse_yaml(&text);
    // Every reference is now inside the document.
    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    if k == "$ref" {
                        out.push(x.as_str().unwrap_or_default().to_string());
                    }
                    refs(x, out);
                }
            }
            Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(!all.is_empty());
    assert!(all.iter().all(|r| r.starts_with("#/")), "{all:?}");
    // `Book: {$ref: schemas/book.yaml}` keeps its name.
    assert_eq!(doc["components"]["schemas"]["Book"]["type"], "object");
    // Written in another directory, it still loads and answers as the original does.
    let (code, report, err) = run(&["check", s(&output)]);
    assert_eq!(code, 0, "{err}");
    assert!(report.contains("2 operations"), "{report}");
    let a = run(&["example", s(&input), "GET", "/books/9780441172719"]);
    let b = run(&["example", s(&output), "GET", "/books/9780441172719"]);
    assert_eq!(a.0, 0, "{}", a.2);
    assert_eq!(a.1, b.1);
}

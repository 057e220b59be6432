//! A drop-in for Prism users, the rendering side (issue 12, items 2, 3, 4 and 9): string
//! examples of non-JSON types are the body, static bodies show every declared property, XML
//! root elements carry the document's names, and integers have no size limit unless a format
//! sets one. Each test serves a small fixture of its own from tests/fixtures/prism/.

mod common;

use common::{client, fixture, TestServer};
use serde_json::{json, Value};
use stubborn::compile::MockOptions;
use stubborn::server::HttpOptions;

fn serve(name: &str) -> TestServer {
    serve_with(name, MockOptions::default())
}

fn serve_with(name: &str, options: MockOptions) -> TestServer {
    TestServer::start_at(
        &fixture(&format!("prism/{name}")),
        options,
        HttpOptions::default(),
    )
}

/// Status, `Content-Type` and body text of a GET.
async fn get(s: &TestServer, path: &str, accept: &str) -> (u16, String, String) {
    let r = client()
        .get(s.url(path))
        .header("accept", accept)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let ct = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, ct, r.text().await.unwrap())
}

async fn get_json(s: &TestServer, path: &str, headers: &[(&str, &str)]) -> (u16, Value) {
    let mut req = client().get(s.url(path));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

// --- item 2: a string example of a type JSON cannot express is the body ---

#[tokio::test]
async fn string_examples_of_non_json_media_types_are_sent_unchanged() {
    let s = serve("render-strings.yaml");
    for (accept, body) in [
        (
            "application/xml",
            "<project><name>stubborn &amp; co</name><stars>3</stars></project>",
        ),
        (
            "text/xml",
            "<?xml version=\"1.0\"?>\n<project name=\"stubborn\"/>",
        ),
        (
            "application/atom+xml",
            "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>news</title></feed>",
        ),
        ("text/plain", "stubborn <3 tests"),
        ("text/html", "<p>stubborn &amp; co</p>"),
        ("text/csv", "name,stars\nstubborn,3\n"),
        ("application/octet-stream", "raw <bytes> & more"),
    ] {
        let (status, ct, text) = get(&s, "/project", accept).await;
        assert_eq!(status, 200, "{accept}");
        assert_eq!(ct, accept);
        assert_eq!(text, body, "{accept}");
    }
    // JSON keeps its object, and a JSON string stays a JSON string.
    let (_, _, text) = get(&s, "/project", "application/json").await;
    assert_eq!(text, r#"{"name":"stubborn","stars":3}"#);
    let (_, ct, text) = get(&s, "/project/name", "application/json").await;
    assert_eq!(ct, "application/json");
    assert_eq!(text, r#""stubborn <3""#);
}

#[tokio::test]
async fn a_schema_example_string_is_the_body_and_objects_are_still_written_as_xml() {
    let s = serve("render-strings.yaml");
    let (status, _, text) = get(&s, "/schema-example", "application/xml").await;
    assert_eq!(status, 200);
    assert_eq!(text, "<status>ok</status>");
    // Without any example, the generated object is serialised as XML (escaped as XML must).
    let (_, _, text) = get(&s, "/generated", "application/xml").await;
    assert_eq!(
        text,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <Project><name>a&lt;b</name><stars>3</stars></Project>"
    );
}

// --- item 3: optional properties in static and dynamic bodies ---

#[tokio::test]
async fn static_bodies_show_every_declared_property() {
    for seed in 0..12 {
        let s = serve_with(
            "render-optional.yaml",
            MockOptions {
                seed,
                ..MockOptions::default()
            },
        );
        let (status, v) = get_json(&s, "/profile", &[]).await;
        assert_eq!(status, 200);
        for key in ["name", "email", "nickname"] {
            assert!(v["owner"].get(key).is_some(), "seed {seed}: {v}");
        }
        for key in ["street", "city", "postcode", "country"] {
            assert!(v["address"].get(key).is_some(), "seed {seed}: {v}");
        }
        // Items of a list in an envelope, and the objects in them, are whole too.
        let (_, v) = get_json(&s, "/people", &[]).await;
        assert!(v["next"].is_string(), "seed {seed}: {v}");
        for item in v["data"].as_array().unwrap() {
            for key in ["id", "name", "title", "home", "manager"] {
                assert!(item.get(key).is_some(), "seed {seed}: {item}");
            }
            for key in ["street", "city", "postcode", "country"] {
                assert!(item["home"].get(key).is_some(), "seed {seed}: {item}");
            }
        }
    }
}

#[tokio::test]
async fn a_recursive_schema_shows_once_and_static_bodies_are_reproducible() {
    let s = serve("render-optional.yaml");
    let (_, v) = get_json(&s, "/employees/1", &[]).await;
    for key in ["id", "name", "title", "home", "manager"] {
        assert!(v.get(key).is_some(), "{v}");
    }
    for key in ["id", "name", "title", "home"] {
        assert!(v["manager"].get(key).is_some(), "{v}");
    }
    assert!(v["manager"].get("manager").is_none(), "{v}");
    // The same seed gives the same bytes, in another server too.
    let again = serve("render-optional.yaml");
    for path in ["/profile", "/people", "/employees/1"] {
        let a = get(&s, path, "application/json").await.2;
        let b = get(&again, path, "application/json").await.2;
        assert_eq!(a, b, "{path}");
    }
}

#[tokio::test]
async fn dynamic_bodies_keep_the_top_levels_whole() {
    let s = serve("render-optional.yaml");
    let mut seen = std::collections::HashSet::new();
    for i in 0..10 {
        let seed = format!("seed={i}");
        for prefer in ["dynamic=true", seed.as_str()] {
            let (status, v) = get_json(&s, "/profile", &[("prefer", prefer)]).await;
            assert_eq!(status, 200);
            for (object, keys) in [
                ("owner", &["name", "email", "nickname"][..]),
                ("address", &["street", "city", "postcode", "country"][..]),
            ] {
                for key in keys {
                    assert!(v[object].get(*key).is_some(), "{prefer}: {v}");
                }
            }
            seen.insert(v.to_string());
        }
    }
    assert!(
        seen.len() > 10,
        "dynamic bodies vary: {} distinct",
        seen.len()
    );
}

// --- item 4: XML root names ---

#[tokio::test]
async fn xml_root_elements_are_named_by_the_document() {
    let s = serve("render-xml-root.yaml");
    for (path, expected) in [
        ("/inline", "<root><id>7</id></root>"),
        ("/inline-named", "<project><id>7</id></project>"),
        ("/component", "<Pet><id>1</id><name>Tom</name></Pet>"),
        ("/component-named", "<tag><label>cute</label></tag>"),
        (
            "/component-described",
            "<Pet><id>1</id><name>Tom</name></Pet>",
        ),
        (
            "/inline-list",
            "<root><tag><label>cute</label></tag></root>",
        ),
        ("/example", "<root><id>9</id></root>"),
    ] {
        let (status, ct, text) = get(&s, path, "application/xml").await;
        assert_eq!((status, ct.as_str()), (200, "application/xml"), "{path}");
        assert_eq!(
            text,
            format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{expected}"),
            "{path}"
        );
    }
}

// --- item 9: big integers ---

#[tokio::test]
async fn integers_without_a_format_have_no_size_limit() {
    let s = serve("render-bigint.yaml");
    let big = "861354194739989839872";
    for path in [
        format!("/big/{big}"),
        format!("/big/-{big}?n={big}"),
        format!("/big/1?n=-{big}"),
        "/big/1?long=9223372036854775807&floor=-9223372036854775808".to_string(),
        "/big/1?floor=-9223372036854775808".to_string(),
    ] {
        let (status, v) = get_json(&s, &path, &[]).await;
        assert_eq!(status, 200, "{path}: {v}");
    }
    let (status, v) = get_json(&s, "/big/abc", &[]).await;
    assert_eq!(status, 422, "{v}");
    assert_eq!(v["errors"][0]["message"], "must be an integer, got \"abc\"");
}

#[tokio::test]
async fn int32_and_int64_still_bound_integers() {
    let s = serve("render-bigint.yaml");
    for (query, message) in [
        (
            "small=861354194739989839872",
            "must be <= 2147483647, got 861354194739989839872",
        ),
        (
            "long=861354194739989839872",
            "must be <= 9223372036854775807, got 861354194739989839872",
        ),
        (
            "long=9223372036854775808",
            "must be <= 9223372036854775807, got 9223372036854775808",
        ),
        (
            "long=-9223372036854775809",
            "must be >= -9223372036854775808",
        ),
        (
            "floor=-9223372036854775809",
            "must be >= -9223372036854775808",
        ),
    ] {
        let (status, v) = get_json(&s, &format!("/big/1?{query}"), &[]).await;
        assert_eq!(status, 422, "{query}: {v}");
        let got = v["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(got.starts_with(message), "{query}: {got}");
    }
}

#[tokio::test]
async fn json_bodies_take_big_integers_too() {
    let s = serve("render-bigint.yaml");
    let post = |body: &'static str| {
        client()
            .post(s.url("/numbers"))
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let r = post(r#"{"n": 861354194739989839872, "long": 9223372036854775807}"#)
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    for body in [
        r#"{"long": 861354194739989839872}"#,
        r#"{"long": -9223372036854777856}"#,
        r#"{"small": 2147483648}"#,
        r#"{"n": 1.5}"#,
    ] {
        let r = post(body).await.unwrap();
        assert_eq!(r.status(), 422, "{body}");
        let v: Value = r.json().await.unwrap();
        assert!(v["errors"].as_array().is_some_and(|e| e.len() == 1), "{v}");
    }
    let r = post(r#"{"n": 861354194739989839872}"#).await.unwrap();
    let v: Value = r.json().await.unwrap();
    assert_eq!(v, json!({"ok": true}));
}

//! Postman's dynamic variables (`{{$randomFirstName}}`, ...) in a served example, over HTTP
//! from the real binary: `--locale` decides the language of names, towns and companies, and
//! `--seed` makes a run repeatable.

mod common;

use common::{client, Binary, TempDir};
use fake::locales::{Data, DE_DE, EN};
use serde_json::Value;

/// A spec whose one example is ten first names, a last name, a city and a company, all drawn.
fn spec(dir: &TempDir) -> String {
    let names: Vec<&str> = (0..10).map(|_| "{{$randomFirstName}}").collect();
    let doc = serde_json::json!({
        "openapi": "3.1.0",
        "info": {"title": "people", "version": "1"},
        "paths": {"/people": {"get": {"responses": {"200": {
            "description": "people",
            "content": {"application/json": {"example": {
                "firstNames": names,
                "lastName": "{{$randomLastName}}",
                "city": "{{$randomCity}}",
                "company": "{{$randomCompanyName}}",
                "id": "{{$guid}}"
            }}}
        }}}}}
    });
    let path = dir.0.join("people.json");
    std::fs::write(&path, doc.to_string()).expect("write spec");
    path.to_string_lossy().into_owned()
}

async fn people(args: &[&str]) -> Value {
    let server = Binary::mock(args);
    let res = client()
        .get(server.url("/people"))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 200);
    res.json().await.expect("json body")
}

fn first_names(body: &Value) -> Vec<String> {
    body["firstNames"]
        .as_array()
        .expect("firstNames")
        .iter()
        .map(|v| v.as_str().expect("a string").to_string())
        .collect()
}

#[tokio::test]
async fn locale_and_seed_decide_postman_variables() {
    let dir = TempDir::new("postman-vars");
    let spec = spec(&dir);
    let german = people(&[&spec, "--seed", "7", "--locale", "de"]).await;
    let again = people(&[&spec, "--seed", "7", "--locale", "de"]).await;
    let english = people(&[&spec, "--seed", "7", "--locale", "en"]).await;

    // Same seed and locale, same bytes, in another process.
    assert_eq!(german, again);

    // German first names come from the German table, English ones from the English table.
    let de = first_names(&german);
    assert!(
        de.iter()
            .all(|n| DE_DE::NAME_FIRST_NAME.contains(&n.as_str())),
        "{de:?}"
    );
    assert!(
        de.iter()
            .any(|n| !EN::NAME_FIRST_NAME.contains(&n.as_str())),
        "{de:?}"
    );
    let en = first_names(&english);
    assert!(
        en.iter().all(|n| EN::NAME_FIRST_NAME.contains(&n.as_str())),
        "{en:?}"
    );
    assert_ne!(german, english);
    let last = german["lastName"].as_str().expect("lastName");
    assert!(DE_DE::NAME_LAST_NAME.contains(&last), "{last}");
    // The draws are not all the same person.
    assert!(de.iter().any(|n| *n != de[0]), "{de:?}");
}

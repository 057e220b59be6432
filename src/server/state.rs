//! Stateful mode at the HTTP edge: the stateful step for mock requests (the store is the one
//! await), and the admin API's `/__stubborn/state` (read, load fixtures, empty) and the
//! store's part of `POST /__stubborn/reset` (back to the seed).

use super::HttpOptions;
use crate::compile::Mock;
use crate::model::Method;
use crate::respond::problem::Problem;
use crate::runtime::state::{plan, Plan};
use crate::runtime::{Answer, Request};
use crate::state::store::{scope_key, split_scope};
use crate::state::{self, Refusal, Resource, Seed, Store};
use bytes::Bytes;
use http::header::{HeaderMap, HeaderValue, CONTENT_TYPE};
use serde_json::{json, Map, Value};

/// One mock request in stateful mode: the store's answer for a resource's operation, the
/// stateless pipeline's for anything else.
#[allow(clippy::too_many_arguments)]
pub(super) async fn answer(
    mock: &Mock,
    store: &Store,
    http: &HttpOptions,
    method: &http::Method,
    path: &str,
    query: Option<&str>,
    headers: &HeaderMap,
    body: &[u8],
) -> Answer {
    let parsed = Method::parse(method.as_str()).filter(|m| *m != Method::Options);
    let planned = match parsed {
        Some(m) => plan(mock, &Request::new(m, path, query, headers, body)),
        None => Plan::Stateless,
    };
    match (planned, parsed) {
        (Plan::Stateless, _) | (_, None) => {
            super::handle(mock, http, method, path, query, headers, body)
        }
        (Plan::Done(answer), _) => answer,
        (Plan::Act(action), Some(m)) => {
            let mut answer = action.run(mock, store).await;
            // The operation's callbacks, as the stateless pipeline adds them.
            let req = Request::new(m, path, query, headers, body);
            answer.callbacks = crate::runtime::callbacks_after(mock, &req, &answer);
            answer
        }
    }
}

/// The seed of `mock`'s resources (`--seed-items`, `--seed`).
pub fn initial(mock: &Mock) -> Seed {
    match &mock.resources {
        Some(r) => state::seed(
            &mock.api.schemas,
            r,
            mock.options.seed_items,
            mock.options.seed,
            mock.options.locale,
        ),
        None => Seed::default(),
    }
}

fn json_answer(status: u16, value: &Value) -> Answer {
    let mut a = Answer::empty(status);
    a.headers
        .push((CONTENT_TYPE, HeaderValue::from_static("application/json")));
    a.body = Bytes::from(serde_json::to_vec(value).unwrap_or_default());
    a
}

fn refused(r: Refusal) -> Answer {
    Answer::problem(&Problem::new(r.status, r.title, r.detail))
}

/// `GET|PUT|DELETE /__stubborn/state[/RESOURCE]`; `rest` is what follows `/state`.
pub(super) async fn admin(
    mock: &Mock,
    store: Option<&Store>,
    method: &http::Method,
    rest: &str,
    body: &[u8],
) -> Answer {
    let (Some(store), Some(resources)) = (store, mock.resources.as_ref()) else {
        return Answer::problem(&Problem::new(
            404,
            "Not Stateful",
            "stateful mode is off: start with --stateful (or mark operations x-stubborn-stateful: true)",
        ));
    };
    let name = rest.trim_start_matches('/');
    let resource = if name.is_empty() {
        None
    } else {
        match resources.by_name(name) {
            Some((_, r)) => Some(r),
            None => {
                let names: Vec<&str> = resources.list.iter().map(|r| r.name.as_str()).collect();
                return Answer::problem(
                    &Problem::new(
                        404,
                        "Not Found",
                        format!("no resource {name}; the resources are {}", names.join(", ")),
                    )
                    .with("resources", Value::from(names)),
                );
            }
        }
    };
    match (method.as_str(), resource) {
        ("GET", None) => match store.dump(None).await {
            Ok(scopes) => {
                let list: Vec<Value> = resources
                    .list
                    .iter()
                    .map(|r| {
                        let count: usize = scopes
                            .iter()
                            .filter(|(s, _)| split_scope(s).0 == r.name)
                            .map(|(_, items)| items.len())
                            .sum();
                        json!({
                            "name": r.name,
                            "collection": r.collection,
                            "item": r.item,
                            "idProperty": r.id_property,
                            "count": count,
                        })
                    })
                    .collect();
                json_answer(200, &json!({ "store": store.kind(), "resources": list }))
            }
            Err(r) => refused(r),
        },
        ("GET", Some(r)) => match store.dump(Some(&r.name)).await {
            Ok(scopes) => {
                let mut all = Vec::new();
                let mut by_path = Map::new();
                for (scope, items) in scopes {
                    all.extend(items.iter().cloned());
                    by_path.insert(split_scope(&scope).1.to_string(), Value::from(items));
                }
                json_answer(
                    200,
                    &json!({ "name": r.name, "count": all.len(), "items": all, "scopes": by_path }),
                )
            }
            Err(r) => refused(r),
        },
        ("DELETE", r) => match store
            .load(r.map(|r| r.name.as_str()), &Seed::default())
            .await
        {
            Ok(()) => Answer::empty(204),
            Err(r) => refused(r),
        },
        ("PUT", Some(r)) => {
            let fixtures = match fixtures(mock, r, body) {
                Ok(f) => f,
                Err(detail) => {
                    return Answer::problem(&Problem::new(422, "Unprocessable Content", detail))
                }
            };
            match store.load(Some(&r.name), &fixtures).await {
                Ok(()) => Answer::empty(204),
                Err(r) => refused(r),
            }
        }
        _ => Answer::problem(&Problem::new(
            405,
            "Method Not Allowed",
            "/__stubborn/state takes GET and DELETE; /__stubborn/state/RESOURCE takes GET, PUT and DELETE",
        )),
    }
}

/// The store's part of `POST /__stubborn/reset`: back to the seed.
pub(super) async fn reset(mock: &Mock, store: &Store) -> Result<(), Answer> {
    store.load(None, &initial(mock)).await.map_err(refused)
}

/// A fixtures body for one resource: an array of items (a top-level collection), or an object
/// of collection paths to arrays (`{"/owners/1/pets": [...]}`); each item checked against the
/// item schema. Items without an id get the next ones.
fn fixtures(mock: &Mock, r: &Resource, body: &[u8]) -> Result<Seed, String> {
    let bad = |detail: String| detail;
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        bad(format!(
            "the body must be JSON: an array of {} items: {e}",
            r.name
        ))
    })?;
    let scopes: Vec<(String, Vec<Value>)> = match value {
        Value::Array(items) if r.parents.is_empty() => vec![(r.collection.clone(), items)],
        Value::Array(_) => {
            return Err(bad(format!(
                "{} is nested under {}: send an object of collection paths to arrays of items",
                r.name, r.collection
            )))
        }
        Value::Object(m) => {
            let mut out = Vec::new();
            for (path, items) in m {
                let Value::Array(items) = items else {
                    return Err(bad(format!("{path}: expected an array of items")));
                };
                if !matches_template(&r.collection, &path) {
                    return Err(bad(format!("{path} is not a path of {}", r.collection)));
                }
                out.push((path, items));
            }
            out
        }
        _ => return Err(bad(format!("expected an array of {} items", r.name))),
    };
    let store = &mock.api.schemas;
    let mut seed = Seed::default();
    let mut next: u64 = 0;
    let mut taken = Vec::new();
    for (_, items) in &scopes {
        for item in items {
            if let Some(n) = state::key_in(r, item).and_then(|k| k.parse::<u64>().ok()) {
                next = next.max(n);
            }
        }
    }
    for (path, items) in scopes {
        let scope = scope_key(&r.name, &path);
        for (i, mut item) in items.into_iter().enumerate() {
            let key = match state::key_in(r, &item) {
                Some(k) => k,
                None => {
                    next += 1;
                    let (k, id) = state::nth_id(r, mock.options.seed, next);
                    if let (Some(p), Value::Object(m)) = (&r.id_property, &mut item) {
                        m.insert(p.clone(), id);
                    }
                    k
                }
            };
            if let Err(errors) = store.check(r.item_schema, &item) {
                return Err(bad(format!(
                    "{path} item {i}: not a {} item: {}",
                    r.name,
                    errors.join("; ")
                )));
            }
            if taken.contains(&(scope.clone(), key.clone())) {
                return Err(bad(format!("{path} item {i}: the id {key} is there twice")));
            }
            taken.push((scope.clone(), key.clone()));
            seed.items.push((scope.clone(), key, item));
        }
    }
    seed.counters.push((state::counter_key(r), next));
    Ok(seed)
}

/// Does a concrete path fit a template (`/owners/1/pets` and `/owners/{ownerId}/pets`)?
fn matches_template(template: &str, path: &str) -> bool {
    let t: Vec<&str> = template.split('/').collect();
    let p: Vec<&str> = path.split('/').collect();
    t.len() == p.len()
        && t.iter()
            .zip(&p)
            .all(|(t, p)| (t.starts_with('{') && !p.is_empty()) || t == p)
}

//! Runs every GET operation of real-world specs through the pipeline and checks each answer
//! against the contract: a documented status, a documented media type, and a body that
//! validates against that response's schema. Not a test (the corpus is not in the repo):
//!
//!     cargo run --release --example corpus -- ../shared/corpus/github/api.github.com.json ...

use serde_json::Value;
use std::time::Instant;
use stubborn::compile::{Mock, MockOptions};
use stubborn::model::{Method, ParamIn};
use stubborn::respond::negotiate;

fn main() {
    let mut total_fail = 0;
    let seeds: u64 = std::env::var("SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    for path in std::env::args().skip(1) {
        let t = Instant::now();
        let _loaded_once = match stubborn::load::load_file(std::path::Path::new(&path)) {
            Ok(api) => api.operations.len(),
            Err(e) => {
                println!("{path}: DOES NOT LOAD\n{e}");
                total_fail += 1;
                continue;
            }
        };
        let loaded = t.elapsed();
        for seed in 0..seeds {
            let mock = Mock::new(
                api_clone_hack(&path),
                MockOptions {
                    seed,
                    validate: stubborn::compile::ValidateMode::Off,
                    ..Default::default()
                },
            );
            let (mut ok, mut fail, mut skipped, mut authored) = (0, 0, 0, 0);
            for (i, op) in mock.api.operations.iter().enumerate() {
                if op.method != Method::Get {
                    continue;
                }
                let mut p = op.path.clone();
                for param in op.parameters.iter().filter(|x| x.location == ParamIn::Path) {
                    let v = param
                        .examples
                        .first()
                        .map(|e| e.value.clone())
                        .or_else(|| {
                            param.schema.and_then(|id| {
                                stubborn::generate::generate(
                                    &mock.api.schemas,
                                    id,
                                    &Default::default(),
                                )
                                .ok()
                            })
                        })
                        .unwrap_or(Value::String("x".into()));
                    let text = match v {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    let enc = percent_encoding::utf8_percent_encode(
                        &text,
                        percent_encoding::NON_ALPHANUMERIC,
                    )
                    .to_string();
                    p = p.replace(&format!("{{{}}}", param.name), &enc);
                }
                let answer = mock.answer(Method::Get, &p, None);
                let routed_here = matches!(mock.router.route(Method::Get, &p), stubborn::route::Routed::Found { operation, .. } if operation == i);
                if !routed_here {
                    // Another template claims the same concrete path (e.g. a literal sibling).
                    skipped += 1;
                    continue;
                }
                let problem = check(&mock, i, &answer);
                match problem {
                    None => ok += 1,
                    Some(msg) if msg.starts_with("AUTHOR EXAMPLE") => {
                        authored += 1;
                        if std::env::var("SHOW_AUTHORED").is_ok() {
                            println!("  AUTHORED GET {p}: {msg}");
                        }
                    }
                    Some(msg) => {
                        fail += 1;
                        if fail <= 8 {
                            println!("  FAIL GET {p} ({}): {msg}", op.path);
                        }
                    }
                }
            }
            total_fail += fail;
            if std::env::var("ALL_RESPONSES").is_ok() {
                let (n, bad, causes) = all_responses(&mock, seed);
                println!(
                    "  every response body: {n} generated, {} valid ({:.2}%), {bad} not",
                    n - bad,
                    if n == 0 {
                        100.0
                    } else {
                        100.0 * (n - bad) as f64 / n as f64
                    }
                );
                for c in causes.iter().take(12) {
                    println!("    {c}");
                }
            }
            println!(
                "{path} seed {seed}: {} ops, loaded in {loaded:?}; GET ok {ok}, fail {fail}, author examples that contradict their schema {authored}, skipped {skipped}; total {:?}",
                mock.api.operations.len(),
                t.elapsed()
            );
        }
    }
    if total_fail > 0 {
        std::process::exit(1);
    }
}

/// Generates every response body of every operation that has a JSON schema (no examples, so
/// the generator alone is judged) and validates it. Returns (count, failures, causes).
fn all_responses(mock: &Mock, seed: u64) -> (usize, usize, Vec<String>) {
    use stubborn::generate::{generate, GenOptions};
    let (mut n, mut bad, mut causes) = (0, 0, Vec::new());
    for op in &mock.api.operations {
        for r in &op.responses {
            for m in &r.content {
                let Some(schema) = m.schema else { continue };
                if !negotiate::is_json(&m.media_type) && !m.media_type.contains('*') {
                    continue;
                }
                n += 1;
                let opts = GenOptions {
                    seed,
                    use_examples: false,
                    ..GenOptions::default()
                };
                let problem = match generate(&mock.api.schemas, schema, &opts) {
                    Err(e) => Some(format!("cannot generate: {e}")),
                    Ok(v) => mock
                        .api
                        .schemas
                        .check(schema, &v)
                        .err()
                        .map(|e| format!("invalid: {}", e.join("; "))),
                };
                if let Some(p) = problem {
                    bad += 1;
                    let mut p = p;
                    p.truncate(300);
                    causes.push(format!(
                        "{} {} {} {}: {p}",
                        op.method, op.path, r.status, m.media_type
                    ));
                }
            }
        }
    }
    (n, bad, causes)
}

/// Each seed gets its own freshly loaded model (the Mock owns it).
fn api_clone_hack(path: &str) -> stubborn::model::Api {
    stubborn::load::load_file(std::path::Path::new(path)).expect("loaded once already")
}

fn check(mock: &Mock, i: usize, answer: &stubborn::runtime::Answer) -> Option<String> {
    let op = mock.operation(i);
    let Some(resp) = op.responses.iter().find(|r| r.status.covers(answer.status)) else {
        let body = String::from_utf8_lossy(&answer.body);
        return Some(format!(
            "undocumented status {}: {}",
            answer.status,
            &body[..body.len().min(300)]
        ));
    };
    let ct = answer
        .headers
        .iter()
        .find(|(n, _)| n == http::header::CONTENT_TYPE)
        .and_then(|(_, v)| v.to_str().ok());
    let Some(ct) = ct else {
        return if answer.body.is_empty() {
            None
        } else {
            Some("body without content-type".into())
        };
    };
    let Some(media) = resp.content.iter().find(|m| {
        let (a, b) = negotiate::essence(&m.media_type);
        let (c, d) = negotiate::essence(ct);
        (a == c || a == "*") && (b == d || b == "*")
    }) else {
        return Some(format!("undocumented media type {ct}"));
    };
    let schema = media.schema?;
    if !negotiate::is_json(ct) {
        return None;
    }
    let body: Value = match serde_json::from_slice(&answer.body) {
        Ok(v) => v,
        Err(e) => return Some(format!("not JSON: {e}")),
    };
    match mock.api.schemas.check(schema, &body) {
        Ok(()) => None,
        Err(errors) => Some(format!(
            "{}{} violation(s): {}",
            if media.examples.is_empty() {
                ""
            } else {
                "AUTHOR EXAMPLE: "
            },
            errors.len(),
            errors
                .iter()
                .take(3)
                .cloned()
                .collect::<Vec<_>>()
                .join(" | ")
        )),
    }
}

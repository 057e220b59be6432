//! How much of the generated data is lorem ipsum? For every GET operation of each document
//! given, the body of its first 2xx JSON response is generated from the schema alone (the
//! document's examples ignored, as for an API whose examples are missing), over a few seeds,
//! and every string value in it is classified: filler (every word from the Latin lorem list,
//! or words strung together because nothing in the name, description or document says what
//! the string holds, as `stubborn example --explain` reports), or something that says what it
//! is. Not a test (the corpus is not in the repository):
//!
//!     cargo run --release --example lorem -- ../shared/corpus/stripe/*.yaml ...
//!
//! `SEEDS=n` sets the seeds (3 by default); `SAMPLES=n` prints n lorem values per document
//! with the property they were generated for, to see what is still guessed badly.

use serde_json::Value;
use std::collections::{BTreeMap, HashSet};
use stubborn::generate::{Direction, GenOptions};
use stubborn::model::{Method, StatusKey};
use stubborn::respond::negotiate;

fn main() {
    let seeds: u64 = env_number("SEEDS", 3);
    let samples: usize = env_number("SAMPLES", 0) as usize;
    // The filler list, less the words that are English too ("a", "in", "error"...).
    let latin: HashSet<&str> = <fake::locales::EN as fake::locales::Data>::LOREM_WORD
        .iter()
        .copied()
        .filter(|w| !["a", "in", "error", "id", "at", "ad", "ex"].contains(w))
        .collect();
    let (mut all_strings, mut all_lorem) = (0usize, 0usize);
    println!(
        "{:<60} {:>8} {:>8} {:>7}",
        "document", "strings", "lorem", "share"
    );
    for path in std::env::args().skip(1) {
        let api = match stubborn::load::load_file(std::path::Path::new(&path)) {
            Ok(api) => api,
            Err(e) => {
                println!("{path}: does not load: {e}");
                continue;
            }
        };
        let (mut strings, mut lorem) = (0usize, 0usize);
        let mut seen_samples: BTreeMap<String, String> = BTreeMap::new();
        for op in api.operations.iter().filter(|o| o.method == Method::Get) {
            let Some(schema) = op
                .responses
                .iter()
                .filter(|r| matches!(r.status, StatusKey::Code(200..=299) | StatusKey::Range(2)))
                .flat_map(|r| r.content.iter())
                .find(|m| negotiate::is_json(&m.media_type))
                .and_then(|m| m.schema)
            else {
                continue;
            };
            for seed in 0..seeds {
                let opts = GenOptions {
                    seed,
                    direction: Direction::Response,
                    use_examples: false,
                    transient_check: true,
                    ..GenOptions::default()
                };
                let Ok((value, reasons)) =
                    stubborn::generate::generate_explained(&api.schemas, schema, &opts)
                else {
                    continue;
                };
                walk(&value, "", &mut |_, _| strings += 1);
                // Filler: Latin, or words the generator strung together because nothing said
                // what the string holds (`--explain` says "filler").
                let filler: HashSet<&str> = reasons
                    .iter()
                    .filter(|(_, why)| why.starts_with("filler"))
                    .map(|(p, _)| p.as_str())
                    .collect();
                walk_pointers(&value, String::new(), &mut |pointer, at, s| {
                    if is_lorem(s, &latin) || filler.contains(pointer) {
                        lorem += 1;
                        if seen_samples.len() < samples {
                            seen_samples
                                .entry(at.to_string())
                                .or_insert_with(|| s.to_string());
                        }
                    }
                });
            }
        }
        let name: String = path
            .chars()
            .rev()
            .take(60)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        println!(
            "{name:<60} {strings:>8} {lorem:>8} {:>6.1}%",
            percent(lorem, strings)
        );
        for (at, s) in &seen_samples {
            println!("    {at}: {s:?}");
        }
        all_strings += strings;
        all_lorem += lorem;
    }
    println!(
        "{:<60} {all_strings:>8} {all_lorem:>8} {:>6.1}%",
        "all",
        percent(all_lorem, all_strings)
    );
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

/// Every string in `v` (object keys aside), with the path of the property it sits in.
fn walk(v: &Value, at: &str, f: &mut impl FnMut(&str, &str)) {
    match v {
        Value::String(s) => f(at, s),
        Value::Array(items) => {
            for item in items {
                walk(item, &format!("{at}[]"), f);
            }
        }
        Value::Object(map) => {
            for (k, item) in map {
                walk(item, &format!("{at}.{k}"), f);
            }
        }
        _ => {}
    }
}

/// Every string in `v` with its JSON pointer and its property path.
fn walk_pointers(v: &Value, pointer: String, f: &mut impl FnMut(&str, &str, &str)) {
    fn go(v: &Value, pointer: &mut String, at: &mut String, f: &mut impl FnMut(&str, &str, &str)) {
        match v {
            Value::String(s) => f(pointer, at, s),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let (pl, al) = (pointer.len(), at.len());
                    pointer.push_str(&format!("/{i}"));
                    at.push_str("[]");
                    go(item, pointer, at, f);
                    pointer.truncate(pl);
                    at.truncate(al);
                }
            }
            Value::Object(map) => {
                for (k, item) in map {
                    let (pl, al) = (pointer.len(), at.len());
                    pointer.push('/');
                    pointer.push_str(&k.replace('~', "~0").replace('/', "~1"));
                    at.push('.');
                    at.push_str(k);
                    go(item, pointer, at, f);
                    pointer.truncate(pl);
                    at.truncate(al);
                }
            }
            _ => {}
        }
    }
    let mut pointer = pointer;
    go(v, &mut pointer, &mut String::new(), f);
}

/// Pure lorem ipsum: at least one word, and every word from the Latin filler list.
fn is_lorem(s: &str, latin: &HashSet<&str>) -> bool {
    let mut words = s
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .peekable();
    words.peek().is_some() && words.all(|w| latin.contains(w.as_str()))
}

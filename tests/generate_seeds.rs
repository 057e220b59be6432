//! A fixed-seed property test: thousands of seeds over every component schema of the specs in
//! specs/ (which together use every keyword the generator supports), each value validated by
//! the jsonschema crate on the side it was generated for. Zero invalid values allowed.

use std::path::PathBuf;
use stubborn::generate::{generate, Direction, GenOptions};

const SEEDS: u64 = 1500;

#[test]
fn thousands_of_seeds_never_give_an_invalid_value() {
    let mut checked = 0usize;
    let mut failures = Vec::new();
    for name in [
        "schema-zoo.yaml",
        "petstore.yaml",
        "todo-3.1.yaml",
        "validation.yaml",
        "scenarios.yaml",
    ] {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("specs")
            .join(name);
        let api = stubborn::load::load_file(&path).expect("spec loads");
        let store = &api.schemas;
        for id in store.ids() {
            for seed in 0..SEEDS {
                for (direction, side) in [
                    (Direction::Response, stubborn::schema::Direction::Response),
                    (Direction::Request, stubborn::schema::Direction::Request),
                ] {
                    let opts = GenOptions {
                        seed,
                        direction,
                        use_examples: seed % 2 == 0,
                        ..GenOptions::default()
                    };
                    match generate(store, id, &opts) {
                        Ok(v) => {
                            checked += 1;
                            if let Err(e) = store.check_for(id, &v, side) {
                                failures.push(format!(
                                    "{name} {} seed {seed} {direction:?}: {e:?}\n  {v}",
                                    store.key(id)
                                ));
                            }
                        }
                        Err(e) => failures.push(format!(
                            "{name} {} seed {seed} {direction:?}: {e}",
                            store.key(id)
                        )),
                    }
                }
            }
        }
    }
    assert!(checked > 100_000, "only {checked} values checked");
    assert!(
        failures.is_empty(),
        "{} of {checked} failed:\n{}",
        failures.len(),
        failures
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

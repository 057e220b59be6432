fn main() {
    for p in std::env::args().skip(1) {
        let t = std::time::Instant::now();
        match stubborn::load::load_file(std::path::Path::new(&p)) {
            Ok(api) => {
                println!(
                    "{p}: OK {} ops, {} schemas, {} warnings, {:?}",
                    api.operations.len(),
                    api.schemas.len(),
                    api.warnings.len(),
                    t.elapsed()
                );
                for w in api.warnings.iter().take(4) {
                    println!("  warn {w}");
                }
            }
            Err(e) => println!(
                "{p}: ERR {}\n{}",
                e.0.len(),
                e.0.iter()
                    .take(5)
                    .map(|x| x.to_string())
                    .collect::<Vec<_>>()
                    .join("\n")
            ),
        }
    }
}

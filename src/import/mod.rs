//! `stubborn import`: recorded traffic into an OpenAPI 3.1 document.
//!
//! The reading is the loader's ([`crate::load::har`]: HAR 1.2 → OpenAPI 3.1, with schemas from
//! [`crate::load::infer`]), so `stubborn mock traffic.har` serves what this command writes.
//!
//! - [`yaml`]: the YAML writer (strings quoted so YAML 1.1 tools read them back as strings).

pub mod yaml;

use crate::cli::ImportArgs;
use crate::load::har;
use std::process::ExitCode;

pub fn run(args: &ImportArgs) -> Result<ExitCode, String> {
    let input = args.input.display().to_string();
    let text =
        std::fs::read_to_string(&args.input).map_err(|e| format!("cannot read {input}: {e}"))?;
    let value = crate::load::source::parse_document(&text)
        .map_err(|e| format!("{input}: not a HAR file: {e}"))?;
    let imported = har::import(&value).map_err(|e| format!("{input}: {e}"))?;
    for w in &imported.warnings {
        eprintln!("warning: {input}: {w}");
    }
    let as_json = args.output.as_ref().is_some_and(|p| {
        p.extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    });
    let mut out = if as_json {
        serde_json::to_string_pretty(&imported.document).map_err(|e| e.to_string())?
    } else {
        yaml::to_yaml(&imported.document)
    };
    if !out.ends_with('\n') {
        out.push('\n');
    }
    match &args.output {
        Some(path) => std::fs::write(path, &out)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?,
        None => {
            use std::io::Write;
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(out.as_bytes())
                .and_then(|_| stdout.flush())
                .map_err(|e| format!("cannot write to standard output: {e}"))?;
        }
    }
    eprintln!("{}", summary(&input, &imported));
    if let Some(path) = &args.output {
        eprintln!("wrote {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// `traffic.har: 10 entries → 6 operations on 4 paths from 8 exchanges (7 examples); skipped 1
/// static asset, 1 CORS preflight`.
fn summary(input: &str, i: &har::Imported) -> String {
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut s = format!(
        "{input}: {} → {} on {} from {} ({})",
        plural(i.entries, "entry", "entries"),
        plural(i.operations, "operation", "operations"),
        plural(i.paths, "path", "paths"),
        plural(i.exchanges, "exchange", "exchanges"),
        plural(i.examples, "example", "examples"),
    );
    if !i.skipped.is_empty() {
        let parts: Vec<String> = i.skipped.iter().map(|(w, n)| format!("{n} {w}")).collect();
        s.push_str("; skipped ");
        s.push_str(&parts.join(", "));
    }
    s
}

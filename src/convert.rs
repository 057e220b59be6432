//! `stubborn convert`: the document as stubborn understood it, written as OpenAPI 3.1 (or 3.2)
//! in YAML or JSON. The conversion itself is the loader's ([`crate::load::bundle`]), which the
//! server's `/spec` uses too.

pub use crate::load::bundle::{convert_file, convert_file_to, Conversion, ConvertError, Target};

use crate::cli::ConvertArgs;
use crate::load::bundle::{TARGETS, TARGETS_32};
use std::path::Path;
use std::process::ExitCode;

pub fn run(args: &ConvertArgs) -> Result<ExitCode, ConvertError> {
    let Some(target) = Target::parse(&args.to) else {
        return Err(ConvertError::Other(format!(
            "cannot convert to \"{}\": the supported targets are {} and {} (--to {})",
            args.to, TARGETS[0], TARGETS_32[0], TARGETS[0]
        )));
    };
    // Broken input gets the usual load errors (and exit code 2) before anything is written.
    crate::load::load_file(&args.spec)?;
    let conversion = convert_file_to(&args.spec, target)?;
    let format = match &args.output {
        Some(p) => OutputFormat::of(p),
        None => OutputFormat::Yaml,
    };
    let text = render(&conversion, format, &args.spec, target)?;
    for note in &conversion.notes {
        eprintln!("note: {note}");
    }
    match &args.output {
        Some(path) => {
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent).map_err(|e| {
                    ConvertError::Other(format!("cannot create {}: {e}", parent.display()))
                })?;
            }
            std::fs::write(path, text).map_err(|e| {
                ConvertError::Other(format!("cannot write {}: {e}", path.display()))
            })?;
            eprintln!(
                "wrote {} (OpenAPI {} from {}, {})",
                path.display(),
                target.version(),
                conversion.source_format,
                conversion.summary()
            );
        }
        None => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())
                .and_then(|_| out.flush())
                .map_err(|e| ConvertError::Other(format!("cannot write the output: {e}")))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum OutputFormat {
    Yaml,
    Json,
}

impl OutputFormat {
    /// JSON for `.json`, YAML otherwise (`.yaml`, `.yml` or anything else).
    fn of(path: &Path) -> Self {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("json") => OutputFormat::Json,
            _ => OutputFormat::Yaml,
        }
    }
}

fn render(
    c: &Conversion,
    format: OutputFormat,
    spec: &Path,
    target: Target,
) -> Result<String, ConvertError> {
    match format {
        OutputFormat::Json => serde_json::to_string_pretty(&c.document)
            .map(|mut s| {
                s.push('\n');
                s
            })
            .map_err(|e| ConvertError::Other(format!("cannot write JSON: {e}"))),
        OutputFormat::Yaml => {
            let body = serde_norway::to_string(&c.document)
                .map_err(|e| ConvertError::Other(format!("cannot write YAML: {e}")))?;
            let name = spec
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| spec.display().to_string());
            Ok(format!(
                "# {name} ({}) as stubborn understands it, written as OpenAPI {} by `stubborn convert`.\n{body}",
                c.source_format,
                target.version()
            ))
        }
    }
}

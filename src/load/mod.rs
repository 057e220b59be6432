//! Load: files in, [`Api`](crate::model::Api) out. Knows file formats and `$ref`s, nothing of HTTP.
//!
//! Every input format ends in the same model. Errors carry the file, the JSON pointer, and what
//! was expected and found; loading collects every problem it can instead of stopping at the
//! first.

pub mod bundle;
pub mod har;
pub mod infer;
mod openapi;
mod postman;
mod saved;
pub mod source;
mod swagger2;

use crate::model::Api;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// A problem that stops a document from loading: where (file and JSON pointer) and what.
///
/// ```
/// let err = stubborn::MockServer::builder()
///     .spec_text("openapi: 3.1.0\npaths: []")
///     .start_blocking()
///     .unwrap_err();
/// let stubborn::Error::Load(errors) = err else { panic!("{err}") };
/// let first: &stubborn::LoadError = &errors.0[0];
/// assert_eq!(first.file, "the document");
/// assert!(!first.message.is_empty());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    /// The file (or, for a document given as text, its name).
    pub file: String,
    /// JSON pointer into `file` (empty for the whole file).
    pub pointer: String,
    /// What was expected and what was found.
    pub message: String,
}

impl LoadError {
    pub fn new(
        file: impl Into<String>,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        LoadError {
            file: file.into(),
            pointer: pointer.into(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.pointer.is_empty() {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(f, "{}#{}: {}", self.file, self.pointer, self.message)
        }
    }
}

/// All the problems found while loading one document (loading goes on past the first), one
/// `error: ...` line each when displayed.
///
/// ```
/// let err = stubborn::MockServer::start_blocking("/no/such/file.yaml").unwrap_err();
/// let stubborn::Error::Load(errors) = err else { panic!("{err}") };
/// assert!(errors.to_string().starts_with("error: /no/such/file.yaml"), "{errors}");
/// ```
#[derive(Debug)]
pub struct LoadErrors(pub Vec<LoadError>);

impl std::fmt::Display for LoadErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "error: {e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadErrors {}

impl From<LoadError> for LoadErrors {
    fn from(e: LoadError) -> Self {
        LoadErrors(vec![e])
    }
}

/// What loading needs besides the document.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// Variables of a Postman environment (`--environment`): they fill `{{name}}`s in a
    /// collection and win over its own variables, as in Postman.
    pub environment: Vec<(String, String)>,
}

/// Loads an API description from a file, following relative `$ref`s to other files under the
/// same directory.
pub fn load_file(path: &Path) -> Result<Api, LoadErrors> {
    load_file_with_paths(path, &LoadOptions::default()).0
}

/// [`load_file`] with options, and the files it read (canonical paths: the root and every file
/// reached through `$ref`, as far as loading got), for `mock --watch`.
pub fn load_file_with_paths(
    path: &Path,
    options: &LoadOptions,
) -> (Result<Api, LoadErrors>, Vec<PathBuf>) {
    let (sources, root) = match source::Sources::open(path) {
        Ok(opened) => opened,
        Err(e) => return (Err(e.into()), Vec::new()),
    };
    let mut files = Vec::new();
    let result = load_sources(sources, root, &mut files, options);
    // In-memory documents (a HAR file's conversion) have names, not paths.
    files.retain(|f| f.is_absolute());
    (result, files)
}

/// Loads an API description from text (JSON or YAML); `name` is used in messages.
pub fn load_str(name: &str, text: &str) -> Result<Api, LoadErrors> {
    let value = source::parse_document(text).map_err(|m| LoadError::new(name, "", m))?;
    let (sources, root) = source::Sources::from_value(name, value);
    load_sources(sources, root, &mut Vec::new(), &LoadOptions::default())
}

/// A Postman environment export (`{"values": [{"key", "value", "enabled"}]}`) as variables.
pub fn read_environment(path: &Path) -> Result<Vec<(String, String)>, LoadErrors> {
    let (sources, root) = source::Sources::open(path)?;
    let file = sources.display(root);
    let doc = sources.value(root);
    let Some(Value::Array(values)) = doc.get("values") else {
        return Err(LoadError::new(
            file,
            "",
            format!(
                "expected a Postman environment (an object with a `values` array), found {}",
                describe(doc)
            ),
        )
        .into());
    };
    Ok(values
        .iter()
        .filter(|v| v.get("enabled").and_then(Value::as_bool) != Some(false))
        .filter_map(|v| {
            let key = v.get("key").and_then(Value::as_str)?;
            let value = match v.get("value") {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Null) | None => String::new(),
                Some(other) => other.to_string(),
            };
            Some((key.to_string(), value))
        })
        .collect())
}

/// Loads the document `root`; `files` receives the paths read (see [`source::Sources::paths`]).
fn load_sources(
    sources: source::Sources,
    root: source::FileId,
    files: &mut Vec<PathBuf>,
    options: &LoadOptions,
) -> Result<Api, LoadErrors> {
    files.extend(sources.paths().map(Path::to_path_buf));
    let doc = sources.value(root);
    let file = sources.display(root);
    let Some(obj) = doc.as_object() else {
        return Err(LoadError::new(
            file,
            "",
            format!(
                "expected an OpenAPI document (an object with an `openapi` field), found {}",
                describe(doc)
            ),
        )
        .into());
    };
    if let Some(v) = obj.get("openapi") {
        let version = v
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| v.to_string());
        if version.starts_with("3.0") || version.starts_with("3.1") || version.starts_with("3.2") {
            return openapi::build(sources, root, &version, files);
        }
        return Err(LoadError::new(
            file,
            "/openapi",
            format!("expected OpenAPI version 3.0.x or 3.1.x or 3.2.x, found {version}"),
        )
        .into());
    }
    if obj.contains_key("swagger") {
        let version = obj
            .get("swagger")
            .map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| v.to_string())
            })
            .unwrap_or_default();
        let converted = swagger2::to_openapi30(doc, &file)?;
        let mut sources = sources;
        sources.replace(root, converted);
        let mut api = openapi::build(sources, root, "3.0.3", files)?;
        api.format = format!("Swagger {version} (converted to OpenAPI 3.0)");
        return Ok(api);
    }
    if postman::is_postman(doc) {
        let version = postman::version(doc);
        let converted = postman::to_openapi31(doc, &file, &options.environment)?;
        let mut sources = sources;
        sources.replace(root, converted);
        let mut api = openapi::build(sources, root, "3.1.0", files)?;
        api.format = format!("Postman Collection v{version} (converted to OpenAPI 3.1)");
        return Ok(api);
    }
    if har::is_har(doc) {
        // Recorded traffic (HAR): served as the OpenAPI document `stubborn import` writes.
        let spec = har::har_to_openapi(doc).map_err(|m| LoadError::new(&file, "", m))?;
        let (sources, root) = source::Sources::from_value(&file, spec);
        let mut api = load_sources(sources, root, files, options)?;
        api.format = "HAR (imported as OpenAPI 3.1)".into();
        return Ok(api);
    }
    Err(LoadError::new(file, "", not_a_known_format(doc)).into())
}

/// The message for a document in none of the formats stubborn reads: each format tried, and
/// why it did not fit.
fn not_a_known_format(doc: &Value) -> String {
    let postman = postman::why_not(doc).unwrap_or_default();
    format!(
        "this is not a document stubborn can serve. Tried: OpenAPI 3.x (no `openapi` field at \
         the top level); Swagger 2.0 (no `swagger` field); Postman Collection v1/v2 ({postman}); \
         HAR (no `log.entries` array)"
    )
}

/// The root document as an OpenAPI 3 `Value` (a Swagger 2.0 document converted to OpenAPI 3.0
/// exactly as on load) and the format it was written in (`"Swagger 2.0"`, `"OpenAPI 3.0.3"`).
/// Files the root references are not read. For `stubborn convert`.
pub fn document_as_openapi3(path: &Path) -> Result<(Value, String), LoadErrors> {
    let (sources, root) = source::Sources::open(path)?;
    let doc = sources.value(root);
    let text = |v: &Value| {
        v.as_str()
            .map(str::to_string)
            .unwrap_or_else(|| v.to_string())
    };
    if let Some(v) = doc.get("openapi") {
        return Ok((doc.clone(), format!("OpenAPI {}", text(v))));
    }
    if let Some(v) = doc.get("swagger") {
        let converted = swagger2::to_openapi30(doc, &sources.display(root))?;
        return Ok((converted, format!("Swagger {}", text(v))));
    }
    if postman::is_postman(doc) {
        let converted = postman::to_openapi31(doc, &sources.display(root), &[])?;
        return Ok((converted, "Postman Collection".to_string()));
    }
    if har::is_har(doc) {
        let converted =
            har::har_to_openapi(doc).map_err(|m| LoadError::new(sources.display(root), "", m))?;
        return Ok((converted, "HAR".to_string()));
    }
    Err(LoadError::new(sources.display(root), "", not_a_known_format(doc)).into())
}

/// A short description of a JSON value's kind, for "expected X, found Y" messages.
pub fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) if s.len() > 40 => {
            format!("a string (\"{}…\")", &s[..s.floor_char_boundary(40)])
        }
        Value::String(s) => format!("the string \"{s}\""),
        Value::Array(a) => format!("an array of {} items", a.len()),
        Value::Object(_) => "an object".into(),
    }
}

//! Reading files: JSON or YAML by content, and the set of files a document spans.

use super::LoadError;
use serde_json::{Map, Number, Value};
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

/// Identifies one file in a [`Sources`] set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FileId(pub u32);

/// The files one API description spans: the root and every file reached through `$ref`.
/// Files are read when a reference first reaches them, and never from outside `base_dir`.
pub struct Sources {
    base_dir: PathBuf,
    files: Vec<(PathBuf, Value)>,
    by_path: HashMap<PathBuf, FileId>,
}

impl Sources {
    /// Reads and parses the root document.
    pub fn open(path: &Path) -> Result<(Self, FileId), LoadError> {
        let canonical = path.canonicalize().map_err(|e| {
            LoadError::new(
                path.display().to_string(),
                "",
                format!("cannot read file: {e}"),
            )
        })?;
        let base_dir = canonical
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("/"));
        let mut sources = Sources {
            base_dir,
            files: Vec::new(),
            by_path: HashMap::new(),
        };
        let id = sources.read(&canonical, path.display().to_string())?;
        Ok((sources, id))
    }

    /// Builds a set from an in-memory document (relative file references are refused).
    pub fn from_value(name: &str, value: Value) -> (Self, FileId) {
        let path = PathBuf::from(name);
        let mut by_path = HashMap::new();
        by_path.insert(path.clone(), FileId(0));
        (
            Sources {
                base_dir: PathBuf::new(),
                files: vec![(path, value)],
                by_path,
            },
            FileId(0),
        )
    }

    pub fn value(&self, id: FileId) -> &Value {
        &self.files[id.0 as usize].1
    }

    /// Replaces a file's document (a Swagger 2.0 root by its OpenAPI 3 conversion).
    pub fn replace(&mut self, id: FileId, value: Value) {
        self.files[id.0 as usize].1 = value;
    }

    /// The file's name as shown in messages: relative to the root document's directory.
    pub fn display(&self, id: FileId) -> String {
        let path = &self.files[id.0 as usize].0;
        path.strip_prefix(&self.base_dir)
            .unwrap_or(path)
            .display()
            .to_string()
    }

    /// All paths read so far (for watching).
    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.files.iter().map(|(p, _)| p.as_path())
    }

    /// Returns the file `reference` (a relative path, already stripped of its fragment) names
    /// as seen from `from`, reading it on first use.
    pub fn file_for(
        &mut self,
        from: FileId,
        reference: &str,
        at: &str,
    ) -> Result<FileId, LoadError> {
        let here = self.display(from);
        if reference.contains("://") || reference.starts_with("//") {
            return Err(LoadError::new(
                here,
                at,
                format!("remote reference \"{reference}\" is not supported: stubborn only reads local files; download it next to the spec"),
            ));
        }
        if self.base_dir.as_os_str().is_empty() {
            return Err(LoadError::new(
                here,
                at,
                format!("file reference \"{reference}\" cannot be followed in a document that was not read from a file"),
            ));
        }
        let decoded = percent_encoding::percent_decode_str(reference).decode_utf8_lossy();
        let dir = self.files[from.0 as usize]
            .0
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let joined = normalize(&dir.join(decoded.as_ref()));
        if !joined.starts_with(&self.base_dir) {
            return Err(LoadError::new(
                here,
                at,
                format!(
                    "file reference \"{reference}\" leaves the spec's directory ({}); only files under it are read",
                    self.base_dir.display()
                ),
            ));
        }
        if let Some(id) = self.by_path.get(&joined) {
            return Ok(*id);
        }
        let canonical = joined.canonicalize().map_err(|e| {
            LoadError::new(
                here.clone(),
                at,
                format!("cannot read referenced file \"{reference}\": {e}"),
            )
        })?;
        if !canonical.starts_with(&self.base_dir) {
            return Err(LoadError::new(
                here,
                at,
                format!(
                    "file reference \"{reference}\" leaves the spec's directory through a link"
                ),
            ));
        }
        let shown = canonical
            .strip_prefix(&self.base_dir)
            .unwrap_or(&canonical)
            .display()
            .to_string();
        let id = self.read(&canonical, shown)?;
        self.by_path.insert(joined, id);
        Ok(id)
    }

    fn read(&mut self, canonical: &Path, shown: String) -> Result<FileId, LoadError> {
        if let Some(id) = self.by_path.get(canonical) {
            return Ok(*id);
        }
        let text = std::fs::read_to_string(canonical)
            .map_err(|e| LoadError::new(shown.clone(), "", format!("cannot read file: {e}")))?;
        let value = parse_document(&text).map_err(|msg| LoadError::new(shown, "", msg))?;
        let id = FileId(self.files.len() as u32);
        self.files.push((canonical.to_path_buf(), value));
        self.by_path.insert(canonical.to_path_buf(), id);
        Ok(id)
    }
}

/// Removes `.` and `..` components without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Parses JSON or YAML, deciding by content: a document whose first non-blank character is `{`
/// or `[` is JSON (and YAML is tried only if JSON fails, since JSON is also YAML).
pub fn parse_document(text: &str) -> Result<Value, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let trimmed = text.trim_start();
    if trimmed.is_empty() {
        return Err("the file is empty".into());
    }
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        match serde_json::from_str::<Value>(text) {
            Ok(v) => return Ok(v),
            Err(json_err) => {
                // Flow-style YAML also starts with '{'; only report JSON's error if YAML fails too.
                return parse_yaml(text).map_err(|_| format!("invalid JSON: {json_err}"));
            }
        }
    }
    parse_yaml(text)
}

fn parse_yaml(text: &str) -> Result<Value, String> {
    let error = match serde_norway::from_str::<YamlJson>(text) {
        Ok(doc) => return Ok(doc.0),
        Err(e) => e,
    };
    // A tab right after the indentation on a block scalar's first line (`description: |-`,
    // then a line of spaces and a tab, as in several of Adyen's published specs) is valid
    // YAML: the spec takes the block's indentation from that line's spaces, and the tab is
    // content. libyaml refuses any tab while it is still working out a block's indentation.
    // We read such documents rather than refuse them, since other tools do (PyYAML's Python
    // reader, js-yaml and so Prism) and nothing is guessed: each such block is given the
    // explicit indentation indicator (`|-2`) that says what the spec infers, and libyaml then
    // reads the tab as content, so every value is exactly what the spec says it is (a folded
    // block keeps the line break after its tabbed line). This is tried only when libyaml's
    // error points at such a tab; any other tab (one used as indentation) is still an error,
    // reported with its line and a hint.
    if let Some(fixed) = indicate_tabbed_blocks(text, &error) {
        return match serde_norway::from_str::<YamlJson>(&fixed) {
            Ok(doc) => Ok(doc.0),
            // Same lines as the file: only block headers gained a digit.
            Err(e) => Err(yaml_message(&fixed, &e)),
        };
    }
    Err(yaml_message(text, &error))
}

/// "invalid YAML: ..." (with the line and column), and a hint when the error is at a tab.
fn yaml_message(text: &str, e: &serde_norway::Error) -> String {
    let at_tab = e.location().filter(|l| {
        text.split('\n')
            .nth(l.line().saturating_sub(1))
            .and_then(|line| line.chars().nth(l.column().saturating_sub(1)))
            == Some('\t')
    });
    match at_tab {
        Some(l) => format!(
            "invalid YAML: {e}; hint: line {} has a tab where YAML expects indentation, which \
             must be spaces: replace the tab with spaces (in a `|` or `>` block, a tab may only \
             follow the block's indentation)",
            l.line()
        ),
        None => format!("invalid YAML: {e}"),
    }
}

/// A block scalar's header line (`key: |`, `- >-`, `key: &a !!str |+ # note`).
#[derive(Debug, PartialEq)]
struct BlockHeader {
    /// The indentation of the node that holds the block, as libyaml counts it: the column of
    /// the key, or of the `-` of a sequence entry. The block's lines are indented further.
    parent: usize,
    /// Byte offset just after the `|`/`>` and its indicators.
    end: usize,
    /// The header already gives the indentation (`|2`).
    explicit: bool,
}

/// The block scalar header `line` ends with, if it is one of the usual shapes: the value of a
/// `key:` or a sequence entry `- `, on the same line. Anything else is `None`.
fn block_header(line: &str) -> Option<BlockHeader> {
    let line = line.strip_suffix('\r').unwrap_or(line);
    let spaces = |s: &str| s.len() - s.trim_start_matches(' ').len();
    // The code, up to a comment (a `#` at the start or after white space).
    let code_end = line
        .char_indices()
        .find(|&(i, c)| c == '#' && (i == 0 || line[..i].ends_with([' ', '\t'])))
        .map_or(line.len(), |(i, _)| i);
    let code = line[..code_end].trim_end();
    let start = code.rfind([' ', '\t']).map_or(0, |i| i + 1);
    let token = &code[start..];
    let flags = token.strip_prefix(['|', '>'])?;
    let digits = flags.chars().filter(char::is_ascii_digit).count();
    let chomps = flags.chars().filter(|c| matches!(c, '+' | '-')).count();
    if digits > 1 || chomps > 1 || digits + chomps != flags.len() {
        return None;
    }
    // Before the indicator: tags and anchors, and before them `key:` or a `-`.
    let mut before = code[..start].trim_end();
    loop {
        let i = before.rfind([' ', '\t']).map_or(0, |i| i + 1);
        if before[i..].starts_with(['!', '&']) {
            before = before[..i].trim_end();
        } else {
            break;
        }
    }
    let mut col = spaces(line);
    let mut dash = None;
    while col < before.len() && line[col..].starts_with("- ") {
        dash = Some(col);
        col += 1 + spaces(&line[col + 1..]);
    }
    let parent = if before.len() <= col {
        dash? // `- |`: the block is the entry itself
    } else if before.ends_with(':') {
        col
    } else {
        return None;
    };
    Some(BlockHeader {
        parent,
        end: start + token.len(),
        explicit: digits > 0,
    })
}

/// Each block scalar whose first line has a tab right after its indentation (the YAML spec's
/// content, libyaml's error), given an explicit indentation indicator: the text to read
/// instead. `None` unless `error` is at such a tab, or when a block cannot be said so
/// (indentation beyond 9 more than its parent; leading blank lines indented further than the
/// first line, which the spec forbids).
fn indicate_tabbed_blocks(text: &str, error: &serde_norway::Error) -> Option<String> {
    let at = error.location()?;
    let (error_line, error_col) = (at.line().checked_sub(1)?, at.column().checked_sub(1)?);
    let lines: Vec<&str> = text.split('\n').collect();
    let spaces = |s: &str| s.len() - s.trim_start_matches(' ').len();
    let blank = |s: &str| s.trim_end_matches('\r').bytes().all(|b| b == b' ');
    // (line, byte offset, digit) for each header to complete.
    let mut inserts: Vec<(usize, usize, usize)> = Vec::new();
    let mut pointed = false;
    let mut i = 0;
    while i < lines.len() {
        let Some(h) = block_header(lines[i]) else {
            i += 1;
            continue;
        };
        let mut j = i + 1;
        let mut widest_blank = 0;
        while j < lines.len() && blank(lines[j]) {
            widest_blank = widest_blank.max(spaces(lines[j]));
            j += 1;
        }
        if let Some(first) = lines.get(j).filter(|_| !h.explicit) {
            let indent = spaces(first);
            let step = indent.saturating_sub(h.parent);
            if indent > h.parent
                && first[indent..].starts_with('\t')
                && widest_blank <= indent
                && (1..=9).contains(&step)
            {
                inserts.push((i, h.end, step));
                pointed |= j == error_line && indent == error_col;
            }
        }
        // The block's lines: blank, or indented further than its parent.
        while j < lines.len() && (blank(lines[j]) || spaces(lines[j]) > h.parent) {
            j += 1;
        }
        i = j;
    }
    if !pointed {
        return None;
    }
    let mut out = String::with_capacity(text.len() + inserts.len());
    let mut next = inserts.iter().peekable();
    for (n, line) in lines.iter().enumerate() {
        if n > 0 {
            out.push('\n');
        }
        match next.next_if(|(l, _, _)| *l == n) {
            Some(&(_, end, step)) => {
                out.push_str(&line[..end]);
                out.push(char::from(b'0' + step as u8));
                out.push_str(&line[end..]);
            }
            None => out.push_str(line),
        }
    }
    Some(out)
}

/// YAML read straight into JSON values. A visitor of our own rather than `serde_norway::Value`
/// because real documents hold what that type refuses: integers beyond 64 bits (OpenAI's
/// `minimum: -9223372036854776000`) and non-string mapping keys (`200:` under `responses`).
/// Merge keys (`<<`) are applied.
struct YamlJson(Value);

impl<'de> serde::Deserialize<'de> for YamlJson {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(YamlVisitor).map(YamlJson)
    }
}

struct YamlVisitor;

fn float(f: f64) -> Value {
    Number::from_f64(f)
        .map(Value::Number)
        .unwrap_or(Value::Null)
}

impl<'de> serde::de::Visitor<'de> for YamlVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Value, E> {
        Ok(i64::try_from(v)
            .map(|i| Value::Number(i.into()))
            .unwrap_or_else(|_| float(v as f64)))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Value, E> {
        Ok(u64::try_from(v)
            .map(|i| Value::Number(i.into()))
            .unwrap_or_else(|_| float(v as f64)))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(YamlVisitor)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(YamlJson(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        let mut merges = Vec::new();
        while let Some(YamlJson(k)) = map.next_key()? {
            let YamlJson(v) = map.next_value()?;
            let key = match k {
                Value::String(s) => s,
                Value::Null => "null".into(),
                other => other.to_string(),
            };
            if key == "<<" {
                merges.push(v);
            } else {
                out.insert(key, v);
            }
        }
        for merge in merges {
            let items = match merge {
                Value::Array(a) => a,
                other => vec![other],
            };
            for item in items {
                if let Value::Object(m) = item {
                    for (k, v) in m {
                        out.entry(k).or_insert(v);
                    }
                }
            }
        }
        Ok(Value::Object(out))
    }
    fn visit_enum<A: serde::de::EnumAccess<'de>>(self, data: A) -> Result<Value, A::Error> {
        // A tagged value (`!Tag value`): keep the value, drop the tag.
        use serde::de::VariantAccess;
        let (_tag, variant): (YamlJson, _) = data.variant()?;
        variant.newtype_variant::<YamlJson>().map(|v| v.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_and_json_by_content() {
        let y =
            parse_document("openapi: 3.0.0\nresponses:\n  200:\n    description: ok\n").unwrap();
        assert_eq!(y["responses"]["200"]["description"], "ok");
        let j = parse_document("  {\"a\": [1, 2.5]}").unwrap();
        assert_eq!(j["a"][1], 2.5);
        assert!(parse_document("").is_err());
        assert!(parse_document("{\"a\": ").unwrap_err().contains("JSON"));
        assert!(parse_document("a: [").unwrap_err().contains("YAML"));
    }

    #[test]
    fn yaml_merge_keys() {
        let v = parse_document("base: &b {x: 1}\nder:\n  <<: *b\n  y: 2\n").unwrap();
        let big = parse_document("min: -9223372036854776000\n").unwrap();
        assert!(big["min"].as_f64().unwrap() < -9.2e18);
        assert_eq!(v["der"]["x"], 1);
        assert_eq!(v["der"]["y"], 2);
    }

    #[test]
    fn tab_after_the_indentation_of_a_block_is_content() {
        // Adyen's shape: a block whose first line is spaces and a tab.
        let v = parse_document(
            "a:\n  date: |-\n    \t\n    Date and time.\n    * Format: x\n  next: 1\n",
        )
        .unwrap();
        assert_eq!(v["a"]["date"], "\t\nDate and time.\n* Format: x");
        assert_eq!(v["a"]["next"], 1);
        // Folded: the tabbed line keeps its line break, the others fold (as the spec says).
        let v = parse_document(
            "- k: >-\n    \ttabbed\n    second\n    third\n- |\n  \tnote # not a comment\n  \n  end\n",
        )
        .unwrap();
        assert_eq!(v[0]["k"], "\ttabbed\nsecond third");
        assert_eq!(v[1], "\tnote # not a comment\n\nend\n");
        // Anchors, tags, comments and CRLF line ends.
        let v = parse_document("x: &a !!str |+ # c\r\n   \t1\r\n\r\ny: *a\r\n").unwrap();
        assert_eq!(v["x"], "\t1\n\n");
        assert_eq!(v["y"], v["x"]);
    }

    #[test]
    fn other_tabs_are_refused_with_the_line_and_a_hint() {
        for (text, line) in [
            ("a:\n\tb: 1\n", 2),
            // Fewer spaces than the block's indentation, then a tab: not content.
            ("a: |\n    one\n  \ttwo\n", 3),
            // A tab as the block's whole indentation.
            ("a:\n  b: |\n\tone\n", 3),
        ] {
            let e = parse_document(text).unwrap_err();
            assert!(e.starts_with("invalid YAML"), "{e}");
            assert!(
                e.contains(&format!("hint: line {line} has a tab")),
                "{text:?}: {e}"
            );
        }
        let e = parse_document("a: [\n").unwrap_err();
        assert!(!e.contains("hint"), "{e}");
    }

    #[test]
    fn block_headers() {
        let h = |line: &str| block_header(line).map(|h| (h.parent, h.end, h.explicit));
        assert_eq!(h("  description: |-"), Some((2, 17, false)));
        assert_eq!(h("key: > # note"), Some((0, 6, false)));
        assert_eq!(h("  - |"), Some((2, 5, false)));
        assert_eq!(h("- - name: !t &a |2"), Some((4, 18, true)));
        assert_eq!(h("-   k: |+\r"), Some((4, 9, false)));
        for not in [
            "--- |", "# a: |", "a: \"|\"", "|", "a: |x", "a: |--", "a - |",
        ] {
            assert_eq!(h(not), None, "{not}");
        }
    }

    #[test]
    fn normalize_dots() {
        assert_eq!(
            normalize(Path::new("/a/b/../c/./d")),
            PathBuf::from("/a/c/d")
        );
    }
}

//! The layering of `src/`'s top-level modules (ARCHITECTURE.md, "Layering"): a module uses only
//! modules in layers below its own, so there is no import cycle between top-level modules.
//!
//! The test reads the crate's own source, finds every path that leaves a top-level module
//! (`crate::x`, `use crate::{x, y}`, `super::` chains that climb to the crate root), comments
//! and string literals aside, and names each edge that goes sideways or up. It also fails on a
//! top-level module missing from [`LAYERS`] and, whatever the list says, on any cycle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, lowest first; modules in one layer are peers and may not use each other.
/// Keep in step with ARCHITECTURE.md. A listed module that does not exist (yet) is fine.
const LAYERS: &[&[&str]] = &[
    &["client", "cookies", "expression", "media", "redact"],
    &["schema"],
    &["model"],
    &["load"],
    &["generate", "route", "stream"],
    &["validate"],
    &["respond"],
    &["callback", "state"],
    &["compile"],
    &["runtime"],
    &["proxy"],
    &["server"],
    &["mockserver"],
    &["cli"],
    &["check", "convert", "import"],
    &["init", "record"],
];

/// Files of the crate root that are not modules of the library.
const ROOT_FILES: &[&str] = &["lib.rs", "main.rs"];

#[test]
fn modules_use_only_lower_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let edges = edges(&src);
    let layer_of = |m: &str| LAYERS.iter().position(|layer| layer.contains(&m));

    let mut problems = Vec::new();
    let modules: BTreeSet<&String> = edges.keys().collect();
    for m in &modules {
        if layer_of(m).is_none() {
            problems.push(format!(
                "src/{m}: a top-level module missing from LAYERS (tests/layering.rs and ARCHITECTURE.md)"
            ));
        }
    }
    for (from, targets) in &edges {
        let Some(from_layer) = layer_of(from) else {
            continue;
        };
        for (to, at) in targets {
            match layer_of(to) {
                Some(to_layer) if to_layer < from_layer => {}
                Some(to_layer) => problems.push(format!(
                    "{from} → {to} ({at}): `{from}` (layer {}) may use only layers below it, \
                     and `{to}` is in layer {}",
                    from_layer + 1,
                    to_layer + 1
                )),
                None => {}
            }
        }
    }
    if let Some(cycle) = find_cycle(&edges) {
        problems.push(format!("import cycle: {}", cycle.join(" → ")));
    }
    assert!(
        problems.is_empty(),
        "the layering of src/ is broken:\n  {}",
        problems.join("\n  ")
    );
}

/// The rule catches what it should: each kind of path, and nothing in comments or strings.
#[test]
fn the_scanner_finds_paths_and_skips_comments() {
    let code = r####"
        //! Mentions crate::doc_comment in a doc comment.
        // crate::line_comment
        /* crate::block /* nested crate::nested */ crate::still_block */
        use crate::alpha::Thing;
        use crate::{beta, gamma::{x, y}, delta::z as w};
        fn f() -> &'static str { let _c = '"'; let _s = "crate::in_string"; r#"crate::raw"# }
        fn g<'a>(x: &'a str) { crate::epsilon::call(x); super::super::zeta::f(); super::local(); }
        mod inner { fn h() { super::super::eta::f(); super::super::super::theta::f(); } }
    "####;
    let found: BTreeSet<String> = paths_out(code, 2).into_iter().map(|(m, _)| m).collect();
    let expected: BTreeSet<String> = [
        "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "theta",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(found, expected);
}

#[test]
fn a_cycle_is_found() {
    let mut edges: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for (a, b) in [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")] {
        edges
            .entry(a.into())
            .or_default()
            .insert(b.into(), String::new());
    }
    assert_eq!(find_cycle(&edges).unwrap(), ["a", "b", "c", "a"]);
    edges.get_mut("c").unwrap().remove("a");
    assert_eq!(find_cycle(&edges), None);
}

/// For each top-level module: the other top-level modules it uses, each with one place it
/// does so (`file:line`).
fn edges(src: &Path) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut out: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(src)
        .expect("src/ is readable")
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for entry in entries {
        let name = entry.file_name().unwrap().to_string_lossy().into_owned();
        let top = if entry.is_dir() {
            name.clone()
        } else if let Some(stem) = name.strip_suffix(".rs") {
            if ROOT_FILES.contains(&name.as_str()) {
                continue;
            }
            stem.to_string()
        } else {
            continue;
        };
        let targets = out.entry(top.clone()).or_default();
        for file in rust_files(&entry) {
            // Module depth: src/x.rs and src/x/mod.rs are 1, src/x/y.rs is 2...
            let rel = file.strip_prefix(src).unwrap();
            let mut depth = rel.components().count();
            if rel.file_name().is_some_and(|n| n == "mod.rs") {
                depth -= 1;
            }
            let text = std::fs::read_to_string(&file).expect("a source file is readable");
            for (to, line) in paths_out(&text, depth) {
                if to != top {
                    targets
                        .entry(to)
                        .or_insert_with(|| format!("src/{}:{line}", rel.display()));
                }
            }
        }
    }
    // Only edges between top-level modules (`crate::SOME_FN` at the root is not one).
    let modules: BTreeSet<String> = out.keys().cloned().collect();
    for targets in out.values_mut() {
        targets.retain(|to, _| modules.contains(to));
    }
    out
}

fn rust_files(path: &Path) -> Vec<PathBuf> {
    if path.is_file() {
        return if path.extension().is_some_and(|e| e == "rs") {
            vec![path.to_path_buf()]
        } else {
            Vec::new()
        };
    }
    let mut out = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for e in entries {
        out.extend(rust_files(&e));
    }
    out
}

/// A token of Rust code: an identifier (keywords included) or one punctuation character,
/// with its line.
#[derive(Debug, PartialEq)]
enum Token {
    Ident(String),
    Punct(char),
}

/// The first segments of paths that leave the top-level module, with their lines, in a file
/// at module depth `depth` (1 for `src/x.rs`).
fn paths_out(text: &str, depth: usize) -> Vec<(String, usize)> {
    let tokens = tokens(text);
    let ident = |i: usize| match tokens.get(i) {
        Some((Token::Ident(s), _)) => Some(s.as_str()),
        _ => None,
    };
    let punct = |i: usize, c: char| matches!(tokens.get(i), Some((Token::Punct(p), _)) if *p == c);
    let path_sep = |i: usize| punct(i, ':') && punct(i + 1, ':');

    let mut out = Vec::new();
    // Inline `mod name { ... }` blocks open at these brace depths.
    let mut inline_mods: Vec<usize> = Vec::new();
    let mut braces = 0usize;
    let mut i = 0;
    while i < tokens.len() {
        let line = tokens[i].1;
        match &tokens[i].0 {
            Token::Punct('{') => braces += 1,
            Token::Punct('}') => {
                if inline_mods.last() == Some(&braces) {
                    inline_mods.pop();
                }
                braces = braces.saturating_sub(1);
            }
            Token::Ident(s) if s == "mod" && ident(i + 1).is_some() && punct(i + 2, '{') => {
                inline_mods.push(braces + 1);
            }
            Token::Ident(s) if s == "crate" && path_sep(i + 1) && (i < 2 || !path_sep(i - 2)) => {
                out.extend(
                    first_segments(&tokens, i + 3)
                        .into_iter()
                        .map(|m| (m, line)),
                );
            }
            Token::Ident(s) if s == "super" && (i < 2 || !path_sep(i - 2)) => {
                let mut j = i;
                let mut ups = 0;
                while ident(j) == Some("super") && path_sep(j + 1) {
                    ups += 1;
                    j += 3;
                }
                if ups > 0 && ups >= depth + inline_mods.len() {
                    out.extend(first_segments(&tokens, j).into_iter().map(|m| (m, line)));
                }
                i = j.max(i + 1);
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// The first segment of the path at `i` (`x` of `x::y`), or of each path of a group
/// (`{x, y::z, w as v}`).
fn first_segments(tokens: &[(Token, usize)], i: usize) -> Vec<String> {
    match tokens.get(i) {
        Some((Token::Ident(s), _)) => vec![s.clone()],
        Some((Token::Punct('{'), _)) => {
            let mut out = Vec::new();
            let mut depth = 0;
            let mut expect_segment = true;
            for (t, _) in &tokens[i..] {
                match t {
                    Token::Punct('{') => {
                        depth += 1;
                        expect_segment = depth == 1;
                    }
                    Token::Punct('}') => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    Token::Punct(',') if depth == 1 => expect_segment = true,
                    Token::Ident(s) if expect_segment => {
                        if s != "self" {
                            out.push(s.clone());
                        }
                        expect_segment = false;
                    }
                    _ => expect_segment = false,
                }
            }
            out
        }
        _ => Vec::new(),
    }
}

/// Rust code as tokens, without comments, string, byte-string and character literals.
fn tokens(text: &str) -> Vec<(Token, usize)> {
    let chars: Vec<char> = text.chars().collect();
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    let mut out = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c == '/' && at(i + 1) == '/' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    line += usize::from(chars[i] == '\n');
                    i += 1;
                }
            }
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    i += 1;
                }
                line += usize::from(at(i) == '\n');
                i += 1;
            }
            i += 1;
        } else if (c == 'r' || (c == 'b' && at(i + 1) == 'r'))
            && matches!(at(i + usize::from(c == 'b') + 1), '#' | '"')
        {
            // A raw string: r"..", r#".."#, br#".."#.
            let mut j = i + usize::from(c == 'b') + 1;
            let mut hashes = 0;
            while at(j) == '#' {
                hashes += 1;
                j += 1;
            }
            if at(j) != '"' {
                // `r#ident`, a raw identifier.
                out.push((
                    Token::Ident(chars[j..].iter().take_while(|c| is_ident(**c)).collect()),
                    line,
                ));
                i = j;
                while i < chars.len() && is_ident(chars[i]) {
                    i += 1;
                }
                continue;
            }
            j += 1;
            loop {
                if j >= chars.len() {
                    break;
                }
                if chars[j] == '"' && (0..hashes).all(|h| at(j + 1 + h) == '#') {
                    j += 1 + hashes;
                    break;
                }
                line += usize::from(chars[j] == '\n');
                j += 1;
            }
            i = j;
        } else if c == '\'' {
            // A character literal ('x', '\n', '\u{1e}') or a lifetime ('a).
            if at(i + 1) == '\\' {
                i += 2;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if at(i + 2) == '\'' {
                i += 3;
            } else {
                i += 1;
                while i < chars.len() && is_ident(chars[i]) {
                    i += 1;
                }
            }
        } else if is_ident(c) {
            let start = i;
            while i < chars.len() && is_ident(chars[i]) {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            // `b"..."` and `b'x'`: a byte string or byte; the next round skips the literal.
            if word == "b" && matches!(at(i), '"' | '\'') {
                continue;
            }
            out.push((Token::Ident(word), line));
        } else {
            out.push((Token::Punct(c), line));
            i += 1;
        }
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// A cycle in the graph, as the modules along it (the first repeated at the end).
fn find_cycle(edges: &BTreeMap<String, BTreeMap<String, String>>) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeMap<String, String>>,
        marks: &mut BTreeMap<String, Mark>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        marks.insert(node.to_string(), Mark::Open);
        stack.push(node.to_string());
        for next in edges.get(node).into_iter().flat_map(|t| t.keys()) {
            match marks.get(next).copied().unwrap_or(Mark::New) {
                Mark::Open => {
                    let from = stack.iter().position(|m| m == next).unwrap();
                    let mut cycle = stack[from..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                Mark::New => {
                    if let Some(c) = visit(next, edges, marks, stack) {
                        return Some(c);
                    }
                }
                Mark::Done => {}
            }
        }
        stack.pop();
        marks.insert(node.to_string(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    for node in edges.keys() {
        if marks.get(node).copied().unwrap_or(Mark::New) == Mark::New {
            if let Some(c) = visit(node, edges, &mut marks, &mut Vec::new()) {
                return Some(c);
            }
        }
    }
    None
}

//! `stubborn init`: a ready spec from templates/.
//!
//! The templates are complete, documented OpenAPI documents embedded in the binary. Each one
//! serves at once with `stubborn mock`, passes `stubborn check` without warnings, and shows
//! named examples, scenarios and generated data.

use crate::cli::InitArgs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// One template: its name (for `--template`), a one-line description, and the document.
pub struct Template {
    pub name: &'static str,
    pub description: &'static str,
    pub text: &'static str,
}

/// Every template, in the order `--list` shows them.
pub const TEMPLATES: &[Template] = &[
    Template {
        name: "blank",
        description: "OpenAPI 3.1, one GET /health, comments showing where everything goes",
        text: include_str!("../templates/blank.yaml"),
    },
    Template {
        name: "petstore",
        description: "OpenAPI 3.0 pet store: list, create, read, replace and delete pets",
        text: include_str!("../templates/petstore.yaml"),
    },
    Template {
        name: "todo",
        description:
            "OpenAPI 3.1 to-do list: paging and filters, get, create, update, patch, delete",
        text: include_str!("../templates/todo.yaml"),
    },
    Template {
        name: "shop",
        description:
            "OpenAPI 3.1 shop: products, carts, orders and payments, bearer auth on orders",
        text: include_str!("../templates/shop.yaml"),
    },
    Template {
        name: "auth",
        description:
            "OpenAPI 3.1 accounts: users, login, token refresh, logout; API key, bearer, basic",
        text: include_str!("../templates/auth.yaml"),
    },
    Template {
        name: "webhooks",
        description: "OpenAPI 3.1 webhook subscriptions, and the events sent to them (`webhooks`)",
        text: include_str!("../templates/webhooks.yaml"),
    },
];

/// The file `init` writes in its directory.
pub const FILE_NAME: &str = "openapi.yaml";

/// The template called `name` (case-insensitive).
pub fn template(name: &str) -> Option<&'static Template> {
    TEMPLATES
        .iter()
        .find(|t| t.name.eq_ignore_ascii_case(name.trim()))
}

pub fn run(args: &InitArgs) -> Result<ExitCode, String> {
    if args.list {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(
            out,
            "templates (stubborn init --template NAME [DIR]; petstore when no --template is given):"
        );
        for t in TEMPLATES {
            let _ = writeln!(out, "  {:<10} {}", t.name, t.description);
        }
        let _ = out.flush();
        return Ok(ExitCode::SUCCESS);
    }
    let t = template(&args.template).ok_or_else(|| {
        let names: Vec<&str> = TEMPLATES.iter().map(|t| t.name).collect();
        format!(
            "unknown template \"{}\"; the templates are {} (see stubborn init --list)",
            args.template,
            names.join(", ")
        )
    })?;
    let target = target_path(&args.dir);
    write_template(t, &args.dir, &target, args.force)?;
    let shown = shell_word(&target.display().to_string());
    let operations = crate::load::load_str(t.name, t.text)
        .map(|api| format!(", {} operations", api.operations.len()))
        .unwrap_or_default();
    let format = if t.text.contains("\nopenapi: 3.0") {
        "OpenAPI 3.0"
    } else {
        "OpenAPI 3.1"
    };
    println!(
        "wrote {} from the {} template ({format}{operations})",
        target.display(),
        t.name
    );
    println!("next: stubborn mock {shown}");
    Ok(ExitCode::SUCCESS)
}

/// `DIR/openapi.yaml`, without a leading `./` when DIR is the current directory.
fn target_path(dir: &Path) -> PathBuf {
    if dir.as_os_str().is_empty() || dir == Path::new(".") {
        PathBuf::from(FILE_NAME)
    } else {
        dir.join(FILE_NAME)
    }
}

fn write_template(t: &Template, dir: &Path, target: &Path, force: bool) -> Result<(), String> {
    if dir.exists() && !dir.is_dir() {
        return Err(format!(
            "{} exists and is not a directory; choose another DIR",
            dir.display()
        ));
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| format!("cannot create the directory {}: {e}", dir.display()))?;
    if target.is_dir() {
        return Err(format!(
            "{} is a directory; cannot write the spec there",
            target.display()
        ));
    }
    let exists = || {
        format!(
            "{} already exists; not overwriting it (use --force to replace it, or give another directory)",
            target.display()
        )
    };
    if target.exists() && !force {
        return Err(exists());
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if force {
        options.create(true).truncate(true);
    } else {
        // Refuse a file that appeared since the check above, too.
        options.create_new(true);
    }
    let mut file = options.open(target).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            exists()
        } else {
            format!("cannot write {}: {e}", target.display())
        }
    })?;
    file.write_all(t.text.as_bytes())
        .and_then(|_| file.flush())
        .map_err(|e| format!("cannot write {}: {e}", target.display()))
}

/// The path as one shell word: quoted when it holds anything but safe characters.
fn shell_word(s: &str) -> String {
    let safe = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+:@%,".contains(c));
    if safe {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::{Mock, MockOptions};

    #[test]
    fn every_template_loads_without_warnings() {
        for t in TEMPLATES {
            let api = crate::load::load_str(t.name, t.text)
                .unwrap_or_else(|e| panic!("{} does not load: {e}", t.name));
            assert!(!api.operations.is_empty(), "{}", t.name);
            let mock = Mock::new(api, MockOptions::default());
            let report = crate::check::report(&mock, t.name);
            assert!(report.contains("no warnings"), "{report}");
            assert!(report.contains("scenarios:"), "{report}");
        }
    }

    #[test]
    fn names_and_paths() {
        assert_eq!(template("Shop").map(|t| t.name), Some("shop"));
        assert!(template("nope").is_none());
        assert_eq!(target_path(Path::new(".")), PathBuf::from("openapi.yaml"));
        assert_eq!(
            target_path(Path::new("api")),
            PathBuf::from("api/openapi.yaml")
        );
        assert_eq!(shell_word("a/b.yaml"), "a/b.yaml");
        assert_eq!(shell_word("my api/x"), "'my api/x'");
    }
}

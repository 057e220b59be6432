//! `stubborn check`: a one-screen report on a loaded document.

use crate::compile::Mock;
use std::fmt::Write;

/// Builds the report: format, counts, and every warning (including examples that contradict
/// their schema and responses no value can satisfy).
pub fn report(mock: &Mock, name: &str) -> String {
    let api = &mock.api;
    let mut out = String::new();
    let _ = writeln!(out, "{name}: {} {}, {}", api.title, api.version, api.format);
    let ops = &api.operations;
    let responses: usize = ops.iter().map(|o| o.responses.len()).sum();
    let examples: usize = ops
        .iter()
        .flat_map(|o| o.responses.iter())
        .flat_map(|r| r.content.iter())
        .map(|m| m.examples.len())
        .sum();
    let _ = writeln!(
        out,
        "  {} operations on {} paths, {} responses, {} response examples, {} schemas, {} webhooks",
        ops.len(),
        mock.router.templates().count(),
        responses,
        examples,
        api.schemas.len(),
        api.webhooks.len()
    );
    let with_scenarios: Vec<usize> = (0..ops.len())
        .filter(|&i| !mock.scenarios(i).is_empty())
        .collect();
    if !with_scenarios.is_empty() {
        let _ = writeln!(out, "  scenarios:");
        for i in with_scenarios {
            let names: Vec<&str> = mock.scenarios(i).iter().map(|s| s.name.as_str()).collect();
            let _ = writeln!(
                out,
                "    {} {}: {}",
                ops[i].method,
                ops[i].path,
                names.join(", ")
            );
        }
    }
    if !mock.callbacks.is_empty() {
        let _ = writeln!(out, "  callbacks (sent after a 2xx or 3xx answer):");
        for c in &mock.callbacks {
            let Some(op) = c.operation.map(|i| &ops[i]) else {
                continue;
            };
            let _ = writeln!(
                out,
                "    {} {} → {}: {} {}",
                op.method, op.path, c.name, c.method, c.expression
            );
        }
    }
    if !mock.webhooks.is_empty() {
        let _ = writeln!(
            out,
            "  webhooks (sent with POST /__stubborn/webhooks/NAME or --webhook-target):"
        );
        for w in &mock.webhooks {
            let _ = writeln!(out, "    {}: {}", w.name, w.method);
        }
    }
    stateful(&mut out, mock);
    if !api.saved_examples.is_empty() {
        let _ = writeln!(
            out,
            "  {} saved examples, matched the way Postman's mock matches them",
            api.saved_examples.len()
        );
    }
    if !api.security_schemes.is_empty() {
        let schemes: Vec<String> = api
            .security_schemes
            .iter()
            .map(|s| {
                let detail = match (s.kind.as_str(), &s.scheme, &s.param_name) {
                    ("http", Some(scheme), _) => format!("http {scheme}"),
                    ("apiKey", _, Some(name)) => format!(
                        "API key {name} in the {}",
                        s.location.map(|l| l.as_str()).unwrap_or("header")
                    ),
                    (kind, _, _) => kind.to_string(),
                };
                format!("{} ({detail})", s.name)
            })
            .collect();
        let enforced = if api.contract || mock.options.enforce_auth {
            "enforced"
        } else {
            "not enforced: a collection's auth is documentation, as on Postman (--enforce-auth checks it)"
        };
        let _ = writeln!(out, "  security: {}; {enforced}", schemes.join(", "));
    }
    let mut warnings: Vec<String> = api.warnings.iter().map(|w| w.to_string()).collect();
    // Bodies no value can produce, and examples that contradict their schema (the same
    // lines `mock` prints at start): rendered on every core first, then collected in order.
    render_in_parallel(mock);
    warnings.extend(mock.render_all());
    if warnings.is_empty() {
        let _ = writeln!(out, "  no warnings");
    } else {
        let _ = writeln!(out, "  {} warning(s):", warnings.len());
        for w in &warnings {
            let _ = writeln!(out, "  warning: {w}");
        }
    }
    out
}

/// Renders every response body of `mock` once, spread over the machine's cores (bodies are
/// independent: each has its own seed, and its slot keeps it). Generating the bodies of a
/// large document is most of what `check` does.
fn render_in_parallel(mock: &Mock) {
    let ops = &mock.api.operations;
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8)
        .min(ops.len());
    if threads < 2 {
        return;
    }
    std::thread::scope(|scope| {
        for first in 0..threads {
            scope.spawn(move || {
                for op_idx in (first..ops.len()).step_by(threads) {
                    for (resp_idx, response) in ops[op_idx].responses.iter().enumerate() {
                        for media_idx in 0..response.content.len() {
                            let _ = mock.static_body(op_idx, resp_idx, media_idx);
                        }
                    }
                }
            });
        }
    });
}

/// The resources stateful mode finds (`--stateful`), and the operations that stay stateless.
fn stateful(out: &mut String, mock: &Mock) {
    use crate::state::IdKind;
    let Some(resources) = &mock.resources else {
        let _ = writeln!(
            out,
            "  stateful: no resources (no collection path with an item path beside it)"
        );
        return;
    };
    let ops = &mock.api.operations;
    let _ = writeln!(out, "  stateful resources (with --stateful):");
    for (index, r) in resources.list.iter().enumerate() {
        let id = match (&r.id_property, r.id_kind) {
            (Some(p), IdKind::Integer) => format!("id {p} (integer, counted up)"),
            (Some(p), IdKind::Uuid) => format!("id {p} (uuid)"),
            (Some(p), IdKind::Text) => format!("id {p} (string)"),
            (None, _) => format!("id from {{{}}} (not in the item)", r.id_param),
        };
        let roles: Vec<String> = resources
            .ops
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                let p = p.as_ref().filter(|p| p.resource == index)?;
                Some(format!("{} {}", ops[i].method, p.role.as_str()))
            })
            .collect();
        let _ = writeln!(
            out,
            "    {}: {} + {}, {id}; {}",
            r.name,
            r.collection,
            r.item,
            roles.join(", ")
        );
    }
    const SHOWN: usize = 20;
    if !resources.stateless.is_empty() {
        let _ = writeln!(
            out,
            "  {} operation(s) stay stateless:",
            resources.stateless.len()
        );
        for (i, why) in resources.stateless.iter().take(SHOWN) {
            let _ = writeln!(out, "    {} {}: {why}", ops[*i].method, ops[*i].path);
        }
        if resources.stateless.len() > SHOWN {
            let _ = writeln!(out, "    and {} more", resources.stateless.len() - SHOWN);
        }
    }
}

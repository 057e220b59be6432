//! Validator errors in words a person reads: `must be an integer, got "abc"`.

use jsonschema::error::{TypeKind, ValidationErrorKind};
use serde_json::Value;

/// A short rendering of a value for messages (long values are cut).
pub fn show(v: &Value) -> String {
    let s = match v {
        // An integer beyond 64 bits is held as a float: show its digits, as the client wrote
        // them, not `8.613541947399898e20`.
        Value::Number(n)
            if n.as_f64().is_some_and(|f| {
                f.is_finite() && f.fract() == 0.0 && f.abs() >= i64::MAX as f64
            }) && !n.is_i64()
                && !n.is_u64() =>
        {
            format!("{:.0}", n.as_f64().unwrap_or_default())
        }
        _ => v.to_string(),
    };
    if s.chars().count() > 60 {
        let cut: String = s.chars().take(57).collect();
        format!("{cut}…")
    } else {
        s
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn article(t: &str) -> &'static str {
    match t {
        "integer" | "object" | "array" => "an",
        "null" => "",
        _ => "a",
    }
}

fn type_names(kind: &TypeKind) -> String {
    let names: Vec<String> = match kind {
        TypeKind::Single(t) => vec![t.to_string()],
        TypeKind::Multiple(set) => set.iter().map(|t| t.to_string()).collect(),
    };
    names
        .iter()
        .map(|n| {
            let a = article(n);
            if a.is_empty() {
                n.clone()
            } else {
                format!("{a} {n}")
            }
        })
        .collect::<Vec<_>>()
        .join(" or ")
}

/// `(keyword, message, extra pointer segment)` for one error. The extra segment names the
/// missing property of a `required` error, so the pointer says where it should have been.
pub fn describe(kind: &ValidationErrorKind, instance: &Value) -> (String, String, Option<String>) {
    let got = show(instance);
    let (kw, msg, extra) = match kind {
        ValidationErrorKind::Type { kind } => (
            "type",
            format!("must be {}, got {got}", type_names(kind)),
            None,
        ),
        ValidationErrorKind::Required { property } => {
            let name = property
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| property.to_string());
            ("required", format!("\"{name}\" is required"), Some(name))
        }
        ValidationErrorKind::Minimum { limit } => {
            ("minimum", format!("must be >= {limit}, got {got}"), None)
        }
        ValidationErrorKind::Maximum { limit } => {
            ("maximum", format!("must be <= {limit}, got {got}"), None)
        }
        ValidationErrorKind::ExclusiveMinimum { limit } => (
            "exclusiveMinimum",
            format!("must be > {limit}, got {got}"),
            None,
        ),
        ValidationErrorKind::ExclusiveMaximum { limit } => (
            "exclusiveMaximum",
            format!("must be < {limit}, got {got}"),
            None,
        ),
        ValidationErrorKind::MultipleOf { .. } => (
            "multipleOf",
            format!("{got} is not an allowed multiple"),
            None,
        ),
        ValidationErrorKind::MinLength { limit } => (
            "minLength",
            format!(
                "must be at least {limit} character{} long, got {got}",
                plural(*limit)
            ),
            None,
        ),
        ValidationErrorKind::MaxLength { limit } => (
            "maxLength",
            format!(
                "must be at most {limit} character{} long, got {got}",
                plural(*limit)
            ),
            None,
        ),
        ValidationErrorKind::Pattern { pattern } => (
            "pattern",
            format!("must match the pattern {pattern}, got {got}"),
            None,
        ),
        ValidationErrorKind::Format { format } => (
            "format",
            format!("must be a valid {format}, got {got}"),
            None,
        ),
        ValidationErrorKind::Enum { options } => (
            "enum",
            format!("must be one of {}, got {got}", show(options)),
            None,
        ),
        ValidationErrorKind::Constant { expected_value } => (
            "const",
            format!("must be {}, got {got}", show(expected_value)),
            None,
        ),
        ValidationErrorKind::MinItems { limit } => (
            "minItems",
            format!("must have at least {limit} item{}", plural(*limit)),
            None,
        ),
        ValidationErrorKind::MaxItems { limit } => (
            "maxItems",
            format!("must have at most {limit} item{}", plural(*limit)),
            None,
        ),
        ValidationErrorKind::UniqueItems => {
            ("uniqueItems", "items must be unique".to_string(), None)
        }
        ValidationErrorKind::MinProperties { limit } => (
            "minProperties",
            format!("must have at least {limit} properties"),
            None,
        ),
        ValidationErrorKind::MaxProperties { limit } => (
            "maxProperties",
            format!("must have at most {limit} properties"),
            None,
        ),
        ValidationErrorKind::AdditionalProperties { unexpected } => (
            "additionalProperties",
            format!(
                "unexpected propert{} {}",
                if unexpected.len() == 1 { "y" } else { "ies" },
                unexpected
                    .iter()
                    .map(|u| format!("\"{u}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            None,
        ),
        ValidationErrorKind::OneOfNotValid { .. } => (
            "oneOf",
            format!("must match exactly one of the allowed shapes; {got} matches none"),
            None,
        ),
        ValidationErrorKind::OneOfMultipleValid { .. } => (
            "oneOf",
            "matches more than one of the allowed shapes".to_string(),
            None,
        ),
        ValidationErrorKind::AnyOf { .. } => (
            "anyOf",
            format!("must match at least one of the allowed shapes; {got} matches none"),
            None,
        ),
        ValidationErrorKind::Not { .. } => (
            "not",
            format!("{got} is a value that is not allowed here"),
            None,
        ),
        ValidationErrorKind::FalseSchema => ("false", "no value is allowed here".to_string(), None),
        other => (other.keyword(), String::new(), None),
    };
    (kw.to_string(), msg, extra)
}

#[cfg(test)]
mod tests {
    use super::show;
    use serde_json::json;

    #[test]
    fn integers_beyond_64_bits_show_their_digits() {
        let big: serde_json::Value = serde_json::from_str("861354194739989839872").unwrap();
        assert_eq!(show(&big), "861354194739989839872");
        assert_eq!(show(&json!(-1e19)), "-10000000000000000000");
        assert_eq!(show(&json!(12)), "12");
        assert_eq!(show(&json!(1.5)), "1.5");
        assert_eq!(show(&json!(2.0)), "2.0");
    }
}

//! What a document says about values by name, gathered once from all its schemas, so a
//! property the document gives no example for borrows the values it gives for a property of
//! the same name elsewhere: Stripe's `funding` is `credit`/`debit` on cards, and a `funding`
//! without an enum on bank accounts is answered the same way; a document whose examples show
//! ids like `cus_…` gets ids in that shape for its customers.
//!
//! Names are compared normalised (lower case, letters and digits only: `postal_code`,
//! `postalCode` and `postal-code` are one name).

use serde_json::Value;
use std::collections::HashMap;

/// At most this many values are kept per name.
const PER_NAME: usize = 24;
/// Enums longer than this are lists of things, not hints (every currency code...).
const MAX_ENUM: usize = 64;
/// Strings longer than this are prose, not values to repeat.
const MAX_VALUE: usize = 200;

/// Values by property name, and id shapes by schema name.
#[derive(Debug, Default)]
pub struct NameHints {
    /// Normalised property name → string values the document writes for it (enum values,
    /// `example`, `examples`, `default`, `const`), in document order, deduplicated.
    values: HashMap<String, Vec<String>>,
    /// Normalised schema name (`customer`) → an example of its `id` (`cus_NffrFeUfNV2Hib`).
    ids: HashMap<String, String>,
    /// Normalised names of the document's object schemas that have an `id`: a property
    /// named after one holds a reference to it.
    objects: std::collections::HashSet<String>,
}

/// `postal_code`, `postalCode`, `Postal-Code` → `postalcode`.
pub fn normalise(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

impl NameHints {
    /// Gathers the hints of every schema in `defs` (the store's `(key, schema)` pairs).
    pub fn build<'a>(defs: impl IntoIterator<Item = (&'a str, &'a Value)>) -> NameHints {
        let mut hints = NameHints::default();
        for (key, schema) in defs {
            hints.visit(schema, 0);
            let id = schema.get("properties").and_then(|p| p.get("id"));
            if id.is_some() {
                hints.objects.insert(normalise(key));
            }
            if let Some(id) = id.and_then(first_string) {
                hints.ids.entry(normalise(key)).or_insert(id);
            }
        }
        hints
    }

    fn visit(&mut self, schema: &Value, depth: usize) {
        if depth > 64 {
            return;
        }
        match schema {
            Value::Object(obj) => {
                if let Some(Value::Object(props)) = obj.get("properties") {
                    for (name, prop) in props {
                        self.record(name, prop);
                    }
                }
                for (k, child) in obj {
                    if matches!(
                        k.as_str(),
                        "example" | "examples" | "default" | "const" | "enum"
                    ) {
                        continue;
                    }
                    self.visit(child, depth + 1);
                }
            }
            Value::Array(items) => {
                for item in items {
                    self.visit(item, depth + 1);
                }
            }
            _ => {}
        }
    }

    fn record(&mut self, name: &str, prop: &Value) {
        let mut found: Vec<String> = Vec::new();
        let mut push = |v: &Value| {
            if let Value::String(s) = v {
                if !s.is_empty() && s.chars().count() <= MAX_VALUE {
                    found.push(s.clone());
                }
            }
        };
        match prop.get("enum") {
            Some(Value::Array(list)) if list.len() <= MAX_ENUM => list.iter().for_each(&mut push),
            _ => {}
        }
        for key in ["const", "example", "default", "x-example"] {
            if let Some(v) = prop.get(key) {
                push(v);
            }
        }
        if let Some(Value::Array(list)) = prop.get("examples") {
            list.iter().for_each(&mut push);
        }
        // An array of strings: its items' values belong to the name too (`tags`).
        if let Some(items) = prop.get("items") {
            if let Some(Value::Array(list)) = items.get("enum") {
                if list.len() <= MAX_ENUM {
                    list.iter().for_each(&mut push);
                }
            }
            if let Some(v) = items.get("example") {
                push(v);
            }
        }
        if found.is_empty() {
            return;
        }
        let entry = self.values.entry(normalise(name)).or_default();
        for v in found {
            if entry.len() >= PER_NAME {
                break;
            }
            if !entry.contains(&v) {
                entry.push(v);
            }
        }
    }

    /// The values the document writes for properties named `name`.
    pub fn values(&self, name: &str) -> &[String] {
        self.values
            .get(&normalise(name))
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// An example id of the schema named `name` (`customer` → `cus_NffrFeUfNV2Hib`).
    pub fn id_of(&self, name: &str) -> Option<&str> {
        self.ids.get(&normalise(name)).map(String::as_str)
    }

    /// Whether the document has an object schema named `name` (with an `id`).
    pub fn is_object(&self, name: &str) -> bool {
        self.objects.contains(&normalise(name))
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty() && self.ids.is_empty()
    }
}

fn first_string(prop: &Value) -> Option<String> {
    let candidates = [
        prop.get("example"),
        prop.get("examples").and_then(|e| e.get(0)),
        prop.get("x-example"),
    ];
    candidates
        .into_iter()
        .flatten()
        .find_map(Value::as_str)
        .filter(|s| !s.is_empty() && s.len() <= MAX_VALUE)
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_by_name_from_anywhere_in_the_document() {
        let card = json!({"type": "object", "properties": {
            "funding": {"type": "string", "enum": ["credit", "debit", "prepaid"]},
            "id": {"type": "string", "example": "card_1MvoiELkdIwHu7ix"},
            "nested": {"type": "object", "properties": {
                "postal_code": {"type": "string", "example": "94107"}
            }}
        }});
        let customer = json!({"type": "object", "properties": {
            "id": {"type": "string", "examples": ["cus_NffrFeUfNV2Hib"]},
            "model": {"type": "string", "examples": ["gpt-4o", "gpt-4o-mini"]},
            "tags": {"type": "array", "items": {"type": "string", "enum": ["vip", "new"]}},
            "bio": {"type": "string", "example": "x".repeat(300)}
        }});
        let hints = NameHints::build([("Card", &card), ("customer", &customer)]);
        assert_eq!(hints.values("funding"), ["credit", "debit", "prepaid"]);
        assert_eq!(hints.values("postalCode"), ["94107"]);
        assert_eq!(hints.values("MODEL"), ["gpt-4o", "gpt-4o-mini"]);
        assert_eq!(hints.values("tags"), ["vip", "new"]);
        assert!(
            hints.values("bio").is_empty(),
            "prose is not a value to repeat"
        );
        assert!(hints.values("nothing").is_empty());
        assert_eq!(hints.id_of("Customer"), Some("cus_NffrFeUfNV2Hib"));
        assert_eq!(hints.id_of("card"), Some("card_1MvoiELkdIwHu7ix"));
        assert_eq!(hints.id_of("charge"), None);
    }
}

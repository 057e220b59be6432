//! `format` checks, agreeing with the store's validator (which asserts formats).
//!
//! Each format is checked by a one-keyword `jsonschema` validator built once per thread, so
//! "valid here" means "valid there"; formats `jsonschema` does not know pass, as they do
//! there. `byte` (base64), which the store registers itself, is checked here directly.

use serde_json::{json, Value};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

thread_local! {
    static CHECKERS: RefCell<HashMap<Box<str>, Option<Rc<jsonschema::Validator>>>> =
        RefCell::new(HashMap::new());
}

/// Whether `s` is valid for `format`.
pub(crate) fn is_valid(format: &str, s: &str) -> bool {
    if format == "byte" {
        return crate::schema::is_base64(s);
    }
    let checker = CHECKERS.with(|c| {
        if let Some(found) = c.borrow().get(format) {
            return found.clone();
        }
        let built = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(&json!({ "format": format }))
            .ok()
            .map(Rc::new);
        let mut cache = c.borrow_mut();
        if cache.len() > 256 {
            cache.clear();
        }
        cache.insert(format.into(), built.clone());
        built
    });
    checker.is_none_or(|v| v.is_valid(&Value::String(s.to_owned())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_jsonschema_formats() {
        assert!(is_valid("email", "jane.doe@example.com"));
        assert!(!is_valid("email", "jane"));
        assert!(is_valid("date-time", "2024-03-05T14:22:10Z"));
        assert!(!is_valid("date-time", "2024-03-05"));
        assert!(is_valid("hostname", "api.example.com"));
        assert!(!is_valid("hostname", "txt_value"));
        assert!(is_valid("byte", "aGVsbG8="));
        assert!(!is_valid("byte", "aGVsbG8"));
        assert!(is_valid("no-such-format", "anything"));
    }
}

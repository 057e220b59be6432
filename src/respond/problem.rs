//! RFC 9457 problem details: the one shape every error stubborn itself produces takes.

use bytes::Bytes;
use serde_json::{json, Map, Value};

#[derive(Debug, Clone)]
pub struct Problem {
    pub status: u16,
    pub title: String,
    pub detail: String,
    /// Extra members (`errors`, `allowed`...).
    pub extra: Map<String, Value>,
}

impl Problem {
    pub fn new(status: u16, title: &str, detail: impl Into<String>) -> Problem {
        Problem {
            status,
            title: title.to_string(),
            detail: detail.into(),
            extra: Map::new(),
        }
    }

    pub fn with(mut self, key: &str, value: Value) -> Problem {
        self.extra.insert(key.to_string(), value);
        self
    }

    /// The `type` URI: a stable, documented identifier per kind of problem.
    fn type_uri(&self) -> String {
        let slug: String = self
            .title
            .to_ascii_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        format!("https://stubborn.dev/problems/{slug}")
    }

    pub fn to_value(&self) -> Value {
        let mut v = json!({
            "type": self.type_uri(),
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        });
        if let Value::Object(m) = &mut v {
            for (k, x) in &self.extra {
                m.insert(k.clone(), x.clone());
            }
        }
        v
    }

    pub fn to_bytes(&self) -> Bytes {
        Bytes::from(serde_json::to_vec(&self.to_value()).unwrap_or_default())
    }
}

pub const CONTENT_TYPE: &str = "application/problem+json";

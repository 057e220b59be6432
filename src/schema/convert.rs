//! OpenAPI 3.0's schema dialect converted to JSON Schema 2020-12.

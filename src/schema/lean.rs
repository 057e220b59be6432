//! A JSON request body as the validators read it, cheaper to build than a `serde_json::Value`.
//!
//! Most request bodies are valid, and for a valid body validation only needs a yes. Parsing a
//! body into a `serde_json::Value` costs an ordered map per object, and every key hashed with
//! SipHash to build it; for the small objects requests send, that is more than the validation
//! itself. [`Lean`] keeps an object as its members in order, a string the body writes without
//! escapes as a slice of the body, and nothing is hashed. jsonschema validates it through its
//! custom-representation traits ([`LeanJson`]), with validators compiled from the same
//! schemas ([`super::SchemaStore::lean_validator`]).
//!
//! The text is still read by serde_json's parser, so what is JSON and what is not, and the
//! message for what is not, are exactly those of a `Value` parse ([`json_text`], [`parse`]).
//! A repeated key keeps its first position and its last value, as `serde_json::Map` does. An
//! object of more than [`MAX_MEMBERS`] members is not kept in this form (finding repeated keys
//! would cost a scan per key): the caller parses such a body as a `Value`.

use jsonschema::json::{Array, Json, Node, NodeIdentity, Object};
use jsonschema::JsonType;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Number, Value};
use std::borrow::Cow;
use std::cell::Cell;
use std::fmt;

/// The widest object kept as a [`Lean`] value.
pub const MAX_MEMBERS: usize = 32;

/// A JSON value borrowing the strings it can from the text it was parsed from.
#[derive(Debug, Default, PartialEq)]
pub enum Lean<'a> {
    #[default]
    Null,
    Bool(bool),
    Number(Number),
    String(Cow<'a, str>),
    Array(Vec<Lean<'a>>),
    /// Members in the order the text writes them, each key once.
    Object(Vec<(Cow<'a, str>, Lean<'a>)>),
}

/// Why a body has no [`Lean`] form.
#[derive(Debug, Clone, PartialEq)]
pub enum Unparsed {
    /// It is not JSON: the message, as [`parse`] words it.
    Syntax(String),
    /// It is JSON, but an object is wider than [`MAX_MEMBERS`].
    Wide,
}

/// A JSON body's text: a leading byte-order mark dropped, or why it is not UTF-8.
pub fn json_text(body: &[u8]) -> Result<&str, String> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    std::str::from_utf8(body).map_err(|e| {
        format!(
            "body is not valid UTF-8: invalid byte at offset {}",
            e.valid_up_to()
        )
    })
}

/// What serde_json's error says, in the words validation reports it with.
pub fn syntax_message(e: &serde_json::Error) -> String {
    format!("body is not valid JSON: {e}")
}

/// A JSON body (a leading byte-order mark allowed) as a [`Lean`] value.
pub fn parse(body: &[u8]) -> Result<Lean<'_>, Unparsed> {
    let text = json_text(body).map_err(Unparsed::Syntax)?;
    let wide = Cell::new(false);
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed = Seed { wide: &wide }
        .deserialize(&mut de)
        .and_then(|value| de.end().map(|()| value));
    match parsed {
        Ok(value) => Ok(value),
        Err(_) if wide.get() => Err(Unparsed::Wide),
        Err(e) => Err(Unparsed::Syntax(syntax_message(&e))),
    }
}

impl Lean<'_> {
    /// The same value as a `serde_json::Value` (what parsing the text as one gives).
    pub fn to_value(&self) -> Value {
        match self {
            Lean::Null => Value::Null,
            Lean::Bool(b) => Value::Bool(*b),
            Lean::Number(n) => Value::Number(n.clone()),
            Lean::String(s) => Value::String(s.clone().into_owned()),
            Lean::Array(items) => Value::Array(items.iter().map(Lean::to_value).collect()),
            Lean::Object(members) => {
                let mut map = serde_json::Map::with_capacity(members.len());
                for (k, v) in members {
                    map.insert(k.clone().into_owned(), v.to_value());
                }
                Value::Object(map)
            }
        }
    }
}

/// Builds a [`Lean`] value from serde_json's parser; sets `wide` when it gives up on an object.
#[derive(Clone, Copy)]
struct Seed<'w> {
    wide: &'w Cell<bool>,
}

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Lean<'de>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Lean<'de>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Lean<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any valid JSON value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Lean<'de>, E> {
        Ok(Lean::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Lean<'de>, E> {
        Ok(Lean::Number(n.into()))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Lean<'de>, E> {
        Ok(Lean::Number(n.into()))
    }

    fn visit_f64<E>(self, n: f64) -> Result<Lean<'de>, E> {
        // As `serde_json::Value` reads it.
        Ok(Number::from_f64(n).map_or(Lean::Null, Lean::Number))
    }

    fn visit_str<E>(self, s: &str) -> Result<Lean<'de>, E> {
        Ok(Lean::String(Cow::Owned(s.to_owned())))
    }

    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Lean<'de>, E> {
        Ok(Lean::String(Cow::Borrowed(s)))
    }

    fn visit_string<E>(self, s: String) -> Result<Lean<'de>, E> {
        Ok(Lean::String(Cow::Owned(s)))
    }

    fn visit_none<E>(self) -> Result<Lean<'de>, E> {
        Ok(Lean::Null)
    }

    fn visit_unit<E>(self) -> Result<Lean<'de>, E> {
        Ok(Lean::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Lean<'de>, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self)? {
            items.push(item);
        }
        Ok(Lean::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Lean<'de>, A::Error> {
        let mut members: Vec<(Cow<'de, str>, Lean<'de>)> = Vec::new();
        while let Some(key) = map.next_key_seed(KeySeed)? {
            let value = map.next_value_seed(self)?;
            if let Some(slot) = members.iter_mut().find(|(k, _)| *k == key) {
                slot.1 = value;
                continue;
            }
            if members.len() == MAX_MEMBERS {
                self.wide.set(true);
                return Err(de::Error::custom("object too wide"));
            }
            members.push((key, value));
        }
        Ok(Lean::Object(members))
    }
}

/// An object's key, borrowed from the text when it has no escapes.
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Cow<'de, str>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string key")
    }

    fn visit_str<E>(self, s: &str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(s.to_owned()))
    }

    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Borrowed(s))
    }

    fn visit_string<E>(self, s: String) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(s))
    }
}

/// [`Lean`] values as jsonschema reads instances.
pub struct LeanJson;

impl Json for LeanJson {
    type Node<'a> = &'a Lean<'a>;
    type PreparedKey = Box<str>;
    type StringBuffer = Lean<'static>;

    // Objects are short arrays: a pass over the members costs about one lookup per key.
    const KEYS_PER_LOOKUP: usize = 1;

    fn prepare_key(key: &str) -> Box<str> {
        key.into()
    }

    fn with_string_node<T>(
        buffer: &mut Lean<'static>,
        string: &str,
        f: impl FnOnce(Self::Node<'_>) -> T,
    ) -> T {
        *buffer = Lean::String(Cow::Owned(string.to_owned()));
        f(buffer)
    }
}

impl<'a> Node<'a, LeanJson> for &'a Lean<'a> {
    type Object = &'a [(Cow<'a, str>, Lean<'a>)];
    type Array = &'a [Lean<'a>];
    type Number = &'a Number;

    fn as_object(&self) -> Option<Self::Object> {
        match self {
            Lean::Object(members) => Some(members),
            _ => None,
        }
    }

    fn as_array(&self) -> Option<Self::Array> {
        match self {
            Lean::Array(items) => Some(items),
            _ => None,
        }
    }

    fn as_string(&self) -> Option<Cow<'a, str>> {
        match self {
            Lean::String(s) => Some(Cow::Borrowed(&**s)),
            _ => None,
        }
    }

    fn as_number(&self) -> Option<&'a Number> {
        match self {
            Lean::Number(n) => Some(n),
            _ => None,
        }
    }

    fn as_boolean(&self) -> Option<bool> {
        match self {
            Lean::Bool(b) => Some(*b),
            _ => None,
        }
    }

    fn is_null(&self) -> bool {
        matches!(self, Lean::Null)
    }

    fn json_type(&self) -> JsonType {
        match self {
            Lean::Null => JsonType::Null,
            Lean::Bool(_) => JsonType::Boolean,
            Lean::Number(_) => JsonType::Number,
            Lean::String(_) => JsonType::String,
            Lean::Array(_) => JsonType::Array,
            Lean::Object(_) => JsonType::Object,
        }
    }

    fn string_length(&self) -> Option<u64> {
        match self {
            // Code points: every byte that does not continue a UTF-8 sequence starts one.
            Lean::String(s) => Some(s.bytes().filter(|b| b & 0xC0 != 0x80).count() as u64),
            _ => None,
        }
    }

    fn equals_value(&self, expected: &Value) -> bool {
        match (self, expected) {
            (Lean::String(s), Value::String(e)) => **s == **e,
            (Lean::String(_), _) | (_, Value::String(_)) => false,
            (Lean::Bool(b), Value::Bool(e)) => b == e,
            (Lean::Null, Value::Null) => true,
            (Lean::Number(n), Value::Number(e)) => jsonschema::json::cmp::equal_numbers(&n, e),
            (Lean::Array(_) | Lean::Object(_), _) => {
                jsonschema::json::cmp::equal(&self.to_value(), expected)
            }
            _ => false,
        }
    }

    fn to_value(&self) -> Cow<'a, Value> {
        Cow::Owned(Lean::to_value(self))
    }

    fn identity(&self) -> Option<NodeIdentity> {
        Some(NodeIdentity::new(std::ptr::from_ref::<Lean>(*self) as usize))
    }
}

/// An object's members, as jsonschema walks them.
pub struct Members<'a>(std::slice::Iter<'a, (Cow<'a, str>, Lean<'a>)>);

impl<'a> Iterator for Members<'a> {
    type Item = (&'a str, &'a Lean<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(k, v)| (&**k, v))
    }
}

impl<'a> Object<'a, LeanJson> for &'a [(Cow<'a, str>, Lean<'a>)] {
    type Node = &'a Lean<'a>;
    type MemberName = &'a str;
    type MembersIter = Members<'a>;

    fn len(&self) -> usize {
        <[_]>::len(self)
    }

    fn get(&self, key: &Box<str>) -> Option<&'a Lean<'a>> {
        self.iter().find(|(k, _)| **k == **key).map(|(_, v)| v)
    }

    fn members(&self) -> Members<'a> {
        Members(self.iter())
    }
}

impl<'a> Array<'a, LeanJson> for &'a [Lean<'a>] {
    type Node = &'a Lean<'a>;
    type ElementsIter = std::slice::Iter<'a, Lean<'a>>;

    fn len(&self) -> usize {
        <[_]>::len(self)
    }

    fn elements(&self) -> Self::ElementsIter {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// What parsing the text as a `serde_json::Value` gives, in validation's words.
    fn as_value(body: &[u8]) -> Result<Value, String> {
        let text = json_text(body)?;
        serde_json::from_str(text).map_err(|e| syntax_message(&e))
    }

    #[test]
    fn same_value_as_serde_json() {
        let bodies: &[&[u8]] = &[
            br#"{"name":"Rex","tag":"dog","birthDate":"2020-01-02"}"#,
            br#"{"a":1,"b":-2,"c":1.5,"d":1e300,"e":18446744073709551615,"f":null,"g":[true,false,{}]}"#,
            br#"{"a":1,"b":2,"a":3}"#,
            br#"{"esc\u00e9":"line\nbreak \"quoted\" \ud83d\ude00","plain":"h\u00e9llo"}"#,
            b"\xEF\xBB\xBF[1, 2, 3]",
            b"  \"text\"  ",
            b"0",
            b"[[[[[]]]]]",
        ];
        for body in bodies {
            let lean = parse(body).unwrap_or_else(|e| panic!("{e:?}"));
            let value = as_value(body).unwrap();
            assert_eq!(lean.to_value(), value, "{}", String::from_utf8_lossy(body));
            // Same order of keys too.
            assert_eq!(
                serde_json::to_string(&lean.to_value()).unwrap(),
                serde_json::to_string(&value).unwrap()
            );
        }
    }

    #[test]
    fn same_errors_as_serde_json() {
        let bodies: &[&[u8]] = &[
            b"",
            b"{",
            b"{\"a\":}",
            b"[1,]",
            b"{} trailing",
            b"\xff\xfe",
            b"{\"a\":\"\xff\"}",
            b"nul",
            b"{\"a\" 1}",
            b"[1e400]",
        ];
        for body in bodies {
            let expected = as_value(body).unwrap_err();
            assert_eq!(parse(body), Err(Unparsed::Syntax(expected)));
        }
        // Past serde_json's nesting limit, as a `Value` parse says.
        let deep = "[".repeat(200);
        assert_eq!(
            parse(deep.as_bytes()),
            Err(Unparsed::Syntax(as_value(deep.as_bytes()).unwrap_err()))
        );
    }

    #[test]
    fn strings_without_escapes_are_borrowed() {
        let body = br#"{"name":"Rex","e":"a\"b"}"#;
        let Ok(Lean::Object(members)) = parse(body) else {
            panic!("not an object")
        };
        assert!(matches!(members[0].0, Cow::Borrowed("name")));
        assert!(matches!(members[0].1, Lean::String(Cow::Borrowed("Rex"))));
        assert_eq!(members[1].1, Lean::String(Cow::Owned("a\"b".into())));
    }

    #[test]
    fn wide_objects_are_left_to_serde_json() {
        let members: Vec<String> = (0..=MAX_MEMBERS).map(|i| format!("\"k{i}\":{i}")).collect();
        let body = format!("{{{}}}", members.join(","));
        assert_eq!(parse(body.as_bytes()), Err(Unparsed::Wide));
        let narrow = format!("{{{}}}", members[..MAX_MEMBERS].join(","));
        assert!(parse(narrow.as_bytes()).is_ok());
        // Repeating a key does not widen an object.
        let repeated = format!("{{{},\"k0\":7}}", members[..MAX_MEMBERS].join(","));
        let lean = parse(repeated.as_bytes()).unwrap();
        assert_eq!(lean.to_value()["k0"], json!(7));
        // A syntax error is still one after a wide object.
        let broken = format!("{{{},}}", members.join(","));
        assert!(matches!(parse(broken.as_bytes()), Err(Unparsed::Wide)));
    }

    #[test]
    fn validates_as_serde_json_does() {
        let schema = json!({
            "type": "object",
            "required": ["name"],
            "properties": {
                "name": {"type": "string", "minLength": 2, "maxLength": 4},
                "tag": {"enum": ["dog", "cat", 1, [1, 2], {"a": 1}]},
                "n": {"type": "integer", "minimum": 1, "multipleOf": 0.5},
                "items": {"type": "array", "uniqueItems": true, "items": {"type": "number"}},
                "when": {"type": "string", "format": "date"}
            },
            "propertyNames": {"maxLength": 5},
            "additionalProperties": false
        });
        let lean_v = jsonschema::options_for::<LeanJson>()
            .should_validate_formats(true)
            .build(&schema)
            .unwrap();
        let serde_v = jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .unwrap();
        let bodies = [
            r#"{"name":"Rex"}"#,
            r#"{"name":"R"}"#,
            r#"{"name":"Rexes"}"#,
            r#"{"name":"héé"}"#,
            r#"{"name":"Rex","tag":"dog"}"#,
            r#"{"name":"Rex","tag":"cow"}"#,
            r#"{"name":"Rex","tag":1.0}"#,
            r#"{"name":"Rex","tag":[1,2]}"#,
            r#"{"name":"Rex","tag":{"a":1}}"#,
            r#"{"name":"Rex","tag":{"a":2}}"#,
            r#"{"name":"Rex","n":2.5}"#,
            r#"{"name":"Rex","n":2.25}"#,
            r#"{"name":"Rex","n":0}"#,
            r#"{"name":"Rex","items":[1,2,3]}"#,
            r#"{"name":"Rex","items":[1,2,1.0]}"#,
            r#"{"name":"Rex","when":"2020-01-02"}"#,
            r#"{"name":"Rex","when":"2020-13-02"}"#,
            r#"{"name":"Rex","other":1}"#,
            r#"{"name":"Rex","toolong":1}"#,
            r#"{"tag":"dog"}"#,
            r#"[]"#,
            r#"null"#,
        ];
        for body in bodies {
            let lean = parse(body.as_bytes()).unwrap();
            let value: Value = serde_json::from_str(body).unwrap();
            assert_eq!(lean_v.is_valid(&lean), serde_v.is_valid(&value), "{body}");
        }
    }
}

//! The API model: plain, owned data that every input format is turned into and that every
//! later step (compile, route, validate, choose, render) reads. Nothing here knows which file
//! format it came from.

use crate::schema::{SchemaId, SchemaStore};
use serde_json::Value;

/// One API, ready to compile.
#[derive(Debug)]
pub struct Api {
    pub title: String,
    pub version: String,
    /// What the document was: "OpenAPI 3.0.3", "OpenAPI 3.1.0".
    pub format: String,
    /// Path prefixes from `servers` (e.g. `/v1`), accepted in front of every path.
    pub base_paths: Vec<String>,
    pub operations: Vec<Operation>,
    /// Webhooks described by the document (3.1): kept for `check`, not routed.
    pub webhooks: Vec<Operation>,
    pub schemas: SchemaStore,
    /// Problems that do not stop serving (examples that contradict their schema...).
    pub warnings: Vec<Diagnostic>,
    /// Security schemes declared in components, by name.
    pub security_schemes: Vec<SecurityScheme>,
    /// Whether the document is a contract: requests are checked against it unless `--validate`
    /// says otherwise, and its security is enforced. A Postman collection or recorded traffic
    /// is not (`x-stubborn-contract: false`): it shows requests, it does not forbid others.
    pub contract: bool,
    /// Saved examples matched the way Postman's mock server matches them, before the
    /// operations answer (`x-stubborn-saved-examples`; every collection has them).
    pub saved_examples: Vec<SavedExample>,
    /// OpenAPI 3.2 `in: querystring` parameters, by operation index (at most one per
    /// operation): the whole query string as one value. Kept beside the operations rather than
    /// in them so every other consumer of `Operation` is unchanged.
    pub querystrings: Vec<(usize, Querystring)>,
    /// The `callbacks` of the operations: requests the API makes to its client after
    /// answering. Kept beside the operations, by operation index, like `querystrings`.
    pub callbacks: Vec<Callback>,
}

/// One request of an operation's `callbacks` (OpenAPI 3.0+): after answering operation
/// `operation`, the API sends `request` to the URL `expression` names.
#[derive(Debug)]
pub struct Callback {
    /// The index of the operation in `Api::operations`.
    pub operation: usize,
    /// The callback's key under `callbacks` (`onPaid`).
    pub name: String,
    /// The runtime expression as written (`{$request.body#/callbackUrl}`): also the
    /// `path` of `request`.
    pub expression: String,
    /// The request sent: its method, parameters, body and the responses the receiver may
    /// give, as an operation describes them.
    pub request: Operation,
}

/// An `in: querystring` parameter (OpenAPI 3.2): the whole query string, serialised as its one
/// `content` media type (`application/x-www-form-urlencoded` or JSON), validated as one value.
#[derive(Debug)]
pub struct Querystring {
    pub name: String,
    pub required: bool,
    pub content: MediaType,
}

impl Api {
    /// The `in: querystring` parameter of operation `index`, if it has one.
    pub fn querystring(&self, index: usize) -> Option<&Querystring> {
        self.querystrings
            .iter()
            .find(|(i, _)| *i == index)
            .map(|(_, q)| q)
    }
}

/// A saved example: the request that produced it and the response saved with it, as a Postman
/// collection keeps them. Every variable the document or its environment defines is already
/// filled in.
#[derive(Clone, Debug, PartialEq)]
pub struct SavedExample {
    pub name: String,
    /// Postman's response id (`x-mock-response-id` also takes `<user id>-<id>`).
    pub id: Option<String>,
    /// As written, upper case: any token, not only the methods OpenAPI knows.
    pub method: String,
    pub path: Vec<SavedSegment>,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    /// The raw request body and its media type, when the request had one.
    pub body: Option<(String, String)>,
    pub status: u16,
    pub response_headers: Vec<(String, String)>,
    pub response_body: String,
    /// Where it was written, for messages: `collection.json#/item/0/response/1`.
    pub origin: String,
}

/// One segment of a saved example's path.
#[derive(Clone, Debug, PartialEq)]
pub enum SavedSegment {
    Literal(String),
    /// `:id`, or a `{{variable}}` nothing defines: matches any segment; `value` is the one the
    /// example was saved with, when known.
    Variable {
        name: String,
        value: Option<String>,
    },
}

/// A warning or error tied to a place in the source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// `file#/json/pointer`
    pub at: String,
    pub message: String,
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.at, self.message)
    }
}

/// HTTP methods an OpenAPI path item can hold: the fixed fields (3.2 adds `query`, HTTP
/// QUERY: safe, with a body) and, through 3.2's `additionalOperations`, any other method token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Method {
    Get,
    Put,
    Post,
    Delete,
    Options,
    Head,
    Patch,
    Trace,
    Query,
    /// A method from `additionalOperations` (`LINK`, `PURGE`...), as written (methods are
    /// case-sensitive), at most [`MethodToken::MAX`] bytes.
    Other(MethodToken),
}

/// A method name that is not one of the fixed fields: a valid HTTP token, kept inline so that
/// `Method` stays `Copy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MethodToken {
    len: u8,
    bytes: [u8; MethodToken::MAX],
}

impl MethodToken {
    /// The longest method name served; longer ones are refused at load (and answered 405).
    pub const MAX: usize = 24;

    /// `name` if it is an HTTP token (RFC 9110 `tchar`s) of at most [`Self::MAX`] bytes.
    pub fn new(name: &str) -> Option<MethodToken> {
        let b = name.as_bytes();
        let tchar = |c: u8| c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c);
        if b.is_empty() || b.len() > Self::MAX || !b.iter().all(|&c| tchar(c)) {
            return None;
        }
        let mut bytes = [0u8; Self::MAX];
        bytes[..b.len()].copy_from_slice(b);
        Some(MethodToken {
            len: b.len() as u8,
            bytes,
        })
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII is ever stored (see `new`).
        std::str::from_utf8(&self.bytes[..self.len as usize]).unwrap_or("?")
    }
}

impl Method {
    /// The fixed fields of a path item, in the order they are read.
    pub const ALL: [Method; 9] = [
        Method::Get,
        Method::Put,
        Method::Post,
        Method::Delete,
        Method::Options,
        Method::Head,
        Method::Patch,
        Method::Trace,
        Method::Query,
    ];

    /// The lower-case key used in OpenAPI path items (`None` for an additional operation,
    /// which lives under `additionalOperations` by its own name).
    pub fn key(self) -> Option<&'static str> {
        Some(match self {
            Method::Get => "get",
            Method::Put => "put",
            Method::Post => "post",
            Method::Delete => "delete",
            Method::Options => "options",
            Method::Head => "head",
            Method::Patch => "patch",
            Method::Trace => "trace",
            Method::Query => "query",
            Method::Other(_) => return None,
        })
    }

    pub fn as_str(&self) -> &str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
            Method::Head => "HEAD",
            Method::Patch => "PATCH",
            Method::Trace => "TRACE",
            Method::Query => "QUERY",
            Method::Other(t) => t.as_str(),
        }
    }

    /// Parses a method name: the fixed ones case-insensitively, any other HTTP token as an
    /// additional method, exactly as written. `None` for what is no method token (or too long).
    pub fn parse(s: &str) -> Option<Method> {
        Method::ALL
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(s))
            .or_else(|| MethodToken::new(s).map(Method::Other))
    }

    /// Parses one of the fixed methods only (case-insensitively).
    pub fn parse_fixed(s: &str) -> Option<Method> {
        Method::ALL
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(s))
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One operation: a method on a path template.
#[derive(Debug)]
pub struct Operation {
    /// `operationId`, or `METHOD path` when the document gives none.
    pub id: String,
    pub method: Method,
    /// The path template as written, e.g. `/pets/{petId}`.
    pub path: String,
    pub summary: Option<String>,
    pub parameters: Vec<Parameter>,
    pub request_body: Option<RequestBody>,
    pub responses: Vec<Response>,
    /// Alternatives (OR) of requirements; each requirement lists scheme names (AND).
    /// `None`: not stated on the operation (the document's global security applies, already
    /// folded in by the loader); `Some(vec![])`: explicitly open.
    pub security: Vec<Vec<String>>,
    /// Where the operation is in the source: `file#/paths/~1pets/get`.
    pub origin: String,
    /// Extension fields (`x-...`) of the operation, for later features.
    pub extensions: serde_json::Map<String, Value>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ParamIn {
    Path,
    Query,
    Header,
    Cookie,
}

impl ParamIn {
    pub fn as_str(self) -> &'static str {
        match self {
            ParamIn::Path => "path",
            ParamIn::Query => "query",
            ParamIn::Header => "header",
            ParamIn::Cookie => "cookie",
        }
    }
}

#[derive(Debug)]
pub struct Parameter {
    pub name: String,
    pub location: ParamIn,
    pub required: bool,
    pub schema: Option<SchemaId>,
    /// `style`, defaulted by location (form for query/cookie, simple for path/header).
    pub style: String,
    pub explode: bool,
    pub allow_empty_value: bool,
    pub allow_reserved: bool,
    /// `content` instead of `schema` (a parameter serialised as, say, JSON).
    pub content: Option<MediaType>,
    pub examples: Vec<Example>,
    pub deprecated: bool,
}

#[derive(Debug)]
pub struct RequestBody {
    pub required: bool,
    pub content: Vec<MediaType>,
    /// Aligned with `content`: the schema of one item of a sequential media type (3.2's
    /// `itemSchema`), for bodies validated item by item.
    pub item_schemas: Vec<Option<ItemSchema>>,
}

/// How a response is keyed in `responses`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StatusKey {
    Code(u16),
    /// `2XX` → `Range(2)`.
    Range(u8),
    Default,
}

impl StatusKey {
    pub fn parse(s: &str) -> Option<StatusKey> {
        if s.eq_ignore_ascii_case("default") {
            return Some(StatusKey::Default);
        }
        let b = s.as_bytes();
        if b.len() == 3 && (b'1'..=b'5').contains(&b[0]) {
            if b[1..].eq_ignore_ascii_case(b"xx") {
                return Some(StatusKey::Range(b[0] - b'0'));
            }
            if let Ok(n) = s.parse::<u16>() {
                return Some(StatusKey::Code(n));
            }
        }
        None
    }

    /// The status code this key is served with: a range as its `X00`, `default` as 200.
    pub fn serve_code(self) -> u16 {
        match self {
            StatusKey::Code(c) => c,
            StatusKey::Range(r) => r as u16 * 100,
            StatusKey::Default => 200,
        }
    }

    /// Does a concrete status code fall under this key?
    pub fn covers(self, code: u16) -> bool {
        match self {
            StatusKey::Code(c) => c == code,
            StatusKey::Range(r) => code / 100 == r as u16,
            StatusKey::Default => true,
        }
    }
}

impl std::fmt::Display for StatusKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StatusKey::Code(c) => write!(f, "{c}"),
            StatusKey::Range(r) => write!(f, "{r}XX"),
            StatusKey::Default => f.write_str("default"),
        }
    }
}

#[derive(Debug)]
pub struct Response {
    pub status: StatusKey,
    pub description: String,
    pub headers: Vec<Header>,
    pub content: Vec<MediaType>,
    /// Aligned with `content`: the schema of one item of a sequential media type (3.2's
    /// `itemSchema`; for `text/event-stream` in 3.0/3.1, its plain `schema`, which is how
    /// those documents describe an event). A media type with one is answered as a stream.
    pub item_schemas: Vec<Option<ItemSchema>>,
}

/// The schema of one item of a sequential media type (`text/event-stream`, JSON Lines,
/// `json-seq`, `multipart/mixed`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ItemSchema {
    pub schema: SchemaId,
    /// For an event stream: the item is an event's `data` (a 3.0/3.1 `schema`), not the event
    /// object with `event`/`data`/`id`/`retry` fields (3.2's `itemSchema`).
    pub data_only: bool,
    /// For an event object whose `data` is JSON text: the schema of that JSON (its
    /// `contentSchema`), so `data` is generated as JSON of that schema.
    pub data_schema: Option<SchemaId>,
}

#[derive(Debug)]
pub struct Header {
    pub name: String,
    pub required: bool,
    pub schema: Option<SchemaId>,
    pub examples: Vec<Example>,
}

#[derive(Debug)]
pub struct MediaType {
    /// As written, e.g. `application/json; charset=utf-8`.
    pub media_type: String,
    pub schema: Option<SchemaId>,
    /// `example` first (named `default`... unnamed), then `examples` in document order.
    pub examples: Vec<Example>,
    /// `encoding` (form and multipart bodies), kept as written for the validator.
    pub encoding: Option<Value>,
}

#[derive(Clone, Debug)]
pub struct Example {
    /// The key under `examples`; `None` for a lone `example`.
    pub name: Option<String>,
    pub summary: Option<String>,
    pub value: Value,
    /// The example exactly as sent (3.2's `serializedValue`, or the file `externalValue`
    /// names): served byte for byte instead of serialising `value`.
    pub serialized: Option<String>,
    /// `file#/pointer` of the example, for messages.
    pub origin: String,
}

#[derive(Clone, Debug)]
pub struct SecurityScheme {
    pub name: String,
    /// apiKey, http, oauth2, openIdConnect, mutualTLS.
    pub kind: String,
    /// For apiKey: the parameter name and where it goes.
    pub param_name: Option<String>,
    pub location: Option<ParamIn>,
    /// For http: basic, bearer...
    pub scheme: Option<String>,
}

/// Where the document says credentials travel, so that logs never show them: the names of
/// its API keys in headers (lower case) and in the query. (`Authorization` and cookies are
/// never logged at all.)
#[derive(Clone, Debug, Default)]
pub struct Credentials {
    pub headers: Vec<String>,
    pub query: Vec<String>,
}

impl Credentials {
    pub fn of(schemes: &[SecurityScheme]) -> Credentials {
        let mut c = Credentials::default();
        for s in schemes {
            let Some(name) = s.param_name.as_deref().filter(|_| s.kind == "apiKey") else {
                continue;
            };
            match s.location {
                Some(ParamIn::Query) => c.query.push(name.to_string()),
                Some(ParamIn::Header) | None => c.headers.push(name.to_ascii_lowercase()),
                // The whole Cookie header is withheld already.
                Some(ParamIn::Cookie) | Some(ParamIn::Path) => {}
            }
        }
        c
    }
}

impl Api {
    /// An API with no operations: a mock built from scratch through the admin API's stubs.
    pub fn empty() -> Api {
        Api {
            title: "stubborn (no document)".into(),
            version: String::new(),
            format: "none".into(),
            base_paths: Vec::new(),
            operations: Vec::new(),
            webhooks: Vec::new(),
            schemas: SchemaStore::new(),
            warnings: Vec::new(),
            security_schemes: Vec::new(),
            contract: true,
            saved_examples: Vec::new(),
            querystrings: Vec::new(),
            callbacks: Vec::new(),
        }
    }

    /// Counts of things in the API, for `check` and the start-up banner.
    pub fn operation_count(&self) -> usize {
        self.operations.len()
    }
}

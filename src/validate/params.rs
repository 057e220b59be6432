//! Parameters: from the raw pieces of an HTTP request (router captures, query string, headers,
//! cookies) to the JSON values the schema validator judges.
//!
//! Deserialisation follows the OpenAPI "Style Values" table (simple, label, matrix, form,
//! spaceDelimited, pipeDelimited, deepObject, with and without `explode`), then every raw string
//! is coerced to the type its schema expects when it parses as that type (`"12"` → `12` for an
//! integer). A string that does not parse stays a string, so the validator reports it with the
//! client's own text (`must be an integer, got "abc"`).
//!
//! What a schema looks like for this purpose (its [`Shape`], shared with templates in
//! `crate::schema::shape`) is worked out once, at load time, by [`compile`]; a request only
//! walks strings.

use super::{Place, Violation};
use crate::model::{ParamIn, Parameter};
use crate::schema::shape::{coerce, Kind, Shape, ANY, T_NULL, T_STR};
use crate::schema::SchemaStore;
use http::{HeaderMap, HeaderName};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Nesting of deepObject keys (`a[b][c]...`) accepted.
const MAX_BRACKETS: usize = 16;

fn coerce_all<'a>(raws: impl IntoIterator<Item = &'a str>, shape: &Shape) -> Value {
    Value::Array(raws.into_iter().map(|r| coerce(r, shape)).collect())
}

/// Adds a property; a key given twice becomes an array of its values.
fn push_field(map: &mut Map<String, Value>, key: &str, value: Value) {
    match map.get_mut(key) {
        None => {
            map.insert(key.to_owned(), value);
        }
        Some(Value::Array(a)) => a.push(value),
        Some(old) => {
            let first = old.take();
            *old = Value::Array(vec![first, value]);
        }
    }
}

fn object_value(pairs: &[(&str, &str)], shape: &Shape) -> Value {
    let mut map = Map::new();
    for (k, v) in pairs {
        push_field(&mut map, k, coerce(v, shape.prop(k)));
    }
    Value::Object(map)
}

/// Items of an object serialisation: `k=v` items when exploded, else alternating keys and values.
fn pairs_of<'a>(items: &[&'a str], explode: bool) -> Result<Vec<(&'a str, &'a str)>, String> {
    if explode {
        items
            .iter()
            .map(|item| {
                item.split_once('=')
                    .ok_or_else(|| format!("\"{item}\" is not a key=value pair"))
            })
            .collect()
    } else if !items.len().is_multiple_of(2) {
        Err(format!(
            "{} items cannot be read as key,value pairs",
            items.len()
        ))
    } else {
        Ok(items.chunks(2).map(|c| (c[0], c[1])).collect())
    }
}

fn split_items(raw: &str, sep: char, trim: bool) -> Vec<&str> {
    if raw.is_empty() {
        return Vec::new();
    }
    raw.split(sep)
        .map(|s| if trim { s.trim() } else { s })
        .collect()
}

/// Parses a `content`-style value: JSON when the media type is JSON, else the string.
fn content_value(raw: &str, json: bool) -> Result<Value, String> {
    if json {
        serde_json::from_str(raw).map_err(|e| format!("is not valid JSON: {e}"))
    } else {
        Ok(Value::String(raw.to_owned()))
    }
}

// ---------------------------------------------------------------------------------------------
// Styles
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Style {
    Simple,
    Label,
    Matrix,
    Form,
    SpaceDelimited,
    PipeDelimited,
    DeepObject,
}

impl Style {
    /// The style as written, or the location's default when it is unknown or does not apply
    /// to the location.
    pub(crate) fn parse(style: &str, location: ParamIn) -> Style {
        let s = match style {
            "simple" => Style::Simple,
            "label" => Style::Label,
            "matrix" => Style::Matrix,
            "form" => Style::Form,
            "spaceDelimited" => Style::SpaceDelimited,
            "pipeDelimited" => Style::PipeDelimited,
            "deepObject" => Style::DeepObject,
            _ => return Style::default_for(location),
        };
        let fits = match location {
            ParamIn::Path => matches!(s, Style::Simple | Style::Label | Style::Matrix),
            ParamIn::Query => matches!(
                s,
                Style::Form | Style::SpaceDelimited | Style::PipeDelimited | Style::DeepObject
            ),
            ParamIn::Header => s == Style::Simple,
            ParamIn::Cookie => s == Style::Form,
        };
        if fits {
            s
        } else {
            Style::default_for(location)
        }
    }

    fn default_for(location: ParamIn) -> Style {
        match location {
            ParamIn::Path | ParamIn::Header => Style::Simple,
            ParamIn::Query | ParamIn::Cookie => Style::Form,
        }
    }

    fn delimiter(self) -> char {
        match self {
            Style::SpaceDelimited => ' ',
            Style::PipeDelimited => '|',
            _ => ',',
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Compiled parameters
// ---------------------------------------------------------------------------------------------

/// How one named value is deserialised: shared by parameters and form body fields.
#[derive(Clone, Debug)]
pub(crate) struct Spec {
    pub(crate) name: String,
    pub(crate) style: Style,
    pub(crate) explode: bool,
    pub(crate) shape: Shape,
    /// `Some(is_json)` for a value serialised as a media type rather than by style.
    pub(crate) content_json: Option<bool>,
}

/// A parameter prepared at load time (shape of its schema resolved once, never per request).
#[derive(Clone, Debug)]
pub struct CompiledParam {
    /// Index in `Operation.parameters`.
    pub index: usize,
    pub name: String,
    pub location: ParamIn,
    /// Always true for path parameters.
    pub required: bool,
    spec: Spec,
    allow_empty_value: bool,
    /// `Accept`, `Content-Type` and `Authorization` header parameters, which the spec says to
    /// ignore.
    ignored: bool,
    /// The header name, when it is a valid one.
    header: Option<HeaderName>,
    /// How its violations name it, made once.
    who: Who,
}

impl CompiledParam {
    /// Does this parameter read the query (or cookie) key `key`, so that an open exploded
    /// object must not sweep it up?
    fn claims(&self, key: &str) -> bool {
        if self.name == key {
            return true;
        }
        if self.spec.content_json.is_some() {
            return false;
        }
        let kind = self.spec.shape.kind();
        (kind != Kind::Primitive && is_bracket_key(key, &self.name))
            || (kind == Kind::Object && self.spec.explode && self.spec.shape.has_prop(key))
    }
}

/// Prepares a parameter for [`extract`].
pub fn compile(store: &SchemaStore, index: usize, p: &Parameter) -> CompiledParam {
    let schema = p.content.as_ref().and_then(|m| m.schema).or(p.schema);
    let shape = schema
        .map(|id| Shape::of(store, store.get(id)))
        .unwrap_or_default();
    let content_json = p
        .content
        .as_ref()
        .map(|m| crate::media::is_json_media(&m.media_type));
    let ignored = p.location == ParamIn::Header
        && ["accept", "content-type", "authorization"]
            .iter()
            .any(|h| h.eq_ignore_ascii_case(&p.name));
    let header = match p.location {
        ParamIn::Header => HeaderName::from_bytes(p.name.as_bytes()).ok(),
        _ => None,
    };
    CompiledParam {
        index,
        name: p.name.clone(),
        location: p.location,
        required: p.required || p.location == ParamIn::Path,
        spec: Spec {
            name: p.name.clone(),
            style: Style::parse(&p.style, p.location),
            explode: p.explode,
            shape,
            content_json,
        },
        allow_empty_value: p.allow_empty_value,
        ignored,
        header,
        who: Who {
            place: place_of(p.location),
            name: p.name.clone(),
            label: format!("{} parameter \"{}\"", p.location.as_str(), p.name),
        },
    }
}

/// The raw pieces of a request that parameters come from.
pub struct RawRequest<'a> {
    /// Name → percent-DECODED value from the router.
    pub path_params: &'a [(String, String)],
    /// Raw query string, still percent-encoded, without '?'.
    pub query: Option<&'a str>,
    pub headers: &'a HeaderMap,
}

fn place_of(location: ParamIn) -> Place {
    match location {
        ParamIn::Path => Place::Path,
        ParamIn::Query => Place::Query,
        ParamIn::Header => Place::Header,
        ParamIn::Cookie => Place::Cookie,
    }
}

/// Who a violation is about: where, its name, and how a message names it.
#[derive(Clone, Debug)]
pub(crate) struct Who {
    pub(crate) place: Place,
    pub(crate) name: String,
    /// `query parameter "limit"`, `form field "tags"`.
    pub(crate) label: String,
}

impl Who {
    pub(crate) fn syntax(&self, why: impl std::fmt::Display) -> Violation {
        Violation::new(
            self.place,
            self.name.clone(),
            "syntax",
            format!("{} {why}", self.label),
        )
        .malformed()
    }

    fn repeated(&self, times: usize) -> Violation {
        Violation::new(
            self.place,
            self.name.clone(),
            "type",
            format!("{} was given {times} times but takes one value", self.label),
        )
    }
}

/// What deserialising one value gave.
pub(crate) enum Got {
    /// Not in the request.
    Absent,
    /// In the request, but there is nothing to validate (a violation was recorded, or an
    /// allowed empty value the schema cannot hold).
    Skip,
    Value(Value),
}

/// Deserialises every parameter. Returns, per CompiledParam (same order as `params`), the value
/// to validate (None when absent), plus violations found while deserialising: required
/// parameter missing (keyword "required"), empty value without allowEmptyValue (keyword
/// "allowEmptyValue"), a non-array query or header parameter given several times (keyword
/// "type"), malformed serialisation (keyword "syntax", `.malformed()`).
///
/// A parameter with a violation here has the value None, as has an ignored header parameter
/// and an allowed empty query value whose schema admits neither `""` nor `null`: the required
/// check is done here, so callers only validate the `Some` values.
pub fn extract(params: &[CompiledParam], req: &RawRequest) -> (Vec<Option<Value>>, Vec<Violation>) {
    let mut out = Vec::new();
    let query = match req.query {
        Some(q) if params.iter().any(|p| p.location == ParamIn::Query) => parse_pairs(q.as_bytes()),
        _ => Vec::new(),
    };
    let cookies = if params.iter().any(|p| p.location == ParamIn::Cookie) {
        parse_cookies(req.headers)
    } else {
        Vec::new()
    };
    let mut values = Vec::with_capacity(params.len());
    for (i, p) in params.iter().enumerate() {
        if p.ignored {
            values.push(None);
            continue;
        }
        let who = &p.who;
        let got = match p.location {
            ParamIn::Path => match req.path_params.iter().find(|(n, _)| *n == p.name) {
                None => Got::Absent,
                Some((_, raw)) => settle(path_value(&p.spec, raw), who, &mut out),
            },
            ParamIn::Header => header_value(p, req.headers, who, &mut out),
            ParamIn::Query | ParamIn::Cookie => {
                let cookie = p.location == ParamIn::Cookie;
                let opts = PairOpts {
                    check_empty: !cookie,
                    allow_empty: p.allow_empty_value,
                    repeat: if cookie {
                        Repeat::First
                    } else {
                        Repeat::Reject
                    },
                    split_always: cookie,
                    flat_objects: true,
                    loose_brackets: false,
                };
                let sweep = |key: &str| {
                    !params
                        .iter()
                        .enumerate()
                        .any(|(j, q)| j != i && q.location == p.location && q.claims(key))
                };
                let pairs = if cookie { &cookies } else { &query };
                from_pairs(&p.spec, &opts, who, pairs, &sweep, &mut out)
            }
        };
        values.push(match got {
            Got::Value(v) => Some(v),
            Got::Skip => None,
            Got::Absent => {
                if p.required {
                    out.push(Violation::new(
                        who.place,
                        p.name.clone(),
                        "required",
                        format!("required {} is missing", who.label),
                    ));
                }
                None
            }
        });
    }
    (values, out)
}

fn settle(r: Result<Value, String>, who: &Who, out: &mut Vec<Violation>) -> Got {
    match r {
        Ok(v) => Got::Value(v),
        Err(why) => {
            out.push(who.syntax(why));
            Got::Skip
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Path and header: simple, label, matrix
// ---------------------------------------------------------------------------------------------

fn path_value(spec: &Spec, raw: &str) -> Result<Value, String> {
    if let Some(json) = spec.content_json {
        return content_value(raw, json);
    }
    match spec.style {
        Style::Label => label(spec, raw),
        Style::Matrix => matrix(spec, raw),
        _ => simple(spec, raw, false),
    }
}

fn simple(spec: &Spec, raw: &str, trim: bool) -> Result<Value, String> {
    let shape = &spec.shape;
    match shape.kind() {
        Kind::Primitive => Ok(coerce(if trim { raw.trim() } else { raw }, shape)),
        Kind::Array => Ok(coerce_all(split_items(raw, ',', trim), shape.item())),
        Kind::Object => {
            let items = split_items(raw, ',', trim);
            let pairs = pairs_of(&items, spec.explode)?;
            Ok(object_value(&pairs, shape))
        }
    }
}

fn label(spec: &Spec, raw: &str) -> Result<Value, String> {
    let Some(rest) = raw.strip_prefix('.') else {
        return Err(format!(
            "must start with \".\" (label style), got \"{raw}\""
        ));
    };
    let shape = &spec.shape;
    // OpenAPI 3.1.1 separates unexploded items with commas; 3.0 and 3.1.0 wrote dots.
    let sep = if spec.explode || !rest.contains(',') {
        '.'
    } else {
        ','
    };
    match shape.kind() {
        Kind::Primitive => Ok(coerce(rest, shape)),
        Kind::Array => Ok(coerce_all(split_items(rest, sep, false), shape.item())),
        Kind::Object => {
            let items = split_items(rest, sep, false);
            let pairs = pairs_of(&items, spec.explode)?;
            Ok(object_value(&pairs, shape))
        }
    }
}

fn matrix(spec: &Spec, raw: &str) -> Result<Value, String> {
    let name = spec.name.as_str();
    let Some(rest) = raw.strip_prefix(';') else {
        return Err(format!(
            "must start with \";\" (matrix style), got \"{raw}\""
        ));
    };
    let shape = &spec.shape;
    let kind = shape.kind();
    if spec.explode && kind != Kind::Primitive {
        let segments: Vec<&str> = rest.split(';').collect();
        if kind == Kind::Array {
            if segments == [name] {
                return Ok(Value::Array(Vec::new()));
            }
            let mut items = Vec::with_capacity(segments.len());
            for seg in segments {
                match seg.split_once('=') {
                    Some((k, v)) if k == name => items.push(v),
                    _ => {
                        return Err(format!(
                            "expected \";{name}=value\" segments, got \";{seg}\""
                        ))
                    }
                }
            }
            return Ok(coerce_all(items, shape.item()));
        }
        let pairs = pairs_of(&segments, true)?;
        return Ok(object_value(&pairs, shape));
    }
    let value = match rest.strip_prefix(name) {
        Some("") => "",
        Some(v) if v.starts_with('=') => &v[1..],
        _ => return Err(format!("expected \";{name}=...\", got \"{raw}\"")),
    };
    match kind {
        Kind::Primitive => Ok(coerce(value, shape)),
        Kind::Array => Ok(coerce_all(split_items(value, ',', false), shape.item())),
        Kind::Object => {
            let items = split_items(value, ',', false);
            let pairs = pairs_of(&items, false)?;
            Ok(object_value(&pairs, shape))
        }
    }
}

fn header_value(
    p: &CompiledParam,
    headers: &HeaderMap,
    who: &Who,
    out: &mut Vec<Violation>,
) -> Got {
    let Some(name) = &p.header else {
        return Got::Absent;
    };
    let values: Vec<String> = headers
        .get_all(name)
        .iter()
        .map(|v| String::from_utf8_lossy(v.as_bytes()).trim().to_owned())
        .collect();
    if values.is_empty() {
        return Got::Absent;
    }
    let single = p.spec.content_json.is_some() || p.spec.shape.kind() == Kind::Primitive;
    if single && values.len() > 1 {
        out.push(who.repeated(values.len()));
        return Got::Skip;
    }
    let joined = values.join(", ");
    let r = match p.spec.content_json {
        Some(json) => content_value(&joined, json),
        None => simple(&p.spec, &joined, true),
    };
    settle(r, who, out)
}

// ---------------------------------------------------------------------------------------------
// Query, cookies and form bodies: key/value pairs
// ---------------------------------------------------------------------------------------------

/// One decoded `key=value` pair.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Pair {
    pub(crate) key: String,
    pub(crate) value: String,
    /// The value was not UTF-8 once percent-decoded (it holds a lossy version).
    pub(crate) bad: bool,
}

fn form_decode(raw: &[u8]) -> (String, bool) {
    let plus_free: std::borrow::Cow<[u8]> = if raw.contains(&b'+') {
        raw.iter()
            .map(|&b| if b == b'+' { b' ' } else { b })
            .collect::<Vec<u8>>()
            .into()
    } else {
        raw.into()
    };
    let bytes: std::borrow::Cow<[u8]> = percent_encoding::percent_decode(&plus_free).into();
    match String::from_utf8(bytes.into_owned()) {
        Ok(s) => (s, false),
        Err(e) => (String::from_utf8_lossy(e.as_bytes()).into_owned(), true),
    }
}

/// Splits `application/x-www-form-urlencoded` text (a query string or a form body) into
/// decoded pairs: `+` is a space, `%XX` a byte; a key without `=` has an empty value.
pub(crate) fn parse_pairs(raw: &[u8]) -> Vec<Pair> {
    raw.split(|&b| b == b'&')
        .filter(|seg| !seg.is_empty())
        .map(|seg| {
            let (k, v) = match seg.iter().position(|&b| b == b'=') {
                Some(i) => (&seg[..i], &seg[i + 1..]),
                None => (seg, &[][..]),
            };
            let (key, _) = form_decode(k);
            let (value, bad) = form_decode(v);
            Pair { key, value, bad }
        })
        .collect()
}

/// Cookies from every `Cookie` header ([`crate::cookies::pairs`]): `a=1; b=2`. Values are
/// percent-decoded when that gives UTF-8 (a `+` stays a `+`).
fn parse_cookies(headers: &HeaderMap) -> Vec<Pair> {
    crate::cookies::pairs(headers)
        .into_iter()
        .map(|(key, v)| {
            let value = match percent_encoding::percent_decode_str(&v).decode_utf8() {
                Ok(d) => d.into_owned(),
                Err(_) => v,
            };
            Pair {
                key,
                value,
                bad: false,
            }
        })
        .collect()
}

/// Is `key` of the form `name[...]`?
pub(crate) fn is_bracket_key(key: &str, name: &str) -> bool {
    key.len() > name.len() && key.starts_with(name) && key.as_bytes()[name.len()] == b'['
}

/// What to do with a single-valued field given several times.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Repeat {
    /// A "type" violation (query parameters).
    Reject,
    /// Keep the first (cookies: the most specific path comes first).
    First,
    /// An array of the values, for the validator to judge (form bodies).
    Array,
}

/// How pairs are read for one kind of source.
pub(crate) struct PairOpts {
    /// An empty value needs `allowEmptyValue` (query parameters).
    pub(crate) check_empty: bool,
    pub(crate) allow_empty: bool,
    pub(crate) repeat: Repeat,
    /// Split every occurrence of an array on its delimiter, exploded or not (cookies).
    pub(crate) split_always: bool,
    /// An exploded form object's properties are keys of their own (parameters); when false
    /// (form bodies) the field's own value is kept as is.
    pub(crate) flat_objects: bool,
    /// `name[...]` keys are read as a deepObject whatever the style (form bodies).
    pub(crate) loose_brackets: bool,
}

/// Deserialises the field `spec` from `pairs`. `sweep` says which undeclared keys an open
/// exploded object may take as its properties.
pub(crate) fn from_pairs(
    spec: &Spec,
    opts: &PairOpts,
    who: &Who,
    pairs: &[Pair],
    sweep: &dyn Fn(&str) -> bool,
    out: &mut Vec<Violation>,
) -> Got {
    let name = spec.name.as_str();
    let shape = &spec.shape;
    let mut kind = shape.kind();
    if let Some(json) = spec.content_json {
        let occ: Vec<&Pair> = pairs.iter().filter(|p| p.key == name).collect();
        return match single(&occ, opts, who, out) {
            Some(p) if p.bad => {
                out.push(who.syntax("is not valid UTF-8 once percent-decoded"));
                Got::Skip
            }
            Some(p) => settle(content_value(&p.value, json), who, out),
            None if occ.is_empty() => Got::Absent,
            None => Got::Skip,
        };
    }
    if (kind != Kind::Primitive && spec.style == Style::DeepObject)
        || (opts.loose_brackets && pairs.iter().any(|p| is_bracket_key(&p.key, name)))
    {
        return deep_object(spec, who, pairs, out);
    }
    if kind == Kind::Object
        && spec.explode
        && matches!(
            spec.style,
            Style::Form | Style::SpaceDelimited | Style::PipeDelimited
        )
    {
        if opts.flat_objects {
            return exploded_object(spec, opts, who, pairs, sweep, out);
        }
        kind = Kind::Primitive;
    }
    let occ: Vec<&Pair> = pairs.iter().filter(|p| p.key == name).collect();
    if occ.is_empty() {
        return Got::Absent;
    }
    if occ.iter().any(|p| p.bad) {
        out.push(who.syntax("is not valid UTF-8 once percent-decoded"));
        return Got::Skip;
    }
    if opts.check_empty && occ.iter().all(|p| p.value.is_empty()) {
        return empty(spec, opts, who, out);
    }
    match kind {
        Kind::Primitive => {
            if occ.len() > 1 && opts.repeat == Repeat::Array {
                return Got::Value(coerce_all(occ.iter().map(|p| p.value.as_str()), shape));
            }
            match single(&occ, opts, who, out) {
                Some(p) => Got::Value(coerce(&p.value, shape)),
                None => Got::Skip,
            }
        }
        Kind::Array => {
            let delim = spec.style.delimiter();
            let items: Vec<&str> = if spec.explode && !opts.split_always {
                occ.iter().map(|p| p.value.as_str()).collect()
            } else {
                occ.iter()
                    .flat_map(|p| split_items(&p.value, delim, false))
                    .collect()
            };
            Got::Value(coerce_all(items, shape.item()))
        }
        Kind::Object => {
            let Some(p) = single(&occ, opts, who, out) else {
                return Got::Skip;
            };
            let items = split_items(&p.value, spec.style.delimiter(), false);
            settle(
                pairs_of(&items, false).map(|pairs| object_value(&pairs, shape)),
                who,
                out,
            )
        }
    }
}

/// The one occurrence of a single-valued field (None when there is none, or several that are
/// rejected, with the violation recorded).
fn single<'p>(
    occ: &[&'p Pair],
    opts: &PairOpts,
    who: &Who,
    out: &mut Vec<Violation>,
) -> Option<&'p Pair> {
    if occ.len() > 1 && opts.repeat != Repeat::First {
        out.push(who.repeated(occ.len()));
        return None;
    }
    occ.first().copied()
}

/// A present but empty query value: a violation unless `allowEmptyValue`, else the empty form
/// of what the schema holds.
fn empty(spec: &Spec, opts: &PairOpts, who: &Who, out: &mut Vec<Violation>) -> Got {
    if !opts.allow_empty {
        out.push(Violation::new(
            who.place,
            who.name.clone(),
            "allowEmptyValue",
            format!("{} is empty but does not allow empty values", who.label),
        ));
        return Got::Skip;
    }
    let t = spec.shape.types;
    match spec.shape.kind() {
        Kind::Array => Got::Value(Value::Array(Vec::new())),
        Kind::Object => Got::Value(Value::Object(Map::new())),
        Kind::Primitive if t == 0 || t & T_STR != 0 => Got::Value(Value::String(String::new())),
        Kind::Primitive if t & T_NULL != 0 => Got::Value(Value::Null),
        Kind::Primitive => Got::Skip,
    }
}

/// An exploded form object: its properties are keys of their own (`role=admin&firstName=Alex`).
fn exploded_object(
    spec: &Spec,
    opts: &PairOpts,
    who: &Who,
    pairs: &[Pair],
    sweep: &dyn Fn(&str) -> bool,
    out: &mut Vec<Violation>,
) -> Got {
    let shape = &spec.shape;
    let open = shape.open();
    let mut groups: Vec<(&str, Vec<&Pair>)> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for p in pairs {
        if !(shape.has_prop(&p.key) || (open && sweep(&p.key))) {
            continue;
        }
        match index.get(p.key.as_str()) {
            Some(&i) => groups[i].1.push(p),
            None => {
                index.insert(&p.key, groups.len());
                groups.push((&p.key, vec![p]));
            }
        }
    }
    if groups.is_empty() {
        return Got::Absent;
    }
    if groups.iter().flat_map(|(_, g)| g).any(|p| p.bad) {
        out.push(who.syntax("is not valid UTF-8 once percent-decoded"));
        return Got::Skip;
    }
    if opts.check_empty
        && groups
            .iter()
            .flat_map(|(_, g)| g)
            .all(|p| p.value.is_empty())
    {
        return empty(spec, opts, who, out);
    }
    let mut map = Map::new();
    for (key, occ) in groups {
        let ps = shape.prop(key);
        let value = if ps.kind() == Kind::Array {
            let items: Vec<&str> = if opts.split_always {
                occ.iter()
                    .flat_map(|p| split_items(&p.value, ',', false))
                    .collect()
            } else {
                occ.iter().map(|p| p.value.as_str()).collect()
            };
            coerce_all(items, ps.item())
        } else if occ.len() == 1 || opts.repeat == Repeat::First {
            coerce(&occ[0].value, ps)
        } else {
            coerce_all(occ.iter().map(|p| p.value.as_str()), ps)
        };
        map.insert(key.to_owned(), value);
    }
    Got::Value(Value::Object(map))
}

/// deepObject keys, read into a tree first.
enum Tree {
    Leaf(Vec<String>),
    Node(Node),
}

#[derive(Default)]
struct Node {
    entries: Vec<(String, Tree)>,
    index: HashMap<String, usize>,
}

/// `[a][b][]` → `["a", "b", ""]`.
fn parse_brackets(mut rest: &str) -> Result<Vec<&str>, String> {
    let mut segs = Vec::new();
    while !rest.is_empty() {
        let Some(inner) = rest.strip_prefix('[') else {
            return Err(format!("unexpected \"{rest}\" after \"]\""));
        };
        let Some(end) = inner.find(']') else {
            return Err("has a \"[\" without its \"]\"".into());
        };
        let seg = &inner[..end];
        if seg.contains('[') {
            return Err("has a \"[\" inside brackets".into());
        }
        segs.push(seg);
        if segs.len() > MAX_BRACKETS {
            return Err(format!("is nested more than {MAX_BRACKETS} levels deep"));
        }
        rest = &inner[end + 1..];
    }
    Ok(segs)
}

fn insert(tree: &mut Tree, segs: &[&str], value: String) -> Result<(), &'static str> {
    match segs.split_first() {
        None | Some((&"", [])) => match tree {
            Tree::Leaf(v) => {
                v.push(value);
                Ok(())
            }
            Tree::Node(n) if n.entries.is_empty() => {
                *tree = Tree::Leaf(vec![value]);
                Ok(())
            }
            Tree::Node(_) => Err("gives a value where other keys give an object"),
        },
        Some((&"", _)) => Err("has \"[]\" before the last bracket"),
        Some((first, rest)) => {
            let Tree::Node(node) = tree else {
                return Err("gives an object where other keys give a value");
            };
            let i = match node.index.get(*first) {
                Some(&i) => i,
                None => {
                    node.index.insert((*first).to_owned(), node.entries.len());
                    node.entries
                        .push(((*first).to_owned(), Tree::Node(Node::default())));
                    node.entries.len() - 1
                }
            };
            insert(&mut node.entries[i].1, rest, value)
        }
    }
}

fn tree_value(tree: &Tree, shape: &Shape) -> Value {
    match tree {
        Tree::Leaf(vals) => {
            if shape.kind() == Kind::Array {
                coerce_all(vals.iter().map(String::as_str), shape.item())
            } else if vals.len() == 1 {
                coerce(&vals[0], shape)
            } else {
                coerce_all(vals.iter().map(String::as_str), shape)
            }
        }
        Tree::Node(node) => {
            if shape.kind() == Kind::Array {
                let indexed: Option<Vec<(usize, &Tree)>> = node
                    .entries
                    .iter()
                    .map(|(k, t)| k.parse::<usize>().ok().map(|i| (i, t)))
                    .collect();
                if let Some(mut indexed) = indexed {
                    indexed.sort_by_key(|(i, _)| *i);
                    return Value::Array(
                        indexed
                            .into_iter()
                            .map(|(_, t)| tree_value(t, shape.item()))
                            .collect(),
                    );
                }
            }
            let mut map = Map::new();
            for (k, t) in &node.entries {
                map.insert(k.clone(), tree_value(t, shape.prop(k)));
            }
            Value::Object(map)
        }
    }
}

/// `id[role]=admin&id[firstName]=Alex` → `{"role": "admin", "firstName": "Alex"}`; nested
/// brackets nest objects, `[]` or numeric keys make arrays where the schema has one.
fn deep_object(spec: &Spec, who: &Who, pairs: &[Pair], out: &mut Vec<Violation>) -> Got {
    let name = spec.name.as_str();
    // `name[]=` and a plain `name=` hold items: for arrays, and for a schema we know nothing of.
    let array = spec.shape.kind() == Kind::Array || spec.shape == ANY;
    let mut root = Tree::Node(Node::default());
    let mut any = false;
    for p in pairs {
        let rest = if p.key == name {
            ""
        } else if is_bracket_key(&p.key, name) {
            &p.key[name.len()..]
        } else {
            continue;
        };
        any = true;
        if p.bad {
            out.push(who.syntax("is not valid UTF-8 once percent-decoded"));
            return Got::Skip;
        }
        if rest.is_empty() && !array {
            out.push(who.syntax(format!(
                "is a deepObject: expected \"{name}[key]=value\", got \"{name}={}\"",
                p.value
            )));
            return Got::Skip;
        }
        let segs = match parse_brackets(rest) {
            Ok(s) if !array && s.first() == Some(&"") => {
                out.push(who.syntax(format!(
                    "has a malformed deepObject key \"{}\": it starts with \"[]\" but the value is not an array",
                    p.key
                )));
                return Got::Skip;
            }
            Ok(s) => s,
            Err(why) => {
                out.push(who.syntax(format!(
                    "has a malformed deepObject key \"{}\": it {why}",
                    p.key
                )));
                return Got::Skip;
            }
        };
        if let Err(why) = insert(&mut root, &segs, p.value.clone()) {
            out.push(who.syntax(format!(
                "has a malformed deepObject key \"{}\": it {why}",
                p.key
            )));
            return Got::Skip;
        }
    }
    if !any {
        return Got::Absent;
    }
    Got::Value(tree_value(&root, &spec.shape))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::MediaType;
    use crate::schema::shape::{BELOW_I64_MIN, T_INT};
    use serde_json::json;

    fn store_with(schema: Value) -> (SchemaStore, crate::schema::SchemaId) {
        let store = SchemaStore::from_defs([
            ("P", schema),
            ("Role", json!({"type": "string", "enum": ["admin", "user"]})),
            ("Num", json!({"type": ["integer", "null"]})),
        ]);
        let id = store.id_of_key("P").unwrap();
        (store, id)
    }

    fn param(
        name: &str,
        location: ParamIn,
        schema: Value,
        style: Option<&str>,
        explode: Option<bool>,
    ) -> CompiledParam {
        let (store, id) = store_with(schema);
        let style = style.unwrap_or(match location {
            ParamIn::Path | ParamIn::Header => "simple",
            _ => "form",
        });
        let p = Parameter {
            name: name.into(),
            location,
            required: false,
            schema: Some(id),
            style: style.into(),
            explode: explode.unwrap_or(style == "form"),
            allow_empty_value: false,
            allow_reserved: false,
            content: None,
            examples: Vec::new(),
            deprecated: false,
        };
        compile(&store, 0, &p)
    }

    fn required(mut p: CompiledParam) -> CompiledParam {
        p.required = true;
        p
    }

    fn run(
        params: &[CompiledParam],
        path: &[(&str, &str)],
        query: Option<&str>,
        headers: &[(&str, &str)],
    ) -> (Vec<Option<Value>>, Vec<Violation>) {
        let path: Vec<(String, String)> = path
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        let mut map = HeaderMap::new();
        for (k, v) in headers {
            map.append(
                HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        extract(
            params,
            &RawRequest {
                path_params: &path,
                query,
                headers: &map,
            },
        )
    }

    /// One parameter, one value, no violations.
    fn one(
        p: CompiledParam,
        path: &[(&str, &str)],
        query: Option<&str>,
        headers: &[(&str, &str)],
    ) -> Option<Value> {
        let (mut v, errs) = run(std::slice::from_ref(&p), path, query, headers);
        assert!(errs.is_empty(), "{errs:?}");
        v.remove(0)
    }

    /// One parameter that must give exactly one violation.
    fn fails(
        p: CompiledParam,
        path: &[(&str, &str)],
        query: Option<&str>,
        headers: &[(&str, &str)],
    ) -> Violation {
        let (v, mut errs) = run(std::slice::from_ref(&p), path, query, headers);
        assert_eq!(errs.len(), 1, "{errs:?} {v:?}");
        assert_eq!(v, vec![None]);
        errs.remove(0)
    }

    fn int() -> Value {
        json!({"type": "integer"})
    }
    fn ints() -> Value {
        json!({"type": "array", "items": {"type": "integer"}})
    }
    fn obj() -> Value {
        json!({"type": "object", "properties": {"role": {"$ref": "#/$defs/Role"}, "firstName": {"type": "string"}, "age": {"type": "integer"}}})
    }

    // --- shapes and coercion ---

    #[test]
    fn integers_beyond_64_bits_are_integers() {
        let (store, id) = store_with(int());
        let shape = Shape::of(&store, store.get(id));
        let big = coerce("861354194739989839872", &shape);
        assert_eq!(big.as_f64(), Some(861354194739989839872.0), "{big}");
        assert!(store.check(id, &big).is_ok());
        assert!(coerce("-861354194739989839872", &shape).is_number());
        // Rounding to the nearest float would give exactly i64::MIN: the value steps below it.
        let below = coerce("-9223372036854775809", &shape);
        assert_eq!(below.as_f64(), Some(BELOW_I64_MIN));
        assert!(below.as_f64().is_some_and(|f| f < i64::MIN as f64));
        assert_eq!(
            coerce("18446744073709551616", &shape).as_f64(),
            Some(2f64.powi(64))
        );
        // Too big even for a float: left to the validator as the client's text.
        let huge = "9".repeat(400);
        assert_eq!(coerce(&huge, &shape), json!(huge));
        // int64 and int32 bound them (the formats become bounds at load).
        for (format, raw) in [
            ("int64", "861354194739989839872"),
            ("int64", "9223372036854775808"),
            ("int64", "-9223372036854775809"),
            ("int32", "2147483648"),
        ] {
            let mut schema = serde_json::Map::new();
            schema.insert("type".into(), json!("integer"));
            schema.insert("format".into(), json!(format));
            crate::schema::convert::from_openapi_30(&mut schema);
            let (store, id) = store_with(Value::Object(schema));
            let v = coerce(raw, &Shape::of(&store, store.get(id)));
            assert!(store.check(id, &v).is_err(), "{format} {raw} → {v}");
        }
    }

    #[test]
    fn coercion_by_type() {
        let s = |v: Value| {
            let (store, id) = store_with(v);
            Shape::of(&store, store.get(id))
        };
        assert_eq!(coerce("12", &s(int())), json!(12));
        assert_eq!(coerce("-12", &s(int())), json!(-12));
        assert_eq!(coerce("1.5", &s(int())), json!("1.5"));
        assert_eq!(coerce("abc", &s(int())), json!("abc"));
        assert_eq!(coerce("1e3", &s(int())), json!("1e3"));
        assert_eq!(
            coerce("18446744073709551615", &s(int())),
            json!(18446744073709551615u64)
        );
        assert_eq!(coerce("1.5", &s(json!({"type": "number"}))), json!(1.5));
        assert_eq!(coerce("2", &s(json!({"type": "number"}))), json!(2));
        assert_eq!(
            coerce("1e400", &s(json!({"type": "number"}))),
            json!("1e400")
        );
        assert_eq!(coerce("NaN", &s(json!({"type": "number"}))), json!("NaN"));
        assert_eq!(coerce("inf", &s(json!({"type": "number"}))), json!("inf"));
        assert_eq!(coerce(".5", &s(json!({"type": "number"}))), json!(".5"));
        assert_eq!(coerce("", &s(json!({"type": "number"}))), json!(""));
        assert_eq!(coerce("true", &s(json!({"type": "boolean"}))), json!(true));
        assert_eq!(
            coerce("false", &s(json!({"type": "boolean"}))),
            json!(false)
        );
        assert_eq!(
            coerce("True", &s(json!({"type": "boolean"}))),
            json!("True")
        );
        assert_eq!(coerce("1", &s(json!({"type": "boolean"}))), json!("1"));
        assert_eq!(coerce("12", &s(json!({"type": "string"}))), json!("12"));
        assert_eq!(coerce("12", &s(json!({}))), json!("12"));
        assert_eq!(coerce("12", &s(json!(true))), json!("12"));
        // Nullable.
        let n = s(json!({"$ref": "#/$defs/Num"}));
        assert_eq!(coerce("7", &n), json!(7));
        assert_eq!(coerce("null", &n), Value::Null);
        assert_eq!(coerce("", &n), json!(""));
        assert_eq!(coerce("x", &n), json!("x"));
        let ns = s(json!({"type": ["string", "null"]}));
        assert_eq!(coerce("null", &ns), json!("null"));
        assert_eq!(coerce("", &ns), json!(""));
        // Composition.
        assert_eq!(
            coerce(
                "3",
                &s(json!({"allOf": [{"type": "number"}, {"type": "integer"}]}))
            ),
            json!(3)
        );
        assert_eq!(
            coerce(
                "3.5",
                &s(json!({"allOf": [{"type": "number"}, {"minimum": 1}]}))
            ),
            json!(3.5)
        );
        assert_eq!(
            coerce(
                "3",
                &s(json!({"anyOf": [{"type": "integer"}, {"type": "boolean"}]}))
            ),
            json!(3)
        );
        assert_eq!(
            coerce(
                "true",
                &s(json!({"anyOf": [{"type": "integer"}, {"type": "boolean"}]}))
            ),
            json!(true)
        );
        assert_eq!(
            coerce("3", &s(json!({"anyOf": [{"type": "integer"}, {}]}))),
            json!("3")
        );
        assert_eq!(coerce("3", &s(json!({"enum": [1, 2, 3]}))), json!(3));
        assert_eq!(coerce("3", &s(json!({"enum": ["3"]}))), json!("3"));
        assert_eq!(coerce("3", &s(json!({"const": 3}))), json!(3));
    }

    #[test]
    fn shapes_follow_refs_and_survive_cycles() {
        let store = SchemaStore::from_defs([
            (
                "Node",
                json!({"type": "object", "properties": {"n": {"type": "integer"}, "next": {"$ref": "#/$defs/Node"}}}),
            ),
            ("Wrap", json!({"$ref": "#/$defs/Node", "description": "x"})),
        ]);
        let s = Shape::of(&store, store.get(store.id_of_key("Wrap").unwrap()));
        assert_eq!(s.kind(), Kind::Object);
        assert_eq!(s.prop("next").prop("next").prop("n").types, T_INT);
        let wide = SchemaStore::from_defs([(
            "W",
            json!({"anyOf": (0..3000).map(|i| json!({"type": "object", "properties": {format!("p{i}"): {"type": "integer"}}})).collect::<Vec<_>>()}),
        )]);
        let s = Shape::of(&wide, wide.get(SchemaId0()));
        assert_eq!(s.kind(), Kind::Object);
    }

    #[allow(non_snake_case)]
    fn SchemaId0() -> crate::schema::SchemaId {
        crate::schema::SchemaId(0)
    }

    // --- path: simple, label, matrix ---

    #[test]
    fn path_simple() {
        let p = || param("id", ParamIn::Path, int(), None, Some(false));
        assert_eq!(one(p(), &[("id", "5")], None, &[]), Some(json!(5)));
        assert_eq!(one(p(), &[("id", "abc")], None, &[]), Some(json!("abc")));
        let a = |e| param("id", ParamIn::Path, ints(), None, Some(e));
        assert_eq!(
            one(a(false), &[("id", "3,4,5")], None, &[]),
            Some(json!([3, 4, 5]))
        );
        assert_eq!(
            one(a(true), &[("id", "3,4,5")], None, &[]),
            Some(json!([3, 4, 5]))
        );
        assert_eq!(
            one(a(false), &[("id", "3,x")], None, &[]),
            Some(json!([3, "x"]))
        );
        let o = |e| param("id", ParamIn::Path, obj(), None, Some(e));
        assert_eq!(
            one(o(false), &[("id", "role,admin,firstName,Alex")], None, &[]),
            Some(json!({"role": "admin", "firstName": "Alex"}))
        );
        assert_eq!(
            one(
                o(true),
                &[("id", "role=admin,firstName=Alex,age=3")],
                None,
                &[]
            ),
            Some(json!({"role": "admin", "firstName": "Alex", "age": 3}))
        );
        assert_eq!(
            fails(o(false), &[("id", "role,admin,firstName")], None, &[]).keyword,
            "syntax"
        );
        let v = fails(o(true), &[("id", "role=admin,firstName")], None, &[]);
        assert!(v.malformed && v.message.contains("key=value"), "{v:?}");
        // Path parameters are always required.
        let v = fails(p(), &[], None, &[]);
        assert_eq!(
            (v.keyword.as_str(), v.message.as_str()),
            ("required", "required path parameter \"id\" is missing")
        );
    }

    #[test]
    fn path_label() {
        let p = param("id", ParamIn::Path, int(), Some("label"), Some(false));
        assert_eq!(one(p, &[("id", ".5")], None, &[]), Some(json!(5)));
        let a = |e| param("id", ParamIn::Path, ints(), Some("label"), Some(e));
        assert_eq!(
            one(a(true), &[("id", ".3.4.5")], None, &[]),
            Some(json!([3, 4, 5]))
        );
        assert_eq!(
            one(a(false), &[("id", ".3,4,5")], None, &[]),
            Some(json!([3, 4, 5]))
        );
        assert_eq!(
            one(a(false), &[("id", ".3.4.5")], None, &[]),
            Some(json!([3, 4, 5]))
        );
        assert_eq!(one(a(false), &[("id", ".")], None, &[]), Some(json!([])));
        let o = |e| param("id", ParamIn::Path, obj(), Some("label"), Some(e));
        assert_eq!(
            one(o(false), &[("id", ".role,admin,firstName,Alex")], None, &[]),
            Some(json!({"role": "admin", "firstName": "Alex"}))
        );
        assert_eq!(
            one(o(true), &[("id", ".role=admin.firstName=Alex")], None, &[]),
            Some(json!({"role": "admin", "firstName": "Alex"}))
        );
        let v = fails(a(true), &[("id", "3.4.5")], None, &[]);
        assert!(
            v.malformed && v.keyword == "syntax" && v.place == Place::Path,
            "{v:?}"
        );
        assert_eq!(
            fails(o(true), &[("id", ".role.admin")], None, &[]).keyword,
            "syntax"
        );
    }

    #[test]
    fn path_matrix() {
        let p = || param("id", ParamIn::Path, int(), Some("matrix"), Some(false));
        assert_eq!(one(p(), &[("id", ";id=5")], None, &[]), Some(json!(5)));
        assert_eq!(
            fails(p(), &[("id", ";other=5")], None, &[]).keyword,
            "syntax"
        );
        assert_eq!(fails(p(), &[("id", "5")], None, &[]).keyword, "syntax");
        assert_eq!(fails(p(), &[("id", ";idx=5")], None, &[]).keyword, "syntax");
        let s = param(
            "id",
            ParamIn::Path,
            json!({"type": "string"}),
            Some("matrix"),
            Some(false),
        );
        assert_eq!(one(s, &[("id", ";id")], None, &[]), Some(json!("")));
        let a = |e| param("id", ParamIn::Path, ints(), Some("matrix"), Some(e));
        assert_eq!(
            one(a(true), &[("id", ";id=3;id=4;id=5")], None, &[]),
            Some(json!([3, 4, 5]))
        );
        assert_eq!(
            one(a(false), &[("id", ";id=3,4,5")], None, &[]),
            Some(json!([3, 4, 5]))
        );
        assert_eq!(one(a(true), &[("id", ";id")], None, &[]), Some(json!([])));
        assert_eq!(one(a(false), &[("id", ";id")], None, &[]), Some(json!([])));
        assert_eq!(
            fails(a(true), &[("id", ";id=3;x=4")], None, &[]).keyword,
            "syntax"
        );
        let o = |e| param("id", ParamIn::Path, obj(), Some("matrix"), Some(e));
        assert_eq!(
            one(
                o(false),
                &[("id", ";id=role,admin,firstName,Alex")],
                None,
                &[]
            ),
            Some(json!({"role": "admin", "firstName": "Alex"}))
        );
        assert_eq!(
            one(o(true), &[("id", ";role=admin;firstName=Alex")], None, &[]),
            Some(json!({"role": "admin", "firstName": "Alex"}))
        );
        assert_eq!(
            fails(o(true), &[("id", ";role")], None, &[]).keyword,
            "syntax"
        );
    }

    // --- query ---

    #[test]
    fn query_form_primitive_and_decoding() {
        let p = || param("limit", ParamIn::Query, int(), None, None);
        assert_eq!(one(p(), &[], Some("limit=10&x=y"), &[]), Some(json!(10)));
        assert_eq!(one(p(), &[], Some("limit=ten"), &[]), Some(json!("ten")));
        assert_eq!(one(p(), &[], None, &[]), None);
        let s = || param("q", ParamIn::Query, json!({"type": "string"}), None, None);
        assert_eq!(
            one(s(), &[], Some("q=a+b%20c%2Bd"), &[]),
            Some(json!("a b c+d"))
        );
        assert_eq!(one(s(), &[], Some("q=%E2%82%AC"), &[]), Some(json!("€")));
        // allowReserved: reserved characters left as they are.
        assert_eq!(
            one(s(), &[], Some("q=a/b?c:d@e"), &[]),
            Some(json!("a/b?c:d@e"))
        );
        assert_eq!(
            one(s(), &[], Some("%71=encoded-key"), &[]),
            Some(json!("encoded-key"))
        );
        let v = fails(s(), &[], Some("q=%FF"), &[]);
        assert!(v.malformed && v.keyword == "syntax", "{v:?}");
        // Broken escapes are kept as written.
        assert_eq!(one(s(), &[], Some("q=100%"), &[]), Some(json!("100%")));
    }

    #[test]
    fn query_repeated_scalar_is_reported() {
        let p = param("limit", ParamIn::Query, int(), None, None);
        let v = fails(p, &[], Some("limit=1&limit=2"), &[]);
        assert_eq!(v.keyword, "type");
        assert_eq!(
            v.message,
            "query parameter \"limit\" was given 2 times but takes one value"
        );
        assert_eq!(v.place, Place::Query);
    }

    #[test]
    fn query_required_and_empty() {
        let p = || required(param("limit", ParamIn::Query, int(), None, None));
        let v = fails(p(), &[], Some("other=1"), &[]);
        assert_eq!(v.message, "required query parameter \"limit\" is missing");
        assert_eq!(v.keyword, "required");
        assert!(!v.malformed);
        let v = fails(p(), &[], Some("limit="), &[]);
        assert_eq!(v.keyword, "allowEmptyValue");
        let v = fails(p(), &[], Some("limit"), &[]);
        assert_eq!(v.keyword, "allowEmptyValue");
        let allow = |schema| {
            let mut p = param("flag", ParamIn::Query, schema, None, None);
            p.allow_empty_value = true;
            p
        };
        assert_eq!(one(allow(int()), &[], Some("flag"), &[]), None);
        assert_eq!(
            one(allow(json!({"type": "string"})), &[], Some("flag="), &[]),
            Some(json!(""))
        );
        assert_eq!(
            one(
                allow(json!({"type": ["boolean", "null"]})),
                &[],
                Some("flag="),
                &[]
            ),
            Some(Value::Null)
        );
        assert_eq!(one(allow(ints()), &[], Some("flag="), &[]), Some(json!([])));
        // Headers and cookies have no allowEmptyValue.
        let h = param(
            "X-N",
            ParamIn::Header,
            json!({"type": "string"}),
            None,
            None,
        );
        assert_eq!(one(h, &[], None, &[("x-n", "")]), Some(json!("")));
    }

    #[test]
    fn query_form_arrays() {
        let a = |e| param("id", ParamIn::Query, ints(), None, Some(e));
        assert_eq!(
            one(a(true), &[], Some("id=3&id=4&id=5"), &[]),
            Some(json!([3, 4, 5]))
        );
        assert_eq!(one(a(true), &[], Some("id=3"), &[]), Some(json!([3])));
        // Exploded: a comma is part of the item.
        assert_eq!(one(a(true), &[], Some("id=3,4"), &[]), Some(json!(["3,4"])));
        assert_eq!(
            one(a(false), &[], Some("id=3,4,5"), &[]),
            Some(json!([3, 4, 5]))
        );
        assert_eq!(
            one(a(false), &[], Some("id=3%2C4"), &[]),
            Some(json!([3, 4]))
        );
        assert_eq!(
            one(a(true), &[], Some("id=3&id=x"), &[]),
            Some(json!([3, "x"]))
        );
    }

    #[test]
    fn query_space_and_pipe_delimited() {
        let a = |style, e| param("id", ParamIn::Query, ints(), Some(style), Some(e));
        assert_eq!(
            one(a("spaceDelimited", false), &[], Some("id=3%204%205"), &[]),
            Some(json!([3, 4, 5]))
        );
        assert_eq!(
            one(a("spaceDelimited", false), &[], Some("id=3+4+5"), &[]),
            Some(json!([3, 4, 5]))
        );
        assert_eq!(
            one(a("pipeDelimited", false), &[], Some("id=3|4|5"), &[]),
            Some(json!([3, 4, 5]))
        );
        assert_eq!(
            one(a("pipeDelimited", false), &[], Some("id=3%7C4%7C5"), &[]),
            Some(json!([3, 4, 5]))
        );
        assert_eq!(
            one(a("pipeDelimited", true), &[], Some("id=3&id=4"), &[]),
            Some(json!([3, 4]))
        );
        let o = param(
            "c",
            ParamIn::Query,
            obj(),
            Some("pipeDelimited"),
            Some(false),
        );
        assert_eq!(
            one(o, &[], Some("c=role|admin|age|4"), &[]),
            Some(json!({"role": "admin", "age": 4}))
        );
    }

    #[test]
    fn query_form_objects() {
        let o = |e| param("id", ParamIn::Query, obj(), None, Some(e));
        assert_eq!(
            one(
                o(true),
                &[],
                Some("role=admin&firstName=Alex&age=30&other=1"),
                &[]
            ),
            Some(json!({"role": "admin", "firstName": "Alex", "age": 30}))
        );
        assert_eq!(one(o(true), &[], Some("other=1"), &[]), None);
        assert_eq!(
            one(o(false), &[], Some("id=role,admin,firstName,Alex"), &[]),
            Some(json!({"role": "admin", "firstName": "Alex"}))
        );
        assert_eq!(
            fails(o(false), &[], Some("id=role,admin,firstName"), &[]).keyword,
            "syntax"
        );
        assert_eq!(
            fails(o(false), &[], Some("id=a,b&id=c,d"), &[]).keyword,
            "type"
        );
        // An open object takes the keys no other parameter claims.
        let free = param(
            "filter",
            ParamIn::Query,
            json!({"type": "object", "additionalProperties": {"type": "integer"}}),
            None,
            Some(true),
        );
        let limit = param("limit", ParamIn::Query, int(), None, None);
        let (v, errs) = run(&[free, limit], &[], Some("a=1&limit=5&b=x"), &[]);
        assert!(errs.is_empty());
        assert_eq!(v, vec![Some(json!({"a": 1, "b": "x"})), Some(json!(5))]);
    }

    #[test]
    fn query_deep_object() {
        let o = || param("id", ParamIn::Query, obj(), Some("deepObject"), Some(true));
        assert_eq!(
            one(
                o(),
                &[],
                Some("id[role]=admin&id[firstName]=Alex&id[age]=7&x=1"),
                &[]
            ),
            Some(json!({"role": "admin", "firstName": "Alex", "age": 7}))
        );
        assert_eq!(
            one(o(), &[], Some("id%5Brole%5D=admin"), &[]),
            Some(json!({"role": "admin"}))
        );
        assert_eq!(one(o(), &[], Some("idx[role]=admin"), &[]), None);
        for bad in [
            "id[role=admin",
            "id[role]x=1",
            "id=admin",
            "id[a]=1&id[a][b]=2",
            "id[a][b]=1&id[a]=2",
            "id[]=1",
            "id[a][][b]=1",
            "id[a[b]]=1",
        ] {
            let v = fails(o(), &[], Some(bad), &[]);
            assert!(v.malformed && v.keyword == "syntax", "{bad}: {v:?}");
        }
        let deep = "id".to_string() + &"[a]".repeat(40) + "=1";
        assert_eq!(fails(o(), &[], Some(&deep), &[]).keyword, "syntax");
        // Nested objects and arrays.
        let nested = param(
            "f",
            ParamIn::Query,
            json!({"type": "object", "properties": {
                "range": {"type": "object", "properties": {"min": {"type": "number"}, "max": {"type": "number"}}},
                "tags": {"type": "array", "items": {"type": "integer"}},
                "ids": {"type": "array", "items": {"type": "integer"}}
            }}),
            Some("deepObject"),
            Some(true),
        );
        assert_eq!(
            one(nested, &[], Some("f[range][min]=1.5&f[range][max]=9&f[tags][]=1&f[tags][]=2&f[ids][1]=20&f[ids][0]=10&f[extra]=x"), &[]),
            Some(json!({"range": {"min": 1.5, "max": 9}, "tags": [1, 2], "ids": [10, 20], "extra": "x"}))
        );
        let required_deep = required(o());
        assert_eq!(
            fails(required_deep, &[], Some("x=1"), &[]).keyword,
            "required"
        );
    }

    // --- headers ---

    #[test]
    fn headers_simple_and_case_insensitive() {
        let p = || param("X-Rate-Limit", ParamIn::Header, int(), None, None);
        assert_eq!(
            one(p(), &[], None, &[("x-rate-limit", "10")]),
            Some(json!(10))
        );
        assert_eq!(
            one(p(), &[], None, &[("X-RATE-LIMIT", " 10 ")]),
            Some(json!(10))
        );
        let v = fails(
            p(),
            &[],
            None,
            &[("x-rate-limit", "1"), ("x-rate-limit", "2")],
        );
        assert_eq!(
            v.message,
            "header parameter \"X-Rate-Limit\" was given 2 times but takes one value"
        );
        let a = || param("X-Ids", ParamIn::Header, ints(), None, None);
        assert_eq!(
            one(a(), &[], None, &[("x-ids", "3, 4,5")]),
            Some(json!([3, 4, 5]))
        );
        assert_eq!(
            one(a(), &[], None, &[("x-ids", "3"), ("x-ids", "4")]),
            Some(json!([3, 4]))
        );
        let o = |e| param("X-Obj", ParamIn::Header, obj(), None, Some(e));
        assert_eq!(
            one(o(false), &[], None, &[("x-obj", "role,admin,age,3")]),
            Some(json!({"role": "admin", "age": 3}))
        );
        assert_eq!(
            one(o(true), &[], None, &[("x-obj", "role=admin,age=3")]),
            Some(json!({"role": "admin", "age": 3}))
        );
        let r = required(p());
        assert_eq!(
            fails(r, &[], None, &[]).message,
            "required header parameter \"X-Rate-Limit\" is missing"
        );
        // Accept, Content-Type and Authorization parameters are ignored.
        for name in ["Accept", "content-type", "AUTHORIZATION"] {
            let p = required(param(name, ParamIn::Header, int(), None, None));
            assert_eq!(run(&[p], &[], None, &[]), (vec![None], vec![]));
        }
        // An invalid header name can never be present.
        let bad = param("bad name", ParamIn::Header, int(), None, None);
        assert_eq!(one(bad, &[], None, &[]), None);
    }

    // --- cookies ---

    #[test]
    fn cookies() {
        let p = || param("session", ParamIn::Cookie, int(), None, None);
        assert_eq!(
            one(p(), &[], None, &[("cookie", "a=1; session=42; b=2")]),
            Some(json!(42))
        );
        assert_eq!(
            one(
                p(),
                &[],
                None,
                &[("cookie", "a=1"), ("cookie", "session=\"7\"")]
            ),
            Some(json!(7))
        );
        assert_eq!(
            one(p(), &[], None, &[("cookie", "session=1; session=2")]),
            Some(json!(1))
        );
        assert_eq!(one(p(), &[], None, &[("cookie", "sessionx=1")]), None);
        let s = param(
            "tok",
            ParamIn::Cookie,
            json!({"type": "string"}),
            None,
            None,
        );
        assert_eq!(
            one(s, &[], None, &[("cookie", "tok=a+b%3D%3D")]),
            Some(json!("a+b=="))
        );
        let a = |e| param("id", ParamIn::Cookie, ints(), None, Some(e));
        assert_eq!(
            one(a(false), &[], None, &[("cookie", "id=3,4,5")]),
            Some(json!([3, 4, 5]))
        );
        assert_eq!(
            one(a(true), &[], None, &[("cookie", "id=3,4,5")]),
            Some(json!([3, 4, 5]))
        );
        assert_eq!(
            one(a(true), &[], None, &[("cookie", "id=3; id=4")]),
            Some(json!([3, 4]))
        );
        let o = param("id", ParamIn::Cookie, obj(), None, Some(false));
        assert_eq!(
            one(o, &[], None, &[("cookie", "id=role,admin,age,4")]),
            Some(json!({"role": "admin", "age": 4}))
        );
        let r = required(p());
        assert_eq!(
            fails(r, &[], None, &[("cookie", "x=1")]).message,
            "required cookie parameter \"session\" is missing"
        );
    }

    // --- content parameters ---

    fn content_param(location: ParamIn, media: &str) -> CompiledParam {
        let (store, id) =
            store_with(json!({"type": "object", "properties": {"a": {"type": "integer"}}}));
        let p = Parameter {
            name: "filter".into(),
            location,
            required: false,
            schema: None,
            style: "form".into(),
            explode: true,
            allow_empty_value: false,
            allow_reserved: false,
            content: Some(MediaType {
                media_type: media.into(),
                schema: Some(id),
                examples: Vec::new(),
                encoding: None,
            }),
            examples: Vec::new(),
            deprecated: false,
        };
        compile(&store, 3, &p)
    }

    #[test]
    fn content_parameters() {
        let q = || content_param(ParamIn::Query, "application/json");
        assert_eq!(q().index, 3);
        assert_eq!(
            one(q(), &[], Some("filter=%7B%22a%22%3A1%7D"), &[]),
            Some(json!({"a": 1}))
        );
        assert_eq!(one(q(), &[], Some("a=1"), &[]), None);
        let v = fails(q(), &[], Some("filter={a:1}"), &[]);
        assert!(
            v.malformed && v.keyword == "syntax" && v.message.contains("not valid JSON"),
            "{v:?}"
        );
        assert_eq!(
            fails(q(), &[], Some("filter=1&filter=2"), &[]).keyword,
            "type"
        );
        let h = content_param(ParamIn::Header, "application/json; charset=utf-8");
        assert_eq!(
            one(h, &[], None, &[("filter", "{\"a\": 2}")]),
            Some(json!({"a": 2}))
        );
        let p = content_param(ParamIn::Path, "application/vnd.x+json");
        assert_eq!(one(p, &[("filter", "[1]")], None, &[]), Some(json!([1])));
        let c = content_param(ParamIn::Cookie, "application/json");
        assert_eq!(
            one(c, &[], None, &[("cookie", "filter=%7B%22a%22%3A3%7D")]),
            Some(json!({"a": 3}))
        );
        let t = content_param(ParamIn::Query, "text/plain");
        assert_eq!(one(t, &[], Some("filter=%7Bx"), &[]), Some(json!("{x")));
    }

    #[test]
    fn several_parameters_report_everything() {
        let ps = vec![
            required(param("id", ParamIn::Path, int(), None, None)),
            required(param("limit", ParamIn::Query, int(), None, None)),
            required(param(
                "X-Req",
                ParamIn::Header,
                json!({"type": "string"}),
                None,
                None,
            )),
            param("tags", ParamIn::Query, ints(), None, None),
        ];
        let (v, errs) = run(&ps, &[("id", "7")], Some("tags=1&tags=2"), &[]);
        assert_eq!(v, vec![Some(json!(7)), None, None, Some(json!([1, 2]))]);
        assert_eq!(errs.len(), 2);
        assert_eq!(errs[0].place, Place::Query);
        assert_eq!(errs[1].place, Place::Header);
    }

    #[test]
    fn unknown_styles_fall_back_to_the_default() {
        assert_eq!(Style::parse("matrix", ParamIn::Query), Style::Form);
        assert_eq!(Style::parse("deepObject", ParamIn::Path), Style::Simple);
        assert_eq!(Style::parse("weird", ParamIn::Cookie), Style::Form);
        assert_eq!(Style::parse("label", ParamIn::Path), Style::Label);
    }

    #[test]
    fn garbage_never_panics() {
        let schemas = [
            int(),
            ints(),
            obj(),
            json!({}),
            json!({"type": "object", "additionalProperties": true}),
        ];
        let styles = [
            "simple",
            "label",
            "matrix",
            "form",
            "spaceDelimited",
            "pipeDelimited",
            "deepObject",
        ];
        let inputs = [
            "",
            ";",
            ".",
            "=",
            "&",
            "&&==",
            "[",
            "]",
            "[]",
            "id[",
            "id]",
            "id[]]",
            "%",
            "%zz",
            "%FF%FE",
            ";id",
            ";id=",
            ".,.,",
            ",,,",
            "a=b=c",
            "id[a]=1&id[a]=2",
            "id[0]=1&id[x]=2",
            "id=1&id",
            "é=€",
            "id[\u{0}]=\u{0}",
        ];
        let mut n = 0u64;
        for schema in &schemas {
            for style in styles {
                for explode in [false, true] {
                    for loc in [
                        ParamIn::Path,
                        ParamIn::Query,
                        ParamIn::Header,
                        ParamIn::Cookie,
                    ] {
                        let p = param("id", loc, schema.clone(), Some(style), Some(explode));
                        for input in inputs {
                            let header = [("x", "1")];
                            let _ = run(
                                std::slice::from_ref(&p),
                                &[("id", input)],
                                Some(input),
                                &header,
                            );
                            n += 1;
                        }
                    }
                }
            }
        }
        // Pseudo-random bytes as query strings.
        let p = [
            param("id", ParamIn::Query, obj(), Some("deepObject"), Some(true)),
            param("x", ParamIn::Query, obj(), None, Some(true)),
        ];
        let mut seed = 0x9e3779b97f4a7c15u64;
        for _ in 0..2000 {
            let len = (seed % 40) as usize;
            let s: String = (0..len)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    b"id[]=&%5B5D;,.|+ax0"[(seed % 19) as usize] as char
                })
                .collect();
            let _ = run(&p, &[], Some(&s), &[]);
            n += 1;
        }
        assert!(n > 1000);
    }
}

//! Resource inference: which operations of a document form a collection and its items, read
//! once at load. A collection path (`/pets`, `/owners/{ownerId}/pets`) and its item path (the
//! same plus one `{param}` segment) make a resource; each of their operations gets a role
//! (list, create, read, replace, update, remove) and the shape of its answer (the item, an
//! envelope around it, a list, a list envelope). `x-stubborn-resource` overrides the guesses.

use crate::model::{Api, Method, Operation, ParamIn};
use crate::schema::{SchemaId, SchemaStore};
use serde_json::{Map, Value};

/// What an operation does to its resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    List,
    Create,
    Read,
    Replace,
    Update,
    Remove,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::List => "list",
            Role::Create => "create",
            Role::Read => "read",
            Role::Replace => "replace",
            Role::Update => "update",
            Role::Remove => "remove",
        }
    }
}

/// How a new item's id is made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdKind {
    /// 1, 2, 3...: counted up per resource.
    Integer,
    /// A UUID (derived from the seed and the count, so the same run gives the same ids).
    Uuid,
    /// The count, as a string.
    Text,
}

/// One inferred resource.
#[derive(Clone, Debug)]
pub struct Resource {
    /// Its name in the admin API: the collection's last literal segment (`pets`), or the
    /// literal segments joined by `.` when two resources would share it (`owners.pets`).
    pub name: String,
    /// The collection's path template (`/owners/{ownerId}/pets`).
    pub collection: String,
    /// The item's path template (`/owners/{ownerId}/pets/{petId}`).
    pub item: String,
    /// The item path's last parameter: the id.
    pub id_param: String,
    /// The item's property holding the id, when its schema has one.
    pub id_property: Option<String>,
    pub id_kind: IdKind,
    /// Text ids are this prefix and a counter: the literal start of the id property's
    /// `pattern` when a bare number would not match it (`^sub_[0-9]+$` gives `sub_`).
    pub id_prefix: String,
    /// The schema of one item.
    pub item_schema: SchemaId,
    /// The collection's own path parameters (its parents' ids), in order: items are kept apart
    /// per value of these (`/owners/1/pets` and `/owners/2/pets` are two lists).
    pub parents: Vec<String>,
    /// Properties the server fills in (`readOnly`, or required in answers but not in requests).
    pub server_fields: Vec<String>,
    /// Server-side fields that are dates (`false`) or date-times (`true`): set to now.
    pub timestamps: Vec<(String, bool)>,
    /// Required properties with a `default`, for a create that leaves them out.
    pub defaults: Vec<(String, Value)>,
}

/// The shape of a stateful answer's body.
#[derive(Clone, Debug, PartialEq)]
pub enum Shape {
    /// No body (204), or a body that is not about the item.
    Empty,
    /// The item itself.
    Item,
    /// An object with the item under this key (`{"data": Pet}`).
    Envelope(String),
    /// An array of items, at most `max` (the schema's `maxItems`).
    List { max: Option<usize> },
    /// An object with the array under `key` and totals beside it.
    ListEnvelope { key: String, max: Option<usize> },
}

/// How a list operation pages.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Paging {
    pub limit: Option<String>,
    pub offset: Option<String>,
    pub page: Option<String>,
    /// `page` counts from 0 (its schema's `minimum` is 0) rather than from 1.
    pub page_from_zero: bool,
    pub cursor: Option<String>,
    /// The page size when the request names none (the limit parameter's `default`).
    pub default_size: Option<usize>,
    pub sort: Option<String>,
    pub order: Option<String>,
}

/// What an operation of a resource needs at request time.
#[derive(Clone, Debug)]
pub struct OpPlan {
    pub resource: usize,
    pub role: Role,
    /// The documented success response (index into the operation's responses), and its status.
    pub response: Option<usize>,
    pub status: u16,
    pub shape: Shape,
    /// The JSON media type of that response, when it has a body.
    pub media: Option<usize>,
    pub paging: Paging,
    /// Query parameters named like item properties: equality filters (list only).
    pub filters: Vec<String>,
    /// `application/json-patch+json` is declared (update only).
    pub json_patch: bool,
    /// The answer's body is the item and its schema the item schema: an item checked before
    /// it was stored needs no second check on the way out.
    pub body_is_item: bool,
}

/// Every resource of a document and the role of each operation.
#[derive(Clone, Debug, Default)]
pub struct Resources {
    pub list: Vec<Resource>,
    /// Aligned with the API's operations.
    pub ops: Vec<Option<OpPlan>>,
    /// Operations that stay stateless, with why.
    pub stateless: Vec<(usize, String)>,
}

impl Resources {
    pub fn by_name(&self, name: &str) -> Option<(usize, &Resource)> {
        self.list.iter().enumerate().find(|(_, r)| r.name == name)
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

/// `x-stubborn-resource` on an operation.
enum Override {
    Off,
    Named {
        name: Option<String>,
        id: Option<String>,
    },
}

fn override_of(op: &Operation) -> Option<Override> {
    match op.extensions.get("x-stubborn-resource")? {
        Value::Bool(false) => Some(Override::Off),
        Value::String(s) => Some(Override::Named {
            name: Some(s.clone()),
            id: None,
        }),
        Value::Object(m) => Some(Override::Named {
            name: m.get("name").and_then(Value::as_str).map(str::to_string),
            id: m.get("id").and_then(Value::as_str).map(str::to_string),
        }),
        _ => None,
    }
}

/// Is stateful mode asked for this operation (`x-stubborn-stateful: true` on it, its path
/// or the document)?
pub fn asks_stateful(op: &Operation) -> bool {
    op.extensions.get("x-stubborn-stateful") == Some(&Value::Bool(true))
}

fn segments(path: &str) -> Vec<&str> {
    path.split('/').filter(|s| !s.is_empty()).collect()
}

fn param_name(segment: &str) -> Option<&str> {
    segment.strip_prefix('{')?.strip_suffix('}')
}

/// Infers the resources of `api`. With `all`, every resource found is stateful; otherwise
/// only those with an operation marked `x-stubborn-stateful: true`. Item schemas only given
/// as an array's `items` are added to the store (so `api` is mutable).
pub fn infer(api: &mut Api, all: bool) -> Resources {
    let n = api.operations.len();
    let mut out = Resources {
        ops: vec![None; n],
        ..Resources::default()
    };
    // Candidate (collection, item) pairs by path shape, or named by the override.
    let mut paths: Vec<&str> = api.operations.iter().map(|o| o.path.as_str()).collect();
    paths.sort();
    paths.dedup();
    let mut pairs: Vec<(String, String, Option<String>, Option<String>)> = Vec::new();
    for item in &paths {
        let segs = segments(item);
        let Some(last) = segs.last() else { continue };
        if param_name(last).is_none() {
            continue;
        }
        let collection = format!("/{}", segs[..segs.len() - 1].join("/"));
        let Some(prev) = segs.len().checked_sub(2).map(|i| segs[i]) else {
            continue;
        };
        if param_name(prev).is_some() || !paths.contains(&collection.as_str()) {
            continue;
        }
        pairs.push((collection, item.to_string(), None, None));
    }
    // Overrides: operations that name a resource pair their paths whatever their shape.
    let mut named: Vec<(String, Vec<usize>, Option<String>)> = Vec::new();
    for (i, op) in api.operations.iter().enumerate() {
        if let Some(Override::Named {
            name: Some(name),
            id,
        }) = override_of(op)
        {
            match named.iter_mut().find(|(n, _, _)| *n == name) {
                Some(entry) => {
                    entry.1.push(i);
                    if entry.2.is_none() {
                        entry.2 = id;
                    }
                }
                None => named.push((name, vec![i], id)),
            }
        }
    }
    for (name, ops, id) in &named {
        let mut ps: Vec<&str> = ops
            .iter()
            .map(|&i| api.operations[i].path.as_str())
            .collect();
        ps.sort_by_key(|p| p.len());
        ps.dedup();
        if let [collection, item] = ps[..] {
            pairs.retain(|(c, it, _, _)| c != collection && it != item);
            pairs.push((
                collection.to_string(),
                item.to_string(),
                Some(name.clone()),
                id.clone(),
            ));
        }
    }
    for (collection, item, name, id_override) in pairs {
        let ops: Vec<usize> = (0..n)
            .filter(|&i| {
                let op = &api.operations[i];
                (op.path == collection || op.path == item)
                    && !matches!(override_of(op), Some(Override::Off))
            })
            .collect();
        if !all && !ops.iter().any(|&i| asks_stateful(&api.operations[i])) {
            continue;
        }
        let Some(item_schema) = item_schema(api, &collection, &item, &ops) else {
            continue;
        };
        let segs = segments(&item);
        let id_param = param_name(segs[segs.len() - 1]).unwrap_or("id").to_string();
        let parents: Vec<String> = segments(&collection)
            .iter()
            .filter_map(|s| param_name(s).map(str::to_string))
            .collect();
        let store = &api.schemas;
        let props = properties(store, store.get(item_schema));
        let last_literal = segments(&collection)
            .into_iter()
            .rev()
            .find(|s| param_name(s).is_none())
            .unwrap_or("items")
            .to_string();
        let id_property = id_override
            .filter(|p| props.contains_key(p))
            .or_else(|| id_property(store, &props, &id_param, &last_literal));
        let id_kind = id_kind(store, &props, id_property.as_deref(), api, &ops, &id_param);
        let id_prefix = match (&id_kind, &id_property) {
            (IdKind::Text, Some(p)) => props
                .get(p)
                .and_then(|s| core(store, s).get("pattern"))
                .and_then(Value::as_str)
                .map(id_prefix)
                .unwrap_or_default(),
            _ => String::new(),
        };
        let server_fields = server_fields(api, &ops, item_schema, &props);
        let timestamps = server_fields
            .iter()
            .filter_map(|f| {
                let format = core(store, props.get(f)?).get("format")?.as_str()?;
                match format {
                    "date-time" => Some((f.clone(), true)),
                    "date" => Some((f.clone(), false)),
                    _ => None,
                }
            })
            .collect();
        let defaults = required(store, store.get(item_schema))
            .into_iter()
            .filter_map(|f| {
                let s = props.get(&f)?;
                let d = core(store, s).get("default").or_else(|| s.get("default"))?;
                Some((f, d.clone()))
            })
            .collect();
        let name = name.unwrap_or_else(|| last_literal.clone());
        let index = out.list.len();
        out.list.push(Resource {
            name,
            collection: collection.clone(),
            item: item.clone(),
            id_param,
            id_property,
            id_kind,
            id_prefix,
            item_schema,
            parents,
            server_fields,
            timestamps,
            defaults,
        });
        for &i in &ops {
            let op = &api.operations[i];
            let role = match (op.path == collection, op.method) {
                (true, Method::Get) => Role::List,
                (true, Method::Post) => Role::Create,
                (false, Method::Get) => Role::Read,
                (false, Method::Put) => Role::Replace,
                (false, Method::Patch) => Role::Update,
                (false, Method::Delete) => Role::Remove,
                _ => continue,
            };
            out.ops[i] = Some(plan(api, i, index, role, item_schema));
        }
    }
    // Two resources with one name: the longer paths get their literal segments joined.
    for i in 0..out.list.len() {
        if out
            .list
            .iter()
            .filter(|r| r.name == out.list[i].name)
            .count()
            > 1
        {
            out.list[i].name = segments(&out.list[i].collection)
                .into_iter()
                .filter(|s| param_name(s).is_none())
                .collect::<Vec<_>>()
                .join(".");
        }
    }
    for (i, op) in api.operations.iter().enumerate() {
        if out.ops[i].is_some() {
            continue;
        }
        let why = if matches!(override_of(op), Some(Override::Off)) {
            "x-stubborn-resource: false".to_string()
        } else if out
            .list
            .iter()
            .any(|r| r.collection == op.path || r.item == op.path)
        {
            format!("{} has no stateful meaning here", op.method)
        } else if !all && !asks_stateful(op) {
            "not marked x-stubborn-stateful".to_string()
        } else {
            "not a collection with an item path beside it".to_string()
        };
        out.stateless.push((i, why));
    }
    out
}

/// The schema of one item: the item GET's answer, the create's answer, the replace's body,
/// or the list's `items`. Envelopes are looked through.
fn item_schema(api: &mut Api, collection: &str, item: &str, ops: &[usize]) -> Option<SchemaId> {
    let store = &api.schemas;
    let find = |path: &str, method: Method| {
        ops.iter()
            .map(|&i| &api.operations[i])
            .find(|o| o.path == path && o.method == method)
    };
    let ok_schema = |op: &Operation| -> Option<SchemaId> {
        let r = success(op)?;
        let m = json_media(&op.responses[r].content)?;
        op.responses[r].content[m].schema
    };
    // What the item's own answers hold (looking through a `{"data": Item}` envelope), else
    // what a replace sends.
    let answers = [
        find(item, Method::Get).and_then(ok_schema),
        find(collection, Method::Post).and_then(ok_schema),
    ];
    for id in answers.into_iter().flatten() {
        let s = core(store, store.get(id));
        if is_object(store, s) && !is_envelope(store, s) {
            return Some(id);
        }
        if let Some((_, inner)) = envelope_inner(store, s) {
            let inner = inner.clone();
            return Some(add(&mut api.schemas, inner, id));
        }
    }
    if let Some(id) = find(item, Method::Put)
        .and_then(|o| o.request_body.as_ref())
        .and_then(|b| json_media(&b.content).and_then(|m| b.content[m].schema))
    {
        if is_object(store, core(store, store.get(id))) {
            return Some(id);
        }
    }
    let list = find(collection, Method::Get).and_then(ok_schema)?;
    let s = core(store, store.get(list));
    let items = array_items(store, s)
        .or_else(|| list_envelope(store, s).map(|(_, items, _)| items))?
        .clone();
    if !is_object(store, core(store, &items)) {
        return None;
    }
    Some(add(&mut api.schemas, items, list))
}

fn add(store: &mut SchemaStore, schema: Value, near: SchemaId) -> SchemaId {
    let key = format!("{}-item", store.key(near));
    if let Some(id) = store.id_of_key(&key) {
        return id;
    }
    let origin = store.origin(near).to_string();
    let id = store.reserve(&key, origin);
    store.set(id, schema);
    id
}

/// The plan of one operation of resource `resource`.
fn plan(api: &Api, i: usize, resource: usize, role: Role, item_schema: SchemaId) -> OpPlan {
    let op = &api.operations[i];
    let store = &api.schemas;
    let response = success(op);
    let status = response
        .map(|r| op.responses[r].status.serve_code())
        .unwrap_or(match role {
            Role::Create => 201,
            Role::Remove => 204,
            _ => 200,
        });
    let media = response.and_then(|r| json_media(&op.responses[r].content));
    let body_schema = response
        .zip(media)
        .and_then(|(r, m)| op.responses[r].content[m].schema)
        .map(|id| core(store, store.get(id)));
    let shape = match (role, body_schema) {
        (_, None) => Shape::Empty,
        (Role::List, Some(s)) => {
            if let Some(items) = array_items(store, s) {
                let _ = items;
                Shape::List {
                    max: max_items(store, s),
                }
            } else if let Some((key, _, max)) = list_envelope(store, s) {
                Shape::ListEnvelope { key, max }
            } else {
                Shape::Empty
            }
        }
        (_, Some(s)) => {
            if is_object(store, s) && !is_envelope(store, s) {
                Shape::Item
            } else if let Some((key, _)) = envelope_inner(store, s) {
                Shape::Envelope(key)
            } else if is_object(store, s) || alternatives_hold_item(store, s) {
                Shape::Item
            } else {
                Shape::Empty
            }
        }
    };
    let query: Vec<&crate::model::Parameter> = op
        .parameters
        .iter()
        .filter(|p| p.location == ParamIn::Query)
        .collect();
    let mut paging = Paging::default();
    let mut filters = Vec::new();
    let item_props = match role {
        Role::List => {
            // The item's schema, through the list's shape.
            body_schema
                .and_then(|s| {
                    array_items(store, s).or_else(|| list_envelope(store, s).map(|(_, i, _)| i))
                })
                .map(|items| properties(store, core(store, items)))
                .unwrap_or_default()
        }
        _ => Map::new(),
    };
    if role == Role::List {
        for p in &query {
            let name = p.name.as_str();
            let schema = p.schema.map(|id| core(store, store.get(id)));
            match name {
                "limit" | "per_page" | "perPage" | "page_size" | "pageSize" | "size" | "count"
                | "max_results" | "maxResults" | "first" => {
                    paging.limit = Some(name.to_string());
                    paging.default_size = schema
                        .and_then(|s| s.get("default"))
                        .and_then(Value::as_u64)
                        .map(|n| n as usize);
                }
                "offset" | "skip" | "start" => paging.offset = Some(name.to_string()),
                "page" | "page_number" | "pageNumber" => {
                    paging.page = Some(name.to_string());
                    paging.page_from_zero = schema
                        .and_then(|s| s.get("minimum"))
                        .and_then(Value::as_i64)
                        == Some(0);
                }
                "after" | "cursor" | "next" | "starting_after" | "page_token" | "pageToken"
                | "continuation" => paging.cursor = Some(name.to_string()),
                "sort" | "sort_by" | "sortBy" | "order_by" | "orderBy" => {
                    paging.sort = Some(name.to_string())
                }
                "order" | "direction" | "sort_order" | "sortOrder" => {
                    paging.order = Some(name.to_string())
                }
                _ if item_props.contains_key(name) => filters.push(name.to_string()),
                _ => {}
            }
        }
    }
    let json_patch = op.request_body.as_ref().is_some_and(|b| {
        b.content
            .iter()
            .any(|m| crate::media::essence(&m.media_type).1 == "json-patch+json")
    });
    let body_is_item = shape == Shape::Item
        && body_schema.is_some_and(|b| std::ptr::eq(b, core(store, store.get(item_schema))));
    OpPlan {
        body_is_item,
        resource,
        role,
        response,
        status,
        shape,
        media,
        paging,
        filters,
        json_patch,
    }
}

/// The documented success response: the first 2xx (200/201 before others), else `default`.
pub fn success(op: &Operation) -> Option<usize> {
    use crate::model::StatusKey;
    let pos = |f: &dyn Fn(StatusKey) -> bool| op.responses.iter().position(|r| f(r.status));
    pos(&|s| matches!(s, StatusKey::Code(200..=201)))
        .or_else(|| pos(&|s| matches!(s, StatusKey::Code(202..=299))))
        .or_else(|| pos(&|s| s == StatusKey::Range(2)))
        .or_else(|| pos(&|s| s == StatusKey::Default))
}

/// The first JSON media type of a content map.
pub fn json_media(content: &[crate::model::MediaType]) -> Option<usize> {
    content.iter().position(|m| {
        let (kind, sub) = crate::media::essence(&m.media_type);
        kind == "application" && (sub == "json" || sub.ends_with("+json"))
    })
}

/// The media type a create's fields are read from: the first JSON one, else a form
/// (`application/x-www-form-urlencoded`, as Stripe's API takes) or `multipart/form-data`.
fn body_media(content: &[crate::model::MediaType]) -> Option<usize> {
    json_media(content).or_else(|| {
        content.iter().position(|m| {
            let (kind, sub) = crate::media::essence(&m.media_type);
            matches!(
                (&*kind, &*sub),
                ("application", "x-www-form-urlencoded") | ("multipart", "form-data")
            )
        })
    })
}

/// Keywords that do not change what a schema accepts.
const ANNOTATIONS: &[&str] = &[
    "description",
    "title",
    "example",
    "examples",
    "readOnly",
    "writeOnly",
    "deprecated",
    "default",
    "xml",
    "externalDocs",
    "$comment",
];

/// `schema` with `$ref`s followed where only annotations sit beside them.
pub fn core<'a>(store: &'a SchemaStore, mut schema: &'a Value) -> &'a Value {
    for _ in 0..32 {
        let Some(obj) = schema.as_object() else {
            return schema;
        };
        let Some(r) = obj.get("$ref").and_then(Value::as_str) else {
            return schema;
        };
        if !obj
            .keys()
            .all(|k| k == "$ref" || ANNOTATIONS.contains(&k.as_str()))
        {
            return schema;
        }
        match store.resolve(r) {
            Some(t) => schema = t,
            None => return schema,
        }
    }
    schema
}

fn type_is(schema: &Value, t: &str) -> bool {
    match schema.get("type") {
        Some(Value::String(s)) => s == t,
        Some(Value::Array(a)) => a.iter().any(|v| v == t),
        _ => false,
    }
}

/// `anyOf`/`oneOf` with an object among the alternatives (Stripe's
/// `anyOf: [customer, deleted_customer]`): the answer is the item, which the response schema
/// accepts through that branch.
fn alternatives_hold_item(store: &SchemaStore, s: &Value) -> bool {
    ["anyOf", "oneOf"]
        .iter()
        .filter_map(|k| s.get(*k)?.as_array())
        .flatten()
        .map(|b| core(store, b))
        .any(|b| is_object(store, b) && !is_envelope(store, b))
}

fn is_object(store: &SchemaStore, s: &Value) -> bool {
    type_is(s, "object") || !properties(store, s).is_empty()
}

/// The properties of an object schema, through `$ref`s and `allOf`.
pub fn properties<'a>(store: &'a SchemaStore, schema: &'a Value) -> Map<String, Value> {
    let mut out = Map::new();
    collect_properties(store, schema, &mut out, 0);
    out
}

fn collect_properties(
    store: &SchemaStore,
    schema: &Value,
    out: &mut Map<String, Value>,
    depth: u8,
) {
    if depth > 16 {
        return;
    }
    let schema = core(store, schema);
    let schema = match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                for (k, v) in props {
                    out.entry(k.clone()).or_insert_with(|| v.clone());
                }
            }
            match store.resolve(r) {
                Some(t) => t,
                None => return,
            }
        }
        None => schema,
    };
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        for (k, v) in props {
            out.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        for part in all {
            collect_properties(store, part, out, depth + 1);
        }
    }
}

/// The names a schema requires, through `$ref`s and `allOf`.
pub fn required(store: &SchemaStore, schema: &Value) -> Vec<String> {
    let mut out = Vec::new();
    collect_required(store, schema, &mut out, 0);
    out
}

fn collect_required(store: &SchemaStore, schema: &Value, out: &mut Vec<String>, depth: u8) {
    if depth > 16 {
        return;
    }
    let mut schema = core(store, schema);
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        match store.resolve(r) {
            Some(t) => schema = t,
            None => return,
        }
    }
    if let Some(req) = schema.get("required").and_then(Value::as_array) {
        out.extend(req.iter().filter_map(Value::as_str).map(str::to_string));
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        for part in all {
            collect_required(store, part, out, depth + 1);
        }
    }
}

/// An object with exactly one property that is an object schema (`{"data": Pet}`), maybe
/// beside metadata that is not an object: the key and the inner schema.
fn envelope_inner<'a>(store: &'a SchemaStore, s: &'a Value) -> Option<(String, &'a Value)> {
    let props = s.get("properties")?.as_object()?;
    let objects: Vec<(&String, &Value)> = props
        .iter()
        .filter(|(_, v)| {
            let c = core(store, v);
            is_object(store, c)
                && c.get("properties")
                    .is_some_and(|p| p.as_object().is_some_and(|m| m.len() > 1))
                || c.get("allOf").is_some()
        })
        .collect();
    match objects[..] {
        [(key, inner)] if props.len() <= 4 => Some((key.clone(), inner)),
        _ => None,
    }
}

fn is_envelope(store: &SchemaStore, s: &Value) -> bool {
    let Some(props) = s.get("properties").and_then(Value::as_object) else {
        return false;
    };
    const KEYS: &[&str] = &["data", "item", "result", "resource", "value", "payload"];
    props.len() <= 4
        && props.keys().any(|k| KEYS.contains(&k.as_str()))
        && envelope_inner(store, s).is_some()
}

fn array_items<'a>(store: &'a SchemaStore, s: &'a Value) -> Option<&'a Value> {
    if !type_is(s, "array") && s.get("items").is_none() {
        return None;
    }
    let _ = store;
    s.get("items")
}

fn max_items(_store: &SchemaStore, s: &Value) -> Option<usize> {
    s.get("maxItems")
        .and_then(Value::as_u64)
        .map(|n| n as usize)
}

/// An object with one array property of objects: (its key, the item schema, maxItems).
fn list_envelope<'a>(
    store: &'a SchemaStore,
    s: &'a Value,
) -> Option<(String, &'a Value, Option<usize>)> {
    let props = s.get("properties")?.as_object()?;
    let mut found = None;
    for (k, v) in props {
        let c = core(store, v);
        if let Some(items) = array_items(store, c) {
            if is_object(store, core(store, items)) {
                if found.is_some() {
                    return None;
                }
                found = Some((k.clone(), items, max_items(store, c)));
            }
        }
    }
    found
}

fn id_property(
    store: &SchemaStore,
    props: &Map<String, Value>,
    id_param: &str,
    collection_word: &str,
) -> Option<String> {
    if props.contains_key(id_param) {
        return Some(id_param.to_string());
    }
    if props.contains_key("id") {
        return Some("id".to_string());
    }
    let singular = collection_word.strip_suffix('s').unwrap_or(collection_word);
    for cand in [format!("{singular}Id"), format!("{singular}_id")] {
        if props.contains_key(&cand) {
            return Some(cand);
        }
    }
    let lower = id_param.to_ascii_lowercase();
    props
        .iter()
        .find(|(k, v)| {
            let k = k.to_ascii_lowercase();
            k == lower
                || (k.ends_with("id") && core(store, v).get("readOnly") == Some(&Value::Bool(true)))
        })
        .map(|(k, _)| k.clone())
}

/// What text ids start with so that they match `pattern`: nothing when a counter alone
/// matches, else the pattern's literal start when that and a counter match; else nothing (the
/// answer's check says so).
fn id_prefix(pattern: &str) -> String {
    let Ok(re) = regex::Regex::new(pattern) else {
        return String::new();
    };
    if re.is_match("1") && re.is_match("12") {
        return String::new();
    }
    let prefix: String = pattern
        .trim_start_matches('^')
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ':'))
        .collect();
    if re.is_match(&format!("{prefix}1")) && re.is_match(&format!("{prefix}12")) {
        prefix
    } else {
        String::new()
    }
}

fn id_kind(
    store: &SchemaStore,
    props: &Map<String, Value>,
    id_property: Option<&str>,
    api: &Api,
    ops: &[usize],
    id_param: &str,
) -> IdKind {
    let of = |s: &Value| {
        let s = core(store, s);
        if type_is(s, "integer") || type_is(s, "number") {
            Some(IdKind::Integer)
        } else if s.get("format").and_then(Value::as_str) == Some("uuid") {
            Some(IdKind::Uuid)
        } else if type_is(s, "string") {
            Some(IdKind::Text)
        } else {
            None
        }
    };
    if let Some(kind) = id_property.and_then(|p| props.get(p)).and_then(of) {
        return kind;
    }
    ops.iter()
        .flat_map(|&i| api.operations[i].parameters.iter())
        .find(|p| p.location == ParamIn::Path && p.name == id_param)
        .and_then(|p| p.schema)
        .and_then(|id| of(store.get(id)))
        .unwrap_or(IdKind::Text)
}

/// Properties the server fills in: `readOnly` ones, and those an answer requires that the
/// create request's schema does not have.
fn server_fields(
    api: &Api,
    ops: &[usize],
    item_schema: SchemaId,
    props: &Map<String, Value>,
) -> Vec<String> {
    let store = &api.schemas;
    let request_props = ops
        .iter()
        .map(|&i| &api.operations[i])
        .find(|o| o.method == Method::Post)
        .and_then(|o| o.request_body.as_ref())
        .and_then(|b| body_media(&b.content).and_then(|m| b.content[m].schema))
        .map(|id| properties(store, store.get(id)));
    let required = required(store, store.get(item_schema));
    props
        .iter()
        .filter(|(k, v)| {
            core(store, v).get("readOnly") == Some(&Value::Bool(true))
                || v.get("readOnly") == Some(&Value::Bool(true))
                || (required.contains(k)
                    && request_props.as_ref().is_some_and(|r| !r.contains_key(*k)))
        })
        .map(|(k, _)| k.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::id_prefix;

    #[test]
    fn text_ids_take_the_literal_start_of_their_pattern() {
        assert_eq!(id_prefix("^sub_[0-9]+$"), "sub_");
        assert_eq!(id_prefix("^cus_[A-Za-z0-9]+$"), "cus_");
        assert_eq!(id_prefix("^[0-9]+$"), "");
        assert_eq!(id_prefix("[a-z0-9]"), "");
        // No counter fits after the literal start: nothing to gain.
        assert_eq!(id_prefix("^abc$"), "");
        assert_eq!(id_prefix("(unclosed"), "");
    }
}

//! The stateful step: a request to a resource's operation (see [`crate::state::infer`]) reads
//! or changes the store instead of choosing an example. [`plan`] runs prefer, route and check
//! and returns what to do, owning all it needs; [`Action::run`] does it against the store (the
//! only await) and renders the answer, still validated against the response's schema.
//!
//! A request that asks for something explicit (`Prefer: code=`, `example=`, `dynamic`,
//! Prism's `__code`...) is answered statelessly, as if stateful mode were off.

use super::answer::{printable_header, Answer, VIOLATIONS_HEADER};
use super::{check, render, Call, Choice};
use crate::compile::{Mock, ValidateMode};
use crate::model::Method;
use crate::respond::problem::Problem;
use crate::route::Routed;
use crate::state::{self, store::scope_key, OpPlan, Refusal, Resource, Role, Shape, Store};
use bytes::Bytes;
use http::header::{HeaderName, HeaderValue};
use serde_json::{Map, Value};

/// What [`plan`] decided.
pub enum Plan {
    /// Not a stateful operation (or an explicit wish): the stateless pipeline answers.
    Stateless,
    /// Answered already (the request breaks the contract, its body is no JSON).
    Done(Answer),
    /// A change or a read of the store.
    Act(Action),
}

/// What a request does to the store, with everything the answer needs; owns its data, so it
/// can be carried across the store's await.
pub struct Action {
    operation: usize,
    scope: String,
    /// The store key of the item (item paths).
    id: Option<String>,
    body: Option<Value>,
    /// The body is a JSON Patch (`application/json-patch+json`).
    json_patch: bool,
    query: Vec<(String, String)>,
    accept: Option<String>,
    head: bool,
    /// The concrete collection path (for `Location`).
    collection: String,
    delay: Option<std::time::Duration>,
    violations: Option<(Vec<crate::validate::Violation>, usize)>,
}

/// Decides what a request does: nothing stateful, an answer at once, or an [`Action`].
pub fn plan(mock: &Mock, req: &super::Request) -> Plan {
    let Some(resources) = &mock.resources else {
        return Plan::Stateless;
    };
    let Routed::Found { operation, params } = mock.router.route(req.method, req.path) else {
        return Plan::Stateless;
    };
    let Some(op_plan) = resources.ops[operation].as_ref() else {
        return Plan::Stateless;
    };
    let (stripped, prefs) = match super::prefer(mock, req) {
        Ok(p) => p,
        Err(_) => return Plan::Stateless,
    };
    if stripped.is_some()
        || prefs.code.is_some()
        || prefs.example.is_some()
        || prefs.dynamic.is_some()
        || prefs.seed.is_some()
        || prefs.example_id.is_some()
    {
        return Plan::Stateless;
    }
    let head = req.method == Method::Head;
    let call = Call {
        req,
        operation,
        params: &params,
        prefs: &prefs,
        head,
    };
    let mut violations = None;
    if let Some(judged) = check::judge(mock, &call) {
        if mock.options.validate != ValidateMode::Warn {
            return Plan::Done(check::answer_judged(mock, &call, judged));
        }
        violations = Some((judged.violations, judged.total));
    }
    let resource = &resources.list[op_plan.resource];
    let param = |name: &str| {
        params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    let mut collection = resource.collection.clone();
    for p in &resource.parents {
        collection = collection.replace(&format!("{{{p}}}"), param(p));
    }
    let id = matches!(
        op_plan.role,
        Role::Read | Role::Replace | Role::Update | Role::Remove
    )
    .then(|| state::key_of(resource, param(&resource.id_param)));
    let body = match op_plan.role {
        Role::Create | Role::Replace | Role::Update => match item_body(mock, operation, req) {
            Ok(v) => Some(v),
            Err(e) => {
                return Plan::Done(Answer::problem(&Problem::new(
                    400,
                    "Bad Request",
                    format!(
                        "a stateful {} needs a JSON or form body: {e}",
                        op_plan.role.as_str()
                    ),
                )))
            }
        },
        _ => None,
    };
    let json_patch = op_plan.role == Role::Update
        && req
            .content_type()
            .is_some_and(|ct| crate::media::essence(ct).1 == "json-patch+json");
    Plan::Act(Action {
        operation,
        scope: scope_key(&resource.name, &collection),
        id,
        body,
        json_patch,
        query: if op_plan.role == Role::List {
            req.query_pairs().to_vec()
        } else {
            Vec::new()
        },
        accept: req.accept().map(str::to_string),
        head,
        collection,
        delay: super::chaos::delay(mock, Some(operation), &prefs),
        violations,
    })
}

impl Action {
    /// Reads or changes the store and renders the answer.
    pub async fn run(self, mock: &Mock, store: &Store) -> Answer {
        let Some(resources) = &mock.resources else {
            return Answer::empty(500);
        };
        let Some(op_plan) = resources.ops[self.operation].as_ref() else {
            return Answer::empty(500);
        };
        let resource = &resources.list[op_plan.resource];
        let outcome = self.change(mock, store, resource, op_plan).await;
        let mut answer = match outcome {
            Ok(Some(body)) => self.success(mock, op_plan, resource, body),
            Ok(None) => self.not_found(mock, resource),
            Err(r) => Answer::problem(&Problem::new(r.status, r.title, r.detail)),
        };
        if let Some((violations, total)) = self.violations {
            super::answer::push_violations_header(&mut answer, &violations, total);
            answer.violations = violations;
            answer.violations_total = total;
        }
        answer.operation = Some(self.operation);
        answer.delay = self.delay;
        answer
    }

    /// The store's part: `Some(body value)` on success (before shaping), `None` when the item
    /// is absent.
    async fn change(
        &self,
        mock: &Mock,
        store: &Store,
        resource: &Resource,
        op_plan: &OpPlan,
    ) -> Result<Option<Value>, Refusal> {
        let schemas = &mock.api.schemas;
        let id = self.id.as_deref().unwrap_or("");
        let seed = mock.options.seed;
        let locale = mock.options.locale;
        match op_plan.role {
            Role::List => {
                let items = store.list(&self.scope).await?;
                Ok(Some(Value::Array(items)))
            }
            Role::Read => store.get(&self.scope, id).await,
            Role::Remove => store.delete(&self.scope, id).await,
            Role::Create => {
                let body = self.body.as_ref().unwrap_or(&Value::Null);
                let make = |n: u64| {
                    let (key, item) = state::created(schemas, resource, body, n, seed, locale)?;
                    state::check_item(schemas, resource, &item)?;
                    Ok((key, item))
                };
                store
                    .create(&self.scope, &state::counter_key(resource), &make)
                    .await
                    .map(Some)
            }
            Role::Replace => {
                let body = self.body.as_ref().unwrap_or(&Value::Null);
                let change = |old: &Value| {
                    let item = state::replaced(resource, old, body)?;
                    state::check_item(schemas, resource, &item)?;
                    Ok(item)
                };
                store.update(&self.scope, id, &change).await
            }
            Role::Update => {
                let patch = self.body.as_ref().unwrap_or(&Value::Null);
                let json_patch = self.json_patch;
                let change = |old: &Value| {
                    let mut item = old.clone();
                    if json_patch {
                        state::patch::json_patch(&mut item, patch).map_err(|e| match e {
                            state::patch::PatchError::TestFailed(m) => Refusal::new(
                                409,
                                "Conflict",
                                format!("JSON Patch test failed: {m}"),
                            ),
                            state::patch::PatchError::Invalid(m) => Refusal::new(
                                422,
                                "Unprocessable Content",
                                format!("the JSON Patch does not apply: {m}"),
                            ),
                        })?;
                    } else {
                        state::patch::merge(&mut item, patch);
                    }
                    state::keep_identity(resource, old, &mut item);
                    state::check_item(schemas, resource, &item)?;
                    Ok(item)
                };
                store.update(&self.scope, id, &change).await
            }
        }
    }

    /// The documented success response with the item (or the page of items) in its place.
    fn success(&self, mock: &Mock, op_plan: &OpPlan, resource: &Resource, value: Value) -> Answer {
        let (body, page) = match (&op_plan.shape, value) {
            (Shape::List { max }, Value::Array(items)) => {
                let page = page(op_plan, *max, items, &self.query, resource);
                (Value::Array(page.items.clone()), Some(page))
            }
            (Shape::ListEnvelope { key, max }, Value::Array(items)) => {
                let page = page(op_plan, *max, items, &self.query, resource);
                let mut base = self.base(mock, op_plan);
                fill_list_envelope(&mut base, key, &page);
                (Value::Object(base), Some(page))
            }
            (Shape::Envelope(key), item) => {
                let mut base = self.base(mock, op_plan);
                base.insert(key.clone(), item);
                (Value::Object(base), None)
            }
            (Shape::Item, item) => (item, None),
            (_, _) => (Value::Null, None),
        };
        let _ = page;
        let mut answer = Answer::empty(op_plan.status);
        if let Some(ri) = op_plan.response {
            answer.headers = mock.headers(self.operation, ri).clone();
        }
        if op_plan.role == Role::Create {
            if let Some(key) = body_key(resource, &body, op_plan) {
                let location = format!("{}/{}", self.collection.trim_end_matches('/'), key);
                if let Ok(v) = HeaderValue::from_str(&location) {
                    answer.headers.retain(|(n, _)| n != http::header::LOCATION);
                    answer.headers.push((http::header::LOCATION, v));
                }
            }
        }
        let (Some(ri), Some(mi)) = (op_plan.response, op_plan.media) else {
            return answer;
        };
        if body.is_null() {
            return answer;
        }
        let model = &mock.api.operations[self.operation].responses[ri].content[mi];
        // Created, replaced and patched items were checked against the item schema already.
        let checked = op_plan.body_is_item
            && matches!(op_plan.role, Role::Create | Role::Replace | Role::Update);
        if let Some(schema) = model.schema.filter(|_| !checked) {
            if let Err(errors) = mock.api.schemas.check(schema, &body) {
                let errors = errors.join("; ");
                if mock.options.errors {
                    return Answer::problem(
                        &Problem::new(
                            500,
                            "Response Breaks The Contract",
                            format!(
                                "the stored {} does not fit the documented response: {errors}",
                                resource.name
                            ),
                        )
                        .with("violations", Value::from(errors)),
                    );
                }
                if let Ok(v) =
                    HeaderValue::from_str(&printable_header(&format!("response body: {errors}")))
                {
                    answer
                        .headers
                        .push((HeaderName::from_static(VIOLATIONS_HEADER), v));
                }
            }
        }
        let media = &mock.compiled(self.operation).responses[ri].media[mi];
        answer
            .headers
            .push((http::header::CONTENT_TYPE, media.content_type.clone()));
        if !self.head {
            answer.body = Bytes::from(serde_json::to_vec(&body).unwrap_or_default());
        }
        answer
    }

    /// The documented response's own body as an object, for an envelope's other fields.
    fn base(&self, mock: &Mock, op_plan: &OpPlan) -> Map<String, Value> {
        let (Some(ri), Some(mi)) = (op_plan.response, op_plan.media) else {
            return Map::new();
        };
        match mock.static_body(self.operation, ri, mi) {
            Ok(bytes) => match serde_json::from_slice(bytes) {
                Ok(Value::Object(m)) => m,
                _ => Map::new(),
            },
            Err(_) => Map::new(),
        }
    }

    /// The documented 404 when there is one, else a problem naming the item.
    fn not_found(&self, mock: &Mock, resource: &Resource) -> Answer {
        let op = &mock.api.operations[self.operation];
        if crate::respond::response_for_code(op, 404)
            .is_some_and(|ri| op.responses[ri].status != crate::model::StatusKey::Default)
        {
            return render::render(
                mock,
                self.operation,
                &Choice {
                    status: Some(404),
                    ..Choice::default()
                },
                self.accept.as_deref(),
                self.head,
                None,
            );
        }
        Answer::problem(
            &Problem::new(
                404,
                "Not Found",
                format!(
                    "no {} with id {} in {}",
                    resource.name,
                    self.id.as_deref().unwrap_or(""),
                    self.collection
                ),
            )
            .with("resource", Value::from(resource.name.as_str())),
        )
    }
}

/// A created item's store key, as the answer shows it.
fn body_key(resource: &Resource, body: &Value, op_plan: &OpPlan) -> Option<String> {
    let item = match &op_plan.shape {
        Shape::Envelope(k) => body.get(k)?,
        _ => body,
    };
    state::key_in(resource, item)
}

/// One page of a list.
struct Page {
    items: Vec<Value>,
    total: usize,
    offset: usize,
    size: usize,
    page: Option<usize>,
    next: Option<String>,
}

/// Filters, sorts and pages `items` as the list operation's query parameters say.
fn page(
    op_plan: &OpPlan,
    max: Option<usize>,
    mut items: Vec<Value>,
    query: &[(String, String)],
    resource: &Resource,
) -> Page {
    let get = |name: &Option<String>| {
        let name = name.as_deref()?;
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    for f in &op_plan.filters {
        let wanted: Vec<&str> = query
            .iter()
            .filter(|(k, _)| k == f)
            .flat_map(|(_, v)| v.split(','))
            .collect();
        if wanted.is_empty() {
            continue;
        }
        items.retain(|it| match it.get(f) {
            Some(Value::String(s)) => wanted.contains(&s.as_str()),
            Some(Value::Array(a)) => a.iter().any(|x| wanted.iter().any(|w| equals(x, w))),
            Some(other) => wanted.iter().any(|w| equals(other, w)),
            None => false,
        });
    }
    let paging = &op_plan.paging;
    if let Some(sort) = get(&paging.sort) {
        let (desc, key) = match sort.strip_prefix('-') {
            Some(k) => (true, k),
            None => (false, sort.strip_prefix('+').unwrap_or(sort)),
        };
        let desc = desc || get(&paging.order).is_some_and(|o| o.eq_ignore_ascii_case("desc"));
        let key = key.to_string();
        items.sort_by(|a, b| compare(a.get(&key), b.get(&key)));
        if desc {
            items.reverse();
        }
    }
    let total = items.len();
    let asked = get(&paging.limit).and_then(|v| v.parse::<usize>().ok());
    let mut size = asked.or(paging.default_size).unwrap_or(usize::MAX);
    if let Some(m) = max {
        size = size.min(m);
    }
    let page_number = get(&paging.page).and_then(|v| v.parse::<usize>().ok());
    let mut offset = get(&paging.offset)
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(0);
    if let Some(p) = page_number {
        let first = if paging.page_from_zero { 0 } else { 1 };
        if size != usize::MAX {
            offset = p.saturating_sub(first).saturating_mul(size);
        }
    }
    if let Some(cursor) = get(&paging.cursor) {
        if let Some(pos) = items
            .iter()
            .position(|it| state::key_in(resource, it).as_deref() == Some(cursor))
        {
            offset = pos + 1;
        }
    }
    let offset = offset.min(total);
    let end = offset.saturating_add(size).min(total);
    let next = (end < total)
        .then(|| items.get(end.saturating_sub(1)))
        .flatten()
        .and_then(|it| state::key_in(resource, it));
    let items = items.drain(offset..end).collect();
    let first = usize::from(!paging.page_from_zero);
    Page {
        items,
        total,
        offset,
        size: if size == usize::MAX {
            total.max(1)
        } else {
            size
        },
        page: page_number.or(paging.page.as_ref().map(|_| first)),
        next,
    }
}

fn equals(v: &Value, wanted: &str) -> bool {
    match v {
        Value::String(s) => s == wanted,
        Value::Number(n) => n.to_string() == wanted || wanted.parse::<f64>().ok() == n.as_f64(),
        Value::Bool(b) => b.to_string() == wanted,
        Value::Null => wanted == "null",
        _ => false,
    }
}

fn compare(a: Option<&Value>, b: Option<&Value>) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    match (a, b) {
        (Some(Value::Number(x)), Some(Value::Number(y))) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Some(Value::String(x)), Some(Value::String(y))) => x.cmp(y),
        (Some(Value::Bool(x)), Some(Value::Bool(y))) => x.cmp(y),
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        _ => Ordering::Equal,
    }
}

/// A list envelope's fields: the page under `key`, and the totals and paging fields the
/// document's own body has.
fn fill_list_envelope(base: &mut Map<String, Value>, key: &str, page: &Page) {
    base.insert(key.to_string(), Value::from(page.items.clone()));
    let keys: Vec<String> = base.keys().cloned().collect();
    for k in keys {
        let lower = k.to_ascii_lowercase().replace('_', "");
        let value = match lower.as_str() {
            "total" | "totalcount" | "count" | "totalitems" | "totalresults" | "totalelements" => {
                Some(Value::from(page.total))
            }
            "offset" | "skip" | "start" => Some(Value::from(page.offset)),
            "limit" | "perpage" | "pagesize" | "size" => Some(Value::from(page.size)),
            "page" | "pagenumber" => page.page.map(Value::from),
            "hasmore" | "hasnext" => Some(Value::from(page.next.is_some())),
            "next" | "nextcursor" | "cursor" | "nextpagetoken" => match &page.next {
                Some(n) => Some(Value::from(n.as_str())),
                None => {
                    base.remove(&k);
                    None
                }
            },
            _ => None,
        };
        if let Some(v) = value {
            base.insert(k, v);
        }
    }
}

/// The body a create or update stores: JSON as it is; a form (`application/x-www-form-urlencoded`,
/// as Stripe's and many other published APIs take) or multipart body as the object of its
/// fields, typed by the operation's schema as validation reads it.
fn item_body(mock: &Mock, operation: usize, req: &super::Request) -> Result<Value, String> {
    use crate::validate::body;
    let ct = req.content_type().unwrap_or("");
    let media = mock.api.operations[operation]
        .request_body
        .as_ref()
        .and_then(|rb| body::pick_media(&rb.content, ct).map(|i| &rb.content[i]));
    match media {
        Some(media) if !body::reads_as_json(media, ct) => {
            match body::parse(&mock.api.schemas, media, ct, req.body) {
                Ok(body::Parsed::Value(v)) => Ok(v),
                Ok(body::Parsed::Opaque) => Err(format!("{ct} cannot be stored")),
                Err(violations) => Err(violations
                    .iter()
                    .map(|v| v.line())
                    .collect::<Vec<_>>()
                    .join("; ")),
            }
        }
        _ => req.json().clone(),
    }
}

//! The callbacks step, after render: which requests the answered operation sends to its
//! client, with their URLs and bodies filled in from this exchange. Nothing is sent here; the
//! server sends them once its answer is written.

use super::{Answer, Call};
use crate::callback::{Outbound, Trigger};
use crate::compile::Mock;
use crate::expression::Exchange;
use crate::respond::template;
use serde_json::Value;

/// The callbacks of `call`'s operation for `answer`: none unless the answer is a success or a
/// redirect (an API calls back about what it did, not about what it refused).
pub(super) fn prepare(mock: &Mock, call: &Call, answer: &Answer) -> Vec<Outbound> {
    let list = mock.callbacks_of(call.operation);
    if list.is_empty() || answer.status >= 400 {
        return Vec::new();
    }
    let req = call.req;
    let host = req.header(http::header::HOST).unwrap_or("localhost");
    let url = match req.query() {
        Some(q) => format!("http://{host}{}?{q}", req.path),
        None => format!("http://{host}{}", req.path),
    };
    let reads_response = list.iter().any(|&i| mock.callbacks[i].reads_response_body);
    let response_body: Option<Value> = if reads_response {
        serde_json::from_slice(&answer.body).ok()
    } else {
        None
    };
    let reads_request = list.iter().any(|&i| mock.callbacks[i].reads_request_body);
    let request_body = if reads_request {
        req.json().as_ref().ok()
    } else {
        None
    };
    let trigger = Trigger {
        exchange: Exchange {
            url: &url,
            method: req.method.as_str(),
            status: answer.status,
            request_headers: req.headers,
            query: req.query_pairs(),
            path_params: call.params,
            request_body,
            response_headers: &answer.headers,
            response_body: response_body.as_ref(),
        },
        context: template::Context {
            method: req.method.as_str(),
            path: req.path,
            path_params: call.params,
            query: req.query(),
            headers: req.headers,
            body: request_body,
            response: Some(template::ResponseContext {
                status: answer.status,
                headers: &answer.headers,
                body: response_body.as_ref(),
            }),
        },
    };
    let options = mock.callback_body_options();
    list.iter()
        .map(|&i| {
            let c = &mock.callbacks[i];
            c.for_exchange(
                i,
                &mock.api.schemas,
                options,
                &trigger,
                mock.callback_delay_ms(c),
            )
        })
        .collect()
}

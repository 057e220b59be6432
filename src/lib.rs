//! stubborn: a mock server that is stubborn about the contract.
//!
//! Start a mock of the API your code calls from that API's OpenAPI document, point the client
//! under test at it, and check at the end that every request the client made kept to the
//! contract: the feature hand-written stubs cannot give. The mock answers with the document's
//! examples or with data generated from its schemas; [`Stub`]s add the answers a test needs.
//!
//! ```
//! use stubborn::{MockServer, Stub};
//!
//! #[tokio::main(flavor = "current_thread")] // in a test: #[tokio::test]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let server = MockServer::start(concat!(env!("CARGO_MANIFEST_DIR"), "/specs/petstore.yaml")).await?;
//!     // The document answers...
//!     let pets: Vec<serde_json::Value> = reqwest::get(server.url("/pets")).await?.json().await?;
//!     assert!(!pets.is_empty());
//!     // ...and stubs answer first, counted.
//!     server.register(Stub::operation("showPetById").prefer_status(404).expect(1))?;
//!     let status = reqwest::get(server.url("/pets/42")).await?.status();
//!     assert_eq!(status, 404);
//!     // What the client sent, with the operation it reached.
//!     let requests = server.received_requests();
//!     assert_eq!(requests[1].operation.as_deref(), Some("showPetById"));
//!     // Every request kept to the contract (this panics with a list of those that did not).
//!     server.assert_contract_kept();
//!     Ok(())
//! } // dropped: the server stops, and the stub's `expect(1)` is checked
//! ```
//!
//! For a synchronous test, [`MockServer::start_blocking`] waits for the server without an
//! async runtime (the server always runs on a thread of its own).
//!
//! # Features
//!
//! - `cli` (default): the `stubborn` command line and what only it needs (clap, completions
//!   and man page, the log formatter). Turn it off to embed the library:
//!   `stubborn = { version = "0.1", default-features = false }`.
//! - `dashboard` (part of `cli`): the dashboard page at `/__stubborn`. The admin API answers
//!   without it.
//!
//! # Layout
//!
//! The public API is the few items at this root. The modules below it are the pipeline the
//! server runs (`load` → `compile` → `runtime` → `server`, see ARCHITECTURE.md) and the
//! commands of the binary; they are public for the binary, the integration tests and the
//! benchmarks only, hidden from these docs, and may change in any release.

#[doc(hidden)]
pub mod callback;
#[cfg(feature = "cli")]
#[doc(hidden)]
pub mod check;
#[cfg(feature = "cli")]
#[doc(hidden)]
pub mod cli;
#[doc(hidden)]
pub mod client;
#[doc(hidden)]
pub mod compile;
#[cfg(feature = "cli")]
#[doc(hidden)]
pub mod convert;
#[doc(hidden)]
pub mod cookies;
#[doc(hidden)]
pub mod expression;
#[doc(hidden)]
pub mod generate;
#[cfg(feature = "cli")]
#[doc(hidden)]
pub mod import;
#[cfg(feature = "cli")]
#[doc(hidden)]
pub mod init;
#[doc(hidden)]
pub mod load;
#[doc(hidden)]
pub mod media;
#[doc(hidden)]
pub mod mockserver;
#[doc(hidden)]
pub mod model;
#[doc(hidden)]
pub mod proxy;
#[cfg(feature = "cli")]
#[doc(hidden)]
pub mod record;
#[doc(hidden)]
pub mod redact;
#[doc(hidden)]
pub mod respond;
#[doc(hidden)]
pub mod route;
#[doc(hidden)]
pub mod runtime;
#[doc(hidden)]
pub mod schema;
#[doc(hidden)]
pub mod server;
#[doc(hidden)]
pub mod state;
#[doc(hidden)]
pub mod stream;
#[doc(hidden)]
pub mod validate;

pub use compile::ValidateMode;
pub use generate::Locale;
pub use load::{LoadError, LoadErrors};
pub use mockserver::{Error, MockServer, MockServerBuilder, ReceivedRequest, Stub, Times};

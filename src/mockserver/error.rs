//! [`Error`]: everything the library's API can refuse, each with what a test author needs to
//! fix it.

use super::received::ReceivedRequest;
use crate::load::LoadErrors;

/// Why a [`MockServer`](crate::MockServer) did not start, a [`Stub`](crate::Stub) was not
/// registered, or a check failed.
///
/// Its `Display` is written for a person reading a failed test: every problem, one per line.
///
/// ```
/// let err = stubborn::MockServer::builder()
///     .spec_text("openapi: 3.1.0\npaths: []")
///     .start_blocking()
///     .unwrap_err();
/// assert!(matches!(err, stubborn::Error::Load(_)));
/// assert!(err.to_string().contains("paths"), "{err}");
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The document does not load: every problem found, each with its file and JSON pointer.
    Load(LoadErrors),
    /// An option is out of range (a delay longer than the longest allowed, say).
    Options(String),
    /// The server could not listen on its address.
    Bind {
        /// The address asked for.
        address: String,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The server's thread or its async runtime could not be started.
    Runtime(std::io::Error),
    /// A stub cannot be registered: an unknown operation, a malformed header, a body that is not
    /// JSON...
    Stub(String),
    /// Stubs were not called as often as they expected: one line per stub.
    Expectations(Vec<String>),
    /// Requests broke the contract.
    ContractBroken {
        /// Every logged request that broke it, oldest first.
        requests: Vec<ReceivedRequest>,
        /// How many requests were received in all.
        received: usize,
        /// Requests that dropped out of the bounded request log before the check, and so were
        /// not checked (see [`MockServerBuilder::log_size`](crate::MockServerBuilder::log_size)).
        unchecked: u64,
    },
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Load(errors) => {
                write!(f, "the document does not load:\n{errors}")
            }
            Error::Options(message) => write!(f, "bad option: {message}"),
            Error::Bind { address, source } => write!(f, "cannot listen on {address}: {source}"),
            Error::Runtime(e) => write!(f, "cannot start the mock server's runtime: {e}"),
            Error::Stub(message) => write!(f, "the stub cannot be registered: {message}"),
            Error::Expectations(unmet) => {
                write!(f, "{} stub expectation(s) not met:", unmet.len())?;
                for line in unmet {
                    write!(f, "\n  - {line}")?;
                }
                Ok(())
            }
            Error::ContractBroken {
                requests,
                received,
                unchecked,
            } => {
                if requests.is_empty() {
                    write!(
                        f,
                        "{unchecked} request(s) dropped out of the request log unchecked"
                    )?;
                } else {
                    write!(
                        f,
                        "{} of {received} request(s) broke the contract:",
                        requests.len()
                    )?;
                    for (i, r) in requests.iter().enumerate() {
                        write!(f, "\n  {}. {r}", i + 1)?;
                    }
                    if *unchecked > 0 {
                        write!(
                            f,
                            "\n  ({unchecked} earlier request(s) dropped out of the log unchecked)"
                        )?;
                    }
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Load(e) => Some(e),
            Error::Bind { source, .. } => Some(source),
            Error::Runtime(e) => Some(e),
            _ => None,
        }
    }
}

impl From<LoadErrors> for Error {
    fn from(e: LoadErrors) -> Self {
        Error::Load(e)
    }
}

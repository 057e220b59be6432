//! `stubborn import`: recorded traffic into an OpenAPI 3.1 document.

use crate::cli::ImportArgs;
use std::process::ExitCode;

pub fn run(_args: &ImportArgs) -> Result<ExitCode, String> {
    Err("stubborn import is not built yet".into())
}

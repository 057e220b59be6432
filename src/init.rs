//! `stubborn init`: a ready spec from templates/.

use crate::cli::InitArgs;
use std::process::ExitCode;

pub fn run(_args: &InitArgs) -> Result<ExitCode, String> {
    Err("stubborn init is not built yet".into())
}

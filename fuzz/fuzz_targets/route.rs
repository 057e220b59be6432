#![no_main]
//! libFuzzer driver for the `route` target; the logic is `stubborn_fuzz::route`.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| stubborn_fuzz::route(data));

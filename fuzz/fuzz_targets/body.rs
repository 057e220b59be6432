#![no_main]
//! libFuzzer driver for the `body` target; the logic is `stubborn_fuzz::body`.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| stubborn_fuzz::body(data));

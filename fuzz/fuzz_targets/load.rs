#![no_main]
//! libFuzzer driver for the `load` target; the logic is `stubborn_fuzz::load`.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| stubborn_fuzz::load(data));

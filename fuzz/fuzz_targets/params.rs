#![no_main]
//! libFuzzer driver for the `params` target; the logic is `stubborn_fuzz::params`.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| stubborn_fuzz::params(data));

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| zephr_admin_fuzz::checks::sign_parts(data));

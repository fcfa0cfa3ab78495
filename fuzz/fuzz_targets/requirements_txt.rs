#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mlrun_lint_fuzz::requirements_txt(data));

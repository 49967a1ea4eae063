#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| dmarc_rollout_fuzz::message_parse(data));

//! Measures the nonce store's heap bytes per remembered nonce with a counting
//! allocator: `cargo run --release -p zephr-emulator --example nonce_memory`.

use std::alloc::System;

use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use zephr_emulator::NonceStore;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const NOW: u64 = 1_700_000_000_000;
const WINDOW_MS: u64 = 300_000;

fn main() {
    println!("entries      heap bytes   bytes/entry");
    // Sizes on both sides of the hash set's growth steps (at 7/8 of a power of
    // two), so both ends of the per-entry range show.
    for count in [
        100_000u64, 900_000, 1_000_000, 1_800_000, 1_900_000, 3_000_000,
    ] {
        // Nonces are made before measuring: the store keeps a digest, not the text.
        let nonces: Vec<String> = (0..count)
            .map(|i| format!("{:032x}", u128::from(i) * 0x9E37_79B9_7F4A_7C15))
            .collect();
        let region = Region::new(GLOBAL);
        let mut store = NonceStore::new(usize::MAX);
        for (i, nonce) in nonces.iter().enumerate() {
            let now = NOW + i as u64 / 10;
            if store
                .spend("access-key", nonce, now + WINDOW_MS, now)
                .is_err()
            {
                eprintln!("refused at {i}");
                return;
            }
        }
        let stats = region.change();
        // A reallocation's growth or shrinkage is already counted in these two.
        let live = stats.bytes_allocated - stats.bytes_deallocated;
        println!("{count:>9} {live:>14} {:>12.1}", live as f64 / count as f64);
        drop(store);
    }
}

//! The nonces spent inside the timestamp window.
//!
//! A nonce is kept until the timestamp it was signed with leaves the window,
//! so a captured request can never be replayed while its timestamp is still
//! accepted, whatever the load. Nothing is forgotten early: when the store
//! holds its configured maximum, new requests are refused (503) instead.
//!
//! Memory: each entry is a 16-byte digest of `access key:nonce` in a hash
//! set, plus the digest and its expiry in a min-heap, so an entry costs the
//! same whatever the nonce's length (BENCHMARKS.md has the measured bytes per
//! entry). At a steady rate the store holds about `rate × window` entries
//! (up to `rate × 2 × window` if clients sign with timestamps ahead of the
//! server clock), and never more than the configured maximum.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashSet};

use sha2::{Digest, Sha256};

/// What identifies a spent nonce: the first 16 bytes of
/// SHA-256(`access key:nonce`). Access keys hold no `:`, so the text is
/// unambiguous, and 128 bits make an accidental or crafted collision
/// impractical.
type Key = [u8; 16];

fn key(access_key: &str, nonce: &str) -> Key {
    let digest = Sha256::new()
        .chain_update(access_key.as_bytes())
        .chain_update(b":")
        .chain_update(nonce.as_bytes())
        .finalize();
    let mut key = [0u8; 16];
    for (k, d) in key.iter_mut().zip(digest.iter()) {
        *k = *d;
    }
    key
}

/// Why a nonce could not be spent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotSpent {
    /// Already spent inside the window: a replay.
    Replayed,
    /// The store holds its maximum; the oldest entry expires in this many seconds.
    Full {
        /// Seconds until the earliest entry expires (at least 1).
        retry_after_secs: u64,
    },
}

/// Spent nonces, each kept until its expiry (timestamp + window): the
/// emulator's replay protection, public so that its memory can be measured.
///
/// ```
/// use zephr_emulator::{NonceStore, NotSpent};
/// let mut store = NonceStore::new(1_000);
/// let (now, window) = (1_700_000_000_000, 300_000);
/// assert_eq!(store.spend("ak", "n1", now + window, now), Ok(()));
/// assert_eq!(store.spend("ak", "n1", now + window, now + 1), Err(NotSpent::Replayed));
/// assert!(!store.is_spent("ak", "n1", now + window + 1));
/// ```
#[derive(Debug)]
pub struct NonceStore {
    seen: HashSet<Key>,
    /// (expiry in ms, key), earliest expiry first.
    expiries: BinaryHeap<Reverse<(u64, Key)>>,
    max_entries: usize,
}

impl NonceStore {
    /// An empty store that holds at most `max_entries` nonces.
    pub fn new(max_entries: usize) -> Self {
        NonceStore {
            seen: HashSet::new(),
            expiries: BinaryHeap::new(),
            max_entries: max_entries.max(1),
        }
    }

    /// How many nonces are remembered.
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    /// Whether no nonce is remembered.
    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }

    /// Whether this nonce was spent and has not expired by `now_ms`.
    pub fn is_spent(&mut self, access_key: &str, nonce: &str, now_ms: u64) -> bool {
        self.expire(now_ms);
        self.seen.contains(&key(access_key, nonce))
    }

    /// Spends a nonce, to be remembered until `expires_ms` (inclusive).
    pub fn spend(
        &mut self,
        access_key: &str,
        nonce: &str,
        expires_ms: u64,
        now_ms: u64,
    ) -> Result<(), NotSpent> {
        self.expire(now_ms);
        let key = key(access_key, nonce);
        if self.seen.contains(&key) {
            return Err(NotSpent::Replayed);
        }
        if self.seen.len() >= self.max_entries {
            let earliest = self.expiries.peek().map_or(now_ms, |Reverse((at, _))| *at);
            // The first slot frees once `now` passes `earliest`.
            let wait_ms = earliest.saturating_sub(now_ms).saturating_add(1);
            return Err(NotSpent::Full {
                retry_after_secs: wait_ms.div_ceil(1000).max(1),
            });
        }
        self.seen.insert(key);
        self.expiries.push(Reverse((expires_ms, key)));
        Ok(())
    }

    /// Forgets the nonces whose expiry is before `now_ms`.
    fn expire(&mut self, now_ms: u64) {
        while let Some(Reverse((at, _))) = self.expiries.peek() {
            if *at >= now_ms {
                break;
            }
            if let Some(Reverse((_, key))) = self.expiries.pop() {
                self.seen.remove(&key);
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const NOW: u64 = 1_700_000_000_000;
    const WINDOW: u64 = 300_000;

    #[test]
    fn a_flood_larger_than_any_fixed_limit_forgets_nothing_inside_the_window() {
        // More than a store of fixed size (200,000 entries, say) would hold.
        let count = 250_000u64;
        let mut store = NonceStore::new(1_000_000);
        for i in 0..count {
            let now = NOW + i / 1000;
            let nonce = format!("n{i}");
            assert_eq!(store.spend("ak", &nonce, now + WINDOW, now), Ok(()));
        }
        let now = NOW + count / 1000;
        assert_eq!(store.len(), count as usize);
        assert!(store.is_spent("ak", "n0", now));
        assert_eq!(
            store.spend("ak", "n0", now + WINDOW, now),
            Err(NotSpent::Replayed)
        );
        // The same nonce under another access key is another nonce.
        assert!(!store.is_spent("other", "n0", now));
    }

    #[test]
    fn nonces_expire_with_their_timestamps_not_before() {
        let mut store = NonceStore::new(10);
        store.spend("ak", "late", NOW + WINDOW, NOW).unwrap();
        // Signed 4 minutes ahead of the clock: kept 4 minutes longer.
        store
            .spend("ak", "early", NOW + 240_000 + WINDOW, NOW)
            .unwrap();
        assert!(store.is_spent("ak", "late", NOW + WINDOW));
        assert!(!store.is_spent("ak", "late", NOW + WINDOW + 1));
        assert!(store.is_spent("ak", "early", NOW + WINDOW + 1));
        assert!(!store.is_spent("ak", "early", NOW + 240_000 + WINDOW + 1));
        assert_eq!(store.len(), 0);
    }

    #[test]
    fn a_full_store_refuses_instead_of_forgetting() {
        let mut store = NonceStore::new(3);
        for (i, nonce) in ["a", "b", "c"].into_iter().enumerate() {
            let now = NOW + i as u64 * 1000;
            store.spend("ak", nonce, now + WINDOW, now).unwrap();
        }
        let now = NOW + 10_000;
        // "a" expires at NOW + WINDOW: 290 s from now, and one millisecond after.
        assert_eq!(
            store.spend("ak", "d", now + WINDOW, now),
            Err(NotSpent::Full {
                retry_after_secs: 291
            })
        );
        assert!(store.is_spent("ak", "a", now));
        assert_eq!(
            store.spend("ak", "a", now + WINDOW, now),
            Err(NotSpent::Replayed)
        );
        // Once "a" expires there is room again.
        let later = NOW + WINDOW + 1;
        assert_eq!(store.spend("ak", "d", later + WINDOW, later), Ok(()));
        assert!(!store.is_spent("ak", "a", later));
        assert!(store.is_spent("ak", "b", later));
    }
}

//! A SHA-256 length-extension forger for `ZEPHR-HMAC-SHA256`, built the way
//! an attacker would: from one captured header and the length of the secret,
//! without the secret itself. Shared by the core's and the emulator's tests.

#![allow(dead_code, clippy::unwrap_used, clippy::indexing_slicing)]

use sha2::block_api::compress256;

/// The signed bytes of a request after the secret, in the documented order.
pub fn signed_bytes(
    body: &[u8],
    path: &str,
    query: &str,
    method: &str,
    timestamp: &str,
    nonce: &str,
) -> Vec<u8> {
    let mut bytes = body.to_vec();
    for part in [path, query, method, timestamp, nonce] {
        bytes.extend_from_slice(part.as_bytes());
    }
    bytes
}

/// The SHA-256 padding of a message of `len` bytes.
pub fn padding(len: usize) -> Vec<u8> {
    let mut pad = vec![0x80];
    while (len + pad.len()) % 64 != 56 {
        pad.push(0);
    }
    pad.extend_from_slice(&(len as u64 * 8).to_be_bytes());
    pad
}

/// A forged request: its body and the hash that signs it with `suffix`
/// (the new path, query, method, timestamp and nonce) after the body.
pub struct Forgery {
    /// The captured signed bytes (after the secret), the padding, then `extra`.
    pub body: Vec<u8>,
    /// 64 lowercase hex digits.
    pub hash: String,
}

/// Extends a captured hash of `secret ‖ captured` (the secret has
/// `secret_len` bytes) with `extra` body bytes and then `suffix`.
pub fn extend(
    captured_hash: &str,
    secret_len: usize,
    captured: &[u8],
    extra: &[u8],
    suffix: &[u8],
) -> Forgery {
    let mut state = [0u32; 8];
    for (i, word) in state.iter_mut().enumerate() {
        *word = u32::from_str_radix(&captured_hash[i * 8..i * 8 + 8], 16).unwrap();
    }
    let original_len = secret_len + captured.len();
    let pad = padding(original_len);
    let mut body = captured.to_vec();
    body.extend_from_slice(&pad);
    body.extend_from_slice(extra);

    // Continue the hash after the padded original: the new bytes, then the
    // padding of the whole forged message.
    let mut tail = extra.to_vec();
    tail.extend_from_slice(suffix);
    let total = original_len + pad.len() + tail.len();
    tail.extend_from_slice(&padding(total));
    let blocks: Vec<[u8; 64]> = tail
        .chunks(64)
        .map(|c| <[u8; 64]>::try_from(c).unwrap())
        .collect();
    compress256(&mut state, &blocks);
    let hash = state.iter().map(|w| format!("{w:08x}")).collect();
    Forgery { body, hash }
}

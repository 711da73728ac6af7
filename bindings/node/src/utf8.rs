//! JS strings to UTF-8 without an allocation per string: each string is written
//! by one `napi_get_value_string_utf8` call into what is left of a caller's
//! stack buffer; a string that does not fit is read into its own `String`.
//! The only `unsafe` of the crate: the two Node-API calls and their pointers.
#![allow(unsafe_code)]

use std::borrow::Cow;
use std::ptr;

use napi::bindgen_prelude::Unknown;
use napi::{Env, Error, JsValue, Result, Status, sys};

/// Bytes of stack for the strings of one call.
pub const SCRATCH: usize = 1024;

/// A stack buffer for the strings of one call that may hold a secret, zeroed
/// when the call ends. Zeroed as a slice (one `memset` the compiler must keep):
/// `Zeroizing<[u8; N]>` zeroes byte by byte with volatile writes, which cost
/// about a third of a `signRequest` call.
pub struct SecretScratch(pub [u8; SCRATCH]);

impl SecretScratch {
    pub fn new() -> Self {
        SecretScratch([0; SCRATCH])
    }
}

impl Drop for SecretScratch {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(self.0.as_mut_slice());
    }
}

/// Hands out consecutive pieces of one buffer, one per string read.
pub struct Reader<'b> {
    env: sys::napi_env,
    rest: &'b mut [u8],
}

impl<'b> Reader<'b> {
    pub fn new(env: &Env, buffer: &'b mut [u8]) -> Self {
        Self {
            env: env.raw(),
            rest: buffer,
        }
    }

    /// The value as UTF-8 (lone surrogates become U+FFFD, as with `TextEncoder`).
    /// A value that is not a string is an `InvalidArg` error.
    pub fn read(&mut self, value: &Unknown<'_>) -> Result<Cow<'b, str>> {
        let raw = value.raw();
        let rest = std::mem::take(&mut self.rest);
        let mut written = 0usize;
        // Node writes whole characters only and at most `len - 1` bytes.
        let status = unsafe {
            sys::napi_get_value_string_utf8(
                self.env,
                raw,
                rest.as_mut_ptr().cast(),
                rest.len(),
                &mut written,
            )
        };
        check(status)?;
        // Room for a 4-byte character and the terminator left over: it all fit.
        if written + 5 <= rest.len() {
            let (used, rest) = rest.split_at_mut(written);
            self.rest = rest;
            return std::str::from_utf8(used)
                .map(Cow::Borrowed)
                .map_err(|e| Error::new(Status::InvalidArg, e.to_string()));
        }
        self.rest = rest;
        self.read_owned(raw).map(Cow::Owned)
    }

    fn read_owned(&self, raw: sys::napi_value) -> Result<String> {
        let mut len = 0usize;
        check(unsafe {
            sys::napi_get_value_string_utf8(self.env, raw, ptr::null_mut(), 0, &mut len)
        })?;
        let mut bytes = vec![0u8; len + 1];
        let mut written = 0usize;
        check(unsafe {
            sys::napi_get_value_string_utf8(
                self.env,
                raw,
                bytes.as_mut_ptr().cast(),
                bytes.len(),
                &mut written,
            )
        })?;
        bytes.truncate(written);
        String::from_utf8(bytes).map_err(|e| Error::new(Status::InvalidArg, e.to_string()))
    }
}

fn check(status: sys::napi_status) -> Result<()> {
    if status == sys::Status::napi_ok {
        Ok(())
    } else {
        Err(Error::new(Status::from(status), "expected a string"))
    }
}

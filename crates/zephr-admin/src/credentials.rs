//! An admin key pair. The secret key is never shown and is zeroed on drop.

use std::fmt;

use zeroize::Zeroizing;

use crate::error::{Error, InputErrorKind};

/// An access key and its secret key, as created by `POST /v3/admin/users/{user_id}/keypairs`.
///
/// `Debug` and `Display` show the access key only; the secret key's memory is
/// zeroed when the value is dropped.
///
/// ```
/// use zephr_admin::Credentials;
///
/// let credentials = Credentials::new("my-access-key", "my-secret-key")?;
/// assert_eq!(credentials.access_key(), "my-access-key");
/// assert!(!format!("{credentials:?}").contains("my-secret-key"));
/// # Ok::<(), zephr_admin::Error>(())
/// ```
#[derive(Clone)]
pub struct Credentials {
    access_key: String,
    secret_key: Zeroizing<String>,
}

impl Credentials {
    /// Checks and wraps a key pair.
    ///
    /// The access key goes into the `Authorization` header, so it must be
    /// visible ASCII without `:` (the header's field separator). The secret key
    /// is only hashed and may hold any text, but must not be empty.
    pub fn new(
        access_key: impl Into<String>,
        secret_key: impl Into<String>,
    ) -> Result<Self, Error> {
        let access_key = access_key.into();
        let secret_key = Zeroizing::new(secret_key.into());
        check_header_field(&access_key, InputErrorKind::InvalidAccessKey, "access key")?;
        if secret_key.is_empty() {
            return Err(Error::input(
                InputErrorKind::InvalidSecretKey,
                "the secret key is empty",
            ));
        }
        Ok(Credentials {
            access_key,
            secret_key,
        })
    }

    /// The access key (public; it is sent in every request).
    pub fn access_key(&self) -> &str {
        &self.access_key
    }

    pub(crate) fn secret_key(&self) -> &[u8] {
        self.secret_key.as_bytes()
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key", &self.access_key)
            .field("secret_key", &"<redacted>")
            .finish()
    }
}

impl fmt::Display for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "access key {} (secret key redacted)", self.access_key)
    }
}

/// A field of the `Authorization` header (access key or nonce): non-empty
/// visible ASCII without `:`, so the header splits back into exactly its parts.
pub(crate) fn check_header_field(
    value: &str,
    kind: InputErrorKind,
    what: &str,
) -> Result<(), Error> {
    if value.is_empty() {
        return Err(Error::input(kind, format!("the {what} is empty")));
    }
    if let Some(c) = value.chars().find(|c| !c.is_ascii_graphic() || *c == ':') {
        return Err(Error::input(
            kind,
            format!(
                "the {what} contains {}; it must be visible ASCII without ':'",
                describe_char(c)
            ),
        ));
    }
    Ok(())
}

/// Names a character in an error message without echoing control bytes.
pub(crate) fn describe_char(c: char) -> String {
    match c {
        ':' => "':'".to_owned(),
        ' ' => "a space".to_owned(),
        '\r' => "CR".to_owned(),
        '\n' => "LF".to_owned(),
        c if c.is_control() || c.is_whitespace() => format!("U+{:04X}", c as u32),
        c if !c.is_ascii() => format!("non-ASCII character U+{:04X}", c as u32),
        c => format!("'{c}'"),
    }
}

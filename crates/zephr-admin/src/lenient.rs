//! Tolerant field decoders for the generated models.
//!
//! The reference documents response fields by sample only, so a field shown
//! as `"5"` may arrive as `5` and the other way round. These decoders accept
//! the neighbouring scalar forms instead of failing the whole response; a
//! value of a different shape (an object where text was expected) is still an
//! error, reported with the raw body.
//!
//! ```
//! use serde::Deserialize;
//!
//! #[derive(Deserialize)]
//! struct Account {
//!     #[serde(default, deserialize_with = "zephr_admin::lenient::integer")]
//!     seats: Option<i64>,
//!     #[serde(default, deserialize_with = "zephr_admin::lenient::string")]
//!     code: Option<String>,
//!     #[serde(default, deserialize_with = "zephr_admin::lenient::boolean")]
//!     active: Option<bool>,
//!     #[serde(default, deserialize_with = "zephr_admin::lenient::number")]
//!     price: Option<f64>,
//! }
//!
//! let a: Account = serde_json::from_str(r#"{"seats":"5","code":42,"active":"true","price":"9.5"}"#)?;
//! assert_eq!((a.seats, a.code.as_deref(), a.active, a.price), (Some(5), Some("42"), Some(true), Some(9.5)));
//! assert!(serde_json::from_str::<Account>(r#"{"seats":{"n":5}}"#).is_err());
//! # Ok::<(), serde_json::Error>(())
//! ```

use serde::de::{Deserialize, Deserializer, Error as _};
use serde_json::Value;

/// Text from a string, number or boolean.
pub fn string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(Value::Bool(b)) => Some(b.to_string()),
        Some(other) => {
            return Err(D::Error::custom(format!(
                "expected text, found {}",
                kind(&other)
            )));
        }
    })
}

/// An integer from a number or a numeric string.
pub fn integer<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => Some(
            n.as_i64()
                .or_else(|| {
                    n.as_f64()
                        .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                        .map(|f| f as i64)
                })
                .ok_or_else(|| D::Error::custom(format!("expected an integer, found {n}")))?,
        ),
        Some(Value::String(s)) => Some(
            s.trim()
                .parse()
                .map_err(|_| D::Error::custom(format!("expected an integer, found \"{s}\"")))?,
        ),
        Some(other) => {
            return Err(D::Error::custom(format!(
                "expected an integer, found {}",
                kind(&other)
            )));
        }
    })
}

/// A number from a number or a numeric string.
pub fn number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::String(s)) => Some(
            s.trim()
                .parse()
                .map_err(|_| D::Error::custom(format!("expected a number, found \"{s}\"")))?,
        ),
        Some(other) => {
            return Err(D::Error::custom(format!(
                "expected a number, found {}",
                kind(&other)
            )));
        }
    })
}

/// A boolean from a boolean, `"true"`/`"false"` or `0`/`1`.
pub fn boolean<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(b),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Some(true),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Some(false),
        Some(Value::Number(n)) if n.as_u64() == Some(1) => Some(true),
        Some(Value::Number(n)) if n.as_u64() == Some(0) => Some(false),
        Some(other) => {
            return Err(D::Error::custom(format!(
                "expected a boolean, found {}",
                kind(&other)
            )));
        }
    })
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

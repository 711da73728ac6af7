//! The TypeScript declarations of the messages, derived from their Rust
//! definitions: each message type derives [`Ts`] (`#[derive(Ts)]` reads the
//! type and its serde attributes), and the code unions come from the core's
//! code lists. `cargo run -p zephr-codegen` writes the result to
//! `npm/zephr-admin/src/generated/protocol.ts`, and `--check` fails when that
//! file is stale.

use serde_json::Value;
use serde_json::value::RawValue;
use zephr_admin::call::{FailureKind, Redirect};
use zephr_admin::error::{ApiErrorCode, InputErrorKind};
use zephr_admin::webhook::{EventType, MalformedReason, WebhookError};
use zeroize::Zeroizing;

use crate::messages::{
    Answer, CallSettings, Descriptor, ErrorData, Failure, Headers, OutcomeMessage, ParseAnswer,
    Parsed, RetryMessage, StepMessage,
};
use crate::webhook::{
    BasicCredentials, TestDeliveryData, TestEventData, USER_EVENT_TYPES, WebhookAnswer,
    WebhookErrorData, WebhookEventData, WebhookSettings,
};

pub use zephr_admin_js_derive::Ts;

/// A type with a TypeScript declaration. Derive it (`#[derive(Ts)]`) on
/// message types; the impls here cover the types messages are made of.
///
/// ```
/// use zephr_admin_js::ts::Ts;
///
/// /// A page.
/// #[derive(serde::Serialize, Ts)]
/// #[serde(rename_all = "camelCase")]
/// struct Page<T> {
///     items: T,
///     #[serde(skip_serializing_if = "Option::is_none")]
///     next_page: Option<u32>,
/// }
/// assert_eq!(
///     Page::<()>::ts_decl(),
///     "/** A page. */\nexport interface Page<T> {\n  items: T;\n  nextPage?: number;\n}\n"
/// );
/// assert_eq!(Page::<String>::ts_type(), "Page<string>");
/// ```
///
/// A type parameter inside another type would be declared as whatever type
/// the declaration was asked for, so the derive refuses it:
///
/// ```compile_fail
/// use zephr_admin_js::ts::Ts;
///
/// #[derive(serde::Serialize, Ts)]
/// struct Page<T> {
///     items: Vec<T>,
/// }
/// ```
pub trait Ts {
    /// The type as another declaration refers to it (`string`, `ErrorData`, ...).
    fn ts_type() -> String;

    /// The members an object of this type has, as serialised (empty for
    /// types that are not objects).
    fn ts_members() -> Vec<String> {
        Vec::new()
    }

    /// The `export` declaration of a named type (empty for the others).
    fn ts_decl() -> String {
        String::new()
    }
}

macro_rules! primitive {
    ($ts:literal: $($ty:ty),*) => {$(
        impl Ts for $ty {
            fn ts_type() -> String {
                $ts.to_owned()
            }
        }
    )*};
}

primitive!("string": String, &str);
primitive!("number": u16, u32, u64, i64, f64);
primitive!("boolean": bool);
primitive!("unknown": Value, Box<RawValue>);
primitive!("null": ());
primitive!("Record<string, string>": Headers);

impl<T: Ts> Ts for Option<T> {
    fn ts_type() -> String {
        format!("{} | null", T::ts_type())
    }
}

impl<T: Ts> Ts for Vec<T> {
    fn ts_type() -> String {
        format!("Array<{}>", T::ts_type())
    }
}

impl<A: Ts, B: Ts> Ts for (A, B) {
    fn ts_type() -> String {
        format!("[{}, {}]", A::ts_type(), B::ts_type())
    }
}

impl<T: Ts + zeroize::Zeroize> Ts for Zeroizing<T> {
    fn ts_type() -> String {
        T::ts_type()
    }
}

// ---------------------------------------------------------------------------
// What `#[derive(Ts)]` generates calls to

/// A member of an object type.
#[doc(hidden)]
#[derive(Debug, Clone)]
pub struct Member {
    pub name: String,
    pub ty: String,
    pub optional: bool,
    pub doc: String,
}

/// How an enum is tagged (serde's representations).
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub enum Tagging {
    /// `{"variant": ...}` (serde's default).
    External,
    /// `{"tag": "variant", ...members}`.
    Internal(&'static str),
    /// The variant's own shape.
    Untagged,
}

/// An enum variant.
#[doc(hidden)]
#[derive(Debug, Clone)]
pub struct Variant {
    pub name: String,
    pub shape: Shape,
    pub doc: String,
}

/// The shape of a type or of a variant.
#[doc(hidden)]
#[derive(Debug, Clone)]
pub enum Shape {
    /// A unit variant.
    Unit,
    /// A newtype variant: its type, and its members if it is an object.
    Newtype { ty: String, keys: Vec<String> },
    /// An object with these members.
    Object(Vec<Member>),
    /// An enum.
    Union(Tagging, Vec<Variant>),
}

impl Shape {
    /// The member names of an object shape.
    pub fn keys(&self) -> Vec<String> {
        match self {
            Shape::Object(members) => members.iter().map(|m| m.name.clone()).collect(),
            Shape::Newtype { keys, .. } => keys.clone(),
            Shape::Unit | Shape::Union(..) => Vec::new(),
        }
    }
}

/// `Name` or `Name<A, B>`.
#[doc(hidden)]
pub fn reference(name: &str, params: &[String]) -> String {
    if params.is_empty() {
        name.to_owned()
    } else {
        format!("{name}<{}>", params.join(", "))
    }
}

fn jsdoc(doc: &str, indent: &str) -> String {
    if doc.is_empty() {
        String::new()
    } else {
        format!("{indent}/** {} */\n", doc.replace("*/", "* /"))
    }
}

/// A member name as TypeScript needs it: bare if it is an identifier, else quoted.
fn key(name: &str) -> String {
    let plain = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    if plain { name.to_owned() } else { string(name) }
}

fn member(m: &Member) -> String {
    let optional = if m.optional { "?" } else { "" };
    format!("{}{optional}: {}", key(&m.name), m.ty)
}

/// `{ a: T; b?: U }`, one line, with `k?: undefined` for each excluded key.
fn inline(members: &[Member], excluded: &[String]) -> String {
    let own = members.iter().map(member);
    let absent = excluded.iter().map(|k| format!("{}?: undefined", key(k)));
    let all: Vec<String> = own.chain(absent).collect();
    if all.is_empty() {
        "{}".to_owned()
    } else {
        format!("{{ {} }}", all.join("; "))
    }
}

fn string(value: &str) -> String {
    Value::String(value.to_owned()).to_string()
}

/// A member whose value is a string literal (a tag).
fn tag(name: &str, value: &str) -> Member {
    Member {
        name: name.to_owned(),
        ty: string(value),
        optional: false,
        doc: String::new(),
    }
}

/// The members (as serialised) each variant of an untagged or externally
/// tagged enum has, so each variant can exclude the others' members: then
/// `answer.err` reads on every variant and narrows the union.
fn variant_keys(tagging: Tagging, variant: &Variant) -> Vec<String> {
    match (tagging, &variant.shape) {
        (Tagging::External, Shape::Unit) => Vec::new(),
        (Tagging::External, _) => vec![variant.name.clone()],
        (_, shape) => shape.keys(),
    }
}

fn variant(tagging: Tagging, v: &Variant, excluded: &[String]) -> String {
    match (tagging, &v.shape) {
        (Tagging::External, Shape::Unit) => string(&v.name),
        (Tagging::External, Shape::Newtype { ty, .. }) => {
            let own = Member {
                name: v.name.clone(),
                ty: ty.clone(),
                optional: false,
                doc: String::new(),
            };
            inline(&[own], excluded)
        }
        (Tagging::External, Shape::Object(members)) => {
            let own = Member {
                name: v.name.clone(),
                ty: inline(members, &[]),
                optional: false,
                doc: String::new(),
            };
            inline(&[own], excluded)
        }
        (Tagging::Internal(name), Shape::Unit) => inline(&[tag(name, &v.name)], &[]),
        (Tagging::Internal(name), Shape::Newtype { ty, .. }) => {
            format!("({} & {ty})", inline(&[tag(name, &v.name)], &[]))
        }
        (Tagging::Internal(name), Shape::Object(members)) => {
            let mut all = vec![tag(name, &v.name)];
            all.extend(members.iter().cloned());
            inline(&all, &[])
        }
        (Tagging::Untagged, Shape::Unit) => "null".to_owned(),
        (Tagging::Untagged, Shape::Newtype { ty, .. }) if excluded.is_empty() => ty.clone(),
        (Tagging::Untagged, Shape::Newtype { ty, .. }) => {
            format!("({ty} & {})", inline(&[], excluded))
        }
        (Tagging::Untagged, Shape::Object(members)) => inline(members, excluded),
        (_, Shape::Union(..)) => "never".to_owned(),
    }
}

/// The `export` declaration of a named type.
#[doc(hidden)]
pub fn declaration(name: &str, params: &[&str], doc: &str, shape: Shape) -> String {
    let head = if params.is_empty() {
        name.to_owned()
    } else {
        format!("{name}<{}>", params.join(", "))
    };
    let mut out = jsdoc(doc, "");
    match shape {
        Shape::Object(members) => {
            out.push_str(&format!("export interface {head} {{\n"));
            for m in &members {
                out.push_str(&jsdoc(&m.doc, "  "));
                out.push_str(&format!("  {};\n", member(m)));
            }
            out.push_str("}\n");
        }
        Shape::Union(tagging, variants) => {
            out.push_str(&format!("export type {head} ="));
            let keys: Vec<Vec<String>> =
                variants.iter().map(|v| variant_keys(tagging, v)).collect();
            for (v, own) in variants.iter().zip(&keys) {
                // Every other variant's members, absent here (an internal tag already narrows).
                let mut excluded: Vec<String> = Vec::new();
                if !matches!(tagging, Tagging::Internal(_)) {
                    for key in keys.iter().flatten() {
                        if !own.contains(key) && !excluded.contains(key) {
                            excluded.push(key.clone());
                        }
                    }
                }
                out.push('\n');
                out.push_str(&jsdoc(&v.doc, "  "));
                out.push_str(&format!("  | {}", variant(tagging, v, &excluded)));
            }
            out.push_str(";\n");
        }
        Shape::Unit | Shape::Newtype { .. } => {
            out.push_str(&format!("export type {head} = never;\n"));
        }
    }
    out
}

// ---------------------------------------------------------------------------
// The declarations

/// The failures the host reports that end a call as a transport error (an
/// opaque redirect ends it as a redirect: see [`zephr_admin::call::Redirect`]).
fn transport_failures() -> impl Iterator<Item = &'static Failure> {
    Failure::ALL
        .iter()
        .filter(|f| f.kind() != FailureKind::OpaqueRedirect)
}

/// Every error code a message can carry: the core's input, API and decode
/// codes, the redirect, then the transport failures.
pub fn error_codes() -> Vec<&'static str> {
    let mut codes: Vec<&'static str> = InputErrorKind::ALL.iter().map(|k| k.as_str()).collect();
    codes.extend(ApiErrorCode::ALL.iter().map(|c| c.as_str()));
    codes.push("decode_error");
    codes.push(Redirect::CODE);
    codes.extend(transport_failures().map(|f| f.kind().as_str()));
    codes
}

/// One of every webhook error, for their codes.
fn webhook_errors() -> Vec<WebhookError> {
    vec![
        WebhookError::MissingAuthorization,
        WebhookError::MalformedAuthorization(MalformedReason::WrongScheme),
        WebhookError::WrongCredentials,
        WebhookError::InvalidBody(String::new()),
        WebhookError::StaleEvent {
            age_ms: 0,
            tolerance_ms: 0,
        },
        WebhookError::InvalidConfig(String::new()),
    ]
}

/// Every reason a present `Authorization` header is unreadable.
pub(crate) const MALFORMED_REASONS: &[MalformedReason] = &[
    MalformedReason::WrongScheme,
    MalformedReason::EmptyCredentials,
    MalformedReason::InvalidBase64,
    MalformedReason::MissingColon,
];

fn union_type(doc: &str, name: &str, items: impl IntoIterator<Item = String>) -> String {
    let items: String = items
        .into_iter()
        .map(|item| format!("\n  | {}", string(&item)))
        .collect();
    format!("{}export type {name} ={items};\n", jsdoc(doc, ""))
}

/// The declarations, as `npm/zephr-admin/src/generated/protocol.ts` holds them.
pub fn typescript() -> String {
    let failure_codes: Vec<String> = transport_failures()
        .map(|f| string(f.kind().as_str()))
        .collect();
    let parts = [
        "// Generated by zephr-codegen from crates/zephr-admin-js (#[derive(Ts)] on the Rust\n\
         // definitions of the messages the bindings exchange, and the core's code lists).\n\
         // Do not edit: run `cargo run -p zephr-codegen`.\n"
            .to_owned(),
        union_type(
            "Every error code the core reports.",
            "ErrorCode",
            error_codes().into_iter().map(str::to_owned),
        ),
        ErrorData::ts_decl(),
        Answer::<()>::ts_decl(),
        Descriptor::ts_decl(),
        Parsed::ts_decl(),
        ParseAnswer::ts_decl(),
        StepMessage::ts_decl(),
        Failure::ts_decl(),
        format!(
            "/** The code of each failure that ends a call as a transport error. */\n\
             export const FAILURE_CODES = [{}] as const;\n\
             export type FailureCode = (typeof FAILURE_CODES)[number];\n",
            failure_codes.join(", ")
        ),
        OutcomeMessage::ts_decl(),
        RetryMessage::ts_decl(),
        CallSettings::ts_decl(),
        union_type(
            "Why a webhook delivery was refused.",
            "WebhookErrorCode",
            webhook_errors().iter().map(|e| e.code().to_owned()),
        ),
        union_type(
            "Why a present `Authorization` header could not be read.",
            "MalformedReason",
            MALFORMED_REASONS.iter().map(|r| r.as_str().to_owned()),
        ),
        WebhookErrorData::ts_decl(),
        WebhookAnswer::<()>::ts_decl(),
        union_type(
            "Every known webhook event type.",
            "WebhookEventType",
            EventType::known().map(|t| t.as_str().to_owned()),
        ),
        union_type(
            "The event types whose `details` is a user record.",
            "UserEventType",
            USER_EVENT_TYPES.iter().map(|t| t.as_str().to_owned()),
        ),
        WebhookEventData::ts_decl(),
        BasicCredentials::ts_decl(),
        WebhookSettings::ts_decl(),
        TestEventData::ts_decl(),
        TestDeliveryData::ts_decl(),
    ];
    parts.join("\n")
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
mod tests {
    use serde::Serialize;

    use super::*;

    /// The members `value` serialises are declared by `T`, in the same order.
    fn declared<T: Ts + Serialize>(value: &T) {
        let Value::Object(map) = serde_json::to_value(value).unwrap() else {
            panic!("not an object")
        };
        let members = T::ts_members();
        let mut at = 0;
        for key in map.keys() {
            let found = members.iter().skip(at).position(|m| m == key);
            assert!(found.is_some(), "{key} undeclared in {members:?}");
            at += found.unwrap() + 1;
        }
    }

    #[test]
    fn the_messages_serialise_what_they_declare() {
        use zephr_admin::call::{CallError, Engine, Step};
        use zephr_admin::webhook::parse_event;
        let api = zephr_admin::Response::new(
            404,
            vec![("x-request-id".into(), "r".into())],
            r#"{"message":"m"}"#,
        )
        .error_for_status()
        .unwrap_err();
        declared(&ErrorData::from(&zephr_admin::Error::Api(api)));
        // A redirect, as the engine reports it.
        let client = zephr_admin::Client::new(
            zephr_admin::Credentials::new("ak", "sk").unwrap(),
            zephr_admin::BaseUrl::tenant("t").unwrap(),
        );
        let mut call = zephr_admin::call::Call::<Value>::new(
            &client,
            zephr_admin::Request::get("/v3/x"),
            Default::default(),
        );
        let Step::Send(prepared) = call.poll(&client, 1, "n") else {
            panic!("expected a send")
        };
        declared(&Descriptor::from(prepared));
        let moved = vec![
            ("location".into(), "/y".into()),
            ("x-request-id".into(), "r".into()),
        ];
        call.handle(Ok(zephr_admin::Response::new(301, moved, "")), 1, 0.5);
        let Step::Output(Err(e @ CallError::Redirect(_))) = call.poll(&client, 2, "m") else {
            panic!("expected a redirect")
        };
        let data = ErrorData::from(&e);
        assert_eq!(data.location.as_deref(), Some("/y"));
        declared(&data);
        declared(&RetryMessage {
            attempt: 1,
            status: None,
            failure: Some("timed_out"),
            wait_ms: 3,
        });
        let event = parse_event(br#"{"type":"LOGIN","time":1,"webhook":"w"}"#).unwrap();
        declared(&WebhookEventData::from(&event));
        declared(&WebhookErrorData::from(&WebhookError::StaleEvent {
            age_ms: 1,
            tolerance_ms: 2,
        }));
        declared(&WebhookErrorData::from(
            &WebhookError::MalformedAuthorization(MalformedReason::MissingColon),
        ));
    }

    #[test]
    fn every_code_is_declared_once() {
        let ts = typescript();
        let codes = error_codes();
        for (i, code) in codes.iter().enumerate() {
            assert!(!codes[..i].contains(code), "{code} twice");
            assert_eq!(ts.matches(&format!("| {code:?}")).count(), 1, "{code}");
        }
        for error in webhook_errors() {
            assert!(ts.contains(&format!("| {:?}", error.code())), "{error}");
        }
    }
}

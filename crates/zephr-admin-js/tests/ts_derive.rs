//! `#[derive(Ts)]` against serde: each supported attribute gives the
//! declaration of what serde writes, checked on sample types by exact text
//! and by serialising a value and comparing its members.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    dead_code
)]

use serde::Serialize;
use serde_json::Value;
use zephr_admin_js::ts::Ts;

/// A sample object.
#[derive(Serialize, Ts)]
#[serde(rename_all = "camelCase")]
struct Sample {
    /// Always there.
    plain_field: String,
    maybe_null: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    left_out: Option<u64>,
    #[serde(rename = "x-dashed")]
    renamed: bool,
    #[serde(skip)]
    hidden: u8,
    #[ts(type = "ErrorCode")]
    code: &'static str,
    pairs: Vec<(String, u16)>,
    inner: Inner,
}

#[derive(Serialize, Ts)]
struct Inner {
    #[serde(default)]
    n: Option<f64>,
}

/// Internally tagged.
#[derive(Serialize, Ts)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Tagged {
    /// A unit.
    Empty,
    WithFields {
        some_value: i64,
    },
    Wrapped(Inner),
}

#[derive(Serialize, Ts)]
#[serde(rename_all = "lowercase")]
enum External<T> {
    Ok(T),
    Err { why: String },
}

#[derive(Serialize, Ts)]
#[serde(untagged)]
enum Either {
    Object(Sample),
    Other { other: bool },
}

#[derive(Serialize, Ts)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum Names {
    FirstOne,
    Second,
}

#[test]
fn declarations_follow_the_serde_attributes() {
    assert_eq!(
        Sample::ts_decl(),
        "/** A sample object. */
export interface Sample {
  /** Always there. */
  plainField: string;
  maybeNull: number | null;
  leftOut?: number;
  \"x-dashed\": boolean;
  code: ErrorCode;
  pairs: Array<[string, number]>;
  inner: Inner;
}
"
    );
    assert_eq!(
        Inner::ts_decl(),
        "export interface Inner {\n  n?: number;\n}\n"
    );
    assert_eq!(
        Tagged::ts_decl(),
        "/** Internally tagged. */
export type Tagged =
  /** A unit. */
  | { kind: \"empty\" }
  | { kind: \"with_fields\"; some_value: number }
  | ({ kind: \"wrapped\" } & Inner);
"
    );
    assert_eq!(
        External::<()>::ts_decl(),
        "export type External<T> =
  | { ok: T; err?: undefined }
  | { err: { why: string }; ok?: undefined };
"
    );
    assert_eq!(External::<Inner>::ts_type(), "External<Inner>");
    assert_eq!(
        Either::ts_decl(),
        "export type Either =
  | (Sample & { other?: undefined })
  | { other: boolean; plainField?: undefined; maybeNull?: undefined; leftOut?: undefined; \"x-dashed\"?: undefined; code?: undefined; pairs?: undefined; inner?: undefined };
"
    );
    assert_eq!(
        Names::ts_decl(),
        "export type Names =\n  | \"FIRST_ONE\"\n  | \"SECOND\";\n"
    );
}

fn keys(value: &impl Serialize) -> Vec<String> {
    match serde_json::to_value(value).unwrap() {
        Value::Object(map) => map.keys().cloned().collect(),
        other => panic!("not an object: {other}"),
    }
}

#[test]
fn declared_members_are_the_serialised_ones() {
    let mut sample = Sample {
        plain_field: "p".into(),
        maybe_null: None,
        left_out: Some(1),
        renamed: true,
        hidden: 3,
        code: "c",
        pairs: vec![],
        inner: Inner { n: None },
    };
    assert_eq!(keys(&sample), Sample::ts_members());
    // Optional members may be absent; the others never are.
    sample.left_out = None;
    let mut declared = Sample::ts_members();
    declared.retain(|m| m != "leftOut");
    assert_eq!(keys(&sample), declared);
    for (value, tag) in [
        (Tagged::Empty, "empty"),
        (Tagged::WithFields { some_value: 1 }, "with_fields"),
        (Tagged::Wrapped(Inner { n: Some(1.0) }), "wrapped"),
    ] {
        assert_eq!(serde_json::to_value(&value).unwrap()["kind"], tag);
        assert!(Tagged::ts_decl().contains(&format!("kind: {tag:?}")));
    }
}

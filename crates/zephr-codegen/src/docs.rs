//! `docs/operations.md` and the shared sample fixture `tests/vectors/operations.json`.

use std::fmt::Write as _;

use serde_json::{Map, Value, json};

use crate::model::Ty;
use crate::spec::{BodyKind, Location, Op};
use crate::{Catalogue, HEADER_MD, OpNames};

pub fn operations_md(cat: &Catalogue) -> String {
    let mut out = format!(
        "{HEADER_MD}\n# Operations\n\nEvery operation of the Zephr Admin API reference (version 2025-05-06), from\n`spec/zephr-admin-api.json`. The SDK method is `client.<namespace>.<method>(params)` in\nJavaScript; in Rust the request type is `zephr_admin::operations::<group module>::<OperationId in PascalCase>`.\n\n{} operations in {} groups. Notes: **assigned id**: the reference gives no operationId, this one was\nassigned; **inferred**: not seen in any official source; **reference defect**: a known defect\nof the reference; **departs**: the compared facts on which the spec departs from the\nreference on purpose (explained in the spec, checked against `spec/reference-facts.json`);\n**paged**: `page`/`rpp` pagination.\n\nParameters are listed as `name` (where, type), with **required** ones marked; `body` is the request body.\n\n| Group | operationId | Method | Path | SDK method | Parameters | Notes |\n|---|---|---|---|---|---|---|\n",
        cat.ops.len(),
        cat.groups.len()
    );
    for group in &cat.groups {
        for (op, names, model) in cat.in_group(group) {
            let mut params: Vec<String> = model
                .params
                .iter()
                .map(|p| {
                    format!(
                        "`{}` ({}, {}{})",
                        p.wire,
                        p.location_name(),
                        scalar_name(&p.ty),
                        if p.required { ", **required**" } else { "" }
                    )
                })
                .collect();
            if let Some(body) = &model.body {
                let kind = match body.kind {
                    BodyKind::Text => format!("raw text as {}", op.body_media),
                    _ => "JSON".to_owned(),
                };
                params.push(format!(
                    "`body` ({kind}{})",
                    if body.required { ", **required**" } else { "" }
                ));
            }
            let params = if params.is_empty() {
                "none".to_owned()
            } else {
                params.join("; ")
            };
            let mut notes = Vec::new();
            if op.assigned_id {
                notes.push("assigned id".to_owned());
            }
            if op.inferred {
                notes.push("**inferred**".to_owned());
            }
            if op.page_rpp {
                notes.push("paged".to_owned());
            }
            if let Some(defect) = &op.doc_defect {
                notes.push(format!("reference defect: {}", defect.replace('|', "\\|")));
            }
            if !op.departs.is_empty() {
                let departs: Vec<String> = op.departs.iter().map(|d| format!("`{d}`")).collect();
                notes.push(format!("departs: {}", departs.join(", ")));
            }
            let _ = writeln!(
                out,
                "| {} | `{}` | {} | `{}` | `{}.{}` | {} | {} |",
                op.group,
                op.id,
                op.method,
                op.path,
                names.namespace,
                names.method,
                params.replace('|', "\\|"),
                notes.join("; ")
            );
        }
    }
    out
}

fn scalar_name(ty: &Ty) -> &'static str {
    match ty {
        Ty::Integer => "integer",
        Ty::Number => "number",
        Ty::Boolean => "boolean",
        _ => "string",
    }
}

/// A sample value for a parameter of this type.
fn sample(name: &str, ty: &Ty, example: Option<&Value>, schema: &Value) -> Value {
    let documented = example
        .or_else(|| schema.get("example"))
        .or_else(|| schema.get("default"))
        .filter(|e| !e.is_null());
    // Documented examples are sometimes text for numbers and booleans.
    let coerced = documented.and_then(|example| match (ty, example) {
        (Ty::Integer | Ty::Number, Value::String(s)) => s.parse::<i64>().ok().map(|n| json!(n)),
        (Ty::Boolean, Value::String(s)) => s.parse::<bool>().ok().map(|b| json!(b)),
        (Ty::String, Value::String(_))
        | (Ty::Integer | Ty::Number, Value::Number(_))
        | (Ty::Boolean, Value::Bool(_)) => Some(example.clone()),
        _ => None,
    });
    if let Some(value) = coerced {
        return value;
    }
    match ty {
        Ty::Integer | Ty::Number => json!(if name == "rpp" { 10 } else { 1 }),
        Ty::Boolean => json!(true),
        _ => json!(format!("sample-{}", name.replace(['.', '_'], "-"))),
    }
}

pub fn samples(cat: &Catalogue) -> String {
    let mut list = Vec::new();
    for (op, model) in cat.ops.iter().zip(&cat.models) {
        let mut params = Map::new();
        for (p, spec) in model.params.iter().zip(&op.params) {
            if p.name_prefix.is_some() {
                continue;
            }
            if p.location == Location::Header && !p.required {
                continue;
            }
            params.insert(
                p.wire.clone(),
                sample(&p.wire, &p.ty, spec.example.as_ref(), &spec.schema),
            );
        }
        let body = match (op.body_kind, &op.body_example) {
            (BodyKind::None, _) => Value::Null,
            (BodyKind::Text, Some(Value::String(s))) => json!(s),
            (BodyKind::Text, _) => json!("/news/.*"),
            (BodyKind::Json, Some(example)) => example.clone(),
            (BodyKind::Json, None) => json!({}),
        };
        list.push(json!({
            "operationId": op.id,
            "method": op.method,
            "path": op.path,
            "params": params,
            "body": body,
            "response": {
                "status": op.success_status,
                "body": op.response_example.clone().unwrap_or(Value::Null),
            },
        }));
    }
    let doc = json!({
        "description": "Generated by zephr-codegen from spec/zephr-admin-api.json: for every operation, sample parameters (by documented name), a sample body and the documented success response. Shared by the Rust and JS test suites.",
        "operations": list,
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

/// The documentation of an operation, as lines shared by JSDoc and rustdoc:
/// summary, description, route, reference page, notes and known defects.
pub fn op_doc(op: &Op, names: Option<&OpNames>) -> Vec<String> {
    let mut lines = vec![one_line(&op.summary)];
    if let Some(description) = op.description.as_deref().map(one_line)
        && !description.is_empty()
        && description != lines[0]
    {
        lines.push(String::new());
        lines.push(description);
    }
    lines.push(String::new());
    let mut route = format!("`{} {}` (operationId `{}`", op.method, op.path, op.id);
    if let Some(names) = names {
        let _ = write!(route, ", `client.{}.{}`", names.namespace, names.method);
    }
    route.push_str(").");
    lines.push(route);
    if let Some(source) = &op.source {
        lines.push(String::new());
        lines.push(format!("Reference: <{source}>"));
    }
    if op.inferred {
        lines.push(String::new());
        lines.push(
            "**Inferred**: not seen in any official source; verify before relying on it."
                .to_owned(),
        );
    }
    if let Some(note) = &op.note {
        lines.push(String::new());
        lines.push(format!("Note: {}", one_line(note)));
    }
    if let Some(defect) = &op.doc_defect {
        lines.push(String::new());
        lines.push(format!("Reference defect: {}", one_line(defect)));
    }
    lines
}

/// Text on one line, safe inside a `/** */` or `///` comment.
pub fn one_line(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace("*/", "* /")
}

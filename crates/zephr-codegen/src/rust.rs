//! Rust output: the registry table, one module per group, the typed-test list.

use std::fmt::Write as _;

use crate::docs::{one_line, op_doc};
use crate::model::{Field, OpModel, Output, Record, Ty};
use crate::names::snake;
use crate::spec::{BodyKind, Location, Op};
use crate::{Catalogue, HEADER};

fn ty(t: &Ty) -> String {
    match t {
        Ty::String => "String".into(),
        Ty::Integer => "i64".into(),
        Ty::Number => "f64".into(),
        Ty::Boolean => "bool".into(),
        Ty::Any => "Value".into(),
        Ty::Map => "Map<String, Value>".into(),
        Ty::Array(inner) => format!("Vec<{}>", ty(inner)),
        Ty::Record(name) => name.clone(),
    }
}

fn lenient(t: &Ty) -> Option<&'static str> {
    match t {
        Ty::String => Some("string"),
        Ty::Integer => Some("integer"),
        Ty::Number => Some("number"),
        Ty::Boolean => Some("boolean"),
        _ => None,
    }
}

pub fn const_name(op: &Op) -> String {
    snake(&op.id).to_ascii_uppercase()
}

pub fn registry(cat: &Catalogue) -> String {
    let mut out = format!(
        "{HEADER}\n//! The operation table.\n\nuse crate::catalogue::{{BodyKind, OperationSpec, Pagination, ParamLocation, ParamSpec, ParamType, ResponseKind}};\n\n"
    );
    for (op, names, model) in cat.entries() {
        let _ = writeln!(
            out,
            "/// `{} {}`: {}",
            op.method,
            op.path,
            op.summary.replace('\n', " ")
        );
        let _ = writeln!(
            out,
            "pub const {}: OperationSpec = OperationSpec {{",
            const_name(op)
        );
        let _ = writeln!(out, "    id: {:?},", op.id);
        let _ = writeln!(out, "    group: {:?},", op.group);
        let _ = writeln!(out, "    namespace: {:?},", names.namespace);
        let _ = writeln!(out, "    method_name: {:?},", names.method);
        let _ = writeln!(out, "    method: {:?},", op.method);
        let _ = writeln!(out, "    path: {:?},", op.path);
        let _ = writeln!(out, "    summary: {:?},", op.summary);
        out.push_str("    params: &[");
        for (p, typed) in op.params.iter().zip(&model.params) {
            let location = match p.location {
                Location::Path => "Path",
                Location::Query => "Query",
                Location::Header => "Header",
            };
            let param_type = match typed.ty {
                Ty::Integer => "Integer",
                Ty::Number => "Number",
                Ty::Boolean => "Boolean",
                _ => "String",
            };
            let _ = write!(
                out,
                "\n        ParamSpec {{ name: {:?}, location: ParamLocation::{location}, required: {}, name_prefix: {:?}, ty: ParamType::{param_type} }},",
                p.name, p.required, p.name_prefix
            );
        }
        if !op.params.is_empty() {
            out.push_str("\n    ");
        }
        out.push_str("],\n");
        let body = match op.body_kind {
            BodyKind::None => "None",
            BodyKind::Json => "Json",
            BodyKind::Text => "Text",
        };
        let _ = writeln!(out, "    body: BodyKind::{body},");
        let _ = writeln!(out, "    body_required: {},", op.body_required);
        let _ = writeln!(out, "    body_media: {:?},", op.body_media);
        let response = match model.output {
            Output::Any => "Any",
            Output::Text => "Text",
            Output::List(_) => "List",
            Output::Record(_) => "Object",
        };
        let _ = writeln!(out, "    response: ResponseKind::{response},");
        let _ = writeln!(
            out,
            "    pagination: Pagination::{},",
            if op.page_rpp { "PageRpp" } else { "None" }
        );
        let _ = writeln!(out, "    assigned_id: {},", op.assigned_id);
        let _ = writeln!(out, "    inferred: {},", op.inferred);
        let _ = writeln!(out, "    doc_defect: {:?},", op.doc_defect);
        out.push_str("};\n\n");
    }
    out.push_str("/// Every operation of the catalogue, in path order.\npub static OPERATIONS: &[OperationSpec] = &[\n");
    for op in &cat.ops {
        let _ = writeln!(out, "    {},", const_name(op));
    }
    out.push_str("];\n");
    out
}

pub fn operations_mod(cat: &Catalogue) -> String {
    let mut out = format!(
        "{HEADER}\n//! Typed requests and response models for every operation, one module per\n//! resource group. Each request type implements [`Operation`](crate::catalogue::Operation).\n\n"
    );
    for group in &cat.groups {
        let count = cat.ops.iter().filter(|op| &op.group == group).count();
        let _ = writeln!(
            out,
            "/// {group}: {count} operation{}.",
            if count == 1 { "" } else { "s" }
        );
        let _ = writeln!(out, "pub mod {};", snake(group));
    }
    out
}

pub fn group_module(cat: &Catalogue, group: &str) -> String {
    let mut out = format!(
        "{HEADER}\n//! {group}.\n\n#![allow(clippy::doc_markdown)]\n\nuse serde::{{Deserialize, Serialize}};\n#[allow(unused_imports)]\nuse serde_json::{{Map, Value}};\n\nuse crate::catalogue::{{Operation, OperationSpec}};\n#[allow(unused_imports)]\nuse crate::{{List, lenient}};\nuse crate::generated::registry;\n"
    );
    for (op, model) in cat
        .ops
        .iter()
        .zip(&cat.models)
        .filter(|(op, _)| op.group == group)
    {
        out.push('\n');
        request_type(&mut out, op, model);
        for record in &model.records {
            out.push('\n');
            match &record.same_as {
                Some((name, other)) => {
                    let path = if other == group {
                        String::new()
                    } else {
                        format!("super::{}::", snake(other))
                    };
                    let _ = writeln!(
                        out,
                        "/// The same shape as [`{name}`]({path}{name}).\npub type {} = {path}{name};",
                        record.name
                    );
                }
                None => record_type(&mut out, record, !record.name.ends_with("Body")),
            }
        }
    }
    out
}

fn request_type(out: &mut String, op: &Op, model: &OpModel) {
    for line in op_doc(op, None) {
        if line.is_empty() {
            out.push_str("///\n");
        } else {
            let _ = writeln!(out, "/// {}", rustdoc_text(&line));
        }
    }
    if op.deprecated {
        out.push_str("#[deprecated(note = \"the reference marks this operation deprecated\")]\n");
    }
    out.push_str("#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]\n");
    let _ = writeln!(out, "pub struct {} {{", model.type_name);
    for p in &model.params {
        let kind = match p.location {
            Location::Path => "Path",
            Location::Query => "Query",
            Location::Header => "Header",
        };
        if p.name_prefix.is_some() {
            let _ = writeln!(
                out,
                "    /// {kind} parameters named `{}`: full name to value.",
                p.wire
            );
            out.push_str("    #[serde(flatten)]\n");
            let _ = writeln!(
                out,
                "    pub {}: std::collections::BTreeMap<String, String>,",
                p.rust
            );
            continue;
        }
        match &p.doc {
            Some(doc) => {
                let _ = writeln!(
                    out,
                    "    /// {} ({} parameter `{}`.)",
                    one_line(doc),
                    kind.to_ascii_lowercase(),
                    p.wire
                );
            }
            None => {
                let _ = writeln!(out, "    /// {kind} parameter `{}`.", p.wire);
            }
        }
        if p.required {
            if p.rust != p.wire {
                let _ = writeln!(out, "    #[serde(rename = {:?})]", p.wire);
            }
            let _ = writeln!(out, "    pub {}: {},", p.rust, ty(&p.ty));
        } else {
            let _ = writeln!(
                out,
                "    #[serde(rename = {:?}, default, skip_serializing_if = \"Option::is_none\")]",
                p.wire
            );
            let _ = writeln!(out, "    pub {}: Option<{}>,", p.rust, ty(&p.ty));
        }
    }
    if let Some(body) = &model.body {
        let _ = writeln!(
            out,
            "    /// The request body ({}).",
            if body.kind == BodyKind::Text {
                "text"
            } else {
                "JSON"
            }
        );
        let rename = if body.field == "body" {
            String::new()
        } else {
            "rename = \"body\", ".to_owned()
        };
        if body.required {
            if !rename.is_empty() {
                let _ = writeln!(out, "    #[serde(rename = \"body\")]");
            }
            let _ = writeln!(out, "    pub {}: {},", body.field, ty(&body.ty));
        } else {
            let _ = writeln!(
                out,
                "    #[serde({rename}default, skip_serializing_if = \"Option::is_none\")]"
            );
            let _ = writeln!(out, "    pub {}: Option<{}>,", body.field, ty(&body.ty));
        }
    }
    out.push_str("}\n\n");

    let output = match &model.output {
        Output::Any | Output::Text => "Value".to_owned(),
        Output::List(item) => format!("List<{}>", ty(item)),
        Output::Record(name) => name.clone(),
    };
    let _ = writeln!(out, "impl Operation for {} {{", model.type_name);
    let _ = writeln!(out, "    type Output = {output};\n");
    let _ = writeln!(
        out,
        "    fn spec() -> &'static OperationSpec {{\n        &registry::{}\n    }}",
        const_name(op)
    );
    out.push_str("}\n");
}

fn record_type(out: &mut String, record: &Record, response: bool) {
    if record.doc.is_empty() {
        let _ = writeln!(
            out,
            "/// {} model; unknown members are kept in `extra`.",
            if response { "Response" } else { "Request body" }
        );
    } else {
        let _ = writeln!(out, "/// {}", rustdoc_text(&record.doc.replace('\n', " ")));
    }
    out.push_str("#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]\n");
    let _ = writeln!(out, "pub struct {} {{", record.name);
    for field in &record.fields {
        field_decl(out, field, response);
    }
    out.push_str("    /// Members the reference does not document: sent (or received) as\n    /// top-level members beside the documented ones.\n    #[serde(flatten)]\n    pub extra: Map<String, Value>,\n}\n");
}

/// Reference text as rustdoc Markdown: a `<` that does not open an autolink
/// (`<https://...>`) is escaped, so `<tenantid>` reads as text, not an HTML tag.
fn rustdoc_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        let rest = text.get(i..).unwrap_or_default();
        if c == '<' && !rest.starts_with("<http") {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn field_decl(out: &mut String, field: &Field, response: bool) {
    let _ = write!(out, "    /// `{}`", field.wire);
    if let Some(doc) = &field.doc {
        let _ = write!(out, ": {}", rustdoc_text(&one_line(doc)));
    }
    if let Some(value) = &field.fixed {
        let _ = write!(out, " Always `{value:?}`.");
    }
    out.push('\n');
    if !response && field.required {
        if field.rust != field.wire {
            let _ = writeln!(out, "    #[serde(rename = {:?})]", field.wire);
        }
        let _ = writeln!(out, "    pub {}: {},", field.rust, ty(&field.ty));
        return;
    }
    let mut attrs = format!(
        "rename = {:?}, default, skip_serializing_if = \"Option::is_none\"",
        field.wire
    );
    if response && let Some(with) = lenient(&field.ty) {
        let _ = write!(attrs, ", deserialize_with = \"lenient::{with}\"");
    }
    let _ = writeln!(out, "    #[serde({attrs})]");
    let _ = writeln!(out, "    pub {}: Option<{}>,", field.rust, ty(&field.ty));
}

/// The list the typed-operations test walks: one line per operation.
pub fn typed_test_list(cat: &Catalogue) -> String {
    let mut out = format!("{HEADER}\n\ntyped_operations! {{\n");
    for (op, model) in cat.ops.iter().zip(&cat.models) {
        let _ = writeln!(
            out,
            "    {:?} => {}::{},",
            op.id,
            snake(&op.group),
            model.type_name
        );
    }
    out.push_str("}\n");
    out
}

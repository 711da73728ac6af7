//! The language-neutral type model both emitters (Rust, TypeScript) render.

use std::collections::HashMap;

use serde_json::Value;

use crate::names::{dedupe, pascal, rust_field};
use crate::spec::{BodyKind, Location, Op, schema_type};

#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    String,
    Integer,
    Number,
    Boolean,
    /// Any JSON value.
    Any,
    /// A JSON object with unknown members.
    Map,
    Array(Box<Ty>),
    /// A generated record, by name.
    Record(String),
}

#[derive(Debug, Clone)]
pub struct Field {
    pub wire: String,
    pub rust: String,
    pub ty: Ty,
    pub required: bool,
    /// The documented description, if any.
    pub doc: Option<String>,
    /// A fixed value (`const`), if any.
    pub fixed: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Record {
    pub name: String,
    pub doc: String,
    pub fields: Vec<Field>,
    /// When an earlier record has exactly this shape: its name and group, and
    /// this record is emitted as an alias of it.
    pub same_as: Option<(String, String)>,
}

/// What a 2xx response decodes into.
#[derive(Debug, Clone)]
pub enum Output {
    /// Anything (undocumented or empty body): kept as JSON.
    Any,
    /// A bare JSON string.
    Text,
    /// A list in any of the documented envelopes, with this element type.
    List(Ty),
    /// An object.
    Record(String),
}

/// A parameter of the typed request.
#[derive(Debug, Clone)]
pub struct RequestParam {
    pub wire: String,
    pub rust: String,
    pub location: Location,
    pub ty: Ty,
    pub required: bool,
    pub name_prefix: Option<String>,
    pub doc: Option<String>,
}

#[derive(Debug, Clone)]
pub struct RequestBody {
    pub field: String,
    pub kind: BodyKind,
    pub ty: Ty,
    pub required: bool,
}

/// Everything generated for one operation.
pub struct OpModel {
    pub type_name: String,
    pub params: Vec<RequestParam>,
    pub body: Option<RequestBody>,
    pub output: Output,
    /// Records this operation defines (body and response models).
    pub records: Vec<Record>,
}

impl RequestParam {
    /// `path`, `query` or `header`.
    pub fn location_name(&self) -> &'static str {
        match self.location {
            Location::Path => "path",
            Location::Query => "query",
            Location::Header => "header",
        }
    }
}

pub fn op_model(op: &Op) -> OpModel {
    let type_name = pascal(&op.id);
    let mut records = Vec::new();
    let mut params: Vec<RequestParam> = op
        .params
        .iter()
        .map(|p| RequestParam {
            wire: p.name.clone(),
            rust: rust_field(p.name_prefix.as_deref().unwrap_or(&p.name)),
            location: p.location,
            ty: scalar(&p.schema),
            required: p.required,
            name_prefix: p.name_prefix.clone(),
            doc: p.description.clone(),
        })
        .collect();
    let mut names: Vec<String> = params.iter().map(|p| p.rust.clone()).collect();
    names.push("body".to_owned());
    dedupe(&mut names);
    for (param, name) in params.iter_mut().zip(&names) {
        param.rust.clone_from(name);
    }
    let body_field = names.last().cloned().unwrap_or_else(|| "body".to_owned());

    let body = match op.body_kind {
        BodyKind::None => None,
        BodyKind::Text => Some(RequestBody {
            field: body_field,
            kind: BodyKind::Text,
            ty: Ty::String,
            required: op.body_required,
        }),
        BodyKind::Json => Some(RequestBody {
            field: body_field,
            kind: BodyKind::Json,
            ty: build(
                &op.body_schema,
                &format!("{type_name}Body"),
                &mut records,
                false,
            ),
            required: op.body_required,
        }),
    };

    let output = match &op.response_schema {
        None => Output::Any,
        Some(schema) => output(schema, &type_name, &mut records),
    };
    OpModel {
        type_name,
        params,
        body,
        output,
        records,
    }
}

fn output(schema: &Value, type_name: &str, records: &mut Vec<Record>) -> Output {
    match schema_type(schema) {
        Some("string") => Output::Text,
        Some("array") => Output::List(build(
            &schema["items"],
            &format!("{type_name}Item"),
            records,
            true,
        )),
        Some("object") => {
            let props = schema["properties"].as_object();
            // `{results: [...]}` or `{items: [...]}` (plus total/meta/links): a list envelope.
            if let Some(props) = props {
                for key in ["results", "items"] {
                    if let Some(list) = props.get(key).filter(|p| schema_type(p) == Some("array")) {
                        let envelope_only = props.keys().all(|k| {
                            matches!(k.as_str(), "results" | "items" | "total" | "meta" | "links")
                        });
                        if envelope_only {
                            return Output::List(build(
                                &list["items"],
                                &format!("{type_name}Item"),
                                records,
                                true,
                            ));
                        }
                    }
                }
            }
            match build(schema, &format!("{type_name}Response"), records, true) {
                Ty::Record(name) => Output::Record(name),
                _ => Output::Any,
            }
        }
        _ => Output::Any,
    }
}

fn scalar(schema: &Value) -> Ty {
    match schema_type(schema) {
        Some("integer") => Ty::Integer,
        Some("number") => Ty::Number,
        Some("boolean") => Ty::Boolean,
        _ => Ty::String,
    }
}

/// The type of a schema; objects with properties become records named
/// `name` (nested ones only when `nested` is set, otherwise maps).
pub fn build(schema: &Value, name: &str, records: &mut Vec<Record>, nested: bool) -> Ty {
    match schema_type(schema) {
        Some("string") => Ty::String,
        Some("integer") => Ty::Integer,
        Some("number") => Ty::Number,
        Some("boolean") => Ty::Boolean,
        Some("array") => Ty::Array(Box::new(match schema.get("items") {
            Some(items) => build(items, &format!("{name}Item"), records, nested),
            None => Ty::Any,
        })),
        Some("object") => match schema["properties"].as_object().filter(|p| !p.is_empty()) {
            None => Ty::Map,
            Some(props) => {
                let required: Vec<&str> = schema["required"]
                    .as_array()
                    .map(|r| r.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                let mut fields: Vec<Field> = props
                    .iter()
                    .map(|(wire, prop)| {
                        let child = format!("{name}{}", pascal(wire));
                        let ty = if nested {
                            build(prop, &child, records, nested)
                        } else {
                            loose(prop)
                        };
                        Field {
                            wire: wire.clone(),
                            rust: rust_field(wire),
                            ty,
                            required: required.contains(&wire.as_str()),
                            doc: prop["description"].as_str().map(str::to_owned),
                            fixed: prop["const"].as_str().map(str::to_owned),
                        }
                    })
                    .collect();
                let mut names: Vec<String> = fields.iter().map(|f| f.rust.clone()).collect();
                names.push("extra".to_owned());
                dedupe(&mut names);
                for (field, rust) in fields.iter_mut().zip(names) {
                    field.rust = rust;
                }
                let doc = schema["description"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                records.push(Record {
                    name: name.to_owned(),
                    doc,
                    fields,
                    same_as: None,
                });
                Ty::Record(name.to_owned())
            }
        },
        _ => Ty::Any,
    }
}

/// Request body members: scalars typed, objects and arrays of objects left open.
fn loose(schema: &Value) -> Ty {
    match schema_type(schema) {
        Some("string") => Ty::String,
        Some("integer") => Ty::Integer,
        Some("number") => Ty::Number,
        Some("boolean") => Ty::Boolean,
        Some("array") => Ty::Array(Box::new(schema.get("items").map_or(Ty::Any, loose))),
        Some("object") => Ty::Map,
        _ => Ty::Any,
    }
}

/// Marks every record whose shape (members, their types and whether they are
/// required, after the same marking of nested records) equals an earlier one's,
/// so that the emitters write one type and aliases. Records come children first.
pub fn share_identical_records(models: &mut [OpModel], groups: &[String]) {
    let mut first: HashMap<String, (String, String)> = HashMap::new();
    let mut canonical: HashMap<String, String> = HashMap::new();
    for (model, group) in models.iter_mut().zip(groups) {
        for record in &mut model.records {
            let mut key = String::from(if record.name.ends_with("Body") {
                "body"
            } else {
                "response"
            });
            for field in &record.fields {
                key.push_str(&format!(
                    "|{}:{}:{}:{:?}:{:?}",
                    field.wire,
                    shape(&field.ty, &canonical),
                    field.required,
                    field.fixed,
                    field.doc
                ));
            }
            match first.get(&key) {
                Some((name, group)) => {
                    canonical.insert(record.name.clone(), name.clone());
                    record.same_as = Some((name.clone(), group.clone()));
                }
                None => {
                    first.insert(key, (record.name.clone(), group.clone()));
                }
            }
        }
    }
}

fn shape(ty: &Ty, canonical: &HashMap<String, String>) -> String {
    match ty {
        Ty::Record(name) => canonical.get(name).unwrap_or(name).clone(),
        Ty::Array(inner) => format!("[{}]", shape(inner, canonical)),
        other => format!("{other:?}"),
    }
}

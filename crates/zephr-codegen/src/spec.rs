//! Reads the OpenAPI document into the operation model the emitters use.

use serde_json::{Map, Value};

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    Path,
    Query,
    Header,
}

#[derive(Debug, Clone)]
pub struct Param {
    /// Documented name, e.g. `identifiers.email_address` or `foreign_key.{system}`.
    pub name: String,
    pub location: Location,
    pub required: bool,
    pub schema: Value,
    /// The parameter's documented example (OpenAPI puts it beside the schema).
    pub example: Option<Value>,
    /// For pattern names: the fixed prefix (`foreign_key.`).
    pub name_prefix: Option<String>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    None,
    Json,
    Text,
}

#[derive(Debug, Clone)]
pub struct Op {
    pub id: String,
    pub group: String,
    pub method: String,
    pub path: String,
    pub summary: String,
    pub params: Vec<Param>,
    pub body_kind: BodyKind,
    pub body_required: bool,
    pub body_schema: Value,
    pub body_example: Option<Value>,
    /// The body's media type (`Content-Type`), empty without a body.
    pub body_media: String,
    /// The longer description, the reference page, notes and deprecation.
    pub description: Option<String>,
    pub source: Option<String>,
    pub note: Option<String>,
    pub deprecated: bool,
    /// The compared facts on which the spec departs from the reference, on purpose.
    pub departs: Vec<String>,
    /// The documented success status and its schema and example, if any.
    pub success_status: u16,
    pub response_schema: Option<Value>,
    pub response_example: Option<Value>,
    pub page_rpp: bool,
    pub assigned_id: bool,
    pub inferred: bool,
    pub doc_defect: Option<String>,
}

pub struct Spec {
    /// Group names in the order of the document's `tags`.
    pub groups: Vec<String>,
    pub ops: Vec<Op>,
}

const METHODS: &[&str] = &["get", "put", "post", "delete", "patch", "head", "options"];

pub fn load(text: &str) -> Result<Spec, String> {
    let doc: Value = serde_json::from_str(text).map_err(|e| format!("spec is not JSON: {e}"))?;
    let groups: Vec<String> = doc["tags"]
        .as_array()
        .ok_or("spec has no tags")?
        .iter()
        .filter_map(|t| t["name"].as_str().map(str::to_owned))
        .collect();
    let paths = doc["paths"].as_object().ok_or("spec has no paths")?;
    let mut ops = Vec::new();
    for (path, item) in paths {
        for method in METHODS {
            if let Some(op) = item.get(*method) {
                ops.push(
                    read_op(path, method, op, item).map_err(|e| format!("{method} {path}: {e}"))?,
                );
            }
        }
    }
    Ok(Spec { groups, ops })
}

fn read_op(path: &str, method: &str, op: &Value, item: &Value) -> Result<Op, String> {
    let str_of = |v: &Value| v.as_str().map(str::to_owned);
    let id = str_of(&op["operationId"]).ok_or("no operationId")?;
    let group = op["tags"][0].as_str().ok_or("no tag")?.to_owned();
    let mut params = Vec::new();
    let all_params = item["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(op["parameters"].as_array().into_iter().flatten());
    for p in all_params {
        let location = match p["in"].as_str() {
            Some("path") => Location::Path,
            Some("query") => Location::Query,
            Some("header") => Location::Header,
            Some("cookie") => continue,
            other => return Err(format!("parameter location {other:?}")),
        };
        let name = str_of(&p["name"]).ok_or("parameter without name")?;
        let name_prefix = if p["x-zephr-name-pattern"].as_bool() == Some(true) {
            Some(pattern_prefix(&name))
        } else {
            None
        };
        params.push(Param {
            required: location == Location::Path || p["required"].as_bool() == Some(true),
            schema: p.get("schema").cloned().unwrap_or(Value::Null),
            example: p.get("example").cloned(),
            description: str_of(&p["description"]),
            name,
            location,
            name_prefix,
        });
    }

    let (body_kind, body_required, body_schema, body_example, body_media) =
        match op.get("requestBody") {
            None => (BodyKind::None, false, Value::Null, None, String::new()),
            Some(body) => {
                let content = body["content"]
                    .as_object()
                    .ok_or("requestBody without content")?;
                let (media, media_obj) = content
                    .iter()
                    .next()
                    .ok_or("requestBody with empty content")?;
                let declared = op["x-zephr-body-kind"].as_str();
                let kind = match (declared, media.as_str()) {
                    (Some("text"), _) | (None, "text/plain") => BodyKind::Text,
                    _ => BodyKind::Json,
                };
                let example = media_obj
                    .get("example")
                    .cloned()
                    .or_else(|| first_example(media_obj));
                (
                    kind,
                    body["required"].as_bool().unwrap_or(false),
                    media_obj
                        .get("schema")
                        .cloned()
                        .unwrap_or(Value::Object(Map::new())),
                    example,
                    media.clone(),
                )
            }
        };

    let responses = op["responses"].as_object().ok_or("no responses")?;
    let mut success: Vec<(u16, &Value)> = responses
        .iter()
        .filter_map(|(code, r)| {
            code.parse::<u16>()
                .ok()
                .filter(|c| (200..300).contains(c))
                .map(|c| (c, r))
        })
        .collect();
    success.sort_by_key(|(code, r)| (r.get("content").is_none(), *code));
    let (success_status, response) = success.first().copied().unwrap_or((200, &Value::Null));
    let json = response["content"]
        .as_object()
        .and_then(|c| c.get("application/json").or_else(|| c.values().next()));
    let response_schema = json.and_then(|j| j.get("schema")).cloned();
    let response_example =
        json.and_then(|j| j.get("example").cloned().or_else(|| first_example(j)));

    let has = |name: &str| {
        params
            .iter()
            .any(|p| p.location == Location::Query && p.name == name)
    };
    let page_rpp =
        op["x-zephr-pagination"].as_str() == Some("page-rpp") || (has("page") && has("rpp"));
    Ok(Op {
        id,
        group,
        method: method.to_ascii_uppercase(),
        path: path.to_owned(),
        summary: str_of(&op["summary"]).unwrap_or_default(),
        params,
        body_kind,
        body_required,
        body_schema,
        body_example,
        body_media,
        success_status,
        response_schema,
        response_example,
        page_rpp,
        assigned_id: op["x-zephr-assigned-id"].as_bool() == Some(true),
        inferred: op["x-zephr-inferred"].as_bool() == Some(true),
        doc_defect: str_of(&op["x-zephr-doc-defect"]),
        description: str_of(&op["description"]),
        source: str_of(&op["x-zephr-source"]),
        note: str_of(&op["x-zephr-note"]),
        deprecated: op["deprecated"].as_bool() == Some(true),
        departs: op["x-zephr-departs"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
    })
}

fn first_example(media: &Value) -> Option<Value> {
    media["examples"]
        .as_object()
        .and_then(|e| e.values().next())
        .and_then(|e| e.get("value"))
        .cloned()
}

/// `foreign_key.{system}` → `foreign_key.`; `foreign_key.xxx` → `foreign_key.`.
fn pattern_prefix(name: &str) -> String {
    match name.find('{') {
        Some(i) => name[..i].to_owned(),
        None => match name.rfind('.') {
            Some(i) => name[..=i].to_owned(),
            None => name.to_owned(),
        },
    }
}

/// The JSON type of a schema (`string`, `object`, ...), ignoring `null` in type lists.
pub fn schema_type(schema: &Value) -> Option<&str> {
    match &schema["type"] {
        Value::String(t) => Some(t.as_str()),
        Value::Array(types) => types
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null"),
        _ if schema.get("properties").is_some() => Some("object"),
        _ => None,
    }
}

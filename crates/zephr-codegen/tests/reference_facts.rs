//! The spec against the committed facts of the reference (`spec/reference-facts.json`,
//! written by `scripts/reference-facts.py` from the reference pages): every compared fact
//! agrees, or the operation lists the difference in `x-zephr-departs` and explains it in
//! `x-zephr-doc-defect` or `x-zephr-note`. A departure that no longer differs fails too,
//! so the list stays exact.

#![allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

fn load(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../spec")
        .join(name);
    let text = std::fs::read_to_string(&path).expect("spec file is readable");
    serde_json::from_str(&text).expect("spec file is JSON")
}

/// Every operation of the spec by operationId: (method, path, operation).
fn spec_ops(spec: &Value) -> BTreeMap<String, (String, String, Value)> {
    let mut ops = BTreeMap::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            if let Some(id) = op["operationId"].as_str() {
                ops.insert(id.to_owned(), (method.clone(), path.clone(), op.clone()));
            }
        }
    }
    ops
}

fn text(v: &Value) -> String {
    match v {
        Value::Null => "-".to_owned(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Compares one fact; a difference is recorded under `key`.
fn same(diffs: &mut BTreeSet<String>, key: String, reference: &Value, spec: &Value) {
    if reference != spec {
        diffs.insert(key);
    }
}

/// The keys of every compared fact on which the spec and the reference differ.
fn differences(fact: &Value, method: &str, path: &str, op: &Value) -> BTreeSet<String> {
    let mut diffs = BTreeSet::new();
    if fact["method"] != method || fact["path"] != path {
        diffs.insert("route".to_owned());
    }

    let mut spec_params = BTreeMap::new();
    for p in op["parameters"].as_array().into_iter().flatten() {
        spec_params.insert((text(&p["in"]), text(&p["name"])), p);
    }
    let mut ref_params = BTreeMap::new();
    for p in fact["params"].as_array().expect("params") {
        ref_params.insert((text(&p["in"]), text(&p["name"])), p);
    }
    for key in spec_params
        .keys()
        .collect::<BTreeSet<_>>()
        .symmetric_difference(&ref_params.keys().collect())
    {
        diffs.insert(format!("param {} {}", key.0, key.1));
    }
    for (key, r) in &ref_params {
        let Some(s) = spec_params.get(key) else {
            continue;
        };
        let prefix = format!("param {} {}", key.0, key.1);
        let required = Value::Bool(s["required"].as_bool().unwrap_or(false));
        same(
            &mut diffs,
            format!("{prefix} required"),
            &r["required"],
            &required,
        );
        for fact in ["type", "enum", "default", "const"] {
            same(
                &mut diffs,
                format!("{prefix} {fact}"),
                &r[fact],
                &s["schema"][fact],
            );
        }
    }

    let (r, s) = (&fact["body"], &op["requestBody"]);
    match (r.is_null(), s.is_null()) {
        (true, true) => {}
        (false, false) => {
            let required = Value::Bool(s["required"].as_bool().unwrap_or(false));
            same(
                &mut diffs,
                "body required".into(),
                &r["required"],
                &required,
            );
            let content = s["content"].as_object().expect("body content");
            let media: Vec<&String> = content.keys().collect();
            if media.len() != 1 || Some(media[0].as_str()) != r["media"].as_str() {
                diffs.insert("body media".to_owned());
            }
            let schema = &content.values().next().expect("one media type")["schema"];
            same(&mut diffs, "body type".into(), &r["type"], &schema["type"]);
            let props = schema["properties"]
                .as_object()
                .cloned()
                .unwrap_or_default();
            let required: Vec<&Value> = schema["required"]
                .as_array()
                .into_iter()
                .flatten()
                .collect();
            let mut ref_fields = BTreeMap::new();
            for f in r["fields"].as_array().into_iter().flatten() {
                ref_fields.insert(text(&f["name"]), f);
            }
            for name in props
                .keys()
                .collect::<BTreeSet<_>>()
                .symmetric_difference(&ref_fields.keys().collect())
            {
                diffs.insert(format!("field {name}"));
            }
            for (name, f) in &ref_fields {
                let Some(p) = props.get(name) else { continue };
                let is_required = Value::Bool(required.iter().any(|r| r.as_str() == Some(name)));
                same(
                    &mut diffs,
                    format!("field {name} required"),
                    &f["required"],
                    &is_required,
                );
                for fact in ["type", "enum", "const"] {
                    same(
                        &mut diffs,
                        format!("field {name} {fact}"),
                        &f[fact],
                        &p[fact],
                    );
                }
                // Array members: the item type ("any" in the reference: none in the spec).
                if let Some(items) = f["items"].as_str() {
                    let expected = if items == "any" {
                        Value::Null
                    } else {
                        Value::from(items)
                    };
                    same(
                        &mut diffs,
                        format!("field {name} items"),
                        &expected,
                        &p["items"]["type"],
                    );
                }
            }
        }
        _ => {
            diffs.insert("body".to_owned());
        }
    }

    let spec_codes: BTreeSet<&String> = op["responses"]
        .as_object()
        .expect("responses")
        .keys()
        .collect();
    let ref_codes: BTreeSet<String> = fact["responses"]
        .as_array()
        .expect("responses")
        .iter()
        .map(text)
        .collect();
    if spec_codes.into_iter().cloned().collect::<BTreeSet<_>>() != ref_codes {
        diffs.insert("responses".to_owned());
    }
    diffs
}

#[test]
fn the_spec_agrees_with_the_reference_or_names_the_departure() {
    let spec = load("zephr-admin-api.json");
    let facts = load("reference-facts.json");
    let ops = spec_ops(&spec);
    let mut problems = Vec::new();
    let mut checked = 0;
    for fact in facts["operations"].as_array().expect("operations") {
        let id = fact["operationId"].as_str().expect("operationId");
        let Some((method, path, op)) = ops.get(id) else {
            problems.push(format!("{id}: in the reference facts but not in the spec"));
            continue;
        };
        if op["x-zephr-source"] != fact["source"] {
            problems.push(format!(
                "{id}: x-zephr-source is not the page the facts come from"
            ));
        }
        checked += 1;
        let diffs = differences(fact, method, path, op);
        let declared: BTreeSet<String> = op["x-zephr-departs"]
            .as_array()
            .into_iter()
            .flatten()
            .map(text)
            .collect();
        for d in diffs.difference(&declared) {
            problems.push(format!(
                "{id}: `{d}` differs from the reference and is not in x-zephr-departs"
            ));
        }
        for d in declared.difference(&diffs) {
            problems.push(format!(
                "{id}: x-zephr-departs lists `{d}`, which agrees with the reference"
            ));
        }
        let explained = op["x-zephr-doc-defect"].is_string() || op["x-zephr-note"].is_string();
        if !declared.is_empty() && !explained {
            problems.push(format!(
                "{id}: departs from the reference without x-zephr-doc-defect or x-zephr-note"
            ));
        }
    }
    // Every operation with a reference page has its facts recorded.
    let recorded: BTreeSet<&str> = facts["operations"]
        .as_array()
        .expect("operations")
        .iter()
        .filter_map(|f| f["operationId"].as_str())
        .collect();
    for (id, (_, _, op)) in &ops {
        if op["x-zephr-source"].is_string() && !recorded.contains(id.as_str()) {
            problems.push(format!("{id}: has a reference page but no recorded facts"));
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
    assert_eq!(checked, 161, "every documented operation is compared");
}

/// The comparison can fail: a changed fact is caught.
#[test]
fn a_drifted_fact_is_caught() {
    let spec = load("zephr-admin-api.json");
    let facts = load("reference-facts.json");
    let ops = spec_ops(&spec);
    let fact = facts["operations"]
        .as_array()
        .expect("operations")
        .iter()
        .find(|f| f["operationId"] == "createAccount")
        .expect("createAccount facts");
    let (method, path, op) = &ops["createAccount"];
    assert!(differences(fact, method, path, op).is_empty());

    let mut drifted = op.clone();
    drifted["requestBody"]["required"] = Value::Bool(false);
    drifted["requestBody"]["content"]["application/json"]["schema"]["properties"]["session_limit"]
        ["type"] = Value::String("integer".into());
    drifted["responses"]["204"] = serde_json::json!({"description": "No Content"});
    let diffs: Vec<String> = differences(fact, method, path, &drifted)
        .into_iter()
        .collect();
    assert_eq!(
        diffs,
        ["body required", "field session_limit type", "responses"]
    );
}

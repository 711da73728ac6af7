//! TypeScript output: params and result types for every operation, the
//! namespace table the client builds its methods from.

use std::fmt::Write as _;

use crate::model::{Output, Record, Ty};
use crate::spec::{BodyKind, Location};
use crate::{Catalogue, HEADER};

fn ty(t: &Ty) -> String {
    match t {
        Ty::String => "string".into(),
        Ty::Integer | Ty::Number => "number".into(),
        Ty::Boolean => "boolean".into(),
        Ty::Any => "unknown".into(),
        Ty::Map => "Record<string, unknown>".into(),
        Ty::Array(inner) => format!("Array<{}>", ty(inner)),
        Ty::Record(name) => name.clone(),
    }
}

fn key(name: &str) -> String {
    let ident = name.chars().enumerate().all(|(i, c)| {
        c == '_' || c == '$' || c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit())
    });
    if ident && !name.is_empty() {
        name.to_owned()
    } else {
        format!("{name:?}")
    }
}

fn record(out: &mut String, r: &Record, response: bool) {
    let _ = writeln!(out, "export interface {} {{", r.name);
    for f in &r.fields {
        let optional = if response || !f.required { "?" } else { "" };
        let _ = writeln!(out, "  {}{optional}: {};", key(&f.wire), ty(&f.ty));
    }
    out.push_str("  [member: string]: unknown;\n}\n\n");
}

pub fn operations(cat: &Catalogue) -> String {
    let mut out = format!(
        "{HEADER}\n\n/** A list in any documented envelope, normalised: elements under `results`. */\nexport interface ListResult<T> {{\n  results: T[];\n  total?: number;\n  [member: string]: unknown;\n}}\n\n"
    );
    for (op, model) in cat.ops.iter().zip(&cat.models) {
        let _ = writeln!(
            out,
            "/** `{} {}`: {} */",
            op.method,
            op.path,
            op.summary.replace("*/", "* /").replace('\n', " ")
        );
        let _ = writeln!(out, "export interface {}Params {{", model.type_name);
        for p in &model.params {
            let t = match p.location {
                Location::Path | Location::Header => ty(&p.ty),
                Location::Query => ty(&p.ty),
            };
            if let Some(prefix) = &p.name_prefix {
                let _ = writeln!(out, "  [name: `{prefix}${{string}}`]: string | undefined;");
                continue;
            }
            let optional = if p.required { "" } else { "?" };
            let t = if matches!(p.ty, Ty::String) {
                t
            } else {
                format!("{t} | string")
            };
            let _ = writeln!(out, "  {}{optional}: {t};", key(&p.wire));
        }
        if let Some(body) = &model.body {
            let optional = if body.required { "" } else { "?" };
            let t = if body.kind == BodyKind::Text {
                "string".to_owned()
            } else {
                ty(&body.ty)
            };
            let _ = writeln!(out, "  body{optional}: {t};");
        }
        out.push_str("}\n\n");
        let result = match &model.output {
            Output::Any | Output::Text => "unknown".to_owned(),
            Output::List(item) => format!("ListResult<{}>", ty(item)),
            Output::Record(name) => name.clone(),
        };
        let _ = writeln!(out, "export type {}Result = {result};\n", model.type_name);
        for r in &model.records {
            match &r.same_as {
                Some((name, _)) => {
                    let _ = writeln!(
                        out,
                        "/** The same shape as {name}. */\nexport type {} = {name};\n",
                        r.name
                    );
                }
                None => record(&mut out, r, !r.name.ends_with("Body")),
            }
        }
    }

    out.push_str("/** Params and result type of every operation, by operationId. */\nexport interface OperationTypes {\n");
    for (op, model) in cat.ops.iter().zip(&cat.models) {
        let _ = writeln!(
            out,
            "  {}: {{ params: {n}Params; result: {n}Result }};",
            op.id,
            n = model.type_name
        );
    }
    out.push_str("}\n\nexport type OperationId = keyof OperationTypes;\n\n");

    out.push_str("/** SDK namespaces: `client.<namespace>.<method>(params)` calls the operation. */\nexport const NAMESPACES = {\n");
    for group in &cat.groups {
        let members: Vec<_> = cat
            .ops
            .iter()
            .zip(&cat.names)
            .filter(|(op, _)| &op.group == group)
            .collect();
        let Some((_, first)) = members.first() else {
            continue;
        };
        let _ = writeln!(out, "  {}: {{", first.namespace);
        for (op, names) in members {
            let _ = writeln!(out, "    {}: {:?},", key(&names.method), op.id);
        }
        out.push_str("  },\n");
    }
    out.push_str("} as const;\n\n");

    out.push_str("/** One operation of the catalogue. */\nexport interface OperationInfo {\n  operationId: OperationId;\n  group: string;\n  method: string;\n  path: string;\n  summary: string;\n}\n\n");
    out.push_str("/** Every operation of the catalogue. */\nexport const OPERATIONS: readonly OperationInfo[] = [\n");
    for op in &cat.ops {
        let _ = writeln!(
            out,
            "  {{ operationId: {:?}, group: {:?}, method: {:?}, path: {:?}, summary: {} }},",
            op.id,
            op.group,
            op.method,
            op.path,
            serde_json::to_string(&op.summary).unwrap_or_default()
        );
    }
    out.push_str("];\n");
    out
}

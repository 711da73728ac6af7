//! TypeScript output: params and result types for every operation, the
//! namespace table the client builds its methods from.

use std::fmt::Write as _;

use crate::docs::{one_line, op_doc};
use crate::model::{Output, Record, Ty};
use crate::names::pascal;
use crate::spec::BodyKind;
use crate::{Catalogue, HEADER};

/// A JSDoc block of these lines at this indent (nothing for no text).
fn jsdoc(out: &mut String, indent: &str, lines: &[String]) {
    match lines {
        [] => {}
        [line] if line.is_empty() => {}
        [line] => {
            let _ = writeln!(out, "{indent}/** {line} */");
        }
        _ => {
            let _ = writeln!(out, "{indent}/**");
            for line in lines {
                if line.is_empty() {
                    let _ = writeln!(out, "{indent} *");
                } else {
                    let _ = writeln!(out, "{indent} * {line}");
                }
            }
            let _ = writeln!(out, "{indent} */");
        }
    }
}

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
    if !r.doc.is_empty() {
        jsdoc(out, "", &[one_line(&r.doc)]);
    }
    let _ = writeln!(out, "export interface {} {{", r.name);
    for f in &r.fields {
        let optional = if response || !f.required { "?" } else { "" };
        let t = match &f.fixed {
            Some(value) if !response => format!("{value:?}"),
            _ => ty(&f.ty),
        };
        let doc: Vec<String> = f.doc.iter().map(|d| one_line(d)).collect();
        jsdoc(out, "  ", &doc);
        let _ = writeln!(out, "  {}{optional}: {t};", key(&f.wire));
    }
    if response {
        out.push_str("  [member: string]: unknown;\n}\n\n");
    } else {
        // Strict: a misspelled field is a type error; undocumented fields go in `extra`.
        out.push_str("  /** Fields the reference does not document, sent as top-level body fields (a name may not repeat a documented field). */\n  extra?: Record<string, unknown>;\n}\n\n");
    }
}

pub fn operations(cat: &Catalogue) -> String {
    let mut out = format!(
        "{HEADER}\n\n/** A list in any documented envelope, normalised: elements under `results`. */\nexport interface ListResult<T> {{\n  results: T[];\n  total?: number;\n  [member: string]: unknown;\n}}\n\n"
    );
    for (op, model) in cat.ops.iter().zip(&cat.models) {
        let _ = writeln!(
            out,
            "/** Parameters of `{}` (`{} {}`): {} */",
            op.id,
            op.method,
            op.path,
            one_line(&op.summary)
        );
        let _ = writeln!(out, "export interface {}Params {{", model.type_name);
        for p in &model.params {
            let mut doc: Vec<String> = p.doc.iter().map(|d| one_line(d)).collect();
            doc.push(format!("({} parameter)", p.location_name()));
            let doc = vec![doc.join(" ")];
            if let Some(prefix) = &p.name_prefix {
                jsdoc(&mut out, "  ", &doc);
                let _ = writeln!(out, "  [name: `{prefix}${{string}}`]: string | undefined;");
                continue;
            }
            let optional = if p.required { "" } else { "?" };
            // Number and boolean parameters also take their decimal / `true`/`false` text.
            let t = if matches!(p.ty, Ty::String) {
                ty(&p.ty)
            } else {
                format!("{} | string", ty(&p.ty))
            };
            jsdoc(&mut out, "  ", &doc);
            let _ = writeln!(out, "  {}{optional}: {t};", key(&p.wire));
        }
        if let Some(body) = &model.body {
            let optional = if body.required { "" } else { "?" };
            let (t, doc) = if body.kind == BodyKind::Text {
                (
                    "string".to_owned(),
                    format!(
                        "The request body: raw text, sent unchanged as `{}`.",
                        op.body_media
                    ),
                )
            } else {
                (ty(&body.ty), "The request body (JSON).".to_owned())
            };
            jsdoc(&mut out, "  ", &[doc]);
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

    out.push_str("/** The methods of every namespace, documented for the editor; `O` is the per-call options type. */\nexport interface NamespaceMethods<O> {\n");
    for group in &cat.groups {
        if let Some(names) = cat
            .ops
            .iter()
            .zip(&cat.names)
            .find(|(op, _)| &op.group == group)
            .map(|(_, n)| n)
        {
            let _ = writeln!(
                out,
                "  /** {}: the {} operations. */",
                group,
                one_line(group)
            );
            let _ = writeln!(out, "  {}: {}Namespace<O>;", names.namespace, pascal(group));
        }
    }
    out.push_str("}\n\n");
    for group in &cat.groups {
        let count = cat.in_group(group).count();
        if count == 0 {
            continue;
        }
        let _ = writeln!(
            out,
            "/** {group}: {count} operation{}. */",
            if count == 1 { "" } else { "s" }
        );
        let _ = writeln!(out, "export interface {}Namespace<O> {{", pascal(group));
        for (op, names, model) in cat.in_group(group) {
            let mut doc = op_doc(op, None);
            if op.deprecated {
                doc.push(String::new());
                doc.push("@deprecated The reference marks this operation deprecated.".to_owned());
            }
            jsdoc(&mut out, "  ", &doc);
            let needs_params = model.params.iter().any(|p| p.required)
                || model.body.as_ref().is_some_and(|b| b.required);
            let optional = if needs_params { "" } else { "?" };
            let _ = writeln!(
                out,
                "  {}(params{optional}: {n}Params, options?: O): Promise<{n}Result>;",
                key(&names.method),
                n = model.type_name
            );
        }
        out.push_str("}\n\n");
    }

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

//! The ready Rust clients' namespaces: one accessor per group on
//! `ZephrClient` and one method per operation (`client.users().list_sessions(..)`),
//! each returning a `Pending` call that the async client awaits and the
//! blocking one sends.

use std::fmt::Write as _;

use crate::names::{rust_field, snake};
use crate::{Catalogue, HEADER};

pub fn namespaces(cat: &Catalogue) -> String {
    let mut out = format!(
        "{HEADER}\n//! Namespaces of [`ZephrClient`]: one per resource group, one method per operation.\n\n#![allow(clippy::doc_markdown)]\n\nuse zephr_admin::operations;\n\nuse crate::{{Pending, ZephrClient}};\n\nimpl<T> ZephrClient<T> {{\n"
    );
    for group in &cat.groups {
        let _ = writeln!(
            out,
            "    /// {group}.\n    pub fn {}(&self) -> {}<'_, T> {{\n        {} {{ client: self }}\n    }}\n",
            rust_field(group),
            namespace_type(group),
            namespace_type(group),
        );
    }
    out.push_str("}\n");
    for group in &cat.groups {
        let ty = namespace_type(group);
        let module = snake(group);
        let _ = writeln!(
            out,
            "\n/// The {group} operations.\n#[derive(Debug)]\npub struct {ty}<'c, T> {{\n    client: &'c ZephrClient<T>,\n}}\n\nimpl<'c, T> {ty}<'c, T> {{"
        );
        for (op, names, model) in cat.in_group(group) {
            let _ = writeln!(
                out,
                "    /// {}\n    ///\n    /// `{} {}` (operationId `{}`).\n    pub fn {}(&self, request: operations::{module}::{}) -> Pending<'c, T, operations::{module}::{}> {{\n        Pending::new(self.client, request)\n    }}\n",
                op.summary.replace('\n', " "),
                op.method,
                op.path,
                op.id,
                rust_field(&names.method),
                model.type_name,
                model.type_name,
            );
        }
        out.push_str("}\n");
    }
    out
}

fn namespace_type(group: &str) -> String {
    format!("{}Ops", crate::names::pascal(group))
}

//! `zephr ops`: the operation catalogue.

use clap::Args;
use serde_json::json;
use zephr_admin::catalogue::OPERATIONS;

/// Arguments of `zephr ops`.
#[derive(Debug, Args)]
pub struct OpsArgs {
    /// Print a JSON array instead of a table.
    #[arg(long)]
    json: bool,
    /// Only the operations of this group (case-insensitive).
    #[arg(long)]
    group: Option<String>,
}

pub fn run(args: OpsArgs) -> Result<String, String> {
    let ops: Vec<_> = OPERATIONS
        .iter()
        .filter(|op| {
            args.group
                .as_ref()
                .is_none_or(|g| op.group.eq_ignore_ascii_case(g))
        })
        .collect();
    if args.json {
        let list: Vec<_> = ops
            .iter()
            .map(|op| {
                json!({
                    "operationId": op.id,
                    "group": op.group,
                    "method": op.method,
                    "path": op.path,
                    "summary": op.summary,
                })
            })
            .collect();
        return serde_json::to_string_pretty(&list).map_err(|e| e.to_string());
    }
    let id_width = ops.iter().map(|op| op.id.len()).max().unwrap_or(0);
    let mut out = String::new();
    let mut group = "";
    for op in ops {
        if op.group != group {
            group = op.group;
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(group);
            out.push('\n');
        }
        out.push_str(&format!(
            "  {:<id_width$}  {:<6} {}\n",
            op.id, op.method, op.path
        ));
    }
    Ok(out.trim_end().to_owned())
}

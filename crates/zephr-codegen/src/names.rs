//! Identifier derivation: Rust modules, types and fields; SDK namespaces and methods.

use std::collections::HashMap;

use crate::spec::Op;

/// Splits an identifier or phrase into words at non-alphanumerics and camelCase
/// boundaries (`listAccountUsersV4` → list, Account, Users, V4; `HTTPCode` → HTTP, Code).
pub fn words(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let chars: Vec<char> = s.chars().collect();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        let prev = i.checked_sub(1).and_then(|j| chars.get(j)).copied();
        let next = chars.get(i + 1).copied();
        let boundary = c.is_ascii_uppercase()
            && prev.is_some_and(|p| {
                p.is_ascii_lowercase()
                    || (p.is_ascii_uppercase() && next.is_some_and(|n| n.is_ascii_lowercase()))
            });
        if boundary && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        current.push(c);
    }
    if !current.is_empty() {
        out.push(current);
    }
    // Words the reference glues or spells unevenly in its operationIds
    // (`listUserSegmentsforUser`, `revokeKeypair` beside `issueKeyPair`).
    let mut fixed = Vec::with_capacity(out.len());
    for word in out {
        match GLUED.iter().find(|(glued, _)| *glued == word) {
            Some((_, parts)) => fixed.extend(parts.iter().map(|p| (*p).to_owned())),
            None => fixed.push(word),
        }
    }
    fixed
}

/// Glued words of operationIds and their parts.
const GLUED: &[(&str, &[&str])] = &[
    ("Segmentsfor", &["Segments", "For"]),
    ("Keypair", &["Key", "Pair"]),
];

pub fn snake(s: &str) -> String {
    words(s)
        .iter()
        .map(|w| w.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("_")
}

pub fn pascal(s: &str) -> String {
    words(s).iter().map(|w| capitalize(w)).collect()
}

pub fn camel(s: &str) -> String {
    let mut out = String::new();
    for (i, w) in words(s).iter().enumerate() {
        if i == 0 {
            out.push_str(&w.to_ascii_lowercase());
        } else {
            out.push_str(&capitalize(&w.to_ascii_lowercase()));
        }
    }
    out
}

fn capitalize(w: &str) -> String {
    let mut chars = w.chars();
    match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

const RUST_KEYWORDS: &[&str] = &[
    "as", "async", "await", "box", "break", "const", "continue", "crate", "dyn", "else", "enum",
    "extern", "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move",
    "mut", "pub", "ref", "return", "self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "do", "final", "macro", "override",
    "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
];

/// A Rust field name for a wire name.
pub fn rust_field(wire: &str) -> String {
    let mut name = snake(wire);
    if name.is_empty() {
        name = "field".to_owned();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name = format!("f_{name}");
    }
    if RUST_KEYWORDS.contains(&name.as_str()) {
        name.push('_');
    }
    name
}

/// Makes each name unique within a list by suffixing `_2`, `_3`, ...
pub fn dedupe(names: &mut [String]) {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for name in names.iter_mut() {
        let count = seen.entry(name.clone()).or_insert(0);
        *count += 1;
        if *count > 1 {
            *name = format!("{name}_{count}");
        }
    }
}

fn singular(w: &str) -> String {
    let lower = w.to_ascii_lowercase();
    if lower.len() > 4 && lower.ends_with("ies") {
        format!("{}y", &lower[..lower.len() - 3])
    } else if lower.len() > 3 && lower.ends_with('s') && !lower.ends_with("ss") {
        lower[..lower.len() - 1].to_owned()
    } else {
        lower
    }
}

/// The SDK method name of each operation within its group: the operationId
/// without the group's noun right after the verb (`listUserSessions` in
/// Users → `listSessions`, `deleteAccountUser` in Account User → `delete`),
/// unless that would make two methods of a group collide.
pub fn method_names(ops: &[Op]) -> Vec<String> {
    let mut names: Vec<String> = ops
        .iter()
        .map(|op| camel(&strip_group_noun(&op.id, &op.group)))
        .collect();
    let mut count: HashMap<(String, String), usize> = HashMap::new();
    for (op, name) in ops.iter().zip(&names) {
        *count.entry((op.group.clone(), name.clone())).or_insert(0) += 1;
    }
    for (op, name) in ops.iter().zip(names.iter_mut()) {
        if count[&(op.group.clone(), name.clone())] > 1 {
            *name = camel(&op.id);
        }
    }
    names
}

fn strip_group_noun(id: &str, group: &str) -> String {
    let id_words = words(id);
    let group_words: Vec<String> = words(group).iter().map(|w| singular(w)).collect();
    let n = group_words.len();
    let matches = id_words.len() > n
        && id_words[1..=n]
            .iter()
            .zip(&group_words)
            .all(|(w, g)| singular(w) == *g);
    if !matches {
        return id.to_owned();
    }
    let mut out = id_words[0].clone();
    for w in &id_words[n + 1..] {
        out.push_str(&capitalize(w));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_splitting() {
        assert_eq!(
            words("listAccountUsersV4"),
            ["list", "Account", "Users", "V4"]
        );
        assert_eq!(snake("HTTPCode"), "http_code");
        assert_eq!(
            snake("identifiers.email_address"),
            "identifiers_email_address"
        );
        assert_eq!(snake("seq-no"), "seq_no");
        assert_eq!(
            camel("Dynamic Offer Promo code redemption"),
            "dynamicOfferPromoCodeRedemption"
        );
        assert_eq!(camel("V4 Session"), "v4Session");
        assert_eq!(pascal("listAccountUsers"), "ListAccountUsers");
        assert_eq!(rust_field("type"), "type_");
        assert_eq!(rust_field("2fa"), "f_2fa");
        assert_eq!(camel("revokeKeypair"), "revokeKeyPair");
        assert_eq!(camel("listSegmentsforUser"), "listSegmentsForUser");
    }

    #[test]
    fn group_nouns_are_stripped() {
        assert_eq!(strip_group_noun("listAccountUsers", "Account User"), "list");
        assert_eq!(
            strip_group_noun("listAccountUsersV4", "Account User"),
            "listV4"
        );
        assert_eq!(
            strip_group_noun("listUserSessions", "Users"),
            "listSessions"
        );
        assert_eq!(
            strip_group_noun("listUserGrants", "Grants"),
            "listUserGrants"
        );
        assert_eq!(strip_group_noun("createGrant", "Grants"), "create");
        assert_eq!(strip_group_noun("list", "Grants"), "list");
        assert_eq!(strip_group_noun("listCompanies", "Company"), "list");
        assert_eq!(camel("Delete_Item"), "deleteItem");
        assert_eq!(camel("Credits"), "credits");
    }
}

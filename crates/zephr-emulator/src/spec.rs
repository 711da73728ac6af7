//! What the emulator reads from the spec beyond the generated catalogue: the
//! documented sample of each operation's first 2xx answer, and whether the
//! operation is signed at all.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde_json::Value;

/// The spec, compiled in.
const SPEC: &str = include_str!("../../../spec/zephr-admin-api.json");

/// The documented success answer of one operation.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Documented {
    /// The first documented 2xx status with a sample, else the first 2xx
    /// (200 when none is documented).
    pub status: u16,
    /// Its `application/json` example, if any.
    pub example: Option<Value>,
    /// False when the operation documents an empty `security` list.
    pub signed: bool,
}

static DOCUMENTED: LazyLock<HashMap<String, Documented>> = LazyLock::new(|| {
    serde_json::from_str::<Value>(SPEC)
        .map(|spec| collect(&spec))
        .unwrap_or_default()
});

/// The documented answer of the operation `id`.
pub(crate) fn documented(id: &str) -> Option<&'static Documented> {
    DOCUMENTED.get(id)
}

fn collect(spec: &Value) -> HashMap<String, Documented> {
    let mut out = HashMap::new();
    let Some(paths) = spec.get("paths").and_then(Value::as_object) else {
        return out;
    };
    for item in paths.values().filter_map(Value::as_object) {
        for operation in item.values().filter_map(Value::as_object) {
            let Some(id) = operation.get("operationId").and_then(Value::as_str) else {
                continue;
            };
            let responses = operation.get("responses").and_then(Value::as_object);
            let mut successes: Vec<(u16, Option<Value>)> = responses
                .into_iter()
                .flatten()
                .filter_map(|(code, response)| {
                    let code = code
                        .parse::<u16>()
                        .ok()
                        .filter(|c| (200..300).contains(c))?;
                    let example = response
                        .pointer("/content/application~1json/example")
                        .filter(|e| !e.is_null())
                        .cloned();
                    Some((code, example))
                })
                .collect();
            successes.sort_by_key(|(code, _)| *code);
            // The first documented 2xx with a sample, else the first 2xx.
            let success = successes
                .iter()
                .find(|(_, example)| example.is_some())
                .or(successes.first());
            let signed = operation
                .get("security")
                .and_then(Value::as_array)
                .is_none_or(|s| !s.is_empty());
            out.insert(
                id.to_owned(),
                Documented {
                    status: success.map_or(200, |(code, _)| *code),
                    example: success.and_then(|(_, example)| example.clone()),
                    signed,
                },
            );
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_is_documented() {
        for op in zephr_admin::catalogue::OPERATIONS {
            assert!(documented(op.id).is_some(), "{}", op.id);
        }
        let get_user = documented("getUser").unwrap();
        assert_eq!(get_user.status, 200);
        assert_eq!(
            get_user.example.as_ref().unwrap()["user_id"],
            "123456789ABCD"
        );
        assert_eq!(documented("updateAccount").unwrap().status, 201);
        assert!(!documented("refreshOrExchangeToken").unwrap().signed);
        assert!(documented("listUsers").unwrap().signed);
    }
}

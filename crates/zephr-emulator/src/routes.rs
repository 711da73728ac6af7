//! Routing and validation, both read from the operation catalogue
//! ([`zephr_admin::catalogue::OPERATIONS`]): method and path template to find the
//! operation, its parameter list and body kind to check the request.

use std::sync::LazyLock;

use serde_json::Value;
use zephr_admin::catalogue::{BodyKind, OPERATIONS, OperationSpec, ParamLocation, ParamSpec};

use crate::util::percent_decode;

/// One segment of a path template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Segment {
    Literal(&'static str),
    Param(&'static str),
}

/// A catalogue entry with its template split into segments.
#[derive(Debug)]
struct Route {
    op: &'static OperationSpec,
    segments: Vec<Segment>,
}

static ROUTES: LazyLock<Vec<Route>> = LazyLock::new(|| {
    OPERATIONS
        .iter()
        .map(|op| Route {
            op,
            segments: op
                .path
                .split('/')
                .skip(1)
                .map(
                    |segment| match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                        Some(name) => Segment::Param(name),
                        None => Segment::Literal(segment),
                    },
                )
                .collect(),
        })
        .collect()
});

/// What a method and path lead to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RouteMatch {
    /// The operation, with its path parameters decoded.
    Found {
        op: &'static OperationSpec,
        params: Vec<(&'static str, String)>,
    },
    /// The path is known, but not with this method.
    MethodNotAllowed { allowed: Vec<&'static str> },
    /// No operation has this path.
    NotFound,
    /// A path segment has a broken percent-escape or is not UTF-8.
    BadPath(String),
}

/// Finds the operation for a method and a raw (still encoded) path. Literal
/// segments win over parameters, left to right, so `/v3/users/token-exchange`
/// is not taken for `/v3/users/{user_id}`.
pub(crate) fn find(method: &str, raw_path: &str) -> RouteMatch {
    let Some(rest) = raw_path.strip_prefix('/') else {
        return RouteMatch::NotFound;
    };
    let raw: Vec<&str> = rest.split('/').collect();
    let mut decoded = Vec::with_capacity(raw.len());
    for segment in &raw {
        match percent_decode(segment, false) {
            Some(text) => decoded.push(text),
            None => {
                return RouteMatch::BadPath(format!(
                    "the path segment '{}' has a broken percent-escape or is not UTF-8",
                    segment.chars().take(80).collect::<String>()
                ));
            }
        }
    }
    let matching: Vec<&Route> = ROUTES.iter().filter(|route| matches(route, &raw)).collect();
    let Some(most_specific) = matching.iter().copied().max_by_key(|r| specificity(r)) else {
        return RouteMatch::NotFound;
    };
    let same_shape: Vec<&Route> = matching
        .iter()
        .copied()
        .filter(|route| route.segments == most_specific.segments)
        .collect();
    let Some(route) = same_shape
        .iter()
        .copied()
        .find(|route| route.op.method.eq_ignore_ascii_case(method))
    else {
        return RouteMatch::MethodNotAllowed {
            allowed: same_shape.iter().map(|route| route.op.method).collect(),
        };
    };
    let params = route
        .segments
        .iter()
        .zip(decoded)
        .filter_map(|(segment, value)| match segment {
            Segment::Param(name) => Some((*name, value)),
            Segment::Literal(_) => None,
        })
        .collect();
    RouteMatch::Found {
        op: route.op,
        params,
    }
}

fn matches(route: &Route, raw: &[&str]) -> bool {
    route.segments.len() == raw.len()
        && route
            .segments
            .iter()
            .zip(raw)
            .all(|(segment, given)| match segment {
                Segment::Literal(literal) => literal == given,
                Segment::Param(_) => !given.is_empty(),
            })
}

/// Literal segments count for more the further left they are.
fn specificity(route: &Route) -> Vec<bool> {
    route
        .segments
        .iter()
        .map(|s| matches!(s, Segment::Literal(_)))
        .collect()
}

fn accepts(spec: &ParamSpec, name: &str) -> bool {
    match spec.name_prefix {
        Some(prefix) => name.len() > prefix.len() && name.starts_with(prefix),
        None => spec.name == name,
    }
}

/// Query parameters the emulator reads as whole numbers of at least 1.
const POSITIVE_INTEGERS: &[&str] = &["page", "rpp"];

/// Checks required parameters, number parameters and the body against the
/// catalogue entry. Returns the body as JSON for JSON operations (`None` when
/// there is no body), or an explanation for a 400.
pub(crate) fn validate(
    op: &OperationSpec,
    query: &[(String, String)],
    headers: &[(String, String)],
    body: &[u8],
) -> Result<Option<Value>, String> {
    for spec in op.params.iter().filter(|p| p.required) {
        let present = match spec.location {
            ParamLocation::Path => true,
            ParamLocation::Query => query.iter().any(|(name, _)| accepts(spec, name)),
            ParamLocation::Header => headers
                .iter()
                .any(|(name, _)| name.eq_ignore_ascii_case(spec.name)),
            // A location this emulator does not know cannot be checked here.
            _ => true,
        };
        if !present {
            return Err(format!(
                "operation '{}' needs the {} parameter '{}'",
                op.id,
                spec.location.as_str(),
                spec.name
            ));
        }
    }
    for (name, value) in query {
        let documented = op
            .params
            .iter()
            .find(|p| p.location == ParamLocation::Query && accepts(p, name));
        if let Some(spec) = documented
            && !spec.ty.accepts_text(value)
        {
            return Err(format!(
                "the query parameter '{name}' must be {}, not '{}'",
                spec.ty.as_str(),
                value.chars().take(40).collect::<String>()
            ));
        }
        if documented.is_some()
            && POSITIVE_INTEGERS.contains(&name.as_str())
            && value.parse::<u32>().map_or(true, |n| n == 0)
        {
            return Err(format!(
                "the query parameter '{name}' must be a whole number of at least 1, not '{}'",
                value.chars().take(40).collect::<String>()
            ));
        }
    }
    match op.body {
        BodyKind::None if !body.is_empty() => {
            Err(format!("operation '{}' takes no request body", op.id))
        }
        BodyKind::None => Ok(None),
        _ if body.is_empty() && op.body_required => Err(format!(
            "operation '{}' needs a {} request body",
            op.id,
            op.body.as_str()
        )),
        _ if body.is_empty() => Ok(None),
        _ if !media_matches(headers, op.body_media) => Err(format!(
            "operation '{}' takes a body of type {}",
            op.id, op.body_media
        )),
        BodyKind::Json => serde_json::from_slice(body)
            .map(Some)
            .map_err(|e| format!("the request body is not JSON: {e}")),
        BodyKind::Text => std::str::from_utf8(body)
            .map(|_| None)
            .map_err(|_| "the request body is not UTF-8 text".to_owned()),
        _ => Err(format!(
            "operation '{}' takes a {} body, which this emulator cannot check",
            op.id,
            op.body.as_str()
        )),
    }
}

/// Whether the request's `Content-Type` (without parameters such as
/// `charset`) is the documented media type of the body.
fn media_matches(headers: &[(String, String)], media: &str) -> bool {
    headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("content-type"))
        .and_then(|(_, value)| value.split(';').next())
        .is_some_and(|given| given.trim().eq_ignore_ascii_case(media))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
mod tests {
    use super::*;

    fn found(method: &str, path: &str) -> (&'static str, Vec<(&'static str, String)>) {
        match find(method, path) {
            RouteMatch::Found { op, params } => (op.id, params),
            other => panic!("{method} {path}: {other:?}"),
        }
    }

    #[test]
    fn every_operation_routes_to_itself() {
        for op in OPERATIONS {
            let path = op.path.replace('{', "x").replace('}', "");
            assert_eq!(found(op.method, &path).0, op.id);
        }
    }

    #[test]
    fn literals_win_and_params_decode() {
        assert_eq!(
            found("POST", "/v3/users/token-exchange").0,
            "startPasswordlessAuthentication"
        );
        let (id, params) = found("GET", "/v3/users/a%2Fb");
        assert_eq!(id, "getUser");
        assert_eq!(params, vec![("user_id", "a/b".to_owned())]);
    }

    #[test]
    fn unknown_and_wrong_method() {
        assert_eq!(find("GET", "/v3/nothing"), RouteMatch::NotFound);
        assert_eq!(find("GET", "/v3/users/"), RouteMatch::NotFound);
        assert_eq!(find("GET", "no-slash"), RouteMatch::NotFound);
        match find("PATCH", "/v3/accounts") {
            RouteMatch::MethodNotAllowed { allowed } => {
                assert!(allowed.contains(&"GET") && allowed.contains(&"POST"));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            find("GET", "/v3/users/%zz"),
            RouteMatch::BadPath(_)
        ));
    }

    #[test]
    fn validation() {
        let json = [("Content-Type".to_owned(), "application/json".to_owned())];
        // createAccount is one of the four operations whose body the reference requires.
        let create = zephr_admin::catalogue::find_operation("createAccount").unwrap();
        assert!(
            validate(create, &[], &json, b"")
                .unwrap_err()
                .contains("needs a json")
        );
        assert!(
            validate(create, &[], &json, b"{")
                .unwrap_err()
                .contains("not JSON")
        );
        assert_eq!(
            validate(create, &[], &json, b"{}").unwrap(),
            Some(serde_json::json!({}))
        );
        // The reference does not require createUser's body: none is accepted.
        let create_user = zephr_admin::catalogue::find_operation("createUser").unwrap();
        assert_eq!(validate(create_user, &[], &[], b"").unwrap(), None);
        // A body of another media type is refused.
        let text = [(
            "content-type".to_owned(),
            "text/plain; charset=utf-8".to_owned(),
        )];
        assert!(
            validate(create, &[], &text, b"{}")
                .unwrap_err()
                .contains("application/json")
        );
        // The evict-origin regex: raw text as application/json.
        let evict = zephr_admin::catalogue::find_operation("evictOrigin").unwrap();
        assert_eq!(validate(evict, &[], &json, b"/news/.*").unwrap(), None);
        assert!(validate(evict, &[], &text, b"/news/.*").is_err());
        // Query parameters of the documented type only.
        let accounts = zephr_admin::catalogue::find_operation("listAccounts").unwrap();
        let fraction = [("page".to_owned(), "1.5".to_owned())];
        assert!(
            validate(accounts, &fraction, &[], b"")
                .unwrap_err()
                .contains("integer")
        );
        let get = zephr_admin::catalogue::find_operation("getUser").unwrap();
        assert!(
            validate(get, &[], &[], b"x")
                .unwrap_err()
                .contains("takes no")
        );
        let list = zephr_admin::catalogue::find_operation("listAccounts").unwrap();
        let bad = [("rpp".to_owned(), "ten".to_owned())];
        assert!(validate(list, &bad, &[], b"").unwrap_err().contains("rpp"));
    }
}

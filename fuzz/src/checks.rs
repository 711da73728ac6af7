//! The fuzz targets' bodies: each takes raw bytes, splits them into fields at
//! `0xFF` (a byte no UTF-8 text holds), drives one part of the core and
//! asserts its invariants. The fuzz targets call these, and the core's tests
//! replay the committed inputs under `fuzz/regressions/` through them.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use serde_json::Value;
use zephr_admin::pagination::next_page;
use zephr_admin::retry::{RetryDecision, RetryPolicy, parse_retry_after};
use zephr_admin::signing::{ParsedAuthorization, SignableRequest, sign};
use zephr_admin::{BaseUrl, Client, Credentials, Env, Request, Response};

/// The `n`th field of `data` (empty when there are fewer).
fn field(data: &[u8], n: usize) -> &[u8] {
    data.split(|b| *b == 0xFF).nth(n).unwrap_or_default()
}

fn text(data: &[u8], n: usize) -> String {
    String::from_utf8_lossy(field(data, n)).into_owned()
}

/// A number from the first eight bytes of a field.
fn number(data: &[u8], n: usize) -> u64 {
    let bytes = field(data, n);
    let mut buf = [0u8; 8];
    for (slot, b) in buf.iter_mut().zip(bytes) {
        *slot = *b;
    }
    u64::from_le_bytes(buf)
}

/// Valid UTF-8 without NUL: the bodies `verify` accepts.
fn is_text(body: &[u8]) -> bool {
    !body.contains(&0) && std::str::from_utf8(body).is_ok()
}

/// What a WHATWG URL parser leaves unchanged in an `http(s)` URL's path: no
/// byte it percent-encodes or rewrites, no dot segment.
pub fn whatwg_keeps_path(path: &str) -> bool {
    let dot = |s: &str| {
        matches!(
            s.to_ascii_lowercase().as_str(),
            "." | "%2e" | ".." | ".%2e" | "%2e." | "%2e%2e"
        )
    };
    path.starts_with('/')
        && path
            .bytes()
            .all(|b| b.is_ascii_graphic() && !b"\"#<>?\\`{}".contains(&b))
        && !path.split('/').any(dot)
}

/// The same for a query (without its `?`).
pub fn whatwg_keeps_query(query: &str) -> bool {
    query
        .bytes()
        .all(|b| b.is_ascii_graphic() && !b"\"#'<>".contains(&b))
}

/// `ParsedAuthorization::parse` and `verify` on any header.
pub fn authorization(data: &[u8]) {
    let header = text(data, 0);
    let Some(parsed) = ParsedAuthorization::parse(&header) else {
        return;
    };
    // A parsed header re-serialises to itself.
    let again = format!(
        "ZEPHR-HMAC-SHA256 {}:{}:{}:{}",
        parsed.access_key, parsed.timestamp, parsed.nonce, parsed.hash
    );
    assert_eq!(again, header);
    let credentials = Credentials::new("ak", "sk").unwrap();
    let body = field(data, 1);
    let request = SignableRequest {
        method: "POST",
        path: "/v3/users",
        query: "",
        body,
    };
    if parsed.verify(&credentials, &request) {
        assert!(is_text(body), "a body that cannot be text verified");
    }
}

/// `sign` on any parts: what it accepts parses back and verifies with the
/// same parts (when the body is text), and is sent unchanged by `fetch`.
pub fn sign_parts(data: &[u8]) {
    let (method, path, query) = (text(data, 0), text(data, 1), text(data, 2));
    let (nonce, secret) = (text(data, 3), text(data, 4));
    let body = field(data, 5);
    let timestamp = number(data, 6);
    let Ok(credentials) = Credentials::new("ak", secret.as_str()) else {
        return;
    };
    let request = SignableRequest {
        method: &method,
        path: &path,
        query: &query,
        body,
    };
    let Ok(signature) = sign(&credentials, &request, timestamp, &nonce) else {
        return;
    };
    assert!(
        whatwg_keeps_path(&path),
        "signed a path fetch rewrites: {path:?}"
    );
    assert!(
        whatwg_keeps_query(&query),
        "signed a query fetch rewrites: {query:?}"
    );
    let parsed = ParsedAuthorization::parse(signature.authorization()).unwrap();
    assert_eq!(parsed.access_key, "ak");
    assert_eq!(parsed.timestamp, timestamp.to_string());
    assert_eq!(parsed.nonce, nonce);
    assert_eq!(parsed.hash, signature.hash());
    assert_eq!(parsed.hash.len(), 64);
    assert_eq!(parsed.verify(&credentials, &request), is_text(body));
}

/// `Client::prepare` for any operation: each documented parameter takes a
/// field as its value (the field after the fixed ones, in order), the body is
/// a field read as JSON (or as text), and more parameters may come as JSON.
pub fn prepare(data: &[u8]) {
    const FIXED: usize = 5;
    let operations = zephr_admin::catalogue::OPERATIONS;
    let op = &operations[usize::try_from(number(data, 0)).unwrap_or(0) % operations.len()];
    let mut params = match serde_json::from_slice::<Value>(field(data, 1)) {
        Ok(Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    };
    for (i, spec) in op.params.iter().enumerate() {
        let value = text(data, FIXED + i);
        if value.is_empty() {
            continue;
        }
        let name = match spec.name_prefix {
            Some(prefix) => format!("{prefix}x"),
            None => spec.name.to_owned(),
        };
        params.insert(name, Value::String(value));
    }
    let body = field(data, 2);
    if !body.is_empty() {
        let value = serde_json::from_slice(body)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()));
        params.insert("body".to_owned(), value);
    }
    let base = text(data, 3);
    let base = if base.is_empty() {
        "https://news.api.zephr.com".to_owned()
    } else {
        base
    };
    let Ok(base) = BaseUrl::parse(&base) else {
        return;
    };
    let Ok(request) = op.request_from_json(&Value::Object(params)) else {
        return;
    };
    let credentials = Credentials::new("ak", "sk").unwrap();
    let client = Client::new(credentials.clone(), base.clone());
    let env = Env::new(number(data, 4), "n-1");
    let Ok(prepared) = client.prepare(&request, &env) else {
        return;
    };
    // The URL is the base URL, then the path and query that were signed.
    let target = prepared
        .url
        .strip_prefix(&base.to_string())
        .expect("the URL starts with the base URL");
    assert!(target.starts_with('/'));
    let path = format!(
        "{}{}",
        base.path_prefix(),
        target.split('?').next().unwrap_or_default()
    );
    let query = target.split_once('?').map_or("", |(_, q)| q);
    assert!(whatwg_keeps_path(&path), "{path:?}");
    assert!(whatwg_keeps_query(query), "{query:?}");
    // The route does not move: as many segments as the template.
    assert_eq!(
        path.matches('/').count(),
        base.path_prefix().matches('/').count() + op.path.matches('/').count()
    );
    let header = prepared.header("authorization").unwrap();
    let parsed = ParsedAuthorization::parse(header).unwrap();
    let signed = SignableRequest {
        method: &prepared.method,
        path: &path,
        query,
        body: &prepared.body,
    };
    assert_eq!(
        parsed.verify(&credentials, &signed),
        is_text(&prepared.body)
    );
}

/// Response decoding for any operation, status, headers and body.
pub fn response(data: &[u8]) {
    let operations = zephr_admin::catalogue::OPERATIONS;
    let op = &operations[usize::try_from(number(data, 0)).unwrap_or(0) % operations.len()];
    let status = u16::try_from(number(data, 1) % 1000).unwrap_or(0);
    let headers = vec![
        ("retry-after".to_owned(), text(data, 2)),
        ("x-request-id".to_owned(), text(data, 3)),
    ];
    let response = Response::new(status, headers, field(data, 4).to_vec());
    let params = serde_json::from_slice::<Value>(field(data, 5)).ok();
    let _ = response.request_id();
    // Only a 2xx decodes; every other status is an API error.
    assert_eq!(response.error_for_status().is_ok(), response.is_success());
    if response.decode::<Value>().is_ok() {
        assert!(response.is_success());
    }
    let Ok((json, next)) = zephr_admin_js::parse_page(op.id, &response, params.as_ref()) else {
        return;
    };
    assert!(response.is_success());
    // The host parses the text once: it must be JSON.
    serde_json::from_str::<serde::de::IgnoredAny>(&json).expect("parse_page gave JSON");
    if let (Some(next), Some(params)) = (next, params) {
        let page = |v: &Value| match v.get("page") {
            Some(Value::Number(n)) => n.as_u64(),
            Some(Value::String(s)) => s.trim().parse().ok(),
            _ => None,
        };
        let before = page(&params).unwrap_or(1).max(1);
        let after = page(&next).expect("a next page has a number");
        assert!(after > before, "page {before} -> {after}");
    }
}

/// `Retry-After` parsing and the retry decision: delays never exceed the caps.
pub fn retry(data: &[u8]) {
    let value = text(data, 0);
    let now_ms = number(data, 1);
    let _ = parse_retry_after(&value, now_ms);
    let policy = RetryPolicy::default()
        .with_max_retries(3)
        .with_retry_non_idempotent(true);
    let status = u16::try_from(number(data, 2) % 1000).unwrap_or(0);
    let retries = u32::try_from(number(data, 3) % 8).unwrap_or(0);
    let jitter = f64::from_bits(number(data, 4));
    let outcome = zephr_admin::retry::Outcome::Response {
        status,
        retry_after: Some(&value),
    };
    for outcome in [outcome, zephr_admin::retry::Outcome::TransportError] {
        if let RetryDecision::RetryAfter(ms) =
            policy.decide("GET", &outcome, retries, jitter, now_ms)
        {
            assert!(retries < policy.max_retries);
            assert!(
                ms <= policy.max_delay_ms.max(policy.max_retry_after_ms),
                "waited {ms} ms"
            );
        }
    }
}

/// `BaseUrl::parse`: what it accepts prints as a URL that parses to itself
/// and keeps a path prefix that `fetch` sends unchanged.
pub fn base_url(data: &[u8]) {
    let input = text(data, 0);
    let Ok(url) = BaseUrl::parse(&input) else {
        return;
    };
    let printed = url.to_string();
    assert!(printed.starts_with("http://") || printed.starts_with("https://"));
    assert_eq!(BaseUrl::parse(&printed).as_ref(), Ok(&url));
    let prefix = url.path_prefix();
    assert!(prefix.is_empty() || whatwg_keeps_path(prefix), "{prefix:?}");
    let origin = url.origin();
    assert!(!origin.contains(['@', '?', '#', '\\']) && origin.matches('/').count() == 2);
}

/// `next_page`: page numbers strictly increase.
pub fn paging(data: &[u8]) {
    let Ok(body) = serde_json::from_slice::<Value>(field(data, 0)) else {
        return;
    };
    let mut request = Request::get("/v3/accounts");
    let page = text(data, 1);
    if !page.is_empty() {
        request = request.with_query("page", page);
    }
    let rpp = text(data, 2);
    if !rpp.is_empty() {
        request = request.with_query("rpp", rpp);
    }
    let number_of = |r: &Request| {
        r.query_value("page")
            .and_then(|p| p.trim().parse::<u64>().ok())
            .unwrap_or(1)
            .max(1)
    };
    let before = number_of(&request);
    if let Some(next) = next_page(&request, &body) {
        let after = next
            .query_value("page")
            .expect("the next request names its page");
        let after: u64 = after.parse().expect("a decimal page number");
        assert!(after > before, "page {before} -> {after}");
    }
}

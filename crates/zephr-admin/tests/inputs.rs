//! Every refused input gets its typed error, and no error shows the secret.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use zephr_admin::error::InputErrorKind;
use zephr_admin::signing::{SignableRequest, sign};
use zephr_admin::{BaseUrl, Body, Client, Credentials, Env, Error, Request};

// Under wasm32, `#[test]` is wasm-bindgen-test's: the tests run in Node (scripts/wasm-tests.sh).
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

const SECRET: &str = "s3cr3t-value-that-must-not-leak";

fn credentials() -> Credentials {
    Credentials::new("access", SECRET).unwrap()
}

fn kind(result: Result<impl std::fmt::Debug, Error>) -> InputErrorKind {
    match result {
        Err(Error::Input(e)) => {
            assert!(
                !e.message.contains(SECRET),
                "secret in message: {}",
                e.message
            );
            assert!(!format!("{e:?}").contains(SECRET));
            e.kind
        }
        other => panic!("expected an input error, got {other:?}"),
    }
}

fn sign_with(
    method: &str,
    path: &str,
    query: &str,
    nonce: &str,
) -> Result<zephr_admin::signing::Signature, Error> {
    let request = SignableRequest {
        method,
        path,
        query,
        body: b"",
    };
    sign(&credentials(), &request, 1, nonce)
}

#[test]
fn access_keys_that_would_break_the_header_are_refused() {
    for bad in ["", "a:b", "a b", "a\tb", "a\r\nInjected: 1", "ü", "a\u{7f}"] {
        assert_eq!(
            kind(Credentials::new(bad, SECRET)),
            InputErrorKind::InvalidAccessKey,
            "{bad:?}"
        );
    }
    assert_eq!(
        kind(Credentials::new("ok", "")),
        InputErrorKind::InvalidSecretKey
    );
}

#[test]
fn nonces_that_would_break_the_header_are_refused() {
    for bad in ["", "1:2", "1 2", "x\ny", "\u{0}", "é"] {
        assert_eq!(
            kind(sign_with("GET", "/v3/users", "", bad)),
            InputErrorKind::InvalidNonce,
            "{bad:?}"
        );
        let prepared = client().prepare(&Request::get("/v3/users"), &Env::new(1, bad));
        assert_eq!(kind(prepared), InputErrorKind::InvalidNonce, "{bad:?}");
    }
}

#[test]
fn methods_that_are_not_tokens_are_refused() {
    for bad in ["", "GET /x", "GE\rT", "G:ET(", "ГET"] {
        assert_eq!(
            kind(sign_with(bad, "/v3/users", "", "n")),
            InputErrorKind::InvalidMethod,
            "{bad:?}"
        );
    }
}

#[test]
fn paths_and_queries_that_would_not_be_sent_as_signed_are_refused() {
    for bad in [
        "",
        "v3/users",
        "/v3/users?x=1",
        "/v3/us ers",
        "/v3/users#x",
        "/v3/\r\nusers",
        "/v3/ü",
    ] {
        assert_eq!(
            kind(sign_with("GET", bad, "", "n")),
            InputErrorKind::InvalidPath,
            "{bad:?}"
        );
    }
    for bad in ["?page=1", "a=b c", "a=b#c", "a=\n", "a=ü"] {
        assert_eq!(
            kind(sign_with("GET", "/v3/users", bad, "n")),
            InputErrorKind::InvalidQuery,
            "{bad:?}"
        );
    }
}

fn client() -> Client {
    Client::new(credentials(), BaseUrl::tenant("demo").unwrap())
}

fn prepare(request: Request) -> Result<zephr_admin::PreparedRequest, Error> {
    client().prepare(&request, &Env::new(1, "n"))
}

#[test]
fn path_parameters_are_checked() {
    let template = "/v3/users/{user_id}";
    assert_eq!(
        kind(prepare(Request::get(template))),
        InputErrorKind::MissingPathParam
    );
    assert_eq!(
        kind(prepare(
            Request::get(template)
                .with_path_param("user_id", "u")
                .with_path_param("usr_id", "x")
        )),
        InputErrorKind::UnknownPathParam
    );
    for bad in ["", ".", ".."] {
        assert_eq!(
            kind(prepare(
                Request::get(template).with_path_param("user_id", bad)
            )),
            InputErrorKind::InvalidPathParam
        );
    }
    assert_eq!(
        kind(prepare(Request::get("/v3/users/{user_id"))),
        InputErrorKind::InvalidPath
    );
}

#[test]
fn headers_cannot_be_forged() {
    for (name, value) in [
        ("Authorization", "ZEPHR-HMAC-SHA256 x"),
        ("host", "evil"),
        ("Content-Type", "text/html"),
        ("X-Ok", "a\r\nAuthorization: forged"),
        ("X-Ok", "a\nb"),
        ("Bad Name", "v"),
        ("", "v"),
    ] {
        assert_eq!(
            kind(prepare(Request::get("/v3/users").with_header(name, value))),
            InputErrorKind::InvalidHeader,
            "{name:?}: {value:?}"
        );
    }
    assert_eq!(
        kind(prepare(
            Request::post("/v3/users").with_body(Body::raw("x", "text/plain\r\nX-Evil: 1"))
        )),
        InputErrorKind::InvalidHeader
    );
    let ok = prepare(Request::get("/v3/users").with_header("X-Site", "news\tdesk")).unwrap();
    assert_eq!(ok.header("x-site"), Some("news\tdesk"));
}

#[test]
fn base_urls_and_tenants_are_checked() {
    for bad in ["", "-a", "a-", "a.b", "a/b", "a:80", &"a".repeat(64), "ü"] {
        assert_eq!(
            kind(BaseUrl::tenant(bad)),
            InputErrorKind::InvalidTenant,
            "{bad:?}"
        );
    }
    for bad in [
        "",
        "example.com",
        "ftp://example.com",
        "https://",
        "https://user@example.com",
        "https://example.com?x=1",
        "https://example.com/#x",
        "https://exa mple.com",
        "https://example.com/a b",
    ] {
        assert_eq!(
            kind(BaseUrl::parse(bad)),
            InputErrorKind::InvalidBaseUrl,
            "{bad:?}"
        );
    }
    let url = BaseUrl::parse("HTTPS://Proxy.Example:8443/zephr/").unwrap();
    assert_eq!(url.to_string(), "https://proxy.example:8443/zephr");
}

#[test]
fn a_base_url_prefix_is_sent_and_signed() {
    let client = Client::new(
        credentials(),
        BaseUrl::parse("http://127.0.0.1:9/prefix").unwrap(),
    );
    let prepared = client
        .prepare(&Request::get("/v3/users"), &Env::new(7, "n"))
        .unwrap();
    assert_eq!(prepared.url, "http://127.0.0.1:9/prefix/v3/users");
    let request = SignableRequest {
        method: "GET",
        path: "/prefix/v3/users",
        query: "",
        body: b"",
    };
    let signature = sign(&credentials(), &request, 7, "n").unwrap();
    assert_eq!(
        prepared.header("authorization"),
        Some(signature.authorization())
    );
}

#[test]
fn bodies_are_checked() {
    assert_eq!(
        kind(Body::json_text("{not json")),
        InputErrorKind::InvalidBody
    );
    let mut map = std::collections::HashMap::new();
    map.insert(vec![1u8], 1);
    assert_eq!(kind(Body::json(&map)), InputErrorKind::InvalidBody);
}

#[test]
fn secrets_never_show() {
    let credentials = credentials();
    assert!(!format!("{credentials:?}").contains(SECRET));
    assert!(!format!("{credentials}").contains(SECRET));
    let client = client();
    assert!(!format!("{client:?}").contains(SECRET));
}

#[test]
fn clock_offset_moves_the_signed_timestamp() {
    let client = client().with_clock_offset_ms(-500);
    let prepared = client
        .prepare(&Request::get("/v3/users"), &Env::new(1_000, "n"))
        .unwrap();
    assert!(
        prepared
            .header("authorization")
            .unwrap()
            .contains(":500:n:")
    );
    let prepared = client
        .prepare(&Request::get("/v3/users"), &Env::new(100, "n"))
        .unwrap();
    assert!(
        prepared.header("authorization").unwrap().contains(":0:n:"),
        "saturates at 0"
    );
}

#[test]
fn descriptor_headers() {
    let prepared = prepare(
        Request::post("/v3/users").with_body(Body::json(&serde_json::json!({"a": 1})).unwrap()),
    )
    .unwrap();
    assert_eq!(prepared.method, "POST");
    assert_eq!(prepared.header("content-type"), Some("application/json"));
    assert_eq!(prepared.header("accept"), Some("application/json"));
    assert_eq!(
        prepared.header("user-agent"),
        Some(zephr_admin::request::USER_AGENT)
    );
    assert!(zephr_admin::request::USER_AGENT.starts_with("zephr-admin/"));
    let get = prepare(Request::get("/v3/users")).unwrap();
    assert_eq!(get.header("content-type"), None);
    assert!(get.body.is_empty());
}

#[cfg(feature = "os-env")]
#[test]
fn system_env_draws_distinct_128_bit_nonces() {
    let nonces: std::collections::HashSet<String> = (0..1000)
        .map(|_| Env::from_system().unwrap().nonce)
        .collect();
    assert_eq!(nonces.len(), 1000);
    assert!(
        nonces
            .iter()
            .all(|n| n.len() == 32 && n.bytes().all(|b| b.is_ascii_hexdigit()))
    );
    assert!(zephr_admin::env::system_now_ms() > 1_700_000_000_000);
}

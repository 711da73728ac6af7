//! Security properties of the core: length-extension forgeries are refused,
//! paging cannot overflow, and nothing is signed that a WHATWG URL parser
//! (and so `fetch`) would send differently.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

// Under wasm32, `#[test]` is wasm-bindgen-test's: the tests run in Node (scripts/wasm-tests.sh).
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

#[path = "support/forge.rs"]
mod forge;

use serde_json::json;
use sha2::{Digest, Sha256};
use zephr_admin::error::InputErrorKind;
use zephr_admin::pagination::next_page;
use zephr_admin::signing::{ParsedAuthorization, Refusal, SignableRequest, sign};
use zephr_admin::{BaseUrl, Client, Credentials, Env, Error, Request};

const SECRET: &str = "9b8c7d6e-5f4a-4b3c-8d2e-1f0a9b8c7d6e";

fn credentials() -> Credentials {
    Credentials::new("ak", SECRET).unwrap()
}

fn kind<T: std::fmt::Debug>(result: Result<T, Error>) -> InputErrorKind {
    match result {
        Err(Error::Input(e)) => e.kind,
        other => panic!("expected an input error, got {other:?}"),
    }
}

#[test]
fn a_length_extension_forgery_is_refused() {
    // One captured request: GET /v3/users/u-1.
    let captured = SignableRequest {
        method: "GET",
        path: "/v3/users/u-1",
        query: "",
        body: b"",
    };
    let header = sign(&credentials(), &captured, 1_700_000_000_000, "n1")
        .unwrap()
        .into_authorization();
    let hash = ParsedAuthorization::parse(&header).unwrap().hash;

    // The forger knows the header, the request and the secret's length only.
    let signed = forge::signed_bytes(b"", "/v3/users/u-1", "", "GET", "1700000000000", "n1");
    let suffix = forge::signed_bytes(b"", "/v3/users/u-1", "", "DELETE", "1700000000999", "n2");
    let forgery = forge::extend(hash, SECRET.len(), &signed, b"", &suffix);
    let forged = SignableRequest {
        method: "DELETE",
        path: "/v3/users/u-1",
        query: "",
        body: &forgery.body,
    };

    // The forged hash is exactly the hash a holder of the secret computes for
    // the forged request: a check of the hash alone accepts it.
    let honest = sign(&credentials(), &forged, 1_700_000_000_999, "n2").unwrap();
    assert_eq!(honest.hash(), forgery.hash);
    let direct = Sha256::new()
        .chain_update(SECRET)
        .chain_update(&forgery.body)
        .chain_update("/v3/users/u-1DELETE1700000000999n2")
        .finalize();
    let direct: String = direct.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(direct, forgery.hash);

    // `verify` refuses it, for its body.
    let forged_header = format!("ZEPHR-HMAC-SHA256 ak:1700000000999:n2:{}", forgery.hash);
    let parsed = ParsedAuthorization::parse(&forged_header).unwrap();
    assert!(!parsed.verify(&credentials(), &forged));
    assert_eq!(
        parsed.check(&credentials(), &forged),
        Err(Refusal::BodyNotText)
    );

    // A forgery with appended text still carries the padding, and is refused.
    let longer = forge::extend(hash, SECRET.len(), &signed, b"{\"x\":1}", &suffix);
    let forged = SignableRequest {
        body: &longer.body,
        ..forged
    };
    let header = format!("ZEPHR-HMAC-SHA256 ak:1700000000999:n2:{}", longer.hash);
    let parsed = ParsedAuthorization::parse(&header).unwrap();
    assert_eq!(
        sign(&credentials(), &forged, 1_700_000_000_999, "n2")
            .unwrap()
            .hash(),
        longer.hash
    );
    assert_eq!(
        parsed.check(&credentials(), &forged),
        Err(Refusal::BodyNotText)
    );
}

#[test]
fn verify_accepts_text_bodies_and_refuses_nul_and_invalid_utf8() {
    for (body, expected) in [
        (&b"{\"first_name\":\"Zo\xc3\xab\"}"[..], Ok(())),
        (b"^https://.*\\.example\\.com$", Ok(())),
        (b"", Ok(())),
        (b"{}\0", Err(Refusal::BodyNotText)),
        (b"\x80", Err(Refusal::BodyNotText)),
        (b"{\"a\":\"\xff\"}", Err(Refusal::BodyNotText)),
    ] {
        let request = SignableRequest {
            method: "POST",
            path: "/v3/users",
            query: "",
            body,
        };
        let header = sign(&credentials(), &request, 7, "n")
            .unwrap()
            .into_authorization();
        let parsed = ParsedAuthorization::parse(&header).unwrap();
        assert_eq!(parsed.check(&credentials(), &request), expected, "{body:?}");
        assert_eq!(parsed.verify(&credentials(), &request), expected.is_ok());
    }
    // A text body with a wrong hash is a mismatch.
    let request = SignableRequest {
        method: "POST",
        path: "/v3/users",
        query: "",
        body: b"{}",
    };
    let parsed = ParsedAuthorization::parse("ZEPHR-HMAC-SHA256 ak:7:n:00").unwrap();
    assert_eq!(
        parsed.check(&credentials(), &request),
        Err(Refusal::Mismatch)
    );
}

#[test]
fn paging_stops_at_the_largest_page_number() {
    let max = u64::MAX.to_string();
    // A server links to page u64::MAX: the next request asks for it...
    let first = Request::get("/v3/users/export").with_query("rpp", "2");
    let body = json!({"results": [1, 2], "links": {"next": {"page": u64::MAX}}});
    let last = next_page(&first, &body).unwrap();
    assert_eq!(last.query_value("page"), Some(max.as_str()));
    // ...and when that page says there is a next one without a number, or
    // its rpp/total say so, there is no page after it (no panic, no page 0).
    let more = json!({"results": [1, 2], "links": {"next": {}}});
    assert!(next_page(&last, &more).is_none());
    let more = json!({"results": [1, 2], "links": {"next": {"page": "0"}}});
    assert!(next_page(&last, &more).is_none());
    let more = json!({"results": [1, 2], "total": u64::MAX});
    assert!(next_page(&last, &more).is_none());
    let full = json!({"results": [1, 2]});
    assert!(next_page(&last, &full).is_none());
}

/// What `new URL("http://h/a" + c + "b")` (Node 20, WHATWG) does to each visible
/// ASCII byte in a path and in a query, checked by round-tripping every byte.
const PATH_REWRITES: &str = "\"<>\\`{}";
const QUERY_REWRITES: &str = "\"'<>";

#[test]
fn path_and_query_bytes_that_fetch_rewrites_are_refused() {
    for b in 0x21u8..0x7f {
        let c = char::from(b);
        let path = format!("/a{c}b");
        let signable = SignableRequest {
            method: "GET",
            path: &path,
            query: "",
            body: b"",
        };
        let refused = c == '#' || c == '?' || PATH_REWRITES.contains(c);
        let result = sign(&credentials(), &signable, 7, "n");
        assert_eq!(result.is_err(), refused, "path byte {c:?}");
        if refused {
            assert_eq!(kind(result), InputErrorKind::InvalidPath);
        }

        let query = format!("a{c}b");
        let signable = SignableRequest {
            method: "GET",
            path: "/v3/users",
            query: &query,
            body: b"",
        };
        let refused = c == '#' || QUERY_REWRITES.contains(c);
        let result = sign(&credentials(), &signable, 7, "n");
        assert_eq!(result.is_err(), refused, "query byte {c:?}");
        if refused {
            assert_eq!(kind(result), InputErrorKind::InvalidQuery);
        }
    }
}

#[test]
fn dot_segments_are_refused_in_paths_templates_and_prefixes() {
    // Each of these is resolved away by a WHATWG URL parser.
    for path in [
        "/a/./b",
        "/a/../b",
        "/a/.",
        "/a/..",
        "/.",
        "/..",
        "/a/%2e/b",
        "/a/%2E%2e/b",
        "/a/.%2e/b",
        "/a/%2e./b",
        "/a/%2e",
    ] {
        let signable = SignableRequest {
            method: "GET",
            path,
            query: "",
            body: b"",
        };
        assert_eq!(
            kind(sign(&credentials(), &signable, 7, "n")),
            InputErrorKind::InvalidPath,
            "{path}"
        );
        let client = Client::new(credentials(), BaseUrl::tenant("news").unwrap());
        assert_eq!(
            kind(client.prepare(&Request::get(path), &Env::new(7, "n"))),
            InputErrorKind::InvalidPath,
            "{path}"
        );
        assert_eq!(
            kind(BaseUrl::parse(&format!("https://proxy.example{path}"))),
            InputErrorKind::InvalidBaseUrl,
            "{path}"
        );
    }
    // These survive the parser unchanged and stay allowed.
    for path in [
        "/a/...",
        "/a/.b",
        "/a/%2e%2e%2e",
        "/a/b.",
        "/v3/users/..%2Fadmin",
    ] {
        let signable = SignableRequest {
            method: "GET",
            path,
            query: "",
            body: b"",
        };
        assert!(sign(&credentials(), &signable, 7, "n").is_ok(), "{path}");
    }
    // Dots in a query are not resolved.
    let signable = SignableRequest {
        method: "GET",
        path: "/v3/users",
        query: "a=..&b=%2e",
        body: b"",
    };
    assert!(sign(&credentials(), &signable, 7, "n").is_ok());
}

#[test]
fn base_urls_with_broken_authorities_are_refused_at_parse_time() {
    for bad in [
        "http://a:b:c",
        "http://example.com:99999",
        "http://example.com:65536",
        "http://example.com:",
        "http://example.com:8o",
        "http://:80",
        "http://user@example.com",
        "http://user:pass@example.com",
        "http://a..b",
        "http://.a",
        "http://127.0.0.1.",
        "http://1.2.3",
        "http://0x7f.1",
        "http://01.2.3.4",
        "http://999.1.1.1",
        "http://a.b.c.1",
        "http://[::1",
        "http://[::1]x",
        "http://[example]",
        "http://ex[am]ple",
    ] {
        assert_eq!(
            kind(BaseUrl::parse(bad)),
            InputErrorKind::InvalidBaseUrl,
            "{bad:?}"
        );
    }
    for good in [
        "http://127.0.0.1:8080",
        "http://localhost",
        "https://news.api.zephr.com",
        "http://[::1]:8080",
        "http://[::1]",
        "http://h_x:0",
        "http://example.com:65535/zephr",
        "http://a.1e",
    ] {
        assert!(BaseUrl::parse(good).is_ok(), "{good:?}");
    }
}

//! `page`/`rpp` pagination as a pure function: from a request and the decoded
//! body of its response, the request for the next page, if there is one.
//!
//! The documented list endpoints answer either `{results, total}` (accounts)
//! or `{results, meta: {count, rpp, paginated}, links: {next: {page}}}` (user
//! export). Pages are numbered from 1.
//!
//! The [call engine](crate::call)'s [`Pages`](crate::call::Pages) walks pages
//! with these rules; a host that drives requests itself asks [`next_page`]
//! with a JSON body, or [`List::next_page`] with a typed page.

use serde_json::Value;

use crate::request::Request;
use crate::response::List;

/// The request for the page after the one `body` answered, or `None` when
/// `body` was the last page.
///
/// Uses, in order: `links.next` (absent or null means last), `total` with the
/// page size, and otherwise a short or empty page as the end. The returned
/// request is unsigned: prepare it again (fresh timestamp and nonce). Page
/// numbers strictly increase, so paging always ends: a link that does not move
/// forward, or a page after `u64::MAX`, is the end.
///
/// ```
/// use serde_json::json;
/// use zephr_admin::Request;
/// use zephr_admin::pagination::next_page;
///
/// let first = Request::get("/v3/accounts").with_query("rpp", "2");
/// let body = json!({"results": [{"account_id": "a"}, {"account_id": "b"}], "total": 3});
/// let second = next_page(&first, &body).unwrap();
/// assert_eq!(second.query_value("page"), Some("2"));
/// let last = json!({"results": [{"account_id": "c"}], "total": 3});
/// assert!(next_page(&second, &last).is_none());
/// ```
#[must_use]
pub fn next_page(request: &Request, body: &Value) -> Option<Request> {
    next_page_after(request, &PageSummary::of(body))
}

impl<T> List<T> {
    /// The request for the page after this one, which `request` fetched, or
    /// `None` when this was the last page: [`next_page`] for a typed page
    /// (its `total`, and `meta` and `links` kept in [`extra`](List::extra)).
    ///
    /// ```
    /// use zephr_admin::{List, Request, Response};
    ///
    /// let first = Request::get("/v3/accounts").with_query("rpp", "2");
    /// let page: List<String> = Response::new(200, vec![], r#"{"results":["a","b"],"total":3}"#).decode()?;
    /// let second = page.next_page(&first).unwrap();
    /// assert_eq!(second.query_value("page"), Some("2"));
    /// let last: List<String> = Response::new(200, vec![], r#"{"results":["c"],"total":3}"#).decode()?;
    /// assert!(last.next_page(&second).is_none());
    /// # Ok::<(), zephr_admin::Error>(())
    /// ```
    #[must_use]
    pub fn next_page(&self, request: &Request) -> Option<Request> {
        let summary = PageSummary {
            items: Some(self.items.len()),
            total: self.total,
            meta: self.extra.get("meta"),
            links: self.extra.get("links"),
        };
        next_page_after(request, &summary)
    }
}

/// What paging needs to know of a page: how many elements it has, and its
/// `total`, `meta` and `links` members.
#[derive(Debug, Clone, Copy, Default)]
struct PageSummary<'a> {
    items: Option<usize>,
    total: Option<u64>,
    meta: Option<&'a Value>,
    links: Option<&'a Value>,
}

impl<'a> PageSummary<'a> {
    fn of(body: &'a Value) -> Self {
        PageSummary {
            items: page_items(body),
            total: body.get("total").and_then(as_u64),
            meta: body.get("meta"),
            links: body.get("links"),
        }
    }
}

fn next_page_after(request: &Request, body: &PageSummary<'_>) -> Option<Request> {
    let page = request
        .query_value("page")
        .and_then(|p| p.trim().parse::<u64>().ok())
        .unwrap_or(1)
        .max(1);
    let items = body.items;
    if items == Some(0) {
        return None;
    }
    let meta = body.meta;
    if meta
        .and_then(|m| m.get("paginated"))
        .and_then(Value::as_bool)
        == Some(false)
    {
        return None;
    }

    // The page after `u64::MAX` does not exist: paging stops there (checked,
    // so a server's huge page number can neither panic nor wrap to page 0).
    let following = page.checked_add(1);
    let next = if let Some(links) = body.links.filter(|l| l.is_object()) {
        let next = links.get("next").filter(|n| !n.is_null())?;
        let linked = match next.get("page").and_then(as_u64) {
            Some(linked) => linked,
            None => following?,
        };
        // A link that does not move forward would loop forever.
        if linked <= page {
            return None;
        }
        linked
    } else {
        let rpp = request
            .query_value("rpp")
            .and_then(|r| r.trim().parse::<u64>().ok())
            .or_else(|| meta.and_then(|m| m.get("rpp")).and_then(as_u64))
            .filter(|r| *r > 0);
        let total = body.total;
        let count = u64::try_from(items?).ok()?;
        let more = match (total, rpp) {
            (Some(total), Some(rpp)) => page.saturating_mul(rpp) < total,
            // Without `rpp`, a full page is as long as this one.
            (Some(total), None) => page.saturating_mul(count) < total,
            (None, Some(rpp)) => count >= rpp,
            (None, None) => false,
        };
        if !more {
            return None;
        }
        following?
    };
    Some(
        request
            .clone()
            .with_query_replaced("page", next.to_string()),
    )
}

/// The number of elements of the page, for the documented envelopes.
fn page_items(body: &Value) -> Option<usize> {
    match body {
        Value::Array(items) => Some(items.len()),
        Value::Object(map) => ["results", "items", "data"]
            .iter()
            .find_map(|key| map.get(*key).and_then(Value::as_array))
            .map(Vec::len),
        _ => None,
    }
}

fn as_u64(value: &Value) -> Option<u64> {
    value
        .as_u64()
        .or_else(|| value.as_str().and_then(|s| s.trim().parse().ok()))
}

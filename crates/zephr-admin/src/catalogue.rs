//! The operation catalogue: what every documented Admin API operation looks
//! like, as data. The table itself (`OPERATIONS`) is generated from
//! `spec/zephr-admin-api.json`; this module holds its types and the one place
//! that turns an operation id and loosely typed parameters into a [`Request`],
//! which the command line and the JS bindings share.

use serde_json::{Map, Value};

use crate::env::Env;
use crate::error::{Error, InputErrorKind};
use crate::request::{Body, Client, PreparedRequest, Request};
use crate::response::Response;

pub use crate::generated::registry::OPERATIONS;

/// The member of a JSON body object whose own members are sent as top-level
/// body fields: the escape hatch for fields the reference does not document
/// (`{"first_name": "A", "extra": {"beta_flag": true}}` sends
/// `{"first_name":"A","beta_flag":true}`). No documented body has a field of
/// this name; a name given both directly and in `extra` is refused.
///
/// ```
/// use serde_json::json;
/// use zephr_admin::catalogue::{EXTRA, find_operation};
///
/// let op = find_operation("createUser").unwrap();
/// let body = json!({"identifiers": {"email_address": "a@example.com"}, EXTRA: {"beta": true}});
/// let request = op.request_from_json(&json!({"body": body}))?;
/// let sent: serde_json::Value = serde_json::from_slice(request.body().as_bytes()).unwrap();
/// assert_eq!(sent["beta"], true);
/// # Ok::<(), zephr_admin::Error>(())
/// ```
pub const EXTRA: &str = "extra";

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ParamLocation {
    /// A `{name}` placeholder of the path.
    Path,
    /// A query pair.
    Query,
    /// A request header.
    Header,
}

impl ParamLocation {
    /// `path`, `query` or `header`.
    pub fn as_str(self) -> &'static str {
        match self {
            ParamLocation::Path => "path",
            ParamLocation::Query => "query",
            ParamLocation::Header => "header",
        }
    }
}

/// The scalar type of a parameter, as documented.
///
/// The rule for values given as JSON (the JS bindings, typed Rust requests):
/// `String` parameters take strings only (`user_id: 42` is an `invalid_param`
/// error, not `"42"`); `Integer` parameters take whole numbers or strings of
/// decimal digits (`"2"`, `"-1"`); `Number` parameters take finite numbers or
/// decimal number strings (`"1.5"`, `"2e3"`); `Boolean` parameters take `true`,
/// `false` or those two words as strings. Values given as text (the command
/// line) are checked by the same rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ParamType {
    /// Any string.
    String,
    /// A whole number.
    Integer,
    /// A finite number.
    Number,
    /// `true` or `false`.
    Boolean,
}

impl ParamType {
    /// `string`, `integer`, `number` or `boolean`.
    pub fn as_str(self) -> &'static str {
        match self {
            ParamType::String => "string",
            ParamType::Integer => "integer",
            ParamType::Number => "number",
            ParamType::Boolean => "boolean",
        }
    }

    /// Whether `text` is a valid written form of this type.
    ///
    /// ```
    /// use zephr_admin::catalogue::ParamType;
    ///
    /// assert!(ParamType::Integer.accepts_text("42"));
    /// assert!(!ParamType::Integer.accepts_text("4.2"));
    /// assert!(ParamType::Boolean.accepts_text("true"));
    /// ```
    #[must_use]
    pub fn accepts_text(self, text: &str) -> bool {
        match self {
            ParamType::String => true,
            ParamType::Integer => {
                let digits = text.strip_prefix('-').unwrap_or(text);
                !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
            }
            ParamType::Number => is_decimal_number(text),
            ParamType::Boolean => matches!(text, "true" | "false"),
        }
    }
}

/// `-?digits(.digits)?([eE][+-]?digits)?`: JSON's number grammar, also
/// allowing leading zeros. Checked by hand, not by parsing a float, which would
/// weigh on the wasm module.
fn is_decimal_number(text: &str) -> bool {
    fn digits(s: &str) -> (&str, usize) {
        let n = s.bytes().take_while(u8::is_ascii_digit).count();
        (&s[n..], n)
    }
    let (rest, whole) = digits(text.strip_prefix('-').unwrap_or(text));
    if whole == 0 {
        return false;
    }
    let rest = match rest.strip_prefix('.') {
        Some(fraction) => match digits(fraction) {
            (_, 0) => return false,
            (rest, _) => rest,
        },
        None => rest,
    };
    match rest.strip_prefix(['e', 'E']) {
        Some(exponent) => {
            let exponent = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
            matches!(digits(exponent), ("", n) if n > 0)
        }
        None => rest.is_empty(),
    }
}

/// One documented parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ParamSpec {
    /// The documented name, exactly as on the wire (e.g. `identifiers.email_address`).
    pub name: &'static str,
    /// Path, query or header.
    pub location: ParamLocation,
    /// Whether the request is refused without it.
    pub required: bool,
    /// For names documented as a pattern such as `foreign_key.{system}`: the
    /// fixed prefix (`foreign_key.`) that every accepted name starts with.
    pub name_prefix: Option<&'static str>,
    /// The documented scalar type; values of another type are refused.
    pub ty: ParamType,
}

impl ParamSpec {
    fn accepts(&self, name: &str) -> bool {
        match self.name_prefix {
            Some(prefix) => name.len() > prefix.len() && name.starts_with(prefix),
            None => self.name == name,
        }
    }
}

/// What an operation's request body is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BodyKind {
    /// No body.
    None,
    /// Any JSON value (object, array or bare string), sent as `application/json`.
    Json,
    /// Raw text, sent unchanged with the operation's documented media type
    /// ([`OperationSpec::body_media`]).
    Text,
}

impl BodyKind {
    /// `none`, `json` or `text`.
    pub fn as_str(self) -> &'static str {
        match self {
            BodyKind::None => "none",
            BodyKind::Json => "json",
            BodyKind::Text => "text",
        }
    }
}

/// How an operation's list can be paged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Pagination {
    /// Not paged.
    None,
    /// `page` (from 1) and `rpp` (results per page) query parameters; see [`next_page`](crate::pagination::next_page).
    PageRpp,
}

/// What a 2xx answer of an operation is, as documented.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ResponseKind {
    /// Undocumented or empty: any JSON, or nothing.
    Any,
    /// A bare JSON string.
    Text,
    /// A list: a bare array or a `results`/`items`/`data` envelope.
    List,
    /// An object.
    Object,
}

/// One operation of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct OperationSpec {
    /// The official `operationId` (or an assigned one, see `assigned_id`): the stable key.
    pub id: &'static str,
    /// The resource group (tag) of the reference.
    pub group: &'static str,
    /// The SDK namespace of the group, e.g. `accountUser`.
    pub namespace: &'static str,
    /// The SDK method name within the namespace, e.g. `list`.
    pub method_name: &'static str,
    /// Upper-case HTTP method.
    pub method: &'static str,
    /// Path template with `{name}` placeholders.
    pub path: &'static str,
    /// One-line summary.
    pub summary: &'static str,
    /// Path, query and header parameters, in documented order.
    pub params: &'static [ParamSpec],
    /// The request body.
    pub body: BodyKind,
    /// Whether a body must be given (only meaningful when `body` is not `None`).
    pub body_required: bool,
    /// The documented media type of the body (`Content-Type`), empty when
    /// there is none. The evict-origin operations send their raw regular
    /// expression as `application/json`, as working clients do.
    pub body_media: &'static str,
    /// The documented shape of the 2xx answer.
    pub response: ResponseKind,
    /// Paging of the answer.
    pub pagination: Pagination,
    /// The reference has no `operationId` for this operation; this one was assigned.
    pub assigned_id: bool,
    /// Not seen in any official source; inferred. Verify before relying on it.
    pub inferred: bool,
    /// A known defect of the official reference for this operation, kept as documented.
    pub doc_defect: Option<&'static str>,
}

/// The operation with this id.
///
/// ```
/// let op = zephr_admin::catalogue::find_operation("listAccountUsers").unwrap();
/// assert_eq!((op.method, op.path), ("GET", "/v3/accounts/{account_id}/users"));
/// assert!(zephr_admin::catalogue::find_operation("noSuchThing").is_none());
/// ```
pub fn find_operation(id: &str) -> Option<&'static OperationSpec> {
    OPERATIONS.iter().find(|op| op.id == id)
}

/// Like [`find_operation`], as a typed `unknown_operation` error.
///
/// ```
/// use zephr_admin::catalogue::require_operation;
///
/// assert_eq!(require_operation("getUser")?.method, "GET");
/// assert_eq!(require_operation("getUsr").unwrap_err().code(), "unknown_operation");
/// # Ok::<(), zephr_admin::Error>(())
/// ```
pub fn require_operation(id: &str) -> Result<&'static OperationSpec, Error> {
    find_operation(id).ok_or_else(|| {
        Error::input(
            InputErrorKind::UnknownOperation,
            format!("no operation has the id '{id}'"),
        )
    })
}

impl OperationSpec {
    /// The request for this operation from parameters given by their
    /// documented names. Query pairs are sent in documented order. Unknown
    /// names, missing required parameters and a body the operation does not
    /// take are refused.
    ///
    /// ```
    /// let op = zephr_admin::catalogue::find_operation("listAccountUsers").unwrap();
    /// let request = op.request([("account_id", "a/b")], None)?;
    /// assert_eq!(request.render_path()?, "/v3/accounts/a%2Fb/users");
    /// assert_eq!(op.request([("acount_id", "a")], None).unwrap_err().code(), "unknown_param");
    /// # Ok::<(), zephr_admin::Error>(())
    /// ```
    pub fn request<'a>(
        &self,
        params: impl IntoIterator<Item = (&'a str, &'a str)>,
        body: Option<Body>,
    ) -> Result<Request, Error> {
        let given: Vec<(&str, &str)> = params.into_iter().collect();
        if let Some((name, _)) = given
            .iter()
            .find(|(name, _)| !self.params.iter().any(|p| p.accepts(name)))
        {
            return Err(Error::input(
                InputErrorKind::UnknownParam,
                format!(
                    "operation '{}' has no parameter '{name}' (it takes: {})",
                    self.id,
                    self.param_names()
                ),
            ));
        }
        let mut request = Request::new(self.method, self.path);
        for spec in self.params {
            let mut found = false;
            for (name, value) in given.iter().filter(|(name, _)| spec.accepts(name)) {
                found = true;
                if !spec.ty.accepts_text(value) {
                    return Err(self.wrong_type(name, spec.ty));
                }
                request = match spec.location {
                    ParamLocation::Path => request.with_path_param(*name, *value),
                    ParamLocation::Query => request.with_query(*name, *value),
                    ParamLocation::Header => request.with_header(*name, *value),
                };
            }
            if spec.required && !found {
                return Err(Error::input(
                    InputErrorKind::MissingParam,
                    format!(
                        "operation '{}' needs the {} parameter '{}'",
                        self.id,
                        spec.location.as_str(),
                        spec.name
                    ),
                ));
            }
        }
        match (self.body, body) {
            (BodyKind::None, Some(body)) if !body.is_empty() => Err(Error::input(
                InputErrorKind::InvalidBody,
                format!("operation '{}' takes no body", self.id),
            )),
            (BodyKind::Json | BodyKind::Text, None) if self.body_required => Err(Error::input(
                InputErrorKind::InvalidBody,
                format!(
                    "operation '{}' needs a {} body",
                    self.id,
                    self.body.as_str()
                ),
            )),
            (_, Some(body)) => Ok(request.with_body(body)),
            (_, None) => Ok(request),
        }
    }

    /// The request from a JSON object of parameters, as the JS bindings and the
    /// command line receive them: parameters by documented name (strings,
    /// numbers or booleans; `null` means absent) and the request body under
    /// `body` (any JSON value for JSON operations, a string for text ones).
    ///
    /// ```
    /// use serde_json::json;
    ///
    /// let op = zephr_admin::catalogue::find_operation("listAccounts").unwrap();
    /// let request = op.request_from_json(&json!({"page": 2, "rpp": 50}))?;
    /// assert_eq!(request.query_value("rpp"), Some("50"));
    /// # Ok::<(), zephr_admin::Error>(())
    /// ```
    pub fn request_from_json(&self, params: &Value) -> Result<Request, Error> {
        let empty = Map::new();
        let object = match params {
            Value::Object(map) => map,
            Value::Null => &empty,
            _ => {
                return Err(Error::input(
                    InputErrorKind::InvalidParam,
                    "the parameters must be an object",
                ));
            }
        };
        let mut texts: Vec<(&str, String)> = Vec::with_capacity(object.len());
        let mut body = None;
        for (name, value) in object {
            if name == "body" {
                body = self.body_from_json(value)?;
                continue;
            }
            // Unknown names (no type) are refused by `request`, which names them.
            let ty = self.params.iter().find(|p| p.accepts(name)).map(|p| p.ty);
            let text = match (ty, value) {
                (_, Value::Null) => continue,
                (_, Value::String(s)) => s.clone(),
                (Some(ParamType::Integer), Value::Number(n)) if n.is_i64() || n.is_u64() => {
                    number_text(n)
                }
                (Some(ParamType::Number) | None, Value::Number(n)) => number_text(n),
                (Some(ParamType::Boolean) | None, Value::Bool(b)) => b.to_string(),
                (Some(ty), _) => return Err(self.wrong_type(name, ty)),
                (None, _) => String::new(),
            };
            texts.push((name, text));
        }
        self.request(texts.iter().map(|(n, v)| (*n, v.as_str())), body)
    }

    fn wrong_type(&self, name: &str, ty: ParamType) -> Error {
        let expected = match ty {
            ParamType::String => "a string",
            ParamType::Integer => "a whole number (or a string of decimal digits)",
            ParamType::Number => "a finite number (or a decimal number string)",
            ParamType::Boolean => "true or false",
        };
        Error::input(
            InputErrorKind::InvalidParam,
            format!(
                "operation '{}': the parameter '{name}' is {} and must be {expected}",
                self.id,
                ty.as_str()
            ),
        )
    }

    fn body_from_json(&self, value: &Value) -> Result<Option<Body>, Error> {
        match (self.body, value) {
            (_, Value::Null) => Ok(None),
            (BodyKind::Text, Value::String(text)) => {
                Ok(Some(Body::raw(text.as_bytes(), self.body_media)))
            }
            (BodyKind::Text, _) => Err(Error::input(
                InputErrorKind::InvalidBody,
                format!("operation '{}' takes a text body: give a string", self.id),
            )),
            (BodyKind::Json, Value::Object(members)) if members.contains_key(EXTRA) => {
                Body::json(&self.merge_extra(members)?).map(Some)
            }
            (BodyKind::Json, value) => Body::json(value).map(Some),
            (BodyKind::None, _) => Err(Error::input(
                InputErrorKind::InvalidBody,
                format!("operation '{}' takes no body", self.id),
            )),
        }
    }

    /// The body from text as given on a command line: raw text for text
    /// operations (sent with their documented media type), checked JSON text
    /// otherwise.
    ///
    /// ```
    /// use zephr_admin::catalogue::find_operation;
    ///
    /// let create = find_operation("createUser").unwrap();
    /// assert_eq!(create.body_from_text(r#"{"a":1}"#)?.content_type(), Some("application/json"));
    /// assert_eq!(create.body_from_text("{oops").unwrap_err().code(), "invalid_body");
    /// # Ok::<(), zephr_admin::Error>(())
    /// ```
    pub fn body_from_text(&self, text: impl Into<String>) -> Result<Body, Error> {
        match self.body {
            BodyKind::Text => Ok(Body::raw(text.into(), self.body_media)),
            _ => Body::json_text(text),
        }
    }

    /// A body object with the members of its `extra` object moved to the top
    /// level: the one escape hatch for fields the reference does not document.
    fn merge_extra(&self, members: &Map<String, Value>) -> Result<Value, Error> {
        let mut merged = members.clone();
        let extra = match merged.remove(EXTRA) {
            Some(Value::Object(extra)) => extra,
            Some(Value::Null) | None => Map::new(),
            Some(_) => {
                return Err(Error::input(
                    InputErrorKind::InvalidBody,
                    format!(
                        "operation '{}': the body's `extra` must be an object",
                        self.id
                    ),
                ));
            }
        };
        for (name, value) in extra {
            if merged.contains_key(&name) {
                return Err(Error::input(
                    InputErrorKind::InvalidBody,
                    format!(
                        "operation '{}': the body field '{name}' is given both directly and in `extra`",
                        self.id
                    ),
                ));
            }
            merged.insert(name, value);
        }
        Ok(Value::Object(merged))
    }

    /// The documented parameter names, comma-separated.
    ///
    /// ```
    /// let op = zephr_admin::catalogue::find_operation("listAccountUsers").unwrap();
    /// assert_eq!(op.param_names(), "account_id");
    /// ```
    pub fn param_names(&self) -> String {
        let names: Vec<&str> = self.params.iter().map(|p| p.name).collect();
        if names.is_empty() {
            "none".to_owned()
        } else {
            names.join(", ")
        }
    }
}

/// A number parameter as text: integers exactly; other numbers as JSON writes
/// them (not through float `Display`, which would weigh on the wasm module).
fn number_text(n: &serde_json::Number) -> String {
    match (n.as_u64(), n.as_i64()) {
        (Some(u), _) => u.to_string(),
        (None, Some(i)) => i.to_string(),
        _ => serde_json::to_string(n).unwrap_or_default(),
    }
}

/// A typed operation: a request type generated for every catalogue entry.
///
/// ```
/// use zephr_admin::operations::account_user::ListAccountUsers;
/// use zephr_admin::catalogue::Operation;
/// use zephr_admin::{BaseUrl, Client, Credentials, Env, Response};
///
/// let client = Client::new(Credentials::new("ak", "sk")?, BaseUrl::tenant("news")?);
/// let op = ListAccountUsers { account_id: "acc-1".into() };
/// let prepared = client.prepare_operation(&op, &Env::new(1_700_000_000_000, "n"))?;
/// assert_eq!(prepared.url, "https://news.api.zephr.com/v3/accounts/acc-1/users");
///
/// let response = Response::new(200, vec![], r#"[{"user_id":"u1","account_id":"acc-1"}]"#);
/// let users = ListAccountUsers::parse_response(&response)?;
/// assert_eq!(users.items[0].user_id.as_deref(), Some("u1"));
/// # Ok::<(), zephr_admin::Error>(())
/// ```
///
/// A request type serialises to exactly the parameters object the registry
/// takes (documented names, the body under `body`), so every typed request is
/// built by the one [`OperationSpec::request_from_json`].
pub trait Operation: serde::Serialize {
    /// The decoded 2xx answer.
    type Output: serde::de::DeserializeOwned;

    /// The catalogue entry.
    fn spec() -> &'static OperationSpec;

    /// The unsigned request.
    fn to_request(&self) -> Result<Request, Error> {
        let params = serde_json::to_value(self)
            .map_err(|e| Error::input(InputErrorKind::InvalidBody, e.to_string()))?;
        Self::spec().request_from_json(&params)
    }

    /// Decodes a response: the typed answer, or a typed error.
    fn parse_response(response: &Response) -> Result<Self::Output, Error> {
        response.decode()
    }
}

impl Client {
    /// Checks, encodes and signs a typed operation (see the example on
    /// [`Operation`]).
    pub fn prepare_operation<O: Operation>(
        &self,
        operation: &O,
        env: &Env,
    ) -> Result<PreparedRequest, Error> {
        self.prepare(&operation.to_request()?, env)
    }
}

//! The in-memory state of the core resources: users, accounts and their
//! members, user and account grants, products and entitlements.
//!
//! Where the reference documents an answer, its shape is kept (for example
//! `{"data": user}` for a created user, `{"results": [...], "total": n}` for
//! accounts). Where it documents none, creates answer with the created
//! resource (so a client learns its id) and deletes with an empty 200.

use serde_json::{Map, Value, json};
use zephr_admin::catalogue::OperationSpec;

use crate::reply::Reply;
use crate::util::{Rng, format_datetime, is_datetime};

/// The tenant id the emulator reports.
pub(crate) const TENANT: &str = "emulator";

/// Default and largest `rpp` of paged lists.
const DEFAULT_RPP: usize = 10;
const MAX_RPP: usize = 1000;

/// What a handler sees of one request.
pub(crate) struct Call<'a> {
    pub op: &'a OperationSpec,
    /// The status the reference documents for success.
    pub status: u16,
    pub params: &'a [(&'static str, String)],
    pub query: &'a [(String, String)],
    pub body: Option<&'a Value>,
    /// `http://host:port`, for the `uri` members of product answers.
    pub origin: &'a str,
    pub now_ms: u64,
}

impl Call<'_> {
    fn path(&self, name: &str) -> &str {
        self.params
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("", |(_, v)| v.as_str())
    }

    fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as an object, or a 400.
    fn object(&self) -> Result<&Map<String, Value>, Reply> {
        self.body
            .and_then(Value::as_object)
            .ok_or_else(|| Reply::bad_request("the request body must be a JSON object"))
    }
}

#[derive(Debug, Clone)]
struct User {
    id: String,
    identifiers: Map<String, Value>,
    attributes: Map<String, Value>,
    foreign_keys: Map<String, Value>,
    email_verified: bool,
}

impl User {
    fn json(&self) -> Value {
        let mut user = json!({
            "user_id": self.id,
            "identifiers": self.identifiers,
            "attributes": self.attributes,
            "email_verified": self.email_verified,
        });
        if !self.foreign_keys.is_empty()
            && let Some(map) = user.as_object_mut()
        {
            map.insert(
                "foreign_keys".into(),
                Value::Object(self.foreign_keys.clone()),
            );
        }
        user
    }
}

#[derive(Debug, Clone)]
struct Account {
    id: String,
    fields: Map<String, Value>,
}

impl Account {
    fn json(&self) -> Value {
        let mut map = self.fields.clone();
        map.insert("account_id".into(), json!(self.id));
        map.insert("tenant_id".into(), json!(TENANT));
        Value::Object(map)
    }

    fn name(&self) -> &str {
        self.fields
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Owner {
    User(String),
    Account(String),
}

#[derive(Debug, Clone)]
struct Grant {
    id: String,
    owner: Owner,
    entitlement_type: String,
    entitlement_id: String,
    product_id: Option<String>,
    start: String,
    end: Option<String>,
    created: String,
}

impl Grant {
    fn state(&self, now: &str) -> &'static str {
        if self.start.as_str() > now {
            "pending"
        } else if self.end.as_deref().is_some_and(|end| end < now) {
            "expired"
        } else {
            "active"
        }
    }

    /// User grants as `listUserGrants` documents them.
    fn user_json(&self, now: &str) -> Value {
        let user_id = match &self.owner {
            Owner::User(id) => id.as_str(),
            Owner::Account(_) => "",
        };
        json!({
            "grant_id": self.id,
            "user_id": user_id,
            "entitlement_type": self.entitlement_type,
            "entitlement_id": self.entitlement_id,
            "expiry_state": self.state(now),
            "startTime": self.start,
            "endTime": self.end,
            "created_at": self.created,
            "product_id": self.product_id,
        })
    }

    /// Account grants as `listAccountGrants` documents them.
    fn account_json(&self, now: &str) -> Value {
        let account_id = match &self.owner {
            Owner::Account(id) => id.as_str(),
            Owner::User(_) => "",
        };
        json!({
            "grantId": self.id,
            "account_id": account_id,
            "entitlement_type": self.entitlement_type,
            "entitlement_id": self.entitlement_id,
            "expiry_state": self.state(now),
            "startTime": self.start,
            "endTime": self.end,
            "createdAt": self.created,
            "product_id": self.product_id,
        })
    }
}

#[derive(Debug, Clone)]
struct Record {
    id: String,
    fields: Map<String, Value>,
}

/// Every stateful resource.
#[derive(Debug)]
pub(crate) struct Store {
    users: Vec<User>,
    accounts: Vec<Account>,
    /// (account id, user id)
    members: Vec<(String, String)>,
    grants: Vec<Grant>,
    products: Vec<Record>,
    entitlements: Vec<Record>,
    rng: Rng,
}

type Handled = Result<Reply, Reply>;

impl Store {
    pub fn new() -> Self {
        Store {
            users: Vec::new(),
            accounts: Vec::new(),
            members: Vec::new(),
            grants: Vec::new(),
            products: Vec::new(),
            entitlements: Vec::new(),
            rng: Rng::from_entropy(),
        }
    }

    /// The answer of a stateful operation, or `None` for the operations that
    /// answer with their documented sample.
    pub fn handle(&mut self, call: &Call<'_>) -> Option<Reply> {
        let result = match call.op.id {
            "createUser" => self.create_user(call),
            "listUsers" => Ok(self.list_users(call)),
            "getUser" => self.user(call.path("user_id")).map(|u| ok(call, &u.json())),
            "deleteUser" => self.delete_user(call),
            "updateUserAttribute" | "replaceUserAttributes" => self.update_attributes(call),
            "listUserAccounts" => self.user_accounts(call),
            "listUserSessions" => self.user_sessions(call),
            "createAccount" => self.create_account(call),
            "listAccounts" => self.list_accounts(call),
            "getAccount" => self.account(call.path("id")).map(|a| ok(call, &a.json())),
            "updateAccount" => self.update_account(call),
            "deleteAccount" => self.delete_account(call),
            "listAccountUsers" => self.account_users(call),
            "retrieveAccountUser" => self.account_user(call),
            "saveAccountUser" => self.save_account_user(call),
            "deleteAccountUser" => self.delete_account_user(call),
            "createGrants" | "createGrant" => self.create_grant(call, self.user_owner(call)),
            "listUserGrants" => self.list_grants(call, self.user_owner(call)),
            "getAccountGrant" => self.get_grant(call, self.user_owner(call)),
            "deleteUserGrant" => self.delete_grant(call, self.user_owner(call)),
            "createAccountGrant" | "createAccountGrantV4" => {
                self.create_grant(call, self.account_owner(call))
            }
            "listAccountGrants" => self.list_grants(call, self.account_owner(call)),
            "getUserGrant" => self.get_grant(call, self.account_owner(call)),
            "deleteAccountGrantById" | "deleteAccountGrant" => {
                self.delete_grant(call, self.account_owner(call))
            }
            "saveProduct" | "saveProducts" => self.save_product(call),
            "listProducts" => Ok(list(call, &self.products, product_json)),
            "getProduct" => {
                find(&self.products, call.path("id"), "product").map(|p| ok(call, &product_json(p)))
            }
            "deleteProduct" => remove(&mut self.products, call.path("id"), "product"),
            "createEntitlements" | "createEntitlement" => self.save_entitlement(call),
            "listEntitlements" => Ok(list(call, &self.entitlements, entitlement_json)),
            "getEntitlement" => find(&self.entitlements, call.path("id"), "entitlement")
                .map(|e| ok(call, &entitlement_json(e))),
            "deleteEntitlement" => remove(&mut self.entitlements, call.path("id"), "entitlement"),
            _ => return None,
        };
        Some(result.unwrap_or_else(|reply| reply))
    }

    // ----- users -------------------------------------------------------

    /// A user as JSON, for webhook details.
    pub fn user_json(&self, id: &str) -> Option<Value> {
        self.users.iter().find(|u| u.id == id).map(User::json)
    }

    fn user(&self, id: &str) -> Result<&User, Reply> {
        self.users
            .iter()
            .find(|u| u.id == id)
            .ok_or_else(|| Reply::not_found(format!("no user has the id '{id}'")))
    }

    fn create_user(&mut self, call: &Call<'_>) -> Handled {
        let body = call.object()?;
        let identifiers = string_map(body.get("identifiers"), "identifiers")?;
        if identifiers.is_empty() {
            return Err(Reply::bad_request(
                "a user needs at least one identifier, e.g. {\"identifiers\": {\"email_address\": \"...\"}}",
            ));
        }
        let mut attributes = match body.get("attributes") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(map)) => map.clone(),
            Some(_) => return Err(Reply::bad_request("'attributes' must be an object")),
        };
        let foreign_keys = string_map(body.get("foreign_keys"), "foreign_keys")?;
        let email_verified = body
            .get("email_verified")
            .and_then(Value::as_bool)
            .or_else(|| {
                attributes
                    .remove("email_verified")
                    .and_then(|v| v.as_bool())
            })
            .unwrap_or(false);
        for (name, value) in &identifiers {
            if self
                .users
                .iter()
                .any(|u| u.identifiers.get(name) == Some(value))
            {
                return Err(Reply::conflict(format!(
                    "a user with this identifier '{name}' already exists"
                )));
            }
        }
        let id = match body.get("user_id").and_then(Value::as_str) {
            Some(id) if !id.is_empty() => {
                if self.users.iter().any(|u| u.id == id) {
                    return Err(Reply::conflict(format!("the user id '{id}' is taken")));
                }
                id.to_owned()
            }
            _ => self.rng.uuid(),
        };
        let user = User {
            id,
            identifiers,
            attributes,
            foreign_keys,
            email_verified,
        };
        let reply = ok(call, &json!({"data": user.json()}));
        self.users.push(user);
        Ok(reply)
    }

    fn list_users(&self, call: &Call<'_>) -> Reply {
        let matches = |user: &User| {
            call.query.iter().all(|(name, value)| {
                if let Some(key) = name.strip_prefix("identifiers.") {
                    user.identifiers.get(key).and_then(Value::as_str) == Some(value.as_str())
                } else if let Some(system) = name.strip_prefix("foreign_key.") {
                    user.foreign_keys.get(system).and_then(Value::as_str) == Some(value.as_str())
                } else if name == "search" {
                    contains_text(&user.identifiers, value)
                        || contains_text(&user.attributes, value)
                } else if name == "search_by_attributes" {
                    contains_text(&user.attributes, value)
                } else {
                    true
                }
            })
        };
        let results: Vec<Value> = self
            .users
            .iter()
            .filter(|u| matches(u))
            .map(User::json)
            .collect();
        ok(call, &json!({"results": results}))
    }

    fn delete_user(&mut self, call: &Call<'_>) -> Handled {
        let id = call.path("user_id");
        self.user(id)?;
        self.users.retain(|u| u.id != id);
        self.members.retain(|(_, user)| user != id);
        self.grants
            .retain(|g| g.owner != Owner::User(id.to_owned()));
        Ok(Reply::empty(call.status))
    }

    fn update_attributes(&mut self, call: &Call<'_>) -> Handled {
        let id = call.path("user_id").to_owned();
        let attributes = call.object()?.clone();
        let replace = call.op.id == "replaceUserAttributes";
        let user = self
            .users
            .iter_mut()
            .find(|u| u.id == id)
            .ok_or_else(|| Reply::not_found(format!("no user has the id '{id}'")))?;
        if replace {
            user.attributes = attributes
                .into_iter()
                .filter(|(_, v)| !v.is_null())
                .collect();
        } else {
            for (name, value) in attributes {
                if value.is_null() {
                    user.attributes.remove(&name);
                } else {
                    user.attributes.insert(name, value);
                }
            }
        }
        Ok(Reply::empty(call.status))
    }

    fn user_accounts(&self, call: &Call<'_>) -> Handled {
        let id = call.path("user_id");
        self.user(id)?;
        let results: Vec<Value> = self
            .members
            .iter()
            .filter(|(_, user)| user == id)
            .map(|(account, user)| json!({"user_id": user, "account_id": account}))
            .collect();
        Ok(ok(call, &json!({"results": results})))
    }

    fn user_sessions(&self, call: &Call<'_>) -> Handled {
        let id = call.path("user_id");
        self.user(id)?;
        let now = format_datetime(call.now_ms);
        let delivered: Vec<&str> = self
            .grants
            .iter()
            .filter(|g| g.owner == Owner::User(id.to_owned()) && g.state(&now) == "active")
            .map(|g| g.entitlement_id.as_str())
            .collect();
        Ok(ok(
            call,
            &json!({
                "session_variables": {},
                "user_id": id,
                "sessions": [],
                "access_model": {"meters": [], "credits": [], "delivered_entitlements": delivered},
            }),
        ))
    }

    // ----- accounts ----------------------------------------------------

    fn account(&self, id: &str) -> Result<&Account, Reply> {
        self.accounts
            .iter()
            .find(|a| a.id == id)
            .ok_or_else(|| Reply::not_found(format!("no account has the id '{id}'")))
    }

    fn account_fields(call: &Call<'_>) -> Result<Map<String, Value>, Reply> {
        let mut fields = call.object()?.clone();
        match fields.get("name").and_then(Value::as_str) {
            Some(name) if !name.trim().is_empty() => {}
            _ => return Err(Reply::bad_request("an account needs a non-empty 'name'")),
        }
        if fields
            .get("number_of_seats")
            .is_some_and(|n| !n.is_null() && n.as_u64().is_none())
        {
            return Err(Reply::bad_request(
                "'number_of_seats' must be a whole number",
            ));
        }
        fields.remove("account_id");
        fields.remove("tenant_id");
        Ok(fields)
    }

    fn create_account(&mut self, call: &Call<'_>) -> Handled {
        let fields = Self::account_fields(call)?;
        let account = Account {
            id: self.rng.uuid(),
            fields,
        };
        let reply = ok(call, &account.json());
        self.accounts.push(account);
        Ok(reply)
    }

    fn list_accounts(&self, call: &Call<'_>) -> Handled {
        let search = call.query("search").map(str::to_lowercase);
        let matching: Vec<&Account> = self
            .accounts
            .iter()
            .filter(|a| {
                search
                    .as_deref()
                    .is_none_or(|s| a.name().to_lowercase().contains(s))
            })
            .collect();
        let (page, rpp) = paging(call)?;
        let results: Vec<Value> = matching
            .iter()
            .skip(page.saturating_sub(1).saturating_mul(rpp))
            .take(rpp)
            .map(|a| a.json())
            .collect();
        Ok(ok(
            call,
            &json!({"results": results, "total": matching.len()}),
        ))
    }

    fn update_account(&mut self, call: &Call<'_>) -> Handled {
        let fields = Self::account_fields(call)?;
        let id = call.path("id");
        let account = self
            .accounts
            .iter_mut()
            .find(|a| a.id == id)
            .ok_or_else(|| Reply::not_found(format!("no account has the id '{id}'")))?;
        account.fields = fields;
        Ok(ok(call, &account.json()))
    }

    fn delete_account(&mut self, call: &Call<'_>) -> Handled {
        let id = call.path("id");
        self.account(id)?;
        self.accounts.retain(|a| a.id != id);
        self.members.retain(|(account, _)| account != id);
        self.grants
            .retain(|g| g.owner != Owner::Account(id.to_owned()));
        Ok(Reply::empty(call.status))
    }

    // ----- account users -----------------------------------------------

    fn account_users(&self, call: &Call<'_>) -> Handled {
        let id = call.path("account_id");
        self.account(id)?;
        let users: Vec<Value> = self
            .members
            .iter()
            .filter(|(account, _)| account == id)
            .map(|(account, user)| json!({"user_id": user, "account_id": account}))
            .collect();
        Ok(ok(call, &Value::Array(users)))
    }

    fn is_member(&self, account: &str, user: &str) -> bool {
        self.members.iter().any(|(a, u)| a == account && u == user)
    }

    fn account_user(&self, call: &Call<'_>) -> Handled {
        let (account, user) = (call.path("account_id"), call.path("user_id"));
        self.account(account)?;
        if !self.is_member(account, user) {
            return Err(Reply::not_found(format!(
                "the user '{user}' is not a member of the account '{account}'"
            )));
        }
        Ok(ok(call, &json!({"user_id": user, "account_id": account})))
    }

    fn save_account_user(&mut self, call: &Call<'_>) -> Handled {
        let (account_id, user_id) = (call.path("account_id"), call.path("user_id"));
        let account = self.account(account_id)?;
        self.user(user_id)?;
        let membership = json!({"user_id": user_id, "account_id": account_id});
        if self.is_member(account_id, user_id) {
            return Ok(Reply::json(200, &membership));
        }
        let seats = account
            .fields
            .get("number_of_seats")
            .and_then(Value::as_u64);
        let oversubscribe = account
            .fields
            .get("allow_oversubscription")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let used = self.members.iter().filter(|(a, _)| a == account_id).count();
        if let Some(seats) = seats
            && !oversubscribe
            && used as u64 >= seats
        {
            return Err(Reply::conflict(format!(
                "the account '{account_id}' has no free seat ({used} of {seats} used) and does not allow oversubscription"
            )));
        }
        self.members
            .push((account_id.to_owned(), user_id.to_owned()));
        Ok(Reply::json(201, &membership))
    }

    fn delete_account_user(&mut self, call: &Call<'_>) -> Handled {
        let (account, user) = (call.path("account_id"), call.path("user_id"));
        self.account_user(call)?;
        self.members.retain(|(a, u)| !(a == account && u == user));
        Ok(Reply::empty(call.status))
    }

    // ----- grants ------------------------------------------------------

    fn user_owner(&self, call: &Call<'_>) -> Result<Owner, Reply> {
        let id = call.path("userId");
        self.user(id).map(|_| Owner::User(id.to_owned()))
    }

    fn account_owner(&self, call: &Call<'_>) -> Result<Owner, Reply> {
        let id = call.path("accountId");
        self.account(id).map(|_| Owner::Account(id.to_owned()))
    }

    fn grant_json(grant: &Grant, now: &str) -> Value {
        match grant.owner {
            Owner::User(_) => grant.user_json(now),
            Owner::Account(_) => grant.account_json(now),
        }
    }

    fn create_grant(&mut self, call: &Call<'_>, owner: Result<Owner, Reply>) -> Handled {
        let owner = owner?;
        let body = call.object()?;
        let text = |name: &str| -> Result<Option<String>, Reply> {
            match body.get(name) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) if !s.is_empty() => Ok(Some(s.clone())),
                Some(_) => Err(Reply::bad_request(format!(
                    "'{name}' must be a non-empty string"
                ))),
            }
        };
        let product_id = text("product_id")?;
        let mut entitlement_type = text("entitlement_type")?;
        let mut entitlement_id = text("entitlement_id")?;
        if let Some(product_id) = &product_id {
            let product = find(&self.products, product_id, "product")
                .map_err(|_| Reply::bad_request(format!("no product has the id '{product_id}'")))?;
            let entitlement = product.fields.get("entitlement");
            let from_product = |key: &str| {
                entitlement
                    .and_then(|e| e.get(key))
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            };
            entitlement_id = entitlement_id.or_else(|| from_product("id"));
            entitlement_type = entitlement_type.or_else(|| from_product("type"));
        }
        let Some(entitlement_id) = entitlement_id else {
            return Err(Reply::bad_request(
                "a grant needs an 'entitlement_id' or the 'product_id' of a product with an entitlement",
            ));
        };
        let now = format_datetime(call.now_ms);
        let start = text("startTime")?.unwrap_or_else(|| now.clone());
        let end = text("endTime")?;
        for date in std::iter::once(&start).chain(end.as_ref()) {
            if !is_datetime(date) {
                return Err(Reply::bad_request(format!(
                    "'{date}' is not a date as 'YYYY-MM-DD HH:MM:SS'"
                )));
            }
        }
        if end.as_ref().is_some_and(|end| *end < start) {
            return Err(Reply::bad_request("'endTime' is before 'startTime'"));
        }
        let id = match call.path("grantId") {
            "" => self.rng.uuid(),
            given => given.to_owned(),
        };
        if self.grants.iter().any(|g| g.id == id) {
            return Err(Reply::conflict(format!("the grant id '{id}' is taken")));
        }
        let duplicate = self.grants.iter().any(|g| {
            g.owner == owner
                && g.entitlement_id == entitlement_id
                && g.product_id == product_id
                && g.state(&now) != "expired"
        });
        if duplicate {
            return Err(Reply::conflict(
                "an active or pending grant of this entitlement already exists",
            ));
        }
        let grant = Grant {
            id,
            owner,
            entitlement_type: entitlement_type.unwrap_or_else(|| "bundle".to_owned()),
            entitlement_id,
            product_id,
            start,
            end,
            created: now.clone(),
        };
        let reply = ok(call, &Self::grant_json(&grant, &now));
        self.grants.push(grant);
        Ok(reply)
    }

    fn list_grants(&self, call: &Call<'_>, owner: Result<Owner, Reply>) -> Handled {
        let owner = owner?;
        let now = format_datetime(call.now_ms);
        let active = match call.query("active") {
            None => None,
            Some("true") => Some(true),
            Some("false") => Some(false),
            Some(other) => {
                return Err(Reply::bad_request(format!(
                    "'active' must be true or false, not '{}'",
                    other.chars().take(40).collect::<String>()
                )));
            }
        };
        let grants: Vec<Value> = self
            .grants
            .iter()
            .filter(|g| g.owner == owner)
            .filter(|g| active.is_none_or(|want| (g.state(&now) == "active") == want))
            .map(|g| Self::grant_json(g, &now))
            .collect();
        Ok(match owner {
            Owner::User(_) => ok(call, &json!({"results": grants})),
            Owner::Account(_) => ok(call, &Value::Array(grants)),
        })
    }

    fn find_grant(&self, call: &Call<'_>, owner: &Owner) -> Result<&Grant, Reply> {
        let id = call.path("grantId");
        self.grants
            .iter()
            .find(|g| g.id == id && g.owner == *owner)
            .ok_or_else(|| Reply::not_found(format!("no grant has the id '{id}' here")))
    }

    fn get_grant(&self, call: &Call<'_>, owner: Result<Owner, Reply>) -> Handled {
        let owner = owner?;
        let now = format_datetime(call.now_ms);
        self.find_grant(call, &owner)
            .map(|g| ok(call, &Self::grant_json(g, &now)))
    }

    fn delete_grant(&mut self, call: &Call<'_>, owner: Result<Owner, Reply>) -> Handled {
        let owner = owner?;
        let id = self.find_grant(call, &owner)?.id.clone();
        self.grants.retain(|g| g.id != id);
        Ok(Reply::empty(call.status))
    }

    // ----- products and entitlements -----------------------------------

    fn save_product(&mut self, call: &Call<'_>) -> Handled {
        let mut fields = call.object()?.clone();
        if !has_text(&fields, "label") {
            return Err(Reply::bad_request("a product needs a non-empty 'label'"));
        }
        let given = fields.remove("id");
        let id = match (call.path("id"), given.as_ref().and_then(Value::as_str)) {
            ("", Some(id)) if !id.is_empty() => id.to_owned(),
            ("", _) => self.rng.uuid(),
            (path, _) => path.to_owned(),
        };
        let uri = format!("{}/v3/products/{id}", call.origin);
        let existing = self.products.iter_mut().find(|p| p.id == id);
        match (call.op.id, existing) {
            ("saveProduct", Some(_)) => Err(Reply::conflict(format!(
                "a product with the id '{id}' already exists"
            ))),
            (_, Some(product)) => {
                product.fields = fields;
                Ok(Reply::json(
                    200,
                    &json!({"message": "Product updated successfully", "uri": uri, "id": id}),
                ))
            }
            (_, None) => {
                self.products.push(Record {
                    id: id.clone(),
                    fields,
                });
                Ok(Reply::json(
                    201,
                    &json!({"message": "Product created successfully", "uri": uri, "id": id}),
                ))
            }
        }
    }

    fn save_entitlement(&mut self, call: &Call<'_>) -> Handled {
        let mut fields = call.object()?.clone();
        if !has_text(&fields, "label") {
            return Err(Reply::bad_request(
                "an entitlement needs a non-empty 'label'",
            ));
        }
        fields.remove("id");
        let id = match call.path("id") {
            "" => self.rng.uuid(),
            given => given.to_owned(),
        };
        let record = Record { id, fields };
        let reply = ok(call, &entitlement_json(&record));
        match self.entitlements.iter_mut().find(|e| e.id == record.id) {
            Some(existing) => *existing = record,
            None => self.entitlements.push(record),
        }
        Ok(reply)
    }
}

/// The documented success status with a JSON body.
fn ok(call: &Call<'_>, value: &Value) -> Reply {
    Reply::json(call.status, value)
}

fn product_json(record: &Record) -> Value {
    let mut map = Map::new();
    map.insert("tenantId".into(), json!(TENANT));
    map.insert("subTenantId".into(), json!(format!("{TENANT}|default")));
    map.insert("id".into(), json!(record.id));
    map.extend(record.fields.clone());
    Value::Object(map)
}

fn entitlement_json(record: &Record) -> Value {
    let mut map = Map::new();
    map.insert("id".into(), json!(record.id));
    map.extend(record.fields.clone());
    Value::Object(map)
}

fn list(call: &Call<'_>, records: &[Record], to_json: fn(&Record) -> Value) -> Reply {
    let results: Vec<Value> = records.iter().map(to_json).collect();
    ok(call, &json!({"results": results}))
}

fn find<'a>(records: &'a [Record], id: &str, what: &str) -> Result<&'a Record, Reply> {
    records
        .iter()
        .find(|r| r.id == id)
        .ok_or_else(|| Reply::not_found(format!("no {what} has the id '{id}'")))
}

fn remove(records: &mut Vec<Record>, id: &str, what: &str) -> Handled {
    find(records, id, what)?;
    records.retain(|r| r.id != id);
    Ok(Reply::empty(200))
}

/// `page` (from 1) and `rpp` of a paged list, already checked to be numbers.
fn paging(call: &Call<'_>) -> Result<(usize, usize), Reply> {
    let number = |name: &str, default: usize| {
        call.query(name)
            .map_or(Some(default), |v| v.parse::<usize>().ok())
            .filter(|n| *n >= 1)
    };
    let page = number("page", 1)
        .ok_or_else(|| Reply::bad_request("'page' must be a whole number from 1"))?;
    let rpp = number("rpp", DEFAULT_RPP)
        .filter(|n| *n <= MAX_RPP)
        .ok_or_else(|| Reply::bad_request(format!("'rpp' must be from 1 to {MAX_RPP}")))?;
    Ok((page, rpp))
}

/// An object of string values (identifiers, foreign keys); absent is empty.
fn string_map(value: Option<&Value>, what: &str) -> Result<Map<String, Value>, Reply> {
    match value {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(map)) if map.values().all(Value::is_string) => Ok(map.clone()),
        Some(_) => Err(Reply::bad_request(format!(
            "'{what}' must be an object of strings"
        ))),
    }
}

/// Whether any string value contains `needle` (case-insensitive).
fn contains_text(map: &Map<String, Value>, needle: &str) -> bool {
    let needle = needle.to_lowercase();
    map.values()
        .filter_map(Value::as_str)
        .any(|v| v.to_lowercase().contains(&needle))
}

/// Whether `name` is a string with something besides spaces.
fn has_text(fields: &Map<String, Value>, name: &str) -> bool {
    fields
        .get(name)
        .and_then(Value::as_str)
        .is_some_and(|text| !text.trim().is_empty())
}

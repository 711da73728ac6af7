//! Code generated from `spec/zephr-admin-api.json` by `zephr-codegen`.

pub mod operations;
pub(crate) mod registry;

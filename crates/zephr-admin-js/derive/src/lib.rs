//! `#[derive(Ts)]`: the TypeScript declaration of a message type, read from
//! the type and its serde attributes, so the declarations cannot drift from
//! what serde writes and reads.
//!
//! Understood: `rename_all`, `rename`, `tag`, `untagged`, `default` (on the
//! container or a field), `skip_serializing_if` (both make a member
//! optional: `name?: T`, an `Option<T>` losing its `| null`), `skip`, and
//! doc comments (they become JSDoc). `#[ts(type = "...")]` on a field gives
//! its TypeScript type by hand (for codes whose union is generated from the
//! core's lists). Anything else serde would change (`flatten`, adjacent
//! tagging, `with`) is a compile error, not a silently wrong declaration;
//! so is a generic parameter anywhere but as a whole field type.
//!
//! The generated code implements `zephr_admin_js::ts::Ts`; the helpers it
//! calls live there.

use proc_macro::TokenStream;
use proc_macro2::TokenStream as Tokens;
use quote::quote;
use syn::{
    Attribute, Data, DeriveInput, Error, Expr, ExprLit, Fields, GenericArgument, Lit, LitStr,
    PathArguments, Type, parse_macro_input, spanned::Spanned,
};

/// Derives `zephr_admin_js::ts::Ts` from the type and its serde attributes.
#[proc_macro_derive(Ts, attributes(ts))]
pub fn derive_ts(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand(&input)
        .unwrap_or_else(Error::into_compile_error)
        .into()
}

/// The serde and ts attributes the declaration depends on.
#[derive(Default)]
struct Attrs {
    rename: Option<String>,
    rename_all: Option<String>,
    tag: Option<String>,
    untagged: bool,
    default: bool,
    skip_serializing_if: bool,
    skip: bool,
    ts_type: Option<String>,
    docs: Vec<String>,
}

fn attrs(list: &[Attribute]) -> syn::Result<Attrs> {
    let mut out = Attrs::default();
    for attr in list {
        if attr.path().is_ident("doc") {
            if let syn::Meta::NameValue(nv) = &attr.meta
                && let Expr::Lit(ExprLit {
                    lit: Lit::Str(s), ..
                }) = &nv.value
            {
                out.docs.push(s.value().trim().to_owned());
            }
        } else if attr.path().is_ident("serde") {
            attr.parse_nested_meta(|meta| {
                let name = meta
                    .path
                    .get_ident()
                    .map(ToString::to_string)
                    .unwrap_or_default();
                match name.as_str() {
                    "rename" => out.rename = Some(meta.value()?.parse::<LitStr>()?.value()),
                    "rename_all" => {
                        out.rename_all = Some(meta.value()?.parse::<LitStr>()?.value())
                    }
                    "tag" => out.tag = Some(meta.value()?.parse::<LitStr>()?.value()),
                    "untagged" => out.untagged = true,
                    "default" => {
                        out.default = true;
                        if meta.input.peek(syn::Token![=]) {
                            meta.value()?.parse::<LitStr>()?;
                        }
                    }
                    "skip_serializing_if" => {
                        out.skip_serializing_if = true;
                        meta.value()?.parse::<LitStr>()?;
                    }
                    "skip" => out.skip = true,
                    "deny_unknown_fields" => {}
                    other => {
                        return Err(meta.error(format!(
                            "#[derive(Ts)] does not know how serde attribute `{other}` changes the shape"
                        )));
                    }
                }
                Ok(())
            })?;
        } else if attr.path().is_ident("ts") {
            attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("type") {
                    out.ts_type = Some(meta.value()?.parse::<LitStr>()?.value());
                    Ok(())
                } else {
                    Err(meta.error("expected #[ts(type = \"...\")]"))
                }
            })?;
        }
    }
    Ok(out)
}

/// A Rust identifier under a serde `rename_all` rule.
fn renamed(ident: &str, rule: Option<&str>, span: proc_macro2::Span) -> syn::Result<String> {
    let words: Vec<String> = if ident.contains('_') {
        ident.split('_').map(str::to_lowercase).collect()
    } else {
        // PascalCase variant names: split before each capital.
        let mut words = Vec::new();
        for c in ident.chars() {
            if c.is_uppercase() || words.is_empty() {
                words.push(String::new());
            }
            if let Some(word) = words.last_mut() {
                word.extend(c.to_lowercase());
            }
        }
        words
    };
    let capitalised = |w: &String| {
        let mut chars = w.chars();
        chars
            .next()
            .map(|c| c.to_uppercase().chain(chars).collect::<String>())
            .unwrap_or_default()
    };
    Ok(match rule {
        None => ident.to_owned(),
        Some("lowercase") => words.concat(),
        Some("snake_case") => words.join("_"),
        Some("SCREAMING_SNAKE_CASE") => words.join("_").to_uppercase(),
        Some("camelCase") => words
            .iter()
            .enumerate()
            .map(|(i, w)| if i == 0 { w.clone() } else { capitalised(w) })
            .collect(),
        Some("PascalCase") => words.iter().map(capitalised).collect(),
        Some(other) => {
            return Err(Error::new(
                span,
                format!("#[derive(Ts)]: unsupported rename_all rule {other:?}"),
            ));
        }
    })
}

/// JSDoc text of doc comments (one paragraph per line kept).
fn doc(docs: &[String]) -> String {
    docs.iter()
        .map(|line| line.replace("[`", "`").replace("`]", "`"))
        .collect::<Vec<_>>()
        .join(" ")
        .trim()
        .to_owned()
}

/// `Option<T>` -> `T`.
fn option_inner(ty: &Type) -> Option<&Type> {
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    if last.ident != "Option" {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first()? {
        GenericArgument::Type(inner) => Some(inner),
        _ => None,
    }
}

/// Code computing the TypeScript of a Rust type: a generic parameter is its
/// own name; anything else asks its `Ts` impl.
fn type_expr(ty: &Type, params: &[String]) -> syn::Result<Tokens> {
    if let Type::Path(path) = ty
        && let Some(ident) = path.path.get_ident()
        && params.contains(&ident.to_string())
    {
        let name = ident.to_string();
        return Ok(quote!(::std::string::String::from(#name)));
    }
    // Inside another type (`Option<T>`) a parameter would be declared as the type the
    // declaration was asked for, not as `T`: refuse it rather than declare it wrongly.
    let text = quote!(#ty).to_string();
    if text
        .split(|c: char| !c.is_alphanumeric() && c != '_')
        .any(|word| params.iter().any(|p| p == word))
    {
        return Err(Error::new(
            ty.span(),
            "#[derive(Ts)]: a type parameter may only be a whole field type",
        ));
    }
    Ok(quote!(<#ty as ::zephr_admin_js::ts::Ts>::ts_type()))
}

/// Code building the `Vec<Member>` of named fields.
fn members(
    fields: &syn::FieldsNamed,
    rule: Option<&str>,
    container_default: bool,
    params: &[String],
) -> syn::Result<Tokens> {
    let mut out = Vec::new();
    for field in &fields.named {
        let a = attrs(&field.attrs)?;
        if a.skip {
            continue;
        }
        let ident = field
            .ident
            .as_ref()
            .ok_or_else(|| Error::new(field.span(), "named field expected"))?;
        let name = match a.rename {
            Some(name) => name,
            None => renamed(&ident.to_string(), rule, ident.span())?,
        };
        let optional = a.skip_serializing_if || a.default || container_default;
        let ty = match (
            &a.ts_type,
            optional.then(|| option_inner(&field.ty)).flatten(),
        ) {
            (Some(text), _) => quote!(::std::string::String::from(#text)),
            (None, Some(inner)) => type_expr(inner, params)?,
            (None, None) => type_expr(&field.ty, params)?,
        };
        let docs = doc(&a.docs);
        out.push(quote! {
            ::zephr_admin_js::ts::Member {
                name: ::std::string::String::from(#name),
                ty: #ty,
                optional: #optional,
                doc: ::std::string::String::from(#docs),
            }
        });
    }
    Ok(quote!(::std::vec![#(#out),*]))
}

fn expand(input: &DeriveInput) -> syn::Result<Tokens> {
    let container = attrs(&input.attrs)?;
    let ident = &input.ident;
    let name = ident.to_string();
    let params: Vec<String> = input
        .generics
        .type_params()
        .map(|p| p.ident.to_string())
        .collect();
    let (impl_generics, ty_generics, _) = input.generics.split_for_impl();
    let bounds = input.generics.type_params().map(|p| {
        let ident = &p.ident;
        quote!(#ident: ::zephr_admin_js::ts::Ts)
    });
    let param_types = input.generics.type_params().map(|p| {
        let ident = &p.ident;
        quote!(<#ident as ::zephr_admin_js::ts::Ts>::ts_type())
    });
    let param_names = &params;
    let rule = container.rename_all.as_deref();
    let docs = doc(&container.docs);

    let (body, object_members) = match &input.data {
        Data::Struct(data) => match &data.fields {
            Fields::Named(fields) => {
                let members = members(fields, rule, container.default, &params)?;
                (
                    quote!(::zephr_admin_js::ts::Shape::Object(#members)),
                    quote!(::zephr_admin_js::ts::Shape::Object(#members).keys()),
                )
            }
            _ => {
                return Err(Error::new(
                    input.span(),
                    "#[derive(Ts)] takes structs with named fields; implement Ts by hand for others",
                ));
            }
        },
        Data::Enum(data) => {
            let mut variants = Vec::new();
            for variant in &data.variants {
                let a = attrs(&variant.attrs)?;
                let tag_value = match a.rename {
                    Some(name) => name,
                    None => renamed(&variant.ident.to_string(), rule, variant.ident.span())?,
                };
                let shape = match &variant.fields {
                    Fields::Unit => quote!(::zephr_admin_js::ts::Shape::Unit),
                    Fields::Unnamed(fields) if fields.unnamed.len() == 1 => {
                        let field_ty =
                            &fields.unnamed.iter().map(|f| &f.ty).collect::<Vec<_>>()[..];
                        let [field_ty] = field_ty else {
                            return Err(Error::new(variant.span(), "one field expected"));
                        };
                        let ty = type_expr(field_ty, &params)?;
                        let keys = if params.iter().any(|p| quote!(#field_ty).to_string() == *p) {
                            quote!(::std::vec::Vec::new())
                        } else {
                            quote!(<#field_ty as ::zephr_admin_js::ts::Ts>::ts_members())
                        };
                        quote!(::zephr_admin_js::ts::Shape::Newtype { ty: #ty, keys: #keys })
                    }
                    Fields::Named(fields) => {
                        let members = members(fields, a.rename_all.as_deref(), false, &params)?;
                        quote!(::zephr_admin_js::ts::Shape::Object(#members))
                    }
                    Fields::Unnamed(_) => {
                        return Err(Error::new(
                            variant.span(),
                            "#[derive(Ts)]: tuple variants of more than one field are not supported",
                        ));
                    }
                };
                let docs = doc(&a.docs);
                variants.push(quote! {
                    ::zephr_admin_js::ts::Variant {
                        name: ::std::string::String::from(#tag_value),
                        shape: #shape,
                        doc: ::std::string::String::from(#docs),
                    }
                });
            }
            let tagging = match (&container.tag, container.untagged) {
                (Some(tag), false) => quote!(::zephr_admin_js::ts::Tagging::Internal(#tag)),
                (None, true) => quote!(::zephr_admin_js::ts::Tagging::Untagged),
                (None, false) => quote!(::zephr_admin_js::ts::Tagging::External),
                (Some(_), true) => {
                    return Err(Error::new(input.span(), "both tag and untagged"));
                }
            };
            (
                quote!(::zephr_admin_js::ts::Shape::Union(#tagging, ::std::vec![#(#variants),*])),
                quote!(::std::vec::Vec::new()),
            )
        }
        Data::Union(_) => return Err(Error::new(input.span(), "#[derive(Ts)] takes no unions")),
    };

    let mut where_clause = input
        .generics
        .where_clause
        .clone()
        .unwrap_or_else(|| syn::parse_quote!(where));
    for bound in bounds {
        where_clause.predicates.push(syn::parse_quote!(#bound));
    }
    Ok(quote! {
        impl #impl_generics ::zephr_admin_js::ts::Ts for #ident #ty_generics #where_clause {
            fn ts_type() -> ::std::string::String {
                ::zephr_admin_js::ts::reference(#name, &[#(#param_types),*])
            }

            fn ts_members() -> ::std::vec::Vec<::std::string::String> {
                #object_members
            }

            fn ts_decl() -> ::std::string::String {
                ::zephr_admin_js::ts::declaration(#name, &[#(#param_names),*], #docs, #body)
            }
        }
    })
}

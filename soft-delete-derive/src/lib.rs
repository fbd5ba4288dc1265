//! The `#[derive(SoftDelete)]` macro. Depend on `soft-delete-core`, which re-exports it: the
//! expansion calls into that crate.
//!
//! The macro is a pipeline whose stages are the module names: `ast` reads the input into
//! plain structs, `attr` parses our `#[soft_delete]` and the parts of `#[sea_orm]` we need,
//! `valid` applies the rules that span fields, and `expand` only writes tokens.

mod ast;
mod attr;
mod column;
mod errors;
mod expand;
mod valid;

use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

/// Makes a SeaORM entity soft-deletable. Use it through `soft-delete-core`, whose
/// `soft_delete_core::SoftDelete` page has the attribute reference with an example for every
/// `#[soft_delete(..)]` key.
#[proc_macro_derive(SoftDelete, attributes(soft_delete))]
pub fn derive_soft_delete(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    derive(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

fn derive(input: &DeriveInput) -> syn::Result<proc_macro2::TokenStream> {
    let Some(mut model) = ast::Model::from_syn(input)? else {
        return Ok(proc_macro2::TokenStream::new());
    };
    // Rules that span fields are checked only on attributes that parsed: a bad attribute would
    // otherwise also be reported as whatever it failed to declare.
    let checked = std::mem::take(&mut model.attr_errors)
        .finish()
        .and_then(|()| valid::validate(&model));
    match checked {
        Ok(plan) => Ok(expand::expand(&plan)),
        // The errors, plus the functions call sites expect: one mistake, one error.
        Err(errors) => {
            let mut tokens = errors.into_compile_error();
            tokens.extend(expand::fallback(&model));
            Ok(tokens)
        }
    }
}

#[cfg(test)]
mod tests;

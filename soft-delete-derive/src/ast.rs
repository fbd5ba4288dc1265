//! The derive input as plain structs. Only the shape SeaORM's `DeriveEntityModel` accepts gets
//! through: a non-generic struct named `Model` with named fields.

use syn::{Attribute, Data, DeriveInput, Fields, Ident, Type};

use crate::attr::{self, MarkerAttr, SeaOrmField, StructAttrs};
use crate::errors::Errors;

pub(crate) struct Model<'a> {
    pub(crate) ident: &'a Ident,
    pub(crate) attrs: StructAttrs,
    pub(crate) fields: Vec<Field<'a>>,
    /// Errors in our attributes. Unlike a wrong shape they still leave an entity to expand
    /// the fallback for, so they travel with the model.
    pub(crate) attr_errors: Errors,
}

pub(crate) struct Field<'a> {
    pub(crate) ident: &'a Ident,
    pub(crate) ty: &'a Type,
    /// The field's `#[soft_delete]` / `#[soft_delete(flag)]` / .. attribute, which marks it as
    /// the deletion marker.
    pub(crate) marker: Option<MarkerAttr<'a>>,
    /// The field's `#[soft_delete(batch)]` attribute, which marks it as the batch column.
    pub(crate) batch: Option<&'a Attribute>,
    pub(crate) sea_orm: SeaOrmField,
}

impl<'a> Model<'a> {
    /// `Ok(None)` for `ModelEx`: SeaORM's `#[sea_orm::model]` copies the derive list onto that
    /// second struct, and everything is generated once, from `Model`.
    pub(crate) fn from_syn(input: &'a DeriveInput) -> syn::Result<Option<Self>> {
        if input.ident == "ModelEx" {
            return Ok(None);
        }
        let mut errors = Errors::default();
        let named = match &input.data {
            Data::Struct(data) => match &data.fields {
                Fields::Named(named) => Some(named),
                Fields::Unnamed(unnamed) => {
                    errors.push(syn::Error::new_spanned(
                        unnamed,
                        "`#[derive(SoftDelete)]` needs a struct with named fields, as SeaORM's `Model`",
                    ));
                    None
                }
                Fields::Unit => {
                    errors.push(syn::Error::new_spanned(
                        &input.ident,
                        "`#[derive(SoftDelete)]` needs a struct with named fields, one of them the \
                         `deleted_at: Option<...>` timestamp",
                    ));
                    None
                }
            },
            Data::Enum(data) => {
                errors.push(syn::Error::new_spanned(
                    data.enum_token,
                    "`#[derive(SoftDelete)]` goes on a SeaORM entity's `Model` struct, not on an enum",
                ));
                None
            }
            Data::Union(data) => {
                errors.push(syn::Error::new_spanned(
                    data.union_token,
                    "`#[derive(SoftDelete)]` goes on a SeaORM entity's `Model` struct, not on a union",
                ));
                None
            }
        };
        if input.ident != "Model" {
            errors.push(syn::Error::new_spanned(
                &input.ident,
                format!(
                    "`#[derive(SoftDelete)]` goes on the struct named `Model` that derives SeaORM's \
                     `DeriveEntityModel`, not on `{}`",
                    input.ident
                ),
            ));
        }
        if !input.generics.params.is_empty() {
            errors.push(syn::Error::new_spanned(
                &input.generics,
                "`#[derive(SoftDelete)]` does not support generic parameters: SeaORM entities have none",
            ));
        }
        let mut attr_errors = Errors::default();
        let attrs = attr::struct_attrs(&input.attrs, &mut attr_errors);
        if input.ident == "Model" && named.is_some() && !attrs.has_table_name {
            errors.push(syn::Error::new_spanned(
                &input.ident,
                "`#[derive(SoftDelete)]` works with SeaORM's `DeriveEntityModel`: add it to the \
                 derive list, with `#[sea_orm(table_name = \"..\")]` on this struct; they generate \
                 the `Entity`, `Column` and `PrimaryKey` that the soft-delete code uses",
            ));
        }

        let fields = named
            .map(|named| {
                named
                    .named
                    .iter()
                    .filter_map(|field| {
                        let role = attr::field_role(&field.attrs, &mut attr_errors);
                        Some(Field {
                            ident: field.ident.as_ref()?,
                            ty: &field.ty,
                            marker: role.marker,
                            batch: role.batch,
                            sea_orm: attr::sea_orm_field(&field.attrs),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        if errors.has_errors() {
            // A wrong shape leaves nothing to expand: report it with the attribute errors.
            errors.append(std::mem::take(&mut attr_errors));
            errors.finish()?;
        }
        Ok(Some(Model {
            ident: &input.ident,
            attrs,
            fields,
            attr_errors,
        }))
    }
}

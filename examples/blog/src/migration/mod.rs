//! The migrations, one module each, named as sea-orm-cli names them (the module's name is the
//! migration's name).

use sea_orm_migration::prelude::*;

mod m20261207_000001_create_posts;
mod m20261207_000002_soft_delete_posts;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261207_000001_create_posts::Migration),
            Box::new(m20261207_000002_soft_delete_posts::Migration),
        ]
    }
}

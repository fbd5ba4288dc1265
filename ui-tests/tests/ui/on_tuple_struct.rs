use soft_delete_core::SoftDelete;

#[derive(SoftDelete)]
pub struct Model(i32, Option<chrono::DateTime<chrono::Utc>>);

fn main() {}

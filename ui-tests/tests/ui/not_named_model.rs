use soft_delete_core::SoftDelete;

#[derive(SoftDelete)]
pub struct Product {
    pub id: i32,
    pub deleted_at: Option<chrono::DateTime<chrono::Utc>>,
}

fn main() {}

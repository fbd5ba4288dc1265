use soft_delete_core::SoftDelete;

#[derive(SoftDelete)]
#[soft_delete(unknown)]
pub struct Product<T> {
    pub id: T,
    #[soft_delete(now)]
    pub deleted_at: Option<chrono::DateTime<chrono::Utc>>,
}

fn main() {}

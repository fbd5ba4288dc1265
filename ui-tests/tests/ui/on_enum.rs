use soft_delete_core::SoftDelete;

#[derive(SoftDelete)]
pub enum Model {
    Active,
    Deleted,
}

fn main() {}

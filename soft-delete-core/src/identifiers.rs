//! Names the library gives database objects: bounded by every backend's identifier limit and
//! stable across releases, since a migration written today must find its index tomorrow.

/// The longest identifier every supported backend takes, in bytes: PostgreSQL cuts names at 63
/// (and then two long names can become one), MySQL and MariaDB refuse more than 64.
pub const MAX_IDENTIFIER_BYTES: usize = 63;

/// [`unique_index_name_on`](crate::schema::unique_index_name_on) from names: the one place the name is made, for the schema helpers
/// and for recognising the index in a unique violation.
pub(crate) fn unique_index_name_of(table: &str, columns: &[&str]) -> String {
    bounded_identifier(format!("sd_uq_{table}_{}", columns.join("_")))
}

/// `name` when it fits in [`MAX_IDENTIFIER_BYTES`]; else as many of its leading bytes as fit
/// (whole characters) before `_` and 8 hex digits of its hash.
fn bounded_identifier(name: String) -> String {
    if name.len() <= MAX_IDENTIFIER_BYTES {
        return name;
    }
    let suffix = format!("_{:08x}", fnv1a_32(name.as_bytes()));
    let mut end = MAX_IDENTIFIER_BYTES - suffix.len();
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{suffix}", &name[..end])
}

/// 64-bit FNV-1a, its halves XOR-ed: written out here because the standard library's hashers
/// may change between Rust releases, and an index name must not.
fn fnv1a_32(bytes: &[u8]) -> u32 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    ((hash >> 32) ^ hash) as u32
}

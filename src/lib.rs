//! Examples and integration tests live here.

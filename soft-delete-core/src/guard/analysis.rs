//! What one SQL text does to soft-deletable tables: read them without a condition on the marker,
//! update them without one, or delete from them. Pure: SQL in, findings out, so it is cached by
//! text and tested without a database.

use sea_orm::DbBackend;
use sqlparser::ast::Visit;
use sqlparser::dialect::{Dialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::Parser;

use super::finding::Finding;
use super::from_clause::unescape;
use super::readback::{Placeholders, WrittenRow};
use super::scan::Leaks;
use super::unreadable::{DYNAMIC_WORDS, dynamic_finding, split_words, unchecked};

use crate::tables::TableDescription;

/// What the guard knows about one SQL text.
#[derive(Debug, Default)]
pub(crate) struct Analysis {
    pub(crate) findings: Vec<Finding>,
    /// The soft-deletable table an `INSERT`, or an `UPDATE` of one row by its key, writes:
    /// SeaORM reads that row back next on backends without `RETURNING`.
    pub(crate) writes_one_row: Option<WrittenRow>,
    /// The parser could not read the text (the message says where).
    pub(crate) unreadable: Option<String>,
}

/// Reads `sql` as `backend`'s dialect and reports every table of `tables` it leaks.
pub(crate) fn analyze(sql: &str, backend: DbBackend, tables: &[TableDescription]) -> Analysis {
    let dialect: &dyn Dialect = match backend {
        DbBackend::Postgres => &PostgreSqlDialect {},
        DbBackend::MySql => &MySqlDialect {},
        _ => &SQLiteDialect {},
    };
    // MariaDB runs the text of `/*M! .. */` comments, as MySQL does `/*! .. */`, which the
    // parser reads as SQL.
    let normalized;
    let sql = if backend == DbBackend::MySql && sql.contains("/*M!") {
        normalized = sql.replace("/*M!", "/*!");
        normalized.as_str()
    } else {
        sql
    };
    let statements = match Parser::parse_sql(dialect, sql) {
        Ok(statements) => statements,
        Err(error) => {
            // Unreadable SQL that names a soft-deletable table (even one statement of several,
            // even inside a string) may do anything to it; anything else runs with a warning.
            let mut findings = unchecked(&unescape(sql), dialect, tables);
            let words = split_words(sql);
            if words.iter().any(|word| {
                DYNAMIC_WORDS
                    .iter()
                    .any(|dynamic| word.eq_ignore_ascii_case(dynamic))
            }) {
                findings.push(dynamic_finding());
            }
            return Analysis {
                findings,
                unreadable: Some(error.to_string()),
                ..Analysis::default()
            };
        }
    };
    let mut leaks = Leaks {
        tables,
        dialect,
        findings: Vec::new(),
        writes_one_row: None,
        placeholders: Placeholders::of(&statements),
        ctes: Vec::new(),
        pushed: Vec::new(),
    };
    // PostgreSQL's Unicode-escaped identifiers (`U&"\0062ook"`) are not read as one name by the
    // parser: look for the names they spell.
    if backend == DbBackend::Postgres && sql.to_ascii_uppercase().contains("U&\"") {
        leaks
            .findings
            .extend(unchecked(&unescape(sql), dialect, tables));
    }
    for statement in &statements {
        let _ = statement.visit(&mut leaks);
    }
    let mut findings: Vec<Finding> = Vec::new();
    for finding in leaks.findings.drain(..) {
        if !findings.contains(&finding) {
            findings.push(finding);
        }
    }
    leaks.findings = findings;
    Analysis {
        findings: leaks.findings,
        writes_one_row: leaks.writes_one_row,
        unreadable: None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::readback::KeySource;
    use super::super::unreadable::ANY_TABLE;
    use super::*;
    use crate::leak::LeakKind;

    fn table(name: &str, key: &[&str]) -> TableDescription {
        TableDescription {
            schema: None,
            table: name.to_owned(),
            marker: "deleted_at".to_owned(),
            marker_kind: crate::marker::MarkerKind::Timestamp,
            primary_key: key.iter().map(|key| (*key).to_owned()).collect(),
            default_scope: false,
        }
    }

    fn tables() -> Vec<TableDescription> {
        vec![
            table("book", &["id"]),
            table("tag", &["id"]),
            table("book_tag", &["book_id", "tag_id"]),
        ]
    }

    /// `(kind, table, alias)` of every finding in `sql` on `backend`.
    fn leaks_on(backend: DbBackend, sql: &str) -> Vec<(LeakKind, String, Option<String>)> {
        let analysis = analyze(sql, backend, &tables());
        assert_eq!(analysis.unreadable, None, "{sql}");
        analysis
            .findings
            .into_iter()
            .map(|finding| (finding.kind, finding.table, finding.alias))
            .collect()
    }

    fn leaks(sql: &str) -> Vec<(LeakKind, String, Option<String>)> {
        leaks_on(DbBackend::Postgres, sql)
    }

    fn read(table: &str) -> (LeakKind, String, Option<String>) {
        (LeakKind::Read, table.to_owned(), None)
    }

    #[test]
    fn a_select_needs_a_marker_condition_per_table() {
        assert_eq!(leaks(r#"SELECT "book"."id" FROM "book""#), [read("book")]);
        assert_eq!(
            leaks(r#"SELECT "book"."id" FROM "book" WHERE "book"."id" = $1"#),
            [read("book")]
        );
        for clean in [
            r#"SELECT "book"."id" FROM "book" WHERE "book"."deleted_at" IS NULL"#,
            r#"SELECT id FROM book WHERE deleted_at IS NOT NULL AND id > 3"#,
            r#"SELECT id FROM book WHERE deleted_at < $1"#,
            r#"SELECT id FROM book WHERE ("book"."deleted_at" IS NULL OR "book"."deleted_at" IS NOT NULL)"#,
            r#"SELECT id FROM other"#,
        ] {
            assert_eq!(leaks(clean), [], "{clean}");
        }
    }

    #[test]
    fn an_alias_must_qualify_the_marker() {
        assert_eq!(
            leaks(r#"SELECT b.id FROM book AS b WHERE book.deleted_at IS NULL"#),
            [(LeakKind::Read, "book".to_owned(), Some("b".to_owned()))]
        );
        assert_eq!(
            leaks(r#"SELECT b.id FROM book b WHERE b.deleted_at IS NULL"#),
            []
        );
    }

    #[test]
    fn each_joined_table_needs_its_own_condition() {
        let junction_leaks = r#"SELECT "book"."id", "tag"."id" FROM "book"
            LEFT JOIN "book_tag" ON "book"."id" = "book_tag"."book_id"
            LEFT JOIN "tag" ON "book_tag"."tag_id" = "tag"."id" AND "tag"."deleted_at" IS NULL
            WHERE "book"."deleted_at" IS NULL"#;
        assert_eq!(leaks(junction_leaks), [read("book_tag")]);
        let hidden = junction_leaks.replace(
            r#""book_tag"."book_id""#,
            r#""book_tag"."book_id" AND "book_tag"."deleted_at" IS NULL"#,
        );
        assert_eq!(leaks(&hidden), []);
    }

    #[test]
    fn a_joined_table_pinned_by_its_key_and_not_returned_is_an_anchor() {
        // `author.find_related_active(book)`: the author is the model the caller holds.
        let related = r#"SELECT "book"."id" FROM "book" INNER JOIN "author" AS "r0"
            ON "r0"."id" = "book"."author_id" WHERE "r0"."id" = $1 AND "book"."deleted_at" IS NULL"#;
        let tables = [table("book", &["id"]), table("author", &["id"])];
        let analysis = analyze(related, DbBackend::Postgres, &tables);
        assert_eq!(analysis.findings, []);
        for leaky in [
            // Its columns are returned.
            related.replace(
                r#"SELECT "book"."id""#,
                r#"SELECT "book"."id", "r0"."name""#,
            ),
            related.replace(r#"SELECT "book"."id""#, r#"SELECT "r0".*"#),
            // Not pinned to one row.
            related.replace(r#""r0"."id" = $1"#, r#""r0"."id" > $1"#),
            // The first table is what the query reads.
            r#"SELECT COUNT(*) FROM "author" WHERE "author"."id" = $1"#.to_owned(),
        ] {
            let analysis = analyze(&leaky, DbBackend::Postgres, &tables);
            assert_eq!(analysis.findings.len(), 1, "{leaky}");
            assert_eq!(analysis.findings[0].table, "author", "{leaky}");
        }
    }

    #[test]
    fn subqueries_ctes_and_unions_are_read_at_any_depth() {
        assert_eq!(
            leaks(
                "SELECT id FROM book WHERE deleted_at IS NULL AND id IN \
                 (SELECT book_id FROM book_tag WHERE tag_id = 1)"
            ),
            [read("book_tag")]
        );
        assert_eq!(
            leaks(
                "SELECT id FROM book WHERE deleted_at IS NULL AND EXISTS \
                 (SELECT 1 FROM tag WHERE tag.id = book.id AND book.deleted_at IS NULL)"
            ),
            [read("tag")],
            "the outer table's marker in a subquery is not the subquery table's"
        );
        assert_eq!(
            leaks("WITH t AS (SELECT id FROM tag) SELECT id FROM t"),
            [read("tag")]
        );
        // A CTE named like a table hides it in the query's body, not in its own definition.
        assert_eq!(
            leaks(
                "WITH book AS (SELECT id FROM book WHERE deleted_at IS NULL) SELECT id FROM book"
            ),
            []
        );
        assert_eq!(
            leaks("WITH book AS (SELECT id FROM book) SELECT id FROM book"),
            [read("book")]
        );
        assert_eq!(
            leaks(
                "WITH book AS (SELECT id FROM book WHERE deleted_at IS NULL) \
                 SELECT id FROM book UNION SELECT id FROM (SELECT id FROM public.book) AS b"
            ),
            [read("book")],
            "a schema-qualified name is the table"
        );
        assert_eq!(
            leaks("SELECT id FROM book WHERE deleted_at IS NULL UNION SELECT id FROM tag"),
            [read("tag")]
        );
        assert_eq!(
            leaks("SELECT x.id FROM (SELECT id FROM book) AS x"),
            [read("book")]
        );
    }

    #[test]
    fn an_update_needs_a_marker_condition_unless_it_names_one_row() {
        assert_eq!(
            leaks(r#"UPDATE "book" SET "title" = $1 WHERE "book"."id" > $2"#),
            [(LeakKind::Write, "book".to_owned(), None)]
        );
        assert_eq!(
            leaks(r#"UPDATE "book" SET "title" = $1"#),
            [(LeakKind::Write, "book".to_owned(), None)]
        );
        for clean in [
            r#"UPDATE "book" SET "title" = $1 WHERE "book"."deleted_at" IS NULL"#,
            r#"UPDATE "book" SET "title" = $1 WHERE "book"."id" = $2 RETURNING "id""#,
            r#"UPDATE "book_tag" SET "note" = $1 WHERE "book_id" = $2 AND "tag_id" = $3"#,
        ] {
            assert_eq!(leaks(clean), [], "{clean}");
        }
        assert_eq!(
            leaks(r#"UPDATE "book_tag" SET "note" = $1 WHERE "book_id" = $2"#),
            [(LeakKind::Write, "book_tag".to_owned(), None)],
            "half a composite key names many rows"
        );
        assert_eq!(
            leaks(r#"UPDATE "book" SET "title" = $1 WHERE "id" = "other_id""#),
            [(LeakKind::Write, "book".to_owned(), None)]
        );
    }

    #[test]
    fn an_outer_join_condition_filters_only_the_side_it_can() {
        // The `ON` of a LEFT JOIN cannot hide trashed books: they come back with NULL tags.
        let left = r#"SELECT b.id FROM book b LEFT JOIN tag t ON t.id = b.id AND b.deleted_at IS NULL
            WHERE t.deleted_at IS NULL"#;
        assert_eq!(
            leaks(left),
            [(LeakKind::Read, "book".to_owned(), Some("b".to_owned()))]
        );
        let left_ok = r#"SELECT b.id FROM book b LEFT JOIN tag t ON t.id = b.id AND t.deleted_at IS NULL
            WHERE b.deleted_at IS NULL"#;
        assert_eq!(leaks(left_ok), []);
        let right = r#"SELECT b.id FROM book b RIGHT JOIN tag t ON t.id = b.id AND t.deleted_at IS NULL
            AND b.deleted_at IS NULL"#;
        assert_eq!(
            leaks(right),
            [(LeakKind::Read, "tag".to_owned(), Some("t".to_owned()))]
        );
        let full = r#"SELECT b.id FROM book b FULL JOIN tag t ON t.id = b.id AND t.deleted_at IS NULL
            AND b.deleted_at IS NULL"#;
        assert_eq!(leaks(full).len(), 2);
        let inner = r#"SELECT b.id FROM book b JOIN tag t ON t.id = b.id AND t.deleted_at IS NULL
            AND b.deleted_at IS NULL"#;
        assert_eq!(leaks(inner), []);
    }

    #[test]
    fn a_one_row_write_that_sets_the_marker_is_reported() {
        for sql in [
            r#"UPDATE "book" SET "deleted_at" = NULL WHERE "book"."id" = $1"#,
            r#"UPDATE "book" SET "title" = $1, "deleted_at" = $2 WHERE "id" = $3"#,
        ] {
            assert_eq!(
                leaks(sql),
                [(LeakKind::Write, "book".to_owned(), None)],
                "{sql}"
            );
        }
        let analysis = analyze(
            r#"UPDATE "book" SET "title" = $1 WHERE "id" = $2"#,
            DbBackend::Postgres,
            &tables(),
        );
        assert_eq!(
            analysis.writes_one_row,
            Some(WrittenRow {
                table: "book".to_owned(),
                key: vec![KeySource::Bound(1)],
            })
        );
    }

    #[test]
    fn an_upsert_that_assigns_a_column_to_itself_changes_nothing() {
        // SeaORM's `on_conflict_do_nothing()` on MySQL and MariaDB.
        for clean in [
            "INSERT INTO `book` (`id`, `title`) VALUES (?, ?) ON DUPLICATE KEY UPDATE `id` = `id`",
            "INSERT INTO `book` (`id`, `title`) VALUES (?, ?), (?, ?) ON DUPLICATE KEY UPDATE `id` = `id`",
            "INSERT INTO book (id) VALUES (?) ON DUPLICATE KEY UPDATE id = (book.id), title = title",
        ] {
            assert_eq!(leaks_on(DbBackend::MySql, clean), [], "{clean}");
        }
        for write in [
            "INSERT INTO book (id) VALUES (?) ON DUPLICATE KEY UPDATE id = id, title = ?",
            "INSERT INTO book (id) VALUES (?) ON DUPLICATE KEY UPDATE id = VALUES(id)",
            "INSERT INTO book (id) VALUES (?) ON DUPLICATE KEY UPDATE title = tag.title",
            "INSERT INTO book (id) VALUES (?) ON DUPLICATE KEY UPDATE deleted_at = deleted_at + 1",
        ] {
            assert_eq!(
                leaks_on(DbBackend::MySql, write),
                [(LeakKind::Write, "book".to_owned(), None)],
                "{write}"
            );
        }
    }

    #[test]
    fn a_one_row_write_and_a_one_row_read_name_their_keys_bound_values() {
        let written = |sql: &str| analyze(sql, DbBackend::MySql, &tables()).writes_one_row;
        let row = |key: Vec<KeySource>| {
            Some(WrittenRow {
                table: "book".to_owned(),
                key,
            })
        };
        // A reply whose foreign key happens to be 2 is not row 2: the key is the generated id.
        assert_eq!(
            written("INSERT INTO `book` (`title`, `reply_to`) VALUES (?, ?)"),
            row(vec![KeySource::Generated])
        );
        assert_eq!(
            written("INSERT INTO `book` (`title`, `id`) VALUES (?, ?)"),
            row(vec![KeySource::Bound(1)])
        );
        assert_eq!(
            written("UPDATE `book` SET `title` = ?, `reply_to` = ? WHERE `book`.`id` = ?"),
            row(vec![KeySource::Bound(2)])
        );
        assert_eq!(
            written("INSERT INTO `book` (`title`) VALUES (?), (?)"),
            None
        );
        // An insert that may have collided and written nothing exempts no read-back.
        for may_write_nothing in [
            "INSERT INTO `book` (`id`, `title`) VALUES (?, ?) ON DUPLICATE KEY UPDATE `id` = `id`",
            "INSERT IGNORE INTO `book` (`id`, `title`) VALUES (?, ?)",
        ] {
            assert_eq!(written(may_write_nothing), None, "{may_write_nothing}");
        }
        assert_eq!(
            analyze(
                r#"INSERT INTO "book" ("id") VALUES (?) ON CONFLICT ("id") DO NOTHING"#,
                DbBackend::Sqlite,
                &tables()
            )
            .writes_one_row,
            None
        );
        // A `?` kept as a bare value still counts: the key is the third bound value.
        let read = analyze(
            "SELECT GROUP_CONCAT(`title` SEPARATOR ?) FROM `book` WHERE `title` = ? AND `book`.`id` = ?",
            DbBackend::MySql,
            &tables(),
        );
        assert_eq!(read.findings[0].pinned_key, Some(vec![2]));
        let composite = analyze(
            "INSERT INTO `book_tag` (`tag_id`, `book_id`) VALUES (?, ?)",
            DbBackend::MySql,
            &tables(),
        );
        assert_eq!(
            composite.writes_one_row.map(|row| row.key),
            Some(vec![KeySource::Bound(1), KeySource::Bound(0)])
        );
        let read = analyze(
            "SELECT `book`.`id` FROM `book` WHERE `book`.`id` = ? LIMIT ?",
            DbBackend::MySql,
            &tables(),
        );
        assert_eq!(read.findings[0].pinned_key, Some(vec![0]));
        let read = analyze(
            r#"SELECT "book"."id" FROM "book" WHERE "book"."title" = $1 AND "book"."id" = $2"#,
            DbBackend::Postgres,
            &tables(),
        );
        assert_eq!(read.findings[0].pinned_key, Some(vec![1]));
    }

    #[test]
    fn a_statement_inside_explain_is_sorted_as_on_its_own() {
        let kinds = |sql: &str| -> Vec<LeakKind> {
            analyze(sql, DbBackend::Postgres, &tables())
                .findings
                .into_iter()
                .map(|finding| finding.kind)
                .collect()
        };
        assert_eq!(
            kinds("EXPLAIN ANALYZE EXECUTE purge_books(1)"),
            [LeakKind::Unchecked]
        );
        assert_eq!(
            kinds(
                "EXPLAIN ANALYZE MERGE INTO book USING tag ON book.id = tag.id WHEN MATCHED THEN DELETE"
            ),
            [LeakKind::Unchecked, LeakKind::Unchecked]
        );
        assert_eq!(
            kinds("ALTER VIEW shelf AS SELECT * FROM book"),
            [LeakKind::Read]
        );
    }

    #[test]
    fn copy_out_of_a_table_reads_its_trash() {
        for sql in [
            "COPY book TO '/tmp/book.csv'",
            "COPY public.book (id, title) TO STDOUT WITH (FORMAT csv)",
            "COPY (SELECT * FROM book) TO STDOUT",
        ] {
            assert_eq!(leaks(sql), [read("book")], "{sql}");
        }
        for clean in [
            "COPY (SELECT * FROM book WHERE deleted_at IS NULL) TO STDOUT",
            "COPY book FROM '/tmp/book.csv'",
            "COPY author TO STDOUT",
        ] {
            assert_eq!(leaks(clean), [], "{clean}");
        }
    }

    #[test]
    fn truncate_replace_and_upserts_are_seen() {
        assert_eq!(
            leaks("TRUNCATE book"),
            [(LeakKind::HardDelete, "book".to_owned(), None)]
        );
        // PostgreSQL's `TABLE book` is not SQL the parser reads: it runs unchecked, with a warning.
        assert!(
            analyze("TABLE book", DbBackend::Postgres, &tables())
                .unreadable
                .is_some()
        );
        assert_eq!(
            leaks_on(DbBackend::MySql, "REPLACE INTO book (id) VALUES (?)"),
            [(LeakKind::HardDelete, "book".to_owned(), None)]
        );
        assert_eq!(
            leaks_on(
                DbBackend::Sqlite,
                "INSERT OR REPLACE INTO book (id) VALUES (?)"
            ),
            [(LeakKind::HardDelete, "book".to_owned(), None)]
        );
        assert_eq!(
            leaks(
                "INSERT INTO book (id, title) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET title = excluded.title"
            ),
            [(LeakKind::Write, "book".to_owned(), None)]
        );
        assert_eq!(
            leaks_on(
                DbBackend::MySql,
                "INSERT INTO book (id, title) VALUES (?, ?) ON DUPLICATE KEY UPDATE title = VALUES(title)"
            ),
            [(LeakKind::Write, "book".to_owned(), None)]
        );
        for clean in [
            "INSERT INTO book (id) VALUES ($1) ON CONFLICT DO NOTHING",
            "INSERT INTO book (id, title) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET title = excluded.title WHERE book.deleted_at IS NULL",
            "INSERT INTO book (id) VALUES ($1)",
        ] {
            assert_eq!(leaks(clean), [], "{clean}");
        }
    }

    #[test]
    fn every_delete_from_a_soft_deletable_table_is_hard() {
        assert_eq!(
            leaks(r#"DELETE FROM "book" WHERE "book"."id" = $1"#),
            [(LeakKind::HardDelete, "book".to_owned(), None)]
        );
        assert_eq!(
            leaks(r#"DELETE FROM "book" WHERE "book"."deleted_at" IS NOT NULL"#),
            [(LeakKind::HardDelete, "book".to_owned(), None)]
        );
        assert_eq!(leaks(r#"DELETE FROM "other""#), []);
    }

    #[test]
    fn each_backend_reads_its_own_dialect() {
        assert_eq!(
            leaks_on(
                DbBackend::MySql,
                "SELECT `book`.`id` FROM `book` WHERE `book`.`id` = ?"
            ),
            [read("book")]
        );
        assert_eq!(
            leaks_on(
                DbBackend::MySql,
                "DELETE `book` FROM `book` JOIN `tag` ON `tag`.`id` = `book`.`id`"
            ),
            // Every soft-deletable table a multi-table DELETE names, on the safe side.
            [
                (LeakKind::HardDelete, "book".to_owned(), None),
                (LeakKind::HardDelete, "tag".to_owned(), None)
            ]
        );
        assert_eq!(
            leaks_on(
                DbBackend::Sqlite,
                r#"SELECT "id" FROM "book" WHERE "deleted_at" IS NULL"#
            ),
            []
        );
    }

    #[test]
    fn what_the_parser_cannot_read_is_unchecked_when_it_names_a_table() {
        let analysis = analyze(
            "SELEKT everything FROM other",
            DbBackend::Postgres,
            &tables(),
        );
        assert!(analysis.unreadable.is_some());
        assert!(analysis.findings.is_empty());
        let unchecked = |backend, sql: &str| {
            let analysis = analyze(sql, backend, &tables());
            analysis
                .findings
                .into_iter()
                .map(|finding| (finding.kind, finding.table))
                .collect::<Vec<_>>()
        };
        let book_tag = [(LeakKind::Unchecked, "book_tag".to_owned())];
        for (backend, sql) in [
            (
                DbBackend::MySql,
                "DELETE LOW_PRIORITY QUICK IGNORE FROM book_tag",
            ),
            (DbBackend::Sqlite, "REINDEX; DELETE FROM book_tag"),
            (DbBackend::Postgres, "TABLE author; DELETE FROM book_tag"),
            (DbBackend::MySql, "DO 0; DELETE FROM book_tag"),
            (
                DbBackend::Postgres,
                "DO $$BEGIN DELETE FROM book_tag; END$$",
            ),
            (DbBackend::MySql, "PREPARE s1 FROM 'DELETE FROM book_tag'"),
            (DbBackend::MySql, "SET @q = 'DELETE FROM book_tag'"),
            (
                DbBackend::Postgres,
                "MERGE INTO book_tag t USING (SELECT 1 AS x) s ON true WHEN MATCHED THEN DELETE",
            ),
        ] {
            assert!(unchecked(backend, sql).contains(&book_tag[0]), "{sql}");
        }
    }

    #[test]
    fn a_marker_term_mixed_with_other_columns_does_not_count() {
        assert_eq!(
            leaks("SELECT id FROM book WHERE deleted_at IS NULL OR id = $1"),
            [read("book")]
        );
        assert_eq!(
            leaks("SELECT id FROM book WHERE (deleted_at IS NULL OR id = 1) AND deleted_at < $1"),
            []
        );
    }

    #[test]
    fn second_round_of_probes() {
        let kinds = |backend, sql: &str| {
            analyze(sql, backend, &tables())
                .findings
                .into_iter()
                .map(|finding| (finding.kind, finding.table))
                .collect::<Vec<_>>()
        };
        let hard = |table: &str| vec![(LeakKind::HardDelete, table.to_owned())];
        let dynamic = [(LeakKind::Unchecked, ANY_TABLE.to_owned())];
        // MariaDB's modifiers read as a target list, and aliases in USING.
        for sql in [
            "DELETE QUICK FROM book_tag",
            "DELETE IGNORE FROM book_tag",
            "DELETE LOW_PRIORITY FROM book_tag",
            "DELETE FROM bt USING book_tag bt",
        ] {
            assert_eq!(kinds(DbBackend::MySql, sql), hard("book_tag"), "{sql}");
        }
        // MariaDB's executable comments.
        assert_eq!(
            kinds(
                DbBackend::MySql,
                "SELECT 1; /*M!100000 DELETE FROM book_tag */"
            ),
            hard("book_tag")
        );
        // PostgreSQL's Unicode-escaped names.
        assert_eq!(
            kinds(DbBackend::Postgres, r#"DELETE FROM U&"\0062ook_tag""#),
            vec![(LeakKind::Unchecked, "book_tag".to_owned())]
        );
        // SQL assembled at run time, or code defined for later.
        for (backend, sql) in [
            (
                DbBackend::MySql,
                "EXECUTE IMMEDIATE CONCAT('DELETE FROM boo','k_tag')",
            ),
            (DbBackend::MySql, "PREPARE s3 FROM @q"),
            (
                DbBackend::Postgres,
                "DO $$BEGIN EXECUTE 'DELETE FROM boo' || 'k_tag'; END$$",
            ),
            (
                DbBackend::Postgres,
                "CREATE FUNCTION probe_h() RETURNS void LANGUAGE sql AS $$DELETE FROM other$$",
            ),
        ] {
            assert!(kinds(backend, sql).contains(&dynamic[0]), "{sql}");
        }
        // A disjunction with a term that is not about the marker lets every row through.
        assert_eq!(
            leaks("SELECT title FROM book WHERE deleted_at IS NULL OR 1 = 1"),
            [read("book")]
        );
        assert_eq!(
            leaks("SELECT title FROM book WHERE deleted_at IS NULL OR deleted_at IS NOT NULL"),
            []
        );
    }

    #[test]
    fn sqlite_update_or_replace_is_a_hard_delete() {
        assert_eq!(
            leaks_on(
                DbBackend::Sqlite,
                "UPDATE OR REPLACE book_tag SET tag_id = 1 WHERE book_id = 1 AND tag_id = 2"
            ),
            [(LeakKind::HardDelete, "book_tag".to_owned(), None)]
        );
    }
}

//! SQL the parser cannot read: which soft-deletable tables it names, and whether it runs SQL
//! text or defines code, so that it is reported rather than let through.

use sqlparser::dialect::Dialect;

use super::finding::Finding;
use crate::leak::LeakKind;
use crate::tables::TableDescription;

/// Words that, in SQL the parser cannot read, mean it runs SQL text or defines code.
pub(super) const DYNAMIC_WORDS: &[&str] = &[
    "PREPARE",
    "EXECUTE",
    "IMMEDIATE",
    "DO",
    "FUNCTION",
    "PROCEDURE",
    "TRIGGER",
    "CALL",
    "BEGIN",
];

/// The finding for dynamic SQL, which may touch any table.
pub(super) fn dynamic_finding() -> Finding {
    Finding {
        kind: LeakKind::Unchecked,
        table: ANY_TABLE.to_owned(),
        alias: None,
        pinned_key: None,
    }
}

/// The table of an `Unchecked` finding for dynamic SQL: it may touch any table.
pub(crate) const ANY_TABLE: &str = "*";

/// An `Unchecked` finding for each table of `tables` that `sql` names, as a word or inside a
/// string (SQL text handed to `PREPARE`, a procedural block), read with the dialect's lexer.
pub(super) fn unchecked(
    sql: &str,
    dialect: &dyn Dialect,
    tables: &[TableDescription],
) -> Vec<Finding> {
    use sqlparser::tokenizer::{Token, Tokenizer};
    let words: Vec<String> = match Tokenizer::new(dialect, sql).tokenize() {
        Ok(tokens) => tokens
            .into_iter()
            .flat_map(|token| match token {
                Token::Word(word) => vec![word.value],
                Token::SingleQuotedString(text)
                | Token::DoubleQuotedString(text)
                | Token::NationalStringLiteral(text)
                | Token::EscapedStringLiteral(text) => split_words(&text),
                Token::DollarQuotedString(text) => split_words(&text.value),
                _ => Vec::new(),
            })
            .collect(),
        // Not even tokens: look at the words of the raw text.
        Err(_) => split_words(sql),
    };
    let mut findings: Vec<Finding> = tables
        .iter()
        .filter(|description| {
            words
                .iter()
                .any(|word| word.eq_ignore_ascii_case(&description.table))
        })
        .map(|description| Finding {
            kind: LeakKind::Unchecked,
            table: description.table.clone(),
            alias: None,
            pinned_key: None,
        })
        .collect();
    findings.dedup();
    findings
}

/// The identifier-like words of `text`.
pub(super) fn split_words(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|word| !word.is_empty())
        .map(str::to_owned)
        .collect()
}

//! Every kind of statement the SQL parser returns, sorted by what it can do to rows: the guard
//! analyses the ones that read or change rows, reports the ones it cannot analyse, and leaves
//! schema changes and session commands alone.

use sqlparser::ast::{Delete, ObjectName, Statement, Update};

/// What a statement does to rows, as far as the guard is concerned.
pub(super) enum StatementClass<'a> {
    /// It changes or exports rows itself (its queries are visited on their own).
    Rows(RowChange<'a>),
    /// It reads rows only through the queries in it, which the visitor reaches.
    Queries,
    /// It runs SQL text or defines code that runs later: it may do anything.
    Dynamic,
    /// It changes rows in ways the guard does not analyse.
    Opaque,
    /// A schema change or a privilege: what migrations do, which the guard leaves alone.
    Schema,
    /// A session, transaction, cursor, lock or server command: no rows.
    NoRows,
}

/// The statements that change or export rows themselves.
pub(super) enum RowChange<'a> {
    Insert(&'a sqlparser::ast::Insert),
    Update(&'a Update),
    Delete(&'a Delete),
    Truncate(&'a sqlparser::ast::Truncate),
    /// `COPY table TO ..`: every row of the table, trash included.
    CopyOut(&'a ObjectName),
}

/// How the guard treats `statement`, decided for every kind the parser returns: no catch-all
/// arm, so a kind a parser upgrade adds does not compile until it is classified here.
pub(super) fn classify(statement: &Statement) -> StatementClass<'_> {
    use sqlparser::ast::CopySource;
    match statement {
        Statement::Insert(insert) => StatementClass::Rows(RowChange::Insert(insert)),
        Statement::Update(update) => StatementClass::Rows(RowChange::Update(update)),
        Statement::Delete(delete) => StatementClass::Rows(RowChange::Delete(delete)),
        Statement::Truncate(truncate) => StatementClass::Rows(RowChange::Truncate(truncate)),
        Statement::Copy {
            source: CopySource::Table { table_name, .. },
            to: true,
            ..
        } => StatementClass::Rows(RowChange::CopyOut(table_name)),
        // `COPY (query) TO` reads through its query; `COPY .. FROM` inserts rows.
        Statement::Copy { .. } => StatementClass::Queries,
        Statement::Query { .. }
        // `ALTER VIEW .. AS SELECT ..` defines what the view shows, as `CREATE VIEW` does.
        | Statement::AlterView { .. }
        | Statement::Explain { .. }
        | Statement::Declare { .. }
        | Statement::CreateView { .. }
        | Statement::CreateTable { .. }
        | Statement::Cache { .. }
        | Statement::ExportData { .. }
        | Statement::Unload { .. }
        | Statement::Directory { .. }
        | Statement::Assert { .. } => StatementClass::Queries,
        Statement::Prepare { .. }
        | Statement::Execute { .. }
        | Statement::CreateFunction { .. }
        | Statement::CreateProcedure { .. }
        | Statement::CreateTrigger { .. }
        | Statement::CreateRule { .. }
        | Statement::CreateMacro { .. }
        | Statement::Call { .. }
        | Statement::Case { .. }
        | Statement::If { .. }
        | Statement::While { .. }
        | Statement::Raise { .. }
        | Statement::Return { .. } => StatementClass::Dynamic,
        Statement::Merge { .. }
        | Statement::Set { .. }
        | Statement::LoadData { .. }
        | Statement::Load { .. }
        | Statement::CopyIntoSnowflake { .. } => StatementClass::Opaque,
        Statement::Analyze { .. }
        | Statement::Msck { .. }
        | Statement::Install { .. }
        | Statement::CreateVirtualTable { .. }
        | Statement::CreateIndex { .. }
        | Statement::CreateRole { .. }
        | Statement::CreateSecret { .. }
        | Statement::CreateServer { .. }
        | Statement::CreateForeignTable { .. }
        | Statement::CreateForeignDataWrapper { .. }
        | Statement::CreateUserMapping { .. }
        | Statement::CreatePolicy { .. }
        | Statement::CreateConnector { .. }
        | Statement::CreateOperator { .. }
        | Statement::CreateOperatorFamily { .. }
        | Statement::CreateOperatorClass { .. }
        | Statement::CreateTextSearch { .. }
        | Statement::CreateAggregate { .. }
        | Statement::AlterTable { .. }
        | Statement::AlterSchema { .. }
        | Statement::AlterIndex { .. }
        | Statement::AlterFunction { .. }
        | Statement::AlterType { .. }
        | Statement::AlterCollation { .. }
        | Statement::AlterOperator { .. }
        | Statement::AlterOperatorFamily { .. }
        | Statement::AlterOperatorClass { .. }
        | Statement::AlterTextSearch { .. }
        | Statement::AlterRole { .. }
        | Statement::AlterPolicy { .. }
        | Statement::AlterTrigger { .. }
        | Statement::AlterConnector { .. }
        | Statement::AlterSession { .. }
        | Statement::AttachDatabase { .. }
        | Statement::AttachDuckDBDatabase { .. }
        | Statement::DetachDuckDBDatabase { .. }
        | Statement::Drop { .. }
        | Statement::DropFunction { .. }
        | Statement::DropDomain { .. }
        | Statement::DropProcedure { .. }
        | Statement::DropSecret { .. }
        | Statement::DropPolicy { .. }
        | Statement::DropRule { .. }
        | Statement::DropConnector { .. }
        | Statement::CreateExtension { .. }
        | Statement::CreateCollation { .. }
        | Statement::DropExtension { .. }
        | Statement::DropOperator { .. }
        | Statement::DropOperatorFamily { .. }
        | Statement::DropOperatorClass { .. }
        | Statement::Comment { .. }
        | Statement::CreateSchema { .. }
        | Statement::CreateDatabase { .. }
        | Statement::DropTrigger { .. }
        | Statement::CreateStage { .. }
        | Statement::CreateFileFormat { .. }
        | Statement::CreateWarehouse { .. }
        | Statement::Grant { .. }
        | Statement::GrantRole { .. }
        | Statement::Deny { .. }
        | Statement::Revoke { .. }
        | Statement::RevokeRole { .. }
        | Statement::AlterDefaultPrivileges { .. }
        | Statement::CreateSequence { .. }
        | Statement::CreateDomain { .. }
        | Statement::CreateType { .. }
        | Statement::OptimizeTable { .. }
        | Statement::RenameTable { .. }
        | Statement::CreateUser { .. }
        | Statement::AlterUser { .. }
        | Statement::Vacuum { .. }
        | Statement::RefreshMaterializedView { .. } => StatementClass::Schema,
        Statement::Open { .. }
        | Statement::Close { .. }
        | Statement::Fetch { .. }
        | Statement::Flush { .. }
        | Statement::Discard { .. }
        | Statement::ShowFunctions { .. }
        | Statement::ShowVariable { .. }
        | Statement::ShowStatus { .. }
        | Statement::ShowVariables { .. }
        | Statement::ShowCreate { .. }
        | Statement::ShowColumns { .. }
        | Statement::ShowCatalogs { .. }
        | Statement::ShowDatabases { .. }
        | Statement::ShowProcessList { .. }
        | Statement::ShowSchemas { .. }
        | Statement::ShowCharset { .. }
        | Statement::ShowObjects { .. }
        | Statement::ShowTables { .. }
        | Statement::ShowViews { .. }
        | Statement::ShowCollation { .. }
        | Statement::Use { .. }
        | Statement::StartTransaction { .. }
        | Statement::Commit { .. }
        | Statement::Rollback { .. }
        | Statement::Deallocate { .. }
        | Statement::Kill { .. }
        | Statement::ExplainTable { .. }
        | Statement::Savepoint { .. }
        | Statement::ReleaseSavepoint { .. }
        | Statement::UNCache { .. }
        | Statement::Pragma { .. }
        | Statement::Lock { .. }
        | Statement::LockTables { .. }
        | Statement::UnlockTables
        | Statement::LISTEN { .. }
        | Statement::UNLISTEN { .. }
        | Statement::NOTIFY { .. }
        | Statement::List { .. }
        | Statement::Put { .. }
        | Statement::Remove { .. }
        | Statement::RaisError { .. }
        | Statement::Throw { .. }
        | Statement::Print { .. }
        | Statement::WaitFor { .. }
        | Statement::Reset { .. } => StatementClass::NoRows,
    }
}

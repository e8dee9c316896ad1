import Foundation
import GRDB

/// One cell of a query result.
public enum QueryValue: Sendable, Hashable {
  case null
  case integer(Int64)
  case real(Double)
  case text(String)
  case blob(Data)
}

/// The result of a read-only query: column names and rows of cells.
public struct QueryResult: Sendable, Hashable {
  public var columns: [String]
  public var rows: [[QueryValue]]
}

extension RunStore {
  /// Runs one read-only SQL statement against the store at `path`.
  ///
  /// The connection is opened read-only with `PRAGMA query_only`, and a statement that
  /// would write (`INSERT`, `UPDATE`, `DELETE`, `CREATE`, ...) is refused before it runs,
  /// so a query cannot change the store. The schema is not migrated and no run is
  /// repaired.
  ///
  /// - Parameters:
  ///   - arguments: Values bound to the statement's `?` placeholders.
  /// - Throws: `StoreError` — `notFound` (no file), `cannotOpen`, `query` (several
  ///   statements, a write, an SQL error with SQLite's message).
  public static func query(path: String, sql: String, arguments: [String] = []) throws(StoreError) -> QueryResult {
    guard FileManager.default.fileExists(atPath: path) else {
      throw StoreError(.notFound, "no run store at \(path): run a pipeline first, or pass --store PATH", path: path)
    }
    let queue: DatabaseQueue
    do {
      var configuration = configuration(readonly: true)
      configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA query_only = ON") }
      queue = try DatabaseQueue(path: path, configuration: configuration)
    } catch {
      throw StoreError(.cannotOpen, "cannot open the run store \(path) for reading", path: path, cause: error)
    }
    do {
      return try queue.read { db in
        let statement: Statement
        do {
          statement = try db.makeStatement(sql: sql)
        } catch let error as DatabaseError {
          throw StoreError(.query, "the query is not valid SQL", path: path, sql: sql, cause: error)
        }
        guard statement.isReadonly else {
          throw StoreError(
            .query, "siam query is read-only: it runs SELECT (and WITH ... SELECT) statements, not writes",
            path: path, sql: sql)
        }
        statement.arguments = StatementArguments(arguments)
        let columns = statement.columnNames
        var rows: [[QueryValue]] = []
        let cursor = try Row.fetchCursor(statement)
        while let row = try cursor.next() {
          rows.append(row.databaseValues.map(QueryValue.init))
        }
        return QueryResult(columns: columns, rows: rows)
      }
    } catch let error as StoreError {
      throw error
    } catch let error as DatabaseError where error.resultCode == .SQLITE_READONLY {
      throw StoreError(.query, "siam query is read-only: the statement tried to write", path: path, sql: sql)
    } catch {
      throw StoreError(.query, "the query failed", path: path, sql: sql, cause: error)
    }
  }
}

extension QueryValue {
  init(_ value: DatabaseValue) {
    switch value.storage {
    case .null: self = .null
    case .int64(let x): self = .integer(x)
    case .double(let x): self = .real(x)
    case .string(let s): self = .text(s)
    case .blob(let d): self = .blob(d)
    }
  }
}

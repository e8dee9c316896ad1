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
  public static func query(
    path: String, sql: String, arguments: [String] = [], timeout: TimeInterval = defaultQueryTimeout,
    maxRows: Int = defaultMaxRows
  ) throws(StoreError) -> QueryResult {
    guard FileManager.default.fileExists(atPath: path) else {
      throw StoreError(.notFound, "no run store at \(path): run a pipeline first, or pass --store PATH", path: path)
    }
    var configuration = configuration(readonly: true)
    configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA query_only = ON") }
    // A store on a read-only file system is opened immutable (SQLite cannot make the
    // WAL's shared-memory file there).
    let location = isWritableFolder(of: path) ? path : immutableURI(path)
    let queue: DatabaseQueue
    do {
      queue = try DatabaseQueue(path: location, configuration: configuration)
    } catch {
      throw StoreError(.cannotOpen, "cannot open the run store \(path) for reading", path: path, cause: error)
    }
    // A statement past its time is interrupted from another thread (sqlite3_interrupt);
    // it then fails with SQLITE_INTERRUPT, reported below in Siam's words. The watchdog is
    // a thread of its own, so that a busy dispatch pool cannot delay it.
    let finished = DispatchSemaphore(value: 0)
    if timeout > 0, timeout.isFinite {
      let watchdog = Thread {
        if finished.wait(timeout: .now() + timeout) == .timedOut { queue.interrupt() }
      }
      watchdog.start()
    }
    defer { finished.signal() }
    do {
      return try queue.read { db in
        let statement: Statement
        do {
          statement = try db.makeStatement(sql: sql)
        } catch let error as DatabaseError {
          if (error.message ?? "").lowercased().contains("multiple statements") {
            throw StoreError(
              .query, "siam query runs one statement; this text holds several (run them one at a time)",
              path: path, sql: sql)
          }
          throw StoreError(.query, "the query is not valid SQL", path: path, sql: sql, cause: error)
        }
        // A PRAGMA that only reads (no `=`, no argument list) is allowed even where SQLite
        // does not call it read-only (`PRAGMA journal_mode`); the connection is read-only
        // with query_only on, so nothing can write anyway.
        guard statement.isReadonly || Self.isReadingPragma(sql) else {
          throw StoreError(
            .query,
            "siam query is read-only: it runs SELECT (and WITH ... SELECT) statements and reading PRAGMAs, not writes",
            path: path, sql: sql)
        }
        statement.arguments = StatementArguments(arguments)
        let columns = statement.columnNames
        var rows: [[QueryValue]] = []
        let cursor = try Row.fetchCursor(statement)
        while let row = try cursor.next() {
          if rows.count == maxRows {
            throw StoreError(
              .query,
              "the result has more than \(maxRows) rows; add a LIMIT (or aggregate), or raise --max-rows",
              path: path, sql: sql)
          }
          rows.append(row.databaseValues.map(QueryValue.init))
        }
        return QueryResult(columns: columns, rows: rows)
      }
    } catch let error as StoreError {
      throw error
    } catch let error as DatabaseError where error.resultCode == .SQLITE_READONLY {
      throw StoreError(.query, "siam query is read-only: the statement tried to write", path: path, sql: sql)
    } catch let error as DatabaseError where error.resultCode == .SQLITE_INTERRUPT {
      throw StoreError(
        .query,
        "the query ran longer than \(Self.seconds(timeout)) and was stopped; narrow it (WHERE, LIMIT) or raise --timeout",
        path: path, sql: sql)
    } catch {
      throw StoreError(.query, "the query failed", path: path, sql: sql, cause: error)
    }
  }

  /// How long `siam query` lets a statement run by default.
  public static let defaultQueryTimeout: TimeInterval = 10
  /// How many rows `siam query` holds by default.
  public static let defaultMaxRows = 1_000_000

  /// Whether `sql` is a PRAGMA that reads (`PRAGMA journal_mode`, `PRAGMA table_info(run)`
  /// reads too, but its argument form is told apart from a write by the lack of `=`).
  static func isReadingPragma(_ sql: String) -> Bool {
    let text = sql.trimmingCharacters(in: .whitespacesAndNewlines.union(CharacterSet(charactersIn: ";")))
    guard text.lowercased().hasPrefix("pragma") else { return false }
    return !text.contains("=")
  }

  static func seconds(_ value: TimeInterval) -> String {
    value == value.rounded() ? "\(Int(value)) s" : String(format: "%.1f s", value)
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

import Foundation
import GRDB

/// The SQLite run store (`runs/siam.sqlite`): every run, stage, resolved parameter,
/// metric and artifact, for `siam runs/show/compare/query` and reruns.
///
/// Several processes may write one store at once: the database is in WAL mode (rollback
/// journal when the file system refuses WAL), every write is one `BEGIN IMMEDIATE`
/// transaction, and a writer that finds the database locked waits up to
/// `busyTimeout` for it. Opening a store brings its schema up to date and marks
/// `running` runs whose process is gone as `killed`.
///
/// Values are always bound, never interpolated into SQL.
public final class RunStore: Sendable {
  /// The default store path under a runs folder.
  public static func defaultPath(runs root: String = "runs") -> String { root + "/siam.sqlite" }

  /// How long a writer waits for a lock before failing.
  public static let busyTimeout: TimeInterval = 30

  /// A run on another host whose heartbeat is older than this is taken for killed.
  public static let staleHeartbeat: TimeInterval = 30 * 60

  /// The database file (`:memory:` for an in-memory store).
  public let path: String
  let queue: DatabaseQueue

  private init(path: String, queue: DatabaseQueue) {
    self.path = path
    self.queue = queue
  }

  /// Opens (creating it and its folder when missing) the store at `path`, migrates its
  /// schema and repairs stale `running` rows.
  ///
  /// - Parameter mustExist: Fail with `notFound` instead of creating a missing file
  ///   (the read commands).
  /// - Throws: `StoreError` (`cannotOpen`, `notFound`, `migration`).
  public static func open(path: String, mustExist: Bool = false) throws(StoreError) -> RunStore {
    if mustExist, !FileManager.default.fileExists(atPath: path) {
      throw StoreError(
        .notFound, "no run store at \(path): run a pipeline first (siam run FILE), or pass --store PATH",
        path: path)
    }
    let folder = (path as NSString).deletingLastPathComponent
    if !folder.isEmpty, !FileManager.default.fileExists(atPath: folder) {
      do {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
      } catch {
        throw StoreError(.cannotOpen, "cannot create the folder of the run store \(path)", path: path, cause: error)
      }
    }
    let queue: DatabaseQueue
    do {
      queue = try DatabaseQueue(path: path, configuration: configuration())
    } catch {
      // A store on a read-only file system (or in a folder this user cannot write) can
      // still be read: SQLite cannot make the WAL's shared-memory file there, so the
      // store is opened immutable, as it is.
      if mustExist, !isWritableFolder(of: path) { return try openReadOnly(path: path) }
      throw StoreError(.cannotOpen, "cannot open the run store \(path)", path: path, cause: error)
    }
    let store = RunStore(path: path, queue: queue)
    do {
      try store.migrate()
      _ = try store.repairStaleRuns()
    } catch {
      if mustExist, !isWritableFolder(of: path) { return try openReadOnly(path: path) }
      throw error
    }
    return store
  }

  /// Whether the folder of `path` can be written (false on a read-only file system).
  static func isWritableFolder(of path: String) -> Bool {
    let folder = (path as NSString).deletingLastPathComponent
    return access(folder.isEmpty ? "." : folder, W_OK) == 0 && (access(path, W_OK) == 0 || errno == ENOENT)
  }

  /// `path` as an SQLite URI that opens the file immutable and read-only.
  static func immutableURI(_ path: String) -> String {
    let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    var allowed = CharacterSet.urlPathAllowed
    allowed.remove(charactersIn: "?#%")
    return "file:" + (absolute.addingPercentEncoding(withAllowedCharacters: allowed) ?? absolute) + "?immutable=1"
  }

  /// The store at `path`, read-only and immutable, as it is (no migration, no repair).
  ///
  /// - Throws: `StoreError.cannotOpen`, or `.migration` when its schema is not this
  ///   version's (it cannot be brought up to date without writing).
  static func openReadOnly(path: String) throws(StoreError) -> RunStore {
    let queue: DatabaseQueue
    do {
      queue = try DatabaseQueue(path: immutableURI(path), configuration: configuration(readonly: true))
    } catch {
      throw StoreError(.cannotOpen, "cannot open the run store \(path) (read-only)", path: path, cause: error)
    }
    let store = RunStore(path: path, queue: queue)
    let applied = try store.appliedMigrations()
    guard applied == StoreSchema.migrator.migrations else {
      throw StoreError(
        .migration,
        "the run store \(path) is read-only and has an older schema (\(applied.last ?? "none")); copy it somewhere writable to read it",
        path: path)
    }
    return store
  }

  /// A migrated store in memory (tests).
  public static func inMemory() throws(StoreError) -> RunStore {
    let queue: DatabaseQueue
    do {
      queue = try DatabaseQueue(configuration: configuration())
    } catch {
      throw StoreError(.cannotOpen, "cannot open an in-memory store", cause: error)
    }
    let store = RunStore(path: ":memory:", queue: queue)
    try store.migrate()
    return store
  }

  /// Foreign keys on, WAL where the file system allows it, a busy timeout.
  static func configuration(readonly: Bool = false) -> Configuration {
    var configuration = Configuration()
    configuration.foreignKeysEnabled = true
    configuration.busyMode = .timeout(busyTimeout)
    configuration.readonly = readonly
    configuration.label = "siam.store"
    if !readonly {
      configuration.prepareDatabase { db in
        // Asks for WAL; SQLite keeps the old journal mode when the file system
        // cannot share memory (some network file systems), which is fine.
        _ = try? String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
        try db.execute(sql: "PRAGMA synchronous = NORMAL")
      }
    }
    return configuration
  }

  /// Applies the migrations the file lacks.
  ///
  /// Two processes may open a new store at once: the loser of the race fails to create
  /// tables that now exist, finds the schema complete and carries on.
  func migrate() throws(StoreError) {
    let migrator = StoreSchema.migrator
    var lastError: (any Error)?
    for _ in 0..<3 {
      do {
        try migrator.migrate(queue)
        return
      } catch {
        lastError = error
        if (try? queue.read({ try migrator.hasCompletedMigrations($0) })) == true { return }
      }
    }
    throw StoreError(.migration, "cannot bring the run store \(path) up to date", path: path, cause: lastError)
  }

  /// Runs `body` in one `BEGIN IMMEDIATE` transaction (waiting for other writers).
  func write<T>(_ what: String, _ body: (Database) throws -> T) throws(StoreError) -> T {
    do {
      return try queue.writeWithoutTransaction { db in
        var result: T?
        try db.inTransaction(.immediate) {
          result = try body(db)
          return .commit
        }
        return result!
      }
    } catch let error as StoreError {
      throw error
    } catch {
      throw StoreError(.write, "cannot \(what) in the run store \(path)", path: path, cause: error)
    }
  }

  /// Runs `body` in a read transaction.
  func read<T>(_ what: String, _ body: (Database) throws -> T) throws(StoreError) -> T {
    do {
      return try queue.read(body)
    } catch let error as StoreError {
      throw error
    } catch {
      throw StoreError(.read, "cannot read \(what) from the run store \(path)", path: path, cause: error)
    }
  }

  /// The applied migrations, oldest first.
  public func appliedMigrations() throws(StoreError) -> [String] {
    try read("the schema version") { try StoreSchema.migrator.appliedMigrations($0) }
  }

  /// The journal mode in use (`wal`, or `delete` where WAL is refused).
  public func journalMode() throws(StoreError) -> String {
    try read("the journal mode") { try String.fetchOne($0, sql: "PRAGMA journal_mode") ?? "" }
  }
}

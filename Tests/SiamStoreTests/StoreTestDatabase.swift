import GRDB
import SiamStore

/// Raw access to a store file, bypassing `RunStore` (old schema versions, tampering).
enum StoreTestDatabase {
  static func migrate(path: String, upTo version: String) throws {
    let queue = try DatabaseQueue(path: path)
    try StoreSchema.migrator.migrate(queue, upTo: version)
  }

  static func execute(path: String, sql: String) throws {
    var configuration = Configuration()
    configuration.foreignKeysEnabled = true
    let queue = try DatabaseQueue(path: path, configuration: configuration)
    try queue.write { try $0.execute(sql: sql) }
  }
}

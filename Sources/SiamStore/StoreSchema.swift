import GRDB

/// The schema of the run store, as named GRDB migrations.
///
/// A migration is frozen once it has landed: it names its tables and columns as
/// literals and is never edited. A change is a new migration appended to the list
/// (`v2`, ...), tested from an empty file and from every earlier version. The schema is
/// documented in docs/store.md.
public enum StoreSchema {
  /// Every migration, in order.
  public static var migrator: DatabaseMigrator {
    var migrator = DatabaseMigrator()
    migrator.registerMigration("v1", migrate: v1)
    migrator.registerMigration("v2", migrate: v2)
    return migrator
  }

  /// The identifier of the newest migration.
  public static var currentVersion: String { migrator.migrations.last! }

  // MARK: - v1

  /// Tables `sweep`, `run`, `stage_run`, `param`, `metric`, `metric_summary` (kept by a
  /// trigger on `metric`), `artifact`; views `final_metric` and `run_param`.
  static func v1(_ db: Database) throws {
    try db.execute(
      sql: """
        CREATE TABLE sweep (
          id TEXT NOT NULL PRIMARY KEY CHECK (length(id) > 0),
          pipeline TEXT NOT NULL,
          axes_json TEXT NOT NULL CHECK (json_valid(axes_json)),
          created_at TEXT NOT NULL
        );

        CREATE TABLE run (
          id TEXT NOT NULL PRIMARY KEY CHECK (length(id) > 0),
          pipeline TEXT NOT NULL,
          pipeline_path TEXT,
          pipeline_sha256 TEXT CHECK (pipeline_sha256 IS NULL OR length(pipeline_sha256) = 64),
          config_json TEXT NOT NULL CHECK (json_valid(config_json)),
          sweep_id TEXT REFERENCES sweep(id) ON DELETE SET NULL,
          sweep_point INTEGER CHECK (sweep_point >= 0),
          seed INTEGER NOT NULL,
          status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed', 'killed')),
          started_at TEXT NOT NULL,
          finished_at TEXT,
          seconds REAL CHECK (seconds IS NULL OR seconds >= 0),
          directory TEXT,
          engine_version TEXT NOT NULL,
          git_commit TEXT,
          git_dirty INTEGER CHECK (git_dirty IN (0, 1)),
          host TEXT NOT NULL,
          cpu TEXT,
          blas_core_type TEXT,
          threads INTEGER CHECK (threads >= 1),
          engine_threads INTEGER CHECK (engine_threads >= 1),
          pid INTEGER,
          heartbeat_at TEXT,
          rerun_of TEXT REFERENCES run(id) ON DELETE SET NULL,
          CHECK ((status = 'running') = (finished_at IS NULL)),
          CHECK (rerun_of IS NULL OR rerun_of <> id)
        );
        CREATE INDEX run_by_pipeline ON run(pipeline, started_at);
        CREATE INDEX run_by_sweep ON run(sweep_id);
        CREATE INDEX run_by_status ON run(status);
        CREATE INDEX run_by_rerun_of ON run(rerun_of);

        CREATE TABLE stage_run (
          run TEXT NOT NULL REFERENCES run(id) ON DELETE CASCADE,
          stage TEXT NOT NULL CHECK (length(stage) > 0),
          position INTEGER NOT NULL CHECK (position >= 0),
          kind TEXT NOT NULL,
          fingerprint TEXT NOT NULL CHECK (length(fingerprint) = 64),
          reason TEXT,
          cache_hit INTEGER NOT NULL CHECK (cache_hit IN (0, 1)),
          status TEXT NOT NULL
            CHECK (status IN ('pending', 'running', 'cached', 'completed', 'failed', 'skipped', 'killed')),
          started_at TEXT,
          finished_at TEXT,
          seconds REAL CHECK (seconds IS NULL OR seconds >= 0),
          error TEXT,
          PRIMARY KEY (run, stage),
          CHECK (cache_hit = (status = 'cached'))
        );
        CREATE INDEX stage_run_by_fingerprint ON stage_run(fingerprint);

        CREATE TABLE param (
          run TEXT NOT NULL REFERENCES run(id) ON DELETE CASCADE,
          key TEXT NOT NULL CHECK (length(key) > 0),
          value TEXT NOT NULL CHECK (json_valid(value)),
          numeric REAL,
          PRIMARY KEY (run, key)
        );
        CREATE INDEX param_by_key ON param(key, value);

        CREATE TABLE metric (
          id INTEGER PRIMARY KEY,
          run TEXT NOT NULL,
          stage TEXT NOT NULL,
          key TEXT NOT NULL CHECK (length(key) > 0),
          context TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(context) AND json_type(context) = 'object'),
          step INTEGER NOT NULL CHECK (step >= 0),
          epoch INTEGER CHECK (epoch >= 0),
          value REAL CHECK (value BETWEEN -1.7976931348623157e308 AND 1.7976931348623157e308),
          special TEXT CHECK (special IN ('nan', 'inf', '-inf')),
          time TEXT NOT NULL,
          CHECK ((value IS NULL) = (special IS NOT NULL)),
          FOREIGN KEY (run, stage) REFERENCES stage_run(run, stage) ON DELETE CASCADE
        );
        CREATE INDEX metric_by_series ON metric(run, stage, key, context, step);

        CREATE TABLE metric_summary (
          run TEXT NOT NULL,
          stage TEXT NOT NULL,
          key TEXT NOT NULL,
          context TEXT NOT NULL,
          count INTEGER NOT NULL CHECK (count >= 1),
          finite_count INTEGER NOT NULL CHECK (finite_count BETWEEN 0 AND count),
          first_step INTEGER NOT NULL,
          first_value REAL,
          first_special TEXT CHECK (first_special IN ('nan', 'inf', '-inf')),
          last_step INTEGER NOT NULL,
          last_value REAL,
          last_special TEXT CHECK (last_special IN ('nan', 'inf', '-inf')),
          min_step INTEGER,
          min_value REAL,
          max_step INTEGER,
          max_value REAL,
          PRIMARY KEY (run, stage, key, context),
          FOREIGN KEY (run, stage) REFERENCES stage_run(run, stage) ON DELETE CASCADE,
          CHECK ((first_value IS NULL) = (first_special IS NOT NULL)),
          CHECK ((last_value IS NULL) = (last_special IS NOT NULL)),
          CHECK ((min_value IS NULL) = (finite_count = 0) AND (min_step IS NULL) = (finite_count = 0)),
          CHECK ((max_value IS NULL) = (finite_count = 0) AND (max_step IS NULL) = (finite_count = 0))
        );

        -- Metrics are append-only; the summary follows every insert. First and last are
        -- by step (ties: the later insert is last); min and max are over finite values,
        -- with the step where each was first reached.
        CREATE TRIGGER metric_is_append_only BEFORE UPDATE ON metric
        BEGIN
          SELECT RAISE(ABORT, 'metric rows are append-only');
        END;

        CREATE TRIGGER metric_summarize AFTER INSERT ON metric
        BEGIN
          INSERT INTO metric_summary (
            run, stage, key, context, count, finite_count,
            first_step, first_value, first_special, last_step, last_value, last_special,
            min_step, min_value, max_step, max_value)
          VALUES (
            NEW.run, NEW.stage, NEW.key, NEW.context, 1, NEW.special IS NULL,
            NEW.step, NEW.value, NEW.special, NEW.step, NEW.value, NEW.special,
            CASE WHEN NEW.special IS NULL THEN NEW.step END, NEW.value,
            CASE WHEN NEW.special IS NULL THEN NEW.step END, NEW.value)
          ON CONFLICT (run, stage, key, context) DO UPDATE SET
            count = count + 1,
            finite_count = finite_count + excluded.finite_count,
            first_value = CASE WHEN excluded.first_step < first_step THEN excluded.first_value ELSE first_value END,
            first_special = CASE WHEN excluded.first_step < first_step THEN excluded.first_special ELSE first_special END,
            first_step = min(first_step, excluded.first_step),
            last_value = CASE WHEN excluded.last_step >= last_step THEN excluded.last_value ELSE last_value END,
            last_special = CASE WHEN excluded.last_step >= last_step THEN excluded.last_special ELSE last_special END,
            last_step = max(last_step, excluded.last_step),
            min_step = CASE WHEN excluded.min_value < coalesce(min_value, 9e999) THEN excluded.min_step ELSE min_step END,
            min_value = CASE WHEN excluded.min_value < coalesce(min_value, 9e999) THEN excluded.min_value ELSE min_value END,
            max_step = CASE WHEN excluded.max_value > coalesce(max_value, -9e999) THEN excluded.max_step ELSE max_step END,
            max_value = CASE WHEN excluded.max_value > coalesce(max_value, -9e999) THEN excluded.max_value ELSE max_value END;
        END;

        CREATE TABLE artifact (
          run TEXT NOT NULL,
          stage TEXT NOT NULL,
          name TEXT NOT NULL CHECK (length(name) > 0),
          path TEXT NOT NULL CHECK (length(path) > 0),
          bytes INTEGER NOT NULL CHECK (bytes >= 0),
          sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
          PRIMARY KEY (run, stage, name),
          FOREIGN KEY (run, stage) REFERENCES stage_run(run, stage) ON DELETE CASCADE
        );
        CREATE INDEX artifact_by_sha256 ON artifact(sha256);

        -- The last value (by step) of every metric series; +-inf as REAL, NaN as NULL
        -- (`special` says which).
        CREATE VIEW final_metric AS
          SELECT run, stage, key, context, last_step AS step,
                 CASE last_special WHEN 'inf' THEN 9e999 WHEN '-inf' THEN -9e999 ELSE last_value END AS value,
                 last_special AS special
          FROM metric_summary;

        -- Parameters with `value` as a plain SQL value (strings unquoted, booleans 0/1,
        -- lists and objects as JSON text) and `numeric` for numbers.
        CREATE VIEW run_param AS
          SELECT run, key, json_extract(value, '$') AS value, numeric, value AS json
          FROM param;
        """)
  }

  // MARK: - v2

  /// Table `sweep_point`: where and how each point of a sweep ran (executor, Slurm job
  /// and array index, node, seconds queued and running), its state, and for a failed or
  /// cancelled point the reason and the tail of its log; `run_id` is the point's latest run.
  static func v2(_ db: Database) throws {
    try db.execute(
      sql: """
        CREATE TABLE sweep_point (
          sweep_id TEXT NOT NULL REFERENCES sweep(id) ON DELETE CASCADE,
          point INTEGER NOT NULL CHECK (point >= 0),
          overrides_json TEXT NOT NULL CHECK (json_valid(overrides_json)),
          status TEXT NOT NULL
            CHECK (status IN ('pending', 'queued', 'running', 'finished', 'failed', 'cancelled', 'skipped')),
          run_id TEXT REFERENCES run(id) ON DELETE SET NULL,
          executor TEXT NOT NULL CHECK (executor IN ('in-process', 'local', 'slurm')),
          job_id TEXT,
          array_index INTEGER CHECK (array_index >= 0),
          node TEXT,
          queued_seconds REAL CHECK (queued_seconds IS NULL OR queued_seconds >= 0),
          run_seconds REAL CHECK (run_seconds IS NULL OR run_seconds >= 0),
          error TEXT,
          log_tail TEXT,
          updated_at TEXT NOT NULL,
          PRIMARY KEY (sweep_id, point)
        );
        CREATE INDEX sweep_point_by_run ON sweep_point(run_id);
        """)
  }
}

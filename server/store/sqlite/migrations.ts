/**
 * Data migrations for the SQLite store, applied once each and recorded. Tables and indexes follow
 * the collection specs by themselves (see ensureCollection); migrations are for rewriting stored
 * documents when an entity's schemaVersion changes.
 */
import type Database from 'better-sqlite3';

export interface Migration {
  /** Strictly increasing; never reused. */
  id: number;
  description: string;
  up(db: Database.Database): void;
}

export function applyMigrations(db: Database.Database, migrations: readonly Migration[]): number[] {
  db.exec(
    'CREATE TABLE IF NOT EXISTS _migrations (id INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT',
  );
  const applied = new Set(
    (db.prepare('SELECT id FROM _migrations').all() as { id: number }[]).map((row) => row.id),
  );
  const ran: number[] = [];
  for (const migration of [...migrations].sort((a, b) => a.id - b.id)) {
    if (applied.has(migration.id)) continue;
    db.transaction(() => {
      migration.up(db);
      db.prepare('INSERT INTO _migrations (id, description, applied_at) VALUES (?, ?, ?)').run(
        migration.id,
        migration.description,
        new Date().toISOString(),
      );
    })();
    ran.push(migration.id);
  }
  return ran;
}

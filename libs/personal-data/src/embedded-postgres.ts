import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { SqlClient } from './contact-directory';

/**
 * PostgreSQL without a server, for `npm start` on a bare machine: PGlite,
 * Postgres compiled to WebAssembly, keeping its files in `dataDir`. It runs
 * inside this process, so only one process may open a directory: the api,
 * the only one that reads contacts. It is opened on first use, so processes
 * that never touch contacts never start it.
 */
export function embeddedPostgres(dataDir: string): SqlClient {
  let opened: Promise<PGlite> | undefined;
  const open = () =>
    (opened ??= (async () => {
      mkdirSync(dataDir, { recursive: true });
      const db = new PGlite(dataDir);
      await db.waitReady;
      return db;
    })());
  return {
    async query(text, params) {
      const { rows, affectedRows } = await (await open()).query(text, params);
      return { rows, rowCount: affectedRows ?? 0 };
    },
    async end() {
      if (opened) await (await opened).close();
    },
  };
}

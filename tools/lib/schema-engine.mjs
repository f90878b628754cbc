// Prisma's schema engine compiled to WebAssembly, driven through the pg driver adapter.
// The Prisma CLI needs a native schema-engine binary it downloads on first use; where it cannot
// (offline machines, locked-down CI), this applies the very same migration folders and records them
// in the same `_prisma_migrations` table, so `prisma migrate deploy` and this tool are interchangeable.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';

const require = createRequire(import.meta.url);
const FILTERS = { externalTables: [], externalEnums: [] };

// The engine reports Rust panics through this global before throwing; without it the report is lost.
globalThis.PRISMA_WASM_PANIC_REGISTRY ??= {
  set_message: (message) => process.stderr.write(`prisma schema engine panicked: ${message}\n`),
};

// The wasm-bindgen glue module is a singleton (cached by import()), so the module must be
// instantiated once per process: a second instance would corrupt the glue's memory views.
let bindingsPromise;
function loadWasmBindings() {
  bindingsPromise ??= instantiateWasm();
  return bindingsPromise;
}

async function instantiateWasm() {
  const dir = path.dirname(require.resolve('@prisma/schema-engine-wasm'));
  const bindings = await import(path.join(dir, 'schema_engine_bg.js'));
  const { instance } = await WebAssembly.instantiate(fs.readFileSync(path.join(dir, 'schema_engine_bg.wasm')), {
    './schema_engine_bg.js': bindings,
  });
  bindings.__wbg_set_wasm(instance.exports);
  instance.exports.__wbindgen_start?.();
  return bindings;
}

/**
 * The pg adapter runs a migration script by splitting it on every ";", which breaks function bodies
 * and DO blocks. The native engine sends the script whole; so do we, as one simple-protocol query,
 * which PostgreSQL runs as a single implicit transaction.
 */
class WholeScriptPgFactory extends PrismaPg {
  adapters = [];

  async connect() {
    const adapter = await super.connect();
    this.adapters.push(adapter);
    adapter.executeScript = async (script) => {
      try {
        await adapter.underlyingDriver().query(script);
      } catch (error) {
        adapter.onError(error);
      }
    };
    return adapter;
  }
}

/**
 * Opens a schema engine on `connectionString`: it connects at once, even for a schema-to-schema diff.
 * `close()` frees the engine and its connections (a database with open connections cannot be
 * used as a template or dropped).
 */
export async function openSchemaEngine({ schemaPath, connectionString }) {
  const bindings = await loadWasmBindings();
  const schema = fs.readFileSync(schemaPath, 'utf8');
  const factory = new WholeScriptPgFactory({ connectionString });
  const engine = await bindings.SchemaEngine.new(
    { datamodels: [[path.basename(schemaPath), schema]] },
    () => {},
    bindMigrationAwareSqlAdapterFactory(factory),
  );
  return {
    engine,
    async close() {
      engine.free();
      await Promise.all(factory.adapters.map((adapter) => adapter.dispose()));
    },
  };
}

export function readMigrationsList(migrationsDir) {
  const lockPath = path.join(migrationsDir, 'migration_lock.toml');
  const migrationDirectories = fs
    .readdirSync(migrationsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => ({
      path: name,
      migrationFile: {
        path: 'migration.sql',
        content: { tag: 'ok', value: fs.readFileSync(path.join(migrationsDir, name, 'migration.sql'), 'utf8') },
      },
    }));
  return {
    baseDir: path.resolve(migrationsDir),
    lockfile: { path: 'migration_lock.toml', content: fs.existsSync(lockPath) ? fs.readFileSync(lockPath, 'utf8') : null },
    shadowDbInitScript: '',
    migrationDirectories,
  };
}

export async function applyMigrations({ engine }, migrationsDir) {
  const { appliedMigrationNames } = await engine.applyMigrations({
    migrationsList: readMigrationsList(migrationsDir),
    filters: FILTERS,
  });
  return appliedMigrationNames;
}

export async function diffSchemas({ engine }, from, to) {
  const target = (file) =>
    file === null
      ? { tag: 'empty' }
      : { tag: 'schemaDatamodel', files: [{ path: path.basename(file.path), content: file.content }] };
  const result = await engine.diff({
    from: target(from),
    to: target(to),
    script: true,
    exitCode: null,
    filters: FILTERS,
  });
  return result.stdout ?? '';
}

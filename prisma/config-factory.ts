/**
 * One Prisma CLI config for every service database. Migrate runs through the bundled
 * WebAssembly schema engine and the pg driver adapter, because these machines cannot
 * download Prisma's native engines (see ../shared/PRISMA-OFFLINE.md beside the repo).
 */
import path from 'node:path';
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { defineConfig } from 'prisma/config';

const PG_CHAR_OID = 18;
const PG_NAME_OID = 19;
const PG_TEXT_OID = 25;

/**
 * Introspection reads PostgreSQL's internal "char" and name columns, which the adapter
 * refuses to deserialize (prisma/orm#27403). Reporting them as text is lossless.
 */
function reportInternalStringTypesAsText(): void {
  type FieldDescription = { dataTypeID: number };
  type ResultProto = { addFields: (this: unknown, fields: FieldDescription[]) => void; __textPatched?: boolean };
  const proto = (pg as unknown as { Result: { prototype: ResultProto } }).Result.prototype;
  if (proto.__textPatched) return;
  const original = proto.addFields;
  proto.addFields = function (fields: FieldDescription[]) {
    for (const field of fields) {
      if (field.dataTypeID === PG_CHAR_OID || field.dataTypeID === PG_NAME_OID) field.dataTypeID = PG_TEXT_OID;
    }
    original.call(this, fields);
  };
  proto.__textPatched = true;
}

/**
 * The stock shadow-database factory ignores the database name of a connection string and
 * drops the shadow database while its pool is still open. This one creates a uniquely named
 * database, connects to it by explicit fields, and closes the pool before dropping it.
 */
class PrismaPgWithShadowDb extends PrismaPg {
  constructor(private readonly url: string) {
    super({ connectionString: url });
  }

  override async connectToShadowDb() {
    const target = new URL(this.url);
    const name = `prisma_shadow_${Math.random().toString(36).slice(2, 10)}`;
    const admin = new pg.Client({ connectionString: this.url });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    const shadow = new PrismaPg({
      host: target.hostname,
      port: Number(target.port || 5432),
      user: decodeURIComponent(target.username) || undefined,
      password: decodeURIComponent(target.password) || undefined,
      database: name,
    });
    const adapter = await shadow.connect();
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      await dispose();
      const cleanup = new pg.Client({ connectionString: this.url });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await cleanup.end();
    };
    return adapter;
  }
}

export function serviceConfig(serviceDir: string) {
  reportInternalStringTypesAsText();
  return defineConfig({
    experimental: { adapter: true },
    engine: 'js',
    schema: serviceDir,
    migrations: { path: path.join(serviceDir, 'migrations') },
    adapter: async () => {
      const url = process.env.DATABASE_URL;
      if (!url) throw new Error('DATABASE_URL must be set for Prisma migrations');
      return new PrismaPgWithShadowDb(url);
    },
  });
}

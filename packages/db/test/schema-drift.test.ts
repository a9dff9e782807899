// The hand-written database types (src/schema.ts) against the schema the migrations really make:
// kysely-codegen reads the migrated PostgreSQL database, and the TypeScript compiler checks, table
// by table, that both name the same columns, that a column is nullable in one exactly when it is in
// the other, that the same columns may be left out of an insert (a default), and that our select
// types fit the database's (ours may be narrower: a CHECK-constrained text is a union here).
// PostgreSQL only: kysely-codegen connects over the wire, which the embedded PGlite has not.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { TestDatabase } from '../src/testing.js';
import { targets } from './helper.js';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const codegenManifest = require.resolve('kysely-codegen/package.json');
const CODEGEN_BIN = join(
  dirname(codegenManifest),
  (require(codegenManifest) as { bin: Record<string, string> }).bin['kysely-codegen']!,
);
const TSC_BIN = require.resolve('typescript/bin/tsc');

// How schema.ts maps PostgreSQL types (see open-database.ts: int8 is parsed to a number).
const TYPE_MAPPING = { int8: 'number', timestamptz: 'Date', jsonb: 'Record<string, unknown>' };

function checkFile(tables: string[]): string {
  return `import type { Insertable, Selectable } from 'kysely';
import type { DB } from './generated.js';
import type { Database } from '../../src/schema.js';

type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T];
type NullableKeys<T> = { [K in keyof T]-?: null extends T[K] ? K : never }[keyof T];
type Check<T extends keyof DB & keyof Database> = {
  columns: Exact<keyof DB[T], keyof Database[T]>;
  nullable: Exact<NullableKeys<Selectable<DB[T]>>, NullableKeys<Selectable<Database[T]>>>;
  requiredOnInsert: Exact<RequiredKeys<Insertable<DB[T]>>, RequiredKeys<Insertable<Database[T]>>>;
  select: Selectable<Database[T]> extends Selectable<DB[T]> ? true : false;
};
const same = { columns: true, nullable: true, requiredOnInsert: true, select: true } as const;
export const tables: Exact<keyof DB, keyof Database> = true;
${tables.map((table) => `export const ${table}: Check<'${table}'> = same;`).join('\n')}
`;
}

describe.skipIf(!targets.some((target) => target.kind === 'postgres'))(
  'src/schema.ts and the migrated database',
  () => {
    let database: TestDatabase;
    let dir: string;
    beforeAll(async () => {
      database = await targets.find((target) => target.kind === 'postgres')!.create();
      // Inside the package, so the check file resolves kysely; .test-results is not there in a fresh clone.
      await mkdir(join(PACKAGE_DIR, '.test-results'), { recursive: true });
      dir = await mkdtemp(join(PACKAGE_DIR, '.test-results', 'schema-drift-'));
    });
    afterAll(async () => {
      await database?.destroy();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('agree on every table: columns, nullability, defaults and types', async () => {
      await run(process.execPath, [
        CODEGEN_BIN,
        '--dialect',
        'postgres',
        '--url',
        database.url!,
        '--type-mapping',
        JSON.stringify(TYPE_MAPPING),
        '--out-file',
        join(dir, 'generated.ts'),
      ]);
      const generated = await readFile(join(dir, 'generated.ts'), 'utf8');
      const tables = [
        ...(generated.match(/export interface DB \{([^}]*)\}/)?.[1] ?? '').matchAll(/^\s*(\w+):/gm),
      ].map((match) => match[1]!);
      expect(tables).toContain('media');
      await writeFile(join(dir, 'check.ts'), checkFile(tables));
      await writeFile(
        join(dir, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            strict: true,
            noEmit: true,
            module: 'NodeNext',
            moduleResolution: 'NodeNext',
            target: 'ES2023',
            skipLibCheck: true,
            types: [],
          },
          files: ['check.ts'],
        }),
      );
      const compiled = await run(process.execPath, [TSC_BIN, '-p', join(dir, 'tsconfig.json')]).then(
        () => '',
        (error: { stdout?: string }) => error.stdout ?? String(error),
      );
      // On a difference the compiler names the table (Check<'…'>) and what differs.
      expect(compiled, `src/schema.ts differs from the migrated schema:\n${compiled}\n${generated}`).toBe('');
    });
  },
);

import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', '..', 'src');
// @iclood/client is bundled into the page too.
const CLIENT_SRC = join(import.meta.dirname, '..', '..', '..', '..', 'packages', 'client', 'src');

describe('the page and the HTTP contract', () => {
  it.each([
    ['the dashboard', SRC, 20],
    ['@iclood/client', CLIENT_SRC, 3],
  ])(
    '%s imports only types from @iclood/api-types (a value would put TypeBox and every schema in the page)',
    async (_, dir, atLeast) => {
      const files = (await readdir(dir, { recursive: true })).filter((file) => /\.(ts|svelte)$/.test(file));
      expect(files.length).toBeGreaterThan(atLeast);
      const offenders: string[] = [];
      for (const file of files) {
        const text = await readFile(join(dir, file), 'utf8');
        for (const match of text.matchAll(/import\s+(type\s+)?\{([^}]*)\}\s*from\s*'@iclood\/api-types'/g)) {
          if (match[1]) continue;
          const values = match[2]!
            .split(',')
            .map((name) => name.trim())
            .filter((name) => name !== '' && !name.startsWith('type '));
          if (values.length > 0) offenders.push(`${file}: ${values.join(', ')}`);
        }
      }
      expect(offenders).toEqual([]);
    },
  );
});

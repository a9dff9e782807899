import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', '..', 'src');

describe('the page and the HTTP contract', () => {
  it('imports only types from @iclood/api-types (a value would put TypeBox and every schema in the page)', async () => {
    const files = (await readdir(SRC, { recursive: true })).filter((file) => /\.(ts|svelte)$/.test(file));
    expect(files.length).toBeGreaterThan(20);
    const offenders: string[] = [];
    for (const file of files) {
      const text = await readFile(join(SRC, file), 'utf8');
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
  });
});

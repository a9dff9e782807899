import { describe, expect, it } from 'vitest';
import { fileNameExtension, sanitizeFileName, withClashSuffix } from '../src/index.js';

const bytes = (name: string) => Buffer.byteLength(name);
const now = new Date('2024-05-01T09:30:05Z');

describe('sanitizeFileName', () => {
  it('keeps an ordinary iPhone name as it is', () => {
    expect(sanitizeFileName('IMG_0001.HEIC')).toBe('IMG_0001.HEIC');
    expect(sanitizeFileName('Été à la plage – 🏖️.jpg')).toBe('Été à la plage – 🏖️.jpg');
  });

  it('keeps only the last segment of a path, whichever the separator', () => {
    expect(sanitizeFileName('../x')).toBe('x');
    expect(sanitizeFileName('../../x.jpg')).toBe('x.jpg');
    expect(sanitizeFileName('/etc/passwd')).toBe('passwd');
    expect(sanitizeFileName('C:\\Users\\x.jpg')).toBe('x.jpg');
    expect(sanitizeFileName('..\\..\\windows\\system.ini')).toBe('system.ini');
  });

  it('drops control characters, characters Windows and macOS refuse, and bidi spoofing', () => {
    expect(sanitizeFileName('a\u0000b\u0007c\u001f\u007f\u0085\u009f.jpg')).toBe('abc.jpg');
    expect(sanitizeFileName('a<b>c:d"e|f?g*h.png')).toBe('abcdefgh.png');
    expect(sanitizeFileName('invoice\u202Egpj.exe')).toBe('invoicegpj.exe');
    expect(sanitizeFileName('line\nbreak\r.mov')).toBe('linebreak.mov');
  });

  it('trims spaces and dots at both ends, so no hidden files and nothing Windows cannot open', () => {
    expect(sanitizeFileName('  .photo.jpg. . ')).toBe('photo.jpg');
    expect(sanitizeFileName('...hidden.jpg')).toBe('hidden.jpg');
    expect(sanitizeFileName('photo .jpg')).toBe('photo.jpg');
  });

  it('never yields "." or ".." or an empty name', () => {
    for (const junk of ['.', '..', '...', '', '   ', '/', '../', '\u0000\u0001', '<>:"|?*']) {
      const name = sanitizeFileName(junk, 'jpg', { now });
      expect(name).toMatch(/^upload-20240501-093005-[0-9a-f]{6}\.jpg$/);
    }
  });

  it('gives a name that is only junk a generated one, keeping its extension or the fallback', () => {
    expect(sanitizeFileName('????.heic', undefined, { now })).toMatch(
      /^upload-20240501-093005-[0-9a-f]{6}\.heic$/,
    );
    expect(sanitizeFileName('..', undefined, { now })).toMatch(/^upload-20240501-093005-[0-9a-f]{6}$/);
    const first = sanitizeFileName('***', 'mov', { now });
    const second = sanitizeFileName('***', 'mov', { now });
    expect(first).not.toBe(second);
  });

  it('adds the fallback extension only when the name has none', () => {
    expect(sanitizeFileName('IMG_0001', 'heic')).toBe('IMG_0001.heic');
    expect(sanitizeFileName('IMG_0001.HEIC', 'jpg')).toBe('IMG_0001.HEIC');
    expect(sanitizeFileName('IMG_0001', '.HEIC')).toBe('IMG_0001.HEIC');
    expect(sanitizeFileName('IMG_0001', '.../x')).toBe('IMG_0001');
  });

  it('prefixes Windows device names, with or without an extension', () => {
    expect(sanitizeFileName('CON')).toBe('_CON');
    expect(sanitizeFileName('nul.jpg')).toBe('_nul.jpg');
    expect(sanitizeFileName('com1.tar.gz')).toBe('_com1.tar.gz');
    expect(sanitizeFileName('LPT9.MOV')).toBe('_LPT9.MOV');
    expect(sanitizeFileName('CONSOLE.jpg')).toBe('CONSOLE.jpg');
    expect(sanitizeFileName('com10.jpg')).toBe('com10.jpg');
  });

  it('bounds a long name at 200 UTF-8 bytes without splitting a character, keeping the extension', () => {
    const long = `${'日本語'.repeat(40)}${'👨‍👩‍👧'.repeat(10)}.HEIC`;
    expect(bytes(long)).toBeGreaterThan(300);
    const name = sanitizeFileName(long);
    expect(bytes(name)).toBeLessThanOrEqual(200);
    expect(name.endsWith('.HEIC')).toBe(true);
    expect(name).not.toContain('\ufffd');
    expect(Buffer.from(name).toString('utf8')).toBe(name);
    expect(long.startsWith(name.slice(0, -'.HEIC'.length))).toBe(true);

    const family = sanitizeFileName(`${'a'.repeat(190)}${'👨‍👩‍👧'.repeat(3)}.jpg`);
    expect(family).toBe(`${'a'.repeat(190)}.jpg`);
  });

  it('normalises to NFC so the same name from macOS and iOS is one name', () => {
    const decomposed = 'Cafe\u0301.jpg';
    expect(sanitizeFileName(decomposed)).toBe('Caf\u00e9.jpg');
    expect(sanitizeFileName(decomposed)).toBe(sanitizeFileName('Caf\u00e9.jpg'));
  });

  it('is idempotent', () => {
    for (const input of ['../a b.jpg', 'CON.png', `${'é'.repeat(150)}.mov`, ' x. ', 'a\\b:c']) {
      const once = sanitizeFileName(input);
      expect(sanitizeFileName(once)).toBe(once);
    }
  });
});

describe('withClashSuffix', () => {
  it('numbers the stem, keeping the extension', () => {
    expect(withClashSuffix('IMG_0001.HEIC', 2)).toBe('IMG_0001 (2).HEIC');
    expect(withClashSuffix('IMG_0001.HEIC', 13)).toBe('IMG_0001 (13).HEIC');
    expect(withClashSuffix('README', 3)).toBe('README (3)');
    expect(withClashSuffix('IMG_0001.HEIC', 1)).toBe('IMG_0001.HEIC');
  });

  it('stays within 200 bytes for a name already at the limit', () => {
    const name = sanitizeFileName(`${'ü'.repeat(120)}.jpg`);
    expect(bytes(name)).toBeLessThanOrEqual(200);
    const suffixed = withClashSuffix(name, 9999);
    expect(bytes(suffixed)).toBeLessThanOrEqual(200);
    expect(suffixed.endsWith(' (9999).jpg')).toBe(true);
  });
});

describe('fileNameExtension', () => {
  it('finds the extension the library keeps, or none', () => {
    expect(fileNameExtension('IMG_0001.HEIC')).toBe('HEIC');
    expect(fileNameExtension('clip.mov ')).toBe('mov');
    expect(fileNameExtension('IMG_0001')).toBeUndefined();
    expect(fileNameExtension('IMG_0001.')).toBeUndefined();
  });
});

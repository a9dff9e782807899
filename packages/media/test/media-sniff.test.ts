import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sniffMediaType } from '../src/index.js';

/** An ISO-BMFF file start: an `ftyp` box, then the start of an `mdat`. */
function ftyp(major: string, compatible: string[] = []): Buffer {
  const box = Buffer.alloc(16 + 4 * compatible.length);
  box.writeUInt32BE(box.length, 0);
  box.write('ftyp', 4, 'latin1');
  box.write(major, 8, 'latin1');
  compatible.forEach((brand, i) => box.write(brand, 16 + 4 * i, 'latin1'));
  return Buffer.concat([box, Buffer.from([0, 0, 0, 16]), Buffer.from('mdat'), randomBytes(8)]);
}

function atom(type: string, size = 8): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(size, 0);
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, Buffer.alloc(32)]);
}

/** A TIFF header with IFD0 at offset 8 holding `tags` (each a SHORT of value 1). */
function tiff(order: 'II' | 'MM', tags: number[], magicOverride?: string): Buffer {
  const le = order === 'II';
  const buf = Buffer.alloc(8 + 2 + tags.length * 12 + 4);
  buf.write(magicOverride ?? (le ? 'II*\0' : 'MM\0*'), 0, 'latin1');
  const u16 = (value: number, at: number) =>
    le ? buf.writeUInt16LE(value, at) : buf.writeUInt16BE(value, at);
  const u32 = (value: number, at: number) =>
    le ? buf.writeUInt32LE(value, at) : buf.writeUInt32BE(value, at);
  u32(8, 4);
  u16(tags.length, 8);
  tags.forEach((tag, i) => {
    const at = 10 + i * 12;
    u16(tag, at);
    u16(3, at + 2);
    u32(1, at + 4);
    u16(1, at + 8);
  });
  return buf;
}

/** An EBML header; `docType` undefined leaves the DocType element out. */
function ebml(docType?: string): Buffer {
  const version = Buffer.from([0x42, 0x86, 0x81, 0x01]);
  const doc =
    docType === undefined
      ? Buffer.alloc(0)
      : Buffer.concat([Buffer.from([0x42, 0x82, 0x80 | docType.length]), Buffer.from(docType)]);
  const body = Buffer.concat([version, doc, Buffer.from([0x42, 0x87, 0x81, 0x04])]);
  return Buffer.concat([
    Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x80 | body.length]),
    body,
    Buffer.from([0x18, 0x53, 0x80, 0x67]),
  ]);
}

const photo = (mime: string, extension: string) => ({ mediaType: 'photo', mime, extension });
const video = (mime: string, extension: string) => ({ mediaType: 'video', mime, extension });

describe('sniffMediaType', () => {
  it('recognises the common photo formats', () => {
    expect(
      sniffMediaType(Buffer.from([0xff, 0xd8, 0xff, 0xe1, 0x00, 0x10, ...Buffer.from('Exif\0\0')])),
    ).toEqual(photo('image/jpeg', 'jpg'));
    expect(sniffMediaType(Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'))).toEqual(
      photo('image/png', 'png'),
    );
    expect(sniffMediaType(Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1'))).toEqual(
      photo('image/gif', 'gif'),
    );
    expect(sniffMediaType(Buffer.from('GIF87a\x01\x00\x01\x00', 'latin1'))).toEqual(
      photo('image/gif', 'gif'),
    );
    expect(sniffMediaType(Buffer.from('RIFF\x24\x00\x00\x00WEBPVP8 ', 'latin1'))).toEqual(
      photo('image/webp', 'webp'),
    );
    expect(sniffMediaType(tiff('II', [0x100, 0x101]))).toEqual(photo('image/tiff', 'tiff'));
    expect(sniffMediaType(tiff('MM', [0x100]))).toEqual(photo('image/tiff', 'tiff'));
  });

  it('recognises HEIC, HEIF and AVIF by ftyp brand, preferring a specific compatible brand over mif1', () => {
    expect(sniffMediaType(ftyp('heic', ['mif1', 'heic']))).toEqual(photo('image/heic', 'heic'));
    for (const brand of ['heix', 'heim', 'heis'])
      expect(sniffMediaType(ftyp(brand))).toEqual(photo('image/heic', 'heic'));
    for (const brand of ['hevc', 'hevx'])
      expect(sniffMediaType(ftyp(brand))).toEqual(photo('image/heic-sequence', 'heics'));
    expect(sniffMediaType(ftyp('mif1', ['mif1', 'heic']))).toEqual(photo('image/heic', 'heic'));
    expect(sniffMediaType(ftyp('mif1', ['mif1', 'miaf']))).toEqual(photo('image/heif', 'heif'));
    expect(sniffMediaType(ftyp('msf1', ['msf1']))).toEqual(photo('image/heif-sequence', 'heifs'));
    expect(sniffMediaType(ftyp('avif', ['avif', 'mif1', 'miaf']))).toEqual(photo('image/avif', 'avif'));
    expect(sniffMediaType(ftyp('mif1', ['avif']))).toEqual(photo('image/avif', 'avif'));
  });

  it('recognises RAW: DNG (by its tag or name), CR2, CR3, ORF, RW2, RAF, and TIFF-based RAW by name', () => {
    const dngTag = 0xc612;
    expect(sniffMediaType(tiff('II', [0x100, 0x10f, dngTag]))).toEqual(photo('image/x-adobe-dng', 'dng'));
    expect(sniffMediaType(tiff('MM', [dngTag]), 'IMG_0001.JPG')).toEqual(photo('image/x-adobe-dng', 'dng'));
    expect(sniffMediaType(tiff('II', [0x100]), 'IMG_0001.DNG')).toEqual(photo('image/x-adobe-dng', 'dng'));
    expect(sniffMediaType(tiff('II', [0x100]), 'DSC_0001.NEF')).toEqual(photo('image/x-nikon-nef', 'nef'));
    expect(sniffMediaType(tiff('II', [0x100]), 'DSC01234.ARW')).toEqual(photo('image/x-sony-arw', 'arw'));
    expect(sniffMediaType(tiff('II', [0x100]), 'scan.tif')).toEqual(photo('image/tiff', 'tiff'));

    const cr2 = Buffer.from('49492a00100000004352020000000000', 'hex');
    expect(sniffMediaType(cr2, 'IMG_0001.NEF')).toEqual(photo('image/x-canon-cr2', 'cr2'));
    expect(sniffMediaType(ftyp('crx ', ['crx ', 'isom']))).toEqual(photo('image/x-canon-cr3', 'cr3'));
    expect(sniffMediaType(tiff('II', [0x100], 'IIRO'))).toEqual(photo('image/x-olympus-orf', 'orf'));
    expect(sniffMediaType(tiff('II', [0x100], 'IIRS'))).toEqual(photo('image/x-olympus-orf', 'orf'));
    expect(sniffMediaType(tiff('II', [0x100], 'IIU\0'))).toEqual(photo('image/x-panasonic-rw2', 'rw2'));
    expect(sniffMediaType(Buffer.from('FUJIFILMCCD-RAW 0201FF383501', 'latin1'))).toEqual(
      photo('image/x-fuji-raf', 'raf'),
    );
  });

  it('recognises MOV by ftyp qt or by a bare first atom', () => {
    expect(sniffMediaType(ftyp('qt  ', ['qt  ']))).toEqual(video('video/quicktime', 'mov'));
    for (const type of ['moov', 'mdat', 'wide', 'free', 'skip', 'pnot']) {
      expect(sniffMediaType(atom(type)), type).toEqual(video('video/quicktime', 'mov'));
    }
    expect(sniffMediaType(atom('mdat', 1))).toEqual(video('video/quicktime', 'mov'));
    expect(sniffMediaType(atom('moov', 3))).toBeUndefined();
  });

  it('recognises MP4, M4V, 3GP and 3G2 brands, and an unknown major brand by its compatible brands', () => {
    for (const brand of ['isom', 'iso2', 'iso6', 'mp41', 'mp42', 'avc1', 'dash', 'MSNV', 'NDAS', 'F4V ']) {
      expect(sniffMediaType(ftyp(brand)), brand).toEqual(video('video/mp4', 'mp4'));
    }
    for (const brand of ['M4V ', 'M4VH', 'M4VP'])
      expect(sniffMediaType(ftyp(brand))).toEqual(video('video/x-m4v', 'm4v'));
    expect(sniffMediaType(ftyp('3gp4', ['isom', '3gp4']))).toEqual(video('video/3gpp', '3gp'));
    expect(sniffMediaType(ftyp('3g2a'))).toEqual(video('video/3gpp2', '3g2'));
    expect(sniffMediaType(ftyp('XYZW', ['abcd', 'mp42', 'isom']))).toEqual(video('video/mp4', 'mp4'));
    expect(sniffMediaType(ftyp('XYZW', ['abcd']))).toBeUndefined();
    expect(sniffMediaType(ftyp('M4A ', ['M4A ', 'mp42', 'isom']))).toBeUndefined();
  });

  it('recognises AVI, Matroska and WebM', () => {
    expect(sniffMediaType(Buffer.from('RIFF\x00\x10\x00\x00AVI LIST', 'latin1'))).toEqual(
      video('video/x-msvideo', 'avi'),
    );
    expect(sniffMediaType(ebml('matroska'))).toEqual(video('video/x-matroska', 'mkv'));
    expect(sniffMediaType(ebml('webm'))).toEqual(video('video/webm', 'webm'));
    expect(sniffMediaType(ebml())).toEqual(video('video/x-matroska', 'mkv'));
    expect(sniffMediaType(ebml('nothing'))).toBeUndefined();
  });

  it('goes by the bytes, not the name', () => {
    expect(sniffMediaType(Buffer.from('just some notes, not a photo\n'), 'IMG_0001.jpg')).toBeUndefined();
    expect(sniffMediaType(Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), 'clip.mov')).toEqual(
      photo('image/png', 'png'),
    );
    expect(sniffMediaType(Buffer.from('%PDF-1.7\n'), 'scan.tiff')).toBeUndefined();
    expect(sniffMediaType(Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt ', 'latin1'), 'x.avi')).toBeUndefined();
  });

  it('returns undefined for empty, truncated and random input without throwing', () => {
    expect(sniffMediaType(Buffer.alloc(0))).toBeUndefined();
    expect(sniffMediaType(Buffer.from([0xff, 0xd8]))).toBeUndefined();
    expect(sniffMediaType(Buffer.from('II*\0', 'latin1'), 'x.dng')).toEqual(
      photo('image/x-adobe-dng', 'dng'),
    );
    expect(sniffMediaType(Buffer.from('\0\0\0\x08ftyp', 'latin1'))).toBeUndefined();
    expect(sniffMediaType(Buffer.from([0x1a, 0x45, 0xdf, 0xa3]))).toBeUndefined();
    for (let i = 0; i < 200; i++) {
      const noise = randomBytes(1 + (i % 64));
      expect(() => sniffMediaType(noise)).not.toThrow();
    }
  });

  it('accepts a head that is a view into a larger buffer', () => {
    const big = Buffer.concat([Buffer.from('garbage!'), ftyp('heic', ['mif1'])]);
    expect(sniffMediaType(big.subarray(8))).toEqual(photo('image/heic', 'heic'));
    expect(sniffMediaType(new Uint8Array(big.buffer, big.byteOffset + 8, big.length - 8))).toEqual(
      photo('image/heic', 'heic'),
    );
  });
});

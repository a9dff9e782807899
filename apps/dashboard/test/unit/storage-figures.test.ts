import type { CleanupResult, SystemStorage } from '@iclood/api-types';
import { describe, expect, it } from 'vitest';
import { cleanupSentence, diskSegments, diskSentence } from '../../src/lib/storage-figures.js';

const GB = 1_000_000_000;

function report(overrides: Partial<SystemStorage> = {}): SystemStorage {
  return {
    scope: 'household',
    disk: { totalBytes: 100 * GB, freeBytes: 40 * GB, usedBytes: 58 * GB },
    library: { items: 10, bytes: 20 * GB, byType: [], byUser: [], byDevice: [] },
    trash: { items: 1, bytes: 2 * GB },
    thumbnails: { files: 30, bytes: 1 * GB },
    resumableUploads: { uploads: 0, receivedBytes: 0, pendingBytes: 0 },
    minFreeBytes: GB,
    warnings: [],
    ...overrides,
  };
}

describe('diskSegments', () => {
  it('splits the disk into others, library, thumbnails, trash and free, adding up to the disk', () => {
    const segments = diskSegments(report());
    expect(segments.map((segment) => [segment.part, segment.bytes])).toEqual([
      ['others', 37 * GB],
      ['library', 20 * GB],
      ['thumbnails', 1 * GB],
      ['trash', 2 * GB],
      ['free', 40 * GB],
    ]);
    expect(segments.reduce((sum, segment) => sum + segment.share, 0)).toBeCloseTo(1);
  });

  it('gives a member their own library and trash, no thumbnails, and the rest as everything else', () => {
    const segments = diskSegments(report({ scope: 'user', thumbnails: null }));
    expect(segments.map((segment) => segment.label)).toEqual([
      'Everything else',
      'Your library',
      'Your trash',
      'Free',
    ]);
    expect(segments[0]!.bytes).toBe(38 * GB);
  });

  it('never shows a negative part when the figures were read at different moments', () => {
    const segments = diskSegments(
      report({ disk: { totalBytes: 10 * GB, freeBytes: 5 * GB, usedBytes: 5 * GB } }),
    );
    expect(segments[0]!.bytes).toBe(0);
    expect(segments.every((segment) => segment.share >= 0)).toBe(true);
  });
});

describe('diskSentence', () => {
  it('says every figure in words', () => {
    expect(diskSentence(report())).toBe(
      '40.0 GB free of 100 GB; the library uses 20.0 GB, thumbnails 1.0 GB, the trash 2.0 GB; other files 37.0 GB.',
    );
  });
});

describe('cleanupSentence', () => {
  const nothing: CleanupResult = {
    trash: { items: 0, bytes: 0 },
    tempFiles: { files: 0, bytes: 0 },
    orphanThumbnails: { files: 0, bytes: 0 },
    bytesFreed: 0,
  };

  it('says what was freed, part by part', () => {
    expect(
      cleanupSentence({
        trash: { items: 2, bytes: 5_000_000 },
        tempFiles: { files: 1, bytes: 200_000 },
        orphanThumbnails: { files: 0, bytes: 0 },
        bytesFreed: 5_200_000,
      }),
    ).toBe('Freed 5.2 MB: 2 items from the trash (5.0 MB), 1 unfinished upload (200 KB).');
  });

  it('says so when nothing was freed', () => {
    expect(cleanupSentence(nothing)).toBe('Nothing needed cleaning up: no space was freed.');
  });
});

import type { BackupSession } from '@iclood/api-types';
import { formatBytes } from './format.js';

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * What a backup session did, in words: "12 new files (34.2 MB), 3 already backed up, 1 failed";
 * "Nothing new" when it stored, skipped and lost nothing.
 */
export function describeBackupResult(
  session: Pick<BackupSession, 'files' | 'bytes' | 'duplicates' | 'failures'>,
): string {
  const parts: string[] = [];
  if (session.files > 0)
    parts.push(`${count(session.files, 'new file', 'new files')} (${formatBytes(session.bytes)})`);
  if (session.duplicates > 0) parts.push(`${session.duplicates} already backed up`);
  if (session.failures > 0) parts.push(`${session.failures} failed`);
  return parts.length === 0 ? 'Nothing new' : parts.join(', ');
}

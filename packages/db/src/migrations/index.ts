import type { Migration } from 'kysely';

import * as initial from './2026_11_21_0001_initial.js';
import * as ingest from './2026_11_21_0002_ingest.js';
import * as library from './2026_11_21_0003_library.js';
import * as nameSearch from './2026_11_21_0004_name_search.js';
import * as userLibraryFolder from './2026_12_05_0001_user_library_folder.js';
import * as pairingOpenedBy from './2026_12_06_0001_pairing_opened_by.js';
import * as lastBackupEnded from './2026_12_06_0002_last_backup_ended.js';
import * as adminRole from './2026_12_06_0003_admin_role.js';
import * as partialUploads from './2026_12_06_0004_partial_uploads.js';
import * as backupSessionsByStart from './2026_12_07_0001_backup_sessions_by_start.js';

/**
 * Every migration, by name. Names start with a sortable timestamp; Kysely applies them in name
 * order. A static list (not a folder scan) so it works the same from `src/` and from `dist/`.
 */
export const migrations: Readonly<Record<string, Migration>> = {
  '2026_11_21_0001_initial': initial,
  '2026_11_21_0002_ingest': ingest,
  '2026_11_21_0003_library': library,
  '2026_11_21_0004_name_search': nameSearch,
  '2026_12_05_0001_user_library_folder': userLibraryFolder,
  '2026_12_06_0001_pairing_opened_by': pairingOpenedBy,
  '2026_12_06_0002_last_backup_ended': lastBackupEnded,
  '2026_12_06_0003_admin_role': adminRole,
  '2026_12_06_0004_partial_uploads': partialUploads,
  '2026_12_07_0001_backup_sessions_by_start': backupSessionsByStart,
};

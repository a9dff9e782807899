export { StorageError, type StorageErrorCode } from './errors.js';
export { dataLayout, prepareDataLayout, type DataLayout } from './data-layout.js';
export { readOrCreateFile } from './persistent-file.js';
export { lockDataDir } from './data-dir-lock.js';

/**
 * @iclood/storage: the data directory, and the library's streaming, crash-safe ingest path —
 * receive to a temp file while hashing (its head kept for `@iclood/media` to sniff), commit to
 * `<user>/<YYYY>/<MM>/` without ever overwriting, and sweep what a crash left behind. No Fastify,
 * no environment, no SQL.
 */
export { StorageError, type StorageErrorCode } from './errors.js';
export { dataLayout, prepareDataLayout, type DataLayout } from './data-layout.js';
export { readOrCreateFile } from './persistent-file.js';
export { lockDataDir } from './data-dir-lock.js';
export { fileNameExtension, sanitizeFileName, withClashSuffix, MAX_FILE_NAME_BYTES } from './file-names.js';
export {
  existingLibraryFolders,
  libraryRelativeDir,
  resolveInsideLibrary,
  LIBRARY_TMP_DIR,
} from './library-layout.js';
export { assertFreeSpace, diskUsage, formatBytes, type DiskUsage } from './free-space.js';
export {
  receiveToTemp,
  discardTemp,
  isDiskFullError,
  type ReceiveToTempOptions,
  type ReceivedUpload,
} from './temp-upload.js';
export { commitToLibrary, type CommitToLibraryOptions, type LibraryPlacement } from './library-commit.js';
export { sweepLibrary, type SweepLibraryOptions, type SweepResult } from './startup-sweep.js';
export {
  finishRemovalIntents,
  recordLibraryRemoval,
  REMOVAL_INTENT_SUFFIX,
  type LibraryRemoval,
  type LibraryRemovalItem,
  type RemovalSweepResult,
  type RemovedFiles,
} from './library-removal.js';
export {
  THUMBNAIL_SIZES,
  parseThumbnailFileName,
  removeThumbnails,
  thumbnailPath,
  type ThumbnailSize,
} from './thumbnail-layout.js';
export {
  createZipStream,
  writeZip,
  type WriteZipOptions,
  type ZipDataEntry,
  type ZipEntry,
  type ZipFileEntry,
  type ZipSkippedFile,
  type ZipStreamOptions,
} from './zip-stream.js';
export {
  sweepOrphanThumbnails,
  thumbnailUsage,
  type FileTally,
  type SweepOrphanThumbnailsOptions,
} from './thumbnail-sweep.js';
export { sweepStaleUploads, type StaleUploadSweepResult } from './stale-upload-sweep.js';
export { appendToFile, type AppendToFileOptions, type AppendedPart } from './file-append.js';
export { RunningFileHash } from './running-hash.js';

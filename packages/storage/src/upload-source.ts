import { Readable } from 'node:stream';
import { StorageError } from './errors.js';

/** An iterator over a request body that leaves a `Readable` undestroyed when it stops early. */
export function sourceIterator(source: Readable | AsyncIterable<Uint8Array>): AsyncIterator<unknown> {
  // Not destroying a Readable on an early stop lets the caller still answer (413, 409) on that connection.
  if (source instanceof Readable) return source.iterator({ destroyOnReturn: false });
  return source[Symbol.asyncIterator]();
}

/** The chunk as bytes; a string chunk (a Readable with an encoding) is refused. */
export function asBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  throw new TypeError('an upload needs binary chunks (a Readable without setEncoding, or Uint8Arrays)');
}

/** `UPLOAD_ABORTED`, caused by the signal's reason. */
export function abortError(signal: AbortSignal): StorageError {
  return new StorageError('UPLOAD_ABORTED', 'the upload was aborted before it was complete', {
    cause: signal.reason,
  });
}

/**
 * The iterator's next chunk, or `UPLOAD_ABORTED` as soon as the signal fires, even while a silent
 * client keeps next() pending. The listener lives for one chunk only, so nothing piles up on a
 * long upload.
 */
export function nextUnlessAborted(
  iterator: AsyncIterator<unknown>,
  signal: AbortSignal | undefined,
): Promise<IteratorResult<unknown>> {
  if (signal === undefined) return iterator.next();
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    iterator.next().then(
      (result) => {
        signal.removeEventListener('abort', onAbort);
        resolve(result);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Lets the source go without waiting: after an abort, it may still be blocked in next(). */
export function releaseSource(iterator: AsyncIterator<unknown>): void {
  void (async () => iterator.return?.())().catch(() => undefined);
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** True for the errors a full disk or an exhausted quota gives. */
export function isDiskFullError(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/** `STORAGE_FULL` for a full disk's error (caused by it), the error itself otherwise. */
export function diskFullAsStorageError(error: unknown, what: string): unknown {
  if (!isDiskFullError(error)) return error;
  return new StorageError(
    'STORAGE_FULL',
    `the disk filled up while receiving ${what} (${errorCode(error)})`,
    {
      cause: error,
    },
  );
}

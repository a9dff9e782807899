/**
 * The browser's upload queue: files wait, go two at a time, and end added, already there, not
 * supported, failed or cancelled. Grids hear about new items through `libraryChanges`, at most
 * once a second while uploads run and once when they stop.
 */
import { notifySessionEnded, type ApiError } from './api-client.js';
import { describeApiError } from './error-messages.js';
import { libraryChanges } from './library-changes.svelte.js';
import { sendAnyFile, type UploadOutcome } from './upload-request.js';

const CONCURRENT_UPLOADS = 2;
const CHANGE_INTERVAL_MS = 1000;

export type UploadState =
  'waiting' | 'uploading' | 'added' | 'duplicate' | 'unsupported' | 'failed' | 'cancelled';

/** Codes meaning "this file is not a photo or video the library takes". */
const NOT_MEDIA_CODES = new Set(['UNSUPPORTED_MEDIA_TYPE', 'EMPTY_FILE']);

let nextEntryId = 0;

export class UploadEntry {
  readonly id = `upload-${++nextEntryId}`;
  readonly file: File;
  state = $state<UploadState>('waiting');
  loaded = $state(0);
  /** The server's words when the upload failed. */
  problem = $state<string>();
  /** A duplicate of an item that is now in the trash. */
  inTrash = $state(false);
  abort: (() => void) | undefined;

  constructor(file: File) {
    this.file = file;
  }

  get name(): string {
    return this.file.name;
  }
  get size(): number {
    return this.file.size;
  }
  get finished(): boolean {
    return this.state !== 'waiting' && this.state !== 'uploading';
  }
  /** 0–100, for the progress bar. */
  get percent(): number {
    if (this.state === 'added' || this.state === 'duplicate') return 100;
    if (this.size === 0) return 0;
    return Math.min(100, Math.floor((this.loaded / this.size) * 100));
  }
}

export interface UploadSummary {
  added: number;
  duplicate: number;
  unsupported: number;
  failed: number;
  cancelled: number;
  pending: number;
}

export class UploadQueue {
  entries = $state<UploadEntry[]>([]);
  #changePending = false;
  #lastChange = 0;
  #changeTimer: ReturnType<typeof setTimeout> | undefined;

  readonly active = $derived(this.entries.some((entry) => !entry.finished));

  readonly summary = $derived.by((): UploadSummary => {
    const summary: UploadSummary = {
      added: 0,
      duplicate: 0,
      unsupported: 0,
      failed: 0,
      cancelled: 0,
      pending: 0,
    };
    for (const entry of this.entries) {
      if (entry.state === 'waiting' || entry.state === 'uploading') summary.pending += 1;
      else summary[entry.state] += 1;
    }
    return summary;
  });

  /** Overall progress, 0–100, over the files not cancelled: finished ones count as whole. */
  readonly percent = $derived.by(() => {
    let total = 0;
    let done = 0;
    for (const entry of this.entries) {
      if (entry.state === 'cancelled') continue;
      total += entry.size;
      done += entry.finished ? entry.size : Math.min(entry.loaded, entry.size);
    }
    if (total === 0) return this.entries.some((entry) => entry.state !== 'cancelled') ? 100 : 0;
    return Math.floor((done / total) * 100);
  });

  add(files: Iterable<File>): void {
    const added = [...files].map((file) => new UploadEntry(file));
    if (added.length === 0) return;
    this.entries = [...this.entries, ...added];
    this.#pump();
  }

  cancel(entry: UploadEntry): void {
    if (entry.state === 'waiting') entry.state = 'cancelled';
    else if (entry.state === 'uploading') entry.abort?.();
    this.#pump();
  }

  cancelAll(): void {
    // Waiting ones first, so an aborted upload does not hand its slot to the next in line.
    for (const entry of this.entries) if (entry.state === 'waiting') entry.state = 'cancelled';
    for (const entry of this.entries) if (entry.state === 'uploading') entry.abort?.();
    this.#pump();
  }

  retry(entry: UploadEntry): void {
    if (!entry.finished || entry.state === 'added' || entry.state === 'duplicate') return;
    entry.state = 'waiting';
    entry.loaded = 0;
    entry.problem = undefined;
    this.#pump();
  }

  /** Forgets the finished files (the panel was closed). */
  clearFinished(): void {
    this.entries = this.entries.filter((entry) => !entry.finished);
  }

  #pump(): void {
    let running = this.entries.filter((entry) => entry.state === 'uploading').length;
    for (const entry of this.entries) {
      if (running >= CONCURRENT_UPLOADS) break;
      if (entry.state !== 'waiting') continue;
      running += 1;
      void this.#upload(entry);
    }
    if (!this.active) this.#flushChange();
  }

  async #upload(entry: UploadEntry): Promise<void> {
    entry.state = 'uploading';
    entry.loaded = 0;
    const request = sendAnyFile(entry.file, (loaded) => (entry.loaded = loaded));
    entry.abort = request.abort;
    const outcome = await request.done;
    entry.abort = undefined;
    this.#settle(entry, outcome);
    this.#pump();
  }

  #settle(entry: UploadEntry, outcome: UploadOutcome): void {
    if (outcome.kind === 'cancelled') {
      entry.state = 'cancelled';
      return;
    }
    if (outcome.kind === 'failed') {
      this.#fail(entry, outcome.error);
      return;
    }
    entry.loaded = entry.size;
    entry.inTrash = outcome.result.trashed === true;
    if (outcome.result.status === 'created') {
      entry.state = 'added';
      this.#noteChange();
    } else {
      entry.state = 'duplicate';
    }
  }

  #fail(entry: UploadEntry, error: ApiError): void {
    if (NOT_MEDIA_CODES.has(error.code)) {
      entry.state = 'unsupported';
      return;
    }
    entry.state = 'failed';
    entry.problem = describeApiError(error);
    if (error.status === 401) {
      // Every other file would meet the same answer: stop, and send the person to sign in again.
      for (const other of this.entries) if (other.state === 'waiting') other.state = 'cancelled';
      for (const other of this.entries) if (other.state === 'uploading') other.abort?.();
      notifySessionEnded();
    }
  }

  #noteChange(): void {
    this.#changePending = true;
    if (this.#changeTimer !== undefined) return;
    const wait = Math.max(0, this.#lastChange + CHANGE_INTERVAL_MS - Date.now());
    this.#changeTimer = setTimeout(() => this.#flushChange(), wait);
  }

  #flushChange(): void {
    clearTimeout(this.#changeTimer);
    this.#changeTimer = undefined;
    if (!this.#changePending) return;
    this.#changePending = false;
    this.#lastChange = Date.now();
    libraryChanges.changed();
  }

  /** Stops everything (the page is going away). */
  dispose(): void {
    this.cancelAll();
    this.#flushChange();
  }
}

/** "12 added, 3 already backed up, 1 not supported". */
export function describeSummary(summary: UploadSummary): string {
  const parts: string[] = [];
  if (summary.pending > 0) parts.push(`${summary.pending} to go`);
  if (summary.added > 0) parts.push(`${summary.added} added`);
  if (summary.duplicate > 0) parts.push(`${summary.duplicate} already backed up`);
  if (summary.unsupported > 0) parts.push(`${summary.unsupported} not supported`);
  if (summary.failed > 0) parts.push(`${summary.failed} failed`);
  if (summary.cancelled > 0) parts.push(`${summary.cancelled} cancelled`);
  return parts.join(', ');
}

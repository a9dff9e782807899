/** True when a drag carries files from outside the page (not text, not a link). */
export function isFileDrag(transfer: DataTransfer | null): transfer is DataTransfer {
  return transfer !== null && Array.from(transfer.types).includes('Files');
}

/**
 * The files of a drop. A dropped folder shows up as a file too (no type, and unreadable); those
 * are left out, as the upload would only fail on them.
 */
export function dropTargetFiles(transfer: DataTransfer): File[] {
  const files: File[] = [];
  const items = Array.from(transfer.items);
  if (items.length > 0) {
    for (const item of items) {
      if (item.kind !== 'file') continue;
      if (item.webkitGetAsEntry?.()?.isDirectory) continue;
      const file = item.getAsFile();
      if (file) files.push(file);
    }
    return files;
  }
  return Array.from(transfer.files);
}

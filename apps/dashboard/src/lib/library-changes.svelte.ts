/**
 * A counter the views watch: bumped after anything that changes which items a grid should show
 * (an upload finished, items moved to or back from the trash), so open grids load again.
 */
class LibraryChanges {
  version = $state(0);
  changed(): void {
    this.version += 1;
  }
}

export const libraryChanges = new LibraryChanges();

// What bench/dashboard/dashboard.mjs runs inside the pages it measures — the dashboard and the bare
// baseline pages alike, so both are timed by the same code. `installProbe` is added as an init
// script (it runs before the page's own scripts, in every document) and is serialised by
// Playwright, so it must not use anything from this module's scope.
//
// "Thumbnails painted" means: no month placeholder (`.loading-rows`) intersects the viewport, at
// least one tile does, every `.tile img` intersecting the viewport has loaded (complete, natural
// size > 0) and `decode()` has resolved, and then one more frame has been produced (a task queued
// from requestAnimationFrame runs after that frame's paint). The time of that task is the figure.
// The check runs once per frame, so figures are late by at most one frame (~17 ms).

/* global window, document, PerformanceObserver, requestAnimationFrame */

/** Installs `window.__bench`: long-task records and the waits below. */
export function installProbe() {
  const bench = { longTasks: [] };
  window.__bench = bench;
  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        bench.longTasks.push({ start: entry.startTime, duration: entry.duration });
      }
    }).observe({ type: 'longtask', buffered: true });
  } catch {
    bench.longTasks = undefined;
  }

  const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
  const afterNextPaint = () =>
    new Promise((resolve) => requestAnimationFrame(() => setTimeout(() => resolve(performance.now()), 0)));
  const inView = (rect) =>
    rect.width > 0 &&
    rect.height > 0 &&
    rect.bottom > 0 &&
    rect.right > 0 &&
    rect.top < window.innerHeight &&
    rect.left < window.innerWidth;
  const visible = (selector) =>
    [...document.querySelectorAll(selector)].filter((element) => inView(element.getBoundingClientRect()));
  const domSize = () => document.getElementsByTagName('*').length;

  /** The screen as it is now; `monthPrefix` ('2020-'): a month of that year must be in view. */
  function screen(monthPrefix) {
    const images = visible('.tile img');
    const placeholders = visible('.loading-rows, .tile .placeholder').length;
    const month = monthPrefix === undefined || visible(`[data-month^="${monthPrefix}"]`).length > 0;
    const ready =
      month &&
      placeholders === 0 &&
      images.length > 0 &&
      images.every((image) => image.complete && image.naturalWidth > 0);
    return { ready, images };
  }

  /** Resolves once the screen's thumbnails are painted (see above), or after `timeoutMs`. */
  bench.waitPainted = async (monthPrefix, timeoutMs = 30_000) => {
    const started = performance.now();
    for (;;) {
      const { ready, images } = screen(monthPrefix);
      if (ready) {
        await Promise.all(images.map((image) => image.decode().catch(() => undefined)));
        const at = await afterNextPaint();
        const tiles = images.map((image) => {
          const rect = image.closest('.tile').getBoundingClientRect();
          return [rect.left, rect.top, rect.width, rect.height].map((value) => Math.round(value));
        });
        return { at, tiles, dom: domSize() };
      }
      if (performance.now() - started > timeoutMs) return { at: undefined, tiles: [], dom: domSize() };
      await frame();
    }
  };
  // The first view is watched from the first frame of the document.
  bench.firstView = bench.waitPainted(undefined, 60_000);

  /**
   * Clicks the year `yearsBack` years before the newest one in the year rail and resolves when a
   * month of that year is on screen with its thumbnails painted; `ms` from the click.
   */
  bench.jump = async (yearsBack, timeoutMs = 30_000) => {
    await bench.firstView;
    const buttons = [...document.querySelectorAll('nav[aria-label="Years"] button')];
    const years = buttons.map((button) => Number(button.textContent.trim()));
    const year = Math.max(...years) - yearsBack;
    const button = buttons[years.indexOf(year)];
    if (!button) return { error: `no ${year} in the year rail (${years.join(', ')})` };
    const clicked = performance.now();
    button.click();
    const painted = await bench.waitPainted(`${year}-`, timeoutMs);
    return { ...painted, year, clicked, ms: painted.at === undefined ? undefined : painted.at - clicked };
  };

  /** Of a grid of points over the screen that land on a tile, how many show a loaded image. */
  function paintedShare() {
    let tiles = 0;
    let painted = 0;
    for (const y of [0.2, 0.5, 0.8]) {
      for (const x of [0.1, 0.3, 0.5, 0.7, 0.85]) {
        const element = document.elementFromPoint(x * window.innerWidth, y * window.innerHeight);
        const tile = element?.closest('.tile');
        if (!tile) continue;
        tiles += 1;
        const image = tile.querySelector('img');
        if (image?.complete && image.naturalWidth > 0) painted += 1;
      }
    }
    return tiles === 0 ? 1 : painted / tiles;
  }

  /**
   * Scrolls the whole document top to bottom, one viewport per step: scroll, `framesPerStep`
   * frames, then (the dashboard) frames until no month placeholder is left in the DOM — the
   * months in and around the screen have their items and tiles — at most `settleCapMs`. It does
   * not wait for the thumbnails themselves: a quick scroll through the library, a screen every
   * few frames. The DOM size is sampled every frame; how much of each screen showed loaded
   * thumbnails when the next step came is recorded.
   */
  bench.scrollThrough = async ({ framesPerStep = 2, settleCapMs = 2000, maxMs = 240_000 } = {}) => {
    window.scrollTo(0, 0);
    await frame();
    await frame();
    const started = performance.now();
    let steps = 0;
    let unsettled = 0;
    let paintedSum = 0;
    let maxDom = domSize();
    let maxDomAt = 0;
    let truncated = false;
    const sample = () => {
      const size = domSize();
      if (size > maxDom) {
        maxDom = size;
        maxDomAt = window.scrollY;
      }
    };
    const monthsPending = () => document.querySelector('.loading-rows') !== null;
    const atBottom = () => window.scrollY + window.innerHeight >= document.documentElement.scrollHeight - 2;
    while (!atBottom()) {
      window.scrollBy(0, window.innerHeight);
      steps += 1;
      for (let i = 0; i < framesPerStep; i++) {
        await frame();
        sample();
      }
      const stepStarted = performance.now();
      while (monthsPending() && performance.now() - stepStarted < settleCapMs) {
        await frame();
        sample();
      }
      if (monthsPending()) unsettled += 1;
      paintedSum += paintedShare();
      if (performance.now() - started > maxMs) {
        truncated = true;
        break;
      }
    }
    const ended = performance.now();
    // Long tasks are reported when they end: wait a moment for the last ones.
    await new Promise((resolve) => setTimeout(resolve, 300));
    return {
      started,
      steps,
      unsettled,
      painted: steps === 0 ? 1 : paintedSum / steps,
      truncated,
      maxDom,
      maxDomAt,
      ms: ended - started,
      height: document.documentElement.scrollHeight,
      longTasks:
        bench.longTasks === undefined
          ? undefined
          : bench.longTasks.filter((task) => task.start >= started && task.start <= ended),
    };
  };
}

/**
 * The requests that started at or after `since` (page clock, ms), and with `since` 0 the document
 * and its milestones: [what, start, end], in order of start.
 */
export function waterfall(since) {
  const entries = [];
  if (since === 0) {
    const [navigation] = performance.getEntriesByType('navigation');
    entries.push(['document', 0, navigation.responseEnd]);
    for (const mark of ['domInteractive', 'domContentLoadedEventEnd', 'loadEventEnd']) {
      entries.push([`(${mark})`, navigation[mark], navigation[mark]]);
    }
  }
  for (const entry of performance.getEntriesByType('resource')) {
    if (entry.startTime < since) continue;
    const url = new URL(entry.name);
    entries.push([url.pathname + url.search, entry.startTime, entry.responseEnd]);
  }
  return entries.sort((a, b) => a[1] - b[1]);
}

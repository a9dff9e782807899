// The baseline of bench/dashboard/dashboard.mjs for the first view and the jump: a plain HTML page
// of the same thumbnails served by a bare node:http server on 127.0.0.1 — no framework, no API, no
// script of the page's own beyond a few lines for the jump. What the browser must do anyway to
// show those thumbnails (the page, the image requests on one origin, decode, raster) is measured
// here; the dashboard's figures are divided by these.
//
//   /first  the dashboard's first screen: the same number of tiles at the same places, plus a year
//           rail whose button for the jump swaps in the tiles the dashboard showed after its jump
//
// Tiles are `<li class="tile"><img loading="lazy" decoding="async"></li>` as in the dashboard, so
// the probe (page-probe.mjs) reads both the same way. Every thumbnail URL is distinct and answers
// the same WebP bytes with the headers the iClood server sends for thumbnails.
import { Buffer } from 'node:buffer';
import { createServer } from 'node:http';

const STYLE = `
  body { margin: 0; font: 16px system-ui, sans-serif; }
  .tile { position: absolute; overflow: hidden; border-radius: 4px; background: #dde2ea; list-style: none; }
  .tile img { width: 100%; height: 100%; object-fit: cover; display: block; }
  nav { position: fixed; right: 4px; top: 88px; display: flex; flex-direction: column; z-index: 2; }
  .screen { position: absolute; left: 0; top: 0; width: 100%; height: 100vh; }
`;

const tileHtml = (src, [left, top, width, height]) =>
  `<li class="tile" style="left:${left}px;top:${top}px;width:${width}px;height:${height}px">` +
  `<img src="${src}" alt="" loading="lazy" decoding="async" draggable="false"></li>`;

/**
 * The first-screen page: `firstTiles` and `jumpTiles` are [left, top, width, height] in viewport
 * pixels (the page is not scrolled); `years` label the rail, the button for `jumpYear` swaps the
 * tiles into a section of `jumpMonth` (for the probe's "a month of that year is in view").
 */
function firstPage({ firstTiles, jumpTiles, years, jumpYear, jumpMonth }) {
  const first = firstTiles.map((rect, index) => tileHtml(`/thumbs/first-${index}.webp`, rect)).join('');
  const jump = jumpTiles.map((rect, index) => tileHtml(`/thumbs/jump-${index}.webp`, rect)).join('');
  const buttons = years
    .map((year) =>
      year === jumpYear
        ? `<button type="button" onclick="jump()">${year}</button>`
        : `<button type="button">${year}</button>`,
    )
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>baseline</title>
<style>${STYLE}</style></head><body>
<nav aria-label="Years">${buttons}</nav>
<main id="grid"><section class="screen" data-month="first"><ul>${first}</ul></section></main>
<script>
  const jumpHtml = ${JSON.stringify(jump)};
  function jump() {
    document.getElementById('grid').innerHTML = '<section class="screen" data-month="${jumpMonth}"><ul>' + jumpHtml + '</ul></section>';
  }
</script>
</body></html>`;
}

/**
 * Starts the bare server on 127.0.0.1 (a free port). `thumbnail` is the WebP every thumbnail URL
 * answers. `setFirstPage(options)` defines what /first shows. Returns { origin, setFirstPage, close }.
 */
export async function startBaselineServer(thumbnail) {
  const pages = new Map();
  const server = createServer((request, response) => {
    const path = new URL(request.url, 'http://127.0.0.1').pathname;
    if (path.startsWith('/thumbs/')) {
      response.writeHead(200, {
        'content-type': 'image/webp',
        'content-length': thumbnail.length,
        'cache-control': 'private, max-age=31536000, immutable',
        'x-content-type-options': 'nosniff',
      });
      response.end(thumbnail);
      return;
    }
    const page = pages.get(path);
    if (page === undefined) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    response.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-length': page.length,
      'cache-control': 'no-cache',
    });
    response.end(page);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    origin: `http://127.0.0.1:${port}`,
    setFirstPage: (options) => pages.set('/first', Buffer.from(firstPage(options))),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

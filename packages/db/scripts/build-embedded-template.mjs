#!/usr/bin/env node
// Builds dist/embedded-template.tar.gz: a fresh embedded database (PGlite's initdb, run here in
// memory with the settings the server runs it with), which a first start copies into place
// instead of running initdb on the Pi (see src/embedded-template.ts). Run by `build`, after tsc.
import { Buffer } from 'node:buffer';
import { writeFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { EMBEDDED_TEMPLATE } from '../dist/embedded-template.js';
import { embeddedStartParams } from '../dist/pglite-durable-fs.js';

const pglite = await PGlite.create({ startParams: embeddedStartParams() });
try {
  // A checkpoint first, so the copy starts from a clean control file and WAL.
  await pglite.exec('checkpoint');
  const archive = await pglite.dumpDataDir('gzip');
  await writeFile(EMBEDDED_TEMPLATE, Buffer.from(await archive.arrayBuffer()));
} finally {
  await pglite.close();
}

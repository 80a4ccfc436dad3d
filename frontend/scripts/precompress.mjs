// Build step after `vite build`: writes <file>.br (brotli, quality 11) and <file>.gz (gzip -9) next to each
// text file of the build (written after it, so never older), for the gateway to serve as they are to clients that accept them
// (gateway/core/static.py). Node's own zlib: no dependency. Usage: node scripts/precompress.mjs [dir]
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const COMPRESSIBLE = /\.(?:js|mjs|css|html|svg|json|txt|xml|map|webmanifest|wasm)$/i;
// Below this, the bytes saved do not pay for a second file and a Vary header.
const MIN_BYTES = 1024;
// A variant that saves less than this share is not worth serving.
const MAX_RATIO = 0.9;

const dir = process.argv[2] ?? 'dist';
const entries = await readdir(dir, { recursive: true, withFileTypes: true });
let before = 0;
let after = 0;
for (const entry of entries) {
  if (!entry.isFile() || !COMPRESSIBLE.test(entry.name)) continue;
  const path = join(entry.parentPath ?? entry.path, entry.name);
  const data = await readFile(path);
  if (data.length < MIN_BYTES) continue;
  const variants = {
    '.br': brotliCompressSync(data, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
      },
    }),
    '.gz': gzipSync(data, { level: 9 }),
  };
  before += data.length;
  for (const [suffix, bytes] of Object.entries(variants)) {
    if (bytes.length > data.length * MAX_RATIO) continue;
    await writeFile(path + suffix, bytes);
    if (suffix === '.br') after += bytes.length;
  }
}
console.log(`precompressed ${dir}: ${(before / 1024).toFixed(0)} KB of text, ${(after / 1024).toFixed(0)} KB as brotli`);

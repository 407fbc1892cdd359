import { mkdir, mkdtemp, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * A small real app: an entry, three modules (one loaded lazily, so bundlers emit a second chunk) and one dependency
 * from npm (`p-map`, linked from our own node_modules since the machine has no registry access for a fresh install).
 */
const APP_SOURCES: Record<string, string> = {
  'src/main.js': [
    "import pMap from 'p-map';",
    "import { priceOf } from './pricing.js';",
    "import { formatTotal } from './format.js';",
    '',
    'export async function checkout(items) {',
    '  const prices = await pMap(items, async (item) => priceOf(item), { concurrency: 2 });',
    '  const total = prices.reduce((sum, price) => sum + price, 0);',
    "  const { renderReceipt } = await import('./receipt.js');",
    '  return renderReceipt(items, formatTotal(total));',
    '}',
    '',
    "checkout(['apple', 'pear']).then((text) => globalThis.console.log(text));",
    'export default checkout;',
    '',
  ].join('\n'),
  'src/pricing.js': [
    'const PRICES = { apple: 3, pear: 4 };',
    'export function priceOf(item) {',
    "  if (!(item in PRICES)) throw new Error(`no price for ${item}`);",
    '  return PRICES[item];',
    '}',
    '',
  ].join('\n'),
  'src/format.js': ["export function formatTotal(cents) {", "  return `${(cents / 100).toFixed(2)} EUR`;", '}', ''].join('\n'),
  'src/receipt.js': ['export function renderReceipt(items, total) {', "  return `${items.join(', ')}: ${total}`;", '}', ''].join('\n'),
  'package.json': JSON.stringify({ name: 'plugin-e2e-app', private: true, type: 'module', dependencies: { 'p-map': '*' } }),
};

/** Writes the app into a fresh temp folder and returns it (the build output goes to `<dir>/dist`). */
export async function createPluginApp(): Promise<{ dir: string; outDir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'aa-plugin-app-'));
  for (const [path, text] of Object.entries(APP_SOURCES)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  await mkdir(join(dir, 'node_modules'));
  await symlink(join(REPO_ROOT, 'node_modules', 'p-map'), join(dir, 'node_modules', 'p-map'), 'dir');
  return { dir, outDir: join(dir, 'dist') };
}

/** Every file under `dir`, by path relative to it, with its bytes. */
export async function readTree(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(relative(dir, path), await readFile(path));
  }
  return files;
}

export { REPO_ROOT };

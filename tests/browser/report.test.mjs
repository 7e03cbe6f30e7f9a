// The quarterly report in headless Chromium (Debian's `chromium`), in every language given:
// - axe-core audits the page (every rule axe runs by default: WCAG 2.0/2.1 A and AA and best
//   practices): zero violations;
// - the page printed to PDF (A4, its print stylesheet) cuts no figure and no table row across pages,
//   and a table that runs over several pages repeats its header on each.
//
// How cuts are found: before printing, the test puts an invisible marker (absolutely positioned,
// so the layout does not move) at the top and at the bottom of each figure and of the first cell
// of each table row; a row's first cell is as tall as the row. pdf.js reads the text of each page
// of the PDF: an element is cut when its two markers are on different pages.
//
// Usage: REPORTS="dir1 dir2" node --test (each dir holds an index.html); CHROMIUM overrides
// /usr/bin/chromium. Run by .ci/run after it generates the demo report in French and English.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const AXE = require.resolve('axe-core/axe.min.js');
const reports = (process.env.REPORTS ?? path.join(here, '../../reports/demo/2026-Q3'))
  .split(/\s+/)
  .filter(Boolean);
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';

const profile = mkdtempSync(path.join(tmpdir(), 'fracture-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath,
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
  viewport: { width: 1280, height: 900 },
  offline: true,
});
after(async () => {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
});

async function open(dir) {
  const file = path.resolve(dir, 'index.html');
  assert.ok(existsSync(file), `${file} does not exist`);
  const page = await context.newPage();
  // Self-contained: the page asks for nothing but local files.
  const remote = [];
  page.on('request', (r) => {
    if (!r.url().startsWith('file:')) remote.push(r.url());
  });
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  return { page, remote };
}


// Runs in the page: puts the markers (see the header) on each figure, on the first cell of each
// row of the tables that print (not those folded in a <details>) and on each table's first header
// cell; returns their ids.
function MARK() {
  const marker = (host, text, edge) => {
    const m = document.createElement('span');
    m.textContent = text;
    m.setAttribute('aria-hidden', 'true');
    m.style.cssText = `position:absolute;left:0;${edge}:0;font:6px monospace;color:#fff;` +
      'line-height:6px;white-space:nowrap;pointer-events:none';
    host.appendChild(m);
  };
  const mark = (host, id) => {
    if (getComputedStyle(host).position === 'static') host.style.position = 'relative';
    marker(host, `QZ-${id}-S`, 'top');
    marker(host, `QZ-${id}-E`, 'bottom');
  };
  const out = { figures: [], rows: [], tables: [] };
  document.querySelectorAll('figure').forEach((f, i) => {
    mark(f, `F${i}`);
    out.figures.push({ id: `F${i}`, name: f.id });
  });
  document.querySelectorAll('table').forEach((t, i) => {
    if (t.closest('details') !== null) return;
    const head = t.querySelector('thead th');
    if (head) mark(head, `H${i}`);
    const rows = [...t.querySelectorAll('tbody tr')];
    rows.forEach((r, j) => {
      out.rows.push({ id: `R${i}x${j}`, table: i, name: r.cells[0].textContent.trim() });
      mark(r.cells[0], `R${i}x${j}`);
    });
    out.tables.push({ table: i, head: head ? `H${i}` : null, rows: rows.length });
  });
  return out;
}

// Prints the report in `dir` to PDF (A4, print media; `extraCss` added last) and returns which
// figures and table rows have their top and bottom on different pages, and the pages a table runs
// over without its header.
async function printed(dir, extraCss) {
  const { page } = await open(dir);
  if (extraCss) await page.addStyleTag({ content: extraCss });
  const marked = await page.evaluate(MARK);
  await page.emulateMedia({ media: 'print' });
  const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
  await page.close();

  // Pages (1-based) on which each marker appears.
  const doc = await getDocument({ data: new Uint8Array(pdf), useSystemFonts: false }).promise;
  const seen = new Map();
  for (let p = 1; p <= doc.numPages; p++) {
    const content = await (await doc.getPage(p)).getTextContent();
    const text = content.items.map((it) => it.str).join(' ');
    for (const m of text.matchAll(/QZ-([A-Za-z0-9]+)-([SE])/g)) {
      const key = `${m[1]}${m[2]}`;
      if (!seen.has(key)) seen.set(key, []);
      seen.get(key).push(p);
    }
  }
  const pages = doc.numPages;
  await doc.destroy();
  assert.ok(pages >= 3, `${pages} pages`);

  const cut = [];
  const check = (id, what) => {
    const s = seen.get(`${id}S`);
    const e = seen.get(`${id}E`);
    assert.ok(s && e, `${what}: its markers are missing from the PDF`);
    if (s[0] !== e[e.length - 1]) cut.push(`${what}: pages ${s[0]} to ${e[e.length - 1]}`);
    return s[0];
  };
  for (const f of marked.figures) check(f.id, `figure ${f.name}`);
  const rowPages = new Map();
  for (const r of marked.rows) {
    const p = check(r.id, `row "${r.name}" of table ${r.table}`);
    if (!rowPages.has(r.table)) rowPages.set(r.table, new Set());
    rowPages.get(r.table).add(p);
  }
  const headless = [];
  for (const t of marked.tables) {
    if (!t.head || t.rows === 0) continue;
    const heads = new Set(seen.get(`${t.head}S`) ?? []);
    for (const p of rowPages.get(t.table)) if (!heads.has(p)) headless.push(`table ${t.table}, page ${p}`);
  }
  return { figures: marked.figures.length, rows: marked.rows.length, cut, headless };
}

for (const dir of reports) {
  test(`axe-core finds no violation in ${dir}`, async () => {
    const { page, remote } = await open(dir);
    await page.addScriptTag({ path: AXE });
    const result = await page.evaluate(async () => {
      // eslint-disable-next-line no-undef
      const r = await axe.run(document, { resultTypes: ['violations'] });
      return {
        lang: document.documentElement.lang,
        violations: r.violations.map((v) => ({
          id: v.id,
          impact: v.impact,
          help: v.help,
          nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')}: ${n.failureSummary}`),
          count: v.nodes.length,
        })),
      };
    });
    await page.close();
    assert.match(result.lang, /^(fr|en)$/);
    assert.deepEqual(remote, [], 'the report requests nothing remote');
    assert.deepEqual(result.violations, [], JSON.stringify(result.violations, null, 2));
  });

  test(`printed on A4, ${dir} cuts no figure and no table row`, async () => {
    const { figures, rows, cut, headless } = await printed(dir);
    assert.ok(figures >= 5 && rows >= 20, `${figures} figures, ${rows} rows`);
    assert.deepEqual(cut, [], `cut across pages:\n${cut.join('\n')}`);
    assert.deepEqual(headless, [], 'tables without their header on a page they run over');
  });

  test(`the cut check sees cuts when ${dir} is printed without its rules`, async () => {
    // The same page with its print rules undone and elements made taller than what a page has
    // left: the check must report figures and rows cut, and pages without the table header.
    const { cut, headless } = await printed(dir, `@media print {
      figure, tr, li { break-inside: auto !important; page-break-inside: auto !important; }
      figure { padding-bottom: 150mm; }
      tbody th { height: 60mm; }
      thead { display: table-row-group !important; }
    }`);
    assert.ok(cut.some((c) => c.startsWith('figure')), `no figure cut found: ${cut}`);
    assert.ok(cut.some((c) => c.startsWith('row')), `no row cut found: ${cut}`);
    assert.ok(headless.length > 0, 'no missing header found');
  });
}

// Check that the zh_CN catalog translates every UI string of the extension.
// Usage: node labextension/scripts/check-i18n.mjs [--list]
// Strings are the first literal argument of `trans.__(...)` / `t.__(...)`.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const SRC = 'labextension/src';
const CATALOG = 'mo_jupyter/locale/zh_CN/LC_MESSAGES/mo_jupyter.json';

function files(dir) {
  return readdirSync(dir).flatMap(name => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : /\.tsx?$/.test(p) ? [p] : [];
  });
}

const re = /(?:trans|\bt)\.__\(\s*('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")/g;
const ids = new Set();
for (const file of files(SRC)) {
  const text = readFileSync(file, 'utf-8');
  for (const m of text.matchAll(re)) {
    const lit = m[1];
    ids.add(lit.slice(1, -1).replace(/\\(['"\\])/g, '$1'));
  }
}
if (process.argv.includes('--list')) {
  console.log(JSON.stringify([...ids], null, 1));
  process.exit(0);
}
const catalog = JSON.parse(readFileSync(CATALOG, 'utf-8'));
const header = catalog[''];
let bad = 0;
if (!header || header.language !== 'zh-CN' || !header.plural_forms) {
  console.error('catalog header must have language "zh-CN" and plural_forms');
  bad++;
}
for (const id of ids) {
  const tr = catalog[id];
  if (!Array.isArray(tr) || !tr[0]) {
    console.error(`missing: ${JSON.stringify(id)}`);
    bad++;
  } else {
    const want = (id.match(/%\d/g) || []).sort().join();
    const got = (tr[0].match(/%\d/g) || []).sort().join();
    if (want !== got) {
      console.error(`placeholders differ: ${JSON.stringify(id)}`);
      bad++;
    }
  }
}
for (const id of Object.keys(catalog)) {
  if (id && !ids.has(id)) {
    console.warn(`unused: ${JSON.stringify(id)}`);
  }
}
console.log(`${ids.size} strings, ${bad} problems`);
process.exit(bad ? 1 : 0);

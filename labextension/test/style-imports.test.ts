// The style sheets load twice over: JupyterLab's production build takes the
// styleModule (labextension/style/index.js), the development one may take
// index.css. Every sheet in the folder must be in both, or a panel ships
// unstyled in one of them (the New Project dialog did).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

const STYLE = path.resolve('labextension/style');

test('index.js and index.css load every style sheet of labextension/style', () => {
  const sheets = fs
    .readdirSync(STYLE)
    .filter(n => n.endsWith('.css') && n !== 'index.css')
    .sort();
  const js = fs.readFileSync(path.join(STYLE, 'index.js'), 'utf8');
  const css = fs.readFileSync(path.join(STYLE, 'index.css'), 'utf8');
  const fromJs = [...js.matchAll(/import '\.\/([\w-]+\.css)';/g)].map(
    m => m[1]
  );
  const fromCss = [...css.matchAll(/@import url\('([\w-]+\.css)'\);/g)].map(
    m => m[1]
  );
  assert.deepEqual([...fromJs].sort(), sheets);
  assert.deepEqual([...fromCss].sort(), sheets);
});

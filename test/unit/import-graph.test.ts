/**
 * The import graph of the shipped and tool code, read with TypeScript's own pre-processor (no module is loaded):
 * no import circle, and every arrow points down the floors the docs describe (docs/architecture.md):
 * lambda/ (the functions) ← infra/ (the stack) and local/ (the local stand-in) ← tools/ (commands) ← bench/.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import * as ts from 'typescript';

const ROOT = resolve(__dirname, '../..');
/** Which top-level folders each folder may import from (itself always). */
const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  lambda: [],
  infra: ['lambda'],
  local: ['lambda'],
  tools: ['lambda', 'local', 'infra'],
  bench: ['lambda', 'local', 'infra', 'tools'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'fixtures' ? [] : sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** The project files `file` imports (static imports, re-exports and literal dynamic imports), as paths from the root. */
function importsOf(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return importedFiles
    .map(({ fileName }) => fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => {
      const base = resolve(dirname(file), name);
      const found = [`${base}.ts`, join(base, 'index.ts'), base].find((candidate) => {
        try {
          return statSync(candidate).isFile();
        } catch {
          return false;
        }
      });
      if (!found) throw new Error(`${relative(ROOT, file)} imports ${name}, which is not a file of the tree`);
      return relative(ROOT, found);
    });
}

const graph = new Map<string, string[]>(
  Object.keys(MAY_IMPORT)
    .flatMap((folder) => sourceFiles(join(ROOT, folder)))
    .map((file) => [relative(ROOT, file), importsOf(file)]),
);

it('reads a graph of the whole tree (the check below is not vacuous)', () => {
  expect(graph.size).toBeGreaterThan(80);
  expect(graph.get('lambda/handler.ts')).toContain('lambda/http.ts');
});

it('has no import circle', () => {
  const state = new Map<string, 'open' | 'done'>();
  const circles: string[] = [];
  const visit = (file: string, path: string[]): void => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'open') {
      circles.push([...path.slice(path.indexOf(file)), file].join(' → '));
      return;
    }
    state.set(file, 'open');
    for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
    state.set(file, 'done');
  };
  for (const file of graph.keys()) visit(file, []);
  expect(circles).toEqual([]);
});

it('imports only down the floors: lambda ← infra, local ← tools ← bench', () => {
  const upward = [...graph].flatMap(([file, imports]) => {
    const from = file.split('/')[0];
    return imports
      .filter((target) => {
        const to = target.split('/')[0];
        return to !== from && !MAY_IMPORT[from].includes(to);
      })
      .map((target) => `${file} → ${target}`);
  });
  expect(upward).toEqual([]);
});

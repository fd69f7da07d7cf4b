/**
 * Summarizes V8 CPU profiles (node --cpu-prof, or node:inspector's Profiler) by who is responsible:
 * each sample's time goes to the nearest frame on its stack that belongs to a package or to the
 * project (Node internals and native helpers are charged to their caller), so "crypto Hmac called by
 * @smithy/signature-v4" counts as @smithy/signature-v4.
 */
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';

export interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
  readonly columnNumber: number;
}

export interface CpuProfile {
  readonly nodes: ReadonlyArray<{ readonly id: number; readonly callFrame: CallFrame; readonly children?: readonly number[] }>;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Returns an owner for frames that own their time, undefined for frames whose time goes to the caller. */
export type Classifier = (frame: CallFrame) => string | undefined;

/** Fallback owner for a stack with no owning frame at all (GC, idle, Node's own loader, ...). */
function unowned(frame: CallFrame): string {
  if (frame.functionName === 'compileSourceTextModule' || frame.functionName === 'wrapSafe')
    return 'node: compile (parse) of the module source';
  if (!frame.url) return frame.functionName.startsWith('(') ? frame.functionName : `native: ${frame.functionName || '(anonymous)'}`;
  if (frame.url.startsWith('node:internal/bootstrap') || frame.url.startsWith('node:internal/main')) return 'node: bootstrap';
  if (frame.url.startsWith('node:internal/modules')) return 'node: module loader';
  return `node: ${frame.url.replace(/^node:(internal\/)?/, '').split('/')[0]}`;
}

/** Microseconds per owner, summed over the given profiles. */
export function attribute(profiles: readonly CpuProfile[], classify: Classifier): Map<string, number> {
  const totals = new Map<string, number>();
  for (const profile of profiles) {
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    const parent = new Map<number, number>();
    for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
    const ownerOf = new Map<number, string>();
    const owner = (id: number): string => {
      const cached = ownerOf.get(id);
      if (cached !== undefined) return cached;
      let cursor: number | undefined = id;
      let found: string | undefined;
      while (cursor !== undefined && found === undefined) {
        found = classify(byId.get(cursor)!.callFrame);
        cursor = parent.get(cursor);
      }
      const result = found ?? unowned(byId.get(id)!.callFrame);
      ownerOf.set(id, result);
      return result;
    };
    profile.samples.forEach((id, i) => {
      const key = owner(id);
      totals.set(key, (totals.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
    });
  }
  return totals;
}

/** The package a path belongs to: `@scope/name` or `name` under node_modules. */
export function packageOf(path: string): string | undefined {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path);
  return match?.[1];
}

/** Owner of a source path: a package, or a part of this project. */
export function ownerOfPath(path: string): string | undefined {
  const pkg = packageOf(path);
  if (pkg) return pkg;
  if (/(^|\/)lambda\//.test(path)) return 'receiver code (lambda/)';
  if (/(^|\/)(bench|test|tools)\//.test(path)) return 'bench harness (stub, fixtures)';
  return undefined;
}

/** For source files run directly (tsx, node_modules): the owner is in the URL. */
export const byUrl: Classifier = (frame) =>
  frame.url.startsWith('file:') || frame.url.startsWith('/') ? ownerOfPath(frame.url) : undefined;

/** For a bundle: positions inside it are mapped back to their sources through its source map. */
export function byBundle(bundleFile: string): Classifier {
  const map = new SourceMap(JSON.parse(readFileSync(`${bundleFile}.map`, 'utf8')));
  const name = bundleFile.split('/').pop()!;
  return (frame) => {
    if (!frame.url.endsWith(`/${name}`)) return undefined;
    const entry = map.findEntry(frame.lineNumber, frame.columnNumber) as { originalSource?: string };
    // esbuild hoists every ESM module into the bundle's top scope: their top-level statements run here.
    if (!entry.originalSource) return 'bundle top level (scope-hoisted module bodies)';
    return ownerOfPath(entry.originalSource) ?? entry.originalSource;
  };
}

/** The biggest owners as [owner, share of the total, microseconds per profile]. */
export function top(
  totals: Map<string, number>,
  profiles: number,
  count: number,
): Array<{ owner: string; share: number; usPerRun: number }> {
  const sum = [...totals.values()].reduce((a, b) => a + b, 0);
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([owner, us]) => ({ owner, share: us / sum, usPerRun: us / profiles }));
}

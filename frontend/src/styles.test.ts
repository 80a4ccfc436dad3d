import { describe, expect, it } from 'vitest';

// Node's own, untyped here: the console's tsconfig has no @types/node.
declare const process: { cwd(): string };
type ReadFile = (path: string, encoding: 'utf8') => string;

// The build does not reject a stylesheet with a missing brace: every rule after it would silently go.
describe('styles.css', () => {
  it('closes every block it opens', async () => {
    const fs = 'node:fs';
    const { readFileSync } = (await import(/* @vite-ignore */ fs)) as { readFileSync: ReadFile };
    const css = readFileSync(`${process.cwd()}/src/styles.css`, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""');
    expect(css.length).toBeGreaterThan(10_000);
    let depth = 0;
    css.split('\n').forEach((line: string, index: number) => {
      for (const char of line) {
        if (char === '{') depth += 1;
        if (char === '}') depth -= 1;
        if (depth < 0) throw new Error(`an extra } on line ${index + 1}`);
      }
    });
    expect(depth).toBe(0);
  });
});

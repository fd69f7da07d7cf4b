/**
 * The layout's one hard rule, checked through the project's own ESLint config: the receiver's core (lambda/
 * outside lambda/aws/ and handler.ts) imports no AWS SDK, Powertools or Lambda runtime code; type-only imports
 * are fine. `npm run lint` enforces it on the tree; this pins that the rule exists and says what to do.
 * ESLint runs as a process (`--stdin`): its config is an ES module, which Jest's module sandbox cannot load.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const ESLINT = join(__dirname, '../../node_modules/eslint/bin/eslint.js');

/** The messages of the restricted-imports rule for `code` linted as if it were at `filePath`. */
function restricted(filePath: string, code: string): string[] {
  let output: string;
  try {
    output = execFileSync(process.execPath, [ESLINT, '--stdin', '--stdin-filename', filePath, '--format', 'json'], {
      input: code,
      encoding: 'utf8',
      cwd: join(__dirname, '../..'),
    });
  } catch (error) {
    // ESLint exits 1 when it reports an error; the report is still on stdout.
    output = String((error as { stdout?: string }).stdout ?? '');
  }
  const [result] = JSON.parse(output) as Array<{ messages: Array<{ ruleId: string | null; message: string }> }>;
  return result.messages.filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports').map((m) => m.message);
}

describe('the core imports no AWS or Lambda runtime code', () => {
  it('refuses an AWS SDK client, Powertools or smithy runtime import in lambda/ pipeline code, naming the fix', () => {
    const code = [
      "import { SNSClient } from '@aws-sdk/client-sns';",
      "import { Logger } from '@aws-lambda-powertools/logger';",
      "import { StandardRetryStrategy } from '@smithy/core/retry';",
      'export const all = [SNSClient, Logger, StandardRetryStrategy];',
    ].join('\n');
    const messages = restricted('lambda/probe.ts', code);
    expect(messages).toHaveLength(3);
    for (const message of messages) expect(message).toContain('put it behind a port');
  });

  it('allows type-only imports in the core, and the SDK at the edges (lambda/aws/, handler.ts)', () => {
    const code =
      "import type { Context } from 'aws-lambda';\nimport { SNSClient } from '@aws-sdk/client-sns';\nexport const c: [Context?, unknown?] = [undefined, SNSClient];\n";
    expect(restricted('lambda/aws/probe.ts', code)).toEqual([]);
    expect(restricted('lambda/handler.ts', code)).toEqual([]);
    expect(restricted('lambda/incidents/ack-handler.ts', code)).toEqual([]); // the acknowledge route's entry
    expect(restricted('lambda/incidents/ack-route.ts', code)).toHaveLength(1); // its core is not an edge
    expect(restricted('lambda/probe.ts', "import type { Context } from 'aws-lambda';\nexport type C = Context;\n")).toEqual([]);
  });
});

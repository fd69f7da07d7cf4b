/**
 * `npm test`'s pretest: what the tests need and npm cannot install, checked in about a second, before
 * type checking and synthesis spend a minute: Node.js 22+ and a Python with moto server.
 * Prints one line per missing piece with the commands that fix it; exit 1 if anything is missing.
 */
import { parseCommandLine, runCommand } from './cli';
import { findMotoPython, MotoMissingError } from '../local/moto';

const USAGE = `Usage: npx tsx tools/preflight.ts

Checks what \`npm test\` needs besides npm packages: Node.js 22 or newer, and moto server
(MOTO_PYTHON, then .venv/bin/python, then python3). Run by \`npm test\` first (pretest).`;

async function main(): Promise<number> {
  parseCommandLine(process.argv.slice(2), USAGE, {}); // refuses a Node.js older than 22 first
  const problems: string[] = [];
  try {
    const { python, source } = await findMotoPython();
    if (process.env.PREFLIGHT_VERBOSE) process.stdout.write(`moto: ${python} (${source})\n`);
  } catch (error) {
    if (!(error instanceof MotoMissingError)) throw error;
    problems.push(error.message);
  }
  for (const problem of problems) process.stderr.write(`error: ${problem}\n`);
  return problems.length === 0 ? 0 : 1;
}

if (require.main === module) runCommand(USAGE, main);

/**
 * The real CDK CLI (node_modules/.bin/cdk) as a child process in its own process group, so a time limit or a
 * failed run kills it with whatever it started (the app for `synth`). One log file per command in the work dir.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { REGION, ROOT } from './template';
import { motoEnv } from '../../local/moto';

/** REHEARSE_VERBOSE=1 streams the CLI's output. */
const VERBOSE = process.env.REHEARSE_VERBOSE === '1';

/** The CLI failed or ran past its limit; the message carries the tail of its output and the log's path. */
export class CdkFailure extends Error {
  override readonly name = 'CdkFailure';
}

let active: ChildProcess | undefined;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}

/** Stops the running CLI, if any (SIGTERM, then SIGKILL after 3 s): for afterAll and time limits. */
export function stopActiveCdk(): void {
  const child = active;
  if (!child) return;
  killGroup(child, 'SIGTERM');
  setTimeout(() => killGroup(child, 'SIGKILL'), 3000).unref();
}

/**
 * The CLI's environment: moto's endpoint and throwaway credentials, and nothing of the caller's own AWS setup
 * (no profile, session, role or service endpoint). AWS_ENDPOINT_URL_S3_FOR_CLOUDFORMATION: the CLI builds the
 * TemplateURL it hands CloudFormation from it; moto reads that URL from its own S3 and takes the first label
 * of a host it does not know ("127" of 127.0.0.1) as the bucket, so the URL must name "localhost". Only the
 * string matters: nothing connects to it.
 */
export function cdkEnv(endpoint: string, port: number, workDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) {
    if (
      /^AWS_(ENDPOINT_URL|PROFILE|DEFAULT_PROFILE|SESSION_TOKEN|ROLE_|WEB_IDENTITY|CONTAINER_|SHARED_CREDENTIALS_FILE|CONFIG_FILE)/.test(
        key,
      )
    )
      delete env[key];
  }
  return Object.assign(env, motoEnv(endpoint, REGION), {
    AWS_SHARED_CREDENTIALS_FILE: join(workDir, 'no-credentials'),
    AWS_CONFIG_FILE: join(workDir, 'no-config'),
    AWS_EC2_METADATA_DISABLED: 'true',
    CDK_DISABLE_CLI_TELEMETRY: '1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_ENDPOINT_URL_S3_FOR_CLOUDFORMATION: `http://localhost:${port}`,
  });
}

/** The tail of a CLI's output, without the SDK's Node-version notice, for a failure message. */
export function tail(output: string, lines = 25): string {
  return output
    .split('\n')
    .filter(
      (line) => line.trim() !== '' && !/NodeVersionSupportWarning|node >=22|January 2027|a\.co\/|trace-warnings|upgrade to node/.test(line),
    )
    .slice(-lines)
    .join('\n');
}

/**
 * Runs `cdk <args> --no-notices`, logging to `<workDir>/<logName>.log`. Resolves with the interleaved
 * output; throws CdkFailure on a non-zero exit or when `timeoutMs` passes (the process group is killed).
 */
export function cdk(
  args: string[],
  opts: { env: NodeJS.ProcessEnv; workDir: string; logName: string; timeoutMs: number },
): Promise<string> {
  const logPath = join(opts.workDir, `${opts.logName}.log`);
  const log = createWriteStream(logPath, { flags: 'a' });
  const shown = args.join(' ').replaceAll(opts.workDir, '<temp>');
  process.stdout.write(`  $ cdk ${shown}\n`);
  log.write(`$ cdk ${args.join(' ')}\n`);
  return new Promise((resolvePromise, reject) => {
    const child = spawn(join(ROOT, 'node_modules', '.bin', 'cdk'), [...args, '--no-notices'], {
      cwd: ROOT,
      env: opts.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    active = child;
    let output = '';
    let timedOut = false;
    const timer = setTimeout(
      () => {
        timedOut = true;
        stopActiveCdk();
      },
      Math.max(opts.timeoutMs, 0),
    );
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      output += text;
      log.write(text);
      if (VERBOSE) process.stdout.write(text.replace(/^(?=.)/gm, '    │ '));
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (error) => {
      clearTimeout(timer);
      if (active === child) active = undefined;
      log.end();
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      if (active === child) active = undefined;
      log.end('\n');
      if (timedOut)
        reject(new CdkFailure(`cdk ${args[0]} was still running at its ${Math.round(opts.timeoutMs / 1000)} s limit (log: ${logPath})`));
      else if (code !== 0)
        reject(new CdkFailure(`cdk ${args[0]} failed (exit ${code}); last lines:\n${tail(output)}\n(full log: ${logPath})`));
      else resolvePromise(output);
    });
  });
}

/**
 * Section 7 of `npm run bench`: balance confirmation (issue 14) on against off, in the same run. Cold: the deploy
 * bundle imported with and without VOXIMPLANT_API_URL (bench/cold.ts, interleaved with every other variant).
 * Warm: a 1-callback min_balance request with the stand-in answering GetAccountInfo on loopback, against the same
 * request with confirmation off (bench/confirmation.ts).
 */
import { ms, us, x, xt, type Add } from './common';
import type { ConfirmationResult } from './confirmation';
import type { Summary } from './stats';

/** The section's rows: each "on" figure with its ratio to "off". */
export function confirmationRows(
  add: Add,
  cold: { readonly off: Summary; readonly on: Summary },
  result: ConfirmationResult | string,
): void {
  const section = '7 confirm';
  add(
    section,
    'cold import, confirmation on (VOXIMPLANT_API_URL set)',
    `p50 ${ms(cold.on.p50)} · p90 ${ms(cold.on.p90)}`,
    `${xt(cold.on.p50 / cold.off.p50)} off (the deploy bundle row, p50 ${ms(cold.off.p50)}): the client is loaded on first use, not at import`,
  );
  if (typeof result === 'string') {
    add(section, 'warm, confirmation on/off', 'skipped', result);
    return;
  }
  const { off, on } = result.warmUs;
  add(
    section,
    'warm min_balance request, confirmation on',
    `p50 ${us(on.p50)} · p99 ${us(on.p99)}`,
    `${x(on.p50 / off.p50)} off (+${us(on.p50 - off.p50)}: one GetAccountInfo to the loopback stand-in); ${result.apiCallsPerInvocation.on} call/request; n=${on.n}`,
  );
  add(
    section,
    'warm min_balance request, confirmation off',
    `p50 ${us(off.p50)} · p99 ${us(off.p99)}`,
    `${result.apiCallsPerInvocation.off} calls/request`,
  );
  add(
    section,
    'first invocation, confirmation on',
    ms(result.firstInvocationMs.on),
    `${x(result.firstInvocationMs.on / result.firstInvocationMs.off)} off (${ms(result.firstInvocationMs.off)}): the client's lazy load and Node's fetch (undici) on first use`,
  );
}

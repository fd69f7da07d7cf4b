/** Reading what adapters sent through a stubbed SDK client (aws-sdk-client-mock). */
import type { AwsStub } from 'aws-sdk-client-mock';

/** The `abortSignal` each SDK call was sent with (the options of `client.send(command, options)`), in call order. */
export function signalsOf(client: AwsStub<any, any, any>): Array<AbortSignal | undefined> {
  return client.calls().map((call) => ((call.args as unknown[])[1] as { abortSignal?: AbortSignal } | undefined)?.abortSignal);
}

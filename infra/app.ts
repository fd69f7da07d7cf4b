/**
 * The CDK app: one environment-agnostic stack, checked by cdk-nag (AwsSolutions) on every synth.
 * Any unacknowledged finding, error or warning, fails `cdk synth` / `cdk deploy`.
 *
 * Runs under `npx tsx infra/app.ts` (cdk.json "app"); tests import `buildApp` to check exactly this app.
 */
import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ContextError } from './context';
import { VoximplantAlertsStack } from './stack';
import { STACK_NAME } from './stack-name';

export { STACK_NAME };

export function buildApp(props?: AppProps): { app: App; stack: VoximplantAlertsStack } {
  const app = new App(props);
  const stack = new VoximplantAlertsStack(app, STACK_NAME, {
    description: 'Voximplant account callbacks (webhooks) to email and SMS alerts',
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}

if (require.main === module) {
  try {
    buildApp().app.synth();
  } catch (error) {
    // A bad -c value: the message says which and what is expected; a stack trace would only hide it.
    if (!(error instanceof ContextError)) throw error;
    console.error(`\n${error.message}\n`);
    process.exit(1);
  }
}

// Runs the deployed bundle the way Lambda does: import the ESM file, call its handler for each event.
// Usage: node run-bundle.mjs <bundle.mjs>  (events as a JSON array on stdin; results on the last line)
import { pathToFileURL } from 'node:url';

const [bundle] = process.argv.slice(2);
let input = '';
for await (const chunk of process.stdin) input += chunk;
const { handler } = await import(pathToFileURL(bundle).href);
const results = [];
for (const [i, event] of JSON.parse(input).entries()) {
  const context = {
    functionName: 'VoximplantAlerts-Receiver',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:VoximplantAlerts-Receiver',
    memoryLimitInMB: '256',
    awsRequestId: `bundle-test-${i}`,
    logGroupName: '/aws/lambda/VoximplantAlerts-Receiver',
    logStreamName: 'bundle-test',
    getRemainingTimeInMillis: () => 10_000,
  };
  results.push(await handler(event, context));
}
process.stdout.write(`\nNODE ${process.version}\nRESULTS ${JSON.stringify(results)}\n`);

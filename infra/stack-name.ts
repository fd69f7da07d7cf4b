/** The stack's name, on its own so the tools can find the deployed stack without loading aws-cdk-lib. */
export const STACK_NAME = 'VoximplantAlerts';

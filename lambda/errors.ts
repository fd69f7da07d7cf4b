/** An error's name and message for a log line. AWS SDK errors carry no secret values. */
export function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

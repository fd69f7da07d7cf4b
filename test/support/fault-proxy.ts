/**
 * An HTTP proxy in front of moto that counts requests per AWS service and can make a service fail.
 * Faults are injected on the wire, so the code under test runs unchanged (no test-only paths).
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Service = 'ssm' | 'sns' | 'dynamodb' | 'sqs' | 'other';

/** The service a signed AWS request is for, from the SigV4 credential scope (…/region/SERVICE/aws4_request). */
export function serviceOf(req: IncomingMessage): Service {
  const scope = /Credential=[^/]+\/\d+\/[^/]+\/([^/]+)\/aws4_request/.exec(String(req.headers.authorization ?? ''));
  const service = scope?.[1];
  return service === 'ssm' || service === 'sns' || service === 'dynamodb' || service === 'sqs' ? service : 'other';
}

export class FaultProxy {
  readonly calls: Record<Service, number> = { ssm: 0, sns: 0, dynamodb: 0, sqs: 0, other: 0 };
  /** Services answered with HTTP 503 instead of being forwarded. */
  readonly failing = new Set<Service>();
  private server?: Server;
  endpoint = '';

  constructor(private readonly target: string) {}

  async start(): Promise<this> {
    const target = new URL(this.target);
    this.server = createServer((req, res) => {
      const service = serviceOf(req);
      this.calls[service] += 1;
      if (this.failing.has(service)) {
        req.resume();
        res.writeHead(503, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ __type: 'ServiceUnavailable', message: `injected ${service} outage` }));
        return;
      }
      const upstream = httpRequest(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (upstreamRes) => {
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
          upstreamRes.pipe(res);
        },
      );
      upstream.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  resetCounts(): void {
    for (const key of Object.keys(this.calls) as Service[]) this.calls[key] = 0;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/**
 * The HTTP server in front of the local function, doing what API Gateway does in front of the real one:
 * bodies over 10 MB answered 413 without the function, unknown routes 404, everything else turned into a
 * payload 2.0 event (api-gateway.ts) for the route's function (the receiver, or the acknowledge route's) and the
 * function's result back into a response. (The stage and route throttles are not modelled.)
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { GATEWAY_RESPONSES, MAX_REQUEST_BYTES, readBody, routeFor, toEvent, type HttpResponse, type RouteTarget } from './api-gateway';
import { invoke, type HttpHandler } from './function';
import { ACK_ROUTE } from '../lambda/contract';

/** One request as served: for the one line `npm start` prints per request. */
export interface ServedRequest {
  readonly method: string;
  /** The path, printable ASCII only (anything else shown as `?`), at most 200 characters: safe for a terminal. */
  readonly path: string;
  readonly response: HttpResponse;
  readonly ms: number;
}

export interface GatewayServerOptions {
  /** The handler of the route's function to invoke now; undefined while the stack is still starting (then: 503, retry in 1 s). */
  readonly handler: (target: RouteTarget) => HttpHandler | undefined;
  readonly region: () => string;
  readonly onRequest?: (request: ServedRequest) => void;
  readonly onError?: (message: string) => void;
}

const STARTING: HttpResponse = {
  statusCode: 503,
  headers: { 'content-type': 'application/json', 'retry-after': '1' },
  body: Buffer.from('{"message":"starting"}'),
};

/** A node:http server (not yet listening) that serves the function as API Gateway would. */
export function createGatewayServer(options: GatewayServerOptions): Server {
  return createServer((req, res) => void serve(options, req, res));
}

async function serve(options: GatewayServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const onError = options.onError ?? (() => undefined);
  const started = performance.now();
  const method = req.method ?? 'GET';
  const path = (req.url ?? '/').split('?')[0];
  let response: HttpResponse;
  let tooLarge = false;
  try {
    const declared = Number(req.headers['content-length'] ?? 0);
    const read = declared > MAX_REQUEST_BYTES ? ({ ok: false } as const) : await readBody(req, MAX_REQUEST_BYTES);
    const route = routeFor(method, path);
    const handler = route && options.handler(route.target);
    if (!read.ok) {
      tooLarge = true;
      response = GATEWAY_RESPONSES.tooLarge;
    } else if (route === undefined) {
      response = GATEWAY_RESPONSES.notFound;
    } else if (!handler) {
      response = STARTING;
    } else {
      const event = toEvent({
        method,
        url: req.url ?? '/',
        rawHeaders: req.rawHeaders,
        body: read.body,
        sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
        httpVersion: req.httpVersion,
      });
      response = await invoke(handler, event, options.region(), onError);
    }
  } catch (error) {
    if (res.destroyed || req.destroyed) return; // the client went away mid-request
    onError(`request failed: ${(error as Error).message}`);
    response = GATEWAY_RESPONSES.internalError;
  }
  if (tooLarge) discardRest(req);
  send(res, response);
  // The path is the sender's (through a tunnel, anyone's): printable ASCII only, so it cannot drive the terminal;
  // an acknowledge link's token is a credential, shown as its route's `{token}`.
  const shown = routeFor(method, path)?.target === 'acknowledge' ? ACK_ROUTE.path : path;
  const shownPath = shown.replace(/[^\x21-\x7e]/g, '?').slice(0, 200);
  options.onRequest?.({ method, path: shownPath, response, ms: Math.round(performance.now() - started) });
}

/**
 * After a 413: reads and drops the rest of the body so the client, still uploading, gets to read the answer;
 * nothing is kept, and a body going on past another 10 MB or 5 seconds has its connection cut.
 */
function discardRest(req: IncomingMessage): void {
  let discarded = 0;
  const cut = () => req.socket.destroy();
  const timer = setTimeout(cut, 5000).unref();
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > MAX_REQUEST_BYTES) cut();
  });
  req.once('end', () => clearTimeout(timer));
  req.once('close', () => clearTimeout(timer));
  req.resume();
}

function send(res: ServerResponse, response: HttpResponse): void {
  const headers: Record<string, string | string[]> = { ...response.headers, 'content-length': String(response.body.length) };
  res.writeHead(response.statusCode, headers);
  res.end(response.body);
}

/**
 * Ports on this machine: a free one for a server of our own, whether one is free again after a stop, and
 * listening with an error a person can act on when the port is taken.
 */
import type { Server } from 'node:http';
import { createServer } from 'node:net';
import { Failure } from './errors';

/** A port nobody listens on at this moment on 127.0.0.1 (the kernel's choice). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Whether something could listen on `port` at 127.0.0.1 now (nothing else holds it). */
export function canListen(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

/**
 * Starts `server` listening and resolves with the port it got (port 0: a free one). A port in use, a port not
 * allowed or a host that is not local rejects with a Failure naming the fix (PORT, --port, HOST).
 */
export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (error.code === 'EADDRINUSE') {
        reject(new Failure(`port ${port} is in use — is another \`npm start\` running? Stop it, or set PORT=<port> (or --port <port>)`));
      } else if (error.code === 'EACCES') {
        reject(new Failure(`not allowed to listen on port ${port}: choose another with PORT=<port> (or --port <port>)`));
      } else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') {
        reject(new Failure(`cannot listen on host ${host}: set HOST to a local address (127.0.0.1, 0.0.0.0)`));
      } else {
        reject(error);
      }
    };
    const onListening = () => {
      server.off('error', onError);
      const address = server.address();
      resolvePort(typeof address === 'object' && address ? address.port : port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/** Loopback ports for test servers and child processes. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A port that was free a moment ago: bind 127.0.0.1:0, read the port, close. Another process can
 * take it before the caller binds it; for servers in this process prefer `listenOnLoopback`.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Starts `server` on 127.0.0.1 at a port the OS picks; returns its base URL and a closer. */
export function listenOnLoopback(server: Server): Promise<{ url: string; close(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((done, fail) => {
            server.closeAllConnections();
            server.close((error) => (error ? fail(error) : done()));
          }),
      });
    });
  });
}

import type { Server } from 'node:http';

/** Listens, turning EADDRINUSE into a message that says which port and how to change it. */
export const listen = (server: Server, port: number, host: string, label: string, portVariable: string) =>
  new Promise<number>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (error.code === 'EADDRINUSE') {
        reject(
          new Error(`Port ${port} is in use (${label}). Set ${portVariable}=... or stop the other process.`, {
            cause: error,
          }),
        );
      } else {
        reject(error);
      }
    };
    const onListening = () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });

/** Closes a server and every connection it still holds (keep-alive sockets would otherwise keep it open). */
export const closeServer = (server: Server) =>
  new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });

/** The URL host part: IPv6 addresses need brackets. */
export const urlHost = (host: string) => (host.includes(':') ? `[${host}]` : host);
